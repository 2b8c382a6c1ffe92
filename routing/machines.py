"""The state machines, as data: who may fire each trigger, and everything the transition does.

One ``transitions.Machine`` per entity class, built once at import (``model=None``, no automatic
transitions): it checks each transition against the table and sets the state column. Rows are
never given a machine of their own, so loading thousands of them costs nothing extra.

Each row (``Rule``) says who may fire the trigger (roles, and which organisation: for a complaint
its enterprise or its centre; for a referral its agency, the agency that transferred it, or the
complaint's centre; for a consultation its convener), whether a reason is required, an optional
guard returning field errors — and its whole effect (``Effects``): the clocks it meets, pauses,
resumes and opens, the follow-ups it sets off, the notice it sends and to whom, and the timeline
text. ``routing.effects.run`` is the one mechanism that fires a row and applies its effects;
``flask state-diagrams`` prints the tables (docs/state-machines.md) and tests read them.

Rows whose organisation is ``system`` are fired only by routing itself (a complaint follows its
referrals, a withdrawal ends the open referrals); nobody can fire them directly. A row whose
destination is ``SAME`` changes no state (an agency's step under Order 310, evidence added to a
referral). ``allowed_triggers`` answers from the same rows, for the 409 body and for the buttons a
page shows.
"""
from dataclasses import dataclass, field
from typing import Callable

from flask_babel import gettext as _, lazy_gettext as _l
from transitions import Machine

from accounts.enums import AGENCY_ROLES, Role
from core.errors import Conflict, ValidationFailed
from intake.enums import OPEN_STATES, ComplaintState as S, Track

from . import clocks, guards
from .enums import PRESERVATION_KIND_LABELS, ConsultationState as C, PreservationKind, ReferralState as R

SAME = "="  # a row that changes no state (transitions' reflexive destination)
ALL = "*"   # every running clock of the subject


@dataclass(frozen=True)
class Effects:
    """What a transition does besides moving the state, in the order ``routing.effects`` applies it.

    Clock entries are rule codes (DOMAIN.md) or functions of the entity returning codes (e.g. the
    decision clock of the agency's kind, routing/clocks.py); ``ALL`` meets every running clock of
    the subject. ``then`` names follow-ups registered with ``routing.effects.follow_up``.
    """

    meets: tuple = ()
    pauses: tuple = ()
    resumes: tuple = ()
    cancels: bool = False  # every running clock of the subject ends as cancelled
    opens: tuple = ()
    restarts: tuple = ()  # clocks that start anew: the running one ends as cancelled, a new one opens
    then: tuple = ()
    notice: object = None  # an event of notifications/events.py (or a function of the entity returning one)
    to: tuple = ()  # who is told: centre, enterprise, agency, parent_agency, invited
    text: object = None  # the timeline's words: a lazy string formatted with the row's payload, or a function


NONE = Effects()


@dataclass(frozen=True)
class Rule:
    trigger: str
    sources: tuple
    dest: object
    roles: frozenset
    org: str
    needs_reason: bool = False
    guard: Callable | None = field(default=None, compare=False)
    effects: Effects = NONE
    public: bool = True  # the timeline row is shown to the enterprise
    label: object = None  # the button's words
    # the request's fields besides the trigger (and the reason, which needs_reason requires): those it must
    # have and those it may have. routing/schemas.py builds each trigger's request schema from them
    needs: tuple = ()
    takes: tuple = ()

    @property
    def reflexive(self) -> bool:
        return self.dest == SAME


ENTERPRISE = frozenset({Role.enterprise_user})
CLERK = frozenset({Role.clerk})
AGENCY = AGENCY_ROLES
HEADS = frozenset({Role.agency_head})
CONVENERS = frozenset({Role.clerk, Role.supervisor})
NOBODY = frozenset()

# the complaint's states while the centre and the agencies work on it: the state follows the referrals there
FOLLOWING = (S.accepted, S.referred, S.in_progress, S.concluded)
AFTER_ACCEPTANCE = (S.accepted, S.referred, S.in_progress)
WITHDRAWABLE = tuple(sorted(OPEN_STATES, key=lambda s: s.value))
OPEN_REFERRALS = (R.sent, R.acknowledged, R.accepted)

# --- the timeline's words that depend on the row's payload (a civil matter is never a 移送) ---

def _refer_text(payload):
    if payload.get("tracks") == [Track.civil.value]:  # a civil dispute only: the court takes it up, nobody refers it
        return _("The centre sent the civil dispute to the court (a filing guide or pre-suit mediation).")
    return _("The centre referred the complaint to the competent agencies.")


