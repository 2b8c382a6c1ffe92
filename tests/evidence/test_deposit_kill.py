"""The deposit log survives a crash between writing a leaf and the checkpoint: a process that committed a
leaf, then deposited another and took a checkpoint (sequenced, signed, flushed, not committed) is killed with
SIGKILL; after it, the log is consistent and the next checkpoint covers exactly the committed leaves."""
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

from evidence.models import DepositCheckpoint, DepositLeaf
from tests.evidence.support import rows

ROOT = Path(__file__).resolve().parents[2]

CHILD = r"""
import json, sys
from app import create_app
from core.extensions import db
from evidence import deposits

app = create_app(json.loads(sys.argv[1]))
with app.app_context():
    deposits.deposit("case_file", "committed-2", "ab" * 32, 10)
    db.session.commit()  # the leaf is written
    print("leaf", flush=True)
    deposits.deposit("case_file", "lost", "cd" * 32, 11)
    checkpoint, new = deposits.take_checkpoint()  # indexes given, checkpoint signed and flushed: not committed
    print("checkpoint", checkpoint.size, new, flush=True)
    sys.stdin.readline()  # killed here, before the commit
    db.session.commit()
"""


def test_a_process_killed_between_the_leaf_and_the_checkpoint_leaves_a_consistent_log(app, runner):
    from core.extensions import db
    from evidence import deposits

    with app.app_context():
        deposits.deposit("case_file", "committed-1", "ef" * 32, 9)
        deposits.take_checkpoint()
        db.session.commit()
        db.session.remove()
        db.engine.dispose()  # no connection of ours in the way of the child's lock
    config = {key: app.config[key] for key in ("SECRET_KEY", "SIGNING_KEY", "EVIDENCE_KEY", "DEPOSIT_LOG_ORIGIN",
                                               "EVIDENCE_DIR")}
    config.update(APP_ENV="testing", TESTING=True, DATABASE_URL=app.config["SQLALCHEMY_DATABASE_URI"])
    child = subprocess.Popen([sys.executable, "-c", CHILD, json.dumps(config)], cwd=ROOT, stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert child.stdout.readline().strip() == "leaf", child.stderr.read()
        assert child.stdout.readline().split() == ["checkpoint", "3", "True"]
        os.kill(child.pid, signal.SIGKILL)
        child.wait(timeout=60)
    finally:
        if child.poll() is None:
            child.kill()
    assert child.returncode == -signal.SIGKILL

    leaves = {leaf.subject: leaf for leaf in rows(app, DepositLeaf)}
    assert set(leaves) == {"case_file:committed-1", "case_file:committed-2"}  # the uncommitted leaf is gone
    assert leaves["case_file:committed-2"].leaf_index is None  # its index was never committed either
    assert [c.size for c in rows(app, DepositCheckpoint)] == [1]
    assert runner.invoke(args=["deposits", "verify"]).exit_code == 0
    result = runner.invoke(args=["deposits", "checkpoint"])
    assert result.exit_code == 0 and "new checkpoint: size 2" in result.output, result.output
    verified = runner.invoke(args=["deposits", "verify"])
    assert verified.exit_code == 0, verified.output
