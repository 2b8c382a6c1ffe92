"""Built-in English messages of marshmallow 4, webargs, flask-wtf and werkzeug, marked for extraction only.

Nothing imports this module: it exists so that `pybabel extract` puts these strings in the catalogue.
core.errors.translate_messages passes every error string through gettext when the answer is written,
so each msgid here must equal, character for character, the text the library produces. Messages with
format placeholders ({min}, {choices}, ...) are listed only in the exact forms our schemas produce;
when a schema gains a new Length/OneOf/Range bound, add its formatted text here too
(tests/core/test_translations.py computes them from the schemas and fails on any that is missing).
"""
from flask_babel import lazy_gettext as _l

MESSAGES = (
    # marshmallow.fields.Field
    _l("Missing data for required field."),
    _l("Field may not be null."),
    _l("Invalid value."),
    # marshmallow.Schema (unknown=RAISE, wrong top-level type)
    _l("Unknown field."),
    _l("Invalid input type."),
    # Nested, List, Tuple, Dict / Mapping
    _l("Invalid type."),
    _l("Not a valid list."),
    _l("Not a valid tuple."),
    _l("Not a valid mapping type."),
    # String, UUID
    _l("Not a valid string."),
    _l("Not a valid utf-8 string."),
    _l("Not a valid UUID."),
    # Number, Integer, Float, Decimal
    _l("Not a valid number."),
    _l("Number too large."),
    _l("Not a valid integer."),
    _l("Special numeric values (nan or infinity) are not permitted."),
    # Boolean
    _l("Not a valid boolean."),
    # Date, DateTime, NaiveDateTime, AwareDateTime, Time ("Not a valid {obj_type}." and
    # "Not a valid {awareness} {obj_type}." as formatted), TimeDelta
    _l("Not a valid date."),
    _l("Not a valid datetime."),
    _l("Not a valid aware datetime."),
    _l("Not a valid naive datetime."),
    _l("Not a valid time."),
    _l("Not a valid period of time."),
    # Email field and validate.Email, Url field and validate.URL
    _l("Not a valid email address."),
    _l("Not a valid URL."),
    # validate.Regexp, validate.Predicate / NoneOf
    _l("String does not match expected pattern."),
    _l("Invalid input."),
    # validate.Length as our schemas use it (accounts/, intake/, routing/, deadlines/, notifications/); for a
    # list the bound counts items (infringers max 20, referrals 1-10, questions 1-20), for a string characters
    # (core.schemas Name/Code/Text/EmailAddress/Password carry one each: 18 credit codes, 40 phones and
    # outcome results, 64 ids, 128 passwords)
    _l("Longer than maximum length 10."),
    _l("Longer than maximum length 18."),
    _l("Longer than maximum length 20."),
    _l("Longer than maximum length 40."),
    _l("Longer than maximum length 64."),
    _l("Longer than maximum length 100."),
    _l("Longer than maximum length 128."),
    _l("Longer than maximum length 200."),
    _l("Longer than maximum length 254."),
    _l("Longer than maximum length 2000."),
    _l("Longer than maximum length 5000."),
    _l("Longer than maximum length 20000."),
    _l("Longer than maximum length 40000."),
    _l("Longer than maximum length 50000."),
    _l("At most 500 items."),  # routing/schemas.py: evidence_ids, with its own error text
    _l("Length must be between 1 and 10."),
    _l("Length must be between 1 and 20."),
    _l("Length must be between 1 and 100."),
    _l("Length must be between 1 and 200."),
    _l("Length must be between 1 and 1000."),
    _l("Length must be between 1 and 2000."),
    _l("Length must be between 1 and 5000."),
    _l("Length must be between 1 and 20000."),
    # validate.Range as our schemas use it (paging; deadlines/schemas.py passes its own English error text)
    _l("Must be between 1 and 3650."),
    _l("Must be greater than or equal to 1."),
    _l("Must be greater than or equal to 1 and less than or equal to 100."),
    _l("Must be greater than or equal to 1 and less than or equal to 10000."),  # core/limits.py: page
    _l("Must be greater than or equal to 1 and less than or equal to 1000000."),  # an API key's rate limit
    # validate.OneOf as our schemas use it (accounts/schemas.py: language)
    _l("Must be one of: zh, en."),
    # webargs: a request body that is not JSON
    _l("Invalid JSON body."),
    # flask-wtf: why a form post was refused (core.errors shows the description on the error page)
    _l("The CSRF token is missing."),
    _l("The CSRF session token is missing."),
    _l("The CSRF token has expired."),
    _l("The CSRF token is invalid."),
    _l("The CSRF tokens do not match."),
    # werkzeug descriptions that core.errors passes through gettext (API answers and error pages)
    _l("The browser (or proxy) sent a request that this server could not understand."),
    _l("The method is not allowed for the requested URL."),
    _l("The server encountered an internal error and was unable to complete your request. "
       "Either the server is overloaded or there is an error in the application."),
)
