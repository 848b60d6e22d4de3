"""A scripted history that touches every read model: two groups, needs through their lifecycle,
a facility with its schedule of usage, the Orpington proposal, a cycle with a run, a draft,
an amendment, publication, delivery and evaluation."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from domain import TrainingPlanner
from tests.factories import a_cycle, a_facility, a_group, a_session, an_endorsed_need


@dataclass
class History:
    tp: UUID
    so: UUID
    need: UUID
    rejected: UUID
    withdrawn: UUID
    gym: UUID
    centre: UUID
    cycle: UUID
    positions: dict[str, int]


def script(planner: TrainingPlanner) -> History:
    def head() -> int:
        return int(planner.recorder.max_notification_id() or 0)

    positions = {}
    tp = a_group(planner)
    so = a_group(planner, code="SO", name="Specialist Operations", officers=3800, staff=900)
    planner.set_allowance(tp, hours_per_head=40, reason="Operational capability", actor="tp.chair")
    need = an_endorsed_need(planner, tp)
    rejected = planner.identify_need(group_id=so, title="Advanced rope access",
                                     trigger="emerging performance issue", actor="so.planner")  # fmt: skip
    from tests.factories import analysis

    planner.record_analysis(rejected, actor="lspu.analyst",
                            **analysis(course_code="RA1", mandatory_basis=None, learners=30))  # fmt: skip
    planner.prioritise_need(rejected, level="Optional", score=10, reason="Nice to have",
                            actor="so.chair")  # fmt: skip
    planner.reject_need(rejected, reason="No budget this year", actor="tmb.chair")
    withdrawn = planner.identify_need(group_id=so, title="Old radio system",
                                      trigger="technology change", actor="so.planner")  # fmt: skip
    planner.withdraw_need(withdrawn, reason="System retired", actor="so.planner")
    positions["needs decided"] = head()

    gym = a_facility(planner, opened_on="1990-01-01")
    planner.submit_schedule(
        gym, period_start="2003-05-01", period_end="2003-05-31", actor="planner.hendon",
        entries=[{"starts_on": "2003-05-05", "ends_on": "2003-05-05", "kind": "closure",
                  "purpose": "Bank holiday"},
                 {"starts_on": "2003-05-12", "ends_on": "2003-05-13", "kind": "booking",
                  "purpose": "Recruit class"}],
    )  # fmt: skip
    centre = planner.propose_centre(
        name="Orpington OST centre", site="Orpington", rooms=4, capacity=16,
        features=["gym", "mats"], setup_cost=1_200_000, running_cost_per_day=900,
        earliest_opening="2003-09-01", actor="lspu.analyst",
    )  # fmt: skip
    planner.cost_centre(centre, setup_cost=1_350_000, running_cost_per_day=950,
                        notes="Feasibility study", actor="lspu.analyst")  # fmt: skip
    positions["facilities registered"] = head()

    cycle = a_cycle(planner)
    planner.set_weights(cycle, weights={"Mandated": 1000, "trainer_day_cost": 460},
                        reason="TMB direction", actor="tmb.chair")  # fmt: skip
    planner.start_run(cycle, run_id="r1", settings={"time_limit": 5}, actor="tmb.chair")
    planner.record_run(
        cycle, run_id="r1", inputs_digest="abc", settings={"time_limit": 5}, status="FEASIBLE",
        objective=1.0, bound=2.0, actor="tmb.chair",
        allocation={"sessions": [a_session("s1", gym, need, tp),
                                 a_session("s2", gym, need, tp, starts_on="2003-05-14",
                                           ends_on="2003-05-15")],
                    "cost": {"total": 2300, "learner_abstraction": 10080},
                    "outcomes": [{"need_id": str(need), "status": "partly met"}], "gap": 0.5},
    )  # fmt: skip
    planner.draft_prospectus(cycle, run_id="r1", actor="tmb.chair")
    planner.amend_session(cycle, session_id="s2", starts_on="2003-05-20", ends_on="2003-05-21",
                          reason="Trainer on leave", actor="planner.hendon")  # fmt: skip
    positions["drafted"] = head()
    planner.publish_prospectus(cycle, reason="Plan agreed", actor="tmb.chair")
    positions["published"] = head()
    planner.record_delivery(need, attendance=26, actual_cost=3000, actor="lspu.analyst")
    planner.evaluate_need(need, level=2, score=80, notes="Good", actor="lspu.analyst")
    positions["evaluated"] = head()
    return History(tp, so, need, rejected, withdrawn, gym, centre, cycle, positions)
