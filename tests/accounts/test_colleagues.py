"""An enterprise's first user invites colleagues of the same enterprise: a single-use, expiring link by
e-mail (through the outbox), a page where the colleague chooses a name and a password and becomes an
enterprise user there; the inviter sees the colleagues and the pending invitations and cancels them. Anyone
else (a colleague who is not the first user, staff, another enterprise) gets 404."""
import datetime as dt
import re
import threading

import pytest
import time_machine
from sqlalchemy import func, select

from accounts import services
from accounts.access import can_invite_colleagues
from accounts.enums import Role
from accounts.models import ColleagueInvitation, Organisation, User
from core.extensions import db
from core.outbox import OutboxEvent
from tests.accounts.registration import confirmation_path
from tests.accounts.web import count_rows, csrf_token, field_errors, web_login
from tests.conftest import token_request

NEW_PASSWORD = "a-colleague-passphrase"


def invite(client, email, url="/account/colleagues"):
    token = csrf_token(client, url)
    return client.post("/account/colleagues/invitations", data={"csrf_token": token, "email": email})


def invitation_links(app, email=None):
    with app.app_context():
        rows = db.session.scalars(select(OutboxEvent).where(OutboxEvent.event == "account.invitation")
                                  .order_by(OutboxEvent.id)).all()
        return [row.url for row in rows if email is None or row.params["email_to"] == email]


def accept(client, link, **data):
    token = csrf_token(client, link)
    form = {"csrf_token": token, "name": "李雷", "phone": "", "language": "zh", "password": NEW_PASSWORD}
    form.update(data)
    return client.post(link, data=form)


def pending_ids(app, org_id):
    with app.app_context():
        return [i.id for i in db.session.scalars(select(ColleagueInvitation).where(
            ColleagueInvitation.organisation_id == org_id, ColleagueInvitation.accepted_at.is_(None),
            ColleagueInvitation.cancelled_at.is_(None)))]


def cancel(client, invitation_id):
    token = csrf_token(client, "/account")
    return client.post("/account/colleagues/invitations/cancel",
                       data={"csrf_token": token, "invitation_id": str(invitation_id)})


@pytest.fixture
def first(create_user):
    return create_user(role="enterprise_user")


def test_the_first_user_invites_a_colleague_who_joins_the_same_enterprise(app, client, first):
    web_login(client, first)
    response = invite(client, "  Colleague@Example.COM ")
    assert response.status_code == 302 and response.headers["Location"].endswith("/account/colleagues")
    (link,) = invitation_links(app)
    with app.app_context():
        (row,) = db.session.scalars(select(OutboxEvent).where(OutboxEvent.event == "account.invitation")).all()
        assert row.params["email_to"] == "colleague@example.com" and row.user_ids == []  # to the bare address
        (stored,) = db.session.scalars(select(ColleagueInvitation)).all()
        assert link.rsplit("/", 1)[1] not in stored.token_hash  # only the token's hash is kept
    page = client.get("/account/colleagues").get_data(as_text=True)
    assert page.count('data-testid="invitation"') == 1 and "colleague@example.com" in page

    guest = app.test_client()
    shown = guest.get(link)
    assert shown.status_code == 200 and 'data-testid="invited-email">colleague@example.com<' in shown.get_data(True)
    response = accept(guest, link)
    assert response.status_code == 302 and response.headers["Location"].endswith("/login")
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == "colleague@example.com"))
        assert user.organisation_id == first["org_id"] and user.role is Role.enterprise_user
        assert user.name == "李雷" and user.language == "zh" and not user.first_of_enterprise
        assert not can_invite_colleagues(user)
    colleague = {"email": "colleague@example.com", "password": NEW_PASSWORD}
    assert guest.post("/api/v1/auth/tokens", json=token_request(colleague)).status_code == 201
    page = client.get("/account/colleagues").get_data(as_text=True)
    assert "李雷" in page and 'data-testid="no-invitations"' in page


def test_a_used_link_is_404_and_makes_no_second_account(app, client, first):
    web_login(client, first)
    invite(client, "colleague@example.com")
    (link,) = invitation_links(app)
    assert accept(app.test_client(), link).status_code == 302
    other = app.test_client()
    assert other.get(link).status_code == 404
    token = csrf_token(other, "/login")  # the CSRF token belongs to the browser's session, not to a page
    response = other.post(link, data={"csrf_token": token, "name": "Mallory", "password": NEW_PASSWORD,
                                      "language": "en"})
    assert response.status_code == 404
    assert count_rows(app, User) == 2


