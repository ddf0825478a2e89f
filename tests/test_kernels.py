"""Kernels forked from a zygote that has loaded the libraries (evaluatie.run.kernels): they start
with the libraries in memory, but each report is still a process of its own, and the report is the
same as with a kernel started the normal way."""

from __future__ import annotations

import csv
import json
import os
import re
import sys
import textwrap
from pathlib import Path

import nbformat
import pytest

from evaluatie.run import kernels
from evaluatie.run.cli import main

pytestmark = pytest.mark.skipif(not kernels.available(), reason="needs os.fork and os.pidfd_open (Linux)")

REPO = Path(__file__).resolve().parents[1]

PROBE = [
    # the first statement, before any import: which libraries are already loaded
    """\
    import os, sys
    preloaded = sorted(m for m in ("pandas", "matplotlib.pyplot") if m in sys.modules)
    import numpy as np
    import pandas as pd
    import matplotlib.pyplot as plt
    from evaluatie.publish import report as rp
    rp.start("Probe")""",
    # state a previous report could have left behind in a module
    """\
    if tag == "die":
        os._exit(3)  # a kernel that dies (a crash, out of memory)
    seen = getattr(rp, "_probe_mark", None)
    rp._probe_mark = tag
    rp.export(pd.DataFrame({"key": ["preloaded", "seen", "pid", "ppid", "draw"],
                            "value": [",".join(preloaded), str(seen), str(os.getpid()), str(os.getppid()),
                                      repr(np.random.random())]}), "probe")""",
]


@pytest.fixture
def probe_project(demo_project):
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.metadata["evaluatie"] = {"description_nl": "Probe voor de kernels"}
    cell = nbformat.v4.new_code_cell('tag: str = "x"  # label')
    cell.metadata["tags"] = ["parameters"]
    nb.cells = [cell] + [nbformat.v4.new_code_cell(textwrap.dedent(src)) for src in PROBE]
    nbformat.write(nb, demo_project / "notebooks" / "probe.ipynb")
    for tag in ("a", "b", "die"):
        (demo_project / "params" / f"probe_{tag}.yaml").write_text(
            f"notebook: probe\nparameters:\n  tag: {tag}\n", encoding="utf-8")
    return demo_project


def _probe(out: Path, run: str) -> dict[str, str]:
    with open(out / run / "tables" / "probe.csv", encoding="utf-8") as f:
        return {r["key"]: r["value"] for r in csv.DictReader(f)}


def _run_cell(source: str, folder: Path, name: str):
    """Execute a one-cell notebook with ``source`` through papermill and the runner's kernel
    manager, as ``evaluatie run`` does; return the executed cell."""
    import papermill as pm

    from evaluatie.run.runner import KERNEL_NAME, IPCKernelManager, _quiet_papermill, register_engine

    _quiet_papermill()
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [nbformat.v4.new_code_cell(source)]
    nbformat.write(nb, folder / f"{name}.ipynb")
    pm.execute_notebook(str(folder / f"{name}.ipynb"), str(folder / f"{name}.out.ipynb"), kernel_name=KERNEL_NAME,
                        progress_bar=False, log_output=False, kernel_manager_class=IPCKernelManager,
                        engine_name=register_engine())
    return nbformat.read(folder / f"{name}.out.ipynb", as_version=4).cells[0]


def test_kernels_are_forked_with_the_libraries_loaded_and_share_no_state(probe_project):
    out = probe_project / "out"
    assert main(["run", "probe_a", "probe_b", "--out", str(out), "--quiet"]) == 0
    a, b = _probe(out, "probe_a"), _probe(out, "probe_b")
    assert a["preloaded"] == b["preloaded"] == "matplotlib.pyplot,pandas"
    assert a["seen"] == b["seen"] == "None"  # report b does not see what report a set
    assert a["pid"] != b["pid"]  # a process of its own per report ...
    assert a["ppid"] == b["ppid"] != str(os.getpid())  # ... forked from the same zygote, not from us
    assert a["draw"] != b["draw"]  # NumPy's global random state reseeded, as in a new process


def test_zygote_started_before_the_first_kernel_is_the_one_used(probe_project, monkeypatch):
    """run_all starts the zygote before it imports papermill; the environment it predicts for the
    kernels must be the one jupyter_client gives them, or a second zygote would be started."""
    started = []
    init = kernels.Zygote.__init__

    def counting(self, *args, **kwargs):
        started.append(1)
        init(self, *args, **kwargs)

    monkeypatch.setattr(kernels.Zygote, "__init__", counting)
    kernels.shutdown()
    out = probe_project / "out"
    assert main(["run", "probe_a", "probe_b", "--out", str(out), "--quiet"]) == 0
    assert _probe(out, "probe_a")["preloaded"] == "matplotlib.pyplot,pandas"
    assert len(started) == 1


