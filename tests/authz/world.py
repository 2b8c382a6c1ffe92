"""The world of the authorization matrix: every relation of docs/AUTHORIZATION.md, built once per database.

Organisations and users are routing's small Shanghai (tests/routing/conftest.py) plus an agency head;
the objects are made through the API, as the users would make them:

- complaint ``c1`` of ``enterprise`` at ``centre`` (with an exhibit), supervised as a key case, with
  - ``r_police``: referred to ``police``, declined, under filing supervision by ``procuratorate`` (``r_proc``);
  - ``r_amr``: referred to ``amr_city``, opened, its transfer to the police proposed by the officer and
    approved by the agency ``head`` (Order 310), transferred to ``police_pudong`` (``r_transfer``);
  - a consultation ``cons`` convened by the centre with ``police`` and ``amr_city`` invited;
- complaint ``c2`` of ``other_enterprise`` at ``other_centre``, referred to ``amr_putuo`` (``r_other``);
- a draft ``draft`` of ``enterprise``; notifications; a webhook, a dead delivery, an API key.
"""
import io
import itertools
import uuid

from sqlalchemy import select

from tests.accounts.web import web_login
from tests.conftest import ApiClient
from tests.evidence.support import pdf_bytes
from tests.routing.conftest import USERS, World, make_people
from tests.routing.support import (SOURCE_CODE, accepted, approve_transfer, evidence_ids, ok, refer,
                                   referral_transition)

# the agency head of ``amr_city`` is the matrix's ``head`` (routing's tests call it ``amr_city_head``)
AUTHZ_USERS = {**{k: v for k, v in USERS.items() if k != "amr_city_head"}, "head": ("agency_head", "amr_city")}

INSTRUCTIONS = "督办指示：请十日内查明并报告。MATRIX-SECRET-INSTRUCTIONS"
REPORT = "督办报告：已受理立案监督。MATRIX-SECRET-REPORT"
POLICE_INTERNAL = "公安内部笔记 MATRIX-SECRET-POLICE-NOTE"
PROCURATORATE_INTERNAL = "检察内部笔记 MATRIX-SECRET-PROCURATORATE-NOTE"
OPINION = "书面意见 MATRIX-SECRET-OPINION"
EXPERT_OPINION = "专家意见 MATRIX-SECRET-EXPERT-OPINION"


_addresses = itertools.count(1)


def sign_in(client, user):
    """Through the login form, each sign-in from its own address (the throttle counts per address too)."""
    n = next(_addresses)
    return web_login(client, user, environ_base={"REMOTE_ADDR": f"10.77.{n // 250}.{n % 250 + 1}"})


class AuthzWorld(World):
    def __init__(self, app, client, orgs, users):
        super().__init__(app, client, orgs, users)
        self.objects = {}
        self._web = {}

    def web(self, key):
        """A test client signed in as ``key`` through the login form (once)."""
        if key not in self._web:
            client = self.app.test_client()
            response = sign_in(client, self.users[key])
            assert response.status_code == 302, (key, response.status_code, response.get_data(as_text=True)[-3000:])
            self._web[key] = client
        return self._web[key]

    def forget(self, key):
        """After a request that ended every session and token of ``key``: new ones on next use."""
        self._web.pop(key, None)
        self._apis.pop(key, None)

    def fresh_web(self, key):
        client = self.app.test_client()
        assert sign_in(client, self.users[key]).status_code == 302
        return client

    def fresh_api(self, key):
        from accounts.models import User
        from accounts.services import issue_api_token
        from core.extensions import db

        with self.app.app_context():
            raw, _token = issue_api_token(db.session.get(User, self.users[key]["id"]))
            db.session.commit()
        return ApiClient(self.client, raw)


def build(app) -> AuthzWorld:
    client = app.test_client(use_cookies=False)
    orgs, users = make_people(app, AUTHZ_USERS, code_base=8_000_000, domain="authz.example")
    world = AuthzWorld(app, client, orgs, users)
    _objects(world)
    return world


