"""The bad-input corpus through ``evaluatie run`` (issue 16): every analysis, every file type, each
case a row of :data:`CASES` with the answer a user must get.

A case breaks (or bends) one thing in a user's own study (tests/data/own_*/) or in an example
params file, written in ``tmp_path``, and runs it with the CLI in-process
(:func:`evaluatie.run.cli.main`). It ends in one of two ways:

- a clear Dutch error: exit 2 for input, with the expected file, row and column in the message
  (``run.json`` for an error found in the kernel; stderr for a parameter stopped before it);
- a correct report (exit 0) whose ledger accounts for every row: read = the rows in the file,
  and read = analysed + excluded for every source.

Never a traceback: not on stdout or stderr, not in ``run.json``. Cases stopped before a kernel
starts (stage ``params``) run one command each; the others (stage ``run``) run as one batch per
analysis (``evaluatie run NAME... --jobs 2`` over a throwaway project root whose ``params/``
holds one file per case): each case's exit code is the one the command gives a run with that
record (0 ok, 2 a DataError, 1 anything else), and the batch's exit code is checked against them.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import json
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import pyreadstat
import pytest
import yaml
from openpyxl import Workbook, load_workbook

from evaluatie.run.cli import main

REPO = Path(__file__).resolve().parents[1]
OWN = REPO / "tests" / "data"
SECRET = "Geheim-7Q"  # planted in broken cells: a message must never quote it


@dataclass
class Case:
    id: str
    analysis: str  # notebook name
    build: Callable[[Path], dict]  # folder -> parameters (files written into the folder)
    exit: int  # 0 report, 2 input error
    where: tuple[str | None, int | None, str | None] | None = None  # (file, row, column) in the message
    words: str | None = None  # words the message must contain
    stage: str = "run"  # "params": stopped before any kernel starts
    rows: dict[str, int | None] = field(default_factory=dict)  # ledger source (file) -> rows read (None: any)
    excluded: dict[str, int] = field(default_factory=dict)  # words of an exclusion reason -> rows excluded
    xfail: str | None = None  # why the answer is not yet the expected one (a change outside intake/analyses)


# --------------------------------------------------------------------------- the own studies


def _own(name: str) -> dict:
    p = yaml.safe_load((OWN / f"own_{name}" / "studie.yaml").read_text(encoding="utf-8"))
    for k, v in p.items():
        if isinstance(v, str) and v.startswith("tests/data/"):
            p[k] = str(REPO / v)
    return p


def corr_frame() -> pd.DataFrame:
    return pd.read_excel(OWN / "own_correspondence" / "studie.xlsx", dtype=str)


def survey_frame() -> pd.DataFrame:
    return pd.read_csv(OWN / "own_survey" / "personeelsbevraging.csv", sep=";", dtype=str, keep_default_na=False)


def targets_frame() -> pd.DataFrame:
    return pd.read_csv(OWN / "own_targets" / "personeel.csv", sep=";", dtype=str, keep_default_na=False)


def plan_sheets() -> dict[str, pd.DataFrame]:
    return pd.read_excel(OWN / "own_actionplan" / "studie.xlsx", sheet_name=None)


def _write(df: pd.DataFrame, path: Path, **kw) -> Path:
    """Write ``df`` in the format of ``path``'s extension (all cells as they are)."""
    ext = path.suffix
    if ext in (".csv", ".tsv", ".txt"):
        df.to_csv(path, sep=kw.get("sep", ";"), index=False, encoding=kw.get("encoding", "utf-8"))
    elif ext == ".xlsx":
        df.to_excel(path, index=False, sheet_name=kw.get("sheet", "Blad1"))
    elif ext == ".parquet":
        df.to_parquet(path, index=False)
    elif ext == ".sav":
        pyreadstat.write_sav(df, str(path))
    elif ext == ".dta":
        pyreadstat.write_dta(df, str(path))
    else:
        raise ValueError(ext)
    return path


def _input(path: Path, frame: Callable[[], pd.DataFrame], df_fn, raw, kw) -> str:
    """Write a builder's input file: by ``raw`` when given, else ``frame()`` changed by ``df_fn``."""
    if raw is not None:
        raw(path)
    else:
        df = frame()
        _write(df_fn(df) if df_fn else df, path, **kw)
    return str(path)


# correspondence ---------------------------------------------------------------


def corr(df_fn: Callable[[pd.DataFrame], pd.DataFrame] | None = None, ext: str = ".csv", extra: dict | None = None,
         raw: Callable[[Path], None] | None = None, **kw):
    """A builder: the own correspondence study, its table changed by ``df_fn``, written as ``ext``
    (or by ``raw``), its parameters updated with ``extra``."""

    def build(folder: Path) -> dict:
        p = _own("correspondence")
        p["data"] = _input(folder / f"sollicitaties{ext}", corr_frame, df_fn, raw, kw)
        p["bootstrap"] = 20
        p.update(extra or {})
        return p

    return build


def _set(df: pd.DataFrame, i: int, col: str, value) -> pd.DataFrame:
    df = df.copy()
    df[col] = df[col].astype(object)
    df.iloc[i, df.columns.get_loc(col)] = value
    return df


def _zero_group(df: pd.DataFrame) -> pd.DataFrame:
    df = df.copy()
    df.loc[df["groep"] == "Turkse naam", "reactie"] = "nee"
    return df


def _all_yes(df: pd.DataFrame) -> pd.DataFrame:
    df = df.copy()
    df.loc[df["groep"] == "vrouw", "reactie"] = "ja"
    return df


def _with_age(df: pd.DataFrame, bad_row: int | None = None) -> pd.DataFrame:
    df = df.copy()
    df["leeftijd"] = [str(25 + (i * 7) % 30) for i in range(len(df))]
    if bad_row is not None:
        df.iloc[bad_row, df.columns.get_loc("leeftijd")] = SECRET
    return df


