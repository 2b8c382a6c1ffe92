"""The queue costs a fixed number of SQL statements per page, whatever its size (no N+1)."""
from contextlib import contextmanager

from sqlalchemy import event

from core.extensions import db
from tests.routing.support import insert_complaints, ok


@contextmanager
def counting(app):
    statements = []

    def count(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", count)


def page_cost(app, api, url):
    api.get(url)  # warm up: the token's user and any lazy first-request work
    with counting(app) as statements:
        page = ok(api.get(url))
    return page, len(statements), statements


def test_the_queue_page_costs_the_same_number_of_queries_for_5_and_50_complaints(app, world):
    clerk = world.api("clerk")
    # each complaint has its own enterprise and two infringers: an N+1 on either would show
    insert_complaints(app, world, 5, "submitted", enterprises=5)
    small, small_cost, small_sql = page_cost(app, clerk, "/api/v1/queue?limit=100")
    assert len(small["items"]) == 5 and small["total"] == 5
    assert all(len(item["infringers"]) == 2 for item in small["items"])

    insert_complaints(app, world, 45, "submitted", enterprises=45)
    large, large_cost, large_sql = page_cost(app, clerk, "/api/v1/queue?limit=100")
    assert len(large["items"]) == 50 and large["total"] == 50
    assert len({item["enterprise"] for item in large["items"]}) == 50
    assert large_cost == small_cost, (small_sql, large_sql)
    assert large_cost <= 6, large_sql  # the token, the count, the page, its infringers

    # a page of 5 out of 50, and a filtered page, cost the same again
    _page, cost, sql = page_cost(app, clerk, "/api/v1/queue?limit=5")
    assert cost == small_cost, sql
    filtered, cost, sql = page_cost(app, clerk, "/api/v1/queue?limit=100&state=submitted&infringer=侵权人")
    assert len(filtered["items"]) == 50 and cost == small_cost, sql

