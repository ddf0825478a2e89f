"""Coverage of every proportion-interval method by simulation on a finite population.

A fixed finite population of 4,000 organisations in 3 strata; stratified simple random samples
without replacement (n = 60/50/40), 4,000 replicates, vectorised with numpy. The estimator and
its variance are those of SurveyDesign (checked against the class on the first replicate); the
intervals are evaluated with the same `design_interval` (evaluatie.stats.intervals) the design object uses. Nominal 95%
must lie in 93-97% for each method (Monte-Carlo SE of a coverage near 95% with 4,000
replicates is about 0.35 percentage points).

The generalised variance of the survey report (rule decision 9: one design effect of the design, the
share rounded to 0.001) is held to the same band on the same population, and on a clustered design
whose intraclass correlation is the one it assumes; where stratification gains are large it may cover
more (conservative), never less.
"""

import math

import numpy as np
import pandas as pd
import pytest

from evaluatie.stats.intervals import design_interval, gvf_se, methods
from evaluatie.stats.survey import SurveyDesign

N_H = np.array([2000, 1500, 500])
N_SAMPLE = np.array([60, 50, 40])
REPS = 4000


def population(p_h, seed):
    rng = np.random.default_rng(seed)
    return [rng.random(N) < p for N, p in zip(N_H, p_h)]


def simulate(pop, seed):
    rng = np.random.default_rng(seed)
    W = N_H / N_H.sum()
    p_hat = np.zeros(REPS)
    var = np.zeros(REPS)
    samples = []
    for yh, Nh, nh, Wh in zip(pop, N_H, N_SAMPLE, W):
        idx = np.argpartition(rng.random((REPS, Nh)), nh, axis=1)[:, :nh]
        ys = yh[idx]
        samples.append(ys)
        ph = ys.mean(axis=1)
        s2 = nh / (nh - 1) * ph * (1 - ph)
        p_hat += Wh * ph
        var += Wh ** 2 * (1 - nh / Nh) * s2 / nh
    return p_hat, np.sqrt(var), samples


@pytest.mark.slow
@pytest.mark.parametrize("p_h,seed", [((0.25, 0.35, 0.30), 11), ((0.85, 0.92, 0.95), 12)])
def test_coverage_all_methods(p_h, seed):
    pop = population(p_h, seed)
    truth = sum(y.sum() for y in pop) / N_H.sum()
    p_hat, se, samples = simulate(pop, seed + 100)

    # the vectorised estimator is SurveyDesign's (first replicate)
    df = pd.DataFrame({
        "y": np.concatenate([s[0] for s in samples]).astype(int),
        "h": np.repeat(["a", "b", "c"], N_SAMPLE),
        "N": np.repeat(N_H, N_SAMPLE),
    })
    ref = SurveyDesign(df, strata="h", fpc="N").proportion("y", 1).iloc[0]
    assert ref["estimate"] == pytest.approx(p_hat[0])
    assert ref["se"] == pytest.approx(se[0])

    n, dfree = N_SAMPLE.sum(), N_SAMPLE.sum() - len(N_H)
    for method in methods("design"):
        lo, hi = design_interval(p_hat, se, dfree, n, method)
        cover = np.mean((lo <= truth) & (truth <= hi))
        assert 0.93 <= cover <= 0.97, f"{method}: coverage {cover:.3f} at p={truth:.3f}"


# --------------------------------------------------------------------------- the generalised variance

def _up_to_tenth(x: float) -> float:
    return math.ceil(round(x * 10, 9)) / 10


@pytest.mark.slow
@pytest.mark.parametrize("p_h,seed,band", [((0.25, 0.35, 0.30), 11, (0.93, 0.975)),
                                           ((0.85, 0.92, 0.95), 12, (0.93, 0.975)),
                                           # shares that differ much between strata: stratification gains
                                           # the design effect ignores, so it covers more (conservative)
                                           ((0.10, 0.50, 0.90), 13, (0.93, 0.995))])
def test_coverage_of_the_generalised_variance(p_h, seed, band):
    """The report's intervals when small cells forbid exact variances (rule decision 9): around the
    share rounded to 0.001, ``se = sqrt(D p (1 - p) / n)`` with the design's one D (Kish's weighting
    effect of this disproportionate allocation, times 1 - f: 1.1), for every design method."""
    pop = population(p_h, seed)
    truth = sum(y.sum() for y in pop) / N_H.sum()
    p_hat, se, samples = simulate(pop, seed + 100)
    df = pd.DataFrame({"y": np.concatenate([s[0] for s in samples]).astype(int),
                       "h": np.repeat(["a", "b", "c"], N_SAMPLE), "N": np.repeat(N_H, N_SAMPLE)})
    deff = _up_to_tenth(SurveyDesign(df, strata="h", fpc="N").generalised_deff())
    assert deff == 1.1
    n, dfree = N_SAMPLE.sum(), N_SAMPLE.sum() - len(N_H)
    p = np.round(p_hat, 3)
    for method in methods("design"):
        lo, hi = design_interval(p, gvf_se(p, n, deff), dfree, n, method)
        cover = np.mean((lo <= truth) & (truth <= hi))
        assert band[0] <= cover <= band[1], f"{method}: coverage {cover:.3f} at p={truth:.3f}"


@pytest.mark.slow
def test_coverage_of_the_generalised_variance_in_a_clustered_design():
    """40 of 400 organisations of 15 employees drawn without replacement, everyone in them asked;
    the organisations' shares vary with an intraclass correlation of 0.05, the one the report
    assumes: D = (1 - 40/400)(1 + 14 x 0.05) = 1.53, up to 1.6."""
    rng = np.random.default_rng(21)
    n_org, size, take, icc = 400, 15, 40, 0.05
    a = 0.3 * (1 - icc) / icc
    share = rng.beta(a, (1 - icc) / icc - a, n_org)
    yes = (rng.random((n_org, size)) < share[:, None]).sum(axis=1)
    truth = yes.sum() / (n_org * size)
    idx = np.argpartition(rng.random((REPS, n_org)), take, axis=1)[:, :take]
    p_hat = yes[idx].sum(axis=1) / (take * size)
    first = pd.DataFrame({"org": np.repeat(idx[0], size), "N": n_org,
                          "y": np.concatenate([[1] * k + [0] * (size - k) for k in yes[idx[0]]])})
    design = SurveyDesign(first, cluster="org", fpc="N")
    assert design.proportion("y", 1).iloc[0]["estimate"] == pytest.approx(p_hat[0])
    deff = _up_to_tenth(design.generalised_deff(icc))
    assert deff == 1.6
    p, n = np.round(p_hat, 3), take * size
    for method in methods("design"):
        lo, hi = design_interval(p, gvf_se(p, n, deff), take - 1, n, method)
        cover = np.mean((lo <= truth) & (truth <= hi))
        assert 0.93 <= cover <= 0.975, f"{method}: coverage {cover:.3f} at p={truth:.3f}"
