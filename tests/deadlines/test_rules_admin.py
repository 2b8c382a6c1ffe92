"""Administrators edit deadline rules in the portal; absurd values are refused and nothing is saved."""
import re

from sqlalchemy import select

from tests.accounts.web import web_login


def login(client, user):
    response = web_login(client, user)  # the password, then the second step of staff
    assert response.status_code == 302


def csrf(client, url):
    return re.search(r'name="csrf_token" value="([^"]+)"', client.get(url).get_data(as_text=True)).group(1)


def rule(app, code):
    from core.extensions import db
    from deadlines.models import DeadlineRule

    with app.app_context():
        found = db.session.scalar(select(DeadlineRule).where(DeadlineRule.code == code))
        return found.amount, found.unit.value, found.reminders, found.version


def test_an_admin_edits_a_rule_and_absurd_values_are_refused(app, client, create_user):
    login(client, create_user("admin"))
    assert "C1" in client.get("/admin/deadline-rules/").get_data(as_text=True)
    before = rule(app, "C1")
    token = csrf(client, "/admin/deadline-rules/")
    for bad in ({"amount": "-3"}, {"amount": "99999"}, {"reminders": "[{\"percent\": 0}]"},
                {"reminders": "not json"}, {"escalation": "[{\"level\": 1}]"}, {"unit": "fortnights"}):
        form = {"csrf_token": token, "amount": "5", "unit": "working_days", "reminders": "[]", "escalation": "[]",
                **bad}
        response = client.post("/admin/deadline-rules/C1", data=form)
        assert response.status_code == 422, bad
        assert 'class="error"' in response.get_data(as_text=True)
        assert rule(app, "C1") == before
    response = client.post("/admin/deadline-rules/C1", data={
        "csrf_token": token, "amount": "7", "unit": "working_days", "reminders": '[{"percent": 50}]',
        "escalation": '[{"level": 1, "after_working_days": 0, "notify": "responsible"}]'})
    assert response.status_code == 302
    try:
        assert rule(app, "C1")[0] == 7 and rule(app, "C1")[3] == before[3] + 1
    finally:
        from core.extensions import db
        from deadlines.models import DeadlineRule

        with app.app_context():  # reference data: put it back for the other tests
            found = db.session.get(DeadlineRule, "C1")
            found.amount, found.reminders, found.version = before[0], before[2], before[3]
            db.session.commit()


def test_only_administrators_see_the_rules(client, create_user):
    login(client, create_user("clerk"))
    assert client.get("/admin/deadline-rules/").status_code == 404
