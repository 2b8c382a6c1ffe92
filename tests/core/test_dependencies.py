"""The dependency direction of docs/ARCHITECTURE.md, read from the code: every import of every module
of each package (module-level and inside functions alike, so no cycle hides behind a late import).

    core ← accounts ← evidence, notifications ← intake ← deadlines ← routing ← agencies

A package imports only from its left; the views (pages and API) of one package never import another
package's views — shared page helpers live below them (core/pages.py, accounts/directory.py,
routing/presenters.py).
"""
import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ORDER = ("core", "accounts", "evidence", "notifications", "intake", "deadlines", "routing", "agencies", "conversations",
         "supervision")
MAY_IMPORT = {
    "core": set(),
    "accounts": {"core"},
    "evidence": {"core", "accounts"},
    "notifications": {"core", "accounts"},
    "intake": {"core", "accounts", "evidence", "notifications"},
    "deadlines": {"core", "accounts", "evidence", "notifications", "intake"},
    "routing": {"core", "accounts", "evidence", "notifications", "intake", "deadlines"},
    "agencies": {"core", "accounts", "evidence", "notifications", "intake", "deadlines", "routing"},
    # the enterprise and its centre talk about a complaint: it needs the complaint, the vault and the outbox
    "conversations": {"core", "accounts", "evidence", "notifications", "intake"},
    # the city's picture reads every package on routing's side; it writes only its own tables
    "supervision": {"core", "accounts", "evidence", "notifications", "intake", "deadlines", "routing"},
}

# Known violations, as (importing file, imported module). Each must still be a violation (the last test),
# so an entry disappears with the import it excuses.
ALLOWED: set = set()
# The enterprise's own pages and API call routing's services ("views may call any service",
# docs/ARCHITECTURE.md): submitting, withdrawing and supplying information are triggers of the complaint
# machine, which lives in routing, and the complaint page shows the complaint's referrals.
VIEWS_CALLING_ROUTING = {
    ("intake/api.py", "routing.services"),
    ("intake/views.py", "routing.services"),
    ("intake/views.py", "routing.enums"),
    ("intake/views.py", "routing.machines"),
    ("intake/views.py", "routing.schemas"),
    ("intake/views.py", "routing.presenters"),
}


def is_view(module: str) -> bool:
    """Pages and API of a package: views.py, api.py, admin_api.py, calendar_views.py, ..."""
    last = module.rsplit(".", 1)[-1]
    return last in {"views", "api"} or last.endswith(("_views", "_api"))


def modules():
    for package in ORDER:
        for path in sorted((ROOT / package).rglob("*.py")):
            yield package, path.relative_to(ROOT).as_posix(), path


def imported_modules(path: Path):
    """The absolute modules a file imports, anywhere in it; `from pkg import name` counts as pkg.name
    when that is a module of ours."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            for alias in node.names:
                sub = f"{node.module}.{alias.name}"
                parts = sub.split(".")
                is_module = (ROOT.joinpath(*parts).with_suffix(".py").exists()
                             or (ROOT.joinpath(*parts) / "__init__.py").exists())
                yield sub if is_module else node.module


def violations():
    found = set()
    for package, name, path in modules():
        for target in imported_modules(path):
            other = target.split(".")[0]
            if other not in ORDER or other == package:
                continue
            if other not in MAY_IMPORT[package]:
                found.add((name, target, f"{package} may not import {other}"))
            if is_view(target):
                found.add((name, target, f"{name} imports another package's views ({target})"))
    return found


def test_the_parser_sees_function_level_imports(tmp_path):
    source = tmp_path / "m.py"
    source.write_text("import os\n\ndef f():\n    from routing import services\n    import intake.models\n")
    assert set(imported_modules(source)) == {"os", "routing.services", "intake.models"}


def test_every_package_is_read():
    seen = {package for package, _name, _path in modules()}
    assert seen == set(ORDER)


@pytest.mark.parametrize("package", ORDER)
def test_dependency_direction(package):
    excused = ALLOWED | VIEWS_CALLING_ROUTING
    bad = sorted(f"{name}: {why}" for name, target, why in violations()
                 if name.split("/")[0] == package and (name, target) not in excused)
    assert bad == []


def test_the_core_knows_no_feature():
    features = set(ORDER) - {"core"}
    for _package, name, path in (m for m in modules() if m[0] == "core"):
        assert {t.split(".")[0] for t in imported_modules(path)} & features == set(), name


def test_every_excused_import_is_still_there():
    """An exception that is no longer needed must leave the list (so ALLOWED can be emptied)."""
    present = {(name, target) for name, target, _why in violations()}
    assert (ALLOWED | VIEWS_CALLING_ROUTING) - present == set()
