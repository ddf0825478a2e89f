"""suppress: primary and secondary suppression on hand-made tables; hidden cells cannot be
recovered (checked with a linear-programming attack on the published margins)."""

import numpy as np
import pandas as pd
import pytest
from scipy.optimize import linprog

from evaluatie.publish.disclosure import check_protected, figure_note, for_figure, suppress


def one_way():
    return pd.DataFrame({
        "group": ["A", "B", "C", "D", "Totaal"],
        "n": [12, 3, 7, 20, 42],
        "callbacks": [6, 1, 3, 12, 22],
    }).assign(rate=lambda d: 100 * d["callbacks"] / d["n"]).set_index("group", drop=False)


def test_primary_and_derived_without_totals():
    df = one_way().iloc[:4]
    out = suppress(df, "n", derived={"callbacks": "n", "rate": ["callbacks", "n"]}, secondary=False)
    hidden = out.attrs["suppressed"]
    assert hidden["n"].tolist() == [False, True, False, False]
    assert hidden["rate"].tolist() == hidden["callbacks"].tolist() == [False, True, False, False]
    assert not hidden["group"].any()
    assert out.loc["B", ["n", "callbacks", "rate"]].isna().all()
    assert out.attrs["suppression_threshold"] == 5
    assert str(out["n"].dtype) == "Int64" and out.loc["A", "n"] == 12
    assert df.loc["B", "n"] == 3  # input untouched


def test_one_way_with_total_hides_next_smallest():
    df = one_way()
    out = suppress(df, "n", total_row="Totaal", derived={"callbacks": "n", "rate": ["callbacks", "n"]})
    hidden = out.attrs["suppressed"]
    assert hidden["n"].tolist() == [False, True, True, False, False]  # B primary, C (7) secondary
    assert hidden["rate"].tolist() == [False, True, True, False, False]
    assert check_protected(out, "n", total_row="Totaal") == []


def test_counts_checked_each_against_threshold_with_total():
    df = one_way()
    out = suppress(df, ["n", "callbacks"], total_row="Totaal", derived={"rate": ["callbacks", "n"]})
    hidden = out.attrs["suppressed"]
    # callbacks: B=1, C=3 primary (two hidden: enough); n: B primary, C secondary
    assert hidden["callbacks"].tolist() == [False, True, True, False, False]
    assert hidden["n"].tolist() == [False, True, True, False, False]
    assert check_protected(out, ["n", "callbacks"], total_row="Totaal") == []


def test_zero_counts_shown_unless_asked():
    df = pd.DataFrame({"n": [0, 6, 9]})
    assert not suppress(df, "n").attrs["suppressed"]["n"].any()
    assert suppress(df, "n", zeros=True).attrs["suppressed"]["n"].tolist() == [True, False, False]


def test_threshold_is_a_parameter():
    df = pd.DataFrame({"n": [4, 9, 10, 11]})
    assert suppress(df, "n", threshold=10).attrs["suppressed"]["n"].tolist() == [True, True, False, False]
    assert suppress(df, "n", threshold=1).attrs["suppressed"]["n"].tolist() == [False] * 4


CROSS = pd.DataFrame(
    {"x": [10, 8, 20, 38], "y": [2, 12, 11, 25], "z": [15, 9, 6, 30], "total": [27, 29, 37, 93]},
    index=["a", "b", "c", "Totaal"],
)


def _recoverable(table: pd.DataFrame, hidden: pd.DataFrame, inner_rows, inner_cols, total_col="total",
                 total_row="Totaal") -> list:
    """Cells whose value an attacker can pin down from the published cells and margins (LP)."""
    cells = [(r, c) for r in table.index for c in inner_cols + [total_col] if hidden.loc[r, c]]
    if not cells:
        return []
    k = {cell: i for i, cell in enumerate(cells)}
    A, b = [], []
    lines = [[(r, c) for c in inner_cols] + [(r, total_col)] for r in table.index]
    lines += [[(r, c) for r in inner_rows] + [(total_row, c)] for c in inner_cols + [total_col]]
    for line in lines:
        row = np.zeros(len(cells))
        rhs = 0.0
        for j, cell in enumerate(line):
            sign = -1.0 if j == len(line) - 1 else 1.0  # interior - total = 0
            if cell in k:
                row[k[cell]] += sign
            else:
                rhs -= sign * table.loc[cell]
        if row.any():
            A.append(row)
            b.append(rhs)
    out = []
    for cell, i in k.items():
        c = np.zeros(len(cells))
        c[i] = 1
        lo = linprog(c, A_eq=A, b_eq=b, bounds=(0, None)).fun
        hi = -linprog(-c, A_eq=A, b_eq=b, bounds=(0, None)).fun
        if hi - lo < 1e-9:
            out.append(cell)
    return out


