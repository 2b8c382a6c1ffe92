"""Helpers of the routing tests: EXAMPLES.md's complaints, the clerk's and the agencies' steps, snapshots."""
import copy
import itertools
import datetime as dt

from sqlalchemy import func, select

from tests.conftest import COMPLETE_DRAFT
from tests.evidence.support import pdf_bytes, upload
from tests.paging import every

# EXAMPLES.md, case 1: source code taken to a competitor (criminal + civil).
SOURCE_CODE = COMPLETE_DRAFT

# EXAMPLES.md, case 2: a customer list taken by a sales manager (administrative only).
CUSTOMER_LIST = {
    "secret_category": "business",
    "secret_description": "约400家餐饮客户的名单，含采购记录、价格和联系人。",
    "confidentiality_measures": "CRM按角色授权；劳动合同保密条款；未经审批不得导出。",
    "commercial_value": "反映每个客户的毛利水平。",
    "infringers": [{"kind": "former_employee", "name": "赵某", "district": "putuo"},
                   {"kind": "competitor", "name": "上海鲜达供应链管理有限公司", "credit_code": "91310107MA1G8B0KLP",
                    "district": "putuo"}],
    "infringing_acts": ["breach_of_confidentiality_duty", "disclosure_or_use_of_improperly_acquired"],
    "discovered_on": "2026-10-20",
    "estimated_loss": "180000.00",
    "remedies": ["administrative_investigation", "guidance_only"],
    "preferred_tracks": ["administrative"],
    "facts": "赵某辞职前一周从CRM导出客户名单；客户反映新公司以低5%的价格提供相同产品。",
}

# EXAMPLES.md, case 3: a partner files a patent on the disclosed process (consultation).
PATENT_APPLICATION = {
    "secret_category": "technical",
    "secret_description": "在保密协议下于联合开发洽谈中披露的涂层工艺。",
    "confidentiality_measures": "洽谈前签署保密协议；资料限定接收人。",
    "commercial_value": "许可价值约250万元。",
    "infringers": [{"kind": "business_partner", "name": "江苏某材料公司", "penalty_decision_number": "苏市监处〔2025〕18号",
                    "penalty_authority": "江苏省市场监督管理局", "penalty_decided_on": "2025-03-10"}],
    "infringing_acts": ["breach_of_confidentiality_duty", "patent_application"],
    "discovered_on": "2026-08-01",
    "estimated_loss": "2500000.00",
    "remedies": ["criminal_investigation", "civil_damages"],
    "preferred_tracks": ["centre_decides"],
    "facts": "洽谈结束四个月后，对方提交了描述该工艺的专利申请。",
}

DUE_DATE = (dt.date.today() + dt.timedelta(days=14)).isoformat()


def example(base, **changes) -> dict:
    data = copy.deepcopy(base)
    data.update(changes)
    return data


# --- the enterprise --------------------------------------------------------------------------------

def submit(world, data=None, who="enterprise", files=1) -> dict:
    """A complaint drafted, with ``files`` PDF exhibits, and submitted by the enterprise ``who``."""
    api = world.api(who)
    draft = api.post("/api/v1/complaints", json=copy.deepcopy(data or SOURCE_CODE))
    assert draft.status_code == 201, draft.get_json()
    complaint_id = draft.get_json()["id"]
    if files:
        exhibits = [(pdf_bytes(f"exhibit {i}".encode()), f"exhibit-{i}.pdf") for i in range(files)]
        response = upload(api, complaint_id, *exhibits)
        assert response.status_code == 201, response.get_json()
    response = api.post(f"/api/v1/complaints/{complaint_id}/submit")
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def complaint_transition(api, complaint_id, trigger, headers=None, **body):
    return api.post(f"/api/v1/complaints/{complaint_id}/transitions", json={"trigger": trigger, **body},
                    headers=headers)


def ok(response, status=200):
    assert response.status_code == status, (response.status_code, response.get_json())
    return response.get_json()


def accepted(world, data=None, who="enterprise", clerk="clerk", files=1) -> dict:
    """A complaint submitted, claimed and accepted by the centre."""
    complaint = submit(world, data, who, files)
    api = world.api(clerk)
    ok(complaint_transition(api, complaint["id"], "claim"))
    return ok(complaint_transition(api, complaint["id"], "accept", message="受理。"))


def evidence_ids(world, complaint_id, who="clerk") -> list[str]:
    return [e["id"] for e in every(world.api(who), f"/api/v1/complaints/{complaint_id}/evidence")]


def item(world, agency, track, evidence=(), message=None, civil_route="file_suit") -> dict:
    """One referral of a create-referrals body; a court's has a civil route (file_suit unless told otherwise;
    None leaves it out)."""
    body = {"agency_id": world.org(agency), "track": track, "evidence_ids": list(evidence)}
    if agency == "court" and civil_route is not None:
        body["civil_route"] = civil_route
    if message:
        body["message"] = message
    return body


def create_referrals(world, complaint_id, *items, who="clerk", headers=None, **body):
    return world.api(who).post(f"/api/v1/complaints/{complaint_id}/referrals",
                               json={"referrals": list(items), **body}, headers=headers)


def refer(world, complaint_id, agency, track, evidence=(), who="clerk") -> dict:
    """One referral, created (201) by the clerk."""
    return ok(create_referrals(world, complaint_id, item(world, agency, track, evidence), who=who), 201)[0]


