"""The transition tables as data: every (state, trigger) pair of every machine, on real rows.

The expected tables below are the specification (DESIGN.md, issue 8), written out by hand, one line
per row of routing/machines.py: trigger, source states, destination (``SAME``: the state stays), the
roles that may fire it and whose organisation (``system``: only routing itself). A change to the
machines must be mirrored here on purpose; to add rows, add lines (and, for a row whose guard needs
something of the entity, a ``PREPARE`` entry and its ``fire`` data).

Each (state, trigger) case builds the entity directly in the database in that state, with a user of
every role in the right organisation and in another one, then fires the trigger through routing's
services as each of them. The users the table does not let fire it (wrong role, wrong organisation,
or any user when the state is not a source) get 409 Conflict carrying exactly the triggers the table
lets them fire, and state, version and timeline stay as they were; the right actor moves the entity
to the row's destination, bumps its version and writes the one timeline row. ``system`` rows are
refused to every user and fire only as routing's own follow-up, from their sources only.

The civil rows apply to a court's referral only: for them the case is a civil referral to the world's
court with the route ``COURT_SHAPES`` names (``shown`` mirrors the guards that hide a row), and the court's
officers and another court's are the agency's users.
"""
import datetime as dt
import decimal
import itertools
import uuid

import pytest
from sqlalchemy import func, select

from accounts.enums import District, OrgKind, Role
from accounts.models import Organisation, User
from core.errors import Conflict, ValidationFailed
from core.extensions import db
from core.models import utcnow
from evidence.models import EvidenceFile
from intake.enums import ComplaintState as S, InfringerKind, SecretCategory, Track
from intake.models import Complaint, ComplaintEvent, Infringer
from routing import effects, services
from routing.enums import (CivilRoute, ConsultationState as C, PreservationKind, PreservationRuling,
                           ReferralState as R, RejectReason, ReturnReason)
from routing.machines import SAME, complaint_machine, consultation_machine, referral_machine
from routing.models import Consultation, ConsultationInvitation, PreservationApplication, Referral
from tests.conftest import make_credit_code

ENTERPRISE = ("enterprise_user",)
CLERK = ("clerk",)
AGENCY = ("agency_officer", "agency_head")
CONVENERS = ("clerk", "supervisor")
SYSTEM = ()
AFTER_ACCEPTANCE = (S.accepted, S.referred, S.in_progress)
WITHDRAWABLE = (S.submitted, S.triaging, S.awaiting_info, S.accepted, S.referred, S.in_progress)
OPEN_REFERRALS = (R.sent, R.acknowledged, R.accepted)

