"""Checks every published report must pass (used by the runner and notebook tests)."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
from bs4 import BeautifulSoup
from openpyxl import load_workbook


def check_report_html(path: Path, local_roots: tuple[str, ...] = ()) -> list[str]:
    """Problems with a report as a publication: language, alt texts, nothing loaded from
    elsewhere, no code, no tracebacks, no local paths, every cell reachable with the keyboard, a
    table of contents and a provenance section."""
    html = Path(path).read_text(encoding="utf-8")
    problems = []
    if not re.search(r'<html lang="nl"', html):
        problems.append('no <html lang="nl">')
    if not re.search(r"<title>[^<]+</title>", html):
        problems.append("no <title>")
    for img in re.findall(r"<img\b[^>]*>", html):
        m = re.search(r'\balt="([^"]*)"', img)
        if not m or len(m.group(1).strip()) < 15:
            problems.append(f"image without a meaningful alt text: {img[:80]}")
        if not re.search(r'src="data:image/', img):
            problems.append(f"image not embedded: {img[:80]}")
    if re.search(r"<script[^>]*\bsrc=", html):
        problems.append("external <script src=")
    if re.search(r"<link[^>]*\bhref=\"?(https?:)?//", html):
        problems.append("stylesheet or link pointing off the page")
    if re.search(r"url\(\s*['\"]?(https?:)?//", html) or re.search(r"@import", html):
        problems.append("CSS loading something from elsewhere")
    if re.search(r"https?://(cdn|fonts\.googleapis|unpkg|cdnjs)", html):
        problems.append("CDN reference")
    if re.search(r'class="[^"]*(jp-CodeMirrorEditor|jp-InputArea-editor|highlight hl-ipython)', html):
        problems.append("code shown in the report")
    if "Traceback (most recent call last)" in html or "jp-RenderedText\" data-mime-type=\"application/vnd.jupyter.stderr" in html:
        problems.append("traceback or stderr in the report")
    for r in ("/home/", "/root/", "/tmp/", "/work/", "C:\\\\", *local_roots):
        if r and r in html:
            problems.append(f"local path {r!r} in the report")
    for div in re.findall(r'<div\b[^>]*\bclass="[^"]*\b(?:jp-OutputArea-output|jp-Cell-inputWrapper)\b[^"]*"[^>]*>', html):
        if 'tabindex="0"' not in div:
            problems.append(f"cell not reachable with the keyboard (no tabindex): {div[:80]}")
    if 'class="ev-toc"' not in html:
        problems.append("no table of contents")
    if "Herkomst van dit rapport" not in html:
        problems.append("no provenance section")
    return problems


def published_texts(d: Path) -> dict[str, str]:
    """Every output of a run folder as text, by file: run.json, the notebook, the CSVs, every cell
    of tables.xlsx (when there is one) and the report without its inline stylesheet and scripts
    (nbconvert's CSS names colours such as 'white' and 'black', which can also be labels)."""
    files = [d / "run.json", d / "notebook.ipynb", *sorted((d / "tables").glob("*.csv"))]
    out = {str(f.relative_to(d)): f.read_text(encoding="utf-8") for f in files}
    if (d / "tables.xlsx").exists():
        out["tables.xlsx"] = workbook_text(d / "tables.xlsx")
    out["report.html"] = str(report_page(d))
    return out


def workbook_text(path: Path) -> str:
    """Every cell of every sheet of a workbook, a line per row."""
    book = load_workbook(path, read_only=True)
    return "\n".join(" ".join(str(v) for v in row if v is not None)
                     for ws in book.worksheets for row in ws.iter_rows(values_only=True))


def report_page(d: Path) -> BeautifulSoup:
    """A run's report.html without its inline stylesheet and scripts."""
    page = BeautifulSoup((d / "report.html").read_text(encoding="utf-8"), "html.parser")
    for tag in page(["style", "script"]):
        tag.decompose()
    return page


def correspondence_frames(ground: str, groups: list[str], waves: list[str]):
    """Rates, comparisons, benchmarks, power curves and plan of one ``ground`` with two compared
    ``groups`` in two ``waves`` (plus a fixed ground 'leeftijd'), as the correspondence figures take
    them: for figure tests with labels of one's choosing."""
    rates = pd.DataFrame([{"wave": w, "ground": g, "group": k, "rate": 0.3, "ci_low": 0.2, "ci_high": 0.4}
                          for w in waves for g, k in ((ground, groups[0]), (ground, groups[1]), ("leeftijd", "ouder"))])
    disc = pd.DataFrame([{"wave": w, "ground": ground, "group": groups[1], "relative_callback": 0.8,
                          "relative_callback_ci_low": 0.6, "relative_callback_ci_high": 1.1} for w in waves])
    bench = pd.DataFrame({"ground": [ground], "relative_callback": [0.7]})
    curves = pd.DataFrame([{"ground": ground, "group": groups[1], "plan": p, "vacancies": v,
                            "power": min(1.0, v / 500), "gap_plan_pp": 5.0}
                           for p in ("current", "half") for v in (10, 100, 1000)])
    plan = pd.DataFrame({"ground": [ground], "group": [groups[1]], "budget": [120]})
    return rates, disc, bench, curves, plan
