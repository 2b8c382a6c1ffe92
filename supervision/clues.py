"""Clue linking across the city (线索统一管控): the suspected infringers of every submitted complaint are
matched city-wide, and a clerk links a complaint to another as its duplicate or as related.

Matching is by keys (supervision/clue_models.ClueKey), written in the submission's own transaction by a
``before_flush`` listener (a complaint leaving ``draft``, or stored already past it) and by
``flask clues rebuild``; complaints sharing a (kind, key) name the same infringer:

- ``credit_code``: the same unified social credit code (NFKC, upper case, no spaces);
- ``org_name``: the same organisation name once normalised (``normalise_name``: NFKC full/half-width,
  no spaces or punctuation, 有限责任公司 / 股份有限公司 / Co., Ltd. read as 有限公司, a branch suffix
  分公司 / 办事处 / 分部 cut off);
- ``person_org``: the same person's name together with the same organisation — an organisation the same
  complaint names as an infringer, or the complaint's enterprise (the employer of a former employee).

Matching one complaint is an index lookup on (kind, key) per key, never a scan (bench/clues.py).
What a viewer sees of a related complaint is as far as intake's visibility lets it see that complaint:
in full (with a link) when it may open it, else only its reference, centre, state and what matched.
"""
import re
import unicodedata
import uuid
from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import delete, event, false, func, or_, select
from sqlalchemy.orm import Session, attributes, selectinload

from accounts.enums import Role
from core.errors import NotFound, ValidationFailed
from core.extensions import db
from intake.enums import ORGANISATION_INFRINGERS, ComplaintState as S, InfringerKind
from intake.models import Complaint
from intake.services import visibility_filter
from routing.effects import ENDED, run
from routing.machines import complaint_machine

from .clue_models import MAX_KEY, MAX_LABEL, ClueKey, ClueKind, ComplaintLink, ComplaintLinkKind

PERSON_INFRINGERS = frozenset({InfringerKind.former_employee, InfringerKind.current_employee})
RELATED_LIMIT = 200  # related complaints shown for one complaint (the most recent first)
CLUSTER_LIMIT = 1000  # infringers with several complaints listed (the largest first)
GRAPH_COMPLAINTS = 30  # a graph's complaints at most (beyond: the table lists them all)
GRAPH_KEYS = 30

# --- normalisation --------------------------------------------------------------------------------

_PUNCTUATION = re.compile(r"[\s·•・.,，。、;；:：'\"“”‘’`()\[\]{}（）【】「」《》<>_\-–—/\\&＆+]+")
_LEGAL_FORM = re.compile(r"(股份有限公司|有限责任公司)")
_ENGLISH_FORM = re.compile(r"(companylimited|colimited|coltd|limited|ltd)$")
_BRANCH = re.compile(r"^(.+?(?:有限公司|公司))(.+?(?:分公司|办事处|分部|分厂|分店))$")
_BRANCH_WORD = re.compile(r"(分公司|办事处|分部|分厂|分店)$")


def _plain(text: str) -> str:
    return _PUNCTUATION.sub("", unicodedata.normalize("NFKC", text or "")).casefold()


def normalise_code(code: str | None) -> str | None:
    code = re.sub(r"\s+", "", unicodedata.normalize("NFKC", code or "")).upper()
    return code or None


def normalise_name(name: str | None) -> str | None:
    """An organisation's name as matching compares it: 上海某某科技股份有限公司北京分公司, 上海 某某科技有限责任公司
    and ＳＨＡＮＧＨＡＩ… in full-width all read as the same company as 上海某某科技有限公司."""
    text = _plain(name)
    text = _ENGLISH_FORM.sub("有限公司", _LEGAL_FORM.sub("有限公司", text))
    if (branch := _BRANCH.match(text)) is not None:
        text = branch.group(1)
    elif text != (cut := _BRANCH_WORD.sub("", text)) and cut:
        text = cut
    return text[:MAX_LABEL] or None


def normalise_person(name: str | None) -> str | None:
    return _plain(name)[:MAX_LABEL] or None


