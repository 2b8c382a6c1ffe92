"""`flask calendar seed | load FILE | show YEAR`: the official calendar of days off and make-up working days."""
import json
from pathlib import Path

import click
from flask.cli import with_appcontext
from flask_babel import force_locale, gettext as _

from core.extensions import db

from . import calendar

calendar_cli = click.Group("calendar", help="The official calendar of days off and make-up working days.")


def seed_calendar(from_year: int = calendar.SEED_FROM_YEAR) -> tuple[list[int], list[int]]:
    """The official years the holidays package knows, from ``from_year``; idempotent; the caller commits.

    Returns (loaded years, kept years). `make run` and the test session's reference data use it.
    """
    return calendar.seed(from_year)


def read_year_file(raw: bytes, name: str | None = None) -> calendar.YearSpec:
    """A calendar file's bytes, checked (UTF-8, JSON, then calendar.parse_year_file); raises CalendarFileError
    listing every problem, in the current language (the command's are English). `flask calendar load` and
    the administrator's upload (calendar_views) use it."""
    name = name or _("the file")
    try:
        data = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise calendar.CalendarFileError([_("%(name)s is not UTF-8 text", name=name)]) from None
    except json.JSONDecodeError as exc:
        raise calendar.CalendarFileError([_("%(name)s is not valid JSON: %(reason)s at line %(line)d, column "
                                            "%(column)d", name=name, reason=exc.msg, line=exc.lineno,
                                            column=exc.colno)]) from None
    except RecursionError:
        raise calendar.CalendarFileError([_("%(name)s is nested too deeply", name=name)]) from None
    return calendar.parse_year_file(data)


def _recomputed(result) -> str:
    if result.recomputed is None:
        return ""
    return f"; {result.recomputed} provisional deadline(s) recomputed"


@calendar_cli.command("seed")
@click.option("--from-year", type=int, default=calendar.SEED_FROM_YEAR, show_default=True,
              help="Skip the package's years before this one.")
@with_appcontext
def seed_command(from_year):
    """Load the years the holidays package has from the State Council's notices (idempotent)."""
    loaded, kept = seed_calendar(from_year)
    db.session.commit()
    for year in loaded:
        click.echo(f"loaded the official calendar of {year} from the holidays package")
    if kept:
        click.echo(f"kept (already official): {', '.join(map(str, kept))}")
    if not loaded and not kept:
        click.echo("the holidays package knows no official year from " + str(from_year))


@calendar_cli.command("load")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
def load_command(file):
    """Load a year's calendar from a JSON file (replacing that year's calendar if it was loaded before).

    \b
    {"year": 2027, "source": "国务院办公厅关于2027年部分节假日安排的通知",
     "days_off": [{"date": "2027-01-01", "name": "元旦"},
                  {"from": "2027-02-05", "to": "2027-02-13", "name": "春节"}],
     "workdays": [{"date": "2027-02-14", "name": "春节调休"}]}
    """
    try:
        raw = file.read_bytes()
    except OSError as exc:
        _fail([f"cannot read {file}: {exc.strerror or exc}"])
    try:
        with force_locale("en"):  # an operator's command speaks English, like its other messages
            spec = read_year_file(raw, str(file))
    except calendar.CalendarFileError as exc:
        _fail(exc.problems)
    result = calendar.load_year(spec)
    db.session.commit()
    verb = "replaced" if result.replaced else "loaded"
    before = f" ({result.days_before} listed day(s) before)" if result.replaced else ""
    click.echo(f"{verb} the official calendar of {result.year}{before}: {len(spec.days_off)} day(s) off, "
               f"{len(spec.workdays)} make-up working day(s); calendar version {result.version}"
               f"{_recomputed(result)}")


@calendar_cli.command("show")
@click.argument("year", type=int)
@with_appcontext
def show_command(year):
    """List a year's official days off and make-up working days."""
    row = db.session.get(calendar.CalendarYear, year)
    if row is None:
        _fail([f"{year} has no official calendar (deadlines reaching into it are provisional)"])
    click.echo(f"{year}: {row.source} (loaded {row.loaded_at:%Y-%m-%d %H:%M} UTC)")
    for day in calendar.year_days(year):
        kind = "day off" if day.kind is calendar.DayKind.day_off else "make-up working day"
        click.echo(f"  {day.date} {day.date:%a}  {kind:<20} {day.name or ''}")


def _fail(problems):
    click.echo("error: nothing was saved", err=True)
    for problem in problems:
        click.echo(f"error: {problem}", err=True)
    raise SystemExit(1)
