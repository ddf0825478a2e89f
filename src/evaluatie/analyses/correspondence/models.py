"""Regression models on application level with vacancy fixed effects, clustered by vacancy.

* :func:`lpm_fe` — linear probability model with vacancy fixed effects (within transformation)
  and vacancy-clustered standard errors; reference: statsmodels OLS with vacancy dummies and
  ``cov_type="cluster"``. :func:`_lpm_sums` computes the same model (group dummies, no
  covariates) from the per-vacancy sums of :mod:`~evaluatie.analyses.correspondence.clusters`.
* :func:`conditional_logit` — the logit check (Newton on all vacancies as arrays with the exact
  Hessian; reference: statsmodels ``ConditionalLogit``, also the fallback; for 1:1 pairs its odds
  ratio is the closed form c/b).
* :func:`regression_table` — both models per wave and ground side by side, the report's table.
"""

from __future__ import annotations

import math
import warnings
from itertools import combinations
from typing import Mapping, Sequence

import numpy as np
import pandas as pd
from scipy import stats

from evaluatie.analyses.correspondence.clusters import _pairs_t, _Tables, _wave_cols
from evaluatie.analyses.correspondence.applications import Study
from evaluatie.analyses.correspondence.protection import covariate_terms
from evaluatie.publish.thresholds import DEFAULT_THRESHOLD

__all__ = ["lpm_fe", "conditional_logit", "regression_table"]


def _demean(v: np.ndarray, cl: np.ndarray, G: int, counts: np.ndarray) -> np.ndarray:
    if v.ndim == 1:
        return v - (np.bincount(cl, weights=v, minlength=G) / counts)[cl]
    return np.column_stack([_demean(v[:, j], cl, G, counts) for j in range(v.shape[1])])


def _rows(data: pd.DataFrame, ground: str, wave: str | None, extra: Sequence[str]) -> pd.DataFrame:
    """The rows of one ground (and wave), with only the columns a model needs (taking every column
    of the study, covariates included, is most of the cost of a small model)."""
    cols = list(dict.fromkeys(c for c in ("ground", "group", "wave", "cluster", *extra) if c in data.columns))
    mask = (data["ground"] == ground).to_numpy()
    if wave is not None:
        mask = mask & (data["wave"] == wave).to_numpy()
    return data[cols][mask]


def _design_matrix(d: pd.DataFrame, ground: str, ref: str, covariates: Sequence[str] | None,
                   interact: str | None = None, levels: Mapping[str, Sequence[str]] | None = None):
    """Group dummies (non-reference groups of ``ground``), covariates (numeric as they are,
    others as dummies against their first level: in sorted order, or the order ``levels`` gives
    per covariate) and optional interactions with a wave dummy."""
    cats = d["group"].cat.categories
    gcodes = d["group"].cat.codes.to_numpy()
    n_in = np.bincount(gcodes[gcodes >= 0], minlength=len(cats))
    groups = [(i, k) for i, k in enumerate(cats) if k != ref and n_in[i] > 0]
    cols, names = [], []
    for i, k in groups:
        cols.append((gcodes == i).astype(float))
        names.append(f"group[{k}]")
    if interact is not None:
        wcats = list(d["wave"].cat.categories.astype(str))
        wv = (d["wave"].cat.codes.to_numpy() == wcats.index(str(interact))) if str(interact) in wcats \
            else np.zeros(len(d), dtype=bool)
        for i, k in groups:
            x = ((gcodes == i) & wv).astype(float)
            if not x.any() or x.sum() == n_in[i]:
                # a group tested in one of the two waves only: its interaction would be all zeros or
                # equal to its own dummy (a singular model); its dummy alone absorbs its one wave
                continue
            cols.append(x)
            names.append(f"group[{k}]:wave[{interact}]")
    for c in covariates or []:
        s = d[c]
        if pd.api.types.is_numeric_dtype(s) and not pd.api.types.is_bool_dtype(s):
            cols.append(s.to_numpy(dtype=float))
            names.append(c)
        else:
            lv = list((levels or {}).get(c) or sorted(pd.unique(s.astype(str))))
            for l in lv[1:]:
                cols.append((s.astype(str).to_numpy() == l).astype(float))
                names.append(f"{c}[{l}]")
    return np.column_stack(cols) if cols else np.empty((len(d), 0)), names


