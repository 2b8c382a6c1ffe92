"""Two supervisors approve one draft at the same moment, and the first readers of the questionnaire arrive
together (PostgreSQL: real transactions). One approval wins, the other is 409; the questionnaire's version 1
is stored once and nobody gets a server error."""
import pytest
from sqlalchemy import func, select

from core.extensions import db
from tests.conftest import ApiClient
from tests.publication.support import concluded, make_world
from tests.threads import run_together


@pytest.fixture
def world(app, client):
    return make_world(app, client, code_base=6_500_000)


@pytest.mark.postgres_only
def test_one_of_two_simultaneous_approvals_wins(app, world):
    from accounts.enums import Role
    from accounts.models import Organisation
    from accounts.services import create_user, issue_api_token
    from tests.conftest import PASSWORD

    # a third supervisor drafts, so both racers may approve
    with app.app_context():
        office = db.session.get(Organisation, world.orgs["supervisor_office"])
        third = create_user(organisation=office, email="third@publication.example", name="第三位监管人员",
                            password=PASSWORD, role=Role.supervisor)
        token, _ = issue_api_token(third)
        db.session.commit()
    drafter = ApiClient(app.test_client(), token)
    case = drafter.post("/api/v1/typical-cases", json={"complaint_id": concluded(world)["id"], "industry": "other"})
    assert case.status_code == 201, case.get_json()
    case_id = case.get_json()["id"]
    clients = [ApiClient(app.test_client(), world.api(key).token) for key in ("supervisor", "supervisor2")]
    statuses = [None, None]

    def approve(who, barrier):
        barrier.wait(timeout=30)
        statuses[who] = clients[who].post(f"/api/v1/typical-cases/{case_id}/approve").status_code

    run_together(approve, (0, 1))
    assert sorted(statuses) == [200, 409]


@pytest.mark.postgres_only
def test_first_readers_of_the_questionnaire_store_one_version(app, world):
    from publication.models import Questionnaire

    statuses = []

    def read(_who, barrier):
        client = app.test_client()
        barrier.wait(timeout=30)
        statuses.append(client.get("/api/v1/questionnaires/current").status_code)

    run_together(read, range(4))
    assert statuses == [200] * 4
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Questionnaire)) == 1
