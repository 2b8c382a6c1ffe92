"""Issue 9, forms and errors: the complaint form's error summary, labelled choices, amounts as people type
them, credit codes as pasted, infringer rows added and removed without JavaScript, the confirmation of a
withdrawal, upload errors under their own form, and the complaint page that shows all that was filed."""
import html as html_lib
import io
import re
import time

import pytest

from intake.models import Complaint, ComplaintEvent
from tests.agencies.web import forms_of
from tests.evidence.support import (api_client, confirm, count, csrf_token, new_draft, read, submitted, web_login)
from tests.intake.test_portal import api, form_data, user, web  # noqa: F401  (fixtures: an English enterprise user)

VALID_CODE = "91310115MA1H7GQ5XY"


def text_of(response) -> str:
    return html_lib.unescape(response.get_data(as_text=True))


def summary(response) -> list[tuple[str, str]]:
    """The error summary's entries: (the link's target, the whole line)."""
    page = response.get_data(as_text=True)
    assert 'data-testid="error-summary"' in page, page[-3000:]
    block = page.split('data-testid="error-summary"')[1].split("</div>")[0]
    return [(target, html_lib.unescape(re.sub(r"<[^>]+>", "", line)).strip())
            for target, line in re.findall(r'<li><a href="#([^"]+)">(.*?)</li>', block, re.S)]


def field_errors(response) -> set[str]:
    return set(re.findall(r'data-field="([^"]+)"', response.get_data(as_text=True)))


def edit_post(web, draft, **changes):
    """The edit form as shown, with ``changes``, posted (a list value repeats the name, None removes it)."""
    url = f"/complaints/{draft['id']}/edit"
    [form] = [f for f in forms_of(web.get(url).get_data(as_text=True)) if f.action == url]
    data = {k: v for k, v in form.fields.items() if k != "action"}
    for key, value in changes.items():
        if value is None:
            data.pop(key, None)
        else:
            data[key] = value
    return web.post(url, data=data)


# --- the error summary -----------------------------------------------------------------------------

def test_a_refused_submission_lists_every_missing_field_each_linking_to_its_field(web, api):
    draft = new_draft(api, {"secret_category": "technical", "infringers": [{"kind": "competitor"}]})
    page = f"/complaints/{draft['id']}"

    response = web.post(f"{page}/submit", data={"csrf_token": csrf_token(web, page)})

    assert response.status_code == 422
    entries = summary(response)
    targets = {target for target, _line in entries}
    assert {"field-secret_description", "field-confidentiality_measures", "field-commercial_value", "field-facts",
            "field-infringing_acts", "field-remedies", "field-preferred_tracks", "field-discovered_on",
            "field-infringers-0-name"} <= targets
    html = response.get_data(as_text=True)
    for target in targets:  # every link leads to an element of the page
        assert html.count(f'id="{target}"') == 1, target
    lines = dict(entries)
    assert lines["field-infringers-0-name"].startswith("Infringer 1: Name of the person or organisation:")
    assert lines["field-remedies"] == "Remedies sought: Choose at least one remedy."
    assert 'data-testid="submit-refused"' in html and "Nothing was saved." not in html
    assert 'data-testid="save-and-submit"' in html and 'data-testid="save-draft"' in html  # both buttons stay
    assert read(api, draft["id"]) == draft


def test_a_save_with_one_bad_value_says_nothing_was_saved_and_why(app, web, api, complete_draft):
    draft = new_draft(api, complete_draft)

    response = edit_post(web, draft, facts="改过的事实", contact_email="not-an-address")

    assert response.status_code == 422
    assert summary(response) == [("field-contact_email", "E-mail address: Not a valid email address.")]
    assert "Nothing was saved. 1 field needs your attention:" in text_of(response)
    assert 'value="not-an-address"' in response.get_data(as_text=True)  # what was typed is kept
    assert read(api, draft["id"]) == draft


def test_required_fields_are_marked_and_every_input_has_its_id(web):
    html = web.get("/complaints/new").get_data(as_text=True)

    assert html.count('<abbr class="required"') >= 14
    for name in ("contact_name", "contact_phone", "contact_email", "secret_category", "secret_description",
                 "confidentiality_measures", "commercial_value", "discovered_on", "estimated_loss",
                 "estimated_illegal_gains", "facts", "infringers-0-kind", "infringers-0-name",
                 "infringers-0-credit_code", "infringers-0-penalty_decided_on"):
        assert f'id="field-{name}"' in html, name
    ids = re.findall(r'\bid="([^"]+)"', html)
    assert len(ids) == len(set(ids))


