"""The in-app inbox, the unread count in the navigation bar, mark read, e-mail preferences, and the way in
from routing: a submitted complaint reaches the centre's clerks in-app and by e-mail."""
import datetime as dt
import re

import pytest
import time_machine
from sqlalchemy import event, select

from core.extensions import db
from notifications.models import Channel, Notification, NotificationPreference, OutboxDelivery
from tests.accounts.web import csrf_token, field_errors, web_login
from tests.notifications.support import count, deliver_until_idle

T0 = dt.datetime(2026, 10, 12, 1, 0, tzinfo=dt.UTC)
UNREAD = re.compile(r'<mark data-testid="unread-count">(\d+)</mark>')


def unread_in_nav(client):
    match = UNREAD.search(client.get("/account").get_data(as_text=True))
    return int(match.group(1)) if match else 0


def ids_on_page(html):
    return [int(i) for i in re.findall(r'data-testid="notification" data-id="(\d+)"', html)]


@pytest.fixture
def reader(app, create_org, create_user):
    """A Chinese-speaking clerk with three notifications (a minute apart) and a colleague with one."""
    from notifications.outbox import notify

    centre = create_org(kind="rights_center", district="municipal")
    user = create_user("clerk", org_id=centre, language="zh")
    other = create_user("clerk", org_id=centre, language="en")
    with app.app_context():
        for i in range(3):
            with time_machine.travel(T0 + dt.timedelta(minutes=i), tick=False):
                notify("complaint.submitted", users=[user["id"]], url=f"/centre/complaints/{i}",
                       params={"reference": f"SH-2026-0000{i}", "enterprise": "上海澄川智能科技有限公司"})
        notify("complaint.accepted", users=[other["id"]], params={"reference": "SH-2026-00099"})
        db.session.commit()
        mine = db.session.scalars(select(Notification.id).where(Notification.user_id == user["id"])
                                  .order_by(Notification.created_at.desc())).all()
        theirs = db.session.scalars(select(Notification.id).where(Notification.user_id == other["id"])).one()
    return {"user": user, "other": other, "mine": mine, "theirs": theirs}


def test_the_inbox_lists_the_users_notifications_newest_first_in_their_language(app, client, reader):
    assert client.get("/notifications").status_code == 302  # sign in first
    web_login(client, reader["user"])
    page = client.get("/notifications")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert ids_on_page(html) == reader["mine"]  # newest first, and only the reader's own
    assert "SH-2026-00002" in html and "SH-2026-00099" not in html
    assert "新投诉" in html and "New complaint" not in html  # the reader's language (zh)
    assert "2026-10-12 09:02" in html  # Shanghai time
    english = client.get("/notifications?lang=en").get_data(as_text=True)
    assert "New complaint SH-2026-00002" in english


def test_the_unread_count_in_the_navigation_bar_costs_one_count_query(app, client, reader):
    web_login(client, reader["user"])
    statements = []

    def record(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement.lower())

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        html = client.get("/account").get_data(as_text=True)
    finally:
        event.remove(engine, "before_cursor_execute", record)
    assert UNREAD.search(html).group(1) == "3"
    assert len([s for s in statements if "notifications" in s]) == 1
    assert [s for s in statements if "notifications" in s][0].startswith("select count(")


def test_mark_read_and_mark_all_read(app, client, reader):
    web_login(client, reader["user"])
    newest, middle, oldest = reader["mine"]
    assert unread_in_nav(client) == 3
    assert client.post(f"/notifications/{newest}/read").status_code == 400  # no CSRF token
    token = csrf_token(client, "/notifications")
    response = client.post(f"/notifications/{newest}/read", data={"csrf_token": token})
    assert response.status_code == 302 and response.headers["Location"].endswith("/notifications?page=1")
    assert unread_in_nav(client) == 2
    # "open" marks it read and follows its link
    opened = client.post(f"/notifications/{middle}/read", data={"csrf_token": token, "open": "1"})
    assert opened.status_code == 302 and opened.headers["Location"] == "/centre/complaints/1"
    assert unread_in_nav(client) == 1
    # someone else's notification does not exist for this reader
    assert client.post(f"/notifications/{reader['theirs']}/read", data={"csrf_token": token}).status_code == 404
    assert client.post("/notifications/999999/read", data={"csrf_token": token}).status_code == 404

    html = client.get("/notifications").get_data(as_text=True)
    assert re.findall(r'data-id="(\d+)" data-read="(yes|no)"', html) == [
        (str(newest), "yes"), (str(middle), "yes"), (str(oldest), "no")]
    assert client.post("/notifications/read-all", data={"csrf_token": token}).status_code == 302
    assert unread_in_nav(client) == 0
    with app.app_context():
        assert count(Notification, Notification.read_at.is_(None)) == 1  # the colleague's is untouched
        assert db.session.get(Notification, reader["theirs"]).read_at is None


