"""Action plans and budgets: did the planned actions happen, and where did the money go?

The follow-up report of an action plan (the diversity service's budget 2018, a sector fund's
action plan after its nulmeting) answers five questions. This module does the work; the notebook
``actieplan_opvolging`` tells the story.

1. **Budget execution** (:func:`budget_execution`): per priority and budget line the planned and
   spent amounts, spending split into planned and additional (bijkomend) actions, the execution
   rate ``spent on planned actions / planned`` and over- or underspending of the planned actions
   (unplanned spending is shown beside it, never counted as overspending).
   :func:`reconcile_totals` checks the column sums against the total row *as stated in the
   source* (the stated totals are parameters, never computed from the rows); a mismatch becomes a
   finding that names the rows that could explain it (:func:`explain_difference`).
2. **Status of actions** (:func:`status_distribution`, :func:`budget_without_execution`,
   :func:`additional_actions`).
3. **Workload and planning** (:func:`reconcile_plan`): actions against the plan's own group and
   total rows, against the section totals of the text, and each planning action against the same
   action in the section tables. :func:`timeline` lays the planning out per month and says, per
   action and month, whether anything is known.
4. **Indicators and commitments** (:func:`commitment_progress`): target, unit, period, the
   realised value from a follow-up file (empty: "nog in te vullen"), progress and status.
5. **Subsidy calculator** (:func:`subsidy`): ``min(X, costs × X / Y)`` with X and Y from the data
   file — our reading of the source's "max. € X (voor € Y kosten)".

Reconciliations are plain arithmetic (sums compared with stated totals); their reference tests are
the sums checked by hand in ``data/README.md`` (the transcription's own check) and copies of the
data with one number changed. Every comparison is kept, not only the mismatches: a finding is never
hidden, and a clean check is shown as clean.

Column names here are the canonical English ones; a user's own column names are mapped with
``columns={"planned_eur": "Voorzien op begroting 2018", ...}`` (canonical → user's column).
"""

from __future__ import annotations

import math
import re
from dataclasses import replace
from numbers import Number
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

from evaluatie.core.numbers import parse_number
from evaluatie.core.paths import display_path, resolve
from evaluatie.core.errors import DataError, Problem
from evaluatie.intake.schema import Column, Ledger, Schema

__all__ = [
    "read", "prepare", "BUDGET_LINES", "STATUS_CLASSES", "STATUS_NL", "ASSESSMENT_NL",
    "CHECK_NL", "RESULT_NL",
    "budget_execution", "reconcile_totals", "explain_difference", "status_distribution",
    "budget_without_execution", "additional_actions", "status_budget",
    "reconcile_plan", "findings", "action_comparison", "mark_sic", "timeline", "timeline_figure", "month_range", "month_label", "status_class",
    "check_subsidy_rules", "COMMITMENT_STATUS_NL", "MEASURE_NL",
    "commitment_progress", "read_subsidy_rules", "subsidy", "subsidy_rules_table", "subsidy_table",
]

# --------------------------------------------------------------------------- table specifications


def _eur(name: str, required: bool = True) -> Column:
    return Column(name, kind="float", min=0, nullable=True, required=required)


def _status_rule(df: pd.DataFrame) -> list[Problem]:
    allowed = ", ".join(STATUS_CLASSES.values()) + " (of 'Uitgesteld naar <jaar>')"
    return [Problem(None, int(r), "status", v, f"een van: {allowed}")
            for r, v in df["status"].items()
            if status_class(v) is None and not (v is None or (isinstance(v, float) and math.isnan(v))
                                                or (isinstance(v, str) and not v.strip()))]


_ROW_TYPE_NL = {"groep": "group", "groepsrij": "group", "totaal": "total", "totaalrij": "total",
                "sectietotaal": "section_total", "actie": "action"}


def _row_type(allowed: Sequence[str]) -> Column:
    return Column("row_type", kind="category", allowed=list(allowed), labels=_ROW_TYPE_NL)


def _schemas() -> dict[str, Schema]:
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
STATUS_NL = STATUS_CLASSES

ASSESSMENT_NL = {
    "no_budget": "geen budget, geen uitgave",
    "unplanned_spending": "uitgave zonder voorzien budget",
    "unspent": "voorzien, niets uitgegeven",
    "overspent": "overbesteding",
    "underspent": "onderbesteding",
    "on_plan": "volgens plan",
}

CHECK_NL = {
    "stated_total": "Kolomsom tegenover de totaalrij van de bron",
    "additional_in_total": "Bijkomende acties in het totaal",
    "group_vs_actions": "Groepsrij tegenover de som van haar acties",
    "total_vs_groups": "Totaalrij tegenover de som van de groepsrijen",
    "total_vs_actions": "Totaalrij tegenover de som van alle acties",
    "section_vs_groups": "Sectietotaal tegenover de groepsrijen van de planning",
    "section_vs_actions": "Sectietotaal tegenover de acties van de planning",
    "section_vs_table": "Sectietotaal tegenover de actietabellen van de sectie",
    "section_not_planned": "Sectie zonder groep in de planning",
    "action_vs_section_table": "Actie in de planning tegenover dezelfde actie in de sectietabel",
}

RESULT_NL = {
    "ok": "klopt",
    "explained": "verschil, verklaard",
    "mismatch": "verschil",
    "note": "opmerking",
}

MEASURE_NL = {
    "days": "werkdagen",
    "budget_eur": "budget (euro)",
    "planned_eur": "voorzien op begroting",
    "spent_eur": "uitgave op begroting",
    "planned_tom_eur": "voorzien op begroting TOM",
    "spent_tom_eur": "uitgave op begroting TOM",
}

FINDING_COLUMNS = ["check", "scope", "measure", "stated", "computed", "difference", "result", "rows",
                   "explanation"]

# --------------------------------------------------------------------------- reading and checking


def _read_any(path: Path, sheet: str | None) -> pd.DataFrame:
    """Read a table with the project's reader (CSV with any separator/decimal comma/cp1252, XLSX,
    SAV, DTA, Parquet); its index is the row number as the user sees it in their own file."""
    from evaluatie.intake.read import read_table

    return read_table(path, sheet=sheet)


def prepare(df: pd.DataFrame, table: str, *, columns: Mapping[str, str] | None = None,
            file: str | None = None, keep: Sequence[str] = ()) -> pd.DataFrame:
    """Check one input table against its schema (:func:`evaluatie.intake.schema.Schema`) and return it
    with the canonical column names, typed values and the user's row numbers as index.

    ``columns`` maps canonical names to the user's own (``{"planned_eur": "Voorzien op begroting
    2018"}``). Raises :class:`DataError` listing every problem (file, row, column, value, expected).
    Empty amount cells stay empty (NaN): the source leaves some cells empty and that is reported,
    not filled in.
    """
    schema = _schemas()[table]
    extra: list[Problem] = []
    if table == "budget":  # cell rule, reported together with the schema's own problems
        user = dict(columns or {}).get("status", "status")
        if user in df.columns:
            extra = [replace(p, file=file or (df.attrs.get("source") or {}).get("file"), column=str(user))
                     for p in _status_rule(df.rename(columns={user: "status"}))]
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
    for col in out.columns:
        if col in ("planned_tom_eur", "spent_tom_eur", "min_organisations", "duration_min_months",
                   "duration_max_months") or col.endswith("_eur") or col in ("days", "target_value",
                                                                             "realised_value"):
            out[col] = pd.to_numeric(out[col], errors="coerce").astype("float64")
    return out


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


