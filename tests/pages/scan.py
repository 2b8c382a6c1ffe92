"""What a person reads on a page, and what must not be there: untranslated English in a Chinese page,
raw enum values, identifiers, Western punctuation beside Chinese characters."""
import re
from html.parser import HTMLParser

# attributes whose values people see (a tooltip, a placeholder, what a screen reader says, a button's label)
SEEN_ATTRIBUTES = {"title", "placeholder", "aria-label", "alt"}
BUTTON_INPUTS = {"submit", "button", "reset"}
HIDDEN = {"script", "style", "template", "noscript"}
CODE = {"code", "kbd", "samp"}  # a command or a code people type as it is: not a sentence to translate
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class _Text(HTMLParser):
    """Visible text nodes and seen attribute values, in document order; a stretch in another language
    (``lang="en"`` in a Chinese page, e.g. the language switch "English") and code (<code>, <kbd>) are left out."""

    def __init__(self, locale):
        super().__init__(convert_charrefs=True)
        self.locale = locale
        self.stack = []  # (tag, hidden, foreign)
        self.chunks = []

    def _state(self):
        return self.stack[-1][1:] if self.stack else (False, False)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        hidden, foreign = self._state()
        hidden = hidden or tag in HIDDEN
        lang = attrs.get("lang")
        if lang is not None:
            foreign = not lang.lower().startswith(self.locale)
        foreign = foreign or tag in CODE
        if not hidden and not foreign:
            for name in SEEN_ATTRIBUTES & set(attrs):
                self._add(attrs[name])
            if tag == "input" and (attrs.get("type") or "").lower() in BUTTON_INPUTS:
                self._add(attrs.get("value"))
        if tag not in VOID:
            self.stack.append((tag, hidden, foreign))

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            self.stack.pop()

    def handle_endtag(self, tag):
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i][0] == tag:
                del self.stack[i:]
                return

    def handle_data(self, data):
        hidden, foreign = self._state()
        if not hidden and not foreign:
            self._add(data)

    def _add(self, text):
        if text and text.strip():
            self.chunks.append(" ".join(text.split()))


def visible_text(html, locale):
    """The chunks of text a person reads on the page (whitespace collapsed)."""
    parser = _Text(locale)
    parser.feed(html)
    parser.close()
    return parser.chunks


# --- what the checks allow ------------------------------------------------------------------------

CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
HAN = re.compile(f"[{CJK}]")
A = re.ASCII  # a Chinese character is a \\w in Python: word boundaries are ASCII ones here
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", A)
URL = re.compile(r"(?<![\w.])(?:https?://|/)[\w./?=&%#:-]*[\w/]", A)
REFERENCE = re.compile(r"\bSM-\d{4}-\d{6}\b", A)
CREDIT_CODE = re.compile(r"\b[0-9A-HJ-NPQRTUWXY]{18}\b", A)
FILE_NAME = re.compile(r"[\w.\-]*\.(?:pdf|png|jpe?g|gif|txt|docx?|xlsx?|pptx?|zip|csv|json)\b", re.I | A)
DIGEST = re.compile(r"\b(?=[0-9a-f]*[a-f])(?=[0-9a-f]*[0-9])[0-9a-f]{12,64}\b", A)  # SHA-256, whole or cut short
# terms a Chinese page may write in Latin letters
TERMS = {"PDF", "SHA", "API", "MFA", "TOTP", "JSON", "ZIP", "URL", "QR", "HTTP", "HTTPS", "HMAC", "SMTP", "UTC",
         "CSV", "PNG", "JPEG", "JPG", "GIF", "TXT", "DOCX", "XLSX", "PPTX", "KB", "MB", "GB", "KiB", "MiB", "GiB",
         "RMB", "CNY", "OpenAPI", "Swagger", "UI", "ID", "Office", "Word", "Excel", "FreeOTP", "Google",
         "Authenticator", "AES", "GCM", "CIDR", "IP", "Webhook", "POST", "http", "https"}