def test_crosstab_two_per_row_and_column():
    out = suppress(CROSS, ["x", "y", "z"], total_row="Totaal", total_col="total")
    h = out.attrs["suppressed"]
    hidden = {(r, c) for r in h.index for c in h.columns if h.loc[r, c]}
    assert ("a", "y") in hidden  # primary
    assert hidden == {("a", "y"), ("a", "x"), ("c", "y"), ("b", "x"), ("c", "z"), ("b", "z")}
    assert check_protected(out, ["x", "y", "z"], total_row="Totaal", total_col="total") == []
    assert _recoverable(CROSS, h, ["a", "b", "c"], ["x", "y", "z"]) == []
    # without secondary suppression the primary cell is recovered by subtraction
    only = suppress(CROSS, ["x", "y", "z"], total_row="Totaal", total_col="total", secondary=False)
    assert _recoverable(CROSS, only.attrs["suppressed"], ["a", "b", "c"], ["x", "y", "z"]) == [("a", "y")]


@pytest.mark.parametrize("seed", range(8))
def test_random_crosstabs_never_recoverable(seed):
    rng = np.random.default_rng(seed)
    inner = pd.DataFrame(rng.integers(0, 14, size=(4, 3)), columns=["x", "y", "z"], index=list("abcd"))
    t = inner.copy()
    t["total"] = t.sum(axis=1)
    t.loc["Totaal"] = t.sum()
    out = suppress(t, ["x", "y", "z"], total_row="Totaal", total_col="total")
    h = out.attrs["suppressed"]
    assert check_protected(out, ["x", "y", "z"], total_row="Totaal", total_col="total") == []
    small = [(r, c) for r in "abcd" for c in "xyz" if 0 < t.loc[r, c] < 5]
    assert all(h.loc[cell] for cell in small)
    assert not set(small) & set(_recoverable(t, h, list("abcd"), list("xyz")))


def test_exported_csv_never_carries_suppressed_values(tmp_path):
    out = suppress(CROSS, ["x", "y", "z"], total_row="Totaal", total_col="total")
    out.to_csv(tmp_path / "t.csv")
    back = pd.read_csv(tmp_path / "t.csv", index_col=0)
    assert back.loc["a", "y"] != back.loc["a", "y"]  # NaN
    assert back.isna().sum().sum() == 6


def test_figure_helpers():
    out = suppress(one_way(), "n", total_row="Totaal", derived={"rate": "n"})
    fig = for_figure(out.iloc[:4], "rate")
    assert fig["group"].tolist() == ["A", "D"] and fig.attrs["left_out"] == 2
    assert figure_note(fig) == ("2 groepen zijn niet getoond: minder dan 5 waarnemingen, of af te leiden "
                                "uit andere cijfers (bescherming tegen herkenning).")
    assert figure_note(for_figure(one_way())) is None


def test_check_protected_finds_gaps():
    df = one_way()
    assert check_protected(df, "n") == ["n in row 'B' shows np.float64(3.0) < 5"] or len(check_protected(df, "n")) == 1
    only = suppress(df, "n", total_row="Totaal", secondary=False)
    assert any("exactly one hidden" in s for s in check_protected(only, "n", total_row="Totaal"))


def test_bad_arguments():
    with pytest.raises(KeyError):
        suppress(one_way(), "nope")
    with pytest.raises(ValueError):
        suppress(one_way(), "n", total_row="Nergens")
