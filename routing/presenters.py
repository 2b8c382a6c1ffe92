"""Plain words for the centre's and the agencies' pages: labels of actions and stored values, and the
timeline in plain words (routing's events; intake's texts otherwise). Below the views: every page that
shows a referral, a consultation or a timeline imports them from here."""
from flask_babel import gettext as _, lazy_gettext as _l

from intake import enums as intake_enums
from intake.enums import EventKind
from intake.presenters import act_label, event_text as intake_event_text, kind_label, remedy_label

from . import enums
from .steps import STEPS

COMPLAINT_ACTION_LABELS = {
    "claim": _l("Claim"),
    "request_info": _l("Request supplements"),
    "accept": _l("Accept the complaint"),
    "reject": _l("Do not accept the complaint"),
    "close": _l("Close the complaint"),
    "submit": _l("Submit"),
    "supply_info": _l("Supply information"),
    "withdraw": _l("Withdraw"),
}
REFERRAL_ACTION_LABELS = {
    "acknowledge": _l("Acknowledge receipt"),
    "accept": _l("Open a case"),
    "decline": _l("Decline to open a case"),
    "return": _l("Return to the centre"),
    "conclude": _l("Conclude"),
    "transfer": _l("Transfer to the other track"),
    "request_supervision": _l("Request filing supervision"),
    "file_after_notice": _l("File the case after the procuratorate's notice"),
}
CONSULTATION_ACTION_LABELS = {
    "request_opinions": _l("Request written opinions"),
    "record_minutes": _l("Record the minutes"),
    "close": _l("Close the consultation"),
}

OUTCOME_FIELD_LABELS = {
    "decision_number": _l("Penalty decision number"),
    "fine_amount": _l("Fine (RMB)"),
    "confiscation_amount": _l("Confiscated illegal gains (RMB)"),
    "court_case_number": _l("Court case number"),
    "judgment_number": _l("Judgment or mediation number"),
    "damages_amount": _l("Damages (RMB)"),
    "summary": _l("Summary"),
}

LABELS = dict(
    STATE_LABELS=intake_enums.COMPLAINT_STATE_LABELS, SECRET_CATEGORY_LABELS=intake_enums.SECRET_CATEGORY_LABELS,
    INFRINGER_KIND_LABELS=intake_enums.INFRINGER_KIND_LABELS, TRACK_LABELS=intake_enums.TRACK_LABELS,
    REFERRAL_STATE_LABELS=enums.REFERRAL_STATE_LABELS, LINK_KIND_LABELS=enums.LINK_KIND_LABELS,
    RETURN_REASON_LABELS=enums.RETURN_REASON_LABELS, REJECT_REASON_LABELS=enums.REJECT_REASON_LABELS,
    CONSULTATION_STATE_LABELS=enums.CONSULTATION_STATE_LABELS, OUTCOME_LABELS=enums.OUTCOME_LABELS,
    OUTCOME_RESULTS=enums.OUTCOME_RESULTS, OUTCOME_FIELD_LABELS=OUTCOME_FIELD_LABELS,
    COMPLAINT_ACTION_LABELS=COMPLAINT_ACTION_LABELS, REFERRAL_ACTION_LABELS=REFERRAL_ACTION_LABELS,
    CONSULTATION_ACTION_LABELS=CONSULTATION_ACTION_LABELS,
    act_label=act_label, remedy_label=remedy_label,
)




def label_of(labels, value):
    """The label of a stored enum *value* (a string), e.g. a track in a JSON payload."""
    for member, text in labels.items():
        if getattr(member, "value", member) == value:
            return text
    return value or ""




def _track(payload):
    return label_of(intake_enums.TRACK_LABELS, payload.get("track"))


REFERRAL_EVENT_TEXTS = {
    "send": lambda p: (_("Referred to %(agency)s (%(track)s track; %(link)s).", agency=p.get("agency", ""),
                         track=_track(p), link=label_of(enums.LINK_KIND_LABELS, p["link_kind"]))
                       if p.get("link_kind") else
                       _("Referred to %(agency)s (%(track)s track).", agency=p.get("agency", ""), track=_track(p))),
    "acknowledge": lambda p: _("%(agency)s acknowledged the referral.", agency=p.get("agency", "")),
    "accept": lambda p: _("%(agency)s opened a case.", agency=p.get("agency", "")),
    "decline": lambda p: _("%(agency)s declined to open a case.", agency=p.get("agency", "")),
    "return": lambda p: _("%(agency)s returned the referral to the centre.", agency=p.get("agency", "")),
    "conclude": lambda p: _("%(agency)s concluded the referral.", agency=p.get("agency", "")),
    "transfer": lambda p: _("%(agency)s transferred the case to the other track.", agency=p.get("agency", "")),
    "request_supervision": lambda p: _("The centre asked the procuratorate to supervise the decision of %(agency)s "
                                       "not to open a case.", agency=p.get("agency", "")),
    "file_after_notice": lambda p: _("%(agency)s filed the case after the procuratorate's notice.",
                                     agency=p.get("agency", "")),
}
CONSULTATION_EVENT_TEXTS = {
    "convene": lambda p: _("A consultation of the agencies was convened."),
    "opinion": lambda p: _("%(agency)s submitted its written opinion.", agency=p.get("agency", "")),
    "request_opinions": lambda p: _("Written opinions were requested from the invited agencies."),
    "record_minutes": lambda p: _("The minutes and conclusion of the consultation were recorded."),
    "close": lambda p: _("The consultation was closed."),
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
    "lift": lambda p: _("The supervisor office lifted the key-case supervision."),
}
COMPLAINT_EVENT_TEXTS = {
    "refer": lambda p: _("The centre referred the complaint to the competent agencies."),
    "start": lambda p: _("An agency opened a case."),
    "conclude": lambda p: _("Every referral has been concluded."),
    "reopen": lambda p: _("The referrals came back to the centre, which will route the complaint again."),
    "close": lambda p: _("The complaint was closed."),
}


def _step_text(trigger, payload):
    step = STEPS.get(trigger)
    if step is None:
        return _("%(agency)s took a step in the referral.", agency=payload.get("agency", ""))
    return _("%(agency)s: %(step)s.", agency=payload.get("agency", ""), step=step.label)


def event_text(event) -> str:
    """Plain words for a timeline row, routing's events included (intake's texts otherwise). Every kind of
    intake.enums.EventKind has words here, never the raw kind or trigger."""
    payload = event.payload or {}
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
    if event.kind == EventKind.transition.value and event.trigger in COMPLAINT_EVENT_TEXTS:
        return COMPLAINT_EVENT_TEXTS[event.trigger](payload)
    return intake_event_text(event)
