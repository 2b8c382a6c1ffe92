"""Bad input: each gets a clear 4xx and changes nothing (state, version, referrals, timeline, notes)."""
import datetime as dt
import uuid

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from core.extensions import db
from tests.routing.support import (CUSTOMER_LIST, DUE_DATE, accepted, acknowledge_and_accept, complaint_transition,
                                   create_referrals, item, ok, refer, referral_transition, snapshot, submit, approve_transfer)


def unchanged(app, complaint_id, send, status, code=None, field=None):
    """Send the request: ``status`` (with ``code`` / naming ``field``) and nothing changed."""
    before = snapshot(app, complaint_id)
    response = send()
    body = response.get_json()
    assert response.status_code == status, body
    assert body["status"] == status
    if code:
        assert body["code"] == code, body
    if field:
        assert field in body["errors"], body
    assert snapshot(app, complaint_id) == before
    return body


def triaging(world, data=None):
    complaint = submit(world, data, files=0)
    return ok(complaint_transition(world.api("clerk"), complaint["id"], "claim"))


# --- triggers in the wrong state, or by the wrong organisation ------------------------------------

def test_complaint_triggers_in_the_wrong_state(app, world):
    complaint = submit(world, files=0)
    cid, clerk = complaint["id"], world.api("clerk")
    body = unchanged(app, cid, lambda: complaint_transition(clerk, cid, "accept"), 409, "conflict")
    assert (body["state"], body["trigger"], body["allowed_triggers"]) == ("submitted", "accept", ["claim"])
    for trigger, fields in (("reject", {"message": "m", "reason_code": "duplicate"}), ("close", {"message": "m"})):
        body = unchanged(app, cid, lambda: complaint_transition(clerk, cid, trigger, **fields), 409, "conflict")
        assert body["allowed_triggers"] == ["claim"]
    ok(complaint_transition(clerk, cid, "claim"))
    body = unchanged(app, cid, lambda: complaint_transition(clerk, cid, "claim"), 409)
    assert body["allowed_triggers"] == ["request_info", "accept", "reject"]
    # a trigger nobody may fire by hand, or one that does not exist: refused by the schema
    for trigger in ("refer", "conclude", "submit", "fly"):
        unchanged(app, cid, lambda: complaint_transition(clerk, cid, trigger), 422, field="trigger")
    # the enterprise sees its complaint but is no clerk
    body = unchanged(app, cid, lambda: complaint_transition(world.api("enterprise"), cid, "accept"), 409)
    assert body["allowed_triggers"] == ["withdraw"]
    # referrals need an accepted complaint
    body = unchanged(app, cid, lambda: create_referrals(world, cid, item(world, "police", "criminal")), 409)
    assert body["allowed_triggers"] == ["request_info", "accept", "reject"]


def test_complaint_triggers_by_the_wrong_organisation(app, world):
    complaint = triaging(world)
    cid = complaint["id"]
    for who in ("other_clerk", "police", "other_enterprise"):
        api = world.api(who)
        unchanged(app, cid, lambda: complaint_transition(api, cid, "accept"), 404, "not_found")
        unchanged(app, cid, lambda: api.post(f"/api/v1/complaints/{cid}/supplements", json={"text": "x"}), 404)
    # the supervisor sees every centre's complaints but triages none
    body = unchanged(app, cid, lambda: complaint_transition(world.api("supervisor"), cid, "accept"), 409)
    assert body["allowed_triggers"] == []
    ok(complaint_transition(world.api("clerk"), cid, "accept"))
    for who in ("other_clerk", "police"):
        unchanged(app, cid, lambda: create_referrals(world, cid, item(world, "police", "criminal"), who=who), 404)
    for who in ("supervisor", "enterprise"):
        unchanged(app, cid, lambda: create_referrals(world, cid, item(world, "police", "criminal"), who=who), 409)


