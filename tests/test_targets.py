"""evaluatie.analyses.targets: assessment against hand-computed values, trend intervals against
statsmodels, prediction-interval coverage by simulation, Tabel 1 of the 2016-2020 strategic plan
reproduced from data/raw, and a user's file in another layout giving the same assessment."""

from __future__ import annotations

import math
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from scipy import stats
from scipy.special import expit

from evaluatie.analyses import targets as T
from evaluatie.core.errors import DataError

REPO = Path(__file__).resolve().parents[1]
RAW = REPO / "data" / "raw"


def series(years, shares, **extra):
    return pd.DataFrame({"year": years, "share_pct": shares, **extra})


# --------------------------------------------------------------------------- assess: hand values

def test_assess_returns_exactly_the_issue_keys():
    out = T.assess(series([2016, 2017, 2018], [1.0, 2.0, 3.0]), 5, 2020)
    assert tuple(out) == T.ASSESS_KEYS
    assert set(out) == {"last_year", "last_share_pct", "gap_pp", "required_pp_per_year",
                        "trend_pp_per_year", "trend_ci_low", "trend_ci_high", "projected_pct",
                        "projection_pi_low", "projection_pi_high", "p_reach", "persons_short", "status"}


def test_assess_women_middle_2019_by_hand():
    # women in middle management 2016-2019 (after the 2016 break), target 40% by 31/12/2020
    s = series([2014, 2015, 2016, 2017, 2018, 2019], [33.6, 33.7, 34.9, 35.4, 37.7, 37.7])
    out = T.assess(s, 40, 2020, breaks=[2016])
    assert out["last_year"] == 2019 and out["last_share_pct"] == 37.7
    assert out["gap_pp"] == pytest.approx(2.3)
    assert out["required_pp_per_year"] == pytest.approx(2.3)  # one year left
    # OLS by hand on x = -3..0: Sxy = 5.35, Sxx = 5 -> slope 1.07; intercept at 2019: 38.03
    assert out["trend_pp_per_year"] == pytest.approx(1.07)
    assert out["projected_pct"] == pytest.approx(38.03 + 1.07)
    # residuals and s^2 by hand -> slope CI with t(2)
    x = np.array([-3, -2, -1, 0.0])
    y = np.array([34.9, 35.4, 37.7, 37.7])
    res = y - (38.03 + 1.07 * x)
    s2 = (res ** 2).sum() / 2
    half = stats.t.ppf(0.975, 2) * math.sqrt(s2 / 5)
    assert out["trend_ci_low"] == pytest.approx(1.07 - half)
    assert out["trend_ci_high"] == pytest.approx(1.07 + half)
    assert out["persons_short"] is None
    assert out["status"] == "behind"
    assert 0 < out["p_reach"] < 0.5


def test_required_change_spreads_gap_over_remaining_years():
    out = T.assess(series([2016, 2017, 2018, 2019], [8, 9, 10, 11]), 13.5, 2022)
    assert out["required_pp_per_year"] == pytest.approx(2.5 / 3)
    assert out["trend_pp_per_year"] == pytest.approx(1.0)
    assert out["projected_pct"] == pytest.approx(14.0)
    assert out["status"] == "on_track"
    assert out["p_reach"] > 0.5


def test_persons_short_ceil_at_last_denominator():
    s = series([2016, 2017, 2018], [35.0, 35.38, 37.72], numerator=[100, 92, 86],
               denominator=[286, 260, 228])
    # 40% of 228 = 91.2 persons -> 92 needed, 86 there -> 6 short
    assert T.assess(s, 40, 2020)["persons_short"] == 6
    # exact boundary: 40% of 230 = 92 (0.4 * 230 is 92.00000000000001 in floating point)
    s2 = series([2016, 2017, 2018], [38.0, 38.5, 39.13], numerator=[95, 96, 90],
                denominator=[250, 249, 230])
    assert T.assess(s2, 40, 2020)["persons_short"] == 2
    # reached -> 0 short, never negative
    s3 = series([2016, 2017, 2018], [40, 41, 42], numerator=[40, 41, 42], denominator=[100] * 3)
    out = T.assess(s3, 40, 2020)
    assert out["persons_short"] == 0 and out["status"] == "reached"
    assert out["required_pp_per_year"] == 0.0


