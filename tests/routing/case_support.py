"""Helpers of issue 8's case tests (tests/routing/test_case_*.py): service calls in a real DB world, and
what a case's whole effect is read from — rows, clocks, notices queued, the timeline in Chinese words."""
import contextlib
import re
import uuid

from sqlalchemy import func, select

CHINESE = re.compile(r"[\u4e00-\u9fff]")
LATIN = re.compile(r"[A-Za-z]{3,}")  # a raw trigger, state or English sentence left in the words


def uid(value):
    return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))


@contextlib.contextmanager
def service(app, world, who):
    """A request's worth of work at the service level: yields the actor (a User row); commits at the end,
    as the request boundary does (nothing is committed when the block raises)."""
    from accounts.models import User
    from core.extensions import db

    with app.test_request_context():
        actor = db.session.get(User, world.users[who]["id"])
        try:
            yield actor
            db.session.commit()
        except BaseException:
            db.session.rollback()
            raise


def referral(referral_id):
    from core.extensions import db
    from routing.models import Referral

    return db.session.get(Referral, uid(referral_id))


def complaint(complaint_id):
    from core.extensions import db
    from intake.models import Complaint

    return db.session.get(Complaint, uid(complaint_id))


def clocks(app, subject_type, subject_id) -> dict:
    """{rule code: [(state, paused), ...]} of the subject's deadlines, oldest first."""
    from core.extensions import db
    from deadlines.models import Deadline

    with app.app_context():
        rows = db.session.scalars(select(Deadline).where(Deadline.subject_type == subject_type,
                                                         Deadline.subject_id == uid(subject_id))
                                  .order_by(Deadline.id)).all()
        result = {}
        for d in rows:
            result.setdefault(d.rule_code, []).append((d.state.value, d.paused_at is not None))
        return result


def running_clocks(app, complaint_id) -> list:
    """(subject_type, rule code) of every clock still running on the complaint or anything of it."""
    from core.extensions import db
    from deadlines.models import Deadline, DeadlineState

    with app.app_context():
        return sorted(db.session.execute(select(Deadline.subject_type, Deadline.rule_code).where(
            Deadline.complaint_id == uid(complaint_id), Deadline.closed_at.is_(None),
            Deadline.state.in_([DeadlineState.open, DeadlineState.breached]))).all())


def outbox_mark(app) -> int:
    from core.extensions import db
    from core.outbox import OutboxEvent

    with app.app_context():
        return db.session.scalar(select(func.coalesce(func.max(OutboxEvent.id), 0)))


def notices(app, since, event=None) -> list:
    """(event, {organisation ids}) of the notices queued after ``since`` (an outbox_mark)."""
    from core.extensions import db
    from core.outbox import OutboxEvent

    with app.app_context():
        query = select(OutboxEvent).where(OutboxEvent.id > since).order_by(OutboxEvent.id)
        if event:
            query = query.where(OutboxEvent.event == event)
        return [(e.event, frozenset(str(o) for o in e.organisation_ids)) for e in db.session.scalars(query)]


def told(app, since, event, *org_ids):
    """The notice ``event`` was queued after ``since`` to exactly these organisations."""
    sent = notices(app, since, event)
    assert (event, frozenset(str(o) for o in org_ids)) in sent, (event, org_ids, notices(app, since))


def events(app, complaint_id, *, public_only=False):
    from core.extensions import db
    from intake.models import ComplaintEvent

    with app.app_context():
        query = select(ComplaintEvent).where(ComplaintEvent.complaint_id == uid(complaint_id))
        if public_only:
            query = query.where(ComplaintEvent.public.is_(True))
        rows = db.session.scalars(query.order_by(ComplaintEvent.id)).all()
        for row in rows:
            db.session.expunge(row)
        return rows


def zh_timeline(app, complaint_id, *, public_only=True) -> list[str]:
    """The complaint's timeline as the enterprise reads it, in Chinese words (routing.presenters.event_text)."""
    from flask_babel import force_locale

    from routing.presenters import event_text

    rows = events(app, complaint_id, public_only=public_only)
    with app.test_request_context(), force_locale("zh"):
        return [event_text(r) for r in rows]


def in_plain_chinese(texts):
    for text in texts:
        assert CHINESE.search(text) and not LATIN.search(text), text


def supplements(app, referral_id) -> list:
    """(kind, source referral id, link kind, [evidence ids]) of what reached the referral after it was sent."""
    from core.extensions import db
    from routing.models import ReferralSupplement

    with app.app_context():
        rows = db.session.scalars(select(ReferralSupplement).where(ReferralSupplement.referral_id == uid(referral_id))
                                  .order_by(ReferralSupplement.id)).all()
        return [(s.kind.value, str(s.source_referral_id) if s.source_referral_id else None,
                 s.link_kind.value if s.link_kind else None, sorted(str(e.id) for e in s.evidence)) for s in rows]


def states(app, complaint_id) -> tuple:
    """(the complaint's state, {letter suffix: referral state})."""
    from core.extensions import db
    from routing.models import Referral

    with app.app_context():
        c = complaint(complaint_id)
        rows = db.session.scalars(select(Referral).where(Referral.complaint_id == c.id)
                                  .order_by(Referral.letter_number)).all()
        return c.state.value, {r.letter_number[-3:]: r.state.value for r in rows}


def add_user(app, world, key, role, org_key):
    """One more user of the world (e.g. the head of another agency), usable with world.api(key)."""
    from accounts import services
    from accounts.enums import Role
    from accounts.models import Organisation
    from core.extensions import db
    from tests.conftest import PASSWORD

    with app.app_context():
        org = db.session.get(Organisation, world.orgs[org_key])
        user = services.create_user(organisation=org, email=f"{key}@routing.example", name=f"{key} 用户",
                                    password=PASSWORD, role=Role(role), language="en")
        db.session.commit()
        world.users[key] = {"id": user.id, "email": user.email, "password": PASSWORD, "org_id": org.id}
    return key
