"""Key-case supervision (督办) as a cycle: the supervisor office instructs, the centre reports within
rule S1, each report opens the next S1 period, until a supervisor lifts the supervision; a list of the
supervised cases by their next report due."""
import datetime as dt
import re
import uuid
from zoneinfo import ZoneInfo

import pytest
import time_machine
from sqlalchemy import select

from tests.agencies.web import Browser, confirm, forms_of
from tests.routing.support import accepted, complaint_transition, ok, submit
from tests.paging import every

SH = ZoneInfo("Asia/Shanghai")


def s1_all(app, complaint_id):
    """Every S1 clock of the complaint's supervisions, in the order they were opened."""
    from core.extensions import db
    from deadlines.models import Deadline

    with app.app_context():
        rows = db.session.scalars(select(Deadline).where(Deadline.complaint_id == uuid.UUID(complaint_id),
                                                         Deadline.subject_type == "supervision")
                                  .order_by(Deadline.id)).all()
        db.session.expunge_all()
        return rows


def s1(app, complaint_id):
    """The complaint's last S1 clock."""
    return s1_all(app, complaint_id)[-1]


def test_the_supervisor_supervises_and_the_centre_reports(app, world):
    complaint = submit(world)
    supervisor, clerk = world.api("supervisor"), world.api("clerk")
    url = f"/api/v1/complaints/{complaint['id']}/supervision"
    assert supervisor.get(url).status_code == 404  # not supervised yet
    assert clerk.post(url, json={"instructions": "x"}).status_code == 404  # clerks do not supervise
    assert supervisor.post(url, json={"instructions": " "}).status_code == 422
    created = ok(supervisor.post(url, json={"instructions": "请于十个工作日内报告办理进展。"}), 201)
    assert created["instructions"] == "请于十个工作日内报告办理进展。"
    assert supervisor.post(url, json={"instructions": "again"}).status_code == 409
    deadline = s1(app, complaint["id"])
    assert deadline.rule_code == "S1" and deadline.responsible_org_id == world.orgs["centre"]
    queue = ok(clerk.get("/api/v1/queue?key_case=true"))["items"]
    assert [c["id"] for c in queue] == [complaint["id"]]

    assert world.api("other_clerk").post(f"{url}/reports", json={"text": "x"}).status_code == 404
    assert clerk.post(f"{url}/reports", json={"text": ""}).status_code == 422
    reported = ok(clerk.post(f"{url}/reports", json={"text": "已受理并移送公安机关。"}))
    assert reported["last_report"] == "已受理并移送公安机关。"
    assert [d.state.value for d in s1_all(app, complaint["id"])] == ["met", "open"]  # the next report is due
    # the enterprise never sees the supervision in its timeline
    timeline = every(world.api("enterprise"), f"/api/v1/complaints/{complaint['id']}/timeline")
    assert not [e for e in timeline if e["kind"] == "supervision"]


def test_a_withdrawn_complaint_cannot_be_supervised(app, world):
    complaint = submit(world)
    ok(world.api("enterprise").post(f"/api/v1/complaints/{complaint['id']}/withdraw", json={"reason": "和解"}))
    response = world.api("supervisor").post(f"/api/v1/complaints/{complaint['id']}/supervision",
                                            json={"instructions": "督办"})
    assert response.status_code == 409


def test_supervision_in_the_portal(app, world):
    complaint = submit(world)
    ok(complaint_transition(world.api("clerk"), complaint["id"], "claim"))
    page = f"/centre/complaints/{complaint['id']}"
    supervisor = Browser(app, world.users["supervisor"])
    html = supervisor.get(page)
    assert 'data-testid="supervise"' in html
    token = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
    assert supervisor.client.post(f"{page}/supervision", data={"csrf_token": token, "instructions": ""}
                                  ).status_code == 422
    assert supervisor.client.post(f"{page}/supervision", data={"csrf_token": token, "instructions": "加快办理"}
                                  ).status_code == 302
    clerk = Browser(app, world.users["clerk"])
    html = clerk.get(page)
    assert "加快办理" in html and 'data-testid="report-supervision"' in html
    token = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
    assert clerk.client.post(f"{page}/supervision/reports", data={"csrf_token": token, "text": "已办结"}
                             ).status_code == 302
    assert [d.state.value for d in s1_all(app, complaint["id"])] == ["met", "open"]


