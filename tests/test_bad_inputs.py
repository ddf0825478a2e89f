"""The bad-input corpus (tests/data/bad/, written by tests/data/make_fixtures.py): every broken
file gives a DataError naming the right row and column; every unusual-but-valid file is read
correctly. Nothing raises anything else (no KeyError/ValueError/traceback for the user)."""

from __future__ import annotations

from pathlib import Path

import pytest

from evaluatie.intake.read import read_table, value_codes
from evaluatie.core.errors import DataError, terminal_text
from evaluatie.intake.schema import Column, Schema, each_has

BAD = Path(__file__).parent / "data" / "bad"

# a correspondence-test-like application log: each vacancy has one control and one test application
SCHEMA = Schema(
    columns=[
        Column("vacancy", kind="str"),
        Column("ground", kind="category", allowed=["origin", "age", "gender"]),
        Column("group", kind="category", allowed=["control", "test"]),
        Column("outcome", kind="bool"),
        Column("year", kind="int", min=2010, max=2030),
        Column("wage", kind="float", required=False, nullable=True),
    ],
    unique=[("vacancy", "group")],
    checks=[each_has("vacancy", "group", ["control", "test"])],
)
DUTCH_NAMES = {"vacancy": "Vacature nr.", "ground": "grond", "group": "groep", "outcome": "uitkomst",
               "year": "jaar", "wage": "loon"}
WAGES = [2150.5, 2150.5, 1980.0, 1980.0, 33.6, 33.6]

# file -> (stage, [(row, column), ...], words the message must contain)
#   stage "read": read_table refuses; "schema": read_table reads, the schema refuses
BROKEN = {
    "empty.csv": ("read", [(None, None)], "leeg"),
    "whitespace_only.csv": ("read", [(None, None)], "leeg"),
    "header_only.csv": ("read", [(None, None)], "alleen een kopregel"),
    "header_only.xlsx": ("read", [(None, None)], "alleen een kopregel"),
    "mixed_decimals.csv": ("read", [(4, "wage")], "mengt beide schrijfwijzen"),
    "ragged_row.csv": ("read", [(5, None)], "6 velden gescheiden door puntkomma"),
    "unclosed_quote.csv": ("read", [(6, None)], "aanhalingsteken"),
    "mixed_encoding.csv": ("read", [(9, None)], "tekencodering"),
    "binary.csv": ("read", [(None, None)], "binair"),
    "duplicate_header.csv": ("read", [(1, "group")], "unieke kolomnamen"),
    "unnamed_column_with_data.csv": ("read", [(1, "kolom 7")], "naam in de kopregel"),
    "merged_header.xlsx": ("read", [(1, "A1:B1")], "samengevoegde cellen"),
    "really_xlsx.csv": ("read", [(None, None)], "Excel-bestand"),
    "really_csv.xlsx": ("read", [(None, None)], "CSV-tekstbestand"),
    "legacy.xls": ("read", [(None, None)], "ondersteunde bestandstypes"),
    "truncated.sav": ("read", [(None, None)], "beschadigd of onvolledig"),
    "truncated.parquet": ("read", [(None, None)], "beschadigd of onvolledig"),
    "wrong_separator.csv": ("schema", [(None, c) for c in ["vacancy", "ground", "group", "outcome", "year"]],
                            "Gevonden kolommen: vacancy|ground|group|outcome|year|wage"),
    "missing_column.csv": ("schema", [(None, "outcome")], "een kolom 'outcome'; die ontbreekt"),
    "unknown_label.csv": ("schema", [(4, "outcome")], "gevonden tekst, verwacht ja of nee"),
    "unknown_label.xlsx": ("schema", [(5, "outcome")], "gevonden tekst"),
    "unknown_group.csv": ("schema", [(3, "group")], "een van: control, test"),
    "missing_outcome.csv": ("schema", [(7, "outcome")], "de cel is leeg"),
    "duplicate_key.csv": ("schema", [(8, "vacancy, group")], "dezelfde staat al in rij 5"),
    "broken_pair.csv": ("schema", [(8, "vacancy, group")], "precies één rij per group: control, test"),
    "out_of_range.csv": ("schema", [(5, "year")], "tussen 2010 en 2030"),
    "not_a_number.csv": ("schema", [(3, "year")], "geheel getal"),
    "blank_line_then_bad_label.csv": ("schema", [(5, "outcome")], "gevonden tekst"),
    "unlabelled_code.sav": ("schema", [(3, "outcome")], "gevonden een getal"),
}


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_broken_file_names_row_and_column(name):
    stage, where, words = BROKEN[name]
    path = BAD / name
    if stage == "read":
        with pytest.raises(DataError) as exc:
            read_table(path)
    else:
        df = read_table(path)
        with pytest.raises(DataError) as exc:
            SCHEMA.validate(df)
    problems = exc.value.problems
    assert [(p.row, p.column) for p in problems] == where, str(exc.value)
    assert all(p.file and p.file.endswith(name) for p in problems)
    assert words in terminal_text(str(exc.value))  # as the terminal shows it (found names are not published)
    assert "/work/" not in str(exc.value)


