"""Referrals and transfers: sending a complaint to agencies, the agencies' (and the centre's) triggers,
transfers between the tracks (行刑衔接 / 反向衔接, beside a parallel referral), filing supervision,
further evidence, re-routing after a return, withdrawal with the complaint, notes.

Every change is a row of the referral machine (routing/machines.py) fired by routing.effects.run;
the follow-ups the rows name (hand_over, send_for_supervision, share_evidence, ...) are here.
"""
from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from accounts.enums import AGENCY_KINDS, OrgKind
from accounts.models import Organisation
from core.errors import Conflict, NotFound, ValidationFailed
from core.extensions import db
from core.models import utcnow
from deadlines import services as deadlines
from evidence.models import EvidenceFile
from intake.enums import Track
from intake.models import Complaint
from intake.services import check_version, record_event

from . import clocks, receipts, rules
from .access import can_download_shared_evidence, can_read_internal_notes, can_read_referral, can_refer, \
    can_write_notes
from .complaints import follow_referrals
from .effects import ENDED, allowed, centre_id, follow_up, run, sync_due, tell, tell_systems
from .enums import (OPEN_REFERRAL_STATES, CivilRoute, LinkKind, ReferralState as R,
                    SupplementKind, TransferState)
from .machines import AFTER_ACCEPTANCE, complaint_machine, consultation_machine, referral_machine
from .models import (Consultation, PreservationApplication, Referral, ReferralEvidence, ReferralNote,
                     ReferralSupplement)

TRACK_AGENCY_KINDS = {Track.administrative: {OrgKind.market_regulation},
                      Track.criminal: {OrgKind.public_security, OrgKind.procuratorate},
                      Track.civil: {OrgKind.court}}
# where a transfer goes: the other track, and the link it records
TRANSFERS = {Track.administrative: (Track.criminal, OrgKind.public_security, LinkKind.admin_to_criminal),
             Track.criminal: (Track.administrative, OrgKind.market_regulation, LinkKind.criminal_to_admin)}
REROUTABLE = frozenset({R.returned, R.declined})


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


def open_referral_to(complaint, agency) -> Referral | None:
    return db.session.scalar(select(Referral).where(
        Referral.complaint_id == complaint.id, Referral.agency_id == agency.id,
        Referral.state.in_(OPEN_REFERRAL_STATES)).limit(1))


def _civil_route(agency, route):
    """A court referral says how the centre sends the civil dispute (guide to file suit, or pre-suit
    mediation); no other referral has one."""
    if agency.kind is OrgKind.court and route is None:
        raise ValidationFailed({"civil_route": [_("Choose how the court takes up the dispute: guide the enterprise "
                                                  "to file suit, or pre-suit mediation.")]})
    if agency.kind is not OrgKind.court and route is not None:
        raise ValidationFailed({"civil_route": [_("Only a referral to a court has a civil route.")]})
    return route


# the notice the agency receives: a court is told of the enterprise's coming suit or of the mediation
RECEIVED_NOTICE = {None: "referral.received", CivilRoute.file_suit: "civil.filing_guided",
                   CivilRoute.pre_suit_mediation: "civil.mediation_referred"}


def new_referral(complaint, actor, agency, track, evidence, *, message=None, parent=None, link_kind=None,
                 civil_route=None):
    """Send one referral (Q4 opens: the agency acknowledges); at most one open referral per agency."""
    referral = Referral(complaint=complaint, agency=agency, track=track, state=R.sent, sent_by=actor,
                        message=message, parent=parent, link_kind=link_kind, civil_route=civil_route,
                        letter_number=_letter_number(complaint), shared_evidence=list(evidence))
    duplicate = Conflict(_("This complaint already has an open referral to %(agency)s.", agency=agency.name))
    if open_referral_to(complaint, agency) is not None:
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
                                          "civil_route": civil_route.value if civil_route else None,
                                          "evidence": [str(e.id) for e in evidence]})
    q4 = deadlines.open_deadline("Q4", subject_type="referral", subject_id=referral.id, complaint_id=complaint.id,
                                 responsible_org_id=agency.id)
    referral.agency_due_at = q4.due_at
    tell(complaint, RECEIVED_NOTICE[civil_route], [agency.id], agency=agency.name, letter_number=referral.letter_number)
    tell_systems("referral.created", referral, [agency.id, centre_id(complaint)], agency=agency.name,
                 track=track.value, civil_route=civil_route.value if civil_route else None,
                 link_kind=link_kind.value if link_kind else None,
                 parent_id=str(parent.id) if parent is not None else None, state=R.sent.value,
                 evidence_ids=[str(e.id) for e in evidence])
    receipts.issue_for_referral(receipts.DELIVERED, referral, actor)  # the signed receipt of the hand-over
    return referral