def _objects(world):
    o = world.objects
    api = world.api
    # c1: the enterprise's complaint at the centre, with every relation of a referral
    c1 = accepted(world)
    o["c1"], o["c1_reference"] = c1["id"], c1["reference"]
    o["evidence"] = evidence_ids(world, c1["id"])[0]
    o["attachment"] = _message_attachment(world, c1["id"])
    r_police = refer(world, c1["id"], "police", "criminal", [o["evidence"]])["id"]
    ok(referral_transition(api("police"), r_police, "acknowledge", officer_name="郑刚"))
    ok(api("police").post(f"/api/v1/referrals/{r_police}/notes", json={"text": POLICE_INTERNAL}), 201)
    ok(referral_transition(api("police"), r_police, "decline", reason="不符合立案标准。"))
    r_proc = ok(referral_transition(api("clerk"), r_police, "request_supervision", reason="申请立案监督。"))["id"]
    ok(referral_transition(api("procuratorate"), r_proc, "acknowledge", officer_name="冯蕾"))
    ok(api("procuratorate").post(f"/api/v1/referrals/{r_proc}/notes", json={"text": PROCURATORATE_INTERNAL}), 201)
    r_amr = refer(world, c1["id"], "amr_city", "administrative", [o["evidence"]])["id"]
    ok(referral_transition(api("amr_city"), r_amr, "acknowledge", officer_name="刘洋"))
    ok(referral_transition(api("amr_city"), r_amr, "accept", case_number="沪市监案〔2026〕9号"))
    approve_transfer(world, r_amr, officer="amr_city", head="head")  # Order 310: proposed, approved (T2 runs)
    r_transfer = ok(referral_transition(api("amr_city"), r_amr, "transfer", reason="涉嫌犯罪，移送公安。",
                                        to_agency_id=world.org("police_pudong")))["id"]
    o.update(r_police=r_police, r_proc=r_proc, r_amr=r_amr, r_transfer=r_transfer)
    o["cons"] = ok(api("clerk").post(f"/api/v1/complaints/{c1['id']}/consultations", json={
        "questions": ["管辖？"], "agency_ids": [world.org("police"), world.org("amr_city")],
        "opinion_due_at": "2099-01-01T00:00:00+00:00", "due_reason": "矩阵测试：远期。"}), 201)["id"]
    ok(api("police").post(f"/api/v1/consultations/{o['cons']}/opinions", json={"opinion": OPINION}))
    _registry(world, c1["id"])
    o["supervision"] = ok(api("supervisor").post(f"/api/v1/complaints/{c1['id']}/supervision",
                                                 json={"instructions": INSTRUCTIONS}), 201)["id"]
    ok(api("clerk").post(f"/api/v1/complaints/{c1['id']}/supervision/reports", json={"text": REPORT}))
    # c2: another enterprise's complaint at another centre, referred to another agency
    c2 = accepted(world, data=SOURCE_CODE, who="other_enterprise", clerk="other_clerk")
    o["c2"], o["c2_reference"] = c2["id"], c2["reference"]
    o["r_other"] = refer(world, c2["id"], "amr_putuo", "administrative", who="other_clerk")["id"]
    with world.app.app_context():  # c1 and c2 name the same competitor: a clue of both (supervision/clues.py)
        from core.extensions import db
        from sqlalchemy import select
        from supervision.clue_models import ClueKey, ClueKind

        o["clue"] = str(db.session.scalar(select(ClueKey.id).where(
            ClueKey.complaint_id == uuid.UUID(o["c1"]), ClueKey.kind == ClueKind.org_name)))
    draft = ok(api("enterprise").post("/api/v1/complaints", json={"facts": "草稿"}), 201)
    o["draft"] = draft["id"]
    _records(world)
    _publication(world)


