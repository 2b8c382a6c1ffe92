"""The knowledge base's first articles and the default questionnaire (flask seed-demo; idempotent)."""
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from core.extensions import db

from . import questionnaire as q
from .enums import ArticleKind
from .models import Article, Questionnaire

ARTICLES = [
    ("protection-guide", ArticleKind.guide, "企业商业秘密保护指引", "A guide to protecting trade secrets",
     "商业秘密是不为公众所知悉、具有商业价值并经权利人采取相应保密措施的技术信息、经营信息等商业信息。\n\n"
     "一、确定保护范围：梳理技术信息和经营信息，建立商业秘密清单，明确密级和责任人。\n\n"
     "二、签订保密协议：与接触商业秘密的员工和合作方签订保密协议，对核心人员约定竞业限制。\n\n"
     "三、控制接触范围：按岗位分级授权，设置涉密区域门禁，对电子数据加密并记录访问。\n\n"
     "四、做好标识：在涉密文件、图纸和电子文档上标注保密标识。\n\n"
     "五、规范离职管理：离职面谈、交还资料、注销账号，书面提示持续的保密义务。\n\n"
     "六、监测专利申请：定期检索前员工和竞争对手的专利申请，防止以专利申请窃取商业秘密。\n\n"
     "发现商业秘密被侵犯时，请保存证据，并通过本平台向维权中心提交投诉。",
     "A trade secret is commercial information, technical or business, not known to the public, of commercial "
     "value, for which the holder took confidentiality measures.\n\n"
     "1. Define what you protect: list your technical and business information, classify it and name an owner.\n\n"
     "2. Sign agreements: confidentiality agreements with staff and partners; non-compete obligations for key staff.\n\n"
     "3. Limit access: by role, with controlled areas and encrypted, logged data.\n\n"
     "4. Mark secret documents, drawings and files.\n\n"
     "5. Manage departures: exit interviews, returned material, closed accounts and a written reminder.\n\n"
     "6. Watch patent applications by former staff and competitors.\n\n"
     "When a secret is taken, keep the evidence and file a complaint with a rights-protection centre here."),
    ("aucl-definition", ArticleKind.legal_interpretation, "反不正当竞争法中商业秘密的构成要件",
     "What makes a trade secret under the Anti-Unfair Competition Law",
     "根据《反不正当竞争法》，商业秘密须同时具备三个要件：不为公众所知悉（秘密性），具有商业价值（价值性），"
     "权利人采取了相应保密措施（保密性）。侵犯商业秘密的行为包括以盗窃、贿赂、欺诈、胁迫、电子侵入或者其他不正当"
     "手段获取，披露、使用或者允许他人使用以不正当手段获取的商业秘密，违反保密义务披露或使用，教唆、引诱、帮助他人"
     "侵权，以及第三人明知或应知而获取、使用。",
     "Under the Anti-Unfair Competition Law a trade secret must meet three conditions at once: it is not known to "
     "the public, it has commercial value, and its holder took confidentiality measures. Infringement includes "
     "acquiring it by theft, bribery, fraud, coercion, electronic intrusion or other improper means; disclosing, "
     "using or letting others use a secret so acquired; disclosure or use in breach of a confidentiality duty; "
     "abetting or helping another; and a third party knowingly acquiring or using it."),
    ("criminal-threshold", ArticleKind.legal_interpretation, "侵犯商业秘密罪的立案标准",
     "The criminal filing standard for trade-secret infringement",
     "根据《刑法》第二百一十九条及相关司法解释，给权利人造成损失或者违法所得数额在三十万元以上，或者直接导致权利人"
     "破产、倒闭的，应予立案追诉。行为人在二年内因侵犯商业秘密受过行政处罚，又侵犯商业秘密的，数额标准降至十万元。",
     "Under Article 219 of the Criminal Law and its judicial interpretations, a loss to the holder or illegal "
     "gains of 300,000 RMB or more, or an infringement that drove the holder into bankruptcy or closure, is to be "
     "prosecuted. Where the infringer received an administrative penalty for trade-secret infringement within "
     "the previous two years, the amount is 100,000 RMB."),
]


def seed_questionnaire(actor=None) -> Questionnaire:
    """Version 1 of the default questionnaire, unless one exists (the newest is answered)."""
    newest = (select(Questionnaire).where(Questionnaire.key == q.KEY).order_by(Questionnaire.version.desc()).limit(1))
    current = db.session.scalar(newest)
    if current is None:
        try:
            with db.session.begin_nested():  # two first readers at once: one inserts, the other reads it
                current = Questionnaire(key=q.KEY, version=1, content=q.DEFAULT, created_by=actor)
                db.session.add(current)
        except IntegrityError:
            current = db.session.scalar(newest)
    return current


def seed() -> bool:
    created = False
    for position, (slug, kind, title_zh, title_en, body_zh, body_en) in enumerate(ARTICLES):
        if db.session.scalar(select(Article.id).where(Article.slug == slug)) is None:
            db.session.add(Article(slug=slug, kind=kind, title_zh=title_zh, title_en=title_en, body_zh=body_zh,
                                   body_en=body_en, position=position))
            created = True
    if db.session.scalar(select(Questionnaire.id).where(Questionnaire.key == q.KEY).limit(1)) is None:
        seed_questionnaire()
        created = True
    db.session.flush()
    return created