# (trigger, sources, destination, roles, organisation)
COMPLAINT_TABLE = [
    ("submit", (S.draft,), S.submitted, ENTERPRISE, "enterprise"),
    ("claim", (S.submitted,), S.triaging, CLERK, "centre"),
    ("request_info", (S.triaging,), S.awaiting_info, CLERK, "centre"),
    ("request_info", AFTER_ACCEPTANCE, SAME, CLERK, "centre"),
    ("supply_info", (S.awaiting_info,), S.triaging, ENTERPRISE, "enterprise"),
    ("supply_info", AFTER_ACCEPTANCE, SAME, ENTERPRISE, "enterprise"),
    ("accept", (S.triaging,), S.accepted, CLERK, "centre"),
    ("reject", (S.triaging,), S.rejected, CLERK, "centre"),
    ("resolve", (S.accepted,), S.concluded, CLERK, "centre"),
    ("refer", (S.accepted, S.in_progress, S.concluded), S.referred, SYSTEM, "system"),
    ("start", (S.accepted, S.referred, S.concluded), S.in_progress, SYSTEM, "system"),
    ("conclude", (S.accepted, S.referred, S.in_progress), S.concluded, SYSTEM, "system"),
    ("reopen", (S.referred, S.in_progress, S.concluded), S.accepted, SYSTEM, "system"),
    ("close", (S.concluded, S.rejected), S.closed, CLERK, "centre"),
    ("close_as_duplicate", (S.submitted, S.triaging, S.awaiting_info), S.closed, CLERK, "centre"),
    ("withdraw", WITHDRAWABLE, S.withdrawn, ENTERPRISE, "enterprise"),
    # satisfaction: a dissatisfied rating reopens the complaint for its centre's review, which concludes it again
    ("review", (S.concluded, S.closed), S.under_review, SYSTEM, "system"),
    ("complete_review", (S.under_review,), S.concluded, CLERK, "centre"),
]
REFERRAL_TABLE = [
    ("acknowledge", (R.sent,), R.acknowledged, AGENCY, "agency"),
    ("accept", (R.acknowledged,), R.accepted, AGENCY, "agency"),
    ("decline", (R.acknowledged,), R.declined, AGENCY, "agency"),
    ("return", (R.sent, R.acknowledged), R.returned, AGENCY, "agency"),
    ("conclude", (R.accepted,), R.concluded, AGENCY, "agency"),
    ("transfer", (R.accepted,), R.transferred, AGENCY, "agency"),
    ("transfer", (R.declined,), R.transferred, AGENCY, "agency"),
    ("request_supervision", (R.declined,), R.supervision_requested, CLERK, "centre"),
    ("file_after_notice", (R.supervision_requested,), R.accepted, AGENCY, "agency"),
    ("supplement", OPEN_REFERRALS, SAME, CLERK, "centre"),
    # civil procedure: a court's referral (the enterprise's suit, pre-suit mediation, preservation)
    ("materials_complete", (R.acknowledged,), SAME, AGENCY, "agency"),
    ("mediation_succeeded", (R.acknowledged,), R.concluded, AGENCY, "agency"),
    ("mediation_failed", (R.acknowledged,), SAME, AGENCY, "agency"),
    ("apply_preservation", (R.acknowledged, R.accepted), SAME, AGENCY, "agency"),
    ("rule_on_preservation", (R.acknowledged, R.accepted), SAME, AGENCY, "agency"),
    ("withdraw", OPEN_REFERRALS, R.withdrawn, SYSTEM, "system"),
]
CONSULTATION_TABLE = [
    ("request_opinions", (C.convened,), C.opinions_due, CONVENERS, "convener"),
    ("record_minutes", (C.convened, C.opinions_due), C.minuted, CONVENERS, "convener"),
    ("close", (C.minuted,), C.closed, CONVENERS, "convener"),
    ("cancel", (C.convened, C.opinions_due, C.minuted), C.cancelled, SYSTEM, "system"),
]

MACHINES = {"complaint": (complaint_machine, S, COMPLAINT_TABLE),
            "referral": (referral_machine, R, REFERRAL_TABLE),
            "consultation": (consultation_machine, C, CONSULTATION_TABLE)}

# the organisation a row's ``org`` names in the world of one case: (the right one, another of its kind);
# a court's referral (COURT_SHAPES) names the court as its agency
ORGANISATIONS = {
    "complaint": {"enterprise": ("enterprise", "other_enterprise"), "centre": ("centre", "other_centre")},
    "referral": {"agency": ("police", "other_police"), "centre": ("centre", "other_centre")},
    "consultation": {"convener": ("centre", "other_centre")},
}


AGENCIES = {"police": ("police", "other_police"), "court": ("court", "other_court")}


def org_keys(kind, org, w):
    """The world's (right, other) organisation keys a row's ``org`` names: the referral's own agency."""
    if kind == "referral" and org == "agency":
        return AGENCIES[w.get("agency", "police")]
    return ORGANISATIONS[kind][org]


def row_for(table, trigger, state):
    return next((row for row in table if row[0] == trigger and state in row[1]), None)


def canonical(trigger, sources, dest, roles, org):
    return (trigger, tuple(sorted(s.value for s in sources)), dest if dest == SAME else dest.value,
            tuple(sorted(roles)), org)


def test_the_machines_hold_exactly_the_specified_tables():
    for name, (machine, states, table) in MACHINES.items():
        actual = sorted(canonical(r.trigger, r.sources, r.dest, (x.value for x in r.roles), r.org) for r in machine.rules)
        wanted = sorted(canonical(*row) for row in table)
        assert actual == wanted, name
        assert len(machine.rules) == len(table), name
        assert set(machine.states) == set(states), name
        for org in {row[4] for row in table} - {"system"}:
            assert org in ORGANISATIONS[name], f"{name}: add the {org!r} organisation to ORGANISATIONS"


