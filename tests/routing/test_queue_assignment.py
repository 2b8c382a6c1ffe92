"""Named assignment: the holder of a complaint, handing it to another clerk of the centre (routing.assignment).

can_reassign: the holder or a supervisor, while the complaint is claimed and open. Another clerk of the same
centre is refused (409, nothing changed); a clerk of another centre does not see the complaint (404). Only
the holder changes, never the state; the hand-over is an internal timeline row."""
import re
import uuid

from tests.accounts.web import csrf_token
from tests.agencies.web import Browser
from tests.routing.case_support import events
from tests.routing.support import complaint_transition, ok, snapshot, submit


def _holder(app, complaint_id):
    from core.extensions import db
    from intake.models import Complaint

    with app.app_context():
        complaint = db.session.get(Complaint, uuid.UUID(str(complaint_id)))
        return (str(complaint.claimed_by_id) if complaint.claimed_by_id else None, complaint.state.value,
                complaint.version)


def claimed(world, who="clerk") -> dict:
    complaint = submit(world, files=0)
    ok(complaint_transition(world.api(who), complaint["id"], "claim"))
    return complaint


def holder_url(complaint_id):
    return f"/centre/complaints/{complaint_id}/holder"


def test_the_holder_hands_the_complaint_to_another_clerk_and_only_the_holder_changes(app, world):
    complaint = claimed(world)
    cid = complaint["id"]
    before = _holder(app, cid)
    assert before[0] == str(world.users["clerk"]["id"])
    clerk = Browser(app, world.users["clerk"])
    triage = clerk.get(f"/centre/complaints/{cid}")
    assert 'data-testid="reassign-link"' in triage and "Held by clerk 用户." in triage

    form = clerk.form(holder_url(cid), holder_url(cid))
    offered = re.findall(r'<option value="([^"]+)">([^<]+)</option>', clerk.get(holder_url(cid)))
    assert offered == [(str(world.users["clerk2"]["id"]), "clerk2 用户")]  # the centre's other clerk only
    response = clerk.submit(holder_url(cid), holder_url(cid), clerk_id=str(world.users["clerk2"]["id"]))
    assert response.headers["Location"].endswith(f"/centre/complaints/{cid}")
    after = _holder(app, cid)
    assert after[0] == str(world.users["clerk2"]["id"]) and after[1] == before[1] == "triaging"
    assert after[2] == before[2] + 1
    assert form.fields["version"] == str(before[2])

    rows = [e for e in events(app, cid) if e.kind == "assignment"]
    assert len(rows) == 1 and rows[0].public is False and rows[0].trigger == "reassign"
    assert rows[0].payload["to_name"] == "clerk2 用户" and rows[0].payload["from_name"] == "clerk 用户"
    timeline = Browser(app, world.users["clerk2"]).get(f"/centre/complaints/{cid}")
    assert "Handed from clerk 用户 to clerk2 用户." in timeline
    assert "clerk2 用户" not in Browser(app, world.users["enterprise"]).get(f"/complaints/{cid}")

    # the old holder may no longer hand it over; the queue names the new holder
    assert 'data-testid="reassign-link"' not in clerk.get(f"/centre/complaints/{cid}")
    assert 'data-testid="not-allowed"' in clerk.get(holder_url(cid))
    assert "clerk2 用户" in clerk.get("/centre/queue")

    # the new holder is told, with a link to the complaint; nobody else is
    told = _notified(app, "complaint.assigned")
    assert told == [(str(world.users["clerk2"]["id"]), "complaint", cid)]
    assert f'href="/centre/complaints/{cid}"' in Browser(app, world.users["clerk2"]).get("/notifications")


def _notified(app, event):
    """(user id, subject type, subject id) of every in-app notification of ``event``, after the outbox is expanded."""
    from sqlalchemy import select

    from core.extensions import db
    from notifications.models import Notification
    from notifications.worker import expand_outbox

    with app.app_context():
        expand_outbox()
        db.session.commit()
        rows = db.session.scalars(select(Notification).where(Notification.event == event)).all()
        return [(str(n.user_id), n.subject_type, n.subject_id) for n in rows]


