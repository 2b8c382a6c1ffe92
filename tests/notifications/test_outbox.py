"""notify(): recipients, rows written in the caller's transaction (and gone with its rollback),
preferences, webhooks per organisation, and the expansion of core.outbox events, exactly once."""
import datetime as dt

import pytest
from sqlalchemy import select

from core.extensions import db
from notifications.models import Channel, DeliveryState, Notification, NotificationPreference, OutboxDelivery
from tests.notifications.support import count

PARAMS = {"reference": "SH-2026-00042", "enterprise": "上海澄川智能科技有限公司"}


@pytest.fixture
def centre(app, create_org, create_user):
    org = create_org(kind="rights_center", district="municipal", name="上海市商业秘密保护维权中心")
    clerks = [create_user("clerk", org_id=org, language=lang) for lang in ("zh", "en")]
    return {"org": org, "clerks": clerks}


def test_notify_reaches_every_active_user_of_the_organisations_and_the_given_users_once(
        app, centre, create_user, create_org):
    from accounts.models import User
    from notifications.outbox import notify

    inactive = create_user("clerk", org_id=centre["org"])
    outsider = create_user("supervisor")
    with app.app_context():
        db.session.get(User, inactive["id"]).active = False
        db.session.commit()
        written = notify("complaint.submitted", organisations=[centre["org"], centre["org"]],
                         users=[centre["clerks"][0]["id"], outsider["id"], inactive["id"]], params=PARAMS,
                         subject_type="complaint", subject_id="c-1", url="/centre/complaints/c-1")
        db.session.commit()
        recipients = set(db.session.scalars(select(Notification.user_id)))
        assert recipients == {centre["clerks"][0]["id"], centre["clerks"][1]["id"], outsider["id"]}
        assert count(Notification) == 3  # the clerk named twice (user and member) gets one
        emails = db.session.scalars(select(OutboxDelivery)).all()
        assert {d.user_id for d in emails} == recipients
        assert all(d.channel is Channel.email and d.state is DeliveryState.pending and d.attempts == 0
                   for d in emails)
        assert len({d.public_id for d in emails}) == 3
        assert written == {"notifications": 3, "emails": 3, "webhooks": 0}
        row = db.session.scalars(select(Notification)).first()
        assert row.params == PARAMS and row.url == "/centre/complaints/c-1" and row.subject_id == "c-1"


def test_unknown_event_is_refused_and_writes_nothing(app, centre):
    from notifications.outbox import notify

    with app.app_context():
        with pytest.raises(ValueError, match="complaint.exploded"):
            notify("complaint.exploded", organisations=[centre["org"]])
        assert count(Notification) == 0 and count(OutboxDelivery) == 0


def test_notify_inside_a_transaction_that_rolls_back_leaves_no_rows(app, centre):
    from notifications.outbox import notify

    with app.app_context():
        notify("complaint.submitted", organisations=[centre["org"]], params=PARAMS)
        # flushed, not committed: visible in this transaction only
        assert count(Notification) == 2 and count(OutboxDelivery) == 2
        db.session.rollback()
        assert count(Notification) == 0 and count(OutboxDelivery) == 0
    with app.app_context():
        assert count(Notification) == 0 and count(OutboxDelivery) == 0


def test_preferences_turning_email_off_for_an_event_write_no_email_delivery(app, centre):
    from notifications.outbox import notify

    zh, en = centre["clerks"]
    with app.app_context():
        db.session.add(NotificationPreference(user_id=zh["id"], event="complaint.submitted", email=False))
        db.session.commit()
        notify("complaint.submitted", organisations=[centre["org"]], params=PARAMS)
        notify("complaint.info_supplied", organisations=[centre["org"]], params=PARAMS)
        db.session.commit()
        assert count(Notification, Notification.user_id == zh["id"]) == 2  # in-app always
        emails = db.session.execute(select(OutboxDelivery.user_id, OutboxDelivery.event)).all()
        assert sorted(emails, key=str) == sorted([(en["id"], "complaint.submitted"),
                                                  (zh["id"], "complaint.info_supplied"),
                                                  (en["id"], "complaint.info_supplied")], key=str)


