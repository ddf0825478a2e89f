"""The one number parser (evaluatie.core.numbers): Dutch and English numbers as people write
them read back exactly, "1.440" is 1440 in Dutch, a column mixing styles is refused by row,
identifiers stay text, and the scalar and column parsers agree cell for cell."""

from __future__ import annotations

import math
from decimal import Decimal

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from evaluatie.analyses.survey.statistics import natural_key
from evaluatie.analyses.targets.growth_paths import parse_interim_target
from evaluatie.core import fmt
from evaluatie.core.errors import DataError
from evaluatie.core.numbers import parse_number, parse_numbers
from evaluatie.intake.read import read_table

# --------------------------------------------------------------------------- writing numbers

_SEPARATORS = {"nl": (".", ","), "en": (",", ".")}  # (thousands, decimal)


def written(x: float, style: str, thousands: bool, sign: str = "-", before: str = "",
            after: str = "", pad: str = "") -> str:
    """``x`` as a person writes it: its shortest exact decimal form, the style's separators,
    the minus as ``sign``, text ``before`` (after the sign: "€ ") and ``after`` (" %")."""
    s = format(Decimal(repr(float(x))), "f")
    negative = s.startswith("-")
    whole, _, frac = s.lstrip("-").partition(".")
    th, dec = _SEPARATORS[style]
    if thousands:
        head = len(whole) % 3 or 3
        whole = th.join([whole[:head]] + [whole[i:i + 3] for i in range(head, len(whole), 3)])
    body = whole + (dec + frac if frac and frac != "0" else "")
    return pad + (sign if negative else "") + before + body + after + pad


finite = st.floats(allow_nan=False, allow_infinity=False, min_value=-1e15, max_value=1e15)
whole_numbers = st.integers(-10**15 + 1, 10**15 - 1)
signs = st.sampled_from(["-", "\u2212"])
befores = st.sampled_from(["", "€", "€ ", "€\u00a0"])
afters = st.sampled_from(["", "%", " %", "\u00a0%", "\u202f%", " €"])
pads = st.sampled_from(["", " ", "\u00a0", "\t"])


@pytest.mark.parametrize("style", ["nl", "en"])
@settings(max_examples=150, deadline=None)
@given(x=st.one_of(finite, whole_numbers), thousands=st.booleans(), sign=signs, before=befores,
       after=afters, pad=pads)
def test_a_written_number_reads_back_exactly(style, x, thousands, sign, before, after, pad):
    cell = written(x, style, thousands, sign, before if not after else "", after, pad)
    assert parse_number(cell, style) == float(x), cell


@pytest.mark.parametrize("style", ["nl", "en"])
@settings(max_examples=80, deadline=None)
@given(xs=st.lists(st.one_of(finite, whole_numbers), min_size=1, max_size=30),
       thousands=st.booleans(), after=afters)
def test_a_written_column_reads_back_exactly(style, xs, thousands, after):
    cells = pd.Series([written(x, style, thousands, after=after) for x in xs], dtype="str")
    res = parse_numbers(cells, default_style=style)  # the default decides all-ambiguous columns
    assert res.ok and res.style == style
    assert res.values.tolist() == [float(x) for x in xs]


@settings(max_examples=60, deadline=None)
@given(x=st.floats(min_value=-1e9 + 1, max_value=1e9 - 1), decimals=st.integers(0, 3))
def test_what_the_reports_print_reads_back(x, decimals):
    """fmt writes nl-BE numbers (1.440, 33,6%, € 1.500, −0,4): the parser reads them as the
    value fmt rounded to."""
    value = float(f"{round(x, decimals):.{decimals}f}")
    assert parse_number(fmt.num(x, decimals)) == value
    assert parse_number(fmt.pct(x, decimals)) == value
    assert parse_number(fmt.eur(x, decimals)) == value
    assert parse_number(fmt.signed(x, decimals)) == value


# --------------------------------------------------------------------------- one value

