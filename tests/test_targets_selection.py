"""Moved from the streefcijfers notebook: the growth-path rules a report checks
(targets.prepare.growth_rules, read_published, read_yearly_or_empty), the assessment rows as shown
(targets.ranking.selection_view), the last passed targets and the verdict list."""

from __future__ import annotations

import numpy as np
import pandas as pd

from evaluatie.analyses import targets as T


def _by_entity():
    return pd.DataFrame({"entity": ["A", "A", "B", "B"], "group": ["foreign_origin"] * 2 + ["women_top"] * 2,
                         "year": [2019, 2020, 2019, 2020]})


def test_growth_rules_default_for_all_or_one_entity_and_from_a_file(tmp_path):
    all_rules = T.growth_rules(None, _by_entity())
    expected = T.default_rules(pd.Series(["A", "A", "B", "B"]), ["foreign_origin"], [2019, 2020])
    pd.testing.assert_frame_equal(all_rules, expected)
    one = T.growth_rules(None, _by_entity(), "B")
    assert set(one["entity"]) <= {"B"}
    f = tmp_path / "gp.csv"
    pd.DataFrame({"entity": ["A", "B"], "group": ["foreign_origin"] * 2, "year": [2020, 2020],
                  "rule": ["minstens 5%", "minstens 6%"]}).to_csv(f, index=False)
    assert list(T.growth_rules(f, _by_entity(), "B")["entity"]) == ["B"]
    assert len(T.growth_rules(f, _by_entity())) == 2


def _ev():
    base = dict(status="behind", outcome="not_reached", target_pct=10.0, evaluated_at=2020, p_reach=None,
                required_pp_per_year=None, trend_pp_per_year=0.5, trend_ci_low=0.1, trend_ci_high=0.9,
                gap_pp=2.0, persons_short=3.0, last_share_pct=8.0)
    return pd.DataFrame([dict(base, group="b", target_year=2020, last_year=2019),
                         dict(base, group="a", target_year=2020, last_year=2020)])


def test_selection_view_sorts_adds_status_and_trend_and_blanks_only_for_one_entity():
    org = T.selection_view(_ev())
    assert list(org["group"]) == ["a", "b"]
    assert list(org["status_nl"]) == T.status_nl(org)
    assert org["trend"].iloc[0] == T.ci_text(0.5, 0.1, 0.9)
    assert org["last_share_pct"].notna().all()
    one = T.selection_view(_ev(), 2020)
    assert np.isnan(one.loc[one["group"] == "b", "last_share_pct"]).all()
    assert one.loc[one["group"] == "a", "last_share_pct"].item() == 8.0


def test_last_passed_targets_picks_the_latest_passed_date_or_nothing():
    ev = pd.DataFrame({"group": ["a", "b", "c"], "target_year": [2015, 2020, 2025], "evaluated_at": [2015, 2020, 2023]})
    assert list(T.last_passed_targets(ev)["group"]) == ["b"]
    assert T.last_passed_targets(ev[ev["target_year"] == 2025]).empty


def test_verdict_list_is_one_bullet_per_row():
    rows = _ev().assign(status="reached", outcome=None, last_share_pct=11.0, gap_pp=-1.0)
    text = T.verdict_list(rows, str.upper)
    assert text.splitlines() == [f"- {T.verdict(r, r['group'].upper())}" for _, r in rows.iterrows()]


def test_read_yearly_or_empty_without_file_has_the_columns():
    empty = T.read_yearly_or_empty(None)
    assert empty.empty and list(empty.columns) == ["group", "year", "share_pct", "definition",
                                                   "target_definition", "source_note"]


def test_read_published_puts_the_history_first(tmp_path):
    new, old = tmp_path / "new.csv", tmp_path / "old.csv"
    pd.DataFrame({"year": [2016, 2017], "group": ["women_top"] * 2, "share_pct": [30.0, 31.0],
                  "definition": ["d2"] * 2}).to_csv(new, index=False)
    pd.DataFrame({"year": [2014, 2015], "group": ["women_top"] * 2, "share_pct": [28.0, 29.0],
                  "definition": ["d1"] * 2}).to_csv(old, index=False)
    both, ledgers = T.read_published(new, old)
    alone, one = T.read_published(new)
    assert sorted(both["year"]) == [2014, 2015, 2016, 2017] and len(ledgers) == 2
    assert sorted(alone["year"]) == [2016, 2017] and len(one) == 1


def test_skipped_text_names_each_group_and_why():
    assert (T.skipped_text({"a": "geen kolom x", "b": "geen kolom y"}, str.upper)
            == "Niet berekend (kolommen ontbreken): A: geen kolom x; B: geen kolom y")


def test_group_orders_of_tabel1_and_the_panels():
    assert T.TABEL1_GROUPS[0] == "women_total" and len(T.TABEL1_GROUPS) == 8
    assert T.PANEL_GROUPS == ("women_top", "women_middle", "foreign_origin", "disability_chronic_illness")


def test_growth_path_view_keeps_the_shown_columns_without_attrs():
    gp = pd.DataFrame({"entity": ["A"], "group": ["foreign_origin"], "year": [2020], "rule": ["minstens 5%"],
                       "rule_type": ["minimum"], "threshold_pct": [5.0], "share_pct": [6.0], "met": [True],
                       "result": ["gehaald"]})
    gp.attrs = {"note": "x"}
    view = T.growth_path_view(gp)
    assert list(view.columns) == ["group", "year", "rule", "threshold_pct", "share_pct", "result"]
    assert view.attrs == {} and gp.attrs == {"note": "x"}
