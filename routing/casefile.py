"""The case file (卷宗): a complaint's whole file as one ZIP, streamed.

What is in it (names in the ZIP, all in Chinese where they are documents):

- ``00-案件摘要.pdf``: the summary (core.pdf): the complaint, its referrals with their states and outcomes,
  its consultations;
- ``01-时间线.txt`` (the timeline in plain words) and ``01-timeline.json`` (every row, as the API's record);
- ``移送函/<letter number>.pdf``: each referral's letter (routing.letters);
- ``02-处理结果.json``: each referral's decisions and outcome (case number, reasons, results, amounts);
- ``会商纪要/<n>.txt``: each consultation's questions, opinions, minutes and conclusion;
- ``回执/<kind>-<id>.json``: the signed receipts (routing.receipts), exactly as issued;
- ``证据/<n>-<name>``: the evidence, decrypted from the vault, each authenticated in full before the
  answer starts (a damaged file: 410, nothing sent); ``存证证书/<n>.pdf``: its deposit certificate when the
  deposit log offers one (``evidence.deposits.certificate_pdf``);
- ``manifest.json``: every other entry's name, size and SHA-256, signed like a receipt (routing.receipts,
  kind ``case_file``: stored and put in the deposit log).

Who may download: a clerk of the complaint's centre and the supervisors (``can_download_case_file``); anyone
else 404. Every download is audited (``case_file.downloaded``). The ZIP is written into a generator
(zipfile on a non-seekable sink, data descriptors after each entry), so memory holds one chunk of one file
whatever the evidence's size.
"""
import hashlib
import json
import zipfile
from dataclasses import dataclass, field

from urllib.parse import quote

from flask import Response, stream_with_context
from flask_babel import force_locale
from sqlalchemy import select

from accounts.enums import Role
from core.audit import audit
from core.errors import DomainError, NotFound
from core.extensions import db
from core.models import utcnow
from core.pdf import lines_pdf
from core.timeutil import format_local
from evidence import deposits
from evidence.services import EvidenceDamaged, evidence_of, open_for_download
from intake.enums import COMPLAINT_STATE_LABELS, TRACK_LABELS
from intake.models import Complaint
from intake.services import get_visible_complaint, timeline

from . import letters, receipts
from .enums import CONSULTATION_STATE_LABELS, REFERRAL_STATE_LABELS
from .models import Consultation, Referral

CHUNK = 64 * 1024


def can_download_case_file(actor, complaint: Complaint) -> bool:
    """A clerk of the complaint's centre, or a supervisor; the complaint submitted."""
    if complaint.reference is None:
        return False
    role = getattr(actor, "role", None)
    if role is Role.clerk:
        return complaint.centre_id == actor.organisation_id
    return role is Role.supervisor


def get_case_file_complaint(actor, complaint_id) -> Complaint:
    complaint = get_visible_complaint(actor, complaint_id, with_infringers=True)
    if not can_download_case_file(actor, complaint):
        raise NotFound()
    return complaint


@dataclass
class CaseFile:
    complaint: Complaint
    documents: list[tuple[str, bytes]]  # small entries, built before the answer starts
    evidence: list[tuple[str, object, int, str]]  # (name, the verified plaintext chunks, size, sha256)
    manifest: bytes  # the signed manifest.json (its receipt row stored and deposited)
    reference: str
    names: list[str] = field(default_factory=list)

    @property
    def filename(self) -> str:
        return f"{self.reference}-case-file.zip"


def _referrals(complaint) -> list[Referral]:
    return list(db.session.scalars(select(Referral).where(Referral.complaint_id == complaint.id)
                                   .order_by(Referral.created_at, Referral.id)))


def _consultations(complaint) -> list[Consultation]:
    return list(db.session.scalars(select(Consultation).where(Consultation.complaint_id == complaint.id)
                                   .order_by(Consultation.created_at, Consultation.id)))


