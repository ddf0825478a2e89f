"""Target-figure (streefcijfer) monitoring: series with breaks, trends, projections, gaps.

A *series* is one target group's share of personnel per reference date (31 December of each
year): a DataFrame with columns ``year`` and ``share_pct`` (percent units), optionally
``numerator`` and ``denominator`` (headcounts) and ``definition`` (which definition or counting
method produced the figure). Years may have gaps.

Breaks
    A definition or counting change starts a new *segment*: the 2014 automatic counting of
    migration background, the 2016 definitions (foreign origin, disability widened to chronic
    illness, 55+) and the 2016 entity mergers. A break year ``B`` means "the figure of year B is the
    first one under the new regime". Segments are also split where the ``definition`` column names
    two definitions for the same break interval (the 2016 overlap year measured both ways). A
    missing ``definition`` inherits the nearest definition stated in its break interval (the next
    one in time, else the previous one). Trends are only
    ever fitted within one segment — never across a break — and :func:`link_factor` reports an
    overlap year as a ratio and a difference; nothing is spliced.

Trend model (:func:`fit_trend`), within the last segment, with ``x = year - last_year``:

* **headcounts known** (numerator and denominator for every point): binomial GLM with logit link,
  ``logit(p_t) = a + b x_t``, fitted by IRLS, with the dispersion estimated as
  ``phi = max(1, X2 / (m - 2))`` (Pearson chi-square over residual degrees of freedom; a
  quasi-binomial model). Year-to-year movements in a workforce are far larger than binomial
  sampling noise (recruitment waves, reorganisations), so a pure binomial model (phi = 1) would
  give intervals that are much too narrow; the floor at 1 keeps at least the binomial variance.
  When ``X2 / (m - 2) <= 1`` the data show no overdispersion and phi = 1 is treated as known
  (normal quantiles); otherwise phi is estimated and intervals use Student's t with ``m - 2`` df.
  Covariances are ``phi * (X' W X)^-1`` — identical to statsmodels
  ``GLM(..., family=Binomial()).fit(scale="X2")`` when phi > 1 (checked in the tests).
  The slope in percentage points per year is the derivative of the fitted share at the last
  year: ``100 * b * p(1 - p)`` with ``p = expit(a)``; its standard error by the delta method
  with gradient ``100 * [b p(1-p)(1-2p), p(1-p)]``.
* **shares only**: weighted least squares of ``share_pct`` on ``x``. Weights are the
  denominators when every point has one (the variance of a share is proportional to 1/n),
  otherwise equal weights (ordinary least squares). The residual variance is estimated, so only
  relative weights matter. The slope is ``b`` itself (pp/year).

WLS intervals use Student's t with ``m - 2`` degrees of freedom (``m`` points in the segment)
because the residual variance is estimated; the GLM as just described. The 95% *prediction* interval for the share at
31 December of the target year is, for WLS, ``yhat ± t * sqrt(se(yhat)^2 + s^2 / w_new)`` with
``w_new`` the last weight (a new year of the same size); for the GLM it is built on the logit
scale, ``eta ± t * sqrt(se(eta)^2 + phi / (n_last p (1-p)))``, and transformed back.
``p_reach`` is the predictive probability that the share at the target date is at least the
target, from the same t distribution. Coverage of the prediction interval is checked by
simulation in ``tests/test_targets.py`` (2,000+ series per model).

Computation. The public functions take and return DataFrames; underneath, a table is split
into per-series numpy arrays once (``_split``), segments are found without pandas, and every
trend of a table — all targets of all entities in :func:`assess_entities`, all origins of all
groups in :func:`backtest_groups` — is fitted in one vectorised call (``_fit_many``: Newton/IRLS
for the logit GLM, closed-form WLS, grouped by model and number of points). Each series keeps
its own convergence test, so a fit in a batch is bit for bit the fit of that series alone, and
the results are identical to fitting series by series; ``tests/test_targets_vectorised.py``
checks this and compares every fit with statsmodels (``GLM(..., Binomial()).fit(scale="X2")``,
``WLS``) to 1e-8, including 3-point series, gaps in the years and separated series (no or only
successes: no finite coefficients; the fitted shares agree).

Assessment (:func:`assess`) returns the keys listed in :data:`ASSESS_KEYS`; the status is

* ``reached`` — the last observed share is at or above the target;
* ``insufficient_data`` — otherwise, when fewer than 3 points lie in the last segment;
* ``on_track`` — the model's projection at the target date is at or above the target
  (equivalently ``p_reach >= 0.5``);
* ``behind`` — otherwise (including a target date that has passed without reaching the target).
"""

from __future__ import annotations

import csv
import io as _io
import math
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence

import numpy as np
import pandas as pd
from scipy import stats
from scipy.special import expit, logit

from evaluatie.core.errors import DataError, Problem
from evaluatie.intake.schema import Ledger

__all__ = [
    "ASSESS_KEYS", "STATUS_NL", "STATUS_CLASS", "GROUP_LABELS_NL", "Break", "TrendFit",
    "as_breaks", "breaks_for", "segment_ids", "segments", "last_segment", "fit_trend", "fit_trends",
    "assess",
    "link_factor", "backtest", "backtest_summary", "naive_projection", "read_series",
    "read_targets", "combine_sources", "tabel1", "parse_interim_target", "check_growth_path",
    "gender_balance", "plot_group", "plot_panels", "MIN_POINTS", "group_series", "evaluate_targets",
    "backtest_groups", "current_position", "deadline_review", "assess_entities", "entity_values",
    "read_growth_paths",
]

MIN_POINTS = 3
LEVEL = 0.95

ASSESS_KEYS = (
    "last_year", "last_share_pct", "gap_pp", "required_pp_per_year", "trend_pp_per_year",
    "trend_ci_low", "trend_ci_high", "projected_pct", "projection_pi_low", "projection_pi_high",
    "p_reach", "persons_short", "status",
)

STATUS_NL = {
    "reached": "behaald",
    "on_track": "op schema",
    "behind": "achter op schema",
    "insufficient_data": "onvoldoende gegevens",
}
# CSS classes of evaluatie.publish.report.table: colour only doubles the text label.
STATUS_CLASS = {"reached": "ev-good", "on_track": "ev-good", "behind": "ev-bad",
                "insufficient_data": "ev-warn"}

# Outcome of a target whose date has passed (column ``outcome`` of :func:`evaluate_targets`).
OUTCOMES = ("reached", "not_reached", "no_figure_at_target_date")


def status_nl(frame: pd.DataFrame) -> list[str]:
    """The Dutch status of each row of :func:`evaluate_targets` / :func:`assess_entities`.

    A running target reads as :data:`STATUS_NL`. Once its date has passed (``date_passed``):
    ``behaald``; ``niet gehaald`` only when there is a figure for the target year itself; without
    one ``geen cijfer <jaar>`` — a verdict from an earlier year's figure is not a verdict."""
    out = []
    for st, passed, outcome, ty in zip(frame["status"], frame.get("date_passed", [False] * len(frame)),
                                       frame.get("outcome", [None] * len(frame)), frame["target_year"]):
        if st == "reached":
            out.append("behaald")
        elif passed and outcome == "no_figure_at_target_date":
            out.append(f"geen cijfer {int(ty)}")
        elif passed:
            out.append("niet gehaald")
        else:
            out.append(STATUS_NL[st])
    return out


def status_css(labels: Iterable[str]) -> dict[str, str]:
    """CSS class (``report.table`` ``highlight``) for every Dutch status label in ``labels``."""
    fixed = {"behaald": "ev-good", "op schema": "ev-good", "achter op schema": "ev-bad",
             "niet gehaald": "ev-bad", "onvoldoende gegevens": "ev-warn"}
    return {v: fixed.get(v, "ev-warn") for v in set(labels)}

GROUP_LABELS_NL = {
    "women_total": "Vrouwen (alle personeelsleden)",
    "women_top": "Vrouwen in het topkader",
    "women_middle": "Vrouwen in het middenkader",
    "women_lower": "Vrouwen in het lager kader",
    "migration_background": "Personen met een migratieachtergrond (oude definitie)",
    "foreign_origin": "Personen van buitenlandse herkomst",
    "disability_chronic_illness": "Personen met een handicap of chronische ziekte",
    "low_educated": "Kortgeschoolde medewerkers",
    "experienced_45plus": "Ervaren medewerkers (45+)",
    "experienced_55plus": "Ervaren medewerkers (55+)",
}


# --------------------------------------------------------------------------- breaks & segments

@dataclass(frozen=True)
class Break:
    """A definition or counting change: ``year`` is the first year under the new regime.

    ``groups`` limits the break to some target groups (``None``: all groups)."""

    year: int
    label: str = ""
    groups: tuple[str, ...] | None = None

    def applies_to(self, group: str | None) -> bool:
        return self.groups is None or group is None or group in self.groups


