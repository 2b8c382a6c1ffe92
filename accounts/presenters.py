"""What the pages show of accounts: the labels of districts, organisation kinds and roles (template
globals), and each role's start page (the home page's redirect). The core knows no feature: it asks
the hooks registered here."""
from flask import current_app, url_for

from core.pages import register_start_page

from .enums import DISTRICT_LABELS, ORG_KIND_LABELS, ROLE_LABELS, Role

# each role starts from its own work: agency heads from the decisions waiting for them, supervisors from
# the queue of every centre (key cases first), administrators from their home page — or, where that page
# does not exist, the deadline rules. The first endpoint the app has wins.
START_PAGES = {Role.enterprise_user: ("intake.list_complaints",), Role.clerk: ("centre.queue",),
               Role.supervisor: ("centre.queue",), Role.agency_officer: ("agency.inbox",),
               Role.agency_head: ("deadline_pages.decisions_page",), Role.admin: ("admin.home", "deadline_rules.rules"),
               Role.expert: ("registry.expert_home",)}


def start_page(user):
    """The URL a signed-in user starts from, or None for the home page."""
    for endpoint in START_PAGES.get(user.role, ()):
        if endpoint in current_app.view_functions:
            return url_for(endpoint)
    return None


def init_app(app):
    app.jinja_env.globals.update(
        DISTRICT_LABELS=DISTRICT_LABELS,
        ORG_KIND_LABELS=ORG_KIND_LABELS,
        ROLE_LABELS=ROLE_LABELS,
    )
    register_start_page(app, start_page)
