"""What each assessment indicator counts, as one SELECT per method and group.

Every method is defined once, as the records it counts for a period: rows (org_id, record kind, record
id, reference, hit) — ``hit`` is whether the record is in the numerator. The league tables aggregate
these selects in SQL (GROUP BY the organisation); a snapshot stores the rows themselves (the ids of the
records each indicator counted). So a league table and a snapshot of the same period can never disagree.

Periods are dates in Asia/Shanghai, [start, end); a record belongs to the period by:
- on_time_rate: the deadlines of the organisation (who must act) that fell due in the period (and are not
  cancelled), counting those still open only once their due time has passed; a hit is met by its due time
  and never breached;
- reply_rate: an agency's referrals received in the period, a hit acknowledged (签收); a centre's complaints
  submitted in the period, a hit when its first response (Q1) is met;
- conclusion_rate: an agency's referrals received in the period (not withdrawn), a hit decided to an end
  (concluded, declined, transferred); a centre's complaints submitted in the period (not withdrawn), a hit
  concluded, closed or rejected;
- rework_after_returns (lower is better): the referrals of the period (an agency's received, a centre's
  sent), a hit returned to the centre (退回);
- satisfaction_rate: the enterprises' ratings given in the period (a centre's: of its complaints; an
  agency's: of the complaints it held a referral of), a hit satisfied or basically satisfied.
"""
import datetime as dt
import enum
from dataclasses import dataclass
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, exists, func, literal, or_, select

from accounts.enums import AGENCY_KINDS, OrgKind
from accounts.models import Organisation
from deadlines.models import Deadline, DeadlineState
from intake.enums import ComplaintState
from intake.models import Complaint
from routing.enums import ReferralState
from routing.models import Referral

from .models import Rating, SatisfactionRating


class Group(enum.Enum):
    centre = "centre"
    agency = "agency"


GROUP_LABELS = {Group.centre: _l("Rights-protection centres"), Group.agency: _l("Agencies")}
GROUP_KINDS = {Group.centre: frozenset({OrgKind.rights_center}), Group.agency: AGENCY_KINDS}


class Method(enum.Enum):
    on_time_rate = "on_time_rate"
    reply_rate = "reply_rate"
    conclusion_rate = "conclusion_rate"
    rework_after_returns = "rework_after_returns"
    satisfaction_rate = "satisfaction_rate"


METHOD_LABELS = {
    Method.on_time_rate: _l("On-time rate"),
    Method.reply_rate: _l("Reply rate"),
    Method.conclusion_rate: _l("Conclusion rate"),
    Method.rework_after_returns: _l("Rework after returns"),
    Method.satisfaction_rate: _l("Satisfaction rate"),
}
# what a record in the numerator is, in words (the drill-down's column)
HIT_LABELS = {
    Method.on_time_rate: _l("Met on time"),
    Method.reply_rate: _l("Replied"),
    Method.conclusion_rate: _l("Concluded"),
    Method.rework_after_returns: _l("Returned"),
    Method.satisfaction_rate: _l("Satisfied"),
}
LOWER_IS_BETTER = frozenset({Method.rework_after_returns})
RECORD_KIND_LABELS = {"deadline": _l("Deadline"), "complaint": _l("Complaint"), "referral": _l("Referral"),
                      "rating": _l("Rating")}


@dataclass(frozen=True)
class Period:
    start: dt.date
    end: dt.date  # exclusive

    def bounds(self) -> tuple[dt.datetime, dt.datetime]:
        """The period's instants in UTC (its days are Shanghai days)."""
        from core.timeutil import SHANGHAI

        def at(day):
            return dt.datetime.combine(day, dt.time(), SHANGHAI).astimezone(dt.timezone.utc)
        return at(self.start), at(self.end)


DECIDED = (ReferralState.concluded, ReferralState.declined, ReferralState.transferred)
CENTRE_DONE = (ComplaintState.concluded, ComplaintState.closed, ComplaintState.rejected)
GOOD_RATINGS = (Rating.satisfied, Rating.basically_satisfied)


