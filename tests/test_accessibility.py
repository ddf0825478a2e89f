"""Accessibility audit in a real browser: axe-core (WCAG 2.1 A and AA, and axe's best practices) in
headless Chromium on every example report and the index, at 1280 px and 400 px wide
(scripts/axe/audit.mjs, installed by scripts/setup.sh). Goal: no serious or critical violation. The
same browser measures the layout: no page wider than the screen, every table within the text
column at 1280 px, and on a phone every table that scrolls keeps its label column in view."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
AXE = ROOT / "scripts" / "axe"


def _browser() -> str | None:
    return os.environ.get("CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")


def _ready() -> str | None:
    """Why the audit cannot run here, or None."""
    if not shutil.which("node"):
        return "node not found"
    if not (AXE / "node_modules" / "axe-core").is_dir():
        return "scripts/axe/node_modules missing (bash scripts/setup.sh installs it)"
    if not _browser():
        return "no Chromium (bash scripts/setup.sh installs it as root; or set CHROMIUM)"
    return None


def _audit(files: list[Path]) -> list[dict]:
    env = {**os.environ, "CHROMIUM": _browser()}
    proc = subprocess.run(["node", str(AXE / "audit.mjs"), *map(str, files)], capture_output=True, text=True,
                          env=env, timeout=900)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return [json.loads(line) for line in proc.stdout.splitlines() if line.startswith("{")]


@pytest.fixture(scope="module")
def audited(tmp_path_factory):
    why = _ready()
    if why:
        if os.environ.get("CI"):
            pytest.fail(f"the accessibility audit must run in CI: {why}")
        pytest.skip(why)
    out = tmp_path_factory.mktemp("a11y")
    proc = subprocess.run([sys.executable, "-m", "evaluatie.run.cli", "run", "--all", "--out", str(out), "--quiet",
                           "--jobs", "2"], cwd=ROOT, capture_output=True, text=True, timeout=1800)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    pages = sorted(out.glob("*/report.html")) + [out / "index.html"]
    return pages, _audit(pages)


def test_the_audit_finds_what_it_should():
    """The audit itself works: a page with a missing alt text, low contrast and no language fails it."""
    why = _ready()
    if why:
        if os.environ.get("CI"):
            pytest.fail(f"the accessibility audit must run in CI: {why}")
        pytest.skip(why)
    bad = Path(os.environ.get("TMPDIR", "/tmp")) / f"evaluatie-axe-{os.getpid()}.html"
    bad.write_text('<html><head><title>x</title></head><body><main><h1>x</h1><img src="x.png">'
                   '<p style="color:#ccc;background:#fff">licht</p></main></body></html>', encoding="utf-8")
    try:
        found = {v["id"] for r in _audit([bad]) for v in r["violations"]}
    finally:
        bad.unlink()
    assert {"image-alt", "color-contrast", "html-has-lang"} <= found


def test_no_serious_or_critical_violations(audited):
    pages, results = audited
    assert len(results) == 2 * len(pages) and len(pages) >= 6
    serious = [f"{Path(r['file']).parent.name}/{Path(r['file']).name} @ {r['width']} px: {v['impact']} {v['id']} "
               f"({v['nodes']}×, {v['help']}; {v['target']})"
               for r in results for v in r["violations"] if v["impact"] in ("serious", "critical")]
    assert serious == []


def test_pages_fit_the_screen_and_scrolling_tables_keep_their_labels(audited):
    _, results = audited
    wide = [f"{Path(r['file']).parent.name} @ {r['width']} px: page {r['pageWidth']} px"
            for r in results if r["pageWidth"] > r["width"]]
    assert wide == []
    lost = [f"{Path(r['file']).parent.name} @ {r['width']} px: {t['caption']}"
            for r in results for t in r["tables"] if t["scroll"] > t["client"] + 1 and not t["frozen"]
            and r["width"] <= 600]
    assert lost == []
    desk = [f"{Path(r['file']).parent.name}: {t['caption']} ({t['scroll']} > {t['client']} px)"
            for r in results if r["width"] == 1280 for t in r["tables"] if t["scroll"] > t["client"] + 1]
    assert desk == []  # at 1280 px every table fits the text column
    phone = [t for r in results if r["width"] == 400 for t in r["tables"]]
    assert sum(t["scroll"] > t["client"] + 1 for t in phone) > 10  # the check has scrolling tables to look at
    assert not any(t["noteInside"] for r in results for t in r["tables"])  # captions and notes outside the scroll box


def test_phones_show_each_figure_drawn_for_their_width_with_labels_as_large_as_the_text(audited):
    """At 400 px every figure shows its phone variant (rp.figure narrow=), whose smallest text
    (rp.NARROW_FONT points at 150 dpi) is shown at least as large as the body text; at 1280 px the
    wide figure."""
    from evaluatie.publish.report import NARROW_FONT

    _, results = audited
    figures = [(r, f) for r in results for f in r["figures"]]
    assert len(figures) >= 2 * 10
    wrong = [f"{Path(r['file']).parent.name} @ {r['width']} px: {f['alt']}" for r, f in figures
             if f["narrow"] != (r["width"] <= 600)]
    assert wrong == []
    small = [f"{Path(r['file']).parent.name}: {f['alt']} ({NARROW_FONT / 72 * 150 * f['shown'] / f['natural']:.1f} px "
             f"< {r['bodyFont']} px)" for r, f in figures if r["width"] <= 600
             and NARROW_FONT / 72 * 150 * f["shown"] / f["natural"] < r["bodyFont"] - 0.05]
    assert small == []