def test_status_reached_even_without_trend_and_deadline_passed():
    fo = series([2016, 2017, 2018, 2019, 2020], [8.9, 9.6, 10.2, 10.7, 11.5])
    out = T.assess(fo, 10, 2020)
    assert out["status"] == "reached"
    assert out["gap_pp"] == pytest.approx(-1.5)
    assert out["required_pp_per_year"] is None  # the target date has passed
    # women in middle management 2020: 39,4% -> not reached by 0,6 pp
    wm = series([2016, 2017, 2018, 2019, 2020], [34.9, 35.4, 37.7, 37.7, 39.4])
    out = T.assess(wm, 40, 2020)
    assert out["status"] == "behind" and out["gap_pp"] == pytest.approx(0.6)


def test_insufficient_data_fewer_than_three_points_since_break():
    mb = series([2009, 2010, 2011, 2012, 2013, 2014, 2015], [2.0, 2.7, 2.8, 3.0, 3.1, 4.3, 4.4])
    out = T.assess(mb, 5, 2016, breaks=[2014])
    assert out["status"] == "insufficient_data"
    assert out["trend_pp_per_year"] is None and out["p_reach"] is None
    assert out["gap_pp"] == pytest.approx(0.6) and out["required_pp_per_year"] == pytest.approx(0.6)
    # without the break there would be a trend: the break is what stops it
    assert T.assess(mb, 5, 2016)["trend_pp_per_year"] is not None


def test_trend_never_crosses_a_break():
    s = series(range(2010, 2020), [10, 11, 12, 13, 14, 30, 30.5, 31, 31.5, 32])
    out = T.assess(s, 40, 2025, breaks=[2015])
    assert out["trend_pp_per_year"] == pytest.approx(0.5)
    brk = [{"year": 2015, "label": "x", "groups": ["other"]}]  # a break for another group only
    s_g = s.assign(group="mine")
    assert T.assess(s_g, 40, 2025, breaks=brk)["trend_pp_per_year"] != pytest.approx(0.5)


def test_overlap_year_splits_on_definition_and_link_factor():
    s = pd.DataFrame({
        "year": [2013, 2014, 2015, 2016, 2016, 2017, 2018],
        "share_pct": [3.1, 4.3, 4.4, 5.4, 8.9, 9.6, 10.2],
        "definition": [None, None, "old", "old", "new", "new", "new"],
    })
    segs = T.segments(s)
    assert [list(g["year"]) for g in segs] == [[2013, 2014, 2015, 2016], [2016, 2017, 2018]]
    last = T.last_segment(s)
    assert list(last["share_pct"]) == [8.9, 9.6, 10.2]
    lf = T.link_factor(s[s["definition"] != "new"], s[s["definition"] == "new"])
    assert lf["year"].tolist() == [2016]
    assert lf["ratio"].iloc[0] == pytest.approx(8.9 / 5.4)
    assert lf["difference_pp"].iloc[0] == pytest.approx(3.5)


# --------------------------------------------------------------------------- vs statsmodels

def test_wls_trend_matches_statsmodels():
    years = np.arange(2015, 2022)
    den = np.array([900, 950, 1000, 980, 1020, 1100, 1050.0])
    y = np.array([20.1, 21.4, 21.9, 23.5, 23.9, 25.6, 25.8])
    fit = T.fit_trend(series(years, y, denominator=den))
    assert fit.method == "wls"
    X = sm.add_constant(years - years.max())
    res = sm.WLS(y, X, weights=den).fit()
    np.testing.assert_allclose(fit.beta, res.params, rtol=1e-10)
    np.testing.assert_allclose(fit.cov, res.cov_params(), rtol=1e-10)
    est, se, lo, hi = fit.slope()
    ci = res.conf_int(0.05)[1]
    assert (est, se) == (pytest.approx(res.params[1]), pytest.approx(res.bse[1]))
    assert (lo, hi) == (pytest.approx(ci[0]), pytest.approx(ci[1]))
    # prediction interval for a new year with the last year's weight
    pred = res.get_prediction(np.array([[1, 3.0]]), weights=den[-1]).summary_frame(alpha=0.05)
    plo, phi = fit.prediction_interval(years.max() + 3)
    assert plo == pytest.approx(pred["obs_ci_lower"].iloc[0])
    assert phi == pytest.approx(pred["obs_ci_upper"].iloc[0])
    clo, chi = fit.confidence_interval(years.max() + 3)
    assert clo == pytest.approx(pred["mean_ci_lower"].iloc[0])


