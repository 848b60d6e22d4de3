"""The needs register: every training need with its group, where it is in the Systems Approach,
its priority, its analysis and the latest decision with who made it and why."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from domain import BusinessGroup, TrainingNeed
from projections.read_model import Doc, Docs, Event, ReadModel, Rows, handles, topic_of

ANALYSIS = (
    "gap_statement",
    "audience",
    "learners",
    "course_code",
    "delivery_mode",
    "days_per_learner",
    "class_size_min",
    "class_size_max",
    "trainers_per_session",
    "required_features",
    "mandatory_basis",
    "risk_if_untrained",
    "window_start",
    "window_end",
)
DECISIONS = {
    topic_of(TrainingNeed, kind) for kind in ("Prioritised", "Endorsed", "Rejected", "Withdrawn")
}
IDENTIFIED = topic_of(TrainingNeed, "Identified")


def _touch(doc: Doc, e: Event) -> Doc:
    s = e["state"]
    doc["version"] = e["version"]
    doc["updated_at"] = s.get("timestamp")
    doc["updated_by"] = s.get("actor")
    if e["topic"] in DECISIONS:
        doc["last_decision"] = e["kind"]
        doc["last_decision_by"] = s.get("actor")
        doc["last_decision_reason"] = s.get("reason")
        doc["last_decision_at"] = s.get("timestamp")
    return doc


class NeedsRegister(ReadModel):
    name = "needs"
    title = "Needs register"
    follows = (TrainingNeed,)
    renders_prefixes = ("TrainingNeed:",)

    def define(self, metadata: sa.MetaData, suffix: str) -> dict[str, sa.Table]:
        t = sa.Table(
            f"needs_register{suffix}",
            metadata,
            sa.Column("need_id", sa.String(36), primary_key=True),
            sa.Column("group_id", sa.String(36), nullable=False),
            sa.Column("group_code", sa.String(12)),
            sa.Column("group_name", sa.String(200)),
            sa.Column("title", sa.String(200), nullable=False),
            sa.Column("trigger", sa.String(60)),
            sa.Column("status", sa.String(20), nullable=False),
            sa.Column("level", sa.String(20)),
            sa.Column("score", sa.Integer),
            sa.Column("gap_statement", sa.Text),
            sa.Column("audience", sa.Text),
            sa.Column("learners", sa.Integer),
            sa.Column("course_code", sa.String(20)),
            sa.Column("delivery_mode", sa.String(20)),
            sa.Column("days_per_learner", sa.Float),
            sa.Column("class_size_min", sa.Integer),
            sa.Column("class_size_max", sa.Integer),
            sa.Column("trainers_per_session", sa.Integer),
            sa.Column("required_features", sa.JSON),
            sa.Column("mandatory_basis", sa.Text),
            sa.Column("risk_if_untrained", sa.String(20)),
            sa.Column("window_start", sa.String(10)),
            sa.Column("window_end", sa.String(10)),
            sa.Column("scheduled_learners", sa.Integer, nullable=False),
            sa.Column("attendance", sa.Integer),
            sa.Column("actual_cost", sa.Float),
            sa.Column("evaluation_level", sa.Integer),
            sa.Column("evaluation_score", sa.Integer),
            sa.Column("last_decision", sa.String(20)),
            sa.Column("last_decision_by", sa.String(128)),
            sa.Column("last_decision_reason", sa.Text),
            sa.Column("last_decision_at", sa.String(40)),
            sa.Column("identified_at", sa.String(40)),
            sa.Column("identified_by", sa.String(128)),
            sa.Column("updated_at", sa.String(40)),
            sa.Column("version", sa.Integer, nullable=False),
            sa.Column("doc_key", sa.String(120), nullable=False),
            sa.Index(f"ix_needs_register{suffix}_doc", "doc_key"),
            sa.Index(f"ix_needs_register{suffix}_group_status", "group_id", "status"),
        )
        return {"needs_register": t}

    @handles(BusinessGroup, "Registered")
    def group_registered(self, docs: Docs, e: Event) -> None:
        s = e["state"]
        docs.put(f"BusinessGroup:{e['originator_id']}", {"code": s["code"], "name": s["name"]})

    @handles(TrainingNeed, "Identified")
    def identified(self, docs: Docs, e: Event) -> None:
        s = e["state"]
        group = docs.get(f"BusinessGroup:{s['group_id']}") or {}  # a group keeps its name
        doc = {
            "need_id": e["originator_id"],
            "group_id": s["group_id"],
            "title": s["title"],
            "group_code": group.get("code"),
            "group_name": group.get("name"),
            "trigger": s["trigger"],
            "status": "identified",
            "level": None,
            "score": None,
            "scheduled_learners": 0,
            "identified_at": s.get("timestamp"),
            "identified_by": s.get("actor"),
        }
        docs.put(f"TrainingNeed:{e['originator_id']}", _touch(doc, e))

    def _change(self, docs: Docs, e: Event, **values: Any) -> None:
        doc = docs.touch(f"TrainingNeed:{e['originator_id']}")
        doc.update(values)
        _touch(doc, e)

    @handles(TrainingNeed, "AnalysisRecorded")
    def analysis_recorded(self, docs: Docs, e: Event) -> None:
        analysis = e["state"]["analysis"]
        self._change(docs, e, status="analysed", **{k: analysis.get(k) for k in ANALYSIS})

    @handles(TrainingNeed, "Prioritised")
    def prioritised(self, docs: Docs, e: Event) -> None:
        s = e["state"]
        self._change(docs, e, status="prioritised", level=s["level"], score=s["score"])

    @handles(TrainingNeed, "Endorsed")
    def endorsed(self, docs: Docs, e: Event) -> None:
        self._change(docs, e, status="endorsed")

    @handles(TrainingNeed, "Rejected")
    def rejected(self, docs: Docs, e: Event) -> None:
        self._change(docs, e, status="rejected")

    @handles(TrainingNeed, "Withdrawn")
    def withdrawn(self, docs: Docs, e: Event) -> None:
        self._change(docs, e, status="withdrawn")

    @handles(TrainingNeed, "Scheduled")
    def scheduled(self, docs: Docs, e: Event) -> None:
        s = e["state"]
        self._change(
            docs, e, status="scheduled", scheduled_learners=s["learners"], cycle_id=s["cycle_id"]
        )

    @handles(TrainingNeed, "Delivered")
    def delivered(self, docs: Docs, e: Event) -> None:
        s = e["state"]
        self._change(
            docs, e, status="delivered", attendance=s["attendance"], actual_cost=s["actual_cost"]
        )

    @handles(TrainingNeed, "Evaluated")
    def evaluated(self, docs: Docs, e: Event) -> None:
        s = e["state"]
        self._change(
            docs, e, status="evaluated", evaluation_level=s["level"], evaluation_score=s["score"]
        )

    def render(self, key: str, doc: Doc, docs: Docs) -> Rows:
        if not key.startswith("TrainingNeed:"):
            return {}
        return {"needs_register": [{c: doc.get(c) for c in _COLUMNS}]}

    def keys(self, event: Event) -> tuple[str, ...]:
        own = f"{event['entity']}:{event['originator_id']}"
        if event["topic"] == IDENTIFIED:
            return (own, f"BusinessGroup:{event['state']['group_id']}")
        return (own,)


_COLUMNS = [
    c.name
    for c in NeedsRegister().define(sa.MetaData(), "")["needs_register"].columns
    if c.name != "doc_key"
]
