"""A schedule of usage imported from a spreadsheet (api.files.schedule) into the real stores:
CSV in its common shapes and XLSX, every problem named at once, clashes that name what they
clash with, a dry run that stores nothing, and a header with no rows refused unless meant."""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import date, datetime
from typing import Any
from uuid import UUID

import pytest
from openpyxl import Workbook

from api.files.prospectus import confirmed_session_words
from api.files.schedule import ScheduleRefused, import_schedule
from api.settings import Settings
from api.stack import Stack, open_stack
from domain import Facility, OutsideScope, TrainingPlanner
from tests.factories import a_cycle, a_facility, a_group, a_session, an_endorsed_need

PERIOD = {"period_start": "2003-04-01", "period_end": "2003-06-30"}


@pytest.fixture
def stack(database_url: str) -> Iterator[Stack]:
    with open_stack(Settings(database_url=database_url), planning=False) as opened:
        yield opened


def run(planner: TrainingPlanner, facility_id: UUID, data: bytes, **options: Any) -> Any:
    return import_schedule(planner, facility_id, data, actor="tp.planner", **{**PERIOD, **options})


def usage(planner: TrainingPlanner, facility_id: UUID) -> list[tuple[str, str, str, int]]:
    facility = planner.load(Facility, facility_id)
    return [(e["starts_on"], e["kind"], e["purpose"], e["rooms"]) for e in facility.usage]


def xlsx(rows: list[list[Any]]) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_a_semicolon_separated_windows_1252_sheet_with_title_case_kinds_is_imported(
    planner: TrainingPlanner,
) -> None:
    gym = a_facility(planner, rooms=2)
    data = (
        "Starts on;Ends on;Kind;Purpose;Rooms\r\n"
        "07/04/2003;07/04/2003;Booking;Réunion de briefing (£0);2\r\n"
        "18/04/2003;18/04/2003;CLOSURE;Good Friday;\r\n"
    ).encode("cp1252")
    done = run(planner, gym, data)
    assert done.stored and done.rows == 2
    assert usage(planner, gym) == [
        ("2003-04-07", "booking", "Réunion de briefing (£0)", 2),
        ("2003-04-18", "closure", "Good Friday", 2),
    ]


@pytest.mark.parametrize("delimiter", [",", "\t", "|"])
def test_a_utf8_sheet_with_a_byte_order_mark_is_read_whatever_its_delimiter(
    planner: TrainingPlanner, delimiter: str
) -> None:
    gym = a_facility(planner)
    lines = [["starts_on", "ends_on", "purpose"], ["2003-04-07", "2003-04-08", "Tasking, briefing"]]
    text = "\n".join(delimiter.join(f'"{c}"' if "," in c else c for c in r) for r in lines)
    run(planner, gym, text.encode("utf-8-sig"))
    assert usage(planner, gym) == [("2003-04-07", "booking", "Tasking, briefing", 1)]


def test_an_xlsx_sheet_with_real_dates_and_blank_rows_is_imported(planner: TrainingPlanner) -> None:
    gym = a_facility(planner, rooms=3)
    data = xlsx(
        [
            ["Start", "End", "Type", "Description", "Rooms"],
            [datetime(2003, 5, 6), date(2003, 5, 7), "Booking", "Public order refresher", 3.0],
            [None, None, None, None, None],
            ["2003-05-26", "2003-05-26", "closure", "Bank holiday", None],
        ]
    )
    run(planner, gym, data, filename="gym.xlsx")
    assert usage(planner, gym) == [
        ("2003-05-06", "booking", "Public order refresher", 3),
        ("2003-05-26", "closure", "Bank holiday", 3),
    ]


def test_every_bad_row_is_named_at_once_with_its_row_column_value_and_rule(
    planner: TrainingPlanner,
) -> None:
    gym = a_facility(planner)
    data = (
        b"starts_on,ends_on,kind,purpose,rooms\n"
        b"2003-04-07,2003-04-07,booking,Fine,1\n"
        b"2003-13-01,2003-04-07,booking,Bad date,1\n"
        b"\n"
        b"2003-04-09,2003-04-08,meeting,,two\n"
        b"2003-08-01,2003-08-01,booking,Outside,1\n"
    )
    with pytest.raises(ScheduleRefused) as refused:
        run(planner, gym, data)
    found = [(e.row, e.column, e.value) for e in refused.value.errors]
    assert found == [
        (3, "starts_on", "2003-13-01"),
        (5, "ends_on", "2003-04-08"),
        (5, "kind", "meeting"),
        (5, "purpose", ""),
        (5, "rooms", "two"),
    ]
    rules = {(e.row, e.column): e.rule for e in refused.value.errors}
    assert rules[(5, "ends_on")] == "must not be before starts_on (2003-04-09)"
    assert "booking or closure" in rules[(5, "kind")]
    assert str(refused.value.errors[0]) == (
        "row 3, starts_on '2003-13-01': must be a date: YYYY-MM-DD or DD/MM/YYYY"
    )
    assert usage(planner, gym) == []


def test_rows_outside_the_period_and_with_too_many_rooms_are_named_after_the_rows_are_valid(
    planner: TrainingPlanner,
) -> None:
    gym = a_facility(planner, rooms=2)
    data = b"starts_on,ends_on,purpose,rooms\n2003-08-01,2003-08-01,Late,1\n2003-04-07,2003-04-07,Big,3\n"
    with pytest.raises(ScheduleRefused) as refused:
        run(planner, gym, data)
    assert [(e.row, e.column, e.rule) for e in refused.value.errors] == [
        (2, "ends_on", "must lie within the period 2003-04-01 to 2003-06-30"),
        (3, "rooms", "must be at most 2, the rooms Gym 1 has"),
    ]