def test_ols_when_no_denominators():
    years = np.arange(2016, 2021)
    y = np.array([8.9, 9.6, 10.2, 10.7, 11.5])
    fit = T.fit_trend(series(years, y))
    res = sm.OLS(y, sm.add_constant(years - 2020)).fit()
    np.testing.assert_allclose(fit.beta, res.params, rtol=1e-10)
    lo, hi = fit.slope()[2:]
    assert (lo, hi) == (pytest.approx(res.conf_int(0.05)[1][0]), pytest.approx(res.conf_int(0.05)[1][1]))


def _glm(k, n, years):
    X = sm.add_constant(years - years.max())
    return sm.GLM(k / n, X, family=sm.families.Binomial(), var_weights=n)


def test_glm_trend_matches_statsmodels_quasibinomial():
    years = np.arange(2016, 2024)
    rng = np.random.default_rng(11)
    n = np.array([41000, 40500, 40800, 41500, 42000, 42300, 42900, 43100.0])
    eta = -2.3 + 0.07 * (years - 2016) + rng.normal(0, 0.05, len(years))  # year effects
    k = rng.binomial(n.astype(int), expit(eta)).astype(float)
    fit = T.fit_trend(series(years, 100 * k / n, numerator=k, denominator=n))
    assert fit.method == "glm_logit" and fit.scale_estimated and fit.scale > 1
    res = _glm(k, n, years).fit(scale="X2")
    np.testing.assert_allclose(fit.beta, res.params, rtol=1e-8)
    assert fit.scale == pytest.approx(res.scale, rel=1e-8)
    np.testing.assert_allclose(fit.cov, res.cov_params(), rtol=1e-6)
    # slope at the last year in pp/year, delta method from statsmodels' own estimates
    a, b = res.params
    p = expit(a)
    g = 100 * np.array([b * p * (1 - p) * (1 - 2 * p), p * (1 - p)])
    se = math.sqrt(g @ res.cov_params() @ g)
    est, se_ours, lo, hi = fit.slope()
    assert est == pytest.approx(100 * b * p * (1 - p), rel=1e-8)
    assert se_ours == pytest.approx(se, rel=1e-6)
    tq = stats.t.ppf(0.975, len(years) - 2)
    assert (lo, hi) == (pytest.approx(est - tq * se, rel=1e-6), pytest.approx(est + tq * se, rel=1e-6))
    # ...and the delta-method derivative is the numerical derivative of the fitted curve
    h = 1e-4
    num = (fit.predict(years.max() + h) - fit.predict(years.max() - h)) / (2 * h)
    assert est == pytest.approx(num, rel=1e-6)


def test_glm_without_overdispersion_matches_statsmodels_binomial():
    years = np.arange(2017, 2023)
    n = np.array([300, 310, 305, 298, 302, 300.0])
    k = np.array([102, 108, 110, 110, 115, 117.0])
    fit = T.fit_trend(series(years, 100 * k / n, numerator=k, denominator=n))
    assert fit.dispersion_raw <= 1 and not fit.scale_estimated and fit.scale == 1
    res = _glm(k, n, years).fit()
    np.testing.assert_allclose(fit.cov, res.cov_params(), rtol=1e-6)
    frame = res.get_prediction(np.array([[1, 2.0]])).summary_frame(alpha=0.05)
    lo, hi = fit.confidence_interval(years.max() + 2)
    assert 100 * frame["mean"].iloc[0] == pytest.approx(fit.predict(years.max() + 2), rel=1e-8)
    assert lo == pytest.approx(100 * frame["mean_ci_lower"].iloc[0], rel=1e-6)
    assert hi == pytest.approx(100 * frame["mean_ci_upper"].iloc[0], rel=1e-6)


# --------------------------------------------------------------------------- coverage (simulation)

def _coverage(fits, observed, year):
    inside = [lo <= obs <= hi for f, obs in zip(fits, observed)
              for lo, hi in [f.prediction_interval(year)]]
    return float(np.mean(inside))