def read(path: str | Path, table: str, *, sheet: str | None = None,
         columns: Mapping[str, str] | None = None, keep: Sequence[str] = ()) -> tuple[pd.DataFrame, Ledger]:
    """Read and check one input table; return it with its ledger (every row is analysed: these
    tables are plans, not samples, so no row is dropped — a row that cannot be used stops the run
    with a :class:`DataError` instead)."""
    p = resolve(path)
    raw = _read_any(p, sheet)
    name = raw.attrs.get("source", {}).get("file") or display_path(p)
    if sheet is not None and str(sheet) not in name:
        name = f"{name} (werkblad {sheet})"
    raw.attrs["source"] = {**raw.attrs.get("source", {}), "file": name}
    df = prepare(raw, table, columns=columns, file=name, keep=keep)
    return df, Ledger(name, read=len(df))


# --------------------------------------------------------------------------- budget execution


def _lines(df: pd.DataFrame, lines: Mapping[str, Sequence[str]] | None) -> dict[str, tuple[str, str]]:
    lines = dict(lines or BUDGET_LINES)
    return {k: (p, s) for k, (p, s) in lines.items() if p in df.columns and s in df.columns}


def _assess(planned: float, spent: float) -> str:
    if planned == 0 and spent == 0:
        return "no_budget"
    if planned == 0:
        return "unplanned_spending"
    if spent == 0:
        return "unspent"
    if spent > planned:
        return "overspent"
    if spent < planned:
        return "underspent"
    return "on_plan"


def budget_execution(budget: pd.DataFrame, *, lines: Mapping[str, Sequence[str]] | None = None,
                     include_additional: bool = True) -> pd.DataFrame:
    """Planned and spent per priority and budget line, with a total row per line; spending split
    into planned actions and additional (bijkomend) actions outside the plan.

    * ``planned_eur``, ``spent_eur``: sums over all rows (what the source's total row adds up;
      empty amount cells count as 0 — the source leaves the TOM cells of the additional actions
      empty);
    * ``spent_planned_eur``: spent on the planned actions (``additional`` false),
      ``spent_additional_eur``: spent on the additional actions (``spent_eur`` is their sum);
    * ``execution_pct = 100 × spent_planned / planned`` (empty when nothing was planned) and
      ``difference_eur = spent_planned − planned`` (positive = overspending) and the
      ``assessment`` judge **the planned actions only**: an additional action was never planned,
      so its cost is not overspending of the plan (e.g. priority 2 of the 2018 budget: €3.500
      planned, €0 spent on it, €30.000 on an unplanned pilot -> 0%, "voorzien, niets uitgegeven");
    * ``spent_share_pct = 100 × spent / planned``: everything spent, additional actions included,
      as a share of the planned amount (the 91% of the 2018 budget).

    Without an ``additional`` column every action counts as planned. ``include_additional=False``
    drops the additional rows altogether. Reference: the subtotals checked by hand in
    ``data/README.md`` (tests).
    """
    df = budget if include_additional or "additional" not in budget else budget[~budget["additional"]]
    add = df["additional"].to_numpy(bool) if "additional" in df else np.zeros(len(df), bool)
    rows = []
    for line, (pcol, scol) in _lines(df, lines).items():
        d = pd.DataFrame({"priority_no": df["priority_no"].to_numpy(), "priority": df["priority"].to_numpy(),
                          "planned": df[pcol].fillna(0).to_numpy(float), "spent": df[scol].fillna(0).to_numpy(float),
                          "add": add})
        d["spent_planned"] = np.where(d["add"], 0.0, d["spent"])
        d["spent_additional"] = np.where(d["add"], d["spent"], 0.0)
        g = d.groupby("priority_no", sort=True).agg(
            priority=("priority", "first"), planned_eur=("planned", "sum"), spent_eur=("spent", "sum"),
            spent_planned_eur=("spent_planned", "sum"), spent_additional_eur=("spent_additional", "sum"),
            actions=("priority", "size"), additional_actions=("add", "sum"))
        for no, r in g.iterrows():
            rows.append({"line": line, "priority_no": int(no), "priority": r["priority"],
                         "actions": int(r["actions"]), "additional_actions": int(r["additional_actions"]),
                         "planned_eur": float(r["planned_eur"]), "spent_eur": float(r["spent_eur"]),
                         "spent_planned_eur": float(r["spent_planned_eur"]),
                         "spent_additional_eur": float(r["spent_additional_eur"])})
        rows.append({"line": line, "priority_no": np.nan, "priority": "Totaal", "actions": int(len(d)),
                     "additional_actions": int(d["add"].sum()),
                     "planned_eur": float(d["planned"].sum()), "spent_eur": float(d["spent"].sum()),
                     "spent_planned_eur": float(d["spent_planned"].sum()),
                     "spent_additional_eur": float(d["spent_additional"].sum())})
    cols = ["line", "priority_no", "priority", "actions", "additional_actions", "planned_eur", "spent_eur",
            "spent_planned_eur", "spent_additional_eur"]
    out = pd.DataFrame(rows, columns=cols)
    out["priority_no"] = out["priority_no"].astype("Int64")
    out["difference_eur"] = out["spent_planned_eur"] - out["planned_eur"]
    with np.errstate(divide="ignore", invalid="ignore"):
        out["execution_pct"] = np.where(out["planned_eur"] > 0,
                                        100 * out["spent_planned_eur"] / out["planned_eur"], np.nan)
        out["spent_share_pct"] = np.where(out["planned_eur"] > 0, 100 * out["spent_eur"] / out["planned_eur"], np.nan)
    out["assessment"] = [_assess(p, s) for p, s in zip(out["planned_eur"], out["spent_planned_eur"])]
    return out


def _fmt_amount(x: float) -> str:
    from evaluatie.core import fmt

    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "leeg"
    return fmt.num(x, 0 if float(x).is_integer() else 2)


def _rows_text(file: str, rows: Iterable[int]) -> str:
    rows = [int(r) for r in rows]
    if not rows:
        return ""
    return f"{file} rij " + ", ".join(str(r) for r in rows) if len(rows) == 1 else \
        f"{file} rijen " + ", ".join(str(r) for r in rows)


def _digits(x: float) -> str:
    x = round(float(x), 2)
    return str(int(x)) if x.is_integer() else f"{x:.2f}".rstrip("0")