def as_breaks(breaks: Iterable[Any] = ()) -> list[Break]:
    """Breaks from ints, :class:`Break` objects or params dicts
    ``{"year": 2016, "label": "...", "groups": [...] | "all"}``."""
    out = []
    for b in breaks or ():
        if isinstance(b, Break):
            out.append(b)
        elif isinstance(b, Mapping):
            groups = b.get("groups")
            if groups in (None, "all", "alle"):
                groups = None
            elif isinstance(groups, str):
                groups = (groups,)
            else:
                groups = tuple(groups)
            out.append(Break(int(b["year"]), str(b.get("label", "")), groups))
        else:
            out.append(Break(int(b)))
    return sorted(out, key=lambda b: b.year)


def breaks_for(breaks: Iterable[Any], group: str | None) -> list[int]:
    """Sorted break years that apply to ``group``."""
    return sorted({b.year for b in as_breaks(breaks) if b.applies_to(group)})


def _prepare(series: pd.DataFrame) -> pd.DataFrame:
    if "year" not in series or "share_pct" not in series:
        raise ValueError("a series needs the columns 'year' and 'share_pct'")
    s = series.copy()
    s["year"] = s["year"].astype(int)
    s["share_pct"] = s["share_pct"].astype(float)
    for c in ("numerator", "denominator"):
        s[c] = s[c].astype(float) if c in s else np.nan
    if "definition" not in s:
        s["definition"] = pd.Series([None] * len(s), index=s.index, dtype=object)
    s["definition"] = s["definition"].astype(object).where(s["definition"].notna(), None)
    return s.sort_values("year", kind="stable")


class _Arr:
    """A series as plain arrays, rows in the order of :func:`_prepare` (year, stable): the fast
    path behind the public functions, which take and give DataFrames. ``defs`` holds the
    definitions (``None`` where missing); ``group`` is the series' single group, if any."""

    __slots__ = ("year", "share", "num", "den", "defs", "group")

    def __init__(self, year, share, num, den, defs, group=None):
        self.year, self.share, self.num, self.den, self.defs, self.group = year, share, num, den, defs, group

    def __len__(self) -> int:
        return len(self.year)

    def take(self, idx) -> "_Arr":
        idx = np.asarray(idx, dtype=np.intp)
        return _Arr(self.year[idx], self.share[idx], self.num[idx], self.den[idx],
                    [self.defs[i] for i in idx.tolist()], self.group)

    def head(self, n: int) -> "_Arr":
        return _Arr(self.year[:n], self.share[:n], self.num[:n], self.den[:n], self.defs[:n], self.group)

    def has_counts(self) -> bool:
        """Numerator and denominator for every point, denominators > 0 (as :func:`_has_counts`)."""
        return bool(not np.isnan(self.num).any() and not np.isnan(self.den).any() and (self.den > 0).all())


def _columns(data: pd.DataFrame):
    """The columns of a series table converted as :func:`_prepare` converts them (unsorted)."""
    if "year" not in data or "share_pct" not in data:
        raise ValueError("a series needs the columns 'year' and 'share_pct'")
    n = len(data)
    year = data["year"].astype(int).to_numpy()
    share = data["share_pct"].astype(float).to_numpy()
    num = data["numerator"].astype(float).to_numpy() if "numerator" in data else np.full(n, np.nan)
    den = data["denominator"].astype(float).to_numpy() if "denominator" in data else np.full(n, np.nan)
    if "definition" in data:
        d = data["definition"]
        defs = d.astype(object).where(d.notna(), None).tolist()
    else:
        defs = [None] * n
    return year, share, num, den, defs


def _arrays(series: pd.DataFrame) -> _Arr:
    """One series as arrays, sorted by year (stable), as :func:`_prepare` sorts it."""
    year, share, num, den, defs = _columns(series)
    group = None
    if "group" in series and series["group"].nunique() == 1:
        group = series["group"].iloc[0]
    order = np.argsort(year, kind="stable")
    return _Arr(year, share, num, den, defs, group).take(order)


def _split(data: pd.DataFrame, keys: Sequence[str]) -> dict[Any, _Arr]:
    """Every series of a long table at once: ``{key value(s): _Arr}``, each sorted by year
    (stable within a year, in table order) — what :func:`group_series` + :func:`_prepare` give
    per key, without a pandas selection per series. Rows with a missing key are left out."""
    keys = list(keys)
    gi = keys.index("group") if "group" in keys else None
    year, share, num, den, defs = _columns(data)
    codes, uniques = [], []
    ok = np.ones(len(data), dtype=bool)
    for k in keys:
        c, u = pd.factorize(data[k], sort=False)
        codes.append(c)
        uniques.append(u)
        ok &= c >= 0
    order = np.lexsort([year] + codes[::-1])  # stable: by keys, then year, then table order
    order = order[ok[order]]
    out: dict[Any, _Arr] = {}
    if not len(order):
        return out
    kc = np.stack([c[order] for c in codes], axis=1)
    starts = np.flatnonzero(np.r_[True, (kc[1:] != kc[:-1]).any(axis=1)])
    ends = np.r_[starts[1:], len(order)]
    year, share, num, den = year[order], share[order], num[order], den[order]
    defs = [defs[i] for i in order.tolist()]
    for a, b in zip(starts.tolist(), ends.tolist()):
        key = tuple(u[c] for u, c in zip(uniques, kc[a].tolist()))
        key = key[0] if len(keys) == 1 else key
        grp = None if gi is None else (key if len(keys) == 1 else key[gi])
        out[key] = _Arr(year[a:b], share[a:b], num[a:b], den[a:b], defs[a:b], grp)
    return out


def _segment_ids_arr(a: _Arr, breaks: Iterable[Any] = ()) -> list[int]:
    """Segment number of each row of ``a`` (see :func:`segment_ids`)."""
    years = a.year.tolist()
    n = len(years)
    byears = breaks_for(breaks, a.group)
    interval = np.searchsorted(np.array(byears, dtype=int), a.year, side="right").tolist()
    defs = a.defs
    out_defs = list(defs)
    if any(d is None for d in defs):
        for i in range(n):
            if defs[i] is not None:
                continue
            iv, y = interval[i], years[i]
            lab = [j for j in range(n) if interval[j] == iv and defs[j] is not None]
            first: dict[Any, int] = {}
            for j in lab:
                first[defs[j]] = min(first.get(defs[j], years[j]), years[j])
            later = [j for j in lab if years[j] >= y]
            earlier = [j for j in lab if years[j] < y]
            if later:
                y0 = min(years[j] for j in later)
                d = min((defs[j] for j in later if years[j] == y0), key=lambda c: first[c])
            elif earlier:
                y0 = max(years[j] for j in earlier)
                d = max((defs[j] for j in earlier if years[j] == y0), key=lambda c: first[c])
            else:
                d = ""
            out_defs[i] = d
    seen: dict[tuple, int] = {}
    dup: set[int] = set()
    for i in range(n):
        k = (years[i], out_defs[i])
        if k in seen:
            dup.update((years[i],))
        seen[k] = i
    if dup:
        raise ValueError(f"series has more than one figure for the same year and definition: {sorted(dup)}")
    start: dict[tuple, int] = {}
    for i in range(n):  # rows are in year order: the first row of a key has its earliest year
        start.setdefault((interval[i], out_defs[i]), years[i])
    order = {k: i for i, k in enumerate(sorted(start, key=lambda k: (k[0], start[k])))}
    return [order[(iv, d)] for iv, d in zip(interval, out_defs)]


def _segments_arr(a: _Arr, breaks: Iterable[Any] = ()) -> list[_Arr]:
    ids = np.array(_segment_ids_arr(a, breaks), dtype=int)
    return [a.take(np.flatnonzero(ids == i)) for i in range(int(ids.max()) + 1)] if len(ids) else []


def _last_segment_arr(a: _Arr, breaks: Iterable[Any] = ()) -> _Arr:
    segs = _segments_arr(a, breaks)
    last_year = max(int(sg.year.max()) for sg in segs)
    ends = [sg for sg in segs if int(sg.year.max()) == last_year]
    if len(ends) > 1:
        raise ValueError(f"the last year {last_year} is measured under more than one definition; "
                         "assess each definition as its own series")
    return ends[0]


def segment_ids(series: pd.DataFrame, breaks: Iterable[Any] = ()) -> pd.Series:
    """Segment number (0, 1, ...) of each row, in time order. See the module docstring."""
    s = _prepare(series)
    ids = _segment_ids_arr(_arrays(s), breaks)
    return pd.Series(ids, index=s.index, name="segment")