def summary_lines(complaint, referrals, consultations) -> list[str]:
    lines = [
        "商业秘密侵权投诉案件卷宗摘要",
        f"投诉编号：{complaint.reference}",
        "",
        f"投诉企业：{complaint.enterprise.name}（统一社会信用代码：{complaint.enterprise.credit_code}）",
        f"受理中心：{complaint.centre.name if complaint.centre else '无'}",
        f"提交时间：{format_local(complaint.submitted_at)}（上海时间）",
        f"当前状态：{COMPLAINT_STATE_LABELS.get(complaint.state, complaint.state.value)}",
        f"涉嫌侵权人：{'；'.join(i.name or '不详' for i in complaint.infringers) or '不详'}",
        "",
        f"移送（{len(referrals)}件）" + ("：" if referrals else "：无"),
    ]
    for n, r in enumerate(referrals, start=1):
        parts = [f"{n}. {r.letter_number}，{r.agency.name}，{TRACK_LABELS[r.track]}，"
                 f"{REFERRAL_STATE_LABELS.get(r.state, r.state.value)}"]
        if r.agency_case_number:
            parts.append(f"案号：{r.agency_case_number}")
        if r.outcome and r.outcome.get("summary"):
            parts.append(f"结果：{r.outcome['summary']}")
        lines.append("，".join(parts))
    lines += ["", f"会商（{len(consultations)}次）" + ("：" if consultations else "：无")]
    lines += [f"{n}. {format_local(c.created_at)}，{CONSULTATION_STATE_LABELS.get(c.state, c.state.value)}"
              + (f"，结论：{c.conclusion}" if c.conclusion else "") for n, c in enumerate(consultations, start=1)]
    lines += ["", "本卷宗所含文件及其 SHA-256 摘要见 manifest.json（平台签名）。", f"生成时间：{format_local(utcnow())}"]
    return lines


def _timeline(actor, complaint) -> tuple[bytes, bytes]:
    from .presenters import event_text  # the timeline in plain words, as the pages say it

    rows = timeline(actor, complaint, record=True)  # the JSON: every row written, as the API's record
    text = "\n".join(f"{format_local(e.at)}  {event_text(e)}" for e in timeline(actor, complaint)) + "\n"
    data = [{"id": e.id, "at": e.at, "kind": e.kind, "trigger": e.trigger, "from_state": e.from_state,
             "to_state": e.to_state, "reason": e.reason, "public": e.public, "referral_id": e.referral_id,
             "consultation_id": e.consultation_id, "payload": e.payload} for e in rows]
    return text.encode("utf-8"), _json(data)


def _json(value) -> bytes:
    return json.dumps(receipts.plain(value), ensure_ascii=False, indent=2, sort_keys=True).encode("utf-8")


def _outcomes(referrals) -> bytes:
    return _json([{"referral_id": r.id, "letter_number": r.letter_number, "agency": r.agency.name,
                   "track": r.track, "state": r.state, "acknowledged_by": r.acknowledged_by_name,
                   "acknowledged_at": r.acknowledged_at, "case_number": r.agency_case_number,
                   "decided_at": r.decided_at, "decline_reason": r.decline_reason, "return_reason": r.return_reason,
                   "return_message": r.return_message, "outcome": r.outcome, "fine_amount": r.fine_amount,
                   "confiscation_amount": r.confiscation_amount, "damages_amount": r.damages_amount,
                   "concluded_at": r.concluded_at} for r in referrals])


def _minutes(c: Consultation) -> bytes:
    lines = [f"会商（{format_local(c.created_at)}），状态：{CONSULTATION_STATE_LABELS.get(c.state, c.state.value)}",
             "", "会商问题："] + [f"- {q}" for q in (c.questions or [])] + ["", "各单位意见："]
    lines += [f"- {i.agency.name}：{i.opinion or '未提交'}" for i in c.invitations]
    lines += ["", f"会商纪要：{c.minutes or '无'}", f"会商结论：{c.conclusion or '无'}"]
    return ("\n".join(lines) + "\n").encode("utf-8")


def _safe(name: str) -> str:
    return name.replace("/", "_").replace("\\", "_")


