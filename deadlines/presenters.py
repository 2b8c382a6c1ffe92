"""Deadlines as people see them: the step in their language, due time, state, and how urgent."""
import datetime as dt

from flask_babel import lazy_gettext as _l

from core.models import utcnow

from .models import DeadlineState, ExtensionState

RULE_LABELS = {
    "Q1": _l("Centre's first response"),
    "Q2": _l("Centre's triage decision"),
    "Q3": _l("Enterprise supplies information"),
    "Q4": _l("Agency acknowledges the referral"),
    "Q5": _l("Centre re-routes the complaint"),
    "A1": _l("Market regulator decides whether to open a case"),
    "A2": _l("Market regulator concludes the case"),
    "T1": _l("Agency head decides on transfer to police"),
    "T2": _l("Case handed to police"),
    "T4": _l("Police decide whether to file"),
    "T5": _l("Police answer a request to reconsider"),
    "P1": _l("Police explain a non-filing"),
    "P2": _l("Police file after the procuratorate's notice"),
    "V1": _l("Court decides whether to docket"),
    "V2": _l("Court rules on preservation"),
    "C1": _l("Consulted agency submits its opinion"),
    "S1": _l("Centre reports on the key case"),
}
EXTENSION_STATE_LABELS = {
    ExtensionState.pending: _l("waiting for a decision"),
    ExtensionState.approved: _l("approved"),
    ExtensionState.refused: _l("refused"),
}
STATE_LABELS = {
    DeadlineState.open: _l("Running"),
    DeadlineState.met: _l("Met"),
    DeadlineState.breached: _l("Overdue"),
    DeadlineState.cancelled: _l("Cancelled"),
}


def urgency(deadline, now: dt.datetime | None = None) -> str:
    """A CSS class: overdue, soon (due within a day), paused, done or ''."""
    now = now or utcnow()
    if deadline.closed_at is not None:
        return "done"
    if deadline.paused_at is not None:
        return "paused"
    if deadline.state is DeadlineState.breached or deadline.due_at <= now:
        return "overdue"
    if deadline.due_at - now <= dt.timedelta(days=1):
        return "soon"
    return ""


def due_class(due_at: dt.datetime | None, now: dt.datetime | None = None) -> str:
    """overdue / soon / '' for a bare due time (the queue's and inbox's colour)."""
    if due_at is None:
        return ""
    now = now or utcnow()
    return "overdue" if due_at <= now else "soon" if due_at - now <= dt.timedelta(days=1) else ""


def rule_label(deadline) -> str:
    return str(RULE_LABELS.get(deadline.rule_code, deadline.rule_code))


def init_app(app):
    """Template helpers: deadlines_of(complaint) and how to show each deadline."""
    from . import access, services

    def deadlines_of(complaint):
        return services.deadlines_for_complaint(complaint.id) if complaint.reference else []

    def deadlines_of_referral(referral):
        return services.deadlines_for_subject("referral", referral.id)

    @app.context_processor
    def deadline_helpers():
        return {"deadlines_of": deadlines_of, "deadlines_of_referral": deadlines_of_referral,
                "deadline_urgency": urgency, "deadline_rule_label": rule_label,
                "due_class": due_class,
                "DEADLINE_STATE_LABELS": STATE_LABELS, "EXTENSION_STATE_LABELS": EXTENSION_STATE_LABELS,
                "may_see_extensions_of": access.may_see_extensions_of}
