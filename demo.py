"""`flask seed-demo`: a realistic demonstration (idempotent), with the logins it prints."""
import io

import click
from flask.cli import with_appcontext
from sqlalchemy import select
from werkzeug.datastructures import FileStorage

from accounts import services as accounts
from accounts.enums import District as D, OrgKind as K, Role as R
from accounts.models import Organisation, User
from core.extensions import db

DEMO_PASSWORD = "demo-password-2026"

ORGS = [
    # key, name, kind, district, credit code
    ("centre_city", "上海市商业秘密保护维权中心", K.rights_center, D.municipal, None),
    ("centre_pudong", "浦东新区商业秘密保护维权中心", K.rights_center, D.pudong, None),
    ("amr_city", "上海市市场监督管理局", K.market_regulation, D.municipal, None),
    ("amr_pudong", "上海市浦东新区市场监督管理局", K.market_regulation, D.pudong, None),
    ("amr_minhang", "上海市闵行区市场监督管理局", K.market_regulation, D.minhang, None),
    ("police_city", "上海市公安局经济犯罪侦查总队", K.public_security, D.municipal, None),
    ("procuratorate_city", "上海市人民检察院", K.procuratorate, D.municipal, None),
    ("court_ip", "上海知识产权法院", K.court, D.municipal, None),
    ("court_pudong", "上海市浦东新区人民法院", K.court, D.pudong, None),
    ("supervisor", "上海市市场监督管理局知识产权保护处", K.supervisor_office, D.municipal, None),
    ("think_tank", "上海市商业秘密保护专家智库", K.think_tank, D.municipal, None),
    ("chengchuan", "上海澄川智能科技有限公司", K.enterprise, D.pudong, "91310115MA1H7GQ5XY"),
    ("hefeng", "上海禾丰食品贸易有限公司", K.enterprise, D.jingan, "91310106MA1FY3K2R1"),
    ("lanwan", "上海蓝湾新材料股份有限公司", K.enterprise, D.jinshan, "91310116MA1JD4W7UA"),
]

USERS = [
    # email, name, role, org key
    ("wangmin@chengchuan.example", "王敏", R.enterprise_user, "chengchuan"),
    ("chenli@hefeng.example", "陈丽", R.enterprise_user, "hefeng"),
    ("zhouqiang@lanwan.example", "周强", R.enterprise_user, "lanwan"),
    ("clerk@centre-city.example", "李文（市维权中心）", R.clerk, "centre_city"),
    ("clerk@centre-pudong.example", "张珺（浦东维权中心）", R.clerk, "centre_pudong"),
    ("officer@amr-city.example", "刘洋（市市场监管局）", R.agency_officer, "amr_city"),
    ("head@amr-city.example", "赵峰（市市场监管局负责人）", R.agency_head, "amr_city"),
    ("officer@amr-pudong.example", "孙静（浦东市场监管局）", R.agency_officer, "amr_pudong"),
    ("officer@amr-minhang.example", "吴昊（闵行市场监管局）", R.agency_officer, "amr_minhang"),
    ("officer@police-city.example", "郑刚（市公安局经侦总队）", R.agency_officer, "police_city"),
    ("officer@procuratorate.example", "冯蕾（市检察院）", R.agency_officer, "procuratorate_city"),
    ("officer@ipcourt.example", "何平（知识产权法院）", R.agency_officer, "court_ip"),
    ("officer@court-pudong.example", "高远（浦东法院）", R.agency_officer, "court_pudong"),
    ("supervisor@amr-city.example", "马骏（督办）", R.supervisor, "supervisor"),
    ("admin@platform.example", "平台管理员", R.admin, "supervisor"),
    ("expert@think-tank.example", "钱教授（专家智库）", R.expert, "think_tank"),
]

CONTACTS = {
    "chengchuan": ("王敏", "13800000001", "legal@chengchuan.example"),
    "hefeng": ("陈丽", "13800000002", "chenli@hefeng.example"),
    "lanwan": ("周强", "13800000003", "zhouqiang@lanwan.example"),
}

