"""How the report shows its tables: per exported table the columns the reader sees, their Dutch
headings and number formats, as keyword arguments for :func:`evaluatie.publish.report.table`
(``rp.table(df, name, caption, **tables.layout(name))``). The exported CSVs keep every column with
its English name; this module changes only what a reader sees.

Most layouts are fixed; four depend on the study: ``heterogeneity`` (the readable names of the
subgroup variables), ``wave_comparison`` (the first wave's name in the headings), ``power`` (the
budget of vacancies) and ``power_change`` (which planned reductions were capped at the gap itself).
Every gap is shown as reference − group in percentage points ("Kloof (pp)").
"""

from __future__ import annotations

from typing import Any, Mapping

import numpy as np
import pandas as pd

from evaluatie.analyses.correspondence.narrative import BENCHMARK_SCOPES_NL, PLAN_NAMES, needed_text
from evaluatie.core import fmt

__all__ = ["layout"]

#: Every gap the reader sees is reference − group, in percentage points (positive = the group is
#: disadvantaged): the ``gap_*`` columns of :func:`~evaluatie.analyses.correspondence.statistics.
#: with_gap`, headed "Kloof (pp)"; the ``difference_*`` columns (group − reference) stay in the CSVs only.
_INTERVAL = {"gap_pp": "signed1", "gap_ci_low": "signed1", "gap_ci_high": "signed1",
             "relative_callback": "num2", "relative_callback_ci_low": "num2", "relative_callback_ci_high": "num2"}

_INTERVALS = {"gap_ci_low": "gap_ci_high", "relative_callback_ci_low": "relative_callback_ci_high"}

_GAP_LABELS = {"gap_pp": "Kloof (pp)", "gap_ci_low": "95%-interval", "gap_ci_high": "Bovengrens"}

