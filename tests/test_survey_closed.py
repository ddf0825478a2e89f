"""Closed-form checks of evaluatie.stats.survey (formulas derived by hand in each docstring)."""

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from evaluatie.stats.intervals import design_interval, methods
from evaluatie.stats.survey import SurveyDesign
from evaluatie.core.errors import DataError, public_text, terminal_text


def srs(k, n, **extra):
    return pd.DataFrame({"y": [1] * k + [0] * (n - k), **extra})


def test_srs_proportion_se_and_wald():
    """Unweighted, with replacement: se^2 = n/(n-1) * sum((y-p)/n)^2 = p(1-p)/(n-1);
    Wald: p +/- t(n-1) se."""
    n, k = 40, 12
    p = k / n
    r = SurveyDesign(srs(k, n)).proportion("y", 1, ci="wald").iloc[0]
    se = np.sqrt(p * (1 - p) / (n - 1))
    assert r["estimate"] == pytest.approx(p)
    assert r["se"] == pytest.approx(se)
    t = stats.t.ppf(0.975, n - 1)
    assert (r["ci_low"], r["ci_high"]) == pytest.approx((p - t * se, p + t * se))
    assert r["df"] == n - 1 and r["n"] == n and r["n_level"] == k


def test_srs_fpc():
    """Without replacement from N: se^2 = (1 - n/N) p(1-p)/(n-1)."""
    n, k, N = 40, 12, 200
    p = k / n
    r = SurveyDesign(srs(k, n, N=[N] * n), fpc="N").proportion("y", 1).iloc[0]
    assert r["se"] == pytest.approx(np.sqrt((1 - n / N) * p * (1 - p) / (n - 1)))


def test_logit_interval_closed_form():
    """logit: expit(logit(p) +/- t(df) se / (p(1-p)))."""
    n, k = 50, 9
    p = k / n
    r = SurveyDesign(srs(k, n)).proportion("y", 1, ci="logit").iloc[0]
    s = np.sqrt(p * (1 - p) / (n - 1)) / (p * (1 - p))
    t = stats.t.ppf(0.975, n - 1)
    eta = np.log(p / (1 - p))
    expit = lambda x: 1 / (1 + np.exp(-x))
    assert (r["ci_low"], r["ci_high"]) == pytest.approx((expit(eta - t * s), expit(eta + t * s)))


def test_beta_is_clopper_pearson_with_effective_n():
    """Korn-Graubard for SRS: n_eff = p(1-p)/var = n-1 and the df correction (t(n-1)/t(df))^2 = 1,
    so the interval is Clopper-Pearson with x = p (n-1) successes out of n-1."""
    n, k = 30, 6
    p = k / n
    r = SurveyDesign(srs(k, n)).proportion("y", 1, ci="beta").iloc[0]
    ne = n - 1
    lo = stats.beta.ppf(0.025, ne * p, ne * (1 - p) + 1)
    hi = stats.beta.ppf(0.975, ne * p + 1, ne * (1 - p))
    assert (r["ci_low"], r["ci_high"]) == pytest.approx((lo, hi))


def test_wilson_closed_form():
    """Wilson with n_eff = n-1 and a t(n-1) quantile."""
    n, k = 30, 6
    p = k / n
    r = SurveyDesign(srs(k, n)).proportion("y", 1, ci="wilson").iloc[0]
    m, t = n - 1, stats.t.ppf(0.975, n - 1)
    centre = (p + t * t / (2 * m)) / (1 + t * t / m)
    half = t / (2 * m) * np.sqrt(4 * m * p * (1 - p) + t * t) / (1 + t * t / m)
    assert (r["ci_low"], r["ci_high"]) == pytest.approx((centre - half, centre + half))


def test_degenerate_falls_back_to_clopper_pearson():
    r = SurveyDesign(srs(20, 20)).proportion("y", 1, ci="logit").iloc[0]
    assert r["estimate"] == 1 and r["ci_high"] == 1
    assert r["ci_low"] == pytest.approx(stats.beta.ppf(0.025, 20, 1))


def test_all_levels_sum_to_one_and_missing_outside_base():
    df = pd.DataFrame({"q": ["a", "b", "b", None, "c", "a", "a", None]})
    res = SurveyDesign(df).proportion("q")
    assert list(res["level"]) == ["a", "b", "c"]
    assert res["estimate"].sum() == pytest.approx(1)
    assert res["estimate"].tolist() == pytest.approx([3 / 6, 2 / 6, 1 / 6])
    assert set(res["n"]) == {6}


