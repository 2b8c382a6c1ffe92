"""The centre's pages: the queue, the triage page (actions, routing suggestion, referrals,
consultations), the consultation page shared with the agencies, and the referral letter.

Views are thin: they read the form into the dict the API's schema loads, call one service, and
redirect; a refused or invalid request re-renders the page with what went wrong (422 with the
fields, 409 with the actions allowed now). Access is the services' business: 404 for anything of
another organisation.
"""
from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from accounts.directory import agency_directory
from accounts.enums import AGENCY_ROLES, OrgKind, Role
from core.confirm import confirmation_page
from core.errors import Conflict, ValidationFailed
from core.extensions import db
from core.http import form_version
from core.limits import page_arg
from core.pages import failure_status, load, local_to_utc, only, posted
from core.pagination import Pages
from intake import services as intake
from intake.enums import COMPLAINT_STATE_LABELS, ComplaintState

from . import enums, letters, services, supervision
from .machines import complaint_machine, consultation_machine
from .presenters import (COMPLAINT_ACTION_LABELS, CONSULTATION_ACTION_LABELS, LABELS, REFERRAL_ACTION_LABELS,
                         event_text, label_of)
from .queue import HIDDEN_BY_DEFAULT, centre_queue, short_time, state_counts, urgency
from .schemas import (CLERK_TRIGGERS, ComplaintTransitionSchema, ConsultationTransitionSchema, ConveneSchema,
                      CreateReferralsSchema, FurtherEvidenceSchema, FurtherInstructionsSchema, GuidanceSchema,
                      LiftSupervisionSchema, OpinionSchema, QueuePageArgsSchema, ReferralTransitionSchema, RerouteSchema,
                      SupervisionReportSchema, SuperviseSchema)

bp = Blueprint("centre", __name__)

REFERABLE_STATES = frozenset({ComplaintState.accepted, ComplaintState.referred, ComplaintState.in_progress})
OPEN_CONSULTATION_STATES = frozenset({enums.ConsultationState.convened, enums.ConsultationState.opinions_due})
MAX_REFERRAL_ROWS = 10
MINUTES_REFERRAL_ROWS = 2  # the referrals the minutes of a consultation may decide at once
EXTRA_REFERRAL_ROWS = 2


@bp.context_processor
def labels():
    return {**LABELS, "event_text": event_text, "label_of": label_of}


# --- the queue -------------------------------------------------------------------------------------

QUEUE_FILTERS = ("q", "track", "district", "infringer", "key_case", "overdue", "include_closed", "holder", "sort",
                 "desc", "page", "per_page")


def _queue_url(args, **changes):
    """The queue's URL with these arguments changed (None: left out); a change of filter starts at page 1."""
    query = args.to_dict(flat=False)
    query.pop("page", None)
    for name, value in changes.items():
        if value is None:
            query.pop(name, None)
        else:
            query[name] = value if isinstance(value, list) else [str(value)]
    return url_for("centre.queue", **query)


def _queue_tabs(args, counts):
    """The state tabs: open work (the default), each state with complaints, then everything."""
    chosen = args.getlist("state")
    everything = args.get("include_closed") == "true" and not chosen
    open_count = sum(n for s, n in counts.items() if s not in HIDDEN_BY_DEFAULT)
    tabs = [{"label": _("Open cases"), "count": open_count, "url": _queue_url(args, state=None, include_closed=None),
             "current": not chosen and not everything, "key": "open"}]
    for state in ComplaintState:
        if state is ComplaintState.draft or not counts.get(state):
            continue
        tabs.append({"label": COMPLAINT_STATE_LABELS[state], "count": counts[state], "key": state.value,
                     "url": _queue_url(args, state=state.value, include_closed=None), "current": chosen == [state.value]})
    tabs.append({"label": _("All, closed and withdrawn too"), "count": sum(counts.values()), "key": "all",
                 "url": _queue_url(args, state=None, include_closed="true"), "current": everything})
    return tabs


