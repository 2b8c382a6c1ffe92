"""The failed-deliveries page agrees with itself: its count and its rows are one set (given up, or still being
retried after a failed attempt), over every page; each row shows its last error and a button to send it again."""
import datetime as dt
import re

import pytest

from core.extensions import db
from notifications.models import Channel, DeliveryState, OutboxDelivery
from tests.accounts.web import csrf_token, web_login

T0 = dt.datetime(2026, 11, 2, 1, 0, tzinfo=dt.UTC)
ROW = re.compile(r'data-testid="dead-delivery" data-id="(\d+)"')


def _delivery(user_id, state, attempts, n, error="connection refused"):
    row = OutboxDelivery(channel=Channel.email, event="account.password_changed", params={}, user_id=user_id,
                         state=state, attempts=attempts, created_at=T0, last_error=error if attempts else None,
                         last_attempt_at=T0 + dt.timedelta(minutes=n) if attempts else None,
                         next_attempt_at=T0 + dt.timedelta(hours=1) if state is DeliveryState.pending else None)
    if state is DeliveryState.dead:
        row.dead_at = T0 + dt.timedelta(minutes=n)
    if state is DeliveryState.sent:
        row.sent_at = T0
    db.session.add(row)
    return row


@pytest.fixture
def deliveries(app, create_user):
    """33 given up and 4 still retrying (the failed ones), besides 3 sent and 2 waiting for a first attempt."""
    admin = create_user("admin")
    user = create_user("clerk")
    with app.app_context():
        failed = [_delivery(user["id"], DeliveryState.dead, 8, n, f"SMTP error {n}") for n in range(33)]
        failed += [_delivery(user["id"], DeliveryState.pending, 2, n) for n in range(4)]
        for n in range(3):
            _delivery(user["id"], DeliveryState.sent, 1, n)
        for n in range(2):
            _delivery(user["id"], DeliveryState.pending, 0, n)
        db.session.commit()
        ids = {d.id for d in failed}
    return admin, ids


def test_the_count_and_the_rows_are_the_same_set_over_every_page(client, deliveries):
    admin, failed = deliveries
    web_login(client, admin)
    seen, page, counts = [], 1, set()
    while True:
        html = client.get(f"/admin/deliveries?page={page}&lang=en").get_data(as_text=True)
        counts.add(int(re.search(r'data-testid="delivery-counts" data-total="(\d+)"', html).group(1)))
        assert "Failed deliveries: 37 (given up: 33; still being retried: 4)" in html
        rows = [int(i) for i in ROW.findall(html)]
        seen += rows
        if 'data-testid="next-page"' not in html:
            break
        assert len(rows) == 30
        page += 1
    assert page == 2
    assert counts == {37} and len(seen) == 37 and set(seen) == failed  # no row twice, none missing, no other


def test_each_row_shows_its_last_error_and_a_button_that_sends_it_again(app, client, deliveries):
    admin, failed = deliveries
    web_login(client, admin)
    html = client.get("/admin/deliveries?lang=en").get_data(as_text=True)
    rows = html.split('data-testid="dead-delivery"')[1:]
    assert len(rows) == 30
    for row in rows:
        assert re.search(r'data-testid="last-error">(SMTP error \d+|connection refused)<', row)
        assert 'data-testid="retry"' in row and "/retry" in row
    assert "account.password_changed" not in html  # the event by its label, never its identifier
    first = int(ROW.search(html).group(1))
    token = csrf_token(client, "/admin/deliveries")
    response = client.post(f"/admin/deliveries/{first}/retry?page=2", data={"csrf_token": token})
    assert response.status_code == 302 and response.headers["Location"].endswith("/admin/deliveries?page=2")
    with app.app_context():
        retried = db.session.get(OutboxDelivery, first)
        assert retried.state is DeliveryState.pending and retried.attempts == 0
    html = client.get("/admin/deliveries?lang=en").get_data(as_text=True)
    assert "Failed deliveries: 36 (given up: 32; still being retried: 4)" in html
