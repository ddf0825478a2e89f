"""Hostile labels in the streefcijfers figures (issue 15): every text from data or parameters (a break's
label, a panel title, the old series' name in the legend) goes through
:func:`evaluatie.publish.report.figure_label`, in the wide figure and in its phone variant, so
:func:`evaluatie.publish.report.figure` accepts both under EVALUATIE_CHECK_FIGURES (before: a break
label of 5,000 characters ran 896 cm below the canvas of 'trends'), and keeps its case."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from matplotlib.text import Text  # noqa: E402

from evaluatie.analyses import targets as T  # noqa: E402
from evaluatie.analyses.targets.figures import BREAK_WIDTH  # noqa: E402
from evaluatie.publish import report as rp  # noqa: E402

LONG = "Een Zeer Lange Groepsnaam " * 200  # 5,200 characters, as the hostile corpus' long label
HOSTILE = [LONG, "<script>alert(1)</script> Q001", "Groep \u202eenilno", "مرحبا " * 40,
           "AGENTSCHAP VOOR WERK EN SOCIALE ECONOMIE " * 20]


@pytest.fixture
def publish(figure_checks):
    """rp.figure as a report calls it, with the figure checks of the test suite, nothing displayed."""
    yield lambda figs, name: rp.figure(figs["fig"], name, alt="figuur", narrow=figs["narrow"])
    plt.close("all")


def _data() -> pd.DataFrame:
    years = list(range(2009, 2024))
    one = pd.DataFrame({"year": years, "share_pct": np.linspace(3.0, 14.8, len(years))})
    return pd.concat([one.assign(group=g) for g in ("foreign_origin", "old_origin", "women_top")])


def _texts(fig) -> list[str]:
    fig.canvas.draw()
    return [t.get_text() for t in fig.findobj(Text) if t.get_visible() and t.get_text().strip()]


def _panels(label: str, title=None) -> list[dict]:
    """The panels as the report builds them: an old series of the user's own (``old_origin``, named by
    the targets file: ``label``) linked to foreign origin; titles in the report's own words, or ``title``."""
    targets = pd.DataFrame({"group": ["foreign_origin", "women_top", "old_origin"], "group_nl": ["x", "x", label],
                            "target_pct": [10.0, 40.0, 4.0], "target_year": [2025, 2020, 2015]})
    names = T.group_labels(targets)
    return [T.panel_spec(g, targets, {"foreign_origin": "old_origin"}, ["foreign_origin", "old_origin", "women_top"],
                         title or names.get) for g in ("foreign_origin", "women_top")]


@pytest.mark.parametrize("label", HOSTILE)
def test_panels_with_hostile_labels_stay_on_their_canvas(publish, label):
    """The label as the text of both breaks (a parameter) and as the old series in the legend (the
    targets file's name of a group of the user's own), wide and narrow."""
    breaks = [{"year": 2014, "label": label, "groups": "all"}, {"year": 2016, "label": label, "groups": "all"}]
    figs = T.wide_and_narrow(T.plot_panels, _data(), _panels(label), breaks)
    for fig, breaks_at, legend_at in ((figs["fig"], BREAK_WIDTH, 56), (figs["narrow"], BREAK_WIDTH, 26)):
        fig.canvas.draw()
        drawn = [(t.get_text(), breaks_at) for ax in fig.axes for t in ax.texts if t.get_text().startswith("breuk")]
        drawn += [(t.get_text(), legend_at) for leg in fig.legends for t in leg.get_texts()]
        assert len(drawn) >= 6
        for text, most in drawn:
            lines = text.split("\n")
            assert len(lines) <= 2 and max(len(line) for line in lines) <= most, text[:100]
    publish(figs, "trends")  # raises when anything lies outside the canvas


@pytest.mark.parametrize("label", [LONG, HOSTILE[1], HOSTILE[3]])
def test_panel_titles_from_labels_stay_on_their_canvas(publish, label):
    figs = T.wide_and_narrow(T.plot_panels, _data(), _panels("Oude reeks", title=lambda g: label), [])
    publish(figs, "trends")


def test_the_break_text_and_the_legend_keep_the_labels_case():
    figs = T.wide_and_narrow(T.plot_panels, _data(), _panels("VDAB-Cursisten Q007"),
                             [{"year": 2016, "label": "Nieuwe Definities Q008", "groups": "all"}])
    wide, narrow = _texts(figs["fig"]), _texts(figs["narrow"])
    assert "breuk 2016: Nieuwe Definities Q008" in wide  # a short label as it was, on one line
    assert "VDAB-Cursisten Q007" in wide and "VDAB-Cursisten Q007" in narrow  # before: 'vdab-cursisten q007'
    assert not any("q007" in t or "q008" in t for t in wide + narrow)
    plt.close("all")


def test_a_long_break_label_is_cut_to_two_lines():
    fig, ax = plt.subplots()
    T.plot_group(ax, _data().query("group == 'women_top'"), [{"year": 2016, "label": LONG, "groups": "all"}])
    (text,) = [t for t in _texts(fig) if t.startswith("breuk 2016")]
    lines = text.split("\n")
    assert len(lines) == 2 and all(len(line) <= BREAK_WIDTH for line in lines) and lines[-1].endswith("…")
    plt.close("all")