def _civil(general, civil):
    """The timeline's words of a referral row: a court's civil matter is never called a referral (移送)."""
    def text(payload):
        return str(civil if payload.get("track") == Track.civil.value else general) % payload
    return text


def _civil_notice(general, civil):
    """The notice of a referral row: its civil variant for a court's civil matter."""
    def notice(referral):
        return civil if referral.track is Track.civil else general
    notice.variants = (general, civil)  # what docs/state-machines.md prints
    return notice


def _accept_text(payload):
    if payload.get("track") == Track.civil.value:
        return _("%(agency)s registered the enterprise's suit (case number %(case_number)s).",
                 agency=payload.get("agency", ""), case_number=payload.get("case_number", ""))
    return _("%(agency)s opened a case.", agency=payload.get("agency", ""))


def _preservation_applied_text(payload):
    kind = payload.get("preservation_kind")
    label = PRESERVATION_KIND_LABELS.get(PreservationKind(kind), kind) if kind in {k.value for k in PreservationKind} else ""
    return _("%(agency)s received an application for preservation (%(kind)s); it rules within 48 hours.",
             agency=payload.get("agency", ""), kind=label)


def _preservation_ruled_text(payload):
    if payload.get("preservation_ruling") == "granted":
        return _("%(agency)s granted the application for preservation.", agency=payload.get("agency", ""))
    return _("%(agency)s refused the application for preservation.", agency=payload.get("agency", ""))


