"""Benchmark of complaint intake through the JSON API, against a floor of bare SQLAlchemy Core writes.

Files N complaints in-process with the Flask test client, twice:

1. without evidence: create the draft (POST /api/v1/complaints, complete body) and submit it;
2. with a 100 KB PDF: create, upload the evidence (multipart), submit.

Then the floor: a bare Flask view, registered on the same app only here and called through the same
test client, that writes the same rows with SQLAlchemy Core in one transaction (the complaint, its
infringers, its two timeline rows, the reference counter). The evidence-free flow should reach at
least 25% of the floor's rate.

    .venv/bin/python bench/intake.py                      # a fresh SQLite file (WAL) in a temp dir
    .venv/bin/python bench/intake.py --n 500
    .venv/bin/python bench/intake.py --database-url postgresql://postgres@127.0.0.1:5432/test

For PostgreSQL the URL names a server and a database to connect to; the bench creates a scratch
database of its own there and drops it at the end.
"""
import argparse
import datetime as dt
import decimal
import gc
import io
import json
import os
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# This script is bench/intake.py: its own directory must not shadow the ``intake`` package.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]
sys.path.insert(0, str(ROOT))

TARGET_RATIO = 0.25
PASSWORD = "bench-password-123"
EVIDENCE_BYTES = 100 * 1024


def complete_body(today: dt.date) -> dict:
    return {
        "contact_name": "王敏",
        "contact_phone": "13800000001",
        "contact_email": "legal@chengchuan.example",
        "secret_category": "technical",
        "secret_description": "工业机械臂运动控制固件的源代码及调参参数表。",
        "confidentiality_measures": "保密协议、竞业限制、权限受控的代码仓库。",
        "commercial_value": "两年研发投入，年销量约3,000台。",
        "infringers": [{"kind": "former_employee", "name": "李某", "district": "pudong"},
                       {"kind": "competitor", "name": "上海锐驰自动化有限公司", "district": "minhang"}],
        "infringing_acts": ["electronic_intrusion", "disclosure_or_use_of_improperly_acquired"],
        "discovered_on": (today - dt.timedelta(days=30)).isoformat(),
        "estimated_loss": "1200000.00",
        "estimated_illegal_gains": None,
        "prior_admin_penalty": False,
        "remedies": ["criminal_investigation", "civil_damages", "injunction_preservation"],
        "preferred_tracks": ["criminal", "civil"],
        "facts": "离职前复制代码仓库；展会上发现相同参数表。",
    }


PDF = b"%PDF-1.4\n" + b"x" * (EVIDENCE_BYTES - 9)


# --- set-up ----------------------------------------------------------------------------------

def build_app(database_url: str, workdir: Path):
    from app import create_app
    from core.extensions import db

    app = create_app({
        "APP_ENV": "testing",
        "DATABASE_URL": database_url,
        "EVIDENCE_DIR": str(workdir / "evidence"),
        "SECRET_KEY": "bench-" + uuid.uuid4().hex,
        "ARGON2_TIME_COST": 1,
        "ARGON2_MEMORY_COST": 1024,
        "ARGON2_PARALLELISM": 1,
    })
    register_floor(app)
    with app.app_context():
        db.create_all()
        seed_reference_data()
        db.session.commit()
    return app


def seed_reference_data():
    """What `make run` seeds besides the demo: deadline rules and the working-day calendar."""
    try:
        from deadlines.rules_seed import seed_rules
    except ImportError:  # an older tree: no deadlines yet
        return
    seed_rules()
    try:
        from deadlines.calendar_cli import seed_calendar
    except ImportError:
        return
    seed_calendar()


def seed(app) -> dict:
    """A rights centre, one enterprise and its user."""
    from accounts import services
    from accounts.enums import District, OrgKind, Role
    from core.extensions import db

    with app.app_context():
        centre = services.create_organisation(name="上海市商业秘密保护维权中心", kind=OrgKind.rights_center,
                                              district=District.municipal)
        enterprise = services.create_organisation(
            name="上海澄川智能科技有限公司", kind=OrgKind.enterprise, district=District.pudong,
            credit_code="91310115MA1H7GQ5XY", contact_person="王敏", phone="13800000001",
            email="legal@chengchuan.example")
        user = services.create_user(organisation=enterprise, email="bench@chengchuan.example", name="王敏",
                                    password=PASSWORD, role=Role.enterprise_user)
        db.session.commit()
        return {"centre_id": centre.id, "enterprise_id": enterprise.id, "user_id": user.id,
                "email": user.email}


# --- the floor: the same rows, SQLAlchemy Core, one transaction ------------------------------

