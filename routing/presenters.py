"""Plain words for the centre's and the agencies' pages: labels of actions and stored values, and the
timeline in plain words (routing's events; intake's texts otherwise). Below the views: every page that
shows a referral, a consultation or a timeline imports them from here."""
from flask_babel import gettext as _, lazy_gettext as _l

from intake import enums as intake_enums
from intake.enums import EventKind
from intake.presenters import act_label, event_text as intake_event_text, kind_label, remedy_label

from . import enums
from .machines import complaint_machine, consultation_machine, referral_machine
from .outcomes import plain_words
from .steps import STEPS, step_machine

def _labels(machine):
    """The buttons' words, from the machine tables (each row declares its label)."""
    return {rule.trigger: rule.label for rule in machine.rules if rule.label is not None}


COMPLAINT_ACTION_LABELS = _labels(complaint_machine)
REFERRAL_ACTION_LABELS = _labels(referral_machine)
CONSULTATION_ACTION_LABELS = _labels(consultation_machine)
STEP_LABELS = _labels(step_machine)

OUTCOME_FIELD_LABELS = {
    "decision_number": _l("Penalty decision number"),
    "prosecution_office": _l("Procuratorate the case was sent to"),
    "fine_amount": _l("Fine (RMB)"),
    "confiscation_amount": _l("Confiscated illegal gains (RMB)"),
    "court_case_number": _l("Court case number"),
    "judgment_number": _l("Judgment or mediation number"),
    "damages_amount": _l("Damages (RMB)"),
    "summary": _l("Summary"),
}

REFERRAL_ROW_FIELD_LABELS = {
    "track": _l("Track"),
    "agency_id": _l("Agency"),
    "evidence_ids": _l("Evidence to share with the agency"),
    "message": _l("Covering note to the agency"),
    "civil_route": _l("Civil route"),
}


def referral_form_labels(count, **others) -> dict:
    """The error summary's names of a referral form's fields (referrals.<i>.<field>), as the person reads them;
    ``others``: the form's other fields and their labels."""
    labels = {"referrals": _("Referrals"), "version": _("This form"), **others}
    for i in range(count):
        for key, label in REFERRAL_ROW_FIELD_LABELS.items():
            labels[f"referrals.{i}.{key}"] = _("Referral %(number)d: %(field)s", number=i + 1, field=label)
    return labels


def outcome_form_labels() -> dict:
    """The error summary's names of the conclusion form's fields (outcome.<field>)."""
    return {"outcome.result": _("Result"), "outcome": _("Result"),
            **{f"outcome.{key}": label for key, label in OUTCOME_FIELD_LABELS.items()}}


LABELS = dict(
    STATE_LABELS=intake_enums.COMPLAINT_STATE_LABELS, SECRET_CATEGORY_LABELS=intake_enums.SECRET_CATEGORY_LABELS,
    INFRINGER_KIND_LABELS=intake_enums.INFRINGER_KIND_LABELS, TRACK_LABELS=intake_enums.TRACK_LABELS,
    REFERRAL_STATE_LABELS=enums.REFERRAL_STATE_LABELS, LINK_KIND_LABELS=enums.LINK_KIND_LABELS,
    RETURN_REASON_LABELS=enums.RETURN_REASON_LABELS, REJECT_REASON_LABELS=enums.REJECT_REASON_LABELS,
    CONSULTATION_STATE_LABELS=enums.CONSULTATION_STATE_LABELS, OUTCOME_LABELS=enums.OUTCOME_LABELS,
    OUTCOME_FIELD_LABELS=OUTCOME_FIELD_LABELS, STEP_LABELS=STEP_LABELS,
    SUPPLEMENT_KIND_LABELS=enums.SUPPLEMENT_KIND_LABELS, CIVIL_ROUTE_LABELS=enums.CIVIL_ROUTE_LABELS,
    PRESERVATION_KIND_LABELS=enums.PRESERVATION_KIND_LABELS, PRESERVATION_RULING_LABELS=enums.PRESERVATION_RULING_LABELS, TRANSFER_STATE_LABELS=enums.TRANSFER_STATE_LABELS,
    COMPLAINT_ACTION_LABELS=COMPLAINT_ACTION_LABELS, REFERRAL_ACTION_LABELS=REFERRAL_ACTION_LABELS,
    CONSULTATION_ACTION_LABELS=CONSULTATION_ACTION_LABELS,
    act_label=act_label, remedy_label=remedy_label, referral_form_labels=referral_form_labels,
    outcome_form_labels=outcome_form_labels,
)




def label_of(labels, value):
    """The label of a stored enum *value* (a string), e.g. a track in a JSON payload."""
    for member, text in labels.items():
        if getattr(member, "value", member) == value:
            return text
    return value or ""




def _track(payload):
    return label_of(intake_enums.TRACK_LABELS, payload.get("track"))


class _Payload(dict):
    """A row's payload for %-formatting: a parameter the row does not carry renders as ''."""

    def __missing__(self, key):
        return ""


