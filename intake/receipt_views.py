"""The submission receipt's pages: /complaints/<id>/receipt (printable HTML) and /complaints/<id>/receipt.pdf."""
from flask import Blueprint, Response, render_template
from flask_login import current_user, login_required

from . import receipt

bp = Blueprint("receipt", __name__, url_prefix="/complaints")


@bp.get("/<complaint_id>/receipt")
@login_required
def receipt_page(complaint_id):
    complaint = receipt.get_receipt_complaint(current_user, complaint_id)
    return render_template("intake/receipt.html", receipt=receipt.build_receipt(current_user, complaint),
                           size_text=receipt.size_text, target_text=receipt.target_text)


@bp.get("/<complaint_id>/receipt.pdf")
@login_required
def receipt_pdf(complaint_id):
    complaint = receipt.get_receipt_complaint(current_user, complaint_id)
    response = Response(receipt.receipt_pdf(current_user, complaint), mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'attachment; filename="{complaint.reference}-receipt.pdf"'
    return response


@bp.app_context_processor
def receipt_helpers():
    """Pages show the receipt's link exactly to those who may read it (the complaint page, the triage page)."""
    return {"can_read_receipt": receipt.can_read_receipt}
