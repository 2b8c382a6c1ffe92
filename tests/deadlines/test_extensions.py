"""Extensions (issue 8, point 12): an officer asks with a reason and a new due time; the head of the
responsible agency (a supervisor for the centre's clocks) approves — the due time moves — or refuses
with a reason. Service level, API, pages, and the attacker's cases (404, 409, 422)."""
import datetime as dt
import uuid

import pytest
from sqlalchemy import select

from tests.agencies.web import Browser, field_errors, ids_of
from tests.conftest import ApiClient
from tests.routing.conftest import world  # noqa: F401  (the fixture)
from tests.routing.support import accepted, complaint_transition, ok, refer, referral_transition, submit
from tests.threads import run_together
from tests.paging import every


def a1_of(app, world):
    """A referral to the municipal market regulator, acknowledged: its A1 clock runs. (referral, deadline)"""
    complaint = accepted(world)
    referral = refer(world, complaint["id"], "amr_city", "administrative")
    ok(referral_transition(world.api("amr_city"), referral["id"], "acknowledge", officer_name="刘洋"))
    return complaint, referral, deadline(app, referral["id"], "A1")


def deadline(app, subject_id, code):
    from core.extensions import db
    from deadlines.models import Deadline

    with app.app_context():
        row = db.session.scalar(select(Deadline).where(Deadline.subject_id == uuid.UUID(str(subject_id)),
                                                       Deadline.rule_code == code))
        db.session.expunge(row)
        return row


def outbox(app, event):
    from core.extensions import db
    from core.outbox import OutboxEvent

    with app.app_context():
        return [(r.user_ids, r.organisation_ids, r.audience, r.params) for r in db.session.scalars(
            select(OutboxEvent).where(OutboxEvent.event == event).order_by(OutboxEvent.id))]


def urls(d):
    return (f"/api/v1/deadlines/{d.public_id}/extension-requests", f"/api/v1/deadlines/{d.public_id}/extension-decision")


def ask(due_at, reason="鉴定材料较多，需要更多时间核查。"):
    return {"reason": reason, "requested_due_at": due_at.isoformat()}


# --- service level ---------------------------------------------------------------------------------

def test_the_services_request_and_approve_and_the_due_time_moves(app, world):
    from accounts.models import User
    from core.extensions import db
    from deadlines import extensions
    from deadlines.models import Deadline, ExtensionState

    _complaint, _referral, a1 = a1_of(app, world)
    wanted = a1.due_at + dt.timedelta(days=7)
    with app.app_context():
        officer = db.session.get(User, world.users["amr_city"]["id"])
        head = db.session.get(User, world.users["amr_city_head"]["id"])
        row = db.session.get(Deadline, a1.id)
        request = extensions.request_extension(officer, row, {"reason": "需要补充鉴定。", "requested_due_at": wanted})
        assert request.state is ExtensionState.pending
        assert [r.id for r in extensions.waiting_for(head)] == [request.id]
        assert extensions.waiting_for(officer) == []
        decided = extensions.decide(head, row, {"decision": "approve", "request_id": request.id})
        assert decided.state is ExtensionState.approved and decided.decided_by_id == head.id
        assert row.due_at == wanted and row.extended_by_id == head.id and row.extension_reason == "需要补充鉴定。"
        assert extensions.waiting_for(head) == []
        db.session.commit()
    # the head was told of the request, the officer of the decision
    requested = outbox(app, "deadline.extension_requested")
    assert [r[0] for r in requested] == [[str(world.users["amr_city_head"]["id"])]]
    decided = outbox(app, "deadline.extension_decided")
    assert [r[0] for r in decided] == [[str(world.users["amr_city"]["id"])]] and decided[0][3]["decision"] == "approved"


