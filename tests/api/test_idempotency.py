"""Idempotency-Key on the API's POSTs (core/idempotency.py): a retry answers the first answer and does nothing
twice — also when the client died before reading it, and when duplicates race; another body under the same
key is 422; an error answer keeps nothing, so its retry runs anew."""
import datetime as dt
import json
import socket
import struct
import threading
import uuid

import pytest
import requests
import time_machine
from flask import request_finished
from sqlalchemy import event, func, select

from tests.evidence.support import pdf_bytes
from tests.routing.conftest import USERS, World, make_people
from tests.routing.support import acknowledge_and_accept, accepted, ok, refer, referral_transition


@pytest.fixture
def world(app, client):
    orgs, users = make_people(app, USERS, code_base=9_500_000, domain="idempotency.example")
    return World(app, client, orgs, users)


@pytest.fixture
def referral(world):
    complaint = accepted(world, files=0)
    found = refer(world, complaint["id"], "police", "criminal")
    acknowledge_and_accept(world, found["id"], "police")
    return found["id"]


def count(app, model, *conditions):
    from core.extensions import db

    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model).where(*conditions))


def notes(app):
    from routing.models import ReferralNote

    return count(app, ReferralNote)


def stored_keys(app):
    from core.idempotency import IdempotencyRecord

    return count(app, IdempotencyRecord)


def key_header(key=None):
    return {"Idempotency-Key": key or f"test-{uuid.uuid4()}"}


def test_a_retry_with_the_same_key_and_body_replays_the_first_answer_and_does_nothing_twice(app, world, referral):
    police = world.api("police")
    url = f"/api/v1/referrals/{referral}/notes"
    headers = key_header()
    first = police.post(url, json={"text": "调取了服务器日志。"}, headers=headers)
    assert first.status_code == 201 and "Idempotent-Replayed" not in first.headers
    again = police.post(url, json={"text": "调取了服务器日志。"}, headers=headers)
    assert again.status_code == 201
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.get_json() == first.get_json()
    assert again.headers["Content-Type"] == first.headers["Content-Type"]
    assert notes(app) == 1
    # another key is another request
    assert police.post(url, json={"text": "调取了服务器日志。"}, headers=key_header()).status_code == 201
    assert notes(app) == 2


def test_a_replayed_change_answers_its_etag_even_though_its_if_match_is_now_stale(app, world, referral):
    police = world.api("police")
    read = police.get(f"/api/v1/referrals/{referral}")
    body = {"outcome": {"result": "sent_for_prosecution", "prosecution_office": "上海市人民检察院第三分院"}}
    headers = {**key_header(), "If-Match": read.headers["ETag"]}
    first = referral_transition(police, referral, "conclude", headers=headers, **body)
    assert ok(first)["state"] == "concluded"
    again = referral_transition(police, referral, "conclude", headers=headers, **body)
    assert again.status_code == 200 and again.headers["Idempotent-Replayed"] == "true"
    assert again.headers["ETag"] == first.headers["ETag"] != read.headers["ETag"]
    assert again.get_json() == first.get_json()


def test_the_same_key_with_another_body_is_422_and_changes_nothing(app, world, referral):
    police = world.api("police")
    url = f"/api/v1/referrals/{referral}/notes"
    headers = key_header()
    ok(police.post(url, json={"text": "第一条。"}, headers=headers), 201)
    other = police.post(url, json={"text": "第二条。"}, headers=headers)
    assert other.status_code == 422
    assert other.get_json()["code"] == "idempotency_key_reused"
    assert list(other.get_json()["errors"]) == ["Idempotency-Key"]
    # the same key on another path is another scope: not a reuse
    complaint = accepted(world, files=0)
    other_referral = refer(world, complaint["id"], "police", "criminal")["id"]
    acknowledge_and_accept(world, other_referral, "police", case_number="沪立〔2026〕2号")
    assert police.post(f"/api/v1/referrals/{other_referral}/notes", json={"text": "第二条。"},
                       headers=headers).status_code == 201
    assert notes(app) == 2


def test_keys_are_the_credentials_own(app, world, referral):
    """Another user's request under the same key is its own, never the first one's answer."""
    url = f"/api/v1/referrals/{referral}/notes"
    headers = key_header("shared-key")
    first = ok(world.api("police").post(url, json={"text": "警方。"}, headers=headers), 201)
    clerk = world.api("clerk").post(url, json={"text": "警方。"}, headers=headers)
    assert clerk.status_code == 404  # the clerk may not write the police's notes: its own answer, not a replay
    assert "Idempotent-Replayed" not in clerk.headers
    assert first["text"] == "警方。" and notes(app) == 1


