"""One pagination envelope for every list of the API (core/pagination.py).

Every list answers {"items", "next_cursor", "total"?}, takes ``cursor`` and ``limit`` (1..100), pages by keyset
where the order is stable (rows written between two pages never shift a page) and by an offset cursor where
the person chooses the sort (the queue); a cursor that is not one of the list's (malformed, altered, of another
list, other filters or another sort) answers 422 on ``cursor``.
"""
import time_machine

from tests.paging import every, page
from tests.routing.conftest import world  # noqa: F401 - the fixture
from tests.routing.support import accepted, ok, submit

COMPLAINTS = "/api/v1/complaints"


def walk(api, url, limit):
    """Every page of a list at ``limit`` items a page: [page envelope, ...]."""
    pages, cursor = [], None
    while True:
        body = page(api, url, limit=limit, cursor=cursor)
        assert len(body["items"]) <= limit
        pages.append(body)
        cursor = body["next_cursor"]
        if cursor is None:
            return pages
        assert len(pages) < 100


def ids(items, key="id"):
    return [item[key] for item in items]


def refused(response):
    assert response.status_code == 422, (response.status_code, response.get_json())
    body = response.get_json()
    assert list(body["errors"]) == ["cursor"] and body["code"] == "validation_error", body
    return body


# --- the document ------------------------------------------------------------------------------------

def test_every_list_of_the_document_is_the_envelope_with_cursor_and_limit(client):
    document = client.get("/api/v1/openapi.json").get_json()
    schemas = document["components"]["schemas"]
    lists = []
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            if not isinstance(operation, dict):  # the path's own parameters
                continue
            for status, answer in operation.get("responses", {}).items():
                schema = answer.get("content", {}).get("application/json", {}).get("schema")
                if method == "get" and schema:
                    assert schema.get("type") != "array", f"GET {path} answers a bare array"
                name = (schema or {}).get("$ref", "").rsplit("/", 1)[-1]
                if method != "get" or name not in schemas or "next_cursor" not in schemas[name]["properties"]:
                    continue
                lists.append(path)
                envelope = schemas[name]
                assert {"items", "next_cursor"} <= set(envelope["required"]), name
                assert envelope["properties"]["items"]["type"] == "array"
                assert envelope["properties"]["next_cursor"]["nullable"] is True
                assert not {"page", "per_page"} & set(envelope["properties"]), name
                query = {p["name"]: p for p in operation.get("parameters", []) if p["in"] == "query"}
                assert {"cursor", "limit"} <= set(query) and not {"page", "per_page"} & set(query), path
                assert (query["limit"]["schema"]["minimum"], query["limit"]["schema"]["maximum"]) == (1, 100)
                assert query["cursor"]["schema"]["maxLength"] <= 1000
    assert {"/api/v1/complaints", "/api/v1/queue", "/api/v1/referrals", "/api/v1/complaints/{complaint_id}/referrals",
            "/api/v1/supervisions", "/api/v1/consultations", "/api/v1/complaints/{complaint_id}/timeline",
            "/api/v1/complaints/{complaint_id}/evidence", "/api/v1/referrals/{referral_id}/notes",
            "/api/v1/complaints/{complaint_id}/deadlines", "/api/v1/deadlines/{deadline_id}/extension-requests",
            "/api/v1/extension-requests", "/api/v1/admin/deadline-rules", "/api/v1/admin/webhooks",
            "/api/v1/admin/api-keys", "/api/v1/complaints/{complaint_id}/messages"} <= set(lists)


# --- keyset --------------------------------------------------------------------------------------------

def test_complaints_page_by_keyset_each_once_in_order_even_when_their_times_tie(world):
    enterprise = world.api("enterprise")
    with time_machine.travel("2026-11-02 01:00:00+00:00", tick=False):  # one updated_at for all: the id decides
        made = [ok(enterprise.post(COMPLAINTS, json={}), 201)["id"] for _ in range(5)]
    everything = page(enterprise, COMPLAINTS, limit=100)
    assert sorted(ids(everything["items"])) == sorted(made) and everything["total"] == 5
    assert everything["next_cursor"] is None

    pages = walk(enterprise, COMPLAINTS, 2)
    assert [len(p["items"]) for p in pages] == [2, 2, 1] and {p["total"] for p in pages} == {5}
    assert [i for p in pages for i in ids(p["items"])] == ids(everything["items"])
    assert pages[1]["next_cursor"] != pages[0]["next_cursor"]


def test_a_row_written_between_two_pages_shifts_no_page(world):
    enterprise = world.api("enterprise")
    made = [ok(enterprise.post(COMPLAINTS, json={}), 201)["id"] for _ in range(4)]
    first = page(enterprise, COMPLAINTS, limit=2)
    newer = ok(enterprise.post(COMPLAINTS, json={}), 201)["id"]  # the most recently updated: before page 1
    second = page(enterprise, COMPLAINTS, limit=2, cursor=first["next_cursor"])
    seen = ids(first["items"]) + ids(second["items"])
    assert sorted(seen) == sorted(made) and newer not in seen  # nothing twice, nothing skipped
    assert second["next_cursor"] is None and second["total"] == 5


