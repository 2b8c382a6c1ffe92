import datetime as dt
import decimal
import uuid

from sqlalchemy import (JSON, CheckConstraint, ForeignKey, Index, Integer, String, Text, UniqueConstraint,
                        Uuid, text)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from accounts.models import Organisation, User
from core.extensions import db
from core.models import BigIntPK, UTCDateTime, enum_column, new_uuid, utcnow
from evidence.models import EvidenceFile
from intake.enums import Track
from intake.models import Complaint, Money

from .enums import (CivilRoute, ConsultationState, LinkKind, PreservationKind, PreservationRuling, ReferralState,
                    ReturnReason, SupplementKind, TransferState)

ACTIVE_REFERRAL_SQL = "state IN ('sent', 'acknowledged', 'accepted')"


class Referral(db.Model):
    """A referral (移送) of a complaint to one agency for one track. State changes only via the machine."""

    __tablename__ = "referrals"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_uuid)
    complaint_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("complaints.id"))
    agency_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisations.id"))
    track: Mapped[Track] = mapped_column(enum_column(Track, "track"))
    state: Mapped[ReferralState] = mapped_column(enum_column(ReferralState, "referral_state"),
                                                 default=ReferralState.sent)
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    parent_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("referrals.id"))
    link_kind: Mapped[LinkKind | None] = mapped_column(enum_column(LinkKind, "link_kind"))
    sent_by_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    message: Mapped[str | None] = mapped_column(Text)  # the centre's covering note
    letter_number: Mapped[str] = mapped_column(String(40), unique=True)  # 移送函 number (a civil one: the filing guide's)
    # civil procedure: how the centre sends a civil dispute to a court (a court referral only), when the
    # court found the suit's materials complete (its registration clock V1 runs from then), and when a
    # pre-suit mediation failed (the route became file_suit)
    civil_route: Mapped[CivilRoute | None] = mapped_column(enum_column(CivilRoute, "civil_route"))
    materials_complete_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    mediation_failed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    acknowledged_by_name: Mapped[str | None] = mapped_column(String(100))
    agency_case_number: Mapped[str | None] = mapped_column(String(100))
    decline_reason: Mapped[str | None] = mapped_column(Text)
    return_reason: Mapped[ReturnReason | None] = mapped_column(enum_column(ReturnReason, "return_reason"))
    return_message: Mapped[str | None] = mapped_column(Text)
    outcome: Mapped[dict | None] = mapped_column(JSON)
    fine_amount: Mapped[decimal.Decimal | None] = mapped_column(Money)
    confiscation_amount: Mapped[decimal.Decimal | None] = mapped_column(Money)
    damages_amount: Mapped[decimal.Decimal | None] = mapped_column(Money)
    # the earliest due time of the agency's running clocks on this referral (kept by routing): the inbox order
    agency_due_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    acknowledged_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    decided_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    concluded_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    complaint: Mapped[Complaint] = relationship()
    agency: Mapped[Organisation] = relationship()
    sent_by: Mapped[User] = relationship()
    parent: Mapped["Referral | None"] = relationship(remote_side=[id])
    shared_evidence: Mapped[list[EvidenceFile]] = relationship(secondary="referral_evidence", order_by="EvidenceFile.created_at")
    transfers: Mapped[list["TransferProposal"]] = relationship(
        back_populates="referral", order_by="TransferProposal.proposed_at", viewonly=True)

    preservations: Mapped[list["PreservationApplication"]] = relationship(
        back_populates="referral", order_by="PreservationApplication.applied_at", viewonly=True)

    @property
    def pending_preservation(self) -> "PreservationApplication | None":
        """The application for preservation the court has not yet ruled on (V2 runs)."""
        return next((p for p in self.preservations if p.ruling is None), None)

    @property
    def pending_transfer(self) -> "TransferProposal | None":
        """The officer's proposal to transfer to the police that waits for the head (T1)."""
        return next((p for p in self.transfers if p.state is TransferState.pending), None)

    @property
    def approved_transfer(self) -> "TransferProposal | None":
        """The head's approval not yet acted on: the case goes to the police within 24 hours (T2)."""
        return next((p for p in self.transfers if p.state is TransferState.approved), None)

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        # at most one active referral per complaint and agency, whatever the race
        Index("uq_referrals_active_per_agency", "complaint_id", "agency_id", unique=True,
              sqlite_where=text(ACTIVE_REFERRAL_SQL), postgresql_where=text(ACTIVE_REFERRAL_SQL)),
        Index("ix_referrals_agency_state", "agency_id", "state", "agency_due_at"),
        Index("ix_referrals_complaint", "complaint_id"),
        Index("ix_referrals_track_complaint", "track", "complaint_id"),
        CheckConstraint("state NOT IN ('acknowledged', 'accepted', 'concluded') OR acknowledged_by_name IS NOT NULL",
                        name="acknowledged_has_officer"),
        CheckConstraint("state NOT IN ('accepted', 'concluded') OR agency_case_number IS NOT NULL",
                        name="accepted_has_case_number"),
        CheckConstraint("state <> 'declined' OR decline_reason IS NOT NULL", name="declined_has_reason"),
        CheckConstraint("state <> 'returned' OR return_reason IS NOT NULL", name="returned_has_reason"),
        CheckConstraint("state <> 'concluded' OR outcome IS NOT NULL", name="concluded_has_outcome"),
        CheckConstraint("(parent_id IS NULL) = (link_kind IS NULL)", name="link_has_kind"),
    )


