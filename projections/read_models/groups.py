"""Training time per business group: headcount, the board's allowance per head, and the
learner-hours its needs demand, the TMB endorsed, the prospectus scheduled and were delivered,
in total and per head."""

from __future__ import annotations

import sqlalchemy as sa

from domain import BusinessGroup, TrainingNeed
from domain.groups import DEFAULT_AWAY_PERCENT
from projections.read_model import Doc, Docs, Event, ReadModel, Rows, handles, topic_of

HOURS_PER_LEARNER_DAY = 8.0  # as the optimiser counts a learner-day against the allowance
DEMANDED = {"analysed", "prioritised", "endorsed", "scheduled", "delivered", "evaluated"}
ENDORSED = {"endorsed", "scheduled", "delivered", "evaluated"}
SCHEDULED = {"scheduled", "delivered", "evaluated"}
MEASURES = ("demanded", "endorsed", "scheduled", "delivered")
NEED_IDENTIFIED = topic_of(TrainingNeed, "Identified")


class GroupTrainingTime(ReadModel):
    name = "group_time"
    title = "Training time per head against allowance"
    follows = (BusinessGroup, TrainingNeed)
    renders_prefixes = ("BusinessGroup:",)

    def define(self, metadata: sa.MetaData, suffix: str) -> dict[str, sa.Table]:
        hours = [
            sa.Column(f"hours_{what}{per}", sa.Float, nullable=False)
            for what in MEASURES
            for per in ("", "_per_head")
        ]
        t = sa.Table(
            f"group_training_time{suffix}",
            metadata,
            sa.Column("group_id", sa.String(36), primary_key=True),
            sa.Column("code", sa.String(12), nullable=False),
            sa.Column("name", sa.String(200), nullable=False),
            sa.Column("officers", sa.Integer, nullable=False),
            sa.Column("staff", sa.Integer, nullable=False),
            sa.Column("headcount", sa.Integer, nullable=False),
            sa.Column("board_chair", sa.String(200)),
            sa.Column("allowance_hours_per_head", sa.Float),
            sa.Column("capability_percent", sa.Float, nullable=False),
            sa.Column("needs", sa.Integer, nullable=False),
            *hours,
            sa.Column("endorsed_over_allowance", sa.Boolean, nullable=False),
            sa.Column("version", sa.Integer, nullable=False),
            sa.Column("doc_key", sa.String(120), nullable=False),
            sa.Index(f"ix_group_training_time{suffix}_doc", "doc_key"),
        )
        return {"group_training_time": t}

    def keys(self, event: Event) -> tuple[str, ...]:
        own = f"{event['entity']}:{event['originator_id']}"
        if event["topic"] == NEED_IDENTIFIED:
            return (own, f"BusinessGroup:{event['state']['group_id']}")
        return (own,)

    # --- the group --------------------------------------------------------------------------

    @handles(BusinessGroup, "Registered")
    def group_registered(self, docs: Docs, e: Event) -> None:
        s = e["state"]
        docs.put(
            f"BusinessGroup:{e['originator_id']}",
            {"group_id": e["originator_id"], "code": s["code"], "name": s["name"],
             "officers": s["officers"], "staff": s["staff"], "allowance": None, "chair": None,
             "away_percent": None,
             "needs": 0, "hours": dict.fromkeys(MEASURES, 0.0), "version": e["version"]},
        )  # fmt: skip

    def _group(self, docs: Docs, e: Event) -> Doc:
        doc = docs.touch(f"BusinessGroup:{e['originator_id']}")
        doc["version"] = e["version"]
        return doc

    @handles(BusinessGroup, "HeadcountUpdated")
    def group_headcount_updated(self, docs: Docs, e: Event) -> None:
        doc = self._group(docs, e)
        doc["officers"], doc["staff"] = e["state"]["officers"], e["state"]["staff"]

    @handles(BusinessGroup, "AllowanceSet")
    def group_allowance_set(self, docs: Docs, e: Event) -> None:
        self._group(docs, e)["allowance"] = e["state"]["hours_per_head"]

    @handles(BusinessGroup, "CapabilityLimitSet")
    def group_capability_limit_set(self, docs: Docs, e: Event) -> None:
        self._group(docs, e)["away_percent"] = e["state"]["away_percent"]

    @handles(BusinessGroup, "BoardChairAssigned")
    def group_board_chair_assigned(self, docs: Docs, e: Event) -> None:
        self._group(docs, e)["chair"] = e["state"]["chair"]

    # --- its needs: each keeps its own small document; the group keeps running totals -------

    @handles(TrainingNeed, "Identified")
    def need_identified(self, docs: Docs, e: Event) -> None:
        group_key = f"BusinessGroup:{e['state']['group_id']}"
        docs.put(
            f"TrainingNeed:{e['originator_id']}",
            {"group": group_key, "status": "identified", "learners": 0, "days": 0.0,
             "scheduled": 0, "attended": 0},
        )  # fmt: skip
        docs.touch(group_key)["needs"] += 1

    def _need(self, docs: Docs, e: Event, **changes: object) -> None:
        need = docs.touch(f"TrainingNeed:{e['originator_id']}")
        before = contribution(need)
        need.update(changes)
        after = contribution(need)
        hours = docs.touch(need["group"])["hours"]
        for measure in MEASURES:
            hours[measure] += after[measure] - before[measure]

    @handles(TrainingNeed, "AnalysisRecorded")
    def need_analysis_recorded(self, docs: Docs, e: Event) -> None:
        analysis = e["state"]["analysis"]
        self._need(docs, e, status="analysed", learners=analysis["learners"],
                   days=analysis["days_per_learner"])  # fmt: skip

    @handles(TrainingNeed, "Prioritised")
    def need_prioritised(self, docs: Docs, e: Event) -> None:
        self._need(docs, e, status="prioritised")

    @handles(TrainingNeed, "Endorsed")
    def need_endorsed(self, docs: Docs, e: Event) -> None:
        self._need(docs, e, status="endorsed")

    @handles(TrainingNeed, "Rejected")
    def need_rejected(self, docs: Docs, e: Event) -> None:
        self._need(docs, e, status="rejected")

    @handles(TrainingNeed, "Withdrawn")
    def need_withdrawn(self, docs: Docs, e: Event) -> None:
        self._need(docs, e, status="withdrawn")

    @handles(TrainingNeed, "Scheduled")
    def need_scheduled(self, docs: Docs, e: Event) -> None:
        self._need(docs, e, status="scheduled", scheduled=e["state"]["learners"])

    @handles(TrainingNeed, "Delivered")
    def need_delivered(self, docs: Docs, e: Event) -> None:
        self._need(docs, e, status="delivered", attended=e["state"]["attendance"])

    @handles(TrainingNeed, "Evaluated")
    def need_evaluated(self, docs: Docs, e: Event) -> None:
        self._need(docs, e, status="evaluated")

    def render(self, key: str, doc: Doc, docs: Docs) -> Rows:
        headcount = doc["officers"] + doc["staff"]
        row = {
            "group_id": doc["group_id"], "code": doc["code"], "name": doc["name"],
            "officers": doc["officers"], "staff": doc["staff"], "headcount": headcount,
            "board_chair": doc["chair"], "allowance_hours_per_head": doc["allowance"],
            "needs": doc["needs"], "version": doc["version"],
            "capability_percent": (
                DEFAULT_AWAY_PERCENT if doc.get("away_percent") is None else doc["away_percent"]
            ),
        }  # fmt: skip
        for measure, hours in doc["hours"].items():
            row[f"hours_{measure}"] = round(hours, 2)
            row[f"hours_{measure}_per_head"] = round(hours / headcount, 3) if headcount else 0.0
        allowance = doc["allowance"]
        row["endorsed_over_allowance"] = bool(
            allowance is not None and row["hours_endorsed_per_head"] > allowance
        )
        return {"group_training_time": [row]}


def contribution(need: Doc) -> dict[str, float]:
    """The learner-hours one need adds to its group's totals, by its status."""
    learner_hours = need["days"] * HOURS_PER_LEARNER_DAY
    status = need["status"]
    return {
        "demanded": need["learners"] * learner_hours if status in DEMANDED else 0.0,
        "endorsed": need["learners"] * learner_hours if status in ENDORSED else 0.0,
        "scheduled": need["scheduled"] * learner_hours if status in SCHEDULED else 0.0,
        "delivered": need["attended"] * learner_hours if status in SCHEDULED else 0.0,
    }
