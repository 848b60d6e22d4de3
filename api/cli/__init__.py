"""The `trainplan` command line (Typer): `app` is the console entry point."""

from api.cli.main import app

__all__ = ["app"]
