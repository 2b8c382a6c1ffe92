"""E-mail over SMTP to a real aiosmtpd server on loopback: down, then up; each message exactly once."""
import datetime as dt
import threading

import pytest
import time_machine
from sqlalchemy import select

from core.extensions import db
from notifications.models import DeliveryState, OutboxDelivery
from tests.notifications.support import deliver_until_idle

T0 = dt.datetime(2026, 10, 12, 1, 0, tzinfo=dt.UTC)  # a Monday, 09:00 in Shanghai
ENTERPRISE = "上海澄川智能科技有限公司"


@pytest.fixture
def centre(create_org, create_user):
    org = create_org(kind="rights_center", district="municipal", name="上海市商业秘密保护维权中心")
    return {"org": org, "zh": create_user("clerk", org_id=org, language="zh"),
            "en": create_user("clerk", org_id=org, language="en")}


def submit_events(app, centre, n, start=0):
    """n events, each committed in its own transaction, as n submissions would be."""
    from notifications.outbox import notify

    with app.app_context(), time_machine.travel(T0, tick=False):
        for i in range(start, start + n):
            notify("complaint.submitted", organisations=[centre["org"]], url=f"/centre/complaints/{i}",
                   params={"reference": f"SH-2026-{i:05d}", "enterprise": ENTERPRISE})
            db.session.commit()


def deliveries(app):
    with app.app_context():
        rows = db.session.scalars(select(OutboxDelivery).order_by(OutboxDelivery.id)).all()
        db.session.expunge_all()
        return rows


def test_smtp_down_during_50_events_then_every_email_arrives_exactly_once(app, smtp, centre):
    submit_events(app, centre, 50)

    # the SMTP server is down: every attempt fails, nothing is lost, each is retried with a backoff
    assert deliver_until_idle(app, T0) == {"sent": 0, "retrying": 100, "dead": 0}
    rows = deliveries(app)
    assert len(rows) == 100
    for row in rows:
        assert row.state is DeliveryState.pending and row.attempts == 1 and row.sent_at is None
        assert "Connection refused" in row.last_error or "Errno" in row.last_error, row.last_error
        assert T0 + dt.timedelta(seconds=15) <= row.next_attempt_at <= T0 + dt.timedelta(seconds=30)
    assert len({row.next_attempt_at for row in rows}) > 10  # the jitter spreads the retries

    # nothing is due before its backoff has passed
    assert deliver_until_idle(app, T0 + dt.timedelta(seconds=14)) == {"sent": 0, "retrying": 0, "dead": 0}
    # still down at the second attempt: the backoff doubles
    t1 = T0 + dt.timedelta(seconds=31)
    assert deliver_until_idle(app, t1) == {"sent": 0, "retrying": 100, "dead": 0}
    for row in deliveries(app):
        assert row.attempts == 2
        assert t1 + dt.timedelta(seconds=30) <= row.next_attempt_at <= t1 + dt.timedelta(seconds=60)
    assert smtp.messages == []

    smtp.start()
    assert deliver_until_idle(app, t1 + dt.timedelta(seconds=29)) == {"sent": 0, "retrying": 0, "dead": 0}
    assert smtp.messages == []
    assert deliver_until_idle(app, t1 + dt.timedelta(minutes=2)) == {"sent": 100, "retrying": 0, "dead": 0}
    # and later runs send nothing again
    assert deliver_until_idle(app, t1 + dt.timedelta(days=1)) == {"sent": 0, "retrying": 0, "dead": 0}

    rows = deliveries(app)
    expected = {f"<{row.public_id}@tradesecret.example>" for row in rows}
    assert smtp.collector.by_message_id() == {message_id: 1 for message_id in expected}  # none lost, none twice
    assert all(row.state is DeliveryState.sent and row.sent_at is not None and row.attempts == 3 for row in rows)

    by_recipient = {}
    for message in smtp.messages:
        by_recipient.setdefault(message["To"], []).append(message)
    assert {k: len(v) for k, v in by_recipient.items()} == {centre["zh"]["email"]: 50, centre["en"]["email"]: 50}
    zh_subjects = sorted(m["Subject"] for m in by_recipient[centre["zh"]["email"]])
    en_subjects = sorted(m["Subject"] for m in by_recipient[centre["en"]["email"]])
    assert [s.replace(" ", "") for s in zh_subjects] == [f"新投诉SH-2026-{i:05d}" for i in range(50)]
    assert en_subjects == [f"New complaint SH-2026-{i:05d}" for i in range(50)]
    zh_message = by_recipient[centre["zh"]["email"]][0]
    assert "已提交投诉" in zh_message.get_content() and ENTERPRISE in zh_message.get_content()
    assert zh_message["Content-Language"] == "zh-CN"
    en_message = by_recipient[centre["en"]["email"]][0]
    assert "Please claim it and start the triage." in en_message.get_content()
    assert en_message["From"] == "noreply@tradesecret.example" and en_message["Content-Language"] == "en"


