"""The publication's business rules: typical cases (draft, edit, approve = publish, unpublish), the public
search of cases and of the knowledge base, questionnaire versions and self-assessments.

Who may do what is publication.access; services flush and never commit (one commit per request).
"""
import uuid

from flask_babel import get_locale
from flask_babel import gettext as _
from sqlalchemy import String, cast, exists, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from core.audit import audit
from core.errors import Conflict, NotFound, ValidationFailed
from core.extensions import db
from core.models import utcnow
from core.pagination import desc, fetch
from intake.enums import ComplaintState, Track
from intake.models import Complaint
from routing.models import Referral
from routing.outcomes import result_label

from . import anonymise
from . import questionnaire as qn
from .access import (can_approve_case, can_draft_case, can_edit_case, can_edit_questionnaire, can_see_assessment,
                     can_see_case, can_self_assess, can_unpublish_case, is_supervisor)
from .enums import Answer, ArticleKind, CaseState
from .models import Article, Questionnaire, SelfAssessment, TypicalCase
from .seed import seed_questionnaire

CASE_TEXTS = ("title_zh", "title_en", "summary_zh", "summary_en")


def _parse_id(value) -> uuid.UUID:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        raise NotFound() from None


def locale() -> str:
    return "en" if str(get_locale() or "zh").startswith("en") else "zh"


# --- typical cases: the supervisor office ----------------------------------------------------------------

def draftable_complaint(actor, complaint_id) -> Complaint:
    """The complaint a supervisor drafts from: 404 for anyone else, 409 while it is not concluded."""
    if not is_supervisor(actor):
        raise NotFound()
    complaint = db.session.get(Complaint, _parse_id(complaint_id))
    if complaint is None or complaint.state is ComplaintState.draft:
        raise NotFound()
    if not can_draft_case(actor, complaint):
        raise Conflict(_("A typical case is drafted from a concluded complaint only."))
    return complaint


def candidates(actor, limit=50) -> list[Complaint]:
    """Concluded or closed complaints no typical case was drafted from yet, newest first."""
    if not is_supervisor(actor):
        raise NotFound()
    drafted = exists().where(TypicalCase.complaint_id == Complaint.id)
    return list(db.session.scalars(select(Complaint).where(
        Complaint.state.in_([ComplaintState.concluded, ComplaintState.closed]), ~drafted)
        .order_by(Complaint.updated_at.desc(), Complaint.id).limit(limit)))


def _outcome(complaint: Complaint) -> str:
    parts = []
    for referral in db.session.scalars(select(Referral).where(Referral.complaint_id == complaint.id)
                                       .order_by(Referral.created_at, Referral.id)):
        if referral.outcome and referral.outcome.get("result"):
            parts.append(result_label(referral.outcome["result"]))
    if complaint.resolution:
        parts.append(complaint.resolution)
    return _("; ").join(parts)


def _track_of(complaint: Complaint) -> Track | None:
    return db.session.scalar(select(Referral.track).where(Referral.complaint_id == complaint.id)
                             .order_by(Referral.created_at, Referral.id).limit(1))


def draft_values(complaint: Complaint) -> dict:
    """What a new draft's form starts with: the anonymised texts, the complaint's acts and first track."""
    return {**anonymise.draft_texts(complaint, _outcome(complaint)),
            "infringing_acts": list(complaint.infringing_acts or []), "track": _track_of(complaint)}


def _acts(acts) -> list[str]:
    """The acts' values, each once, in the order given."""
    return list(dict.fromkeys(getattr(a, "value", a) for a in acts))


def draft_case(actor, complaint: Complaint, data: dict) -> TypicalCase:
    """A new draft from ``complaint``; texts not given are the anonymiser's."""
    if not can_draft_case(actor, complaint):
        raise Conflict(_("A typical case is drafted from a concluded complaint only."))
    values = draft_values(complaint)
    values.update({k: v for k, v in data.items() if v is not None or k == "track"})
    if "track" not in data:
        values["track"] = _track_of(complaint)
    case = TypicalCase(complaint_id=complaint.id, drafted_by_id=actor.id, state=CaseState.draft,
                       infringing_acts=_acts(values.pop("infringing_acts", [])),
                       **{k: values[k] for k in ("industry", "track", *CASE_TEXTS) if k in values})
    _check_texts(case)
    db.session.add(case)
    db.session.flush()
    audit("typical_case.drafted", actor=actor, subject_type="typical_case", subject_id=case.id,
          complaint_id=str(complaint.id))
    return case