WORD = re.compile(r"[A-Za-z]+(?:['’-][A-Za-z]+)*")
UUID = re.compile(r"\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b", re.I | A)
SNAKE = re.compile(r"(?<![\w.@/-])[a-z][a-z0-9]*(?:_[a-z0-9]+)+(?![\w@-])", A)
DOTTED = re.compile(r"(?<![\w.@/-])(?!(?:e\.g|i\.e)\.)[a-z]+(?:\.[a-z_]+)+(?![\w@/-])", A)  # not "e.g." or "i.e."
LITERALS = re.compile(r"\{'|'\}|\bNone\b|\bTrue\b|\bFalse\b|\bnull\b|\bundefined\b|\bNaN\b|\[\]|\{\}", A)
# ASCII punctuation beside a Chinese character (Chinese uses ：；（），！？)
PUNCT = re.compile(f"(?:(?<=[{CJK}]) ?([:;,!?()]))|(?:([:;,!?()]) ?(?=[{CJK}]))")
DATA = "\x00"


class Scanner:
    """The checks, with the world's own data (names, texts, references people entered) taken out first."""

    def __init__(self, data_texts, enum_values, rule_codes):
        texts = sorted({t for t in data_texts if len(t) >= 3}, key=len, reverse=True)
        self.data = re.compile("|".join(re.escape(t) for t in texts)) if texts else None
        self.enum_values = enum_values
        self.enum_word = re.compile(r"(?<![\w.@/-])(" + "|".join(
            re.escape(v) for v in sorted(enum_values, key=len, reverse=True)) + r")(?![\w@/-])", A)
        self.rule_codes = rule_codes

    def strip_data(self, text):
        text = UUID.sub("\x01", EMAIL.sub(DATA, text))
        if self.data:
            text = self.data.sub(lambda m: "〇" if HAN.search(m.group(0)) else DATA, text)
        for pattern in (URL, REFERENCE, CREDIT_CODE, FILE_NAME, DIGEST):
            text = pattern.sub(DATA, text)
        return text

    def findings(self, chunks, locale, rule):
        """{(kind, offending text): an example in its context} of one page in one locale. The offending text
        is stable from run to run (no ids, dates or counts), so that it can be listed in KNOWN_FINDINGS."""
        found = {}

        def add(kind, key, text, match=None):
            found.setdefault((kind, key), _around(text, match) if match else text[:60])

        for chunk in chunks:
            text = self.strip_data(chunk)
            if text.strip() in self.rule_codes and not rule.startswith("/admin/deadline-rules"):
                add("rule code alone", text.strip(), text)
            # identifiers first, then taken out: their parts are not also "untranslated words"
            if "\x01" in text:
                add("identifier", "<uuid>", text.replace("\x01", "<uuid>"))
            text = text.replace("\x01", DATA)
            for m in self.enum_word.finditer(text):
                value = m.group(1)
                if locale == "zh" or "_" in value or text.strip() == value:
                    add("enum value", value, text, m)
            for pattern in (SNAKE, DOTTED, LITERALS):
                for m in pattern.finditer(text):
                    if m.group(0) not in self.enum_values:
                        add("identifier", m.group(0), text, m)
            if locale != "zh":
                continue
            for m in PUNCT.finditer(text):
                add("punctuation", f"ASCII {m.group(1) or m.group(2)} beside Chinese", text, m)
            rest = text
            for pattern in (SNAKE, DOTTED, LITERALS, self.enum_word):
                rest = pattern.sub(DATA, rest)
            for m in WORD.finditer(rest):
                word = m.group(0)
                if word not in TERMS and not (len(word) == 1 and word.isupper()):
                    add("untranslated", word, rest, m)
        return found


def _around(text, match, width=12):
    start, end = max(0, match.start() - width), min(len(text), match.end() + width)
    return re.sub(r"\d", "#", text[start:end].replace(DATA, "…"))  # stable: no dates, times or counts
