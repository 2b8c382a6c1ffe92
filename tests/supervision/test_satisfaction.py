"""Satisfaction (issue 11): the enterprise rates a concluded complaint once, within the period; a dissatisfied
rating reopens it for its centre's review (R1), which the centre records; a reminder goes out once; rates()
counts hand-counted fixtures. Everyone else gets 404, and refused input leaves nothing behind."""
import datetime as dt
import uuid

import pytest
import time_machine
from sqlalchemy import func, select

from tests.accounts.web import field_errors
from tests.evidence.support import csrf_token, web_login
from tests.routing.conftest import world  # noqa: F401 - the fixture
from tests.routing.support import accepted, complaint_transition, ok
from tests.paging import every

OUTSIDERS = ["other_enterprise", "other_clerk", "police", "amr_city_head", "admin"]
T0 = "2027-03-01 02:00:00+00:00"


def concluded(world) -> str:
    """A complaint the centre concluded with guidance (its id)."""
    complaint = accepted(world)
    ok(complaint_transition(world.api("clerk"), complaint["id"], "resolve", message="已提供维权指导。"))
    return complaint["id"]


def rating_url(cid):
    return f"/api/v1/complaints/{cid}/satisfaction"


def rate(world, cid, rating, comment=None, who="enterprise"):
    body = {"rating": rating} if comment is None else {"rating": rating, "comment": comment}
    return world.api(who).post(rating_url(cid), json=body)


def review(world, cid, action, who="clerk"):
    return world.api(who).post(f"{rating_url(cid)}/review", json={"action": action})


def state(world, cid, who="enterprise"):
    return ok(world.api(who).get(f"/api/v1/complaints/{cid}"))["state"]


def db_rows(app, model, *conditions):
    from core.extensions import db

    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model).where(*conditions))


def outbox(app, event):
    from core.extensions import db
    from core.outbox import OutboxEvent

    with app.app_context():
        return [(row.organisation_ids, row.params) for row in db.session.scalars(
            select(OutboxEvent).where(OutboxEvent.event == event).order_by(OutboxEvent.id))]


def deadline(app, cid, code):
    from core.extensions import db
    from deadlines.models import Deadline

    with app.app_context():
        return db.session.scalars(select(Deadline).where(Deadline.complaint_id == uuid.UUID(cid),
                                                         Deadline.rule_code == code)).all()


def test_the_enterprise_rates_once_and_the_parties_see_it(app, world):
    from supervision.models import SatisfactionRating

    cid = concluded(world)
    before = ok(world.api("enterprise").get(rating_url(cid)))
    assert before["rating"] is None and before["can_rate"] and before["rate_by"] and not before["can_review"]
    assert not ok(world.api("clerk").get(rating_url(cid)))["can_rate"]
    answer = ok(rate(world, cid, "basically_satisfied", "处理及时。"), 201)
    assert not answer["can_rate"] and answer["rate_by"] is None
    answer = answer["rating"]
    assert answer["rating"] == "basically_satisfied" and answer["comment"] == "处理及时。"
    assert answer["review"] is None and answer["centre_id"] == world.org("centre")
    assert state(world, cid) == "concluded"  # only dissatisfaction reopens it
    # once: a second rating is refused and nothing changes
    assert rate(world, cid, "dissatisfied", "不满意。").status_code == 409
    assert db_rows(app, SatisfactionRating) == 1
    for who in ("enterprise", "clerk", "clerk2", "supervisor"):
        assert ok(world.api(who).get(rating_url(cid)))["rating"]["rating"] == "basically_satisfied", who
    for who in OUTSIDERS:
        assert world.api(who).get(rating_url(cid)).status_code == 404, who
        assert rate(world, cid, "satisfied", who=who).status_code == 404, who
    listed = every(world.api("clerk"), "/api/v1/satisfaction-ratings")
    assert [r["complaint_id"] for r in listed] == [cid]
    assert every(world.api("other_clerk"), "/api/v1/satisfaction-ratings") == []
    assert every(world.api("police"), "/api/v1/satisfaction-ratings") == []


