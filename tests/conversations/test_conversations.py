"""The conversation on a complaint between its enterprise and its centre (conversations/): both sides write
and read, the other side is notified, everyone else gets 404, refused messages leave nothing behind."""
import io
import uuid

import pytest
import time_machine
from sqlalchemy import select

from conversations.models import Message, MessageAttachment
from core.audit import AuditEntry
from tests.accounts.web import field_errors
from tests.evidence.support import count, csrf_token, files_under, pdf_bytes, web_login
from tests.routing.conftest import world  # noqa: F401 - the fixture
from tests.routing.support import complaint_transition, ok, submit
from tests.paging import every

OUTSIDERS = ["other_enterprise", "other_clerk", "police", "amr_city_head", "supervisor", "admin"]


def messages_url(complaint_id):
    return f"/api/v1/complaints/{complaint_id}/messages"


def post(world, who, complaint_id, body):
    return world.api(who).post(messages_url(complaint_id), json={"body": body})


def upload(world, who, complaint_id, body, *files):
    api = world.api(who)
    data = {"body": body, "file": [(io.BytesIO(content), name) for content, name in files]}
    return api.client.post(f"{messages_url(complaint_id)}/upload", headers=api.headers(), data=data,
                           content_type="multipart/form-data")


def web_post(client, complaint_id, body, *files):
    data = {"csrf_token": csrf_token(client, f"/complaints/{complaint_id}/messages"), "body": body,
            "file": [(io.BytesIO(content), name) for content, name in files]}
    return client.post(f"/complaints/{complaint_id}/messages", data=data, content_type="multipart/form-data")


def notified(app, event):
    """{user id: url} of the in-app notifications of ``event``, after the outbox is expanded."""
    from core.extensions import db
    from notifications.models import Notification
    from notifications.worker import expand_outbox

    with app.app_context():
        expand_outbox()
        db.session.commit()
        return {str(user_id): url for user_id, url in db.session.execute(
            select(Notification.user_id, Notification.url).where(Notification.event == event))}


def user_id(world, key):
    return str(world.users[key]["id"])


def test_both_sides_write_and_read_newest_last(app, world):
    with time_machine.travel("2027-03-01 02:00:00+00:00", tick=False) as clock:
        _test_both_sides(app, world, clock)


def _test_both_sides(app, world, clock):
    cid = submit(world)["id"]
    question = ok(post(world, "enterprise", cid, "请问还需要补充哪些材料？"), 201)
    clock.move_to("2027-03-01 03:30:00+00:00")
    answer = ok(post(world, "clerk", cid, "请补充保密协议的签署页。"), 201)
    assert (question["side"], answer["side"]) == ("enterprise", "centre")
    for who in ("enterprise", "clerk", "clerk2"):
        thread = every(world.api(who), messages_url(cid))
        assert [m["body"] for m in thread] == ["请问还需要补充哪些材料？", "请补充保密协议的签署页。"]
        assert thread[0]["author_name"] == "enterprise 用户" and thread[1]["author_name"] == "clerk 用户"
    assert thread[0]["created_at"].startswith("2027-03-01T02:00:00")  # stored and served in UTC
    # the pages show it in Shanghai time, newest last, with the form
    page = web_login(app, world.users["enterprise"]).get(f"/complaints/{cid}").get_data(as_text=True)
    assert 'data-testid="conversation"' in page and 'data-testid="message-form"' in page
    assert page.index("2027-03-01 10:00") < page.index("2027-03-01 11:30") < page.index('data-testid="message-form"')
    triage = web_login(app, world.users["clerk"]).get(f"/centre/complaints/{cid}").get_data(as_text=True)
    assert "请问还需要补充哪些材料？" in triage and 'data-testid="message-form"' in triage
    audited = count(app, AuditEntry, AuditEntry.action == "conversation.message_posted",
                    AuditEntry.subject_id == cid)
    assert audited == 2


def test_the_enterprise_message_reaches_the_clerks_then_the_holder_only(app, world):
    cid = submit(world)["id"]
    ok(post(world, "enterprise", cid, "第一个问题。"), 201)
    first = notified(app, "conversation.enterprise_wrote")
    assert set(first) == {user_id(world, "clerk"), user_id(world, "clerk2")}  # unclaimed: every clerk of the centre
    assert first[user_id(world, "clerk")] == f"/centre/complaints/{cid}#conversation"
    ok(complaint_transition(world.api("clerk2"), cid, "claim"))
    ok(post(world, "enterprise", cid, "第二个问题。"), 201)
    both = notified(app, "conversation.enterprise_wrote")
    from core.extensions import db
    from notifications.models import Notification

    with app.app_context():
        recipients = db.session.scalars(select(Notification.user_id).where(
            Notification.event == "conversation.enterprise_wrote")).all()
    assert sorted(map(str, recipients)) == sorted([user_id(world, "clerk"), user_id(world, "clerk2"),
                                                   user_id(world, "clerk2")])  # the second: the holder only
    assert set(both) == {user_id(world, "clerk"), user_id(world, "clerk2")}
    ok(post(world, "clerk2", cid, "回复：请补充。"), 201)
    answer = notified(app, "conversation.centre_wrote")
    assert answer == {user_id(world, "enterprise"): f"/complaints/{cid}#conversation"}
    for outsider in OUTSIDERS:
        assert user_id(world, outsider) not in first | answer


