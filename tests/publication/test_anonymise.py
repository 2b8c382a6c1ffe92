"""The anonymiser: what a draft starts from and what approval refuses (publication/anonymise.py)."""
import pytest
from flask_babel import force_locale

from tests.publication.support import concluded, make_world


@pytest.fixture
def complaint(app, client):
    import uuid

    from core.extensions import db
    from intake.models import Complaint

    world = make_world(app, client, code_base=6_400_000)
    complaint_id = concluded(world)["id"]
    with app.test_request_context():
        yield db.session.get(Complaint, uuid.UUID(complaint_id))


def test_scrub_removes_the_records_names_codes_amounts_and_contacts(complaint):
    from publication.anonymise import scrub

    text = ("上海鲜达供应链管理有限公司（鲜达公司）的赵某，信用代码91310107MA1G8B0KLP，另一代码91310000MA1K4XXX0A，"
            "损失180000元，另付¥3,500，邮件a.b@example.com，电话021-62345678。")
    with force_locale("zh"):
        result = scrub(text, complaint)
    for secret in ("鲜达", "赵某", "91310107MA1G8B0KLP", "91310000MA1K4XXX0A", "180000", "3,500", "example.com",
                   "62345678"):
        assert secret not in result, secret
    assert "丙公司" in result and "员工乙" in result and "［金额已隐去］" in result


def test_leaks_name_what_an_edited_text_still_identifies(complaint):
    from publication.anonymise import leaks

    assert leaks("A公司的客户名单被带走。", complaint) == []
    found = leaks("鲜达公司的赵某用13912345678联系客户。", complaint)
    assert {"鲜达公司", "赵某", "13912345678"} <= set(found)


def test_the_draft_never_quotes_the_secrets_description(complaint):
    from publication.anonymise import draft_texts

    texts = draft_texts(complaint, "")
    assert complaint.secret_description not in texts["summary_zh"] + texts["summary_en"]
    assert "经营信息" in texts["summary_zh"] and "Business information" in texts["summary_en"]
