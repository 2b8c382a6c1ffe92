"""Appraisals (鉴定, issue 8 point 12): requested and returned in the agency portal and over the API; they
pause the decision clock of an acknowledged referral (A1, the police's T4) and the opened case's clock
(A2), which the SAMR procedure rules exclude from the handling period. The button shows exactly when
the action would succeed (routing.appraisals.appraisal_actions)."""
import datetime as dt
import uuid
from zoneinfo import ZoneInfo

import pytest
import time_machine
from sqlalchemy import select

from tests.agencies.web import Browser, ids_of
from tests.routing.support import accepted, ok, refer, referral_transition

SH = ZoneInfo("Asia/Shanghai")
pytestmark = pytest.mark.config(API_TOKEN_LIFETIME_SECONDS=365 * 86400)


def clock(app, referral_id, code):
    from core.extensions import db
    from deadlines.models import Deadline

    with app.app_context():
        row = db.session.scalar(select(Deadline).where(Deadline.subject_id == uuid.UUID(referral_id),
                                                       Deadline.rule_code == code))
        db.session.expunge(row)
        return row


def appraisal(world, who, referral_id, action, note=None):
    body = {"action": action, **({"note": note} if note else {})}
    return world.api(who).post(f"/api/v1/referrals/{referral_id}/appraisal", json=body)


def test_the_service_pauses_a1_then_a2_and_the_predicate_follows(app, world):
    from accounts.models import User
    from core.extensions import db
    from routing.appraisals import appraisal_actions, record_appraisal
    from routing.models import Referral

    complaint = accepted(world)
    rid = refer(world, complaint["id"], "amr_city", "administrative")["id"]
    with app.app_context():
        officer = db.session.get(User, world.users["amr_city"]["id"])
        referral = db.session.get(Referral, uuid.UUID(rid))
        assert appraisal_actions(officer, referral) == []  # sent: no decision clock runs yet
    ok(referral_transition(world.api("amr_city"), rid, "acknowledge", officer_name="刘洋"))
    with app.app_context():
        officer = db.session.get(User, world.users["amr_city"]["id"])
        police = db.session.get(User, world.users["police"]["id"])
        referral = db.session.get(Referral, uuid.UUID(rid))
        assert appraisal_actions(officer, referral) == ["requested"]
        assert appraisal_actions(police, referral) == []
        record_appraisal(officer, referral, "requested", "委托司法鉴定")
        assert appraisal_actions(officer, referral) == ["returned"]
        db.session.commit()
    assert clock(app, rid, "A1").paused_at is not None
    with app.app_context():  # a paused clock does not order the inbox
        assert db.session.get(Referral, uuid.UUID(rid)).agency_due_at is None


def test_over_the_api_an_appraisal_pauses_a1_and_a2_and_moves_their_due_times(app, world):
    with time_machine.travel(dt.datetime(2026, 11, 30, 9, 0, tzinfo=SH), tick=False):  # a Monday
        complaint = accepted(world)
        rid = refer(world, complaint["id"], "amr_city", "administrative")["id"]
        ok(referral_transition(world.api("amr_city"), rid, "acknowledge", officer_name="刘洋"))
    a1 = clock(app, rid, "A1")
    with time_machine.travel(dt.datetime(2026, 12, 1, 9, 0, tzinfo=SH), tick=False):
        running = ok(appraisal(world, "amr_city", rid, "requested", "委托司法鉴定"))
        assert [d["paused"] for d in running if d["rule_code"] == "A1"] == [True]
        assert appraisal(world, "amr_city", rid, "requested").status_code == 409
    with time_machine.travel(dt.datetime(2026, 12, 4, 9, 0, tzinfo=SH), tick=False):  # 1–3 Dec paused
        ok(appraisal(world, "amr_city", rid, "returned"))
        assert appraisal(world, "amr_city", rid, "returned").status_code == 409
    assert clock(app, rid, "A1").due_at > a1.due_at and clock(app, rid, "A1").paused_at is None

    with time_machine.travel(dt.datetime(2026, 12, 7, 9, 0, tzinfo=SH), tick=False):
        ok(referral_transition(world.api("amr_city"), rid, "accept", case_number="沪市监案〔2026〕3号"))
    a2 = clock(app, rid, "A2")
    with time_machine.travel(dt.datetime(2026, 12, 8, 9, 0, tzinfo=SH), tick=False):
        ok(appraisal(world, "amr_city_head", rid, "requested"))  # the head may record it too
        referral = ok(world.api("amr_city").get(f"/api/v1/referrals/{rid}"))
        assert referral["agency_due_at"] is None
    assert clock(app, rid, "A2").paused_at is not None
    with time_machine.travel(dt.datetime(2026, 12, 18, 9, 0, tzinfo=SH), tick=False):  # 10 calendar days
        ok(appraisal(world, "amr_city", rid, "returned"))
    assert clock(app, rid, "A2").due_at == a2.due_at + dt.timedelta(days=10)


