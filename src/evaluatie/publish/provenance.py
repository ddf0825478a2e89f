"""Provenance of a run: what went in (SHA-256 of every input file), with which software, when.

Used by the runner to write ``run.json`` and by the report's provenance section, so both say
the same thing. Paths are shown relative to the project root, never as local absolute paths
(:func:`scrub_paths` removes them from whatever a run publishes).
"""

from __future__ import annotations

import functools
import hashlib
import os
import platform
import re
import subprocess
import sys
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path

from evaluatie.core.errors import public_text
from evaluatie.core.paths import display_path, root, workbench

KEY_PACKAGES = (
    "evaluatie", "pandas", "numpy", "scipy", "statsmodels", "matplotlib", "seaborn",
    "papermill", "nbconvert", "nbclient", "pyreadstat", "openpyxl", "pyarrow",
)

__all__ = ["sha256", "versions", "git_commit", "now_iso", "input_hashes", "scrub_paths", "publishable",
           "publishable_error", "SAFE_MESSAGES"]


def sha256(path: str | Path, chunk: int = 1 << 20) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while block := f.read(chunk):
            h.update(block)
    return h.hexdigest()


def versions() -> dict[str, str]:
    """Python's version and those of the key packages that are installed."""
    return dict(_versions())


@functools.cache
def _versions() -> tuple[tuple[str, str], ...]:
    # looked up once per process: a batch of reports asks for every report
    out = [("python", platform.python_version())]
    for name in KEY_PACKAGES:
        try:
            out.append((name, metadata.version(name)))
        except metadata.PackageNotFoundError:
            continue
    return tuple(out)


def git_commit() -> str | None:
    """The commit of the workbench's checkout (the code that made the report), with ``+dirty``
    when it has uncommitted changes; None outside a git checkout.

    Asked of the checkout this package is in, never of the project root found from the working
    directory: git runs commands that a repository's own ``.git/config`` names (``core.fsmonitor``
    on ``git status``), and a folder someone handed over may carry one."""
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=workbench(), capture_output=True, text=True, timeout=10
        )
        if commit.returncode != 0:
            return None
        dirty = subprocess.run(
            ["git", "-c", "core.fsmonitor=false", "status", "--porcelain", "--untracked-files=no"],
            cwd=workbench(), capture_output=True, text=True, timeout=10,
        )
        return commit.stdout.strip() + ("+dirty" if dirty.stdout.strip() else "")
    except (OSError, subprocess.SubprocessError):
        return None


def now_iso() -> str:
    return datetime.now(timezone.utc).astimezone().isoformat(timespec="seconds")


def input_hashes(paths) -> dict[str, str]:
    """``{display path: sha256}`` for every existing file among ``paths``."""
    out = {}
    for p in paths:
        p = Path(p)
        if p.is_file():
            out[display_path(p)] = sha256(p)
    return out


def scrub_paths(text: str) -> str:
    """``text`` without local absolute paths: the project root and the package's checkout become
    relative, the Python installation ``.``, the home folder ``~``, temporary files ``<tmp>``."""
    for base in (str(root()), str(Path(__file__).resolve().parents[3]), sys.prefix, sys.base_prefix):
        text = text.replace(base + os.sep, "").replace(base, ".")
    home = os.path.expanduser("~")
    if home and home != "/":
        text = text.replace(home, "~")
    return re.sub(r"/tmp/[\w.\-/]+", "<tmp>", text)


SAFE_MESSAGES = ("DataError", "ParamError")
"""Exceptions of the package whose messages are written to be published: they name file, row,
column and what was expected, never a cell's content (:mod:`evaluatie.core.errors`)."""

_QUOTED = re.compile(r"'[^'\n]*'|\"[^\"\n]*\"")


def publishable(message: str, ename: str) -> str:
    """An error message as ``run.json``, ``index.html`` and the published notebook show it.

    Parts marked :func:`~evaluatie.core.errors.private` are left out. Messages of
    :data:`SAFE_MESSAGES` are kept otherwise. Any other exception (pandas, numpy, a bug) may
    quote a value from the data, as in ``could not convert string to float: '...'``: every quoted
    literal is replaced by ``'…'``. The terminal of whoever runs the command still shows the
    full message."""
    message = public_text(message)
    if ename in SAFE_MESSAGES:
        return message
    return _QUOTED.sub(lambda m: m.group(0)[0] + "…" + m.group(0)[0], message)


def publishable_error(error: dict | None) -> dict | None:
    """The run's error record with :func:`publishable` applied to its message and traceback."""
    if not error:
        return error
    ename = error.get("ename", "")
    out = dict(error, evalue=publishable(str(error.get("evalue", "")), ename))
    if out.get("traceback"):
        out["traceback"] = publishable(str(out["traceback"]), ename)
    return out
