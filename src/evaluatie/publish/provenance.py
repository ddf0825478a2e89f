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
           "publishable_error", "message_is_safe", "SAFE_MESSAGES", "OWN_KINDS", "IN_TERMINAL"]


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

OWN_KINDS = ("busy", "not_started", "runner", "timeout")
"""Kinds of a run's error record whose message the runner wrote itself (another command makes the
report, not started, the runner stopped, a cell ran out of time): no text from elsewhere in it."""

IN_TERMINAL = "de volledige melding staat in de terminal"

# DataError's own first line (evaluatie.core.errors.DataError._message). pandas has an exception
# of the same name (pandas.errors.DataError) and papermill records only the class name.
_DATA_ERROR = re.compile(r"\d+ (probleem|problemen) in de invoer:")


def message_is_safe(message: str, ename: str) -> bool:
    """Whether an error's message may be published (after :func:`~evaluatie.core.errors.public_text`):
    a :data:`SAFE_MESSAGES` exception of the package's own, or an empty message."""
    if not str(message).strip() or ename == "ParamError":
        return True
    return ename == "DataError" and bool(_DATA_ERROR.match(str(message).lstrip()))


def publishable(message: str, ename: str) -> str:
    """An error message as ``run.json``, ``index.html`` and the published notebook show it.

    Messages of :data:`SAFE_MESSAGES` are kept, without the parts marked
    :func:`~evaluatie.core.errors.private`. Any other exception (pandas, numpy, a bug) may quote
    a value from the data, in any form (``could not convert string to float: '...'``, a repr that
    holds both kinds of quote, a row of a frame): its message is replaced by :data:`IN_TERMINAL`.
    Whoever runs the command sees the full message in the terminal."""
    if not message_is_safe(message, ename):
        return IN_TERMINAL
    return public_text(str(message))


def publishable_warning(text: str) -> str:
    """A warning the kernel wrote to stderr, as ``run.json`` publishes it: only the names of the
    warning classes it holds (``RuntimeWarning``), since a library's warning may quote a value from
    the data; without one, :data:`IN_TERMINAL`. The terminal shows the whole text."""
    names = list(dict.fromkeys(re.findall(r"\b[A-Z]\w*Warning\b", str(text))))
    return ", ".join(names) + f" ({IN_TERMINAL})" if names else IN_TERMINAL


def publishable_error(error: dict | None) -> dict | None:
    """The run's error record as ``run.json`` and the index publish it: a message of
    :data:`SAFE_MESSAGES` or of the runner's own (:data:`OWN_KINDS`) without its private parts;
    of any other exception only its name, cell and :data:`IN_TERMINAL`, no traceback."""
    if not error:
        return error
    ename, evalue = error.get("ename", ""), str(error.get("evalue", ""))
    if error.get("kind") in OWN_KINDS or message_is_safe(evalue, ename):
        out = dict(error, evalue=public_text(evalue))
        if out.get("traceback"):
            out["traceback"] = public_text(str(out["traceback"]))
        return out
    out = dict(error, evalue=IN_TERMINAL)
    out.pop("traceback", None)
    return out
