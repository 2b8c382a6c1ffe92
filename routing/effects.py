"""The one mechanism that fires a row of a machine table and applies its declared effects.

``run`` checks the version, the complaint's state (no agency or consultation action on a complaint
that ended), fires the row (routing/machines.py: role, organisation, reason, guard), writes the one
timeline row, then applies the row's ``Effects`` in a fixed order: clocks met, paused, resumed,
cancelled, opened (a restarted clock: the running one cancelled, a new one opened); the named
follow-ups; the notice. Everything happens in the caller's transaction; the request boundary
commits, so a failure anywhere leaves nothing behind.

Follow-ups are functions registered by name (``@follow_up("hand_over")``) in the modules that
govern them (referrals, consultations, complaints); the tables name them, so the tables stay data
and the modules import the tables, never the other way round.
"""
from dataclasses import dataclass, field

from flask_babel import gettext as _

from core.errors import Conflict
from core.models import utcnow
from core.outbox import emit
from deadlines import calendar, services as deadlines
from intake.enums import ComplaintState as S
from intake.services import check_version, record_event

from .clocks import codes
from .machines import ALL

FOLLOW_UPS = {}
ENDED = frozenset({S.withdrawn, S.rejected, S.closed, S.draft})


def follow_up(name):
    """Register the follow-up a table row names in ``Effects.then``."""
    def register(function):
        FOLLOW_UPS[name] = function
        return function
    return register


@dataclass
class Transition:
    """One fired row, as its effects and follow-ups see it."""

    machine: object
    rule: object
    entity: object
    complaint: object
    actor: object
    data: dict
    reason: str | None
    source: object = None
    dest: object = None
    result: object = None  # what a follow-up made (e.g. the police referral of a transfer)
    params: dict = field(default_factory=dict)  # extra parameters of the notice

    @property
    def subject(self):
        return self.machine.subject_type, self.entity.id


def complaint_of(machine, entity):
    return entity if machine.subject_type == "complaint" else entity.complaint


def check_complaint_open(complaint, actor, entity, machine) -> None:
    """Every referral and consultation action first asks whether the complaint is still being worked on."""
    if complaint.state in ENDED:
        raise Conflict(_("The complaint has ended (%(state)s): nothing more can be done on it.",
                         state=complaint.state.value), state=entity.state.value, allowed_triggers=[])


def allowed(machine, entity, actor) -> list[str]:
    """The triggers the actor may fire on the entity now (none once its complaint ended)."""
    if machine.subject_type != "complaint" and complaint_of(machine, entity).state in ENDED:
        return []
    return machine.allowed_triggers(entity, actor)


def annotated(entity, machine, actor):
    """Attach the triggers this actor may fire now (the API dumps them as allowed_triggers)."""
    entity.allowed_triggers = allowed(machine, entity, actor)
    return entity


def run(machine, entity, trigger, actor, *, data=None, reason=None, payload=None, before_change=None,
        system=False, expected_version=None, params=None) -> Transition:
    """Fire ``trigger`` on ``entity`` and apply the row's effects. Returns the Transition."""
    check_version(entity, expected_version)
    complaint = complaint_of(machine, entity)
    if machine.subject_type != "complaint" and not system:
        check_complaint_open(complaint, actor, entity, machine)
    data = data or {}
    source, dest, rule = machine.fire(entity, trigger, actor, reason=reason, data=data,
                                      before_change=before_change, system=system)
    entity.updated_at = utcnow()
    if machine.subject_type != "complaint":
        complaint.updated_at = entity.updated_at
    t = Transition(machine, rule, entity, complaint, actor, data, reason, source, dest, params=dict(params or {}))
    row = {"referral_id": entity.id} if machine.subject_type == "referral" else \
        {"consultation_id": entity.id} if machine.subject_type == "consultation" else {}
    kind = machine.event_kind
    record_event(complaint, actor, kind, trigger=trigger, from_state=source.value, to_state=dest.value,
                 reason=reason, public=rule.public,
                 payload={**base_payload(machine, entity), **((payload() if callable(payload) else payload) or {})},
                 **row)
    apply(t)
    return t


def base_payload(machine, entity) -> dict:
    if machine.subject_type == "referral":
        return {"agency": entity.agency.name, "track": entity.track.value}
    return {}


def centre_id(complaint):
    """The complaint's centre, also right after submission assigned it (before the flush sets the column)."""
    return complaint.centre_id or (complaint.centre.id if complaint.centre is not None else None)


def responsible(machine, code, entity):
    """Whose clock it is: the centre's on a complaint (Q3 is the enterprise's), the agency's on a referral."""
    if machine.subject_type == "complaint":
        return entity.enterprise_id if code == "Q3" else centre_id(entity)
    if machine.subject_type == "referral":
        return entity.agency_id
    return entity.convener_org_id


def person_due(t: Transition, code):
    """A due time a person set for this clock (the reply date the enterprise is told is Q3's), else None."""
    if code == "Q3" and t.data.get("due_date") is not None:
        return calendar.end_of_day(t.data["due_date"])  # the told day's end, Asia/Shanghai
    return None


