"""Reading and checking the aggregate input files of the target-figure report: published series
(:func:`read_series`, several sources stacked by :func:`combine_sources`), targets, yearly
figures, growth paths, and the entities of a run (:func:`entity_values`). The personnel
microdata are prepared in :mod:`evaluatie.analyses.targets.personnel`.

Files are read with :func:`evaluatie.intake.read.read_table`; a cell that it left as text (a
column holding some non-number, or text columns of a Parquet file) is read with
:func:`evaluatie.core.numbers.parse_number` in the decimal style of the file (a CSV's decided
style, else Dutch). Problems are raised together as one :class:`~evaluatie.core.errors.DataError`.
"""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import Any, Mapping, Sequence

import numpy as np
import pandas as pd
import pyarrow.parquet as pq

from evaluatie.analyses.targets.growth_paths import default_rules, parse_interim_target
from evaluatie.core.errors import DataError, Problem
from evaluatie.core.numbers import parse_number
from evaluatie.core.paths import resolve
from evaluatie.intake.read import read_table
from evaluatie.intake.schema import Column, Ledger, Schema

__all__ = ["CANONICAL", "read_series", "combine_sources", "read_targets", "read_yearly_figures",
           "read_growth_paths", "entity_values", "growth_rules", "read_published", "read_yearly_or_empty",
           "read_template", "DEFAULT_ENTITY"]


CANONICAL = ("year", "group", "share_pct", "numerator", "denominator", "definition")
#: The entity of a personnel file without an entity column when the report names no ``organisation``.
DEFAULT_ENTITY = "de organisatie"


def _decimal_style(df: pd.DataFrame) -> str:
    """The decimal style :func:`read_table` decided for a CSV file (``"en"`` for a decimal
    point); Dutch for every other file."""
    return "en" if df.attrs.get("csv", {}).get("decimal") == "." else "nl"


def _number(v: Any, style: str) -> float | None:
    """One cell as a number: ``None`` when empty, a number as it is, text through
    :func:`parse_number` in ``style`` (``"1.440"`` is 1440 in Dutch, ``"1,440.5"`` 1440.5 in
    either style). Raises ``ValueError`` for text that is no number."""
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return None
    if isinstance(v, (int, float, np.integer, np.floating)):
        return float(v)
    t = str(v).strip()
    if not t:
        return None
    x = parse_number(t, style)
    if math.isnan(x):
        raise ValueError(f"not a number: {t!r}")
    return x


