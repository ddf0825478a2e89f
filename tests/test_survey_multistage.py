"""Multistage designs of evaluatie.stats.survey against R `survey` 4.1-1 (R 4.2.2), and the
clear refusal of every design it does not estimate.

The reference values were computed with R by `tests/data/r_survey/make_reference.R` (run it in
that folder to recompute them) and are stored in `tests/data/r_survey/reference.csv`, so these
tests run without R. Data sets (see tests/data/r_survey/README.md): R survey's `apiclus2`
(two-stage cluster sample of schools in districts, R's documented example
`svydesign(id=~dnum+snum, fpc=~fpc1+fpc2, data=apiclus2)`), `mu284` (two-stage, R's documented
`svydesign(id=~id1+id2, fpc=~n1+n2, data=mu284)`), `fpc` (R's documented `nest=TRUE` example),
a stratified two-stage sample drawn from `apipop` with district numbers repeated across strata
(`nest=TRUE`), the same stratified at the second stage too, and a simulated three-stage sample. "ms" is R's default multistage variance,
"uc" the ultimate-cluster variance (`options(survey.ultimate.cluster=TRUE)`). Agreement to 1e-6
relative.
"""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from evaluatie.core.errors import DataError
from evaluatie.stats.survey import SurveyDesign, UnsupportedDesign

DATA = Path(__file__).resolve().parent / "data" / "r_survey"
POP_TYPES = {"E": 4421, "H": 755, "M": 1018}
POP_SCHWIDE = {"No": 1072, "Yes": 5122}
REL = 1e-6


@pytest.fixture(scope="module")
def ref() -> dict[str, np.ndarray]:
    r = pd.read_csv(DATA / "reference.csv")
    return {k: g.sort_values("i")["value"].to_numpy(dtype=float) for k, g in r.groupby("key")}


def data(name: str) -> pd.DataFrame:
    return pd.read_csv(DATA / f"{name}.csv")


def clus2(multistage: bool = True) -> SurveyDesign:
    # svydesign(id=~dnum+snum, fpc=~fpc1+fpc2, data=apiclus2)
    return SurveyDesign(data("apiclus2"), cluster=["dnum", "snum"], fpc=["fpc1", "fpc2"], multistage=multistage)


def strat2(multistage: bool = True, frame: pd.DataFrame | None = None, **kw) -> SurveyDesign:
    # svydesign(id=~district_no+school_no, strata=~county, fpc=~n_districts+n_schools, nest=TRUE, data=strat2)
    return SurveyDesign(data("strat2") if frame is None else frame, strata="county",
                        cluster=["district_no", "school_no"], fpc=["n_districts", "n_schools"], nest=True,
                        multistage=multistage, **kw)


def check(res: pd.DataFrame, ref: dict, key: str) -> None:
    """Estimate, SE, the normal interval (R confint) and the t interval on the design df
    (R confint(df=degf(design))) of a one-row result."""
    row = res.iloc[0]
    assert row["estimate"] == pytest.approx(ref[f"{key}.est"][0], rel=REL)
    assert row["se"] == pytest.approx(ref[f"{key}.se"][0], rel=REL)
    assert (row["ci_low"], row["ci_high"]) == pytest.approx((ref[f"{key}.tlo"][0], ref[f"{key}.thi"][0]), rel=REL)


def check_normal(res: pd.DataFrame, ref: dict, key: str) -> None:
    row = res.iloc[0]
    assert (row["ci_low"], row["ci_high"]) == pytest.approx((ref[f"{key}.lo"][0], ref[f"{key}.hi"][0]), rel=REL)


MODES = [pytest.param(True, "ms", id="multistage"), pytest.param(False, "uc", id="ultimate-cluster")]


# --------------------------------------------------------------------------- weights and df

