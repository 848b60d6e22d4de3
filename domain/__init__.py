"""The trainplan domain: aggregates, their events and rules, and the application's commands.

Imports only the standard library and the eventsourcing library."""

from domain.application import OutsideScope, TrainingPlanner
from domain.centres import DeliveryCentreProposal, ProposalStatus
from domain.cycles import CycleStatus, PlanningCycle
from domain.errors import (
    DomainError,
    DuplicateKey,
    InvalidValue,
    NotFound,
    TransitionRefused,
    VersionConflict,
)
from domain.facilities import Facility
from domain.groups import BusinessGroup
from domain.needs import NeedStatus, TrainingNeed
from domain.store import DEFAULT_URL, store_env
from domain.trainers import AbsenceKind, TrainerPool
from domain.values import DeliveryMode, PriorityLevel, Risk, Trigger, UsageKind

__all__ = [
    "DEFAULT_URL",
    "AbsenceKind",
    "BusinessGroup",
    "CycleStatus",
    "DeliveryCentreProposal",
    "DeliveryMode",
    "DomainError",
    "DuplicateKey",
    "Facility",
    "InvalidValue",
    "NeedStatus",
    "NotFound",
    "OutsideScope",
    "PlanningCycle",
    "PriorityLevel",
    "ProposalStatus",
    "Risk",
    "TrainerPool",
    "TrainingNeed",
    "TrainingPlanner",
    "TransitionRefused",
    "Trigger",
    "UsageKind",
    "VersionConflict",
    "store_env",
]
