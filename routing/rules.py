"""Routing suggestions: rules held as data, each with the explanation a clerk reads.

The clerk decides; the suggestion is recorded with the decision (see services.create_referrals).
Thresholds come from the configuration (CRIMINAL_FILING_THRESHOLD, ..._AFTER_PENALTY) because the
law changes them (the 2025 SPC/SPP interpretation lowered the second one to 100,000 RMB).

The lower threshold applies when an infringer received an administrative penalty for trade-secret
infringement within the two years before the infringement. The enterprise records the decision (number,
authority, date) per infringer; the window is computed here, never asked (penalty_window_end).
"""
import datetime as dt
import decimal
from dataclasses import dataclass
from typing import Callable

from flask import current_app
from flask_babel import gettext as _, lazy_gettext as _l
from sqlalchemy import case, select

from accounts.enums import District, OrgKind
from accounts.models import Organisation
from core.extensions import db
from intake.enums import CENTRE_DECIDES, InfringingAct as A, Remedy, Track

SUSPICIOUS_ACTS = {A.theft.value, A.bribery.value, A.fraud.value, A.coercion.value, A.electronic_intrusion.value}
TRACK_AGENCY_KIND = {Track.administrative: OrgKind.market_regulation, Track.criminal: OrgKind.public_security,
                     Track.civil: OrgKind.court}


@dataclass(frozen=True)
class RoutingRule:
    id: str
    track: Track | None  # None: the rule suggests a consultation
    applies: Callable  # (complaint, facts) -> bool
    explanation: object  # lazy string, formatted with the facts
    # a second text used instead when the facts say so: (facts) -> lazy string or None
    variant: Callable | None = None


PENALTY_WINDOW_YEARS = 2


def penalty_window_end(decided_on: dt.date) -> dt.date:
    """The last day of the two years that follow a penalty decision (Civil Code arts. 201 and 202: the
    period starts the day after, and ends on the corresponding day two years later, or on the last day
    of that month when it has none: a decision of 29 February 2024 counts until 28 February 2026)."""
    try:
        return decided_on.replace(year=decided_on.year + PENALTY_WINDOW_YEARS)
    except ValueError:  # 29 February, and the year two later is not a leap year
        return decided_on.replace(year=decided_on.year + PENALTY_WINDOW_YEARS, day=28)


def penalty_within_window(decided_on: dt.date | None, infringement_on: dt.date | None) -> bool:
    """Whether a penalty decided on *decided_on* falls within the two years before the infringement (known
    to the platform by its date of discovery): on or before that date, and that date within the window."""
    if decided_on is None or infringement_on is None:
        return False
    return decided_on <= infringement_on <= penalty_window_end(decided_on)


def prior_penalties(complaint) -> list:
    """The infringers whose recorded penalty decision lowers the threshold, in the complaint's order."""
    return [i for i in complaint.infringers
            if i.penalty_decided_on is not None and penalty_within_window(i.penalty_decided_on, complaint.discovered_on)]


def _facts(complaint) -> dict:
    cfg = current_app.config
    penalties = prior_penalties(complaint)
    threshold = decimal.Decimal(cfg["CRIMINAL_FILING_THRESHOLD_AFTER_PENALTY"] if penalties
                                else cfg["CRIMINAL_FILING_THRESHOLD"])
    amount = max(complaint.estimated_loss or 0, complaint.estimated_illegal_gains or 0)
    return {"amount": decimal.Decimal(amount), "threshold": threshold, "penalties": penalties,
            "remedies": set(complaint.remedies or []), "acts": set(complaint.infringing_acts or []),
            "preferred": set(complaint.preferred_tracks or [])}


def _penalty_text(facts):
    return AMOUNT_AFTER_PENALTY if facts["penalties"] else None


AMOUNT_AFTER_PENALTY = _l(
    "The estimated loss or illegal gains (%(amount)s RMB) reach the criminal filing threshold of %(threshold)s RMB, "
    "lowered because the infringer received an administrative penalty for trade-secret infringement within the two "
    "years before the infringement (discovered on %(discovered_on)s): %(decisions)s.")


def _wants_civil(c, f):
    return bool(f["remedies"] & {Remedy.civil_damages.value, Remedy.injunction_preservation.value})


def _criminal_suggested(c, f):
    return any(rule.applies(c, f) for rule in RULES if rule.track is Track.criminal)


def _administrative(c, f):
    asked = Remedy.administrative_investigation.value in f["remedies"]
    otherwise = not _criminal_suggested(c, f) and not _wants_civil(c, f)
    return asked or otherwise


def _tracks_conflict(c, f):
    if CENTRE_DECIDES in f["preferred"] or not f["preferred"]:
        return False
    suggested = {rule.track.value for rule in RULES if rule.track and rule.applies(c, f)}
    return bool(suggested - f["preferred"])