def read_series(path: str | Path, columns: Mapping[str, str] | None = None, *,
                group: str | None = None, tolerance_pp: float = 0.051) -> tuple[pd.DataFrame, Ledger]:
    """Read an aggregate file of target-group figures into the canonical long layout
    ``group, year, share_pct, numerator, denominator, definition`` (plus any other columns).

    ``columns`` maps canonical names to the user's column names, e.g.
    ``{"year": "jaar", "group": "kansengroep", "share_pct": "aandeel"}``; a file of one group
    may omit the group column and pass ``group=``. A share may be given as counts only (it is
    then computed). Problems (non-numeric, out of range, numerator > denominator, share that
    disagrees with its counts beyond rounding) are raised together as one :class:`DataError`.
    Returns the table and its row ledger.
    """
    path = Path(path)
    df = read_table(path)
    fname = df.attrs.get("source", {}).get("file", path.name)
    style = _decimal_style(df)
    mapping = {c: c for c in CANONICAL}
    mapping.update(dict(columns or {}))
    problems: list[Problem] = []
    missing = [mapping[c] for c in ("year",) if mapping[c] not in df.columns]
    if group is None and mapping["group"] not in df.columns:
        missing.append(mapping["group"])
    has_share = mapping["share_pct"] in df.columns
    has_counts = mapping["numerator"] in df.columns and mapping["denominator"] in df.columns
    if not has_share and not has_counts:
        missing.append(mapping["share_pct"])
    if missing:
        raise DataError([Problem(fname, None, m, None, f"een kolom '{m}' (zie de kolomkoppeling "
                                 "in de parameters)") for m in missing])
    out = pd.DataFrame(index=df.index)
    out["group"] = group if group is not None else df[mapping["group"]].astype(str).str.strip()
    if group is None:
        no_group = out["group"].isna() | (out["group"] == "")
        problems += [Problem(fname, int(row), mapping["group"], None,
                             "de sleutel van een kansengroep (elke rij hoort bij een groep)")
                     for row in out.index[no_group.to_numpy()]]
    for c in ("year", "share_pct", "numerator", "denominator"):
        src = mapping[c]
        vals = []
        for row, v in (df[src].items() if src in df.columns else ((i, None) for i in df.index)):
            try:
                vals.append(_number(v, style))
            except ValueError:
                problems.append(Problem(fname, int(row), src, v, "een getal"))
                vals.append(None)
        out[c] = pd.array(vals, dtype="Float64").astype(float)
    dsrc = mapping["definition"]
    out["definition"] = (df[dsrc].astype(object).where(df[dsrc].notna(), None)
                         if dsrc in df.columns else None)
    for c in df.columns:
        if c not in mapping.values() and c not in out.columns:
            out[c] = df[c]
    for row, r in out.iterrows():
        y, s, k, n = r["year"], r["share_pct"], r["numerator"], r["denominator"]
        if pd.isna(y):
            if not any(p.row == row and p.column == mapping["year"] for p in problems):
                problems.append(Problem(fname, int(row), mapping["year"], None, "een jaartal"))
        elif y != int(y) or not 1900 <= y <= 2100:
            problems.append(Problem(fname, int(row), mapping["year"], y, "een jaartal tussen 1900 en 2100"))
        if not pd.isna(s) and not 0 <= s <= 100:
            problems.append(Problem(fname, int(row), mapping["share_pct"], s,
                                    "een aandeel in procent tussen 0 en 100"))
        if not pd.isna(k) and not pd.isna(n):
            if n <= 0 or k < 0 or k > n:
                problems.append(Problem(fname, int(row), mapping["numerator"], k,
                                        f"een aantal tussen 0 en de noemer ({n:g})"))
            elif not pd.isna(s) and abs(100 * k / n - s) > tolerance_pp:
                problems.append(Problem(fname, int(row), mapping["share_pct"], s,
                                        f"{100 * k / n:.2f} (teller/noemer), op afronding na"))
        if pd.isna(s) and (pd.isna(k) or pd.isna(n)):
            problems.append(Problem(fname, int(row), mapping["share_pct"], None,
                                    "een aandeel, of teller en noemer"))
    if not problems:
        key = out[["group", "year"]].assign(definition=out["definition"].astype(object).where(
            out["definition"].notna(), ""))
        for row in key.index[key.duplicated(keep="first")]:
            problems.append(Problem(fname, int(row), mapping["year"], int(out.at[row, "year"]),
                                    "één cijfer per groep, jaar en definitie (dit jaar staat er al voor "
                                    f"groep {out.at[row, 'group']})"))
    if problems:
        raise DataError(problems)
    fill = out["share_pct"].isna()
    out.loc[fill, "share_pct"] = 100 * out.loc[fill, "numerator"] / out.loc[fill, "denominator"]
    out["year"] = out["year"].astype(int)
    ledger = Ledger(fname, read=len(out))
    out.attrs["source"] = {"file": fname}
    return out, ledger


def combine_sources(frames: Sequence[tuple[pd.DataFrame, Ledger]]) -> tuple[pd.DataFrame, list[Ledger]]:
    """Stack several read series. A (group, year, definition) given by more than one source is
    kept once — the row with headcounts, else the first — after checking the shares agree
    (within rounding); the others are excluded in their ledger with the reason."""
    parts = []
    for i, (df, _led) in enumerate(frames):
        d = df.copy()
        d["_src"] = i
        d["_row"] = d.index
        parts.append(d)
    allr = pd.concat(parts, ignore_index=True)
    allr["_def"] = allr["definition"].astype(object).where(allr["definition"].notna(), "")
    allr["_counts"] = allr["numerator"].notna() & allr["denominator"].notna()
    ledgers = [led for _, led in frames]
    keep = np.ones(len(allr), dtype=bool)
    problems = []
    # a missing definition matches any definition of the same group and year
    for (g, y), d in allr.groupby(["group", "year"], sort=False):
        if len(d) < 2 or d["_src"].nunique() < 2:
            continue
        stated = {x for x in d["_def"] if x}
        if len(stated) > 1 and (d["_def"] == "").any():
            continue  # an overlap year with an unlabelled figure: keep all, segments sort it out
        best = d.sort_values(["_counts", "_src"], ascending=[False, True]).index[0]
        for j in d.index:
            if j == best:
                continue
            if abs(d.at[j, "share_pct"] - d.at[best, "share_pct"]) > 0.051:
                f = frames[int(d.at[j, "_src"])][0].attrs.get("source", {}).get("file")
                problems.append(Problem(f, int(d.at[j, "_row"]), "share_pct", d.at[j, "share_pct"],
                                        f"{d.at[best, 'share_pct']:g} zoals in de andere bron voor "
                                        f"{g} {y}"))
            keep[allr.index.get_loc(j)] = False
            ledgers[int(d.at[j, "_src"])].exclude(
                "zelfde groep en jaar ook in een andere bron (daar met aantallen of eerst vermeld)", 1)
    if problems:
        raise DataError(problems)
    out = allr.loc[keep].drop(columns=["_src", "_row", "_def", "_counts"])
    # missing definitions take the group's stated definition of that year, if unique
    out = out.sort_values(["group", "year"], kind="stable").reset_index(drop=True)
    return out, ledgers


