"""Notification settings list only the events that reach the user's role (events_for_role, from the event →
recipients table RECIPIENTS), the service refuses any other event with a field error, and the table agrees with
the machine tables' notices (every notice a transition sends is an event, and reaches the roles it names)."""
import re

import pytest

from accounts.enums import Role
from core.extensions import db
from notifications.events import CHOOSABLE, EVENTS, RECIPIENTS, events_for_role
from notifications.models import NotificationPreference
from tests.accounts.web import csrf_token, field_errors, web_login
from tests.notifications.support import count

ORG_OF = {"enterprise_user": "enterprise", "clerk": "rights_center", "agency_officer": "market_regulation",
          "agency_head": "market_regulation", "supervisor": "supervisor_office", "admin": "supervisor_office",
          "expert": "think_tank"}


@pytest.fixture
def user_of(create_org, create_user):
    def make(role):
        return create_user(role, org_id=create_org(kind=ORG_OF[role]), language="en")
    return make


def test_every_event_has_its_recipients():
    assert set(RECIPIENTS) == set(EVENTS)
    assert all(RECIPIENTS[name] for name in EVENTS)


@pytest.mark.parametrize("role", [r.value for r in Role])
def test_the_page_lists_exactly_the_events_that_reach_the_role(client, user_of, role):
    web_login(client, user_of(role))
    page = client.get("/notifications/preferences").get_data(as_text=True)
    listed = set(re.findall(r'name="email" value="([^"]+)"', page))
    assert listed == set(events_for_role(Role(role))) and listed
    for name, spec in CHOOSABLE.items():
        if Role(role) not in RECIPIENTS[name]:
            assert str(spec.label) not in page


def test_the_roles_see_different_events():
    assert "complaint.submitted" in events_for_role(Role.clerk)
    assert "complaint.submitted" not in events_for_role(Role.enterprise_user)
    assert "complaint.accepted" in events_for_role(Role.enterprise_user)
    assert "referral.received" in events_for_role(Role.agency_officer)
    assert "referral.received" not in events_for_role(Role.clerk)
    assert set(events_for_role(Role.admin)) == {"evidence.damaged", "account.password_changed", "account.mfa_changed"}


def test_a_preference_for_an_event_outside_the_role_is_a_field_error_and_nothing_is_saved(app, client, user_of):
    user = user_of("enterprise_user")
    web_login(client, user)
    token = csrf_token(client, "/notifications/preferences")
    mine = list(events_for_role(Role.enterprise_user))
    refused = client.post("/notifications/preferences?lang=en",
                          data={"csrf_token": token, "email": [*mine, "complaint.submitted"]})
    assert refused.status_code == 422
    errors = field_errors(refused.get_data(as_text=True), "events")
    assert errors and "A new complaint for the centre" in " ".join(errors)  # named by its label
    assert "complaint.submitted" not in " ".join(errors)  # never the identifier
    with app.app_context():
        assert count(NotificationPreference) == 0

    assert client.post("/notifications/preferences",
                       data={"csrf_token": token, "email": mine[1:]}).status_code == 302
    with app.app_context():
        saved = dict(db.session.query(NotificationPreference.event, NotificationPreference.email).all())
    assert set(saved) == set(mine) and saved[mine[0]] is False and all(saved[e] for e in mine[1:])


def test_the_service_refuses_an_event_outside_the_role(app, user_of):
    from accounts.models import User
    from core.errors import ValidationFailed
    from notifications import services

    user = user_of("agency_officer")
    with app.app_context():
        actor = db.session.get(User, user["id"])
        with pytest.raises(ValidationFailed) as refused:
            services.set_email_preferences(actor, {"complaint.accepted"})
        assert list(refused.value.errors) == ["events"]
        assert set(services.email_preferences(actor)) == set(events_for_role(Role.agency_officer))


# --- the table agrees with the machines --------------------------------------------------------------

AUDIENCE_ROLES = {"centre": {Role.clerk}, "enterprise": {Role.enterprise_user},
                  "agency": {Role.agency_officer, Role.agency_head},
                  "parent_agency": {Role.agency_officer, Role.agency_head},
                  "invited": {Role.agency_officer, Role.agency_head}}


def _notices():
    from routing import machines, steps

    tables = [value for name, value in vars(machines).items() if name.endswith("_RULES")] + [steps.STEP_RULES]
    for table in tables:
        for rule in table:
            notice = rule.effects.notice if rule.effects else None
            if notice:
                for name in getattr(notice, "variants", None) or (notice,):
                    yield rule.trigger, name, rule.effects.to


def test_every_notice_of_the_machine_tables_is_an_event_reaching_the_roles_it_names(app):
    notices = list(_notices())
    assert len(notices) > 20
    for trigger, name, to in notices:
        assert name in EVENTS, f"{trigger} sends {name}, which is no event: it would be dropped"
        roles = set().union(*(AUDIENCE_ROLES[who] for who in to))
        assert roles <= RECIPIENTS[name], (trigger, name, to)
