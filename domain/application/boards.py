"""The commands of the business groups' training boards and of LSPU on training needs: groups
registered and kept up to date, needs carried through the Systems Approach."""

from __future__ import annotations

from collections.abc import Collection
from uuid import UUID

from domain.application.base import Day, PlannerBase, check_scope, check_version
from domain.errors import NotFound
from domain.groups import BusinessGroup
from domain.needs import TrainingNeed


class BoardCommands(PlannerBase):
    """Business groups and training needs."""

    # --- business groups --------------------------------------------------------------------

    def register_group(
        self,
        *,
        name: str,
        code: str,
        officers: int,
        staff: int,
        actor: str,
        effective_on: Day | None = None,
    ) -> UUID:
        group = BusinessGroup.register(
            name=name,
            code=code,
            officers=officers,
            staff=staff,
            actor=actor,
            effective_on=effective_on,
        )
        return self._create(group, "business group code", group.code)

    def update_headcount(
        self,
        group_id: UUID,
        *,
        officers: int,
        staff: int,
        actor: str,
        expected_version: int | None = None,
        effective_on: Day | None = None,
    ) -> int:
        group = self.load(BusinessGroup, group_id, expected_version)
        group.take_effect(effective_on)
        group.update_headcount(officers=officers, staff=staff, actor=actor)
        return self._stored(group)

    def set_allowance(
        self,
        group_id: UUID,
        *,
        hours_per_head: float,
        reason: str,
        actor: str,
        expected_version: int | None = None,
        effective_on: Day | None = None,
        acting_for: Collection[UUID] | None = None,
    ) -> int:
        """The group's board sets its acceptable training time per head per year."""
        check_scope(acting_for, group_id, actor=actor, action="set a group's training allowance")
        group = self.load(BusinessGroup, group_id, expected_version)
        group.take_effect(effective_on)
        group.set_allowance(hours_per_head=hours_per_head, reason=reason, actor=actor)
        return self._stored(group)

    def set_capability_limit(
        self,
        group_id: UUID,
        *,
        away_percent: float,
        reason: str,
        actor: str,
        expected_version: int | None = None,
        acting_for: Collection[UUID] | None = None,
        effective_on: Day | None = None,
    ) -> int:
        """The group's board sets the most of its headcount (per cent) that may be away
        training in any week."""
        check_scope(
            acting_for, group_id, actor=actor, action="set a group's operational capability limit"
        )
        group = self.load(BusinessGroup, group_id, expected_version)
        group.take_effect(effective_on)
        group.set_capability_limit(away_percent=away_percent, reason=reason, actor=actor)
        return self._stored(group)

    def assign_board_chair(
        self,
        group_id: UUID,
        *,
        chair: str,
        actor: str,
        expected_version: int | None = None,
        effective_on: Day | None = None,
    ) -> int:
        group = self.load(BusinessGroup, group_id, expected_version)
        group.take_effect(effective_on)
        group.assign_board_chair(chair=chair, actor=actor)
        return self._stored(group)

    def group_id_for_code(self, code: str) -> UUID:
        group_id = BusinessGroup.create_id(code)
        if not self.exists(group_id):
            raise NotFound("business group", code)
        return group_id

    # --- training needs ---------------------------------------------------------------------

    def identify_need(
        self,
        *,
        group_id: UUID,
        title: str,
        trigger: str,
        description: str = "",
        actor: str,
        acting_for: Collection[UUID] | None = None,
        effective_on: Day | None = None,
    ) -> UUID:
        """A planner or board chair raises a need for their own business group; it cannot take
        effect before the group was registered."""
        check_scope(acting_for, group_id, actor=actor, action="identify a training need")
        registered = self.require(BusinessGroup, group_id)
        need = TrainingNeed.identify(
            group_id=group_id,
            title=title,
            trigger=trigger,
            description=description,
            actor=actor,
            effective_on=effective_on,
        )
        need.check_not_before(need.effective_on, registered, "its business group's registration")
        self.save(need)
        return need.id

    def record_analysis(
        self,
        need_id: UUID,
        *,
        gap_statement: str,
        audience: str,
        learners: int,
        course_code: str,
        delivery_mode: str,
        days_per_learner: float,
        class_size_min: int,
        class_size_max: int,
        trainers_per_session: int,
        required_features: list[str],
        mandatory_basis: str | None,
        risk_if_untrained: str,
        window_start: Day,
        window_end: Day,
        actor: str,
        expected_version: int | None = None,
        effective_on: Day | None = None,
    ) -> int:
        """LSPU records (or refines, until the board prioritises) the performance needs
        analysis."""
        need = self.load(TrainingNeed, need_id, expected_version)
        need.take_effect(effective_on)
        need.record_analysis(
            gap_statement=gap_statement,
            audience=audience,
            learners=learners,
            course_code=course_code,
            delivery_mode=delivery_mode,
            days_per_learner=days_per_learner,
            class_size_min=class_size_min,
            class_size_max=class_size_max,
            trainers_per_session=trainers_per_session,
            required_features=required_features,
            mandatory_basis=mandatory_basis,
            risk_if_untrained=risk_if_untrained,
            window_start=window_start,
            window_end=window_end,
            actor=actor,
        )
        return self._stored(need)

    def prioritise_need(
        self,
        need_id: UUID,
        *,
        level: str,
        score: int,
        reason: str,
        actor: str,
        expected_version: int | None = None,
        effective_on: Day | None = None,
        acting_for: Collection[UUID] | None = None,
    ) -> int:
        """The need's own board places it on the four-level scale."""
        need = self.load(TrainingNeed, need_id)
        check_scope(acting_for, need.group_id, actor=actor, action="prioritise a training need")
        check_version(need, expected_version)
        need.take_effect(effective_on)
        need.prioritise(level=level, score=score, reason=reason, actor=actor)
        return self._stored(need)

    def endorse_need(
        self,
        need_id: UUID,
        *,
        reason: str,
        actor: str,
        expected_version: int | None = None,
        effective_on: Day | None = None,
    ) -> int:
        need = self.load(TrainingNeed, need_id, expected_version)
        need.take_effect(effective_on)
        need.endorse(reason=reason, actor=actor)
        return self._stored(need)

    def reject_need(
        self,
        need_id: UUID,
        *,
        reason: str,
        actor: str,
        expected_version: int | None = None,
        effective_on: Day | None = None,
    ) -> int:
        need = self.load(TrainingNeed, need_id, expected_version)
        need.take_effect(effective_on)
        need.reject(reason=reason, actor=actor)
        return self._stored(need)

    def withdraw_need(
        self,
        need_id: UUID,
        *,
        reason: str,
        actor: str,
        expected_version: int | None = None,
        effective_on: Day | None = None,
        acting_for: Collection[UUID] | None = None,
    ) -> int:
        """Withdrawn at any point before delivery; planners and chairs only for their group."""
        need = self.load(TrainingNeed, need_id)
        check_scope(acting_for, need.group_id, actor=actor, action="withdraw a training need")
        check_version(need, expected_version)
        need.take_effect(effective_on)
        need.withdraw(reason=reason, actor=actor)
        return self._stored(need)

    def record_delivery(
        self,
        need_id: UUID,
        *,
        attendance: int,
        actual_cost: float,
        actor: str,
        expected_version: int | None = None,
        effective_on: Day | None = None,
    ) -> int:
        need = self.load(TrainingNeed, need_id, expected_version)
        need.take_effect(effective_on)
        need.record_delivery(attendance=attendance, actual_cost=actual_cost, actor=actor)
        return self._stored(need)

    def evaluate_need(
        self,
        need_id: UUID,
        *,
        level: int,
        score: int,
        notes: str,
        actor: str,
        expected_version: int | None = None,
        effective_on: Day | None = None,
    ) -> int:
        need = self.load(TrainingNeed, need_id, expected_version)
        need.take_effect(effective_on)
        need.evaluate(level=level, score=score, notes=notes, actor=actor)
        return self._stored(need)