def register_floor(app):
    """POST /bench/floor: the rows of one filed complaint, written with Core and nothing else."""
    from flask import current_app, request
    from sqlalchemy import insert, update
    from sqlalchemy.dialects.postgresql import insert as pg_insert
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    from core.extensions import csrf, db
    from core.timeutil import shanghai_year
    from intake.enums import ComplaintState, InfringerKind
    from intake.models import Complaint, ComplaintEvent, Infringer, ReferenceCounter
    from accounts.enums import District

    complaints = Complaint.__table__
    infringers = Infringer.__table__
    events = ComplaintEvent.__table__
    counters = ReferenceCounter.__table__

    def money(value):
        return None if value is None else decimal.Decimal(value)

    def floor():
        body = request.get_json()
        ids = current_app.config["BENCH_IDS"]
        now = dt.datetime.now(dt.UTC)
        year = shanghai_year(now)
        complaint_id = uuid.uuid4()
        engine = db.engine
        upsert = pg_insert if engine.dialect.name == "postgresql" else sqlite_insert
        bump = (update(counters).where(counters.c.year == year).values(last_number=counters.c.last_number + 1)
                .returning(counters.c.last_number))
        with engine.begin() as conn:
            number = conn.execute(bump).scalar()
            if number is None:  # the year's first reference
                conn.execute(upsert(counters).values(year=year, last_number=0).on_conflict_do_nothing())
                number = conn.execute(bump).scalar_one()
            reference = f"SM-{year}-{number:06d}"
            conn.execute(insert(complaints).values(
                id=complaint_id, reference=reference, state=ComplaintState.submitted, version=2,
                enterprise_id=ids["enterprise_id"], created_by_id=ids["user_id"], centre_id=ids["centre_id"],
                contact_name=body["contact_name"], contact_phone=body["contact_phone"],
                contact_email=body["contact_email"], secret_category=body["secret_category"],
                secret_description=body["secret_description"],
                confidentiality_measures=body["confidentiality_measures"],
                commercial_value=body["commercial_value"], infringing_acts=body["infringing_acts"],
                discovered_on=dt.date.fromisoformat(body["discovered_on"]),
                estimated_loss=money(body["estimated_loss"]),
                estimated_illegal_gains=money(body["estimated_illegal_gains"]),
                prior_admin_penalty=body["prior_admin_penalty"], remedies=body["remedies"],
                preferred_tracks=body["preferred_tracks"], facts=body["facts"],
                created_at=now, updated_at=now, submitted_at=now))
            conn.execute(insert(infringers), [
                {"complaint_id": complaint_id, "position": i, "kind": InfringerKind(row["kind"]),
                 "name": row.get("name"), "credit_code": row.get("credit_code"),
                 "district": District(row["district"]) if row.get("district") else None}
                for i, row in enumerate(body["infringers"])])
            actor = {"complaint_id": complaint_id, "at": now, "actor_id": ids["user_id"],
                     "organisation_id": ids["enterprise_id"], "reason": None, "public": True}
            conn.execute(insert(events), [
                {**actor, "kind": "created", "trigger": None, "from_state": None, "to_state": "draft",
                 "payload": {"fields": sorted(body)}},
                {**actor, "kind": "transition", "trigger": "submit", "from_state": "draft",
                 "to_state": "submitted", "payload": {"reference": reference}},
            ])
        return {"id": str(complaint_id), "reference": reference}, 201

    app.add_url_rule("/bench/floor", "bench_floor", floor, methods=["POST"])
    csrf.exempt(floor)


# --- the runs ----------------------------------------------------------------------------------

class Run:
    def __init__(self, name, n):
        self.name = name
        self.n = n
        self.latencies = []
        self.elapsed = 0.0
        self.cpu = 0.0  # this process's CPU time (the database server's is not in it)

    @property
    def rate(self):
        return self.n / self.elapsed

    def percentile(self, p):
        from bench.common import percentile

        return percentile(self.latencies, p)

    def line(self):
        return (f"{self.name:<28} {self.rate:8.1f} complaints/s   p50 {self.percentile(50) * 1000:7.2f} ms   "
                f"p95 {self.percentile(95) * 1000:7.2f} ms   cpu {self.cpu / self.n * 1000:6.2f} ms   "
                f"({self.n} in {self.elapsed:.2f} s)")

    def as_dict(self):
        return {"n": self.n, "seconds": round(self.elapsed, 3), "per_second": round(self.rate, 1),
                "p50_ms": round(self.percentile(50) * 1000, 2), "p95_ms": round(self.percentile(95) * 1000, 2),
                "cpu_ms": round(self.cpu / self.n * 1000, 2)}


def expect(response, status, what):
    if response.status_code != status:
        raise SystemExit(f"{what}: expected {status}, got {response.status_code}: "
                         f"{response.get_data(as_text=True)[:500]}")
    return response


