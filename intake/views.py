"""The enterprise portal: my complaints, the complaint form, evidence, submission, withdrawal."""
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from marshmallow import ValidationError

from core.confirm import confirmation_page
from core.errors import DomainError, PayloadTooLarge, UnsupportedMediaType, ValidationFailed, flatten_errors
from core.extensions import db
from core.http import form_version
from core.limits import accepts_files, page_arg
from core.pages import load
from core.pagination import Pages
from routing import services as routing
from routing.enums import OPEN_REFERRAL_STATES, OUTCOME_LABELS, REFERRAL_STATE_LABELS
from routing.machines import complaint_machine
from routing.schemas import SupplementSchema
from routing.presenters import OUTCOME_FIELD_LABELS, event_text as routing_event_text, label_of

from . import enums, services
from .downloads import evidence_response
from .presenters import (FIELD_LABELS, INFRINGER_FIELD_LABELS, act_label, form_error_labels, remedy_label,
                         track_choice_label, yes_no_unknown)
from .forms import (ADD_INFRINGER, LIST_FIELDS, REMOVE_INFRINGER, SUBMIT, draft_data_from_form, form_action,
                    form_values, raw_form_values)
from .schemas import MAX_INFRINGERS, ComplaintDraftSchema, WithdrawSchema
from .search import SearchArgs

bp = Blueprint("intake", __name__, url_prefix="/complaints")

LABELS = dict(
    STATE_LABELS=enums.COMPLAINT_STATE_LABELS, SECRET_CATEGORY_LABELS=enums.SECRET_CATEGORY_LABELS,
    INFRINGER_KIND_LABELS=enums.INFRINGER_KIND_LABELS, INFRINGING_ACT_LABELS=enums.INFRINGING_ACT_LABELS,
    REMEDY_LABELS=enums.REMEDY_LABELS, TRACK_LABELS=enums.TRACK_LABELS, CENTRE_DECIDES=enums.CENTRE_DECIDES,
    act_label=act_label, remedy_label=remedy_label, event_text=routing_event_text,
    REFERRAL_STATE_LABELS=REFERRAL_STATE_LABELS, OUTCOME_LABELS=OUTCOME_LABELS,
    OUTCOME_FIELD_LABELS=OUTCOME_FIELD_LABELS, label_of=label_of, track_choice_label=track_choice_label,
    yes_no_unknown=yes_no_unknown, FIELD_LABELS=FIELD_LABELS, INFRINGER_FIELD_LABELS=INFRINGER_FIELD_LABELS,
    can_file_complaints=services.can_file_complaints,
)


@bp.context_processor
def labels():
    return LABELS


def _form_page(complaint, values, errors, status=200, *, saved=False, submit_refused=False, extra_rows=0):
    """The complaint form: rows for the infringers typed so far (at least one, ``extra_rows`` more when the
    person asked for another), and at the top the summary of every field to put right."""
    rows = min(max(len(values.get("infringers") or []) + extra_rows, 1), MAX_INFRINGERS)
    return render_template("intake/form.html", complaint=complaint, values=values, errors=errors,
                           infringer_rows=rows, max_infringers=MAX_INFRINGERS, saved=saved,
                           submit_refused=submit_refused, error_labels=form_error_labels(errors)), status


def _by_field(errors):
    """A wrong box of a list of boxes ("preferred_tracks.1") is an error of the list: one message per field,
    under the boxes and linked from the summary."""
    merged = {}
    for key, messages in errors.items():
        base, _dot, rest = key.partition(".")
        key = base if base in LIST_FIELDS and rest.isdigit() else key.removesuffix("._schema")  # a row's own
        merged.setdefault(key, [])
        merged[key].extend(m for m in messages if m not in merged[key])
    return merged


def _parse_draft():
    """(data, None) or (None, every error of the form at once: the amounts' and the schema's)."""
    data, errors = draft_data_from_form(request.form)
    try:
        loaded = ComplaintDraftSchema().load(data)
    except ValidationError as exc:
        errors = {**errors, **_by_field(flatten_errors(exc.messages))}
        loaded = None
    return (None, errors) if errors else (loaded, None)


def _after_save(complaint):
    """Where a saved form goes: back to the form with one more infringer row, or with the same rows less the
    removed one, or to the complaint (saved, or saved and submitted by the caller)."""
    action = form_action(request.form)
    flash(_("Draft saved."))
    if action in (ADD_INFRINGER, REMOVE_INFRINGER):
        add = {"add": 1} if action == ADD_INFRINGER else {}
        return redirect(url_for("intake.edit_complaint", complaint_id=complaint.id, **add) + "#infringers")
    return redirect(url_for("intake.show_complaint", complaint_id=complaint.id))


