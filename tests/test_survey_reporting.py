"""Reporting helpers added after the statistical review: the coding of a claim (counted and
not-counted levels, a judgement under an alternative coding), natural order of size classes in
the weighting table, and Holm-adjusted p-values."""

import html
import math
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy.stats import chi2_contingency
from scipy.stats import f as f_dist

from evaluatie.analyses import survey as lk
from evaluatie.core.errors import DataError
from evaluatie.intake.read import read_table
from evaluatie.publish.disclosure import decision, mark
from evaluatie.run.params import load_run
from evaluatie.run.runner import execute
from evaluatie.stats import survey as sv
from evaluatie.stats.intervals import design_interval
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
    # the weights vary: the weighted shares are published to 0.1 percentage point (the frame's are exact)
    assert wt["calibrated_share"].tolist() == [round(x, 3) for x in wt["population_share"]]


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
    split = pd.read_csv(d / "tables" / "targets_reached_split.csv")  # weighted shares, each rounded to 0.1 point
    np.testing.assert_allclose(split[["ja", "deels", "nee"]].sum(axis=1), 1.0, atol=1.5e-3)
    np.testing.assert_allclose(split["ja_or_deels"], split["ja"] + split["deels"], atol=1e-3)
    # 2 and 4: circularity on synthetic data, thresholds are our reading, tolerance in percentage points
    assert "Deze oordelen zijn geen bewijs" in text and "onze lezing" in text
    assert "± 5 procentpunt" in text and "(± 5%)" not in text
    # 3: units and incomplete respondents
    assert "geen responsgraad" in text and "Onvolledige vragenlijsten" in text
    # 5: per-cell n, Rao-Scott df, Holm-adjusted p-values (never below the raw ones), intervals in the CSV
    bd = pd.read_csv(d / "tables" / "breakdown_sme.csv")
    assert {"ci_low", "ci_high", "n", "ndf", "ddf", "p_value", "p_holm"} <= set(bd.columns)
    tested = bd["p_value"].notna()  # an indicator whose SME groups are both withheld has no test
    assert tested.any() and (bd.loc[tested, "p_holm"] >= bd.loc[tested, "p_value"] - 1e-12).all()
    assert "Holm" in text and "tables.xlsx" in text and "breakdown_sme" not in text.split("Herkomst van dit rapport")[0]
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


# --------------------------------------------------------------------------- moved out of the notebook

def _claims_frame():
    return pd.DataFrame({"op": [">", "~"], "value": [0.5, 0.9], "tolerance": [np.nan, 0.05],
                         "coding_nl": ["", "top-2"], "levels": ["ja", "ja"], "other_levels": ["deels+nee", "nee"],
                         "verdict": ["supported", "undecided"], "verdict_nl": ["ondersteund", "onbeslist"],
                         "alt_levels": ["ja+deels", ""], "alt_verdict": ["not_supported", ""],
                         "alt_verdict_nl": ["niet ondersteund", ""], "alt_estimate": [0.712, np.nan],
                         "text_nl": ["Doel A", "Doel B"]})


def test_claim_rules_nl_bound_and_coding():
    out = lk.claim_rules_nl(_claims_frame())
    assert out["claim_rule"].tolist() == ["> 50%", "≈ 90% (± 5 procentpunt)"]
    assert out["coding"].tolist() == ["'ja' (niet: deels, nee)", "top-2"]


_PLANS = {"respondents": "organisaties", "frame_units": "afgeronde plannen"}


def test_claims_summary_nl_counts_verdicts():
    s = lk.claims_summary_nl(_claims_frame(), conf=0.95, n_pop=1440, n_analysed=500, texts=_PLANS)
    assert "Van de 2 gepubliceerde conclusies" in s and "**1 ondersteund**" in s
    assert "0 niet ondersteund en 1 onbeslist (het 95%-" in s
    assert "1.440 afgeronde plannen" in s and "op 500 organisaties" in s
    s = lk.claims_summary_nl(_claims_frame(), conf=0.95, n_pop=None, n_analysed=150)
    assert s.endswith("De schattingen zijn ongewogen; ze steunen op 150 respondenten.") and "kader" not in s


def test_alternative_codings_and_flips():
    alt = lk.alternative_codings(mark(_claims_frame(), np.zeros(2, bool)))
    assert alt["text_nl"].tolist() == ["Doel A"]
    s = lk.coding_flips_nl(alt)
    assert "verandert het oordeel over «Doel A»: 71,2% behaalde het streefcijfer minstens deels, " \
           "dus niet ondersteund in plaats van ondersteund." in s
    same = alt.assign(alt_verdict="supported")
    assert lk.coding_flips_nl(same).endswith("blijft elk oordeel hetzelfde.")
    assert lk.VERDICT_CLASSES[lk.VERDICTS_NL["not_supported"]] == "ev-bad"


