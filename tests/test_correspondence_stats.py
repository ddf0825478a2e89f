"""Reference tests for the correspondence-test statistics (evaluatie.analyses.correspondence)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from statsmodels.stats.contingency_tables import mcnemar
from statsmodels.stats.multitest import multipletests

from evaluatie.analyses import correspondence as cs


def _study(n_vac=40, per_side=(1, 1), seed=1, p=(0.4, 0.3), covariate=False, ground="etniciteit"):
    """A small random study: per vacancy ``per_side`` applications of reference 'a' and group 'b'."""
    rng = np.random.default_rng(seed)
    rows = []
    for v in range(n_vac):
        openv = rng.random() < 0.7
        for side, (lab, rate) in enumerate((("a", p[0]), ("b", p[1]))):
            for j in range(per_side[side] if np.isscalar(per_side[side]) else rng.integers(*per_side[side])):
                rows.append({"vacancy": f"v{v}", "group": lab, "application": f"{lab}{j}",
                             "outcome": int(openv and rng.random() < rate / 0.7),
                             "quality": rng.choice(["hoog", "laag"]) if covariate else "x",
                             "size": ["klein", "groot"][v % 2]})
    df = pd.DataFrame(rows)
    df.index = pd.RangeIndex(2, len(df) + 2)
    return cs.prepare(df, reference_groups={ground: "a"}, ground=ground)


# --------------------------------------------------------------------------- paired counts, McNemar

def test_mcnemar_matches_statsmodels():
    for b, c in [(58, 31), (93, 39), (0, 0), (3, 0), (10, 10), (1, 7)]:
        table = [[5, b], [c, 9]]
        assert cs.mcnemar_exact(b, c) == pytest.approx(mcnemar(table, exact=True).pvalue, abs=1e-14)


def test_paired_counts_with_several_applications_per_side():
    # vacancy 1: ref (1,0) group (0,0) -> only reference; 2: ref (0,0) group (0,1) -> only group;
    # 3: both; 4: neither; 5: ref 1, group (1, 1, 0) -> both
    rows = [("1", "a", 1), ("1", "a", 0), ("1", "b", 0), ("1", "b", 0),
            ("2", "a", 0), ("2", "a", 0), ("2", "b", 0), ("2", "b", 1),
            ("3", "a", 1), ("3", "b", 1), ("4", "a", 0), ("4", "b", 0),
            ("5", "a", 1), ("5", "b", 1), ("5", "b", 1), ("5", "b", 0)]
    df = pd.DataFrame(rows, columns=["vacancy", "group", "outcome"])
    df["application"] = range(len(df))
    s = cs.prepare(df, reference_groups={"leeftijd": "a"}, ground="leeftijd")
    pc = cs.paired_counts(s).iloc[0]
    assert (pc["neither"], pc["only_reference"], pc["only_group"], pc["both"]) == (1, 1, 1, 2)
    assert pc["net_discrimination"] == pytest.approx(0.0)
    assert pc["vacancies"] == 5


# --------------------------------------------------------------------------- differences and ratios

def test_delta_difference_equals_paired_t_standard_error():
    """1:1 pairs: the linearisation SE of the difference is the paired-sample SE sd(d)/√G."""
    s = _study(n_vac=300, seed=3)
    r = cs.compare_groups(s).iloc[0]
    d = s.data.pivot_table(index="cluster", columns="group", values="outcome", observed=True)
    diff = d["b"] - d["a"]
    assert r["difference_pp"] == pytest.approx(100 * diff.mean(), abs=1e-12)
    assert r["difference_se_pp"] == pytest.approx(100 * diff.std(ddof=1) / np.sqrt(len(diff)), rel=1e-12)


def test_delta_log_ratio_closed_form_for_independent_pairs():
    """Relative callback SE(log) = sqrt(Var(zk/pk − zr/pr)·G/(G−1)) — recomputed by hand."""
    s = _study(n_vac=200, per_side=((1, 4), (1, 4)), seed=5)
    r = cs.compare_groups(s).iloc[0]
    d = s.data
    agg = d.groupby(["cluster", "group"], observed=True)["outcome"].agg(["sum", "size"]).unstack()
    yr, nr, yk, nk = agg[("sum", "a")], agg[("size", "a")], agg[("sum", "b")], agg[("size", "b")]
    pr, pk = yr.sum() / nr.sum(), yk.sum() / nk.sum()
    u = (yk - pk * nk) / (pk * nk.sum()) - (yr - pr * nr) / (pr * nr.sum())
    G = len(u)
    assert r["relative_callback"] == pytest.approx(pk / pr)
    assert r["log_relative_callback_se"] == pytest.approx(np.sqrt(G / (G - 1) * (u ** 2).sum()), rel=1e-12)


def test_bootstrap_is_seeded_and_agrees_with_delta():
    s = _study(n_vac=400, per_side=(2, 2), seed=11)
    a = cs.compare_groups(s, bootstrap=999, seed=7).iloc[0]
    b = cs.compare_groups(s, bootstrap=999, seed=7).iloc[0]
    c = cs.compare_groups(s, bootstrap=999, seed=8).iloc[0]
    assert a["relative_callback_boot_low"] == b["relative_callback_boot_low"]
    assert a["relative_callback_boot_low"] != c["relative_callback_boot_low"]
    # the cluster bootstrap SE estimates the same quantity as the linearisation SE
    assert a["difference_boot_se_pp"] == pytest.approx(a["difference_se_pp"], rel=0.1)
    assert a["relative_callback_boot_low"] == pytest.approx(a["relative_callback_ci_low"], rel=0.05)
    assert a["relative_callback_boot_high"] == pytest.approx(a["relative_callback_ci_high"], rel=0.05)


@pytest.mark.slow
def test_relative_callback_interval_coverage_by_simulation():
    """2,000 simulated studies (480 vacancies, 1:1 pairs, correlated within vacancy): the nominal 95%
    delta-method interval of the relative callback covers the true ratio 93-97% of the time."""
    rng = np.random.default_rng(20240501)
    S, G, q, pr, pk = 2000, 480, 0.45, 0.33, 0.275
    openv = rng.random((S, G)) < q
    yr = (openv & (rng.random((S, G)) < pr / q)).astype(float)
    yk = (openv & (rng.random((S, G)) < pk / q)).astype(float)
    Pr, Pk = yr.mean(1, keepdims=True), yk.mean(1, keepdims=True)
    u = (yk - Pk) / (Pk * G) - (yr - Pr) / (Pr * G)
    se = np.sqrt(G / (G - 1) * (u ** 2).sum(1))
    logr = np.log(Pk[:, 0] / Pr[:, 0])
    cover = np.abs(logr - np.log(pk / pr)) <= 1.959963984540054 * se
    assert 0.93 <= cover.mean() <= 0.97
    # and the package computes the same interval as this vectorised version (one study)
    df = pd.DataFrame({"vacancy": np.repeat(np.arange(G), 2), "group": np.tile(["a", "b"], G),
                       "outcome": np.column_stack([yr[0], yk[0]]).ravel().astype(int)})
    df["application"] = df["group"]
    r = cs.compare_groups(cs.prepare(df, reference_groups={"e": "a"}, ground="e")).iloc[0]
    assert r["log_relative_callback_se"] == pytest.approx(se[0], rel=1e-12)


# --------------------------------------------------------------------------- regression

@pytest.mark.parametrize("per_side,covariate", [((1, 1), False), (((1, 4), (1, 4)), True)])
def test_lpm_fe_equals_statsmodels_dummies(per_side, covariate):
    """Within-transformed LPM = OLS with vacancy dummies (coefficient to 1e-8), and the clustered
    SE equals statsmodels' cluster sandwich under the same small-sample correction:
    fixest convention  = raw sandwich · G/(G−1)·(N−1)/(N−K), K = non-absorbed regressors + 1 (the
                         vacancy effect is nested in the vacancy clusters: fixest's fixef.K="nested");
    dummies convention = statsmodels' default CR1 where K also counts the G vacancy dummies."""
    s = _study(n_vac=40, per_side=per_side, seed=2, covariate=covariate)
    d = s.data
    covs = ["quality"] if covariate else None
    ours = cs.lpm_fe(s, "etniciteit", covariates=covs).set_index("term")
    X = pd.get_dummies(d["cluster"], prefix="v", dtype=float)
    X["group[b]"] = (d["group"].astype(str) == "b").astype(float).to_numpy()
    if covariate:
        X["quality[laag]"] = (d["quality"] == "laag").astype(float).to_numpy()
    y = d["outcome"].astype(float).to_numpy()
    groups = d["cluster"].to_numpy()
    raw = sm.OLS(y, X).fit(cov_type="cluster", cov_kwds={"groups": groups, "use_correction": False})
    default = sm.OLS(y, X).fit(cov_type="cluster", cov_kwds={"groups": groups})
    N, G = len(y), d["cluster"].nunique()
    K = (2 if covariate else 1) + 1
    fixest = G / (G - 1) * (N - 1) / (N - K)
    for term in ours.index:
        assert ours.loc[term, "coef"] == pytest.approx(raw.params[term], abs=1e-8)
        assert ours.loc[term, "se"] == pytest.approx(np.sqrt(fixest) * raw.bse[term], abs=1e-8)
    dummies = cs.lpm_fe(s, "etniciteit", covariates=covs, ssc="dummies").set_index("term")
    for term in dummies.index:
        assert dummies.loc[term, "se"] == pytest.approx(default.bse[term], abs=1e-8)


def test_lpm_equals_rate_difference_for_one_to_one_pairs():
    s = _study(n_vac=100, seed=9)
    fit = cs.lpm_fe(s, "etniciteit").iloc[0]
    r = cs.compare_groups(s).iloc[0]
    assert fit["coef"] * 100 == pytest.approx(r["difference_pp"], abs=1e-10)


def test_conditional_logit_closed_form_for_pairs():
    """1:1 pairs: conditional-logit OR = only_group / only_reference, SE(log OR) = √(1/b + 1/c)."""
    s = _study(n_vac=300, seed=4)
    pc = cs.paired_counts(s).iloc[0]
    cl = cs.conditional_logit(s, "etniciteit").iloc[0]
    b, c = pc["only_reference"], pc["only_group"]
    assert cl["odds_ratio"] == pytest.approx(c / b, rel=1e-5)
    assert cl["se"] == pytest.approx(np.sqrt(1 / b + 1 / c), rel=1e-4)


# --------------------------------------------------------------------------- multiple testing, heterogeneity

def test_heterogeneity_adjusts_p_values_over_the_shown_subgroups():
    """Holm and Benjamini-Hochberg over the family of every shown (not suppressed) subgroup row,
    as statsmodels ``multipletests`` gives them for those p-values."""
    s = _study(n_vac=240, per_side=((1, 3), (1, 3)), seed=8)
    s.data["size"] = np.where(s.data["cluster"] < 3, "mini", s.data["size"])  # 3 vacancies: suppressed
    s.data["third"] = (s.data["cluster"] % 3).astype(str)
    h = cs.heterogeneity(s, ["size", "third"], threshold=5)
    shown = ~h["suppressed"]
    # 'mini' and, so that it cannot be recovered from the ground's totals, the smallest other size
    sizes = h[(h["variable"] == "size") & shown]
    smallest = s.data[s.data["size"] != "mini"].groupby("size")["cluster"].nunique().idxmin()
    assert shown.sum() == 4 and sorted(h.loc[~shown, "level"]) == sorted(["mini", smallest])
    assert smallest not in set(sizes["level"])
    p = h.loc[shown, "p"].to_numpy()
    assert np.allclose(h.loc[shown, "p_holm"], multipletests(p, method="holm")[1], rtol=0, atol=1e-15)
    assert np.allclose(h.loc[shown, "p_bh"], multipletests(p, method="fdr_bh")[1], rtol=0, atol=1e-15)
    assert h.loc[~shown, ["p", "p_holm", "p_bh"]].isna().all().all()


def test_heterogeneity_suppresses_small_subgroups():
    """A subgroup of 4 vacancies is withheld, and with two levels the other one too: the ground's
    vacancies and positive reactions are published in the other tables, so the small level would be
    their difference. With a third level only the smallest shown one goes with it."""
    s = _study(n_vac=60, seed=6)
    s.data["size"] = np.where(s.data["cluster"] < 4, "mini", "groot")  # 4 vacancies < threshold 5
    h = cs.heterogeneity(s, ["size"], threshold=5)
    assert h["suppressed"].all() and h[["vacancies", "difference_pp", "p_holm"]].isna().all().all()
    assert h.attrs["suppressed"]["difference_pp"].all() and h.attrs["disclosure"] == "protected"
    s.data["size"] = np.select([s.data["cluster"] < 4, s.data["cluster"] < 24], ["mini", "midden"], "groot")
    h = cs.heterogeneity(s, ["size"], threshold=5).set_index("level")
    assert h["suppressed"].to_dict() == {"groot": False, "midden": True, "mini": True}
    assert h.loc["groot", "p_holm"] == pytest.approx(h.loc["groot", "p"])  # family of one
    assert pd.isna(h.loc["midden", "vacancies"]) and int(h.loc["groot", "vacancies"]) == 36


# --------------------------------------------------------------------------- waves

def test_wave_did_equals_difference_of_wave_gaps():
    """1:1 pairs: the DiD coefficient is gap(wave 2) − gap(wave 1), and its clustered SE is close to
    the independent-samples combination √(se₁² + se₂²) (the corrections differ slightly)."""
    a = _study(n_vac=300, seed=21, p=(0.33, 0.27))
    b = _study(n_vac=300, seed=22, p=(0.32, 0.30))
    a.data["wave"] = "nulmeting"
    b.data["wave"] = "vervolgmeting"
    a.waves, b.waves = ["nulmeting"], ["vervolgmeting"]
    s = cs.combine([a, b])
    w = cs.wave_comparison(s).iloc[0]
    c = cs.compare_groups(s).set_index("wave")
    gap0 = -c.loc["nulmeting", "difference_pp"]
    gap1 = -c.loc["vervolgmeting", "difference_pp"]
    assert w["gap_base_pp"] == pytest.approx(gap0) and w["gap_pp"] == pytest.approx(gap1)
    assert w["change_pp"] == pytest.approx(gap1 - gap0, abs=1e-10)
    se = np.hypot(c.loc["nulmeting", "difference_se_pp"], c.loc["vervolgmeting", "difference_se_pp"])
    assert w["change_se_pp"] == pytest.approx(se, rel=0.01)
    assert "kloof" in w["sentence"] and "statistisch significant" in w["sentence"]


# --------------------------------------------------------------------------- power

def test_mcnemar_sample_size_connor_closed_form():
    # Connor (1987) formula evaluated by hand for p10 = 0.10, p01 = 0.05, power 0.8, alpha 0.05
    za, zb = 1.959963984540054, 0.8416212335729143
    psi, d = 0.15, 0.05
    n = (za * np.sqrt(psi) + zb * np.sqrt(psi - d * d)) ** 2 / d ** 2
    assert cs.mcnemar_sample_size(0.10, 0.05) == int(np.ceil(n))
    assert cs.mcnemar_power(n, 0.10, 0.05) == pytest.approx(0.8, abs=1e-9)


@pytest.mark.parametrize("n,p10,p01", [(458, 0.121, 0.065), (300, 0.10, 0.05), (800, 0.08, 0.06)])
def test_mcnemar_power_matches_simulation(n, p10, p01):
    """Connor's power vs 20,000 simulated studies with the (uncorrected) McNemar z-test."""
    rng = np.random.default_rng(1)
    cells = rng.multinomial(n, [p10, p01, 1 - p10 - p01], size=20_000)
    b, c = cells[:, 0], cells[:, 1]
    with np.errstate(invalid="ignore", divide="ignore"):
        reject = (b - c) ** 2 / (b + c) > 3.841458820694124
    assert float(cs.mcnemar_power(n, p10, p01)) == pytest.approx(reject.mean(), abs=0.02)


def test_wave_change_power_matches_simulation_and_sample_size():
    p10, p01, n0 = 0.121, 0.065, 1500
    n1 = cs.wave_change_sample_size(-4.0, p_only_reference=p10, p_only_group=p01, n_base=n0)
    assert cs.wave_change_power(n1, -4.0, p_only_reference=p10, p_only_group=p01, n_base=n0) >= 0.8
    assert cs.wave_change_power(n1 - 1, -4.0, p_only_reference=p10, p_only_group=p01, n_base=n0) < 0.8
    # the planning assumption: the discordant-pair share ψ stays, the gap changes by -4 pp
    psi, d1 = p10 + p01, (p10 - p01) - 0.04
    q10, q01 = (psi + d1) / 2, (psi - d1) / 2
    rng = np.random.default_rng(2)
    S = 20_000
    a = rng.multinomial(n0, [p10, p01, 1 - p10 - p01], size=S)
    b = rng.multinomial(int(n1), [q10, q01, 1 - q10 - q01], size=S)
    d0 = (a[:, 1] - a[:, 0]) / n0
    d1 = (b[:, 1] - b[:, 0]) / n1
    v0 = (a[:, 0] + a[:, 1]) / n0 - d0 ** 2
    v1 = (b[:, 0] + b[:, 1]) / n1 - d1 ** 2
    z = (d1 - d0) / np.sqrt(v0 / n0 + v1 / n1)
    assert (np.abs(z) > 1.959963984540054).mean() == pytest.approx(0.8, abs=0.02)
    # a nulmeting too small for any follow-up to reach 80% power
    assert cs.wave_change_sample_size(-1.0, p_only_reference=p10, p_only_group=p01, n_base=100) == np.inf


@pytest.mark.parametrize("per_side,seed", [((1, 1), 1), (((1, 4), (1, 4)), 2), (((1, 3), (2, 5)), 3)])
def test_lpm_from_cluster_tables_equals_row_level(per_side, seed):
    """The LPM of the discrimination table and of ``core_statistics`` (computed from per-vacancy
    sums, for speed) equals the row-level within estimator :func:`lpm_fe`."""
    s = _study(n_vac=60, per_side=per_side, seed=seed)
    row = cs.lpm_fe(s, "etniciteit").iloc[0]
    fast = cs.core_statistics(s)["lpm"].iloc[0]
    assert fast["term"] == row["term"] == "group[b]"
    assert fast["coef"] == pytest.approx(row["coef"], abs=1e-12)
    assert fast["se"] == pytest.approx(row["se"], abs=1e-12)
    assert fast["p"] == pytest.approx(row["p"], abs=1e-10)
    d = cs.discrimination_table(s).iloc[0]
    assert (d["lpm_coef"], d["lpm_se"], d["lpm_p"]) == (fast["coef"], fast["se"], fast["p"])


def test_lpm_tables_with_three_groups_in_one_ground():
    rng = np.random.default_rng(4)
    rows = []
    for v in range(80):
        for lab in ("a", "b") + (("c",) if v % 3 else ()):
            for j in range(rng.integers(1, 3)):
                rows.append({"vacancy": v, "group": lab, "application": f"{lab}{j}", "outcome": int(rng.random() < 0.3)})
    s = cs.prepare(pd.DataFrame(rows), reference_groups={"e": "a"}, ground="e")
    row = cs.lpm_fe(s, "e").set_index("term")
    fast = cs.core_statistics(s)["lpm"].set_index("term")
    assert np.allclose(fast[["coef", "se"]].to_numpy(), row[["coef", "se"]].to_numpy(), atol=1e-12)
    d = cs.discrimination_table(s)
    assert set(d["group"]) == {"b", "c"}
    pc = d.set_index("group")
    assert pc.loc["c", "vacancies"] < pc.loc["b", "vacancies"]  # c only in 2 of 3 vacancies


def test_regression_table_matches_lpm_fe_and_names_terms_readably():
    st = _study(n_vac=60, seed=8, covariate=True)
    reg = cs.regression_table(st, ["quality"], {"quality": "kwaliteit"})
    fit = cs.lpm_fe(st, "etniciteit", covariates=["quality"])
    assert list(reg["term"]) == ["b", "kwaliteit: laag"]
    assert reg["coef"].tolist() == pytest.approx(fit["coef"].tolist(), rel=1e-12)
    assert (reg["vacancies"] == 60).all() and reg["odds_ratio"].notna().all()


def test_design_table_and_grounds_count_what_was_analysed():
    st = _study(n_vac=30, per_side=(1, 2), seed=3)
    t = cs.design_table(st)
    assert t[["vacancies", "applications"]].values.tolist() == [[30, 90]]
    assert t["per_vacancy"].iloc[0] == 3.0
    assert st.grounds == ["etniciteit"]


@pytest.mark.parametrize("n,p10,p01", [(120, 0.121, 0.065), (300, 0.10, 0.05), (60, 0.25, 0.10)])
def test_mcnemar_exact_power_matches_simulation_of_the_reports_test(n, p10, p01):
    """Issue 18: the planner's exact power against 20,000 simulated studies judged by the report's own
    test (statistics.mcnemar_exact, p <= 0.05). The asymptotic (Connor) power overstates it."""
    from evaluatie.analyses.correspondence.statistics import mcnemar_exact

    rng = np.random.default_rng(18)
    cells = rng.multinomial(n, [p10, p01, 1 - p10 - p01], size=20_000)
    pairs, counts = np.unique(cells[:, :2], axis=0, return_counts=True)
    reject = sum(k for (b, c), k in zip(pairs, counts) if mcnemar_exact(b, c) <= 0.05) / 20_000
    exact = cs.mcnemar_exact_power(n, p10, p01)
    assert exact == pytest.approx(reject, abs=0.01)  # 3.5 simulation standard errors at most
    assert float(cs.mcnemar_power(n, p10, p01)) > exact


@pytest.mark.parametrize("p10,p01", [(0.10, 0.05), (0.121, 0.065), (0.30, 0.24)])
def test_mcnemar_exact_sample_size_is_the_smallest_that_reaches_the_power(p10, p01):
    n = cs.mcnemar_exact_sample_size(p10, p01, power=0.8)
    assert cs.mcnemar_exact_power(n, p10, p01) >= 0.8
    assert all(cs.mcnemar_exact_power(m, p10, p01) < 0.8 for m in range(int(0.9 * n), n))
    asymptotic = cs.mcnemar_sample_size(p10, p01, power=0.8)
    assert n > asymptotic and cs.mcnemar_exact_power(asymptotic, p10, p01) < 0.8  # Connor plans too few
