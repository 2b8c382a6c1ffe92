"""The referral as data (GET /api/v1/referrals/{id}): everything the letter says, as fields.

The letter is rendered from routing.letters.letter_data alone and the API serialises the same dict; the first
tests rebuild each kind of letter from the JSON and find it line for line equal to the letter served. The
others are an attacker's: what the JSON gives each relation is no more than it could read before (the
letter, the complaint), another agency's referral and internal notes stay closed, and only the referral's own
agency gets download links.
"""
import copy
import datetime as dt
import decimal
import hashlib
import html
import json
import re
import uuid

import pytest

from tests.routing.support import (CUSTOMER_LIST, SOURCE_CODE, accepted, create_referrals, evidence_ids, example, item,
                                   ok, refer, referral_transition)
from tests.routing.test_note_visibility import (AMR_INTERNAL, POLICE_INTERNAL, POLICE_PUBLIC, note, supervised,
                                                transferred)

PENALISED = example(CUSTOMER_LIST, infringers=[
    {"kind": "former_employee", "name": "赵某", "district": "putuo"},
    {"kind": "competitor", "name": "上海鲜达供应链管理有限公司", "credit_code": "91310107MA1G8B0KLP", "district": "putuo",
     "penalty_decision_number": "沪市监处〔2025〕12号", "penalty_authority": "上海市普陀区市场监督管理局",
     "penalty_decided_on": "2025-03-10"}],
    estimated_illegal_gains="56789.10", holder_bankrupt_or_closed=False,
    remedies=["administrative_investigation", "civil_damages"])
MESSAGE = "请重点核查CRM导出日志。"


def letter_lines_of(response) -> list[str]:
    """The served HTML letter's lines (its title and paragraphs; blank lines are <br>)."""
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    body = response.get_data(as_text=True)
    return [html.unescape(text) for text in re.findall(r"<(?:h1|p)>(.*?)</(?:h1|p)>", body, re.S)]


def _when(value):
    return dt.datetime.fromisoformat(value) if value is not None else None


def _day(value):
    return dt.date.fromisoformat(value) if value is not None else None


def _amount(value):
    return decimal.Decimal(value) if value is not None else None


def data_from_json(body) -> dict:
    """routing.letters.letter_data's dict rebuilt from the referral's JSON alone (types as the letter reads them)."""
    from intake.enums import SecretCategory, Track
    from routing.enums import CivilRoute

    facts = copy.deepcopy(body["complaint_details"])
    facts.update(submitted_at=_when(facts["submitted_at"]), accepted_at=_when(facts["accepted_at"]),
                 discovered_on=_day(facts["discovered_on"]), estimated_loss=_amount(facts["estimated_loss"]),
                 estimated_illegal_gains=_amount(facts["estimated_illegal_gains"]),
                 secret_category=SecretCategory(facts["secret_category"]) if facts["secret_category"] else None)
    for infringer in facts["infringers"]:
        if infringer["penalty_decision"] is not None:
            infringer["penalty_decision"]["decided_on"] = _day(infringer["penalty_decision"]["decided_on"])
    letter = body["letter"]
    return {"kind": letter["kind"], "title": letter["title"], "number": letter["number"],
            "addressee": letter["addressee"], "agency": body["agency"], "track": Track(body["track"]),
            "civil_route": CivilRoute(body["civil_route"]) if body["civil_route"] else None,
            "sent_at": _when(letter["sent_at"]), "message": body["message"], "complaint": facts,
            "evidence": body["shared_evidence"], "centre": body["centre"]}


def rebuilt_letter(app, body) -> list[str]:
    from flask_babel import force_locale

    from routing import letters

    with app.test_request_context(), force_locale("zh"):
        return [line for line in letters.render_lines(data_from_json(body)) if line]


CASES = [  # (agency, track, civil route, the letter's kind)
    ("amr_city", "administrative", None, "referral_letter"),
    ("police", "criminal", None, "referral_letter"),
    ("court", "civil", "file_suit", "filing_guide"),
    ("court", "civil", "pre_suit_mediation", "mediation_letter"),
]


@pytest.mark.parametrize("agency,track,route,kind", CASES)
def test_every_fact_of_the_letter_is_in_the_json(app, world, agency, track, route, kind):
    complaint = accepted(world, PENALISED, files=2)
    files = evidence_ids(world, complaint["id"])
    body_item = item(world, agency, track, files, message=MESSAGE, civil_route=route)
    referral = ok(create_referrals(world, complaint["id"], body_item), 201)[0]
    api = world.api(agency)
    body = ok(api.get(f"/api/v1/referrals/{referral['id']}"))
    assert body["letter"]["kind"] == kind
    served = letter_lines_of(api.get(body["letter"]["html_url"]))
    assert rebuilt_letter(app, body) == served  # the JSON alone says the whole letter
    # and the letter names what an agency needs: the credit code and earlier penalty, the amounts, the digests
    text = "\n".join(served)
    for fact in ("91310107MA1G8B0KLP", "沪市监处〔2025〕12号", "上海市普陀区市场监督管理局", "2025-03-10",
                 "¥180,000.00", "联系人：联系人，联系电话：13800000000", MESSAGE, *[e["sha256"] for e in body["shared_evidence"]]):
        assert fact in text, fact
    pdf = api.get(body["letter"]["pdf_url"])
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"