def read_targets(path: str | Path) -> pd.DataFrame:
    """Targets file: ``group_key, group_nl, target_pct, target_date`` (ISO date or a year)."""
    df = read_table(path)
    fname = df.attrs.get("source", {}).get("file", Path(path).name)
    style = _decimal_style(df)
    problems = []
    rows = []
    for row, r in df.iterrows():
        tp = r.get("target_pct")
        td = r.get("target_date")
        try:
            tpv = _number(tp, style)
        except ValueError:
            problems.append(Problem(fname, int(row), "target_pct", tp, "een percentage"))
            continue
        year = None
        if td is not None and not (isinstance(td, float) and math.isnan(td)) and str(td).strip():
            m = re.match(r"^(\d{4})(-12-31)?$", str(td).strip())
            if not m:
                problems.append(Problem(fname, int(row), "target_date", td,
                                        "een jaartal of een datum 31 december (JJJJ-12-31)"))
                continue
            year = int(m.group(1))
        key = r.get("group_key")
        if key is None or (isinstance(key, float) and math.isnan(key)) or not str(key).strip():
            problems.append(Problem(fname, int(row), "group_key", None,
                                    "de sleutel van een kansengroep (elke rij hoort bij een groep)"))
            continue
        rows.append(dict(group=str(key).strip(), group_nl=r.get("group_nl"),
                         target_pct=tpv, target_year=year))
    if problems:
        raise DataError(problems)
    return pd.DataFrame(rows)


def read_yearly_figures(path: str | Path) -> pd.DataFrame:
    """Figures for the yearly targets (no end date, "jaarlijks te behalen"), such as interns and
    student workers, who are not in the personnel snapshots: ``target_group_key, year,
    share_pct, definition`` and optionally ``target_definition`` (ja/nee: measured under the
    target's own definition; default nee) and ``source_note``. Returns the columns ``group, year,
    share_pct, definition, target_definition, source_note``."""
    schema = Schema(columns=[
        Column("target_group_key"), Column("year", "int", min=1990, max=2100),
        Column("share_pct", "float", min=0, max=100), Column("definition"),
        Column("target_definition", "bool", required=False, nullable=True),
        Column("source_note", required=False, nullable=True)])
    df = schema.validate(read_table(path))
    df = df.rename(columns={"target_group_key": "group"})
    df["target_definition"] = df["target_definition"].fillna(False).astype(bool)
    return df[["group", "year", "share_pct", "definition", "target_definition", "source_note"]]


def entity_values(parameters: Mapping[str, Any]) -> list[str]:
    """The entities of a streefcijfers run, for ``evaluatie run streefcijfers --by entity``
    (declared in the notebook metadata): the ``entity`` column of the personnel file, or the one
    entity of a file without that column (``organisation``, else :data:`DEFAULT_ENTITY`)."""
    col = dict(parameters.get("microdata_columns") or {}).get("entity", "entity")
    path = resolve(parameters["microdata"])
    if path.suffix.lower() in (".parquet", ".pq"):
        names = pq.ParquetFile(path).schema_arrow.names
        df = pd.read_parquet(path, columns=[col]) if col in names else pd.DataFrame()
    else:
        df = read_table(path)
    if col not in df.columns:
        return [parameters.get("organisation") or DEFAULT_ENTITY]
    return sorted(df[col].dropna().astype(str).str.strip().unique())


