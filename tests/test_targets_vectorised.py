"""evaluatie.analyses.targets, vectorised path. All series of a table are fitted at once
(``targets.fit_segments``: one numpy IRLS for every binomial-logit series, one WLS for every
share series). Proven here:

- a series fitted in a batch gets bit for bit the fit it gets alone (per-series convergence);
- those fits equal statsmodels fitted series by series to 1e-8 (GLM binomial and
  quasi-binomial with X2 scale, WLS, OLS) on synthetic series with 3 points, gaps in the years
  and all sizes, on the published series and on the example personnel data; with separation
  (no or only successes) the coefficients have no finite value, and the fitted shares agree;
- the table-level helpers (``assess_entities``, ``evaluate_targets``, ``backtest``,
  ``backtest_groups``, ``check_growth_path``, ``segment_ids``) equal their per-series
  definitions — the loops this module used before — exactly, dtypes included.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from scipy.special import expit

from evaluatie.analyses import targets as T
from evaluatie.analyses.targets import personnel as P

REPO = Path(__file__).resolve().parents[1]
RAW = REPO / "data" / "raw"
BRK = [{"year": 2014, "label": "automatische telling", "groups": ["migration_background"]},
       {"year": 2016, "label": "nieuwe definities en fusies", "groups": "all"}]


# --------------------------------------------------------------------------- helpers

def _frame(years, k=None, n=None, share=None):
    years = np.asarray(years)
    d = {"year": years}
    if k is not None:
        d.update(numerator=np.asarray(k, float), denominator=np.asarray(n, float),
                 share_pct=100 * np.asarray(k, float) / np.asarray(n, float))
    else:
        d["share_pct"] = np.asarray(share, float)
        if n is not None:
            d["denominator"] = np.asarray(n, float)
    return pd.DataFrame(d)


def _synthetic(seed=7, count=240):
    """Series of every kind: GLM (counts), WLS (denominators), OLS; 3 to 12 points; gaps;
    sizes 20 to 50,000; with and without overdispersion; plus separated series."""
    rng = np.random.default_rng(seed)
    out = []
    for i in range(count):
        m = int(rng.integers(3, 13))
        years = (np.arange(2010, 2010 + m) if i % 3 else
                 np.sort(rng.choice(np.arange(2000, 2035), m, replace=False)))
        n = rng.integers(20, 50000, m).astype(float)
        eta = rng.normal(-1.5, 1) + rng.normal(0, 0.1) * (years - years[0]) + rng.normal(0, rng.choice([0.0, 0.1]), m)
        k = rng.binomial(n.astype(int), expit(eta)).astype(float)
        kind = i % 4
        if kind in (0, 1):
            out.append(_frame(years, k, n))
        elif kind == 2:
            out.append(_frame(years, share=100 * k / n, n=n))
        else:
            out.append(_frame(years, share=100 * k / n))
    for years in (np.arange(2016, 2019), np.array([2014, 2017, 2018, 2022]), np.arange(2012, 2020)):
        n = np.linspace(40, 90, len(years)).round()
        zeros = np.zeros(len(years))
        last_one = zeros.copy()
        last_one[-1] = 1
        first_all = np.where(np.arange(len(years)) < 2, n, 0.0)
        out += [_frame(years, zeros, n), _frame(years, n, n), _frame(years, last_one, n),
                _frame(years, first_all, n)]
    return out


def _sm_glm(seg, scale="X2"):
    x = (seg["year"] - seg["year"].max()).to_numpy(float)
    model = sm.GLM(seg["numerator"] / seg["denominator"], sm.add_constant(x, has_constant="add"),
                   family=sm.families.Binomial(), var_weights=seg["denominator"].to_numpy(float))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # perfect-separation warnings in the edge cases
        return model.fit(scale=scale, tol=1e-13, maxiter=200)


def _sm_wls(seg):
    x = (seg["year"] - seg["year"].max()).to_numpy(float)
    den = seg["denominator"] if "denominator" in seg else pd.Series(np.nan, index=seg.index)
    w = den.to_numpy(float) if den.notna().all() and (den > 0).all() else np.ones(len(seg))
    return sm.WLS(seg["share_pct"].to_numpy(float), sm.add_constant(x, has_constant="add"), weights=w).fit(), w


def _separated(seg):
    k, n = seg["numerator"].to_numpy(), seg["denominator"].to_numpy()
    return bool((k == 0).all() or (k == n).all() or ((k == 0) | (k == n)).sum() >= len(k) - 1)


def _check_against_statsmodels(seg, fit):
    """One fit against statsmodels, to 1e-8 (see the module docstring)."""
    if fit.method == "glm_logit":
        res = _sm_glm(seg)
        if _separated(seg):  # no finite MLE: compare the fitted shares
            with np.errstate(all="ignore"):
                fitted = fit.predict(seg["year"].to_numpy()) / 100
            np.testing.assert_allclose(fitted, res.fittedvalues, rtol=0, atol=1e-8)
            assert fit.scale == 1.0 and not fit.scale_estimated
            return
        np.testing.assert_allclose(fit.beta, res.params, rtol=1e-8, atol=1e-12)
        assert fit.dispersion_raw == pytest.approx(res.scale, rel=1e-8)
        np.testing.assert_allclose(fit.cov / fit.scale, res.normalized_cov_params, rtol=1e-8)
        if fit.scale_estimated:  # phi = X2/df > 1: statsmodels' quasi-binomial covariance
            np.testing.assert_allclose(fit.cov, res.cov_params(), rtol=1e-8)
        else:  # phi = 1: statsmodels' binomial covariance (scale 1 x its normalized covariance)
            assert fit.scale == 1.0
            np.testing.assert_allclose(fit.cov, res.normalized_cov_params, rtol=1e-8)
    else:
        res, w = _sm_wls(seg)
        np.testing.assert_allclose(fit.beta, res.params, rtol=1e-8, atol=1e-10)
        np.testing.assert_allclose(fit.cov, res.cov_params(), rtol=1e-8, atol=1e-14)
        # prediction interval three years on, for a new year weighted like the last one
        frame = res.get_prediction(np.array([[1.0, 3.0]]), weights=w[-1]).summary_frame(alpha=0.05)
        lo, hi = fit.prediction_interval(int(seg["year"].max()) + 3)
        assert (lo, hi) == (pytest.approx(max(frame["obs_ci_lower"].iloc[0], 0.0), rel=1e-8, abs=1e-10),
                            pytest.approx(min(frame["obs_ci_upper"].iloc[0], 100.0), rel=1e-8, abs=1e-10))


def _same_fit(a, b):
    assert a.method == b.method and a.df == b.df and a.last_year == b.last_year
    assert np.array_equal(a.years, b.years)
    assert np.array_equal(a.beta, b.beta) and np.array_equal(a.cov, b.cov)
    assert a.scale == b.scale and a.new_size == b.new_size
    assert a.scale_estimated == b.scale_estimated
    assert a.dispersion_raw == b.dispersion_raw or (a.dispersion_raw is None and b.dispersion_raw is None)


# --------------------------------------------------------------------------- batch = alone, bit for bit

def test_batch_fits_are_bit_identical_to_single_fits():
    segs = _synthetic()
    with np.errstate(all="ignore"):
        batch = T.fit_segments(segs)
        alone = [T.fit_trend(s) for s in segs]
        # fit_trends (same years for every row) converges each row on its own as well
        years = np.arange(2016, 2022)
        rng = np.random.default_rng(3)
        k = rng.binomial(300, expit(-0.6 + 0.05 * (years - 2016)), (50, len(years))).astype(float)
        k[0] = 0  # a separated series does not change the others
        rows = T.fit_trends(years, numerator=k, denominator=np.full_like(k, 300.0))
        one = [T.fit_trends(years, numerator=k[i], denominator=np.full(len(years), 300.0))[0] for i in range(50)]
    assert {f.method for f in batch} == {"glm_logit", "wls"}
    for a, b in zip(batch, alone):
        _same_fit(a, b)
    for a, b in zip(rows, one):
        _same_fit(a, b)


# --------------------------------------------------------------------------- vs statsmodels, per series

def test_vectorised_fits_match_statsmodels_series_by_series():
    segs = _synthetic(seed=11, count=80)
    with np.errstate(all="ignore"):
        fits = T.fit_segments(segs)
    kinds = {(f.method, f.scale_estimated if f.method == "glm_logit" else None, len(s) == 3,
              bool(np.any(np.diff(s["year"]) > 1))) for s, f in zip(segs, fits)}
    assert {("glm_logit", True, False, True), ("glm_logit", False, True, False), ("wls", None, True, True)} <= kinds
    for seg, fit in zip(segs, fits):
        _check_against_statsmodels(seg, fit)


@pytest.mark.parametrize("years", [[2016, 2017, 2018], [2014, 2017, 2018, 2022]])
@pytest.mark.parametrize("case", ["none", "all", "last_one", "first_all"])
def test_separation_fitted_shares_match_statsmodels(years, case):
    n = np.linspace(40, 90, len(years)).round()
    k = {"none": np.zeros(len(years)), "all": n.copy(),
         "last_one": np.r_[np.zeros(len(years) - 1), 1.0],
         "first_all": np.where(np.arange(len(years)) < 2, n, 0.0)}[case]
    seg = _frame(years, k, n)
    with np.errstate(all="ignore"):
        fit = T.fit_segments([seg])[0]
    assert fit.method == "glm_logit"
    _check_against_statsmodels(seg, fit)


def _published():
    frames = [T.read_series(RAW / f, {"group": "group_key"}) for f in
              ("streefcijfers_vlaamse_overheid_2009_2014.csv", "streefcijfers_vlaamse_overheid_2014_2023.csv")]
    return T.combine_sources(frames)[0]


def test_published_series_match_statsmodels():
    data = _published()
    segs = [sg for g in dict.fromkeys(data["group"])
            for sg in T.segments(T.group_series(data, g), T.breaks_for(BRK, g)) if len(sg) >= T.MIN_POINTS]
    fits = T.fit_segments(segs)
    assert len(fits) >= 10
    for seg, fit in zip(segs, fits):
        _check_against_statsmodels(seg, fit)


@pytest.fixture(scope="module")
def micro():
    prep = P.prepare_file(REPO / "data" / "example" / "personnel.parquet")
    by_entity, _ = P.aggregate(prep, by=("date", "entity", "group"), threshold=5)
    by_domain, _ = P.aggregate(prep, by=("date", "policy_domain", "group"), threshold=5)
    tgt = T.read_targets(RAW / "streefcijfers_targets.csv")
    tgt = tgt[tgt["group"].isin(set(by_entity["group"])) & tgt["target_year"].notna()]
    return by_entity, by_domain, tgt[tgt["target_year"] >= int(by_entity["year"].min())]


def _clean(tab):
    t = pd.DataFrame({c: tab[c] for c in tab.columns})
    t = t[t["numerator"].notna()].copy()
    t["numerator"] = t["numerator"].astype(float)
    t["share_pct"] = t["share_pct"].astype(float)
    t["definition"] = t["definition"].astype(object).where(t["definition"].astype(str) != "", None)
    return t


def test_personnel_series_match_statsmodels(micro):
    by_entity, _, tgt = micro
    data = _clean(by_entity)
    segs = []
    for (e, g), d in data[data["group"].isin(set(tgt["group"]))].groupby(["entity", "group"]):
        seg = T.last_segment(d.sort_values("year"), T.breaks_for(BRK, g))
        if len(seg) >= T.MIN_POINTS:
            segs.append(seg)
    segs = segs[::3]  # every third series keeps the test fast
    fits = T.fit_segments(segs)
    assert len(fits) >= 40 and {f.method for f in fits} == {"glm_logit"}
    for seg, fit in zip(segs, fits):
        _check_against_statsmodels(seg, fit)


# --------------------------------------------------------------------------- table helpers = per-series definitions

def _assess_entities_reference(table, targets, breaks, as_of, by):
    ok = _clean(table)
    end = int(table["year"].max())  # "now" is the end of the whole table, suppressed cells included
    rows = []
    for key, d in ok.groupby(by, sort=True):
        ev = T.evaluate_targets(d[["group", "year", "share_pct", "numerator", "denominator", "definition"]],
                                targets, breaks, as_of, data_end=end)
        if len(ev):
            rows.append(ev.assign(**{by: key}))
    out = pd.concat(rows, ignore_index=True)
    return out[[by] + [c for c in out.columns if c != by]]


@pytest.mark.parametrize("as_of", [None, 2017, 2018])
def test_assess_entities_equals_entity_by_entity(micro, as_of):
    by_entity, by_domain, tgt = micro
    for table, by in ((by_entity, "entity"), (by_domain, "policy_domain")):
        got = T.assess_entities(table, tgt, BRK, as_of, by=by)
        pd.testing.assert_frame_equal(got, _assess_entities_reference(table, tgt, BRK, as_of, by), check_exact=True)
    if as_of == 2017:  # short series: some targets without a trend, so columns holding None
        assert got["trend_pp_per_year"].isna().any() or got["status"].eq("insufficient_data").any()


def test_evaluate_targets_equals_assess_per_target():
    data = _published()
    tgt = T.read_targets(RAW / "streefcijfers_targets.csv")
    for as_of in (None, 2019):
        ev = T.evaluate_targets(data, tgt, BRK, as_of)
        assert len(ev) >= 8
        for r in ev.to_dict("records"):
            s = T.group_series(data, r["group"], up_to=r["evaluated_at"])
            now = as_of if as_of is not None else int(data["year"].max())
            ref = T.assess(s, r["target_pct"], r["target_year"], T.breaks_for(BRK, r["group"]), now=now)
            got = {k: r[k] for k in T.ASSESS_KEYS}
            for k in T.ASSESS_KEYS:
                assert got[k] == ref[k] or (pd.isna(got[k]) and ref[k] is None), (r["group"], k)


def _backtest_reference(series, breaks):
    """The per-origin loop: fit_trend on the past of each origin, predict each later year."""
    rows = []
    for si, seg in enumerate(T.segments(series, breaks)):
        for origin in seg["year"]:
            past, fut = seg[seg["year"] <= origin], seg[seg["year"] > origin]
            if len(past) < T.MIN_POINTS or fut.empty:
                continue
            fit = T.fit_trend(past)
            for _, r in fut.iterrows():
                yr, obs = int(r["year"]), float(r["share_pct"])
                pred = float(fit.predict(yr))
                lo, hi = fit.prediction_interval(yr)
                naive = T.naive_projection(seg, int(origin), yr)
                rows.append(dict(segment=si, origin_year=int(origin), year=yr, horizon=yr - int(origin),
                                 observed_pct=obs, trend_pct=pred, pi_low=float(lo), pi_high=float(hi),
                                 naive_pct=naive, error_trend_pp=pred - obs, error_naive_pp=naive - obs,
                                 covered=bool(lo <= obs <= hi)))
    return pd.DataFrame(rows, columns=T.BACKTEST_COLUMNS)


def test_backtest_equals_per_origin_fits():
    data = _published()
    groups = list(dict.fromkeys(data["group"]))
    parts = []
    for g in groups:
        ref = _backtest_reference(T.group_series(data, g), T.breaks_for(BRK, g))
        got = T.backtest(T.group_series(data, g), T.breaks_for(BRK, g))
        pd.testing.assert_frame_equal(got, ref, check_exact=True)
        if len(ref):
            parts.append(ref.assign(group=g))
    ref = pd.concat(parts, ignore_index=True)
    pd.testing.assert_frame_equal(T.backtest_groups(data, groups, BRK), ref[["group"] + T.BACKTEST_COLUMNS],
                                  check_exact=True)
    with np.errstate(all="ignore"):
        for seg in _synthetic(seed=5, count=40):
            pd.testing.assert_frame_equal(T.backtest(seg), _backtest_reference(seg, []), check_exact=True)


def test_assess_entities_keeps_the_dtypes_of_an_entity_by_entity_concat():
    """Entities whose rows hold different Python types (a trend or None, a method or None) are
    stacked as a per-entity concat would, dtypes included, in the entities' order."""
    def rows(entity, years, k, n):
        return pd.DataFrame({"entity": entity, "group": "g", "year": years, "definition": "",
                             "numerator": np.asarray(k, float), "denominator": np.asarray(n, float),
                             "share_pct": 100 * np.asarray(k, float) / np.asarray(n, float)})
    table = pd.concat([rows("e1", [2016, 2017, 2018, 2019], [10, 12, 13, 15], [100, 100, 110, 110]),
                       rows("e2", [2018, 2019], [3, 4], [50, 50]),  # too short for a trend
                       rows("e3", [2016, 2017, 2018, 2019], [40, 41, 45, 50], [100, 100, 100, 100]),  # reached
                       rows("e4", [2019], [1], [20])], ignore_index=True)
    table.loc[len(table)] = ["e5", "g", 2020, "", np.nan, 30.0, np.nan]  # suppressed: counts for "now"
    targets = pd.DataFrame({"group": ["g"], "target_pct": [30.0], "target_year": [2022]})
    got = T.assess_entities(table, targets)
    assert got["entity"].tolist() == ["e1", "e2", "e3", "e4"]
    assert got["method"].isna().tolist() == [False, True, False, True]
    pd.testing.assert_frame_equal(got, _assess_entities_reference(table, targets, (), None, "entity"),
                                  check_exact=True)