def _xlsx_raw(mutate: Callable) -> Callable[[Path], None]:
    """A raw writer: the own correspondence table as an XLSX, then ``mutate(workbook, sheet)``."""

    def raw(path: Path) -> None:
        wb = Workbook()
        ws = wb.active
        ws.title = "sollicitaties"
        df = corr_frame()
        ws.append(list(df.columns))
        for r in df.itertuples(index=False):
            ws.append(list(r))
        mutate(wb, ws)
        wb.save(path)

    return raw


def _bytes_raw(data: bytes) -> Callable[[Path], None]:
    return lambda path: path.write_bytes(data)


def _csv_text(df: pd.DataFrame, sep: str = ";") -> str:
    return df.to_csv(sep=sep, index=False, lineterminator="\n")


def _hidden_first(wb, ws):
    h = wb.create_sheet("oud", 0)
    h.append(["iets", "anders"])
    h.append([1, 2])
    h.sheet_state = "hidden"


def _merged(wb, ws):
    ws.merge_cells("B4:B5")


def _formula(wb, ws):
    ws["D3"] = '=IF(1=1,"ja","nee")'


def _big_cell(wb, ws):
    ws["E3"] = "x" * 32_767  # openpyxl writes at most Excel's limit: made 3 MB in _grow_cell


def _grow_cell(path: Path) -> None:
    """Rewrite the workbook with the 32.767-character cell grown to 3 MB (as another tool might)."""
    with zipfile.ZipFile(path) as z:
        parts = {n: z.read(n) for n in z.namelist()}
    for n, b in parts.items():
        if n.startswith("xl/") and b"x" * 32_767 in b:
            parts[n] = b.replace(b"x" * 32_767, b"x" * 3_000_000)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for n, b in parts.items():
            z.writestr(n, b)


def _date_outcome(wb, ws):
    ws["D6"] = dt.date(2024, 5, 1)


def _pct_outcome(wb, ws):
    ws["D7"] = 0.5
    ws["D7"].number_format = "0%"