_FIXED: dict[str, dict[str, Any]] = {
    "design": dict(
        labels={"wave": "Meting", "ground": "Grond", "vacancies": "Vacatures", "applications": "Sollicitaties",
                "per_vacancy": "Sollicitaties per vacature"},
        formats={"vacancies": "int", "applications": "int", "per_vacancy": "num1"}),
    "callback_rates": dict(
        labels={"ground": "Grond", "group": "Groep", "applications": "Sollicitaties", "callbacks": "Positieve reacties",
                "rate": "Aandeel positief", "ci_low": "95%-interval", "ci_high": "Bovengrens"},
        formats={"applications": "int", "callbacks": "int", "rate": "prop1", "ci_low": "prop1", "ci_high": "prop1"},
        intervals={"ci_low": "ci_high"}),
    "callback_rates_by_wave": dict(
        labels={"wave": "Meting", "ground": "Grond", "group": "Groep", "applications": "Sollicitaties",
                "callbacks": "Positief", "rate": "Aandeel", "ci_low": "Interval (Wilson)", "ci_high": "Wilson boven",
                "exact_low": "Interval (exact)", "exact_high": "Exact boven"},
        formats={"applications": "int", "callbacks": "int", "rate": "prop1", "ci_low": "prop1", "ci_high": "prop1",
                 "exact_low": "prop1", "exact_high": "prop1"},
        intervals={"ci_low": "ci_high", "exact_low": "exact_high"}),
    "discrimination": dict(
        columns=["ground", "group", "reference", "rate", "rate_reference", "gap_pp", "gap_ci_low",
                 "gap_ci_high", "relative_callback", "relative_callback_ci_low", "relative_callback_ci_high"],
        labels={"ground": "Grond", "group": "Groep", "reference": "Referentie", "rate": "Aandeel groep",
                "rate_reference": "Aandeel referentie", **_GAP_LABELS, "relative_callback": "Relatieve kans",
                "relative_callback_ci_low": "95%-interval", "relative_callback_ci_high": "Bovengrens"},
        formats={"rate": "prop1", "rate_reference": "prop1", **_INTERVAL}, intervals=_INTERVALS),
    "bootstrap": dict(
        labels={"wave": "Meting", "ground": "Grond", "group": "Groep", "relative_callback": "Relatieve kans",
                "delta_low": "Interval (delta-methode)", "delta_high": "Delta boven",
                "relative_callback_boot_low": "Interval (cluster-bootstrap)", "relative_callback_boot_high": "Bootstrap boven"},
        formats={c: "num2" for c in ["relative_callback", "delta_low", "delta_high", "relative_callback_boot_low",
                                     "relative_callback_boot_high"]},
        intervals={"delta_low": "delta_high", "relative_callback_boot_low": "relative_callback_boot_high"}),
    "paired_counts": dict(
        labels={"wave": "Meting", "ground": "Grond", "group": "Groep", "vacancies": "Vacatures",
                "neither": "Geen van beiden", "only_reference": "Alleen referentie", "only_group": "Alleen groep",
                "both": "Allebei", "net_discrimination": "Netto discriminatie", "mcnemar_p": "p (McNemar)"},
        formats={"vacancies": "int", "neither": "int", "only_reference": "int", "only_group": "int", "both": "int",
                 "net_discrimination": lambda v: fmt.prop(v, 1).replace("-", "\u2212"), "mcnemar_p": "pval"}),
    "invitations": dict(
        columns=["wave", "ground", "group", "reference", "rate", "rate_reference", "gap_pp", "gap_ci_low",
                 "gap_ci_high", "relative_callback", "relative_callback_ci_low", "relative_callback_ci_high",
                 "mcnemar_p"],
        labels={"wave": "Meting", "ground": "Grond", "group": "Groep", "reference": "Referentie",
                "rate": "Aandeel groep", "rate_reference": "Aandeel referentie", **_GAP_LABELS,
                "relative_callback": "Relatieve kans", "relative_callback_ci_low": "95%-interval",
                "relative_callback_ci_high": "Bovengrens", "mcnemar_p": "p (McNemar)"},
        formats={"rate": "prop1", "rate_reference": "prop1", **_INTERVAL, "mcnemar_p": "pval"}, intervals=_INTERVALS),
    "regression": dict(
        columns=["wave", "ground", "term", "gap_pp", "se_pp", "gap_ci_low", "gap_ci_high", "p", "vacancies"],
        labels={"wave": "Meting", "ground": "Grond", "term": "Groep", **_GAP_LABELS, "se_pp": "Standaardfout (pp)",
                "p": "p", "vacancies": "Vacatures"},
        formats={"gap_pp": "signed1", "se_pp": "num1", "gap_ci_low": "signed1", "gap_ci_high": "signed1",
                 "p": "pval", "vacancies": "int"},
        intervals={"gap_ci_low": "gap_ci_high"}),
    "regression_covariates": dict(
        columns=["wave", "ground", "term", "effect_pp", "se_pp", "effect_ci_low", "effect_ci_high", "p"],
        labels={"wave": "Meting", "ground": "Grond", "term": "Kenmerk", "effect_pp": "Effect (pp)",
                "se_pp": "Standaardfout (pp)", "effect_ci_low": "95%-interval", "effect_ci_high": "Bovengrens",
                "p": "p"},
        formats={"effect_pp": "signed1", "se_pp": "num1", "effect_ci_low": "signed1", "effect_ci_high": "signed1",
                 "p": "pval"},
        intervals={"effect_ci_low": "effect_ci_high"}),
    "benchmarks": dict(
        columns=["ground", "group", "relative_callback", "relative_callback_ci_low", "relative_callback_ci_high",
                 "benchmark_scope", "benchmark_relative_callback", "benchmark_all_relative_callback"],
        labels={"ground": "Grond", "group": "Groep", "relative_callback": "Deze studie",
                "relative_callback_ci_low": "Ondergrens", "relative_callback_ci_high": "Bovengrens",
                "benchmark_scope": "Vergelijkbare groep in de meta-analyse",
                "benchmark_relative_callback": "Meta-analyse, die groep",
                "benchmark_all_relative_callback": "Meta-analyse, alle studies"},
        formats={"relative_callback": "num2", "relative_callback_ci_low": "num2", "relative_callback_ci_high": "num2",
                 "benchmark_scope": lambda v: BENCHMARK_SCOPES_NL.get(v, v) if v else "–",
                 "benchmark_relative_callback": "num2", "benchmark_all_relative_callback": "num2"}),
}


def _heterogeneity(names: Mapping[str, str]) -> dict[str, Any]:
    return dict(
        columns=["variable", "level", "ground", "group", "vacancies", "rate_reference", "rate", "gap_pp",
                 "gap_ci_low", "gap_ci_high", "p", "p_holm", "p_bh"],
        labels={"variable": "Kenmerk", "level": "Subgroep", "ground": "Grond", "group": "Groep", "vacancies": "Vacatures",
                "rate_reference": "Aandeel referentie", "rate": "Aandeel groep", **_GAP_LABELS, "p": "p",
                "p_holm": "p (Holm)", "p_bh": "p (BH)"},
        intervals={"gap_ci_low": "gap_ci_high"},
        formats={"variable": lambda v: names.get(v, v), "vacancies": "int", "rate_reference": "prop1",
                 "rate": "prop1", "gap_pp": "signed1", "gap_ci_low": "signed1", "gap_ci_high": "signed1",
                 "p": "pval", "p_holm": "pval", "p_bh": "pval"})


