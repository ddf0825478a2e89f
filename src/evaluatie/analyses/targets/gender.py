"""Gender-balance tables of the target-figure report (strategic plan 2016-2020): per entity, all
staff (fewer than ``gender_threshold`` % of one sex is under-representation) and middle management
(more than 66% of one sex, entities with a single middle-management post exempt); per policy
domain, all staff. The rule itself is :func:`assessment.gender_balance`; the Dutch verdicts are in
:mod:`narrative`."""

from __future__ import annotations

import numpy as np
import pandas as pd

from evaluatie.analyses.targets.assessment import gender_balance
from evaluatie.analyses.targets.narrative import gender_verdict_nl

__all__ = ["entity_gender_balance", "domain_gender_balance"]


def entity_gender_balance(by_entity: pd.DataFrame, year: int, gender_threshold: float,
                          entity: str | None = None) -> pd.DataFrame:
    """One row per entity × level (``women_total``, ``women_middle``) of ``year``: ``entity, group,
    denominator, share_pct, under`` (``"women"``, ``"men"``, ``"exempt"`` or None) and the Dutch
    ``verdict``. Middle management uses the 66% rule (threshold 100 − 66 on the women's share)."""
    gb_src = by_entity[(by_entity["year"] == year) & by_entity["group"].isin(["women_total", "women_middle"])]
    if entity is not None:
        gb_src = gb_src[gb_src["entity"] == entity]
    gb = gb_src[["entity", "group", "denominator", "share_pct"]].copy()
    gb.attrs = {}
    gb["share_pct"] = gb["share_pct"].astype(float)
    thr = np.where(gb["group"] == "women_middle", 100 - 66, gender_threshold)
    gb["under"] = [gender_balance(s, t) for s, t in zip(gb["share_pct"], thr)]
    gb.loc[(gb["group"] == "women_middle") & (gb["denominator"] <= 1), "under"] = "exempt"
    gb["verdict"] = gender_verdict_nl(gb["share_pct"], gb["under"])
    return gb


def domain_gender_balance(by_domain: pd.DataFrame, year: int, gender_threshold: float) -> pd.DataFrame:
    """Rows of ``women_total`` per policy domain in ``year`` with the Dutch ``verdict`` of the
    ``gender_threshold`` rule."""
    dom = by_domain[(by_domain["year"] == year) & (by_domain["group"] == "women_total")].copy()
    dom.attrs = {}
    dom["share_pct"] = dom["share_pct"].astype(float)
    dom["verdict"] = gender_verdict_nl(dom["share_pct"], gender_balance(dom["share_pct"], gender_threshold))
    return dom