@pytest.mark.parametrize("who", OUTSIDERS)
def test_everyone_else_gets_404_on_page_api_and_download(app, world, who):
    cid = submit(world)["id"]
    attachment = ok(upload(world, "enterprise", cid, "附件见此。", (pdf_bytes(b"nda"), "nda.pdf")), 201)["attachments"][0]
    api = world.api(who)
    assert api.get(messages_url(cid)).status_code == 404
    assert api.post(messages_url(cid), json={"body": "你好"}).status_code == 404
    assert upload(world, who, cid, "你好", (pdf_bytes(), "a.pdf")).status_code == 404
    assert api.get(attachment["url"]).status_code == 404
    client = web_login(app, world.users[who])
    assert client.get(f"/complaints/{cid}/messages").status_code == 404
    assert client.get(f"/complaints/{cid}/messages/attachments/{attachment['id']}").status_code == 404
    token = csrf_token(client, "/account")
    assert client.post(f"/complaints/{cid}/messages", data={"csrf_token": token, "body": "你好"}).status_code == 404
    assert count(app, Message) == 1


def test_the_parties_download_attachments_audited(app, world):
    cid = submit(world)["id"]
    content = pdf_bytes(b"signed page")
    clerk = web_login(app, world.users["clerk"])
    response = web_post(clerk, cid, "请查收模板。", (content, "模板.pdf"))
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/centre/complaints/{cid}#conversation")
    [attachment] = every(world.api("enterprise"), messages_url(cid))[0]["attachments"]
    download = world.api("enterprise").get(attachment["url"])
    assert download.status_code == 200 and download.data == content
    web = web_login(app, world.users["enterprise"]).get(f"/complaints/{cid}/messages/attachments/{attachment['id']}")
    assert web.status_code == 200 and web.data == content
    assert web.headers["Cache-Control"] == "no-store"
    assert count(app, AuditEntry, AuditEntry.action == "evidence.downloaded",
                 AuditEntry.subject_type == "message_attachment", AuditEntry.subject_id == attachment["id"]) == 2
    # a file of the conversation is not evidence of the complaint
    assert all(e["id"] != attachment["id"] for e in every(world.api("clerk"), f"/api/v1/complaints/{cid}/evidence"))
    # an attachment of another complaint is not found through this one
    other = submit(world)["id"]
    assert world.api("enterprise").get(
        f"/api/v1/complaints/{other}/messages/attachments/{attachment['id']}").status_code == 404
    assert world.api("enterprise").get(
        f"/api/v1/complaints/{cid}/messages/attachments/{uuid.uuid4()}").status_code == 404


def test_a_huge_message_is_refused_with_a_field_error(app, world):
    cid = submit(world)["id"]
    client = web_login(app, world.users["enterprise"])
    response = web_post(client, cid, "长" * 5001, (pdf_bytes(), "a.pdf"))
    assert response.status_code == 422
    assert field_errors(response.get_data(as_text=True), "body")
    assert "长" * 5001 in response.get_data(as_text=True)  # kept in the form to shorten
    api = post(world, "enterprise", cid, "长" * 5001)
    assert api.status_code == 422 and "body" in api.get_json()["errors"]
    assert post(world, "enterprise", cid, "   ").status_code == 422
    assert ok(post(world, "enterprise", cid, "长" * 5000), 201)
    assert count(app, Message) == 1 and count(app, MessageAttachment) == 0


@pytest.mark.parametrize("bad, status", [((b"", "empty.pdf"), 422), ((b"MZ\x90\x00 not a pdf", "tool.exe"), 415),
                                         ((b"plain text, not a PDF", "fake.pdf"), 415)])
def test_a_refused_attachment_leaves_nothing(app, world, bad, status):
    cid = submit(world)["id"]
    before = files_under(app.config["EVIDENCE_DIR"])
    client = web_login(app, world.users["enterprise"])
    response = web_post(client, cid, "附件两个。", (pdf_bytes(b"fine"), "fine.pdf"), bad)
    assert response.status_code == status
    errors = field_errors(response.get_data(as_text=True), "file")
    assert errors and (status != 422 or "empty.pdf" in errors[0])
    assert not field_errors(response.get_data(as_text=True), "body")
    api = upload(world, "enterprise", cid, "附件两个。", (pdf_bytes(b"fine"), "fine.pdf"), bad)
    assert api.status_code == status
    assert count(app, Message) == 0 and count(app, MessageAttachment) == 0
    assert files_under(app.config["EVIDENCE_DIR"]) == before  # the sealed good file is deleted again
    assert count(app, AuditEntry, AuditEntry.action == "conversation.message_posted") == 0
    assert notified(app, "conversation.enterprise_wrote") == {}