def test_weights_from_the_stage_fpcs(ref):
    """Without weights, R's weights: the product over the stages of N/n."""
    np.testing.assert_allclose(clus2().weights.to_numpy(), ref["clus2.weights"], rtol=1e-12)
    np.testing.assert_allclose(clus2().weights.to_numpy(), data("apiclus2")["pw"].to_numpy(), rtol=1e-12)
    mu = SurveyDesign(data("mu284"), cluster=["id1", "id2"], fpc=["n1", "n2"])
    np.testing.assert_allclose(mu.weights.to_numpy(), ref["mu284.weights"], rtol=1e-12)
    np.testing.assert_allclose(strat2().weights.to_numpy(), ref["strat2.weights"], rtol=1e-12)
    three = SurveyDesign(data("three_stage"), cluster=["a", "b", "c"], fpc=["N1", "N2", "N3"])
    np.testing.assert_allclose(three.weights.to_numpy(), ref["three.weights"], rtol=1e-12)


def test_design_df_is_first_stage(ref):
    assert clus2().df == ref["clus2.degf"][0]
    assert strat2().df == ref["strat2.degf"][0]


# --------------------------------------------------------------------------- the issue's numbers

def test_issue_numbers():
    """apiclus2: svymean(~api00) has SE 30.099 with R's two-stage variance, 29.889 as an ultimate
    cluster; mu284: the total of y1 is 15080 with weights from both stages' fpc, 6530 from the
    first stage's alone (a one-stage design, as R gives for id=~id1, fpc=~n1)."""
    assert round(clus2().mean("api00")["se"].iloc[0], 3) == 30.099
    assert round(clus2(multistage=False).mean("api00")["se"].iloc[0], 3) == 29.889
    mu = data("mu284")
    assert SurveyDesign(mu, cluster=["id1", "id2"], fpc=["n1", "n2"]).total("y1")["estimate"].iloc[0] == \
        pytest.approx(15080)
    assert SurveyDesign(mu, cluster="id1", fpc="n1").total("y1")["estimate"].iloc[0] == pytest.approx(6530)


# --------------------------------------------------------------------------- means and totals

@pytest.mark.parametrize("ms,tag", MODES)
def test_apiclus2_means_and_totals(ref, ms, tag):
    d = clus2(ms)
    check(d.mean("api00"), ref, f"clus2.{tag}.mean_api00")
    check_normal(d.mean("api00", df=np.inf), ref, f"clus2.{tag}.mean_api00")
    check(d.total("api00"), ref, f"clus2.{tag}.total_api00")
    # enroll has 6 missing values: left out of the base (R na.rm=TRUE)
    check(d.total("enroll"), ref, f"clus2.{tag}.total_enroll")
    check(d.mean("enroll"), ref, f"clus2.{tag}.mean_enroll")
    check_normal(d.total("enroll", df=np.inf), ref, f"clus2.{tag}.total_enroll")


@pytest.mark.parametrize("ms,tag", MODES)
def test_mu284(ref, ms, tag):
    d = SurveyDesign(data("mu284"), cluster=["id1", "id2"], fpc=["n1", "n2"], multistage=ms)
    check(d.total("y1"), ref, f"mu284.{tag}.total_y1")
    check(d.mean("y1"), ref, f"mu284.{tag}.mean_y1")
    check_normal(d.total("y1", df=np.inf), ref, f"mu284.{tag}.total_y1")


@pytest.mark.parametrize("ms,tag", MODES)
def test_stratified_two_stage_nested(ref, ms, tag):
    d = strat2(ms)
    check(d.mean("api00"), ref, f"strat2.{tag}.mean_api00")
    check(d.total("enroll"), ref, f"strat2.{tag}.total_enroll")
    check_normal(d.mean("api00", df=np.inf), ref, f"strat2.{tag}.mean_api00")


@pytest.mark.parametrize("ms,tag", MODES)
def test_fpc_as_sampling_fractions(ref, ms, tag):
    """fpc as fractions (every value <= 1) gives the same design as population sizes."""
    s = data("strat2")
    s = s.assign(f1=4 / s["n_districts"], f2=np.minimum(3, s["n_schools"]) / s["n_schools"])
    d = SurveyDesign(s, strata="county", cluster=["district_no", "school_no"], fpc=["f1", "f2"], nest=True,
                     multistage=ms)
    check(d.mean("api00"), ref, f"strat2.{tag}.frac_mean_api00")


