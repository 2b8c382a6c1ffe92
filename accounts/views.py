"""Web sign-in, sign-out and enterprise self-registration."""
from flask import Blueprint, current_app, abort, flash, g, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user
from marshmallow import ValidationError

from core.errors import NotFound, TooManyRequests, ValidationFailed, flatten_errors
from core.extensions import db, login_manager
from core.security import safe_redirect_path

from . import services
from .enums import DISTRICT_LABELS, TokenKind
from .schemas import EnterpriseRegistrationSchema, TokenRequestSchema

bp = Blueprint("accounts", __name__)


def init_login(app):
    login_manager.login_view = "accounts.login"
    login_manager.login_message = None
    login_manager.session_protection = None  # the server-side session token below does this job

    @login_manager.user_loader
    def load_user(user_id):
        # The session cookie carries a random session token; the user is whoever it was issued to,
        # as long as it is neither expired nor revoked (logout revokes it).
        token = services.resolve_token(session.get("sid"), (TokenKind.web_session,))
        if token is None or str(token.user_id) != user_id:
            return None
        g.authenticated = True
        g.web_session = token
        return token.user


def _safe_next(target):
    return safe_redirect_path(target, url_for("core.index"))


@bp.route("/login", methods=["GET", "POST"])
def login():
    error = None
    status = 200
    if request.method == "POST":
        email = request.form.get("email", "")
        password = request.form.get("password", "")
        if TokenRequestSchema().validate({"email": email, "password": password}):  # over-long or control characters
            return render_template("accounts/login.html", error=_("Wrong e-mail address or password."),
                                   email=email[:254]), 422
        try:
            user = services.authenticate(email, password, request.remote_addr)
        except TooManyRequests as exc:
            return render_template("accounts/login.html", error=exc.message, email=email), 429
        if user is None:
            db.session.commit()  # the failure must count even though this answer is an error
            error, status = _("Wrong e-mail address or password."), 401
        else:
            lang = session.get("lang")
            session.clear()  # a new session: nothing from before the login survives
            if lang:
                session["lang"] = lang
            session["sid"] = services.start_web_session(user)
            login_user(user)
            return redirect(_safe_next(request.args.get("next")))
    return render_template("accounts/login.html", error=error, email=request.form.get("email", "")), status


@bp.post("/logout")
@login_required
def logout():
    services.revoke_token(g.web_session, current_user)
    logout_user()
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang
    return redirect(url_for("core.index"))


@bp.route("/register", methods=["GET", "POST"])
def register():
    """Step one: the form's own errors (422), else always the same "check your e-mail" page."""
    errors, form = {}, {}
    if request.method == "POST":
        form = {k: v for k, v in request.form.items() if k != "csrf_token"}
        try:
            data = EnterpriseRegistrationSchema().load(form)
            services.request_registration(data, request.remote_addr)
        except ValidationError as exc:
            errors = flatten_errors(exc.messages)
        except ValidationFailed as exc:
            errors = exc.errors
        except TooManyRequests as exc:
            return render_template("accounts/register.html", errors={}, form=form, districts=DISTRICT_LABELS,
                                   throttled=exc.message), 429
        else:
            return render_template("accounts/register_sent.html",
                                   hours=current_app.config["REGISTRATION_LINK_LIFETIME_SECONDS"] // 3600)
    return render_template("accounts/register.html", errors=errors, form=form,
                           districts=DISTRICT_LABELS), (422 if errors else 200)


@bp.route("/register/confirm/<token>", methods=["GET", "POST"])
def confirm_registration(token):
    """Step two, the e-mail's link: GET shows what is confirmed (a mail scanner's visit changes nothing),
    POST creates the enterprise and its user; then the user signs in with the password chosen."""
    if request.method == "POST":
        services.confirm_registration(token)
        flash(_("Your enterprise is registered. Sign in with your e-mail address and password."))
        return redirect(url_for("accounts.login"))
    pending = services.find_pending_registration(token)
    if pending is None:
        raise NotFound(_("This confirmation link is unknown, used or expired. Register again."))
    return render_template("accounts/register_confirm.html", pending=pending, districts=DISTRICT_LABELS)


@bp.get("/account")
@login_required
def account():
    if not current_user.is_authenticated:
        abort(404)
    return render_template("accounts/account.html")