def _within_ols(X: np.ndarray, y: np.ndarray, fe: np.ndarray, *, cluster: np.ndarray | None = None,
                ssc: str = "fixest"):
    """OLS after the within transformation by the fixed effect ``fe``, with CR1 cluster-robust
    covariance, clustered by ``cluster`` (default: the fixed effect itself, the vacancy).

    V = G/(G−1)·(N−1)/(N−K)·(X̃'X̃)⁻¹(Σ_g S_g S_g')(X̃'X̃)⁻¹ with S_g = Σ_{i∈g} x̃_i e_i, G clusters.

    ``ssc="fixest"`` is fixest's default small-sample correction, ``ssc(adj = TRUE, fixef.K =
    "nested", cluster.adj = TRUE)``: K counts the k regressors plus the fixed-effect parameters that
    are *not* nested in the clusters. A fixed effect nested in the clusters (every level in one
    cluster, as the vacancy effect clustered by vacancy in every model of this package) drops out,
    but fixest then counts one parameter back for the intercept it absorbed, so K = k + 1 (fixest's
    ``R/VCOV.R``: "All FEs are removed, we add 1 for the intercept"; pyfixest's ``get_ssc``: k +
    k_fe − k_fe_nested + n_fe_fully_nested). A fixed effect not nested in the clusters counts all its
    levels: K = k + L (L levels). ``ssc="dummies"`` always counts the L levels, K = k + L (fixest's
    ``fixef.K = "full"`` for one fixed effect; statsmodels' default CR1 for OLS with the dummies).
    Returns β, V, N, G and the K used."""
    uniq, fe = np.unique(fe, return_inverse=True)
    L = len(uniq)
    if cluster is None:
        cl, G, nested = fe, L, True
    else:
        cuniq, cl = np.unique(cluster, return_inverse=True)
        G = len(cuniq)
        nested = len(np.unique(np.column_stack([fe, cl]), axis=0)) == L  # each level in one cluster
    counts = np.bincount(fe, minlength=L).astype(float)
    Xt = _demean(X, fe, L, counts)
    yt = _demean(y.astype(float), fe, L, counts)
    beta, *_ = np.linalg.lstsq(Xt, yt, rcond=None)
    e = yt - Xt @ beta
    XtX_inv = np.linalg.inv(Xt.T @ Xt)
    S = np.column_stack([np.bincount(cl, weights=Xt[:, j] * e, minlength=G) for j in range(Xt.shape[1])])
    meat = S.T @ S
    N, k = len(y), Xt.shape[1]
    if ssc == "fixest":
        K_ssc = k + 1 if nested else k + L
    elif ssc == "dummies":
        K_ssc = k + L
    else:
        raise ValueError(f"ssc must be 'fixest' or 'dummies', not {ssc!r}")
    f = G / (G - 1) * (N - 1) / (N - K_ssc)
    V = f * XtX_inv @ meat @ XtX_inv
    return beta, V, N, G, K_ssc


def _covariates(d: pd.DataFrame, covariates: Sequence[str] | None, threshold: int | None, outcome: str):
    """The model's rows, the covariates it uses (those that vary within a vacancy) and their levels;
    with a ``threshold``, as :func:`~evaluatie.analyses.correspondence.protection.covariate_terms`
    decides them (the published models)."""
    levels, changed = {}, {}
    if threshold is not None and covariates:
        decided = covariate_terms(d, covariates, threshold, outcome)
        d, covariates, levels, changed = decided.data, decided.covariates, decided.levels, decided.changed
    covs = [c for c in (covariates or []) if c in d.columns
            and (d.groupby("cluster")[c].nunique(dropna=False) > 1).any()]
    return d, covs, levels, changed


