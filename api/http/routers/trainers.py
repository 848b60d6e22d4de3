"""Trainer pools: registered by LSPU with their discipline, trainers and courses; their
strength and courses kept up to date; trainers' leave and sickness recorded. The lists come
from the `trainers` read model."""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter, Depends, Response, status

from api.http.deps import (
    ExpectedVersionDep,
    MayManageTrainerPool,
    MayRecordTrainerAbsence,
    PlannerDep,
    ProjectionsDep,
    etag,
    get_principal,
)
from api.http.files import AS_CSV, ListFormat
from api.http.paging import read_list
from api.http.problems import CHANGE, CREATE, READ, problems
from api.http.routers import created, written
from api.http.schemas.common import Written
from api.http.schemas.trainers import (
    Absence,
    AbsenceRecord,
    CoursesChange,
    PoolOut,
    PoolRegistration,
    StrengthChange,
    TrainerAbsencesPage,
    TrainerPoolsPage,
)
from domain import TrainerPool

router = APIRouter(prefix="/api/v1", tags=["trainer pools"], dependencies=[Depends(get_principal)])


def pool_out(pool: TrainerPool) -> PoolOut:
    return PoolOut(
        id=pool.id,
        version=pool.version,
        name=pool.name,
        discipline=pool.discipline,
        trainers=pool.trainers,
        courses=pool.courses,
        base=pool.base,
        owning_group_id=pool.owning_group_id,
        absences=[Absence(**a) for a in pool.absences],
    )


@router.post("/trainer-pools", status_code=status.HTTP_201_CREATED, responses=CREATE)
def register_trainer_pool(
    body: PoolRegistration, principal: MayManageTrainerPool, planner: PlannerDep, response: Response
) -> Written:
    """Registers a pool of trainers of one discipline and the courses they deliver. Its name
    is its natural key; any group's sessions may use it."""
    pool_id = planner.register_trainer_pool(
        name=body.name,
        discipline=body.discipline,
        trainers=body.trainers,
        courses=body.courses,
        base=body.base,
        owning_group_id=body.owning_group_id,
        effective_on=body.effective_on,
        actor=principal.name,
    )
    return created(response, f"/api/v1/trainer-pools/{pool_id}", pool_id)


@router.get("/trainer-pools/{pool_id}", responses=READ)
def get_trainer_pool(pool_id: UUID, planner: PlannerDep, response: Response) -> PoolOut:
    """The pool as it is now, with its absences; its version is the ETag for If-Match."""
    pool = planner.load(TrainerPool, pool_id)
    response.headers["ETag"] = etag(pool.version)
    return pool_out(pool)


@router.post("/trainer-pools/{pool_id}/strength", responses=CHANGE)
def change_pool_strength(
    pool_id: UUID,
    body: StrengthChange,
    principal: MayManageTrainerPool,
    expected: ExpectedVersionDep,
    planner: PlannerDep,
    response: Response,
) -> Written:
    """Trainers joined or left the pool."""
    version = planner.change_pool_strength(
        pool_id, trainers=body.trainers, reason=body.reason, actor=principal.name,
        effective_on=body.effective_on,
        expected_version=expected,
    )  # fmt: skip
    return written(response, pool_id, version)


@router.post("/trainer-pools/{pool_id}/courses", responses=CHANGE)
def change_pool_courses(
    pool_id: UUID,
    body: CoursesChange,
    principal: MayManageTrainerPool,
    expected: ExpectedVersionDep,
    planner: PlannerDep,
    response: Response,
) -> Written:
    """The courses the pool's trainers deliver."""
    version = planner.change_pool_courses(
        pool_id, courses=body.courses, reason=body.reason, actor=principal.name,
        effective_on=body.effective_on,
        expected_version=expected,
    )  # fmt: skip
    return written(response, pool_id, version)


@router.post("/trainer-pools/{pool_id}/absences", responses=CHANGE)
def record_trainer_absence(
    pool_id: UUID,
    body: AbsenceRecord,
    principal: MayRecordTrainerAbsence,
    expected: ExpectedVersionDep,
    planner: PlannerDep,
    response: Response,
) -> Written:
    """Trainers of the pool away (leave, sickness, their own training) from starts_on to
    ends_on: never more than the pool has on any day."""
    version = planner.record_trainer_absence(
        pool_id, starts_on=body.starts_on, ends_on=body.ends_on, trainers=body.trainers,
        kind=body.kind, reason=body.reason, actor=principal.name, expected_version=expected,
        effective_on=body.effective_on,
    )  # fmt: skip
    return written(response, pool_id, version)


@router.get(
    "/trainer-pools",
    response_model=TrainerPoolsPage,
    responses=problems(401, 422) | AS_CSV,
    summary="Trainer pools",
)
def trainer_pools(
    projections: ProjectionsDep,
    wanted: ListFormat,
    discipline: str | None = None,
    limit: int = 100,
    offset: int = 0,
) -> TrainerPoolsPage | Response:
    """Every trainer pool: discipline, trainers, courses, absences, by discipline and name."""
    return read_list(projections, "trainer_pools", TrainerPoolsPage,
                     filters={"discipline": discipline}, limit=limit, offset=offset,
                     wanted=wanted, filename="trainer-pools")  # fmt: skip


@router.get(
    "/trainer-absences",
    response_model=TrainerAbsencesPage,
    responses=problems(401, 422) | AS_CSV,
    summary="Trainers away from their pools",
)
def trainer_absences(
    projections: ProjectionsDep,
    wanted: ListFormat,
    pool_id: UUID | None = None,
    kind: str | None = None,
    limit: int = 100,
    offset: int = 0,
) -> TrainerAbsencesPage | Response:
    """Every absence recorded (leave, sickness, their own training), by pool and date."""
    return read_list(projections, "trainer_absences", TrainerAbsencesPage,
                     filters={"pool_id": pool_id, "kind": kind}, limit=limit, offset=offset,
                     wanted=wanted, filename="trainer-absences")  # fmt: skip
