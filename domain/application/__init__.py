"""The application: every command the boards, planners and the TMB give. Methods take ids and
primitives, load the aggregates, act, save, and return ids or plain values.

Every command that changes an existing aggregate takes `expected_version`, the version the
caller read. If the stored aggregate has moved on, the command raises VersionConflict and saves
nothing; two writers racing from the same version meet the store's unique (id, version) rule,
and the loser gets VersionConflict too. No update is ever lost.

Planners and board chairs act for their own business group only. The commands whose group
comes from the aggregate they change (or name) take `acting_for`: the groups the caller may act
for, or None for a caller who may act for any (the TMB, LSPU, the system). The group is checked
on the aggregate the command loads anyway, before its version, and a caller outside it gets
OutsideScope.

The commands live in three modules, by what they act on: `boards` (business groups, training
needs), `venues` (facilities, delivery centres), `plans` (planning cycles, runs, prospectus);
`base` holds the loading, saving and checks they share."""

from domain.application.base import (
    KIND_NAMES,
    Day,
    OutsideScope,
    PlannerBase,
    check_scope,
    check_version,
)
from domain.application.boards import BoardCommands
from domain.application.plans import PlanCommands
from domain.application.trainers import TrainerCommands
from domain.application.venues import VenueCommands


class TrainingPlanner(BoardCommands, VenueCommands, PlanCommands, TrainerCommands):
    """The trainplan application on one event store (`TrainingPlanner.open(url)`)."""

    name = "TrainingPlanner"


__all__ = [
    "KIND_NAMES",
    "Day",
    "OutsideScope",
    "PlannerBase",
    "TrainingPlanner",
    "check_scope",
    "check_version",
]
