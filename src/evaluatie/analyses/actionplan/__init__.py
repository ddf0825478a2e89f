"""Action plans and budgets: did the planned actions happen, and where did the money go?

The follow-up report of an action plan (a budget with planned and spent amounts and the status of
each action, a planning with workdays, commitments with targets) answers five questions. This subpackage does the work; the
notebook ``actieplan_opvolging`` tells the story.

1. **Budget execution** (:func:`budget_execution`): per priority and budget line the planned and
   spent amounts, spending split into planned and additional (bijkomend) actions, the execution
   rate ``spent on planned actions / planned`` and over- or underspending of the planned actions
   (unplanned spending is shown beside it, never counted as overspending).
   :func:`reconcile_totals` checks the column sums against the total row *as stated in the
   source*; a mismatch becomes a finding that names the rows that could explain it
   (:func:`explain_difference`).
2. **Status of actions** (:func:`status_distribution`, :func:`budget_without_execution`,
   :func:`additional_actions`, :func:`status_budget`).
3. **Workload and planning** (:func:`reconcile_plan`, :func:`timeline`, :func:`timeline_figure`).
4. **Indicators and commitments** (:func:`commitment_progress`): target, unit, period, the
   realised value from a follow-up file (empty: "nog in te vullen"), progress and status; a
   realised value that counts persons or employers and lies below the small-cell threshold is
   withheld with its progress and status (:func:`decide_commitments`).
5. **Subsidy calculator** (:func:`subsidy`): ``min(X, costs × X / Y)`` with X and Y from the data
   file — our reading of the source's "max. € X (voor € Y kosten)".

Modules:

- ``inputs``: table schemas, :func:`read` and :func:`prepare` (canonical column names, the
  user's row numbers, a ledger), status wording, the subsidy rules file.
- ``execution``: budget execution per priority and line, status of actions, commitment progress.
- ``reconcile``: sums against the source's stated totals, the plan against itself, findings.
- ``planning``: months of the planning and what is known about each (:func:`timeline`).
- ``subsidies``: the subsidy calculator and its tables.
- ``persons``: which commitments count persons or employers, and the small-cell decision on their
  realised values (:func:`decide_commitments`).
- ``show``: report blocks shown as a whole (a run of notices, the findings of the plan) and the
  analysis's disclosure declaration for every other table.
- ``study``: one report's parts, inputs and results from the notebook's parameters (:func:`load`).
- ``narrative``: Dutch labels and wording (amounts, rows, months, ``[sic]``), the sentences of the
  summary and of each part, notes and alt texts.
- ``figures``: budget per priority, status of the actions, days and budget per group, the planning
  as a month grid.

Column names are the canonical English ones; a user's own column names are mapped with
``columns={"planned_eur": "Voorzien (€)", ...}`` (canonical → user's column), the labels of a
categorical column with ``values={"status": {"afgerond": "done", ...}}`` (label → standard code).
"""

from __future__ import annotations

from evaluatie.analyses.actionplan.execution import (
    additional_actions, budget_execution, budget_without_execution, commitment_progress, plan_groups,
    status_budget, status_distribution)
from evaluatie.analyses.actionplan.figures import (
    budget_figure, plan_groups_figure, status_figure, timeline_figure)
from evaluatie.analyses.actionplan.narrative import (
    ASSESSMENT_NL, BUDGET_COLUMNS, CHECK_NL, DEFAULT_LINE_LABELS, DEFAULT_TITLE, COMMITMENT_STATUS_NL, MEASURE_NL, PARTS_NL, RESULT_NL, SECTION_TEXT,
    additional_text, budget_figure_alt, budget_year_text, budget_figure_caption, budget_finding_notices, budget_line_texts, budget_totals_text, cap,
    SOURCE_NL, empty_months_notice, eur_signed, execution_judgements, execution_note, execution_table, finding_text,
    reader_files, GLOSSARY_EXTRA, glossary_terms, budget_totals_note, status_budget_note, dated_text, timeline_known_note, timing_note,
    introduction, mark_sic, month_label, no_persons_notice, not_spent_text, number, number_or_blank, number_signed,
    plan_checks_rest, plan_finding_notices, plan_findings_intro, plan_groups_alt, priority_labels,
    plan_size_text, skipped_text, status_figure_alt, status_note, subtitle_text, summary_lines, synthetic_notice,
    table_layout, timeline_alt, to_fill_text)
from evaluatie.analyses.actionplan.planning import TIMELINE_MIN_ACTIONS, dated, month_range, timeline, timeline_shown
from evaluatie.analyses.actionplan.inputs import (
    BUDGET_LINES, PART_INPUTS, STATUS_CLASSES, check_parts, check_subsidy_rules, prepare, read, read_subsidy_rules,
    status_class)
from evaluatie.analyses.actionplan.reconcile import (
    action_comparison, explain_difference, findings, reconcile_plan, reconcile_totals)
from evaluatie.analyses.actionplan.persons import (
    PERSON_WORDS, counts_persons, decide_commitments, person_commitments, person_words, withheld_commitments)
from evaluatie.analyses.actionplan.show import NO_PERSONS, export, notices, plan_findings, table
from evaluatie.analyses.actionplan.study import Study, as_of_date, choose_parts, lines_in, load, plan_months, year_is_closed
from evaluatie.analyses.actionplan.subsidies import subsidy, subsidy_rule, subsidy_rules_table, subsidy_table

__all__ = [
    "SECTION_TEXT", "execution_table", "read", "prepare", "BUDGET_LINES", "STATUS_CLASSES", "ASSESSMENT_NL",
    "CHECK_NL", "RESULT_NL", "budget_execution", "reconcile_totals", "explain_difference", "status_distribution",
    "budget_without_execution", "additional_actions", "status_budget", "reconcile_plan", "findings",
    "action_comparison", "mark_sic", "timeline", "timeline_figure", "month_range", "month_label", "status_class",
    "check_subsidy_rules", "COMMITMENT_STATUS_NL", "MEASURE_NL", "commitment_progress", "read_subsidy_rules",
    "subsidy", "subsidy_rule", "subsidy_rules_table", "subsidy_table", "plan_groups", "budget_figure",
    "plan_groups_figure", "status_figure", "PARTS_NL", "budget_figure_alt", "budget_line_texts", "cap",
    "eur_signed", "execution_judgements", "execution_note", "finding_text", "number", "number_or_blank",
    "number_signed", "plan_groups_alt", "priority_labels", "status_figure_alt", "status_note", "summary_lines",
    "timeline_alt", "dated_text", "timeline_known_note", "timing_note", "TIMELINE_MIN_ACTIONS", "dated",
    "timeline_shown", "GLOSSARY_EXTRA", "glossary_terms", "budget_totals_note", "status_budget_note", "SOURCE_NL", "reader_files", "PART_INPUTS", "check_parts", "table_layout", "BUDGET_COLUMNS", "introduction",
    "no_persons_notice", "budget_totals_text", "budget_finding_notices", "plan_finding_notices",
    "plan_findings_intro", "plan_checks_rest", "not_spent_text", "additional_text", "empty_months_notice",
    "to_fill_text", "DEFAULT_LINE_LABELS", "DEFAULT_TITLE", "budget_figure_caption", "budget_year_text", "subtitle_text", "synthetic_notice", "skipped_text",
    "plan_size_text", "notices", "plan_findings", "table", "export", "NO_PERSONS", "Study", "load", "choose_parts", "lines_in", "plan_months",
    "year_is_closed", "as_of_date", "PERSON_WORDS", "counts_persons", "decide_commitments", "person_commitments",
    "person_words", "withheld_commitments",
]