def _queue_page(status=200, **context):
    return render_template("routing/queue.html", urgency=urgency, short_time=short_time, queue_url=_queue_url,
                           **context), status


@bp.get("/centre/queue")
@login_required
def queue():
    only(Role.clerk, Role.supervisor)
    args = {name: request.args.get(name, "").strip() for name in QUEUE_FILTERS}
    args = {k: v for k, v in args.items() if v}
    states = [s for s in request.args.getlist("state") if s]
    if states:
        args["state"] = states
    try:
        filters = load(QueuePageArgsSchema(), args)
    except ValidationFailed as exc:
        return _queue_page(422, complaints=[], total=0, exact=True, page=1, per_page=20, errors=exc.errors,
                           args=request.args, page_url=None, tabs=[], sort="due", desc=False)
    page_numbers = Pages(filters.pop("page"), filters.pop("per_page"))
    found = centre_queue(current_user, **filters, window=page_numbers)
    items, total, exact = found.items, found.total, found.total_is_exact
    counts = state_counts(current_user, **filters)

    def page_url(number):
        query = request.args.to_dict(flat=False)
        query["page"] = [str(number)]
        return url_for("centre.queue", **query)

    return _queue_page(complaints=items, total=total, exact=exact, page=page_numbers.page,
                       per_page=page_numbers.per_page,
                       errors={}, args=request.args, page_url=page_url, tabs=_queue_tabs(request.args, counts),
                       sort=filters["sort"], desc=filters["desc"])


# --- the triage page -------------------------------------------------------------------------------

def _suggested_rows(suggestion, evidence, referrals=()):
    """The referral form's rows: the suggestions of tracks and agencies not referred yet (the form is clear after
    sending, whichever agency the clerk chose for a suggested track; a referral that came back has its own
    re-routing form), then empty rows."""
    agencies, tracks = {str(r.agency_id) for r in referrals}, {r.track.value for r in referrals}
    rows = []
    for item in suggestion["suggestions"]:
        track = getattr(item["track"], "value", item["track"])
        if track in tracks or (item["agency"] and str(item["agency"]["id"]) in agencies):
            continue
        rows.append({"suggested": True, "track": item["track"],
                     "agency_id": item["agency"]["id"] if item["agency"] else "",
                     "evidence_ids": [str(e.id) for e in evidence], "message": "", "reasons": item["reasons"],
                     "civil_route": ""})
    rows += _empty_rows(EXTRA_REFERRAL_ROWS)
    return rows[:MAX_REFERRAL_ROWS]


def _posted_rows():
    """The rows of the referral form as posted (index, values); a row with an agency chosen is sent."""
    rows = []
    for i in range(MAX_REFERRAL_ROWS):
        prefix = f"referrals-{i}-"
        if prefix + "track" not in request.form:
            continue
        rows.append({"index": i, "suggested": request.form.get(prefix + "suggested") == "1",
                     "track": request.form.get(prefix + "track", "").strip(),
                     "agency_id": request.form.get(prefix + "agency_id", "").strip(),
                     "evidence_ids": request.form.getlist(prefix + "evidence_ids"),
                     "message": request.form.get(prefix + "message", "").strip(), "reasons": [],
                     "civil_route": request.form.get(prefix + "civil_route", "").strip()})  # a court's (civil procedure)
    return rows


def _referral_items(rows):
    """The posted rows with an agency chosen, and the referral items they ask for (CreateReferralsSchema's)."""
    sent = [r for r in rows if r["agency_id"]]
    items = [{"agency_id": r["agency_id"], "track": r["track"], "evidence_ids": r["evidence_ids"],
              **({"message": r["message"]} if r["message"] else {}),
              **({"civil_route": r["civil_route"]} if r["civil_route"] else {})} for r in sent]
    return sent, items


def _empty_rows(count):
    return [{"suggested": False, "track": "", "agency_id": "", "evidence_ids": [], "message": "", "reasons": [],
             "civil_route": ""} for _i in range(count)]


