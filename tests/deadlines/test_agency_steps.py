"""Order 310's and the Criminal Procedure Law's clocks (T1, T2, T5, P1, P2), run by steps of the agencies."""
import uuid

import pytest
from sqlalchemy import select

from tests.conftest import ApiClient
from tests.routing.conftest import world  # noqa: F401  (the fixture)
from tests.routing.support import (approve_transfer, complaint_transition, ok, refer, referral_transition, submit)

pytestmark = pytest.mark.config(API_TOKEN_LIFETIME_SECONDS=365 * 86400)


def clocks(app, referral_id):
    """{rule: state} of the deadlines whose subject is the referral."""
    from core.extensions import db
    from deadlines.models import Deadline

    with app.app_context():
        rows = db.session.scalars(select(Deadline).where(Deadline.subject_type == "referral",
                                                         Deadline.subject_id == uuid.UUID(referral_id)))
        return {d.rule_code: (d.state.value, str(d.responsible_org_id)) for d in rows}


def step(api, referral_id, name, reason="依法处理。", status=200):
    return ok(api.post(f"/api/v1/referrals/{referral_id}/steps", json={"step": name, "reason": reason}), status)


def test_transfer_reconsideration_and_filing_supervision_run_their_clocks(app, world, create_user, api_login):
    head = api_login(create_user("agency_head", org_id=world.orgs["amr_city"]))
    amr, police, procuratorate, clerk = (world.api(k) for k in ("amr_city", "police", "procuratorate", "clerk"))
    complaint = submit(world)
    ok(complaint_transition(clerk, complaint["id"], "claim"))
    ok(complaint_transition(clerk, complaint["id"], "accept"))
    admin_referral = refer(world, complaint["id"], "amr_city", "administrative")["id"]
    ok(referral_transition(amr, admin_referral, "acknowledge", officer_name="刘洋"))
    opened = ok(referral_transition(amr, admin_referral, "accept", case_number="沪市监案〔2026〕9号"))
    assert opened["allowed_steps"] == ["report_suspected_crime"]

    # T1: the officer reports a suspected crime; only the head decides; then T2 until the transfer
    assert amr.post(f"/api/v1/referrals/{admin_referral}/steps", json={"step": "report_suspected_crime"}
                    ).status_code == 422  # a reason is required
    step(amr, admin_referral, "report_suspected_crime", "涉案金额已超过立案标准。")
    assert clocks(app, admin_referral)["T1"] == ("open", world.org("amr_city"))
    refused = amr.post(f"/api/v1/referrals/{admin_referral}/steps", json={"step": "approve_transfer"})
    assert refused.status_code == 409 and "approve_transfer" not in refused.get_json()["allowed_steps"]
    assert set(step(head, admin_referral, "approve_transfer")["allowed_steps"]) == set()
    assert clocks(app, admin_referral)["T1"][0] == "met" and clocks(app, admin_referral)["T2"][0] == "open"
    child = ok(referral_transition(amr, admin_referral, "transfer", reason="涉嫌犯罪，移送公安。",
                                   to_agency_id=world.org("police")))["id"]
    assert clocks(app, admin_referral)["T2"][0] == "met"

    # T5: the police decline; the transferring agency asks them to reconsider; they answer
    ok(referral_transition(police, child, "acknowledge", officer_name="郑刚"))
    ok(referral_transition(police, child, "decline", reason="证据不足。"))
    assert police.post(f"/api/v1/referrals/{child}/steps", json={"step": "request_reconsideration",
                                                                  "reason": "x"}).status_code == 409
    step(amr, child, "request_reconsideration", "请复议。")
    assert clocks(app, child)["T5"] == ("open", world.org("police"))
    step(police, child, "answer_reconsideration", "维持不予立案决定。")
    assert clocks(app, child)["T5"][0] == "met"

    # P1, P2: filing supervision by the procuratorate
    supervision = ok(referral_transition(clerk, child, "request_supervision", reason="申请立案监督。"))["id"]
    ok(referral_transition(procuratorate, supervision, "acknowledge", officer_name="冯蕾"))
    assert clocks(app, child)["P1"] == ("open", world.org("police"))
    step(police, child, "explain_non_filing", "说明不立案理由。")
    assert clocks(app, child)["P1"][0] == "met"
    step(procuratorate, supervision, "notify_to_file", "理由不成立，通知立案。")
    assert clocks(app, child)["P2"] == ("open", world.org("police"))
    filed = ok(referral_transition(police, child, "file_after_notice", case_number="沪公经立〔2026〕5号"))
    assert filed["state"] == "accepted" and clocks(app, child)["P2"][0] == "met"


def test_a_step_of_another_agency_is_refused_and_changes_nothing(app, world):
    complaint = submit(world)
    clerk = world.api("clerk")
    ok(complaint_transition(clerk, complaint["id"], "claim"))
    ok(complaint_transition(clerk, complaint["id"], "accept"))
    referral = refer(world, complaint["id"], "amr_city", "administrative")["id"]
    assert world.api("police").post(f"/api/v1/referrals/{referral}/steps", json={
        "step": "report_suspected_crime", "reason": "x"}).status_code == 404
    too_early = world.api("amr_city").post(f"/api/v1/referrals/{referral}/steps", json={
        "step": "report_suspected_crime", "reason": "x"})
    assert too_early.status_code == 409 and too_early.get_json()["allowed_steps"] == []
    assert world.api("amr_city").post(f"/api/v1/referrals/{referral}/steps", json={
        "step": "fly_to_the_moon"}).status_code == 422
    assert set(clocks(app, referral)) == {"Q4"}


def test_the_transferring_agency_sees_its_transfer_but_not_in_its_inbox(app, world):
    complaint = submit(world)
    clerk, amr = world.api("clerk"), world.api("amr_city")
    ok(complaint_transition(clerk, complaint["id"], "claim"))
    ok(complaint_transition(clerk, complaint["id"], "accept"))
    referral = refer(world, complaint["id"], "amr_city", "administrative")["id"]
    ok(referral_transition(amr, referral, "acknowledge", officer_name="刘洋"))
    ok(referral_transition(amr, referral, "accept", case_number="1"))
    approve_transfer(world, referral)
    child = ok(referral_transition(amr, referral, "transfer", reason="移送。"))["id"]
    assert ok(amr.get(f"/api/v1/referrals/{child}"))["agency"]["kind"] == "public_security"
    assert child not in [r["id"] for r in ok(amr.get("/api/v1/referrals"))["items"]]
    assert world.api("amr_putuo").get(f"/api/v1/referrals/{child}").status_code == 404