def test_the_facts_are_typed_fields_amounts_decimal_strings_and_the_evidence_downloads_to_its_digest(app, world):
    complaint = accepted(world, PENALISED, files=2)
    referral = refer(world, complaint["id"], "amr_city", "administrative", evidence_ids(world, complaint["id"]))
    amr = world.api("amr_city")
    response = amr.get(f"/api/v1/referrals/{referral['id']}")
    body = ok(response)
    assert response.headers["ETag"] == f'"{body["version"]}"'
    facts = body["complaint_details"]
    assert facts["reference"] == complaint["reference"] and facts["id"] == complaint["id"]
    assert facts["estimated_loss"] == "180000.00" and facts["estimated_illegal_gains"] == "56789.10"
    assert facts["holder_bankrupt_or_closed"] is False
    assert facts["infringing_acts"] == PENALISED["infringing_acts"] and facts["remedies"] == PENALISED["remedies"]
    assert facts["discovered_on"] == "2026-10-20" and facts["preferred_tracks"] == ["administrative"]
    assert facts["enterprise"]["credit_code"] and facts["enterprise"]["district"] == "pudong"
    assert facts["infringers"][1] == {
        "kind": "competitor", "name": "上海鲜达供应链管理有限公司", "credit_code": "91310107MA1G8B0KLP",
        "district": "putuo", "penalty_decision": {"number": "沪市监处〔2025〕12号",
                                                  "authority": "上海市普陀区市场监督管理局", "decided_on": "2025-03-10"}}
    assert facts["infringers"][0]["penalty_decision"] is None and facts["infringers"][0]["credit_code"] is None
    assert body["centre"] == {"id": world.org("centre"), "name": "上海市商业秘密保护维权中心", "contact_person": "联系人",
                              "phone": "13800000000", "email": "centre@routing.example"}
    assert body["letter"]["addressee"] == {"id": world.org("amr_city"), "name": "上海市市场监督管理局"}
    assert len(body["shared_evidence"]) == 2
    for evidence in body["shared_evidence"]:
        assert evidence["download_url"] == f"/api/v1/referrals/{referral['id']}/evidence/{evidence['id']}"
        assert evidence["shared_at"] and evidence["media_type"] == "application/pdf"
        download = amr.get(evidence["download_url"])
        assert download.status_code == 200 and len(download.data) == evidence["size"]
        assert hashlib.sha256(download.data).hexdigest() == evidence["sha256"]


def test_evidence_shared_later_is_in_the_data_and_the_letter_alike(app, world):
    complaint = accepted(world, files=2)
    first, second = evidence_ids(world, complaint["id"])
    referral = refer(world, complaint["id"], "police", "criminal", [first])
    ok(referral_transition(world.api("clerk"), referral["id"], "supplement", evidence_ids=[second], reason="补充。"))
    body = ok(world.api("police").get(f"/api/v1/referrals/{referral['id']}"))
    assert {e["id"] for e in body["shared_evidence"]} == {first, second}
    served = letter_lines_of(world.api("police").get(body["letter"]["html_url"]))
    assert rebuilt_letter(app, body) == served


def test_the_document_describes_the_referral_as_data(app, client):
    spec = client.get("/api/v1/openapi.json").get_json()
    answer = spec["paths"]["/api/v1/referrals/{referral_id}"]["get"]["responses"]["200"]["content"]["application/json"]
    assert answer["schema"]["$ref"].endswith("/ReferralDetail")
    schemas = spec["components"]["schemas"]
    detail = schemas["ReferralDetail"]["properties"]
    assert {"complaint_details", "centre", "letter", "shared_evidence"} <= set(detail)
    facts = schemas["ComplaintDetails"]["properties"]
    for amount in ("estimated_loss", "estimated_illegal_gains"):
        assert facts[amount]["type"] == "string" and facts[amount]["pattern"] == r"^[0-9]+\.[0-9]{2}$"
    assert "theft" in facts["infringing_acts"]["items"]["enum"]
    assert "civil_damages" in facts["remedies"]["items"]["enum"]
    assert "download_url" in schemas["SharedEvidence"]["properties"]


# --- as an attacker ----------------------------------------------------------------------------------

def everything(body) -> str:
    return json.dumps(body, ensure_ascii=False)


