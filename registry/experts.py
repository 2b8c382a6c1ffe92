"""The expert think tank (measure 13): experts (users with Role.expert) with their kind, affiliation, fields
of expertise and declared conflicts of interest; inviting them to a consultation, refused with a field
error when a declared conflict names a party of the complaint (its enterprise or a suspected infringer, by
credit code or by name). What an invited expert then sees and writes is routing's (consultations.py:
visible_consultations, submit_opinion): that consultation only."""
import unicodedata

from flask_babel import gettext as _
from sqlalchemy import or_, select

from accounts.enums import Role
from accounts.models import User
from core.audit import audit
from core.errors import Conflict, NotFound, ValidationFailed
from core.extensions import db
from core.outbox import emit
from core.pagination import Page, asc, fetch
from core.queries import one_visible
from intake.services import record_event
from routing.models import Consultation, ExpertInvitation

from . import access
from .models import Expert, ExpertConflict


def _normal(name: str | None) -> str:
    """A name compared as people mean it: NFKC (full/half width), no spaces, case-folded."""
    return "".join(unicodedata.normalize("NFKC", name or "").split()).casefold()


def get_visible_expert(actor, user_id) -> Expert:
    return one_visible(Expert.user_id, user_id, True if access.can_view_experts(actor) else False)


EXPERT_ORDER = (asc(Expert.kind), asc(Expert.id))


def list_experts(actor, window, *, kind=None, q=None) -> Page:
    """The think tank (supervisors, clerks): by kind; ``q`` finds a name, affiliation or field of expertise."""
    if not access.can_view_experts(actor):
        raise NotFound()
    query = select(Expert).join(User, User.id == Expert.user_id)
    if kind is not None:
        query = query.where(Expert.kind == kind)
    if q:
        pattern = "%" + q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        query = query.where(or_(User.name.ilike(pattern, escape="\\"), Expert.affiliation.ilike(pattern, escape="\\"),
                                Expert.expertise.ilike(pattern, escape="\\")))
    return fetch(query, EXPERT_ORDER, window)


def unprofiled_experts():
    """Expert accounts without a profile yet (an administrator creates the account, a supervisor the profile)."""
    return db.session.scalars(select(User).where(User.role == Role.expert, User.active.is_(True),
                                                 User.id.not_in(select(Expert.user_id))).order_by(User.name)).all()


def _conflicts(rows) -> list[ExpertConflict]:
    return [ExpertConflict(name=r.get("name") or None, credit_code=r.get("credit_code") or None, note=r.get("note"))
            for r in rows if r.get("name") or r.get("credit_code")]


def create_expert(actor, data: dict) -> Expert:
    """A supervisor profiles an expert account: kind, affiliation, expertise, declared conflicts."""
    if not access.can_manage_experts(actor):
        raise NotFound()
    user = db.session.get(User, data["user_id"])
    if user is None or user.role is not Role.expert:
        raise ValidationFailed({"user_id": [_("Choose an expert's account (an administrator creates it).")]})
    if db.session.scalar(select(Expert.id).where(Expert.user_id == user.id)) is not None:
        raise ValidationFailed({"user_id": [_("This expert already has a profile.")]})
    expert = Expert(user=user, kind=data["kind"], affiliation=data["affiliation"], expertise=data["expertise"],
                    conflicts=_conflicts(data.get("conflicts", [])))
    db.session.add(expert)
    db.session.flush()
    audit("registry.expert_profiled", actor=actor, subject_type="user", subject_id=user.id)
    return expert


def update_expert(actor, expert: Expert, data: dict) -> Expert:
    """Replace the profile's fields and its declared conflicts."""
    if not access.can_manage_experts(actor):
        raise NotFound()
    expert.kind, expert.affiliation, expert.expertise = data["kind"], data["affiliation"], data["expertise"]
    expert.conflicts = _conflicts(data.get("conflicts", []))
    db.session.flush()
    audit("registry.expert_updated", actor=actor, subject_type="user", subject_id=expert.user_id)
    return expert


