"""The assessment (评估考核): a scheme of weighted indicators, versioned, and frozen snapshots per period.

A scheme version's indicators are {method, weight, target}: ``method`` one of indicators.Method, ``weight``
an integer share (the weights add up to 100), ``target`` a fraction. An indicator's attainment is
value / target capped at 1 (for rework after returns, lower is better: 1 up to the target, then falling
linearly to 0 at 100%); its points are weight × attainment. An organisation's score is its points over the
weights of the indicators that counted anything, × 100 (an indicator with no record is left out rather than
scored 0 or full); an organisation with nothing counted has no score and is ranked last.

A snapshot stores all of it — the scheme's indicators, each organisation's values, points, score and rank,
and the records every indicator counted — when it is taken: a later scheme version or a later change of a
record never rewrites it. An administrator's change of the scheme is a new version; the first snapshot with
no scheme saved saves the default as version 1.
"""
import datetime as dt
import uuid
from decimal import ROUND_HALF_UP, Decimal

from flask_babel import gettext as _, lazy_gettext as _l
from sqlalchemy import func, select

from core.audit import audit
from core.errors import NotFound, ValidationFailed
from core.extensions import db
from core.models import utcnow
from core.pagination import page_list
from core.timeutil import to_shanghai

from . import assessment_access as access
from .assessment_models import AssessmentScheme, AssessmentSnapshot, PeriodKind
from .indicators import (GROUP_LABELS, HIT_LABELS, LOWER_IS_BETTER, METHOD_LABELS, RECORD_KIND_LABELS, Group,
                         Method, Period, fraction, organisations, records)
from .league import month_period, quarter_period
from .tables import Column, Table

DEFAULT_INDICATORS = [
    {"method": "on_time_rate", "weight": 40, "target": "0.92"},
    {"method": "reply_rate", "weight": 15, "target": "0.95"},
    {"method": "conclusion_rate", "weight": 15, "target": "0.80"},
    {"method": "rework_after_returns", "weight": 10, "target": "0.10"},
    {"method": "satisfaction_rate", "weight": 20, "target": "0.85"},
]
HUNDRED = Decimal(100)
CENT = Decimal("0.01")


# --- the scheme -------------------------------------------------------------------------------------------

def current_scheme() -> AssessmentScheme | None:
    return db.session.scalars(select(AssessmentScheme).order_by(AssessmentScheme.version.desc()).limit(1)).first()


def scheme_versions() -> list[AssessmentScheme]:
    return list(db.session.scalars(select(AssessmentScheme).order_by(AssessmentScheme.version.desc())))


def current_indicators() -> list[dict]:
    scheme = current_scheme()
    return scheme.indicators if scheme else DEFAULT_INDICATORS


def check_indicators(indicators: list[dict]) -> None:
    """The rules a scheme's indicators obey beyond each field's own: weights add up to 100, at least one
    indicator. Field-level errors (422) naming the first weight."""
    total = sum(item["weight"] for item in indicators)
    if not indicators or total != 100:
        raise ValidationFailed({"weight_on_time_rate": [
            _("The weights must add up to 100 (now %(total)d).", total=total)]})


def save_scheme(actor, indicators: list[dict], note: str | None) -> AssessmentScheme:
    """A new version of the scheme (administrators). ``indicators``: [{method, weight, target: Decimal}] of
    the indicators used (weight > 0)."""
    if not access.can_edit_scheme(actor):
        raise NotFound()
    used = [{"method": Method(i["method"]).value, "weight": int(i["weight"]), "target": format(Decimal(i["target"]), "f")}
            for i in indicators if int(i["weight"]) > 0]
    check_indicators(used)
    version = (db.session.scalar(select(func.max(AssessmentScheme.version))) or 0) + 1
    scheme = AssessmentScheme(version=version, indicators=used, note=note or None, created_by_id=actor.id)
    db.session.add(scheme)
    db.session.flush()
    audit("assessment.scheme_saved", actor=actor, subject_type="assessment_scheme", subject_id=scheme.id, version=version)
    return scheme


def _scheme_for_snapshot() -> AssessmentScheme:
    scheme = current_scheme()
    if scheme is None:
        scheme = AssessmentScheme(version=1, indicators=DEFAULT_INDICATORS, note=None, created_by_id=None)
        db.session.add(scheme)
        db.session.flush()
    return scheme


# --- scoring ----------------------------------------------------------------------------------------------

