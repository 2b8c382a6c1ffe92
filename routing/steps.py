"""Steps of an agency inside a referral that do not change its state but open or meet the clocks of
State Council Order 310 and the Criminal Procedure Law (DOMAIN.md's T1, T2, T5, P1, P2):

- report_suspected_crime: the market regulator's officer reports a suspected crime in an opened
  administrative case; its head must decide on transfer to police within 3 days (T1).
- approve_transfer / refuse_transfer: the agency head decides (T1 met); after approval the case goes
  to the police within 24 hours (T2, met by the transfer itself).
- request_reconsideration: the agency whose case the police declined to file asks them to reconsider;
  they answer within 3 days (T5), with answer_reconsideration.
- Filing supervision: when the procuratorate acknowledges a supervision referral the police must
  explain their non-filing within 7 days (P1, met by explain_non_filing); notify_to_file gives them
  15 days to file (P2, met when the police file: the referral's file_after_notice trigger).

Each step writes a timeline row in the caller's transaction.
"""
from dataclasses import dataclass
from typing import Callable

from flask_babel import gettext as _, lazy_gettext as _l

from accounts.enums import AGENCY_ROLES, Role
from core.errors import Conflict, ValidationFailed
from core.models import utcnow
from deadlines import services as deadlines
from intake.enums import Track
from intake.services import record_event

from .enums import LinkKind, ReferralState as R
from .models import Referral


def _parent_agency(referral):
    return referral.parent.agency_id if referral.parent is not None else None


def _police_of_supervised(referral):
    """For a filing-supervision referral: the police whose non-filing is supervised."""
    return referral.parent.agency_id if referral.link_kind is LinkKind.filing_supervision else None


@dataclass(frozen=True)
class Step:
    label: object
    applies: Callable  # (referral) -> bool: the referral is one this step is for, in the right state
    actor_org: Callable  # (referral) -> the organisation whose users may take the step
    roles: frozenset
    needs_reason: bool = False
    needs_running: str | None = None  # the step answers this clock, which must be running


OFFICERS = frozenset(AGENCY_ROLES)
HEADS = frozenset({Role.agency_head})

STEPS = {
    "report_suspected_crime": Step(
        _l("Report a suspected crime to the agency head"),
        lambda r: r.track is Track.administrative and r.state is R.accepted
        and not deadlines.running("referral", r.id, ["T1", "T2"]),
        lambda r: r.agency_id, OFFICERS, needs_reason=True),
    "approve_transfer": Step(
        _l("Approve the transfer to the police"),
        lambda r: r.state is R.accepted, lambda r: r.agency_id, HEADS, needs_running="T1"),
    "refuse_transfer": Step(
        _l("Decide not to transfer to the police"),
        lambda r: r.state is R.accepted, lambda r: r.agency_id, HEADS, needs_reason=True, needs_running="T1"),
    "request_reconsideration": Step(
        _l("Ask the police to reconsider not filing"),
        lambda r: r.state in (R.declined, R.supervision_requested) and r.link_kind is LinkKind.admin_to_criminal
        and not deadlines.running("referral", r.id, ["T5"]),
        _parent_agency, OFFICERS, needs_reason=True),
    "answer_reconsideration": Step(
        _l("Answer the request to reconsider"),
        lambda r: True, lambda r: r.agency_id, OFFICERS, needs_reason=True, needs_running="T5"),
    "explain_non_filing": Step(
        _l("Explain the non-filing to the procuratorate"),
        lambda r: r.state is R.supervision_requested, lambda r: r.agency_id, OFFICERS, needs_reason=True,
        needs_running="P1"),
    "notify_to_file": Step(
        _l("Notify the police to file the case"),
        lambda r: r.link_kind is LinkKind.filing_supervision and r.state in (R.acknowledged, R.accepted)
        and not deadlines.running("referral", r.parent_id, ["P2"]),
        lambda r: r.agency_id, OFFICERS, needs_reason=True),
}


def _is_running(referral, step: Step) -> bool:
    return step.needs_running is None or bool(deadlines.running("referral", referral.id, [step.needs_running]))


def allowed_steps(referral: Referral, actor) -> list[str]:
    return [name for name, step in STEPS.items()
            if actor.role in step.roles and actor.organisation_id == step.actor_org(referral)
            and step.applies(referral) and _is_running(referral, step)]


def take_step(actor, referral: Referral, name: str, reason: str | None = None) -> Referral:
    """Take one of STEPS on a referral the actor can see: 409 (with the steps allowed) when not possible now."""
    allowed = allowed_steps(referral, actor)
    if name not in allowed:
        raise Conflict(_("This step is not possible now."), step=name, allowed_steps=allowed)
    step = STEPS[name]
    if step.needs_reason and not (reason or "").strip():
        raise ValidationFailed({"reason": [_("Give a reason.")]})
    complaint_id = referral.complaint_id
    opened = dict(subject_type="referral", complaint_id=complaint_id)
    if name == "report_suspected_crime":
        deadlines.open_deadline("T1", subject_id=referral.id, responsible_org_id=referral.agency_id, **opened)
    elif name == "approve_transfer":
        deadlines.meet("referral", referral.id, ["T1"])
        deadlines.open_deadline("T2", subject_id=referral.id, responsible_org_id=referral.agency_id, **opened)
    elif name == "refuse_transfer":
        deadlines.meet("referral", referral.id, ["T1"])
    elif name == "request_reconsideration":
        deadlines.open_deadline("T5", subject_id=referral.id, responsible_org_id=referral.agency_id, **opened)
    elif name == "answer_reconsideration":
        deadlines.meet("referral", referral.id, ["T5"])
    elif name == "explain_non_filing":
        deadlines.meet("referral", referral.id, ["P1"])
    elif name == "notify_to_file":
        deadlines.open_deadline("P2", subject_id=referral.parent_id, responsible_org_id=referral.parent.agency_id,
                                **opened)
    record_event(referral.complaint, actor, "step", trigger=name, referral_id=referral.id, reason=reason,
                 public=False, payload={"agency": referral.agency.name})
    referral.updated_at = utcnow()
    from .services import sync_agency_due  # services import this module

    for touched in {referral, referral.parent} - {None}:  # notify_to_file runs the police's clock (P2)
        sync_agency_due(touched)
    return referral


def open_supervision_clock(referral: Referral) -> None:
    """The procuratorate acknowledged a filing-supervision referral: the police have 7 days to explain."""
    police = _police_of_supervised(referral)
    if police is not None:
        p1 = deadlines.open_deadline("P1", subject_type="referral", subject_id=referral.parent_id,
                                     complaint_id=referral.complaint_id, responsible_org_id=police)
        referral.parent.agency_due_at = p1.due_at
