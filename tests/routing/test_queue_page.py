"""The clerk's queue page: state tabs whose counts are the rows they show, closed and withdrawn work hidden
until asked for, sort controls, search, the holder filter and urgency by the centre's next due time (a
colour and a word). Complaints are written straight into the database (tests/routing/support.py) and then
given the references, times and holders each test needs; the page is read as the clerk signed in."""
import datetime as dt
import re
import uuid

import pytest

from intake.enums import ComplaintState

from tests.agencies.web import Browser
from tests.routing.support import insert_complaints

NOW = dt.datetime(2026, 12, 2, 2, 0, tzinfo=dt.UTC)  # Wednesday 10:00 in Shanghai


def _set(app, complaint_id, **values):
    from core.extensions import db
    from intake.models import Complaint

    with app.app_context():
        complaint = db.session.get(Complaint, uuid.UUID(str(complaint_id)))
        for name, value in values.items():
            if name == "enterprise_name":
                complaint.enterprise.name = value
            else:
                setattr(complaint, name, value)
        db.session.commit()


def _user_id(world, key):
    return uuid.UUID(str(world.users[key]["id"]))


def rows(html) -> list[str]:
    """The references of the queue's rows, in page order."""
    return re.findall(r'data-testid="reference">([^<]+)</a>', html)


def tab_counts(html) -> dict[str, int]:
    return {key: int(count) for key, count in re.findall(
        r'data-testid="tab-([a-z_]+)"[^>]*>[^<]*<span class="count" data-testid="tab-count">(\d+)</span>', html)}


def tab_url(html, key) -> str:
    return re.search(rf'<a href="([^"]+)" data-testid="tab-{key}"', html).group(1).replace("&amp;", "&")


@pytest.fixture
def mixed(app, world):
    """Three submitted, two triaging, one referred, two closed and one withdrawn complaint of the centre, one
    submitted of the other centre; references Q-01 … Q-09 in the order written."""
    states = ["submitted", "submitted", "submitted", "triaging", "triaging", "referred", "closed", "closed",
              "withdrawn"]
    ids = []
    for i, state in enumerate(states):
        [cid] = insert_complaints(app, world, 1, "submitted" if state == "withdrawn" else state)
        _set(app, cid, reference=f"Q-{i + 1:02d}", submitted_at=NOW - dt.timedelta(hours=20 - i))
        if state == "withdrawn":
            _set(app, cid, withdrawal_reason="不再需要。", state=ComplaintState.withdrawn)
        ids.append(cid)
    [foreign] = insert_complaints(app, world, 1, "submitted")  # then moved to the other centre
    _set(app, foreign, reference="Q-99", centre_id=uuid.UUID(world.org("other_centre")))
    return dict(zip([f"Q-{i + 1:02d}" for i in range(len(states))], ids))


def test_each_tab_counts_the_rows_it_shows_and_closed_work_is_hidden_by_default(app, world, mixed):
    clerk = Browser(app, world.users["clerk"])
    html = clerk.get("/centre/queue")
    counts = tab_counts(html)
    assert counts == {"open": 6, "submitted": 3, "triaging": 2, "referred": 1, "closed": 2, "withdrawn": 1,
                      "all": 9}
    assert sorted(rows(html)) == ["Q-01", "Q-02", "Q-03", "Q-04", "Q-05", "Q-06"]  # no closed, no withdrawn
    assert 'data-testid="tab-open" aria-current="page"' in html
    for key, count in counts.items():
        shown = rows(clerk.get(tab_url(html, key)))
        assert len(shown) == count, (key, shown)
    assert sorted(rows(clerk.get(tab_url(html, "closed")))) == ["Q-07", "Q-08"]
    assert rows(clerk.get(tab_url(html, "withdrawn"))) == ["Q-09"]
    assert "Q-99" not in clerk.get(tab_url(html, "all"))  # another centre's, in no tab

    # the counts follow the other filters: a search narrows every tab alike
    searched = clerk.get("/centre/queue?q=Q-0")
    assert tab_counts(searched)["all"] == 9
    narrowed = clerk.get("/centre/queue?q=Q-07")
    assert tab_counts(narrowed) == {"open": 0, "closed": 1, "all": 1} and rows(narrowed) == []
    assert rows(clerk.get(tab_url(narrowed, "all"))) == ["Q-07"]