def _refused_form(complaint, errors):
    extra = 1 if form_action(request.form) == ADD_INFRINGER else 0
    return _form_page(complaint, raw_form_values(request.form), errors, 422, extra_rows=extra)


def _save_and_submit(complaint):
    """The edit form's "save and submit": the draft is saved whatever happens; when it is not complete yet the
    form shows what is missing (200: the save is kept), else the complaint is submitted."""
    try:
        with db.session.begin_nested():
            routing.submit_complaint(current_user, complaint)
    except ValidationFailed as exc:
        complaint = services.get_visible_complaint(current_user, complaint.id)
        return _form_page(complaint, form_values(complaint), exc.errors, saved=True, submit_refused=True)
    flash(_("Submitted. Your reference number is %(reference)s.", reference=complaint.reference))
    return redirect(url_for("intake.show_complaint", complaint_id=complaint.id))


@bp.get("/")
@login_required
def list_complaints():
    page = page_arg()
    try:
        q = load(SearchArgs(), {"q": request.args.get("q", "")})["q"]
    except ValidationFailed as exc:
        return render_template("intake/list.html", complaints=[], total=0, page=1, per_page=20, q=request.args.get("q", ""),
                               errors=exc.errors), 422
    found = services.list_complaints(current_user, q=q, window=Pages(page, 20))
    return render_template("intake/list.html", complaints=found.items, total=found.total, page=page, per_page=20, q=q or "",
                           errors={})


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new_complaint():
    services.require_filer(current_user)  # staff see no form they could not send (403, like the POST)
    if request.method == "GET":
        org = current_user.organisation
        values = {"contact_name": org.contact_person, "contact_phone": org.phone, "contact_email": org.email,
                  "infringers": []}
        return _form_page(None, values, {})
    data, errors = _parse_draft()
    if errors:
        return _refused_form(None, errors)
    try:
        complaint = services.create_draft(current_user, data)
    except ValidationFailed as exc:  # a fact checked against the others (a penalty after the infringement)
        db.session.rollback()
        return _refused_form(None, exc.errors)
    if form_action(request.form) == SUBMIT:
        return _save_and_submit(complaint)
    return _after_save(complaint)


@bp.route("/<complaint_id>/edit", methods=["GET", "POST"])
@login_required
def edit_complaint(complaint_id):
    complaint = services.get_visible_complaint(current_user, complaint_id)
    if request.method == "GET":
        if complaint.state is not enums.ComplaintState.draft or complaint.enterprise_id != current_user.organisation_id:
            flash(_("Only a draft can be edited; this complaint has been submitted."))  # a POST answers 409
            return redirect(url_for("intake.show_complaint", complaint_id=complaint.id))
        return _form_page(complaint, form_values(complaint), {}, extra_rows=1 if request.args.get("add") else 0)
    data, errors = _parse_draft()
    if errors:
        return _refused_form(complaint, errors)
    try:
        services.update_draft(current_user, complaint, data, expected_version=form_version())
    except ValidationFailed as exc:
        db.session.rollback()
        return _refused_form(services.get_visible_complaint(current_user, complaint_id), exc.errors)
    if form_action(request.form) == SUBMIT:
        return _save_and_submit(complaint)
    return _after_save(complaint)


def _detail(complaint, errors=None, status=200, *, error_form=None):
    """The complaint page; ``errors`` belong to the one form named by ``error_form`` (evidence, supplement,
    withdraw) and are shown under that form only."""
    referrals = routing.list_referrals(current_user, complaint_id=complaint.id, window=Pages(per_page=100)).items
    return render_template(
        "intake/detail.html", complaint=complaint, errors=errors or {}, error_form=error_form,
        referrals=[(r, routing.notes_for(current_user, r)) for r in sorted(referrals, key=lambda r: r.letter_number)],
        values=request.form if errors else {},
        events=services.timeline(current_user, complaint),
        evidence=services.list_evidence(current_user, complaint) if services.can_see_evidence(current_user, complaint) else [],
        allowed=complaint_machine.allowed_triggers(complaint, current_user),
        can_add_evidence=services.can_add_evidence(current_user, complaint),
        added_later=services.added_later,
        # what a withdrawal ends (routing's withdraw_referrals: every open referral)
        open_referrals=[r for r in referrals if r.state in OPEN_REFERRAL_STATES],
    ), status


@bp.get("/<complaint_id>")
@login_required
def show_complaint(complaint_id):
    return _detail(services.get_visible_complaint(current_user, complaint_id))


@bp.post("/<complaint_id>/submit")
@login_required
def submit(complaint_id):
    complaint = services.get_visible_complaint(current_user, complaint_id)
    try:
        routing.submit_complaint(current_user, complaint, expected_version=form_version())
    except ValidationFailed as exc:
        db.session.rollback()
        complaint = services.get_visible_complaint(current_user, complaint_id)
        return _form_page(complaint, form_values(complaint), exc.errors, 422, saved=True, submit_refused=True)
    flash(_("Submitted. Your reference number is %(reference)s.", reference=complaint.reference))
    return redirect(url_for("intake.show_complaint", complaint_id=complaint.id))