class ReferralEvidence(db.Model):
    """Which evidence files the clerk shared with a referral's agency, and when (later ones come with a
    supplement)."""

    __tablename__ = "referral_evidence"

    referral_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("referrals.id", ondelete="CASCADE"), primary_key=True)
    evidence_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("evidence_files.id"), primary_key=True)
    shared_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, default=utcnow)
    supplement_id: Mapped[int | None] = mapped_column(ForeignKey("referral_supplements.id", ondelete="SET NULL"))


class ReferralSupplement(db.Model):
    """Material that reached a referral after it was sent: further evidence from the centre, or another
    agency's transfer of the same matter attached to it (the link: source referral and link kind)."""

    __tablename__ = "referral_supplements"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    referral_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("referrals.id", ondelete="CASCADE"), index=True)
    kind: Mapped[SupplementKind] = mapped_column(enum_column(SupplementKind, "supplement_kind"))
    source_referral_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("referrals.id"), index=True)
    link_kind: Mapped[LinkKind | None] = mapped_column(enum_column(LinkKind, "link_kind"))
    message: Mapped[str | None] = mapped_column(Text)
    added_by_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    referral: Mapped[Referral] = relationship(foreign_keys=[referral_id])
    source_referral: Mapped[Referral | None] = relationship(foreign_keys=[source_referral_id])
    added_by: Mapped[User] = relationship()
    evidence: Mapped[list[EvidenceFile]] = relationship(
        secondary="referral_evidence", primaryjoin="ReferralSupplement.id == ReferralEvidence.supplement_id",
        secondaryjoin="ReferralEvidence.evidence_id == EvidenceFile.id", viewonly=True,
        order_by="EvidenceFile.created_at")

    __table_args__ = (
        CheckConstraint("kind <> 'transfer' OR (source_referral_id IS NOT NULL AND link_kind IS NOT NULL)",
                        name="transfer_supplement_has_link"),
    )


