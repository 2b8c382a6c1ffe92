"""Helpers of the administrator's page tests: an administrator signed in, posting a page's form."""
from tests.accounts.web import csrf_token, web_login


class AdminPages:
    def __init__(self, app, client, user):
        self.app, self.client, self.user = app, client, user
        assert web_login(client, user).status_code == 302
        self.token = csrf_token(client, "/admin")

    def get(self, url, **kw):
        return self.client.get(url, **kw)

    def post(self, url, data=None, **kw):
        return self.client.post(url, data={"csrf_token": self.token, **(data or {})}, **kw)

    def html(self, url):
        page = self.client.get(url)
        assert page.status_code == 200, (url, page.status_code)
        return page.get_data(as_text=True)


def row(model, **where):
    """One row of ``model`` matching ``where`` (or None), read in its own app context."""
    from flask import current_app  # noqa: F401
    from sqlalchemy import select

    from core.extensions import db

    query = select(model).filter_by(**where)
    return db.session.scalar(query)
