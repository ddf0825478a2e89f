"""Reading and checking the action-plan tables: budget, planning, planning totals, section
actions, commitments, realised values, timing and subsidy rules.

Each table has a schema (:class:`evaluatie.intake.schema.Schema`); :func:`read` reads a file with
the project's reader (:func:`evaluatie.intake.read.read_table`: CSV with any separator, decimal
comma or cp1252, XLSX, SAV, DTA, Parquet), maps the user's column names to the canonical English
ones and returns the table with the user's row numbers as index and its ledger. The evaluation
statuses of a budget (:data:`STATUS_CLASSES`, :func:`status_class`) are the one cell rule beyond
the schemas.
"""

from __future__ import annotations

import math
import re
from dataclasses import replace
from pathlib import Path
from typing import Any, Mapping, Sequence

import numpy as np
import pandas as pd

from evaluatie.core.errors import DataError, Problem
from evaluatie.core.paths import display_path, resolve
from evaluatie.intake.read import read_table
from evaluatie.intake.schema import Column, Ledger, Schema

__all__ = ["read", "prepare", "status_class", "STATUS_CLASSES", "BUDGET_LINES", "DEFAULT_SUBSIDY_RULES",
           "read_subsidy_rules", "check_subsidy_rules", "PART_INPUTS", "check_parts", "schemas"]

#: the input files each part of the report needs (part -> parameter names); the planning's group and
#: total rows (``planning_totals``) and the section texts (``actions``) are optional for ``workload``
PART_INPUTS: dict[str, list[str]] = {
    "budget": ["budget"], "status": ["budget"], "workload": ["planning"],
    "planning": ["planning"], "commitments": ["commitments"], "subsidies": ["subsidies"]}


def check_parts(parts: Sequence[str], given: Mapping[str, Any]) -> None:
    """Stop before reading anything when ``parts`` names an unknown part or a part whose input
    file is not given (``given``: parameter name -> path or None); the message names them all."""
    unknown = [p for p in parts if p not in PART_INPUTS]
    if unknown:
        raise ValueError(f"onbekend onderdeel in 'parts': {', '.join(unknown)}; kies uit {', '.join(PART_INPUTS)}")
    missing = [f"{p} vraagt het invoerbestand '{k}'" for p in parts for k in PART_INPUTS[p] if not given[k]]
    if missing:
        raise ValueError("; ".join(missing))

#: budget lines: key -> (planned column, spent column)
BUDGET_LINES: dict[str, tuple[str, str]] = {
    "regular": ("planned_eur", "spent_eur"),
    "tom": ("planned_tom_eur", "spent_tom_eur"),
}

#: evaluation statuses in report order (class key -> Dutch label)
STATUS_CLASSES: dict[str, str] = {
    "done": "Uitgevoerd",
    "done_ongoing": "Uitgevoerd en lopend",
    "ongoing": "Lopend",
    "postponed": "Uitgesteld",
    "not_done": "Niet uitgevoerd",
}

DEFAULT_SUBSIDY_RULES = "data/raw/plan_types_subsidies.csv"

# --------------------------------------------------------------------------- table specifications


def _eur(name: str, required: bool = True) -> Column:
    return Column(name, kind="float", min=0, nullable=True, required=required, unit="eur")


def _status_rule(df: pd.DataFrame) -> list[Problem]:
    """One problem for all unknown statuses of the column, however many rows hold them: the first
    row, the number of distinct labels and of rows, the expected statuses and codes, and how to
    map the file's own words (``values``). The message quotes no label; the problem's ``value`` is
    the first one, found at the row it names."""
    bad = [(int(r), v) for r, v in df["status"].items()
           if status_class(v) is None and not (v is None or (isinstance(v, float) and math.isnan(v))
                                               or (isinstance(v, str) and not v.strip()))]
    if not bad:
        return []
    k, m = len(dict.fromkeys(v for _, v in bad)), len(bad)
    what = "1 onbekende evaluatie" if k == 1 else f"{k} verschillende onbekende evaluaties"
    where = "1 rij" if m == 1 else f"{m} rijen, de eerste hier"
    allowed = ", ".join(STATUS_CLASSES.values()) + " (of 'Uitgesteld naar <jaar>')"
    return [Problem(None, bad[0][0], "status", bad[0][1],
                    f"een van: {allowed} ({what} in {where}; geef de betekenis van de eigen woorden op met de "
                    f"parameter 'values': {{budget: {{status: {{woord in het bestand: code}}}}}}, met als code een "
                    f"van: {', '.join(STATUS_CLASSES)})")]


