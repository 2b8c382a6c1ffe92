"""Where routing's notifications lead (notifications.links): the complaint, referral or consultation page each
reader may open — the enterprise its complaint page, the centre's clerks and the supervisors the triage page,
an agency its own referral (the one a referral notice names by its letter number) or the consultation it was
invited to. Whatever the reader may not see gives no link (the same access rules as the pages)."""
import uuid

from sqlalchemy import select

from accounts.enums import AGENCY_ROLES, Role
from core.errors import NotFound
from core.extensions import db
from intake.services import get_visible_complaint
from notifications.links import Link, path_for, register_link

from .access import get_visible_referral
from .consultations import get_visible_consultation
from .models import Consultation, ConsultationInvitation, Referral, Supervision


def _complaint_page(complaint, reader) -> Link | None:
    if reader.role is Role.enterprise_user:
        return Link(path_for("intake.show_complaint", complaint_id=complaint.id), "complaint")
    return Link(path_for("centre.triage_page", complaint_id=complaint.id), "complaint")


def _agency_link(complaint_id, params, reader) -> Link | None:
    """An agency's way into a complaint: its referral (the one named by the notice), else its consultation."""
    query = select(Referral.id).where(Referral.complaint_id == complaint_id, Referral.agency_id == reader.organisation_id)
    if params.get("letter_number"):
        named = db.session.scalar(query.where(Referral.letter_number == str(params["letter_number"])))
        if named is not None:
            return Link(path_for("agency.referral_page", referral_id=named), "referral")
    latest = db.session.scalar(query.order_by(Referral.created_at.desc()).limit(1))
    if latest is not None:
        return Link(path_for("agency.referral_page", referral_id=latest), "referral")
    consultation = db.session.scalar(
        select(Consultation.id).join(ConsultationInvitation, ConsultationInvitation.consultation_id == Consultation.id)
        .where(Consultation.complaint_id == complaint_id, ConsultationInvitation.agency_id == reader.organisation_id)
        .order_by(Consultation.created_at.desc()).limit(1))
    if consultation is not None:
        return Link(path_for("centre.consultation_page", consultation_id=consultation), "consultation")
    return None


def complaint_link(subject_id, params, reader) -> Link | None:
    try:
        complaint_id = uuid.UUID(str(subject_id))
    except ValueError:
        return None
    if reader.role in AGENCY_ROLES:
        return _agency_link(complaint_id, params, reader)
    try:
        complaint = get_visible_complaint(reader, complaint_id)
    except NotFound:
        return None
    return _complaint_page(complaint, reader)


def referral_link(subject_id, params, reader) -> Link | None:
    try:
        referral = get_visible_referral(reader, subject_id)
    except NotFound:
        return None
    if reader.role in AGENCY_ROLES:
        return Link(path_for("agency.referral_page", referral_id=referral.id), "referral")
    return _complaint_page(referral.complaint, reader)


def consultation_link(subject_id, params, reader) -> Link | None:
    try:
        consultation = get_visible_consultation(reader, subject_id)
    except NotFound:
        return None
    return Link(path_for("centre.consultation_page", consultation_id=consultation.id), "consultation")


def supervision_link(subject_id, params, reader) -> Link | None:
    """A key case's report clock (S1): the triage page of its complaint, for the centre and the supervisors."""
    try:
        supervision = db.session.get(Supervision, uuid.UUID(str(subject_id)))
    except ValueError:
        return None
    if supervision is None:
        return None
    return complaint_link(supervision.complaint_id, params, reader)


def init_app(app) -> None:
    register_link("complaint", complaint_link)
    register_link("referral", referral_link)
    register_link("consultation", consultation_link)
    register_link("supervision", supervision_link)
