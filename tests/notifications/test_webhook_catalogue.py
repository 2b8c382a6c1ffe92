"""The event catalogue (GET /api/v1/webhooks/events, docs/WEBHOOKS.md): every event has a data schema, and
every event a journey emits — as a webhook body and as a feed item — conforms to the catalogue's schemas.
The verification example of docs/WEBHOOKS.md verifies a real delivery."""
import datetime as dt
import re
from pathlib import Path

import jsonschema
import pytest
import time_machine

from core.extensions import db
from notifications.catalogue import FEED_ITEM, WEBHOOK_BODY, catalogue, data_schema
from notifications.events import ADDRESS_EVENTS, EVENTS, MACHINE_EVENTS
from tests.notifications.support import deliver_until_idle
from tests.routing.support import (acknowledge_and_accept, accepted, create_referrals, evidence_ids, item, ok,
                                   referral_transition)

DOCS = Path(__file__).resolve().parents[2] / "docs" / "WEBHOOKS.md"
Validator = jsonschema.Draft202012Validator


def check(schema, instance):
    Validator(schema, format_checker=Validator.FORMAT_CHECKER).validate(instance)


@pytest.mark.parametrize("name", sorted({*EVENTS, *ADDRESS_EVENTS}))
def test_every_event_has_a_valid_data_schema(name):
    schema = data_schema(name)
    Validator.check_schema(schema)
    assert schema["type"] == "object" and set(schema["required"]) <= set(schema["properties"])


def test_the_catalogue_is_served_without_authentication_and_lists_every_event_of_the_feed(client):
    response = client.get("/api/v1/webhooks/events", headers={"Accept-Language": "en"})
    assert response.status_code == 200
    body = response.get_json()
    listed = {e["event"] for e in body["events"]}
    assert listed == {name for name, spec in EVENTS.items() if not spec.email_only}
    assert MACHINE_EVENTS <= listed and all(e["machine"] == (e["event"] in MACHINE_EVENTS) for e in body["events"])
    assert body["signature"]["header"] == "X-Signature" and "HMAC-SHA256" in body["signature"]["algorithm"]
    Validator.check_schema(body["webhook_body"])
    Validator.check_schema(body["feed_item"])
    described = {e["event"]: e["description"] for e in body["events"]}
    assert described["referral.created"] == "A referral was sent (for systems)"
    zh = client.get("/api/v1/webhooks/events", headers={"Accept-Language": "zh"}).get_json()
    assert {e["event"]: e["description"] for e in zh["events"]}["referral.received"] != described["referral.received"]
    # the docs name every event for systems
    text = DOCS.read_text(encoding="utf-8")
    assert all(f"`{name}`" in text for name in MACHINE_EVENTS)


@pytest.fixture
def loopback_allowed(app):
    from app import parse_networks

    app.config["WEBHOOK_ALLOWED_NETWORKS"] = parse_networks("127.0.0.1/32, ::1/128")


def verification_example():
    """The Python block of docs/WEBHOOKS.md, run as a reader would paste it."""
    [block] = re.findall(r"```python\n(.*?)```", DOCS.read_text(encoding="utf-8"), re.S)
    namespace = {}
    exec(compile(block, str(DOCS), "exec"), namespace)  # noqa: S102 - our own documentation's example
    return namespace["verify"]


@pytest.mark.config(PUBLIC_BASE_URL="https://tradesecret.example")
def test_every_event_of_a_journey_conforms_to_the_catalogue_as_webhook_and_as_feed_item(app, world, receiver,
                                                                                      loopback_allowed):
    from notifications.worker import expand_outbox
    from deadlines.sweep import sweep

    secrets = {}
    for key in ("police", "court", "centre", "supervisor_office"):
        response = world.api("admin").post("/api/v1/admin/webhooks",
                                           json={"organisation_id": world.org(key), "url": receiver.url})
        secrets[world.org(key)] = ok(response, 201)["secret"]

    complaint = accepted(world, files=2)
    shared = evidence_ids(world, complaint["id"])
    police, court = ok(create_referrals(world, complaint["id"], item(world, "police", "criminal", shared[:1]),
                                        item(world, "court", "civil", shared[:1])), 201)
    acknowledge_and_accept(world, police["id"], "police")
    ok(world.api("police").post(f"/api/v1/referrals/{police['id']}/notes", json={"text": "进展。", "public": True}),
       201)
    ok(referral_transition(world.api("clerk"), police["id"], "supplement", evidence_ids=shared[1:]))
    with app.app_context(), time_machine.travel(dt.datetime.now(dt.UTC) + dt.timedelta(days=60), tick=False):
        sweep()
        expand_outbox()
    deliver_until_idle(app, dt.datetime.now(dt.UTC) + dt.timedelta(days=60))

    bodies = receiver.bodies()
    names = {b["event"] for b in bodies}
    assert MACHINE_EVENTS - {"referral.step_taken"} <= names
    assert {"referral.received", "civil.filing_guided", "referral.decided", "deadline.breached",
            "deadline.escalated"} <= names, names
    verify = verification_example()
    for (headers, raw), body in zip(receiver.requests, bodies):
        check(WEBHOOK_BODY, body)
        check(data_schema(body["event"]), body["data"])
        secret = next(s for s in secrets.values() if _signed_with(verify, s, headers, raw))
        assert verify(secret, _headers(headers), raw, max_age=10 ** 9) == body  # sent "60 days later"
        with pytest.raises(ValueError):
            verify(secret, _headers(headers), raw + b" ", max_age=10 ** 9)

    feed_ids = set()
    for key in ("police", "court", "clerk", "supervisor", "enterprise"):
        after = None
        while True:
            page = ok(world.api(key).get("/api/v1/changes", query_string={"limit": 100, **(
                {"after": after} if after else {})}))
            for change in page["items"]:
                check(FEED_ITEM, change)
                check(data_schema(change["event"]), change["data"])
                feed_ids.add(change["id"])
            if not page["items"]:
                break
            after = page["next_cursor"]
    assert {b["event_id"] for b in bodies} <= feed_ids  # every webhook's event is in a feed, by the same id
    with app.app_context():
        db.session.remove()


def _headers(lowered: dict) -> dict:
    return {"X-Signature": lowered["x-signature"], "X-Signature-Timestamp": lowered["x-signature-timestamp"]}


def _signed_with(verify, secret, headers, raw) -> bool:
    try:
        verify(secret, _headers(headers), raw, max_age=10 ** 9)
    except ValueError:
        return False
    return True


def test_the_catalogue_function_matches_the_served_one(app, client):
    with app.test_request_context(headers={"Accept-Language": "en"}):
        assert client.get("/api/v1/webhooks/events", headers={"Accept-Language": "en"}).get_json() == catalogue()