def test_referral_triggers_in_the_wrong_state_or_by_the_wrong_organisation(app, world):
    complaint = accepted(world)
    cid = complaint["id"]
    referral = refer(world, cid, "police", "criminal")
    rid, police, clerk = referral["id"], world.api("police"), world.api("clerk")

    body = unchanged(app, cid, lambda: referral_transition(police, rid, "accept", case_number="1"), 409, "conflict")
    assert (body["state"], body["allowed_triggers"]) == ("sent", ["acknowledge", "return"])
    unchanged(app, cid, lambda: referral_transition(police, rid, "conclude", outcome={"result": "prosecuted"}), 409)
    unchanged(app, cid, lambda: referral_transition(police, rid, "request_supervision", reason="x"), 409)
    unchanged(app, cid, lambda: referral_transition(police, rid, "teleport"), 422, field="trigger")
    # the centre sees the referral but is not the agency
    body = unchanged(app, cid, lambda: referral_transition(clerk, rid, "acknowledge", officer_name="张"), 409)
    assert body["allowed_triggers"] == ["supplement"]  # the centre may only send further evidence
    # the enterprise sees it too, and may do nothing with it
    body = unchanged(app, cid, lambda: referral_transition(world.api("enterprise"), rid, "return",
                                                           return_reason="other", reason="x"), 409)
    assert body["allowed_triggers"] == []
    # another agency does not even see it
    for who in ("police_pudong", "amr_city", "court", "other_clerk"):
        unchanged(app, cid, lambda: referral_transition(world.api(who), rid, "acknowledge", officer_name="张"), 404)

    acknowledge_and_accept(world, rid, "police")
    unchanged(app, cid, lambda: referral_transition(police, rid, "acknowledge", officer_name="郑刚"), 409)
    unchanged(app, cid, lambda: referral_transition(police, rid, "decline", reason="x"), 409)
    ok(referral_transition(police, rid, "conclude", outcome={"result": "sent_for_prosecution"}))
    body = unchanged(app, cid, lambda: referral_transition(police, rid, "transfer", reason="x"), 409)
    assert (body["state"], body["allowed_triggers"]) == ("concluded", [])


def test_guards_on_transfer_and_supervision(app, world):
    complaint = accepted(world, CUSTOMER_LIST)
    cid = complaint["id"]
    civil, administrative = ok(create_referrals(world, cid, item(world, "court", "civil"),
                                                item(world, "amr_city", "administrative")), 201)
    acknowledge_and_accept(world, civil["id"], "court")
    # a civil case is not transferred between tracks
    unchanged(app, cid, lambda: referral_transition(world.api("court"), civil["id"], "transfer", reason="x"),
              422, field="trigger")
    # only a declined criminal referral to public security goes to filing supervision
    amr = world.api("amr_city")
    ok(referral_transition(amr, administrative["id"], "acknowledge", officer_name="刘洋"))
    ok(referral_transition(amr, administrative["id"], "decline", reason="不构成违法。"))
    unchanged(app, cid, lambda: referral_transition(world.api("clerk"), administrative["id"], "request_supervision",
                                                    reason="申请监督。"), 422, field="trigger")


# --- missing reasons or amounts --------------------------------------------------------------------

COMPLAINT_CASES = [
    ("request_info", {"due_date": DUE_DATE}, "message"),  # the machine's reason, by its field
    ("request_info", {"message": "  ", "due_date": DUE_DATE}, "message"),
    ("request_info", {"message": "请补充。"}, "due_date"),
    ("request_info", {"message": "请补充。", "due_date": "next week"}, "due_date"),
    ("reject", {"message": "不予受理。"}, "reason_code"),
    ("reject", {"reason_code": "duplicate"}, "message"),
    ("reject", {"reason_code": "duplicate", "message": ""}, "message"),
    ("claim", {"message": "x"}, "message"),  # a field the trigger does not take
    ("accept", {"message": "x", "state": "accepted"}, "state"),  # no mass assignment
]


def test_complaint_triggers_with_missing_fields(app, world):
    cid = triaging(world)["id"]
    for trigger, body, field in COMPLAINT_CASES:
        unchanged(app, cid, lambda: complaint_transition(world.api("clerk"), cid, trigger, **body), 422,
                  "validation_error", field)


def test_withdrawal_needs_a_reason(app, world):
    cid = triaging(world)["id"]
    api = world.api("enterprise")
    for body in ({}, {"reason": ""}, {"reason": "   "}):
        unchanged(app, cid, lambda: api.post(f"/api/v1/complaints/{cid}/withdraw", json=body), 422, field="reason")


SENT_REFERRAL_CASES = [
    ("acknowledge", {}, "officer_name"),
    ("acknowledge", {"officer_name": ""}, "officer_name"),
    ("return", {"reason": "不属管辖。"}, "return_reason"),
    ("return", {"return_reason": "wrong_jurisdiction"}, "reason"),
    ("return", {"return_reason": "wrong_jurisdiction", "reason": "x", "outcome": {"result": 1}}, "outcome"),
    ("acknowledge", {"officer_name": "郑刚", "case_number": "1"}, "case_number"),  # not the acknowledgement's
]


