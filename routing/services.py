"""Routing's services: the only code that changes the state of complaints, referrals and consultations.

Every change goes through a state machine (machines.py) and writes one timeline row (intake's
ComplaintEvent, naming the referral or consultation) in the caller's transaction; the request
boundary commits, so a failure anywhere leaves nothing behind.
"""

from flask_babel import gettext as _
from sqlalchemy import case, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased

from accounts.enums import AGENCY_KINDS, AGENCY_ROLES, District, OrgKind, Role
from accounts.models import Organisation
from core.errors import Conflict, NotFound, ValidationFailed
from core.extensions import db
from core.queries import one_visible
from core.models import utcnow
from core.outbox import emit
from deadlines import services as deadlines
from evidence.models import EvidenceFile
from intake.enums import ComplaintState as S, Track
from intake.models import Complaint
from intake.services import check_version, issue_reference, record_event

from . import rules, steps
from .enums import OPEN_REFERRAL_STATES, ConsultationState, LinkKind, ReferralState as R
from .machines import complaint_machine, consultation_machine, referral_machine
from .models import Consultation, ConsultationInvitation, Referral, ReferralNote, Supervision

TRACK_AGENCY_KINDS = {Track.administrative: {OrgKind.market_regulation},
                      Track.criminal: {OrgKind.public_security, OrgKind.procuratorate},
                      Track.civil: {OrgKind.court}}


# --- complaints ----------------------------------------------------------------------------------

def transition_complaint(complaint: Complaint, trigger: str, actor, *, reason=None, payload=None,
                         expected_version=None, before_change=None, system=False, flush=True):
    """Fire a trigger and write its timeline row, in the caller's transaction.

    ``flush=False`` lets a caller that changes the complaint further write it in one UPDATE (one
    version step) by flushing itself afterwards.
    """
    check_version(complaint, expected_version)
    source, dest = complaint_machine.fire(complaint, trigger, actor, reason=reason, before_change=before_change,
                                          system=system)
    complaint.updated_at = utcnow()
    record_event(complaint, actor, "transition", trigger=trigger, from_state=source.value, to_state=dest.value,
                 reason=reason, payload=payload() if callable(payload) else payload)
    if flush:
        db.session.flush()
    return complaint


def centre_for(enterprise: Organisation) -> Organisation:
    """The rights-protection centre of the enterprise's district, else a municipal one, else any."""
    preference = case((Organisation.district == enterprise.district, 0),
                      (Organisation.district == District.municipal, 1), else_=2)
    centre = db.session.scalar(select(Organisation).where(Organisation.kind == OrgKind.rights_center)
                               .order_by(preference, Organisation.created_at, Organisation.id).limit(1))
    if centre is None:
        raise Conflict(_("No rights-protection centre is configured yet; please contact the administrator."))
    return centre


def submit_complaint(actor, complaint: Complaint, *, expected_version=None) -> Complaint:
    """Check completeness, issue the reference, hand the complaint to its centre."""
    def assign():
        now = utcnow()
        complaint.centre = centre_for(complaint.enterprise)
        complaint.reference = issue_reference(now)
        complaint.submitted_at = now

    transition_complaint(complaint, "submit", actor, expected_version=expected_version, before_change=assign,
                         payload=lambda: {"reference": complaint.reference}, flush=False)
    centre_id = complaint.centre.id
    deadlines.get_rules(["Q1", "Q2"])  # both in one query
    opened = [deadlines.plan_deadline(code, subject_type="complaint", subject_id=complaint.id,
                                      complaint_id=complaint.id, responsible_org_id=centre_id)
              for code in ("Q1", "Q2")]
    complaint.centre_due_at = min(d.due_at for d in opened)  # what sync_centre_due would find, without asking
    _tell(complaint, "complaint.submitted", [centre_id])
    deadlines.write_schedules(opened)  # one flush: one UPDATE of the complaint, the version the answer shows
    return complaint


def _open_for_complaint(code, complaint, responsible_org_id):
    return deadlines.open_deadline(code, subject_type="complaint", subject_id=complaint.id, complaint_id=complaint.id,
                                   responsible_org_id=responsible_org_id)


def _tell(complaint, event, organisation_ids, **params):
    """Queue a notification in this transaction (the notifications worker delivers it)."""
    emit(event, organisation_ids=organisation_ids, subject_type="complaint", subject_id=complaint.id,
         params={"reference": complaint.reference, "enterprise": complaint.enterprise.name, **params})


def withdraw_complaint(actor, complaint: Complaint, reason: str, *, expected_version=None) -> Complaint:
    def record_reason():
        complaint.withdrawal_reason = reason.strip()

    transition_complaint(complaint, "withdraw", actor, reason=reason, expected_version=expected_version,
                         before_change=record_reason)
    deadlines.cancel_for_complaint(complaint.id)
    sync_centre_due(complaint)
    _tell(complaint, "complaint.withdrawn", [complaint.centre_id])
    return complaint


