"""Every row's declared effects happen: read from the machine tables, checked on real rows.

For each row of each machine with an ``Effects`` (and each of its source states, and for referrals each
kind of agency whose clocks differ), the entity is built in the database in that state with the clocks
the row meets, pauses, resumes, restarts or cancels already running (paused for ``resumes``), the row is
fired through routing's services by a user the row admits, and then the test checks, from the row's own
``Effects``: the deadlines (deadlines.models.Deadline) met, paused, resumed, cancelled, restarted (the
running one cancelled, a new one open) and opened (for the right organisation), the follow-ups
registered, the notice queued in the outbox for exactly the organisations ``to`` names (a notice that is
a function of the referral: its civil variant for a court's civil referral, the general one otherwise),
and the timeline row's words. A new row with effects is checked without a new test; a row whose set-up
needs more than the default world gets a ``PREPARE`` entry in tests/routing/test_machines.py, and a row
only a court's referral has a ``COURT_SHAPES`` entry there.

Also: every notice a machine row or a routing module names is registered in notifications/events.py.
"""
import re
import uuid
from pathlib import Path

import pytest
from sqlalchemy import select

from accounts.enums import District, OrgKind, Role
from core.extensions import db
from core.outbox import OutboxEvent
from deadlines import services as deadlines
from deadlines.models import Deadline, DeadlineState
from intake.enums import ComplaintState as S, Remedy, Track
from intake.models import ComplaintEvent
from notifications.events import ADDRESS_EVENTS, EVENTS
from routing.clocks import codes
from routing.effects import FOLLOW_UPS
from routing.enums import ReferralState as R, ReturnReason
from routing.machines import ALL, MACHINES, NONE, SAME, referral_machine
from routing.models import Referral
from routing.presenters import event_text
from routing.enums import CivilRoute
from tests.routing.test_machines import (COURT_SHAPES, KINDS, ORGANISATIONS, PREPARE, _org, _user, build_world,
                                         complaint_in, evidence_of, referral_data)

ROOT = Path(__file__).resolve().parents[2]
WITNESS = {"complaint": "Q5", "referral": "Q4", "consultation": "C1"}  # a clock that only ALL or cancel ends

# the agencies a referral row is walked with: the police (criminal) for every row but the court's own
# (COURT_SHAPES: the court only); the market regulator and the court too where their clocks differ (A1/A2,
# V1/V2) or the row's words and notice have a civil variant
AGENCY_KINDS = {"police": ("public_security", Track.criminal), "amr": ("market_regulation", Track.administrative),
                "court": ("court", Track.civil)}
VARIANTS = {("acknowledge", "amr"), ("acknowledge", "court"), ("accept", "amr"), ("accept", "court"),
            ("decline", "amr"), ("decline", "court"), ("return", "amr"), ("return", "court"), ("conclude", "amr"),
            ("conclude", "court"), ("withdraw", "court")}
OUTCOMES = {"public_security": {"result": "case_withdrawn", "summary": "撤销案件。"},
            "market_regulation": {"result": "no_violation_found"}, "court": {"result": "withdrawal"}}


def cases():
    for machine in MACHINES:
        for rule in machine.rules:
            if rule.effects == NONE:
                continue
            for source in rule.sources:
                agencies = [None] if machine.name != "referral" else ["court"] if rule.trigger in COURT_SHAPES \
                    else ["police"]
                agencies += [a for t, a in sorted(VARIANTS) if machine.name == "referral" and t == rule.trigger]
                for agency in agencies:
                    suffix = f"-{agency}" if agency else ""
                    yield pytest.param(machine.name, rule.trigger, source, agency,
                                       id=f"{machine.name}-{rule.trigger}-{source.value}{suffix}")