CORR = [
    Case("corr-zero-positive-group", "correspondentietest", corr(_zero_group), 0,
         rows={"sollicitaties.csv": 300}),
    Case("corr-all-positive-group", "correspondentietest", corr(_all_yes), 0, rows={"sollicitaties.csv": 300}),
    Case("corr-nobody-positive", "correspondentietest", corr(lambda d: d.assign(reactie="nee")), 0,
         rows={"sollicitaties.csv": 300}),
    Case("corr-everybody-positive", "correspondentietest", corr(lambda d: d.assign(reactie="ja")), 0,
         rows={"sollicitaties.csv": 300}),
    Case("corr-one-vacancy-per-ground", "correspondentietest",
         corr(lambda d: d[d["vacature"].isin(["V001", "V091"])]), 2, ("sollicitaties.csv", None, None),
         "minstens 5 vacatures voor minstens één grond"),
    # two vacancies per ground: nothing may be reported (threshold 5), so the run stops with the rule
    Case("corr-two-vacancies-per-ground", "correspondentietest",
         corr(lambda d: d[d["vacature"].isin(["V001", "V002", "V091", "V092"])]), 2, ("sollicitaties.csv", None, None),
         "minstens 5 vacatures voor minstens één grond"),
    Case("corr-one-ground", "correspondentietest",
         corr(lambda d: d[d["grond"] == "geslacht"], extra={"reference_groups": {"geslacht": "man"}}), 0,
         rows={"sollicitaties.csv": 120}),
    Case("corr-text-in-numeric-covariate", "correspondentietest",
         corr(lambda d: _with_age(d, 10), extra={"columns": {**_own("correspondence")["columns"], "age": "leeftijd"},
                                                 "covariates": ["age"]}),
         2, ("sollicitaties.csv", 12, "leeftijd"), "getal"),
    Case("corr-numeric-covariate-ok", "correspondentietest",
         corr(_with_age, extra={"columns": {**_own("correspondence")["columns"], "age": "leeftijd"},
                                "covariates": ["age"]}), 0, rows={"sollicitaties.csv": 300}),
    Case("corr-unknown-outcome", "correspondentietest", corr(lambda d: _set(d, 5, "reactie", SECRET)), 2,
         ("sollicitaties.csv", 7, "reactie"), "ja of nee"),
    Case("corr-empty-outcome", "correspondentietest", corr(lambda d: _set(d, 8, "reactie", "")), 2,
         ("sollicitaties.csv", 10, "reactie"), "leeg"),
    Case("corr-empty-vacancy", "correspondentietest", corr(lambda d: _set(d, 3, "vacature", "")), 2,
         ("sollicitaties.csv", 5, "vacature"), None),
    Case("corr-empty-ground", "correspondentietest", corr(lambda d: _set(d, 20, "grond", "")), 2,
         ("sollicitaties.csv", 22, "grond"), None),
    Case("corr-unknown-ground", "correspondentietest", corr(lambda d: _set(d, 20, "grond", SECRET)), 2,
         ("sollicitaties.csv", 22, "grond"), None),
    Case("corr-missing-column", "correspondentietest", corr(lambda d: d.drop(columns=["reactie"])), 2,
         ("sollicitaties.csv", None, "reactie"), None),
    Case("corr-duplicate-application", "correspondentietest",
         corr(lambda d: pd.concat([d.iloc[:3], d.iloc[[0]], d.iloc[3:]])), 2, ("sollicitaties.csv", 5, None), None),
    Case("corr-unpaired", "correspondentietest", corr(lambda d: d.drop(index=[7])), 2,
         ("sollicitaties.csv", None, None), None),
    Case("corr-one-row", "correspondentietest", corr(lambda d: d.iloc[:1]), 2, ("sollicitaties.csv", None, None), None),
    Case("corr-header-only", "correspondentietest", corr(lambda d: d.iloc[:0]), 2, ("sollicitaties.csv", None, None),
         "alleen een kopregel"),
    Case("corr-empty-file", "correspondentietest", corr(raw=_bytes_raw(b"")), 2, ("sollicitaties.csv", None, None),
         "leeg"),
    Case("corr-whitespace-file", "correspondentietest", corr(raw=_bytes_raw(b" \n\n  \n")), 2,
         ("sollicitaties.csv", None, None), "leeg"),
    Case("corr-binary", "correspondentietest", corr(raw=_bytes_raw(bytes(range(256)) * 4)), 2,
         ("sollicitaties.csv", None, None), None),
    Case("corr-xlsx-named-csv", "correspondentietest",
         corr(raw=lambda p: corr_frame().to_excel(p.with_suffix(".tmp.xlsx"), index=False)
              or p.write_bytes(p.with_suffix(".tmp.xlsx").read_bytes())), 2,
         ("sollicitaties.csv", None, None), "Excel"),
    Case("corr-cp1252", "correspondentietest",
         corr(lambda d: d.replace({"Turkse naam": "Türkse naam"}), encoding="cp1252",
              extra={"reference_groups": {"herkomst": "Belgische naam", "geslacht": "man"}}), 0,
         rows={"sollicitaties.csv": 300}),
    Case("corr-utf8-bom", "correspondentietest", corr(encoding="utf-8-sig"), 0, rows={"sollicitaties.csv": 300}),
    Case("corr-comma-separated", "correspondentietest", corr(sep=","), 0, rows={"sollicitaties.csv": 300}),
    Case("corr-tab-separated", "correspondentietest", corr(ext=".tsv", sep="\t"), 0,
         rows={"sollicitaties.tsv": 300}),
    Case("corr-mixed-encoding", "correspondentietest",
         corr(raw=lambda p: p.write_bytes(_csv_text(corr_frame().replace({"bouw": "bouw €"})).encode("utf-8")
                                          + "V999;herkomst;man;nee;bouw €\n".encode("cp1252"))), 2,
         ("sollicitaties.csv", 302, None), "tekencodering"),
    Case("corr-ragged-row", "correspondentietest",
         corr(raw=lambda p: p.write_text(_csv_text(corr_frame()).replace("V003;herkomst;Belgische naam;",
                                                                        "V003;herkomst;Belgische naam;;;", 1),
                                         encoding="utf-8")), 2, ("sollicitaties.csv", 6, None), None),
    Case("corr-wide-file", "correspondentietest",
         corr(lambda d: d.assign(**{f"extra_{i}": "x" for i in range(60)})), 0, rows={"sollicitaties.csv": 300}),
    Case("corr-xlsx", "correspondentietest", corr(ext=".xlsx"), 0, rows={"sollicitaties.xlsx": 300}),
    Case("corr-parquet", "correspondentietest", corr(ext=".parquet"), 0, rows={"sollicitaties.parquet": 300}),
    Case("corr-sav", "correspondentietest", corr(ext=".sav"), 0, rows={"sollicitaties.sav": 300}),
    Case("corr-dta", "correspondentietest", corr(ext=".dta"), 0, rows={"sollicitaties.dta": 300}),
    Case("corr-truncated-parquet", "correspondentietest",
         corr(ext=".parquet", raw=lambda p: (_write(corr_frame(), p), p.write_bytes(p.read_bytes()[:300]))), 2,
         ("sollicitaties.parquet", None, None), "beschadigd"),
    Case("corr-xlsx-hidden-first-sheet", "correspondentietest", corr(ext=".xlsx", raw=_xlsx_raw(_hidden_first)), 0,
         rows={"sollicitaties.xlsx": 300}),
    Case("corr-xlsx-merged-cells", "correspondentietest", corr(ext=".xlsx", raw=_xlsx_raw(_merged)), 2,
         ("sollicitaties.xlsx", 4, None), "samengevoegde"),
    Case("corr-xlsx-formula-no-cache", "correspondentietest", corr(ext=".xlsx", raw=_xlsx_raw(_formula)), 2,
         ("sollicitaties.xlsx", 3, "reactie"), "formule"),
    Case("corr-xlsx-3mb-cell", "correspondentietest",
         corr(ext=".xlsx", raw=lambda p: (_xlsx_raw(_big_cell)(p), _grow_cell(p))), 2,
         ("sollicitaties.xlsx", 3, "sector"), None),
    Case("corr-csv-3mb-cell", "correspondentietest", corr(lambda d: _set(d, 1, "sector", "x" * 3_000_000)), 2,
         ("sollicitaties.csv", 3, None), "tekens"),
    Case("corr-xlsx-date-as-outcome", "correspondentietest", corr(ext=".xlsx", raw=_xlsx_raw(_date_outcome)), 2,
         ("sollicitaties.xlsx", 6, "reactie"), "datum"),
    Case("corr-xlsx-percent-as-outcome", "correspondentietest", corr(ext=".xlsx", raw=_xlsx_raw(_pct_outcome)), 2,
         ("sollicitaties.xlsx", 7, "reactie"), None),
    Case("corr-bootstrap-negative", "correspondentietest", corr(extra={"bootstrap": -5}), 2,
         (None, None, "bootstrap"), None, stage="params"),
    Case("corr-bootstrap-huge", "correspondentietest", corr(extra={"bootstrap": 10**9}), 2,
         (None, None, "bootstrap"), None, stage="params"),
    Case("corr-threshold-fraction", "correspondentietest", corr(extra={"threshold": 2.5}), 2,
         (None, None, "threshold"), None, stage="params"),
    Case("corr-seed-negative", "correspondentietest", corr(extra={"seed": -1}), 2,
         (None, None, "seed"), None, stage="params"),
    Case("corr-yaml-date-in-values", "correspondentietest",
         corr(extra={"values": {"outcome": {"ja": dt.date(2024, 1, 1), "nee": 0}}}), 2,
         (None, None, "values"), None, stage="params"),
    Case("corr-yaml-binary-in-columns", "correspondentietest",
         corr(extra={"columns": {**_own("correspondence")["columns"], "outcome": b"reactie"}}), 2,
         (None, None, "columns"), None, stage="params"),
    Case("corr-missing-file", "correspondentietest", corr(extra={"data": "/nonexistent/x.csv"}), 2,
         (None, None, "data"), None, stage="params"),
    Case("corr-reference-not-in-data", "correspondentietest",
         corr(extra={"reference_groups": {"herkomst": "Marokkaanse naam", "geslacht": "man"}}), 2,
         ("sollicitaties.csv", None, "groep"), None),
]