def keys_for(complaint: Complaint) -> list[tuple[ClueKind, str, str]]:
    """The match keys of a complaint's infringers: (kind, key, label), without repeats."""
    keys, organisations, persons = {}, [], []

    def add(kind, key, label):
        if key:
            keys.setdefault((kind, key[:MAX_KEY]), (label or key)[:MAX_LABEL])

    for infringer in complaint.infringers:
        if infringer.kind in PERSON_INFRINGERS:
            if (person := normalise_person(infringer.name)) is not None:
                persons.append((person, infringer.name))
            continue
        code, name = normalise_code(infringer.credit_code), normalise_name(infringer.name)
        add(ClueKind.credit_code, code, infringer.name or code)
        if infringer.kind in ORGANISATION_INFRINGERS:
            add(ClueKind.org_name, name, infringer.name)
        for identity in (f"cc:{code}" if code else None, f"nm:{name}" if name else None):
            if identity:
                organisations.append((identity, infringer.name or code))
    enterprise = complaint.enterprise
    if enterprise is not None:
        if enterprise.credit_code:
            organisations.append((f"cc:{normalise_code(enterprise.credit_code)}", enterprise.name))
        if (name := normalise_name(enterprise.name)) is not None:
            organisations.append((f"nm:{name}", enterprise.name))
    for person, person_label in persons:
        for identity, org_label in organisations:
            add(ClueKind.person_org, f"{person}|{identity}", f"{person_label} · {org_label}")
    return [(kind, key, label) for (kind, key), label in keys.items()]


def _write_keys(session, complaint: Complaint) -> None:
    for kind, key, label in keys_for(complaint):
        session.add(ClueKey(complaint=complaint, kind=kind, key=key, label=label))


@event.listens_for(Session, "before_flush")
def _match_on_submission(session, flush_context, instances):
    """A complaint leaving its draft (or stored past it) gets its match keys in the same flush."""
    for complaint in [o for o in session.new if isinstance(o, Complaint)]:
        if complaint.state not in (None, S.draft):
            _write_keys(session, complaint)
    for complaint in [o for o in session.dirty if isinstance(o, Complaint)]:
        history = attributes.get_history(complaint, "state")
        if history.added and history.deleted and S.draft in history.deleted and complaint.state is not S.draft:
            _write_keys(session, complaint)


def rebuild(batch: int = 1000) -> int:
    """Write every submitted complaint's keys anew (existing data, or a changed normalisation)."""
    db.session.execute(delete(ClueKey))
    count, last = 0, None
    while True:
        query = (select(Complaint).where(Complaint.state != S.draft).order_by(Complaint.id).limit(batch)
                 .options(selectinload(Complaint.infringers), selectinload(Complaint.enterprise)))
        if last is not None:
            query = query.where(Complaint.id > last)
        complaints = db.session.scalars(query).all()
        if not complaints:
            return count
        rows = [{"complaint_id": c.id, "kind": kind, "key": key, "label": label}
                for c in complaints for kind, key, label in keys_for(c)]
        if rows:
            db.session.execute(ClueKey.__table__.insert(), rows)
        count += len(complaints)
        last = complaints[-1].id
        db.session.expunge_all()


# --- who may see and do what --------------------------------------------------------------------

def can_see_related(actor, complaint: Complaint) -> bool:
    """The related complaints of a complaint: a clerk of its centre and the supervisors."""
    role = getattr(actor, "role", None)
    return complaint.state is not S.draft and (
        role is Role.supervisor or (role is Role.clerk and actor.organisation_id == complaint.centre_id))


def can_link(actor, complaint: Complaint) -> bool:
    """Marking a complaint duplicate of, or related to, another: a clerk of its centre, until it ended."""
    return (getattr(actor, "role", None) is Role.clerk and actor.organisation_id == complaint.centre_id
            and complaint.state not in ENDED)


def can_close_as_duplicate(actor, complaint: Complaint) -> bool:
    return can_link(actor, complaint) and "close_as_duplicate" in complaint_machine.allowed_triggers(complaint, actor)


def can_see_clusters(actor) -> bool:
    """The city-wide picture (infringers with several complaints, the graph): the supervisors."""
    return getattr(actor, "role", None) is Role.supervisor


# --- reading --------------------------------------------------------------------------------------

@dataclass
class Related:
    """A related complaint as the viewer may see it: ``complaint`` only when the viewer may open it."""

    reference: str
    centre_name: str
    state: S
    submitted_at: object
    complaint: Complaint | None
    id: uuid.UUID  # never shown for a complaint the viewer may not open (the link form names the reference)
    matches: list = field(default_factory=list)  # (ClueKind, label of the other complaint's infringer)
    link: ComplaintLinkKind | None = None  # a link between the two, either way
    ended: bool = False

    @property
    def visible(self) -> bool:
        return self.complaint is not None


def related_ids(complaint_id) -> list:
    mine = ClueKey.__table__.alias("mine")
    other = ClueKey.__table__.alias("other")
    return list(db.session.scalars(
        select(other.c.complaint_id).distinct().join(mine, (mine.c.kind == other.c.kind) & (mine.c.key == other.c.key))
        .where(mine.c.complaint_id == complaint_id, other.c.complaint_id != complaint_id).limit(RELATED_LIMIT)))


