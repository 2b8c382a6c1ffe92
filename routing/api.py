"""API for the centre: queue, triage triggers, routing suggestion, referrals, letters, consultations."""
from flask import Response
from flask.views import MethodView
from flask_smorest import Blueprint

from core.errors import NotFound
from core.http import etag, if_match, versioned_change, versioned_read
from core.openapi import file_answer
from core.pagination import CursorArgs, page_schema, window
from core.security import api_actor
from intake import services as intake
from intake.schemas import ComplaintSchema

from . import assignment, letters, services, supervision
from .effects import annotated
from .machines import consultation_machine, referral_machine
from .queue import centre_queue
from .schemas import (ComplaintTransitionSchema, ConsultationSchema, ConsultationTransitionSchema, ConveneSchema,
                      CreateReferralsSchema, FurtherInstructionsSchema, LiftSupervisionSchema, OpinionSchema, QueueArgsSchema, QueuePageSchema, ReassignSchema,
                      ReferralPageSchema, ReferralSchema, RoutingSuggestionSchema, SupervisionListArgsSchema,
                      SupervisionPageSchema, SupervisionReportSchema, SupervisionSchema, SuperviseSchema,
                      SupplementSchema, one_of_body)

blp = Blueprint("routing", __name__, description="The centre's side: triage, routing, referrals, consultations")

ConsultationPage = page_schema(ConsultationSchema, "ConsultationPage")


@blp.route("/queue")
class Queue(MethodView):
    @blp.arguments(QueueArgsSchema, location="query")
    @blp.response(200, QueuePageSchema)
    def get(self, args):
        """The centre's complaints (a supervisor: every centre's), key cases first, then by the centre's due time.

        Closed and withdrawn complaints only when asked for (state, include_closed); sort and desc choose
        another order; holder narrows to the caller's complaints or the unassigned ones."""
        filters = {k: v for k, v in args.items() if k not in ("cursor", "limit")}
        found = centre_queue(api_actor(), **filters, window=window(args, "queue"))
        return found.envelope(total_is_exact=found.total_is_exact)


@blp.route("/complaints/<complaint_id>/transitions")
class ComplaintTransitions(MethodView):
    @versioned_change
    @blp.arguments(ComplaintTransitionSchema)
    @blp.doc(requestBody=one_of_body(ComplaintTransitionSchema))
    @blp.response(200, ComplaintSchema)
    @blp.alt_response(409, description="Not possible now: the body lists the triggers allowed to you")
    def post(self, data, complaint_id):
        """Claim, ask for supplements, accept, reject (with a reason code) or close a complaint."""
        actor = api_actor()
        complaint = intake.get_visible_complaint(actor, complaint_id, for_update=True)
        data["version"] = if_match(complaint)
        complaint = services.triage(actor, complaint, data)
        return complaint, etag(complaint)


@blp.route("/complaints/<complaint_id>/holder")
class ComplaintHolder(MethodView):
    @versioned_change
    @blp.arguments(ReassignSchema)
    @blp.response(200, ComplaintSchema)
    @blp.alt_response(409, description="Only the clerk who holds it, or a supervisor, may hand it over")
    def put(self, data, complaint_id):
        """Hand a claimed complaint to another clerk of its centre: only the holder changes, not the state."""
        actor = api_actor()
        complaint = intake.get_visible_complaint(actor, complaint_id, for_update=True)
        complaint = assignment.reassign(actor, complaint, data["clerk_id"], expected_version=if_match(complaint))
        return complaint, etag(complaint)


@blp.route("/complaints/<complaint_id>/supplements")
class Supplements(MethodView):
    @versioned_change
    @blp.arguments(SupplementSchema)
    @blp.response(200, ComplaintSchema)
    def post(self, data, complaint_id):
        """The enterprise answers a request for supplements (upload files first); triage resumes."""
        actor = api_actor()
        complaint = intake.get_visible_complaint(actor, complaint_id, for_update=True)
        complaint = services.supply_info(actor, complaint, data["text"], expected_version=if_match(complaint))
        return complaint, etag(complaint)