# survey ------------------------------------------------------------------------


def surv(df_fn=None, ext: str = ".csv", extra: dict | None = None, raw=None, frame: str | None = None, **kw):
    """A builder: the own survey, its answers changed by ``df_fn``, written as ``ext``; with
    ``frame`` (CSV text) weighted to a frame of departments."""

    def build(folder: Path) -> dict:
        p = _own("survey")
        p["data"] = _input(folder / f"antwoorden{ext}", survey_frame, df_fn, raw, kw)
        if frame is not None:
            (folder / "kader.csv").write_text(frame, encoding="utf-8")
            p.update(frame=str(folder / "kader.csv"), frame_count="medewerkers", margins=["afdeling"])
        p.update(extra or {})
        return p

    return build


FRAME = "afdeling;medewerkers\nOnthaal;80\nProductie;200\nVerkoop;120\n"


def _frame_with(count: str) -> str:
    return FRAME.replace("200", count)


SURVEY = [
    Case("survey-frame-text-count", "survey_evaluatie", surv(frame=_frame_with(SECRET)), 2,
         ("kader.csv", 3, "medewerkers"), "een aantal"),
    Case("survey-frame-negative-count", "survey_evaluatie", surv(frame=_frame_with("-5")), 2,
         ("kader.csv", 3, "medewerkers"), "een aantal"),
    Case("survey-frame-empty-count", "survey_evaluatie", surv(frame=_frame_with("")), 2,
         ("kader.csv", 3, "medewerkers"), "een aantal"),
    Case("survey-frame-fractional-count", "survey_evaluatie", surv(frame=_frame_with("12,5")), 2,
         ("kader.csv", 3, "medewerkers"), "een aantal"),
    Case("survey-frame-percent-count", "survey_evaluatie", surv(frame=_frame_with("50%")), 2,
         ("kader.csv", 3, "medewerkers"), None),
    Case("survey-frame-missing-level", "survey_evaluatie", surv(frame=FRAME.replace("Verkoop", "")), 2,
         ("kader.csv", 4, "afdeling"), None),
    Case("survey-frame-ok", "survey_evaluatie", surv(frame=FRAME), 0, rows={"antwoorden.csv": 150}),
    Case("survey-duplicate-respondent", "survey_evaluatie",
         surv(lambda d: pd.concat([d.iloc[:10], d.iloc[[4]], d.iloc[10:]])), 2, ("antwoorden.csv", 12, None),
         "rij 6"),
    Case("survey-unknown-answer", "survey_evaluatie", surv(lambda d: _set(d, 6, "sfeer_team", SECRET)), 2,
         ("antwoorden.csv", 8, "sfeer_team"), None),
    Case("survey-date-as-answer", "survey_evaluatie", surv(lambda d: _set(d, 6, "sfeer_team", "12/05/2024")), 2,
         ("antwoorden.csv", 8, "sfeer_team"), None),
    Case("survey-percent-as-answer", "survey_evaluatie", surv(lambda d: _set(d, 6, "bijleren", "50%")), 2,
         ("antwoorden.csv", 8, "bijleren"), None),
    Case("survey-unknown-yes-no", "survey_evaluatie", surv(lambda d: _set(d, 9, "thuiswerk", SECRET)), 2,
         ("antwoorden.csv", 11, "thuiswerk"), None),
    Case("survey-missing-item-column", "survey_evaluatie", surv(lambda d: d.drop(columns=["bijleren"])), 2,
         ("antwoorden.csv", None, "bijleren"), None),
    Case("survey-everyone-same", "survey_evaluatie",
         surv(lambda d: d.assign(sfeer_team="Goed", thuiswerk="ja")), 0, rows={"antwoorden.csv": 150}),
    Case("survey-domain-all-same", "survey_evaluatie",
         surv(lambda d: d.assign(sfeer_team=d["sfeer_team"].where(d["afdeling"] != "Verkoop", "Goed"))), 0,
         rows={"antwoorden.csv": 150}),
    Case("survey-yaml-date-in-items", "survey_evaluatie",
         surv(extra={"items": {"sfeer_team": {"scale": "oordeel", "label": dt.date(2024, 1, 1)}}, "values": {}}), 2,
         (None, None, "items"), None, stage="params"),
    Case("survey-one-department", "survey_evaluatie", surv(lambda d: d.assign(afdeling="Verkoop")), 0,
         rows={"antwoorden.csv": 150}),
    Case("survey-one-row", "survey_evaluatie", surv(lambda d: d.iloc[:1]), 2, ("antwoorden.csv", None, None),
         "minstens twee"),
    Case("survey-header-only", "survey_evaluatie", surv(lambda d: d.iloc[:0]), 2, ("antwoorden.csv", None, None),
         "alleen een kopregel"),
    Case("survey-empty-file", "survey_evaluatie", surv(raw=_bytes_raw(b"")), 2, ("antwoorden.csv", None, None),
         "leeg"),
    Case("survey-all-blank-answers", "survey_evaluatie", surv(lambda d: d.assign(sfeer_team="")), 0,
         rows={"antwoorden.csv": 150}),
    Case("survey-xlsx", "survey_evaluatie", surv(ext=".xlsx"), 0, rows={"antwoorden.xlsx": 150}),
    Case("survey-parquet", "survey_evaluatie", surv(ext=".parquet"), 0, rows={"antwoorden.parquet": 150}),
    Case("survey-sav", "survey_evaluatie", surv(ext=".sav"), 0, rows={"antwoorden.sav": 150}),
    Case("survey-dta", "survey_evaluatie", surv(ext=".dta"), 0, rows={"antwoorden.dta": 150}),
    Case("survey-cp1252", "survey_evaluatie", surv(lambda d: d.replace({"Onthaal": "Accueil é"}),
                                                   encoding="cp1252"), 0, rows={"antwoorden.csv": 150}),
    Case("survey-utf8-bom-comma", "survey_evaluatie", surv(encoding="utf-8-sig", sep=","), 0,
         rows={"antwoorden.csv": 150}),
    Case("survey-tab", "survey_evaluatie", surv(ext=".tsv", sep="\t"), 0, rows={"antwoorden.tsv": 150}),
    Case("survey-wide", "survey_evaluatie", surv(lambda d: d.assign(**{f"v{i}": "x" for i in range(80)})), 0,
         rows={"antwoorden.csv": 150}),
    Case("survey-duplicate-header", "survey_evaluatie",
         surv(raw=lambda p: p.write_text(_csv_text(survey_frame()).replace("bijleren", "sfeer_team", 1),
                                         encoding="utf-8")), 2, ("antwoorden.csv", 1, "sfeer_team"), None),
    Case("survey-unclosed-quote", "survey_evaluatie",
         surv(raw=lambda p: p.write_text(_csv_text(survey_frame()).replace("R010;", 'R010;"', 1),
                                         encoding="utf-8")), 2, ("antwoorden.csv", None, None), "aanhalingsteken"),
    Case("survey-legacy-xls", "survey_evaluatie", surv(ext=".xls", raw=_bytes_raw(b"\xd0\xcf\x11\xe0" + b"\0" * 600)),
         2, ("antwoorden.xls", None, None), "ondersteunde bestandstypes"),
    Case("survey-bad-conf", "survey_evaluatie", surv(extra={"conf": 1.5}), 2, (None, None, "conf"), None,
         stage="params"),
    Case("survey-bad-ci", "survey_evaluatie", surv(extra={"ci": "bayes"}), 2, (None, None, "ci"), None,
         stage="params"),
    Case("survey-items-not-a-dict", "survey_evaluatie", surv(extra={"items": ["sfeer_team"]}), 2,
         (None, None, "items"), None, stage="params"),
    Case("survey-item-not-in-file", "survey_evaluatie",
         surv(extra={"items": {"geluk": {"scale": "akkoord", "label": "Geluk"}}, "values": {}}), 2,
         ("antwoorden.csv", None, "geluk"), None),
    Case("survey-unknown-scale", "survey_evaluatie",
         surv(extra={"items": {"sfeer_team": {"scale": "onbekend", "label": "Sfeer"}}, "values": {}}), 2,
         (None, None, None), "onbekend"),
    Case("survey-threshold-text", "survey_evaluatie", surv(extra={"threshold": "vijf"}), 2,
         (None, None, "threshold"), None, stage="params"),
]