def test_save_and_submit_submits_a_complete_draft(web, api, complete_draft):
    draft = new_draft(api, complete_draft)

    response = edit_post(web, draft, facts="补充后的事实。", action="submit")

    assert response.status_code == 302
    stored = read(api, draft["id"])
    assert stored["state"] == "submitted" and stored["facts"] == "补充后的事实。" and stored["reference"]


def test_save_and_submit_keeps_the_save_when_the_draft_is_not_complete(web, api):
    draft = new_draft(api, {"secret_category": "technical"})

    response = edit_post(web, draft, facts="新写的事实。", action="submit")

    assert response.status_code == 200
    stored = read(api, draft["id"])
    assert stored["state"] == "draft" and stored["facts"] == "新写的事实。"  # saved, not submitted
    html = text_of(response)
    assert "Your draft is saved, but it was not submitted" in html and "Nothing was saved." not in html
    assert "field-facts" not in {t for t, _ in summary(response)}
    assert "field-remedies" in {t for t, _ in summary(response)}


def test_save_and_submit_from_a_new_complaint(app, web, api, complete_draft):
    data = form_data(complete_draft, csrf_token(web, "/complaints/new"))

    response = web.post("/complaints/new", data={**data, "action": "submit"})

    assert response.status_code == 302
    [complaint] = app_rows(app)
    assert complaint.state.value == "submitted"


def app_rows(app):
    from sqlalchemy import select

    from core.extensions import db
    with app.app_context():
        return db.session.scalars(select(Complaint)).all()


# --- choices by their labels -----------------------------------------------------------------------

@pytest.mark.parametrize("field, value, labels", [
    ("preferred_tracks", ["criminal", "bogus"], ["Administrative", "Criminal", "Civil", "Let the centre decide"]),
    ("secret_category", "bogus", ["Technical information", "Business information", "Other commercial information"]),
    ("remedies", ["bogus"], ["Administrative investigation", "Criminal investigation", "Civil damages"]),
])
def test_a_wrong_choice_is_named_by_the_labels_not_the_codes(app, api, field, value, labels):
    response = api.post("/api/v1/complaints", json={field: value})

    assert response.status_code == 422
    [message] = [m for key, messages in response.get_json()["errors"].items() if key.startswith(field)
                 for m in messages]
    assert message.startswith("Not a valid choice; choose one of: ")
    for label in labels:
        assert label in message
    for code in ("centre_decides", "administrative_investigation", "technical"):
        assert code not in message
    assert count(app, Complaint) == 0


@pytest.mark.parametrize("data, target, line", [
    ({"infringers-0-kind": "hacker", "infringers-0-name": "某人"}, "field-infringers-0-kind",
     "Infringer 1: Type: Not a valid choice; choose one of: Former employee; Current employee; Competitor; "
     "Business partner; Unknown."),
    # a wrong box of a list of boxes is an error of the list, linked to its boxes
    ({"preferred_tracks": ["criminal", "centre_decided"]}, "field-preferred_tracks",
     "Preferred tracks: Not a valid choice; choose one of: Administrative; Criminal; Civil; Let the centre decide."),
])
def test_a_wrong_choice_in_the_form_lists_the_labels_in_the_summary(web, data, target, line):
    response = web.post("/complaints/new", data={"csrf_token": csrf_token(web, "/complaints/new"), **data})

    assert response.status_code == 422
    assert summary(response) == [(target, line)]
    assert field_errors(response) == {target.removeprefix("field-").replace("-", ".")}


# --- amounts -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("typed, stored", [
    ("680,000", "680000.00"), ("68万", "680000.00"), ("¥680,000", "680000.00"), ("６８万", "680000.00"),
    ("6.8万元", "68000.00"), ("680000.5", "680000.50"), (" 1，200，000 ", "1200000.00"), ("", None),
])
def test_the_form_reads_amounts_as_people_type_them(web, api, complete_draft, typed, stored):
    draft = new_draft(api, complete_draft)

    response = edit_post(web, draft, estimated_loss=typed)

    assert response.status_code == 302, summary(response)
    assert read(api, draft["id"])["estimated_loss"] == stored


