import pytest

from domain import Facility, InvalidValue, TransitionRefused


def facility(**overrides) -> Facility:
    fields = {
        "name": "Gym 1",
        "site": "Hendon",
        "owning_group_id": None,
        "capacity": 16,
        "rooms": 1,
        "features": ["Gym", "mats"],
        "cost_per_day": 350.0,
        "actor": "lspu",
        **overrides,
    }
    return Facility.register(**fields)


def booking(starts_on: str, ends_on: str, purpose: str = "Recruit fitness", **extra) -> dict:
    return {
        "starts_on": starts_on,
        "ends_on": ends_on,
        "kind": "booking",
        "purpose": purpose,
        **extra,
    }


def test_a_schedule_of_usage_is_recorded_with_its_bookings_and_closures():
    gym = facility()
    gym.submit_schedule(
        period_start="2003-04-01",
        period_end="2003-06-30",
        actor="planner",
        entries=[
            booking("2003-04-07", "2003-04-09"),
            {
                "starts_on": "2003-05-05",
                "ends_on": "2003-05-05",
                "kind": "closure",
                "purpose": "Bank holiday",
            },
        ],
    )
    assert [(e["starts_on"], e["kind"]) for e in gym.usage] == [
        ("2003-04-07", "booking"),
        ("2003-05-05", "closure"),
    ]
    assert gym.features == ["gym", "mats"]


def test_a_later_submission_for_the_same_period_replaces_the_earlier_one():
    gym = facility()
    gym.submit_schedule(
        period_start="2003-04-01",
        period_end="2003-04-30",
        actor="p",
        entries=[booking("2003-04-07", "2003-04-09")],
    )
    gym.submit_schedule(
        period_start="2003-04-01",
        period_end="2003-04-30",
        actor="p",
        entries=[booking("2003-04-14", "2003-04-14", "Firearms briefing")],
    )
    assert [e["purpose"] for e in gym.usage] == ["Firearms briefing"]


def test_a_submission_that_would_cut_an_earlier_entry_in_two_is_refused():
    gym = facility()
    gym.submit_schedule(
        period_start="2003-04-01",
        period_end="2003-04-30",
        actor="p",
        entries=[booking("2003-04-07", "2003-04-20")],
    )
    with pytest.raises(InvalidValue, match="must cover the whole of the earlier entry"):
        gym.submit_schedule(
            period_start="2003-04-10", period_end="2003-04-30", actor="p", entries=[]
        )


def test_a_booking_that_ends_before_it_starts_is_refused():
    with pytest.raises(InvalidValue, match=r"entries\[0\].ends_on: must not be before"):
        facility().submit_schedule(
            period_start="2003-04-01",
            period_end="2003-04-30",
            actor="p",
            entries=[booking("2003-04-09", "2003-04-07")],
        )


def test_bookings_that_overlap_each_other_in_a_one_room_facility_are_refused():
    with pytest.raises(InvalidValue, match=r"entries\[1\]: overlaps other usage on 2003-04-08"):
        facility().submit_schedule(
            period_start="2003-04-01",
            period_end="2003-04-30",
            actor="p",
            entries=[
                booking("2003-04-07", "2003-04-09"),
                booking("2003-04-08", "2003-04-08", "Other"),
            ],
        )


def test_two_bookings_on_one_day_fit_a_two_room_facility():
    rooms = facility(rooms=2)
    rooms.submit_schedule(
        period_start="2003-04-01",
        period_end="2003-04-30",
        actor="p",
        entries=[booking("2003-04-07", "2003-04-09"), booking("2003-04-08", "2003-04-08", "Other")],
    )
    assert len(rooms.usage) == 2


def test_a_booking_outside_the_facility_life_is_refused():
    gym = facility(opened_on="2003-06-01")
    with pytest.raises(InvalidValue, match="before the facility opened on 2003-06-01"):
        gym.submit_schedule(
            period_start="2003-04-01",
            period_end="2003-04-30",
            actor="p",
            entries=[booking("2003-04-07", "2003-04-09")],
        )


def test_a_booking_outside_its_submitted_period_is_refused():
    with pytest.raises(InvalidValue, match="must lie within the period"):
        facility().submit_schedule(
            period_start="2003-04-01",
            period_end="2003-04-30",
            actor="p",
            entries=[booking("2003-05-07", "2003-05-09")],
        )


def test_negative_capacity_is_refused():
    with pytest.raises(InvalidValue, match="capacity: must be at least 1"):
        facility(capacity=-4)


def test_a_decommissioned_facility_takes_no_more_schedules():
    gym = facility()
    gym.decommission(on="2003-09-01", reason="Lease ends", actor="lspu")
    with pytest.raises(TransitionRefused, match="it was decommissioned on 2003-09-01"):
        gym.submit_schedule(
            period_start="2003-04-01", period_end="2003-04-30", actor="p", entries=[]
        )


def test_a_facility_with_bookings_after_the_date_cannot_be_decommissioned():
    gym = facility()
    gym.submit_schedule(
        period_start="2003-04-01",
        period_end="2003-12-31",
        actor="p",
        entries=[booking("2003-10-07", "2003-10-09")],
    )
    with pytest.raises(TransitionRefused, match="is booked until 2003-10-09"):
        gym.decommission(on="2003-09-01", reason="Lease ends", actor="lspu")


def test_confirming_a_session_on_a_booked_day_is_refused():
    gym = facility()
    gym.submit_schedule(
        period_start="2003-04-01",
        period_end="2003-04-30",
        actor="p",
        entries=[booking("2003-04-07", "2003-04-09")],
    )
    with pytest.raises(InvalidValue, match=r"sessions\[0\]: overlaps other usage on 2003-04-09"):
        gym.confirm_sessions(
            cycle_id=gym.id,
            actor="tmb",
            sessions=[
                {
                    "session_id": "s1",
                    "course_code": "GP05",
                    "starts_on": "2003-04-09",
                    "ends_on": "2003-04-10",
                }
            ],
        )


def test_a_schedule_cannot_take_a_room_a_confirmed_session_holds():
    gym = facility()
    gym.confirm_sessions(
        cycle_id=gym.id,
        actor="tmb",
        sessions=[
            {
                "session_id": "s1",
                "course_code": "GP05",
                "starts_on": "2003-04-09",
                "ends_on": "2003-04-10",
            }
        ],
    )
    with pytest.raises(InvalidValue, match="overlaps other usage on 2003-04-10"):
        gym.submit_schedule(
            period_start="2003-04-01",
            period_end="2003-04-30",
            actor="p",
            entries=[booking("2003-04-10", "2003-04-11")],
        )
