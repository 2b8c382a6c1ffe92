"""The publication's enumerations, each with its labels."""
import enum

from flask_babel import lazy_gettext as _l

from accounts.enums import INDUSTRY_LABELS, Industry  # noqa: F401  (the publication's too)


class CaseState(enum.Enum):
    """A typical case: drafted by one supervisor, published when a second one approves, unpublished (kept)."""

    draft = "draft"
    published = "published"
    unpublished = "unpublished"


CASE_STATE_LABELS = {CaseState.draft: _l("Draft"), CaseState.published: _l("Published"),
                     CaseState.unpublished: _l("Unpublished")}


class ArticleKind(enum.Enum):
    guide = "guide"
    legal_interpretation = "legal_interpretation"


ARTICLE_KIND_LABELS = {ArticleKind.guide: _l("Protection guide"),
                       ArticleKind.legal_interpretation: _l("Legal interpretation")}


class Area(enum.Enum):
    """The internal protection measures the self-assessment asks about."""

    confidentiality_agreements = "confidentiality_agreements"
    access_control = "access_control"
    marking = "marking"
    exit_procedures = "exit_procedures"
    technical_measures = "technical_measures"
    patent_monitoring = "patent_monitoring"


AREA_LABELS = {
    Area.confidentiality_agreements: _l("Confidentiality agreements"),
    Area.access_control: _l("Access control"),
    Area.marking: _l("Marking of secrets"),
    Area.exit_procedures: _l("Exit procedures"),
    Area.technical_measures: _l("Technical measures"),
    Area.patent_monitoring: _l("Patent-application monitoring"),
}


class Answer(enum.Enum):
    yes = "yes"
    partly = "partly"
    no = "no"


ANSWER_LABELS = {Answer.yes: _l("Yes"), Answer.partly: _l("Partly"), Answer.no: _l("No")}
# the share of a question's weight an answer earns
ANSWER_SHARE = {Answer.yes: 1.0, Answer.partly: 0.5, Answer.no: 0.0}