# targets ------------------------------------------------------------------------


def targ(df_fn=None, ext: str = ".csv", extra: dict | None = None, raw=None, **kw):
    """A builder: the own personnel file, changed by ``df_fn``, written as ``ext``."""

    def build(folder: Path) -> dict:
        p = _own("targets")
        p["microdata"] = _input(folder / f"personeel{ext}", targets_frame, df_fn, raw, kw)
        p.update(extra or {})
        return p

    return build


def published(df_fn) -> Callable[[Path], dict]:
    """A builder: the example's test params (params/test/streefcijfers.yaml) with its published
    series changed by ``df_fn``."""

    def build(folder: Path) -> dict:
        p = yaml.safe_load((REPO / "params" / "test" / "streefcijfers.yaml").read_text(encoding="utf-8"))["parameters"]
        df = pd.read_csv(REPO / p["data"], dtype=str, keep_default_na=False)
        path = folder / "reeks.csv"
        df_fn(df).to_csv(path, index=False)
        p["data"] = str(path)
        return p

    return build


def _dates(df):
    return sorted(df["peildatum"].unique())


TARGETS = [
    Case("targets-published-empty-group-key", "streefcijfers",
         published(lambda d: _set(d, 3, "group_key", "")), 2, ("reeks.csv", 5, "group_key"), None),
    Case("targets-published-text-share", "streefcijfers",
         published(lambda d: _set(d, 3, "share_pct", SECRET)), 2, ("reeks.csv", 5, "share_pct"), None),
    Case("targets-published-year-text", "streefcijfers",
         published(lambda d: _set(d, 2, "year", "twintig")), 2, ("reeks.csv", 4, "year"), None),
    Case("targets-published-share-over-100", "streefcijfers",
         published(lambda d: _set(d, 2, "share_pct", "140")), 2, ("reeks.csv", 4, "share_pct"), None),
    Case("targets-published-duplicate-row", "streefcijfers",
         published(lambda d: pd.concat([d.iloc[:3], d.iloc[[1]], d.iloc[3:]])), 2, ("reeks.csv", 5, None), None),
    Case("targets-published-one-figure", "streefcijfers",
         published(lambda d: d[d["group_key"] == "women_top"].iloc[:1]), 0, rows={"reeks.csv": 1}),
    Case("targets-bad-date", "streefcijfers", targ(lambda d: _set(d, 4, "peildatum", SECRET)), 2,
         ("personeel.csv", 6, "peildatum"), None),
    Case("targets-empty-sex", "streefcijfers", targ(lambda d: _set(d, 4, "geslacht", "")), 0,
         rows={"personeel.csv": None}, excluded={"geslacht ontbreekt": 1}),
    Case("targets-unknown-education", "streefcijfers", targ(lambda d: _set(d, 4, "opleiding", SECRET)), 2,
         ("personeel.csv", 6, "opleiding"), None),
    Case("targets-birth-date-text", "streefcijfers", targ(lambda d: _set(d, 7, "geboortedatum", SECRET)), 2,
         ("personeel.csv", 9, "geboortedatum"), None),
    Case("targets-percent-as-date", "streefcijfers", targ(lambda d: _set(d, 7, "geboortedatum", "45%")), 2,
         ("personeel.csv", 9, "geboortedatum"), None),
    Case("targets-duplicate-employee", "streefcijfers",
         targ(lambda d: pd.concat([d.iloc[:5], d.iloc[[2]], d.iloc[5:]])), 0, rows={"personeel.csv": None},
         excluded={"dubbel": 1}),
    Case("targets-empty-employee-id", "streefcijfers", targ(lambda d: _set(d, 3, "personeelsnummer", "")), 0,
         rows={"personeel.csv": None}, excluded={"personeelsnummer ontbreekt": 1}),
    Case("targets-missing-column", "streefcijfers", targ(lambda d: d.drop(columns=["geslacht"])), 2,
         ("personeel.csv", None, "geslacht"), None),
    Case("targets-one-date", "streefcijfers", targ(lambda d: d[d["peildatum"] == _dates(d)[-1]]), 0,
         rows={"personeel.csv": None}),
    Case("targets-one-row", "streefcijfers", targ(lambda d: d.iloc[:1]), 2, (None, None, None),
         "komt niet voor in het personeelsbestand"),
    Case("targets-all-women", "streefcijfers", targ(lambda d: d.assign(geslacht="V")), 0,
         rows={"personeel.csv": None}),
    Case("targets-header-only", "streefcijfers", targ(lambda d: d.iloc[:0]), 2, ("personeel.csv", None, None),
         "alleen een kopregel"),
    Case("targets-xlsx", "streefcijfers", targ(ext=".xlsx"), 0, rows={"personeel.xlsx": None}),
    Case("targets-parquet", "streefcijfers", targ(ext=".parquet"), 0, rows={"personeel.parquet": None}),
    Case("targets-dta", "streefcijfers", targ(ext=".dta"), 0, rows={"personeel.dta": None}),
    Case("targets-sav", "streefcijfers", targ(ext=".sav"), 0, rows={"personeel.sav": None}),
    Case("targets-cp1252", "streefcijfers", targ(encoding="cp1252"), 0, rows={"personeel.csv": None}),
    Case("targets-comma-separated", "streefcijfers", targ(sep=","), 0, rows={"personeel.csv": None}),
    Case("targets-really-csv-named-xlsx", "streefcijfers",
         targ(ext=".xlsx", raw=lambda p: p.write_text(_csv_text(targets_frame()), encoding="utf-8")), 2,
         ("personeel.xlsx", None, None), "CSV"),
    Case("targets-truncated-sav", "streefcijfers",
         targ(ext=".sav", raw=lambda p: (_write(targets_frame(), p), p.write_bytes(p.read_bytes()[:500]))), 2,
         ("personeel.sav", None, None), "beschadigd"),
    Case("targets-gender-threshold-text", "streefcijfers", targ(extra={"gender_threshold": "veel"}), 2,
         (None, None, "gender_threshold"), None, stage="params"),
    Case("targets-values-not-a-mapping", "streefcijfers", targ(extra={"values": {"education_level": "hoger"}}), 2,
         (None, None, "values"), None, stage="params"),
    Case("targets-as-of-text", "streefcijfers", targ(extra={"as_of": "volgend jaar"}), 2,
         (None, None, "as_of"), None, stage="params"),
    Case("targets-yaml-binary-in-values", "streefcijfers",
         targ(extra={"values": {"education_level": {"hoger": b"higher"}}}), 2,
         (None, None, "values"), None, stage="params"),
    Case("targets-microdata-missing", "streefcijfers", targ(extra={"microdata": "/nergens/personeel.csv"}), 2,
         (None, None, "microdata"), None, stage="params"),
]