def build(actor, complaint: Complaint) -> CaseFile:
    """Everything the ZIP holds, checked, with its signed manifest issued and audited (in the caller's
    transaction); the evidence verified in full now, streamed later."""
    referrals, consultations = _referrals(complaint), _consultations(complaint)
    with force_locale("zh"):
        documents = [("00-案件摘要.pdf", lines_pdf(summary_lines(complaint, referrals, consultations),
                                                   title=f"{complaint.reference} 案件卷宗摘要"))]
        text, data = _timeline(actor, complaint)
        documents += [("01-时间线.txt", text), ("01-timeline.json", data), ("02-处理结果.json", _outcomes(referrals))]
        documents += [(f"移送函/{_safe(r.letter_number)}.pdf", letters.letter_pdf(r)) for r in referrals]
    documents += [(f"会商纪要/{n}.txt", _minutes(c)) for n, c in enumerate(consultations, start=1)]
    documents += [(f"回执/{r.kind}-{r.id}.json", r.document.encode("utf-8"))
                  for r in receipts.receipts_for_case_file(complaint)]
    # the deposit log's certificates (evidence.deposits.certificate_pdf, part "deposits"); until the log offers
    # them, the ZIP says so in 存证证书/说明.txt
    certificate = getattr(deposits, "certificate_pdf", None)
    if certificate is None:
        documents.append(("存证证书/说明.txt", "存证日志尚未提供证据的存证证书；各证据的 SHA-256 见 manifest.json。\n".encode()))
    evidence = []
    for n, e in enumerate(evidence_of(complaint.id), start=1):
        name = f"证据/{n:03d}-{_safe(e.display_name)}"
        evidence.append((name, open_for_download(e, actor).open(), e.size, e.sha256))  # 410 if damaged
        if certificate is not None:
            try:
                documents.append((f"存证证书/{n:03d}-{_safe(e.display_name)}.pdf", certificate(e)))
            except DomainError as exc:  # e.g. a file stored before the deposit log: no leaf, no certificate
                documents.append((f"存证证书/{n:03d}-{_safe(e.display_name)}.txt",
                                  f"该证据暂无存证证书：{exc.message}\n".encode("utf-8")))
    files = [{"name": name, "size": len(body), "sha256": hashlib.sha256(body).hexdigest()} for name, body in documents]
    files += [{"name": name, "size": size, "sha256": sha256} for name, _chunks, size, sha256 in evidence]
    manifest = receipts.issue_case_file_manifest(complaint, actor, files)
    audit("case_file.downloaded", actor=actor, subject_type="complaint", subject_id=complaint.id,
          reference=complaint.reference, manifest=str(manifest.id), manifest_sha256=manifest.sha256,
          files=len(files), evidence=len(evidence))
    return CaseFile(complaint, documents, evidence, manifest.document.encode("utf-8"), complaint.reference,
                    [f["name"] for f in files])


class _Sink:
    """A write-only, non-seekable file: zipfile writes local headers, data, then data descriptors."""

    def __init__(self):
        self._parts = []

    def write(self, data) -> int:
        self._parts.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        pass

    def take(self) -> bytes:
        data = b"".join(self._parts)
        self._parts.clear()
        return data


def stream(case_file: CaseFile):
    """The ZIP's bytes, piece by piece (a generator)."""
    sink = _Sink()
    with zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        for name, body in case_file.documents:
            archive.writestr(name, body)
            yield sink.take()
        for name, chunks, size, _sha256 in case_file.evidence:
            with archive.open(name, "w", force_zip64=size > 2**31) as entry:
                for chunk in chunks:
                    entry.write(chunk)
                    if (data := sink.take()):
                        yield data
            yield sink.take()
        archive.writestr("manifest.json", case_file.manifest)
    yield sink.take()


def response(actor, complaint_id) -> Response:
    """Build (and audit) the case file now, stream its ZIP after the commit: a damaged evidence file is a 410
    before anything is sent."""
    complaint = get_case_file_complaint(actor, complaint_id)
    try:
        case_file = build(actor, complaint)
    except EvidenceDamaged:
        db.session.commit()  # the failed attempt and the administrators' notice are kept (intake/downloads.py)
        raise
    answer = Response(stream_with_context(stream(case_file)), mimetype="application/zip")
    answer.headers["Content-Disposition"] = (
        f'attachment; filename="{case_file.filename}"; '
        f"filename*=UTF-8''{quote(case_file.filename)}")
    answer.headers["Cache-Control"] = "no-store"
    answer.headers["X-Content-Type-Options"] = "nosniff"
    return answer