# --- the cycle -----------------------------------------------------------------------------------------

def local(*args):
    return dt.datetime(*args, tzinfo=SH)


def end_of(day):
    return dt.datetime.combine(day, dt.time(23, 59, 59), SH).astimezone(dt.UTC)


def supervision_url(complaint_id):
    return f"/api/v1/complaints/{complaint_id}/supervision"


def outbox(app, complaint_id):
    from core.extensions import db
    from core.outbox import OutboxEvent

    with app.app_context():
        return [(e.event, e.organisation_ids, e.params) for e in db.session.scalars(
            select(OutboxEvent).where(OutboxEvent.subject_id == uuid.UUID(complaint_id)).order_by(OutboxEvent.id))]


@pytest.mark.config(API_TOKEN_LIFETIME_SECONDS=365 * 86400)  # the clock moves over weeks
def test_each_report_opens_the_next_period_until_the_supervision_is_lifted(app, world):
    with time_machine.travel(local(2026, 11, 30, 9, 0), tick=False):  # a Monday
        complaint = accepted(world)
        supervisor, clerk = world.api("supervisor"), world.api("clerk")
        url = supervision_url(complaint["id"])
        created = ok(supervisor.post(url, json={"instructions": "每十个工作日报告一次。"}), 201)
    # S1: 10 working days from the supervision, the start day not counted
    assert created["active"] is True and created["reports"] == [] and created["last_report"] is None
    first = end_of(dt.date(2026, 12, 14))
    assert dt.datetime.fromisoformat(created["next_report_due_at"]) == first
    assert [d.state.value for d in s1_all(app, complaint["id"])] == ["open"]

    with time_machine.travel(local(2026, 12, 3, 10, 0), tick=False):  # a Thursday
        one = ok(clerk.post(f"{url}/reports", json={"text": "已移送公安机关。"}))
    second = end_of(dt.date(2026, 12, 17))  # the next period runs from the report
    assert dt.datetime.fromisoformat(one["next_report_due_at"]) == second
    assert [r["text"] for r in one["reports"]] == ["已移送公安机关。"]
    assert [(d.state.value, d.due_at) for d in s1_all(app, complaint["id"])] == [("met", first), ("open", second)]

    with time_machine.travel(local(2026, 12, 8, 10, 0), tick=False):  # more instructions: the clock stays
        assert supervisor.post(f"{url}/instructions", json={"instructions": " "}).status_code == 422
        instructed = ok(supervisor.post(f"{url}/instructions", json={"instructions": "请同步报告立案情况。"}))
    assert [i["text"] for i in instructed["further_instructions"]] == ["请同步报告立案情况。"]
    assert dt.datetime.fromisoformat(instructed["next_report_due_at"]) == second
    assert len(s1_all(app, complaint["id"])) == 2

    with time_machine.travel(local(2026, 12, 10, 10, 0), tick=False):
        two = ok(clerk.post(f"{url}/reports", json={"text": "公安机关已立案。"}))
    assert [r["text"] for r in two["reports"]] == ["已移送公安机关。", "公安机关已立案。"]
    assert two["last_report"] == "公安机关已立案。" and two["reports"][1]["author"] == "clerk 用户"
    assert [d.state.value for d in s1_all(app, complaint["id"])] == ["met", "met", "open"]
    assert ok(clerk.get("/api/v1/queue?key_case=true"))["items"][0]["id"] == complaint["id"]

    with time_machine.travel(local(2026, 12, 11, 10, 0), tick=False):
        assert supervisor.post(f"{url}/lift", json={"closing_note": " "}).status_code == 422
        lifted = ok(supervisor.post(f"{url}/lift", json={"closing_note": "案件已进入刑事程序，解除督办。"}))
    assert lifted["active"] is False and lifted["lifted_by"] == "supervisor 用户"
    assert lifted["closing_note"] == "案件已进入刑事程序，解除督办。" and lifted["next_report_due_at"] is None
    assert dt.datetime.fromisoformat(lifted["lifted_at"]) == local(2026, 12, 11, 10, 0)
    assert [d.state.value for d in s1_all(app, complaint["id"])] == ["met", "met", "cancelled"]
    assert ok(clerk.get("/api/v1/queue?key_case=true"))["items"] == []  # no longer a key case
    # nothing more on a lifted supervision: the history stays readable
    assert clerk.post(f"{url}/reports", json={"text": "补充报告"}).status_code == 409
    assert supervisor.post(f"{url}/lift", json={"closing_note": "again"}).status_code == 409
    assert supervisor.post(f"{url}/instructions", json={"instructions": "again"}).status_code == 409
    assert len(ok(clerk.get(url))["reports"]) == 2

    # supervised again later: a new supervision, the old one kept
    again = ok(supervisor.post(url, json={"instructions": "重新督办。"}), 201)
    assert again["id"] != created["id"] and again["active"] and again["reports"] == []
    assert supervisor.post(url, json={"instructions": "third"}).status_code == 409  # one active at a time
    assert ok(supervisor.get(url))["id"] == again["id"]
    assert [d.state.value for d in s1_all(app, complaint["id"])] == ["met", "met", "cancelled", "open"]
    assert [i["id"] for i in ok(supervisor.get("/api/v1/supervisions?active=false"))["items"]] == [created["id"]]
    assert [i["id"] for i in ok(supervisor.get("/api/v1/supervisions?active=true"))["items"]] == [again["id"]]
    assert ok(supervisor.get("/api/v1/supervisions"))["total"] == 2

    # the centre and the supervisors are told of each step; the enterprise sees none of it
    assert [(event, orgs) for event, orgs, _params in outbox(app, complaint["id"])
            if event.startswith("complaint.supervis")] == [
        ("complaint.supervised", [world.org("centre")]),
        ("complaint.supervision_reported", [world.org("supervisor_office")]),
        ("complaint.supervision_instructed", [world.org("centre")]),
        ("complaint.supervision_reported", [world.org("supervisor_office")]),
        ("complaint.supervision_lifted", [world.org("centre")]),
        ("complaint.supervised", [world.org("centre")])]
    lifted_notice = [p for e, _o, p in outbox(app, complaint["id"]) if e == "complaint.supervision_lifted"][0]
    assert lifted_notice["closing_note"] == "案件已进入刑事程序，解除督办。"
    timeline = every(world.api("enterprise"), f"/api/v1/complaints/{complaint['id']}/timeline")
    assert not [e for e in timeline if e["kind"] == "supervision"]
    triggers = [e["trigger"] for e in every(clerk, f"/api/v1/complaints/{complaint['id']}/timeline")
                if e["kind"] == "supervision"]
    assert triggers == ["supervise", "report", "instruct", "report", "lift", "supervise"]


