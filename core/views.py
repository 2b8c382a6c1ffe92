"""Home page, health check, the locally served interactive API page and the API's labels."""
from flask import Blueprint, redirect, render_template
from flask.views import MethodView
from flask_login import current_user
from flask_smorest import Blueprint as ApiBlueprint
from marshmallow import fields

from .openapi import enumerations
from .pages import start_page_for
from .schemas import LabelTextsSchema, OutSchema

bp = Blueprint("core", __name__)
api_docs_bp = Blueprint("api_docs", __name__)
labels_blp = ApiBlueprint("labels", __name__, description="The labels of every coded value")


class LabelsSchema(OutSchema):
    enumerations = fields.Dict(keys=fields.String(), values=fields.Dict(keys=fields.String(),
                                                                        values=fields.Nested(LabelTextsSchema)),
                               required=True, metadata={
        "description": "Each enumeration (by the name its fields' x-labels come from) -> value -> its labels."})


@labels_blp.route("/labels")
class Labels(MethodView):
    @labels_blp.response(200, LabelsSchema)
    @labels_blp.doc(security=[])
    def get(self):
        """Every enumeration of the API (states, triggers, steps, reasons, kinds, districts...) with its Chinese
        and English labels. Public: the labels are what the portal shows anyone, and a client needs them before
        it signs in. The same labels are the ``x-labels`` of each coded field in this document."""
        return {"enumerations": enumerations()}


@bp.get("/")
def index():
    if current_user.is_authenticated:
        start = start_page_for(current_user)
        if start:
            return redirect(start)
    return render_template("core/index.html")


@bp.get("/healthz")
def healthz():
    return {"status": "ok"}


@api_docs_bp.get("/api/v1/docs")
def api_docs():
    return render_template("core/api_docs.html")
