"""Suite timing: `evaluatie run --all` against the floor, in one run of this script.

The floor is what any notebook-based report pipeline pays anyway: for every report in
``params/``, a notebook that only imports the same libraries (the import lines of the real
notebook), executed by papermill with the same kernel manager (IPC sockets) and engine and
rendered by nbconvert with the same template. Both sides are started as separate commands, so
process start-up counts on both.

The floor's kernels are started the normal way, so its notebooks really import the libraries.
``evaluatie run`` by default forks its kernels from a zygote that has loaded them once
(:mod:`evaluatie.run.kernels`); the suite also times ``--no-preload`` (every kernel started the normal
way) and, for comparison, a floor whose kernels are forked from a zygote too, where the floor's
notebooks find the libraries loaded and import nothing.

Prints the floor (sequential), ``run --all --jobs 1`` and ``--jobs 2`` wall times and the ratios.
Targets (issue 2): jobs 1 ≤ 1.3 × floor; jobs 2 < floor. It also splits the ``--jobs 1`` time into
the reports' own cells (their analyses, tables and figures) and everything else (kernels, imports,
papermill, HTML, exports), the part the workbench itself is responsible for.

    .venv/bin/python benchmarks/suite.py [--repeat N]
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
EXE = Path(sys.executable)


def floor_worker(workdir: Path, preload: bool) -> None:
    """Execute and render every floor notebook in ``workdir`` sequentially (the floor command);
    with ``preload``, kernels are forked from a zygote that has run the notebooks' imports, as
    ``evaluatie run`` does by default."""
    from evaluatie.run.runner import skip_slow_format_checkers

    skip_slow_format_checkers()  # as the evaluatie command does, so both sides import papermill alike
    import papermill as pm

    from evaluatie.run import kernels
    from evaluatie.run.runner import IPCKernelManager, KERNEL_NAME, _quiet_papermill, export_html, register_engine

    _quiet_papermill()
    notebooks = sorted(workdir.glob("*.ipynb"))
    kernels.configure(kernels.preload_statements(notebooks) if preload else [])
    for nb in notebooks:
        out = workdir / "out" / nb.stem
        out.mkdir(parents=True, exist_ok=True)
        pm.execute_notebook(str(nb), str(out / "notebook.ipynb"), kernel_name=KERNEL_NAME, cwd=str(REPO),
                            progress_bar=False, log_output=False, kernel_manager_class=IPCKernelManager,
                            engine_name=register_engine())
        export_html(out / "notebook.ipynb", out / "report.html", nb.stem)


def make_floor(workdir: Path) -> int:
    import nbformat
    import yaml

    from evaluatie.run.kernels import preload_statements

    n = 0
    for pf in sorted((REPO / "params").glob("*.yaml")):
        notebook = yaml.safe_load(pf.read_text(encoding="utf-8"))["notebook"]
        nb = nbformat.v4.new_notebook()
        nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
        # the notebook's import lines: what a zygote would load for it (evaluatie.run.kernels)
        imports = preload_statements([REPO / "notebooks" / f"{notebook}.ipynb"])
        nb.cells.append(nbformat.v4.new_code_cell("\n".join(imports)))
        nbformat.write(nb, workdir / f"{pf.stem}.ipynb")
        n += 1
    return n


def content_seconds(out: Path) -> float:
    """Seconds spent in the reports' own cells: every executed code cell except papermill's
    injected parameters and the notebook's first code cell (its imports, which the floor runs
    too), as papermill recorded them in each ``notebook.ipynb``."""
    total = 0.0
    for nb_path in sorted(out.glob("*/notebook.ipynb")):
        cells = json.loads(nb_path.read_text(encoding="utf-8"))["cells"]
        code = [c for c in cells if c["cell_type"] == "code"
                and not {"parameters", "injected-parameters"} & set(c["metadata"].get("tags", []))]
        total += sum(c["metadata"].get("papermill", {}).get("duration") or 0.0 for c in code[1:])
    return total


def stuck_kernels(out: Path) -> int:
    """Reports whose kernel took over 0.9 s to stop after its last cell (0.4-0.6 s normally, 0.1 s
    forked): ipykernel's shutdown race (see :mod:`evaluatie.run.kernels`), after which the runner's
    kernel manager terminates the kernel at 1 s. Forked kernels are not affected; normally started ones, as the
    floor's, are now and then."""
    from datetime import datetime

    def t(s: str) -> datetime:
        return datetime.fromisoformat(s.replace("Z", "+00:00"))

    n = 0
    for nb_path in sorted(out.glob("*/notebook.ipynb")):
        nb = json.loads(nb_path.read_text(encoding="utf-8"))
        ends = [c["metadata"].get("papermill", {}).get("end_time") for c in nb["cells"] if c["cell_type"] == "code"]
        ends = [e for e in ends if e]
        end = nb["metadata"].get("papermill", {}).get("end_time")
        if ends and end and (t(end) - t(ends[-1])).total_seconds() > 0.9:
            n += 1
    return n


