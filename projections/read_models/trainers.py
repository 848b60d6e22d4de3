"""Trainer pools: each pool's discipline, strength, the courses its trainers deliver and where
they are based, and every absence recorded (leave, sickness, their own training), so that a
planner sees how many trainers a pool has on any day and the optimiser reads the same."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from domain import TrainerPool
from domain.calendar import working_days
from projections.read_model import Doc, Docs, Event, ReadModel, Rows, handles


class TrainerPools(ReadModel):
    name = "trainers"
    title = "Trainer pools and their absences"
    follows = (TrainerPool,)
    renders_prefixes = ("TrainerPool:",)

    def define(self, metadata: sa.MetaData, suffix: str) -> dict[str, sa.Table]:
        pools = sa.Table(
            f"trainer_pools{suffix}",
            metadata,
            sa.Column("id", sa.String(36), primary_key=True),
            sa.Column("name", sa.String(200), nullable=False),
            sa.Column("discipline", sa.String(80), nullable=False),
            sa.Column("trainers", sa.Integer, nullable=False),
            sa.Column("courses", sa.JSON, nullable=False),
            sa.Column("base", sa.String(200), nullable=False),
            sa.Column("owning_group_id", sa.String(36)),
            sa.Column("absences", sa.Integer, nullable=False),
            sa.Column("trainer_days_away", sa.Integer, nullable=False),
            sa.Column("version", sa.Integer, nullable=False),
            sa.Column("doc_key", sa.String(120), nullable=False),
            sa.Index(f"ix_trainer_pools{suffix}_doc", "doc_key"),
        )
        absences = sa.Table(
            f"trainer_absences{suffix}",
            metadata,
            sa.Column("pool_id", sa.String(36), primary_key=True),
            sa.Column("absence_id", sa.Integer, primary_key=True),
            sa.Column("pool_name", sa.String(200), nullable=False),
            sa.Column("starts_on", sa.String(10), nullable=False),
            sa.Column("ends_on", sa.String(10), nullable=False),
            sa.Column("trainers", sa.Integer, nullable=False),
            sa.Column("kind", sa.String(20), nullable=False),
            sa.Column("reason", sa.Text),
            sa.Column("recorded_by", sa.String(200)),
            sa.Column("doc_key", sa.String(120), nullable=False),
            sa.Index(f"ix_trainer_absences{suffix}_doc", "doc_key"),
        )
        return {"trainer_pools": pools, "trainer_absences": absences}

    @handles(TrainerPool, "Registered")
    def registered(self, docs: Docs, e: Event) -> None:
        s = e["state"]
        owner = s.get("owning_group_id")
        docs.put(
            f"TrainerPool:{e['originator_id']}",
            {"id": e["originator_id"], "name": s["name"], "discipline": s["discipline"],
             "trainers": s["trainers"], "courses": list(s["courses"]), "base": s.get("base") or "",
             "owning_group_id": str(owner) if owner else None, "absences": [],
             "version": e["version"]},
        )  # fmt: skip

    def _doc(self, docs: Docs, e: Event) -> Doc:
        doc = docs.touch(f"TrainerPool:{e['originator_id']}")
        doc["version"] = e["version"]
        return doc

    @handles(TrainerPool, "StrengthChanged")
    def strength_changed(self, docs: Docs, e: Event) -> None:
        self._doc(docs, e)["trainers"] = e["state"]["trainers"]

    @handles(TrainerPool, "CoursesChanged")
    def courses_changed(self, docs: Docs, e: Event) -> None:
        self._doc(docs, e)["courses"] = list(e["state"]["courses"])

    @handles(TrainerPool, "AbsenceRecorded")
    def absence_recorded(self, docs: Docs, e: Event) -> None:
        s = e["state"]
        self._doc(docs, e)["absences"].append(
            {**s["absence"], "reason": s.get("reason"), "recorded_by": s.get("actor")}
        )

    def render(self, key: str, doc: Doc, docs: Docs) -> Rows:
        absences: list[dict[str, Any]] = doc["absences"]
        away = sum(
            a["trainers"] * len(working_days(a["starts_on"], a["ends_on"])) for a in absences
        )
        pool = {k: doc[k] for k in ("id", "name", "discipline", "trainers", "courses", "base",
                                    "owning_group_id", "version")}  # fmt: skip
        pool.update(absences=len(absences), trainer_days_away=away)
        rows = [
            {"pool_id": doc["id"], "pool_name": doc["name"], **a}
            for a in sorted(absences, key=lambda a: a["absence_id"])
        ]
        return {"trainer_pools": [pool], "trainer_absences": rows}
