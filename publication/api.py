"""API: the public typical cases and knowledge base (no token), the supervisor office's drafting and approval,
the self-assessment questionnaire and an enterprise's assessments."""
from flask import url_for
from flask.views import MethodView
from flask_smorest import Blueprint

from core.pagination import CursorArgs, page_list, page_schema, window
from core.security import api_actor

from . import services
from .schemas import (AssessmentOutSchema, AssessmentSchema, CaseCreateSchema, CaseSchema, CaseSearchArgs,
                      CaseTextsSchema, KnowledgeArgs, KnowledgeEntrySchema, PublicCaseSchema,
                      QuestionnaireOutSchema, UnpublishSchema)

blp = Blueprint("publication_api", __name__, description="Typical cases, the knowledge base and the self-assessment")

PublicCasePage = page_schema(PublicCaseSchema, "PublicCasePage")
KnowledgePage = page_schema(KnowledgeEntrySchema, "KnowledgePage")


class CaseListArgs(CursorArgs, CaseSearchArgs):
    pass


class KnowledgeListArgs(CursorArgs, KnowledgeArgs):
    pass


def _staff(case):
    case.allowed_actions = services.allowed_actions(api_actor(), case)
    return case


def _excerpt(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= 160 else text[:159] + "…"


@blp.route("/typical-cases")
class TypicalCases(MethodView):
    @blp.doc(security=[])
    @blp.arguments(CaseListArgs, location="query")
    @blp.response(200, PublicCasePage)
    def get(self, args):
        """The published typical cases (no token needed), newest first; filter by words, act, industry, track."""
        filters = {k: v for k, v in args.items() if k not in ("cursor", "limit")}
        return services.public_cases(filters, window(args, "typical-cases")).envelope()

    @blp.arguments(CaseCreateSchema)
    @blp.response(201, CaseSchema)
    @blp.alt_response(404, description="Not a supervisor, or no such complaint")
    @blp.alt_response(409, description="The complaint is not concluded")
    def post(self, data):
        """A supervisor drafts a case from a concluded complaint: texts left out are the anonymiser's (names,
        credit codes, amounts and the secret's details removed)."""
        actor = api_actor()
        complaint = services.draftable_complaint(actor, data.pop("complaint_id"))
        return _staff(services.draft_case(actor, complaint, data))


@blp.route("/typical-cases/<case_id>")
class TypicalCase(MethodView):
    @blp.doc(security=[])
    @blp.response(200, PublicCaseSchema)
    def get(self, case_id):
        """A published typical case (no token needed); anything else 404."""
        case = services.get_case(None, case_id)
        return case

    @blp.arguments(CaseTextsSchema)
    @blp.response(200, CaseSchema)
    @blp.alt_response(409, description="Not a draft")
    def patch(self, data, case_id):
        """A supervisor edits a draft (the fields given)."""
        actor = api_actor()
        return _staff(services.update_case(actor, services.staff_case(actor, case_id), data))


@blp.route("/typical-cases/<case_id>/draft")
class TypicalCaseDraft(MethodView):
    @blp.response(200, CaseSchema)
    def get(self, case_id):
        """Any case with its state, for a supervisor (404 for everyone else)."""
        actor = api_actor()
        return _staff(services.staff_case(actor, case_id))


@blp.route("/typical-cases/<case_id>/approve")
class TypicalCaseApprove(MethodView):
    @blp.response(200, CaseSchema)
    @blp.alt_response(409, description="Not a draft, or the caller drafted it")
    def post(self, case_id):
        """A second supervisor approves the draft: it is published (422 while a text identifies the parties)."""
        actor = api_actor()
        return _staff(services.approve_case(actor, services.staff_case(actor, case_id)))


@blp.route("/typical-cases/<case_id>/unpublish")
class TypicalCaseUnpublish(MethodView):
    @blp.arguments(UnpublishSchema)
    @blp.response(200, CaseSchema)
    @blp.alt_response(409, description="Not published")
    def post(self, data, case_id):
        """Take a published case off the public pages; the record stays."""
        actor = api_actor()
        return _staff(services.unpublish_case(actor, services.staff_case(actor, case_id), data["reason"]))


@blp.route("/knowledge")
class Knowledge(MethodView):
    @blp.doc(security=[])
    @blp.arguments(KnowledgeListArgs, location="query")
    @blp.response(200, KnowledgePage)
    def get(self, args):
        """The knowledge base (no token needed): guides, legal interpretations and published typical cases."""
        filters = {k: v for k, v in args.items() if k not in ("cursor", "limit")}
        entries = []
        for n, entry in enumerate(services.knowledge(filters)):
            obj = entry["article"] or entry["case"]
            url = (url_for("publication.article", slug=obj.slug) if entry["article"]
                   else url_for("publication.case_page", case_id=obj.id))
            body = "body" if entry["article"] else "summary"
            entries.append({"n": n, "kind": entry["kind"], "title": services.text_of(obj, "title"),
                            "excerpt": _excerpt(services.text_of(obj, body)), "url": url})
        page = page_list(entries, window(args, "knowledge"), key=lambda e: (e["n"],))
        page.items = [{k: v for k, v in e.items() if k != "n"} for e in page.items]
        return page.envelope()


@blp.route("/questionnaires/current")
class CurrentQuestionnaire(MethodView):
    @blp.doc(security=[])
    @blp.response(200, QuestionnaireOutSchema)
    def get(self):
        """The self-assessment questionnaire's current version, in the reader's language (no token needed)."""
        questionnaire = services.current_questionnaire()
        lang = services.locale()
        content = questionnaire.content
        return {"version": questionnaire.version, "title": content["title"][lang],
                "questions": [{"key": q["key"], "area": q["area"], "weight": q["weight"], "text": q["text"][lang],
                               "advice": q["advice"][lang]} for q in content["questions"]]}


def _assessment(assessment):
    result = services.result_of(assessment)
    return {"id": assessment.id, "questionnaire_version": result["version"], "score": result["score"],
            "areas": [{"area": str(a), "score": s} for a, s in result["areas"]],
            "improvements": [{**i, "area": str(i["area"])} for i in result["improvements"]],
            "answers": assessment.answers, "submitted_at": assessment.submitted_at}


@blp.route("/self-assessments")
class SelfAssessments(MethodView):
    @blp.arguments(AssessmentSchema)
    @blp.response(201, AssessmentOutSchema)
    @blp.alt_response(404, description="Not an enterprise user")
    def post(self, data):
        """An enterprise user answers the current questionnaire (every question: yes, partly or no) and gets
        the score and what to improve."""
        return _assessment(services.submit_assessment(api_actor(), data["answers"]))


@blp.route("/self-assessments/<assessment_id>")
class SelfAssessment(MethodView):
    @blp.response(200, AssessmentOutSchema)
    def get(self, assessment_id):
        """One of the caller's enterprise's assessments (anyone else: 404)."""
        return _assessment(services.get_assessment(api_actor(), assessment_id))
