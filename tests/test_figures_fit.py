"""Every figure of every analysis fits its canvas by rendered width, wide and on a phone.

:func:`evaluatie.publish.report.figure_label` shortens a label by a count of characters, and characters
differ in width: 300 x 'W' is three times as wide as 300 x 'i', and a CJK character (drawn here as the
font's missing-glyph box) is wider still. So every builder that shows a label from data or parameters
draws its figure through :func:`evaluatie.publish.report.fitted`: measured with
:func:`evaluatie.publish.report.overflow` and drawn again with shorter widths while anything reaches past
the canvas. Before (only the correspondence figures refitted), 9 of these 24 cases reached past the
canvas with the 'W' or CJK label: both survey charts wide and narrow (proportion bars 20,7 cm on the
left), the streefcijfers panels wide and narrow, the action-plan timeline wide (24,3 cm), and the
phone variants of its budget and groups figures."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from report_checks import correspondence_frames  # noqa: E402

from evaluatie.analyses import actionplan as ap  # noqa: E402
from evaluatie.analyses import correspondence as cs  # noqa: E402
from evaluatie.analyses import survey as lk  # noqa: E402
from evaluatie.analyses import targets as T  # noqa: E402
from evaluatie.publish import report as rp  # noqa: E402

#: one unbreakable word of wide letters, of narrow letters, of CJK characters (DejaVu Sans has none:
#: each is a missing-glyph box, wider than 'W'), of Arabic letters, and words of mixed scripts
LABELS = {
    "W": "W" * 300,
    "i": "i" * 300,
    "cjk": "宽" * 200,
    "arabic": "مرحبا" * 60,
    "mixed": "宽宽宽 WWWW مرحبا iiii " * 20,
}

#: CJK has no glyphs in the test fonts; a first drawing too wide for its canvas cannot be laid out (the
#: refit draws it again, and the test measures what is left)
pytestmark = [pytest.mark.filterwarnings("ignore:Glyph .* missing from font"),
              pytest.mark.filterwarnings("ignore:Tight layout not applied")]


# --------------------------------------------------------------------------- the data, every label L

def _correspondence(L: str):
    return correspondence_frames(L, [L + "3", L + "4"], [L, L + "2"])


def _likert(L: str) -> pd.DataFrame:
    """Two items on a five-point scale whose points are named ``L`` (a scale's labels are parameters)
    and a third item withheld."""
    levels = [f"{L} {j}" for j in range(5)]
    return pd.DataFrame({"variable": ["a"] * 5 + ["b"] * 5 + ["c"] * 5, "level": levels * 3,
                         "estimate": [0.1, 0.1, 0.2, 0.3, 0.3] * 2 + [np.nan] * 5,
                         "n": [40] * 10 + [np.nan] * 5})


def _bars() -> pd.DataFrame:
    return pd.DataFrame({"variable": ["a", "b", "c"], "estimate": [0.6, 0.3, np.nan], "ci_low": [0.5, 0.2, np.nan],
                         "ci_high": [0.7, 0.4, np.nan], "n": [50, 30, np.nan]})


def _targets(L: str):
    years = list(range(2009, 2024))
    one = pd.DataFrame({"year": years, "share_pct": np.linspace(3.0, 14.8, len(years))})
    data = pd.concat([one.assign(group=g) for g in ("foreign_origin", "old_origin", "women_top")])
    targets = pd.DataFrame({"group": ["foreign_origin", "women_top", "old_origin"], "group_nl": [L, L, L + "2"],
                            "target_pct": [10.0, 40.0, 4.0], "target_year": [2025, 2020, 2015]})
    names = T.group_labels(targets)
    panels = [T.panel_spec(g, targets, {"foreign_origin": "old_origin"}, ["foreign_origin", "old_origin", "women_top"],
                           names.get) for g in ("foreign_origin", "women_top")]
    breaks = [{"year": 2014, "label": L, "groups": "all"}, {"year": 2016, "label": L, "groups": "all"}]
    return data, panels, breaks


def _budget(L: str) -> pd.DataFrame:
    rows = [dict(priority_no=i + 1, priority=L if i < 2 else f"Prioriteit {i + 1}", action=f"a{i}",
                 planned_eur=1000.0 * (i + 1), spent_eur=900.0 * i, planned_tom_eur=5000.0 if i % 3 == 0 else 0.0,
                 spent_tom_eur=7000.0 if i % 3 == 0 else 0.0, additional=i == 1,
                 status=["Uitgevoerd", "Lopend", "Uitgesteld", "Niet uitgevoerd", "Uitgevoerd en lopend"][i % 5])
            for i in range(6)]
    return pd.DataFrame(rows)


def _plan(L: str) -> pd.DataFrame:
    return pd.DataFrame({"group": ["Sensibiliseren", "Sensibiliseren", L, "Begeleiden"],
                         "action": ["1. Campagne", "2. " + L, "1. Opleiding", "1. " + L],
                         "days": [3.5, 2.0, 10.0, 4.0], "budget_eur": [1000.0, None, 500.0, 0.0]})


def _timeline(L: str) -> pd.DataFrame:
    plan = _plan(L)
    tl = ap.timeline(plan.assign(m=["x", "x", None, "x"]), ap.month_range("2024-01", "2025-06"),
                     month_columns={"2024-03": "m"},
                     timing=pd.DataFrame({"action": ["1. Opleiding", "1. Campagne"],
                                          "timing_text": ["oktober 2024", f"voorjaar {L}: 2024"],
                                          "month": ["2024-10", ""]}))
    return ap.timeline_shown(tl)


_BACKTEST = pd.DataFrame({"horizon": [1, 2, 3], "mae_naive_pp": [0.5, 1.0, 1.6], "mae_trend_pp": [0.4, 0.8, 1.1],
                          "n_projections": [7, 5, 3]})

#: every figure builder of every analysis: (label, narrow) -> figure
BUILDERS = {
    "correspondence.plot_rates": lambda L, narrow: cs.plot_rates(_correspondence(L)[0], narrow=narrow),
    "correspondence.plot_rates_one_wave": lambda L, narrow: cs.plot_rates(
        _correspondence(L)[0].query("wave == @L"), narrow=narrow),
    "correspondence.plot_forest": lambda L, narrow: cs.plot_forest(_correspondence(L)[1], benchmarks=_correspondence(L)[2],
                                                                   narrow=narrow),
    "correspondence.plot_power": lambda L, narrow: cs.plot_power(*_correspondence(L)[3:5], narrow=narrow),
    "survey.diverging_chart": lambda L, narrow: lk.diverging_chart(
        _likert(L), labels={"a": L, "b": "Kort", "c": L}, title=L, narrow=narrow),
    "survey.proportion_bars": lambda L, narrow: lk.proportion_bars(
        _bars(), labels={"a": L, "b": "Kort", "c": L}, title=L, line=0.5, narrow=narrow),
    "targets.plot_panels": lambda L, narrow: T.plot_panels(*_targets(L), narrow=narrow),
    "targets.plot_backtest": lambda L, narrow: T.plot_backtest(_BACKTEST, narrow=narrow),
    "actionplan.timeline_figure": lambda L, narrow: ap.timeline_figure(_timeline(L), groups=True, narrow=narrow),
    "actionplan.budget_figure": lambda L, narrow: ap.budget_figure(
        ap.budget_execution(_budget(L)), {"regular": L, "tom": "TOM"}, narrow=narrow),
    "actionplan.status_figure": lambda L, narrow: ap.status_figure(
        ap.status_distribution(_budget(L)), ap.STATUS_CLASSES, narrow=narrow),
    "actionplan.plan_groups_figure": lambda L, narrow: ap.plan_groups_figure(ap.plan_groups(_plan(L)), narrow=narrow),
}


@pytest.mark.parametrize("narrow", [False, True], ids=["wide", "smal"])
@pytest.mark.parametrize("builder", list(BUILDERS))
def test_every_figure_lies_inside_its_canvas(builder, narrow):
    rp.use_style()
    failed = {}
    for kind, label in LABELS.items():
        with rp.narrow_style(narrow):  # as a notebook calls the survey charts; the others set it themselves
            fig = BUILDERS[builder](label, narrow)
        try:
            rp._layout(fig)  # what rp.figure does before it saves
            if narrow:
                rp._check_narrow(fig, builder)
            over = rp.overflow(fig)
            if over:
                failed[kind] = over
        finally:
            plt.close(fig)
    assert not failed, f"{builder} reaches past its canvas (cm per side): {failed}"


# --------------------------------------------------------------------------- the helpers themselves

def test_a_word_longer_than_the_width_is_cut_over_lines():
    shown = rp.figure_label("W" * 300, 10)
    lines = shown.split("\n")
    assert len(lines) == 3 and all(len(line) <= 10 for line in lines) and lines[-1].endswith("…")
    assert rp.figure_label("W" * 300, 10, max_lines=1) == "W" * 9 + "…"


def test_scale_shortens_the_width_and_one_leaves_it():
    text = "een label van een paar woorden dat niet op een regel past"
    assert rp.figure_label(text, 40, scale=1.0) == rp.figure_label(text, 40)
    assert max(len(line) for line in rp.figure_label(text, 40, scale=0.5).split("\n")) <= 20
    assert rp.figure_label("W" * 300, 10, max_lines=1, scale=0.2) == "WWW…"  # never under 4 characters


def test_a_figure_that_fits_is_drawn_once_and_one_that_does_not_is_drawn_shorter():
    rp.use_style()
    scales = []

    def build(scale):
        scales.append(scale)
        fig, ax = plt.subplots(figsize=(4, 3))
        ax.set_yticks([0], [rp.figure_label(label, 60, max_lines=1, scale=scale)])
        fig.tight_layout()
        return fig

    label = "kort"
    fig = rp.fitted(build)
    assert scales == [1.0] and rp.overflow(fig) == {}
    plt.close(fig)
    scales.clear()
    label = "W" * 300
    before = set(plt.get_fignums())  # other tests in this process may have left figures open
    fig = rp.fitted(build)
    assert scales[0] == 1.0 and len(scales) > 1 and scales[-1] >= rp.MIN_SCALE and rp.overflow(fig) == {}
    assert set(plt.get_fignums()) - before == {fig.number}  # the figures that did not fit are closed
    plt.close(fig)


def test_labels_are_not_cut_when_what_overflows_is_no_label():
    """A long axis title (no label from data) reaches past the canvas at every scale: the labels are
    not cut for nothing, the first drawing is returned after one that did not help (before, 8
    drawings and every data label cut to a fifth, the axis title still past the canvas)."""
    rp.use_style()
    scales, before = [], set(plt.get_fignums())

    def build(scale):
        scales.append(scale)
        fig, ax = plt.subplots(figsize=(4, 3))
        ax.set_yticks([0], [rp.figure_label("Werkdruk en welzijn op de werkvloer", 20, scale=scale)])
        ax.set_xlabel("Aandeel " + "lang " * 120)
        fig.tight_layout()
        return fig

    fig = rp.fitted(build)
    assert scales == [1.0, 0.8]
    assert fig.axes[0].get_yticklabels()[0].get_text() == rp.figure_label("Werkdruk en welzijn op de werkvloer", 20)
    assert set(plt.get_fignums()) - before == {fig.number}
    plt.close(fig)


def test_overflow_names_the_side_in_centimetres():
    fig = plt.figure(figsize=(4, 3))
    fig.text(0.9, 0.5, "W" * 40)
    over = rp.overflow(fig)
    assert set(over) == {"rechts"} and over["rechts"] > 1
    with pytest.raises(ValueError, match="rechts"):
        rp._check_inside(fig, "x")
    plt.close(fig)
