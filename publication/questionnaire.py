"""The self-assessment questionnaire as data: its shape (checked by ContentSchema when an administrator saves
a new version), the default questionnaire seeded on first use, and the scoring.

content = {"title": {"zh", "en"}, "questions": [{"key", "area", "weight", "text": {"zh", "en"},
"advice": {"zh", "en"}}]}; an answer earns its question's weight in full (yes), half (partly) or nothing (no);
the score is the percentage of all weights, and every question not answered "yes" is something to improve.
"""
import re

from marshmallow import ValidationError, fields, validate, validates_schema

from flask_babel import gettext as _

from core.schemas import Code, Name, OneOfLabelled, StrictSchema, Text, validate_not_blank

from .enums import ANSWER_SHARE, AREA_LABELS, Answer, Area

KEY = "internal_protection"
MAX_QUESTIONS = 100


class BilingualName(StrictSchema):
    zh = Name(200, required=True, validate=validate_not_blank)
    en = Name(200, required=True, validate=validate_not_blank)


class BilingualText(StrictSchema):
    zh = Text(2000, required=True, validate=validate_not_blank)
    en = Text(2000, required=True, validate=validate_not_blank)


def _check_key(value: str) -> None:
    if not re.fullmatch(r"[a-z][a-z0-9_]*", value):
        raise ValidationError(_("A key is lower-case letters, digits and underscores, starting with a letter."))


class QuestionSchema(StrictSchema):
    key = Code(40, required=True, validate=lambda value: _check_key(value))
    area = fields.String(required=True, validate=OneOfLabelled({a.value: label for a, label in AREA_LABELS.items()}))
    weight = fields.Integer(required=True, validate=validate.Range(min=1, max=100))
    text = fields.Nested(BilingualText, required=True)
    advice = fields.Nested(BilingualText, required=True)


class ContentSchema(StrictSchema):
    title = fields.Nested(BilingualName, required=True)
    questions = fields.List(fields.Nested(QuestionSchema), required=True,
                            validate=validate.Length(min=1, max=MAX_QUESTIONS))

    @validates_schema
    def unique_keys(self, data, **kwargs):
        keys = [q["key"] for q in data.get("questions", [])]
        if len(keys) != len(set(keys)):
            raise ValidationError(_("Each question needs its own key."), "questions")


def _q(key, area, weight, zh, en, advice_zh, advice_en):
    return {"key": key, "area": area.value, "weight": weight, "text": {"zh": zh, "en": en},
            "advice": {"zh": advice_zh, "en": advice_en}}


