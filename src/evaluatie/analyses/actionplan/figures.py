"""Figures of the action-plan follow-up (matplotlib; the report's style comes from
:mod:`evaluatie.publish.report`): the planning as a month grid (:func:`timeline_figure`), budget
per priority (:func:`budget_figure`), status of the actions (:func:`status_figure`), days and
budget per group (:func:`plan_groups_figure`).

Each takes ``narrow=True`` for its phone variant (:func:`evaluatie.publish.report.narrow_style`). Every
label from the plan (action, group and priority names, budget lines) goes through
:func:`evaluatie.publish.report.figure_label` with a width in characters; characters differ in width
('W' against 'i'), so each builder measures its figure and, while anything reaches past the canvas,
draws it again with those widths shortened (:func:`evaluatie.publish.report.fitted`). A figure that
fits the first time is drawn as it always was.
"""

from __future__ import annotations

from typing import Any, Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.collections import PolyCollection
from matplotlib.patches import Patch
from matplotlib.ticker import MaxNLocator

from evaluatie.analyses.actionplan.narrative import month_label, priority_labels
from evaluatie.publish.report import (NARROW_WIDTH, PALETTE, axis_format, figure_label, fitted, legend_below,
                                      narrow_style)

__all__ = ["timeline_figure", "budget_figure", "status_figure", "plan_groups_figure"]


def timeline_figure(tl: pd.DataFrame, *, palette: Sequence[str] | None = None, groups: bool = False,
                    narrow: bool = False):
    """A Gantt-like grid: one row per action, one column per month. Cells known from the
    planning or from the text are filled; unknown cells are left as an empty hatched grid, with
    the text's seasonal timing (voorjaar/najaar) written beside the action, not placed in months.

    The cells are drawn as a few polygon collections (one per run of cells with the same style,
    in row-major order, so overlapping edges stack exactly as cell-by-cell drawing would), not as
    hundreds of separate patches; the picture is the same (``tests/test_actionplan_speed.py``).

    ``groups=True`` puts a bold header row above the actions of each group (action numbers restart
    per group in a plan) and draws the rows more compactly.

    ``narrow``: the phone variant (:func:`evaluatie.publish.report.narrow_style`): a month label
    every few months, action names over two short lines, no seasonal notes beside the grid (the
    table of the text's timing has them) and the legend below, one entry per line."""
    with narrow_style(narrow):
        return fitted(lambda scale: _timeline_figure(tl, palette, groups, narrow, scale))


