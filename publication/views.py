"""The publication's pages: the public typical cases and knowledge base (no login), the enterprise's
self-assessment, the supervisor office's drafting and approval of typical cases, the administrator's
questionnaire versions."""
import json

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from core.errors import DomainError, NotFound, ValidationFailed
from core.extensions import db
from core.limits import page_arg
from core.pages import load, posted
from core.pagination import Pages
from intake.enums import INFRINGING_ACT_LABELS, TRACK_LABELS, InfringingAct, Track

from . import services
from .access import can_edit_questionnaire, can_self_assess
from .enums import ANSWER_LABELS, ARTICLE_KIND_LABELS, AREA_LABELS, CASE_STATE_LABELS, INDUSTRY_LABELS
from .enums import Industry
from .models import TypicalCase
from .schemas import (AssessmentSchema, CaseSearchArgs, CaseTextsSchema, KnowledgeArgs, QuestionnaireSchema,
                      UnpublishSchema)

bp = Blueprint("publication", __name__)

CASE_FIELDS = ("title_zh", "title_en", "summary_zh", "summary_en", "industry", "track")


def _labels():
    return {"acts": INFRINGING_ACT_LABELS, "industries": INDUSTRY_LABELS, "tracks": TRACK_LABELS,
            "states": CASE_STATE_LABELS, "kinds": ARTICLE_KIND_LABELS, "answers": ANSWER_LABELS,
            "areas": AREA_LABELS, "text_of": services.text_of,
            "act_labels": {act.value: label for act, label in INFRINGING_ACT_LABELS.items()}}


def _query(schema):
    try:
        return load(schema, {k: v for k, v in request.args.items() if k in schema.fields and v}), {}
    except ValidationFailed as exc:
        return {}, exc.errors


# --- public -------------------------------------------------------------------------------------------------

@bp.get("/cases")
def case_list():
    filters, errors = _query(CaseSearchArgs())
    found = services.public_cases(filters, Pages(page_arg(), 20))
    return render_template("publication/cases.html", found=found, filters=filters, errors=errors,
                           args=request.args, **_labels()), 422 if errors else 200


@bp.get("/cases/<case_id>")
def case_page(case_id):
    case = services.get_case(current_user, case_id)
    if case.state.value != "published":  # a supervisor reads a draft on the office's page
        return redirect(url_for("publication.staff_case", case_id=case.id))
    return render_template("publication/case.html", case=case, **_labels())


@bp.get("/knowledge")
def knowledge():
    filters, errors = _query(KnowledgeArgs())
    return render_template("publication/knowledge.html", entries=services.knowledge(filters), filters=filters,
                           errors=errors, args=request.args, **_labels()), 422 if errors else 200


@bp.get("/knowledge/<slug>")
def article(slug):
    return render_template("publication/article.html", article=services.get_article(slug), **_labels())


# --- the enterprise's self-assessment --------------------------------------------------------------------------

def _assessment_form(errors=None, values=None, status=200):
    return render_template("publication/self_assessment.html", questionnaire=services.current_questionnaire(),
                           past=services.assessments_of(current_user), errors=errors or {}, values=values or {},
                           lang=services.locale(), **_labels()), status


@bp.get("/guidance/self-assessment")
@login_required
def self_assessment():
    if not can_self_assess(current_user):
        raise NotFound()
    return _assessment_form()


@bp.post("/guidance/self-assessment")
@login_required
def submit_self_assessment():
    if not can_self_assess(current_user):
        raise NotFound()
    answers = {k[len("answers."):]: v for k, v in request.form.items() if k.startswith("answers.")}
    try:
        data = load(AssessmentSchema(), {"answers": answers})
        assessment = services.submit_assessment(current_user, data["answers"])
    except ValidationFailed as exc:
        db.session.rollback()
        return _assessment_form(exc.errors, answers, 422)
    flash(_("Your self-assessment has been saved."))
    return redirect(url_for("publication.assessment_page", assessment_id=assessment.id))


@bp.get("/guidance/self-assessment/<assessment_id>")
@login_required
def assessment_page(assessment_id):
    assessment = services.get_assessment(current_user, assessment_id)
    return render_template("publication/assessment.html", assessment=assessment,
                           result=services.result_of(assessment), **_labels())


@bp.get("/guidance/self-assessment/<assessment_id>/pdf")
@login_required
def assessment_pdf(assessment_id):
    assessment = services.get_assessment(current_user, assessment_id)
    response = Response(services.assessment_pdf(assessment), mimetype="application/pdf")
    response.headers["Content-Disposition"] = 'attachment; filename="self-assessment.pdf"'
    return response


# --- the supervisor office ------------------------------------------------------------------------------------

@bp.get("/supervision/typical-cases")
@login_required
def staff_cases():
    cases = services.staff_cases(current_user)
    return render_template("publication/staff_cases.html", cases=cases,
                           candidates=services.candidates(current_user), **_labels())


def _case_form(values):
    data = {name: values.get(name, "") for name in CASE_FIELDS if values.get(name, "") != ""}
    for name in ("title_en", "summary_en", "track"):
        data.setdefault(name, None)
    data["infringing_acts"] = values.getlist("infringing_acts") if hasattr(values, "getlist") else values.get(
        "infringing_acts", [])
    return data


def _enum_or_none(enum_cls, value):
    try:
        return enum_cls(getattr(value, "value", value)) if value else None
    except ValueError:
        return None


def _preview(values) -> TypicalCase:
    """The case as it would be published with the form's values (never added to the session)."""
    acts = [a for a in values.get("infringing_acts", []) if _enum_or_none(InfringingAct, a)]
    return TypicalCase(title_zh=values.get("title_zh") or "", title_en=values.get("title_en") or None,
                       summary_zh=values.get("summary_zh") or "", summary_en=values.get("summary_en") or None,
                       industry=_enum_or_none(Industry, values.get("industry")),
                       track=_enum_or_none(Track, values.get("track")), infringing_acts=acts)


