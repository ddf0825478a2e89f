"""Two commands on one ``--out`` never spoil each other's work, and a killed command's leftovers
are removed by the next run (issue 16, items 5 and 6)."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil
import pytest

from evaluatie.run import locks
from evaluatie.run.cli import main
from evaluatie.run.locks import Busy, PidLock, sweep
from evaluatie.run.runner import write_index

REPO = Path(__file__).resolve().parents[1]


def _dead_pid() -> int:
    p = subprocess.Popen([sys.executable, "-c", "pass"])
    p.wait()
    return p.pid


def test_a_lock_is_exclusive_while_its_owner_runs(tmp_path):
    path = tmp_path / ".x.lock"
    with PidLock(path):
        assert path.read_text() == str(os.getpid())
        with pytest.raises(Busy) as e:
            PidLock(path).acquire()
        assert e.value.owner == os.getpid()
    assert not path.exists()


def test_a_lock_of_a_process_that_no_longer_runs_is_taken_over(tmp_path):
    path = tmp_path / ".x.lock"
    path.write_text(str(_dead_pid()))
    with PidLock(path):
        assert path.read_text() == str(os.getpid())


def test_a_lock_whose_pid_cannot_be_written_leaves_no_file(tmp_path, monkeypatch):
    """A full disk while the process id is written: the error is raised and no empty lock file is
    left (before, it stayed, and every other command was refused or waited for 60 s)."""
    import errno

    real = os.fdopen

    class Full:
        def __init__(self, fd, *a, **k):
            self.f = real(fd, *a, **k)

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.f.close()

        def write(self, text):
            raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fdopen", Full)
    path = tmp_path / ".index.lock"
    with pytest.raises(OSError):
        PidLock(path).acquire()
    monkeypatch.undo()
    assert not path.exists()
    with PidLock(path):  # the next command takes it at once
        assert path.read_text(encoding="ascii") == str(os.getpid())


def test_a_lock_that_cannot_be_removed_does_not_stop_the_command(tmp_path, monkeypatch):
    """A folder turned read-only after the report was put in place: releasing the lock does not
    raise (before, the OSError killed the runner's thread: the written report was shown as a runner
    error and the rest of a --jobs 1 batch as 'de runner stopte onverwacht'); the file is left, and
    the next command takes it over once this process has ended."""
    import errno

    path = tmp_path / ".demo.lock"
    lock = PidLock(path)
    lock.acquire()
    real = Path.unlink

    def refuse(self, *a, **k):
        if self.name.endswith(".lock"):
            raise OSError(errno.EROFS, "Read-only file system")
        return real(self, *a, **k)

    monkeypatch.setattr(Path, "unlink", refuse)
    lock.release()
    monkeypatch.undo()
    assert path.read_text(encoding="ascii") == str(os.getpid())
    lock.release()
    assert not path.exists()


def test_a_waiting_lock_gets_its_turn(tmp_path):
    path = tmp_path / ".x.lock"
    first = PidLock(path)
    first.acquire()
    released = threading.Event()

    def release():
        released.set()
        first.release()

    threading.Timer(0.3, release).start()
    with PidLock(path, wait=10):  # acquired only once the first holder has let go
        assert released.is_set() and path.read_text() == str(os.getpid())


def _report(folder: Path, status: str, text: str) -> Path:
    folder.mkdir(parents=True)
    (folder / "run.json").write_text(json.dumps({"status": status}), encoding="utf-8")
    (folder / "report.html").write_text(text, encoding="utf-8")
    return folder


def test_sweep_puts_back_the_last_good_report_a_dead_command_held(tmp_path):
    """What a command killed between moving the last good report aside and putting its new folder in
    place leaves (or one whose renames were all refused): the sweep of the next command puts it back
    (runner._rescue) instead of removing it with the folder; a folder whose rescue fails is kept."""
    from evaluatie.run.runner import _rescue

    dead = _dead_pid()
    # a report's folder moved aside, no folder in its place: back as the report's folder
    _report(tmp_path / f".a.old-{dead}-0123abcd", "ok", "a good")
    # a failed attempt's run folder holding the last good report, no folder in its place: back as the folder
    _report(tmp_path / f".b.tmp-{dead}-0123abcd" / "vorige", "ok", "b good")
    # the report's folder is a failed attempt without a good one: the last good one becomes its vorige/
    _report(tmp_path / f".c.tmp-{dead}-0123abcd" / "vorige", "ok", "c good")
    _report(tmp_path / "c", "failed", "c failed")
    # a newer good report is in place: the held one is superseded and removed
    _report(tmp_path / f".d.tmp-{dead}-0123abcd" / "vorige", "ok", "d old")
    _report(tmp_path / "d", "ok", "d new")
    sweep(tmp_path, rescue=_rescue)
    assert (tmp_path / "a" / "report.html").read_text(encoding="utf-8") == "a good"
    assert (tmp_path / "b" / "report.html").read_text(encoding="utf-8") == "b good"
    assert (tmp_path / "c" / "vorige" / "report.html").read_text(encoding="utf-8") == "c good"
    assert (tmp_path / "c" / "report.html").read_text(encoding="utf-8") == "c failed"
    assert (tmp_path / "d" / "report.html").read_text(encoding="utf-8") == "d new"
    assert not list(tmp_path.glob(".*"))
    # a rescue that cannot move the report keeps the folder, whatever sweep would remove
    held = _report(tmp_path / f".e.tmp-{dead}-0123abcd" / "vorige", "ok", "e good").parent
    assert held not in sweep(tmp_path, rescue=lambda folder: False) and held.is_dir()


def test_sweep_removes_only_what_dead_commands_left(tmp_path):
    dead, me = _dead_pid(), os.getpid()
    gone = [tmp_path / f".r.tmp-{dead}-0123abcd", tmp_path / f".r.old-{dead}-0123abcd"]
    kept = [tmp_path / f".r.tmp-{me}-0123abcd", tmp_path / "r", tmp_path / ".r.tmp-notapid"]
    for d in gone + kept:
        d.mkdir()
    (tmp_path / ".r.lock").write_text(str(dead))
    (tmp_path / ".s.lock").write_text(str(me))
    gone.append(tmp_path / ".r.lock")
    kept.append(tmp_path / ".s.lock")
    ipc_dead = Path(tempfile.mkdtemp(prefix=locks.IPC_PREFIX))
    (ipc_dead / "owner").write_text(str(dead))
    ipc_mine = Path(tempfile.mkdtemp(prefix=locks.IPC_PREFIX))
    locks.mark_owner(ipc_mine)
    try:
        removed = set(sweep(tmp_path))
        assert set(gone) | {ipc_dead} <= removed
        assert all(d.exists() for d in kept) and ipc_mine.exists() and not ipc_dead.exists()
    finally:
        shutil.rmtree(ipc_mine, ignore_errors=True)


def _write_params(proj: Path, name: str, body: str) -> None:
    (proj / "params" / f"{name}.yaml").write_text(body, encoding="utf-8")


def test_a_report_another_command_is_making_is_refused_and_left_alone(demo_project, capsys):
    out = demo_project / "out"
    assert main(["run", "demo", "--out", str(out), "--quiet"]) == 0
    before = (out / "demo" / "run.json").read_text(encoding="utf-8")
    with PidLock(out / ".demo.lock"):  # as if another command were making it now
        assert main(["run", "demo", "--out", str(out), "--quiet"]) == 1
    printed = capsys.readouterr().out
    assert "wordt op dit moment al gemaakt door een andere opdracht" in printed
    assert (out / "demo" / "run.json").read_text(encoding="utf-8") == before  # nothing overwritten
    assert (out / "demo" / "report.html").exists()


WRITER = """
import json, sys
from pathlib import Path
from evaluatie.run.runner import write_index
out, name, n = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3])
d = out / name
d.mkdir()
(d / "run.json").write_text(json.dumps({"run": name, "status": "failed", "finished": "2026-12-04T10:00:00+00:00"}))
for _ in range(n):
    write_index(out)
