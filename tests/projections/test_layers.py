"""The projections package imports in one direction: every module imports only modules below
it (imports inside functions included), and of the other packages only `domain`."""

from __future__ import annotations

import ast
from graphlib import CycleError, TopologicalSorter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
OURS = ("domain", "planning", "projections", "api", "bench")


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def is_module(name: str) -> bool:
    path = ROOT.joinpath(*name.split("."))
    return path.with_suffix(".py").exists() or (path / "__init__.py").exists()


def imports_of(path: Path) -> set[str]:
    """The modules of this repository that `path` imports, anywhere in it."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            for alias in node.names:  # `from projections import integrity` names a module
                child = f"{node.module}.{alias.name}"
                found.add(child if is_module(child) else node.module)
    return {name for name in found if name.split(".")[0] in OURS}


GRAPH = {
    module_name(path): imports_of(path) for path in sorted((ROOT / "projections").rglob("*.py"))
}


def test_no_module_of_projections_imports_one_that_imports_it_back():
    try:
        order = list(TopologicalSorter(GRAPH).static_order())
    except CycleError as error:
        raise AssertionError(f"an import loop: {' -> '.join(error.args[1])}") from None
    assert order.index("projections.read_model") < order.index("projections.runner")


def test_projections_imports_only_domain_of_the_other_packages():
    outside = {
        (module, target)
        for module, targets in GRAPH.items()
        for target in targets
        if target.split(".")[0] not in ("domain", "projections")
    }
    assert not outside
