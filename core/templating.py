"""Jinja filters and globals: local times, the label filter for enums (each package registers its own labels,
e.g. accounts/presenters.py), the current locale, money (¥680,000.00)."""
from flask_babel import get_locale

from .money import format_money
from .timeutil import format_local


def init_app(app):
    app.jinja_env.filters["localtime"] = format_local
    app.jinja_env.filters["money"] = format_money
    app.jinja_env.globals.update(
        current_locale=lambda: str(get_locale() or "zh"),
    )

    @app.template_filter("label")
    def label(value, labels):
        return labels.get(value, getattr(value, "value", value)) if value is not None else ""
