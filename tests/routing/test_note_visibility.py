"""Issue 7, finding 2: internal notes, key-case instructions and reports never cross to someone who may
not read them (docs/AUTHORIZATION.md), through the API, the pages and the notifications."""
import json
import uuid

import pytest
from sqlalchemy import select

from tests.accounts.web import web_login
from tests.routing.support import (accepted, approve_transfer, evidence_ids, ok, refer, referral_transition)
from tests.paging import every

pytestmark = pytest.mark.config(API_TOKEN_LIFETIME_SECONDS=365 * 86400)

POLICE_INTERNAL = "公安内部：拟对李某住所搜查，勿外传。"
POLICE_PUBLIC = "公安公开：已调取涉案服务器日志。"
PROCURATORATE_INTERNAL = "检察内部：公安不立案理由牵强，拟发通知立案书。"
PROCURATORATE_PUBLIC = "检察公开：已受理立案监督申请。"
AMR_INTERNAL = "市场监管内部：当事人曾有行政处罚记录。"


def note(api, referral_id, text, public=False):
    return ok(api.post(f"/api/v1/referrals/{referral_id}/notes", json={"text": text, "public": public}), 201)


def texts(response):
    return [n["text"] for n in ok(response)["items"]]


def page(app, world, who, url):
    client = app.test_client()
    assert web_login(client, world.users[who]).status_code == 302
    return client.get(url)


def supervised(world):
    """A police referral with notes, declined, under filing supervision by the procuratorate (with notes)."""
    complaint = accepted(world)
    police, procuratorate, clerk = (world.api(k) for k in ("police", "procuratorate", "clerk"))
    referral = refer(world, complaint["id"], "police", "criminal", evidence_ids(world, complaint["id"]))["id"]
    ok(referral_transition(police, referral, "acknowledge", officer_name="郑刚"))
    note(police, referral, POLICE_INTERNAL)
    note(police, referral, POLICE_PUBLIC, public=True)
    ok(referral_transition(police, referral, "decline", reason="不符合立案标准。"))
    child = ok(referral_transition(clerk, referral, "request_supervision", reason="申请立案监督。"))["id"]
    ok(referral_transition(procuratorate, child, "acknowledge", officer_name="冯蕾"))
    note(procuratorate, child, PROCURATORATE_INTERNAL)
    note(procuratorate, child, PROCURATORATE_PUBLIC, public=True)
    return complaint["id"], referral, child


def transferred(world):
    """An administrative case of the city market regulator transferred to the police, with notes on both."""
    complaint = accepted(world)
    amr, police = world.api("amr_city"), world.api("police")
    referral = refer(world, complaint["id"], "amr_city", "administrative", evidence_ids(world, complaint["id"]))["id"]
    ok(referral_transition(amr, referral, "acknowledge", officer_name="刘洋"))
    ok(referral_transition(amr, referral, "accept", case_number="沪市监案〔2026〕9号"))
    note(amr, referral, AMR_INTERNAL)
    approve_transfer(world, referral)
    child = ok(referral_transition(amr, referral, "transfer", reason="涉嫌犯罪，移送公安。",
                                   to_agency_id=world.org("police")))["id"]
    ok(referral_transition(police, child, "acknowledge", officer_name="郑刚"))
    note(police, child, POLICE_INTERNAL)
    note(police, child, POLICE_PUBLIC, public=True)
    return complaint["id"], referral, child


def test_the_supervised_police_do_not_open_the_procuratorates_supervision_referral(app, world):
    _cid, _referral, child = supervised(world)
    police = world.api("police")
    for url in (f"/api/v1/referrals/{child}", f"/api/v1/referrals/{child}/notes", f"/api/v1/referrals/{child}/letter"):
        assert police.get(url).status_code == 404, url
    assert police.post(f"/api/v1/referrals/{child}/notes", json={"text": "x"}).status_code == 404
    assert page(app, world, "police", f"/agency/referrals/{child}").status_code == 404
    # the procuratorate itself reads all of its notes
    assert texts(world.api("procuratorate").get(f"/api/v1/referrals/{child}/notes")) == [
        PROCURATORATE_INTERNAL, PROCURATORATE_PUBLIC]


def test_the_procuratorate_reads_the_police_referral_it_supervises_but_not_the_police_internal_notes(app, world):
    cid, referral, _child = supervised(world)
    procuratorate = world.api("procuratorate")
    body = ok(procuratorate.get(f"/api/v1/referrals/{referral}"))
    assert body["state"] == "supervision_requested" and body["decline_reason"] == "不符合立案标准。"
    assert body["allowed_triggers"] == []
    assert texts(procuratorate.get(f"/api/v1/referrals/{referral}/notes")) == [POLICE_PUBLIC]
    html = page(app, world, "procuratorate", f"/agency/referrals/{referral}").get_data(as_text=True)
    assert POLICE_PUBLIC in html and POLICE_INTERNAL not in html
    assert 'data-testid="followed"' in html and 'action="/agency/referrals/{}/notes"'.format(referral) not in html
    # it writes nothing on the police's referral and downloads no file through it
    assert procuratorate.post(f"/api/v1/referrals/{referral}/notes", json={"text": "x"}).status_code == 404
    evidence = evidence_ids(world, cid)[0]
    assert procuratorate.get(f"/api/v1/referrals/{referral}/evidence/{evidence}").status_code == 404
    # but not in its lists: its inbox is what was sent to it
    assert referral not in [r["id"] for r in ok(procuratorate.get("/api/v1/referrals"))["items"]]
    # the police, the centre and the supervisors still read everything of the police referral
    for who in ("police", "clerk", "supervisor"):
        assert texts(world.api(who).get(f"/api/v1/referrals/{referral}/notes")) == [POLICE_INTERNAL, POLICE_PUBLIC]
    # another procuratorate's officer of an unrelated organisation sees nothing
    assert world.api("court").get(f"/api/v1/referrals/{referral}").status_code == 404


