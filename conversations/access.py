"""Who may read and write a complaint's conversation (docs/AUTHORIZATION.md; tests/authz/matrix.toml).

The conversation is between the enterprise that filed the complaint and the centre it was submitted to:
every user of that enterprise, and the clerks (and any supervisor account) of that centre. Nobody else —
another enterprise, another centre, an agency, the supervisor office, an administrator — learns that it
exists: 404. It begins with the submission (a draft has no centre yet) and stays readable for good; new
messages only while the complaint is open (intake.enums.OPEN_STATES): once rejected, withdrawn, concluded
or closed it is read-only.
"""
from accounts.enums import Role
from intake.enums import OPEN_STATES, ComplaintState
from intake.models import Complaint

from .models import Side

CENTRE_ROLES = frozenset({Role.clerk, Role.supervisor})


def side_of(actor, complaint: Complaint) -> Side | None:
    """The side of the conversation ``actor`` is on, or None (not a party: 404)."""
    role = getattr(actor, "role", None)
    org = getattr(actor, "organisation_id", None)
    if complaint.state is ComplaintState.draft or org is None:
        return None
    if role is Role.enterprise_user and org == complaint.enterprise_id:
        return Side.enterprise
    if role in CENTRE_ROLES and org == complaint.centre_id:
        return Side.centre
    return None


def can_read_conversation(actor, complaint: Complaint) -> bool:
    return side_of(actor, complaint) is not None


def can_post_message(actor, complaint: Complaint) -> bool:
    return can_read_conversation(actor, complaint) and complaint.state in OPEN_STATES