def _track_kinds():
    return {t.value: sorted(k.value for k in kinds) for t, kinds in services.TRACK_AGENCY_KINDS.items()}


def _triage_page(complaint_id, failure=None, form=None, rows=None):
    if failure is not None:
        db.session.rollback()
    only(Role.clerk, Role.supervisor)
    actor = current_user
    complaint = intake.get_visible_complaint(actor, complaint_id)
    events = intake.timeline(actor, complaint)
    evidence = intake.list_evidence(actor, complaint) if intake.can_see_evidence(actor, complaint) else []
    suggestion = services.routing_suggestion(actor, complaint)
    referrals = services.list_referrals(actor, complaint_id=complaint.id, window=Pages(per_page=100)).items
    referrals = sorted(referrals, key=lambda r: r.letter_number)  # in the order they were sent
    consultation_ids = list(dict.fromkeys(e.consultation_id for e in events if e.consultation_id))
    is_own_clerk = actor.role is Role.clerk and complaint.centre_id == actor.organisation_id
    return render_template(
        "routing/triage.html", complaint=complaint, events=events, evidence=evidence, suggestion=suggestion,
        referrals=[(r, services.referral_triggers(r, actor), services.notes_for(actor, r)) for r in referrals],
        **_follow_up_context(actor, referrals, evidence), added_later=intake.added_later,
        consultations=[services.get_visible_consultation(actor, c) for c in consultation_ids],
        allowed=[t for t in complaint_machine.allowed_triggers(complaint, actor) if t in CLERK_TRIGGERS],
        can_refer=is_own_clerk and complaint.state in REFERABLE_STATES,
        can_convene=complaint.state not in (ComplaintState.draft, ComplaintState.rejected, ComplaintState.withdrawn,
                                            ComplaintState.closed),
        rows=rows if rows is not None else _suggested_rows(suggestion, evidence, referrals),
        agencies=agency_directory(), procuratorates=agency_directory({OrgKind.procuratorate}),
        track_kinds=_track_kinds(),
        supervision=supervision.readable_supervision(actor, complaint),
        earlier_supervisions=supervision.earlier_supervisions(actor, complaint),
        can_supervise=supervision.can_supervise(actor, complaint),
        can_report_on_supervision=supervision.can_report_on_supervision(actor, complaint),
        can_instruct_supervision=supervision.can_instruct_supervision(actor, complaint),
        can_lift_supervision=supervision.can_lift_supervision(actor, complaint),
        is_own_clerk=is_own_clerk,
        failure=failure, errors=getattr(failure, "errors", {}) if failure else {}, form=form,
        values=request.form if failure is not None else {},
    ), failure_status(failure)


@bp.get("/centre/complaints/<complaint_id>")
@login_required
def triage_page(complaint_id):
    return _triage_page(complaint_id)


@bp.post("/centre/complaints/<complaint_id>/transitions")
@login_required
def triage(complaint_id):
    only(Role.clerk, Role.supervisor)
    complaint = intake.get_visible_complaint(current_user, complaint_id, for_update=True)
    trigger = request.form.get("trigger", "")
    try:
        data = {**load(ComplaintTransitionSchema(), posted("trigger", "message", "due_date", "reason_code")),
                "version": form_version()}
        if trigger in IRREVERSIBLE and trigger in complaint_machine.allowed_triggers(complaint, current_user):
            page = confirmation_page(
                title=_("Close complaint %(reference)s?", reference=complaint.reference),
                message=_("The complaint is closed: nothing more can be done on it, and its clocks stop."),
                button=COMPLAINT_ACTION_LABELS[trigger],
                cancel_url=url_for("centre.triage_page", complaint_id=complaint.id))
            if page is not None:
                return page  # nothing changed yet: the clerk confirms on a page of its own (no JavaScript)
        services.triage(current_user, complaint, data)
    except (ValidationFailed, Conflict) as exc:
        return _triage_page(complaint_id, exc, form=trigger)
    flash(_("Done: %(action)s.", action=COMPLAINT_ACTION_LABELS.get(trigger, trigger)))
    return redirect(url_for("centre.triage_page", complaint_id=complaint.id))


