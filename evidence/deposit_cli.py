"""`flask deposits ...`: take a checkpoint, deposit the files stored before the log, re-check the whole log."""
import sys

import click
from flask.cli import with_appcontext

from core.extensions import db

from . import deposits


@click.group("deposits", help="The evidence deposit log (存证): checkpoints and verification.")
def deposits_cli():
    pass


@deposits_cli.command("checkpoint", help="Sequence new entries and sign a checkpoint if the log grew.")
@with_appcontext
def checkpoint_command():
    checkpoint, new = deposits.take_checkpoint()
    db.session.commit()
    click.echo(("new checkpoint" if new else "unchanged, latest checkpoint") + f": size {checkpoint.size}, "
               f"root {checkpoint.root_hash}")
    click.echo(checkpoint.note, nl=False)


@deposits_cli.command("backfill", help="Deposit the evidence files that have no entry yet (stored before the log).")
@with_appcontext
def backfill_command():
    added = deposits.backfill()
    db.session.commit()
    click.echo(f"{added} evidence file(s) deposited; the next checkpoint covers them")


@deposits_cli.command("verify", help="Re-check every entry, every checkpoint (signature, root) and every stored "
                                     "evidence file (decrypted) against the log; name the first inconsistency.")
@with_appcontext
def verify_command():
    for name, count, steps in deposits.audit_steps():
        with click.progressbar(length=count, label=f"{name:>15}", file=sys.stderr) as bar:
            for problem in steps():
                if problem is not None:
                    bar.render_finish()
                    click.echo(f"INCONSISTENT: {problem}", err=True)
                    sys.exit(1)
                bar.update(1)
    click.echo("the deposit log is consistent: every entry, checkpoint and stored file checked")
