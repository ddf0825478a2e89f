"""Scale benchmark of evaluatie.stats.survey: 100,000 respondents x 50 Likert items, 5 strata with a
finite-population correction, raking on 3 margins, every level's proportion with a logit interval
overall and in 10 domain breakdowns.

Two ratios from one run, on the same synthetic file:

* against pandas computing the same *unweighted* proportions,
  ``df[item].value_counts(normalize=True)`` and ``df.groupby(dom)[item].value_counts(normalize=True)``
  (the floor: no weights, no variances) — target: within 3x;
* against R ``survey`` doing the same work (``svydesign`` + ``rake`` + ``svymean`` of the 50 items
  as factors with ``confint``, and ``svyby(..., svymean)`` for the 10 breakdowns) — target: faster.

Setup of the R part (not a project dependency; Debian/Ubuntu, as root)::

    apt-get install -y --no-install-recommends r-base-core r-cran-survey
    # or: python benchmarks/survey_scale.py --setup

Without ``Rscript`` and the survey package the R comparison is skipped with a message.

Run: ``.venv/bin/python benchmarks/survey_scale.py [--n 100000] [--items 50] [--repeat 3]``.
Times are the best of ``--repeat`` runs (R: one run, timed inside R, excluding reading the CSV, as
ours excludes generating the data). R ``survey`` needs hours for the full workload (its ``svyby``
recomputes the raking residuals for every domain on the full influence matrix); after
``--r-timeout`` seconds R is stopped, its completed phases are printed and the ratio is reported as
an upper bound (our time / the time limit).
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from evaluatie.analyses.survey.weighted import report_variance  # noqa: E402
from evaluatie.stats.survey import SurveyDesign  # noqa: E402

N_STRATA = 5
MARGINS = {"m1": 4, "m2": 6, "m3": 3}
DOMAINS = {f"dom{i + 1}": k for i, k in enumerate([2, 3, 4, 5, 6, 2, 3, 4, 8, 5])}


def make_data(n: int, n_items: int, seed: int = 1) -> tuple[pd.DataFrame, dict]:
    rng = np.random.default_rng(seed)
    df = pd.DataFrame({"stratum": rng.integers(0, N_STRATA, n)})
    df["N"] = df["stratum"].map(df["stratum"].value_counts() * 20)
    for m, k in MARGINS.items():
        df[m] = rng.integers(0, k, n)
    for d, k in DOMAINS.items():
        df[d] = rng.integers(0, k, n)
    latent = rng.normal(size=n)
    for j in range(n_items):
        x = 0.7 * latent + rng.normal(size=n) + 0.1 * df["m1"].to_numpy()
        df[f"i{j + 1}"] = np.digitize(x, [-1.5, -0.5, 0.4, 1.2]) + 1
    cat_cols = ["stratum", *MARGINS, *DOMAINS] + [f"i{j + 1}" for j in range(n_items)]
    for c in cat_cols:
        df[c] = df[c].astype("category")
    # population margins: the sample margins x 20, tilted (so raking has work to do)
    pops = {}
    for m, k in MARGINS.items():
        counts = df[m].value_counts().sort_index().astype(float) * 20
        tilt = np.linspace(0.9, 1.1, k)
        pops[m] = counts * tilt * counts.sum() / (counts * tilt).sum()
    return df, pops


def run_ours(df: pd.DataFrame, pops: dict, items: list[str]) -> list[pd.DataFrame]:
    d = SurveyDesign(df, strata="stratum", fpc="N").rake(pops)
    out = [d.proportion(items, ci="logit")]
    for dom in DOMAINS:
        out.append(d.by(dom).proportion(items, ci="logit"))
    return out


def run_pandas(df: pd.DataFrame, items: list[str]) -> list:
    out = []
    for it in items:
        out.append(df[it].value_counts(normalize=True))
    for dom in DOMAINS:
        g = df.groupby(dom, observed=True)
        for it in items:
            out.append(g[it].value_counts(normalize=True))
    return out


R_SCRIPT = r"""
suppressMessages(library(survey))
df <- read.csv(file.path(tmp, "bench.csv"))
items <- grep("^i[0-9]+$", names(df), value=TRUE)
for (v in c("stratum", "m1", "m2", "m3", grep("^dom", names(df), value=TRUE), items)) df[[v]] <- factor(df[[v]])
pops <- lapply(c("m1", "m2", "m3"), function(m) read.csv(file.path(tmp, paste0("pop_", m, ".csv")),
                                                         colClasses=c("factor", "numeric")))