def sync_centre_due(complaint: Complaint) -> None:
    """Keep the complaint's place in the queue: the earliest due time of the centre's running clocks."""
    complaint.centre_due_at = deadlines.earliest_due("complaint", complaint.id, complaint.centre_id)
    db.session.flush()  # now, not at commit: the answer (and its ETag) must carry the version stored


def triage(actor, complaint: Complaint, data: dict) -> Complaint:
    """The clerk's triggers on a complaint: claim, request_info, accept, reject, close."""
    _triage(actor, complaint, data)
    sync_centre_due(complaint)
    return complaint


def _triage(actor, complaint: Complaint, data: dict) -> Complaint:
    trigger = data["trigger"]
    version = data.get("version")
    if trigger == "claim":
        def claim():
            complaint.claimed_by_id = actor.id
        transition_complaint(complaint, "claim", actor, expected_version=version, before_change=claim)
        deadlines.meet("complaint", complaint.id, ["Q1"])
        return complaint
    if trigger == "request_info":
        if data.get("due_date") is None:
            raise ValidationFailed({"due_date": [_("Give the date by which the enterprise should answer.")]})
        transition_complaint(complaint, "request_info", actor, reason=data.get("message"),
                             expected_version=version, payload={"due_date": data["due_date"].isoformat()})
        deadlines.pause("complaint", complaint.id, ["Q1", "Q2"])  # the centre's clock stops meanwhile
        _open_for_complaint("Q3", complaint, complaint.enterprise_id)
        _tell(complaint, "complaint.info_requested", [complaint.enterprise_id], message=data.get("message") or "",
              due_date=data["due_date"].isoformat())
        return complaint
    if trigger == "accept":
        transition_complaint(complaint, "accept", actor, reason=data.get("message"), expected_version=version)
        deadlines.meet("complaint", complaint.id, ["Q1", "Q2"])
        _tell(complaint, "complaint.accepted", [complaint.enterprise_id])
        return complaint
    if trigger == "reject":
        if data.get("reason_code") is None:
            raise ValidationFailed({"reason_code": [_("Choose why the complaint is not accepted.")]})
        transition_complaint(complaint, "reject", actor, reason=data.get("message"), expected_version=version,
                             payload={"reason_code": data["reason_code"].value})
        deadlines.cancel_for_complaint(complaint.id)
        _tell(complaint, "complaint.rejected", [complaint.enterprise_id], message=data.get("message") or "")
        return complaint
    if trigger == "close":
        transition_complaint(complaint, "close", actor, reason=data.get("message"), expected_version=version)
        deadlines.cancel_for_complaint(complaint.id)
        return complaint
    raise Conflict(_("This action is not possible in the current state."), state=complaint.state.value,
                   trigger=trigger, allowed_triggers=complaint_machine.allowed_triggers(complaint, actor))


def supply_info(actor, complaint: Complaint, text: str, *, expected_version=None) -> Complaint:
    """The enterprise answers a request for supplements (files are uploaded before, to the same complaint)."""
    if not (text or "").strip():
        raise ValidationFailed({"text": [_("Describe what you are supplying.")]})
    transition_complaint(complaint, "supply_info", actor, reason=text.strip(), expected_version=expected_version)
    deadlines.meet("complaint", complaint.id, ["Q3"])
    deadlines.resume("complaint", complaint.id, ["Q1", "Q2"])
    sync_centre_due(complaint)
    _tell(complaint, "complaint.info_supplied", [complaint.centre_id])
    return complaint


def routing_suggestion(actor, complaint: Complaint) -> dict:
    if actor.role not in (Role.clerk, Role.supervisor):
        raise NotFound()
    return rules.suggest(complaint)


def sync_complaint_with_referrals(complaint: Complaint, actor) -> None:
    """The complaint follows its referrals: in progress once a case is opened, concluded when none is
    open any more, back to 'accepted' when every referral came back and the centre must re-route,
    referred again when a concluded one gets a new referral (filing supervision of a declined one)."""
    if complaint.state not in (S.referred, S.in_progress, S.concluded):
        return
    referrals = db.session.scalars(select(Referral).where(Referral.complaint_id == complaint.id)).all()
    open_ = [r for r in referrals if r.state in OPEN_REFERRAL_STATES]
    if complaint.state is S.concluded:
        if open_:
            transition_complaint(complaint, "refer", actor, system=True)
        return
    if any(r.state is R.accepted for r in open_):
        if complaint.state is S.referred:
            transition_complaint(complaint, "start", actor, system=True)
    elif not open_:
        if all(r.state is R.returned for r in referrals):
            transition_complaint(complaint, "reopen", actor, system=True)
        else:
            transition_complaint(complaint, "conclude", actor, system=True)