IRREVERSIBLE = frozenset({"close"})  # of the complaint's triggers on this page: asked for confirmation first


def _remap_rows(errors, sent):
    """Errors of the k-th referral sent -> the form row it came from (rows left empty are not sent)."""
    remapped = {}
    for key, messages in errors.items():
        parts = key.split(".")
        if parts[0] == "referrals" and len(parts) > 2 and parts[1].isdigit() and int(parts[1]) < len(sent):
            parts[1] = str(sent[int(parts[1])]["index"])
        remapped[".".join(parts)] = messages
    return remapped


@bp.post("/centre/complaints/<complaint_id>/referrals")
@login_required
def create_referrals(complaint_id):
    only(Role.clerk)
    complaint = intake.get_visible_complaint(current_user, complaint_id, for_update=True)
    rows = _posted_rows()
    sent, items = _referral_items(rows)
    try:
        data = load(CreateReferralsSchema(), {"referrals": items})
        referrals = services.create_referrals(current_user, complaint, data["referrals"],
                                              expected_version=form_version())
    except ValidationFailed as exc:
        return _triage_page(complaint_id, ValidationFailed(_remap_rows(exc.errors, sent), exc.message),
                            form="referrals", rows=rows)
    except Conflict as exc:
        return _triage_page(complaint_id, exc, form="referrals", rows=rows)
    flash(_("%(count)d referral(s) sent, each with its letter.", count=len(referrals)))
    return redirect(url_for("centre.triage_page", complaint_id=complaint.id))


@bp.post("/centre/referrals/<referral_id>/transitions")
@login_required
def referral_transition(referral_id):
    """The centre's trigger on a referral: filing supervision of a declined criminal referral."""
    only(Role.clerk)
    referral = services.get_visible_referral(current_user, referral_id, for_update=True)
    complaint_id = referral.complaint_id
    try:
        data = {**load(ReferralTransitionSchema(), posted("trigger", "reason", "to_agency_id")),
                "version": form_version()}
        services.transition_referral(current_user, referral, data)
    except (ValidationFailed, Conflict) as exc:
        return _triage_page(complaint_id, exc, form=f"referral-{referral_id}")
    flash(_("Done: %(action)s.", action=REFERRAL_ACTION_LABELS.get(data["trigger"], data["trigger"])))
    return redirect(url_for("centre.triage_page", complaint_id=complaint_id))


@bp.post("/centre/complaints/<complaint_id>/consultations")
@login_required
def convene(complaint_id):
    only(Role.clerk, Role.supervisor)
    complaint = intake.get_visible_complaint(current_user, complaint_id)
    data = posted("meeting_at", "opinion_due_at")
    data = {k: local_to_utc(v) for k, v in data.items()}
    data.update(posted("due_reason"))
    data["questions"] = [q.strip() for q in request.form.get("questions", "").splitlines() if q.strip()]
    data["agency_ids"] = [a for a in request.form.getlist("agency_ids") if a]
    try:
        consultation = services.convene(current_user, complaint, load(ConveneSchema(), data))
    except (ValidationFailed, Conflict) as exc:
        return _triage_page(complaint_id, exc, form="convene")
    flash(_("The consultation has been convened; the invited agencies see it in their inbox."))
    return redirect(url_for("centre.consultation_page", consultation_id=consultation.id))


def _supervision_action(complaint_id, schema, field, action, form, done, *, for_update=False, confirm=None):
    """One action of the key-case supervision from the triage page: the field's text to the service; errors
    on the same page, under the action's form. ``confirm(complaint)``: an irreversible action's confirmation
    page (None when the action may not be taken now: the service answers)."""
    complaint = intake.get_visible_complaint(current_user, complaint_id, for_update=for_update)
    try:
        data = load(schema, posted(field))
        if confirm is not None and (page := confirm(complaint)) is not None:
            return page
        action(current_user, complaint, data[field])
    except (ValidationFailed, Conflict) as exc:
        return _triage_page(complaint_id, exc, form=form)
    flash(done)
    return redirect(url_for("centre.triage_page", complaint_id=complaint.id))


