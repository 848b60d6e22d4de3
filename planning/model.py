"""The optimiser's plain input and output: no events, no database, no solver.

A `PlanningProblem` holds what the Training Management Board plans with: the endorsed needs of
a cycle, the venues (existing facilities with the rooms their schedules already take), the
candidate delivery centres, the groups' training-time allowances, the budget and the weights.
A `PlanningResult` is what comes back: the sessions, the centres opened, the cost broken down,
utilisation per venue and week, and every need's outcome with the reason when it is not met.

Time is counted in working days (Monday to Friday). A session of a course runs on consecutive
working days in one room of one venue; weekends do not break a session, a taken room does.
Money is in whole pounds.
"""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import asdict, dataclass, field
from datetime import date
from enum import StrEnum
from typing import Any

from domain.calendar import add_working_days, working_days
from domain.costing import ABSTRACTION_PER_LEARNER_DAY, TRAINER_DAY_RATE, Rates

LEVELS = ("Mandated", "Essential", "Desirable", "Optional")
# Delivery modes, as domain.values.DeliveryMode records them on a need's analysis
CLASSROOM, PRACTICAL, BLENDED, E_LEARNING = "classroom", "practical", "blended", "e-learning"
MODES = (CLASSROOM, PRACTICAL, BLENDED, E_LEARNING)
DEFAULT_LEVEL_WEIGHTS = {"Mandated": 1000.0, "Essential": 100.0, "Desirable": 10.0, "Optional": 1.0}


class NeedStatus(StrEnum):
    MET = "met"
    PARTLY_MET = "partly met"
    UNMET = "unmet"


class Reason(StrEnum):
    """Why a need is not (fully) met. Derived from the solver, see planning.reasons."""

    NO_SUITABLE_VENUE = "no facility has the features or capacity"
    WINDOW_TOO_NARROW = "window too narrow for free capacity"
    ALLOWANCE_REACHED = "group allowance reached"
    BUDGET_REACHED = "budget reached"
    OUT_RANKED = "out-ranked by higher priorities"
    NOT_PROVEN = "the solver stopped before proving why"
    ROOMS_FULL = "rooms full"
    SHARED = "shared with needs of the same priority"
    CENTRE_SHUT = "centre kept shut"
    CAPABILITY = "operational capability limit reached"
    TRAINERS = "no trainers of the discipline free"


@dataclass(frozen=True)
class Need:
    """One endorsed need of one business group for one course."""

    need_id: str
    group_id: str
    course_code: str
    title: str
    learners: int
    days: float  # per learner; a session lasts ceil(days) working days
    class_min: int
    class_max: int
    trainers: int
    features: frozenset[str]
    level: str  # one of LEVELS
    score: int  # 0..100 within the level
    mandatory: bool
    window_start: date
    window_end: date
    mode: str = CLASSROOM  # one of MODES (the analysis's delivery mode)
    classroom_days: float | None = None  # blended: the classroom part (None: half the days)
    discipline: str = ""  # of the trainers a session needs ("": no pool limits them)

    @property
    def online(self) -> bool:
        """E-learning: taken at the desk, in no room (planning.rules.delivery_mode)."""
        return self.mode == E_LEARNING

    @property
    def room_days(self) -> float:
        """Days per learner in a room: all of them, or a blended course's classroom part.
        (An e-learning course's days are the days its learners take to do it.)"""
        if self.mode == BLENDED:
            return self.classroom_days if self.classroom_days is not None else self.days / 2
        return self.days

    @property
    def session_days(self) -> int:
        return max(1, math.ceil(self.room_days))


@dataclass(frozen=True)
class Venue:
    """An existing facility: `rooms` identical rooms of `capacity` seats each.
    `taken` maps a date to the number of rooms its schedule of usage (bookings, closures,
    confirmed sessions of other cycles) already takes that day."""

    venue_id: str
    name: str
    site: str
    capacity: int
    rooms: int
    features: frozenset[str]
    cost_per_day: int  # per room-day used
    taken: dict[date, int] = field(default_factory=dict)
    opened_on: date | None = None
    closed_on: date | None = None  # decommissioned from this date
    running_cost_per_year: int = 0  # fixed: premises, whether used or not (revenue)

    def free_rooms(self, day: date) -> int:
        if self.opened_on and day < self.opened_on:
            return 0
        if self.closed_on and day >= self.closed_on:
            return 0
        return max(0, self.rooms - self.taken.get(day, 0))