def test_too_many_files_are_refused(app, world):
    cid = submit(world)["id"]
    files = [(pdf_bytes(str(i).encode()), f"{i}.pdf") for i in range(6)]
    response = upload(world, "enterprise", cid, "很多附件。", *files)
    assert response.status_code == 422 and "file" in response.get_json()["errors"]
    assert count(app, Message) == 0


def test_no_conversation_on_a_draft_and_read_only_once_closed(app, world):
    draft = ok(world.api("enterprise").post("/api/v1/complaints", json={"facts": "草稿"}), 201)
    assert world.api("enterprise").get(messages_url(draft["id"])).status_code == 404
    page = web_login(app, world.users["enterprise"]).get(f"/complaints/{draft['id']}").get_data(as_text=True)
    assert 'data-testid="conversation"' not in page
    cid = submit(world)["id"]
    ok(post(world, "enterprise", cid, "撤回前的问题。"), 201)
    ok(world.api("enterprise").post(f"/api/v1/complaints/{cid}/withdraw", json={"reason": "已和解。"}))
    assert [m["body"] for m in every(world.api("clerk"), messages_url(cid))] == ["撤回前的问题。"]
    assert post(world, "enterprise", cid, "还能写吗？").status_code == 409
    assert post(world, "clerk", cid, "还能写吗？").status_code == 409
    client = web_login(app, world.users["enterprise"])
    page = client.get(f"/complaints/{cid}").get_data(as_text=True)
    assert "撤回前的问题。" in page and 'data-testid="conversation-closed"' in page
    assert 'data-testid="message-form"' not in page
    response = web_post(client, cid, "还能写吗？")
    assert response.status_code == 409 and field_errors(response.get_data(as_text=True), "body")
    assert count(app, Message) == 1


def test_the_supervisor_sees_the_triage_page_without_the_conversation(app, world):
    cid = submit(world)["id"]
    ok(post(world, "enterprise", cid, "只给中心看。"), 201)
    page = web_login(app, world.users["supervisor"]).get(f"/centre/complaints/{cid}")
    assert page.status_code == 200
    assert "只给中心看。" not in page.get_data(as_text=True)
    other = web_login(app, world.users["other_clerk"]).get(f"/centre/complaints/{cid}")
    assert other.status_code == 404


@pytest.mark.config(MAX_ATTACHMENT_BYTES=2000)
def test_a_file_over_the_size_limit_is_refused_under_the_form(app, world):
    cid = submit(world)["id"]
    before = files_under(app.config["EVIDENCE_DIR"])
    client = web_login(app, world.users["clerk"])
    response = web_post(client, cid, "附件太大。", (pdf_bytes(b"small"), "small.pdf"), (pdf_bytes(size=5000), "big.pdf"))
    assert response.status_code == 413 and field_errors(response.get_data(as_text=True), "file")
    assert count(app, Message) == 0 and files_under(app.config["EVIDENCE_DIR"]) == before
    assert ok(upload(world, "clerk", cid, "小附件。", (pdf_bytes(size=1500), "ok.pdf")), 201)


def test_a_damaged_attachment_is_a_410_reported_to_the_administrators(app, world):
    from core.extensions import db
    from evidence.models import EvidenceFile
    from evidence.vault import path_for

    cid = submit(world)["id"]
    attachment = ok(upload(world, "enterprise", cid, "附件。", (pdf_bytes(b"x" * 100), "a.pdf")), 201)["attachments"][0]
    with app.app_context():
        row = db.session.get(MessageAttachment, uuid.UUID(attachment["id"]))
        path = path_for(row.storage_key)
    path.write_bytes(path.read_bytes()[:-20])  # cut off
    response = world.api("clerk").get(attachment["url"])
    assert response.status_code == 410 and response.get_json()["code"] == "evidence_damaged"
    [failed] = [a for a in _audit(app, "evidence.download_failed")]
    assert (failed.subject_type, failed.subject_id) == ("message_attachment", attachment["id"])
    with app.app_context():
        assert db.session.get(MessageAttachment, uuid.UUID(attachment["id"])).damage_reported_at is not None
        assert db.session.scalar(select(EvidenceFile.damage_reported_at).where(
            EvidenceFile.damage_reported_at.is_not(None))) is None  # the complaint's evidence is untouched
    assert user_id(world, "admin") in notified(app, "evidence.damaged")


def _audit(app, action):
    from core.extensions import db

    with app.app_context():
        return db.session.scalars(select(AuditEntry).where(AuditEntry.action == action)).all()
