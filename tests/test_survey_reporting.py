"""Reporting helpers added after the statistical review: the coding of a claim (counted and
not-counted levels, a judgement under an alternative coding), natural order of size classes in
the weighting table, and Holm-adjusted p-values."""

import html
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from evaluatie.analyses import survey as lk
from evaluatie.core.errors import DataError
from evaluatie.intake.read import read_table
from evaluatie.run.params import load_run
from evaluatie.run.runner import execute
from evaluatie.stats import survey as sv
from evaluatie.stats.multitest import adjust_pvalues


def _targets():
    # 46 ja, 60 deels, 43 nee: the review's example (disability targets)
    return pd.DataFrame({"reached": ["ja"] * 46 + ["deels"] * 60 + ["nee"] * 43 + [None] * 10})


def test_claim_reports_coding_and_alternative_coding():
    d = sv.SurveyDesign(_targets())
    claim = {"id": "t", "variable": "reached", "levels": "ja", "op": "<", "value": 0.5,
             "coding_nl": "'deels' telt als niet behaald", "alt_levels": ["ja", "deels"]}
    r = lk.claims_check(d, [claim]).iloc[0]
    assert r["levels"] == "ja" and r["other_levels"] == "deels+nee"
    assert r["coding_nl"] == "'deels' telt als niet behaald"
    # closed form: shares among the 149 with an answer
    assert r["estimate"] == pytest.approx(46 / 149) and r["n"] == 149
    assert r["verdict"] == "supported"
    assert r["alt_levels"] == "ja+deels"
    assert r["alt_estimate"] == pytest.approx(106 / 149)
    assert r["alt_ci_low"] < 106 / 149 < r["alt_ci_high"]
    assert r["alt_verdict"] == "not_supported" and r["alt_verdict_nl"] == "niet ondersteund"


def test_claims_without_alternative_have_blank_alt_columns():
    d = sv.SurveyDesign(_targets())
    base = {"id": "a", "variable": "reached", "levels": "ja", "op": "<", "value": 0.5}
    one = lk.claims_check(d, [base]).iloc[0]
    assert one["alt_levels"] == "" and one["alt_verdict"] == "" and np.isnan(one["alt_estimate"])
    both = lk.claims_check(d, [base, {**base, "id": "b", "alt_levels": ["ja", "deels"]}]).set_index("id")
    assert np.isnan(both.loc["a", "alt_estimate"]) and both.loc["a", "alt_verdict_nl"] == ""
    assert both.loc["b", "alt_verdict"] == "not_supported"
    # the main estimate does not depend on whether an alternative is asked for
    assert both.loc["a", "estimate"] == both.loc["b", "estimate"]


def test_natural_order_of_size_classes():
    levels = ["1-9", "10-49", "250+", "50-249", "Brussel", "antwerpen"]
    assert sorted(levels, key=lk.natural_key) == ["1-9", "10-49", "50-249", "250+", "antwerpen", "Brussel"]


def test_weighting_table_lists_size_classes_in_natural_order():
    rng = np.random.default_rng(3)
    df = pd.DataFrame({"size": rng.choice(["1-9", "10-49", "250+", "50-249"], 400)})
    pop = {"size": pd.Series({"1-9": 500.0, "10-49": 600.0, "250+": 200.0, "50-249": 400.0})}
    d = sv.SurveyDesign(df)
    wt = lk.weighting_table(d, d.rake(pop), pop)
    assert wt["level"].tolist() == ["1-9", "10-49", "50-249", "250+"]
    assert wt.set_index("level")["population"].to_dict() == {"1-9": 500, "10-49": 600, "50-249": 400, "250+": 200}
    assert wt["calibrated_share"].to_numpy() == pytest.approx(wt["population_share"].to_numpy())


def test_holm_adjustment_closed_form():
    p = np.array([0.01, 0.04, 0.03, 0.005, np.nan, 0.5])
    # closed form (Holm 1979) over the 5 non-missing p-values: sorted 0.005, 0.01, 0.03, 0.04, 0.5
    # times 5, 4, 3, 2, 1 -> 0.025, 0.04, 0.09, 0.08, 0.5; running maximum -> 0.025, 0.04, 0.09, 0.09, 0.5
    expected = np.array([0.04, 0.09, 0.09, 0.025, np.nan, 0.5])
    got = adjust_pvalues(p)
    assert np.isnan(got[4])
    np.testing.assert_allclose(np.delete(got, 4), np.delete(expected, 4))
    assert np.all(adjust_pvalues([0.9, 0.8, 0.7]) <= 1)
    assert adjust_pvalues([]).size == 0


