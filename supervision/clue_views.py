"""Clue linking's pages: the related complaints on the triage page (an include calling ``clue_panel``),
the clerk's link form, and the supervisors' city-wide picture (infringers with several complaints, a
graph of the complaints they link, each infringer's complaints with the forms a cluster may start)."""
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from markupsafe import Markup

from accounts.enums import Role
from core.errors import Conflict, ValidationFailed
from core.extensions import db
from core.http import form_version
from core.limits import page_arg
from core.pages import load, only, posted
from intake import services as intake
from intake.enums import COMPLAINT_STATE_LABELS
from routing.consultations import can_convene
from routing.supervision import can_supervise

from . import clues
from .clue_models import CLUE_KIND_LABELS, COMPLAINT_LINK_KIND_LABELS, ComplaintLinkKind
from .clue_schemas import LinkSchema
from .clue_svg import graph_rows, graph_svg

bp = Blueprint("clues", __name__)

PER_PAGE = 50
GRAPH_CLUSTERS = 8  # the overview's graph: the most named infringers' complaints


def _labels():
    return {"other_reference": _("Related complaint"), "kind": _("Link"), "message": _("Message to the enterprise"),
            "version": _("Version")}


@bp.app_context_processor
def _clue_labels():
    return {"CLUE_KIND_LABELS": CLUE_KIND_LABELS, "COMPLAINT_LINK_KIND_LABELS": COMPLAINT_LINK_KIND_LABELS,
            "CLUE_STATE_LABELS": COMPLAINT_STATE_LABELS}


@bp.app_template_global("clue_graph_rows")
def clue_graph_rows(graph):
    return graph_rows(graph)


@bp.app_template_global("clue_panel")
def clue_panel(complaint):
    """What the triage page's clue section shows this viewer (None: nothing for this viewer)."""
    actor = current_user
    if not clues.can_see_related(actor, complaint):
        return None
    found = clues.related(actor, complaint)
    return {
        "related": found, "links": clues.links_of(actor, complaint),
        "linkable": clues.linkable(actor, complaint, found),
        "can_duplicate": clues.can_close_as_duplicate(actor, complaint),
        "questions": _cluster_questions(complaint.reference, [r.reference for r in found]),
    }


def _cluster_questions(reference, references) -> str:
    if not references:
        return ""
    return _("Complaints %(references)s name the same suspected infringer as %(reference)s: how should they be "
             "handled together?", references=_(", ").join(references[:20]), reference=reference)


def _link_page(complaint, failure):
    db.session.rollback()
    complaint = intake.get_visible_complaint(current_user, complaint.id)
    return render_template("supervision/clue_link.html", complaint=complaint, panel=clue_panel(complaint),
                           errors=getattr(failure, "errors", {}), failure=failure, labels=_labels(),
                           values=request.form), failure.status


@bp.post("/centre/complaints/<complaint_id>/links")
@login_required
def link(complaint_id):
    only(Role.clerk)
    complaint = intake.get_visible_complaint(current_user, complaint_id, for_update=True)
    try:
        data = {**load(LinkSchema(), posted("other_reference", "kind", "message")), "version": form_version()}
        clues.link(current_user, complaint, data)
    except (ValidationFailed, Conflict) as exc:
        return _link_page(complaint, exc)
    if data["kind"] is ComplaintLinkKind.duplicate:
        flash(_("The complaint was closed as a duplicate; its enterprise has been told why."))
    else:
        flash(_("The complaints are linked as related; both stay open."))
    return redirect(url_for("centre.triage_page", complaint_id=complaint.id))


@bp.get("/supervision/clues")
@login_required
def clusters_page():
    only(Role.supervisor)
    found = clues.clusters(current_user)
    page = page_arg()
    shown = found[(page - 1) * PER_PAGE: page * PER_PAGE]
    top = [c.key_id for c in found[:GRAPH_CLUSTERS]]
    ids = clues.complaints_of_keys(top)
    picture = clues.graph(ids) if ids else None
    return render_template("supervision/clues.html", clusters=shown, total=len(found), page=page,
                           pages=max(1, -(-len(found) // PER_PAGE)), limit=clues.CLUSTER_LIMIT,
                           graph=picture, svg=graph_svg(picture, _("Complaints linked by shared suspected infringers"))
                           if picture else Markup(""))


@bp.get("/supervision/clues/<clue_id>")
@login_required
def cluster_page(clue_id):
    only(Role.supervisor)
    key, complaints = clues.get_cluster(current_user, clue_id)
    picture = clues.graph([c.id for c in complaints])
    references = [c.reference for c in complaints]
    rows = [{"complaint": c, "can_convene": can_convene(current_user, c),
             "can_supervise": can_supervise(current_user, c),
             "questions": _cluster_questions(c.reference, [r for r in references if r != c.reference]),
             "instructions": _("Supervise together with complaints %(references)s, which name the same suspected "
                               "infringer (%(infringer)s).", references=_(", ").join(
                                   [r for r in references if r != c.reference][:20]), infringer=key.label)}
            for c in complaints]
    return render_template("supervision/clue_cluster.html", key=key, rows=rows, graph=picture,
                           svg=graph_svg(picture, _("The complaints naming %(infringer)s and what else they share",
                                                    infringer=key.label)))