def test_the_services_refuse_only_with_a_reason_and_the_due_time_stays(app, world):
    from accounts.models import User
    from core.errors import ValidationFailed
    from core.extensions import db
    from deadlines import extensions
    from deadlines.models import Deadline

    _complaint, _referral, a1 = a1_of(app, world)
    with app.app_context():
        officer = db.session.get(User, world.users["amr_city"]["id"])
        head = db.session.get(User, world.users["amr_city_head"]["id"])
        row = db.session.get(Deadline, a1.id)
        extensions.request_extension(officer, row, {"reason": "x", "requested_due_at": a1.due_at + dt.timedelta(days=3)})
        with pytest.raises(ValidationFailed) as refused:
            extensions.decide(head, row, {"decision": "refuse", "reason": "  "})
        assert "reason" in refused.value.errors
        extensions.decide(head, row, {"decision": "refuse", "reason": "理由不充分。"})
        assert row.due_at == a1.due_at and row.extended_by_id is None


# --- the API ---------------------------------------------------------------------------------------

def test_an_officer_asks_and_the_head_approves_over_the_api(app, world):
    complaint, _referral, a1 = a1_of(app, world)
    ask_url, decide_url = urls(a1)
    wanted = a1.due_at + dt.timedelta(days=10)
    made = ok(world.api("amr_city").post(ask_url, json=ask(wanted)), 201)
    assert made["state"] == "pending" and made["rule_code"] == "A1"
    assert [r["id"] for r in every(world.api("amr_city_head"), "/api/v1/extension-requests")] == [made["id"]]
    assert every(world.api("amr_city"), "/api/v1/extension-requests") == []
    # a second request while one waits: 409
    assert world.api("amr_city").post(ask_url, json=ask(wanted)).status_code == 409
    decided = ok(world.api("amr_city_head").post(decide_url, json={"decision": "approve", "request_id": made["id"]}))
    assert decided["state"] == "approved" and decided["decided_by"]
    rows = every(world.api("clerk"), f"/api/v1/complaints/{complaint['id']}/deadlines")
    a1_row = next(r for r in rows if r["rule_code"] == "A1")
    assert dt.datetime.fromisoformat(a1_row["due_at"]) == wanted
    assert dt.datetime.fromisoformat(a1_row["fixed_due_at"]) == wanted
    # approving again: nothing waits any more
    again = world.api("amr_city_head").post(decide_url, json={"decision": "approve", "request_id": made["id"]})
    assert again.status_code == 409
    # A1's one extension is used
    assert world.api("amr_city").post(ask_url, json=ask(wanted + dt.timedelta(days=1))).status_code == 409
    # the inbox follows the moved clock
    listed = ok(world.api("amr_city").get("/api/v1/referrals"))["items"]
    assert dt.datetime.fromisoformat(listed[0]["agency_due_at"]) == wanted


def test_a_refusal_needs_a_reason_and_a_new_request_may_follow(app, world):
    _complaint, _referral, a1 = a1_of(app, world)
    ask_url, decide_url = urls(a1)
    ok(world.api("amr_city").post(ask_url, json=ask(a1.due_at + dt.timedelta(days=2))), 201)
    blank = world.api("amr_city_head").post(decide_url, json={"decision": "refuse", "reason": " "})
    assert blank.status_code == 422 and "reason" in blank.get_json()["errors"]
    refused = ok(world.api("amr_city_head").post(decide_url, json={"decision": "refuse", "reason": "不予延长。"}))
    assert refused["state"] == "refused" and refused["decision_reason"] == "不予延长。"
    assert deadline(app, a1.subject_id, "A1").due_at == a1.due_at
    assert outbox(app, "deadline.extension_decided")[0][3]["decision"] == "refused"
    ok(world.api("amr_city").post(ask_url, json=ask(a1.due_at + dt.timedelta(days=2))), 201)
    history = every(world.api("amr_city"), ask_url)
    assert [r["state"] for r in history] == ["refused", "pending"]


