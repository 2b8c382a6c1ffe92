"""API: a complaint's deadlines, extensions, appraisal pauses, and the rules (administrators)."""
from flask.views import MethodView
from flask_smorest import Blueprint

from core.errors import NotFound
from core.security import api_actor
from intake import services as intake
from routing import services as routing

from . import services
from .schemas import AppraisalSchema, DeadlineSchema, ExtensionSchema, RuleSchema

blp = Blueprint("deadlines", __name__, description="Quick-protection deadlines")


@blp.route("/complaints/<complaint_id>/deadlines")
class ComplaintDeadlines(MethodView):
    @blp.response(200, DeadlineSchema(many=True))
    def get(self, complaint_id):
        """Every deadline of the complaint, its referrals and consultations, with due time and state."""
        actor = api_actor()
        complaint = intake.get_visible_complaint(actor, complaint_id)
        return services.deadlines_for_complaint(complaint.id)


@blp.route("/deadlines/<deadline_id>/extension")
class Extension(MethodView):
    @blp.arguments(ExtensionSchema)
    @blp.response(200, DeadlineSchema)
    def post(self, data, deadline_id):
        """Grant the rule's one extension (a supervisor, or the head of the responsible agency), with a reason."""
        actor = api_actor()
        deadline = services.get_deadline(deadline_id)
        if actor.role.value == "supervisor" or actor.organisation_id == deadline.responsible_org_id:
            return services.extend(actor, deadline, data["reason"])
        raise NotFound()


@blp.route("/referrals/<referral_id>/appraisal")
class Appraisal(MethodView):
    @blp.arguments(AppraisalSchema)
    @blp.response(200, DeadlineSchema(many=True))
    def post(self, data, referral_id):
        """Record that testing, forensic appraisal or identification was requested (the verification
        clock stops) or returned (it runs again, its due time moved by the paused working days)."""
        actor = api_actor()
        referral = routing.get_visible_referral(actor, referral_id, for_update=True)
        routing.record_appraisal(actor, referral, data["action"], data.get("note"))
        return services.running("referral", referral.id)


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