def related(actor, complaint: Complaint) -> list[Related]:
    """The complaints sharing an infringer with this one, city-wide, the most recent first."""
    if not can_see_related(actor, complaint):
        return []
    mine = ClueKey.__table__.alias("mine")
    other = ClueKey.__table__.alias("other")
    rows = db.session.execute(
        select(other.c.complaint_id, other.c.kind, other.c.label)
        .join(mine, (mine.c.kind == other.c.kind) & (mine.c.key == other.c.key))
        .where(mine.c.complaint_id == complaint.id, other.c.complaint_id != complaint.id)
        .order_by(other.c.complaint_id, other.c.kind).limit(RELATED_LIMIT * 3)).all()
    if not rows:
        return []
    ids = list(dict.fromkeys(r.complaint_id for r in rows))
    others = {c.id: c for c in db.session.scalars(
        select(Complaint).where(Complaint.id.in_(ids)).options(selectinload(Complaint.centre)))}
    condition = visibility_filter(actor)
    visible = set() if condition is False else set(db.session.scalars(
        select(Complaint.id).where(Complaint.id.in_(ids), condition if condition is not True else True)))
    links = {}
    for link in db.session.scalars(select(ComplaintLink).where(or_(
            (ComplaintLink.complaint_id == complaint.id) & ComplaintLink.other_id.in_(ids),
            (ComplaintLink.other_id == complaint.id) & ComplaintLink.complaint_id.in_(ids)))):
        links[link.other_id if link.complaint_id == complaint.id else link.complaint_id] = link.kind
    found = {}
    for row in rows:
        c = others[row.complaint_id]
        item = found.get(c.id)
        if item is None:
            item = found[c.id] = Related(c.reference, c.centre.name if c.centre else "", c.state, c.submitted_at,
                                         c if c.id in visible else None, c.id, link=links.get(c.id),
                                         ended=c.state in ENDED)
        kind = ClueKind(row.kind)
        if (kind, row.label) not in item.matches:
            item.matches.append((kind, row.label))
    return sorted(found.values(), key=lambda r: (r.submitted_at is None, r.submitted_at), reverse=True)


def links_of(actor, complaint: Complaint) -> list[ComplaintLink]:
    """The clerks' links from and to this complaint (to those who may see its related complaints)."""
    if not can_see_related(actor, complaint):
        return []
    return list(db.session.scalars(select(ComplaintLink).where(or_(
        ComplaintLink.complaint_id == complaint.id, ComplaintLink.other_id == complaint.id))
        .order_by(ComplaintLink.id)))


def linkable(actor, complaint: Complaint, found: list[Related] | None = None) -> list[Related]:
    """The related complaints this clerk may still link this one to."""
    if not can_link(actor, complaint):
        return []
    return [r for r in (found if found is not None else related(actor, complaint)) if r.link is None]


# --- linking --------------------------------------------------------------------------------------

def link(actor, complaint: Complaint, data: dict) -> ComplaintLink:
    """Mark ``complaint`` a duplicate of a related complaint (it is closed, its enterprise told why) or
    related to it (both stay open). The other one must share an infringer with it (city-wide)."""
    if not can_see_related(actor, complaint):
        raise NotFound()
    kind, message = data["kind"], (data.get("message") or "").strip() or None
    candidates = {r.reference: r for r in linkable(actor, complaint)}
    other = candidates.get(data["other_reference"].strip())
    errors = {}
    if other is None:
        errors["other_reference"] = [_("Choose one of the related complaints not linked to this one yet.")]
    elif kind is ComplaintLinkKind.duplicate and other.ended:
        errors["other_reference"] = [_("That complaint has ended: a complaint can only be a duplicate of one still handled.")]
    if kind is ComplaintLinkKind.duplicate and message is None:
        errors["message"] = [_("Tell the enterprise why its complaint is closed as a duplicate.")]
    if errors:
        raise ValidationFailed(errors)
    if kind is ComplaintLinkKind.duplicate:
        run(complaint_machine, complaint, "close_as_duplicate", actor, reason=message,
            expected_version=data.get("version"), payload={"other": other.reference},
            params={"other": other.reference})
    row = ComplaintLink(complaint_id=complaint.id, other_id=other.id, kind=kind, message=message,
                        created_by_id=actor.id)
    db.session.add(row)
    db.session.flush()
    return row


# --- the city-wide picture ------------------------------------------------------------------------

@dataclass
class Cluster:
    key_id: int
    kind: ClueKind
    label: str
    count: int