def referral_with(w, state, agency_key, trigger=None):
    """A referral to an agency of the given kind (the world's police or court, or an organisation of its own with
    an officer) in ``state``; a court's with the civil route the trigger's row needs (file_suit otherwise)."""
    kind, track = AGENCY_KINDS[agency_key]
    if agency_key in w["orgs"]:
        agency = w["orgs"][agency_key]
    else:
        agency = _org(kind)
        w["users"][(agency_key, Role.agency_officer)] = _user(agency, Role.agency_officer)
    case_opened = state in (R.accepted, R.concluded, R.transferred)
    complaint = complaint_in(w, S.in_progress if case_opened else S.referred)
    if agency_key == "court":
        complaint.remedies = [Remedy.injunction_preservation.value, "civil_damages"]
    evidence_of(complaint, w)
    referral = Referral(
        complaint=complaint, agency=agency, track=track, state=state, sent_by=w["users"][("centre", Role.clerk)],
        letter_number=f"{complaint.reference}-Y01", acknowledged_by_name=None if state is R.sent else "郑刚",
        agency_case_number="沪立〔2026〕1号" if case_opened else None,
        decline_reason="不符合立案标准。" if state in (R.declined, R.supervision_requested) else None,
        return_reason=ReturnReason.wrong_jurisdiction if state is R.returned else None,
        civil_route=COURT_SHAPES.get(trigger, CivilRoute.file_suit) if agency_key == "court" else None,
    )
    db.session.add(referral)
    db.session.flush()
    return referral


def actor_for(kind, rule, w, agency_key):
    if rule.org == "system":
        return w["users"][("centre", Role.clerk)]
    org_key = ORGANISATIONS[kind][rule.org][0]
    if kind == "referral" and rule.org == "agency":
        org_key = agency_key
    role = sorted(rule.roles, key=lambda r: r.value)[-1] if Role.agency_officer in rule.roles else \
        sorted(rule.roles, key=lambda r: r.value)[0]
    return w["users"][(org_key, role)]


def start(kind, entity, code, w, paused=False):
    subject_type = MACHINES_BY_NAME[kind].subject_type
    complaint = entity if kind == "complaint" else entity.complaint
    deadline = deadlines.open_deadline(code, subject_type=subject_type, subject_id=entity.id,
                                       complaint_id=complaint.id, responsible_org_id=w["orgs"]["centre"].id)
    if paused:
        deadlines.pause(subject_type, entity.id, [code])
    return deadline


MACHINES_BY_NAME = {m.name: m for m in MACHINES}


def audience(kind, entity, who) -> set[str]:
    """Whom the row's ``to`` names, read from the rows themselves."""
    complaint = entity if kind == "complaint" else entity.complaint
    ids = set()
    for name in who:
        if name == "centre":
            ids.add(complaint.centre_id)
        elif name == "enterprise":
            ids.add(complaint.enterprise_id)
        elif name == "agency":
            ids.add(entity.agency_id)
        elif name == "invited":
            ids.update(i.agency_id for i in entity.invitations)
        elif name == "parent_agency":  # only a transfer's referral has one; these referrals have none
            assert entity.parent_id is None
        else:
            raise AssertionError(f"unknown audience {name!r}")
    return {str(i) for i in ids}


def subject_deadlines(subject_type, subject_id):
    db.session.expire_all()
    return {d.id: d for d in db.session.scalars(select(Deadline).where(
        Deadline.subject_type == subject_type, Deadline.subject_id == subject_id))}


def fire(kind, entity, rule, actor):
    _model, _build, fire_kind, _complaint_of, _link = KINDS[kind]
    if kind == "referral" and rule.org != "system":
        from routing import services

        data = referral_data(entity, rule.trigger)
        if rule.trigger == "conclude":
            data = {"outcome": OUTCOMES[entity.agency.kind.value]}
        return services.transition_referral(actor, entity, {"trigger": rule.trigger, **data})
    return fire_kind(actor, entity, rule.trigger, system=rule.org == "system")