def test_lists_computed_in_python_page_the_same_way(world):
    complaint = accepted(world)
    url = f"/api/v1/complaints/{complaint['id']}/timeline"
    clerk = world.api("clerk")
    rows = every(clerk, url)
    assert len(rows) >= 4
    pages = walk(clerk, url, 1)
    assert [i for p in pages for i in p["items"]] == rows and {p["total"] for p in pages} == {len(rows)}
    assert [r["at"] for r in rows] == sorted(r["at"] for r in rows)  # the timeline's order: oldest first


def test_keys_that_may_be_null_page_through(world):
    """The supervisions by their next report due: the lifted ones have none (NULL) and come last."""
    supervisor, url = world.api("supervisor"), "/api/v1/supervisions"
    complaints = [accepted(world) for _ in range(3)]
    for complaint in complaints:
        ok(supervisor.post(f"/api/v1/complaints/{complaint['id']}/supervision", json={"instructions": "督办。"}), 201)
    ok(supervisor.post(f"/api/v1/complaints/{complaints[0]['id']}/supervision/lift", json={"closing_note": "解除。"}))
    ok(supervisor.post(f"/api/v1/complaints/{complaints[1]['id']}/supervision/lift", json={"closing_note": "解除。"}))
    everything = ok(supervisor.get(f"{url}?limit=100"))["items"]
    assert [i["next_report_due_at"] is None for i in everything] == [False, True, True]
    pages = walk(supervisor, url, 1)
    assert [i for p in pages for i in ids(p["items"])] == ids(everything)


# --- the queue: an offset in the chosen sort ----------------------------------------------------------

def test_the_queue_pages_an_offset_in_the_chosen_sort(world):
    clerk = world.api("clerk")
    for _ in range(5):
        submit(world, files=0)
    for sort in ("reference", "due", "received"):
        url = f"/api/v1/queue?sort={sort}&desc=true"
        everything = page(clerk, url, limit=100)
        pages = walk(clerk, url, 2)
        assert [i for p in pages for i in ids(p["items"])] == ids(everything["items"]), sort
        assert len(everything["items"]) == 5 and {(p["total"], p["total_is_exact"]) for p in pages} == {(5, True)}
    references = ids(page(clerk, "/api/v1/queue?sort=reference", limit=100)["items"], "reference")
    assert references == sorted(references)


# --- cursors that are not the list's --------------------------------------------------------------------

def test_a_cursor_not_made_for_this_list_is_422_on_cursor(world):
    enterprise, clerk = world.api("enterprise"), world.api("clerk")
    first, second = submit(world, files=0), submit(world, files=0)
    for _ in range(3):
        ok(enterprise.post(COMPLAINTS, json={}), 201)
    cursor = page(enterprise, COMPLAINTS, limit=1)["next_cursor"]
    assert ok(enterprise.get(f"{COMPLAINTS}?limit=1&cursor={cursor}"))["items"]

    refused(enterprise.get(f"{COMPLAINTS}?limit=1&cursor={cursor[:-2]}"))  # altered
    refused(enterprise.get(f"{COMPLAINTS}?limit=1&cursor={'x' + cursor[1:]}"))
    refused(enterprise.get(f"{COMPLAINTS}?limit=1&cursor=bm90IGEgY3Vyc29y"))  # not one at all
    refused(enterprise.get(f"{COMPLAINTS}?limit=1&q=澄川&cursor={cursor}"))  # other filters
    refused(enterprise.get(f"/api/v1/complaints/{first['id']}/timeline?cursor={cursor}"))  # another list

    timeline = page(enterprise, f"/api/v1/complaints/{first['id']}/timeline", limit=1)["next_cursor"]
    refused(enterprise.get(f"/api/v1/complaints/{second['id']}/timeline?cursor={timeline}"))  # another complaint's
    assert ok(enterprise.get(f"/api/v1/complaints/{first['id']}/timeline?cursor={timeline}"))["items"]

    queue = page(clerk, "/api/v1/queue?sort=reference", limit=1)["next_cursor"]
    refused(clerk.get(f"/api/v1/queue?sort=due&cursor={queue}"))  # another sort
    refused(clerk.get(f"/api/v1/queue?sort=reference&desc=true&cursor={queue}"))
    refused(clerk.get(f"{COMPLAINTS}?cursor={queue}"))
    assert ok(clerk.get(f"/api/v1/queue?sort=reference&limit=1&cursor={queue}"))["items"]


def test_limit_is_1_to_100_and_defaults_to_20(world):
    enterprise = world.api("enterprise")
    for _ in range(21):
        ok(enterprise.post(COMPLAINTS, json={}), 201)
    default = ok(enterprise.get(COMPLAINTS))
    assert len(default["items"]) == 20 and default["next_cursor"] and default["total"] == 21
    assert len(ok(enterprise.get(f"{COMPLAINTS}?limit=100"))["items"]) == 21
    for bad in ("0", "101", "-1", "x"):
        response = enterprise.get(f"{COMPLAINTS}?limit={bad}")
        assert response.status_code == 422 and list(response.get_json()["errors"]) == ["limit"], bad


def test_a_cursor_from_another_secret_key_is_refused(app, world):
    enterprise = world.api("enterprise")
    for _ in range(2):
        ok(enterprise.post(COMPLAINTS, json={}), 201)
    cursor = page(enterprise, COMPLAINTS, limit=1)["next_cursor"]
    secret = app.config["SECRET_KEY"]
    app.config["SECRET_KEY"] = secret + "-rotated"
    try:
        refused(enterprise.get(f"{COMPLAINTS}?limit=1&cursor={cursor}"))
    finally:
        app.config["SECRET_KEY"] = secret
