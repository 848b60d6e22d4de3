"""Server time per page, at demo scale and for the heat map at XL scale; and the README's
screenshots of two pages.

Demo scale: `trainplan demo` (a short optimisation, published) in a scratch folder, the real
server under uvicorn, a signed-in client asking for every page `--repeat` times on loopback
(the client's wall time from request to last byte: the server's time plus a loopback round
trip). XL scale: a store of `--facilities` venues (68 by default, 1 to 12 rooms each) with a
year's schedule of usage each (weekly bookings, closures, bank holidays) recorded through the
application's commands, and the heat map of that year (every venue by 53 weeks). The aims: under
300 ms a page at demo scale, under 1 s for the XL heat map.

    python bench/pages.py [--repeat 5] [--facilities 68] [--screenshots]

`--screenshots` also writes `api/web/static/screenshots/home.png` and `utilisation.png`
(Chromium at 1280 px, `/usr/bin/chromium` or TRAINPLAN_CHROMIUM). Ends with one JSON line.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

if __name__ == "__main__":  # run as `python bench/NAME.py`: the repository on the path
    sys.path[0] = str(Path(__file__).resolve().parents[1])

import httpx

from bench.machine import load_average
from bench.server import ROOT, Server

SHOTS = ROOT / "api" / "web" / "static" / "screenshots"
CSRF = re.compile(r'name="csrf" value="([^"]+)"')
DEMO_AIM, XL_AIM = 0.300, 1.0


def signed_in(base: str, token: str) -> httpx.Client:
    client = httpx.Client(base_url=base, timeout=120, follow_redirects=False)
    form = client.get("/login")
    found = CSRF.search(form.text)
    assert found, "the sign-in form has no CSRF field"
    answer = client.post("/login", data={"token": token, "csrf": found.group(1), "next": "/"})
    assert answer.status_code == 303, answer.text[:300]
    return client


def timed(client: httpx.Client, path: str, repeat: int) -> dict[str, Any]:
    times = []
    size = 0
    for _ in range(repeat):
        started = time.perf_counter()
        answer = client.get(path)
        times.append(time.perf_counter() - started)
        if answer.status_code != 200:
            raise RuntimeError(f"{path}: {answer.status_code} {answer.text[:300]}")
        size = len(answer.content)
    return {"path": path, "median_ms": round(1000 * statistics.median(times), 1),
            "max_ms": round(1000 * max(times), 1), "bytes": size}  # fmt: skip


def first_link(client: httpx.Client, page: str, prefix: str) -> str:
    text = client.get(page).text
    start = text.index(f'href="{prefix}') + len('href="')
    return text[start : text.index('"', start)].replace("&amp;", "&")


def demo_pages(folder: Path, repeat: int, screenshots: bool) -> list[dict[str, Any]]:
    data = folder / "demo"
    env = {**os.environ, "TRAINPLAN_DATA_DIR": str(data)}
    for name in ("TRAINPLAN_DATABASE_URL", "TRAINPLAN_TOKENS", "TRAINPLAN_TOKENS_FILE"):
        env.pop(name, None)
    print("recording the demo scenario (trainplan demo --time-limit 5) ...", flush=True)
    subprocess.run([sys.executable, "-m", "api.cli", "demo", "--time-limit", "5"], cwd=ROOT,
                   env=env, check=True, capture_output=True)  # fmt: skip
    server = Server(f"sqlite:///{data / 'trainplan.db'}", 1, folder / "demo-server.log").start()
    try:
        tmb = signed_in(server.url, "demo-tmb")
        auditor = signed_in(server.url, "demo-auditor")
        run = first_link(tmb, "/runs", "/runs/")
        facility = first_link(tmb, "/utilisation", "/facilities/")
        need = first_link(tmb, "/needs", "/needs/")
        today = date.today().isoformat()
        pages = [
            (tmb, "/"), (tmb, "/prospectus"), (tmb, "/prospectus?group=HR"),
            (tmb, "/prospectus?month=2003-06"), (tmb, "/prospectus/download?format=csv"),
            (tmb, "/utilisation"), (tmb, facility), (tmb, facility.split("?")[0] + "?view=week"),
            (tmb, "/needs"), (tmb, need), (tmb, "/training-time"), (tmb, "/runs"), (tmb, run),
            (tmb, f"/runs/compare?a={run.rsplit('/', 1)[1]}&b={run.rsplit('/', 1)[1]}"),
            (auditor, "/audit"), (auditor, "/audit?check=1"), (auditor, f"/audit?as_of={today}"),
            (tmb, "/docs"),
        ]  # fmt: skip
        rows = []
        for client, path in pages:
            row = timed(client, path, repeat)
            rows.append(row)
            print(f"  {row['median_ms']:8.1f} ms  (max {row['max_ms']:7.1f})  {path}", flush=True)
        if screenshots:
            take_screenshots(server.url)
        return rows
    finally:
        server.stop()


def take_screenshots(base: str) -> None:
    from playwright.sync_api import sync_playwright

    chromium = os.environ.get("TRAINPLAN_CHROMIUM", "/usr/bin/chromium")
    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.goto(base + "/login")
        page.get_by_label("Access token").fill("demo-tmb")
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(base + "/")
        page.screenshot(path=str(SHOTS / "home.png"))
        page.goto(base + "/utilisation")
        page.screenshot(path=str(SHOTS / "utilisation.png"))
        browser.close()
    print(f"  screenshots in {SHOTS.relative_to(ROOT)}: home.png, utilisation.png")


# --- the XL heat map --------------------------------------------------------------------------


def xl_store(url: str, facilities: int, seed: int = 0) -> tuple[int, float]:
    """A year of schedules of usage for `facilities` venues, through the application's
    commands; the read models caught up. Returns the events and the seconds it took."""
    from api.settings import Settings
    from api.stack import open_stack

    rng = random.Random(seed)
    started = time.perf_counter()
    first, last = date(2003, 4, 1), date(2004, 3, 31)
    with open_stack(Settings(database_url=url), planning=False) as stack:
        planner = stack.planner
        planner.open_cycle(name="2003/04", starts_on=first, ends_on=last, budget=9_500_000,
                           actor="tmb.chair")  # fmt: skip
        for number in range(facilities):
            rooms = rng.choice((1, 1, 1, 2, 3, 4, 6, 12))
            facility_id = planner.register_facility(
                name=f"Training room {number + 1:02d}", site=f"Site {number // 4 + 1:02d}",
                owning_group_id=None, capacity=rooms * 20, rooms=rooms,
                features=["classroom"], cost_per_day=120.0 * rooms, opened_on="1990-01-01",
                actor="lspu.facilities",
            )  # fmt: skip
            entries = []
            day = first
            while day <= last:
                if day.weekday() < 5 and rng.random() < 0.45:
                    span = rng.choice((0, 0, 1, 4))
                    end = min(day + timedelta(days=span), last)
                    entries.append({"starts_on": day.isoformat(), "ends_on": end.isoformat(),
                                    "kind": "booking", "purpose": "Local briefing",
                                    "rooms": rng.randint(1, rooms)})  # fmt: skip
                    day = end + timedelta(days=1)
                elif day.weekday() == 0 and rng.random() < 0.05:
                    entries.append({"starts_on": day.isoformat(), "ends_on": day.isoformat(),
                                    "kind": "closure", "purpose": "Maintenance",
                                    "rooms": rooms})  # fmt: skip
                    day += timedelta(days=1)
                else:
                    day += timedelta(days=1)
            planner.submit_schedule(facility_id, period_start=first, period_end=last,
                                    entries=entries, actor="lspu.facilities")  # fmt: skip
        stack.catch_up()
        events = int(planner.recorder.max_notification_id() or 0)
    return events, time.perf_counter() - started


def xl_heat_map(folder: Path, facilities: int, repeat: int) -> dict[str, Any]:
    url = f"sqlite:///{folder / 'xl' / 'trainplan.db'}"
    (folder / "xl").mkdir()
    print(f"recording {facilities} venues with a year's schedule each ...", flush=True)
    events, seconds = xl_store(url, facilities)
    print(f"  {events:,} events in {seconds:.1f} s", flush=True)
    server = Server(url, 1, folder / "xl-server.log").start()
    try:
        client = signed_in(server.url, "demo-tmb")
        row = timed(client, "/utilisation", repeat)
        cells = client.get("/utilisation").text.count('class="cell"')
        print(f"  {row['median_ms']:8.1f} ms  (max {row['max_ms']:7.1f})  /utilisation, "
              f"{cells:,} cells", flush=True)  # fmt: skip
        return {**row, "facilities": facilities, "cells": cells, "events": events}
    finally:
        server.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=5, help="requests per page")
    parser.add_argument("--facilities", type=int, default=68, help="venues at XL scale")
    parser.add_argument("--screenshots", action="store_true", help="write the README's images")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="trainplan-pages-") as scratch:
        folder = Path(scratch)
        demo = demo_pages(folder, args.repeat, args.screenshots)
        xl = xl_heat_map(folder, args.facilities, args.repeat)
    slowest = max(demo, key=lambda r: r["median_ms"])
    summary = {
        "load_average": load_average(),
        "demo_pages": {r["path"]: r["median_ms"] for r in demo},
        "demo_slowest_ms": slowest["median_ms"],
        "demo_slowest_page": slowest["path"],
        "demo_pages_over_300ms": [r["path"] for r in demo if r["median_ms"] > 1000 * DEMO_AIM],
        "xl_heat_map_ms": xl["median_ms"],
        "xl_heat_map_cells": xl["cells"],
        "xl_aim_met": xl["median_ms"] <= 1000 * XL_AIM,
    }
    print(json.dumps(summary))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
