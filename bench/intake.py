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
            "remedies": ["criminal_investigation", "civil_damages", "injunction_preservation"],
        "preferred_tracks": ["criminal", "civil"],
        "facts": "离职前复制代码仓库；展会上发现相同参数表。",
    }


PDF = b"%PDF-1.4\n" + b"x" * (EVIDENCE_BYTES - 9 - 7) + b"\n%%EOF\n"


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
        services.create_organisation(name="上海市商业秘密保护维权中心", kind=OrgKind.rights_center,
                                              district=District.municipal)
        enterprise = services.create_organisation(
            name="上海澄川智能科技有限公司", kind=OrgKind.enterprise, district=District.pudong,
            credit_code="91310115MA1H7GQ5XY", contact_person="王敏", phone="13800000001",
            email="legal@chengchuan.example")
        user = services.create_user(organisation=enterprise, email="bench@chengchuan.example", name="王敏",
                                    password=PASSWORD, role=Role.enterprise_user)
        db.session.commit()
        return user.email


# --- the floor: the same rows, SQLAlchemy Core, one transaction ------------------------------

class FloorTemplate:
    """The rows that filing one complaint through the API wrote, to be copied by the floor.

    Found by diffing every table's primary keys around one API filing, so the floor keeps writing
    exactly what the flow writes as the application grows (deadlines, outbox events, ...). The
    reference counter is updated, not inserted: the floor bumps it itself.
    """

    SKIP = {"reference_counters"}

    def __init__(self, complaint_id, reference, tables):
        self.complaint_id = complaint_id
        self.reference = reference
        self.tables = tables  # [(Table, [row dict, ...])] in foreign-key order

    @classmethod
    def capture(cls, app, file_one):
        from sqlalchemy import select, tuple_

        from core.extensions import db

        def keys():
            with app.app_context():
                return {t: set(db.session.execute(select(*t.primary_key.columns)).all())
                        for t in db.metadata.sorted_tables if t.name not in cls.SKIP}

        before = keys()
        complaint_id, reference = file_one()
        after = keys()
        tables = []
        with app.app_context():
            for table, pks in after.items():
                new = sorted(pks - before[table], key=str)
                if not new:
                    continue
                pk = tuple_(*table.primary_key.columns)
                rows = [dict(r._mapping) for r in db.session.execute(select(table).where(pk.in_(new)))]
                tables.append((table, rows))
        return cls(uuid.UUID(str(complaint_id)), reference, tables)

    def describe(self):
        return ", ".join(f"{t.name} {len(rows)}" for t, rows in self.tables) + " + the reference counter"

    def compile(self):
        """Once: which values of each row change per copy. Per copy only those are computed."""
        from sqlalchemy import Uuid

        old_id, old_ref = self.complaint_id, self.reference
        needles = (str(old_id), old_id.hex, old_ref)

        def mentions(value):
            if isinstance(value, str):
                return any(n in value for n in needles)
            if isinstance(value, (list, tuple)):
                return any(mentions(v) for v in value)
            if isinstance(value, dict):
                return any(mentions(v) for v in value.values())
            return False

        # Integer keys are the database's to number: a new row pointing at another new row's integer
        # key (a deadline's checkpoints, say) gets the number the database gave that row.
        new_keys = {table.name: {row[table.autoincrement_column.name] for row in rows}
                    for table, rows in self.tables if table.autoincrement_column is not None}
        self.template_keys = {table.name: [row[table.autoincrement_column.name] for row in rows]
                              for table, rows in self.tables if table.autoincrement_column is not None}
        self.parents = set()
        compiled = []
        for table, rows in self.tables:
            plans = []
            links = {fk.parent.name: fk.column.table.name for fk in table.foreign_keys
                     if fk.column.table.name in new_keys and fk.column is fk.column.table.autoincrement_column}
            self.parents.update(links.values())
            for row in rows:
                static, dynamic = {}, []
                for column in table.columns:
                    value = row[column.name]
                    if column.primary_key and column is table.autoincrement_column:
                        continue  # the database numbers it
                    if column.name in links and value in new_keys[links[column.name]]:
                        dynamic.append((column.name, "link", (links[column.name], value)))
                    elif value is not None and value == old_id:
                        dynamic.append((column.name, "complaint_id", None))
                    elif isinstance(column.type, Uuid) and value is not None and (column.primary_key or column.unique):
                        dynamic.append((column.name, "new_uuid", None))  # a public id of the row itself
                    elif isinstance(value, dt.datetime) and value.tzinfo is not None:
                        dynamic.append((column.name, "time", value))
                    elif mentions(value):
                        dynamic.append((column.name, "text", value))
                    else:
                        static[column.name] = value
                plans.append((static, dynamic))
            compiled.append((table, plans))
        self.compiled = compiled
        self.text_from = needles
        return self

    def write(self, conn, complaint_id, reference, shift):
        """Insert the copies for one complaint on this connection (the caller's transaction)."""
        from sqlalchemy import insert

        text_to = (str(complaint_id), complaint_id.hex, reference)

        def swap(value):
            if isinstance(value, str):
                for old, new in zip(self.text_from, text_to):
                    value = value.replace(old, new)
                return value
            if isinstance(value, list):
                return [swap(v) for v in value]
            if isinstance(value, dict):
                return {k: swap(v) for k, v in value.items()}
            return value

        given = {}  # table name -> {template key: key the database gave the copy}
        for table, plans in self.compiled:
            rows = []
            for static, dynamic in plans:
                row = dict(static)
                for name, kind, value in dynamic:
                    if kind == "complaint_id":
                        row[name] = complaint_id
                    elif kind == "new_uuid":
                        row[name] = uuid.uuid4()
                    elif kind == "time":
                        row[name] = value + shift
                    elif kind == "link":
                        parent, key = value
                        row[name] = given[parent][key]
                    else:
                        row[name] = swap(value)
                rows.append(row)
            if table.name in self.parents:
                key = table.autoincrement_column
                returned = conn.execute(insert(table).returning(key, sort_by_parameter_order=True), rows).scalars()
                given[table.name] = dict(zip(self.template_keys[table.name], returned))
            else:
                conn.execute(insert(table), rows)


