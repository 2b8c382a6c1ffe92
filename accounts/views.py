"""Web sign-in (password, then the second factor), sign-out, enterprise self-registration confirmed by
e-mail, the account page with password change, two-step verification and "sign out everywhere", and
password reset."""
from flask import Blueprint, abort, current_app, flash, g, redirect, render_template, request, session, url_for
from flask_babel import get_locale, gettext as _
from flask_login import current_user, login_required, login_user, logout_user
from marshmallow import ValidationError

from core.errors import NotFound, TooManyRequests, ValidationFailed, flatten_errors
from core.extensions import db, login_manager
from core.security import LANGUAGES, safe_redirect_path

from . import colleagues as colleague_service, credentials, mfa, profile, services, sessions
from .access import can_invite_colleagues
from .enums import DISTRICT_LABELS, TokenKind
from .schemas import (ContactDetailsSchema, EnterpriseRegistrationSchema, InvitationAcceptSchema, InvitationSchema,
                      TokenRequestSchema)

bp = Blueprint("accounts", __name__)


def init_login(app):
    mfa.parse_roles(app.config["MFA_REQUIRED_ROLES"])  # a misspelt role refuses to start rather than fail later
    login_manager.login_view = "accounts.login"
    login_manager.login_message = None
    login_manager.session_protection = None  # the server-side session token below does this job

    @login_manager.user_loader
    def load_user(user_id):
        # The session cookie carries a random session token; the user is whoever it was issued to,
        # as long as it is neither expired nor revoked (logout revokes it).
        # It must also be neither idle too long nor past its lifetime (accounts/sessions.py), and a user whose
        # role requires two-step verification but who is not enrolled is signed in nowhere (only enrolment).
        token = sessions.resolve(session.get("sid"))
        if token is None or str(token.user_id) != user_id:
            return None
        if mfa.is_required(token.user) and not mfa.is_enrolled(token.user):
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
            step = mfa.next_step(user)  # the password is right: a second factor (or enrolment) before any session
            if step is not None:
                return _begin_second_step(user, step, request.args.get("next"))
            _start_session(user)
            return redirect(_safe_next(request.args.get("next")))
    return render_template("accounts/login.html", error=error, email=request.form.get("email", "")), status


def _fresh_session():
    lang = session.get("lang")
    session.clear()  # a new session: nothing from before the login survives
    if lang:
        session["lang"] = lang


def _start_session(user):
    _fresh_session()
    session["sid"] = sessions.begin(user)
    login_user(user)


def _begin_second_step(user, step, next_url):
    _fresh_session()
    session["mfa"] = mfa.begin_challenge(user, step)
    if next_url:
        session["mfa_next"] = next_url[:2000]
    return redirect(url_for("accounts.login_mfa" if step == "login" else "accounts.mfa_setup"))


def _after_second_step():
    return _safe_next(session.pop("mfa_next", None))


@bp.route("/login/mfa", methods=["GET", "POST"])
def login_mfa():
    """The second step: the 6-digit code of the authenticator app, or one recovery code."""
    challenge = mfa.find_challenge(session.get("mfa"), "login")
    if challenge is None:
        return redirect(url_for("accounts.login"))
    error, status = None, 200
    if request.method == "POST":
        try:
            ok = mfa.complete_challenge(challenge, request.form.get("code", "")[:64])
        except TooManyRequests as exc:
            db.session.commit()  # the attempts must count even though this answer is an error
            session.pop("mfa", None)
            return render_template("accounts/login.html", error=exc.message, email=challenge.user.email), 429
        if ok:
            user, target = challenge.user, _after_second_step()
            _start_session(user)
            return redirect(target)
        db.session.commit()
        error, status = _("This code is not right or was already used."), 401
    return render_template("accounts/login_mfa.html", error=error), status


def _enrolling_user():
    """Who is enrolling: the signed-in user, or the one whose password was just verified at login and
    whose role requires two-step verification (no session yet). (user, challenge) or (None, None)."""
    if current_user.is_authenticated:
        return current_user._get_current_object(), None
    challenge = mfa.find_challenge(session.get("mfa"), "enrol")
    if challenge is None:
        return None, None
    return challenge.user, challenge


def _password_confirmed(user, field="password"):
    """Re-authentication for a sensitive change: the password, counted and throttled like a login.
    Returns field errors ({} if right)."""
    password = request.form.get(field, "")
    checked = services.authenticate(user.email, password, request.remote_addr) if password else None
    if checked is None or checked.id != user.id:
        db.session.commit()  # the failure counts
        return {field: [_("Your current password is not right.")]}
    return {}


