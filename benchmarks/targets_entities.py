"""Per-entity streefcijfers reports in parallel: N entity reports with ``--jobs 2`` against
N × (one report's time) / 2, measured in the same run of this script.

Target (issue 4): 75 entity reports with 2 jobs take at most 1.2 × (75 × one report) / 2.

The runs are built exactly as ``evaluatie run streefcijfers --by entity`` builds them (the
notebook's ``by.entity`` declaration → :func:`evaluatie.analyses.targets.entity_values`), without the
overview report. One report's time is the median of three reports run one after the other (``execute``,
papermill already imported, as in a worker that has started), then all N run with
``run_all(jobs=2)``, worker start-up included.

    .venv/bin/python benchmarks/targets_entities.py [--n 75] [--scale 1.0] [--jobs 2] [--no-preload]

Measured 2026-11-23 06:00-06:20, kernels forked from a zygote (the default): one report 4.2 s
(median of 6.4, 3.8, 4.2; the first starts the zygote); 75 reports in 135.1 s against 156.0 s ideal,
ratio 0.87. With ``--no-preload``: one report 5.9 s (median of 6.2, 5.7, 5.9); 75 reports in
224.7 s against 222.5 s, ratio 1.01. Since 03:42 the zygote forks a worker's first kernel before
it has imported the other reports' libraries, forked kernels no longer hang at shutdown
(ipykernel's race, see :mod:`evaluatie.run.kernels`), and the HTML export skips a second parse of the
page.

Measured 2026-11-23 03:42 (load average 1.0-2.0), kernels forked from a zygote (the default): one
report 3.2 s (median of 5.7, 3.1, 3.2; the first starts the zygote); 75 reports in 140.2 s against
121.1 s ideal, ratio 1.16. Right after, with ``--no-preload``: one report 5.9 s; 75 reports in
237.9 s against 222.6 s, ratio 1.07. The batch takes 41% less time; the ratio rises because the
ideal shrinks more than the fixed costs of running two workers next to their zygotes.

Measured 2026-11-23 02:30 (load average 1.3-2.0): one report 6.7 s (median of 7.0, 5.8, 6.7);
75 reports in 241.1 s against 249.8 s ideal, ratio 0.97. At 02:06, before the faster papermill
import: 290.5 s against 262.2 s, ratio 1.11. The session before (load 2-4, notebook saved
twice per cell, one report's time counting the papermill import): 539.8 s against 391.3 s,
ratio 1.38.
"""

from __future__ import annotations

import argparse
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
    ap.add_argument("--scale", type=float, default=1.0, help="size of the synthetic personnel data")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--no-preload", action="store_true", help="start every kernel the normal way")
    args = ap.parse_args()

    import os

    os.environ.setdefault("EVALUATIE_ROOT", str(REPO))
    from evaluatie.run.params import RunSpec, load_run
    from evaluatie.run.runner import execute, run_all
    from evaluatie.analyses.targets import entity_values

    base = load_run(REPO / "params" / "streefcijfers.yaml", overrides={"scale": args.scale})
    values = entity_values(base.parameters)[: args.n]
    runs = [RunSpec(f"{base.name}-{i:02d}", base.notebook, base.params_file,
                    {**base.parameters, "entity": v}, base.specs) for i, v in enumerate(values, 1)]

    work = Path(tempfile.mkdtemp(prefix="ev-bench-targets-"))
    try:
        import papermill  # noqa: F401 - imported once per process; not part of one report's time

        singles = []
        for run in runs[:3]:  # one report's time: the median of three, each in its own kernel
            t0 = time.perf_counter()
            one = execute(run, work / "single", progress=False, preload=not args.no_preload)
            singles.append(time.perf_counter() - t0)
            if not one.ok:
                print("single report failed:", one.describe_error())
                return 1
        t_one = sorted(singles)[1]
        t0 = time.perf_counter()
        results = run_all(runs, work / "parallel", jobs=args.jobs, progress=False, preload=not args.no_preload)
        t_par = time.perf_counter() - t0
    finally:
        shutil.rmtree(work, ignore_errors=True)
    failed = [r.name for r in results if not r.ok]
    ideal = len(runs) * t_one / args.jobs
    print(f"entity reports: {len(runs)} (scale {args.scale}), jobs {args.jobs}, "
          f"kernels {'started the normal way' if args.no_preload else 'forked from a zygote'}")
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
