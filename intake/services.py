"""Complaint drafting, visibility, evidence and references: the enterprise side's business rules.

State changes (submit, withdraw, ...) are routing's: see routing/services.py.
"""
import datetime as dt
import uuid

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from accounts.enums import Role
from core.errors import Conflict, NotFound, PermissionDenied, StaleVersion, ValidationFailed
from core.extensions import db
from core.queries import one_visible
from core.models import append_row, utcnow
from core.pagination import Page, Pages, asc, desc, fetch
from core.outbox import emit
from core.timeutil import shanghai_year
from evidence import services as vault

from . import search
from .enums import OPEN_STATES, ComplaintState, EventKind
from .models import Complaint, ComplaintEvent, Infringer, ReferenceCounter
from .presenters import entry_visible_to, restates
from .schemas import penalty_date_errors

# the enterprise adds evidence to its draft, and after submission while the complaint is open (issue 8, point 6)
EVIDENCE_STATES = frozenset({ComplaintState.draft}) | OPEN_STATES


# --- visibility ----------------------------------------------------------------------------------

def visibility_filter(actor):
    """The SQL condition for the complaints this actor may see (False: none)."""
    if actor.role is Role.enterprise_user:
        return Complaint.enterprise_id == actor.organisation_id
    if actor.role is Role.clerk:
        return (Complaint.centre_id == actor.organisation_id) & (Complaint.state != ComplaintState.draft)
    if actor.role is Role.supervisor:
        return Complaint.state != ComplaintState.draft
    return False


def get_visible_complaint(actor, complaint_id, *, for_update=False, with_infringers=False) -> Complaint:
    """The complaint, or 404 whether it is missing or only not this actor's to see."""
    options = (selectinload(Complaint.infringers),) if with_infringers else ()
    return one_visible(Complaint.id, complaint_id, visibility_filter(actor), for_update=for_update, options=options)


def list_complaints(actor, *, q=None, window=Pages()) -> Page:
    """The complaints this actor may see, most recently updated first; ``q``: only those it finds (search.py)."""
    condition = visibility_filter(actor)
    if condition is False:
        return Page([], 0)
    if (q := search.normalise(q)) is not None:
        condition = condition & search.complaint_matches(q)
    return fetch(select(Complaint).where(condition), (desc(Complaint.updated_at), asc(Complaint.id)), window)


def can_see_evidence(actor, complaint) -> bool:
    """The enterprise and its centre (agencies it was referred to come with routing)."""
    if actor.role is Role.enterprise_user:
        return complaint.enterprise_id == actor.organisation_id
    if actor.role is Role.clerk:
        return complaint.centre_id == actor.organisation_id
    return False


# --- drafting ----------------------------------------------------------------------------------

def record_event(complaint, actor, kind: EventKind | str, *, trigger=None, from_state=None, to_state=None,
                 reason=None, payload=None, public=True, referral_id=None, consultation_id=None) -> None:
    """Append one timeline row, in the caller's transaction. *kind* is an EventKind or its value; any
    other kind is a programming error (ValueError), so every row the timeline shows has its text.

    A plain INSERT rather than an ORM object: the timeline is append-only, never read back within the
    request that writes it, and this is on every transition's path.
    """
    kind = EventKind(kind)
    append_row(ComplaintEvent.__table__, {
        "complaint_id": complaint.id, "at": utcnow(), "kind": kind.value, "trigger": trigger, "from_state": from_state,
        "to_state": to_state, "actor_id": actor.id if actor else None,
        "organisation_id": actor.organisation_id if actor else None, "reason": reason, "payload": payload or {},
        "public": public, "referral_id": referral_id, "consultation_id": consultation_id})


def _apply(complaint, data: dict) -> list[str]:
    discovered_on = data["discovered_on"] if "discovered_on" in data else complaint.discovered_on
    penalty_dates = ([row.get("penalty_decided_on") for row in data["infringers"]] if "infringers" in data
                     else [i.penalty_decided_on for i in complaint.infringers])
    if errors := penalty_date_errors(discovered_on, penalty_dates):
        raise ValidationFailed(errors)
    changed = []
    for key, value in data.items():
        if key == "infringers":
            complaint.infringers = [Infringer(position=i, **row) for i, row in enumerate(value)]
        else:
            setattr(complaint, key, value)
        changed.append(key)
    return sorted(changed)


def can_file_complaints(user) -> bool:
    """Only an enterprise's users file complaints (the new-complaint page and the API's POST ask this)."""
    return user.is_authenticated and user.role is Role.enterprise_user


def require_filer(user) -> None:
    if not can_file_complaints(user):
        raise PermissionDenied(_("Only an enterprise files complaints."))


def create_draft(actor, data: dict) -> Complaint:
    """A new draft for the actor's enterprise; the contact defaults to the enterprise's."""
    require_filer(actor)
    org = actor.organisation
    complaint = Complaint(enterprise=org, created_by=actor, state=ComplaintState.draft,
                          contact_name=org.contact_person, contact_phone=org.phone, contact_email=org.email,
                          infringing_acts=[], remedies=[], preferred_tracks=[])
    changed = _apply(complaint, data)
    db.session.add(complaint)
    db.session.flush()
    record_event(complaint, actor, EventKind.created, to_state=ComplaintState.draft.value, payload={"fields": changed})
    return complaint


