"""Every timeline event kind is an intake.enums.EventKind with a translated label, and the timeline
(routing.presenters.event_text) says each row in plain Chinese words: never a raw kind or trigger."""
import ast
import re
from pathlib import Path
from types import SimpleNamespace

import pytest
from flask_babel import force_locale

from intake.enums import EVENT_KIND_LABELS, EventKind
from intake.presenters import kind_label
from routing.machines import complaint_machine, consultation_machine, referral_machine
from routing.presenters import event_text
from routing.steps import STEPS
from tests.core.test_translations import compiled  # noqa: F401  (the .mo the pages use)

ROOT = Path(__file__).resolve().parents[2]
LATIN = re.compile(r"[A-Za-z]")
CHINESE = re.compile(r"[\u4e00-\u9fff]")

# Every trigger a row of each kind is written with (routing/services.py, routing/steps.py, intake/services.py).
TRIGGERS = {
    EventKind.created: [None],
    EventKind.edited: [None],
    EventKind.evidence_added: [None],
    EventKind.transition: complaint_machine.triggers,
    EventKind.referral: ["send", *referral_machine.triggers],
    EventKind.routing_decision: [None],
    EventKind.consultation: ["convene", "opinion", *consultation_machine.triggers],
    EventKind.note: [None],
    EventKind.step: list(STEPS),
    EventKind.appraisal: ["appraisal_requested", "appraisal_returned"],
    EventKind.supervision: ["supervise", "report", "lift"],
    EventKind.assignment: ["reassign"],
}
PAYLOAD = {"agency": "浦东新区市场监督管理局", "track": "administrative", "reference": "沪维〔2026〕1号",
           "files": [{"id": "1", "name": "报价单"}], "from_name": "王敏", "to_name": "李强"}


def row(kind, trigger=None, **fields):
    return SimpleNamespace(kind=getattr(kind, "value", kind), trigger=trigger, payload=dict(PAYLOAD),
                           to_state="accepted", from_state="triaging", **fields)


@pytest.fixture
def zh(app, compiled):  # noqa: F811
    with app.test_request_context(), force_locale("zh"):
        yield


def samples():
    return [(kind, trigger) for kind in EventKind for trigger in TRIGGERS[kind]]


def test_every_kind_has_its_triggers_listed_here():
    assert set(TRIGGERS) == set(EventKind)


def test_every_kind_has_a_chinese_label(zh):
    assert set(EVENT_KIND_LABELS) == set(EventKind)
    for kind in EventKind:
        label = str(EVENT_KIND_LABELS[kind])
        assert CHINESE.search(label) and not LATIN.search(label), (kind, label)
        assert kind_label(kind) == kind_label(kind.value) == label


@pytest.mark.parametrize(("kind", "trigger"), samples(), ids=lambda v: getattr(v, "value", v))
def test_every_row_is_told_in_chinese_words(zh, kind, trigger):
    text = event_text(row(kind, trigger))

    assert CHINESE.search(text), text
    assert not LATIN.search(text), f"{kind.value}/{trigger}: {text}"  # no raw kind, trigger or English left


@pytest.mark.parametrize(("kind", "trigger"), [(k, t) for k, t in samples() if t is not None],
                         ids=lambda v: getattr(v, "value", v))
def test_every_known_trigger_has_words_of_its_own(zh, kind, trigger):
    """Not only the kind's name: a machine's new trigger needs its timeline text in routing/presenters.py."""
    assert event_text(row(kind, trigger)) != kind_label(kind)


def test_a_step_is_told_by_its_label(zh):
    text = event_text(row(EventKind.step, "approve_transfer"))

    assert str(STEPS["approve_transfer"].label) in text and PAYLOAD["agency"] in text


def test_the_two_appraisal_rows_differ(zh):
    assert event_text(row(EventKind.appraisal, "appraisal_requested")) != event_text(
        row(EventKind.appraisal, "appraisal_returned"))


def test_an_unknown_trigger_or_kind_still_gets_chinese_words(zh):
    for text in (event_text(row(EventKind.referral, "no_such_trigger")), event_text(row(EventKind.step, "gone")),
                 event_text(row(EventKind.supervision, None)), event_text(row("no_such_kind"))):
        assert CHINESE.search(text) and not LATIN.search(text), text


def _record_event_kinds():
    """The kind argument of every record_event call in the source: a string or an EventKind member."""
    for path in sorted(ROOT.glob("*/*.py")):
        if path.parts[-2] in {"tests", "migrations", "bench", ".venv"}:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            name = getattr(node, "func", None) and getattr(node.func, "id", getattr(node.func, "attr", None))
            if isinstance(node, ast.Call) and name == "record_event" and len(node.args) >= 3:
                yield f"{path.relative_to(ROOT)}:{node.lineno}", node.args[2]


def test_every_call_site_writes_a_known_kind():
    seen = 0
    for where, arg in _record_event_kinds():
        seen += 1
        if isinstance(arg, ast.Constant):
            EventKind(arg.value)  # ValueError names the unknown kind
        elif isinstance(arg, ast.Attribute) and getattr(arg.value, "id", None) == "EventKind":
            assert arg.attr in EventKind.__members__, where
        else:
            assert isinstance(arg, ast.Name), where  # a variable: checked by record_event at run time
    assert seen >= 10
