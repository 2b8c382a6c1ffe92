"""Who may do what with typical cases and self-assessments (named predicates: services, pages and API).

Typical cases are the supervisor office's: any supervisor drafts one from a concluded (or closed) complaint
and edits it while it is a draft; a *second* supervisor — never its drafter — approves it, which publishes
it; any supervisor unpublishes a published one (the record stays). A published case is public (no login);
a draft or an unpublished one exists only for supervisors (404 for everyone else).
A self-assessment belongs to the enterprise that submitted it: its users only. Questionnaires are edited by
administrators.
"""
from accounts.enums import Role
from intake.enums import ComplaintState

from .enums import CaseState

DRAFTABLE = frozenset({ComplaintState.concluded, ComplaintState.closed})


def _role(actor):
    return getattr(actor, "role", None) if getattr(actor, "is_authenticated", True) else None


def is_supervisor(actor) -> bool:
    return _role(actor) is Role.supervisor


def can_draft_case(actor, complaint) -> bool:
    return is_supervisor(actor) and complaint.state in DRAFTABLE


def can_see_case(actor, case) -> bool:
    return case.state is CaseState.published or is_supervisor(actor)


def can_edit_case(actor, case) -> bool:
    return is_supervisor(actor) and case.state is CaseState.draft


def can_approve_case(actor, case) -> bool:
    return can_edit_case(actor, case) and case.drafted_by_id != actor.id


def can_unpublish_case(actor, case) -> bool:
    return is_supervisor(actor) and case.state is CaseState.published


def can_self_assess(actor) -> bool:
    return _role(actor) is Role.enterprise_user


def can_see_assessment(actor, assessment) -> bool:
    return can_self_assess(actor) and actor.organisation_id == assessment.organisation_id


def can_edit_questionnaire(actor) -> bool:
    return _role(actor) is Role.admin