def lpm_fe(study: Study, ground: str, *, covariates: Sequence[str] | None = None, wave: str | None = None,
           ssc: str = "fixest", conf: float = 0.95, outcome: str = "outcome", interact_wave: str | None = None,
           data: pd.DataFrame | None = None, threshold: int | None = None) -> pd.DataFrame:
    """Linear probability model outcome ~ group dummies (+ covariates) + vacancy fixed effects, for
    one ground (one wave, or all waves with ``interact_wave`` for the difference-in-differences),
    estimated by the within transformation, SEs clustered by vacancy (see :func:`_within_ols` for the
    small-sample correction). t-tests use G − 1 degrees of freedom (Stata / fixest convention).
    Covariates that are constant within vacancies are absorbed by the fixed effects and dropped.
    With a ``threshold`` the covariates are first decided by
    :func:`~evaluatie.analyses.correspondence.protection.covariate_terms` (small levels pooled, terms
    too small to publish left out); ``attrs["covariate_changes"]`` says what changed.
    Reference: statsmodels OLS with vacancy dummies and ``cov_type="cluster"`` (test to 1e-8)."""
    d = _rows(study.data if data is None else data, ground, wave, [outcome, *(covariates or [])])
    ref = study.reference_groups[ground]
    d, covs, levels, changed = _covariates(d, covariates, threshold, outcome)
    X, names = _design_matrix(d, ground, ref, covs, interact_wave, levels)
    beta, V, N, G, K = _within_ols(X, d[outcome].to_numpy(), d["cluster"].to_numpy(), ssc=ssc)
    se = np.sqrt(np.diag(V))
    with np.errstate(divide="ignore", invalid="ignore"):  # SE 0 (every reaction alike): no t, no p
        t = beta / se
    p = 2 * stats.t.sf(np.abs(t), G - 1)
    q = stats.t.ppf(0.5 + conf / 2, G - 1)
    res = pd.DataFrame({"term": names, "coef": beta, "se": se, "t": t, "p": p,
                        "ci_low": beta - q * se, "ci_high": beta + q * se})
    res.attrs.update({"nobs": N, "clusters": G, "k": K, "ssc": ssc,
                      "dropped_covariates": [c for c in (covariates or []) if c not in covs],
                      "covariate_changes": changed})
    return res


def _gram(A: np.ndarray, B: np.ndarray) -> np.ndarray:
    """A @ B.T for a few long rows, as elementwise products and sums: no BLAS call, whose threads
    make such thin products many times slower on a busy machine."""
    return np.array([[float((a * b).sum()) for b in B] for a in A])


def _lpm_sums(T: _Tables, wave: str, ground: str, ref: str, conf: float = 0.95) -> pd.DataFrame:
    """The fixed-effects LPM of :func:`lpm_fe` (group dummies, no covariates) from the cluster
    tables alone. With n_cj applications and y_cj positive reactions of group j in cluster c,
    n_c and ȳ_c the cluster's total and mean: X̃'X̃ = Σ_c [diag(n_cj) − n_cj n_cl / n_c],
    X̃'ỹ = Σ_c (y_cj − n_cj ȳ_c), and the cluster score S_cj = y_cj − n_cj ȳ_c − n_cj β_j +
    n_cj Σ_l n_cl β_l / n_c. Same CR1 correction as :func:`lpm_fe` (fixest's default: the vacancy
    effect is nested in the vacancy clusters, so K = regressors + 1); equal to it to rounding (tested)."""
    cols = _wave_cols(T, wave)
    wi, gi = T.waves.index(wave), T.grounds.index(ground)
    # the groups tested in this wave (a group of the ground tested in another wave only has no
    # applications here: its dummy would be all zeros, a singular model)
    others = [k for (g, k) in T.slot if g == ground and k != ref and T.rates_n[wi, gi, T.groups.index(k)] > 0]
    rows = [T.slot[(ground, ref)]] + [T.slot[(ground, k)] for k in others]
    if len(others) == 1:
        # one compared group: clusters with only one side add nothing but their count (G) and
        # applications (N), so the paired clusters of compare_groups suffice
        p = _pairs_t(T, wave, ground, others[0], ref)
        N = float(T.rates_n[wi, gi].sum())
        G = int(np.count_nonzero(T.N[rows[0], cols] + T.N[rows[1], cols]))
        nc = p.n_r + p.n_k
        nx, yx = p.n_k[None, :], p.y_k[None, :]
        ybar = (p.y_r + p.y_k) / nc
    else:
        n = T.N[rows][:, cols]
        ncall = n.sum(0)
        use = np.flatnonzero(ncall)
        n = n[:, use].astype(float)
        yy = T.Y[rows][:, cols][:, use].astype(float)
        nc = ncall[use].astype(float)
        ybar = yy.sum(0) / nc
        nx, yx = n[1:], yy[1:]  # (K, clusters)
        G, N = len(nc), float(nc.sum())
    resid0 = yx - nx * ybar
    XtX = np.diag(nx.sum(1)) - _gram(nx / nc, nx)
    Xty = resid0.sum(1)
    beta = np.linalg.solve(XtX, Xty)
    fitted = sum(b * row for b, row in zip(beta, nx))
    Sc = resid0 - nx * beta[:, None] + nx * (fitted / nc)
    inv = np.linalg.inv(XtX)
    K = len(beta)
    V = G / (G - 1) * (N - 1) / (N - (K + 1)) * inv @ _gram(Sc, Sc) @ inv
    se = np.sqrt(np.diag(V))
    with np.errstate(divide="ignore", invalid="ignore"):  # SE 0 (every reaction alike): no t, no p
        t = beta / se
    q = stats.t.ppf(0.5 + conf / 2, G - 1)
    res = pd.DataFrame({"term": [f"group[{k}]" for k in others], "coef": beta, "se": se, "t": t,
                        "p": 2 * stats.t.sf(np.abs(t), G - 1), "ci_low": beta - q * se, "ci_high": beta + q * se})
    res.attrs.update({"nobs": int(N), "clusters": G, "k": K + 1, "ssc": "fixest"})
    return res