@pytest.mark.slow
def test_prediction_interval_coverage_wls():
    """Shares with a linear trend and normal year-to-year noise: 6 years observed, the share
    3 years after the last one predicted; 95% nominal must cover 93-97% of 3,000 series."""
    rng = np.random.default_rng(20240)
    S, years = 3000, np.arange(2016, 2022)
    all_years = np.arange(2016, 2025)
    y = 30 + 1.0 * (all_years - 2016) + rng.normal(0, 1.2, (S, len(all_years)))
    fits = T.fit_trends(years, share_pct=y[:, :len(years)])
    cov = _coverage(fits, y[:, -1], 2024)
    assert 0.93 <= cov <= 0.97, cov


@pytest.mark.slow
def test_prediction_interval_coverage_glm_overdispersed():
    """Headcounts of ~40,000 staff whose logit share has a linear trend plus year effects
    (sd 0.05, far above binomial noise, as in workforce data): 95% nominal within 93-97%."""
    rng = np.random.default_rng(777)
    S, years = 3000, np.arange(2016, 2022)
    all_years = np.arange(2016, 2025)
    n = 40000
    eta = -2.2 + 0.08 * (all_years - 2016) + rng.normal(0, 0.05, (S, len(all_years)))
    k = rng.binomial(n, expit(eta))
    fits = T.fit_trends(years, numerator=k[:, :len(years)], denominator=np.full((S, len(years)), n))
    cov = _coverage(fits, 100 * k[:, -1] / n, 2024)
    assert 0.93 <= cov <= 0.97, cov


@pytest.mark.slow
def test_prediction_interval_glm_pure_binomial_is_not_too_narrow():
    """Without overdispersion (pure binomial, 300 staff) the interval may be conservative,
    never too narrow."""
    rng = np.random.default_rng(3)
    S, years = 2000, np.arange(2016, 2022)
    all_years = np.arange(2016, 2025)
    k = rng.binomial(300, expit(-0.6 + 0.05 * (all_years - 2016)), (S, len(all_years)))
    fits = T.fit_trends(years, numerator=k[:, :len(years)], denominator=np.full((S, len(years)), 300))
    cov = _coverage(fits, 100 * k[:, -1] / 300, 2024)
    assert 0.94 <= cov <= 0.99, cov


# --------------------------------------------------------------------------- backtest

def test_backtest_by_hand():
    s = series([2016, 2017, 2018, 2019, 2020], [34.9, 35.4, 37.7, 37.7, 39.4])
    bt = T.backtest(s)
    first = bt[(bt["origin_year"] == 2018) & (bt["year"] == 2020)].iloc[0]
    # fit 2016-2018 (x = -2, -1, 0): mean 36.0, slope 1.4, fitted 2018 = 37.4 -> 2020: 40.2
    assert first["trend_pct"] == pytest.approx(40.2)
    assert first["error_trend_pp"] == pytest.approx(0.8)
    # naive: last change 2017->2018 = +2.3 per year, continued two years: 42.3
    assert first["naive_pct"] == pytest.approx(42.3)
    assert first["error_naive_pp"] == pytest.approx(2.9)
    assert set(bt["origin_year"]) == {2018, 2019}
    summ = T.backtest_summary(bt)
    assert summ["n_projections"].iloc[0] == 3
    assert summ["mae_naive_pp"].iloc[0] == pytest.approx(bt["error_naive_pp"].abs().mean())


def test_backtest_stays_within_segments():
    s = series(range(2010, 2020), [10, 11, 12, 13, 14, 30, 30.5, 31, 31.5, 32])
    bt = T.backtest(s, breaks=[2015])
    assert ((bt["origin_year"] < 2015) == (bt["year"] < 2015)).all()


# --------------------------------------------------------------------------- real data: Tabel 1

TABEL1 = {  # seed 002, Tabel 1, as printed (2009 ... 2014, Streefcijfers 2015)
    "women_total": ["48,2%", "48,6%", "49,0%", "49,4%", "49,5%", "49,6%", "-"],
    "women_top": ["24,6%", "23,6%", "24,5%", "20,6%", "21,3%", "24,4%", "33,3%"],
    "women_middle": ["25,9%", "28,6%", "28,0%", "31,1%", "30,6%", "33,6%", "33,3%"],
    "women_lower": ["32,9%", "36,7%", "32,7%", "34,9%", "35,9%", "37,1%", "-"],
    "migration_background": ["2,0%", "2,7%", "2,8%", "3,0%", "3,1%", "4,3%", "4,0%"],
    "disability_chronic_illness": ["1,0%", "1,2%", "1,3%", "1,3%", "1,4%", "1,3%", "3,0%"],
    "low_educated": ["18,2%", "17,7%", "17,3%", "16,4%", "15,8%", "18,4%", "-"],
    "experienced_45plus": ["45,1%", "46,0%", "46,3%", "46,8%", "47,5%", "47,7%", "-"],
}


