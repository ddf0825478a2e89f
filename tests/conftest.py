"""Shared fixtures: a throwaway project root with a small notebook that uses every report helper.

The demo notebook can be told to fail (``fail: true``) or to hang (``sleep: 30``) so the runner's
failure handling can be tested without touching the real analyses.
"""

from __future__ import annotations

import os
import textwrap
from pathlib import Path

import nbformat
import pytest

REPO = Path(__file__).resolve().parents[1]

# Reports save figures without a tight bounding box (one draw per figure); in the tests every
# figure is checked to lie wholly on its canvas (evaluatie.publish.report.figure), kernels inherit this.
os.environ["EVALUATIE_CHECK_FIGURES"] = "1"

DEMO_PARAMETERS = '''\
data: str = "data/demo.csv"  # path: invoerbestand
threshold: int = 5  # drempel voor kleine cellen
fail: bool = False  # laat een cel mislukken (test)
data_error: bool = False  # laat een DataError optreden (test)
sleep: float = 0.0  # laat een cel zo lang wachten (test)
fail_late: bool = False  # laat de laatste cel mislukken, na de tabellen en figuren (test)
fail_quoting: bool = False  # laat een cel mislukken met een waarde uit de gegevens in de melding, zoals pandas (test)
label: str | None = None  # vrije tekst
'''

DEMO_BODY = [
    ("code", """\
        import time
        import pandas as pd
        import matplotlib.pyplot as plt
        from evaluatie.publish import report as rp
        from evaluatie.publish.disclosure import suppress
        from evaluatie.core.errors import DataError, Problem
        from evaluatie.intake.schema import Ledger
        params = dict(data=data, threshold=threshold, fail=fail, data_error=data_error, sleep=sleep, label=label)
        rp.start("Demorapport", "Een klein rapport om de werkbank te testen.")"""),
    ("markdown", "## Gegevens\n\nDe invoer wordt ingelezen en verantwoord."),
    ("code", """\
        df = pd.read_csv(data)
        led = Ledger("demo.csv", read=len(df))
        led.exclude("ontbrekende waarde", int(df["value"].isna().sum()))
        df = df.dropna()
        rp.ledger(led)"""),
    ("code", """\
        if data_error:
            raise DataError([Problem("demo.csv", 3, "value", "x", "een getal")])
        if fail:
            raise ValueError("bewust mislukte cel")
        if fail_quoting:
            float(df["group"].iloc[0])  # ValueError: could not convert string to float: '<the cell>'
        if sleep:
            time.sleep(sleep)"""),
    ("markdown", "## Resultaten"),
    ("code", """\
        summary = df.groupby("group", as_index=False).agg(n=("value", "size"), mean=("value", "mean"))
        summary["share"] = summary["n"] / summary["n"].sum()
        summary = suppress(summary, "n", threshold, derived={"mean": "n", "share": "n"})
        rp.table(summary, "summary", "Gemiddelde per groep", labels={"group": "Groep", "n": "Aantal", "mean": "Gemiddelde", "share": "Aandeel"},
                 formats={"n": "int", "mean": "num1", "share": "prop1"})
        fig, ax = plt.subplots()
        ax.bar(summary["group"], summary["mean"], color=rp.PALETTE[0])
        ax.set_ylabel("Gemiddelde")
        rp.figure(fig, "gemiddelden", alt="Staafdiagram van het gemiddelde per groep: groep b ligt hoger dan groep a.")"""),
    ("code", """\
        if fail_late:
            raise ValueError("bewust mislukt na de tabellen")
        rp.provenance(params)"""),
]


def make_demo_notebook(path: Path) -> None:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.metadata["language_info"] = {"name": "python"}
    nb.metadata["evaluatie"] = {"description_nl": "Demorapport voor de tests"}
    cell = nbformat.v4.new_code_cell(DEMO_PARAMETERS)
    cell.metadata["tags"] = ["parameters"]
    nb.cells.append(cell)
    for kind, src in DEMO_BODY:
        src = textwrap.dedent(src)
        nb.cells.append(nbformat.v4.new_code_cell(src) if kind == "code" else nbformat.v4.new_markdown_cell(src))
    nbformat.write(nb, path)


@pytest.fixture
def demo_project(tmp_path, monkeypatch):
    """A project root with notebooks/demo.ipynb, params/demo.yaml and data/demo.csv."""
    proj = tmp_path / "proj"
    for d in ("notebooks", "params", "data"):
        (proj / d).mkdir(parents=True)
    make_demo_notebook(proj / "notebooks" / "demo.ipynb")
    rows = ["group,value"] + [f"{'a' if i % 2 else 'b'},{i}" for i in range(20)] + ["a,"]
    (proj / "data" / "demo.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    (proj / "params" / "demo.yaml").write_text("notebook: demo\nparameters:\n  threshold: 5\n", encoding="utf-8")
    monkeypatch.setenv("EVALUATIE_ROOT", str(proj))
    monkeypatch.chdir(proj)
    return proj


@pytest.fixture
def figure_checks(tmp_path, monkeypatch):
    """``rp.figure`` as a report calls it, with the figure checks of the test suite
    (``EVALUATIE_CHECK_FIGURES``), writing into ``tmp_path``, nothing displayed; the report's style."""
    from evaluatie.publish import report as rp

    monkeypatch.setenv("EVALUATIE_RUN_DIR", str(tmp_path))
    monkeypatch.setenv("EVALUATIE_CHECK_FIGURES", "1")
    monkeypatch.setattr(rp, "_display", lambda *a, **k: None)
    monkeypatch.setattr(rp, "_markdown", lambda *a, **k: None)
    rp.use_style()
    return tmp_path
