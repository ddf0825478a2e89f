"""What was done: budget execution per priority and budget line, the status of the actions, and
progress on the quantified commitments.

Plain arithmetic on the checked tables of :mod:`evaluatie.analyses.actionplan.inputs` (sums,
counts and shares); their reference tests are the subtotals and status counts checked by hand in
``data/README.md``.
"""

from __future__ import annotations

from typing import Mapping, Sequence

import numpy as np
import pandas as pd

from evaluatie.analyses.actionplan.inputs import BUDGET_LINES, STATUS_CLASSES, status_class
from evaluatie.core.errors import DataError, Problem

__all__ = ["budget_execution", "status_distribution", "status_budget", "budget_without_execution",
           "additional_actions", "commitment_progress", "plan_groups"]

# --------------------------------------------------------------------------- budget execution


def _lines(df: pd.DataFrame, lines: Mapping[str, Sequence[str]] | None) -> dict[str, tuple[str, str]]:
    lines = dict(lines or BUDGET_LINES)
    return {k: (p, s) for k, (p, s) in lines.items() if p in df.columns and s in df.columns}


def _assess(planned: float, spent: float, closed: bool = True) -> str:
    """The judgement of one row; less spent than planned is ``underspent``/``unspent`` only in a
    closed year, ``not_fully_spent``/``not_yet_spent`` while spending can still follow."""
    if planned == 0 and spent == 0:
        return "no_budget"
    if planned == 0:
        return "unplanned_spending"
    if spent == 0:
        return "unspent" if closed else "not_yet_spent"
    if spent > planned:
        return "overspent"
    if spent < planned:
        return "underspent" if closed else "not_fully_spent"
    return "on_plan"


def budget_execution(budget: pd.DataFrame, *, lines: Mapping[str, Sequence[str]] | None = None,
                     include_additional: bool = True, closed: bool = True) -> pd.DataFrame:
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

    ``closed``: whether the budget year is closed (the spending is final). Only then is spending
    less than planned judged ``underspent`` (onderbesteding) or ``unspent``; in a year that is not
    closed it is ``not_fully_spent`` (nog niet volledig besteed) or ``not_yet_spent``, because
    spending can still follow (:func:`evaluatie.analyses.actionplan.study.year_is_closed`).

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
    out["assessment"] = [_assess(p, s, closed) for p, s in zip(out["planned_eur"], out["spent_planned_eur"])]
    return out


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


def plan_groups(planning: pd.DataFrame) -> pd.DataFrame:
    """Actions, working days and budget per group of the planning (sums of the action rows, groups
    in the order of the file)."""
    return (planning.groupby("group", sort=False).agg(actions=("action", "size"), days=("days", "sum"),
                                                      budget_eur=("budget_eur", "sum")).reset_index())