def segments(series: pd.DataFrame, breaks: Iterable[Any] = ()) -> list[pd.DataFrame]:
    """The series cut into segments (time order); each one a copy sorted by year."""
    s = _prepare(series)
    ids = np.array(_segment_ids_arr(_arrays(s), breaks), dtype=int)
    return [s.loc[ids == i].reset_index(drop=True) for i in sorted(set(ids.tolist()))]


def last_segment(series: pd.DataFrame, breaks: Iterable[Any] = ()) -> pd.DataFrame:
    """The segment holding the latest year. When the latest year was measured under two
    definitions (an overlap year at the very end), the segment whose definition continues is
    unknowable, so this raises."""
    s = _prepare(series)
    ids = np.array(_segment_ids_arr(_arrays(s), breaks), dtype=int)
    years = s["year"].to_numpy()
    last_year = int(years.max())
    ends = sorted(set(ids[years == last_year].tolist()))
    if len(ends) > 1:
        raise ValueError(f"the last year {last_year} is measured under more than one definition; "
                         "assess each definition as its own series")
    return s.loc[ids == ends[0]].reset_index(drop=True)


def link_factor(old: pd.DataFrame, new: pd.DataFrame) -> pd.DataFrame:
    """Overlap years measured under an old and a new definition: both shares, their ratio
    (new/old) and difference (new - old, pp). Shown as such; never used to splice series."""
    o = _prepare(old)[["year", "share_pct", "definition"]]
    n = _prepare(new)[["year", "share_pct", "definition"]]
    m = o.merge(n, on="year", suffixes=("_old", "_new"))
    m["ratio"] = m["share_pct_new"] / m["share_pct_old"]
    m["difference_pp"] = m["share_pct_new"] - m["share_pct_old"]
    return m[["year", "definition_old", "share_pct_old", "definition_new", "share_pct_new",
              "ratio", "difference_pp"]].reset_index(drop=True)


# --------------------------------------------------------------------------- vectorised cores

def _wls_core(y: np.ndarray, x: np.ndarray, w: np.ndarray):
    """WLS of y on [1, x] for S series at once. y, w: (S, m); x: (m,) or (S, m).
    Returns beta (S, 2), unscaled cov (S, 2, 2) = (X'WX)^-1, s2 (S,), df.

    Every operation is row by row (elementwise, or a sum along a row), so a series gets
    bit-for-bit the same result in a batch of any size as on its own (tested)."""
    y = np.atleast_2d(y).astype(float)
    w = np.broadcast_to(np.atleast_2d(w).astype(float), y.shape)
    x = np.broadcast_to(np.atleast_2d(x).astype(float), y.shape)
    sw, swx, swxx = w.sum(1), (w * x).sum(1), (w * x * x).sum(1)
    swy, swxy = (w * y).sum(1), (w * x * y).sum(1)
    det = sw * swxx - swx ** 2
    inv = np.empty(y.shape[:1] + (2, 2))
    inv[:, 0, 0], inv[:, 1, 1] = swxx / det, sw / det
    inv[:, 0, 1] = inv[:, 1, 0] = -swx / det
    beta = np.stack([inv[:, 0, 0] * swy + inv[:, 0, 1] * swxy,
                     inv[:, 1, 0] * swy + inv[:, 1, 1] * swxy], axis=1)
    resid = y - beta[:, :1] - beta[:, 1:] * x
    df = y.shape[1] - 2
    s2 = (w * resid ** 2).sum(1) / df
    return beta, inv, s2, df


def _logit_core(k: np.ndarray, n: np.ndarray, x: np.ndarray, iters: int = 50, tol: float = 1e-10):
    """Binomial-logit IRLS (Newton) for S series at once. k, n: (S, m); x: (m,) or (S, m).
    Returns beta (S, 2), unscaled cov (S, 2, 2), Pearson X2/df (S,), df.

    Each series stops on its own criterion (largest change in its coefficients below ``tol``,
    at most ``iters`` steps); converged series leave the batch, so a series' estimates do not
    depend on the other series fitted with it. Without a finite maximum (all or no successes,
    perfect separation) the coefficients run off for ``iters`` steps, as they would alone."""
    k = np.atleast_2d(k).astype(float)
    n = np.broadcast_to(np.atleast_2d(n).astype(float), k.shape)
    x = np.broadcast_to(np.atleast_2d(x).astype(float), k.shape)
    p0 = np.clip((k.sum(1) + 0.5) / (n.sum(1) + 1.0), 1e-9, 1 - 1e-9)
    beta = np.stack([logit(p0), np.zeros(k.shape[0])], axis=1)
    active = np.arange(k.shape[0])
    ka, na, xa = k, n, x
    for _ in range(iters):
        ba = beta[active]
        eta = ba[:, :1] + ba[:, 1:] * xa
        p = expit(eta)
        wt = np.maximum(na * p * (1 - p), 1e-12)
        z = eta + (ka - na * p) / wt
        new, _, _, _ = _wls_core(z, xa, wt)
        done = np.max(np.abs(new - ba), axis=1) < tol
        beta[active] = new
        if done.all():
            break
        if done.any():
            keep = ~done
            active, ka, na, xa = active[keep], ka[keep], na[keep], xa[keep]
    eta = beta[:, :1] + beta[:, 1:] * x
    p = expit(eta)
    wt = np.maximum(n * p * (1 - p), 1e-12)
    _, inv, _, df = _wls_core(eta, x, wt)
    x2 = ((k - n * p) ** 2 / wt).sum(1)
    return beta, inv, x2 / df, df


@lru_cache(maxsize=256)
def _quantile(level: float, df: int, estimated: bool) -> float:
    if not estimated:
        return float(stats.norm.ppf(0.5 + level / 2))
    return float(stats.t.ppf(0.5 + level / 2, df))


# --------------------------------------------------------------------------- trend fit

@dataclass
class TrendFit:
    """A linear (WLS) or logit (GLM) trend within one segment; ``x = year - last_year``."""

    method: str  # "glm_logit" or "wls"
    years: np.ndarray
    last_year: int
    beta: np.ndarray  # (2,)
    cov: np.ndarray  # (2, 2), scaled
    scale: float  # phi (GLM) or s^2 (WLS)
    df: int
    new_size: float  # weight (WLS) or denominator (GLM) of a future year
    level: float = LEVEL
    dispersion_raw: float | None = None  # X2/df before the floor (GLM)
    scale_estimated: bool = True  # False: binomial dispersion 1 taken as known (normal quantiles)

    @property
    def n_points(self) -> int:
        return len(self.years)

    @property
    def tq(self) -> float:
        return _quantile(float(self.level), int(self.df), bool(self.scale_estimated))

    def slope(self) -> tuple[float, float, float, float]:
        """Slope in pp/year at the last year: (estimate, se, ci_low, ci_high)."""
        a, b = self.beta
        if self.method == "wls":
            est, se = b, math.sqrt(self.cov[1, 1])
        else:
            p = expit(a)
            v = p * (1 - p)
            est = 100 * b * v
            g = 100 * np.array([b * v * (1 - 2 * p), v])
            se = math.sqrt(float(g @ self.cov @ g))
        return float(est), float(se), float(est - self.tq * se), float(est + self.tq * se)

    def _link(self, year):
        x = np.asarray(year, dtype=float) - self.last_year
        mean = self.beta[0] + self.beta[1] * x
        se = np.sqrt(self.cov[0, 0] + 2 * x * self.cov[0, 1] + x * x * self.cov[1, 1])
        if self.method == "wls":
            sd_new = np.sqrt(self.scale / self.new_size)
        else:
            p = expit(mean)
            sd_new = np.sqrt(self.scale / (self.new_size * p * (1 - p)))
        return mean, se, np.sqrt(se ** 2 + sd_new ** 2)

    def _out(self, v):
        # shares live in [0, 100]: a straight line (WLS) is clipped there
        return 100 * expit(v) if self.method == "glm_logit" else np.clip(v, 0.0, 100.0)

    def predict(self, year):
        """Fitted/projected share (pct) at ``year`` (31 December)."""
        mean, _, _ = self._link(year)
        return self._out(mean)

    def confidence_interval(self, year):
        mean, se, _ = self._link(year)
        return self._out(mean - self.tq * se), self._out(mean + self.tq * se)

    def prediction_interval(self, year):
        """95% (``level``) interval for the share *observed* at ``year``."""
        mean, _, sd = self._link(year)
        return self._out(mean - self.tq * sd), self._out(mean + self.tq * sd)

    def p_at_least(self, year, target_pct: float) -> float:
        """Predictive probability that the observed share at ``year`` is >= ``target_pct``."""
        mean, _, sd = self._link(year)
        if self.method == "glm_logit":
            if target_pct <= 0:
                return 1.0
            if target_pct >= 100:
                return 0.0
            thr = logit(target_pct / 100)
        else:
            thr = target_pct
        if not sd > 0:  # a perfect fit: no uncertainty left in the model
            return float(mean >= thr)
        z = (thr - mean) / sd
        return float(stats.t.sf(z, self.df) if self.scale_estimated else stats.norm.sf(z))