def parties(complaint) -> list[tuple[str | None, str | None]]:
    """(name, credit code) of each party of the complaint: its enterprise and every suspected infringer."""
    found = [(complaint.enterprise.name, complaint.enterprise.credit_code)]
    found += [(i.name, getattr(i, "credit_code", None)) for i in complaint.infringers]
    return found


def conflict_with(expert: Expert, complaint) -> ExpertConflict | None:
    """The expert's first declared conflict naming a party of the complaint (by credit code, or by name)."""
    named = parties(complaint)
    codes = {c.upper() for _n, c in named if c}
    names = {_normal(n) for n, _c in named if n}
    for conflict in expert.conflicts:
        if conflict.credit_code and conflict.credit_code.upper() in codes:
            return conflict
        if conflict.name and _normal(conflict.name) in names:
            return conflict
    return None


def invite(actor, consultation: Consultation, expert_user_ids) -> list[ExpertInvitation]:
    """Invite experts of the think tank to the consultation. Field errors (``expert_ids``): none chosen, an
    unknown one, one already invited, or a declared conflict with a party of the complaint — nothing is kept."""
    if not access.can_view_experts(actor):
        raise NotFound()
    if not access.can_invite_experts(actor, consultation):
        raise Conflict(_("Experts can be invited only while the consultation takes opinions."),
                       state=consultation.state.value, allowed_triggers=[])
    ids = list(dict.fromkeys(expert_user_ids))
    if not ids:
        raise ValidationFailed({"expert_ids": [_("Choose one or more experts of the think tank.")]})
    experts = {e.user_id: e for e in db.session.scalars(select(Expert).where(Expert.user_id.in_(ids)))}
    invited = {i.expert_id for i in consultation.expert_invitations}
    errors = []
    for user_id in ids:
        expert = experts.get(user_id)
        if expert is None:
            errors.append(_("Choose experts of the think tank."))
        elif expert.user_id in invited:
            errors.append(_("%(name)s is already invited.", name=expert.user.name))
        elif (conflict := conflict_with(expert, consultation.complaint)) is not None:
            errors.append(_("%(name)s declared a conflict of interest with a party of this complaint (%(party)s) "
                            "and cannot be invited.", name=expert.user.name,
                            party=conflict.name or conflict.credit_code))
    if errors:
        raise ValidationFailed({"expert_ids": list(dict.fromkeys(errors))})
    made = [ExpertInvitation(consultation=consultation, expert_id=user_id, invited_by_id=actor.id) for user_id in ids]
    db.session.add_all(made)
    db.session.flush()
    names = [experts[u].user.name for u in ids]
    record_event(consultation.complaint, actor, "consultation", trigger="invite_experts",
                 consultation_id=consultation.id, public=False, payload={"experts": names})
    emit("consultation.invited", user_ids=ids, subject_type="consultation", subject_id=consultation.id,
         params={"reference": consultation.complaint.reference,
                 "opinion_due_at": consultation.opinion_due_at.isoformat()})
    audit("registry.experts_invited", actor=actor, subject_type="consultation", subject_id=consultation.id,
          experts=[str(u) for u in ids])
    return made


def invitable_experts(consultation) -> list[tuple[Expert, ExpertConflict | None]]:
    """Every profiled expert not yet invited, with the conflict that would refuse it (shown beside the name)."""
    invited = {i.expert_id for i in consultation.expert_invitations}
    experts = db.session.scalars(select(Expert).join(User, User.id == Expert.user_id)
                                 .where(User.active.is_(True)).order_by(Expert.kind, Expert.id)).all()
    return [(e, conflict_with(e, consultation.complaint)) for e in experts if e.user_id not in invited]


def own_invitations(actor) -> list[ExpertInvitation]:
    """An expert's own invitations, the newest first (its start page)."""
    if not access.is_expert(actor):
        raise NotFound()
    return db.session.scalars(select(ExpertInvitation).where(ExpertInvitation.expert_id == actor.id)
                              .order_by(ExpertInvitation.invited_at.desc(), ExpertInvitation.id.desc())).all()
