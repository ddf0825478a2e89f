"""Declared ranges of numeric parameters and the small-cell threshold, checked before any kernel
starts (issue 15, item 3)."""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pytest

from evaluatie.run.cli import main
from evaluatie.run.params import ParamError, load_run, notebook_params

REPO = Path(__file__).resolve().parents[1]


def _notebook(tmp_path: Path, source: str) -> Path:
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell(source)
    cell.metadata["tags"] = ["parameters"]
    nb.cells.append(cell)
    (tmp_path / "notebooks").mkdir(exist_ok=True)
    path = tmp_path / "notebooks" / "n.ipynb"
    nbformat.write(nb, path)
    return path


def test_a_range_is_read_from_the_start_of_the_comment_and_left_out_of_the_help(tmp_path):
    specs = notebook_params(_notebook(tmp_path, (
        "bootstrap: int = 999  # [20, 100000] herhalingen\n"
        "share: float = 0.5  # [0.0, 1.0] aandeel\n"
        "seed: int = 1  # [0, ] startwaarde\n"
        "cut: list = [2, 4]  # [0.1, 100] dalingen\n"
        "data: str | None = None  # path: [1, 2] bestand\n"
        "note: str = 'x'  # [geen bereik] tekst\n")))
    assert (specs["bootstrap"].low, specs["bootstrap"].high, specs["bootstrap"].help) == (20, 100000, "herhalingen")
    assert (specs["share"].low, specs["share"].high) == (0.0, 1.0)
    assert (specs["seed"].low, specs["seed"].high) == (0, None)
    assert (specs["cut"].low, specs["cut"].high) == (0.1, 100)
    assert specs["data"].is_path and specs["data"].low == 1
    assert specs["note"].low is None and specs["note"].help == "[geen bereik] tekst"


@pytest.mark.parametrize("override, needle", [
    ({"bootstrap": -5}, "parameter 'bootstrap': verwacht een getal van 20 tot en met 100000, gekregen -5"),
    ({"bootstrap": 10 ** 9}, "parameter 'bootstrap': verwacht een getal van 20 tot en met 100000"),
    ({"planned_reductions": [2, -1]}, "parameter 'planned_reductions': verwacht elk getal van 0.1 tot en met 100, gekregen -1"),
    ({"seed": -1}, "parameter 'seed': verwacht een getal van 0 tot en met 4294967295"),
    ({"threshold": 0}, "parameter 'threshold': de drempel voor kleine cellen is minstens 3"),
    ({"threshold": 4}, "zet daarvoor ook 'allow_small_cells: true'"),
    ({"threshold": 4, "allow_small_cells": "ja"}, "parameter 'allow_small_cells': verwacht bool"),
])
def test_out_of_range_values_stop_before_a_kernel_naming_the_key(override, needle):
    with pytest.raises(ParamError) as e:
        load_run(REPO / "params" / "correspondentietest.yaml", overrides=override)
    assert needle in str(e.value)


def test_a_threshold_of_three_or_four_runs_with_allow_small_cells():
    run = load_run(REPO / "params" / "correspondentietest.yaml", overrides={"threshold": 3, "allow_small_cells": True})
    assert run.parameters["threshold"] == 3 and run.parameters["allow_small_cells"] is True


def test_the_report_says_so_when_a_lower_threshold_was_used(demo_project):
    (demo_project / "params" / "laag.yaml").write_text("notebook: demo\nthreshold: 3\nallow_small_cells: true\n",
                                                        encoding="utf-8")
    out = demo_project / "out"
    assert main(["run", "laag", "--out", str(out), "--quiet"]) == 0
    html = (out / "laag" / "report.html").read_text(encoding="utf-8")
    assert "Lagere drempel voor kleine cellen" in html and "vanaf 3 personen" in html
    assert json.loads((out / "laag" / "run.json").read_text())["parameters"]["allow_small_cells"] is True
    assert main(["run", "demo", "--out", str(out), "--quiet"]) == 0
    assert "Lagere drempel" not in (out / "demo" / "report.html").read_text(encoding="utf-8")


@pytest.mark.parametrize("notebook, values, needle", [
    ("correspondentietest", {"outcome": {"positief": "misschien"}}, "voor outcome als standaardwaarde ja of nee"),
    ("correspondentietest", {"uitkomst": {"x": 1}}, "niet bruikbaar: uitkomst"),
    ("streefcijfers", {"sex": {"V": "Q"}}, "Q is geen standaardcode"),
    ("streefcijfers", {"geslacht": {"V": "F"}}, "geen waardekoppeling voor 'geslacht'"),
])
def test_a_values_mapping_that_cannot_be_used_stops_before_a_kernel(notebook, values, needle):
    with pytest.raises(ParamError) as e:
        load_run(REPO / "params" / f"{notebook}.yaml", overrides={"values": values})
    assert "parameter 'values'" in str(e.value) and needle in str(e.value)


def test_a_check_outside_the_package_is_refused(tmp_path):
    path = _notebook(tmp_path, "values: dict = {}  # koppeling\n")
    nb = nbformat.read(path, as_version=4)
    nb.metadata["evaluatie"] = {"checks": {"values": "os:system"}}
    nbformat.write(nb, path)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("EVALUATIE_ROOT", str(tmp_path))
        with pytest.raises(ParamError, match="is not a function of the package"):
            load_run(notebook="n", overrides={"values": {"a": "b"}})


@pytest.mark.parametrize("notebook", sorted(p.stem for p in (REPO / "notebooks").glob("*.ipynb")))
def test_every_numeric_parameter_declares_its_range(notebook):
    """Issue 15: every number a params file can set is bounded before a kernel starts."""
    specs = notebook_params(REPO / "notebooks" / f"{notebook}.ipynb")
    numeric = [s for s in specs.values() if {"int", "float"} & set(s.base_types)]
    numeric += [s for s in specs.values() if s.base_types == ("list",) and isinstance(s.default, list)
                and s.default and all(isinstance(x, (int, float)) for x in s.default)]
    assert numeric and [s.name for s in numeric if s.low is None and s.high is None] == []


def test_choices_are_read_and_a_text_outside_them_stops_before_a_kernel(tmp_path):
    specs = notebook_params(_notebook(tmp_path, 'ci: str = "logit"  # {logit, beta, wilson} methode\n'
                                                'parts: list = []  # {a, b} onderdelen\n'))
    assert specs["ci"].choices == ("logit", "beta", "wilson") and specs["ci"].help == "methode"
    assert specs["parts"].choices == ("a", "b")
    with pytest.raises(ParamError, match=r"parameter 'interval': verwacht een van delta, bootstrap, gekregen 'bayes'"):
        load_run(REPO / "params" / "correspondentietest.yaml", overrides={"interval": "bayes"})
    with pytest.raises(ParamError, match=r"parameter 'parts': verwacht elk een van .*gekregen 'toekomst'"):
        load_run(REPO / "params" / "actieplan_budget2018.yaml", overrides={"parts": ["budget", "toekomst"]})