def test_a_report_on_a_complaint_no_longer_handled_opens_no_next_period(app, world):
    complaint = submit(world)
    url = supervision_url(complaint["id"])
    ok(world.api("supervisor").post(url, json={"instructions": "督办"}), 201)
    ok(world.api("enterprise").post(f"/api/v1/complaints/{complaint['id']}/withdraw", json={"reason": "和解"}))
    assert s1(app, complaint["id"]).state.value == "cancelled"  # the withdrawal ended every clock
    reported = ok(world.api("clerk").post(f"{url}/reports", json={"text": "企业已撤回投诉。"}))
    assert reported["active"] and reported["next_report_due_at"] is None
    assert [d.state.value for d in s1_all(app, complaint["id"])] == ["cancelled"]
    ok(world.api("supervisor").post(f"{url}/lift", json={"closing_note": "投诉已撤回。"}))


def test_outsiders_get_404_and_a_lifted_supervision_409(app, world):
    complaint = accepted(world)
    url = supervision_url(complaint["id"])
    for key in ("clerk", "police", "enterprise", "admin"):  # only supervisors supervise
        assert world.api(key).post(url, json={"instructions": "x"}).status_code == 404, key
    assert world.api("supervisor").post(f"{url}/lift", json={"closing_note": "x"}).status_code == 404  # none yet
    assert world.api("clerk").post(f"{url}/reports", json={"text": "x"}).status_code == 404
    ok(world.api("supervisor").post(url, json={"instructions": "督办 SECRET-INSTRUCTIONS"}), 201)
    for key in ("other_clerk", "police", "amr_city", "enterprise", "other_enterprise", "admin"):
        api = world.api(key)
        assert api.get(url).status_code == 404, key
        assert api.post(f"{url}/reports", json={"text": "x"}).status_code == 404, key
        assert api.post(f"{url}/lift", json={"closing_note": "x"}).status_code == 404, key
        assert api.post(f"{url}/instructions", json={"instructions": "x"}).status_code == 404, key
        listed = api.get("/api/v1/supervisions")
        assert listed.status_code == 200 and listed.get_json()["items"] == [], key
    assert world.api("supervisor").post(f"{url}/reports", json={"text": "x"}).status_code == 404  # the centre reports
    assert world.api("clerk").post(f"{url}/lift", json={"closing_note": "x"}).status_code == 404  # a supervisor lifts
    assert world.api("clerk").post(f"{url}/instructions", json={"instructions": "x"}).status_code == 404
    assert world.api("clerk2").get(url).status_code == 200  # any clerk of the centre
    ok(world.api("supervisor").post(f"{url}/lift", json={"closing_note": "解除"}))
    assert world.api("clerk").post(f"{url}/reports", json={"text": "x"}).status_code == 409
    assert world.api("other_clerk").post(f"{url}/reports", json={"text": "x"}).status_code == 404  # still 404