@pytest.mark.parametrize("ms,tag", MODES)
def test_stratified_at_both_stages(ref, ms, tag):
    """R: svydesign(id=~district_no+school_no, strata=~county+level, fpc=~n_districts+n_level,
    nest=TRUE): schools sampled per level within each sampled district."""
    d = SurveyDesign(data("strat22"), strata=["county", "level"], cluster=["district_no", "school_no"],
                     fpc=["n_districts", "n_level"], nest=True, multistage=ms)
    np.testing.assert_allclose(d.weights.to_numpy(), ref["strat22.weights"], rtol=1e-12)
    check(d.mean("api00"), ref, f"strat22.{tag}.mean_api00")
    check(d.total("enroll"), ref, f"strat22.{tag}.total_enroll")
    res = d.by("sch.wide").mean("api00")
    np.testing.assert_allclose(res["estimate"], ref[f"strat22.{tag}.by_schwide_mean_api00.est"], rtol=REL)
    np.testing.assert_allclose(res["se"], ref[f"strat22.{tag}.by_schwide_mean_api00.se"], rtol=REL)


def test_three_stages(ref):
    """Stage 3's variance is scaled by the sampling fractions of both stages above it."""
    d = SurveyDesign(data("three_stage"), cluster=["a", "b", "c"], fpc=["N1", "N2", "N3"])
    check(d.total("y"), ref, "three.total_y")
    check(d.mean("y"), ref, "three.mean_y")


def test_stages_without_fpc_are_the_ultimate_cluster(ref):
    """Without fpc the first stage is with replacement: R uses the ultimate-cluster variance,
    the same as a one-stage design on the first-stage clusters."""
    c = data("apiclus2")
    two = SurveyDesign(c, weights="pw", cluster=["dnum", "snum"]).mean("api00")
    check(two, ref, "clus2.nofpc.mean_api00")
    one = SurveyDesign(c, weights="pw", cluster="dnum").mean("api00")
    pd.testing.assert_frame_equal(two, one)


def test_second_stage_adds_variance():
    """The multistage variance exceeds the ultimate-cluster variance by the second-stage terms
    scaled by n1/N1 (Särndal, Swensson & Wretman 1992, §4.3): with a census at stage 2
    (N2 = n2) they coincide."""
    c = data("apiclus2")
    census = c.assign(fpc2=c.groupby("dnum")["snum"].transform("size"), pw=757 / 40)
    a = SurveyDesign(census, weights="pw", cluster=["dnum", "snum"], fpc=["fpc1", "fpc2"]).total("api00")
    b = SurveyDesign(census, weights="pw", cluster=["dnum", "snum"], fpc=["fpc1", "fpc2"],
                     multistage=False).total("api00")
    assert a["se"].iloc[0] == pytest.approx(b["se"].iloc[0], rel=1e-12)
    assert clus2().total("api00")["se"].iloc[0] > clus2(False).total("api00")["se"].iloc[0]


# --------------------------------------------------------------------------- proportions, domains, tests

@pytest.mark.parametrize("ms,tag", MODES)
def test_proportions_with_intervals(ref, ms, tag):
    for d, key in ((clus2(ms), "clus2"), (strat2(ms), "strat2")):
        for method in ("logit", "beta"):
            row = d.proportion("sch.wide", "Yes", ci=method).iloc[0]
            got = (row["estimate"], row["se"], row["ci_low"], row["ci_high"])
            assert got == pytest.approx(tuple(ref[f"{key}.{tag}.prop_schwide.{method}"]), rel=REL)
    res = clus2(ms).proportion("stype")  # R: svymean(~stype, dclus2)
    np.testing.assert_allclose(res["estimate"], ref[f"clus2.{tag}.mean_stype.est"], rtol=REL)
    np.testing.assert_allclose(res["se"], ref[f"clus2.{tag}.mean_stype.se"], rtol=REL)


