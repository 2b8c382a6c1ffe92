"""`flask scheduler`: the periodic work, in its own process (never inside create_app).

Jobs have fixed ids, max_instances=1 and coalesce=True, and each opens its own app context. Run one
or more of these processes: the sweep and the delivery worker claim rows with SELECT ... FOR UPDATE
SKIP LOCKED on PostgreSQL, so they never do the same work twice; on SQLite run exactly one.
"""
import logging

import click
from flask import current_app
from flask.cli import with_appcontext

log = logging.getLogger("scheduler")


def _job(app, name, fn):
    def run():
        with app.app_context():
            try:
                result = fn()
                if result:
                    log.info("%s: %s", name, result)
            except Exception:  # a failing run must not stop the scheduler; the next run retries
                log.exception("%s failed", name)
                from core.extensions import db

                db.session.rollback()
            finally:
                from core.extensions import db

                db.session.remove()
    return run


def jobs(app):
    from deadlines.sweep import sweep

    from evidence.deposits import scheduled_checkpoint

    found = [("deadline-sweep", app.config["SWEEP_INTERVAL_SECONDS"], sweep),
             ("deposit-checkpoint", app.config["DEPOSIT_CHECKPOINT_INTERVAL_SECONDS"], scheduled_checkpoint)]
    try:
        from notifications.worker import deliver_due, expand_outbox
    except ImportError:  # pragma: no cover - during development of the notifications package
        return found
    found.append(("outbox-expand", app.config["DELIVERY_INTERVAL_SECONDS"], expand_outbox))
    found.append(("outbox-deliver", app.config["DELIVERY_INTERVAL_SECONDS"], deliver_due))
    from supervision.satisfaction import remind_job

    found.append(("satisfaction-reminders", 3600, remind_job))  # hourly: the reminder is a matter of days
    return found


@click.command("scheduler", help="Run the sweep, the notification delivery and the deposit log's checkpoints periodically (Ctrl-C stops).")
@with_appcontext
def scheduler_command():
    from apscheduler.schedulers.blocking import BlockingScheduler

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    app = current_app._get_current_object()
    scheduler = BlockingScheduler(timezone="UTC")
    for job_id, seconds, fn in jobs(app):
        scheduler.add_job(_job(app, job_id, fn), "interval", seconds=seconds, id=job_id, max_instances=1,
                          coalesce=True, replace_existing=True)
        click.echo(f"scheduled {job_id} every {seconds} s")
    try:
        scheduler.start()
    except (KeyboardInterrupt, SystemExit):
        pass
