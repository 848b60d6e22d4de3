"""The demo tells the 2002/03 story on its own timeline: replayed as effective on 1 January 2003
it shows the needs identified that autumn and no prospectus; as effective on 1 July 2003, the
prospectus published on 30 June 2003. Today's recording time stays on every event."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from tests.e2e.test_demo_command import trainplan


def replayed(database_url: str, cwd: Path, *args: str) -> dict[str, Any]:
    done = trainplan("audit", "replay", *args, "--json", database_url=database_url, cwd=cwd)
    assert done.returncode == 0, done.stderr
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def statuses(result: dict[str, Any], view: str) -> set[str]:
    return {row["status"] for row in result["views"][view]["rows"]}


def test_the_demo_replayed_as_effective_on_two_dates_shows_the_needs_then_the_prospectus(
    database_url: str, tmp_path: Path
) -> None:
    demo = trainplan("demo", "--time-limit", "5", database_url=database_url, cwd=tmp_path)
    assert demo.returncode == 0, demo.stderr

    new_year = replayed(database_url, tmp_path, "--as-of", "2003-01-01")
    assert 0 < new_year["events_applied"] < new_year["events_total"]
    assert new_year["read_models"]["needs"] == 22  # identified in autumn 2002
    assert statuses(new_year, "needs") <= {"identified", "analysed"}
    assert new_year["tables"]["planning_cycles"] == 0  # the cycle opens in January 2003
    assert new_year["tables"]["prospectus"] == 0
    assert new_year["tables"]["facility_calendar"] == 0  # schedules come by 31 March 2003

    spring = replayed(database_url, tmp_path, "--as-of", "2003-04-01", "--view", "centres")
    assert spring["tables"]["facility_calendar"] > 0  # every schedule of usage submitted
    assert spring["tables"]["prospectus"] == 0
    assert statuses(spring, "centres") == {"proposed"}  # costed in May and June

    summer = replayed(database_url, tmp_path, "--as-of", "2003-07-01")
    assert summer["events_applied"] == summer["events_total"]
    assert statuses(summer, "cycles") == {"published"}
    assert summer["views"]["prospectus"]["total"] > 100
    assert statuses(summer, "centres") == {"approved", "costed"}  # Orpington costed, approved

    trail = trainplan("audit", "trail", "--back-dated", "30", "--limit", "1000", "--json",
                      database_url=database_url, cwd=tmp_path)  # fmt: skip
    assert trail.returncode == 0, trail.stderr
    entries = json.loads(trail.stdout)
    assert entries["total"] == summer["events_total"]  # every entry is back-dated
    (published,) = [e for e in entries["items"] if e["event_type"] == "ProspectusPublished"]
    assert published["effective_on"] == "2003-06-30"
    today = datetime.now(UTC).date().isoformat()
    assert {e["at"][:10] for e in entries["items"]} == {today}
