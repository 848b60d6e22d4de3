"""Training time per head for each business group: endorsed, scheduled and delivered hours
per head against the board's allowance, as a chart (inline SVG) with the numbers beside it."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from api.files.prospectus import every_row
from api.web.common import ProjectionsDep, UserDep, render

router = APIRouter(include_in_schema=False)

MEASURES = (
    ("endorsed", "Endorsed", "#1d3557"),
    ("scheduled", "Scheduled", "#2a7f62"),
    ("delivered", "Delivered", "#b35c00"),
)
LABEL, PLOT, BAR, GAP = 160, 390, 14, 18


def chart(groups: list[dict[str, Any]]) -> dict[str, Any]:
    """Bars and allowance markers, in SVG units."""
    values = [g[f"hours_{key}_per_head"] for g in groups for key, _, _ in MEASURES]
    values += [g["allowance_hours_per_head"] or 0 for g in groups]
    top = max([*values, 1.0]) * 1.1
    step = 10 if top <= 80 else 20 if top <= 160 else 50
    rows = []
    y = 28
    for group in groups:
        bars = []
        for index, (key, label, colour) in enumerate(MEASURES):
            value = group[f"hours_{key}_per_head"]
            bars.append({"y": y + index * BAR, "width": PLOT * value / top, "colour": colour,
                         "label": label, "value": value})  # fmt: skip
        allowance = group["allowance_hours_per_head"]
        rows.append({
            "group": group, "y": y, "bars": bars,
            "allowance_x": None if allowance is None else LABEL + PLOT * allowance / top,
        })  # fmt: skip
        y += BAR * len(MEASURES) + GAP
    ticks = [{"x": LABEL + PLOT * t / top, "label": t} for t in range(0, int(top) + 1, step)]
    return {"rows": rows, "height": y + 10, "width": LABEL + PLOT + 20, "ticks": ticks,
            "label": LABEL, "bar": BAR}  # fmt: skip


@router.get("/training-time", response_class=HTMLResponse)
def training_time(request: Request, user: UserDep, projections: ProjectionsDep) -> HTMLResponse:
    groups = sorted(every_row(projections, "group_time"), key=lambda g: g["code"])
    return render(
        request, user, "training_time.html", groups=groups, chart=chart(groups), measures=MEASURES
    )
