"""API: the case file (卷宗) of a complaint as one streamed ZIP (routing/casefile.py)."""
from flask.views import MethodView
from flask_smorest import Blueprint

from core.openapi import file_answer
from core.security import api_actor

from . import casefile

blp = Blueprint("casefile", __name__, description="A complaint's whole file (卷宗) as one ZIP")


@blp.route("/complaints/<complaint_id>/case-file")
class CaseFile(MethodView):
    @blp.response(200, description="The case file as a ZIP")
    @blp.doc(**file_answer("application/zip", description="The case file: summary PDF, timeline, letters, outcomes, "
                                                           "minutes, signed receipts, the evidence decrypted with "
                                                           "their certificates and a signed manifest.json",
                           stored=True))
    def get(self, complaint_id):
        """Download the complaint's whole file (a clerk of its centre or a supervisor; anyone else: 404). Streamed;
        every download is audited and its signed manifest put in the deposit log. 410 when an evidence file is
        damaged in the vault (nothing is sent)."""
        return casefile.response(api_actor(), complaint_id)
