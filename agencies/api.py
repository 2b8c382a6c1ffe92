"""API for agencies (with a bearer token or a long-lived API key): referrals, notes, shared evidence."""
from flask.views import MethodView
from flask_smorest import Blueprint

from core.http import etag, if_match, versioned_change, versioned_read
from core.security import api_actor
from intake.downloads import evidence_response
from evidence.services import open_for_download
from routing import appraisals, services, steps
from routing.effects import annotated
from routing.enums import OPEN_REFERRAL_STATES, ReferralState
from routing.machines import referral_machine
from deadlines.schemas import DeadlineSchema
from deadlines import services as deadlines
from routing.schemas import (AppraisalSchema, NoteOutSchema, NoteSchema, ReferralListArgs, ReferralPageSchema, ReferralSchema,
                             ReferralTransitionSchema, StepSchema)

blp = Blueprint("referrals", __name__, description="Referrals as the agencies see and decide them")


def with_steps(referral, actor):
    referral.allowed_steps = steps.allowed_steps(referral, actor)
    referral.allowed_appraisal_actions = appraisals.appraisal_actions(actor, referral)
    return referral


@blp.route("/referrals")
class Referrals(MethodView):
    @blp.arguments(ReferralListArgs, location="query")
    @blp.response(200, ReferralPageSchema)
    def get(self, args):
        """Referrals visible to this user; an agency sees only those sent to it. `pending=true`: open ones;
        `q`: those of the complaints found by reference, enterprise, infringer name or credit code."""
        actor = api_actor()
        states = [ReferralState(s) for s in args["state"]] or (list(OPEN_REFERRAL_STATES) if args["pending"] else None)
        items, total = services.list_referrals(actor, states=states, q=args["q"], page=args["page"],
                                               per_page=args["per_page"])
        return {"items": [annotated(r, referral_machine, actor) for r in items], "total": total,
                "page": args["page"], "per_page": args["per_page"]}


@blp.route("/referrals/<referral_id>")
class ReferralItem(MethodView):
    @versioned_read
    @blp.response(200, ReferralSchema)
    def get(self, referral_id):
        """One referral with the evidence shared with the agency; the ETag carries its version."""
        actor = api_actor()
        referral = services.get_visible_referral(actor, referral_id)
        return with_steps(annotated(referral, referral_machine, actor), actor), etag(referral)


@blp.route("/referrals/<referral_id>/transitions")
class ReferralTransitions(MethodView):
    @versioned_change
    @blp.arguments(ReferralTransitionSchema)
    @blp.response(200, ReferralSchema)
    @blp.alt_response(409, description="Not possible now: the body lists the allowed triggers")
    def post(self, data, referral_id):
        """acknowledge (officer_name), accept (case_number), decline (reason), return (return_reason, reason),
        conclude (outcome), transfer (reason, to_agency_id optional), request_supervision (the centre).
        A court (civil procedure): materials_complete (V1 runs, again, from now), accept = registration of the
        enterprise's suit (case_number, 案号), mediation_succeeded (case_number of the pre-suit mediation) /
        mediation_failed (reason; the route becomes file_suit), apply_preservation (preservation_kind; V2 opens)
        and rule_on_preservation (preservation_ruling, reason; V2 met)."""
        actor = api_actor()
        referral = services.get_visible_referral(actor, referral_id, for_update=True)
        data["version"] = if_match(referral)
        result = services.transition_referral(actor, referral, data)
        return with_steps(annotated(result, referral_machine, actor), actor), etag(result)


@blp.route("/referrals/<referral_id>/steps")
class ReferralSteps(MethodView):
    @versioned_change
    @blp.arguments(StepSchema)
    @blp.response(200, ReferralSchema)
    @blp.alt_response(409, description="Not possible now: the body lists the steps allowed to you")
    def post(self, data, referral_id):
        """Steps that run Order 310's and the Criminal Procedure Law's clocks without changing the state:
        report_suspected_crime, approve_transfer / refuse_transfer (the agency head), request_reconsideration
        (the transferring agency) / answer_reconsideration (the police), notify_to_file (the procuratorate),
        explain_non_filing (the police)."""
        actor = api_actor()
        referral = services.get_visible_referral(actor, referral_id, for_update=True)
        if_match(referral)
        steps.take_step(actor, referral, data["step"], data.get("reason"))
        return with_steps(annotated(referral, referral_machine, actor), actor), etag(referral)


@blp.route("/referrals/<referral_id>/appraisal")
class Appraisal(MethodView):
    @blp.arguments(AppraisalSchema)
    @blp.response(200, DeadlineSchema(many=True))
    @blp.alt_response(409, description="Not possible now: the body lists the allowed actions")
    def post(self, data, referral_id):
        """Record that testing, forensic appraisal or identification (鉴定) was requested (the decision clock
        of an acknowledged referral, A1/T4, or an opened case's clock, A2, stops) or returned (it runs again,
        its due time moved by the paused time). Answers the referral's running deadlines."""
        actor = api_actor()
        referral = services.get_visible_referral(actor, referral_id, for_update=True)
        appraisals.record_appraisal(actor, referral, data["action"], data.get("note"))
        return deadlines.running("referral", referral.id)


@blp.route("/referrals/<referral_id>/notes")
class Notes(MethodView):
    @blp.response(200, NoteOutSchema(many=True))
    def get(self, referral_id):
        """Progress notes (the enterprise sees only the public ones)."""
        actor = api_actor()
        return services.notes_for(actor, services.get_visible_referral(actor, referral_id))

    @blp.arguments(NoteSchema)
    @blp.response(201, NoteOutSchema)
    def post(self, data, referral_id):
        actor = api_actor()
        referral = services.get_visible_referral(actor, referral_id)
        return services.add_note(actor, referral, data["text"], data["public"])


@blp.route("/referrals/<referral_id>/evidence/<evidence_id>")
class SharedEvidence(MethodView):
    @blp.response(200, description="A shared evidence file, decrypted, as an attachment (audited)")
    def get(self, referral_id, evidence_id):
        actor = api_actor()
        referral = services.get_visible_referral(actor, referral_id)
        evidence = services.shared_evidence_for(actor, referral, evidence_id)
        return evidence_response(evidence, open_for_download(evidence, actor))