def _has_counts(seg: pd.DataFrame) -> bool:
    return bool(seg["numerator"].notna().all() and seg["denominator"].notna().all()
                and (seg["denominator"] > 0).all())


def _glm_fits(years: np.ndarray, k: np.ndarray, n: np.ndarray, level: float) -> list[TrendFit]:
    """years, k, n: (S, m); one TrendFit per row."""
    last = years.max(axis=1)
    x = (years - last[:, None]).astype(float)
    beta, inv, disp, df = _logit_core(k, n, x)
    phi = np.maximum(1.0, disp)
    return [TrendFit("glm_logit", years[i], int(last[i]), beta[i], inv[i] * phi[i], float(phi[i]), df,
                     float(n[i, -1]), level, float(disp[i]), bool(disp[i] > 1))
            for i in range(k.shape[0])]


def _wls_fits(years: np.ndarray, y: np.ndarray, w: np.ndarray, level: float) -> list[TrendFit]:
    """years, y, w: (S, m); one TrendFit per row."""
    last = years.max(axis=1)
    x = (years - last[:, None]).astype(float)
    beta, inv, s2, df = _wls_core(y, x, w)
    return [TrendFit("wls", years[i], int(last[i]), beta[i], inv[i] * s2[i], float(s2[i]), df, float(w[i, -1]),
                     level) for i in range(y.shape[0])]


def fit_trends(years: np.ndarray, *, share_pct: np.ndarray | None = None, numerator: np.ndarray | None = None,
               denominator: np.ndarray | None = None, level: float = LEVEL) -> list[TrendFit]:
    """Fit S series observed in the same ``years`` at once (vectorised; used by the coverage
    simulations). With ``numerator`` and ``denominator`` (S, m): the quasi-binomial logit GLM;
    else WLS of ``share_pct`` (S, m) with weights ``denominator`` when given, otherwise equal
    weights. Series observed in different years are fitted together by :func:`_fit_many`."""
    years = np.asarray(years, dtype=int)
    m = len(years)
    if m < MIN_POINTS:
        raise ValueError(f"a trend needs at least {MIN_POINTS} points, got {m}")
    if numerator is not None and denominator is not None:
        k = np.atleast_2d(np.asarray(numerator, dtype=float))
        n = np.broadcast_to(np.atleast_2d(np.asarray(denominator, dtype=float)), k.shape)
        return _glm_fits(np.broadcast_to(years, k.shape), k, n, level)
    y = np.atleast_2d(np.asarray(share_pct, dtype=float))
    w = np.ones_like(y) if denominator is None else np.broadcast_to(
        np.atleast_2d(np.asarray(denominator, dtype=float)), y.shape)
    return _wls_fits(np.broadcast_to(years, y.shape), y, w, level)


def _fit_many(segs: Sequence[_Arr], level: float = LEVEL) -> list[TrendFit]:
    """:func:`fit_trend` for many segments in a few vectorised calls: the segments are grouped
    by model (GLM with counts, WLS with denominators, OLS) and number of points, and each group
    is fitted at once. Each fit equals the one :func:`fit_trend` gives for that segment alone,
    bit for bit (the cores work row by row; tested)."""
    out: list[TrendFit | None] = [None] * len(segs)
    buckets: dict[tuple[str, int], list[int]] = {}
    for i, sg in enumerate(segs):
        m = len(sg)
        if m < MIN_POINTS:
            raise ValueError(f"a trend needs at least {MIN_POINTS} points, got {m}")
        if sg.has_counts():
            kind = "glm"
        elif not np.isnan(sg.den).any() and (sg.den > 0).all():
            kind = "wls"
        else:
            kind = "ols"
        buckets.setdefault((kind, m), []).append(i)
    for (kind, m), idx in buckets.items():
        years = np.stack([segs[i].year for i in idx]).astype(int)
        if kind == "glm":
            fits = _glm_fits(years, np.stack([segs[i].num for i in idx]), np.stack([segs[i].den for i in idx]), level)
        else:
            y = np.stack([segs[i].share for i in idx])
            w = np.stack([segs[i].den for i in idx]) if kind == "wls" else np.ones_like(y)
            fits = _wls_fits(years, y, w, level)
        for i, f in zip(idx, fits):
            out[i] = f
    return out  # type: ignore[return-value]


def fit_trend(segment: pd.DataFrame, level: float = LEVEL) -> TrendFit:
    """Fit the trend of one segment (>= 3 points). See the module docstring for the models."""
    return _fit_many([_arrays(segment)], level)[0]


# --------------------------------------------------------------------------- assessment

def _persons_short(last: pd.Series, target_pct: float):
    if pd.isna(last["numerator"]) or pd.isna(last["denominator"]):
        return None
    need = target_pct / 100.0 * float(last["denominator"]) - float(last["numerator"])
    return max(0, int(math.ceil(round(need, 9))))


def _assess_arr(seg: _Arr, target_pct: float, target_year: int, fit: TrendFit | None,
                now: int | None = None) -> dict[str, Any]:
    """:func:`assess` on the last segment (arrays) and its fit (``None`` under 3 points)."""
    last_year, last_share = int(seg.year[-1]), float(seg.share[-1])
    gap = float(target_pct) - last_share
    years_left = int(target_year) - last_year
    passed = now is not None and int(now) >= int(target_year)
    required = max(gap, 0.0) / years_left if years_left > 0 and not passed else None
    k, n = seg.num[-1], seg.den[-1]
    persons = None
    if not (np.isnan(k) or np.isnan(n)):
        need = target_pct / 100.0 * float(n) - float(k)
        persons = max(0, int(math.ceil(round(need, 9))))
    out: dict[str, Any] = dict.fromkeys(ASSESS_KEYS)
    out.update(last_year=last_year, last_share_pct=last_share, gap_pp=gap,
               required_pp_per_year=required, persons_short=persons)
    if fit is not None:
        est, _, lo, hi = fit.slope()
        plo, phi_ = fit.prediction_interval(target_year)
        out.update(trend_pp_per_year=est, trend_ci_low=lo, trend_ci_high=hi,
                   projected_pct=float(fit.predict(target_year)), projection_pi_low=float(plo),
                   projection_pi_high=float(phi_), p_reach=fit.p_at_least(target_year, target_pct))
    if last_share >= target_pct:
        status = "reached"
    elif len(seg) < MIN_POINTS:
        status = "insufficient_data"
    elif years_left > 0 and out["projected_pct"] >= target_pct:
        status = "on_track"
    else:
        status = "behind"
    out["status"] = status
    return out


def assess(series: pd.DataFrame, target_pct: float, target_year: int, breaks: Iterable[Any] = (),
           level: float = LEVEL, now: int | None = None) -> dict[str, Any]:
    """Where a target group stands relative to a target of at least ``target_pct`` % on
    31 December of ``target_year``.

    - ``gap_pp`` = target − last observed share (positive: still to go);
    - ``required_pp_per_year`` = max(gap, 0) / (target_year − last_year): the straight-line pace
      needed from the last observation to the target date (``None`` once the date has passed:
      ``now`` — the year of the assessment — at or after ``target_year``);
    - ``trend_*``, ``projected_pct``, ``projection_pi_*``, ``p_reach``: from :func:`fit_trend` on
      the last segment only (``None`` with fewer than 3 points there);
    - ``persons_short`` = ceil(target × last denominator − last numerator), at least 0: the whole
      persons the group needs, at the last year's headcount, to be at the target today
      (``None`` without headcounts);
    - ``status``: see the module docstring.
    ``breaks`` are years (or :class:`Break`/dicts) where a new segment starts.
    """
    seg = _last_segment_arr(_arrays(series), breaks)
    fit = _fit_many([seg], level)[0] if len(seg) >= MIN_POINTS else None
    return _assess_arr(seg, target_pct, target_year, fit, now)


# --------------------------------------------------------------------------- backtest

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


# --------------------------------------------------------------------------- reading

CANONICAL = ("year", "group", "share_pct", "numerator", "denominator", "definition")