def test_outsiders_get_404_and_the_anonymous_401(app, world):
    complaint = accepted(world)
    cid = complaint["id"]
    police = refer(world, cid, "police", "criminal", evidence_ids(world, cid))["id"]
    amr = refer(world, cid, "amr_city", "administrative")["id"]
    url = f"/api/v1/referrals/{police}"
    # another agency of the same complaint, an unrelated agency, another centre, another enterprise, the admin
    for who in ("amr_city", "court", "police_pudong", "other_clerk", "other_enterprise", "admin"):
        assert world.api(who).get(url).status_code == 404, who
    assert app.test_client().get(url).status_code == 401
    assert world.api("police").get(f"/api/v1/referrals/{uuid.uuid4()}").status_code == 404
    assert world.api("police").get("/api/v1/referrals/not-an-id").status_code == 404
    # the agency of the same complaint reads its own referral, and nothing of the police's in it
    own = everything(ok(world.api("amr_city").get(f"/api/v1/referrals/{amr}")))
    assert police not in own and "Y01" not in own  # the police referral's id and letter number


def test_internal_notes_and_other_referrals_never_appear_in_the_data(app, world):
    cid, referral, child = transferred(world)  # AMR's referral (internal note) transferred to the police (notes)
    for who, rid in (("amr_city", referral), ("amr_city", child), ("police", child), ("clerk", child),
                     ("supervisor", child), ("enterprise", child), ("enterprise", referral)):
        text = everything(ok(world.api(who).get(f"/api/v1/referrals/{rid}")))
        assert POLICE_INTERNAL not in text and AMR_INTERNAL not in text, (who, rid)
        assert POLICE_PUBLIC not in text  # notes are read at /notes, by the rules of can_read_internal_notes
    # the receiving police still do not open the transferring agency's referral
    assert world.api("police").get(f"/api/v1/referrals/{referral}").status_code == 404


def test_only_the_referrals_own_agency_gets_download_links(app, world):
    cid, referral, child = transferred(world)
    files = evidence_ids(world, cid)
    own = ok(world.api("police").get(f"/api/v1/referrals/{child}"))
    assert own["shared_evidence"] and all(e["download_url"] for e in own["shared_evidence"])
    # the transferring agency, the centre, the supervisor and the enterprise read the list, never a link
    for who in ("amr_city", "clerk", "supervisor", "enterprise"):
        body = ok(world.api(who).get(f"/api/v1/referrals/{child}"))
        assert [e["sha256"] for e in body["shared_evidence"]] == [e["sha256"] for e in own["shared_evidence"]]
        assert all(e["download_url"] is None for e in body["shared_evidence"]), who
        for evidence in files:  # and the link, guessed, answers 404
            assert world.api(who).get(f"/api/v1/referrals/{child}/evidence/{evidence}").status_code == 404, who
    # the supervising procuratorate: the police referral's list, no links either
    _cid, police_referral, _child = supervised(world)
    body = ok(world.api("procuratorate").get(f"/api/v1/referrals/{police_referral}"))
    assert body["shared_evidence"] and all(e["download_url"] is None for e in body["shared_evidence"])


def test_the_enterprise_and_the_centre_learn_nothing_they_could_not_read_before(app, world):
    """Their facts are the complaint they read at /complaints/{id}; the rest is the letter they could open."""
    complaint = accepted(world, PENALISED)
    referral = refer(world, complaint["id"], "amr_city", "administrative", evidence_ids(world, complaint["id"]))
    note(world.api("amr_city"), referral["id"], AMR_INTERNAL)
    for who in ("enterprise", "clerk"):
        api = world.api(who)
        body = ok(api.get(f"/api/v1/referrals/{referral['id']}"))
        facts = body["complaint_details"]
        read = ok(api.get(f"/api/v1/complaints/{complaint['id']}"))
        for name in ("reference", "secret_category", "secret_description", "confidentiality_measures",
                     "commercial_value", "infringing_acts", "discovered_on", "estimated_loss",
                     "estimated_illegal_gains", "holder_bankrupt_or_closed", "remedies", "preferred_tracks", "facts"):
            assert facts[name] == read[name], (who, name)
        for mine, theirs in zip(facts["infringers"], read["infringers"], strict=True):
            assert mine["credit_code"] == theirs["credit_code"] and mine["name"] == theirs["name"]
        assert rebuilt_letter(app, body) == letter_lines_of(api.get(body["letter"]["html_url"]))  # the letter they read
        assert AMR_INTERNAL not in everything(body)
        # the enterprise's contact person is not passed on (the centre mediates)
        assert not {"contact_name", "contact_phone", "contact_email"} & set(facts)


def test_the_data_of_a_source_code_complaint_without_amounts_of_gains(app, world):
    complaint = accepted(world, SOURCE_CODE)
    referral = refer(world, complaint["id"], "police", "criminal")
    body = ok(world.api("police").get(f"/api/v1/referrals/{referral['id']}"))
    assert body["complaint_details"]["estimated_illegal_gains"] is None
    assert body["shared_evidence"] == []
    assert rebuilt_letter(app, body) == letter_lines_of(world.api("police").get(body["letter"]["html_url"]))
