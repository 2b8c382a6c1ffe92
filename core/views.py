"""Home page, health check and the locally served interactive API page."""
from flask import Blueprint, redirect, render_template, url_for
from flask_login import current_user

from accounts.enums import Role

bp = Blueprint("core", __name__)
api_docs_bp = Blueprint("api_docs", __name__)


@bp.get("/")
def index():
    if current_user.is_authenticated and current_user.role is Role.enterprise_user:
        return redirect(url_for("intake.list_complaints"))
    return render_template("core/index.html")


@bp.get("/healthz")
def healthz():
    return {"status": "ok"}


@api_docs_bp.get("/api/v1/docs")
def api_docs():
    return render_template("core/api_docs.html")