# --- referrals -----------------------------------------------------------------------------------

def _agency(agency_id, track: Track) -> Organisation:
    agency = db.session.get(Organisation, agency_id)
    if agency is None or agency.kind not in AGENCY_KINDS:
        raise ValidationFailed({"agency_id": [_("Choose an agency from the directory.")]})
    if agency.kind not in TRACK_AGENCY_KINDS[track]:
        raise ValidationFailed({"agency_id": [_("This agency does not handle the chosen track.")]})
    return agency


def _letter_number(complaint: Complaint) -> str:
    count = db.session.scalar(select(func.count()).select_from(Referral).where(Referral.complaint_id == complaint.id))
    return f"{complaint.reference}-Y{count + 1:02d}"


def _new_referral(complaint, actor, agency, track, evidence, *, message=None, parent=None, link_kind=None):
    referral = Referral(complaint=complaint, agency=agency, track=track, state=R.sent, sent_by=actor,
                        message=message, parent=parent, link_kind=link_kind,
                        letter_number=_letter_number(complaint), shared_evidence=list(evidence))
    duplicate = Conflict(_("This complaint already has an open referral to %(agency)s.", agency=agency.name))
    if db.session.scalar(select(Referral.id).where(
            Referral.complaint_id == complaint.id, Referral.agency_id == agency.id,
            Referral.state.in_(OPEN_REFERRAL_STATES)).limit(1)) is not None:
        raise duplicate
    try:
        if db.session.get_bind().dialect.name == "sqlite":
            # pysqlite sends no BEGIN before a SAVEPOINT: released before the transaction's first
            # write, it would commit this referral even if the request fails later
            db.session.add(referral)
            db.session.flush()
        else:
            # the unique index catches a race the check above missed; add inside the savepoint
            # (begin_nested() flushes what is pending before the savepoint starts)
            with db.session.begin_nested():
                db.session.add(referral)
                db.session.flush()
    except IntegrityError:
        raise duplicate from None
    record_event(complaint, actor, "referral", trigger="send", to_state=R.sent.value, referral_id=referral.id,
                 reason=message, payload={"agency": agency.name, "track": track.value,
                                          "letter_number": referral.letter_number,
                                          "link_kind": link_kind.value if link_kind else None,
                                          "evidence": [str(e.id) for e in evidence]})
    q4 = deadlines.open_deadline("Q4", subject_type="referral", subject_id=referral.id, complaint_id=complaint.id,
                                 responsible_org_id=agency.id)
    referral.agency_due_at = q4.due_at
    _tell(complaint, "referral.received", [agency.id], agency=agency.name, letter_number=referral.letter_number)
    return referral


def create_referrals(actor, complaint: Complaint, items: list[dict], *, expected_version=None) -> list[Referral]:
    """Refer an accepted complaint (or add referrals to one already referred), recording the suggestion."""
    check_version(complaint, expected_version)
    if (actor.role is not Role.clerk or actor.organisation_id != complaint.centre_id
            or complaint.state not in (S.accepted, S.referred, S.in_progress)):
        raise Conflict(_("Only an accepted complaint can be referred."), state=complaint.state.value,
                       allowed_triggers=complaint_machine.allowed_triggers(complaint, actor))
    if not items:
        raise ValidationFailed({"referrals": [_("Choose at least one agency.")]})
    evidence_by_id = {e.id: e for e in db.session.scalars(
        select(EvidenceFile).where(EvidenceFile.complaint_id == complaint.id))}
    errors, planned = {}, []
    for i, item in enumerate(items):
        try:
            agency = _agency(item["agency_id"], item["track"])
        except ValidationFailed as exc:
            errors.update({f"referrals.{i}.{k}": v for k, v in exc.errors.items()})
            continue
        unknown = [str(e) for e in item.get("evidence_ids", []) if e not in evidence_by_id]
        if unknown:
            errors[f"referrals.{i}.evidence_ids"] = [_("These files are not evidence of this complaint.")]
            continue
        planned.append((agency, item))
    if errors:
        raise ValidationFailed(errors)
    suggestion = rules.suggest(complaint)
    referrals = []
    for agency, item in planned:
        referrals.append(_new_referral(complaint, actor, agency, item["track"],
                                       [evidence_by_id[e] for e in item.get("evidence_ids", [])],
                                       message=item.get("message")))
    payload = {"suggestion": suggestion["suggestions"], "consultation": suggestion["consultation"],
               "decision": [{"agency": r.agency.name, "track": r.track.value} for r in referrals]}
    if complaint.state is S.accepted:
        transition_complaint(complaint, "refer", actor, system=True, payload=payload)
    else:
        complaint.updated_at = utcnow()
        record_event(complaint, actor, "routing_decision", payload=payload)
    db.session.flush()
    return referrals


