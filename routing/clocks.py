"""Which clock a referral's transition opens or meets depends on the agency's kind: these functions of
the referral return the rule codes (DOMAIN.md's table), for the machine tables (routing/machines.py)."""
from accounts.enums import OrgKind

from .enums import LinkKind

# The rule that times an agency's decision after it acknowledged a referral, by agency kind. A referral
# to the procuratorate is filing supervision: its clocks (P1, P2) run for the police, on their referral.
DECISION_RULES = {OrgKind.market_regulation: "A1", OrgKind.public_security: "T4", OrgKind.court: "V1"}
CONCLUSION_RULES = {OrgKind.market_regulation: "A2"}


def decision(referral) -> list[str]:
    """The agency decides whether to open a case: A1 (market regulator), T4 (police), V1 (court)."""
    code = DECISION_RULES.get(referral.agency.kind)
    return [code] if code and referral.link_kind is not LinkKind.filing_supervision else []


def decision_on_receipt(referral) -> list[str]:
    """The decision clock an acknowledgement opens: A1 or T4; not a court's V1, which runs from the suit's
    complete materials (the referral machine's materials_complete row)."""
    return [code for code in decision(referral) if code != "V1"]


def conclusion(referral) -> list[str]:
    """The market regulator concludes an opened case (A2)."""
    code = CONCLUSION_RULES.get(referral.agency.kind)
    return [code] if code else []


def codes(entries, entity) -> list[str]:
    """The rule codes of a table's clock entries (codes, or functions of the entity)."""
    result = []
    for entry in entries:
        result.extend(entry(entity) if callable(entry) else [entry])
    return result
