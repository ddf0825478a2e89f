"""``tables.xlsx`` is safe to open (issue 15, item 6): text from the inputs never becomes a
formula, identifiers kept as text stay text, and numbers stay numbers."""

from __future__ import annotations

import csv
from pathlib import Path

from openpyxl import load_workbook

from evaluatie.run.notebook import write_xlsx


def _write(tmp_path: Path, rows: list[list[str]], name: str = "t") -> list[list]:
    (tmp_path / "tables").mkdir(exist_ok=True)
    with open(tmp_path / "tables" / f"{name}.csv", "w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows(rows)
    write_xlsx(tmp_path)
    ws = load_workbook(tmp_path / "tables.xlsx")[name]
    return [[(c.value, c.data_type) for c in r] for r in ws.iter_rows()]


def test_text_that_looks_like_a_formula_is_a_string_cell(tmp_path):
    labels = ['=HYPERLINK("http://evil.example";"klik")', "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)", "=1+1"]
    got = _write(tmp_path, [["label", "n"]] + [[v, "3"] for v in labels])
    assert [r[0] for r in got[1:]] == [(v, "s") for v in labels]
    assert all(t != "f" for r in got for _, t in r)
    assert [r[1] for r in got[1:]] == [(3, "n")] * len(labels)


def test_identifiers_kept_as_text_stay_text_and_keep_every_digit(tmp_path):
    got = _write(tmp_path, [["id", "code", "n"], ["12345678901234567890", "00123", "1"], ["7", "45", "2"]])
    assert [r[0] for r in got[1:]] == [("12345678901234567890", "s"), ("7", "s")]
    assert [r[1] for r in got[1:]] == [("00123", "s"), ("45", "s")]
    assert [r[2] for r in got[1:]] == [(1, "n"), (2, "n")]


def test_numbers_stay_numbers_and_empty_cells_stay_empty(tmp_path):
    """Numbers as pandas writes them (a float's repr: ``0.001``, ``1e-05``) are numbers."""
    got = _write(tmp_path, [["share", "low", "count"], ["0.5", "", "-4"], ["0.001", "1e-05", "123456789012345"]])
    assert got[1] == [(0.5, "n"), (None, "n"), (-4, "n")]
    assert got[2] == [(0.001, "n"), (1e-05, "n"), (123456789012345, "n")]


def test_a_float_written_otherwise_than_pandas_writes_it_is_text(tmp_path):
    """'1e-3', '1.10' and '2E3' read as numbers but pandas writes no number so: they are text
    that only looks like one (an identifier, a size class), kept as written."""
    got = _write(tmp_path, [["a", "b", "c"], ["1e-3", "1.10", "2E3"], ["0.5", "1.1", "2000.0"]])
    assert got[1] == [("1e-3", "s"), ("1.10", "s"), ("2E3", "s")]
    assert got[2] == [("0.5", "s"), ("1.1", "s"), ("2000.0", "s")]  # a column is numbers or text throughout


def test_a_column_with_one_word_among_numbers_is_text_throughout(tmp_path):
    got = _write(tmp_path, [["x"], ["1"], ["nan"], ["2"]])
    assert [r[0] for r in got[1:]] == [("1", "s"), ("nan", "s"), ("2", "s")]
