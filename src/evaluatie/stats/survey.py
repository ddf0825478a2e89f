"""Design-based estimation for survey data, modelled on R ``survey`` (T. Lumley).

One design object, many estimators; every estimator returns a :class:`pandas.DataFrame` with at
least ``estimate``, ``se``, ``ci_low`` and ``ci_high`` (one row per variable or level)::

    d = SurveyDesign(df, weights="pw", strata="stype", fpc="fpc")
    d.mean("api00")                      # R: svymean(~api00, dstrat)
    d.proportion("sch.wide", ci="beta")  # R: svyciprop(~I(sch.wide=="Yes"), dstrat, method="beta")
    d.by("stype").proportion("awards")   # R: svyby(~awards, ~stype, dstrat, svymean)
    d.chisq("sch.wide", "stype")         # R: svychisq(~sch.wide+stype, dstrat)
    r = d.rake({"stype": {...}, "sch.wide": {...}})   # R: rake(dstrat, list(~stype, ~sch.wide), ...)

Supported designs: one-stage (stratified) cluster or element sampling, with or without
replacement. ``fpc`` is, as in R, the population size per stratum (number of population PSUs)
or, when all values are <= 1, the sampling fraction. Without ``fpc`` sampling is treated as with
replacement (no finite-population correction).

Variance (R ``svyrecvar``/``onestrat``): Taylor linearisation. Each estimator's influence values
``z_i`` (e.g. ``w_i (y_i - ybar) / sum(w)`` for a mean) are, after removing calibration
residuals, summed per PSU; per stratum ``h`` the PSU totals are centred on their stratum mean and

    var = sum_h (1 - n_h/N_h) n_h/(n_h - 1) sum_c (z_hc - zbar_h)^2.

Calibration (``poststratify``, ``rake``) returns a new design whose variances are computed from
the residuals of the calibration, exactly as R does (``svyrecvar``): for post-stratification
``z_i - w_i * sum_g(z old_w / w) / sum_g(old_w)`` within post-stratum ``g``; for raking ten sweeps
over the margins of ``z_i - w_i^(m) * mean_g(z / w^(m))`` with the weights ``w^(m)`` after each
margin's step in the last raking iteration. These projections are linear in ``z``; they are
computed here by accumulating the per-group constants (a few small matrices) instead of
sweeping the full data ten times, which gives the same numbers.

Domains (``by``) are estimated as R ``svyby`` does for design objects: the data outside the
domain get zero influence, the design (strata, PSUs, ``n_h``) stays the full design; the
design degrees of freedom of a domain are its PSUs minus its strata (R ``degf`` of the subset).

Intervals: ``mean`` and ``total`` are ``estimate +/- t(df) * se``. Proportion intervals come
from the interval registry, :func:`evaluatie.stats.intervals.design_interval` (its design
methods, ``methods("design")``): ``"wald"`` is ``estimate +/- t(df) * se``; ``"logit"`` is the
Wald interval on the log-odds scale (R ``svyciprop(method="logit")``: intercept-only
quasi-binomial ``svyglm``, whose standard error is ``se / (p (1 - p))``) with a t quantile on
the design df; ``"wilson"`` is the Wilson score interval with the effective sample size
``p (1 - p) / var`` and a t quantile (R ``method="wilson"``); ``"beta"`` is Korn & Graubard (1998):
Clopper-Pearson with the effective sample size, itself scaled by ``(t(n-1)/t(df))^2`` (R
``method="beta"``). When an estimate is exactly 0 or 1 the variance is 0 and R gives no
interval; here every method then falls back to Clopper-Pearson on the unweighted base ``n``
(documented deviation). Proportion intervals are clipped to [0, 1] (R does not clip the Wald
interval). Raking iterates to a tight tolerance by default (R's default is ``epsilon=1``
weighted unit, ``maxit=10``; R's own check ``tests/rakecheck.R`` uses 1e-10 as here).

Speed: for element designs (no clusters) proportions are computed without forming the influence
matrix: every stratum sum of the calibration residuals and of their squares is a combination of
weighted cross-tabulations (``np.bincount``) of domain x level x stratum x calibration group, so
the cost is a few passes over the data per variable, whatever the number of domains.

References: Lumley T. (2004) Analysis of complex survey samples, J Stat Softw 9(8); Lumley (2010)
Complex Surveys, Wiley; Rao & Scott (1984) Ann Stat 12:46-60; Korn & Graubard (1998) Survey
Methodology 24:193-201. Reference tests: ``tests/test_survey.py`` (R survey's documented output
for the ``api`` data), ``tests/test_survey_r.py`` (live R, where installed),
``tests/test_survey_closed.py`` (closed forms) and ``tests/test_survey_coverage.py`` (coverage
simulation).

What one analysis builds on these estimates (the weighting table, breakdown tables, checks of
published claims, Likert summaries) lives with that analysis, e.g. :mod:`evaluatie.analyses.survey`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping, Sequence

import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy import stats

from evaluatie.core.errors import DataError, Problem, private
from evaluatie.core.numbers import parse_numbers
from evaluatie.stats.intervals import design_interval, methods, t_quantile

__all__ = ["SurveyDesign", "DomainDesign", "frame_margins"]

_CHUNK = 4_000_000  # influence-matrix elements per block (memory bound)


# --------------------------------------------------------------------------- intervals

def _check_ci(ci: str) -> None:
    """Refuse an unknown interval method before any estimate is computed."""
    if ci not in methods("design"):
        raise ValueError(f"ci must be one of {methods('design')}, not {ci!r}")


# --------------------------------------------------------------------------- calibration steps

@dataclass
class _Margin:
    """One linear projection of the calibration residuals: ``x -= B (A x)`` with
    ``A[g, i] = a_i 1[g_i = g]`` and ``B[i, g] = b_i 1[g_i = g]``."""

    codes: np.ndarray  # int group code per row
    ngroups: int
    a: np.ndarray
    b: np.ndarray


@dataclass
class _CalStep:
    kind: str  # "post" or "rake"
    margins: list[_Margin]
    sweeps: int = 1


def _codes(values: pd.Series, file: str | None, column: str) -> tuple[np.ndarray, list]:
    if values.isna().any():
        rows = values.index[values.isna()][:20]
        raise DataError([Problem(file, int(r) if isinstance(r, (int, np.integer)) else None, column, None,
                                 "een waarde (kalibratie- of designvariabele mag niet leeg zijn)")
                         for r in rows])
    cat = values.astype("category")
    return cat.cat.codes.to_numpy().astype(np.int64), list(cat.cat.categories)


def _population_series(var: str, counts) -> pd.Series:
    """Population counts as a Series indexed by level: dict, Series, or DataFrame with ``var``
    and a count column (``Freq`` as in R, or ``count``/``n``/the only other column)."""
    if isinstance(counts, pd.DataFrame):
        other = [c for c in counts.columns if c != var]
        col = next((c for c in ("Freq", "count", "n", "N") if c in other), other[0] if len(other) == 1 else None)
        if var not in counts.columns or col is None:
            raise ValueError(f"population table for {var!r} needs columns {var!r} and Freq")
        s = pd.Series(counts[col].to_numpy(dtype=float), index=counts[var].to_numpy())
    elif isinstance(counts, pd.Series):
        s = counts.astype(float)
    elif isinstance(counts, Mapping):
        s = pd.Series({k: float(v) for k, v in counts.items()})
    else:
        raise TypeError("population counts must be a dict, Series or DataFrame")
    s.index = [str(i) for i in s.index]
    return s


# --------------------------------------------------------------------------- the design

class SurveyDesign:
    """A survey design: data with weights, strata, one-stage clusters and a finite-population
    correction, as ``svydesign(id=~cluster, strata=~strata, weights=~weights, fpc=~fpc)`` in R.

    Parameters
    ----------
    data : DataFrame, one row per respondent.
    weights : column with sampling weights (inverse inclusion probabilities). Default: from
        ``fpc`` (N_h / n_h), else 1 for everyone (R warns "assuming equal probability").
    strata : column with the sampling stratum (optional).
    cluster : column with the primary sampling unit (optional; default each row is a PSU).
    fpc : column with the population size per stratum (number of PSUs in the population), or
        the sampling fraction if all values are <= 1. Without it: with-replacement variance.
    lonely_psu : ``"fail"`` (R's default) or ``"certainty"`` (a stratum with one PSU adds 0).
    file : name of the input file, for error messages.
    """

    def __init__(self, data: pd.DataFrame, weights: str | None = None, strata: str | None = None,
                 cluster: str | None = None, fpc: str | None = None, *,
                 lonely_psu: str = "fail", file: str | None = None):
        if lonely_psu not in ("fail", "certainty"):
            raise ValueError("lonely_psu must be 'fail' or 'certainty'")
        self.data = data
        self.file = file or (data.attrs.get("source", {}) or {}).get("file")
        self.spec = {"weights": weights, "strata": strata, "cluster": cluster, "fpc": fpc}
        self.lonely_psu = lonely_psu
        n = len(data)
        if n == 0:
            raise DataError("het bestand bevat geen rijen", file=self.file)
        for role, col in self.spec.items():
            if col is not None and col not in data.columns:
                raise DataError([Problem(self.file, None, col, None, f"een kolom '{col}' ({role})")])

        self._strata_codes, self.strata_levels = (
            _codes(data[strata], self.file, strata) if strata else (np.zeros(n, np.int64), ["(alle)"]))
        if cluster:
            ccodes, _ = _codes(data[cluster], self.file, cluster)
            # PSUs are nested in strata (R's nest=TRUE semantics for the design variance)
            key = self._strata_codes * (ccodes.max() + 1) + ccodes
            self._psu = pd.factorize(key)[0].astype(np.int64)
        else:
            self._psu = np.arange(n, dtype=np.int64)
        self.n_psu = int(self._psu.max()) + 1
        self.n_strata = len(self.strata_levels)
        psu_stratum = np.zeros(self.n_psu, np.int64)
        psu_stratum[self._psu] = self._strata_codes
        self._psu_stratum = psu_stratum
        self._n_h = np.bincount(psu_stratum, minlength=self.n_strata).astype(float)

        # finite population correction per stratum
        self._f_h = np.ones(self.n_strata)
        popsize_h = None
        if fpc:
            v = pd.to_numeric(data[fpc], errors="coerce")
            bad = v.isna() | (v <= 0)
            if bad.any():
                raise DataError([Problem(self.file, _row(r), fpc, data[fpc].loc[r],
                                         "een positief getal (populatiegrootte per stratum)")
                                 for r in v.index[bad][:20]])
            per = pd.Series(v.to_numpy()).groupby(self._strata_codes).agg(["min", "max"])
            if (per["max"] - per["min"] > 1e-9 * per["max"]).any():
                raise DataError(f"kolom '{fpc}' moet binnen elk stratum dezelfde waarde hebben",
                                file=self.file)
            vals = per["min"].reindex(range(self.n_strata)).to_numpy(dtype=float)
            if np.all(vals <= 1):
                popsize_h = self._n_h / vals
            else:
                popsize_h = vals
            if np.any(popsize_h < self._n_h - 1e-9):
                raise DataError(f"kolom '{fpc}': populatiegrootte kleiner dan het aantal getrokken eenheden",
                                file=self.file)
            self._f_h = (popsize_h - self._n_h) / popsize_h
        self._popsize_h = popsize_h

        if weights:
            w = pd.to_numeric(data[weights], errors="coerce")
            bad = w.isna() | (w < 0)
            if bad.any():
                raise DataError([Problem(self.file, _row(r), weights, data[weights].loc[r],
                                         "een gewicht >= 0") for r in w.index[bad][:20]])
            self._w = w.to_numpy(dtype=float)
        elif popsize_h is not None:
            self._w = (popsize_h / self._n_h)[self._strata_codes]
        else:
            self._w = np.ones(n)
        self._cal: list[_CalStep] = []
        self._ops_cache = None
        self._fast_cache = None
        self._cat_cache: dict[str, tuple[np.ndarray, list]] = {}
        self._check_lonely()

    # ------------------------------------------------------------------ basic properties
    @property
    def n(self) -> int:
        return len(self.data)

    @property
    def weights(self) -> pd.Series:
        """Final (calibrated) weights, indexed like the data."""
        return pd.Series(self._w, index=self.data.index, name="weight")

    @property
    def df(self) -> int:
        """Design degrees of freedom: PSUs minus strata (R ``degf``)."""
        return self._domain_df(self._w != 0)

    def _domain_df(self, mask: np.ndarray) -> int:
        psus = np.unique(self._psu[mask])
        return int(len(psus) - len(np.unique(self._psu_stratum[psus])))

    def _check_lonely(self):
        lonely = np.flatnonzero(self._n_h == 1)
        if len(lonely) and self.lonely_psu == "fail":
            if len(self._n_h) == 1:  # no strata: one respondent (or cluster) in all
                raise DataError("minstens twee respondenten (primaire eenheden): met maar één primaire eenheid "
                                "is de variantie niet te schatten", file=self.file)
            names = ", ".join(str(self.strata_levels[h]) for h in lonely[:10])
            raise DataError(f"stratum {private(names)} heeft maar één primaire eenheid (PSU): variantie niet "
                            "te schatten (kies lonely_psu='certainty' of voeg strata samen)", file=self.file)

    def _copy(self) -> "SurveyDesign":
        new = object.__new__(SurveyDesign)
        new.__dict__.update(self.__dict__)
        new._cal = list(self._cal)
        new._ops_cache = None
        new._fast_cache = None
        return new

    # ------------------------------------------------------------------ variance engine
    def _ops(self):
        """Precomputed calibration-residual operator (A, B, K, sweep order) and PSU/stratum maps."""
        if self._ops_cache is not None:
            return self._ops_cache
        n = self.n
        margins: list[_Margin] = []
        order: list[int] = []
        for step in self._cal:
            start = len(margins)
            margins.extend(step.margins)
            idx = list(range(start, len(margins)))
            order.extend(idx * step.sweeps)
        A = B = K = None
        offsets = []
        if margins:
            rows, av, bv = [], [], []
            off = 0
            for m in margins:
                offsets.append((off, off + m.ngroups))
                rows.append(m.codes + off)
                av.append(m.a)
                bv.append(m.b)
                off += m.ngroups
            gi = np.concatenate(rows)
            ri = np.tile(np.arange(n), len(margins))
            A = sp.csr_matrix((np.concatenate(av), (gi, ri)), shape=(off, n))
            B = sp.csr_matrix((np.concatenate(bv), (ri, gi)), shape=(n, off))
            K = (A @ B).toarray()
        S = None
        if self.n_psu != n or np.any(self._psu != np.arange(n)):
            S = sp.csr_matrix((np.ones(n), (self._psu, np.arange(n))), shape=(self.n_psu, n))
        H = sp.csr_matrix((np.ones(self.n_psu), (self._psu_stratum, np.arange(self.n_psu))),
                          shape=(self.n_strata, self.n_psu))
        self._ops_cache = (A, B, K, offsets, order, S, H)
        return self._ops_cache

    def _residuals(self, Z: np.ndarray) -> np.ndarray:
        A, B, K, offsets, order, _, _ = self._ops()
        if A is None:
            return Z
        a = A @ Z
        C = np.zeros_like(a)
        for j in order:
            lo, hi = offsets[j]
            C[lo:hi] += a[lo:hi] - K[lo:hi] @ C
        return Z - B @ C

    def _variance(self, Z: np.ndarray, full: bool = False) -> np.ndarray:
        """Linearisation variance of the totals of the influence columns ``Z`` (n x m):
        the diagonal, or the full covariance matrix when ``full``."""
        _, _, _, _, _, S, H = self._ops()
        R = self._residuals(Z)
        if S is not None:
            R = S @ R
        n_h = self._n_h
        with np.errstate(divide="ignore", invalid="ignore"):
            scale = np.where(n_h > 1, self._f_h * n_h / (n_h - 1), 0.0)
        if full:
            means = (H @ R) / n_h[:, None]
            Rc = (R - means[self._psu_stratum]) * np.sqrt(scale)[self._psu_stratum][:, None]
            return Rc.T @ Rc
        s1 = H @ R
        s2 = H @ (R * R)
        per = s2 - s1 * s1 / n_h[:, None]
        return np.maximum(scale @ per, 0.0)

    # ------------------------------------------------------------------ variable helpers
    def _numeric(self, var: str) -> np.ndarray:
        if var not in self.data.columns:
            raise KeyError(f"variable {var!r} not in the data")
        s = self.data[var]
        if s.dtype == bool:
            return s.to_numpy(dtype=float)
        v = pd.to_numeric(s, errors="coerce")
        bad = v.isna() & s.notna()
        if bad.any():
            raise DataError([Problem(self.file, _row(r), var, s.loc[r], "een getal") for r in s.index[bad][:20]])
        return v.to_numpy(dtype=float)

    def _categorical(self, var: str) -> tuple[np.ndarray, list]:
        if var in self._cat_cache:
            return self._cat_cache[var]
        if var not in self.data.columns:
            raise KeyError(f"variable {var!r} not in the data")
        s = self.data[var]
        if isinstance(s.dtype, pd.CategoricalDtype):
            cats = list(s.cat.categories)
            codes = s.cat.codes.to_numpy().astype(np.int64)
        else:
            codes, uniq = pd.factorize(s, sort=True)
            cats = list(uniq)
            codes = codes.astype(np.int64)
        self._cat_cache[var] = (codes, cats)
        return codes, cats  # -1 = missing

    # ------------------------------------------------------------------ domain machinery
    def _domains(self, by: Sequence[str] | None):
        """Domain code per row (-1 = not in any domain) and a frame of domain labels."""
        if not by:
            return np.zeros(self.n, np.int64), None
        # the data never change under a design (calibration only changes the weights): domain
        # codes and labels are computed once per ``by`` and shared by every estimate, like the
        # category codes of ``_categorical``
        cache = self.__dict__.setdefault("_dom_cache", {})
        key = tuple(by)
        if key not in cache:
            cache[key] = self._domains_uncached(by)
        return cache[key]

    def _domains_uncached(self, by: Sequence[str]):
        frame = self.data[list(by)]
        missing = frame.isna().any(axis=1).to_numpy()
        codes_list, labels_list = [], []
        for c in by:
            codes, cats = self._categorical(c)
            codes_list.append(codes)
            labels_list.append(cats)
        key = np.zeros(self.n, np.int64)
        for codes, cats in zip(codes_list, labels_list):
            key = key * (len(cats) + 1) + np.where(codes < 0, 0, codes)
        key = np.where(missing, -1, key)
        present = np.unique(key[key >= 0])
        dom = np.searchsorted(present, key)
        dom = np.where(key < 0, -1, dom)
        rows = []
        for k in present:
            vals = []
            rest = int(k)
            for codes, cats in reversed(list(zip(codes_list, labels_list))):
                vals.append(cats[rest % (len(cats) + 1)])
                rest //= len(cats) + 1
            rows.append(list(reversed(vals)))
        labels = pd.DataFrame(rows, columns=list(by))
        return dom.astype(np.int64), labels

    def _estimate(self, kind: str, variables: Sequence[str], by: Sequence[str] | None,
                  ci: str, level: float, select=None, df: float | None = None) -> pd.DataFrame:
        dom, labels = self._domains(by)
        ndom = 1 if labels is None else len(labels)
        w = self._w
        out = []
        ctx: dict = {}  # item-independent sums, reused while every row is in the base
        for var in variables:
            if kind == "proportion":
                codes, cats = self._categorical(var)
                if select is not None:
                    sel = list(select) if isinstance(select, (list, tuple, set)) else [select]
                    unknown = [s for s in sel if s not in cats]
                    if unknown and isinstance(self.data[var].dtype, pd.CategoricalDtype):
                        raise ValueError(f"level(s) {unknown} not among the categories of {var!r}")
                    hit = np.isin(np.asarray(cats, dtype=object), np.asarray(sel, dtype=object))
                    # a column without any value has no categories: every row is outside the base
                    hit_row = hit[np.maximum(codes, 0)] if len(hit) else np.zeros(len(codes), dtype=bool)
                    ind = np.where(codes < 0, -1, np.where(hit_row, 0, 1))
                    codes, cats = ind, ["+".join(map(str, sel))]
                    K_use = 1
                else:
                    K_use = len(cats)
                ok = codes >= 0
            else:
                y = self._numeric(var)
                ok = ~np.isnan(y)
                K_use, cats = 1, [None]
            base = ok & (dom >= 0) & (w > 0)
            dcode = np.where(base, dom, 0)
            wb = np.where(base, w, 0.0)
            N_d = np.bincount(dcode, weights=wb, minlength=ndom)
            n_d = np.bincount(dcode, weights=base.astype(float), minlength=ndom)
            if kind == "proportion":
                cell = np.where(base & (codes < K_use), dcode * K_use + np.clip(codes, 0, K_use - 1), -1)
                T = np.bincount(np.where(cell >= 0, cell, 0), weights=np.where(cell >= 0, wb, 0.0),
                                minlength=ndom * K_use).reshape(ndom, K_use)
                cnt = np.bincount(np.where(cell >= 0, cell, 0), weights=(cell >= 0).astype(float),
                                  minlength=ndom * K_use).reshape(ndom, K_use)
                with np.errstate(invalid="ignore", divide="ignore"):
                    est = T / N_d[:, None]
            else:
                yb = np.where(base, y, 0.0)
                T = np.bincount(dcode, weights=wb * yb, minlength=ndom)[:, None]
                cnt = n_d[:, None]
                with np.errstate(invalid="ignore", divide="ignore"):
                    est = T if kind == "total" else T / N_d[:, None]
            m = ndom * K_use
            if kind == "proportion" and self._element_psus():
                var_out = self._fast_proportion_variance(codes, K_use, dom, ndom, base, est, N_d, ctx).ravel()
            else:
                var_out = np.empty(m)
                cols_per_block = max(1, _CHUNK // max(self.n, 1))
                idx = np.flatnonzero(base)
                di = dom[idx]
                with np.errstate(invalid="ignore", divide="ignore"):
                    scale_i = np.where(N_d[di] > 0, w[idx] / N_d[di], 0.0)
                # influence columns, ordered (domain, level); built in blocks to bound memory
                for start in range(0, m, cols_per_block):
                    stop = min(m, start + cols_per_block)
                    Z = np.zeros((self.n, stop - start))
                    for k in range(K_use):
                        col = di * K_use + k - start
                        ok_c = (col >= 0) & (col < stop - start)
                        if kind == "proportion":
                            val = scale_i * ((codes[idx] == k) - est[di, k])
                        elif kind == "mean":
                            val = scale_i * (y[idx] - est[di, 0])
                        else:
                            val = w[idx] * y[idx]
                        Z[idx[ok_c], col[ok_c]] = val[ok_c]
                    var_out[start:stop] = self._variance(Z)
            se = np.sqrt(var_out).reshape(ndom, K_use)
            if df is not None:
                dfs = np.full(ndom, float(df))
            else:
                # R: degf of the subset design (PSUs with an answer minus their strata)
                if base.all():
                    if "df_full" not in ctx:
                        ctx["df_full"] = self._domains_df(base, dom, ndom)
                    dfs = ctx["df_full"]
                else:
                    dfs = self._domains_df(base, dom, ndom)
            block = {}
            if labels is not None:
                for c in labels.columns:
                    block[c] = np.repeat(labels[c].to_numpy(dtype=object), K_use)
            block["variable"] = np.full(ndom * K_use, var, dtype=object)
            if kind == "proportion":
                block["level"] = np.tile(np.asarray(cats, dtype=object), ndom)
            block.update(estimate=est.ravel().astype(float), se=se.ravel(), df=np.repeat(dfs, K_use),
                         n=np.repeat(n_d.astype(np.int64), K_use))
            if kind == "proportion":
                block["n_level"] = cnt.ravel().astype(np.int64)
            out.append(block)
        if not out or sum(len(b["variable"]) for b in out) == 0:
            return pd.concat([pd.DataFrame(b) for b in out], ignore_index=True) if out else pd.DataFrame()
        # one frame from the concatenated columns (not a frame per variable and a concat): the
        # same values and dtypes (object columns are inferred once, over all variables)
        cols = {c: np.concatenate([b[c] for b in out]) for c in out[0]}
        if kind == "proportion":
            lo, hi = design_interval(cols["estimate"], cols["se"], cols["df"], cols["n"], ci, level)
        else:
            t = t_quantile(level, cols["df"])
            lo, hi = cols["estimate"] - t * cols["se"], cols["estimate"] + t * cols["se"]
        lead = list(by or []) + ["variable"] + (["level"] if kind == "proportion" else [])
        res = pd.DataFrame({**{c: cols[c] for c in lead}, "estimate": cols["estimate"], "se": cols["se"],
                            "ci_low": lo, "ci_high": hi, "df": cols["df"], "n": cols["n"],
                            **({"n_level": cols["n_level"]} if kind == "proportion" else {})})
        if kind == "proportion":
            res["method"] = ci
        return res

    def _element_psus(self) -> bool:
        """True when every row is its own PSU (no cluster variable)."""
        return self._ops()[5] is None

    def _domains_df(self, base: np.ndarray, dom: np.ndarray, ndom: int) -> np.ndarray:
        """Design df per domain: PSUs with a member in the base minus the strata they are in."""
        H = self.n_strata
        d = dom[base]
        strata_present = np.bincount(d * H + self._strata_codes[base], minlength=ndom * H).reshape(ndom, H) > 0
        if self._element_psus():
            n_psu = np.bincount(d, minlength=ndom)
        else:
            pairs = np.unique(d.astype(np.int64) * self.n_psu + self._psu[base])
            n_psu = np.bincount(pairs // self.n_psu, minlength=ndom)
        return (n_psu - strata_present.sum(axis=1)).astype(float)

    def _fast_proportion_variance(self, codes, K, dom, ndom, base, est, N_d, ctx=None) -> np.ndarray:
        """Variance of domain proportions for element designs without forming the influence matrix.

        Same quantity as :meth:`_variance` on the columns ``z = w (1[y=k] - p_dk) / N_d`` in domain
        ``d``: with the calibration residual ``r = z - B c`` (``c`` from the small linear
        recursion on ``A z``), every stratum sum ``sum r`` and ``sum r^2`` is a combination of
        weighted cross-tabulations of (domain, level, stratum, calibration group), computed with
        ``np.bincount``. Checked against the matrix route in ``tests/test_survey_closed.py``."""
        A, B, Kmat, offsets, order, _, _ = self._ops()
        H = self.n_strata
        full = bool(base.all())
        take = (lambda x: x) if full else (lambda x, i=np.flatnonzero(base): x[i])
        dd, kk, hh = take(dom), take(codes), take(self._strata_codes)
        ww = take(self._w)
        m = ndom * K
        p = np.nan_to_num(est)  # (ndom, K)
        with np.errstate(divide="ignore", invalid="ignore"):
            invN = np.where(N_d > 0, 1.0 / N_d, 0.0)
        inlev = kk < K  # with a selection of levels, code K marks "not selected"
        dk = dd * K + np.minimum(kk, K - 1)
        cell = dk * H + hh
        cache = ctx if (ctx is not None and full) else {}
        if "dh" not in cache:
            cache["dh"] = dd * H + hh
            cache["W"] = np.bincount(cache["dh"], ww, minlength=ndom * H).reshape(ndom, 1, H)
            cache["W2"] = np.bincount(cache["dh"], ww * ww, minlength=ndom * H).reshape(ndom, 1, H)
            cache["ww2"] = ww * ww
        dh, W, W2 = cache["dh"], cache["W"], cache["W2"]
        all_in = bool(inlev.all())
        wl = ww if all_in else np.where(inlev, ww, 0.0)
        T = np.bincount(cell, wl, minlength=m * H).reshape(ndom, K, H)
        T2 = np.bincount(cell, cache["ww2"] if all_in else wl * ww, minlength=m * H).reshape(ndom, K, H)
        pp = p[:, :, None]
        s_h = ((T - pp * W) * invN[:, None, None]).reshape(m, H).T  # (H, m)
        q_h = (((1 - 2 * pp) * T2 + pp * pp * W2) * (invN ** 2)[:, None, None]).reshape(m, H).T
        n_h = self._n_h
        with np.errstate(divide="ignore", invalid="ignore"):
            scale = np.where(n_h > 1, self._f_h * n_h / (n_h - 1), 0.0)
        if A is None:
            per = q_h - s_h * s_h / n_h[:, None]
            return np.maximum(scale @ per, 0.0).reshape(ndom, K)
        fast = self._fast_ops()
        Gtot = Kmat.shape[0]
        a = np.zeros((Gtot, m))
        b = np.zeros((H, Gtot, m))
        for j, (lo, hi) in enumerate(offsets):
            G = hi - lo
            g = take(fast["codes"][j])
            wa = take(fast["wa"][j])
            wb = take(fast["wb"][j])
            Aw = np.bincount(dk * G + g, wa if all_in else np.where(inlev, wa, 0.0), minlength=m * G).reshape(ndom, K, G)
            if ("Aw_tot", j) not in cache:
                cache[("Aw_tot", j)] = np.bincount(dd * G + g, wa, minlength=ndom * G).reshape(ndom, 1, G)
                cache[("Bw_tot", j)] = np.bincount(dh * G + g, wb, minlength=ndom * H * G).reshape(ndom, 1, H, G)
            Aw_tot, Bw_tot = cache[("Aw_tot", j)], cache[("Bw_tot", j)]
            aj = (Aw - p[:, :, None] * Aw_tot) * invN[:, None, None]
            a[lo:hi] = aj.reshape(m, G).T
            Bw = np.bincount(cell * G + g, wb if all_in else np.where(inlev, wb, 0.0), minlength=m * H * G).reshape(ndom, K, H, G)
            bj = (Bw - p[:, :, None, None] * Bw_tot) * invN[:, None, None, None]
            b[:, lo:hi, :] = bj.reshape(m, H, G).transpose(1, 2, 0)
        C = np.zeros_like(a)
        for j in order:
            lo, hi = offsets[j]
            C[lo:hi] += a[lo:hi] - Kmat[lo:hi] @ C
        cross = np.einsum("hgm,gm->hm", b, C)
        quad = np.einsum("hfm,fm->hm", np.einsum("hgf,gm->hfm", fast["Q"], C), C)
        rsum = s_h - fast["U"] @ C
        rsq = q_h - 2 * cross + quad
        per = rsq - rsum * rsum / n_h[:, None]
        return np.maximum(scale @ per, 0.0).reshape(ndom, K)

    def _fast_ops(self):
        """Per-margin row values and the stratum matrices ``U_h = 1_h' B``, ``Q_h = B_h' B_h``."""
        if getattr(self, "_fast_cache", None) is not None and self._fast_cache[0] is self._ops_cache:
            return self._fast_cache[1]
        A, B, Kmat, offsets, order, _, _ = self._ops()
        margins = [m for step in self._cal for m in step.margins]
        H, Gtot = self.n_strata, Kmat.shape[0]
        Hm = sp.csr_matrix((np.ones(self.n), (self._strata_codes, np.arange(self.n))), shape=(H, self.n))
        U = (Hm @ B).toarray()
        Q = np.zeros((H, Gtot, Gtot))
        for h in range(H):
            rows = np.flatnonzero(self._strata_codes == h)
            Bh = B[rows]
            Q[h] = (Bh.T @ Bh).toarray()
        fast = {"codes": [m.codes for m in margins], "wa": [self._w * m.a for m in margins],
                "wb": [self._w * m.b for m in margins], "U": U, "Q": Q}
        self._fast_cache = (self._ops_cache, fast)
        return fast

    # ------------------------------------------------------------------ estimators
    def mean(self, var: str | Sequence[str], *, level: float = 0.95, df: float | None = None) -> pd.DataFrame:
        """Weighted mean (R ``svymean``), missing values left out of the base (R ``na.rm=TRUE``,
        as a domain). Interval: ``estimate +/- t(df) se`` with df the design df of the respondents
        with a value (R ``degf`` of that subset; ``df=np.inf`` gives R's ``confint`` default, a
        normal quantile)."""
        return self._estimate("mean", _aslist(var), None, "wald", level, df=df)

    def total(self, var: str | Sequence[str], *, level: float = 0.95, df: float | None = None) -> pd.DataFrame:
        """Estimated population total (R ``svytotal``), missing values counted as 0 (R ``na.rm``)."""
        return self._estimate("total", _aslist(var), None, "wald", level, df=df)

    def proportion(self, var: str | Sequence[str], level=None, *, ci: str = "logit",
                   conf: float = 0.95, df: float | None = None) -> pd.DataFrame:
        """Proportion of each level of ``var`` (or of ``level``; a list of levels gives the
        proportion of their union, e.g. a top-2-box) among respondents with a value (missing
        values are outside the base). ``ci`` as R ``svyciprop``: ``logit`` (default), ``beta``
        (Korn-Graubard), ``wilson``, ``wald``."""
        _check_ci(ci)
        return self._estimate("proportion", _aslist(var), None, ci, conf, select=level, df=df)

    def levels(self, var: str) -> list:
        """The levels of ``var`` as the proportion estimators count them: the categories of a
        categorical column (also those nobody chose), else its distinct values, sorted."""
        return list(self._categorical(var)[1])

    def by(self, by: str | Sequence[str]) -> "DomainDesign":
        """Domain estimation (R ``svyby``): the same estimators per domain of ``by``."""
        by = _aslist(by)
        for c in by:
            if c not in self.data.columns:
                raise KeyError(f"variable {c!r} not in the data")
        return DomainDesign(self, by)

    # ------------------------------------------------------------------ tests
    def table(self, row: str, col: str) -> pd.DataFrame:
        """Weighted cross-table (R ``svytable``)."""
        sub = self.data[[row, col]].assign(_w=self._w)
        return sub.dropna().pivot_table(index=row, columns=col, values="_w", aggfunc="sum",
                                        fill_value=0.0, observed=True)

    def chisq(self, row: str, col: str) -> pd.DataFrame:
        """Rao-Scott second-order corrected Pearson test of independence, F version (R
        ``svychisq(~row+col, design)``, its default ``statistic="F"``).

        ``X2`` is Pearson's statistic on the weighted table scaled to the number of respondents
        with both variables; ``Delta = (C' D^-1 C / N)^-1 C' D^-1 V D^-1 C`` with ``C`` the
        interaction contrasts, ``D`` the estimated cell proportions and ``V`` their design
        covariance. ``F = X2 / tr(Delta)`` on ``d0 = tr(Delta)^2 / tr(Delta^2)`` and ``d0 * df``
        degrees of freedom (Rao & Scott 1984). Returns one row: ``F, ndf, ddf, p_value, chisq, n``.
        """
        rc, rcats = self._categorical(row)
        cc, ccats = self._categorical(col)
        ok = (rc >= 0) & (cc >= 0) & (self._w > 0)
        nr, nc = len(rcats), len(ccats)
        cell = np.where(ok, rc + nr * cc, -1)
        w = np.where(ok, self._w, 0.0)
        Nw = w.sum()
        p = np.bincount(np.where(ok, cell, 0), weights=w, minlength=nr * nc) / Nw
        keep_r = p.reshape(nc, nr).sum(axis=0) > 0
        keep_c = p.reshape(nc, nr).sum(axis=1) > 0
        if keep_r.sum() < 2 or keep_c.sum() < 2:
            return pd.DataFrame([{"row": row, "col": col, "F": np.nan, "ndf": np.nan, "ddf": np.nan,
                                  "p_value": np.nan, "chisq": np.nan, "n": int(ok.sum())}])
        # drop empty margins (R's unique() of the observed values does the same)
        rmap = np.cumsum(keep_r) - 1
        cmap = np.cumsum(keep_c) - 1
        nr, nc = int(keep_r.sum()), int(keep_c.sum())
        cell = np.where(ok, rmap[np.maximum(rc, 0)] + nr * cmap[np.maximum(cc, 0)], -1)
        p = np.bincount(np.where(ok, cell, 0), weights=w, minlength=nr * nc) / Nw
        Z = np.zeros((self.n, nr * nc))
        Z[ok, :] = -p[None, :]
        Z[np.flatnonzero(ok), cell[ok]] += 1.0
        Z *= (w / Nw)[:, None]
        V = self._variance(Z, full=True)
        N = float(ok.sum())
        grid_r = np.tile(np.arange(nr), nc)
        grid_c = np.repeat(np.arange(nc), nr)
        X1 = np.column_stack([np.ones(nr * nc)] + [(grid_r == i).astype(float) for i in range(1, nr)]
                             + [(grid_c == j).astype(float) for j in range(1, nc)])
        X12 = np.column_stack([((grid_r == i) & (grid_c == j)).astype(float)
                               for j in range(1, nc) for i in range(1, nr)])
        coef, *_ = np.linalg.lstsq(X1, X12, rcond=None)
        Cm = X12 - X1 @ coef
        with np.errstate(divide="ignore"):
            idm = np.where(p == 0, 0.0, 1.0 / p)
        denom = Cm.T @ (idm[:, None] / N * Cm)
        numr = Cm.T @ (idm[:, None] * V * idm[None, :]) @ Cm
        Delta = np.linalg.solve(denom, numr)
        tr = np.trace(Delta)
        d0 = tr ** 2 / np.trace(Delta @ Delta)
        obs = N * p.reshape(nc, nr)
        exp = N * np.outer(p.reshape(nc, nr).sum(axis=1), p.reshape(nc, nr).sum(axis=0))
        X2 = float(np.sum((obs - exp) ** 2 / exp))
        nu = self._domain_df(ok)
        F = X2 / tr
        pval = float(stats.f.sf(F, d0, d0 * nu))
        return pd.DataFrame([{"row": row, "col": col, "F": F, "ndf": d0, "ddf": d0 * nu,
                              "p_value": pval, "chisq": X2, "n": int(N)}])

    # ------------------------------------------------------------------ calibration
    def _sample_table(self, codes: np.ndarray, ng: int) -> np.ndarray:
        return np.bincount(codes, weights=self._w, minlength=ng)

    def _post_margin(self, var: str, counts) -> tuple[_Margin, np.ndarray]:
        codes, cats = _codes(self.data[var], self.file, var)
        labels = [str(c) for c in cats]
        pop = _population_series(var, counts)
        unknown = sorted(set(labels) - set(pop.index))
        if unknown:
            raise DataError([Problem(self.file, None, var, u, f"een categorie uit de populatietabel ({', '.join(pop.index)})")
                             for u in unknown])
        popv = pop.reindex(labels).to_numpy(dtype=float)
        absent = [lvl for lvl in pop.index if lvl not in labels and pop[lvl] > 0]
        if absent:
            raise DataError(f"populatiecategorie(ën) {', '.join(absent)} van '{var}' komen niet voor in "
                            "de steekproef: voeg categorieën samen", file=self.file)
        return _Margin(codes, len(labels), np.zeros(0), np.zeros(0)), popv

    def poststratify(self, var: str, population_counts) -> "SurveyDesign":
        """Post-stratify on ``var`` to known population counts (R ``postStratify``).

        New weights ``w_i N_g / sum_g w``; variances from the residuals
        ``z_i - w_i * sum_g(z old_w/w) / sum_g old_w`` (R ``svyrecvar``), not from fixed weights.
        ``population_counts``: dict ``{level: count}``, Series, or DataFrame with ``var`` and ``Freq``.
        """
        m, popv = self._post_margin(var, population_counts)
        new = self._copy()
        oldw = self._w
        tab = self._sample_table(m.codes, m.ngroups)
        with np.errstate(divide="ignore", invalid="ignore"):
            g = np.where(tab > 0, popv / tab, 0.0)
        neww = oldw * g[m.codes]
        psw = np.where((neww == 0) & (oldw == 0), 1.0, neww)
        denom = np.bincount(m.codes, weights=oldw, minlength=m.ngroups)
        with np.errstate(divide="ignore", invalid="ignore"):
            a = np.where(psw > 0, oldw / psw, 0.0) / np.where(denom > 0, denom, 1.0)[m.codes]
        new._w = neww
        new._cal.append(_CalStep("post", [_Margin(m.codes, m.ngroups, a, psw)], 1))
        return new

    def rake(self, margins: Mapping[str, Any], *, epsilon: float = 1e-10, maxit: int = 100,
             sweeps: int = 10) -> "SurveyDesign":
        """Rake (iterative proportional fitting) to population margins (R ``rake``).

        ``margins``: ``{var: population_counts, ...}``. Iterates post-stratification on each
        margin until the weighted margins change by less than ``epsilon`` times the total weight.
        Variances from the raking residuals as R ``svyrecvar`` (``sweeps`` = 10 passes over the
        margins of ``z - w^(m) mean_g(z / w^(m))``).
        """
        if not margins:
            raise ValueError("rake needs at least one margin")
        prepared = [self._post_margin(var, counts) for var, counts in margins.items()]
        w = self._w.copy()
        tol = epsilon * max(w.sum(), 1.0)
        old = [np.bincount(m.codes, weights=w, minlength=m.ngroups) for m, _ in prepared]
        converged = False
        psws: list[np.ndarray] = []
        for _ in range(maxit):
            psws = []
            for m, popv in prepared:
                tab = np.bincount(m.codes, weights=w, minlength=m.ngroups)
                with np.errstate(divide="ignore", invalid="ignore"):
                    g = np.where(tab > 0, popv / tab, 0.0)
                w = w * g[m.codes]
                psws.append(w.copy())
            newt = [np.bincount(m.codes, weights=w, minlength=m.ngroups) for m, _ in prepared]
            delta = max(np.max(np.abs(a - b)) for a, b in zip(newt, old))
            old = newt
            if delta < tol:
                converged = True
                break
        if not converged:
            raise DataError(f"weging (raking) convergeert niet na {maxit} iteraties: controleer of de "
                            "populatiemarges samen kloppen (zelfde totaal) en of er lege cellen zijn",
                            file=self.file)
        new = self._copy()
        new._w = w
        margs = []
        for (m, _), psw in zip(prepared, psws):
            counts = np.bincount(m.codes, minlength=m.ngroups).astype(float)
            psw_safe = np.where(psw == 0, 1.0, psw)
            margs.append(_Margin(m.codes, m.ngroups, 1.0 / (counts[m.codes] * psw_safe), psw))
        new._cal.append(_CalStep("rake", margs, sweeps))
        return new


class DomainDesign:
    """Domain estimates (R ``svyby``): each estimator's frame has the domain as leading column(s)."""

    def __init__(self, design: SurveyDesign, by: list[str]):
        self.design = design
        self.by_vars = by

    def mean(self, var, *, level: float = 0.95, df: float | None = None) -> pd.DataFrame:
        return self.design._estimate("mean", _aslist(var), self.by_vars, "wald", level, df=df)

    def total(self, var, *, level: float = 0.95, df: float | None = None) -> pd.DataFrame:
        return self.design._estimate("total", _aslist(var), self.by_vars, "wald", level, df=df)

    def proportion(self, var, level=None, *, ci: str = "logit", conf: float = 0.95,
                   df: float | None = None) -> pd.DataFrame:
        _check_ci(ci)
        return self.design._estimate("proportion", _aslist(var), self.by_vars, ci, conf, select=level, df=df)


def _aslist(v) -> list:
    if isinstance(v, str):
        return [v]
    return list(v)


def _row(r):
    return int(r) if isinstance(r, (int, np.integer)) else None


# --------------------------------------------------------------------------- calibration inputs

def frame_margins(frame: pd.DataFrame, margins: Sequence[str], count: str) -> dict[str, pd.Series]:
    """Population margins from a frame table (one row per cell, ``count`` = units in the cell):
    ``{margin: Series(level -> population count)}``, the input of :meth:`SurveyDesign.rake`.
    Every count must be a whole number of 0 or more and every row must have a level of every
    margin; otherwise a :class:`DataError` names each row (nothing is dropped)."""
    missing = [c for c in list(margins) + [count] if c not in frame.columns]
    if missing:
        raise DataError([Problem(None, None, c, None, f"een kolom '{c}' in het populatiekader") for c in missing])
    n = _frame_counts(frame[count])
    file = (frame.attrs.get("source") or {}).get("file")  # as read_table names it
    problems = [Problem(file, _row_number(r), m, None, "een niveau; elke rij van het populatiekader hoort bij "
                        "een niveau van elke weegvariabele")
                for m in margins for r in frame.index[frame[m].isna().to_numpy()]]
    bad = n.isna() | (n < 0) | (n != n.round())
    problems += [Problem(file, _row_number(r), count, v, "een aantal: een geheel getal van 0 of meer "
                         "(het aantal eenheden in deze cel van het kader)")
                 for r, v in zip(frame.index[bad.to_numpy()], frame[count][bad.to_numpy()])]
    if problems:
        raise DataError(sorted(problems, key=lambda p: p.row or 0))
    frame = frame.assign(**{count: n})
    return {m: frame.groupby(m, observed=True)[count].sum().astype(float) for m in margins}


def _frame_counts(values: pd.Series) -> pd.Series:
    """The frame's counts as floats (NaN where empty or no number): numbers as they are, text
    through the one number parser; a percentage (``50%``) or an amount (``€ 50``) is no count."""
    if pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
        return values.astype(float)
    text = values.astype("str")
    return parse_numbers(text).values.mask(text.str.contains("[%€]", regex=True).fillna(False).astype(bool))


def _row_number(label) -> int | None:
    """The user's row number when the frame was read by read_table (its index), else None."""
    return int(label) if isinstance(label, (int, np.integer)) else None
