"""`python -m api.cli ...` runs the `trainplan` command line."""

from api.cli import app

app()
