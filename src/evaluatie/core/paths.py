"""Where the project lives, and how paths are shown in published output.

Relative paths in params files are resolved against the project root: the folder that holds
``params/`` and ``notebooks/``. Reports never show absolute local paths: :func:`display_path`
turns any path into one relative to the project root, or just its file name when it lies outside.
"""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["root", "resolve", "display_path"]


def _looks_like_root(p: Path) -> bool:
    return (p / "params").is_dir() and (p / "notebooks").is_dir()


def root() -> Path:
    """The project root: ``$EVALUATIE_ROOT``, else the nearest folder up from the working
    directory with ``params/`` and ``notebooks/``, else the source checkout this package is in."""
    env = os.environ.get("EVALUATIE_ROOT")
    if env:
        return Path(env).resolve()
    here = Path.cwd().resolve()
    for p in (here, *here.parents):
        if _looks_like_root(p):
            return p
    src_checkout = Path(__file__).resolve().parents[3]
    if _looks_like_root(src_checkout):
        return src_checkout
    return here


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