def _check_texts(case: TypicalCase) -> None:
    errors = {}
    for name in ("title_zh", "summary_zh"):
        if not (getattr(case, name) or "").strip():
            errors[name] = [_("This field cannot be blank.")]
    if errors:
        raise ValidationFailed(errors)


def get_case(actor, case_id) -> TypicalCase:
    """A case ``actor`` may see (published: anyone; otherwise supervisors), else 404."""
    case = db.session.get(TypicalCase, _parse_id(case_id))
    if case is None or not can_see_case(actor, case):
        raise NotFound()
    return case


def staff_case(actor, case_id) -> TypicalCase:
    """Any case, for a supervisor (the office's page of it); 404 for everyone else."""
    if not is_supervisor(actor):
        raise NotFound()
    return get_case(actor, case_id)


def staff_cases(actor) -> list[TypicalCase]:
    if not is_supervisor(actor):
        raise NotFound()
    return list(db.session.scalars(select(TypicalCase).options(selectinload(TypicalCase.drafted_by))
                                   .order_by(TypicalCase.updated_at.desc(), TypicalCase.id)))


def update_case(actor, case: TypicalCase, data: dict) -> TypicalCase:
    """Edit a draft (a published or unpublished case is not edited: 409)."""
    if not is_supervisor(actor):
        raise NotFound()
    if not can_edit_case(actor, case):
        raise Conflict(_("Only a draft can be edited."))
    for key, value in data.items():
        if key == "infringing_acts":
            value = _acts(value)
        setattr(case, key, value)
    _check_texts(case)
    case.updated_at = utcnow()
    db.session.flush()
    audit("typical_case.edited", actor=actor, subject_type="typical_case", subject_id=case.id,
          fields=sorted(data))
    return case


def case_leaks(case: TypicalCase) -> dict:
    """{field: [identifying texts still in it]} for the case's texts (empty when it may be published)."""
    found = {}
    for name in CASE_TEXTS:
        text = getattr(case, name) or ""
        leaked = anonymise.leaks(text, case.complaint)
        if leaked:
            found[name] = leaked
    return found


def approve_case(actor, case: TypicalCase) -> TypicalCase:
    """A second supervisor (not the drafter) approves a draft: it is published. Refused while a text still
    holds the complaint's names, codes or amounts (field errors naming them)."""
    if not is_supervisor(actor):
        raise NotFound()
    if case.state is not CaseState.draft:
        raise Conflict(_("Only a draft can be approved."))
    if not can_approve_case(actor, case):
        raise Conflict(_("A typical case is approved by a supervisor other than the one who drafted it."))
    leaks = case_leaks(case)
    if leaks:
        raise ValidationFailed({name: [_("Still identifies the parties: %(texts)s. Remove it before publishing.",
                                         texts=_("; ").join(found))] for name, found in leaks.items()})
    now = utcnow()
    changed = db.session.execute(update(TypicalCase).where(
        TypicalCase.id == case.id, TypicalCase.state == CaseState.draft, TypicalCase.drafted_by_id != actor.id)
        .values(state=CaseState.published, approved_by_id=actor.id, published_at=now, updated_at=now)
        .execution_options(synchronize_session=False)).rowcount
    if changed != 1:
        raise Conflict(_("Only a draft can be approved."))
    db.session.refresh(case)
    audit("typical_case.published", actor=actor, subject_type="typical_case", subject_id=case.id)
    return case


