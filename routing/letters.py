"""The referral letter (移送函): printable HTML and a PDF, always in Chinese (an official document)."""
import io

from flask import render_template
from flask_babel import force_locale

from core.timeutil import format_local


def _context(referral):
    return {"referral": referral, "letter_lines": letter_lines}


def letter_html(referral) -> str:
    with force_locale("zh"):
        return render_template("routing/letter.html", **_context(referral))


def letter_pdf(referral) -> bytes:
    """A plain A4 PDF with the letter's text, using reportlab's built-in Chinese CID font (no font file)."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer
    from xml.sax.saxutils import escape

    if "STSong-Light" not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    title = ParagraphStyle("title", fontName="STSong-Light", fontSize=18, leading=26, alignment=1)
    body = ParagraphStyle("body", fontName="STSong-Light", fontSize=11, leading=18, wordWrap="CJK")
    with force_locale("zh"):
        lines = letter_lines(referral)
    story = [Paragraph(escape(lines[0]), title), Spacer(1, 8 * mm)]
    story += [Paragraph(escape(line), body) if line else Spacer(1, 4 * mm) for line in lines[1:]]
    buffer = io.BytesIO()
    SimpleDocTemplate(buffer, pagesize=A4, title=referral.letter_number, leftMargin=25 * mm, rightMargin=25 * mm,
                      topMargin=25 * mm, bottomMargin=25 * mm).build(story)
    return buffer.getvalue()


def letter_lines(referral) -> list[str]:
    """The letter as lines of text (the PDF's content; the HTML template says the same)."""
    from intake.presenters import act_label
    from intake.enums import SECRET_CATEGORY_LABELS, TRACK_LABELS

    c = referral.complaint
    infringers = "；".join(f"{i.name or '不详'}" for i in c.infringers) or "不详"
    lines = [
        "商业秘密案件移送函",
        f"编号：{referral.letter_number}",
        "",
        f"{referral.agency.name}：",
        (f"本中心于{format_local(c.submitted_at)}受理{c.enterprise.name}（统一社会信用代码 {c.enterprise.credit_code}）"
         f"提出的商业秘密侵权投诉（投诉编号 {c.reference}）。经初步审查，现将该案移送贵单位依法处理（"
         f"{TRACK_LABELS[referral.track]}）。"),
        "",
        f"商业秘密类别：{SECRET_CATEGORY_LABELS.get(c.secret_category, '')}",
        f"商业秘密内容：{c.secret_description or ''}",
        f"保密措施：{c.confidentiality_measures or ''}",
        f"商业价值：{c.commercial_value or ''}",
        f"涉嫌侵权人：{infringers}",
        f"侵权行为：{'；'.join(str(act_label(a)) for a in c.infringing_acts)}",
        f"估计损失（元）：{c.estimated_loss if c.estimated_loss is not None else '不详'}",
        f"估计违法所得（元）：{c.estimated_illegal_gains if c.estimated_illegal_gains is not None else '不详'}",
        f"基本事实：{c.facts or ''}",
        f"随函移送证据：{len(referral.shared_evidence)}份（" +
        "；".join(f"{e.display_name}，SHA-256 {e.sha256[:16]}…" for e in referral.shared_evidence) + "）",
        "",
        f"附言：{referral.message or '无'}",
        "",
        "请于收到本函后及时签收并反馈处理情况。",
        "",
        f"{c.centre.name if c.centre else ''}",
        f"{format_local(referral.created_at)}",
    ]
    return lines
