"""The report's figures (matplotlib, styled by :mod:`evaluatie.publish.report`), Dutch labels.

* :func:`plot_rates` — positive-reaction rate per group with its Wilson interval.
* :func:`plot_forest` — relative callback per comparison with the meta-analysis beside it.
* :func:`plot_power` — the planner's power curves (:func:`~evaluatie.analyses.correspondence.
  power.plan_curves`): the chance to show each planned gap against the vacancies of one new
  measurement.

Each takes ``narrow=True`` for its phone variant (:func:`evaluatie.publish.report.narrow_style`):
:data:`~evaluatie.publish.report.NARROW_WIDTH` inches wide, panels in one column, every text at least
:data:`~evaluatie.publish.report.NARROW_FONT` points, shorter labels and the legend below.

Every label from the data or the parameters (grounds, groups, waves) goes through
:func:`evaluatie.publish.report.figure_label`, with a width in characters per place (narrower in the
phone variant). Characters differ in width ('W' against 'i', a right-to-left script), so each builder
draws its figure, measures it, and while anything reaches past the canvas draws it again with those
widths shortened (:func:`evaluatie.publish.report.fitted`, which measures with
:func:`evaluatie.publish.report.overflow`); labels that fit the first time are drawn as they always were.
"""

from __future__ import annotations

from typing import Sequence

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.ticker import LogLocator, MaxNLocator, NullFormatter

from evaluatie.analyses.correspondence.narrative import sentence_start
from evaluatie.core import fmt
from evaluatie.publish import report as rp

__all__ = ["plot_rates", "plot_forest", "plot_power"]


def _wave_labels(waves: list, narrow: bool, scale: float) -> tuple[dict, float]:
    """The legend's label of each wave, and the inches to add to the figure's height for labels that
    wrap (none when every label is one line). The phone variant's legend is one column: each line
    beyond a label's first. The wide legend is one row, which wrapped labels no longer fit: then every
    line, as the entries stack."""
    labels = {w: rp.figure_label(w, 24 if narrow else 40, scale=scale) for w in waves}
    lines = [t.count("\n") + 1 for t in labels.values()]
    if narrow:
        return labels, 0.3 * (sum(lines) - len(lines))
    return labels, (0.25 * sum(lines) if max(lines, default=1) > 1 else 0.0)


def plot_rates(rates: pd.DataFrame, *, palette: Sequence[str] | None = None, narrow: bool = False):
    """Positive-reaction rate per group with its Wilson interval, one panel per ground, one colour
    per wave."""
    with rp.narrow_style(narrow):
        return rp.fitted(lambda scale: _plot_rates(rates, list(palette or rp.PALETTE), narrow, scale))


def _plot_rates(rates: pd.DataFrame, palette: list[str], narrow: bool, scale: float = 1.0):
    grounds = list(dict.fromkeys(rates["ground"]))
    waves = list(dict.fromkeys(rates["wave"]))
    wave_labels, more = _wave_labels(waves, narrow, scale) if len(waves) > 1 else ({}, 0.0)
    per_panel = len(rates) / max(len(grounds), 1)
    size = ((rp.NARROW_WIDTH, 2.0 + 0.8 * len(grounds) + 0.3 * len(rates) + more) if narrow
            else (8, 1.2 + 1.1 * per_panel + more))
    fig, axes = plt.subplots(len(grounds), 1, figsize=size, sharex=True, squeeze=False)
    for ax, g in zip(axes[:, 0], grounds):
        sub = rates[rates["ground"] == g]
        labels = list(dict.fromkeys(sub["group"]))
        for j, w in enumerate(waves):
            s = sub[sub["wave"] == w].set_index("group").reindex(labels)
            y = np.arange(len(labels)) + (j - (len(waves) - 1) / 2) * 0.25
            ax.errorbar(s["rate"], y, xerr=[s["rate"] - s["ci_low"], s["ci_high"] - s["rate"]], fmt="o",
                        color=palette[j % len(palette)], capsize=3, label=wave_labels.get(w))
        ax.set_yticks(np.arange(len(labels)), [rp.figure_label(k, 14 if narrow else 30, scale=scale) for k in labels])
        ax.invert_yaxis()
        ax.set_title(rp.figure_label(sentence_start(g), 28 if narrow else 60, max_lines=1, scale=scale), loc="left",
                     fontsize=None if narrow else 11)
    axes[-1, 0].set_xlabel("Aandeel positieve reacties\n(95%-interval)" if narrow else
                           "Aandeel sollicitaties met een positieve reactie\n(95%-betrouwbaarheidsinterval)")
    axes[-1, 0].xaxis.set_major_locator(MaxNLocator(nbins=4 if narrow else 6, steps=[1, 2, 5, 10]))
    rp.axis_format(axes[-1, 0], "x", "prop", 0)
    if len(waves) > 1:
        h, l = axes[0, 0].get_legend_handles_labels()
        rp.legend_below(fig, h, l, ncol=1 if narrow else len(waves))
    else:
        fig.tight_layout()
    return fig


def plot_forest(disc: pd.DataFrame, *, benchmarks: pd.DataFrame | None = None, narrow: bool = False):
    """Relative callback (group rate / reference rate) with its 95% interval per comparison and wave;
    1 = equal treatment. Optional benchmarks (column ``relative_callback`` per ``ground``) as grey
    diamonds."""
    with rp.narrow_style(narrow):
        return rp.fitted(lambda scale: _plot_forest(disc, benchmarks, narrow, scale))


