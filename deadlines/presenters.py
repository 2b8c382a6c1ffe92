"""Deadlines as people see them: the step in their language, due time, state, and how urgent."""
import datetime as dt
from dataclasses import dataclass

from flask_babel import gettext as _, lazy_gettext as _l
from sqlalchemy import select

from accounts.models import Organisation
from core.extensions import db

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
    "R1": _l("Centre reviews the complaint after a dissatisfied rating"),
}
EXTENSION_STATE_LABELS = {
    ExtensionState.pending: _l("waiting for a decision"),
    ExtensionState.approved: _l("approved"),
    ExtensionState.refused: _l("refused"),
}
PAUSED_LABEL = _l("Paused")
# what the clock is about, beside the organisation that must act (the consultation, the key case)
SUBJECT_LABELS = {
    "consultation": _l("consultation"),
    "supervision": _l("key-case supervision"),
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
    """The step in words (never the rule's code)."""
    label = RULE_LABELS.get(deadline.rule_code)
    return str(label) if label is not None else _("A time limit of the platform")


def state_label(deadline) -> str:
    """Running, Paused (not "running · paused"), Met, Overdue or Cancelled; an extended clock says so."""
    text = str(PAUSED_LABEL) if deadline.paused_at is not None and deadline.is_running else str(
        STATE_LABELS[deadline.state])
    if deadline.extended_by_amount or deadline.extended_by_id:
        text = _("%(state)s (extended)", state=text)
    return text


@dataclass(frozen=True)
class DeadlineRow:
    """One deadline as a person reads it: the step in words, who must act (and on what), due time, state."""
    deadline: object
    step: str
    party: str
    state: str
    urgency: str

    def __getattr__(self, name):  # due_at, provisional, public_id, is_running...: the deadline's own
        return getattr(self.deadline, name)


def _party(deadline, names) -> str:
    name = names.get(deadline.responsible_org_id, "")
    subject = SUBJECT_LABELS.get(deadline.subject_type)
    return _("%(name)s (%(subject)s)", name=name, subject=subject) if subject is not None and name \
        else name


def deadline_rows(user, deadlines, now: dt.datetime | None = None) -> list[DeadlineRow]:
    """The rows of a deadlines table for this person: the ones they may see (deadlines.access.deadline_visible_to),
    each naming the organisation that must act and, for a consultation or a key case, what it is about."""
    from .access import deadline_visible_to

    shown = [d for d in deadlines if deadline_visible_to(d, user)]
    ids = {d.responsible_org_id for d in shown}
    names = dict(db.session.execute(select(Organisation.id, Organisation.name).where(Organisation.id.in_(ids))).all()) \
        if ids else {}
    return [DeadlineRow(d, rule_label(d), _party(d, names), state_label(d), urgency(d, now)) for d in shown]


def init_app(app):
    """Template helpers: deadlines_of(complaint) and how to show each deadline."""
    from . import access, services

    from flask_login import current_user

    def deadlines_of(complaint):
        """The complaint's deadline rows this person may see (the enterprise: never an internal clock)."""
        return deadline_rows(current_user, services.deadlines_for_complaint(complaint.id)) if complaint.reference \
            else []

    def deadlines_of_referral(referral):
        return deadline_rows(current_user, services.deadlines_for_subject("referral", referral.id))

    @app.context_processor
    def deadline_helpers():
        return {"deadlines_of": deadlines_of, "deadlines_of_referral": deadlines_of_referral,
                "deadline_urgency": urgency, "deadline_rule_label": rule_label, "deadline_state_label": state_label,
                "due_class": due_class,
                "DEADLINE_STATE_LABELS": STATE_LABELS, "EXTENSION_STATE_LABELS": EXTENSION_STATE_LABELS,
                "may_see_extensions_of": access.may_see_extensions_of}