def create_referrals(actor, complaint: Complaint, items: list[dict], *, expected_version=None,
                     consultation: Consultation | None = None) -> list[Referral]:
    """Refer an accepted complaint (or add referrals, or re-route one that came back), recording the
    routing suggestion with the decision."""
    check_version(complaint, expected_version)
    if not can_refer(actor, complaint, convener=consultation) or complaint.state not in AFTER_ACCEPTANCE:
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
            parent = _rerouted(complaint, item.get("reroute_of"))
            _civil_route(agency, item.get("civil_route"))
        except ValidationFailed as exc:
            errors.update({f"referrals.{i}.{k}": v for k, v in exc.errors.items()})
            continue
        unknown = [str(e) for e in item.get("evidence_ids", []) if e not in evidence_by_id]
        if unknown:
            errors[f"referrals.{i}.evidence_ids"] = [_("These files are not evidence of this complaint.")]
            continue
        planned.append((agency, parent, item))
    if errors:
        raise ValidationFailed(errors)
    suggestion = rules.suggest(complaint)
    referrals = [new_referral(complaint, actor, agency, item["track"],
                              [evidence_by_id[e] for e in item.get("evidence_ids", [])], message=item.get("message"),
                              parent=parent, link_kind=LinkKind.reroute if parent is not None else None,
                              civil_route=item.get("civil_route"))
                 for agency, parent, item in planned]
    complaint.updated_at = utcnow()
    record_event(complaint, actor, "routing_decision", payload={
        "suggestion": suggestion["suggestions"], "consultation": suggestion["consultation"],
        "decision": [{"agency": r.agency.name, "track": r.track.value} for r in referrals],
        "rerouted": [str(r.parent_id) for r in referrals if r.parent_id]})
    follow_referrals(complaint, actor)
    db.session.flush()
    return referrals


def _rerouted(complaint, referral_id) -> Referral | None:
    """The returned or declined referral a new one re-routes (its ``reroute`` parent)."""
    if referral_id is None:
        return None
    referral = db.session.get(Referral, referral_id)
    if referral is None or referral.complaint_id != complaint.id:
        raise ValidationFailed({"reroute_of": [_("Not a referral of this complaint.")]})
    errors = reroute_errors(referral)
    if errors:
        raise ValidationFailed(errors)
    return referral


def reroute_errors(referral: Referral) -> dict:
    """Why this referral cannot be re-routed ({} when it can): only a returned or declined one, once."""
    if referral.state not in REROUTABLE:
        return {"reroute_of": [_("Only a returned or declined referral can be re-routed.")]}
    if db.session.scalar(select(Referral.id).where(Referral.parent_id == referral.id).limit(1)) is not None:
        return {"reroute_of": [_("This referral has already been followed up.")]}
    return {}


def can_reroute(actor, referral: Referral) -> bool:
    """The re-route form is shown exactly when create_referrals(reroute_of=referral) would accept it."""
    complaint = referral.complaint
    return (can_refer(actor, complaint) and complaint.state in AFTER_ACCEPTANCE
            and not reroute_errors(referral))


def lock_complaint(referral: Referral) -> Complaint:
    """Serialise work on one complaint's referrals (PostgreSQL row lock; SQLite has one writer anyway)."""
    return db.session.scalar(select(Complaint).where(Complaint.id == referral.complaint_id).with_for_update())


def _require(data, *names):
    errors = {n: [_("This field is required for this action.")] for n in names
              if data.get(n) is None or (isinstance(data.get(n), str) and not data[n].strip())}
    if errors:
        raise ValidationFailed(errors)


