"""Per-entity streefcijfers reports in parallel: N entity reports with ``--jobs 2`` against
N × (one report's time) / 2, measured in the same run of this script.

Target (issue 4): 75 entity reports with 2 jobs take at most 1.2 × (75 × one report) / 2.

The runs are built exactly as ``evaluatie run streefcijfers --by entity`` builds them (the
notebook's ``by.entity`` declaration → :func:`evaluatie.analyses.targets.entity_values`), without the
overview report. One report's time is the median of three reports run one after the other (``execute``,
the runner already imported, as in a worker that has started), then all N run with
``run_all(jobs=2)``, worker start-up included.

    .venv/bin/python benchmarks/targets_entities.py [--n 75] [--jobs 2]

The personnel data is the example's (``data/example/personnel.parquet``, as ``params/streefcijfers.yaml``
names it); the notebook no longer generates synthetic data of a chosen size.

Measured 2026-12-04 18:19-18:22 (load average 1.3-2.5 from other work on the 2-core machine),
every kernel started the normal way, the next one while the previous report renders, two runner
threads: one report 4.0 s (median of 5.4, 3.8, 4.0); 75 reports in 167.0 s against 148.4 s
ideal, ratio 1.13.

Measured before issue 13 (2026-11-23 06:00-06:20): kernels forked from a zygote, one report 4.2 s
(median of 6.4, 3.8, 4.2); 75 reports in 135.1 s against 156.0 s ideal, ratio 0.87. Every kernel
started the normal way (the then ``--no-preload``): one report 5.9 s; 75 reports in 224.7 s
against 222.5 s, ratio 1.01.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=75, help="number of entity reports (default 75)")
    ap.add_argument("--jobs", type=int, default=2)
    args = ap.parse_args()

    os.environ.setdefault("EVALUATIE_ROOT", str(REPO))
    from evaluatie.run.params import RunSpec, load_run
    from evaluatie.run.runner import execute, run_all
    from evaluatie.analyses.targets import entity_values

    base = load_run(REPO / "params" / "streefcijfers.yaml", overrides={})
    values = entity_values(base.parameters)[: args.n]
    runs = [RunSpec(f"{base.name}-{i:02d}", base.notebook, base.params_file,
                    {**base.parameters, "entity": v}, base.specs) for i, v in enumerate(values, 1)]

    work = Path(tempfile.mkdtemp(prefix="ev-bench-targets-"))
    try:
        singles = []
        for run in runs[:3]:  # one report's time: the median of three, each in its own kernel
            t0 = time.perf_counter()
            one = execute(run, work / "single", progress=False)
            singles.append(time.perf_counter() - t0)
            if not one.ok:
                print("single report failed:", one.describe_error())
                return 1
        t_one = sorted(singles)[1]
        t0 = time.perf_counter()
        results = run_all(runs, work / "parallel", jobs=args.jobs, progress=False)
        t_par = time.perf_counter() - t0
    finally:
        shutil.rmtree(work, ignore_errors=True)
    failed = [r.name for r in results if not r.ok]
    ideal = len(runs) * t_one / args.jobs
    print(f"entity reports: {len(runs)}, jobs {args.jobs}")
    print(f"one report:      {t_one:8.1f} s  (median of {', '.join(f'{x:.1f}' for x in singles)})")
    print(f"all, parallel:   {t_par:8.1f} s")
    print(f"ideal N*one/jobs:{ideal:8.1f} s")
    print(f"ratio parallel / ideal = {t_par / ideal:.2f}  (target <= 1.20)")
    if failed:
        for r in results:
            if not r.ok:
                print("failed:", r.describe_error())
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