@pytest.mark.config(API_TOKEN_LIFETIME_SECONDS=365 * 86400)
def test_the_list_is_by_next_report_due_and_a_clerk_sees_only_its_centres(app, world):
    supervisor = world.api("supervisor")
    with time_machine.travel(local(2026, 11, 30, 9, 0), tick=False):
        first = accepted(world)
        ok(supervisor.post(supervision_url(first["id"]), json={"instructions": "一"}), 201)
    with time_machine.travel(local(2026, 11, 25, 9, 0), tick=False):  # supervised earlier: due earlier
        second = accepted(world)
        ok(supervisor.post(supervision_url(second["id"]), json={"instructions": "二"}), 201)
        other = accepted(world, who="other_enterprise", clerk="other_clerk")
    with time_machine.travel(local(2026, 12, 1, 9, 0), tick=False):
        ok(supervisor.post(supervision_url(other["id"]), json={"instructions": "三"}), 201)
    items = ok(supervisor.get("/api/v1/supervisions?active=true"))["items"]
    assert [i["complaint_id"] for i in items] == [second["id"], first["id"], other["id"]]
    dues = [i["next_report_due_at"] for i in items]
    assert dues == sorted(dues)
    # a report moves the case to the end of the line
    ok(world.api("clerk").post(f"{supervision_url(second['id'])}/reports", json={"text": "进展"}))
    items = ok(supervisor.get("/api/v1/supervisions?active=true"))["items"]
    assert [i["complaint_id"] for i in items] == [first["id"], other["id"], second["id"]]
    mine = ok(world.api("clerk").get("/api/v1/supervisions"))
    assert [i["complaint_id"] for i in mine["items"]] == [first["id"], second["id"]] and mine["total"] == 2
    assert [i["reference"] for i in ok(world.api("other_clerk").get("/api/v1/supervisions"))["items"]] == [
        other["reference"]]
    first_page = ok(supervisor.get("/api/v1/supervisions?limit=2"))
    paged = ok(supervisor.get(f"/api/v1/supervisions?limit=2&cursor={first_page['next_cursor']}"))
    assert paged["total"] == 3 and [i["complaint_id"] for i in paged["items"]] == [second["id"]]
    assert paged["next_cursor"] is None
    assert supervisor.get("/api/v1/supervisions?active=maybe").status_code == 422

    # the page: the same list, linked from the navigation
    page = Browser(app, world.users["clerk"])
    html = page.get("/centre/supervised")
    assert 'data-testid="nav-supervised"' in html
    assert html.count('data-testid="supervised-row"') == 2
    assert html.index(first["reference"]) < html.index(second["reference"])
    assert other["reference"] not in html
    html = Browser(app, world.users["supervisor"]).get("/centre/supervised")
    assert html.count('data-testid="supervised-row"') == 3
    assert Browser(app, world.users["supervisor"]).get("/centre/supervised?lifted=1").count(
        'data-testid="supervised-row"') == 0
    Browser(app, world.users["police"]).get("/centre/supervised", status=404)


