from datetime import date

from planning.model import NeedStatus, Reason
from tests.planning.builders import kinds, need, outcome, problem, solved, venue

WEEK = [date(2027, 1, d) for d in range(4, 9)]


def test_sessions_never_share_a_room_on_a_day():
    p = problem(
        needs=[need(learners=60, class_min=12, class_max=12, window_end=date(2027, 1, 8))],
        venues=[venue(rooms=2)],
    )
    result = solved(p)
    per_day = {}
    for s in result.sessions:
        for d in s.dates:
            per_day[d] = per_day.get(d, 0) + 1
    assert max(per_day.values()) <= 2
    assert outcome(result, "n1").learners_met == 60


def test_a_room_the_schedule_takes_is_never_used():
    taken = {d: 1 for d in WEEK[:4]}
    p = problem(needs=[need(window_end=WEEK[-1])], venues=[venue(taken=taken)])
    result = solved(p)
    assert [s.starts_on for s in result.sessions] == [WEEK[-1]]


def test_a_closed_venue_leaves_the_need_unmet_for_a_narrow_window():
    p = problem(needs=[need(window_end=WEEK[-1])], venues=[venue(closed_on=WEEK[0])])
    result = solved(p)
    assert outcome(result, "n1").status == NeedStatus.UNMET
    assert kinds(outcome(result, "n1")) == (Reason.WINDOW_TOO_NARROW,)


def test_a_ten_day_course_spans_two_weeks_in_one_room():
    p = problem(needs=[need(course="DET", days=10, learners=8)])
    (session,) = solved(p).sessions
    assert session.days == 10 and session.starts_on.weekday() == 0
    assert (session.ends_on - session.starts_on).days == 11


def test_utilisation_is_room_hours_used_against_free_room_hours_per_week():
    p = problem(needs=[need(window_end=WEEK[-1])], venues=[venue(rooms=2, taken={WEEK[0]: 1})])
    result = solved(p)
    first = next(u for u in result.utilisation if u.venue_id == "v1" and u.week == WEEK[0])
    assert first.used_hours == 8.0
    assert first.available_hours == (2 * 5 - 1) * 8.0
