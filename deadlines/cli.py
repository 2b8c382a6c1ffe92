"""`flask deadlines seed-rules | sweep`."""
import click
from flask.cli import with_appcontext

from core.extensions import db

deadlines_cli = click.Group("deadlines", help="Deadline rules and the sweep.")


@deadlines_cli.command("seed-rules")
@with_appcontext
def seed_rules_command():
    """Add DOMAIN.md's default deadline rules that are missing (idempotent)."""
    from .rules_seed import seed_rules

    added = seed_rules()
    db.session.commit()
    click.echo(f"{added} deadline rule(s) added")


@deadlines_cli.command("sweep")
@with_appcontext
def sweep_command():
    """Run one sweep now (the scheduler does this every SWEEP_INTERVAL_SECONDS)."""
    from .sweep import sweep

    click.echo(sweep())
