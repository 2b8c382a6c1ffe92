"""Pages: the inbox (/notifications), e-mail preferences, and the administrators' webhooks and dead deliveries.

The navigation bar's unread count comes from the context processor below: one COUNT query per page,
only when the page (base.html) asks for it.
"""
from flask import Blueprint, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from accounts.enums import OrgKind
from accounts.models import Organisation
from core.errors import NotFound, ValidationFailed
from core.extensions import db
from core.limits import page_arg
from core.security import safe_redirect_path

from . import services
from .events import EVENTS, events_for_role, render
from .links import link_for, reader_of_user
from .outbox import CASE_SUBJECTS

bp = Blueprint("notifications", __name__)

PER_PAGE = 30


@bp.app_context_processor
def unread_notifications_slot():
    def unread_notifications():
        if not current_user.is_authenticated:
            return 0
        if "unread_notifications" not in g:
            try:
                g.unread_notifications = services.unread_count(current_user.id)
            except SQLAlchemyError:  # e.g. an error page after a failed statement: the page matters more
                g.unread_notifications = 0
        return g.unread_notifications

    return {"unread_notifications": unread_notifications}


def _safe_link(notification, reader):
    """The notification's link for this reader (links.link_for), only if it is a path of this site."""
    link = link_for(notification, reader)
    return link if link is not None and safe_redirect_path(link.path, None) else None


@bp.get("/notifications")
@login_required
def inbox():
    page = page_arg()
    rows, total = services.inbox(current_user, page=page, per_page=PER_PAGE)
    # rendered now, in the language of the page (the reader's choice); each links to what it is about
    reader = reader_of_user(current_user)
    items = [(n, *render(n.event, n.params), _safe_link(n, reader)) for n in rows]
    return render_template("notifications/inbox.html", items=items, total=total, page=page, per_page=PER_PAGE)


@bp.post("/notifications/<int:notification_id>/read")
@login_required
def mark_read(notification_id):
    notification = services.mark_read(current_user, notification_id)
    link = _safe_link(notification, reader_of_user(current_user)) if request.form.get("open") else None
    if link is not None:
        return redirect(link.path)
    return redirect(url_for("notifications.inbox", page=page_arg("page", request.form)))


@bp.post("/notifications/read-all")
@login_required
def mark_all_read():
    services.mark_all_read(current_user)
    return redirect(url_for("notifications.inbox"))


@bp.route("/notifications/preferences", methods=["GET", "POST"])
@login_required
def preferences():
    errors = {}
    if request.method == "POST":
        try:
            services.set_email_preferences(current_user, set(request.form.getlist("email")))
        except ValidationFailed as exc:
            errors = exc.errors
        else:
            flash(_("Your notification preferences are saved."))
            return redirect(url_for("notifications.preferences"))
    return render_template("notifications/preferences.html", events=events_for_role(current_user.role),
                           wanted=services.email_preferences(current_user), errors=errors), (422 if errors else 200)


# --- administrators ----------------------------------------------------------------------------------

def _webhooks_page(errors=None, form=None, created=None, secret=None, status=200):
    organisations = db.session.scalars(select(Organisation).where(Organisation.kind != OrgKind.enterprise)
                                       .order_by(Organisation.name)).all()
    return render_template("notifications/webhooks.html", endpoints=services.list_webhooks(),
                           organisations=organisations, errors=errors or {}, form=form or {},
                           created=created, secret=secret), status


@bp.get("/admin/webhooks")
@login_required
def webhooks():
    services.require_admin(current_user)
    return _webhooks_page()


@bp.post("/admin/webhooks")
@login_required
def create_webhook():
    services.require_admin(current_user)
    form = {"organisation_id": request.form.get("organisation_id", ""), "url": request.form.get("url", "")}
    try:
        endpoint, secret = services.create_webhook(current_user, form["organisation_id"], form["url"])
    except ValidationFailed as exc:
        return _webhooks_page(errors=exc.errors, form=form, status=422)
    # the secret is shown on this answer only: it is not a redirect, and never shown again
    return _webhooks_page(created=endpoint, secret=secret, status=201)


@bp.post("/admin/webhooks/<endpoint_id>/delete")
@login_required
def delete_webhook(endpoint_id):
    endpoint = services.get_webhook(current_user, endpoint_id)
    services.delete_webhook(current_user, endpoint)
    flash(_("The webhook is deleted."))
    return redirect(url_for("notifications.webhooks"))


@bp.get("/admin/deliveries")
@login_required
def deliveries():
    services.require_admin(current_user)
    page = page_arg()
    rows, counts = services.failed_deliveries(page=page, per_page=PER_PAGE)
    return render_template("notifications/deliveries.html", rows=rows, counts=counts, page=page, per_page=PER_PAGE,
                           subjects={d.id: delivery_subject_for_admin(d) for d in rows})


def delivery_subject_for_admin(delivery) -> str:
    """An administrator sees no case: for a case's event, the event's name without its parameters
    (no reference, enterprise, instructions or report); otherwise the subject line."""
    if delivery.subject_type in CASE_SUBJECTS or delivery.event not in EVENTS:
        return str(EVENTS[delivery.event].label) if delivery.event in EVENTS else delivery.event
    return render(delivery.event, delivery.params)[0]


@bp.post("/admin/deliveries/<int:delivery_id>/retry")
@login_required
def retry_delivery(delivery_id):
    services.require_admin(current_user)
    delivery = services.find_delivery(delivery_id)
    if delivery is None:
        raise NotFound()
    services.retry_delivery(current_user, delivery)
    flash(_("The delivery will be sent again shortly."))
    return redirect(url_for("notifications.deliveries", page=page_arg("page", request.args)))