def test_a_forked_kernel_that_dies_fails_only_its_own_report(probe_project, capsys):
    out = probe_project / "out"
    assert main(["run", "probe_die", "probe_a", "--out", str(out), "--quiet"]) == 1
    rec = json.loads((out / "probe_die" / "run.json").read_text(encoding="utf-8"))
    assert rec["status"] == "failed" and "DeadKernel" in rec["error"]["ename"]
    assert not (out / "probe_die" / "report.html").exists()
    assert json.loads((out / "probe_a" / "run.json").read_text(encoding="utf-8"))["status"] == "ok"
    assert "probe_die" in capsys.readouterr().out


def test_no_preload_starts_kernels_the_normal_way(probe_project):
    out = probe_project / "out"
    assert main(["run", "probe_a", "--out", str(out), "--quiet", "--no-preload"]) == 0
    a = _probe(out, "probe_a")
    assert a["preloaded"] == ""
    assert a["ppid"] == str(os.getpid())


def test_same_report_with_and_without_preload(demo_project):
    """The demo report (table, figure, ledger, provenance) byte for byte, but for the time it was made."""
    made = re.compile(r"Gemaakt op [^<]*? u\b")
    pages, pngs = [], []
    for flag in ([], ["--no-preload"]):
        out = demo_project / ("out" + "".join(flag))
        assert main(["run", "demo", "--out", str(out), "--quiet", *flag]) == 0
        pages.append(made.sub("", (out / "demo" / "report.html").read_text(encoding="utf-8")))
        pngs.append((out / "demo" / "figures" / "gemiddelden.png").read_bytes())
    assert pages[0] == pages[1]
    assert pngs[0] == pngs[1]


def test_zygote_follows_the_environment_and_refuses_after_threads(tmp_path):
    cmd = [sys.executable, "-m", "ipykernel_launcher", "-f", str(tmp_path / "k.json")]
    env = dict(os.environ)
    try:
        kernels.configure(["import json"])
        first = kernels.zygote_for(cmd, env, str(tmp_path))
        assert first is not None and first.alive()
        # the per-run variables may differ; anything else needs a zygote that imported under it
        assert kernels.zygote_for(cmd, {**env, "EVALUATIE_RUN_DIR": str(tmp_path)}, str(tmp_path)) is first
        other = kernels.zygote_for(cmd, {**env, "EVALUATIE_TEST_OTHER": "1"}, str(tmp_path))
        assert other is not None and other is not first and not first.alive()
        # not an ipykernel launch: the normal way
        assert kernels.zygote_for(["R", "--slave"], env, str(tmp_path)) is None
        # a library that leaves a thread running after its import: no forking, and no retry
        kernels.configure(["import threading, time; threading.Thread(target=time.sleep, args=(60,), daemon=True).start()"])
        assert kernels.zygote_for(cmd, env, str(tmp_path)) is None
        refused = kernels._ZYGOTE
        assert kernels.zygote_for(cmd, env, str(tmp_path)) is None and kernels._ZYGOTE is refused
    finally:
        kernels.configure([])
        kernels.shutdown()


def test_a_forked_kernel_exits_when_its_zygote_is_gone(tmp_path):
    """If the runner is killed, its zygote reads the end of its stdin and exits; a kernel that is
    left then ends too (its death signal; ipykernel's own watch misses a parent that dies while the
    kernel starts), instead of running on as an orphan."""
    import signal

    cmd = [sys.executable, "-m", "ipykernel_launcher", "-f", str(tmp_path / "k.json")]
    try:
        kernels.configure(["import json"])
        zygote = kernels.zygote_for(cmd, dict(os.environ), str(tmp_path))
        kernel = zygote.spawn(cmd, dict(os.environ), str(tmp_path), str(tmp_path / "kernel.log"))
        assert kernel.poll() is None
        os.kill(zygote.proc.pid, signal.SIGKILL)
        assert kernel.wait(timeout=20) is not None
    finally:
        kernels.configure([])
        kernels.shutdown()


