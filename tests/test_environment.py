"""The three descriptions of the environment agree: pyproject.toml's ranges, environment.yml (the
same packages with the same lower bounds) and requirements/lock.txt (exact versions, inside the
ranges, covering every dependency, hash-checked)."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import yaml
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

REPO = Path(__file__).resolve().parents[1]
LOCK = REPO / "requirements" / "lock.txt"


def _norm(req: str) -> tuple[str, str]:
    m = re.match(r"^\s*([A-Za-z0-9_.\-]+)\s*(.*)$", req)
    assert m, req
    return m.group(1).lower().replace("_", "-"), m.group(2).replace(" ", "")


def _pyproject() -> dict:
    return tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]


def _declared(pp: dict) -> list[str]:
    return pp["dependencies"] + pp["optional-dependencies"]["test"]


def mirror_problems(pyproject_reqs: list[str], conda_reqs: list[str]) -> list[str]:
    """Differences between pyproject's requirements and environment.yml's conda packages."""
    wanted = dict(_norm(r) for r in pyproject_reqs)
    got = dict(_norm(d) for d in conda_reqs if not d.startswith(("python", "pip")))
    return ([f"only in pyproject: {k}{v}" for k, v in sorted(set(wanted.items()) - set(got.items()))]
            + [f"only in environment.yml: {k}{v}" for k, v in sorted(set(got.items()) - set(wanted.items()))])


def lock_entries(text: str) -> list[tuple[Requirement, int]]:
    """The pins of a requirements file written by ``uv pip compile --generate-hashes``: one
    ``name==version ; marker`` per entry, continued by backslashes, each with its hashes."""
    out = []
    for entry in re.split(r"\n(?=\S)", text):
        lines = [ln.strip().rstrip("\\").strip() for ln in entry.splitlines()]
        lines = [ln for ln in lines if ln and not ln.startswith("#")]
        if lines:
            out.append((Requirement(lines[0]), sum(ln.startswith("--hash=sha256:") for ln in lines[1:])))
    return out


def lock_problems(declared: list[str], text: str) -> list[str]:
    """Every pin exact and hashed, every declared dependency pinned, every pin of a declared
    dependency inside its range, and a pin that applies to this interpreter."""
    entries = lock_entries(text)
    problems = [f"{r}: not an exact pin" for r, _ in entries
                if len(r.specifier) != 1 or next(iter(r.specifier)).operator != "=="]
    problems += [f"{r}: no hash" for r, n in entries if n == 0]
    for dep in map(Requirement, declared):
        pins = [r for r, _ in entries if canonicalize_name(r.name) == canonicalize_name(dep.name)]
        if not pins:
            problems.append(f"{dep}: not in the lock")
            continue
        for r in pins:
            version = next(iter(r.specifier)).version
            if not dep.specifier.contains(version, prereleases=True):
                problems.append(f"{dep}: the lock pins {version}")
        if not any(r.marker is None or r.marker.evaluate() for r in pins):
            problems.append(f"{dep}: no pin for this Python and platform")
    return problems


def test_environment_yml_mirrors_pyproject():
    pp = _pyproject()
    env = yaml.safe_load((REPO / "environment.yml").read_text(encoding="utf-8"))
    conda = [d for d in env["dependencies"] if isinstance(d, str)]
    assert mirror_problems(_declared(pp), conda) == []
    assert any(d.startswith("python>=3.11") for d in conda)
    assert pp["requires-python"] == ">=3.11"


def test_lock_pins_every_dependency_inside_the_pyproject_ranges():
    text = LOCK.read_text(encoding="utf-8")
    assert lock_problems(_declared(_pyproject()), text) == []
    assert len(lock_entries(text)) > len(_declared(_pyproject()))  # the transitive ones too


def test_the_checks_find_drift():
    """Each check above fails on the drift it is meant to catch."""
    assert mirror_problems(["pandas>=2.1", "scipy>=1.11"], ["pandas>=2.1"]) == ["only in pyproject: scipy>=1.11"]
    assert mirror_problems(["pandas>=2.1"], ["pandas>=2.0"]) == ["only in pyproject: pandas>=2.1",
                                                                 "only in environment.yml: pandas>=2.0"]
    h = "    --hash=sha256:" + "0" * 64
    lock = "\n".join([
        "# header", "numpy==1.25.2 \\", h, "    # via x",
        "scipy==1.17.1 ; python_full_version < '3.0' \\", h,
        "pytest>=7.4 \\", h,
        "tqdm==4.70.1", "",
    ])
    assert lock_problems(["numpy>=1.26", "scipy>=1.11", "pandas>=2.1", "pytest>=7.4"], lock) == [
        "pytest>=7.4: not an exact pin",
        "tqdm==4.70.1: no hash",
        "numpy>=1.26: the lock pins 1.25.2",
        "scipy>=1.11: no pin for this Python and platform",
        "pandas>=2.1: not in the lock",
    ]
