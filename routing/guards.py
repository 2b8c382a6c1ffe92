"""The guards of the machine tables: each takes (entity, data) and returns field errors ({} when the
transition may go ahead). Guards marked ``state_only`` read only the entity, so ``allowed_triggers``
asks them too: a button is shown exactly when the action would be accepted. A guard that also reads
the form names its entity-only part ``state_part``, which ``allowed_triggers`` asks instead."""
import datetime as dt

from flask_babel import gettext as _
from sqlalchemy import select

from accounts.enums import OrgKind
from core.extensions import db
from core.timeutil import SHANGHAI
from core.models import utcnow
from evidence.models import EvidenceFile
from intake.enums import Track
from intake.schemas import completeness_errors

from .enums import OPEN_CONSULTATION_STATES, OPEN_REFERRAL_STATES, CivilRoute
from .models import Consultation, Referral
from .outcomes import outcome_errors


def state_only(guard):
    guard.state_only = True
    return guard


def complete(complaint, data):
    return completeness_errors(complaint)


def reply_date(complaint, data):
    due = data.get("due_date")
    if due is None:
        return {"due_date": [_("Give the date by which the enterprise should answer.")]}
    if due <= utcnow().astimezone(SHANGHAI).date():
        return {"due_date": [_("The date must be after today.")]}
    if due > utcnow().astimezone(SHANGHAI).date() + dt.timedelta(days=90):
        return {"due_date": [_("Give the enterprise at most 90 days.")]}
    return {}


@state_only
def no_open_request(complaint, data):
    if complaint.supplement_requested_at is not None:
        return {"trigger": [_("The enterprise has not yet answered the last request for supplements.")]}
    return {}


def reply_date_no_open_request(complaint, data):
    return no_open_request(complaint, data) or reply_date(complaint, data)


reply_date_no_open_request.state_part = no_open_request  # what allowed_triggers can ask without the form


@state_only
def supplement_requested(complaint, data):
    if complaint.supplement_requested_at is None:
        return {"trigger": [_("The centre has not asked for supplements.")]}
    return {}


def reject_reason(complaint, data):
    if data.get("reason_code") is None:
        return {"reason_code": [_("Choose why the complaint is not accepted.")]}
    return {}


@state_only
def nothing_open(complaint, data):
    if db.session.scalar(select(Referral.id).where(Referral.complaint_id == complaint.id,
                                                   Referral.state.in_(OPEN_REFERRAL_STATES)).limit(1)):
        return {"trigger": [_("Referrals of this complaint are still open.")]}
    if db.session.scalar(select(Consultation.id).where(Consultation.complaint_id == complaint.id,
                                                       Consultation.state.in_(OPEN_CONSULTATION_STATES)).limit(1)):
        return {"trigger": [_("A consultation on this complaint is still open.")]}
    return {}


def return_reason(referral, data):
    if data.get("return_reason") is None:
        return {"return_reason": [_("This field is required for this action.")]}
    return {}


def outcome(referral, data):
    return outcome_errors(referral, data.get("outcome"))


@state_only
def transferable(referral, data):
    """行刑衔接 needs the head's approval (Order 310; the T2 hand-over clock runs); the police transfer back freely."""
    if referral.track is Track.administrative:
        if referral.approved_transfer is None:
            return {"trigger": [_("The agency head has not approved a transfer to the police.")]}
        return {}
    if referral.track is Track.criminal and referral.agency.kind.value == "public_security":
        return {}
    return {"trigger": [_("Only administrative and criminal cases can be transferred.")]}


@state_only
def transferable_after_decline(referral, data):
    if referral.track is Track.criminal and referral.agency.kind.value == "public_security":
        return {}
    return {"trigger": [_("Only the police transfer a case they declined to file to the market regulator.")]}


@state_only
def supervisable(referral, data):
    if referral.track is not Track.criminal or referral.agency.kind.value != "public_security":
        return {"trigger": [_("Only a declined criminal referral to public security can go to filing supervision.")]}
    return {}


@state_only
def unshared_evidence(referral, data):
    shared = {e.id for e in referral.shared_evidence}
    files = set(db.session.scalars(select(EvidenceFile.id).where(EvidenceFile.complaint_id == referral.complaint_id)))
    if not files - shared:
        return {"evidence_ids": [_("Every evidence file of the complaint was already sent to this agency.")]}
    return {}


def new_evidence(referral, data):
    if not data.get("evidence_ids"):
        return unshared_evidence(referral, data) or {"evidence_ids": [_("Choose the evidence to send.")]}
    return unshared_evidence(referral, data)


new_evidence.state_part = unshared_evidence


def minutes(consultation, data):
    errors = {name: [_("This field is required for this action.")] for name in ("minutes", "conclusion")
              if not (data.get(name) or "").strip()}
    return errors



# --- civil procedure ----------------------------------------------------------------------------------

def _civil_route(referral):
    return referral.civil_route if referral.agency.kind is OrgKind.court else None


@state_only
def registrable(referral, data):
    """A court registers the enterprise's suit, not a dispute still in pre-suit mediation."""
    if _civil_route(referral) is CivilRoute.pre_suit_mediation:
        return {"trigger": [_("The dispute is in pre-suit mediation: record its result first.")]}
    return {}


@state_only
def suit_route(referral, data):
    if _civil_route(referral) is not CivilRoute.file_suit:
        return {"trigger": [_("Only a court referral guiding the enterprise to file suit has a suit's materials.")]}
    return {}


@state_only
def mediation_route(referral, data):
    if _civil_route(referral) is not CivilRoute.pre_suit_mediation:
        return {"trigger": [_("This dispute was not referred to pre-suit mediation.")]}
    return {}



def _court(referral):
    return referral.agency.kind is OrgKind.court


@state_only  # asked with data None by allowed_triggers: the state part only
def preservation_application(referral, data):
    if not _court(referral):
        return {"trigger": [_("Only a court rules on preservation.")]}
    if referral.pending_preservation is not None:
        return {"trigger": [_("The court has not yet ruled on the last application for preservation.")]}
    if data is not None and data.get("preservation_kind") is None:
        return {"preservation_kind": [_("Choose what is to be preserved.")]}
    return {}


@state_only
def preservation_ruling(referral, data):
    if not _court(referral) or referral.pending_preservation is None:
        return {"trigger": [_("No application for preservation waits for a ruling.")]}
    if data is not None and data.get("preservation_ruling") is None:
        return {"preservation_ruling": [_("Choose the ruling: granted or refused.")]}
    return {}


# --- what a request must have ---------------------------------------------------------------------------

# the error of a field a row ``needs`` (or its reason) missing from the request, where it is not the general one;
# the request schemas (routing/schemas.py) answer them, as the guards above do for a service called directly
REQUIRED_MESSAGES = {
    "reason": "Give a reason.",
    "message": "Give a reason.",  # the complaint's reason field
    "due_date": "Give the date by which the enterprise should answer.",
    "reason_code": "Choose why the complaint is not accepted.",
    "preservation_kind": "Choose what is to be preserved.",
    "preservation_ruling": "Choose the ruling: granted or refused.",
    "evidence_ids": "Choose the evidence to send.",
}
REQUIRED_MESSAGE = "This field is required for this action."


def required_message(name: str) -> str:
    return REQUIRED_MESSAGES.get(name, REQUIRED_MESSAGE)
