"""The monthly bulletin: figures frozen from the hand-counted November, sent to the organisations it names
through the outbox, readable by them and by supervisors only, downloadable as a Chinese PDF."""
import re

import pytest
import time_machine

from tests.accounts.web import csrf_token, web_login
from tests.pdfcheck import fonts, text
from tests.supervision import assessment_world
from tests.supervision.assessment_world import NOW


@pytest.fixture
def world(app, create_org, create_user):
    return assessment_world.build(app, create_org, create_user)


def _issue(app, world, month="2026-11"):
    from accounts.models import User
    from core.extensions import db
    from supervision.bulletin import issue_bulletin

    with app.test_request_context():
        bulletin = issue_bulletin(db.session.get(User, world.supervisor["id"]), month, now=NOW)
        db.session.commit()
        return bulletin.id


def test_the_bulletin_freezes_the_hand_counted_figures_and_names_the_organisations(app, world):
    from core.extensions import db
    from core.outbox import OutboxEvent
    from sqlalchemy import select
    from supervision.assessment_models import Bulletin

    bulletin_id = _issue(app, world)
    with app.app_context():
        bulletin = db.session.get(Bulletin, bulletin_id)
        data = bulletin.data
        assert data["headline"] == {"complaints_submitted": 4, "referrals_sent": 4, "deadlines_due": 6,
                                    "deadlines_on_time": 3, "on_time_rate": "0.5000"}
        assert [r["name"] for r in data["league"]["centre"]] == ["乙中心", "甲中心"]
        assert data["league"]["centre"][1]["below"] == ["on_time_rate"]
        # running past due on 5 December: d8 (open) and d3 (breached, still running)
        assert data["overdue"] == [{"org_id": str(world.a2), "name": "乙公安分局", "count": 1},
                                   {"org_id": str(world.c1), "name": "甲中心", "count": 1}]
        # commended: the top of each league below no floor (乙中心 is below the satisfaction floor)
        assert [c["name"] for c in data["commendations"]] == ["甲市场监管局"]
        assert set(bulletin.organisation_ids) == {str(world.c1), str(world.c2), str(world.a1), str(world.a2)}
        sent = db.session.scalars(select(OutboxEvent).where(OutboxEvent.event == "bulletin.issued")).all()
        assert len(sent) == 1 and set(sent[0].organisation_ids) == set(bulletin.organisation_ids)
        assert sent[0].url == f"/supervision/bulletins/{bulletin_id}"


def test_a_month_gets_one_bulletin_once_it_has_ended(app, world):
    from core.errors import ValidationFailed

    _issue(app, world)
    for month in ("2026-11", "2026-12", "11/2026"):
        with pytest.raises(ValidationFailed) as refused:
            _issue(app, world, month)
        assert list(refused.value.errors) == ["month"]


def test_named_organisations_and_supervisors_read_it_others_get_404(app, client, world, create_user):
    bulletin_id = _issue(app, world)
    outsider_centre = create_user("clerk")
    for user, status in ((world.clerk, 200), (world.officer2, 200), (world.supervisor, 200),
                         (outsider_centre, 404), (world.enterprise, 404), (world.admin, 404)):
        with app.test_client() as c:
            web_login(c, user)
            assert c.get(f"/supervision/bulletins/{bulletin_id}").status_code == status, user
            assert c.get(f"/supervision/bulletins/{bulletin_id}/pdf").status_code == status, user
            assert c.get("/supervision/bulletins").status_code == (200 if user is world.supervisor else 404)


def test_the_pdf_is_chinese_with_its_font_embedded(app, client, world):
    bulletin_id = _issue(app, world)
    web_login(client, world.supervisor)
    response = client.get(f"/supervision/bulletins/{bulletin_id}/pdf", headers={"Accept-Language": "zh"})
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert all(embedded for _name, embedded in fonts(response.data))
    body = text(response.data)
    assert "甲中心" in body and "乙公安分局" in body and "2026-11" in body


def test_a_supervisor_issues_it_on_the_page_and_a_refused_month_saves_nothing(app, client, world):
    from core.extensions import db
    from sqlalchemy import func, select
    from supervision.assessment_models import Bulletin

    with time_machine.travel(NOW, tick=False):
        web_login(client, world.supervisor)
        token = csrf_token(client, "/supervision/bulletins")
        refused = client.post("/supervision/bulletins", data={"csrf_token": token, "month": "2026-12"})
        assert refused.status_code == 422 and 'data-testid="error-summary"' in refused.get_data(as_text=True)
        issued = client.post("/supervision/bulletins", data={"csrf_token": token, "month": "2026-11"})
        assert issued.status_code == 302
        with app.app_context():
            assert db.session.scalar(select(func.count()).select_from(Bulletin)) == 1
        page = client.get(issued.headers["Location"]).get_data(as_text=True)
    assert "乙中心" in page and re.search(r'data-testid="bulletin-pdf"', page)
