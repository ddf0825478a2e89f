"""environment.yml mirrors pyproject.toml: the same packages with the same lower bounds."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]


def _norm(req: str) -> tuple[str, str]:
    m = re.match(r"^\s*([A-Za-z0-9_.\-]+)\s*(.*)$", req)
    assert m, req
    return m.group(1).lower().replace("_", "-"), m.group(2).replace(" ", "")


def test_environment_yml_mirrors_pyproject():
    pp = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    wanted = dict(_norm(r) for r in pp["dependencies"] + pp["optional-dependencies"]["test"])
    env = yaml.safe_load((REPO / "environment.yml").read_text(encoding="utf-8"))
    conda = [d for d in env["dependencies"] if isinstance(d, str)]
    got = dict(_norm(d) for d in conda if not d.startswith(("python", "pip")))
    assert got == wanted, (
        f"only in pyproject: {sorted(set(wanted.items()) - set(got.items()))}; "
        f"only in environment.yml: {sorted(set(got.items()) - set(wanted.items()))}"
    )
    assert any(d.startswith("python>=3.11") for d in conda)
    assert pp["requires-python"] == ">=3.11"


def test_environment_drift_is_detected(tmp_path):
    """The check above can fail: a dependency missing from one side is a difference."""
    pp = ["pandas>=2.1", "scipy>=1.11"]
    env = ["pandas>=2.1"]
    assert dict(map(_norm, pp)) != dict(map(_norm, env))
