"""Likert helpers: normalisation, don't-know outside the base, top-2-box, charts, themes, claims."""

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from evaluatie.analyses import survey as likert
from evaluatie.publish.disclosure import decision
from evaluatie.stats.survey import SurveyDesign
from evaluatie.core.errors import DataError


def test_normalise_variants_codes_and_dont_know():
    s = pd.Series([" Zeer  Tevreden", "1", "n.v.t.", None, "Eerder tevreden", 3, "Weet niet",
                   "noch tevreden, noch ontevreden", 9, ""], index=range(2, 12))
    cat, dk = likert.normalise(s, "tevredenheid")
    assert cat.tolist()[:2] == ["zeer tevreden", "zeer ontevreden"]
    assert cat.isna().tolist() == [False, False, True, True, False, False, True, False, True, True]
    assert dk.tolist() == [False, False, True, pd.NA, False, False, True, False, True, pd.NA]
    assert cat.cat.ordered and list(cat.cat.categories) == likert.SCALES["tevredenheid"]


def test_normalise_agreement_synonyms():
    cat, _ = likert.normalise(pd.Series(["Helemaal oneens", "eens", "Volledig akkoord"]), "akkoord")
    assert cat.tolist() == ["helemaal niet akkoord", "akkoord", "helemaal akkoord"]


def test_unknown_label_is_a_located_dutch_error():
    df = pd.DataFrame({"q1": ["tevreden", "goed", "slecht"], "q2": ["vlot", "vlot", "super"]}, index=[2, 3, 4])
    with pytest.raises(DataError) as e:
        likert.prepare(df, {"q1": "tevredenheid", "q2": "verloop"}, file="antwoorden.csv")
    msg = str(e.value)
    assert "2 problemen" in msg  # one per column, however many rows
    assert "bestand antwoorden.csv, rij 3, kolom 'q1': gevonden tekst" in msg
    assert "2 onbekende label(s) in 2 rij(en) (rij 3, 4)" in msg
    assert "rij 4, kolom 'q2'" in msg and "zeer moeizaam / moeizaam / neutraal / vlot / zeer vlot" in msg
    assert "goed" not in msg and "slecht" not in msg and "super" not in msg  # cells are never quoted


def test_own_scale_any_number_of_points_codes_and_dont_know():
    scales = {"vier": ["slecht", "eerder slecht", "eerder goed", "goed"],
              "tien": [str(i) for i in range(1, 11)]}
    cat, dk = likert.normalise(pd.Series(["Goed", "eerder  slecht", 1, "4", "weet niet", None]), "vier", scales=scales)
    assert cat.tolist()[:4] == ["goed", "eerder slecht", "slecht", "goed"]
    assert list(cat.cat.categories) == scales["vier"] and dk.tolist()[4] is True
    # on a ten-point scale 8 and 9 are answers, not the don't-know codes of a five-point scale
    cat, dk = likert.normalise(pd.Series([8, 9.0, "10", 99]), "tien", scales=scales)
    assert cat.tolist()[:3] == ["8", "9", "10"] and dk.tolist() == [False, False, False, True]
    with pytest.raises(DataError, match="minstens twee"):
        likert.normalise(pd.Series(["x"]), "een", scales={"een": ["x"]})
    with pytest.raises(DataError, match="onbekende schaal 'vijf'"):
        likert.normalise(pd.Series(["x"]), "vijf")


def test_values_map_a_files_labels_onto_the_scale():
    s = pd.Series(["Helemaal eens", "Eerder eens", "Eerder oneens", "Neutraal", "Geen idee"])
    with pytest.raises(DataError):
        likert.normalise(s, "akkoord")
    cat, dk = likert.normalise(s, "akkoord", labels={"Eerder eens": "akkoord", "eerder oneens": "niet akkoord",
                                                     "geen idee": "weet niet"})
    assert cat.tolist()[:4] == ["helemaal akkoord", "akkoord", "niet akkoord", "neutraal"]
    assert dk.tolist() == [False, False, False, False, True]
    with pytest.raises(DataError, match="niet op de schaal"):
        likert.normalise(s, "akkoord", labels={"Eerder eens": "best wel"})