@bp.route("/account/mfa", methods=["GET", "POST"])
def mfa_setup():
    """Two-step verification: enrol, re-enrol (reset) or, where optional, turn it off. Needs the password."""
    user, challenge = _enrolling_user()
    if user is None:
        return redirect(url_for("accounts.login"))
    errors = {}
    if request.method == "POST":
        action = request.form.get("action", "enrol")
        try:
            errors = _password_confirmed(user)
        except TooManyRequests as exc:
            return render_template("accounts/mfa.html", user=user, errors={"password": [exc.message]},
                                   pending_login=challenge is not None), 429
        if not errors:
            if action == "disable" and challenge is None:
                mfa.disable(user)
                return redirect(url_for("accounts.account"))
            if action == "recovery_codes" and challenge is None and mfa.is_enrolled(user):
                return render_template("accounts/mfa_codes.html", codes=mfa.new_recovery_codes(user),
                                       continue_url=url_for("accounts.account"))
            secret = mfa.start_enrolment(user)
            uri = mfa.provisioning_uri(user, secret)
            return render_template("accounts/mfa_scan.html", secret=secret, qr=mfa.qr_data_uri(uri), errors={})
    return render_template("accounts/mfa.html", user=user, errors=errors, pending_login=challenge is not None,
                           enrolled=mfa.is_enrolled(user), may_disable=challenge is None and mfa.may_disable(user),
                           remaining=mfa.remaining_recovery_codes(user)), (422 if errors else 200)


@bp.post("/account/mfa/confirm")
def mfa_confirm():
    """The first code from the scanned secret confirms the enrolment; the recovery codes are shown once."""
    user, challenge = _enrolling_user()
    if user is None:
        return redirect(url_for("accounts.login"))
    try:
        if challenge is not None:
            mfa.count_password_attempt(challenge)
        codes = mfa.confirm_enrolment(user, request.form.get("code", "")[:64])
    except TooManyRequests as exc:
        db.session.commit()
        return render_template("accounts/login.html", error=exc.message, email=user.email), 429
    except ValidationFailed as exc:
        db.session.commit()  # the failed attempt and its audit row stay
        secret = mfa.pending_secret(user)
        if secret is None:
            return redirect(url_for("accounts.mfa_setup"))
        return render_template("accounts/mfa_scan.html", secret=secret, errors=exc.errors,
                               qr=mfa.qr_data_uri(mfa.provisioning_uri(user, secret))), 422
    if challenge is not None:  # enrolled at login: the session starts now
        mfa.finish_challenge(challenge)
        target = _after_second_step()
        _start_session(user)
    else:
        target = url_for("accounts.account")
    return render_template("accounts/mfa_codes.html", codes=codes, continue_url=target)


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password():
    """The current password and a new one; every other session and API token of the user ends."""
    errors = {}
    if request.method == "POST":
        try:
            errors = _password_confirmed(current_user, "current_password")
        except TooManyRequests as exc:
            return render_template("accounts/password.html", errors={"current_password": [exc.message]}), 429
        if not errors:
            try:
                credentials.change_password(current_user, request.form.get("new_password", ""),
                                               keep=g.web_session)
            except ValidationFailed as exc:
                errors = exc.errors
            else:
                flash(_("Your password is changed. Every other session and API token has been signed out."))
                return redirect(url_for("accounts.account"))
    return render_template("accounts/password.html", errors=errors), (422 if errors else 200)


@bp.post("/account/sign-out-everywhere")
@login_required
def sign_out_everywhere():
    """End every web session (this one too) and API token of the user."""
    user = current_user._get_current_object()
    sessions.revoke_all(user, reason="sign_out_everywhere")
    logout_user()
    _fresh_session()
    flash(_("You are signed out everywhere."))
    return redirect(url_for("accounts.login"))


@bp.route("/password/forgot", methods=["GET", "POST"])
def forgot_password():
    """The same answer whether or not the address belongs to an account; the link goes by e-mail."""
    sent, email = False, ""
    if request.method == "POST":
        email = request.form.get("email", "")[:254]
        credentials.request_reset(email, request.remote_addr)
        sent = True
    return render_template("accounts/forgot.html", sent=sent, email=email)


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
def reset_password(token):
    reset = credentials.find_reset(token)
    if reset is None:
        return render_template("accounts/reset.html", link_invalid=True, errors={}), 404
    errors = {}
    if request.method == "POST":
        try:
            credentials.reset_password(reset, request.form.get("new_password", ""))
        except ValidationFailed as exc:
            errors = exc.errors
        else:
            if current_user.is_authenticated:
                logout_user()
            _fresh_session()
            flash(_("Your password is reset. Sign in with the new one."))
            return redirect(url_for("accounts.login"))
    return render_template("accounts/reset.html", link_invalid=False, errors=errors), (422 if errors else 200)