def _read_any(path: Path) -> pd.DataFrame:
    """Read a table; index = row number as the user sees it (header = 1)."""
    try:  # the project's reader, when available
        from evaluatie.intake.read import read_table  # type: ignore

        return read_table(path)
    except ImportError:
        pass
    raw = Path(path).read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp1252")
    first = text.splitlines()[0] if text else ""
    sep = max([",", ";", "\t"], key=first.count)
    decimal = "," if sep != "," and re.search(r"\d,\d", text) else "."
    df = pd.read_csv(_io.StringIO(text), sep=sep, decimal=decimal, dtype=str, keep_default_na=False,
                     na_values=[""])
    df.index = pd.RangeIndex(2, 2 + len(df))
    df.attrs["source"] = {"file": Path(path).name}
    return df


def _num(v: Any) -> float | None:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return None
    if isinstance(v, (int, float, np.integer, np.floating)):
        return float(v)
    t = str(v).strip().replace("%", "").replace("\u00a0", "").replace(" ", "")
    if not t:
        return None
    if "," in t and "." in t:
        t = t.replace(".", "").replace(",", ".")
    else:
        t = t.replace(",", ".")
    return float(t)


def read_series(path: str | Path, columns: Mapping[str, str] | None = None, *,
                group: str | None = None, tolerance_pp: float = 0.051) -> tuple[pd.DataFrame, Ledger]:
    """Read an aggregate file of target-group figures into the canonical long layout
    ``group, year, share_pct, numerator, denominator, definition`` (plus any other columns).

    ``columns`` maps canonical names to the user's column names, e.g.
    ``{"year": "jaar", "group": "kansengroep", "share_pct": "aandeel"}``; a file of one group
    may omit the group column and pass ``group=``. A share may be given as counts only (it is
    then computed). Problems (non-numeric, out of range, numerator > denominator, share that
    disagrees with its counts beyond rounding) are raised together as one :class:`DataError`.
    Returns the table and its row ledger.
    """
    path = Path(path)
    df = _read_any(path)
    fname = df.attrs.get("source", {}).get("file", path.name)
    mapping = {c: c for c in CANONICAL}
    mapping.update(dict(columns or {}))
    problems: list[Problem] = []
    missing = [mapping[c] for c in ("year",) if mapping[c] not in df.columns]
    if group is None and mapping["group"] not in df.columns:
        missing.append(mapping["group"])
    has_share = mapping["share_pct"] in df.columns
    has_counts = mapping["numerator"] in df.columns and mapping["denominator"] in df.columns
    if not has_share and not has_counts:
        missing.append(mapping["share_pct"])
    if missing:
        raise DataError([Problem(fname, None, m, None, f"een kolom '{m}' (zie de kolomkoppeling "
                                 "in de parameters)") for m in missing])
    out = pd.DataFrame(index=df.index)
    out["group"] = group if group is not None else df[mapping["group"]].astype(str).str.strip()
    for c in ("year", "share_pct", "numerator", "denominator"):
        src = mapping[c]
        vals = []
        for row, v in (df[src].items() if src in df.columns else ((i, None) for i in df.index)):
            try:
                vals.append(_num(v))
            except ValueError:
                problems.append(Problem(fname, int(row), src, v, "een getal"))
                vals.append(None)
        out[c] = pd.array(vals, dtype="Float64").astype(float)
    dsrc = mapping["definition"]
    out["definition"] = (df[dsrc].astype(object).where(df[dsrc].notna(), None)
                         if dsrc in df.columns else None)
    for c in df.columns:
        if c not in mapping.values() and c not in out.columns:
            out[c] = df[c]
    for row, r in out.iterrows():
        y, s, k, n = r["year"], r["share_pct"], r["numerator"], r["denominator"]
        if pd.isna(y):
            if not any(p.row == row and p.column == mapping["year"] for p in problems):
                problems.append(Problem(fname, int(row), mapping["year"], None, "een jaartal"))
        elif y != int(y) or not 1900 <= y <= 2100:
            problems.append(Problem(fname, int(row), mapping["year"], y, "een jaartal tussen 1900 en 2100"))
        if not pd.isna(s) and not 0 <= s <= 100:
            problems.append(Problem(fname, int(row), mapping["share_pct"], s,
                                    "een aandeel in procent tussen 0 en 100"))
        if not pd.isna(k) and not pd.isna(n):
            if n <= 0 or k < 0 or k > n:
                problems.append(Problem(fname, int(row), mapping["numerator"], k,
                                        f"een aantal tussen 0 en de noemer ({n:g})"))
            elif not pd.isna(s) and abs(100 * k / n - s) > tolerance_pp:
                problems.append(Problem(fname, int(row), mapping["share_pct"], s,
                                        f"{100 * k / n:.2f} (teller/noemer), op afronding na"))
        if pd.isna(s) and (pd.isna(k) or pd.isna(n)):
            problems.append(Problem(fname, int(row), mapping["share_pct"], None,
                                    "een aandeel, of teller en noemer"))
    if not problems:
        key = out[["group", "year"]].assign(definition=out["definition"].astype(object).where(
            out["definition"].notna(), ""))
        for row in key.index[key.duplicated(keep="first")]:
            problems.append(Problem(fname, int(row), mapping["year"], int(out.at[row, "year"]),
                                    "één cijfer per groep, jaar en definitie (dit jaar staat er al voor "
                                    f"groep {out.at[row, 'group']})"))
    if problems:
        raise DataError(problems)
    fill = out["share_pct"].isna()
    out.loc[fill, "share_pct"] = 100 * out.loc[fill, "numerator"] / out.loc[fill, "denominator"]
    out["year"] = out["year"].astype(int)
    ledger = Ledger(fname, read=len(out))
    out.attrs["source"] = {"file": fname}
    return out, ledger


def combine_sources(frames: Sequence[tuple[pd.DataFrame, Ledger]]) -> tuple[pd.DataFrame, list[Ledger]]:
    """Stack several read series. A (group, year, definition) given by more than one source is
    kept once — the row with headcounts, else the first — after checking the shares agree
    (within rounding); the others are excluded in their ledger with the reason."""
    parts = []
    for i, (df, _led) in enumerate(frames):
        d = df.copy()
        d["_src"] = i
        d["_row"] = d.index
        parts.append(d)
    allr = pd.concat(parts, ignore_index=True)
    allr["_def"] = allr["definition"].astype(object).where(allr["definition"].notna(), "")
    allr["_counts"] = allr["numerator"].notna() & allr["denominator"].notna()
    ledgers = [led for _, led in frames]
    keep = np.ones(len(allr), dtype=bool)
    problems = []
    # a missing definition matches any definition of the same group and year
    for (g, y), d in allr.groupby(["group", "year"], sort=False):
        if len(d) < 2 or d["_src"].nunique() < 2:
            continue
        stated = {x for x in d["_def"] if x}
        if len(stated) > 1 and (d["_def"] == "").any():
            continue  # an overlap year with an unlabelled figure: keep all, segments sort it out
        best = d.sort_values(["_counts", "_src"], ascending=[False, True]).index[0]
        for j in d.index:
            if j == best:
                continue
            if abs(d.at[j, "share_pct"] - d.at[best, "share_pct"]) > 0.051:
                f = frames[int(d.at[j, "_src"])][0].attrs.get("source", {}).get("file")
                problems.append(Problem(f, int(d.at[j, "_row"]), "share_pct", d.at[j, "share_pct"],
                                        f"{d.at[best, 'share_pct']:g} zoals in de andere bron voor "
                                        f"{g} {y}"))
            keep[allr.index.get_loc(j)] = False
            ledgers[int(d.at[j, "_src"])].exclude(
                "zelfde groep en jaar ook in een andere bron (daar met aantallen of eerst vermeld)", 1)
    if problems:
        raise DataError(problems)
    out = allr.loc[keep].drop(columns=["_src", "_row", "_def", "_counts"])
    # missing definitions take the group's stated definition of that year, if unique
    out = out.sort_values(["group", "year"], kind="stable").reset_index(drop=True)
    return out, ledgers


def read_targets(path: str | Path) -> pd.DataFrame:
    """Targets file: ``group_key, group_nl, target_pct, target_date`` (ISO date or a year)."""
    df = _read_any(Path(path))
    fname = df.attrs.get("source", {}).get("file", Path(path).name)
    problems = []
    rows = []
    for row, r in df.iterrows():
        tp = r.get("target_pct")
        td = r.get("target_date")
        try:
            tpv = _num(tp)
        except ValueError:
            problems.append(Problem(fname, int(row), "target_pct", tp, "een percentage"))
            continue
        year = None
        if td is not None and not (isinstance(td, float) and math.isnan(td)) and str(td).strip():
            m = re.match(r"^(\d{4})(-12-31)?$", str(td).strip())
            if not m:
                problems.append(Problem(fname, int(row), "target_date", td,
                                        "een jaartal of een datum 31 december (JJJJ-12-31)"))
                continue
            year = int(m.group(1))
        rows.append(dict(group=str(r["group_key"]).strip(), group_nl=r.get("group_nl"),
                         target_pct=tpv, target_year=year))
    if problems:
        raise DataError(problems)
    return pd.DataFrame(rows)


