"""The signed receipts' pages: the download (/receipts/<id>.json) and the lists the complaint, triage and
referral pages include (templates/routing/_receipts.html, through the ``receipts_of`` helper)."""
from flask import Blueprint
from flask_login import current_user, login_required

from . import receipts

bp = Blueprint("receipt_pages", __name__, url_prefix="/receipts")


@bp.get("/<receipt_id>.json")
@login_required
def download(receipt_id):
    return receipts.response(receipts.get_visible_receipt(current_user, receipt_id))


def receipts_of(complaint=None, referral=None) -> list:
    """The receipts the signed-in user may download, of a referral or of a complaint (none: not shown)."""
    if referral is not None:
        return receipts.referral_receipts(current_user, referral)
    return receipts.receipts_for(current_user, complaint) if complaint is not None else []


@bp.app_context_processor
def receipt_helpers():
    return {"receipts_of": receipts_of, "RECEIPT_KIND_LABELS": receipts.KIND_LABELS}
