"""Every page, for every role it is shown to, in Chinese and in English: no untranslated string, raw enum
value or identifier in what a person reads, and Chinese punctuation beside Chinese characters.

The pages are discovered from the URL map (tests/pages/world.py), so a page added later is scanned too;
the world is built once per database for this module. What a person reads: the text nodes (not script or
style) and the attribute values people see (title, placeholder, aria-label, alt, a button input's value);
the world's own data (names, texts, references people entered, e-mail addresses, credit codes, file
names) is taken out first (tests/pages/scan.py).

``KNOWN_FINDINGS`` holds the defects found when this test was written, each one to remove: the test fails
on any other finding, and on an entry that no longer occurs (the list only shrinks). ``PAGESCAN_RECORD=path``
writes the findings not in the list to ``path``, one line each with an example and where it was seen.
"""
import os
import re
import uuid
from pathlib import Path

import pytest
from sqlalchemy import String, Text, select

from tests.conftest import DATABASES
from tests.e2e.test_enterprise_journey import compile_catalogues
from tests.pages import world as pages
from tests.pages.scan import Scanner, visible_text

# (rule, locale, offending text) of defects not fixed yet: none is left, and a new finding is fixed, not listed
KNOWN_FINDINGS: set[tuple[str, str, str]] = set()

# Text columns whose values are what the world's users typed or were given (names, facts, notes, reasons):
# data, shown as it was entered. Columns holding codes (events, rule codes, states) are not data, nor the
# rules' table (their names and legal basis are the platform's own words).
IDENTIFIER_LIKE = re.compile(r"[A-Za-z0-9_.:/-]+")


@pytest.fixture(scope="module", params=DATABASES)
def scanned(request, database_urls, tmp_path_factory):
    compile_catalogues()  # a stale catalogue would read as untranslated pages
    app, world = pages.make_world(request.param, database_urls[request.param], tmp_path_factory)
    try:
        yield world, pages.shown_pages(world, pages.signed_in_clients(world), errors=True)
    finally:
        pages.drop(app)


def data_texts(app):
    """Every text value of the world's rows (not reference tables, not identifier-like codes)."""
    from core.extensions import db

    texts = set()
    with app.app_context():
        for table in db.metadata.sorted_tables:
            if table.name == "deadline_rules":  # the platform's own words (names, legal basis), not data
                continue
            columns = [c for c in table.columns if isinstance(c.type, (String, Text)) and not hasattr(c.type, "enums")]
            if not columns:
                continue
            for row in db.session.execute(select(*columns)):
                for value in row:
                    if isinstance(value, str) and not IDENTIFIER_LIKE.fullmatch(value):
                        texts.update(line.strip() for line in value.splitlines())
    return texts


def enum_values():
    """The values of the project's enums that look like identifiers (lower-case ASCII, maybe with _)."""
    values = set()
    for enum_class in pages.project_enums():
        for member in enum_class:
            if isinstance(member.value, str) and re.fullmatch(r"[a-z][a-z0-9_]*", member.value):
                values.add(member.value)
    return values


def rule_codes(app):
    from core.extensions import db
    from deadlines.models import DeadlineRule

    with app.app_context():
        return set(db.session.scalars(select(DeadlineRule.code)))


def test_every_page_rule_can_be_filled_or_has_a_reason(scanned):
    world, _ = scanned
    missing = pages.unfillable(world, pages.page_rules(world.app))
    assert not missing, ("Pages whose parameters the world cannot fill: give tests/pages/world.py an object for "
                         f"them (PageWorld.candidates) or a reason in SKIP: {missing}")
    stale = sorted(set(pages.SKIP) - set(pages.page_rules(world.app)))
    assert not stale, f"In SKIP but no longer pages: {stale}"


