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


# Clocks between the platform's staff that the enterprise never sees (DOMAIN.md): the centre's reports on a
# key case (S1), the consulted agencies' opinions (C1), and the clocks of Order 310's and the Criminal Procedure
# Law's steps between agencies, whose timeline rows are internal too (T1, T2 the head's transfer decision and the
# hand-over; T5 reconsideration; P1, P2 the procuratorate's filing supervision).
INTERNAL_RULES = frozenset({"S1", "C1", "T1", "T2", "T5", "P1", "P2"})
INTERNAL_SUBJECTS = frozenset({"consultation", "supervision"})


def is_internal(deadline: Deadline) -> bool:
    return deadline.rule_code in INTERNAL_RULES or deadline.subject_type in INTERNAL_SUBJECTS


def deadline_visible_to(deadline: Deadline, user) -> bool:
    """Whether this person may see this deadline of a complaint they can read: the enterprise sees its own
    complaint's public clocks only (never an internal one); staff see every clock of what they can read."""
    if getattr(user, "role", None) is Role.enterprise_user:
        return not is_internal(deadline)
    return True


def visible_deadlines(user, deadlines) -> list[Deadline]:
    return [d for d in deadlines if deadline_visible_to(d, user)]


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
