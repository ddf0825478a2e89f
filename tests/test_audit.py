"""publish.audit.Attack: the interval bounds of withheld cells, checked on tables small enough to
work out by hand; crossing and crossing_pinned (two breakdowns that cross); and
protect_groups/mark/no_counts of publish.disclosure."""

import numpy as np
import pandas as pd
import pytest

from evaluatie.publish import audit
from evaluatie.publish.audit import Attack, Interval, crossing, crossing_pinned
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


# crossing_pinned: what the pair pins and neither breakdown alone does

def _sums(truth):
    rows, columns = {}, {}
    for (a, b), x in truth.items():
        rows[a] = rows.get(a, 0.0) + x
        columns[b] = columns.get(b, 0.0) + x
    return rows, columns, sum(truth.values())


@pytest.mark.parametrize("alone", ["tables", "sums"])
def test_crossing_pinned_counts_a_cell_the_pair_pins_and_neither_table_alone(alone):
    # row P alone leaves (P, H) 0..1 (35 of 61), the withheld column's 2 of 4 leaves it 0..1, the
    # whole sample too: only F - (P + V) pins it
    cap = {("D", "H"): 3, ("P", "H"): 1, ("P", "F"): 60, ("V", "F"): 40}
    truth = {("D", "H"): 2, ("P", "H"): 0, ("P", "F"): 35, ("V", "F"): 28}
    need = {("P", "H"): 1}
    for known in (None, truth):
        got = crossing_pinned(cap, {"P": 35, "V": 28}, {"F": 63}, 65, need, alone=alone, truth=known)
        assert got == {("P", "H"): Interval(0.0, 0.0)}


@pytest.mark.parametrize("alone", ["tables", "sums"])
def test_crossing_pinned_leaves_out_what_one_table_alone_already_pins(alone):
    # P's 61 of 61 pin (P, H) to 1 by row P alone: the crossing pins it too, but adds nothing
    cap = {("D", "H"): 3, ("P", "H"): 1, ("P", "F"): 60, ("V", "F"): 40}
    rows, columns, total = {"P": 61, "V": 3}, {"F": 63}, 64
    assert crossing(cap, rows, columns, total).bounds([("P", "H")])[("P", "H")] == Interval(1.0, 1.0)
    assert crossing_pinned(cap, rows, columns, total, {("P", "H"): 1}, alone=alone) == {}
    assert crossing_pinned(cap, rows, columns, total, {("P", "H"): 4}, alone=alone) == {}


def test_crossing_pinned_tables_and_sums_differ_as_documented():
    # (a, b): row a alone says at most 3, column b alone at least 3 -- each table alone leaves it
    # several values, the two sums together pin it
    truth = {("a", "b"): 3, ("a", "c"): 0, ("d", "b"): 3, ("d", "c"): 2}
    cap = {("a", "b"): 5, ("a", "c"): 10, ("d", "b"): 3, ("d", "c"): 4}
    rows, columns, total = _sums(truth)
    assert crossing_pinned(cap, rows, columns, total, {("a", "b"): 1}) == {("a", "b"): Interval(3.0, 3.0)}
    assert crossing_pinned(cap, rows, columns, total, {("a", "b"): 1}, alone="sums") == {}
    # row a withheld with the withheld rows' sum 0 (the whole sample is all of row d): its table
    # alone pins (a, b) to 0; the whole sample and column b leave it 0..2
    truth = {("a", "b"): 0, ("a", "c"): 0, ("d", "b"): 3, ("d", "c"): 1}
    cap = {("a", "b"): 2, ("a", "c"): 2, ("d", "b"): 5, ("d", "c"): 5}
    rows, columns, total = _sums(truth)
    del rows["a"]
    assert crossing_pinned(cap, rows, columns, total, {("a", "b"): 1}) == {}
    assert crossing_pinned(cap, rows, columns, total, {("a", "b"): 1}, alone="sums") == {("a", "b"): Interval(0, 0)}


@pytest.mark.parametrize("seed", range(8))
def test_crossing_pinned_the_shortcut_never_widens_an_interval(seed):
    """With the truth given, names that another solution shows to be wide enough are not attacked: on
    random crossings the lower bound it uses is never above the attack's width, and the answer is the
    same as with every name attacked."""
    rng = np.random.default_rng(seed)
    na, nb = int(rng.integers(2, 5)), int(rng.integers(2, 5))
    cap, truth = {}, {}
    for a in range(na):
        for b in range(nb):
            if rng.random() < 0.3:
                continue
            cap[(f"a{a}", f"b{b}")] = float(rng.integers(1, 12))
            truth[(f"a{a}", f"b{b}")] = float(rng.binomial(int(cap[(f"a{a}", f"b{b}")]), rng.uniform(0.05, 0.95)))
    rows, columns, total = _sums(truth)
    for hid_a, hid_b in ((set(), set()), ({"a0", "a1"}, set()), ({"a0"}, {"b0"}), ({"a0", "a1"}, {"b0", "b1"})):
        shown_r = {a: x for a, x in rows.items() if a not in hid_a}
        shown_c = {b: x for b, x in columns.items() if b not in hid_b}
        hid_a, hid_b = hid_a & set(rows), hid_b & set(columns)
        names = [*cap, *(("row", a) for a in sorted(hid_a)), *(("column", b) for b in sorted(hid_b))]
        width = {n: iv.width for n, iv in crossing(cap, shown_r, shown_c, total).bounds(names).items()}
        for n in names:
            assert audit._moves(truth, cap, hid_a, hid_b, n) <= width[n] + 1e-9
        for alone in ("tables", "sums"):
            for rule in (1, 4):
                need = dict.fromkeys(names, rule)
                assert crossing_pinned(cap, shown_r, shown_c, total, need, alone=alone, truth=truth) == \
                    crossing_pinned(cap, shown_r, shown_c, total, need, alone=alone)


def test_crossing_pinned_refuses_what_it_cannot_check():
    cap = {("P", "H"): 1, ("P", "F"): 60, ("V", "F"): 40}
    with pytest.raises(ValueError, match="withheld group"):  # row P is shown: no unknown of its own
        crossing_pinned(cap, {"P": 35, "V": 28}, {}, 63, {("row", "P"): 1})
    with pytest.raises(ValueError, match="truth"):  # a truth that does not give the published numbers
        crossing_pinned(cap, {"P": 35, "V": 28}, {}, 63, {("P", "H"): 1},
                        truth={("P", "H"): 1, ("P", "F"): 35, ("V", "F"): 28})
    with pytest.raises(ValueError, match="alone"):
        crossing_pinned(cap, {}, {}, 63, {}, alone="both")