@pytest.mark.parametrize("ms,tag", MODES)
def test_domains(ref, ms, tag):
    d = clus2(ms)
    res = d.by("stype").mean("api00")
    np.testing.assert_allclose(res["estimate"], ref[f"clus2.{tag}.by_stype_mean_api00.est"], rtol=REL)
    np.testing.assert_allclose(res["se"], ref[f"clus2.{tag}.by_stype_mean_api00.se"], rtol=REL)
    res = d.by("stype").total("enroll")
    np.testing.assert_allclose(res["estimate"], ref[f"clus2.{tag}.by_stype_total_enroll.est"], rtol=REL)
    np.testing.assert_allclose(res["se"], ref[f"clus2.{tag}.by_stype_total_enroll.se"], rtol=REL)
    res = d.by("stype").proportion("sch.wide", "Yes", ci="beta")
    got = np.concatenate([res[c].to_numpy() for c in ("estimate", "se", "ci_low", "ci_high")])
    np.testing.assert_allclose(got, ref[f"clus2.{tag}.by_stype_prop_beta"], rtol=REL)
    res = strat2(ms).by("stype").mean("api00")
    np.testing.assert_allclose(res["estimate"], ref[f"strat2.{tag}.by_stype_mean_api00.est"], rtol=REL)
    np.testing.assert_allclose(res["se"], ref[f"strat2.{tag}.by_stype_mean_api00.se"], rtol=REL)


@pytest.mark.parametrize("ms,tag", MODES)
def test_rao_scott(ref, ms, tag):
    c = clus2(ms).chisq("sch.wide", "stype").iloc[0]
    assert (c["F"], c["ndf"], c["ddf"], c["p_value"]) == pytest.approx(tuple(ref[f"clus2.{tag}.chisq"]), rel=REL)


# --------------------------------------------------------------------------- calibration

@pytest.mark.parametrize("ms,tag", MODES)
def test_poststratified_two_stage(ref, ms, tag):
    """R: the multistage variance of the post-stratification residuals."""
    d = clus2(ms).poststratify("stype", POP_TYPES)
    check(d.mean("api00"), ref, f"clus2.{tag}.post_mean_api00")
    check(d.total("enroll"), ref, f"clus2.{tag}.post_total_enroll")
    res = d.by("sch.wide").mean("api00")
    np.testing.assert_allclose(res["estimate"], ref[f"clus2.{tag}.post_by_schwide_mean_api00.est"], rtol=REL)
    np.testing.assert_allclose(res["se"], ref[f"clus2.{tag}.post_by_schwide_mean_api00.se"], rtol=REL)


@pytest.mark.parametrize("ms,tag", MODES)
def test_raked_two_stage(ref, ms, tag):
    d = clus2(ms).rake({"stype": POP_TYPES, "sch.wide": POP_SCHWIDE})
    np.testing.assert_allclose(d.weights.to_numpy(), ref[f"clus2.{tag}.rake_weights"], rtol=1e-8)
    check(d.mean("api00"), ref, f"clus2.{tag}.rake_mean_api00")
    check(d.total("enroll"), ref, f"clus2.{tag}.rake_total_enroll")


# --------------------------------------------------------------------------- nest and lonely units

def test_nest_false_refuses_ids_repeated_across_strata():
    """R: "Clusters not nested in strata at top level; you may want nest=TRUE."""
    f = data("fpc")
    with pytest.raises(DataError, match="nest=True"):
        SurveyDesign(f, weights="weight", strata="stratid", cluster="psuid", fpc="Nh")
    with pytest.raises(DataError, match="nest=True"):
        SurveyDesign(data("strat2"), strata="county", cluster=["district_no", "school_no"],
                     fpc=["n_districts", "n_schools"])


def test_nest_true(ref):
    d = SurveyDesign(data("fpc"), weights="weight", strata="stratid", cluster="psuid", fpc="Nh", nest=True)
    check(d.mean("x"), ref, "fpc.nest.mean_x")
    check(d.total("x"), ref, "fpc.nest.total_x")