COMPLAINT_RULES = (
    Rule("submit", (S.draft,), S.submitted, ENTERPRISE, "enterprise", guard=guards.complete,
         effects=Effects(text=_l("Submitted to the rights-protection centre (reference %(reference)s)."), opens=("Q1", "Q2"), notice="complaint.submitted", to=("centre",)), label=_l("Submit")),
    Rule("claim", (S.submitted,), S.triaging, CLERK, "centre",
         effects=Effects(text=_l("A centre clerk has taken up the complaint."), meets=("Q1",)), label=_l("Claim")),
    Rule("request_info", (S.triaging,), S.awaiting_info, CLERK, "centre", needs_reason=True, needs=("due_date",),
         guard=guards.reply_date,
         effects=Effects(text=_l("The centre asked for supplementary information."), pauses=("Q1", "Q2"), opens=("Q3",), notice="complaint.info_requested", to=("enterprise",)),
         label=_l("Request supplements")),
    # after acceptance: the state stays, the centre's re-routing clock (Q5) pauses until the answer
    Rule("request_info", AFTER_ACCEPTANCE, SAME, CLERK, "centre", needs_reason=True, needs=("due_date",),
         guard=guards.reply_date_no_open_request,
         effects=Effects(text=_l("The centre asked for supplementary information."), pauses=("Q5",), opens=("Q3",), then=("mark_supplement_requested",),
                         notice="complaint.info_requested", to=("enterprise",)),
         label=_l("Request supplements")),
    Rule("supply_info", (S.awaiting_info,), S.triaging, ENTERPRISE, "enterprise", needs_reason=True,
         effects=Effects(text=_l("Supplementary information provided."), meets=("Q3",), resumes=("Q1", "Q2"), notice="complaint.info_supplied", to=("centre",)),
         label=_l("Supply information")),
    Rule("supply_info", AFTER_ACCEPTANCE, SAME, ENTERPRISE, "enterprise", needs_reason=True,
         guard=guards.supplement_requested,
         effects=Effects(text=_l("Supplementary information provided."), meets=("Q3",), resumes=("Q5",), then=("clear_supplement_request",),
                         notice="complaint.info_supplied", to=("centre",)),
         label=_l("Supply information")),
    Rule("accept", (S.triaging,), S.accepted, CLERK, "centre", takes=("message",),
         effects=Effects(text=_l("The centre accepted the complaint."), meets=("Q1", "Q2"), notice="complaint.accepted", to=("enterprise",)),
         label=_l("Accept the complaint")),
    Rule("reject", (S.triaging,), S.rejected, CLERK, "centre", needs_reason=True, needs=("reason_code",), guard=guards.reject_reason,
         effects=Effects(text=_l("The centre did not accept the complaint."), cancels=True, notice="complaint.rejected", to=("enterprise",)),
         label=_l("Do not accept the complaint")),
    # the centre resolves the complaint itself: guidance given, nothing (more) to refer
    Rule("resolve", (S.accepted,), S.concluded, CLERK, "centre", needs_reason=True, guard=guards.nothing_open,
         effects=Effects(text=_l("The centre concluded the complaint with guidance: %(reason)s"), meets=(ALL,), then=("record_resolution",), notice="complaint.resolved", to=("enterprise",)),
         label=_l("Conclude with guidance")),
    # the complaint follows its referrals (routing.aggregate); nobody fires these directly
    Rule("refer", (S.accepted, S.in_progress, S.concluded), S.referred, NOBODY, "system",
         effects=Effects(text=_refer_text, meets=("Q5",))),
    Rule("start", (S.accepted, S.referred, S.concluded), S.in_progress, NOBODY, "system",
         effects=Effects(text=_l("An agency opened a case."), meets=("Q5",))),
    Rule("conclude", (S.accepted, S.referred, S.in_progress), S.concluded, NOBODY, "system",
         effects=Effects(text=_l("Every referral has been concluded."), meets=("Q5",), notice="complaint.concluded", to=("enterprise",))),
    Rule("reopen", (S.referred, S.in_progress, S.concluded), S.accepted, NOBODY, "system",
         effects=Effects(text=_l("A referral came back to the centre, which will route the complaint again."), opens=("Q5",), notice="complaint.reopened", to=("centre", "enterprise"))),
    Rule("close", (S.concluded, S.rejected), S.closed, CLERK, "centre", takes=("message",),
         effects=Effects(text=_l("The complaint was closed."), cancels=True), label=_l("Close the complaint")),
    # a clerk found the complaint repeats another (supervision/clues.py links the two): closed, the enterprise told why
    Rule("close_as_duplicate", (S.submitted, S.triaging, S.awaiting_info), S.closed, CLERK, "centre", needs_reason=True,
         effects=Effects(text=_l("The centre closed the complaint as a duplicate of complaint %(other)s: %(reason)s"),
                         cancels=True, notice="complaint.closed_as_duplicate", to=("enterprise",)),
         label=_l("Close as a duplicate")),
    Rule("withdraw", WITHDRAWABLE, S.withdrawn, ENTERPRISE, "enterprise", needs_reason=True,
         effects=Effects(text=_l("Withdrawn by the enterprise."), cancels=True, then=("withdraw_referrals", "cancel_consultations"),
                         notice="complaint.withdrawn", to=("centre",)),
         label=_l("Withdraw")),
    # satisfaction (supervision/satisfaction.py): a "dissatisfied" rating reopens the concluded complaint for
    # its centre's review (R1), fired by the rating itself; the centre records what it did and it is concluded again
    Rule("review", (S.concluded, S.closed), S.under_review, NOBODY, "system",
         effects=Effects(text=_l("The enterprise is dissatisfied with the outcome: the centre reviews the complaint."),
                         opens=("R1",), notice="complaint.under_review", to=("centre",))),
    Rule("complete_review", (S.under_review,), S.concluded, CLERK, "centre", needs_reason=True,
         effects=Effects(text=_l("The centre reviewed the complaint and recorded what it did."), meets=("R1",),
                         notice="complaint.reviewed", to=("enterprise",)),
         label=_l("Record the review")),
)

