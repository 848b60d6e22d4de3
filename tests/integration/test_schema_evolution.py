"""Facility.Registered is at class version 2: version-1 events stored long ago still load."""

import json
from uuid import uuid4

from eventsourcing.persistence import StoredEvent

from domain import Facility, TrainingPlanner


def test_a_facility_registered_by_a_version_1_event_loads_with_one_room(planner: TrainingPlanner):
    facility_id = uuid4()
    version_1_state = {
        "timestamp": {"_type_": "datetime_iso", "_data_": "2003-02-01T09:00:00+00:00"},
        "originator_topic": "domain.facilities:Facility",
        "name": "Classroom 4",
        "site": "Hendon",
        "owning_group_id": None,
        "capacity": 24,
        "features": ["classroom", "projector"],
        "cost_per_day": 210.0,
        "actor": "lspu.facilities",
    }
    planner.recorder.insert_events(
        [
            StoredEvent(
                originator_id=facility_id,
                originator_version=1,
                topic="domain.facilities:Facility.Registered",
                state=json.dumps(version_1_state).encode(),
            )
        ]
    )
    facility = planner.load(Facility, facility_id)
    assert (facility.name, facility.rooms, facility.opened_on) == ("Classroom 4", 1, None)
    planner.change_facility(
        facility_id, rooms=2, reason="Partition removed", actor="lspu", expected_version=1
    )
    assert planner.load(Facility, facility_id).rooms == 2


def test_a_new_facility_registration_is_stored_as_version_2(planner: TrainingPlanner):
    facility_id = planner.register_facility(
        name="Range 1",
        site="Gravesend",
        owning_group_id=None,
        capacity=12,
        rooms=2,
        features=["range"],
        cost_per_day=900,
        actor="lspu",
    )
    stored = planner.recorder.select_events(facility_id)[0]
    assert json.loads(stored.state)["class_version"] == 2
