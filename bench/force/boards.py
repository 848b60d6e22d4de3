"""The business groups and their needs: headcounts, allowances and board chairs; needs raised
by the units, analysed by LSPU, prioritised by their boards, endorsed or rejected by the TMB,
withdrawn now and then, delivered and evaluated.

* October to January: the units identify their needs (their courses from the catalogue, new
  legislation courses in the years they apply); LSPU records each need's analysis a few weeks
  later (some refined, a few withdrawn);
* February: the boards set their allowance and prioritise their needs (some re-prioritised at
  a second meeting); March: the TMB endorses or rejects;
* March to April: in-year needs (emerging issues, incidents) are fast-tracked;
* all year: each need's delivery is recorded after its last session and most are evaluated
  (some at a second Kirkpatrick level); group headcounts are updated every quarter."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta

from bench.force.courses import COURSES, Course
from bench.force.organisation import (
    ENDORSE_RATE,
    GROUPS,
    LSPU,
    RAISE_RATE,
    REASONS_REJECTED,
    REASONS_WITHDRAWN,
    TMB_CHAIR,
    TMB_SECRETARY,
    Unit,
    units,
)
from bench.force.plans import NeedInfo, Plans, analysis
from bench.force.timeline import Timeline, at, cycle_name
from bench.force.writer import Writer
from domain import BusinessGroup, NeedStatus, TrainingNeed

LIVE = (
    NeedStatus.IDENTIFIED,
    NeedStatus.ANALYSED,
    NeedStatus.PRIORITISED,
    NeedStatus.ENDORSED,
    NeedStatus.SCHEDULED,
)


class Boards:
    def __init__(self, timeline: Timeline, writer: Writer, plans: Plans) -> None:
        self.timeline = timeline
        self.rng = timeline.rng
        self.writer = writer
        self.plans = plans
        self.units = units()
        self.groups: dict[str, BusinessGroup] = {}
        self.chairs: dict[str, str] = {}

    # --- groups -----------------------------------------------------------------------------

    def register_groups(self) -> None:
        headcount: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        for unit in self.units:
            headcount[unit.group][0] += unit.officers
            headcount[unit.group][1] += unit.staff
        for spec in GROUPS:
            officers, staff = headcount[spec.code]
            group = BusinessGroup.register(
                name=spec.name, code=spec.code, officers=officers, staff=staff, actor=LSPU[0]
            )
            self.writer.room()
            self.writer.emit(group)
            self.groups[spec.code] = group
            self.chairs[spec.code] = spec.chairs[0]
            self.writer.room()
            group.assign_board_chair(chair=spec.chairs[0], actor=TMB_CHAIR)
            self.writer.emit(group)

    def plan_groups(self, year: int) -> None:
        """Quarterly headcounts, the allowance, now and then a new chair."""
        later, jitter = self.timeline.later, self.timeline.jitter
        for code in self.groups:
            for day in (
                date(year - 1, 10, 5),
                date(year, 1, 5),
                date(year, 4, 5),
                date(year, 7, 5),
            ):
                later(jitter(day), self.update_headcount, code)
            later(
                jitter(self.timeline.some_day(date(year, 2, 1), date(year, 2, 5))),
                self.set_allowance,
                code,
                year,
            )
        if year % 4 == 0:
            code = self.rng.choice(sorted(self.groups))
            later(jitter(date(year - 1, 9, 20)), self.new_chair, code)

    def update_headcount(self, code: str) -> None:
        self.writer.room()
        group = self.groups[code]
        officers = max(1, round(group.officers * self.rng.uniform(0.985, 1.02)))
        staff = max(1, round(group.staff * self.rng.uniform(0.98, 1.025)))
        group.update_headcount(officers=officers, staff=staff, actor=f"hr.{code.lower()}")
        self.writer.emit(group)

    def set_allowance(self, code: str, year: int) -> None:
        self.writer.room()
        spec = next(g for g in GROUPS if g.code == code)
        hours = round(spec.allowance_hours * self.rng.uniform(0.9, 1.15), 1)
        self.groups[code].set_allowance(
            hours_per_head=hours,
            actor=self.chairs[code],
            reason=f"Acceptable training time per head for {cycle_name(year)}, with regard to "
            "operational capability",
        )
        self.writer.emit(self.groups[code])

    def new_chair(self, code: str) -> None:
        self.writer.room()
        chairs = next(g.chairs for g in GROUPS if g.code == code)
        chair = chairs[(chairs.index(self.chairs[code]) + 1) % len(chairs)]
        self.chairs[code] = chair
        self.groups[code].assign_board_chair(chair=chair, actor=TMB_CHAIR)
        self.writer.emit(self.groups[code])

    # --- needs raised -----------------------------------------------------------------------

    def raise_needs(self, year: int) -> None:
        """Needs identified by the units from mid September to mid January."""
        rng = self.rng
        first, last = date(year - 1, 9, 15), date(year, 1, 20)
        for unit in self.units:
            if unit.since > year:
                continue
            for course in COURSES:
                if not course.since <= year <= course.until:
                    continue
                coverage = course.kinds.get(unit.kind)
                if not coverage or rng.random() > RAISE_RATE[course.level]:
                    continue
                base = {
                    "officers": unit.officers,
                    "staff": unit.staff,
                    "all": unit.officers + unit.staff,
                }[course.who]
                exact = base * coverage * rng.uniform(0.6, 1.4)
                learners = int(exact) + (rng.random() < exact - int(exact))
                if learners < 1:
                    continue
                self.timeline.later(
                    self.timeline.jitter(self.timeline.some_day(first, last)),
                    self.identify,
                    year,
                    unit,
                    course,
                    learners,
                    False,
                )

    def raise_in_year_needs(self, year: int) -> None:
        """Needs raised from March to early April (emerging issues, incidents), fast-tracked."""
        rng = self.rng
        first, last = date(year, 3, 1), date(year, 4, 3)
        for _ in range(int(len(self.units) * 0.04)):
            unit = rng.choice(self.units)
            options = [c for c in COURSES if unit.kind in c.kinds and c.since <= year <= c.until]
            if unit.since <= year and options:
                course = rng.choice(options)
                base = unit.officers + unit.staff
                learners = max(1, int(base * course.kinds[unit.kind] * rng.uniform(0.3, 1.0)))
                self.timeline.later(
                    self.timeline.jitter(self.timeline.some_day(first, last)),
                    self.identify,
                    year,
                    unit,
                    course,
                    learners,
                    True,
                )

    def plan_meetings(self, year: int) -> None:
        """Each board meets twice in February; the TMB decides in March."""
        for index, code in enumerate(sorted(self.groups)):
            meeting = date(year, 2, 3 + 3 * index)
            self.timeline.later(at(meeting, 10), self.board_meeting, year, code, False)
            self.timeline.later(
                at(meeting + timedelta(days=21), 10), self.board_meeting, year, code, True
            )

    # --- a need's life ----------------------------------------------------------------------

    def identify(self, year: int, unit: Unit, course: Course, learners: int, in_year: bool) -> None:
        plan = self.plans.get(year)
        if plan is None:
            return
        self.writer.room()
        rng, later, jitter = self.rng, self.timeline.later, self.timeline.jitter
        trigger = (
            rng.choice(("emerging performance issue", "incident")) if in_year else (course.trigger)
        )
        need = TrainingNeed.identify(
            group_id=self.groups[unit.group].id,
            title=f"{course.title}: {unit.name}",
            trigger=trigger,
            actor=unit.planner,
            description=f"{learners} of {unit.name} need {course.title.lower()} ({course.code})",
        )
        self.writer.emit(need)
        window = (plan.start, plan.end)
        if not in_year and course.days <= 5 and rng.random() < 0.15:
            window = rng.choice(((plan.start, date(year, 9, 30)), (date(year, 10, 1), plan.end)))
        if in_year:
            window = (date(year, 6, 1), plan.end)
        key = str(need.id)
        plan.needs[key] = need
        plan.info[key] = NeedInfo(
            unit, course, learners, in_year, (window[0].isoformat(), window[1].isoformat())
        )
        today = self.timeline.today()
        if in_year:
            later(jitter(today + timedelta(days=rng.randint(2, 5))), self.analyse, year, key, False)
            later(
                jitter(today + timedelta(days=rng.randint(7, 11))),
                self.prioritise,
                year,
                key,
                self.chairs[unit.group],
            )
            return
        if rng.random() < 0.02:
            day = min(today + timedelta(days=rng.randint(1, 60)), date(year, 1, 31))
            later(jitter(day), self.withdraw, year, key, rng.choice(REASONS_WITHDRAWN))
        day = min(today + timedelta(days=rng.randint(5, 40)), date(year, 1, 31))
        later(jitter(day), self.analyse, year, key, False)
        if rng.random() < 0.12:
            again = min(day + timedelta(days=rng.randint(1, 10)), date(year, 2, 1))
            later(jitter(again), self.analyse, year, key, True)
        if rng.random() < 0.01:
            later(
                jitter(date(year, 2, 25)), self.withdraw, year, key, rng.choice(REASONS_WITHDRAWN)
            )

    def analyse(self, year: int, key: str, refine: bool) -> None:
        plan = self.plans[year]
        need, info = plan.needs[key], plan.info[key]
        if need.status not in (NeedStatus.IDENTIFIED, NeedStatus.ANALYSED):
            return
        if refine and need.status is not NeedStatus.ANALYSED:
            return
        self.writer.room()
        course, rng = info.course, self.rng
        if refine:
            info.learners = max(1, info.learners + rng.randint(-3, 3))
        need.record_analysis(
            actor=rng.choice(LSPU),
            gap_statement=f"{course.title}: {info.learners} in {info.unit.name} are not current"
            + (" (revised after the unit's return)" if refine else ""),
            audience=f"{course.who.capitalize()} of {info.unit.name}",
            learners=info.learners,
            course_code=course.code,
            delivery_mode=course.mode,
            days_per_learner=course.days,
            class_size_min=course.size[0],
            class_size_max=course.size[1],
            trainers_per_session=course.trainers,
            required_features=list(course.features),
            mandatory_basis=course.basis,
            risk_if_untrained="critical"
            if course.basis
            else rng.choice(("high", "medium", "medium", "low")),
            window_start=info.window[0],
            window_end=info.window[1],
        )
        self.writer.emit(need)

    def prioritise(self, year: int, key: str, chair: str) -> None:
        plan = self.plans[year]
        need, course = plan.needs[key], plan.info[key].course
        if need.status not in (NeedStatus.ANALYSED, NeedStatus.PRIORITISED):
            return
        self.writer.room()
        score = max(0, min(100, course.score + self.rng.randint(-8, 8)))
        need.prioritise(
            level=course.level,
            score=score,
            actor=chair,
            reason=f"{course.level}: {course.basis or 'operational capability'}",
        )
        self.writer.emit(need)

    def board_meeting(self, year: int, code: str, second: bool) -> None:
        """The group's board prioritises its analysed needs (at its second meeting it
        re-prioritises a few)."""
        plan = self.plans[year]
        group_id = self.groups[code].id
        for key, need in plan.needs.items():
            if need.group_id != group_id or plan.info[key].in_year:
                continue
            if second and not (need.status is NeedStatus.PRIORITISED and self.rng.random() < 0.08):
                continue
            if not second and need.status is not NeedStatus.ANALYSED:
                continue
            self.prioritise(year, key, self.chairs[code])

    def tmb_meeting(self, year: int, in_year: bool) -> None:
        plan = self.plans[year]
        for key, need in plan.needs.items():
            info = plan.info[key]
            if info.in_year != in_year or need.status is not NeedStatus.PRIORITISED:
                continue
            self.writer.room()
            if self.rng.random() < ENDORSE_RATE[need.priority_level or "Optional"]:
                need.endorse(
                    reason=f"Endorsed for the {cycle_name(year)} plan", actor=TMB_SECRETARY
                )
            else:
                need.reject(reason=self.rng.choice(REASONS_REJECTED), actor=TMB_SECRETARY)
            self.writer.emit(need)

    def withdraw(self, year: int, key: str, reason: str) -> None:
        need = self.plans[year].needs[key]
        if need.status not in LIVE:
            return
        self.writer.room()
        need.withdraw(reason=reason, actor=self.plans[year].info[key].unit.planner)
        self.writer.emit(need)

    def deliver(self, year: int, key: str, version: int) -> None:
        plan = self.plans.get(year)
        need = plan.needs[key] if plan else None
        if need is None or need.status is not NeedStatus.SCHEDULED or need.version != version:
            return
        self.writer.room()
        rng = self.rng
        learners = need.scheduled_in[-1]["learners"]
        attendance = max(0, round(learners * rng.uniform(0.8, 1.0)))
        cost = learners * analysis(need)["days_per_learner"] * 95 * rng.uniform(0.85, 1.2)
        need.record_delivery(
            attendance=attendance, actual_cost=round(cost, 2), actor=rng.choice(LSPU)
        )
        self.writer.emit(need)
        today = self.timeline.today()
        if rng.random() < 0.75:
            day = today + timedelta(days=rng.randint(14, 60))
            self.timeline.later(
                self.timeline.jitter(day), self.evaluate, year, key, rng.randint(1, 2)
            )
            if rng.random() < 0.25:
                day += timedelta(days=rng.randint(90, 200))
                self.timeline.later(
                    self.timeline.jitter(day), self.evaluate, year, key, rng.randint(3, 4)
                )

    def evaluate(self, year: int, key: str, level: int) -> None:
        plan = self.plans.get(year)
        need = plan.needs.get(key) if plan else None
        if need is None or need.status not in (NeedStatus.DELIVERED, NeedStatus.EVALUATED):
            return
        self.writer.room()
        notes = (
            "Reaction survey",
            "Learning assessed",
            "Behaviour observed at work",
            "Results against the performance issue",
        )[level - 1]
        need.evaluate(
            level=level, score=self.rng.randint(40, 98), notes=notes, actor=self.rng.choice(LSPU)
        )
        self.writer.emit(need)
