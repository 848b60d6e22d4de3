"""How fast does the application append events, against raw inserts on the same engine?

A command is `TrainingPlanner.identify_need` (a check that the business group exists, from its
first event, read once and then kept by the application; and one save of the new need, in one
transaction: on PostgreSQL one call of the function that locks the table, notifies and
inserts, see domain/postgres_store.py). On each engine (a SQLite file, and a fresh scratch
PostgreSQL database created and dropped by this script) it times N commands through the
application and, in the same run on the same engine, N rows inserted raw (sqlite3 in WAL mode
as the library sets it; psycopg 3) into a table with the columns of the library's
`stored_events` (originator_id, originator_version, topic, state, primary key on the first
two), each row a new originator at version 1 with a copy of a real stored event's topic and
state bytes, in two transaction patterns: one transaction per row (the application's pattern)
and one transaction for all rows. On PostgreSQL also the application's own save call sent raw
(see `RawPostgres`): the part of the gap that the store's table lock and NOTIFY make, which no
Python can remove, and the SQL statements a command sends (counted on psycopg's classes).
Everything is warmed up first. Each round times the
application and the raw one-transaction-per-row inserts alternately in blocks of 250 (so that
other load on the machine hits both alike), then the raw one-transaction inserts; the median
over the rounds is reported, with the spread and this process's CPU time per operation. A
machine busy with other work (load average at or above its CPU count) is flagged: the ratios
are then not to be trusted.

With `--before`, the same commands also go through the application as it was before the
append work of issue 14 (the library's own PostgreSQL recorder: BEGIN, SET LOCAL, LOCK TABLE,
NOTIFY, INSERT pipelined, then COMMIT; the business group's first event read by every
command), in the same blocks, so that the gain is measured in one run.

The target (issue 14): append through the application at no less than 0.6 of the raw rate with
the same transaction pattern (app / raw one-transaction-per-row >= 0.6). Prints the figures,
whether the target is met, and a final JSON line.

    python bench/append.py [--commands 2000] [--engines sqlite,postgresql]
                           [--pg-url postgresql+psycopg://postgres@127.0.0.1:5432/postgres]
                           [--rounds 3] [--before]
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

if __name__ == "__main__":  # run as `python bench/NAME.py`: the repository on the path
    sys.path[0] = str(Path(__file__).resolve().parents[1])

from bench.databases import DEFAULT_PG, database_name, libpq, scratch_database
from bench.machine import is_busy, load_average
from domain import TrainingPlanner, store_env

TARGET = 0.6  # app / raw with the same transaction pattern (issue 14)
ENGINES = ("sqlite", "postgresql")
PATTERNS = ("row_tx", "one_tx")  # one transaction per row, one transaction for all rows
INSERT = "INSERT INTO {table} (originator_id, originator_version, topic, state) VALUES ({marks})"


BLOCK = 250  # app and raw per-row blocks alternate at this size, so drift hits both alike


@dataclass
class Timing:
    """Operations timed: wall-clock seconds and this process's CPU seconds."""

    count: int = 0
    wall: float = 0.0
    cpu: float = 0.0

    def __add__(self, other: Timing) -> Timing:
        return Timing(self.count + other.count, self.wall + other.wall, self.cpu + other.cpu)

    @property
    def per_s(self) -> float:
        return self.count / self.wall

    @property
    def cpu_ms(self) -> float:
        return self.cpu * 1000 / self.count


@contextmanager
def timing(count: int) -> Iterator[Timing]:
    timed = Timing(count)
    wall, cpu = time.perf_counter(), time.process_time()
    yield timed
    timed.wall, timed.cpu = time.perf_counter() - wall, time.process_time() - cpu