def test_referral_triggers_on_a_sent_referral_with_missing_fields(app, world):
    cid = accepted(world)["id"]
    rid = refer(world, cid, "police", "criminal")["id"]
    for trigger, body, field in SENT_REFERRAL_CASES:
        unchanged(app, cid, lambda: referral_transition(world.api("police"), rid, trigger, **body), 422,
                  "validation_error", field)


PENALTY = {"result": "penalty_decision", "decision_number": "沪市监罚〔2026〕1号"}
ACCEPTED_REFERRAL_CASES = [
    ("conclude", {}, "outcome"),
    ("conclude", {"outcome": {}}, "outcome.result"),
    ("conclude", {"outcome": {"result": "penalty_decision"}}, "outcome.decision_number"),
    ("conclude", {"outcome": {**PENALTY, "fine_amount": "-100"}}, "outcome.fine_amount"),
    ("conclude", {"outcome": {**PENALTY, "confiscation_amount": "-0.01"}}, "outcome.confiscation_amount"),
    ("conclude", {"outcome": {**PENALTY, "fine_amount": True}}, "outcome.fine_amount"),
    ("conclude", {"outcome": {**PENALTY, "fine_amount": "10000000000000"}}, "outcome.fine_amount"),
    ("conclude", {"outcome": {**PENALTY, "state": "x"}}, "outcome.state"),
    ("transfer", {}, "reason"),
    ("transfer", {"reason": "涉嫌犯罪。", "to_agency_id": "not-a-uuid"}, "to_agency_id"),
]


def test_referral_triggers_on_an_accepted_administrative_referral_with_missing_fields(app, world):
    cid = accepted(world, CUSTOMER_LIST)["id"]
    rid = refer(world, cid, "amr_city", "administrative")["id"]
    acknowledge_and_accept(world, rid, "amr_city")
    for trigger, body, field in ACCEPTED_REFERRAL_CASES:
        unchanged(app, cid, lambda: referral_transition(world.api("amr_city"), rid, trigger, **body), 422,
                  "validation_error", field)


def test_a_transfer_to_an_agency_of_the_wrong_kind_is_refused(app, world):
    cid = accepted(world, CUSTOMER_LIST)["id"]
    rid = refer(world, cid, "amr_city", "administrative")["id"]
    acknowledge_and_accept(world, rid, "amr_city")
    approve_transfer(world, rid)
    for target in ("amr_putuo", "court", "procuratorate", "centre", "enterprise"):
        unchanged(app, cid, lambda: referral_transition(world.api("amr_city"), rid, "transfer", reason="涉嫌犯罪。",
                                                        to_agency_id=world.org(target)), 422, field="to_agency_id")
    unchanged(app, cid, lambda: referral_transition(world.api("amr_city"), rid, "transfer", reason="涉嫌犯罪。",
                                                    to_agency_id=str(uuid.uuid4())), 422, field="to_agency_id")


# --- stale versions --------------------------------------------------------------------------------

