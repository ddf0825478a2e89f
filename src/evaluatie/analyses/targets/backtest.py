"""Backtests of the trend projections: from every origin year, project the later years of the
same segment and compare with what was observed, next to the naive "if this pace continues"
line; the review of targets whose date has passed (:func:`deadline_review`), and the last year
known before each target date (:func:`last_years_before_target`).
"""

from __future__ import annotations

from typing import Any, Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

from evaluatie.analyses.targets.segments import (
    _Arr, _arrays, _last_segment_arr, _segments_arr, _split, as_breaks, breaks_for, group_series)
from evaluatie.analyses.targets.trends import LEVEL, MIN_POINTS, _fit_many

__all__ = ["BACKTEST_COLUMNS", "naive_projection", "backtest", "backtest_summary", "backtest_groups",
           "deadline_review", "last_years_before_target"]


def naive_projection(seg: pd.DataFrame, origin: int, year: int) -> float:
    """The "if this pace continues" line: the last observed yearly change up to ``origin``
    (between the last two points of the segment, per year) continued in a straight line."""
    s = seg[seg["year"] <= origin].sort_values("year")
    if len(s) < 2:
        return float("nan")
    (y0, v0), (y1, v1) = s[["year", "share_pct"]].to_numpy(float)[-2:]
    return float(v1 + (v1 - v0) / (y1 - y0) * (year - y1))


BACKTEST_COLUMNS = ["segment", "origin_year", "year", "horizon", "observed_pct", "trend_pct", "pi_low",
                    "pi_high", "naive_pct", "error_trend_pp", "error_naive_pp", "covered"]


def _backtest_many(series: Sequence[_Arr], breaks: Sequence[Any], min_points: int = MIN_POINTS,
                   level: float = LEVEL) -> list[dict[str, list]]:
    """:func:`backtest` of several series (each with its own breaks) with all fits in one
    :func:`_fit_many` call. Returns per series the columns of the backtest table as lists."""
    plan = []  # (series index, segment number, segment, origin position)
    for si, (a, brk) in enumerate(zip(series, breaks)):
        for gi, seg in enumerate(_segments_arr(a, brk)):
            m = len(seg)
            for j in range(m):  # years are unique and increasing within a segment
                if j + 1 >= min_points and j + 1 < m:
                    plan.append((si, gi, seg, j))
    fits = _fit_many([seg.head(j + 1) for _, _, seg, j in plan], level)
    cols = [{c: [] for c in BACKTEST_COLUMNS} for _ in series]
    for (si, gi, seg, j), fit in zip(plan, fits):
        c = cols[si]
        origin = int(seg.year[j])
        fut = seg.year[j + 1:]
        pred = fit.predict(fut)
        lo, hi = fit.prediction_interval(fut)
        yf = seg.year.astype(float)  # the naive line from the last two points up to the origin
        (y0, v0), (y1, v1) = (yf[j - 1], seg.share[j - 1]), (yf[j], seg.share[j])
        for t, yr in enumerate(fut.tolist()):
            obs = float(seg.share[j + 1 + t])
            naive = float(v1 + (v1 - v0) / (y1 - y0) * (yr - y1)) if j >= 1 else float("nan")
            p, l, h = float(pred[t]), float(lo[t]), float(hi[t])
            c["segment"].append(gi)
            c["origin_year"].append(origin)
            c["year"].append(yr)
            c["horizon"].append(yr - origin)
            c["observed_pct"].append(obs)
            c["trend_pct"].append(p)
            c["pi_low"].append(l)
            c["pi_high"].append(h)
            c["naive_pct"].append(naive)
            c["error_trend_pp"].append(p - obs)
            c["error_naive_pp"].append(naive - obs)
            c["covered"].append(bool(l <= obs <= h))
    return cols


def _backtest_frame(cols: Mapping[str, list], extra: Mapping[str, list] | None = None) -> pd.DataFrame:
    if not cols["segment"]:
        return pd.DataFrame([], columns=BACKTEST_COLUMNS)
    data = dict(extra or {})
    data.update({c: cols[c] for c in BACKTEST_COLUMNS})
    return pd.DataFrame(data)


def backtest(series: pd.DataFrame, breaks: Iterable[Any] = (), min_points: int = MIN_POINTS,
             level: float = LEVEL) -> pd.DataFrame:
    """For every segment and every origin year Y with at least ``min_points`` points up to Y,
    fit on the segment's years <= Y and project to each later observed year of the same
    segment. One row per (origin, year): observed, trend projection with its prediction
    interval, naive projection (:func:`naive_projection`), their errors (projection − observed,
    pp) and whether the interval covered the observed value."""
    return _backtest_frame(_backtest_many([_arrays(series)], [list(as_breaks(breaks))], min_points, level)[0])


