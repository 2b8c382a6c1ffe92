"""The complaint's vocabulary: states, secret categories, infringers, acts, remedies, tracks, timeline events."""
import enum

from flask_babel import lazy_gettext as _l


class ComplaintState(enum.Enum):
    draft = "draft"
    submitted = "submitted"
    triaging = "triaging"
    awaiting_info = "awaiting_info"
    accepted = "accepted"
    rejected = "rejected"
    referred = "referred"
    in_progress = "in_progress"
    concluded = "concluded"
    under_review = "under_review"  # the enterprise was dissatisfied: its centre reviews the outcome (rule R1)
    closed = "closed"
    withdrawn = "withdrawn"


COMPLAINT_STATE_LABELS = {
    ComplaintState.draft: _l("Draft"),
    ComplaintState.submitted: _l("Submitted"),
    ComplaintState.triaging: _l("Being triaged"),
    ComplaintState.awaiting_info: _l("Awaiting supplements"),
    ComplaintState.accepted: _l("Accepted"),
    ComplaintState.rejected: _l("Not accepted"),
    ComplaintState.referred: _l("Referred"),
    ComplaintState.in_progress: _l("In progress"),
    ComplaintState.concluded: _l("Concluded"),
    ComplaintState.under_review: _l("Under review after a dissatisfied rating"),
    ComplaintState.closed: _l("Closed"),
    ComplaintState.withdrawn: _l("Withdrawn"),
}

# States from which the enterprise may still withdraw.
OPEN_STATES = frozenset({
    ComplaintState.submitted, ComplaintState.triaging, ComplaintState.awaiting_info,
    ComplaintState.accepted, ComplaintState.referred, ComplaintState.in_progress,
})


class SecretCategory(enum.Enum):
    technical = "technical"
    business = "business"
    other = "other"


SECRET_CATEGORY_LABELS = {
    SecretCategory.technical: _l("Technical information"),
    SecretCategory.business: _l("Business information"),
    SecretCategory.other: _l("Other commercial information"),
}


class InfringerKind(enum.Enum):
    former_employee = "former_employee"
    current_employee = "current_employee"
    competitor = "competitor"
    business_partner = "business_partner"
    unknown = "unknown"


INFRINGER_KIND_LABELS = {
    InfringerKind.former_employee: _l("Former employee"),
    InfringerKind.current_employee: _l("Current employee"),
    InfringerKind.competitor: _l("Competitor"),
    InfringerKind.business_partner: _l("Business partner"),
    InfringerKind.unknown: _l("Unknown"),
}

# Kinds that are organisations and so may have a credit code.
ORGANISATION_INFRINGERS = frozenset({InfringerKind.competitor, InfringerKind.business_partner, InfringerKind.unknown})


class InfringingAct(enum.Enum):
    """Anti-Unfair Competition Law (art. 9 of 2019, art. 10 since 2025-10-15), plus the policy's measure 9."""

    theft = "theft"
    bribery = "bribery"
    fraud = "fraud"
    coercion = "coercion"
    electronic_intrusion = "electronic_intrusion"
    other_improper_means = "other_improper_means"
    disclosure_or_use_of_improperly_acquired = "disclosure_or_use_of_improperly_acquired"
    breach_of_confidentiality_duty = "breach_of_confidentiality_duty"
    abetting_or_helping = "abetting_or_helping"
    third_party_knowing_use = "third_party_knowing_use"
    patent_application = "patent_application"


INFRINGING_ACT_LABELS = {
    InfringingAct.theft: _l("Acquisition by theft"),
    InfringingAct.bribery: _l("Acquisition by bribery"),
    InfringingAct.fraud: _l("Acquisition by fraud"),
    InfringingAct.coercion: _l("Acquisition by coercion"),
    InfringingAct.electronic_intrusion: _l("Acquisition by electronic intrusion"),
    InfringingAct.other_improper_means: _l("Acquisition by other improper means"),
    InfringingAct.disclosure_or_use_of_improperly_acquired: _l("Disclosing, using or letting others use a secret so acquired"),
    InfringingAct.breach_of_confidentiality_duty: _l("Disclosure or use in breach of a confidentiality duty"),
    InfringingAct.abetting_or_helping: _l("Abetting or helping another to infringe"),
    InfringingAct.third_party_knowing_use: _l("A third party knowingly acquiring or using"),
    InfringingAct.patent_application: _l("Appropriating the secret through a patent application"),
}


class Remedy(enum.Enum):
    administrative_investigation = "administrative_investigation"
    criminal_investigation = "criminal_investigation"
    civil_damages = "civil_damages"
    injunction_preservation = "injunction_preservation"
    guidance_only = "guidance_only"


REMEDY_LABELS = {
    Remedy.administrative_investigation: _l("Administrative investigation"),
    Remedy.criminal_investigation: _l("Criminal investigation"),
    Remedy.civil_damages: _l("Civil damages"),
    Remedy.injunction_preservation: _l("Injunction / preservation"),
    Remedy.guidance_only: _l("Guidance only"),
}


class Track(enum.Enum):
    administrative = "administrative"
    criminal = "criminal"
    civil = "civil"


TRACK_LABELS = {
    Track.administrative: _l("Administrative"),
    Track.criminal: _l("Criminal"),
    Track.civil: _l("Civil"),
}

# preferred_tracks holds track values, or exactly this one value.
CENTRE_DECIDES = "centre_decides"


class EventKind(enum.Enum):
    """What a timeline row (ComplaintEvent.kind) records. intake.services.record_event refuses any other
    kind; each has a translated label here and plain words in routing/presenters.py's event_text."""
    created = "created"  # intake: a draft is created
    edited = "edited"  # intake: a draft is edited
    evidence_added = "evidence_added"  # intake: evidence files are added
    transition = "transition"  # the complaint machine (trigger: the machine's trigger)
    referral = "referral"  # the referral machine (trigger: "send" or the machine's trigger)
    routing_decision = "routing_decision"  # further referrals of a complaint already referred
    consultation = "consultation"  # the consultation machine ("convene", "opinion" or the machine's trigger)
    note = "note"  # an agency's progress note
    step = "step"  # an agency's step inside a referral (trigger: a name of routing/steps.py's STEPS)
    appraisal = "appraisal"  # trigger appraisal_requested / appraisal_returned: the decision clock paused/resumed
    supervision = "supervision"  # key-case supervision (trigger supervise / report / lift)
    assignment = "assignment"  # routing.assignment: another clerk holds the complaint (trigger "reassign")


EVENT_KIND_LABELS = {
    EventKind.created: _l("Draft created"),
    EventKind.edited: _l("Draft edited"),
    EventKind.evidence_added: _l("Evidence added"),
    EventKind.transition: _l("Change of state"),
    EventKind.referral: _l("Referral"),
    EventKind.routing_decision: _l("Routing decision"),
    EventKind.consultation: _l("Consultation"),
    EventKind.note: _l("Progress note"),
    EventKind.step: _l("Step in a referral"),
    EventKind.appraisal: _l("Appraisal"),
    EventKind.supervision: _l("Key-case supervision"),
    EventKind.assignment: _l("Handed to another clerk"),
}
