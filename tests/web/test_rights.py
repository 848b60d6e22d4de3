"""Every role is refused every action outside its rights (403), and scoped roles are refused
other groups' business."""

from __future__ import annotations

from typing import Any

import pytest

from api.http.auth import RIGHTS, Role
from tests.web.conftest import TOKENS, Api, auth
from tests.web.journeys import (
    ANALYSIS,
    a_centre,
    a_cycle,
    a_facility,
    a_group,
    a_trainer_pool,
    an_analysed_need,
)

ROLE_OF = {
    "planner": Role.PLANNER,
    "chair": Role.BOARD_CHAIR,
    "tmb": Role.TMB,
    "lspu": Role.LSPU,
    "auditor": Role.AUDITOR,
}
DAY = "2003-05-06"

# action -> (path, body); {g} group, {n} need, {f} facility, {c} centre, {y} cycle, {p} pool
ACTIONS: dict[str, tuple[str, dict[str, Any] | None]] = {
    "register a business group": ("/api/v1/groups",
                                  {"name": "Specialist Crime", "code": "SC", "officers": 1, "staff": 1}),
    "update a group's headcount": ("/api/v1/groups/{g}/headcount", {"officers": 1, "staff": 1}),
    "set a group's training allowance": ("/api/v1/groups/{g}/allowance",
                                         {"hours_per_head": 40, "reason": "Capability"}),
    "set a group's operational capability limit": ("/api/v1/groups/{g}/capability",
                                                   {"away_percent": 5, "reason": "Capability"}),
    "assign a board chair": ("/api/v1/groups/{g}/board-chair", {"chair": "AC TP"}),
    "identify a training need": ("/api/v1/needs",
                                 {"group_id": "{g}", "title": "First aid", "trigger": "incident"}),
    "record a performance needs analysis": ("/api/v1/needs/{n}/analysis", ANALYSIS),
    "prioritise a training need": ("/api/v1/needs/{n}/prioritise",
                                   {"level": "Essential", "score": 50, "reason": "Why"}),
    "endorse a training need": ("/api/v1/needs/{n}/endorse", {"reason": "Why"}),
    "reject a training need": ("/api/v1/needs/{n}/reject", {"reason": "Why"}),
    "withdraw a training need": ("/api/v1/needs/{n}/withdraw", {"reason": "Why"}),
    "record a delivery": ("/api/v1/needs/{n}/delivery", {"attendance": 1, "actual_cost": 1}),
    "evaluate a training need": ("/api/v1/needs/{n}/evaluation", {"level": 1, "score": 1}),
    "register a facility": ("/api/v1/facilities",
                            {"name": "Gym 9", "site": "Hendon", "capacity": 1, "cost_per_day": 1}),
    "change a facility": ("/api/v1/facilities/{f}/details", {"capacity": 2, "reason": "Why"}),
    "submit a facility's schedule": ("/api/v1/facilities/{f}/schedule",
                                     {"period_start": DAY, "period_end": DAY, "empty_period": True, "entries": []}),
    "decommission a facility": ("/api/v1/facilities/{f}/decommission",
                                {"on": "2010-01-01", "reason": "Why"}),
    "propose a delivery centre": ("/api/v1/centres",
                                  {"name": "X", "site": "Y", "rooms": 1, "capacity": 1,
                                   "setup_cost": 1, "running_cost_per_day": 1,
                                   "earliest_opening": DAY}),
    "cost a delivery centre": ("/api/v1/centres/{c}/costing",
                               {"setup_cost": 1, "running_cost_per_day": 1, "notes": "Study"}),
    "approve a delivery centre": ("/api/v1/centres/{c}/approve", {"reason": "Why"}),
    "reject a delivery centre": ("/api/v1/centres/{c}/reject", {"reason": "Why"}),
    "manage a trainer pool": ("/api/v1/trainer-pools",
                              {"name": "OST trainers", "discipline": "officer safety",
                               "trainers": 4, "courses": ["GP05"]}),
    "record a trainer absence": ("/api/v1/trainer-pools/{p}/absences",
                                 {"starts_on": DAY, "ends_on": DAY, "trainers": 1,
                                  "kind": "leave", "reason": "Why"}),
    "open a planning cycle": ("/api/v1/cycles",
                              {"name": "2004/05", "starts_on": DAY, "ends_on": DAY, "budget": 1}),
    "change a cycle's budget": ("/api/v1/cycles/{y}/budget", {"budget": 1, "reason": "Why"}),
    "set strategic weights": ("/api/v1/cycles/{y}/weights",
                              {"weights": {"Mandated": 1}, "reason": "Why"}),
    "run the optimiser": ("/api/v1/cycles/{y}/runs", {"time_limit": 1}),
    "cancel an optimisation run": ("/api/v1/cycles/{y}/runs/r1/cancel", None),
    "draft the prospectus": ("/api/v1/cycles/{y}/prospectus/draft", {"run_id": "r1"}),
    "amend a draft session": ("/api/v1/cycles/{y}/prospectus/sessions/s1/amend",
                              {"starts_on": DAY, "reason": "Why"}),
    "pin a draft session": ("/api/v1/cycles/{y}/prospectus/sessions/s1/pin", {"reason": "Why"}),
    "publish the prospectus": ("/api/v1/cycles/{y}/prospectus/publish", {"reason": "Why"}),
    "close a planning cycle": ("/api/v1/cycles/{y}/close", {"reason": "Why"}),
}  # fmt: skip


