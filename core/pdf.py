"""Official documents as PDF: lines of text → an A4 PDF that embeds the TrueType font it uses.

The referral letter (routing/letters.py) and the submission receipt (intake/receipt.py) are both
"a title, then lines" and both are in Chinese. A PDF that only *names* a CJK font (reportlab's
built-in STSong-Light CID font) is drawn with a substitute, or with boxes, by many viewers, so the
font program is embedded (a subset: FontFile2). The font is a file of a Debian package the install
steps bring in (`make fonts`: fonts-wqy-zenhei), found at PDF_FONT_PATH (a TrueType file, or a
collection with PDF_FONT_INDEX). CFF-outline OpenType fonts (fonts-noto-cjk) cannot be embedded by
reportlab. Without the file no PDF is made: the error is logged and the reader is told (503).
"""
import io
from pathlib import Path
from xml.sax.saxutils import escape

from flask import current_app
from flask_babel import lazy_gettext as _l

from .errors import DomainError

DEFAULT_FONT_PATH = "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"  # Debian's fonts-wqy-zenhei
FONT_NAME = "DocumentFont"

_registered: dict[tuple[str, int], str] = {}


class PdfFontMissing(DomainError):
    """The configured font file is not there (or not a TrueType font): no PDF can be made."""

    status = 503
    code = "pdf_font_missing"
    default_message = _l("The PDF cannot be made now: the font it needs is not installed on the server "
                         "(the error is logged for the administrators). The printable page works meanwhile.")


def font_name() -> str:
    """Register the configured TrueType font with reportlab (once per path) and return its name."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFError, TTFont

    path = current_app.config.get("PDF_FONT_PATH") or DEFAULT_FONT_PATH
    index = int(current_app.config.get("PDF_FONT_INDEX") or 0)
    key = (path, index)
    if key in _registered:
        return _registered[key]
    if not Path(path).is_file():
        current_app.logger.error("PDF font missing: %s (install fonts-wqy-zenhei with `make fonts`, "
                                 "or set PDF_FONT_PATH to a TrueType font)", path)
        raise PdfFontMissing()
    name = f"{FONT_NAME}{len(_registered)}"
    try:
        pdfmetrics.registerFont(TTFont(name, path, subfontIndex=index))
    except (TTFError, OSError) as exc:
        current_app.logger.error("PDF font %s (index %d) cannot be embedded: %s", path, index, exc)
        raise PdfFontMissing() from None
    _registered[key] = name
    return name


def lines_pdf(lines: list[str], *, title: str) -> bytes:
    """An A4 PDF: ``lines[0]`` as the centred title, then one paragraph per line ("" is a blank space).

    The font is embedded (a subset), so the text renders the same everywhere and can be extracted.
    """
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer

    font = font_name()
    heading = ParagraphStyle("title", fontName=font, fontSize=18, leading=26, alignment=1)
    body = ParagraphStyle("body", fontName=font, fontSize=11, leading=18, wordWrap="CJK")
    story = [Paragraph(escape(lines[0]), heading), Spacer(1, 8 * mm)]
    story += [Paragraph(escape(line), body) if line else Spacer(1, 4 * mm) for line in lines[1:]]
    buffer = io.BytesIO()
    # initialFontName: no unembedded Helvetica in the resources (reportlab's default base font)
    SimpleDocTemplate(buffer, pagesize=A4, title=title, initialFontName=font, leftMargin=25 * mm, rightMargin=25 * mm,
                      topMargin=25 * mm, bottomMargin=25 * mm).build(story)
    return buffer.getvalue()
