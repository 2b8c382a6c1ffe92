"""Issue 8, point 14: find a complaint by its number (or enterprise, infringer name, credit code).

One condition (intake/search.py) serves the centre's queue, the agency inbox and referral list, the
enterprise's own list and their API endpoints; each list keeps its access rule, so a search never reveals
another organisation's complaint; LIKE's wildcards in q match literally; an over-long q is a 422 field error.
"""
import uuid

from tests.agencies.web import Browser, field_errors
from tests.routing.support import CUSTOMER_LIST, accepted, example, ok, refer, submit

CODE = "91310107MA1G8B0KLP"  # the credit code of 上海鲜达供应链管理有限公司 in CUSTOMER_LIST
ODD_NAME = "上海百分50%_折扣有限公司"  # LIKE's wildcards in a real name


def _odd():
    data = example(CUSTOMER_LIST)
    data["infringers"] = [{"kind": "competitor", "name": ODD_NAME}]
    return data


def _setting(world):
    """Complaints of two enterprises: A (ours, to the police), B (ours, to the market regulator, with the odd
    name), C (the other enterprise's, same infringers as A's, another centre)."""
    a = accepted(world, CUSTOMER_LIST, files=0)
    b = accepted(world, _odd(), files=0)
    c = submit(world, CUSTOMER_LIST, who="other_enterprise", files=0)
    ref_a = refer(world, a["id"], "police", "criminal")
    ref_b = refer(world, b["id"], "amr_city", "administrative")
    return a, b, c, ref_a, ref_b


def _actor(app, world, key):
    from accounts.models import User
    from core.extensions import db

    return db.session.get(User, world.users[key]["id"])


# --- the service level -----------------------------------------------------------------------------

def test_every_list_finds_by_reference_enterprise_infringer_and_code_within_its_access(app, world):
    from intake import services as intake
    from routing import services
    from core.pagination import Pages
    from routing.queue import centre_queue

    a, b, c, ref_a, ref_b = _setting(world)
    number_a = a["reference"].rsplit("-", 1)[1]  # e.g. "000001"

    with app.test_request_context():
        enterprise, other = _actor(app, world, "enterprise"), _actor(app, world, "other_enterprise")
        clerk, other_clerk = _actor(app, world, "clerk"), _actor(app, world, "other_clerk")
        police, amr = _actor(app, world, "police"), _actor(app, world, "amr_city")
        supervisor = _actor(app, world, "supervisor")

        def mine(q, actor=enterprise):
            return {x.reference for x in intake.list_complaints(actor, q=q, window=Pages(per_page=100)).items}

        def queue(q, actor=clerk):
            return {x.reference for x in centre_queue(actor, q=q, window=Pages(per_page=100)).items}

        def inbox(q, actor=police):
            return {r.complaint.reference for r in services.list_referrals(actor, q=q, window=Pages(per_page=100)).items}

        ra, rb, rc = a["reference"], b["reference"], c["reference"]
        # the reference, whole, lower-case, or a part of it
        assert mine(ra) == {ra} and mine(ra.lower()) == {ra} and mine(f"  {number_a} ") == {ra}
        assert queue(ra.lower()) == {ra} and queue(number_a) == {ra}
        assert inbox(ra.lower()) == {ra} and inbox(number_a) == {ra}
        # the enterprise's name, an infringer's name, the credit code (trimmed, any case)
        assert queue("澄川") == {ra, rb} and mine("澄川") == {ra, rb}
        assert queue("鲜达") == {ra} and mine("赵某") == {ra} and inbox("鲜达") == {ra}
        assert queue(f"  {CODE.lower()} ") == {ra} and mine(CODE.lower()) == {ra} and inbox(CODE[-6:].lower()) == {ra}
        assert queue("") == {ra, rb} and queue(None) == {ra, rb}  # no term: the whole list
        assert queue("no such complaint") == set()

        # access holds: another organisation's complaint is never found, however it is named
        assert mine(rc) == set() and mine("鲜达") == {ra}
        assert mine("鲜达", other) == {rc} and mine(ra, other) == set() and mine("澄川", other) == set()
        assert queue(rc) == set() and queue("徐汇某软件") == set()
        assert queue(ra, other_clerk) == set() and queue("鲜达", other_clerk) == {rc}
        assert inbox(rb) == set() and inbox(ODD_NAME) == set() and inbox("澄川") == {ra}
        assert inbox(ra, amr) == set() and inbox("澄川", amr) == {rb}
        assert queue("鲜达", supervisor) == {ra, rc}

        # LIKE's wildcards match themselves
        assert queue("%") == {rb} and queue("_") == {rb} and queue("50%_") == {rb}
        assert queue("%鲜达%") == set() and queue("鲜_") == set() and queue("\\") == set()
        assert mine("百分50%") == {rb} and inbox("%", amr) == {rb} and inbox("%") == set()


