"""The solver's last guard: a plan read back from the search that breaks a rule (here a centre
the what-if keeps shut, opened) is never offered; the start plan, which keeps every rule, is,
and the run says what was rejected."""

from __future__ import annotations

from typing import Any

import pytest

from planning import solver
from planning.validator import validate
from tests.planning.builders import centre, need, problem


def test_a_search_plan_that_opens_a_centre_kept_shut_is_rejected_for_the_start_plan(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    shut = problem(needs=[need(learners=30)], centres=[centre(forced=False)])
    read_back = solver._plan

    def opens_the_shut_centre(v: Any, value: Any) -> Any:
        sessions, opened = read_back(v, value)
        return sessions, sorted({*opened, "c1"})

    monkeypatch.setattr(solver, "_plan", opens_the_shut_centre)
    monkeypatch.setattr(solver, "_better", lambda new, old, sense: True)  # taken as found
    monkeypatch.setattr(solver, "_no_worse", lambda new, old, upto: True)
    result = solver.solve(shut, time_limit=5.0, workers=1, seed=1, diagnose=False)
    assert "c1" not in result.centres_opened
    assert validate(shut, result).ok
    assert any("forced shut but opened" in e for e in result.settings["rejected"])
    assert {s.status for s in result.stages} <= {"NO_BETTER", "TRIVIAL", "NOT_RUN"}


def test_a_search_plan_that_keeps_every_rule_is_offered_as_found() -> None:
    shut = problem(needs=[need(learners=30)], centres=[centre(forced=False)])
    result = solver.solve(shut, time_limit=5.0, workers=1, seed=1, diagnose=False)
    assert "rejected" not in result.settings
    assert validate(shut, result).ok
