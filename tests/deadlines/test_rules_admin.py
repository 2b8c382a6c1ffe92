"""Administrators edit deadline rules in the portal with real fields; absurd values are refused and nothing is saved."""
import re

import pytest
from sqlalchemy import select

from tests.accounts.web import csrf_token, field_errors, web_login
from tests.core.test_translations import compiled  # noqa: F401 (a fixture: the .mo of the .po)


def login(client, user):
    response = web_login(client, user)  # the password, then the second step of staff
    assert response.status_code == 302


def rule(app, code):
    from core.extensions import db
    from deadlines.models import DeadlineRule

    with app.app_context():
        found = db.session.scalar(select(DeadlineRule).where(DeadlineRule.code == code))
        return found.amount, found.unit.value, found.reminders, found.escalation, found.version


@pytest.fixture
def restore_rules(app):
    """The rules are reference data: put back whatever a test changed."""
    from core.extensions import db
    from deadlines.models import DeadlineRule

    with app.app_context():
        before = {r.code: (r.amount, r.unit, r.reminders, r.escalation, r.extension_amount, r.version)
                  for r in db.session.scalars(select(DeadlineRule))}
    yield
    with app.app_context():
        for found in db.session.scalars(select(DeadlineRule)):
            (found.amount, found.unit, found.reminders, found.escalation, found.extension_amount,
             found.version) = before[found.code]
        db.session.commit()


GOOD = {"amount": "5", "unit": "working_days", "reminders-0-amount": "50", "reminders-0-kind": "percent",
        "escalation-0-after": "0", "escalation-0-notify": "responsible"}


def test_an_admin_edits_a_rule_with_fields_and_rows(compiled, app, client, create_user, restore_rules):
    login(client, create_user("admin", language="zh"))
    page = client.get("/admin/deadline-rules/").get_data(as_text=True)
    assert "协商" in page or "意见" in page  # the step's name, not only its code
    assert "working_days" not in re.sub(r'value="[^"]*"|name="[^"]*"', "", page)  # no raw unit
    assert "工作日" in page and "platform rule" not in page and "JSON" not in page
    token = csrf_token(client, "/admin/deadline-rules/")
    before = rule(app, "C1")
    response = client.post("/admin/deadline-rules/C1", data={
        "csrf_token": token, "amount": "7", "unit": "working_days",
        "reminders-0-amount": "50", "reminders-0-kind": "percent",
        "reminders-1-amount": "1", "reminders-1-kind": "working_days_before", "reminders-1-remove": "yes",
        "reminders-2-amount": "6", "reminders-2-kind": "hours_before",  # the blank row, filled in
        "escalation-0-after": "0", "escalation-0-notify": "responsible",
        "escalation-1-after": "3", "escalation-1-notify": "supervisors"})
    assert response.status_code == 302
    amount, unit, reminders, escalation, version = rule(app, "C1")
    assert (amount, unit) == (7, "working_days") and version == before[4] + 1
    assert reminders == [{"percent": 50}, {"hours_before": 6}]
    assert escalation == [{"level": 1, "after_working_days": 0, "notify": "responsible"},
                          {"level": 2, "after_working_days": 3, "notify": "supervisors"}]


def test_add_a_row_shows_one_more_and_saves_nothing(app, client, create_user, restore_rules):
    login(client, create_user("admin"))
    token = csrf_token(client, "/admin/deadline-rules/")
    before = rule(app, "C1")
    response = client.post("/admin/deadline-rules/C1", data={
        "csrf_token": token, **GOOD, "reminders-1-amount": "2", "reminders-1-kind": "working_days_before",
        "action": "add-row"})
    assert response.status_code == 200
    html = response.get_data(as_text=True).split('data-testid="rule-C1"')[1].split("</details>")[0]
    assert html.count('data-testid="reminder-row"') == 3  # two filled, one blank
    assert 'name="reminders-2-amount" value=""' in html
    assert rule(app, "C1") == before


BAD = [
    ({"amount": "-3"}, "amount"),
    ({"amount": "99999"}, "amount"),
    ({"amount": "x" * 10_000}, "amount"),
    ({"unit": "fortnights"}, "unit"),
    ({"extension_amount": "0"}, "extension_amount"),
    ({"reminders-0-amount": "0"}, "reminders.0.amount"),
    ({"reminders-0-amount": "100"}, "reminders.0.amount"),
    ({"reminders-0-kind": "weeks_before"}, "reminders.0.kind"),
    ({"reminders-1-amount": "50", "reminders-1-kind": "percent"}, "reminders"),  # twice the same
    ({"escalation-0-after": "61"}, "escalation.0.after"),
    ({"escalation-0-notify": "everyone"}, "escalation.0.notify"),
    ({"escalation-1-after": "-1", "escalation-1-notify": "supervisors"}, "escalation.1.after"),
    ({"escalation-0-after": "5", "escalation-1-after": "2", "escalation-1-notify": "supervisors"}, "escalation"),
]


@pytest.mark.parametrize("bad,field", BAD, ids=[b[1] + str(i) for i, b in enumerate(BAD)])
def test_absurd_values_are_refused_with_field_errors(app, client, create_user, restore_rules, bad, field):
    login(client, create_user("admin"))
    token = csrf_token(client, "/admin/deadline-rules/")
    before = rule(app, "C1")
    response = client.post("/admin/deadline-rules/C1", data={"csrf_token": token, **GOOD, **bad})
    assert response.status_code == 422, bad
    html = response.get_data(as_text=True)
    assert field_errors(html, field), (bad, html.count('class="error"'))
    assert 'data-testid="error-summary"' in html and f'href="#field-{field.replace(".", "-")}"' in html
    assert rule(app, "C1") == before


def test_rows_beyond_the_limit_are_ignored_and_an_unknown_rule_is_404(app, client, create_user, restore_rules):
    login(client, create_user("admin"))
    token = csrf_token(client, "/admin/deadline-rules/")
    rows = {f"reminders-{i}-amount": "1" for i in range(500)} | {f"reminders-{i}-kind": "hours_before"
                                                                  for i in range(500)}
    response = client.post("/admin/deadline-rules/C1", data={"csrf_token": token, **GOOD, **rows})
    assert response.status_code in (413, 422)
    assert client.post("/admin/deadline-rules/ZZ", data={"csrf_token": token, **GOOD}).status_code == 404
    assert client.post("/admin/deadline-rules/" + "x" * 5000, data={"csrf_token": token}).status_code == 404


@pytest.mark.parametrize("role", ["clerk", "supervisor", "agency_officer", "enterprise_user"])
def test_only_administrators_see_the_rules(app, client, create_user, role, restore_rules):
    web_login(client, create_user(role))
    assert client.get("/admin/deadline-rules/").status_code == 404
    token = csrf_token(client, "/account")
    before = rule(app, "C1")
    assert client.post("/admin/deadline-rules/C1", data={"csrf_token": token, **GOOD}).status_code == 404
    assert rule(app, "C1") == before
