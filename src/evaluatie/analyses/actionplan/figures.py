"""Figures of the action-plan follow-up (matplotlib; the report's style comes from
:mod:`evaluatie.publish.report`): the planning as a month grid (:func:`timeline_figure`).
"""

from __future__ import annotations

from typing import Any, Sequence

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.collections import PolyCollection
from matplotlib.patches import Patch

from evaluatie.analyses.actionplan.narrative import month_label

__all__ = ["timeline_figure"]


def timeline_figure(tl: pd.DataFrame, *, palette: Sequence[str] | None = None, groups: bool = False):
    """A Gantt-like grid: one row per action, one column per month. Cells known from the
    planning or from the text are filled; unknown cells are left as an empty hatched grid, with
    the text's seasonal timing (voorjaar/najaar) written beside the action, not placed in months.

    The cells are drawn as a few polygon collections (one per run of cells with the same style,
    in row-major order, so overlapping edges stack exactly as cell-by-cell drawing would), not as
    hundreds of separate patches; the picture is the same (``tests/test_actionplan_speed.py``).

    ``groups=True`` puts a bold header row above the actions of each group (action numbers restart
    per group in a plan) and draws the rows more compactly."""
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
