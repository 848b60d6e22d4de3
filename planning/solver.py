"""The CP-SAT planning model: counts of sessions per course, site and start day.

`build` applies the rules of planning.rules in order; `solve` runs the two lexicographic stages
(mandatory learners, then the rest), streams incumbents to `on_progress`, expands the counts to
concrete sessions (pooling needs, within class size and capacity), and reports outcomes,
reasons, utilisation, cost and moves.
"""

from __future__ import annotations

import threading
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from ortools.sat.python import cp_model

from planning.model import (
    Move,
    NeedOutcome,
    NeedStatus,
    PlanningProblem,
    PlanningResult,
    Session,
    Utilisation,
)
from planning.rules import (
    CENTRE,
    HOURS_PER_ROOM_DAY,
    PlanVars,
    allowance,
    budget,
    centres,
    class_size,
    features_and_capacity,
    objective,
    pinning,
    rooms_and_schedule,
    seats,
    session_key,
    sites,
    windows,
)
from planning.validator import (
    check_problem,
    cost_of,
    moved_sessions,
    objective_value,
    validate,
)

OBJECTIVE_TERMS = objective.STATED
STAGE_ONE_SHARE = 0.4  # of the search time, for maximising mandatory learners
LARGE_MODEL = 20_000  # variables; above this presolve is skipped on short solves...
PRESOLVE_MIN_SECONDS = 15.0  # ...that is, solves given less than this


@dataclass(frozen=True)
class Progress:
    objective: float
    bound: float
    gap: float
    elapsed: float
    solutions: int


def build(problem: PlanningProblem, guards: dict | None = None) -> tuple[PlanVars, dict]:
    """The model with every rule applied; returns the container and the objective terms."""
    v = PlanVars(problem)
    for name in guards or ():
        v.guards[name] = v.model.new_bool_var(f"guard[{name}]")
    features_and_capacity.add(v)
    windows.add(v)
    class_size.add(v)
    rooms_and_schedule.add(v)
    allowance.add(v)
    setup = centres.add(v)["centre_setup"]
    cash = budget.add(v, setup=setup)["cash"]
    moved = pinning.add(v)["moved"]
    terms = objective.add(v, cash=cash, moved=moved)
    return v, terms


class _Stream(cp_model.CpSolverSolutionCallback):
    def __init__(self, on_progress, started, offset_scale, offset):
        super().__init__()
        self.on_progress, self.started = on_progress, started
        self.scale, self.offset = offset_scale, offset
        self.count = 0

    def on_solution_callback(self) -> None:
        self.count += 1
        if self.on_progress is None:
            return
        obj, bound = self.objective_value, self.best_objective_bound
        obj, bound = self.offset + self.scale * obj, self.offset + self.scale * bound
        self.on_progress(
            Progress(
                obj,
                bound,
                abs(bound - obj) / max(1.0, abs(obj)),
                time.monotonic() - self.started,
                self.count,
            )
        )


def _run(model, *, time_limit, workers, seed, cancel, callback):
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(0.05, time_limit)
    solver.parameters.num_workers = workers
    solver.parameters.random_seed = seed
    if len(model.proto.variables) > LARGE_MODEL and time_limit < PRESOLVE_MIN_SECONDS:
        # a big count model spends seconds in presolve before the search starts from the hint:
        # with little time, skip it so that the hint is the first incumbent
        solver.parameters.cp_model_presolve = False
    done = threading.Event()

    def watch() -> None:
        while not done.is_set():
            if cancel.wait(0.05):
                solver.stop_search()
                return

    watcher = threading.Thread(target=watch, daemon=True) if cancel is not None else None
    if watcher:
        watcher.start()
    try:
        status = solver.solve(model, callback)
    finally:
        done.set()
        if watcher:
            watcher.join()
    return solver, status


def _maximize(model, expr) -> None:
    if isinstance(expr, (int, float)):  # nothing to decide: a constant objective
        expr = model.new_constant(0)
    model.maximize(expr)


