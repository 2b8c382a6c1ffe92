"""Home page, health check and the locally served interactive API page."""
from flask import Blueprint, redirect, render_template
from flask_login import current_user

from .pages import start_page_for

bp = Blueprint("core", __name__)
api_docs_bp = Blueprint("api_docs", __name__)


@bp.get("/")
def index():
    if current_user.is_authenticated:
        start = start_page_for(current_user)
        if start:
            return redirect(start)
    return render_template("core/index.html")


@bp.get("/healthz")
def healthz():
    return {"status": "ok"}


@api_docs_bp.get("/api/v1/docs")
def api_docs():
    return render_template("core/api_docs.html")
