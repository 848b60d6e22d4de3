from planning.model import Reason
from tests.planning.builders import kinds, need, outcome, problem, solved


def test_the_cash_cost_stays_within_the_budget():
    # one 1-day session costs 100 (room) + 250 (trainer)
    p = problem(needs=[need(learners=24, class_max=12)], budget=400)
    result = solved(p)
    assert result.cost.total <= 400
    assert outcome(result, "n1").learners_met == 12
    assert kinds(outcome(result, "n1")) == (Reason.BUDGET_REACHED,)


def test_learner_abstraction_is_reported_but_not_held_to_the_budget():
    p = problem(needs=[need(learners=10)], budget=350)
    result = solved(p)
    assert result.cost.total == 350
    assert result.cost.learner_abstraction == 10 * 180