# --- who may read and write what (docs/AUTHORIZATION.md; tests/authz/matrix.toml) -------------------
#
# Every page and API operation on a referral, its notes, its evidence and a complaint's key-case
# supervision asks these predicates; nothing else decides access.

TRANSFER_LINKS = (LinkKind.admin_to_criminal, LinkKind.criminal_to_admin)


class Relation:
    """How an actor stands to a referral (None: not at all, which answers 404)."""

    OWN = "own"                  # an officer or head of the agency the referral was sent to
    TRANSFERRING = "transferring"  # of the agency that transferred the case to this one (行刑衔接 parent)
    SUPERVISING = "supervising"  # of the procuratorate supervising the (declined) police referral
    CENTRE = "centre"            # a clerk of the complaint's centre
    SUPERVISOR = "supervisor"    # the supervisor office
    ENTERPRISE = "enterprise"    # a user of the enterprise that filed the complaint


def _supervising_referrals(organisation_id):
    """The ids of the referrals this organisation supervises (parents of its filing-supervision referrals)."""
    child = aliased(Referral)
    return select(child.parent_id).where(child.agency_id == organisation_id,
                                         child.link_kind == LinkKind.filing_supervision)


def referral_relation(actor, referral: Referral) -> str | None:
    org = getattr(actor, "organisation_id", None)
    role = getattr(actor, "role", None)
    if role in AGENCY_ROLES:
        if referral.agency_id == org:
            return Relation.OWN
        if (referral.link_kind in TRANSFER_LINKS and referral.parent is not None
                and referral.parent.agency_id == org):
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


def can_read_supervision(actor, complaint: Complaint) -> bool:
    """Key-case instructions and the centre's reports (督办): the supervisors and the complaint's centre."""
    role = getattr(actor, "role", None)
    if role is Role.supervisor:
        return True
    return role is Role.clerk and actor.organisation_id == complaint.centre_id


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
        return own | transferred | Referral.id.in_(_supervising_referrals(actor.organisation_id))
    if actor.role is Role.clerk:
        return Referral.complaint_id.in_(select(Complaint.id).where(Complaint.centre_id == actor.organisation_id))
    if actor.role is Role.enterprise_user:
        return Referral.complaint_id.in_(select(Complaint.id).where(Complaint.enterprise_id == actor.organisation_id))
    if actor.role is Role.supervisor:
        return True
    return False


def get_visible_referral(actor, referral_id, *, for_update=False) -> Referral:
    return one_visible(Referral.id, referral_id, visible_referrals(actor, followed=True), for_update=for_update)


def list_referrals(actor, *, states=None, complaint_id=None, page=1, per_page=20):
    condition = visible_referrals(actor)
    if condition is False:
        return [], 0
    query = select(Referral).where(condition)
    if states:
        query = query.where(Referral.state.in_(states))
    if complaint_id is not None:
        query = query.where(Referral.complaint_id == complaint_id)
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    # the most urgent first (by the agency's running clocks), then the newest
    items = db.session.scalars(query.order_by(Referral.agency_due_at.is_(None), Referral.agency_due_at,
                                              Referral.created_at.desc(), Referral.id)
                               .offset((page - 1) * per_page).limit(per_page)).all()
    return items, total


def _lock_complaint(referral: Referral) -> Complaint:
    """Serialise work on one complaint's referrals (PostgreSQL row lock; SQLite has one writer anyway)."""
    return db.session.scalar(select(Complaint).where(Complaint.id == referral.complaint_id).with_for_update())


def _require(data, *names):
    errors = {n: [_("This field is required for this action.")] for n in names
              if data.get(n) is None or (isinstance(data.get(n), str) and not data[n].strip())}
    if errors:
        raise ValidationFailed(errors)