def test_response_nl_with_and_without_incomplete():
    s = lk.response_nl(536, 500, 1440, None, _PLANS)
    assert s.startswith("Respons: 536 organisaties vulden de vragenlijst in, waarvan 500 in de analyse.")
    assert "het kader telt 1.440 afgeronde plannen." in s and "Onvolledige" not in s
    s = lk.response_nl(536, 500, 1440, (36, 3, 30), _PLANS)
    assert "**Onvolledige vragenlijsten:** 36 organisaties" in s and "tussen 3 en 30 van hen" in s
    assert "de weging corrigeert daar niet voor" in s
    # without a frame: no comparison with a frame, no weighting to correct anything
    s = lk.response_nl(160, 150, None, (10, 2, 9))
    assert s.startswith("Respons: 160 respondenten vulden de vragenlijst in, waarvan 150 in de analyse. **Onvolledige")
    assert "kader" not in s and "weging" not in s


def test_breakdown_intro_nl_names_number_of_tests():
    s = lk.breakdown_intro_nl(18)
    assert "**18 toetsen**" in s and "over alle 18 toetsen samen" in s


def _breakdown_design():
    # group a: 8 of 10 'ja'; group b: 2 of 10 'ja'; group c: 3 respondents (below the threshold)
    return sv.SurveyDesign(pd.DataFrame({"g": ["a"] * 10 + ["b"] * 10 + ["c"] * 3,
                                         "x": ["ja"] * 8 + ["nee"] * 2 + ["ja"] * 2 + ["nee"] * 8 + ["ja"] * 3}))


def test_breakdowns_holm_over_all_tests_and_tables():
    d = _breakdown_design()
    results, tests = lk.breakdowns(d, ["g"], {"X": ("x", "ja")}, threshold=5)
    assert tests["by"].tolist() == ["g"]
    assert tests["p_holm"].iloc[0] == pytest.approx(tests["p_value"].iloc[0])  # one test: Holm changes nothing
    est, _ = results["g"]
    shown, export = lk.breakdown_tables(est, tests.set_index("indicator"), "g", ["X"], threshold=5)
    assert shown.columns.tolist() == ["indicator", "a", "b", "c", "F", "df", "p_value", "p_holm"]
    # c (3 respondents) is withheld, and a, the smaller shown group (a tie broken by name), with it: the
    # whole-sample share is published, so c alone would be the difference
    assert shown.loc[0, "b"] == "20,0%\u00a0(10)" and pd.isna(shown.loc[0, "a"]) and pd.isna(shown.loc[0, "c"])
    assert shown.attrs["suppressed"].loc[0, ["a", "c"]].all() and not shown.attrs["suppressed"].loc[0, "b"]
    assert decision(shown) == decision(export) == "protected"
    assert set(export["g"]) == {"a", "b", "c"} and "se" not in export.columns
    assert export.loc[export["g"] != "b", ["estimate", "ci_low", "ci_high", "df", "n", "n_level"]].isna().all().all()
    assert (export["p_holm"] == tests["p_holm"].iloc[0]).all()  # the test over all groups stays


def test_targets_table_and_reached_split_closed_form():
    # 'ja' 4, 'deels' 3, 'nee' 3 among those with a target; 10 set one, 2 did not
    df = pd.DataFrame({"target_set_x": ["ja"] * 10 + ["nee"] * 2,
                       "target_reached_x": ["ja"] * 4 + ["deels"] * 3 + ["nee"] * 3 + [None] * 2})
    d = sv.SurveyDesign(df)
    tg = lk.targets_table(d, {"x": "Groep X"}, threshold=5)
    assert tg["measure"].tolist() == list(lk.MEASURES_NL.values()) and tg["group"].tolist() == ["Groep X"] * 2
    assert tg["estimate"].tolist() == pytest.approx([10 / 12, 4 / 10])
    rs, levels = lk.reached_split(d, {"x": "Groep X"}, threshold=3)
    assert levels == ["ja", "deels", "nee"]
    r = rs.iloc[0]
    assert (r["ja"], r["deels"], r["nee"]) == pytest.approx((0.4, 0.3, 0.3))
    assert r["ja_or_deels"] == pytest.approx(0.7) and r["n"] == 10 and not r["suppressed"]
    # 'deels' and 'nee' have 3 each: shown, the base of 10 protects them (the rule is the base)
    rs4, _ = lk.reached_split(d, {"x": "Groep X"}, threshold=4)
    assert not rs4["suppressed"].iloc[0] and rs4["deels"].iloc[0] == pytest.approx(0.3)
    rs11, _ = lk.reached_split(d, {"x": "Groep X"}, threshold=11)  # a base of 10 below the threshold
    assert rs11["suppressed"].iloc[0] and rs11[["ja", "deels", "nee", "ja_or_deels", "n"]].isna().all(axis=None)
    tg11 = lk.targets_table(d, {"x": "Groep X"}, threshold=11)
    assert tg11["suppressed"].tolist() == [False, True] and pd.isna(tg11["n"].iloc[1]) and tg11["n"].iloc[0] == 12


