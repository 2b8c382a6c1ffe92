"""The two outside channels: e-mail over SMTP and signed webhook calls. (The in-app inbox is rows.)

Texts are rendered at delivery time in the recipient's language (User.language), Chinese by default.
"""
import email.utils
import hashlib
import hmac
import http.client
import ipaddress
import json
import smtplib
import socket
import ssl
import time
from email.message import EmailMessage
from urllib.parse import urlsplit

from flask_babel import force_locale, gettext as _

from core.models import utcnow

from .events import render
from .links import link_for, reader_of_organisation, reader_of_user
from .models import OutboxDelivery, WebhookEndpoint

USER_AGENT = "tradesecret-platform-webhooks/1"


class DeliveryFailed(Exception):
    """The attempt failed; the worker retries it later."""


class PermanentFailure(DeliveryFailed):
    """Retrying cannot help (e.g. the recipient was deactivated): the delivery goes dead at once."""


def absolute_url(config, path: str | None) -> str | None:
    base = (config.get("PUBLIC_BASE_URL") or "").rstrip("/")
    if not path:
        return None
    if path.startswith(("http://", "https://")) or not base:
        return path
    return base + (path if path.startswith("/") else "/" + path)


def _mail_domain(config) -> str:
    address = email.utils.parseaddr(config.get("MAIL_FROM") or "")[1]
    return address.rpartition("@")[2] or "localhost"


def message_id(delivery: OutboxDelivery, config) -> str:
    """Derived from the delivery id: the same on every attempt, so a duplicate is recognisable."""
    return f"<{delivery.public_id}@{_mail_domain(config)}>"


def build_email(delivery: OutboxDelivery, config) -> EmailMessage:
    """The e-mail to the delivery's user, or to its bare address (``email_to``: no preferences to point to)."""
    user = delivery.user
    language = user.language if user is not None else (delivery.params or {}).get("language")
    language = language if language in ("zh", "en") else "zh"
    subject, body = render(delivery.event, delivery.params, language)
    # the page the notice is about, for this recipient (an explicit url for an address without an account)
    link = link_for(delivery, reader_of_user(user) if user is not None else None)
    url = absolute_url(config, link.path) if link else None
    text = body
    if url:
        with force_locale(language):
            text += f"\n\n{link.label}{'：' if language == 'zh' else ': '}{url}" if link.kind != "page" else f"\n\n{url}"
    text += "\n"
    if user is not None:
        with force_locale(language):
            footer = _("Choose which notifications reach you by e-mail on the notification preferences page.")
            preferences = absolute_url(config, "/notifications/preferences")
        text += "\n-- \n" + footer + (f"\n{preferences}" if preferences else "") + "\n"
    message = EmailMessage()
    message["Subject"] = subject
    message["From"] = config["MAIL_FROM"]
    message["To"] = user.email if user is not None else delivery.email_to
    message["Message-ID"] = message_id(delivery, config)
    message["Date"] = email.utils.format_datetime(utcnow())
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(text, charset="utf-8")
    message["Content-Language"] = "zh-CN" if language == "zh" else "en"  # after set_content, which drops Content-*
    return message


class Mailer:
    """One SMTP connection for a run of the worker: opened on first use, dropped after any error."""

    def __init__(self, config):
        self.config = config
        self.smtp = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def _connect(self):
        cfg = self.config
        smtp = smtplib.SMTP(cfg["SMTP_HOST"], int(cfg["SMTP_PORT"]), timeout=cfg.get("NOTIFY_TIMEOUT_SECONDS", 10))
        try:
            if cfg.get("SMTP_TLS"):
                smtp.starttls(context=ssl.create_default_context())
            if cfg.get("SMTP_USER"):
                smtp.login(cfg["SMTP_USER"], cfg.get("SMTP_PASSWORD") or "")
        except BaseException:
            smtp.close()
            raise
        self.smtp = smtp

    def send(self, message: EmailMessage) -> None:
        reused = self.smtp is not None
        if not reused:
            self._connect()
        try:
            self.smtp.send_message(message)
        except smtplib.SMTPServerDisconnected:
            self.close()
            if not reused:
                raise
            self._connect()  # the server dropped an idle connection: one fresh try
            try:
                self.smtp.send_message(message)
            except BaseException:
                self.close()
                raise
        except BaseException:
            self.close()
            raise

    def close(self):
        if self.smtp is not None:
            try:
                self.smtp.quit()
            except (smtplib.SMTPException, OSError):
                self.smtp.close()
            self.smtp = None


