"""The clerk's journey over the API: queue, claim, supplements, accept or reject, suggestion, referrals, letter."""
from tests.evidence.support import pdf_bytes, timeline, upload
from tests.routing.support import (CUSTOMER_LIST, DUE_DATE, PATENT_APPLICATION, SOURCE_CODE, complaint_transition,
                                   create_referrals, evidence_ids, example, item, ok, snapshot, submit)


def test_queue_claim_supplements_accept(app, world):
    mine = submit(world)
    theirs = submit(world, who="other_enterprise")
    assert mine["centre"]["id"] == world.org("centre")
    assert theirs["centre"]["id"] == world.org("other_centre")
    clerk, other_clerk, enterprise = world.api("clerk"), world.api("other_clerk"), world.api("enterprise")

    queue = ok(clerk.get("/api/v1/queue"))
    assert [(i["id"], i["state"]) for i in queue["items"]] == [(mine["id"], "submitted")]
    assert queue["total"] == 1
    assert queue["items"][0]["reference"] == mine["reference"]
    assert [i["id"] for i in ok(other_clerk.get("/api/v1/queue"))["items"]] == [theirs["id"]]
    assert other_clerk.get(f"/api/v1/complaints/{mine['id']}").status_code == 404
    before = snapshot(app, mine["id"])
    assert complaint_transition(other_clerk, mine["id"], "claim").status_code == 404
    assert snapshot(app, mine["id"]) == before

    claimed = ok(complaint_transition(clerk, mine["id"], "claim"))
    assert claimed["state"] == "triaging"
    assert ok(clerk.get("/api/v1/queue?state=triaging"))["total"] == 1
    assert ok(clerk.get("/api/v1/queue?state=submitted"))["total"] == 0

    # a request for supplements needs a message (the machine's "reason") and a due date
    before = snapshot(app, mine["id"])
    no_message = complaint_transition(clerk, mine["id"], "request_info", due_date=DUE_DATE)
    assert no_message.status_code == 422 and "message" in no_message.get_json()["errors"]
    no_due_date = complaint_transition(clerk, mine["id"], "request_info", message="请补充离职交接清单。")
    assert no_due_date.status_code == 422 and "due_date" in no_due_date.get_json()["errors"]
    assert snapshot(app, mine["id"]) == before

    asked = ok(complaint_transition(clerk, mine["id"], "request_info", message="请补充离职交接清单。",
                                    due_date=DUE_DATE))
    assert asked["state"] == "awaiting_info"
    request = timeline(enterprise, mine["id"])[-1]
    assert (request["trigger"], request["reason"], request["payload"]["due_date"]) == (
        "request_info", "请补充离职交接清单。", DUE_DATE)

    # the enterprise uploads the file, then answers: back to triage
    added = upload(enterprise, mine["id"], (pdf_bytes(b"exit checklist"), "离职交接清单.pdf"))
    assert added.status_code == 201, added.get_json()
    answered = ok(enterprise.post(f"/api/v1/complaints/{mine['id']}/supplements",
                                  json={"text": "已上传离职交接清单。"}))
    assert answered["state"] == "triaging"
    assert len(evidence_ids(world, mine["id"])) == 2
    # the enterprise may add evidence while the complaint is open, not only when asked (issue 8, point 6)
    assert upload(enterprise, mine["id"], (pdf_bytes(b"late"), "late.pdf")).status_code == 201
    assert timeline(enterprise, mine["id"])[-1]["payload"]["later"] is True

    accepted = ok(complaint_transition(clerk, mine["id"], "accept", message="予以受理。"))
    assert accepted["state"] == "accepted"
    steps = [(e["trigger"], e["from_state"], e["to_state"]) for e in timeline(enterprise, mine["id"])
             if e["kind"] == "transition"]
    assert steps == [("submit", "draft", "submitted"), ("claim", "submitted", "triaging"),
                     ("request_info", "triaging", "awaiting_info"), ("supply_info", "awaiting_info", "triaging"),
                     ("accept", "triaging", "accepted")]


def test_an_empty_supplement_is_refused(app, world):
    complaint = submit(world)
    clerk = world.api("clerk")
    ok(complaint_transition(clerk, complaint["id"], "claim"))
    ok(complaint_transition(clerk, complaint["id"], "request_info", message="请补充。", due_date=DUE_DATE))
    before = snapshot(app, complaint["id"])
    response = world.api("enterprise").post(f"/api/v1/complaints/{complaint['id']}/supplements", json={"text": " "})
    assert response.status_code == 422 and "text" in response.get_json()["errors"]
    # only the enterprise answers
    assert clerk.post(f"/api/v1/complaints/{complaint['id']}/supplements", json={"text": "x"}).status_code == 409
    assert snapshot(app, complaint["id"]) == before