def transition_referral(actor, referral: Referral, data: dict) -> Referral:
    """Run an agency's (or the centre's) trigger on a referral with the fields that trigger needs."""
    trigger = data["trigger"]
    check_version(referral, data.get("version"))
    complaint = _lock_complaint(referral)
    rule = referral_machine.rule_for(trigger, referral.state)
    if rule is None or not referral_machine.permits(rule, actor, referral):
        raise Conflict(_("This action is not possible in the current state."), state=referral.state.value,
                       trigger=trigger, allowed_triggers=referral_machine.allowed_triggers(referral, actor))
    now = utcnow()
    payload = {"agency": referral.agency.name, "track": referral.track.value}
    reason = data.get("reason")
    child = None

    if trigger == "acknowledge":
        _require(data, "officer_name")

        def change():
            referral.acknowledged_by_name = data["officer_name"].strip()
            referral.acknowledged_at = now
        payload["officer_name"] = data["officer_name"]
    elif trigger in ("accept", "file_after_notice"):
        _require(data, "case_number")

        def change():
            referral.agency_case_number = data["case_number"].strip()
            referral.decided_at = now
        payload["case_number"] = data["case_number"]
    elif trigger == "decline":
        def change():
            referral.decline_reason = (reason or "").strip()
            referral.decided_at = now
    elif trigger == "return":
        _require(data, "return_reason")

        def change():
            referral.return_reason = data["return_reason"]
            referral.return_message = (reason or "").strip()
            referral.decided_at = now
        payload["return_reason"] = data["return_reason"].value
    elif trigger == "conclude":
        outcome = validate_outcome(referral.track, data.get("outcome"))

        stored = {k: str(v) if v is not None else None for k, v in outcome.items()}

        def change():
            referral.outcome = stored
            for name in ("fine_amount", "confiscation_amount", "damages_amount"):
                setattr(referral, name, outcome.get(name))
            referral.concluded_at = now
        payload["outcome"] = stored
    elif trigger in ("transfer", "request_supervision"):
        def change():
            pass
    else:  # pragma: no cover - the machine knows no other trigger
        raise Conflict()

    source, dest = referral_machine.fire(referral, trigger, actor, reason=reason, before_change=change)
    referral.updated_at = now
    record_event(complaint, actor, "referral", trigger=trigger, from_state=source.value, to_state=dest.value,
                 reason=reason, referral_id=referral.id, payload=payload)
    _referral_deadlines(referral, trigger, complaint)
    if trigger == "transfer":
        child = _transfer(actor, complaint, referral, data)
    elif trigger == "request_supervision":
        child = _supervision(actor, complaint, referral, data)
    sync_agency_due(referral)
    sync_complaint_with_referrals(complaint, actor)
    return child or referral


REFERRAL_EVENTS = {"accept": "referral.decided", "file_after_notice": "referral.decided", "decline": "referral.decided", "return": "referral.returned",
                   "conclude": "referral.concluded"}


def _referral_deadlines(referral: Referral, trigger: str, complaint: Complaint) -> None:
    """Meet the clock the trigger answers and open the next one (DOMAIN.md's table)."""
    kind = referral.agency.kind.value
    if trigger == "acknowledge" and referral.link_kind is LinkKind.filing_supervision:
        deadlines.meet("referral", referral.id, ["Q4"])
        steps.open_supervision_clock(referral)  # P1: the police explain their non-filing
    elif trigger == "acknowledge":
        deadlines.meet("referral", referral.id, ["Q4"])
        if kind in deadlines.DECISION_RULES:
            deadlines.open_deadline(deadlines.DECISION_RULES[kind], subject_type="referral", subject_id=referral.id,
                                    complaint_id=complaint.id, responsible_org_id=referral.agency_id)
        if kind == "court" and "injunction_preservation" in (complaint.remedies or []):
            deadlines.open_deadline("V2", subject_type="referral", subject_id=referral.id, complaint_id=complaint.id,
                                    responsible_org_id=referral.agency_id)
    elif trigger == "accept":
        deadlines.meet("referral", referral.id, [deadlines.DECISION_RULES.get(kind, "")])
        if kind in deadlines.CONCLUSION_RULES:
            deadlines.open_deadline(deadlines.CONCLUSION_RULES[kind], subject_type="referral",
                                    subject_id=referral.id, complaint_id=complaint.id,
                                    responsible_org_id=referral.agency_id)
    else:  # decline, return, conclude, transfer, request_supervision, file_after_notice: nothing more is due
        deadlines.meet("referral", referral.id)
    if trigger in REFERRAL_EVENTS:
        _tell(complaint, REFERRAL_EVENTS[trigger], [complaint.centre_id, complaint.enterprise_id],
              agency=referral.agency.name, state=referral.state.value)


