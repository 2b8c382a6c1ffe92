"""Where a notification leads: the page of the complaint, referral or consultation it is about, as its
reader sees it (an enterprise its complaint page, a clerk the triage page, an agency its referral).

The link depends on the reader, and on objects this package does not know (it imports none of the
packages that use it): the package that owns a subject type registers a resolver for it
(``register_link``; routing does, in routing/links.py). A link is resolved when it is shown or sent —
the inbox in the reader's session, an e-mail or a webhook at delivery — so it is always the reader's
current view, and a reader who may no longer see the object gets no link. An explicit ``url`` given to
notify() (a reset link, the sign-in page) wins.
"""
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from flask import current_app
from flask_babel import lazy_gettext as _l

from accounts.enums import Role


@dataclass(frozen=True)
class Reader:
    """Who follows the link: a user (its role and organisation), or an organisation as a whole (a webhook:
    ``role`` is the role of its staff, e.g. an agency's officers)."""

    role: Role | None
    organisation_id: uuid.UUID | None
    id: uuid.UUID | None = None  # the user's own (an expert sees the consultations it is invited to)


@dataclass(frozen=True)
class Link:
    path: str
    kind: str  # complaint | referral | consultation, or page (an explicit url): which label the link gets

    @property
    def label(self) -> str:
        return str(LINK_LABELS.get(self.kind, LINK_LABELS["page"]))


LINK_LABELS = {
    "page": _l("Open"),
    "complaint": _l("Open the complaint"),
    "referral": _l("Open the referral"),
    "consultation": _l("Open the consultation"),
}

Resolver = Callable[[str, dict, Reader], "Link | None"]
_RESOLVERS: dict[str, Resolver] = {}


def register_link(subject_type: str, resolve: Resolver) -> None:
    """``resolve(subject_id, params, reader)`` gives the Link for that reader, or None (nothing it may see)."""
    _RESOLVERS[subject_type] = resolve


def reader_of_user(user) -> Reader:
    return Reader(role=user.role, organisation_id=user.organisation_id, id=user.id)


def reader_of_organisation(organisation) -> Reader:
    """A webhook's receiver: an agency is read as its officers, any other body as nobody in particular."""
    return Reader(role=Role.agency_officer if organisation.is_agency else None, organisation_id=organisation.id)


def path_for(endpoint: str, **values) -> str:
    """A path of this site, also outside a request (the delivery worker): url_for needs a request or SERVER_NAME."""
    return current_app.url_map.bind("").build(endpoint, values)


def link_for(row, reader: Reader | None) -> Link | None:
    """The link of a Notification or OutboxDelivery ``row`` for ``reader``: its explicit url, else its subject's
    page as the registered resolver finds it for the reader (none without a reader: a bare address)."""
    if row.url:
        return Link(row.url, "page")
    resolve = _RESOLVERS.get(row.subject_type or "")
    if resolve is None or not row.subject_id or reader is None:
        return None
    return resolve(row.subject_id, row.params or {}, reader)