@bp.post("/centre/complaints/<complaint_id>/supervision")
@login_required
def supervise(complaint_id):
    only(Role.supervisor)
    return _supervision_action(complaint_id, SuperviseSchema(), "instructions", supervision.supervise, "supervise",
                               _("The complaint is supervised as a key case; the centre has been told."),
                               for_update=True)


@bp.post("/centre/complaints/<complaint_id>/supervision/reports")
@login_required
def report_on_supervision(complaint_id):
    only(Role.clerk)
    return _supervision_action(complaint_id, SupervisionReportSchema(), "text", supervision.report_on_supervision,
                               "report", _("Your report has been sent to the supervisor office."))


@bp.post("/centre/complaints/<complaint_id>/supervision/instructions")
@login_required
def add_supervision_instructions(complaint_id):
    only(Role.supervisor)
    return _supervision_action(complaint_id, FurtherInstructionsSchema(), "instructions", supervision.add_instructions,
                               "instruct", _("Your instructions have been sent to the centre."))


@bp.post("/centre/complaints/<complaint_id>/supervision/lift")
@login_required
def lift_supervision(complaint_id):
    only(Role.supervisor)
    return _supervision_action(complaint_id, LiftSupervisionSchema(), "closing_note", supervision.lift_supervision,
                               "lift", _("The supervision is lifted; the centre has been told."), for_update=True,
                               confirm=_confirm_lift)


def _confirm_lift(complaint):
    if not supervision.can_lift_supervision(current_user, complaint):
        return None
    return confirmation_page(
        title=_("Lift the supervision of %(reference)s?", reference=complaint.reference),
        message=_("The key-case supervision ends with your closing note; the centre reports no more."),
        button=_("Lift the supervision"), details=[request.form.get("closing_note", "").strip()],
        cancel_url=url_for("centre.triage_page", complaint_id=complaint.id))


# --- after a return or decline: re-routing, further evidence, guidance (issue 8, points 6 and 10) --------
# The buttons come from the named predicates and the machines' allowed triggers; the services decide.

def _not_in(evidence, ids):
    return [e for e in evidence if e.id not in ids]


def _follow_up_context(actor, referrals, evidence) -> dict:
    """What the referrals' follow-up forms need: which referral may be re-routed, the files not yet sent."""
    return {
        "reroutable": {r.id for r in referrals if services.can_reroute(actor, r)},
        "unshared": {r.id: _not_in(evidence, {s.id for s in r.shared_evidence}) for r in referrals},
        "followed_by": {r.parent_id: r for r in referrals if r.parent_id is not None},
    }


def _confirmed(errors=None) -> dict:
    """An irreversible action asks for the box "I confirm" to be ticked (no JavaScript needed)."""
    errors = dict(errors or {})
    if request.form.get("confirm") != "yes":
        errors["confirm"] = [_("Tick the box to confirm.")]
    return errors


def _load_confirmed(schema, data):
    """The schema's field errors and the missing confirmation together, in one answer."""
    try:
        loaded = load(schema, data)
        errors = {}
    except ValidationFailed as exc:
        loaded, errors = None, exc.errors
    errors = _confirmed(errors)
    if errors:
        raise ValidationFailed(errors)
    return loaded