# --- service level -----------------------------------------------------------------------------------

def test_the_services_and_their_predicates(app, world):
    from accounts.models import User
    from core.errors import Conflict, NotFound, ValidationFailed
    from core.extensions import db
    from intake.models import Complaint
    from routing import supervision as sv

    complaint_id = accepted(world)["id"]
    with app.test_request_context():
        def user(key):
            return db.session.get(User, world.users[key]["id"])

        supervisor, clerk, other_clerk, police = (user(k) for k in ("supervisor", "clerk", "other_clerk", "police"))
        complaint = db.session.get(Complaint, uuid.UUID(complaint_id))
        assert sv.can_supervise(supervisor, complaint)
        assert not any(sv.can_supervise(u, complaint) for u in (clerk, other_clerk, police))
        assert not sv.can_report_on_supervision(clerk, complaint) and not sv.can_lift_supervision(supervisor, complaint)
        with pytest.raises(NotFound):
            sv.supervise(clerk, complaint, "x")
        with pytest.raises(ValidationFailed):
            sv.supervise(supervisor, complaint, "  ")

        supervision = sv.supervise(supervisor, complaint, " 督办 ")
        assert supervision.instructions == "督办" and complaint.key_case and supervision.next_report_due_at
        assert not sv.can_supervise(supervisor, complaint)
        assert sv.can_report_on_supervision(clerk, complaint) and not sv.can_report_on_supervision(other_clerk, complaint)
        assert not sv.can_report_on_supervision(supervisor, complaint)
        assert sv.can_lift_supervision(supervisor, complaint) and not sv.can_lift_supervision(clerk, complaint)
        assert sv.can_read_supervision(clerk, complaint) and not sv.can_read_supervision(police, complaint)
        assert sv.readable_supervision(police, complaint) is None
        with pytest.raises(Conflict):
            sv.supervise(supervisor, complaint, "again")
        with pytest.raises(NotFound):
            sv.report_on_supervision(other_clerk, complaint, "x")

        assert sv.can_instruct_supervision(supervisor, complaint) and not sv.can_instruct_supervision(clerk, complaint)
        with pytest.raises(NotFound):
            sv.add_instructions(clerk, complaint, "x")
        sv.report_on_supervision(clerk, complaint, "一")
        sv.add_instructions(supervisor, complaint, "加快")
        sv.report_on_supervision(clerk, complaint, "二")
        assert [i.text for i in supervision.further_instructions] == ["加快"]
        assert [r.text for r in supervision.reports] == ["一", "二"]
        with pytest.raises(ValidationFailed):
            sv.lift_supervision(supervisor, complaint, "")
        sv.lift_supervision(supervisor, complaint, "结")
        assert not complaint.key_case and not supervision.active
        assert not sv.can_report_on_supervision(clerk, complaint) and not sv.can_lift_supervision(supervisor, complaint)
        assert not sv.can_instruct_supervision(supervisor, complaint)
        with pytest.raises(Conflict):
            sv.report_on_supervision(clerk, complaint, "三")
        with pytest.raises(Conflict):
            sv.add_instructions(supervisor, complaint, "四")
        assert sv.can_supervise(supervisor, complaint)
        renewed = sv.supervise(supervisor, complaint, "再督办")
        assert sv.supervision_of(complaint) is renewed
        assert sv.earlier_supervisions(clerk, complaint) == [supervision]
        assert sv.earlier_supervisions(police, complaint) == []
        db.session.commit()


def test_one_active_supervision_per_complaint_is_the_databases_rule(app, world):
    from core.extensions import db
    from core.models import utcnow
    from routing.models import Supervision
    from sqlalchemy.exc import IntegrityError

    complaint_id = uuid.UUID(accepted(world)["id"])
    supervisor_id = world.users["supervisor"]["id"]
    with app.app_context():
        db.session.add(Supervision(complaint_id=complaint_id, supervisor_id=supervisor_id, instructions="a",
                                   lifted_at=utcnow(), lifted_by_id=supervisor_id, closing_note="done"))
        db.session.add(Supervision(complaint_id=complaint_id, supervisor_id=supervisor_id, instructions="b"))
        db.session.commit()  # a lifted one beside an active one
        db.session.add(Supervision(complaint_id=complaint_id, supervisor_id=supervisor_id, instructions="c"))
        with pytest.raises(IntegrityError):
            db.session.commit()
        db.session.rollback()
        db.session.add(Supervision(complaint_id=complaint_id, supervisor_id=supervisor_id, instructions="d",
                                   lifted_at=utcnow()))  # lifted without who and why
        with pytest.raises(IntegrityError):
            db.session.commit()
        db.session.rollback()