def _map_values(df: pd.DataFrame, table: str, schema: Schema, values: Mapping[str, Mapping[Any, Any]] | None,
                columns: Mapping[str, str] | None) -> tuple[pd.DataFrame, dict[str, Mapping[Any, Any]]]:
    """Apply the user's value mapping of one table (standard column -> {label in the file: standard
    code}): the budget's status words become the status labels (code ``done`` or its label
    ``Uitgevoerd`` -> ``Uitgevoerd``) before the status rule; for the other columns the mapping is
    returned as extra :class:`Column` labels. Labels match case- and whitespace-insensitively."""
    values = dict(values or {})
    allowed = [c.name for c in schema.columns if c.name == "status" and table == "budget"
               or c.kind in ("bool", "category")]
    wrong = [k for k in values if k not in allowed or not isinstance(values[k], Mapping)]
    if wrong:
        raise ValueError(f"parameter 'values' van tabel '{table}': {', '.join(map(str, wrong))} heeft geen "
                         f"waardekoppeling; kan wel: {', '.join(allowed) or 'geen enkele kolom'}, elk als "
                         "{waarde in het bestand: code}")
    if table != "budget" or "status" not in values:
        return df, values
    codes = {**{k.casefold(): v for k, v in STATUS_CLASSES.items()}, **{v.casefold(): v for v in STATUS_CLASSES.values()}}
    lab = {}
    for k, v in values.pop("status").items():
        if str(v).strip().casefold() not in codes:
            raise ValueError(f"parameter 'values', budget.status: code '{v}' bestaat niet; kies uit "
                             f"{', '.join(STATUS_CLASSES)}")
        lab[str(k).strip().casefold()] = codes[str(v).strip().casefold()]
    user = dict(columns or {}).get("status", "status")
    if user in df.columns:
        df = df.copy()
        df[user] = df[user].map(lambda x: lab.get(x.strip().casefold(), x) if isinstance(x, str) else x)
    return df, values


_MONTH = re.compile(r"\d{4}-(0[1-9]|1[0-2])")


def _month_rule(df: pd.DataFrame, column: str) -> list[Problem]:
    """The timing's ``month``: empty (the text names no month) or a month as ``JJJJ-MM``; one
    problem per row that holds anything else (the message quotes no cell)."""
    return [Problem(None, int(r), column, v, "leeg of een maand als JJJJ-MM (bv. 2024-10)")
            for r, v in df[column].items()
            if not (v is None or (isinstance(v, float) and math.isnan(v))
                    or (isinstance(v, str) and (not v.strip() or _MONTH.fullmatch(v.strip()))))]


_ROW_TYPE_NL = {"groep": "group", "groepsrij": "group", "totaal": "total", "totaalrij": "total",
                "sectietotaal": "section_total", "actie": "action"}


def _row_type(allowed: Sequence[str]) -> Column:
    return Column("row_type", kind="category", allowed=list(allowed), labels=_ROW_TYPE_NL)


