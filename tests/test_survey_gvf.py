"""The generalised variance of the survey report (rule decision 9, docs/disclosure_plan.md): when it
switches, and what it computes.

* ``gvf_se`` and ``gvf_chisq`` against closed forms and scipy (Pearson's X² of ``chi2_contingency``);
* ``SurveyDesign.variance_cells``: which respondents are exchangeable in the design's variance;
* ``report_variance``: exact where no variance unit holds 1..t-1 answers (the estimator's numbers,
  which equal R ``survey``: tests/test_survey_r.py), otherwise one design effect of the design, by hand;
* ``gvf_test``: the pooled withheld group derived from the published whole sample.

Coverage of the generalised intervals: tests/test_survey_coverage.py.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy.stats import chi2_contingency
from scipy.stats import f as f_dist

from evaluatie.analyses import survey as lk
from evaluatie.analyses.survey.weighted import gvf_test
from evaluatie.stats.intervals import design_interval, gvf_se
from evaluatie.stats.survey import SurveyDesign, gvf_chisq


def _frame(n_per: dict, seed: int = 1) -> pd.DataFrame:
    """Respondents per (department, location) with a yes/no answer and a weight per cell."""
    rng = np.random.default_rng(seed)
    rows = []
    for (dep, loc, w), n in n_per.items():
        for _ in range(n):
            rows.append({"dep": dep, "loc": loc, "w": w, "y": "ja" if rng.random() < 0.6 else "nee"})
    return pd.DataFrame(rows)


def test_gvf_se_is_the_closed_form():
    assert gvf_se(0.3, 100, 1.5) == pytest.approx(math.sqrt(1.5 * 0.3 * 0.7 / 100))
    se = gvf_se(np.array([0.0, 1.0, 0.5]), np.array([10, 10, 0]), 2.0)
    assert se[0] == 0 and se[1] == 0 and np.isnan(se[2])


def test_gvf_chisq_is_pearson_over_the_design_effect():
    shares, bases = np.array([0.2, 0.5, 0.65]), np.array([40, 80, 60])
    x2 = chi2_contingency(np.column_stack([shares * bases, (1 - shares) * bases]), correction=False)[0]
    t = gvf_chisq(shares, bases, deff=1.7, df=150).iloc[0]
    assert t["chisq"] == pytest.approx(x2)
    assert t["F"] == pytest.approx(x2 / (2 * 1.7))
    assert (t["ndf"], t["ddf"], t["n"]) == (2, 300, 180)
    assert t["p_value"] == pytest.approx(f_dist.sf(x2 / 3.4, 2, 300))
    # no test: one group with a base, or nobody (or everybody) says yes
    assert gvf_chisq([0.2, 0.5], [40, 0], 1.0, 10)[["F", "p_value"]].isna().all(axis=None)
    assert gvf_chisq([0.0, 0.0], [40, 20], 1.0, 10)[["F", "p_value"]].isna().all(axis=None)


def test_variance_cells():
    df = _frame({("a", "x", 1.0): 6, ("a", "y", 1.0): 6, ("b", "x", 2.0): 6})
    assert len(np.unique(SurveyDesign(df).variance_cells())) == 1  # unweighted, no strata: one cell
    assert len(np.unique(SurveyDesign(df, weights="w").variance_cells())) == 2  # two weights
    assert len(np.unique(SurveyDesign(df, weights="w", strata="loc").variance_cells())) == 3
    # clustered by department: a cell per department; a last stage of single respondents adds nothing
    df["id"] = range(len(df))
    assert len(np.unique(SurveyDesign(df, cluster="dep").variance_cells())) == 2
    df["n_dep"], df["n_id"] = 10, 20
    two = SurveyDesign(df, cluster=["dep", "id"], fpc=["n_dep", "n_id"])
    assert len(np.unique(two.variance_cells())) == 2


def test_an_unweighted_unstratified_report_stays_exact():
    """Its variance is a function of the share and the base: nothing to give back, whatever the groups."""
    d = SurveyDesign(_frame({("a", "x", 1.0): 2, ("b", "x", 1.0): 30}))
    assert lk.report_variance(d, 5, breakdowns=["dep"], columns=["y"]) == lk.EXACT


def test_a_weighted_report_without_small_units_stays_exact_and_equals_the_estimator():
    d = SurveyDesign(_frame({("a", "x", 1.0): 12, ("a", "y", 3.0): 9, ("b", "x", 2.0): 15}), weights="w")
    v = lk.report_variance(d, 5, breakdowns=["dep"], columns=["y"])
    assert v == lk.EXACT
    exact = d.proportion("y", "ja").iloc[0]
    pub = lk.yes_shares(d, {"y": "Ja?"}, "label", variance=v).iloc[0]
    lo, hi = design_interval(round(exact["estimate"], 3), exact["se"], exact["df"], exact["n"], "logit", 0.95)
    assert (pub["se"], pub["ci_low"], pub["ci_high"]) == (round(exact["se"], 3), round(lo, 3), round(hi, 3))
    assert "deff" not in pub.index


def test_a_small_unit_switches_the_report_to_one_design_effect_by_hand():
    """Department b at location y has 3 respondents with their own weight: exact variances would give
    their answers back. D is Kish's 1 + CV² of the weights (no fpc, no clusters), up to 0.1."""
    df = _frame({("a", "x", 1.0): 40, ("a", "y", 2.5): 20, ("b", "x", 1.5): 30, ("b", "y", 4.0): 3})
    d = SurveyDesign(df, weights="w")
    w = df["w"].to_numpy()
    kish = len(w) * (w ** 2).sum() / w.sum() ** 2
    v = lk.report_variance(d, 5, breakdowns=["dep"], columns=["y"])
    assert v.generalised and v.small == 1
    assert v.deff == math.ceil(kish * 10) / 10 == 1.3
    # the same design at threshold 3: no unit of 1..2 answers, exact
    assert lk.report_variance(d, 3, breakdowns=["dep"], columns=["y"]) == lk.EXACT
    # and what it publishes: se and interval from the rounded share, its base and D
    pub = lk.yes_shares(d, {"y": "Ja?"}, "label", variance=v).iloc[0]
    p, n = pub["estimate"], pub["n"]
    se = math.sqrt(v.deff * p * (1 - p) / n)
    lo, hi = design_interval(p, se, pub["df"], n, "logit", 0.95)
    assert (pub["se"], pub["ci_low"], pub["ci_high"], pub["deff"]) == (round(se, 3), round(lo, 3), round(hi, 3), 1.3)


