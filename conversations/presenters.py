"""What the thread partial (templates/conversations/_thread.html) shows, for the signed-in user."""
from flask_login import current_user

from .access import can_post_message, can_read_conversation
from .models import MAX_BODY
from .services import limits, messages_of


def thread_context(complaint, errors=None, values=None) -> dict:
    """The partial's data: whether it shows at all, the messages (newest last) and whether the form is
    offered (exactly when posting would be allowed: can_post_message)."""
    if complaint is None or not current_user.is_authenticated or not can_read_conversation(current_user, complaint):
        return {"readable": False}
    return {"readable": True, "messages": messages_of(current_user, complaint),
            "can_post": can_post_message(current_user, complaint), "max_body": MAX_BODY, "limits": limits(),
            "errors": errors or {}, "posted": values or {}}
