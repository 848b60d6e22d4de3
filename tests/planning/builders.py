"""Tiny planning problems for the optimiser's tests."""

from __future__ import annotations

from dataclasses import replace  # noqa: F401  (re-exported for tests)
from datetime import date, timedelta

from planning.model import CandidateCentre, Group, Need, PlanningProblem, Venue, Weights

MONDAY = date(2027, 1, 4)


def need(need_id="n1", group_id="g1", course="FA", learners=10, days=1.0, class_min=4,
         class_max=12, features=(), level="Essential", score=50, mandatory=False,
         window_start=MONDAY, window_end=date(2027, 1, 29), trainers=1, mode="classroom",
         classroom_days=None, discipline="") -> Need:  # fmt: skip
    return Need(need_id, group_id, course, f"{course} course", learners, days, class_min,
                class_max, trainers, frozenset(features), level, score, mandatory,
                window_start, window_end, mode, classroom_days, discipline)  # fmt: skip


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
            starts_on=MONDAY, ends_on=date(2027, 1, 29), previous=(), weights=None,
            pools=()):  # fmt: skip
    needs = tuple(needs if needs is not None else [need()])
    if groups is None:
        groups = [group(g) for g in sorted({n.group_id for n in needs})]
    return PlanningProblem("Test cycle", starts_on, ends_on, budget, needs,
                           tuple(venues if venues is not None else [venue()]), tuple(centres),
                           tuple(groups), weights or Weights(), tuple(previous),
                           tuple(pools))  # fmt: skip


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


def ranking(p, result):
    """A plan's stage values as a tuple that compares lexicographically (cost negated), to
    within the stages' hold tolerance."""
    from planning.validator import stage_values

    values = stage_values(p, result.sessions, result.centres_opened)
    return (values["mandatory"], values["fair_share"], round(values["points"], -2),
            -round(values["cost"], -2))  # fmt: skip


def kinds(outcome_):
    """The kinds of reason a need's outcome gives (planning.model.Reason)."""
    return tuple(b.reason for b in outcome_.why)


def outcome(result, need_id):
    return next(o for o in result.outcomes if o.need_id == need_id)


def big_problem(seed: int = 7, venues_count: int = 60, groups_count: int = 12,
                scale: float = 1.0) -> PlanningProblem:  # fmt: skip
    """A year for a large force, for scale work: ~47,000 people in `groups_count` groups,
    officer safety (2 days, every officer), first aid, public order, driving, detective (10
    days), recruit (10 days) and support courses; `venues_count` venues of several rooms with
    taken days; two candidate centres."""
    import random

    rng = random.Random(seed)
    start, end = date(2027, 4, 5), date(2028, 3, 31)
    features = ["mat room", "driving track", "IT suite", "first aid kit", "riot yard"]
    venues = []
    for i in range(venues_count):
        feats = {f for f in features if rng.random() < 0.35} | {"first aid kit"}
        taken = {}
        day = start
        while day <= end:
            if day.weekday() < 5 and rng.random() < 0.15:
                taken[day] = 1
            day += timedelta(days=1)
        venues.append(venue(f"v{i:02d}", capacity=rng.choice([12, 16, 20, 24]),
                            rooms=rng.choice([2, 3, 4]), features=feats,
                            cost_per_day=rng.choice([150, 200, 250, 300]), taken=taken))  # fmt: skip
    centres = [
        centre("north", capacity=24, rooms=6, features=set(features), setup_cost=250_000,
               running_cost_per_day=120, earliest_opening=date(2027, 9, 6)),
        centre("east", capacity=20, rooms=4, features={"mat room", "IT suite", "first aid kit"},
               setup_cost=150_000, running_cost_per_day=100, earliest_opening=start),
    ]  # fmt: skip
    courses = [  # code, days, class min, max, features, level, mandatory, share of headcount
        ("OST", 2.0, 8, 16, {"mat room"}, "Mandated", True, 0.70),
        ("EFA", 1.0, 6, 12, {"first aid kit"}, "Mandated", True, 0.50),
        ("POL", 2.0, 10, 20, {"riot yard"}, "Essential", False, 0.08),
        ("DRV", 5.0, 3, 6, {"driving track"}, "Essential", False, 0.03),
        ("DET", 10.0, 8, 16, {"IT suite"}, "Essential", False, 0.02),
        ("REC", 10.0, 12, 24, {"IT suite", "mat room"}, "Mandated", True, 0.02),
        ("SUP", 1.0, 6, 16, set(), "Desirable", False, 0.10),
        ("LDR", 3.0, 6, 12, set(), "Optional", False, 0.03),
    ]
    groups, needs = [], []
    heads = [rng.randint(2000, 6000) for _ in range(groups_count)]
    factor = 47_000 * scale / sum(heads)
    for g in range(groups_count):
        gid = f"g{g:02d}"
        headcount = max(50, int(heads[g] * factor))
        groups.append(group(gid, headcount, 40.0))
        for code, days, cmin, cmax, feats, level, mandatory, share in courses:
            learners = int(headcount * share * rng.uniform(0.8, 1.2))
            if learners < cmin:
                continue
            w0 = start + timedelta(days=rng.choice([0, 0, 28, 91]))
            w1 = min(end, w0 + timedelta(days=rng.choice([182, 273, 360])))
            needs.append(need(f"{gid}-{code}", gid, code, learners, days, cmin, cmax, feats,
                              level, rng.randint(0, 100), mandatory, w0, w1))  # fmt: skip
    return problem(needs=needs, venues=venues, centres=centres, groups=groups,
                   budget=int(6_000_000 * scale), starts_on=start, ends_on=end)  # fmt: skip