# --- the API ---------------------------------------------------------------------------------------

def _found(response, key="reference"):
    body = ok(response)
    return {item[key] if key else item for item in body["items"]}


def test_the_api_lists_find_by_q_and_never_across_organisations(world):
    a, b, c, ref_a, ref_b = _setting(world)
    ra, rb, rc = a["reference"], b["reference"], c["reference"]
    enterprise, other, clerk = world.api("enterprise"), world.api("other_enterprise"), world.api("clerk")
    police, amr = world.api("police"), world.api("amr_city")

    assert _found(enterprise.get(f"/api/v1/complaints?q={ra.lower()}")) == {ra}
    assert _found(enterprise.get(f"/api/v1/complaints?q={rc}")) == set()
    assert _found(other.get("/api/v1/complaints?q=鲜达")) == {rc}
    assert _found(clerk.get(f"/api/v1/queue?q={CODE.lower()}")) == {ra}
    assert _found(clerk.get("/api/v1/queue?q=%25")) == {rb}  # a literal %
    assert _found(clerk.get("/api/v1/queue?q=_")) == {rb}
    assert _found(clerk.get(f"/api/v1/queue?q={rc}")) == set()
    assert _found(police.get("/api/v1/referrals?q=鲜达"), "id") == {ref_a["id"]}
    assert _found(police.get(f"/api/v1/referrals?q={rb}"), "id") == set()
    assert _found(amr.get("/api/v1/referrals?q=%25"), "id") == {ref_b["id"]}
    assert _found(amr.get(f"/api/v1/referrals?q={ra}"), "id") == set()


def test_a_too_long_q_is_a_field_error_everywhere(app, world):
    long_q = "鲜" * 101
    for who, url in (("enterprise", "/api/v1/complaints"), ("clerk", "/api/v1/queue"), ("police", "/api/v1/referrals")):
        response = world.api(who).get(f"{url}?q={long_q}")
        assert response.status_code == 422, (url, response.status_code)
        assert list(response.get_json()["errors"]) == ["q"], url
        assert ok(world.api(who).get(f"{url}?q={'鲜' * 100}"))["items"] == []

    for who, url in (("enterprise", "/complaints/"), ("clerk", "/centre/queue"), ("police", "/agency/inbox")):
        browser = Browser(app, world.users[who])
        response = browser.client.get(f"{url}?q={long_q}")
        assert response.status_code == 422, (url, response.status_code)
        assert field_errors(response.get_data(as_text=True), "q"), url


def test_the_search_box_keeps_its_value_and_works_without_javascript(app, world):
    a, b, c, ref_a, ref_b = _setting(world)
    for who, url in (("enterprise", "/complaints/"), ("clerk", "/centre/queue"), ("police", "/agency/inbox")):
        browser = Browser(app, world.users[who])
        html = browser.get(f"{url}?q=%20{a['reference'].lower()}%20")
        assert f'<form method="get" action="{url}" role="search"' in html, url  # a plain GET form
        assert f'name="q" value="{a["reference"].lower()}"' in html, url
        assert a["reference"] in html and b["reference"] not in html and c["reference"] not in html, url
        html = browser.get(f"{url}?q=50%25_")
        assert 'name="q" value="50%_"' in html, url
    # the queue's filters keep the search, and the search keeps the filters
    clerk = Browser(app, world.users["clerk"])
    html = clerk.get("/centre/queue?q=鲜达&state=referred")
    assert '<input type="hidden" name="q" value="鲜达">' in html
    assert '<input type="hidden" name="state" value="referred">' in html
    assert uuid.UUID(a["id"])  # found by its reference only
