"""The report's figures (matplotlib, styled by :mod:`evaluatie.publish.report`), Dutch labels.

* :func:`plot_rates` — positive-reaction rate per group with its Wilson interval.
* :func:`plot_forest` — relative callback per comparison with the meta-analysis beside it.
* :func:`plot_power` — the planner's power curves (:func:`~evaluatie.analyses.correspondence.
  power.power_curves`).
"""

from __future__ import annotations


from typing import Sequence

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.ticker import MaxNLocator

from evaluatie.core import fmt
from evaluatie.publish import report as rp

__all__ = ["plot_rates", "plot_forest", "plot_power"]


def plot_rates(rates: pd.DataFrame, *, palette: Sequence[str] | None = None):
    """Positive-reaction rate per group with its Wilson interval, one panel per ground, one colour
    per wave."""
    palette = list(palette or rp.PALETTE)
    grounds = list(dict.fromkeys(rates["ground"]))
    waves = list(dict.fromkeys(rates["wave"]))
    fig, axes = plt.subplots(len(grounds), 1, figsize=(8, 1.2 + 1.1 * len(rates) / max(len(grounds), 1)),
                             sharex=True, squeeze=False)
    for ax, g in zip(axes[:, 0], grounds):
        sub = rates[rates["ground"] == g]
        labels = list(dict.fromkeys(sub["group"]))
        for j, w in enumerate(waves):
            s = sub[sub["wave"] == w].set_index("group").reindex(labels)
            y = np.arange(len(labels)) + (j - (len(waves) - 1) / 2) * 0.25
            ax.errorbar(s["rate"], y, xerr=[s["rate"] - s["ci_low"], s["ci_high"] - s["rate"]], fmt="o",
                        color=palette[j % len(palette)], capsize=3, label=rp.figure_label(w) if len(waves) > 1 else None)
        ax.set_yticks(np.arange(len(labels)), [rp.figure_label(k, 30) for k in labels])
        ax.invert_yaxis()
        ax.set_title(rp.figure_label(str(g).capitalize(), 60, max_lines=1), loc="left", fontsize=11)
    axes[-1, 0].set_xlabel("Aandeel sollicitaties met een positieve reactie\n(95%-betrouwbaarheidsinterval)")
    axes[-1, 0].xaxis.set_major_locator(MaxNLocator(nbins=6, steps=[1, 2, 5, 10]))
    rp.axis_format(axes[-1, 0], "x", "prop", 0)
    if len(waves) > 1:
        h, l = axes[0, 0].get_legend_handles_labels()
        rp.legend_below(fig, h, l, ncol=len(waves))
    else:
        fig.tight_layout()
    return fig


def plot_forest(disc: pd.DataFrame, *, benchmarks: pd.DataFrame | None = None):
    """Relative callback (group rate / reference rate) with its 95% interval per comparison and wave;
    1 = equal treatment. Optional benchmarks (column ``relative_callback`` per ``ground``) as grey
    diamonds."""
    waves = list(dict.fromkeys(disc["wave"]))
    comps = list(dict.fromkeys(zip(disc["ground"], disc["group"])))
    fig, ax = plt.subplots(figsize=(8, 1.0 + 0.7 * len(comps) * max(1, len(waves) / 1.5)))
    for j, w in enumerate(waves):
        s = disc[disc["wave"] == w].set_index(["ground", "group"]).reindex(comps)
        y = np.arange(len(comps)) + (j - (len(waves) - 1) / 2) * 0.25
        ax.errorbar(s["relative_callback"], y,
                    xerr=[s["relative_callback"] - s["relative_callback_ci_low"],
                          s["relative_callback_ci_high"] - s["relative_callback"]],
                    fmt="s", color=rp.PALETTE[j % len(rp.PALETTE)], capsize=3,
                    label=rp.figure_label(w) if len(waves) > 1 else "deze studie")
    if benchmarks is not None and len(benchmarks):
        labelled = False
        for i, (g, _k) in enumerate(comps):
            b = benchmarks[benchmarks["ground"] == g]
            if len(b) and pd.notna(b["relative_callback"].iloc[0]):
                ax.plot(b["relative_callback"].iloc[0], i, marker="D", color="#777777", linestyle="none",
                        label=None if labelled else "meta-analyse (Lippens e.a., 2023)")
                labelled = True
    ax.axvline(1, color="black", linewidth=1)
    ax.set_yticks(np.arange(len(comps)), [rp.figure_label(f"{str(g).capitalize()}: {k}") for g, k in comps])
    ax.invert_yaxis()
    ax.set_xlabel("Relatieve kans op een positieve reactie\n(1 = gelijke behandeling)")
    rp.axis_format(ax, "x", "num", 1)
    handles, labels = ax.get_legend_handles_labels()
    uniq = dict(zip(labels, handles))
    rp.legend_below(fig, list(uniq.values()), list(uniq.keys()), ncol=3, fontsize=9)
    return fig


def plot_power(curves: pd.DataFrame, *, target: float = 0.8):
    """Power curves, one panel per comparison, one line per planned reduction of the gap."""
    comps = list(dict.fromkeys(zip(curves["ground"], curves["group"])))
    fig, axes = plt.subplots(1, len(comps), figsize=(4 * len(comps), 3.6), sharey=True, squeeze=False)
    for ax, (g, k) in zip(axes[0], comps):
        sub = curves[(curves["ground"] == g) & (curves["group"] == k)]
        for j, (red, s) in enumerate(sub.groupby("reduction_pp", sort=True)):
            whole = bool(s["capped"].iloc[0]) if "capped" in s.columns else False
            ax.plot(s["vacancies"], s["power"], color=rp.PALETTE[j % len(rp.PALETTE)],
                    label=(f"kloof helemaal weg ({fmt.num(red, 1)} pp kleiner)" if whole
                           else f"kloof {fmt.num(red, 0)} pp kleiner"))
        ax.axhline(target, color="black", linestyle="--", linewidth=1)
        # a 4-inch panel holds about 40 characters of a 10-point title, fewer of wide letters: longer labels wrap
        ax.set_title(rp.figure_label(f"{str(g).capitalize()}: {k}", 37), loc="left", fontsize=10)
        ax.set_xlabel("Vacatures in de volgende meting")
        rp.axis_format(ax, "y", "prop", 0)
        rp.axis_format(ax, "x", "num", 0)
    axes[0, 0].set_ylabel("Kans om de daling\naan te tonen")
    for ax in axes[0]:  # each panel its own legend (the 'whole gap' differs), under the axis
        ax.legend(frameon=False, fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.22), ncol=1)
    fig.tight_layout()
    return fig
