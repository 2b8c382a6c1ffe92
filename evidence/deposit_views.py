"""The deposit log's pages: the public log (public key, checkpoint history), the public verification page,
a checkpoint's signed note, the on-demand checkpoint (administrators and supervisors) and an evidence file's
certificate (page and PDF) for those who may see the file."""
from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from markupsafe import Markup

from core.errors import NotFound, ValidationFailed
from core.limits import accepts_files, page_arg
from core.pages import load
from core.pagination import Pages, desc, fetch

from . import access, deposits
from .deposit_schemas import VerifySchema
from .models import DepositCheckpoint

bp = Blueprint("deposits", __name__)
PER_PAGE = 20


def _log_context():
    from core import signing
    from .checkpoints import verifier_key

    return {"origin": deposits.origin(), "public_key_pem": signing.public_key_pem(),
            "verifier_key": verifier_key(deposits.origin(), signing.public_key_raw()),
            "fingerprint": signing.key_fingerprint()}


@bp.get("/deposits")
def log_page():
    """Public: the log's key and its checkpoints, newest first."""
    page = page_arg()
    checkpoints = fetch(deposits.checkpoint_list(), [desc(DepositCheckpoint.size)], Pages(page=page, per_page=PER_PAGE))
    return render_template("evidence/deposit_log.html", checkpoints=checkpoints, page=page, per_page=PER_PAGE,
                           can_take_checkpoint=access.can_take_checkpoint(current_user), **_log_context())


@bp.post("/deposits/checkpoints")
@login_required
def take_checkpoint():
    if not access.can_take_checkpoint(current_user):
        raise NotFound()
    checkpoint, new = deposits.take_checkpoint()
    if new:
        flash(_("A checkpoint of %(size)d entries was signed.", size=checkpoint.size))
    else:
        flash(_("Nothing was added since the last checkpoint (%(size)d entries): no new one was needed.",
                size=checkpoint.size))
    return redirect(url_for("deposits.log_page"))


@bp.get("/deposits/checkpoints/<int:size>")
def checkpoint_note(size):
    """Public: a checkpoint's signed note, verbatim (text/plain)."""
    checkpoint = deposits.checkpoint_of_size(size)
    if checkpoint is None:
        raise NotFound()
    response = Response(checkpoint.note, mimetype="text/plain")
    response.headers["Content-Disposition"] = f'inline; filename="checkpoint-{size}.txt"'
    return response


@bp.get("/deposits/verify")
def verify_page():
    return render_template("evidence/deposit_verify.html", errors={}, values={}, sha256=None, found=None)


@bp.post("/deposits/verify")
@accepts_files
def verify_submit():
    """Public: a file (hashed here, not kept) or a SHA-256; found or not, and the proof checked."""
    upload = request.files.get("file")
    typed = request.form.get("sha256", "").strip()
    try:
        if upload is not None and upload.filename:
            sha256 = deposits.sha256_of_stream(upload.stream)
        elif typed:
            sha256 = load(VerifySchema(), {"sha256": typed})["sha256"].lower()
        else:
            raise ValidationFailed({"sha256": [_("Choose a file or enter its SHA-256.")]})
    except ValidationFailed as exc:
        return render_template("evidence/deposit_verify.html", errors=exc.errors, values=request.form,
                               sha256=None, found=None), 422
    found = deposits.verify_digest(sha256)
    return render_template("evidence/deposit_verify.html", errors={}, values={}, sha256=sha256, found=found,
                           latest=deposits.latest_checkpoint())


@bp.get("/complaints/<complaint_id>/evidence/<evidence_id>/certificate")
@login_required
def certificate_page(complaint_id, evidence_id):
    evidence = access.visible_evidence(current_user, complaint_id, evidence_id)
    cert = deposits.certificate(evidence)
    return render_template("evidence/deposit_certificate.html", cert=cert, steps=deposits.verification_steps(html=True),
                           root_algorithm=deposits.ROOT_ALGORITHM, complaint_id=complaint_id)


@bp.get("/complaints/<complaint_id>/evidence/<evidence_id>/certificate.pdf")
@login_required
def certificate_pdf(complaint_id, evidence_id):
    evidence = access.visible_evidence(current_user, complaint_id, evidence_id)
    response = Response(deposits.certificate_pdf(evidence), mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'attachment; filename="certificate-{evidence.id}.pdf"'
    return response


@bp.app_context_processor
def deposit_helpers():
    return {"can_take_checkpoint": access.can_take_checkpoint, "as_code": _code}


def _code(text) -> Markup:
    """A code inside a translated sentence (a formula, a key): <code>, so it is never taken for text to translate."""
    return Markup("<code>{}</code>").format(text)

