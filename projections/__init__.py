"""Read models: projections of the event store, exactly once, rebuildable, replayable to any
point; the auditors' tools (replay as of a time, tamper evidence, export and import).

`open_projections(url)` gives every read model of the store at `url`."""

from projections.engine import RunnerBusy, UnknownView, views_url_for
from projections.queries import QUERIES, QueryError, ReadModelSource
from projections.runner import VIEW_NAMES, Projections, open_projections

__all__ = [
    "QUERIES",
    "VIEW_NAMES",
    "Projections",
    "QueryError",
    "ReadModelSource",
    "RunnerBusy",
    "UnknownView",
    "open_projections",
    "views_url_for",
]