@pytest.mark.parametrize("key", ["", "\u00e9t\u00e9", "x" * 201, "tab\there"])
def test_a_malformed_key_is_422_on_the_header(app, world, referral, key):
    police = world.api("police")
    response = police.client.post(f"/api/v1/referrals/{referral}/notes", json={"text": "x"},
                                  headers=police.headers({"Idempotency-Key": key.encode("utf-8").decode("latin-1")}))
    assert response.status_code == 422
    assert list(response.get_json()["errors"]) == ["Idempotency-Key"]
    assert notes(app) == 0


def test_an_error_answer_keeps_nothing_so_its_retry_runs_anew(app, world, referral):
    police = world.api("police")
    url = f"/api/v1/referrals/{referral}/notes"
    headers = key_header()
    assert police.post(url, json={"text": "   "}, headers=headers).status_code == 422
    assert stored_keys(app) == 0
    retried = police.post(url, json={"text": "补上内容。"}, headers=headers)  # the corrected body, same key
    assert retried.status_code == 201 and "Idempotent-Replayed" not in retried.headers
    assert notes(app) == 1 and stored_keys(app) == 1


def test_an_upload_is_replayed_by_its_files_whatever_the_multipart_boundary(app, world):
    from evidence.models import EvidenceFile

    enterprise = world.api("enterprise")
    draft = ok(enterprise.post("/api/v1/complaints", json={"facts": "起草。"}), 201)
    url = f"/api/v1/complaints/{draft['id']}/evidence"
    headers = enterprise.headers(key_header())
    content = pdf_bytes(b"exhibit")

    def upload(boundary, name="exhibit.pdf", body=content):
        payload = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\n"
                   f"Content-Type: application/pdf\r\n\r\n").encode() + body + f"\r\n--{boundary}--\r\n".encode()
        return enterprise.client.post(url, data=payload, headers=headers,
                                      content_type=f"multipart/form-data; boundary={boundary}")

    first = upload("boundary-one")
    assert first.status_code == 201, first.get_json()
    again = upload("boundary-two")
    assert again.status_code == 201 and again.headers["Idempotent-Replayed"] == "true"
    assert again.get_json() == first.get_json()
    assert count(app, EvidenceFile) == 1
    assert upload("boundary-three", body=pdf_bytes(b"another exhibit")).status_code == 422  # other content
    assert upload("boundary-four", name="renamed.pdf").status_code == 422
    assert count(app, EvidenceFile) == 1


@pytest.mark.config(IDEMPOTENCY_TTL_SECONDS=3600)
def test_an_expired_key_is_free_again(app, world, referral):
    police = world.api("police")
    url = f"/api/v1/referrals/{referral}/notes"
    headers = key_header()
    ok(police.post(url, json={"text": "第一次。"}, headers=headers), 201)
    with time_machine.travel(dt.datetime.now(dt.UTC) + dt.timedelta(hours=2)):
        later = police.post(url, json={"text": "第一次。"}, headers=headers)
    assert later.status_code == 201 and "Idempotent-Replayed" not in later.headers
    assert notes(app) == 2


def test_an_answer_holding_a_secret_is_never_stored(app, world):
    """A new API key is shown once: the admin's POST ignores Idempotency-Key rather than keep the key."""
    admin = world.api("admin")
    headers = key_header()
    body = {"email": world.users["police"]["email"], "label": "案件系统"}
    first = ok(admin.post("/api/v1/admin/api-keys", json=body, headers=headers), 201)
    assert stored_keys(app) == 0
    second = ok(admin.post("/api/v1/admin/api-keys", json=body, headers=headers), 201)
    assert second["key"] != first["key"]


def test_unauthenticated_posts_ignore_the_key(app, world):
    from tests.conftest import token_request

    headers = key_header()
    first = world.client.post("/api/v1/auth/tokens", json=token_request(world.users["enterprise"]), headers=headers)
    assert first.status_code == 201 and stored_keys(app) == 0


# --- a client that dies, and duplicates that race --------------------------------------------------------------

def _finished(app):
    """An event set when the app has finished a request (after its commit)."""
    done = threading.Event()

    def finished(sender, response, **extra):
        done.set()

    request_finished.connect(finished, app, weak=False)
    return done, lambda: request_finished.disconnect(finished, app)