def send_email(delivery: OutboxDelivery, mailer: Mailer) -> None:
    user = delivery.user
    if user is not None and not user.active:
        raise PermanentFailure("the recipient's account is deactivated")
    mailer.send(build_email(delivery, mailer.config))


# --- webhooks ----------------------------------------------------------------------------------------

def webhook_body(delivery: OutboxDelivery, config) -> bytes:
    link = link_for(delivery, reader_of_organisation(delivery.organisation)) if delivery.organisation else None
    payload = {  # docs/WEBHOOKS.md; its JSON schema: notifications/catalogue.py WEBHOOK_BODY
        "event_id": str(delivery.event_id or delivery.public_id),  # the feed item's id (older rows: the delivery's)
        "delivery_id": str(delivery.public_id),
        "event": delivery.event,
        "occurred_at": delivery.created_at.isoformat(),
        "subject_type": delivery.subject_type,
        "subject_id": delivery.subject_id,
        "data": delivery.params,
        "url": absolute_url(config, link.path if link else None),
    }
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode("utf-8")


def signature(secret: str, timestamp: str, body: bytes) -> str:
    """X-Signature: "sha256=" + hex HMAC-SHA256(secret, f"{timestamp}.{body}")."""
    return "sha256=" + hmac.new(secret.encode("utf-8"), timestamp.encode("ascii") + b"." + body,
                                hashlib.sha256).hexdigest()


# --- where a webhook may go ------------------------------------------------------------------------
# Only public addresses, unless WEBHOOK_ALLOWED_NETWORKS lists the private network: checked when an
# administrator registers the URL and again on every delivery, against the addresses the connection is
# then made to (a name that resolved to a public address at registration may resolve to 127.0.0.1 or
# 169.254.169.254 later: DNS rebinding). Redirects are not followed, and nothing of the answer but its
# status code is kept (no read-back of internal services).

NAT64 = ipaddress.ip_network("64:ff9b::/96")


class UnresolvableHost(DeliveryFailed):
    pass


class BlockedAddress(DeliveryFailed):
    def __init__(self, address):
        super().__init__(f"address not allowed: {address}")
        self.address = address


def _embedded_ipv4(ip):
    """The IPv4 address an IPv6 address stands for (mapped, 6to4, NAT64), if any."""
    if ip.version != 6:
        return None
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip.sixtofour is not None:
        return ip.sixtofour
    if ip in NAT64:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


def is_public_address(ip) -> bool:
    """Globally reachable unicast: not private, loopback, link-local, multicast, reserved, unspecified,
    shared (100.64/10), site-local or documentation; IPv6 forms of IPv4 addresses are judged as the IPv4."""
    embedded = _embedded_ipv4(ip)
    if embedded is not None:
        return is_public_address(embedded)
    if (ip.is_private or ip.is_loopback or ip.is_link_local or ip.is_multicast or ip.is_reserved
            or ip.is_unspecified or not ip.is_global):
        return False
    return not (ip.version == 6 and (ip.is_site_local or ip.teredo is not None))


def address_allowed(ip, allowed_networks=()) -> bool:
    if is_public_address(ip):
        return True
    candidates = [ip] + [e for e in (_embedded_ipv4(ip),) if e is not None]
    return any(c in network for c in candidates for network in allowed_networks if c.version == network.version)


