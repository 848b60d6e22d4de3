"""The OpenAPI document: FastAPI's own, plus what it cannot infer from the routes."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from api.http import read_your_writes
from api.http.problems import DESCRIPTIONS, PROBLEM_JSON, Problem, problems


def document(app: FastAPI) -> dict[str, Any]:
    """FastAPI's schema, plus what it cannot infer: the Problem schema every error refers to,
    and the Idempotency-Key header on every POST."""
    if app.openapi_schema:
        return app.openapi_schema
    schema = get_openapi(
        title=app.title,
        version=app.version,
        description=app.description,
        routes=app.routes,
        tags=app.openapi_tags,
    )
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    components["Problem"] = Problem.model_json_schema(ref_template="#/components/schemas/{model}")
    for name, definition in components["Problem"].pop("$defs", {}).items():
        components.setdefault(name, definition)
    for path, operations in schema.get("paths", {}).items():
        for method, operation in operations.items():
            responses = operation.get("responses", {})
            for code in ("422",):
                if code in responses:
                    responses[code]["content"] = {
                        PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}
                    }
                    responses[code]["description"] = DESCRIPTIONS[422]
            if "requestBody" in operation:
                # FastAPI answers 400 itself for a body it cannot decode (e.g. not UTF-8)
                responses.setdefault("400", problems(400)[400])
            if method == "post":
                operation.setdefault("parameters", []).append(
                    {
                        "name": "Idempotency-Key",
                        "in": "header",
                        "required": False,
                        "description": "Makes a retry safe: the same key and request replay the "
                        "first answer; the same key with another request is refused (422).",
                        "schema": {"type": "string", "minLength": 1, "maxLength": 255},
                    }
                )
                responses.setdefault(
                    "409",
                    {
                        "description": DESCRIPTIONS[409],
                        "content": {
                            PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}
                        },
                    },
                )
            if path.startswith("/api/") and "401" not in responses:
                responses["401"] = {
                    "description": DESCRIPTIONS[401],
                    "content": {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}},
                }
    read_your_writes.document(schema)
    app.openapi_schema = schema
    return schema
