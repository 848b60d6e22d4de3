import pytest

from planning.scenarios import GROUPS, SIZES, generate


@pytest.mark.parametrize("size", SIZES)
def test_each_size_builds_a_problem_with_needs_venues_and_two_centres(size):
    problem = generate(size)
    assert problem.needs and problem.venues and len(problem.centres) == 2
    assert problem.budget > 0


def test_the_same_seed_gives_the_same_digest_and_another_seed_a_different_one():
    assert generate("M", seed=3).digest() == generate("m", seed=3).digest()
    assert generate("M", seed=3).digest() != generate("M", seed=4).digest()


def test_xl_is_the_whole_force():
    problem = generate("XL")
    officers = sum(g[2] for g in GROUPS)
    staff = sum(g[3] for g in GROUPS)
    assert 32_000 <= officers <= 34_000 and 13_000 <= staff <= 15_000
    assert sum(g.headcount for g in problem.groups) == officers + staff
    assert len(problem.venues) >= 60
    assert {c.name.split()[0] for c in problem.centres} == {"Orpington", "Marlowe"}
    ost = sum(n.learners for n in problem.needs if n.course_code == "OST")
    assert ost == officers
    assert all(n.mandatory and n.days == 2 for n in problem.needs if n.course_code == "OST")


@pytest.mark.parametrize("size", ["XXL", "", "small"])
def test_an_unknown_size_is_refused_naming_the_argument(size):
    with pytest.raises(ValueError, match="size: must be one of S, M, L, XL"):
        generate(size)