def test_the_diagrams_draw_every_row():
    for name, (machine, _states, table) in MACHINES.items():
        mermaid = machine.mermaid()
        assert mermaid.startswith("stateDiagram-v2")
        for trigger, sources, dest, roles, org in table:
            who = "system" if org == "system" else "/".join(sorted(roles))
            for source in sources:
                target = source if dest == SAME else dest
                assert f"    {source.value} --> {target.value}: {trigger} ({who})" in mermaid.splitlines(), name


def test_system_rows_are_fired_by_nobody_and_user_rows_by_somebody():
    for name, (machine, _states, _table) in MACHINES.items():
        for rule in machine.rules:
            assert (rule.org == "system") == (not rule.roles), (name, rule.trigger)
            assert (rule.trigger in machine.user_triggers) or rule.org == "system", (name, rule.trigger)


# --- rows built directly in the database -----------------------------------------------------------

_numbers = itertools.count(1)


def _org(kind, district="municipal"):
    n = next(_numbers)
    org = Organisation(name=f"{kind}-{n}", kind=OrgKind(kind), district=District(district),
                       credit_code=make_credit_code(5_000_000 + n) if kind == "enterprise" else None)
    db.session.add(org)
    return org


def _user(org, role):
    user = User(organisation=org, email=f"{role.value}-{uuid.uuid4().hex[:12]}@walk.example", name=f"{role.value} 用户",
                role=role, password_hash="not-a-password")
    db.session.add(user)
    return user


WORLD_ORGS = {"enterprise": ("enterprise", "pudong"), "other_enterprise": ("enterprise", "pudong"),
              "centre": ("rights_center", "municipal"), "other_centre": ("rights_center", "xuhui"),
              "police": ("public_security", "municipal"), "other_police": ("public_security", "pudong"),
              "court": ("court", "municipal"), "other_court": ("court", "pudong")}


def build_world() -> dict:
    """The organisations of one case, each with a user of every role (inserted directly, whatever the
    organisation's kind allows), plus the targets of transfers and filing supervision."""
    orgs = {key: _org(kind, district) for key, (kind, district) in WORLD_ORGS.items()}
    _org("market_regulation"), _org("procuratorate")
    users = {(key, role): _user(org, role) for key, org in orgs.items() for role in Role}
    db.session.flush()
    return {"orgs": orgs, "users": users}


def complaint_in(w, state) -> Complaint:
    submitted = state is not S.draft
    orgs, users = w["orgs"], w["users"]
    complaint = Complaint(
        enterprise=orgs["enterprise"], created_by=users[("enterprise", Role.enterprise_user)], state=state,
        reference=f"W-{uuid.uuid4().hex[:16]}" if submitted else None,
        submitted_at=utcnow() if submitted else None, centre=orgs["centre"] if submitted else None,
        withdrawal_reason="不再需要。" if state is S.withdrawn else None,
        contact_name="王敏", contact_phone="13800000001", contact_email="legal@chengchuan.example",
        secret_category=SecretCategory.technical, secret_description="固件源代码。",
        confidentiality_measures="保密协议。", commercial_value="年销量3,000台。", facts="离职前复制代码仓库。",
        discovered_on=dt.date(2026, 9, 15), estimated_loss=decimal.Decimal("1200000.00"),
        infringing_acts=["electronic_intrusion"], remedies=["criminal_investigation"], preferred_tracks=["criminal"],
        infringers=[Infringer(position=0, kind=InfringerKind.former_employee, name="李某", district=District.pudong)],
    )
    db.session.add(complaint)
    db.session.flush()
    return complaint


def evidence_of(complaint, w) -> EvidenceFile:
    """An exhibit of the complaint not yet shared with any agency (the centre's 'supplement' sends it)."""
    file = EvidenceFile(complaint_id=complaint.id, uploaded_by_id=w["users"][("enterprise", Role.enterprise_user)].id,
                        display_name="exhibit.pdf", media_type="application/pdf", size=10, sha256="0" * 64,
                        storage_key=uuid.uuid4().hex, wrapped_key=b"\0" * 60)
    db.session.add(file)
    return file


