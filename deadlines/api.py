"""API: a complaint's deadlines, requests to extend a deadline and their decisions, and the rules
(administrators). (Appraisal pauses are the agencies' API: agencies/api.py.)"""
from flask.views import MethodView
from flask_smorest import Blueprint

from core.errors import NotFound
from core.pagination import CursorArgs, page_list, page_schema, window
from core.security import api_actor
from intake import services as intake

from . import access, extensions, services
from .schemas import (DeadlineSchema, ExtensionDecisionSchema, ExtensionRequestOutSchema, ExtensionRequestSchema,
                      RuleSchema)

blp = Blueprint("deadlines", __name__, description="Quick-protection deadlines")

DeadlinePage = page_schema(DeadlineSchema, "DeadlinePage")
ExtensionRequestPage = page_schema(ExtensionRequestOutSchema, "ExtensionRequestPage")
RulePage = page_schema(RuleSchema, "RulePage")


@blp.route("/complaints/<complaint_id>/deadlines")
class ComplaintDeadlines(MethodView):
    @blp.arguments(CursorArgs, location="query")
    @blp.response(200, DeadlinePage)
    def get(self, args, complaint_id):
        """Every deadline of the complaint, its referrals and consultations, with due time and state (an
        enterprise: its public clocks only, never the internal ones such as S1 or C1), in the order they started."""
        actor = api_actor()
        complaint = intake.get_visible_complaint(actor, complaint_id)
        return page_list(access.visible_deadlines(actor, services.deadlines_for_complaint(complaint.id)),
                         window(args, "deadlines", complaint.id), key=lambda d: (d.started_at, d.id)).envelope()


@blp.route("/deadlines/<deadline_id>/extension-requests")
class ExtensionRequests(MethodView):
    @blp.arguments(CursorArgs, location="query")
    @blp.response(200, ExtensionRequestPage)
    def get(self, args, deadline_id):
        """The requests to extend this deadline (its organisation's officers and the one who decides), oldest first."""
        actor = api_actor()
        deadline = extensions.get_deadline_for_extension(actor, deadline_id)
        return page_list(extensions.requests_for(actor, deadline), window(args, "extension-requests", deadline.id),
                         key=lambda r: (r.created_at, r.id)).envelope()

    @blp.arguments(ExtensionRequestSchema)
    @blp.response(201, ExtensionRequestOutSchema)
    @blp.alt_response(409, description="The deadline no longer runs, a request already waits, or its one "
                                       "extension was granted")
    def post(self, data, deadline_id):
        """An officer of the responsible organisation asks for more time, with a reason and the new due time
        (after the current one; within the rule's maximum extension, if it has one). The agency head (a
        supervisor for the centre's clocks) is told."""
        actor = api_actor()
        return extensions.request_extension(actor, extensions.get_deadline_for_extension(actor, deadline_id), data)


@blp.route("/deadlines/<deadline_id>/extension-decision")
class ExtensionDecision(MethodView):
    @blp.arguments(ExtensionDecisionSchema)
    @blp.response(200, ExtensionRequestOutSchema)
    @blp.alt_response(409, description="No request waits (or it was decided meanwhile)")
    def post(self, data, deadline_id):
        """The head of the responsible agency (a supervisor for the centre's clocks) approves the waiting
        request — the due time moves to the one requested — or refuses it with a reason. The requester is told."""
        actor = api_actor()
        return extensions.decide(actor, extensions.get_deadline_for_extension(actor, deadline_id), data)


@blp.route("/extension-requests")
class WaitingExtensionRequests(MethodView):
    @blp.arguments(CursorArgs, location="query")
    @blp.response(200, ExtensionRequestPage)
    def get(self, args):
        """The requests waiting for this agency head's (supervisor's: the centre's clocks) decision, the most
        urgent first."""
        return page_list(extensions.waiting_for(api_actor()), window(args, "waiting-extension-requests"),
                         key=lambda r: (r.deadline.due_at, r.created_at, r.id)).envelope()


@blp.route("/admin/deadline-rules")
class Rules(MethodView):
    @blp.arguments(CursorArgs, location="query")
    @blp.response(200, RulePage)
    def get(self, args):
        """The deadline rules, by code."""
        if api_actor().role.value != "admin":
            raise NotFound()
        return page_list(services.list_rules(), window(args, "deadline-rules"),
                         key=lambda rule: (rule.code,)).envelope()


@blp.route("/admin/deadline-rules/<code>")
class RuleItem(MethodView):
    @blp.arguments(RuleSchema)
    @blp.response(200, RuleSchema)
    def put(self, data, code):
        """Change a rule; it applies to deadlines opened from now on."""
        return services.update_rule(api_actor(), code, data)
