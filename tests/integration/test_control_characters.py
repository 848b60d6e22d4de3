"""Text is checked once, in the domain's value types: a control character other than tab and
newline (NUL, BEL, ESC, DEL, the C1 range) is refused in every text a command takes, naming the
field and the rule, and nothing is recorded. A spreadsheet row says its row, column and value."""

from __future__ import annotations

import pytest

from api.files.schedule import ScheduleRefused, import_schedule
from domain import Facility, InvalidValue, TrainingNeed, TrainingPlanner
from domain import values as v
from tests.factories import a_cycle, a_facility, a_group, analysis

CONTROLS = ["\x00", "\x07", "\x1b", "\x7f", "\x85", "\x9f", "\r"]


def head(planner: TrainingPlanner) -> int:
    return int(planner.recorder.max_notification_id() or 0)


@pytest.mark.parametrize("control", CONTROLS, ids=lambda c: f"U+{ord(c):04X}")
def test_a_control_character_in_any_text_is_refused_naming_it(control: str) -> None:
    with pytest.raises(InvalidValue) as refused:
        v.text("title", f"x{control}y")
    assert refused.value.field == "title"
    assert refused.value.rule == (
        "must not contain control characters other than tab and newline "
        f"(found U+{ord(control):04X} at character 2)"
    )


def test_tab_newline_and_a_windows_line_end_are_text_and_crlf_becomes_a_newline() -> None:
    assert v.text("notes", "a\tb\nc\r\nd") == "a\tb\nc\nd"
    assert v.optional_text("description", None) == ""


def test_a_nul_in_a_needs_title_is_refused_and_nothing_is_recorded(
    planner: TrainingPlanner,
) -> None:
    group_id = a_group(planner)
    before = head(planner)
    with pytest.raises(InvalidValue) as refused:
        planner.identify_need(
            group_id=group_id, title="x\x00y", trigger="new legislation", actor="tp.planner"
        )
    assert refused.value.field == "title"
    assert "control characters" in refused.value.rule
    assert head(planner) == before


@pytest.mark.parametrize(
    ("field", "value"),
    [("description", "bell\x07"), ("title", "esc\x1b[31m")],
)
def test_every_text_of_a_new_need_is_checked(
    planner: TrainingPlanner, field: str, value: str
) -> None:
    group_id = a_group(planner)
    fields = {"title": "Officer safety", "description": "", field: value}
    with pytest.raises(InvalidValue, match=f"^{field}: must not contain control characters"):
        planner.identify_need(
            group_id=group_id, trigger="new legislation", actor="tp.planner", **fields
        )


@pytest.mark.parametrize(
    "override",
    [
        {"gap_statement": "gap\x00"},
        {"audience": "\x7fall"},
        {"course_code": "GP\x0005"},
        {"mandatory_basis": "HSWA\x1a"},
        {"required_features": ["gym", "ma\x00ts"]},
    ],
    ids=lambda o: next(iter(o)),
)
def test_every_text_of_an_analysis_is_checked_and_the_need_is_left_as_it_was(
    planner: TrainingPlanner, override: dict[str, object]
) -> None:
    group_id = a_group(planner)
    need_id = planner.identify_need(
        group_id=group_id, title="Officer safety", trigger="new legislation", actor="tp.planner"
    )
    field = next(iter(override))
    with pytest.raises(InvalidValue) as refused:
        planner.record_analysis(need_id, actor="lspu.analyst", **analysis(**override))
    assert refused.value.field == field
    assert planner.load(TrainingNeed, need_id).version == 1


def test_a_nul_in_a_schedule_row_names_its_row_column_value_and_rule_and_stores_nothing(
    planner: TrainingPlanner,
) -> None:
    gym = a_facility(planner)
    data = (
        b"starts_on,ends_on,kind,purpose\n"
        b"2003-04-07,2003-04-07,booking,Briefing\n"
        b"2003-04-08,2003-04-08,booking,Brief\x00ing\n"
        b"2003-04-09,2003-04-09,clo\x1bsure,Closed\n"
    )
    with pytest.raises(ScheduleRefused) as refused:
        import_schedule(
            planner,
            gym,
            data,
            actor="tp.planner",
            period_start="2003-04-01",
            period_end="2003-06-30",
        )
    found = [(e.row, e.column, e.value) for e in refused.value.errors]
    assert found == [(3, "purpose", "Brief\x00ing"), (4, "kind", "clo\x1bsure")]
    assert refused.value.errors[0].rule == (
        "must not contain control characters other than tab and newline "
        "(found U+0000 at character 6)"
    )
    assert planner.load(Facility, gym).usage == []


def test_a_control_character_in_a_runs_settings_is_refused_naming_its_path(
    planner: TrainingPlanner,
) -> None:
    cycle_id = a_cycle(planner)
    with pytest.raises(InvalidValue) as refused:
        planner.start_run(
            cycle_id,
            run_id="run-1",
            settings={"time_limit": 5, "what_if": {"close": ["Orpington\x00"]}},
            actor="lspu.analyst",
        )
    assert refused.value.field == "settings.what_if.close[0]"
