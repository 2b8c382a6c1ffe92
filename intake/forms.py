"""HTML form data -> the same dict shape the API sends, for ComplaintDraftSchema.

The form is more forgiving than the API where a person types: amounts as "680,000", "68万" or "¥680,000"
(core.money.parse_amount; the API keeps strict decimal strings), and any number of infringer rows, each with
its own remove button, numbered as the page (or its script) numbered them."""
import re

from flask_babel import gettext as _

from core.money import AmountError, format_money, parse_amount

from .schemas import MAX_INFRINGERS

LIST_FIELDS = ("infringing_acts", "remedies", "preferred_tracks")
AMOUNT_FIELDS = ("estimated_loss", "estimated_illegal_gains")
SCALAR_FIELDS = ("contact_name", "contact_phone", "contact_email", "secret_category", "secret_description",
                 "confidentiality_measures", "commercial_value", "discovered_on", "facts")
TRI_STATE_FIELDS = ("holder_bankrupt_or_closed",)  # yes / no / unknown
INFRINGER_FIELDS = ("kind", "name", "credit_code", "district", "penalty_decision_number", "penalty_authority",
                    "penalty_decided_on")
MAX_AMOUNT_INPUT = 40  # characters of an amount as typed ("¥ 1,000,000,000,000.00元" fits)
_ROW_KEY = re.compile(r"^infringers-(\d{1,6})-([a-z_]{1,30})$")

# the buttons of the form (name="action"); a per-row button name="remove_infringer" value=<row number>
SAVE, SUBMIT, ADD_INFRINGER, REMOVE_INFRINGER = "save", "submit", "add_infringer", "remove_infringer"


def form_action(form) -> str:
    """Which button sent the form: save (also Enter in a field), save and submit, add or remove a row."""
    if form.get(REMOVE_INFRINGER) is not None:
        return REMOVE_INFRINGER
    action = form.get("action")
    return action if action in (SUBMIT, ADD_INFRINGER) else SAVE


def infringer_rows(form) -> list[dict]:
    """The infringer rows as typed, in the order of their numbers, without empty rows or the one whose remove
    button was pressed. At most MAX_INFRINGERS + 1 rows are read (one more than allowed, so that the schema
    refuses too many): 10,000 posted rows cost no more than 21."""
    numbers = sorted({int(m[1]) for key in form.keys() if (m := _ROW_KEY.match(key)) and m[2] in INFRINGER_FIELDS})
    removed = form.get(REMOVE_INFRINGER, "")
    rows = []
    for number in numbers:
        if str(number) == removed:
            continue
        row = {f: form.get(f"infringers-{number}-{f}", "") for f in INFRINGER_FIELDS}
        if any(value.strip() for value in row.values()):
            rows.append(row)
            if len(rows) > MAX_INFRINGERS:
                break
    return rows


def _amount(text: str):
    """(the decimal string the schema reads, or None; the error to show, or None)."""
    text = (text or "").strip()
    if len(text) > MAX_AMOUNT_INPUT:
        return None, _("An amount in yuan, e.g. 680,000 or 68万, with at most two decimals.")
    try:
        value = parse_amount(text)
    except AmountError as exc:
        return None, str(exc)
    return (None if value is None else str(value)), None


def draft_data_from_form(form) -> tuple[dict, dict]:
    """(the data for ComplaintDraftSchema, errors found before it: amounts the parser cannot read)."""
    data, errors = {}, {}
    for name in SCALAR_FIELDS:
        value = form.get(name, "").strip()
        data[name] = value or None
    for name in AMOUNT_FIELDS:
        data[name], error = _amount(form.get(name, ""))
        if error:
            errors[name] = [error]
    for name in LIST_FIELDS:
        data[name] = form.getlist(name)
    for name in TRI_STATE_FIELDS:
        data[name] = {"yes": True, "no": False}.get(form.get(name))
    rows = infringer_rows(form)
    if len(rows) > MAX_INFRINGERS:
        errors["infringers"] = [_("Name at most %(n)d suspected infringers.", n=MAX_INFRINGERS)]
    data["infringers"] = [{f: value.strip() or None for f, value in row.items()} for row in rows[:MAX_INFRINGERS]]
    return data, errors


def form_values(complaint) -> dict:
    """The stored draft as form values, for re-displaying the form (amounts as ¥680,000.00)."""
    values = {name: getattr(complaint, name) for name in SCALAR_FIELDS}
    values = {k: ("" if v is None else (v.value if hasattr(v, "value") else str(v))) for k, v in values.items()}
    for name in AMOUNT_FIELDS:
        amount = getattr(complaint, name)
        values[name] = "" if amount is None else format_money(amount)
    for name in LIST_FIELDS:
        values[name] = list(getattr(complaint, name) or [])
    for name in TRI_STATE_FIELDS:
        values[name] = {True: "yes", False: "no"}.get(getattr(complaint, name), "")
    values["infringers"] = [
        {"kind": i.kind.value, "name": i.name or "", "credit_code": i.credit_code or "",
         "district": i.district.value if i.district else "",
         "penalty_decision_number": i.penalty_decision_number or "", "penalty_authority": i.penalty_authority or "",
         "penalty_decided_on": i.penalty_decided_on.isoformat() if i.penalty_decided_on else ""}
        for i in complaint.infringers
    ]
    return values


def raw_form_values(form) -> dict:
    """What the user typed, to show back next to the errors (rows in the order the errors number them)."""
    values = {name: form.get(name, "") for name in SCALAR_FIELDS + AMOUNT_FIELDS}
    for name in LIST_FIELDS:
        values[name] = form.getlist(name)
    for name in TRI_STATE_FIELDS:
        values[name] = form.get(name, "")
    values["infringers"] = infringer_rows(form)[:MAX_INFRINGERS]
    return values
