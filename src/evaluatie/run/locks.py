"""Locks and leftovers of runs: what keeps two commands on one ``--out`` from spoiling each other's
work, and what cleans up after a command that was killed.

- :class:`PidLock` is a lock file holding its owner's process id, created with ``O_EXCL`` (atomic
  on every platform and file system the reports are written to). A lock whose owner no longer
  runs is stale and is taken over; the owner's liveness comes from :func:`psutil.pid_exists`.
  The runner holds one per report while it makes it (``<out>/.<run>.lock``: a second command
  making the same report at the same time is refused, never silently overwritten) and one
  while it writes ``index.html`` (``<out>/.index.lock``: concurrent writers take turns, and the
  last one to write has seen every run).
- :func:`sweep` removes what a killed command left: temporary run folders
  (``<out>/.<run>.tmp-<pid>-…``, ``<out>/.<run>.old-<pid>-…``), lock files and kernel socket
  folders (``<tmp>/ev-ipc-…``, with an ``owner`` file) whose process no longer runs; the runner
  first puts back a last good report such a folder still holds (its ``rescue``).
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
import time
from pathlib import Path
from typing import Callable

import psutil

__all__ = ["PidLock", "Busy", "sweep", "run_folder", "IPC_PREFIX", "mark_owner"]

IPC_PREFIX = "ev-ipc-"
OWNER = "owner"  # file in a kernel socket folder: the pid of the command that made it
_RUN_TMP = re.compile(r"^\.(?P<name>.+)\.(?P<kind>tmp|old)-(?P<pid>\d+)-[0-9a-f]{8}$")
_EMPTY_AGE = 600.0  # an empty socket folder older than this (s) was left by an older version


class Busy(Exception):
    """The lock is held by another running process (its pid in ``owner``)."""

    def __init__(self, path: Path, owner: int | None):
        self.path, self.owner = path, owner
        super().__init__(f"{path.name} is held by process {owner}")


def _owner(path: Path) -> int | None:
    try:
        return int(path.read_text(encoding="ascii").strip())
    except (OSError, ValueError):
        return None


def _alive(pid: int | None) -> bool:
    return pid is not None and psutil.pid_exists(pid)


class PidLock:
    """``with PidLock(path, wait=30):`` — create ``path`` exclusively with this process's id.

    ``wait=0`` raises :class:`Busy` at once when another live process holds it; otherwise it
    polls every 20 ms for up to ``wait`` seconds, then raises :class:`Busy`. A lock file whose
    owner is not running (or unreadable and older than 60 s) is removed and taken. When its process
    id cannot be written (a full disk), the new lock file is removed again and the error raised: an
    empty lock file would hold off every other command for 60 s."""

    def __init__(self, path: Path | str, wait: float = 0.0):
        self.path, self.wait = Path(path), wait

    def acquire(self) -> None:
        deadline = time.monotonic() + self.wait
        while True:
            try:
                fd = os.open(self.path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
            except FileExistsError:
                owner = _owner(self.path)
                stale = not _alive(owner) if owner is not None else _older_than(self.path, 60.0)
                if stale:
                    self.path.unlink(missing_ok=True)
                    continue
                if time.monotonic() >= deadline:
                    raise Busy(self.path, owner) from None
                time.sleep(0.02)
                continue
            try:
                with os.fdopen(fd, "w", encoding="ascii") as f:
                    f.write(str(os.getpid()))
            except BaseException:  # a full disk: no empty lock file left that nobody owns
                self.path.unlink(missing_ok=True)
                raise
            return

    def release(self) -> None:
        """Remove the lock file when this process holds it. A file that cannot be removed (a folder
        turned read-only) is left: its owner no longer runs once this command ends, so the next
        command takes it over (and :func:`sweep` removes it); the report it guarded is in place."""
        if _owner(self.path) == os.getpid():
            try:
                self.path.unlink(missing_ok=True)
            except OSError:
                pass

    def __enter__(self) -> "PidLock":
        self.acquire()
        return self

    def __exit__(self, *exc) -> None:
        self.release()


def _older_than(path: Path, seconds: float) -> bool:
    try:
        return time.time() - path.stat().st_mtime > seconds
    except OSError:
        return False


def mark_owner(folder: str | Path) -> None:
    """Write this process's id into a kernel socket folder, for :func:`sweep`."""
    (Path(folder) / OWNER).write_text(str(os.getpid()), encoding="ascii")


def run_folder(path: Path) -> tuple[str, str, int] | None:
    """``(report name, kind, pid)`` of a temporary run folder's name (``.<name>.tmp-<pid>-…``: a run
    in the making; ``.<name>.old-<pid>-…``: a report's folder moved aside while the new one takes
    its place), else None."""
    m = _RUN_TMP.match(path.name)
    return (m["name"], m["kind"], int(m["pid"])) if m else None


def sweep(out: Path | str | None = None, rescue: Callable[[Path], bool] | None = None) -> list[Path]:
    """Remove leftovers of commands that no longer run: temporary run folders in ``out`` and kernel
    socket folders in the temporary directory. Returns what was removed. ``rescue`` is called first
    with each dead command's run folder, to put back what it still holds (a last good report the
    command could not put back before it died): it returns False to keep the folder (what it holds
    could not be put back), True to let it be removed (if it is still there)."""
    removed: list[Path] = []
    if out is not None and Path(out).is_dir():
        for p in Path(out).iterdir():
            m = run_folder(p)
            if m and p.is_dir() and not _alive(m[2]):
                if rescue is not None and not rescue(p):
                    continue
                if p.exists():
                    shutil.rmtree(p, ignore_errors=True)
                removed.append(p)
            elif p.name.startswith(".") and p.name.endswith(".lock") and p.is_file():
                owner = _owner(p)
                if owner is not None and not _alive(owner):
                    p.unlink(missing_ok=True)
                    removed.append(p)
    for p in Path(tempfile.gettempdir()).glob(IPC_PREFIX + "*"):
        try:
            if not p.is_dir() or (os.name != "nt" and p.stat().st_uid != os.getuid()):
                continue  # another user's folder is none of ours
        except OSError:
            continue
        owner = _owner(p / OWNER)
        if owner is not None:
            dead = not _alive(owner)
        else:
            dead = not any(p.iterdir()) and _older_than(p, _EMPTY_AGE)
        if dead:
            shutil.rmtree(p, ignore_errors=True)
            removed.append(p)
    return removed
