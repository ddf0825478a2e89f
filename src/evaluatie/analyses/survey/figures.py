"""Figures of the evaluation survey: diverging stacked bars of Likert distributions and
horizontal bars of proportions with their intervals. They draw the published tables (from
:mod:`evaluatie.publish.disclosure`): a withheld row (its base missing) is drawn empty with a note,
never from the raw estimate. With ``narrow=True`` each draws its phone variant (inside
:func:`evaluatie.publish.report.narrow_style`: :data:`~evaluatie.publish.report.NARROW_WIDTH` inches
wide, every text at least :data:`~evaluatie.publish.report.NARROW_FONT` points, shorter labels with
the base ``n`` in the label, the legend below in one column). Every label from data or parameters
(item, group and scale labels, titles) goes through :func:`evaluatie.publish.report.figure_label`;
a chart drawn on its own figure is measured and, while anything reaches past the canvas ('W' is wider
than 'i'), drawn again with those widths shortened (:func:`evaluatie.publish.report.fitted`); a chart
that fits the first time is drawn as it always was. Reference tests: ``tests/test_likert.py`` and ``tests/test_survey_speed.py`` (the same
pixels as the earlier bar-by-bar drawing).
"""

from __future__ import annotations

from typing import Mapping

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.colors import to_rgb

from evaluatie.publish.report import (NARROW_FONT, NARROW_WIDTH, PALETTE, axis_format, figure_label, fitted,
                                      legend_below)

__all__ = ["diverging_chart", "proportion_bars"]


def _diverging_colours(k: int) -> list[tuple[float, float, float]]:
    """``k`` colours from orange (negative) to purple (positive): seaborn's
    ``color_palette("PuOr", k)`` reversed, computed with matplotlib alone (``k`` evenly spaced
    samples of the colormap without its two ends), so drawing a chart does not import seaborn."""
    samples = mpl.colormaps["PuOr"](np.linspace(0, 1, int(k) + 2)[1:-1])[:, :3]
    return [to_rgb(tuple(c)) for c in samples][::-1]


def _base_label(n) -> str:
    return "te weinig antwoorden" if pd.isna(n) or n == 0 else f"n = {int(n)}"


def diverging_chart(dist: pd.DataFrame, *, row: str = "variable", labels: Mapping[str, str] | None = None,
                    threshold: int = 5, title: str | None = None, ax=None, narrow: bool = False):
    """Diverging stacked bar chart of a :func:`distribution` frame: the negative points to the
    left of 0, neutral split over both sides, the positive points to the right; ``n`` written at
    the end of every bar. ``dist`` is the published (protected) table: a row whose base is withheld
    or empty is drawn empty with a note that names ``threshold``. ``row`` is the column that
    identifies a bar (the item, or a domain column). ``narrow``: the phone variant (module
    docstring): the label wrapped short with ``n`` under it, the legend below in one column.
    Without ``ax`` the chart gets its own figure, refitted while it reaches past its canvas
    (:func:`evaluatie.publish.report.fitted`); on a given ``ax`` it is drawn once."""
    def draw(scale):
        return _diverging_chart(dist, row, labels, threshold, title, ax, narrow, scale)
    return draw(1.0) if ax is not None else fitted(draw)


