"""A run the cycle cannot have is refused before anything is solved or recorded: a what-if
naming a centre the cycle does not have, an unknown what-if key, a budget no plan could keep,
and a cycle with no endorsed needs each answer 422 naming the field, and no run is recorded."""

from __future__ import annotations

import pytest

from tests.web.conftest import Api
from tests.web.journeys import a_cycle, a_group, an_endorsed_need


@pytest.mark.parametrize(
    ("what_if", "says"),
    [
        ({"centres": {"Nowhere": False}}, "'Nowhere' must name exactly one candidate centre"),
        ({"colour": "red"}, "colour: not a what-if key"),
        ({"budget": -5}, "budget: must be whole pounds >= 0"),
        ({"allowances": {"XX": 10}}, "'XX' must name one business group"),
    ],
)
def test_a_run_with_a_what_if_the_cycle_cannot_have_is_refused_and_nothing_is_recorded(
    api: Api, what_if: dict, says: str
) -> None:
    an_endorsed_need(api, a_group(api))
    cycle = a_cycle(api)
    answer = api.post("tmb", f"/api/v1/cycles/{cycle}/runs", {"time_limit": 3, "what_if": what_if})
    assert answer.status_code == 422, answer.text
    assert says in answer.json()["detail"]
    assert "what_if" in answer.json()["detail"]
    audit = api.get("auditor", "/api/v1/audit/events", limit=500).json()["items"]
    assert "Endorsed" in {e["event_type"] for e in audit}  # the trail is read: the check can fail
    assert "OptimisationRunStarted" not in {e["event_type"] for e in audit}


def test_a_run_of_a_cycle_with_no_endorsed_needs_is_refused_naming_the_cycle(api: Api) -> None:
    cycle = a_cycle(api)
    answer = api.post("tmb", f"/api/v1/cycles/{cycle}/runs", {"time_limit": 3})
    assert answer.status_code == 422, answer.text
    assert "has no endorsed needs to plan" in answer.json()["detail"]
