"""`trainplan optimise`: the board's planning from the command line (`trainplan prospectus` is in
`api.cli.prospectus`).

A run goes through the same PlanningService as the API: its start, its result and the draft
prospectus are recorded as events on the PlanningCycle."""

from __future__ import annotations

import getpass
import json
import time
from typing import Annotated, Any
from uuid import UUID

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn
from rich.table import Table

from api.cli.common import fail
from api.settings import get_settings
from api.stack import Stack, open_stack
from domain import DomainError
from planning.adapter import ProblemError, build_problem
from planning.service import RunProgress, summary
from planning.whatif import check, impossible, parse

console = Console()


def _default_actor() -> str:
    return f"cli:{getpass.getuser()}"


def optimise(
    cycle: Annotated[str, typer.Argument(help="The planning cycle's name, e.g. 2003/04.")],
    time_limit: Annotated[
        float, typer.Option("--time-limit", min=1.0, max=3600.0, help="Seconds for the solver.")
    ] = 30.0,
    what_if: Annotated[
        list[str] | None,
        typer.Option(
            "--what-if",
            help="A variant to compare with the base plan, e.g. 'close=Orpington' or "
            "'open=Orpington;budget=8000000;allowance.TP=30'. Repeat for several.",
        ),
    ] = None,
    workers: Annotated[int, typer.Option(min=1, max=16, help="Solver workers.")] = 2,
    seed: Annotated[int, typer.Option(help="Solver random seed.")] = 0,
    actor: Annotated[str, typer.Option(help="Who runs it (recorded).")] = "",
    effective_on: Annotated[
        str | None,
        typer.Option(
            "--effective-on",
            help="The business date the run and its draft take effect, YYYY-MM-DD (default: "
            "today; not before the cycle's last step).",
        ),
    ] = None,
    as_json: Annotated[
        bool,
        typer.Option(
            "--json",
            help="Print the run as one JSON object (stages, learners met per level against the "
            "greedy plan, cash cost, abstraction, needs left short with reasons) and nothing "
            "else on stdout.",
        ),
    ] = False,
) -> None:
    """Optimise a cycle: the draft prospectus is recorded, then printed with what was not met
    and why. With --what-if, each variant is solved too and compared side by side."""
    stack = open_stack(get_settings())
    shown = Console(stderr=True) if as_json else console
    try:
        cycle_id = _cycle_id(stack, cycle)
        check_before_solving(stack, cycle_id, cycle, what_if or [])
        who = actor or _default_actor()

        def solve(variant: str | None, label: str) -> dict[str, Any]:
            return _run(stack, cycle_id, who, time_limit, workers, seed, variant, label, shown,
                        effective_on=effective_on)  # fmt: skip

        base = solve(None, "base plan")
        results = [("base plan", base)]
        for text in what_if or []:
            results.append((text, solve(text, text)))
        names = centre_names(stack)
        if as_json:
            data = run_json(base, names)
            if len(results) > 1:
                data["what_if"] = [{"what_if": label, **run_json(r, names)}
                                   for label, r in results[1:]]  # fmt: skip
            typer.echo(json.dumps(data))
            return
        console.print(plan_summary(base, names))
        console.print(stages_table(base))
        console.print(coverage_table(base))
        console.print(outcomes_table(base, need_titles(stack)))
        for shortfall in base.get("shortfalls") or []:
            console.print(f"Shortfall: {shortfall.get('text')}")
        if len(results) > 1:
            console.print(comparison_table(results, names))
    finally:
        stack.close()


def run_json(result: dict[str, Any], names: dict[str, str] | None = None) -> dict[str, Any]:
    """A run in the planners' units as plain JSON (planning.service.summary), with its status,
    the centres it opens by name and its number of sessions."""
    return {
        "status": result.get("status"),
        "sessions": len(result.get("sessions") or []),
        "centres_opened": [(names or {}).get(c, c) for c in result.get("centres_opened") or []],
        **summary(result),
    }


def _cycle_id(stack: Stack, name: str) -> UUID:
    try:
        return stack.planner.cycle_id_for_name(name)
    except DomainError as error:
        console.print(f"[red]cycle: {error}[/red]")
        raise typer.Exit(2) from error