@pytest.mark.parametrize("text, value", [
    ("1.440", 1440), ("33,6", 33.6), ("33,6%", 33.6), ("33,6 %", 33.6), ("33,6\u00a0%", 33.6),
    ("€ 1.500,50", 1500.5), ("1.500,50 €", 1500.5), ("-2,5", -2.5), ("\u22122,5", -2.5),
    ("-€ 2,5", -2.5), ("€ -2,5", -2.5), ("+3", 3), ("1.234.567,891", 1234567.891),
    ("0,05", 0.05), (",5", 0.5), ("5,", 5), ("12", 12), (" 12 ", 12),
    ("1,440.5", 1440.5), ("0.5", 0.5), ("1.440.000", 1440000),
])
def test_parse_number(text, value):
    assert parse_number(text) == value


@pytest.mark.parametrize("text", ["abc", "1.2.3,4,5", "1,2,3", "12a", "", "  ", "%", "€", "--5",
                                  "-€ -5", "1 440", "1e5", "inf", "nan", "12.34,5", "1,5.5", "5-",
                                  "\u0663"])  # an Arabic-Indic digit, which Python's float() reads
def test_parse_number_refuses(text):
    assert math.isnan(parse_number(text)) and math.isnan(parse_number(text, "en"))


def test_1440_is_one_thousand_four_hundred_and_forty_in_dutch():
    assert parse_number("1.440") == 1440 and parse_number("1.440", "nl") == 1440
    assert parse_number("1.440", "en") == 1.44
    assert parse_number("1,440") == 1.44 and parse_number("1,440", "en") == 1440
    # a value that reads one way only is read that way, whatever the style asked for
    assert parse_number("1,5", "en") == 1.5 and parse_number("1.5", "nl") == 1.5
    assert parse_numbers(pd.Series(["1.440", "2.000"])).values.tolist() == [1440, 2000]
    assert parse_numbers(pd.Series(["1.440", "2,5"]), default_style="en").values.tolist() == [1440, 2.5]


def test_numbers_and_missing_values_pass_through():
    assert parse_number(12) == 12.0 and parse_number(np.float64(2.5)) == 2.5
    assert math.isnan(parse_number(None)) and math.isnan(parse_number(float("nan")))
    assert math.isnan(parse_number(pd.NA))
    with pytest.raises(TypeError):
        parse_number(True)
    with pytest.raises(ValueError):
        parse_number("1", style="de")


# --------------------------------------------------------------------------- a column

def test_the_column_decides_its_style():
    res = parse_numbers(pd.Series(["1.440", "2,5", None, "  "]))
    assert res.style == "nl" and res.decided and res.values.tolist()[:2] == [1440, 2.5]
    assert res.missing.tolist() == [False, False, True, True]
    res = parse_numbers(pd.Series(["1,440", "2.5"]))
    assert res.style == "en" and res.values.tolist() == [1440, 2.5]
    amb = parse_numbers(pd.Series(["1.440", "2.000"]))
    assert not amb.decided and amb.style == "nl"
    text = parse_numbers(pd.Series(["1,5", "n.v.t."]))
    assert text.not_number.tolist() == [False, True] and not text.ok


@settings(max_examples=100, deadline=None)
@given(minor=st.lists(st.booleans(), min_size=2, max_size=30), major=st.sampled_from(["nl", "en"]),
       default=st.sampled_from(["nl", "en"]))
def test_a_column_mixing_styles_names_the_rows_written_the_other_way(minor, major, default):
    """Cells that read only as Dutch (12,5) among cells that read only as English (12.5): the
    majority sets the style (the default on a tie), and every cell of the other style is a
    conflict, named by its row; never guessed."""
    other = {"nl": "en", "en": "nl"}
    styles = [other[major] if m else major for m in minor]
    cells = [f"{i + 1}{',' if s == 'nl' else '.'}5" for i, s in enumerate(styles)]
    n_nl = styles.count("nl")
    expected = default if 2 * n_nl == len(styles) else ("nl" if 2 * n_nl > len(styles) else "en")
    res = parse_numbers(pd.Series(cells, index=pd.RangeIndex(2, len(cells) + 2)), default_style=default)
    wrong = [i for i, s in enumerate(styles) if s != expected]
    assert res.style == expected and res.decided and res.ok == (not wrong)
    assert list(np.flatnonzero(res.conflict.to_numpy())) == wrong
    assert [(p.row, p.value) for p in res.conflict_problems("f.csv", "x")] == [(i + 2, cells[i]) for i in wrong]
    assert res.values.isna().tolist() == [i in wrong for i in range(len(cells))]


