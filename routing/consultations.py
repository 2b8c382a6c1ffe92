"""Consultations (会商): convened by a clerk or a supervisor, the invited agencies' written opinions by
the convener's due time (C1, one clock per agency), the minutes and conclusion — recorded on the
complaint, closing the clocks, and possibly making referrals, whoever convened."""
from flask_babel import gettext as _
from sqlalchemy import select

from accounts.enums import AGENCY_KINDS, AGENCY_ROLES, Role
from accounts.models import Organisation
from core.errors import Conflict, NotFound, ValidationFailed
from core.extensions import db
from core.models import utcnow
from core.outbox import emit
from core.pagination import Page, asc, fetch
from core.queries import one_visible
from deadlines import services as deadlines
from intake.enums import ComplaintState as S
from intake.models import Complaint
from intake.services import check_version, record_event

from .complaints import follow_referrals
from .effects import ENDED, allowed, check_complaint_open, follow_up, run
from .enums import OPEN_CONSULTATION_STATES, ConsultationState
from .machines import consultation_machine
from .models import Consultation, ConsultationInvitation, ExpertInvitation
from .referrals import create_referrals


def can_convene(actor, complaint: Complaint) -> bool:
    """A clerk of the complaint's centre or a supervisor, on a complaint past submission that has not ended."""
    role = getattr(actor, "role", None)
    if role is Role.supervisor:
        pass
    elif not (role is Role.clerk and actor.organisation_id == complaint.centre_id):
        return False
    return complaint.state not in ENDED


def convene(actor, complaint: Complaint, data: dict) -> Consultation:
    if actor.role not in (Role.clerk, Role.supervisor):
        raise NotFound()
    if not can_convene(actor, complaint):
        raise Conflict(_("A consultation needs a complaint that is still open."), state=complaint.state.value,
                       allowed_triggers=[])
    agencies = [db.session.get(Organisation, a) for a in dict.fromkeys(data["agency_ids"])]
    if not agencies or any(a is None or a.kind not in AGENCY_KINDS for a in agencies):
        raise ValidationFailed({"agency_ids": [_("Invite one or more agencies from the directory.")]})
    # the convener's due time is the C1 clock: in the future, at most the rule's period unless with a reason
    due_errors = deadlines.check_due("C1", data["opinion_due_at"], reason=data.get("due_reason"),
                                     field="opinion_due_at")
    if due_errors:
        raise ValidationFailed(due_errors)
    consultation = Consultation(
        complaint=complaint, convened_by=actor, convener_org_id=actor.organisation_id, state=ConsultationState.convened,
        questions=data["questions"], meeting_at=data.get("meeting_at"), opinion_due_at=data["opinion_due_at"],
        invitations=[ConsultationInvitation(agency=a) for a in agencies],
    )
    db.session.add(consultation)
    db.session.flush()
    for agency in agencies:
        deadlines.open_deadline("C1", subject_type="consultation", subject_id=consultation.id,
                                complaint_id=complaint.id, responsible_org_id=agency.id,
                                due_at=data["opinion_due_at"], due_reason=data.get("due_reason"),
                                field="opinion_due_at")
    emit("consultation.invited", organisation_ids=[a.id for a in agencies], subject_type="consultation",
         subject_id=consultation.id, params={"reference": complaint.reference,
                                             "opinion_due_at": data["opinion_due_at"].isoformat()})
    record_event(complaint, actor, "consultation", trigger="convene", to_state=ConsultationState.convened.value,
                 consultation_id=consultation.id,
                 payload={"agencies": [a.name for a in agencies], "questions": data["questions"]})
    follow_referrals(complaint, actor)
    return consultation


def visible_consultations(actor):
    if actor.role in AGENCY_ROLES:
        return Consultation.id.in_(select(ConsultationInvitation.consultation_id)
                                   .where(ConsultationInvitation.agency_id == actor.organisation_id))
    if actor.role is Role.clerk:
        return Consultation.complaint_id.in_(select(Complaint.id).where(Complaint.centre_id == actor.organisation_id))
    if actor.role is Role.supervisor:
        return True
    if actor.role is Role.expert:  # an expert of the think tank: only the consultations it is invited to
        expert_id = getattr(actor, "id", None)
        return False if expert_id is None else Consultation.id.in_(
            select(ExpertInvitation.consultation_id).where(ExpertInvitation.expert_id == expert_id))
    # not the enterprise: the agencies' written opinions are internal (its timeline tells it the rest)
    return False


def get_visible_consultation(actor, consultation_id) -> Consultation:
    return one_visible(Consultation.id, consultation_id, visible_consultations(actor))


CONSULTATION_ORDER = (asc(Consultation.opinion_due_at), asc(Consultation.id))  # the opinion due soonest first


