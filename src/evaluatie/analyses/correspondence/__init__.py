"""Correspondence-test (praktijktest) analysis: the nulmeting and every vervolgmeting.

Input: one row per application (fictitious CV + letter sent to a real vacancy) with the vacancy,
the ground tested (ethnicity, age, gender, ...), the signalled group and whether the employer
reacted positively. Vacancies are the clusters of every interval and standard error.

Modules, in the order the data flow through them:

* ``applications`` — reading the application log, column mapping, design checks and the ledger
  (:class:`Study`, :func:`prepare`, :func:`load`, :func:`combine`, :func:`relabel`); named by
  content, not ``prepare.py``, because the public function :func:`prepare` would shadow a module
  of that name as an attribute of this package.
* ``clusters`` — per-vacancy sums every paired statistic is computed from (internal).
* ``models`` — fixed-effects linear probability model and conditional logit, clustered by vacancy.
* ``statistics`` — rates, paired comparisons (delta method, cluster bootstrap, McNemar),
  subgroups, waves, the exported discrimination table and the meta-analysis comparison.
* ``protection`` — which grounds, groups, subgroups and covariate levels are too small to report
  (employers are the protected party); every statistic is computed on the reported grounds only.
* ``power`` — power and sample size for the next measurement: the exact McNemar test the report
  uses (and Connor 1987 beside it), the gap a budget can show, planned reductions between waves.
* ``narrative`` — the Dutch sentences of the report, and what it says about the study.
* ``tables`` — the Dutch headings and number formats of the report's tables.
* ``figures`` — the report's figures.

Intervals for proportions come from :mod:`evaluatie.stats.intervals`, multiple-testing
corrections from :mod:`evaluatie.stats.multitest`. The public API is re-exported here:
``from evaluatie.analyses import correspondence as cs; cs.discrimination_table(...)``.
"""

from __future__ import annotations

from evaluatie.analyses.correspondence.applications import (
    DEFAULT_WAVE,
    STANDARD_COLUMNS,
    Study,
    combine,
    load,
    prepare,
    read_applications,
    relabel,
)
from evaluatie.analyses.correspondence.figures import plot_forest, plot_power, plot_rates
from evaluatie.analyses.correspondence.models import conditional_logit, lpm_fe, regression_table
from evaluatie.analyses.correspondence.narrative import (
    BENCHMARK_SCOPES_NL,
    DEFAULT_TITLE,
    benchmark_intro,
    design_sentence,
    forest_alt,
    heterogeneity_intro,
    heterogeneity_summary,
    GLOSSARY,
    METHOD_TEXT,
    PLAN_NAMES,
    change_sentence,
    logit_check,
    reader_ledgers,
    needed_text,
    plan_budget_sentence,
    plan_intro,
    plan_none_sentence,
    power_alt,
    power_explanation,
    power_note,
    rates_alt,
    second_outcome_sentences,
    skipped,
    subtitle,
    summary_sentences,
    summary_text,
    synthetic_notice,
    wave_sentence,
    withheld_sentence,
    reported_scope,
    covariate_note,
)
from evaluatie.analyses.correspondence.power import (
    PLAN_LIMIT,
    detectable_change,
    detectable_gap,
    exact_power_curve,
    plan_curves,
    plan_table,
    mcnemar_exact_power,
    mcnemar_exact_sample_size,
    mcnemar_power,
    mcnemar_sample_size,
    power_curves,
    power_table,
    wave_change_power,
    wave_change_sample_size,
)
from evaluatie.analyses.correspondence.protection import ROW_KINDS, Protection, protect
from evaluatie.analyses.correspondence.statistics import (
    DISCRIMINATION_COLUMNS,
    RATE_COLUMNS,
    benchmark_table,
    callback_rates,
    compare_groups,
    core_statistics,
    design_table,
    discrimination_table,
    heterogeneity,
    mcnemar_exact,
    paired_counts,
    wave_comparison,
    with_gap,
)
from evaluatie.analyses.correspondence.tables import layout

__all__ = [
    "STANDARD_COLUMNS", "DEFAULT_WAVE", "Study", "read_applications", "prepare", "combine", "load", "relabel",
    "design_table", "callback_rates", "compare_groups", "paired_counts", "mcnemar_exact", "lpm_fe", "conditional_logit", "regression_table", "layout",
    "heterogeneity", "wave_comparison", "discrimination_table", "core_statistics", "benchmark_table", "with_gap",
    "RATE_COLUMNS", "DISCRIMINATION_COLUMNS",
    "mcnemar_power", "mcnemar_sample_size", "mcnemar_exact_power", "mcnemar_exact_sample_size", "wave_change_power", "wave_change_sample_size", "power_table",
    "power_curves", "plan_table", "plan_curves", "detectable_gap", "detectable_change", "exact_power_curve",
    "PLAN_LIMIT",
    "summary_sentences", "second_outcome_sentences", "heterogeneity_summary", "heterogeneity_intro", "wave_sentence",
    "summary_text", "withheld_sentence", "reported_scope", "covariate_note", "rates_alt", "forest_alt", "plan_intro", "plan_budget_sentence", "plan_none_sentence", "change_sentence",
    "power_alt", "needed_text", "PLAN_NAMES", "GLOSSARY", "METHOD_TEXT", "logit_check", "reader_ledgers", "power_explanation", "power_note", "DEFAULT_TITLE", "BENCHMARK_SCOPES_NL", "subtitle", "design_sentence", "synthetic_notice", "benchmark_intro",
    "skipped",
    "Protection", "protect", "ROW_KINDS",
    "plot_rates", "plot_forest", "plot_power",
]
