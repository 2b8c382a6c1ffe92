"""``flask clues rebuild``: every submitted complaint's match keys written anew (existing data)."""
import click
from flask.cli import AppGroup

from core.extensions import db

clues_cli = AppGroup("clues", help="Clue linking across the city.")


@clues_cli.command("rebuild")
@click.option("--batch", default=1000, show_default=True, help="Complaints read per query.")
def rebuild_command(batch):
    """Write the match keys of every submitted complaint anew (in one transaction)."""
    from . import clues

    count = clues.rebuild(batch=batch)
    db.session.commit()
    click.echo(f"Match keys written for {count} complaints.")
