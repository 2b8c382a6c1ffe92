"""Who may do what with deadlines and their extensions (docs/AUTHORIZATION.md; tests/authz/matrix.toml).

The services, the pages and the API ask these predicates; a button is shown exactly when the service
would accept the action. Relation predicates (may_*) decide 404; the others add the state (409/422).
"""
from sqlalchemy import select

from accounts.enums import OrgKind, Role
from accounts.models import Organisation
from core.extensions import db

from .models import Deadline, ExtensionRequest, ExtensionState
from .services import get_rule

# who asks for more time on their own organisation's clock (the enterprise's Q3 is set by the centre)
REQUESTERS = frozenset({Role.agency_officer, Role.agency_head, Role.clerk})


def is_centre_clock(deadline: Deadline) -> bool:
    """A clock of a rights-protection centre (its extensions are a supervisor's to decide)."""
    return db.session.scalar(select(Organisation.kind).where(
        Organisation.id == deadline.responsible_org_id)) is OrgKind.rights_center


def may_request_extensions_of(actor, deadline: Deadline) -> bool:
    """An officer (a clerk for the centre) of the organisation that must act."""
    return getattr(actor, "role", None) in REQUESTERS and actor.organisation_id == deadline.responsible_org_id


def may_decide_extensions_of(actor, deadline: Deadline) -> bool:
    """The head of the responsible agency, or a supervisor for the centre's clocks."""
    role = getattr(actor, "role", None)
    if role is Role.agency_head:
        return actor.organisation_id == deadline.responsible_org_id
    return role is Role.supervisor and is_centre_clock(deadline)


def may_see_extensions_of(actor, deadline: Deadline) -> bool:
    return may_request_extensions_of(actor, deadline) or may_decide_extensions_of(actor, deadline)


def pending_request(deadline: Deadline) -> ExtensionRequest | None:
    return db.session.scalar(select(ExtensionRequest).where(ExtensionRequest.deadline_id == deadline.id,
                                                            ExtensionRequest.state == ExtensionState.pending))


def extension_used(deadline: Deadline, rule) -> bool:
    """A rule with a maximum extension grants it once (A1: +15 working days, once)."""
    return bool(rule.extension_amount) and (deadline.extended_by_id is not None or bool(deadline.extended_by_amount))


def can_request_extension(actor, deadline: Deadline) -> bool:
    """May ask now: the deadline runs, no request waits, and its rule's one extension is not used."""
    return (may_request_extensions_of(actor, deadline) and deadline.is_running and pending_request(deadline) is None
            and not extension_used(deadline, get_rule(deadline.rule_code)))


def can_decide_extension(actor, request: ExtensionRequest) -> bool:
    """May approve or refuse now: the decider of the deadline's organisation, a pending request, a running clock."""
    return (may_decide_extensions_of(actor, request.deadline) and request.state is ExtensionState.pending
            and request.deadline.is_running)
