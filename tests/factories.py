"""Small builders for test histories, in the boards' words."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from domain import TrainingPlanner

ANALYSIS: dict[str, Any] = {
    "gap_statement": "Officers are not current in officer safety techniques",
    "audience": "Constables to Chief Inspectors on borough teams",
    "learners": 120,
    "course_code": "GP05",
    "delivery_mode": "practical",
    "days_per_learner": 2,
    "class_size_min": 12,
    "class_size_max": 16,
    "trainers_per_session": 2,
    "required_features": ["mats", "gym"],
    "mandatory_basis": "Health and Safety at Work Act 1974 s.7 (officer safety policy)",
    "risk_if_untrained": "critical",
    "window_start": "2003-04-01",
    "window_end": "2004-03-31",
}


def analysis(**overrides: Any) -> dict[str, Any]:
    return {**ANALYSIS, **overrides}


def a_group(planner: TrainingPlanner, code: str = "TP", **overrides: Any) -> UUID:
    fields = {"name": "Territorial Policing", "officers": 21449, "staff": 5757, **overrides}
    return planner.register_group(code=code, actor="lspu.analyst", **fields)


def an_endorsed_need(planner: TrainingPlanner, group_id: UUID, **analysis_overrides: Any) -> UUID:
    need_id = planner.identify_need(
        group_id=group_id,
        title="Officer safety refresher",
        trigger="new legislation",
        actor="tp.planner",
    )
    planner.record_analysis(need_id, actor="lspu.analyst", **analysis(**analysis_overrides))
    planner.prioritise_need(
        need_id, level="Mandated", score=95, reason="Legal duty under HSWA", actor="tp.chair"
    )
    planner.endorse_need(need_id, reason="Mandated training", actor="tmb.secretary")
    return need_id


def a_facility(planner: TrainingPlanner, name: str = "Gym 1", **overrides: Any) -> UUID:
    fields: dict[str, Any] = {
        "site": "Hendon",
        "owning_group_id": None,
        "capacity": 16,
        "rooms": 1,
        "features": ["gym", "mats"],
        "cost_per_day": 350.0,
        **overrides,
    }
    return planner.register_facility(name=name, actor="lspu.facilities", **fields)


def a_cycle(planner: TrainingPlanner, name: str = "2003/04", budget: float = 2_000_000) -> UUID:
    return planner.open_cycle(
        name=name, starts_on="2003-04-01", ends_on="2004-03-31", budget=budget, actor="tmb.chair"
    )


def a_session(
    session_id: str, venue_id: UUID, need_id: UUID, group_id: UUID, **overrides: Any
) -> dict[str, Any]:
    return {
        "session_id": session_id,
        "course_code": "GP05",
        "venue_kind": "facility",
        "venue_id": str(venue_id),
        "starts_on": "2003-05-06",
        "ends_on": "2003-05-07",
        "learners": {str(group_id): 14},
        "needs": {str(need_id): 14},
        **overrides,
    }