def update_draft(actor, complaint: Complaint, data: dict, *, expected_version: int | None = None) -> Complaint:
    if actor.role is not Role.enterprise_user:
        raise PermissionDenied()
    if complaint.state is not ComplaintState.draft:
        raise Conflict(_("Only a draft can be edited; this complaint has been submitted."))
    check_version(complaint, expected_version)
    changed = _apply(complaint, data)
    if changed:
        complaint.updated_at = utcnow()
        record_event(complaint, actor, EventKind.edited, payload={"fields": changed})
        db.session.flush()
    return complaint


def check_version(entity, expected_version: int | None) -> None:
    if expected_version is not None and expected_version != entity.version:
        raise StaleVersion()


# --- references ------------------------------------------------------------------------------

def issue_reference(now: dt.datetime) -> str:
    """The next SM-YYYY-NNNNNN of the (Shanghai) year: the counter row's lock serialises submitters."""
    year = shanghai_year(now)
    dialect = db.session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    # No autoflush: the counter depends on nothing pending, and flushing the caller's half-made
    # changes here would cost an extra UPDATE (and version bump) of the complaint being submitted.
    counters = ReferenceCounter.__table__
    # plain Core statements: no ORM bookkeeping, no autoflush of the caller's half-made changes
    increment = (counters.update().where(counters.c.year == year)
                 .values(last_number=counters.c.last_number + 1).returning(counters.c.last_number))
    with db.session.no_autoflush:
        number = db.session.execute(increment).scalar_one_or_none()
        if number is None:  # the year's first submission: create its row (a racing one loses quietly)
            db.session.execute(insert(counters).values(year=year, last_number=0).on_conflict_do_nothing())
            number = db.session.execute(increment).scalar_one()
    return f"SM-{year}-{number:06d}"


# --- evidence ----------------------------------------------------------------------------------

def can_add_evidence(actor, complaint: Complaint) -> bool:
    """The enterprise that filed the complaint, to its draft or while the complaint is open."""
    return (getattr(actor, "role", None) is Role.enterprise_user and complaint.enterprise_id == actor.organisation_id
            and complaint.state in EVIDENCE_STATES)


def add_evidence(actor, complaint: Complaint, uploads) -> list:
    """Store uploaded files on a draft, or on a submitted complaint while it is open (listed as added
    later; the centre may send them on to the agencies). The enterprise only."""
    if actor.role is not Role.enterprise_user:
        raise PermissionDenied()
    if not can_add_evidence(actor, complaint):
        raise Conflict(_("Evidence can be added only to a draft or while the complaint is open."))
    uploads = [u for u in uploads if u and u.filename]
    if not uploads:
        raise ValidationFailed({"file": [_("Choose at least one file.")]})
    if len(uploads) > current_app.config["MAX_FILES_PER_UPLOAD"]:
        raise ValidationFailed({"file": [_("Too many files in one upload.")]})
    stored = [
        vault.store_evidence(complaint_id=complaint.id, uploader=actor, upload=upload,
                             max_bytes=current_app.config["MAX_EVIDENCE_BYTES"])
        for upload in uploads
    ]
    complaint.updated_at = utcnow()
    later = complaint.submitted_at is not None
    record_event(complaint, actor, EventKind.evidence_added,
                 payload={"files": [{"id": str(e.id), "name": e.display_name, "sha256": e.sha256} for e in stored],
                          **({"later": True} if later else {})})
    if later:  # the centre is told, and may send the files on to the agencies
        emit("complaint.evidence_added", organisation_ids=[complaint.centre_id], subject_type="complaint",
             subject_id=complaint.id, params={"reference": complaint.reference, "enterprise": complaint.enterprise.name,
                                              "count": len(stored)})
    return stored


def added_later(complaint: Complaint, evidence) -> bool:
    """A file the enterprise added after submitting the complaint."""
    return complaint.submitted_at is not None and evidence.created_at > complaint.submitted_at


def list_evidence(actor, complaint):
    if not can_see_evidence(actor, complaint):
        raise NotFound()
    return vault.evidence_of(complaint.id)


def evidence_for_download(actor, complaint, evidence_id):
    """(evidence row, chunk iterator) for someone allowed, else 404; the download is audited."""
    if not can_see_evidence(actor, complaint):
        raise NotFound()
    try:
        evidence_id = uuid.UUID(str(evidence_id))
    except ValueError:
        raise NotFound() from None
    evidence = vault.find_evidence(complaint.id, evidence_id)
    if evidence is None:
        raise NotFound()
    return evidence, vault.open_for_download(evidence, actor)


def timeline(actor, complaint, *, record=False) -> list[ComplaintEvent]:
    """The rows of the complaint's timeline this actor may read (intake.presenters.entry_visible_to: the
    enterprise never an internal one); one row per event, or with ``record`` (the API) every row written,
    the complaint's own state changes and the routing decision's record included."""
    query = select(ComplaintEvent).where(ComplaintEvent.complaint_id == complaint.id)
    if actor.role is Role.enterprise_user:
        query = query.where(ComplaintEvent.public.is_(True))
    rows = [e for e in db.session.scalars(query.order_by(ComplaintEvent.id)) if entry_visible_to(e, actor)]
    return rows if record else [e for e in rows if not restates(e)]

