"""The anonymiser of typical cases: what a draft starts from, and what must not be left in a published text.

From the complaint it removes the enterprise's name, the infringers' names, every person's name the record
holds (contact, the users who filed and handled it, the agency officers who signed for it), credit codes
(the record's and anything shaped like a unified social credit code), amounts of money (the record's and
any number written with 元/万元/亿元/RMB/¥), phone numbers and e-mail addresses, and the secret's
description (never quoted: the draft names only the category of the secret). The supervisor edits the
result; ``leaks`` names what identifying text an edited draft still holds, and approval refuses it.
"""
import re
from decimal import Decimal

from flask_babel import force_locale, get_locale
from flask_babel import gettext as _

from intake.enums import INFRINGING_ACT_LABELS, SECRET_CATEGORY_LABELS, InfringerKind, InfringingAct
from intake.models import Complaint

# GB 32100-2015's alphabet: digits and upper-case letters but I, O, Z, S, V
CREDIT_CODE = re.compile(r"(?<![0-9A-Z])[0-9A-HJ-NPQRTUWXY]{2}[0-9]{6}[0-9A-HJ-NPQRTUWXY]{10}(?![0-9A-Z])")
AMOUNT = re.compile(r"(?:[¥￥]\s*[0-9][0-9,，.]*\s*(?:万|亿)?(?:元)?|(?:人民币|RMB)?\s*[0-9][0-9,，.]*\s*(?:万|亿)?\s*(?:元|RMB))")
PHONE = re.compile(r"(?<![0-9])(?:\+?86[- ]?)?1[3-9][0-9]{9}(?![0-9])|(?<![0-9])0[0-9]{2,3}-?[0-9]{7,8}(?![0-9])")
EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")
# organisation-name endings: a name is also found without them ("上海某某科技" for "上海某某科技有限公司")
ORG_SUFFIXES = ("股份有限公司", "有限责任公司", "有限公司", "分公司", "办事处", "公司")
LETTERS = {"zh": "乙丙丁戊己庚辛壬癸", "en": "BCDEFGHIJ"}  # the parties after the right holder (A)
MIN_NAME = 2  # shorter fragments would scrub ordinary words


REGION = re.compile(r"^(?:上海市|上海|江苏省|江苏|浙江省|浙江|[\u4e00-\u9fff]{2}[省市])")


def _org_variants(name: str) -> list[str]:
    """The name, without its legal-form ending, and its trade name (字号: the two characters after the region,
    as in "鲜达公司" for "上海鲜达供应链管理有限公司")."""
    name = name.strip()
    variants = {name}
    core = name
    for suffix in ORG_SUFFIXES:
        if name.endswith(suffix) and len(name) - len(suffix) >= MIN_NAME + 1:
            variants.add(name[: -len(suffix)])
            core = min(core, name[: -len(suffix)], key=len)
    if re.fullmatch(r"[\u4e00-\u9fff]+", core):
        trade = REGION.sub("", core)
        if len(trade) >= 4:  # a trade name followed by the line of business
            variants.update({trade[:2], trade[:2] + "公司"})
    return sorted(variants, key=len, reverse=True)


def _amount_texts(value: Decimal | None) -> list[str]:
    if value is None:
        return []
    value = Decimal(value)
    plain = format(value.normalize(), "f")
    texts = {plain, f"{value:,.2f}", f"{value:.2f}", f"{int(value):,}", str(int(value))}
    if value >= 10000 and value % 100 == 0:
        texts.add(format((value / 10000).normalize(), "f") + "万")
    texts = {t for t in texts if len(t) >= 3}
    texts |= {t + "元" for t in texts if not t.endswith("万")} | {t + "元" for t in texts if t.endswith("万")}
    return sorted(texts, key=len, reverse=True)


def _person_names(complaint: Complaint) -> list[str]:
    names = {complaint.contact_name, complaint.created_by.name if complaint.created_by else None,
             complaint.claimed_by.name if complaint.claimed_by else None}
    from routing.models import Referral  # publication is right of routing
    from core.extensions import db
    from sqlalchemy import select

    for referral in db.session.scalars(select(Referral).where(Referral.complaint_id == complaint.id)):
        names.add(referral.acknowledged_by_name)
    return [n.strip() for n in names if n and len(n.strip()) >= MIN_NAME]


