"""A folder someone hands over (issue 15, item 5: confined code). It may hold ``params/`` and
``notebooks/`` of its own, a ``pandas.py`` or a git repository whose ``.git/config`` names a
command. ``evaluatie`` run from inside it reads its data and parameters, never its code: the
analyses' notebooks come from the workbench (or an explicit ``EVALUATIE_ROOT``), the report's
kernel does not import modules from its working directory, and the provenance asks git about the
workbench's checkout only."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import nbformat
import pytest

from evaluatie.core import paths
from evaluatie.run.cli import main
from evaluatie.run.params import load_run

REPO = Path(__file__).resolve().parents[1]


def _writing_notebook(path: Path, marker: Path) -> None:
    """A notebook that declares only a threshold and writes ``marker`` when it runs."""
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    params = nbformat.v4.new_code_cell("threshold: int = 5  # [3, 1000] drempel")
    params.metadata["tags"] = ["parameters"]
    nb.cells = [params, nbformat.v4.new_code_cell(f"open({str(marker)!r}, 'w').write('ran')")]
    nbformat.write(nb, path)


@pytest.fixture
def hostile(tmp_path, monkeypatch):
    """A folder with params/ and notebooks/ (streefcijfers.ipynb and boos.ipynb, which write a
    marker file when run), the working directory, without EVALUATIE_ROOT."""
    folder = tmp_path / "ontvangen"
    for d in ("params", "notebooks", "data"):
        (folder / d).mkdir(parents=True)
    marker = tmp_path / "GERUND"
    for name in ("streefcijfers", "boos"):
        _writing_notebook(folder / "notebooks" / f"{name}.ipynb", marker)
    (folder / "params" / "boos.yaml").write_text("notebook: boos\n", encoding="utf-8")
    monkeypatch.delenv("EVALUATIE_ROOT", raising=False)
    monkeypatch.chdir(folder)
    return folder, marker


def test_the_folder_is_the_root_for_data_but_not_for_notebooks(hostile):
    folder, _ = hostile
    assert paths.root() == folder.resolve()
    assert paths.notebooks_dir() == REPO / "notebooks"


def test_a_notebook_of_the_folder_does_not_run(hostile, capsys):
    """Before: ``evaluatie run --params studie.yaml`` with ``notebook: streefcijfers`` ran the
    folder's own streefcijfers.ipynb (exit 0, the marker written). Now the workbench's
    streefcijfers is the analysis, and it needs its personnel file."""
    folder, marker = hostile
    (folder / "studie.yaml").write_text("notebook: streefcijfers\n", encoding="utf-8")
    out = folder / "reports"
    assert main(["run", "--params", "studie.yaml", "--out", str(out)]) == 2
    assert "parameter 'microdata' ontbreekt" in capsys.readouterr().err
    assert load_run(None, notebook="streefcijfers",
                    overrides={"microdata": str(REPO / "data" / "example" / "personnel.parquet")}
                    ).notebook == REPO / "notebooks" / "streefcijfers.ipynb"
    assert main(["run", "boos", "--out", str(out)]) == 2  # params/boos.yaml names an analysis that is not one
    assert "onbekende analyse 'boos'" in capsys.readouterr().err
    assert not marker.exists() and not out.exists()


def test_list_shows_the_workbenchs_analyses_only(hostile, capsys):
    assert main(["list"]) == 0
    listed = capsys.readouterr().out
    assert "boos" not in listed.split("Voorbeeldrapporten")[0]
    for nb in (REPO / "notebooks").glob("*.ipynb"):
        assert f"  {nb.stem}  " in listed


def test_an_explicit_evaluatie_root_still_names_the_notebooks(hostile, monkeypatch):
    folder, _ = hostile
    monkeypatch.setenv("EVALUATIE_ROOT", str(folder))
    assert paths.notebooks_dir() == folder.resolve() / "notebooks"


def test_the_kernel_imports_no_module_and_git_runs_no_command_of_the_project_folder(demo_project, tmp_path):
    """Before: the kernel (``python -m ipykernel_launcher`` in the project root) imported the
    project's ``pandas.py`` instead of pandas, and ``git status`` in the project root ran the
    command its ``.git/config`` names as ``core.fsmonitor``."""
    marker = tmp_path / "GERUND"
    (demo_project / "pandas.py").write_text(
        f"open({str(marker) + '.pandas'!r}, 'w').write('ran')\nraise ImportError('geen echte pandas')\n",
        encoding="utf-8")
    git = ["git", "-C", str(demo_project)]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "-c", "user.email=a@b", "-c", "user.name=a", "commit", "-q", "--allow-empty", "-m", "x"],
                   check=True)
    subprocess.run([*git, "config", "core.fsmonitor", f"touch {marker}.git; false"], check=True)
    out = demo_project / "out"
    assert main(["run", "demo", "--out", str(out), "--quiet"]) == 0
    assert not list(tmp_path.glob("GERUND*"))
    rec = json.loads((out / "demo" / "run.json").read_text(encoding="utf-8"))
    head = subprocess.run(["git", "-C", str(REPO), "rev-parse", "HEAD"], capture_output=True, text=True).stdout.strip()
    if head:  # a checkout of the workbench
        assert rec["git_commit"].split("+")[0] == head  # the workbench's commit, not the project folder's
