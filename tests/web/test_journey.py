"""The whole journey over HTTP, as the issue's "done when" tells it: a planner registers a
facility's schedule as CSV and sees it in the calendar; the TMB runs an optimisation with
progress and publishes; an auditor sees who did each of these and the state before them."""

from __future__ import annotations

import time

from tests.web.conftest import Api, auth
from tests.web.journeys import a_cycle, a_facility, a_group, an_endorsed_need

CSV = b"""starts_on,ends_on,kind,purpose,rooms
2003-04-18,2003-04-18,closure,Good Friday,
2003-04-22,2003-04-23,booking,Borough briefing and tasking,1
"""


def test_a_schedule_uploaded_as_csv_an_optimised_and_published_prospectus_and_its_audit(
    api: Api,
) -> None:
    group = a_group(api)
    facility = a_facility(api, owning_group_id=group)
    uploaded = api.client.post(
        f"/api/v1/facilities/{facility}/schedule/csv",
        headers=auth("planner", **{"If-Match": '"1"'}),
        data={"period_start": "2003-04-01", "period_end": "2003-04-30"},
        files={"file": ("lambeth.csv", CSV, "text/csv")},
    )
    assert uploaded.status_code == 200, uploaded.text
    calendar = api.get("planner", "/api/v1/facility-calendar", facility_id=facility).json()
    assert [(e["starts_on"], e["kind"]) for e in calendar["items"]] == [
        ("2003-04-18", "closure"),
        ("2003-04-22", "booking"),
    ]

    an_endorsed_need(api, group)
    cycle = a_cycle(api)
    started = api.post("tmb", f"/api/v1/cycles/{cycle}/runs", {"time_limit": 3})
    assert started.status_code == 202, started.text
    location = started.headers["Location"]
    seen = []
    deadline = time.monotonic() + 60
    while True:
        status = api.get("tmb", location).json()
        seen.append(status["state"])
        if status["state"] != "running":
            break
        assert time.monotonic() < deadline, "the run did not finish"
        time.sleep(0.2)
    assert status["state"] == "finished", status
    assert {"objective", "bound", "gap", "elapsed"} <= set(status)
    draft = api.get("tmb", f"/api/v1/cycles/{cycle}/prospectus", edition="draft").json()
    assert draft["total"] >= 2  # 28 learners in classes of at most 14
    before_publication = api.get("auditor", "/api/v1/audit/events", limit=1).json()["total"]

    version = api.version(f"/api/v1/cycles/{cycle}")
    published = api.post("tmb", f"/api/v1/cycles/{cycle}/prospectus/publish",
                         {"reason": "Plan agreed by the TMB"}, version=version)  # fmt: skip
    assert published.status_code == 200, published.text
    calendar = api.get("planner", "/api/v1/facility-calendar", facility_id=facility).json()
    assert {e["status"] for e in calendar["items"] if e["kind"] == "session"} == {"confirmed"}

    trail = api.get("auditor", f"/api/v1/audit/trail/{facility}").json()["items"]
    assert [(e["event_type"], e["actor"]) for e in trail] == [
        ("Registered", "lspu.analyst"),
        ("ScheduleSubmitted", "planner.tp"),
        ("SessionsConfirmed", "tmb.chair"),
    ]
    cycle_trail = api.get("auditor", f"/api/v1/audit/trail/{cycle}").json()["items"]
    assert [e["event_type"] for e in cycle_trail][-1] == "ProspectusPublished"
    assert cycle_trail[-1]["reason"] == "Plan agreed by the TMB"
    then = api.get("auditor", "/api/v1/audit/as-of", upto=before_publication,
                   views=["cycles"]).json()  # fmt: skip
    [cycle_then] = then["cycles"]["items"]
    assert (cycle_then["status"], cycle_then["edition"]) == ("open", 0)
