"""Suite timing: `evaluatie run --all --jobs 2` against the floor's sequential time, in one run of
this script.

The floor is what any notebook-based report pipeline pays anyway: for every report in
``params/``, a notebook that only imports the same libraries (the top-level import lines of the
real notebook), run one after the other in one process: a kernel started the normal way with
the runner's own settings (:func:`evaluatie.run.kernel.start_kernel`), the notebook executed by
papermill in it, the kernel stopped, the notebook rendered by nbconvert as the runner renders a
report (:func:`evaluatie.run.notebook.export_html`). Both sides are started as separate commands,
so process start-up and library imports count on both.

Each repetition times the floor, ``run --all --jobs 2`` and ``run --all --jobs 1`` right after
each other; the ratio is taken within a repetition, so a busy machine slows both sides of it.
Prints every repetition and the median and range of the ratios. Target (issue 13): ``--jobs 2``
at most 1.0 × the floor's sequential time. For ``--jobs 1`` it also prints how much of its time
the reports' own cells took (their analyses, tables and figures, after the import cell). The CPU
time of each command (its processes and kernels together) shows how much work each side does,
whatever else runs on the machine: on a busy machine ``--jobs 2`` cannot get its second core
and the wall-clock ratio says little.

    .venv/bin/python benchmarks/suite.py [--repeat N]
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
EXE = Path(sys.executable)
SLOW_STOP = 0.9  # seconds: a kernel that took longer to stop hung at exit and was terminated


def floor_worker(workdir: Path) -> None:
    """Execute and render every floor notebook in ``workdir``, one after the other (the floor
    command); print how many kernels took more than ``SLOW_STOP`` s to stop."""
    import papermill as pm

    from evaluatie.run.kernel import KERNEL_NAME, request_stop, start_kernel, stop_kernel
    from evaluatie.run.notebook import export_html

    slow = 0
    for nb in sorted(workdir.glob("*.ipynb")):
        out = workdir / "out" / nb.stem
        out.mkdir(parents=True, exist_ok=True)
        km = start_kernel(out, REPO)
        try:
            pm.execute_notebook(str(nb), str(out / "notebook.ipynb"), kernel_name=KERNEL_NAME, progress_bar=False,
                                km=km)
        finally:
            t0 = time.perf_counter()
            request_stop(km)
            stop_kernel(km)
            slow += time.perf_counter() - t0 > SLOW_STOP
        export_html(out / "notebook.ipynb", out / "report.html", nb.stem)
    print(json.dumps({"slow_stops": slow}))


def import_lines(notebook: Path) -> list[str]:
    """The top-level import statements of a notebook's code cells, in order, once each."""
    seen: dict[str, None] = {}
    nb = json.loads(notebook.read_text(encoding="utf-8"))
    for cell in nb["cells"]:
        if cell["cell_type"] != "code":
            continue
        src = "".join(cell["source"])
        try:
            tree = ast.parse(src)
        except SyntaxError:
            continue
        for node in tree.body:
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                seen.setdefault(ast.get_source_segment(src, node), None)
    return list(seen)


def make_floor(workdir: Path) -> int:
    import nbformat
    import yaml

    n = 0
    for pf in sorted((REPO / "params").glob("*.yaml")):
        notebook = yaml.safe_load(pf.read_text(encoding="utf-8"))["notebook"]
        nb = nbformat.v4.new_notebook()
        nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
        nb.cells.append(nbformat.v4.new_code_cell("\n".join(import_lines(REPO / "notebooks" / f"{notebook}.ipynb"))))
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


def timed(cmd: list[str]) -> tuple[float, float, str]:
    """Wall time and CPU time (user + system, of the command and every process it waited for:
    workers, kernels) of ``cmd``, and what it printed."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True)
    dt = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        sys.exit(f"command failed ({proc.returncode}): {' '.join(cmd)}\n{proc.stdout[-2000:]}\n{proc.stderr[-2000:]}")
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    return dt, cpu, proc.stdout


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=3, help="repetitions (default 3)")
    ap.add_argument("--floor-worker", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.floor_worker:
        floor_worker(args.floor_worker)
        return
    work = Path(tempfile.mkdtemp(prefix="ev-suite-"))
    evaluatie = str(EXE.parent / "evaluatie")
    ratios = []
    try:
        (work / "floor").mkdir()
        n = make_floor(work / "floor")
        print(f"reports: {n}")
        for i in range(1, args.repeat + 1):
            load = os.getloadavg()[0]
            shutil.rmtree(work / "floor" / "out", ignore_errors=True)
            floor, floor_cpu, printed = timed([str(EXE), __file__, "--floor-worker", str(work / "floor")])
            slow = json.loads(printed.strip().splitlines()[-1])["slow_stops"]
            wall, cpu = {}, {}
            for jobs in (2, 1):
                out = work / f"run{jobs}"
                shutil.rmtree(out, ignore_errors=True)
                wall[jobs], cpu[jobs], _ = timed([evaluatie, "run", "--all", "--jobs", str(jobs), "--quiet", "--out", str(out)])
            own = content_seconds(work / "run1")
            ratios.append(wall[2] / floor)
            print(f"repetition {i} (load average {load:.1f} before it):\n"
                  f"  floor                 {floor:5.1f} s  (CPU {floor_cpu:5.1f} s; {slow} kernels hung at exit)\n"
                  f"  run --all --jobs 2    {wall[2]:5.1f} s  (CPU {cpu[2]:5.1f} s)  ratio {wall[2] / floor:.2f}\n"
                  f"  run --all --jobs 1    {wall[1]:5.1f} s  (CPU {cpu[1]:5.1f} s)  ratio {wall[1] / floor:.2f}; "
                  f"the reports' own cells {own:.1f} s of it", flush=True)
        print(f"run --all --jobs 2 / floor (sequential): median {statistics.median(ratios):.2f}, "
              f"range {min(ratios):.2f}-{max(ratios):.2f} over {len(ratios)} repetitions (target <= 1.00)")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