def test_a_stale_complaint_version_is_refused(app, world):
    complaint = submit(world, files=0)
    cid, clerk = complaint["id"], world.api("clerk")
    read = complaint["version"]
    claimed = complaint_transition(clerk, cid, "claim", headers={"If-Match": f'"{read}"'})
    assert claimed.status_code == 200, claimed.get_json()
    assert claimed.headers["ETag"] == f'"{claimed.get_json()["version"]}"'
    assert claimed.get_json()["version"] > read

    # a stale If-Match is a failed precondition (412); the API takes no version field (422), none at all is 428
    unchanged(app, cid, lambda: complaint_transition(clerk, cid, "accept", headers={"If-Match": f'"{read}"'}), 412,
              "stale_version")
    unchanged(app, cid, lambda: complaint_transition(clerk, cid, "accept", headers={"If-Match": f'W/"{read}"'}), 412,
              "stale_version")
    unchanged(app, cid, lambda: complaint_transition(clerk, cid, "accept", version=read), 422, field="version")
    unchanged(app, cid, lambda: complaint_transition(clerk, cid, "accept", headers={"If-Match": None}), 428,
              "precondition_required")
    unchanged(app, cid, lambda: complaint_transition(clerk, cid, "accept", headers={"If-Match": '"abc"'}), 422,
              field="If-Match")
    current = claimed.get_json()["version"]
    accepted_ = ok(complaint_transition(clerk, cid, "accept", headers={"If-Match": f'"{current}"'}))
    assert accepted_["state"] == "accepted"

    # referrals: the complaint's version, too
    unchanged(app, cid, lambda: create_referrals(world, cid, item(world, "police", "criminal"), version=current),
              422, field="version")
    unchanged(app, cid, lambda: create_referrals(world, cid, item(world, "police", "criminal"),
                                                 headers={"If-Match": f'"{current}"'}), 412, "stale_version")
    created = create_referrals(world, cid, item(world, "police", "criminal"),
                               headers={"If-Match": f'"{accepted_["version"]}"'})
    assert created.status_code == 201, created.get_json()

    # the enterprise's withdrawal takes the version it read as well (If-Match; a query argument is not read)
    api = world.api("enterprise")
    unchanged(app, cid, lambda: api.post(f"/api/v1/complaints/{cid}/withdraw", json={"reason": "x"},
                                         headers={"If-Match": f'"{current}"'}), 412, "stale_version")
    unchanged(app, cid, lambda: api.post(f"/api/v1/complaints/{cid}/withdraw?version={current}", json={"reason": "x"},
                                         headers={"If-Match": None}), 428, "precondition_required")


def test_the_version_a_change_answers_is_the_version_stored(app, world):
    """A client that sends back the version (or ETag) it was just given is never told it is stale."""
    complaint = submit(world, files=0)
    cid, clerk = complaint["id"], world.api("clerk")
    assert ok(clerk.get(f"/api/v1/complaints/{cid}"))["version"] == complaint["version"] == snapshot(app, cid)["version"]
    for trigger in ("claim", "accept"):
        response = complaint_transition(clerk, cid, trigger)
        body = ok(response)
        assert body["version"] == snapshot(app, cid)["version"], trigger
        assert response.headers["ETag"] == f'"{body["version"]}"'
    referral = ok(create_referrals(world, cid, item(world, "police", "criminal"),
                                   headers={"If-Match": response.headers["ETag"]}), 201)[0]
    police = world.api("police")
    for trigger, extra in (("acknowledge", {"officer_name": "郑刚"}), ("accept", {"case_number": "1"})):
        response = referral_transition(police, referral["id"], trigger, headers={"If-Match": f'"{referral["version"]}"'},
                                       **extra)
        referral = ok(response)
        assert response.headers["ETag"] == f'"{referral["version"]}"'
        assert ok(police.get(f"/api/v1/referrals/{referral['id']}"))["version"] == referral["version"], trigger


def test_a_stale_referral_version_is_refused(app, world):
    cid = accepted(world)["id"]
    rid = refer(world, cid, "police", "criminal")["id"]
    police = world.api("police")
    read = police.get(f"/api/v1/referrals/{rid}")
    etag = read.headers["ETag"]
    assert etag == f'"{read.get_json()["version"]}"'
    acknowledged = referral_transition(police, rid, "acknowledge", officer_name="郑刚", headers={"If-Match": etag})
    assert acknowledged.status_code == 200, acknowledged.get_json()
    assert acknowledged.headers["ETag"] != etag

    unchanged(app, cid, lambda: referral_transition(police, rid, "accept", case_number="1", headers={"If-Match": etag}),
              412, "stale_version")
    unchanged(app, cid, lambda: referral_transition(police, rid, "accept", case_number="1",
                                                    version=read.get_json()["version"]), 422, field="version")
    ok(referral_transition(police, rid, "accept", case_number="1", headers={"If-Match": acknowledged.headers["ETag"]}))


def test_a_stale_consultation_version_is_refused(app, world):
    cid = accepted(world)["id"]
    consultation = ok(world.api("clerk").post(f"/api/v1/complaints/{cid}/consultations", json={
        "questions": ["是否构成商业秘密？"], "agency_ids": [world.org("police")],
        "opinion_due_at": (dt.datetime.now(dt.UTC) + dt.timedelta(days=3)).isoformat()}), 201)
    kid, version = consultation["id"], consultation["version"]
    url = f"/api/v1/consultations/{kid}/transitions"
    clerk = world.api("clerk")
    ok(clerk.post(url, json={"trigger": "request_opinions"}, headers={"If-Match": f'"{version}"'}))
    unchanged(app, cid, lambda: clerk.post(url, json={"trigger": "record_minutes", "minutes": "m", "conclusion": "c"},
                                           headers={"If-Match": f'"{version}"'}), 412, "stale_version")
    unchanged(app, cid, lambda: clerk.post(url, json={"trigger": "record_minutes", "minutes": "m", "conclusion": "c",
                                                      "version": version}), 422, field="version")


