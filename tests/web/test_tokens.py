"""The demo tokens and the tokens file."""

from __future__ import annotations

import pytest

from api.http.auth import Role, demo_tokens, parse_tokens, read_tokens, write_tokens


def test_every_role_has_a_demo_token_and_every_demo_token_parses():
    principals = parse_tokens(demo_tokens(), source="demo tokens")
    assert {principal.role for principal in principals.values()} == set(Role)


def test_changing_the_returned_demo_tokens_leaves_the_demo_set_alone():
    tokens = demo_tokens()
    tokens["demo-tmb"]["role"] = "auditor"
    assert demo_tokens()["demo-tmb"]["role"] == "tmb"


def test_a_tokens_file_round_trips_and_is_private(tmp_path):
    path = write_tokens(tmp_path / "tokens.json")
    assert path.stat().st_mode & 0o077 == 0
    assert read_tokens(path) == parse_tokens(demo_tokens(), source="demo tokens")


def test_a_scoped_role_without_a_group_is_refused_naming_the_rule():
    with pytest.raises(ValueError, match="needs a group"):
        parse_tokens({"t": {"name": "p", "role": "planner"}}, source="env")