REFERRAL_RULES = (
    # a court's V1 does not open here: it runs from complete materials (materials_complete below)
    Rule("acknowledge", (R.sent,), R.acknowledged, AGENCY, "agency", needs=("officer_name",),
         effects=Effects(text=_civil(_l("%(agency)s acknowledged the referral."), _l("%(agency)s acknowledged receipt of the civil dispute.")), meets=("Q4",), opens=(clocks.decision_on_receipt,), then=("ask_police_to_explain", "acknowledgement_receipt")),
         label=_l("Acknowledge receipt")),
    # for a court: the registration (登记立案) of the enterprise's suit with its case number (案号)
    Rule("accept", (R.acknowledged,), R.accepted, AGENCY, "agency", needs=("case_number",), guard=guards.registrable,
         effects=Effects(text=_accept_text, meets=(clocks.decision,), opens=(clocks.conclusion,), notice="referral.decided",
                         to=("centre", "enterprise", "parent_agency")),
         label=_l("Open a case")),
    Rule("decline", (R.acknowledged,), R.declined, AGENCY, "agency", needs_reason=True,
         effects=Effects(text=_l("%(agency)s declined to open a case."), meets=(ALL,), notice="referral.decided", to=("centre", "enterprise", "parent_agency")),
         label=_l("Decline to open a case")),
    Rule("return", (R.sent, R.acknowledged), R.returned, AGENCY, "agency", needs_reason=True, needs=("return_reason",),
         guard=guards.return_reason,
         effects=Effects(text=_civil(_l("%(agency)s returned the referral to the centre."), _l("%(agency)s sent the civil dispute back to the centre.")),
                         meets=(ALL,), notice=_civil_notice("referral.returned", "civil.returned"), to=("centre", "enterprise")),
         label=_l("Return to the centre")),
    Rule("conclude", (R.accepted,), R.concluded, AGENCY, "agency", needs=("outcome",), guard=guards.outcome,
         effects=Effects(text=_civil(_l("%(agency)s concluded the referral."), _l("The civil case at %(agency)s has ended.")),
                         meets=(ALL,), notice=_civil_notice("referral.concluded", "civil.concluded"), to=("centre", "enterprise", "parent_agency")),
         label=_l("Conclude")),
    # 行刑衔接 once the head approved (Order 310: within 24 hours, T2); 反向衔接 by the police, from an
    # opened case or from a decision not to file (no crime, but an administrative violation)
    Rule("transfer", (R.accepted,), R.transferred, AGENCY, "agency", needs_reason=True, takes=("to_agency_id",), guard=guards.transferable,
         effects=Effects(text=_l("%(agency)s transferred the case to %(to_agency)s."), meets=(ALL,), then=("hand_over",), notice="referral.transferred",
                         to=("centre", "enterprise")),
         label=_l("Transfer the case")),
    Rule("transfer", (R.declined,), R.transferred, AGENCY, "agency", needs_reason=True, takes=("to_agency_id",),
         guard=guards.transferable_after_decline,
         effects=Effects(text=_l("%(agency)s found no crime but an administrative violation and transferred the case to %(to_agency)s."), then=("hand_over",), notice="referral.transferred", to=("centre", "enterprise")),
         label=_l("Transfer the case")),
    Rule("request_supervision", (R.declined,), R.supervision_requested, CLERK, "centre", needs_reason=True, takes=("to_agency_id",),
         guard=guards.supervisable, effects=Effects(text=_l("The centre asked the procuratorate to supervise the decision of %(agency)s not to open a case."), then=("send_for_supervision",)),
         label=_l("Request filing supervision")),
    # the police file the case after the procuratorate's notice to file (P2)
    Rule("file_after_notice", (R.supervision_requested,), R.accepted, AGENCY, "agency", needs=("case_number",),
         effects=Effects(text=_l("%(agency)s filed the case after the procuratorate's notice."), meets=(ALL,), notice="referral.decided", to=("centre", "enterprise")),
         label=_l("File the case after the procuratorate's notice")),
    # the centre adds evidence to a referral already sent (the agency is told and can download it)
    Rule("supplement", OPEN_REFERRALS, SAME, CLERK, "centre", needs=("evidence_ids",), takes=("reason",), guard=guards.new_evidence,
         effects=Effects(text=_l("The centre sent further evidence to %(agency)s."), then=("share_evidence",), notice="referral.supplemented", to=("agency",)),
         label=_l("Send further evidence")),
    # --- civil procedure (a court's referral: the enterprise's suit, pre-suit mediation, preservation) ---
    # the court found the suit's materials complete: its 7 days to register the suit (V1) run (again) from now
    Rule("materials_complete", (R.acknowledged,), SAME, AGENCY, "agency", takes=("reason",), guard=guards.suit_route,
         effects=Effects(text=_l("%(agency)s found the materials of the enterprise's suit complete: it decides on "
                                 "registering the suit within 7 days."), restarts=("V1",),
                         notice="civil.materials_complete", to=("centre", "enterprise")),
         label=_l("Record that the suit's materials are complete")),
    # pre-suit mediation (诉前调解) succeeded: a mediation agreement ends the matter (its mediation case number)
    Rule("mediation_succeeded", (R.acknowledged,), R.concluded, AGENCY, "agency", needs=("case_number",), takes=("reason",), guard=guards.mediation_route,
         effects=Effects(text=_l("The pre-suit mediation at %(agency)s succeeded: the parties reached a mediation "
                                 "agreement."), meets=(ALL,), notice="civil.concluded", to=("centre", "enterprise")),
         label=_l("Record a successful pre-suit mediation")),
    # it failed: the enterprise may file its suit; the referral continues as a file_suit route (V1 from complete materials)
    Rule("mediation_failed", (R.acknowledged,), SAME, AGENCY, "agency", needs_reason=True, guard=guards.mediation_route,
         effects=Effects(text=_l("The pre-suit mediation at %(agency)s did not succeed: the enterprise may file its "
                                 "suit, which the court registers once the materials are complete."),
                         notice="civil.mediation_failed", to=("centre", "enterprise")),
         label=_l("Record that the pre-suit mediation failed")),
    # an application for preservation (财产 / 证据 / 行为保全): the court rules within 48 hours (V2)
    Rule("apply_preservation", (R.acknowledged, R.accepted), SAME, AGENCY, "agency", needs=("preservation_kind",), takes=("reason",), guard=guards.preservation_application,
         effects=Effects(text=_preservation_applied_text, opens=("V2",), then=("record_preservation_application",)),
         label=_l("Record an application for preservation")),
    # the court's ruling on it, granted or refused with reasons: V2 is met
    Rule("rule_on_preservation", (R.acknowledged, R.accepted), SAME, AGENCY, "agency", needs_reason=True, needs=("preservation_ruling",),
         guard=guards.preservation_ruling,
         effects=Effects(text=_preservation_ruled_text, meets=("V2",), then=("record_preservation_ruling",),
                         notice="civil.preservation_ruled", to=("centre", "enterprise")),
         label=_l("Rule on the application for preservation")),
    # the complaint was withdrawn: the open referral ends, its clocks stop, the agency is told
    Rule("withdraw", OPEN_REFERRALS, R.withdrawn, NOBODY, "system",
         effects=Effects(text=_civil(_l("The referral to %(agency)s ended with the withdrawal of the complaint."),
                                _l("The civil dispute at %(agency)s ended for the platform with the withdrawal of the complaint.")), cancels=True, notice="referral.withdrawn", to=("agency",))),
)

