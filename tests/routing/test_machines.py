"""The transition tables as data: every (state, trigger) pair of every machine, on real rows.

Each case builds the entity directly in the database in the given state, then fires the trigger
through routing's services as the wrong role (of the right organisation), as the right role of
the wrong organisation, and as the right actor. A refused trigger raises Conflict carrying the
triggers this actor may fire, and leaves state, version and timeline as they were; an allowed one
moves to the table's destination, bumps the version and writes its timeline row.

The expected tables below are the specification (DESIGN.md, issue 3), written out by hand: a change
to routing/machines.py must be mirrored here on purpose.
"""
import datetime as dt
import decimal
import itertools
import uuid

import pytest
from sqlalchemy import func, select

from accounts.enums import AGENCY_ROLES, District, OrgKind, Role
from accounts.models import Organisation, User
from core.errors import Conflict
from core.extensions import db
from core.models import utcnow
from intake.enums import ComplaintState as S, InfringerKind, SecretCategory, Track
from intake.models import Complaint, ComplaintEvent, Infringer
from routing import services
from routing.enums import ConsultationState as C, ReferralState as R, RejectReason, ReturnReason
from routing.machines import (COMPLAINT_RULES, CONSULTATION_RULES, REFERRAL_RULES, complaint_machine,
                              consultation_machine, referral_machine)
from routing.models import Consultation, ConsultationInvitation, Referral
from routing.schemas import CLERK_TRIGGERS
from tests.conftest import make_credit_code

OPEN = (S.submitted, S.triaging, S.awaiting_info, S.accepted, S.referred, S.in_progress)

# trigger: (sources, destination, who may fire it)
COMPLAINT_TABLE = {
    "submit": ((S.draft,), S.submitted, "enterprise"),
    "claim": ((S.submitted,), S.triaging, "centre"),
    "request_info": ((S.triaging,), S.awaiting_info, "centre"),
    "supply_info": ((S.awaiting_info,), S.triaging, "enterprise"),
    "accept": ((S.triaging,), S.accepted, "centre"),
    "reject": ((S.triaging,), S.rejected, "centre"),
    "refer": ((S.accepted, S.concluded), S.referred, "system"),  # concluded: filing supervision
    "start": ((S.referred,), S.in_progress, "system"),
    "conclude": ((S.referred, S.in_progress), S.concluded, "system"),
    "reopen": ((S.referred, S.in_progress), S.accepted, "system"),
    "close": ((S.concluded, S.rejected), S.closed, "centre"),
    "withdraw": (OPEN, S.withdrawn, "enterprise"),
}
REFERRAL_TABLE = {
    "acknowledge": ((R.sent,), R.acknowledged, "agency"),
    "accept": ((R.acknowledged,), R.accepted, "agency"),
    "decline": ((R.acknowledged,), R.declined, "agency"),
    "return": ((R.sent, R.acknowledged), R.returned, "agency"),
    "conclude": ((R.accepted,), R.concluded, "agency"),
    "transfer": ((R.accepted,), R.transferred, "agency"),
    "request_supervision": ((R.declined,), R.supervision_requested, "centre"),
    "file_after_notice": ((R.supervision_requested,), R.accepted, "agency"),
}
CONSULTATION_TABLE = {
    "request_opinions": ((C.convened,), C.opinions_due, "convener"),
    "record_minutes": ((C.convened, C.opinions_due), C.minuted, "convener"),
    "close": ((C.minuted,), C.closed, "convener"),
}

# who -> (right actor, right organisation but wrong role, right role but wrong organisation)
ACTORS = {
    "enterprise": ("enterprise_user", "enterprise_clerk", "other_enterprise_user"),
    "centre": ("clerk", "centre_admin", "other_clerk"),
    "system": ("clerk", "centre_admin", "other_clerk"),
    "agency": ("police_officer", "police_clerk", "other_police_officer"),
    "convener": ("clerk", "centre_admin", "other_clerk"),
}


def pairs(states, table):
    return [pytest.param(state, trigger, id=f"{state.value}-{trigger}") for state in states for trigger in table]