@bp.post("/logout")
@login_required
def logout():
    services.revoke_token(g.web_session, current_user)
    logout_user()
    _fresh_session()
    return redirect(url_for("core.index"))


def _page_language():
    language = str(get_locale() or "")
    return language if language in LANGUAGES else "zh"


@bp.route("/register", methods=["GET", "POST"])
def register():
    """Step one: the form's own errors (422), else always the same "check your e-mail" page."""
    errors, form = {}, {}
    if request.method == "POST":
        form = _form_data()
        try:
            # the account speaks the language the form was filled in, unless the form says otherwise
            data = EnterpriseRegistrationSchema().load({"language": _page_language(), **form})
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
    return render_template("accounts/account.html", mfa_enrolled=mfa.is_enrolled(current_user),
                           mfa_required=mfa.is_required(current_user),
                           may_invite=can_invite_colleagues(current_user))


def _form_data():
    """The posted fields but the CSRF token (the schemas refuse unknown fields)."""
    return {k: v for k, v in request.form.items() if k != "csrf_token"}


def _load(schema, data):
    """(data, {}) or (None, field errors)."""
    try:
        return schema.load(data), {}
    except ValidationError as exc:
        return None, flatten_errors(exc.messages)


@bp.route("/account/details", methods=["GET", "POST"])
@login_required
def contact_details():
    """One's own name, phone and preferred language; the e-mail address (the sign-in name) stays."""
    user = current_user._get_current_object()
    form = {"name": user.name, "phone": user.phone or "", "language": user.language}
    errors = {}
    if request.method == "POST":
        form = _form_data()
        data, errors = _load(ContactDetailsSchema(), form)
        if not errors:
            profile.update_contact_details(user, data)
            session["lang"] = user.language  # the pages follow the new choice at once
            flash(_("Your contact details are saved."))
            return redirect(url_for("accounts.account"))
    return render_template("accounts/details.html", form=form, errors=errors), (422 if errors else 200)


def _colleagues_page(errors=None, email="", status=200, throttled=None):
    user = current_user._get_current_object()
    return render_template("accounts/colleagues.html", colleagues=colleague_service.colleagues(user),
                           invitations=colleague_service.pending_invitations(user), errors=errors or {},
                           email=email, throttled=throttled), status


@bp.get("/account/colleagues")
@login_required
def colleagues():
    """The enterprise's first user: its colleagues, the pending invitations, and a form to invite one (404 to
    anyone else, like every page that is not theirs)."""
    if not can_invite_colleagues(current_user):
        raise NotFound()
    return _colleagues_page()


@bp.post("/account/colleagues/invitations")
@login_required
def invite_colleague():
    if not can_invite_colleagues(current_user):
        raise NotFound()
    form = _form_data()
    data, errors = _load(InvitationSchema(), form)
    email = str(form.get("email", ""))[:254]
    if not errors:
        try:
            invitation = colleague_service.invite(current_user._get_current_object(), data["email"])
        except ValidationFailed as exc:
            errors = exc.errors
        except TooManyRequests as exc:
            return _colleagues_page(email=email, status=429, throttled=exc.message)
        else:
            flash(_("An invitation is on its way to %(email)s.", email=invitation.email))
            return redirect(url_for("accounts.colleagues"))
    return _colleagues_page(errors=errors, email=email, status=422)


@bp.post("/account/colleagues/invitations/cancel")
@login_required
def cancel_invitation():
    invitation = colleague_service.cancel(current_user._get_current_object(),
                                          request.form.get("invitation_id", "")[:64])
    flash(_("The invitation to %(email)s is cancelled.", email=invitation.email))
    return redirect(url_for("accounts.colleagues"))


@bp.route("/invitation/<token>", methods=["GET", "POST"])
def accept_invitation(token):
    """The e-mailed link: GET shows who invites to which enterprise (a mail scanner's visit changes nothing);
    POST with a name and a password creates the colleague's account. Then the colleague signs in."""
    invitation = colleague_service.find_invitation(token)
    if invitation is None:
        return render_template("accounts/invitation.html", invitation=None, errors={}, form={}), 404
    errors, form = {}, {"language": invitation.invited_by.language}
    if request.method == "POST":
        form = _form_data()
        data, errors = _load(InvitationAcceptSchema(), form)
        if not errors:
            try:
                colleague_service.accept(token, data)
            except ValidationFailed as exc:
                errors = exc.errors
            else:
                if current_user.is_authenticated:  # whoever was signed in on this browser is not the colleague
                    services.revoke_token(g.web_session, current_user)
                    logout_user()
                _fresh_session()
                flash(_("Your account is ready. Sign in with your e-mail address and password."))
                return redirect(url_for("accounts.login"))
    return render_template("accounts/invitation.html", invitation=invitation, errors=errors,
                           form=form), (422 if errors else 200)
