import pytest

from tests.admin.support import AdminPages


@pytest.fixture
def admin(app, client, create_user):
    return AdminPages(app, client, create_user("admin", language="zh"))
