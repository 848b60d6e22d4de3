"""The `trainplan` command line: its commands, gathered from the modules beside this one."""

from __future__ import annotations

import typer

from api.cli.audit import app as audit
from api.cli.common import TrainplanGroup
from api.cli.demo import demo
from api.cli.facilities import app as facilities
from api.cli.groups import app as groups
from api.cli.listings import cycles, needs
from api.cli.plan import optimise
from api.cli.projections import app as projections
from api.cli.prospectus import prospectus
from api.cli.serve import serve
from api.cli.worker import worker

app = typer.Typer(
    name="trainplan",
    help="Training needs and facilities planning for the training boards of a police force.",
    no_args_is_help=True,
    add_completion=False,
    cls=TrainplanGroup,
)
app.command()(serve)
app.command()(optimise)
app.command()(prospectus)
app.add_typer(projections, name="projections")
app.add_typer(audit, name="audit")
app.command()(demo)
app.add_typer(facilities, name="facilities")
app.add_typer(needs, name="needs")
app.add_typer(cycles, name="cycles")
app.add_typer(groups, name="groups")
app.command()(worker)


@app.callback()
def main() -> None:
    """Training needs and facilities planning for the training boards of a police force.

    The store is chosen by TRAINPLAN_DATABASE_URL (default: a SQLite file in ./trainplan-data,
    the folder TRAINPLAN_DATA_DIR names)."""