def test_example_report_numbers_are_pinned(tmp_path, monkeypatch):
    """The example evaluation (params/survey_evaluatie.yaml: SPSS file, raked to the frame) gives
    the numbers it gave before its example values moved from the notebook into the params — since
    issue 15 (weighted shares are counts) published to 0.1 percentage point, the report's precision
    (shares, intervals: 3 decimals; F: 2; p: 3 significant digits): the 12-digit values below are
    the estimator's, unchanged."""
    repo = Path(__file__).resolve().parents[1]
    monkeypatch.setenv("EVALUATIE_ROOT", str(repo))
    run = load_run(repo / "params" / "survey_evaluatie.yaml")
    assert execute(run, tmp_path).ok
    t = tmp_path / run.name / "tables"
    cc = pd.read_csv(t / "claims_check.csv").set_index("id")
    assert (cc["verdict"] == "supported").all() and len(cc) == 12
    pinned = {"support": (0.908934460595, 0.884318867309, 0.928734257509, 481),
              # 'weet niet' out of the base (13 of the 500): was 0.941228168948 on 500
              "recommend": (0.965717321762, 0.949028454653, 0.977073997688, 487),
              "execution": (0.690204693008, 0.653902826123, 0.724304260725, 493),
              "target_disability": (0.319713139432, 0.258654344761, 0.387648746759, 149)}
    for cid, (est, lo, hi, n) in pinned.items():
        # the estimate is the estimator's; the interval is the generalised one of the report (rule decision 9:
        # the example has weight classes of 1 to 4 answers): around the rounded share with its base, D = 0.8
        # and the design df of the whole sample (one respondent per PSU in 4 strata of plan type: n - 4)
        p = round(est, 3)
        low, high = design_interval(p, math.sqrt(0.8 * p * (1 - p) / n), n - 4, n, "logit", 0.95)
        assert cc.loc[cid, ["estimate", "ci_low", "ci_high"]].astype(float).tolist() == [p, round(float(low), 3),
                                                                                          round(float(high), 3)]
        assert abs(low - lo) < 0.01 and abs(high - hi) < 0.01  # close to the exact, design-based interval
        assert cc.loc[cid, "n"] == n
    assert cc.loc["recommend", "dk_n"] == 13 and cc.loc["support", "dk_n"] == 19
    page = html.unescape((tmp_path / run.name / "report.html").read_text(encoding="utf-8"))
    assert page.count("Weet niet en niet van toepassing.") == 1  # the rule, stated once
    method = page[page.index("Schattingen: ontwerpgebaseerd"):]  # the method section
    assert all(w in method for w in ("Bewuste verschillen met R", "Wald-interval", "Clopper-Pearson", "Korn-Graubard"))
    t2 = pd.read_csv(t / "likert_top2.csv").set_index("variable")
    assert t2.loc["q_results_lasting", "estimate"] == round(0.707726429913, 3)  # weighted
    # 'weet niet' is counted, not weighted (issue 15: a weighted share gave back who said it; weighted 0.067)
    assert t2.loc["q_results_lasting", ["dk_n", "answered"]].tolist() == [34, 500]
    assert t2.loc["q_results_lasting", "dk_share"] == round(34 / 500, 3)
    yn = pd.read_csv(t / "yes_no.csv").set_index("variable")
    assert yn.loc["q_fin_without", "estimate"] == round(0.346838085866, 3)
    act = pd.read_csv(t / "actions.csv").set_index("variable")
    assert act.loc["act_doorstroom", "estimate"] == round(0.407968624422, 3)
    rs = pd.read_csv(t / "targets_reached_split.csv").set_index("variable")
    assert rs.loc["target_reached_arbeidshandicap", ["ja", "deels", "nee"]].astype(float).tolist() == [
        round(x, 3) for x in (0.319713139432, 0.400202204793, 0.280084655774)]
    bd = pd.read_csv(t / "breakdown_plan_type.csv")
    sat = bd[bd["indicator"].str.startswith("Tevredenheid")]
    row = sat[sat["plan_type"] == "Clusterplan"].iloc[0]
    # the test of the report's generalised variance: Pearson's X² of the published shares and bases (scipy,
    # every group shown) over (G - 1) D, on G - 1 and (G - 1) df; the exact Rao-Scott F was 1.27, p 0.282
    counts = np.column_stack([sat["estimate"] * sat["n"], (1 - sat["estimate"]) * sat["n"]])
    assert sat["n"].sum() == t2.loc["q_support_satisfaction", "n"]  # no group withheld, no pooled group
    x2 = chi2_contingency(counts, correction=False)[0]
    g, df = len(sat), t2.loc["q_support_satisfaction", "df"]
    f = x2 / ((g - 1) * 0.8)
    assert [row["estimate"], row["F"], row["ndf"], row["ddf"], row["p_value"]] == [
        round(0.888147837514, 3), round(f, 2), g - 1, (g - 1) * df, float(f"{f_dist.sf(f, g - 1, (g - 1) * df):.3g}")]
    ledger = pd.read_csv(t / "ledger.csv")
    assert ledger["rows"].tolist() == [536, 36, 500, 96, 96]
