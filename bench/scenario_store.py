"""A generated planning scenario (`planning.scenarios.generate`, sizes S to XL) recorded in a
store through the application's commands, so that a run through the run queue plans it from
the read models as it would a real force's: its groups (headcount, allowance, capability
limit), its needs (identified, analysed, prioritised, endorsed), its venues (with their
schedules of usage, one booking per day a room is taken), its candidate centres and the cycle."""

from __future__ import annotations

from datetime import date
from itertools import groupby
from typing import Any
from uuid import UUID

from domain import TrainingPlanner
from planning.model import PlanningProblem
from planning.scenarios import generate

LSPU, CHAIR, TMB = "lspu.bench", "chair.bench", "tmb.bench"


def record_scenario(planner: TrainingPlanner, size: str, seed: int = 0) -> UUID:
    """Records scenario `size` (seed `seed`) and returns its cycle's id."""
    problem = generate(size, seed)
    groups = _groups(planner, problem)
    for need in problem.needs:
        need_id = planner.identify_need(
            group_id=groups[need.group_id],
            title=need.title,
            trigger="continuing commitment",
            actor=LSPU,
        )
        planner.record_analysis(
            need_id,
            actor=LSPU,
            gap_statement=f"{need.title}: staff not current",
            audience=f"{need.learners} learners of the group",
            learners=need.learners,
            course_code=need.course_code,
            delivery_mode=need.mode,
            days_per_learner=need.days,
            class_size_min=need.class_min,
            class_size_max=need.class_max,
            trainers_per_session=need.trainers,
            required_features=sorted(need.features),
            mandatory_basis="Force policy" if need.mandatory else None,
            risk_if_untrained="critical" if need.mandatory else "medium",
            window_start=need.window_start.isoformat(),
            window_end=need.window_end.isoformat(),
        )
        planner.prioritise_need(
            need_id, level=need.level, score=need.score, reason="Board's ranking", actor=CHAIR
        )
        planner.endorse_need(need_id, reason="Endorsed by the TMB", actor=TMB)
    for venue in problem.venues:
        facility_id = planner.register_facility(
            name=venue.name,
            site=venue.site or "Borough",
            owning_group_id=None,
            capacity=venue.capacity,
            rooms=venue.rooms,
            features=sorted(venue.features),
            cost_per_day=float(venue.cost_per_day),
            opened_on="1990-01-01",
            actor=LSPU,
        )
        entries = _bookings(venue.taken)
        if entries:
            planner.submit_schedule(
                facility_id,
                period_start=problem.starts_on,
                period_end=problem.ends_on,
                entries=entries,
                actor=LSPU,
            )
    for centre in problem.centres:
        centre_id = planner.propose_centre(
            name=centre.name,
            site=centre.site or centre.name,
            rooms=centre.rooms,
            capacity=centre.capacity,
            features=sorted(centre.features),
            setup_cost=float(centre.setup_cost),
            running_cost_per_day=float(centre.running_cost_per_day),
            earliest_opening=centre.earliest_opening.isoformat(),
            actor=LSPU,
        )
        planner.cost_centre(
            centre_id,
            setup_cost=float(centre.setup_cost),
            running_cost_per_day=float(centre.running_cost_per_day),
            notes="Costed by the LSPU",
            actor=LSPU,
        )
        planner.approve_centre(centre_id, reason="Approved as a candidate", actor=TMB)
    return planner.open_cycle(
        name="2003/04",
        starts_on=problem.starts_on,
        ends_on=problem.ends_on,
        budget=problem.budget,
        actor=TMB,
    )


def _groups(planner: TrainingPlanner, problem: PlanningProblem) -> dict[str, UUID]:
    ids: dict[str, UUID] = {}
    for group in problem.groups:
        group_id = planner.register_group(
            name=group.name, code=group.code, officers=group.headcount, staff=0, actor=LSPU
        )
        planner.set_allowance(
            group_id,
            hours_per_head=group.allowance_hours_per_head,
            reason="The board's allowance",
            actor=CHAIR,
        )
        ids[group.group_id] = group_id
    return ids


def _bookings(taken: dict[date, int]) -> list[dict[str, Any]]:
    """Runs of consecutive days with the same rooms taken, one booking each."""
    days = sorted(taken)
    entries: list[dict[str, Any]] = []
    runs: list[list[date]] = []
    for _, numbered in groupby(enumerate(days), key=lambda pair: pair[1].toordinal() - pair[0]):
        runs.append([day for _, day in numbered])
    for consecutive in runs:
        for rooms, same in groupby(consecutive, key=lambda day: taken[day]):
            block = list(same)
            entries.append(
                {
                    "starts_on": block[0].isoformat(),
                    "ends_on": block[-1].isoformat(),
                    "kind": "booking",
                    "purpose": "Local use",
                    "rooms": rooms,
                }
            )
    return entries
