"""Every event the domain records reaches the read models that follow its aggregate, and no
handler names an event that does not exist: renaming an event in `domain` can never silently
stop a read model."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from eventsourcing.domain import Aggregate
from eventsourcing.utils import get_topic

import domain
from domain import Facility
from projections.read_model import AppendOnlyReadModel, Docs, Event, ReadModel, handles
from projections.read_models import READ_MODELS, AuditTrail

DOMAIN = Path(domain.__file__).parent


def recorded_events() -> dict[type[Aggregate], set[str]]:
    """Every event class each aggregate of `domain/` records, read from the source: the
    classes declared inside the aggregate, and the names given to `@event("Name")`."""
    found: dict[type[Aggregate], set[str]] = {}
    for path in sorted(DOMAIN.glob("*.py")):
        module = __import__(f"domain.{path.stem}", fromlist=["*"])
        for node in ast.parse(path.read_text()).body:
            if not isinstance(node, ast.ClassDef):
                continue
            aggregate = getattr(module, node.name)
            if not (issubclass(aggregate, Aggregate) and aggregate.__module__ == module.__name__):
                continue
            names = found.setdefault(aggregate, set())
            for item in node.body:
                if isinstance(item, ast.ClassDef) and item.name == "Event":
                    continue  # a base class's events (domain.dated) record nothing themselves
                if isinstance(item, ast.ClassDef) and _is_event(getattr(aggregate, item.name)):
                    names.add(item.name)
                for decorator in getattr(item, "decorator_list", []):
                    if isinstance(decorator, ast.Call) and ast.unparse(decorator.func) == "event":
                        given = decorator.args[0]  # "Name", or a class declared above
                        names.add(ast.unparse(given).strip("'\""))
    return {aggregate: names for aggregate, names in found.items() if names}


def _is_event(value: object) -> bool:
    return isinstance(value, type) and issubclass(value, Aggregate.Event)


EVENTS = recorded_events()
EVENT_CLASSES = {
    getattr(aggregate, name): f"{aggregate.__name__}.{name}"
    for aggregate, names in EVENTS.items()
    for name in names
}
DOCUMENT_MODELS = [m for m in READ_MODELS if not issubclass(m, AppendOnlyReadModel)]


def test_the_domain_records_the_events_the_read_models_are_checked_against():
    assert {a.__name__ for a in EVENTS} == {
        "BusinessGroup", "TrainingNeed", "Facility", "DeliveryCentreProposal", "PlanningCycle",
        "TrainerPool",
    }  # fmt: skip
    assert EVENTS[Facility] == {  # one declared in the aggregate, the others by @event("Name")
        "Registered", "DetailsChanged", "ScheduleSubmitted", "SessionsConfirmed", "Decommissioned",
        "RunningCostSet",
    }  # fmt: skip
    assert all(_is_event(cls) for cls in EVENT_CLASSES)


@pytest.mark.parametrize("model", DOCUMENT_MODELS, ids=lambda m: m.name)
def test_a_read_model_handles_every_event_of_the_aggregates_it_follows(model: type[ReadModel]):
    assert model.follows, f"{model.__name__} follows no aggregate"
    for aggregate in model.follows:
        missing = sorted(
            name for name in EVENTS[aggregate] if getattr(aggregate, name) not in model.handlers
        )
        assert not missing, f"{model.__name__} has no handler for {aggregate.__name__} {missing}"


def test_every_event_the_domain_records_is_handled_by_a_read_model_that_follows_it():
    followed = {aggregate for model in DOCUMENT_MODELS for aggregate in model.follows}
    assert followed == set(EVENTS), "an aggregate no read model follows"
    unhandled = sorted(
        label
        for cls, label in EVENT_CLASSES.items()
        if not any(cls in model.handlers for model in DOCUMENT_MODELS)
    )
    assert not unhandled


@pytest.mark.parametrize("model", DOCUMENT_MODELS, ids=lambda m: m.name)
def test_every_handler_names_an_event_the_domain_records(model: type[ReadModel]):
    assert model.handlers
    unknown = sorted(cls.__qualname__ for cls in model.handlers if cls not in EVENT_CLASSES)
    assert not unknown, f"{model.__name__} handles events the domain never records: {unknown}"


def test_a_handler_of_an_event_that_does_not_exist_fails_when_its_module_is_imported():
    with pytest.raises(LookupError, match="Facility has no event 'DetailsAltered'"):

        class Stale(ReadModel):  # what a read model's module would declare
            @handles(Facility, "DetailsAltered")
            def details_altered(self, docs: Docs, e: Event) -> None:
                pass


def test_two_handlers_of_one_event_in_one_read_model_are_refused():
    with pytest.raises(TypeError, match=r"Facility\.DetailsChanged is handled by both"):

        class Twice(ReadModel):
            @handles(Facility, "DetailsChanged")
            def first(self, docs: Docs, e: Event) -> None:
                pass

            @handles(Facility, "DetailsChanged")
            def second(self, docs: Docs, e: Event) -> None:
                pass


def test_the_audit_trail_gives_a_row_for_every_event_the_domain_records():
    assert issubclass(AuditTrail, AppendOnlyReadModel)  # it takes every event there is
    trail = AuditTrail()
    for position, (cls, label) in enumerate(EVENT_CLASSES.items(), start=1):
        entity, kind = label.split(".")
        event = {"id": position, "originator_id": "x", "version": 1, "topic": get_topic(cls),
                 "entity": entity, "kind": kind, "state": {"actor": "auditor"}}  # fmt: skip
        (row,) = trail.rows(event)["audit_trail"]
        assert (row["entity_kind"], row["event_type"]) == (entity, kind)
