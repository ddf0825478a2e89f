"""The entity ranking of the target-figure report: one row per entity with, per target group, the
status, the share and the persons short in the reference year, ranked by the total shortfall.

Disclosure: the ranking is a view of the one decision on the personnel cells
(:func:`~evaluatie.analyses.targets.personnel.protect_levels`): a figure is shown only for the year
it is about; a withheld cell of that year stays withheld and is never replaced by an older figure."""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np
import pandas as pd

from evaluatie.analyses.targets.assessment import assess_entities
from evaluatie.analyses.targets.narrative import ci_text, status_nl
from evaluatie.publish.disclosure import mark, suppressed_mask

__all__ = ["blank_older_figures", "entity_ranking", "selection_view", "ranking_basis"]


def blank_older_figures(frame: pd.DataFrame, data_end: int) -> pd.DataFrame:
    """``frame`` (rows of :func:`assess_entities` / :func:`evaluate_targets`) with share, gap and
    persons short set to NaN where the last figure is older than the year evaluated (the target
    date, or ``data_end`` if earlier): an older figure next to a hidden one of the evaluation year
    would give the hidden one away. Returns a copy."""
    out = frame.copy()
    older = out["last_year"] < np.minimum(out["evaluated_at"], int(data_end))
    out.loc[older, ["last_share_pct", "gap_pp", "persons_short"]] = np.nan
    return out


def entity_ranking(by_entity: pd.DataFrame, last_t: pd.DataFrame, rank_groups: Sequence[str],
                   year: int, threshold: int) -> pd.DataFrame:
    """Wide table ``entity, year`` and per group ``<g>__status_nl``, ``<g>__last_share_pct``,
    ``<g>__persons_short``, plus ``total_short`` (sum of the shown shortfalls), sorted by
    ``total_short`` descending, then entity.

    ``by_entity``: :func:`personnel.aggregate` by date × entity × group (its ``attrs["suppressed"]``
    marks the small cells); ``last_t``: :func:`assess_entities` rows of the latest target date,
    with ``status_nl``. A status or shortfall is taken only when the assessment's last figure is of
    ``year`` (else ``geen cijfer <year>``). A share withheld in ``by_entity`` (the one decision of
    :func:`~evaluatie.analyses.targets.personnel.protect_levels`) is withheld here with its persons
    short, through :func:`evaluatie.publish.disclosure.mark`."""
    yr = by_entity[(by_entity["year"] == year) & by_entity["group"].isin(rank_groups)]
    mask_all = suppressed_mask(by_entity)
    sup = (mask_all.loc[yr.index, "share_pct"] if mask_all is not None else pd.Series(False, index=yr.index))
    cur = pd.DataFrame({"entity": yr["entity"].to_numpy(), "group": yr["group"].to_numpy(),
                        "share": yr["share_pct"].astype(float).to_numpy(), "sup": sup.to_numpy(dtype=bool)})
    cur = cur.groupby(["entity", "group"], as_index=False).agg(share=("share", "max"), sup=("sup", "any"))
    st = last_t.set_index(["entity", "group"])
    wide = pd.DataFrame({"entity": sorted(set(cur["entity"]))})
    wide["year"] = year
    mask = pd.DataFrame(False, index=wide.index, columns=wide.columns)
    for g in rank_groups:
        c = cur[cur["group"] == g].set_index("entity")
        share = wide["entity"].map(c["share"])
        hidden = wide["entity"].map(c["sup"]).fillna(False).astype(bool)
        key = list(zip(wide["entity"], [g] * len(wide)))
        same_year = [k in st.index and int(st.at[k, "last_year"]) == year for k in key]
        shorts = [float(st.at[k, "persons_short"]) if ok and pd.notna(st.at[k, "persons_short"]) else np.nan
                  for k, ok in zip(key, same_year)]
        stat = [st.at[k, "status_nl"] if ok else f"geen cijfer {year}" for k, ok in zip(key, same_year)]
        wide[f"{g}__status_nl"] = stat
        wide[f"{g}__last_share_pct"] = share.where(~hidden)
        wide[f"{g}__persons_short"] = pd.Series(shorts, index=wide.index).where(~hidden)
        for col in (f"{g}__status_nl", f"{g}__last_share_pct", f"{g}__persons_short"):
            mask[col] = False
        mask[f"{g}__last_share_pct"] = hidden.to_numpy()
        mask[f"{g}__persons_short"] = hidden.to_numpy()
    short_cols = [f"{g}__persons_short" for g in rank_groups]
    wide["total_short"] = wide[short_cols].fillna(0).sum(axis=1).astype(int)
    mask["total_short"] = False
    order = wide.sort_values(["total_short", "entity"], ascending=[False, True]).index
    wide, mask = wide.loc[order].reset_index(drop=True), mask.loc[order].reset_index(drop=True)
    wide.attrs = {}
    return mark(wide, mask, threshold)


def selection_view(ev_sel: pd.DataFrame, data_end: int | None = None) -> pd.DataFrame:
    """The assessment rows of an entity or the organisation as the report shows them: sorted by target
    year and group, with the Dutch ``status_nl`` and the ``trend`` with its interval as text; for one
    entity (``data_end`` = last year of its data) older figures are blanked by :func:`blank_older_figures`,
    the same rule as the entity ranking."""
    out = ev_sel.sort_values(["target_year", "group"]).reset_index(drop=True)
    out["status_nl"] = status_nl(out)
    if data_end is not None:
        out = blank_older_figures(out, int(data_end))
    out["trend"] = [ci_text(*v) for v in zip(out["trend_pp_per_year"], out["trend_ci_low"], out["trend_ci_high"])]
    return out


def ranking_basis(by_entity: pd.DataFrame, targets: pd.DataFrame, breaks: Any, as_of: int | None
                  ) -> tuple[pd.DataFrame, pd.DataFrame, int]:
    """What the entity ranking starts from: every entity's assessment (:func:`assess_entities`, with the
    Dutch ``status_nl``), its rows for the latest target date, and the reference year of the figures
    shown (the year evaluated, at most the last year of the data). One rule, the one of the growth-path
    table: a figure is shown only for the year it is about; a suppressed cell of that year is never
    replaced by an older figure."""
    ev_ent = assess_entities(by_entity, targets, breaks, as_of)
    ev_ent["status_nl"] = status_nl(ev_ent)
    last_t = ev_ent[ev_ent["target_year"] == ev_ent["target_year"].max()]
    ry = min(int(last_t["evaluated_at"].max()), int(by_entity["year"].max()))
    return ev_ent, last_t, ry
