"""The registry's part of `flask seed-demo` (idempotent): a few demonstration bases and the demo expert's
profile, with a declared conflict (the demo's infringer 上海锐驰自动化有限公司) to show a refused invitation."""
from sqlalchemy import select

from accounts.enums import District, OrgKind, Role
from accounts.models import Organisation, User
from core.extensions import db

from .enums import BaseKind, BaseStatus, ExpertKind, Industry
from .models import DemoBase, Expert, ExpertConflict

BASES = [
    # kind, name, district, host, host credit code, industry, status, centre name
    (BaseKind.zone, "上海市商业秘密保护示范区（市级）", District.municipal, "上海市商业秘密保护维权中心", None,
     Industry.artificial_intelligence, BaseStatus.municipal, "上海市商业秘密保护维权中心"),
    (BaseKind.zone, "浦东新区商业秘密保护示范区", District.pudong, "张江科学城", None,
     Industry.integrated_circuits, BaseStatus.national_recommendation, "浦东新区商业秘密保护维权中心"),
    (BaseKind.station, "张江生物医药商业秘密保护示范站", District.pudong, "张江药谷", None,
     Industry.biomedicine, BaseStatus.recognised, "浦东新区商业秘密保护维权中心"),
    (BaseKind.point, "澄川智能商业秘密保护示范点", District.pudong, "上海澄川智能科技有限公司", "91310115MA1H7GQ5XY",
     Industry.high_end_equipment, BaseStatus.recognised, "浦东新区商业秘密保护维权中心"),
    (BaseKind.point, "蓝湾新材料商业秘密保护示范点", District.jinshan, "上海蓝湾新材料股份有限公司",
     "91310116MA1JD4W7UA", Industry.advanced_materials, BaseStatus.cultivation, "上海市商业秘密保护维权中心"),
]


def seed(expert_email: str, supervisor_email: str) -> None:
    supervisor = db.session.scalar(select(User).where(User.email == supervisor_email))
    if supervisor is not None and db.session.scalar(select(DemoBase.id).limit(1)) is None:
        for kind, name, district, host, code, industry, status, centre_name in BASES:
            centre = db.session.scalar(select(Organisation).where(Organisation.name == centre_name,
                                                                  Organisation.kind == OrgKind.rights_center))
            host_org = db.session.scalar(select(Organisation).where(Organisation.credit_code == code)) if code else None
            if centre is not None:
                db.session.add(DemoBase(kind=kind, name=name, district=district, host_name=host, host_credit_code=code,
                                        host_org_id=host_org.id if host_org else None, industry=industry,
                                        status=status, centre_id=centre.id, created_by_id=supervisor.id))
    expert = db.session.scalar(select(User).where(User.email == expert_email, User.role == Role.expert))
    if expert is not None and db.session.scalar(select(Expert.id).where(Expert.user_id == expert.id)) is None:
        db.session.add(Expert(user_id=expert.id, kind=ExpertKind.scholar, affiliation="华东政法大学知识产权学院",
                              expertise="商业秘密、软件源代码比对、电子数据",
                              conflicts=[ExpertConflict(name="上海锐驰自动化有限公司", note="曾任其法律顾问")]))
    db.session.flush()