def record_appraisal(actor, referral: Referral, action: str, note: str | None = None) -> Referral:
    """Testing, forensic appraisal (鉴定) or the right holder's identification stops the A1 clock."""
    if actor.role not in AGENCY_ROLES or actor.organisation_id != referral.agency_id:
        raise NotFound()
    if referral.state not in (R.acknowledged,):
        raise Conflict(_("An appraisal pauses the verification of an acknowledged referral only."),
                       state=referral.state.value, allowed_triggers=referral_machine.allowed_triggers(referral, actor))
    rule = deadlines.DECISION_RULES.get(referral.agency.kind.value)
    if rule is None:  # the procuratorate's filing supervision: no verification clock to stop
        raise Conflict(_("An appraisal pauses an agency's decision whether to open a case; this referral has none."),
                       state=referral.state.value, allowed_triggers=referral_machine.allowed_triggers(referral, actor))
    codes = [rule]
    running = deadlines.running("referral", referral.id, codes)
    paused = any(d.paused_at is not None for d in running)
    if action == "requested":
        if paused:
            raise Conflict(_("An appraisal is already under way."), allowed_triggers=["returned"])
        deadlines.pause("referral", referral.id, codes)
    else:
        if not paused:
            raise Conflict(_("No appraisal is under way."), allowed_triggers=["requested"])
        deadlines.resume("referral", referral.id, codes)
    record_event(referral.complaint, actor, "appraisal", trigger=f"appraisal_{action}", referral_id=referral.id,
                 reason=note, public=False, payload={"agency": referral.agency.name})
    referral.updated_at = utcnow()
    sync_agency_due(referral)
    return referral


def sync_agency_due(referral: Referral) -> None:
    """Keep the referral's place in its agency's inbox: the earliest due time of the agency's running clocks."""
    referral.agency_due_at = deadlines.earliest_due("referral", referral.id, referral.agency_id)
    db.session.flush()  # now, not at commit: the answer (and its ETag) must carry the version stored


def _target(data, kind: OrgKind, complaint) -> Organisation:
    if data.get("to_agency_id"):
        agency = db.session.get(Organisation, data["to_agency_id"])
        if agency is None or agency.kind is not kind:
            raise ValidationFailed({"to_agency_id": [_("This agency does not handle the chosen track.")]})
        return agency
    agency = rules.agency_for(kind, rules._infringer_district(complaint))
    if agency is None:
        raise ValidationFailed({"to_agency_id": [_("No agency of this kind is in the directory.")]})
    return agency


def _transfer(actor, complaint, referral, data) -> Referral:
    if referral.track is Track.administrative:
        track, kind, link = Track.criminal, OrgKind.public_security, LinkKind.admin_to_criminal
    else:
        track, kind, link = Track.administrative, OrgKind.market_regulation, LinkKind.criminal_to_admin
    agency = _target(data, kind, complaint)
    return _new_referral(complaint, actor, agency, track, referral.shared_evidence, message=data.get("reason"),
                         parent=referral, link_kind=link)


def _supervision(actor, complaint, referral, data) -> Referral:
    agency = _target(data, OrgKind.procuratorate, complaint)
    return _new_referral(complaint, actor, agency, Track.criminal, referral.shared_evidence,
                         message=data.get("reason"), parent=referral, link_kind=LinkKind.filing_supervision)


def validate_outcome(track: Track, outcome: dict | None) -> dict:
    """The structured outcome of a concluded referral, per track."""
    from .enums import OUTCOME_RESULTS

    outcome = dict(outcome or {})
    errors = {}
    result = outcome.get("result")
    if result not in OUTCOME_RESULTS[track.value]:
        errors["outcome.result"] = [_("Choose one of: %(choices)s.", choices=", ".join(OUTCOME_RESULTS[track.value]))]
    allowed = {"administrative": {"fine_amount", "confiscation_amount", "decision_number"},
               "criminal": {"court_case_number", "summary"},
               "civil": {"damages_amount", "judgment_number"}}[track.value] | {"result", "summary"}
    for key in set(outcome) - allowed:
        errors[f"outcome.{key}"] = [_("Unknown field.")]
    if track is Track.administrative and result == "penalty_decision":
        if not outcome.get("decision_number"):
            errors["outcome.decision_number"] = [_("Give the number of the penalty decision.")]
    for key in ("fine_amount", "confiscation_amount", "damages_amount"):
        if outcome.get(key) is not None and outcome[key] < 0:
            errors[f"outcome.{key}"] = [_("The amount cannot be negative.")]
    if errors:
        raise ValidationFailed(errors)
    return outcome


def add_note(actor, referral: Referral, text: str, public: bool) -> ReferralNote:
    if not can_write_notes(actor, referral):
        raise NotFound()
    if referral.state not in OPEN_REFERRAL_STATES:
        raise Conflict(_("Progress notes are for open referrals."), state=referral.state.value,
                       allowed_triggers=referral_machine.allowed_triggers(referral, actor))
    if not (text or "").strip():
        raise ValidationFailed({"text": [_("Write the note.")]})
    note = ReferralNote(referral_id=referral.id, author=actor, text=text.strip(), public=public)
    db.session.add(note)
    referral.updated_at = utcnow()
    record_event(referral.complaint, actor, "note", referral_id=referral.id, reason=text.strip(), public=public,
                 payload={"agency": referral.agency.name})
    db.session.flush()
    return note