def test_a_csv_column_mixing_styles_is_refused_by_row(tmp_path):
    p = tmp_path / "m.csv"
    p.write_text("id;wage\n1;2,5\n2;3,5\n3;1.5\n4;1.440\n5;4,25\n")
    with pytest.raises(DataError, match="mengt beide schrijfwijzen") as exc:
        read_table(p)
    assert [(q.row, q.column, q.value) for q in exc.value.problems] == [(4, "wage", "1.5")]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ints=st.lists(st.integers(0, 10**6), min_size=1, max_size=10), zero=st.integers(0, 9),
       sign=st.sampled_from(["", "-"]), long=st.booleans())
def test_identifiers_stay_text(tmp_path, ints, zero, sign, long):
    """A whole-number column where some value has a leading zero or more than 15 digits is a
    code: parse_numbers flags it, and read_table keeps every cell as written."""
    cells = [str(i) for i in ints]
    at = zero % len(cells)
    cells[at] = sign + ("1" * 16 if long else "0" + cells[at])
    assert parse_numbers(pd.Series(cells)).identifier
    p = tmp_path / "ids.csv"
    p.write_text("id;name\n" + "".join(f"{c};x\n" for c in cells))
    df = read_table(p)
    assert df["id"].dtype == "str" and df["id"].tolist() == cells


def test_whole_numbers_that_are_no_identifiers():
    res = parse_numbers(pd.Series(["0", "-5", "120", "999999999999999"]))
    assert res.integer and not res.identifier
    assert not parse_numbers(pd.Series(["0,5", "0123,5"])).integer


# --------------------------------------------------------------------------- agreement

_CELL = st.one_of(
    st.text(alphabet="0123456789.,-+ €%\u2212\u00a0e", max_size=10),
    st.sampled_from(["1.234,5", "12,5", "0123", "1.000.000", "1,5", "1.5", "n.v.t.", "€ 5",
                     "5 %", "2.500", "1,440", "Zoë", "-€ 1.500,50", "\u22123", None]),
)


@settings(max_examples=300, deadline=None)
@given(cells=st.lists(_CELL, min_size=1, max_size=20), default=st.sampled_from(["nl", "en"]),
       cut=st.integers(0, 5))
def test_parse_number_and_parse_numbers_agree_cell_for_cell(cells, default, cut):
    """For every cell the column parser gives what the scalar one gives in the column's style
    (NaN for a conflict); a non-empty cell is 'not a number' exactly when the scalar parser
    reads it in neither style. Also on a slice and on object dtype."""
    for col in (pd.Series(cells, dtype="str"), pd.Series(["x"] * cut + cells, dtype="str")[cut:],
                pd.Series(cells, dtype=object)):
        res = parse_numbers(col, default_style=default)
        for i, cell in enumerate(cells):
            blank = cell is None or not cell.strip(" \t\u00a0\u202f\u2009")
            both = [parse_number(cell, s) for s in ("nl", "en")] if cell is not None else [np.nan] * 2
            assert res.missing.iloc[i] == blank, cell
            assert res.not_number.iloc[i] == (not blank and all(np.isnan(v) for v in both)), cell
            want = np.nan if (res.conflict.iloc[i] or cell is None) else parse_number(cell, res.style)
            got = res.values.iloc[i]
            assert (np.isnan(got) and np.isnan(want)) or got == want, (cell, got, want)


def test_labels_and_interim_targets_read_their_numbers_with_the_one_parser():
    """Numbers inside text (category labels, interim-target rules) are read by the same parser:
    a Dutch thousands dot is a thousands dot, not a decimal point."""
    labels = ["250-999", "1.000-4.999", "50-249", "5.000+", "onbekend", "1-49"]
    assert sorted(labels, key=natural_key) == ["1-49", "50-249", "250-999", "1.000-4.999", "5.000+", "onbekend"]
    assert parse_interim_target("2,30%") == ("explicit", 2.3)
    assert parse_interim_target("minstens 3.5 %") == ("minimum", 3.5)
    assert parse_interim_target("10%.") == ("explicit", 10.0)


def test_parse_numbers_marks_the_numbers_written_with_percent():
    res = parse_numbers(pd.Series(["33,6 %", "1.440", None, "12%", "n.v.t. %"], dtype="str"))
    assert res.percent.tolist() == [True, False, False, True, False]
