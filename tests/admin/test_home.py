"""The administrator's home: every administration page, with counts; the nav links to each."""
import pytest

from tests.accounts.web import web_login
from tests.core.test_translations import compiled  # noqa: F401 (a fixture: the .mo of the .po)

PAGES = ["/admin/organisations", "/admin/users", "/admin/api-keys", "/admin/calendar", "/admin/deadline-rules/",
         "/admin/deliveries", "/admin/webhooks"]


def test_the_home_lists_every_page_with_counts(compiled, app, admin, create_user, create_org):
    create_user("clerk")
    officer = create_user("agency_officer")
    admin.post(f"/admin/users/{officer['id']}/disable", {"confirmed": "yes"})
    html = admin.html("/admin")
    for url in PAGES:
        assert f'href="{url}"' in html, url
    # the admin's own organisation, the clerk's and the officer's; three users, one disabled
    assert 'data-testid="count-organisations">3个机构' in html
    assert 'data-testid="count-users">3名用户（1名已停用）' in html
    assert 'data-testid="count-api-keys">0个密钥在用' in html


def test_the_nav_links_every_admin_page_for_admins_only(app, admin, create_user):
    html = admin.html("/account")
    for url in ["/admin"] + PAGES:
        assert f'href="{url}"' in html, url
    for url in PAGES:  # and each of them opens
        assert admin.get(url).status_code == 200, url
    client = app.test_client()
    web_login(client, create_user("clerk"))
    html = client.get("/account").get_data(as_text=True)
    assert not any(f'href="{url}"' in html for url in ["/admin"] + PAGES)


@pytest.mark.parametrize("role", ["clerk", "supervisor", "agency_officer", "enterprise_user"])
def test_others_get_404(app, create_user, role):
    client = app.test_client()
    web_login(client, create_user(role))
    assert client.get("/admin").status_code == 404


def test_the_home_says_which_year_is_provisional(compiled, app, admin):
    import datetime as dt

    from tests.deadlines.test_calendar_views import _running_deadline

    assert "所有进行中的期限均按官方日历计算" in admin.html("/admin")
    _running_deadline(app, dt.datetime(2027, 3, 1, tzinfo=dt.UTC))
    html = admin.html("/admin")
    assert "2027年按暂定日历计算" in html.split('data-testid="count-provisional"')[1]