def notes_for(actor, referral: Referral) -> list[ReferralNote]:
    """The notes this actor may read: all of them (can_read_internal_notes), else the public ones."""
    if not can_read_referral(actor, referral):
        raise NotFound()
    query = select(ReferralNote).where(ReferralNote.referral_id == referral.id)
    if not can_read_internal_notes(actor, referral):
        query = query.where(ReferralNote.public.is_(True))
    return db.session.scalars(query.order_by(ReferralNote.id)).all()


def shared_evidence_for(actor, referral: Referral, evidence_id) -> EvidenceFile:
    """An evidence file the centre shared with this referral's agency (404 otherwise)."""
    if not can_download_shared_evidence(actor, referral):
        raise NotFound()
    for evidence in referral.shared_evidence:
        if str(evidence.id) == str(evidence_id):
            return evidence
    raise NotFound()


# --- consultations -------------------------------------------------------------------------------

def convene(actor, complaint: Complaint, data: dict) -> Consultation:
    if actor.role not in (Role.clerk, Role.supervisor):
        raise NotFound()
    if complaint.state in (S.draft, S.rejected, S.withdrawn, S.closed):
        raise Conflict(_("A consultation needs a complaint that is still open."), state=complaint.state.value,
                       allowed_triggers=[])
    agencies = [db.session.get(Organisation, a) for a in dict.fromkeys(data["agency_ids"])]
    if not agencies or any(a is None or a.kind not in AGENCY_KINDS for a in agencies):
        raise ValidationFailed({"agency_ids": [_("Invite one or more agencies from the directory.")]})
    consultation = Consultation(
        complaint=complaint, convened_by=actor, convener_org_id=actor.organisation_id, state=ConsultationState.convened,
        questions=data["questions"], meeting_at=data.get("meeting_at"), opinion_due_at=data["opinion_due_at"],
        invitations=[ConsultationInvitation(agency=a) for a in agencies],
    )
    db.session.add(consultation)
    db.session.flush()
    for agency in agencies:
        deadlines.open_deadline("C1", subject_type="consultation", subject_id=consultation.id,
                                complaint_id=complaint.id, responsible_org_id=agency.id)
    emit("consultation.invited", organisation_ids=[a.id for a in agencies], subject_type="consultation",
         subject_id=consultation.id, params={"reference": complaint.reference,
                                             "opinion_due_at": data["opinion_due_at"].isoformat()})
    record_event(complaint, actor, "consultation", trigger="convene", to_state=ConsultationState.convened.value,
                 consultation_id=consultation.id,
                 payload={"agencies": [a.name for a in agencies], "questions": data["questions"]})
    return consultation


def visible_consultations(actor):
    if actor.role in AGENCY_ROLES:
        return Consultation.id.in_(select(ConsultationInvitation.consultation_id)
                                   .where(ConsultationInvitation.agency_id == actor.organisation_id))
    if actor.role is Role.clerk:
        return Consultation.complaint_id.in_(select(Complaint.id).where(Complaint.centre_id == actor.organisation_id))
    if actor.role is Role.supervisor:
        return True
    # not the enterprise: the agencies' written opinions are internal (its timeline tells it the rest)
    return False


def get_visible_consultation(actor, consultation_id) -> Consultation:
    return one_visible(Consultation.id, consultation_id, visible_consultations(actor))


def list_consultations(actor, *, open_only=False):
    condition = visible_consultations(actor)
    if condition is False:
        return []
    query = select(Consultation).where(condition)
    if open_only:
        query = query.where(Consultation.state.in_([ConsultationState.convened, ConsultationState.opinions_due]))
    return db.session.scalars(query.order_by(Consultation.opinion_due_at, Consultation.id)).all()


def submit_opinion(actor, consultation: Consultation, text: str) -> ConsultationInvitation:
    invitation = next((i for i in consultation.invitations if i.agency_id == actor.organisation_id), None)
    if actor.role not in AGENCY_ROLES or invitation is None:
        raise NotFound()
    if consultation.state not in (ConsultationState.convened, ConsultationState.opinions_due):
        raise Conflict(_("Opinions are no longer taken on this consultation."), state=consultation.state.value,
                       allowed_triggers=[])
    if not (text or "").strip():
        raise ValidationFailed({"opinion": [_("Write the opinion.")]})
    invitation.opinion = text.strip()
    invitation.opinion_by = actor
    invitation.opinion_at = utcnow()
    record_event(consultation.complaint, actor, "consultation", trigger="opinion", consultation_id=consultation.id,
                 reason=text.strip(), public=False, payload={"agency": invitation.agency.name})
    deadlines.meet("consultation", consultation.id, ["C1"], responsible_org_id=actor.organisation_id)
    emit("consultation.opinion_submitted", organisation_ids=[consultation.convener_org_id],
         subject_type="consultation", subject_id=consultation.id,
         params={"reference": consultation.complaint.reference, "agency": invitation.agency.name})
    db.session.flush()
    return invitation


