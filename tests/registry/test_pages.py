"""The registry's pages: the forms (CSRF on), refused forms with their error summary and nothing kept, an
expert's start page and opinion, the invitation page with a conflict, the talent pool and the staffing."""
from tests.accounts.web import csrf_token, web_login
from tests.registry.conftest import profile
from tests.registry.test_experts import OPINION, convene
from tests.routing.support import accepted, ok


def signed_in(world, key):
    client = world.app.test_client()
    assert web_login(client, world.users[key]).status_code == 302
    return client


def test_a_supervisor_registers_a_base_and_a_refused_form_keeps_nothing(world):
    web = signed_in(world, "supervisor")
    page = web.get("/registry/bases")
    assert page.status_code == 200 and 'data-testid="table-demonstration_targets"' in page.get_data(as_text=True)
    token = csrf_token(web, "/registry/bases/new")
    form = {"csrf_token": token, "kind": "zone", "name": "  ", "district": "pudong", "host_name": "张江科学城",
            "industry": "biomedicine", "status": "recognised", "centre_id": world.org("centre")}
    refused = web.post("/registry/bases", data=form)
    text = refused.get_data(as_text=True)
    assert refused.status_code == 422 and 'data-testid="error-summary"' in text and 'href="#field-name"' in text
    assert ok(world.api("supervisor").get("/api/v1/registry/bases"))["total"] == 0
    saved = web.post("/registry/bases", data={**form, "name": "张江示范区"})
    assert saved.status_code == 302
    listed = web.get("/registry/bases?kind=zone").get_data(as_text=True)
    assert "张江示范区" in listed
    assert web.get("/registry/bases?kind=nope").status_code == 422
    clerk = signed_in(world, "clerk")
    assert "张江示范区" in clerk.get("/registry/bases").get_data(as_text=True)
    assert clerk.get("/registry/bases/new").status_code == 404
    assert signed_in(world, "police").get("/registry/bases").status_code == 404


def test_an_expert_signs_in_to_its_consultations_and_submits_an_opinion(world):
    complaint = accepted(world)
    profile(world, "expert")
    cons = convene(world, complaint["id"])
    ok(world.api("clerk").post(f"/api/v1/consultations/{cons['id']}/experts",
                               json={"expert_ids": [str(world.users["expert"]["id"])]}))
    web = world.app.test_client()
    landed = web_login(web, world.users["expert"])
    assert landed.status_code == 302
    home = web.get("/", follow_redirects=True)
    assert home.request.path == "/expert" and complaint["reference"] in home.get_data(as_text=True)
    url = f"/consultations/{cons['id']}"
    page = web.get(url).get_data(as_text=True)
    assert 'data-testid="submit-opinion"' in page
    token = csrf_token(web, url)
    blank = web.post(f"{url}/opinions", data={"csrf_token": token, "opinion": " "})
    assert blank.status_code == 422
    done = web.post(f"{url}/opinions", data={"csrf_token": token, "opinion": OPINION})
    assert done.status_code == 302
    assert OPINION in web.get(url).get_data(as_text=True)
    # nothing else of the platform
    for other in (f"/centre/complaints/{complaint['id']}", "/centre/queue", "/agency/inbox", "/registry/bases",
                  "/registry/experts", "/registry/talent", f"/complaints/{complaint['id']}"):
        assert web.get(other).status_code == 404, other


def test_the_invitation_page_shows_a_conflict_and_refuses_it(world):
    complaint = accepted(world)
    profile(world, "conflicted", conflicts=[{"name": "上海锐驰自动化有限公司"}])
    cons = convene(world, complaint["id"])
    web = signed_in(world, "clerk")
    page = web.get(f"/consultations/{cons['id']}").get_data(as_text=True)
    assert 'data-testid="invite-experts-link"' in page
    url = f"/registry/consultations/{cons['id']}/experts"
    invite_page = web.get(url).get_data(as_text=True)
    assert 'data-testid="conflict"' in invite_page
    refused = web.post(url, data={"csrf_token": csrf_token(web, url),
                                  "expert_ids": str(world.users["conflicted"]["id"])})
    assert refused.status_code == 422 and 'data-testid="error-summary"' in refused.get_data(as_text=True)
    assert ok(world.api("clerk").get(f"/api/v1/consultations/{cons['id']}"))["expert_invitations"] == []
    assert signed_in(world, "police").get(url).status_code == 404
    assert 'invite-experts-link' not in signed_in(world, "police").get(f"/consultations/{cons['id']}").get_data(
        as_text=True)


def test_the_talent_pool_and_staffing_pages(world):
    complaint = accepted(world)
    supervision = ok(world.api("supervisor").post(f"/api/v1/complaints/{complaint['id']}/supervision",
                                                  json={"instructions": "请报告。"}), 201)
    web = signed_in(world, "supervisor")
    token = csrf_token(web, "/registry/talent")
    officer = world.users["police"]["id"]
    assert web.post(f"/registry/talent/{officer}/tags", data={"csrf_token": token, "tag": "电子取证"}).status_code == 302
    assert "电子取证" in web.get("/registry/talent?tag=取证").get_data(as_text=True)
    blank = web.post(f"/registry/talent/{officer}/tags", data={"csrf_token": token, "tag": ""})
    assert blank.status_code == 422
    url = f"/registry/key-cases/{supervision['id']}/staff"
    assert 'data-testid="staff-link"' in web.get(f"/centre/complaints/{complaint['id']}").get_data(as_text=True)
    staffed = web.post(url, data={"csrf_token": csrf_token(web, url), "officer_ids": str(officer)})
    assert staffed.status_code == 302
    assert 'data-testid="staff-member"' in web.get(url).get_data(as_text=True)
    assert web.post(url, data={"csrf_token": csrf_token(web, url)}).status_code == 422
    assert signed_in(world, "clerk").get(url).status_code == 404


def test_the_dashboard_shows_the_bases_section_to_supervisors(world):
    ok(world.api("supervisor").post("/api/v1/registry/bases", json={
        "kind": "zone", "name": "张江示范区", "district": "pudong", "host_name": "张江科学城",
        "industry": "biomedicine", "status": "recognised", "centre_id": world.org("centre")}), 201)
    page = signed_in(world, "supervisor").get("/supervision/dashboard")
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and 'data-testid="section-demonstration_bases"' in text and "张江示范区" in text
    clerk = signed_in(world, "clerk").get("/supervision/dashboard")
    assert 'data-testid="section-demonstration_bases"' not in clerk.get_data(as_text=True)


def test_bad_filters_are_field_errors(world):
    web = signed_in(world, "supervisor")
    assert web.get("/registry/experts?kind=nope").status_code == 422
    assert web.get("/registry/experts?q=" + "x" * 101).status_code == 422
    assert web.get("/registry/talent?agency_id=nope").status_code == 422
    assert web.get("/registry/talent?tag=" + "x" * 101).status_code == 422
    assert web.get("/registry/bases?q=" + "x" * 101).status_code == 422
