"""A complaint's state as a function of its referrals (routing.aggregate), over every combination.

Every multiset of up to three referrals — each in any ReferralState, followed up or not — with and
without an open consultation, resolved by the centre or not, is checked against a decision table
written out here from the module's docstring (not by calling the code under test), and against
invariants that hold whatever the order of the table's rows. Then the named cases of issue 8, and
that the complaint machine has a ``system`` row for every move the aggregate can ask for.

A new ReferralState must be classified in ``KIND`` below (open, comes back to the centre, or ended),
or the first test fails.
"""
import itertools

import pytest

from intake.enums import ComplaintState as S
from routing.aggregate import ReferralView, complaint_state, trigger_for
from routing.enums import OPEN_REFERRAL_STATES, ReferralState as R
from routing.machines import FOLLOWING, complaint_machine

OPEN, BACK, ENDED = "open", "comes back", "ended"
# what each referral state means to the complaint (the docstring's words)
KIND = {
    R.sent: OPEN, R.acknowledged: OPEN, R.accepted: OPEN,
    R.declined: BACK, R.returned: BACK,  # waiting for the centre unless followed up
    R.concluded: ENDED, R.transferred: ENDED, R.supervision_requested: ENDED, R.withdrawn: ENDED,
}
CASE_OPENED = frozenset({R.accepted, R.concluded})  # "a case is (or was) open"


def expected(referrals, open_consultation, resolved) -> S:
    """The docstring as a decision table: the first row whose condition holds gives the state."""
    is_open = any(KIND[r.state] == OPEN for r in referrals)
    case = any(r.state in CASE_OPENED for r in referrals)
    waiting = any(KIND[r.state] == BACK and not r.followed_up for r in referrals)
    table = (
        (is_open and case, S.in_progress),                      # open referrals, a case is (or was) open
        (is_open, S.referred),                                  # open referrals, no case opened
        (not resolved and (not referrals or waiting), S.accepted),  # the centre has something to route
        (open_consultation, S.in_progress),                     # nothing open but a consultation
        (True, S.concluded),                                    # nothing open, nothing waits for the centre
    )
    return next(state for condition, state in table if condition)


VIEWS = [ReferralView(state, followed) for state in R for followed in (False, True)]


def combinations(most=3):
    for n in range(most + 1):
        yield from itertools.combinations_with_replacement(VIEWS, n)


CASES = [(refs, consultation, resolved) for refs in combinations()
         for consultation in (False, True) for resolved in (False, True)]


def describe(refs, consultation, resolved):
    states = ", ".join(f"{r.state.value}{'+followed' if r.followed_up else ''}" for r in refs) or "none"
    return f"[{states}] consultation={consultation} resolved={resolved}"


def test_every_referral_state_is_classified():
    assert set(KIND) == set(R), "classify the new referral state in KIND"
    assert {s for s, kind in KIND.items() if kind == OPEN} == set(OPEN_REFERRAL_STATES)


def test_the_aggregate_follows_the_decision_table_over_every_combination():
    assert len(CASES) == 4 * sum(1 for _ in combinations())
    wrong = [f"{describe(*case)}: {complaint_state(case[0], open_consultation=case[1], resolved=case[2]).value}"
             f" (expected {expected(*case).value})"
             for case in CASES if complaint_state(case[0], open_consultation=case[1], resolved=case[2])
             is not expected(*case)]
    assert not wrong, "\n".join(wrong[:40])


@pytest.mark.parametrize("consultation", (False, True))
@pytest.mark.parametrize("resolved", (False, True))
def test_invariants_over_every_combination(consultation, resolved):
    for refs in combinations():
        state = complaint_state(refs, open_consultation=consultation, resolved=resolved)
        label = describe(refs, consultation, resolved)
        assert state in FOLLOWING, label
        # the order of the referrals does not matter
        for permutation in itertools.permutations(refs):
            assert complaint_state(permutation, open_consultation=consultation, resolved=resolved) is state, label
        is_open = any(KIND[r.state] == OPEN for r in refs)
        waiting = any(KIND[r.state] == BACK and not r.followed_up for r in refs)
        # open referrals: the agencies work on it, whatever else; without them it is never "referred"
        if is_open:
            assert state in (S.referred, S.in_progress), label
        else:
            assert state is not S.referred, label
        # concluded only when nothing is open and nothing waits for the centre (or the centre resolved it)
        if state is S.concluded:
            assert not is_open and not consultation and (resolved or (refs and not waiting)), label
        # a referral that came back and was not followed up keeps the complaint with the centre
        if waiting and not is_open and not resolved:
            assert state is S.accepted, label
        # the ended referrals other than concluded ones (transferred, supervised, withdrawn) change nothing
        # beside another referral
        rest = [r for r in refs if KIND[r.state] != ENDED or r.state is R.concluded]
        if rest:
            assert complaint_state(rest, open_consultation=consultation, resolved=resolved) is state, label