def referral_in(w, state, civil_route=None) -> Referral:
    """A criminal referral to public security (the shape every row but the civil ones applies to), or with a
    ``civil_route`` a civil referral to the court (the civil rows: COURT_SHAPES)."""
    case_opened = state in (R.accepted, R.concluded, R.transferred)
    complaint = complaint_in(w, S.in_progress if case_opened else S.referred)
    evidence_of(complaint, w)
    w["agency"] = "police" if civil_route is None else "court"
    referral = Referral(
        complaint=complaint, agency=w["orgs"][w["agency"]], track=Track.criminal if civil_route is None else Track.civil,
        civil_route=civil_route, state=state,
        sent_by=w["users"][("centre", Role.clerk)], letter_number=f"{complaint.reference}-Y01",
        acknowledged_by_name=None if state is R.sent else "郑刚",
        agency_case_number="沪公立〔2026〕1号" if case_opened else None,
        decline_reason="不符合立案标准。" if state in (R.declined, R.supervision_requested) else None,
        return_reason=ReturnReason.wrong_jurisdiction if state is R.returned else None,
        outcome={"result": "prosecuted"} if state is R.concluded else None,
    )
    db.session.add(referral)
    db.session.flush()
    return referral


def consultation_in(w, state) -> Consultation:
    complaint = complaint_in(w, S.accepted)
    minuted = state in (C.minuted, C.closed)
    consultation = Consultation(
        complaint=complaint, convened_by=w["users"][("centre", Role.clerk)], convener_org_id=w["orgs"]["centre"].id,
        state=state, questions=["是否构成商业秘密？"], opinion_due_at=utcnow() + dt.timedelta(days=7),
        minutes="会议纪要。" if minuted else None, conclusion="移送公安。" if minuted else None,
        invitations=[ConsultationInvitation(agency=w["orgs"]["police"])],
    )
    db.session.add(consultation)
    db.session.flush()
    return consultation


# The civil rows apply to a court's referral only: the route it is built with when that trigger is walked
# (a court referral always has one; the preservation rows need no particular one).
COURT_SHAPES = {
    "materials_complete": CivilRoute.file_suit,
    "mediation_succeeded": CivilRoute.pre_suit_mediation,
    "mediation_failed": CivilRoute.pre_suit_mediation,
    "apply_preservation": CivilRoute.file_suit,
    "rule_on_preservation": CivilRoute.file_suit,
}


def shape(kind, trigger) -> dict:
    """The builder's keywords for the entity a trigger is walked on."""
    return {"civil_route": COURT_SHAPES[trigger]} if kind == "referral" and trigger in COURT_SHAPES else {}


def pending_application(referral):
    """An application for preservation the court has not ruled on yet (recorded by one of the court's users)."""
    recorded_by = db.session.scalar(select(User.id).where(User.organisation_id == referral.agency_id).limit(1))
    db.session.add(PreservationApplication(referral_id=referral.id, kind=PreservationKind.evidence,
                                           note="申请证据保全。", recorded_by_id=recorded_by))
    db.session.flush()
    db.session.expire(referral, ["preservations"])


# What a row's guard needs of the entity, set when that trigger is walked: (kind, trigger) -> function.
# The enterprise's answer after acceptance needs an open request for supplements; the court's ruling on
# preservation needs an application waiting for it.
PREPARE = {
    ("complaint", "supply_info"): lambda entity: setattr(entity, "supplement_requested_at", utcnow()),
    ("referral", "rule_on_preservation"): pending_application,
}


def _pending(referral) -> bool:
    return db.session.scalar(select(func.count()).select_from(PreservationApplication).where(
        PreservationApplication.referral_id == referral.id, PreservationApplication.ruling.is_(None))) > 0


def shown(kind, row, entity) -> bool:
    """The table's state-only guards, as the test's world meets them (allowed_triggers hides a row they refuse)."""
    trigger, _sources, dest = row[0], row[1], row[2]
    if (kind, trigger, dest) == ("complaint", "supply_info", SAME):
        return entity.supplement_requested_at is not None
    if kind != "referral":
        return True
    court = entity.agency.kind is OrgKind.court
    route = entity.civil_route if court else None
    police_criminal = entity.agency.kind is OrgKind.public_security and entity.track is Track.criminal
    if trigger == "accept":  # a court registers a suit, not a dispute in pre-suit mediation
        return route is not CivilRoute.pre_suit_mediation
    if trigger == "materials_complete":
        return route is CivilRoute.file_suit
    if trigger in ("mediation_succeeded", "mediation_failed"):
        return route is CivilRoute.pre_suit_mediation
    if trigger == "apply_preservation":  # one application at a time waits for the ruling
        return court and not _pending(entity)
    if trigger == "rule_on_preservation":
        return court and _pending(entity)
    if trigger in ("transfer", "request_supervision"):  # the police's criminal referral (no approved 行刑衔接 here)
        return police_criminal
    return True