def records(method: Method, group: Group, period: Period, now: dt.datetime):
    """The SELECT of (org_id, kind, record_id, ref, detail, hit, complaint_id) of ``method`` for ``group``."""
    start, end = period.bounds()
    kinds = [k.value for k in GROUP_KINDS[group]]
    in_group = Organisation.kind.in_([OrgKind(k) for k in kinds])
    if method is Method.on_time_rate:
        hit = and_(Deadline.state == DeadlineState.met, Deadline.breached_at.is_(None),
                   Deadline.closed_at <= Deadline.due_at)
        return (select(Deadline.responsible_org_id.label("org_id"), literal("deadline").label("kind"),
                       Deadline.id.label("record_id"), Complaint.reference.label("ref"),
                       Deadline.rule_code.label("detail"), hit.label("hit"), Deadline.complaint_id.label("complaint_id"))
                .join(Organisation, Organisation.id == Deadline.responsible_org_id)
                .join(Complaint, Complaint.id == Deadline.complaint_id)
                .where(in_group, Deadline.state != DeadlineState.cancelled,
                       Deadline.due_at >= start, Deadline.due_at < end,
                       or_(Deadline.state != DeadlineState.open, Deadline.due_at <= now)))
    if method is Method.satisfaction_rate:
        hit = SatisfactionRating.rating.in_(GOOD_RATINGS)
        base = select(literal("rating").label("kind"), SatisfactionRating.id.label("record_id"),
                      Complaint.reference.label("ref"), SatisfactionRating.rating.label("detail"), hit.label("hit"),
                      Complaint.id.label("complaint_id"))
        base = base.join(Complaint, Complaint.id == SatisfactionRating.complaint_id).where(
            SatisfactionRating.rated_at >= start, SatisfactionRating.rated_at < end)
        if group is Group.centre:
            return base.add_columns(SatisfactionRating.centre_id.label("org_id")).join(
                Organisation, Organisation.id == SatisfactionRating.centre_id).where(in_group)
        return base.add_columns(Referral.agency_id.label("org_id")).join(
            Referral, Referral.complaint_id == SatisfactionRating.complaint_id).join(
            Organisation, Organisation.id == Referral.agency_id).where(in_group).distinct()
    if group is Group.centre and method in (Method.reply_rate, Method.conclusion_rate):
        if method is Method.reply_rate:
            hit = exists().where(Deadline.complaint_id == Complaint.id, Deadline.subject_type == "complaint",
                                 Deadline.rule_code == "Q1", Deadline.state == DeadlineState.met)
            extra = ()
        else:
            hit = Complaint.state.in_(CENTRE_DONE)
            extra = (Complaint.state != ComplaintState.withdrawn,)
        return (select(Complaint.centre_id.label("org_id"), literal("complaint").label("kind"),
                       Complaint.id.label("record_id"), Complaint.reference.label("ref"),
                       Complaint.state.label("detail"), hit.label("hit"), Complaint.id.label("complaint_id"))
                .join(Organisation, Organisation.id == Complaint.centre_id)
                .where(in_group, Complaint.submitted_at >= start, Complaint.submitted_at < end, *extra))
    # the referral methods: an agency's received, a centre's sent (its complaints')
    if method is Method.reply_rate:
        hit, extra = Referral.acknowledged_at.is_not(None), ()
    elif method is Method.conclusion_rate:
        hit, extra = Referral.state.in_(DECIDED), (Referral.state != ReferralState.withdrawn,)
    else:
        hit, extra = Referral.return_reason.is_not(None), ()
    org = Referral.agency_id if group is Group.agency else Complaint.centre_id
    return (select(org.label("org_id"), literal("referral").label("kind"), Referral.id.label("record_id"),
                   Complaint.reference.label("ref"), Referral.letter_number.label("detail"), hit.label("hit"),
                   Complaint.id.label("complaint_id"))
            .join(Complaint, Complaint.id == Referral.complaint_id)
            .join(Organisation, Organisation.id == org)
            .where(in_group, Referral.created_at >= start, Referral.created_at < end, *extra))


def rates(method: Method, group: Group, period: Period, now: dt.datetime) -> dict:
    """{org_id: (hits, counted)} of ``method`` for the period, aggregated in SQL."""
    from core.extensions import db

    sub = records(method, group, period, now).subquery()
    hits = func.sum(func.cast(sub.c.hit, db.Integer))
    rows = db.session.execute(select(sub.c.org_id, hits, func.count()).group_by(sub.c.org_id))
    return {org_id: (int(h or 0), int(n)) for org_id, h, n in rows}


def fraction(hits: int, counted: int) -> Decimal | None:
    """hits / counted to four places (a percentage with two decimals), None when nothing was counted."""
    if not counted:
        return None
    return (Decimal(hits) / Decimal(counted)).quantize(Decimal("0.0001"))


def organisations(group: Group) -> list:
    """The group's organisations, by name (every one appears in a table, counted or not)."""
    from core.extensions import db

    return list(db.session.scalars(select(Organisation).where(
        Organisation.kind.in_(GROUP_KINDS[group])).order_by(Organisation.name, Organisation.id)))
