"""Who may see and do what in the league tables, the assessment and the bulletin: named predicates that the
services, the pages (their buttons and links) and the API use alike."""
from accounts.enums import AGENCY_ROLES, Role

STAFF_OF_NAMED = frozenset({Role.clerk}) | AGENCY_ROLES


def can_view_league(actor) -> bool:
    """The league tables and the assessment's snapshots: the supervisor office (city-wide)."""
    return actor is not None and actor.role is Role.supervisor


def can_view_assessment(actor) -> bool:
    return can_view_league(actor)


def can_take_snapshot(actor) -> bool:
    return actor is not None and actor.role is Role.supervisor


def can_view_scheme(actor) -> bool:
    """The assessment scheme's versions: administrators (who edit it) and supervisors (who assess with it)."""
    return actor is not None and actor.role in (Role.admin, Role.supervisor)


def can_edit_scheme(actor) -> bool:
    return actor is not None and actor.role is Role.admin


def can_issue_bulletin(actor) -> bool:
    return actor is not None and actor.role is Role.supervisor


def can_list_bulletins(actor) -> bool:
    return can_issue_bulletin(actor)


def can_read_bulletin(actor, bulletin) -> bool:
    """Supervisors, and the staff of an organisation the bulletin names (it was sent to them)."""
    if actor is None:
        return False
    if actor.role is Role.supervisor:
        return True
    return actor.role in STAFF_OF_NAMED and str(actor.organisation_id) in (bulletin.organisation_ids or [])
