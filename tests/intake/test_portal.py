"""The enterprise portal (server-rendered pages, web login, CSRF) and its Chinese / English UI."""
import re

import pytest

from intake.models import Complaint, ComplaintEvent
from tests.accounts.registration import register_over_api
from tests.evidence.support import api_client, count, csrf_token, new_draft, read, rows, submitted, web_login

HAN = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture
def user(create_user, rights_centre):
    return create_user()  # an English-speaking user, so the assertions can read the labels


@pytest.fixture
def api(app, user):
    return api_client(app, user)


@pytest.fixture
def web(app, user):
    return web_login(app, user)


def h1(response) -> str:
    return re.search(r"<h1[^>]*>(.*?)</h1>", response.get_data(as_text=True), re.S).group(1).strip()


def form_data(values: dict, token: str) -> dict:
    """The complaint form's fields as a browser posts them (checkbox lists repeat their name)."""
    data = {"csrf_token": token}
    for key, value in values.items():
        if key == "infringers":
            for i, row in enumerate(value):
                for field, v in row.items():
                    data[f"infringers-{i}-{field}"] = v or ""
        elif isinstance(value, bool):
            data[key] = "yes" if value else "no"
        elif value is not None:
            data[key] = value
    return data


# --- my complaints ---------------------------------------------------------------------------------

def test_the_list_shows_my_complaints_with_state_and_reference(app, api, web, create_user, complete_draft):
    done = submitted(api, complete_draft)
    new_draft(api, {"secret_category": "business"})
    submitted(api_client(app, create_user()), complete_draft)  # another enterprise's

    page = web.get("/complaints/")

    assert page.status_code == 200
    html = page.get_data(as_text=True)
    listed = re.findall(r"<tr>\s*<td><a href=\"/complaints/([^\"]+)\">([^<]+)</a></td>\s*<td class=\"state\">([^<]+)</td>",
                       html)
    assert sorted((ref, state) for _, ref, state in listed) == [("(draft)", "Draft"), (done["reference"], "Submitted")]
    assert page.headers["Cache-Control"].startswith("no-store")


def test_the_list_is_empty_for_a_new_enterprise(web):
    assert "No complaints yet." in web.get("/complaints/").get_data(as_text=True)


def test_the_detail_page_shows_the_timeline(api, web, complete_draft):
    done = submitted(api, complete_draft)
    api.post(f"/api/v1/complaints/{done['id']}/withdraw", json={"reason": "已和解"})

    html = web.get(f"/complaints/{done['id']}").get_data(as_text=True)

    timeline = html[html.index('data-testid="timeline"'):]
    texts = ["Draft created.", f"Submitted to the rights-protection centre (reference {done['reference']}).",
             "Withdrawn by the enterprise.", "已和解"]
    positions = [timeline.index(text) for text in texts]
    assert positions == sorted(positions)
    assert 'data-testid="state">Withdrawn<' in html


# --- the complaint form ----------------------------------------------------------------------------

def test_a_new_complaint_is_saved_from_the_form(app, web, api, complete_draft):
    response = web.post("/complaints/new", data=form_data(complete_draft, csrf_token(web, "/complaints/new")))

    assert response.status_code == 302
    [complaint] = rows(app, Complaint)
    assert response.headers["Location"] == f"/complaints/{complaint.id}"
    stored = read(api, complaint.id)
    assert stored["state"] == "draft"
    assert stored["estimated_loss"] == "1200000.00" and stored["infringers"][0]["penalty_decided_on"] is None
    assert stored["infringing_acts"] == complete_draft["infringing_acts"]
    assert [i["name"] for i in stored["infringers"]] == ["李某", "上海锐驰自动化有限公司"]


def test_invalid_form_data_is_shown_again_with_field_errors_and_nothing_is_written(app, web, complete_draft):
    complete_draft.update(estimated_loss="-5", estimated_illegal_gains="abc", discovered_on="2999-01-01",
                          preferred_tracks=["civil", "centre_decides"])
    complete_draft["infringers"][0]["credit_code"] = "91310115MA1H7GQ5XY"  # a person has none
    response = web.post("/complaints/new", data=form_data(complete_draft, csrf_token(web, "/complaints/new")))

    assert response.status_code == 422
    html = response.get_data(as_text=True)
    marked = set(re.findall(r'data-field="([^"]+)"', html))
    assert marked == {"estimated_loss", "estimated_illegal_gains", "discovered_on", "preferred_tracks",
                      "infringers.0.credit_code"}
    assert 'value="abc"' in html and complete_draft["secret_description"] in html  # what was typed is kept
    assert count(app, Complaint) == count(app, ComplaintEvent) == 0