def expected_allowed(table, state, actor_key):
    """What the specification lets this actor fire in this state (nobody fires a system trigger)."""
    return sorted(t for t, (sources, _dest, who) in table.items()
                  if state in sources and who != "system" and ACTORS[who][0] == actor_key)


def test_the_machines_hold_exactly_the_specified_tables():
    for rules, table in ((COMPLAINT_RULES, COMPLAINT_TABLE), (REFERRAL_RULES, REFERRAL_TABLE),
                         (CONSULTATION_RULES, CONSULTATION_TABLE)):
        actual = {r.trigger: (frozenset(r.sources), r.dest, r.org) for r in rules}
        assert len(actual) == len(rules)  # one rule per trigger
        assert actual == {t: (frozenset(s), d, w) for t, (s, d, w) in table.items()}
    for machine, states in ((complaint_machine, S), (referral_machine, R), (consultation_machine, C)):
        assert set(machine.states) == set(states)
        mermaid = machine.mermaid()
        assert mermaid.startswith("stateDiagram-v2")
        for rule in machine.rules:
            for source in rule.sources:
                assert f"{source.value} --> {rule.dest.value}: {rule.trigger}" in mermaid


def test_who_may_fire_each_rule():
    enterprise, clerk, agency = {Role.enterprise_user}, {Role.clerk}, set(AGENCY_ROLES)
    assert Role.agency_officer in agency
    roles = {("complaint", r.trigger): set(r.roles) for r in COMPLAINT_RULES}
    roles |= {("referral", r.trigger): set(r.roles) for r in REFERRAL_RULES}
    roles |= {("consultation", r.trigger): set(r.roles) for r in CONSULTATION_RULES}
    for trigger, (_sources, _dest, who) in COMPLAINT_TABLE.items():
        assert roles[("complaint", trigger)] == {"enterprise": enterprise, "centre": clerk, "system": set()}[who]
    for trigger, (_sources, _dest, who) in REFERRAL_TABLE.items():
        assert roles[("referral", trigger)] == {"agency": agency, "centre": clerk}[who]
    for trigger in CONSULTATION_TABLE:
        assert roles[("consultation", trigger)] == {Role.clerk, Role.supervisor}


# --- rows built directly in the database -----------------------------------------------------------

_numbers = itertools.count(1)


def _org(kind, district="municipal"):
    n = next(_numbers)
    org = Organisation(name=f"{kind}-{n}", kind=OrgKind(kind), district=District(district),
                       credit_code=make_credit_code(5_000_000 + n) if kind == "enterprise" else None)
    db.session.add(org)
    return org


def _user(org, role):
    user = User(organisation=org, email=f"{role}-{uuid.uuid4().hex[:12]}@walk.example", name=f"{role} 用户",
                role=Role(role), password_hash="not-a-password")
    db.session.add(user)
    return user


def build_world() -> dict:
    """The organisations and users of one case; the 'wrong role' users are inserted directly."""
    enterprise, other_enterprise = _org("enterprise", "pudong"), _org("enterprise", "pudong")
    centre, other_centre = _org("rights_center"), _org("rights_center", "xuhui")
    police, other_police = _org("public_security"), _org("public_security", "pudong")
    _org("market_regulation"), _org("procuratorate")  # targets of transfers and filing supervision
    users = {
        "enterprise_user": _user(enterprise, "enterprise_user"),
        "enterprise_clerk": _user(enterprise, "clerk"),
        "other_enterprise_user": _user(other_enterprise, "enterprise_user"),
        "clerk": _user(centre, "clerk"),
        "centre_admin": _user(centre, "admin"),
        "other_clerk": _user(other_centre, "clerk"),
        "police_officer": _user(police, "agency_officer"),
        "police_clerk": _user(police, "clerk"),
        "other_police_officer": _user(other_police, "agency_officer"),
    }
    db.session.flush()
    return {"enterprise": enterprise, "centre": centre, "police": police, **users}


