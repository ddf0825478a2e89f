"""The one registry of confidence-interval methods for proportions, binomial and design-based.

Every analysis takes its intervals for a proportion from here, by method name:

* **binomial** (``count`` successes of ``nobs`` independent trials), :func:`binomial_interval`:
  ``"wilson"`` (Wilson 1927, score interval) and ``"exact"`` (Clopper & Pearson 1934).
  Reference: statsmodels ``proportion_confint`` (methods ``"wilson"`` and ``"beta"``); the tests
  compare both.
* **design-based** (an estimate with its design standard error, design degrees of freedom and
  unweighted base), :func:`design_interval`: ``"logit"``, ``"wald"`` (R ``"mean"``), ``"wilson"``
  and ``"beta"`` (Korn & Graubard 1998), following R ``survey::svyciprop`` with three deliberate
  differences (also in :mod:`evaluatie.stats.survey` and every survey report's method section):

  1. ``"wald"`` is clipped to [0, 1]; R's ``"mean"`` can reach below 0 or above 1.
  2. For an estimate whose variance is 0 (a share of 0 or 1) R gives no interval; here every design
     method falls back to Clopper-Pearson on the unweighted base.
  3. ``"beta"`` takes ``n``, the unweighted base, from the caller: for a domain that is the domain's
     respondents, where R's ``svyciprop`` on a subset of a calibrated design uses the full sample's
     ``nrow`` (one limit differs by up to 11 % in the tests' cases).

  For a simple random sample (``se² = p(1−p)/n``, ``df = n − 1``) ``"beta"`` is exactly
  Clopper-Pearson.

:data:`REGISTRY` lists every method with its kind, its Dutch name for the methods section of a
report and its reference. All functions are vectorised and return ``(low, high)`` arrays.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np
from scipy import stats

__all__ = ["IntervalMethod", "REGISTRY", "methods", "binomial_interval", "design_interval", "gvf_se",
           "t_quantile"]


@dataclass(frozen=True)
class IntervalMethod:
    """One interval method: ``kind`` is ``"binomial"`` or ``"design"``; ``label_nl`` names it
    for a report's reader; ``reference`` is what the tests compare it with."""

    kind: str
    name: str
    label_nl: str
    reference: str
    compute: Callable[..., tuple[np.ndarray, np.ndarray]]


def _wilson_binomial(x, n, level):
    """Centre (x + z²/2)/(n + z²), half-width z/(n + z²)·sqrt(x(n−x)/n + z²/4). At x = 0 the
    lower limit is exactly 0 and at x = n the upper limit exactly 1 (the closed form; in floating
    point the difference of centre and half-width can come out as 1e-17, above the estimate)."""
    z = stats.norm.ppf(0.5 + level / 2)
    with np.errstate(invalid="ignore", divide="ignore"):
        centre = (x + z * z / 2) / (n + z * z)
        half = z / (n + z * z) * np.sqrt(np.maximum(x * (n - x), 0.0) / n + z * z / 4)
    lo = np.where(x <= 0, 0.0, np.clip(centre - half, 0.0, 1.0))
    hi = np.where(x >= n, 1.0, np.clip(centre + half, 0.0, 1.0))
    return lo, hi


def _exact_binomial(x, n, level):
    """Beta(α/2; x, n−x+1) and Beta(1−α/2; x+1, n−x); 0 when x = 0, 1 when x = n."""
    a = 1 - level
    with np.errstate(invalid="ignore", divide="ignore"):
        lo = np.where(x > 0, stats.beta.ppf(a / 2, np.maximum(x, 1e-300), n - x + 1), 0.0)
        hi = np.where(x < n, stats.beta.isf(a / 2, x + 1, np.maximum(n - x, 1e-300)), 1.0)
    return lo, hi


def t_quantile(level: float, df) -> np.ndarray:
    """The quantile for a two-sided interval at ``level``: Student's t with ``df`` degrees of
    freedom, the normal where ``df`` is infinite (vectorised)."""
    df = np.asarray(df, dtype=float)
    alpha = 1 - level
    return np.where(np.isfinite(df), stats.t.ppf(1 - alpha / 2, np.where(np.isfinite(df), df, 1)),
                    stats.norm.ppf(1 - alpha / 2))