@pytest.mark.parametrize("typed", ["abc", "68万元整", "1.234", "1e5", "-5", "680.000,00", "0x10", "1" * 41,
                                   "9" * 10000])
def test_a_malformed_amount_says_what_is_expected_with_an_example(web, api, complete_draft, typed):
    draft = new_draft(api, complete_draft)

    response = edit_post(web, draft, estimated_illegal_gains=typed, facts="不应保存")

    assert response.status_code == 422
    [(target, line)] = summary(response)
    assert target == "field-estimated_illegal_gains"
    assert line == ("Estimated illegal gains (RMB): An amount in yuan, e.g. 680,000 or 68万, with at most two "
                    "decimals.")
    assert read(api, draft["id"]) == draft


def test_an_amount_the_parser_reads_is_still_checked_by_the_schema(web, api, complete_draft):
    draft = new_draft(api, complete_draft)

    response = edit_post(web, draft, estimated_loss="100000亿")  # 10^13: a typing error

    assert response.status_code == 422
    assert summary(response) == [("field-estimated_loss", "Estimated loss (RMB): The amount is too large.")]


def test_the_edit_form_shows_the_stored_amount_as_money_and_saves_it_unchanged(web, api, complete_draft):
    draft = new_draft(api, complete_draft)  # 1200000.00

    html = web.get(f"/complaints/{draft['id']}/edit").get_data(as_text=True)
    assert 'name="estimated_loss" inputmode="decimal" value="¥1,200,000.00"' in html

    assert edit_post(web, draft).status_code == 302
    assert read(api, draft["id"])["estimated_loss"] == "1200000.00"


def test_the_api_keeps_strict_decimal_strings(app, api):
    response = api.post("/api/v1/complaints", json={"estimated_loss": "680,000"})

    assert response.status_code == 422 and "estimated_loss" in response.get_json()["errors"]
    assert count(app, Complaint) == 0


# --- credit codes ------------------------------------------------------------------------------------

@pytest.mark.parametrize("typed", [f" {VALID_CODE}", VALID_CODE.lower(), f" {VALID_CODE.lower()} ",
                                   "9131 0115 MA1H 7GQ5 XY", f"\u3000{VALID_CODE}"])
def test_a_pasted_credit_code_is_trimmed_and_upper_cased_before_it_is_checked(web, api, complete_draft, typed):
    draft = new_draft(api, complete_draft)

    response = edit_post(web, draft, **{"infringers-1-credit_code": typed})

    assert response.status_code == 302, summary(response)
    assert read(api, draft["id"])["infringers"][1]["credit_code"] == VALID_CODE


def test_the_credit_code_input_leaves_room_for_pasted_spaces(web):
    html = web.get("/complaints/new").get_data(as_text=True)

    [maxlength] = re.findall(r'name="infringers-0-credit_code" value="" maxlength="(\d+)"', html)
    assert int(maxlength) > 18 + 2


def test_the_api_normalises_a_credit_code_the_same_way(api):
    draft = new_draft(api, {"infringers": [{"kind": "competitor", "name": "某公司",
                                            "credit_code": f" {VALID_CODE.lower()}"}]})

    assert draft["infringers"][0]["credit_code"] == VALID_CODE


def test_a_wrong_credit_code_is_still_refused_after_normalising(web, api, complete_draft):
    draft = new_draft(api, complete_draft)

    response = edit_post(web, draft, **{"infringers-1-credit_code": " 91310115ma1h7gq5xw"})

    assert response.status_code == 422
    [(target, line)] = summary(response)
    assert target == "field-infringers-1-credit_code" and "check digit" in line
    assert read(api, draft["id"]) == draft


# --- infringer rows ------------------------------------------------------------------------------------

def rows_shown(html) -> int:
    return len(re.findall(r'<fieldset class="infringer"', html))


def test_a_new_form_has_one_infringer_row_and_an_add_button(web):
    html = web.get("/complaints/new").get_data(as_text=True)

    assert rows_shown(html) == 1
    assert 'name="action" value="add_infringer"' in html


