"""Figures of the action-plan follow-up (matplotlib; the report's style comes from
:mod:`evaluatie.publish.report`): the planning as a month grid (:func:`timeline_figure`), budget
per priority (:func:`budget_figure`), status of the actions (:func:`status_figure`), days and
budget per group (:func:`plan_groups_figure`).
"""

from __future__ import annotations

from typing import Any, Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.collections import PolyCollection
from matplotlib.patches import Patch

from evaluatie.analyses.actionplan.narrative import month_label, priority_labels
from evaluatie.publish.report import PALETTE, axis_format, figure_label

__all__ = ["timeline_figure", "budget_figure", "status_figure", "plan_groups_figure", "wrap"]


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
    ax.set_yticklabels([figure_label(t[1], 90, max_lines=1) for t in ticks], fontsize=8)
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


def wrap(text: Any, width: int = 40) -> str:
    """A label over lines of about ``width`` characters in a figure, at most three
    (:func:`evaluatie.publish.report.figure_label`: a longer one ends in "…")."""
    return figure_label(text, width)


def budget_figure(execution: pd.DataFrame, budget_lines: Mapping[str, str]):
    """Planned and spent budget per priority (thousand euro), one panel per budget line; what
    additional actions cost is a hatched extension of the spent bar."""
    lines = [l for l in budget_lines if l in set(execution["line"])]
    fig, axes = plt.subplots(1, len(lines), figsize=(11, 6.5), sharey=True, squeeze=False)
    per = execution.dropna(subset=["priority_no"])
    for ax, line in zip(axes[0], lines):
        d = per[per["line"] == line].sort_values("priority_no")
        y = np.arange(len(d))
        ax.barh(y - 0.2, d["planned_eur"] / 1000, height=0.4, color=PALETTE[0], label="voorzien")
        ax.barh(y + 0.2, d["spent_planned_eur"] / 1000, height=0.4, color=PALETTE[1],
                label="uitgegeven aan geplande acties")
        if (d["spent_additional_eur"] > 0).any():
            m = (d["spent_additional_eur"] > 0).to_numpy()  # no zero-width bars: their edge would show as a tick
            ax.barh((y + 0.2)[m], d["spent_additional_eur"][m] / 1000, left=d["spent_planned_eur"][m] / 1000,
                    height=0.4, color="white", edgecolor=PALETTE[5], hatch="///",
                    label="uitgegeven aan bijkomende acties")
        ax.set_yticks(y)
        ax.set_yticklabels([wrap(label, 32) for label in priority_labels(d)], fontsize=8)
        ax.set_title(figure_label(budget_lines[line].split(" (")[0], 50, max_lines=2), fontsize=10)
        ax.set_xlabel("duizend euro")
        axis_format(ax, "x", "num")
    axes[0][0].invert_yaxis()  # shared y axis: invert once
    handles, labels_ = [], []
    for ax in axes[0]:
        for h, l in zip(*ax.get_legend_handles_labels()):
            if l not in labels_:
                handles.append(h)
                labels_.append(l)
    fig.legend(handles, labels_, loc="lower center", ncol=len(labels_), frameon=False, fontsize=9)
    fig.tight_layout(rect=(0, 0.06, 1, 1))
    return fig


def status_figure(dist: pd.DataFrame, classes: Mapping[str, str]):
    """Stacked bars: the number of actions per evaluation class (``classes``: key -> label) per priority."""
    d = dist.dropna(subset=["priority_no"])
    fig, ax = plt.subplots(figsize=(9, 6))
    left = np.zeros(len(d))
    # contrasting colours: blue shades only for the two kinds of 'uitgevoerd', vermilion for 'niet uitgevoerd'
    colours = {"done": PALETTE[0], "done_ongoing": PALETTE[4], "ongoing": PALETTE[2],
               "postponed": PALETTE[1], "not_done": PALETTE[5]}
    for key, label in classes.items():
        ax.barh(np.arange(len(d)), d[key], left=left, color=colours[key], label=label)
        left += d[key].to_numpy()
    ax.set_yticks(np.arange(len(d)))
    ax.set_yticklabels([wrap(label, 40) for label in priority_labels(d)], fontsize=8)
    ax.invert_yaxis()
    ax.set_xlabel("aantal acties")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.12), ncol=5, fontsize=8, frameon=False)
    fig.tight_layout()
    return fig


def plan_groups_figure(groups: pd.DataFrame):
    """Two bar charts side by side: working days and budget (thousand euro) per group of actions."""
    fig, axes = plt.subplots(1, 2, figsize=(10, 3.4), sharey=True)
    y = np.arange(len(groups))
    axes[0].barh(y, groups["days"], color=PALETTE[0])
    axes[1].barh(y, groups["budget_eur"].fillna(0) / 1000, color=PALETTE[1])
    axes[0].set_yticks(y)
    axes[0].set_yticklabels([wrap(g, 30) for g in groups["group"]], fontsize=8)
    axes[0].invert_yaxis()
    axes[0].set_xlabel("werkdagen")
    axes[1].set_xlabel("budget (duizend euro)")
    axis_format(axes[0], "x", "num")
    axis_format(axes[1], "x", "num", 0)
    fig.tight_layout()
    return fig
