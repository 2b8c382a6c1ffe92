"""The decisions waiting for an agency head (or a supervisor): one page of sections, each from a provider.

Providers are registered by the packages that own the decisions — deadlines' extension requests here,
routing's transfer proposals from routing (deadlines never imports routing: it sits to its right and
registers itself). A provider takes the actor and returns a ``Section`` or None (nothing for this actor).
"""
from dataclasses import dataclass, field

PROVIDERS: dict = {}  # key -> (order, provider)


@dataclass
class Section:
    key: str
    title: str
    template: str  # renders ``items`` (a partial of the package that owns them)
    items: list = field(default_factory=list)
    empty: str = ""  # what the section says when nothing waits


def provider(key: str, order: int = 100):
    """Register ``function(actor) -> Section | None`` under ``key`` (sections are shown by ``order``)."""
    def register(function):
        PROVIDERS[key] = (order, function)
        return function
    return register


def sections_for(actor) -> list[Section]:
    sections = []
    for _order, function in sorted(PROVIDERS.values(), key=lambda entry: entry[0]):
        section = function(actor)
        if section is not None:
            sections.append(section)
    return sections


def waiting_count(actor) -> int:
    return sum(len(s.items) for s in sections_for(actor))
