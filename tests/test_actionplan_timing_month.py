"""The action plan's timing table: its ``month`` is empty or a month as JJJJ-MM (issue 15, auditor's
case a1). Anything else stopped the report in the planning cell with a raw ``ValueError: not enough
values to unpack`` (``month_label`` splits the text at its hyphen); now it is a Dutch DataError
that names the file, the row, the column and what was expected, and quotes no cell."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
import yaml

from evaluatie.analyses import actionplan as ap
from evaluatie.core.errors import DataError
from evaluatie.run.cli import main

REPO = Path(__file__).resolve().parents[1]
TIMING = REPO / "data" / "raw" / "actieplan_mtech_timing_tekst.csv"
MARKER = "x'ZZMa1Q\""  # both kinds of quote: a scrubber of quoted text does not catch it


def _timing(tmp_path: Path, months: dict[int, str], name: str = "timing.csv") -> Path:
    df = pd.read_csv(TIMING, dtype=str, keep_default_na=False)
    for i, month in months.items():
        df.loc[i, "month"] = month
    path = tmp_path / name
    df.to_csv(path, index=False)
    return path


def test_every_month_the_source_gives_is_a_month_as_written():
    df, _ = ap.read(TIMING, "timing")
    given = [m for m in df["month"] if isinstance(m, str) and m]
    assert given and all(len(m) == 7 and m[4] == "-" for m in given)


@pytest.mark.parametrize("bad", [MARKER, "2024-13", "2024-1", "oktober 2024", "2024-10-01", "24-10"])
def test_a_month_that_is_no_month_is_a_data_error_naming_file_row_and_column(tmp_path, bad):
    path = _timing(tmp_path, {0: bad, 2: "2024-10", 3: " "})
    with pytest.raises(DataError) as e:
        ap.read(path, "timing")
    (problem,) = e.value.problems
    assert (problem.row, problem.column, problem.value) == (2, "month", bad)  # row 2: the first data row
    message = str(e.value)
    assert "timing.csv, rij 2, kolom 'month': gevonden tekst, verwacht leeg of een maand als JJJJ-MM" in message
    assert bad.strip() not in message.replace("2024-10)", "")


def test_the_month_column_under_its_own_name_and_every_bad_row(tmp_path):
    df = pd.read_csv(TIMING, dtype=str, keep_default_na=False).rename(columns={"month": "Maand"})
    df.loc[1, "Maand"], df.loc[4, "Maand"] = "volgend jaar", "2025-00"
    path = tmp_path / "eigen.csv"
    df.to_csv(path, index=False)
    with pytest.raises(DataError) as e:
        ap.read(path, "timing", columns={"month": "Maand"})
    assert [(p.row, p.column) for p in e.value.problems] == [(3, "Maand"), (6, "Maand")]


def test_the_auditors_case_stops_with_a_dutch_data_error_and_exit_2(tmp_path, monkeypatch, capsys):
    """Case a1: the mtech+ plan with a timing file whose first month holds a marker."""
    doc = yaml.safe_load((REPO / "params" / "actieplan_mtech2024.yaml").read_text(encoding="utf-8"))
    doc["parameters"]["timing"] = str(_timing(tmp_path, {0: MARKER}, "a1_timing.csv"))
    (tmp_path / "a1.yaml").write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    monkeypatch.setenv("EVALUATIE_ROOT", str(REPO))
    out = tmp_path / "out"
    assert main(["run", "--params", str(tmp_path / "a1.yaml"), "--out", str(out), "--quiet"]) == 2
    printed = capsys.readouterr()
    assert "Traceback" not in printed.out + printed.err and "ValueError" not in printed.out
    rec = json.loads((out / "a1" / "run.json").read_text(encoding="utf-8"))
    assert rec["error"]["ename"] == "DataError"
    assert "a1_timing.csv, rij 2, kolom 'month': gevonden tekst, verwacht leeg of een maand als JJJJ-MM" \
        in rec["error"]["evalue"]
    for f in [*(p for p in (out / "a1").rglob("*") if p.is_file()), out / "index.html"]:
        assert b"ZZMa1Q" not in f.read_bytes(), f.name