def _registry(world, complaint_id):
    """registry/: the think tank (``expert`` invited to ``cons``, with its opinion; ``expert2`` not), a
    demonstration base of the centre, and ``amr_city`` tagged in the talent pool."""
    from tests.registry.conftest import add_think_tank

    o, api = world.objects, world.api
    add_think_tank(world.app, world, domain="think-tank.example", keys={"expert": "王教授", "expert2": "陈律师"})
    for key in ("expert", "expert2"):
        ok(api("supervisor").post("/api/v1/experts", json={
            "user_id": str(world.users[key]["id"]), "kind": "scholar", "affiliation": "复旦大学法学院",
            "expertise": "集成电路", "conflicts": [{"name": "某关联公司"}]}), 201)
    ok(api("clerk").post(f"/api/v1/consultations/{o['cons']}/experts",
                         json={"expert_ids": [str(world.users["expert"]["id"])]}))
    ok(api("expert").post(f"/api/v1/consultations/{o['cons']}/opinions", json={"opinion": EXPERT_OPINION}))
    o["expert"] = str(world.users["expert"]["id"])
    o["demo_base"] = ok(api("supervisor").post("/api/v1/registry/bases", json={
        "kind": "zone", "name": "市级示范区", "district": "municipal", "host_name": "上海市维权中心",
        "industry": "integrated_circuits", "status": "recognised", "centre_id": world.org("centre")}), 201)["id"]
    o["officer"] = str(world.users["amr_city"]["id"])
    ok(api("supervisor").post(f"/api/v1/talent/{o['officer']}/tags", json={"tag": "电子数据取证"}))


def _message_attachment(world, complaint_id) -> str:
    """A message of the enterprise with a file, in the complaint's conversation (conversations/)."""
    api = world.api("enterprise")
    response = api.client.post(f"/api/v1/complaints/{complaint_id}/messages/upload", headers=api.headers(),
                               data={"body": "请查收。", "file": [(io.BytesIO(pdf_bytes(b"nda")), "nda.pdf")]},
                               content_type="multipart/form-data")
    return ok(response, 201)["attachments"][0]["id"]


def _records(world):
    from accounts.models import AuthToken, User
    from accounts.services import issue_api_key
    from core.extensions import db
    from core.models import utcnow
    from deadlines.models import Deadline
    from notifications.models import DeliveryState, Notification, OutboxDelivery, WebhookEndpoint
    from notifications.worker import expand_outbox

    o = world.objects
    app = world.app
    with app.app_context():
        expand_outbox()
        db.session.commit()

        def notification_of(key):
            return db.session.scalar(select(Notification.id).where(
                Notification.user_id == uuid.UUID(str(world.users[key]["id"]))).order_by(Notification.id).limit(1))

        o["notifications"] = {key: notification_of(key) for key in world.users}
        o["deadline"] = str(db.session.scalar(select(Deadline.public_id).where(
            Deadline.subject_type == "referral", Deadline.subject_id == uuid.UUID(o["r_transfer"])).limit(1)))
        # two dead deliveries of case events: one the matrix retries, one the lists test finds on /admin/deliveries
        dead = db.session.scalars(select(OutboxDelivery).where(
            OutboxDelivery.user_id.in_([uuid.UUID(str(world.users[k]["id"])) for k in ("clerk", "supervisor")]),
            OutboxDelivery.event.in_(["complaint.submitted", "complaint.supervision_reported"]))
            .order_by(OutboxDelivery.id)).all()
        assert len(dead) >= 2
        for delivery in dead:
            delivery.state, delivery.dead_at, delivery.attempts = DeliveryState.dead, utcnow(), 8
        o["delivery"] = dead[0].id
        hooks = []
        for org in ("court", "procuratorate"):
            hook = WebhookEndpoint(organisation_id=uuid.UUID(world.org(org)), url="https://hooks.example/x",
                                   secret="s" * 32, active=True)
            db.session.add(hook)
            hooks.append(hook)
        admin = db.session.get(User, world.users["admin"]["id"])
        keys = [issue_api_key(admin, db.session.get(User, world.users["court"]["id"]), f"key {i}")[1] for i in range(2)]
        db.session.commit()
        o["webhooks"] = [str(h.id) for h in hooks]
        o["api_keys"] = [str(k.id) for k in keys]
        from routing.receipts import Receipt  # r_police's delivered receipt and c1's submission receipt

        o["receipt"] = str(db.session.scalar(select(Receipt.id).where(
            Receipt.referral_id == uuid.UUID(o["r_police"]), Receipt.kind == "delivered")))
        o["submission_receipt"] = str(db.session.scalar(select(Receipt.id).where(
            Receipt.complaint_id == uuid.UUID(o["c1"]), Receipt.kind == "submitted")))
        o["organisation"] = world.org("court")  # the administrator's pages of one organisation and one user
        o["user"] = str(world.users["clerk2"]["id"])
        assert all(isinstance(k, AuthToken) for k in keys)
        from evidence.deposits import take_checkpoint  # the deposit log's first checkpoint: its public note

        o["checkpoint_size"] = take_checkpoint()[0].size

        _assessment(world)


