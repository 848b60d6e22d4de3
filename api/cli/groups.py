"""`trainplan groups capability CODE PERCENT`: a business group's board sets the most of its
headcount that may be away training in any week (operational capability); the optimiser keeps
every week of the plan under it."""

from __future__ import annotations

import getpass
from typing import Annotated

import typer

from api.cli.common import fail, settings
from api.stack import open_stack
from domain import DomainError

app = typer.Typer(help="Business groups and their boards' limits.", no_args_is_help=True)


@app.command("capability")
def capability(
    code: Annotated[str, typer.Argument(help="The business group's code, e.g. SO.")],
    percent: Annotated[
        float,
        typer.Argument(help="Of its headcount, the most away training in any week (0-100)."),
    ],
    reason: Annotated[str, typer.Option(help="Why the board sets it (recorded).")],
    actor: Annotated[str, typer.Option(help="Who sets it (recorded).")] = "",
) -> None:
    """Sets a group's operational capability limit (per cent of its headcount away training
    in any week; 5 until set)."""
    if not 0 <= percent <= 100:
        fail("PERCENT", f"must be a percentage from 0 to 100, not {percent:g}")
    with open_stack(settings(), planning=False) as stack:
        try:
            group_id = stack.planner.group_id_for_code(code.strip().upper())
        except DomainError:
            fail("CODE", f"no business group has the code {code!r}")
        stack.planner.set_capability_limit(
            group_id,
            away_percent=percent,
            reason=reason,
            actor=actor or f"cli:{getpass.getuser()}",
        )
        stack.catch_up()
    typer.echo(f"{code.upper()}: at most {percent:g}% of its headcount away training in any week")
