"""The referral letter (移送函): printable HTML and a PDF, always in Chinese (an official document).

A civil matter is not referred (移送) to a court: for a court referral the letter is the filing guide
the centre prepared for the enterprise's suit (起诉指引 with its filing materials, 引导起诉), or the
centre's letter asking the court to take the dispute into pre-suit mediation (诉前调解 / 诉调对接)."""
from flask import render_template
from flask_babel import force_locale
from sqlalchemy import select

from core.extensions import db
from core.money import format_money
from core.pdf import lines_pdf
from core.timeutil import format_local
from intake.enums import SECRET_CATEGORY_LABELS, TRACK_LABELS, EventKind
from intake.models import ComplaintEvent
from intake.presenters import act_label

from .enums import CivilRoute


def _context(referral):
    return {"referral": referral, "letter_lines": letter_lines}


def letter_html(referral) -> str:
    with force_locale("zh"):
        return render_template("routing/letter.html", **_context(referral))


def letter_pdf(referral) -> bytes:
    """The letter's lines as an A4 PDF embedding its font (core.pdf; 503 when the font is missing)."""
    with force_locale("zh"):
        lines = letter_lines(referral)
    return lines_pdf(lines, title=referral.letter_number)


def accepted_at(complaint):
    """When the centre accepted the complaint (its first "accept" transition), None if it never did
    (e.g. a referral decided from a consultation's minutes)."""
    return db.session.scalar(select(ComplaintEvent.at).where(
        ComplaintEvent.complaint_id == complaint.id, ComplaintEvent.kind == EventKind.transition.value,
        ComplaintEvent.trigger == "accept").order_by(ComplaintEvent.at, ComplaintEvent.id).limit(1))


def _acceptance(complaint) -> str:
    """"本中心于……受理": the acceptance time, not the submission time."""
    at = accepted_at(complaint)
    return f"本中心于{format_local(at)}受理" if at is not None else "本中心已受理"


def _amount(value) -> str:
    return format_money(value) if value is not None else "不详"


def evidence_lines(evidence) -> list[str]:
    """One line per file: its name and full SHA-256 digest (a reader checks the file against it)."""
    return [f"{n}. {e.display_name}，SHA-256：{e.sha256}" for n, e in enumerate(evidence, start=1)]


def centre_lines(complaint) -> list[str]:
    """The centre's signature: its name and its contact person and telephone."""
    centre = complaint.centre
    if centre is None:
        return []
    contact = "，".join(part for part in (
        f"联系人：{centre.contact_person}" if centre.contact_person else "",
        f"联系电话：{centre.phone}" if centre.phone else "") if part)
    return [centre.name, *([contact] if contact else [])]


def letter_lines(referral) -> list[str]:
    """The letter as lines of text (the PDF's content; the HTML template says the same)."""
    if referral.civil_route is not None:
        return civil_letter_lines(referral)
    c = referral.complaint
    infringers = "；".join(f"{i.name or '不详'}" for i in c.infringers) or "不详"
    lines = [
        "商业秘密案件移送函",
        f"编号：{referral.letter_number}",
        "",
        f"{referral.agency.name}：",
        (f"{_acceptance(c)}{c.enterprise.name}（统一社会信用代码：{c.enterprise.credit_code}）"
         f"提出的商业秘密侵权投诉（投诉编号：{c.reference}）。经初步审查，现将该案移送贵单位依法处理（"
         f"{TRACK_LABELS[referral.track]}）。"),
        "",
        f"商业秘密类别：{SECRET_CATEGORY_LABELS.get(c.secret_category, '')}",
        f"商业秘密内容：{c.secret_description or ''}",
        f"保密措施：{c.confidentiality_measures or ''}",
        f"商业价值：{c.commercial_value or ''}",
        f"涉嫌侵权人：{infringers}",
        f"侵权行为：{'；'.join(str(act_label(a)) for a in c.infringing_acts)}",
        f"估计损失：{_amount(c.estimated_loss)}",
        f"估计违法所得：{_amount(c.estimated_illegal_gains)}",
        f"基本事实：{c.facts or ''}",
        f"随函移送证据：{len(referral.shared_evidence)}份" + ("：" if referral.shared_evidence else "。"),
        *evidence_lines(referral.shared_evidence),
        "",
        f"附言：{referral.message or '无'}",
        "",
        "请于收到本函后及时签收并反馈处理情况。",
        "",
        *centre_lines(c),
        f"{format_local(referral.created_at)}",
    ]
    return lines