def _design(method: str):
    def compute(p, se, df, n, level):
        alpha = 1 - level
        t = t_quantile(level, df)
        var = se ** 2
        with np.errstate(divide="ignore", invalid="ignore"):
            neff = p * (1 - p) / var
            if method == "wald":
                lo, hi = p - t * se, p + t * se
            elif method == "logit":
                eta = np.log(p / (1 - p))
                s = se / (p * (1 - p))
                lo, hi = 1 / (1 + np.exp(-(eta - t * s))), 1 / (1 + np.exp(-(eta + t * s)))
            elif method == "wilson":
                den = 1 + t * t / neff
                root = np.sqrt(4 * neff * p * (1 - p) + t * t)
                lo = (p + t * t / (2 * neff) - t / (2 * neff) * root) / den
                hi = (p + t * t / (2 * neff) + t / (2 * neff) * root) / den
            else:  # beta, Korn-Graubard as R (n: see difference 3 above): n_eff * (qt(a/2, n-1) / qt(a/2, df))^2
                ne = neff * (t_quantile(level, n - 1) / t) ** 2
                lo = stats.beta.ppf(alpha / 2, ne * p, ne * (1 - p) + 1)
                hi = stats.beta.ppf(1 - alpha / 2, ne * p + 1, ne * (1 - p))
            # degenerate estimates (0 or 1, variance 0): Clopper-Pearson on the unweighted base
            degenerate = ((p <= 0) | (p >= 1) | ~(var > 0)) & (n > 0) & np.isfinite(p)
            if degenerate.any():
                cp_lo, cp_hi = _exact_binomial(p * n, n, level)
                lo = np.where(degenerate, cp_lo, lo)
                hi = np.where(degenerate, cp_hi, hi)
        return np.clip(lo, 0.0, 1.0), np.clip(hi, 0.0, 1.0)

    return compute


#: Every interval method for a proportion, keyed by ``(kind, name)``.
REGISTRY: dict[tuple[str, str], IntervalMethod] = {
    (m.kind, m.name): m for m in [
        IntervalMethod("binomial", "wilson", "Wilson", "statsmodels proportion_confint(method='wilson')",
                       _wilson_binomial),
        IntervalMethod("binomial", "exact", "exact (Clopper-Pearson)",
                       "statsmodels proportion_confint(method='beta')", _exact_binomial),
        IntervalMethod("design", "logit", "logit-interval", "R survey::svyciprop(method='logit')",
                       _design("logit")),
        IntervalMethod("design", "beta", "Korn-Graubard", "R survey::svyciprop(method='beta')",
                       _design("beta")),
        IntervalMethod("design", "wilson", "Wilson (met effectieve steekproefgrootte)",
                       "R survey::svyciprop(method='wilson')", _design("wilson")),
        IntervalMethod("design", "wald", "Wald", "R survey::svyciprop(method='mean')", _design("wald")),
    ]
}


def methods(kind: str) -> tuple[str, ...]:
    """The method names of one kind (``"binomial"`` or ``"design"``), in registry order."""
    return tuple(name for (k, name) in REGISTRY if k == kind)


def _method(kind: str, method: str) -> IntervalMethod:
    try:
        return REGISTRY[(kind, method)]
    except KeyError:
        raise ValueError(f"{kind} interval method must be one of {methods(kind)}, not {method!r}") from None


def binomial_interval(count, nobs, method: str = "wilson", level: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """Interval for ``count`` successes in ``nobs`` trials (arrays broadcast) with a binomial
    method from :data:`REGISTRY`; ``nobs = 0`` gives NaN."""
    m = _method("binomial", method)
    x, n = np.broadcast_arrays(np.asarray(count, dtype=float), np.asarray(nobs, dtype=float))
    lo, hi = m.compute(x, n, level)
    empty = ~(n > 0)
    return np.where(empty, np.nan, lo), np.where(empty, np.nan, hi)


def design_interval(estimate, se, df, n, method: str = "logit", level: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """Interval for a design-based proportion: ``estimate``, its standard error ``se``, the design
    degrees of freedom ``df`` (``inf`` for the normal quantile) and the unweighted base ``n``,
    broadcast, with a design method from :data:`REGISTRY`."""
    m = _method("design", method)
    p, se, df, n = np.broadcast_arrays(*(np.asarray(a, dtype=float) for a in (estimate, se, df, n)))
    return m.compute(p, se, df, n, level)


def gvf_se(estimate, n, deff) -> np.ndarray:
    """The standard error of a proportion from a generalised variance function: ``sqrt(deff p (1 - p)
    / n)`` for the estimate ``p`` on the unweighted base ``n`` with one design effect ``deff``
    (Wolter 2007, ch. 7); missing where ``n`` is not above 0. Broadcast, vectorised."""
    p, n, d = np.broadcast_arrays(*(np.asarray(a, dtype=float) for a in (estimate, n, deff)))
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(n > 0, np.sqrt(d * p * (1.0 - p) / n), np.nan)