def read_yearly_figures(path: str | Path) -> pd.DataFrame:
    """Figures for the yearly targets (no end date, "jaarlijks te behalen"), such as interns and
    student workers, who are not in the personnel snapshots: ``target_group_key, year,
    share_pct, definition`` and optionally ``target_definition`` (ja/nee: measured under the
    target's own definition; default nee) and ``source_note``. Returns the columns ``group, year,
    share_pct, definition, target_definition, source_note``."""
    from evaluatie.intake.schema import Column, Schema

    schema = Schema(columns=[
        Column("target_group_key"), Column("year", "int", min=1990, max=2100),
        Column("share_pct", "float", min=0, max=100), Column("definition"),
        Column("target_definition", "bool", required=False, nullable=True),
        Column("source_note", required=False, nullable=True)])
    df = schema.validate(_read_any(Path(path)))
    df = df.rename(columns={"target_group_key": "group"})
    df["target_definition"] = df["target_definition"].fillna(False).astype(bool)
    return df[["group", "year", "share_pct", "definition", "target_definition", "source_note"]]


def evaluate_yearly_targets(figures: pd.DataFrame, targets: pd.DataFrame) -> pd.DataFrame:
    """Every yearly target (a target without an end date) with its latest figure.

    ``status``: ``reached`` / ``not_reached`` in ``last_year`` when that figure was measured under
    the target's own definition; otherwise ``insufficient_data`` — a figure under an older
    definition is shown as context (with ``gap_pp``), never judged. A yearly target without any
    figure gets ``insufficient_data`` and empty figure columns."""
    yearly = targets[targets["target_year"].isna() & targets["target_pct"].notna()]
    rows = []
    for g, tp in zip(yearly["group"], yearly["target_pct"]):
        f = figures[figures["group"] == g].sort_values("year")
        if f.empty:
            rows.append(dict(group=g, target_pct=tp, last_year=None, last_share_pct=None, definition=None,
                             target_definition=False, gap_pp=None, status="insufficient_data"))
            continue
        last = f.iloc[-1]
        share = float(last["share_pct"])
        same = bool(last["target_definition"])
        status = ("reached" if share >= tp else "not_reached") if same else "insufficient_data"
        rows.append(dict(group=g, target_pct=float(tp), last_year=int(last["year"]), last_share_pct=share,
                         definition=last["definition"], target_definition=same, gap_pp=float(tp) - share,
                         status=status))
    return pd.DataFrame(rows, columns=["group", "target_pct", "last_year", "last_share_pct", "definition",
                                       "target_definition", "gap_pp", "status"])


def tabel1(data: pd.DataFrame, targets: pd.DataFrame, years: Sequence[int] = range(2009, 2015),
           groups: Sequence[str] | None = None, labels: Mapping[str, str] | None = None) -> pd.DataFrame:
    """Tabel 1 of the 2016-2020 strategic plan: one row per group, one column per year with the
    share as published (Dutch format, ``49,6%``), and the 2015 target (``-`` where there is none).
    """
    from evaluatie.core import fmt

    groups = list(groups) if groups is not None else list(dict.fromkeys(data["group"]))
    labels = dict(labels or {})
    t15 = targets[targets["target_year"] == 2015].set_index("group")
    rows = []
    for g in groups:
        d = data[data["group"] == g].set_index("year")
        row = {"group": labels.get(g, g)}
        for y in years:
            row[str(y)] = fmt.pct(float(d.at[y, "share_pct"]), 1) if y in d.index else "-"
        tv = t15["target_pct"].get(g) if g in t15.index else None
        row["target_2015"] = "-" if tv is None or pd.isna(tv) else fmt.pct(tv, 1)
        rows.append(row)
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------- growth paths

def parse_interim_target(text: Any) -> tuple[str, float | None]:
    """The interim-target wording of the entity template as a rule:

    - "Hoger of gelijk aan niveau jx-1" (at least last year's level) → ``("at_least_previous", None)``
    - "Minstens 33%" → ``("minimum", 33.0)``
    - "2,30%" or a number → ``("explicit", 2.3)`` (reach at least this share)
    """
    if text is None or (isinstance(text, float) and math.isnan(text)):
        raise ValueError("empty interim target")
    if isinstance(text, (int, float)):
        return "explicit", float(text)
    t = str(text).strip().lower()
    if re.search(r"(hoger|groter)\s+(dan\s+)?of\s+gelijk|niveau\s+jx\s*-\s*1|vorig\s+jaar", t):
        return "at_least_previous", None
    m = re.search(r"(\d+(?:[.,]\d+)?)\s*%?", t)
    if m and re.search(r"minst|minimum|min\.", t):
        return "minimum", float(m.group(1).replace(",", "."))
    if m:
        return "explicit", float(m.group(1).replace(",", "."))
    raise ValueError(f"interim target not understood: {text!r}")


def check_growth_path(shares: pd.DataFrame, rules: pd.DataFrame) -> pd.DataFrame:
    """Growth-path check per entity, group and year.

    ``shares``: ``entity, group, year, share_pct``. ``rules``: ``entity, group, year, rule``
    where ``rule`` is the template wording (see :func:`parse_interim_target`); ``year`` is the
    business-plan year jx. A rule "at least last year's level" compares the share of jx with
    that of jx-1 (unknown → ``met`` is missing). Returns the rules with ``rule_type``,
    ``threshold_pct``, ``share_pct`` and ``met`` (True/False/NA).
    """
    s = shares.set_index(["entity", "group", "year"])["share_pct"]
    if s.index.is_unique and not all(pd.api.types.is_numeric_dtype(t) for t in rules.dtypes):
        # fast path, same values: a dict instead of MultiIndex look-ups, records instead of
        # iterrows (identical rows when a column is text, so iterrows does not upcast)
        look = dict(zip(s.index, s.to_numpy()))
        records = rules.to_dict("records")
    else:
        look, records = s, [r.to_dict() for _, r in rules.iterrows()]
    parsed: dict[Any, tuple[str, float | None]] = {}
    out = []
    for r in records:
        rule = r["rule"]
        try:
            kind, val = parsed[rule]
        except KeyError:
            kind, val = parsed[rule] = parse_interim_target(rule)
        except TypeError:  # unhashable
            kind, val = parse_interim_target(rule)
        key = (r["entity"], r["group"], int(r["year"]))
        share = look.get(key)
        thr = val
        if kind == "at_least_previous":
            thr = look.get((r["entity"], r["group"], int(r["year"]) - 1))
        met = pd.NA if share is None or thr is None or pd.isna(share) or pd.isna(thr) else bool(
            round(float(share), 9) >= round(float(thr), 9))
        out.append({**r, "rule_type": kind, "threshold_pct": thr, "share_pct": share, "met": met})
    return pd.DataFrame(out)


def gender_balance(women_pct: Any, threshold_pct: float = 33.0) -> Any:
    """Gender-balance rule of the strategic plan (OD 1.8): fewer than ``threshold_pct`` % of one
    sex is under-representation. Returns ``"women"``, ``"men"`` (the under-represented sex) or
    ``None`` (balanced); vectorised over a Series."""
    def one(w):
        if w is None or pd.isna(w):
            return None
        if w < threshold_pct:
            return "women"
        if 100 - w < threshold_pct:
            return "men"
        return None
    if isinstance(women_pct, pd.Series):
        return women_pct.map(one)
    return one(women_pct)


# --------------------------------------------------------------------------- figures

