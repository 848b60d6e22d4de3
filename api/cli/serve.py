"""`trainplan serve`: the HTTP API under uvicorn (mounted on the root CLI by `api.cli`)."""

from __future__ import annotations

from typing import Annotated

import typer


def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port to listen on")] = 8000,
    workers: Annotated[
        int,
        typer.Option(
            min=1,
            max=64,
            help="Worker processes. Use more than 1 only with PostgreSQL "
            "(TRAINPLAN_DATABASE_URL): a SQLite file has one writer at a time.",
        ),
    ] = 1,
    log_level: Annotated[str, typer.Option(help="uvicorn log level")] = "info",
) -> None:
    """Serve the HTTP API (OpenAPI at /docs) on the store TRAINPLAN_DATABASE_URL names."""
    import uvicorn

    from api.cli.common import fail
    from api.http.auth import load_tokens
    from api.settings import get_settings
    from domain.store import is_postgres

    settings = get_settings()
    try:
        load_tokens(settings)  # a malformed token setting stops here, not inside the server
    except ValueError as error:  # its text names the setting: "TRAINPLAN_TOKENS: rule"
        where, _, rule = str(error).partition(": ")
        fail(where, rule)
    if workers > 1 and not is_postgres(settings.database_url):
        typer.echo(
            "Several workers on one SQLite file contend for its single writer; "
            "set TRAINPLAN_DATABASE_URL to PostgreSQL for that.",
            err=True,
        )
    typer.echo(f"trainplan on http://{host}:{port}/docs  (store: {settings.database_url})")
    uvicorn.run(
        "api.http.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level=log_level,
        timeout_graceful_shutdown=10,
    )
