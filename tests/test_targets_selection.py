"""Moved from the streefcijfers notebook: the growth-path rules a report checks
(targets.prepare.growth_rules) and the assessment rows as shown (targets.ranking.selection_view)."""

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