def test_a_webhook_delivery_per_organisation_with_an_active_endpoint(app, centre, create_org, create_user):
    from notifications.models import WebhookEndpoint
    from notifications.outbox import notify

    police = create_org(kind="public_security", district="municipal")
    court = create_org(kind="court", district="municipal")
    quiet = create_org(kind="procuratorate", district="municipal")
    create_user("agency_officer", org_id=police)
    with app.app_context():
        db.session.add(WebhookEndpoint(organisation_id=police, url="https://police.example/hook", secret="s1"))
        db.session.add(WebhookEndpoint(organisation_id=quiet, url="https://quiet.example/hook", secret="s2",
                                       active=False))
        db.session.commit()
        written = notify("referral.received", organisations=[police, court, quiet],
                         params={**PARAMS, "letter_number": "沪商秘移〔2026〕1号"})
        db.session.commit()
        hooks = db.session.scalars(select(OutboxDelivery).where(OutboxDelivery.channel == Channel.webhook)).all()
        assert [h.organisation_id for h in hooks] == [police]
        assert written == {"notifications": 1, "emails": 1, "webhooks": 1}


def test_params_are_stored_as_json_data(app, centre):
    import datetime as dt
    import decimal
    import uuid

    from notifications.outbox import notify

    some_id = uuid.uuid4()
    with app.app_context():
        notify("deadline.reminder", organisations=[centre["org"]], params={
            "rule": "Q2", "due_at": dt.datetime(2026, 10, 9, 9, 0, tzinfo=dt.UTC), "day": dt.date(2026, 10, 9),
            "amount": decimal.Decimal("300000.00"), "id": some_id})
        db.session.commit()
        params = db.session.scalars(select(Notification.params)).first()
        assert params == {"rule": "Q2", "due_at": "2026-10-09T09:00:00+00:00", "day": "2026-10-09",
                          "amount": "300000.00", "id": str(some_id)}
        with pytest.raises(ValueError):
            notify("deadline.reminder", organisations=[centre["org"]], params={"due_at": dt.datetime(2026, 1, 1)})


def test_texts_are_rendered_in_the_recipients_language_chinese_by_default(app):
    from notifications.events import render

    params = {"rule": "Q2", "due_at": "2026-10-09T09:00:00+00:00"}
    with app.app_context():
        # the due time is shown in Shanghai time (UTC+8)
        subject, body = render("deadline.reminder", params, "zh")
        assert subject.startswith("期限提醒") and "Q2" in subject and "2026-10-09 17:00" in subject
        assert "请在此之前办理" in body
        assert render("deadline.reminder", params, "en") == (
            "Deadline reminder: Q2 due 2026-10-09 17:00",
            "Deadline Q2 is due at 2026-10-09 17:00. Please act before then.")
        assert render("deadline.reminder", params, "fr")[0] == subject  # an unknown language: Chinese
        # a missing parameter renders as nothing rather than failing the delivery for ever
        assert render("complaint.rejected", {"reference": "SH-1"}, "en")[1] == (
            "The centre has not accepted complaint SH-1. Reason: ")
        # coded values are words in the reader's language
        assert render("referral.decided", {"reference": "SH-1", "agency": "AMR", "state": "declined"}, "en")[1] == (
            "Decision of AMR on complaint SH-1: no case is opened.")
        assert "不予立案" in render("referral.decided", {"reference": "SH-1", "agency": "AMR", "state": "declined"},
                                    "zh")[1]


# --- the outbox events other packages write (core.outbox.emit, the deadline sweep) -------------------

