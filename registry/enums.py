"""The registry's enumerations with their display labels (translatable)."""
import enum

from flask_babel import lazy_gettext as _l

from accounts.enums import INDUSTRY_LABELS, Industry  # noqa: F401  (a base's industry)


class BaseKind(enum.Enum):
    """Demonstration bases of the policy (measure 1): zones (示范区), stations (示范站), points (示范点)."""
    zone = "zone"
    station = "station"
    point = "point"


BASE_KIND_LABELS = {
    BaseKind.zone: _l("Demonstration zone"),
    BaseKind.station: _l("Demonstration station"),
    BaseKind.point: _l("Demonstration point"),
}


class BaseStatus(enum.Enum):
    """From cultivation to national recommendation, in this order (a base counts towards the city's
    targets from ``recognised`` on)."""
    cultivation = "cultivation"
    recognised = "recognised"
    municipal = "municipal"
    national_recommendation = "national_recommendation"


BASE_STATUS_LABELS = {
    BaseStatus.cultivation: _l("Under cultivation"),
    BaseStatus.recognised: _l("Recognised"),
    BaseStatus.municipal: _l("Municipal model"),
    BaseStatus.national_recommendation: _l("Recommended for national recognition"),
}

COUNTED_STATUSES = (BaseStatus.recognised, BaseStatus.municipal, BaseStatus.national_recommendation)


class ExpertKind(enum.Enum):
    judge = "judge"
    scholar = "scholar"
    lawyer = "lawyer"
    forensic_appraiser = "forensic_appraiser"
    industry_specialist = "industry_specialist"


EXPERT_KIND_LABELS = {
    ExpertKind.judge: _l("Judge"),
    ExpertKind.scholar: _l("Scholar"),
    ExpertKind.lawyer: _l("Lawyer"),
    ExpertKind.forensic_appraiser: _l("Forensic appraiser"),
    ExpertKind.industry_specialist: _l("Industry specialist"),
}
