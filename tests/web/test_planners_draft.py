"""Planners run the optimiser for the cycle and draft the prospectus from a run; only the
Training Management Board publishes it."""

from __future__ import annotations

import time

from tests.web.conftest import Api
from tests.web.journeys import a_cycle, a_facility, a_group, an_endorsed_need


def test_a_planner_runs_an_optimisation_and_drafts_but_only_the_tmb_publishes(api: Api) -> None:
    group = a_group(api)
    a_facility(api, owning_group_id=group)
    an_endorsed_need(api, group)
    cycle = a_cycle(api)

    started = api.post("planner", f"/api/v1/cycles/{cycle}/runs", {"time_limit": 2})
    assert started.status_code == 202, started.text
    deadline = time.monotonic() + 60
    while (status := api.get("planner", started.headers["Location"]).json())["state"] == "running":
        assert time.monotonic() < deadline, "the run did not finish"
        time.sleep(0.2)
    assert status["state"] == "finished", status
    run_id = status["run_id"]

    version = api.version(f"/api/v1/cycles/{cycle}")
    drafted = api.post("planner", f"/api/v1/cycles/{cycle}/prospectus/draft",
                       {"run_id": run_id}, version=version)  # fmt: skip
    assert drafted.status_code == 200, drafted.text
    draft = api.get("planner", f"/api/v1/cycles/{cycle}/prospectus", edition="draft").json()
    assert draft["total"] >= 1

    version = api.version(f"/api/v1/cycles/{cycle}")
    refused = api.post("planner", f"/api/v1/cycles/{cycle}/prospectus/publish",
                       {"reason": "Planner's own plan"}, version=version)  # fmt: skip
    assert refused.status_code == 403, refused.text
    assert "only tmb" in refused.json()["detail"]
    published = api.post("tmb", f"/api/v1/cycles/{cycle}/prospectus/publish",
                         {"reason": "Plan agreed by the TMB"}, version=version)  # fmt: skip
    assert published.status_code == 200, published.text