class TransferProposal(db.Model):
    """Order 310 art. 5: an officer proposes to transfer an opened administrative case to the police with
    reasons; the agency head approves or refuses within 3 days (T1); an approved case is handed over
    within 24 hours (T2), by the referral's ``transfer`` trigger."""

    __tablename__ = "transfer_proposals"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_uuid)
    referral_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("referrals.id", ondelete="CASCADE"), index=True)
    state: Mapped[TransferState] = mapped_column(enum_column(TransferState, "transfer_state"),
                                                 default=TransferState.pending)
    reason: Mapped[str] = mapped_column(Text)
    proposed_by_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    proposed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    decision_reason: Mapped[str | None] = mapped_column(Text)
    sent_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    referral: Mapped[Referral] = relationship(back_populates="transfers")
    proposed_by: Mapped[User] = relationship(foreign_keys=[proposed_by_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])

    __table_args__ = (
        # one proposal at a time waits for the head or for the hand-over
        Index("uq_transfer_proposals_open", "referral_id", unique=True,
              sqlite_where=text("state IN ('pending', 'approved')"),
              postgresql_where=text("state IN ('pending', 'approved')")),
        CheckConstraint("state = 'pending' OR decided_at IS NOT NULL", name="decided_has_time"),
        CheckConstraint("state <> 'refused' OR decision_reason IS NOT NULL", name="refused_has_reason"),
    )


class PreservationApplication(db.Model):
    """Civil procedure: an application for preservation (财产 / 证据 / 行为保全) the court recorded, and its
    ruling (granted or refused, with reasons) within 48 hours (V2)."""

    __tablename__ = "preservation_applications"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    referral_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("referrals.id", ondelete="CASCADE"), index=True)
    kind: Mapped[PreservationKind] = mapped_column(enum_column(PreservationKind, "preservation_kind"))
    note: Mapped[str | None] = mapped_column(Text)
    applied_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    recorded_by_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    ruling: Mapped[PreservationRuling | None] = mapped_column(enum_column(PreservationRuling, "preservation_ruling"))
    ruling_reasons: Mapped[str | None] = mapped_column(Text)
    ruled_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    ruled_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))

    referral: Mapped[Referral] = relationship(back_populates="preservations")

    __table_args__ = (
        # one application at a time waits for the court's ruling
        Index("uq_preservation_applications_pending", "referral_id", unique=True,
              sqlite_where=text("ruling IS NULL"), postgresql_where=text("ruling IS NULL")),
        CheckConstraint("(ruling IS NULL) = (ruled_at IS NULL) AND (ruling IS NULL) = (ruling_reasons IS NULL)",
                        name="ruled_has_time_and_reasons"),
    )


class ReferralNote(db.Model):
    """Progress notes of an agency on a referral; internal ones are never shown to the enterprise."""

    __tablename__ = "referral_notes"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    referral_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("referrals.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    text: Mapped[str] = mapped_column(Text)
    public: Mapped[bool] = mapped_column(default=False)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    author: Mapped[User] = relationship()


class Consultation(db.Model):
    """A consultation (会商) of several agencies on one complaint."""

    __tablename__ = "consultations"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_uuid)
    complaint_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("complaints.id"), index=True)
    convened_by_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    convener_org_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisations.id"))
    state: Mapped[ConsultationState] = mapped_column(enum_column(ConsultationState, "consultation_state"),
                                                     default=ConsultationState.convened)
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    questions: Mapped[list] = mapped_column(JSON, default=list)
    meeting_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    opinion_due_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    minutes: Mapped[str | None] = mapped_column(Text)
    conclusion: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    complaint: Mapped[Complaint] = relationship()
    convened_by: Mapped[User] = relationship()
    invitations: Mapped[list["ConsultationInvitation"]] = relationship(
        back_populates="consultation", cascade="all, delete-orphan", order_by="ConsultationInvitation.id")
    expert_invitations: Mapped[list["ExpertInvitation"]] = relationship(
        back_populates="consultation", cascade="all, delete-orphan", order_by="ExpertInvitation.id")

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        CheckConstraint("state NOT IN ('minuted', 'closed') OR (minutes IS NOT NULL AND conclusion IS NOT NULL)",
                        name="minuted_has_minutes"),
    )