def replacements(complaint: Complaint) -> list[tuple[str, str]]:
    """(text, placeholder) pairs of the complaint's own identifying texts, longest first."""
    pairs = []
    for variant in _org_variants(complaint.enterprise.name):
        pairs.append((variant, _("Company A")))
    if complaint.enterprise.credit_code:
        pairs.append((complaint.enterprise.credit_code, _("[credit code removed]")))
    for n, infringer in enumerate(sorted(complaint.infringers, key=lambda i: i.position)):
        letters = LETTERS["en" if str(get_locale() or "zh").startswith("en") else "zh"]
        letter = letters[n % len(letters)]
        person = infringer.kind in (InfringerKind.former_employee, InfringerKind.current_employee)
        placeholder = _("Person %(letter)s", letter=letter) if person else _("Company %(letter)s", letter=letter)
        if infringer.name and len(infringer.name.strip()) >= MIN_NAME:
            for variant in ([infringer.name.strip()] if person else _org_variants(infringer.name)):
                pairs.append((variant, placeholder))
        if infringer.credit_code:
            pairs.append((infringer.credit_code, _("[credit code removed]")))
    for name in _person_names(complaint):
        pairs.append((name, _("Mr or Ms X")))
    for value in (complaint.estimated_loss, complaint.estimated_illegal_gains):
        for text in _amount_texts(value):
            pairs.append((text, _("[amount removed]")))
    if complaint.secret_description and len(complaint.secret_description.strip()) >= MIN_NAME:
        pairs.append((complaint.secret_description.strip(), _("[details of the secret removed]")))
    return sorted(pairs, key=lambda p: len(p[0]), reverse=True)


def scrub(text: str | None, complaint: Complaint) -> str:
    """``text`` without the complaint's identifying texts and without anything shaped like a credit code, an
    amount, a phone number or an e-mail address."""
    if not text:
        return ""
    for original, placeholder in replacements(complaint):
        text = text.replace(original, placeholder)
    text = CREDIT_CODE.sub(_("[credit code removed]"), text)
    text = EMAIL.sub(_("[e-mail removed]"), text)
    text = AMOUNT.sub(_("[amount removed]"), text)
    text = PHONE.sub(_("[phone number removed]"), text)
    return text


def leaks(text: str, complaint: Complaint) -> list[str]:
    """The identifying texts ``text`` still holds (the record's names, codes and amounts, and anything shaped
    like a credit code, phone number or e-mail address), as found."""
    found = [original for original, _placeholder in replacements(complaint) if original in text]
    for pattern in (CREDIT_CODE, EMAIL, PHONE):
        found += pattern.findall(text)
    return sorted(set(found), key=len, reverse=True)


def _acts(complaint: Complaint) -> str:
    acts = []
    for value in complaint.infringing_acts or []:
        try:
            acts.append(str(INFRINGING_ACT_LABELS[InfringingAct(value)]))
        except ValueError:
            continue
    return _("; ").join(acts)


def _draft_in_locale(complaint: Complaint, outcome: str) -> dict:
    category = SECRET_CATEGORY_LABELS.get(complaint.secret_category) if complaint.secret_category else None
    title = _("A trade-secret case: %(category)s", category=category or _("commercial information"))
    lines = [_("The right holder: Company A (anonymised)."),
             _("The secret: %(category)s; its details are not published.", category=category or _("commercial information"))]
    acts = _acts(complaint)
    if acts:
        lines.append(_("The infringing acts: %(acts)s.", acts=acts))
    facts = scrub(complaint.facts, complaint)
    if facts:
        lines.append(_("What happened: %(facts)s", facts=facts))
    if outcome:
        lines.append(_("The outcome: %(outcome)s", outcome=outcome))
    return {"title": title[:200], "summary": "\n\n".join(lines)}


def draft_texts(complaint: Complaint, outcome: str = "") -> dict:
    """The texts a new draft starts from, in Chinese and English (the facts stay as the enterprise wrote
    them, scrubbed; the supervisor translates or shortens them)."""
    result = {}
    for locale in ("zh", "en"):
        with force_locale(locale):
            texts = _draft_in_locale(complaint, scrub(outcome, complaint))
        result[f"title_{locale}"], result[f"summary_{locale}"] = texts["title"], texts["summary"]
    return result
