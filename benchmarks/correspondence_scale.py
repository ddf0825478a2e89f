"""Benchmark: the correspondence-test statistics at scale, and the cost of the cluster bootstrap.

Issue 5 targets, measured in the same run (ratios, not absolute times):

1. The full statistics — callback rates with Wilson and exact intervals, difference and relative
   callback with delta-method intervals, paired counts per vacancy, exact McNemar test and the
   fixed-effects LPM with vacancy-clustered SEs per ground (``evaluatie.analyses.correspondence.
   core_statistics``) — on 1,000,000 applications in 500,000 vacancies take at most 2× the floor:
   ``df.groupby('vacancy')['outcome'].sum()`` plus one ``numpy.linalg.lstsq`` on the already
   demeaned data (outcome on the group dummy; demeaning itself is not in the floor). Peak memory
   at most 2 GiB: ``tracemalloc`` peak of the statistics step and the process's maximum resident
   set size (``resource``) are both reported.
2. The cluster bootstrap with 999 replicates on the default (synthetic nulmeting + vervolgmeting)
   data takes under 20× one point estimate (``compare_groups`` without vs with ``bootstrap=999``).

The 1,000,000 applications are already checked (a :class:`~evaluatie.analyses.correspondence.Study` with
integer cluster ids and categorical ground/group, as ``prepare`` delivers them); reading and
validating a file is a separate cost (``benchmarks/read_csv.py``).

Run:  .venv/bin/python benchmarks/correspondence_scale.py [--vacancies 500000] [--repeat 5]
"""

from __future__ import annotations

import os

# Single-threaded BLAS for both sides: on a shared 2-core machine OpenBLAS threads make the
# floor's lstsq slow and erratic, which would flatter the ratio.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import argparse  # noqa: E402
import gc  # noqa: E402
import resource  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
import tracemalloc  # noqa: E402

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import yaml  # noqa: E402

from evaluatie.analyses import correspondence as cs  # noqa: E402
from evaluatie.core.paths import root  # noqa: E402

REFS = {"etniciteit": "Vlaamse naam", "leeftijd": "jonger", "geslacht": "man"}
LABELS = ["Vlaamse naam", "Marokkaanse naam", "jonger", "ouder", "man", "vrouw"]
RATES = [(0.33, 0.275), (0.30, 0.267), (0.30, 0.30)]


def build(vacancies: int, seed: int = 1) -> cs.Study:
    """Two applications per vacancy differing in one ground (as the synthetic nulmeting)."""
    rng = np.random.default_rng(seed)
    g = rng.integers(0, 3, vacancies)
    side = np.tile([0, 1], vacancies)
    ground = np.repeat(g, 2)
    rate = np.array(RATES)[ground, side]
    is_open = np.repeat(rng.random(vacancies) < 0.45, 2)
    y = (is_open & (rng.random(2 * vacancies) < rate / 0.45)).astype(np.int8)
    vac = np.repeat(np.arange(vacancies), 2)
    df = pd.DataFrame({
        "vacancy": vac,
        "ground": pd.Categorical.from_codes(ground, list(REFS)),
        "group": pd.Categorical.from_codes(ground * 2 + side, LABELS),
        "outcome": y,
        "wave": pd.Categorical.from_codes(np.zeros(2 * vacancies, dtype=int), ["meting"]),
        "cluster": vac,
    })
    return cs.Study(df, dict(REFS), [], ["meting"])


def best(f, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        gc.collect()
        t = time.perf_counter()
        f()
        times.append(time.perf_counter() - t)
    return min(times)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--vacancies", type=int, default=500_000)
    ap.add_argument("--repeat", type=int, default=5)
    a = ap.parse_args(argv)

    study = build(a.vacancies)
    df = study.data
    # the floor's regression: outcome on the group dummy, demeaned by vacancy beforehand
    x = (df["group"].cat.codes.to_numpy() % 2).astype(float)
    y = df["outcome"].to_numpy().astype(float)
    cl = df["cluster"].to_numpy()
    cnt = np.bincount(cl).astype(float)
    xt = (x - (np.bincount(cl, weights=x) / cnt)[cl])[:, None]
    yt = y - (np.bincount(cl, weights=y) / cnt)[cl]

    def groupby():
        df.groupby("vacancy")["outcome"].sum()

    def lstsq():
        np.linalg.lstsq(xt, yt, rcond=None)

    def floor():
        groupby()
        lstsq()

    def full():
        cs.core_statistics(study)

    full()  # warm-up (imports, caches)
    floor()
    t_floor, t_full = [], []
    for _ in range(a.repeat):  # interleaved, so load on the shared machine hits both alike
        t_floor.append(best(floor, 1))
        t_full.append(best(full, 1))
    tf, tc = min(t_floor), min(t_full)
    tg = min(best(groupby, 1) for _ in range(a.repeat))
    tl = min(best(lstsq, 1) for _ in range(a.repeat))

    tracemalloc.start()
    cs.core_statistics(study)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    maxrss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * (1 if sys.platform == "darwin" else 1024)

    print(f"1. full statistics on {len(df):,} applications in {a.vacancies:,} vacancies")
    print(f"   floor (groupby sum + lstsq): {tf:.3f} s   full statistics: {tc:.3f} s   "
          f"ratio {tc / tf:.2f}x (target <= 2x)")
    print(f"   (floor parts, best of {a.repeat}: groupby sum {tg:.3f} s, lstsq {tl:.3f} s)")
    print(f"   peak memory of the statistics step (tracemalloc): {peak / 2**20:.0f} MiB; "
          f"process max RSS: {maxrss / 2**20:.0f} MiB (target <= 2048 MiB)")

    # 2. bootstrap vs point estimate on the default data
    spec = yaml.safe_load((root() / "params" / "correspondentietest.yaml").read_text(encoding="utf-8"))["parameters"]
    st = cs.load(spec["data"], data_followup=spec.get("data_followup"), waves=spec.get("waves"),
                 columns=spec.get("columns"), reference_groups=spec["reference_groups"], groups=spec.get("groups"))
    cs.compare_groups(st, bootstrap=999)
    tp = min(best(lambda: cs.compare_groups(st), 1) for _ in range(a.repeat))
    tb = min(best(lambda: cs.compare_groups(st, bootstrap=999, seed=1), 1) for _ in range(a.repeat))
    print(f"2. default data ({len(st.data):,} applications, {st.data['cluster'].nunique():,} vacancies, "
          f"{len(st.waves)} waves, {len(st.comparisons)} comparisons)")
    print(f"   point estimate: {tp * 1000:.1f} ms   with 999 bootstrap replicates: {tb * 1000:.1f} ms   "
          f"ratio {tb / tp:.1f}x (target < 20x)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
