"""The state machines, as data.

One ``transitions.Machine`` per entity class, built once at import (``model=None``, no automatic
transitions): it checks each transition against the table and sets the state column. Rows are
never given a machine of their own, so loading thousands of them costs nothing extra.

Each row of a table says who may fire the trigger (roles, and which organisation: for a complaint
its enterprise or its centre; for a referral its agency or the complaint's centre; for a
consultation its convener), whether a reason is required, and an optional guard returning field
errors. Rows whose organisation is ``system`` are fired only by routing's own services (a
complaint follows its referrals); nobody can fire them directly. ``allowed_triggers`` answers
from the same rows, for the 409 body and for the buttons a page shows.
"""
from dataclasses import dataclass, field
from typing import Callable

from flask_babel import gettext as _
from transitions import Machine

from accounts.enums import AGENCY_ROLES, Role
from core.errors import Conflict, ValidationFailed
from intake.enums import OPEN_STATES, ComplaintState as S, Track

from .enums import ConsultationState as C, ReferralState as R


@dataclass(frozen=True)
class Rule:
    trigger: str
    sources: tuple
    dest: object
    roles: frozenset
    org: str
    needs_reason: bool = False
    guard: Callable | None = field(default=None, compare=False)


ENTERPRISE = frozenset({Role.enterprise_user})
CLERK = frozenset({Role.clerk})
AGENCY = AGENCY_ROLES
CONVENERS = frozenset({Role.clerk, Role.supervisor})
NOBODY = frozenset()


def _complete(complaint):
    from intake.schemas import completeness_errors

    return completeness_errors(complaint)


def _transferable(referral):
    if referral.track not in (Track.administrative, Track.criminal):
        return {"trigger": [_("Only administrative and criminal referrals can be transferred.")]}
    return {}


def _supervisable(referral):
    if referral.track is not Track.criminal or referral.agency.kind.value != "public_security":
        return {"trigger": [_("Only a declined criminal referral to public security can go to filing supervision.")]}
    return {}


COMPLAINT_RULES = (
    Rule("submit", (S.draft,), S.submitted, ENTERPRISE, "enterprise", guard=_complete),
    Rule("claim", (S.submitted,), S.triaging, CLERK, "centre"),
    Rule("request_info", (S.triaging,), S.awaiting_info, CLERK, "centre", needs_reason=True),
    Rule("supply_info", (S.awaiting_info,), S.triaging, ENTERPRISE, "enterprise"),
    Rule("accept", (S.triaging,), S.accepted, CLERK, "centre"),
    Rule("reject", (S.triaging,), S.rejected, CLERK, "centre", needs_reason=True),
    # concluded -> referred: a declined criminal referral was sent for filing supervision
    Rule("refer", (S.accepted, S.concluded), S.referred, NOBODY, "system"),
    Rule("start", (S.referred,), S.in_progress, NOBODY, "system"),
    Rule("conclude", (S.referred, S.in_progress), S.concluded, NOBODY, "system"),
    Rule("reopen", (S.referred, S.in_progress), S.accepted, NOBODY, "system"),
    Rule("close", (S.concluded, S.rejected), S.closed, CLERK, "centre"),
    Rule("withdraw", tuple(sorted(OPEN_STATES, key=lambda s: s.value)), S.withdrawn, ENTERPRISE, "enterprise",
         needs_reason=True),
)

REFERRAL_RULES = (
    Rule("acknowledge", (R.sent,), R.acknowledged, AGENCY, "agency"),
    Rule("accept", (R.acknowledged,), R.accepted, AGENCY, "agency"),
    Rule("decline", (R.acknowledged,), R.declined, AGENCY, "agency", needs_reason=True),
    Rule("return", (R.sent, R.acknowledged), R.returned, AGENCY, "agency", needs_reason=True),
    Rule("conclude", (R.accepted,), R.concluded, AGENCY, "agency"),
    Rule("transfer", (R.accepted,), R.transferred, AGENCY, "agency", needs_reason=True, guard=_transferable),
    Rule("request_supervision", (R.declined,), R.supervision_requested, CLERK, "centre", needs_reason=True,
         guard=_supervisable),
    # the police file the case after the procuratorate's notice to file (P2)
    Rule("file_after_notice", (R.supervision_requested,), R.accepted, AGENCY, "agency"),
)

