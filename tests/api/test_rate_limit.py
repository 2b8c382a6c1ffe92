"""Per-key request rate limits (accounts/rate_limit.py): an API key's requests per minute, its own limit set by
the administrator (API and page) or the configured default; over it 429 with Retry-After, counted atomically."""
import datetime as dt
import threading
import uuid

import pytest
import requests
import time_machine

from tests.conftest import ApiClient
from tests.routing.conftest import USERS, World, make_people


@pytest.fixture
def world(app, client):
    orgs, users = make_people(app, USERS, code_base=9_600_000, domain="ratelimit.example")
    return World(app, client, orgs, users)


def new_key(world, **body):
    response = world.api("admin").post("/api/v1/admin/api-keys", json={
        "email": world.users["police"]["email"], "label": "案件系统", **body})
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def test_over_its_limit_a_key_is_answered_429_with_retry_after_until_the_minute_ends(app, world):
    key = new_key(world, rate_limit=3)
    assert key["rate_limit"] == 3 and key["effective_rate_limit"] == 3
    system = ApiClient(world.client, key["key"])
    start = dt.datetime.now(dt.UTC)
    with time_machine.travel(start, tick=False):
        for remaining in (2, 1, 0):
            answer = system.get("/api/v1/me")
            assert answer.status_code == 200
            assert answer.headers["X-RateLimit-Limit"] == "3"
            assert answer.headers["X-RateLimit-Remaining"] == str(remaining)
        refused = system.get("/api/v1/me")
        assert refused.status_code == 429
        assert refused.get_json()["code"] == "too_many_requests"
        assert set(refused.get_json()) == {"status", "code", "message"}
        assert 1 <= int(refused.headers["Retry-After"]) <= 60
        assert system.post("/api/v1/referrals/00000000-0000-0000-0000-000000000000/notes",
                           json={"text": "x"}).status_code == 429  # before anything else is looked at
    with time_machine.travel(start + dt.timedelta(seconds=61), tick=False):
        assert system.get("/api/v1/me").status_code == 200  # a new minute


def test_bearer_tokens_of_people_are_not_limited_by_the_keys_limit(app, world):
    new_key(world, rate_limit=1)
    police = world.api("police")
    assert all(police.get("/api/v1/me").status_code == 200 for _ in range(5))


@pytest.mark.config(API_KEY_RATE_LIMIT=2)
def test_the_configured_default_applies_until_the_administrator_sets_the_keys_own(app, world):
    key = new_key(world)
    assert key["rate_limit"] is None and key["effective_rate_limit"] == 2
    system = ApiClient(world.client, key["key"])
    assert [system.get("/api/v1/me").status_code for _ in range(3)] == [200, 200, 429]
    admin = world.api("admin")
    changed = admin.patch(f"/api/v1/admin/api-keys/{key['id']}", json={"rate_limit": 10})
    assert changed.status_code == 200 and changed.get_json()["effective_rate_limit"] == 10
    assert system.get("/api/v1/me").status_code == 200  # the same minute: 4 of 10 now
    back = admin.patch(f"/api/v1/admin/api-keys/{key['id']}", json={"rate_limit": None})
    assert back.get_json()["rate_limit"] is None and back.get_json()["effective_rate_limit"] == 2
    for wrong in (0, -1, 1_000_001, "ten", 2.5):
        refused = admin.patch(f"/api/v1/admin/api-keys/{key['id']}", json={"rate_limit": wrong})
        assert refused.status_code == 422 and "rate_limit" in refused.get_json()["errors"], wrong
    assert admin.patch(f"/api/v1/admin/api-keys/{key['id']}", json={}).status_code == 422
    assert admin.post("/api/v1/admin/api-keys", json={"email": world.users["police"]["email"], "label": "x",
                                                      "rate_limit": 0}).status_code == 422
    listed = admin.get("/api/v1/admin/api-keys").get_json()
    listed = listed["items"] if isinstance(listed, dict) else listed
    assert [k["effective_rate_limit"] for k in listed if k["id"] == key["id"]] == [2]
    # another administrator's role: the key is not found
    assert world.api("police").patch(f"/api/v1/admin/api-keys/{key['id']}", json={"rate_limit": 5}).status_code == 404


def test_simultaneous_requests_get_exactly_the_limit(app, world, live_server):
    key = new_key(world, rate_limit=5)
    n = 12
    barrier = threading.Barrier(n)
    statuses = [None] * n

    def call(i):
        barrier.wait()
        statuses[i] = requests.get(f"{live_server}/api/v1/me", headers={"Authorization": f"Bearer {key['key']}"},
                                   timeout=60).status_code

    with time_machine.travel(dt.datetime.now(dt.UTC), tick=False):  # one minute for all of them
        threads = [threading.Thread(target=call, args=(i,)) for i in range(n)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(90)
    assert sorted(statuses) == [200] * 5 + [429] * (n - 5)


def test_the_administrator_sets_a_keys_limit_on_the_page(app, world):
    from accounts.models import AuthToken
    from core.extensions import db
    from tests.accounts.web import csrf_token, web_login

    key = new_key(world)
    web = app.test_client()
    web_login(web, world.users["admin"])
    page = web.get("/admin/api-keys").get_data(as_text=True)
    assert f'/admin/api-keys/{key["id"]}/rate-limit' in page
    refused = web.post(f"/admin/api-keys/{key['id']}/rate-limit",
                       data={"csrf_token": csrf_token(web, "/admin/api-keys"), "rate_limit": "0"})
    assert refused.status_code == 422
    assert 'id="field-rate_limit"' in refused.get_data(as_text=True)
    done = web.post(f"/admin/api-keys/{key['id']}/rate-limit",
                    data={"csrf_token": csrf_token(web, "/admin/api-keys"), "rate_limit": "120"})
    assert done.status_code == 302
    with app.app_context():
        assert db.session.get(AuthToken, uuid.UUID(key["id"])).rate_limit == 120
    cleared = web.post(f"/admin/api-keys/{key['id']}/rate-limit",
                       data={"csrf_token": csrf_token(web, "/admin/api-keys"), "rate_limit": ""})
    assert cleared.status_code == 302
    with app.app_context():
        assert db.session.get(AuthToken, uuid.UUID(key["id"])).rate_limit is None