def test_a_client_killed_before_reading_the_answer_gets_it_on_retry_and_there_is_one_effect(app, world, referral,
                                                                                         live_server):
    police = world.api("police")
    path = f"/api/v1/referrals/{referral}/notes"
    key = f"killed-{uuid.uuid4()}"
    body = json.dumps({"text": "客户端在读取回答前被终止。"}).encode()
    done, stop = _finished(app)
    host, port = live_server.removeprefix("http://").split(":")
    try:
        with socket.create_connection((host, int(port))) as raw:
            raw.sendall((f"POST {path} HTTP/1.1\r\nHost: {host}:{port}\r\nAuthorization: Bearer {police.token}\r\n"
                         f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n"
                         f"Idempotency-Key: {key}\r\nConnection: close\r\n\r\n").encode() + body)
            # killed: the connection is reset without a byte of the answer read
            raw.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        assert done.wait(30), "the server never finished the request"
    finally:
        stop()
    assert notes(app) == 1  # committed although nobody read the answer
    retry = requests.post(live_server + path, data=body, timeout=30, headers={
        "Authorization": f"Bearer {police.token}", "Content-Type": "application/json", "Idempotency-Key": key})
    assert retry.status_code == 201, retry.text
    assert retry.headers["Idempotent-Replayed"] == "true"
    assert retry.json()["text"] == "客户端在读取回答前被终止。"
    assert notes(app) == 1


def test_parallel_duplicates_have_one_effect(app, world, referral, live_server):
    police = world.api("police")
    url = f"{live_server}/api/v1/referrals/{referral}/notes"
    headers = {"Authorization": f"Bearer {police.token}", "Idempotency-Key": f"race-{uuid.uuid4()}"}
    n = 6
    barrier = threading.Barrier(n)
    answers = [None] * n

    def post(i):
        barrier.wait()
        answers[i] = requests.post(url, json={"text": "并发重复。"}, headers=headers, timeout=60)

    threads = [threading.Thread(target=post, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(90)
    assert notes(app) == 1
    statuses = sorted(a.status_code for a in answers)
    assert set(statuses) <= {201, 409}, [a.text for a in answers]
    created = [a for a in answers if a.status_code == 201]
    assert created and len({a.text for a in created}) == 1  # the first answer, replayed
    assert sum("Idempotent-Replayed" not in a.headers for a in created) == 1
    for refused in (a for a in answers if a.status_code == 409):
        assert refused.json()["code"] == "idempotency_in_progress"


@pytest.mark.postgres_only
@pytest.mark.config(IDEMPOTENCY_WAIT_SECONDS=1)
def test_a_retry_while_the_first_is_still_running_is_409_in_progress(app, world, referral, live_server):
    """The first request is held inside its transaction (after claiming the key, before its INSERT of the note):
    the retry waits IDEMPOTENCY_WAIT_SECONDS for it, then answers 409; once the first committed, the replay."""
    from core.extensions import db

    police = world.api("police")
    url = f"{live_server}/api/v1/referrals/{referral}/notes"
    headers = {"Authorization": f"Bearer {police.token}", "Idempotency-Key": f"slow-{uuid.uuid4()}"}
    inside, release = threading.Event(), threading.Event()

    def hold(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith("INSERT INTO REFERRAL_NOTES") and not inside.is_set():
            inside.set()
            release.wait(30)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", hold)
    first = {}
    thread = threading.Thread(target=lambda: first.update(
        answer=requests.post(url, json={"text": "慢。"}, headers=headers, timeout=60)))
    try:
        thread.start()
        assert inside.wait(30)
        retry = requests.post(url, json={"text": "慢。"}, headers=headers, timeout=60)
        assert retry.status_code == 409 and retry.json()["code"] == "idempotency_in_progress"
    finally:
        release.set()
        thread.join(60)
        event.remove(engine, "before_cursor_execute", hold)
    assert first["answer"].status_code == 201
    replay = requests.post(url, json={"text": "慢。"}, headers=headers, timeout=60)
    assert replay.status_code == 201 and replay.headers["Idempotent-Replayed"] == "true"
    assert replay.json() == first["answer"].json()
    assert notes(app) == 1


def test_pruning_expired_keys_never_blocks_the_request_that_prunes(app, world, referral, monkeypatch):
    """Each claim may forget expired keys first (core.idempotency.PRUNE_CHANCE): here every one does."""
    import core.idempotency

    monkeypatch.setattr(core.idempotency, "PRUNE_CHANCE", 1.0)
    police = world.api("police")
    url = f"/api/v1/referrals/{referral}/notes"
    with time_machine.travel(dt.datetime.now(dt.UTC) - dt.timedelta(days=2)):
        ok(police.post(url, json={"text": "很久以前。"}, headers=key_header()), 201)
    assert stored_keys(app) == 1
    assert police.post(url, json={"text": "现在。"}, headers=key_header()).status_code == 201
    assert stored_keys(app) == 1  # the expired one forgotten, the new one kept


def test_signing_in_with_a_key_and_a_bearer_token_is_never_stored(app, world):
    """An authenticated caller may call the unauthenticated POSTs too (a token's answer is a secret; the login
    throttle writes in a transaction of its own, which a claimed key must not hold up on SQLite)."""
    from tests.conftest import token_request

    police = world.api("police")
    response = police.post("/api/v1/auth/tokens", json=token_request(world.users["enterprise"]), headers=key_header())
    assert response.status_code == 201 and stored_keys(app) == 0