def test_union_of_levels_is_indicator_proportion():
    df = pd.DataFrame({"q": list("aabbbccdde"), "w": np.arange(1, 11, dtype=float)})
    d = SurveyDesign(df, weights="w")
    top = d.proportion("q", ["d", "e"]).iloc[0]
    ind = SurveyDesign(df.assign(t=df.q.isin(["d", "e"])), weights="w").proportion("t", True).iloc[0]
    assert top["level"] == "d+e"
    assert top["estimate"] == pytest.approx(ind["estimate"])
    assert top["se"] == pytest.approx(ind["se"])


def test_stratified_mean_closed_form():
    """Stratified SRS without replacement: mean = sum W_h ybar_h,
    var = sum W_h^2 (1 - n_h/N_h) s_h^2 / n_h."""
    rng = np.random.default_rng(1)
    y = rng.normal(size=30)
    h = np.repeat(["a", "b", "c"], [8, 10, 12])
    N = {"a": 80, "b": 50, "c": 300}
    df = pd.DataFrame({"y": y, "h": h, "N": [N[x] for x in h]})
    r = SurveyDesign(df, strata="h", fpc="N").mean("y").iloc[0]
    Ntot = sum(N.values())
    est = var = 0.0
    for g, Ng in N.items():
        yg = y[h == g]
        W = Ng / Ntot
        est += W * yg.mean()
        var += W ** 2 * (1 - len(yg) / Ng) * yg.var(ddof=1) / len(yg)
    assert r["estimate"] == pytest.approx(est)
    assert r["se"] == pytest.approx(np.sqrt(var))
    assert r["df"] == 30 - 3


def test_domain_proportion_closed_form():
    """Domain d under SRS with replacement: var(p_d) = n/(n-1) p_d(1-p_d)/n_d (zeros outside)."""
    df = pd.DataFrame({"g": ["x"] * 12 + ["y"] * 28, "y": [1] * 5 + [0] * 7 + [1] * 20 + [0] * 8})
    res = SurveyDesign(df).by("g").proportion("y", 1).set_index("g")
    n = 40
    for g, nd, k in (("x", 12, 5), ("y", 28, 20)):
        p = k / nd
        assert res.loc[g, "estimate"] == pytest.approx(p)
        assert res.loc[g, "se"] == pytest.approx(np.sqrt(n / (n - 1) * p * (1 - p) / nd))
        assert res.loc[g, "df"] == nd - 1


def test_poststratified_mean_closed_form():
    """Post-stratification of an unweighted sample: mean = sum (N_g/N) ybar_g; R's residual
    variance = n/(n-1) * sum_g (N_g/(n_g N))^2 * sum_{i in g} (y_i - ybar_g)^2."""
    rng = np.random.default_rng(2)
    g = np.array(["m"] * 15 + ["v"] * 25)
    y = rng.normal(size=40) + (g == "v")
    pop = {"m": 600, "v": 400}
    d = SurveyDesign(pd.DataFrame({"y": y, "g": g})).poststratify("g", pop)
    r = d.mean("y").iloc[0]
    N, n = 1000, 40
    est = sum(pop[k] / N * y[g == k].mean() for k in pop)
    var = n / (n - 1) * sum((pop[k] / ((g == k).sum() * N)) ** 2 * ((y[g == k] - y[g == k].mean()) ** 2).sum()
                            for k in pop)
    assert r["estimate"] == pytest.approx(est)
    assert r["se"] == pytest.approx(np.sqrt(var))
    assert d.weights.groupby(g).sum().to_dict() == pytest.approx(pop)


def test_rake_one_margin_equals_poststratify():
    df = pd.DataFrame({"g": list("aabbbbcccc"), "y": np.arange(10.0)})
    pop = {"a": 10, "b": 50, "c": 40}
    d = SurveyDesign(df)
    a = d.poststratify("g", pop).mean("y").iloc[0]
    b = d.rake({"g": pop}).mean("y").iloc[0]
    assert (a["estimate"], a["se"]) == pytest.approx((b["estimate"], b["se"]))


def test_rake_independent_table_closed_form():
    """If the sample table is a product of its margins, raking gives
    w_ab = P_a P_b n / (N n_a n_b) (one IPF pass), and the margins are met."""
    counts = {("a1", "b1"): 10, ("a1", "b2"): 20, ("a2", "b1"): 30, ("a2", "b2"): 60}
    rows = [k for k, c in counts.items() for _ in range(c)]
    df = pd.DataFrame(rows, columns=["A", "B"])
    PA, PB = {"a1": 100, "a2": 300}, {"b1": 120, "b2": 280}
    d = SurveyDesign(df).rake({"A": PA, "B": PB})
    n, N = 120, 400
    nA, nB = {"a1": 30, "a2": 90}, {"b1": 40, "b2": 80}
    expected = [PA[a] * PB[b] * n / (N * nA[a] * nB[b]) for a, b in rows]
    np.testing.assert_allclose(d.weights.to_numpy(), expected)