def test_bad_dates_and_reasons_are_field_errors(app, world):
    _complaint, _referral, a1 = a1_of(app, world)
    ask_url, _decide_url = urls(a1)
    officer = world.api("amr_city")
    for body, field in ((ask(a1.due_at), "requested_due_at"),  # not after the current due time
                        (ask(a1.due_at - dt.timedelta(days=3)), "requested_due_at"),
                        (ask(a1.due_at + dt.timedelta(days=60)), "requested_due_at"),  # beyond +15 working days
                        ({"reason": "x", "requested_due_at": "2027-01-05T10:00:00"}, "requested_due_at"),  # naive
                        ({"reason": "x"}, "requested_due_at"),
                        (ask(a1.due_at + dt.timedelta(days=2), reason=" "), "reason"),
                        (ask(a1.due_at + dt.timedelta(days=2), reason="长" * 2001), "reason")):
        response = officer.post(ask_url, json=body)
        assert response.status_code == 422 and field in response.get_json()["errors"], (body, response.get_json())
    assert every(officer, ask_url) == []


def test_another_agencys_head_and_other_people_get_404(app, world, create_user):
    world.users["putuo_head"] = create_user("agency_head", org_id=world.orgs["amr_putuo"])
    _complaint, _referral, a1 = a1_of(app, world)
    ask_url, decide_url = urls(a1)
    made = ok(world.api("amr_city").post(ask_url, json=ask(a1.due_at + dt.timedelta(days=2))), 201)
    approve = {"decision": "approve", "request_id": made["id"]}
    for key in ("putuo_head", "amr_putuo", "police", "clerk", "enterprise", "supervisor", "admin"):
        assert world.api(key).post(decide_url, json=approve).status_code == 404, key
        assert world.api(key).get(ask_url).status_code == 404, key
        assert world.api(key).post(ask_url, json=ask(a1.due_at + dt.timedelta(days=2))).status_code == 404, key
    assert every(world.api("putuo_head"), "/api/v1/extension-requests") == []
    # the officer who asked cannot decide
    assert world.api("amr_city").post(decide_url, json=approve).status_code == 404
    assert deadline(app, a1.subject_id, "A1").due_at == a1.due_at


def test_a_request_of_another_deadline_cannot_be_decided_through_this_one(app, world):
    _c1, _r1, first = a1_of(app, world)
    _c2, _r2, second = a1_of(app, world)
    made = ok(world.api("amr_city").post(urls(first)[0], json=ask(first.due_at + dt.timedelta(days=2))), 201)
    crossed = world.api("amr_city_head").post(urls(second)[1], json={"decision": "approve", "request_id": made["id"]})
    assert crossed.status_code == 404


def test_the_centres_clocks_are_extended_by_a_supervisor(app, world):
    complaint = submit(world)
    ok(complaint_transition(world.api("clerk"), complaint["id"], "claim"))
    q2 = deadline(app, complaint["id"], "Q2")
    ask_url, decide_url = urls(q2)
    assert world.api("amr_city").post(ask_url, json=ask(q2.due_at + dt.timedelta(days=2))).status_code == 404
    ok(world.api("clerk").post(ask_url, json=ask(q2.due_at + dt.timedelta(days=30))), 201)  # Q2: no maximum
    assert outbox(app, "deadline.extension_requested")[0][2] == "supervisors"
    assert world.api("amr_city_head").post(decide_url, json={"decision": "approve"}).status_code == 404
    ok(world.api("supervisor").post(decide_url, json={"decision": "approve"}))
    assert deadline(app, complaint["id"], "Q2").due_at == q2.due_at + dt.timedelta(days=30)


def test_two_approvals_one_after_the_other_one_wins(app, world):
    _complaint, _referral, a1 = a1_of(app, world)
    ask_url, decide_url = urls(a1)
    made = ok(world.api("amr_city").post(ask_url, json=ask(a1.due_at + dt.timedelta(days=2))), 201)
    body = {"decision": "approve", "request_id": made["id"]}
    assert world.api("amr_city_head").post(decide_url, json=body).status_code == 200
    assert world.api("amr_city_head").post(decide_url, json={**body, "decision": "refuse",
                                                             "reason": "迟到的拒绝"}).status_code == 409