def _wave_comparison(first: str) -> dict[str, Any]:
    return dict(
        columns=["wave", "ground", "group", "gap_base_pp", "gap_pp", "change_pp", "change_ci_low", "change_ci_high",
                 "change_p", "relative_callback_base", "relative_callback", "relative_change",
                 "relative_change_ci_low", "relative_change_ci_high"],
        labels={"wave": "Meting", "ground": "Grond", "group": "Groep", "gap_base_pp": f"Kloof {first} (pp)",
                "gap_pp": "Kloof nu (pp)", "change_pp": "Verandering (pp)", "change_ci_low": "95%-interval",
                "change_ci_high": "Bovengrens", "change_p": "p", "relative_callback_base": f"Rel. kans {first}",
                "relative_callback": "Rel. kans nu", "relative_change": "Verhouding",
                "relative_change_ci_low": "95%-interval", "relative_change_ci_high": "Verhouding boven"},
        intervals={"change_ci_low": "change_ci_high", "relative_change_ci_low": "relative_change_ci_high"},
        formats={"gap_base_pp": "signed1", "gap_pp": "signed1", "change_pp": "signed1", "change_ci_low": "signed1",
                 "change_ci_high": "signed1", "change_p": "pval", "relative_callback_base": "num2",
                 "relative_callback": "num2", "relative_change": "num2", "relative_change_ci_low": "num2",
                 "relative_change_ci_high": "num2"})


def _power(budget: int | None) -> dict[str, Any]:
    return dict(
        columns=["ground", "group", "plan", "gap_plan_pp", "vacancies_needed", "vacancies_needed_asymptotic",
                 "power_at_budget"],
        labels={"ground": "Grond", "group": "Groep", "plan": "Te tonen kloof", "gap_plan_pp": "Kloof per vacature (pp)",
                "vacancies_needed": "Nodige vacatures", "vacancies_needed_asymptotic": "Benadering (Connor)",
                "power_at_budget": (f"Kans met {fmt.num(budget)} vacatures" if budget
                                    else "Kans met evenveel vacatures als nu")},
        formats={"plan": lambda v: PLAN_NAMES.get(v, v), "gap_plan_pp": "signed1", "vacancies_needed": needed_text,
                 "vacancies_needed_asymptotic": needed_text, "power_at_budget": "prop1"})


def _power_change(ptab: pd.DataFrame, budget: int | None) -> dict[str, Any]:
    capped = ptab.loc[ptab["capped"], "reduction_pp"].to_numpy(dtype=float)
    return dict(
        columns=["ground", "group", "gap_base_pp", "reduction_pp", "vacancies_needed", "power_at_n_followup"],
        labels={"ground": "Grond", "group": "Groep", "gap_base_pp": "Kloof per vacature nu (pp)",
                "reduction_pp": "Geplande daling", "vacancies_needed": "Nodig om die daling aan te tonen",
                "power_at_n_followup": (f"Kans met {fmt.num(budget)} vacatures" if budget
                                        else "Kans bij even grote meting")},
        formats={"gap_base_pp": "signed1",
                 "reduction_pp": lambda v: (f"kloof helemaal weg ({fmt.num(v, 1)} pp)" if any(abs(v - capped) < 1e-9)
                                            else fmt.num(v, 1) + " pp"),
                 "vacancies_needed": lambda v: "niet haalbaar" if not np.isfinite(v) else fmt.num(v),
                 "power_at_n_followup": "prop1"})


def layout(name: str, *, names: Mapping[str, str] | None = None, first: str | None = None,
           ptab: pd.DataFrame | None = None, budget: int | None = None) -> dict[str, Any]:
    """Keyword arguments ``columns``/``labels``/``formats`` for the report table ``name``;
    ``heterogeneity`` needs ``names`` (variable -> readable name), ``wave_comparison`` the ``first``
    wave, ``power`` the ``budget`` of vacancies (``None``: as many as now), ``power_change`` the
    :func:`~evaluatie.analyses.correspondence.power.power_table` ``ptab`` (and the ``budget``)."""
    if name == "heterogeneity":
        return _heterogeneity(dict(names or {}))
    if name == "wave_comparison":
        return _wave_comparison(str(first))
    if name == "power":
        return _power(budget)
    if name == "power_change":
        return _power_change(ptab, budget)
    return dict(_FIXED[name])
