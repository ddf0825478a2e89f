"""No row-level input ever reaches a published output (issue 3, disclosure control).

For every analysis, the tiny test inputs are copied with unique marker strings put into their
identifier columns (replaced, consistently) and free-text columns (appended), then the report is
run and the markers are searched in ``report.html``, ``notebook.ipynb``, ``run.json``, every
``tables/*.csv`` and ``tables.xlsx``. A marker found anywhere is a leak.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import pandas as pd
import pytest
import yaml

from evaluatie.run.params import load_run
from evaluatie.run.runner import execute

REPO = Path(__file__).resolve().parents[1]
TEST_PARAMS = sorted((REPO / "params" / "test").glob("*.yaml"))
MARK = "ZQXMARK"
DECLARED = yaml.safe_load((REPO / "tests" / "data_private_columns.yaml").read_text(encoding="utf-8"))


def _mark_frame(df: pd.DataFrame, ids: list[str], texts: list[str]) -> pd.DataFrame:
    out = df.copy()
    for c in ids:
        values = df[c].dropna().astype(str)
        codes = {v: f"{MARK}{k:06d}" for k, v in enumerate(pd.unique(values))}
        out[c] = df[c].map(lambda v: v if pd.isna(v) or v == "" else codes[str(v)]).astype(object)
    for c in texts:
        counter = iter(range(10**9))
        out[c] = df[c].map(lambda v: v if pd.isna(v) or v == "" else f"{v} {MARK}T{next(counter)}").astype(object)
    return out


def _marked_copy(src: Path, dst_dir: Path, ids: list[str], texts: list[str]) -> Path:
    dst = dst_dir / src.name
    suffix = src.suffix.lower()
    if suffix == ".csv":
        from evaluatie.intake.read import read_table

        info = read_table(src).attrs.get("csv", {})
        sep, enc = info.get("separator", ","), info.get("encoding", "utf-8")
        raw = pd.read_csv(src, sep=sep, dtype=str, keep_default_na=False, encoding=enc)
        _mark_frame(raw, ids, texts).to_csv(dst, sep=sep, index=False, encoding=enc)
    elif suffix == ".parquet":
        _mark_frame(pd.read_parquet(src), ids, texts).to_parquet(dst, index=False)
    elif suffix == ".sav":
        import pyreadstat

        df, meta = pyreadstat.read_sav(str(src), apply_value_formats=False)
        pyreadstat.write_sav(_mark_frame(df, ids, texts), str(dst), column_labels=meta.column_names_to_labels,
                             variable_value_labels=meta.variable_value_labels)
    else:
        raise AssertionError(f"no marker copy for {src.suffix} files")
    return dst


def _texts(run_dir: Path):
    for name in ("report.html", "notebook.ipynb", "run.json"):
        p = run_dir / name
        if p.exists():
            yield name, p.read_text(encoding="utf-8")
    for p in sorted((run_dir / "tables").glob("*.csv")):
        yield f"tables/{p.name}", p.read_text(encoding="utf-8")
    xlsx = run_dir / "tables.xlsx"
    if xlsx.exists():
        with zipfile.ZipFile(xlsx) as z:
            for n in z.namelist():
                if n.endswith(".xml"):
                    yield f"tables.xlsx:{n}", z.read(n).decode("utf-8", "replace")


def test_every_test_run_is_declared():
    assert {p.stem for p in TEST_PARAMS} == set(DECLARED)


@pytest.mark.parametrize("params_file", TEST_PARAMS, ids=lambda p: p.stem)
def test_markers_in_identifiers_and_free_text_never_reach_the_outputs(params_file, tmp_path, monkeypatch):
    monkeypatch.setenv("EVALUATIE_ROOT", str(REPO))
    decl = DECLARED[params_file.stem]
    if "none" in decl:
        pytest.skip(f"{params_file.stem}: {decl['none']}")
    run = load_run(params_file)
    inputs = tmp_path / "inputs"
    inputs.mkdir()
    for key, cols in decl.items():
        src = cols.get("source") or run.parameters[key]
        run.parameters[key] = str(_marked_copy(REPO / src, inputs, cols.get("id", []), cols.get("text", [])))
    result = execute(run, tmp_path / "out")
    assert result.ok, result.error
    leaks = [name for name, text in _texts(tmp_path / "out" / run.name) if MARK in text]
    assert leaks == [], f"row-level identifiers or free text leaked into {leaks}"