def test_preferences_turn_email_off_for_an_event(app, client, reader):
    from accounts.enums import Role
    from notifications.events import events_for_role
    from notifications.outbox import notify

    EVENTS = events_for_role(Role.clerk)  # the reader is a clerk: the events that reach clerks, none e-mail-only
    user = reader["user"]
    web_login(client, user)
    page = client.get("/notifications/preferences").get_data(as_text=True)
    assert len(re.findall(r'name="email" value="[^"]+" checked', page)) == len(EVENTS)  # all on by default

    token = csrf_token(client, "/notifications/preferences")
    refused = client.post("/notifications/preferences", data={"csrf_token": token, "email": ["no.such_event"]})
    assert refused.status_code == 422 and field_errors(refused.get_data(as_text=True), "events")
    with app.app_context():
        assert count(NotificationPreference) == 0

    wanted = [e for e in EVENTS if e != "complaint.submitted"]
    assert client.post("/notifications/preferences",
                       data={"csrf_token": token, "email": wanted}).status_code == 302
    page = client.get("/notifications/preferences").get_data(as_text=True)
    assert 'value="complaint.submitted" checked' not in page and 'value="complaint.info_supplied" checked' in page

    with app.app_context():
        db.session.execute(OutboxDelivery.__table__.delete())
        notify("complaint.submitted", users=[user["id"], reader["other"]["id"]], params={"reference": "SH-1"})
        notify("complaint.info_supplied", users=[user["id"]], params={"reference": "SH-1"})
        db.session.commit()
        emails = db.session.execute(select(OutboxDelivery.user_id, OutboxDelivery.event)).all()
        assert sorted(emails, key=str) == sorted([(reader["other"]["id"], "complaint.submitted"),
                                                  (user["id"], "complaint.info_supplied")], key=str)
        # in-app, every event still arrives
        assert count(Notification, Notification.user_id == user["id"], Notification.event == "complaint.submitted") == 4


def test_a_submitted_complaint_reaches_the_centres_clerks_in_app_and_by_email(app, client, world, smtp):
    """From routing's outbox event (core.outbox.emit) to the clerk's inbox and mailbox."""
    from notifications.worker import expand_outbox
    from tests.routing.support import submit

    smtp.start()
    complaint = submit(world)
    with app.app_context():
        counts = expand_outbox()
    assert counts["events"] >= 1 and counts["unknown"] == 0
    with app.app_context():
        clerks = {world.users["clerk"]["id"], world.users["clerk2"]["id"]}
        submitted = db.session.scalars(select(Notification).where(Notification.event == "complaint.submitted")).all()
        assert {n.user_id for n in submitted} == clerks
        assert count(OutboxDelivery, OutboxDelivery.channel == Channel.email,
                     OutboxDelivery.event == "complaint.submitted") == 2
    deliver_until_idle(app)
    subjects = {m["To"]: m["Subject"] for m in smtp.messages}
    assert subjects[world.users["clerk"]["email"]] == f"New complaint {complaint['reference']}"
    assert subjects[world.users["clerk2"]["email"]] == f"New complaint {complaint['reference']}"

    web_login(client, world.users["clerk"])
    html = client.get("/notifications?lang=en").get_data(as_text=True)
    assert f"New complaint {complaint['reference']}" in html
