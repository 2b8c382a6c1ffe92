"""Triage of complaints: submission to the centre, the clerk's triggers, supplements, withdrawal, the
centre's own conclusion — and the complaint following its referrals (routing.aggregate).

Every change is a row of the complaint machine (routing/machines.py) fired by routing.effects.run,
which writes the timeline row and applies the row's declared effects.
"""
from flask_babel import gettext as _
from sqlalchemy import case, select

from accounts.enums import District, OrgKind, Role
from accounts.models import Organisation
from core.errors import Conflict, NotFound, ValidationFailed
from core.extensions import db
from core.models import utcnow
from deadlines import services as deadlines
from intake.enums import ComplaintState as S
from intake.models import Complaint
from intake.services import issue_reference

from . import aggregate, receipts, rules
from .effects import follow_up, run
from .enums import OPEN_CONSULTATION_STATES, OPEN_REFERRAL_STATES, LinkKind
from .machines import FOLLOWING, complaint_machine
from .models import Consultation, Referral

# the clerk's triggers on the triage page and over the API (the others are the enterprise's or routing's)
CLERK_TRIGGERS = ["claim", "request_info", "accept", "reject", "resolve", "close"]


def transition_complaint(complaint: Complaint, trigger: str, actor, **kwargs):
    """Fire a trigger of the complaint machine with its effects, in the caller's transaction."""
    return run(complaint_machine, complaint, trigger, actor, **kwargs)


def allowed_clerk_triggers(complaint: Complaint, actor) -> list[str]:
    return [t for t in complaint_machine.allowed_triggers(complaint, actor) if t in CLERK_TRIGGERS]


def centre_for(enterprise: Organisation) -> Organisation:
    """The rights-protection centre of the enterprise's district, else a municipal one, else any."""
    preference = case((Organisation.district == enterprise.district, 0),
                      (Organisation.district == District.municipal, 1), else_=2)
    centre = db.session.scalar(select(Organisation).where(Organisation.kind == OrgKind.rights_center)
                               .order_by(preference, Organisation.created_at, Organisation.id).limit(1))
    if centre is None:
        raise Conflict(_("No rights-protection centre is configured yet; please contact the administrator."))
    return centre


def submit_complaint(actor, complaint: Complaint, *, expected_version=None) -> Complaint:
    """Check completeness, issue the reference, hand the complaint to its centre (Q1, Q2 open)."""
    def assign():
        now = utcnow()
        complaint.centre = centre_for(complaint.enterprise)
        complaint.reference = issue_reference(now)
        complaint.submitted_at = now

    deadlines.get_rules(["Q1", "Q2"])  # both in one query
    run(complaint_machine, complaint, "submit", actor, expected_version=expected_version, before_change=assign,
        payload=lambda: {"reference": complaint.reference})
    receipts.issue_submission(complaint, actor)  # the signed receipt of what was filed
    return complaint


def withdraw_complaint(actor, complaint: Complaint, reason: str, *, expected_version=None) -> Complaint:
    """The enterprise withdraws: every open referral ends as withdrawn, open consultations are cancelled."""
    def record_reason():
        complaint.withdrawal_reason = reason.strip()

    run(complaint_machine, complaint, "withdraw", actor, reason=reason, expected_version=expected_version,
        before_change=record_reason)
    return complaint


def triage(actor, complaint: Complaint, data: dict) -> Complaint:
    """The clerk's triggers on a complaint: claim, request_info, accept, reject, resolve, close."""
    trigger = data["trigger"]
    payload, before = {}, None
    if trigger == "claim":
        def before():
            complaint.claimed_by_id = actor.id
    elif trigger == "request_info" and data.get("due_date") is not None:
        payload = {"due_date": data["due_date"].isoformat()}
    elif trigger == "reject" and data.get("reason_code") is not None:
        payload = {"reason_code": data["reason_code"].value}
    if trigger not in CLERK_TRIGGERS:
        raise Conflict(_("This action is not possible in the current state."), state=complaint.state.value,
                       trigger=trigger, allowed_triggers=allowed_clerk_triggers(complaint, actor))
    run(complaint_machine, complaint, trigger, actor, data=data, reason=data.get("message"), payload=payload,
        before_change=before, expected_version=data.get("version"))
    return complaint


@follow_up("mark_supplement_requested")
def _mark_supplement_requested(t):
    t.complaint.supplement_requested_at = utcnow()


@follow_up("clear_supplement_request")
def _clear_supplement_request(t):
    t.complaint.supplement_requested_at = None


@follow_up("record_resolution")
def _record_resolution(t):
    t.complaint.resolution = t.reason.strip()


def supply_info(actor, complaint: Complaint, text: str, *, expected_version=None) -> Complaint:
    """The enterprise answers a request for supplements (files are uploaded before, to the same complaint)."""
    if not (text or "").strip():
        raise ValidationFailed({"text": [_("Describe what you are supplying.")]})
    run(complaint_machine, complaint, "supply_info", actor, reason=text.strip(), expected_version=expected_version)
    return complaint


def routing_suggestion(actor, complaint: Complaint) -> dict:
    if actor.role not in (Role.clerk, Role.supervisor):
        raise NotFound()
    return rules.suggest(complaint)


FOLLOWED_UP = (LinkKind.reroute, LinkKind.filing_supervision, LinkKind.criminal_to_admin, LinkKind.admin_to_criminal)


def referral_views(complaint: Complaint) -> list[aggregate.ReferralView]:
    """The complaint's referrals as the aggregate state reads them (which ones another referral continues)."""
    referrals = db.session.scalars(select(Referral).where(Referral.complaint_id == complaint.id)).all()
    followed = {r.parent_id for r in referrals if r.parent_id is not None and r.link_kind in FOLLOWED_UP}
    return [aggregate.ReferralView(r.state, r.id in followed, r.agency_case_number is not None) for r in referrals]


def has_open_consultation(complaint: Complaint) -> bool:
    return db.session.scalar(select(Consultation.id).where(
        Consultation.complaint_id == complaint.id, Consultation.state.in_(OPEN_CONSULTATION_STATES)).limit(1)) is not None


def follow_referrals(complaint: Complaint, actor) -> None:
    """The complaint's state follows its referrals and consultations: routing.aggregate says which it must
    be, and the complaint machine's system row for that move is fired (with its effects)."""
    if complaint.state not in FOLLOWING:
        return
    db.session.flush()
    target = aggregate.complaint_state(referral_views(complaint), open_consultation=has_open_consultation(complaint),
                                       resolved=complaint.resolution is not None)
    if target is complaint.state:
        return
    trigger = aggregate.trigger_for(complaint_machine, complaint.state, target)
    run(complaint_machine, complaint, trigger, actor, system=True, payload=lambda: _tracks(complaint))


def _tracks(complaint) -> dict:
    """The tracks of the complaint's open referrals (a civil matter only is not called a referral, 移送)."""
    return {"tracks": sorted({r.track.value for r in db.session.scalars(select(Referral).where(
        Referral.complaint_id == complaint.id, Referral.state.in_(OPEN_REFERRAL_STATES)))})}

