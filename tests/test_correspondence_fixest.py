"""The clustered-SE small-sample correction of the fixed-effects models against fixest's documented
convention (issue 18 item 7c), computed by hand from the formula in fixest's ``ssc()``
documentation and source (``R/VCOV.R``) and pyfixest's ``get_ssc``:

V = G/(G−1) · (N−1)/(N−K) · sandwich, with fixef.K = "nested" (the default): K = the k regressors
plus the fixed-effect parameters not nested in the clusters; when every fixed effect is nested in
the clusters they are dropped and one parameter is counted back for the intercept (K = k + 1).
The raw sandwich comes from statsmodels (OLS with the fixed-effect dummies, no correction), an
implementation independent of ours."""

from __future__ import annotations

import numpy as np
import pytest
import statsmodels.api as sm

from evaluatie.analyses.correspondence.models import _within_ols


def _data(seed=3, n_fe=12, per=3, k=2):
    rng = np.random.default_rng(seed)
    fe = np.repeat(np.arange(n_fe), per)
    X = rng.normal(size=(len(fe), k))
    y = X @ np.array([0.5, -0.2][:k]) + rng.normal(size=n_fe)[fe] + rng.normal(size=len(fe))
    return X, y, fe


def _raw(X, y, fe, cluster):
    D = (fe[:, None] == np.unique(fe)[None, :]).astype(float)
    fit = sm.OLS(y, np.column_stack([X, D])).fit(cov_type="cluster",
                                                  cov_kwds={"groups": cluster, "use_correction": False})
    return fit.params[:X.shape[1]], fit.bse[:X.shape[1]]


def test_fe_nested_in_the_clusters_counts_the_regressors_plus_one():
    X, y, fe = _data()
    cluster = fe // 3  # 4 clusters of 3 fixed-effect levels each: the fixed effect is nested
    beta, V, N, G, K = _within_ols(X, y, fe, cluster=cluster)
    b, raw = _raw(X, y, fe, cluster)
    assert (N, G, K) == (36, 4, 3)  # k = 2 regressors + 1
    assert np.allclose(beta, b, atol=1e-10)
    assert np.allclose(np.sqrt(np.diag(V)), raw * np.sqrt(4 / 3 * 35 / 33), atol=1e-12)
    # the vacancy model: the fixed effect is its own cluster, the same rule
    _, V1, _, G1, K1 = _within_ols(X, y, fe)
    _, raw1 = _raw(X, y, fe, fe)
    assert (G1, K1) == (12, 3)
    assert np.allclose(np.sqrt(np.diag(V1)), raw1 * np.sqrt(12 / 11 * 35 / 33), atol=1e-12)


def test_fe_not_nested_in_the_clusters_counts_all_its_levels():
    X, y, fe = _data()
    cluster = np.arange(len(fe)) % 5  # every fixed-effect level spans several clusters
    _, V, N, G, K = _within_ols(X, y, fe, cluster=cluster)
    _, raw = _raw(X, y, fe, cluster)
    assert (N, G, K) == (36, 5, 14)  # k = 2 regressors + 12 levels
    assert np.allclose(np.sqrt(np.diag(V)), raw * np.sqrt(5 / 4 * 35 / 22), atol=1e-12)


def test_dummies_convention_is_statsmodels_default_cr1():
    X, y, fe = _data(seed=5)
    _, V, _, _, K = _within_ols(X, y, fe, ssc="dummies")
    D = (fe[:, None] == np.unique(fe)[None, :]).astype(float)
    fit = sm.OLS(y, np.column_stack([X, D])).fit(cov_type="cluster", cov_kwds={"groups": fe})
    assert K == 14 and np.allclose(np.sqrt(np.diag(V)), fit.bse[:2], atol=1e-12)
    with pytest.raises(ValueError, match="ssc"):
        _within_ols(X, y, fe, ssc="stata")
