"""Solve OR-Library capacitated warehouse location instances with the planning model's centre
rule and compare with the published optima.

    python bench/orlib_cap.py FILE... [--time-limit S] [--workers N] [--seed K]

Prints one JSON line per file {"instance","status","objective","bound","seconds"} plus, where
capopt.txt lies beside the file, "published" and "relative_difference"; then a summary line.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.orlib import published_optima, read_cap, solve_cap


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="+", type=Path)
    parser.add_argument("--time-limit", type=float, default=30.0)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    rows: list[dict[str, Any]] = []
    for path in args.files:
        if path.name == "capopt.txt":
            continue
        result = solve_cap(read_cap(path), time_limit=args.time_limit, workers=args.workers,
                           seed=args.seed)  # fmt: skip
        row: dict[str, Any] = {"instance": result.instance, "status": result.status,
               "objective": result.objective, "bound": result.bound,
               "seconds": round(result.seconds, 3)}  # fmt: skip
        optima_file = path.parent / "capopt.txt"
        if optima_file.exists():
            published = published_optima(optima_file).get((result.instance, None))
            if published is not None:
                row["published"] = published
                row["relative_difference"] = (
                    None if result.objective is None
                    else (result.objective - published) / published
                )  # fmt: skip
        rows.append(row)
        print(json.dumps(row), flush=True)
    compared = [r for r in rows if r.get("relative_difference") is not None]
    summary = {
        "summary": True,
        "instances": len(rows),
        "optimal": sum(r["status"] == "OPTIMAL" for r in rows),
        "matched_published": sum(abs(r["relative_difference"]) < 1e-9 for r in compared),
        "compared": len(compared),
        "max_relative_difference": max((abs(r["relative_difference"]) for r in compared),
                                       default=None),
        "seconds": round(sum(r["seconds"] for r in rows), 3),
    }  # fmt: skip
    print(json.dumps(summary))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
