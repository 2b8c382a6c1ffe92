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
from evidence.models import EvidenceFile
from intake.enums import SECRET_CATEGORY_LABELS, TRACK_LABELS, EventKind
from intake.models import ComplaintEvent
from intake.presenters import act_label, remedy_label

from .enums import CivilRoute
from .models import ReferralEvidence


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


def _amount(value) -> str:
    return format_money(value) if value is not None else "不详"


# --- the letter as data: what it says, field by field (GET /api/v1/referrals/{id} answers the same) --------

REFERRAL_LETTER, MEDIATION_LETTER, FILING_GUIDE = "referral_letter", "mediation_letter", "filing_guide"
LETTER_KINDS = (REFERRAL_LETTER, MEDIATION_LETTER, FILING_GUIDE)
LETTER_TITLES = {REFERRAL_LETTER: "商业秘密案件移送函", MEDIATION_LETTER: "商业秘密纠纷诉前调解函（诉调对接）",
                 FILING_GUIDE: "商业秘密纠纷起诉指引（起诉材料）"}


def letter_kind(referral) -> str:
    """A 移送函 on the administrative and criminal tracks; for a court the mediation letter or the filing guide."""
    if referral.civil_route is None:
        return REFERRAL_LETTER
    return MEDIATION_LETTER if referral.civil_route is CivilRoute.pre_suit_mediation else FILING_GUIDE


def _party(org) -> dict:
    return {"id": org.id, "name": org.name}


def _infringer(infringer) -> dict:
    penalty = None
    if infringer.penalty_decision_number:
        penalty = {"number": infringer.penalty_decision_number, "authority": infringer.penalty_authority,
                   "decided_on": infringer.penalty_decided_on}
    return {"kind": infringer.kind, "name": infringer.name, "credit_code": infringer.credit_code,
            "district": infringer.district, "penalty_decision": penalty}


def shared_evidence(referral) -> list[dict]:
    """The files shared with the referral's agency (with the letter, and later with supplements), in the
    order of referral.shared_evidence, each with the time it was shared."""
    rows = db.session.execute(
        select(EvidenceFile, ReferralEvidence.shared_at)
        .join(ReferralEvidence, ReferralEvidence.evidence_id == EvidenceFile.id)
        .where(ReferralEvidence.referral_id == referral.id).order_by(EvidenceFile.created_at, EvidenceFile.id)).all()
    return [{"id": e.id, "display_name": e.display_name, "media_type": e.media_type, "size": e.size,
             "sha256": e.sha256, "shared_at": shared_at} for e, shared_at in rows]


def letter_data(referral) -> dict:
    """Everything the referral's letter says, as data. The letter's lines are rendered from this dict alone
    (render_lines) and GET /api/v1/referrals/{id} serialises it (agencies/schemas.py), so they cannot disagree.

    The complaint as the centre accepted it (the enterprise, the secret's three elements, the acts, when the
    infringement was discovered, the amounts, the remedies sought, the infringers with their credit codes and an
    earlier penalty decision), the evidence shared, the centre's covering message and its contact. Nothing in
    it is an agency's internal matter (notes, steps, other referrals), nor the enterprise's contact person:
    whoever may read the referral may read its letter (routing/access.py)."""
    c = referral.complaint
    centre = c.centre
    kind = letter_kind(referral)
    return {
        "kind": kind,
        "title": LETTER_TITLES[kind],
        "number": referral.letter_number,
        "addressee": _party(c.enterprise if kind == FILING_GUIDE else referral.agency),
        "agency": _party(referral.agency),
        "track": referral.track,
        "civil_route": referral.civil_route,
        "sent_at": referral.created_at,
        "message": referral.message,
        "complaint": {
            "id": c.id,
            "reference": c.reference,
            "submitted_at": c.submitted_at,
            "accepted_at": accepted_at(c),
            "enterprise": {"id": c.enterprise.id, "name": c.enterprise.name, "credit_code": c.enterprise.credit_code,
                           "district": c.enterprise.district},
            "secret_category": c.secret_category,
            "secret_description": c.secret_description,
            "confidentiality_measures": c.confidentiality_measures,
            "commercial_value": c.commercial_value,
            "infringers": [_infringer(i) for i in c.infringers],
            "infringing_acts": list(c.infringing_acts or []),
            "discovered_on": c.discovered_on,
            "estimated_loss": c.estimated_loss,
            "estimated_illegal_gains": c.estimated_illegal_gains,
            "holder_bankrupt_or_closed": c.holder_bankrupt_or_closed,
            "remedies": list(c.remedies or []),
            "preferred_tracks": list(c.preferred_tracks or []),
            "facts": c.facts,
        },
        "evidence": shared_evidence(referral),
        "centre": None if centre is None else {
            "id": centre.id, "name": centre.name, "contact_person": centre.contact_person, "phone": centre.phone,
            "email": centre.email},
    }


