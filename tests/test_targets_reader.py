"""What the reader of the streefcijfers report meets (issue 17 items 2, 4, 6; issue 18 item 7b): the
method section's assumption behind the prediction intervals with the backtest's observed coverage,
one name per target group, entity counts that add up to every entity, and the figures' phone
variants."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.text import Text

from evaluatie.analyses import targets as T
from evaluatie.analyses.targets.trends import TrendFit, fit_trends
from evaluatie.publish import report as rp


def test_method_text_states_the_assumption_and_the_backtest_coverage():
    bt_all = pd.DataFrame({"n_projections": [83], "mae_trend_pp": [1.2], "mae_naive_pp": [2.4],
                           "bias_trend_pp": [0.0], "bias_naive_pp": [0.0], "pi_coverage": [72 / 83]})
    text = T.method_text(bt_all)
    assert text.startswith("## Werkwijze\n\n") and T.INTERVAL_ASSUMPTION in text
    assert "afwijkingen van de trendlijn van jaar tot jaar onafhankelijk zijn" in T.INTERVAL_ASSUMPTION
    assert "(hierboven, 83 projecties) bevatten de 95%-voorspellingsintervallen 86,7% van de later gemeten cijfers, " \
           "tegenover de nominale 95%." in text
    assert "**Trend zonder aantallen.**" in text and "De vuistregel *als dit tempo aanhoudt*" in text
    own = T.method_text(None, targets=False)  # an organisation's own file: no backtest, no targets
    assert T.INTERVAL_ASSUMPTION in own and "kan dit rapport niet toetsen" in own and "projecties)" not in own
    for absent in ("Trend zonder aantallen", "Projectie, kans en tekort", "vuistregel", "overlapjaar 2016"):
        assert absent not in own, absent
    assert "**Projectie, kans en tekort.**" in T.method_text(None, targets=True)
    terms, extra = T.glossary_terms(published=False, targets=False, overview=False, breaks=False)
    assert terms == ["kansengroep", "procentpunt", "meetreeks", "betrouwbaarheidsinterval", "trend"]
    assert "Vlaamse overheid" not in extra["kansengroep"]


def test_the_projection_docstrings_state_the_assumption_and_its_simulated_cost():
    doc = TrendFit.prediction_interval.__doc__
    assert "independent" in doc and "AR(1)" in doc and "about 92% one year ahead, 83-88% three years ahead" in doc
    rng = np.random.default_rng(7)
    years, S, rho = np.arange(2016, 2024), 4000, 0.6
    e = np.empty((S, len(years) + 3))
    e[:, 0] = rng.normal(size=S)
    for t in range(1, e.shape[1]):
        e[:, t] = rho * e[:, t - 1] + np.sqrt(1 - rho ** 2) * rng.normal(size=S)
    y = 10 + 0.5 * np.arange(e.shape[1]) + e
    fits = fit_trends(years, share_pct=y[:, :len(years)])
    cover = []
    for h in (1, 3):
        bounds = np.array([f.prediction_interval(years[-1] + h) for f in fits])
        obs = y[:, len(years) - 1 + h]
        cover.append(np.mean((bounds[:, 0] <= obs) & (obs <= bounds[:, 1])))
    assert 0.90 < cover[0] < 0.94 and 0.81 < cover[1] < 0.90


def test_one_name_per_target_group():
    assert T.one_name("Laaggeschoold") == "Kortgeschoolden" and T.one_name("kortgeschoolde") == "kortgeschoolden"
    assert T.one_name("Personen met een handicap of chronische ziekte") == "Personen met een handicap"
    assert T.one_name("Medewerkers met een migratieachtergrond") == "Medewerkers met een migratieachtergrond"
    assert T.one_name("Medewerkers met een migratieachtergrond", phrases=True) == "Medewerkers van buitenlandse herkomst"
    assert T.one_name("Mijn eigen groep", phrases=True) == "Mijn eigen groep" and T.one_name(None) is None
    labels = T.group_labels(pd.DataFrame({"group": ["low_educated", "x"], "group_nl": ["Kortgeschoolde medewerkers",
                                                                                     "laaggeschoolden"]}))
    assert labels["low_educated"] == "Kortgeschoolden" and labels["x"] == "kortgeschoolden"
    assert labels["disability_chronic_illness"] == "Personen met een handicap"
    assert labels["migration_background"] == "Personen van buitenlandse herkomst (oude definitie)"
    pub = pd.DataFrame({"group": ["low_educated", "women_top"], "year": 2014, "share_pct": [18.4, 24.4],
                        "group_nl": ["Kortgeschoolde medewerkers", "Vrouwen in topfuncties"]})
    t1 = T.tabel1_view(pub, pd.DataFrame({"group": [], "target_pct": [], "target_year": []}), ["low_educated", "women_top"],
                       labels.get)
    assert t1["group"].tolist() == ["Vrouwen in topfuncties", "Kortgeschoolden"]


def test_status_counts_count_every_entity_and_every_group():
    ev = pd.DataFrame({"entity": ["A", "B", "C", "A"], "group": ["g", "g", "g", "h"],
                       "status_nl": ["behaald", "niet gehaald", "behaald", "geen cijfer 2020"]})
    c = T.status_counts(ev, entities=["A", "B", "C", "D", "E"], groups=["h", "g", "top"]).set_index("group")
    assert c.columns.tolist() == ["behaald", "geen cijfer 2020", "niet gehaald", T.NOT_JUDGED]
    assert c.loc["g"].tolist() == [2, 0, 1, 2] and c.loc["h"].tolist() == [0, 1, 0, 4]
    assert c.loc["top"].tolist() == [0, 0, 0, 5] and c.index.tolist() == ["h", "g", "top"]
    note = T.layout("entity_status_counts", label=str, threshold=5, n=5, year=2020)["note"]
    assert note.startswith("Elke rij telt alle 5 entiteiten") and "Niet beoordeeld" in note and "minder dan 5" in note


def _series():
    years = list(range(2009, 2024))
    return pd.DataFrame({"group": "foreign_origin", "year": years, "share_pct": np.linspace(14.0, 14.8, len(years))})


@pytest.mark.parametrize("ncols", [1, 2])
def test_panels_have_a_phone_variant_in_one_column_with_large_text(ncols):
    data = pd.concat([_series(), _series().assign(group="women_top", share_pct=lambda d: d["share_pct"] * 2)])
    panels = [{"group": g, "title": "Personen van buitenlandse herkomst", "target_pct": 15.0, "target_year": 2025,
               "targets": [{"pct": 10.0, "start": None, "end": 2015, "label": "10% tegen 2015"},
                           {"pct": 15.0, "start": 2016, "end": 2025, "label": "15% tegen 2025"}]}
              for g in ("foreign_origin", "women_top")]
    figs = T.wide_and_narrow(T.plot_panels, data, panels, [2016], ncols=ncols)
    small = figs["narrow"]
    axes = [ax for ax in small.axes if ax.get_visible()]
    assert small.get_size_inches()[0] == pytest.approx(rp.NARROW_WIDTH)
    assert len({round(ax.get_position().x0, 3) for ax in axes}) == 1 and len(axes) == 2  # stacked
    small.canvas.draw()
    sizes = [t.get_fontsize() for t in small.findobj(Text) if t.get_visible() and t.get_text().strip()]
    assert min(sizes) >= rp.NARROW_FONT
    rp._check_inside(small, "panels")
    # the share axis starts at 0: a series of 14,0-14,8% is not drawn as a steep climb
    assert all(ax.get_ylim()[0] == 0 for ax in figs["fig"].axes + axes if ax.get_visible())
    plt.close("all")


def test_backtest_figure_has_a_phone_variant():
    by_h = pd.DataFrame({"horizon": [1, 2, 3], "mae_naive_pp": [1.3, 2.4, 4.4], "mae_trend_pp": [0.8, 1.1, 1.9],
                         "n_projections": [35, 23, 15]})
    small = T.plot_backtest(by_h, narrow=True)
    small.canvas.draw()
    assert small.get_size_inches()[0] == pytest.approx(rp.NARROW_WIDTH)
    assert min(t.get_fontsize() for t in small.findobj(Text) if t.get_visible() and t.get_text().strip()) >= rp.NARROW_FONT
    rp._check_inside(small, "backtest")
    assert sorted(t.get_text() for t in small.axes[0].texts) == ["15", "23", "35"]
    plt.close("all")


def test_template_result_is_computed_from_the_template():
    spec = T.template_table(str(Path(__file__).resolve().parents[1] / "data" / "raw"
                                / "streefcijfers_monitoring_voorbeeld_entiteit.csv"))
    text = T.template_result(spec["data"])
    assert text.splitlines()[2:] == [
        "- *Medewerkers van buitenlandse herkomst*: het aandeel steeg met 1,02 procentpunt (regel *minstens het niveau "
        "van vorig jaar* gehaald).",
        "- *Medewerkers met een handicap*: het aandeel daalde met 0,03 procentpunt (regel *minstens het niveau van "
        "vorig jaar* niet gehaald).",
        "- *Evenredige vertegenwoordiging in N-functies*: 62,5%, boven het minimum van 33% (regel gehaald)."]
    assert spec["formats"]["share_pct"] == "pct1" and spec["formats"]["share_jx_minus_2_pct"] == "pct1"


def test_a_template_share_that_is_no_number_is_a_located_error(tmp_path):
    """The business-plan template is an input like any other: text in a share column stops with a
    Dutch error naming file, row and column, and the published text does not quote the cell
    (issue 15; an auditor's x'…" value reached run.json through pandas' own message)."""
    from evaluatie.analyses.targets.prepare import read_template
    from evaluatie.core.errors import DataError, public_text

    src = Path(__file__).resolve().parents[1] / "data" / "raw" / "streefcijfers_monitoring_voorbeeld_entiteit.csv"
    lines = src.read_text(encoding="utf-8").splitlines()
    head, first = lines[0].split(","), lines[1].split(",")
    first[head.index("share_jx_minus_1_pct")] = "x'Geheim-T1\""
    (tmp_path / "sjabloon.csv").write_text("\n".join([lines[0], ",".join(first), *lines[2:]]) + "\n", encoding="utf-8")
    with pytest.raises(DataError) as e:
        read_template(tmp_path / "sjabloon.csv")
    text = public_text(str(e.value))
    assert "rij 2" in text and "'share_jx_minus_1_pct'" in text and "Geheim" not in text, text