@pytest.mark.parametrize("kind, trigger, source, agency", list(cases()))
def test_the_declared_effects_happen(app, kind, trigger, source, agency):
    machine = MACHINES_BY_NAME[kind]
    rule = machine.rule_for(trigger, source)
    e = rule.effects
    model = KINDS[kind][0]
    with app.app_context():
        w = build_world()
        entity = referral_with(w, source, agency, trigger) if kind == "referral" else KINDS[kind][1](w, source)
        if (kind, trigger) in PREPARE:
            PREPARE[(kind, trigger)](entity)
        # the clocks the row ends or changes, running before it fires
        met = [c for c in codes([c for c in e.meets if c != ALL], entity)]
        paused, resumed = codes(e.pauses, entity), codes(e.resumes, entity)
        restarted = codes(e.restarts, entity)
        before = {}
        for code in dict.fromkeys(met + paused + restarted):
            before[code] = start(kind, entity, code, w)
        for code in resumed:
            before[code] = start(kind, entity, code, w, paused=True)
        witness = start(kind, entity, WITNESS[kind], w) if WITNESS[kind] not in before else before[WITNESS[kind]]
        opened = codes(e.opens, entity) + restarted
        notice = e.notice(entity) if callable(e.notice) else e.notice
        if callable(e.notice):  # its civil variant exactly for a civil referral
            assert notice == e.notice.variants[1 if entity.track is Track.civil else 0], (trigger, notice)
        entity_id, subject_type = entity.id, machine.subject_type
        db.session.commit()
        outbox_before = db.session.scalar(select(db.func.max(OutboxEvent.id))) or 0
        events_before = db.session.scalar(select(db.func.max(ComplaintEvent.id))) or 0
        pre_ids = set(subject_deadlines(subject_type, entity_id))

        entity = db.session.get(model, entity_id)
        actor = actor_for(kind, rule, w, agency)
        fire(kind, entity, rule, actor)
        db.session.commit()

        entity = db.session.get(model, entity_id)
        label = f"{kind} {trigger} from {source.value}"
        assert entity.state == (source if rule.reflexive else rule.dest), label
        after = subject_deadlines(subject_type, entity_id)
        for code in met:
            assert after[before[code].id].state is DeadlineState.met, f"{label}: {code} not met"
        if ALL in e.meets:
            for deadline_id in pre_ids:
                assert after[deadline_id].state is DeadlineState.met, f"{label}: {after[deadline_id].rule_code} not met"
        for code in paused:
            d = after[before[code].id]
            assert d.state is DeadlineState.open and d.paused_at is not None, f"{label}: {code} not paused"
        for code in resumed:
            d = after[before[code].id]
            assert d.state is DeadlineState.open and d.paused_at is None, f"{label}: {code} not resumed"
        for code in restarted:
            assert after[before[code].id].state is DeadlineState.cancelled, f"{label}: {code} not restarted"
        if e.cancels:
            for deadline_id in pre_ids:
                assert after[deadline_id].state is DeadlineState.cancelled, f"{label}: {after[deadline_id].rule_code}"
        if not (e.cancels or ALL in e.meets or WITNESS[kind] in met + paused + resumed + restarted):
            assert after[witness.id].state is DeadlineState.open, f"{label}: a clock it does not name changed"
        new = [d for i, d in after.items() if i not in pre_ids]
        assert sorted(d.rule_code for d in new if d.state is DeadlineState.open) == sorted(opened), label
        complaint = entity if kind == "complaint" else entity.complaint
        for d in new:
            owner = complaint.enterprise_id if d.rule_code == "Q3" else complaint.centre_id if kind == "complaint" \
                else entity.agency_id if kind == "referral" else entity.convener_org_id
            assert d.responsible_org_id == owner, f"{label}: {d.rule_code} is not the right organisation's clock"

        for name in e.then:
            assert name in FOLLOW_UPS, f"{label}: follow-up {name!r} is not registered"

        queued = db.session.scalars(select(OutboxEvent).where(OutboxEvent.id > outbox_before)).all()
        if notice:
            wanted = audience(kind, entity, e.to)
            notices = [q for q in queued if q.event == notice]
            if wanted:
                assert len(notices) == 1, f"{label}: {notice} queued {len(notices)} times"
                assert set(notices[0].organisation_ids) == wanted, label
                assert notices[0].params["reference"] == complaint.reference
            else:
                assert notices == [], label

        rows = db.session.scalars(select(ComplaintEvent).where(
            ComplaintEvent.id > events_before, ComplaintEvent.trigger == trigger,
            ComplaintEvent.kind == machine.event_kind, ComplaintEvent.from_state == source.value)).all()
        assert len(rows) == 1, label
        row = rows[0]
        assert row.to_state == (source.value if rule.reflexive else rule.dest.value)
        assert row.public == rule.public
        if e.text is not None:
            words = event_text(row)
            assert words and "%(" not in words, f"{label}: {words!r}"
            if kind == "referral" and "%(agency)s" in str(e.text):
                assert entity.agency.name in words, f"{label}: {words!r}"


