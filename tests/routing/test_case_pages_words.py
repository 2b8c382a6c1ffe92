"""Issue 9, "what each person sees": the case pages (triage, consultation, the agency's referral page and inbox,
the supervised cases, a deadline's extension page, the decisions list) in Chinese use Chinese punctuation and
show no raw identifier: no rule code, stored enum value or Western colon, semicolon or parenthesis beside
Chinese text."""
import datetime as dt
import html as htmllib
import re

import pytest

from tests.agencies.web import Browser
from tests.core.test_translations import compiled  # noqa: F401  (the .mo the pages use)
from tests.routing.support import SOURCE_CODE, acknowledge_and_accept, accepted, ok, refer, referral_transition
from tests.paging import every

CJK = "\u3400-\u9fff"
WESTERN_BESIDE_CHINESE = re.compile(rf"[{CJK}]\s?[:;()]|[:;()]\s?[{CJK}]")
RAW = re.compile(r"\b(?:[QATPVCS][1-5] ·|penalty_decision|administrative|criminal|civil|working_days|"
                 r"market_regulation|public_security|rights_center|in_progress|acknowledged|opinions_due|"
                 r"supervision|consultation|referral|None)\b")


def visible(html) -> str:
    main = html.split('<main class="container">', 1)[1].split("</main>", 1)[0]
    main = re.sub(r"<(script|style)\b.*?</\1>", " ", main, flags=re.S)
    main = re.sub(r"<option\b[^>]*>", "\n", main)
    text = re.sub(r"<[^>]+>", "\n", main)
    return "\n".join(line.strip() for line in htmllib.unescape(text).splitlines() if line.strip())


@pytest.fixture
def journey(world):
    """A complaint referred, decided with a penalty, consulted on and supervised, with an extension asked."""
    complaint = accepted(world, SOURCE_CODE)
    cid = complaint["id"]
    amr_referral = refer(world, cid, "amr_city", "administrative")
    acknowledge_and_accept(world, amr_referral["id"], "amr_city")
    ok(world.api("amr_city").post(f"/api/v1/referrals/{amr_referral['id']}/notes",
                                  json={"text": "内部记录", "public": False}), 201)
    police_referral = refer(world, cid, "police", "criminal")
    ok(referral_transition(world.api("police"), police_referral["id"], "acknowledge", officer_name="郑刚"))
    consultation = ok(world.api("clerk").post(f"/api/v1/complaints/{cid}/consultations", json={
        "questions": ["是否构成商业秘密？"], "agency_ids": [world.org("police")],
        "opinion_due_at": (dt.datetime.now(dt.UTC) + dt.timedelta(days=3)).isoformat()}), 201)
    ok(world.api("supervisor").post(f"/api/v1/complaints/{cid}/supervision", json={"instructions": "加快办理"}), 201)
    ok(referral_transition(world.api("amr_city"), amr_referral["id"], "conclude", outcome={
        "result": "penalty_decision", "decision_number": "沪市监罚〔2026〕12号", "fine_amount": "680000"}))
    t4 = next(d for d in every(world.api("clerk"), f"/api/v1/complaints/{cid}/deadlines") if d["rule_code"] == "T4")
    ok(world.api("police").post(f"/api/v1/deadlines/{t4['id']}/extension-requests", json={
        "reason": "案情复杂。", "requested_due_at": (dt.datetime.fromisoformat(t4["due_at"])
                                                   + dt.timedelta(days=2)).isoformat()}), 201)
    return {"complaint": cid, "amr": amr_referral["id"], "police": police_referral["id"],
            "consultation": consultation["id"], "t4": t4["id"]}


def pages(journey):
    cid = journey["complaint"]
    return [("clerk", f"/centre/complaints/{cid}"), ("supervisor", f"/centre/complaints/{cid}"),
            ("clerk", f"/consultations/{journey['consultation']}"), ("police", f"/consultations/{journey['consultation']}"),
            ("amr_city", f"/agency/referrals/{journey['amr']}"), ("police", f"/agency/referrals/{journey['police']}"),
            ("police", "/agency/inbox"), ("supervisor", "/centre/supervised"),
            ("police", f"/deadlines/{journey['t4']}/extension"), ("amr_city_head", "/decisions")]


def test_the_case_pages_speak_chinese_with_chinese_punctuation_and_no_raw_identifier(app, world, journey, compiled):  # noqa: F811
    problems = []
    for who, url in pages(journey):
        text = visible(Browser(app, world.users[who]).get(f"{url}?lang=zh"))
        for line in text.splitlines():
            if WESTERN_BESIDE_CHINESE.search(line) or RAW.search(line):
                problems.append((who, url.split("/")[1:3], line))
    assert problems == [], "\n".join(map(str, problems))


def test_the_amounts_are_shown_one_way_on_every_case_page(app, world, journey, compiled):  # noqa: F811
    for who, url in (("clerk", f"/centre/complaints/{journey['complaint']}"),
                     ("amr_city", f"/agency/referrals/{journey['amr']}"),
                     ("enterprise", f"/complaints/{journey['complaint']}")):
        html = Browser(app, world.users[who]).get(f"{url}?lang=zh")
        assert re.findall(r'data-testid="outcome-fine_amount">([^<]*)<', html) == ["¥680,000.00"], who
        assert "680000" not in visible(html), who