def test_yes_no_answers_accept_words_codes_and_values():
    s = pd.Series(["Ja", "nee", "yes", "NO", 1, 0, "1", "weet niet", None, "Soms"], index=range(2, 12))
    with pytest.raises(DataError) as e:
        likert.yes_no_answers(s, file="f.csv", column="q")
    assert "rij 11, kolom 'q'" in str(e.value) and "Soms" not in str(e.value)
    got = likert.yes_no_answers(s, labels={"soms": "nee"})
    assert got.isna().tolist() == [False] * 8 + [True, False]
    assert got.dropna().tolist() == ["ja", "nee", "ja", "nee", "ja", "nee", "ja", "weet niet", "nee"]


def _sample():
    # 20 answers: 2 zeer ontevreden, 3 neutraal, 9 tevreden, 4 zeer tevreden, 2 weet niet
    vals = (["zeer ontevreden"] * 2 + ["neutraal"] * 3 + ["tevreden"] * 9 + ["zeer tevreden"] * 4
            + ["weet niet"] * 2)
    return likert.prepare(pd.DataFrame({"q": vals, "g": ["a"] * 16 + ["b"] * 4}), {"q": "tevredenheid"})


def test_top2_excludes_dont_know_and_reports_it():
    df = _sample()
    r = likert.top2(SurveyDesign(df), ["q"], ci="beta").iloc[0]
    assert r["n"] == 18 and r["estimate"] == pytest.approx(13 / 18)
    assert r["dk_share"] == pytest.approx(2 / 20) and r["dk_n"] == 2 and r["answered"] == 20
    # Domain of the 18 substantive answers in an SRS of 20 (zeros for the 2 don't-knows):
    # var = 20/19 p(1-p)/18, so n_eff = 18*19/20; df = 17 = t(n-1) df, so no df correction
    ne, p = 18 * 19 / 20, 13 / 18
    assert r["ci_low"] == pytest.approx(stats.beta.ppf(0.025, ne * p, ne * (1 - p) + 1))


def test_distribution_sums_to_one_and_small_bases_suppressed():
    df = _sample()
    d = SurveyDesign(df)
    dist = likert.distribution(d, ["q"])
    assert dist["estimate"].sum() == pytest.approx(1)
    assert dist.loc[dist.level == "ontevreden", "estimate"].iloc[0] == 0
    byg = likert.distribution(d, ["q"], by="g", threshold=5)
    assert byg.loc[byg.g == "b", "suppressed"].all()          # 2 substantive answers in b
    assert byg.loc[byg.g == "b", "estimate"].isna().all()
    assert not byg.loc[byg.g == "a", "suppressed"].any()


def test_diverging_chart_writes_n_and_suppresses():
    df = _sample()
    dist = likert.distribution(SurveyDesign(df), ["q"], by="g")
    fig = likert.diverging_chart(dist, row="g")
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert "n = 16" in texts
    assert any("te weinig antwoorden" in t for t in texts)
    # the bar of group a: negatives left of 0, positives right; widths are percentages
    widths = sorted(round(p.get_width(), 6) for p in fig.axes[0].patches)
    assert sum(widths) == pytest.approx(100)
    import matplotlib.pyplot as plt

    plt.close(fig)


def test_code_themes_counts_and_suppression():
    texts = pd.Series(["Meer nazorg graag", "minder administratie en meer nazorg", None, "",
                       "Nazorg!", "de administratie was zwaar", "niets", "nazorg na afloop", "nazorg",
                       "Nazorg voorzien"])
    res = likert.code_themes(texts, {"nazorg": ["nazorg"], "administratie": ["administratie"]}, threshold=3)
    res = res.set_index("theme")
    assert res.loc["nazorg", "n"] == 6
    assert res.loc["administratie", "suppressed"] and np.isnan(res.loc["administratie", "n"])
    assert res["answers"].iloc[0] == 8
    assert not res.loc["nazorg", "suppressed"] and decision(res) == "protected"
    # one theme: it and 'overige' add up to the published number of answers, so both are withheld
    one = likert.code_themes(texts, {"administratie": ["administratie"]}, threshold=3).set_index("theme")
    assert one["n"].isna().all() and one["share"].isna().all() and one["suppressed"].all()
    assert one["answers"].tolist() == [8, 8]


