"""Schema base classes and validators shared by packages."""
import re

from flask_babel import gettext as _
from marshmallow import RAISE, Schema, ValidationError, fields


class StrictSchema(Schema):
    """Unknown fields are an error, never silently dropped or assigned."""

    class Meta:
        unknown = RAISE


class EnumValue(fields.Enum):
    """An enum field by value (the stable lower-case code), with a translated error."""

    def __init__(self, enum, **kwargs):
        super().__init__(enum, by_value=True, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        try:
            return super()._deserialize(value, attr, data, **kwargs)
        except ValidationError:
            raise ValidationError(_("Not a valid choice.")) from None


PHONE_RE = re.compile(r"^\+?[0-9][0-9 \-]{5,19}$")


def validate_phone(value: str) -> None:
    if not PHONE_RE.match(value or ""):
        raise ValidationError(_("Enter a phone number of digits, optionally with +, spaces or dashes."))


def validate_not_blank(value: str) -> None:
    if not (value or "").strip():
        raise ValidationError(_("This field cannot be blank."))
