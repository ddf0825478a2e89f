"""Every analysis notebook runs through the runner on its tiny parameters (params/test/) and
produces a report that passes the publication checks, with a ledger that adds up."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from evaluatie.run.params import load_run
from evaluatie.run.runner import execute
from report_checks import check_report_html

REPO = Path(__file__).resolve().parents[1]
TEST_PARAMS = sorted((REPO / "params" / "test").glob("*.yaml"))


@pytest.mark.parametrize("params_file", TEST_PARAMS, ids=lambda p: p.stem)
def test_notebook_runs_and_report_is_publishable(params_file, tmp_path, monkeypatch):
    monkeypatch.setenv("EVALUATIE_ROOT", str(REPO))
    run = load_run(params_file)
    result = execute(run, tmp_path)
    d = tmp_path / run.name
    rec = json.loads((d / "run.json").read_text(encoding="utf-8"))
    assert result.ok, rec.get("error")
    assert rec["warnings"] == [], "the notebook wrote warnings to stderr"
    assert check_report_html(d / "report.html", (str(REPO), str(tmp_path))) == []
    ledger = pd.read_csv(d / "tables" / "ledger.csv")
    for source, g in ledger.groupby("source"):
        read = g.loc[g["step"] == "read", "rows"].sum()
        excluded = g.loc[g["step"] == "excluded", "rows"].sum()
        analysed = g.loc[g["step"] == "analysed", "rows"].sum()
        assert read == excluded + analysed, f"ledger of {source} does not add up"
    assert (d / "tables.xlsx").exists()
    nb_text = (d / "notebook.ipynb").read_text(encoding="utf-8")
    assert str(REPO) not in nb_text and str(tmp_path) not in nb_text
