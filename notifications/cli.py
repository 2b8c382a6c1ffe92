"""`flask notifications deliver | dead | retry ID`: the delivery worker and dead deliveries from the shell."""
import click
from flask.cli import with_appcontext

from core.errors import ValidationFailed
from core.extensions import db

from . import services
from .worker import deliver_due, expand_outbox

notifications_cli = click.Group("notifications", help="Deliver notifications and handle failed deliveries.")

MAX_ROUNDS = 1000


@notifications_cli.command("deliver")
@click.option("--batch-size", default=100, show_default=True, type=click.IntRange(1, 10_000))
@with_appcontext
def deliver_command(batch_size):
    """Expand the outbox's new events, send everything that is due now (batch after batch), print the counts."""
    expanded = expand_outbox()
    click.echo(f"expanded {expanded['events']} events into {expanded['notifications']} notifications, "
               f"{expanded['emails']} e-mails and {expanded['webhooks']} webhook calls"
               + (f" ({expanded['unknown']} of an unknown type, skipped)" if expanded["unknown"] else ""))
    totals = {"sent": 0, "retrying": 0, "dead": 0}
    for _ in range(MAX_ROUNDS):
        counts = deliver_due(batch_size=batch_size)
        for key, value in counts.items():
            totals[key] += value
        if sum(counts.values()) < batch_size:
            break
    click.echo(f"sent {totals['sent']}, failed and retrying later {totals['retrying']}, dead {totals['dead']}")


@notifications_cli.command("dead")
@click.option("--limit", default=100, show_default=True, type=click.IntRange(1, 100_000))
@with_appcontext
def dead_command(limit):
    """List the deliveries that were given up, newest first."""
    rows = services.dead_deliveries(limit=limit)
    for d in rows:
        click.echo(f"{d.id}\t{d.public_id}\t{d.channel.value}\t{d.event}\t{d.recipient}\tattempts={d.attempts}\t"
                   f"dead_at={d.dead_at.isoformat()}\t{(d.last_error or '').splitlines()[0] if d.last_error else ''}")
    click.echo(f"{len(rows)} dead deliver{'y' if len(rows) == 1 else 'ies'}", err=True)


@notifications_cli.command("retry")
@click.argument("reference")
@with_appcontext
def retry_command(reference):
    """Send a dead delivery again (by its id or its delivery uuid): back to pending, attempts reset."""
    delivery = services.find_delivery(reference)
    if delivery is None:
        click.echo(f"error: no delivery {reference}", err=True)
        raise SystemExit(1)
    try:
        services.retry_delivery(None, delivery)
    except ValidationFailed as exc:  # already sent
        click.echo(f"error: {exc.errors}", err=True)
        raise SystemExit(1) from None
    db.session.commit()
    click.echo(f"delivery {delivery.id} ({delivery.public_id}) is pending again")
