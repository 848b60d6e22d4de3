from tests.planning.builders import need, outcome, problem, solved


def test_mandatory_learners_come_before_any_other_priority():
    # one room-day only: the mandatory need wins over a higher-weighted one
    day = need().window_start
    p = problem(needs=[
        need("m", learners=4, level="Optional", score=0, mandatory=True, window_end=day),
        need("e", course="X", learners=12, level="Mandated", score=100, window_end=day),
    ], ends_on=day)  # fmt: skip
    result = solved(p)
    assert outcome(result, "m").learners_met == 4
    assert outcome(result, "e").learners_met == 0
    assert "lexicographic" in result.objective_terms


def test_a_higher_level_wins_the_last_room():
    day = need().window_start
    p = problem(needs=[need("d", level="Desirable", window_end=day),
                       need("e", course="X", level="Essential", window_end=day)],
                ends_on=day)  # fmt: skip
    result = solved(p)
    assert outcome(result, "e").learners_met == 10 and outcome(result, "d").learners_met == 0


def test_the_cheaper_venue_is_chosen_when_all_else_is_equal():
    from tests.planning.builders import venue

    p = problem(needs=[need()], venues=[venue("dear", cost_per_day=900), venue("cheap")])
    assert {s.venue_id for s in solved(p).sessions} == {"cheap"}


def test_settings_and_status_are_reported_as_plain_json():
    import json

    result = solved(problem())
    data = json.loads(json.dumps(result.to_dict()))
    assert data["settings"] == {"time_limit": 5.0, "workers": 1, "seed": 1}
    assert data["status"] == "OPTIMAL" and data["gap"] == 0.0
