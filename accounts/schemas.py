from flask_babel import gettext as _
from marshmallow import ValidationError, fields, pre_load, validate

from core.schemas import (Code, EmailAddress, EnumValue, Name, OutSchema, Password, StrictSchema, validate_not_blank,
                          validate_phone)

from .credit_code import credit_code_problem, normalise
from .enums import DISTRICT_LABELS, ORG_KIND_LABELS, ROLE_LABELS, District, OrgKind, Role
from .models import ColleagueInvitation, Organisation, User


def credit_code_length_message() -> str:
    return _("A unified social credit code has exactly 18 characters.")
from .passwords import MAX_LENGTH, MIN_LENGTH, password_problem


def validate_credit_code(code: str) -> None:
    problem = credit_code_problem(code)
    if problem == "length":
        raise ValidationError(credit_code_length_message())
    if problem == "characters":
        raise ValidationError(_("A unified social credit code uses digits and capital letters except I, O, S, V and Z."))
    if problem == "check_digit":
        raise ValidationError(_("The check digit (last character) is wrong: this is not a valid unified social credit code."))


def password_message(problem: str) -> str:
    return {
        "too_short": _("The password must have at least %(n)d characters.", n=MIN_LENGTH),
        "too_long": _("The password may have at most %(n)d characters.", n=MAX_LENGTH),
        "common": _("This password is one of the most common ones; choose another."),
        "email": _("The password must not be your e-mail address."),
    }[problem]


def validate_password(value: str) -> None:
    """At least 12 and at most 128 characters, not a common password; no composition rules."""
    problem = password_problem(value)
    if problem:
        raise ValidationError(password_message(problem))


class EnterpriseRegistrationSchema(StrictSchema):
    name = Name(column=Organisation.name, required=True, validate=validate_not_blank)
    credit_code = Code(column=Organisation.credit_code, required=True, validate=validate_credit_code,
                       too_long=credit_code_length_message)
    district = EnumValue(District, required=True)
    contact_person = Name(column=User.name, required=True, validate=validate_not_blank)  # the first user's name too
    phone = Code(column=Organisation.phone, required=True, validate=validate_phone)
    email = EmailAddress(column=User.email, required=True)
    password = Password(required=True, load_only=True, validate=validate_password)
    language = fields.String(load_default="zh", validate=validate.OneOf(["zh", "en"]))

    @pre_load
    def tidy(self, data, **kwargs):
        if not isinstance(data, dict):
            return data  # not an object: the schema answers "Invalid input type." (422), never a 500
        data = dict(data)
        if isinstance(data.get("credit_code"), str):
            data["credit_code"] = normalise(data["credit_code"])
        for key in ("name", "contact_person", "phone", "email"):
            if isinstance(data.get(key), str):
                data[key] = data[key].strip()
        return data


class OrganisationSchema(OutSchema):
    id = fields.UUID(dump_only=True)
    name = fields.String()
    kind = EnumValue(OrgKind, labels=ORG_KIND_LABELS, required=True)
    district = EnumValue(District, labels=DISTRICT_LABELS, required=True)
    credit_code = fields.String()


class UserSchema(OutSchema):
    id = fields.UUID(dump_only=True)
    email = fields.String()
    name = fields.String()
    role = EnumValue(Role, labels=ROLE_LABELS, required=True)
    organisation = fields.Nested(OrganisationSchema)


class TokenRequestSchema(StrictSchema):
    # any string up to the column's 254 characters: its form is not checked, so a malformed address is
    # just a wrong one (401), but nothing longer than a stored address can reach the throttle or the audit
    email = Name(column=User.email, required=True)
    password = Password(required=True, load_only=True)
    totp = Code(max_length=100, load_default=None, load_only=True, metadata={
        "description": "For users with two-step verification (all staff): the 6-digit code or a recovery code."})


class TokenSchema(OutSchema):
    token = fields.String()
    token_type = fields.String()
    expires_at = fields.DateTime()
    user = fields.Nested(UserSchema)


class RegistrationRequestedSchema(OutSchema):
    message = fields.String()


class RegistrationConfirmationSchema(StrictSchema):
    token = Code(required=True, max_length=100)


def _strip(data, keys, *, blank_is_none=()):
    """Trim the one-line fields of a form; an empty optional field is no value."""
    if not isinstance(data, dict):
        return data  # not an object: the schema answers "Invalid input type." (422), never a 500
    data = dict(data)
    for key in keys:
        if isinstance(data.get(key), str):
            data[key] = data[key].strip()
            if key in blank_is_none and not data[key]:
                data[key] = None
    return data


class ContactDetailsSchema(StrictSchema):
    """One's own name, phone and language (the e-mail address is the sign-in name: not changed here)."""
    name = Name(column=User.name, required=True, validate=validate_not_blank)
    phone = Code(column=User.phone, load_default=None, allow_none=True, validate=validate_phone)
    language = fields.String(required=True, validate=validate.OneOf(["zh", "en"]))

    @pre_load
    def tidy(self, data, **kwargs):
        return _strip(data, ("name", "phone"), blank_is_none=("phone",))


class InvitationSchema(StrictSchema):
    email = EmailAddress(column=ColleagueInvitation.email, required=True)

    @pre_load
    def tidy(self, data, **kwargs):
        return _strip(data, ("email",))


class InvitationAcceptSchema(StrictSchema):
    """The invited colleague: a name, optionally a phone, a language and a password."""
    name = Name(column=User.name, required=True, validate=validate_not_blank)
    phone = Code(column=User.phone, load_default=None, allow_none=True, validate=validate_phone)
    language = fields.String(load_default="zh", validate=validate.OneOf(["zh", "en"]))
    password = Password(required=True, load_only=True)

    @pre_load
    def tidy(self, data, **kwargs):
        return _strip(data, ("name", "phone"), blank_is_none=("phone",))
