"""The changes feed (GET /api/v1/changes): every event addressed to the caller's organisation, in commit
order, each once, resumable from a cursor; the same event ids as the webhooks; only one's own events.

The concurrency tests run on PostgreSQL, with real threads committing while a reader polls: a transaction
that inserted its rows first but commits last must still be read (numbering is by commit, not by id).
"""
import datetime as dt
import threading
import uuid

import pytest
import time_machine
from sqlalchemy import select

from core.extensions import db
from tests.routing.support import (accepted, create_referrals, evidence_ids, item, ok, referral_transition)
from tests.threads import run_together


def feed(api, after=None, limit=100) -> dict:
    query = {"limit": limit, **({"after": after} if after else {})}
    return ok(api.get("/api/v1/changes", query_string=query))


def all_of(api, after=None) -> list[dict]:
    """Every item after ``after``, page by page."""
    items = []
    while True:
        page = feed(api, after, limit=7)
        items += page["items"]
        if not page["items"]:
            assert page["next_cursor"] == after or after is None
            return items
        after = page["next_cursor"]


def events(items, event=None):
    return [i for i in items if event is None or i["event"] == event]


def emit_to(app, org_ids, n, event="referral.received", audience=None):
    """``n`` events emitted to the organisations and committed, one transaction each; their ids."""
    from core.outbox import emit

    ids = []
    with app.app_context():
        for i in range(n):
            ids.append(str(emit(event, organisation_ids=org_ids, audience=audience,
                                params={"reference": f"R-{i}", "letter_number": f"L-{i}"})))
            db.session.commit()
    return ids


# --- what an agency's system syncs ----------------------------------------------------------------

def test_an_agency_reads_its_new_referral_each_transition_and_note_from_the_feed(app, world):
    complaint = accepted(world, files=2)
    cid = complaint["id"]
    shared = evidence_ids(world, cid)
    police, clerk = world.api("police"), world.api("clerk")
    start = feed(police)["next_cursor"]  # nothing yet: a cursor of the feed's start, to poll with
    assert feed(police)["items"] == []

    rid = ok(create_referrals(world, cid, item(world, "police", "criminal", shared[:1])), 201)[0]["id"]
    new = all_of(police, start)
    assert [i["event"] for i in new] == ["referral.received", "referral.created"]
    created = new[1]
    assert created["subject_type"] == "referral" and created["subject_id"] == rid
    assert created["data"]["referral_id"] == rid and created["data"]["complaint_id"] == cid
    assert created["data"]["evidence_ids"] == shared[:1] and created["data"]["agency_id"] == world.org("police")
    assert created["data"]["state"] == "sent" and created["data"]["track"] == "criminal"
    uuid.UUID(created["id"])
    # the centre's system sees its referral created too
    assert [i["data"]["referral_id"] for i in events(all_of(clerk), "referral.created")] == [rid]

    cursor = new[-1]["cursor"]
    ok(referral_transition(police, rid, "acknowledge", officer_name="郑刚"))
    ok(police.post(f"/api/v1/referrals/{rid}/notes", json={"text": "已调取监控。", "public": False}), 201)
    ok(referral_transition(clerk, rid, "supplement", evidence_ids=shared[1:]))
    later = all_of(police, cursor)
    names = [i["event"] for i in later]
    assert names == ["referral.transitioned", "referral.note_added", "referral.evidence_shared",
                     "referral.supplemented", "referral.transitioned"], names
    moved = later[0]["data"]
    assert (moved["trigger"], moved["from_state"], moved["to_state"]) == ("acknowledge", "sent", "acknowledged")
    assert later[1]["data"]["public"] is False and isinstance(later[1]["data"]["note_id"], int)
    assert later[2]["data"]["evidence_ids"] == shared[1:] and later[2]["data"]["kind"] == "evidence"
    assert later[4]["data"]["trigger"] == "supplement"
    assert all_of(police, later[-1]["cursor"]) == []  # caught up
    # the centre has the same events, under the same ids
    centre_ids = {i["id"] for i in all_of(clerk)}
    assert {i["id"] for i in later if i["event"] != "referral.supplemented"} <= centre_ids


def test_the_feed_shows_an_organisation_only_its_own_events(app, world):
    complaint = accepted(world)
    rid = ok(create_referrals(world, complaint["id"], item(world, "police", "criminal")), 201)[0]["id"]
    ok(referral_transition(world.api("police"), rid, "acknowledge", officer_name="郑刚"))
    ok(world.api("police").post(f"/api/v1/referrals/{rid}/notes", json={"text": "内部记录。", "public": False}), 201)
    for outsider in ("court", "amr_city", "other_clerk", "other_enterprise", "supervisor"):
        assert feed(world.api(outsider))["items"] == [], outsider
    from notifications.events import MACHINE_EVENTS

    enterprise = all_of(world.api("enterprise"))
    assert enterprise and not {i["event"] for i in enterprise} & MACHINE_EVENTS  # nor the note
    # a cursor names a position only: another organisation's cursor shows nothing of it
    police_cursor = feed(world.api("police"))["items"][0]["cursor"]
    assert feed(world.api("court"), police_cursor)["items"] == []


