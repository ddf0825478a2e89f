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


WRITERS = ("to_csv", "to_excel", "to_parquet", "savefig", "write_text", "write_bytes")
NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"


def _calls(tree: ast.AST):
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            f = node.func
            yield f.attr if isinstance(f, ast.Attribute) else getattr(f, "id", None)


def _notebook_trees():
    import nbformat

    for path in sorted(NOTEBOOKS.glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
        yield path.name, ast.parse(code, path.name)


def test_only_publish_and_run_write_files():
    """One export path: notebooks and analyses publish through evaluatie.publish.report (which
    applies escaping and the disclosure decision); they never write a file themselves."""
    offenders = []
    trees = [(m, t) for m, t in _modules().items()
             if m.startswith("evaluatie.analyses") or m.startswith("evaluatie.stats")]
    for name, tree in trees + list(_notebook_trees()):
        found = sorted({c for c in _calls(tree) if c in WRITERS or c == "open"})
        if found:
            offenders.append(f"{name}: {', '.join(found)}")
    assert offenders == []


KEYS = ("suppressed", "disclosure", "disclosure_columns", "suppression_threshold")


def _names_a_key(node: ast.AST) -> bool:
    """Whether an expression mentions one of the disclosure keys as a string (a dict literal, dict(...))."""
    return any(isinstance(n, ast.Constant) and n.value in KEYS for n in ast.walk(node)) or any(
        isinstance(n, ast.keyword) and n.arg in KEYS for n in ast.walk(node))


def _disclosure_offences(tree: ast.AST) -> list[str]:
    found = []
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and "suppress" in node.name.lower():
            found.append(f"defines {node.name}()")
        if isinstance(node, ast.Assign):
            for target in node.targets:
                if (isinstance(target, ast.Subscript) and isinstance(target.value, ast.Attribute)
                        and target.value.attr == "attrs" and isinstance(target.slice, ast.Constant)
                        and target.slice.value in KEYS):
                    found.append(f"sets attrs[{target.slice.value!r}] line {node.lineno}")
                if isinstance(target, ast.Attribute) and target.attr == "attrs" and _names_a_key(node.value):
                    found.append(f"sets attrs to a mapping with a disclosure key line {node.lineno}")
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "update"
                and isinstance(node.func.value, ast.Attribute) and node.func.value.attr == "attrs"
                and any(_names_a_key(a) for a in [*node.args, *node.keywords])):
            found.append(f"updates attrs with a disclosure key line {node.lineno}")
    return found


def test_the_disclosure_check_sees_every_form():
    code = """
df.attrs["suppressed"] = m
df.attrs = {"suppressed": m, "x": 1}
df.attrs.update({"disclosure": "protected"})
df.attrs.update(disclosure_columns=("a",))
def my_suppress(df): pass
df.attrs["note"] = 1
df.attrs.update(note=2)
"""
    assert len(_disclosure_offences(ast.parse(code))) == 5


def test_one_disclosure_module():
    """Small cells are withheld by evaluatie.publish.disclosure only: no other module or notebook
    sets the suppression mask or the decision itself or defines its own suppression function."""
    offenders = []
    for name, tree in list(_modules().items()) + list(_notebook_trees()):
        if name == "evaluatie.publish.disclosure":
            continue
        offenders += [f"{name}: {o}" for o in _disclosure_offences(tree)]
    assert offenders == []
