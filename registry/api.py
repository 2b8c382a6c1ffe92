"""API of the registry (/api/v1): demonstration bases and the city's targets, the think tank and inviting its
experts to a consultation, the talent pool and the staffing of key cases. The same schemas and services as
the pages; every list in the cursor envelope."""
from flask.views import MethodView
from flask_smorest import Blueprint

from core.errors import NotFound
from core.pagination import window
from core.security import api_actor
from routing.consultations import get_visible_consultation

from . import access, bases, experts, talent
from .enums import BaseKind
from .schemas import (BaseListArgs, BasePageSchema, BaseRequest, BaseSchema, ExpertCreateRequest, ExpertListArgs,
                      ExpertPageSchema, ExpertRequest, ExpertSchema, InvitationsSchema, InviteExpertsRequest,
                      OfficerArgs, OfficerPageSchema, OfficerSchema, StaffListSchema, StaffRequest, TagRequest,
                      TargetsSchema)

blp = Blueprint("registry_api", __name__, description="Demonstration bases, the expert think tank, the talent pool")
NOT_FOR_YOU = {
    "bases": "Only supervisors and clerks read the registry of bases (supervisors keep it): anyone else is answered 404.",
    "experts": "Only supervisors and clerks read the think tank (supervisors keep it): anyone else is answered 404.",
    "talent": "Only supervisors and agency heads read the talent pool: anyone else is answered 404.",
}


def _with_count(base):
    base.complaints = bases.complaint_counts([base])[base.id]
    return base


@blp.route("/registry/bases")
class Bases(MethodView):
    @blp.arguments(BaseListArgs, location="query")
    @blp.alt_response(404, description=NOT_FOR_YOU["bases"])
    @blp.response(200, BasePageSchema)
    def get(self, args):
        """The demonstration zones, stations and points (supervisors: all; a clerk: its centre's), each with its
        complaints (a zone: its centre's; a station or point: its host enterprise's)."""
        actor = api_actor()
        filters = {k: args[k] for k in ("kind", "district", "industry", "status", "q")}
        found = bases.list_bases(actor, window(args, "registry_bases"), **filters)
        counts = bases.complaint_counts(found.items)
        for base in found.items:
            base.complaints = counts[base.id]
        return found.envelope()

    @blp.arguments(BaseRequest)
    @blp.alt_response(404, description=NOT_FOR_YOU["bases"])
    @blp.response(201, BaseSchema)
    def post(self, data):
        """Register a base (supervisors)."""
        return _with_count(bases.create_base(api_actor(), data))


@blp.route("/registry/bases/<base_id>")
class BaseItem(MethodView):
    @blp.response(200, BaseSchema)
    def get(self, base_id):
        return _with_count(bases.get_visible_base(api_actor(), base_id))

    @blp.arguments(BaseRequest)
    @blp.response(200, BaseSchema)
    def put(self, data, base_id):
        """Replace a base's fields, its status among them (supervisors)."""
        actor = api_actor()
        return _with_count(bases.update_base(actor, bases.get_visible_base(actor, base_id), data))


@blp.route("/registry/targets")
class Targets(MethodView):
    @blp.alt_response(404, description=NOT_FOR_YOU["bases"])
    @blp.response(200, TargetsSchema)
    def get(self):
        """The bases against the city's targets (REGISTRY_TARGETS: 100 points, 10 stations, 10 zones), per kind:
        those recognised or beyond, those under cultivation and what is still missing."""
        actor = api_actor()
        if not access.can_view_bases(actor):
            raise NotFound()
        table = bases.target_table(actor)
        return {"targets": [{**row, "kind": kind} for kind, row in zip(BaseKind, table.rows)]}