def test_an_administrator_reads_no_event_about_a_case(app, world):
    complaint = accepted(world)
    from core.outbox import emit

    with app.app_context():
        emit("complaint.supervised", organisation_ids=[world.orgs["supervisor_office"]], subject_type="complaint",
             subject_id=uuid.UUID(complaint["id"]), params={"reference": "R", "instructions": "督办"})
        db.session.commit()
    assert [i["event"] for i in feed(world.api("supervisor"))["items"]] == ["complaint.supervised"]
    assert feed(world.api("admin"))["items"] == []  # the same organisation: no case for an administrator


def test_events_for_the_supervisors_reach_every_supervisor_office_feed(app, world):
    ids = emit_to(app, [], 1, event="complaint.supervision_reported", audience="supervisors")
    assert [i["id"] for i in feed(world.api("supervisor"))["items"]] == ids


def test_deadline_warnings_of_the_sweep_are_in_the_responsible_agency_feed(app, world):
    from deadlines.sweep import sweep

    complaint = accepted(world)
    rid = ok(create_referrals(world, complaint["id"], item(world, "police", "criminal")), 201)[0]["id"]
    cursor = all_of(world.api("police"))[-1]["cursor"]
    with app.app_context(), time_machine.travel(dt.datetime.now(dt.UTC) + dt.timedelta(days=60), tick=False):
        counts = sweep()
    assert counts["deadline.breached"] >= 1
    warned = all_of(world.api("police"), cursor)
    assert {"deadline.reminder", "deadline.breached"} <= {i["event"] for i in warned}
    breach = events(warned, "deadline.breached")[0]
    assert breach["subject_type"] == "referral" and breach["subject_id"] == rid
    assert breach["data"]["rule"] == "Q4" and breach["data"]["level"] == "breach"
    assert breach["data"]["reference"] == complaint["reference"] and breach["data"]["due_at"]
    escalated = events(all_of(world.api("supervisor")), "deadline.escalated")
    assert escalated and {i["id"] for i in escalated} <= {i["id"] for i in warned}  # one event, two feeds
    # the sweep's outbox rows carry the same ids
    from core.outbox import OutboxEvent

    with app.app_context():
        outbox = {str(e) for e in db.session.scalars(select(OutboxEvent.event_id))}
    assert {i["id"] for i in warned} <= outbox


# --- the cursor --------------------------------------------------------------------------------------

def test_a_client_resumes_from_its_cursor_and_sees_every_event_once_in_order(app, world):
    police = world.api("police")
    ids = emit_to(app, [world.orgs["police"]], 5)
    first = feed(police, limit=2)
    assert [i["id"] for i in first["items"]] == ids[:2] and first["next_cursor"] == first["items"][-1]["cursor"]
    second = feed(police, first["next_cursor"], limit=2)
    assert [i["id"] for i in second["items"]] == ids[2:4]
    third = feed(police, second["next_cursor"], limit=2)
    assert [i["id"] for i in third["items"]] == ids[4:]
    idle = feed(police, third["next_cursor"], limit=2)
    assert idle == {"items": [], "next_cursor": third["next_cursor"]}  # poll again with the same cursor
    more = emit_to(app, [world.orgs["police"]], 1)
    assert [i["id"] for i in feed(police, idle["next_cursor"])["items"]] == more
    # an item's own cursor resumes right after it
    assert [i["id"] for i in feed(police, first["items"][0]["cursor"], limit=3)["items"]] == ids[1:4]


def test_one_event_to_several_organisations_has_one_id(app, world):
    [event_id] = emit_to(app, [world.orgs["police"], world.orgs["court"], world.orgs["police"]], 1)
    assert [i["id"] for i in feed(world.api("police"))["items"]] == [event_id]  # once, though named twice
    assert [i["id"] for i in feed(world.api("court"))["items"]] == [event_id]


def test_a_rolled_back_transaction_leaves_nothing_in_the_feed(app, world):
    from core.outbox import emit

    with app.app_context():
        emit("referral.received", organisation_ids=[world.orgs["police"]], params={"reference": "R"})
        db.session.rollback()
    assert feed(world.api("police"))["items"] == []
    emit_to(app, [world.orgs["police"]], 1)
    assert len(feed(world.api("police"))["items"]) == 1


@pytest.mark.parametrize("query", [{"after": "nonsense"}, {"after": "YzE6LTE6MQ"}, {"after": "x" * 201},
                                   {"limit": 0}, {"limit": 101}, {"limit": "many"}])
def test_a_malformed_cursor_or_limit_is_a_field_error(app, world, query):
    response = world.api("police").get("/api/v1/changes", query_string=query)
    assert response.status_code == 422, response.get_json()
    assert set(response.get_json()["errors"]) == set(query)


def test_the_feed_needs_authentication(app, anonymous_api):
    assert anonymous_api.get("/api/v1/changes").status_code == 401


