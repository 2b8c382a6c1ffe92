"""The submission receipt (受理回执): what the enterprise filed, when, with which centre, and the response
targets running for it — printable HTML in the reader's language, and a PDF in Chinese (an official
document, like the referral letter; both made by core.pdf).

Who may read it is ``can_read_receipt``: the enterprise that filed the complaint and the clerks of its
centre, once it is submitted. Everyone else gets 404, as for anything not theirs.

The response targets are deadlines, which intake may not import (deadlines sits to its right): the
deadlines package registers the provider (``register_targets``) when the app is built.
"""
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from flask_babel import force_locale, gettext as _

from accounts.enums import Role
from accounts.models import Organisation
from core.errors import NotFound
from core.money import format_money
from core.models import utcnow
from core.pdf import lines_pdf
from core.timeutil import format_local

from . import services
from .enums import CENTRE_DECIDES, INFRINGER_KIND_LABELS, SECRET_CATEGORY_LABELS, TRACK_LABELS, Track
from .models import Complaint
from .presenters import act_label, remedy_label


@dataclass(frozen=True)
class Target:
    """A response target running for the complaint, as the enterprise may see it."""

    label: str
    due_at: dt.datetime
    provisional: bool = False
    paused: bool = False


_TARGET_PROVIDERS: list[Callable[[Complaint], list[Target]]] = []


def register_targets(provider: Callable[[Complaint], list[Target]]) -> None:
    """Let the deadlines package say which response targets run for a complaint (registered once)."""
    if provider not in _TARGET_PROVIDERS:
        _TARGET_PROVIDERS.append(provider)


def can_read_receipt(actor, complaint: Complaint) -> bool:
    """The enterprise that filed the complaint and the clerks of its centre, after submission."""
    if complaint.reference is None or complaint.submitted_at is None:
        return False
    role = getattr(actor, "role", None)
    org = getattr(actor, "organisation_id", None)
    if role is Role.enterprise_user:
        return complaint.enterprise_id == org
    if role is Role.clerk:
        return complaint.centre_id == org
    return False


def get_receipt_complaint(actor, complaint_id) -> Complaint:
    """The complaint whose receipt the actor may read, or 404 (not theirs, or not submitted yet)."""
    complaint = services.get_visible_complaint(actor, complaint_id, with_infringers=True)
    if not can_read_receipt(actor, complaint):
        if complaint.reference is None and complaint.enterprise_id == getattr(actor, "organisation_id", None):
            raise NotFound(_("There is no receipt yet: it is issued when the complaint is submitted."))
        raise NotFound()
    return complaint


@dataclass
class Receipt:
    complaint: Complaint
    filed: list[tuple[str, str]]  # (label, value) in the language it was built in
    evidence: list  # the files filed with the submission
    later_evidence: list  # files added after it
    centre: Organisation | None
    centre_contact: list[tuple[str, str]]
    targets: list[Target]
    issued_at: dt.datetime = field(default_factory=utcnow)


def _sep() -> str:
    return _("; ")


def _yes_no(value) -> str:
    return {True: _("Yes"), False: _("No")}.get(value, _("Don't know"))


def _infringer(i) -> str:
    kind = str(INFRINGER_KIND_LABELS.get(i.kind, "")) if i.kind else ""
    text = _("%(label)s: %(value)s", label=kind, value=i.name or "—")
    return _("%(name)s (credit code %(code)s)", name=text, code=i.credit_code) if i.credit_code else text


def _track(value) -> str:
    if value == CENTRE_DECIDES:
        return _("Let the centre decide")
    try:
        return str(TRACK_LABELS[Track(value)])
    except ValueError:
        return "—"


def _filed(c: Complaint) -> list[tuple[str, str]]:
    sep = _sep()
    enterprise = _("%(name)s (credit code %(code)s)", name=c.enterprise.name, code=c.enterprise.credit_code)
    contact = sep.join(v for v in (c.contact_name, c.contact_phone, c.contact_email) if v) or "—"
    return [
        (_("Enterprise"), enterprise),
        (_("Contact"), contact),
        (_("Category"), str(SECRET_CATEGORY_LABELS[c.secret_category]) if c.secret_category else "—"),
        (_("What the secret is"), c.secret_description or "—"),
        (_("Confidentiality measures taken"), c.confidentiality_measures or "—"),
        (_("Why it has commercial value"), c.commercial_value or "—"),
        (_("Suspected infringers"), sep.join(_infringer(i) for i in c.infringers) or "—"),
        (_("Infringing acts"), sep.join(str(act_label(a)) for a in c.infringing_acts) or "—"),
        (_("Discovered on"), c.discovered_on.isoformat() if c.discovered_on else "—"),
        (_("Estimated loss (RMB)"), format_money(c.estimated_loss)),
        (_("Estimated illegal gains (RMB)"), format_money(c.estimated_illegal_gains)),
        (_("Holder driven into bankruptcy or closure"), _yes_no(c.holder_bankrupt_or_closed)),
        (_("Remedies sought"), sep.join(str(remedy_label(r)) for r in c.remedies) or "—"),
        (_("Preferred tracks"), sep.join(_track(t) for t in c.preferred_tracks) or "—"),
        (_("The facts, in the enterprise's words"), c.facts or "—"),
    ]