# actionplan ------------------------------------------------------------------------


def plan(mutate=None, extra: dict | None = None, raw=None):
    """A builder: the own action plan workbook, its cells changed by ``mutate(workbook)``."""

    def build(folder: Path) -> dict:
        p = _own("actionplan")
        path = folder / "plan.xlsx"
        if raw is not None:
            raw(path)
        else:
            wb = load_workbook(OWN / "own_actionplan" / "studie.xlsx")
            if mutate:
                mutate(wb)
            wb.save(path)
        p["budget"] = p["planning"] = str(path)
        p.update(extra or {})
        return p

    return build


def plan_csv(df_fn):
    """A builder: the own action plan with its budget as a CSV file, changed by ``df_fn``."""

    def build(folder: Path) -> dict:
        p = plan()(folder)
        df = pd.read_excel(OWN / "own_actionplan" / "studie.xlsx", sheet_name="begroting", dtype=str)
        _write(df_fn(df), folder / "begroting.csv")
        p["budget"] = str(folder / "begroting.csv")
        p["sheets"] = {"planning": "planning"}
        return p

    return build


def _cell(sheet: str, ref: str, value, fmt: str | None = None):
    def mutate(wb):
        wb[sheet][ref] = value
        if fmt:
            wb[sheet][ref].number_format = fmt
    return mutate


def _both(*fns):
    def mutate(wb):
        for f in fns:
            f(wb)
    return mutate


def _hide_budget_first(wb):
    h = wb.create_sheet("klad", 0)
    h.append(["niets", "hier"])
    h.sheet_state = "hidden"


