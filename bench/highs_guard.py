"""How far past its time limit a HiGHS stage runs (planning.mip's hard time guard).

    python bench/highs_guard.py [--size XL] [--limits 1,2,5,10] [--stage mandatory]
                                [--in-process]

Builds the planning model of a generated scenario, reads it as a MIP (planning.mip), and solves
one stage's objective with each time limit: per limit one JSON line with the wall seconds the
solve took, the overrun past the limit, the status, the objective, and whether the guard had
to end HiGHS's process and read its last plan back (`abandoned`). Not a test: the figures move
with the machine's load (printed beside them).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from planning import mip
from planning.mip import LinearProgram
from planning.scenarios import generate
from planning.solver import MAXIMISE, STAGES, _flat, build


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="XL")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--limits", default="1,2,5,10")
    parser.add_argument("--stage", default="mandatory", choices=[s.key for s in STAGES])
    parser.add_argument(
        "--in-process",
        action="store_true",
        help="HiGHS in this process with its timer interrupt only (the guard before, to compare)",
    )
    args = parser.parse_args(argv)
    if args.in_process:
        mip._FORK = False
    problem = generate(args.size, args.seed)
    mark = time.monotonic()
    v, terms = build(problem)
    program = LinearProgram(v.model)
    spec = next(s for s in STAGES if s.key == args.stage)
    coeffs, offset = _flat(terms[spec.key])
    program.set_objective(coeffs, offset=offset, maximize=spec.sense == MAXIMISE)
    print(json.dumps({"size": args.size, "variables": len(program.vars),
                      "build_seconds": round(time.monotonic() - mark, 2)}), flush=True)  # fmt: skip
    for limit in [float(x) for x in args.limits.split(",")]:
        mark = time.monotonic()
        out = program.solve(limit, relative_gap=0.0)
        seconds = time.monotonic() - mark
        print(json.dumps({
            "stage": spec.key, "guard": "in-process" if args.in_process else "forked",
            "time_limit": limit, "seconds": round(seconds, 3),
            "overrun": round(seconds - limit, 3), "status": out.status,
            "objective": out.objective, "bound": out.bound, "abandoned": out.abandoned,
            "load": round(os.getloadavg()[0], 2),
        }), flush=True)  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