PERSON_DUE_FIELDS = {"Q3": "due_date"}  # the form field a person's due time came from (its errors name it)


def apply(t: Transition) -> None:
    effects = t.rule.effects
    subject_type, subject_id = t.subject
    if effects.meets:
        met = codes([c for c in effects.meets if c != ALL], t.entity)
        if ALL in effects.meets:
            deadlines.meet(subject_type, subject_id)
        elif met:
            deadlines.meet(subject_type, subject_id, met)
    if effects.pauses:
        deadlines.pause(subject_type, subject_id, codes(effects.pauses, t.entity))
    if effects.resumes:
        deadlines.resume(subject_type, subject_id, codes(effects.resumes, t.entity))
    if effects.cancels:
        if t.machine.subject_type == "complaint":
            deadlines.cancel_for_complaint(t.complaint.id)
        else:
            deadlines.cancel(subject_type, subject_id)
    restarted = codes(effects.restarts, t.entity)
    if restarted:
        deadlines.cancel(subject_type, subject_id, restarted)
    for code in codes(effects.opens, t.entity) + restarted:
        # the date the enterprise is told is the clock that runs: one date, not two
        deadlines.open_deadline(code, subject_type=subject_type, subject_id=subject_id, complaint_id=t.complaint.id,
                                responsible_org_id=responsible(t.machine, code, t.entity),
                                due_at=person_due(t, code), due_reason=t.reason,
                                field=PERSON_DUE_FIELDS.get(code, "due_at"))
    for name in effects.then:
        FOLLOW_UPS[name](t)
    notice = effects.notice(t.entity) if callable(effects.notice) else effects.notice
    if notice:
        tell(t.complaint, notice, audience(t, effects.to), **notice_params(t))
    sync_due(t.machine, t.entity)
    if t.machine.subject_type == "referral":
        referral = t.entity
        if t.machine.event_kind == "step":  # the agency's own steps (Order 310): its system only
            tell_systems("referral.step_taken", referral, [referral.agency_id], step=t.rule.trigger,
                         state=referral.state.value)
        else:
            tell_systems("referral.transitioned", referral, [referral.agency_id, centre_id(t.complaint)],
                         trigger=t.rule.trigger, from_state=t.source.value, to_state=t.dest.value)


def audience(t: Transition, who) -> list:
    ids = []
    for name in who:
        if name == "centre":
            ids.append(centre_id(t.complaint))
        elif name == "enterprise":
            ids.append(t.complaint.enterprise_id)
        elif name == "agency":
            ids.append(t.entity.agency_id)
        elif name == "parent_agency":
            parent = getattr(t.entity, "parent", None)
            if parent is not None and t.entity.link_kind is not None and t.entity.link_kind.value in (
                    "admin_to_criminal", "criminal_to_admin"):
                ids.append(parent.agency_id)
        elif name == "invited":
            ids.extend(i.agency_id for i in t.entity.invitations)
    return list(dict.fromkeys(i for i in ids if i is not None))


def notice_params(t: Transition) -> dict:
    params = {}
    if t.machine.subject_type == "referral":
        params = {"agency": t.entity.agency.name, "state": t.entity.state.value,
                  "letter_number": t.entity.letter_number}
    if t.data.get("due_date") is not None:
        params["due_date"] = t.data["due_date"].isoformat()
    if t.reason:
        params["message"] = t.reason
    return {**params, **t.params}


def tell(complaint, event, organisation_ids, **params):
    """Queue a notification in this transaction (the notifications worker delivers it)."""
    if organisation_ids:
        emit(event, organisation_ids=organisation_ids, subject_type="complaint", subject_id=complaint.id,
             params={"reference": complaint.reference, "enterprise": complaint.enterprise.name, **params})


def tell_systems(event, referral, organisation_ids, **data):
    """An event for the agencies' systems (the changes feed and webhooks; no person is notified): what
    changed on ``referral``, by ids, for ``organisation_ids`` (its agency, its centre)."""
    complaint = referral.complaint
    emit(event, organisation_ids=[o for o in organisation_ids if o is not None], subject_type="referral",
         subject_id=referral.id,
         params={"referral_id": str(referral.id), "complaint_id": str(complaint.id), "reference": complaint.reference,
                 "letter_number": referral.letter_number, "agency_id": str(referral.agency_id), **data})


def sync_due(machine, entity) -> None:
    """Keep the queue's and the inbox's order: the earliest due time of the centre's (agency's) running clocks."""
    from core.extensions import db

    if machine.subject_type == "complaint":
        entity.centre_due_at = deadlines.earliest_due("complaint", entity.id, centre_id(entity))
    elif machine.subject_type == "referral":
        entity.agency_due_at = deadlines.earliest_due("referral", entity.id, entity.agency_id)
    db.session.flush()  # now, not at commit: the answer (and its ETag) must carry the version stored
