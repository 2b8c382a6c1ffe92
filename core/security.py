"""Request-level security: headers, who is acting (web session or bearer token), the language,
safe redirects and the client address behind trusted proxies."""
import ipaddress
import unicodedata
import urllib.parse

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


# --- redirects after login and from notifications ----------------------------------------------

def safe_redirect_path(target, fallback: str) -> str:
    """``target`` if it is a path on this site, else ``fallback``.

    Browsers and redirect() forgive what a naive check does not: tabs and newlines are dropped
    (``/%09/evil.example`` becomes ``//evil.example``), a backslash counts as a slash, and a CR/LF
    would split the Location header. So a target with any control character or whitespace is refused
    whole, and what remains must parse as a bare path: no scheme, no host, not starting with ``//``
    or ``/\\``.
    """
    if not isinstance(target, str) or not target or len(target) > 2000:
        return fallback
    if any(ch.isspace() or unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp") for ch in target):
        return fallback
    if not target.startswith("/") or target.startswith("//") or "\\" in target:
        return fallback
    try:
        parts = urllib.parse.urlsplit(target)
    except ValueError:
        return fallback
    if parts.scheme or parts.netloc or not parts.path.startswith("/") or parts.path.startswith("//"):
        return fallback
    return target


# --- the client's address behind trusted proxies ------------------------------------------------

def parse_networks(value, setting="TRUSTED_PROXIES") -> tuple:
    """A setting listing networks (TRUSTED_PROXIES, WEBHOOK_ALLOWED_NETWORKS) as ip_network objects,
    from a list or a comma- or space-separated string; a bad entry stops the start naming the setting."""
    if not value:
        return ()
    items = value.replace(",", " ").split() if isinstance(value, str) else list(value)
    networks = []
    for item in items:
        item = str(item).strip()
        if not item:
            continue
        try:
            networks.append(ipaddress.ip_network(item, strict=False))
        except ValueError:
            raise RuntimeError(f"{setting}: {item!r} is not an address or network") from None
    return tuple(networks)


def _address(value: str):
    try:
        return ipaddress.ip_address(value.strip())
    except ValueError:
        return None


class TrustedProxies:
    """WSGI middleware: the client address is REMOTE_ADDR unless that is a trusted proxy.

    Only when the connection comes from one of ``networks`` is X-Forwarded-For read, right to left:
    every hop that is itself a trusted proxy is skipped, and the first one that is not is the
    client. (werkzeug's ProxyFix trusts a number of hops whoever sent them; this trusts addresses.)
    An entry that is not an address ends the walk: what lies left of it may be forged. Behind a
    trusted proxy, X-Forwarded-Proto: https also makes the request https.
    """

    def __init__(self, wsgi_app, networks):
        self.wsgi_app = wsgi_app
        self.networks = tuple(networks)

    def trusted(self, address) -> bool:
        return address is not None and any(address in network for network in self.networks
                                           if address.version == network.version)

    def client_address(self, remote_addr: str, forwarded_for: str | None) -> str:
        current = _address(remote_addr or "")
        if not self.trusted(current) or not forwarded_for:
            return remote_addr
        for hop in reversed(forwarded_for.split(",")[-20:]):
            address = _address(hop)
            if address is None:
                break
            current = address
            if not self.trusted(address):
                break
        return str(current)

    def __call__(self, environ, start_response):
        if self.networks:
            remote = environ.get("REMOTE_ADDR", "")
            if self.trusted(_address(remote)):
                environ["tsp.proxy_addr"] = remote
                environ["REMOTE_ADDR"] = self.client_address(remote, environ.get("HTTP_X_FORWARDED_FOR"))
                if environ.get("HTTP_X_FORWARDED_PROTO", "").strip().lower() == "https":
                    environ["wsgi.url_scheme"] = "https"
        return self.wsgi_app(environ, start_response)