def test_reject_needs_a_reason_code_and_a_message(app, world):
    complaint = submit(world)
    clerk = world.api("clerk")
    ok(complaint_transition(clerk, complaint["id"], "claim"))
    before = snapshot(app, complaint["id"])

    no_code = complaint_transition(clerk, complaint["id"], "reject", message="不属于商业秘密。")
    assert no_code.status_code == 422 and "reason_code" in no_code.get_json()["errors"]
    bad_code = complaint_transition(clerk, complaint["id"], "reject", message="x", reason_code="because")
    assert bad_code.status_code == 422 and "reason_code" in bad_code.get_json()["errors"]
    no_message = complaint_transition(clerk, complaint["id"], "reject", reason_code="not_trade_secret")
    assert no_message.status_code == 422 and "message" in no_message.get_json()["errors"]
    assert snapshot(app, complaint["id"]) == before

    rejected = ok(complaint_transition(clerk, complaint["id"], "reject", reason_code="not_trade_secret",
                                       message="所述信息已公开，不属于商业秘密。"))
    assert rejected["state"] == "rejected"
    last = timeline(world.api("enterprise"), complaint["id"])[-1]
    assert (last["trigger"], last["reason"], last["payload"]["reason_code"]) == (
        "reject", "所述信息已公开，不属于商业秘密。", "not_trade_secret")
    assert ok(complaint_transition(clerk, complaint["id"], "close"))["state"] == "closed"


# --- routing suggestions (EXAMPLES.md) --------------------------------------------------------------

def suggest(world, data) -> dict:
    complaint = submit(world, data, files=0)
    return ok(world.api("clerk").get(f"/api/v1/complaints/{complaint['id']}/routing-suggestion"))


def rules_by_track(suggestion) -> dict:
    for s in suggestion["suggestions"]:
        for reason in s["reasons"]:
            assert reason["explanation"].strip(), reason
    for reason in suggestion["consultation"]["reasons"]:
        assert reason["explanation"].strip(), reason
    return {s["track"]: [r["rule"] for r in s["reasons"]] for s in suggestion["suggestions"]}


ADMIN_ONLY = {"remedies": ["administrative_investigation"], "preferred_tracks": ["centre_decides"],
              "infringing_acts": ["breach_of_confidentiality_duty"]}


THRESHOLD_CASES = [
    # loss, illegal gains, administrative penalty within two years, criminal suggested
    ("300000.00", None, False, True),
    ("299999.99", None, False, False),
    ("1000.00", "300000.00", False, True),  # the illegal gains count as much as the loss
    ("100000.00", None, True, True),  # after an administrative penalty within two years
    ("99999.99", None, True, False),
    ("100000.00", None, False, False),
]


def test_the_criminal_filing_threshold(world):
    for loss, gains, penalty, criminal in THRESHOLD_CASES:
        data = example(CUSTOMER_LIST, estimated_loss=loss, estimated_illegal_gains=gains, **ADMIN_ONLY)
        if penalty:  # a decision a year before the infringement (discovered on 2026-10-20)
            data["infringers"][1].update(penalty_decision_number="沪市监处〔2025〕7号",
                                         penalty_authority="上海市市场监督管理局", penalty_decided_on="2025-10-20")
        suggestion = suggest(world, data)
        tracks = rules_by_track(suggestion)
        case = (loss, gains, penalty, tracks)
        assert ("criminal_amount" in tracks.get("criminal", [])) is criminal, case
        assert suggestion["facts"]["threshold"] == ("100000" if penalty else "300000"), case
        if criminal:
            police = next(s for s in suggestion["suggestions"] if s["track"] == "criminal")["agency"]
            assert police["id"] in (world.org("police"), world.org("police_pudong")), case
            assert suggestion["suggestions"][0]["track"] == "criminal", case  # criminal first
        else:
            assert tracks == {"administrative": ["administrative"]}, case


def test_the_customer_list_case_goes_to_the_market_regulator_only(world):
    suggestion = suggest(world, CUSTOMER_LIST)
    assert rules_by_track(suggestion) == {"administrative": ["administrative"]}
    assert suggestion["consultation"] == {"suggested": False, "reasons": []}
    administrative = suggestion["suggestions"][0]
    # SAMR Order 126: the municipal bureau by default, the infringer's district (Putuo) as the alternative
    assert administrative["agency"]["id"] == world.org("amr_city")
    assert administrative["alternative"]["id"] == world.org("amr_putuo")
    assert suggestion["note"]


def test_the_patent_application_case_suggests_a_consultation(world):
    suggestion = suggest(world, PATENT_APPLICATION)
    tracks = rules_by_track(suggestion)
    assert [r["rule"] for r in suggestion["consultation"]["reasons"]] == ["consult_patent"]
    assert suggestion["consultation"]["suggested"] is True
    assert tracks["criminal"] == ["criminal_amount"]  # 2,500,000 >= 100,000 after the earlier penalty
    assert suggestion["facts"]["threshold"] == "100000"
    assert tracks["civil"] == ["civil_remedy"]


def test_the_source_code_case_goes_to_police_and_court(world):
    suggestion = suggest(world, SOURCE_CODE)
    tracks = rules_by_track(suggestion)
    assert tracks == {"criminal": ["criminal_amount", "criminal_requested"], "civil": ["civil_remedy"]}
    civil = next(s for s in suggestion["suggestions"] if s["track"] == "civil")
    assert civil["agency"]["id"] == world.org("court")