def transition_consultation(actor, consultation: Consultation, data: dict) -> Consultation:
    trigger = data["trigger"]
    check_version(consultation, data.get("version"))

    def change():
        if trigger == "record_minutes":
            _require(data, "minutes", "conclusion")
            consultation.minutes = data["minutes"].strip()
            consultation.conclusion = data["conclusion"].strip()

    source, dest = consultation_machine.fire(consultation, trigger, actor, before_change=change)
    record_event(consultation.complaint, actor, "consultation", trigger=trigger, from_state=source.value,
                 to_state=dest.value, consultation_id=consultation.id,
                 reason=consultation.conclusion if trigger == "record_minutes" else None)
    if trigger == "record_minutes":  # opinions are no longer taken
        deadlines.meet("consultation", consultation.id, ["C1"])
    db.session.flush()
    if trigger == "record_minutes" and data.get("referrals"):
        create_referrals(actor, consultation.complaint, data["referrals"])
    return consultation



# --- key-case supervision (督办) ---------------------------------------------------------------------

def supervise(actor, complaint: Complaint, instructions: str) -> Supervision:
    """The supervisor office marks a complaint as a key case, with instructions; the centre must report (S1)."""
    if actor.role is not Role.supervisor:
        raise NotFound()
    if complaint.state in (S.draft, S.rejected, S.withdrawn, S.closed):
        raise Conflict(_("Only an open complaint can be supervised."), state=complaint.state.value, allowed_triggers=[])
    if not (instructions or "").strip():
        raise ValidationFailed({"instructions": [_("Give the instructions.")]})
    if db.session.scalar(select(Supervision.id).where(Supervision.complaint_id == complaint.id)):
        raise Conflict(_("This complaint is already supervised as a key case."), allowed_triggers=[])
    supervision = Supervision(complaint_id=complaint.id, supervisor_id=actor.id, instructions=instructions.strip())
    db.session.add(supervision)
    complaint.key_case = True
    complaint.updated_at = utcnow()
    db.session.flush()
    deadlines.open_deadline("S1", subject_type="supervision", subject_id=supervision.id, complaint_id=complaint.id,
                            responsible_org_id=complaint.centre_id)
    record_event(complaint, actor, "supervision", trigger="supervise", reason=instructions.strip(), public=False)
    _tell(complaint, "complaint.supervised", [complaint.centre_id], instructions=instructions.strip())
    return supervision


def report_on_supervision(actor, complaint: Complaint, text: str) -> Supervision:
    """The centre reports on its key case: the S1 clock is met; the supervisor office is told."""
    supervision = db.session.scalar(select(Supervision).where(Supervision.complaint_id == complaint.id))
    if supervision is None or actor.role is not Role.clerk or actor.organisation_id != complaint.centre_id:
        raise NotFound()
    if not (text or "").strip():
        raise ValidationFailed({"text": [_("Write the report.")]})
    supervision.last_report, supervision.last_report_at = text.strip(), utcnow()
    deadlines.meet("supervision", supervision.id, ["S1"])
    record_event(complaint, actor, "supervision", trigger="report", reason=text.strip(), public=False)
    _tell(complaint, "complaint.supervision_reported", [supervision.supervisor.organisation_id], report=text.strip())
    db.session.flush()
    return supervision


def supervision_of(complaint: Complaint) -> Supervision | None:
    """The key case's supervision, unchecked: callers that show it to someone ask readable_supervision()."""
    return db.session.scalar(select(Supervision).where(Supervision.complaint_id == complaint.id))


@deadlines.on_recomputed
def _resync_due_times(changed) -> None:
    """The calendar moved running deadlines: the queue's and the inbox's due times follow."""
    complaint_ids = {d.subject_id for d in changed if d.subject_type == "complaint"}
    referral_ids = {d.subject_id for d in changed if d.subject_type == "referral"}
    if complaint_ids:
        for complaint in db.session.scalars(select(Complaint).where(Complaint.id.in_(complaint_ids))):
            sync_centre_due(complaint)
    if referral_ids:
        for referral in db.session.scalars(select(Referral).where(Referral.id.in_(referral_ids))):
            sync_agency_due(referral)


def readable_supervision(actor, complaint: Complaint) -> Supervision | None:
    """The supervision (instructions, reports) if this actor may read it (can_read_supervision), else None."""
    if not can_read_supervision(actor, complaint):
        return None
    return supervision_of(complaint)