def test_add_an_infringer_saves_and_comes_back_with_one_more_row(web, api, complete_draft):
    draft = new_draft(api, complete_draft)  # two infringers
    edit = f"/complaints/{draft['id']}/edit"
    assert rows_shown(web.get(edit).get_data(as_text=True)) == 2

    response = edit_post(web, draft, facts="先保存这些。", action="add_infringer")

    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"{edit}?add=1#infringers")
    assert read(api, draft["id"])["facts"] == "先保存这些。"
    html = web.get(response.headers["Location"]).get_data(as_text=True)
    assert rows_shown(html) == 3
    assert 'name="infringers-2-name" value=""' in html


def test_add_an_infringer_on_a_new_complaint_creates_the_draft(app, web):
    data = {"csrf_token": csrf_token(web, "/complaints/new"), "infringers-0-kind": "former_employee",
            "infringers-0-name": "张某", "action": "add_infringer"}

    response = web.post("/complaints/new", data=data)

    assert response.status_code == 302
    [complaint] = app_rows(app)
    assert response.headers["Location"].endswith(f"/complaints/{complaint.id}/edit?add=1#infringers")
    assert rows_shown(web.get(response.headers["Location"]).get_data(as_text=True)) == 2


def test_add_an_infringer_with_a_bad_value_saves_nothing_and_still_adds_the_row(web, api, complete_draft):
    draft = new_draft(api, complete_draft)

    response = edit_post(web, draft, contact_phone="abc", action="add_infringer")

    assert response.status_code == 422
    assert rows_shown(response.get_data(as_text=True)) == 3
    assert read(api, draft["id"]) == draft


def test_remove_an_infringer_saves_the_draft_without_that_row(web, api, complete_draft):
    draft = new_draft(api, complete_draft)

    response = edit_post(web, draft, remove_infringer="0")

    assert response.status_code == 302 and response.headers["Location"].endswith("/edit#infringers")
    assert [i["name"] for i in read(api, draft["id"])["infringers"]] == ["上海锐驰自动化有限公司"]


def test_rows_are_read_in_the_order_of_their_numbers_whatever_the_gaps(web, api):
    draft = new_draft(api, {})
    data = {"csrf_token": csrf_token(web, f"/complaints/{draft['id']}/edit"), "version": draft["version"],
            "infringers-7-kind": "competitor", "infringers-7-name": "乙公司",
            "infringers-3-kind": "former_employee", "infringers-3-name": "甲某",
            "infringers-5-kind": "", "infringers-5-name": "  "}  # an empty row is no infringer

    response = web.post(f"/complaints/{draft['id']}/edit", data=data)

    assert response.status_code == 302
    assert [i["name"] for i in read(api, draft["id"])["infringers"]] == ["甲某", "乙公司"]


def test_errors_of_a_row_after_a_gap_point_at_the_row_shown(web, api):
    draft = new_draft(api, {})
    data = {"csrf_token": csrf_token(web, f"/complaints/{draft['id']}/edit"), "version": draft["version"],
            "infringers-0-kind": "competitor", "infringers-0-name": "甲公司",
            "infringers-9-kind": "competitor", "infringers-9-name": "乙公司", "infringers-9-credit_code": "123"}

    response = web.post(f"/complaints/{draft['id']}/edit", data=data)

    assert response.status_code == 422
    [(target, _line)] = summary(response)
    assert target == "field-infringers-1-credit_code"
    html = response.get_data(as_text=True)
    assert re.search(r'id="field-infringers-1-credit_code" name="infringers-1-credit_code" value="123"', html)


def posted_rows(web, url, n, version=None):
    data = {"csrf_token": csrf_token(web, url)}
    if version is not None:
        data["version"] = version
    for i in range(n):
        data[f"infringers-{i}-kind"] = "unknown"
    return web.post(url, data=data)


def test_twenty_infringers_are_accepted(web, api):
    draft = new_draft(api, {})

    response = posted_rows(web, f"/complaints/{draft['id']}/edit", 20, draft["version"])

    assert response.status_code == 302
    assert len(read(api, draft["id"])["infringers"]) == 20
    html = web.get(f"/complaints/{draft['id']}/edit").get_data(as_text=True)
    assert rows_shown(html) == 20 and 'value="add_infringer"' not in html  # no button that cannot succeed