def _one_edit(a: str, b: str) -> bool:
    """True when b is a one-keystroke typo of a: one digit replaced, added or dropped, or two
    neighbouring digits swapped."""
    if a == b:
        return False
    la, lb = len(a), len(b)
    if la == lb:
        diff = [i for i in range(la) if a[i] != b[i]]
        if len(diff) == 1:
            return True
        return len(diff) == 2 and diff[1] == diff[0] + 1 and a[diff[0]] == b[diff[1]] and a[diff[1]] == b[diff[0]]
    if abs(la - lb) == 1:
        s, t = (a, b) if la < lb else (b, a)
        return any(t[:i] + t[i + 1:] == s for i in range(len(t)))
    return False


def explain_difference(values: pd.Series, difference: float, *, file: str,
                       groups: Mapping[str, Sequence[int]] | None = None, max_rows: int = 8) -> tuple[list[int], str]:
    """Which rows could explain ``difference = sum(values) − stated``; returns (rows, Dutch text).

    Tried in this order, all reported: (1) a named group of rows (e.g. the additional actions)
    whose sum is exactly the difference; (2) a single row whose amount is exactly the difference
    (counted although it should not be, or counted twice); (3) an empty cell that, filled with the
    difference, closes the gap; (4) rows where amount − difference is a one-keystroke typo of the
    amount (one digit changed, added or dropped, two digits swapped) — candidates, not proof.
    When nothing fits, the text says so.
    """
    vals = values.astype("float64")
    tol = 0.005
    parts: list[str] = []
    named: list[int] = []
    for label, rows in (groups or {}).items():
        rows = [r for r in rows if r in vals.index]
        if rows and abs(vals.loc[rows].fillna(0).sum() - difference) < tol:
            named += rows
            parts.append(f"het verschil is precies de som van {label} ({_rows_text(file, rows)}: "
                         + " + ".join(_fmt_amount(vals.loc[r]) for r in rows) + ")")
    exact = [int(r) for r, v in vals.items() if difference > 0 and not math.isnan(v) and abs(v - difference) < tol]
    if exact:
        named += exact
        parts.append(f"het bedrag van {_rows_text(file, exact[:max_rows])} is precies het verschil "
                     "(in de som opgenomen terwijl het er niet bij hoort, of dubbel geteld?)")
    empty = [int(r) for r, v in vals.items() if math.isnan(v)] if difference < 0 else []
    if empty:
        named += empty[:max_rows]
        parts.append(f"{_rows_text(file, empty[:max_rows])} {'is' if len(empty) == 1 else 'zijn'} leeg; "
                     f"met {_fmt_amount(-difference)} in één ervan zou het totaal kloppen"
                     + (f" (en nog {len(empty) - max_rows} lege cellen)" if len(empty) > max_rows else ""))
    typo = []
    for r, v in vals.items():
        if math.isnan(v):
            continue
        corrected = v - difference
        if corrected < 0 or abs(corrected - v) < tol:
            continue
        if _one_edit(_digits(v), _digits(corrected)):
            typo.append((int(r), v, corrected))
    typo = [t for t in typo if t[0] not in named]
    if typo:
        shown = typo[:max_rows]
        named += [t[0] for t in shown]
        parts.append("mogelijk een tikfout in " + "; ".join(
            f"rij {r} ({_fmt_amount(v)}; met {_fmt_amount(c)} zou het totaal kloppen)" for r, v, c in shown)
            + (f" en nog {len(typo) - max_rows} rijen" if len(typo) > max_rows else ""))
    if not parts:
        return [], ("geen enkele rij of vaste groep rijen verklaart het verschil op zich; "
                    "controleer de rijen van deze kolom tegen de bron")
    return sorted(dict.fromkeys(named)), "; ".join(parts)


def reconcile_totals(budget: pd.DataFrame, stated: Mapping[str, float], *, file: str | None = None,
                     tolerance: float = 0.005) -> pd.DataFrame:
    """Each column sum against the total row stated in the source (``stated``: column -> amount).

    One row per column (result ``ok`` or ``mismatch``, with the rows that explain a difference),
    plus one ``note`` row saying whether the additional (bijkomend) actions are part of the total.
    """
    file = file or budget.attrs.get("source", {}).get("file") or "begroting"
    add_rows = [int(r) for r in budget.index[budget["additional"]]] if "additional" in budget else []
    out = []
    for col, value in stated.items():
        if col not in budget.columns:
            raise DataError(Problem(file, None, col, None, "de kolom waarvoor een totaal opgegeven is"))
        computed = float(budget[col].fillna(0).sum())
        diff = computed - float(value)
        if abs(diff) < tolerance:
            out.append(dict(check="stated_total", scope="Totaal", measure=col, stated=float(value),
                            computed=computed, difference=0.0, result="ok", rows="",
                            explanation="de som van alle rijen is gelijk aan de totaalrij van de bron"))
            continue
        groups = {"de bijkomende acties": add_rows} if add_rows else {}
        rows, why = explain_difference(budget[col], diff, file=file, groups=groups)
        out.append(dict(check="stated_total", scope="Totaal", measure=col, stated=float(value),
                        computed=computed, difference=diff, result="mismatch",
                        rows=_rows_text(file, rows),
                        explanation=f"de som van de rijen is {_fmt_amount(computed)}, de bron vermeldt "
                                    f"{_fmt_amount(value)} (verschil {_fmt_amount(diff)}): {why}"))
    if add_rows:
        for col, value in stated.items():
            if col not in ("spent_eur", "planned_eur") or col not in budget.columns:
                continue
            amount = float(budget.loc[add_rows, col].fillna(0).sum())
            if amount == 0:
                continue
            total = float(budget[col].fillna(0).sum())
            n = len(add_rows)
            if abs(total - float(value)) < tolerance:
                why = (f"de {n} bijkomende acties (samen {_fmt_amount(amount)}) zitten in het totaal van de bron; "
                       f"zonder hen zou het {_fmt_amount(total - amount)} zijn")
            elif abs(total - amount - float(value)) < tolerance:
                why = (f"het totaal van de bron ({_fmt_amount(value)}) is de som zonder de {n} bijkomende acties "
                       f"(samen {_fmt_amount(amount)}): zij zitten niet in het totaal van de bron")
            else:
                why = (f"het totaal van de bron ({_fmt_amount(value)}) klopt noch met ({_fmt_amount(total)}) noch "
                       f"zonder ({_fmt_amount(total - amount)}) de {n} bijkomende acties")
            out.append(dict(check="additional_in_total", scope="Bijkomend", measure=col, stated=float(value),
                            computed=total - amount, difference=amount, result="note",
                            rows=_rows_text(file, add_rows), explanation=why))
    return pd.DataFrame(out, columns=FINDING_COLUMNS)


# --------------------------------------------------------------------------- status of actions