def _fields(referral, trigger, data, now):
    """What the trigger writes on the referral (before its state moves) and adds to the timeline row."""
    reason = (data.get("reason") or "").strip()
    if trigger == "acknowledge":
        _require(data, "officer_name")

        def change():
            referral.acknowledged_by_name = data["officer_name"].strip()
            referral.acknowledged_at = now
        return change, {"officer_name": data["officer_name"]}
    if trigger in ("accept", "file_after_notice"):
        _require(data, "case_number")

        def change():
            referral.agency_case_number = data["case_number"].strip()
            referral.decided_at = now
            if referral.civil_route is not None and referral.materials_complete_at is None:
                referral.materials_complete_at = now  # a suit registered had its materials complete
        return change, {"case_number": data["case_number"]}
    # --- civil procedure: what the court's rows write (routing/machines.py) ---
    if trigger == "materials_complete":
        def change():
            referral.materials_complete_at = now
        return change, {}
    if trigger == "mediation_succeeded":
        _require(data, "case_number")  # the pre-suit mediation's case number (诉前调解案号)

        def change():
            referral.agency_case_number = data["case_number"].strip()
            referral.outcome = {"result": "mediation", "summary": reason or None}
            referral.decided_at = referral.concluded_at = now
        return change, {"case_number": data["case_number"], "outcome": {"result": "mediation"}}
    if trigger == "mediation_failed":
        def change():
            referral.civil_route = CivilRoute.file_suit  # the enterprise may now file its suit
            referral.mediation_failed_at = now
        return change, {"civil_route": CivilRoute.file_suit.value}
    if trigger == "apply_preservation":
        kind = data.get("preservation_kind")
        return None, {"preservation_kind": kind.value if kind else None}
    if trigger == "rule_on_preservation":
        ruling = data.get("preservation_ruling")
        return None, {"preservation_ruling": ruling.value if ruling else None}
    if trigger == "decline":
        def change():
            referral.decline_reason = reason
            referral.decided_at = now
        return change, {}
    if trigger == "return":
        def change():
            referral.return_reason = data["return_reason"]
            referral.return_message = reason
            referral.decided_at = now
        return change, {"return_reason": data["return_reason"].value if data.get("return_reason") else None}
    if trigger == "transfer" and referral.track in TRANSFERS:
        # the receiving agency is chosen now, so the timeline row names it (hand_over sends it there)
        agency = _target(data, TRANSFERS[referral.track][1], referral.complaint)
        data["to_agency_id"] = agency.id
        return None, {"to_agency": agency.name}
    if trigger == "conclude":
        outcome = dict(data.get("outcome") or {})
        stored = {k: str(v) if v is not None else None for k, v in outcome.items()}

        def change():
            referral.outcome = stored
            for name in ("fine_amount", "confiscation_amount", "damages_amount"):
                setattr(referral, name, outcome.get(name))
            referral.concluded_at = now
        return change, {"outcome": stored}
    return None, {}


def transition_referral(actor, referral: Referral, data: dict) -> Referral:
    """Run an agency's (or the centre's) trigger on a referral with the fields that trigger needs.
    Returns the referral a transfer or a supervision request sent (or attached to), else this one."""
    trigger = data["trigger"]
    complaint = lock_complaint(referral)
    rule = referral_machine.rule_for(trigger, referral.state)
    if rule is None or not referral_machine.permits(rule, actor, referral) or rule.org == "system":
        raise Conflict(_("This action is not possible in the current state."), state=referral.state.value,
                       trigger=trigger, allowed_triggers=allowed_triggers(referral, actor))
    change, payload = _fields(referral, trigger, data, utcnow())
    t = run(referral_machine, referral, trigger, actor, data=data, reason=data.get("reason"), payload=payload,
            before_change=change, expected_version=data.get("version"))
    follow_referrals(complaint, actor)
    return t.result or referral


def allowed_triggers(referral: Referral, actor) -> list[str]:
    return allowed(referral_machine, referral, actor)


# --- follow-ups of the referral machine's rows -------------------------------------------------------

def _target(data, kind: OrgKind, complaint) -> Organisation:
    if data.get("to_agency_id"):
        agency = db.session.get(Organisation, data["to_agency_id"])
        if agency is None or agency.kind is not kind:
            raise ValidationFailed({"to_agency_id": [_("This agency does not handle the chosen track.")]})
        return agency
    open_ = db.session.scalar(select(Referral).join(Organisation, Organisation.id == Referral.agency_id).where(
        Referral.complaint_id == complaint.id, Referral.state.in_(OPEN_REFERRAL_STATES),
        Organisation.kind == kind).order_by(Referral.created_at).limit(1))
    if open_ is not None:  # the agency already holding the matter
        return open_.agency
    agency = rules.agency_for(kind, rules._infringer_district(complaint))
    if agency is None:
        raise ValidationFailed({"to_agency_id": [_("No agency of this kind is in the directory.")]})
    return agency