@pytest.mark.parametrize("n", [21, 150])
def test_more_than_twenty_infringers_are_refused_and_nothing_is_saved(app, web, n):
    response = posted_rows(web, "/complaints/new", n)

    assert response.status_code == 422
    assert summary(response) == [("field-infringers", "Suspected infringers: Name at most 20 suspected infringers.")]
    assert rows_shown(response.get_data(as_text=True)) == 20
    assert count(app, Complaint) == count(app, ComplaintEvent) == 0


def test_ten_thousand_posted_infringer_rows_are_refused_quickly(app, web):
    started = time.perf_counter()

    response = posted_rows(web, "/complaints/new", 10_000)

    assert response.status_code in (413, 422)  # the form's limits, or the rows' limit: never a 500
    assert time.perf_counter() - started < 10
    assert count(app, Complaint) == 0


def test_a_huge_body_is_refused(app, web):
    response = web.post("/complaints/new", data={"csrf_token": csrf_token(web, "/complaints/new"),
                                                 "facts": "事" * 3_000_000})

    assert response.status_code == 413
    assert count(app, Complaint) == 0


def test_a_text_over_its_limit_is_refused_with_its_field(app, web):
    response = web.post("/complaints/new", data={"csrf_token": csrf_token(web, "/complaints/new"),
                                                 "secret_description": "x" * 20001})

    assert response.status_code == 422
    [(target, _line)] = summary(response)
    assert target == "field-secret_description"
    assert count(app, Complaint) == 0


def test_long_texts_carry_their_limit_and_the_counter_script(web):
    html = web.get("/complaints/new").get_data(as_text=True)

    for name, limit in (("secret_description", 20000), ("confidentiality_measures", 20000),
                        ("commercial_value", 20000), ("facts", 40000)):
        assert re.search(rf'<textarea id="field-{name}" name="{name}" rows="\d+" maxlength="{limit}" data-counter',
                         html), name
    assert '<script src="/static/js/counter.js" defer></script>' in html
    assert '<script src="/static/js/infringers.js" defer></script>' in html


def test_the_scripts_are_served_locally(web):
    for name in ("counter.js", "infringers.js"):
        response = web.get(f"/static/js/{name}")
        assert response.status_code == 200 and b"http" not in response.data


# --- withdrawal: a confirmation first ---------------------------------------------------------------------

def test_withdraw_asks_for_confirmation_and_changes_nothing_before(app, web, api, complete_draft):
    complaint = submitted(api, complete_draft)
    page = f"/complaints/{complaint['id']}"
    marks = count(app, ComplaintEvent)

    asked = web.post(f"{page}/withdraw", data={"csrf_token": csrf_token(web, page), "reason": "已和解。",
                                               "version": complaint["version"]})

    assert asked.status_code == 200 and 'data-testid="confirm-button"' in asked.get_data(as_text=True)
    assert read(api, complaint["id"]) == complaint and count(app, ComplaintEvent) == marks
    confirm(web, asked)
    assert read(api, complaint["id"])["state"] == "withdrawn"


def test_a_withdrawal_without_a_reason_is_refused_on_the_complaint_page_not_confirmed(web, api, complete_draft):
    complaint = submitted(api, complete_draft)
    page = f"/complaints/{complaint['id']}"

    response = web.post(f"{page}/withdraw", data={"csrf_token": csrf_token(web, page), "reason": "  "})

    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'data-testid="confirm"' not in html
    withdraw = html.split('data-testid="withdraw-section"')[1]
    assert 'data-field="reason"' in withdraw and "<details open" in html


def test_another_enterprise_cannot_reach_the_confirmation_or_confirm(app, api, complete_draft, create_user):
    complaint = submitted(api, complete_draft)
    other = web_login(app, create_user())
    token = csrf_token(other, "/complaints/new")

    for confirmed in ({}, {"confirmed": "yes"}):
        response = other.post(f"/complaints/{complaint['id']}/withdraw",
                              data={"csrf_token": token, "reason": "不是我的", **confirmed})
        assert response.status_code == 404
        assert "不是我的" not in response.get_data(as_text=True)
    assert read(api, complaint["id"]) == complaint