def test_a_clash_between_rows_names_the_other_row(planner: TrainingPlanner) -> None:
    gym = a_facility(planner)
    data = (
        b"starts_on,ends_on,purpose\n"
        b"2003-04-07,2003-04-09,Firearms refresher\n"
        b"2003-04-09,2003-04-09,Driving assessment\n"
    )
    with pytest.raises(ScheduleRefused) as refused:
        run(planner, gym, data)
    (clash,) = refused.value.errors
    assert clash.row == 3
    assert clash.rule == (
        "clashes on 2003-04-09 with row 2 (booking 'Firearms refresher', 2003-04-07 to "
        "2003-04-09): 2 rooms would be in use and Gym 1 has 1"
    )


def test_a_clash_with_a_confirmed_session_names_its_course_title_and_dates(stack: Stack) -> None:
    planner = stack.planner
    group_id = a_group(planner)
    need_id = an_endorsed_need(planner, group_id)
    gym = a_facility(planner)
    cycle_id = a_cycle(planner)
    planner.record_run(cycle_id, run_id="run-1", inputs_digest="d", settings={},
                       status="OPTIMAL", objective=1.0, bound=1.0, actor="tmb",
                       allocation={"sessions": [a_session("S1", gym, need_id, group_id)]})  # fmt: skip
    planner.draft_prospectus(cycle_id, run_id="run-1", actor="tmb")
    planner.publish_prospectus(cycle_id, reason="TMB approved", actor="tmb")
    stack.catch_up()
    data = b"starts_on,ends_on,purpose\n2003-05-07,2003-05-07,Borough briefing\n"
    with pytest.raises(ScheduleRefused) as refused:
        run(planner, gym, data, session_words=confirmed_session_words(stack.projections))
    assert refused.value.errors[0].rule == (
        "clashes on 2003-05-07 with the confirmed session GP05 Officer safety refresher, "
        "session 1 of 1 (2003-05-06 to 2003-05-07): 2 rooms would be in use and Gym 1 has 1"
    )


def test_a_dry_run_says_what_would_be_added_replaced_and_removed_and_stores_nothing(
    planner: TrainingPlanner,
) -> None:
    gym = a_facility(planner)
    run(planner, gym, b"starts_on,ends_on,purpose\n2003-04-07,2003-04-07,Briefing\n"
        b"2003-04-08,2003-04-08,Tasking\n2003-04-09,2003-04-09,Kept\n")  # fmt: skip
    version = planner.load(Facility, gym).version
    new = (
        b"starts_on,ends_on,purpose\n2003-04-07,2003-04-07,Briefing (moved room)\n"
        b"2003-04-09,2003-04-09,Kept\n2003-04-10,2003-04-10,Added\n"
    )
    preview = run(planner, gym, new, dry_run=True)
    assert not preview.stored
    assert [e["purpose"] for e in preview.change.added] == ["Added"]
    assert [(b["purpose"], a["purpose"]) for b, a in preview.change.replaced] == [
        ("Briefing", "Briefing (moved room)")
    ]
    assert [e["purpose"] for e in preview.change.removed] == ["Tasking"]
    assert preview.change.unchanged == 1
    assert planner.load(Facility, gym).version == version


def test_a_header_with_no_rows_is_refused_unless_the_period_is_meant_to_be_emptied(
    planner: TrainingPlanner,
) -> None:
    gym = a_facility(planner)
    run(planner, gym, b"starts_on,ends_on,purpose\n2003-04-07,2003-04-07,Briefing\n")
    with pytest.raises(ScheduleRefused) as refused:
        run(planner, gym, b"starts_on,ends_on,purpose\n")
    assert "has a header and no rows" in refused.value.errors[0].rule
    assert len(usage(planner, gym)) == 1
    emptied = run(planner, gym, b"starts_on,ends_on,purpose\n", empty_period=True)
    assert [e["purpose"] for e in emptied.change.removed] == ["Briefing"]
    assert usage(planner, gym) == []


@pytest.mark.parametrize(
    ("data", "rule"),
    [
        (b"\xd0\xcf\x11\xe0old", "Excel 97-2003"),
        (b"start,finish,purpose\n2003-04-07,2003-04-07,x\n", "missing: ends_on"),
        (b"starts_on,ends_on,purpose,colour\n2003-04-07,2003-04-07,x,red\n", "unknown column"),
        (b"", "is empty"),
    ],
)
def test_a_file_that_is_no_schedule_is_refused_naming_why(
    planner: TrainingPlanner, data: bytes, rule: str
) -> None:
    gym = a_facility(planner)
    with pytest.raises(ScheduleRefused) as refused:
        run(planner, gym, data)
    assert rule in "; ".join(str(error) for error in refused.value.errors)


def test_a_planner_may_not_preview_another_groups_facility(planner: TrainingPlanner) -> None:
    tp, so = a_group(planner), a_group(planner, code="SO", name="Specialist Operations")
    gym = a_facility(planner, owning_group_id=so)
    with pytest.raises(OutsideScope):
        run(planner, gym, b"starts_on,ends_on,purpose\n2003-04-07,2003-04-07,x\n",
            dry_run=True, acting_for=[tp])  # fmt: skip
