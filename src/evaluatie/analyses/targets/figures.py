"""Figures of the target-figure report: one group's series with its segments, breaks, trend,
projection fan and targets (:func:`plot_group`), a grid of such panels (:func:`plot_panels`), and
the backtest's errors per horizon (:func:`plot_backtest`).

Every builder takes ``narrow``: the same content drawn for a phone (the ``narrow`` figure of
:func:`evaluatie.publish.report.figure`): :data:`~evaluatie.publish.report.NARROW_WIDTH` inches wide,
panels stacked in one column, every text at least :data:`~evaluatie.publish.report.NARROW_FONT`
points, fewer ticks, short break labels and the legend below. :func:`wide_and_narrow` draws both.
The y axis of a share starts at 0, so a series moving between 14,0% and 14,8% does not look like a
steep climb. Every text from data or parameters (panel titles, legend entries, a break's label) goes
through :func:`evaluatie.publish.report.figure_label`, narrower in the phone variant, and keeps its
case: a label of 5,000 characters cannot push a figure off its canvas. Characters differ in width ('W'
against 'i'), so :func:`plot_panels` measures its figure and, while anything reaches past the canvas,
draws it again with the widths of its titles and legend entries shortened
(:func:`evaluatie.publish.report.fitted`); a figure that fits the first time is drawn as it always was.
A break's text is clipped at the plot's edge and needs no refit."""

from __future__ import annotations

import math
from typing import Any, Callable, Iterable, Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.ticker import MaxNLocator

from evaluatie.analyses.targets.segments import as_breaks, group_series, segments
from evaluatie.analyses.targets.trends import MIN_POINTS, TrendFit, fit_trend
from evaluatie.core import fmt
from evaluatie.publish.report import (NARROW_WIDTH, PALETTE, axis_format, figure_label, fitted, legend_below,
                                      narrow_style)

__all__ = ["plot_group", "plot_panels", "plot_backtest", "target_periods", "panel_spec", "PANEL_GROUPS",
           "wide_and_narrow"]

#: Characters per line of a break's text in a panel (``breuk 2016: <label>``, drawn upright along
#: the share axis, at most two lines, clipped at the plot's edge): a longer label is cut
#: (:func:`evaluatie.publish.report.figure_label`).
BREAK_WIDTH = 40

#: The groups with a target that the report draws as panels, in this order.
PANEL_GROUPS = ("women_top", "women_middle", "foreign_origin", "disability_chronic_illness")