def status_distribution(budget: pd.DataFrame) -> pd.DataFrame:
    """Number of actions per priority and status class (rows: priorities + ``Totaal``; columns:
    the five classes in report order, ``n_actions``, ``done_pct`` = share uitgevoerd or uitgevoerd
    en lopend, ``additional``)."""
    df = budget.assign(status_class=budget["status"].map(status_class))
    tab = pd.crosstab(df["priority_no"], df["status_class"]).reindex(columns=list(STATUS_CLASSES), fill_value=0)
    tab.index = tab.index.astype(int)
    tab.loc["total"] = tab.sum()
    out = tab.reset_index().rename(columns={"index": "priority_no"})
    names = df.groupby("priority_no")["priority"].first()
    out.insert(1, "priority", [names.get(p, "Totaal") if p != "total" else "Totaal" for p in out["priority_no"]])
    out["priority_no"] = pd.array([p if p != "total" else pd.NA for p in out["priority_no"]], dtype="Int64")
    out["n_actions"] = out[list(STATUS_CLASSES)].sum(axis=1)
    out["done_pct"] = 100 * (out["done"] + out["done_ongoing"]) / out["n_actions"]
    if "additional" in df:
        add = df.groupby("priority_no")["additional"].sum()
        out["additional"] = [int(add.get(p, 0)) if not pd.isna(p) else int(df["additional"].sum())
                             for p in out["priority_no"]]
    return out


def status_budget(budget: pd.DataFrame, *, lines: Mapping[str, Sequence[str]] | None = None) -> pd.DataFrame:
    """Planned and spent amounts per status class and budget line: how much money sits in
    actions that were postponed or not carried out."""
    df = budget.assign(status_class=budget["status"].map(status_class))
    rows = []
    for line, (pcol, scol) in _lines(df, lines).items():
        g = df.groupby("status_class").agg(actions=("action", "size"), planned_eur=(pcol, "sum"),
                                           spent_eur=(scol, "sum"))
        for key in STATUS_CLASSES:
            if key in g.index:
                r = g.loc[key]
                rows.append(dict(line=line, status_class=key, actions=int(r["actions"]),
                                 planned_eur=float(r["planned_eur"]), spent_eur=float(r["spent_eur"])))
    return pd.DataFrame(rows, columns=["line", "status_class", "actions", "planned_eur", "spent_eur"])


def budget_without_execution(budget: pd.DataFrame, *, lines: Mapping[str, Sequence[str]] | None = None) -> pd.DataFrame:
    """Actions with money planned on a budget line and nothing spent on it, with their status and
    the row in the input file. ``status_class`` tells whether the status agrees (postponed, not
    carried out) or not (carried out without spending: possibly paid from elsewhere)."""
    rows = []
    for line, (pcol, scol) in _lines(budget, lines).items():
        sel = budget[(budget[pcol].fillna(0) > 0) & (budget[scol].fillna(0) == 0)]
        for r, x in sel.iterrows():
            rows.append(dict(row=int(r), line=line, priority_no=int(x["priority_no"]), action=x["action"],
                             status=x["status"], status_class=status_class(x["status"]),
                             planned_eur=float(x[pcol]), spent_eur=0.0))
    return pd.DataFrame(rows, columns=["row", "line", "priority_no", "action", "status", "status_class",
                                       "planned_eur", "spent_eur"])


def additional_actions(budget: pd.DataFrame, *, lines: Mapping[str, Sequence[str]] | None = None) -> pd.DataFrame:
    """The additional (bijkomend) actions: outside the plan, with what they cost."""
    if "additional" not in budget:
        return pd.DataFrame(columns=["row", "priority_no", "action", "status", "planned_eur", "spent_eur"])
    sel = budget[budget["additional"]]
    cols = [c for pair in _lines(budget, lines).values() for c in pair]
    out = sel[["priority_no", "action", "status", *cols]].copy()
    out.insert(0, "row", [int(r) for r in sel.index])
    out["priority_no"] = out["priority_no"].astype(int)
    return out.reset_index(drop=True)


# --------------------------------------------------------------------------- workload and planning


def _note_amounts(note: Any) -> list[float]:
    """Euro amounts written in a free-text note (``€10.000,00 digitaliseren`` -> [10000.0])."""
    if not isinstance(note, str):
        return []
    out = []
    for m in re.finditer(r"€\s*([\d.]+(?:,\d+)?)", note):
        x = parse_number(m.group(1))
        if not math.isnan(x):
            out.append(x)
    return out


def _compare(check, scope, measure, stated, computed, rows, explanation_ok, explanation_bad, *,
             values=None, file="", tol=0.005, extra_rows=None):
    diff = computed - stated
    if abs(diff) < tol:
        return dict(check=check, scope=scope, measure=measure, stated=stated, computed=computed, difference=0.0,
                    result="ok", rows=rows, explanation=explanation_ok)
    why = ""
    if values is not None:
        _, why = explain_difference(values, diff, file=file)
        why = ": " + why
    return dict(check=check, scope=scope, measure=measure, stated=stated, computed=computed, difference=diff,
                result="mismatch", rows=rows,
                explanation=f"{explanation_bad} {_fmt_amount(computed)} tegenover {_fmt_amount(stated)} "
                            f"(verschil {_fmt_amount(diff)}){why}")