def test_the_groups_of_a_breakdown_and_missing_answers_make_units_smaller():
    """Two strata of 20 unweighted respondents: exact alone; but crossed with a department of 4 in one
    stratum (its 4 answers would be a stratum-by-group sum), generalised; and an item that only 4 of
    a stratum answered, generalised too."""
    df = _frame({("a", "x", 1.0): 16, ("b", "x", 1.0): 4, ("a", "y", 1.0): 20})
    d = SurveyDesign(df, strata="loc")
    assert lk.report_variance(d, 5, columns=["y"]) == lk.EXACT
    v = lk.report_variance(d, 5, breakdowns=["dep"], columns=["y"])
    assert v.generalised and v.deff == 1.0  # no weights, no fpc, no clusters: D = 1
    df.loc[df.index[4:20], "y"] = np.nan  # only 4 of stratum x answered
    assert lk.report_variance(SurveyDesign(df, strata="loc"), 5, columns=["y"]).generalised


def test_clusters_and_the_fpc_enter_the_design_effect():
    """One stage of 12 sampled clusters of 6 (out of 48), all their members: D = (1 - 12/48) (1 + 5 icc)."""
    rows = [{"org": f"o{i}", "N": 48, "y": "ja" if (i + j) % 3 else "nee"} for i in range(12) for j in range(6)]
    d = SurveyDesign(pd.DataFrame(rows), cluster="org", fpc="N")
    assert d.generalised_deff(0.05) == pytest.approx(0.75 * 1.25)
    assert d.generalised_deff(0.0) == pytest.approx(0.75)
    v = lk.report_variance(d, 7, columns=["y"], icc=0.05)  # clusters of 6 < 7: small
    assert v.deff == 1.0  # 0.9375 up to 0.1
    with pytest.raises(ValueError, match="icc"):
        d.generalised_deff(1.5)


