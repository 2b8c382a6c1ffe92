"""The deposit log at scale (not a test).

    .venv/bin/python bench/deposits.py [--leaves 100000] [--new 1000] [--proofs 20] [--database-url URL]

N leaves already sequenced and checkpointed; then M new deposits. Prints the seconds of: sequencing the M
leaves and signing their checkpoint (take_checkpoint: the root of the whole tree from the stored leaf hashes),
an inclusion proof in the latest checkpoint (p50/p95 over --proofs leaves, each recomputed from the stored
hashes), a public verification of a digest (proof + signature check), a consistency proof between the two
checkpoints, and `flask deposits verify`'s pass over the leaves and checkpoints.
"""
import argparse
import hashlib
import sys
import time
from pathlib import Path

sys.path[0] = str(Path(__file__).resolve().parents[1])

from bench.common import percentile, scratch_database  # noqa: E402


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--leaves", type=int, default=100_000)
    parser.add_argument("--new", type=int, default=1000)
    parser.add_argument("--proofs", type=int, default=20)
    parser.add_argument("--database-url")
    args = parser.parse_args()
    with scratch_database(args.database_url) as url:
        from app import create_app

        app = create_app({"APP_ENV": "testing", "TESTING": True, "DATABASE_URL": url,
                          "SECRET_KEY": "bench-secret-key-" + "x" * 32})
        with app.app_context():
            from core.extensions import db
            from evidence import deposits
            from evidence.models import DepositLeaf

            db.create_all()

            def fill(start, count):
                rows = []
                for i in range(start, start + count):
                    rows.append(dict(kind="case_file", subject=f"case_file:{i}", size=i,
                                     sha256=hashlib.sha256(str(i).encode()).hexdigest()))
                    if len(rows) == 10_000:
                        db.session.execute(DepositLeaf.__table__.insert(), rows)
                        rows = []
                if rows:
                    db.session.execute(DepositLeaf.__table__.insert(), rows)
                db.session.commit()

            fill(0, args.leaves)
            t = time.perf_counter()
            first, _ = deposits.take_checkpoint()
            db.session.commit()
            print(f"initial sequencing + checkpoint of {args.leaves} leaves: {time.perf_counter() - t:.2f} s")

            fill(args.leaves, args.new)
            t = time.perf_counter()
            second, _ = deposits.take_checkpoint()
            db.session.commit()
            print(f"{args.new} new leaves sequenced + checkpoint of {second.size}: {time.perf_counter() - t:.3f} s")

            step = max(1, second.size // args.proofs)
            times = []
            for index in range(0, second.size, step):
                leaf = db.session.scalar(db.select(DepositLeaf).where(DepositLeaf.leaf_index == index))
                t = time.perf_counter()
                proof = deposits.inclusion(leaf, second)
                times.append(time.perf_counter() - t)
                assert deposits.check_inclusion(proof)
            print(f"inclusion proof at {second.size}: p50 {percentile(times, 50) * 1000:.0f} ms, "
                  f"p95 {percentile(times, 95) * 1000:.0f} ms ({len(times)} proofs)")
            t = time.perf_counter()
            found = deposits.verify_digest(hashlib.sha256(b"7").hexdigest())
            assert found and found[0].verified
            print(f"public verification of a digest: {(time.perf_counter() - t) * 1000:.0f} ms")
            t = time.perf_counter()
            deposits.consistency(first, second)
            print(f"consistency proof {first.size} -> {second.size}: {(time.perf_counter() - t) * 1000:.0f} ms")
            t = time.perf_counter()
            for name, count, steps in deposits.audit_steps()[:2]:
                problems = [p for p in steps() if p is not None]
                assert not problems, problems
            print(f"`flask deposits verify` over {second.size} leaves and 2 checkpoints: {time.perf_counter() - t:.2f} s")


if __name__ == "__main__":
    main()
