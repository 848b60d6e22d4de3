import pytest

from planning.scenarios import generate
from planning.whatif import WhatIf, apply, compare, parse


def test_a_what_if_is_parsed_from_the_cli_syntax():
    w = parse("name=try;open=Orpington;close=c-sidcup;budget=8000000;allowance.TP=30")
    assert w == WhatIf("try", {"Orpington": True, "c-sidcup": False}, 8_000_000, {"TP": 30.0})


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("", "at least one part"),
        ("open", "must be key=value"),
        ("budget=lots", "budget must be whole pounds"),
        ("allowance.TP=-3", "allowance must be hours per head"),
        ("colour=red", "key must be name, open, close"),
    ],
)
def test_bad_what_if_text_is_refused_naming_the_part_and_rule(text, rule):
    with pytest.raises(ValueError, match=rule):
        parse(text)


def test_apply_forces_centres_and_replaces_budget_and_allowance():
    problem = generate("S")
    variant = apply(problem, parse("open=Orpington;budget=1234;allowance.TP=12.5"))
    assert {c.centre_id: c.forced for c in variant.centres}["c-orpington"] is True
    assert variant.budget == 1234 and variant.groups[0].allowance_hours_per_head == 12.5
    assert problem.budget != 1234  # the base is unchanged


@pytest.mark.parametrize(
    ("text", "field"), [("open=Nowhere", "centres"), ("allowance.XX=3", "allowances")]
)
def test_apply_refuses_an_unknown_centre_or_group(text, field):
    with pytest.raises(ValueError, match=field):
        apply(generate("S"), parse(text))


def test_opening_orpington_against_keeping_it_shut_is_the_solvers_difference():
    problem = generate("S")
    comparison = compare(
        problem,
        [parse("name=open;open=Orpington;budget=700000"),
         parse("name=shut;close=Orpington;budget=700000")],
        time_limit=5,
    )  # fmt: skip
    _base, opened, shut = comparison.rows
    for row in comparison.rows:
        assert row.validation_errors == ()
        assert row.status in ("OPTIMAL", "FEASIBLE")
    assert "c-orpington" in opened.centres_opened and "c-orpington" not in shut.centres_opened
    assert opened.cash_cost >= 480_000 > shut.cash_cost
    assert opened.coverage["Mandated"][0] >= shut.coverage["Mandated"][0]
    assert comparison.to_dict()["rows"][1]["name"] == "open"