def _draft_page(complaint, values, errors=None, status=200):
    preview = _preview(values)
    return render_template("publication/draft.html", complaint=complaint, values=values, errors=errors or {},
                           preview=preview, **_labels()), status


@bp.get("/supervision/typical-cases/new/<complaint_id>")
@login_required
def new_case(complaint_id):
    complaint = services.draftable_complaint(current_user, complaint_id)
    values = services.draft_values(complaint)
    values["track"] = getattr(values.get("track"), "value", values.get("track"))
    values["industry"] = ""
    return _draft_page(complaint, values)


@bp.post("/supervision/typical-cases/new/<complaint_id>")
@login_required
def create_case(complaint_id):
    complaint = services.draftable_complaint(current_user, complaint_id)
    try:
        data = load(CaseTextsSchema(), _case_form(request.form))
        if "industry" not in data:
            raise ValidationFailed({"industry": [_("Choose the industry.")]})
        case = services.draft_case(current_user, complaint, data)
    except ValidationFailed as exc:
        db.session.rollback()
        complaint = services.draftable_complaint(current_user, complaint_id)
        values = {**{k: request.form.get(k, "") for k in CASE_FIELDS},
                  "infringing_acts": request.form.getlist("infringing_acts")}
        return _draft_page(complaint, values, exc.errors, 422)
    flash(_("The draft has been saved. Another supervisor approves it to publish it."))
    return redirect(url_for("publication.staff_case", case_id=case.id))


def _case_page(case, errors=None, values=None, status=200):
    values = values or {**{k: getattr(getattr(case, k), "value", getattr(case, k)) or "" for k in CASE_FIELDS},
                        "infringing_acts": list(case.infringing_acts or [])}
    preview = _preview(values)
    return render_template("publication/staff_case.html", case=case, values=values, errors=errors or {},
                           preview=preview, leaks=services.case_leaks(case),
                           actions=services.allowed_actions(current_user, case), **_labels()), status


@bp.get("/supervision/typical-cases/<case_id>")
@login_required
def staff_case(case_id):
    return _case_page(services.staff_case(current_user, case_id))


@bp.post("/supervision/typical-cases/<case_id>")
@login_required
def save_case(case_id):
    case = services.staff_case(current_user, case_id)
    try:
        services.update_case(current_user, case, load(CaseTextsSchema(), _case_form(request.form)))
    except DomainError as exc:
        db.session.rollback()
        case = services.staff_case(current_user, case_id)
        values = {**{k: request.form.get(k, "") for k in CASE_FIELDS},
                  "infringing_acts": request.form.getlist("infringing_acts")}
        return _case_page(case, getattr(exc, "errors", None) or {"form": [str(exc.message)]}, values, exc.status)
    flash(_("The draft has been saved."))
    return redirect(url_for("publication.staff_case", case_id=case.id))


@bp.post("/supervision/typical-cases/<case_id>/approve")
@login_required
def approve_case(case_id):
    case = services.staff_case(current_user, case_id)
    try:
        services.approve_case(current_user, case)
    except DomainError as exc:
        db.session.rollback()
        return _case_page(services.staff_case(current_user, case_id),
                          getattr(exc, "errors", None) or {"form": [str(exc.message)]}, status=exc.status)
    flash(_("The typical case is published."))
    return redirect(url_for("publication.staff_case", case_id=case.id))


@bp.post("/supervision/typical-cases/<case_id>/unpublish")
@login_required
def unpublish_case(case_id):
    case = services.staff_case(current_user, case_id)
    try:
        data = load(UnpublishSchema(), posted("reason"))
        services.unpublish_case(current_user, case, data["reason"])
    except DomainError as exc:
        db.session.rollback()
        return _case_page(services.staff_case(current_user, case_id),
                          getattr(exc, "errors", None) or {"form": [str(exc.message)]}, status=exc.status)
    flash(_("The typical case is no longer published; its record is kept."))
    return redirect(url_for("publication.staff_case", case_id=case.id))


# --- the administrator's questionnaires ------------------------------------------------------------------------

def _questionnaires_page(errors=None, text=None, status=200):
    versions = services.questionnaire_versions(current_user)
    current = versions[0]
    return render_template("publication/questionnaires.html", versions=versions, errors=errors or {},
                           text=text if text is not None else json.dumps(current.content, ensure_ascii=False, indent=2),
                           **_labels()), status


@bp.get("/admin/questionnaires")
@login_required
def questionnaires():
    if not can_edit_questionnaire(current_user):
        raise NotFound()
    return _questionnaires_page()


@bp.post("/admin/questionnaires")
@login_required
def save_questionnaire():
    if not can_edit_questionnaire(current_user):
        raise NotFound()
    text = request.form.get("content", "")
    try:
        if len(text) > 200_000:
            raise ValidationFailed({"content": [_("The questionnaire is too long.")]})
        try:
            content = json.loads(text)
        except ValueError:
            raise ValidationFailed({"content": [_("This is not valid JSON.")]}) from None
        data = load(QuestionnaireSchema(), {"content": content})
        version = services.new_questionnaire_version(current_user, data["content"])
    except DomainError as exc:
        db.session.rollback()
        return _questionnaires_page(getattr(exc, "errors", None) or {"content": [str(exc.message)]}, text, exc.status)
    flash(_("Version %(version)d of the questionnaire has been saved.", version=version.version))
    return redirect(url_for("publication.questionnaires"))