def register_floor(app):
    """POST /bench/floor: the rows of one filed complaint, written with Core and nothing else."""
    from flask import current_app, request
    from sqlalchemy import update
    from sqlalchemy.dialects.postgresql import insert as pg_insert
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    from core.extensions import csrf, db
    from core.timeutil import shanghai_year
    from intake.models import ReferenceCounter

    counters = ReferenceCounter.__table__

    def floor():
        body = request.get_json()
        if not isinstance(body, dict):
            return {"error": "a JSON object"}, 400
        template, template_now = current_app.config["BENCH_FLOOR"]
        now = dt.datetime.now(dt.UTC)
        year = shanghai_year(now)
        engine = db.engine
        upsert = pg_insert if engine.dialect.name == "postgresql" else sqlite_insert
        bump = (update(counters).where(counters.c.year == year).values(last_number=counters.c.last_number + 1)
                .returning(counters.c.last_number))
        complaint_id = uuid.uuid4()
        with engine.begin() as conn:
            number = conn.execute(bump).scalar()
            if number is None:  # the year's first reference
                conn.execute(upsert(counters).values(year=year, last_number=0).on_conflict_do_nothing())
                number = conn.execute(bump).scalar_one()
            reference = f"SM-{year}-{number:06d}"
            template.write(conn, complaint_id, reference, now - template_now)
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
        email = seed(app)
        client = app.test_client()
        token = expect(client.post("/api/v1/auth/tokens", json={"email": email, "password": PASSWORD}),
                       201, "token").get_json()["token"]
        headers = {"Authorization": f"Bearer {token}", "Accept-Language": "en"}
        body = complete_body(dt.date.today())

        def without_evidence(i):
            created = expect(client.post("/api/v1/complaints", json=body, headers=headers), 201, "create")
            submitted = expect(client.post(f"/api/v1/complaints/{created.get_json()['id']}/submit",
                                           headers=headers), 200, "submit").get_json()
            return submitted["id"], submitted["reference"]

        template = FloorTemplate.capture(app, lambda: without_evidence(0)).compile()
        app.config["BENCH_FLOOR"] = (template, dt.datetime.now(dt.UTC))

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
        print(f"rows per filed complaint (the floor writes the same): {template.describe()}")
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
        check_rows(app, expected=3 * (args.n + args.warmup) + 1)  # + the floor's template

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