def plot_group(ax, series: pd.DataFrame, breaks: Iterable[Any] = (), *, target_pct: float | None = None,
               target_year: int | None = None, fit: bool = True, colors: Sequence[str] | None = None,
               labels: Mapping[str, str] | None = None, break_labels: bool = True,
               extra: pd.DataFrame | None = None, extra_label: str | None = None,
               targets: Sequence[Mapping[str, Any]] | None = None, narrow: bool = False) -> TrendFit | None:
    """Draw one group: observed points, one line per segment (never joined across a break),
    dashed vertical markers at the breaks, the trend of the last segment with its 95%
    projection fan to the target date, and the target line up to the target date.
    ``extra``: a predecessor series under an old definition (drawn in grey, its own segments).
    ``targets``: every target with its own period, ``{"pct", "end", "start" (optional: first
    year it applies; default the start of the axis), "label" (optional text at the line)}``; each
    is drawn only over its period (e.g. 33,3% until 2015, 40% from 2016 to 2020). Without it,
    ``target_pct`` is drawn from the start of the axis to ``target_year``. ``narrow``: the phone
    variant (break labels without their text, no target labels: :func:`plot_panels` puts the last
    one in the title; texts at the rc font size, at most 4 year ticks).
    The share axis starts at 0. Returns the fitted trend (or None)."""
    colors = list(colors or PALETTE)
    labels = dict(labels or {})
    brks = as_breaks(breaks)
    segs = segments(series, brks)
    if extra is not None and len(extra):
        for i, sg in enumerate(segments(extra, brks)):
            ax.plot(sg["year"], sg["share_pct"], "s--", color="#777777", lw=1.2, ms=4,
                    label=(extra_label if i == 0 else None))
    for i, sg in enumerate(segs):
        last = i == len(segs) - 1
        ax.plot(sg["year"], sg["share_pct"], "o-", color=colors[0] if last else colors[4], lw=1.8, ms=5,
                label=labels.get("observed", "gemeten aandeel") if last else
                (labels.get("earlier", "eerdere meetreeks") if i == len(segs) - 2 else None))
    years_all = list(series["year"]) + (list(extra["year"]) if extra is not None else [])
    lo_year, hi_year = min(years_all), max(max(years_all), target_year or 0)
    for b in brks:
        if lo_year < b.year <= max(years_all):
            ax.axvline(b.year - 0.5, color="#444444", ls=":", lw=1.2)
            if break_labels:
                # a label from the parameters: at most two short lines, and never past the plot's
                # bottom edge (clipped there, so the layout leaves it out) whatever its letters
                text = f"breuk {b.year}" + (f": {b.label}" if b.label and not narrow else "")
                ax.text(b.year - 0.45, 0.98, figure_label(text, BREAK_WIDTH, max_lines=2),
                        transform=ax.get_xaxis_transform(), rotation=90, va="top", ha="left",
                        fontsize=None if narrow else 9.5, color="#444444", clip_on=True)
    fitted = None
    seg = segs[-1]
    if fit and len(seg) >= MIN_POINTS:
        fitted = fit_trend(seg)
        end = max(int(seg["year"].max()), target_year or int(seg["year"].max()))
        xs = np.linspace(seg["year"].min(), int(seg["year"].max()), 50)
        ax.plot(xs, fitted.predict(xs), color=colors[1], lw=1.5, label=labels.get("trend", "trend"))
        if end > seg["year"].max():
            xf = np.linspace(int(seg["year"].max()), end, 50)
            lo, hi = fitted.prediction_interval(xf)
            ax.plot(xf, fitted.predict(xf), color=colors[1], lw=1.5, ls="--",
                    label=labels.get("projection", "projectie"))
            ax.fill_between(xf, lo, hi, color=colors[1], alpha=0.18, lw=0,
                            label=labels.get("fan", "95%-voorspellingsinterval"))
    if targets is None and target_pct is not None:
        targets = [{"pct": target_pct, "end": target_year if target_year is not None else hi_year}]
    drawn = 0
    targets = [t for t in targets or [] if t.get("pct") is not None and not pd.isna(t["pct"])]
    for t in targets:
        x0 = lo_year if t.get("start") is None else max(lo_year, int(t["start"]))
        x1 = int(t["end"]) if t.get("end") is not None else hi_year
        if x1 < x0:  # a period before the axis (e.g. a 2015 target on a series from 2016)
            continue
        ax.hlines(float(t["pct"]), x0 - (0.4 if x0 == x1 else 0), x1, color=colors[5], lw=1.4, ls="-.",
                  label=labels.get("target", "streefcijfer") if drawn == 0 else None)
        drawn += 1
        if t.get("end") is not None:
            ax.plot([x1], [float(t["pct"])], marker="*", ms=12, color=colors[5], ls="none")
        if t.get("label") and not narrow:  # narrow: the panel's title names the target (no room in the plot)
            ax.annotate(t["label"], (x0, float(t["pct"])), xytext=(0, 3), textcoords="offset points",
                        fontsize=8.5, color=colors[5], ha="left", va="bottom")
        hi_year = max(hi_year, x1)
    ax.set_xlim(lo_year - 0.6, hi_year + 0.6)
    ax.xaxis.set_major_locator(MaxNLocator(nbins=4, integer=True) if narrow else MaxNLocator(integer=True))
    hi = ax.get_ylim()[1]  # a share from 0: a zoomed axis makes 14,0-14,8% look like a steep climb
    ax.set_ylim(0, hi * 1.04 if hi > 0 else 1.0)
    lo, hi = ax.get_ylim()
    axis_format(ax, "y", "pct", 0 if hi - lo >= 6 else 1)
    return fitted



