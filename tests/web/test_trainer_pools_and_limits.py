"""Over HTTP: LSPU registers a trainer pool, a planner records a trainer's leave, both lists
show it; a board chair sets the group's weekly capability limit, within 0-100%."""

from __future__ import annotations

from tests.web.conftest import Api
from tests.web.journeys import a_group, a_trainer_pool


def test_a_pool_its_absences_and_the_lists_that_show_them(api: Api) -> None:
    pool = a_trainer_pool(api)
    leave = {"starts_on": "2003-08-04", "ends_on": "2003-08-15", "trainers": 5, "kind": "leave",
             "reason": "Summer leave"}  # fmt: skip
    assert api.post("planner", f"/api/v1/trainer-pools/{pool}/absences", leave,
                    version=1).status_code == 200  # fmt: skip
    too_many = {**leave, "trainers": 8, "kind": "sickness", "reason": "Flu"}
    refused = api.post("planner", f"/api/v1/trainer-pools/{pool}/absences", too_many, version=2)
    assert refused.status_code == 422, refused.text
    assert "trainers: must be at most 7: the pool has 12 trainers" in refused.json()["detail"]
    found = api.get("auditor", f"/api/v1/trainer-pools/{pool}").json()
    assert (found["trainers"], found["courses"], len(found["absences"])) == (12, ["GP05"], 1)
    [row] = api.get("auditor", "/api/v1/trainer-pools").json()["items"]
    assert (row["discipline"], row["trainer_days_away"]) == ("officer safety", 5 * 10)
    [absence] = api.get("auditor", "/api/v1/trainer-absences", pool_id=pool).json()["items"]
    assert (absence["kind"], absence["recorded_by"]) == ("leave", "planner.tp")
    planner_may_not = api.post("planner", "/api/v1/trainer-pools",
                               {"name": "X", "discipline": "y", "trainers": 1,
                                "courses": ["Z1"]})  # fmt: skip
    assert planner_may_not.status_code == 403


def test_a_board_chair_sets_the_weekly_limit_within_0_to_100_per_cent(api: Api) -> None:
    group = a_group(api)
    path = f"/api/v1/groups/{group}/capability"
    assert api.post("chair", path, {"away_percent": 101, "reason": "r"}, version=1).status_code \
        == 422  # fmt: skip
    assert api.post("chair_so", path, {"away_percent": 4, "reason": "r"},
                    version=1).status_code == 403  # fmt: skip
    set_ = api.post("chair", path, {"away_percent": 4.5, "reason": "Summer events"}, version=1)
    assert set_.status_code == 200, set_.text
    assert api.get("auditor", f"/api/v1/groups/{group}").json()["capability_percent"] == 4.5
    [row] = api.get("auditor", "/api/v1/group-training-time").json()["items"]
    assert row["capability_percent"] == 4.5