def test_claims_verdicts():
    # 180 of 200 satisfied (0.9): interval straddles 0.9 -> undecided for ">= 0.9";
    # supported for ">= 0.8", not supported for ">= 0.97", supported for "~ 0.9 +/- 0.06"
    df = pd.DataFrame({"ok": ["ja"] * 180 + ["nee"] * 20})
    d = SurveyDesign(df)
    claims = [
        {"id": "a", "variable": "ok", "levels": "ja", "op": ">=", "value": 0.9},
        {"id": "b", "variable": "ok", "levels": "ja", "op": ">=", "value": 0.8},
        {"id": "c", "variable": "ok", "levels": "ja", "op": ">=", "value": 0.97},
        {"id": "d", "variable": "ok", "levels": "ja", "op": "~", "value": 0.9, "tolerance": 0.06},
        {"id": "e", "variable": "ok", "levels": "ja", "op": "<", "value": 0.5},
    ]
    res = likert.claims_check(d, claims).set_index("id")
    assert res["verdict"].to_dict() == {"a": "undecided", "b": "supported", "c": "not_supported",
                                        "d": "supported", "e": "not_supported"}
    assert res.loc["a", "estimate"] == pytest.approx(0.9)
    assert res.loc["a", "ci_low"] < 0.9 < res.loc["a", "ci_high"]


def test_claims_domain_and_small_base():
    df = pd.DataFrame({"ok": ["ja"] * 10 + ["nee"] * 3, "g": ["x"] * 10 + ["y"] * 3})
    res = likert.claims_check(SurveyDesign(df), [
        {"id": "y", "variable": "ok", "levels": "ja", "op": ">=", "value": 0.5, "domain": {"g": "y"}}])
    assert res["verdict"].iloc[0] == "no_data" and pd.isna(res["n"].iloc[0])  # the base of 3 is withheld too
    assert res.attrs["suppressed"].loc[0, ["estimate", "ci_low", "ci_high", "n"]].all()
    # a domain the report withholds (a breakdown's second group) gives no data either, whatever its base
    claim = {"id": "x", "variable": "ok", "levels": "ja", "op": ">=", "value": 0.5, "domain": {"g": "x"}}
    assert likert.claims_check(SurveyDesign(df), [claim])["verdict"].iloc[0] == "supported"
    hidden = likert.claims_check(SurveyDesign(df), [claim], withheld={"g": frozenset({"x", "y"})}).iloc[0]
    assert hidden["verdict"] == "no_data" and pd.isna(hidden["estimate"]) and pd.isna(hidden["n"])


def test_incomplete_answers_counts_what_the_left_out_answered(tmp_path):
    # 3 complete, 3 incomplete: of the incomplete, 2 answered q1 and 1 answered yn
    p = tmp_path / "resp.csv"
    pd.DataFrame({"complete": ["ja", "ja", "ja", "nee", "nee", "nee"],
                  "region": ["a"] * 6,
                  "q1": ["akkoord", "neutraal", "akkoord", "akkoord", "niet akkoord", None],
                  "yn": ["ja", "nee", "ja", None, None, "ja"]}).to_csv(p, index=False)
    df, ledger = likert.load_survey(p, {"q1": "akkoord"}, complete_column="complete", complete_only=True,
                                    required=["region"])
    assert ledger.analysed == 3
    assert likert.incomplete_answers(p, {"q1": "akkoord"}, df, ["q1", "yn"], complete_column="complete",
                                     required=["region"]) == (3, 1, 2)


def test_sme_flag_compares_as_text():
    flag = likert.sme_flag(pd.Series(["1-9", "250+", 10, "10"]), ["1-9", 10])
    assert flag.tolist() == ["kmo", "geen kmo", "kmo", "kmo"]


def test_alt_texts():
    t2 = pd.DataFrame({"variable": ["a", "b"], "estimate": [0.814, np.nan], "suppressed": [False, True]})
    s = likert.likert_alt_nl("Impact", ["a", "b"], {"a": "Vraag A", "b": "Vraag B"}, t2)
    assert s == "Impact: gestapeld staafdiagram (negatief links, positief rechts). Vraag A: 81,4% positief."
    assert likert.bars_alt_nl("Aandeel: ", ["x", "y"], [0.5, 0.126], " Einde.") == "Aandeel: x 50,0%; y 12,6% Einde."