@bp.post("/centre/referrals/<referral_id>/reroute")
@login_required
def reroute(referral_id):
    """Re-refer a returned or declined referral: the new referral is linked to it (``reroute``)."""
    only(Role.clerk)
    returned = services.get_visible_referral(current_user, referral_id)
    complaint = intake.get_visible_complaint(current_user, returned.complaint_id, for_update=True)
    form = f"reroute-{returned.id}"
    data = {**posted("version", "track", "agency_id", "message", "civil_route"),
            "evidence_ids": request.form.getlist("evidence_ids")}
    try:
        data = load(RerouteSchema(), data)
        item = {"agency_id": data["agency_id"], "track": data["track"], "evidence_ids": data["evidence_ids"],
                "message": data["message"], "civil_route": data["civil_route"], "reroute_of": returned.id}
        created = services.create_referrals(current_user, complaint, [item], expected_version=form_version())
    except ValidationFailed as exc:  # the service's row errors (referrals.0.agency_id) are this form's fields
        errors = {k.split(".", 2)[2] if k.startswith("referrals.0.") else k: v for k, v in exc.errors.items()}
        return _triage_page(complaint.id, ValidationFailed(errors, exc.message), form=form)
    except Conflict as exc:
        return _triage_page(complaint.id, exc, form=form)
    flash(_("Referral %(number)s sent to %(agency)s, linked to the returned referral %(returned)s.",
            number=created[0].letter_number, agency=created[0].agency.name, returned=returned.letter_number))
    return redirect(url_for("centre.triage_page", complaint_id=complaint.id))


@bp.post("/centre/referrals/<referral_id>/evidence")
@login_required
def send_further_evidence(referral_id):
    """Send files of the complaint not yet shared to a referral already sent; the agency is told."""
    only(Role.clerk)
    referral = services.get_visible_referral(current_user, referral_id, for_update=True)
    complaint_id = referral.complaint_id
    form = f"evidence-{referral.id}"
    try:
        data = _load_confirmed(FurtherEvidenceSchema(), {**posted("version", "reason"),
                                                         "evidence_ids": request.form.getlist("evidence_ids")})
        services.transition_referral(current_user, referral, {"trigger": "supplement", **data,
                                                              "version": form_version()})
    except (ValidationFailed, Conflict) as exc:
        return _triage_page(complaint_id, exc, form=form)
    flash(_("The further evidence has been sent to %(agency)s.", agency=referral.agency.name))
    return redirect(url_for("centre.triage_page", complaint_id=complaint_id))


@bp.post("/centre/complaints/<complaint_id>/resolve")
@login_required
def resolve(complaint_id):
    """Point 10: the centre concludes the complaint with the guidance it gave, without a referral."""
    only(Role.clerk)
    complaint = intake.get_visible_complaint(current_user, complaint_id, for_update=True)
    try:
        data = _load_confirmed(GuidanceSchema(), posted("version", "message"))
        services.triage(current_user, complaint, {"trigger": "resolve", **data, "version": form_version()})
    except (ValidationFailed, Conflict) as exc:
        return _triage_page(complaint_id, exc, form="resolve")
    flash(_("The complaint is concluded with your guidance; the enterprise has been told."))
    return redirect(url_for("centre.triage_page", complaint_id=complaint.id))


SUPERVISED_PER_PAGE = 20


@bp.get("/centre/supervised")
@login_required
def supervised():
    """The supervised cases (supervisors: all; a clerk: its centre's), by the next report due."""
    only(Role.clerk, Role.supervisor)
    lifted = request.args.get("lifted") == "1"
    page = page_arg()
    found = supervision.list_supervisions(current_user, active=not lifted, window=Pages(page, SUPERVISED_PER_PAGE))
    return render_template("routing/supervised.html", supervisions=found.items, total=found.total, lifted=lifted, page=page,
                           per_page=SUPERVISED_PER_PAGE)


# --- the referral letter ---------------------------------------------------------------------------

@bp.get("/referrals/<referral_id>/letter")
@login_required
def letter(referral_id):
    referral = services.get_visible_referral(current_user, referral_id)
    return Response(letters.letter_html(referral), mimetype="text/html")