@dataclass(frozen=True)
class CandidateCentre:
    """A proposed training delivery centre. Opening it costs `setup_cost` once; each room-day
    used costs `running_cost_per_day`. `forced` is True (must open), False (must stay shut) or
    None (the optimiser decides)."""

    centre_id: str
    name: str
    site: str
    capacity: int
    rooms: int
    features: frozenset[str]
    setup_cost: int
    running_cost_per_day: int
    earliest_opening: date
    forced: bool | None = None


@dataclass(frozen=True)
class TrainerPool:
    """Trainers of one discipline, shareable across groups: `trainers` in all, `away` of them
    on leave, sick or training themselves on a date. Pools of one discipline are shared: a
    session of a course of that discipline takes its trainers from any of them."""

    pool_id: str
    name: str
    discipline: str
    trainers: int
    courses: frozenset[str] = frozenset()
    away: dict[date, int] = field(default_factory=dict)

    def available(self, day: date) -> int:
        return max(0, self.trainers - self.away.get(day, 0))


@dataclass(frozen=True)
class Group:
    group_id: str
    code: str
    name: str
    headcount: int
    allowance_hours_per_head: float
    # operational capability: the most of the headcount, in per cent, away training in any
    # week (the board's limit; the adapter gives it, 5% by default; 100: no limit)
    away_percent: float = 100.0

    @property
    def allowance_hours(self) -> float:
        return self.headcount * self.allowance_hours_per_head

    @property
    def away_limit(self) -> int:
        """Learners of the group that may be away training in one week."""
        return math.floor(self.headcount * self.away_percent / 100 + 1e-9)


@dataclass(frozen=True)
class Weights:
    """How the TMB's priorities become numbers. `level` weighs a trained learner-day by the
    need's priority level; `score` adds score/100 of that. `move_penalty` is charged per
    published session that a re-plan moves."""

    level: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_LEVEL_WEIGHTS))
    hours_per_day: float = 8.0  # training hours in a learner-day (allowance accounting)
    trainer_day_cost: int = TRAINER_DAY_RATE  # pounds per trainer-day (domain.costing)
    abstraction_cost_per_learner_day: int = ABSTRACTION_PER_LEARNER_DAY  # an officer off duty
    move_penalty: float = 50.0

    @classmethod
    def from_cycle(cls, weights: dict[str, float]) -> Weights:
        """The cycle's weights event holds level weights and, optionally, the other knobs; the
        rates are read as the costing model reads them (domain.costing.Rates)."""
        levels = {level: float(weights[level]) for level in LEVELS if level in weights}
        base = cls()
        rates = Rates.from_weights(weights)
        return cls(
            level={**base.level, **levels},
            hours_per_day=float(weights.get("hours_per_day", base.hours_per_day)),
            trainer_day_cost=rates.trainer_day,
            abstraction_cost_per_learner_day=rates.abstraction_per_learner_day,
            move_penalty=float(weights.get("move_penalty", base.move_penalty)),
        )


