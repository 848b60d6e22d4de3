"""The commands on trainer pools: LSPU registers a pool of one discipline (officer safety,
first aid, firearms, ...) with its trainers and the courses they deliver, keeps its strength
and courses up to date, and records the days its trainers are away (leave, sickness)."""

from __future__ import annotations

from uuid import UUID

from domain.application.base import Day, PlannerBase
from domain.errors import NotFound
from domain.groups import BusinessGroup
from domain.trainers import TrainerPool


class TrainerCommands(PlannerBase):
    """Trainer pools."""

    def register_trainer_pool(
        self,
        *,
        name: str,
        discipline: str,
        trainers: int,
        courses: list[str],
        base: str = "",
        owning_group_id: UUID | None = None,
        actor: str,
        effective_on: Day | None = None,
    ) -> UUID:
        registered = ""
        if owning_group_id is not None:
            registered = self.require(BusinessGroup, owning_group_id)
        pool = TrainerPool.register(
            effective_on=effective_on,
            name=name,
            discipline=discipline,
            trainers=trainers,
            courses=courses,
            base=base,
            owning_group_id=owning_group_id,
            actor=actor,
        )
        pool.check_not_before(pool.effective_on, registered, "its owning group's registration")
        return self._create(pool, "trainer pool", pool.name)

    def trainer_pool_id_for_name(self, name: str) -> UUID:
        pool_id = TrainerPool.create_id(name)
        if not self.exists(pool_id):
            raise NotFound("trainer pool", name)
        return pool_id

    def change_pool_strength(
        self,
        pool_id: UUID,
        *,
        trainers: int,
        reason: str,
        actor: str,
        expected_version: int | None = None,
        effective_on: Day | None = None,
    ) -> int:
        pool = self.load(TrainerPool, pool_id, expected_version)
        pool.take_effect(effective_on)
        pool.change_strength(trainers=trainers, reason=reason, actor=actor)
        return self._stored(pool)

    def change_pool_courses(
        self,
        pool_id: UUID,
        *,
        courses: list[str],
        reason: str,
        actor: str,
        expected_version: int | None = None,
        effective_on: Day | None = None,
    ) -> int:
        pool = self.load(TrainerPool, pool_id, expected_version)
        pool.take_effect(effective_on)
        pool.change_courses(courses=courses, reason=reason, actor=actor)
        return self._stored(pool)

    def record_trainer_absence(
        self,
        pool_id: UUID,
        *,
        starts_on: Day,
        ends_on: Day,
        trainers: int,
        kind: str,
        reason: str,
        actor: str,
        expected_version: int | None = None,
        effective_on: Day | None = None,
    ) -> int:
        """Trainers of the pool away (leave, sickness, their own training) on those days."""
        pool = self.load(TrainerPool, pool_id, expected_version)
        pool.take_effect(effective_on)
        pool.record_absence(
            starts_on=starts_on,
            ends_on=ends_on,
            trainers=trainers,
            kind=kind,
            reason=reason,
            actor=actor,
        )
        return self._stored(pool)