def test_the_cursor_is_opaque_and_round_trips():
    from core import changes

    for position in [(0, 0), (1, 1), (12345, 987654321)]:
        assert changes.decode_cursor(changes.encode_cursor(position)) == position
    for bad in ["", "YzE6MTox=", "YzI6MTox", "YzE6MTox\n", "YzE6MDE6MQ"]:  # padding, tag, newline, "01"
        with pytest.raises(changes.BadCursor):
            changes.decode_cursor(bad)


# --- commit order under concurrency (PostgreSQL) -----------------------------------------------------

@pytest.mark.postgres_only
def test_rows_inserted_first_but_committed_last_are_not_skipped(app, world):
    """The slow transaction's rows have the smaller ids; a reader that passed the fast one's must still
    find them once they commit (they are numbered at commit)."""
    from core.outbox import emit
    from notifications.feed import changes_for

    police = world.orgs["police"]
    slow_inserted, fast_committed = threading.Event(), threading.Event()
    seen = []

    def actor():
        from accounts.models import User

        return db.session.get(User, world.users["police"]["id"])

    def slow():
        with app.app_context():
            emit("referral.received", organisation_ids=[police], params={"reference": "slow"})
            db.session.flush()
            slow_inserted.set()
            assert fast_committed.wait(30)
            db.session.commit()

    def fast():
        with app.app_context():
            assert slow_inserted.wait(30)
            emit("referral.received", organisation_ids=[police], params={"reference": "fast"})
            db.session.commit()
            page = changes_for(actor(), None, 100)  # the reader, between the two commits
            seen.extend(page["items"])
            db.session.commit()
            fast_committed.set()

    threads = [threading.Thread(target=slow), threading.Thread(target=fast)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert [i["data"]["reference"] for i in seen] == ["fast"]
    with app.app_context():
        rest = changes_for(actor(), seen[-1]["cursor"], 100)["items"]
    assert [i["data"]["reference"] for i in rest] == ["slow"]


@pytest.mark.postgres_only
def test_a_reader_polling_while_writers_commit_sees_every_event_once_in_order(app, world):
    from core.outbox import emit
    from notifications.feed import changes_for

    police = world.orgs["police"]
    writers, per_writer = 6, 25
    done = threading.Event()
    finished = []
    seen = []

    def work(n, barrier):
        barrier.wait()
        if n == "reader":
            from accounts.models import User

            with app.app_context():
                user = db.session.get(User, world.users["police"]["id"])
                cursor = None
                while True:
                    last_round = done.is_set()  # read once more after the last writer finished
                    page = changes_for(user, cursor, 50)
                    db.session.commit()  # a new snapshot for the next poll
                    seen.extend(page["items"])
                    cursor = page["next_cursor"]
                    if last_round and not page["items"]:
                        return
            return
        with app.app_context():
            for i in range(per_writer):
                emit("referral.received", organisation_ids=[police], params={"reference": f"{n}-{i}"})
                if i % 3:  # and other work in the same transaction, of various lengths
                    emit("referral.received", organisation_ids=[police], params={"reference": f"{n}-{i}b"})
                db.session.commit()
        finished.append(n)
        if len(finished) == writers:
            done.set()

    run_together(work, ["reader", *range(writers)])
    references = [i["data"]["reference"] for i in seen]
    assert len(references) == len(set(references))  # each once
    expected = {f"{n}-{i}{s}" for n in range(writers) for i in range(per_writer) for s in ("", "b") if s == "" or i % 3}
    assert set(references) == expected  # every one
    for n in range(writers):  # each writer's events in its commit order
        mine = [r for r in references if r.split("-")[0] == str(n)]
        assert mine == sorted(mine, key=lambda r: (int(r.split("-")[1].rstrip("b")), r.endswith("b")))
    cursors = [i["cursor"] for i in seen]
    from core.changes import decode_cursor

    positions = [decode_cursor(c) for c in cursors]
    assert positions == sorted(positions)


# --- events for systems reach no person ----------------------------------------------------------------

def test_an_event_for_systems_is_no_notice_and_no_e_mail_but_a_webhook_with_the_feed_id(app, world):
    from core.outbox import emit
    from notifications.models import Channel, Notification, OutboxDelivery, WebhookEndpoint
    from notifications.worker import expand_outbox
    from tests.notifications.support import count

    with app.app_context():
        db.session.add(WebhookEndpoint(organisation_id=world.orgs["police"], url="https://hooks.example/x",
                                       secret="s" * 32))
        event_id = emit("referral.note_added", organisation_ids=[world.orgs["police"]], subject_type="referral",
                        subject_id=uuid.uuid4(), params={"reference": "R", "letter_number": "L", "note_id": 1})
        db.session.commit()
        counts = expand_outbox()
        assert counts["notifications"] == counts["emails"] == 0 and counts["webhooks"] == 1
        assert count(Notification) == 0
        [hook] = db.session.scalars(select(OutboxDelivery)).all()
        assert hook.channel is Channel.webhook and hook.event_id == event_id
    assert [i["id"] for i in feed(world.api("police"))["items"]] == [str(event_id)]
    # and the preferences page does not offer them
    from notifications.events import CHOOSABLE, MACHINE_EVENTS

    assert not MACHINE_EVENTS & set(CHOOSABLE)