def test_an_expired_link_is_404(app, client, first):
    now = dt.datetime.now(dt.UTC)
    with time_machine.travel(now, tick=False) as traveller:
        web_login(client, first)
        invite(client, "colleague@example.com")
        (link,) = invitation_links(app)
        guest = app.test_client()
        traveller.move_to(now + dt.timedelta(days=7) - dt.timedelta(minutes=1))
        token = csrf_token(guest, link)
        traveller.move_to(now + dt.timedelta(days=7, seconds=1))
        assert guest.get(link).status_code == 404
        response = guest.post(link, data={"csrf_token": token, "name": "Li", "password": NEW_PASSWORD,
                                          "language": "en"})
        assert response.status_code == 404
        assert count_rows(app, User) == 1
        # and the inviter no longer sees it as pending, so it can invite the address again
        web_login(client, first)  # a week later: the old session has ended
        assert 'data-testid="no-invitations"' in client.get("/account/colleagues").get_data(as_text=True)
        assert invite(client, "colleague@example.com").status_code == 302


def test_a_cancelled_link_is_404_and_disappears_from_the_list(app, client, first):
    web_login(client, first)
    invite(client, "colleague@example.com")
    (link,) = invitation_links(app)
    page = client.get("/account/colleagues").get_data(as_text=True)
    (invitation_id,) = re.findall(r'name="invitation_id" value="([^"]+)"', page)
    response = cancel(client, invitation_id)
    assert response.status_code == 302
    assert app.test_client().get(link).status_code == 404
    assert 'data-testid="no-invitations"' in client.get("/account/colleagues").get_data(as_text=True)
    assert cancel(client, invitation_id).status_code == 409  # no longer pending


def test_another_enterprise_cannot_cancel_nor_see_an_invitation(app, client, first, create_user):
    web_login(client, first)
    invite(client, "colleague@example.com")
    (invitation_id,) = pending_ids(app, first["org_id"])
    outsider = create_user(role="enterprise_user")  # the first user of another enterprise
    other = app.test_client()
    web_login(other, outsider)
    assert cancel(other, invitation_id).status_code == 404
    assert "colleague@example.com" not in other.get("/account/colleagues").get_data(as_text=True)
    assert pending_ids(app, first["org_id"]) == [invitation_id]
    for bad in ("not-a-uuid", "", "x" * 5000):
        assert cancel(other, bad).status_code == 404


@pytest.mark.parametrize("who", ["colleague", "clerk", "admin", "agency_officer", "supervisor"])
def test_only_the_first_user_invites_anyone_else_gets_404(app, client, first, create_user, who):
    if who == "colleague":
        user = create_user(role="enterprise_user", org_id=first["org_id"])  # the enterprise's second account
    else:
        user = create_user(role=who)
    web_login(client, user)
    assert client.get("/account/colleagues").status_code == 404
    assert 'data-testid="colleagues-link"' not in client.get("/account").get_data(as_text=True)
    assert invite(client, "someone@example.com", url="/account").status_code == 404
    web_first = app.test_client()
    web_login(web_first, first)
    invite(web_first, "colleague@example.com")
    (invitation_id,) = pending_ids(app, first["org_id"])
    assert cancel(client, invitation_id).status_code == 404
    assert len(invitation_links(app)) == 1  # the first user's only
    assert pending_ids(app, first["org_id"]) == [invitation_id]


def test_the_predicate_decides_the_page_the_button_and_the_service(app, first):
    from core.errors import NotFound
    from accounts import colleagues

    with app.app_context():
        user = db.session.get(User, first["id"])
        assert can_invite_colleagues(user)
        user.active = False
        assert not can_invite_colleagues(user)
        with pytest.raises(NotFound):
            colleagues.invite(user, "x@example.com")


def test_the_user_who_registered_the_enterprise_is_its_first_user(app, client):
    from tests.accounts.test_registration import post_form

    assert post_form(client, email="founder@example.com").status_code == 200
    link = confirmation_path(app, "founder@example.com")
    token = csrf_token(client, link)
    assert client.post(link, data={"csrf_token": token}).status_code == 302
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == "founder@example.com"))
        assert user.first_of_enterprise and can_invite_colleagues(user)


def test_an_address_with_an_account_is_refused_with_a_field_error(app, client, first, create_user):
    somebody = create_user(role="clerk")
    web_login(client, first)
    for email in (somebody["email"], first["email"].upper()):
        response = invite(client, email)
        html = response.get_data(as_text=True)
        assert response.status_code == 422
        assert field_errors(html, "email") and 'href="#field-email"' in html
    assert invitation_links(app) == [] and count_rows(app, ColleagueInvitation) == 0


def test_an_address_already_invited_is_a_field_error(app, client, first):
    web_login(client, first)
    assert invite(client, "colleague@example.com").status_code == 302
    response = invite(client, "colleague@example.com")
    assert response.status_code == 422 and field_errors(response.get_data(as_text=True), "email")
    assert len(invitation_links(app)) == 1