def _consultations(actor, open_only):
    condition = visible_consultations(actor)
    if condition is False:
        return None
    query = select(Consultation).where(condition)
    if open_only:
        query = query.where(Consultation.state.in_(OPEN_CONSULTATION_STATES))
    return query


def list_consultations(actor, *, open_only=False):
    """Every consultation visible to the actor (an agency: those it is invited to), the opinion due soonest first."""
    query = _consultations(actor, open_only)
    if query is None:
        return []
    return db.session.scalars(query.order_by(*(key.order() for key in CONSULTATION_ORDER))).all()


def page_consultations(actor, window, *, open_only=False) -> Page:
    """A page of list_consultations (the API)."""
    query = _consultations(actor, open_only)
    return Page([], 0) if query is None else fetch(query, CONSULTATION_ORDER, window)


def own_invitation(actor, consultation: Consultation):
    """The actor's invitation to the consultation: its agency's, or an expert's own; None if not invited."""
    role = getattr(actor, "role", None)
    if role is Role.expert:
        return next((i for i in consultation.expert_invitations if i.expert_id == actor.id), None)
    if role in AGENCY_ROLES:
        return next((i for i in consultation.invitations if i.agency_id == actor.organisation_id), None)
    return None


def can_give_opinion(actor, consultation: Consultation) -> bool:
    return (own_invitation(actor, consultation) is not None
            and consultation.state in OPEN_CONSULTATION_STATES and consultation.complaint.state not in ENDED)


def submit_opinion(actor, consultation: Consultation, text: str):
    invitation = own_invitation(actor, consultation)
    if invitation is None:
        raise NotFound()
    check_complaint_open(consultation.complaint, actor, consultation, consultation_machine)
    if not can_give_opinion(actor, consultation):
        raise Conflict(_("Opinions are no longer taken on this consultation."), state=consultation.state.value,
                       allowed_triggers=[])
    if not (text or "").strip():
        raise ValidationFailed({"opinion": [_("Write the opinion.")]})
    if isinstance(invitation, ExpertInvitation):  # an adviser's opinion: no agency clock (C1) to meet
        invitation.opinion = text.strip()
        invitation.opinion_at = utcnow()
        record_event(consultation.complaint, actor, "consultation", trigger="opinion", consultation_id=consultation.id,
                     reason=text.strip(), public=False, payload={"agency": actor.name, "expert": True})
        emit("consultation.opinion_submitted", organisation_ids=[consultation.convener_org_id],
             subject_type="consultation", subject_id=consultation.id,
             params={"reference": consultation.complaint.reference, "agency": actor.name})
        db.session.flush()
        return invitation
    invitation.opinion = text.strip()
    invitation.opinion_by = actor
    invitation.opinion_at = utcnow()
    record_event(consultation.complaint, actor, "consultation", trigger="opinion", consultation_id=consultation.id,
                 reason=text.strip(), public=False, payload={"agency": invitation.agency.name})
    deadlines.meet("consultation", consultation.id, ["C1"], responsible_org_id=actor.organisation_id)
    emit("consultation.opinion_submitted", organisation_ids=[consultation.convener_org_id],
         subject_type="consultation", subject_id=consultation.id,
         params={"reference": consultation.complaint.reference, "agency": invitation.agency.name})
    db.session.flush()
    return invitation


def allowed_triggers(consultation: Consultation, actor) -> list[str]:
    return allowed(consultation_machine, consultation, actor)


def transition_consultation(actor, consultation: Consultation, data: dict) -> Consultation:
    trigger = data["trigger"]

    def change():
        if trigger == "record_minutes":
            consultation.minutes = data["minutes"].strip()
            consultation.conclusion = data["conclusion"].strip()

    check_version(consultation, data.get("version"))
    run(consultation_machine, consultation, trigger, actor, data=data, before_change=change,
        reason=(data.get("conclusion") or "").strip() or None if trigger == "record_minutes" else None)
    follow_referrals(consultation.complaint, actor)
    return consultation


@follow_up("record_conclusion")
def _record_conclusion(t):
    """The consultation's conclusion is recorded on the complaint's timeline (the enterprise reads it)."""
    record_event(t.complaint, t.actor, "consultation", trigger="conclusion", consultation_id=t.entity.id,
                 reason=t.entity.conclusion, public=True)


@follow_up("refer_from_minutes")
def _refer_from_minutes(t):
    if t.data.get("referrals"):
        if t.complaint.state not in (S.accepted, S.referred, S.in_progress):
            raise ValidationFailed({"referrals": [_("Only an accepted complaint can be referred.")]})
        create_referrals(t.actor, t.complaint, t.data["referrals"], consultation=t.entity)