def test_the_queue_sorts_by_each_control_both_ways(app, world, mixed):
    _set(app, mixed["Q-02"], enterprise_name="甲企业")
    _set(app, mixed["Q-05"], enterprise_name="乙企业")
    for ref, name in (("Q-01", "丙企业"), ("Q-03", "丁企业"), ("Q-04", "戊企业"), ("Q-06", "己企业")):
        _set(app, mixed[ref], enterprise_name=name)
    _set(app, mixed["Q-04"], centre_due_at=NOW + dt.timedelta(hours=2))
    _set(app, mixed["Q-06"], centre_due_at=NOW + dt.timedelta(hours=1))
    _set(app, mixed["Q-03"], key_case=True)
    clerk = Browser(app, world.users["clerk"])

    assert rows(clerk.get("/centre/queue")) == ["Q-03", "Q-06", "Q-04", "Q-01", "Q-02", "Q-05"]  # key, due, oldest
    assert rows(clerk.get("/centre/queue?sort=received")) == ["Q-01", "Q-02", "Q-03", "Q-04", "Q-05", "Q-06"]
    assert rows(clerk.get("/centre/queue?sort=received&desc=true")) == ["Q-06", "Q-05", "Q-04", "Q-03", "Q-02", "Q-01"]
    assert rows(clerk.get("/centre/queue?sort=reference&desc=true")) == ["Q-06", "Q-05", "Q-04", "Q-03", "Q-02", "Q-01"]
    by_name = rows(clerk.get("/centre/queue?sort=enterprise"))
    names = {"Q-01": "丙企业", "Q-02": "甲企业", "Q-03": "丁企业", "Q-04": "戊企业", "Q-05": "乙企业", "Q-06": "己企业"}
    assert by_name == sorted(names, key=lambda r: names[r]) and by_name != sorted(names)
    assert rows(clerk.get("/centre/queue?sort=enterprise&desc=true")) == list(reversed(by_name))
    # the enterprise sort still honours the district filter (its EXISTS keeps to its own row)
    assert rows(clerk.get("/centre/queue?sort=enterprise&district=jingan")) == by_name

    # the controls: the active one toggles its direction, the others start ascending; a filter is kept
    html = clerk.get("/centre/queue?sort=received&holder=unassigned")
    link = re.search(r'href="([^"]+)" data-testid="sort-received"', html).group(1).replace("&amp;", "&")
    assert "desc=true" in link and "holder=unassigned" in link and "sort=received" in link
    other = re.search(r'href="([^"]+)" data-testid="sort-reference"', html).group(1).replace("&amp;", "&")
    assert "desc" not in other and "sort=reference" in other
    assert clerk.client.get("/centre/queue?sort=secret").status_code == 422


def test_search_by_reference_enterprise_or_infringer(app, world, mixed):
    _set(app, mixed["Q-02"], enterprise_name="上海鲜达供应链管理有限公司")
    clerk = Browser(app, world.users["clerk"])
    assert rows(clerk.get("/centre/queue?q=q-05")) == ["Q-05"]
    assert rows(clerk.get("/centre/queue?q=鲜达")) == ["Q-02"]
    infringer = rows(clerk.get("/centre/queue?q=侵权人0-1"))  # every inserted complaint's first is 侵权人0-…
    assert sorted(infringer) == ["Q-01", "Q-02", "Q-03", "Q-04", "Q-05", "Q-06"]
    assert rows(clerk.get("/centre/queue?q=Q-99")) == []


def test_holder_filter_mine_unassigned_all_and_the_holder_shown(app, world, mixed):
    _set(app, mixed["Q-04"], claimed_by_id=_user_id(world, "clerk"))
    _set(app, mixed["Q-05"], claimed_by_id=_user_id(world, "clerk2"))
    clerk = Browser(app, world.users["clerk"])
    assert rows(clerk.get("/centre/queue?holder=mine")) == ["Q-04"]
    assert sorted(rows(clerk.get("/centre/queue?holder=unassigned"))) == ["Q-01", "Q-02", "Q-03", "Q-06"]
    html = clerk.get("/centre/queue?sort=reference")
    assert rows(html) == ["Q-01", "Q-02", "Q-03", "Q-04", "Q-05", "Q-06"]
    holders = [re.sub(r"<[^>]+>", "", h) for h in re.findall(r'data-testid="holder">(.*?)</td>', html)]
    assert holders == ["Unassigned"] * 3 + ["clerk 用户", "clerk2 用户", "Unassigned"]
    assert tab_counts(clerk.get("/centre/queue?holder=mine"))["open"] == 1
    assert clerk.client.get("/centre/queue?holder=theirs").status_code == 422


@pytest.mark.parametrize("due, css, word", [
    (dt.timedelta(hours=-1), "overdue", "Overdue"),
    (dt.timedelta(hours=5), "soon", "Due soon"),
    (dt.timedelta(days=3), "fine", "On time"),
    (None, "none", "No running deadline"),
])
def test_urgency_is_a_colour_and_a_word(app, world, due, css, word):
    # the clock is the real one (signing in with a one-time code needs it); the margins are hours
    [cid] = insert_complaints(app, world, 1, "triaging")
    _set(app, cid, reference="Q-50", centre_due_at=dt.datetime.now(dt.UTC) + due if due is not None else None)
    html = Browser(app, world.users["clerk"]).get("/centre/queue")
    row = re.search(r'<tr data-testid="queue-row" class="([^"]+)">(.*?)</tr>', html, re.S)
    assert f"urgency-{css}" in row.group(1).split()
    cell = re.search(r'data-testid="urgency">(.*?)</span>\s*(?:<time|</td>)', row.group(2), re.S).group(1)
    assert re.sub(r"<[^>]+>", "", cell).split(None, 1)[1].strip() == word



def test_a_supervisor_sees_every_centres_queue_without_a_mine_filter(app, world, mixed):
    supervisor = Browser(app, world.users["supervisor"])
    html = supervisor.get("/centre/queue?sort=reference")
    assert rows(html) == ["Q-01", "Q-02", "Q-03", "Q-04", "Q-05", "Q-06", "Q-99"]
    assert tab_counts(html)["open"] == 7 and tab_counts(html)["all"] == 10
    assert 'data-testid="holder-mine"' not in html and 'data-testid="holder-unassigned"' in html
    assert 'data-testid="holder-mine"' in Browser(app, world.users["clerk"]).get("/centre/queue")
