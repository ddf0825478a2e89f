"""Action plans and budget (evaluatie.analyses.actionplan).

References: the TOTAAL row of the budget 2018 (236.000 / 215.800 / 798.000 / 756.500), the group,
total and section rows of the mtech+ action plan (35 d / €3.500; 69 d / €32.000; 104 d /
€35.500), the per-priority sums and status counts checked by hand in data/README.md and
../shared/data/seeds/README.md, and the subsidy examples of issue 7. Every reconciliation is also
run on a copy with one number changed: the difference must show up as a finding naming the row.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from evaluatie.analyses import actionplan as ap
from evaluatie.core.errors import DataError

REPO = Path(__file__).resolve().parents[1]
RAW = REPO / "data" / "raw"
STATED = {"planned_eur": 236000, "spent_eur": 215800, "planned_tom_eur": 798000, "spent_tom_eur": 756500}
SECTION_GROUPS = {"4.1": ["Intersectorale acties in addendum"],
                  "4.3": ["Sensibiliseren & Informeren", "Opleiden", "Begeleiden"]}
SUBSECTION_GROUPS = {"4.3.1": "Sensibiliseren & Informeren", "4.3.2": "Opleiden", "4.3.3": "Begeleiden"}


def _read(name: str, table: str, **kw):
    return ap.read(RAW / name, table, **kw)[0]


@pytest.fixture(scope="module")
def budget():
    return _read("budget_diversiteitsbeleid_2018.csv", "budget")


@pytest.fixture(scope="module")
def plan():
    return (_read("actieplan_mtech_planning_2024_2025.csv", "planning"),
            _read("actieplan_mtech_planning_totals.csv", "planning_totals"),
            _read("actieplan_mtech_acties.csv", "actions"))


def _reconcile(p, t, a):
    return ap.reconcile_plan(p, t, a, section_groups=SECTION_GROUPS, subsection_groups=SUBSECTION_GROUPS)


# --------------------------------------------------------------------------- budget 2018

def test_budget_totals_equal_the_source_total_row(budget):
    rec = ap.reconcile_totals(budget, STATED)
    tot = rec[rec["check"] == "stated_total"].set_index("measure")
    assert tot["result"].eq("ok").all()
    for col, value in STATED.items():
        assert tot.loc[col, "computed"] == value
    ex = ap.budget_execution(budget)
    totals = ex[ex["priority"] == "Totaal"].set_index("line")
    assert totals.loc["regular", ["planned_eur", "spent_eur"]].tolist() == [236000, 215800]
    assert totals.loc["tom", ["planned_eur", "spent_eur"]].tolist() == [798000, 756500]
    assert totals.loc["regular", "spent_share_pct"] == pytest.approx(100 * 215800 / 236000)
    # the execution rate counts what the planned actions spent, not the additional ones
    assert totals.loc["regular", ["spent_planned_eur", "spent_additional_eur"]].tolist() == [167700, 48100]
    assert totals.loc["regular", "execution_pct"] == pytest.approx(100 * 167700 / 236000)
    assert len(budget) == 176


def test_additional_actions_are_inside_the_total(budget):
    rec = ap.reconcile_totals(budget, STATED)
    note = rec[(rec["check"] == "additional_in_total") & (rec["measure"] == "spent_eur")].iloc[0]
    assert note["difference"] == 48100 and note["computed"] == 167700
    assert "zitten in het totaal" in note["explanation"]
    add = ap.additional_actions(budget)
    assert add["row"].tolist() == [13, 34, 48]
    assert add["spent_eur"].tolist() == [10300, 30000, 7800]
    assert add["spent_tom_eur"].isna().all()  # empty in the source, not filled in


def test_priority_subtotals_match_the_hand_check(budget):
    # data/README.md: subtotals per priority (planned / spent / planned TOM / spent TOM)
    ref = {1: (11000, 26300, 0, 0), 2: (3500, 30000, 280000, 420000), 3: (6000, 10800, 0, 0),
           4: (89000, 64600, 0, 0), 5: (0, 0, 185000, 62700), 6: (72000, 40200, 30000, 0),
           7: (12000, 12400, 0, 0), 8: (0, 0, 303000, 273800), 9: (31500, 16500, 0, 0),
           10: (11000, 15000, 0, 0)}
    ex = ap.budget_execution(budget)
    reg = ex[ex["line"] == "regular"].dropna(subset=["priority_no"]).set_index("priority_no")
    tom = ex[ex["line"] == "tom"].dropna(subset=["priority_no"]).set_index("priority_no")
    for p, (pl, sp, plt_, spt) in ref.items():
        assert (reg.loc[p, "planned_eur"], reg.loc[p, "spent_eur"]) == (pl, sp)
        assert (tom.loc[p, "planned_eur"], tom.loc[p, "spent_eur"]) == (plt_, spt)
    assert reg.loc[2, "spent_share_pct"] == pytest.approx(30000 / 3500 * 100)
    assert reg.loc[5, "assessment"] == "no_budget" and math.isnan(reg.loc[5, "execution_pct"])
    assert tom.loc[6, "assessment"] == "unspent"


def test_execution_rate_and_judgement_on_planned_actions_only(budget):
    """Review finding: the unplanned (bijkomend) spending is not overspending of the plan.
    Priority 2: €3.500 planned, €0 spent on the planned actions, €30.000 on the unplanned
    jobcoaching pilot (file row 34) -> 0%, 'voorzien, niets uitgegeven'. Priority 3: €3.000 of
    €6.000 (50%) plus €7.800 unplanned. Priority 1: 145% without the €10.300 unplanned."""
    ex = ap.budget_execution(budget)
    reg = ex[ex["line"] == "regular"].dropna(subset=["priority_no"]).set_index("priority_no")
    p2 = reg.loc[2]
    assert (p2["planned_eur"], p2["spent_planned_eur"], p2["spent_additional_eur"], p2["spent_eur"]) == (3500, 0, 30000, 30000)
    assert p2["execution_pct"] == 0 and p2["difference_eur"] == -3500 and p2["assessment"] == "unspent"
    assert p2["additional_actions"] == 1
    assert reg.loc[3, "execution_pct"] == pytest.approx(50) and reg.loc[3, "assessment"] == "underspent"
    assert reg.loc[3, "spent_additional_eur"] == 7800
    assert reg.loc[1, "execution_pct"] == pytest.approx(16000 / 11000 * 100)
    assert sorted(reg.index[reg["assessment"] == "overspent"]) == [1, 7, 10]
    assert (reg["spent_planned_eur"] + reg["spent_additional_eur"] == reg["spent_eur"]).all()
    # the TOM cells of the additional actions are empty: nothing additional on that line
    tom = ex[ex["line"] == "tom"]
    assert (tom["spent_additional_eur"] == 0).all() and (tom["execution_pct"].dropna() == tom["spent_share_pct"].dropna()).all()


def test_execution_without_additional_column_counts_every_action_as_planned():
    b = pd.DataFrame({"priority_no": [1, 1, 2], "priority": ["a", "a", "b"], "action": ["x", "y", "z"],
                      "planned_eur": [100.0, 0.0, 50.0], "spent_eur": [80.0, 40.0, np.nan]})
    ex = ap.budget_execution(b, lines={"regular": ("planned_eur", "spent_eur")}).set_index("priority")
    assert ex.loc["a", "spent_planned_eur"] == 120 and ex.loc["a", "execution_pct"] == pytest.approx(120)
    assert ex.loc["a", "assessment"] == "overspent" and ex.loc["b", "assessment"] == "unspent"
    assert ex.loc["Totaal", "spent_additional_eur"] == 0 and ex.loc["Totaal", "spent_eur"] == 120


def test_status_distribution(budget):
    st = ap.status_distribution(budget)
    total = st[st["priority"] == "Totaal"].iloc[0]
    assert [total[k] for k in ap.STATUS_CLASSES] == [48, 100, 10, 6, 12]
    assert total["n_actions"] == 176 and total["additional"] == 3
    per = st.dropna(subset=["priority_no"])
    assert per["n_actions"].sum() == 176
    assert ap.status_class("Uitgesteld naar 2019") == "postponed"
    assert ap.status_class("uitgevoerd EN lopend") == "done_ongoing"
    assert ap.status_class("misschien") is None


def test_budget_without_execution(budget):
    nb = ap.budget_without_execution(budget)
    assert len(nb) == 22
    assert (nb["spent_eur"] == 0).all() and (nb["planned_eur"] > 0).all()
    # "Bonte Bende": planned 15.000, postponed to 2019
    row = nb[nb["action"].str.contains("Bonte Bende")].iloc[0]
    assert row["planned_eur"] == 15000 and row["status_class"] == "postponed"
    sb = ap.status_budget(budget)
    not_done = sb[(sb["line"] == "regular") & (sb["status_class"] == "not_done")].iloc[0]
    assert not_done["planned_eur"] == 31500 and not_done["spent_eur"] == 0


def _changed(df: pd.DataFrame, row: int, col: str, value) -> pd.DataFrame:
    out = df.copy()
    out.attrs = dict(df.attrs)
    out.loc[row, col] = value
    return out


def test_changed_budget_number_names_the_row(budget):
    # row 3 (proefproject diversiteitsprojecten): spent 12.000 typed as 120.000
    rec = ap.reconcile_totals(_changed(budget, 3, "spent_eur", 120000.0), STATED)
    bad = rec[rec["result"] == "mismatch"]
    assert bad["measure"].tolist() == ["spent_eur"]
    f = bad.iloc[0]
    assert f["difference"] == 108000
    assert f["rows"].endswith("rij 3")
    assert "120.000" in f["explanation"] and "12.000" in f["explanation"]
    # a small typo: the row is among the candidates it names
    rec = ap.reconcile_totals(_changed(budget, 3, "spent_eur", 12500.0), STATED)
    f = rec[rec["result"] == "mismatch"].iloc[0]
    assert "rij 3 (12.500; met 12.000" in f["explanation"]
    assert f["difference"] == 500


def test_total_without_additional_actions_is_explained_by_them(budget):
    rec = ap.reconcile_totals(budget, dict(STATED, spent_eur=167700))
    f = rec[rec["result"] == "mismatch"].iloc[0]
    assert f["measure"] == "spent_eur"
    assert "rijen 13, 34, 48" in f["rows"]
    assert "bijkomende acties" in f["explanation"]
    note = rec[rec["check"] == "additional_in_total"].iloc[0]
    assert "niet in het totaal" in note["explanation"]


def test_explain_difference_cases():
    v = pd.Series([100.0, 250.0, np.nan, 1200.0], index=[2, 3, 4, 5])
    rows, why = ap.explain_difference(v, 250.0, file="f.csv")  # one row is exactly the difference
    assert 3 in rows and "precies het verschil" in why
    rows, why = ap.explain_difference(v, -70.0, file="f.csv")  # an empty cell could close the gap
    assert 4 in rows and "leeg" in why
    rows, why = ap.explain_difference(v, 900.0, file="f.csv")  # 1200 -> 300: not a typo, no row
    assert rows == [] and "geen enkele rij" in why
    rows, why = ap.explain_difference(v, 1080.0, file="f.csv")  # 1200 for 120: an extra zero
    assert rows == [5]


def test_explain_difference_names_one_keystroke_typos_only():
    # two neighbouring digits swapped: 21.000 typed for 12.000
    rows, why = ap.explain_difference(pd.Series([21000.0, 500.0], index=[2, 3]), 9000.0, file="f.csv")
    assert rows == [2] and "mogelijk een tikfout in rij 2 (21.000; met 12.000" in why
    # a digit added: 15.000 typed for 1.500
    rows, why = ap.explain_difference(pd.Series([15000.0, 500.0], index=[2, 3]), 13500.0, file="f.csv")
    assert rows == [2] and "rij 2 (15.000; met 1.500" in why
    # 10 for 9 is not one keystroke: no row is named
    rows, why = ap.explain_difference(pd.Series([10.0], index=[2]), 1.0, file="f.csv")
    assert rows == [] and "geen enkele rij" in why


# --------------------------------------------------------------------------- mtech+ action plan

def test_plan_reconciles_on_the_real_data(plan):
    rec = _reconcile(*plan)
    assert not (rec["result"] == "mismatch").any()
    ok = rec[rec["result"] == "ok"]
    sec = ok[ok["check"] == "section_vs_groups"].set_index(["scope", "measure"])["stated"]
    assert sec[("4.1", "days")] == 35 and sec[("4.1", "budget_eur")] == 3500
    assert sec[("4.3", "days")] == 69 and sec[("4.3", "budget_eur")] == 32000
    tot = ok[ok["check"] == "total_vs_actions"].set_index("measure")["computed"]
    assert tot["days"] == 104 and tot["budget_eur"] == 35500
    explained = rec[rec["result"] == "explained"]
    assert len(explained) == 2
    table = explained[explained["check"] == "section_vs_table"].iloc[0]
    assert (table["stated"], table["computed"]) == (32000, 22000) and "digitaliseren" in table["explanation"]
    extra = explained[explained["check"] == "action_vs_section_table"].iloc[0]
    assert extra["scope"].startswith("2. Extra verdieping")
    assert (extra["computed"], extra["stated"]) == (17000, 7000)
    assert "17.000" in extra["explanation"] and "7.000 + 10.000" in extra["explanation"]
    assert "rij 12" in extra["rows"] and "rij 9" in extra["rows"]
    notes = rec[rec["result"] == "note"]
    assert set(notes["check"]) == {"section_not_planned", "action_vs_section_table"}
    assert len(ap.findings(rec)) == 5


def test_action_comparison_names_planning_and_section_text(plan):
    """Review finding: the planning states €17.000 for "Extra verdieping", the section text
    €7.000 (+ €10.000 digitalisation); the comparison table names each side explicitly."""
    cmp = ap.action_comparison(_reconcile(*plan))
    extra = cmp[cmp["scope"].str.startswith("2. Extra verdieping") & (cmp["measure"] == "budget_eur")].iloc[0]
    assert (extra["planning"], extra["section_text"], extra["difference"]) == (17000, 7000, 10000)
    opleiden = cmp[cmp["scope"].str.contains("4.3.2") & (cmp["measure"] == "budget_eur")]
    assert opleiden["planning"].sum() == 6000 + 17000  # the planning's Opleiden group: 23.000
    assert set(cmp["result"]) <= {"ok", "explained", "note", "mismatch"}
    assert not (cmp["measure"] == "").any()


def test_mark_sic_marks_whole_words_once():
    t = 'najaar 2024: uitrol campagne "ondernem voor iedereen"'
    assert ap.mark_sic(t, ["ondernem"]) == 'najaar 2024: uitrol campagne "ondernem [sic] voor iedereen"'
    assert ap.mark_sic(ap.mark_sic(t, ["ondernem"]), ["ondernem"]).count("[sic]") == 1
    assert ap.mark_sic("Onderneem voor iedereen", ["ondernem"]) == "Onderneem voor iedereen"
    assert ap.mark_sic(None, ["x"]) is None and ap.mark_sic("abc", None) == "abc"


def test_changed_planning_action_is_named(plan):
    p, t, a = plan
    p2 = _changed(p, 15, "days", 16.0)  # "2. Portefeuille consultants / experts": 15 -> 16 days
    rec = _reconcile(p2, t, a)
    bad = rec[rec["result"] == "mismatch"]
    assert set(bad["check"]) == {"group_vs_actions", "total_vs_actions", "section_vs_actions",
                                 "action_vs_section_table"}
    grp = bad[bad["check"] == "group_vs_actions"].iloc[0]
    assert grp["scope"] == "Begeleiden" and grp["difference"] == 1 and "rijen 14, 15, 16" in grp["rows"]
    act = bad[bad["check"] == "action_vs_section_table"].iloc[0]
    assert act["scope"].startswith("2. Portefeuille consultants")
    assert "planning_2024_2025.csv rij 15" in act["rows"] and "acties.csv rij 12" in act["rows"]
    assert "16" in act["explanation"] and "15" in act["explanation"]


def test_changed_group_row_and_section_total_are_named(plan):
    p, t, a = plan
    rec = _reconcile(p, _changed(t, 4, "budget_eur", 32000.0), a)  # Opleiden group row 23.000 -> 32.000
    bad = rec[rec["result"] == "mismatch"]
    assert set(bad["check"]) == {"group_vs_actions", "total_vs_groups", "section_vs_groups"}
    grp = bad[bad["check"] == "group_vs_actions"].iloc[0]
    assert grp["scope"] == "Opleiden" and "totals.csv rij 4" in grp["rows"]
    rec = _reconcile(p, t, _changed(a, 2, "days", 36.0))  # section 4.1: 35 -> 36 days
    bad = rec[rec["result"] == "mismatch"]
    assert set(bad["scope"]) == {"4.1"} and set(bad["measure"]) == {"days"}
    assert all("acties.csv rij 2" in r for r in bad["rows"])


def test_timeline_invents_no_months(plan):
    p = plan[0]
    timing = _read("actieplan_mtech_timing_tekst.csv", "timing")
    months = ap.month_range("2024-01", "2025-06")
    assert len(months) == 18
    tl = ap.timeline(p, months, timing=timing)
    assert len(tl) == 15 * 18
    known = tl[tl["known_from"] != "unknown"]
    assert sorted(zip(known["action"], known["month"])) == [("2. 8 mei", "2025-05"), ("3. Dag van Inclusie", "2024-10")]
    assert (known["known_from"] == "text").all()
    # a planning with its own month columns: those cells become known, the rest stays unknown
    p2 = p.copy()
    p2["mrt"] = ["x" if i == 0 else None for i in range(len(p2))]
    tl2 = ap.timeline(p2, months, month_columns={"2024-03": "mrt"})
    k2 = tl2[tl2["known_from"] == "planning"]
    assert len(k2) == 1 and k2.iloc[0]["month"] == "2024-03" and k2.iloc[0]["workload"] == "x"
    assert ap.month_label("2024-10") == "okt '24"


def test_commitments_progress(tmp_path):
    c = _read("actieplan_mtech_engagements.csv", "commitments")
    pr = ap.commitment_progress(c)
    assert pr["target_value"].tolist() == [8500, 150, 50]
    assert pr["realised_value"].isna().all() and (pr["status"] == "to_fill").all()
    f = tmp_path / "opvolging.csv"
    f.write_text("section,realised_value\n4.2.1,4250\n4.2.4,60\n", encoding="utf-8")
    r, _ = ap.read(f, "realised")
    pr = ap.commitment_progress(c, r).set_index("section")
    assert pr.loc["4.2.1", "progress_pct"] == 50 and pr.loc["4.2.1", "status"] == "not_reached"
    assert pr.loc["4.2.4", "status"] == "reached" and pr.loc["4.2.2", "status"] == "to_fill"
    f.write_text("section,realised_value\n4.2.1,10\n9.9,5\n", encoding="utf-8")
    r, _ = ap.read(f, "realised")
    with pytest.raises(DataError) as e:
        ap.commitment_progress(c, r)
    assert "rij 3" in str(e.value) and [p.value for p in e.value.problems] == ["9.9"]


# --------------------------------------------------------------------------- subsidies

@pytest.mark.parametrize("plan_type,costs,orgs,expected", [
    ("Diversiteitsplan", 15000, 1, 10000),
    ("diversiteitsplan", 9000, 1, 6000),
    ("DIVERSITEITSPLAN", 30000, 1, 10000),
    ("Clusterplan", 4500, 4, 3000),
    ("clusterplan", 30000, 4, 3000),
    ("Clusterplan", 3000, 3, 2000),
    ("Instapplan", 5000, 1, 2500),
    ("Instapplan", 2000, 1, 1000),
    ("Groeiplan", 12000, 1, 2500),
    ("Diversiteitsplan", 0, 1, 0),
])
def test_subsidy_worked_examples(plan_type, costs, orgs, expected):
    assert ap.subsidy(plan_type, costs, orgs) == expected


@pytest.mark.parametrize("args,message", [
    (("Diversiteitsplan", -1), "negatief"),
    (("Clusterplan", 4500, 2), "minstens 3"),
    (("Clusterplan", 4500), "minstens 3"),
    (("Diversiteitsplan", 15000, 3), "één organisatie"),
    (("Superplan", 1000), "onbekende plansoort"),
    (("Diversiteitsplan", float("nan")), "eindig"),
    (("Diversiteitsplan", "15000"), "bedrag"),
    (("Clusterplan", 4500, 3.5), "geheel getal"),
])
def test_subsidy_rejects_impossible_input(args, message):
    with pytest.raises(ValueError, match=message):
        ap.subsidy(*args)


def test_subsidy_rules_come_from_the_data_file(tmp_path):
    rules = pd.read_csv(RAW / "plan_types_subsidies.csv")
    rules.loc[rules["plan_type"] == "Diversiteitsplan", "max_subsidy_eur"] = 5000
    f = tmp_path / "rules.csv"
    rules.to_csv(f, index=False)
    assert ap.subsidy("Diversiteitsplan", 15000, rules=f) == 5000
    assert ap.subsidy("Diversiteitsplan", 9000, rules=f) == 3000
    rules.loc[0, "for_costs_eur"] = 0
    rules.to_csv(f, index=False)
    with pytest.raises(DataError, match="rij 2"):
        ap.read_subsidy_rules(f)


def test_subsidy_table_keeps_impossible_examples():
    rules = ap.read_subsidy_rules()
    t = ap.subsidy_table([{"plan_type": "Clusterplan", "costs_eur": 4500, "organisations": 4},
                          {"plan_type": "Clusterplan", "costs_eur": 4500, "organisations": 2}], rules)
    assert t.loc[0, "subsidy_eur"] == 3000 and t.loc[0, "subsidy_total_eur"] == 12000
    assert math.isnan(t.loc[1, "subsidy_eur"]) and "minstens 3" in t.loc[1, "error"]
    r = ap.subsidy_rules_table(rules).set_index("plan_type")
    assert r.loc["Diversiteitsplan", "rate_pct"] == pytest.approx(200 / 3)


def test_subsidy_table_shows_text_numbers_as_the_one_parser_reads_them():
    """An example written as text is impossible (the calculator takes numbers), but its costs
    are shown as meant: "15.000" is 15000, not 15."""
    t = ap.subsidy_table([{"plan_type": "Diversiteitsplan", "costs_eur": "15.000"},
                          {"plan_type": "Clusterplan", "costs_eur": 4500, "organisations": "4"}],
                         ap.read_subsidy_rules())
    assert t["costs_eur"].tolist() == [15000, 4500] and t["organisations"].tolist() == [1, 4]
    assert t["subsidy_eur"].isna().all()
    assert "bedrag" in t.loc[0, "error"] and "geheel getal" in t.loc[1, "error"]


# --------------------------------------------------------------------------- input checks and Excel

def test_bad_budget_rows_are_named(tmp_path):
    df = pd.read_csv(RAW / "budget_diversiteitsbeleid_2018.csv")
    df.loc[4, "status"] = "Bijna klaar"
    df.loc[9, "spent_eur"] = -5
    f = tmp_path / "budget.csv"
    df.to_csv(f, index=False)
    with pytest.raises(DataError) as e:
        ap.read(f, "budget")
    msg = str(e.value)
    assert "rij 6" in msg and "rij 11" in msg and "spent_eur" in msg
    assert "Bijna klaar" not in msg and "Bijna klaar" in [p.value for p in e.value.problems]


def _xlsx_params(name: str) -> dict:
    doc = yaml.safe_load((REPO / "params" / "test" / name).read_text(encoding="utf-8"))
    return doc["parameters"]


def test_excel_workbook_with_column_mapping_gives_the_same_results(budget, plan):
    xlsx = RAW / "actieplannen.xlsx"
    pb = _xlsx_params("actieplan_budget2018_xlsx.yaml")
    b = ap.read(xlsx, "budget", sheet=pb["sheets"]["budget"], columns=pb["columns"]["budget"])[0]
    pd.testing.assert_frame_equal(ap.budget_execution(b), ap.budget_execution(budget))
    pd.testing.assert_frame_equal(ap.status_distribution(b), ap.status_distribution(budget))
    x = ap.reconcile_totals(b, STATED)
    c = ap.reconcile_totals(budget, STATED)
    pd.testing.assert_frame_equal(x.drop(columns=["rows", "explanation"]), c.drop(columns=["rows", "explanation"]))

    pm = _xlsx_params("actieplan_mtech2024_xlsx.yaml")
    sh, co = pm["sheets"], pm["columns"]
    p = ap.read(xlsx, "planning", sheet=sh["planning"], columns=co["planning"])[0]
    t = ap.read(xlsx, "planning_totals", sheet=sh["planning_totals"], columns=co["planning_totals"])[0]
    a = ap.read(xlsx, "actions", sheet=sh["actions"], columns=co["actions"])[0]
    x, c = _reconcile(p, t, a), _reconcile(*plan)
    pd.testing.assert_frame_equal(x.drop(columns=["rows", "explanation"]), c.drop(columns=["rows", "explanation"]))
    # the same rows are named, only the file name differs
    assert [r.count("rij") for r in x["rows"]] == [r.count("rij") for r in c["rows"]]
    cm = ap.read(xlsx, "commitments", sheet=sh["commitments"], columns=co["commitments"])[0]
    cc = _read("actieplan_mtech_engagements.csv", "commitments")
    pd.testing.assert_frame_equal(ap.commitment_progress(cm), ap.commitment_progress(cc))
    rules = ap.read(xlsx, "subsidies", sheet=sh["subsidies"], columns=co["subsidies"])[0]
    assert ap.subsidy("Clusterplan", 4500, 4, rules=rules) == 3000
    tm = ap.read(xlsx, "timing", sheet=sh["timing"], columns=co["timing"])[0]
    months = ap.month_range("2024-01", "2025-06")
    pd.testing.assert_frame_equal(ap.timeline(p, months, timing=tm), ap.timeline(plan[0], months,
                                  timing=_read("actieplan_mtech_timing_tekst.csv", "timing")))


def test_excel_workbook_is_up_to_date(tmp_path):
    import importlib.util

    spec = importlib.util.spec_from_file_location("make_xlsx", REPO / "data" / "make_actieplan_xlsx.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    out = mod.build(tmp_path / "x.xlsx")
    assert out.read_bytes() == (RAW / "actieplannen.xlsx").read_bytes()


def test_timeline_figure_with_group_headers(plan):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    p = plan[0]
    tl = ap.timeline(p, ap.month_range("2024-01", "2025-06"))
    fig = ap.timeline_figure(tl, groups=True)
    ax = fig.axes[0]
    labels = [t.get_text() for t in ax.get_yticklabels()]
    n_groups = p["group"].nunique()
    assert len(labels) == len(p) + n_groups
    bold = [t.get_text() for t in ax.get_yticklabels() if t.get_fontweight() == "bold"]
    assert bold == list(dict.fromkeys(p["group"]))
    assert labels[0] == bold[0]  # each group's header comes before its actions
    plt.close(fig)