def test_preload_statements_are_the_notebooks_top_level_imports(tmp_path):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("import pandas as pd\nfrom evaluatie.publish import report as rp\nx = 1"),
                nbformat.v4.new_markdown_cell("import nothing"),
                nbformat.v4.new_code_cell("if x:\n    import scipy\nfrom . import local\nimport pandas as pd\n%matplotlib inline")]
    nbformat.write(nb, tmp_path / "n.ipynb")
    # the last cell is not Python (a magic): skipped whole, like any cell that does not parse
    assert kernels.preload_statements([tmp_path / "n.ipynb"]) == ["import pandas as pd", "from evaluatie.publish import report as rp"]
    nb.cells[2].source = "if x:\n    import scipy\nfrom . import local\nimport pandas as pd\nimport numpy"
    nbformat.write(nb, tmp_path / "n.ipynb")
    assert kernels.preload_statements([tmp_path / "n.ipynb"]) == [
        "import pandas as pd", "from evaluatie.publish import report as rp", "import numpy"]


@pytest.mark.parametrize("name", ["survey_evaluatie", "streefcijfers"])
def test_real_report_is_the_same_with_and_without_preload(name, tmp_path, monkeypatch):
    """A real analysis (the survey report imports matplotlib only inside evaluatie's chart
    functions; the streefcijfers report at the top): page, every figure and every table."""
    from evaluatie.run.params import load_run
    from evaluatie.run.runner import execute

    monkeypatch.setenv("EVALUATIE_ROOT", str(REPO))
    run = load_run(REPO / "params" / "test" / f"{name}.yaml")
    made = re.compile(r"Gemaakt op [^<]*? u\b")
    outs = []
    kernels.configure(kernels.preload_statements([run.notebook]))
    for preload in (True, False):
        out = tmp_path / str(preload)
        assert execute(run, out, preload=preload).ok
        outs.append(out / run.name)
        if preload:
            assert kernels._ZYGOTE is not None and kernels._ZYGOTE.alive()  # the kernel was a fork
    kernels.configure([])  # the next execute() in this process picks its own statements again
    pages = [made.sub("", (d / "report.html").read_text(encoding="utf-8")) for d in outs]
    assert pages[0] == pages[1]
    files = [sorted(p.relative_to(d) for p in (d / "figures").glob("*.png")) +
             sorted(p.relative_to(d) for p in (d / "tables").glob("*.csv")) for d in outs]
    assert files[0] == files[1] and files[0]
    for rel in files[0]:
        assert (outs[0] / rel).read_bytes() == (outs[1] / rel).read_bytes(), rel


def test_forked_kernels_stop_when_asked(tmp_path, caplog):
    """ipykernel can hang at shutdown (its control thread flushes through the IOPub thread that
    its exit handler has just stopped) until the runner terminates it, after 1 s.
    Without the fix in evaluatie.run.kernels, that happened to about one kernel in six here."""
    import logging

    caplog.set_level(logging.DEBUG)
    try:
        kernels.configure(["import json"])
        for i in range(20):
            assert _run_cell("import json\nprint(json.dumps([1]))", tmp_path, f"tiny{i}").outputs[0]["text"] == "[1]\n"
        assert kernels._ZYGOTE is not None and kernels._ZYGOTE.alive()  # the kernels were forks
    finally:
        kernels.configure([])
        kernels.shutdown()
    stuck = [r.getMessage() for r in caplog.records if "taking too long" in r.getMessage()]
    assert stuck == []


def test_first_kernel_is_forked_before_the_other_reports_imports(tmp_path, monkeypatch):
    """The zygote forks the first report's kernel once that report's imports are done, and only
    then imports what the other reports need: the first kernel lacks those modules (it would
    import them itself), a kernel forked afterwards has them."""
    import time

    marker = tmp_path / "imported"
    (tmp_path / "later_lib.py").write_text(
        f"import os\nopen({str(marker)!r}, 'a').write(str(os.getpid()) + '\\n')\n", encoding="utf-8")
    monkeypatch.setenv("PYTHONPATH", str(tmp_path))  # the zygote and its kernels find later_lib

    def run(i: int) -> list[str]:
        cell = _run_cell("import os, sys\nprint('later_lib' in sys.modules, os.getppid())", tmp_path, f"probe{i}")
        return cell.outputs[0]["text"].split()

    try:
        kernels.configure(["import json", "import later_lib"], first=1)
        first = run(0)
        zygote = kernels._ZYGOTE
        deadline = time.monotonic() + 60
        while not marker.exists() and time.monotonic() < deadline:  # the zygote's import, after that fork
            time.sleep(0.05)
        assert marker.read_text().split() == [str(zygote.proc.pid)]
        second = run(1)
        # the same zygote, which now serves the statements in another order (same set)
        kernels.configure(["import later_lib", "import json"], first=2)
        third = run(2)
        assert kernels._ZYGOTE is zygote
    finally:
        kernels.configure([])
        kernels.shutdown()
    assert first == ["False", str(zygote.proc.pid)]
    assert second == third == ["True", str(zygote.proc.pid)]