def test_yes_shares_labels_and_flags_small_bases():
    df = pd.DataFrame({"a": ["ja"] * 6 + ["nee"] * 2, "b": ["ja", "nee", "ja"] + [None] * 5})
    res = likert.yes_shares(SurveyDesign(df), {"a": "Vraag A", "b": "Vraag B"}, "label", threshold=5)
    assert res["label"].tolist() == ["Vraag A", "Vraag B"]
    assert res["estimate"].iloc[0] == pytest.approx(6 / 8) and res["n"].iloc[0] == 8
    assert res["suppressed"].tolist() == [False, True]
    assert all(pd.isna(res.loc[1, c]) for c in ("estimate", "se", "ci_low", "ci_high", "df", "n", "n_level"))
    assert decision(res) == "protected"


def test_a_suppressed_row_publishes_no_count_base_or_share():
    """Issue 15: suppressed breakdown cells kept n and n_level in the CSV (3/3, 0/3, 1/3)."""
    df = _sample()  # group b: 4 answers (2 of them "weet niet"): below the threshold of 5
    design = SurveyDesign(df)
    est, _ = likert.breakdown(design, "g", {"top": ("q", "tevreden")})
    small = est[est["g"] == "b"].iloc[0]
    assert bool(small["suppressed"]) and all(pd.isna(small[c]) for c in ("estimate", "ci_low", "ci_high", "n", "n_level", "df"))
    # the whole sample is published, so group a (the only other group) would give b back: withheld too
    assert est["suppressed"].all() and est["n"].isna().all()
    shown, _ = likert.breakdown(design, "g", {"top": ("q", "tevreden")}, threshold=2)
    assert shown["n"].tolist() == [16, 2] and not shown["suppressed"].any()
    t2 = likert.top2(design, ["q"], by="g")
    b = t2[t2["g"] == "b"].iloc[0]
    assert all(pd.isna(b[c]) for c in ("estimate", "n", "n_level", "answered", "dk_n", "dk_share"))
    dist = likert.distribution(design, ["q"], by="g")
    assert dist.loc[dist["g"] == "b", "n"].isna().all() and (dist.loc[dist["g"] == "a", "n"] == 16).all()


def test_weighting_table_hides_a_small_level_and_the_one_that_would_give_it_back():
    """Issue 15: the weighting table showed 'Respons (n) 3'. The total response is stated in the
    report, so hiding the small level alone would let it be recovered by subtraction."""
    design = SurveyDesign(_sample())  # g: a 16 respondents, b 4
    wt = likert.weighting_table(design, design, {"g": pd.Series({"a": 100.0, "b": 50.0})})
    assert wt["respondents"].isna().all() and wt["sample_share"].isna().all()
    assert wt["design_weighted_share"].isna().all()
    assert wt["population"].tolist() == [100.0, 50.0] and wt["calibrated_share"].notna().all()
    assert wt.attrs["suppressed"]["respondents"].tolist() == [True, True]
    big = likert.weighting_table(design, design, {"g": pd.Series({"a": 100.0, "b": 50.0})}, threshold=3)
    assert big["respondents"].tolist() == [16, 4]
    # a breakdown by the same variable withholds a level: the weighting table withholds it as well
    same = likert.weighting_table(design, design, {"g": pd.Series({"a": 100.0, "b": 50.0})}, threshold=3,
                                  withheld={"g": frozenset({"a", "b"})})
    assert same["respondents"].isna().all() and decision(same) == "protected"


def test_withheld_groups_one_decision_per_variable():
    """S2: a group with fewer respondents than the threshold, or with an indicator on fewer, is
    withheld, and with it the smallest other group (the whole sample is published)."""
    data = pd.DataFrame({"g": ["a"] * 20 + ["b"] * 8 + ["c"] * 6 + ["d"] * 3,
                         "x": ["ja"] * 20 + ["ja"] * 8 + ["ja", "nee"] + [None] * 4 + ["nee"] * 3})
    assert likert.withheld_groups(data, "g") == {"d", "c"}           # d: 3 respondents; c the smallest other
    assert likert.withheld_groups(data, "g", ["x"]) == {"d", "c"}    # c: 2 answers to x
    two = data[data["g"].isin(["a", "b", "c"])]
    assert likert.withheld_groups(two, "g") == frozenset()
    assert likert.withheld_groups(two, "g", ["x"]) == {"c", "b"}     # c on 2 answers; b (8) smaller than a (20)
    assert likert.withheld_groups(two, "g", ["x"], threshold=2) == frozenset()