CONSULTATION_RULES = (
    Rule("request_opinions", (C.convened,), C.opinions_due, CONVENERS, "convener",
         label=_l("Request written opinions"),
         effects=Effects(text=_l("Written opinions were requested from the invited agencies."))),
    Rule("record_minutes", (C.convened, C.opinions_due), C.minuted, CONVENERS, "convener", needs=("minutes", "conclusion"), takes=("referrals",), guard=guards.minutes,
         effects=Effects(text=_l("The minutes and conclusion of the consultation were recorded."), meets=(ALL,), then=("record_conclusion", "refer_from_minutes")),
         label=_l("Record the minutes")),
    Rule("close", (C.minuted,), C.closed, CONVENERS, "convener", effects=Effects(text=_l("The consultation was closed."), meets=(ALL,)),
         label=_l("Close the consultation")),
    Rule("cancel", (C.convened, C.opinions_due, C.minuted), C.cancelled, NOBODY, "system",
         effects=Effects(text=_l("The consultation was cancelled with the withdrawal of the complaint."), cancels=True, notice="consultation.cancelled", to=("invited",))),
)


def _org_is(attribute):
    def check(actor, entity):
        value = attribute(entity)
        return value is not None and actor.organisation_id == value
    return check


def _parent_agency(referral):
    return referral.parent.agency_id if referral.parent is not None else None


