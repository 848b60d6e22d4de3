from datetime import date

from planning.model import Session
from tests.planning.builders import need, problem, solved, venue

TUESDAY = date(2027, 1, 5)


def _session(sid, start, pinned, venue_id="v1", learners=10):
    return Session(sid, "FA", "facility", venue_id, start, 1, {"n1": learners},
                   {"g1": learners}, pinned)  # fmt: skip


def test_a_pinned_session_stays_exactly_as_published():
    pinned = _session("pub-1", TUESDAY, True)
    p = problem(needs=[need(learners=20)], previous=[pinned])
    result = solved(p)
    assert pinned in result.sessions
    assert sum(s.needs.get("n1", 0) for s in result.sessions) == 20


def test_a_pinned_session_counts_against_the_rooms():
    pinned = _session("pub-1", TUESDAY, True)
    p = problem(needs=[need(learners=20, window_start=TUESDAY, window_end=TUESDAY),
                       need("n2", course="X", window_start=TUESDAY, window_end=TUESDAY)],
                previous=[pinned])  # fmt: skip
    result = solved(p)
    assert [s.session_id for s in result.sessions] == ["pub-1"]


def test_an_unpinned_session_keeps_its_place_when_nothing_forces_a_move():
    published = _session("pub-1", TUESDAY, False)
    p = problem(needs=[need()], previous=[published])
    result = solved(p)
    assert [s.session_id for s in result.sessions] == ["pub-1"]
    assert result.moves == ()


def test_a_moved_session_is_listed_with_why():
    published = _session("pub-1", TUESDAY, False)
    p = problem(needs=[need()], previous=[published], venues=[venue(taken={TUESDAY: 1})])
    result = solved(p)
    (move,) = result.moves
    assert move.session_id == "pub-1" and move.why == "venue closed on those dates"
    assert move.after is not None and move.after["starts_on"] != TUESDAY.isoformat()


def test_a_session_moved_for_a_mandated_need_says_so():
    published = _session("pub-1", TUESDAY, False)
    p = problem(
        needs=[need(),
               need("m", course="X", level="Mandated", mandatory=True, window_start=TUESDAY,
                    window_end=TUESDAY)],
        previous=[published],
    )  # fmt: skip
    result = solved(p)
    (move,) = result.moves
    assert move.why == "freed room for a Mandated need"


def test_pinned_learners_count_against_the_allowance():
    from tests.planning.builders import group

    pinned = _session("pub-1", TUESDAY, True, learners=10)
    # 10 heads x 8 hours: the pinned 10 learner-days use the whole allowance
    p = problem(needs=[need(learners=20)], previous=[pinned], groups=[group("g1", 10, 8.0)])
    result = solved(p)
    assert [s.session_id for s in result.sessions] == ["pub-1"]
