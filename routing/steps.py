"""Steps of an agency inside a referral that change no state but run the clocks of State Council
Order 310 and the Criminal Procedure Law (DOMAIN.md's T1, T2, T5, P1, P2) — a table of the same
``Rule`` rows as the machines (destination ``SAME``), applied by the same mechanism (routing.effects):

- report_suspected_crime: the market regulator's officer proposes to transfer an opened case to the
  police, with reasons; the agency head must decide within 3 days (T1). The proposal waits on the
  head's list of decisions.
- approve_transfer / refuse_transfer: the agency head decides (T1 met). Approval is the gate: only
  then may the case be transferred (the referral's ``transfer`` trigger), within 24 hours (T2, met
  by the transfer itself).
- request_reconsideration: the agency whose transfer the police declined to file asks them to
  reconsider; they answer within 3 days (T5), with answer_reconsideration.
- Filing supervision: when the procuratorate acknowledges a supervision referral the police must
  explain their non-filing within 7 days (P1, met by explain_non_filing); notify_to_file gives them
  15 days to file (P2, met when the police file: the referral's file_after_notice trigger).
"""
from flask_babel import gettext as _, lazy_gettext as _l

from accounts.enums import AGENCY_ROLES, Role
from core.errors import Conflict, NotFound
from core.extensions import db
from core.models import utcnow
from deadlines import decisions, services as deadlines
from intake.enums import Track

from .access import can_read_referral, transferring_agency_ids
from .effects import ENDED, follow_up, run, sync_due
from .enums import LinkKind, ReferralState as R, TransferState
from .machines import SAME, Effects, Rule, StateMachine, referral_machine
from .models import Referral, TransferProposal

OFFICERS = frozenset(AGENCY_ROLES)
HEADS = frozenset({Role.agency_head})


def _no_error(ok, message):
    return {} if ok else {"step": [message]}


def _running(referral, code):
    return bool(deadlines.running("referral", referral.id, [code]))


def _can_propose(referral, data):
    return _no_error(referral.track is Track.administrative and referral.pending_transfer is None
                     and referral.approved_transfer is None,
                     _("A transfer to the police is already proposed or approved."))


def _proposal_waits(referral, data):
    return _no_error(referral.pending_transfer is not None, _("No proposal to transfer waits for a decision."))


def _reconsiderable(referral, data):
    transferred = referral.link_kind is LinkKind.admin_to_criminal or bool(transferring_agency_ids(referral))
    return _no_error(transferred and not _running(referral, "T5"), _("No transfer to reconsider."))


def _clock(code):
    def guard(referral, data):
        return _no_error(_running(referral, code), _("This step is not due now."))
    guard.__name__ = f"{code}_running"
    return guard


def _can_notify(referral, data):
    return _no_error(referral.link_kind is LinkKind.filing_supervision and referral.parent is not None
                     and not _running(referral.parent, "P2"), _("The police were already notified to file."))


for _guard in (_can_propose, _proposal_waits, _reconsiderable, _can_notify):
    _guard.state_only = True

STEP_RULES = (
    Rule("report_suspected_crime", (R.accepted,), SAME, OFFICERS, "agency", needs_reason=True, guard=_can_propose,
         effects=Effects(opens=("T1",), then=("propose_transfer",), notice="referral.transfer_proposed",
                         to=("agency",)),
         public=False, label=_l("Propose a transfer to the police (report a suspected crime)")),
    Rule("approve_transfer", (R.accepted,), SAME, HEADS, "deciding_head", guard=_proposal_waits, takes=("reason",),
         effects=Effects(meets=("T1",), opens=("T2",), then=("decide_transfer",), notice="referral.transfer_decided",
                         to=("agency",)),
         public=False, label=_l("Approve the transfer to the police")),
    Rule("refuse_transfer", (R.accepted,), SAME, HEADS, "deciding_head", needs_reason=True, guard=_proposal_waits,
         effects=Effects(meets=("T1",), then=("decide_transfer",), notice="referral.transfer_decided",
                         to=("agency",)),
         public=False, label=_l("Decide not to transfer to the police")),
    Rule("request_reconsideration", (R.declined, R.supervision_requested), SAME, OFFICERS, "transferring",
         needs_reason=True, guard=_reconsiderable, effects=Effects(opens=("T5",), notice="referral.reconsideration",
                                                                    to=("agency",)),
         public=False, label=_l("Ask the police to reconsider not filing")),
    Rule("answer_reconsideration", tuple(R), SAME, OFFICERS, "agency", needs_reason=True, guard=_clock("T5"),
         effects=Effects(meets=("T5",)), public=False, label=_l("Answer the request to reconsider")),
    Rule("explain_non_filing", (R.supervision_requested,), SAME, OFFICERS, "agency", needs_reason=True,
         guard=_clock("P1"), effects=Effects(meets=("P1",)), public=False,
         label=_l("Explain the non-filing to the procuratorate")),
    Rule("notify_to_file", (R.acknowledged, R.accepted), SAME, OFFICERS, "agency", needs_reason=True,
         guard=_can_notify, effects=Effects(then=("police_must_file",)), public=False,
         label=_l("Notify the police to file the case")),
)
for _rule in STEP_RULES:
    if _rule.guard is not None and _rule.guard.__name__.endswith("_running"):
        _rule.guard.state_only = True

