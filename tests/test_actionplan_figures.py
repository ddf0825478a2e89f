"""Issue 17 item 2: every action-plan figure has a phone variant (``narrow=True``) that
:func:`evaluatie.publish.report.figure` accepts under EVALUATIE_CHECK_FIGURES (4 inch-class width,
no text under NARROW_FONT, nothing outside the canvas), and the wide figures' labels are readable."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from evaluatie.analyses import actionplan as ap  # noqa: E402
from evaluatie.publish import report as rp  # noqa: E402

LONG = "Een zeer lange naam van een topprioriteit die in geen enkele figuur op één regel past " * 3


@pytest.fixture
def publish(figure_checks):
    """rp.figure as a report calls it, with the figure checks of the test suite, nothing displayed."""
    tmp_path = figure_checks

    def show(builder, name, *args, **kwargs):
        rp.figure(builder(*args, **kwargs), name, alt="figuur", narrow=builder(*args, narrow=True, **kwargs))
        assert (tmp_path / "figures" / f"{name}_smal.png").stat().st_size > 0
    return show


def _budget(n: int = 10) -> pd.DataFrame:
    rows = [dict(priority_no=i + 1, priority=LONG if i == 0 else f"Prioriteit {i + 1}", action=f"a{i}",
                 planned_eur=1000.0 * (i + 1), spent_eur=900.0 * i, planned_tom_eur=5000.0 if i % 3 == 0 else 0.0,
                 spent_tom_eur=7000.0 if i % 3 == 0 else 0.0, additional=i == 1,
                 status=["Uitgevoerd", "Lopend", "Uitgesteld", "Niet uitgevoerd", "Uitgevoerd en lopend"][i % 5])
            for i in range(n)]
    return pd.DataFrame(rows)


def test_budget_and_status_figures_have_a_phone_variant(publish):
    budget = _budget()
    ex = ap.budget_execution(budget)
    lines = {"regular": "Begroting 2026", "tom": "# kop **vet** _schuin_ " + "Een zeer lange groepsnaam " * 50}
    publish(ap.budget_figure, "budget", ex, lines)
    one = budget.drop(columns=["planned_tom_eur", "spent_tom_eur"])  # one panel with the hostile corpus's title
    publish(ap.budget_figure, "budget_one", ap.budget_execution(one), {"regular": lines["tom"]})
    publish(ap.status_figure, "status", ap.status_distribution(budget), ap.STATUS_CLASSES)


def test_plan_groups_and_timeline_have_a_phone_variant(publish):
    plan = pd.DataFrame({"group": ["Sensibiliseren & Informeren", "Sensibiliseren & Informeren", LONG, "Begeleiden"],
                         "action": ["1. Campagne", "2. " + LONG, "1. Opleiding", "1. Coaching"],
                         "days": [3.5, 2.0, 10.0, 4.0], "budget_eur": [1000.0, None, 500.0, 0.0]})
    publish(ap.plan_groups_figure, "groups", ap.plan_groups(plan))
    months = ap.month_range("2024-01", "2025-06")
    tl = ap.timeline(plan.assign(m=["x", "x", None, "x"]), months, month_columns={"2024-03": "m"},
                     timing=pd.DataFrame({"action": ["1. Opleiding", "1. Campagne"],
                                          "timing_text": ["oktober 2024", "voorjaar 2024: " + LONG],
                                          "month": ["2024-10", ""]}))
    shown = ap.timeline_shown(tl)
    assert shown is not None and shown["order"].nunique() == 4
    publish(ap.timeline_figure, "timeline", shown, palette=rp.PALETTE, groups=True)


def test_the_phone_timeline_labels_a_few_months_only():
    months = ap.month_range("2024-01", "2025-06")
    plan = pd.DataFrame({"group": ["G"] * 3, "action": ["a", "b", "c"], "days": [1.0] * 3, "budget_eur": [0.0] * 3})
    tl = ap.timeline(plan.assign(m="x"), months, month_columns={"2024-05": "m"})
    wide = ap.timeline_figure(tl, groups=True)
    narrow = ap.timeline_figure(tl, groups=True, narrow=True)
    assert len(wide.axes[0].get_xticklabels()) == 18
    assert [t.get_text() for t in narrow.axes[0].get_xticklabels()] == ["jan '24", "mei '24", "sep '24", "jan '25",
                                                                       "mei '25"]


def test_wide_figures_have_readable_labels():
    """The budget figure's priority labels were 8 pt on an 11-inch figure: about 6 px on a laptop."""
    budget = _budget()
    fig = ap.budget_figure(ap.budget_execution(budget), {"regular": "Begroting", "tom": "TOM"})
    assert min(t.get_fontsize() for t in fig.axes[0].get_yticklabels()) >= 11
    fig = ap.status_figure(ap.status_distribution(budget), ap.STATUS_CLASSES)
    assert min(t.get_fontsize() for t in fig.axes[0].get_yticklabels()) >= 11
    assert fig.legends and not fig.axes[0].get_legend()  # one legend below the plot (rp.legend_below)
