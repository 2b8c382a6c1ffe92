"""The two outside channels: e-mail over SMTP and signed webhook calls. (The in-app inbox is rows.)

Texts are rendered at delivery time in the recipient's language (User.language), Chinese by default.
"""
import email.utils
import hashlib
import hmac
import json
import smtplib
import ssl
import time
import urllib.error
import urllib.request
from email.message import EmailMessage

from flask_babel import force_locale, gettext as _

from core.models import utcnow

from .events import render
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
    link = absolute_url(config, delivery.url)
    text = body + (f"\n\n{link}" if link else "") + "\n"
    if user is not None:
        with force_locale(language):
            footer = _("Choose which notifications reach you by e-mail on the notification preferences page.")
        text += "\n-- \n" + footer + "\n"
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
    payload = {
        "delivery_id": str(delivery.public_id),
        "event": delivery.event,
        "occurred_at": delivery.created_at.isoformat(),
        "subject_type": delivery.subject_type,
        "subject_id": delivery.subject_id,
        "params": delivery.params,
        "url": absolute_url(config, delivery.url),
    }
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode("utf-8")


def signature(secret: str, timestamp: str, body: bytes) -> str:
    """X-Signature: "sha256=" + hex HMAC-SHA256(secret, f"{timestamp}.{body}")."""
    return "sha256=" + hmac.new(secret.encode("utf-8"), timestamp.encode("ascii") + b"." + body,
                                hashlib.sha256).hexdigest()


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A redirect is a failure: following it would turn the POST into a GET and lose the body."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


_opener = urllib.request.build_opener(_NoRedirects)


def send_webhook(delivery: OutboxDelivery, endpoint: WebhookEndpoint | None, config) -> None:
    if endpoint is None or not endpoint.active:
        raise DeliveryFailed("the organisation has no active webhook endpoint")
    body = webhook_body(delivery, config)
    timestamp = str(int(time.time()))
    request = urllib.request.Request(endpoint.url, data=body, method="POST", headers={
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": USER_AGENT,
        "X-Delivery-Id": str(delivery.public_id),
        "X-Event": delivery.event,
        "X-Signature-Timestamp": timestamp,
        "X-Signature": signature(endpoint.secret, timestamp, body),
    })
    try:
        with _opener.open(request, timeout=config.get("NOTIFY_TIMEOUT_SECONDS", 10)) as response:
            response.read(64 * 1024)
            status = response.status
    except urllib.error.HTTPError as exc:
        detail = exc.read(300).decode("utf-8", "replace") if exc.fp else ""
        raise DeliveryFailed(f"HTTP {exc.code} {exc.reason}: {detail}".strip()) from None
    except urllib.error.URLError as exc:
        raise DeliveryFailed(f"cannot reach {endpoint.url}: {exc.reason}") from None
    if not 200 <= status < 300:
        raise DeliveryFailed(f"HTTP {status}")