def attainment(method: Method, value: Decimal, target: Decimal) -> Decimal:
    if method in LOWER_IS_BETTER:
        if value <= target:
            return Decimal(1)
        if target >= 1:
            return Decimal(0)
        return max(Decimal(0), (1 - value) / (1 - target))
    if target <= 0:
        return Decimal(1)
    return min(Decimal(1), value / target)


def _jsonable(value):
    if isinstance(value, uuid.UUID):
        return str(value)
    if hasattr(value, "value"):  # an enum
        return value.value
    return value


def assess(group: Group, period: Period, indicators: list[dict], now: dt.datetime) -> list[dict]:
    """The ranked results of ``group`` for ``period`` under ``indicators``, with every record counted."""
    orgs = organisations(group)
    per_method = {}
    for item in indicators:
        method = Method(item["method"])
        rows = db.session.execute(records(method, group, period, now)).all()
        by_org: dict = {}
        for row in rows:
            by_org.setdefault(row.org_id, []).append({
                "kind": row.kind, "id": _jsonable(row.record_id), "ref": row.ref, "detail": _jsonable(row.detail),
                "hit": bool(row.hit), "complaint_id": _jsonable(row.complaint_id)})
        for found in by_org.values():
            found.sort(key=lambda r: (r["ref"] or "", str(r["id"])))
        per_method[method] = by_org
    results = []
    for org in orgs:
        breakdown, points, weights = [], Decimal(0), 0
        for item in indicators:
            method, weight, target = Method(item["method"]), int(item["weight"]), Decimal(item["target"])
            found = per_method[method].get(org.id, [])
            hits = sum(1 for r in found if r["hit"])
            value = fraction(hits, len(found))
            entry = {"method": method.value, "weight": weight, "target": format(target, "f"), "hits": hits,
                     "counted": len(found), "value": None if value is None else format(value, "f"),
                     "attainment": None, "points": None, "records": found}
            if value is not None:
                got = (weight * attainment(method, value, target)).quantize(CENT, ROUND_HALF_UP)
                entry["attainment"] = format(attainment(method, value, target).quantize(Decimal("0.0001"),
                                                                                         ROUND_HALF_UP), "f")
                entry["points"] = format(got, "f")
                points += got
                weights += weight
            breakdown.append(entry)
        score = (points * HUNDRED / weights).quantize(CENT, ROUND_HALF_UP) if weights else None
        results.append({"org_id": str(org.id), "name": org.name, "kind": org.kind.value,
                        "score": None if score is None else format(score, "f"), "indicators": breakdown})
    results.sort(key=lambda r: (r["score"] is None, -Decimal(r["score"] or 0), r["name"]))
    for rank, result in enumerate(results, 1):
        result["rank"] = rank
    return results


# --- snapshots ----------------------------------------------------------------------------------------------

def parse_period(kind: PeriodKind, text: str) -> Period | None:
    return month_period(text) if kind is PeriodKind.month else quarter_period(text)


def period_label(snapshot_or_kind, start: dt.date | None = None) -> str:
    kind, start = ((snapshot_or_kind.period_kind, snapshot_or_kind.period_start)
                   if isinstance(snapshot_or_kind, AssessmentSnapshot) else (snapshot_or_kind, start))
    if kind is PeriodKind.month:
        return f"{start.year:04d}-{start.month:02d}"
    return f"{start.year:04d}-Q{(start.month - 1) // 3 + 1}"


def take_snapshot(actor, kind: PeriodKind, period_text: str, *, now: dt.datetime | None = None) -> AssessmentSnapshot:
    """Assess every centre and agency for a period that has ended, under the current scheme, and freeze it."""
    if not access.can_take_snapshot(actor):
        raise NotFound()
    now = now or utcnow()
    period = parse_period(kind, period_text)
    if period is None:
        message = (_("Give a month as YYYY-MM, e.g. 2026-11.") if kind is PeriodKind.month
                   else _("Give a quarter as YYYY-Qn, e.g. 2026-Q4."))
        raise ValidationFailed({"period": [message]})
    if period.end > to_shanghai(now).date():
        raise ValidationFailed({"period": [_("This period has not ended yet; assess it once it has.")]})
    scheme = _scheme_for_snapshot()
    taken = db.session.scalar(select(AssessmentSnapshot.id).where(
        AssessmentSnapshot.period_kind == kind, AssessmentSnapshot.period_start == period.start,
        AssessmentSnapshot.scheme_version == scheme.version))
    if taken is not None:
        raise ValidationFailed({"period": [_("This period is already assessed under version %(version)d of the "
                                             "scheme; a snapshot is never taken again.", version=scheme.version)]})
    results = {group.value: assess(group, period, scheme.indicators, now) for group in Group}
    snapshot = AssessmentSnapshot(period_kind=kind, period_start=period.start, period_end=period.end,
                                  scheme_id=scheme.id, scheme_version=scheme.version,
                                  indicators=[dict(i) for i in scheme.indicators], results=results,
                                  taken_by_id=actor.id, taken_at=now)
    db.session.add(snapshot)
    db.session.flush()
    audit("assessment.snapshot_taken", actor=actor, subject_type="assessment_snapshot", subject_id=snapshot.id,
          period=period_label(kind, period.start), scheme_version=scheme.version)
    return snapshot


