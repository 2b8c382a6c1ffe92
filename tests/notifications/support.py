"""Helpers of the notification tests: rows counted in the database, the worker run until nothing is due."""
import datetime as dt

import time_machine
from sqlalchemy import func, select

from core.extensions import db
from core.models import utcnow


def count(model, *where):
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def deliver_until_idle(app, at: dt.datetime | None = None, rounds: int = 20) -> dict:
    """Run the worker (at the moment ``at``) until a run claims nothing; bounded."""
    from notifications.worker import deliver_due

    totals = {"sent": 0, "retrying": 0, "dead": 0}
    with app.app_context(), time_machine.travel(at or utcnow(), tick=False):
        for _ in range(rounds):
            counts = deliver_due(batch_size=50)
            for key, value in counts.items():
                totals[key] += value
            if not any(counts.values()):
                return totals
    raise AssertionError(f"still delivering after {rounds} rounds: {totals}")