def test_zygote_stops_forking_when_a_later_import_leaves_a_thread(tmp_path):
    cmd = [sys.executable, "-m", "ipykernel_launcher", "-f", str(tmp_path / "k.json")]
    env = dict(os.environ)
    import time

    started = tmp_path / "started"
    thread = ("import threading, time; threading.Thread(target=time.sleep, args=(60,), daemon=True).start(); "
              f"open({str(started)!r}, 'w').close()")
    try:
        kernels.configure(["import json", thread], first=1)
        zygote = kernels.zygote_for(cmd, env, str(tmp_path))
        kernel = zygote.spawn(cmd, env, str(tmp_path), str(tmp_path / "kernel.log"))  # before the thread
        kernel.kill()
        deadline = time.monotonic() + 60
        while not started.exists() and time.monotonic() < deadline:
            time.sleep(0.02)
        with pytest.raises(OSError, match="thread"):
            zygote.spawn(cmd, env, str(tmp_path), None)  # the thread runs now: refused
        assert not zygote.alive()
        assert kernels.zygote_for(cmd, env, str(tmp_path)) is None and kernels._ZYGOTE is zygote  # no retry
    finally:
        kernels.configure([])
        kernels.shutdown()


@pytest.mark.parametrize("preload", [True, False], ids=["forked", "normal"])
def test_a_kernel_that_hangs_at_exit_does_not_hold_up_the_run(preload, tmp_path, caplog):
    """A kernel that does not exit after the shutdown request (here: an exit handler that sleeps
    for a minute) is terminated after 1 s; its report is complete by then."""
    import logging
    import time
    from datetime import datetime

    caplog.set_level(logging.DEBUG)
    try:
        kernels.configure(["import json"] if preload else [])
        t0 = time.monotonic()
        cell = _run_cell("import atexit, time\natexit.register(time.sleep, 60)\nprint('klaar')", tmp_path, "hang")
        elapsed = time.monotonic() - t0
    finally:
        kernels.configure([])
        kernels.shutdown()
    assert cell.outputs[0]["text"] == "klaar\n"
    terminated = [r.created for r in caplog.records if "taking too long" in r.getMessage()]
    assert terminated and elapsed < 45  # terminated instead of waited for (60 s) ...
    # ... a second after the shutdown request (jupyter_client's default: 2.5 s)
    last_cell_end = datetime.fromisoformat(cell.metadata.papermill.end_time.replace("Z", "+00:00")).timestamp()
    assert terminated[0] - last_cell_end < 2.0


def test_zygote_survives_what_its_imports_do_and_is_not_restarted_after_dying(tmp_path):
    """Imports that print (to stdout, the zygote's reply channel) or raise SystemExit, before or
    after the first fork, leave the zygote serving; a zygote that dies is not started again (it
    would take the next kernels with it), and kernels start the normal way."""
    import signal

    cmd = [sys.executable, "-m", "ipykernel_launcher", "-f", str(tmp_path / "k.json")]
    env = dict(os.environ)
    try:
        kernels.configure(["print('ready'); print(12345, flush=True)", "raise SystemExit(3)",
                           "import sys; print('later', flush=True); sys.stdout.buffer.write(b'9\\n')",
                           "raise SystemExit(4)"], first=2)
        zygote = kernels.zygote_for(cmd, env, str(tmp_path))
        assert zygote is not None and zygote.alive()
        pids = []
        for i in range(3):  # the later statements run between these forks
            kernel = zygote.spawn(cmd, env, str(tmp_path), None)
            pids.append(kernel.pid)
            kernel.kill()
            assert kernel.wait(timeout=20) is not None
        assert zygote.alive() and len(set(pids)) == 3 and 12345 not in pids and 9 not in pids
        os.kill(zygote.proc.pid, signal.SIGKILL)
        zygote.proc.wait(timeout=20)
        assert kernels.zygote_for(cmd, env, str(tmp_path)) is None and kernels._ZYGOTE is zygote
    finally:
        kernels.configure([])
        kernels.shutdown()
