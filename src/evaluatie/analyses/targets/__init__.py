"""Target-figure (streefcijfer) monitoring: series with breaks, trends, projections, gaps.

Modules (the names below are re-exported here, so ``from evaluatie.analyses import targets as
T; T.assess(...)`` works):

- :mod:`~evaluatie.analyses.targets.prepare` — reading and checking the aggregate files: published
  series, targets, yearly figures, growth paths; the entities of a run.
- :mod:`~evaluatie.analyses.targets.personnel` — personnel microdata: official definitions,
  classification, aggregation per date × entity × group, and the one small-cell decision over the
  entity, organisation and policy-domain cells of a report or batch (``protect_levels``).
- :mod:`~evaluatie.analyses.targets.disclosure` — how each table of the report goes through
  :mod:`evaluatie.publish.disclosure` (a view of that decision, or declared free of person counts).
- :mod:`~evaluatie.analyses.targets.segments` — series, breaks and segments (never fit across a
  break), link factors of overlap years.
- :mod:`~evaluatie.analyses.targets.trends` — trend fits within a segment (quasi-binomial logit
  GLM or WLS), projections and prediction intervals, vectorised over many series.
- :mod:`~evaluatie.analyses.targets.assessment` — gap, required pace, projection, persons short
  and status per target, per entity; yearly targets; the gender-balance rule.
- :mod:`~evaluatie.analyses.targets.backtest` — backtests of the projections and the review of
  targets whose date has passed.
- :mod:`~evaluatie.analyses.targets.growth_paths` — entity growth paths (interim-target rules).
- :mod:`~evaluatie.analyses.targets.narrative` — Dutch status and group labels, Tabel 1, the
  verdict per target and the summary sentences.
- :mod:`~evaluatie.analyses.targets.gender` — the gender-balance tables per entity and domain.
- :mod:`~evaluatie.analyses.targets.ranking` — the entity ranking (a view of the one decision).
- :mod:`~evaluatie.analyses.targets.figures` — series panels with breaks, trend and projection fan.
- :mod:`~evaluatie.analyses.targets.study` — one report's inputs read once (personnel file, targets,
  optional published series), what applies to it, the published-series results.
- :mod:`~evaluatie.analyses.targets.sections` — the tables of the report's sections (assessment of
  the organisation or entity, entity ranking, growth path, gender balance; the published series'
  assessment, yearly targets, backtest) as ``rp.table`` / ``rp.figure`` arguments.
"""

from __future__ import annotations

from evaluatie.analyses.targets.assessment import (
    ASSESS_KEYS, NOT_JUDGED, OUTCOMES, assess, assess_entities, current_position, evaluate_selection, evaluate_targets,
    evaluate_yearly_targets, gender_balance, last_passed_targets, status_counts, targets_in_data, with_counts)
from evaluatie.analyses.targets.backtest import (
    BACKTEST_COLUMNS, backtest, backtest_groups, backtest_summary, deadline_review, last_years_before_target,
    naive_projection)
from evaluatie.analyses.targets.disclosure import entities, from_shown, no_personnel_data, with_withheld_shares
from evaluatie.analyses.targets.figures import (
    PANEL_GROUPS, panel_spec, plot_backtest, plot_group, plot_panels, target_periods, wide_and_narrow)
from evaluatie.analyses.targets.gender import domain_gender_balance, entity_gender_balance
from evaluatie.analyses.targets.growth_paths import (
    check_growth_path, default_rules, growth_path_summary, growth_path_view, parse_interim_target, template_example)
from evaluatie.analyses.targets.narrative import (
    GROUP_LABELS_NL, STATUS_CLASS, STATUS_NL, backtest_text, ci_text, later_figures_text, status_css, status_nl, tabel1,
    RULE_NL, SHORT_LABELS_NL, backtest_alt, breaks_table, figure_text, report_text, verdict_list, skipped_text, TABEL1_GROUPS, group_labels, ranking_intro_text, gender_verdict_nl, link_factor_text, trend_view, yearly_status_nl, growth_result_nl, verdict, yearly_summary_text,
    DEFAULT_TITLE, change_table, latest_target_year, levels_table, micro_summary, microdata_heading, microdata_intro,
    not_applicable, report_title, subtitle_text, tabel1_view, TABEL1_CAPTION, synthetic_suffixes, published_summary, YEARLY_HEADING, trend_note,
    one_name, method_text, INTERVAL_ASSUMPTION, GLOSSARY_TERMS, GLOSSARY_EXTRA, glossary_terms,
    template_result)