@pytest.mark.parametrize("path", ["", "/edit"])
def test_another_enterprise_gets_404_for_the_page_and_the_form(app, api, complete_draft, create_user, path):
    draft = new_draft(api, complete_draft)
    other = web_login(app, create_user())

    assert other.get(f"/complaints/{draft['id']}{path}").status_code == 404
    response = other.post(f"/complaints/{draft['id']}/edit",
                          data={"csrf_token": csrf_token(other, "/complaints/new"), "action": "submit"})
    assert response.status_code == 404
    assert read(api, draft["id"]) == draft


# --- uploads: errors under their own form --------------------------------------------------------------------

def test_an_empty_file_is_empty_not_a_wrong_type_and_the_error_sits_under_the_upload_form(app, web, api):
    draft = new_draft(api, {})
    page = f"/complaints/{draft['id']}"

    response = web.post(f"{page}/evidence", content_type="multipart/form-data",
                        data={"csrf_token": csrf_token(web, page), "file": (io.BytesIO(b""), "scan.pdf")})

    assert response.status_code == 422
    html = text_of(response)
    assert "The file “scan.pdf” is empty (0 bytes)" in html and "not accepted" not in html
    upload_form = html.split('action="%s/evidence"' % page)[1].split("</form>")[0]
    assert html.count('data-field="file"') == 1 and 'data-field="file"' in upload_form


# --- the complaint page: everything the enterprise filed ----------------------------------------------------

def test_the_complaint_page_shows_everything_that_was_filed(web, api, complete_draft):
    complete_draft.update(estimated_illegal_gains="680000", holder_bankrupt_or_closed=False,
                          preferred_tracks=["centre_decides"])
    complete_draft["infringers"][1].update(credit_code=VALID_CODE, penalty_decision_number="沪市监处〔2025〕12号",
                                           penalty_authority="上海市市场监督管理局", penalty_decided_on="2025-03-01")
    complaint = submitted(api, complete_draft)

    html = text_of(web.get(f"/complaints/{complaint['id']}"))

    filed = html.split('data-testid="filed"')[1].split("</article>")[0]
    for shown in ("王敏", "13800000001", "legal@chengchuan.example", "Technical information",
                  complete_draft["secret_description"], complete_draft["confidentiality_measures"],
                  complete_draft["commercial_value"], complete_draft["facts"], "2026-09-15",
                  "¥1,200,000.00", "¥680,000.00", "Let the centre decide", "李某", "Former employee",
                  "上海锐驰自动化有限公司", VALID_CODE, "沪市监处〔2025〕12号", "上海市市场监督管理局",
                  "Acquisition by electronic intrusion", "Civil damages", "Pudong", "Minhang"):
        assert shown in filed, shown
    assert re.search(r'data-testid="filed-bankrupt">No<', filed)
    for raw in ("centre_decides", "former_employee", "electronic_intrusion", "civil_damages", "1200000.00",
                "technical<", "pudong<"):
        assert raw not in filed, raw


# --- Chinese: Chinese punctuation, labels, one way of writing amounts ------------------------------------------

def test_the_chinese_error_summary_uses_chinese_punctuation_and_labels(app, create_user, rights_centre):
    web = web_login(app, create_user(language="zh"))
    data = {"csrf_token": csrf_token(web, "/complaints/new"), "estimated_loss": "abc",
            "preferred_tracks": "bogus", "infringers-0-kind": "hacker"}

    response = web.post("/complaints/new", data=data)

    assert response.status_code == 422
    lines = [line for _target, line in summary(response)]
    assert lines and all("：" in line and ": " not in line for line in lines), lines
    tracks = next(line for line in lines if line.startswith("希望的处理途径"))
    assert "行政；刑事；民事；由维权中心决定" in tracks and "centre_decides" not in tracks
    assert any(line.startswith("侵权人1：类型：") for line in lines), lines


def test_the_chinese_complaint_page_writes_amounts_one_way(app, create_user, rights_centre, complete_draft):
    user = create_user(language="zh")
    complaint = submitted(api_client(app, user, language="zh"), complete_draft)

    html = text_of(web_login(app, user).get(f"/complaints/{complaint['id']}"))

    filed = html.split('data-testid="filed"')[1].split("</article>")[0]
    assert "¥1,200,000.00" in filed and "1200000" not in filed
    assert "由维权中心决定" not in filed and "刑事；民事" in filed


def test_the_form_writes_the_lower_threshold_as_money(web):
    assert "lowers the criminal filing threshold to ¥100,000.00." in text_of(web.get("/complaints/new"))