def unpublish_case(actor, case: TypicalCase, reason: str) -> TypicalCase:
    """Take a published case off the public pages; the record and its texts stay."""
    if not is_supervisor(actor):
        raise NotFound()
    if not can_unpublish_case(actor, case):
        raise Conflict(_("Only a published case can be unpublished."))
    if not (reason or "").strip():
        raise ValidationFailed({"reason": [_("This field cannot be blank.")]})
    case.state, case.unpublished_at, case.unpublished_by_id = CaseState.unpublished, utcnow(), actor.id
    case.unpublish_reason = reason
    case.updated_at = utcnow()
    db.session.flush()
    audit("typical_case.unpublished", actor=actor, subject_type="typical_case", subject_id=case.id, reason=reason)
    return case


def allowed_actions(actor, case: TypicalCase) -> list[str]:
    """The actions on ``case`` that would succeed for ``actor`` (the page's buttons, the API's list)."""
    actions = []
    if can_edit_case(actor, case):
        actions.append("edit")
    if can_approve_case(actor, case):
        actions.append("approve")
    if can_unpublish_case(actor, case):
        actions.append("unpublish")
    return actions


# --- the public side ---------------------------------------------------------------------------------------

ESCAPE = "\\"


def _like(q: str) -> str:
    """A substring pattern in which % and _ match themselves."""
    return "%" + q.replace(ESCAPE, ESCAPE * 2).replace("%", ESCAPE + "%").replace("_", ESCAPE + "_") + "%"


def public_cases_query(filters: dict):
    query = select(TypicalCase).where(TypicalCase.state == CaseState.published)
    if filters.get("q"):
        pattern = _like(filters["q"])
        query = query.where(or_(*(getattr(TypicalCase, n).ilike(pattern, escape=ESCAPE) for n in CASE_TEXTS)))
    if filters.get("act") is not None:
        value = getattr(filters["act"], "value", filters["act"])
        query = query.where(cast(TypicalCase.infringing_acts, String).like(f'%"{value}"%'))
    if filters.get("industry") is not None:
        query = query.where(TypicalCase.industry == filters["industry"])
    if filters.get("track") is not None:
        query = query.where(TypicalCase.track == filters["track"])
    return query


def public_cases(filters: dict, window_):
    """Published cases matching the filters (text in either language, act, industry, track), newest first."""
    return fetch(public_cases_query(filters), [desc(TypicalCase.published_at), desc(TypicalCase.id)], window_)


def articles(filters: dict) -> list[Article]:
    query = select(Article)
    if isinstance(filters.get("kind"), ArticleKind):
        query = query.where(Article.kind == filters["kind"])
    if filters.get("q"):
        pattern = _like(filters["q"])
        query = query.where(or_(*(getattr(Article, n).ilike(pattern, escape=ESCAPE)
                                  for n in ("title_zh", "title_en", "body_zh", "body_en"))))
    return list(db.session.scalars(query.order_by(Article.position, Article.slug)))


def get_article(slug: str) -> Article:
    article = db.session.scalar(select(Article).where(Article.slug == str(slug)[:80]))
    if article is None:
        raise NotFound()
    return article


def knowledge(filters: dict) -> list[dict]:
    """The knowledge base's entries: guides and legal interpretations, then published typical cases."""
    kind = filters.get("kind")
    if kind in {k.value for k in ArticleKind}:
        kind = ArticleKind(kind)
    filters = {**filters, "kind": kind}
    entries = []
    if kind in (None, ArticleKind.guide, ArticleKind.legal_interpretation):
        entries += [{"kind": a.kind.value, "article": a, "case": None} for a in articles(filters)]
    if kind in (None, "typical_case"):
        cases = db.session.scalars(public_cases_query({"q": filters.get("q")})
                                   .order_by(TypicalCase.published_at.desc(), TypicalCase.id).limit(100))
        entries += [{"kind": "typical_case", "article": None, "case": c} for c in cases]
    return entries


def text_of(obj, name: str) -> str:
    """The English text when the reader reads English and it was written, else the Chinese."""
    if locale() == "en" and getattr(obj, f"{name}_en", None):
        return getattr(obj, f"{name}_en")
    return getattr(obj, f"{name}_zh")


# --- questionnaires and self-assessments -------------------------------------------------------------------

def current_questionnaire() -> Questionnaire:
    """The newest version (the default questionnaire is stored as version 1 on first use)."""
    return seed_questionnaire()