# --- firing through the services -------------------------------------------------------------------

def fire_complaint(actor, complaint, trigger, system=False):
    if system:
        return services.transition_complaint(complaint, trigger, actor, system=True)
    if trigger == "submit":
        return services.submit_complaint(actor, complaint)
    if trigger == "withdraw":
        return services.withdraw_complaint(actor, complaint, "不再需要。")
    if trigger == "supply_info":
        return services.supply_info(actor, complaint, "已补充材料。")
    if trigger in services.CLERK_TRIGGERS:
        return services.triage(actor, complaint, {
            "trigger": trigger, "message": "说明。", "due_date": dt.date.today() + dt.timedelta(days=14),
            "reason_code": RejectReason.not_trade_secret})
    return services.transition_complaint(complaint, trigger, actor, reason="说明。")


def referral_data(referral, trigger) -> dict:
    files = db.session.scalars(select(EvidenceFile.id).where(EvidenceFile.complaint_id == referral.complaint_id))
    return {
        "acknowledge": {"officer_name": "郑刚"},
        "accept": {"case_number": "沪公立〔2026〕2号"},
        "decline": {"reason": "不符合立案标准。"},
        "return": {"return_reason": ReturnReason.missing_material, "reason": "缺少材料。"},
        "conclude": {"outcome": {"result": "case_withdrawn", "summary": "撤销案件。"}},
        "transfer": {"reason": "不构成犯罪，转行政。"},
        "request_supervision": {"reason": "请求立案监督。"},
        "file_after_notice": {"case_number": "沪公立〔2026〕3号"},
        "supplement": {"evidence_ids": list(files), "reason": "补充证据。"},
        "materials_complete": {},
        "mediation_succeeded": {"case_number": "（2026）沪73民诉前调12号", "reason": "双方达成调解协议。"},
        "mediation_failed": {"reason": "被告拒绝调解。"},
        "apply_preservation": {"preservation_kind": PreservationKind.conduct, "reason": "请求责令停止使用。"},
        "rule_on_preservation": {"preservation_ruling": PreservationRuling.granted, "reason": "情况紧急。"},
    }.get(trigger, {})


def fire_referral(actor, referral, trigger, system=False):
    if system:
        return effects.run(referral_machine, referral, trigger, actor, reason="说明。", system=True)
    return services.transition_referral(actor, referral, {"trigger": trigger, **referral_data(referral, trigger)})


def fire_consultation(actor, consultation, trigger, system=False):
    if system:
        return effects.run(consultation_machine, consultation, trigger, actor, reason="说明。", system=True)
    return services.transition_consultation(actor, consultation, {
        "trigger": trigger, "minutes": "会议纪要。", "conclusion": "移送公安。", "referrals": []})


KINDS = {
    "complaint": (Complaint, complaint_in, fire_complaint, lambda e: e.id, {}),
    "referral": (Referral, referral_in, fire_referral, lambda e: e.complaint_id, "referral_id"),
    "consultation": (Consultation, consultation_in, fire_consultation, lambda e: e.complaint_id, "consultation_id"),
}


def observe(kind, entity_id):
    """(state, version, timeline rows of the complaint), read afresh."""
    model, _build, _fire, complaint_of, _link = KINDS[kind]
    db.session.expire_all()
    entity = db.session.get(model, entity_id)
    events = db.session.scalar(select(func.count()).select_from(ComplaintEvent)
                               .where(ComplaintEvent.complaint_id == complaint_of(entity)))
    return entity.state, entity.version, events


