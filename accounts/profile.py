"""One's own contact details: name, phone and preferred language (of the pages and of the e-mails)."""
from core.audit import audit
from core.errors import NotFound

from .access import can_edit_contact_details
from .models import User


def update_contact_details(actor: User, data: dict) -> User:
    """``data`` as ContactDetailsSchema loads it. The e-mail address is the sign-in name and stays."""
    if not can_edit_contact_details(actor):
        raise NotFound()
    changed = sorted(key for key in ("name", "phone", "language") if getattr(actor, key) != data.get(key))
    for key in changed:
        setattr(actor, key, data.get(key))
    if changed:
        audit("account.details_changed", actor=actor, subject_type="user", subject_id=actor.id, fields=changed)
    return actor