def read_template(path: str | Path) -> pd.DataFrame:
    """The growth-path example table of the business-plan template (a CSV, as in ``data/raw``),
    for :func:`~evaluatie.analyses.targets.growth_paths.template_example`, checked like every input:
    a share that is not a percentage is a :class:`DataError` naming file, row and column."""
    schema = Schema(columns=[
        Column("group"), Column("share_jx_minus_2_pct", "float", min=0, max=100),
        Column("share_jx_minus_1_pct", "float", min=0, max=100), Column("interim_target_jx"),
        Column("target_2015_pct", "float", min=0, max=100, required=False, nullable=True),
        Column("target_2015_rule", required=False, nullable=True)])
    return schema.validate(read_table(resolve(path)))


def read_growth_paths(path: str | Path, columns: Mapping[str, str] | None = None) -> pd.DataFrame:
    """A file of entity growth paths (business-plan interim targets): ``entity, group, year,
    rule`` with ``rule`` in the template's words ("Hoger of gelijk aan niveau jx-1",
    "Minstens 33%", "2,30%"; see :func:`parse_interim_target`). ``columns`` maps these names to
    the user's. Unreadable rules are reported together as one :class:`DataError`."""
    df = read_table(path)
    fname = df.attrs.get("source", {}).get("file", Path(path).name)
    style = _decimal_style(df)
    m = {c: c for c in ("entity", "group", "year", "rule")}
    m.update(dict(columns or {}))
    missing = [m[c] for c in m if m[c] not in df.columns]
    if missing:
        raise DataError([Problem(fname, None, c, None, "een kolom met die naam") for c in missing])
    problems, rows = [], []
    for row, r in df.iterrows():
        try:
            parse_interim_target(r[m["rule"]])
        except ValueError:
            problems.append(Problem(fname, int(row), m["rule"], r[m["rule"]],
                                    "'Hoger of gelijk aan niveau jx-1', 'Minstens x%' of een percentage"))
            continue
        try:
            year = int(_number(r[m["year"]], style))
        except (TypeError, ValueError):
            problems.append(Problem(fname, int(row), m["year"], r[m["year"]], "een jaartal"))
            continue
        rows.append({"entity": str(r[m["entity"]]).strip(), "group": str(r[m["group"]]).strip(),
                     "year": year, "rule": r[m["rule"]]})
    if problems:
        raise DataError(problems)
    return pd.DataFrame(rows, columns=["entity", "group", "year", "rule"])


def growth_rules(path: str | Path | None, by_entity: pd.DataFrame, entity: str | None = None) -> pd.DataFrame:
    """The interim-target rules a report checks: those of the growth-path file ``path`` (only
    ``entity``'s if one is given), or without a file the default rule 'at least last year's level'
    (:func:`~evaluatie.analyses.targets.growth_paths.default_rules`) for every entity in ``by_entity``
    (or ``entity``), for foreign origin and disability where the data have them, over its years."""
    if path:
        rules = read_growth_paths(path)
        return rules[rules["entity"] == entity] if entity is not None else rules
    groups = [g for g in ["foreign_origin", "disability_chronic_illness"] if g in set(by_entity["group"])]
    return default_rules(by_entity["entity"] if entity is None else [entity], groups, sorted(set(by_entity["year"])))


def read_published(data: str | Path, history: str | Path | None = None,
                   columns: Mapping[str, str] | None = None) -> tuple[pd.DataFrame, list[Ledger]]:
    """The published series of ``data``, preceded by the older series ``history`` if given, combined by
    :func:`combine_sources`: the frame and the ledgers of both files."""
    frames = [read_series(data, columns)]
    if history:
        frames.insert(0, read_series(history, columns))
    return combine_sources(frames)


def read_yearly_or_empty(path: str | Path | None) -> pd.DataFrame:
    """:func:`read_yearly_figures` of ``path``, or an empty frame with its columns when there is no file."""
    if path:
        return read_yearly_figures(path)
    return pd.DataFrame(columns=["group", "year", "share_pct", "definition", "target_definition", "source_note"])
