"""The case file's download for the pages: /complaints/<id>/case-file.zip (a clerk of its centre, a supervisor)."""
from flask import Blueprint
from flask_login import current_user, login_required

from . import casefile

bp = Blueprint("casefile_pages", __name__, url_prefix="/complaints")


@bp.get("/<complaint_id>/case-file.zip")
@login_required
def download(complaint_id):
    return casefile.response(current_user, complaint_id)


@bp.app_context_processor
def case_file_helpers():
    return {"can_download_case_file": casefile.can_download_case_file}