@pytest.mark.config(API_TOKEN_LIFETIME_SECONDS=365 * 86400)  # the clients' tokens outlive the clock's moves
def test_only_a_concluded_complaint_within_the_period(app, world):
    from supervision.models import SatisfactionRating

    with time_machine.travel(T0, tick=False) as clock:
        open_one = accepted(world)["id"]
        assert rate(world, open_one, "satisfied").status_code == 409  # not concluded
        cid = concluded(world)
        assert rate(world, cid, "satisfied", who="clerk").status_code == 409  # the centre does not rate
        clock.shift(dt.timedelta(days=app.config["SATISFACTION_WINDOW_DAYS"], seconds=1))
        refused = rate(world, cid, "satisfied")
        assert refused.status_code == 409 and "15" in refused.get_json()["message"]
        page = web_login(app, world.users["enterprise"]).get(f"/complaints/{cid}").get_data(as_text=True)
        assert 'data-testid="rating-form"' not in page
    assert db_rows(app, SatisfactionRating) == 0


@pytest.mark.parametrize("body, field", [
    ({"rating": "dissatisfied"}, "comment"),
    ({"rating": "dissatisfied", "comment": "   "}, "comment"),
    ({"rating": "satisfied", "comment": "好" * 2001}, "comment"),
    ({"rating": "very_happy"}, "rating"),
    ({"comment": "没有评分。"}, "rating"),
])
def test_bad_ratings_are_field_errors_and_leave_nothing(app, world, body, field):
    from supervision.models import SatisfactionRating, SatisfactionReview

    cid = concluded(world)
    response = world.api("enterprise").post(rating_url(cid), json=body)
    assert response.status_code == 422, response.get_json()
    assert field in response.get_json()["errors"]
    assert db_rows(app, SatisfactionRating) == 0 and db_rows(app, SatisfactionReview) == 0
    assert state(world, cid) == "concluded"


def test_dissatisfied_reopens_for_the_centres_review(app, world):
    from supervision.models import SatisfactionReview

    cid = concluded(world)
    ok(rate(world, cid, "dissatisfied", "指导意见没有回应我们的证据保全请求。"), 201)
    assert state(world, cid) == "under_review"
    r1 = deadline(app, cid, "R1")
    assert len(r1) == 1 and r1[0].state.value == "open" and str(r1[0].responsible_org_id) == world.org("centre")
    (orgs, params), = outbox(app, "complaint.under_review")
    assert orgs == [world.org("centre")] and params["message"] == "指导意见没有回应我们的证据保全请求。"
    pending = every(world.api("clerk"), "/api/v1/satisfaction-ratings?pending=true")
    assert [r["complaint_id"] for r in pending] == [cid] and pending[0]["review"]["action"] is None
    # who may record the review: a clerk of the centre only
    for who in OUTSIDERS:
        assert review(world, cid, "处理。", who=who).status_code == 404, who
    assert review(world, cid, "处理。", who="enterprise").status_code == 409
    assert review(world, cid, "处理。", who="supervisor").status_code == 409
    blank = review(world, cid, "  ")
    assert blank.status_code == 422 and "action" in blank.get_json()["errors"]
    assert review(world, cid, "好" * 2001).status_code == 422
    assert state(world, cid) == "under_review"
    assert ok(world.api("clerk").get(rating_url(cid)))["can_review"]
    done = ok(review(world, cid, "已联系企业，指导其向知识产权法院申请证据保全。", who="clerk2"), 201)["rating"]
    assert done["review"]["action"] == "已联系企业，指导其向知识产权法院申请证据保全。"
    assert done["review"]["reviewer_name"] == "clerk2 用户"
    assert state(world, cid) == "concluded"
    assert [d.state.value for d in deadline(app, cid, "R1")] == ["met"]
    (orgs, params), = outbox(app, "complaint.reviewed")
    assert orgs == [world.org("enterprise")]
    assert review(world, cid, "再次处理。").status_code == 409  # once
    assert rate(world, cid, "satisfied").status_code == 409  # and the rating stays the one given
    assert every(world.api("clerk"), "/api/v1/satisfaction-ratings?pending=true") == []
    assert db_rows(app, SatisfactionReview) == 1
    from supervision.satisfaction import reviews

    with app.app_context():
        wide = (dt.datetime(2000, 1, 1, tzinfo=dt.UTC), dt.datetime(2100, 1, 1, tzinfo=dt.UTC))
        assert reviews(*wide) == {world.orgs["centre"]: (1, 1)}
    timeline = ok(world.api("enterprise").get(f"/api/v1/complaints/{cid}/timeline?limit=100"))["items"]
    triggers = [e["trigger"] for e in timeline]
    assert "review" in triggers and "complete_review" in triggers