"""


def test_six_commands_writing_one_index_at_once_all_succeed_and_all_are_listed(tmp_path):
    procs = [subprocess.Popen([sys.executable, "-c", WRITER, str(tmp_path), f"run{i}", "40"],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for i in range(6)]
    results = [p.communicate(timeout=300) for p in procs]
    assert [p.returncode for p in procs] == [0] * 6, [err for _, err in results]
    index = (tmp_path / "index.html").read_text(encoding="utf-8")
    assert all(f"run{i}" in index for i in range(6))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["index.html"] + [f"run{i}" for i in range(6)]


def test_the_index_never_lists_another_command_s_run_in_the_making(tmp_path):
    """A run folder another command is still making (``.demo.tmp-<pid>-<hex>``, its run.json
    written just before it is put in place) or one on its way out (``.demo.old-…``) is no row of
    the index (before: pathlib's '*' matched them, and a command writing its index at that moment
    linked a folder that was gone a moment later)."""
    record = {"run": "demo", "status": "ok", "finished": "2026-12-04T10:00:00+00:00", "title": "Demo"}
    for name in ("demo", ".demo.tmp-999999-abcdef12", ".demo.old-999999-abcdef12"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "run.json").write_text(json.dumps(record), encoding="utf-8")
    index = (write_index(tmp_path)).read_text(encoding="utf-8")
    assert ".demo.tmp" not in index and ".demo.old" not in index
    assert index.count("Demo") == 1


KILLED = """
import sys
from evaluatie.run.cli import main
sys.exit(main(["run", "slow_a", "slow_b", "--jobs", "2", "--quiet", "--out", sys.argv[1]]))
"""


def test_after_sigkill_of_the_command_its_kernels_end_and_the_next_run_cleans_up(demo_project):
    """The kernels watch their parent (ipykernel's parent poller, enabled by jupyter_client's
    JPY_PARENT_PID) and exit when it is killed; the next run on the same --out removes the killed
    command's temporary folders and kernel socket folders."""
    for name in ("slow_a", "slow_b"):
        _write_params(demo_project, name, "notebook: demo\nparameters:\n  sleep: 300\n")
    out = demo_project / "out"
    proc = subprocess.Popen([sys.executable, "-c", KILLED, str(out)], env={**os.environ, "EVALUATIE_ROOT": str(demo_project)})
    try:
        for _ in range(600):
            if len(list(out.glob(".slow_*.tmp-*/tables/ledger.csv"))) == 2:
                break
            time.sleep(0.1)
        assert len(list(out.glob(".slow_*.tmp-*/tables/ledger.csv"))) == 2, "the reports did not start"
        children = psutil.Process(proc.pid).children(recursive=True)
        ipc = [d for d in Path(tempfile.gettempdir()).glob(locks.IPC_PREFIX + "*")
               if (d / "owner").is_file() and (d / "owner").read_text() == str(proc.pid)]
        assert len(children) >= 2 and len(ipc) == 2
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
        gone, alive = psutil.wait_procs(children, timeout=10)
        assert alive == []
    finally:
        if proc.poll() is None:
            proc.kill()
    assert main(["run", "demo", "--out", str(out), "--quiet"]) == 0
    assert not list(out.glob(".*")) and not any(d.exists() for d in ipc)
    assert json.loads((out / "demo" / "run.json").read_text())["status"] == "ok"
