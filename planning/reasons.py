"""Why a need is not (fully) met.

1. Structural: no facility or centre has the course's features and seats -> NO_SUITABLE_VENUE;
   no suitable site has a free run of days on the start grid inside the window ->
   WINDOW_TOO_NARROW.
2. Otherwise the model is re-solved with the need forced fully met and its group's allowance
   and the budget each guarded by an assumption literal. Infeasible: the literals in the
   sufficient assumptions for infeasibility name ALLOWANCE_REACHED / BUDGET_REACHED; an empty
   core means the free capacity in its window cannot take it (WINDOW_TOO_NARROW). Feasible:
   the need was OUT_RANKED by higher priorities. Needs of one course are first tried together
   (all feasible -> all out-ranked). Each solve has a short time limit; what is not decided
   in time is NOT_PROVEN.

The re-solving is the solver's: `diagnose` is handed a `FullyMet` check (planning.solver
passes its own) and never builds a model itself.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from datetime import date

from domain.calendar import add_working_days
from planning.facts import CourseKey, PlanFacts, inside, opens_in_time, start_days, suitable
from planning.model import Need, PlanningProblem, Reason, Session

MIN_TIME = 0.5  # seconds: with less left, only the structural reasons are derived
BUDGET = "budget"
ALLOWANCE = "allowance:"  # + group id

FullyMet = Callable[[PlanningProblem, Sequence[Need], Sequence[str], float], tuple[str, list[str]]]
"""`fully_met(problem, needs, assumed, seconds)`: can `needs` all be fully met in `problem`?
Every rule `guards_of(problem)` names is guarded by a literal; those named in `assumed` are
assumed to hold, the others are relaxed. Returns the solve's status name (OPTIMAL, FEASIBLE,
INFEASIBLE, UNKNOWN...) and, when INFEASIBLE, the assumed rules in the sufficient assumptions
for infeasibility."""


def guards_of(problem: PlanningProblem) -> list[str]:
    """The rules a diagnosis may find binding: the budget and each group's allowance."""
    return [BUDGET] + [f"{ALLOWANCE}{g.group_id}" for g in problem.groups]


def assumed_for(problem: PlanningProblem, needs: Iterable[Need]) -> list[str]:
    """The rules held while forcing `needs`: the budget and their groups' allowances."""
    groups = {f"{ALLOWANCE}{n.group_id}" for n in needs} & set(guards_of(problem))
    return [BUDGET, *sorted(groups)]


def _structural_slots(facts: PlanFacts) -> dict[CourseKey, set[date]]:
    """Per course (code, days): the grid start days at which some suitable site has a room free
    on every day; a course no site suits is absent."""
    out = {}
    for course in facts.courses:
        fitting = [site for site in facts.sites if suitable(course, site)]
        if not fitting:
            continue
        starts = set()
        for start in start_days(facts.problem, course.days):
            dates = add_working_days(start, course.days)
            for site in fitting:
                if not opens_in_time(site, start):
                    continue
                if all(facts.free(site, d) > 0 for d in dates):
                    starts.add(start)
                    break
        out[course.key] = starts
    return out


def diagnose(
    problem: PlanningProblem,
    sessions: Iterable[Session],
    fully_met: FullyMet,
    *,
    time_limit: float = 5.0,
) -> dict[str, tuple[Reason, ...]]:
    """The reasons of each need the sessions leave short, within `time_limit` seconds."""
    deadline = time.monotonic() + time_limit
    trained: dict[str, int] = defaultdict(int)
    for s in sessions:
        for nid, c in s.needs.items():
            trained[nid] += c
    short = [n for n in problem.needs if trained[n.need_id] < n.learners]
    if not short:
        return {}
    reasons: dict[str, tuple[Reason, ...]] = {}
    open_cases: dict[CourseKey, list[Need]] = defaultdict(list)
    facts = PlanFacts(problem)
    slots = _structural_slots(facts)
    for need in short:
        course_key = (need.course_code, need.session_days)
        starts = slots.get(course_key)
        if starts is None:
            reasons[need.need_id] = (Reason.NO_SUITABLE_VENUE,)
        elif not any(inside(need, start, need.session_days) for start in starts):
            reasons[need.need_id] = (Reason.WINDOW_TOO_NARROW,)
        else:
            open_cases[course_key].append(need)
    if not open_cases:
        return reasons
    if deadline - time.monotonic() < MIN_TIME:
        return {**reasons, **{n.need_id: (Reason.NOT_PROVEN,) for ns in open_cases.values()
                              for n in ns}}  # fmt: skip
    pinned = facts.pinned_met

    def forced(needs: list[Need]) -> tuple[str, list[str]]:
        left = deadline - time.monotonic()
        if left <= 0.05:
            return "UNKNOWN", []
        # Every other need may drop to its pinned places in the full model, so the question
        # "can these needs be fully met?" is the same on the problem where the others are cut
        # to their pinned places: a far smaller model, decided exactly.
        wanted = {n.need_id for n in needs}
        reduced = replace(problem, needs=tuple(
            n if n.need_id in wanted else replace(n, learners=min(n.learners,
                                                                   pinned.get(n.need_id, 0)))
            for n in problem.needs
        ))  # fmt: skip
        return fully_met(reduced, needs, assumed_for(problem, needs), left)

    for needs in open_cases.values():
        if len(needs) > 1:
            status, _ = forced(needs)
            if status in ("OPTIMAL", "FEASIBLE"):
                for need in needs:
                    reasons[need.need_id] = (Reason.OUT_RANKED,)
                continue
        for need in needs:
            status, core = forced([need])
            if status in ("OPTIMAL", "FEASIBLE"):
                reasons[need.need_id] = (Reason.OUT_RANKED,)
            elif status == "INFEASIBLE":
                found = []
                if any(name.startswith(ALLOWANCE) for name in core):
                    found.append(Reason.ALLOWANCE_REACHED)
                if BUDGET in core:
                    found.append(Reason.BUDGET_REACHED)
                reasons[need.need_id] = tuple(found) or (Reason.WINDOW_TOO_NARROW,)
            else:
                reasons[need.need_id] = (Reason.NOT_PROVEN,)
    return reasons
