"""Key-case supervision (督办): the supervisor office instructs, the centre reports within rule S1."""
import re
import uuid

from sqlalchemy import select

from tests.agencies.web import Browser
from tests.routing.support import complaint_transition, ok, submit


def s1(app, complaint_id):
    from core.extensions import db
    from deadlines.models import Deadline

    with app.app_context():
        return db.session.scalar(select(Deadline).where(Deadline.complaint_id == uuid.UUID(complaint_id),
                                                        Deadline.subject_type == "supervision"))


def test_the_supervisor_supervises_and_the_centre_reports(app, world):
    complaint = submit(world)
    supervisor, clerk = world.api("supervisor"), world.api("clerk")
    url = f"/api/v1/complaints/{complaint['id']}/supervision"
    assert supervisor.get(url).status_code == 404  # not supervised yet
    assert clerk.post(url, json={"instructions": "x"}).status_code == 404  # clerks do not supervise
    assert supervisor.post(url, json={"instructions": " "}).status_code == 422
    created = ok(supervisor.post(url, json={"instructions": "请于十个工作日内报告办理进展。"}), 201)
    assert created["instructions"] == "请于十个工作日内报告办理进展。"
    assert supervisor.post(url, json={"instructions": "again"}).status_code == 409
    deadline = s1(app, complaint["id"])
    assert deadline.rule_code == "S1" and deadline.responsible_org_id == world.orgs["centre"]
    queue = ok(clerk.get("/api/v1/queue?key_case=true"))["items"]
    assert [c["id"] for c in queue] == [complaint["id"]]

    assert world.api("other_clerk").post(f"{url}/reports", json={"text": "x"}).status_code == 404
    assert clerk.post(f"{url}/reports", json={"text": ""}).status_code == 422
    reported = ok(clerk.post(f"{url}/reports", json={"text": "已受理并移送公安机关。"}))
    assert reported["last_report"] == "已受理并移送公安机关。"
    assert s1(app, complaint["id"]).state.value == "met"
    # the enterprise never sees the supervision in its timeline
    timeline = ok(world.api("enterprise").get(f"/api/v1/complaints/{complaint['id']}/timeline"))
    assert not [e for e in timeline if e["kind"] == "supervision"]


def test_a_withdrawn_complaint_cannot_be_supervised(app, world):
    complaint = submit(world)
    ok(world.api("enterprise").post(f"/api/v1/complaints/{complaint['id']}/withdraw", json={"reason": "和解"}))
    response = world.api("supervisor").post(f"/api/v1/complaints/{complaint['id']}/supervision",
                                            json={"instructions": "督办"})
    assert response.status_code == 409


def test_supervision_in_the_portal(app, world):
    complaint = submit(world)
    ok(complaint_transition(world.api("clerk"), complaint["id"], "claim"))
    page = f"/centre/complaints/{complaint['id']}"
    supervisor = Browser(app, world.users["supervisor"])
    html = supervisor.get(page)
    assert 'data-testid="supervise"' in html
    token = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
    assert supervisor.client.post(f"{page}/supervision", data={"csrf_token": token, "instructions": ""}
                                  ).status_code == 422
    assert supervisor.client.post(f"{page}/supervision", data={"csrf_token": token, "instructions": "加快办理"}
                                  ).status_code == 302
    clerk = Browser(app, world.users["clerk"])
    html = clerk.get(page)
    assert "加快办理" in html and 'data-testid="report-supervision"' in html
    token = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
    assert clerk.client.post(f"{page}/supervision/reports", data={"csrf_token": token, "text": "已办结"}
                             ).status_code == 302
    assert s1(app, complaint["id"]).state.value == "met"
