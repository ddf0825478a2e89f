"""No row-level input ever reaches a published output (issue 3, disclosure control).

For every analysis, the tiny test inputs are copied with unique marker strings put into their
identifier columns (replaced, consistently) and free-text columns (appended), then the report is
run and the markers are searched in ``report.html``, ``notebook.ipynb``, ``run.json``, every
``tables/*.csv`` and ``tables.xlsx``. A marker found anywhere is a leak.
"""

from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from evaluatie.params import load_run
from evaluatie.runner import execute

REPO = Path(__file__).resolve().parents[1]
TEST_PARAMS = sorted((REPO / "params" / "test").glob("*.yaml"))
MARK = "ZQXMARK"
ID_NAME = re.compile(r"(^|_)(id|nr|nummer|number|name|naam)($|_)|job_ad|vacan|employee|respond|organisation|organisatie", re.I)
TEXT_NAME = re.compile(r"comment|opmerking|tekst|text|toelichting|open|antwoord|remark|action|omschrijving", re.I)


def _mark_frame(df: pd.DataFrame) -> tuple[pd.DataFrame, int]:
    """Put markers into identifier and free-text string columns; return the copy and how many
    columns were marked."""
    out, marked = df.copy(), 0
    for c in df.columns:
        s = df[c]
        if not (pd.api.types.is_string_dtype(s) or s.dtype == object):
            continue
        nonnull = s.dropna().astype(str)
        if nonnull.empty:
            continue
        distinct = nonnull.nunique() / len(nonnull)
        long_text = nonnull.str.len().mean() > 25
        if TEXT_NAME.search(str(c)) or long_text:
            out[c] = s.map(lambda v, i=iter(range(10**9)): v if pd.isna(v) or v == "" else f"{v} {MARK}T{next(i)}")
            marked += 1
        elif ID_NAME.search(str(c)) or distinct > 0.5:
            codes = {v: f"{MARK}{k:06d}" for k, v in enumerate(pd.unique(nonnull))}
            out[c] = s.map(lambda v: v if pd.isna(v) or v == "" else codes[str(v)])
            marked += 1
    return out, marked


def _marked_copy(src: Path, dst_dir: Path) -> tuple[Path, int]:
    dst = dst_dir / src.name
    suffix = src.suffix.lower()
    if suffix in (".csv", ".txt", ".tsv"):
        from evaluatie.io import read_table

        info = read_table(src).attrs.get("csv", {})
        sep, enc = info.get("separator", ","), info.get("encoding", "utf-8")
        enc = "utf-8-sig" if enc.lower().replace("_", "-") in ("utf-8-sig",) else enc
        raw = pd.read_csv(src, sep=sep, dtype=str, keep_default_na=False, encoding=enc)
        marked, n = _mark_frame(raw)
        marked.to_csv(dst, sep=sep, index=False, encoding=enc)
    elif suffix == ".parquet":
        marked, n = _mark_frame(pd.read_parquet(src))
        marked.to_parquet(dst, index=False)
    elif suffix in (".sav", ".zsav"):
        import pyreadstat

        df, meta = pyreadstat.read_sav(str(src), apply_value_formats=False)
        labelled = set(meta.variable_value_labels)
        marked, n = _mark_frame(df[[c for c in df.columns if c not in labelled]])
        df[marked.columns] = marked
        pyreadstat.write_sav(df, str(dst), column_labels=meta.column_names_to_labels,
                             variable_value_labels=meta.variable_value_labels)
    else:
        return src, 0
    return dst, n


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


@pytest.mark.parametrize("params_file", TEST_PARAMS, ids=lambda p: p.stem)
def test_markers_in_identifiers_and_free_text_never_reach_the_outputs(params_file, tmp_path, monkeypatch):
    monkeypatch.setenv("EVALUATIE_ROOT", str(REPO))
    run = load_run(params_file)
    inputs = tmp_path / "inputs"
    inputs.mkdir()
    total_marked = 0
    for key, spec in run.specs.items():
        value = run.parameters.get(key)
        if spec.is_path and value:
            copy, n = _marked_copy(REPO / value if not Path(value).is_absolute() else Path(value), inputs)
            if n:
                run.parameters[key] = str(copy)
                total_marked += n
    if total_marked == 0:
        pytest.skip(f"{run.name}: its inputs have no identifier or free-text columns to mark")
    result = execute(run, tmp_path / "out")
    assert result.ok, result.error
    leaks = [name for name, text in _texts(tmp_path / "out" / run.name) if MARK in text]
    assert leaks == [], f"row-level identifiers or free text leaked into {leaks}"
