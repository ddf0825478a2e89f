"""Reference tests of evaluatie.stats.survey against R `survey`'s documented output.

Sources of every number (R survey, T. Lumley; read from the package sources, not computed here):
- `tests/testoutput/api.Rout.saved` (= `example(api)`): svymean/svytotal on dstrat and dclus1,
  and postStratify(dclus1, ~stype, pop.types).
- `tests/rakecheck.Rout.save`: rake(dclus1, list(~stype, ~sch.wide), ...).
- `man/svychisq.Rd` example as printed on the package site
  (r-survey.r-forge.r-project.org/survey/example-chisq.html): svytable and svychisq on dclus1.
Closed-form cases (derived by hand) are in tests/test_survey_closed.py.
"""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from evaluatie.stats.survey import SurveyDesign

RAW = Path(__file__).resolve().parents[1] / "data" / "raw"
POP_TYPES = {"E": 4421, "H": 755, "M": 1018}
POP_SCHWIDE = {"No": 1072, "Yes": 5122}


@pytest.fixture(scope="module")
def dstrat():
    # dstrat <- svydesign(id=~1, strata=~stype, weights=~pw, data=apistrat, fpc=~fpc)
    return SurveyDesign(pd.read_csv(RAW / "apistrat.csv"), weights="pw", strata="stype", fpc="fpc")


@pytest.fixture(scope="module")
def dclus1():
    # dclus1 <- svydesign(id=~dnum, weights=~pw, data=apiclus1, fpc=~fpc)
    return SurveyDesign(pd.read_csv(RAW / "apiclus1.csv"), weights="pw", cluster="dnum", fpc="fpc")


def _unit(printed: str) -> float:
    """One unit in the last digit R printed ("23.921" -> 0.001, "932235" -> 1)."""
    return 10.0 ** -(len(printed.split(".")[1]) if "." in printed else 0)


def check(res, est: str, se: str):
    """Agreement to R's printed precision: within one unit of the last printed digit (R's print
    of svystat objects rounds with signif() on the whole matrix, so the last digit can differ by
    one from plain rounding)."""
    row = res.iloc[0]
    assert abs(row["estimate"] - float(est)) <= _unit(est)
    assert abs(row["se"] - float(se)) <= _unit(se)


def test_svymean_api00_dstrat(dstrat):
    check(dstrat.mean("api00"), "662.29", "9.4089")


def test_svytotal_enroll_dstrat(dstrat):
    check(dstrat.total("enroll"), "3687178", "114642")


def test_svymean_api00_dclus1(dclus1):
    check(dclus1.mean("api00"), "644.17", "23.542")


def test_svytotal_enroll_dclus1(dclus1):
    check(dclus1.total("enroll"), "3404940", "932235")


def test_design_df(dstrat, dclus1):
    # degf: PSUs minus strata
    assert dstrat.df == 200 - 3
    assert dclus1.df == 15 - 1


def test_weights_from_fpc():
    # svydesign(id=~dnum, fpc=~fpc, data=apiclus1): weights N/n = 757/15 from the fpc
    c = pd.read_csv(RAW / "apiclus1.csv")
    d = SurveyDesign(c, cluster="dnum", fpc="fpc")
    np.testing.assert_allclose(d.weights.to_numpy(), 757 / 15)
    # R: svymean(~api00, dclus1) is the same with either weighting (equal weights)
    check(d.mean("api00"), "644.17", "23.542")


def test_poststratify_dclus1(dclus1):
    dp = dclus1.poststratify("stype", POP_TYPES)
    check(dp.mean("api00"), "642.31", "23.921")
    check(dp.total("enroll"), "3680893", "406293")
    # the same with a data frame in R's shape
    tab = pd.DataFrame({"stype": ["E", "H", "M"], "Freq": [4421, 755, 1018]})
    check(dclus1.poststratify("stype", tab).mean("api00"), "642.31", "23.921")


def test_rake_dclus1(dclus1):
    dr = dclus1.rake({"stype": POP_TYPES, "sch.wide": POP_SCHWIDE})
    check(dr.mean("api00"), "641.23", "23.704")
    check(dr.total("enroll"), "3647280", "400603")
    # the margins are met
    w = dr.weights
    got = w.groupby(dr.data["stype"]).sum()
    np.testing.assert_allclose(got.to_numpy(), [4421, 755, 1018], rtol=1e-9)


def test_calibrated_se_differs_from_fixed_weights(dclus1):
    """R's calibrated variance is not the variance with the final weights taken as fixed."""
    dr = dclus1.rake({"stype": POP_TYPES, "sch.wide": POP_SCHWIDE})
    data = dr.data.assign(final_w=dr.weights.to_numpy())
    fixed = SurveyDesign(data, weights="final_w", cluster="dnum", fpc="fpc").total("enroll")
    assert fixed["se"].iloc[0] > 1.5 * dr.total("enroll")["se"].iloc[0]


def test_svytable_dclus1(dclus1):
    tab = dclus1.table("sch.wide", "stype")
    expected = np.array([[406.1640, 101.5410, 270.7760], [4467.8035, 372.3170, 575.3989]])
    np.testing.assert_allclose(tab.to_numpy(), expected, atol=6e-5)


def test_svychisq_dclus1(dclus1):
    r = dclus1.chisq("sch.wide", "stype").iloc[0]
    # F = 5.1934, ndf = 1.495, ddf = 20.925, p-value = 0.02175; Chisq X-squared = 11.9409
    assert round(r["F"], 4) == 5.1934
    assert round(r["ndf"], 3) == 1.495
    assert round(r["ddf"], 3) == 20.925
    assert round(r["p_value"], 5) == 0.02175
    assert round(r["chisq"], 4) == 11.9409


def test_domain_is_not_subsetting(dclus1):
    """Domain SEs use the whole design: zeros outside the domain, n_h of the full design."""
    dom = dclus1.by("stype").mean("api00").set_index("stype")
    naive = SurveyDesign(dclus1.data[dclus1.data["stype"] == "H"], weights="pw", cluster="dnum",
                         fpc="fpc").mean("api00")
    assert dom.loc["H", "estimate"] == pytest.approx(naive["estimate"].iloc[0])
    assert dom.loc["H", "se"] != pytest.approx(naive["se"].iloc[0], rel=1e-3)
    # domain df: PSUs with members of the domain minus strata
    h_psus = dclus1.data.loc[dclus1.data["stype"] == "H", "dnum"].nunique()
    assert dom.loc["H", "df"] == h_psus - 1


def test_update_adds_a_variable_and_keeps_the_design():
    """SurveyDesign.update (R update.survey.design): a new column, the same design; an existing column
    is not replaced."""
    rng = np.random.default_rng(7)
    data = pd.DataFrame({"s": np.repeat(["a", "b"], 20), "w": rng.uniform(1, 3, 40),
                         "q": rng.choice(["ja", "nee"], 40)})
    design = SurveyDesign(data, weights="w", strata="s")
    new = design.update(g=np.where(data["q"] == "ja", "x", "y"))
    assert new.proportion("q", "ja").equals(design.proportion("q", "ja"))
    assert set(new.levels("g")) == {"x", "y"} and "g" not in design.data
    with pytest.raises(ValueError, match="already exist"):
        design.update(q=data["q"])
