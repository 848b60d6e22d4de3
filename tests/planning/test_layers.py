"""The planning package's layers: what does not solve loads no OR-Tools, only the solver runs
a CP-SAT model and nothing takes another module's private names
(the whole house's import loops: tests/integration/test_layers.py)."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PLANNING = ROOT / "planning"

SOLVER_INDEPENDENT = [
    "planning.model",
    "planning.facts",
    "planning.validator",
    "planning.report",
    "planning.baseline",
    "planning.reasons",
    "planning.whatif",
    "planning.scenarios",
    "planning.adapter",
    "planning.service",
    "domain.costing",
    "domain.calendar",
]


def _modules() -> dict[str, Path]:
    out = {}
    for path in sorted(PLANNING.rglob("*.py")):
        parts = list(path.relative_to(ROOT).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        out[".".join(parts)] = path
    return out


def _imports(name: str, path: Path) -> list[tuple[str, list[str]]]:
    """Every import in the module, at any depth: (module, names taken from it)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found += [(alias.name, []) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                base = f"{anchor}.{base}" if base else anchor
            found.append((base, [alias.name for alias in node.names]))
    return found


def _graph() -> dict[str, set[str]]:
    modules = _modules()
    graph: dict[str, set[str]] = {name: set() for name in modules}
    for name, path in modules.items():
        for target, names in _imports(name, path):
            if target in modules:
                graph[name].add(target)
            for taken in names:  # `from planning import report` imports a module
                if f"{target}.{taken}" in modules:
                    graph[name].add(f"{target}.{taken}")
    return graph


@pytest.mark.parametrize("module", SOLVER_INDEPENDENT)
def test_what_does_not_solve_imports_no_or_tools(module: str) -> None:
    probe = f"import sys, {module}; print('ortools' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "False", f"importing {module} loads OR-Tools"


def test_only_the_solver_its_mip_and_its_rules_touch_or_tools_and_only_the_solver_runs_cp_sat() -> (
    None
):
    for name, path in _modules().items():
        uses_ortools = any(target.startswith("ortools") for target, _ in _imports(name, path))
        if uses_ortools:
            assert name in ("planning.solver", "planning.mip") or name.startswith(
                "planning.rules"
            ), name
        if name != "planning.solver":
            assert "CpSolver" not in path.read_text(), f"{name} runs a CP-SAT model"


def test_no_planning_module_takes_another_ones_private_names() -> None:
    modules = _modules()
    for name, path in modules.items():
        for target, names in _imports(name, path):
            if target in modules and target != name:
                private = [n for n in names if n.startswith("_") and not n.startswith("__")]
                assert not private, f"{name} takes {private} from {target}"
