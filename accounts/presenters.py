"""What the pages show of accounts: the labels of districts, organisation kinds and roles (template
globals), and each role's start page (the home page's redirect). The core knows no feature: it asks
the hooks registered here."""
from flask import url_for

from core.pages import register_start_page

from .enums import DISTRICT_LABELS, ORG_KIND_LABELS, ROLE_LABELS, Role

# agency heads and supervisors start from the decisions waiting for them (deadlines.decisions)
START_PAGES = {Role.enterprise_user: "intake.list_complaints", Role.clerk: "centre.queue",
               Role.supervisor: "deadline_pages.decisions_page", Role.agency_officer: "agency.inbox",
               Role.agency_head: "deadline_pages.decisions_page"}


def start_page(user):
    """The URL a signed-in user starts from, or None for the home page."""
    start = START_PAGES.get(user.role)
    return url_for(start) if start else None


def init_app(app):
    app.jinja_env.globals.update(
        DISTRICT_LABELS=DISTRICT_LABELS,
        ORG_KIND_LABELS=ORG_KIND_LABELS,
        ROLE_LABELS=ROLE_LABELS,
    )
    register_start_page(app, start_page)