def test_a_closed_complaint_can_still_be_rated_and_reviewed(app, world):
    cid = concluded(world)
    ok(complaint_transition(world.api("clerk"), cid, "close"))
    assert state(world, cid) == "closed"
    ok(rate(world, cid, "dissatisfied", "结案过快。"), 201)
    assert state(world, cid) == "under_review"
    ok(review(world, cid, "重新核查并答复企业。"), 201)
    assert state(world, cid) == "concluded"


@pytest.mark.config(API_TOKEN_LIFETIME_SECONDS=365 * 86400)
def test_the_reminder_goes_once_while_the_period_lasts(app, world):
    from core.extensions import db
    from supervision.satisfaction import remind_unrated

    with time_machine.travel(T0, tick=False) as clock:
        cid = concluded(world)
        rated = concluded(world)
        ok(rate(world, rated, "satisfied"), 201)
        clock.shift(dt.timedelta(days=4, hours=23))
        with app.app_context():
            assert remind_unrated() == 0
            db.session.commit()
        clock.shift(dt.timedelta(hours=2))
        with app.app_context():
            assert remind_unrated() == 1
            db.session.commit()
            assert remind_unrated() == 0  # once
            db.session.commit()
    reminders = outbox(app, "satisfaction.reminder")
    assert len(reminders) == 1
    orgs, params = reminders[0]
    assert orgs == [world.org("enterprise")]
    assert params["rate_by"].startswith("2027-03-16T02:00")
    # one concluded long ago, never reminded: past the period nothing is sent
    with time_machine.travel("2027-06-01 02:00:00+00:00", tick=False) as clock:
        late = concluded(world)
        clock.shift(dt.timedelta(days=20))
        with app.app_context():
            assert remind_unrated() == 0
    assert late


def test_rates_by_centre_and_by_agency_are_hand_counted(app, world):
    from core.extensions import db
    from routing.enums import ReferralState
    from routing.models import Referral
    from supervision.models import Rating, SatisfactionRating
    from supervision.satisfaction import rates

    ids = [concluded(world) for _ in range(4)]
    with app.app_context():
        enterprise_user = world.users["enterprise"]["id"]
        at = dt.datetime(2027, 1, 10, tzinfo=dt.UTC)
        other_centre = world.orgs["other_centre"]
        fixtures = [(ids[0], world.orgs["centre"], Rating.satisfied, at),
                    (ids[1], world.orgs["centre"], Rating.basically_satisfied, at + dt.timedelta(days=5)),
                    (ids[2], world.orgs["centre"], Rating.dissatisfied, at + dt.timedelta(days=6)),
                    (ids[3], other_centre, Rating.dissatisfied, at + dt.timedelta(days=40))]  # February
        for cid, centre, rating, when in fixtures:
            db.session.add(SatisfactionRating(complaint_id=uuid.UUID(cid), centre_id=centre, rating=rating,
                                              rated_by_id=enterprise_user, rated_at=when))
        # complaints 0 and 2 were referred to the city's market regulator (twice for 0: counted once)
        clerk = world.users["clerk"]["id"]
        for n, cid in enumerate((ids[0], ids[0], ids[2])):
            db.session.add(Referral(complaint_id=uuid.UUID(cid), agency_id=world.orgs["amr_city"], track="administrative",
                                    state=ReferralState.concluded if n else ReferralState.returned,
                                    return_reason=None if n else "wrong_jurisdiction",
                                    acknowledged_by_name="郑刚", agency_case_number="沪市监〔2027〕1号",
                                    outcome={"result": "fined"}, sent_by_id=clerk, letter_number=f"L-{n}"))
        db.session.commit()
        january = (dt.datetime(2027, 1, 1, tzinfo=dt.UTC), dt.datetime(2027, 2, 1, tzinfo=dt.UTC))
        assert rates(*january) == {world.orgs["centre"]: (2, 3)}
        assert rates(*january, by="agency") == {world.orgs["amr_city"]: (1, 2)}
        assert rates(dt.datetime(2027, 1, 1, tzinfo=dt.UTC), dt.datetime(2027, 3, 1, tzinfo=dt.UTC)) == {
            world.orgs["centre"]: (2, 3), other_centre: (0, 1)}
        assert rates(dt.datetime(2026, 1, 1, tzinfo=dt.UTC), dt.datetime(2026, 2, 1, tzinfo=dt.UTC)) == {}
        with pytest.raises(ValueError):
            rates(*january, by="district")