def _timeline_figure(tl: pd.DataFrame, palette: Sequence[str] | None, groups: bool, narrow: bool, scale: float):
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
    size = (NARROW_WIDTH, 0.5 * n_rows + 3.6) if narrow else (11, (0.3 if headers else 0.42) * n_rows + 1.8)
    fig, ax = plt.subplots(figsize=size)
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
        if seasonal and not narrow:  # beside the grid, at a fixed distance from it: the layout makes room
            ax.annotate("tekst: " + "; ".join(figure_label(s.split(":")[0], 30, 1, scale=scale) for s in seasonal),
                        (1, i),
                        xycoords=ax.get_yaxis_transform(), xytext=(3, 0), textcoords="offset points",
                        va="center", fontsize=8)
    flush()
    ax.set_xlim(0, len(months))
    ax.set_ylim(n_rows - 0.5, -0.5)
    step = max(1, -(-len(months) // 5)) if narrow else 1  # at most 5 month labels on a phone
    ax.set_xticks([j + 0.5 for j in range(0, len(months), step)])
    ax.set_xticklabels([month_label(m) for m in months[::step]], rotation=90, fontsize=None if narrow else 8)
    ticks = sorted([(ypos[a], a, False) for a in actions] + [(y, g, True) for y, g in headers])
    ax.set_yticks([t[0] for t in ticks])
    ax.set_yticklabels([figure_label(t[1], 16 if narrow else 90, max_lines=2 if narrow else 1, scale=scale)
                        for t in ticks], fontsize=None if narrow else 8)
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
    if narrow:
        legend_below(fig, handles, [figure_label(h.get_label(), 26, max_lines=2) for h in handles], ncol=1)
        return fig
    legend_below(fig, handles, [h.get_label() for h in handles], ncol=len(handles), fontsize=8)
    return fig


def budget_figure(execution: pd.DataFrame, budget_lines: Mapping[str, str], narrow: bool = False):
    """Planned and spent budget per priority (thousand euro), one panel per budget line; what
    additional actions cost is a hatched extension of the spent bar. ``narrow``: the phone variant
    (:func:`evaluatie.publish.report.narrow_style`): the panels stacked, each priority by its number
    (the names are in the table above the figure), the legend below, one entry per line."""
    with narrow_style(narrow):
        return fitted(lambda scale: _budget_figure(execution, budget_lines, narrow, scale))


def _budget_figure(execution: pd.DataFrame, budget_lines: Mapping[str, str], narrow: bool, scale: float):
    lines = [l for l in budget_lines if l in set(execution["line"])]
    per = execution.dropna(subset=["priority_no"])
    n_prio = max(1, int(per.groupby("line").size().max())) if len(per) else 1
    if narrow:
        fig, axes = plt.subplots(len(lines), 1, figsize=(NARROW_WIDTH, len(lines) * (0.34 * n_prio + 1.5) + 1.6),
                                 squeeze=False)
        axes = axes[:, 0]
    else:
        fig, axes = plt.subplots(1, len(lines), figsize=(11, 0.55 * n_prio + 2.6), sharey=True, squeeze=False)
        axes = axes[0]
    for ax, line in zip(axes, lines):
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
        title = budget_lines[line].split(" (")[0]
        if narrow:
            ax.set_yticklabels([str(int(n)) for n in d["priority_no"]])
            ax.set_ylabel("topprioriteit")
            ax.set_title(figure_label(title, 24, max_lines=2, scale=scale), loc="left")
            ax.xaxis.set_major_locator(MaxNLocator(nbins=4))
            ax.invert_yaxis()
        else:
            ax.set_yticklabels([figure_label(label, 30, scale=scale) for label in priority_labels(d)], fontsize=11)
            ax.set_title(figure_label(title, 36, max_lines=2, scale=scale), fontsize=12)
            ax.tick_params(axis="x", labelsize=11)
        ax.set_xlabel("duizend euro", fontsize=None if narrow else 11)
        axis_format(ax, "x", "num")
    if not narrow:
        axes[0].invert_yaxis()  # shared y axis: invert once
    handles, labels_ = _legend_entries(axes)
    legend_below(fig, handles, labels_, ncol=1 if narrow else len(labels_), fontsize=None if narrow else 11)
    return fig


def _legend_entries(axes) -> tuple[list, list[str]]:
    """The legend entries of all panels, each label once."""
    handles, labels_ = [], []
    for ax in axes:
        for h, l in zip(*ax.get_legend_handles_labels()):
            if l not in labels_:
                handles.append(h)
                labels_.append(l)
    return handles, labels_


def status_figure(dist: pd.DataFrame, classes: Mapping[str, str], narrow: bool = False):
    """Stacked bars: the number of actions per evaluation class (``classes``: key -> label) per
    priority. ``narrow``: the phone variant, each priority by its number and the legend below, one
    entry per line."""
    with narrow_style(narrow):
        return fitted(lambda scale: _status_figure(dist, classes, narrow, scale))


def _status_figure(dist: pd.DataFrame, classes: Mapping[str, str], narrow: bool, scale: float):
    d = dist.dropna(subset=["priority_no"])
    size = (NARROW_WIDTH, 0.34 * len(d) + 3.6) if narrow else (9, 0.45 * len(d) + 1.8)
    fig, ax = plt.subplots(figsize=size)
    left = np.zeros(len(d))
    # contrasting colours: blue shades only for the two kinds of 'uitgevoerd', vermilion for 'niet uitgevoerd'
    colours = {"done": PALETTE[0], "done_ongoing": PALETTE[4], "ongoing": PALETTE[2],
               "postponed": PALETTE[1], "not_done": PALETTE[5]}
    for key, label in classes.items():
        ax.barh(np.arange(len(d)), d[key], left=left, color=colours[key], label=label)
        left += d[key].to_numpy()
    ax.set_yticks(np.arange(len(d)))
    if narrow:
        ax.set_yticklabels([str(int(n)) for n in d["priority_no"]])
        ax.set_ylabel("topprioriteit")
        ax.xaxis.set_major_locator(MaxNLocator(nbins=4, integer=True))
    else:
        ax.set_yticklabels([figure_label(label, 40, scale=scale) for label in priority_labels(d)], fontsize=11)
        ax.tick_params(axis="x", labelsize=11)
    ax.invert_yaxis()
    ax.set_xlabel("aantal acties", fontsize=None if narrow else 11)
    handles, labels_ = ax.get_legend_handles_labels()
    legend_below(fig, handles, labels_, ncol=1 if narrow else 3, fontsize=None if narrow else 11)
    return fig


def plan_groups_figure(groups: pd.DataFrame, narrow: bool = False):
    """Two bar charts: working days and budget (thousand euro) per group of actions, side by side,
    or stacked in the phone variant (``narrow``, group names over up to three short lines)."""
    with narrow_style(narrow):
        return fitted(lambda scale: _plan_groups_figure(groups, narrow, scale))


def _plan_groups_figure(groups: pd.DataFrame, narrow: bool, scale: float):
    n = len(groups)
    if narrow:
        fig, axes = plt.subplots(2, 1, figsize=(NARROW_WIDTH, 2 * (0.6 * n + 1.2)))
    else:
        fig, axes = plt.subplots(1, 2, figsize=(10, 0.45 * n + 1.6), sharey=True)
    y = np.arange(n)
    axes[0].barh(y, groups["days"], color=PALETTE[0])
    axes[1].barh(y, groups["budget_eur"].fillna(0) / 1000, color=PALETTE[1])
    for ax in axes if narrow else axes[:1]:
        ax.set_yticks(y)
        if narrow:
            ax.set_yticklabels([figure_label(g, 14, scale=scale) for g in groups["group"]])
            ax.xaxis.set_major_locator(MaxNLocator(nbins=4))
        else:
            ax.set_yticklabels([figure_label(g, 30, scale=scale) for g in groups["group"]], fontsize=11)
        ax.invert_yaxis()
    axes[0].set_xlabel("werkdagen", fontsize=None if narrow else 11)
    axes[1].set_xlabel("budget (duizend euro)", fontsize=None if narrow else 11)
    if not narrow:
        for ax in axes:
            ax.tick_params(axis="x", labelsize=11)
    axis_format(axes[0], "x", "num")
    axis_format(axes[1], "x", "num", 0)
    fig.tight_layout()
    return fig
