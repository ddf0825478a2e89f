"""The interval registry (evaluatie.stats.intervals) against its references: statsmodels'
``proportion_confint`` for the binomial methods, closed forms for the design-based ones."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from statsmodels.stats.proportion import proportion_confint

from evaluatie.stats.intervals import REGISTRY, binomial_interval, design_interval, methods

COUNTS = st.integers(0, 400).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n)))


@settings(max_examples=200, deadline=None)
@given(COUNTS.filter(lambda t: t[1] > 0), st.sampled_from([0.8, 0.9, 0.95, 0.99]))
def test_binomial_methods_equal_statsmodels(xn, level):
    x, n = xn
    for ours, theirs in [("wilson", "wilson"), ("exact", "beta")]:
        lo, hi = binomial_interval(x, n, ours, level)
        rlo, rhi = proportion_confint(x, n, alpha=1 - level, method=theirs)
        assert lo == pytest.approx(np.clip(rlo, 0, 1), abs=1e-10)
        assert hi == pytest.approx(np.clip(rhi, 0, 1), abs=1e-10)


def test_binomial_is_vectorised_and_empty_groups_have_no_interval():
    lo, hi = binomial_interval([0, 3, 5], [0, 10, 5], "exact")
    assert np.isnan(lo[0]) and np.isnan(hi[0])
    assert lo[2] == pytest.approx(proportion_confint(5, 5, method="beta")[0]) and hi[2] == 1.0
    assert 0 < lo[1] < 0.3 < hi[1] < 1


def test_design_beta_is_clopper_pearson_for_a_simple_random_sample():
    x, n = np.arange(1, 40), 40
    p = x / n
    lo, hi = design_interval(p, np.sqrt(p * (1 - p) / n), n - 1, n, "beta")
    rlo, rhi = proportion_confint(x, n, method="beta")
    np.testing.assert_allclose(lo, rlo, atol=1e-9)
    np.testing.assert_allclose(hi, rhi, atol=1e-9)


def test_design_wilson_is_wilson_with_normal_quantile_and_full_base():
    x, n = np.arange(1, 30), 30
    p = x / n
    lo, hi = design_interval(p, np.sqrt(p * (1 - p) / n), np.inf, n, "wilson")
    rlo, rhi = proportion_confint(x, n, method="wilson")
    np.testing.assert_allclose(lo, rlo, atol=1e-12)
    np.testing.assert_allclose(hi, rhi, atol=1e-12)


def test_design_logit_and_wald_closed_forms():
    p, se = 0.3, 0.05
    z = 1.959963984540054
    lo, hi = design_interval(p, se, np.inf, 200, "wald")
    assert (lo, hi) == pytest.approx((p - z * se, p + z * se))
    lo, hi = design_interval(p, se, np.inf, 200, "logit")
    eta, s = np.log(p / (1 - p)), se / (p * (1 - p))
    assert (lo, hi) == pytest.approx((1 / (1 + np.exp(-(eta - z * s))), 1 / (1 + np.exp(-(eta + z * s)))))


def test_degenerate_design_estimates_fall_back_to_clopper_pearson():
    for method in methods("design"):
        lo, hi = design_interval([0.0, 1.0], [0.0, 0.0], 20, 20, method)
        assert lo[0] == 0 and hi[0] == pytest.approx(proportion_confint(0, 20, method="beta")[1])
        assert hi[1] == 1 and lo[1] == pytest.approx(proportion_confint(20, 20, method="beta")[0])


def test_registry_names_every_method_and_refuses_unknown_ones():
    assert methods("binomial") == ("wilson", "exact")
    assert set(methods("design")) == {"logit", "beta", "wilson", "wald"}
    assert all(m.label_nl and m.reference for m in REGISTRY.values())
    with pytest.raises(ValueError, match="must be one of"):
        design_interval(0.5, 0.1, 10, 10, "clopper")
    with pytest.raises(ValueError, match="must be one of"):
        binomial_interval(1, 2, "logit")


@pytest.mark.parametrize("method", ["wilson", "exact"])
def test_binomial_limits_never_exclude_the_estimate(method):
    """Issue 16: a group with 0 positive reactions got a Wilson lower limit of +5,6e-17, above its
    estimate of 0, and the figure's error bars crashed on a negative length."""
    n = np.arange(1, 400)
    for x in (np.zeros_like(n), n):
        lo, hi = binomial_interval(x, n, method)
        p = x / n
        assert np.all(lo <= p) and np.all(p <= hi)
    lo, hi = binomial_interval(0, n, method)
    assert np.all(lo == 0.0)
    lo, hi = binomial_interval(n, n, method)
    assert np.all(hi == 1.0)