def resolve_target(host: str, port: int, allowed_networks=()) -> list[tuple]:
    """Every (family, sockaddr) ``host`` resolves to, when each address is allowed.

    UnresolvableHost if the name does not resolve; BlockedAddress naming the first address that is not
    allowed (one bad address refuses the whole name: the connection could go to any of them).
    """
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError, ValueError):
        raise UnresolvableHost("host name does not resolve") from None
    targets = []
    for family, _type, _proto, _name, sockaddr in infos:
        if family not in (socket.AF_INET, socket.AF_INET6):
            continue
        ip = ipaddress.ip_address(sockaddr[0].split("%", 1)[0])
        if not address_allowed(ip, allowed_networks):
            raise BlockedAddress(ip)
        if (family, sockaddr) not in targets:
            targets.append((family, sockaddr))
    if not targets:
        raise UnresolvableHost("host name does not resolve")
    return targets


def _pinned(targets):
    """A replacement for socket.create_connection that connects only to the checked addresses."""

    def create_connection(address, timeout=None, source_address=None):
        error = None
        for family, sockaddr in targets:
            sock = socket.socket(family, socket.SOCK_STREAM)
            try:
                if timeout is not None:
                    sock.settimeout(timeout)
                if source_address:
                    sock.bind(source_address)
                sock.connect(sockaddr)
                return sock
            except OSError as exc:
                sock.close()
                error = exc
        raise error

    return create_connection


def _error_class(exc: BaseException) -> str:
    """A short, fixed description of a failed call: nothing the receiver wrote is kept."""
    if isinstance(exc, (socket.timeout, TimeoutError)):
        return "timeout"
    if isinstance(exc, ConnectionRefusedError):
        return "connection refused"
    if isinstance(exc, ConnectionResetError):
        return "connection reset"
    if isinstance(exc, ssl.SSLCertVerificationError):
        return "TLS certificate not valid for the host"
    if isinstance(exc, ssl.SSLError):
        return "TLS error"
    if isinstance(exc, http.client.HTTPException):
        return "invalid HTTP answer"
    if isinstance(exc, OSError):
        return "network error"
    return type(exc).__name__


def send_webhook(delivery: OutboxDelivery, endpoint: WebhookEndpoint | None, config) -> None:
    if endpoint is None or not endpoint.active:
        raise DeliveryFailed("the organisation has no active webhook endpoint")
    parts = urlsplit(endpoint.url)
    https = parts.scheme.lower() == "https"
    try:
        port = parts.port or (443 if https else 80)
    except ValueError:
        raise DeliveryFailed("invalid URL") from None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise DeliveryFailed("invalid URL")
    targets = resolve_target(parts.hostname, port, config.get("WEBHOOK_ALLOWED_NETWORKS") or ())
    body = webhook_body(delivery, config)
    timestamp = str(int(time.time()))
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": USER_AGENT,
        "X-Delivery-Id": str(delivery.public_id),
        "X-Event": delivery.event,
        "X-Signature-Timestamp": timestamp,
        "X-Signature": signature(endpoint.secret, timestamp, body),
    }
    timeout = config.get("NOTIFY_TIMEOUT_SECONDS", 10)
    # The Host header, SNI and certificate check use the URL's host; the socket goes to a checked address.
    if https:
        connection = http.client.HTTPSConnection(parts.hostname, port, timeout=timeout,
                                                 context=ssl.create_default_context())
    else:
        connection = http.client.HTTPConnection(parts.hostname, port, timeout=timeout)
    connection._create_connection = _pinned(targets)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    try:
        connection.request("POST", path, body=body, headers=headers)
        status = connection.getresponse().status  # the answer's body is neither read nor kept
    except Exception as exc:  # noqa: BLE001 - any failure is a failed attempt, described by its class only
        raise DeliveryFailed(_error_class(exc)) from None
    finally:
        connection.close()
    if not 200 <= status < 300:  # a redirect too: it is not followed
        raise DeliveryFailed(f"HTTP {status}")