def schemas() -> dict[str, Schema]:
    """The documented shape of every table an action plan can have (table -> schema with its
    standard columns); ``evaluatie new`` maps a user's sheets onto them."""
    return {
        "budget": Schema(
            columns=[Column("priority_no", kind="int", min=1), Column("priority"),
                     Column("subtheme", required=False, nullable=True), Column("action"),
                     Column("additional", kind="bool", required=False, nullable=True), Column("status"),
                     _eur("planned_eur"), _eur("spent_eur"), _eur("planned_tom_eur", False),
                     _eur("spent_tom_eur", False)],
            ),
        "planning": Schema(columns=[Column("group"), Column("action"),
                                    Column("days", kind="float", min=0, nullable=True), _eur("budget_eur")],
                           unique=[("group", "action")]),
        "planning_totals": Schema(columns=[_row_type(("group", "total")), Column("group"),
                                           Column("days", kind="float", min=0, nullable=True), _eur("budget_eur")],
                                  unique=[("row_type", "group")]),
        "actions": Schema(columns=[Column("section"), Column("action_title"),
                                   Column("actor", required=False, nullable=True),
                                   Column("days", kind="float", min=0, nullable=True), _eur("budget_eur"),
                                   Column("note", required=False, nullable=True),
                                   _row_type(("section_total", "action")),
                                   Column("raw_werkdruk_budget", required=False, nullable=True)]),
        "commitments": Schema(columns=[Column("section"), Column("indicator"),
                                       Column("target_value", kind="float", min=0), Column("unit"),
                                       Column("period"), Column("source_text", required=False, nullable=True)],
                              unique=[("section",)]),
        "realised": Schema(columns=[Column("section"), Column("realised_value", kind="float", min=0, nullable=True),
                                    Column("measured_on", required=False, nullable=True),
                                    Column("note", required=False, nullable=True)],
                           unique=[("section",)]),
        "timing": Schema(columns=[Column("action"), Column("section"), Column("timing_text"),
                                  Column("month", nullable=True)]),
        "subsidies": Schema(columns=[
            Column("plan_type"), Column("modalities", required=False, nullable=True),
            Column("max_subsidy_eur", kind="float", min=0), Column("for_costs_eur", kind="float", min=0),
            Column("per_organisation", kind="bool"),
            Column("min_organisations", kind="int", min=1, nullable=True, required=False),
            Column("duration_min_months", kind="int", min=0, nullable=True, required=False),
            Column("duration_max_months", kind="int", min=0, nullable=True, required=False),
            Column("duration_text", required=False, nullable=True)],
            unique=[("plan_type",)]),
    }


# --------------------------------------------------------------------------- reading and checking


def status_class(status: Any) -> str | None:
    """The status class of an evaluation status as worded in a budget (``Uitgesteld naar 2019`` ->
    ``postponed``); None when the wording is not one of the five."""
    if not isinstance(status, str):
        return None
    s = re.sub(r"\s+", " ", status.strip().lower())
    if re.fullmatch(r"uitgesteld( naar \d{4})?", s):
        return "postponed"
    for key, label in STATUS_CLASSES.items():
        if s == label.lower():
            return key
    return None


def prepare(df: pd.DataFrame, table: str, *, columns: Mapping[str, str] | None = None,
            file: str | None = None, keep: Sequence[str] = (),
            values: Mapping[str, Mapping[Any, Any]] | None = None) -> pd.DataFrame:
    """Check one input table against its schema (:func:`evaluatie.intake.schema.Schema`) and return it
    with the canonical column names, typed values and the user's row numbers as index.

    ``columns`` maps canonical names to the user's own (``{"planned_eur": "Voorzien op begroting
    2018"}``); ``values`` maps the labels of a categorical column to the standard codes
    (``{"status": {"afgerond": "done"}}``, ``{"additional": {"extra": True}}``, see
    :func:`_map_values`). Raises :class:`DataError` listing every problem (file, row, column,
    expected; all unknown statuses of the column as one problem).
    Empty amount cells stay empty (NaN): the source leaves some cells empty and that is reported,
    not filled in. The schema has read every number (:mod:`evaluatie.core.numbers`); its
    numeric columns come back as float64, except ``priority_no`` (int64).
    """
    schema = schemas()[table]
    df, labels = _map_values(df, table, schema, values, columns)
    if labels:
        schema = replace(schema, columns=[replace(c, labels={**(c.labels or {}), **labels[c.name]})
                                          if c.name in labels else c for c in schema.columns])
    extra: list[Problem] = []
    source = file or (df.attrs.get("source") or {}).get("file")
    if table == "budget":  # cell rule, reported together with the schema's own problems
        user = dict(columns or {}).get("status", "status")
        if user in df.columns:
            extra = [replace(p, file=source, column=str(user))
                     for p in _status_rule(df.rename(columns={user: "status"}))]
    if table == "timing":  # a month the report turns into a name ("okt '24") and a column of the timeline
        user = dict(columns or {}).get("month", "month")
        if user in df.columns:
            extra = [replace(p, file=source) for p in _month_rule(df, user)]
    try:
        out = schema.validate(df, file=file, columns=columns, keep=keep)
    except DataError as e:
        problems = sorted(e.problems + extra, key=lambda p: -1 if p.row is None else p.row)
        raise DataError(problems) from None
    if extra:
        raise DataError(extra)
    if "additional" in out:
        out["additional"] = out["additional"].astype("boolean").fillna(False).astype(bool)
    if "per_organisation" in out:
        out["per_organisation"] = out["per_organisation"].astype(bool)
    if "priority_no" in out:
        out["priority_no"] = out["priority_no"].astype("int64")
    if "row_type" in out:
        out["row_type"] = out["row_type"].astype(str)
    for col in schema.columns:
        if col.kind in ("int", "float") and col.name != "priority_no" and col.name in out:
            out[col.name] = out[col.name].astype("float64")
    return out


