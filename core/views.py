"""Home page, health check and the locally served interactive API page."""
from flask import Blueprint, redirect, render_template, url_for
from flask_login import current_user

from accounts.enums import Role

bp = Blueprint("core", __name__)
api_docs_bp = Blueprint("api_docs", __name__)


@bp.get("/")
def index():
    if current_user.is_authenticated:
        start = {Role.enterprise_user: "intake.list_complaints", Role.clerk: "centre.queue",
                 Role.supervisor: "centre.queue", Role.agency_officer: "agency.inbox"}.get(current_user.role)
        if start:
            return redirect(url_for(start))
    return render_template("core/index.html")


@bp.get("/healthz")
def healthz():
    return {"status": "ok"}


@api_docs_bp.get("/api/v1/docs")
def api_docs():
    return render_template("core/api_docs.html")