def check_before_solving(stack: Stack, cycle_id: UUID, cycle: str, what_ifs: list[str]) -> None:
    """Every what-if read and applied, and the base and each variant checked for what makes
    them infeasible whatever is planned, before anything is solved or recorded: a bad what-if
    is one line naming it, and no run is recorded."""
    variants = []
    for text in what_ifs:
        try:
            variants.append((text, parse(text)))
        except ValueError as error:
            fail(f"--what-if {text!r}", str(error).removeprefix(f"what-if part {text!r}: "))
    try:
        problem = build_problem(stack.projections.problem_source(), cycle_id)
    except ProblemError as error:
        fail("CYCLE", f"{cycle} cannot be planned: {error}", code=1)
    found = impossible(problem)
    if found:
        fail("CYCLE", f"{cycle} cannot be planned: {'; '.join(found)}", code=1)
    for text, change in variants:
        try:
            check(problem, change)
        except ValueError as error:
            fail(f"--what-if {text!r}", str(error))


def run_once(
    stack: Stack, cycle_id: UUID, actor: str, time_limit: float, effective_on: str | None = None
) -> dict[str, Any]:
    """One base-plan run with a progress bar (two workers, seed 0); its result as plain data."""
    return _run(stack, cycle_id, actor, time_limit, 2, 0, None, "base plan",
                effective_on=effective_on)  # fmt: skip


def _run(
    stack: Stack,
    cycle_id: UUID,
    actor: str,
    time_limit: float,
    workers: int,
    seed: int,
    what_if: str | None,
    label: str,
    shown: Console | None = None,
    *,
    effective_on: str | None = None,
) -> dict[str, Any]:
    columns = (
        TextColumn("[bold]{task.description}"),
        BarColumn(bar_width=24),
        TextColumn("{task.fields[left]}"),
        TextColumn("{task.fields[stage]}"),
        TextColumn("{task.fields[incumbent]}"),
    )
    started = time.monotonic()
    with Progress(*columns, console=shown or console, transient=False) as bar:
        task = bar.add_task(f"Optimising ({label})", total=time_limit, left="",
                            stage="starting", incumbent="")  # fmt: skip

        def show(progress: RunProgress) -> None:
            elapsed = min(time.monotonic() - started, time_limit)
            stage, incumbent = progress_words(progress)
            bar.update(task, completed=elapsed, stage=stage, incumbent=incumbent,
                       left=f"{time_limit - elapsed:,.0f} s left of {time_limit:,.0f}")  # fmt: skip

        if stack.planning is None:
            raise RuntimeError("the stack was opened without its planning service")
        run = stack.planning.run(
            cycle_id,
            actor=actor,
            on_progress=show,
            time_limit=time_limit,
            workers=workers,
            seed=seed,
            what_if=what_if,
            effective_on=effective_on,
        )
        bar.update(task, completed=time_limit, left="done", stage=run.state)
    if run.state == "failed":
        console.print(f"[red]The run failed: {run.error}[/red]")
        raise typer.Exit(1)
    return run.result or {}


def progress_words(progress: RunProgress) -> tuple[str, str]:
    """The stage a run is in and its best plan so far, in that stage's unit."""
    stage = progress.stage or "placing mandated learners"
    if progress.objective is None:
        return stage, "no plan reported yet"
    gap = "" if progress.gap is None else f", within {progress.gap:.1%} of the bound"
    return stage, f"best {_number(progress.objective)} {progress.unit or ''}{gap}"


def centre_names(stack: Stack) -> dict[str, str]:
    """Each delivery centre proposal's name, from the read model."""
    rows, _ = stack.projections.query("centres", limit=1000)
    return {r["id"]: r["name"] for r in rows}


def _centres(result: dict[str, Any], names: dict[str, str] | None) -> str:
    opened = [(names or {}).get(c, c) for c in result.get("centres_opened") or []]
    return ", ".join(opened) or "none"


def plan_summary(result: dict[str, Any], names: dict[str, str] | None = None) -> Table:
    outcome = summary(result)
    cash = outcome["cash_cost"] or {}
    table = Table(title="Optimisation run", show_header=False)
    table.add_column("what")
    table.add_column("value", justify="right")
    rows = [
        ("Status", str(result.get("status"))),
        ("Sessions", f"{len(result.get('sessions') or []):,}"),
        ("Centres opened", _centres(result, names)),
        ("Cash cost (£)", _number(cash.get("total"))),
        ("  capital: centre set-up (£)", _number(cash.get("capital"))),
        ("  revenue: venues, room-days, trainers (£)", _number(cash.get("revenue"))),
        ("Learner abstraction (£, apart)", _number(outcome["abstraction_cost"])),
    ]
    for name, value in rows:
        table.add_row(name, value)
    return table