def _deciding_head(actor, referral) -> bool:
    """The agency's head decides on a proposal someone else made (nobody approves their own)."""
    proposal = referral.pending_transfer
    return (referral_machine.org_checks["agency"](actor, referral)
            and (proposal is None or proposal.proposed_by_id != actor.id))


step_machine = StateMachine("step", R, STEP_RULES, {
    "agency": referral_machine.org_checks["agency"],
    "deciding_head": _deciding_head,
    "transferring": lambda actor, referral: actor.organisation_id in transferring_agency_ids(referral),
}, subject_type="referral", event_kind="step")
STEPS = {rule.trigger: rule for rule in STEP_RULES}


def allowed_steps(referral: Referral, actor) -> list[str]:
    if referral.complaint.state in ENDED:
        return []
    return step_machine.allowed_triggers(referral, actor)


def take_step(actor, referral: Referral, name: str, reason: str | None = None) -> Referral:
    """Take one of STEPS on a referral the actor can see: 409 (with the steps allowed) when not possible now."""
    if not can_read_referral(actor, referral):
        raise NotFound()
    allowed = allowed_steps(referral, actor)
    if name not in allowed:
        raise Conflict(_("This step is not possible now."), step=name, allowed_steps=allowed)
    run(step_machine, referral, name, actor, reason=reason)
    return referral


@follow_up("propose_transfer")
def _propose_transfer(t):
    db.session.add(TransferProposal(referral_id=t.entity.id, state=TransferState.pending, reason=t.reason.strip(),
                                    proposed_by_id=t.actor.id))
    db.session.flush()
    db.session.expire(t.entity, ["transfers"])


@follow_up("decide_transfer")
def _decide_transfer(t):
    proposal = t.entity.pending_transfer
    approved = t.rule.trigger == "approve_transfer"
    proposal.state = TransferState.approved if approved else TransferState.refused
    proposal.decided_by_id, proposal.decided_at = t.actor.id, utcnow()
    proposal.decision_reason = (t.reason or "").strip() or None
    t.params["decision"] = "approved" if approved else "refused"
    db.session.flush()
    db.session.expire(t.entity, ["transfers"])


@follow_up("police_must_file")
def _police_must_file(t):
    """The procuratorate notified the police to file: they have 15 days (P2, on their referral)."""
    police = t.entity.parent
    deadlines.open_deadline("P2", subject_type="referral", subject_id=police.id, complaint_id=t.complaint.id,
                            responsible_org_id=police.agency_id)
    sync_due(referral_machine, police)


def pending_transfer_decisions(actor) -> list[TransferProposal]:
    """The proposals to transfer waiting for this agency head's decision (T1), the most urgent first."""
    from sqlalchemy import select

    if actor.role is not Role.agency_head:
        return []
    return db.session.scalars(select(TransferProposal).join(Referral).where(
        Referral.agency_id == actor.organisation_id, TransferProposal.state == TransferState.pending)
        .order_by(TransferProposal.proposed_at)).all()


@decisions.provider("transfers", order=20)
def _transfer_decisions(actor):
    """The head's decisions list (deadlines.decisions): the proposals to transfer waiting for this head."""
    if getattr(actor, "role", None) is not Role.agency_head:
        return None
    return decisions.Section("transfers", _l("Proposals to transfer a case to the police"),
                             "routing/_transfer_decisions.html", pending_transfer_decisions(actor),
                             _l("No proposal to transfer a case waits for you."))
