"""Delivery centre proposals (the Orpington Officer Safety Training centre, say) with their
costs, status and the decision."""

from __future__ import annotations

import sqlalchemy as sa

from domain import DeliveryCentreProposal
from projections.read_model import Doc, Docs, Event, ReadModel, Rows, handles

FIELDS = (
    "name",
    "site",
    "rooms",
    "capacity",
    "features",
    "setup_cost",
    "running_cost_per_day",
    "earliest_opening",
)


class CentreProposals(ReadModel):
    name = "centres"
    title = "Delivery centre proposals"
    follows = (DeliveryCentreProposal,)
    renders_prefixes = ("DeliveryCentreProposal:",)

    def define(self, metadata: sa.MetaData, suffix: str) -> dict[str, sa.Table]:
        t = sa.Table(
            f"centre_proposals{suffix}",
            metadata,
            sa.Column("id", sa.String(36), primary_key=True),
            sa.Column("name", sa.String(200), nullable=False),
            sa.Column("site", sa.String(200), nullable=False),
            sa.Column("rooms", sa.Integer, nullable=False),
            sa.Column("capacity", sa.Integer, nullable=False),
            sa.Column("features", sa.JSON, nullable=False),
            sa.Column("setup_cost", sa.Float, nullable=False),
            sa.Column("running_cost_per_day", sa.Float, nullable=False),
            sa.Column("earliest_opening", sa.String(10), nullable=False),
            sa.Column("status", sa.String(20), nullable=False),
            sa.Column("costing_notes", sa.Text),
            sa.Column("proposed_by", sa.String(128)),
            sa.Column("decision_reason", sa.Text),
            sa.Column("decided_by", sa.String(128)),
            sa.Column("decided_at", sa.String(40)),
            sa.Column("version", sa.Integer, nullable=False),
            sa.Column("doc_key", sa.String(120), nullable=False),
            sa.Index(f"ix_centre_proposals{suffix}_doc", "doc_key"),
        )
        return {"centre_proposals": t}

    @handles(DeliveryCentreProposal, "Proposed")
    def proposed(self, docs: Docs, e: Event) -> None:
        s = e["state"]
        doc = {k: s[k] for k in FIELDS}
        doc.update(
            id=e["originator_id"],
            status="proposed",
            costing_notes=None,
            proposed_by=s.get("actor"),
            decision_reason=None,
            decided_by=None,
            decided_at=None,
            version=e["version"],
        )
        docs.put(f"DeliveryCentreProposal:{e['originator_id']}", doc)

    def _doc(self, docs: Docs, e: Event) -> Doc:
        doc = docs.touch(f"DeliveryCentreProposal:{e['originator_id']}")
        doc["version"] = e["version"]
        return doc

    @handles(DeliveryCentreProposal, "Costed")
    def costed(self, docs: Docs, e: Event) -> None:
        s = e["state"]
        self._doc(docs, e).update(
            status="costed",
            setup_cost=s["setup_cost"],
            running_cost_per_day=s["running_cost_per_day"],
            costing_notes=s["notes"],
        )

    def _decided(self, docs: Docs, e: Event, status: str) -> None:
        s = e["state"]
        self._doc(docs, e).update(
            status=status,
            decision_reason=s.get("reason"),
            decided_by=s.get("actor"),
            decided_at=s.get("timestamp"),
        )

    @handles(DeliveryCentreProposal, "Approved")
    def approved(self, docs: Docs, e: Event) -> None:
        self._decided(docs, e, "approved")

    @handles(DeliveryCentreProposal, "Rejected")
    def rejected(self, docs: Docs, e: Event) -> None:
        self._decided(docs, e, "rejected")

    def render(self, key: str, doc: Doc, docs: Docs) -> Rows:
        return {"centre_proposals": [dict(doc)]}
