"""Trend fits within one segment: the quasi-binomial logit GLM and weighted least squares.

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
simulation in ``tests/test_targets.py`` (2,000+ series per model) for series whose yearly
deviations from the line are independent. That is the models' assumption: with autocorrelated
deviations (AR(1); yearly shares of a workforce are autocorrelated by nature) the intervals are too
narrow and ``p_reach`` too confident. They are not widened for it; the report states the
assumption with the coverage observed in the backtest (see :meth:`TrendFit.prediction_interval`).

Computation. Every trend of a table — all targets of all entities in
:func:`~evaluatie.analyses.targets.assessment.assess_entities`, all origins of all groups in
:func:`~evaluatie.analyses.targets.backtest.backtest_groups` — is fitted in one vectorised call
(``_fit_many``, public as :func:`fit_segments`: Newton/IRLS for the logit GLM, closed-form WLS,
grouped by model and number of points). Each series keeps
its own convergence test, so a fit in a batch is bit for bit the fit of that series alone, and
the results are identical to fitting series by series; ``tests/test_targets_vectorised.py``
checks this and compares every fit with statsmodels (``GLM(..., Binomial()).fit(scale="X2")``,
``WLS``) to 1e-8, including 3-point series, gaps in the years and separated series (no or only
successes: no finite coefficients; the fitted shares agree).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from typing import Sequence

import numpy as np
import pandas as pd
from scipy import stats
from scipy.special import expit, logit

from evaluatie.analyses.targets.segments import _Arr, _arrays

__all__ = ["MIN_POINTS", "LEVEL", "TrendFit", "fit_trend", "fit_trends", "fit_segments"]


MIN_POINTS = 3  # fewest points in a segment for a trend
LEVEL = 0.95

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
        """95% (``level``) interval for the share *observed* at ``year``.

        Assumption: the yearly deviations from the trend line are independent (white noise around
        the line, WLS; independent overdispersed binomial years, GLM). Yearly shares of a workforce
        are autocorrelated by nature (staff stay from one year to the next); with AR(1) deviations the
        interval covers less than ``level``, and less the further ahead (simulated with rho = 0.6:
        about 92% one year ahead, 83-88% three years ahead, for 5-8 points). The interval is not
        widened for it; the report's method section states the assumption with the coverage the
        backtest of the published series observed (:func:`~evaluatie.analyses.targets.narrative.method_text`)."""
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


def fit_segments(segments: Sequence[pd.DataFrame], level: float = LEVEL) -> list[TrendFit]:
    """:func:`fit_trend` for many segments (each >= 3 points, any years) in a few vectorised
    calls; each fit equals the one :func:`fit_trend` gives for that segment alone, bit for bit."""
    return _fit_many([_arrays(s) for s in segments], level)
