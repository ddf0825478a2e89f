"""The evaluation survey of the career and diversity plans (``notebooks/survey_evaluatie.ipynb``).

Modules, in the order of the report:

* :mod:`~evaluatie.analyses.survey.responses` — reading and validating the respondent file: Dutch
  Likert labels normalised, don't-know outside the base, incomplete questionnaires and rows
  without weighting variables in the ledger (``load_survey``), what the incomplete ones answered
  (``incomplete_answers``), the SME flag (``sme_flag``).
* :mod:`~evaluatie.analyses.survey.statistics` — Likert distributions and top-2-box, the weighting
  table, breakdowns with Rao-Scott tests (and their tables), open-answer themes, the table flags for small cells.
* :mod:`~evaluatie.analyses.survey.targets` — targets per target group: set, reached, and the
  distribution of 'ja' / 'deels' / 'nee'.
* :mod:`~evaluatie.analyses.survey.narrative` — the published conclusions checked against the data,
  with Dutch verdicts (``claims_check``), and the report's sentences and alt texts that depend on the results.
* :mod:`~evaluatie.analyses.survey.figures` — diverging Likert bars and proportion bars.

The design object, calibration and estimators are shared statistics: :mod:`evaluatie.stats.survey`.
"""

from evaluatie.analyses.survey.figures import diverging_chart, proportion_bars
from evaluatie.analyses.survey.narrative import (VERDICT_CLASSES, VERDICTS_NL, alternative_codings,
                                                 bars_alt_nl, breakdown_intro_nl, claim_rules_nl,
                                                 claims_check, claims_summary_nl, coding_flips_nl,
                                                 likert_alt_nl, response_nl)
from evaluatie.analyses.survey.responses import (DK_SUFFIX, DONT_KNOW, SCALES, incomplete_answers,
                                               load_survey, normalise, normalise_label, prepare, sme_flag)
from evaluatie.analyses.survey.statistics import (breakdown, breakdown_tables, breakdowns, code_themes,
                                                  distribution, natural_key, suppression_mask, top2,
                                                  weighting_table, yes_shares)
from evaluatie.analyses.survey.targets import MEASURES_NL, reached_split, targets_table

__all__ = ["SCALES", "DONT_KNOW", "DK_SUFFIX", "normalise_label", "normalise", "prepare", "load_survey",
           "incomplete_answers", "sme_flag",
           "distribution", "top2", "yes_shares", "natural_key", "weighting_table", "breakdown", "breakdowns",
           "breakdown_tables", "code_themes", "suppression_mask", "MEASURES_NL", "targets_table",
           "reached_split", "VERDICTS_NL", "VERDICT_CLASSES", "claims_check", "claims_summary_nl",
           "claim_rules_nl", "alternative_codings", "coding_flips_nl", "response_nl",
           "breakdown_intro_nl", "likert_alt_nl", "bars_alt_nl", "diverging_chart", "proportion_bars"]
