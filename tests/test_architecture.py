"""The folder tree is the architecture: layers import downward only, no module imports
itself back through others, and every module and function stays small enough to read.

Imports are read with ``ast`` (also those inside functions and under ``TYPE_CHECKING``: a
type-only import is still a dependency a reader has to follow)."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import networkx as nx
import pytest

SRC = Path(__file__).resolve().parents[1] / "src"
PACKAGE = SRC / "policy_match"

# Lower numbers are lower floors; a module may import its own floor or any floor below.
LAYERS: dict[str, int] = {
    "base": 0,
    "dsl": 10,
    "plugins": 20,
    "engine": 30,
    "data": 40,
    "core": 50,
    "": 55,  # policy_match/__init__.py: the public face, over core and data
    "analysis": 52,  # lint: exact reasoning over a loaded rulebook
    "apps": 60,
    "spark": 60,  # the engine on a Spark cluster, over core
    "tools": 65,
    "server": 70,  # the portal (HTTP) and the language server: edges, apart from each other
    "lsp": 70,
    "cli": 80,  # the command line starts them
}
# Top folders on the same floor that must not know each other.
APART = {frozenset({"server", "lsp"})}
# Apps build on each other only where one truly builds on the other.
APP_EDGES_ALLOWED: set[tuple[str, str]] = set()
MAX_MODULE_LINES = 600
MAX_FUNCTION_LINES = 80
LONG_FUNCTION_MARK = "# long:"  # on the def line's preceding comment: why it stays long


def module_name(path: Path) -> str:
    parts = path.relative_to(SRC).with_suffix("").parts
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def modules() -> dict[str, Path]:
    return {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def imported(path: Path, name: str, known: set[str]) -> Iterator[str]:
    """Every policy_match module ``path`` imports (``from x import y`` counts ``x.y`` when
    ``y`` is a module)."""
    is_package = path.name == "__init__.py"
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = name.split(".")
                anchor = anchor if is_package else anchor[:-1]
                anchor = anchor[: len(anchor) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in known else base
                       for a in node.names]
        else:
            continue
        yield from (t for t in targets if t == "policy_match" or t.startswith("policy_match."))


def import_graph() -> nx.DiGraph:
    found = modules()
    graph = nx.DiGraph()
    graph.add_nodes_from(found)
    for name, path in found.items():
        for target in imported(path, name, set(found)):
            if target != name:
                graph.add_edge(name, target)
    return graph


def top_folder(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def app_of(module: str) -> str | None:
    parts = module.split(".")
    return parts[2] if len(parts) > 2 and parts[1] == "apps" else None


def test_every_module_is_in_a_layer() -> None:
    strays = [m for m in modules() if top_folder(m) not in LAYERS]
    assert strays == []


def test_no_import_cycles() -> None:
    cycles = [sorted(c) for c in nx.strongly_connected_components(import_graph()) if len(c) > 1]
    assert cycles == []


def test_imports_run_downward_only() -> None:
    upward = []
    for source, target in import_graph().edges:
        a, b = top_folder(source), top_folder(target)
        if LAYERS[b] > LAYERS[a] or frozenset({a, b}) in APART:
            upward.append(f"{source} -> {target}")
    assert upward == []


def test_apps_do_not_import_each_other() -> None:
    crossing = []
    for source, target in import_graph().edges:
        a, b = app_of(source), app_of(target)
        if a and b and a != b and (a, b) not in APP_EDGES_ALLOWED:
            crossing.append(f"{source} -> {target}")
    assert crossing == []


@pytest.mark.parametrize("name", sorted(modules()))
def test_module_is_short(name: str) -> None:
    lines = len(modules()[name].read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_MODULE_LINES


def long_functions(path: Path) -> list[str]:
    source = path.read_text(encoding="utf-8")
    lines = source.splitlines()
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            first = min([node.lineno, *(d.lineno for d in node.decorator_list)])
            length = node.end_lineno - first + 1 if node.end_lineno else 0
            justified = first >= 2 and lines[first - 2].strip().startswith(LONG_FUNCTION_MARK)
            if length > MAX_FUNCTION_LINES and not justified:
                found.append(f"{node.name} ({length} lines)")
    return found


@pytest.mark.parametrize("name", sorted(modules()))
def test_functions_are_short(name: str) -> None:
    assert long_functions(modules()[name]) == []


def test_the_checks_see_a_violation() -> None:
    # The checks above pass on the tree; make sure they would notice a bad one.
    graph = nx.DiGraph([("policy_match.dsl.a", "policy_match.core.b"),
                        ("policy_match.core.b", "policy_match.dsl.a")])
    assert [c for c in nx.strongly_connected_components(graph) if len(c) > 1]
    assert LAYERS[top_folder("policy_match.core.b")] > LAYERS[top_folder("policy_match.dsl.a")]
