"""What the correspondence report says about a study comes from its params or its data: the wording
rules of evaluatie.analyses.correspondence.narrative on small inputs."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from evaluatie.analyses import correspondence as cs


def test_subtitle_from_params_or_from_the_data():
    assert cs.subtitle("Mijn studie", "Fonds X", ["herkomst"], ["2024"]) == "Mijn studie"
    assert cs.subtitle(None, None, ["herkomst", "geslacht"], ["voorjaar 2024"]) == \
        "Praktijktest op herkomst en geslacht: voorjaar 2024"
    assert cs.subtitle(None, "het Fonds Bouw", ["herkomst", "leeftijd", "geslacht"], [cs.DEFAULT_WAVE]) == \
        "Praktijktest van het Fonds Bouw op herkomst, leeftijd en geslacht"


def test_design_sentence_names_only_the_grounds_tested():
    assert cs.design_sentence("Eigen opzet.", ["herkomst"]) == "Eigen opzet."
    one = cs.design_sentence(None, ["herkomst"])
    assert one.endswith("in één kenmerk: herkomst.")
    two = cs.design_sentence(None, ["herkomst", "geslacht"])
    assert "herkomst en geslacht" in two and "leeftijd" not in two and "etniciteit" not in two


def test_synthetic_notice_claims_nothing_unless_given():
    assert "synthetische" in cs.synthetic_notice(None) and "evaluatie.simulate" not in cs.synthetic_notice(None)
    assert cs.synthetic_notice("Gesimuleerd met R.") == "Gesimuleerd met R."


def _bt(rows):
    cols = ["ground", "group", "benchmark_ground", "benchmark_scope", "benchmark_relative_callback",
            "benchmark_fewer_pct", "benchmark_all_relative_callback"]
    return pd.DataFrame(rows, columns=cols)


def test_benchmark_intro_mentions_only_the_mapped_grounds_and_scopes():
    only_eth = _bt([("herkomst", "Turkse naam", "ethnicity", "all", 0.71, 29, 0.71),
                    ("geslacht", "vrouw", "", "", np.nan, np.nan, np.nan)])
    s = cs.benchmark_intro(only_eth)
    assert "etnische minderheid kregen gemiddeld ongeveer 29% minder" in s
    assert "Maghreb" not in s and "oudere" not in s and "geslacht" not in s
    both = _bt([("etniciteit", "a", "ethnicity", "Maghrebi-Arab or Middle-Eastern background", 0.59, 41, 0.71),
                ("leeftijd", "b", "age", "Europe", 0.52, 48, 0.66)])
    s = cs.benchmark_intro(both)
    assert "(Maghrebijns-Arabische of Midden-Oosterse achtergrond: ongeveer 41%)" in s
    assert "oudere kandidaten kregen gemiddeld ongeveer 34% minder" in s and "(Europese studies: ongeveer 48%)" in s


def test_skipped_sections_have_one_sentence_each():
    for section in ("waves", "heterogeneity", "benchmarks"):
        s = cs.skipped(section)
        assert s.endswith(".") and s.count(". ") == 0
    with pytest.raises(KeyError):
        cs.skipped("frame")


def _disc(wave, rc=0.5, lo=-10.0, hi=-2.0):
    return {"wave": wave, "ground": "herkomst", "group": "Turkse naam", "reference": "Belgische naam",
            "relative_callback": rc, "rate": 0.2 * rc, "rate_reference": 0.2, "difference_pp": 20 * (rc - 1),
            "difference_ci_low": lo, "difference_ci_high": hi}


def test_summary_text_one_unnamed_wave_has_no_wave_heading():
    disc = pd.DataFrame([_disc(cs.DEFAULT_WAVE)])
    s = cs.summary_text(disc, [cs.DEFAULT_WAVE])
    assert s.startswith("- **Herkomst**: een kandidaat uit de groep 'Turkse naam' kreeg **50,0% minder")
    # the gap in the reports' one sign convention (reference − group): 20% − 10% = +10,0
    assert "(10,0% tegenover 20,0%: een kloof van +10,0 procentpunt)" in s
    assert cs.DEFAULT_WAVE not in s and "Verandering" not in s and "Tweede uitkomst" not in s


def test_summary_text_named_waves_and_change():
    disc = pd.DataFrame([_disc("2022"), _disc("2025", rc=0.9, lo=-5.0, hi=1.0)])
    wcmp = pd.DataFrame({"sentence": ["De kloof daalde."]})
    s = cs.summary_text(disc, ["2022", "2025"], wcmp)
    assert s.index("**2022**") < s.index("**2025**") < s.index("**Verandering sinds 2022**")
    assert "- De kloof daalde." in s and "niet statistisch significant" in s


def _plan(target=None, budget=None):
    cmp = pd.DataFrame([{"ground": "herkomst", "group": "Turkse naam", "vacancies": 90, "only_reference": 20,
                         "only_group": 3},
                        {"ground": "geslacht", "group": "vrouw", "vacancies": 60, "only_reference": 7,
                         "only_group": 8}])
    return cs.plan_table(cmp, target_gap_pp=target, budget=budget)


def test_plan_texts_say_what_is_planned_for_every_ground():
    plan = _plan()
    intro = cs.plan_intro("deze meting", None)
    assert "de kloof die deze meting vond, met de helft daarvan." in intro and "streefcijfer" not in intro
    assert "met het streefcijfer van de sector: een kloof van 5,0 procentpunt" in cs.plan_intro("2025", 5)
    # the board's sentence: the smallest gap each ground's own vacancies show, every ground named
    s = cs.plan_budget_sentence(plan, "deze meting", None)
    assert s.startswith("Met evenveel vacatures als in deze meting toont een volgende meting met 80% kans een "
                        "kloof aan van minstens ")
    assert "bij herkomst (90 vacatures)" in s and "bij geslacht (60 vacatures)" in s
    assert "Met 500 vacatures per discriminatiegrond toont" in cs.plan_budget_sentence(_plan(budget=500), "x", 500)
    # the ground without a gap is not dropped: it is said, with or without a target
    none = cs.plan_none_sentence(plan, "deze meting")
    assert none.startswith("Bij geslacht (vrouw) mat deze meting geen kloof") and "geen kloof om voor te plannen" in none
    assert "alleen met het streefcijfer" in cs.plan_none_sentence(_plan(target=5), "deze meting")
    change = cs.change_sentence(plan)
    assert "bij herkomst (nu 18,9 procentpunt per vacature)" in change and "geslacht" not in change
    assert "van dezelfde omvang" in change and "met 500 vacatures per discriminatiegrond" in cs.change_sentence(plan, 500)
    assert "meer dan één sollicitatie" in cs.power_note(True) and "meer dan één" not in cs.power_note(False)
    alt = cs.power_alt(_plan(target=5))
    assert "Herkomst (Turkse naam): 80% bij 58 voor de huidige kloof (+18,9 pp)" in alt
    assert "Geslacht (vrouw): 80% bij" in alt and "voor het streefcijfer (+5,0 pp)" in alt
    assert cs.needed_text(np.inf) == "meer dan 50.000" and cs.needed_text(np.nan) == "–"


def test_power_explanation_of_planned_reductions_between_waves():
    ptab = pd.DataFrame([{"ground": "herkomst", "group": "Turkse naam", "gap_base_pp": 5.0, "reduction_pp": r,
                          "vacancies_needed": n, "capped": r == 5.0} for r, n in ((2.0, 800.0), (5.0, np.inf))])
    assert cs.power_explanation(ptab, [2, 6, 8]).endswith("Niet zinvol bij de huidige kloof: een daling van 6 of 8 pp.")
    assert "Niet zinvol" not in cs.power_explanation(ptab, [2])
    assert cs.layout("power_change", ptab=ptab, budget=900)["labels"]["power_at_n_followup"] == "Kans met 900 vacatures"
    fmt_red = cs.layout("power_change", ptab=ptab)["formats"]["reduction_pp"]
    assert fmt_red(5.0) == "kloof helemaal weg (5,0 pp)" and fmt_red(2.0) == "2,0 pp"


def test_alt_texts_say_the_latest_gap_and_the_lowest_ratio():
    d = pd.DataFrame([{"ground": "herkomst", "group": "Turkse naam", "reference": "Belgische naam",
                       "difference_pp": -18.9, "relative_callback": 0.35},
                      {"ground": "geslacht", "group": "vrouw", "reference": "man", "difference_pp": -1.7,
                       "relative_callback": 0.95}])
    one = cs.rates_alt(d, [cs.DEFAULT_WAVE])
    assert "per meting" not in one and "'Turkse naam' tegenover 'Belgische naam' (herkomst)" in one
    assert "(herkomst): +18,9 pp" in one and "(geslacht): +1,7 pp" in one  # reference − group
    wcmp = pd.DataFrame({"ground": ["herkomst"], "group": ["Turkse naam"], "gap_base_pp": [10.0]})
    two = cs.rates_alt(d, ["2022", "2025"], wcmp)
    assert "per meting" in two and "(in 2022: +10,0 pp)" in two and two.count("(in 2022") == 1
    assert "0,35 voor 'Turkse naam' (herkomst)" in cs.forest_alt(d, "2025")


def test_table_layouts_label_every_shown_column_and_depend_on_the_study():
    for name in ("design", "callback_rates", "callback_rates_by_wave", "discrimination", "bootstrap",
                 "paired_counts", "invitations", "regression", "regression_covariates", "benchmarks"):
        lay = cs.layout(name)
        assert set(lay.get("columns", [])) <= set(lay["labels"]), name
        assert set(lay["formats"]) <= set(lay["labels"]), name
        # one sign convention: no shown column is group − reference
        assert not any(c.startswith("difference") for c in lay.get("columns", lay["labels"])), name
    for lay in (cs.layout("discrimination"), cs.layout("invitations"), cs.layout("regression"),
                cs.layout("heterogeneity", names={})):
        assert lay["labels"]["gap_pp"] == "Kloof (pp)" and "Verschil" not in lay["labels"].values()
    assert cs.layout("wave_comparison", first="2022")["labels"]["gap_base_pp"] == "Kloof 2022 (pp)"
    assert cs.layout("heterogeneity", names={"sector": "sector"})["formats"]["variable"]("company_size") == "company_size"
    assert cs.layout("power")["labels"]["power_at_budget"] == "Kans met evenveel vacatures als nu"
    assert cs.layout("power", budget=1500)["labels"]["power_at_budget"] == "Kans met 1.500 vacatures"
    assert cs.layout("benchmarks")["formats"]["benchmark_scope"]("Europe") == "Europese studies"
    with pytest.raises(KeyError):
        cs.layout("frame")


def test_heterogeneity_intro_names_the_variables_and_the_threshold():
    s = cs.heterogeneity_intro(["sector"], 5)
    assert s.startswith("Verschilt de kloof per sector? ") and "minder dan 5 vacatures" in s
    assert cs.heterogeneity_intro(["beroep", "provincie", "bedrijfsgrootte"], 10).startswith(
        "Verschilt de kloof per beroep, provincie of bedrijfsgrootte? ")