f <- as.formula(paste("~", paste(items, collapse="+")))
doms <- grep("^dom", names(df), value=TRUE)
t0 <- proc.time()[["elapsed"]]
mark <- function(what) { cat("R_PHASE", what, proc.time()[["elapsed"]] - t0, "\n"); flush(stdout()) }
d <- svydesign(id=~1, strata=~stratum, fpc=~N, data=df)
d <- rake(d, list(~m1, ~m2, ~m3), pops, control=list(epsilon=1e-8, maxit=100))
mark("design+rake")
m <- svymean(f, d); ci <- confint(m, df=degf(d))
mark("overall")
cat("R_CHECK", format(coef(m)[1:3], digits=12), format(SE(m)[1:3], digits=12), "\n"); flush(stdout())
for (dom in doms) {
  b <- svyby(f, as.formula(paste("~", dom)), d, svymean)
  cib <- confint(b, df=degf(d))
  mark(dom)
}
cat("R_SECONDS", proc.time()[["elapsed"]] - t0, "\n")
"""


def have_r() -> bool:
    if not shutil.which("Rscript"):
        return False
    return subprocess.run(["Rscript", "-e", "library(survey)"], capture_output=True).returncode == 0


def setup_r() -> None:
    if have_r():
        print("R and the survey package are installed.")
        return
    cmd = ["apt-get", "install", "-y", "--no-install-recommends", "r-base-core", "r-cran-survey"]
    print("installing:", " ".join(cmd))
    subprocess.run(cmd, check=True)


def run_r(df: pd.DataFrame, pops: dict, timeout: int) -> tuple[float, list[float]] | None:
    with tempfile.TemporaryDirectory() as tmp:
        df.to_csv(Path(tmp) / "bench.csv", index=False)
        for m, s in pops.items():
            pd.DataFrame({m: s.index.astype(str), "Freq": s.to_numpy()}).to_csv(Path(tmp) / f"pop_{m}.csv", index=False)
        script = f'tmp <- "{Path(tmp).as_posix()}"\n' + R_SCRIPT
        proc = subprocess.Popen(["Rscript", "-e", script], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        timed_out = False
        try:
            out, err = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            out, err = proc.communicate()
            timed_out = True
        if proc.returncode not in (0, None) and not timed_out:
            print("R failed:", err[-2000:])
            return None
        secs, check, phases = None, [], []
        for line in out.splitlines():
            parts = line.split()
            if line.startswith("R_SECONDS"):
                secs = float(parts[1])
            elif line.startswith("R_CHECK"):
                check = [float(x) for x in parts[1:]]
            elif line.startswith("R_PHASE"):
                phases.append((parts[1], float(parts[2])))
        if phases:
            print("R phases (cumulative s): " + ", ".join(f"{n} {t:.0f}" for n, t in phases))
        if timed_out:
            done = sum(1 for n, _ in phases if n.startswith("dom"))
            print(f"R stopped at the time limit of {timeout} s after {done} of {len(DOMAINS)} breakdowns")
            secs = -float(timeout)  # a lower bound on R's time
        return secs, check


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, default=100_000)
    ap.add_argument("--items", type=int, default=50)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--setup", action="store_true", help="install R and r-cran-survey with apt-get first")
    ap.add_argument("--no-r", action="store_true", help="skip the R comparison")
    ap.add_argument("--r-timeout", type=int, default=1800, help="stop R after this many seconds (the ratio is then an upper bound)")
    args = ap.parse_args()
    if args.setup:
        setup_r()

    df, pops = make_data(args.n, args.items)
    items = [f"i{j + 1}" for j in range(args.items)]
    print(f"{args.n:,} respondents x {args.items} items, {N_STRATA} strata (fpc), raking on {len(MARGINS)} margins, "
          f"{len(DOMAINS)} domain breakdowns ({sum(DOMAINS.values())} domains)")

    t_ours, t_pd = [], []
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        res = run_ours(df, pops, items)
        t_ours.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        run_pandas(df, items)
        t_pd.append(time.perf_counter() - t0)
    ours, base = min(t_ours), min(t_pd)
    n_est = sum(len(r) for r in res)
    print(f"evaluatie.stats.survey : {ours:8.2f} s  ({n_est:,} proportions with SE and logit interval)")
    print(f"pandas value_counts (unweighted, no variance): {base:8.2f} s")
    print(f"ratio evaluatie/pandas = {ours / base:.2f}  (target <= 3)")
    # the report's variance decision (rule decision 9): every item's answers counted per variance cell x
    # the groups of every breakdown, once per report
    d = SurveyDesign(df, strata="stratum", fpc="N").rake(pops)
    t_var = []
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        v = report_variance(d, 5, breakdowns=list(DOMAINS), columns=items)
        t_var.append(time.perf_counter() - t0)
    print(f"report_variance (the switch to one design effect: {v}): {min(t_var):8.2f} s, "
          f"ratio to pandas = {min(t_var) / base:.2f}")

    if args.no_r:
        return
    if not have_r():
        print("R comparison skipped: Rscript with the survey package not found "
              "(install with: apt-get install r-base-core r-cran-survey, or run with --setup)")
        return
    r = run_r(df, pops, args.r_timeout)
    if r is None or r[0] is None:
        return
    secs, check = r
    first = res[0].iloc[:3]
    agree = (len(check) == 6 and np.allclose(first["estimate"], check[:3], rtol=1e-6)
             and np.allclose(first["se"], check[3:6], rtol=1e-5))
    same = "yes" if agree else ("not reached" if not check else "NO")
    if secs < 0:
        print(f"R survey         : > {-secs:8.0f} s (stopped; same overall estimates: {same})")
        print(f"ratio evaluatie/R < {ours / -secs:.4f}  (target < 1; upper bound, R did not finish)")
    else:
        print(f"R survey         : {secs:8.2f} s  (same overall estimates: {same})")
        print(f"ratio evaluatie/R = {ours / secs:.4f}  (target < 1)")


if __name__ == "__main__":
    main()