from evaluatie.analyses.targets.personnel import check_values
from evaluatie.analyses.targets.prepare import (
    CANONICAL, DEFAULT_ENTITY, combine_sources, entity_values, growth_rules, read_growth_paths, read_published, read_yearly_or_empty, read_series, read_targets, read_template, read_yearly_figures)
from evaluatie.analyses.targets.ranking import blank_older_figures, entity_ranking, ranking_basis, selection_view
from evaluatie.analyses.targets.tables import layout
from evaluatie.analyses.targets.segments import (
    Break, as_breaks, breaks_for, group_series, last_segment, link_factor, link_factors, segment_ids, segments)
from evaluatie.analyses.targets.sections import (
    assessment_tables, backtest_parts, gender_tables, growth_path_table, level_tables, ranking_section, selection_section,
    template_table, yearly_table)
from evaluatie.analyses.targets.study import Study, growth_path_check, published_results
from evaluatie.analyses.targets.study import load as load_study
from evaluatie.analyses.targets.trends import LEVEL, MIN_POINTS, TrendFit, fit_segments, fit_trend, fit_trends

__all__ = [
    # tables and their disclosure
    "layout", "no_personnel_data", "entities", "from_shown", "with_withheld_shares",
    # prepare
    "CANONICAL", "read_series", "combine_sources", "read_targets", "read_yearly_figures", "read_growth_paths",
    "entity_values", "growth_rules", "read_published", "read_yearly_or_empty", "read_template", "DEFAULT_ENTITY",
    # personnel (the value mapping of a file's labels)
    "check_values",
    # study
    "Study", "load_study", "published_results", "growth_path_check",
    # segments
    "Break", "as_breaks", "breaks_for", "segment_ids", "segments", "last_segment", "link_factor", "link_factors",
    "group_series",
    # trends
    "MIN_POINTS", "LEVEL", "TrendFit", "fit_trend", "fit_trends", "fit_segments",
    # assessment
    "ASSESS_KEYS", "NOT_JUDGED", "OUTCOMES", "assess", "evaluate_targets", "current_position", "assess_entities",
    "evaluate_yearly_targets", "gender_balance", "with_counts", "evaluate_selection",
    "status_counts", "targets_in_data", "last_passed_targets",
    # backtest
    "BACKTEST_COLUMNS", "naive_projection", "backtest", "backtest_summary", "backtest_groups", "deadline_review",
    "last_years_before_target",
    # growth paths
    "parse_interim_target", "check_growth_path", "template_example", "default_rules", "growth_path_summary", "growth_path_view",
    # narrative
    "STATUS_NL", "STATUS_CLASS", "GROUP_LABELS_NL", "status_nl", "status_css", "tabel1", "ci_text", "verdict",
    "later_figures_text", "yearly_summary_text", "backtest_text", "gender_verdict_nl", "RULE_NL",
    "growth_result_nl", "SHORT_LABELS_NL", "breaks_table", "link_factor_text", "trend_view", "yearly_status_nl",
    "group_labels", "ranking_intro_text", "backtest_alt", "figure_text", "report_text", "verdict_list", "skipped_text", "TABEL1_GROUPS",
    "DEFAULT_TITLE", "report_title", "subtitle_text", "not_applicable", "microdata_heading", "microdata_intro",
    "levels_table", "change_table", "micro_summary", "tabel1_view", "latest_target_year", "TABEL1_CAPTION",
    "synthetic_suffixes", "published_summary", "YEARLY_HEADING", "trend_note", "one_name", "method_text",
    "INTERVAL_ASSUMPTION", "GLOSSARY_TERMS", "GLOSSARY_EXTRA", "glossary_terms",
    "template_result",
    # sections of the personnel part
    "level_tables", "selection_section", "ranking_section", "growth_path_table", "gender_tables", "assessment_tables", "yearly_table",
    "backtest_parts", "template_table",
    # gender balance
    "entity_gender_balance", "domain_gender_balance",
    # ranking
    "blank_older_figures", "entity_ranking", "selection_view", "ranking_basis",
    # figures
    "plot_group", "plot_panels", "plot_backtest", "target_periods", "panel_spec", "PANEL_GROUPS", "wide_and_narrow",
]
