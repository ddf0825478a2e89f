"""The planning per month: which months an action is planned in, and whether that is known from
the planning table, from the text of the plan, or not at all (:func:`timeline`). Nothing is
filled in; the figure is :func:`evaluatie.analyses.actionplan.figures.timeline_figure`.
"""

from __future__ import annotations

import math
from typing import Mapping, Sequence

import numpy as np
import pandas as pd

__all__ = ["month_range", "timeline"]


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