def test_the_transferring_agency_follows_the_referral_without_the_receivers_internal_notes(app, world):
    cid, referral, child = transferred(world)
    amr, police = world.api("amr_city"), world.api("police")
    assert ok(amr.get(f"/api/v1/referrals/{child}"))["state"] == "acknowledged"
    assert texts(amr.get(f"/api/v1/referrals/{child}/notes")) == [POLICE_PUBLIC]
    html = page(app, world, "amr_city", f"/agency/referrals/{child}").get_data(as_text=True)
    assert POLICE_PUBLIC in html and POLICE_INTERNAL not in html
    assert amr.post(f"/api/v1/referrals/{child}/notes", json={"text": "x"}).status_code == 404
    evidence = evidence_ids(world, cid)[0]
    assert amr.get(f"/api/v1/referrals/{child}/evidence/{evidence}").status_code == 404
    # the receiving police do not read the transferring agency's referral (nor its internal note)
    assert police.get(f"/api/v1/referrals/{referral}").status_code == 404
    assert police.get(f"/api/v1/referrals/{referral}/notes").status_code == 404
    assert texts(police.get(f"/api/v1/referrals/{child}/notes")) == [POLICE_INTERNAL, POLICE_PUBLIC]


def test_the_enterprise_reads_only_public_notes_and_no_key_case_instructions(app, world):
    cid, referral, child = supervised(world)
    supervisor, clerk, enterprise = world.api("supervisor"), world.api("clerk"), world.api("enterprise")
    instructions = "督办：请十日内查明公安不立案的理由。"
    ok(supervisor.post(f"/api/v1/complaints/{cid}/supervision", json={"instructions": instructions}), 201)
    report = "报告：检察院已受理立案监督。"
    ok(clerk.post(f"/api/v1/complaints/{cid}/supervision/reports", json={"text": report}))
    assert enterprise.get(f"/api/v1/complaints/{cid}/supervision").status_code == 404
    assert texts(enterprise.get(f"/api/v1/referrals/{referral}/notes")) == [POLICE_PUBLIC]
    assert texts(enterprise.get(f"/api/v1/referrals/{child}/notes")) == [PROCURATORATE_PUBLIC]
    everything = json.dumps([ok(enterprise.get(f"/api/v1/complaints/{cid}")),
                             every(enterprise, f"/api/v1/complaints/{cid}/timeline"),
                             every(enterprise, f"/api/v1/complaints/{cid}/referrals")], ensure_ascii=False)
    for secret in (instructions, report, POLICE_INTERNAL, PROCURATORATE_INTERNAL):
        assert secret not in everything
    client = app.test_client()
    web_login(client, world.users["enterprise"])
    html = client.get(f"/complaints/{cid}").get_data(as_text=True)
    assert client.get(f"/complaints/{cid}").status_code == 200
    for secret in (instructions, report, POLICE_INTERNAL, PROCURATORATE_INTERNAL):
        assert secret not in html
    # the supervisors and the centre read the supervision; other agencies and centres do not
    assert ok(supervisor.get(f"/api/v1/complaints/{cid}/supervision"))["last_report"] == report
    assert ok(clerk.get(f"/api/v1/complaints/{cid}/supervision"))["instructions"] == instructions
    for who in ("other_clerk", "police", "procuratorate", "admin", "other_enterprise"):
        assert world.api(who).get(f"/api/v1/complaints/{cid}/supervision").status_code == 404, who


def test_the_administrator_receives_no_notice_about_a_case(app, world):
    from core.extensions import db
    from notifications.models import Notification, OutboxDelivery
    from notifications.worker import expand_outbox

    cid, _referral, _child = supervised(world)
    supervisor, clerk = world.api("supervisor"), world.api("clerk")
    ok(supervisor.post(f"/api/v1/complaints/{cid}/supervision", json={"instructions": "督办：限期报告。"}), 201)
    report = "报告：检察院已受理立案监督，公安拟复查。"
    ok(clerk.post(f"/api/v1/complaints/{cid}/supervision/reports", json={"text": report}))
    # a consultation convened by the supervisor office: the opinion notice goes to the convener's organisation
    consultation = ok(supervisor.post(f"/api/v1/complaints/{cid}/consultations", json={
        "questions": ["管辖？"], "agency_ids": [world.org("police")],
        "opinion_due_at": "2099-01-01T00:00:00+00:00", "due_reason": "远期。"}), 201)["id"]
    ok(world.api("police").post(f"/api/v1/consultations/{consultation}/opinions", json={"opinion": "应由公安管辖。"}))
    with app.app_context():
        expand_outbox()
        db.session.commit()
        admin_id, supervisor_id = (uuid.UUID(str(world.users[k]["id"])) for k in ("admin", "supervisor"))
        to_admin = db.session.scalars(select(Notification).where(Notification.user_id == admin_id)).all()
        assert to_admin == []
        assert db.session.scalars(select(OutboxDelivery).where(OutboxDelivery.user_id == admin_id)).all() == []
        events = {n.event: n.params for n in db.session.scalars(
            select(Notification).where(Notification.user_id == supervisor_id))}
        assert events["complaint.supervision_reported"]["report"] == report  # the supervisor office is told
        assert "consultation.opinion_submitted" in events
        # and nobody outside the centre and the supervisors gets the report's text
        readers = {n.user_id for n in db.session.scalars(select(Notification)) if report in json.dumps(
            n.params, ensure_ascii=False)}
        allowed = {uuid.UUID(str(world.users[k]["id"])) for k in ("supervisor", "clerk", "clerk2")}
        assert readers and readers <= allowed