@blp.route("/complaints/<complaint_id>/routing-suggestion")
class RoutingSuggestion(MethodView):
    @blp.response(200, RoutingSuggestionSchema)
    def get(self, complaint_id):
        """Tracks and agencies the routing rules suggest, with an explanation per rule."""
        actor = api_actor()
        return services.routing_suggestion(actor, intake.get_visible_complaint(actor, complaint_id))


@blp.route("/complaints/<complaint_id>/referrals")
class ComplaintReferrals(MethodView):
    @blp.arguments(CursorArgs, location="query")
    @blp.response(200, ReferralPageSchema)
    def get(self, args, complaint_id):
        """The complaint's referrals this user may see, the most urgent first (as /referrals)."""
        actor = api_actor()
        complaint = intake.get_visible_complaint(actor, complaint_id)
        found = services.list_referrals(actor, complaint_id=complaint.id,
                                        window=window(args, "referrals", complaint.id))
        found.items = [annotated(r, referral_machine, actor) for r in found.items]
        return found.envelope()

    @versioned_change
    @blp.arguments(CreateReferralsSchema)
    @blp.response(201, ReferralSchema(many=True))
    def post(self, data, complaint_id):
        """Refer an accepted complaint: one referral per agency and track, with the evidence to share.
        If-Match is the complaint's ETag; the answer's ETag is the complaint's new one."""
        actor = api_actor()
        complaint = intake.get_visible_complaint(actor, complaint_id, for_update=True)
        created = services.create_referrals(actor, complaint, data["referrals"], expected_version=if_match(complaint))
        return created, etag(complaint)


@blp.route("/referrals/<referral_id>/letter")
class Letter(MethodView):
    @blp.response(200, description="The referral letter (移送函) as printable HTML")
    @blp.doc(**file_answer("text/html", description="The referral letter (移送函) as printable HTML"))
    def get(self, referral_id):
        referral = services.get_visible_referral(api_actor(), referral_id)
        return Response(letters.letter_html(referral), mimetype="text/html")


@blp.route("/referrals/<referral_id>/letter.pdf")
class LetterPdf(MethodView):
    @blp.response(200, description="The referral letter (移送函) as PDF")
    @blp.doc(**file_answer("application/pdf", description="The referral letter (移送函) as PDF"))
    def get(self, referral_id):
        referral = services.get_visible_referral(api_actor(), referral_id)
        response = Response(letters.letter_pdf(referral), mimetype="application/pdf")
        response.headers["Content-Disposition"] = f'attachment; filename="{referral.letter_number}.pdf"'
        return response


@blp.route("/complaints/<complaint_id>/supervision")
class SupervisionItem(MethodView):
    @blp.response(200, SupervisionSchema)
    def get(self, complaint_id):
        """The key-case supervision (督办) of the complaint: the active one, else the last lifted (404 when
        it was never supervised), with every report and the next report's due time."""
        actor = api_actor()
        found = supervision.readable_supervision(actor, intake.get_visible_complaint(actor, complaint_id))
        if found is None:
            raise NotFound()
        return found

    @blp.arguments(SuperviseSchema)
    @blp.response(201, SupervisionSchema)
    @blp.alt_response(409, description="The complaint is no longer open, or already supervised")
    def post(self, data, complaint_id):
        """The supervisor office supervises the complaint as a key case; the centre reports within rule S1.
        A complaint whose supervision was lifted may be supervised again."""
        actor = api_actor()
        complaint = intake.get_visible_complaint(actor, complaint_id, for_update=True)
        return supervision.supervise(actor, complaint, data["instructions"])


@blp.route("/complaints/<complaint_id>/supervision/reports")
class SupervisionReports(MethodView):
    @blp.arguments(SupervisionReportSchema)
    @blp.response(200, SupervisionSchema)
    @blp.alt_response(409, description="The supervision has been lifted")
    def post(self, data, complaint_id):
        """The centre reports on its key case: meets the running S1 clock and opens the next period."""
        actor = api_actor()
        complaint = intake.get_visible_complaint(actor, complaint_id)
        return supervision.report_on_supervision(actor, complaint, data["text"])


