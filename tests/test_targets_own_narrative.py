"""The wording rules of a streefcijfers report about an organisation's own data
(evaluatie.analyses.targets.narrative): title and subtitle, the one sentence that stands for a
section that does not apply, the levels and changes tables and the summary without verdicts."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from evaluatie.analyses import targets as T
from evaluatie.publish.disclosure import decision, suppressed_mask


def _cells(rows):
    return pd.DataFrame(rows, columns=["year", "group", "share_pct", "numerator", "denominator", "definition"])


def test_title_is_given_or_generic_with_the_organisation_and_the_entity():
    assert T.report_title(None, None) == "Streefcijfers en kansengroepen"
    assert T.report_title(None, "Agentschap X") == "Streefcijfers en kansengroepen — Agentschap X"
    assert T.report_title("Eigen titel", "Agentschap X") == "Eigen titel"
    assert T.report_title("Eigen titel", None, "Dienst 3") == "Eigen titel — Dienst 3"


def test_subtitle_names_who_and_the_reference_dates():
    assert T.subtitle_text("Agentschap X", [2023]) == (
        "Het aandeel van de kansengroepen in het personeel van Agentschap X, op de peildatum van 2023.")
    assert T.subtitle_text("de organisatie", [2021, 2022, 2023]).endswith("op 3 peildatums van 2021 tot 2023.")


@pytest.mark.parametrize("name, needle", [
    ("published", "alleen over de personeelsgegevens van Agentschap X"),
    ("targets", "zonder oordeel"),
    ("one_date", "één peildatum (2023)"),
    ("two_dates", "minstens drie cijfers"),
    ("one_entity", "één entiteit (Agentschap X)"),
    ("growth_path", "met één peildatum"),
    ("growth_path_groups", "geen groeipad te toetsen"),
])
def test_each_section_left_out_gets_one_sentence_saying_why(name, needle):
    s = T.not_applicable(name, who="Agentschap X", years=[2023])
    assert needle in s and s.endswith(".") and s.count(". ") == 0


def test_an_unknown_section_has_no_sentence():
    with pytest.raises(KeyError):
        T.not_applicable("no_such_section")


def test_heading_and_intro_of_the_personnel_part():
    assert T.microdata_heading(None, False) == "Entiteiten en beleidsdomeinen, uit personeelsgegevens"
    assert T.microdata_heading("Agentschap X", True) == (
        "Kansengroepen bij Agentschap X, uit personeelsgegevens (synthetische gegevens)")
    assert "drempel voor kleine cellen\n(hier 5 personen)" in T.microdata_intro(True, 5)
    assert "parameter" not in T.microdata_intro(True, 5) and "threshold" not in T.microdata_intro(True, 5)
    own = T.microdata_intro(False, 7)
    assert "minder dan 7 personen" in own and "parameter" not in own and "entiteit" not in own
    assert T.synthetic_suffixes(False) == ("", "")
    assert T.synthetic_suffixes(True) == (" (synthetische gegevens)", ", synthetische gegevens")


def test_levels_table_keeps_suppressed_cells_and_groups_empty():
    cells = _cells([(2022, "women_total", 60.0, 60, 100, ""), (2023, "women_total", 62.0, 62, 100, ""),
                    (2022, "women_top", np.nan, np.nan, 4, ""), (2023, "women_top", np.nan, np.nan, 3, ""),
                    (2023, "foreign_origin", 10.0, 10, 100, "new_2016")])
    cells.attrs["suppressed"] = pd.DataFrame()  # the table reads the withheld cells from the data, not from attrs
    lv = T.levels_table(cells, ["women_total", "women_top", "foreign_origin", "low_educated"], 5)
    assert list(lv["group"]) == ["women_total", "women_top", "foreign_origin"]
    assert list(lv.columns) == ["group", "2022", "2023", "denominator"]
    assert lv.loc[0, "2023"] == 62.0 and lv.loc[1, ["2022", "2023"]].isna().all()
    assert pd.isna(lv.loc[2, "2022"]) and lv["denominator"].tolist() == [100, 3, 100]
    # withheld cells are marked for the report ('x'); a year without the group's population is not
    hidden = suppressed_mask(lv)
    assert decision(lv) == "protected" and hidden.loc[1, ["2022", "2023"]].all()
    assert not hidden.loc[2, "2022"] and int(hidden.to_numpy().sum()) == 2


def test_change_table_and_summary_without_verdicts():
    series = _cells([(2021, "women_total", 50.0, 50, 100, None), (2022, "women_total", 52.0, 52, 100, None),
                     (2023, "women_total", 55.0, 55, 100, None), (2023, "women_middle", 40.0, 4, 10, None)])
    pos = T.current_position(series, ["women_total", "women_middle"])
    ch = T.change_table(pos, series)
    assert ch.set_index("group").at["women_total", "change_pp"] == pytest.approx(5.0)
    assert pd.isna(ch.set_index("group").at["women_middle", "change_pp"])  # one figure: no change
    text = T.micro_summary(ch, T.levels_table(series, ["women_total", "women_middle"], 5), lambda g: g)
    lines = text.split("\n")
    assert lines[0].startswith("- **women_total**: 55,0% in 2023, +5,0 procentpunt sinds 2021 (trend ")
    assert lines[1] == "- **women_middle**: 40,0% in 2023 (het enige cijfer dat getoond mag worden)."
    assert "behaald" not in text and "schema" not in text


def test_summary_of_one_reference_date_gives_levels_only():
    lv = T.levels_table(_cells([(2023, "women_total", 61.9, 187, 302, ""), (2023, "women_top", np.nan, np.nan, 11, "")]),
                        ["women_total", "women_top"], 5)
    assert T.micro_summary(None, lv, {"women_total": "Vrouwen"}.get) == "- **Vrouwen**: 61,9% in 2023."


def test_latest_target_year_of_the_groups_drawn():
    tgt = pd.DataFrame({"group": ["a", "a", "b", "c"], "group_nl": None, "target_pct": [3.0, 4.0, 10.0, np.nan],
                        "target_year": [2015, 2020, 2025, 2030]})
    assert T.latest_target_year(tgt, ["a"]) == 2020
    assert T.latest_target_year(tgt, ["a", "b"]) == 2025
    assert T.latest_target_year(tgt, ["c", "d"]) is None  # a target without a percentage draws nothing
    assert T.latest_target_year(pd.DataFrame(columns=T.study.TARGET_COLUMNS), ["a"]) is None


def test_published_summary_without_targets_has_only_the_backtest():
    bt = pd.DataFrame({"horizon": [1, 2]})
    bt_all = pd.DataFrame({"n_projections": [2], "mae_trend_pp": [0.5], "mae_naive_pp": [0.9], "pi_coverage": [0.5]})
    empty = pd.DataFrame(columns=["group", "target_year"])
    out = T.published_summary(empty, pd.DataFrame(), pd.DataFrame(), bt, bt_all, str)
    assert len(out) == 1 and out[0].startswith("Hoe betrouwbaar zijn projecties?")


def test_trend_note_by_number_of_reference_dates():
    assert T.trend_note([2023]) == T.not_applicable("one_date", years=[2023])
    assert T.trend_note([2022, 2023]) == T.not_applicable("two_dates")
    assert T.trend_note([2021, 2022, 2023]) is None
