"""Pieces of the streefcijfers notebook moved into evaluatie.analyses.targets: the verdict per
target and the summary sentences (narrative), the entity ranking and its disclosure rule
(ranking), each on a small hand-made input."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from evaluatie.analyses import targets as T
from evaluatie.core import fmt
from evaluatie.core.errors import DataError


def _row(**kw):
    base = {"group": "women_top", "target_pct": 40.0, "target_year": 2020, "last_year": 2020,
            "last_share_pct": 41.0, "gap_pp": -1.0, "status": "reached", "outcome": None, "p_reach": None,
            "required_pp_per_year": None, "trend_pp_per_year": None}
    base.update(kw)
    return base


def test_ci_text_trend_and_share_and_missing():
    assert T.ci_text(0.5, -0.25, 1.25) == f"{fmt.pp(0.5, 2)} ({fmt.signed(-0.25, 2)} tot {fmt.signed(1.25, 2)})"
    assert T.ci_text(12.34, 10.0, 14.0, kind="pct") == "12,3% (10,0 tot 14,0)"
    assert T.ci_text(np.nan, 1, 2) == fmt.MISSING


def test_verdict_reached_not_reached_and_no_figure():
    assert T.verdict(_row(), "X") == "**X**: 41,0% eind 2020; streefcijfer 40,0% **behaald** (1,0 procentpunt erboven)."
    nr = T.verdict(_row(status="behind", outcome="not_reached", last_share_pct=38.5, gap_pp=1.5), "X")
    assert nr == "**X**: 38,5% eind 2020; streefcijfer 40,0% **niet gehaald** (1,5 procentpunt te weinig)."
    nf = T.verdict(_row(status="behind", outcome="no_figure_at_target_date", last_year=2019, last_share_pct=30.0,
                        gap_pp=10.0, p_reach=0.001), "X")
    assert "**vrijwel zeker niet gehaald**" in nf and "kans volgens de trend minder dan 1%" in nf
    assert "(geen cijfer voor 2020)" in nf
    unknown = T.verdict(_row(status="behind", outcome="no_figure_at_target_date", last_year=2019, p_reach=None,
                             gap_pp=1.0), "X")
    assert "**niet te beoordelen**" in unknown and "kans" not in unknown


def test_verdict_running_target_on_track():
    out = T.verdict(_row(status="on_track", last_year=2018, gap_pp=2.0, required_pp_per_year=1.0,
                         trend_pp_per_year=1.5, p_reach=0.7), "X")
    assert "**op schema**" in out and "kans op het streefcijfer 70,0%" in out


def test_later_figures_text_above_and_below_and_none():
    targets = pd.DataFrame({"group": ["a", "b"], "evaluated_at": [2020, 2020], "target_pct": [10.0, 3.0]})
    pos = pd.DataFrame({"group": ["a", "b"], "last_year": [2023, 2020], "last_share_pct": [12.5, 2.0]})
    assert T.later_figures_text(targets, pos, str.upper) == "De laatst gepubliceerde cijfers:\n\n- A: 12,5% in 2023 (boven 10%)"
    assert T.later_figures_text(targets, pos.assign(last_year=2020), str.upper) is None


def test_yearly_summary_text_with_and_without_figures():
    y = pd.DataFrame({"target_pct": [20.0, 6.0], "last_year": [2014, 2014], "last_share_pct": [3.1, 1.2],
                      "target_definition": [False, False]})
    out = T.yearly_summary_text(y)
    assert out.startswith("Voor stagiairs en jobstudenten gelden **jaarlijkse** streefcijfers (20% en 6%). ")
    assert "cijfers van 2014" in out and "(1,2% tot 3,1%)" in out
    assert T.yearly_summary_text(y.assign(last_share_pct=np.nan)).endswith("Er is geen cijfer voor.")
    assert T.yearly_summary_text(y.assign(target_definition=True)).endswith("Zie *Stagiairs en jobstudenten*.")


def test_backtest_text_numbers():
    bt = pd.DataFrame({"horizon": [1, 2, 4]})
    s = pd.DataFrame({"n_projections": [12], "mae_trend_pp": [0.44], "mae_naive_pp": [0.96], "pi_coverage": [0.75]})
    out = T.backtest_text(bt, s)
    assert "(12 projecties van 1 tot 4 jaar vooruit" in out
    assert "**0,4 procentpunt** naast het later" in out and "**1,0 procentpunt** naast. " in out
    assert "bevatten 75,0% van de latere cijfers" in out


def test_blank_older_figures_hides_only_figures_older_than_the_evaluated_year():
    f = pd.DataFrame({"last_year": [2020, 2019, 2019], "evaluated_at": [2020, 2020, 2019],
                      "last_share_pct": [1.0, 2.0, 3.0], "gap_pp": [1.0, 1.0, 1.0], "persons_short": [1, 2, 3]})
    out = T.blank_older_figures(f, data_end=2023)
    assert out["last_share_pct"].isna().tolist() == [False, True, False]
    assert out["persons_short"].isna().tolist() == [False, True, False]
    assert f["last_share_pct"].notna().all()  # a copy
    # the data end caps the evaluated year: nothing after it can be asked for
    assert T.blank_older_figures(f, data_end=2019)["last_share_pct"].notna().all()


def test_entity_ranking_hides_small_cells_and_ranks_by_total_shortfall():
    by_entity = pd.DataFrame({"entity": ["A", "A", "B", "B"], "group": ["g", "h", "g", "h"], "year": 2020,
                              "share_pct": [5.0, 1.0, 8.0, 2.0]})
    mask = pd.DataFrame(False, index=by_entity.index, columns=by_entity.columns)
    mask.loc[3, "share_pct"] = True  # B/h is a small cell
    by_entity.attrs = {"suppressed": mask}
    last_t = pd.DataFrame({"entity": ["A", "A", "B", "B"], "group": ["g", "h", "g", "h"],
                           "last_year": [2020, 2019, 2020, 2020], "persons_short": [3.0, 1.0, 10.0, 4.0],
                           "status_nl": ["niet gehaald", "behaald", "niet gehaald", "niet gehaald"]})
    w = T.entity_ranking(by_entity, last_t, ["g", "h"], 2020, threshold=5)
    assert w["entity"].tolist() == ["B", "A"]
    assert w["total_short"].tolist() == [10, 3]  # B/h hidden, A/h a 2019 figure: neither counts
    assert w.loc[1, "h__status_nl"] == "geen cijfer 2020"
    assert np.isnan(w.loc[0, "h__last_share_pct"]) and w.loc[0, "h__status_nl"] == "niet gehaald"
    assert w.attrs["suppressed"].loc[0, "h__last_share_pct"] and not w.attrs["suppressed"].loc[1, "h__last_share_pct"]
    assert w.attrs["suppression_threshold"] == 5


def test_plot_backtest_two_bars_per_horizon_with_counts():
    by_h = pd.DataFrame({"horizon": [1, 2], "mae_naive_pp": [0.5, 1.0], "mae_trend_pp": [0.4, 0.8],
                         "n_projections": [7, 3]})
    fig = T.plot_backtest(by_h)
    ax = fig.axes[0]
    heights = sorted(round(p.get_height(), 6) for p in ax.patches)
    assert heights == [0.4, 0.5, 0.8, 1.0]
    assert sorted(t.get_text() for t in ax.texts) == ["n = 3", "n = 7"]
    assert ax.get_ylim()[1] == pytest.approx(1.2)
    plt.close(fig)


def test_entity_gender_balance_rules_and_verdicts():
    be = pd.DataFrame({"entity": ["A", "A", "B", "B", "C"], "year": 2023,
                       "group": ["women_total", "women_middle", "women_total", "women_middle", "women_middle"],
                       "denominator": [100, 10, 100, 1, 8], "share_pct": [30.0, 70.0, 50.0, 100.0, np.nan]})
    gb = T.entity_gender_balance(be, 2023, 33.0)
    assert gb["verdict"].tolist() == ["vrouwen ondervertegenwoordigd", "mannen ondervertegenwoordigd", "evenwichtig",
                                      "uitgezonderd (één functie)", "niet getoond (kleine aantallen)"]
    # middle management: 66% rule, so 34% of women is balanced there but 33,5% of all staff would not be
    mid = T.entity_gender_balance(be.assign(share_pct=[33.5, 34.0, 50.0, 50.0, 50.0]), 2023, 34.0)
    assert mid["verdict"].tolist()[:2] == ["vrouwen ondervertegenwoordigd", "evenwichtig"]
    assert T.entity_gender_balance(be, 2023, 33.0, entity="B")["entity"].tolist() == ["B", "B"]


def test_domain_gender_balance():
    bd = pd.DataFrame({"policy_domain": ["x", "y", "z", "x"], "year": [2023, 2023, 2023, 2022],
                       "group": "women_total", "denominator": 50, "share_pct": [20.0, 80.0, 50.0, 50.0]})
    dom = T.domain_gender_balance(bd, 2023, 33.0)
    assert dom["verdict"].tolist() == ["vrouwen ondervertegenwoordigd", "mannen ondervertegenwoordigd", "evenwichtig"]


def test_template_example_applies_the_rule_to_the_step_jx2_to_jx1():
    tpl = pd.DataFrame({"group": ["mig", "hand", "N"], "share_jx_minus_2_pct": [1.24, 2.29, 71.0],
                        "share_jx_minus_1_pct": [2.26, 2.26, 62.5],
                        "interim_target_jx": ["Hoger of gelijk aan niveau jx-1", "Hoger of gelijk aan niveau jx-1",
                                              "Minstens 33%"]})
    demo = T.template_example(tpl)
    assert demo["group"].tolist() == ["mig", "hand", "N"]
    assert demo["met"].tolist() == [True, False, True]
    assert demo["share_jx_minus_2_pct"].tolist() == [1.24, 2.29, 71.0]
    assert demo["rule_type"].tolist() == ["at_least_previous", "at_least_previous", "minimum"]


def test_default_rules_every_entity_group_and_later_year():
    r = T.default_rules(["B", "A", "B"], ["g"], [2016, 2017, 2018])
    assert list(zip(r["entity"], r["year"])) == [("A", 2017), ("A", 2018), ("B", 2017), ("B", 2018)]
    assert set(r["rule"]) == {"Hoger of gelijk aan niveau jx-1"}


def test_growth_result_nl_and_summary_counts_with_missing_columns():
    gp = pd.DataFrame({"entity": ["A", "B", "C"], "group": "g", "year": 2017, "rule_type": "at_least_previous",
                       "met": [True, None, True]})
    gp["result"] = T.growth_result_nl(gp["met"])
    assert gp["result"].tolist() == ["gehaald", "onbekend", "gehaald"]
    s = T.growth_path_summary(gp)
    assert s[["met", "not_met", "unknown"]].iloc[0].tolist() == [2, 0, 1]


TGT = pd.DataFrame({"group": ["migration_background", "foreign_origin", "foreign_origin", "women_top"],
                    "target_pct": [4.0, 10.0, 12.5, 40.0], "target_year": [2015, 2020, 2025, np.nan]})


def test_target_periods_each_over_its_own_period():
    periods = T.target_periods(TGT, ["foreign_origin", "migration_background"])
    assert periods == [{"pct": 4.0, "start": None, "end": 2015, "label": "4% tegen 2015"},
                       {"pct": 10.0, "start": 2016, "end": 2020, "label": "10% tegen 2020"},
                       {"pct": 12.5, "start": 2021, "end": 2025, "label": "12,5% tegen 2025"}]


def test_panel_spec_latest_target_and_predecessor():
    p = T.panel_spec("foreign_origin", TGT, {"foreign_origin": "migration_background"},
                     ["foreign_origin", "migration_background"], str.upper, up_to=2019)
    assert (p["title"], p["target_pct"], p["target_year"], p["up_to"]) == ("FOREIGN_ORIGIN", 12.5, 2025, 2019)
    # the legend names the old series as the label is written (before: lowered, 'migration_background')
    assert p["predecessor"] == "migration_background" and p["predecessor_label"] == "MIGRATION_BACKGROUND"
    assert len(p["targets"]) == 3
    # the old series is not linked when it is not in the data; an undated target gives no target line
    q = T.panel_spec("foreign_origin", TGT, {"foreign_origin": "migration_background"}, ["foreign_origin"], str)
    assert "predecessor" not in q and len(q["targets"]) == 2
    assert "target_pct" not in T.panel_spec("women_top", TGT, {}, [], str)


def test_last_years_before_target():
    data = pd.DataFrame({"group": ["foreign_origin"] * 3 + ["women_top"], "year": [2018, 2019, 2025, 2019],
                         "share_pct": [9.0, 10.0, 13.0, 30.0]})
    assert T.last_years_before_target(data, TGT, ["foreign_origin", "women_top", "nobody"]) == {"foreign_origin": 2019}


def test_breaks_table_names_groups_in_dutch():
    brk = T.as_breaks([{"year": 2014, "label": "telling", "groups": ["a", "b"]}, {"year": 2016, "label": "x",
                                                                                  "groups": "all"}])
    t = T.breaks_table(brk, str.upper)
    assert t.to_dict("records") == [{"year": 2014, "label": "telling", "groups": "A, B"},
                                    {"year": 2016, "label": "x", "groups": "alle groepen"}]


def test_link_factors_and_their_text():
    data = pd.DataFrame({"group": ["old", "old", "new"], "year": [2015, 2016, 2016], "share_pct": [4.0, 5.0, 10.0]})
    lf = T.link_factors(data, {"new": "old"}, ["old", "new"])
    assert lf[["year", "old", "new", "ratio", "difference_pp"]].to_dict("records") == [
        {"year": 2016, "old": "old", "new": "new", "ratio": 2.0, "difference_pp": 5.0}]
    assert T.link_factors(data, {"new": "old"}, ["new"]).empty
    assert T.link_factors(data, {}, ["old", "new"]).empty
    text = T.link_factor_text(lf.iloc[0])
    assert text.startswith("In het overlapjaar 2016 werd de herkomst op beide manieren gemeten: 10,0% volgens")
    assert "2,00 keer zoveel personen, 5,0 procentpunt meer" in text


def test_trend_view_and_yearly_status():
    tab = pd.DataFrame({"group": ["g"], "target_year": [2020], "n_points": [4], "trend_pp_per_year": [0.5],
                        "trend_ci_low": [0.1], "trend_ci_high": [0.9], "projected_pct": [np.nan],
                        "projection_pi_low": [np.nan], "projection_pi_high": [np.nan], "p_reach": [0.3]})
    v = T.trend_view(tab)
    assert v.columns.tolist() == ["group", "target_year", "n_points", "trend", "projection", "p_reach"]
    assert v.at[0, "trend"] == T.ci_text(0.5, 0.1, 0.9) and v.at[0, "projection"] == fmt.MISSING
    y = pd.DataFrame({"status": ["reached", "not_reached", "insufficient_data"], "last_year": [2014, 2015, 2014]})
    assert T.yearly_status_nl(y) == ["behaald in 2014", "niet gehaald in 2015", "onvoldoende gegevens"]


def test_with_counts_and_evaluate_selection():
    rows = pd.DataFrame({"entity": "A", "group": "g", "year": [2016, 2017, 2018, 2019],
                         "numerator": pd.array([10, 11, None, 13], dtype="Int64"), "denominator": 100,
                         "share_pct": [10.0, 11.0, np.nan, 13.0], "definition": ["", "", "", "d"]})
    rows.attrs = {"suppressed": None}
    c = T.with_counts(rows)
    assert c["year"].tolist() == [2016, 2017, 2019] and c.attrs == {}
    assert c["definition"].tolist() == [None, None, "d"] and c["numerator"].dtype == float
    tg = pd.DataFrame({"group": ["g"], "target_pct": [20.0], "target_year": [2020]})
    ev, used = T.evaluate_selection(rows, rows.drop(columns="entity"), "A", tg)
    assert len(ev) == 1 and used["year"].tolist() == [2016, 2017, 2019]
    with pytest.raises(DataError, match="komt niet voor"):
        T.evaluate_selection(rows, rows, "B", tg)


def test_status_counts_and_targets_in_data():
    ev_ent = pd.DataFrame({"entity": ["A", "B", "C"], "group": ["g", "g", "h"],
                           "status_nl": ["behaald", "niet gehaald", "behaald"]})
    c = T.status_counts(ev_ent)
    assert c.columns.tolist() == ["group", "behaald", "niet gehaald"] and c.columns.name is None
    assert c.values.tolist() == [["g", 1, 1], ["h", 1, 0]]
    tg = pd.DataFrame({"group": ["g", "g", "g", "x"], "target_pct": 1.0, "target_year": [2015, 2020, np.nan, 2020]})
    data = pd.DataFrame({"group": ["g", "g"], "year": [2016, 2017]})
    assert T.targets_in_data(tg, data)["target_year"].tolist() == [2020]


def test_group_labels_known_first_then_the_targets_file():
    tg = pd.DataFrame({"group": ["women_top", "new_group"], "group_nl": ["Iets anders", "Nieuwe groep"]})
    labels = T.group_labels(tg)
    assert labels["women_top"] == T.GROUP_LABELS_NL["women_top"] and labels["new_group"] == "Nieuwe groep"


def test_ranking_intro_text_names_year_and_threshold():
    t = T.ranking_intro_text(2020, 5)
    assert t.startswith("Per entiteit en streefcijfer: het cijfer van 2020,")
    assert "staat 'x' (niet getoond) en wordt geen ouder cijfer getoond" in t


def test_backtest_alt_every_or_most_horizons():
    by_h = pd.DataFrame({"horizon": [1, 2, 3], "mae_trend_pp": [0.1, 0.2, 0.3], "mae_naive_pp": [0.2, 0.3, 0.4]})
    assert "(1 tot 3)" in T.backtest_alt(by_h) and T.backtest_alt(by_h).endswith("bij elke horizon dichter bij de uitkomst.")
    assert T.backtest_alt(by_h.assign(mae_naive_pp=[0.2, 0.3, 0.2])).endswith("bij de meeste horizonnen dichter bij de uitkomst.")
