"""The case file's memory with a large evidence file (not a test).

    .venv/bin/python bench/casefile.py [--mb 500] [--small-mb 1] [--database-url URL]

Stores one evidence file of --mb MiB (incompressible bytes, through the vault: encrypted in 64 KiB chunks) on a
submitted complaint, and another of --small-mb MiB on a second one; builds each complaint's case file
(routing/casefile.build: the evidence authenticated in a first pass, the PDFs, the signed manifest) and streams
its ZIP (routing/casefile.stream), discarding the bytes. Prints, for both, tracemalloc's peak Python memory while
building and while streaming, the ZIP's size and the throughput: memory is flat when the large file's peaks
equal the small one's.
"""
import argparse
import hashlib
import io
import sys
import tempfile
import time
import tracemalloc
import uuid
from pathlib import Path

sys.path[0] = str(Path(__file__).resolve().parents[1])

from bench.common import scratch_database  # noqa: E402


class Pseudorandom(io.RawIOBase):
    def __init__(self, size):
        self.left, self.counter = size, 0

    def readable(self):
        return True

    def readinto(self, buffer):
        n = min(len(buffer), self.left, 1 << 20)
        out = bytearray()
        while len(out) < n:
            out += hashlib.shake_256(self.counter.to_bytes(8, "big")).digest(65536)
            self.counter += 1
        buffer[:n] = out[:n]
        self.left -= n
        return n


def setup(app, sizes):
    from accounts import services as accounts
    from accounts.enums import District, OrgKind, Role
    from core.extensions import db
    from core.models import utcnow
    from evidence.models import EvidenceFile
    from evidence.vault import store
    from intake.enums import ComplaintState
    from intake.models import Complaint

    with app.app_context():
        db.create_all()
        centre = accounts.create_organisation(name="上海市商业秘密保护维权中心", kind=OrgKind.rights_center,
                                              district=District.municipal)
        enterprise = accounts.create_organisation(name="上海某科技有限公司", kind=OrgKind.enterprise,
                                                  district=District.pudong, credit_code="91310115MA1H7ABC1X")
        clerk = accounts.create_user(organisation=centre, email="clerk@bench.example", name="办事员",
                                     password="bench-password-1234567", role=Role.clerk, language="zh")
        user = accounts.create_user(organisation=enterprise, email="e@bench.example", name="企业用户",
                                    password="bench-password-1234567", role=Role.enterprise_user, language="zh")
        ids = []
        for n, size in enumerate(sizes, start=1):
            complaint = Complaint(reference=f"SM-2026-{n:06d}", state=ComplaintState.accepted, enterprise=enterprise,
                                  created_by_id=user.id, centre=centre, submitted_at=utcnow())
            db.session.add(complaint)
            db.session.flush()
            source = io.BufferedReader(Pseudorandom(size))
            blob = store(source.read(4096), source, size + 1)
            db.session.add(EvidenceFile(complaint_id=complaint.id, uploaded_by_id=user.id, display_name="large.bin",
                                        media_type="application/octet-stream", size=blob.size, sha256=blob.sha256,
                                        storage_key=blob.storage_key, wrapped_key=blob.wrapped_key))
            ids.append(complaint.id)
        db.session.commit()
        return clerk.id, ids


def measure(app, clerk_id, complaint_id):
    from accounts.models import User
    from core.extensions import db
    from intake.models import Complaint
    from routing import casefile

    with app.test_request_context():
        actor, complaint = db.session.get(User, clerk_id), db.session.get(Complaint, complaint_id)
        for _ in casefile.stream(casefile.build(actor, complaint)):
            pass  # warm: the PDF font loaded once, as in a running server
        tracemalloc.start()
        started = time.perf_counter()
        built = casefile.build(actor, complaint)
        build_peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.reset_peak()
        total = sum(len(piece) for piece in casefile.stream(built))
        stream_peak = tracemalloc.get_traced_memory()[1]
        seconds = time.perf_counter() - started
        tracemalloc.stop()
        db.session.rollback()
    return total, build_peak, stream_peak, seconds


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--mb", type=int, default=500)
    parser.add_argument("--small-mb", type=int, default=1)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    from app import create_app

    with scratch_database(args.database_url) as url, tempfile.TemporaryDirectory() as evidence_dir:
        app = create_app({"DATABASE_URL": url, "APP_ENV": "testing", "EVIDENCE_DIR": evidence_dir})
        clerk_id, (small, large) = setup(app, [args.small_mb << 20, args.mb << 20])
        for label, mb, complaint_id in (("small", args.small_mb, small), ("large", args.mb, large)):
            total, build_peak, stream_peak, seconds = measure(app, clerk_id, complaint_id)
            print(f"{label}: evidence {mb} MiB, ZIP {total / 2**20:.1f} MiB in {seconds:.1f} s "
                  f"({total / 2**20 / seconds:.1f} MiB/s incl. the first pass); peak Python memory: "
                  f"building {build_peak / 2**20:.2f} MiB, streaming {stream_peak / 2**20:.2f} MiB")


if __name__ == "__main__":
    main()
