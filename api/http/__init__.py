"""The HTTP API: the FastAPI app (`api.http.app.create_app`), one router per resource, request
and response schemas, errors as problem+json, bearer tokens and rights, idempotency keys."""