@follow_up("hand_over")
def _hand_over(t):
    """A transfer to the other track: attached to the agency's open referral when it already holds the
    matter (a parallel referral), else a new linked referral. The file travels with it."""
    referral, complaint = t.entity, t.complaint
    track, kind, link = TRANSFERS[referral.track]
    agency = _target(t.data, kind, complaint)
    proposal = referral.approved_transfer
    if proposal is not None:
        proposal.state, proposal.sent_at = TransferState.sent, utcnow()
    existing = open_referral_to(complaint, agency)
    if existing is None:
        t.result = new_referral(complaint, t.actor, agency, track, referral.shared_evidence, message=t.reason,
                                parent=referral, link_kind=link)
    else:
        t.result = attach_supplement(existing, t.actor, SupplementKind.transfer, referral.shared_evidence,
                                     message=t.reason, source=referral, link_kind=link)
    t.params["to_agency"] = agency.name


def attach_supplement(referral, actor, kind, evidence, *, message=None, source=None, link_kind=None) -> Referral:
    """Material reaching a referral after it was sent: its files join those shared with the agency."""
    supplement = ReferralSupplement(referral_id=referral.id, kind=kind, source_referral_id=source.id if source else None,
                                    link_kind=link_kind, message=message, added_by_id=actor.id)
    db.session.add(supplement)
    db.session.flush()
    shared = {e.id for e in referral.shared_evidence}
    new = [e for e in evidence if e.id not in shared]
    for file in new:
        db.session.add(ReferralEvidence(referral_id=referral.id, evidence_id=file.id, supplement_id=supplement.id))
    referral.updated_at = utcnow()
    db.session.flush()
    db.session.expire(referral, ["shared_evidence"])
    payload = {"agency": referral.agency.name, "kind": kind.value, "evidence": [str(e.id) for e in new],
               "link_kind": link_kind.value if link_kind else None,
               "from_agency": source.agency.name if source is not None else None}
    record_event(referral.complaint, actor, "referral", trigger="supplemented", referral_id=referral.id,
                 reason=message, payload=payload)
    if new:
        tell_systems("referral.evidence_shared", referral, [referral.agency_id, referral.complaint.centre_id],
                     supplement_id=supplement.id, kind=kind.value, evidence_ids=[str(e.id) for e in new])
    if kind is SupplementKind.transfer:
        _restart_decision_clock(referral)
        tell(referral.complaint, "referral.transfer_attached", [referral.agency_id], agency=referral.agency.name,
             from_agency=source.agency.name, letter_number=referral.letter_number)
    return referral


def _restart_decision_clock(referral) -> None:
    """Order 310 art. 8: the police decide within 3 days of receiving a transferred case (T4). A transfer
    attached to a referral they already acknowledged starts that period again from its receipt; one not
    yet acknowledged starts it at acknowledgement (the row's own effect), and an opened case needs none."""
    if referral.state is not R.acknowledged:
        return
    codes = clocks.decision(referral)
    if not codes:
        return
    deadlines.cancel("referral", referral.id, codes)
    for code in codes:
        deadlines.open_deadline(code, subject_type="referral", subject_id=referral.id,
                                complaint_id=referral.complaint_id, responsible_org_id=referral.agency_id)
    sync_due(referral_machine, referral)


@follow_up("share_evidence")
def _share_evidence(t):
    """The centre sends further evidence of the complaint to a referral already sent."""
    referral = t.entity
    wanted = [str(e) for e in t.data.get("evidence_ids") or []]
    files = {str(e.id): e for e in db.session.scalars(
        select(EvidenceFile).where(EvidenceFile.complaint_id == t.complaint.id))}
    if any(e not in files for e in wanted):
        raise ValidationFailed({"evidence_ids": [_("These files are not evidence of this complaint.")]})
    shared = {str(e.id) for e in referral.shared_evidence}
    if all(e in shared for e in wanted):
        raise ValidationFailed({"evidence_ids": [_("These files were already sent to the agency.")]})
    attach_supplement(referral, t.actor, SupplementKind.evidence, [files[e] for e in wanted], message=t.reason)


@follow_up("record_preservation_application")
def _record_preservation_application(t):
    """The court recorded an application for preservation (its V2 clock opened beside it)."""
    db.session.add(PreservationApplication(referral_id=t.entity.id, kind=t.data["preservation_kind"],
                                           note=(t.reason or "").strip() or None, recorded_by_id=t.actor.id))
    db.session.flush()
    db.session.expire(t.entity, ["preservations"])


