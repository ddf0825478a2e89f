"""The planning per month: which months an action is planned in, and whether that is known from
the planning table, from the text of the plan, or not at all (:func:`timeline`). Nothing is
filled in; the figure is :func:`evaluatie.analyses.actionplan.figures.timeline_figure`.
"""

from __future__ import annotations

import math
from typing import Mapping, Sequence

import numpy as np
import pandas as pd

__all__ = ["month_range", "timeline", "dated", "timeline_shown", "TIMELINE_MIN_ACTIONS"]

#: the fewest actions with a known month for which the report draws a timeline; with fewer, a
#: month grid is (almost) all unknown cells and a sentence and the table of known months say it all
TIMELINE_MIN_ACTIONS = 3


def month_range(first: str, last: str) -> list[str]:
    """``"2024-01", "2025-06"`` -> the 18 months in between, as ``YYYY-MM``."""
    p = pd.period_range(pd.Period(first, "M"), pd.Period(last, "M"), freq="M")
    return [str(x) for x in p]


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


def dated(tl: pd.DataFrame) -> pd.DataFrame:
    """The rows of the actions for which the source gives at least one month (from the planning
    table or the text of the plan): the actions a timeline can show. An action is a row of the
    planning (``order``), so two actions of the same name in different groups stay apart; the
    text's timing (``attrs["timing_text"]``) is kept."""
    known = set(tl.loc[tl["known_from"] != "unknown", "order"])
    out = tl[tl["order"].isin(known)]
    out.attrs = dict(tl.attrs)
    return out


def timeline_shown(tl: pd.DataFrame, minimum: int = TIMELINE_MIN_ACTIONS) -> pd.DataFrame | None:
    """What the report's timeline shows: the actions with a known month (:func:`dated`), or None
    when fewer than ``minimum`` actions have one (then a sentence says so instead)."""
    out = dated(tl)
    return out if out["order"].nunique() >= minimum else None