def _row_text(machine, event):
    """The words the machine table declares for the row's trigger (Effects.text), formatted with its payload."""
    source = None
    if getattr(event, "from_state", None):
        try:
            source = machine.states(event.from_state)
        except ValueError:
            source = None
    text = machine.text(event.trigger, source)
    if text is None:
        return None
    payload = _Payload(event.payload or {})
    payload.setdefault("reason", getattr(event, "reason", None) or "")
    return text(payload) if callable(text) else str(text) % payload


# the timeline rows that are not a machine table's row: sending a referral, material added, opinions...
def _civil_send_text(p):
    """A civil dispute is not referred (移送) to a court: the centre guides the enterprise to file, or asks
    for pre-suit mediation."""
    if p.get("civil_route") == enums.CivilRoute.pre_suit_mediation.value:
        return _("The centre asked %(agency)s to take the dispute into pre-suit mediation (court-annexed mediation).",
                 agency=p.get("agency", ""))
    return _("The centre prepared a filing package and guided the enterprise to file its suit at %(agency)s.",
             agency=p.get("agency", ""))


REFERRAL_EVENT_TEXTS = {
    "send": lambda p: _civil_send_text(p) if p.get("civil_route") else (_("Referred to %(agency)s (%(track)s track; %(link)s).", agency=p.get("agency", ""),
                         track=_track(p), link=label_of(enums.LINK_KIND_LABELS, p["link_kind"]))
                       if p.get("link_kind") else
                       _("Referred to %(agency)s (%(track)s track).", agency=p.get("agency", ""), track=_track(p))),
    "supplemented": lambda p: (_("%(from_agency)s's transfer of the same matter was attached to the referral to "
                                 "%(agency)s.", from_agency=p.get("from_agency") or "", agency=p.get("agency", ""))
                               if p.get("kind") == "transfer" else
                               _("Further evidence was sent to %(agency)s.", agency=p.get("agency", ""))),
}
CONSULTATION_EVENT_TEXTS = {
    "convene": lambda p: _("A consultation of the agencies was convened."),
    "opinion": lambda p: _("%(agency)s submitted its written opinion.", agency=p.get("agency", "")),
    "conclusion": lambda p: _("The consultation concluded."),
    "invite_experts": lambda p: _("Experts of the think tank were invited to the consultation."),
}
APPRAISAL_EVENT_TEXTS = {
    "appraisal_requested": lambda p: _("%(agency)s commissioned an appraisal; its time limit to decide is paused.",
                                       agency=p.get("agency", "")),
    "appraisal_returned": lambda p: _("The appraisal came back to %(agency)s; its time limit to decide runs again.",
                                      agency=p.get("agency", "")),
}
SUPERVISION_EVENT_TEXTS = {
    "supervise": lambda p: _("The supervisor office made the complaint a key case under supervision."),
    "report": lambda p: _("The centre reported on the key case to the supervisor office."),
    "instruct": lambda p: _("The supervisor office gave further instructions on the key case."),
    "lift": lambda p: _("The supervisor office lifted the key-case supervision."),
}
MACHINE_OF_KIND = {EventKind.transition.value: complaint_machine, EventKind.referral.value: referral_machine,
                   EventKind.consultation.value: consultation_machine, EventKind.step.value: step_machine}


def _step_text(trigger, payload):
    step = STEPS.get(trigger)
    if step is None:
        return _("%(agency)s took a step in the referral.", agency=payload.get("agency", ""))
    return _("%(agency)s: %(step)s.", agency=payload.get("agency", ""), step=step.label)


def event_text(event) -> str:
    """Plain words for a timeline row, routing's events included (intake's texts otherwise). Every kind of
    intake.enums.EventKind has words here, never the raw kind or trigger."""
    payload = event.payload or {}
    machine = MACHINE_OF_KIND.get(event.kind)
    if machine is not None and (text := _row_text(machine, event)) is not None:
        if event.kind == EventKind.referral.value and event.trigger == "conclude":
            outcome = plain_words((payload.get("outcome") or {}).get("result"))
            return _("%(done)s %(outcome)s", done=text, outcome=outcome).strip() if outcome else text
        return text
    texts = {EventKind.referral.value: REFERRAL_EVENT_TEXTS, EventKind.consultation.value: CONSULTATION_EVENT_TEXTS,
             EventKind.appraisal.value: APPRAISAL_EVENT_TEXTS,
             EventKind.supervision.value: SUPERVISION_EVENT_TEXTS}.get(event.kind)
    if texts is not None:
        return texts[event.trigger](payload) if event.trigger in texts else kind_label(event.kind)
    if event.kind == EventKind.step.value:
        return _step_text(event.trigger, payload)
    if event.kind == EventKind.note.value:
        return _("Progress note from %(agency)s.", agency=payload.get("agency", ""))
    if event.kind == EventKind.routing_decision.value:
        return _("The centre recorded a further routing decision.")
    if event.kind == EventKind.assignment.value:
        return _("Handed from %(before)s to %(after)s.", before=payload.get("from_name", ""),
                 after=payload.get("to_name", ""))
    return intake_event_text(event)
