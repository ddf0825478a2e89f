"""The report layouts of the streefcijfers tables (evaluatie.analyses.targets.tables): every column a
reader sees gets a Dutch heading, formats only name shown columns, and the parts that depend on the
report (group labels, threshold, one entity, ranked groups) reach the layout."""

from __future__ import annotations

import os

import pandas as pd
import pytest

from evaluatie.analyses import targets as T

ROOT_DATA = "data/raw/streefcijfers_vlaamse_overheid_2014_2023.csv"
TARGETS = "data/raw/streefcijfers_targets.csv"

label = {"women_top": "Vrouwen in het topkader"}.get
short = {"women_top": "Vrouwen top"}.get


def _covers(lay: dict, shown: list[str]) -> None:
    assert set(shown) <= set(lay["labels"]), set(shown) - set(lay["labels"])
    assert set(lay.get("formats", {})) <= set(shown)
    assert set(lay.get("highlight", {})) <= set(shown)


@pytest.fixture(scope="module")
def example():
    here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    published, _ = T.combine_sources([T.read_series(os.path.join(here, ROOT_DATA), {"group": "group_key"})])
    tgt = T.read_targets(os.path.join(here, TARGETS))
    ev = T.evaluate_targets(published, tgt, [], None)
    return published, tgt, ev


@pytest.mark.parametrize("name", ["current_position", "assessment", "yearly_targets", "deadline_review",
                                  "backtest_summary", "assessment_microdata", "growth_path_example"])
def test_layouts_with_fixed_columns_label_every_column(name):
    lay = T.layout(name, label=label, short=short, threshold=5)
    _covers(lay, lay["columns"])


def test_growth_path_overview_labels_every_column_and_names_the_threshold():
    lay = T.layout("growth_path", short=short, threshold=7)
    _covers(lay, lay["columns"])
    assert "minder dan 7 personen" in lay["note"]


def test_one_entity_variants_label_the_notebook_columns():
    gp = T.layout("growth_path", short=short, threshold=5, entity=True)
    _covers(gp, ["group", "year", "rule", "threshold_pct", "share_pct", "result"])
    gb = T.layout("gender_balance", entity=True, gender_threshold=33.0)
    _covers(gb, ["group", "denominator", "share_pct", "verdict"])
    assert gb["formats"]["group"]("women_middle") == "middenkader (> 66% van één geslacht)"
    _covers(T.layout("gender_balance", gender_threshold=33.0), ["group", "verdict", "entities"])
    _covers(T.layout("gender_balance_domains", gender_threshold=33.0),
            ["policy_domain", "verdict", "denominator", "share_pct"])
    _covers(T.layout("link_factor", label=label),
            ["year", "old", "share_pct_old", "new", "share_pct_new", "ratio", "difference_pp"])


@pytest.mark.parametrize("threshold, shown", [(33.0, "33%"), (50, "50%"), (40.5, "40,5%"), (33.33, "33,33%")])
def test_gender_tables_name_the_reports_gender_threshold(threshold, shown):
    """The verdicts follow ``gender_threshold``, so do the headings (before: always '< 33%')."""
    for entity in (True, False):
        lay = T.layout("gender_balance", entity=entity, gender_threshold=threshold)
        assert lay["formats"]["group"]("women_total") == f"alle personeelsleden (< {shown} van één geslacht)"
        assert lay["formats"]["group"]("women_middle") == "middenkader (> 66% van één geslacht)"  # the plan's own
    assert T.layout("gender_balance_domains", gender_threshold=threshold)["labels"]["verdict"] == f"Oordeel (regel {shown})"
    with pytest.raises(TypeError):
        T.layout("gender_balance")
    with pytest.raises(TypeError):
        T.layout("gender_balance_domains")


def test_gender_rule_names_the_reports_threshold_and_the_plans_where_they_differ():
    plan = T.report_text("gender_rule", gender_threshold=33.0)
    assert "**minder dan 33% personeelsleden\nvan hetzelfde geslacht**" in plan and "Het strategisch plan noemt" in plan
    own = T.report_text("gender_rule", gender_threshold=50)
    assert "**minder dan 50% personeelsleden\nvan hetzelfde geslacht**" in own
    assert "het strategisch plan legt die grens op 33%" in own and "meer dan 66% van de middenkaderfuncties" in own
    with pytest.raises(TypeError):
        T.report_text("gender_rule")


def test_microdata_note_names_the_threshold_only_for_one_entity():
    assert "minder dan 5 personen" in T.layout("assessment_microdata", short=short, threshold=5, entity=True)["note"]
    assert "personen" not in T.layout("assessment_microdata", short=short, threshold=5)["note"]


def test_breaks_and_trend_view_label_the_built_tables(example):
    published, tgt, ev = example
    brk = T.breaks_table(T.as_breaks([{"year": 2016, "label": "nieuwe definities", "groups": "all"}]), str)
    _covers(T.layout("breaks"), list(brk.columns))
    tab = ev.sort_values(["target_year", "group"]).reset_index(drop=True)
    tab["status_nl"] = T.status_nl(tab)
    _covers(T.layout("trend_view", short=short), list(T.trend_view(tab).columns))
    _covers(T.layout("assessment", short=short), [c for c in T.layout("assessment")["columns"] if c in tab])
    assert T.layout("assessment", short=short)["formats"]["group"] is short


def test_entity_ranking_columns_follow_the_ranked_groups():
    lay = T.layout("entity_ranking", short=short, groups=["women_top"], year=2020)
    assert lay["columns"] == ["entity", "year", "women_top__status_nl", "women_top__last_share_pct",
                              "women_top__persons_short", "total_short"]
    _covers(lay, lay["columns"])
    assert lay["labels"]["women_top__status_nl"] == "Vrouwen top: status"
    assert "personeelsaantal van 2020" in lay["note"]


def test_growth_path_example_shows_rule_types_in_dutch():
    fmt_rule = T.layout("growth_path_example")["formats"]["rule_type"]
    assert fmt_rule("at_least_previous") == T.RULE_NL["at_least_previous"]
    assert fmt_rule("unknown_rule") == "unknown_rule"


def test_unknown_table_has_no_layout():
    with pytest.raises(KeyError):
        T.layout("no_such_table")


def test_tabel1_dashes_every_year_column_and_labels_group_and_target():
    lay = T.layout("tabel1", columns=["group", "2009", "target_2015"])
    assert set(lay["formats"]) == {"2009", "target_2015"}
    assert lay["formats"]["2009"]("-") == "–" and lay["formats"]["2009"]("4,1") == "4,1"
    assert lay["labels"] == {"group": "Kansengroep", "target_2015": "Streefcijfer 2015"}
    assert lay["note"].startswith("Bron: Strategisch Gelijkekansen- en Diversiteitsplan")


def test_a_domain_whose_share_is_not_shown_is_not_called_balanced():
    by_domain = pd.DataFrame({"year": [2023] * 3, "group": ["women_total"] * 3, "policy_domain": ["a", "b", "c"],
                              "share_pct": [20.0, 50.0, float("nan")]})
    got = T.domain_gender_balance(by_domain, 2023, 33.0)["verdict"].tolist()
    assert got == ["vrouwen ondervertegenwoordigd", "evenwichtig", "niet getoond (kleine aantallen)"]
