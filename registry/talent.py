"""The enforcement talent pool (measure 6): agency officers tagged by field of expertise, with the cases they
handled (the referrals they decided: opened, declined or concluded, read from the timeline), searchable; a
supervisor staffs a key case (routing's Supervision) with officers of the pool."""
from flask_babel import gettext as _
from sqlalchemy import distinct, func, select

from accounts.enums import AGENCY_ROLES, Role
from accounts.models import User
from core.audit import audit
from core.errors import Conflict, NotFound, ValidationFailed
from core.extensions import db
from core.pagination import Page, asc, fetch
from core.queries import one_visible
from intake.enums import EventKind
from intake.models import ComplaintEvent
from routing.models import Supervision

from . import access
from .models import SupervisionStaff, TalentTag

DECISIONS = ("accept", "decline", "conclude")  # the referral machine's triggers that decide a case


def _escaped(q: str) -> str:
    return "%" + q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def visible_officers(actor):
    if not access.can_view_talent(actor):
        return False
    condition = User.role.in_(AGENCY_ROLES) & User.active.is_(True)
    if actor.role is Role.agency_head:
        condition = condition & (User.organisation_id == actor.organisation_id)
    return condition


def get_visible_officer(actor, user_id) -> User:
    return one_visible(User.id, user_id, visible_officers(actor))


def handled_counts(user_ids) -> dict:
    """{user id: referrals decided} in one GROUP BY over the timeline."""
    if not user_ids:
        return {}
    return dict(db.session.execute(
        select(ComplaintEvent.actor_id, func.count(distinct(ComplaintEvent.referral_id)))
        .where(ComplaintEvent.actor_id.in_(user_ids), ComplaintEvent.kind == EventKind.referral.value,
               ComplaintEvent.trigger.in_(DECISIONS), ComplaintEvent.referral_id.is_not(None))
        .group_by(ComplaintEvent.actor_id)).all())


def tags_of(user_ids) -> dict:
    found = {}
    if user_ids:
        for user_id, tag in db.session.execute(select(TalentTag.user_id, TalentTag.tag)
                                               .where(TalentTag.user_id.in_(user_ids)).order_by(TalentTag.tag)):
            found.setdefault(user_id, []).append(tag)
    return found


OFFICER_ORDER = (asc(User.name), asc(User.id))


def search_officers(actor, window, *, tag=None, q=None, agency_id=None) -> Page:
    """The pool as the actor may see it (a supervisor: every agency; an agency head: its own), each page's
    officers with their tags and cases handled. ``tag``: officers with a tag containing it; ``q``: the name."""
    condition = visible_officers(actor)
    if condition is False:
        raise NotFound()
    query = select(User).where(condition)
    if agency_id is not None:
        query = query.where(User.organisation_id == agency_id)
    if q:
        query = query.where(User.name.ilike(_escaped(q), escape="\\"))
    if tag:
        query = query.where(User.id.in_(select(TalentTag.user_id).where(TalentTag.tag.ilike(_escaped(tag), escape="\\"))))
    page = fetch(query, OFFICER_ORDER, window)
    ids = [u.id for u in page.items]
    tags, handled = tags_of(ids), handled_counts(ids)
    page.items = [{"officer": u, "tags": tags.get(u.id, []), "cases_handled": handled.get(u.id, 0)}
                  for u in page.items]
    return page


def add_tag(actor, officer: User, tag: str) -> TalentTag:
    if not access.can_tag_officer(actor, officer):
        raise NotFound()
    if db.session.scalar(select(TalentTag.id).where(TalentTag.user_id == officer.id, TalentTag.tag == tag)):
        raise ValidationFailed({"tag": [_("The officer already has this tag.")]})
    row = TalentTag(user_id=officer.id, tag=tag, added_by_id=actor.id)
    db.session.add(row)
    db.session.flush()
    audit("registry.officer_tagged", actor=actor, subject_type="user", subject_id=officer.id, tag=tag)
    return row


def remove_tag(actor, officer: User, tag: str) -> None:
    if not access.can_tag_officer(actor, officer):
        raise NotFound()
    row = db.session.scalar(select(TalentTag).where(TalentTag.user_id == officer.id, TalentTag.tag == tag))
    if row is None:
        raise ValidationFailed({"tag": [_("The officer has no such tag.")]})
    db.session.delete(row)
    db.session.flush()
    audit("registry.officer_untagged", actor=actor, subject_type="user", subject_id=officer.id, tag=tag)


def get_supervision(actor, supervision_id) -> Supervision:
    """A key case, for its staffing: supervisors only (anyone else 404)."""
    return one_visible(Supervision.id, supervision_id, True if getattr(actor, "role", None) is Role.supervisor else False)


def staff_of(supervision: Supervision) -> list[SupervisionStaff]:
    return db.session.scalars(select(SupervisionStaff).where(SupervisionStaff.supervision_id == supervision.id)
                              .order_by(SupervisionStaff.id)).all()


def staff(actor, supervision: Supervision, officer_ids) -> list[SupervisionStaff]:
    """Assign officers of the pool to a key case. Field errors on ``officer_ids``: none, not an agency
    officer, already assigned. A lifted supervision: 409."""
    if getattr(actor, "role", None) is not Role.supervisor:
        raise NotFound()
    if not access.can_staff(actor, supervision):
        raise Conflict(_("The supervision has been lifted: no one can be assigned to it now."), allowed_triggers=[])
    ids = list(dict.fromkeys(officer_ids))
    if not ids:
        raise ValidationFailed({"officer_ids": [_("Choose one or more officers of the talent pool.")]})
    officers = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(ids), visible_officers(actor)))}
    assigned = {s.officer_id for s in staff_of(supervision)}
    errors = []
    for officer_id in ids:
        if officer_id not in officers:
            errors.append(_("Choose officers of the talent pool."))
        elif officer_id in assigned:
            errors.append(_("%(name)s is already assigned to this key case.", name=officers[officer_id].name))
    if errors:
        raise ValidationFailed({"officer_ids": list(dict.fromkeys(errors))})
    made = [SupervisionStaff(supervision_id=supervision.id, officer_id=i, assigned_by_id=actor.id) for i in ids]
    db.session.add_all(made)
    db.session.flush()
    audit("registry.key_case_staffed", actor=actor, subject_type="supervision", subject_id=supervision.id,
          officers=[str(i) for i in ids])
    return made