def _centre_contact(centre: Organisation | None) -> list[tuple[str, str]]:
    if centre is None:
        return []
    rows = [(_("Centre"), centre.name)]
    if centre.contact_person:
        rows.append((_("Contact person"), centre.contact_person))
    if centre.phone:
        rows.append((_("Telephone"), centre.phone))
    if centre.email:
        rows.append((_("E-mail"), centre.email))
    return rows


def build_receipt(actor, complaint: Complaint) -> Receipt:
    """The receipt's content, in the current language (call it under force_locale for another)."""
    files = services.list_evidence(actor, complaint) if services.can_see_evidence(actor, complaint) else []
    at_submission = [e for e in files if not services.added_later(complaint, e)]
    targets = [t for provider in _TARGET_PROVIDERS for t in provider(complaint)]
    return Receipt(complaint=complaint, filed=_filed(complaint), evidence=at_submission,
                   later_evidence=[e for e in files if services.added_later(complaint, e)],
                   centre=complaint.centre, centre_contact=_centre_contact(complaint.centre),
                   targets=sorted(targets, key=lambda t: t.due_at))


def size_text(size: int) -> str:
    return _("%(bytes)s bytes", bytes="{:,}".format(size))


def target_text(target: Target) -> str:
    text = format_local(target.due_at)
    if target.provisional:
        text += _(" (provisional: the calendar for that year is not published yet)")
    if target.paused:
        text += _(" (paused)")
    return text


def receipt_lines(receipt: Receipt) -> list[str]:
    """The receipt as lines of text: the PDF's content (built in Chinese)."""
    c = receipt.complaint
    lines = [
        "商业秘密侵权投诉受理回执",
        f"投诉编号：{c.reference}",
        "",
        f"{c.enterprise.name}：",
        f"贵单位的商业秘密侵权投诉已于{format_local(c.submitted_at)}（上海时间）提交"
        f"{receipt.centre.name if receipt.centre else '维权中心'}，投诉编号为{c.reference}。现将所提交的内容、"
        "证据及办理时限告知如下。",
        "",
        "一、投诉内容",
        *(f"{label}：{value}" for label, value in receipt.filed),
        "",
        f"二、提交的证据（{len(receipt.evidence)}份）" + ("" if receipt.evidence else "：无"),
        *(f"{n}. {e.display_name}，大小：{e.size:,}字节，SHA-256：{e.sha256}"
          for n, e in enumerate(receipt.evidence, start=1)),
    ]
    if receipt.later_evidence:
        lines += ["", f"提交后补充的证据（{len(receipt.later_evidence)}份）",
                  *(f"{n}. {e.display_name}，大小：{e.size:,}字节，SHA-256：{e.sha256}，"
                    f"补充时间：{format_local(e.created_at)}"
                    for n, e in enumerate(receipt.later_evidence, start=1))]
    lines += ["", "三、受理中心", *(f"{label}：{value}" for label, value in receipt.centre_contact)]
    lines += ["", "四、办理时限（上海时间）"]
    lines += [f"{t.label}：{target_text(t)}前" for t in receipt.targets] or ["目前无进行中的办理时限。"]
    lines += ["", "本回执由平台根据提交记录生成。证据文件可按其 SHA-256 摘要核对。", "",
              *([receipt.centre.name] if receipt.centre else []), f"出具时间：{format_local(receipt.issued_at)}"]
    return lines


def receipt_pdf(actor, complaint: Complaint) -> bytes:
    """The receipt as an A4 PDF in Chinese, embedding its font (core.pdf: 503 when the font is missing)."""
    with force_locale("zh"):
        lines = receipt_lines(build_receipt(actor, complaint))
    return lines_pdf(lines, title=f"{complaint.reference} 受理回执")