def referral_transition(api, referral_id, trigger, headers=None, **body):
    return api.post(f"/api/v1/referrals/{referral_id}/transitions", json={"trigger": trigger, **body},
                    headers=headers)


def acknowledge_and_accept(world, referral_id, officer, case_number="沪立〔2026〕1号") -> dict:
    api = world.api(officer)
    ok(referral_transition(api, referral_id, "acknowledge", officer_name="郑刚"))
    return ok(referral_transition(api, referral_id, "accept", case_number=case_number))


def step(api, referral_id, name, reason=None):
    body = {"step": name, **({"reason": reason} if reason is not None else {})}
    return api.post(f"/api/v1/referrals/{referral_id}/steps", json=body)


def approve_transfer(world, referral_id, officer="amr_city", head="amr_city_head") -> dict:
    """Order 310: the officer proposes the transfer to the police (T1), the agency head approves (T2 runs)."""
    ok(step(world.api(officer), referral_id, "report_suspected_crime", "查明违法所得逾50万元，涉嫌犯罪。"))
    return ok(step(world.api(head), referral_id, "approve_transfer"))


def complaint_state(world, complaint_id, who="clerk") -> str:
    return ok(world.api(who).get(f"/api/v1/complaints/{complaint_id}"))["state"]


# --- the database ----------------------------------------------------------------------------------

def snapshot(app, complaint_id) -> dict:
    """Everything a refused request must leave as it was: states, versions and counts of rows."""
    from core.extensions import db
    from intake.models import Complaint, ComplaintEvent
    from routing.models import Consultation, ConsultationInvitation, Referral, ReferralEvidence, ReferralNote

    with app.app_context():
        complaint = db.session.get(Complaint, _uuid(complaint_id))
        referrals = db.session.execute(select(Referral).where(Referral.complaint_id == complaint.id)
                                       .order_by(Referral.letter_number)).scalars().all()
        consultations = db.session.scalars(select(Consultation).where(Consultation.complaint_id == complaint.id)
                                           .order_by(Consultation.created_at)).all()

        def count(model, *conditions):
            return db.session.scalar(select(func.count()).select_from(model).where(*conditions))

        return {
            "state": complaint.state.value,
            "version": complaint.version,
            "events": count(ComplaintEvent, ComplaintEvent.complaint_id == complaint.id),
            "referrals": [(r.letter_number, r.state.value, r.version, r.agency_case_number, r.outcome)
                          for r in referrals],
            "referral_rows": count(Referral),
            "shared": count(ReferralEvidence),
            "notes": count(ReferralNote),
            "consultations": [(c.state.value, c.version, c.minutes, c.conclusion,
                               [i.opinion for i in c.invitations]) for c in consultations],
            "invitations": count(ConsultationInvitation),
        }


def _uuid(value):
    import uuid

    return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))


_credit_codes = itertools.count(2_000_000)


def insert_complaints(app, world, n, state="accepted", enterprises=1, infringers=2) -> list[str]:
    """``n`` complete complaints of the world's centre, written directly in the given state (fast set-up
    for the concurrency and query-count tests), spread over ``enterprises`` new enterprises."""
    import decimal
    import uuid

    from accounts.enums import District, OrgKind
    from accounts.models import Organisation, User
    from core.extensions import db
    from core.models import utcnow
    from intake.enums import ComplaintState, InfringerKind, SecretCategory
    from intake.models import Complaint, Infringer
    from tests.conftest import make_credit_code

    with app.app_context():
        creator = db.session.get(User, world.users["enterprise"]["id"])
        orgs = []
        for _ in range(enterprises):
            n_code = next(_credit_codes)
            orgs.append(Organisation(name=f"企业{n_code}", kind=OrgKind.enterprise, district=District.jingan,
                                     credit_code=make_credit_code(n_code)))
        db.session.add_all(orgs)
        ids = []
        for i in range(n):
            complaint = Complaint(
                enterprise=orgs[i % enterprises], created_by=creator, state=ComplaintState(state),
                reference=f"T-{uuid.uuid4().hex[:16]}", submitted_at=utcnow(), centre_id=uuid.UUID(world.org("centre")),
                contact_name="王敏", contact_phone="13800000001", contact_email="legal@example.com",
                secret_category=SecretCategory.technical, secret_description="源代码。", confidentiality_measures="保密协议。",
                commercial_value="高。", facts="复制代码。", discovered_on=utcnow().date(),
                estimated_loss=decimal.Decimal("1200000.00"), infringing_acts=["electronic_intrusion"],
                remedies=["criminal_investigation"], preferred_tracks=["criminal"],
                infringers=[Infringer(position=k, kind=InfringerKind.former_employee, name=f"侵权人{i}-{k}",
                                      district=District.pudong) for k in range(infringers)],
            )
            db.session.add(complaint)
            db.session.flush()
            ids.append(str(complaint.id))
        db.session.commit()
        return ids


def refused(app, api, complaint_id, referral_id, trigger, status, field=None, **body):
    """The trigger answers ``status`` (naming ``field`` for a 422) and changes nothing."""
    before = snapshot(app, complaint_id)
    response = referral_transition(api, referral_id, trigger, **body)
    assert response.status_code == status, response.get_json()
    if field:
        assert field in response.get_json()["errors"], response.get_json()
    assert snapshot(app, complaint_id) == before
    return response.get_json()