def test_lonely_unit_at_stage_two(ref):
    """One school sampled in a district of 28: R refuses with lonely.psu="fail" ("Stratum
    (18.18.1) has only one PSU at stage 2") and adds 0 for that district with "certainty"."""
    lonely = data("strat2_lonely")
    with pytest.raises(DataError, match="trap 2") as e:
        strat2(frame=lonely)
    assert "lonely_psu='certainty'" in str(e.value)
    d = strat2(frame=lonely, lonely_psu="certainty")
    np.testing.assert_allclose(d.weights.to_numpy(), ref["lonely.weights"], rtol=1e-12)
    check(d.mean("api00"), ref, "lonely.certainty.mean_api00")
    # the ultimate-cluster variance has no stage-2 term and needs no decision
    assert strat2(multistage=False, frame=lonely).mean("api00")["se"].iloc[0] > 0


def test_single_unit_census_at_stage_two_is_not_lonely():
    """A district with one school, sampled (N2 = n2 = 1): no variance at stage 2, no refusal
    (apiclus2 has 10 such districts; R's onestrat returns 0 when f = 0)."""
    c = data("apiclus2")
    assert ((c.groupby("dnum")["snum"].transform("size") == 1) & (c["fpc2"] == 1)).sum() == 10
    assert clus2().mean("api00")["se"].iloc[0] > 0


# --------------------------------------------------------------------------- refusals

def test_refuses_pps():
    with pytest.raises(UnsupportedDesign, match="PPS sampling without replacement"):
        SurveyDesign(data("apiclus2"), cluster="dnum", pps="brewer")


def test_refuses_replicate_weights():
    with pytest.raises(UnsupportedDesign, match="replicate weights .* not supported"):
        SurveyDesign(data("apiclus2"), weights="pw", repweights=["pw", "pw"])


def test_refuses_fpc_not_one_per_stage():
    with pytest.raises(UnsupportedDesign, match="one fpc column per stage"):
        SurveyDesign(data("apiclus2"), cluster=["dnum", "snum"], fpc="fpc1")
    with pytest.raises(UnsupportedDesign, match="one fpc column per stage"):
        SurveyDesign(data("apiclus2"), cluster="dnum", fpc=["fpc1", "fpc2"])


def test_refuses_more_strata_than_stages():
    with pytest.raises(UnsupportedDesign, match="at most one strata column per stage"):
        SurveyDesign(data("apiclus2"), strata=["stype", "sch.wide"], cluster="dnum")


def test_refuses_a_cluster_that_is_no_column_name():
    with pytest.raises(UnsupportedDesign, match="list of column names"):
        SurveyDesign(data("apiclus2"), cluster=[["dnum"], "snum"])


def test_refuses_fpc_below_the_sample_at_stage_two():
    c = data("apiclus2").assign(fpc2=1)
    with pytest.raises(DataError, match=r"populatiegrootte kleiner .*\(trap 2\)"):
        SurveyDesign(c, cluster=["dnum", "snum"], fpc=["fpc1", "fpc2"])


def test_refuses_fpc_that_varies_within_a_unit():
    c = data("apiclus2")
    c.loc[c.index[2], "fpc2"] = 4  # district 83 has fpc2 3 on its other rows
    with pytest.raises(DataError, match="binnen elke eenheid van trap 1 dezelfde waarde"):
        SurveyDesign(c, cluster=["dnum", "snum"], fpc=["fpc1", "fpc2"])


def test_refuses_fpc_mixing_sizes_and_fractions():
    c = data("apiclus2").assign(f2=lambda d: 1 / d["fpc2"])
    with pytest.raises(DataError, match="populatiegroottes .* of in elke kolom steekproeffracties"):
        SurveyDesign(c, cluster=["dnum", "snum"], fpc=["fpc1", "f2"])


def test_refuses_calibration_to_a_continuous_total():
    with pytest.raises(UnsupportedDesign, match="continuous auxiliary variable"):
        clus2().rake({"stype": POP_TYPES, "enroll": 3_800_000})
    with pytest.raises(UnsupportedDesign, match="continuous auxiliary variable"):
        clus2().poststratify("enroll", 3_800_000)