def test_the_police_decision_clock_t4_pauses_and_the_courts_has_no_appraisal(app, world):
    complaint = accepted(world)
    police = refer(world, complaint["id"], "police", "criminal")["id"]
    ok(referral_transition(world.api("police"), police, "acknowledge", officer_name="郑刚"))
    ok(appraisal(world, "police", police, "requested"))
    assert clock(app, police, "T4").paused_at is not None
    court = refer(world, complaint["id"], "court", "civil")["id"]
    ok(referral_transition(world.api("court"), court, "acknowledge", officer_name="王法官"))
    refused = appraisal(world, "court", court, "requested")
    assert refused.status_code == 409 and refused.get_json()["allowed_actions"] == []


def test_other_agencies_get_404_and_wrong_states_409(app, world):
    complaint = accepted(world)
    rid = refer(world, complaint["id"], "amr_city", "administrative")["id"]
    assert appraisal(world, "amr_city", rid, "requested").status_code == 409  # sent: nothing to pause
    ok(referral_transition(world.api("amr_city"), rid, "acknowledge", officer_name="刘洋"))
    for key in ("amr_putuo", "police", "clerk", "supervisor", "enterprise", "other_enterprise"):
        assert appraisal(world, key, rid, "requested").status_code == 404, key
    assert appraisal(world, "amr_city", rid, "returned").status_code == 409  # none under way
    # the API says what may be recorded now, as the page's button does
    assert ok(world.api("amr_city").get(f"/api/v1/referrals/{rid}"))["allowed_appraisal_actions"] == ["requested"]
    ok(appraisal(world, "amr_city", rid, "requested"))
    assert ok(world.api("amr_city").get(f"/api/v1/referrals/{rid}"))["allowed_appraisal_actions"] == ["returned"]
    ok(appraisal(world, "amr_city", rid, "returned"))
    bad = world.api("amr_city").post(f"/api/v1/referrals/{rid}/appraisal", json={"action": "paused"})
    assert bad.status_code == 422 and "action" in bad.get_json()["errors"]
    assert clock(app, rid, "A1").paused_at is None


def test_the_portal_shows_the_button_exactly_when_the_action_would_succeed(app, world):
    complaint = accepted(world)
    rid = refer(world, complaint["id"], "amr_city", "administrative")["id"]
    officer = Browser(app, world.users["amr_city"])
    page = f"/agency/referrals/{rid}"
    action = f"/agency/referrals/{rid}/appraisal"
    assert "appraisal" not in ids_of(officer.get(page))  # sent
    ok(referral_transition(world.api("amr_city"), rid, "acknowledge", officer_name="刘洋"))
    html = officer.get(page)
    assert "appraisal-requested" in ids_of(html) and "appraisal-returned" not in ids_of(html)
    officer.submit(page, action, note="委托鉴定机构鉴定")
    assert clock(app, rid, "A1").paused_at is not None
    html = officer.get(page)
    assert "appraisal-returned" in ids_of(html) and "appraisal-requested" not in ids_of(html)
    # posting the old form again: refused, the page says so
    response = officer.client.post(action, data={"csrf_token": officer.form(page, action).fields["csrf_token"],
                                                 "action": "requested"})
    assert response.status_code == 409
    officer.submit(page, action)
    assert clock(app, rid, "A1").paused_at is None
