"""read_table: every format from a real file, row numbers as the user sees them, provenance,
Dutch numbers, encodings, and the fast CSV path agreeing with the careful one."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from evaluatie.core.numbers import parse_number, parse_numbers
from evaluatie.intake.read import read_table, value_codes
from evaluatie.publish.provenance import sha256
from evaluatie.core.errors import DataError

DATA = Path(__file__).parent / "data"


# --------------------------------------------------------------------------- formats

@pytest.mark.parametrize("name", ["applications_cp1252.csv", "applications_utf8_bom.csv"])
def test_csv_encodings_keep_accents_and_euro(name):
    df = read_table(DATA / name)
    assert list(df.columns) == ["id", "name", "city", "share_pct", "wage", "applications", "postcode"]
    assert df["name"].tolist() == ["Zoë Peeters", "Renée Dubois", "Jan Janssens"]
    assert df["city"].tolist()[0] == "Liège"
    assert df["share_pct"].tolist() == [33.6, 12.5, 100.0]
    assert df["wage"].tolist() == [1500.5, 2000.0, 980.25]
    assert df["applications"].tolist() == [1440, 12, 2300]
    assert df["postcode"].tolist() == ["0123", "0456", "0789"]  # leading zeros: stays text
    assert df["id"].dtype == np.int64
    assert list(df.index) == [2, 3, 4] and df.index.name == "row"
    assert df.attrs["csv"]["encoding"] == ("cp1252" if "cp1252" in name else "utf-8")
    assert df.attrs["csv"]["separator"] == ";" and df.attrs["csv"]["decimal"] == ","


def test_xlsx_sheet_percent_text_numbers_dates_and_row_numbers():
    df = read_table(DATA / "applications.xlsx", sheet="Sollicitaties")
    assert list(df.index) == [2, 3, 5]  # sheet row 4 is empty and keeps its number
    assert df["share"].tolist() == [33.6, 12.5, 100.0]
    assert df.attrs["percent_columns"] == ["share"]
    assert df["wage_text"].tolist() == [1500.5, 980.25, 2000.0]
    assert df["sent"].tolist()[0] == pd.Timestamp("2021-05-03")
    assert df.attrs["sheet"] == "Sollicitaties"
    assert read_table(DATA / "applications.xlsx", sheet=1).equals(df)
    # the default sheet holds only a note: the error names the other sheets
    with pytest.raises(DataError, match="Sollicitaties"):
        read_table(DATA / "applications.xlsx")
    with pytest.raises(DataError, match="Toelichting, Sollicitaties"):
        read_table(DATA / "applications.xlsx", sheet="Blad1")


@pytest.mark.parametrize("name", ["survey.sav", "survey.dta"])
def test_spss_stata_value_labels_applied_and_codes_kept(name):
    df = read_table(DATA / name)
    assert list(df.index) == list(range(1, 9))
    assert df["plan_type"].tolist()[:4] == ["instapplan", "diversiteitsplan", "clusterplan", "groeiplan"]
    assert df["satisfaction"].tolist()[:5] == ["zeer tevreden", "tevreden", "tevreden", "ontevreden", "weet niet"]
    assert value_codes(df, "satisfaction").tolist() == [5, 4, 4, 2, 9, 5, 3, 1]
    assert df.attrs["value_labels"]["recommend"] == {0: "nee", 1: "ja"}
    assert df.attrs["variable_labels"]["satisfaction"] == "Tevredenheid over de ondersteuning"
    assert df["weight"].tolist()[:3] == [1.5, 1.5, 2.0]
    assert df["completed"].tolist()[0] == pd.Timestamp("2014-03-01")


def test_parquet():
    df = read_table(DATA / "applications.parquet")
    assert list(df.index) == [1, 2, 3]
    assert df["outcome"].tolist() == [True, False, True]


@pytest.mark.parametrize("name", ["applications_cp1252.csv", "applications.parquet", "survey.sav"])
def test_source_provenance_is_relative_and_hashed(name):
    df = read_table(DATA / name)
    src = df.attrs["source"]
    assert src["sha256"] == sha256(DATA / name)
    assert not Path(src["file"]).is_absolute() and src["file"].endswith(name)
    assert "/work/" not in src["file"] and "/home/" not in src["file"]


def test_missing_file_is_a_data_error():
    with pytest.raises(DataError, match="bestaat niet"):
        read_table(DATA / "nope.csv")


# --------------------------------------------------------------------------- numbers

@pytest.mark.parametrize("text, value", [
    ("1.440", 1440), ("33,6", 33.6), ("33,6%", 33.6), ("33,6 %", 33.6), ("33,6\u00a0%", 33.6),
    ("€ 1.500,50", 1500.5), ("1.500,50 €", 1500.5), ("-2,5", -2.5), ("\u22122,5", -2.5),
    ("-€ 2,5", -2.5), ("1.234.567,891", 1234567.891), ("0,05", 0.05), ("12", 12),
    ("1,440.5", 1440.5), ("0.5", 0.5),
])
def test_parse_number(text, value):
    assert parse_number(text) == value


@pytest.mark.parametrize("text", ["abc", "1.2.3,4,5", "1,2,3", "12a", "", "%", "€", "--5", "1 440", "1e5"])
def test_parse_number_rejects(text):
    assert np.isnan(parse_number(text))


def test_parse_numbers_column_decides_style():
    assert parse_numbers(pd.Series(["1.440", "2,5"])).values.tolist() == [1440, 2.5]
    assert parse_numbers(pd.Series(["1,440", "2.5"])).values.tolist() == [1440, 2.5]
    amb = parse_numbers(pd.Series(["1.440", "2.000"]))
    assert not amb.decided and amb.values.tolist() == [1440, 2000]
    assert parse_numbers(pd.Series(["1.440", "2.000"]), default_style="en").values.tolist() == [1.44, 2.0]
    mixed = parse_numbers(pd.Series(["1,5", "2,5", "1.5", None]))
    assert mixed.conflict.tolist() == [False, False, True, False] and mixed.style == "nl"
    text = parse_numbers(pd.Series(["1,5", "n.v.t."]))
    assert text.not_number.tolist() == [False, True]


def test_ambiguous_column_follows_the_file(tmp_path):
    p = tmp_path / "a.csv"
    p.write_text("a,b\n1.440,3.5\n2.000,4.25\n")  # comma-separated, point decimals elsewhere
    df = read_table(p)
    assert df["a"].tolist() == [1.44, 2.0] and df["b"].tolist() == [3.5, 4.25]
    p.write_text("a;b\n1.440;3,5\n2.000;4,25\n")
    assert read_table(p)["a"].tolist() == [1440, 2000]


def test_text_columns_stay_text_and_only_empty_is_missing(tmp_path):
    p = tmp_path / "t.csv"
    p.write_text("id;score;note\n1;33,6;NA\n2;n.v.t.;\n3;;x\n")
    df = read_table(p)
    assert df["score"].tolist() == ["33,6", "n.v.t.", None] or df["score"].isna().tolist() == [False, False, True]
    assert df["score"].dtype == "str"
    assert df["note"].tolist()[0] == "NA" and pd.isna(df["note"].tolist()[1])


def _dutch(x: float, thousands: bool) -> str:
    s = format(Decimal(repr(float(x))), "f")
    sign = "-" if s.startswith("-") else ""
    s = s.lstrip("-")
    whole, _, frac = s.partition(".")
    if thousands:
        head = len(whole) % 3 or 3
        whole = ".".join([whole[:head]] + [whole[i:i + 3] for i in range(head, len(whole), 3)])
    out = sign + whole + ("," + frac if frac and frac != "0" else "")
    return out


finite = st.floats(allow_nan=False, allow_infinity=False, min_value=-1e15, max_value=1e15)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(xs=st.lists(finite, min_size=1, max_size=20), thousands=st.booleans(),
       percent=st.sampled_from(["", "%", " %"]))
def test_dutch_numbers_read_back_exactly(tmp_path, xs, thousands, percent):
    cells = [_dutch(x, thousands) + percent for x in xs]
    assert [parse_number(c) for c in cells] == [float(x) for x in xs]
    p = tmp_path / "n.csv"
    p.write_text("label;value\n" + "".join(f"r{i};{c}\n" for i, c in enumerate(cells)), encoding="utf-8")
    df = read_table(p)
    assert df["value"].astype(float).tolist() == [float(x) for x in xs]


@settings(max_examples=40, deadline=None)
@given(ints=st.lists(st.integers(-10**12, 10**12), min_size=1, max_size=20))
def test_dutch_integers_with_thousands_read_back(ints):
    cells = pd.Series([_dutch(i, True) for i in ints])
    res = parse_numbers(cells)
    assert res.ok and res.values.tolist() == [float(i) for i in ints]


# --------------------------------------------------------------------------- the fast path

def _big(tmp_path, n=5000, tweak=None, encoding="utf-8"):
    rng = np.random.default_rng(7)
    wage = rng.uniform(1000, 5000, n).round(2)
    score = rng.uniform(0, 100, n).round(1)
    lines = ["id;vacancy;score;wage;city"]
    for i in range(n):
        w = f"{wage[i]:,.2f}".replace(",", "X").replace(".", ",").replace("X", ".")
        lines.append(f"{i + 1};V{i // 2:05d};{str(score[i]).replace('.', ',')};{w};Liège")
    if tweak:
        tweak(lines)
    p = tmp_path / "big.csv"
    p.write_bytes(("\n".join(lines) + "\n").encode(encoding))
    return p, wage, score


def test_fast_path_matches_values(tmp_path):
    p, wage, score = _big(tmp_path)
    df = read_table(p)
    assert df["wage"].tolist() == wage.tolist() and df["score"].tolist() == score.tolist()
    assert df.index[0] == 2 and df.index[-1] == 5001
    assert df["city"].iloc[-1] == "Liège"


def test_late_thousands_separator_in_decimal_column(tmp_path):
    def tweak(lines):
        lines[4000] = lines[4000].split(";")[0] + ";V1;1.234,5;1,00;Gent"
    p, _, _ = _big(tmp_path, tweak=tweak)
    assert read_table(p).loc[4001, "score"] == 1234.5


def test_late_mixed_style_named_by_row(tmp_path):
    def tweak(lines):
        lines[4500] = lines[4500].split(";")[0] + ";V1;12.5;1,00;Gent"
    p, _, _ = _big(tmp_path, tweak=tweak)
    with pytest.raises(DataError) as exc:
        read_table(p)
    assert [(q.row, q.column) for q in exc.value.problems] == [(4501, "score")]


def test_late_text_makes_column_text(tmp_path):
    def tweak(lines):
        lines[4500] = lines[4500].split(";")[0] + ";V1;n.v.t.;1,00;Gent"
    p, _, _ = _big(tmp_path, tweak=tweak)
    df = read_table(p)
    assert df["score"].dtype == "str" and df.loc[4501, "score"] == "n.v.t."


def test_late_cp1252_character(tmp_path):
    p, _, _ = _big(tmp_path, encoding="cp1252")
    assert read_table(p)["city"].iloc[-1] == "Liège"
    assert read_table(p).attrs["csv"]["encoding"] == "cp1252"


def test_late_ragged_row_and_blank_lines_keep_row_numbers(tmp_path):
    def tweak(lines):
        lines.insert(3000, "")
        lines[4200] += ";extra"
    p, _, _ = _big(tmp_path, tweak=tweak)
    with pytest.raises(DataError) as exc:
        read_table(p)
    assert [q.row for q in exc.value.problems] == [4201]

    def blank(lines):
        lines.insert(3000, "")
    p, _, _ = _big(tmp_path, tweak=blank)
    df = read_table(p)
    assert len(df) == 5000 and 3001 not in df.index and df.index[-1] == 5002


@settings(max_examples=300, deadline=None)
@given(cells=st.lists(st.text(alphabet="0123456789.,-+e ", min_size=1, max_size=12), min_size=1, max_size=8),
       style=st.sampled_from(["nl", "en"]), plan=st.sampled_from(["int", "dec", "thou"]))
def test_fast_conversion_never_accepts_what_the_careful_one_refuses(cells, style, plan):
    """The strict one-pass converters (used on big files) agree with the careful converter on
    every cell they accept; anything else makes them step aside (None), never guess."""
    import pyarrow as pa

    from evaluatie.core.numbers import _RE_EN, _RE_NL
    from evaluatie.intake.read import _fast_numbers

    fast = _fast_numbers(pa.array(cells, pa.string()), plan, style)
    if fast is None or isinstance(fast, str):
        return
    import re

    pattern = re.compile((_RE_NL if style == "nl" else _RE_EN).strip("^$"))
    for cell, v in zip(cells, np.asarray(fast, dtype=float)):
        if "e" in cell:  # exponents are accepted by the float cast (documented)
            continue
        assert pattern.fullmatch(cell), (cell, v)
        assert v == parse_number(cell, style), (cell, v)


def test_cp1252_character_after_an_ascii_sample(tmp_path):
    lines = ["id;naam;bedrag"] + [f"{i};Jan;{i},5" for i in range(1, 3000)]
    lines[2500] = "2500;Zoë;3,5"
    p = tmp_path / "late.csv"
    p.write_bytes(("\n".join(lines) + "\n").encode("cp1252"))
    df = read_table(p)
    assert df.loc[2501, "naam"] == "Zoë" and df.attrs["csv"]["encoding"] == "cp1252"
    # UTF-8 early on and Windows-1252 later: refused, never mojibake
    lines[10] = "10;Renée;1,5"
    p.write_bytes(("\n".join(lines[:2000]) + "\n").encode("utf-8")
                  + ("\n".join(lines[2000:]) + "\n").encode("cp1252"))
    with pytest.raises(DataError, match="tekencodering") as exc:
        read_table(p)
    assert exc.value.problems[0].row == 2501


@pytest.mark.parametrize("text, row", [
    ('a;b;c\n1;x;2021\n2;x;"2022\n', 3),   # file ends inside a quoted last field
    ('a;b;c\n1;"x;2\n3;4;5\n', 2),          # a quote opened and never closed
])
def test_unterminated_quote_is_named(tmp_path, text, row):
    p = tmp_path / "q.csv"
    p.write_text(text)
    with pytest.raises(DataError) as exc:
        read_table(p)
    assert exc.value.problems[0].row == row


def test_quote_inside_a_field_is_just_a_character(tmp_path):
    p = tmp_path / "q.csv"
    p.write_text('a;b\n1;5" scherm\n2;x\n')
    assert read_table(p)["b"].tolist() == ['5" scherm', "x"]


@pytest.mark.parametrize("cells, plan, style", [
    (["1.5e3", "2.500"], "thou", "nl"),      # an exponent after a thousands separator: not 15e3
    (["1,2.500", "2.500"], "thou", "nl"),    # decimal comma before the thousands point
    (["1.5000000,5.5"], "thou", "nl"),       # separators that do not group by three
    (["1.500", "2,5"], "dec", "nl"),         # the other style in a decimals column
    (["1,500", "2.5"], "dec", "en"),
])
def test_fast_conversion_steps_aside(cells, plan, style):
    import pyarrow as pa

    from evaluatie.intake.read import _fast_numbers

    assert _fast_numbers(pa.array(cells, pa.string()), plan, style) is None


@pytest.mark.parametrize("cells", [["12", "0123"], ["12", "-0123"], ["1" * 16]])
def test_fast_integers_keep_identifiers_as_text(cells):
    import pyarrow as pa

    from evaluatie.intake.read import _fast_numbers

    assert _fast_numbers(pa.array(cells, pa.string()), "int", "nl") == "text"
    assert _fast_numbers(pa.array(["x"] + cells, pa.string())[1:], "int", "nl") == "text"  # sliced


def test_late_cp1252_byte_in_a_number_column(tmp_path):
    """Text is checked for UTF-8 only where it stays text; a Windows-1252 euro sign in a column
    planned as numbers still sends the file through decoding."""
    def tweak(lines):
        lines[4000] = lines[4000].split(";")[0] + ";V1;1,5 €;1.000,00;Gent"
    p, _, _ = _big(tmp_path, tweak=tweak, encoding="cp1252")
    df = read_table(p)
    assert df.loc[4001, "score"] == 1.5 and df.loc[4001, "wage"] == 1000.0
    assert df.attrs["csv"]["encoding"] == "cp1252" and df["city"].iloc[0] == "Liège"


@settings(max_examples=80, deadline=None)
@given(cells=st.lists(st.one_of(st.none(), st.text(alphabet="aZ 0;é€ëçŠ™…\u00a0", max_size=6)), min_size=1, max_size=30),
       cut=st.integers(0, 5))
def test_cp1252_columns_become_utf8_exactly(cells, cut):
    """Windows-1252 text columns are converted on their own bytes (offsets moved per accented
    character), chunked or sliced: the same strings as Python's decoder gives."""
    import pyarrow as pa

    from evaluatie.intake.read import _cp1252_to_utf8

    raw = pa.array([None if c is None else c.encode("cp1252") for c in cells], pa.binary()).view(pa.string())
    got = _cp1252_to_utf8(raw)
    assert got.to_pylist() == cells
    chunked = pa.chunked_array([raw[:cut], raw[cut:]], pa.string())
    assert _cp1252_to_utf8(chunked).to_pylist() == cells
    if cut < len(cells):
        assert _cp1252_to_utf8(raw[cut:]).to_pylist() == cells[cut:]
    large = _cp1252_to_utf8(raw.cast(pa.large_string()))  # text columns are read as large_string
    assert large.type == pa.large_string() and large.to_pylist() == cells


