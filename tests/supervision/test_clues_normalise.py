"""Clue matching's normalisation, by hand: which names are the same organisation, which are not."""
from types import SimpleNamespace as NS

import pytest

from intake.enums import InfringerKind as K
from supervision.clue_models import ClueKind
from supervision.clues import keys_for, normalise_code, normalise_name, normalise_person

SAME_COMPANY = [
    "上海锐驰自动化有限公司",
    "上海锐驰自动化有限责任公司",
    "上海锐驰自动化股份有限公司",
    "上海 锐驰 自动化有限公司",
    "上海锐驰自动化有限公司\u3000",
    "上海锐驰自动化有限公司北京分公司",
    "上海锐驰自动化有限公司（北京分公司）",
    "上海锐驰自动化有限公司杭州办事处",
]


@pytest.mark.parametrize("name", SAME_COMPANY)
def test_variants_of_one_company_read_the_same(name):
    assert normalise_name(name) == "上海锐驰自动化有限公司"


def test_full_and_half_width_and_english_legal_forms():
    assert normalise_name("ＡＢＣ科技有限公司") == normalise_name("abc科技有限公司") == normalise_name("Abc 科技有限公司")
    assert normalise_name("Ruichi Automation Co., Ltd.") == normalise_name("RUICHI AUTOMATION COMPANY LIMITED")


@pytest.mark.parametrize("other", ["上海锐驰机器人有限公司", "上海锐驰", "锐驰自动化（苏州）有限公司", "上海锐驰自动化科技有限公司"])
def test_other_companies_do_not(other):
    assert normalise_name(other) != normalise_name("上海锐驰自动化有限公司")


def test_codes_and_persons():
    assert normalise_code(" 91310107ma1g8b0klp ") == normalise_code("９１３１０１０７ＭＡ１Ｇ８Ｂ０ＫＬＰ") == "91310107MA1G8B0KLP"
    assert normalise_person("李 某") == normalise_person("李某") and normalise_person("") is None
    assert normalise_name("") is None and normalise_name(None) is None and normalise_code(None) is None


def _complaint(*infringers, enterprise=("上海澄川智能科技有限公司", "91310115MA1K000001")):
    return NS(infringers=[NS(kind=k, name=n, credit_code=c) for k, n, c in infringers],
              enterprise=NS(name=enterprise[0], credit_code=enterprise[1]))


def test_keys_of_a_complaint():
    keys = keys_for(_complaint((K.former_employee, "李某", None),
                               (K.competitor, "上海锐驰自动化有限公司", "91310107MA1G8B0KLP")))
    kinds = {(kind, key) for kind, key, _label in keys}
    assert (ClueKind.credit_code, "91310107MA1G8B0KLP") in kinds
    assert (ClueKind.org_name, "上海锐驰自动化有限公司") in kinds
    # the person with each organisation the complaint names, and with the enterprise that employed them
    assert (ClueKind.person_org, "李某|cc:91310107MA1G8B0KLP") in kinds
    assert (ClueKind.person_org, "李某|nm:上海锐驰自动化有限公司") in kinds
    assert (ClueKind.person_org, "李某|cc:91310115MA1K000001") in kinds
    # a person's name alone is never a key: 张伟 would match half the city
    assert not any(kind is ClueKind.org_name and key == "李某" for kind, key in kinds)
    assert len(kinds) == len(keys)


def test_no_keys_without_names():
    assert keys_for(_complaint((K.unknown, None, None), enterprise=(None, None))) == []
