"""API for agencies (with a bearer token or a long-lived API key): referrals, notes, shared evidence."""
from flask import url_for
from flask.views import MethodView
from flask_smorest import Blueprint

from core.http import etag, if_match, versioned_change, versioned_read
from core.openapi import file_answer
from core.pagination import CursorArgs, page_list, page_schema, window
from core.security import api_actor
from intake.downloads import evidence_response
from evidence.services import open_for_download
from routing import appraisals, letters, receipts, services, steps
from routing.effects import annotated
from routing.enums import OPEN_REFERRAL_STATES, ReferralState
from routing.machines import referral_machine
from deadlines.schemas import DeadlineSchema
from deadlines import services as deadlines
from routing.schemas import (AppraisalSchema, NoteOutSchema, NoteSchema, ReferralListArgs, ReferralPageSchema, ReferralSchema,
                             ReferralTransitionSchema, StepSchema, one_of_body)

from .schemas import ReferralDetailSchema

blp = Blueprint("referrals", __name__, description="Referrals as the agencies see and decide them")

NotePage = page_schema(NoteOutSchema, "NotePage")


def with_steps(referral, actor):
    referral.allowed_steps = steps.allowed_steps(referral, actor)
    referral.allowed_appraisal_actions = appraisals.appraisal_actions(actor, referral)
    return referral


def with_details(referral, actor):
    """The referral's letter as data (routing.letters.letter_data: what the letter is rendered from), with where
    to fetch the letter and, for the referral's own agency, each shared file."""
    data = letters.letter_data(referral)
    downloadable = services.can_download_shared_evidence(actor, referral)
    for evidence in data["evidence"]:
        evidence["download_url"] = url_for("referrals.SharedEvidence", referral_id=referral.id,
                                           evidence_id=evidence["id"]) if downloadable else None
    data["html_url"] = url_for("routing.Letter", referral_id=referral.id)
    data["pdf_url"] = url_for("routing.LetterPdf", referral_id=referral.id)
    referral.details = data
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
        found = services.list_referrals(actor, states=states, q=args["q"], window=window(args, "referrals"))
        found.items = [annotated(r, referral_machine, actor) for r in found.items]
        return found.envelope()


@blp.route("/referrals/<referral_id>")
class ReferralItem(MethodView):
    @versioned_read
    @blp.response(200, ReferralDetailSchema)
    def get(self, referral_id):
        """One referral with everything its letter says, as fields: the complaint's facts, amounts (decimal
        strings), acts, remedies, infringers with their credit codes and an earlier penalty decision, the
        centre's contact, the shared evidence (name, size, media type, SHA-256, download URL for the
        referral's own agency) and the letter's links. The ETag carries its version."""
        actor = api_actor()
        referral = services.get_visible_referral(actor, referral_id)
        receipts.opened_by(referral, actor)  # the agency's first look: a signed receipt, once
        return with_details(with_steps(annotated(referral, referral_machine, actor), actor), actor), etag(referral)


@blp.route("/referrals/<referral_id>/transitions")
class ReferralTransitions(MethodView):
    @versioned_change
    @blp.arguments(ReferralTransitionSchema)
    @blp.doc(requestBody=one_of_body(ReferralTransitionSchema))
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
    @blp.doc(requestBody=one_of_body(StepSchema))
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
    @blp.arguments(CursorArgs, location="query")
    @blp.response(200, NotePage)
    def get(self, args, referral_id):
        """Progress notes, oldest first (the enterprise sees only the public ones)."""
        actor = api_actor()
        referral = services.get_visible_referral(actor, referral_id)
        return page_list(services.notes_for(actor, referral), window(args, "notes", referral.id),
                         key=lambda note: (note.id,)).envelope()

    @blp.arguments(NoteSchema)
    @blp.response(201, NoteOutSchema)
    def post(self, data, referral_id):
        actor = api_actor()
        referral = services.get_visible_referral(actor, referral_id)
        return services.add_note(actor, referral, data["text"], data["public"])


@blp.route("/referrals/<referral_id>/evidence/<evidence_id>")
class SharedEvidence(MethodView):
    @blp.response(200, description="A shared evidence file, decrypted, as an attachment (audited)")
    @blp.doc(**file_answer("*/*", description="The decrypted file, as an attachment (its own media type)", stored=True))
    def get(self, referral_id, evidence_id):
        actor = api_actor()
        referral = services.get_visible_referral(actor, referral_id)
        evidence = services.shared_evidence_for(actor, referral, evidence_id)
        return evidence_response(evidence, open_for_download(evidence, actor))