def test_outbox_events_are_expanded_exactly_once(app, centre, create_org, create_user):
    from core.outbox import OutboxEvent, emit
    from notifications.models import WebhookEndpoint
    from notifications.worker import expand_outbox

    agency = create_org(kind="market_regulation", district="putuo")
    officer = create_user("agency_officer", org_id=agency)
    with app.app_context():
        db.session.add(WebhookEndpoint(organisation_id=agency, url="https://amr.example/hook", secret="s"))
        emit("referral.received", organisation_ids=[agency], params={**PARAMS, "letter_number": "L-1"},
             subject_type="referral")
        emit("complaint.submitted", organisation_ids=[centre["org"]], user_ids=[officer["id"]], params=PARAMS)
        emit("complaint.unheard_of", organisation_ids=[centre["org"]])
        db.session.commit()

        counts = expand_outbox(batch_size=2)
        assert counts == {"events": 3, "notifications": 4, "emails": 4, "webhooks": 1, "unknown": 1}
        assert count(OutboxEvent, OutboxEvent.expanded_at.is_(None)) == 0
        assert expand_outbox() == {"events": 0, "notifications": 0, "emails": 0, "webhooks": 0, "unknown": 0}
        assert count(Notification) == 4 and count(OutboxDelivery) == 5
        assert count(Notification, Notification.user_id == officer["id"]) == 2


def test_supervisor_audience_and_enrichers_complete_emitted_events(app, centre, create_org, create_user):
    """A sweep's escalation: audience "supervisors" adds every supervisor office; the emitting package's
    enricher adds the due time the texts need, in one call per batch."""
    from core.outbox import emit
    from notifications import outbox
    from notifications.events import render
    from notifications.worker import expand_outbox

    office = create_org(kind="supervisor_office", district="municipal")
    supervisor = create_user("supervisor", org_id=office, language="en")
    batches = []

    def enrich(params_list):
        batches.append(len(params_list))
        for params in params_list:
            params["due_at"] = dt.datetime(2026, 10, 9, 9, 0, tzinfo=dt.UTC)  # stored as ISO 8601

    outbox.register_enricher("deadline.", enrich)
    try:
        with app.app_context():
            for level in ("escalation-2", "escalation-3"):
                emit("deadline.escalated", organisation_ids=[centre["org"]], audience="supervisors",
                     params={"rule": "Q2", "level": level, "deadline": "d-1"})
            emit("complaint.accepted", organisation_ids=[centre["org"]], params={"reference": "SH-1"})
            db.session.commit()
            expand_outbox()
            rows = db.session.scalars(select(Notification).where(Notification.user_id == supervisor["id"])
                                      .order_by(Notification.id)).all()
            assert [r.params["level"] for r in rows] == ["escalation-2", "escalation-3"]
            assert rows[0].params["due_at"] == "2026-10-09T09:00:00+00:00"
            assert render(rows[0].event, rows[0].params, "en")[1] == (
                "Deadline Q2 (due 2026-10-09 17:00) was missed and is escalated to you (escalation-2).")
            # the centre's 2 clerks and the supervisor, for each of the 2 events
            assert count(Notification, Notification.event == "deadline.escalated") == 6
            assert "due_at" not in db.session.scalars(select(Notification.params).where(
                Notification.event == "complaint.accepted")).first()
        assert batches == [2]
    finally:
        outbox._ENRICHERS.remove(("deadline.", enrich))


def test_a_deactivated_recipient_gets_no_email_and_the_delivery_says_why(app, centre):
    from accounts.models import User
    from notifications.outbox import notify
    from notifications.worker import deliver_due

    with app.app_context():
        notify("complaint.submitted", users=[centre["clerks"][0]["id"]], params=PARAMS)
        db.session.get(User, centre["clerks"][0]["id"]).active = False
        db.session.commit()
        assert deliver_due() == {"sent": 0, "retrying": 0, "dead": 1}
        row = db.session.scalars(select(OutboxDelivery)).one()
        assert row.state is DeliveryState.dead and "deactivated" in row.last_error
