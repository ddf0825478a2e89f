"""Input handling of the correspondence-test analysis: column mapping, outcome values, broken
designs, the ledger, and the Bertrand & Mullainathan (2004) reference data."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from evaluatie.analyses import correspondence as cs
from evaluatie.core.paths import root
from evaluatie.simulate import correspondence as sim
from evaluatie.core.errors import DataError

REFS = {"etniciteit": "vlaams"}


def frame(rows, cols=("vac", "profiel", "reactie")):
    df = pd.DataFrame(rows, columns=list(cols))
    df.index = pd.RangeIndex(2, len(df) + 2)  # row numbers as the user sees them
    return df


MAP = {"vacancy": "vac", "group": "profiel", "outcome": "reactie"}


def prep(df, **kw):
    kw.setdefault("columns", MAP)
    kw.setdefault("reference_groups", REFS)
    kw.setdefault("ground", "etniciteit")
    return cs.prepare(df, file="test.csv", **kw)


def test_outcome_spellings_are_all_read():
    vals = ["ja", "nee", "Yes", "no", " JA ", "neen", "1", "0", "true", "FALSE", 1, 0]
    rows = [(f"v{i // 2}", "vlaams" if i % 2 == 0 else "andere", v) for i, v in enumerate(vals)]
    s = prep(frame(rows))
    assert s.data["outcome"].tolist() == [1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0]
    assert s.ledgers[0].read == 12 and s.ledgers[0].analysed == 12


def test_outcome_that_is_not_yes_no_is_one_data_error_naming_first_row_column_and_count():
    df = frame([("v1", "vlaams", "ja"), ("v1", "andere", "misschien"), ("v2", "vlaams", "2"), ("v2", "andere", "nee")])
    with pytest.raises(DataError) as e:
        prep(df)
    assert [(p.row, p.column, p.value) for p in e.value.problems] == [(3, "reactie", "misschien")]
    msg = str(e.value)
    assert "test.csv" in msg and "rij 3" in msg and "verwacht ja of nee" in msg
    assert "2 verschillende onbekende waarden in 2 rijen" in msg and "misschien" not in msg


def test_values_give_the_files_outcome_labels_a_meaning():
    df = frame([("v1", "vlaams", "misschien"), ("v1", "andere", "nee"), ("v2", "vlaams", "Zeker"), ("v2", "andere", "2")])
    s = prep(df, values={"outcome": {"misschien": 0, "zeker": "ja", "2": 1}})
    assert s.data["outcome"].tolist() == [0, 0, 1, 1]


def test_values_for_an_unknown_standard_column_are_refused_naming_the_parameter():
    with pytest.raises(DataError, match="parameter 'values'.*niet bruikbaar: reactie"):
        prep(frame([("v1", "vlaams", "ja"), ("v1", "andere", "nee")]), values={"reactie": {"x": 1}})


def test_group_neither_reference_nor_declared():
    df = frame([("v1", "vlaams", "ja"), ("v1", "marokkaans", "nee"), ("v2", "vlaams", "ja"), ("v2", "vlaamss", "nee")])
    with pytest.raises(DataError) as e:
        prep(df, groups={"etniciteit": ["marokkaans"]})
    (p,) = e.value.problems
    assert (p.row, p.column, p.value) == (5, "profiel", "vlaamss")
    assert "referentiegroep 'vlaams'" in p.expected


def test_ground_without_reference_group():
    df = frame([("v1", "etniciteit", "vlaams", "ja"), ("v1", "etniciteit", "andere", "nee"),
                ("v2", "leeftijd", "jong", "ja"), ("v2", "leeftijd", "oud", "nee")],
               cols=("vac", "grond", "profiel", "reactie"))
    with pytest.raises(DataError) as e:
        cs.prepare(df, file="test.csv", columns={**MAP, "ground": "grond"}, reference_groups=REFS)
    (p,) = e.value.problems
    assert (p.row, p.column, p.value) == (4, "grond", "leeftijd")
    assert "referentiegroep" in p.expected


def test_reference_group_absent_from_the_data():
    df = frame([("v1", "wit", "ja"), ("v1", "zwart", "nee")])
    with pytest.raises(DataError, match="referentiegroep 'vlaams'"):
        prep(df)


def test_same_application_twice_with_and_without_application_id():
    df = frame([("v1", "vlaams", "ja", "cv1"), ("v1", "andere", "nee", "cv2"), ("v1", "andere", "nee", "cv2")],
               cols=("vac", "profiel", "reactie", "cv"))
    with pytest.raises(DataError) as e:
        prep(df, columns={**MAP, "application": "cv"})
    assert [p.row for p in e.value.problems] == [4]
    df = frame([("v1", "vlaams", "ja"), ("v1", "andere", "nee"), ("v1", "andere", "nee")])
    with pytest.raises(DataError) as e:
        prep(df)
    assert [p.row for p in e.value.problems] == [4]
    assert "twee keer" in str(e.value)


def test_one_sided_vacancy_is_an_error_unless_unpaired_allowed():
    df = frame([("v1", "vlaams", "ja"), ("v1", "andere", "nee"), ("v2", "andere", "ja"),
                ("v3", "vlaams", "nee"), ("v3", "vlaams", "ja"), ("v4", "vlaams", "ja"), ("v4", "andere", "ja")])
    with pytest.raises(DataError) as e:
        prep(df)
    assert sorted((p.row, p.value) for p in e.value.problems) == [(4, "v2"), (5, "v3")]
    assert "allow_unpaired" in str(e.value)
    s = prep(df, allow_unpaired=True)
    led = s.ledgers[0]
    assert led.read == 7 and led.analysed == 4 and led.excluded == 3
    assert list(led.exclusions.values()) == [3]
    assert led.read == led.analysed + led.excluded == len(s.data) + 3
    assert cs.paired_counts(s).iloc[0]["vacancies"] == 2


def test_missing_mapped_column_is_named():
    df = frame([("v1", "vlaams", "ja"), ("v1", "andere", "nee")])
    with pytest.raises(DataError) as e:
        prep(df, columns={**MAP, "outcome": "callback"})
    assert "callback" in str(e.value)


def test_empty_cells_are_errors():
    df = frame([("v1", "vlaams", "ja"), ("", "andere", "nee"), ("v1", None, "nee")])
    with pytest.raises(DataError) as e:
        prep(df)
    assert {p.row for p in e.value.problems} >= {3, 4}


def test_several_applications_per_side_are_valid():
    df = frame([("v1", "vlaams", "ja", "a"), ("v1", "vlaams", "nee", "b"), ("v1", "andere", "nee", "c"),
                ("v1", "andere", "nee", "d"), ("v1", "andere", "ja", "e")], cols=("vac", "profiel", "reactie", "cv"))
    s = prep(df, columns={**MAP, "application": "cv"})
    pc = cs.paired_counts(s).iloc[0]
    assert pc["both"] == 1 and pc["vacancies"] == 1


# --------------------------------------------------------------------------- Bertrand & Mullainathan (2004)

BM = "data/raw/resume_bertrand_mullainathan_2004.csv"


@pytest.fixture(scope="module")
def bm():
    return cs.read_applications(root() / BM, columns={"vacancy": "job_ad_id", "group": "race",
                                                      "outcome": "received_callback"},
                                reference_groups={"etniciteit": "white"}, groups={"etniciteit": ["black"]},
                                ground="etniciteit")


def test_bertrand_mullainathan_published_callback_rates(bm):
    r = cs.callback_rates(bm).set_index("group")
    assert r.loc["white", "applications"] == 2435 and r.loc["black", "applications"] == 2435
    assert round(100 * r.loc["white", "rate"], 2) == 9.65  # published: 9.65%
    assert round(100 * r.loc["black", "rate"], 2) == 6.45  # published: 6.45%
    assert bm.ledgers[0].read == 4870 and bm.ledgers[0].analysed == 4870


def test_bertrand_mullainathan_paired_counts(bm):
    """1,323 job ads, each sent white and black résumés (mostly two of each): a side 'reacted' when
    any of its résumés got a callback (counts computed from this public copy of the data)."""
    pc = cs.paired_counts(bm).iloc[0]
    assert (pc["vacancies"], pc["neither"], pc["only_reference"], pc["only_group"], pc["both"]) == (1323, 1103, 93, 39, 88)
    assert pc["net_discrimination"] == pytest.approx((93 - 39) / 220)
    assert pc["mcnemar_p"] < 1e-5
    d = cs.discrimination_table(bm).iloc[0]
    assert d["difference_pp"] == pytest.approx(-3.2033, abs=1e-4)
    assert d["lpm_coef"] == pytest.approx(-0.032033, abs=1e-6)  # == rate gap: same applications per side


# --------------------------------------------------------------------------- synthetic example data

def test_simulation_is_seeded_and_calibrated():
    a = sim.simulate_wave(seed=5)
    b = sim.simulate_wave(seed=5)
    pd.testing.assert_frame_equal(a, b)
    assert a["vacature"].nunique() == 1440 and len(a) == 2880
    assert (a.groupby("vacature")["profiel"].nunique() == 2).all()


def test_example_files_are_the_generator_output(tmp_path):
    paths = sim.write_example(tmp_path)
    for p in paths:
        committed = root() / "data" / "example" / p.name
        assert committed.read_bytes() == p.read_bytes(), f"{p.name}: regenerate with write_example()"


def test_one_file_with_its_own_wave_column(tmp_path):
    rows = ["vac;meting;profiel;reactie"]
    for w in ("vervolg", "nul"):
        for v in range(6):
            rows += [f"v{v};{w};vlaams;{'ja' if v % 2 else 'nee'}", f"v{v};{w};andere;nee"]
    p = tmp_path / "log.csv"
    p.write_text("\n".join(rows) + "\n", encoding="utf-8")
    s = cs.load(str(p), waves=["nul", "vervolg"], columns={**MAP, "wave": "meting"},
                reference_groups=REFS, ground="etniciteit")
    assert s.waves == ["nul", "vervolg"]
    assert s.data["cluster"].nunique() == 12  # the same vacancy id in two waves = two clusters
    w = cs.wave_comparison(s)
    assert list(w["wave"]) == ["vervolg"] and list(w["base"]) == ["nul"]
    with pytest.raises(DataError, match="waves"):
        cs.load(str(p), waves=["a", "b"], columns={**MAP, "wave": "meting"}, reference_groups=REFS,
                ground="etniciteit")


def test_power_table_plans_only_gaps_to_reduce():
    cmp = pd.DataFrame([
        {"ground": "e", "group": "b", "vacancies": 1500, "only_reference": 180, "only_group": 100},
        {"ground": "g", "group": "v", "vacancies": 1500, "only_reference": 90, "only_group": 100},
    ])
    t = cs.power_table(cmp, [2, 4])
    assert set(t["ground"]) == {"e"}
    assert t["vacancies_needed"].iloc[0] > t["vacancies_needed"].iloc[1]  # a larger change needs fewer
    with pytest.raises(ValueError):
        cs.discrimination_table(prep(frame([("v1", "vlaams", "ja"), ("v1", "andere", "nee")])), interval="x")


def test_power_table_caps_reductions_at_the_current_gap():
    """A planned reduction larger than the current gap would mean reversed discrimination: planned
    reductions of at least the gap become one row for the whole gap, smaller ones stay."""
    cmp = pd.DataFrame([{"ground": "e", "group": "b", "vacancies": 480, "only_reference": 56, "only_group": 45}])
    gap = 100 * (56 - 45) / 480  # 2,29 pp
    t = cs.power_table(cmp, [2, 4, 6])
    assert list(t["reduction_pp"]) == [2, pytest.approx(gap)]
    assert list(t["capped"]) == [False, True]
    assert (t["reduction_pp"] <= gap + 1e-12).all()
    old = cs.power_table(cmp, [2, 4, 6], cap_at_gap=False)
    assert list(old["reduction_pp"]) == [2, 4, 6]
    curves = cs.power_curves(cmp, [2, 4, 6])
    assert sorted(set(curves["reduction_pp"])) == [2, pytest.approx(gap)]
    assert np.allclose(curves.loc[curves["capped"], "reduction_pp"], gap)


def test_second_outcome_and_heterogeneity_sentences():
    cmp = pd.DataFrame([
        {"wave": "nul", "ground": "leeftijd", "group": "ouder", "reference": "jonger", "rate": 0.138,
         "rate_reference": 0.196, "difference_pp": -5.8, "difference_ci_low": -10.0, "difference_ci_high": -1.6,
         "mcnemar_p": 0.009},
        {"wave": "nul", "ground": "geslacht", "group": "vrouw", "reference": "man", "rate": 0.169,
         "rate_reference": 0.183, "difference_pp": -1.5, "difference_ci_low": -5.8, "difference_ci_high": 2.8,
         "mcnemar_p": 0.57},
    ])
    lines = cs.second_outcome_sentences(cmp)
    # the gap follows the reports' one sign convention: reference − group, positive = disadvantage
    assert len(lines) == 1 and "ouder" in lines[0] and "een kloof van +5,8 procentpunt" in lines[0]
    assert "p = 0,009" in lines[0] and "−5,8" not in lines[0]
    het = pd.DataFrame({"variable": ["v", "v"], "level": ["a", "b"], "group": ["x", "x"],
                        "difference_pp": [1.0, -2.0], "p_holm": [1.0, 1.0], "suppressed": [False, False]})
    assert "geen enkele" in cs.heterogeneity_summary(het)
    het["p_holm"] = [1.0, 0.01]
    s = cs.heterogeneity_summary(het, {"v": "sector"})
    assert "1 significant" in s and "sector = b (x: kloof +2,0 pp)" in s
    assert "De enige getoonde vergelijking per subgroep is na correctie" in cs.heterogeneity_summary(het.iloc[:1])


def test_wave_sentence_near_zero_gap():
    r = {"ground": "geslacht", "group": "vrouw", "reference": "man", "base": "nul", "wave": "vervolg",
         "gap_base_pp": -0.8, "gap_pp": -0.4, "change_pp": 0.4, "change_ci_low": -5.4, "change_ci_high": 6.2,
         "change_p": 0.89}
    s = cs.wave_sentence(r)
    assert "bleef de kloof in positieve reacties nagenoeg nul" in s and "gestegen" not in s
    assert "gedaald" in cs.wave_sentence({**r, "gap_base_pp": 6.7, "gap_pp": 2.3, "change_pp": -4.4})


def test_benchmark_table_uses_the_matching_scope():
    bench = pd.DataFrame({"ground": ["ethnicity", "ethnicity", "age", "age"],
                          "scope": ["all", "Maghrebi", "all", "Europe"],
                          "relative_callback": [0.71, 0.59, 0.66, 0.52],
                          "fewer_positive_responses_pct": [29, 41, 34, 48]})
    disc = pd.DataFrame({"wave": ["w"] * 3, "ground": ["etniciteit", "leeftijd", "geslacht"], "group": ["m", "o", "v"],
                         "relative_callback": [0.9] * 3, "relative_callback_ci_low": [0.8] * 3,
                         "relative_callback_ci_high": [1.0] * 3})
    bt = cs.benchmark_table(disc, bench, {"etniciteit": {"ground": "ethnicity", "scope": "Maghrebi"},
                                          "leeftijd": ["age", "Europe"]})
    assert list(bt["benchmark_relative_callback"].iloc[:2]) == [0.59, 0.52]
    assert list(bt["benchmark_all_relative_callback"].iloc[:2]) == [0.71, 0.66]
    assert list(bt["benchmark_scope"].iloc[:2]) == ["Maghrebi", "Europe"]
    assert np.isnan(bt["benchmark_relative_callback"].iloc[2])
    bt2 = cs.benchmark_table(disc, bench, {"etniciteit": "ethnicity"})
    assert bt2["benchmark_relative_callback"].iloc[0] == 0.71


def test_relabel_changes_labels_not_statistics():
    st = prep(frame([(f"v{i}", g, "ja" if (i + (g == "vlaams")) % 3 else "nee") for i in range(30)
                     for g in ("vlaams", "andere")]))
    lab = cs.relabel(st, {"vlaams": "Vlaams klinkende naam", "andere": "andere naam"})
    assert lab.reference_groups == {k: "Vlaams klinkende naam" for k in st.reference_groups}
    a, b = cs.discrimination_table(st), cs.discrimination_table(lab)
    assert list(b["group"]) == ["andere naam"] and list(b["reference"]) == ["Vlaams klinkende naam"]
    pd.testing.assert_frame_equal(a.drop(columns=["group", "reference"]), b.drop(columns=["group", "reference"]))
    assert cs.relabel(st, None) is st
