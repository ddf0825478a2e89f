"""Issue 17 item 6: spending less than planned is "onderbesteding" only for a closed budget year;
before that it is "nog niet volledig besteed" (spending can still follow)."""

from __future__ import annotations

import pandas as pd
import pytest

from evaluatie.analyses import actionplan as ap
from evaluatie.core.errors import DataError


def _budget() -> pd.DataFrame:
    """Three priorities: 120 of 100 spent, 60 of 100, nothing of 50."""
    return pd.DataFrame({"priority_no": [1, 2, 3], "priority": ["A", "B", "C"], "action": ["a", "b", "c"],
                         "planned_eur": [100.0, 100.0, 50.0], "spent_eur": [120.0, 60.0, 0.0],
                         "status": ["done", "ongoing", "postponed"]})


@pytest.mark.parametrize("year_closed, budget_year, as_of, expected", [
    (True, None, "18/10/2018", True),  # said explicitly: that
    (False, 2018, "31/12/2018", False),
    (None, 2018, "18/10/2018", False),  # a status during the budget year
    (None, 2018, "31/12/2018", True),  # the last day of the year: the account is complete
    (None, 2018, "2019-03-15", True),  # a later status
    (None, 2018, "15-03-2019", True),
    (None, None, "18/10/2018", False),  # a status on a date, no year to compare it with: interim
    (None, 2018, None, True),  # no date: the final account
    (None, None, None, True),
])
def test_year_is_closed(year_closed, budget_year, as_of, expected):
    assert ap.year_is_closed(year_closed, budget_year, as_of) is expected


def test_an_as_of_that_is_no_date_cannot_decide_against_a_budget_year():
    with pytest.raises(DataError, match="year_closed"):  # an input error (exit 2), not a crash
        ap.year_is_closed(None, 2018, "herfst 2018")
    assert ap.as_of_date("herfst 2018") is None and ap.as_of_date("18/10/2018") == pd.Timestamp(2018, 10, 18)


def test_assessment_of_a_closed_and_an_open_year():
    closed = ap.budget_execution(_budget(), lines={"regular": ("planned_eur", "spent_eur")})
    open_ = ap.budget_execution(_budget(), lines={"regular": ("planned_eur", "spent_eur")}, closed=False)
    assert closed["assessment"].tolist() == ["overspent", "underspent", "unspent", "underspent"]
    assert open_["assessment"].tolist() == ["overspent", "not_fully_spent", "not_yet_spent", "not_fully_spent"]
    pd.testing.assert_frame_equal(closed.drop(columns="assessment"), open_.drop(columns="assessment"))
    closed_words = ap.execution_judgements(closed)
    open_words = ap.execution_judgements(open_)
    assert closed_words[1:] == ["60,0%: onderbesteding", "0,0%: voorzien, niets uitgegeven", "72,0%: onderbesteding"]
    assert open_words[1:] == ["60,0%: nog niet volledig besteed", "0,0%: voorzien, nog niets uitgegeven",
                              "72,0%: nog niet volledig besteed"]
    assert not any("onderbesteding" in w for w in open_words)
    # both count as spending less than planned in the bullet per line
    for ex in (closed, open_):
        assert ap.budget_line_texts(ex, {"regular": "Begroting"})[0].endswith("(1), 2 minder.")


def test_what_the_report_says_about_the_year():
    open_text = ap.budget_year_text(False, "18/10/2018")
    assert open_text.startswith("Op 18/10/2018 was het begrotingsjaar nog niet afgesloten")
    assert "nog niet volledig besteed" in open_text
    assert "**onderbesteding**" in ap.budget_year_text(True) and "nog niet" not in ap.budget_year_text(True)
    ex = ap.budget_execution(_budget(), lines={"regular": ("planned_eur", "spent_eur")}, closed=False)
    lines = ap.summary_lines(budget_lines={"regular": "Begroting"}, as_of="18/10/2018", execution=ex, closed=False)
    assert lines[0].endswith("Het begrotingsjaar was toen nog niet afgesloten: er kunnen nog uitgaven volgen.")
    lines = ap.summary_lines(budget_lines={"regular": "Begroting"}, as_of="31/12/2018", execution=ex)
    assert "afgesloten" not in lines[0]
