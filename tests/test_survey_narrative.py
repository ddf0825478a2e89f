"""The survey report's wording rules on small inputs: the study's own words, the sentences for
sections that do not apply, subtitle and captions, weighted and unweighted wording, the tables'
layout, the grouping of items into charts, and claims that are absent."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from evaluatie.analyses import survey as lk
from evaluatie.core.errors import DataError
from evaluatie.stats import survey as sv


def test_study_texts_default_override_and_typo():
    t = lk.study_texts({"respondents": "medewerkers"})
    assert t["respondents"] == "medewerkers" and t["frame_units"] == lk.TEXTS["frame_units"]
    assert lk.study_texts(None) == lk.TEXTS
    with pytest.raises(DataError, match="onbekende sleutel.*respondent\\b.*geldig: respondents"):
        lk.study_texts({"respondent": "medewerkers"})


def test_skipped_sentences_are_one_dutch_sentence_each_without_parameter_names():
    for key in ("frame", "claims", "yes_no", "plan_blocks", "breakdowns", "open"):
        s = lk.skipped(key)
        assert s.endswith(".") and s.count(". ") == 0, key
        assert not any(w in s for w in ("frame", "claims", "yes_no", "breakdowns", "open_question", "_")), key
    assert "ongewogen" in lk.skipped("frame")
    with pytest.raises(KeyError):
        lk.skipped("waves")


def test_subtitle_from_study_and_organisation():
    assert lk.subtitle(None, None) is None
    assert lk.subtitle("Bevraging 2025", None) == "Bevraging 2025"
    assert lk.subtitle(None, "Stad Gent") == "Bevraging bij Stad Gent"
    assert lk.subtitle("Bevraging 2025", "Stad Gent") == "Bevraging 2025 — Stad Gent"


def test_top2_caption_names_each_scale_in_order():
    items = {"a": {"scale": "tevredenheid"}, "b": {"scale": "akkoord"}, "c": {"scale": "akkoord"}, "d": {"scale": "verloop"}}
    assert lk.top2_caption(items) == "Aandeel (zeer) tevreden / (helemaal) akkoord / (zeer) vlot per vraag"
    own = {"vier": ["slecht", "matig", "goed", "zeer goed"]}
    assert lk.top2_caption({"x": {"scale": "vier"}, "y": {"scale": "akkoord"}}, own) == \
        "Aandeel 'goed' of 'zeer goed' / (helemaal) akkoord per vraag"


def test_weighted_and_unweighted_wording():
    assert lk.weights_nl(pd.Series([0.5, 1.0, 2.0])) == \
        "De gewichten liggen tussen 0,50 en 2,00 (verhouding grootste/kleinste 4,0)."
    # a withheld weighting level: N / n of that level would be a weight, and N is published
    hidden = lk.weights_nl(pd.Series([5 / 3, 2.0, 2.5]), small_groups=True)
    assert not any(ch.isdigit() for ch in hidden) and "gewichten" in hidden
    assert "ontwerpgebaseerd" in lk.method_nl(True) and "raking" in lk.method_nl(True)
    assert "ongewogen" in lk.method_nl(False) and "raking" not in lk.method_nl(False)
    assert "in het kader (eenheden)" in lk.weighting_note()
    assert "in het kader (plannen)" in lk.weighting_note({"frame_units_short": "plannen"})
    w, u = lk.breakdown_intro_nl(6), lk.breakdown_intro_nl(6, weighted=False)
    assert "rekening houdt met de weging" in w and "gewogen aandeel" in w
    assert "weging" not in u and "gewogen" not in u and "**6 toetsen**" in u


def test_open_answers_sentence_uses_the_studys_words():
    assert lk.open_answers_nl(1234).startswith("1.234 respondenten gaven een antwoord op de open vraag.")
    assert lk.open_answers_nl(12, {"respondents": "organisaties", "open_answered": "gaven een suggestie"}).startswith(
        "12 organisaties gaven een suggestie.")


def test_layout_of_tables():
    lay = lk.layout("likert_top2", sections=False)
    assert lay["columns"][0] == "label" and "section" not in lay["columns"]
    assert lk.layout("likert_top2")["columns"][0] == "section"
    assert lk.layout("weighting", units="Plannen")["labels"]["population"] == "Plannen (n)"
    note = lk.layout("claims_check", ci="beta", conf=0.9)["note"]
    assert note.startswith("Interval: beta-methode, 90% betrouwbaarheid")
    for n, end in ((1, "dit onderdeel."), (2, "(beide tabellen)."), (3, "(alle 3 tabellen).")):
        assert lk.layout("breakdown", by="x", n_tests=4, n_tables=n)["note"].endswith(end)
    split = lk.layout("targets_reached_split", level_cols=["ja", "nee"])
    assert split["columns"] == ["group", "ja", "nee", "ja_or_deels", "ja_or_deels_ci_low", "ja_or_deels_ci_high", "n"]


def test_item_groups_split_by_section_and_scale_length():
    df = lk.prepare(pd.DataFrame({"a": ["goed"], "b": ["akkoord"], "c": ["slecht"], "d": ["akkoord"]}),
                    {"a": "vier", "b": "akkoord", "c": "vier", "d": "akkoord"},
                    scales={"vier": ["slecht", "matig", "goed", "zeer goed"]})
    items = {"a": {"scale": "vier"}, "b": {"scale": "akkoord"}, "c": {"scale": "vier"}, "d": {"scale": "akkoord"}}
    assert lk.item_groups(items, {}, df) == [("vragen_4", None, ["a", "c"]), ("vragen_5", None, ["b", "d"])]
    items = {k: {**v, "section": "s1" if k in "ab" else "s2"} for k, v in items.items()}
    assert lk.item_groups(items, {"s2": "Tweede", "s1": "Eerste"}, df) == [
        ("s2_4", "Tweede", ["c"]), ("s2_5", "Tweede", ["d"]), ("s1_4", "Eerste", ["a"]), ("s1_5", "Eerste", ["b"])]
    same = {k: {"scale": "akkoord", "section": "s"} for k in "bd"}
    assert lk.item_groups(same, {"s": "Enige"}, df) == [("s", "Enige", ["b", "d"])]


def test_no_claims_give_an_empty_check_with_its_columns():
    d = sv.SurveyDesign(pd.DataFrame({"x": ["ja", "nee", "ja"]}))
    cc = lk.claims_check(d, [])
    assert cc.empty and {"verdict", "verdict_nl", "alt_levels", "estimate"} <= set(cc.columns)
    assert lk.claim_rules_nl(cc).empty and lk.alternative_codings(cc).empty


def test_likert_alt_text_without_a_section_title():
    t2 = pd.DataFrame({"variable": ["a", "b"], "estimate": [0.64, np.nan], "suppressed": [False, True]})
    assert lk.likert_alt_nl(None, ["a", "b"], {"a": "Sfeer", "b": "Klein"}, t2) == \
        "De vragen: gestapeld staafdiagram (negatief links, positief rechts). Sfeer: 64,0% positief."


def test_load_study_refuses_malformed_items_and_values_in_one_error(tmp_path):
    path = tmp_path / "a.csv"
    path.write_text("q;r\nakkoord;ja\nneutraal;nee\n;ja\n", encoding="utf-8")
    with pytest.raises(DataError) as e:
        lk.load_study(path, {"q": {"scale": "akkoord"}}, values={"z": {"x": "akkoord"}, "q": "akkoord"})
    msg = str(e.value)
    assert "3 problemen" in msg and "vraag 'q'" in msg and "kolom 'z': geen vraag" in msg
    st = lk.load_study(path, {"q": {"scale": "akkoord", "label": "Q"}}, yes_no={"r": "R"})
    assert not st.weighted and st.design is st.base and st.data["r"].tolist() == ["ja", "nee", "ja"]
    assert st.data["q_top2"].tolist()[:2] == ["ja", "nee"] and st.n_pop is None and st.incomplete is None


def test_method_section_names_the_deliberate_differences_from_r():
    """Issue 18 item 7a: the method section states where the intervals differ from R survey."""
    for ci in ("logit", "beta", "wald", None):
        text = lk.method_nl(True, ci=ci)
        assert "Bewuste verschillen met R `survey`" in text
        assert "Wald-interval" in text and "afgekapt op 0% en 100%" in text
        assert "precies 0% of 100%" in text and "Clopper-Pearson" in text
        assert "Korn-Graubard" in text and "hele steekproef" in text and "11%" in text
    assert lk.method_nl(True, ci="beta").count("Dit rapport gebruikt die methode.") == 1
    assert "Dit rapport gebruikt die methode." not in lk.method_nl(True, ci="logit")
    # the sample design's weights and stages
    two = lk.method_nl(False, 2, True)
    assert "gewichten van het steekproefontwerp" in two and "over alle trappen" in two


def test_estimator_docstrings_state_the_differences_and_claim_no_equality_there():
    doc = sv.__doc__
    assert "Deliberate differences from R ``svyciprop``" in doc
    for point in ("**Wald clipped.**", "**Estimates of exactly 0 or 1.**", "**Korn-Graubard's n in domains"):
        assert point in doc
    assert "11%" in doc and "Korn-Graubard" in sv.DomainDesign.proportion.__doc__
    assert "three documented" in sv.SurveyDesign.proportion.__doc__


def test_sample_design_paragraph_names_stages_units_and_weights():
    words = {"cluster_units": "organisaties", "cluster_unit": "organisatie", "respondents": "werknemers"}
    two = lk.sample_design_nl(2, fpc=True, weights=False, strata=True, n_units=18, n=207, texts=words)
    assert "steekproef in twee trappen" in two and "binnen elk stratum" in two
    assert "207 werknemers uit 18 organisaties" in two and "gedeeld door het aantal getrokken" in two
    own = lk.sample_design_nl(2, fpc=False, weights=True, strata=False, n_units=5, n=50, texts=words)
    assert "steekproefgewicht" in own and "teruglegging" in own
    assert lk.skipped("frame_sampled") != lk.skipped("frame") and "ongewogen" not in lk.skipped("frame_sampled")
    cc = pd.DataFrame({"verdict": ["supported"]})
    assert "gewichten van het steekproefontwerp" in lk.claims_summary_nl(cc, conf=0.95, n_pop=None, n_analysed=9,
                                                                        sampled=True)


def test_glossary_terms_are_defined_and_follow_what_the_report_shows():
    from evaluatie.publish.glossary import TERMS
    terms, extra = lk.glossary_terms(weighted=True, design_weighted=True, stages=0, breakdowns=True,
                                     target_groups=True)
    assert all(t in TERMS or t in extra for t in terms)
    assert {"weet niet", "gewogen schatting", "weging", "betrouwbaarheidsinterval", "kansengroep"} <= set(terms)
    plain, extra = lk.glossary_terms(weighted=False, design_weighted=False, stages=0, breakdowns=False,
                                     target_groups=False)
    assert "weging" not in plain and "kansengroep" not in plain and "weet niet" in plain
    two, extra = lk.glossary_terms(weighted=False, design_weighted=True, stages=2, breakdowns=False,
                                   target_groups=False)
    assert "steekproef in trappen" in two and "gewogen schatting" in two and "weging" not in two


def test_target_groups_get_their_one_name_and_own_groups_keep_theirs():
    df = pd.DataFrame({f"target_{m}_{g}": ["ja"] * 6 for g in ("a", "b", "c") for m in ("set", "reached")})
    names = {"a": "Personen met een arbeidshandicap", "b": "Laaggeschoolden", "c": "Ervaren werknemers (50+)"}
    d = sv.SurveyDesign(df)
    assert lk.targets_table(d, names)["group"].drop_duplicates().tolist() == [
        "Personen met een handicap", "Kortgeschoolden", "Ervaren werknemers (50+)"]
    assert lk.reached_split(d, names)[0]["group"].tolist()[:2] == ["Personen met een handicap", "Kortgeschoolden"]


def test_reader_sentences_carry_no_parameter_names():
    text = lk.response_nl(40, 30, None, (10, 2, 8))
    assert "complete_only" not in text and "false" not in text and "parameters" in text
    note = lk.layout("breakdown", by="plan_type", n_tests=3)["note"]
    assert "plan_type" not in note and "breakdown_" not in note and "95%-betrouwbaarheidsintervallen" in note
    assert "{" not in note and "alle 3 toetsen" in note


def test_phone_variants_of_the_figures_are_narrow_large_and_inside():
    import matplotlib.pyplot as plt
    from evaluatie.publish import report as rp
    long = "Een heel lange vraag over de tevredenheid met de ondersteuning door de projectontwikkelaars"
    dist = pd.DataFrame({"variable": ["a"] * 5 + ["b"] * 5, "level": ["1", "2", "3", "4", "5"] * 2,
                         "estimate": [0.1, 0.1, 0.2, 0.3, 0.3] + [np.nan] * 5, "n": [40] * 5 + [np.nan] * 5})
    bars = pd.DataFrame({"variable": ["x", "y"], "estimate": [0.6, np.nan], "ci_low": [0.5, np.nan],
                         "ci_high": [0.7, np.nan], "n": [50, np.nan]})
    with rp.narrow_style():
        figs = [lk.diverging_chart(dist, labels={"a": long, "b": "Klein"}, title=long, narrow=True),
                lk.proportion_bars(bars, labels={"x": long, "y": "Y"}, xlabel=long, title="T", line=0.5, narrow=True)]
    for i, fig in enumerate(figs):
        rp._layout(fig)
        rp._check_narrow(fig, f"f{i}")
        rp._check_inside(fig, f"f{i}")
        texts = [t.get_text() for t in fig.findobj(plt.Text)]
        assert any("n = " in t for t in texts) and any("te weinig" in t for t in texts)
        plt.close(fig)