def questionnaire_versions(actor) -> list[Questionnaire]:
    if not can_edit_questionnaire(actor):
        raise NotFound()
    current_questionnaire()
    return list(db.session.scalars(select(Questionnaire).where(Questionnaire.key == qn.KEY)
                                   .order_by(Questionnaire.version.desc())))


def new_questionnaire_version(actor, content: dict) -> Questionnaire:
    """An administrator's change: a new version (the earlier ones stay, with the assessments that used them)."""
    if not can_edit_questionnaire(actor):
        raise NotFound()
    latest = current_questionnaire()
    version = Questionnaire(key=qn.KEY, version=latest.version + 1, content=content, created_by_id=actor.id)
    try:
        with db.session.begin_nested():
            db.session.add(version)
    except IntegrityError:  # another administrator saved a version meanwhile
        raise Conflict(_("Someone else saved a new version meanwhile; reload the questionnaire and try again.")) from None
    audit("questionnaire.versioned", actor=actor, subject_type="questionnaire", subject_id=version.id,
          version=version.version)
    return version


def submit_assessment(actor, answers: dict) -> SelfAssessment:
    """The enterprise's answers to the current version: every question answered (field ``answers.<key>``)."""
    if not can_self_assess(actor):
        raise NotFound()
    questionnaire = current_questionnaire()
    keys = [q["key"] for q in qn.questions(questionnaire.content)]
    errors = {}
    for key in keys:
        value = answers.get(key)
        if value is None or value not in {a.value for a in Answer}:
            errors[f"answers.{key}"] = [_("Choose an answer.")]
    for key in set(answers) - set(keys):
        errors[f"answers.{key}"] = [_("There is no such question in the current questionnaire.")]
    if errors:
        raise ValidationFailed(errors)
    clean = {key: answers[key] for key in keys}
    assessment = SelfAssessment(organisation_id=actor.organisation_id, questionnaire_id=questionnaire.id,
                                answers=clean, score=qn.score(questionnaire.content, clean),
                                submitted_by_id=actor.id)
    db.session.add(assessment)
    db.session.flush()
    audit("self_assessment.submitted", actor=actor, subject_type="self_assessment", subject_id=assessment.id,
          score=assessment.score)
    return assessment


def get_assessment(actor, assessment_id) -> SelfAssessment:
    assessment = db.session.get(SelfAssessment, _parse_id(assessment_id))
    if assessment is None or not can_see_assessment(actor, assessment):
        raise NotFound()
    return assessment


def assessments_of(actor) -> list[SelfAssessment]:
    if not can_self_assess(actor):
        raise NotFound()
    return list(db.session.scalars(select(SelfAssessment).where(
        SelfAssessment.organisation_id == actor.organisation_id)
        .order_by(SelfAssessment.submitted_at.desc(), SelfAssessment.id).limit(50)))


def result_of(assessment: SelfAssessment) -> dict:
    """The assessment's score, its areas' scores and what to improve, in the reader's language."""
    content = assessment.questionnaire.content
    return {"score": assessment.score, "areas": qn.area_scores(content, assessment.answers),
            "improvements": qn.improvements(content, assessment.answers, locale()),
            "title": content["title"][locale()], "version": assessment.questionnaire.version}


def assessment_pdf(assessment: SelfAssessment) -> bytes:
    """The result as an A4 PDF (core/pdf.py), in the reader's language."""
    from core.pdf import lines_pdf
    from core.timeutil import SHANGHAI

    result = result_of(assessment)
    lines = [result["title"],
             _("Enterprise: %(name)s", name=assessment.organisation.name),
             _("Submitted: %(time)s", time=assessment.submitted_at.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M")),
             _("Questionnaire version %(version)d", version=result["version"]),
             _("Score: %(score)d out of 100", score=result["score"]), ""]
    lines += [_("%(area)s: %(score)d out of 100", area=area, score=score) for area, score in result["areas"]]
    lines.append("")
    if result["improvements"]:
        lines.append(_("What to improve"))
        lines += [f"{n}. {item['advice']}" for n, item in enumerate(result["improvements"], 1)]
    else:
        lines.append(_("Every measure asked about is in place."))
    return lines_pdf(lines, title=result["title"])