NAMED = [
    ("nothing referred yet", [], S.accepted),
    ("one declined, another returned, neither followed up: waiting for re-routing",
     [ReferralView(R.declined), ReferralView(R.returned)], S.accepted),
    ("declined and returned, both re-routed, the new ones concluded",
     [ReferralView(R.declined, True), ReferralView(R.returned, True), ReferralView(R.concluded)], S.concluded),
    ("a returned referral not followed up beside a concluded one", [ReferralView(R.returned),
                                                                   ReferralView(R.concluded)], S.accepted),
    ("an opened case transferred to the police, the police's referral sent",
     [ReferralView(R.transferred), ReferralView(R.sent)], S.referred),
    ("after the transfer the police opened a case", [ReferralView(R.transferred), ReferralView(R.accepted)],
     S.in_progress),
    ("after the transfer the police concluded: not stuck", [ReferralView(R.transferred), ReferralView(R.concluded)],
     S.concluded),
    ("a declined referral followed up by a new open one (transfer, supervision)",
     [ReferralView(R.declined, True), ReferralView(R.sent)], S.referred),
    ("a declined referral followed up, the follow-up concluded: not stuck",
     [ReferralView(R.declined, True), ReferralView(R.concluded)], S.concluded),
    ("a declined referral under filing supervision, the procuratorate acknowledged",
     [ReferralView(R.supervision_requested), ReferralView(R.acknowledged)], S.referred),
    ("filing supervision ended, the procuratorate concluded",
     [ReferralView(R.supervision_requested), ReferralView(R.concluded)], S.concluded),
    ("withdrawn referrals count as ended", [ReferralView(R.withdrawn), ReferralView(R.concluded)], S.concluded),
    ("withdrawn referrals alone count as ended", [ReferralView(R.withdrawn)], S.concluded),
    ("a withdrawn referral beside an open one", [ReferralView(R.withdrawn), ReferralView(R.sent)], S.referred),
    ("one open case beside a concluded one", [ReferralView(R.concluded), ReferralView(R.sent)], S.in_progress),
]


@pytest.mark.parametrize("name, refs, state", [pytest.param(*case, id=case[0]) for case in NAMED])
def test_named_cases(name, refs, state):
    assert complaint_state(refs) is state
    assert expected(refs, False, False) is state


def test_what_came_back_is_never_concluded_unless_the_centre_resolves_it():
    back = [ReferralView(R.declined), ReferralView(R.returned)]
    for consultation in (False, True):
        assert complaint_state(back, open_consultation=consultation) is S.accepted
    assert complaint_state(back, resolved=True) is S.concluded
    assert complaint_state(back, open_consultation=True, resolved=True) is S.in_progress


def test_an_open_consultation_keeps_a_finished_complaint_in_progress():
    assert complaint_state([ReferralView(R.concluded)], open_consultation=True) is S.in_progress
    assert complaint_state([], open_consultation=True, resolved=True) is S.in_progress


def reachable_moves():
    """Every (source, dest) the aggregate can ask for: from any state the complaint follows its referrals
    in, to any state the aggregate gives."""
    targets = {complaint_state(refs, open_consultation=c, resolved=r) for refs, c, r in CASES}
    return sorted(((source, dest) for source in FOLLOWING for dest in targets if source is not dest),
                  key=lambda pair: (pair[0].value, pair[1].value))


def test_every_state_the_complaint_follows_is_reached():
    assert {complaint_state(refs, open_consultation=c, resolved=r) for refs, c, r in CASES} == set(FOLLOWING)


@pytest.mark.parametrize("source, dest", [pytest.param(s, d, id=f"{s.value}-{d.value}") for s, d in reachable_moves()])
def test_the_complaint_machine_has_a_system_row_for_every_move(source, dest):
    trigger = trigger_for(complaint_machine, source, dest)
    assert trigger is not None, f"no system row of the complaint machine moves {source.value} to {dest.value}"
    rule = complaint_machine.rule_for(trigger, source)
    assert rule.org == "system" and rule.dest is dest and not rule.roles