def reconcile_plan(planning: pd.DataFrame, totals: pd.DataFrame, actions: pd.DataFrame | None = None, *,
                   section_groups: Mapping[str, Sequence[str]] | None = None,
                   subsection_groups: Mapping[str, str] | None = None,
                   measures: Sequence[str] = ("days", "budget_eur")) -> pd.DataFrame:
    """Reconcile an action plan with itself, one row per comparison (result ok / explained /
    mismatch / note), for workdays and budget:

    * each group row of the planning against the sum of its actions (empty cells count as 0 and are
      named), the total row against the group rows and against all actions;
    * each section total of the text (``actions`` rows with ``row_type == section_total``) against
      the planning groups it covers (``section_groups``: section -> group names) and against the
      sum of the section's own action tables (amounts written in the budget note, such as
      "€10.000,00 digitaliseren", are shown as the explanation when they close the gap);
    * each planning action against the same action in the section tables (``subsection_groups``:
      table section -> planning group; actions are paired in order), so that one action stated
      differently in two places is a finding of its own.
    """
    pf = planning.attrs.get("source", {}).get("file", "planning")
    tf = totals.attrs.get("source", {}).get("file", "totalen")
    out = []
    groups = list(dict.fromkeys(planning["group"]))
    grow = totals[totals["row_type"].str.lower() == "group"]
    trow = totals[totals["row_type"].str.lower() == "total"]
    for m in measures:
        for g in groups:
            sub = planning[planning["group"] == g]
            stated = grow[grow["group"] == g]
            if stated.empty:
                out.append(dict(check="group_vs_actions", scope=g, measure=m, stated=np.nan,
                                computed=float(sub[m].fillna(0).sum()), difference=np.nan, result="mismatch",
                                rows=_rows_text(pf, sub.index),
                                explanation=f"de groep '{g}' heeft geen groepsrij in {tf}"))
                continue
            empty = [int(r) for r in sub.index[sub[m].isna()]]
            note = (f"; lege cel als 0 geteld: {_rows_text(pf, empty)}" if empty else "")
            out.append(_compare(
                "group_vs_actions", g, m, float(stated[m].iloc[0]), float(sub[m].fillna(0).sum()),
                f"{_rows_text(tf, stated.index)}; {_rows_text(pf, sub.index)}",
                "de groepsrij is gelijk aan de som van haar acties" + note,
                f"de acties van deze groep ({_rows_text(pf, sub.index)}) tellen op tot",
                values=sub[m], file=pf))
        for g in set(grow["group"]) - set(groups):
            r = grow[grow["group"] == g]
            out.append(dict(check="group_vs_actions", scope=g, measure=m, stated=float(r[m].iloc[0]),
                            computed=np.nan, difference=np.nan, result="mismatch", rows=_rows_text(tf, r.index),
                            explanation=f"groepsrij '{g}' zonder acties in {pf}"))
        if not trow.empty:
            stated = float(trow[m].iloc[0])
            out.append(_compare("total_vs_groups", "Totaal", m, stated, float(grow[m].fillna(0).sum()),
                                _rows_text(tf, list(grow.index) + list(trow.index)),
                                "de totaalrij is gelijk aan de som van de groepsrijen",
                                "de groepsrijen tellen op tot", values=grow[m], file=tf))
            out.append(_compare("total_vs_actions", "Totaal", m, stated, float(planning[m].fillna(0).sum()),
                                _rows_text(tf, trow.index), "de totaalrij is gelijk aan de som van alle acties",
                                "alle acties samen tellen op tot", values=planning[m], file=pf))
    if actions is not None:
        out += _reconcile_sections(planning, grow, actions, section_groups or {}, subsection_groups or {},
                                   measures, pf, tf)
    return pd.DataFrame(out, columns=FINDING_COLUMNS)


def _reconcile_sections(planning, grow, actions, section_groups, subsection_groups, measures, pf, tf):
    af = actions.attrs.get("source", {}).get("file", "acties")
    out = []
    sec = actions[actions["row_type"].str.lower() == "section_total"]
    act = actions[actions["row_type"].str.lower() == "action"]
    for _, s in sec.iterrows():
        key = str(s["section"])
        srow = _rows_text(af, [s.name])
        names = list(section_groups.get(key, []))
        tables = act[act["section"].astype(str).str.startswith(key + ".")]
        if not names and tables.empty:
            out.append(dict(check="section_not_planned", scope=key, measure="", stated=np.nan, computed=np.nan,
                            difference=np.nan, result="note", rows=srow,
                            explanation=f"sectie {key} ({_fmt_amount(s['days'])} werkdagen, "
                                        f"{_fmt_amount(s['budget_eur'])} euro) heeft geen groep in de planning "
                                        "en geen actietabel; niets om mee te vergelijken"))
            continue
        for m in measures:
            stated = float(s[m])
            if names:
                g = grow[grow["group"].isin(names)]
                missing = [n for n in names if n not in set(grow["group"])]
                label = " + ".join(f"'{n}'" for n in names)
                if missing:
                    out.append(dict(check="section_vs_groups", scope=key, measure=m, stated=stated, computed=np.nan,
                                    difference=np.nan, result="mismatch", rows=srow,
                                    explanation=f"groep(en) {', '.join(missing)} niet gevonden in {tf}"))
                else:
                    out.append(_compare("section_vs_groups", key, m, stated, float(g[m].fillna(0).sum()),
                                        f"{srow}; {_rows_text(tf, g.index)}",
                                        f"het sectietotaal is gelijk aan de groepsrij(en) {label} van de planning",
                                        f"de groepsrij(en) {label} tellen op tot", values=g[m], file=tf))
                    p = planning[planning["group"].isin(names)]
                    out.append(_compare("section_vs_actions", key, m, stated, float(p[m].fillna(0).sum()),
                                        f"{srow}; {_rows_text(pf, p.index)}",
                                        f"het sectietotaal is gelijk aan de som van de acties van {label}",
                                        f"de acties van {label} in de planning tellen op tot", values=p[m], file=pf))
            if not tables.empty:
                computed = float(tables[m].fillna(0).sum())
                rows = f"{srow}; {_rows_text(af, tables.index)}"
                res = _compare("section_vs_table", key, m, stated, computed, rows,
                               f"het sectietotaal is gelijk aan de som van de actietabellen {key}.x",
                               f"de actietabellen {key}.x tellen op tot", values=tables[m], file=af)
                if res["result"] == "mismatch" and m == "budget_eur":
                    extra = {int(r): _note_amounts(n) for r, n in tables.get("note", pd.Series(dtype=object)).items()}
                    extra = {r: a for r, a in extra.items() if a}
                    amount = sum(sum(a) for a in extra.values())
                    if extra and abs(computed + amount - stated) < 0.005:
                        res["result"] = "explained"
                        res["explanation"] = (
                            f"de actietabellen {key}.x tellen op tot {_fmt_amount(computed)} tegenover "
                            f"{_fmt_amount(stated)}; het verschil ({_fmt_amount(stated - computed)}) is het bedrag "
                            "dat in de toelichting van de budgetcel staat ("
                            + "; ".join(f"rij {r}: '{tables.loc[r, 'note']}'" for r in extra)
                            + f"). Met dat bedrag erbij klopt het sectietotaal.")
                out.append(res)
    for sub_key, group in subsection_groups.items():
        t = act[act["section"].astype(str) == str(sub_key)]
        p = planning[planning["group"] == group]
        if len(t) != len(p):
            out.append(dict(check="action_vs_section_table", scope=f"{sub_key} / {group}", measure="",
                            stated=float(len(t)), computed=float(len(p)), difference=float(len(p) - len(t)),
                            result="mismatch", rows=f"{_rows_text(af, t.index)}; {_rows_text(pf, p.index)}",
                            explanation=f"tabel {sub_key} heeft {len(t)} acties, planningsgroep '{group}' "
                                        f"{len(p)}; de acties kunnen niet één op één vergeleken worden"))
            continue
        for (tr, ta), (pr, pa) in zip(t.iterrows(), p.iterrows()):
            for m in measures:
                a_val, p_val = ta[m], pa[m]
                rows = f"{_rows_text(pf, [pr])}; {_rows_text(af, [tr])}"
                scope = f"{pa['action']} ({sub_key}: {ta['action_title']})"
                notes = _note_amounts(ta.get("note")) if m == "budget_eur" else []
                if pd.isna(p_val) and not pd.isna(a_val):
                    out.append(dict(check="action_vs_section_table", scope=scope, measure=m, stated=float(a_val),
                                    computed=np.nan, difference=np.nan, result="note", rows=rows,
                                    explanation=f"leeg in de planning, {_fmt_amount(a_val)} in tabel {sub_key}"
                                                " (als 0 geteld)" if a_val == 0 else
                                                f"leeg in de planning, {_fmt_amount(a_val)} in tabel {sub_key}"))
                    continue
                p_num = 0.0 if pd.isna(p_val) else float(p_val)
                a_num = 0.0 if pd.isna(a_val) else float(a_val)
                if abs(p_num - a_num) < 0.005:
                    out.append(dict(check="action_vs_section_table", scope=scope, measure=m, stated=a_num,
                                    computed=p_num, difference=0.0, result="ok", rows=rows,
                                    explanation="zelfde waarde in de planning en in de sectietabel"))
                elif notes and abs(a_num + sum(notes) - p_num) < 0.005:
                    out.append(dict(check="action_vs_section_table", scope=scope, measure=m, stated=a_num,
                                    computed=p_num, difference=p_num - a_num, result="explained", rows=rows,
                                    explanation=(
                                        f"dezelfde actie staat op twee plaatsen anders: {_fmt_amount(p_num)} in de "
                                        f"planning, {_fmt_amount(a_num)} + " + " + ".join(_fmt_amount(x) for x in notes)
                                        + f" in tabel {sub_key} ('{ta['raw_werkdruk_budget'] if 'raw_werkdruk_budget' in ta else ta['note']}'). "
                                        "Samen is het hetzelfde bedrag; de planning toont één bedrag, de "
                                        "sectietabel splitst het op")))
                else:
                    out.append(dict(check="action_vs_section_table", scope=scope, measure=m, stated=a_num,
                                    computed=p_num, difference=p_num - a_num, result="mismatch", rows=rows,
                                    explanation=f"de planning ({_rows_text(pf, [pr])}) vermeldt {_fmt_amount(p_num)}, "
                                                f"tabel {sub_key} ({_rows_text(af, [tr])}) {_fmt_amount(a_num)}"))
    return out


