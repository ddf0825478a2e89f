"""The Dutch layout of the survey report's tables: for each table the columns shown, their Dutch
headings, number formats, highlights and the fixed note, as keyword arguments of
:func:`evaluatie.publish.report.table` (``rp.table(df, name, caption, **layout(name))``).
Tested in ``tests/test_survey_narrative.py``.
"""

from __future__ import annotations

from typing import Any

from evaluatie.analyses.survey.narrative import VERDICT_CLASSES, conf_pct

__all__ = ["layout"]

_CI = {"estimate": "prop1", "ci_low": "prop1", "ci_high": "prop1", "n": "int"}
_CI_LABELS = {"ci_low": "Ondergrens", "ci_high": "Bovengrens", "n": "Basis (n)"}
_DK = {"dk_n": "Weet niet (n)"}  # who answered 'weet niet / n.v.t.': outside the base (n), counted apart

_FIXED: dict[str, dict[str, Any]] = {
    "claims_coding": dict(
        columns=["text_nl", "estimate", "verdict_nl", "alt_estimate", "alt_ci_low", "alt_ci_high", "alt_verdict_nl"],
        labels={"text_nl": "Conclusie", "estimate": "Behaald ('ja')", "verdict_nl": "Oordeel",
                "alt_estimate": "Minstens deels ('ja' of 'deels')", "alt_ci_low": "Ondergrens", "alt_ci_high": "Bovengrens",
                "alt_verdict_nl": "Oordeel als 'deels' meetelt"},
        formats={"estimate": "prop1", "alt_estimate": "prop1", "alt_ci_low": "prop1", "alt_ci_high": "prop1"},
        highlight={"verdict_nl": VERDICT_CLASSES, "alt_verdict_nl": VERDICT_CLASSES}),
    "yes_no": dict(columns=["label", "estimate", "ci_low", "ci_high", "n", "dk_n"],
                   labels={"label": "Vraag", "estimate": "Aandeel ja", **_CI_LABELS, **_DK},
                   formats={**_CI, "dk_n": "int"}),
    "actions": dict(columns=["domain", "estimate", "ci_low", "ci_high", "n", "dk_n"],
                    labels={"domain": "Domein", "estimate": "Aandeel met acties", **_CI_LABELS, **_DK},
                    formats={**_CI, "dk_n": "int"}),
    "targets": dict(columns=["group", "measure", "estimate", "ci_low", "ci_high", "n"],
                    labels={"group": "Kansengroep", "measure": "Maat", "estimate": "Aandeel", **_CI_LABELS},
                    formats=_CI),
    "open_themes": dict(columns=["theme", "n", "share"], labels={"theme": "Thema", "n": "Aantal antwoorden", "share": "Aandeel"},
                        formats={"n": "int", "share": "prop1"}),
}


def layout(name: str, *, ci: str = "logit", conf: float = 0.95, sections: bool = True, units: str = "Eenheden",
           level_cols: list[str] | None = None, by: str | None = None, n_tests: int = 0,
           n_tables: int = 1) -> dict[str, Any]:
    """Keyword arguments ``columns``/``labels``/``formats`` (and ``highlight``/``note`` where the
    table has them) for the report table ``name``. ``claims_check`` needs the interval method
    ``ci`` and level ``conf``; ``likert_top2`` whether the items have ``sections``; ``weighting``
    the frame's ``units`` (column heading); ``targets_reached_split`` the answered ``level_cols``;
    ``breakdown`` the variable ``by``, ``conf``, the number of tests ``n_tests`` and of breakdown
    tables ``n_tables``."""
    pct = conf_pct(conf)
    if name == "claims_check":
        return dict(columns=["text_nl", "coding", "claim_rule", "estimate", "ci_low", "ci_high", "n", "dk_n",
                             "verdict_nl"],
                    labels={"text_nl": "Conclusie", "coding": "Telt als 'ja'", "claim_rule": "Getoetste grens",
                            "estimate": "Schatting", **_CI_LABELS, **_DK, "verdict_nl": "Oordeel"},
                    formats={**_CI, "dk_n": "int"}, highlight={"verdict_nl": VERDICT_CLASSES},
                    note=f"Interval: {ci}-methode, {pct} betrouwbaarheid, t-verdeling op de vrijheidsgraden van het ontwerp. "
                         "'≈' betekent: het hele interval ligt binnen de grens plus of min de tolerantie. "
                         "De grenzen zijn onze lezing van de gepubliceerde formulering.")
    if name == "likert_top2":
        return dict(columns=[*(["section"] if sections else []), "label", "estimate", "ci_low", "ci_high", "n", "dk_n"],
                    labels={"section": "Onderdeel", "label": "Vraag", "estimate": "Top-2", **_CI_LABELS, **_DK},
                    formats={**_CI, "dk_n": "int"})
    if name == "weighting":
        shares = ("population_share", "sample_share", "design_weighted_share", "calibrated_share")
        return dict(columns=["margin_nl", "level", "population", "population_share", "respondents", "sample_share",
                             "design_weighted_share", "calibrated_share"],
                    labels={"margin_nl": "Kenmerk", "level": "Categorie", "population": f"{units} (n)",
                            "population_share": "Kader", "respondents": "Respons (n)", "sample_share": "Respons",
                            "design_weighted_share": "Ontwerpgewicht", "calibrated_share": "Na weging"},
                    formats={"population": "int", "respondents": "int", **{c: "prop1" for c in shares}})
    if name == "targets_reached_split":
        partly = ["ja_or_deels", "ja_or_deels_ci_low", "ja_or_deels_ci_high"]
        return dict(columns=["group", *(level_cols or []), *partly, "n"],
                    labels={"group": "Kansengroep", "ja": "Ja", "deels": "Deels", "nee": "Nee", "ja_or_deels": "Minstens deels",
                            "ja_or_deels_ci_low": "Ondergrens", "ja_or_deels_ci_high": "Bovengrens", "n": "Basis (n)"},
                    formats={**{c: "prop1" for c in [*(level_cols or []), *partly]}, "n": "int"},
                    note="Gewogen aandelen; 'Ja' is wat in dit rapport als behaald telt. Onder- en bovengrens gelden voor "
                         "'minstens deels'.")
    if name == "breakdown":
        return dict(labels={"indicator": "Indicator", "F": "F", "df": "df", "p_value": "p", "p_holm": "p (Holm)"},
                    formats={"F": "num2", "p_value": "pval", "p_holm": "pval"},
                    note=f"Tussen haakjes: basis (n) van de cel. F: Rao-Scott-F met df (teller; noemer); p: p-waarde, "
                         f"p (Holm): na Holm-correctie. De {pct}-betrouwbaarheidsintervallen per cel staan in de "
                         f"tabellen die bij dit rapport horen (tables.xlsx). Holm-correctie over alle {n_tests} toetsen van dit "
                         "onderdeel" + {1: ".", 2: " (beide tabellen)."}.get(n_tables, f" (alle {n_tables} tabellen)."))
    return dict(_FIXED[name])