def timed(cmd: list[str]) -> float:
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True)
    dt = time.perf_counter() - t0
    if proc.returncode != 0:
        sys.exit(f"command failed ({proc.returncode}): {' '.join(cmd)}\n{proc.stdout[-2000:]}\n{proc.stderr[-2000:]}")
    return dt


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=1, help="repeat each measurement and keep the best")
    ap.add_argument("--floor-worker", type=Path, help=argparse.SUPPRESS)
    ap.add_argument("--no-preload", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.floor_worker:
        floor_worker(args.floor_worker, preload=not args.no_preload)
        return
    work = Path(tempfile.mkdtemp(prefix="ev-suite-"))
    try:
        (work / "floor").mkdir()
        n = make_floor(work / "floor")
        evaluatie = str(EXE.parent / "evaluatie")
        modes = {"preload": [], "normal": ["--no-preload"]}
        best = {(m, k): float("inf") for m in modes for k in ("floor", "jobs1", "jobs2")}
        content = {m: 0.0 for m in modes}
        stuck = {m: 0 for m in modes}
        for _ in range(args.repeat):
            for mode, flag in modes.items():
                shutil.rmtree(work / "floor" / "out", ignore_errors=True)
                t = timed([str(EXE), __file__, "--floor-worker", str(work / "floor"), *flag])
                if mode == "normal" and t < best[mode, "floor"]:
                    stuck[mode] = stuck_kernels(work / "floor" / "out")
                best[mode, "floor"] = min(best[mode, "floor"], t)
                for jobs in (1, 2):
                    out = work / f"run{jobs}"
                    shutil.rmtree(out, ignore_errors=True)
                    t = timed([evaluatie, "run", "--all", "--jobs", str(jobs), "--quiet", "--out", str(out), *flag])
                    if jobs == 1 and t < best[mode, "jobs1"]:
                        content[mode] = content_seconds(out)
                    best[mode, f"jobs{jobs}"] = min(best[mode, f"jobs{jobs}"], t)
        print(f"reports: {n}")
        floor = best["normal", "floor"]
        print("floor: notebooks that only import the reports' libraries, in kernels started the normal way, executed by")
        print(f"  papermill (same engine, IPC kernels) and rendered by nbconvert as evaluatie does: {floor:.1f} s")
        print(f"  (kernels of that run that ipykernel left hanging at shutdown, terminated after 1 s: {stuck['normal']})")
        print(f"evaluatie run --all --jobs 1: {best['preload', 'jobs1']:.1f} s  ratio "
              f"{best['preload', 'jobs1'] / floor:.2f} (target <= 1.30)")
        print(f"evaluatie run --all --jobs 2: {best['preload', 'jobs2']:.1f} s  ratio "
              f"{best['preload', 'jobs2'] / floor:.2f} (target < 1.00)")
        rest = best["preload", "jobs1"] - content["preload"]
        print(f"  of --jobs 1: the reports' own cells (after the import cell) {content['preload']:.1f} s; everything "
              f"else {rest:.1f} s = {rest / floor:.2f} x floor")
        rest = best["normal", "jobs1"] - content["normal"]
        print(f"with --no-preload (every kernel started the normal way): --jobs 1 {best['normal', 'jobs1']:.1f} s "
              f"({best['normal', 'jobs1'] / floor:.2f}), --jobs 2 {best['normal', 'jobs2']:.1f} s "
              f"({best['normal', 'jobs2'] / floor:.2f}); own cells {content['normal']:.1f} s, everything else "
              f"{rest:.1f} s = {rest / floor:.2f} x floor")
        pf = best["preload", "floor"]
        print(f"against a floor whose kernels are forked from a zygote too ({pf:.1f} s; its notebooks then find the "
              f"libraries loaded and import nothing): --jobs 1 {best['preload', 'jobs1'] / pf:.2f}, "
              f"--jobs 2 {best['preload', 'jobs2'] / pf:.2f}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
