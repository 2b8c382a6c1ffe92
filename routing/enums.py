import enum

from flask_babel import lazy_gettext as _l


class ReferralState(enum.Enum):
    sent = "sent"
    acknowledged = "acknowledged"
    accepted = "accepted"
    declined = "declined"
    returned = "returned"
    concluded = "concluded"
    transferred = "transferred"
    supervision_requested = "supervision_requested"
    withdrawn = "withdrawn"


REFERRAL_STATE_LABELS = {
    ReferralState.sent: _l("Sent"),
    ReferralState.acknowledged: _l("Acknowledged"),
    ReferralState.accepted: _l("Case opened"),
    ReferralState.declined: _l("Declined to open a case"),
    ReferralState.returned: _l("Returned to the centre"),
    ReferralState.concluded: _l("Concluded"),
    ReferralState.transferred: _l("Transferred"),
    ReferralState.supervision_requested: _l("Sent for filing supervision"),
    ReferralState.withdrawn: _l("Withdrawn with the complaint"),
}

# A referral in one of these states still expects the agency to act.
OPEN_REFERRAL_STATES = frozenset({ReferralState.sent, ReferralState.acknowledged, ReferralState.accepted})


class LinkKind(enum.Enum):
    admin_to_criminal = "admin_to_criminal"  # 行刑衔接
    criminal_to_admin = "criminal_to_admin"  # 反向衔接
    filing_supervision = "filing_supervision"  # 立案监督
    reroute = "reroute"  # the centre re-routes a returned referral


LINK_KIND_LABELS = {
    LinkKind.admin_to_criminal: _l("Administrative to criminal transfer"),
    LinkKind.criminal_to_admin: _l("Criminal to administrative transfer"),
    LinkKind.filing_supervision: _l("Filing supervision by the procuratorate"),
    LinkKind.reroute: _l("Re-routed after a return"),
}


class ReturnReason(enum.Enum):
    wrong_jurisdiction = "wrong_jurisdiction"
    missing_material = "missing_material"
    other = "other"


RETURN_REASON_LABELS = {
    ReturnReason.wrong_jurisdiction: _l("Wrong jurisdiction"),
    ReturnReason.missing_material: _l("Missing material"),
    ReturnReason.other: _l("Other"),
}


class RejectReason(enum.Enum):
    not_trade_secret = "not_trade_secret"
    outside_remit = "outside_remit"
    duplicate = "duplicate"
    insufficient_after_supplements = "insufficient_after_supplements"


REJECT_REASON_LABELS = {
    RejectReason.not_trade_secret: _l("Not a trade-secret matter"),
    RejectReason.outside_remit: _l("Outside the centre's remit"),
    RejectReason.duplicate: _l("Duplicate of another complaint"),
    RejectReason.insufficient_after_supplements: _l("Insufficient even after supplements"),
}


class ConsultationState(enum.Enum):
    convened = "convened"
    opinions_due = "opinions_due"
    minuted = "minuted"
    closed = "closed"
    cancelled = "cancelled"


CONSULTATION_STATE_LABELS = {
    ConsultationState.convened: _l("Convened"),
    ConsultationState.opinions_due: _l("Opinions due"),
    ConsultationState.minuted: _l("Minuted"),
    ConsultationState.closed: _l("Closed"),
    ConsultationState.cancelled: _l("Cancelled with the complaint"),
}

# A consultation in one of these states still takes opinions (or awaits its minutes being closed).
OPEN_CONSULTATION_STATES = frozenset({ConsultationState.convened, ConsultationState.opinions_due})


class TransferState(enum.Enum):
    """An officer's proposal to transfer a case to the police (Order 310 art. 5), decided by the head."""

    pending = "pending"    # T1: the head decides within 3 days
    approved = "approved"  # T2: the case goes to the police within 24 hours
    refused = "refused"
    sent = "sent"


TRANSFER_STATE_LABELS = {
    TransferState.pending: _l("Waiting for the head's decision"),
    TransferState.approved: _l("Approved: to be handed to the police"),
    TransferState.refused: _l("Refused by the head"),
    TransferState.sent: _l("Handed to the police"),
}


class SupplementKind(enum.Enum):
    """Material that reached a referral after it was sent."""

    evidence = "evidence"  # the centre sent further evidence
    transfer = "transfer"  # another agency's transfer of the same matter (行刑衔接 / 反向衔接 beside it)


SUPPLEMENT_KIND_LABELS = {
    SupplementKind.evidence: _l("Further evidence from the centre"),
    SupplementKind.transfer: _l("A transfer from another agency"),
}

# The results a concluded referral may have; which agency may give which: routing/outcomes.py.
OUTCOME_LABELS = {
    "penalty_decision": _l("Administrative penalty decision"),
    "no_penalty": _l("No penalty imposed"),
    "no_violation_found": _l("No violation found"),
    "closed_other": _l("Closed for another reason"),
    "sent_for_prosecution": _l("Sent to the procuratorate for prosecution"),
    "case_withdrawn": _l("Case withdrawn"),
    "filed_after_notice": _l("The police filed the case after the notice"),
    "non_filing_upheld": _l("The police's reasons for not filing were found sound"),
    "prosecuted": _l("Prosecuted"),
    "not_prosecuted": _l("Not prosecuted"),
    "judgment": _l("Judgment"),
    "mediation": _l("Mediation agreement"),
    "withdrawal": _l("Suit withdrawn"),
    "dismissed": _l("Claim dismissed"),
}


# --- civil procedure: a civil suit is filed by the enterprise, not referred by the centre ---------------

class CivilRoute(enum.Enum):
    """How the centre sends a civil dispute to a court (DOMAIN.md, civil track)."""

    file_suit = "file_suit"  # 引导起诉: the centre prepares a filing package, the enterprise files its suit
    pre_suit_mediation = "pre_suit_mediation"  # 诉前调解 / 诉调对接: court-annexed mediation before any suit


CIVIL_ROUTE_LABELS = {
    CivilRoute.file_suit: _l("Guide the enterprise to file suit (filing package)"),
    CivilRoute.pre_suit_mediation: _l("Pre-suit mediation at the court (court-annexed mediation)"),
}


class PreservationKind(enum.Enum):
    """What the enterprise asks the court to preserve (Civil Procedure Law arts. 103-104, 84)."""

    property = "property"  # 财产保全
    evidence = "evidence"  # 证据保全
    conduct = "conduct"  # 行为保全 (an order to stop the use or disclosure)


PRESERVATION_KIND_LABELS = {
    PreservationKind.property: _l("Property preservation"),
    PreservationKind.evidence: _l("Evidence preservation"),
    PreservationKind.conduct: _l("Conduct preservation (an order to stop)"),
}


class PreservationRuling(enum.Enum):
    granted = "granted"
    refused = "refused"


PRESERVATION_RULING_LABELS = {
    PreservationRuling.granted: _l("Granted"),
    PreservationRuling.refused: _l("Refused"),
}