def _published():
    a = T.read_series(RAW / "streefcijfers_vlaamse_overheid_2009_2014.csv", {"group": "group_key"})
    b = T.read_series(RAW / "streefcijfers_vlaamse_overheid_2014_2023.csv", {"group": "group_key"})
    return T.combine_sources([a, b])


def test_tabel1_reproduced_exactly_from_data_raw():
    data, ledgers = _published()
    targets = T.read_targets(RAW / "streefcijfers_targets.csv")
    tab = T.tabel1(data, targets, groups=list(TABEL1))
    got = {r["group"]: [r[str(y)] for y in range(2009, 2015)] + [r["target_2015"]]
           for _, r in tab.iterrows()}
    assert got == TABEL1
    # the two 2014 figures given by both sources are kept once, and accounted for
    assert ledgers[0].excluded == 2 and ledgers[1].excluded == 0
    assert sum(led.analysed for led in ledgers) == len(data)


def test_2020_targets_what_happened():
    data, _ = _published()
    wm = data[data["group"] == "women_middle"]
    out = T.assess(wm[wm["year"] <= 2020], 40, 2020, breaks=[2016])
    assert out["last_share_pct"] == 39.4 and out["gap_pp"] == pytest.approx(0.6)
    assert out["status"] == "behind"


# --------------------------------------------------------------------------- user layout

def test_user_layout_semicolons_decimal_commas_same_assessment(tmp_path):
    data, _ = _published()
    ref = data[data["group"] == "women_middle"][["year", "share_pct", "numerator", "denominator"]]
    lines = ["Jaar;Doelgroep;Aandeel (%);Aantal vrouwen;Aantal posten;Definitie"]
    for _, r in ref.iterrows():
        num = "" if pd.isna(r["numerator"]) else f"{int(r['numerator'])}"
        den = "" if pd.isna(r["denominator"]) else f"{int(r['denominator'])}"
        lines.append(f"{r['year']};vrouwen middenkader;{str(r['share_pct']).replace('.', ',')};{num};{den};")
    f = tmp_path / "eigen_cijfers.csv"
    f.write_text("\n".join(lines) + "\n", encoding="cp1252")
    mapping = {"year": "Jaar", "group": "Doelgroep", "share_pct": "Aandeel (%)",
               "numerator": "Aantal vrouwen", "denominator": "Aantal posten", "definition": "Definitie"}
    user, led = T.read_series(f, mapping)
    assert led.read == len(ref) and led.analysed == len(ref)
    a = T.assess(user, 40, 2020, breaks=[2016])
    b = T.assess(ref, 40, 2020, breaks=[2016])
    assert a == b


def test_bad_user_file_lists_every_problem_in_dutch(tmp_path):
    f = tmp_path / "fout.csv"
    f.write_text("jaar;groep;aandeel;teller;noemer\n2016;x;12,5;;\n20x7;x;13;;\n2018;x;140;;\n"
                 "2019;x;30;40;30\n2020;x;10;2;10\n", encoding="utf-8")
    with pytest.raises(DataError) as e:
        T.read_series(f, {"year": "jaar", "group": "groep", "share_pct": "aandeel",
                          "numerator": "teller", "denominator": "noemer"})
    msg = str(e.value)
    assert len(e.value.problems) == 4
    assert "rij 3" in msg and "kolom 'jaar'" in msg and "20x7" not in msg
    assert "20x7" in [p.value for p in e.value.problems]
    assert "rij 4" in msg and "tussen 0 en 100" in msg
    assert "rij 5" in msg and "rij 6" in msg and "fout.csv" in msg


# --------------------------------------------------------------------------- numbers as written

DUTCH = {"jaar": ["2016", "2017"], "aandeel": ["8,9", "9,6"], "teller": ["1.440", "1.553"],
         "noemer": ["16.180", "16.177"]}
ENGLISH = {"jaar": ["2016", "2017"], "aandeel": ["10.0", "8.9"], "teller": ["144.05", "128.2"],
           "noemer": ["1,440.5", "1,440.5"]}  # headcounts in full-time equivalents
