"""The correspondence-test notebook end to end: the Bertrand & Mullainathan (2004) params reproduce
the published callback rates and the paired counts, and the exported tables have exactly the
columns the sector fund's other tools read."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pandas as pd
import pytest

from evaluatie.analyses.correspondence import DISCRIMINATION_COLUMNS, RATE_COLUMNS
from evaluatie.run.params import load_run
from evaluatie.run.runner import execute

REPO = Path(__file__).resolve().parents[1]


def _run(tmp_path_factory, params: str) -> Path:
    """Run one test params file with the runner; the run's folder."""
    os.environ["EVALUATIE_ROOT"] = str(REPO)
    out = tmp_path_factory.mktemp("cs")
    run = load_run(REPO / "params" / "test" / f"{params}.yaml")
    res = execute(run, out)
    d = out / run.name
    assert res.ok, json.loads((d / "run.json").read_text(encoding="utf-8")).get("error")
    return d


@pytest.fixture(scope="module")
def bm_run(tmp_path_factory):
    return _run(tmp_path_factory, "correspondentietest_bertrand2004")


def test_bertrand_mullainathan_report_reproduces_published_rates(bm_run):
    rates = pd.read_csv(bm_run / "tables" / "callback_rates.csv")
    assert list(rates.columns) == RATE_COLUMNS
    r = rates.set_index("group")
    assert round(100 * r.loc["wit klinkende naam", "rate"], 2) == 9.65
    assert round(100 * r.loc["zwart klinkende naam", "rate"], 2) == 6.45
    assert r["rate"].between(0, 1).all() and (r["ci_low"] < r["rate"]).all() and (r["rate"] < r["ci_high"]).all()


def test_bertrand_mullainathan_report_paired_counts(bm_run):
    disc = pd.read_csv(bm_run / "tables" / "discrimination.csv")
    assert list(disc.columns) == DISCRIMINATION_COLUMNS
    row = disc.iloc[0]
    assert (row["ground"], row["group"], row["reference"]) == ("etniciteit", "zwart klinkende naam", "wit klinkende naam")
    assert (row["vacancies"], row["neither"], row["only_reference"], row["only_group"], row["both"]) == (1323, 1103, 93, 39, 88)
    assert row["difference_pp"] == pytest.approx(-3.2033, abs=1e-4)
    assert row["relative_callback"] == pytest.approx(157 / 235, rel=1e-12)
    assert 0 <= row["net_discrimination"] <= 1 and row["mcnemar_p"] < 1e-4
    ledger = pd.read_csv(bm_run / "tables" / "ledger.csv")
    assert ledger.loc[ledger["step"] == "read", "rows"].sum() == 4870
    assert ledger.loc[ledger["step"] == "analysed", "rows"].sum() == 4870


def test_bertrand_mullainathan_report_uses_its_labels_and_title(bm_run):
    """The params' labels replace the file's English values (groups, covariate values, variable
    names) everywhere a reader looks, and the report has its own title."""
    html = (bm_run / "report.html").read_text(encoding="utf-8")
    assert "Praktijktest Bertrand &amp; Mullainathan (2004)" in html or "Praktijktest Bertrand & Mullainathan (2004)" in html
    reg = pd.read_csv(bm_run / "tables" / "regression.csv")
    assert "kwaliteit van het cv: laag" in set(reg["term"])
    assert not any("resume_quality" in t for t in reg["term"])
    het = pd.read_csv(bm_run / "tables" / "heterogeneity.csv")
    assert set(het["group"]) == {"zwart klinkende naam"}
    for word in ("'black'", "'white'", ">black<", ">white<", "resume_quality[", ">job_city<"):
        assert word not in html, word


def test_power_table_of_the_report_plans_the_gap_and_half_of_it(bm_run):
    power = pd.read_csv(bm_run / "tables" / "power.csv")
    assert list(power["plan"]) == ["current", "half"]
    gap = 100 * (93 - 39) / 1323  # per vacancy, B&M's paired counts
    assert power["gap_plan_pp"].tolist() == pytest.approx([gap, gap / 2])
    assert (power["vacancies_needed"] > 0).all() and power["budget"].eq(1323).all()


@pytest.fixture(scope="module")
def example_run(tmp_path_factory):
    """The synthetic two-wave example, all of whose study text now comes from its params file."""
    return _run(tmp_path_factory, "correspondentietest")


def test_example_report_shows_the_numbers_it_showed_before_the_notebook_was_made_neutral(example_run):
    """Numbers of the example report as exported before the example values moved from the
    notebook's defaults into params/ (commit 732d945): moving them changed no number."""
    disc = pd.read_csv(example_run / "tables" / "discrimination.csv").set_index("ground")
    assert disc.loc["etniciteit", "rate"] == pytest.approx(0.2875, rel=1e-12)
    assert disc.loc["etniciteit", "rate_reference"] == pytest.approx(149 / 480, rel=1e-12)
    assert disc.loc["leeftijd", "relative_callback"] == pytest.approx(0.9236111111111112, rel=1e-12)
    assert disc.loc["geslacht", "difference_ci_high"] == pytest.approx(4.504014702529782, rel=1e-9)
    wc = pd.read_csv(example_run / "tables" / "wave_comparison.csv").set_index("ground")
    assert wc.loc["etniciteit", "change_pp"] == pytest.approx(-4.375, rel=1e-9)
    # fixest's convention counts the absorbed intercept (K = regressors + 1): 0.136835 before
    assert wc.loc["etniciteit", "change_p"] == pytest.approx(0.13693686401438007, rel=1e-6)
    assert wc.loc["leeftijd", "relative_change"] == pytest.approx(1.0310077519379846, rel=1e-12)


def test_example_report_text_comes_from_its_params(example_run):
    html = (example_run / "report.html").read_text(encoding="utf-8")
    assert "Praktijktest in de metaal- en technologiesector (synthetisch voorbeeld)" in html
    assert "gegenereerd met de simulatiemodule" in html and "Maghrebijns-Arabische of Midden-Oosterse achtergrond: ongeveer 41%" in html
    assert "etniciteit (naam), leeftijd of geslacht" in html