def test_byte_undefined_in_cp1252_is_named_by_row(tmp_path):
    p = tmp_path / "u.csv"
    p.write_bytes("id;naam\n1;Zoë\n2;x\x81y\n".encode("latin-1"))
    with pytest.raises(DataError, match="in geen van beide") as exc:
        read_table(p)
    assert exc.value.problems[0].row == 3


def test_cp1252_from_the_start_with_euro_numbers(tmp_path):
    nl = str.maketrans(",.", ".,")
    lines = ["id;naam;bedrag;stad"] + [f"{i};Zoë;€ {i * 1000 + 0.5:,.2f};Liège".translate(nl) for i in range(1, 3000)]
    p = tmp_path / "cp.csv"
    p.write_bytes(("\n".join(lines) + "\n").encode("cp1252"))
    df = read_table(p)
    assert df.attrs["csv"]["encoding"] == "cp1252"
    assert df["bedrag"].iloc[-1] == 2999000.5 and df["naam"].iloc[-1] == "Zoë" and df["stad"].iloc[0] == "Liège"
    assert df.attrs["source"]["sha256"] == sha256(p)


def test_last_cell_keeps_its_trailing_space(tmp_path):
    p = tmp_path / "w.csv"
    p.write_text("a;b\nx;00 \ny;01 \n  \n\n")
    df = read_table(p)
    assert df["b"].tolist() == ["00 ", "01 "] and list(df.index) == [2, 3]