def plot_panels(data: pd.DataFrame, panels: Sequence[Mapping[str, Any]], breaks: Iterable[Any] = (),
                ncols: int = 2, labels: Mapping[str, str] | None = None, narrow: bool = False):
    """A grid of :func:`plot_group` panels. Each panel: ``{"group", "title", "target_pct",
    "target_year", "targets" (optional, each target over its own period, see :func:`plot_group`),
    "predecessor" (optional group under an old definition), "up_to"}``. ``narrow``: the phone
    variant, one column of panels (see the module docstring). Refitted while it reaches past its
    canvas (:func:`evaluatie.publish.report.fitted`)."""
    breaks = as_breaks(breaks)  # a list: drawn again by a refit
    with narrow_style(narrow):
        return fitted(lambda scale: _plot_panels(data, panels, breaks, 1 if narrow else ncols, labels, narrow, scale))


def _plot_panels(data, panels, breaks, ncols, labels, narrow, scale=1.0):
    n = len(panels)
    nrows = max(1, math.ceil(n / ncols))
    size = (NARROW_WIDTH, 3.0 * nrows + 1.8) if narrow else (6.2 * ncols, 3.9 * nrows)
    fig, axes = plt.subplots(nrows, ncols, figsize=size, squeeze=False)
    for ax, p in zip(axes.flat, panels):
        g = p["group"]
        s = group_series(data, g, up_to=p.get("up_to"))
        pred = p.get("predecessor")
        extra = group_series(data, pred, up_to=p.get("up_to")) if pred else None
        brk = [b for b in as_breaks(breaks) if b.applies_to(g) or (pred and b.applies_to(pred))]
        plot_group(ax, s, brk, target_pct=p.get("target_pct"), target_year=p.get("target_year"),
                   extra=extra, extra_label=p.get("predecessor_label"), labels=labels, targets=p.get("targets"),
                   narrow=narrow)
        women = g in ("women_top", "women_middle", "women_lower")
        if narrow:  # rc sizes of rp.narrow_style (12 pt); a long title over two lines, then the last target
            ax.set_title(figure_label(p.get("title", g), width=24, max_lines=2, scale=scale) + _target_line(p),
                         loc="left")
            ax.set_ylabel("aandeel vrouwen" if women else "aandeel")
        else:
            ax.set_title(figure_label(p.get("title", g), 36, max_lines=2, scale=scale), fontsize=13, loc="left")
            ax.set_ylabel("aandeel vrouwen" if women else "aandeel van het personeel", fontsize=11.5)
            ax.tick_params(labelsize=11)
        ax.set_xlabel("")
    for ax in list(axes.flat)[n:]:
        ax.set_visible(False)
    handles, labs = [], []
    for ax in axes.flat:
        for h, lab in zip(*ax.get_legend_handles_labels()):
            if lab not in labs:
                handles.append(h)
                labs.append(lab)
    labs = [figure_label(lab, width=26 if narrow else 56, max_lines=2, scale=scale) for lab in labs]
    legend_below(fig, handles, labs, ncol=1 if narrow else 3, fontsize=None if narrow else 11.5)
    return fig


def _target_line(panel: Mapping[str, Any]) -> str:
    """The last target of a panel as a second title line of its phone variant (``40% tegen 2020``)."""
    dated = [t for t in panel.get("targets") or [] if t.get("label")]
    if dated:
        return "\nstreefcijfer " + dated[-1]["label"]
    pct, year = panel.get("target_pct"), panel.get("target_year")
    if pct is None or pd.isna(pct):
        return ""
    return f"\nstreefcijfer {fmt.pct(pct, 1 if pct % 1 else 0)}" + (f" tegen {int(year)}" if year is not None else "")


def plot_backtest(by_horizon: pd.DataFrame, narrow: bool = False):
    """Bar chart of the backtest per horizon (``by_horizon``: :func:`backtest_summary` by
    ``"horizon"``): mean absolute error of the rule of thumb next to that of the trend method, with
    the number of projections above each pair. ``narrow``: the phone variant (legend below).
    Returns the figure."""
    with narrow_style(narrow):
        return _plot_backtest(by_horizon, narrow)