@pytest.mark.config(PUBLIC_BASE_URL="https://tradesecret.example")
def test_the_smtp_server_stopping_in_the_middle_loses_nothing(app, smtp, centre):
    smtp.start()
    submit_events(app, centre, 5)
    assert deliver_until_idle(app, T0) == {"sent": 10, "retrying": 0, "dead": 0}
    smtp.stop()
    submit_events(app, centre, 5, start=5)
    assert deliver_until_idle(app, T0) == {"sent": 0, "retrying": 10, "dead": 0}
    smtp.start()
    assert deliver_until_idle(app, T0 + dt.timedelta(hours=2)) == {"sent": 10, "retrying": 0, "dead": 0}
    counts = smtp.collector.by_message_id()
    assert len(counts) == 20 and set(counts.values()) == {1}
    assert "https://tradesecret.example/centre/complaints/7" in "".join(m.get_content() for m in smtp.messages)


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
def test_smtp_login_with_the_configured_user(app, smtp, centre):
    from aiosmtpd.smtp import AuthResult, LoginPassword

    def authenticator(server, session, envelope, mechanism, auth_data):
        ok = isinstance(auth_data, LoginPassword) and (auth_data.login, auth_data.password) in (
            (b"platform", b"s3cret"), ("platform", "s3cret"))
        return AuthResult(success=ok, handled=False)  # not handled: the server answers 535 itself

    smtp.start(authenticator=authenticator, auth_require_tls=False, auth_required=True)
    app.config.update(SMTP_USER="platform", SMTP_PASSWORD="wrong")
    submit_events(app, centre, 1)
    assert deliver_until_idle(app, T0) == {"sent": 0, "retrying": 2, "dead": 0}
    assert all("535" in row.last_error for row in deliveries(app))
    app.config.update(SMTP_PASSWORD="s3cret")
    assert deliver_until_idle(app, T0 + dt.timedelta(hours=1)) == {"sent": 2, "retrying": 0, "dead": 0}
    assert len(smtp.messages) == 2


@pytest.mark.postgres_only
def test_four_workers_at_once_send_each_message_exactly_once(app, smtp, centre):
    """SELECT ... FOR UPDATE SKIP LOCKED: concurrent workers never claim the same delivery."""
    from notifications.worker import deliver_due

    smtp.start()
    submit_events(app, centre, 60)
    errors = []

    def work():
        try:
            with app.app_context(), time_machine.travel(T0, tick=False):
                for _ in range(200):
                    if not any(deliver_due(batch_size=5).values()):
                        break
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert errors == []
    assert deliver_until_idle(app, T0) == {"sent": 0, "retrying": 0, "dead": 0}  # nothing left behind
    counts = smtp.collector.by_message_id()
    assert len(counts) == 120 and set(counts.values()) == {1}
