"""Who may do what with the deposit log: named predicates used by the services, the pages and the API.

Everything the log publishes (the public key, the checkpoints, consistency proofs, the verification of a digest)
is public. An evidence file's certificate is shown to whoever may see the file itself (intake's rule, passed in
by app.py: evidence sits left of intake). Taking a checkpoint on demand is for administrators and supervisors.
"""
from accounts.enums import Role

CHECKPOINT_ROLES = frozenset({Role.admin, Role.supervisor})


def can_take_checkpoint(user) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and getattr(user, "role", None) in CHECKPOINT_ROLES


def init_app(app, find_visible_evidence) -> None:
    """``find_visible_evidence(actor, complaint_id, evidence_id)``: the evidence file if the actor may see it,
    else NotFound (intake's rule; app.py passes it in)."""
    app.extensions["evidence_visible"] = find_visible_evidence


def visible_evidence(actor, complaint_id, evidence_id):
    """The evidence file whose certificate the actor asks for, or NotFound (404) if they may not see the file."""
    from flask import current_app

    return current_app.extensions["evidence_visible"](actor, complaint_id, evidence_id)