# --- civil procedure: the filing guide and the pre-suit mediation letter (never a 移送函) -----------------

FILING_MATERIALS = [
    "1. 民事起诉状（原告、被告的基本信息；诉讼请求；事实与理由；证据和证据来源）；",
    "2. 原告主体资格证明（营业执照副本、法定代表人身份证明书、授权委托书）；",
    "3. 被告的基本信息（名称或姓名、住所、统一社会信用代码或身份信息）；",
    "4. 商业秘密的权利证据：秘密内容及其载体、所采取的保密措施、商业价值；",
    "5. 侵权证据：被告接触或获取商业秘密的证据、使用或披露的证据；",
    "6. 损失、侵权获利或许可使用费的证据（主张赔偿时）；",
    "7. 如申请财产、证据或行为保全：保全申请书及担保材料（法院在四十八小时内作出裁定）。",
]


def civil_letter_lines(referral) -> list[str]:
    c = referral.complaint
    infringers = "；".join(f"{i.name or '不详'}" for i in c.infringers) or "不详"
    evidence = [f"证据目录：{len(referral.shared_evidence)}份" + ("：" if referral.shared_evidence else "。"),
                *evidence_lines(referral.shared_evidence)]
    facts = [
        f"商业秘密类别：{SECRET_CATEGORY_LABELS.get(c.secret_category, '')}",
        f"商业秘密内容：{c.secret_description or ''}",
        f"保密措施：{c.confidentiality_measures or ''}",
        f"商业价值：{c.commercial_value or ''}",
        f"被诉侵权人：{infringers}",
        f"基本事实：{c.facts or ''}",
        f"估计损失：{_amount(c.estimated_loss)}",
        *evidence,
    ]
    if referral.civil_route is CivilRoute.pre_suit_mediation:
        return [
            "商业秘密纠纷诉前调解函（诉调对接）",
            f"编号：{referral.letter_number}",
            "",
            f"{referral.agency.name}：",
            (f"{_acceptance(c)}{c.enterprise.name}（统一社会信用代码：{c.enterprise.credit_code}）"
             f"提出的商业秘密侵权投诉（投诉编号：{c.reference}）。经初步审查，该纠纷系民事纠纷，经该企业同意，"
             "现商请贵院依诉调对接机制组织诉前调解。"),
            "",
            *facts,
            "",
            f"附言：{referral.message or '无'}",
            "",
            "请于收到本函后及时签收并组织诉前调解；调解成功的，请告知调解结果；调解不成的，该企业可依法向贵院提起诉讼。",
            "",
            *centre_lines(c),
            f"{format_local(referral.created_at)}",
        ]
    return [
        "商业秘密纠纷起诉指引（起诉材料）",
        f"编号：{referral.letter_number}",
        "",
        f"{c.enterprise.name}：",
        (f"{_acceptance(c)}贵单位提出的商业秘密侵权投诉（投诉编号：{c.reference}）。"
         f"经初步审查，该纠纷系民事纠纷，由贵单位作为原告依法向{referral.agency.name}提起诉讼。"
         "本中心已整理下列案件材料，并告知该院。"),
        "",
        *facts,
        "",
        "起诉所需材料：",
        *FILING_MATERIALS,
        "",
        f"受理法院：{referral.agency.name}。法院自起诉材料齐全之日起七日内决定是否登记立案。",
        f"附言：{referral.message or '无'}",
        "",
        *centre_lines(c),
        f"{format_local(referral.created_at)}",
    ]