_CELL = st.one_of(
    st.text(alphabet="0123456789.,-+ ", max_size=9),
    st.sampled_from(["1.234,5", "12,5", "0123", "-0123", "1.000.000", "1,5", "1.5", "n.v.t.", "€ 5", "5 %",
                     "2.500", "Zoë", "Liège"]),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(st.lists(_CELL, min_size=3, max_size=3), min_size=1, max_size=30),
       encoding=st.sampled_from(["utf-8", "cp1252"]))
def test_fast_path_reads_what_the_careful_path_reads(tmp_path, monkeypatch, rows, encoding):
    """Whole files: the fast path (pyarrow, byte-level checks, UTF-8 checked afterwards,
    Windows-1252 columns converted) gives the same values, types, row numbers, refusals and
    encoding as the careful path (Python's csv module)."""
    import evaluatie.intake.read as io_mod

    if any(all(not c.strip() for c in r) for r in rows):
        return  # a row of only separators is a blank line to the fast path
    p = tmp_path / "x.csv"
    p.write_bytes(("a;b;c\n" + "".join(";".join(r) + "\n" for r in rows)).encode(encoding))

    def read():
        try:
            return read_table(p)
        except DataError as e:
            return sorted((q.row, q.column) for q in e.problems)

    fast = read()
    with monkeypatch.context() as m:
        m.setattr(io_mod, "_csv_fast", lambda *a, **k: (_ for _ in ()).throw(io_mod._Fallback()))
        careful = read()
    if isinstance(fast, list) or isinstance(careful, list):
        assert fast == careful
        return
    assert list(fast.columns) == list(careful.columns) and list(fast.index) == list(careful.index)
    assert fast.attrs["csv"]["encoding"] == careful.attrs["csv"]["encoding"]
    for c in fast.columns:
        f, k = fast[c], careful[c]
        assert f.dtype == k.dtype, (c, f.tolist(), k.tolist())
        if f.dtype.kind in "if":
            assert np.array_equal(f.to_numpy(float), k.to_numpy(float), equal_nan=True)
        else:
            assert f.fillna("<NA>").tolist() == k.fillna("<NA>").tolist()