def _clogit_newton(y: np.ndarray, X: np.ndarray, cl: np.ndarray, *, tol: float = 1e-12, maxiter: int = 100,
                   max_subsets: int = 20_000):
    """Conditional-logit MLE by Newton's method with the exact score and Hessian, all clusters at once.

    A cluster c with n_c applications of which k_c positive contributes
    x_obs'β − log Σ_s exp(z_s'β), s over the C(n_c, k_c) subsets of size k_c and z_s the sum of their
    rows of X (the conditional likelihood of Chamberlain 1980). Clusters are grouped by (n_c, k_c) and
    every subset sum is enumerated as an array, so one Newton step is a few array operations.
    Score: Σ_c (x_obs − E_w z), Hessian: −Σ_c Cov_w(z) with w_s ∝ exp(z_s'β). Starts at 0 and stops
    when every step is below ``tol`` (as statsmodels' ``fit(method="newton", tol=1e-12)``).
    Returns (β, SE from the inverse of the exact Hessian) or None when it does not apply (a cluster
    with more than ``max_subsets`` subsets) or does not converge (e.g. separation); the caller then
    falls back to statsmodels. Reference: statsmodels ``ConditionalLogit`` (tests: equal to its
    numerically differentiated Hessian's precision)."""
    X = np.asarray(X, dtype=float)
    p = X.shape[1]
    if p == 0 or len(y) == 0:
        return None
    order = np.argsort(cl, kind="stable")
    cls, start, n_c = np.unique(cl[order], return_index=True, return_counts=True)
    ys, Xs = np.asarray(y, dtype=np.int64)[order], X[order]
    k_c = np.add.reduceat(ys, start)
    blocks = []
    for n, k in sorted(set(zip(n_c.tolist(), k_c.tolist()))):
        if math.comb(n, k) > max_subsets:
            return None
        sel = np.flatnonzero((n_c == n) & (k_c == k))
        rows = start[sel][:, None] + np.arange(n)  # (m, n) rows of these clusters
        Xc, yc = Xs[rows], ys[rows]
        combos = np.array(list(combinations(range(n), k)), dtype=np.intp)  # (S, k)
        Z = Xc[:, combos, :].sum(axis=2)  # (m, S, p) subset sums
        xo = (yc[:, :, None] * Xc).sum(axis=1)  # (m, p) observed sums
        blocks.append((Z, xo.sum(axis=0)))

    def score_hess(beta):
        g, H = np.zeros(p), np.zeros((p, p))
        for Z, xo in blocks:
            eta = Z @ beta
            eta -= eta.max(axis=1, keepdims=True)
            w = np.exp(eta)
            w /= w.sum(axis=1, keepdims=True)
            Ez = np.einsum("ms,msp->mp", w, Z)
            g += xo - Ez.sum(axis=0)
            H += np.einsum("ms,msp,msq->pq", w, Z, Z) - Ez.T @ Ez
        return g, H

    beta = np.zeros(p)
    with np.errstate(all="ignore"):
        for _ in range(maxiter):
            g, H = score_hess(beta)
            try:
                step = np.linalg.solve(H, g)
            except np.linalg.LinAlgError:
                return None
            if not np.all(np.isfinite(step)):
                return None
            beta = beta + step
            if np.all(np.abs(step) < tol):
                break
        else:
            return None
        _, H = score_hess(beta)
        try:
            cov = np.linalg.inv(H)
        except np.linalg.LinAlgError:
            return None
    se = np.sqrt(np.diag(cov))
    if not (np.all(np.isfinite(beta)) and np.all(np.isfinite(se))) or np.max(np.abs(beta)) > 20:
        return None  # separation or near it: leave the judgement to the reference implementation
    return beta, se


