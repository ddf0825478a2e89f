"""The package's layout rules, read from its source: the core layer imports nothing else from the
package, module-level imports form no cycle, and no private name of the notebook libraries is
imported (documented APIs only)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src"
LIBRARIES = ("nbconvert", "papermill", "nbclient", "jupyter_client", "ipykernel", "jsonschema", "nbformat")


def _modules() -> dict[str, ast.Module]:
    out = {}
    for f in sorted((SRC / "evaluatie").rglob("*.py")):
        rel = f.relative_to(SRC).with_suffix("")
        parts = rel.parts[:-1] if rel.name == "__init__" else rel.parts
        out[".".join(parts)] = ast.parse(f.read_text(encoding="utf-8"), str(f))
    return out


def _imports(tree: ast.Module, *, top_only: bool):
    nodes = tree.body if top_only else ast.walk(tree)
    for node in nodes:
        if isinstance(node, ast.Import):
            yield from (a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.module
            yield from (f"{node.module}.{a.name}" for a in node.names)


def _graph(modules):
    return {m: {d for d in _imports(t, top_only=True) if d in modules and d != m} for m, t in modules.items()}


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Cycles of the graph (Tarjan's strongly connected components of more than one node)."""
    index, low, stack, on, found = {}, {}, [], set(), []

    def visit(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                found.append(sorted(comp))

    for v in graph:
        if v not in index:
            visit(v)
    return found


def test_cycle_finder_finds_a_cycle():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert _cycles({"a": {"b"}, "b": set()}) == []


def test_no_import_cycles_between_modules():
    modules = _modules()
    assert len(modules) > 30
    assert _cycles(_graph(modules)) == []


def test_core_imports_nothing_else_from_the_package():
    modules = _modules()
    leaks = {m: sorted(d for d in _imports(t, top_only=False)
                       if d.startswith("evaluatie") and not d.startswith("evaluatie.core"))
             for m, t in modules.items() if m.startswith("evaluatie.core")}
    assert {m: d for m, d in leaks.items() if d} == {}


@pytest.mark.parametrize("library", LIBRARIES)
def test_no_private_names_of_the_notebook_libraries(library):
    private = [(m, d) for m, t in _modules().items() for d in _imports(t, top_only=False)
               if d.split(".")[0] == library and any(p.startswith("_") for p in d.split(".")[1:])]
    assert private == []
