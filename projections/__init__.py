"""Read models: projections of the event store, exactly once, rebuildable, replayable to any
point; the auditors' tools (replay as of a time, tamper evidence, export and import).

`open_projections(url)` gives every read model of the store at `url`.

The modules, each importing only those above it in this list:

    events        the notification log, read in batches as plain dicts
    database      the read models' database: URL, engine, shared tables, fast inserts
    read_model    what a read model is: ReadModel, its documents, `@handles(Aggregate, "Event")`
    read_models/  the read models, one module each, and READ_MODELS
    quarantine    events a read model could not apply, kept aside with their error
    batches       applying a batch of events to read models, exactly once; quarantining
    locks         one runner per read model
    queries       the read models as paged lists, a venue's calendar, the optimiser's input
    runner        Projections: catch-up, follow, rebuild, digests, queries
    follower      the server's background follower, and the positions reads wait for
    replay        the read models as they were at a point of the history
    hash_chain    the hashes that seal the history
    raw_store     the events and seals tables through their raw drivers
    integrity     seal and verify
    transfer      export and import of the history as JSON Lines"""

from projections.database import read_models_url_for
from projections.locks import RunnerBusy
from projections.quarantine import Quarantined
from projections.queries import QUERIES, QueryError, ReadModelSource
from projections.read_model import UnknownReadModel
from projections.read_models import READ_MODEL_NAMES
from projections.runner import Projections, RebuildProgress, Retried, open_projections

# Old names, kept until api/ and bench/ use the new ones.
VIEW_NAMES = READ_MODEL_NAMES
UnknownView = UnknownReadModel
views_url_for = read_models_url_for

__all__ = [
    "QUERIES",
    "READ_MODEL_NAMES",
    "VIEW_NAMES",
    "Projections",
    "Quarantined",
    "QueryError",
    "ReadModelSource",
    "RebuildProgress",
    "Retried",
    "RunnerBusy",
    "UnknownReadModel",
    "UnknownView",
    "open_projections",
    "read_models_url_for",
    "views_url_for",
]
