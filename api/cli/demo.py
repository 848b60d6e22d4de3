"""`trainplan demo`: records the 2003/04 demonstration scenario (`api.cli.demo_scenario`),
optimises it and publishes the prospectus, through the same stack as every other command."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from api.cli import demo_scenario
from api.cli.plan import centre_names, coverage_table, plan_summary, run_once, stages_table
from api.http.auth import demo_tokens
from api.settings import get_settings
from api.stack import Stack, open_stack

console = Console()
DEMO_SECONDS = 20.0


def demo(
    time_limit: Annotated[
        float,
        typer.Option(
            "--time-limit",
            min=1.0,
            max=600.0,
            help="Seconds for the optimiser (20 by default: on this 2-core machine under load, "
            "the time all four stages need on the demo; bench/optimiser.py --sizes demo)",
        ),
    ] = DEMO_SECONDS,
    publish: Annotated[
        bool, typer.Option(help="Publish the optimiser's draft as the TMB would.")
    ] = True,
) -> None:
    """Record the 2003/04 demonstration scenario (groups, facilities and their schedules,
    the Orpington proposal, needs, the planning cycle), run the optimiser on it, publish the
    prospectus, and print a summary. Running it again changes nothing."""
    settings = get_settings()
    stack = open_stack(settings)
    try:
        planner = stack.planner
        if demo_scenario.already_there(planner):
            console.print(
                f"The demo scenario is already in {settings.database_url}; nothing was changed."
            )
            return
        ids = demo_scenario.build(planner)
        stack.catch_up()
        console.print(
            f"Recorded the {demo_scenario.CYCLE} scenario in {settings.database_url} "
            f"({planner.recorder.max_notification_id()} events)."
        )
        cycle_id = ids["cycle_id"]
        console.print(f"The TMB runs the optimiser on cycle {demo_scenario.CYCLE}:")
        result = run_once(
            stack, cycle_id, demo_scenario.TMB, time_limit, effective_on=demo_scenario.RUN_ON
        )
        console.print(plan_summary(result, centre_names(stack)))
        console.print(stages_table(result))
        console.print(coverage_table(result))
        if publish and result.get("sessions"):
            planner.publish_prospectus(
                cycle_id,
                reason="The TMB publishes the optimiser's draft for the 2003/04 plan",
                actor=demo_scenario.TMB,
                effective_on=demo_scenario.PUBLISHED_ON,
            )
            stack.catch_up()
            console.print(
                f"Published the {demo_scenario.CYCLE} prospectus effective "
                f"{demo_scenario.PUBLISHED_ON}: every session's booking is confirmed at its "
                f"facility. `trainplan prospectus {demo_scenario.CYCLE}` prints it; "
                "`trainplan serve` serves it (demo tokens below); `trainplan audit replay "
                "--as-of 2003-01-01` shows the story as it stood then."
            )
        console.print(_summary(stack))
        console.print(_tokens_table())
    finally:
        stack.close()


def _tokens_table() -> Table:
    table = Table(title="Demo bearer tokens (for `trainplan serve`, /docs)")
    table.add_column("Token")
    table.add_column("Principal")
    table.add_column("Role")
    table.add_column("Group")
    for token, entry in demo_tokens().items():
        table.add_row(token, entry["name"], entry["role"], entry.get("group") or "")
    return table


def _summary(stack: Stack) -> Table:
    """Training time per head against the allowance, per business group (the read model)."""
    rows, _ = stack.projections.query("group_time")
    table = Table(title="Training time per head against the allowance (learner-hours)")
    columns = ("Group", "Officers", "Staff", "Needs", "Endorsed h/head", "Scheduled h/head",
               "Allowance h/head")  # fmt: skip
    for column in columns:
        table.add_column(column, justify="left" if column == "Group" else "right")
    for row in rows:
        allowance = row["allowance_hours_per_head"]
        endorsed = row["hours_endorsed_per_head"]
        colour = "red" if allowance is not None and endorsed > allowance else "green"
        table.add_row(
            row["name"],
            f"{row['officers']:,}",
            f"{row['staff']:,}",
            str(row["needs"]),
            f"[{colour}]{endorsed:.1f}",
            f"{row['hours_scheduled_per_head']:.1f}",
            "-" if allowance is None else f"{allowance:g}",
        )
    return table