def test_every_right_in_the_table_is_exercised_here() -> None:
    assert set(ACTIONS) == set(RIGHTS)


@pytest.fixture
def world(api: Api) -> dict[str, str]:
    group = a_group(api)
    return {"g": group, "n": an_analysed_need(api, group), "f": a_facility(api, group),
            "c": a_centre(api), "y": a_cycle(api), "p": a_trainer_pool(api)}  # fmt: skip


def fill(value: Any, ids: dict[str, str]) -> Any:
    if isinstance(value, str):
        return value.format(**ids) if "{" in value else value
    if isinstance(value, dict):
        return {key: fill(item, ids) for key, item in value.items()}
    return value


@pytest.mark.parametrize("who", sorted(ROLE_OF))
def test_each_role_is_refused_every_action_outside_its_rights(
    api: Api, world: dict[str, str], who: str
) -> None:
    planner = api.client.app.state.stack.planner  # type: ignore[attr-defined]
    before = planner.recorder.max_notification_id()
    refused = []
    for action, (path, body) in ACTIONS.items():
        if ROLE_OF[who] in RIGHTS[action]:
            continue
        response = api.client.post(fill(path, world), json=fill(body, world),
                                   headers=auth(who, **{"If-Match": '"1"'}))  # fmt: skip
        assert response.status_code == 403, (action, response.text)
        assert response.headers["content-type"] == "application/problem+json"
        refused.append(action)
    if who == "auditor":
        assert refused == list(ACTIONS)
    assert planner.recorder.max_notification_id() == before


def test_a_board_chair_may_not_prioritise_another_groups_need(
    api: Api, world: dict[str, str]
) -> None:
    a_group(api, "SO", "Specialist Operations")
    response = api.post(
        "chair_so",
        f"/api/v1/needs/{world['n']}/prioritise",
        {"level": "Essential", "score": 50, "reason": "Why"},
        version=2,
    )
    assert response.status_code == 403
    assert (
        api.post(
            "chair",
            f"/api/v1/needs/{world['n']}/prioritise",
            {"level": "Essential", "score": 50, "reason": "Why"},
            version=2,
        ).status_code
        == 200
    )


def test_a_planner_may_not_raise_a_need_or_submit_a_schedule_for_another_group(
    api: Api, world: dict[str, str]
) -> None:
    need = api.post(
        "planner_so", "/api/v1/needs", {"group_id": world["g"], "title": "X", "trigger": "incident"}
    )
    assert need.status_code == 403
    schedule = api.post(
        "planner_so",
        f"/api/v1/facilities/{world['f']}/schedule",
        {"period_start": DAY, "period_end": DAY, "empty_period": True, "entries": []},
        version=1,
    )
    assert schedule.status_code == 403


def test_every_role_may_read(api: Api, world: dict[str, str]) -> None:
    for who in TOKENS:
        assert api.get(who, f"/api/v1/needs/{world['n']}").status_code == 200
