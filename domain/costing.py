"""The cost of training, in the lines of the national police training costing model, computed
in one place for the optimiser, its validator, the read models, the demo and the benchmarks.

Cash lines (held within a cycle's budget):
- room-days: a venue's day rate for each day a session uses one of its rooms;
- trainer-days: each trainer of a session for each of its days, at the trainer day rate;
- materials: per learner placed (none by default);
- a candidate centre's set-up (capital) and its running cost per room-day (revenue).

Learner abstraction (officers' time away from duty) is costed per learner-day and always shown
apart: it is not cash and never counts against a budget.

The rates are the TMB's to set: a planning cycle's weights may carry `trainer_day_cost`,
`abstraction_cost_per_learner_day` and `materials_per_learner`; `Rates.from_weights` reads them
with these defaults."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TypeVar

TRAINER_DAY_RATE = 250  # pounds per trainer-day
ABSTRACTION_PER_LEARNER_DAY = 180  # pounds: an officer off duty for a day
MATERIALS_PER_LEARNER = 0  # pounds per learner placed

Number = TypeVar("Number", int, float)


@dataclass(frozen=True)
class Rates:
    """The rates a cycle costs its plan at."""

    trainer_day: int = TRAINER_DAY_RATE
    abstraction_per_learner_day: int = ABSTRACTION_PER_LEARNER_DAY
    materials_per_learner: int = MATERIALS_PER_LEARNER

    @classmethod
    def from_weights(cls, weights: Mapping[str, object] | None) -> Rates:
        """The rates a cycle's weights set, each defaulting to the national figure above."""
        weights = weights or {}

        def rate(key: str, default: int) -> int:
            value = weights.get(key, default)
            return int(value) if isinstance(value, (int, float, str)) else default

        return cls(
            trainer_day=rate("trainer_day_cost", TRAINER_DAY_RATE),
            abstraction_per_learner_day=rate(
                "abstraction_cost_per_learner_day", ABSTRACTION_PER_LEARNER_DAY
            ),
            materials_per_learner=rate("materials_per_learner", MATERIALS_PER_LEARNER),
        )


def room_days(days: int, day_rate: Number) -> Number:
    """A venue's (or an opened centre's running) cost for a session of `days` days."""
    return days * day_rate


def trainer_days(days: int, trainers: int, trainer_day_rate: Number) -> Number:
    """The trainers' cost of a session of `days` days."""
    return days * trainers * trainer_day_rate


def materials(learners: int, per_learner: Number) -> Number:
    return learners * per_learner


def session_cash(days: int, day_rate: Number, trainers: int, trainer_day_rate: Number) -> Number:
    """Cash cost of one session before materials: its room-days plus its trainer-days."""
    return room_days(days, day_rate) + trainer_days(days, trainers, trainer_day_rate)


def abstraction(learner_days: Number, per_learner_day: Number) -> Number:
    """Learner abstraction: officers' days away from duty, costed apart from cash."""
    return learner_days * per_learner_day