def test_the_form_needs_its_csrf_token(app, web, complete_draft):
    response = web.post("/complaints/new", data=form_data(complete_draft, "forged"))

    assert response.status_code == 400
    assert count(app, Complaint) == 0


def test_editing_a_draft_in_the_form(app, web, api, complete_draft):
    draft = new_draft(api, complete_draft)
    edit = f"/complaints/{draft['id']}/edit"
    page = web.get(edit).get_data(as_text=True)
    assert complete_draft["secret_description"] in page
    complete_draft["facts"] = "补充的事实"

    response = web.post(edit, data={**form_data(complete_draft, csrf_token(web, edit)), "version": draft["version"]})

    assert response.status_code == 302
    assert read(api, draft["id"])["facts"] == "补充的事实"


def test_submitting_an_incomplete_draft_in_the_portal_marks_every_missing_field(app, web, api):
    draft = new_draft(api, {"secret_category": "technical"})
    page = f"/complaints/{draft['id']}"

    response = web.post(f"{page}/submit", data={"csrf_token": csrf_token(web, page)})

    assert response.status_code == 422
    marked = set(re.findall(r'data-field="([^"]+)"', response.get_data(as_text=True)))
    assert {"secret_description", "confidentiality_measures", "commercial_value", "infringers",
            "infringing_acts", "remedies", "preferred_tracks"} <= marked
    assert read(api, draft["id"]) == draft


def test_submitting_a_complete_draft_in_the_portal_gives_the_reference(web, api, complete_draft):
    draft = new_draft(api, complete_draft)
    page = f"/complaints/{draft['id']}"

    response = web.post(f"{page}/submit", data={"csrf_token": csrf_token(web, page)}, follow_redirects=True)

    reference = read(api, draft["id"])["reference"]
    assert response.status_code == 200 and reference
    assert reference in h1(response)
    assert f"Your reference number is {reference}" in response.get_data(as_text=True)


# --- languages -------------------------------------------------------------------------------------

@pytest.fixture
def registered(app, client, rights_centre):
    """An enterprise registered without choosing a language."""
    account = {"name": "上海澄川智能科技有限公司", "credit_code": "91310115MA1H7GQ5XY", "district": "pudong",
               "contact_person": "王敏", "phone": "13800000001", "email": "legal@chengchuan.example",
               "password": "a-long-password"}
    assert register_over_api(app, client, account).status_code == 201
    return {"email": account["email"], "password": account["password"]}


def test_the_complaint_form_is_chinese_by_default(app, registered):
    web = web_login(app, registered)

    page = web.get("/complaints/new")

    assert '<html lang="zh-CN">' in page.get_data(as_text=True)
    assert HAN.search(h1(page)), h1(page)


def test_lang_en_switches_to_english_and_stays(app, registered):
    web = web_login(app, registered)

    page = web.get("/complaints/new?lang=en")

    assert '<html lang="en">' in page.get_data(as_text=True)
    assert h1(page) == "New complaint"
    assert h1(web.get("/complaints/new")) == "New complaint"  # remembered for the session
    assert '<html lang="zh-CN">' in web.get("/complaints/new?lang=zh").get_data(as_text=True)


def test_the_login_page_is_chinese_for_a_visitor(client):
    assert '<html lang="zh-CN">' in client.get("/login").get_data(as_text=True)


def test_field_errors_in_the_chinese_form_are_chinese(app, registered):
    web = web_login(app, registered)
    data = {"csrf_token": csrf_token(web, "/complaints/new"), "estimated_loss": "-5"}

    html = web.post("/complaints/new", data=data).get_data(as_text=True)

    [message] = re.findall(r'<small class="error" data-field="estimated_loss">([^<]+)</small>', html)
    assert HAN.search(message), message
