"""The agency portal: the inbox of referrals and consultations, and the referral page with its actions.

An agency officer sees only what was referred to the organisation or what it is consulted on; the
services answer 404 for the rest. The actions are the referral machine's triggers, each with the
fields it needs, parsed with the API's schema.
"""
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from accounts.directory import agency_directory
from accounts.enums import AGENCY_ROLES, OrgKind
from core.confirm import confirmation_page
from core.errors import Conflict, ValidationFailed
from core.money import AmountError, format_money, parse_amount
from core.extensions import db
from core.http import form_version
from core.limits import page_arg
from core.pages import failure_status, load, only, posted
from core.pagination import Pages
from evidence.services import open_for_download
from intake.downloads import evidence_response
from intake.enums import Track
from intake.search import SearchArgs
from routing import appraisals, receipts, services, steps
from routing.enums import OPEN_REFERRAL_STATES, ConsultationState, ReferralState
from routing.outcomes import FIELD_NAMES, MONEY, decisions_for, outcome_errors, result_label
from routing.machines import referral_machine
from routing.schemas import AppraisalSchema, NoteSchema, ReferralTransitionSchema, StepSchema
from routing.presenters import LABELS, OUTCOME_FIELD_LABELS, REFERRAL_ACTION_LABELS, event_text, label_of

bp = Blueprint("agency", __name__, url_prefix="/agency")

PER_PAGE = 20
CLOSED_REFERRAL_STATES = [s for s in ReferralState if s not in OPEN_REFERRAL_STATES]
# Pending first: what the agency must do next, in the order it must do it.
TRANSFER_KIND = {Track.administrative: OrgKind.public_security, Track.criminal: OrgKind.market_regulation}


@bp.context_processor
def labels():
    return {**LABELS, "event_text": event_text, "label_of": label_of}


@bp.get("/inbox")
@login_required
def inbox():
    only(*AGENCY_ROLES)
    page, closed_page = page_arg("page"), page_arg("closed_page")
    try:  # the search box: the agency's own referrals only, of the complaints it finds (intake.search)
        q, errors = load(SearchArgs(), {"q": request.args.get("q", "")})["q"], {}
    except ValidationFailed as exc:
        q, errors = None, exc.errors
    pending = services.list_referrals(current_user, states=list(OPEN_REFERRAL_STATES), q=q,
                                      window=Pages(page, PER_PAGE))
    closed = services.list_referrals(current_user, states=CLOSED_REFERRAL_STATES, q=q,
                                     window=Pages(closed_page, PER_PAGE))
    (pending, pending_total), (closed, closed_total) = (pending.items, pending.total), (closed.items, closed.total)
    if errors:
        pending, pending_total, closed, closed_total = [], 0, [], 0
    consultations = services.list_consultations(current_user)
    open_states = (ConsultationState.convened, ConsultationState.opinions_due)
    return render_template(
        "agencies/inbox.html", due={r.id: r.agency_due_at for r in pending},
        pending=pending,  # the most urgent first: services.list_referrals orders by the agency's due time
        pending_total=pending_total,
        page=page, closed=closed, closed_total=closed_total, closed_page=closed_page, per_page=PER_PAGE,
        consultations=sorted(consultations, key=lambda c: c.state not in open_states),
        own_opinion={c.id: next((i for i in c.invitations if i.agency_id == current_user.organisation_id), None)
                     for c in consultations},
        q=request.args.get("q", "").strip() if errors else (q or ""), errors=errors,
    ), 422 if errors else 200


def _referral_page(referral_id, failure=None, form=None):
    if failure is not None:
        db.session.rollback()
    only(*AGENCY_ROLES)
    referral = services.get_visible_referral(current_user, referral_id)
    if failure is None:
        receipts.opened_by(referral, current_user)  # the agency's first look: a signed receipt, once
    transfer_kind = TRANSFER_KIND.get(referral.track)
    return render_template(
        "agencies/referral.html", referral=referral, complaint=referral.complaint,
        allowed=referral_machine.allowed_triggers(referral, current_user),
        steps=steps.allowed_steps(referral, current_user),
        STEP_LABELS={name: step.label for name, step in steps.STEPS.items()},
        notes=services.notes_for(current_user, referral),
        supplements=services.supplements_for(current_user, referral),
        appraisal_actions=appraisals.appraisal_actions(current_user, referral),
        can_add_note=services.can_write_notes(current_user, referral) and referral.state in OPEN_REFERRAL_STATES,
        own=services.can_download_shared_evidence(current_user, referral),
        outcome_results=[d.result for d in decisions_for(referral)],
        outcome_fields=list(dict.fromkeys(f for d in decisions_for(referral) for f in d.fields)),
        transfer_targets=agency_directory({transfer_kind}) if transfer_kind else [],
        failure=failure, errors=getattr(failure, "errors", {}) if failure else {}, form=form,
        values=request.form if failure is not None else {},
    ), failure_status(failure)


@bp.get("/referrals/<referral_id>")
@login_required
def referral_page(referral_id):
    return _referral_page(referral_id)


