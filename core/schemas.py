"""Schema base classes and validators shared by packages."""
import re
import unicodedata

from flask_babel import gettext as _
from marshmallow import RAISE, Schema, ValidationError, fields, validate

from .openapi import register_labels


class StrictSchema(Schema):
    """Unknown fields are an error, never silently dropped or assigned."""

    class Meta:
        unknown = RAISE


class OutSchema(StrictSchema):
    """The shape of an answer: dumped, never loaded. Its fields need no bounds because no request is
    ever read with it: load() refuses (tests/core/test_field_limits.py checks every other schema).

    In the OpenAPI document a field of an answer that is not ``required`` may be null (core/openapi.py);
    ``required=True`` says it is always there and never null."""

    _describes_answers = True

    def load(self, *args, **kwargs):
        raise TypeError(f"{type(self).__name__} describes answers; read requests with a request schema")

    def validate(self, *args, **kwargs):
        raise TypeError(f"{type(self).__name__} describes answers; read requests with a request schema")


class LabelTextsSchema(OutSchema):
    """A label in both languages, whatever Accept-Language says (GET /labels, the directory)."""

    zh = fields.String(required=True)
    en = fields.String(required=True)


class Computed(fields.Function):
    """A value an answer computes (``serialize(obj)``), documented in the OpenAPI document as ``as_field``
    describes it (a Nested schema, an enum, a list...): no answer is an untyped ``{}``."""

    def __init__(self, serialize, as_field, **kwargs):
        super().__init__(serialize, **kwargs)
        self.documented_as = as_field


def coded(codes, labels=None, name=None, **kwargs):
    """A string field of an answer that holds one of ``codes`` (an Enum class or values), documented with its
    ``enum`` and ``x-labels`` (``labels``: value or member -> lazy label; registered under ``name`` or the enum's)."""
    values = [m.value for m in codes] if isinstance(codes, type) else list(codes)
    if labels:
        register_labels(name or codes, labels)
    metadata = {"labels": name or (codes.__name__ if isinstance(codes, type) else None), **kwargs.pop("metadata", {})}
    return fields.String(validate=validate.OneOf(values, error="Not a valid choice."), metadata=metadata, **kwargs)


def choices_message(labels) -> str:
    """The error of a value outside a set of choices, naming them by the labels the person sees (never the
    stored codes): "Not a valid choice; choose one of: Administrative; Criminal; Civil."."""
    if not labels:
        return _("Not a valid choice.")
    return _("Not a valid choice; choose one of: %(choices)s.", choices=_("; ").join(str(label) for label in labels))


class EnumValue(fields.Enum):
    """An enum field by value (the stable lower-case code), with a translated error; with ``labels`` (member ->
    label, as the enum's *_LABELS dicts) the error lists the choices by their labels."""

    def __init__(self, enum, *, labels=None, **kwargs):
        super().__init__(enum, by_value=True, **kwargs)
        self.labels = labels
        if labels:
            register_labels(enum, labels)

    def _deserialize(self, value, attr, data, **kwargs):
        try:
            return super()._deserialize(value, attr, data, **kwargs)
        except ValidationError:
            raise ValidationError(choices_message(list(self.labels.values()) if self.labels else None)) from None


class OneOfLabelled(validate.OneOf):
    """validate.OneOf whose error names the choices by their labels: ``choices`` maps each accepted value to
    its (lazy) label. (Still a OneOf: the OpenAPI document lists the values, the field-limit test sees a bound.)"""

    def __init__(self, choices: dict):
        super().__init__(list(choices), error="Not a valid choice.")  # never raised: __call__ lists the labels
        self.choice_labels = choices

    def __call__(self, value):
        try:
            accepted = value in self.choice_labels
        except TypeError:  # an unhashable value
            accepted = False
        if not accepted:
            raise ValidationError(choices_message(list(self.choice_labels.values())))
        return value


PHONE_RE = re.compile(r"^\+?[0-9][0-9 \-]{5,19}$")


def validate_phone(value: str) -> None:
    if not PHONE_RE.match(value or ""):
        raise ValidationError(_("Enter a phone number of digits, optionally with +, spaces or dashes."))


def validate_not_blank(value: str) -> None:
    if not (value or "").strip():
        raise ValidationError(_("This field cannot be blank."))


# --- bounded, clean text fields -------------------------------------------------------------------
#
# Every text a request may write is one of these (or an Enum/UUID/OneOf-bounded field):
#   Name  - one line naming something: organisation, person, infringer, agency, label, search term;
#   Code  - one line identifying something: credit code, phone, case/decision/reference number, URL;
#   EmailAddress - a Name that must also be an e-mail address;
#   Text  - free text (facts, reasons, notes): line breaks and tabs allowed;
#   Password - a secret: bounded, otherwise taken exactly as typed (no normalisation).
# Each takes its bound from the model column it is written to (column=Model.attr, String(n) -> n) or
# an explicit max_length (required for Text columns), and never more than the column holds.
# Values are NFC-normalised; over-long values are refused before any other check runs (one clear
# error, and no validator ever sees a megabyte); control characters, bidi overrides/embeddings/
# isolates and marks, other format (Cf) characters and lone surrogates are refused field by field.
# tests/core/test_field_limits.py proves that every request schema field is bounded this way.