def _check_growth_path_reference(shares, rules):
    s = shares.set_index(["entity", "group", "year"])["share_pct"]
    out = []
    for _, r in rules.iterrows():
        kind, val = T.parse_interim_target(r["rule"])
        share = s.get((r["entity"], r["group"], int(r["year"])))
        thr = val if kind != "at_least_previous" else s.get((r["entity"], r["group"], int(r["year"]) - 1))
        met = pd.NA if share is None or thr is None or pd.isna(share) or pd.isna(thr) else bool(
            round(float(share), 9) >= round(float(thr), 9))
        out.append({**r.to_dict(), "rule_type": kind, "threshold_pct": thr, "share_pct": share, "met": met})
    return pd.DataFrame(out)


def test_check_growth_path_equals_row_by_row(micro):
    by_entity, _, _ = micro
    shares = _clean(by_entity)[["entity", "group", "year", "share_pct"]]
    years = sorted(set(shares["year"]))
    rules = pd.DataFrame([{"entity": e, "group": g, "year": y, "rule": "Hoger of gelijk aan niveau jx-1"}
                          for e in sorted(set(shares["entity"]))[:30]
                          for g in ["foreign_origin", "disability_chronic_illness", "women_top"] for y in years[1:]])
    rules["rule"] = rules["rule"].astype(object)
    rules.loc[::7, "rule"] = "Minstens 3%"
    rules.loc[::11, "rule"] = "2,30%"
    rules.loc[::13, "rule"] = 2.5
    pd.testing.assert_frame_equal(T.check_growth_path(shares, rules), _check_growth_path_reference(shares, rules),
                                  check_exact=True)