def test_the_test_pools_the_withheld_groups_as_the_whole_sample_minus_the_shown():
    shown = pd.DataFrame({"estimate": [0.5, 0.7], "n": [40, 60]})
    whole = pd.Series({"estimate": 0.6, "n": 110, "df": 107})
    t = gvf_test(shown, whole, lk.Variance(deff=1.2)).iloc[0]
    pooled = (110 * 0.6 - 40 * 0.5 - 60 * 0.7) / 10  # 0.4
    ref = gvf_chisq([0.5, 0.7, pooled], [40, 60, 10], 1.2, 107).iloc[0]
    assert t["F"] == pytest.approx(ref["F"]) and (t["ndf"], t["ddf"]) == (2, 214)
    # a derived share outside [0, 1] (rounding) is held at its bound
    t = gvf_test(shown, pd.Series({"estimate": 0.64, "n": 101, "df": 98}), lk.Variance(deff=1.0)).iloc[0]
    assert t["chisq"] == pytest.approx(gvf_chisq([0.5, 0.7, 1.0], [40, 60, 1], 1.0, 98).iloc[0]["chisq"])


def _answers(k_a: tuple) -> SurveyDesign:
    """Department a: 10 respondents at each of the weights 1, 2 and 3, with ``k_a`` 'ja' per weight;
    department b: 10 at weight 1 (6 'ja') and 3 at weight 4 (1 'ja'), a unit of 3."""
    rows = []
    for w, k in zip((1.0, 2.0, 3.0), k_a):
        rows += [{"dep": "a", "w": w, "y": "ja" if j < k else "nee"} for j in range(10)]
    rows += [{"dep": "b", "w": 1.0, "y": "ja" if j < 6 else "nee"} for j in range(10)]
    rows += [{"dep": "b", "w": 4.0, "y": "ja" if j < 1 else "nee"} for j in range(3)]
    return SurveyDesign(pd.DataFrame(rows), weights="w")


def test_with_a_generalised_variance_every_number_is_one_of_the_published_ones():
    """Two answer vectors with the same counts and weighted shares (department a: 2/2/2 or 3/0/3 'ja'
    at weights 1/2/3, both 6 answers and a weighted total of 12) have different exact variances, so
    exact standard errors and tests would tell them apart. With the report's generalised variance
    their published tables are identical: the se, the interval and the test add nothing."""
    one, other = _answers((2, 2, 2)), _answers((3, 0, 3))
    exact = [d.by("dep").proportion("y", "ja")["se"].iloc[0] for d in (one, other)]
    assert abs(exact[0] - exact[1]) > 1e-4
    assert one.chisq("dep", "y")["F"].iloc[0] != pytest.approx(other.chisq("dep", "y")["F"].iloc[0], abs=1e-6)
    v = lk.report_variance(one, 5, breakdowns=["dep"], columns=["y"])
    assert v.generalised and v == lk.report_variance(other, 5, breakdowns=["dep"], columns=["y"])
    published = []
    for d in (one, other):
        est, tests = lk.breakdown(d, "dep", {"ja": ("y", "ja")}, threshold=5, withheld=[], variance=v)
        whole = lk.yes_shares(d, {"y": "y"}, "label", variance=v)
        published.append((est.drop(columns="suppressed"), tests, whole))
        ref = gvf_test(est[["estimate", "n"]], whole.iloc[0], v).iloc[0]
        assert tests.iloc[0]["F"] == round(ref["F"], 2)
    for a, b in zip(*published):
        pd.testing.assert_frame_equal(a, b)