def _hint(v: PlanVars, plan: PlanningResult) -> None:
    counts: dict = defaultdict(int)
    learners: dict = defaultdict(int)
    for s in plan.sessions:
        if s.pinned:
            continue
        counts[((s.course_code, s.days), (s.venue_kind, s.venue_id), s.starts_on)] += 1
        for nid, c in s.needs.items():
            learners[(nid, s.starts_on)] += c
    v.model.clear_hints()
    for key, var in v.n.items():
        v.model.add_hint(var, min(counts.get(key, 0), v.n_ub[key]))
    for key, var in v.y.items():
        v.model.add_hint(var, learners.get(key, 0))
    for cid, var in v.opened.items():
        v.model.add_hint(var, cid in plan.centres_opened)


def session_id(code: str, days: int, site_id: str, start: date, number: int) -> str:
    return f"{code}/{days}d@{site_id}:{start.isoformat()}#{number}"


def expand(v: PlanVars, value) -> tuple[list[Session], list[str]]:
    """Concrete sessions from the solved counts; pinned sessions as given."""
    problem = v.problem
    sessions = [s for s in problem.previous if s.pinned]
    keep_ids: dict = defaultdict(list)
    for s in problem.previous:
        if not s.pinned:  # a session on a published slot keeps the published id
            keep_ids[session_key(s)].append(s.session_id)
    needs = {n.need_id: n for n in problem.needs}
    for (ck, start), counts in sorted(
        v.by_course_start.items(), key=lambda kv: (kv[0][1], kv[0][0])
    ):
        course = v.course(ck)
        slots = []  # (site, seats) per session
        for sk, var in counts:
            slots += [v.site(sk)] * value(var)
        if not slots:
            continue
        demand = [
            (nid, value(var))
            for nid, var in ((n.need_id, v.y.get((n.need_id, start))) for n in course.needs)
            if var is not None and value(var) > 0
        ]
        total = sum(c for _, c in demand)
        sizes = [min(course.class_min, total // len(slots)) for _ in slots]
        left = total - sum(sizes)
        for i, site in enumerate(slots):
            extra = min(left, seats(course, site) - sizes[i])
            sizes[i] += extra
            left -= extra
        queue = list(demand)
        for i, site in enumerate(slots):
            room, by_need, by_group = sizes[i], {}, defaultdict(int)
            while room and queue:
                nid, c = queue[0]
                take = min(room, c)
                by_need[nid] = by_need.get(nid, 0) + take
                by_group[needs[nid].group_id] += take
                room -= take
                queue[0] = (nid, c - take)
                if queue[0][1] == 0:
                    queue.pop(0)
            key = (course.code, site.kind, site.site_id, start, course.days)
            sid = (
                keep_ids[key].pop(0)
                if keep_ids.get(key)
                else session_id(course.code, course.days, site.site_id, start, i + 1)
            )
            sessions.append(
                Session(
                    sid,
                    course.code,
                    site.kind,
                    site.site_id,
                    start,
                    course.days,
                    by_need,
                    dict(by_group),
                )
            )
    opened = sorted(cid for cid, var in v.opened.items() if value(var))
    return sessions, opened


def outcomes(problem: PlanningProblem, sessions, reasons: dict | None = None) -> tuple:
    trained: dict = defaultdict(int)
    for s in sessions:
        for nid, c in s.needs.items():
            trained[nid] += c
    out = []
    for need in problem.needs:
        met = min(trained[need.need_id], need.learners)
        status = (
            NeedStatus.MET
            if met >= need.learners
            else NeedStatus.PARTLY_MET
            if met > 0
            else NeedStatus.UNMET
        )
        why = () if status == NeedStatus.MET else tuple((reasons or {}).get(need.need_id, ()))
        out.append(NeedOutcome(need.need_id, status, need.learners, met, why))
    return tuple(out)


def utilisation(problem: PlanningProblem, sessions, opened) -> tuple[Utilisation, ...]:
    used: dict = defaultdict(float)
    available: dict = defaultdict(float)
    for site in sites(problem):
        if site.kind == CENTRE and site.site_id not in opened:
            continue
        for day, free in site.free.items():
            week = day - timedelta(days=day.weekday())
            available[(site.site_id, week)] += free * HOURS_PER_ROOM_DAY
    for s in sessions:
        for day in s.dates:
            week = day - timedelta(days=day.weekday())
            used[(s.venue_id, week)] += HOURS_PER_ROOM_DAY
    keys = sorted(set(available) | set(used))
    return tuple(
        Utilisation(vid, week, used[(vid, week)], available[(vid, week)]) for vid, week in keys
    )


def moves(problem: PlanningProblem, sessions) -> tuple[Move, ...]:
    venues = {v.venue_id: v for v in problem.venues}
    needs = {n.need_id: n for n in problem.needs}
    out = []
    for p in moved_sessions(problem, sessions):
        same_course = [s for s in sessions if s.course_code == p.course_code and not s.pinned
                       and set(s.needs) & set(p.needs)]  # fmt: skip
        after = same_course[0].to_dict() if same_course else None
        venue = venues.get(p.venue_id) if p.venue_kind != CENTRE else None
        if venue is not None and any(venue.free_rooms(d) < 1 for d in p.dates):
            why = "venue closed on those dates"
        elif any(
            s.venue_id == p.venue_id and set(s.dates) & set(p.dates)
            and any(needs[n].level == "Mandated" for n in s.needs if n in needs)
            and s.course_code != p.course_code
            for s in sessions
        ):  # fmt: skip
            why = "freed room for a Mandated need"
        elif not any(n in needs for n in p.needs):
            why = "its needs are no longer in the plan"
        else:
            why = "better plan"
        out.append(Move(p.session_id, p.to_dict(), after, why))
    return tuple(out)


def solve(
    problem: PlanningProblem,
    *,
    time_limit: float = 10.0,
    workers: int = 1,
    seed: int = 0,
    on_progress: Callable[[Progress], None] | None = None,
    cancel: threading.Event | None = None,
    hint: PlanningResult | None = None,
    diagnose: bool = True,
) -> PlanningResult:
    from planning.baseline import greedy

    errors = check_problem(problem)
    if errors:
        raise ValueError("invalid planning problem: " + "; ".join(errors))
    if time_limit <= 0 or workers < 1:
        raise ValueError("time_limit must be positive and workers at least 1")
    started = time.monotonic()
    settings = {"time_limit": time_limit, "workers": workers, "seed": seed}
    if hint is None:
        hint = greedy(problem)
    built = time.monotonic()
    v, terms = build(problem)
    build_seconds = time.monotonic() - built
    mandatory_ids = {n.need_id for n in problem.needs if n.mandatory}
    _hint(v, hint)
    # diagnosis rebuilds the model with guards: keep its build time and 15% for its solves
    # and 5% for turning counts into sessions and checking them
    budget_time = time_limit * 0.95 - (0.15 * time_limit + build_seconds if diagnose else 0.0)
    # stage 1: mandatory learners
    _maximize(v.model, terms["mandatory"])
    stream = _Stream(None, started, 1.0, 0.0)
    stage1_time = (budget_time - (time.monotonic() - started)) * STAGE_ONE_SHARE
    s1, st1 = _run(v.model, time_limit=stage1_time, workers=workers, seed=seed,
                   cancel=cancel, callback=stream)  # fmt: skip
    cancelled = cancel is not None and cancel.is_set()
    if st1 in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        mandatory = round(s1.objective_value)
        mandatory_slack = max(0.0, s1.best_objective_bound - s1.objective_value)
        stage1 = s1.value
    elif st1 == cp_model.UNKNOWN and hint.sessions and not cancelled:
        # no solution in stage one's time: hold the hint's mandatory learners instead
        mandatory = sum(
            c for x in hint.sessions if not x.pinned for nid, c in x.needs.items()
            if nid in mandatory_ids
        )  # fmt: skip
        mandatory_slack = None
        stage1 = None
    else:
        name = "CANCELLED" if cancelled else s1.status_name(st1)
        return PlanningResult(name, None, None, time.monotonic() - started, OBJECTIVE_TERMS,
                              settings=settings)  # fmt: skip
    # stage 2: the rest, with mandatory learners held
    if not isinstance(terms["mandatory"], (int, float)):
        v.model.add(terms["mandatory"] >= mandatory)
    hint_mandatory = sum(
        c for x in hint.sessions if not x.pinned for nid, c in x.needs.items()
        if nid in mandatory_ids
    )  # fmt: skip
    if stage1 is not None and mandatory > hint_mandatory:  # else the baseline's hint stays
        v.model.clear_hints()
        for var in [*v.n.values(), *v.y.values(), *v.opened.values(), *v.kept.values()]:
            v.model.add_hint(var, stage1(var))
    _maximize(v.model, terms["rest"])
    w = objective.MANDATORY_WEIGHT
    stream = _Stream(on_progress, started, 1.0, w * mandatory)
    remaining = max(0.05, budget_time - (time.monotonic() - started))
    cancelled = cancel is not None and cancel.is_set()
    s2, st2 = (
        (s1, st1)
        if cancelled
        else _run(
            v.model,
            time_limit=remaining,
            workers=workers,
            seed=seed,
            cancel=cancel,
            callback=stream,
        )
    )
    solved2 = st2 in (cp_model.OPTIMAL, cp_model.FEASIBLE) and not cancelled
    if solved2:
        sessions, opened = expand(v, s2.value)
        name = s2.status_name(st2)
    elif stage1 is not None:
        sessions, opened = expand(v, stage1)
        name = "FEASIBLE"
    else:
        sessions, opened = hint.sessions, hint.centres_opened
        name = "FEASIBLE"
    if (
        hint.sessions
        and objective_value(problem, sessions, opened)
        < objective_value(problem, hint.sessions, hint.centres_opened)
        and validate(problem, hint).ok
    ):  # never worse than a valid plan it was given
        sessions, opened = hint.sessions, hint.centres_opened
        name = "FEASIBLE"
    if name == "OPTIMAL" and (mandatory_slack is None or mandatory_slack > 0):
        name = "FEASIBLE"
    if cancel is not None and cancel.is_set():
        name = "CANCELLED"
    gap_terms = (
        None
        if mandatory_slack is None or not solved2
        else w * mandatory_slack + max(0.0, s2.best_objective_bound - s2.objective_value)
    )
    settings["stages"] = {
        "mandatory_learners": mandatory,
        "mandatory_bound": None if mandatory_slack is None else mandatory + mandatory_slack,
        "mandatory_status": s1.status_name(st1),
        "rest": s2.objective_value if solved2 else None,
        "rest_bound": s2.best_objective_bound if solved2 else None,
        "rest_status": s2.status_name(st2) if not cancelled else "CANCELLED",
    }
    return _finish(problem, sessions, opened, name, gap_terms, started, settings,
                   diagnose=diagnose and not (cancel is not None and cancel.is_set()),
                   time_left=time_limit - (time.monotonic() - started),
                   seed=seed)  # fmt: skip


def _finish(problem, sessions, opened, status, slack, started, settings, *, diagnose,
            time_left=1.0, seed=0):  # fmt: skip
    sessions = tuple(sessions)
    opened = tuple(sorted(opened))
    value = objective_value(problem, sessions, opened)
    reasons = {}
    if diagnose:
        from planning.reasons import diagnose as find_reasons

        reasons = find_reasons(problem, sessions, time_limit=time_left, seed=seed)
    return PlanningResult(
        status=status,
        objective=value,
        bound=None if slack is None else value + slack,
        seconds=time.monotonic() - started,
        objective_terms=OBJECTIVE_TERMS,
        sessions=sessions,
        centres_opened=opened,
        cost=cost_of(problem, sessions, opened),
        utilisation=utilisation(problem, sessions, opened),
        outcomes=outcomes(problem, sessions, reasons),
        moves=moves(problem, sessions),
        settings=dict(settings),
    )


__all__ = ["Progress", "build", "date", "expand", "solve"]