@pytest.mark.parametrize("email", ["not-an-address", "", "a@b" + "c" * 300 + ".example", "a\u202e@x.example"])
def test_a_bad_address_is_a_field_error(app, client, first, email):
    web_login(client, first)
    response = invite(client, email)
    assert response.status_code == 422 and field_errors(response.get_data(as_text=True), "email")
    assert count_rows(app, ColleagueInvitation) == 0


def test_invitations_are_throttled_per_enterprise(app, client, first):
    app.config["INVITATION_THROTTLE_MAX"] = 3
    web_login(client, first)
    statuses = [invite(client, f"c{n}@example.com").status_code for n in range(4)]
    assert statuses == [302, 302, 302, 429]
    assert len(invitation_links(app)) == 3


def test_an_address_that_got_an_account_meanwhile_is_409_and_nothing_is_created(app, client, first, create_user):
    web_login(client, first)
    invite(client, "colleague@example.com")
    (link,) = invitation_links(app)
    guest = app.test_client()
    token = csrf_token(guest, link)
    create_user(role="enterprise_user", email="colleague@example.com")  # registered an enterprise of its own
    users = count_rows(app, User)
    response = guest.post(link, data={"csrf_token": token, "name": "Li", "password": NEW_PASSWORD, "language": "en"})
    assert response.status_code == 409
    assert count_rows(app, User) == users
    assert pending_ids(app, first["org_id"])  # the invitation was not used up


@pytest.mark.parametrize("data, field", [
    ({"name": " "}, "name"), ({"name": "x" * 101}, "name"), ({"password": "short"}, "password"),
    ({"password": "qwerty123456"}, "password"), ({"password": "colleague@example.com"}, "password"),
    ({"phone": "call me"}, "phone"), ({"language": "fr"}, "language"), ({"password": "x" * 129}, "password"),
])
def test_the_acceptance_form_gives_field_errors_and_keeps_the_link(app, client, first, data, field):
    web_login(client, first)
    invite(client, "colleague@example.com")
    (link,) = invitation_links(app)
    guest = app.test_client()
    response = accept(guest, link, **data)
    html = response.get_data(as_text=True)
    assert response.status_code == 422, html
    assert field_errors(html, field) and f'href="#field-{field}"' in html
    assert count_rows(app, User) == 1
    assert accept(guest, link).status_code == 302  # still usable once


def test_a_huge_acceptance_body_is_refused(app, client, first):
    web_login(client, first)
    invite(client, "colleague@example.com")
    (link,) = invitation_links(app)
    guest = app.test_client()
    token = csrf_token(guest, link)
    response = guest.post(link, data={"csrf_token": token, "name": "x" * (3 * 1024 * 1024), "password": NEW_PASSWORD,
                                      "language": "en"})
    assert response.status_code == 413
    assert count_rows(app, User) == 1


@pytest.mark.parametrize("token", ["x" * 43, "x", "x" * 5000, "%00" * 30])
def test_unknown_links_are_404(client, token):
    assert client.get("/invitation/" + token).status_code == 404


def test_two_acceptances_at_once_make_one_account(app, client, first, db_kind):
    if db_kind != "postgresql":
        pytest.skip("concurrency needs PostgreSQL")
    web_login(client, first)
    invite(client, "colleague@example.com")
    (link,) = invitation_links(app)
    guests = [app.test_client() for _ in range(2)]
    tokens = [csrf_token(g, link) for g in guests]
    statuses = []
    barrier = threading.Barrier(2)

    def go(guest, token):
        barrier.wait()
        response = guest.post(link, data={"csrf_token": token, "name": "Li", "password": NEW_PASSWORD,
                                          "language": "en"})
        statuses.append(response.status_code)

    threads = [threading.Thread(target=go, args=(g, t)) for g, t in zip(guests, tokens)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(statuses)[0] == 302 and statuses.count(302) == 1
    assert count_rows(app, User) == 2


def test_a_signed_in_browser_that_accepts_is_signed_out(app, client, first):
    web_login(client, first)
    invite(client, "colleague@example.com")
    (link,) = invitation_links(app)
    assert accept(client, link).status_code == 302
    assert client.get("/account").status_code == 302  # the inviter's session on this browser ended


def test_the_first_user_of_an_existing_enterprise_is_its_earliest_account(app, create_org):
    """What the migration does for enterprises made before the flag existed, and what create_user does."""
    org_id = create_org()
    with app.app_context():
        org = db.session.get(Organisation, org_id)
        a = services.create_user(organisation=org, email="a@x.example", name="a", password=NEW_PASSWORD,
                                 role=Role.enterprise_user)
        b = services.create_user(organisation=org, email="b@x.example", name="b", password=NEW_PASSWORD,
                                 role=Role.enterprise_user)
        assert a.first_of_enterprise and not b.first_of_enterprise
        assert db.session.scalar(select(func.count()).select_from(User).where(User.first_of_enterprise)) == 1
