"""Solver-independent check of a plan against every hard rule, and the one objective.

`validate` looks only at the concrete sessions and centres of a result; it never trusts the
solver's variables. `stage_values` is each stage's objective as the solver states it (see
planning.rules.objective and planning.rules.fair_share) computed from concrete sessions;
`cost_of` costs them in the lines of the national costing model (domain.costing)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from domain import costing
from planning.facts import (
    CENTRE,
    FACILITY,
    MANDATORY_WEIGHT,
    ONLINE,
    PRIORITY_POUNDS,
    SHARE_SCALE,
    PlanFacts,
    allowance_limit,
    allowance_units,
    fair_share_needs,
    on_grid,
    priority_per_learner,
    session_key,
    trainers_available,
    trainers_for,
    trainers_used,
    venue_running,
    weeks_of,
)
from planning.model import (
    BLENDED,
    LEVELS,
    MODES,
    CostBreakdown,
    PlanningProblem,
    PlanningResult,
    Session,
)


@dataclass(frozen=True)
class Validation:
    errors: list[str]
    objective: float  # mandated learners trained (the first stage; PlanningResult.objective)
    cost: CostBreakdown
    stages: dict[str, float] = field(default_factory=dict)  # see stage_values

    @property
    def ok(self) -> bool:
        return not self.errors


def cost_of(
    problem: PlanningProblem, sessions: Iterable[Session], centres_opened: Iterable[str]
) -> CostBreakdown:
    venues = {v.venue_id: v for v in problem.venues}
    centres = {c.centre_id: c for c in problem.centres}
    needs = {n.need_id: n for n in problem.needs}
    rates = problem.weights
    facility = running = trainers = 0
    abstraction = 0.0
    for s in sessions:
        if s.venue_kind == FACILITY and s.venue_id in venues:
            facility += costing.room_days(s.days, venues[s.venue_id].cost_per_day)
        elif s.venue_kind == CENTRE and s.venue_id in centres:
            running += costing.room_days(s.days, centres[s.venue_id].running_cost_per_day)
        trainers += costing.trainer_days(
            s.days, trainers_for(problem, s.course_code), rates.trainer_day_cost
        )
        for need_id, count in s.needs.items():
            days = needs[need_id].days if need_id in needs else s.days
            abstraction += costing.abstraction(count * days, rates.abstraction_cost_per_learner_day)
    setup = sum(centres[c].setup_cost for c in centres_opened if c in centres)
    return CostBreakdown(facility, setup, running, trainers, round(abstraction),
                         venue_running(problem))  # fmt: skip


def moved_sessions(problem: PlanningProblem, sessions: Iterable[Session]) -> list[Session]:
    """Unpinned published sessions with no session of the same course, site and dates."""
    free: dict[tuple[str, str, str, date, int], int] = defaultdict(int)
    for s in sessions:
        free[session_key(s)] += 1
    for p in problem.previous:
        if p.pinned:
            free[session_key(p)] -= 1
    moved = []
    for p in problem.previous:
        if p.pinned:
            continue
        if free[session_key(p)] > 0:
            free[session_key(p)] -= 1
        else:
            moved.append(p)
    return moved


def objective_value(
    problem: PlanningProblem, sessions: Iterable[Session], centres_opened: Iterable[str]
) -> float:
    """The former composite (MANDATORY_WEIGHT x mandatory learners + PRIORITY_POUNDS x points
    - costs). Never shown to a planner; the stages (stage_values) replaced it."""
    sessions = tuple(sessions)
    needs = {n.need_id: n for n in problem.needs}
    mandatory = 0
    points = 0.0
    for s in sessions:
        for need_id, count in s.needs.items():
            need = needs.get(need_id)
            if need is None:
                continue
            mandatory += count if need.mandatory else 0
            points += count * priority_per_learner(problem, need)
    cost = cost_of(problem, sessions, centres_opened)
    rate = problem.weights.abstraction_cost_per_learner_day
    abstraction = sum(
        costing.abstraction(count * needs[nid].days, rate)
        for s in sessions
        for nid, count in s.needs.items()
        if nid in needs
    )
    moves = len(moved_sessions(problem, sessions))
    return (
        MANDATORY_WEIGHT * mandatory
        + PRIORITY_POUNDS * points
        - cost.total
        - abstraction
        - problem.weights.move_penalty * moves
    )


def stage_values(
    problem: PlanningProblem,
    sessions: Iterable[Session],
    centres_opened: Iterable[str],
    *,
    shares: dict[str, int] | None = None,
) -> dict[str, float]:
    """Each stage's value of a plan, from its concrete sessions, in the stage's units (the
    terms planning.rules.objective and planning.rules.fair_share state to the solver):
    mandatory (learners), fair_share (hundredths of a per cent), points (priority-weighted
    learner-days) and cost (pounds). `shares` (planning.facts.fair_share_needs) is computed
    when not given."""
    sessions = tuple(sessions)
    needs = {n.need_id: n for n in problem.needs}
    trained: dict[str, int] = defaultdict(int)
    for s in sessions:
        for need_id, count in s.needs.items():
            if need_id in needs:
                trained[need_id] += count
    mandatory = sum(c for nid, c in trained.items() if needs[nid].mandatory)
    points = sum(c * priority_per_learner(problem, needs[nid]) for nid, c in trained.items())
    if shares is None:
        shares = fair_share_needs(PlanFacts(problem))
    share = min(
        ((SHARE_SCALE * trained[nid]) // learners for nid, learners in shares.items()),
        default=0,
    )
    cash = cost_of(problem, sessions, centres_opened).total
    rate = problem.weights.abstraction_cost_per_learner_day
    abstraction = sum(costing.abstraction(c * needs[nid].days, rate) for nid, c in trained.items())
    moves = len(moved_sessions(problem, sessions))
    return {
        "mandatory": float(mandatory),
        "fair_share": float(min(share, SHARE_SCALE)),
        "points": points,
        "cost": cash + abstraction + problem.weights.move_penalty * moves,
    }


def validate(problem: PlanningProblem, result: PlanningResult) -> Validation:
    errors: list[str] = []
    venues = {v.venue_id: v for v in problem.venues}
    centres = {c.centre_id: c for c in problem.centres}
    needs = {n.need_id: n for n in problem.needs}
    opened = set(result.centres_opened)
    used: dict[tuple[str, str], dict] = defaultdict(lambda: defaultdict(int))
    trained: dict[str, int] = defaultdict(int)
    ids = set()
    for s in result.sessions:
        where = f"session {s.session_id}"
        if s.session_id in ids:
            errors.append(f"{where}: session_id used twice")
        ids.add(s.session_id)
        course_needs = [needs[n] for n in s.needs if n in needs]
        for nid in s.needs:
            if nid not in needs:
                errors.append(f"{where}: unknown need {nid}")
        total = sum(s.needs.values())
        if sum(s.learners.values()) != total:
            errors.append(f"{where}: learners per group do not add up to learners per need")
        if any(c < 0 for c in s.needs.values()):
            errors.append(f"{where}: negative learners")
        if s.starts_on.weekday() >= 5:
            errors.append(f"{where}: starts on a weekend")
        if s.starts_on < problem.starts_on or s.ends_on > problem.ends_on:
            errors.append(f"{where}: outside the cycle")
        if s.venue_kind == FACILITY and s.venue_id in venues:
            capacity, features = venues[s.venue_id].capacity, venues[s.venue_id].features
        elif s.venue_kind == CENTRE and s.venue_id in centres:
            centre = centres[s.venue_id]
            capacity, features = centre.capacity, centre.features
            if s.venue_id not in opened:
                errors.append(f"{where}: centre {s.venue_id} is not opened")
            if s.starts_on < centre.earliest_opening:
                errors.append(f"{where}: before centre {s.venue_id}'s earliest opening")
        elif s.venue_kind == ONLINE:  # e-learning: no room, a place for every learner
            capacity, features = total, frozenset().union(*(n.features for n in course_needs))
        else:
            errors.append(f"{where}: unknown venue {s.venue_kind}:{s.venue_id}")
            continue
        for need in course_needs:  # delivery mode: e-learning online, the rest in rooms
            if need.online and s.venue_kind != ONLINE:
                errors.append(f"{where}: e-learning need {need.need_id} given a room")
            if not need.online and s.venue_kind == ONLINE:
                errors.append(f"{where}: {need.mode} need {need.need_id} given no room")
        if total > capacity:
            errors.append(f"{where}: {total} learners over capacity {capacity}")
        for need in course_needs:
            trained[need.need_id] += s.needs[need.need_id]
            if need.course_code != s.course_code or need.session_days != s.days:
                errors.append(f"{where}: need {need.need_id} is for another course")
            if not need.features <= features:
                errors.append(f"{where}: venue lacks features {sorted(need.features - features)}")
            if s.needs[need.need_id] and (
                s.starts_on < need.window_start or s.ends_on > need.window_end
            ):
                errors.append(f"{where}: outside the window of need {need.need_id}")
        if course_needs and not s.pinned:
            if s.venue_kind != ONLINE and total > min(n.class_max for n in course_needs):
                errors.append(f"{where}: {total} learners over class_max")
            if total < max(n.class_min for n in course_needs):
                errors.append(f"{where}: {total} learners under class_min")
            if not on_grid(s.starts_on, s.days):
                errors.append(f"{where}: starts off the start-day grid")
        for day in s.dates:
            used[(s.venue_kind, s.venue_id)][day] += 1
    for (kind, vid), days in used.items():
        for day, count in days.items():
            if kind == FACILITY and vid in venues:
                free = venues[vid].free_rooms(day)
            elif kind == CENTRE and vid in centres:
                free = centres[vid].rooms if day >= centres[vid].earliest_opening else 0
            else:
                continue
            if count > free:
                errors.append(f"{kind} {vid} on {day}: {count} sessions, {free} rooms free")
    for nid, count in trained.items():
        if count > needs[nid].learners:
            errors.append(f"need {nid}: {count} learners trained, it has {needs[nid].learners}")
    for group in problem.groups:
        units = sum(
            allowance_units(problem, needs[nid]) * count
            for nid, count in trained.items()
            if needs[nid].group_id == group.group_id
        )
        if units > allowance_limit(group.allowance_hours):
            errors.append(
                f"group {group.code}: {units / 100:g} training hours over the allowance "
                f"{group.allowance_hours:g}"
            )
    errors += _capability(problem, result.sessions)
    errors += _trainers(problem, result.sessions)
    for centre in problem.centres:
        if centre.forced is True and centre.centre_id not in opened:
            errors.append(f"centre {centre.centre_id} is forced open but not opened")
        if centre.forced is False and centre.centre_id in opened:
            errors.append(f"centre {centre.centre_id} is forced shut but opened")
    cost = cost_of(problem, result.sessions, opened)
    if problem.capital_budget is None and cost.total > problem.budget:
        errors.append(f"cash cost {cost.total} exceeds the budget {problem.budget}")
    if problem.capital_budget is not None:
        if cost.revenue > problem.budget:
            errors.append(f"revenue cash {cost.revenue} exceeds the budget {problem.budget}")
        if cost.capital > problem.capital_budget:
            errors.append(
                f"capital {cost.capital} (centre set-up) exceeds the capital budget "
                f"{problem.capital_budget}"
            )
    present = defaultdict(list)
    for s in result.sessions:
        present[s.session_id].append(s)
    for p in problem.previous:
        if p.pinned:
            match = present.get(p.session_id, [])
            if not match or match[0].to_dict() != p.to_dict():
                errors.append(f"pinned session {p.session_id} changed or dropped")
    stages = stage_values(problem, result.sessions, opened)
    return Validation(errors, stages["mandatory"], cost, stages)


def away_by_week(
    problem: PlanningProblem, sessions: Iterable[Session]
) -> dict[tuple[str, date], int]:
    """Learners of each group away training in each week (Monday): in a session on any day of
    that week."""
    group_of = {n.need_id: n.group_id for n in problem.needs}
    away: dict[tuple[str, date], int] = defaultdict(int)
    for s in sessions:
        for week in weeks_of(s.starts_on, s.days):
            for need_id, count in s.needs.items():
                if need_id in group_of and count:
                    away[(group_of[need_id], week)] += count
    return dict(away)


def _capability(problem: PlanningProblem, sessions: Iterable[Session]) -> list[str]:
    groups = {g.group_id: g for g in problem.groups}
    errors = []
    for (group_id, week), learners in sorted(away_by_week(problem, sessions).items()):
        group = groups.get(group_id)
        if group is not None and group.away_percent < 100 and learners > group.away_limit:
            errors.append(
                f"group {group.code}: {learners} learners away in the week of {week}, over its "
                f"operational capability limit of {group.away_limit} ({group.away_percent:g}% "
                f"of {group.headcount})"
            )
    return errors


def _trainers(problem: PlanningProblem, sessions: Iterable[Session]) -> list[str]:
    available = trainers_available(problem)
    errors = []
    for (discipline, day), used in sorted(trainers_used(problem, sessions).items()):
        if discipline in available and used > available[discipline].get(day, 0):
            errors.append(
                f"{discipline} trainers on {day}: {used} at work, the pools have "
                f"{available[discipline].get(day, 0)}"
            )
    return errors


def check_problem(problem: PlanningProblem) -> list[str]:
    """Input errors, each naming the field and the rule; empty when the problem can be solved."""
    errors = []
    if problem.ends_on < problem.starts_on:
        errors.append("ends_on: must not be before starts_on")
    if problem.budget < 0:
        errors.append("budget: must not be negative")
    if problem.capital_budget is not None and problem.capital_budget < 0:
        errors.append("capital_budget: must not be negative")
    seen = set()
    for n in problem.needs:
        at = f"needs[{n.need_id}]"
        if n.need_id in seen:
            errors.append(f"{at}.need_id: must be unique")
        seen.add(n.need_id)
        if n.learners < 0:
            errors.append(f"{at}.learners: must not be negative")
        if n.days <= 0:
            errors.append(f"{at}.days: must be positive")
        if n.class_min < 0 or n.class_max < 1 or n.class_min > n.class_max:
            errors.append(f"{at}.class_min/class_max: need 0 <= class_min <= class_max, 1 <= max")
        if n.trainers < 0:
            errors.append(f"{at}.trainers: must not be negative")
        if n.level not in LEVELS:
            errors.append(f"{at}.level: must be one of {', '.join(LEVELS)}")
        if n.window_end < n.window_start:
            errors.append(f"{at}.window_end: must not be before window_start")
        if n.mode not in MODES:
            errors.append(f"{at}.mode: must be one of {', '.join(MODES)}")
        if (
            n.mode == BLENDED
            and n.classroom_days is not None
            and not (0 < n.classroom_days <= n.days)
        ):
            errors.append(f"{at}.classroom_days: must be more than 0 and at most days")
    for pool in problem.pools:
        if pool.trainers < 0 or any(n < 0 for n in pool.away.values()):
            errors.append(f"pools[{pool.name}].trainers: must not be negative")
    for g in problem.groups:
        if not 0 <= g.away_percent <= 100:
            errors.append(f"groups[{g.code}].away_percent: must be a percentage from 0 to 100")
    runs: dict[tuple[str, int], set[bool]] = defaultdict(set)
    for n in problem.needs:
        runs[(n.course_code, n.session_days)].add(n.online)
    for (code, days), online in sorted(runs.items()):
        if len(online) > 1:
            errors.append(
                f"needs[course {code}].mode: e-learning and room-based needs of course {code} "
                f"({days} days) cannot share its sessions; give them different course codes"
            )
    for v in problem.venues:
        if v.capacity < 0 or v.rooms < 0 or v.cost_per_day < 0 or v.running_cost_per_year < 0:
            errors.append(f"venues[{v.venue_id}]: capacity, rooms and cost_per_day must be >= 0")
    for c in problem.centres:
        if c.capacity < 0 or c.rooms < 0 or c.setup_cost < 0 or c.running_cost_per_day < 0:
            errors.append(f"centres[{c.centre_id}]: capacity, rooms and costs must be >= 0")
    return errors