def _segment_ids_reference(series, breaks=()):
    """segment_ids as first written, with pandas selections per row."""
    s = series.copy()
    s["year"] = s["year"].astype(int)
    s["definition"] = s["definition"].astype(object).where(s["definition"].notna(), None)
    s = s.sort_values("year", kind="stable")
    group = s["group"].iloc[0] if "group" in s and s["group"].nunique() == 1 else None
    years = np.array(T.breaks_for(breaks, group), dtype=int)
    s["_interval"] = np.searchsorted(years, s["year"].to_numpy(), side="right")
    defs = []
    for iv, y, d in zip(s["_interval"], s["year"], s["definition"]):
        if d is None:
            lab = s[(s["_interval"] == iv) & s["definition"].notna()]
            first = lab.groupby("definition")["year"].min()
            later, earlier = lab[lab["year"] >= y], lab[lab["year"] < y]
            if len(later):
                d = min(later[later["year"] == later["year"].min()]["definition"], key=lambda c: first[c])
            elif len(earlier):
                d = max(earlier[earlier["year"] == earlier["year"].max()]["definition"], key=lambda c: first[c])
            else:
                d = ""
        defs.append(d)
    s["_def"] = defs
    if s.duplicated(["year", "_def"], keep=False).any():
        raise ValueError("duplicate")
    keys = s.groupby(["_interval", "_def"], sort=False)["year"].min().sort_values(kind="stable")
    order = {k: i for i, k in enumerate(sorted(keys.index, key=lambda k: (k[0], keys[k])))}
    return pd.Series([order[(iv, d)] for iv, d in zip(s["_interval"], s["_def"])], index=s.index, name="segment")


def test_segment_ids_equal_the_pandas_definition():
    rng = np.random.default_rng(9)
    checked = 0
    for _ in range(150):
        m = int(rng.integers(1, 10))
        years = np.sort(rng.choice(np.arange(2010, 2022), m))  # repeated years: overlap years
        defs = rng.choice(np.array(["old", "new", "x", None], dtype=object), m)
        s = pd.DataFrame({"year": years, "share_pct": rng.uniform(0, 50, m), "definition": defs,
                          "group": "g"}).sample(frac=1, random_state=int(rng.integers(1e6)))
        brk = [int(y) for y in rng.choice(np.arange(2011, 2021), int(rng.integers(0, 3)), replace=False)]
        try:
            ref = _segment_ids_reference(s, brk)
        except ValueError:
            with pytest.raises(ValueError):
                T.segment_ids(s, brk)
            continue
        pd.testing.assert_series_equal(T.segment_ids(s, brk), ref)
        checked += 1
    assert checked > 50
