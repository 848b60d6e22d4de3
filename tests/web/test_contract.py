"""The API against its own OpenAPI document: schemathesis generates requests for every operation
(valid and invalid ones) and checks that no answer is a 5xx and that every answer has a status
code, a content type and a body that the document declares for that operation.

The app runs in-process (ASGI: nothing leaves the process) on a fresh SQLite store seeded with a
little history, so commands and reads on real ids are exercised as well as on random ones.
Generation is bounded and derandomised, so CI sends the same cases on every run."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

# A run started by a generated request imports OR-Tools (and numpy) in the solver's thread;
# imported here first, it cannot be half-imported when hypothesis looks for numpy while it draws
# the next case (that race fails the test with "partially initialized module 'numpy'").
import planning.solver  # noqa: F401
from api.http.app import create_app
from api.settings import Settings
from tests.web.conftest import Api, auth
from tests.web.journeys import a_centre, a_cycle, a_facility, a_group, an_endorsed_need

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]

BOUNDED = settings(
    max_examples=10,
    deadline=None,
    derandomize=True,
    database=None,
    # generation speed says nothing about the API, and a loaded CI machine is slow
    suppress_health_check=list(HealthCheck),
)

# The document only: this app is never started, the store it names is never opened.
DOCUMENT = create_app(Settings(database_url="sqlite:////tmp/never-opened.db")).openapi()

schema = schemathesis.openapi.from_dict(copy.deepcopy(DOCUMENT))
"""Every operation, with all of schemathesis' phases: its coverage phase sends each parameter's
boundary and invalid values (a few thousand requests, not bounded by `max_examples`), then
`max_examples` random cases per operation."""

commands = schemathesis.openapi.from_dict(
    copy.deepcopy(DOCUMENT),
    config=schemathesis.Config.from_dict({"phases": {"coverage": {"enabled": False}}}),
).include(method="POST")
"""The commands only, random cases only: for a second principal, whose rights differ on
commands; the reads answer every role alike and the coverage cases are the same for both."""

KNOWN_IDS: dict[str, str] = {}
"""The seeded history's ids by the path parameter that names them (filled by `seeded_app`)."""


def known_ids(context: Any, path_parameters: dict[str, Any] | None) -> Any:
    """The generated ids or, where the seeded history has one, the real id."""
    known = {name: KNOWN_IDS[name] for name in path_parameters or {} if name in KNOWN_IDS}
    if not known:
        return st.just(path_parameters)
    return st.sampled_from([path_parameters, {**(path_parameters or {}), **known}])


def any_version(context: Any, headers: dict[str, Any] | None) -> Any:
    """The generated headers or, for a write that takes If-Match, `If-Match: *`, so that
    commands on the real ids get past the precondition and answer their success too."""
    parameters = context.operation.definition.raw.get("parameters", [])
    if not any(p.get("in") == "header" and p.get("name") == "if-match" for p in parameters):
        return st.just(headers)
    return st.sampled_from([headers, {**(headers or {}), "If-Match": "*"}])


for each in (schema, commands):
    each.hook("flatmap_path_parameters")(known_ids)
    each.hook("flatmap_headers")(any_version)


@pytest.fixture(scope="module")
def seeded_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FastAPI]:
    """The app on a fresh SQLite store that holds a group, an endorsed need, a facility, a
    proposed centre and a planning cycle. schemathesis starts the app's lifespan for each test
    (the store stays) and ends it after."""
    store = tmp_path_factory.mktemp("contract") / "trainplan.db"
    app = create_app(Settings(database_url=f"sqlite:///{store}"))
    with TestClient(app, raise_server_exceptions=False) as client:
        api = Api(client)
        group_id = a_group(api)
        need_id = an_endorsed_need(api, group_id)
        KNOWN_IDS.update(
            group_id=group_id,
            need_id=need_id,
            facility_id=a_facility(api, group_id),
            centre_id=a_centre(api),
            cycle_id=a_cycle(api),
            entity_id=need_id,
        )
    yield app
    KNOWN_IDS.clear()


# Parametrised by principal, each operation's test also gets its own node id: with pytest 9.2,
# schemathesis 4.32 gives unparametrised tests one id for all operations.
@pytest.mark.parametrize("principal", ["tmb"])
@schema.parametrize()
@BOUNDED
def test_every_operation_answers_as_its_openapi_says(
    case: Any, seeded_app: FastAPI, principal: str
) -> None:
    case.call_and_validate(app=seeded_app, headers=auth(principal), checks=CHECKS)


@pytest.mark.parametrize("principal", ["lspu"])
@commands.parametrize()
@BOUNDED
def test_every_command_answers_as_its_openapi_says(
    case: Any, seeded_app: FastAPI, principal: str
) -> None:
    case.call_and_validate(app=seeded_app, headers=auth(principal), checks=CHECKS)
