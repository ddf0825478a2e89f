"""Alt texts and captions of the streefcijfers figures and its fixed paragraphs
(evaluatie.analyses.targets.narrative.figure_text, report_text)."""

from __future__ import annotations

import pytest

from evaluatie.analyses import targets as T


def test_fixed_figures_have_alt_and_caption():
    for name in ("trends", "projection_before_deadline"):
        t = T.figure_text(name, cut=2019)
        assert set(t) == {"alt", "caption"} and t["alt"] and t["caption"]
    assert "(tot 2019)" in T.figure_text("projection_before_deadline", cut=2019)["alt"]


def test_microdata_figure_names_who_threshold_and_synthetic_data():
    syn = T.figure_text("trends_microdata", who="Entiteit 09", threshold=7, synthetic=True, years=[2016, 2023],
                        target_year=2020)
    assert "voor Entiteit 09, 2016 tot 2023," in syn["alt"] and "minder dan 7 personen" in syn["alt"]
    assert "streefcijfer tegen eind 2020." in syn["alt"]
    assert syn["alt"].endswith("Synthetische gegevens: geen echte personen of entiteiten.")
    assert syn["caption"].endswith("streefcijfer (synthetische gegevens).")
    real = T.figure_text("trends_microdata", who="de hele organisatie", threshold=5, years=[2016, 2023],
                         target_year=2020)
    assert "Synthetische" not in real["alt"] and real["caption"].endswith("en streefcijfer.")


def test_microdata_figure_without_targets_draws_none_and_names_its_years():
    own = T.figure_text("trends_microdata", who="Agentschap X", threshold=5, years=[2021, 2022, 2023])
    assert "2021 tot 2023" in own["alt"] and "streefcijfer" not in own["alt"] + own["caption"]
    assert own["caption"] == "Aandelen uit personeelsgegevens per 31 december, met trendlijn."


def test_unknown_figure_has_no_text():
    with pytest.raises(KeyError):
        T.figure_text("no_such_figure")


def test_report_texts_fixed_and_no_assessment_names_who_and_threshold():
    for name in ("synthetic_notice", "deadline_review_intro", "template_terms"):
        assert T.report_text(name).endswith(".")
    assert "**synthetische personeelsgegevens**" in T.report_text("synthetic_notice")
    t = T.report_text("no_assessment", who="Entiteit 09", threshold=5)
    assert t.startswith("Voor Entiteit 09 kan geen enkel streefcijfer beoordeeld worden")
    assert "minder dan 5 personen" in t
    with pytest.raises(KeyError):
        T.report_text("no_such_text")