def test_the_scan_finds_what_it_looks_for():
    """The checks themselves: each kind of defect is found, and data and allowed terms are not."""
    scanner = Scanner({"上海澄川智能科技有限公司", "police_pudong 用户", "MATRIX-SECRET-NOTE"},
                      {"rights_center", "criminal"}, {"Q1"})
    html = ('<html><head><title>Queue</title><script>var x_y = 1;</script><style>p{color:red}</style></head><body>'
            '<h1>投诉</h1><p>状态: criminal</p><p>上海澄川智能科技有限公司 police_pudong 用户 MATRIX-SECRET-NOTE</p>'
            '<input type="submit" value="Save"><input type="hidden" value="Hidden"><a lang="en" href="?">English</a>'
            '<p>SM-2026-000001 wangmin@x.example exhibit-1.pdf PDF SHA-256 91310115MA1H7GQ5XY 3fa4c2e9d1b0aa77</p>'
            f'<p>编号{uuid.uuid4()}</p><p>{{\'a\': None}}</p><p>机构 rights_center、complaint.submitted</p><td>Q1</td>'
            '<p>命令<code>flask calendar load</code>（暂定）：已完成；</p><input placeholder="Search"></body></html>')
    found = set(scanner.findings(visible_text(html, "zh"), "zh", "/x"))
    assert found == {
        ("untranslated", "Queue"), ("untranslated", "Save"), ("untranslated", "Search"), ("untranslated", "a"),
        ("enum value", "criminal"), ("enum value", "rights_center"), ("punctuation", "ASCII : beside Chinese"),
        ("identifier", "<uuid>"), ("identifier", "{'"), ("identifier", "None"), ("identifier", "complaint.submitted"),
        ("rule code alone", "Q1")}, found
    english = set(scanner.findings(visible_text(
        "<p>Track: criminal</p><p>criminal</p><p>rights_center</p><p>Q1 of the rules</p>", "en"), "en", "/x"))
    assert english == {("enum value", "criminal"), ("enum value", "rights_center")}, english


# pages the scan must reach (so that it cannot pass by reaching none)
CONTROLS = {("anonymous", "/login"), ("staff:second_step", "/login/mfa"), ("enterprise_user", "/complaints/<complaint_id>"),
            ("enterprise_user", "/complaints/<complaint_id>/edit"), ("clerk", "/centre/queue"),
            ("clerk", "/centre/complaints/<complaint_id>"), ("clerk", "/consultations/<consultation_id>"),
            ("clerk", "/referrals/<referral_id>/letter"), ("officer:court", "/agency/referrals/<referral_id>"),
            ("officer:market_regulation", "/deadlines/<deadline_id>/extension"), ("head:market_regulation", "/decisions"),
            ("supervisor", "/centre/supervised"), ("admin", "/admin/deadline-rules/"), ("admin", "/admin/deliveries"),
            ("admin", "<page not found>"), ("clerk", "<page not found>")}


def test_no_page_shows_untranslated_text_raw_values_or_identifiers(scanned):
    world, shown = scanned
    app = world.app
    scanner = Scanner(data_texts(app), enum_values(), rule_codes(app))
    assert {p.role for p in shown} == set(pages.ROLES), "a role is shown no page at all"
    covered = {(p.role, p.rule) for p in shown}
    assert CONTROLS <= covered, f"pages each role must be shown, not found: {sorted(CONTROLS - covered)}"
    observed, report = set(), {}
    for page in shown:
        for locale, html in page.html.items():
            for (kind, text), example in scanner.findings(visible_text(html, locale), locale, page.rule).items():
                observed.add((page.rule, locale, text))
                if (page.rule, locale, text) not in KNOWN_FINDINGS:
                    where = report.setdefault((page.rule, locale, kind, text), {"example": example, "as": set()})
                    where["as"].add(f"{page.role} {page.url}")
    record = os.environ.get("PAGESCAN_RECORD")
    if record:  # every finding with where it was seen, to review (never to copy into KNOWN_FINDINGS blindly)
        Path(record).write_text("".join(
            f"{(rule, locale, text)!r},  # {kind}: {where['example']!r} as {', '.join(sorted(where['as'])[:2])}\n"
            for (rule, locale, kind, text), where in sorted(report.items())), encoding="utf-8")
    gone = sorted(KNOWN_FINDINGS - observed)
    lines = [f"{rule} [{locale}] {kind}: {text!r} in {where['example']!r} — as {', '.join(sorted(where['as'])[:3])}"
             for (rule, locale, kind, text), where in sorted(report.items())]
    assert not lines and not gone, (
        f"{len(lines)} finding(s) on the pages:\n" + "\n".join(lines)
        + (f"\n\nFixed (remove from KNOWN_FINDINGS): {gone}" if gone else ""))
