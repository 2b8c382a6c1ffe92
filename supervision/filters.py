"""The dashboard's filters and the viewer's scope.

A period (a preset — this month, this quarter, this year — or a custom from–to, both dates in Shanghai
time, inclusive), the enterprise's district, a centre, an agency and a track. The viewer's scope comes
first: supervisors see the city, a centre's clerks their centre, an agency's staff their agency. A
filter naming another centre (for a clerk) or another agency (for an agency's staff) answers 404, as
anything of another organisation does; an id that names no centre (or no agency) is a field error.
"""
import datetime as dt
import uuid
from dataclasses import dataclass

from flask_babel import gettext as _, lazy_gettext as _l
from marshmallow import fields, validates_schema, ValidationError

from accounts.enums import AGENCY_KINDS, AGENCY_ROLES, DISTRICT_LABELS, District, OrgKind, Role
from accounts.models import Organisation
from core.errors import NotFound, ValidationFailed
from core.extensions import db
from core.models import utcnow
from core.schemas import EnumValue, OneOfLabelled, StrictSchema
from core.timeutil import SHANGHAI
from intake.enums import TRACK_LABELS, Track

PRESETS = ("month", "quarter", "year", "custom")
PRESET_LABELS = {
    "month": _l("This month"),
    "quarter": _l("This quarter"),
    "year": _l("This year"),
    "custom": _l("From – to"),
}
EARLIEST = dt.date(2000, 1, 1)
MAX_SPAN_DAYS = 366 * 5


def can_view_dashboard(user) -> bool:
    """Supervisors (city-wide), a centre's clerks and an agency's officers and heads (their organisation)."""
    return getattr(user, "role", None) in (Role.supervisor, Role.clerk, *AGENCY_ROLES)


@dataclass(frozen=True)
class Scope:
    """What the viewer may count: the city (both None), a centre's complaints or an agency's referrals."""

    centre_id: uuid.UUID | None = None
    agency_id: uuid.UUID | None = None

    @property
    def kind(self) -> str:
        return "centre" if self.centre_id else "agency" if self.agency_id else "city"


def scope_of(viewer) -> Scope:
    if not can_view_dashboard(viewer):
        raise NotFound()
    if viewer.role is Role.clerk:
        return Scope(centre_id=viewer.organisation_id)
    if viewer.role in AGENCY_ROLES:
        return Scope(agency_id=viewer.organisation_id)
    return Scope()


@dataclass(frozen=True)
class Filters:
    preset: str
    start: dt.date  # inclusive, Shanghai
    end: dt.date  # inclusive, Shanghai
    scope: Scope
    district: District | None = None  # the enterprise's
    centre_id: uuid.UUID | None = None  # the centre filter or the clerk's centre
    agency_id: uuid.UUID | None = None  # the agency filter or the agency's own
    track: Track | None = None

    @property
    def start_utc(self) -> dt.datetime:
        return dt.datetime.combine(self.start, dt.time(), SHANGHAI).astimezone(dt.UTC)

    @property
    def end_utc(self) -> dt.datetime:
        """The instant after the period (exclusive)."""
        return dt.datetime.combine(self.end + dt.timedelta(days=1), dt.time(), SHANGHAI).astimezone(dt.UTC)

    def query(self) -> dict:
        """The filters as the page's query string (the viewer's own scope is implied, not repeated)."""
        args = {"period": self.preset}
        if self.preset == "custom":
            args["from"], args["to"] = self.start.isoformat(), self.end.isoformat()
        if self.district:
            args["district"] = self.district.value
        if self.centre_id and self.centre_id != self.scope.centre_id:
            args["centre"] = str(self.centre_id)
        if self.agency_id and self.agency_id != self.scope.agency_id:
            args["agency"] = str(self.agency_id)
        if self.track:
            args["track"] = self.track.value
        return args


def preset_range(preset: str, today: dt.date) -> tuple[dt.date, dt.date]:
    if preset == "month":
        start = today.replace(day=1)
    elif preset == "quarter":
        start = today.replace(month=(today.month - 1) // 3 * 3 + 1, day=1)
    else:
        start = today.replace(month=1, day=1)
    return start, today


class DashboardArgs(StrictSchema):
    """The dashboard's filters (the page's form and GET /api/v1/dashboard's query)."""

    period = fields.String(load_default="month", validate=OneOfLabelled(PRESET_LABELS), metadata={
        "description": "month, quarter or year (from its first day to today, Shanghai time), or custom "
                       "(from and to required)."})
    from_ = fields.Date(data_key="from", load_default=None, metadata={
        "description": "The period's first day (custom only), Shanghai time."})
    to = fields.Date(load_default=None, metadata={"description": "The period's last day (custom only), inclusive."})
    district = EnumValue(District, labels=DISTRICT_LABELS, load_default=None, metadata={
        "description": "Only complaints of enterprises of this district."})
    centre = fields.UUID(load_default=None, metadata={
        "description": "Only complaints received by this centre (a clerk: their own centre only; another: 404)."})
    agency = fields.UUID(load_default=None, metadata={
        "description": "Only complaints referred to this agency, and only its referrals (an agency's staff: "
                       "their own agency only; another: 404)."})
    track = EnumValue(Track, labels=TRACK_LABELS, load_default=None, metadata={
        "description": "Only complaints with a referral on this track, and only those referrals."})

    @validates_schema
    def _period(self, data, **kwargs):
        errors = {}
        start, end = data.get("from_"), data.get("to")
        if data.get("period") == "custom":
            if start is None:
                errors["from"] = [_("Give the period's first day.")]
            if end is None:
                errors["to"] = [_("Give the period's last day.")]
        for key, value in (("from", start), ("to", end)):
            if value is not None and not EARLIEST <= value <= dt.date(2100, 12, 31):
                errors[key] = [_("Give a date between 2000 and 2100.")]
        if start and end and "from" not in errors and "to" not in errors:
            if end < start:
                errors["to"] = [_("The last day cannot be before the first day.")]
            elif (end - start).days > MAX_SPAN_DAYS:
                errors["to"] = [_("A period can span at most five years.")]
        if errors:
            raise ValidationError(errors)


def _organisation(org_id, kinds, field, message):
    org = db.session.get(Organisation, org_id)
    if org is None or org.kind not in kinds:
        raise ValidationFailed({field: [message]})
    return org


def resolve(viewer, args: dict, today: dt.date | None = None) -> Filters:
    """The loaded arguments as Filters within the viewer's scope (404 for a viewer without a dashboard or a
    filter naming another organisation than the viewer's own)."""
    scope = scope_of(viewer)
    today = today or utcnow().astimezone(SHANGHAI).date()
    preset = args.get("period") or "month"
    if preset == "custom":
        start, end = args["from_"], args["to"]
    else:
        start, end = preset_range(preset, today)
    centre_id, agency_id = args.get("centre"), args.get("agency")
    if scope.centre_id and centre_id and centre_id != scope.centre_id:
        raise NotFound()
    if scope.agency_id and agency_id and agency_id != scope.agency_id:
        raise NotFound()
    if centre_id and not scope.centre_id:
        _organisation(centre_id, {OrgKind.rights_center}, "centre", _("Choose a centre from the list."))
    if agency_id and not scope.agency_id:
        _organisation(agency_id, AGENCY_KINDS, "agency", _("Choose an agency from the list."))
    return Filters(preset=preset, start=start, end=end, scope=scope, district=args.get("district"),
                   centre_id=scope.centre_id or centre_id, agency_id=scope.agency_id or agency_id,
                   track=args.get("track"))