def test_a_clerk_of_the_centre_who_does_not_hold_it_is_refused_and_nothing_changes(app, world):
    complaint = claimed(world)
    cid = complaint["id"]
    other = Browser(app, world.users["clerk2"])
    assert 'data-testid="reassign-link"' not in other.get(f"/centre/complaints/{cid}")
    assert 'data-testid="reassign-form"' not in other.get(holder_url(cid))
    before = snapshot(app, cid)
    token = csrf_token(other.client, holder_url(cid))
    response = other.client.post(holder_url(cid), data={"csrf_token": token, "clerk_id": world.users["clerk2"]["id"]})
    assert response.status_code == 409
    assert snapshot(app, cid) == before and _holder(app, cid)[0] == str(world.users["clerk"]["id"])
    response = world.api("clerk2").put(f"/api/v1/complaints/{cid}/holder", json={"clerk_id": str(world.users["clerk2"]["id"])})
    assert response.status_code == 409 and snapshot(app, cid) == before


def test_another_centres_clerk_gets_404_and_cannot_be_the_new_holder(app, world):
    complaint = claimed(world)
    cid = complaint["id"]
    outsider = Browser(app, world.users["other_clerk"])
    outsider.get(holder_url(cid), status=404)
    before = snapshot(app, cid), _holder(app, cid)
    token = csrf_token(outsider.client, "/centre/queue")
    response = outsider.client.post(holder_url(cid), data={"csrf_token": token,
                                                           "clerk_id": world.users["other_clerk"]["id"]})
    assert response.status_code == 404
    assert world.api("other_clerk").put(f"/api/v1/complaints/{cid}/holder",
                                        json={"clerk_id": str(world.users["other_clerk"]["id"])}).status_code == 404
    # nor may the holder hand it to a clerk of another centre, or to someone who is no clerk
    for target in ("other_clerk", "supervisor", "enterprise"):
        response = world.api("clerk").put(f"/api/v1/complaints/{cid}/holder",
                                          json={"clerk_id": str(world.users[target]["id"])})
        assert response.status_code == 422, response.get_json()
        assert "clerk_id" in str(response.get_json())
    assert (snapshot(app, cid), _holder(app, cid)) == before


def test_a_supervisor_may_reassign_over_the_api_and_a_stale_version_is_refused(app, world):
    complaint = claimed(world)
    cid = complaint["id"]
    version = _holder(app, cid)[2]
    supervisor = world.api("supervisor")
    stale = supervisor.put(f"/api/v1/complaints/{cid}/holder", json={"clerk_id": str(world.users["clerk2"]["id"])},
                           headers={"If-Match": f'"{version - 1}"'})
    assert stale.status_code == 412 and _holder(app, cid)[0] == str(world.users["clerk"]["id"])
    body = ok(supervisor.put(f"/api/v1/complaints/{cid}/holder", json={"clerk_id": str(world.users["clerk2"]["id"])},
                             headers={"If-Match": f'"{version}"'}))
    assert body["state"] == "triaging" and body["version"] == version + 1
    assert _holder(app, cid)[0] == str(world.users["clerk2"]["id"])
    queue = ok(world.api("clerk2").get("/api/v1/queue"))
    [item] = [i for i in queue["items"] if i["id"] == cid]
    assert item["held_by"] == {"id": str(world.users["clerk2"]["id"]), "name": "clerk2 用户"}


def test_nobody_reassigns_an_unclaimed_or_finished_complaint(app, world):
    unclaimed = submit(world, files=0)
    response = world.api("supervisor").put(f"/api/v1/complaints/{unclaimed['id']}/holder",
                                           json={"clerk_id": str(world.users["clerk2"]["id"])})
    assert response.status_code == 409 and _holder(app, unclaimed["id"])[0] is None
    complaint = claimed(world)
    ok(world.api("enterprise").post(f"/api/v1/complaints/{complaint['id']}/withdraw", json={"reason": "已和解。"}))
    response = world.api("clerk").put(f"/api/v1/complaints/{complaint['id']}/holder",
                                      json={"clerk_id": str(world.users["clerk2"]["id"])})
    assert response.status_code == 409 and _holder(app, complaint["id"])[0] == str(world.users["clerk"]["id"])


def test_an_inactive_clerk_is_not_offered(app, world):
    from accounts.models import User
    from core.extensions import db

    complaint = claimed(world)
    with app.app_context():
        db.session.get(User, uuid.UUID(str(world.users["clerk2"]["id"]))).active = False
        db.session.commit()
    page = Browser(app, world.users["clerk"]).get(holder_url(complaint["id"]))
    assert "clerk2 用户" not in page and 'data-testid="no-clerks"' in page