@bp.get("/referrals/<referral_id>/letter.pdf")
@login_required
def letter_pdf(referral_id):
    referral = services.get_visible_referral(current_user, referral_id)
    response = Response(letters.letter_pdf(referral), mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'attachment; filename="{referral.letter_number}.pdf"'
    return response


# --- consultations ---------------------------------------------------------------------------------

def _consultation_page(consultation_id, failure=None, form=None, rows=None):
    if failure is not None:
        db.session.rollback()
    only(Role.clerk, Role.supervisor, Role.expert, *AGENCY_ROLES)
    actor = current_user
    consultation = services.get_visible_consultation(actor, consultation_id)
    invitation = services.own_invitation(actor, consultation)  # its agency's, or an invited expert's own
    allowed = services.consultation_triggers(consultation, actor)
    complaint = consultation.complaint
    minuting = "record_minutes" in allowed  # the minutes' form may refer the complaint, whoever convened
    return render_template(
        "routing/consultation.html", consultation=consultation, complaint=complaint,
        invitation=invitation, allowed=allowed,
        rows=(rows if rows is not None else _empty_rows(MINUTES_REFERRAL_ROWS)) if minuting else [],
        agencies=agency_directory() if minuting else [], track_kinds=_track_kinds(),
        evidence=intake.list_evidence(actor, complaint) if minuting and intake.can_see_evidence(actor, complaint)
        else [],
        can_give_opinion=invitation is not None and consultation.state in OPEN_CONSULTATION_STATES,
        can_open_complaint=actor.role in (Role.clerk, Role.supervisor),
        failure=failure, errors=getattr(failure, "errors", {}) if failure else {}, form=form,
        values=request.form if failure is not None else {},
    ), failure_status(failure)


@bp.get("/consultations/<consultation_id>")
@login_required
def consultation_page(consultation_id):
    return _consultation_page(consultation_id)


@bp.post("/consultations/<consultation_id>/opinions")
@login_required
def submit_opinion(consultation_id):
    only(Role.expert, *AGENCY_ROLES)
    consultation = services.get_visible_consultation(current_user, consultation_id)
    try:
        data = load(OpinionSchema(), posted("opinion"))
        services.submit_opinion(current_user, consultation, data["opinion"])
    except (ValidationFailed, Conflict) as exc:
        return _consultation_page(consultation_id, exc, form="opinion")
    flash(_("Your opinion has been recorded."))
    return redirect(url_for("centre.consultation_page", consultation_id=consultation.id))


@bp.post("/consultations/<consultation_id>/transitions")
@login_required
def consultation_transition(consultation_id):
    only(Role.clerk, Role.supervisor)
    consultation = services.get_visible_consultation(current_user, consultation_id)
    trigger = request.form.get("trigger", "")
    rows = _posted_rows() if trigger == "record_minutes" else []
    sent, items = _referral_items(rows)
    try:
        data = {**load(ConsultationTransitionSchema(),
                       {**posted("trigger", "minutes", "conclusion"), **({"referrals": items} if items else {})}),
                "version": form_version()}
        if trigger == "close" and trigger in services.consultation_triggers(consultation, current_user):
            page = confirmation_page(
                title=_("Close the consultation on %(reference)s?", reference=consultation.complaint.reference),
                message=_("The consultation is closed with its minutes and conclusion: no opinion or minutes can "
                          "be added afterwards."),
                button=CONSULTATION_ACTION_LABELS["close"],
                cancel_url=url_for("centre.consultation_page", consultation_id=consultation.id))
            if page is not None:
                return page  # nothing changed yet: confirmed on a page of its own (no JavaScript)
        services.transition_consultation(current_user, consultation, data)
    except ValidationFailed as exc:
        return _consultation_page(consultation_id, ValidationFailed(_remap_rows(exc.errors, sent), exc.message),
                                  form=trigger, rows=rows or None)
    except Conflict as exc:
        return _consultation_page(consultation_id, exc, form=trigger, rows=rows or None)
    flash(_("Done: %(action)s.", action=CONSULTATION_ACTION_LABELS.get(trigger, trigger)))
    return redirect(url_for("centre.consultation_page", consultation_id=consultation.id))
