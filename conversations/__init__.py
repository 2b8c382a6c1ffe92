"""A conversation on each complaint between the enterprise and its centre (issue 9): messages with
attachments kept in the evidence vault, both sides notified. The package wires itself (init_app)."""


def init_app(app) -> None:
    """The thread partial's data for the enterprise's complaint page and the centre's triage page, which
    include templates/conversations/_thread.html without their views knowing of conversations."""
    from .presenters import thread_context

    app.jinja_env.globals["conversation_thread"] = thread_context