def snapshots(actor, window_):
    """The snapshots, newest period first (supervisors)."""
    if not access.can_view_assessment(actor):
        raise NotFound()
    rows = list(db.session.scalars(select(AssessmentSnapshot).order_by(
        AssessmentSnapshot.period_start.desc(), AssessmentSnapshot.scheme_version.desc())))
    return page_list(rows, window_, key=lambda s: (-s.period_start.toordinal(), -s.scheme_version, str(s.id)))


def all_snapshots(actor) -> list[AssessmentSnapshot]:
    if not access.can_view_assessment(actor):
        raise NotFound()
    return list(db.session.scalars(select(AssessmentSnapshot).order_by(
        AssessmentSnapshot.period_start.desc(), AssessmentSnapshot.scheme_version.desc()).limit(200)))


def get_snapshot(actor, snapshot_id) -> AssessmentSnapshot:
    if not access.can_view_assessment(actor):
        raise NotFound()
    try:
        key = uuid.UUID(str(snapshot_id))
    except ValueError:
        raise NotFound() from None
    snapshot = db.session.get(AssessmentSnapshot, key)
    if snapshot is None:
        raise NotFound()
    return snapshot


def ranked_table(snapshot: AssessmentSnapshot, group: Group) -> Table:
    """The ranked table of a snapshot's group: rank, organisation, score and each indicator's value and points."""
    columns = [Column("rank", _l("Rank"), "int"), Column("organisation", _l("Organisation")),
               Column("score", _l("Score"), "decimal")]
    for item in snapshot.indicators:
        method = Method(item["method"])
        columns += [Column(method.value, METHOD_LABELS[method], "percent"),
                    Column(f"{method.value}_points", _("%(indicator)s points", indicator=METHOD_LABELS[method]),
                           "decimal")]
    rows = []
    for result in snapshot.results.get(group.value, []):
        row = {"rank": result["rank"], "organisation": result["name"], "org_id": result["org_id"],
               "score": _decimal(result["score"])}
        for entry in result["indicators"]:
            row[entry["method"]] = _decimal(entry["value"])
            row[f"{entry['method']}_points"] = _decimal(entry["points"])
        rows.append(row)
    title = _("Assessment of %(group)s, %(period)s (scheme version %(version)d)", group=GROUP_LABELS[group],
              period=period_label(snapshot), version=snapshot.scheme_version)
    key = f"assessment_{group.value}_{period_label(snapshot).replace('-', '_').lower()}_v{snapshot.scheme_version}"
    return Table(key, title, columns, rows)


def organisation_result(snapshot: AssessmentSnapshot, org_id: str) -> tuple[Group, dict]:
    """One organisation's frozen result (the breakdown and the records behind it), or 404."""
    for group in Group:
        for result in snapshot.results.get(group.value, []):
            if result["org_id"] == str(org_id):
                return group, result
    raise NotFound()


def records_table(snapshot: AssessmentSnapshot, result: dict, method_value: str) -> Table:
    """The records one indicator counted for one organisation, as frozen in the snapshot."""
    entry = next((e for e in result["indicators"] if e["method"] == method_value), None)
    if entry is None:
        raise NotFound()
    method = Method(method_value)
    columns = [Column("kind", _l("Record")), Column("reference", _l("Complaint")), Column("detail", _l("Detail")),
               Column("hit", HIT_LABELS[method])]
    rows = [{"kind": RECORD_KIND_LABELS.get(r["kind"], r["kind"]), "reference": r["ref"] or "—",
             "detail": r["detail"] or "—", "hit": _("Yes") if r["hit"] else _("No"), "id": r["id"],
             "complaint_id": r.get("complaint_id")}
            for r in entry["records"]]
    return Table(f"records_{method.value}", METHOD_LABELS[method], columns, rows)


def _decimal(value):
    return None if value is None else Decimal(value)
