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


REFERRAL_STATE_LABELS = {
    ReferralState.sent: _l("Sent"),
    ReferralState.acknowledged: _l("Acknowledged"),
    ReferralState.accepted: _l("Case opened"),
    ReferralState.declined: _l("Declined to open a case"),
    ReferralState.returned: _l("Returned to the centre"),
    ReferralState.concluded: _l("Concluded"),
    ReferralState.transferred: _l("Transferred"),
    ReferralState.supervision_requested: _l("Sent for filing supervision"),
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


CONSULTATION_STATE_LABELS = {
    ConsultationState.convened: _l("Convened"),
    ConsultationState.opinions_due: _l("Opinions due"),
    ConsultationState.minuted: _l("Minuted"),
    ConsultationState.closed: _l("Closed"),
}

# Outcome results per track, for concluding a referral.
OUTCOME_RESULTS = {
    "administrative": ("penalty_decision", "no_violation_found", "closed_other"),
    "criminal": ("prosecuted", "judgment", "not_prosecuted", "case_dismissed"),
    "civil": ("judgment", "mediation", "withdrawal", "dismissed"),
}

OUTCOME_LABELS = {
    "penalty_decision": _l("Administrative penalty decision"),
    "no_violation_found": _l("No violation found"),
    "closed_other": _l("Closed for another reason"),
    "prosecuted": _l("Prosecuted"),
    "judgment": _l("Judgment"),
    "not_prosecuted": _l("Not prosecuted"),
    "case_dismissed": _l("Case dismissed"),
    "mediation": _l("Mediation"),
    "withdrawal": _l("Suit withdrawn"),
    "dismissed": _l("Claim dismissed"),
}
