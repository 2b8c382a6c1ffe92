"""Plain-language texts for people: what a timeline event means, labels of stored values."""
from flask_babel import gettext as _, ngettext

from .enums import (COMPLAINT_STATE_LABELS, EVENT_KIND_LABELS, INFRINGING_ACT_LABELS, REMEDY_LABELS, ComplaintState,
                    EventKind, InfringingAct, Remedy)

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
