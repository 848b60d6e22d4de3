"""Pages for people: server-rendered HTML (Jinja2) over the same read models, commands and
planning service as the HTTP API, signed in with the same tokens (`api.web.session`). Every
asset is served by the app itself, `/docs` and `/redoc` included: a page asks no other host
for anything.

`install(app)` mounts it all: the static files, the API documentation pages, and one router
per page (`api.web.pages`)."""

from __future__ import annotations

from pathlib import Path

import fastapi_offline
from fastapi import FastAPI
from fastapi.openapi.docs import (
    get_redoc_html,
    get_swagger_ui_html,
    get_swagger_ui_oauth2_redirect_html,
)
from fastapi.responses import FileResponse, HTMLResponse, Response
from fastapi.staticfiles import StaticFiles

from api.web.common import PageRefused, SignInRequired, on_page_refused, on_sign_in_required
from api.web.pages import ROUTERS

STATIC = Path(__file__).parent / "static"
DOCS_ASSETS = Path(fastapi_offline.__file__).parent / "static"


def install(app: FastAPI) -> None:
    """The pages, their static files and the API documentation, on `app`. The app is made
    with `docs_url=None, redoc_url=None`: these pages serve /docs and /redoc themselves."""
    _redoc_bundle(app)  # before the mount, which would serve the bundle as it is
    app.mount("/static/docs", StaticFiles(directory=DOCS_ASSETS), name="docs-assets")
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.add_exception_handler(SignInRequired, on_sign_in_required)
    app.add_exception_handler(PageRefused, on_page_refused)
    for router in ROUTERS:
        app.include_router(router)
    _documentation(app)


REDOC_LOGO = "https://cdn.redoc.ly/redoc/logo-mini.svg"


def _redoc_bundle(app: FastAPI) -> None:
    """ReDoc's bundle as packaged, but for the one asset it fetches from its makers' host (its
    logo, drawn in the sidebar), which is pointed at this site's icon."""
    bundle: list[bytes] = []

    @app.get("/static/docs/redoc.standalone.js", include_in_schema=False)
    def redoc_bundle() -> Response:
        if not bundle:
            text = (DOCS_ASSETS / "redoc.standalone.js").read_bytes()
            bundle.append(text.replace(REDOC_LOGO.encode(), b"/static/favicon.svg"))
        return Response(
            bundle[0],
            media_type="text/javascript",
            headers={"Cache-Control": "public, max-age=86400"},
        )


def _documentation(app: FastAPI) -> None:
    openapi_url = app.openapi_url or "/openapi.json"

    @app.get("/favicon.ico", include_in_schema=False)
    def favicon() -> FileResponse:
        return FileResponse(STATIC / "favicon.svg", media_type="image/svg+xml")

    @app.get("/docs", include_in_schema=False)
    def swagger_ui() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=openapi_url,
            title=f"{app.title} - API",
            oauth2_redirect_url="/docs/oauth2-redirect",
            swagger_js_url="/static/docs/swagger-ui-bundle.js",
            swagger_css_url="/static/docs/swagger-ui.css",
            swagger_favicon_url="/static/favicon.svg",
            swagger_ui_parameters={"validatorUrl": None},
        )

    @app.get("/docs/oauth2-redirect", include_in_schema=False)
    def swagger_ui_redirect() -> HTMLResponse:
        return get_swagger_ui_oauth2_redirect_html()

    @app.get("/redoc", include_in_schema=False)
    def redoc() -> HTMLResponse:
        return get_redoc_html(
            openapi_url=openapi_url,
            title=f"{app.title} - API",
            redoc_js_url="/static/docs/redoc.standalone.js",
            redoc_favicon_url="/static/favicon.svg",
            with_google_fonts=False,
        )