@follow_up("record_preservation_ruling")
def _record_preservation_ruling(t):
    """The court ruled on the pending application, granted or refused with its reasons (V2 met beside it)."""
    application = t.entity.pending_preservation
    application.ruling = t.data["preservation_ruling"]
    application.ruling_reasons = t.reason.strip()
    application.ruled_at, application.ruled_by_id = utcnow(), t.actor.id
    t.params["ruling"] = application.ruling.value
    db.session.flush()
    db.session.expire(t.entity, ["preservations"])


@follow_up("send_for_supervision")
def _send_for_supervision(t):
    agency = _target(t.data, OrgKind.procuratorate, t.complaint)
    t.result = new_referral(t.complaint, t.actor, agency, Track.criminal, t.entity.shared_evidence,
                            message=t.reason, parent=t.entity, link_kind=LinkKind.filing_supervision)


@follow_up("ask_police_to_explain")
def _ask_police_to_explain(t):
    """The procuratorate acknowledged a filing-supervision referral: the police have 7 days to explain (P1)."""
    referral = t.entity
    if referral.link_kind is LinkKind.filing_supervision:
        deadlines.open_deadline("P1", subject_type="referral", subject_id=referral.parent_id,
                                complaint_id=referral.complaint_id, responsible_org_id=referral.parent.agency_id)
        sync_due(referral_machine, referral.parent)


@follow_up("withdraw_referrals")
def _withdraw_referrals(t):
    """The complaint was withdrawn: each open referral ends as withdrawn (its clocks stop, the agency is told)."""
    for referral in db.session.scalars(select(Referral).where(Referral.complaint_id == t.complaint.id,
                                                              Referral.state.in_(OPEN_REFERRAL_STATES))).all():
        run(referral_machine, referral, "withdraw", t.actor, reason=t.reason, system=True)


@follow_up("cancel_consultations")
def _cancel_consultations(t):
    """The complaint was withdrawn: its consultations still under way are cancelled (the invited are told)."""
    cancellable = next(r for r in consultation_machine.rules if r.trigger == "cancel").sources
    for consultation in db.session.scalars(select(Consultation).where(
            Consultation.complaint_id == t.complaint.id, Consultation.state.in_(cancellable))).all():
        run(consultation_machine, consultation, "cancel", t.actor, reason=t.reason, system=True)


# --- notes and shared evidence ----------------------------------------------------------------------

def add_note(actor, referral: Referral, text: str, public: bool) -> ReferralNote:
    if not can_write_notes(actor, referral):
        raise NotFound()
    if referral.state not in OPEN_REFERRAL_STATES or referral.complaint.state in ENDED:
        raise Conflict(_("Progress notes are for open referrals."), state=referral.state.value,
                       allowed_triggers=allowed_triggers(referral, actor))
    if not (text or "").strip():
        raise ValidationFailed({"text": [_("Write the note.")]})
    note = ReferralNote(referral_id=referral.id, author=actor, text=text.strip(), public=public)
    db.session.add(note)
    referral.updated_at = utcnow()
    record_event(referral.complaint, actor, "note", referral_id=referral.id, reason=text.strip(), public=public,
                 payload={"agency": referral.agency.name})
    db.session.flush()
    tell_systems("referral.note_added", referral, [referral.agency_id, referral.complaint.centre_id],
                 note_id=note.id, public=bool(public))
    return note


def notes_for(actor, referral: Referral) -> list[ReferralNote]:
    """The notes this actor may read: all of them (can_read_internal_notes), else the public ones."""
    if not can_read_referral(actor, referral):
        raise NotFound()
    query = select(ReferralNote).where(ReferralNote.referral_id == referral.id)
    if not can_read_internal_notes(actor, referral):
        query = query.where(ReferralNote.public.is_(True))
    return db.session.scalars(query.order_by(ReferralNote.id)).all()


def supplements_for(actor, referral: Referral) -> list[ReferralSupplement]:
    """What reached the referral after it was sent (transfers attached, further evidence)."""
    if not can_read_referral(actor, referral):
        raise NotFound()
    return db.session.scalars(select(ReferralSupplement).where(ReferralSupplement.referral_id == referral.id)
                              .order_by(ReferralSupplement.id)).all()


def shared_evidence_for(actor, referral: Referral, evidence_id) -> EvidenceFile:
    """An evidence file the centre shared with this referral's agency (404 otherwise)."""
    if not can_download_shared_evidence(actor, referral):
        raise NotFound()
    for evidence in referral.shared_evidence:
        if str(evidence.id) == str(evidence_id):
            return evidence
    raise NotFound()

