"""A complaint's state while the agencies work on it, as one pure function of its referrals.

The complaint is ``accepted`` while the centre has something to route (nothing referred yet, or a
referral came back: returned, or declined, and not yet followed up by a re-routing, a transfer, a
filing supervision, or the centre's own conclusion); ``referred`` while referrals are open and no
agency has a case open; ``in_progress`` while referrals are open and a case is (or was) open — also one
an agency opened and then transferred to the other track (``case_opened``) — or
while a consultation is still open; ``concluded`` when nothing is open and nothing waits for the
centre. tests/routing/test_aggregate.py checks it over every combination that can occur, and that
the complaint machine has a ``system`` row for every move it asks for.
"""
from dataclasses import dataclass

from intake.enums import ComplaintState as S

from .enums import ReferralState as R

OPEN = frozenset({R.sent, R.acknowledged, R.accepted})
# ended, and waiting for the centre unless something followed it up
COMES_BACK = frozenset({R.declined, R.returned})


@dataclass(frozen=True)
class ReferralView:
    state: R
    followed_up: bool = False  # another referral continues it (re-routed, transferred, supervised)
    case_opened: bool = False  # the agency opened a case on it (a case number), even if it later transferred it


def complaint_state(referrals, *, open_consultation=False, resolved=False) -> S:
    """The state a complaint past acceptance must be in, given its referrals.

    ``resolved``: the centre concluded the complaint itself (guidance given, nothing more to refer),
    which also settles the referrals that came back.
    """
    referrals = list(referrals)
    if any(r.state in OPEN for r in referrals):
        if any(r.state in (R.accepted, R.concluded) or r.case_opened for r in referrals):
            return S.in_progress
        return S.referred
    waiting = any(r.state in COMES_BACK and not r.followed_up for r in referrals)
    if not resolved and (not referrals or waiting):
        return S.accepted
    if open_consultation:
        return S.in_progress
    return S.concluded


def trigger_for(machine, source: S, dest: S) -> str | None:
    """The system row of the complaint machine that moves source to dest."""
    for rule in machine.rules:
        if rule.org == "system" and source in rule.sources and rule.dest == dest:
            return rule.trigger
    return None