def permitted(kind, row, actor_key, w) -> bool:
    """The table's answer: may this user (organisation key, role) fire this row?"""
    _trigger, _sources, _dest, roles, org = row
    if org == "system":
        return False
    return actor_key[1].value in roles and actor_key[0] == org_keys(kind, org, w)[0]


def expected_allowed(kind, state, actor_key, w, entity) -> list[str]:
    table = MACHINES[kind][2]
    return sorted({row[0] for row in table if state in row[1] and permitted(kind, row, actor_key, w)
                   and shown(kind, row, entity)})


def assert_refused(kind, entity_id, trigger, actor, wanted_allowed, system=False):
    model, _build, fire, _complaint_of, _link = KINDS[kind]
    machine = MACHINES[kind][0]
    before = observe(kind, entity_id)
    entity = db.session.get(model, entity_id)
    label = (kind, before[0].value, trigger, actor.organisation.name, actor.role.value)
    assert sorted(machine.allowed_triggers(entity, actor)) == wanted_allowed, label
    with pytest.raises(Conflict) as refused:
        fire(actor, entity, trigger, system=system)
    assert refused.value.status == 409, label
    assert sorted(refused.value.extra["allowed_triggers"]) == wanted_allowed, label
    assert refused.value.extra["state"] == before[0].value, label
    db.session.rollback()
    assert observe(kind, entity_id) == before, label


def assert_fires(kind, entity_id, trigger, actor, dest, system=False):
    model, _build, fire, complaint_of, link = KINDS[kind]
    state, version, events = observe(kind, entity_id)
    entity = db.session.get(model, entity_id)
    fire(actor, entity, trigger, system=system)
    db.session.commit()
    after_state, after_version, after_events = observe(kind, entity_id)
    dest = state if dest == SAME else dest
    assert after_state == dest and after_version > version, (kind, state, trigger)
    assert after_events > events
    entity = db.session.get(model, entity_id)
    conditions = [getattr(ComplaintEvent, link) == entity_id] if link else \
        [ComplaintEvent.referral_id.is_(None), ComplaintEvent.consultation_id.is_(None)]
    rows = db.session.scalars(select(ComplaintEvent).where(
        ComplaintEvent.complaint_id == complaint_of(entity), ComplaintEvent.trigger == trigger, *conditions)).all()
    assert [(r.kind, r.from_state, r.to_state) for r in rows] == [
        (MACHINES[kind][0].event_kind, state.value, dest.value)], (kind, state, trigger)
    assert (rows[0].actor_id, rows[0].organisation_id) == (actor.id, actor.organisation_id)


def walk(app, kind, state, trigger):
    model, build, _fire, _complaint_of, _link = KINDS[kind]
    table = MACHINES[kind][2]
    row = row_for(table, trigger, state)
    with app.app_context():
        w = build_world()
        entity = build(w, state, **shape(kind, trigger))
        if (kind, trigger) in PREPARE:
            PREPARE[(kind, trigger)](entity)
        entity_id = entity.id
        db.session.commit()
        entity = db.session.get(model, entity_id)
        # the users of the organisations this trigger's rows name: every role, right and wrong organisation
        orgs = {key for r in table if r[0] == trigger and r[4] != "system" for key in org_keys(kind, r[4], w)}
        orgs = orgs or {key for org in ORGANISATIONS[kind] for key in org_keys(kind, org, w)}  # system: everybody
        actors = sorted((key for key in w["users"] if key[0] in orgs), key=lambda k: (k[0], k[1].value))
        wanted = {key: expected_allowed(kind, state, key, w, entity) for key in actors}
        right = [key for key in actors if row is not None and permitted(kind, row, key, w)]
        for key in actors:
            assert (trigger in wanted[key]) == (key in right and shown(kind, row, entity)), (key, wanted[key])
            if key not in right:
                assert_refused(kind, entity_id, trigger, w["users"][key], wanted[key])
        if row is not None and row[4] == "system":
            assert_fires(kind, entity_id, trigger, w["users"][actors[0]], row[2], system=True)
        elif row is None and any(r[0] == trigger and r[4] == "system" for r in table):
            assert_refused(kind, entity_id, trigger, w["users"][actors[0]], wanted[actors[0]], system=True)
        elif right:
            assert_fires(kind, entity_id, trigger, w["users"][right[0]], row[2])