USER_COLUMNS = {"year": "jaar", "share_pct": "aandeel", "numerator": "teller", "denominator": "noemer"}


@pytest.mark.parametrize("kind", ["csv", "parquet"])
@pytest.mark.parametrize("cells, numerator, denominator", [
    (DUTCH, [1440.0, 1553.0], [16180.0, 16177.0]),
    (ENGLISH, [144.05, 128.2], [1440.5, 1440.5]),
], ids=["nl", "en"])
def test_series_numbers_in_dutch_and_english_style(tmp_path, kind, cells, numerator, denominator):
    """"1.440" in Dutch is 1440 (not 1,44), "1,440.5" in English 1440.5: in a CSV, and in a
    Parquet file of text cells (which the reader leaves as text)."""
    frame = pd.DataFrame(cells, dtype=object)
    f = tmp_path / f"cijfers.{kind}"
    if kind == "csv":
        frame.to_csv(f, sep=";" if cells is DUTCH else ",", index=False)
    else:
        frame.to_parquet(f)
    out, _ = T.read_series(f, USER_COLUMNS, group="x")
    assert out["numerator"].tolist() == numerator and out["denominator"].tolist() == denominator
    assert out["year"].tolist() == [2016, 2017]


@pytest.mark.parametrize("text", [
    "jaar;aandeel;teller;noemer\n2016;8,9;1.440;16180\n2017;9,6;n.v.t.;16177\n",
    'jaar,aandeel,teller,noemer\n2016,8.9,"1,440",16180\n2017,9.6,n.v.t.,16177\n',
], ids=["nl", "en"])
def test_text_column_is_read_in_the_files_decimal_style(tmp_path, text):
    """A column with a non-number stays text; its numbers are read in the file's style
    ("1.440" in a Dutch file, "1,440" in an English one: 1440), so only the non-number is
    reported."""
    f = tmp_path / "cijfers.csv"
    f.write_text(text, encoding="utf-8")
    with pytest.raises(DataError) as e:
        T.read_series(f, USER_COLUMNS, group="x")
    assert [(p.row, p.column, p.value) for p in e.value.problems] == [(3, "teller", "n.v.t.")]


# --------------------------------------------------------------------------- growth paths

def test_parse_interim_target_template_wordings():
    assert T.parse_interim_target("Hoger of gelijk aan niveau jx-1") == ("at_least_previous", None)
    assert T.parse_interim_target("Minstens 33%") == ("minimum", 33.0)
    assert T.parse_interim_target("2,30%") == ("explicit", 2.3)
    assert T.parse_interim_target(3) == ("explicit", 3.0)
    with pytest.raises(ValueError):
        T.parse_interim_target("zo veel mogelijk")


def test_growth_path_on_the_template_example():
    ex = pd.read_csv(RAW / "streefcijfers_monitoring_voorbeeld_entiteit.csv")
    shares = pd.concat([
        pd.DataFrame({"entity": "voorbeeld", "group": ex["group"], "year": 2014,
                      "share_pct": ex["share_jx_minus_2_pct"]}),
        pd.DataFrame({"entity": "voorbeeld", "group": ex["group"], "year": 2015,
                      "share_pct": ex["share_jx_minus_1_pct"]}),
    ])
    rules = pd.DataFrame({"entity": "voorbeeld", "group": ex["group"], "year": 2015,
                          "rule": ex["interim_target_jx"]})
    out = T.check_growth_path(shares, rules)
    # migration background 1,24% -> 2,26%: at least last year's level, met
    # disability 2,29% -> 2,26%: fell, not met; N-functions 62,5% >= minimum 33%: met
    assert out["met"].tolist() == [True, False, True]
    assert out["rule_type"].tolist() == ["at_least_previous", "at_least_previous", "minimum"]
    # an explicit interim target, and an unknown previous year
    more = T.check_growth_path(shares, pd.DataFrame({
        "entity": ["voorbeeld", "voorbeeld"], "group": [ex["group"][0]] * 2, "year": [2015, 2014],
        "rule": ["2,30%", "Hoger of gelijk aan niveau jx-1"]}))
    assert more["met"].iloc[0] is False or more["met"].iloc[0] == False  # noqa: E712
    assert pd.isna(more["met"].iloc[1])


