"""The outcome of a concluded referral belongs to the agency that decides it (DOMAIN.md, "Who decides
what"): each agency kind has its own decisions and the fields each needs.

- market regulation: an administrative penalty (decision number; fine, confiscation), no penalty,
  no violation found, closed otherwise (a transfer to the police is the ``transfer`` trigger);
- public security (a filed case): sent to the procuratorate for prosecution, or the case withdrawn
  (not filing is the ``decline`` trigger, with its reasons);
- procuratorate: on filing supervision, the police filed after the notice or their reasons were
  found sound; where it receives the case, prosecution or non-prosecution;
- courts: judgment, mediation agreement, withdrawal of the suit, dismissal (damages, document number).
"""
from dataclasses import dataclass

from flask_babel import gettext as _, lazy_gettext as _l

from accounts.enums import OrgKind

from .enums import OUTCOME_LABELS, LinkKind


@dataclass(frozen=True)
class Decision:
    result: str
    label: object
    fields: tuple = ()  # the optional fields of this decision
    required: tuple = ()  # those it must have
    plain: object = None  # what the enterprise's timeline says


MONEY = ("fine_amount", "confiscation_amount", "damages_amount")

DECISIONS = {
    OrgKind.market_regulation: (
        Decision("penalty_decision", OUTCOME_LABELS["penalty_decision"],
                 ("decision_number", "fine_amount", "confiscation_amount"), ("decision_number",),
                 _l("The market regulator imposed an administrative penalty.")),
        Decision("no_penalty", OUTCOME_LABELS["no_penalty"], ("decision_number",), (),
                 _l("The market regulator found a violation but imposed no penalty.")),
        Decision("no_violation_found", OUTCOME_LABELS["no_violation_found"], (), (),
                 _l("The market regulator found no violation.")),
        Decision("closed_other", OUTCOME_LABELS["closed_other"], (), ("summary",),
                 _l("The market regulator closed the case.")),
    ),
    OrgKind.public_security: (
        Decision("sent_for_prosecution", OUTCOME_LABELS["sent_for_prosecution"], ("prosecution_office",), (),
                 _l("The police completed the investigation and sent the case to the procuratorate for "
                    "prosecution.")),
        Decision("case_withdrawn", OUTCOME_LABELS["case_withdrawn"], (), ("summary",),
                 _l("The police withdrew the case.")),
    ),
    OrgKind.procuratorate: (
        Decision("filed_after_notice", OUTCOME_LABELS["filed_after_notice"], (), (),
                 _l("After the procuratorate's supervision, the police filed the case.")),
        Decision("non_filing_upheld", OUTCOME_LABELS["non_filing_upheld"], (), ("summary",),
                 _l("The procuratorate found the police's reasons for not filing the case sound.")),
        Decision("prosecuted", OUTCOME_LABELS["prosecuted"], ("court_case_number",), (),
                 _l("The procuratorate brought a prosecution.")),
        Decision("not_prosecuted", OUTCOME_LABELS["not_prosecuted"], (), ("summary",),
                 _l("The procuratorate decided not to prosecute.")),
    ),
    OrgKind.court: (
        Decision("judgment", OUTCOME_LABELS["judgment"], ("judgment_number", "damages_amount"), ("judgment_number",),
                 _l("The court gave judgment.")),
        Decision("mediation", OUTCOME_LABELS["mediation"], ("judgment_number", "damages_amount"), (),
                 _l("The dispute was settled by a mediation agreement.")),
        Decision("withdrawal", OUTCOME_LABELS["withdrawal"], (), (), _l("The enterprise withdrew its suit.")),
        Decision("dismissed", OUTCOME_LABELS["dismissed"], ("judgment_number",), (), _l("The court dismissed the claim.")),
    ),
}
SUPERVISION_RESULTS = ("filed_after_notice", "non_filing_upheld")
FIELD_NAMES = ("decision_number", "fine_amount", "confiscation_amount", "prosecution_office", "court_case_number",
               "judgment_number", "damages_amount")
BY_RESULT = {d.result: d for decisions in DECISIONS.values() for d in decisions}


def decisions_for(referral) -> tuple:
    """The decisions this referral's agency may conclude it with."""
    decisions = DECISIONS.get(referral.agency.kind, ())
    if referral.agency.kind is OrgKind.procuratorate:
        supervision = referral.link_kind is LinkKind.filing_supervision
        decisions = tuple(d for d in decisions if (d.result in SUPERVISION_RESULTS) == supervision)
    return decisions


def choice_list(decisions) -> str:
    """The decisions by the labels the person sees, in the reader's way of listing ("a, b" / "甲、乙")."""
    return _(", ").join(str(d.label) for d in decisions)


def outcome_errors(referral, outcome) -> dict:
    """Field errors of a conclusion's outcome for this referral's agency ({} when it is complete)."""
    outcome = dict(outcome or {})
    decisions = {d.result: d for d in decisions_for(referral)}
    decision = decisions.get(outcome.get("result"))
    if decision is None:
        return {"outcome.result": [_("Choose one of: %(choices)s.", choices=choice_list(decisions.values()))]}
    errors = {}
    for key in set(outcome) - {"result", "summary", *decision.fields}:
        errors[f"outcome.{key}"] = [_("This field does not belong to this decision.")]
    for key in decision.required:
        if outcome.get(key) in (None, ""):
            errors[f"outcome.{key}"] = [_("Give the number of the penalty decision.") if key == "decision_number"
                                        else _("This field is required for this decision.")]
    for key in MONEY:
        if outcome.get(key) is not None and outcome[key] < 0:
            errors[f"outcome.{key}"] = [_("The amount cannot be negative.")]
    return errors


def plain_words(result) -> str:
    decision = BY_RESULT.get(result)
    return str(decision.plain) if decision is not None else ""


def result_label(result) -> str:
    decision = BY_RESULT.get(result)
    return str(decision.label) if decision is not None else result or ""