# --- the letter as lines (the PDF's content; the HTML template says the same), from letter_data alone -----

def letter_lines(referral) -> list[str]:
    """The letter as lines of text (the PDF's content; the HTML template says the same)."""
    return render_lines(letter_data(referral))


def render_lines(data: dict) -> list[str]:
    """The letter's lines from letter_data's dict and nothing else (a test rebuilds them from the API's JSON)."""
    if data["kind"] == MEDIATION_LETTER:
        return _mediation_lines(data)
    if data["kind"] == FILING_GUIDE:
        return _filing_guide_lines(data)
    return _referral_lines(data)


def _acceptance(complaint: dict) -> str:
    """"本中心于……受理": the acceptance time, not the submission time."""
    at = complaint["accepted_at"]
    return f"本中心于{format_local(at)}受理" if at is not None else "本中心已受理"


def _infringer_text(infringer: dict) -> str:
    """The name, then its credit code and an earlier penalty decision (文号，机关，日期) in brackets."""
    notes = []
    if infringer["credit_code"]:
        notes.append(f"统一社会信用代码：{infringer['credit_code']}")
    if (penalty := infringer["penalty_decision"]) is not None:
        decided_on = penalty["decided_on"].isoformat() if penalty["decided_on"] else "日期不详"
        notes.append(f"曾受行政处罚：{penalty['number']}，{penalty['authority'] or '机关不详'}，{decided_on}")
    return (infringer["name"] or "不详") + (f"（{'；'.join(notes)}）" if notes else "")


def _infringers(complaint: dict) -> str:
    return "；".join(_infringer_text(i) for i in complaint["infringers"]) or "不详"


def evidence_lines(evidence) -> list[str]:
    """One line per file: its name and full SHA-256 digest (a reader checks the file against it)."""
    return [f"{n}. {e['display_name']}，SHA-256：{e['sha256']}" for n, e in enumerate(evidence, start=1)]


def centre_lines(centre: dict | None) -> list[str]:
    """The centre's signature: its name and its contact person and telephone."""
    if centre is None:
        return []
    contact = "，".join(part for part in (
        f"联系人：{centre['contact_person']}" if centre["contact_person"] else "",
        f"联系电话：{centre['phone']}" if centre["phone"] else "") if part)
    return [centre["name"], *([contact] if contact else [])]


def _secret_lines(c: dict) -> list[str]:
    return [
        f"商业秘密类别：{SECRET_CATEGORY_LABELS.get(c['secret_category'], '')}",
        f"商业秘密内容：{c['secret_description'] or ''}",
        f"保密措施：{c['confidentiality_measures'] or ''}",
        f"商业价值：{c['commercial_value'] or ''}",
    ]


def _acts(c: dict) -> str:
    return f"侵权行为：{'；'.join(str(act_label(a)) for a in c['infringing_acts'])}"


