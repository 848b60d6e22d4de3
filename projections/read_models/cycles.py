"""Planning cycles: the annual plan with its budget and weights, every optimisation run, the
draft and the published prospectus as rows of sessions (course, groups served, venue, dates,
places, cost), and the cost lines: plan (budget) and actual per course and per group, the
variance, and learner abstraction shown apart.

One read model keeps the four tables because they share their inputs (the runs' allocations,
the venues' rates, the needs' courses): a session's planned cost is fixed when it enters the
draft (its room-days and trainer-days, `domain.costing.session_cash`, at the rates the cycle's
weights set), so a later change of a venue's rate never rewrites a published plan."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import sqlalchemy as sa

from domain import BusinessGroup, DeliveryCentreProposal, Facility, PlanningCycle, TrainingNeed
from domain.calendar import working_days
from domain.costing import Rates, abstraction, session_cash
from projections.read_model import Doc, Docs, Event, ReadModel, Rows, handles

VENUES = (Facility.__name__, DeliveryCentreProposal.__name__)  # one "Venue:" document each


class PlanningCycles(ReadModel):
    name = "cycles"
    title = "Planning cycles, runs, prospectus and costs"
    follows = (PlanningCycle,)
    renders_prefixes = ("PlanningCycle:",)

    def define(self, metadata: sa.MetaData, suffix: str) -> dict[str, sa.Table]:
        def doc_key(table: str) -> list[Any]:
            return [
                sa.Column("doc_key", sa.String(120), nullable=False),
                sa.Index(f"ix_{table}{suffix}_doc", "doc_key"),
            ]

        cycles = sa.Table(
            f"planning_cycles{suffix}",
            metadata,
            sa.Column("cycle_id", sa.String(36), primary_key=True),
            sa.Column("name", sa.String(40), nullable=False),
            sa.Column("starts_on", sa.String(10), nullable=False),
            sa.Column("ends_on", sa.String(10), nullable=False),
            sa.Column("budget", sa.Float, nullable=False),
            sa.Column("weights", sa.JSON, nullable=False),
            sa.Column("status", sa.String(20), nullable=False),
            sa.Column("runs", sa.Integer, nullable=False),
            sa.Column("runs_in_progress", sa.Integer, nullable=False),
            sa.Column("last_run_id", sa.String(80)),
            sa.Column("last_run_status", sa.String(20)),
            sa.Column("draft_run_id", sa.String(80)),
            sa.Column("draft_sessions", sa.Integer, nullable=False),
            sa.Column("draft_cost", sa.Float, nullable=False),
            sa.Column("edition", sa.Integer, nullable=False),
            sa.Column("published_sessions", sa.Integer, nullable=False),
            sa.Column("published_cost", sa.Float, nullable=False),
            sa.Column("published_at", sa.String(40)),
            sa.Column("published_by", sa.String(128)),
            sa.Column("opened_by", sa.String(128)),
            sa.Column("updated_at", sa.String(40)),
            sa.Column("version", sa.Integer, nullable=False),
            *doc_key("planning_cycles"),
        )
        runs = sa.Table(
            f"optimisation_runs{suffix}",
            metadata,
            sa.Column("cycle_id", sa.String(36), primary_key=True),
            sa.Column("run_id", sa.String(80), primary_key=True),
            sa.Column("state", sa.String(20), nullable=False),  # running | recorded | interrupted
            sa.Column("status", sa.String(20)),
            sa.Column("objective", sa.Float),
            sa.Column("bound", sa.Float),
            sa.Column("gap", sa.Float),
            sa.Column("inputs_digest", sa.String(128)),
            sa.Column("settings", sa.JSON, nullable=False),
            sa.Column("what_if", sa.Boolean, nullable=False),
            sa.Column("objective_terms", sa.Text),
            sa.Column("sessions", sa.Integer, nullable=False),
            sa.Column("cost_total", sa.Float),
            sa.Column("learner_abstraction", sa.Float),
            sa.Column("centres_opened", sa.JSON, nullable=False),
            sa.Column("needs_met", sa.Integer, nullable=False),
            sa.Column("needs_partly_met", sa.Integer, nullable=False),
            sa.Column("needs_unmet", sa.Integer, nullable=False),
            sa.Column("started_at", sa.String(40)),
            sa.Column("started_by", sa.String(128)),
            sa.Column("finished_at", sa.String(40)),
            sa.Column("note", sa.Text),
            *doc_key("optimisation_runs"),
        )
        prospectus = sa.Table(
            f"prospectus{suffix}",
            metadata,
            sa.Column("cycle_id", sa.String(36), primary_key=True),
            sa.Column("edition", sa.String(10), primary_key=True),  # draft | published
            sa.Column("session_id", sa.String(80), primary_key=True),
            sa.Column("course_code", sa.String(20), nullable=False),
            sa.Column("title", sa.String(200)),
            sa.Column("groups", sa.String(200), nullable=False),
            sa.Column("venue_kind", sa.String(10), nullable=False),
            sa.Column("venue_id", sa.String(36), nullable=False),
            sa.Column("venue_name", sa.String(200)),
            sa.Column("site", sa.String(200)),
            sa.Column("starts_on", sa.String(10), nullable=False),
            sa.Column("ends_on", sa.String(10), nullable=False),
            sa.Column("days", sa.Integer, nullable=False),
            sa.Column("places", sa.Integer, nullable=False),
            sa.Column("cost", sa.Float, nullable=False),
            sa.Column("abstraction_cost", sa.Float, nullable=False),
            sa.Column("pinned", sa.Boolean, nullable=False),
            sa.Column("learners", sa.JSON, nullable=False),
            sa.Column("needs", sa.JSON, nullable=False),
            *doc_key("prospectus"),
            sa.Index(f"ix_prospectus{suffix}_venue", "venue_id", "starts_on"),
        )
        costs = sa.Table(
            f"cost_lines{suffix}",
            metadata,
            sa.Column("cycle_id", sa.String(36), primary_key=True),
            sa.Column("course_code", sa.String(20), primary_key=True),
            sa.Column("group_id", sa.String(36), primary_key=True),
            sa.Column("group_code", sa.String(12)),
            sa.Column("planned_places", sa.Integer, nullable=False),
            sa.Column("planned_learner_days", sa.Float, nullable=False),
            sa.Column("planned_cost", sa.Float, nullable=False),
            sa.Column("actual_attendance", sa.Integer, nullable=False),
            sa.Column("actual_learner_days", sa.Float, nullable=False),
            sa.Column("actual_cost", sa.Float),
            sa.Column("variance", sa.Float),
            sa.Column("planned_abstraction_cost", sa.Float, nullable=False),
            sa.Column("actual_abstraction_cost", sa.Float, nullable=False),
            *doc_key("cost_lines"),
        )
        return {
            "planning_cycles": cycles,
            "optimisation_runs": runs,
            "prospectus": prospectus,
            "cost_lines": costs,
        }

    def keys(self, event: Event) -> tuple[str, ...]:
        if event["entity"] in VENUES:
            return (f"Venue:{event['originator_id']}",)
        return (f"{event['entity']}:{event['originator_id']}",)

    # --- what the sessions refer to ---------------------------------------------------------

    @handles(BusinessGroup, "Registered")
    def group_registered(self, docs: Docs, e: Event) -> None:
        docs.put(f"BusinessGroup:{e['originator_id']}", {"code": e["state"]["code"]})

    @handles(Facility, "Registered")
    def facility_registered(self, docs: Docs, e: Event) -> None:
        s = e["state"]
        docs.put(
            f"Venue:{e['originator_id']}",
            {"kind": "facility", "name": s["name"], "site": s["site"], "rate": s["cost_per_day"]},
        )

    @handles(Facility, "DetailsChanged")
    def facility_details_changed(self, docs: Docs, e: Event) -> None:
        docs.touch(f"Venue:{e['originator_id']}")["rate"] = e["state"]["cost_per_day"]

    @handles(DeliveryCentreProposal, "Proposed")
    def centre_proposed(self, docs: Docs, e: Event) -> None:
        s = e["state"]
        docs.put(
            f"Venue:{e['originator_id']}",
            {
                "kind": "centre",
                "name": s["name"],
                "site": s["site"],
                "rate": s["running_cost_per_day"],
            },
        )

    @handles(DeliveryCentreProposal, "Costed")
    def centre_costed(self, docs: Docs, e: Event) -> None:
        docs.touch(f"Venue:{e['originator_id']}")["rate"] = e["state"]["running_cost_per_day"]

    @handles(TrainingNeed, "Identified")
    def need_identified(self, docs: Docs, e: Event) -> None:
        s = e["state"]
        docs.put(
            f"TrainingNeed:{e['originator_id']}",
            {
                "title": s["title"],
                "group_id": s["group_id"],
                "course_code": None,
                "days": 0.0,
                "trainers": 1,
                "cycle_id": None,
            },
        )

    @handles(TrainingNeed, "AnalysisRecorded")
    def need_analysis_recorded(self, docs: Docs, e: Event) -> None:
        a = e["state"]["analysis"]
        docs.touch(f"TrainingNeed:{e['originator_id']}").update(
            course_code=a["course_code"],
            days=a["days_per_learner"],
            trainers=a["trainers_per_session"],
        )

    @handles(TrainingNeed, "Scheduled")
    def need_scheduled(self, docs: Docs, e: Event) -> None:
        docs.touch(f"TrainingNeed:{e['originator_id']}")["cycle_id"] = e["state"]["cycle_id"]

    @handles(TrainingNeed, "Delivered")
    def need_delivered(self, docs: Docs, e: Event) -> None:
        need = docs.get(f"TrainingNeed:{e['originator_id']}")
        if need is None or need["cycle_id"] is None:
            return
        cycle = docs.touch(f"PlanningCycle:{need['cycle_id']}")
        cycle["actuals"][e["originator_id"]] = {
            "cost": e["state"]["actual_cost"],
            "attendance": e["state"]["attendance"],
            "days": need["days"],
            "course_code": need["course_code"],
            "group_id": need["group_id"],
        }

    # --- the cycle --------------------------------------------------------------------------

    @handles(PlanningCycle, "Opened")
    def opened(self, docs: Docs, e: Event) -> None:
        s = e["state"]
        docs.put(
            f"PlanningCycle:{e['originator_id']}",
            {
                "cycle_id": e["originator_id"],
                "name": s["name"],
                "starts_on": s["starts_on"],
                "ends_on": s["ends_on"],
                "budget": s["budget"],
                "weights": {},
                "status": "open",
                "runs": {},
                "run_order": [],
                "draft_run_id": None,
                "draft": [],
                "published": [],
                "edition": 0,
                "published_at": None,
                "published_by": None,
                "opened_by": s.get("actor"),
                "actuals": {},
                "updated_at": s.get("timestamp"),
                "version": e["version"],
            },
        )

    def _cycle(self, docs: Docs, e: Event) -> Doc:
        doc = docs.touch(f"PlanningCycle:{e['originator_id']}")
        doc["version"] = e["version"]
        doc["updated_at"] = e["state"].get("timestamp")
        return doc

    @handles(PlanningCycle, "BudgetChanged")
    def budget_changed(self, docs: Docs, e: Event) -> None:
        self._cycle(docs, e)["budget"] = e["state"]["budget"]

    @handles(PlanningCycle, "WeightsSet")
    def weights_set(self, docs: Docs, e: Event) -> None:
        self._cycle(docs, e)["weights"] = e["state"]["weights"]

    @handles(PlanningCycle, "OptimisationRunStarted")
    def optimisation_run_started(self, docs: Docs, e: Event) -> None:
        s = e["state"]
        doc = self._cycle(docs, e)
        doc["runs"][s["run_id"]] = {
            "state": "running",
            "settings": s["settings"],
            "started_at": s.get("timestamp"),
            "started_by": s.get("actor"),
        }
        doc["run_order"].append(s["run_id"])

    @handles(PlanningCycle, "OptimisationRunInterrupted")
    def optimisation_run_interrupted(self, docs: Docs, e: Event) -> None:
        s = e["state"]
        run = self._cycle(docs, e)["runs"][s["run_id"]]
        run.update(
            state="interrupted",
            status="INTERRUPTED",
            finished_at=s.get("timestamp"),
            note=s.get("reason"),
        )

    @handles(PlanningCycle, "OptimisationRunRecorded")
    def optimisation_run_recorded(self, docs: Docs, e: Event) -> None:
        s = e["state"]
        doc = self._cycle(docs, e)
        allocation = s["allocation"]
        outcomes = allocation.get("outcomes") or []
        cost = allocation.get("cost") or {}
        run = doc["runs"].get(s["run_id"])
        if run is None:  # recorded without a recorded start
            run = doc["runs"][s["run_id"]] = {
                "settings": s["settings"],
                "started_at": None,
                "started_by": s.get("actor"),
            }
            doc["run_order"].append(s["run_id"])
        run.update(
            state="recorded",
            status=s["status"],
            objective=s["objective"],
            bound=s["bound"],
            gap=allocation.get("gap"),
            inputs_digest=s["inputs_digest"],
            settings=s["settings"],
            objective_terms=allocation.get("objective_terms"),
            sessions=len(allocation["sessions"]),
            cost_total=cost.get("total"),
            learner_abstraction=cost.get("learner_abstraction"),
            centres_opened=allocation.get("centres_opened") or [],
            needs_met=sum(o.get("status") == "met" for o in outcomes),
            needs_partly_met=sum(o.get("status") == "partly met" for o in outcomes),
            needs_unmet=sum(o.get("status") == "unmet" for o in outcomes),
            finished_at=s.get("timestamp"),
            note=allocation.get("error"),
        )
        docs.put(f"Run:{e['originator_id']}:{s['run_id']}", {"sessions": allocation["sessions"]})

    @handles(PlanningCycle, "ProspectusDrafted")
    def prospectus_drafted(self, docs: Docs, e: Event) -> None:
        run_id = e["state"]["run_id"]
        doc = self._cycle(docs, e)
        run = docs.get(f"Run:{e['originator_id']}:{run_id}") or {"sessions": []}
        rates = Rates.from_weights(doc.get("weights"))
        doc["draft"] = [_enrich(dict(s), rates, docs) for s in run["sessions"]]
        doc["draft_run_id"] = run_id

    @handles(PlanningCycle, "SessionAmended")
    def session_amended(self, docs: Docs, e: Event) -> None:
        s = e["state"]
        doc = self._cycle(docs, e)
        for n, session in enumerate(doc["draft"]):
            if session["session_id"] == s["session_id"]:
                rates = Rates.from_weights(doc.get("weights"))
                doc["draft"][n] = _enrich({**session, **s["changes"]}, rates, docs)

    @handles(PlanningCycle, "SessionPinned")
    def session_pinned(self, docs: Docs, e: Event) -> None:
        s = e["state"]
        for session in self._cycle(docs, e)["draft"]:
            if session["session_id"] == s["session_id"]:
                session["pinned"] = s["pinned"]

    @handles(PlanningCycle, "ProspectusPublished")
    def prospectus_published(self, docs: Docs, e: Event) -> None:
        s = e["state"]
        doc = self._cycle(docs, e)
        doc["draft"] = [dict(session, pinned=True) for session in doc["draft"]]
        doc["published"] = [dict(session) for session in doc["draft"]]
        doc.update(
            edition=s["edition"],
            status="published",
            published_at=s.get("timestamp"),
            published_by=s.get("actor"),
        )

    @handles(PlanningCycle, "Closed")
    def closed(self, docs: Docs, e: Event) -> None:
        doc = self._cycle(docs, e)
        doc["status"] = "closed"
        for run_id in doc["run_order"]:  # a closed cycle drafts no more: its runs' sessions
            docs.drop(f"Run:{e['originator_id']}:{run_id}")  # are not needed any longer

    # --- rows -------------------------------------------------------------------------------

    def render(self, key: str, doc: Doc, docs: Docs) -> Rows:
        if not key.startswith("PlanningCycle:"):
            return {}
        cycle_id = doc["cycle_id"]
        runs = [doc["runs"][run_id] | {"run_id": run_id} for run_id in doc["run_order"]]
        last = runs[-1] if runs else {}
        row = {
            k: doc[k]
            for k in (
                "cycle_id",
                "name",
                "starts_on",
                "ends_on",
                "budget",
                "weights",
                "status",
                "draft_run_id",
                "edition",
                "published_at",
                "published_by",
                "opened_by",
                "updated_at",
                "version",
            )
        }
        row.update(
            runs=sum(r["state"] != "running" for r in runs),
            runs_in_progress=sum(r["state"] == "running" for r in runs),
            last_run_id=last.get("run_id"),
            last_run_status=last.get("status"),
            draft_sessions=len(doc["draft"]),
            draft_cost=round(sum(s["cost"] for s in doc["draft"]), 2),
            published_sessions=len(doc["published"]),
            published_cost=round(sum(s["cost"] for s in doc["published"]), 2),
        )
        run_rows = [
            {
                "cycle_id": cycle_id,
                "run_id": r["run_id"],
                "state": r["state"],
                "status": r.get("status"),
                "objective": r.get("objective"),
                "bound": r.get("bound"),
                "gap": r.get("gap"),
                "inputs_digest": r.get("inputs_digest"),
                "settings": r["settings"],
                "what_if": bool(r["settings"].get("what_if")),
                "objective_terms": r.get("objective_terms"),
                "sessions": r.get("sessions", 0),
                "cost_total": r.get("cost_total"),
                "learner_abstraction": r.get("learner_abstraction"),
                "centres_opened": r.get("centres_opened", []),
                "needs_met": r.get("needs_met", 0),
                "needs_partly_met": r.get("needs_partly_met", 0),
                "needs_unmet": r.get("needs_unmet", 0),
                "started_at": r.get("started_at"),
                "started_by": r.get("started_by"),
                "finished_at": r.get("finished_at"),
                "note": r.get("note"),
            }
            for r in runs
        ]
        sessions = [
            {"cycle_id": cycle_id, "edition": edition, **_session_row(s)}
            for edition in ("draft", "published")
            for s in doc[edition]
        ]
        return {
            "planning_cycles": [row],
            "optimisation_runs": run_rows,
            "prospectus": sessions,
            "cost_lines": _cost_lines(doc, docs),
        }


SESSION_COLUMNS = (
    "session_id",
    "course_code",
    "title",
    "groups",
    "venue_kind",
    "venue_id",
    "venue_name",
    "site",
    "starts_on",
    "ends_on",
    "days",
    "places",
    "cost",
    "abstraction_cost",
    "pinned",
    "learners",
    "needs",
)


def _session_row(session: dict[str, Any]) -> dict[str, Any]:
    return {k: session.get(k) for k in SESSION_COLUMNS}


def _enrich(session: dict[str, Any], rates: Rates, docs: Docs) -> dict[str, Any]:
    """A session as the prospectus shows it, its planned cost fixed now at the cycle's
    `rates`."""
    venue = docs.get(f"Venue:{session['venue_id']}") or {}
    needs = {n: docs.get(f"TrainingNeed:{n}") or {} for n in session.get("needs") or {}}
    days = len(working_days(session["starts_on"], session["ends_on"]))
    trainers = max((int(need.get("trainers") or 0) for need in needs.values()), default=1) or 1
    learner_days = sum(
        places * float(needs[n].get("days") or days) for n, places in session["needs"].items()
    )
    codes = sorted(
        (docs.get(f"BusinessGroup:{g}") or {}).get("code") or g[:8]
        for g, places in (session.get("learners") or {}).items()
        if places
    )
    titles = [need.get("title") for need in needs.values() if need.get("title")]
    return {
        **session,
        "title": titles[0] if titles else session["course_code"],
        "groups": ", ".join(codes),
        "venue_name": venue.get("name") or _online(session, "e-learning (no room)"),
        "site": venue.get("site"),
        "days": days,
        "places": sum((session.get("learners") or {}).values()),
        "cost": round(
            session_cash(days, float(venue.get("rate") or 0), trainers, rates.trainer_day), 2
        ),
        "abstraction_cost": round(abstraction(learner_days, rates.abstraction_per_learner_day), 2),
    }


def _online(session: dict[str, Any], text: str) -> str | None:
    return text if session.get("venue_kind") == "online" else None


def _cost_lines(cycle: Doc, docs: Docs) -> list[dict[str, Any]]:
    per_learner_day = Rates.from_weights(cycle.get("weights")).abstraction_per_learner_day
    lines: dict[tuple[str, str], dict[str, float]] = defaultdict(
        lambda: {
            "planned_places": 0,
            "planned_learner_days": 0.0,
            "planned_cost": 0.0,
            "actual_attendance": 0,
            "actual_learner_days": 0.0,
            "actual_cost": 0.0,
            "actuals": 0,
        }
    )
    for session in cycle["published"]:
        places = sum(session["needs"].values())
        for need_id, count in session["needs"].items():
            if not count:
                continue
            need = docs.get(f"TrainingNeed:{need_id}") or {}
            line = lines[(session["course_code"], need.get("group_id") or "")]
            line["planned_places"] += count
            line["planned_learner_days"] += count * float(need.get("days") or session["days"])
            line["planned_cost"] += session["cost"] * count / places
    for actual in cycle["actuals"].values():
        line = lines[(actual["course_code"], actual["group_id"])]
        line["actual_attendance"] += actual["attendance"]
        line["actual_learner_days"] += actual["attendance"] * float(actual["days"])
        line["actual_cost"] += actual["cost"]
        line["actuals"] += 1
    rows = []
    for (course, group_id), line in sorted(lines.items()):
        delivered = line["actuals"] > 0
        planned = round(line["planned_cost"], 2)
        actual = round(line["actual_cost"], 2) if delivered else None
        rows.append(
            {
                "cycle_id": cycle["cycle_id"],
                "course_code": course,
                "group_id": group_id,
                "group_code": (docs.get(f"BusinessGroup:{group_id}") or {}).get("code"),
                "planned_places": line["planned_places"],
                "planned_learner_days": round(line["planned_learner_days"], 2),
                "planned_cost": planned,
                "actual_attendance": line["actual_attendance"],
                "actual_learner_days": round(line["actual_learner_days"], 2),
                "actual_cost": actual,
                "variance": round(actual - planned, 2) if actual is not None else None,
                "planned_abstraction_cost": round(
                    abstraction(line["planned_learner_days"], per_learner_day), 2
                ),
                "actual_abstraction_cost": round(
                    abstraction(line["actual_learner_days"], per_learner_day), 2
                ),
            }
        )
    return rows