def test_chisq_srs_closed_form():
    """Unweighted SRS with replacement: V = (D - pp')/(n-1), so Delta = n/(n-1) I, hence
    F = X2 (n-1)/n / k, ndf = k, ddf = k (n-1) with k = (r-1)(c-1)."""
    rng = np.random.default_rng(3)
    df = pd.DataFrame({"r": rng.choice(list("abc"), 90), "c": rng.choice(list("xy"), 90)})
    res = SurveyDesign(df).chisq("r", "c").iloc[0]
    x2 = stats.chi2_contingency(pd.crosstab(df.r, df.c), correction=False)[0]
    n, k = 90, 2
    assert res["chisq"] == pytest.approx(x2)
    assert res["F"] == pytest.approx(x2 * (n - 1) / n / k)
    assert res["ndf"] == pytest.approx(k)
    assert res["ddf"] == pytest.approx(k * (n - 1))
    assert res["p_value"] == pytest.approx(stats.f.sf(res["F"], k, k * (n - 1)))


def test_proportion_intervals_are_the_registry_s():
    """Every design method of the interval registry, applied to the design's estimate, se, df and
    n, gives the design's interval; an unknown method is refused."""
    df = pd.DataFrame({"y": [1] * 7 + [0] * 18})
    assert methods("design") == ("logit", "beta", "wilson", "wald")
    for m in methods("design"):
        r = SurveyDesign(df).proportion("y", 1, ci=m).iloc[0]
        lo, hi = design_interval([r["estimate"]], [r["se"]], [r["df"]], [r["n"]], m)
        assert (lo[0], hi[0]) == pytest.approx((r["ci_low"], r["ci_high"]))
    with pytest.raises(ValueError, match="ci must be one of"):
        SurveyDesign(df).by("y").proportion("y", 1, ci="exact")


def test_errors_are_dutch_and_located():
    df = pd.DataFrame({"y": [1, 0, 1], "h": ["a", "b", "b"], "w": [1.0, None, 2.0]})
    df.index = [2, 3, 4]
    with pytest.raises(DataError, match="rij 3, kolom 'w'"):
        SurveyDesign(df, weights="w")
    with pytest.raises(DataError, match="maar één primaire eenheid"):
        SurveyDesign(df.assign(w=1.0), weights="w", strata="h")
    with pytest.raises(DataError, match="komen niet voor in de steekproef") as e:
        SurveyDesign(df.assign(w=1.0)).poststratify("h", {"a": 5, "b": 5, "Geheim-c": 5})
    # the frame's categories are the user's text: named on the terminal only (issue 15)
    assert "Geheim" not in public_text(str(e.value)) and "Geheim-c" in terminal_text(str(e.value))
    with pytest.raises(DataError) as e:
        SurveyDesign(df.assign(w=1.0)).poststratify("h", {"a": 5, "Geheim-b2": 5})
    assert "Geheim" not in public_text(str(e.value)) and "Geheim-b2" in terminal_text(str(e.value))


def test_fast_proportion_path_equals_influence_matrix(monkeypatch):
    """The cross-tabulation route for element designs gives the same variances as the explicit
    influence-matrix route (post-stratification + raking, domains, missing, level selections)."""
    rng = np.random.default_rng(5)
    n = 400
    df = pd.DataFrame({
        "h": rng.choice(list("abc"), n), "g1": rng.choice(list("xyz"), n), "g2": rng.choice(list("pq"), n),
        "dom": rng.choice(["d1", "d2", "d3"], n), "y": rng.choice(["1", "2", "3", "4", None], n),
        "w": rng.uniform(1, 4, n),
    })
    df["N"] = df["h"].map({"a": 900, "b": 700, "c": 2000})
    d = SurveyDesign(df, strata="h", fpc="N").poststratify("g2", {"p": 1800, "q": 1800})
    d = d.rake({"g1": {"x": 1000, "y": 1200, "z": 1400}, "g2": {"p": 1700, "q": 1900}})
    fast = [d.proportion("y"), d.by("dom").proportion("y"), d.by("dom").proportion("y", ["3", "4"], ci="beta")]
    monkeypatch.setattr(SurveyDesign, "_element_psus", lambda self: False)
    slow = [d.proportion("y"), d.by("dom").proportion("y"), d.by("dom").proportion("y", ["3", "4"], ci="beta")]
    for a, b in zip(fast, slow):
        np.testing.assert_allclose(a["se"], b["se"], rtol=1e-9)
        np.testing.assert_allclose(a["ci_low"], b["ci_low"], rtol=1e-9)