def clusters(actor, *, limit: int = CLUSTER_LIMIT) -> list[Cluster]:
    """Infringers named by several complaints, the most named first (supervisors only)."""
    if not can_see_clusters(actor):
        raise NotFound()
    count = func.count(ClueKey.complaint_id)
    rows = db.session.execute(
        select(ClueKey.kind, ClueKey.key, func.min(ClueKey.id), func.min(ClueKey.label), count)
        .group_by(ClueKey.kind, ClueKey.key).having(count > 1)
        .order_by(count.desc(), func.min(ClueKey.id)).limit(limit)).all()
    return [Cluster(key_id, kind, label, n) for kind, _key, key_id, label, n in rows]


def get_cluster(actor, key_id) -> tuple[ClueKey, list[Complaint]]:
    """One infringer's complaints (supervisors only; anyone else, or an unknown key: 404)."""
    if not can_see_clusters(actor):
        raise NotFound()
    try:
        key = db.session.get(ClueKey, int(str(key_id)))
    except (ValueError, OverflowError):
        key = None
    if key is None:
        raise NotFound()
    complaints = db.session.scalars(
        select(Complaint).join(ClueKey, ClueKey.complaint_id == Complaint.id)
        .where(ClueKey.kind == key.kind, ClueKey.key == key.key)
        .order_by(Complaint.submitted_at.desc(), Complaint.id).options(selectinload(Complaint.centre))).all()
    return key, list(complaints)


@dataclass
class Graph:
    """Complaints (one side) linked by the infringers they share (the other side)."""

    infringers: list  # (node id, label, kind)
    complaints: list  # (node id, reference)
    edges: list  # (infringer node id, complaint node id)
    truncated: bool = False


def graph(complaint_ids, *, shared_only=True) -> Graph:
    """The bipartite graph of these complaints and their shared infringers, one step further: the other
    complaints naming the same infringers (bounded: GRAPH_COMPLAINTS complaints, GRAPH_KEYS infringers)."""
    ids = list(dict.fromkeys(complaint_ids))[:GRAPH_COMPLAINTS]
    keys = db.session.execute(
        select(ClueKey.kind, ClueKey.key, func.min(ClueKey.label)).where(ClueKey.complaint_id.in_(ids))
        .group_by(ClueKey.kind, ClueKey.key)).all()
    pairs = db.session.execute(
        select(ClueKey.kind, ClueKey.key, ClueKey.complaint_id)
        .where(or_(*[(ClueKey.kind == k) & (ClueKey.key == v) for k, v, _label in keys]) if keys else false())
        .order_by(ClueKey.complaint_id).limit(GRAPH_COMPLAINTS * GRAPH_KEYS * 2)).all()
    by_key = {}
    for kind, key, complaint_id in pairs:
        by_key.setdefault((kind, key), []).append(complaint_id)
    labels = {(k, v): label for k, v, label in keys}
    shown_keys = [k for k in labels if not shared_only or len(by_key.get(k, ())) > 1]
    truncated = len(shown_keys) > GRAPH_KEYS
    shown_keys = shown_keys[:GRAPH_KEYS]
    complaint_nodes = list(ids)
    for k in shown_keys:
        for complaint_id in by_key.get(k, ()):
            if complaint_id not in complaint_nodes:
                if len(complaint_nodes) >= GRAPH_COMPLAINTS:
                    truncated = True
                    continue
                complaint_nodes.append(complaint_id)
    references = dict(db.session.execute(
        select(Complaint.id, Complaint.reference).where(Complaint.id.in_(complaint_nodes))).all())
    infringers = [(f"i{n}", labels[k], ClueKind(k[0]) if isinstance(k[0], str) else k[0])
                  for n, k in enumerate(shown_keys)]
    complaints = [(f"c{n}", references.get(c, "")) for n, c in enumerate(complaint_nodes)]
    node_of = {c: f"c{n}" for n, c in enumerate(complaint_nodes)}
    edges = [(f"i{n}", node_of[c]) for n, k in enumerate(shown_keys) for c in by_key.get(k, ()) if c in node_of]
    return Graph(infringers, complaints, edges, truncated)


def complaints_of_keys(key_ids) -> list:
    """The complaints naming the infringers of these keys (bounded: a graph's complaints)."""
    if not key_ids:
        return []
    keys = db.session.execute(select(ClueKey.kind, ClueKey.key).where(ClueKey.id.in_(key_ids))).all()
    return list(db.session.scalars(
        select(ClueKey.complaint_id).where(or_(*[(ClueKey.kind == k) & (ClueKey.key == v) for k, v in keys]))
        .distinct().limit(GRAPH_COMPLAINTS)))