def test_civil_when_damages_or_an_injunction_are_sought(world):
    for remedy in ("civil_damages", "injunction_preservation"):
        tracks = rules_by_track(suggest(world, example(CUSTOMER_LIST, remedies=[remedy])))
        assert tracks == {"civil": ["civil_remedy"]}, remedy  # and no administrative fallback


def test_bankruptcy_and_a_requested_investigation_are_criminal(world):
    bankrupt = rules_by_track(suggest(world, example(CUSTOMER_LIST, holder_bankrupt_or_closed=True)))
    assert bankrupt["criminal"] == ["criminal_bankruptcy"]
    requested = rules_by_track(suggest(world, example(CUSTOMER_LIST, remedies=["criminal_investigation"],
                                                      infringing_acts=["bribery"])))
    assert requested["criminal"] == ["criminal_requested"]
    # asking for it without acts that give a reasonable suspicion is not enough
    unfounded = rules_by_track(suggest(world, example(CUSTOMER_LIST, remedies=["criminal_investigation"])))
    assert "criminal" not in unfounded


def test_conflicting_preferences_suggest_a_consultation(world):
    suggestion = suggest(world, example(CUSTOMER_LIST, preferred_tracks=["civil"]))
    assert [r["rule"] for r in suggestion["consultation"]["reasons"]] == ["consult_conflict"]


def test_only_the_centre_sees_the_suggestion(world):
    complaint = submit(world, files=0)
    url = f"/api/v1/complaints/{complaint['id']}/routing-suggestion"
    assert world.api("enterprise").get(url).status_code == 404
    assert world.api("police").get(url).status_code == 404
    assert world.api("other_clerk").get(url).status_code == 404
    assert world.api("supervisor").get(url).status_code == 200


# --- referrals and the letter ----------------------------------------------------------------------

def test_referrals_with_chosen_evidence_and_the_letter(app, world):
    complaint = submit(world, files=2)
    clerk = world.api("clerk")
    ok(complaint_transition(clerk, complaint["id"], "claim"))
    ok(complaint_transition(clerk, complaint["id"], "accept"))
    first, second = evidence_ids(world, complaint["id"])

    response = create_referrals(world, complaint["id"],
                                item(world, "police", "criminal", [first], message="请依法审查。"),
                                item(world, "court", "civil", [first, second]))
    referrals = ok(response, 201)
    assert [(r["agency"]["id"], r["track"], r["state"]) for r in referrals] == [
        (world.org("police"), "criminal", "sent"), (world.org("court"), "civil", "sent")]
    assert [e["id"] for e in referrals[0]["shared_evidence"]] == [first]
    assert sorted(e["id"] for e in referrals[1]["shared_evidence"]) == sorted([first, second])
    assert [r["letter_number"] for r in referrals] == [f"{complaint['reference']}-Y01", f"{complaint['reference']}-Y02"]
    assert ok(clerk.get(f"/api/v1/complaints/{complaint['id']}"))["state"] == "referred"

    # the decision is recorded with the suggestion it followed (or not)
    refer_event = next(e for e in timeline(clerk, complaint["id"]) if e["kind"] == "routing_decision")
    assert {s["track"] for s in refer_event["payload"]["suggestion"]} == {"criminal", "civil"}
    assert refer_event["payload"]["decision"] == [{"agency": "上海市公安局经济犯罪侦查总队", "track": "criminal"},
                                                  {"agency": "上海知识产权法院", "track": "civil"}]

    letter = clerk.get(f"/api/v1/referrals/{referrals[0]['id']}/letter")
    assert letter.status_code == 200 and letter.mimetype == "text/html"
    html = letter.get_data(as_text=True)
    assert complaint["reference"] in html and "上海市公安局经济犯罪侦查总队" in html
    assert referrals[0]["letter_number"] in html
    pdf = clerk.get(f"/api/v1/referrals/{referrals[0]['id']}/letter.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    assert pdf.data.startswith(b"%PDF")
    # the agency reads its own letter, not another agency's
    assert world.api("police").get(f"/api/v1/referrals/{referrals[0]['id']}/letter").status_code == 200
    assert world.api("police").get(f"/api/v1/referrals/{referrals[1]['id']}/letter.pdf").status_code == 404
    assert world.api("other_clerk").get(f"/api/v1/referrals/{referrals[0]['id']}/letter").status_code == 404


def test_evidence_of_another_complaint_cannot_be_shared(app, world):
    complaint = submit(world)
    other = submit(world)
    clerk = world.api("clerk")
    for trigger in ("claim", "accept"):
        ok(complaint_transition(clerk, complaint["id"], trigger))
    foreign = evidence_ids(world, other["id"])
    before = snapshot(app, complaint["id"])
    response = create_referrals(world, complaint["id"], item(world, "police", "criminal", foreign))
    assert response.status_code == 422 and "referrals.0.evidence_ids" in response.get_json()["errors"]
    assert snapshot(app, complaint["id"]) == before