def _diverging_chart(dist, row, labels, threshold, title, ax, narrow, scale):
    labels = dict(labels or {})
    rows = list(dict.fromkeys(dist[row]))
    levels_of = {r: list(dist.loc[dist[row] == r, "level"]) for r in rows}
    k = len(levels_of[rows[0]])
    if any(len(v) != k for v in levels_of.values()):
        raise ValueError("all bars of one diverging chart need scales with the same number of points")
    # legend: the labels at each scale position (joined when items use different scales)
    points = [figure_label(" / ".join(dict.fromkeys(levels_of[r][j] for r in rows)), 26 if narrow else 60,
                           max_lines=3 if narrow else 2, scale=scale) for j in range(k)]
    colours = _diverging_colours(k)
    if k % 2 == 1:
        colours[k // 2] = (0.75, 0.75, 0.75)
    fs = NARROW_FONT if narrow else 9
    if narrow:
        n_of = {r: dist.loc[dist[row] == r, "n"].iloc[0] for r in rows}
        ticks = [figure_label(labels.get(r, str(r)), 20, max_lines=4, scale=scale) + "\n" + _base_label(n_of[r])
                 for r in rows]
    else:
        ticks = [figure_label(labels.get(r, str(r)), 34, scale=scale) for r in rows]
    own_figure = ax is None
    if own_figure:
        if narrow:
            lines = sum(t.count("\n") + 1 for t in ticks) + sum(p.count("\n") + 1 for p in points)
            fig, ax = plt.subplots(figsize=(NARROW_WIDTH, 0.24 * lines + 0.3 * len(rows) + 1.6 + (0.6 if title else 0)))
        else:
            fig, ax = plt.subplots(figsize=(10, 0.6 * len(rows) + 2.2))
    else:
        fig = ax.figure
    ypos = np.arange(len(rows))[::-1]
    # one bar per scale point for all drawn rows at once (k calls, not k per row); rows do not
    # overlap and each row's segments keep their order, so the picture is the same
    drawn_y, shares, lefts, notes = [], [], [], []
    for y, r in zip(ypos, rows):
        sub = dist[dist[row] == r].set_index("level").reindex(levels_of[r])
        n = sub["n"].iloc[0]  # missing when the row is withheld (its count is not published)
        if pd.isna(n) or n == 0:
            note = f"n < {threshold}" if narrow else f"te weinig antwoorden (n < {threshold})"  # narrow: label says it
            notes.append((0, y, note, dict(ha="center", va="center", fontsize=fs)))
            continue
        share = sub["estimate"].fillna(0).to_numpy() * 100
        neg = share[: k // 2]
        mid = share[k // 2] if k % 2 else 0.0
        left = -(neg.sum() + mid / 2)
        starts = []
        for j in range(k):
            starts.append(left)
            left += share[j]
        drawn_y.append(y)
        shares.append(share)
        lefts.append(starts)
        if not narrow:  # the phone variant has n in the bar's label
            notes.append((left + 1.5, y, f"n = {int(n)}", dict(va="center", fontsize=fs)))
    if drawn_y:
        shares, lefts = np.asarray(shares), np.asarray(lefts)
        labelled = drawn_y[0] == ypos[0]  # the legend takes its entries from the top bar only
        for j in range(k):
            ax.barh(drawn_y, shares[:, j], left=lefts[:, j], color=colours[j], edgecolor="white", height=0.7,
                    label=points[j] if labelled else None)
    for x, y, s, kw in notes:
        ax.text(x, y, s, **kw)
    ax.axvline(0, color="black", lw=0.8)
    ax.set_yticks(ypos)
    ax.set_yticklabels(ticks)
    if narrow:
        ax.set_xlim(-100, 100)
        ax.set_xticks([-100, 0, 100])
        ax.set_xticklabels(["100%", "0%", "100%"])
        ax.set_xlabel("Aandeel van de antwoorden\n(zonder 'weet niet')", loc="right")
    else:
        ax.set_xlim(-100, 115)
        ax.set_xticks([-100, -50, 0, 50, 100])
        ax.set_xticklabels(["100%", "50%", "0%", "50%", "100%"])
        ax.set_xlabel("Aandeel van de antwoorden (zonder 'weet niet / n.v.t.')")
    ax.grid(axis="y", visible=False)
    ncol = 1 if narrow else k if max(len(p) for p in points) < 24 else 2
    if title and narrow and own_figure:  # over the whole width: the plot is narrower than the title
        fig.suptitle(figure_label(title, 28, max_lines=3, scale=scale), fontweight="bold")
    elif title:
        ax.set_title(figure_label(title, 28 if narrow else 80, max_lines=3 if narrow else 2, scale=scale))
    if own_figure:  # one legend under the whole figure, with room made for it
        legend_below(fig, *ax.get_legend_handles_labels(), ncol=ncol, fontsize=fs)
    else:
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.22 - 0.04 * (4 - min(len(rows), 4))), ncol=ncol,
                  frameon=False, fontsize=fs)
        fig.tight_layout()
    return fig


def proportion_bars(res: pd.DataFrame, *, label: str = "variable", labels: Mapping[str, str] | None = None,
                    threshold: int = 5, xlabel: str = "Aandeel", title: str | None = None, ax=None,
                    line: float | None = None, narrow: bool = False):
    """Horizontal bars of proportions with their interval as whiskers and ``n`` next to every
    bar. ``res`` is the published (protected) table: a row whose estimate is withheld or empty is
    left empty with a note that names ``threshold``. ``line``: a dashed reference line at that
    share (e.g. 0.5). ``narrow``: the phone variant (module docstring), ``n`` under each label.
    Without ``ax`` the chart gets its own figure, refitted while it reaches past its canvas
    (:func:`evaluatie.publish.report.fitted`); on a given ``ax`` it is drawn once."""
    def draw(scale):
        return _proportion_bars(res, label, labels, threshold, xlabel, title, ax, line, narrow, scale)
    return draw(1.0) if ax is not None else fitted(draw)


def _proportion_bars(res, label, labels, threshold, xlabel, title, ax, line, narrow, scale):
    labels = dict(labels or {})
    n = res["n"].to_numpy(dtype=float, na_value=np.nan)
    fs = NARROW_FONT if narrow else 9
    if narrow:
        ticks = [figure_label(labels.get(v, str(v)), 20, max_lines=4, scale=scale) + "\n" + _base_label(m)
                 for v, m in zip(res[label], n)]
    else:
        ticks = [figure_label(labels.get(v, str(v)), 60, max_lines=2, scale=scale) for v in res[label]]
    if ax is None:
        if narrow:
            lines = sum(t.count("\n") + 1 for t in ticks)
            fig, ax = plt.subplots(figsize=(NARROW_WIDTH, 0.24 * lines + 0.3 * len(res) + 1.5))
        else:
            fig, ax = plt.subplots(figsize=(8, 0.5 * len(res) + 1.4))
    else:
        fig = ax.figure
    y = np.arange(len(res))[::-1]
    est = res["estimate"].to_numpy(dtype=float, na_value=np.nan)
    drawn = ~np.isnan(n) & ~np.isnan(est) & (n > 0)
    lo, hi = res["ci_low"].to_numpy(dtype=float), res["ci_high"].to_numpy(dtype=float)
    # all bars in one call and all whiskers in one call (rows do not overlap: same picture as
    # drawing them row by row)
    if drawn.any():
        ax.barh(y[drawn], est[drawn], color=PALETTE[0], height=0.6)
        ax.errorbar(est[drawn], y[drawn], xerr=[est[drawn] - lo[drawn], hi[drawn] - est[drawn]],
                    color="black", capsize=3, lw=1, ls="none")
    for i in range(len(res)):
        if not drawn[i]:
            note = f"n < {threshold}" if narrow else f"te weinig antwoorden (n < {threshold})"  # narrow: label says it
            ax.text(0.01, y[i], note, va="center", fontsize=fs)
        elif not narrow:  # the phone variant has n in the bar's label
            ax.text(min(hi[i] + 0.02, 1.02), y[i], f"n = {int(n[i])}", va="center", fontsize=fs)
    if line is not None:
        ax.axvline(line, color="grey", ls="--", lw=1)
    ax.set_yticks(y)
    ax.set_yticklabels(ticks)
    ax.set_xlim(0, 1.0 if narrow else 1.15)
    ax.set_xticks([0, 0.5, 1.0] if narrow else [0, 0.25, 0.5, 0.75, 1.0])
    axis_format(ax, "x", "prop", 0)
    if narrow:  # aligned to the plot's right end: the label is wider than a phone's plot
        ax.set_xlabel(figure_label(xlabel, 24, max_lines=3, scale=scale), loc="right")
    else:
        ax.set_xlabel(xlabel)
    ax.grid(axis="y", visible=False)
    if title and narrow:  # over the whole width: the plot is narrower than the title
        fig.suptitle(figure_label(title, 28, max_lines=3, scale=scale), fontweight="bold")
    elif title:
        ax.set_title(figure_label(title, 80, max_lines=2, scale=scale))
    fig.tight_layout()
    return fig