# --- the pages ----------------------------------------------------------------------------------------------

def test_the_pages_rate_and_review(app, world):
    cid = concluded(world)
    enterprise = web_login(app, world.users["enterprise"])
    page = enterprise.get(f"/complaints/{cid}").get_data(as_text=True)
    assert 'data-testid="rating-form"' in page
    url = f"/supervision/satisfaction/complaints/{cid}/rating"
    token = csrf_token(enterprise, f"/complaints/{cid}")
    refused = enterprise.post(url, data={"csrf_token": token, "rating": "dissatisfied"})
    assert refused.status_code == 422
    html = refused.get_data(as_text=True)
    assert 'data-testid="error-summary"' in html and field_errors(html, "comment")
    assert state(world, cid) == "concluded"
    done = enterprise.post(url, data={"csrf_token": token, "rating": "dissatisfied", "comment": "未解决问题。"})
    assert done.status_code == 302 and done.headers["Location"].endswith(f"/complaints/{cid}#satisfaction")
    page = enterprise.get(f"/complaints/{cid}").get_data(as_text=True)
    assert 'data-testid="rating-form"' not in page and 'data-testid="review-open"' in page and "未解决问题。" in page
    assert enterprise.post(url, data={"csrf_token": token, "rating": "satisfied"}).status_code == 409

    clerk = web_login(app, world.users["clerk"])
    triage = clerk.get(f"/centre/complaints/{cid}").get_data(as_text=True)
    assert 'data-testid="review-form"' in triage and "未解决问题。" in triage
    listed = clerk.get("/supervision/satisfaction/?pending=1").get_data(as_text=True)
    assert listed.count('data-testid="rating-row"') == 1
    token = csrf_token(clerk, f"/centre/complaints/{cid}")
    review_url = f"/supervision/satisfaction/complaints/{cid}/review"
    blank = clerk.post(review_url, data={"csrf_token": token, "action": " "})
    assert blank.status_code == 422 and field_errors(blank.get_data(as_text=True), "action")
    assert clerk.post(review_url, data={"csrf_token": token, "action": "已复核并答复。"}).status_code == 302
    triage = clerk.get(f"/centre/complaints/{cid}").get_data(as_text=True)
    assert 'data-testid="review-form"' not in triage and "已复核并答复。" in triage
    assert 'data-testid="review-action"' in enterprise.get(f"/complaints/{cid}").get_data(as_text=True)
    assert clerk.get("/supervision/satisfaction/?pending=1").get_data(as_text=True).count('data-testid="rating-row"') == 0

    other = web_login(app, world.users["other_clerk"])
    assert other.get(f"/supervision/satisfaction/complaints/{cid}").status_code == 404
    assert other.get("/supervision/satisfaction/").get_data(as_text=True).count('data-testid="rating-row"') == 0
    assert web_login(app, world.users["police"]).get(f"/supervision/satisfaction/complaints/{cid}").status_code == 404
    assert enterprise.get("/supervision/satisfaction/").status_code == 404
    supervisor = web_login(app, world.users["supervisor"])
    assert supervisor.get("/supervision/satisfaction/").get_data(as_text=True).count('data-testid="rating-row"') == 1