class StateMachine:
    """A transition table plus the one ``transitions.Machine`` that enforces it."""

    def __init__(self, name, states, rules, org_checks, *, subject_type=None, event_kind=None, reason_field="reason"):
        self.name = name
        self.reason_field = reason_field  # the request field a row's reason comes from
        self.subject_type = subject_type or name  # what its rows' clocks and timeline rows are about
        self.event_kind = event_kind or name  # the timeline row's kind
        self.states = states
        self.rules = rules
        self.org_checks = {**org_checks, "system": lambda actor, entity: False}
        self.machine = Machine(
            model=None, states=list(states), initial=None, auto_transitions=False, model_attribute="state",
            transitions=[{"trigger": r.trigger, "source": list(r.sources), "dest": r.dest} for r in rules],
        )
        self._by_trigger = {}
        self._by_state = {state: [] for state in states}
        for rule in rules:
            for source in rule.sources:
                if (rule.trigger, source) in self._by_trigger:
                    raise ValueError(f"{name}: two rows for {rule.trigger} from {source.value}")
                self._by_trigger[(rule.trigger, source)] = rule
                if rule.org != "system":
                    self._by_state[source].append(rule)
        self._fields = {}
        for rule in rules:
            fields = self._rule_fields(rule)
            if self._fields.setdefault(rule.trigger, fields) != fields:
                raise ValueError(f"{name}: the rows of {rule.trigger} take different fields")

    def _rule_fields(self, rule):
        needs = ((self.reason_field,) if rule.needs_reason else ()) + tuple(rule.needs)
        return needs, tuple(f for f in rule.takes if f not in needs)

    def request_fields(self, trigger) -> tuple[tuple, tuple]:
        """The fields a request firing ``trigger`` must have and those it may have (besides the trigger): from
        the rows (``needs_reason``, ``needs``, ``takes``), the same for every row of the trigger."""
        return self._fields[trigger]

    @property
    def triggers(self):
        return sorted({r.trigger for r in self.rules})

    @property
    def user_triggers(self):
        return sorted({r.trigger for r in self.rules if r.org != "system"})

    def rule_for(self, trigger, state):
        return self._by_trigger.get((trigger, state))

    def permits(self, rule, actor, entity) -> bool:
        return actor.role in rule.roles and self.org_checks[rule.org](actor, entity)

    def allowed_triggers(self, entity, actor) -> list[str]:
        """The triggers this actor may fire now: the table's rows, their guards included (a button is shown
        exactly when the action would be accepted, given the fields it asks for)."""
        allowed = []
        for rule in self._by_state[entity.state]:
            if rule.trigger in allowed or not self.permits(rule, actor, entity):
                continue
            state_check = rule.guard if getattr(rule.guard, "state_only", False) else getattr(
                rule.guard, "state_part", None)
            if state_check is not None and state_check(entity, None):
                continue
            allowed.append(rule.trigger)
        return allowed

    def label(self, trigger):
        rule = next((r for r in self.rules if r.trigger == trigger), None)
        return rule.label if rule is not None and rule.label is not None else trigger

    def text(self, trigger, state=None):
        """The timeline's words for a trigger (the row from ``state`` when the trigger has several)."""
        rule = self.rule_for(trigger, state) if state is not None else None
        rule = rule or next((r for r in self.rules if r.trigger == trigger and r.effects.text), None)
        return rule.effects.text if rule is not None else None

    def fire(self, entity, trigger, actor, *, reason=None, data=None, before_change=None, system=False):
        """Check the table, the actor and the guard, then move the state. Returns (from, to, rule).

        409 with the actor's allowed triggers when the trigger does not apply; 422 with field
        errors when a reason is missing or the guard fails. ``before_change`` runs once every check
        has passed, before the state moves (e.g. to issue the reference a submitted complaint must
        have). ``system`` is for routing's own follow-up transitions, which no user fires. Nothing
        here commits; routing.effects.run records the timeline row and applies the row's effects.
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
        missing = {name: [_(guards.required_message(name))] for name in rule.needs
                   if (data or {}).get(name) is None or not str((data or {}).get(name)).strip()}
        if missing:  # what the request schemas require too (routing/schemas.py), for a service called directly
            raise ValidationFailed(missing)
        if rule.guard is not None:
            errors = rule.guard(entity, data or {})
            if errors:
                raise ValidationFailed(errors)
        source = entity.state
        if before_change is not None:
            before_change()
        self.machine.events[trigger].trigger(entity)
        return source, entity.state, rule

    def mermaid(self) -> str:
        """The diagram of the table, in Mermaid's stateDiagram syntax (docs/state-machines.md)."""
        lines = ["stateDiagram-v2"]
        for rule in self.rules:
            who = "system" if rule.org == "system" else "/".join(sorted(r.value for r in rule.roles))
            for source in rule.sources:
                dest = source.value if rule.reflexive else rule.dest.value
                lines.append(f"    {source.value} --> {dest}: {rule.trigger} ({who})")
        return "\n".join(lines)


complaint_machine = StateMachine("complaint", S, COMPLAINT_RULES, {
    "enterprise": _org_is(lambda c: c.enterprise_id),
    "centre": _org_is(lambda c: c.centre_id),
}, event_kind="transition", reason_field="message")
referral_machine = StateMachine("referral", R, REFERRAL_RULES, {
    "agency": _org_is(lambda r: r.agency_id),
    "parent_agency": _org_is(_parent_agency),
    "centre": _org_is(lambda r: r.complaint.centre_id),
})
consultation_machine = StateMachine("consultation", C, CONSULTATION_RULES, {
    "convener": _org_is(lambda c: c.convener_org_id),
})
MACHINES = (complaint_machine, referral_machine, consultation_machine)
