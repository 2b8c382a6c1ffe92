"""GET /api/v1/organisations: the partner organisations (never an enterprise) by kind, district and name, with ids
and labels in Chinese and English, paged by an opaque cursor; any signed-in caller."""
import base64
import json

import pytest

from tests.routing.conftest import ORGS, world  # noqa: F401 - the routing tests' small Shanghai

URL = "/api/v1/organisations"
PARTNERS = {key for key, (kind, _district, _name) in ORGS.items() if kind != "enterprise"}


def get(api, **query):
    response = api.get(URL, query_string=query)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def everything(api, **query) -> list[dict]:
    """Every page, following next_cursor."""
    items, cursor = [], None
    while True:
        page = get(api, **query, **({"cursor": cursor} if cursor else {}))
        items += page["items"]
        cursor = page["next_cursor"]
        if cursor is None:
            return items


@pytest.mark.parametrize("who", ["enterprise", "clerk", "police", "amr_city_head", "supervisor", "admin"])
def test_every_signed_in_caller_reads_the_partners_and_no_enterprise(world, who):
    page = get(world.api(who))
    ids = {item["id"] for item in page["items"]}
    assert ids == {world.org(key) for key in PARTNERS} and page["total"] == len(PARTNERS)
    assert page["next_cursor"] is None
    assert world.org("enterprise") not in ids and world.org("other_enterprise") not in ids
    assert all(item["kind"] != "enterprise" for item in page["items"])


def test_the_anonymous_get_401(app):
    response = app.test_client().get(URL)
    assert response.status_code == 401 and response.get_json()["code"]


def test_an_entry_has_what_a_client_routes_and_displays_by(world):
    police = next(i for i in get(world.api("clerk"))["items"] if i["id"] == world.org("police_pudong"))
    assert police == {"id": world.org("police_pudong"), "name": "上海市公安局浦东分局", "kind": "public_security",
                      "kind_label": {"zh": police["kind_label"]["zh"], "en": "Public security"},
                      "district": "pudong", "district_label": {"zh": "浦东新区", "en": "Pudong New Area"},
                      "receives_referrals": True}
    assert police["kind_label"]["zh"] and police["kind_label"]["zh"] != "Public security"
    centre = next(i for i in get(world.api("clerk"))["items"] if i["id"] == world.org("centre"))
    assert centre["receives_referrals"] is False and centre["kind"] == "rights_center"
    # no contact details, credit codes or users in the directory
    assert not {"contact_person", "phone", "email", "credit_code", "users"} & set(police)


def test_filters_by_kind_district_and_name(world):
    api = world.api("enterprise")
    assert {i["id"] for i in get(api, kind="public_security")["items"]} == {world.org("police"),
                                                                             world.org("police_pudong")}
    assert {i["id"] for i in get(api, district="putuo")["items"]} == {world.org("amr_putuo")}
    assert {i["id"] for i in get(api, kind="market_regulation", district="municipal")["items"]} == {
        world.org("amr_city")}
    page = get(api, q="浦东")
    assert [i["id"] for i in page["items"]] == [world.org("police_pudong")] and page["total"] == 1
    assert get(api, q="普陀区市场")["items"][0]["id"] == world.org("amr_putuo")
    assert get(api, q="%")["items"] == [] and get(api, q="_")["items"] == []  # LIKE's wildcards match themselves
    assert get(api, q="澄川")["items"] == []  # an enterprise is not found by its name either


@pytest.mark.parametrize("query,field", [({"kind": "enterprise"}, "kind"), ({"kind": "bank"}, "kind"),
                                         ({"district": "atlantis"}, "district"), ({"limit": 0}, "limit"),
                                         ({"limit": 101}, "limit"), ({"q": "x" * 101}, "q"),
                                         ({"cursor": "not a cursor"}, "cursor"), ({"cursor": "e30"}, "cursor")])
def test_bad_queries_are_422_on_their_field(world, query, field):
    response = world.api("police").get(URL, query_string=query)
    assert response.status_code == 422, response.get_json()
    assert field in response.get_json()["errors"]


def test_another_lists_cursor_or_a_forged_one_is_422_on_cursor(world):
    forged = base64.urlsafe_b64encode(json.dumps(["complaints", "court", "municipal", "x",
                                                  "00000000-0000-0000-0000-000000000000"]).encode()).decode()
    bad_kind = base64.urlsafe_b64encode(json.dumps(["organisations", "enterprisey", "municipal", "x",
                                                    "00000000-0000-0000-0000-000000000000"]).encode()).decode()
    for cursor in (forged, bad_kind, "%%%", "A" * 2001):
        response = world.api("police").get(URL, query_string={"cursor": cursor})
        assert response.status_code == 422 and "cursor" in response.get_json()["errors"], cursor


def test_pages_by_cursor_see_every_organisation_once_in_order(app, world):
    from accounts import services
    from accounts.enums import District, OrgKind
    from core.extensions import db

    with app.app_context():  # same kind, district and name: the id orders them
        for n in range(5):
            services.create_organisation(name="上海市闵行区人民法院", kind=OrgKind.court, district=District.minhang)
        db.session.commit()
    api = world.api("court")
    first = get(api, limit=3)
    assert len(first["items"]) == 3 and first["next_cursor"] and first["total"] == len(PARTNERS) + 5
    paged = everything(api, limit=3)
    whole = get(api, limit=100)["items"]
    assert [i["id"] for i in paged] == [i["id"] for i in whole] and len(whole) == len(PARTNERS) + 5
    assert len({i["id"] for i in paged}) == len(paged)
    # the order: kind, district, name (then id)
    assert [(i["kind"], i["district"]) for i in whole] == sorted((i["kind"], i["district"]) for i in whole)
    # a filter keeps its pages
    courts = everything(api, kind="court", limit=2)
    assert len(courts) == 6 and {i["kind"] for i in courts} == {"court"}


def test_the_document_describes_the_directory(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    operation = spec["paths"]["/api/v1/organisations"]["get"]
    names = {p["name"] for p in operation["parameters"]}
    assert {"kind", "district", "q", "cursor", "limit"} <= names
    kind = next(p for p in operation["parameters"] if p["name"] == "kind")
    assert "enterprise" not in kind["schema"]["enum"] and "court" in kind["schema"]["enum"]
    page = operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
    assert set(spec["components"]["schemas"][page]["properties"]) == {"items", "next_cursor", "total"}