def pairs(kind):
    _machine, states, table = MACHINES[kind]
    triggers = sorted({row[0] for row in table})
    return [pytest.param(state, trigger, id=f"{state.value}-{trigger}") for state in states for trigger in triggers]


@pytest.mark.parametrize("state, trigger", pairs("complaint"))
def test_complaint_transition_table(app, state, trigger):
    walk(app, "complaint", state, trigger)


@pytest.mark.parametrize("state, trigger", pairs("referral"))
def test_referral_transition_table(app, state, trigger):
    walk(app, "referral", state, trigger)


@pytest.mark.parametrize("state, trigger", pairs("consultation"))
def test_consultation_transition_table(app, state, trigger):
    walk(app, "consultation", state, trigger)


def test_every_right_role_may_fire_a_row_with_several():
    """Rows open to several roles (an agency's officer and head, a convening clerk or supervisor) show
    the trigger to each of them."""
    for name, (machine, _states, table) in MACHINES.items():
        for trigger, sources, _dest, roles, org in table:
            if org != "system":
                rule = machine.rule_for(trigger, sources[0])
                assert {r.value for r in rule.roles} == set(roles), (name, trigger)


def test_loading_rows_gives_them_no_machine_of_their_own(app):
    """The one Machine per class is shared: a row carries no per-row machine or bound triggers."""
    with app.app_context():
        w = build_world()
        complaint = complaint_in(w, S.submitted)
        db.session.commit()
        loaded = db.session.get(Complaint, complaint.id)
        assert not hasattr(loaded, "claim") and not hasattr(loaded, "trigger")
        assert complaint_machine.allowed_triggers(loaded, w["users"][("centre", Role.clerk)]) == ["claim"]
        assert complaint_machine.allowed_triggers(loaded, w["users"][("enterprise", Role.enterprise_user)]) == ["withdraw"]


# what a court's officer is offered on an acknowledged civil referral, by route and whether an application
# for preservation waits for a ruling (the guards registrable, suit_route, mediation_route and the preservation ones)
COURT_OFFERS = {
    (CivilRoute.file_suit, False): ["accept", "apply_preservation", "decline", "materials_complete", "return"],
    (CivilRoute.file_suit, True): ["accept", "decline", "materials_complete", "return", "rule_on_preservation"],
    (CivilRoute.pre_suit_mediation, False): ["apply_preservation", "decline", "mediation_failed",
                                             "mediation_succeeded", "return"],
    (CivilRoute.pre_suit_mediation, True): ["decline", "mediation_failed", "mediation_succeeded", "return",
                                            "rule_on_preservation"],
}


@pytest.mark.parametrize("route, pending", list(COURT_OFFERS), ids=lambda v: getattr(v, "value", str(v)))
def test_a_courts_referral_offers_exactly_the_rows_its_route_admits_and_refuses_the_others(app, route, pending):
    """A court's referral in pre-suit mediation is not registered (accept) and has no suit's materials; one
    guiding the enterprise to file suit has no mediation to record; one application for preservation waits at a
    time. The rows the guards refuse are hidden and, fired anyway, refused on the trigger with nothing changed."""
    with app.app_context():
        w = build_world()
        referral = referral_in(w, R.acknowledged, civil_route=route)
        if pending:
            pending_application(referral)
        referral_id = referral.id
        db.session.commit()
        key = ("court", Role.agency_officer)
        officer = w["users"][key]
        referral = db.session.get(Referral, referral_id)
        rows = [row for row in REFERRAL_TABLE if R.acknowledged in row[1] and permitted("referral", row, key, w)]
        assert sorted(referral_machine.allowed_triggers(referral, officer)) == COURT_OFFERS[(route, pending)]
        assert sorted(row[0] for row in rows if shown("referral", row, referral)) == COURT_OFFERS[(route, pending)]
        for trigger in sorted({row[0] for row in rows} - set(COURT_OFFERS[(route, pending)])):
            before = observe("referral", referral_id)
            with pytest.raises(ValidationFailed) as refused:
                fire_referral(officer, db.session.get(Referral, referral_id), trigger)
            assert list(refused.value.errors) == ["trigger"], (trigger, refused.value.errors)
            db.session.rollback()
            assert observe("referral", referral_id) == before, trigger
