"""Security headers on pages and API answers, no-store on authenticated answers, CSRF on every form."""
import pytest

from tests.accounts.web import csrf_token, web_login


def csp_directives(response):
    policy = response.headers["Content-Security-Policy"]
    directives = {}
    for part in policy.split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


def assert_common_headers(response):
    directives = csp_directives(response)
    script_src = directives.get("script-src") or directives["default-src"]
    assert "'unsafe-inline'" not in script_src
    assert "'unsafe-eval'" not in script_src
    assert not any(source.startswith(("http:", "https:", "*")) for source in script_src)
    assert directives["frame-ancestors"] == ["'none'"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] in ("same-origin", "no-referrer", "strict-origin-when-cross-origin")


@pytest.mark.parametrize("url", ["/", "/login", "/register", "/api/v1/docs"])
def test_public_page_has_security_headers(client, url):
    response = client.get(url)
    assert response.status_code == 200
    assert_common_headers(response)


def test_not_found_page_has_security_headers(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert_common_headers(response)


def test_api_answer_has_security_headers_and_no_store(client, create_user):
    user = create_user()
    response = client.post("/api/v1/auth/tokens", json={"email": user["email"], "password": user["password"]})
    assert response.status_code == 201
    assert_common_headers(response)
    assert "no-store" in response.headers["Cache-Control"]
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {response.get_json()['token']}"})
    assert_common_headers(me)
    assert "no-store" in me.headers["Cache-Control"]


def test_api_error_answer_has_security_headers(client):
    response = client.get("/api/v1/me")
    assert response.status_code == 401
    assert_common_headers(response)


@pytest.mark.parametrize("url", ["/account", "/complaints/", "/complaints/new"])
def test_authenticated_page_is_no_store(client, create_user, url):
    web_login(client, create_user())
    response = client.get(url)
    assert response.status_code == 200
    assert_common_headers(response)
    assert "no-store" in response.headers.get("Cache-Control", "")


def test_pages_have_no_inline_script(client, create_user):
    pages = [client.get("/").get_data(as_text=True), client.get("/register").get_data(as_text=True)]
    web_login(client, create_user())
    pages.append(client.get("/complaints/new").get_data(as_text=True))
    for html in pages:
        for tag in html.split("<script")[1:]:
            assert tag.split(">", 1)[0].strip().startswith("src="), tag[:80]
        assert " onclick=" not in html and " onload=" not in html


def test_home_page_is_no_store_only_when_signed_in(client, create_user):
    assert "no-store" not in client.get("/").headers.get("Cache-Control", "")
    web_login(client, create_user(role="clerk"))
    assert "no-store" in client.get("/").headers.get("Cache-Control", "")


# --- CSRF on every form ---------------------------------------------------------------------------

@pytest.mark.parametrize("url", ["/register", "/login"])
def test_public_form_without_csrf_token_is_400(client, create_user, url):
    user = create_user()
    response = client.post(url, data={"email": user["email"], "password": user["password"]})
    assert response.status_code == 400
    assert client.get("/account").status_code == 302


def test_login_with_a_token_of_another_session_is_400(app, client, create_user):
    user = create_user()
    foreign = csrf_token(app.test_client(), "/login")
    csrf_token(client, "/login")
    response = client.post("/login", data={"csrf_token": foreign, "email": user["email"], "password": user["password"]})
    assert response.status_code == 400


def test_new_complaint_without_csrf_token_is_400_and_writes_nothing(app, client, create_user):
    from intake.models import Complaint
    from tests.accounts.web import count_rows

    web_login(client, create_user())
    response = client.post("/complaints/new", data={"secret_category": "technical"})
    assert response.status_code == 400
    assert count_rows(app, Complaint) == 0
    # the same form with its token is accepted
    token = csrf_token(client, "/complaints/new")
    response = client.post("/complaints/new", data={"csrf_token": token, "secret_category": "technical"})
    assert response.status_code == 302
    assert count_rows(app, Complaint) == 1


def test_every_rendered_form_carries_a_csrf_token(client, create_user):
    pages = ["/login", "/register"]
    htmls = [client.get(url).get_data(as_text=True) for url in pages]
    web_login(client, create_user())
    htmls += [client.get(url).get_data(as_text=True) for url in ["/account", "/complaints/new", "/complaints/"]]
    for html in htmls:
        forms = html.split("<form")[1:]
        assert forms
        for form in forms:
            head, body = form.split(">", 1)
            if 'method="post"' in head:
                assert 'name="csrf_token"' in body.split("</form>", 1)[0]