CONSULTATION_RULES = (
    Rule("request_opinions", (C.convened,), C.opinions_due, CONVENERS, "convener"),
    Rule("record_minutes", (C.convened, C.opinions_due), C.minuted, CONVENERS, "convener"),
    Rule("close", (C.minuted,), C.closed, CONVENERS, "convener"),
)


def _org_is(attribute):
    def check(actor, entity):
        value = attribute(entity)
        return value is not None and actor.organisation_id == value
    return check


class StateMachine:
    """A transition table plus the one ``transitions.Machine`` that enforces it."""

    def __init__(self, name, states, rules, org_checks):
        self.name = name
        self.states = states
        self.rules = rules
        self.org_checks = {**org_checks, "system": lambda actor, entity: False}
        self.machine = Machine(
            model=None, states=states, initial=None, auto_transitions=False, model_attribute="state",
            transitions=[{"trigger": r.trigger, "source": list(r.sources), "dest": r.dest} for r in rules],
        )
        self._by_trigger = {}
        self._by_state = {state: [] for state in states}
        for rule in rules:
            for source in rule.sources:
                self._by_trigger[(rule.trigger, source)] = rule
                if rule.org != "system":
                    self._by_state[source].append(rule)

    @property
    def triggers(self):
        return sorted({r.trigger for r in self.rules})

    def rule_for(self, trigger, state):
        return self._by_trigger.get((trigger, state))

    def permits(self, rule, actor, entity) -> bool:
        return actor.role in rule.roles and self.org_checks[rule.org](actor, entity)

    def allowed_triggers(self, entity, actor) -> list[str]:
        return [r.trigger for r in self._by_state[entity.state] if self.permits(r, actor, entity)]

    def fire(self, entity, trigger, actor, *, reason=None, before_change=None, system=False):
        """Check the table, the actor and the guard, then move the state. Returns (from, to).

        409 with the actor's allowed triggers when the trigger does not apply; 422 with field
        errors when a reason is missing or the guard fails. ``before_change`` runs once every check
        has passed, before the state moves (e.g. to issue the reference a submitted complaint must
        have). ``system`` is for routing's own follow-up transitions, which no user fires. The
        caller records the timeline row in the same transaction; nothing here commits.
        """
        rule = self.rule_for(trigger, entity.state)
        allowed = rule is not None and (rule.org == "system" if system else self.permits(rule, actor, entity))
        if not allowed:
            raise Conflict(
                _("This action is not possible in the current state."),
                state=entity.state.value, trigger=trigger, allowed_triggers=self.allowed_triggers(entity, actor),
            )
        if rule.needs_reason and not (reason or "").strip():
            raise ValidationFailed({"reason": [_("Give a reason.")]})
        if rule.guard is not None:
            errors = rule.guard(entity)
            if errors:
                raise ValidationFailed(errors)
        source = entity.state
        if before_change is not None:
            before_change()
        self.machine.events[trigger].trigger(entity)
        return source, entity.state

    def mermaid(self) -> str:
        """The diagram of the table, in Mermaid's stateDiagram syntax (docs/state-machines.md)."""
        lines = ["stateDiagram-v2"]
        for rule in self.rules:
            who = "system" if rule.org == "system" else "/".join(sorted(r.value for r in rule.roles))
            for source in rule.sources:
                lines.append(f"    {source.value} --> {rule.dest.value}: {rule.trigger} ({who})")
        return "\n".join(lines)


complaint_machine = StateMachine("complaint", S, COMPLAINT_RULES, {
    "enterprise": _org_is(lambda c: c.enterprise_id),
    "centre": _org_is(lambda c: c.centre_id),
})
referral_machine = StateMachine("referral", R, REFERRAL_RULES, {
    "agency": _org_is(lambda r: r.agency_id),
    "centre": _org_is(lambda r: r.complaint.centre_id),
})
consultation_machine = StateMachine("consultation", C, CONSULTATION_RULES, {
    "convener": _org_is(lambda c: c.convener_org_id),
})
MACHINES = (complaint_machine, referral_machine, consultation_machine)