class ConsultationInvitation(db.Model):
    __tablename__ = "consultation_invitations"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    consultation_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("consultations.id", ondelete="CASCADE"))
    agency_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisations.id"), index=True)
    opinion: Mapped[str | None] = mapped_column(Text)
    opinion_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    opinion_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    consultation: Mapped[Consultation] = relationship(back_populates="invitations")
    agency: Mapped[Organisation] = relationship()
    opinion_by: Mapped[User | None] = relationship()

    __table_args__ = (UniqueConstraint("consultation_id", "agency_id"),)


class ExpertInvitation(db.Model):
    """An expert of the think tank (Role.expert) invited to a consultation beside the agencies: the expert
    sees that consultation only and gives a written opinion (registry/experts.py invites, checking the
    expert's declared conflicts against the complaint's parties)."""

    __tablename__ = "expert_invitations"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    consultation_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("consultations.id", ondelete="CASCADE"))
    expert_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"), index=True)
    invited_by_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    invited_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    opinion: Mapped[str | None] = mapped_column(Text)
    opinion_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    consultation: Mapped[Consultation] = relationship(back_populates="expert_invitations")
    expert: Mapped[User] = relationship(foreign_keys=[expert_id])
    invited_by: Mapped[User] = relationship(foreign_keys=[invited_by_id])

    __table_args__ = (UniqueConstraint("consultation_id", "expert_id"),
                      CheckConstraint("(opinion IS NULL) = (opinion_at IS NULL)", name="opinion_has_time"))




ACTIVE_SUPERVISION_SQL = "lifted_at IS NULL"


class Supervision(db.Model):
    """Key-case supervision (督办) of a complaint by the supervisor office: instructions, the centre's
    reports (each meets the running S1 clock and opens the next), until a supervisor lifts it with a
    closing note. A complaint may be supervised again after a lift (a new row): at most one is active."""

    __tablename__ = "supervisions"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_uuid)
    complaint_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("complaints.id"))
    supervisor_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    instructions: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    lifted_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    lifted_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    closing_note: Mapped[str | None] = mapped_column(Text)

    complaint: Mapped[Complaint] = relationship()
    supervisor: Mapped[User] = relationship(foreign_keys=[supervisor_id])
    lifted_by: Mapped[User | None] = relationship(foreign_keys=[lifted_by_id])
    reports: Mapped[list["SupervisionReport"]] = relationship(
        back_populates="supervision", cascade="all, delete-orphan",
        order_by=lambda: (SupervisionReport.at, SupervisionReport.id))
    further_instructions: Mapped[list["SupervisionInstruction"]] = relationship(
        cascade="all, delete-orphan", order_by=lambda: (SupervisionInstruction.at, SupervisionInstruction.id))

    __table_args__ = (
        # at most one active supervision per complaint, whatever the race
        Index("uq_supervisions_active", "complaint_id", unique=True,
              sqlite_where=text(ACTIVE_SUPERVISION_SQL), postgresql_where=text(ACTIVE_SUPERVISION_SQL)),
        Index("ix_supervisions_complaint", "complaint_id", "created_at"),
        CheckConstraint("(lifted_at IS NULL) = (lifted_by_id IS NULL) AND (lifted_at IS NULL) = (closing_note IS NULL)",
                        name="lifted_has_who_and_note"),
    )

    @property
    def active(self) -> bool:
        return self.lifted_at is None

    @property
    def last_report(self) -> "SupervisionReport | None":
        return self.reports[-1] if self.reports else None


class SupervisionReport(db.Model):
    """One report of the centre on its key case, kept with the others (the supervision's history)."""

    __tablename__ = "supervision_reports"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    supervision_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("supervisions.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    text: Mapped[str] = mapped_column(Text)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    supervision: Mapped[Supervision] = relationship(back_populates="reports")
    author: Mapped[User] = relationship()


class SupervisionInstruction(db.Model):
    """Further instructions of the supervisor office on an active supervision (the first are Supervision's)."""

    __tablename__ = "supervision_instructions"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    supervision_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("supervisions.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    text: Mapped[str] = mapped_column(Text)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    author: Mapped[User] = relationship()