def test_report_shows_coding_units_and_multiple_testing(tmp_path, monkeypatch):
    """The report on the test parameters: the findings of the statistical review are visible."""
    repo = Path(__file__).resolve().parents[1]
    monkeypatch.setenv("EVALUATIE_ROOT", str(repo))
    run = load_run(repo / "params" / "test" / "survey_evaluatie.yaml")
    assert execute(run, tmp_path).ok
    d = tmp_path / run.name
    text = html.unescape(re.sub(r"<[^>]+>", " ", (d / "report.html").read_text(encoding="utf-8")))
    # 1: the coding of 'behaald', the ja/deels/nee split and the verdict with 'deels' as reached
    cc = pd.read_csv(d / "tables" / "claims_check.csv").set_index("id")
    assert cc.loc["target_disability", "other_levels"] == "deels+nee"
    assert cc.loc["target_disability", "alt_levels"] == "ja+deels"
    assert cc.loc["target_disability", "alt_estimate"] > cc.loc["target_disability", "estimate"]
    assert "'deels' telt als niet behaald" in text
    split = pd.read_csv(d / "tables" / "targets_reached_split.csv")
    np.testing.assert_allclose(split[["ja", "deels", "nee"]].sum(axis=1), 1.0)
    np.testing.assert_allclose(split["ja_or_deels"], split["ja"] + split["deels"])
    # 2 and 4: circularity on synthetic data, thresholds are our reading, tolerance in percentage points
    assert "Deze oordelen zijn geen bewijs" in text and "onze lezing" in text
    assert "± 5 procentpunt" in text and "(± 5%)" not in text
    # 3: units and incomplete respondents
    assert "geen responsgraad" in text and "Onvolledige vragenlijsten" in text
    # 5: per-cell n, Rao-Scott df, Holm-adjusted p-values (never below the raw ones), intervals in the CSV
    bd = pd.read_csv(d / "tables" / "breakdown_sme.csv")
    assert {"ci_low", "ci_high", "n", "ndf", "ddf", "p_value", "p_holm"} <= set(bd.columns)
    assert (bd["p_holm"] >= bd["p_value"] - 1e-12).all()
    assert "Holm" in text and "tables/breakdown_sme.csv" in text
    # 6: Dutch margin labels, size classes in natural order
    wt = pd.read_csv(d / "tables" / "weighting.csv")
    assert wt.loc[wt["margin"] == "size_class", "level"].tolist() == ["1-9", "10-49", "50-249", "250+"]
    assert "Grootteklasse" in text and "size_class" not in text.split("Parameters")[0]
    # 7: wording
    assert "design-based" not in text and "KMO" not in text and "ontwerpgebaseerd" in text


def test_frame_with_impossible_counts_is_refused_row_by_row(tmp_path):
    """Issue 16: the frame accepted -5, an empty cell and 12,5 as counts of organisations."""
    path = tmp_path / "kader.csv"
    path.write_text("soort;aantal\ninstapplan;120\ngroeiplan;-5\nclusterplan;\ndiversiteitsplan;12,5\n;7\n",
                    encoding="utf-8")
    with pytest.raises(DataError) as e:
        sv.frame_margins(read_table(path), ["soort"], "aantal")
    got = [(p.file, p.row, p.column) for p in e.value.problems]
    assert got == [("kader.csv", 3, "aantal"), ("kader.csv", 4, "aantal"), ("kader.csv", 5, "aantal"),
                   ("kader.csv", 6, "soort")]
    path.write_text("soort;aantal\ninstapplan;1.200\ngroeiplan;30\n", encoding="utf-8")
    assert sv.frame_margins(read_table(path), ["soort"], "aantal")["soort"].to_dict() == {
        "groeiplan": 30.0, "instapplan": 1200.0}