RULES = (
    RoutingRule("criminal_amount", Track.criminal, lambda c, f: f["amount"] >= f["threshold"],
                _l("The estimated loss or illegal gains (%(amount)s RMB) reach the criminal filing threshold of "
                   "%(threshold)s RMB (lowered to 100,000 RMB after an administrative penalty within two years)."),
                variant=_penalty_text),
    RoutingRule("criminal_bankruptcy", Track.criminal, lambda c, f: bool(c.holder_bankrupt_or_closed),
                _l("The infringement drove the holder into bankruptcy or closure, which meets the criminal filing "
                   "standard.")),
    RoutingRule("criminal_requested", Track.criminal,
                lambda c, f: Remedy.criminal_investigation.value in f["remedies"] and bool(f["acts"] & SUSPICIOUS_ACTS),
                _l("The enterprise asks for a criminal investigation and the acts described (theft, bribery, fraud, "
                   "coercion or electronic intrusion) give a reasonable suspicion: Order 310 asks for transfer "
                   "before the amount is proven.")),
    RoutingRule("civil_remedy", Track.civil, _wants_civil,
                _l("The enterprise seeks damages or an injunction / preservation, which only a court can grant.")),
    RoutingRule("administrative", Track.administrative, _administrative,
                _l("The market regulator investigates trade-secret infringement; under SAMR Order 126 cases go to "
                   "the municipal bureau by default, or the bureau of the infringer's district.")),
    RoutingRule("consult_patent", None, lambda c, f: A.patent_application.value in f["acts"],
                _l("The secret may have been appropriated through a patent application: consult the agencies "
                   "(and the IP authority) on where to proceed.")),
    RoutingRule("consult_conflict", None, _tracks_conflict,
                _l("The tracks the rules point to differ from those the enterprise prefers: consult before "
                   "deciding.")),
)


def agency_for(kind: OrgKind, district: District | None, *, prefer_municipal=False) -> Organisation | None:
    """An agency of the kind: the infringer's district (or municipal first when asked), then any."""
    first, second = (District.municipal, district) if prefer_municipal else (district, District.municipal)
    order = case((Organisation.district == first, 0), (Organisation.district == second, 1), else_=2)
    return db.session.scalar(select(Organisation).where(Organisation.kind == kind)
                             .order_by(order, Organisation.created_at, Organisation.id).limit(1))


def _infringer_district(complaint):
    return next((i.district for i in complaint.infringers if i.district is not None), None)


def suggest(complaint) -> dict:
    """What the rules suggest for this complaint, with an explanation per rule that applied."""
    facts = _facts(complaint)
    values = {"amount": f"{facts['amount']:,.2f}", "threshold": f"{facts['threshold']:,.0f}",
              "discovered_on": complaint.discovered_on.isoformat() if complaint.discovered_on else "",
              "decisions": _("; ").join(_decision_text(i) for i in facts["penalties"])}
    district = _infringer_district(complaint)
    by_track, consult = {}, []
    for rule in RULES:
        if not rule.applies(complaint, facts):
            continue
        text = (rule.variant(facts) if rule.variant is not None else None) or rule.explanation
        reason = {"rule": rule.id, "explanation": str(text) % values}
        if rule.track is None:
            consult.append(reason)
            continue
        by_track.setdefault(rule.track, []).append(reason)
    suggestions = []
    for track, reasons in by_track.items():
        kind = TRACK_AGENCY_KIND[track]
        prefer_municipal = track in (Track.administrative, Track.civil)  # Order 126; the IP court
        agency = agency_for(kind, district, prefer_municipal=prefer_municipal)
        alternative = agency_for(kind, district, prefer_municipal=not prefer_municipal)
        suggestions.append({
            "track": track.value,
            "agency": _org(agency),
            "alternative": _org(alternative) if alternative is not None and alternative != agency else None,
            "reasons": reasons,
        })
    order = [Track.criminal.value, Track.civil.value, Track.administrative.value]
    suggestions.sort(key=lambda s: order.index(s["track"]))
    return {"suggestions": suggestions, "consultation": {"suggested": bool(consult), "reasons": consult},
            "facts": {"amount": str(facts["amount"]), "threshold": str(facts["threshold"]),
                      "prior_penalties": [_decision(i) for i in facts["penalties"]]},
            "note": _("Suggestions only: the clerk decides, and the decision records this suggestion.")}


def _org(org):
    return {"id": str(org.id), "name": org.name, "district": org.district.value} if org is not None else None


def _decision(infringer) -> dict:
    return {"infringer": infringer.name, "decision_number": infringer.penalty_decision_number,
            "authority": infringer.penalty_authority, "decided_on": infringer.penalty_decided_on.isoformat(),
            "window_ends_on": penalty_window_end(infringer.penalty_decided_on).isoformat()}


def _decision_text(infringer) -> str:
    return _("%(infringer)s, decision %(number)s of %(authority)s dated %(date)s (the two years run until %(end)s)",
             infringer=infringer.name or _("an unnamed infringer"), number=infringer.penalty_decision_number or "—",
             authority=infringer.penalty_authority or "—", date=infringer.penalty_decided_on.isoformat(),
             end=penalty_window_end(infringer.penalty_decided_on).isoformat())