def test_gender_balance_rule():
    assert T.gender_balance(32.9) == "women"
    assert T.gender_balance(33.0) is None
    assert T.gender_balance(67.0) is None
    assert T.gender_balance(67.1) == "men"
    s = T.gender_balance(pd.Series([10.0, 50.0, 90.0, np.nan]))
    assert s.iloc[0] == "women" and s.iloc[2] == "men"
    assert s.isna().tolist() == [False, True, False, True]


def test_read_growth_paths_file_in_template_words(tmp_path):
    f = tmp_path / "groeipaden.csv"
    f.write_text("entiteit;groep;jaar;tussentijds\nE1;foreign_origin;2018;Hoger of gelijk aan niveau jx-1\n"
                 "E1;disability_chronic_illness;2018;2,30%\nE2;women_middle;2018;Minstens 33%\n", encoding="utf-8")
    rules = T.read_growth_paths(f, {"entity": "entiteit", "group": "groep", "year": "jaar", "rule": "tussentijds"})
    shares = pd.DataFrame({"entity": ["E1", "E1", "E1", "E2"],
                           "group": ["foreign_origin", "foreign_origin", "disability_chronic_illness", "women_middle"],
                           "year": [2017, 2018, 2018, 2018], "share_pct": [5.0, 5.2, 2.1, 34.0]})
    out = T.check_growth_path(shares, rules)
    assert out["rule_type"].tolist() == ["at_least_previous", "explicit", "minimum"]
    assert out["met"].tolist() == [True, False, True]
    bad = tmp_path / "fout.csv"
    bad.write_text("entity,group,year,rule\nE1,x,2018,zo hoog mogelijk\nE1,x,twintig,Minstens 3%\n", encoding="utf-8")
    with pytest.raises(DataError) as e:
        T.read_growth_paths(bad)
    assert len(e.value.problems) == 2 and "rij 2" in str(e.value) and "rij 3" in str(e.value)


# --------------------------------------------------------------------------- review fixes: verdicts and target lines

BRK_REAL = [{"year": 2014, "label": "automatische telling", "groups": ["migration_background"]},
            {"year": 2016, "label": "nieuwe definities en fusies", "groups": "all"}]


def test_no_not_reached_verdict_without_a_figure_for_the_target_year():
    """Disability had no 2015 figure: the 2015 target is 'geen cijfer 2015', not 'niet gehaald', and
    nothing is 'needed per year' once the date has passed; women in middle management 2020 were
    measured in 2020: 'niet gehaald' by 0,6 pp."""
    data, _ = _published()
    ev = T.evaluate_targets(data, T.read_targets(RAW / "streefcijfers_targets.csv"), BRK_REAL)
    ev["nl"] = T.status_nl(ev)
    d15 = ev[(ev["group"] == "disability_chronic_illness") & (ev["target_year"] == 2015)].iloc[0]
    assert d15["last_year"] == 2014 and d15["date_passed"] and d15["outcome"] == "no_figure_at_target_date"
    assert d15["nl"] == "geen cijfer 2015" and pd.isna(d15["required_pp_per_year"])
    wm = ev[(ev["group"] == "women_middle") & (ev["target_year"] == 2020)].iloc[0]
    assert wm["outcome"] == "not_reached" and wm["nl"] == "niet gehaald" and wm["gap_pp"] == pytest.approx(0.6)
    assert ev["required_pp_per_year"].isna().all()  # every date has passed by 2023
    assert T.status_css(ev["nl"])["geen cijfer 2015"] == "ev-warn"


def test_running_target_keeps_required_pace_and_running_status():
    data, _ = _published()
    ev = T.evaluate_targets(data, T.read_targets(RAW / "streefcijfers_targets.csv"), BRK_REAL, as_of=2019)
    e20 = ev[ev["target_year"] == 2020]
    assert not e20["date_passed"].any() and e20["outcome"].isna().all()
    wm = e20[e20["group"] == "women_middle"].iloc[0]
    assert wm["required_pp_per_year"] == pytest.approx((40 - 37.7) / 1)
    assert T.status_nl(e20.iloc[[list(e20["group"]).index("women_middle")]]) == [T.STATUS_NL[wm["status"]]]


