"""Live comparison with R `survey`, run only where R and the survey package are installed
(`apt-get install r-base-core r-cran-survey`, as in benchmarks/survey_scale.py); skipped otherwise.

These complement test_survey.py (R's *documented* output) with quantities R documents only as
examples without printed output: svyciprop intervals, svyby domains, calibrated domains and
svychisq after raking. Agreement to 1e-7 relative. And the stored multistage references of
test_survey_multistage.py are what R computes today (`tests/data/r_survey/make_reference.R`).
"""

import shutil
import subprocess
from pathlib import Path

import pandas as pd
import pytest

from evaluatie.stats.survey import SurveyDesign

RAW = Path(__file__).resolve().parents[1] / "data" / "raw"
R_SURVEY = Path(__file__).resolve().parent / "data" / "r_survey"

R_SCRIPT = r"""
suppressMessages(library(survey))
s <- read.csv(file.path(raw, "apistrat.csv")); c <- read.csv(file.path(raw, "apiclus1.csv"))
out <- function(key, v) cat(key, paste(format(as.numeric(v), digits=15), collapse=" "), "\n")
dc <- svydesign(id=~dnum, weights=~pw, data=c, fpc=~fpc)
ds <- svydesign(id=~1, strata=~stype, weights=~pw, data=s, fpc=~fpc)
for (m in c("logit", "beta", "mean")) {
  x <- svyciprop(~I(ell==0), dc, method=m); out(paste0("clus_", m), c(x, SE(x), confint(x)))
  x <- svyciprop(~I(awards=="Yes"), ds, method=m); out(paste0("strat_", m), c(x, SE(x), confint(x)))
}
b <- svyby(~I(awards=="Yes"), ~stype, ds, svyciprop, method="beta", vartype=c("se","ci"))
out("by_beta", c(b[[2]], b$se, b$ci_l, b$ci_u))
pt <- data.frame(stype=c("E","H","M"), Freq=c(4421,755,1018))
ps <- data.frame(sch.wide=c("No","Yes"), Freq=c(1072,5122))
dr <- rake(dc, list(~stype, ~sch.wide), list(pt, ps), control=list(epsilon=1e-10, maxit=100))
b <- svyby(~api00, ~comp.imp, dr, svymean); out("rake_by", c(b$api00, b$se))
x <- svychisq(~awards+stype, dr); out("rake_chisq", c(x$statistic, x$parameter, x$p.value))
dp <- postStratify(dc, ~stype, pt)
b <- svyby(~enroll, ~awards, dp, svytotal, na.rm=TRUE); out("post_by_total", c(b$enroll, b$se))
"""


def _have_r():
    if not shutil.which("Rscript"):
        return False
    r = subprocess.run(["Rscript", "-e", "library(survey)"], capture_output=True)
    return r.returncode == 0


pytestmark = pytest.mark.skipif(not _have_r(), reason="R with the survey package is not installed")


@pytest.fixture(scope="module")
def r_results():
    script = f'raw <- "{RAW.as_posix()}"\n' + R_SCRIPT
    proc = subprocess.run(["Rscript", "-e", script], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    res = {}
    for line in proc.stdout.splitlines():
        parts = line.split()
        if parts:
            res[parts[0]] = [float(x) for x in parts[1:]]
    return res


@pytest.fixture(scope="module")
def designs():
    s = pd.read_csv(RAW / "apistrat.csv")
    c = pd.read_csv(RAW / "apiclus1.csv").assign(ell0=lambda d: d["ell"] == 0)
    dc = SurveyDesign(c, weights="pw", cluster="dnum", fpc="fpc")
    ds = SurveyDesign(s, weights="pw", strata="stype", fpc="fpc")
    return dc, ds


@pytest.mark.parametrize("method,r_method", [("logit", "logit"), ("beta", "beta"), ("wald", "mean")])
def test_svyciprop(r_results, designs, method, r_method):
    dc, ds = designs
    for key, res in ((f"clus_{r_method}", dc.proportion("ell0", True, ci=method)),
                     (f"strat_{r_method}", ds.proportion("awards", "Yes", ci=method))):
        est, se, lo, hi = r_results[key]
        row = res.iloc[0]
        assert row["estimate"] == pytest.approx(est, rel=1e-7)
        assert row["se"] == pytest.approx(se, rel=1e-7)
        # R does not clip the Wald interval at 0; we do
        assert row["ci_low"] == pytest.approx(max(lo, 0.0), rel=1e-6, abs=1e-12)
        assert row["ci_high"] == pytest.approx(hi, rel=1e-6)


def test_svyby_svyciprop_beta(r_results, designs):
    _, ds = designs
    res = ds.by("stype").proportion("awards", "Yes", ci="beta")
    v = r_results["by_beta"]
    k = len(res)
    assert res["estimate"].tolist() == pytest.approx(v[:k], rel=1e-7)
    assert res["se"].tolist() == pytest.approx(v[k:2 * k], rel=1e-7)
    assert res["ci_low"].tolist() == pytest.approx(v[2 * k:3 * k], rel=1e-6)
    assert res["ci_high"].tolist() == pytest.approx(v[3 * k:], rel=1e-6)


def test_raked_domains_and_chisq(r_results, designs):
    dc, _ = designs
    dr = dc.rake({"stype": {"E": 4421, "H": 755, "M": 1018}, "sch.wide": {"No": 1072, "Yes": 5122}})
    res = dr.by("comp.imp").mean("api00")
    v = r_results["rake_by"]
    assert res["estimate"].tolist() == pytest.approx(v[:2], rel=1e-7)
    assert res["se"].tolist() == pytest.approx(v[2:], rel=1e-6)
    c = dr.chisq("awards", "stype").iloc[0]
    F, ndf, ddf, p = r_results["rake_chisq"]
    assert (c["F"], c["ndf"], c["ddf"], c["p_value"]) == pytest.approx((F, ndf, ddf, p), rel=1e-6)


def test_poststratified_domain_totals(r_results, designs):
    dc, _ = designs
    res = dc.poststratify("stype", {"E": 4421, "H": 755, "M": 1018}).by("awards").total("enroll")
    v = r_results["post_by_total"]
    assert res["estimate"].tolist() == pytest.approx(v[:2], rel=1e-7)
    assert res["se"].tolist() == pytest.approx(v[2:], rel=1e-6)


def test_stored_multistage_references_are_rs(tmp_path):
    """make_reference.R, rerun, writes the same data sets and the same reference values."""
    proc = subprocess.run(["Rscript", str(R_SURVEY / "make_reference.R")], cwd=tmp_path, capture_output=True,
                          text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    for name in ("apiclus2", "mu284", "fpc", "strat2", "strat2_lonely", "strat22", "three_stage"):
        pd.testing.assert_frame_equal(pd.read_csv(tmp_path / f"{name}.csv"), pd.read_csv(R_SURVEY / f"{name}.csv"))
    new, old = pd.read_csv(tmp_path / "reference.csv"), pd.read_csv(R_SURVEY / "reference.csv")
    assert new[["key", "i"]].equals(old[["key", "i"]])
    assert new["value"].tolist() == pytest.approx(old["value"].tolist(), rel=1e-9)