# --- referrals to the wrong agency, or twice to the same one ---------------------------------------

WRONG_KINDS = [("court", "criminal"), ("amr_city", "criminal"), ("police", "administrative"),
               ("court", "administrative"), ("procuratorate", "administrative"), ("police", "civil"),
               ("amr_city", "civil"), ("centre", "criminal"), ("enterprise", "civil"), ("supervisor_office", "civil")]


def test_a_referral_to_an_agency_of_the_wrong_kind(app, world):
    cid = accepted(world)["id"]
    for agency, track in WRONG_KINDS:
        unchanged(app, cid, lambda: create_referrals(world, cid, item(world, agency, track)), 422, "validation_error",
                  "referrals.0.agency_id")


def test_one_bad_item_refuses_the_whole_routing_decision(app, world):
    cid = accepted(world)["id"]
    body = unchanged(app, cid, lambda: create_referrals(world, cid, item(world, "police", "criminal"),
                                                        item(world, "police", "civil")), 422)
    assert list(body["errors"]) == ["referrals.1.agency_id"]
    body = unchanged(app, cid, lambda: world.api("clerk").post(f"/api/v1/complaints/{cid}/referrals", json={
        "referrals": [{"agency_id": str(uuid.uuid4()), "track": "criminal"}]}), 422)
    assert "referrals.0.agency_id" in body["errors"]
    unchanged(app, cid, lambda: world.api("clerk").post(f"/api/v1/complaints/{cid}/referrals",
                                                        json={"referrals": []}), 422, field="referrals")
    unchanged(app, cid, lambda: world.api("clerk").post(f"/api/v1/complaints/{cid}/referrals", json={
        "referrals": [{"agency_id": world.org("police"), "track": "martial"}]}), 422, field="referrals.0.track")


def test_a_second_active_referral_to_the_same_agency(app, world):
    cid = accepted(world)["id"]
    refer(world, cid, "police", "criminal")
    body = unchanged(app, cid, lambda: create_referrals(world, cid, item(world, "police", "criminal")), 409, "conflict")
    assert "上海市公安局经济犯罪侦查总队" in body["message"]
    # the same agency twice in one request
    unchanged(app, cid, lambda: create_referrals(world, cid, item(world, "court", "civil"),
                                                 item(world, "court", "civil")), 409, "conflict")
    # nor by way of a referral that is still open elsewhere in the request
    unchanged(app, cid, lambda: create_referrals(world, cid, item(world, "court", "civil"),
                                                 item(world, "police", "criminal")), 409, "conflict")


def test_the_database_allows_one_active_referral_per_complaint_and_agency(app, world):
    """The partial unique index holds even for writes that bypass the services."""
    from accounts.models import User
    from intake.enums import Track
    from routing.enums import ReferralState as R, ReturnReason
    from routing.models import Referral

    cid = accepted(world)["id"]
    first = refer(world, cid, "police", "criminal")

    def insert(letter, state, **extra):
        with app.app_context():
            db.session.add(Referral(complaint_id=uuid.UUID(cid), agency_id=uuid.UUID(world.org("police")),
                                    track=Track.criminal, state=state, letter_number=letter,
                                    sent_by=db.session.get(User, world.users["clerk"]["id"]), **extra))
            db.session.commit()

    for state, extra in ((R.sent, {}), (R.acknowledged, {"acknowledged_by_name": "郑刚"}),
                         (R.accepted, {"acknowledged_by_name": "郑刚", "agency_case_number": "1"})):
        with pytest.raises(IntegrityError):
            insert(f"X-{state.value}", state, **extra)
    # an inactive one beside it is fine (a returned referral may be sent again)
    insert("X-returned", R.returned, acknowledged_by_name="郑刚", return_reason=ReturnReason.wrong_jurisdiction)
    with app.app_context():
        rows = db.session.scalars(select(Referral).where(Referral.complaint_id == uuid.UUID(cid))).all()
        assert sorted((str(r.id) == first["id"], r.state.value) for r in rows) == [(False, "returned"), (True, "sent")]