# --- the timeline's words for rows sharing a trigger -----------------------------------------------------

def test_a_transfer_after_a_decline_reads_as_such_and_names_the_agency(app):
    from routing import services

    with app.app_context():
        w = build_world()
        referral = referral_with(w, R.declined, "police")
        db.session.commit()
        services.transition_referral(w["users"][("police", Role.agency_officer)], referral,
                                     {"trigger": "transfer", "reason": "不构成犯罪，转行政。"})
        db.session.commit()
        row = db.session.scalar(select(ComplaintEvent).where(ComplaintEvent.referral_id == referral.id,
                                                             ComplaintEvent.trigger == "transfer"))
        target = db.session.scalar(select(Referral).where(Referral.parent_id == referral.id))
        wanted = referral_machine.text("transfer", R.declined)
        assert str(wanted) != str(referral_machine.text("transfer", R.accepted))
        assert event_text(row) == str(wanted) % {"agency": referral.agency.name, "to_agency": target.agency.name}


# --- every notice is registered ----------------------------------------------------------------------

def notices_of(rule) -> tuple:
    """The events a row may send: its notice, or every variant of a notice that is a function of the entity."""
    notice = rule.effects.notice
    if callable(notice):
        assert notice.variants, rule.trigger
        return tuple(notice.variants)
    return (notice,) if notice else ()


def test_every_notice_of_a_machine_row_is_registered():
    missing = [(m.name, r.trigger, notice) for m in MACHINES for r in m.rules for notice in notices_of(r)
               if notice not in EVENTS]
    assert not missing, f"add these events to notifications/events.py: {missing}"
    for m in MACHINES:
        for r in m.rules:
            assert bool(r.effects.notice) == bool(r.effects.to), (m.name, r.trigger, "a notice needs its audience")


def test_every_notice_routing_sends_is_registered():
    """Each literal event name routing passes to tell/emit (routing.effects.tell, core.outbox.emit, and the
    modules' own wrappers) has an entry in notifications/events.py."""
    call = re.compile(r"\b_?(?:tell|emit)\(\s*(?:[\w.]+,\s*)?\"([a-z_]+\.[a-z_]+)\"")
    # and the values of a module's table of notices (e.g. RECEIVED_NOTICE = {None: "referral.received", ...})
    table = re.compile(r"^[A-Z_]*NOTICES?\s*=\s*\{(.*?)\}", re.M | re.S)
    name_in = re.compile(r"\"([a-z_]+\.[a-z_]+)\"")
    named = {}
    for path in sorted((ROOT / "routing").glob("*.py")):
        source = path.read_text(encoding="utf-8")
        for name in call.findall(source) + [n for body in table.findall(source) for n in name_in.findall(body)]:
            named.setdefault(name, path.name)
    assert {"referral.received", "consultation.invited", "complaint.supervised"} <= set(named)  # the scan works
    missing = {name: where for name, where in named.items() if name not in EVENTS and name not in ADDRESS_EVENTS}
    assert not missing, f"add these events to notifications/events.py: {missing}"


def test_the_registered_texts_render_with_what_the_rows_send():
    """A notice's texts use only parameters routing.effects gives it (the rest render empty)."""
    given = {"reference", "enterprise", "agency", "state", "letter_number", "due_date", "message", "to_agency",
             "from_agency"}
    # what a row's follow-ups add to its notice (routing/referrals.py: the court's ruling on preservation)
    added = {"record_preservation_ruling": {"ruling"}}
    # what the service firing a row passes as its notice's params (supervision/clues.py: the other complaint)
    passed = {"close_as_duplicate": {"other"}}
    for m in MACHINES:
        for r in m.rules:
            row_gives = given.union(*(added.get(name, set()) for name in r.effects.then), passed.get(r.trigger, set()))
            for notice in notices_of(r):
                spec = EVENTS[notice]
                used = set(re.findall(r"%\((\w+)\)s", f"{spec.subject} {spec.body}"))
                assert used <= row_gives, (notice, used - row_gives)
