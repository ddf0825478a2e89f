"""House rules for the notebooks in notebooks/: no outputs committed, one parameters cell that
parses, metadata with a Dutch description, and a default params file that validates."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from evaluatie.run.params import load_run, notebook_meta, notebook_params

REPO = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((REPO / "notebooks").glob("*.ipynb"))
PARAMS = sorted((REPO / "params").glob("*.yaml")) + sorted((REPO / "params" / "test").glob("*.yaml"))


def test_there_are_notebooks():
    assert NOTEBOOKS, "no notebooks in notebooks/"


@pytest.mark.parametrize("nb_path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_has_no_outputs_and_declares_parameters(nb_path):
    nb = json.loads(nb_path.read_text(encoding="utf-8"))
    for i, cell in enumerate(nb["cells"], 1):
        if cell["cell_type"] == "code":
            assert not cell.get("outputs"), f"cell {i} has committed outputs"
            assert cell.get("execution_count") is None, f"cell {i} has an execution count"
    specs = notebook_params(nb_path)
    assert "threshold" in specs and specs["threshold"].annotation == "int"
    assert notebook_meta(nb_path).get("description_nl"), "metadata.evaluatie.description_nl missing"
    assert nb["metadata"]["kernelspec"]["name"] == "evaluatie"
    assert (REPO / "params" / f"{nb_path.stem}.yaml").exists() or any(
        p.read_text(encoding="utf-8").startswith(f"notebook: {nb_path.stem}") for p in PARAMS
    ), "no params file for this notebook"


@pytest.mark.parametrize("params_file", PARAMS, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_params_files_validate(params_file, monkeypatch):
    monkeypatch.setenv("EVALUATIE_ROOT", str(REPO))
    run = load_run(params_file)
    assert run.parameters
