"""publish.audit.Attack: the interval bounds of withheld cells, checked on tables small enough to
work out by hand, and protect_groups/mark/no_counts of publish.disclosure."""

import numpy as np
import pandas as pd
import pytest

from evaluatie.publish.audit import Attack, Interval, crossing
from evaluatie.publish.disclosure import decision, mark, no_counts, protect_groups


def test_one_hidden_cell_next_to_a_total_is_recovered():
    # groups A=12, B=3, C=7, total 22 published; only B hidden
    a = Attack()
    a.unknown("B")
    a.equal({"B": 1}, 22 - 12 - 7)
    assert a.bounds()["B"] == Interval(3, 3)
    assert set(a.recovered()) == {"B"}


def test_two_hidden_cells_only_give_their_sum():
    a = Attack()
    a.unknown("B", 1)  # a shown group is non-empty
    a.unknown("C", 1)
    a.equal({"B": 1, "C": 1}, 10)
    assert a.bounds() == {"B": Interval(1, 9), "C": Interval(1, 9)}
    assert a.recovered() == {}


def test_integrality_narrows_a_share():
    # a share of 40% of an unknown base between 1 and 7: only base 5 gives an integer count
    a = Attack()
    a.unknown("n", 1, 7)
    a.unknown("k")
    a.equal({"k": 100, "n": -40}, 0)
    b = a.bounds()
    assert b["n"] == Interval(5, 5) and b["k"] == Interval(2, 2)


def test_small_group_is_safe_when_every_value_remains():
    a = Attack()
    a.unknown("yes", 0, 3)
    a.unknown("yes_other", 0, 30)
    a.equal({"yes": 1, "yes_other": 1}, 12)
    assert a.bounds()["yes"] == Interval(0, 3)
    assert "yes" not in a.recovered(base={"yes": 3})
    assert a.bounds()["yes_other"] == Interval(9, 12)  # the other group is narrowed: 4 values
    assert set(a.recovered(base={"yes": 3})) == {"yes_other"}
    a.between({"yes": 1}, 2, 3)
    assert set(a.recovered(base={"yes": 3})) == {"yes", "yes_other"}


def test_unbounded_and_inconsistent():
    a = Attack()
    a.unknown("x")
    assert a.bounds()["x"] == Interval(0, np.inf)
    a.equal({"x": 1}, -1)
    with pytest.raises(ValueError, match="no solution"):
        a.bounds()
    with pytest.raises(KeyError):
        a.equal({"y": 1}, 0)


def test_weighted_share_needs_one_respondent_of_width():
    a = Attack()
    a.unknown("p", 0, 100, integer=False)
    a.equal({"p": 1}, 40, tolerance=0.5)
    assert set(a.recovered(base={"p": 3})) == {"p"}  # width 1 < 100/3
    b = Attack()
    b.unknown("p", 0, 100, integer=False)
    b.between({"p": 1}, 10, 60)
    assert b.recovered(base={"p": 3}) == {}
    assert b.recovered() == {}  # without a base: safe unless pinned to one value
    c = Attack()
    c.unknown("p", 0, 100, integer=False)
    c.equal({"p": 1}, 40)
    assert set(c.recovered()) == {"p"}


def test_protect_groups_primary_secondary_and_no_total():
    sizes = {"A": 40, "B": 3, "C": 12, "D": 7, "E": 0}
    assert protect_groups(sizes) == {"B", "D"}
    assert protect_groups(sizes, total=False) == {"B"}
    assert protect_groups({"A": 2, "B": 4, "C": 30}) == {"A", "B"}
    assert protect_groups({"A": 30, "B": 20}) == frozenset()
    assert protect_groups({"A": 30, "B": 20, "C": 9}, hidden=["C"]) == {"B", "C"}
    assert protect_groups({"A": 4, "B": 9}, threshold=3) == frozenset()
    with pytest.raises(ValueError):
        protect_groups(sizes, threshold=0)


def test_protect_groups_is_order_independent():
    sizes = {"x": 3, "b": 8, "a": 8, "c": 20}
    rev = dict(reversed(list(sizes.items())))
    assert protect_groups(sizes) == protect_groups(rev) == {"x", "a"}


def test_mark_rows_and_cells():
    df = pd.DataFrame({"group": ["A", "B"], "n": [12, 3], "share": [50.0, 33.3], "ok": [True, False]})
    out = mark(df, pd.Series([False, True]), threshold=5)
    assert out["n"].isna().tolist() == [False, True] and str(out["n"].dtype) == "Int64"
    assert out["share"].isna().tolist() == [False, True]
    assert out["group"].tolist() == ["A", "B"] and out["ok"].tolist() == [True, False]
    assert out.attrs["suppressed"]["share"].tolist() == [False, True]
    assert decision(out) == "protected" and decision(df) is None
    cells = pd.DataFrame(False, index=df.index, columns=df.columns)
    cells.loc[0, "share"] = True
    assert mark(df, cells)["share"].isna().tolist() == [True, False]
    with pytest.raises(ValueError):
        mark(df, np.array([True]))


def test_no_counts_needs_a_reason():
    df = pd.DataFrame({"euro": [1.0]})
    assert decision(no_counts(df, "budget")) == "no counts: budget"
    with pytest.raises(ValueError):
        no_counts(df, " ")


def test_a_number_column_added_after_the_decision_is_undecided():
    df = pd.DataFrame({"group": ["A", "B"], "n": [12, 30]})
    out = mark(df, pd.Series([False, False]))
    assert decision(out.assign(label=["a", "b"], ok=[True, False])) == "protected"  # labels and flags
    assert decision(out.assign(share=[0.4, 0.6])) is None  # pandas carried attrs, not the decision
    late = no_counts(df, "test")
    late["n2"] = late["n"] * 2
    assert decision(late) is None


# --------------------------------------------------------------------------- two breakdowns that cross

CROSS = {("D", "H"): 3, ("O", "H"): 40, ("P", "H"): 1, ("P", "F"): 60, ("V", "F"): 40}  # respondents per cell


def test_crossing_breakdowns_give_back_the_one_unit_in_a_cell_neither_shows():
    # departments D and O withheld, P and V shown; location F shown: F - P - V = -(P in H)
    a = crossing(CROSS, rows={"P": 35, "V": 28}, columns={"F": 63}, total=90)
    assert a.bounds([("P", "H")])[("P", "H")] == Interval(0.0, 0.0)
    assert a.bounds([("row", "D")])[("row", "D")].width == 3  # D itself keeps 0..3


def test_crossing_withholding_the_group_that_holds_the_cell_closes_it():
    a = crossing(CROSS, rows={"V": 28}, columns={"F": 63}, total=90)
    assert a.bounds([("P", "H")])[("P", "H")] == Interval(0.0, 1.0)


def test_crossing_refuses_a_published_group_without_units():
    with pytest.raises(ValueError):
        crossing(CROSS, rows={"X": 1}, columns={}, total=90)