def conditional_logit(study: Study, ground: str, *, covariates: Sequence[str] | None = None,
                      wave: str | None = None, conf: float = 0.95, method: str = "newton",
                      threshold: int | None = None) -> pd.DataFrame:
    """Conditional (fixed-effects) logit by vacancy — the check on the linear probability model.

    Odds ratios with Wald intervals; only vacancies where the outcome varies contribute. The MLE is
    :func:`_clogit_newton` (exact Hessian, all vacancies as arrays); ``method="statsmodels"``, or a
    case it does not take (separation, very large vacancies), uses statsmodels ``ConditionalLogit``,
    the reference it is tested against (coefficients to 1e-9; statsmodels' SEs come from a
    numerically differentiated score, so they agree to about 1e-6). For 1:1 pairs without
    covariates the MLE is the closed form OR = only_group / only_reference with
    SE(log OR) = sqrt(1/b + 1/c). ``threshold``: the covariates as :func:`lpm_fe` decides them with it."""
    d = _rows(study.data, ground, wave, ["outcome", *(covariates or [])])
    ref = study.reference_groups[ground]
    d, covs, levels, _ = _covariates(d, covariates, threshold, "outcome")
    X, names = _design_matrix(d, ground, ref, covs, levels=levels)
    y = d["outcome"].to_numpy()
    cl = d["cluster"].to_numpy()
    codes, _ = pd.factorize(cl)
    pos = np.bincount(codes, weights=y)
    varies = ((pos > 0) & (pos < np.bincount(codes)))[codes]
    if not varies.any():
        return pd.DataFrame(columns=["term", "odds_ratio", "ci_low", "ci_high", "p"])
    # a term that never varies within a vacancy where the outcome varies (a tiny group that only
    # met vacancies without any or with only positive reactions) carries no information: it is not
    # estimated (NaN) instead of making the model singular
    Xv, cv = X[varies], pd.factorize(cl[varies])[0]
    sums = np.zeros((cv.max() + 1, Xv.shape[1]))
    np.add.at(sums, cv, Xv)
    within = Xv - (sums / np.bincount(cv)[:, None])[cv]
    est = np.abs(within).max(axis=0) > 1e-12
    b, se = np.full(len(names), np.nan), np.full(len(names), np.nan)
    fit = (_clogit_newton(y[varies], Xv[:, est], cl[varies]) if method == "newton" and est.any() else None)
    if fit is None and est.any():
        # imported here, only for the fallback: it adds 0.11-0.15 s (measured, -X importtime, after
        # pandas and scipy) to every report's kernel, and the default and B&M data never need it
        from statsmodels.discrete.conditional_models import ConditionalLogit

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                res = ConditionalLogit(y[varies], Xv[:, est], groups=cl[varies]).fit(
                    method="newton", tol=1e-12, maxiter=100, disp=0)
                fit = np.asarray(res.params), np.asarray(res.bse)
            except np.linalg.LinAlgError:
                fit = None  # still not identified (collinear terms): no odds ratios
    if fit is not None:
        b[est], se[est] = fit
    z = stats.norm.ppf(0.5 + conf / 2)
    with np.errstate(over="ignore"):  # separation: an infinite upper bound is the honest answer
        return pd.DataFrame({"term": names, "odds_ratio": np.exp(b), "ci_low": np.exp(b - z * se),
                             "ci_high": np.exp(b + z * se), "p": 2 * stats.norm.sf(np.abs(b / se)),
                             "log_or": b, "se": se})