@blp.route("/complaints/<complaint_id>/supervision/instructions")
class SupervisionInstructions(MethodView):
    @blp.arguments(FurtherInstructionsSchema)
    @blp.response(200, SupervisionSchema)
    @blp.alt_response(409, description="The supervision has been lifted")
    def post(self, data, complaint_id):
        """A supervisor adds instructions to the active supervision (the next report stays due when it was)."""
        actor = api_actor()
        complaint = intake.get_visible_complaint(actor, complaint_id)
        return supervision.add_instructions(actor, complaint, data["instructions"])


@blp.route("/complaints/<complaint_id>/supervision/lift")
class SupervisionLift(MethodView):
    @blp.arguments(LiftSupervisionSchema)
    @blp.response(200, SupervisionSchema)
    @blp.alt_response(409, description="The supervision has already been lifted")
    def post(self, data, complaint_id):
        """A supervisor lifts the supervision with a closing note: no longer a key case, no report due."""
        actor = api_actor()
        complaint = intake.get_visible_complaint(actor, complaint_id, for_update=True)
        return supervision.lift_supervision(actor, complaint, data["closing_note"])


@blp.route("/supervisions")
class SupervisionList(MethodView):
    @blp.arguments(SupervisionListArgsSchema, location="query")
    @blp.response(200, SupervisionPageSchema)
    def get(self, args):
        """Supervised cases (supervisors: all; a clerk: its centre's), by the next report due."""
        return supervision.list_supervisions(api_actor(), active=args["active"],
                                             window=window(args, "supervisions")).envelope()


@blp.route("/complaints/<complaint_id>/consultations")
class Consultations(MethodView):
    @versioned_read
    @blp.arguments(ConveneSchema)
    @blp.response(201, ConsultationSchema)
    def post(self, data, complaint_id):
        """Convene a consultation: questions, invited agencies, meeting time, opinion due time."""
        actor = api_actor()
        complaint = intake.get_visible_complaint(actor, complaint_id)
        consultation = services.convene(actor, complaint, data)
        return annotated(consultation, consultation_machine, actor), etag(consultation)


@blp.route("/consultations")
class ConsultationList(MethodView):
    @blp.arguments(CursorArgs, location="query")
    @blp.response(200, ConsultationPage)
    def get(self, args):
        """Consultations visible to this user (an agency: those it is invited to), the opinion due soonest first."""
        actor = api_actor()
        found = services.page_consultations(actor, window(args, "consultations"))
        found.items = [annotated(c, consultation_machine, actor) for c in found.items]
        return found.envelope()


@blp.route("/consultations/<consultation_id>")
class ConsultationItem(MethodView):
    @versioned_read
    @blp.response(200, ConsultationSchema)
    def get(self, consultation_id):
        actor = api_actor()
        consultation = services.get_visible_consultation(actor, consultation_id)
        return annotated(consultation, consultation_machine, actor), etag(consultation)


@blp.route("/consultations/<consultation_id>/opinions")
class Opinions(MethodView):
    @blp.arguments(OpinionSchema)
    @blp.response(200, ConsultationSchema)
    def post(self, data, consultation_id):
        """An invited agency submits (or revises) its written opinion."""
        actor = api_actor()
        consultation = services.get_visible_consultation(actor, consultation_id)
        services.submit_opinion(actor, consultation, data["opinion"])
        return annotated(consultation, consultation_machine, actor)


@blp.route("/consultations/<consultation_id>/transitions")
class ConsultationTransitions(MethodView):
    @versioned_change
    @blp.arguments(ConsultationTransitionSchema)
    @blp.doc(requestBody=one_of_body(ConsultationTransitionSchema))
    @blp.response(200, ConsultationSchema)
    def post(self, data, consultation_id):
        """request_opinions, record_minutes (minutes, conclusion, optional referrals), close."""
        actor = api_actor()
        consultation = services.get_visible_consultation(actor, consultation_id)
        data["version"] = if_match(consultation)
        consultation = services.transition_consultation(actor, consultation, data)
        return annotated(consultation, consultation_machine, actor), etag(consultation)

