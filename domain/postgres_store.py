"""The event store's PostgreSQL recorder: the library's, saving in one round trip.

The library saves a command's events in a pipelined transaction: BEGIN; SET LOCAL lock_timeout;
LOCK TABLE ... IN EXCLUSIVE MODE; NOTIFY; INSERT ... RETURNING notification_id; then COMMIT,
two round trips to the server. Here the same statements run inside one server-side function,
called in autocommit mode: the call is one implicit transaction, so the table lock is taken
before the notification ids are drawn and held until the commit, exactly as before (appends
serialise, and commit order is notification order: a reader tailing the notifications never
passes over a gap that is filled later). Optimistic concurrency is unchanged: the primary key
(originator_id, originator_version) refuses a second writer of the same version, as an
IntegrityError. The table, its rows and the notifications are the library's own; a store
written by the library's recorder is read and written by this one, and back.

Only imported when the store is PostgreSQL (`domain.store.store_env` names it by topic)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from eventsourcing.persistence import InterfaceError, OperationalError, StoredEvent
from eventsourcing.postgres import PostgresApplicationRecorder, PostgresDatastore
from eventsourcing.utils import retry
from psycopg.rows import tuple_row
from psycopg.sql import SQL, Identifier, Placeholder


class OneTripRecorder(PostgresApplicationRecorder):
    """`PostgresApplicationRecorder` whose `insert_events` is one call of a function that
    locks, notifies and inserts."""

    SCALARS_UP_TO = 16  # events in one save sent as scalar parameters; more as lists

    def __init__(
        self, datastore: PostgresDatastore, *, events_table_name: str = "stored_events"
    ) -> None:
        super().__init__(datastore, events_table_name=events_table_name)
        self.insert_function_name = f"trainplan_insert_{self.events_table_name}"
        self.check_identifier_length(self.insert_function_name)
        schema = Identifier(self.datastore.schema)
        function = Identifier(self.insert_function_name)
        self.sql_create_statements.append(
            SQL(
                "CREATE OR REPLACE FUNCTION {schema}.{function}"
                "(ids {id_type}[], versions bigint[], topics text[], states bytea[]) "
                "RETURNS SETOF bigint LANGUAGE plpgsql AS $BODY$ "
                "BEGIN "
                "SET LOCAL lock_timeout = '{lock_timeout}s'; "
                "LOCK TABLE {schema}.{table} IN EXCLUSIVE MODE; "
                "NOTIFY {channel}; "
                "RETURN QUERY INSERT INTO {schema}.{table} AS t "
                "(originator_id, originator_version, topic, state) "
                "SELECT * FROM unnest(ids, versions, topics, states) "
                "RETURNING notification_id; "
                "END; $BODY$"
            ).format(
                schema=schema,
                function=function,
                id_type=Identifier(self.datastore.originator_id_type),
                lock_timeout=self.datastore.lock_timeout,
                table=Identifier(self.events_table_name),
                channel=Identifier(self.channel_name),
            )
        )
        self._insert_calls: dict[int, str] = {}  # by number of events, as text (kept parsed)

    def insert_call(self, conn: Any, count: int) -> str:
        """The call for `count` events: up to SCALARS_UP_TO, each column an ARRAY[...] of
        scalar parameters (they cost the client less to send than lists do); beyond, each
        column one list parameter (count 0 here)."""
        text = self._insert_calls.get(count)
        if text is None:
            arrays = [
                SQL("ARRAY[{0}]::{1}[]").format(
                    SQL(", ").join([Placeholder()] * count), SQL(type_name)
                )
                if count
                else SQL("%s::{0}[]").format(SQL(type_name))
                for type_name in (self.datastore.originator_id_type, "bigint", "text", "bytea")
            ]
            text = self._insert_calls[count] = (
                SQL("SELECT id FROM {schema}.{function}({arrays}) AS id")
                .format(
                    schema=Identifier(self.datastore.schema),
                    function=Identifier(self.insert_function_name),
                    arrays=SQL(", ").join(arrays),
                )
                .as_string(conn)
            )
        return text

    @retry((InterfaceError, OperationalError), max_attempts=10, wait=0.2)
    def insert_events(
        self, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        if any(value is not None for value in kwargs.values()) or not stored_events:
            # a tracking record (a process application's) goes the library's way
            return super().insert_events(stored_events, **kwargs)
        columns = (
            [event.originator_id for event in stored_events],
            [event.originator_version for event in stored_events],
            [event.topic for event in stored_events],
            [event.state for event in stored_events],
        )
        count = len(stored_events)
        scalars = count <= self.SCALARS_UP_TO
        params = [value for column in columns for value in column] if scalars else columns
        with self.datastore.get_connection() as conn:
            assert conn.autocommit  # the call is its own transaction
            curs = saving_cursor(conn)
            curs.execute(self.insert_call(conn, count if scalars else 0), params, prepare=True)
            return [row[0] for row in curs.fetchall()]


def saving_cursor(conn: Any) -> Any:
    """The connection's own cursor for saves, made once (a pooled connection serves one thread
    at a time) and giving plain tuples: making a cursor and a dict per save cost a tenth of a
    save's CPU, measured."""
    curs = getattr(conn, "_trainplan_saving_cursor", None)
    if curs is None or curs.closed:
        curs = conn.cursor(row_factory=tuple_row)
        conn._trainplan_saving_cursor = curs
    return curs
