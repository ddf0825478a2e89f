"""read_table: every format from a real file, row numbers as the user sees them, the source,
numbers in CSV columns, encodings, blank and ragged rows, and pyarrow's CSV splitting agreeing
with Python's csv module. (The number parser itself: test_numbers.py.)"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from evaluatie.core.errors import DataError
from evaluatie.intake.read import read_table, value_codes

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


@pytest.mark.parametrize("name", ["applications_cp1252.csv", "applications.xlsx", "applications.parquet",
                                  "survey.sav"])
def test_source_names_the_file_relatively(name):
    df = read_table(DATA / name, sheet=1)
    src = df.attrs["source"]
    assert list(src) == ["file"]  # the report's provenance hashes its inputs, not the reader
    assert not Path(src["file"]).is_absolute() and src["file"].endswith(name)
    assert "/work/" not in src["file"] and "/home/" not in src["file"]


def test_missing_file_is_a_data_error():
    with pytest.raises(DataError, match="bestaat niet"):
        read_table(DATA / "nope.csv")


# --------------------------------------------------------------------------- numbers

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


@pytest.mark.parametrize("cells, values", [
    (["1.500", "2,5"], [1500, 2.5]),           # Dutch: 1.500 is fifteen hundred
    (["1,500", "2.5"], [1500, 2.5]),           # English
    (["€ 1.500,50", "€ 33,6", "−2,5"], [1500.5, 33.6, -2.5]),
    (["33,6 %", "12%", "−2,5 %"], [33.6, 12.0, -2.5]),  # all percentages: read in percent units
    (["€ 1.500,50", "33,6 %", "−2,5"], None),  # a percentage among amounts: text, for the schema to judge
    (["1.5e3", "2.500"], None),                # no exponents: text
    (["1,2.500", "2.500"], None),              # a decimal comma before a thousands point: text
    (["1.5000000,5", "2,5"], None),            # separators that do not group by three: text
    (["1 440", "2"], None),                    # a space is no thousands separator: text
])
def test_numbers_in_a_csv_column(tmp_path, cells, values):
    p = tmp_path / "n.csv"
    p.write_text("label;value\n" + "".join(f"r{i};{c}\n" for i, c in enumerate(cells)), encoding="utf-8")
    df = read_table(p)
    col = df["value"]
    if values is None:
        assert col.dtype == "str" and col.tolist() == cells
    else:
        assert col.dtype == np.float64 and col.tolist() == values
    all_pct = values is not None and all("%" in c for c in cells)
    assert ("value" in df.attrs.get("percent_columns", [])) == all_pct


# --------------------------------------------------------------------------- big files

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


def test_big_file_values(tmp_path):
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


def test_late_cp1252_byte_in_a_number_column(tmp_path):
    """A Windows-1252 euro sign deep in a number column: the file is Windows-1252, and the
    cell is still a number."""
    def tweak(lines):
        lines[4000] = lines[4000].split(";")[0] + ";V1;1,5 €;1.000,00;Gent"
    p, _, _ = _big(tmp_path, tweak=tweak, encoding="cp1252")
    df = read_table(p)
    assert df.loc[4001, "score"] == 1.5 and df.loc[4001, "wage"] == 1000.0
    assert df.attrs["csv"]["encoding"] == "cp1252" and df["city"].iloc[0] == "Liège"


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


def test_last_cell_keeps_its_trailing_space(tmp_path):
    p = tmp_path / "w.csv"
    p.write_text("a;b\nx;00 \ny;01 \n  \n\n")
    df = read_table(p)
    assert df["b"].tolist() == ["00 ", "01 "] and list(df.index) == [2, 3]


@pytest.mark.parametrize("blank", ["", "   ", ";", " ; ", "\t"])
def test_a_row_without_data_is_skipped_and_keeps_its_number(tmp_path, blank):
    p = tmp_path / "b.csv"
    p.write_text(f"a;b\n1;x\n{blank}\n2;y\n")
    df = read_table(p)
    assert list(df.index) == [2, 4] and df["a"].tolist() == [1, 2] and df["b"].tolist() == ["x", "y"]


@pytest.mark.parametrize("text, columns, index", [
    ('"naam\nlang";b\n1;2\n3;4\n', ["naam\nlang", "b"], [2, 3]),  # a line break in a quoted name
    ("\n \na;b\n1;2\n\n3;4\n", ["a", "b"], [4, 6]),            # blank lines before the header
    ("a;b\r1;2\r3;4\r", ["a", "b"], [2, 3]),                       # old Mac line ends
    ("a;b\r\n1;2\r\n\r\n3;4\r\n", ["a", "b"], [2, 4]),
])
@pytest.mark.parametrize("split_by", ["pyarrow", "csv module"])
def test_records_and_row_numbers(tmp_path, monkeypatch, text, columns, index, split_by):
    import evaluatie.intake.read as read_module

    if split_by == "csv module":
        monkeypatch.setattr(read_module, "_arrow_cells", lambda *a, **k: None)
    p = tmp_path / "r.csv"
    p.write_bytes(text.encode())
    df = read_table(p)
    assert list(df.columns) == columns and list(df.index) == index
    assert df.iloc[:, 0].tolist() == [1, 3][:len(index)]


def test_late_identifier_keeps_the_column_text(tmp_path):
    def tweak(lines):
        lines[4500] = "0123;V1;1,5;1,00;Gent"
    p, _, _ = _big(tmp_path, tweak=tweak)
    df = read_table(p)
    assert df["id"].dtype == "str" and df.loc[4501, "id"] == "0123" and df.loc[2, "id"] == "1"


# a complete UTF-8 sequence: Windows-1252 text holding one is also UTF-8 (or both encodings mixed)
_UTF8_SEQUENCE = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(cells=st.lists(st.text(alphabet="aZ 0é€ëçŠ™…\u00a0", min_size=1, max_size=6).filter(
    lambda c: c.strip() and not _UTF8_SEQUENCE.search(c.encode("cp1252"))), min_size=1, max_size=30))
def test_cp1252_text_reads_exactly(tmp_path, cells):
    """Every Windows-1252 character comes back as itself, wherever it stands (also ``ç`` before
    a non-breaking space, E7 A0: the start of a UTF-8 sequence, but not a whole one)."""
    cells = ["tekst"] + cells  # a text column, whatever the cells below
    p = tmp_path / "t.csv"
    p.write_bytes(("id;tekst\n" + "".join(f"{i};{c}\n" for i, c in enumerate(cells))).encode("cp1252"))
    df = read_table(p)
    assert df["tekst"].tolist() == cells
    assert df.attrs["csv"]["encoding"] == ("utf-8" if "".join(cells).isascii() else "cp1252")


_CELL = st.one_of(
    st.text(alphabet="0123456789.,-+ ", max_size=9),
    st.sampled_from(["1.234,5", "12,5", "0123", "-0123", "1.000.000", "1,5", "1.5", "n.v.t.", "€ 5", "5 %",
                     "2.500", "Zoë", "Liège", "", " ", "q;x", "regel\nregel", '5" scherm', '"x"']),
)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(st.lists(_CELL, min_size=2, max_size=4), min_size=1, max_size=30),
       encoding=st.sampled_from(["utf-8", "cp1252"]))
def test_pyarrow_and_the_csv_module_read_alike(tmp_path, monkeypatch, rows, encoding):
    """Whole files, quoted as a spreadsheet writes them, some rows ragged or blank: split by
    pyarrow's CSV reader, or by Python's csv module (what read_table uses when pyarrow cannot
    split a file), they give the same values, types, row numbers, refusals and encoding."""
    import evaluatie.intake.read as read_module

    text = io.StringIO()
    csv.writer(text, delimiter=";", lineterminator="\n").writerows([["a", "b", "c"]] + rows)
    p = tmp_path / "x.csv"
    p.write_bytes(text.getvalue().encode(encoding))

    def read():
        try:
            return read_table(p)
        except DataError as e:
            return sorted((q.row, q.column) for q in e.problems)

    fast = read()
    with monkeypatch.context() as m:
        m.setattr(read_module, "_arrow_cells", lambda *a, **k: None)
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


def test_an_empty_column_stays_text_and_an_unnamed_empty_one_goes(tmp_path):
    p = tmp_path / "e.csv"
    p.write_text("a;leeg;\n1;;\n2;;\n")
    df = read_table(p)
    assert list(df.columns) == ["a", "leeg"] and df["leeg"].dtype == "str" and df["leeg"].isna().all()


def test_excel_formula_without_stored_result_is_refused_not_read_as_empty(tmp_path):
    """Issue 16: a formula cell that was never calculated (openpyxl and scripts write no result)
    was read as an empty cell, silently dropping a value. Empty cells that are really empty
    stay empty."""
    wb = openpyxl.Workbook()
    ws = wb.active
    for row in (["naam", "bedrag", "opmerking"], ["x", 10, None], ["y", "=B2*2", None], ["z", None, "leeg"]):
        ws.append(row)
    wb.save(tmp_path / "f.xlsx")
    with pytest.raises(DataError) as e:
        read_table(tmp_path / "f.xlsx")
    [p] = e.value.problems
    assert (p.row, p.column) == (3, "bedrag") and "formule zonder opgeslagen uitkomst" in p.expected
    ws["B3"] = 20
    wb.save(tmp_path / "f.xlsx")
    df = read_table(tmp_path / "f.xlsx")
    assert df["bedrag"].tolist()[:2] == [10, 20] and pd.isna(df["bedrag"].iloc[2])


@pytest.mark.parametrize("body, row", [("naam;tekst\nA;{big}\nB;kort\n", 2), ("naam;{big}\nA;1\n", 1)])
def test_a_cell_too_long_to_read_is_named_with_its_row(tmp_path, body, row):
    """Issue 16: a 3 MB cell was reported as 'rij 1: gevonden leeg, verwacht een kopregel'."""
    f = tmp_path / "lang.csv"
    f.write_text(body.format(big="x" * 3_000_000), encoding="utf-8")
    with pytest.raises(DataError) as e:
        read_table(f)
    [p] = e.value.problems
    assert p.row == row and "langere cel" in p.expected
    assert "gevonden" not in str(p)


def test_sheet_names_are_named_on_the_terminal_only(tmp_path):
    """A sheet's name is the user's text: an error about sheets lists them for the person running the
    command, never in the published message (issue 15: no data in published errors)."""
    from openpyxl import Workbook

    from evaluatie.core.errors import public_text, terminal_text

    wb = Workbook()
    wb.active.title = "Geheim-ZZ1"
    wb.create_sheet("Geheim-ZZ2")
    wb["Geheim-ZZ2"].append(["a", "b"])  # a header without rows
    path = tmp_path / "t.xlsx"
    wb.save(path)
    for sheet in ("bestaat niet", 7, "Geheim-ZZ1", "Geheim-ZZ2"):
        with pytest.raises(DataError) as e:
            read_table(path, sheet=sheet)
        message = str(e.value)
        assert "Geheim-ZZ" not in public_text(message), (sheet, public_text(message))
        assert "Geheim-ZZ" in terminal_text(message), (sheet, message)


def test_text_columns_stay_as_written(tmp_path):
    """Sections and codes that look like numbers stay text when the caller says they are text:
    4.10 and 4.1 are two sections (an auditor's commitments file published 4.10 as 4.1 and called
    4.1 and 4.10 a duplicate)."""
    path = tmp_path / "t.csv"
    path.write_text("section;x\n4.10;1\n4.1;2\n4.2;3\n", encoding="utf-8")
    assert read_table(path)["section"].dtype.kind == "f"
    assert list(read_table(path, text=["section"])["section"]) == ["4.10", "4.1", "4.2"]
    wb = openpyxl.Workbook()
    wb.active.append(["section", "x"])
    for row in (["4.10", 1], ["4.1", 2], [7, 3]):
        wb.active.append(row)
    wb.save(tmp_path / "t.xlsx")
    got = read_table(tmp_path / "t.xlsx", text=["section"])["section"]
    assert list(got[:2]) == ["4.10", "4.1"]  # text cells as written; a number cell is Excel's number