def test_assess_now_empties_required_after_the_date():
    s = series([2016, 2017, 2018], [1.0, 2.0, 3.0])
    assert T.assess(s, 5, 2020)["required_pp_per_year"] == pytest.approx(1.0)
    assert T.assess(s, 5, 2020, now=2019)["required_pp_per_year"] == pytest.approx(1.0)
    assert T.assess(s, 5, 2020, now=2020)["required_pp_per_year"] is None


def test_each_target_line_is_drawn_over_its_own_period():
    s = series(list(range(2009, 2021)), [20.0 + i for i in range(12)])
    fig, ax = plt.subplots()
    T.plot_group(ax, s, [2016], target_pct=40, target_year=2020,
                 targets=[{"pct": 33.3, "start": None, "end": 2015, "label": "33,3% tegen 2015"},
                          {"pct": 40, "start": 2016, "end": 2020, "label": "40% tegen 2020"}])
    spans = sorted((float(seg[0][1]), float(seg[0][0]), float(seg[1][0]))
                   for coll in ax.collections if hasattr(coll, "get_segments")
                   for seg in coll.get_segments() if len(seg) == 2 and seg[0][1] == seg[1][1])
    assert spans == [(33.3, 2009.0, 2015.0), (40.0, 2016.0, 2020.0)]
    plt.close(fig)


def test_yearly_targets_with_figures_under_the_targets_definition_or_an_older_one(tmp_path):
    """Yearly targets (no end date): judged only on a figure under the target's own definition."""
    f = tmp_path / "jaarlijks.csv"
    f.write_text("target_group_key;year;share_pct;definition;target_definition\n"
                 "interns_x;2014;13,2;oud;nee\n"
                 "interns_x;2019;21,5;nieuw;ja\n"
                 "students_x;2019;5,5;nieuw;ja\n"
                 "students_y;2018;2,0;oud;\n", encoding="utf-8")
    tg = pd.DataFrame({"group": ["interns_x", "students_x", "students_y", "nobody", "dated"],
                       "target_pct": [20.0, 6.0, 6.0, 6.0, 10.0], "target_year": [None, None, None, None, 2020]})
    out = T.evaluate_yearly_targets(T.read_yearly_figures(f), tg).set_index("group")
    assert list(out.index) == ["interns_x", "students_x", "students_y", "nobody"]  # the dated target is not yearly
    assert out.loc["interns_x", "status"] == "reached" and out.loc["interns_x", "last_year"] == 2019
    assert out.loc["interns_x", "gap_pp"] == pytest.approx(-1.5)
    assert out.loc["students_x", "status"] == "not_reached" and out.loc["students_x", "gap_pp"] == pytest.approx(0.5)
    assert out.loc["students_y", "status"] == "insufficient_data" and out.loc["students_y", "gap_pp"] == pytest.approx(4.0)
    assert out.loc["nobody", "status"] == "insufficient_data" and pd.isna(out.loc["nobody", "last_share_pct"])
    bad = tmp_path / "fout.csv"
    bad.write_text("target_group_key,year,share_pct,definition\ninterns_x,2014,132,oud\n", encoding="utf-8")
    with pytest.raises(DataError) as e:
        T.read_yearly_figures(bad)
    assert "fout.csv" in str(e.value) and "rij 2" in str(e.value) and "share_pct" in str(e.value)


def test_a_row_without_group_key_is_refused_not_dropped(tmp_path):
    """Issue 16: an empty group_key lost the 2015 figure while the ledger said every row was
    analysed, and the verdict changed."""
    src = (RAW / "streefcijfers_vlaamse_overheid_2014_2023.csv").read_text(encoding="utf-8").splitlines()
    row = next(i for i, line in enumerate(src) if line.startswith("2015,women_middle,"))
    src[row] = src[row].replace(",women_middle,", ",,", 1)
    f = tmp_path / "reeks.csv"
    f.write_text("\n".join(src) + "\n", encoding="utf-8")
    with pytest.raises(DataError) as e:
        T.read_series(f, {"group": "group_key"})
    [p] = e.value.problems
    assert (p.row, p.column) == (row + 1, "group_key")
    targets = tmp_path / "doelen.csv"
    targets.write_text("group_key,group_nl,target_pct,target_date\nwomen_top,Vrouwen,40,2020\n,Leeg,10,2020\n",
                       encoding="utf-8")
    with pytest.raises(DataError) as e:
        T.read_targets(targets)
    assert [(p.row, p.column) for p in e.value.problems] == [(3, "group_key")]
