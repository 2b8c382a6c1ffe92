"""The state machines, as data.

One ``transitions.Machine`` per entity class, built once at import (``model=None``, no automatic
transitions): it checks each transition against the table and sets the state column. Rows are
never given a machine of their own, so loading thousands of them costs nothing extra.

Each row of a table says who may fire the trigger (roles, and which organisation: the complaint's
enterprise or its centre), whether a reason is required, and an optional guard that returns
field errors (completeness). ``allowed_triggers`` answers from the same rows, for the 409 body and
for the buttons a page shows.
"""
from dataclasses import dataclass, field
from typing import Callable

from flask_babel import gettext as _
from transitions import Machine

from accounts.enums import Role
from core.errors import Conflict, ValidationFailed
from intake.enums import OPEN_STATES, ComplaintState as S


@dataclass(frozen=True)
class Rule:
    trigger: str
    sources: tuple
    dest: object
    roles: frozenset
    org: str  # "enterprise": the complaint's own enterprise; "centre": its rights centre
    needs_reason: bool = False
    guard: Callable | None = field(default=None, compare=False)


def _owner(actor, complaint):
    return actor.organisation_id == complaint.enterprise_id


def _centre(actor, complaint):
    return complaint.centre_id is not None and actor.organisation_id == complaint.centre_id


ORG_CHECKS = {"enterprise": _owner, "centre": _centre}

ENTERPRISE = frozenset({Role.enterprise_user})
CLERK = frozenset({Role.clerk})


def _complete(complaint):
    from intake.schemas import completeness_errors

    return completeness_errors(complaint)


COMPLAINT_RULES = (
    Rule("submit", (S.draft,), S.submitted, ENTERPRISE, "enterprise", guard=_complete),
    Rule("claim", (S.submitted,), S.triaging, CLERK, "centre"),
    Rule("request_info", (S.triaging,), S.awaiting_info, CLERK, "centre", needs_reason=True),
    Rule("supply_info", (S.awaiting_info,), S.triaging, ENTERPRISE, "enterprise"),
    Rule("accept", (S.triaging,), S.accepted, CLERK, "centre"),
    Rule("reject", (S.triaging,), S.rejected, CLERK, "centre", needs_reason=True),
    Rule("withdraw", tuple(sorted(OPEN_STATES, key=lambda s: s.value)), S.withdrawn, ENTERPRISE, "enterprise",
         needs_reason=True),
)


class StateMachine:
    """A transition table plus the one ``transitions.Machine`` that enforces it."""

    def __init__(self, name, states, rules):
        self.name = name
        self.rules = rules
        self.machine = Machine(
            model=None, states=states, initial=None, auto_transitions=False, model_attribute="state",
            transitions=[{"trigger": r.trigger, "source": list(r.sources), "dest": r.dest} for r in rules],
        )
        self._by_trigger = {}
        for rule in rules:
            for source in rule.sources:
                self._by_trigger[(rule.trigger, source)] = rule

    @property
    def triggers(self):
        return sorted({r.trigger for r in self.rules})

    def rule_for(self, trigger, state):
        return self._by_trigger.get((trigger, state))

    def permits(self, rule, actor, entity) -> bool:
        return actor.role in rule.roles and ORG_CHECKS[rule.org](actor, entity)

    def allowed_triggers(self, entity, actor) -> list[str]:
        return [r.trigger for r in self.rules if entity.state in r.sources and self.permits(r, actor, entity)]

    def fire(self, entity, trigger, actor, *, reason=None, before_change=None):
        """Check the table, the actor and the guard, then move the state. Returns (from, to).

        ``before_change`` runs once every check has passed, before the state moves (e.g. to issue
        the reference number a submitted complaint must have).

        409 with the actor's allowed triggers when the trigger does not apply; 422 with field
        errors when a reason is missing or the guard fails. The caller records the timeline row in
        the same transaction and the request boundary commits (never a commit here).
        """
        rule = self.rule_for(trigger, entity.state)
        if rule is None or not self.permits(rule, actor, entity):
            raise Conflict(
                _("This action is not possible in the current state."),
                state=entity.state.value, trigger=trigger, allowed_triggers=self.allowed_triggers(entity, actor),
            )
        if rule.needs_reason and not (reason or "").strip():
            raise ValidationFailed({"reason": [_("Give a reason.")]})
        if rule.guard is not None:
            errors = rule.guard(entity)
            if errors:
                raise ValidationFailed(errors, _("The complaint is not complete: see the marked fields."))
        source = entity.state
        if before_change is not None:
            before_change()
        self.machine.events[trigger].trigger(entity)
        return source, entity.state


complaint_machine = StateMachine("complaint", S, COMPLAINT_RULES)
