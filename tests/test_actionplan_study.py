"""Which parts an action-plan report holds, its budget lines and months, and the value mapping of
its tables (analyses/actionplan/study.py, inputs.py): small inputs, checked by hand."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from evaluatie.analyses import actionplan as ap
from evaluatie.core.errors import DataError

RAW = Path(__file__).resolve().parents[1] / "data" / "raw"


def test_parts_come_from_the_inputs_given_with_a_reason_for_each_other_part():
    parts, skipped = ap.choose_parts(None, {"budget": "b.xlsx"}, has_months=False)
    assert parts == ["budget", "status"]
    assert list(skipped) == ["workload", "planning", "commitments", "subsidies"]
    assert skipped["planning"] == "er is geen planning"
    parts, skipped = ap.choose_parts([], {"budget": "b.xlsx", "planning": "p.xlsx"}, has_months=False)
    assert parts == ["budget", "status", "workload"] and skipped["planning"].startswith("de planning noemt geen maanden")
    parts, _ = ap.choose_parts(None, {"planning": "p.xlsx"}, has_months=True)
    assert parts == ["workload", "planning"]


def test_named_parts_are_kept_and_checked():
    assert ap.choose_parts(["subsidies"], {"subsidies": "s.csv"}, has_months=False) == (["subsidies"], {})
    with pytest.raises(ValueError, match="budget vraagt het invoerbestand 'budget'"):
        ap.choose_parts(["budget"], {"budget": None}, has_months=False)
    with pytest.raises(ValueError, match="geen enkel invoerbestand"):
        ap.choose_parts(None, {}, has_months=False)


def test_months_from_first_and_last_or_from_the_month_columns():
    assert ap.plan_months(["2025-11", "2026-02"], None) == ["2025-11", "2025-12", "2026-01", "2026-02"]
    assert ap.plan_months(None, {"2025-03": "maart", "2025-01": "jan"}) == ["2025-01", "2025-02", "2025-03"]
    assert ap.plan_months(None, None) is None and ap.plan_months([], {}) is None


def test_budget_lines_are_those_with_an_amount():
    b = pd.DataFrame({"planned_eur": [1.0], "spent_eur": [0.0], "planned_tom_eur": [float("nan")],
                      "spent_tom_eur": [float("nan")]})
    assert ap.lines_in(b, None) == {"regular": "Begroting"}
    assert ap.lines_in(b.assign(spent_tom_eur=[5.0]), {"regular": "Werkingsbudget"}) == {
        "regular": "Werkingsbudget", "tom": "Tweede begrotingslijn"}


def _budget(tmp_path, statuses):
    df = pd.read_csv(RAW / "budget_diversiteitsbeleid_2018.csv").head(len(statuses))
    df["status"] = statuses
    f = tmp_path / "budget.csv"
    df.to_csv(f, index=False)
    return f


def test_status_words_map_to_the_standard_codes(tmp_path):
    f = _budget(tmp_path, ["afgerond", "Lopend ", "deels AFGEROND", "Uitgevoerd"])
    b, _ = ap.read(f, "budget", values={"status": {"afgerond": "done", "lopend": "ongoing",
                                                   "deels afgerond": "Uitgevoerd en lopend"}})
    assert b["status"].tolist() == ["Uitgevoerd", "Lopend", "Uitgevoerd en lopend", "Uitgevoerd"]
    assert [ap.status_class(s) for s in b["status"]] == ["done", "ongoing", "done_ongoing", "done"]


def test_unmapped_status_words_are_one_problem_for_the_column(tmp_path):
    f = _budget(tmp_path, ["afgerond", "geheim woord", "afgerond", "Lopend", "nog bezig"])
    with pytest.raises(DataError) as e:
        ap.read(f, "budget")
    (p,) = e.value.problems
    msg = str(e.value)
    assert p.row == 2 and p.column == "status"
    assert "3 verschillende onbekende evaluaties in 4 rijen" in msg
    assert "done, done_ongoing, ongoing, postponed, not_done" in msg and "'values'" in msg
    assert "afgerond" not in msg and "geheim" not in msg and "bezig" not in msg


def test_a_mapping_to_an_unknown_code_or_column_is_refused(tmp_path):
    f = _budget(tmp_path, ["afgerond"])
    with pytest.raises(ValueError, match="code 'klaar' bestaat niet"):
        ap.read(f, "budget", values={"status": {"afgerond": "klaar"}})
    with pytest.raises(ValueError, match="priority heeft geen waardekoppeling; kan wel: additional, status"):
        ap.read(f, "budget", values={"priority": {"x": "y"}})


def test_a_yes_no_column_takes_the_files_own_words(tmp_path):
    df = pd.read_csv(RAW / "budget_diversiteitsbeleid_2018.csv").head(3)
    df["additional"] = ["extra", "gepland", "extra"]
    f = tmp_path / "budget.csv"
    df.to_csv(f, index=False)
    b, _ = ap.read(f, "budget", values={"additional": {"extra": True, "gepland": False}})
    assert b["additional"].tolist() == [True, False, True]


def test_a_report_claims_checked_sums_only_when_the_source_states_totals():
    st = ap.Study(parts=["budget", "status"], skipped={}, text={}, measures={})
    assert not st.checked()
    st.rec = pd.DataFrame({"result": ["ok"]})
    assert st.checked()
    assert ap.Study(parts=["subsidies"], skipped={}, text={}, measures={}).checked()


def test_a_mapping_for_an_unknown_table_is_refused_not_ignored():
    with pytest.raises(ValueError, match="parameter 'values': onbekende tabel begroting; de tabellen heten budget,"):
        ap.load({"budget": str(RAW / "budget_diversiteitsbeleid_2018.csv"),
                 "values": {"begroting": {"status": {"afgerond": "done"}}}})


def test_a_report_with_only_the_planning_by_month_does_not_summarise_the_workload():
    plan = pd.DataFrame({"group": ["A"], "action": ["x"], "days": [3.0], "budget_eur": [100.0]})
    only_planning = ap.Study(parts=["planning"], skipped={}, text={}, measures={}, plan=plan)
    assert only_planning.results()["plan"] is None
    with_workload = ap.Study(parts=["workload", "planning"], skipped={}, text={}, measures={}, plan=plan)
    assert with_workload.results()["plan"] is plan