def _discovered(c: dict) -> str:
    return f"发现侵权时间：{c['discovered_on'].isoformat() if c['discovered_on'] else '不详'}"


def _remedies(c: dict) -> str:
    return f"请求事项：{'；'.join(str(remedy_label(r)) for r in c['remedies']) or '无'}"


def _evidence(data: dict, heading: str) -> list[str]:
    evidence = data["evidence"]
    return [f"{heading}：{len(evidence)}份" + ("：" if evidence else "。"), *evidence_lines(evidence)]


def _heading(data: dict, addressee: str) -> list[str]:
    """The letter's title, number and salutation."""
    return [data["title"], f"编号：{data['number']}", "", f"{addressee}："]


def _complainant(c: dict) -> str:
    return f"{c['enterprise']['name']}（统一社会信用代码：{c['enterprise']['credit_code']}）"


def _referral_lines(data: dict) -> list[str]:
    c = data["complaint"]
    return [
        *_heading(data, data["agency"]["name"]),
        (f"{_acceptance(c)}{_complainant(c)}提出的商业秘密侵权投诉（投诉编号：{c['reference']}）。"
         f"经初步审查，现将该案移送贵单位依法处理（{TRACK_LABELS[data['track']]}）。"),
        "",
        *_secret_lines(c),
        f"涉嫌侵权人：{_infringers(c)}",
        _acts(c),
        _discovered(c),
        f"估计损失：{_amount(c['estimated_loss'])}",
        f"估计违法所得：{_amount(c['estimated_illegal_gains'])}",
        _remedies(c),
        f"基本事实：{c['facts'] or ''}",
        *_evidence(data, "随函移送证据"),
        "",
        f"附言：{data['message'] or '无'}",
        "",
        "请于收到本函后及时签收并反馈处理情况。",
        "",
        *centre_lines(data["centre"]),
        f"{format_local(data['sent_at'])}",
    ]


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


def _civil_facts(data: dict) -> list[str]:
    c = data["complaint"]
    return [
        *_secret_lines(c),
        f"被诉侵权人：{_infringers(c)}",
        _acts(c),
        _discovered(c),
        f"基本事实：{c['facts'] or ''}",
        f"估计损失：{_amount(c['estimated_loss'])}",
        _remedies(c),
        *_evidence(data, "证据目录"),
    ]


def _mediation_lines(data: dict) -> list[str]:
    c = data["complaint"]
    return [
        *_heading(data, data["agency"]["name"]),
        (f"{_acceptance(c)}{_complainant(c)}提出的商业秘密侵权投诉（投诉编号：{c['reference']}）。经初步审查，该纠纷系民事纠纷，经该企业同意，"
         "现商请贵院依诉调对接机制组织诉前调解。"),
        "",
        *_civil_facts(data),
        "",
        f"附言：{data['message'] or '无'}",
        "",
        "请于收到本函后及时签收并组织诉前调解；调解成功的，请告知调解结果；调解不成的，该企业可依法向贵院提起诉讼。",
        "",
        *centre_lines(data["centre"]),
        f"{format_local(data['sent_at'])}",
    ]


def _filing_guide_lines(data: dict) -> list[str]:
    c = data["complaint"]
    court = data["agency"]["name"]
    return [
        *_heading(data, data["addressee"]["name"]),
        (f"{_acceptance(c)}贵单位提出的商业秘密侵权投诉（投诉编号：{c['reference']}）。"
         f"经初步审查，该纠纷系民事纠纷，由贵单位作为原告依法向{court}提起诉讼。"
         "本中心已整理下列案件材料，并告知该院。"),
        "",
        *_civil_facts(data),
        "",
        "起诉所需材料：",
        *FILING_MATERIALS,
        "",
        f"受理法院：{court}。法院自起诉材料齐全之日起七日内决定是否登记立案。",
        f"附言：{data['message'] or '无'}",
        "",
        *centre_lines(data["centre"]),
        f"{format_local(data['sent_at'])}",
    ]