def _delete_rows(sheet: str, first: int, n: int):
    return lambda wb: wb[sheet].delete_rows(first, n)


PLAN = [
    Case("plan-percent-in-euro", "actieplan_opvolging", plan(_cell("begroting", "E4", "120%")), 2,
         ("plan.xlsx", 4, "Uitgegeven (€)"), None),
    Case("plan-excel-percent-in-euro", "actieplan_opvolging", plan(_cell("begroting", "E4", 1.2, "0%")), 2,
         ("plan.xlsx", 4, "Uitgegeven (€)"), None),
    Case("plan-text-in-euro", "actieplan_opvolging", plan(_cell("begroting", "D5", SECRET)), 2,
         ("plan.xlsx", 5, "Voorzien (€)"), None),
    Case("plan-formula-without-value", "actieplan_opvolging", plan(_cell("begroting", "E6", "=D6*0,5")), 2,
         ("plan.xlsx", 6, "Uitgegeven (€)"), "formule"),
    Case("plan-empty-euro", "actieplan_opvolging", plan(_cell("begroting", "D7", None)), 0,
         rows={"plan.xlsx": None}),  # an action without a planned amount is allowed (nullable)
    Case("plan-csv-percent-in-euro", "actieplan_opvolging", plan_csv(lambda d: _set(d, 2, "Uitgegeven (€)", "120%")), 2,
         ("begroting.csv", 4, "Uitgegeven (€)"), "geen percentage"),
    Case("plan-csv-all-percent-in-euro", "actieplan_opvolging",
         plan_csv(lambda d: d.assign(**{"Uitgegeven (€)": [f"{i}%" for i in range(len(d))]})), 2,
         ("begroting.csv", 2, "Uitgegeven (€)"), "geen percentage"),
    Case("plan-all-done", "actieplan_opvolging",
         plan(lambda wb: [wb["begroting"].cell(r, 6, "afgerond") for r in range(2, wb["begroting"].max_row + 1)]), 0,
         rows={"plan.xlsx": None}),
    Case("plan-csv-ok", "actieplan_opvolging", plan_csv(lambda d: d), 0, rows={"begroting.csv": 20}),
    Case("plan-unknown-status", "actieplan_opvolging", plan(_cell("begroting", "F3", SECRET)), 2,
         ("plan.xlsx", 3, "Stand"), None),
    Case("plan-empty-action", "actieplan_opvolging", plan(_cell("begroting", "C8", None)), 2,
         ("plan.xlsx", 8, "Actie"), None),
    Case("plan-date-in-days", "actieplan_opvolging", plan(_cell("planning", "C5", "2024-05-01")), 2,
         ("plan.xlsx", 5, "Werkdagen"), None),
    Case("plan-negative-days", "actieplan_opvolging", plan(_cell("planning", "C5", -3)), 2,
         ("plan.xlsx", 5, "Werkdagen"), None),
    Case("plan-fractional-days", "actieplan_opvolging", plan(_cell("planning", "C5", 2.5)), 0,
         rows={"plan.xlsx": None}),
    Case("plan-merged-cells", "actieplan_opvolging", plan(lambda wb: wb["begroting"].merge_cells("B3:B4")), 2,
         ("plan.xlsx", 3, None), "samengevoegde"),
    Case("plan-missing-sheet", "actieplan_opvolging", plan(extra={"sheets": {"budget": "Begroting 2099",
                                                                             "planning": "planning"}}), 2,
         ("plan.xlsx", None, None), "werkblad"),
    Case("plan-hidden-sheet-first", "actieplan_opvolging", plan(_hide_budget_first), 0, rows={"plan.xlsx": None}),
    Case("plan-header-only", "actieplan_opvolging", plan(_delete_rows("begroting", 2, 100)), 2,
         ("plan.xlsx", None, None), "alleen een kopregel"),
    Case("plan-one-action", "actieplan_opvolging",
         plan(_both(_delete_rows("begroting", 3, 100), _delete_rows("planning", 3, 100))), 0,
         rows={"plan.xlsx": None}),
    Case("plan-missing-column", "actieplan_opvolging", plan(lambda wb: wb["begroting"].delete_cols(6)), 2,
         ("plan.xlsx", None, "Stand"), None),
    Case("plan-budget-totals-text", "actieplan_opvolging", plan(extra={"budget_totals": {"planned_eur": "veel"}}), 2,
         (None, None, "budget_totals"), None, stage="params"),
    Case("plan-parts-unknown", "actieplan_opvolging", plan(extra={"parts": ["budget", "toekomst"]}), 2,
         (None, None, "parts"), None, stage="params"),
    Case("plan-months-wrong", "actieplan_opvolging", plan(extra={"months": ["2024-13", "2025-01"]}), 2,
         (None, None, None), "parameter 'months'"),
    Case("plan-budget-missing-file", "actieplan_opvolging", plan(extra={"budget": "/nergens/plan.xlsx"}), 2,
         (None, None, "budget"), None, stage="params"),
]

CASES: list[Case] = [*CORR, *SURVEY, *TARGETS, *PLAN]
ANALYSES = list(dict.fromkeys(c.analysis for c in CASES))


# --------------------------------------------------------------------------- running


def _fake_root(base: Path) -> Path:
    """A project root with the real notebooks and data and an empty ``params/`` for the cases."""
    r = base / "root"
    (r / "params").mkdir(parents=True)
    for d in ("notebooks", "data"):
        (r / d).symlink_to(REPO / d)
    return r


def _write_case(case: Case, r: Path) -> Path:
    folder = r / "cases" / case.id
    folder.mkdir(parents=True)
    params = case.build(folder)
    pf = r / "params" / f"{case.id}.yaml"
    pf.write_text(yaml.safe_dump({"notebook": case.analysis, "parameters": params}, allow_unicode=True),
                  encoding="utf-8")
    return pf


