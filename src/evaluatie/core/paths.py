"""Where the project lives, and how paths are shown in published output.

Relative paths in params files are resolved against the project root: the folder that holds
``params/`` and ``notebooks/``. Reports never show absolute local paths: :func:`display_path`
turns any path into one relative to the project root, or just its file name when it lies outside.

The analyses' code is another matter: their notebooks come from :func:`notebooks_dir`, the
workbench's own ``notebooks/`` (or ``$EVALUATIE_ROOT/notebooks`` when that variable is set), never
from a folder found from the working directory. A folder someone hands over with its own
``params/`` and ``notebooks/`` may give the reports' data and parameters, not the code that runs.
"""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["root", "workbench", "notebooks_dir", "resolve", "display_path"]


def _looks_like_root(p: Path) -> bool:
    return (p / "params").is_dir() and (p / "notebooks").is_dir()


def workbench() -> Path:
    """The source checkout this package is in (the folder above ``src/``): the workbench's own
    ``notebooks/`` and git history."""
    return Path(__file__).resolve().parents[3]


def root() -> Path:
    """The project root, where data, params and reports are looked for: ``$EVALUATIE_ROOT``, else
    the nearest folder up from the working directory with ``params/`` and ``notebooks/``, else the
    source checkout this package is in."""
    env = os.environ.get("EVALUATIE_ROOT")
    if env:
        return Path(env).resolve()
    here = Path.cwd().resolve()
    for p in (here, *here.parents):
        if _looks_like_root(p):
            return p
    if _looks_like_root(workbench()):
        return workbench()
    return here


def notebooks_dir() -> Path:
    """The analyses' notebooks: ``$EVALUATIE_ROOT/notebooks`` when ``EVALUATIE_ROOT`` is set (an
    explicit choice of whoever runs the command, as the tests do), else the workbench's own
    ``notebooks/``. Never the ``notebooks/`` of a folder found from the working directory: a
    folder with ``params/`` and ``notebooks/`` of its own must not make ``evaluatie run`` execute
    its code."""
    env = os.environ.get("EVALUATIE_ROOT")
    return (Path(env).resolve() if env else workbench()) / "notebooks"


def resolve(path: str | os.PathLike) -> Path:
    """A params path as an absolute path (relative paths are relative to the project root)."""
    p = Path(path).expanduser()
    return p if p.is_absolute() else (root() / p)


def display_path(path: str | os.PathLike) -> str:
    """A path as it may appear in a report: relative to the project root, or only the file name."""
    p = Path(path)
    if not p.is_absolute():
        return p.as_posix()
    try:
        return p.resolve().relative_to(root()).as_posix()
    except ValueError:
        return p.name
