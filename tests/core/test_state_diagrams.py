from routing.cli import diagram_path, render
from routing.machines import MACHINES


def test_committed_state_diagrams_match_the_transition_tables(ctx):
    assert diagram_path().read_text(encoding="utf-8") == render(), "run: flask --app app state-diagrams"


def test_every_row_is_listed_with_its_effects(ctx):
    """One table line per row, naming its trigger, its clocks, follow-ups and notice (with whom it tells)."""
    text = render()
    for machine in MACHINES:
        section = text.split(f"## {machine.name.capitalize()}\n", 1)[1].split("\n## ", 1)[0]
        assert "```mermaid\nstateDiagram-v2\n" in section
        lines = [line for line in section.splitlines() if line.startswith("| ") and not line.startswith("| trigger")]
        assert len(lines) == len(machine.rules), machine.name
        for rule, line in zip(machine.rules, lines):
            cells = [c.strip() for c in line.strip("|").split(" | ")]
            assert cells[0] == rule.trigger and cells[1] == ", ".join(s.value for s in rule.sources)
            e = rule.effects
            for code in (*e.meets, *e.pauses, *e.resumes, *e.opens, *e.restarts):
                assert (f"{code.__name__}()" if callable(code) else code if code != "*" else "all") in line
            if e.restarts:
                assert cells[12] == ", ".join(e.restarts)
            for name in e.then:
                assert name in cells[13]
            if e.notice:
                general, civil = getattr(e.notice, "variants", (e.notice, None))
                name = f"{general} (civil: {civil})" if civil else general
                assert cells[14] == f"{name} → {', '.join(e.to)}"
            assert ("cancel all" in line) == e.cancels