def findings(*checks: pd.DataFrame) -> pd.DataFrame:
    """Every comparison that is not simply ``ok``: mismatches first, then explained differences,
    then notes. An empty result means every check closed."""
    frames = [c for c in checks if c is not None and not c.empty]
    if not frames:
        return pd.DataFrame(columns=FINDING_COLUMNS)
    df = pd.concat(frames, ignore_index=True)
    df = df[df["result"] != "ok"].copy()
    order = {"mismatch": 0, "explained": 1, "note": 2}
    return df.sort_values("result", key=lambda s: s.map(order), kind="stable").reset_index(drop=True)


def action_comparison(recon: pd.DataFrame) -> pd.DataFrame:
    """The action-by-action comparisons of :func:`reconcile_plan` (``action_vs_section_table``)
    with explicit sides: ``planning`` (the value in the planning table) and ``section_text`` (the
    value in the action table of the section text), ``difference = planning − section_text``.

    In the reconciliation frame these are ``computed`` and ``stated``; a generic "stated / computed"
    header put the section text's €7.000 of "Extra verdieping" under "stated" although the plan's
    planning states €17.000, so the report shows this frame instead.
    """
    sel = recon[(recon["check"] == "action_vs_section_table") & (recon["measure"].astype(str) != "")]
    return pd.DataFrame({
        "scope": sel["scope"].to_numpy(), "measure": sel["measure"].to_numpy(),
        "planning": sel["computed"].to_numpy(float), "section_text": sel["stated"].to_numpy(float),
        "difference": (sel["computed"] - sel["stated"]).to_numpy(float),
        "result": sel["result"].to_numpy(), "rows": sel["rows"].to_numpy(),
        "explanation": sel["explanation"].to_numpy()})


def mark_sic(text: Any, words: Iterable[str] | None) -> Any:
    """Mark a spelling quoted from the source as such: ``ondernem voor iedereen`` ->
    ``ondernem [sic] voor iedereen`` for ``words=["ondernem"]`` (whole words, case as given), so
    that a reader sees the difference with a label spelled otherwise is the source's own."""
    if not isinstance(text, str) or not words:
        return text
    for w in words:
        text = re.sub(rf"(?<!\w){re.escape(w)}(?!\w)(?! \[sic\])", f"{w} [sic]", text)
    return text


# --------------------------------------------------------------------------- timeline


def month_range(first: str, last: str) -> list[str]:
    """``"2024-01", "2025-06"`` -> the 18 months in between, as ``YYYY-MM``."""
    p = pd.period_range(pd.Period(first, "M"), pd.Period(last, "M"), freq="M")
    return [str(x) for x in p]


_MONTHS_NL = ["jan", "feb", "mrt", "apr", "mei", "jun", "jul", "aug", "sep", "okt", "nov", "dec"]


def month_label(ym: str) -> str:
    """``2024-10`` -> ``okt '24``."""
    y, m = ym.split("-")
    return f"{_MONTHS_NL[int(m) - 1]} '{y[2:]}"


def timeline(planning: pd.DataFrame, months: Sequence[str], *, month_columns: Mapping[str, str] | None = None,
             timing: pd.DataFrame | None = None) -> pd.DataFrame:
    """The planning per action and month, in long form, saying for each cell what is known.

    ``month_columns`` (``YYYY-MM`` -> column of the planning) are the planning's own month
    columns; a non-empty cell there is ``known_from = "planning"`` with its content as
    ``workload``. ``timing`` holds timing stated in the text of the plan (columns ``action``,
    ``timing_text`` and ``month`` — ``month`` only when the text names a month): those become
    ``known_from = "text"``. Everything else is ``unknown``; nothing is filled in.
    """
    month_columns = dict(month_columns or {})
    rows = []
    stated = {}
    texts: dict[str, list[str]] = {}
    if timing is not None and not timing.empty:
        for _, t in timing.iterrows():
            texts.setdefault(t["action"], []).append(str(t["timing_text"]))
            if isinstance(t["month"], str) and t["month"].strip():
                stated.setdefault((t["action"], t["month"].strip()), []).append(str(t["timing_text"]))
    for order, (r, a) in enumerate(planning.iterrows()):
        for ym in months:
            col = month_columns.get(ym)
            val = a[col] if col is not None and col in planning.columns else np.nan
            if not (val is None or (isinstance(val, float) and math.isnan(val)) or str(val).strip() == ""):
                rows.append(dict(order=order, group=a["group"], action=a["action"], month=ym, known_from="planning",
                                 workload=str(val), text=""))
            elif (a["action"], ym) in stated:
                rows.append(dict(order=order, group=a["group"], action=a["action"], month=ym, known_from="text",
                                 workload="", text="; ".join(stated[(a["action"], ym)])))
            else:
                rows.append(dict(order=order, group=a["group"], action=a["action"], month=ym, known_from="unknown",
                                 workload="", text=""))
    out = pd.DataFrame(rows, columns=["order", "group", "action", "month", "known_from", "workload", "text"])
    out.attrs["timing_text"] = texts
    return out


