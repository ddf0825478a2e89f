"""The evaluation survey of the career and diversity plans (``notebooks/survey_evaluatie.ipynb``).

Modules, in the order of the report:

* :mod:`~evaluatie.analyses.survey.responses` — reading and validating the respondent file: Dutch
  Likert labels normalised, don't-know outside the base, incomplete questionnaires and rows
  without weighting variables in the ledger (``load_survey``).
* :mod:`~evaluatie.analyses.survey.statistics` — Likert distributions and top-2-box, the weighting
  table, breakdowns with Rao-Scott tests, open-answer themes, the table flags for small cells.
* :mod:`~evaluatie.analyses.survey.narrative` — the published conclusions checked against the data,
  with Dutch verdicts (``claims_check``).
* :mod:`~evaluatie.analyses.survey.figures` — diverging Likert bars and proportion bars.

The design object, calibration and estimators are shared statistics: :mod:`evaluatie.stats.survey`.
"""

from evaluatie.analyses.survey.figures import diverging_chart, proportion_bars
from evaluatie.analyses.survey.narrative import VERDICTS_NL, claims_check
from evaluatie.analyses.survey.responses import (DK_SUFFIX, DONT_KNOW, SCALES, load_survey, normalise,
                                               normalise_label, prepare)
from evaluatie.analyses.survey.statistics import (breakdown, code_themes, distribution, natural_key,
                                                  suppression_mask, top2, weighting_table)

__all__ = ["SCALES", "DONT_KNOW", "DK_SUFFIX", "normalise_label", "normalise", "prepare", "load_survey",
           "distribution", "top2", "natural_key", "weighting_table", "breakdown", "code_themes",
           "suppression_mask", "VERDICTS_NL", "claims_check", "diverging_chart", "proportion_bars"]
