"""The evaluation survey (``notebooks/survey_evaluatie.ipynb``): any questionnaire the params
describe (items with their scale, label and section, yes/no items, breakdowns; optionally a
population frame for weighting, published claims to check, and the blocks of the career and
diversity plans: actions per domain and targets per target group).

Modules, in the order of the report:

* :mod:`~evaluatie.analyses.survey.responses` — reading and validating the respondent file: Likert
  labels normalised on built-in or the study's own scales (with its ``values``), yes/no items,
  don't-know outside the base, incomplete questionnaires and rows without weighting variables in
  the ledger (``load_survey``), what the incomplete ones answered (``incomplete_answers``), the
  SME flag (``sme_flag``).
* :mod:`~evaluatie.analyses.survey.study` — the study as the params describe it: read, checked,
  weighted to the frame or unweighted (``load_study``), the items grouped into charts (``item_groups``).
* :mod:`~evaluatie.analyses.survey.statistics` — Likert distributions and top-2-box, the weighting
  table, the groups withheld in every table, decided for all split variables together
  (``decide_withheld``; one variable alone: ``withheld_groups``), breakdowns with
  Rao-Scott tests (and their tables), open-answer themes; every table leaves through
  :mod:`evaluatie.publish.disclosure`.
* :mod:`~evaluatie.analyses.survey.weighted` — weighted shares as the report publishes them: at
  the report's precision in a design whose weights vary (``round_weighted``), and withheld in a
  breakdown cell or a claim where one would still give back the answers of a few respondents who
  share a weight (``withheld_shares``); standard errors, intervals and tests from one design effect
  of the design where exact variances would give small cells back (``report_variance``).
* :mod:`~evaluatie.analyses.survey.targets` — targets per target group: set, reached, and the
  distribution of 'ja' / 'deels' / 'nee'.
* :mod:`~evaluatie.analyses.survey.narrative` — the published conclusions checked against the data,
  with Dutch verdicts (``claims_check``), the report's sentences and alt texts that depend on the
  results, the study's own words (``study_texts``) and the sentences for sections that do not apply
  (``skipped``).
* :mod:`~evaluatie.analyses.survey.tables` — the Dutch layout of the report's tables (``layout``).
* :mod:`~evaluatie.analyses.survey.figures` — diverging Likert bars and proportion bars.

The design object, calibration and estimators are shared statistics: :mod:`evaluatie.stats.survey`.
"""

from evaluatie.analyses.survey.figures import diverging_chart, proportion_bars
from evaluatie.analyses.survey.narrative import (CLAIMS_NOT_EVIDENCE, DONT_KNOW_RULE, PLAN_TEXT,
                                                 TEXTS, VERDICT_CLASSES, VERDICTS_NL,
                                                 alternative_codings, bars_alt_nl, breakdown_intro_nl, claim_rules_nl,
                                                 claims_check, claims_summary_nl, coding_flips_nl, likert_alt_nl,
                                                 GLOSSARY_EXTRA, conf_pct, glossary_terms, gvf_nl, method_nl, open_answers_nl, r_differences_nl, response_nl, sample_design_nl,
                                                 skipped, study_texts,
                                                 subtitle, top2_caption, top2_intro_nl, weighting_note, weights_nl)
from evaluatie.analyses.survey.responses import (DK_SUFFIX, DONT_KNOW, SCALES, dont_know_column, incomplete_answers,
                                                 load_survey, normalise, normalise_label, prepare, scale_points,
                                                 sme_flag, split_dont_know, yes_no_answers)
from evaluatie.analyses.survey.statistics import (breakdown, breakdown_tables, breakdowns, code_themes,
                                                  decide_withheld, distribution, natural_key, top2, weighting_table,
                                                  withheld_groups, yes_shares)
from evaluatie.analyses.survey.study import Study, answer_columns, item_groups, load_study
from evaluatie.analyses.survey.tables import layout
from evaluatie.analyses.survey.targets import MEASURES_NL, group_name, reached_split, targets_table
from evaluatie.analyses.survey.weighted import (CHART_DIGITS, DIGITS, EXACT, ICC, Shares, Variance,
                                               report_variance, round_chart, round_weighted, weights_vary,
                                               withheld_shares)

__all__ = ["SCALES", "DONT_KNOW", "DK_SUFFIX", "normalise_label", "scale_points", "normalise", "yes_no_answers",
           "prepare", "load_survey", "incomplete_answers", "sme_flag", "split_dont_know", "dont_know_column", "Study", "load_study",
           "answer_columns", "item_groups",
           "distribution", "top2", "yes_shares", "natural_key", "weighting_table", "withheld_groups", "decide_withheld",
           "breakdown",
           "breakdowns", "breakdown_tables", "code_themes", "MEASURES_NL", "group_name", "targets_table",
           "reached_split", "VERDICTS_NL", "VERDICT_CLASSES", "claims_check", "claims_summary_nl",
           "claim_rules_nl", "alternative_codings", "coding_flips_nl", "response_nl",
           "breakdown_intro_nl", "likert_alt_nl", "bars_alt_nl", "TEXTS", "DONT_KNOW_RULE", "top2_intro_nl",
           "CLAIMS_NOT_EVIDENCE", "PLAN_TEXT",
           "study_texts", "skipped", "subtitle", "top2_caption",
           "weights_nl", "weighting_note", "method_nl", "gvf_nl", "r_differences_nl", "sample_design_nl", "conf_pct",
           "GLOSSARY_EXTRA", "glossary_terms", "open_answers_nl", "layout", "diverging_chart",
           "proportion_bars", "CHART_DIGITS", "DIGITS", "EXACT", "ICC", "Shares", "Variance", "report_variance",
           "round_chart", "round_weighted",
           "weights_vary", "withheld_shares"]
