"""Targets per target group (streefcijfers per kansengroep): the share of organisations that set
a target and the share that reached it, and the full distribution of the answer to "reached?"
('ja', 'deels', 'nee').

The data have, per target group ``g``, the columns ``target_set_<g>`` and ``target_reached_<g>``.
Estimates are design-based shares with the interval method of ``SurveyDesign.proportion``; a
row whose unweighted base is below the disclosure threshold is withheld with its counts
(:mod:`evaluatie.publish.disclosure`, ``suppressed``). Tests: ``tests/test_survey_reporting.py``
(closed form on a small input). A Flemish target group has one name in every report
(:func:`group_name`).
"""

from __future__ import annotations

from typing import Mapping

import pandas as pd

from evaluatie.analyses.survey.statistics import _small_base, _withhold
from evaluatie.analyses.survey.weighted import Variance, round_weighted, table_variance
from evaluatie.publish.glossary import target_group_label
from evaluatie.stats.survey import SurveyDesign

__all__ = ["MEASURES_NL", "group_name", "targets_table", "reached_split"]


#: A target group as every report names it (:func:`evaluatie.publish.glossary.target_group_label`:
#: 'Personen met een arbeidshandicap' -> 'Personen met een handicap'); a group the Flemish sources
#: do not name ('Ervaren werknemers (50+)') stays as it is.
group_name = target_group_label

MEASURES_NL = {"set": "streefcijfer vastgelegd", "reached": "volledig behaald ('ja'; bij wie een streefcijfer had)"}


def targets_table(design: SurveyDesign, target_groups: Mapping[str, str], *, ci: str = "logit",
                  conf: float = 0.95, threshold: int = 5, variance: Variance | None = None) -> pd.DataFrame:
    """The share 'ja' of ``target_set_<g>`` and ``target_reached_<g>`` for each group ``g`` of
    ``target_groups`` (column -> Dutch name, as :func:`group_name` gives it): the rows of ``SurveyDesign.proportion`` with the
    Dutch ``group`` and ``measure`` (:data:`MEASURES_NL`); rows whose base is below ``threshold``
    are withheld (``suppressed``). In a design whose weights vary the shares are published at the
    report's precision (:func:`~evaluatie.analyses.survey.weighted.round_weighted`); ``variance``: the
    report's (:func:`~evaluatie.analyses.survey.weighted.report_variance`; default: decided for this
    table alone)."""
    columns = [f"target_{m}_{g}" for g in target_groups for m in MEASURES_NL]
    tg = design.proportion(columns, "ja", ci=ci, conf=conf)
    tg["group"] = [group_name(name) for name in target_groups.values() for _ in MEASURES_NL]
    tg["measure"] = list(MEASURES_NL.values()) * len(target_groups)
    tg = round_weighted(tg, design, ci=ci, conf=conf, variance=table_variance(design, variance, threshold, None, columns))
    return _withhold(tg, _small_base(tg, threshold), threshold)


def reached_split(design: SurveyDesign, target_groups: Mapping[str, str], *, ci: str = "logit",
                  conf: float = 0.95, threshold: int = 5,
                  variance: Variance | None = None) -> tuple[pd.DataFrame, list[str]]:
    """The distribution of ``target_reached_<g>`` per group: one row per group with the share of
    each answered level (columns ``ja``, ``deels``, ``nee`` first, other levels after), the share
    'ja' or 'deels' with its interval (``ja_or_deels``, ``ja_or_deels_ci_low``,
    ``ja_or_deels_ci_high``) and the base ``n``. A row whose base is below ``threshold`` is withheld
    whole (``suppressed``); a level with few answers in a large enough base is shown (answers are
    protected by the size of the group). In a design whose weights vary the shares are published at
    the report's precision (:func:`~evaluatie.analyses.survey.weighted.round_weighted`); ``variance``:
    as in :func:`targets_table`. Returns ``(table, level columns)``."""
    reached_vars = [f"target_reached_{g}" for g in target_groups]
    split = round_weighted(design.proportion(reached_vars, ci=ci, conf=conf), design)
    partly = round_weighted(design.proportion(reached_vars, ["ja", "deels"], ci=ci, conf=conf), design, ci=ci, conf=conf,
                            variance=table_variance(design, variance, threshold, None, reached_vars))
    rs = split.pivot_table(index="variable", columns="level", values="estimate", sort=False)
    rs = rs.reindex(columns=[c for c in ["ja", "deels", "nee"] if c in rs.columns] +
                    [c for c in rs.columns if c not in ("ja", "deels", "nee")])
    rs = rs.reindex(reached_vars).reset_index()
    rs.columns.name = None
    rs.insert(0, "group", [group_name(name) for name in target_groups.values()])
    rs = rs.merge(partly[["variable", "estimate", "ci_low", "ci_high", "n"]].rename(
        columns={"estimate": "ja_or_deels", "ci_low": "ja_or_deels_ci_low", "ci_high": "ja_or_deels_ci_high"}), on="variable")
    level_cols = [c for c in rs.columns if c in split["level"].astype(str).unique()]
    return _withhold(rs, _small_base(rs, threshold), threshold,
                     [*level_cols, "ja_or_deels", "ja_or_deels_ci_low", "ja_or_deels_ci_high", "n"]), level_cols