def backtest_summary(bt: pd.DataFrame, by: str | Sequence[str] | None = None) -> pd.DataFrame:
    """Mean absolute error of the trend and of the naive line, mean error (bias; positive =
    overshoot), and the share of observations inside the 95% prediction interval."""
    def agg(d: pd.DataFrame) -> pd.Series:
        return pd.Series({
            "n_projections": len(d),
            "mae_trend_pp": d["error_trend_pp"].abs().mean(),
            "mae_naive_pp": d["error_naive_pp"].abs().mean(),
            "bias_trend_pp": d["error_trend_pp"].mean(),
            "bias_naive_pp": d["error_naive_pp"].mean(),
            "pi_coverage": d["covered"].mean(),
        })
    if bt.empty:
        return pd.DataFrame(columns=["n_projections", "mae_trend_pp", "mae_naive_pp",
                                     "bias_trend_pp", "bias_naive_pp", "pi_coverage"])
    if by is None:
        return agg(bt).to_frame().T.astype({"n_projections": int})
    keys = [by] if isinstance(by, str) else list(by)
    rows = [dict(zip(keys, k if isinstance(k, tuple) else (k,))) | agg(d).to_dict()
            for k, d in bt.groupby(keys, sort=True)]
    return pd.DataFrame(rows).astype({"n_projections": int})



def backtest_groups(data: pd.DataFrame, groups: Iterable[str], breaks: Iterable[Any] = ()) -> pd.DataFrame:
    """:func:`backtest` for several groups, stacked with a ``group`` column."""
    table = _split(data, ["group"])
    brks = as_breaks(breaks)
    groups = [g for g in groups if g in table]
    cols = _backtest_many([table[g] for g in groups], [breaks_for(brks, g) for g in groups])
    stacked = {c: [v for part in cols for v in part[c]] for c in BACKTEST_COLUMNS}
    if not stacked["segment"]:
        return backtest(pd.DataFrame({"year": [], "share_pct": []}))
    return _backtest_frame(stacked, {"group": [g for g, part in zip(groups, cols) for _ in part["segment"]]})



def deadline_review(data: pd.DataFrame, targets: pd.DataFrame, breaks: Iterable[Any] = (),
                    lead_years: Sequence[int] = (1, 2)) -> pd.DataFrame:
    """For targets whose date has passed and was observed: what happened, and what the trend
    model and the naive "if this pace continues" line projected ``lead_years`` before the date
    (only when the origin year is observed and in the same segment as the target year)."""
    table = _split(data, ["group"])
    brks = as_breaks(breaks)
    rows = []
    bts: dict[Any, pd.DataFrame] = {}
    for _, t in targets.iterrows():
        if pd.isna(t["target_year"]) or pd.isna(t["target_pct"]):
            continue
        ty, tp, g = int(t["target_year"]), float(t["target_pct"]), t["group"]
        a = table.get(g)
        if a is None or ty not in set(a.year.tolist()):
            continue
        brk = breaks_for(brks, g)
        if g not in bts:
            bts[g] = _backtest_frame(_backtest_many([a], [brk])[0])
        bt = bts[g]
        actual = float(a.share[a.year == ty][0])
        for lead in lead_years:
            hit = bt[(bt["year"] == ty) & (bt["origin_year"] == ty - lead)]
            if hit.empty:
                continue
            h = hit.iloc[0]
            past = a.head(int(np.searchsorted(a.year, ty - lead, side="right")))
            fit = _fit_many([_last_segment_arr(past, brk)])[0]
            rows.append(dict(group=g, target_pct=tp, target_year=ty, actual_pct=actual,
                             reached=actual >= tp, shortfall_pp=max(tp - actual, 0.0),
                             origin_year=ty - lead, trend_pct=h["trend_pct"], pi_low=h["pi_low"],
                             pi_high=h["pi_high"], p_reach=fit.p_at_least(ty, tp),
                             naive_pct=h["naive_pct"], covered=bool(h["covered"])))
    return pd.DataFrame(rows)


def last_years_before_target(data: pd.DataFrame, targets: pd.DataFrame, groups: Iterable[str]) -> dict[str, int]:
    """Per group of ``groups`` with a dated target: the last year with a figure before the year of
    its latest target (what was known just before the target date). Groups without such a year
    are left out."""
    tmax = targets.dropna(subset=["target_year"]).sort_values("target_year").groupby("group").last()
    last_before = {}
    for g in groups:
        if g in tmax.index:
            ty = int(tmax.at[g, "target_year"])
            yrs = [y for y in group_series(data, g)["year"] if y < ty]
            if yrs:
                last_before[g] = max(yrs)
    return last_before