def read(path: str | Path, table: str, *, sheet: str | None = None,
         columns: Mapping[str, str] | None = None, keep: Sequence[str] = (),
         values: Mapping[str, Mapping[Any, Any]] | None = None) -> tuple[pd.DataFrame, Ledger]:
    """Read and check one input table; return it with its ledger (every row is analysed: these
    tables are plans, not samples, so no row is dropped — a row that cannot be used stops the run
    with a :class:`DataError` instead). The index is the row number as the user sees it in their
    own file. ``values``: the table's value mapping (:func:`prepare`)."""
    p = resolve(path)
    user = dict(columns or {})  # the text columns (sections, actions, labels) stay as written: 4.10 is not 4.1
    raw = read_table(p, sheet=sheet, text=[user.get(c.name, c.name) for c in schemas()[table].columns if c.kind == "str"])
    name = raw.attrs.get("source", {}).get("file") or display_path(p)
    if sheet is not None and str(sheet) not in name:
        name = f"{name} (werkblad {sheet})"
    raw.attrs["source"] = {**raw.attrs.get("source", {}), "file": name}
    df = prepare(raw, table, columns=columns, file=name, keep=keep, values=values)
    return df, Ledger(name, read=len(df))


# --------------------------------------------------------------------------- subsidy rules


def read_subsidy_rules(path: str | Path | None = None, *, sheet: str | None = None,
                       columns: Mapping[str, str] | None = None) -> pd.DataFrame:
    """The subsidy rules per plan type (X = ``max_subsidy_eur``, Y = ``for_costs_eur``), checked:
    X and Y positive, plan types unique, a per-organisation plan names its minimum number of
    organisations."""
    df, _ = read(path or DEFAULT_SUBSIDY_RULES, "subsidies", sheet=sheet, columns=columns)
    return check_subsidy_rules(df)


def check_subsidy_rules(df: pd.DataFrame) -> pd.DataFrame:
    """The checks of :func:`read_subsidy_rules` on a table already read; returns it unchanged or
    raises :class:`DataError` naming every row that breaks a rule."""
    file = df.attrs.get("source", {}).get("file", "subsidies")
    problems = []
    seen: dict[str, int] = {}
    for r, x in df.iterrows():
        key = str(x["plan_type"]).strip().lower()
        if key in seen:
            problems.append(Problem(file, int(r), "plan_type", x["plan_type"], f"een unieke plansoort (ook in rij {seen[key]})"))
        seen.setdefault(key, int(r))
        for col in ("max_subsidy_eur", "for_costs_eur"):
            if pd.isna(x[col]) or x[col] <= 0:
                problems.append(Problem(file, int(r), col, x[col], "een bedrag groter dan 0"))
        if x["per_organisation"]:
            mo = x.get("min_organisations", np.nan)
            if pd.isna(mo) or mo < 1 or mo != int(mo):
                problems.append(Problem(file, int(r), "min_organisations", mo,
                                        "het minimum aantal organisaties (geheel getal) voor een plan per organisatie"))
    if problems:
        raise DataError(problems)
    return df
