"""A second step before an irreversible action, on a page that works without JavaScript.

A view of an irreversible action (withdraw, conclude, delete a calendar day, revoke a key) begins with

    if (page := confirmation_page(title=..., message=..., button=..., cancel_url=...)) is not None:
        return page

The first POST (from the button on the object's page) answers a page that states what will happen, with
the posted fields carried as hidden inputs and a confirm button; the second POST carries confirmed=yes
and goes on to the action. Nothing is changed before the person has confirmed."""
from flask import render_template, request

CONFIRM_FIELD = "confirmed"


def confirmed() -> bool:
    return request.form.get(CONFIRM_FIELD) == "yes"


def confirmation_page(*, title, message, button, cancel_url, details=()):
    """None when the request is confirmed; otherwise the confirmation page to answer (200, nothing changed)."""
    if confirmed():
        return None
    fields = [(name, value) for name, values in request.form.lists() if name not in ("csrf_token", CONFIRM_FIELD)
              for value in values]
    return render_template("core/confirm.html", title=title, message=message, button=button,
                           cancel_url=cancel_url, details=details, fields=fields, action=request.path)
