"""Routing's services, by what they govern — this module only gathers them for the pages and the API:

- routing.complaints: triage of complaints, supplements, withdrawal, the centre's own conclusion,
  and the complaint following its referrals (routing.aggregate);
- routing.referrals: referrals, transfers (beside a parallel referral), filing supervision, further
  evidence, re-routing, notes; routing.steps: Order 310's and the Criminal Procedure Law's steps;
- routing.consultations: consultations and their minutes;
- routing.supervision: key-case supervision (督办) as a cycle of instructions, reports and lifting;
- routing.appraisals: appraisal (鉴定) pauses of an agency's clock;
- routing.access: who may read and write what.

Every state change is a row of routing/machines.py fired by routing.effects.run, the only code that
changes the state of complaints, referrals and consultations.
"""
from sqlalchemy import select

from core.extensions import db
from deadlines import services as deadlines
from intake.enums import ComplaintState as S  # noqa: F401
from intake.models import Complaint

from . import steps  # noqa: F401  (registers the steps' follow-ups)
from .access import (TRANSFER_LINKS, Relation, can_download_shared_evidence, can_read_internal_notes,  # noqa: F401
                     can_read_referral, can_refer, can_write_notes, get_visible_referral, list_referrals,
                     referral_relation, visible_referrals)
from .complaints import (CLERK_TRIGGERS, allowed_clerk_triggers, centre_for, follow_referrals,  # noqa: F401
                         routing_suggestion, submit_complaint, supply_info, transition_complaint, triage,
                         withdraw_complaint)
from .consultations import (allowed_triggers as consultation_triggers, can_convene, can_give_opinion,  # noqa: F401
                            convene, get_visible_consultation, list_consultations, own_invitation, page_consultations,
                            submit_opinion,
                            transition_consultation, visible_consultations)
from .effects import sync_due, tell as _tell
from .machines import complaint_machine, referral_machine
from .models import Referral
from .referrals import (TRACK_AGENCY_KINDS, add_note, allowed_triggers as referral_triggers,  # noqa: F401
                        can_reroute, create_referrals, notes_for, shared_evidence_for, supplements_for,
                        transition_referral)


def sync_centre_due(complaint: Complaint) -> None:
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
