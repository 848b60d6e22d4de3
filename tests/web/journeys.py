"""Small builders of API histories, in the boards' words."""

from __future__ import annotations

from typing import Any

from tests.web.conftest import Api

ANALYSIS: dict[str, Any] = {
    "gap_statement": "Officers are not current in officer safety techniques",
    "audience": "Constables to Chief Inspectors on borough teams",
    "learners": 28,
    "course_code": "GP05",
    "delivery_mode": "practical",
    "days_per_learner": 1,
    "class_size_min": 12,
    "class_size_max": 14,
    "trainers_per_session": 2,
    "required_features": ["gym", "mats"],
    "mandatory_basis": "Health and Safety at Work Act 1974 s.7",
    "risk_if_untrained": "critical",
    "window_start": "2003-04-01",
    "window_end": "2003-06-30",
}


def a_group(api: Api, code: str = "TP", name: str = "Territorial Policing") -> str:
    response = api.post(
        "lspu", "/api/v1/groups", {"name": name, "code": code, "officers": 21449, "staff": 5757}
    )
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def a_need(api: Api, group_id: str, who: str = "planner", title: str = "Officer safety") -> str:
    response = api.post(
        who, "/api/v1/needs", {"group_id": group_id, "title": title, "trigger": "new legislation"}
    )
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def an_analysed_need(api: Api, group_id: str, **analysis: Any) -> str:
    need_id = a_need(api, group_id)
    response = api.post(
        "lspu", f"/api/v1/needs/{need_id}/analysis", {**ANALYSIS, **analysis}, version=1
    )
    assert response.status_code == 200, response.text
    return need_id


def an_endorsed_need(api: Api, group_id: str, chair: str = "chair") -> str:
    need_id = an_analysed_need(api, group_id)
    response = api.post(
        chair,
        f"/api/v1/needs/{need_id}/prioritise",
        {"level": "Mandated", "score": 95, "reason": "Legal duty"},
        version=2,
    )
    assert response.status_code == 200, response.text
    response = api.post(
        "tmb", f"/api/v1/needs/{need_id}/endorse", {"reason": "Mandated training"}, version=3
    )
    assert response.status_code == 200, response.text
    return need_id


def a_facility(api: Api, owning_group_id: str | None = None, name: str = "Lambeth gym") -> str:
    response = api.post(
        "lspu",
        "/api/v1/facilities",
        {
            "name": name,
            "site": "Lambeth borough",
            "owning_group_id": owning_group_id,
            "capacity": 14,
            "rooms": 1,
            "features": ["gym", "mats"],
            "cost_per_day": 140,
            "opened_on": "1990-01-01",
        },
    )
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def a_cycle(api: Api, name: str = "2003/04") -> str:
    response = api.post(
        "tmb",
        "/api/v1/cycles",
        {"name": name, "starts_on": "2003-04-01", "ends_on": "2004-03-31", "budget": 2_000_000},
    )
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def a_centre(api: Api) -> str:
    response = api.post(
        "lspu",
        "/api/v1/centres",
        {
            "name": "Orpington OST centre",
            "site": "Orpington",
            "rooms": 4,
            "capacity": 16,
            "features": ["gym", "mats"],
            "setup_cost": 450000,
            "running_cost_per_day": 1100,
            "earliest_opening": "2003-10-01",
        },
    )
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def a_trainer_pool(api: Api, name: str = "Officer safety trainers") -> str:
    response = api.post(
        "lspu",
        "/api/v1/trainer-pools",
        {"name": name, "discipline": "officer safety", "trainers": 12, "courses": ["GP05"],
         "base": "Hendon"},
    )  # fmt: skip
    assert response.status_code == 201, response.text
    return str(response.json()["id"])