def test_withheld_groups_within_a_published_coarser_variable():
    """Size classes nest in 'SME or not', whose groups are published (a breakdown): the second
    withheld class must lie in the same SME group, or that group's total minus its shown classes
    gives the small class back."""
    size = pd.Series(["1-9"] * 3 + ["10-49"] * 60 + ["50-249"] * 80 + ["250+"] * 40)
    data = pd.DataFrame({"size": size, "sme": likert.sme_flag(size, ["1-9", "10-49", "50-249"])})
    alone = likert.withheld_groups(data, "size")
    assert alone == {"1-9", "250+"}  # the smallest other class overall...
    n = data["size"].value_counts()
    kmo = (data["sme"] == "kmo").sum()
    assert kmo - n["10-49"] - n["50-249"] == 3  # ...leaves 1-9 as kmo minus its shown classes
    assert likert.withheld_groups(data, "size", published=["size", "sme"]) == {"1-9", "10-49"}
    assert likert.withheld_groups(data, "sme", published=["size", "sme"]) == frozenset()  # sme does not nest in size


def test_withheld_groups_weighted_widens_until_the_small_group_is_a_respondent_wide():
    """A group of 3 that weighs half the sample: with the smallest other group withheld too, the
    whole-sample share minus the shown group leaves its share in [96.7, 100], less than one of its
    3 respondents (33.3 points); with the third group withheld as well, [63.3, 100]."""
    data = pd.DataFrame({"g": ["a"] * 3 + ["b"] * 10 + ["c"] * 20,
                         "x": ["ja"] * 3 + ["ja"] * 9 + ["nee"] + ["ja"] * 10 + ["nee"] * 10})
    weights = pd.Series([10.0] * 3 + [1.0] * 30, index=data.index)
    assert likert.withheld_groups(data, "g", ["x"]) == {"a", "b"}
    assert likert.withheld_groups(data, "g", ["x"], weights=pd.Series(1.0, index=data.index)) == {"a", "b"}
    assert likert.withheld_groups(data, "g", ["x"], weights=weights) == {"a", "b", "c"}
    a, b = 30 / 60, 10 / 60  # group c (20 / 60) is shown
    x2 = a * 100 + b * 90
    assert (x2 - b * 100) / a == pytest.approx(100 - 10 / 3)  # the interval [96.7, 100] of the docstring


def test_claim_levels_follow_the_column_type():
    """Issue 18: a numeric-coded item takes ``levels: 1`` or ``[1]`` (shown as "1", the other level as
    "0"); a text item takes "ja" for "Ja" (case and surrounding spaces ignored), where it used to count
    0 %; a level the data does not have is an error naming the claim and the column, with the levels
    found on the terminal only."""
    from evaluatie.core.errors import public_text, terminal_text

    num = SurveyDesign(pd.DataFrame({"q": [1] * 9 + [0] * 3}).astype(float))
    for levels in (1, [1], "1", 1.0):
        row = likert.claims_check(num, [{"id": "n", "variable": "q", "levels": levels, "op": ">=",
                                         "value": 0.5}]).iloc[0]
        assert row["estimate"] == pytest.approx(0.75)
        assert (row["levels"], row["other_levels"]) == ("1", "0")
    text = SurveyDesign(pd.DataFrame({"q": ["Ja"] * 8 + ["Nee"] * 2}))
    for levels in ("ja", " JA ", ["ja"]):
        row = likert.claims_check(text, [{"id": "t", "variable": "q", "levels": levels, "op": ">=",
                                          "value": 0.5, "alt_levels": ["ja", "nee"]}]).iloc[0]
        assert row["estimate"] == pytest.approx(0.8) and row["levels"] == "Ja" and row["other_levels"] == "Nee"
        assert row["alt_estimate"] == pytest.approx(1.0) and row["alt_levels"] == "Ja+Nee"
    with pytest.raises(DataError) as err:
        likert.claims_check(text, [{"id": "t", "variable": "q", "levels": "misschien", "op": ">=", "value": 0.5}])
    message = str(err.value)
    assert "'misschien'" in public_text(message) and "conclusie 't'" in public_text(message)
    assert "Nee" not in public_text(message) and "Ja, Nee" in terminal_text(message)
