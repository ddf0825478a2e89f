"""Faster action-plan code gives the same result as the code it replaced.

Each test keeps the old (slow) implementation here, verbatim, as the reference, and checks that
the new one in :mod:`evaluatie.analyses.actionplan` gives an identical result: the same frame, or for a
figure the same pixels in the PNG written the way :func:`evaluatie.publish.report.figure` writes it.
"""

from __future__ import annotations

import io
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from evaluatie.analyses import actionplan as ap  # noqa: E402
from evaluatie.publish import report as rp  # noqa: E402

RAW = Path(__file__).resolve().parents[1] / "data" / "raw"


def _png(fig) -> np.ndarray:
    from PIL import Image

    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=150, bbox_inches="tight", metadata={"Software": None})
    plt.close(fig)
    buf.seek(0)
    return np.asarray(Image.open(buf))


def _old_timeline_figure(tl, *, palette=None):
    """The cell-by-cell version (one Rectangle patch per action x month), as it was; with the
    seasonal note and the legend placed as the new one places them since issue 17 (beside the grid
    at a fixed distance, and rp.legend_below), which keeps both inside the canvas with long labels."""
    from matplotlib.patches import Patch, Rectangle

    palette = list(palette or ["#0072B2", "#E69F00"])
    months = list(dict.fromkeys(tl["month"]))
    actions = list(dict.fromkeys(tl["action"]))
    texts = tl.attrs.get("timing_text", {})
    fig, ax = plt.subplots(figsize=(11, 0.42 * len(actions) + 1.8))
    for i, a in enumerate(actions):
        for j, mth in enumerate(months):
            cell = tl[(tl["action"] == a) & (tl["month"] == mth)].iloc[0]
            if cell["known_from"] == "unknown":
                ax.add_patch(Rectangle((j, i - 0.4), 1, 0.8, facecolor="white", edgecolor="#BBBBBB",
                                       hatch="///", linewidth=0.5))
            else:
                colour = palette[0] if cell["known_from"] == "planning" else palette[1]
                ax.add_patch(Rectangle((j, i - 0.4), 1, 0.8, facecolor=colour, edgecolor="black", linewidth=0.6))
        seasonal = [t for t in texts.get(a, []) if not any(
            t in x for x in tl[(tl["action"] == a) & (tl["known_from"] == "text")]["text"])]
        if seasonal:
            ax.annotate("tekst: " + "; ".join(rp.figure_label(s.split(":")[0], 30, 1) for s in seasonal), (1, i),
                        xycoords=ax.get_yaxis_transform(), xytext=(3, 0), textcoords="offset points",
                        va="center", fontsize=8)
    ax.set_xlim(0, len(months))
    ax.set_ylim(len(actions) - 0.5, -0.5)
    ax.set_xticks([j + 0.5 for j in range(len(months))])
    ax.set_xticklabels([ap.month_label(m) for m in months], rotation=90, fontsize=8)
    ax.set_yticks(range(len(actions)))
    ax.set_yticklabels(actions, fontsize=8)
    ax.grid(False)
    kinds = set(tl["known_from"])
    handles = [Patch(facecolor="white", edgecolor="#BBBBBB", hatch="///", label="maand onbekend (leeg in de bron)")]
    if "planning" in kinds:
        handles.append(Patch(facecolor=palette[0], edgecolor="black", label="ingepland volgens de planningstabel"))
    if "text" in kinds:
        handles.append(Patch(facecolor=palette[1], edgecolor="black", label="maand genoemd in de tekst van het plan"))
    rp.legend_below(fig, handles, [h.get_label() for h in handles], ncol=len(handles), fontsize=8)
    return fig


@pytest.fixture(scope="module")
def planning():
    rp.use_style()
    p = ap.read(RAW / "actieplan_mtech_planning_2024_2025.csv", "planning")[0]
    tim = ap.read(RAW / "actieplan_mtech_timing_tekst.csv", "timing")[0]
    return p, tim, ap.month_range("2024-01", "2025-06")


@pytest.mark.parametrize("with_planning_months", [False, True])
def test_timeline_figure_same_pixels_as_cell_by_cell(planning, with_planning_months):
    p, tim, months = planning
    mc = None
    if with_planning_months:  # planning and text cells mixed with unknown ones: edges overlap in every order
        p = p.copy()
        p["mrt"] = ["x" if i % 3 == 0 else None for i in range(len(p))]
        p["apr"] = ["y" if i % 2 == 0 else None for i in range(len(p))]
        mc = {"2024-03": "mrt", "2024-04": "apr", "2024-10": "mrt"}
    tl = ap.timeline(p, months, month_columns=mc, timing=tim)
    new = _png(ap.timeline_figure(tl, palette=rp.PALETTE))
    old = _png(_old_timeline_figure(tl, palette=rp.PALETTE))
    assert new.shape == old.shape
    assert np.array_equal(new, old)


def _old_subsidy_table(examples, rules):
    """Two rule lookups per example (no memo), as it was (the lookup, then private, is now
    :func:`evaluatie.analyses.actionplan.subsidy_rule`)."""
    rows = []
    for ex in examples:
        pt, costs, n = ex.get("plan_type"), ex.get("costs_eur"), ex.get("organisations", 1)
        try:
            s = ap.subsidy(pt, costs, n, rules=rules)
            r = ap.subsidy_rule(pt, rules)
            per_org = bool(r["per_organisation"])
            rows.append(dict(plan_type=r["plan_type"], organisations=int(n), costs_eur=float(costs),
                             subsidy_eur=s, subsidy_total_eur=s * int(n) if per_org else s,
                             capped=bool(s >= float(r["max_subsidy_eur"])), error=""))
        except ValueError as e:
            rows.append(dict(plan_type=pt, organisations=n, costs_eur=costs, subsidy_eur=np.nan,
                             subsidy_total_eur=np.nan, capped=False, error=str(e)))
    out = pd.DataFrame(rows, columns=["plan_type", "organisations", "costs_eur", "subsidy_eur",
                                      "subsidy_total_eur", "capped", "error"])
    out["costs_eur"] = pd.to_numeric(out["costs_eur"], errors="coerce")
    out["organisations"] = pd.to_numeric(out["organisations"], errors="coerce")
    return out


def test_subsidy_table_with_memo_equals_lookup_per_example():
    rules = ap.check_subsidy_rules(ap.read(RAW / "plan_types_subsidies.csv", "subsidies")[0])
    examples = [{"plan_type": "Instapplan", "costs_eur": 3000}, {"plan_type": "instapplan ", "costs_eur": 8000},
                {"plan_type": "Diversiteitsplan", "costs_eur": 9000}, {"plan_type": "Clusterplan", "costs_eur": 4500,
                                                                       "organisations": 4},
                {"plan_type": "Clusterplan", "costs_eur": 3000, "organisations": 2},  # below the minimum
                {"plan_type": "Onbekend", "costs_eur": 100}, {"plan_type": "Diversiteitsplan", "costs_eur": -5},
                {"plan_type": None, "costs_eur": 100}, {"plan_type": "Diversiteitsplan", "costs_eur": 30000}]
    pd.testing.assert_frame_equal(ap.subsidy_table(examples, rules), _old_subsidy_table(examples, rules),
                                  check_exact=True)