def warmup_count(commands: int) -> int:
    return min(200, max(20, commands // 10))


# --- through the application ----------------------------------------------------------------


class ThroughApplication:
    """A planner with one business group; each command identifies a need for it. `before`:
    the application as it was before issue 14's append work (the library's own PostgreSQL
    recorder, the group's first event read by every command), on the group `group_id`."""

    def __init__(
        self, url: str, warmup: int, *, before: bool = False, group_id: Any = None
    ) -> None:
        env = store_env(url)
        if before:
            env.pop("APPLICATION_RECORDER_TOPIC", None)
        self.planner = TrainingPlanner(env=env)
        if before:
            self.planner.FIRST_EVENTS_KEPT = 0
        self.group_id = group_id or self.planner.register_group(
            name="Append bench", code="APPEND", officers=1, staff=1, actor="bench"
        )
        self.commands_run = 0
        self.run(warmup)
        sample_id = self.command()
        sample = self.planner.recorder.select_events(sample_id)[0]
        self.topic, self.state = sample.topic, bytes(sample.state)

    def command(self) -> Any:
        self.commands_run += 1
        return self.planner.identify_need(
            group_id=self.group_id,
            title=f"Need {self.commands_run}",
            trigger="incident",
            actor="bench",
        )

    def run(self, commands: int) -> Timing:
        with timing(commands) as timed:
            for _ in range(commands):
                self.command()
        return timed

    def close(self) -> None:
        self.planner.close()


def statements_per_command(app: ThroughApplication, commands: int = 20) -> float:
    """PostgreSQL: the SQL statements a command sends, counted on psycopg's classes in this
    process while `commands` commands run (a transaction block counts as BEGIN and COMMIT)."""
    import psycopg

    count = 0
    execute, transaction = psycopg.Cursor.execute, psycopg.Connection.transaction

    def counted_execute(self: Any, *args: Any, **kwargs: Any) -> Any:
        nonlocal count
        count += 1
        return execute(self, *args, **kwargs)

    def counted_transaction(self: Any, *args: Any, **kwargs: Any) -> Any:
        nonlocal count
        count += 2
        return transaction(self, *args, **kwargs)

    psycopg.Cursor.execute = counted_execute  # type: ignore[method-assign]
    psycopg.Connection.transaction = counted_transaction  # type: ignore[method-assign]
    try:
        app.run(commands)
    finally:
        psycopg.Cursor.execute = execute  # type: ignore[method-assign]
        psycopg.Connection.transaction = transaction  # type: ignore[method-assign]
    return count / commands


# --- raw inserts ------------------------------------------------------------------------------


class RawInserts:
    """Rows into a table like `stored_events`, either one transaction per row or one for all.
    Subclasses give the connection, the table's DDL and how a UUID is bound."""

    marks = "?, ?, ?, ?"

    def __init__(self, topic: str, state: bytes, warmup: int) -> None:
        self.topic, self.state = topic, state
        for pattern in PATTERNS:
            self.execute(self.create_table(f"raw_{pattern}"))
            self.run(pattern, warmup)

    def execute(self, statement: str, params: tuple = ()) -> None:
        raise NotImplementedError

    def create_table(self, table: str) -> str:
        raise NotImplementedError

    def run_protocol(self, count: int) -> Timing:
        raise NotImplementedError(f"{type(self).__name__} has no locked insert call")

    def originator_id(self) -> Any:
        raise NotImplementedError

    def run(self, pattern: str, count: int) -> Timing:
        if pattern == "protocol":
            return self.run_protocol(count)
        statement = INSERT.format(table=f"raw_{pattern}", marks=self.marks)
        params = [(self.originator_id(), 1, self.topic, self.state) for _ in range(count)]
        execute = self.execute
        with timing(count) as timed:
            if pattern == "row_tx":
                for row in params:
                    execute("BEGIN")
                    execute(statement, row)
                    execute("COMMIT")
            else:
                execute("BEGIN")
                for row in params:
                    execute(statement, row)
                execute("COMMIT")
        return timed

    def close(self) -> None:
        raise NotImplementedError


class RawSQLite(RawInserts):
    def __init__(self, path: Path, topic: str, state: bytes, warmup: int) -> None:
        # As the library's SQLite module: autocommit mode with explicit BEGIN, WAL journal.
        self.connection = sqlite3.connect(path, isolation_level=None, cached_statements=True)
        mode = self.connection.execute("PRAGMA journal_mode=WAL").fetchone()[0]
        if mode.lower() != "wal":
            raise RuntimeError(f"SQLite refused WAL mode: {mode}")
        super().__init__(topic, state, warmup)

    def execute(self, statement: str, params: tuple = ()) -> None:
        self.connection.execute(statement, params)

    def create_table(self, table: str) -> str:
        return (
            f"CREATE TABLE {table} (originator_id TEXT, originator_version INTEGER, "
            "topic TEXT, state BLOB, PRIMARY KEY (originator_id, originator_version))"
        )

    def originator_id(self) -> str:
        return uuid.uuid4().hex  # as the library stores a UUID in SQLite

    def close(self) -> None:
        self.connection.close()


class RawPostgres(RawInserts):
    """With `planner`, also the pattern "protocol": the application's own save, one call of
    its insert function (EXCLUSIVE table lock, NOTIFY, INSERT into the events table) per row,
    sent from this plain connection with no Python around it: what the store's ordering and
    notifications cost by themselves."""

    marks = "%s, %s, %s, %s"

    def __init__(
        self, conninfo: str, topic: str, state: bytes, warmup: int, planner: Any = None
    ) -> None:
        import psycopg

        # Autocommit with explicit transactions, as the library's connection pool sets it.
        self.connection = psycopg.connect(conninfo, autocommit=True)
        self.cursor = self.connection.cursor()
        self.call = planner.recorder.insert_call(self.connection, 1) if planner else None
        super().__init__(topic, state, warmup)
        if self.call is not None:
            self.run_protocol(warmup)

    def run_protocol(self, count: int) -> Timing:
        rows = [[self.originator_id(), 1, self.topic, self.state] for _ in range(count)]
        execute, call = self.cursor.execute, self.call
        assert call is not None, "RawPostgres without the planner has no locked insert call"
        with timing(count) as timed:
            for row in rows:
                execute(call, row, prepare=True)
        return timed

    def execute(self, statement: str, params: tuple = ()) -> None:
        self.cursor.execute(statement, params or None)

    def create_table(self, table: str) -> str:
        return (
            f"CREATE TABLE {table} (originator_id uuid NOT NULL, "
            "originator_version bigint NOT NULL, topic text, state bytea, "
            "PRIMARY KEY (originator_id, originator_version))"
        )

    def originator_id(self) -> uuid.UUID:
        return uuid.uuid4()

    def close(self) -> None:
        self.cursor.close()
        self.connection.close()


# --- measuring --------------------------------------------------------------------------------


def measure(
    app: ThroughApplication,
    raw: RawInserts,
    commands: int,
    rounds: int,
    before: ThroughApplication | None = None,
) -> dict:
    """Rounds of: `commands` through the application (and through `before`, if given) and as
    many raw rows one transaction each, alternating in blocks; then as many raw rows in one
    transaction. Medians over the rounds, their spreads, and the ratios."""
    samples: dict[str, list[Timing]] = {"app": [], "row_tx": [], "one_tx": []}
    if before is not None:
        samples["before"] = []
    protocol = getattr(raw, "call", None) is not None
    if protocol:
        samples["protocol"] = []
    for _ in range(rounds):
        app_timing, row_timing, before_timing, protocol_timing = (Timing() for _ in range(4))
        for start in range(0, commands, BLOCK):
            block = min(BLOCK, commands - start)
            app_timing += app.run(block)
            row_timing += raw.run("row_tx", block)
            if protocol:
                protocol_timing += raw.run("protocol", block)
            if before is not None:
                before_timing += before.run(block)
        samples["app"].append(app_timing)
        samples["row_tx"].append(row_timing)
        if before is not None:
            samples["before"].append(before_timing)
        if protocol:
            samples["protocol"].append(protocol_timing)
        samples["one_tx"].append(raw.run("one_tx", commands))
    median = {name: statistics.median(t.per_s for t in runs) for name, runs in samples.items()}
    cpu = {name: statistics.median(t.cpu_ms for t in runs) for name, runs in samples.items()}
    same = median["app"] / median["row_tx"]
    compared: dict[str, Any] = {}
    if protocol:
        compared |= {
            "raw_protocol_rows_per_s": round(median["protocol"], 1),
            "protocol_to_raw_same_pattern": round(median["protocol"] / median["row_tx"], 3),
            "app_to_protocol": round(median["app"] / median["protocol"], 3),
        }
    if before is not None:
        compared |= {
            "before_commands_per_s": round(median["before"], 1),
            "before_to_raw_same_pattern": round(median["before"] / median["row_tx"], 3),
            "app_over_before": round(median["app"] / median["before"], 3),
        }
    return {
        **compared,
        "app_commands_per_s": round(median["app"], 1),
        "raw_row_tx_rows_per_s": round(median["row_tx"], 1),
        "raw_one_tx_rows_per_s": round(median["one_tx"], 1),
        "app_to_raw_same_pattern": round(same, 3),
        "app_to_raw_one_tx": round(median["app"] / median["one_tx"], 3),
        "target_met": same >= TARGET,
        "client_cpu_ms_per_op": {name: round(value, 3) for name, value in cpu.items()},
        "rounds": {name: [round(t.per_s, 1) for t in runs] for name, runs in samples.items()},
        "state_bytes": len(raw.state),
    }


def before_app(url: str, warmup: int, app: ThroughApplication, wanted: bool) -> Any:
    """The application as it was before (see `ThroughApplication`), or None."""
    return ThroughApplication(url, warmup, before=True, group_id=app.group_id) if wanted else None


def bench_sqlite(commands: int, rounds: int, compare: bool = False) -> dict[str, Any]:
    warmup = warmup_count(commands)
    with tempfile.TemporaryDirectory(prefix="trainplan-append-") as folder:
        url = f"sqlite:///{folder}/app.db"
        app = ThroughApplication(url, warmup)
        before = before_app(url, warmup, app, compare)
        try:
            raw = RawSQLite(Path(folder) / "raw.db", app.topic, app.state, warmup)
            try:
                return measure(app, raw, commands, rounds, before)
            finally:
                raw.close()
        finally:
            app.close()
            if before is not None:
                before.close()


def bench_postgres(
    commands: int, rounds: int, admin_url: str, compare: bool = False
) -> dict[str, Any]:
    try:
        import psycopg
    except ImportError as error:
        return {"skipped": f"psycopg is not installed ({error})"}
    warmup = warmup_count(commands)
    try:
        with scratch_database(admin_url, "trainplan_append") as url:
            app = ThroughApplication(url, warmup)
            before = before_app(url, warmup, app, compare)
            try:
                raw = RawPostgres(libpq(url), app.topic, app.state, warmup, app.planner)
                try:
                    statements = {"app": statements_per_command(app)}
                    if before is not None:
                        statements["before"] = statements_per_command(before)
                    return {
                        **measure(app, raw, commands, rounds, before),
                        "sql_statements_per_command": statements,
                        "scratch_database": database_name(url),
                    }
                finally:
                    raw.close()
            finally:
                app.close()
                if before is not None:
                    before.close()
    except psycopg.OperationalError as error:
        reason = " ".join(str(error).split())
        return {"skipped": f"PostgreSQL unreachable at {admin_url}: {reason}"}


# --- output -----------------------------------------------------------------------------------

LINES = (
    ("app_commands_per_s", "app", "application (1 save per command)", "commands/s"),
    ("before_commands_per_s", "before", "application before (1 read + 1 save)", "commands/s"),
    ("raw_row_tx_rows_per_s", "row_tx", "raw, one transaction per row", "rows/s"),
    ("raw_protocol_rows_per_s", "protocol", "raw, the app's locked insert call", "rows/s"),
    ("raw_one_tx_rows_per_s", "one_tx", "raw, one transaction for all rows", "rows/s"),
)


def report(engine: str, result: dict[str, Any]) -> None:
    if "skipped" in result:
        print(f"{engine}: SKIPPED, {result['skipped']}")
        return
    print(f"{engine} (event state {result['state_bytes']} bytes; median of rounds, spread)")
    for key, samples, label, unit in LINES:
        if samples not in result["rounds"]:
            continue
        low, high = min(result["rounds"][samples]), max(result["rounds"][samples])
        cpu = result["client_cpu_ms_per_op"][samples]
        print(
            f"  {label:<44}: {result[key]:8.0f} {unit:<10} ({low:.0f}-{high:.0f}; "
            f"client CPU {cpu:.3f} ms each)"
        )
    print(
        f"  {'app / raw, same pattern (tx per row)':<44}: {result['app_to_raw_same_pattern']:8.3f}"
    )
    if "protocol_to_raw_same_pattern" in result:
        print(
            f"  {'locked insert call / raw (inherent part)':<44}: "
            f"{result['protocol_to_raw_same_pattern']:8.3f}"
        )
        print(f"  {'app / locked insert call (Python part)':<44}: {result['app_to_protocol']:8.3f}")
    if "before_to_raw_same_pattern" in result:
        print(
            f"  {'before / raw, same pattern (tx per row)':<44}: "
            f"{result['before_to_raw_same_pattern']:8.3f}"
        )
        print(f"  {'app / before':<44}: {result['app_over_before']:8.3f}")
    print(f"  {'app / raw, one transaction':<44}: {result['app_to_raw_one_tx']:8.3f}")
    if "sql_statements_per_command" in result:
        counted = ", ".join(
            f"{name} {value:g}" for name, value in result["sql_statements_per_command"].items()
        )
        print(f"  {'SQL statements per command':<44}: {counted}")
    verdict = "MET" if result["target_met"] else "NOT MET"
    if result["machine_busy"]:
        load = "-".join(str(value) for value in result["load_average"])
        verdict += f" (not reliable: machine busy, load average {load})"
    print(f"  {f'target app >= {TARGET} x raw same pattern':<44}: {verdict}")


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--commands", type=int, default=2000, help="per round (default 2000)")
    parser.add_argument("--engines", default=",".join(ENGINES))
    parser.add_argument(
        "--pg-url",
        default=DEFAULT_PG,
        help="admin URL, used to create and drop the scratch database",
    )
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds (default 3)")
    parser.add_argument(
        "--before",
        action="store_true",
        help="also time the application as it was before issue 14's append work",
    )
    args = parser.parse_args()
    engines = [name.strip() for name in args.engines.split(",") if name.strip()]
    if set(engines) - set(ENGINES) or not engines:
        parser.error(f"--engines takes a comma-separated subset of {','.join(ENGINES)}")
    if args.commands < 1 or args.rounds < 1:
        parser.error("--commands and --rounds must be at least 1")
    starting_load = load_average()
    print(
        f"append benchmark: {args.commands} commands (and raw rows) per round, "
        f"{args.rounds} rounds, warm-up {warmup_count(args.commands)}; "
        f"Python {sys.version.split()[0]}, {os.cpu_count()} CPUs, load average {starting_load}"
    )
    benches: dict[str, Callable[[], dict[str, Any]]] = {
        "sqlite": lambda: bench_sqlite(args.commands, args.rounds, args.before),
        "postgresql": lambda: bench_postgres(args.commands, args.rounds, args.pg_url, args.before),
    }
    results: dict[str, Any] = {}
    for engine in engines:
        before = load_average()
        result = results[engine] = benches[engine]()
        if "skipped" not in result:
            result["load_average"] = [before, load_average()]
            result["machine_busy"] = is_busy(*result["load_average"])
        report(engine, result)
    ending_load = load_average()
    busy = is_busy(starting_load, ending_load) or any(
        result.get("machine_busy") for result in results.values()
    )
    print(f"load average at the end: {ending_load}")
    if busy:
        print(
            f"WARNING: the machine was busy with other work (load average >= {os.cpu_count()} "
            "CPUs): these figures and the verdicts are not reliable; rerun when it is quiet"
        )
    measured = [result for result in results.values() if "skipped" not in result]
    print(
        json.dumps(
            {
                "commands": args.commands,
                "rounds": args.rounds,
                "target_app_to_raw_same_pattern": TARGET,
                "target_met": all(r["target_met"] for r in measured) if measured else None,
                "machine_busy": busy,
                "load_average": [starting_load, ending_load],
                **results,
            }
        )
    )


if __name__ == "__main__":
    main()