def timeline_figure(tl: pd.DataFrame, *, palette: Sequence[str] | None = None, groups: bool = False):
    """A Gantt-like grid: one row per action, one column per month. Cells known from the
    planning or from the text are filled; unknown cells are left as an empty hatched grid, with
    the text's seasonal timing (voorjaar/najaar) written beside the action, not placed in months.

    The cells are drawn as a few polygon collections (one per run of cells with the same style,
    in row-major order, so overlapping edges stack exactly as cell-by-cell drawing would), not as
    hundreds of separate patches; the picture is the same (``tests/test_actionplan.py``).

    ``groups=True`` puts a bold header row above the actions of each group (action numbers restart
    per group in a plan) and draws the rows more compactly."""
    import matplotlib.pyplot as plt
    from matplotlib.collections import PolyCollection
    from matplotlib.patches import Patch

    palette = list(palette or ["#0072B2", "#E69F00"])
    months = list(dict.fromkeys(tl["month"]))
    actions = list(dict.fromkeys(tl["action"]))
    texts = tl.attrs.get("timing_text", {})
    # the first row of every (action, month) cell, as the cell-by-cell lookup took it
    first = tl.drop_duplicates(["action", "month"])
    kind_of = dict(zip(zip(first["action"], first["month"]), first["known_from"]))
    is_text = tl["known_from"] == "text"
    text_cells: dict[Any, list[str]] = {}
    for a, t in zip(tl.loc[is_text, "action"], tl.loc[is_text, "text"]):
        text_cells.setdefault(a, []).append(t)
    styles = {"unknown": dict(facecolors="white", edgecolors="#BBBBBB", hatch="///", linewidths=0.5),
              "planning": dict(facecolors=palette[0], edgecolors="black", linewidths=0.6),
              "text": dict(facecolors=palette[1], edgecolors="black", linewidths=0.6)}
    # row position of each action; with groups, a header row before the first action of each group
    ypos: dict[Any, int] = {}
    headers: list[tuple[int, str]] = []
    if groups and "group" in tl:
        group_of = dict(zip(tl["action"], tl["group"]))
        last = object()
        for a in actions:
            if group_of[a] != last:
                last = group_of[a]
                headers.append((len(ypos) + len(headers), str(last)))
            ypos[a] = len(ypos) + len(headers)
    else:
        ypos = {a: i for i, a in enumerate(actions)}
    n_rows = len(ypos) + len(headers)
    fig, ax = plt.subplots(figsize=(11, (0.3 if headers else 0.42) * n_rows + 1.8))
    run_style, run = None, []

    def flush():
        if run:
            ax.add_collection(PolyCollection(run, closed=True, joinstyle="miter", capstyle="butt",
                                             **styles[run_style]), autolim=False)

    for a in actions:
        i = ypos[a]
        for j, mth in enumerate(months):
            k = kind_of[(a, mth)]
            style = "unknown" if k == "unknown" else "planning" if k == "planning" else "text"
            if style != run_style:
                flush()
                run_style, run = style, []
            run.append([(j, i - 0.4), (j + 1, i - 0.4), (j + 1, i + 0.4), (j, i + 0.4)])
        seasonal = [t for t in texts.get(a, []) if not any(t in x for x in text_cells.get(a, []))]
        if seasonal:
            ax.text(len(months) + 0.2, i, "tekst: " + "; ".join(s.split(":")[0] for s in seasonal),
                    va="center", fontsize=8)
    flush()
    ax.set_xlim(0, len(months))
    ax.set_ylim(n_rows - 0.5, -0.5)
    ax.set_xticks([j + 0.5 for j in range(len(months))])
    ax.set_xticklabels([month_label(m) for m in months], rotation=90, fontsize=8)
    ticks = sorted([(ypos[a], a, False) for a in actions] + [(y, g, True) for y, g in headers])
    ax.set_yticks([t[0] for t in ticks])
    ax.set_yticklabels([t[1] for t in ticks], fontsize=8)
    for lab, t in zip(ax.get_yticklabels(), ticks):
        if t[2]:
            lab.set_fontweight("bold")
    ax.grid(False)
    kinds = set(tl["known_from"])
    handles = [Patch(facecolor="white", edgecolor="#BBBBBB", hatch="///", label="maand onbekend (leeg in de bron)")]
    if "planning" in kinds:
        handles.append(Patch(facecolor=palette[0], edgecolor="black", label="ingepland volgens de planningstabel"))
    if "text" in kinds:
        handles.append(Patch(facecolor=palette[1], edgecolor="black", label="maand genoemd in de tekst van het plan"))
    ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.12), ncol=len(handles), fontsize=8,
              frameon=False)
    fig.tight_layout()
    return fig


# --------------------------------------------------------------------------- commitments


def commitment_progress(commitments: pd.DataFrame, realised: pd.DataFrame | None = None, *,
                        file: str | None = None) -> pd.DataFrame:
    """Quantified commitments with the realised value from a follow-up file.

    ``progress_pct = 100 × realised / target``; ``status`` is ``to_fill`` when no realised
    value is given (shown as "nog in te vullen" — nothing is estimated), ``reached`` when
    progress ≥ 100%, else ``not_reached``. The follow-up file has one row per ``section`` with
    ``realised_value``; a section that is not a commitment, or given twice, is a DataError.
    """
    out = commitments[["section", "indicator", "target_value", "unit", "period"]].copy()
    out["section"] = out["section"].astype(str)
    out["realised_value"] = np.nan
    if realised is not None and not realised.empty:
        rf = file or realised.attrs.get("source", {}).get("file", "opvolging")
        keys = set(out["section"])
        problems = []
        seen: dict[str, int] = {}
        for r, x in realised.iterrows():
            key = str(x["section"])
            if key not in keys:
                problems.append(Problem(rf, int(r), "section", x["section"],
                                        "een sectie met een verbintenis: " + ", ".join(sorted(keys))))
            elif key in seen:
                problems.append(Problem(rf, int(r), "section", x["section"],
                                        f"één rij per verbintenis (ook al in rij {seen[key]})"))
            seen.setdefault(key, int(r))
        if problems:
            raise DataError(problems)
        val = {str(s): v for s, v in zip(realised["section"], realised["realised_value"])}
        out["realised_value"] = [val.get(s, np.nan) for s in out["section"]]
    out["realised_value"] = out["realised_value"].astype("float64")
    out["progress_pct"] = 100 * out["realised_value"] / out["target_value"]
    out["status"] = np.where(out["realised_value"].isna(), "to_fill",
                             np.where(out["progress_pct"] >= 100, "reached", "not_reached"))
    return out.reset_index(drop=True)


COMMITMENT_STATUS_NL = {"to_fill": "nog in te vullen", "reached": "bereikt", "not_reached": "nog niet bereikt"}

# --------------------------------------------------------------------------- subsidies

DEFAULT_SUBSIDY_RULES = "data/raw/plan_types_subsidies.csv"