# --- the pages -----------------------------------------------------------------------------------------

def _buttons(html):
    return {name for name in ("supervise", "report-supervision", "instruct-supervision", "lift-supervision")
            if f'data-testid="{name}"' in html}


def test_the_buttons_are_shown_exactly_when_the_action_is_allowed(app, world):
    from core.extensions import db
    from intake.models import Complaint
    from routing import supervision as sv
    from accounts.models import User

    complaint = submit(world)
    page = f"/centre/complaints/{complaint['id']}"
    supervisor, clerk = Browser(app, world.users["supervisor"]), Browser(app, world.users["clerk"])
    clerk2 = Browser(app, world.users["clerk2"])

    def agree():
        """Each button on each page is there exactly when its predicate (the services' rule) allows it."""
        browsers = {"supervisor": supervisor, "clerk": clerk, "clerk2": clerk2}
        wanted = {}
        with app.test_request_context():
            c = db.session.get(Complaint, uuid.UUID(complaint["id"]))
            for key in browsers:
                actor = db.session.get(User, world.users[key]["id"])
                wanted[key] = {name for name, allowed in (
                    ("supervise", sv.can_supervise(actor, c)),
                    ("report-supervision", sv.can_report_on_supervision(actor, c)),
                    ("instruct-supervision", sv.can_instruct_supervision(actor, c)),
                    ("lift-supervision", sv.can_lift_supervision(actor, c))) if allowed}
            db.session.rollback()
        for key, browser in browsers.items():  # outside that context: each page is a request of its own
            assert _buttons(browser.get(page)) == wanted[key], key

    assert _buttons(supervisor.get(page)) == {"supervise"}  # submitted, not even claimed: open
    agree()
    supervisor.submit(page, f"{page}/supervision", instructions="加快办理")
    assert _buttons(supervisor.get(page)) == {"instruct-supervision", "lift-supervision"}
    assert _buttons(clerk.get(page)) == {"report-supervision"} == _buttons(clerk2.get(page))
    agree()
    supervisor.submit(page, f"{page}/supervision/instructions", instructions="尽快认领")
    assert "尽快认领" in clerk.get(page)
    clerk.submit(page, f"{page}/supervision/reports", text="已认领并审查。")
    html = supervisor.get(page)
    assert "已认领并审查。" in html and 'data-testid="next-report-due"' in html
    assert supervisor.submit(page, f"{page}/supervision/lift", status=422).status_code == 422  # no closing note
    # lifting is irreversible: a confirmation page first (no JavaScript), nothing changed before it
    asked = supervisor.submit(page, f"{page}/supervision/lift", status=200, closing_note="督办完毕")
    assert "督办完毕" in asked.get_data(as_text=True)
    assert _buttons(supervisor.get(page)) == {"instruct-supervision", "lift-supervision"}
    confirm(supervisor, asked)
    html = supervisor.get(page)
    assert _buttons(html) == {"supervise"} and "督办完毕" in html and 'data-testid="supervision-lifted"' in html
    assert _buttons(clerk.get(page)) == set()
    agree()
    token = re.search(r'name="csrf_token" value="([^"]+)"', clerk.get(page)).group(1)
    response = clerk.client.post(f"{page}/supervision/reports", data={"csrf_token": token, "text": "迟到的报告"})
    assert response.status_code == 409  # the page says why, with nothing changed
    supervisor.submit(page, f"{page}/supervision", instructions="再次督办")
    html = clerk.get(page)
    assert 'data-testid="earlier-supervisions"' in html and "督办完毕" in html and "再次督办" in html
    agree()
    # a withdrawn complaint: no button, and the post would be refused
    ok(world.api("supervisor").post(f"{supervision_url(complaint['id'])}/lift", json={"closing_note": "结"}))
    ok(world.api("enterprise").post(f"/api/v1/complaints/{complaint['id']}/withdraw", json={"reason": "和解"}))
    assert _buttons(supervisor.get(page)) == set()
    agree()
    token = re.search(r'name="csrf_token" value="([^"]+)"', supervisor.get(page)).group(1)
    assert supervisor.client.post(f"{page}/supervision", data={"csrf_token": token, "instructions": "x"}
                                  ).status_code == 409