DEFAULT = {
    "title": {"zh": "企业商业秘密内部保护措施自评", "en": "Self-assessment of internal trade-secret protection"},
    "questions": [
        _q("nda_employees", Area.confidentiality_agreements, 10,
           "所有接触商业秘密的员工均签订了保密协议。", "Every employee with access to secrets has signed a confidentiality agreement.",
           "与接触商业秘密的全部员工签订保密协议，明确保密范围、期限和违约责任。",
           "Have every employee with access sign a confidentiality agreement stating the scope, duration and liability."),
        _q("nda_partners", Area.confidentiality_agreements, 8,
           "与供应商、客户和合作方的合同中订有保密条款。", "Contracts with suppliers, customers and partners contain confidentiality clauses.",
           "在对外合作合同中加入保密条款，并在洽谈前签订保密协议。",
           "Add confidentiality clauses to partner contracts and sign an agreement before negotiations."),
        _q("non_compete", Area.confidentiality_agreements, 5,
           "对核心人员约定了竞业限制并按期支付补偿。", "Key staff have non-compete obligations and are paid the compensation on time.",
           "对核心技术和经营人员约定竞业限制，并按月支付经济补偿。",
           "Agree non-compete obligations with key staff and pay the monthly compensation."),
        _q("need_to_know", Area.access_control, 10,
           "商业秘密按岗位分级授权，仅限必要人员接触。", "Access to secrets is granted by role, to those who need it only.",
           "建立分级授权制度，按岗位最小必要原则分配接触权限并定期复核。",
           "Grant access by role on a need-to-know basis and review it regularly."),
        _q("physical_access", Area.access_control, 6,
           "研发和存放涉密资料的区域设有门禁和访客登记。", "Areas holding secret material have access control and a visitor log.",
           "对涉密区域设置门禁，访客登记并全程陪同。",
           "Control entry to secret areas, log visitors and accompany them."),
        _q("marking", Area.marking, 8,
           "涉密文件和载体均标注了密级和保密标识。", "Secret documents and media are marked with their classification.",
           "对涉密文件、图纸和电子文档统一标注密级与保密标识。",
           "Mark secret documents, drawings and files with their classification."),
        _q("inventory", Area.marking, 6,
           "建立了商业秘密清单并指定了责任人。", "There is an inventory of trade secrets with a person responsible for each.",
           "梳理并建立商业秘密清单，明确每项秘密的责任人和保护措施。",
           "Keep an inventory of secrets, each with its owner and measures."),
        _q("exit_interview", Area.exit_procedures, 8,
           "员工离职时进行保密谈话并书面提示保密义务。", "Leavers have an exit interview and a written reminder of their duty.",
           "离职时进行保密面谈，签署保密承诺书并书面告知持续的保密义务。",
           "Hold an exit interview, have the leaver sign an undertaking and remind them in writing."),
        _q("exit_return", Area.exit_procedures, 8,
           "离职员工交还全部涉密资料并注销系统账号。", "Leavers return all secret material and their accounts are closed.",
           "建立离职交接清单，收回涉密载体，当日注销全部系统账号。",
           "Use a hand-over checklist, recover media and close every account on the last day."),
        _q("encryption", Area.technical_measures, 8,
           "涉密电子数据加密存储并记录访问日志。", "Secret data is stored encrypted and access to it is logged.",
           "对涉密数据加密存储，开启访问审计并定期检查日志。",
           "Encrypt secret data, log access and review the logs."),
        _q("dlp", Area.technical_measures, 7,
           "对外发邮件、移动存储和网盘上传有管控措施。", "Outgoing e-mail, removable media and cloud uploads are controlled.",
           "部署数据防泄漏措施，管控移动存储、外发邮件和网盘上传。",
           "Deploy data-loss prevention for removable media, e-mail and cloud uploads."),
        _q("patent_watch", Area.patent_monitoring, 8,
           "定期检索前员工和竞争对手的专利申请。", "Patent applications by former staff and competitors are searched regularly.",
           "定期检索前员工及竞争对手的专利申请，发现以专利申请窃取商业秘密的线索及时维权。",
           "Search former staff's and competitors' patent applications and act on any that take a secret."),
        _q("patent_strategy", Area.patent_monitoring, 8,
           "对技术成果在申请专利与作为商业秘密保护之间作出了选择并留有记录。", "Each technical result was deliberately kept secret or patented, with a record.",
           "对每项技术成果评估专利与商业秘密两种保护方式并记录决定。",
           "Decide for each result between a patent and secrecy, and record why."),
    ],
}


def questions(content: dict) -> list[dict]:
    return content.get("questions", [])


def score(content: dict, answers: dict) -> int:
    """The percentage (0..100, rounded down) of the questions' weights the answers earn."""
    total = sum(q["weight"] for q in questions(content))
    earned = sum(q["weight"] * ANSWER_SHARE[Answer(answers[q["key"]])] for q in questions(content))
    return int(earned * 100 // total) if total else 0


def area_scores(content: dict, answers: dict) -> list[tuple]:
    """(area label, percent) for each area the questionnaire asks about, in the areas' order."""
    rows = []
    for area in Area:
        qs = [q for q in questions(content) if q["area"] == area.value]
        if not qs:
            continue
        total = sum(q["weight"] for q in qs)
        earned = sum(q["weight"] * ANSWER_SHARE[Answer(answers[q["key"]])] for q in qs)
        rows.append((AREA_LABELS[area], int(earned * 100 // total)))
    return rows


def improvements(content: dict, answers: dict, locale: str) -> list[dict]:
    """What to improve: every question not answered "yes", heaviest first, with its advice in ``locale``."""
    lang = "en" if locale == "en" else "zh"
    todo = [q for q in questions(content) if Answer(answers[q["key"]]) is not Answer.yes]
    todo.sort(key=lambda q: (-q["weight"] * (1 - ANSWER_SHARE[Answer(answers[q["key"]])]), q["key"]))
    return [{"key": q["key"], "area": AREA_LABELS[Area(q["area"])], "question": q["text"][lang],
             "advice": q["advice"][lang], "answer": Answer(answers[q["key"]])} for q in todo]