@pytest.mark.postgres_only
def test_two_approvals_at_the_same_moment_one_wins_the_other_409(app, world):
    from accounts.models import User
    from accounts.services import issue_api_token
    from core.extensions import db
    from deadlines.models import ExtensionRequest

    rounds = []
    for _ in range(5):
        _complaint, _referral, a1 = a1_of(app, world)
        made = ok(world.api("amr_city").post(urls(a1)[0], json=ask(a1.due_at + dt.timedelta(days=2))), 201)
        rounds.append((a1, made))
    with app.app_context():
        head = db.session.get(User, world.users["amr_city_head"]["id"])
        tokens = [issue_api_token(head)[0] for _ in range(2)]
        db.session.commit()
    clients = [ApiClient(app.test_client(), token) for token in tokens]
    results = [[None, None] for _ in rounds]

    def run(who, barrier):
        for i, (a1, made) in enumerate(rounds):
            barrier.wait(timeout=30)
            body = {"decision": "approve"} if who == 0 else {"decision": "refuse", "reason": "同时拒绝"}
            results[i][who] = clients[who].post(urls(a1)[1], json={**body, "request_id": made["id"]}).status_code

    run_together(run, (0, 1))
    for (a1, made), statuses in zip(rounds, results):
        assert sorted(statuses) == [200, 409], statuses
        with app.app_context():
            state = db.session.get(ExtensionRequest, uuid.UUID(made["id"])).state.value
        moved = deadline(app, a1.subject_id, "A1").due_at != a1.due_at
        assert moved == (state == "approved") and (statuses[0] == 200) == (state == "approved")


# --- pages -----------------------------------------------------------------------------------------

def test_the_officer_asks_on_a_page_and_the_head_decides_from_the_decisions_list(app, world):
    complaint, referral, a1 = a1_of(app, world)
    officer = Browser(app, world.users["amr_city"])
    html = officer.get(f"/agency/referrals/{referral['id']}")
    assert "extension-link" in ids_of(html)
    page = f"/deadlines/{a1.public_id}/extension"
    action = f"/deadlines/{a1.public_id}/extension-requests"
    response = officer.submit(page, action, status=422, requested_due_at="2020-01-01", reason="需要鉴定")
    assert field_errors(response.get_data(as_text=True), "requested_due_at")
    wanted = (a1.due_at + dt.timedelta(days=5)).astimezone(dt.timezone(dt.timedelta(hours=8))).date()
    officer.submit(page, action, requested_due_at=wanted.isoformat(), reason="需要鉴定")
    html = officer.get(page)
    assert "request" not in ids_of(html) and "decide" not in ids_of(html)  # one waits; not theirs to decide

    head = Browser(app, world.users["amr_city_head"])
    start = head.client.get("/")
    assert start.status_code == 302 and start.headers["Location"].endswith("/decisions")
    decisions = head.get("/decisions")
    assert "nav-decisions" in ids_of(decisions) and "decide-extension" in ids_of(decisions)
    assert "decisions-transfers" in ids_of(decisions)  # routing's section, registered from routing
    response = head.submit(page, f"/deadlines/{a1.public_id}/extension-decision", status=422, decision="refuse")
    assert field_errors(response.get_data(as_text=True), "reason")
    head.submit(page, f"/deadlines/{a1.public_id}/extension-decision", decision="approve")
    moved = deadline(app, a1.subject_id, "A1")
    assert moved.due_at.astimezone(dt.timezone(dt.timedelta(hours=8))).date() == wanted
    assert "decide-extension" not in ids_of(head.get("/decisions"))
    # officers and clerks have no decisions page
    officer.get("/decisions", status=404)
    Browser(app, world.users["clerk"]).get("/decisions", status=404)
    supervisor = Browser(app, world.users["supervisor"])
    assert supervisor.client.get("/").headers["Location"].endswith("/centre/queue")  # lands on the queue
    assert "decisions-extensions" in ids_of(supervisor.get("/decisions"))
    assert complaint["reference"]
