"""The names the API accepts for the domain's enumerations and for the read models, as Literal
types built from the enumerations themselves: the OpenAPI document lists every allowed value,
and a value the domain does not know is a 422 at the edge, naming the field.

A Literal built at run time is beyond a static type checker, so mypy sees each name as the
`str` it is; at run time (what FastAPI and pydantic see) each is the Literal."""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from domain import CycleStatus, NeedStatus, ProposalStatus
from domain.values import DeliveryMode, PriorityLevel, Risk, Trigger
from projections import QUERIES

if TYPE_CHECKING:
    TriggerName = str
    ModeName = str
    LevelName = str
    RiskName = str
    NeedStatusName = str
    CentreStatusName = str
    CycleStatusName = str
    ReadModelName = str
else:
    TriggerName = Literal[tuple(t.value for t in Trigger)]
    ModeName = Literal[tuple(m.value for m in DeliveryMode)]
    LevelName = Literal[tuple(p.value for p in PriorityLevel)]
    RiskName = Literal[tuple(r.value for r in Risk)]
    NeedStatusName = Literal[tuple(s.value for s in NeedStatus)]
    CentreStatusName = Literal[tuple(s.value for s in ProposalStatus)]
    CycleStatusName = Literal[tuple(s.value for s in CycleStatus)]
    ReadModelName = Literal[tuple(QUERIES)]
