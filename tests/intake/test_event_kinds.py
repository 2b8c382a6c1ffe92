"""intake.services.record_event writes only the kinds of intake.enums.EventKind (the enum or its value)."""
import uuid

import pytest
from sqlalchemy import select

from core.extensions import db
from intake.enums import EventKind
from intake.models import Complaint, ComplaintEvent
from intake.services import record_event
from tests.evidence.support import new_draft


@pytest.fixture
def complaint_id(api_login, create_user, rights_centre):
    return uuid.UUID(new_draft(api_login(create_user()))["id"])


def kinds(complaint_id):
    return db.session.scalars(select(ComplaintEvent.kind).where(ComplaintEvent.complaint_id == complaint_id)
                              .order_by(ComplaintEvent.id)).all()


def test_the_enum_or_its_value_is_written_as_the_value(app, complaint_id):
    with app.app_context():
        complaint = db.session.get(Complaint, complaint_id)
        record_event(complaint, None, EventKind.note, payload={"agency": "浦东新区市场监督管理局"})
        record_event(complaint, None, "supervision", trigger="supervise", public=False)
        db.session.commit()

        assert kinds(complaint_id) == ["created", "note", "supervision"]


@pytest.mark.parametrize("kind", ["no_such_kind", "Transition", "", None])
def test_an_unknown_kind_is_refused_and_nothing_is_written(app, complaint_id, kind):
    with app.app_context():
        complaint = db.session.get(Complaint, complaint_id)
        with pytest.raises(ValueError):
            record_event(complaint, None, kind)
        db.session.commit()

        assert kinds(complaint_id) == ["created"]