@blp.route("/experts")
class Experts(MethodView):
    @blp.arguments(ExpertListArgs, location="query")
    @blp.alt_response(404, description=NOT_FOR_YOU["experts"])
    @blp.response(200, ExpertPageSchema)
    def get(self, args):
        """The think tank (supervisors and clerks): by kind, found by name, affiliation or expertise."""
        return experts.list_experts(api_actor(), window(args, "experts"), kind=args["kind"], q=args["q"]).envelope()

    @blp.arguments(ExpertCreateRequest)
    @blp.alt_response(404, description=NOT_FOR_YOU["experts"])
    @blp.response(201, ExpertSchema)
    def post(self, data):
        """Profile an expert's account (supervisors): kind, affiliation, expertise, declared conflicts."""
        return experts.create_expert(api_actor(), data)


@blp.route("/experts/<expert_id>")
class ExpertItem(MethodView):
    @blp.response(200, ExpertSchema)
    def get(self, expert_id):
        return experts.get_visible_expert(api_actor(), expert_id)

    @blp.arguments(ExpertRequest)
    @blp.response(200, ExpertSchema)
    def put(self, data, expert_id):
        """Replace the profile and its declared conflicts (supervisors)."""
        actor = api_actor()
        return experts.update_expert(actor, experts.get_visible_expert(actor, expert_id), data)


@blp.route("/consultations/<consultation_id>/experts")
class ConsultationExperts(MethodView):
    @blp.arguments(InviteExpertsRequest)
    @blp.response(200, InvitationsSchema)
    def post(self, data, consultation_id):
        """Invite experts to the consultation (its convener's side: the centre's clerk, a supervisor). A declared
        conflict with the complaint's enterprise or an infringer (credit code or name) refuses it (422)."""
        actor = api_actor()
        consultation = get_visible_consultation(actor, consultation_id)
        experts.invite(actor, consultation, data["expert_ids"])
        return {"expert_invitations": consultation.expert_invitations}


@blp.route("/talent")
class Talent(MethodView):
    @blp.arguments(OfficerArgs, location="query")
    @blp.alt_response(404, description=NOT_FOR_YOU["talent"])
    @blp.response(200, OfficerPageSchema)
    def get(self, args):
        """The talent pool (supervisors: every agency's officers; an agency head: its own), with tags and the
        referrals each decided."""
        return talent.search_officers(api_actor(), window(args, "talent"), tag=args["tag"], q=args["q"],
                                      agency_id=args["agency_id"]).envelope()


@blp.route("/talent/<officer_id>/tags")
class OfficerTags(MethodView):
    @blp.arguments(TagRequest)
    @blp.response(200, OfficerSchema)
    def post(self, data, officer_id):
        """Tag an officer with a field of expertise (a supervisor, or the officer's agency head)."""
        actor = api_actor()
        officer = talent.get_visible_officer(actor, officer_id)
        talent.add_tag(actor, officer, data["tag"])
        return _officer(officer)

    @blp.arguments(TagRequest, location="query")
    @blp.response(200, OfficerSchema)
    def delete(self, data, officer_id):
        """Remove the tag ``?tag=`` (the same people)."""
        actor = api_actor()
        officer = talent.get_visible_officer(actor, officer_id)
        talent.remove_tag(actor, officer, data["tag"])
        return _officer(officer)


def _officer(officer):
    return {"officer": officer, "tags": talent.tags_of([officer.id]).get(officer.id, []),
            "cases_handled": talent.handled_counts([officer.id]).get(officer.id, 0)}


@blp.route("/supervisions/<supervision_id>/staff")
class SupervisionStaffList(MethodView):
    @blp.response(200, StaffListSchema)
    def get(self, supervision_id):
        """The officers staffing a key case (supervisors)."""
        return {"staff": talent.staff_of(talent.get_supervision(api_actor(), supervision_id))}

    @blp.arguments(StaffRequest)
    @blp.response(200, StaffListSchema)
    def post(self, data, supervision_id):
        """Assign officers of the talent pool to an active key case (supervisors)."""
        actor = api_actor()
        supervision = talent.get_supervision(actor, supervision_id)
        talent.staff(actor, supervision, data["officer_ids"])
        return {"staff": talent.staff_of(supervision)}
