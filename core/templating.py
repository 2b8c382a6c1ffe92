"""Jinja filters and globals: local times, labels of enums, the unread-count slot in the nav."""
from flask_babel import get_locale

from .timeutil import format_local


def init_app(app):
    from accounts.enums import DISTRICT_LABELS, ORG_KIND_LABELS, ROLE_LABELS

    app.jinja_env.filters["localtime"] = format_local
    app.jinja_env.globals.update(
        DISTRICT_LABELS=DISTRICT_LABELS,
        ORG_KIND_LABELS=ORG_KIND_LABELS,
        ROLE_LABELS=ROLE_LABELS,
        current_locale=lambda: str(get_locale() or "zh"),
    )

    @app.template_filter("label")
    def label(value, labels):
        return labels.get(value, getattr(value, "value", value)) if value is not None else ""