def plot_group(ax, series: pd.DataFrame, breaks: Iterable[Any] = (), *, target_pct: float | None = None,
               target_year: int | None = None, fit: bool = True, colors: Sequence[str] | None = None,
               labels: Mapping[str, str] | None = None, break_labels: bool = True,
               extra: pd.DataFrame | None = None, extra_label: str | None = None,
               targets: Sequence[Mapping[str, Any]] | None = None) -> TrendFit | None:
    """Draw one group: observed points, one line per segment (never joined across a break),
    dashed vertical markers at the breaks, the trend of the last segment with its 95%
    projection fan to the target date, and the target line up to the target date.
    ``extra``: a predecessor series under an old definition (drawn in grey, its own segments).
    ``targets``: every target with its own period, ``{"pct", "end", "start" (optional: first
    year it applies; default the start of the axis), "label" (optional text at the line)}``; each
    is drawn only over its period (e.g. 33,3% until 2015, 40% from 2016 to 2020). Without it,
    ``target_pct`` is drawn from the start of the axis to ``target_year``.
    Returns the fitted trend (or None)."""
    from evaluatie.publish.report import PALETTE, axis_format

    colors = list(colors or PALETTE)
    labels = dict(labels or {})
    brks = as_breaks(breaks)
    segs = segments(series, brks)
    if extra is not None and len(extra):
        for i, sg in enumerate(segments(extra, brks)):
            ax.plot(sg["year"], sg["share_pct"], "s--", color="#777777", lw=1.2, ms=4,
                    label=(extra_label if i == 0 else None))
    for i, sg in enumerate(segs):
        last = i == len(segs) - 1
        ax.plot(sg["year"], sg["share_pct"], "o-", color=colors[0] if last else colors[4], lw=1.8, ms=5,
                label=labels.get("observed", "gemeten aandeel") if last else
                (labels.get("earlier", "eerdere meetreeks") if i == len(segs) - 2 else None))
    years_all = list(series["year"]) + (list(extra["year"]) if extra is not None else [])
    lo_year, hi_year = min(years_all), max(max(years_all), target_year or 0)
    for b in brks:
        if lo_year < b.year <= max(years_all):
            ax.axvline(b.year - 0.5, color="#444444", ls=":", lw=1.2)
            if break_labels:
                ax.text(b.year - 0.45, 0.98, f"breuk {b.year}" + (f": {b.label}" if b.label else ""),
                        transform=ax.get_xaxis_transform(), rotation=90, va="top", ha="left",
                        fontsize=9.5, color="#444444")
    fitted = None
    seg = segs[-1]
    if fit and len(seg) >= MIN_POINTS:
        fitted = fit_trend(seg)
        end = max(int(seg["year"].max()), target_year or int(seg["year"].max()))
        xs = np.linspace(seg["year"].min(), int(seg["year"].max()), 50)
        ax.plot(xs, fitted.predict(xs), color=colors[1], lw=1.5, label=labels.get("trend", "trend"))
        if end > seg["year"].max():
            xf = np.linspace(int(seg["year"].max()), end, 50)
            lo, hi = fitted.prediction_interval(xf)
            ax.plot(xf, fitted.predict(xf), color=colors[1], lw=1.5, ls="--",
                    label=labels.get("projection", "projectie"))
            ax.fill_between(xf, lo, hi, color=colors[1], alpha=0.18, lw=0,
                            label=labels.get("fan", "95%-voorspellingsinterval"))
    if targets is None and target_pct is not None:
        targets = [{"pct": target_pct, "end": target_year if target_year is not None else hi_year}]
    drawn = 0
    for t in targets or []:
        if t.get("pct") is None or pd.isna(t["pct"]):
            continue
        x0 = lo_year if t.get("start") is None else max(lo_year, int(t["start"]))
        x1 = int(t["end"]) if t.get("end") is not None else hi_year
        if x1 < x0:  # a period before the axis (e.g. a 2015 target on a series from 2016)
            continue
        ax.hlines(float(t["pct"]), x0 - (0.4 if x0 == x1 else 0), x1, color=colors[5], lw=1.4, ls="-.",
                  label=labels.get("target", "streefcijfer") if drawn == 0 else None)
        drawn += 1
        if t.get("end") is not None:
            ax.plot([x1], [float(t["pct"])], marker="*", ms=12, color=colors[5], ls="none")
        if t.get("label"):
            ax.annotate(t["label"], (x0, float(t["pct"])), xytext=(0, 3), textcoords="offset points",
                        fontsize=8.5, color=colors[5], ha="left", va="bottom")
        hi_year = max(hi_year, x1)
    ax.set_xlim(lo_year - 0.6, hi_year + 0.6)
    ax.xaxis.set_major_locator(__import__("matplotlib").ticker.MaxNLocator(integer=True))
    lo, hi = ax.get_ylim()
    axis_format(ax, "y", "pct", 0 if hi - lo >= 6 else 1)
    return fitted


# --------------------------------------------------------------------------- whole-report helpers

def group_series(data: pd.DataFrame, group: str, *, up_to: int | None = None) -> pd.DataFrame:
    """One group's rows of a combined table (``group`` column), optionally up to a year."""
    s = data[data["group"] == group]
    if up_to is not None:
        s = s[s["year"] <= up_to]
    return s.sort_values("year").reset_index(drop=True)


def _target_list(targets: pd.DataFrame, as_of: int | None) -> list[tuple[Any, float, int, int]]:
    """(group, target_pct, target_year, horizon) of every target with a date and a figure."""
    out = []
    for _, t in targets.iterrows():
        if pd.isna(t["target_year"]) or pd.isna(t["target_pct"]):
            continue
        ty = int(t["target_year"])
        horizon = ty if as_of is None else min(int(as_of), ty)
        out.append((t["group"], float(t["target_pct"]), ty, horizon))
    return out


def _evaluate_many(tables: Sequence[Mapping[Any, _Arr]], targets: pd.DataFrame, breaks: Iterable[Any] = (),
                   as_of: int | None = None, data_end: int | None = None) -> list[list[dict[str, Any]]]:
    """:func:`evaluate_targets` rows for several tables (each ``{group: _Arr}`` from
    :func:`_split`), with every trend fitted in one :func:`_fit_many` call. ``data_end``: the
    last year of the data as a whole (the "now" when ``as_of`` is not given)."""
    now = as_of if as_of is not None else data_end
    tl = _target_list(targets, as_of)
    brks = as_breaks(breaks)
    bfor = {g: breaks_for(brks, g) for g in {t[0] for t in tl}}
    items = []  # (table index, target, last segment)
    for ti, table in enumerate(tables):
        for t in tl:
            a = table.get(t[0])
            if a is None:
                continue
            cut = int(np.searchsorted(a.year, t[3], side="right"))
            if cut == 0:
                continue
            items.append((ti, t, _last_segment_arr(a.head(cut), bfor[t[0]])))
    need = [i for i, it in enumerate(items) if len(it[2]) >= MIN_POINTS]
    fits: list[TrendFit | None] = [None] * len(items)
    for i, f in zip(need, _fit_many([items[i][2] for i in need])):
        fits[i] = f
    rows: list[list[dict[str, Any]]] = [[] for _ in tables]
    for (ti, (g, tp, ty, horizon), seg), fit in zip(items, fits):
        out = _assess_arr(seg, tp, ty, fit, now)
        method = ("glm_logit" if seg.has_counts() else "wls") if len(seg) >= MIN_POINTS else None
        passed = now is not None and int(now) >= ty
        outcome = None
        if passed:
            outcome = ("reached" if out["status"] == "reached" else
                       "not_reached" if out["last_year"] == ty else "no_figure_at_target_date")
        rows[ti].append(dict(group=g, target_pct=tp, target_year=ty, evaluated_at=horizon,
                             n_points=len(seg), method=method, **out, date_passed=passed, outcome=outcome))
    return rows


def evaluate_targets(data: pd.DataFrame, targets: pd.DataFrame, breaks: Iterable[Any] = (),
                     as_of: int | None = None, data_end: int | None = None) -> pd.DataFrame:
    """:func:`assess` for every target (row of :func:`read_targets`) with data and a date.

    Each target is judged on the figures up to ``min(as_of, target_year)``: a target whose date
    has passed is judged at its date (reached or not), a running one on the latest figures.
    Returns one row per target: ``group, target_pct, target_year, evaluated_at`` and
    :data:`ASSESS_KEYS` (plus ``n_points``, ``method``), ``date_passed`` (``as_of`` — or, without
    it, ``data_end``, default the last year in ``data`` — is at or after the target year; then
    ``required_pp_per_year`` is empty) and ``outcome`` (for a passed date: ``reached``,
    ``not_reached`` — measured in the target year — or ``no_figure_at_target_date``: the last
    figure is from an earlier year, so "not reached" is not measured; else empty)."""
    if data_end is None and len(data):
        data_end = int(pd.to_numeric(data["year"]).max())
    return pd.DataFrame(_evaluate_many([_split(data, ["group"])], targets, breaks, as_of, data_end)[0])


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


def current_position(data: pd.DataFrame, groups: Iterable[str], breaks: Iterable[Any] = ()) -> pd.DataFrame:
    """Per group: latest figure, the segment it belongs to and its trend (pp/year, 95% CI)."""
    table = _split(data, ["group"])
    brks = as_breaks(breaks)
    segs = [(g, _last_segment_arr(table[g], breaks_for(brks, g))) for g in groups if g in table]
    fitted = [sg for _, sg in segs if len(sg) >= MIN_POINTS]
    fits = iter(_fit_many(fitted))
    rows = []
    for g, seg in segs:
        r = dict(group=g, last_year=int(seg.year[-1]), last_share_pct=float(seg.share[-1]),
                 segment_start=int(seg.year[0]), n_points=len(seg),
                 trend_pp_per_year=None, trend_ci_low=None, trend_ci_high=None)
        if len(seg) >= MIN_POINTS:
            est, _, lo, hi = next(fits).slope()
            r.update(trend_pp_per_year=est, trend_ci_low=lo, trend_ci_high=hi)
        rows.append(r)
    return pd.DataFrame(rows)


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