def regression_table(study: Study, covariates: Sequence[str] | None = None,
                     names: Mapping[str, str] | None = None, *,
                     threshold: int | None = DEFAULT_THRESHOLD) -> pd.DataFrame:
    """Per wave and ground present: the terms of :func:`lpm_fe` (coefficient, clustered SE,
    interval, p) beside the odds ratio and p of :func:`conditional_logit` for the same term, with
    the number of vacancies and applications. Terms are shown readably: ``group[x]`` as ``x``, a
    covariate by its name in ``names``, a covariate level ``var[level]`` as ``name: level``.

    ``kind`` is ``group`` for a compared group and ``covariate`` otherwise. A group's coefficient is
    its rate minus the reference's, so the report shows it in the reports' one sign convention:
    ``gap_pp`` = −100·coef with its interval ``gap_ci_low/high`` (reference − group, in pp; positive =
    the group is disadvantaged); a covariate's ``effect_pp`` = 100·coef (``effect_ci_low/high``).
    ``se_pp`` = 100·SE for both.

    The covariates of each model are decided with ``threshold`` (the report's small-cell threshold;
    ``None`` only for checks of the estimator itself) by
    :func:`~evaluatie.analyses.correspondence.protection.covariate_terms`: a term resting on fewer than
    ``threshold`` vacancies (those where the covariate differs between the applications), or on 1 to
    ``threshold`` − 1 positive reactions on a side there, is not estimated on its own, and a level
    that small has no term and no name in the table.
    ``attrs["covariate_changes"]`` lists what was changed: dicts with ``wave``, ``ground``,
    ``covariate`` and ``change`` (``pooled``, ``reference`` or ``dropped``)."""
    names = dict(names or {})
    covariates = list(covariates or [])
    d = study.data
    rows, changes = [], []
    for w in study.waves:
        for g in study.reference_groups:
            if not ((d["wave"] == w) & (d["ground"] == g)).any():
                continue
            fit = lpm_fe(study, g, wave=w, covariates=covariates, threshold=threshold)
            cl = conditional_logit(study, g, wave=w, covariates=covariates, threshold=threshold).set_index("term")
            changes += [{"wave": w, "ground": g, "covariate": c, "change": x}
                        for c, x in fit.attrs["covariate_changes"].items()]
            for _, r in fit.iterrows():
                term = r["term"][6:-1] if r["term"].startswith("group[") else r["term"]
                if "[" in term and not r["term"].startswith("group["):
                    var, val = term[:-1].split("[", 1)
                    term = f"{names.get(var, var)}: {val}"
                elif term in covariates:
                    term = names.get(term, term)
                group = r["term"].startswith("group[")
                rows.append({"wave": w, "ground": g, "term": term, "kind": "group" if group else "covariate",
                             "coef": r["coef"], "se": r["se"], "p": r["p"],
                             "ci_low": r["ci_low"], "ci_high": r["ci_high"], "vacancies": fit.attrs["clusters"],
                             "applications": fit.attrs["nobs"], "odds_ratio": cl["odds_ratio"].get(r["term"], np.nan),
                             "logit_p": cl["p"].get(r["term"], np.nan), "se_pp": 100 * r["se"],
                             "gap_pp": -100 * r["coef"] if group else np.nan,
                             "gap_ci_low": -100 * r["ci_high"] if group else np.nan,
                             "gap_ci_high": -100 * r["ci_low"] if group else np.nan,
                             "effect_pp": np.nan if group else 100 * r["coef"],
                             "effect_ci_low": np.nan if group else 100 * r["ci_low"],
                             "effect_ci_high": np.nan if group else 100 * r["ci_high"]})
    out = pd.DataFrame(rows)
    out.attrs["covariate_changes"] = changes
    return out
