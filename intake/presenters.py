"""Plain-language texts for people: what a timeline event means, labels of stored values."""
from flask_babel import gettext as _, lazy_gettext as _l, ngettext

from accounts.enums import Role

from .enums import (COMPLAINT_STATE_LABELS, EVENT_KIND_LABELS, INFRINGING_ACT_LABELS, REMEDY_LABELS, ComplaintState,
                    EventKind, InfringingAct, Remedy)
from .schemas import TRACK_CHOICE_LABELS

# --- which timeline rows a person sees ---------------------------------------------------------------

# Rows about the staff's own work, never the enterprise's to read whatever their flag: key-case supervision,
# Order 310's steps between agencies, appraisals, the routing decision's record of the rules' suggestion.
INTERNAL_KINDS = frozenset({EventKind.supervision.value, EventKind.step.value, EventKind.appraisal.value,
                            EventKind.routing_decision.value})
# Of a consultation, the enterprise reads that it was convened, its conclusion, and its cancellation; the
# requests for opinions, the opinions and the minutes are the agencies' (consultation internals).
PUBLIC_CONSULTATION_TRIGGERS = frozenset({"convene", "conclusion", "cancel"})


def entry_visible_to(entry, user) -> bool:
    """Whether this person may read this timeline row of a complaint they can see. The enterprise reads the
    public rows only, and never an internal kind (notes it reads when the agency made them public)."""
    if getattr(user, "role", None) is not Role.enterprise_user:
        return True
    if not entry.public or entry.kind in INTERNAL_KINDS:
        return False
    return entry.kind != EventKind.consultation.value or entry.trigger in PUBLIC_CONSULTATION_TRIGGERS


# Rows that restate another row of the same action (the record keeps them; the timeline shows one row per
# event): the complaint following its referrals (the referral's row says "referred to ...", "... opened a
# case"), the routing decision beside the referrals it made, the minutes beside the conclusion that follows.
RESTATING_TRIGGERS = {EventKind.transition.value: frozenset({"refer", "start"}),
                      EventKind.consultation.value: frozenset({"record_minutes"}),
                      EventKind.routing_decision.value: frozenset({None})}


def restates(entry) -> bool:
    return entry.trigger in RESTATING_TRIGGERS.get(entry.kind, ())


def timeline_entries(user, entries) -> list:
    """The timeline as a page shows it to this person: the rows they may read, one row per event."""
    return [e for e in entries if entry_visible_to(e, user) and not restates(e)]


TRIGGER_TEXTS = {
    "submit": lambda e: _("Submitted to the rights-protection centre (reference %(ref)s).",
                          ref=(e.payload or {}).get("reference", "")),
    "claim": lambda e: _("A centre clerk has taken up the complaint."),
    "request_info": lambda e: _("The centre asked for supplementary information."),
    "supply_info": lambda e: _("Supplementary information provided."),
    "accept": lambda e: _("The centre accepted the complaint."),
    "reject": lambda e: _("The centre did not accept the complaint."),
    "withdraw": lambda e: _("Withdrawn by the enterprise."),
}


def _label(labels, enum_cls, value):
    try:
        return labels[enum_cls(value)]
    except ValueError:
        return value


def act_label(value):
    return _label(INFRINGING_ACT_LABELS, InfringingAct, value)


def remedy_label(value):
    return _label(REMEDY_LABELS, Remedy, value)


def kind_label(kind) -> str:
    """The translated name of a timeline kind (an EventKind or its value); never the raw word."""
    try:
        return str(EVENT_KIND_LABELS[EventKind(kind)])
    except ValueError:
        return _("An event on the complaint.")


def event_text(event) -> str:
    if event.kind == EventKind.created.value:
        return _("Draft created.")
    if event.kind == EventKind.edited.value:
        return _("Draft edited.")
    if event.kind == EventKind.evidence_added.value:
        count = len((event.payload or {}).get("files", []))
        return ngettext("%(num)d evidence file added.", "%(num)d evidence files added.", count)
    if event.kind == EventKind.transition.value:
        text = TRIGGER_TEXTS.get(event.trigger)
        if text:
            return text(event)
        return _("State changed to %(state)s.", state=_label(COMPLAINT_STATE_LABELS, ComplaintState, event.to_state))
    return kind_label(event.kind)


# --- the complaint form: what each field is called on the page (its label, the error summary's link) -----

FIELD_LABELS = {
    "contact_name": _l("Contact person"),
    "contact_phone": _l("Phone"),
    "contact_email": _l("E-mail address"),
    "secret_category": _l("Category"),
    "secret_description": _l("What the secret is"),
    "confidentiality_measures": _l("Confidentiality measures taken"),
    "commercial_value": _l("Why it has commercial value"),
    "infringers": _l("Suspected infringers"),
    "infringing_acts": _l("Infringing acts"),
    "discovered_on": _l("Discovered on"),
    "estimated_loss": _l("Estimated loss (RMB)"),
    "estimated_illegal_gains": _l("Estimated illegal gains (RMB)"),
    "holder_bankrupt_or_closed": _l("Did the infringement drive your enterprise into bankruptcy or closure?"),
    "remedies": _l("Remedies sought"),
    "preferred_tracks": _l("Preferred tracks"),
    "facts": _l("The facts, in your words"),
    "version": _l("This form"),
    "_schema": _l("This form"),
}

INFRINGER_FIELD_LABELS = {
    "kind": _l("Type"),
    "name": _l("Name of the person or organisation"),
    "credit_code": _l("Credit code (organisations)"),
    "district": _l("District"),
    "penalty_decision_number": _l("Decision number"),
    "penalty_authority": _l("Deciding authority"),
    "penalty_decided_on": _l("Date of the decision"),
}


def form_error_labels(errors) -> dict:
    """The label of every field that has an error, for error_summary: an infringer's field is named with its
    row ("Infringer 2: Credit code (organisations)")."""
    labels = {}
    for name in errors:
        parts = str(name).split(".")
        if len(parts) == 3 and parts[0] == "infringers" and parts[1].isdigit() and parts[2] in INFRINGER_FIELD_LABELS:
            labels[name] = _("Infringer %(n)d: %(field)s", n=int(parts[1]) + 1, field=INFRINGER_FIELD_LABELS[parts[2]])
        elif len(parts) == 2 and parts[0] == "infringers" and parts[1].isdigit():
            labels[name] = _("Infringer %(n)d", n=int(parts[1]) + 1)
        else:
            labels[name] = FIELD_LABELS.get(name, FIELD_LABELS["_schema"])
    return labels


def yes_no_unknown(value) -> str:
    """A tri-state answer (True / False / None) in words."""
    return {True: _("Yes"), False: _("No")}.get(value, _("Don't know"))


def track_choice_label(value) -> str:
    """A preferred track (a track value or centre_decides) as the form names it; never the stored code."""
    return str(TRACK_CHOICE_LABELS.get(value, _("Unknown")))
