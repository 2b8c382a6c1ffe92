"""Routing's services, by what they govern — this module only gathers them for the pages and the API:

- routing.complaints: triage of complaints, supplements, withdrawal, the centre's own conclusion,
  and the complaint following its referrals (routing.aggregate);
- routing.referrals: referrals, transfers (beside a parallel referral), filing supervision, further
  evidence, re-routing, notes; routing.steps: Order 310's and the Criminal Procedure Law's steps;
- routing.consultations: consultations and their minutes;
- routing.supervision: key-case supervision (督办) as a cycle of instructions, reports and lifting;
- routing.access: who may read and write what.

Every state change is a row of routing/machines.py fired by routing.effects.run, the only code that
changes the state of complaints, referrals and consultations.
"""
from flask_babel import gettext as _
from sqlalchemy import select

from accounts.enums import AGENCY_ROLES
from core.errors import Conflict, NotFound
from core.extensions import db
from core.models import utcnow
from deadlines import services as deadlines
from intake.enums import ComplaintState as S  # noqa: F401
from intake.models import Complaint
from intake.services import record_event

from . import steps  # noqa: F401  (registers the steps' follow-ups)
from .access import (TRANSFER_LINKS, Relation, can_download_shared_evidence, can_read_internal_notes,  # noqa: F401
                     can_read_referral, can_refer, can_write_notes, get_visible_referral, list_referrals,
                     referral_relation, visible_referrals)
from .complaints import (CLERK_TRIGGERS, allowed_clerk_triggers, centre_for, follow_referrals,  # noqa: F401
                         routing_suggestion, submit_complaint, supply_info, transition_complaint, triage,
                         withdraw_complaint)
from .consultations import (allowed_triggers as consultation_triggers, can_convene, can_give_opinion,  # noqa: F401
                            convene, get_visible_consultation, list_consultations, submit_opinion,
                            transition_consultation, visible_consultations)
from .effects import sync_due, tell as _tell
from .enums import ReferralState as R
from .machines import referral_machine
from .models import Referral
from .referrals import (TRACK_AGENCY_KINDS, add_note, allowed_triggers as referral_triggers,  # noqa: F401
                        can_reroute, create_referrals, notes_for, shared_evidence_for, supplements_for,
                        transition_referral)


def sync_centre_due(complaint: Complaint) -> None:
    from .machines import complaint_machine

    sync_due(complaint_machine, complaint)


def sync_agency_due(referral: Referral) -> None:
    sync_due(referral_machine, referral)


@deadlines.on_recomputed
def _resync_due_times(changed) -> None:
    """The calendar moved running deadlines: the queue's and the inbox's due times follow."""
    complaint_ids = {d.subject_id for d in changed if d.subject_type == "complaint"}
    referral_ids = {d.subject_id for d in changed if d.subject_type == "referral"}
    if complaint_ids:
        for complaint in db.session.scalars(select(Complaint).where(Complaint.id.in_(complaint_ids))):
            sync_centre_due(complaint)
    if referral_ids:
        for referral in db.session.scalars(select(Referral).where(Referral.id.in_(referral_ids))):
            sync_agency_due(referral)


def record_appraisal(actor, referral: Referral, action: str, note: str | None = None) -> Referral:
    """Testing, forensic appraisal (鉴定) or the right holder's identification stops the A1 clock."""
    if actor.role not in AGENCY_ROLES or actor.organisation_id != referral.agency_id:
        raise NotFound()
    if referral.state not in (R.acknowledged,):
        raise Conflict(_("An appraisal pauses the verification of an acknowledged referral only."),
                       state=referral.state.value, allowed_triggers=referral_machine.allowed_triggers(referral, actor))
    rule = deadlines.DECISION_RULES.get(referral.agency.kind.value)
    if rule is None:  # the procuratorate's filing supervision: no verification clock to stop
        raise Conflict(_("An appraisal pauses an agency's decision whether to open a case; this referral has none."),
                       state=referral.state.value, allowed_triggers=referral_machine.allowed_triggers(referral, actor))
    codes = [rule]
    running = deadlines.running("referral", referral.id, codes)
    paused = any(d.paused_at is not None for d in running)
    if action == "requested":
        if paused:
            raise Conflict(_("An appraisal is already under way."), allowed_triggers=["returned"])
        deadlines.pause("referral", referral.id, codes)
    else:
        if not paused:
            raise Conflict(_("No appraisal is under way."), allowed_triggers=["requested"])
        deadlines.resume("referral", referral.id, codes)
    record_event(referral.complaint, actor, "appraisal", trigger=f"appraisal_{action}", referral_id=referral.id,
                 reason=note, public=False, payload={"agency": referral.agency.name})
    referral.updated_at = utcnow()
    sync_agency_due(referral)
    return referral