def plot_panels(data: pd.DataFrame, panels: Sequence[Mapping[str, Any]], breaks: Iterable[Any] = (),
                ncols: int = 2, labels: Mapping[str, str] | None = None):
    """A grid of :func:`plot_group` panels. Each panel: ``{"group", "title", "target_pct",
    "target_year", "targets" (optional, each target over its own period, see :func:`plot_group`),
    "predecessor" (optional group under an old definition), "up_to"}``."""
    import matplotlib.pyplot as plt

    n = len(panels)
    nrows = max(1, math.ceil(n / ncols))
    fig, axes = plt.subplots(nrows, ncols, figsize=(6.2 * ncols, 3.9 * nrows), squeeze=False)
    for ax, p in zip(axes.flat, panels):
        g = p["group"]
        s = group_series(data, g, up_to=p.get("up_to"))
        pred = p.get("predecessor")
        extra = group_series(data, pred, up_to=p.get("up_to")) if pred else None
        brk = [b for b in as_breaks(breaks) if b.applies_to(g) or (pred and b.applies_to(pred))]
        plot_group(ax, s, brk, target_pct=p.get("target_pct"), target_year=p.get("target_year"),
                   extra=extra, extra_label=p.get("predecessor_label"), labels=labels, targets=p.get("targets"))
        ax.set_title(p.get("title", g), fontsize=13, loc="left")  # large enough on a phone (figure ~390 px wide)
        ax.set_xlabel("")
        ax.set_ylabel("aandeel van het personeel" if g not in ("women_top", "women_middle", "women_lower")
                      else "aandeel vrouwen", fontsize=11.5)
        ax.tick_params(labelsize=11)
    for ax in list(axes.flat)[n:]:
        ax.set_visible(False)
    handles, labs = [], []
    for ax in axes.flat:
        for h, lab in zip(*ax.get_legend_handles_labels()):
            if lab not in labs:
                handles.append(h)
                labs.append(lab)
    from evaluatie.publish.report import legend_below

    legend_below(fig, handles, labs, ncol=3, fontsize=11.5)
    return fig


def assess_entities(table: pd.DataFrame, targets: pd.DataFrame, breaks: Iterable[Any] = (),
                    as_of: int | None = None, by: str = "entity") -> pd.DataFrame:
    """:func:`evaluate_targets` per entity (or policy domain) on an aggregated microdata table
    (``evaluatie.analyses.targets.personnel.aggregate``: ``year, <by>, group, definition, numerator,
    denominator, share_pct``). Suppressed cells (missing numerator) are left out of the series:
    an entity is judged on its last figure that may be published, and "now" (``date_passed``) is
    the last year of the whole table, suppressed cells included.

    All entities are done together: the table is split into series once and every trend is
    fitted in one vectorised call (:func:`_fit_many`); the result is the one
    :func:`evaluate_targets` gives entity by entity."""
    cols = [by, "group", "year", "share_pct", "numerator", "denominator", "definition"]
    ok = pd.DataFrame({c: table[c] for c in cols if c in table})  # no attrs to copy along
    data_end = int(pd.to_numeric(ok["year"]).max()) if len(ok) else None  # suppressed years count
    ok = ok[ok["numerator"].notna()]
    ok["numerator"] = ok["numerator"].astype(float)
    ok["definition"] = ok["definition"].astype(object).where(ok["definition"].astype(str) != "", None)
    series = _split(ok, [by, "group"])
    keys = sorted({k[0] for k in series})
    tables: dict[Any, dict[Any, _Arr]] = {key: {} for key in keys}
    for (key, g), a in series.items():
        tables[key][g] = a
    rows = _evaluate_many([tables[key] for key in keys], targets, breaks, as_of, data_end)
    if not any(rows):
        return pd.DataFrame()
    return _stack_frames([(r, {by: key}) for key, r in zip(keys, rows) if r], first=by)


def _stack_frames(parts: Sequence[tuple[list[dict[str, Any]], dict[str, Any]]], first: str) -> pd.DataFrame:
    """``pd.concat([pd.DataFrame(rows).assign(**extra) for rows, extra in parts],
    ignore_index=True)`` with column ``first`` moved to the front — the same frame, dtypes
    included, built with one DataFrame per distinct value-type pattern instead of one per part.

    A part's column dtypes follow from the Python types present in each column (int, float,
    str, None, ...), and concat's dtypes from the set of the parts' dtypes; parts with the same
    type pattern are therefore built together and the rows put back in order afterwards."""
    cols = list(dict.fromkeys(c for rows, _ in parts for r in rows for c in r))
    groups: dict[tuple, list[int]] = {}
    for i, (rows, _) in enumerate(parts):
        sig = tuple((c, frozenset(type(r.get(c, _MISSING)) for r in rows)) for c in cols)
        groups.setdefault(sig, []).append(i)
    frames, order, pos = [], [], 0
    starts = np.cumsum([0] + [len(rows) for rows, _ in parts])
    for idx in groups.values():
        rows = [r for i in idx for r in parts[i][0]]
        f = pd.DataFrame(rows)
        for c in parts[idx[0]][1]:
            f[c] = [parts[i][1][c] for i in idx for _ in parts[i][0]]
        frames.append(f)
        order.extend(int(starts[i]) + j for i in idx for j in range(len(parts[i][0])))
    out = frames[0] if len(frames) == 1 else pd.concat(frames, ignore_index=True)
    out = out.take(np.argsort(np.asarray(order), kind="stable")).reset_index(drop=True)
    return out[[first] + [c for c in out.columns if c != first]]


_MISSING = object()


def entity_values(parameters: Mapping[str, Any]) -> list[str]:
    """The entities of a streefcijfers run, for ``evaluatie run streefcijfers --by entity``
    (declared in the notebook metadata): the ``entity`` column of the personnel file, or of the
    synthetic personnel data (same ``seed`` and ``scale``) when ``microdata`` is empty."""
    micro = parameters.get("microdata")
    col = dict(parameters.get("microdata_columns") or {}).get("entity", "entity")
    if micro is None:
        from evaluatie.simulate.personnel import simulate_personnel

        df = simulate_personnel(seed=int(parameters.get("seed", 20240101)),
                                scale=float(parameters.get("scale", 1.0)))
        return sorted(df["entity"].astype(str).unique())
    from evaluatie.core.paths import resolve

    path = resolve(micro)
    if path.suffix.lower() in (".parquet", ".pq"):
        df = pd.read_parquet(path, columns=[col])
    else:
        df = _read_any(path)
    return sorted(df[col].dropna().astype(str).str.strip().unique())


def read_growth_paths(path: str | Path, columns: Mapping[str, str] | None = None) -> pd.DataFrame:
    """A file of entity growth paths (business-plan interim targets): ``entity, group, year,
    rule`` with ``rule`` in the template's words ("Hoger of gelijk aan niveau jx-1",
    "Minstens 33%", "2,30%"; see :func:`parse_interim_target`). ``columns`` maps these names to
    the user's. Unreadable rules are reported together as one :class:`DataError`."""
    df = _read_any(Path(path))
    fname = df.attrs.get("source", {}).get("file", Path(path).name)
    m = {c: c for c in ("entity", "group", "year", "rule")}
    m.update(dict(columns or {}))
    missing = [m[c] for c in m if m[c] not in df.columns]
    if missing:
        raise DataError([Problem(fname, None, c, None, "een kolom met die naam") for c in missing])
    problems, rows = [], []
    for row, r in df.iterrows():
        try:
            parse_interim_target(r[m["rule"]])
        except ValueError:
            problems.append(Problem(fname, int(row), m["rule"], r[m["rule"]],
                                    "'Hoger of gelijk aan niveau jx-1', 'Minstens x%' of een percentage"))
            continue
        try:
            year = int(_num(r[m["year"]]))
        except (TypeError, ValueError):
            problems.append(Problem(fname, int(row), m["year"], r[m["year"]], "een jaartal"))
            continue
        rows.append({"entity": str(r[m["entity"]]).strip(), "group": str(r[m["group"]]).strip(),
                     "year": year, "rule": r[m["rule"]]})
    if problems:
        raise DataError(problems)
    return pd.DataFrame(rows, columns=["entity", "group", "year", "rule"])