def read_subsidy_rules(path: str | Path | None = None, *, sheet: str | None = None,
                       columns: Mapping[str, str] | None = None) -> pd.DataFrame:
    """The subsidy rules per plan type (X = ``max_subsidy_eur``, Y = ``for_costs_eur``), checked:
    X and Y positive, plan types unique, a per-organisation plan names its minimum number of
    organisations."""
    df, _ = read(path or DEFAULT_SUBSIDY_RULES, "subsidies", sheet=sheet, columns=columns)
    return check_subsidy_rules(df)


def check_subsidy_rules(df: pd.DataFrame) -> pd.DataFrame:
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


def _rule(plan_type: str, rules: pd.DataFrame, memo: dict | None = None) -> pd.Series:
    """The rules row of ``plan_type`` (case-insensitive). ``memo`` (a dict kept by the caller
    for one ``rules`` table) remembers the rows already looked up."""
    if not isinstance(plan_type, str) or not plan_type.strip():
        raise ValueError(f"plan_type moet de naam van een plansoort zijn, gekregen {plan_type!r}")
    if memo is not None and plan_type in memo:
        return memo[plan_type]
    key = plan_type.strip().lower()
    match = rules[rules["plan_type"].astype(str).str.strip().str.lower() == key]
    if match.empty:
        known = ", ".join(map(str, rules["plan_type"]))
        raise ValueError(f"onbekende plansoort {plan_type!r}; gekend: {known}")
    row = match.iloc[0]
    if memo is not None:
        memo[plan_type] = row
    return row


def subsidy(plan_type: str, costs_eur: float, organisations: int = 1, *,
            rules: pd.DataFrame | str | Path | None = None, _memo: dict | None = None) -> float:
    """The subsidy due for a plan, in euro: ``min(X, costs_eur × X / Y)``.

    X ("max. € X") and Y ("voor € Y kosten") come from the rules file
    (``data/raw/plan_types_subsidies.csv`` by default), never from code. The source states only the
    maximum and the cost base; reading it as a proportional subsidy capped at X is **our reading**
    of the rule (it gives X exactly at costs Y). Plan type names as in the file, case-insensitive.

    For a plan granted per organisation (Clusterplan) ``costs_eur`` is one organisation's costs and
    the result is that organisation's subsidy; ``organisations`` must reach the plan's minimum
    (3 for a Clusterplan). Any other plan is for one organisation (``organisations`` must be 1).

    Worked examples (tests): Diversiteitsplan €15.000 -> €10.000, €9.000 -> €6.000, €30.000 ->
    €10.000; Clusterplan of 4 with €4.500 each -> €3.000 each, €30.000 each -> €3.000 each.

    Raises ValueError for an unknown plan type, costs that are not a finite number of 0 or more,
    an organisation count that is not a whole number or below the plan's minimum.
    """
    if rules is None or isinstance(rules, (str, Path)):
        rules = read_subsidy_rules(rules)
    r = _rule(plan_type, rules, _memo)
    if isinstance(costs_eur, bool) or not isinstance(costs_eur, Number):
        raise ValueError(f"costs_eur (de kosten) moet een bedrag in euro zijn, gekregen {costs_eur!r}")
    costs = float(costs_eur)
    if not math.isfinite(costs):
        raise ValueError(f"costs_eur (de kosten) moet een eindig bedrag zijn, gekregen {costs_eur!r}")
    if costs < 0:
        raise ValueError(f"costs_eur (de kosten) kan niet negatief zijn, gekregen {costs_eur!r}")
    if isinstance(organisations, bool) or not isinstance(organisations, Number) or organisations != int(organisations):
        raise ValueError(f"organisations (aantal organisaties) moet een geheel getal zijn, gekregen {organisations!r}")
    organisations = int(organisations)
    name = r["plan_type"]
    if bool(r["per_organisation"]):
        minimum = int(r["min_organisations"])
        if organisations < minimum:
            raise ValueError(f"een {str(name).lower()} vraagt minstens {minimum} organisaties; "
                             f"er {'is er' if organisations == 1 else 'zijn er'} {organisations} opgegeven")
    elif organisations != 1:
        raise ValueError(f"een {name} is voor één organisatie (organisations=1), gekregen {organisations}; "
                         "alleen een plan per organisatie (zoals een clusterplan) telt meer organisaties")
    x, y = float(r["max_subsidy_eur"]), float(r["for_costs_eur"])
    return round(min(x, costs * x / y), 2)


def subsidy_rules_table(rules: pd.DataFrame) -> pd.DataFrame:
    """The rules as the report shows them: X, Y, the rate X/Y and the costs at which X is reached."""
    out = pd.DataFrame({
        "plan_type": rules["plan_type"].astype(str).to_numpy(),
        "max_subsidy_eur": rules["max_subsidy_eur"].to_numpy(),
        "for_costs_eur": rules["for_costs_eur"].to_numpy(),
        "rate_pct": (100 * rules["max_subsidy_eur"] / rules["for_costs_eur"]).to_numpy(),
        "per_organisation": rules["per_organisation"].to_numpy(),
        "min_organisations": (rules["min_organisations"] if "min_organisations" in rules
                              else pd.Series(np.nan, index=rules.index)).to_numpy(),
        "duration_text": (rules["duration_text"] if "duration_text" in rules
                          else pd.Series("", index=rules.index)).astype(str).to_numpy(),
    })
    return out


def subsidy_table(examples: Iterable[Mapping[str, Any]], rules: pd.DataFrame) -> pd.DataFrame:
    """The subsidy for each example ``{plan_type, costs_eur, organisations}``; an impossible
    example is kept with its reason (``error``) instead of a number."""
    rows = []
    memo: dict = {}  # each plan type's rules row is looked up once, not twice per example
    for ex in examples:
        pt, costs, n = ex.get("plan_type"), ex.get("costs_eur"), ex.get("organisations", 1)
        try:
            s = subsidy(pt, costs, n, rules=rules, _memo=memo)
            r = _rule(pt, rules, memo)
            per_org = bool(r["per_organisation"])
            rows.append(dict(plan_type=r["plan_type"], organisations=int(n), costs_eur=float(costs),
                             subsidy_eur=s, subsidy_total_eur=s * int(n) if per_org else s,
                             capped=bool(s >= float(r["max_subsidy_eur"])),
                             error=""))
        except ValueError as e:
            rows.append(dict(plan_type=pt, organisations=n, costs_eur=costs, subsidy_eur=np.nan,
                             subsidy_total_eur=np.nan, capped=False, error=str(e)))
    out = pd.DataFrame(rows, columns=["plan_type", "organisations", "costs_eur", "subsidy_eur",
                                      "subsidy_total_eur", "capped", "error"])
    out["costs_eur"] = pd.to_numeric(out["costs_eur"], errors="coerce")
    out["organisations"] = pd.to_numeric(out["organisations"], errors="coerce")
    return out
