"""The registry of demonstration zones, stations and points (measure 1): the bases, their counts against the
city's targets (REGISTRY_TARGETS) and the complaints of each base.

Complaints of a base: a zone's are those its rights-protection centre handles (a centre sits in a zone);
a station's or point's are those its host enterprise filed (when the host is on the platform, matched by
its credit code). Drafts never count."""
from flask import current_app
from flask_babel import gettext as _, lazy_gettext as _l
from sqlalchemy import func, or_, select

from accounts.enums import OrgKind, Role
from accounts.models import Organisation
from core.audit import audit
from core.errors import NotFound, ValidationFailed
from core.extensions import db
from core.pagination import Page, asc, fetch
from core.queries import one_visible
from intake.enums import ComplaintState
from intake.models import Complaint
from supervision.tables import Column, Table

from . import access
from .enums import BASE_KIND_LABELS, COUNTED_STATUSES, BaseKind, BaseStatus
from .models import DemoBase

DEFAULT_TARGETS = {"point": 100, "station": 10, "zone": 10}  # the policy's: at least 100 points, 10 stations, 10 zones


def targets() -> dict[BaseKind, int]:
    configured = {**DEFAULT_TARGETS, **(current_app.config.get("REGISTRY_TARGETS") or {})}
    return {kind: int(configured[kind.value]) for kind in BaseKind}


def centres():
    """The rights-protection centres a base may belong to, by name."""
    return db.session.scalars(select(Organisation).where(Organisation.kind == OrgKind.rights_center)
                              .order_by(Organisation.name)).all()


def visible_bases(actor):
    if not access.can_view_bases(actor):
        return False
    if actor.role is Role.clerk:
        return DemoBase.centre_id == actor.organisation_id
    return True


def get_visible_base(actor, base_id) -> DemoBase:
    return one_visible(DemoBase.id, base_id, visible_bases(actor))


BASE_ORDER = (asc(DemoBase.kind), asc(DemoBase.name), asc(DemoBase.id))


def list_bases(actor, window, *, kind=None, district=None, industry=None, status=None, q=None) -> Page:
    """The bases the actor may see (a clerk: its centre's), by kind then name; filters AND together."""
    condition = visible_bases(actor)
    if condition is False:
        raise NotFound()
    query = select(DemoBase).where(condition)
    for column, value in ((DemoBase.kind, kind), (DemoBase.district, district), (DemoBase.industry, industry),
                          (DemoBase.status, status)):
        if value is not None:
            query = query.where(column == value)
    if q:
        pattern = "%" + q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        query = query.where(or_(DemoBase.name.ilike(pattern, escape="\\"), DemoBase.host_name.ilike(pattern, escape="\\")))
    return fetch(query, BASE_ORDER, window)


def _apply(base: DemoBase, data: dict) -> None:
    errors = {}
    centre = db.session.get(Organisation, data["centre_id"])
    if centre is None or centre.kind is not OrgKind.rights_center:
        errors["centre_id"] = [_("Choose the rights-protection centre the base belongs to.")]
    host = None
    if data.get("host_credit_code"):
        host = db.session.scalar(select(Organisation).where(Organisation.credit_code == data["host_credit_code"],
                                                            Organisation.kind == OrgKind.enterprise))
    duplicate = db.session.scalar(select(DemoBase.id).where(DemoBase.kind == data["kind"], DemoBase.name == data["name"],
                                                            DemoBase.id != base.id if base.id else True))
    if duplicate is not None:
        errors["name"] = [_("A base of this kind already has this name.")]
    if errors:
        raise ValidationFailed(errors)
    base.kind, base.name, base.district = data["kind"], data["name"], data["district"]
    base.host_name, base.host_credit_code = data["host_name"], data.get("host_credit_code") or None
    base.host_org_id = host.id if host is not None else None
    base.industry, base.status, base.centre_id = data["industry"], data["status"], centre.id


