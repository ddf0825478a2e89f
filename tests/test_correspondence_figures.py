"""The correspondence figures with hostile labels (issue 15): every label from the data or the
parameters fits the canvas, wide and on a phone, and keeps its case.

Before, the panel title of the rates figure took 28 characters beside a column of tick labels, so the
corpus' labels pushed ``callback_rates_smal`` 1.71 cm past the right edge in both praktijktest
examples; the power figure's titles, the forest figure's tick labels and the legends of waves did the
same with other labels (measured over the corpus: 60 of 160 figures). ``str.capitalize`` turned
'LGBTQ+' into 'Lgbtq+'. The checks are those of :func:`evaluatie.publish.report.figure` under
``EVALUATIE_CHECK_FIGURES`` (the tests' setting)."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import pandas as pd
import pytest
from report_checks import correspondence_frames
from test_hostile_corpus import LABELS

from evaluatie.analyses import correspondence as cs
from evaluatie.publish import report as rp

#: the corpus, each label with an upper-case marker, and labels of wide characters
HOSTILE = [f"{v} Q{i:03d}" for i, v in enumerate(LABELS.values())] + [
    "W" * 60 + " Q900", "LGBTQ+ en non-binaire personen met een lange naam Q901", "مرحبا " * 12 + "Q902"]


def _frames(i: int):
    """Rates, comparisons, power curves and plan of one ground with two compared groups in two waves,
    all of them labels of :data:`HOSTILE` (from the ``i``-th on)."""
    lab = lambda k: HOSTILE[(i + k) % len(HOSTILE)]
    return correspondence_frames(lab(0), [lab(1), lab(2)], [lab(3), lab(4)])


FIGURES = {
    "callback_rates": lambda f, narrow: cs.plot_rates(f[0], narrow=narrow),
    "callback_rates_one_wave": lambda f, narrow: cs.plot_rates(f[0][f[0]["wave"] == f[0]["wave"].iloc[0]],
                                                                narrow=narrow),
    "forest": lambda f, narrow: cs.plot_forest(f[1], benchmarks=f[2], narrow=narrow),
    "power": lambda f, narrow: cs.plot_power(f[3], f[4], narrow=narrow),
}


@pytest.mark.parametrize("narrow", [False, True], ids=["wide", "smal"])
@pytest.mark.parametrize("name", list(FIGURES))
def test_hostile_labels_stay_on_the_canvas(name, narrow):
    rp.use_style()
    for i in range(0, len(HOSTILE), 2):
        with rp.narrow_style(narrow):  # the builders set it themselves; the check reads it too
            fig = FIGURES[name](_frames(i), narrow)
        try:
            rp._layout(fig)
            if narrow:
                rp._check_narrow(fig, name)
            rp._check_inside(fig, f"{name} ({i})")
        finally:
            plt.close(fig)


def _texts(fig) -> list[str]:
    """The panel titles and tick labels of the value axis."""
    return ([ax.get_title(loc="left") for ax in fig.axes]
            + [t.get_text() for ax in fig.axes for t in ax.get_yticklabels()])


def test_a_label_keeps_its_case():
    rates = pd.DataFrame([{"wave": "w", "ground": "LGBTQ+", "group": k, "rate": 0.3, "ci_low": 0.2, "ci_high": 0.4}
                          for k in ("hetero", "iPhone-gebruiker")])
    disc = pd.DataFrame([{"wave": "w", "ground": "LGBTQ+", "group": "iPhone", "relative_callback": 0.8,
                          "relative_callback_ci_low": 0.6, "relative_callback_ci_high": 1.1}])
    curves = pd.DataFrame([{"ground": "lGBTQ+", "group": "iPhone", "plan": "current", "vacancies": v,
                            "power": v / 500, "gap_plan_pp": 5.0} for v in (10, 100)])
    figs = [cs.plot_rates(rates), cs.plot_forest(disc), cs.plot_power(curves, curves.head(0).assign(budget=[]))]
    try:
        shown = [t for fig in figs for t in _texts(fig)]
    finally:
        for fig in figs:
            plt.close(fig)
    assert shown.count("LGBTQ+") == 1 and shown.count("LGBTQ+: iPhone") == 2  # rates; forest and power
    assert "iPhone-gebruiker" in shown and not any("Lgbtq" in t for t in shown)
    assert cs.summary_sentences(disc.assign(reference="hetero", rate=0.2, rate_reference=0.25,
                                            difference_ci_low=-0.1, difference_ci_high=0.02,
                                            difference_pp=-5.0))[0].startswith("**LGBTQ+**")
