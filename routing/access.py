"""Who may read and write what on referrals (docs/AUTHORIZATION.md; tests/authz/matrix.toml).

Every page and API operation on a referral, its notes, its evidence and its steps asks these
predicates; nothing else decides access. The state-dependent "may fire this trigger now" is the
machine tables' (routing.effects.allowed), and the pages show a button exactly when it answers yes.
"""
from sqlalchemy import select
from sqlalchemy.orm import aliased

from accounts.enums import AGENCY_ROLES, Role
from core.extensions import db
from core.pagination import Page, Pages, asc, desc, fetch
from core.queries import one_visible
from intake import search
from intake.models import Complaint

from .enums import LinkKind, SupplementKind
from .models import Referral, ReferralSupplement

TRANSFER_LINKS = (LinkKind.admin_to_criminal, LinkKind.criminal_to_admin)


class Relation:
    """How an actor stands to a referral (None: not at all, which answers 404)."""

    OWN = "own"                  # an officer or head of the agency the referral was sent to
    TRANSFERRING = "transferring"  # of the agency that transferred the case to this one (行刑衔接 parent or attached)
    SUPERVISING = "supervising"  # of the procuratorate supervising the (declined) police referral
    CENTRE = "centre"            # a clerk of the complaint's centre
    SUPERVISOR = "supervisor"    # the supervisor office
    ENTERPRISE = "enterprise"    # a user of the enterprise that filed the complaint


def _supervising_referrals(organisation_id):
    """The ids of the referrals this organisation supervises (parents of its filing-supervision referrals)."""
    child = aliased(Referral)
    return select(child.parent_id).where(child.agency_id == organisation_id,
                                         child.link_kind == LinkKind.filing_supervision)


def _attached_transfers(organisation_id):
    """The ids of the referrals to which this organisation's transfer was attached (a parallel referral)."""
    source = aliased(Referral)
    return (select(ReferralSupplement.referral_id)
            .join(source, source.id == ReferralSupplement.source_referral_id)
            .where(ReferralSupplement.kind == SupplementKind.transfer, source.agency_id == organisation_id))


def transferring_agency_ids(referral: Referral) -> set:
    """The agencies that transferred this matter to the referral's agency: its parent's (a linked referral)
    and those whose transfer was attached to it."""
    ids = set()
    if referral.link_kind in TRANSFER_LINKS and referral.parent is not None:
        ids.add(referral.parent.agency_id)
    source = aliased(Referral)
    ids.update(db.session.scalars(
        select(source.agency_id).join(ReferralSupplement, ReferralSupplement.source_referral_id == source.id)
        .where(ReferralSupplement.referral_id == referral.id, ReferralSupplement.kind == SupplementKind.transfer)))
    return ids


def referral_relation(actor, referral: Referral) -> str | None:
    org = getattr(actor, "organisation_id", None)
    role = getattr(actor, "role", None)
    if role in AGENCY_ROLES:
        if referral.agency_id == org:
            return Relation.OWN
        if org in transferring_agency_ids(referral):
            return Relation.TRANSFERRING
        if db.session.scalar(select(Referral.id).where(
                Referral.parent_id == referral.id, Referral.link_kind == LinkKind.filing_supervision,
                Referral.agency_id == org).limit(1)) is not None:
            return Relation.SUPERVISING
        return None
    if role is Role.clerk:
        return Relation.CENTRE if referral.complaint.centre_id == org else None
    if role is Role.supervisor:
        return Relation.SUPERVISOR
    if role is Role.enterprise_user:
        return Relation.ENTERPRISE if referral.complaint.enterprise_id == org else None
    return None


def can_read_referral(actor, referral: Referral) -> bool:
    return referral_relation(actor, referral) is not None


def can_read_internal_notes(actor, referral: Referral) -> bool:
    """Internal notes stay with the agency that wrote them, its centre and the supervisors: never another
    agency (the transferring one, the supervising procuratorate, the supervised police) nor the enterprise."""
    return referral_relation(actor, referral) in (Relation.OWN, Relation.CENTRE, Relation.SUPERVISOR)


def can_write_notes(actor, referral: Referral) -> bool:
    return referral_relation(actor, referral) == Relation.OWN


def can_download_shared_evidence(actor, referral: Referral) -> bool:
    """Through a referral: only its own agency (the others reach the files through their own referral)."""
    return referral_relation(actor, referral) == Relation.OWN


def can_refer(actor, complaint: Complaint, *, convener=None) -> bool:
    """Referrals are made by a clerk of the complaint's centre — or, from a consultation's minutes, by
    whoever convened it (a supervisor too)."""
    role = getattr(actor, "role", None)
    if role is Role.clerk and actor.organisation_id == complaint.centre_id:
        return True
    return convener is not None and convener.convener_org_id == actor.organisation_id and role in (
        Role.clerk, Role.supervisor)


def visible_referrals(actor, *, followed=False):
    """The SQL condition for the referrals this actor may see (the relations of referral_relation()).

    ``followed``: an agency may also open the referrals it transferred to another agency (to follow
    them up, e.g. to ask the police to reconsider) and, a procuratorate, the police referral whose
    non-filing it supervises; its lists show only its own.
    """
    if actor.role in AGENCY_ROLES:
        own = Referral.agency_id == actor.organisation_id
        if not followed:
            return own
        mine = aliased(Referral)
        transferred = Referral.link_kind.in_(TRANSFER_LINKS) & Referral.parent_id.in_(
            select(mine.id).where(mine.agency_id == actor.organisation_id))
        return (own | transferred | Referral.id.in_(_attached_transfers(actor.organisation_id))
                | Referral.id.in_(_supervising_referrals(actor.organisation_id)))
    if actor.role is Role.clerk:
        return Referral.complaint_id.in_(select(Complaint.id).where(Complaint.centre_id == actor.organisation_id))
    if actor.role is Role.enterprise_user:
        return Referral.complaint_id.in_(select(Complaint.id).where(Complaint.enterprise_id == actor.organisation_id))
    if actor.role is Role.supervisor:
        return True
    return False


def get_visible_referral(actor, referral_id, *, for_update=False) -> Referral:
    return one_visible(Referral.id, referral_id, visible_referrals(actor, followed=True), for_update=for_update)


def list_referrals(actor, *, states=None, complaint_id=None, q=None, window=Pages()) -> Page:
    """The referrals this actor may see (visible_referrals); ``q``: only those of the complaints it finds
    (intake.search: reference, enterprise, infringer name or credit code), within what it may see."""
    condition = visible_referrals(actor)
    if condition is False:
        return Page([], 0)
    query = select(Referral).where(condition)
    if (q := search.normalise(q)) is not None:
        query = query.where(Referral.complaint_id.in_(select(Complaint.id).where(search.complaint_matches(q))))
    if states:
        query = query.where(Referral.state.in_(states))
    if complaint_id is not None:
        query = query.where(Referral.complaint_id == complaint_id)
    # the most urgent first (by the agency's running clocks), then the newest
    return fetch(query, (asc(Referral.agency_due_at.is_(None)), asc(Referral.agency_due_at),
                         desc(Referral.created_at), asc(Referral.id)), window)


