"""Helpers: self-registration through its e-mail confirmation (the link is read from the outbox row)."""
from sqlalchemy import select

from core.extensions import db
from core.outbox import OutboxEvent


def confirmation_path(app, email: str) -> str:
    """The path of the newest confirmation link queued for ``email``."""
    with app.app_context():
        rows = db.session.scalars(select(OutboxEvent).where(OutboxEvent.event == "registration.confirm")
                                  .order_by(OutboxEvent.id.desc())).all()
    for row in rows:
        if row.params.get("email_to") == email.strip().lower():
            return row.url
    raise AssertionError(f"no confirmation link for {email}")


def confirmation_token(app, email: str) -> str:
    return confirmation_path(app, email).rsplit("/", 1)[1]


def register_over_api(app, client, data: dict, **kw):
    """POST /api/v1/enterprises, then confirm with the e-mailed token: the confirmation's answer."""
    response = client.post("/api/v1/enterprises", json=data, **kw)
    assert response.status_code == 202, response.get_json()
    return client.post("/api/v1/enterprises/confirmations", json={"token": confirmation_token(app, data["email"])})
