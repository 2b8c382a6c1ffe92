"""API: a complaint's related complaints across the city, the clerk's links, the supervisors' clues."""
from flask.views import MethodView
from flask_smorest import Blueprint

from core.errors import NotFound
from core.http import if_match, versioned_change
from core.pagination import CursorArgs, page_list, page_schema, window
from core.security import api_actor
from intake import services as intake

from . import clues
from .clue_schemas import ClusterSchema, LinkOutSchema, LinkSchema, RelatedSchema

blp = Blueprint("clue_api", __name__, description="Clue linking across the city: complaints naming the same "
                                                  "suspected infringer")

RelatedPage = page_schema(RelatedSchema, "RelatedComplaintPage")
ClusterPage = page_schema(ClusterSchema, "ClueClusterPage")


def _related_complaint(actor, complaint_id):
    complaint = intake.get_visible_complaint(actor, complaint_id)
    if not clues.can_see_related(actor, complaint):
        raise NotFound()
    return complaint


@blp.route("/complaints/<complaint_id>/related")
class RelatedComplaints(MethodView):
    @blp.arguments(CursorArgs, location="query")
    @blp.response(200, RelatedPage)
    def get(self, args, complaint_id):
        """The complaints naming the same suspected infringer, city-wide (a clerk of the complaint's centre or a
        supervisor; anyone else: 404), the most recent first: each as far as the viewer may see it (another
        centre's complaint without its id or enterprise)."""
        actor = api_actor()
        complaint = _related_complaint(actor, complaint_id)
        found = clues.related(actor, complaint)
        return page_list(found, window(args, "related", complaint.id),
                         key=lambda r: (r.reference,)).envelope()


@blp.route("/complaints/<complaint_id>/links")
class ComplaintLinks(MethodView):
    @versioned_change
    @blp.arguments(LinkSchema())
    @blp.response(201, LinkOutSchema())
    @blp.alt_response(409, description="The complaint can no longer be closed as a duplicate: the body lists the "
                                       "triggers allowed to you")
    def post(self, data, complaint_id):
        """Mark the complaint a duplicate of a related complaint (it is closed, its enterprise told the message)
        or related to it (both stay open): a clerk of the complaint's centre (anyone else: 404)."""
        actor = api_actor()
        complaint = _related_complaint(actor, complaint_id)
        complaint = intake.get_visible_complaint(actor, complaint.id, for_update=True)
        data["version"] = if_match(complaint)
        return clues.link(actor, complaint, data)


@blp.route("/clues")
class Clusters(MethodView):
    @blp.arguments(CursorArgs, location="query")
    @blp.response(200, ClusterPage)
    @blp.alt_response(404, description="Not a supervisor: the clues are the supervisor office's")
    def get(self, args):
        """Suspected infringers named by several complaints, the most named first (supervisors; anyone else:
        404). At most the 1,000 most named."""
        actor = api_actor()
        return page_list(clues.clusters(actor), window(args, "clues"),
                         key=lambda c: (-c.count, c.key_id)).envelope()
