"""The response targets a submission receipt shows (intake.receipt): the running deadlines of a complaint
that the enterprise may see, with their due times. Registered with intake by init_app (intake may not
import deadlines)."""
from intake.receipt import Target

from .presenters import rule_label
from .services import deadlines_for_complaint

# the centre's, the enterprise's and the agencies' answers the enterprise waits for; not the internal
# steps (key-case reports S1, consultation opinions C1, an agency head's transfer decision T1/T2, T5)
PUBLIC_RULES = frozenset({"Q1", "Q2", "Q3", "Q4", "Q5", "A1", "A2", "T4", "V1", "V2", "P1", "P2"})


def response_targets(complaint) -> list:
    if complaint.reference is None:
        return []
    return [Target(label=rule_label(d), due_at=d.due_at, provisional=d.provisional, paused=d.paused_at is not None)
            for d in deadlines_for_complaint(complaint.id) if d.is_running and d.rule_code in PUBLIC_RULES]


def init_app(app) -> None:
    from intake.receipt import register_targets

    register_targets(response_targets)