COMPLAINTS = {
    "chengchuan": dict(
        secret_category="technical",
        secret_description="工业机械臂运动控制固件的源代码及调参参数表。",
        confidentiality_measures="劳动合同保密条款及竞业限制；源代码存放于权限受控的代码仓库并按人审计；文件标注“机密”；离职面谈。",
        commercial_value="两年研发投入，产品年销量约3,000台。",
        infringers=[
            {"kind": "former_employee", "name": "李某", "district": "pudong"},
            {"kind": "competitor", "name": "上海锐驰自动化有限公司", "district": "minhang"},
        ],
        infringing_acts=["electronic_intrusion", "disclosure_or_use_of_improperly_acquired"],
        discovered_on="2026-09-15", estimated_loss="1200000.00",
        remedies=["criminal_investigation", "civil_damages", "injunction_preservation"],
        preferred_tracks=["criminal", "civil"],
        facts="李某离职前将代码仓库复制到个人硬盘；2026年9月15日展会上发现竞争对手新款控制器使用相同的参数表。",
    ),
    "hefeng": dict(
        secret_category="business",
        secret_description="约400家餐饮客户的名单，含采购记录、价格和联系人。",
        confidentiality_measures="CRM按角色授权；劳动合同保密条款；未经审批不得导出。",
        commercial_value="反映每个客户的毛利水平。",
        infringers=[
            {"kind": "former_employee", "name": "赵某", "district": "putuo"},
            {"kind": "competitor", "name": "上海鲜达供应链管理有限公司", "credit_code": "91310107MA1G8B0KLP",
             "district": "putuo"},
        ],
        infringing_acts=["breach_of_confidentiality_duty", "disclosure_or_use_of_improperly_acquired"],
        discovered_on="2026-10-20", estimated_loss="180000.00",
        remedies=["administrative_investigation", "guidance_only"], preferred_tracks=["administrative"],
        facts="赵某辞职前一周从CRM导出客户名单；客户反映新公司以低5%的价格提供相同产品。",
    ),
    "lanwan": dict(
        secret_category="technical",
        secret_description="在保密协议下于联合开发洽谈中披露的涂层工艺。",
        confidentiality_measures="洽谈前签署保密协议；资料限定接收人。",
        commercial_value="许可价值约250万元。",
        infringers=[{"kind": "business_partner", "name": "江苏某材料公司",
                     # an earlier penalty within the two years before the infringement: the lower threshold
                     "penalty_decision_number": "苏市监处〔2025〕18号", "penalty_authority": "江苏省市场监督管理局",
                     "penalty_decided_on": "2025-03-10"}],
        infringing_acts=["breach_of_confidentiality_duty", "patent_application"],
        discovered_on="2026-08-01", estimated_loss="2500000.00",
        remedies=["criminal_investigation", "civil_damages"], preferred_tracks=["centre_decides"],
        facts="洽谈结束四个月后，对方提交了描述该工艺的专利申请。",
    ),
}


def _org(key):
    name = next(o[1] for o in ORGS if o[0] == key)
    return db.session.scalar(select(Organisation).where(Organisation.name == name))


def seed():
    """Create what is missing; running it again changes nothing."""
    from intake import services as intake
    from intake.schemas import ComplaintDraftSchema
    from routing import services as routing

    from deadlines.rules_seed import seed_rules

    seed_rules()
    from publication.seed import seed as seed_publication

    published = seed_publication()  # the knowledge base's guides and the self-assessment questionnaire
    created = False
    for key, name, kind, district, code in ORGS:
        if _org(key) is None:
            contact = CONTACTS.get(key, (None, None, None))
            accounts.create_organisation(name=name, kind=kind, district=district, credit_code=code,
                                         contact_person=contact[0], phone=contact[1], email=contact[2])
            created = True
    for email, name, role, org_key in USERS:
        if accounts.find_user_by_email(email) is None:
            accounts.create_user(organisation=_org(org_key), email=email, name=name, password=DEMO_PASSWORD, role=role)
            created = True
    if created:
        for org_key, fields in COMPLAINTS.items():
            user = db.session.scalar(select(User).where(User.organisation_id == _org(org_key).id))
            complaint = intake.create_draft(user, ComplaintDraftSchema().load(fields))
            if org_key != "lanwan":  # one complaint stays a draft to show the form
                pdf = FileStorage(io.BytesIO(b"%PDF-1.4\n% demo exhibit\n%%EOF\n"), filename="证据清单.pdf")
                intake.add_evidence(user, complaint, [pdf])
                routing.submit_complaint(user, complaint)
    from registry.demo import seed as seed_registry

    seed_registry("expert@think-tank.example", "supervisor@amr-city.example")  # bases, the expert's profile
    db.session.commit()
    return created or published


@click.command("seed-demo", help="Load the demonstration data (idempotent) and print the demo logins.")
@with_appcontext
def seed_demo_command():
    created = seed()
    click.echo("demo data loaded" if created else "demo data already present")
    click.echo(f"Demo logins (password for all: {DEMO_PASSWORD}):")
    for email, _name, role, org_key in USERS:
        click.echo(f"  {role.value:<16} {email:<34} {next(o[1] for o in ORGS if o[0] == org_key)}")
    click.echo("Staff (every role but enterprise_user) set up two-step verification at their first login:"
               " scan the QR code with an authenticator app (TOTP) and keep the recovery codes.")