def _plot_forest(disc: pd.DataFrame, benchmarks: pd.DataFrame | None, narrow: bool, scale: float = 1.0):
    waves = list(dict.fromkeys(disc["wave"]))
    comps = list(dict.fromkeys(zip(disc["ground"], disc["group"])))
    wave_labels, more = _wave_labels(waves, narrow, scale) if len(waves) > 1 else ({}, 0.0)
    height = 1.0 + 0.7 * len(comps) * max(1, len(waves) / 1.5) + more
    fig, ax = plt.subplots(figsize=(rp.NARROW_WIDTH, height + 2.2) if narrow else (8, height))
    for j, w in enumerate(waves):
        s = disc[disc["wave"] == w].set_index(["ground", "group"]).reindex(comps)
        y = np.arange(len(comps)) + (j - (len(waves) - 1) / 2) * 0.25
        ax.errorbar(s["relative_callback"], y,
                    xerr=[s["relative_callback"] - s["relative_callback_ci_low"],
                          s["relative_callback_ci_high"] - s["relative_callback"]],
                    fmt="s", color=rp.PALETTE[j % len(rp.PALETTE)], capsize=3,
                    label=wave_labels.get(w, "deze studie"))
    if benchmarks is not None and len(benchmarks):
        labelled = False
        for i, (g, _k) in enumerate(comps):
            b = benchmarks[benchmarks["ground"] == g]
            if len(b) and pd.notna(b["relative_callback"].iloc[0]):
                ax.plot(b["relative_callback"].iloc[0], i, marker="D", color="#777777", linestyle="none",
                        label=None if labelled else ("meta-analyse" if narrow else "meta-analyse (Lippens e.a., 2023)"))
                labelled = True
    ax.axvline(1, color="black", linewidth=1)
    ax.set_yticks(np.arange(len(comps)), [rp.figure_label(f"{sentence_start(g)}: {k}", 14 if narrow else 40, scale=scale)
                                          for g, k in comps])
    ax.invert_yaxis()
    ax.set_xlabel("Relatieve kans\n(1 = gelijke behandeling)" if narrow
                  else "Relatieve kans op een positieve reactie\n(1 = gelijke behandeling)")
    if narrow:
        ax.xaxis.set_major_locator(MaxNLocator(nbins=4))
    rp.axis_format(ax, "x", "num", 1)
    handles, labels = ax.get_legend_handles_labels()
    uniq = dict(zip(labels, handles))
    rp.legend_below(fig, list(uniq.values()), list(uniq.keys()), ncol=1 if narrow else 3,
                    fontsize=None if narrow else 9)
    return fig


_PLAN_SHORT = {"current": "huidige kloof", "half": "helft ervan", "target": "streefcijfer"}


def plot_power(curves: pd.DataFrame, plan: pd.DataFrame, *, target: float = 0.8, narrow: bool = False):
    """Power of the exact McNemar test against the vacancies of one new measurement, one panel per
    comparison, one line per planned gap (:func:`~evaluatie.analyses.correspondence.power.plan_curves`),
    a dashed line at ``target`` and a dotted one at the budget of ``plan``
    (:func:`~evaluatie.analyses.correspondence.power.plan_table`). The vacancies are on a logarithmic
    axis: the plans of one ground can need 50 or 50.000."""
    with rp.narrow_style(narrow):
        return rp.fitted(lambda scale: _plot_power(curves, plan, target, narrow, scale))


def _plot_power(curves: pd.DataFrame, plan: pd.DataFrame, target: float, narrow: bool, scale: float = 1.0):
    comps = list(dict.fromkeys(zip(curves["ground"], curves["group"])))
    n = len(comps)
    if narrow:
        fig, axes = plt.subplots(n, 1, figsize=(rp.NARROW_WIDTH, 4.6 * n), sharey=True, squeeze=False)
        axes = axes[:, 0]
    else:
        fig, axes = plt.subplots(1, n, figsize=(4 * n, 4.4), sharey=True, squeeze=False)
        axes = axes[0]
    kinds = ["current", "half", "target"]
    for ax, (g, k) in zip(axes, comps):
        sub = curves[(curves["ground"] == g) & (curves["group"] == k)]
        for kind, s in sub.groupby("plan", sort=False):
            ax.plot(s["vacancies"], s["power"], color=rp.PALETTE[kinds.index(kind) % len(rp.PALETTE)],
                    label=f"{_PLAN_SHORT[kind]} ({fmt.signed(s['gap_plan_pp'].iloc[0], 1)} pp)")
        budget = plan[(plan["ground"] == g) & (plan["group"] == k)]["budget"]
        if len(budget):
            ax.axvline(float(budget.iloc[0]), color="#555555", linestyle=":", linewidth=1.2,
                       label=f"{fmt.num(budget.iloc[0])} vacatures")
        ax.axhline(target, color="black", linestyle="--", linewidth=1)
        ax.set_ylim(0, 1.02)
        ax.set_title(rp.figure_label(f"{sentence_start(g)}: {k}", 22 if narrow else 37, scale=scale), loc="left",
                     fontsize=None if narrow else 10)
        ax.set_xlabel("Vacatures in de nieuwe meting\n(logaritmische schaal)")
        ax.set_xscale("log")  # the plans of one ground need from tens to thousands of vacancies
        ax.xaxis.set_major_locator(LogLocator(base=10))
        ax.xaxis.set_minor_formatter(NullFormatter())
        rp.axis_format(ax, "y", "prop", 0)
        rp.axis_format(ax, "x", "num", 0)
        # each panel its own legend (the gaps differ per ground), under the axis
        ax.legend(frameon=False, fontsize=None if narrow else 9, loc="upper center",
                  bbox_to_anchor=(0.5, -0.3 if narrow else -0.32), ncol=1)
    axes[0].set_ylabel("Kans om de kloof\naan te tonen")
    if narrow:
        for ax in axes[1:]:
            ax.set_ylabel("Kans om de kloof\naan te tonen")
    fig.tight_layout()
    return fig
