"""The `trainplan` command line."""

from __future__ import annotations

from collections import defaultdict

import typer
from rich.console import Console
from rich.table import Table

from api import demo as demo_scenario
from api.bootstrap import open_planner
from api.cli_serve import serve
from api.settings import get_settings
from domain import BusinessGroup, TrainingNeed

TRAINING_HOURS_PER_DAY = 6  # a learner-day of training counts 6 hours against the allowance

app = typer.Typer(
    name="trainplan",
    help="Training needs and facilities planning for the training boards of a police force.",
    no_args_is_help=True,
    add_completion=False,
)
app.command()(serve)
console = Console()


@app.callback()
def main() -> None:
    """Training needs and facilities planning for the training boards of a police force.

    The store is chosen by TRAINPLAN_DATABASE_URL (default: sqlite:///trainplan.db here)."""


@app.command()
def demo() -> None:
    """Record the 2003/04 demonstration scenario (groups, facilities and their schedules,
    the Orpington proposal, needs, the planning cycle) and print a summary."""
    settings = get_settings()
    planner = open_planner(settings)
    try:
        if demo_scenario.already_there(planner):
            console.print(
                f"The demo scenario is already in {settings.database_url}; nothing was changed."
            )
            return
        ids = demo_scenario.build(planner)
        console.print(
            f"Recorded the {demo_scenario.CYCLE} scenario in {settings.database_url} "
            f"({planner.recorder.max_notification_id()} events)."
        )
        console.print(_summary(planner, ids))
    finally:
        planner.close()


def _summary(planner, ids) -> Table:  # type: ignore[no-untyped-def]
    demanded: dict[str, float] = defaultdict(float)
    count: dict[str, int] = defaultdict(int)
    for need_id in ids["needs"]:
        need = planner.load(TrainingNeed, need_id)
        demanded[str(need.group_id)] += (
            need.analysis["learners"] * need.analysis["days_per_learner"]
        )
        count[str(need.group_id)] += 1
    table = Table(title="Training demanded against allowance, per business group")
    for column in ("Group", "Officers", "Staff", "Endorsed needs", "Learner-days",
                   "Hours per head", "Allowance (h/head)"):  # fmt: skip
        table.add_column(column, justify="left" if column == "Group" else "right")
    for group_id in ids["groups"].values():
        group = planner.load(BusinessGroup, group_id)
        days = demanded[str(group_id)]
        per_head = days * TRAINING_HOURS_PER_DAY / max(group.headcount, 1)
        allowance = group.allowance_hours_per_head or 0
        table.add_row(
            group.name,
            f"{group.officers:,}",
            f"{group.staff:,}",
            str(count[str(group_id)]),
            f"{days:,.0f}",
            f"[{'red' if per_head > allowance else 'green'}]{per_head:.1f}",
            f"{allowance:g}",
        )
    return table


if __name__ == "__main__":
    app()
