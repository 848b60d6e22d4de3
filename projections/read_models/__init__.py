"""The read models, one module per screen or question, and the list of them all."""

from projections.read_model import ReadModel
from projections.read_models.audit import AuditTrail
from projections.read_models.centres import CentreProposals
from projections.read_models.cycles import PlanningCycles
from projections.read_models.facilities import FacilityCalendar
from projections.read_models.groups import GroupTrainingTime
from projections.read_models.needs import NeedsRegister
from projections.read_models.trainers import TrainerPools

READ_MODELS: tuple[type[ReadModel], ...] = (
    NeedsRegister,
    FacilityCalendar,
    GroupTrainingTime,
    CentreProposals,
    PlanningCycles,
    TrainerPools,
    AuditTrail,
)
READ_MODEL_NAMES = tuple(cls.name for cls in READ_MODELS)

__all__ = [
    "READ_MODELS",
    "READ_MODEL_NAMES",
    "AuditTrail",
    "CentreProposals",
    "FacilityCalendar",
    "GroupTrainingTime",
    "NeedsRegister",
    "PlanningCycles",
    "TrainerPools",
]