def stages_table(result: dict[str, Any]) -> Table:
    """Each stage of the search in its own unit: the plan's value, the bound, the gap."""
    table = Table(title="Stages (each holds the ones before)")
    for column in ("Stage", "Status", "Plan", "Bound", "Gap", "Unit", "Started from", "Seconds"):
        table.add_column(column, justify="left" if column in ("Stage", "Unit") else "right")
    for stage in result.get("stages") or []:
        gap = stage.get("gap")
        table.add_row(
            str(stage.get("name")),
            str(stage.get("status")),
            _amount(stage.get("objective")),
            _amount(stage.get("bound")),
            "-" if gap is None else f"{gap:.2%}",
            str(stage.get("unit") or ""),
            _amount(stage.get("start")),
            f"{stage.get('seconds') or 0:.1f}",
        )
    return table


def coverage_table(result: dict[str, Any]) -> Table:
    """Learners met and demanded per priority level, against the greedy starting plan."""
    outcome = summary(result)
    met = outcome["learners_met"] or {}
    demanded = outcome["learners_demanded"] or {}
    greedy = outcome["baseline_learners_met"] or {}
    table = Table(title="Learners trained per priority level")
    for column in ("Level", "Met", "Demanded", "Greedy plan"):
        table.add_column(column, justify="left" if column == "Level" else "right")
    for level in met:
        table.add_row(level, _number(met.get(level)), _number(demanded.get(level)),
                      _number(greedy.get(level)))  # fmt: skip
    return table


def need_titles(stack: Stack) -> dict[str, str]:
    """Each need's title and group, from the needs register, to name needs in tables."""
    titles: dict[str, str] = {}
    offset = 0
    while True:
        rows, total = stack.projections.query("needs", limit=1000, offset=offset)
        titles.update({r["need_id"]: f"{r['title']} ({r['group_code']})" for r in rows})
        offset += len(rows)
        if not rows or offset >= total:
            return titles


def outcomes_table(
    result: dict[str, Any], titles: dict[str, str] | None = None, limit: int = 30
) -> Table:
    outcomes = [o for o in result.get("outcomes") or [] if o.get("status") != "met"]
    table = Table(title=f"Needs not fully met: {len(outcomes)}")
    for column in ("Need", "Status", "Met", "Learners", "Why"):
        table.add_column(column)
    for outcome in outcomes[:limit]:
        table.add_row(
            (titles or {}).get(str(outcome.get("need_id")), str(outcome.get("need_id"))),
            str(outcome.get("status")),
            f"{outcome.get('learners_met', 0):,}",
            f"{outcome.get('learners', 0):,}",
            "; ".join(outcome.get("reasons") or []),
        )
    return table


def comparison_table(
    results: list[tuple[str, dict[str, Any]]], names: dict[str, str] | None = None
) -> Table:
    table = Table(title="What-if comparison")
    table.add_column("")
    for label, _ in results:
        table.add_column(label, justify="right")

    def row(name: str, value: Any) -> None:
        table.add_row(name, *(value(result) for _, result in results))

    row("Status", lambda r: str(r.get("status")))
    row("Mandated learners", lambda r: _number((r.get("learners_met") or {}).get("Mandated")))
    row("Cash cost (£)", lambda r: _number((r.get("cost") or {}).get("total")))
    row("Centres opened", lambda r: _centres(r, names))
    row("Needs met", lambda r: str(sum(o.get("status") == "met" for o in r.get("outcomes") or [])))
    row(
        "Learners met",
        lambda r: f"{sum(o.get('learners_met', 0) for o in r.get('outcomes') or []):,}",
    )
    return table


def _number(value: Any) -> str:
    return "-" if value is None else f"{float(value):,.0f}"


def _amount(value: Any) -> str:
    """A stage's value: whole numbers as such, per cents to two places."""
    if value is None:
        return "-"
    number = float(value)
    return f"{number:,.0f}" if number.is_integer() or abs(number) >= 1000 else f"{number:,.2f}"
