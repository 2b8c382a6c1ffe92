"""Two clerks of one centre act on the same complaint at the same moment (PostgreSQL: real row locks).

Each round has a fresh complaint; two threads, each with its own test client and token, read it,
meet at a barrier, then POST together. Exactly one wins, the other gets 409, never a duplicate.
"""
import pytest
from sqlalchemy import func, select

from core.extensions import db
from intake.models import ComplaintEvent
from routing.models import Referral
from tests.conftest import ApiClient
from tests.routing.support import insert_complaints
from tests.threads import run_together

ROUNDS = 100


def race(app, world, complaint_ids, step):
    """Run ``step(api, complaint_id, barrier)`` in two threads per complaint: [(status, body), (status, body)]."""
    clients = [ApiClient(app.test_client(), world.api(key).token) for key in ("clerk", "clerk2")]
    results = [[None, None] for _ in complaint_ids]

    def run(who, barrier):
        for i, complaint_id in enumerate(complaint_ids):
            response = step(clients[who], complaint_id, barrier)
            results[i][who] = (response.status_code, response.get_json())

    run_together(run, (0, 1))
    return results


def read_version(api, complaint_id):
    response = api.get(f"/api/v1/complaints/{complaint_id}")
    assert response.status_code == 200, response.get_json()
    return response.get_json()["version"]


def referrals_per_complaint(app, complaint_ids):
    import uuid

    with app.app_context():
        rows = db.session.execute(select(Referral.complaint_id, func.count()).where(
            Referral.complaint_id.in_([uuid.UUID(c) for c in complaint_ids])).group_by(Referral.complaint_id)).all()
        refer_events = db.session.scalar(select(func.count()).select_from(ComplaintEvent).where(
            ComplaintEvent.complaint_id.in_([uuid.UUID(c) for c in complaint_ids]), ComplaintEvent.trigger == "refer"))
    return {str(c): n for c, n in rows}, refer_events


@pytest.mark.postgres_only
def test_two_clerks_route_the_same_complaint_at_once(app, world):
    complaint_ids = insert_complaints(app, world, ROUNDS, "accepted")
    body = {"referrals": [{"agency_id": world.org("police"), "track": "criminal"}]}

    def route(api, complaint_id, barrier):
        version = read_version(api, complaint_id)
        barrier.wait(timeout=30)  # both have read the same version
        return api.post(f"/api/v1/complaints/{complaint_id}/referrals", json=body,
                        headers={"If-Match": f'"{version}"'})

    results = race(app, world, complaint_ids, route)
    for i, pair in enumerate(results):
        assert sorted(status for status, _ in pair) == [201, 412], (i, pair)
        loser = next(body for status, body in pair if status == 412)
        assert loser["code"] == "stale_version", loser  # it waited for the winner's lock, then saw the new version
    counts, refer_events = referrals_per_complaint(app, complaint_ids)
    assert counts == {c: 1 for c in complaint_ids}
    assert refer_events == ROUNDS


@pytest.mark.postgres_only
@pytest.mark.config(API_REQUIRE_IF_MATCH=False)
def test_two_clerks_accept_then_route_without_versions(app, world):
    """Accept with If-Match (one wins), then route with no version at all (API_REQUIRE_IF_MATCH off): the row
    lock and the unique active referral still let exactly one through."""
    rounds = ROUNDS // 2
    complaint_ids = insert_complaints(app, world, rounds, "triaging")

    def accept(api, complaint_id, barrier):
        version = read_version(api, complaint_id)
        barrier.wait(timeout=30)
        return api.post(f"/api/v1/complaints/{complaint_id}/transitions", json={"trigger": "accept"},
                        headers={"If-Match": f'"{version}"'})

    for i, pair in enumerate(race(app, world, complaint_ids, accept)):
        assert sorted(status for status, _ in pair) == [200, 412], (i, pair)
        assert next(body for status, body in pair if status == 412)["code"] == "stale_version"

    body = {"referrals": [{"agency_id": world.org("police"), "track": "criminal"}]}

    def route(api, complaint_id, barrier):
        barrier.wait(timeout=30)
        return api.post(f"/api/v1/complaints/{complaint_id}/referrals", json=body, headers={"If-Match": None})

    for i, pair in enumerate(race(app, world, complaint_ids, route)):
        assert sorted(status for status, _ in pair) == [201, 409], (i, pair)
    counts, refer_events = referrals_per_complaint(app, complaint_ids)
    assert counts == {c: 1 for c in complaint_ids}
    assert refer_events == rounds
