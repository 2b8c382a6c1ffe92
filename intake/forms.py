"""HTML form data -> the same dict shape the API sends, for ComplaintDraftSchema."""

LIST_FIELDS = ("infringing_acts", "remedies", "preferred_tracks")
SCALAR_FIELDS = ("contact_name", "contact_phone", "contact_email", "secret_category", "secret_description",
                 "confidentiality_measures", "commercial_value", "discovered_on", "estimated_loss",
                 "estimated_illegal_gains", "facts")
TRI_STATE_FIELDS = ("holder_bankrupt_or_closed",)  # yes / no / unknown
INFRINGER_ROWS = 5
INFRINGER_FIELDS = ("kind", "name", "credit_code", "district", "penalty_decision_number", "penalty_authority",
                    "penalty_decided_on")


def draft_data_from_form(form) -> dict:
    data = {}
    for name in SCALAR_FIELDS:
        value = form.get(name, "").strip()
        data[name] = value or None
    for name in LIST_FIELDS:
        data[name] = form.getlist(name)
    for name in TRI_STATE_FIELDS:
        data[name] = {"yes": True, "no": False}.get(form.get(name))
    infringers = []
    for i in range(INFRINGER_ROWS):
        row = {f: form.get(f"infringers-{i}-{f}", "").strip() or None for f in INFRINGER_FIELDS}
        if any(row.values()):
            infringers.append(row)
    data["infringers"] = infringers
    return data


def form_values(complaint) -> dict:
    """The stored draft as form values, for re-displaying the form."""
    values = {name: getattr(complaint, name) for name in SCALAR_FIELDS}
    values = {k: ("" if v is None else (v.value if hasattr(v, "value") else str(v))) for k, v in values.items()}
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
    """What the user typed, to show back next to the errors."""
    values = {name: form.get(name, "") for name in SCALAR_FIELDS}
    for name in LIST_FIELDS:
        values[name] = form.getlist(name)
    for name in TRI_STATE_FIELDS:
        values[name] = form.get(name, "")
    values["infringers"] = [
        {f: form.get(f"infringers-{i}-{f}", "") for f in INFRINGER_FIELDS} for i in range(INFRINGER_ROWS)
    ]
    return values