# U+202A-U+202E embeddings/overrides, U+2066-U+2069 isolates, U+200E/U+200F marks, U+061C Arabic mark
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c")
LINE_CONTROLS = frozenset("\n\r\t")  # what multi-line text may keep
NFC_GROWTH = 3  # NFC makes a string at most three times longer (Unicode Standard Annex #15)


def forbidden_character(value: str, *, multiline: bool = False) -> str | None:
    """The first character a name/code (or, with multiline, a free text) may not contain, or None."""
    for ch in value:
        if ch in BIDI_CONTROLS:
            return ch
        if multiline and ch in LINE_CONTROLS:
            continue
        category = unicodedata.category(ch)
        if category in ("Cc", "Cs") or (not multiline and category in ("Cf", "Zl", "Zp")):
            return ch
    return None


def _column_length(column):
    length = getattr(getattr(column, "type", None), "length", None)
    return length


class BoundedString(fields.String):
    """A string with a maximum length (from its column or given), NFC-normalised and free of controls."""

    multiline = False
    strip = True
    normalise = True
    forbidden_message = "name"

    def __init__(self, max_length: int | None = None, *, column=None, min_length: int | None = None,
                 too_long=None, **kwargs):
        column_length = _column_length(column) if column is not None else None
        if max_length is None:
            max_length = column_length
        if max_length is None:
            raise TypeError(f"{type(self).__name__} needs max_length= (or a String(n) column=)")
        if column_length is not None and max_length > column_length:
            raise TypeError(f"max_length {max_length} exceeds the column's {column_length}")
        self.max_length, self.min_length, self.column = max_length, min_length, column
        self.too_long = too_long  # a function giving the message for an over-long value, if not Length's
        validators = kwargs.pop("validate", None)
        validators = [] if validators is None else ([validators] if callable(validators) else list(validators))
        self.length_validator = validate.Length(min=min_length, max=max_length)
        super().__init__(validate=[self.length_validator, *validators], **kwargs)

    def _too_long(self):
        if self.too_long is not None:
            return ValidationError(self.too_long())
        return ValidationError(self.length_validator._format_error(
            None, self.length_validator.message_all if self.min_length is not None
            else self.length_validator.message_max))

    def _deserialize(self, value, attr, data, **kwargs):
        value = super()._deserialize(value, attr, data, **kwargs)
        if len(value) > self.max_length * NFC_GROWTH:
            raise self._too_long()
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:  # a lone surrogate (JSON "\ud800")
            raise self.make_error("invalid_utf8") from None
        if self.normalise:
            value = unicodedata.normalize("NFC", value)
        if self.strip:
            value = value.strip()
        if len(value) > self.max_length:
            raise self._too_long()  # before any other validator: one error, and no regex over a megabyte
        if forbidden_character(value, multiline=self.multiline) is not None:
            if self.multiline:
                raise ValidationError(_("Remove the control characters or text-direction marks from this text "
                                        "(line breaks and tabs are fine)."))
            raise ValidationError(_("Remove the control characters, invisible formatting or text-direction "
                                    "marks from this field."))
        return value


class Name(BoundedString):
    """One line naming something (organisation, person, infringer, agency, label)."""


class Code(BoundedString):
    """One line identifying something (credit code, phone, case, decision or reference number, URL)."""


class CompactCode(Code):
    """A code typed or pasted by a person (a credit code): every space removed (also full-width and inside)
    and upper-cased before the length check, so " 91310115ma1h7gq5xy" is the 18-character code."""

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, str) and len(value) <= self.max_length * NFC_GROWTH:
            value = "".join(value.split()).upper()
        return super()._deserialize(value, attr, data, **kwargs)


class Text(BoundedString):
    """Free text (facts, reasons, notes, minutes): line breaks and tabs allowed, other controls not."""

    multiline = True
    strip = False


class EmailAddress(Name):
    """An e-mail address (254 characters at most, as RFC 5321 allows), checked for its form."""

    default_error_messages = {"invalid": "Not a valid email address."}

    def __init__(self, max_length: int | None = None, *, column=None, **kwargs):
        kwargs["metadata"] = {"format": "email", **(kwargs.get("metadata") or {})}
        super().__init__(max_length if max_length is not None or column is not None else 254, column=column,
                         **kwargs)
        self.validators.insert(1, validate.Email(error=self.error_messages["invalid"]))


class Password(BoundedString):
    """A password: at most 128 characters, otherwise exactly as typed (its hash depends on every code point)."""

    strip = False
    normalise = False
    multiline = True  # controls other than NUL are the user's business; NUL and surrogates are refused below

    def __init__(self, max_length: int = 128, **kwargs):
        super().__init__(max_length, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        value = fields.String._deserialize(self, value, attr, data, **kwargs)
        if len(value) > self.max_length:
            raise self._too_long()
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise self.make_error("invalid_utf8") from None
        if "\x00" in value:
            raise self.make_error("invalid")
        return value
