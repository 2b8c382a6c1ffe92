"""Request-level security: headers, who is acting (web session or bearer token), the language."""
from flask import g, has_request_context, request, session
from flask_login import current_user

from .errors import Unauthenticated

LANGUAGES = ("zh", "en")

CSP = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])


def set_security_headers(response):
    response.headers.setdefault("Content-Security-Policy", CSP)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Referrer-Policy"] = "same-origin"
    response.headers["Cross-Origin-Opener-Policy"] = "same-origin"
    if getattr(g, "authenticated", False) or request.path.startswith("/api/"):
        response.headers["Cache-Control"] = "no-store"
        response.headers["Pragma"] = "no-cache"
    return response


def select_locale():
    if not has_request_context():  # CLI and scheduler: the default language
        return "zh"
    if request.path.startswith("/api/"):
        return request.accept_languages.best_match(LANGUAGES, default="zh")
    wanted = request.args.get("lang")
    if wanted in LANGUAGES:
        session["lang"] = wanted
        return wanted
    if session.get("lang") in LANGUAGES:
        return session["lang"]
    if current_user and current_user.is_authenticated:
        return current_user.language
    return "zh"


def api_actor():
    """The user behind the request's bearer token (set by the API's before_request), or 401."""
    user = g.get("api_user")
    if user is None:
        raise Unauthenticated()
    return user
