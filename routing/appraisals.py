"""Appraisals (鉴定): testing, forensic appraisal or the right holder's identification, commissioned by
the agency, stop its clock while they last — the SAMR procedure rules exclude appraisal time from the
handling period. An acknowledged referral's decision clock (A1, the police's T4) and an opened case's
clock (A2) pause when the appraisal is requested and run again, their due time moved by the time it
took, when it is returned. ``appraisal_actions`` is the one predicate the service, the agency's page and
its API ask: the page shows a button exactly when the action would succeed.
"""
from flask_babel import gettext as _

from accounts.enums import AGENCY_ROLES, OrgKind
from core.errors import Conflict, NotFound
from core.models import utcnow
from deadlines import services as deadlines
from intake.services import record_event

from .effects import ENDED, sync_due
from .enums import ReferralState as R
from .machines import referral_machine
from .models import Referral

ACTIONS = ("requested", "returned")
# the clock an appraisal stops, by the referral's state and the agency's kind
PAUSED_CLOCKS = {
    R.acknowledged: {OrgKind.market_regulation: "A1", OrgKind.public_security: "T4"},
    R.accepted: {OrgKind.market_regulation: "A2"},
}


def may_record_appraisal(actor, referral: Referral) -> bool:
    """An officer or the head of the agency the referral was sent to (anyone else: 404)."""
    return getattr(actor, "role", None) in AGENCY_ROLES and actor.organisation_id == referral.agency_id


def appraisal_clock(referral: Referral):
    """The running clock an appraisal would stop now (a Deadline), or None."""
    code = PAUSED_CLOCKS.get(referral.state, {}).get(referral.agency.kind)
    if code is None:
        return None
    running = deadlines.running("referral", referral.id, [code])
    return running[0] if running else None


def appraisal_actions(actor, referral: Referral) -> list[str]:
    """What the actor may record now: ["requested"] while the clock runs, ["returned"] while it is paused."""
    if not may_record_appraisal(actor, referral) or referral.complaint.state in ENDED:
        return []
    clock = appraisal_clock(referral)
    if clock is None:
        return []
    return ["returned"] if clock.paused_at is not None else ["requested"]


def record_appraisal(actor, referral: Referral, action: str, note: str | None = None) -> Referral:
    """Record that an appraisal was requested (the clock stops) or returned (it runs again)."""
    if not may_record_appraisal(actor, referral):
        raise NotFound()
    allowed = appraisal_actions(actor, referral)
    if action not in allowed:
        if appraisal_clock(referral) is None or referral.complaint.state in ENDED:
            message = _("An appraisal pauses the decision of an acknowledged referral or the handling of an "
                        "opened case; this referral has no such clock running.")
        elif action == "requested":
            message = _("An appraisal is already under way.")
        else:
            message = _("No appraisal is under way.")
        raise Conflict(message, state=referral.state.value, allowed_actions=allowed,
                       allowed_triggers=referral_machine.allowed_triggers(referral, actor))
    clock = appraisal_clock(referral)
    if action == "requested":
        deadlines.pause("referral", referral.id, [clock.rule_code])
    else:
        deadlines.resume("referral", referral.id, [clock.rule_code])
    record_event(referral.complaint, actor, "appraisal", trigger=f"appraisal_{action}", referral_id=referral.id,
                 reason=(note or "").strip() or None, public=False,
                 payload={"agency": referral.agency.name, "rule": clock.rule_code})
    referral.updated_at = utcnow()
    sync_due(referral_machine, referral)
    return referral