def _assessment(world):
    """A frozen assessment snapshot (``snapshot``) and a bulletin (``bulletin``) of this month, taken as if it
    had ended. The bulletin names the centre and the police only (set here, so that the other centre and the
    court are outsiders whatever their records)."""
    import datetime as dt

    from accounts.models import User
    from core.extensions import db
    from core.models import utcnow
    from core.timeutil import to_shanghai
    from supervision.assessment import take_snapshot
    from supervision.assessment_models import PeriodKind
    from supervision.bulletin import issue_bulletin

    o = world.objects
    today = to_shanghai(utcnow()).date()
    month = f"{today.year:04d}-{today.month:02d}"
    after = utcnow() + dt.timedelta(days=40)
    with world.app.test_request_context():
        supervisor = db.session.get(User, world.users["supervisor"]["id"])
        o["snapshot"] = str(take_snapshot(supervisor, PeriodKind.month, month, now=after).id)
        bulletin = issue_bulletin(supervisor, month, now=after)
        bulletin.organisation_ids = [world.org("centre"), world.org("police")]
        o["bulletin"] = str(bulletin.id)
        db.session.commit()


def _publication(world):
    """publication/: a draft typical case (drafted by ``supervisor``), a published one (approved by another
    account: ``admin`` stands in for the second supervisor here), the knowledge base's articles, and a
    self-assessment of ``enterprise``."""
    from accounts.models import User
    from core.extensions import db
    from core.models import utcnow
    from publication.enums import CaseState, Industry
    from publication.models import TypicalCase
    from publication.seed import seed

    o = world.objects
    with world.app.app_context():
        seed()
        supervisor = db.session.get(User, world.users["supervisor"]["id"])
        admin = db.session.get(User, world.users["admin"]["id"])
        common = {"complaint_id": uuid.UUID(o["c1"]), "drafted_by_id": supervisor.id, "industry": Industry.other,
                  "infringing_acts": ["theft"], "summary_en": "A company's process was taken."}
        draft = TypicalCase(title_zh="草稿案例", summary_zh="A公司的工艺被窃取。", **common)
        published = TypicalCase(title_zh="已发布案例", summary_zh="A公司的配方被窃取。", state=CaseState.published,
                                approved_by_id=admin.id, published_at=utcnow(), **common)
        db.session.add_all([draft, published])
        db.session.commit()
        o["case_draft"], o["case_published"] = str(draft.id), str(published.id)
    questionnaire = ok(world.client.get("/api/v1/questionnaires/current"))
    answers = {q["key"]: "yes" for q in questionnaire["questions"]}
    o["assessment"] = ok(world.api("enterprise").post("/api/v1/self-assessments", json={"answers": answers}), 201)["id"]
