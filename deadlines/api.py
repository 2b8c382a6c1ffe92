"""API: a complaint's deadlines, requests to extend a deadline and their decisions, and the rules
(administrators). (Appraisal pauses are the agencies' API: agencies/api.py.)"""
from flask.views import MethodView
from flask_smorest import Blueprint

from core.errors import NotFound
from core.security import api_actor
from intake import services as intake

from . import access, extensions, services
from .schemas import (DeadlineSchema, ExtensionDecisionSchema, ExtensionRequestOutSchema, ExtensionRequestSchema,
                      RuleSchema)

blp = Blueprint("deadlines", __name__, description="Quick-protection deadlines")


@blp.route("/complaints/<complaint_id>/deadlines")
class ComplaintDeadlines(MethodView):
    @blp.response(200, DeadlineSchema(many=True))
    def get(self, complaint_id):
        """Every deadline of the complaint, its referrals and consultations, with due time and state (an
        enterprise: its public clocks only, never the internal ones such as S1 or C1)."""
        actor = api_actor()
        complaint = intake.get_visible_complaint(actor, complaint_id)
        return access.visible_deadlines(actor, services.deadlines_for_complaint(complaint.id))


@blp.route("/deadlines/<deadline_id>/extension-requests")
class ExtensionRequests(MethodView):
    @blp.response(200, ExtensionRequestOutSchema(many=True))
    def get(self, deadline_id):
        """The requests to extend this deadline (its organisation's officers and the one who decides)."""
        actor = api_actor()
        return extensions.requests_for(actor, extensions.get_deadline_for_extension(actor, deadline_id))

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
    @blp.response(200, ExtensionRequestOutSchema(many=True))
    def get(self):
        """The requests waiting for this agency head's (supervisor's: the centre's clocks) decision."""
        return extensions.waiting_for(api_actor())


@blp.route("/admin/deadline-rules")
class Rules(MethodView):
    @blp.response(200, RuleSchema(many=True))
    def get(self):
        if api_actor().role.value != "admin":
            raise NotFound()
        return services.list_rules()


@blp.route("/admin/deadline-rules/<code>")
class RuleItem(MethodView):
    @blp.arguments(RuleSchema)
    @blp.response(200, RuleSchema)
    def put(self, data, code):
        """Change a rule; it applies to deadlines opened from now on."""
        return services.update_rule(api_actor(), code, data)
