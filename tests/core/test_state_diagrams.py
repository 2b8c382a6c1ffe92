from routing.cli import diagram_path, render


def test_committed_state_diagrams_match_the_transition_tables(ctx):
    assert diagram_path().read_text(encoding="utf-8") == render(), "run: flask --app app state-diagrams"
