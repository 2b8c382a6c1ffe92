"""Jinja filters and globals: local times, the label filter for enums (each package registers its own labels,
e.g. accounts/presenters.py), the current locale, money (¥680,000.00), and the punctuation of lists, asides
and file sizes in the reader's language (Chinese writes ；（） and 字节, not "; ", "( )" and "Bytes")."""
from flask_babel import get_locale, gettext, ngettext
from markupsafe import Markup, escape

from .money import format_money
from .timeutil import format_local


def separated(items):
    """``items`` joined as a list in running text: "a；b" in Chinese, "a; b" in English (each item escaped)."""
    return Markup(escape(gettext("; "))).join(escape(item) for item in items)


def in_brackets(text):
    """An aside: "（浦东新区）" in Chinese, "(Pudong)" in English."""
    return Markup(escape(gettext("(%(text)s)"))) % {"text": text}


def file_size(size):
    """A file's size: bytes under 1 KiB, then KB and MB with one decimal (the units read the same in both)."""
    if size is None:
        return ""
    if size < 1024:
        return ngettext("%(num)d byte", "%(num)d bytes", size)
    if size < 1024 * 1024:
        return f"{size / 1024:.1f} KB"
    return f"{size / (1024 * 1024):.1f} MB"


def init_app(app):
    app.jinja_env.filters["localtime"] = format_local
    app.jinja_env.filters["money"] = format_money
    app.jinja_env.filters["separated"] = separated
    app.jinja_env.filters["in_brackets"] = in_brackets
    app.jinja_env.filters["file_size"] = file_size
    app.jinja_env.globals.update(
        current_locale=lambda: str(get_locale() or "zh"),
    )

    @app.template_filter("label")
    def label(value, labels):
        return labels.get(value, getattr(value, "value", value)) if value is not None else ""