def _withdraw_confirmation(complaint, reason):
    """The no-JavaScript second step of a withdrawal (None once confirmed): what it ends, and the reason."""
    if 'withdraw' not in complaint_machine.allowed_triggers(complaint, current_user):
        return None  # the machine refuses it with 409 and the allowed actions: nothing to confirm
    referrals = routing.list_referrals(current_user, complaint_id=complaint.id, window=Pages(per_page=100)).items
    ended = [_("%(agency)s, letter %(number)s (%(state)s)", agency=r.agency.name, number=r.letter_number,
               state=REFERRAL_STATE_LABELS.get(r.state, ""))
             for r in sorted(referrals, key=lambda r: r.letter_number) if r.state in OPEN_REFERRAL_STATES]
    return confirmation_page(
        title=_("Withdraw complaint %(reference)s?", reference=complaint.reference),
        message=(_("The centre stops working on your complaint, and these open referrals end: the agencies are "
                   "told and can do nothing more on them.") if ended
                 else _("The centre stops working on your complaint.")),
        button=_("Withdraw the complaint"),
        cancel_url=url_for("intake.show_complaint", complaint_id=complaint.id),
        details=[*ended, _("Your reason: %(reason)s", reason=reason)])


@bp.post("/<complaint_id>/withdraw")
@login_required
def withdraw(complaint_id):
    complaint = services.get_visible_complaint(current_user, complaint_id)
    try:
        try:
            reason = WithdrawSchema().load({"reason": request.form.get("reason", "")})["reason"]
        except ValidationError as exc:
            raise ValidationFailed(flatten_errors(exc.messages)) from None
        if (page := _withdraw_confirmation(complaint, reason)) is not None:
            return page
        routing.withdraw_complaint(current_user, complaint, reason,
                                   expected_version=form_version())
    except ValidationFailed as exc:
        db.session.rollback()
        return _detail(services.get_visible_complaint(current_user, complaint_id), exc.errors, 422,
                       error_form="withdraw")
    flash(_("The complaint has been withdrawn."))
    return redirect(url_for("intake.show_complaint", complaint_id=complaint.id))


@bp.post("/<complaint_id>/evidence")
@login_required
@accepts_files
def upload_evidence(complaint_id):
    complaint = services.get_visible_complaint(current_user, complaint_id)
    try:
        stored = services.add_evidence(current_user, complaint, request.files.getlist("file"))
    except DomainError as exc:
        db.session.rollback()
        complaint = services.get_visible_complaint(current_user, complaint_id)
        errors = getattr(exc, "errors", None) or {"file": [str(exc.message)]}
        return _detail(complaint, errors, exc.status, error_form="evidence")
    flash(_("%(count)d file(s) stored, encrypted.", count=len(stored)))
    return redirect(url_for("intake.show_complaint", complaint_id=complaint.id))


@bp.get("/<complaint_id>/evidence/<evidence_id>")
@login_required
def download_evidence(complaint_id, evidence_id):
    complaint = services.get_visible_complaint(current_user, complaint_id)
    return evidence_response(*services.evidence_for_download(current_user, complaint, evidence_id))


@bp.post("/<complaint_id>/supplements")
@login_required
@accepts_files
def supply_info(complaint_id):
    """The enterprise answers a request for supplements: the files first, then the text resumes triage."""
    complaint = services.get_visible_complaint(current_user, complaint_id, for_update=True)
    try:
        data = SupplementSchema().load({"text": request.form.get("text", "")})
        uploads = [f for f in request.files.getlist("file") if f and f.filename]
        if uploads:  # stored files are deleted again if anything below fails (the vault's rollback hook)
            services.add_evidence(current_user, complaint, uploads)
        routing.supply_info(current_user, complaint, data["text"], expected_version=form_version())
    except (ValidationError, DomainError) as exc:
        db.session.rollback()
        complaint = services.get_visible_complaint(current_user, complaint_id)
        if isinstance(exc, ValidationError):
            return _detail(complaint, flatten_errors(exc.messages), 422, error_form="supplement")
        where = "file" if isinstance(exc, (UnsupportedMediaType, PayloadTooLarge)) else "supplement"
        errors = getattr(exc, "errors", None) or {where: [str(exc.message)]}
        return _detail(complaint, errors, exc.status, error_form="supplement")
    flash(_("Thank you: the centre has your supplements and resumes its review."))
    return redirect(url_for("intake.show_complaint", complaint_id=complaint.id))
