"""Provenance of a run: what went in (SHA-256 of every input file), with which software, when.

Used by the runner to write ``run.json`` and by the report's provenance section, so both say
the same thing. Paths are shown relative to the project root, never as local absolute paths.
"""

from __future__ import annotations

import hashlib
import platform
import subprocess
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path

from evaluatie.core.paths import display_path, root

KEY_PACKAGES = (
    "evaluatie", "pandas", "numpy", "scipy", "statsmodels", "matplotlib", "seaborn",
    "papermill", "nbconvert", "nbclient", "pyreadstat", "openpyxl", "pyarrow",
)

__all__ = ["sha256", "versions", "git_commit", "now_iso", "input_hashes"]


def sha256(path: str | Path, chunk: int = 1 << 20) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while block := f.read(chunk):
            h.update(block)
    return h.hexdigest()


def versions() -> dict[str, str]:
    out = {"python": platform.python_version()}
    for name in KEY_PACKAGES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return out


def git_commit() -> str | None:
    """The commit of the project checkout, with ``+dirty`` when it has uncommitted changes."""
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=root(), capture_output=True, text=True, timeout=10
        )
        if commit.returncode != 0:
            return None
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=root(), capture_output=True, text=True, timeout=10,
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
