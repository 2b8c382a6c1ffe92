"""Who may do what in the registry (tests/authz/matrix.toml): named predicates asked by the services, the
pages and the API alike. Anything an actor may not see answers 404."""
from accounts.enums import AGENCY_ROLES, Role
from routing.consultations import can_convene
from routing.enums import OPEN_CONSULTATION_STATES


def _role(actor):
    return getattr(actor, "role", None)


def can_view_bases(actor) -> bool:
    """Supervisors (city-wide) and the centres' clerks (their own centre's bases)."""
    return _role(actor) in (Role.supervisor, Role.clerk)


def can_manage_bases(actor) -> bool:
    """The supervisor office keeps the registry of demonstration bases."""
    return _role(actor) is Role.supervisor


def can_view_experts(actor) -> bool:
    """Who convenes consultations may look through the think tank: supervisors and clerks."""
    return _role(actor) in (Role.supervisor, Role.clerk)


def can_manage_experts(actor) -> bool:
    return _role(actor) is Role.supervisor


def can_invite_experts(actor, consultation) -> bool:
    """Whoever may convene on the complaint (its centre's clerk, a supervisor), while the consultation is open."""
    return (_role(actor) in (Role.supervisor, Role.clerk) and consultation.state in OPEN_CONSULTATION_STATES
            and can_convene(actor, consultation.complaint))


def is_expert(actor) -> bool:
    return _role(actor) is Role.expert


def can_view_talent(actor) -> bool:
    """Supervisors (every agency's officers) and agency heads (their own agency's)."""
    return _role(actor) in (Role.supervisor, Role.agency_head)


def can_tag_officer(actor, officer) -> bool:
    """A supervisor, or the head of the officer's own agency; only agency staff are in the pool."""
    if getattr(officer, "role", None) not in AGENCY_ROLES:
        return False
    role = _role(actor)
    return role is Role.supervisor or (role is Role.agency_head and actor.organisation_id == officer.organisation_id)


def can_staff(actor, supervision) -> bool:
    """A supervisor staffs an active key case with officers of the talent pool."""
    return _role(actor) is Role.supervisor and supervision.lifted_at is None