def test_each_supervision_event_has_its_own_words_on_the_timeline(app, world):
    from flask_babel import force_locale

    from core.extensions import db
    from intake.models import ComplaintEvent
    from routing.presenters import SUPERVISION_EVENT_TEXTS, event_text

    complaint = accepted(world)
    url = supervision_url(complaint["id"])
    ok(world.api("supervisor").post(url, json={"instructions": "督办"}), 201)
    ok(world.api("clerk").post(f"{url}/reports", json={"text": "报告"}))
    ok(world.api("supervisor").post(f"{url}/instructions", json={"instructions": "再查"}))
    ok(world.api("supervisor").post(f"{url}/lift", json={"closing_note": "结"}))
    with app.test_request_context():
        events = db.session.scalars(select(ComplaintEvent).where(
            ComplaintEvent.complaint_id == uuid.UUID(complaint["id"]), ComplaintEvent.kind == "supervision")
            .order_by(ComplaintEvent.id)).all()
        assert [e.trigger for e in events] == ["supervise", "report", "instruct", "lift"]
        assert set(SUPERVISION_EVENT_TEXTS) == {"supervise", "report", "instruct", "lift"}
        for language in ("en", "zh"):
            with force_locale(language):
                texts = [event_text(e) for e in events]
                assert "supervision" not in texts and len(set(texts)) == 4
    html = Browser(app, world.users["clerk"]).get(f"/centre/complaints/{complaint['id']}")
    assert "The supervisor office lifted the key-case supervision." in html
    assert [f.action for f in forms_of(html) if f.action.endswith("/supervision/reports")] == []


# --- at the same moment (PostgreSQL: real row locks) -------------------------------------------------

@pytest.mark.postgres_only
def test_two_supervisors_at_once_make_one_supervision_and_two_reports_one_next_period(app, world):
    from core.extensions import db
    from deadlines.models import Deadline
    from routing.models import Supervision, SupervisionReport
    from tests.conftest import ApiClient
    from tests.routing.support import insert_complaints
    from tests.threads import run_together

    rounds = 20
    complaint_ids = insert_complaints(app, world, rounds, "accepted")
    results = {"supervise": [[None, None] for _ in complaint_ids], "report": [[None, None] for _ in complaint_ids]}

    def together(keys, kind, body_of):
        clients = [ApiClient(app.test_client(), world.api(key).token) for key in keys]

        def run(who, barrier):
            for i, complaint_id in enumerate(complaint_ids):
                barrier.wait(timeout=30)
                url, body = body_of(complaint_id, who)
                results[kind][i][who] = clients[who].post(url, json=body).status_code

        run_together(run, (0, 1))

    together(("supervisor", "supervisor"), "supervise",
             lambda c, who: (supervision_url(c), {"instructions": f"督办 {who}"}))
    assert all(sorted(pair) == [201, 409] for pair in results["supervise"]), results["supervise"]
    together(("clerk", "clerk2"), "report", lambda c, who: (f"{supervision_url(c)}/reports", {"text": f"报告 {who}"}))
    assert all(pair == [200, 200] for pair in results["report"]), results["report"]
    with app.app_context():
        ids = [uuid.UUID(c) for c in complaint_ids]
        supervisions = db.session.scalars(select(Supervision).where(Supervision.complaint_id.in_(ids))).all()
        assert len(supervisions) == rounds
        for supervision in supervisions:
            assert len(db.session.scalars(select(SupervisionReport).where(
                SupervisionReport.supervision_id == supervision.id)).all()) == 2
            states = sorted(d.state.value for d in db.session.scalars(select(Deadline).where(
                Deadline.subject_type == "supervision", Deadline.subject_id == supervision.id)))
            assert states == ["met", "met", "open"], states  # each report met the one running clock
