"""Tiny planning problems for the optimiser's tests."""

from __future__ import annotations

from dataclasses import replace  # noqa: F401  (re-exported for tests)
from datetime import date

from planning.model import CandidateCentre, Group, Need, PlanningProblem, Venue, Weights

MONDAY = date(2027, 1, 4)


def need(need_id="n1", group_id="g1", course="FA", learners=10, days=1.0, class_min=4,
         class_max=12, features=(), level="Essential", score=50, mandatory=False,
         window_start=MONDAY, window_end=date(2027, 1, 29), trainers=1) -> Need:  # fmt: skip
    return Need(need_id, group_id, course, f"{course} course", learners, days, class_min,
                class_max, trainers, frozenset(features), level, score, mandatory,
                window_start, window_end)  # fmt: skip


def venue(venue_id="v1", capacity=12, rooms=1, features=(), cost_per_day=100, taken=None,
          opened_on=None, closed_on=None) -> Venue:  # fmt: skip
    return Venue(venue_id, f"Venue {venue_id}", "HQ", capacity, rooms, frozenset(features),
                 cost_per_day, dict(taken or {}), opened_on, closed_on)  # fmt: skip


def centre(centre_id="c1", capacity=20, rooms=1, features=(), setup_cost=5000,
           running_cost_per_day=50, earliest_opening=MONDAY, forced=None) -> CandidateCentre:  # fmt: skip
    return CandidateCentre(centre_id, f"Centre {centre_id}", "New site", capacity, rooms,
                           frozenset(features), setup_cost, running_cost_per_day,
                           earliest_opening, forced)  # fmt: skip


def group(group_id="g1", headcount=100, hours=40.0) -> Group:
    return Group(group_id, group_id.upper(), f"Group {group_id}", headcount, hours)


def problem(needs=None, venues=None, centres=(), groups=None, budget=1_000_000,
            starts_on=MONDAY, ends_on=date(2027, 1, 29), previous=(), weights=None):  # fmt: skip
    needs = tuple(needs if needs is not None else [need()])
    if groups is None:
        groups = [group(g) for g in sorted({n.group_id for n in needs})]
    return PlanningProblem("Test cycle", starts_on, ends_on, budget, needs,
                           tuple(venues if venues is not None else [venue()]), tuple(centres),
                           tuple(groups), weights or Weights(), tuple(previous))  # fmt: skip


def solved(p, **kwargs):
    """Solve with one worker and a fixed seed, and validate the plan."""
    from planning.solver import solve
    from planning.validator import validate

    kwargs.setdefault("time_limit", 5.0)
    result = solve(p, workers=1, seed=1, **kwargs)
    check = validate(p, result)
    assert check.ok, check.errors
    assert abs(check.objective - result.objective) < 1e-6 * max(1.0, abs(result.objective))
    return result


def outcome(result, need_id):
    return next(o for o in result.outcomes if o.need_id == need_id)