def interleaved(flows, n, rounds):
    """Run the flows in alternating slices of n/rounds complaints each, so that a change in the
    machine's load (other processes, the database's own work) weighs on every flow alike."""
    runs = {key: Run(name, 0) for key, name, _one in flows}
    sizes = [n // rounds + (1 if r < n % rounds else 0) for r in range(rounds)]
    for size in sizes:
        for key, _name, one in flows:
            run = runs[key]
            gc.collect()
            start, cpu = time.perf_counter(), time.process_time()
            for i in range(run.n, run.n + size):
                t0 = time.perf_counter()
                one(i)
                run.latencies.append(time.perf_counter() - t0)
            run.elapsed += time.perf_counter() - start
            run.cpu += time.process_time() - cpu
            run.n += size
    return runs


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=2000, help="complaints per flow (default 2000)")
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL"),
                        help="default: a fresh SQLite file in a temporary directory; for PostgreSQL, "
                             "e.g. postgresql://postgres@127.0.0.1:5432/test (a scratch database is created)")
    parser.add_argument("--warmup", type=int, default=20, help="untimed complaints before each run")
    parser.add_argument("--rounds", type=int, default=20,
                        help="slices the flows alternate in (default 20), so load changes hit all alike")
    parser.add_argument("--json", metavar="PATH", help="also write the figures to this JSON file")
    args = parser.parse_args(argv)

    from bench.common import scratch_database

    with tempfile.TemporaryDirectory(prefix="bench-intake-") as tmp, scratch_database(args.database_url) as url:
        workdir = Path(tmp)
        app = build_app(url, workdir)
        ids = seed(app)
        app.config["BENCH_IDS"] = ids
        client = app.test_client()
        token = expect(client.post("/api/v1/auth/tokens", json={"email": ids["email"], "password": PASSWORD}),
                       201, "token").get_json()["token"]
        headers = {"Authorization": f"Bearer {token}", "Accept-Language": "en"}
        body = complete_body(dt.date.today())

        def without_evidence(i):
            created = expect(client.post("/api/v1/complaints", json=body, headers=headers), 201, "create")
            expect(client.post(f"/api/v1/complaints/{created.get_json()['id']}/submit", headers=headers),
                   200, "submit")

        def with_evidence(i):
            created = expect(client.post("/api/v1/complaints", json=body, headers=headers), 201, "create")
            cid = created.get_json()["id"]
            expect(client.post(f"/api/v1/complaints/{cid}/evidence", headers=headers,
                               data={"file": (io.BytesIO(PDF), f"exhibit-{i}.pdf")},
                               content_type="multipart/form-data"), 201, "upload")
            expect(client.post(f"/api/v1/complaints/{cid}/submit", headers=headers), 200, "submit")

        def floor(i):
            expect(client.post("/bench/floor", json=body), 201, "floor")

        dialect = url.split(":", 1)[0].split("+", 1)[0]
        rounds = max(1, min(args.rounds, args.n))
        print(f"database: {dialect}   n = {args.n} per flow, in {rounds} interleaved slices "
              f"(warm-up {args.warmup} each)")
        flows = (("api_without_evidence", "API, no evidence", without_evidence),
                 ("api_with_evidence", "API, 100 KB PDF evidence", with_evidence),
                 ("floor", "floor (bare view, Core)", floor))
        for _key, _name, one in flows:
            for i in range(args.warmup):
                one(-1 - i)
        runs = interleaved(flows, args.n, rounds)
        for run in runs.values():
            print(run.line())

        ratio = runs["api_without_evidence"].rate / runs["floor"].rate
        ratio_evidence = runs["api_with_evidence"].rate / runs["floor"].rate
        verdict = "OK" if ratio >= TARGET_RATIO else "BELOW TARGET"
        print(f"ratio no-evidence flow / floor:   {ratio:6.1%}   (target >= {TARGET_RATIO:.0%}: {verdict})")
        print(f"ratio evidence flow / floor:      {ratio_evidence:6.1%}")
        check_rows(app, expected=3 * (args.n + args.warmup))

        if args.json:
            Path(args.json).parent.mkdir(parents=True, exist_ok=True)
            Path(args.json).write_text(json.dumps({
                "database": dialect, "n": args.n, **{k: r.as_dict() for k, r in runs.items()},
                "ratio": round(ratio, 4), "ratio_with_evidence": round(ratio_evidence, 4)}, indent=2))
        with app.app_context():
            from core.extensions import db
            db.engine.dispose()
    return 0 if ratio >= TARGET_RATIO else 1


def check_rows(app, expected):
    """Every complaint filed, each with a distinct reference, and the counter agrees."""
    from sqlalchemy import func, select

    from core.extensions import db
    from intake.models import Complaint, ReferenceCounter

    with app.app_context():
        filed = db.session.scalar(select(func.count()).select_from(Complaint).where(Complaint.reference.is_not(None)))
        distinct = db.session.scalar(select(func.count(func.distinct(Complaint.reference))))
        counter = db.session.scalar(select(func.sum(ReferenceCounter.last_number)))
    if not (filed == distinct == counter == expected):
        raise SystemExit(f"row check failed: {filed} filed, {distinct} distinct references, counter {counter}, "
                         f"expected {expected}")


if __name__ == "__main__":
    sys.exit(main())