@bp.post("/referrals/<referral_id>/transitions")
@login_required
def transition(referral_id):
    only(*AGENCY_ROLES)
    referral = services.get_visible_referral(current_user, referral_id, for_update=True)
    trigger = request.form.get("trigger", "")
    data = posted("trigger", "reason", "officer_name", "case_number", "return_reason", "to_agency_id",
                  "preservation_kind", "preservation_ruling")  # the last two: a court's preservation rows
    outcome = posted("result", "summary", *FIELD_NAMES, prefix="outcome-")
    if trigger == "conclude":
        data["outcome"] = outcome  # even empty: the error names this agency's decisions (outcome.result)
    try:
        loaded = _load_transition(referral, data)
        if (trigger == "conclude" and trigger in referral_machine.allowed_triggers(referral, current_user)
                and (page := _confirm_conclusion(referral, loaded["outcome"])) is not None):
            return page  # nothing changed yet: the person confirms the conclusion on a page of its own
        result = services.transition_referral(current_user, referral, {**loaded, "version": form_version()})
    except (ValidationFailed, Conflict) as exc:
        return _referral_page(referral_id, exc, form=trigger)
    flash(_("Done: %(action)s.", action=REFERRAL_ACTION_LABELS.get(trigger, trigger)))
    if result.id != referral.id:  # a transfer: the new referral belongs to another agency
        flash(_("A linked referral %(number)s has been sent to %(agency)s.", number=result.letter_number,
                agency=result.agency.name))
    return redirect(url_for("agency.referral_page", referral_id=referral.id))


def _load_transition(referral, data):
    """The posted transition as the API's schema loads it; the amounts of an outcome read as people write them
    (core.money: "680,000", "68万"), and a conclusion's outcome checked for this agency's decisions, so that
    every field error is known before the confirmation is asked for."""
    errors, outcome = {}, data.get("outcome")
    for key in MONEY:
        if outcome and key in outcome:
            try:
                outcome[key] = str(parse_amount(outcome[key]))
            except AmountError as exc:
                errors[f"outcome.{key}"] = [str(exc)]
    try:
        loaded = load(ReferralTransitionSchema(), data)
    except ValidationFailed as exc:
        if data.get("trigger") == "conclude":  # the decisions of this agency, by their labels, before the schema's words
            errors = {**outcome_errors(referral, {k: v for k, v in (outcome or {}).items() if k not in MONEY}), **errors}
        raise ValidationFailed({**exc.errors, **errors}) from None
    if loaded["trigger"] == "conclude":
        errors.update(outcome_errors(referral, loaded["outcome"]))
    if errors:
        raise ValidationFailed(errors)
    return loaded


def _confirm_conclusion(referral, outcome):
    """The no-JS second step before concluding (irreversible): what will be recorded, in the person's words."""
    details = [_("Outcome: %(result)s", result=result_label(outcome.get("result")))]
    for key, label in OUTCOME_FIELD_LABELS.items():
        value = outcome.get(key)
        if value not in (None, ""):
            details.append(_("%(label)s: %(value)s", label=label, value=format_money(value) if key in MONEY else value))
    return confirmation_page(
        title=_("Conclude referral %(number)s?", number=referral.letter_number),
        message=_("The referral is concluded with this outcome; the centre and the enterprise are told."),
        button=REFERRAL_ACTION_LABELS["conclude"], details=details,
        cancel_url=url_for("agency.referral_page", referral_id=referral.id))


@bp.post("/referrals/<referral_id>/steps")
@login_required
def take_step(referral_id):
    """Order 310's and the Criminal Procedure Law's steps (report, approve or refuse a transfer, ...)."""
    only(*AGENCY_ROLES)
    referral = services.get_visible_referral(current_user, referral_id, for_update=True)
    name = request.form.get("step", "")
    try:
        data = load(StepSchema(), posted("step", "reason"))
        steps.take_step(current_user, referral, data["step"], data.get("reason"))
    except (ValidationFailed, Conflict) as exc:
        return _referral_page(referral_id, exc, form=name)
    flash(_("Done: %(action)s.", action=steps.STEPS[name].label))
    return redirect(url_for("agency.referral_page", referral_id=referral.id))


@bp.post("/referrals/<referral_id>/appraisal")
@login_required
def record_appraisal(referral_id):
    """An appraisal (鉴定) requested or returned: the agency's decision or handling clock stops or runs again."""
    only(*AGENCY_ROLES)
    referral = services.get_visible_referral(current_user, referral_id, for_update=True)
    try:
        data = load(AppraisalSchema(), posted("action", "note"))
        appraisals.record_appraisal(current_user, referral, data["action"], data.get("note"))
    except (ValidationFailed, Conflict) as exc:
        return _referral_page(referral_id, exc, form="appraisal")
    flash(_("The appraisal is recorded: the time limit is paused.") if data["action"] == "requested"
          else _("The appraisal's return is recorded: the time limit runs again."))
    return redirect(url_for("agency.referral_page", referral_id=referral.id))


@bp.post("/referrals/<referral_id>/notes")
@login_required
def add_note(referral_id):
    only(*AGENCY_ROLES)
    referral = services.get_visible_referral(current_user, referral_id)
    try:
        data = load(NoteSchema(), {**posted("text"), "public": request.form.get("public") == "on"})
        services.add_note(current_user, referral, data["text"], data["public"])
    except (ValidationFailed, Conflict) as exc:
        return _referral_page(referral_id, exc, form="note")
    flash(_("The progress note has been added."))
    return redirect(url_for("agency.referral_page", referral_id=referral.id))


@bp.get("/referrals/<referral_id>/evidence/<evidence_id>")
@login_required
def download_evidence(referral_id, evidence_id):
    only(*AGENCY_ROLES)
    referral = services.get_visible_referral(current_user, referral_id)
    evidence = services.shared_evidence_for(current_user, referral, evidence_id)
    return evidence_response(evidence, open_for_download(evidence, current_user))
