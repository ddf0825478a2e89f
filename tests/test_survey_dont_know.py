"""One rule for 'weet niet' (issue 18 item 6): a don't-know answer is out of the base of every share
of the survey report — Likert items, yes/no items, further answer columns (plan blocks, the
variables of claims), claims and breakdowns — and the report counts who gave it (``dk_n``)."""

from __future__ import annotations

import pandas as pd
import pytest

from evaluatie.analyses import survey as lk
from evaluatie.core.errors import DataError
from evaluatie.stats import survey as sv


def _data():
    # 40 respondents: 'aanraden' 30 ja, 4 nee, 5 weet niet, 1 blank; 'behaald' 12 ja, 6 deels, 6 nee,
    # 4 'n.v.t.', 2 'geen idee' (the study's own don't-know label), 10 blank; 'g' two groups of 20
    rec = ["ja"] * 30 + ["nee"] * 4 + ["weet niet"] * 5 + [None]
    reached = ["ja"] * 12 + ["deels"] * 6 + ["nee"] * 6 + ["n.v.t."] * 4 + ["Geen idee"] * 2 + [None] * 10
    return pd.DataFrame({"aanraden": rec, "behaald": reached, "g": ["a", "b"] * 20})


def _prepared():
    return lk.prepare(_data(), {}, yes_no=["aanraden"], answers=["behaald"],
                      values={"behaald": {"geen idee": "weet niet"}})


def test_yes_no_dont_know_leaves_the_base_and_is_counted():
    df = _prepared()
    assert df["aanraden"].value_counts().to_dict() == {"ja": 30, "nee": 4}
    assert df["aanraden_dk"].sum() == 5 and df["aanraden_dk"].isna().sum() == 1
    yn = lk.yes_shares(sv.SurveyDesign(df), {"aanraden": "Zou aanraden"}, "label", ci="beta")
    r = yn.iloc[0]
    assert r["estimate"] == pytest.approx(30 / 34) and r["n"] == 34
    assert r["dk_n"] == 5 and r["answered"] == 39 and r["dk_share"] == pytest.approx(5 / 39)


def test_a_claim_on_a_yes_no_item_excludes_dont_know_from_its_base():
    d = sv.SurveyDesign(_prepared())
    cc = lk.claims_check(d, [{"id": "r", "variable": "aanraden", "levels": "ja", "op": ">", "value": 0.8}])
    r = cc.iloc[0]
    # before: 30 of 39 (weet niet in the base) = 76.9 %; now 30 of 34 = 88.2 %
    assert r["n"] == 34 and r["estimate"] == pytest.approx(30 / 34) and r["dk_n"] == 5
    assert r["other_levels"] == "nee"


def test_further_answer_columns_follow_the_same_rule_with_the_studys_own_labels():
    df = _prepared()
    assert df["behaald"].value_counts().to_dict() == {"ja": 12, "deels": 6, "nee": 6}
    assert df["behaald_dk"].sum() == 6  # 4 'n.v.t.' (a built-in word) and 2 'Geen idee' (values)
    d = sv.SurveyDesign(df)
    cc = lk.claims_check(d, [{"id": "t", "variable": "behaald", "levels": "ja", "op": "<", "value": 0.6,
                              "alt_levels": ["ja", "deels"]},
                             {"id": "ta", "variable": "behaald", "levels": "ja", "op": "<", "value": 0.6,
                              "domain": {"g": "a"}}])
    assert cc["n"].tolist() == [24, 12] and cc["estimate"].iloc[0] == pytest.approx(12 / 24)
    assert cc["alt_estimate"].iloc[0] == pytest.approx(18 / 24) and cc["other_levels"].iloc[0] == "deels+nee"
    assert cc["dk_n"].tolist() == [6, 3]  # in the domain: the don't-knows of group a only
    # without the rule the share would rest on 30 (n.v.t. and geen idee as answers)
    raw = lk.claims_check(sv.SurveyDesign(_data()), [{"id": "t", "variable": "behaald", "levels": "ja", "op": "<",
                                                        "value": 0.6}])
    assert raw["n"].iloc[0] == 30 and pd.isna(raw["dk_n"].iloc[0])


def test_breakdowns_use_the_same_base():
    d = sv.SurveyDesign(_prepared())
    (est, _), = lk.breakdowns(d, ["g"], {"R": ("aanraden", "ja")}, threshold=3)[0].values()
    assert est["n"].sum() == 34


def test_numbers_are_not_dont_know_unless_the_study_says_so():
    s = pd.Series([1, 0, 9, 1, None])
    answers, dk = lk.split_dont_know(s)
    assert answers.tolist()[:4] == [1, 0, 9, 1] and dk.sum() == 0
    answers, dk = lk.split_dont_know(s, {9: "weet niet"})
    assert answers.isna().tolist() == [False, False, True, False, True] and dk.tolist()[:4] == [False, False, True, False]


def test_dont_know_count_is_withheld_with_a_small_base():
    df = _prepared().iloc[:7]  # aanraden: 7 ja; behaald: 7 ja
    cc = lk.claims_check(sv.SurveyDesign(df), [{"id": "r", "variable": "aanraden", "levels": "ja", "op": ">",
                                                 "value": 0.5}], threshold=10)
    assert cc["verdict"].iloc[0] == "no_data" and pd.isna(cc["dk_n"].iloc[0]) and pd.isna(cc["n"].iloc[0])


def test_values_for_an_unknown_column_are_refused(tmp_path):
    f = tmp_path / "a.csv"
    _data().to_csv(f, index=False)
    with pytest.raises(DataError, match="kolom 'x': geen vraag"):
        lk.load_study(f, {}, yes_no={"aanraden": "A"}, values={"x": {"a": "weet niet"}}, answers=["behaald"])
    st = lk.load_study(f, {}, yes_no={"aanraden": "A"}, values={"behaald": {"geen idee": "weet niet"}},
                       answers=lk.answer_columns([{"variable": "behaald"}]))
    assert st.data["behaald_dk"].sum() == 6


def test_the_report_states_the_rule_once():
    assert lk.DONT_KNOW_RULE in lk.top2_intro_nl(rule=True) and lk.DONT_KNOW_RULE not in lk.top2_intro_nl(rule=False)
