"""The house's layers, read from the source: imports point api -> planning -> projections ->
domain (bench may use them all), and every module imports only modules below it, imports inside
functions included, so a loop fails here before it bites at run time."""

from __future__ import annotations

import ast
from graphlib import CycleError, TopologicalSorter
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("domain", "projections", "planning", "api", "bench")

# What each package may import of ours, itself included. The planner reaches the read models
# only through its ProblemSource protocol, so planning imports no projections.
ALLOWED = {
    "domain": {"domain"},
    "projections": {"projections", "domain"},
    "planning": {"planning", "domain"},
    "api": {"api", "planning", "projections", "domain"},
    "bench": set(PACKAGES),
}


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {
    module_name(path): path for package in PACKAGES for path in (ROOT / package).rglob("*.py")
}


def ours(name: str) -> str | None:
    """The module of ours that an imported name lives in (`a.b.c` may be a name in `a.b`)."""
    while name and name not in MODULES:
        name = name.rpartition(".")[0]
    return name or None


def imports_of(name: str) -> set[str]:
    """Every module of ours that module `name` imports, anywhere in its file. A module's own
    package is left out: importing `a.b` runs `a/__init__.py` first, whatever it re-exports."""
    path = MODULES[name]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            package = name if path.name == "__init__.py" else name.rpartition(".")[0]
            base = package.split(".")[: len(package.split(".")) - max(0, node.level - 1)]
            module = ".".join([*base, node.module or ""] if node.level else [node.module or ""])
            targets = [f"{module.strip('.')}.{alias.name}" for alias in node.names]
        else:
            continue
        found.update(t for t in map(ours, targets) if t and not name.startswith(f"{t}."))
    found.discard(name)
    return found


GRAPH = {name: imports_of(name) for name in MODULES}


def test_every_module_imports_only_modules_below_it():
    try:
        TopologicalSorter(GRAPH).prepare()
    except CycleError as error:
        raise AssertionError(f"an import loop: {' -> '.join(error.args[1])}") from None


@pytest.mark.parametrize("package", PACKAGES)
def test_each_package_imports_only_the_layers_below_it(package: str):
    wrong = sorted(
        f"{name} imports {target}"
        for name, targets in GRAPH.items()
        if name.split(".")[0] == package
        for target in targets
        if target.split(".")[0] not in ALLOWED[package]
    )
    assert wrong == []