def complaint_in(w, state) -> Complaint:
    submitted = state is not S.draft
    complaint = Complaint(
        enterprise=w["enterprise"], created_by=w["enterprise_user"], state=state,
        reference=f"W-{uuid.uuid4().hex[:16]}" if submitted else None,
        submitted_at=utcnow() if submitted else None, centre=w["centre"] if submitted else None,
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


def referral_in(w, state) -> Referral:
    """A criminal referral to public security (the one shape every referral trigger applies to)."""
    complaint = complaint_in(w, S.in_progress if state in (R.accepted, R.concluded, R.transferred) else S.referred)
    referral = Referral(
        complaint=complaint, agency=w["police"], track=Track.criminal, state=state, sent_by=w["clerk"],
        letter_number=f"{complaint.reference}-Y01",
        acknowledged_by_name=None if state is R.sent else "郑刚",
        agency_case_number="沪公立〔2026〕1号" if state in (R.accepted, R.concluded, R.transferred) else None,
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
        complaint=complaint, convened_by=w["clerk"], convener_org_id=w["centre"].id, state=state,
        questions=["是否构成商业秘密？"], opinion_due_at=utcnow() + dt.timedelta(days=7),
        minutes="会议纪要。" if minuted else None, conclusion="移送公安。" if minuted else None,
        invitations=[ConsultationInvitation(agency=w["police"])],
    )
    db.session.add(consultation)
    db.session.flush()
    return consultation


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
    if trigger in CLERK_TRIGGERS:
        return services.triage(actor, complaint, {
            "trigger": trigger, "message": "说明。", "due_date": dt.date(2026, 12, 1),
            "reason_code": RejectReason.not_trade_secret})
    return services.transition_complaint(complaint, trigger, actor, reason="说明。")


REFERRAL_DATA = {
    "acknowledge": {"officer_name": "郑刚"},
    "accept": {"case_number": "沪公立〔2026〕2号"},
    "decline": {"reason": "不符合立案标准。"},
    "return": {"return_reason": ReturnReason.missing_material, "reason": "缺少材料。"},
    "conclude": {"outcome": {"result": "prosecuted", "summary": "移送起诉。"}},
    "transfer": {"reason": "不构成犯罪，转行政。"},
    "request_supervision": {"reason": "请求立案监督。"},
    "file_after_notice": {"case_number": "沪公立〔2026〕3号"},
}


def fire_referral(actor, referral, trigger):
    return services.transition_referral(actor, referral, {"trigger": trigger, **REFERRAL_DATA[trigger]})


def fire_consultation(actor, consultation, trigger):
    return services.transition_consultation(actor, consultation, {
        "trigger": trigger, "minutes": "会议纪要。", "conclusion": "移送公安。", "referrals": []})


KINDS = {
    "complaint": (Complaint, complaint_machine, fire_complaint, COMPLAINT_TABLE, lambda e: e.id),
    "referral": (Referral, referral_machine, fire_referral, REFERRAL_TABLE, lambda e: e.complaint_id),
    "consultation": (Consultation, consultation_machine, fire_consultation, CONSULTATION_TABLE,
                     lambda e: e.complaint_id),
}


def observe(app, kind, entity_id):
    """(state, version, timeline rows of the complaint), read in a fresh session."""
    model, _machine, _fire, _table, complaint_of = KINDS[kind]
    with app.app_context():
        entity = db.session.get(model, entity_id)
        events = db.session.scalar(select(func.count()).select_from(ComplaintEvent)
                                   .where(ComplaintEvent.complaint_id == complaint_of(entity)))
        return entity.state, entity.version, events


def assert_refused(app, kind, entity_id, trigger, actor_id, **fire_kw):
    model, machine, fire, table, _complaint_of = KINDS[kind]
    before = observe(app, kind, entity_id)
    with app.app_context():
        entity, actor = db.session.get(model, entity_id), db.session.get(User, actor_id)
        key = actor.email  # for the messages
        allowed = machine.allowed_triggers(entity, actor)
        assert trigger not in allowed, (key, allowed)
        with pytest.raises(Conflict) as refused:
            fire(actor, entity, trigger, **fire_kw)
        assert refused.value.status == 409
        assert sorted(refused.value.extra["allowed_triggers"]) == sorted(allowed)
        assert refused.value.extra["state"] == before[0].value
        db.session.rollback()
    assert observe(app, kind, entity_id) == before
    return allowed


def assert_fires(app, kind, entity_id, trigger, actor_id, **fire_kw):
    model, machine, fire, table, complaint_of = KINDS[kind]
    state, version, events = observe(app, kind, entity_id)
    dest = table[trigger][1]
    with app.app_context():
        entity, actor = db.session.get(model, entity_id), db.session.get(User, actor_id)
        if not fire_kw:
            assert trigger in machine.allowed_triggers(entity, actor)
        fire(actor, entity, trigger, **fire_kw)
        db.session.commit()
    after_state, after_version, after_events = observe(app, kind, entity_id)
    assert after_state == dest and after_version > version
    assert after_events > events
    with app.app_context():
        entity = db.session.get(model, entity_id)
        link = {"complaint": {}, "referral": {"referral_id": entity_id},
                "consultation": {"consultation_id": entity_id}}[kind]
        rows = db.session.scalars(select(ComplaintEvent).where(
            ComplaintEvent.complaint_id == complaint_of(entity), ComplaintEvent.trigger == trigger,
            *[getattr(ComplaintEvent, k) == v for k, v in link.items()])).all()
        assert [(r.from_state, r.to_state) for r in rows] == [(state.value, dest.value)]
        actor = db.session.get(User, actor_id)
        assert (rows[0].actor_id, rows[0].organisation_id) == (actor.id, actor.organisation_id)


def walk(app, kind, state, trigger, build):
    _model, _machine, _fire, table, _complaint_of = KINDS[kind]
    sources, _dest, who = table[trigger]
    with app.app_context():
        w = build_world()
        entity = build(w, state)
        actors = {key: w[key].id for key in ("enterprise_user", "enterprise_clerk", "other_enterprise_user", "clerk",
                                             "centre_admin", "other_clerk", "police_officer", "police_clerk",
                                             "other_police_officer")}
        entity_id = entity.id
        db.session.commit()
    right, wrong_role, wrong_org = ACTORS[who]
    for key in (wrong_role, wrong_org):
        assert assert_refused(app, kind, entity_id, trigger, actors[key]) == []
    if who == "system" or state not in sources:
        allowed = assert_refused(app, kind, entity_id, trigger, actors[right])
        assert sorted(allowed) == expected_allowed(table, state, right)
    else:
        with app.app_context():
            entity, actor = db.session.get(KINDS[kind][0], entity_id), db.session.get(User, actors[right])
            assert sorted(KINDS[kind][1].allowed_triggers(entity, actor)) == expected_allowed(table, state, right)
        assert_fires(app, kind, entity_id, trigger, actors[right])
    if who == "system":  # only routing's own follow-up moves it, and only from the table's sources
        if state in sources:
            assert_fires(app, kind, entity_id, trigger, actors[right], system=True)
        else:
            assert_refused(app, kind, entity_id, trigger, actors[right], system=True)


@pytest.mark.parametrize("state, trigger", pairs(S, COMPLAINT_TABLE))
def test_complaint_transition_table(app, state, trigger):
    walk(app, "complaint", state, trigger, complaint_in)


@pytest.mark.parametrize("state, trigger", pairs(R, REFERRAL_TABLE))
def test_referral_transition_table(app, state, trigger):
    walk(app, "referral", state, trigger, referral_in)


@pytest.mark.parametrize("state, trigger", pairs(C, CONSULTATION_TABLE))
def test_consultation_transition_table(app, state, trigger):
    walk(app, "consultation", state, trigger, consultation_in)


def test_loading_rows_gives_them_no_machine_of_their_own(app):
    """The one Machine per class is shared: a row carries no per-row machine or bound triggers."""
    with app.app_context():
        w = build_world()
        complaint = complaint_in(w, S.submitted)
        db.session.commit()
        loaded = db.session.get(Complaint, complaint.id)
        assert not hasattr(loaded, "claim") and not hasattr(loaded, "trigger")
        assert complaint_machine.allowed_triggers(loaded, w["clerk"]) == ["claim"]
        assert complaint_machine.allowed_triggers(loaded, w["enterprise_user"]) == ["withdraw"]
