"""Every notification links to the complaint, referral or consultation it is about, as its reader sees it: in the
inbox (the open button leads there) and in e-mails (absolute links from PUBLIC_BASE_URL), delivered over a real
SMTP server on loopback. Events from real flows: submission, acceptance, referral, consultation."""
import datetime as dt
import re

import pytest
from sqlalchemy import select

from core.extensions import db
from notifications.models import Notification
from tests.accounts.web import csrf_token, web_login
from tests.notifications.support import deliver_until_idle
from tests.routing.support import PATENT_APPLICATION, complaint_transition, evidence_ids, ok, refer, submit

BASE = "https://tradesecret.example"


def _expand(app):
    from notifications.worker import expand_outbox

    with app.app_context():
        assert expand_outbox()["unknown"] == 0


def _flow(app, world):
    """Submitted, accepted, referred to the municipal AMR, and a consultation with the police convened."""
    complaint = submit(world, PATENT_APPLICATION)
    cid = complaint["id"]
    clerk = world.api("clerk")
    ok(complaint_transition(clerk, cid, "claim"))
    ok(complaint_transition(clerk, cid, "accept", message="受理。"))
    referral = refer(world, cid, "amr_city", "administrative", evidence_ids(world, cid))
    due = (dt.datetime.now(dt.UTC) + dt.timedelta(days=3)).replace(microsecond=0)
    consultation = ok(clerk.post(f"/api/v1/complaints/{cid}/consultations", json={
        "questions": ["是否构成商业秘密？"], "agency_ids": [world.org("police")],
        "opinion_due_at": due.isoformat()}), 201)
    _expand(app)
    return cid, referral["id"], consultation["id"]


def _open_buttons(client):
    html = client.get("/notifications?lang=en").get_data(as_text=True)
    rows = re.findall(r'data-testid="notification" data-id="(\d+)".*?</tr>', html, re.S)
    buttons = re.findall(r'data-testid="open" data-href="([^"]+)">([^<]+)<', html)
    return html, rows, buttons


EXPECTED = {  # who: (event, the path it leads to, the button's label)
    "clerk": ("complaint.submitted", "/centre/complaints/{cid}", "Open the complaint"),
    "enterprise": ("complaint.accepted", "/complaints/{cid}", "Open the complaint"),
    "amr_city": ("referral.received", "/agency/referrals/{rid}", "Open the referral"),
    "police": ("consultation.invited", "/consultations/{kid}", "Open the consultation"),
}


@pytest.mark.config(PUBLIC_BASE_URL=BASE)
def test_every_notification_opens_the_page_it_is_about_in_app(app, world):
    from tests.agencies.web import Browser

    cid, rid, kid = _flow(app, world)
    ids = {"cid": cid, "rid": rid, "kid": kid}
    for who, (event, path, label) in EXPECTED.items():
        browser = Browser(app, world.users[who])
        html, rows, buttons = _open_buttons(browser.client)
        assert rows and len(buttons) == len(rows), (who, html[-3000:])  # every notification has its link
        assert (path.format(**ids), label) in buttons, (who, buttons)
        with app.app_context():
            notification = db.session.scalars(select(Notification).where(
                Notification.user_id == world.users[who]["id"], Notification.event == event)).first()
        token = csrf_token(browser.client, "/notifications")
        opened = browser.client.post(f"/notifications/{notification.id}/read",
                                     data={"csrf_token": token, "open": "1"})
        assert opened.status_code == 302 and opened.headers["Location"] == path.format(**ids)
        assert browser.client.get(opened.headers["Location"]).status_code == 200  # a page the reader may open


@pytest.mark.config(PUBLIC_BASE_URL=BASE)
def test_every_case_notification_of_the_flow_resolves_to_a_page_its_reader_may_open(app, world):
    from accounts.models import User
    from notifications.links import link_for, reader_of_user

    _flow(app, world)
    with app.app_context():  # no request: as the delivery worker resolves them
        rows = db.session.scalars(select(Notification)).all()
        assert len(rows) >= 6
        for n in rows:
            link = link_for(n, reader_of_user(db.session.get(User, n.user_id)))
            assert link is not None and link.path.startswith("/"), (n.event, n.subject_type)
        # someone who may not see the complaint gets no link
        other = db.session.get(User, world.users["other_clerk"]["id"])
        assert all(link_for(n, reader_of_user(other)) is None for n in rows)


@pytest.mark.config(PUBLIC_BASE_URL=BASE)
def test_emails_carry_absolute_links_to_the_page_for_their_recipient(app, world, smtp):
    smtp.start()
    cid, rid, kid = _flow(app, world)
    deliver_until_idle(app)
    ids = {"cid": cid, "rid": rid, "kid": kid}
    by_recipient = {}
    for message in smtp.messages:
        by_recipient.setdefault(message["To"], []).append(message.get_content())
    for who, (_event, path, label) in EXPECTED.items():
        bodies = by_recipient[world.users[who]["email"]]
        assert any(f"{label}: {BASE}{path.format(**ids)}" in body for body in bodies), (who, bodies)
        assert all(BASE + "/" in body for body in bodies)  # every e-mail links somewhere absolute
        assert all("\n/" not in body for body in bodies)  # never a bare path


@pytest.mark.config(PUBLIC_BASE_URL=BASE)
def test_a_chinese_email_labels_its_link_with_chinese_punctuation(app, world, smtp):
    from accounts.models import User

    with app.app_context():
        db.session.get(User, world.users["clerk"]["id"]).language = "zh"
        db.session.commit()
    smtp.start()
    complaint = submit(world)
    _expand(app)
    deliver_until_idle(app)
    body = next(m.get_content() for m in smtp.messages if m["To"] == world.users["clerk"]["email"])
    assert f"打开投诉：{BASE}/centre/complaints/{complaint['id']}" in body


@pytest.mark.config(PUBLIC_BASE_URL=BASE)
def test_an_agencys_webhook_carries_the_absolute_link_of_its_referral(app, world, receiver):
    import json

    from app import parse_networks

    app.config["WEBHOOK_ALLOWED_NETWORKS"] = parse_networks("127.0.0.1/32, ::1/128")  # the receiver is on loopback
    ok(world.api("admin").post("/api/v1/admin/webhooks", json={"organisation_id": world.org("amr_city"),
                                                               "url": receiver.url}), 201)
    cid, rid, _kid = _flow(app, world)
    deliver_until_idle(app)
    received = [json.loads(body) for _headers, body in receiver.requests]
    referral = next(p for p in received if p["event"] == "referral.received")
    assert referral["url"] == f"{BASE}/agency/referrals/{rid}"
    assert all(p["url"] and p["url"].startswith(BASE + "/") for p in received)