def _valid(name, columns=None):
    df = read_table(BAD / name)
    return df, SCHEMA.validate(df, columns=columns)


def test_ok_cp1252():
    df, clean = _valid("ok_cp1252.csv")
    assert df.attrs["csv"]["encoding"] == "cp1252"
    assert clean["vacancy"].tolist()[:2] == ["Liège-€1", "Liège-€1"]
    assert clean["wage"].tolist() == WAGES


def test_ok_utf8_bom():
    df, clean = _valid("ok_utf8_bom.csv")
    assert df.columns[0] == "vacancy" and df.attrs["csv"]["encoding"] == "utf-8"
    assert clean["outcome"].tolist() == [True, False, True, True, False, False]


def test_ok_tab():
    df, clean = _valid("ok_tab.tsv")
    assert df.attrs["csv"]["separator"] == "\t" and clean["wage"].tolist() == WAGES


def test_ok_comma_decimal_point():
    df, clean = _valid("ok_comma_decimal_point.csv")
    assert df.attrs["csv"] == {"encoding": "utf-8", "separator": ",", "decimal": "."}
    assert clean["wage"].tolist() == WAGES


def test_ok_trailing_separator():
    df, clean = _valid("ok_trailing_separator.csv")
    assert list(df.columns) == ["vacancy", "ground", "group", "outcome", "year", "wage"]


def test_ok_quoted_multiline():
    df, clean = _valid("ok_quoted_multiline.csv")
    assert df["note"].tolist()[0] == 'regel een\nregel twee; met "quote"'
    assert list(df.index) == [2, 3, 4, 5, 6, 7]


def test_ok_leading_zero_ids():
    df, clean = _valid("ok_leading_zero_ids.csv")
    assert clean["vacancy"].tolist() == ["0001", "0001", "0002", "0002", "0003", "0003"]


def test_ok_dutch_column_names_via_mapping():
    _, clean = _valid("ok_dutch_column_names.csv", columns=DUTCH_NAMES)
    assert list(clean.columns) == list(DUTCH_NAMES) and clean["year"].tolist()[0] == 2021


def test_ok_percent_euro():
    _, clean = _valid("ok_percent_euro.csv")
    assert clean["wage"].tolist() == [33.6, 33.6, 1500.5, -2.5, 1440.0, 100.0]


def test_ok_crlf_trailing_blank_lines():
    df, _ = _valid("ok_crlf_trailing_blank_lines.csv")
    assert list(df.index) == [2, 3, 4, 5, 6, 7]


def test_ok_labelled_dta_with_a_shared_label():
    df = read_table(BAD / "ok_labelled.dta")
    assert df["outcome"].tolist() == ["ja (1)", "nee", "ja (9)", "ja (1)", "nee", "nee"]
    assert value_codes(df, "outcome").tolist() == [1, 0, 9, 1, 0, 0]
    clean = SCHEMA.validate(df.assign(outcome=value_codes(df, "outcome").map({1: 1, 0: 0, 9: 1})))
    assert clean["outcome"].tolist() == [True, False, True, True, False, False]


def test_corpus_is_complete():
    files = {p.name for p in BAD.iterdir()}
    ok = {f for f in files if f.startswith("ok")}
    assert len(files) >= 25 and set(BROKEN) == files - ok
    assert len(ok) >= 10


# --------------------------------------------------------------------------- fuzzing

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_CSVISH = st.text(alphabet=list('ab01;,.\t"\n\r €%é-') + ["\u00a0", "\x00"], max_size=200)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=_CSVISH, encoding=st.sampled_from(["utf-8", "cp1252", "utf-8-sig"]),
       suffix=st.sampled_from([".csv", ".tsv", ".xlsx", ".sav", ".parquet"]))
def test_any_bytes_give_a_table_or_a_data_error(tmp_path, text, encoding, suffix):
    """Whatever a user hands in, read_table and a schema answer with a table or a DataError —
    never a bare exception (which `evaluatie run` would show as a traceback)."""
    p = tmp_path / f"fuzz{suffix}"
    p.write_bytes(text.encode(encoding, errors="replace"))
    try:
        df = read_table(p)
    except DataError as e:
        assert e.problems and all(q.file for q in e.problems)
        return
    assert len(df) >= 1 and df.index.min() >= 1
    try:
        SCHEMA.validate(df)
    except DataError:
        pass
