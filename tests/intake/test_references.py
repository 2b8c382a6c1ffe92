"""Reference numbers: SM-<Shanghai year>-NNNNNN, sequential per year, unique under concurrency."""
import datetime as dt
import threading

import pytest
import time_machine

from core.timeutil import SHANGHAI
from tests.evidence.support import api_client, new_draft, submitted


@pytest.fixture
def api(api_login, create_user, rights_centre):
    return api_login(create_user())


def test_references_are_sequential_within_the_year(api, complete_draft):
    year = dt.datetime.now(SHANGHAI).year

    references = [submitted(api, complete_draft)["reference"] for _ in range(3)]

    assert references == [f"SM-{year}-000001", f"SM-{year}-000002", f"SM-{year}-000003"]


def test_a_draft_has_no_reference_until_submitted(api, complete_draft):
    assert new_draft(api, complete_draft)["reference"] is None


def test_the_year_is_shanghai_s_and_each_year_starts_again_at_one(create_user, api_login, rights_centre,
                                                                  complete_draft):
    with time_machine.travel(dt.datetime(2026, 12, 31, 15, 30, tzinfo=dt.UTC), tick=False):  # 23:30 in Shanghai
        api = api_login(create_user())
        assert submitted(api, complete_draft)["reference"] == "SM-2026-000001"
        assert submitted(api, complete_draft)["reference"] == "SM-2026-000002"
    with time_machine.travel(dt.datetime(2026, 12, 31, 16, 30, tzinfo=dt.UTC), tick=False):  # 00:30 on 1 January
        api = api_login(create_user())
        assert submitted(api, complete_draft)["reference"] == "SM-2027-000001"
    with time_machine.travel(dt.datetime(2026, 12, 31, 15, 59, tzinfo=dt.UTC), tick=False):  # a late clock: 2026 again
        api = api_login(create_user())
        assert submitted(api, complete_draft)["reference"] == "SM-2026-000003"


@pytest.mark.postgres_only
def test_concurrent_submissions_get_unique_consecutive_references(app, create_user, rights_centre, complete_draft):
    n = 24
    enterprise = create_user()["org_id"]
    clients = [api_client(app, create_user(org_id=enterprise)) for _ in range(n)]
    drafts = [new_draft(api, complete_draft)["id"] for api in clients]
    barrier = threading.Barrier(n)
    results = [None] * n

    def submit(i):
        try:
            barrier.wait(timeout=30)
            response = clients[i].post(f"/api/v1/complaints/{drafts[i]}/submit")
            results[i] = (response.status_code, response.get_json())
        except Exception as exc:  # reported below, in the main thread
            results[i] = (None, repr(exc))

    threads = [threading.Thread(target=submit, args=(i,)) for i in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert all(status == 200 for status, _ in results), results
    year = dt.datetime.now(SHANGHAI).year
    references = sorted(body["reference"] for _, body in results)
    assert references == [f"SM-{year}-{i:06d}" for i in range(1, n + 1)]
    final = [clients[0].get(f"/api/v1/complaints/{d}").get_json() for d in drafts]
    assert sorted(c["reference"] for c in final) == references
    assert {c["state"] for c in final} == {"submitted"}