def _plot_backtest(by_horizon: pd.DataFrame, narrow: bool):
    by_h = by_horizon
    fig, ax = plt.subplots(figsize=(NARROW_WIDTH, 5.0) if narrow else (11, 4.2))
    w = 0.38
    ax.bar(by_h["horizon"] - w / 2, by_h["mae_naive_pp"], w, color=PALETTE[5], label="'als dit tempo aanhoudt'")
    ax.bar(by_h["horizon"] + w / 2, by_h["mae_trend_pp"], w, color=PALETTE[0], label="trendmethode (dit rapport)")
    for _, r in by_h.iterrows():
        ax.text(r["horizon"], max(r["mae_naive_pp"], r["mae_trend_pp"]) + 0.1,
                f"{int(r['n_projections'])}" if narrow else f"n = {int(r['n_projections'])}",
                ha="center", fontsize=None if narrow else 8, color="#444444")
    ax.set_xlabel("jaren vooruit geprojecteerd")
    ax.set_ylabel("gemiddelde afwijking (pp)" if narrow else "gemiddelde afwijking (procentpunt)")
    ax.set_xticks(by_h["horizon"])
    axis_format(ax, "y", "num", 1)
    ax.set_ylim(0, (1.3 if narrow else 1.2) * float(by_h[["mae_naive_pp", "mae_trend_pp"]].to_numpy().max()))
    if narrow:  # the legend below the plot, one entry per line
        handles, labs = ax.get_legend_handles_labels()
        legend_below(fig, handles, labs, ncol=1)
    else:
        ax.legend(frameon=False, loc="upper left", ncol=2)
    return fig


def wide_and_narrow(plot: Callable[..., Any], *args: Any, **kwargs: Any) -> dict[str, Any]:
    """The ``fig`` and ``narrow`` arguments of :func:`evaluatie.publish.report.figure`: ``plot``
    (:func:`plot_panels` or :func:`plot_backtest`) drawn for a screen and for a phone
    (``narrow=True``)."""
    return {"fig": plot(*args, **kwargs), "narrow": plot(*args, narrow=True, **kwargs)}


def target_periods(targets: pd.DataFrame, groups: Sequence[str]) -> list[dict[str, Any]]:
    """Every dated target of ``groups`` (a series and its predecessor), each over its own period:
    from the year after the previous target date up to its own date; ``label`` in Dutch
    (``40% tegen 2020``). The ``targets`` argument of :func:`plot_group`."""
    rows = targets[targets["group"].isin(list(groups)) & targets["target_year"].notna()
                   & targets["target_pct"].notna()].sort_values("target_year")
    out, start = [], None
    for _, t in rows.iterrows():
        ty = int(t["target_year"])
        # the grey series and the legend say which definition; a longer label runs into the break label
        out.append({"pct": float(t["target_pct"]), "start": start, "end": ty,
                    "label": f"{fmt.pct(t['target_pct'], 1 if t['target_pct'] % 1 else 0)} tegen {ty}"})
        start = ty + 1
    return out


def panel_spec(group: str, targets: pd.DataFrame, links: Mapping[str, str], groups_all: Iterable[str],
               label: Callable[[str], str], **kw: Any) -> dict[str, Any]:
    """One panel of :func:`plot_panels`: the group, its Dutch title, its latest target (pct and
    year), its predecessor series under an old definition (from ``links``: new -> old, when the old
    one is in ``groups_all``), every target over its own period (:func:`target_periods`), and
    ``kw`` (e.g. ``up_to``)."""
    tmax = targets.dropna(subset=["target_year"]).sort_values("target_year").groupby("group").last()
    groups_all = set(groups_all)
    p = dict(group=group, title=label(group))
    if group in tmax.index:
        p.update(target_pct=float(tmax.at[group, "target_pct"]), target_year=int(tmax.at[group, "target_year"]))
    old = None
    for new, o in links.items():
        if new == group and o in groups_all:
            old = o
            p.update(predecessor=o, predecessor_label=label(o))  # as written: a label keeps its case
    p["targets"] = target_periods(targets, [group] + ([old] if old else []))
    p.update(kw)
    return p