@dataclass
class Outcome:
    exit: int
    message: str  # the error the user sees (run.json's error or the command's stderr)
    output: str  # everything the command printed
    record: dict | None
    folder: Path | None


def _record_exit(rec: dict) -> int:
    """The exit code `evaluatie run` gives a run with this record (see evaluatie.run.cli.cmd_run)."""
    if rec.get("status") == "ok":
        return 0
    return 2 if (rec.get("error") or {}).get("ename") == "DataError" else 1


def _run_cases(cases: list[Case], base: Path) -> dict[str, Outcome]:
    """Run ``cases`` through the CLI (see the module docstring): case id -> what the user got."""
    r = _fake_root(base)
    out = base / "out"
    res: dict[str, Outcome] = {}
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("EVALUATIE_ROOT", str(r))
        batch: list[str] = []
        for case in cases:
            _write_case(case, r)
            if case.stage == "params":
                rc, text = _main(["run", case.id, "--out", str(out), "--quiet"])
                res[case.id] = Outcome(rc, text, text, None, None)
            else:
                batch.append(case.id)
        if batch:
            rc, text = _main(["run", *batch, "--out", str(out), "--quiet", "--jobs", "2"])
            for cid in batch:
                rec = json.loads((out / cid / "run.json").read_text(encoding="utf-8"))
                err = rec.get("error") or {}
                msg = f"{err.get('ename', '')}: {err.get('evalue', '')}" if err else ""
                res[cid] = Outcome(_record_exit(rec), msg, text, rec, out / cid)
            failed = [res[c].exit for c in batch if res[c].exit]
            expected_rc = 0 if not failed else (2 if all(c == 2 for c in failed) else 1)
            assert rc == expected_rc, (rc, {c: res[c].exit for c in batch})
    return res


def _main(argv: list[str]) -> tuple[int, str]:
    """Run the CLI in-process; return its exit code and everything it printed."""
    so, se = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(so), contextlib.redirect_stderr(se):
        rc = main(argv)
    return rc, so.getvalue() + se.getvalue()


def _ledger_ok(case: Case, folder: Path) -> None:
    led = pd.read_csv(folder / "tables" / "ledger.csv")
    for src, g in led.groupby("source"):
        read = g.loc[g["step"] == "read", "rows"].sum()
        excluded = g.loc[g["step"] == "excluded", "rows"].sum()
        analysed = g.loc[g["step"] == "analysed", "rows"].sum()
        assert read == analysed + excluded, (case.id, src, read, analysed, excluded)
    for name, n in case.rows.items():
        g = led[led["source"].astype(str).str.contains(name, regex=False)]
        if g.empty and case.analysis == "correspondentietest":  # the ledger names the applications file by its role
            g = led[led["source"].astype(str).str.startswith("sollicitaties")]
        assert not g.empty, (case.id, name, led["source"].unique())
        read = g.loc[g["step"] == "read", "rows"]
        assert len(read) >= 1 and (n is None or read.sum() == n), (case.id, name, g.to_dict("records"))
    if case.analysis == "correspondentietest":  # the analysed rows are the applications the rates count
        rates = pd.read_csv(folder / "tables" / "callback_rates.csv")
        assert rates["applications"].sum() == led.loc[led["step"] == "analysed", "rows"].sum(), case.id
    for words, n in case.excluded.items():
        hit = led[(led["step"] == "excluded") & led["reason"].astype(str).str.contains(words, regex=False)]
        assert hit["rows"].sum() == n, (case.id, words, led.to_dict("records"))


def _check(case: Case, o: Outcome) -> None:
    """Raise AssertionError unless the user got what ``case`` expects."""
    assert "Traceback" not in o.output and "Traceback" not in o.message, (case.id, o.output[-2000:])
    if o.record is not None:
        assert "Traceback" not in json.dumps(o.record)
    assert o.exit == case.exit, (case.id, o.message or o.output[-1500:])
    assert SECRET not in o.message and (o.record is not None or SECRET not in o.output), (case.id, o.message)
    if o.folder is not None and case.exit:  # a failed run publishes no planted value: not in any file it
        # leaves (run.json, the notebook up to the failing cell, the kernel log), nor in the index
        for f in [*sorted(p for p in o.folder.rglob("*") if p.is_file()), o.folder.parent / "index.html"]:
            assert SECRET.encode() not in f.read_bytes(), (case.id, f.name)
    if case.exit == 0:
        _ledger_ok(case, o.folder)
        return
    file, row, col = case.where
    if file:
        assert f"bestand {file}" in o.message or f"/{file}" in o.message, (case.id, o.message)
    if row is not None:
        assert f"rij {row}" in o.message, (case.id, o.message)
    if col:
        assert f"'{col}'" in o.message, (case.id, o.message)
    if case.words:
        assert case.words in o.message, (case.id, o.message)


@pytest.mark.parametrize("analysis", ANALYSES)
def test_corpus(analysis, tmp_path):
    """Every case of one analysis (one test per analysis, so that a parallel run does not repeat a
    batch): each gets its expected answer; a case marked ``xfail`` must still fail (else its
    mark is out of date)."""
    cases = [c for c in CASES if c.analysis == analysis]
    res = _run_cases(cases, tmp_path)
    failures = []
    for c in cases:
        try:
            _check(c, res[c.id])
            why = None
        except AssertionError as e:
            why = str(e)[:1500]
        if c.xfail and why is None:
            failures.append(f"{c.id}: gives the expected answer now; remove its xfail ({c.xfail})")
        elif why is not None and not c.xfail:
            failures.append(f"{c.id}: {why}")
    assert not failures, "\n\n".join(failures)


def test_corpus_size():
    assert len(CASES) >= 100
    assert len({c.id for c in CASES}) == len(CASES)
    assert {c.exit for c in CASES} == {0, 2} and {c.stage for c in CASES} == {"params", "run"}