@dataclass(frozen=True)
class Session:
    """A course run at one venue on `days` consecutive working days from `starts_on`, with the
    places it gives each need (and so each group). `venue_kind` is facility or centre."""

    session_id: str
    course_code: str
    venue_kind: str
    venue_id: str
    starts_on: date
    days: int
    needs: dict[str, int]
    learners: dict[str, int]
    pinned: bool = False

    @property
    def dates(self) -> list[date]:
        return add_working_days(self.starts_on, self.days)

    @property
    def ends_on(self) -> date:
        return self.dates[-1]

    def to_dict(self) -> dict[str, Any]:
        """The domain's session shape (see domain.cycles.clean_session)."""
        return {
            "session_id": self.session_id,
            "course_code": self.course_code,
            "venue_kind": self.venue_kind,
            "venue_id": self.venue_id,
            "starts_on": self.starts_on.isoformat(),
            "ends_on": self.ends_on.isoformat(),
            "learners": dict(self.learners),
            "needs": dict(self.needs),
            "pinned": self.pinned,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Session:
        starts_on = date.fromisoformat(data["starts_on"])
        ends_on = date.fromisoformat(data["ends_on"])
        return cls(
            session_id=data["session_id"],
            course_code=data["course_code"],
            venue_kind=data["venue_kind"],
            venue_id=str(data["venue_id"]),
            starts_on=starts_on,
            days=len(working_days(starts_on, ends_on)),
            needs={str(k): int(n) for k, n in (data.get("needs") or {}).items()},
            learners={str(k): int(n) for k, n in (data.get("learners") or {}).items()},
            pinned=bool(data.get("pinned", False)),
        )


@dataclass(frozen=True)
class PlanningProblem:
    cycle_name: str
    starts_on: date
    ends_on: date
    budget: int
    needs: tuple[Need, ...]
    venues: tuple[Venue, ...]
    centres: tuple[CandidateCentre, ...]
    groups: tuple[Group, ...]
    weights: Weights = field(default_factory=Weights)
    # Sessions of the published prospectus: pinned ones are fixed, the others may move at
    # `weights.move_penalty` each.
    previous: tuple[Session, ...] = ()
    pools: tuple[TrainerPool, ...] = ()  # trainers by discipline (planning.rules.trainers)
    # Capital apart: with a capital budget (the cycle's weights' `capital_budget`), centres'
    # set-up is held to it and `budget` holds the revenue (running) cash alone; without one,
    # `budget` holds both.
    capital_budget: int | None = None

    @property
    def days(self) -> list[date]:
        return working_days(self.starts_on, self.ends_on)

    def to_dict(self) -> dict[str, Any]:
        return _plain(asdict(self))

    def digest(self) -> str:
        """SHA-256 of the canonical JSON of the input: a run records what it was given."""
        text = json.dumps(self.to_dict(), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(text.encode()).hexdigest()


@dataclass(frozen=True)
class CostBreakdown:
    facility_days: int = 0
    centre_setup: int = 0
    centre_running: int = 0
    trainer_days: int = 0
    learner_abstraction: int = 0  # shown apart: not cash, and outside the budget
    venue_running: int = 0  # the venues' fixed running costs for the cycle, used or not

    @property
    def total(self) -> int:
        """Cash cost: capital and revenue."""
        return self.capital + self.revenue

    @property
    def capital(self) -> int:
        """Capital: the set-up of the centres opened."""
        return self.centre_setup

    @property
    def revenue(self) -> int:
        """Revenue (running) cash: the venues' fixed running costs, room-days of facilities
        and centres, trainer-days."""
        return self.venue_running + self.facility_days + self.centre_running + self.trainer_days


@dataclass(frozen=True)
class Binding:
    """A rule that holds a need short, and the resource it binds on, tested counterfactually:
    with that rule relaxed alone (`relaxed`, e.g. "one more room at every facility with gym,
    mats"), the need gets `more` learners while every stage that outranks it keeps its value."""

    reason: Reason
    rule: str  # the rule's module in planning.rules, e.g. "rooms_and_schedule"
    resource: str  # in the planners' words: which facility feature, which week, which group
    relaxed: str = ""
    more: int | None = None  # learners more when relaxed; None when not measured

    def __str__(self) -> str:
        text = f"{self.reason.value}: {self.resource}"
        if self.more:
            text += f" ({self.relaxed} would place {self.more:,} more)"
        return text


@dataclass(frozen=True)
class NeedOutcome:
    need_id: str
    status: NeedStatus
    learners: int
    learners_met: int
    reasons: tuple[Reason | str, ...] = ()  # each binding's text (see `why`)
    why: tuple[Binding, ...] = ()
    group: str = ""  # the group's code
    level: str = ""


@dataclass(frozen=True)
class StageOutcome:
    """One stage of the lexicographic search, in its own units. `status` is the solver's
    (OPTIMAL, FEASIBLE) or NO_BETTER (the stage found nothing better than the plan it
    started from, which it keeps), NOT_RUN (no time left, or cancelled) or TRIVIAL (nothing to
    decide: the plan it started from is at the stage's bound)."""

    name: str  # "mandated learners"
    unit: str  # "learners"
    sense: str  # "maximise" or "minimise"
    status: str
    objective: float | None
    bound: float | None
    seconds: float
    start: float | None = None  # the value of the plan the stage started from
    engine: str = ""

    @property
    def gap(self) -> float | None:
        """|bound - objective| over the larger of the two, in the stage's own units."""
        if self.objective is None or self.bound is None:
            return None
        scale = max(abs(self.objective), abs(self.bound))
        return 0.0 if scale == 0 else abs(self.bound - self.objective) / scale


@dataclass(frozen=True)
class Shortfall:
    """What more of a resource would place more learners: `extra` (e.g. 10 room-days of
    facilities with gym, mats) would place `learners` more learners of `level`."""

    rule: str
    resource: str
    extra: int
    unit: str  # "room-days", "hours of allowance", "pounds"
    learners: int
    level: str

    def __str__(self) -> str:
        return (f"{self.extra:,} more {self.unit} at {self.resource} would place "
                f"{self.learners:,} more {self.level} learners")  # fmt: skip


@dataclass(frozen=True)
class Utilisation:
    venue_id: str
    week: date  # Monday
    used_hours: float
    available_hours: float

    @property
    def ratio(self) -> float:
        return self.used_hours / self.available_hours if self.available_hours else 0.0


@dataclass(frozen=True)
class Move:
    session_id: str
    before: dict[str, Any]
    after: dict[str, Any] | None  # None: dropped
    why: str


@dataclass(frozen=True)
class PlanningResult:
    status: str  # OPTIMAL FEASIBLE INFEASIBLE UNKNOWN MODEL_INVALID CANCELLED FAILED
    objective: float | None
    bound: float | None
    seconds: float
    objective_terms: str  # how the terms were combined, in words
    sessions: tuple[Session, ...] = ()
    centres_opened: tuple[str, ...] = ()
    cost: CostBreakdown = field(default_factory=CostBreakdown)
    utilisation: tuple[Utilisation, ...] = ()
    outcomes: tuple[NeedOutcome, ...] = ()
    moves: tuple[Move, ...] = ()
    settings: dict[str, Any] = field(default_factory=dict)
    stages: tuple[StageOutcome, ...] = ()
    # per level: learners trained, demanded, and what the greedy starting plan trained
    learners_met: dict[str, int] = field(default_factory=dict)
    learners_demanded: dict[str, int] = field(default_factory=dict)
    baseline_learners_met: dict[str, int] = field(default_factory=dict)
    # per group code, per level: [learners trained, learners demanded]
    by_group: dict[str, dict[str, list[int]]] = field(default_factory=dict)
    shortfalls: tuple[Shortfall, ...] = ()

    @property
    def gap(self) -> float | None:
        if self.objective is None or self.bound is None:
            return None
        return abs(self.bound - self.objective) / max(1.0, abs(self.objective))

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON: `sessions` in the domain's session shape, the rest as is."""
        data = _plain(asdict(self))
        data["sessions"] = [session.to_dict() for session in self.sessions]
        data["gap"] = self.gap
        data["cost"]["total"] = self.cost.total
        data["cost"]["capital"] = self.cost.capital
        data["cost"]["revenue"] = self.cost.revenue
        data["cash_cost"] = {"total": self.cost.total, "capital": self.cost.capital,
                             "revenue": self.cost.revenue}  # fmt: skip
        data["abstraction_cost"] = self.cost.learner_abstraction
        data["stages"] = [
            {"name": s.name, "unit": s.unit, "sense": s.sense, "status": s.status,
             "objective": s.objective, "bound": s.bound, "gap": s.gap,
             "seconds": round(s.seconds, 3), "start": s.start, "engine": s.engine}
            for s in self.stages
        ]  # fmt: skip
        for outcome in data["outcomes"]:
            outcome["reasons"] = [str(r) for r in outcome["reasons"]]
        data["unmet"] = [
            {"need_id": o.need_id, "group": o.group, "level": o.level,
             "learners": o.learners - o.learners_met, "reasons": [str(r) for r in o.reasons]}
            for o in self.outcomes if o.learners_met < o.learners
        ]  # fmt: skip
        data["shortfalls"] = [{**asdict(s), "text": str(s)} for s in self.shortfalls]
        return data


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(_plain(k)): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        items = [_plain(v) for v in value]
        return sorted(items, key=str) if isinstance(value, (set, frozenset)) else items
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, StrEnum):
        return str(value)
    return value