def create_base(actor, data: dict) -> DemoBase:
    """Register a base (supervisors). Field errors: the centre, a duplicate name of the same kind."""
    if not access.can_manage_bases(actor):
        raise NotFound()
    base = DemoBase(created_by_id=actor.id)
    _apply(base, data)
    db.session.add(base)
    db.session.flush()
    audit("registry.base_created", actor=actor, subject_type="demo_base", subject_id=base.id, name=base.name)
    return base


def update_base(actor, base: DemoBase, data: dict) -> DemoBase:
    if not access.can_manage_bases(actor):
        raise NotFound()
    before = base.status
    _apply(base, data)
    db.session.flush()
    audit("registry.base_updated", actor=actor, subject_type="demo_base", subject_id=base.id,
          status_before=before.value, status=base.status.value)
    return base


def target_table(actor) -> Table:
    """Per kind: the city's target, the bases that count (recognised or beyond), those under cultivation and
    what is still missing. One GROUP BY."""
    condition = visible_bases(actor)
    counts = {}
    if condition is not False:
        rows = db.session.execute(select(DemoBase.kind, DemoBase.status, func.count()).where(condition)
                                  .group_by(DemoBase.kind, DemoBase.status))
        for kind, status, n in rows:
            counts[(kind, status)] = n
    goal = targets()
    table = Table("demonstration_targets", _l("Demonstration bases against the city's targets"), [
        Column("kind", _l("Kind")), Column("target", _l("Target"), "int"),
        Column("counted", _l("Recognised or beyond"), "int"), Column("cultivation", _l("Under cultivation"), "int"),
        Column("missing", _l("Still to reach the target"), "int")])
    for kind in BaseKind:
        counted = sum(counts.get((kind, s), 0) for s in COUNTED_STATUSES)
        table.rows.append({"kind": BASE_KIND_LABELS[kind], "target": goal[kind], "counted": counted,
                           "cultivation": counts.get((kind, BaseStatus.cultivation), 0),
                           "missing": max(goal[kind] - counted, 0)})
    return table


def complaint_counts(bases) -> dict:
    """{base id: complaints} (drafts excluded): a zone by its centre, a station or point by its host enterprise."""
    centres = {b.centre_id for b in bases if b.kind is BaseKind.zone}
    hosts = {b.host_org_id for b in bases if b.kind is not BaseKind.zone and b.host_org_id is not None}
    filed = Complaint.state != ComplaintState.draft
    by_centre = dict(db.session.execute(select(Complaint.centre_id, func.count()).where(
        filed, Complaint.centre_id.in_(centres)).group_by(Complaint.centre_id)).all()) if centres else {}
    by_host = dict(db.session.execute(select(Complaint.enterprise_id, func.count()).where(
        filed, Complaint.enterprise_id.in_(hosts)).group_by(Complaint.enterprise_id)).all()) if hosts else {}
    return {b.id: (by_centre.get(b.centre_id, 0) if b.kind is BaseKind.zone else by_host.get(b.host_org_id, 0))
            for b in bases}


def zone_table(actor) -> Table:
    """The complaints of each demonstration zone (by its centre)."""
    condition = visible_bases(actor)
    zones = [] if condition is False else db.session.scalars(
        select(DemoBase).where(condition, DemoBase.kind == BaseKind.zone).order_by(DemoBase.name)).all()
    counts = complaint_counts(zones)
    table = Table("complaints_per_zone", _l("Complaints per demonstration zone"), [
        Column("zone", _l("Demonstration zone")), Column("centre", _l("Centre")),
        Column("complaints", _l("Complaints"), "int")])
    table.rows = [{"zone": z.name, "centre": z.centre.name, "complaints": counts[z.id]} for z in zones]
    return table


def dashboard_section(filters, viewer):
    """The dashboard's section (supervision.dashboard.register_section): supervisors only."""
    if getattr(viewer, "role", None) is not Role.supervisor:
        return None
    return [target_table(viewer), zone_table(viewer)]
