"""One sign convention in the correspondence report (issue 17 item 4), read from the published page
of the two-wave example and of the own-data study (one wave): every gap is reference − group in
percentage points, positive = the group is disadvantaged; the summary's gap for each ground has the
value and sign the tables show; the convention is stated once; a one-wave study has no section
comparing waves; the sample-size section names every ground."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from evaluatie.publish.glossary import SIGN_CONVENTION
from evaluatie.run.params import load_run
from evaluatie.run.runner import execute

REPO = Path(__file__).resolve().parents[1]
NUM = r"([+\u2212-]?\d+(?:\.\d{3})*,\d)"


def _run(tmp_path_factory, params: Path, notebook: str | None = None) -> Path:
    os.environ["EVALUATIE_ROOT"] = str(REPO)
    out = tmp_path_factory.mktemp("signs")
    run = load_run(params, notebook=notebook)
    res = execute(run, out)
    d = out / run.name
    assert res.ok, json.loads((d / "run.json").read_text(encoding="utf-8")).get("error")
    return d


@pytest.fixture(scope="module")
def example(tmp_path_factory) -> BeautifulSoup:
    d = _run(tmp_path_factory, REPO / "params" / "test" / "correspondentietest.yaml")
    return BeautifulSoup((d / "report.html").read_text(encoding="utf-8"), "html.parser")


@pytest.fixture(scope="module")
def own(tmp_path_factory) -> BeautifulSoup:
    d = _run(tmp_path_factory, REPO / "tests" / "data" / "own_correspondence" / "studie.yaml", "correspondentietest")
    return BeautifulSoup((d / "report.html").read_text(encoding="utf-8"), "html.parser")


def _num(s: str) -> float:
    return float(s.replace("\u2212", "-").replace(".", "").replace(",", "."))


def summary_gaps(page: BeautifulSoup) -> dict[tuple[str, str], float]:
    """(wave heading or '', ground) -> the gap the 'In het kort' sentence states."""
    out = {}
    for li in page.find_all("li"):
        text = li.get_text(" ", strip=True)
        m = re.match(r"(\w[\w ]*?) ?: een kandidaat uit de groep .*een kloof van " + NUM + " procentpunt", text)
        if not m:
            continue
        head = li.find_parent("ul").find_previous_sibling()
        wave = head.get_text(strip=True) if head is not None and head.name == "p" and head.find("strong") \
            and head.get_text(strip=True) == head.strong.get_text(strip=True) else ""
        out[(wave, m.group(1).lower())] = _num(m.group(2))
    return out


def table(page: BeautifulSoup, caption_start: str) -> list[dict[str, str]]:
    """The rows of the first table whose caption starts with ``caption_start``, by column heading."""
    cap = next(p for p in page.select("p.ev-caption") if p.get_text(strip=True).startswith(caption_start))
    tab = page.find("table", attrs={"aria-labelledby": cap["id"]})
    heads = [th.get_text(" ", strip=True) for th in tab.thead.find_all("th")]
    return [dict(zip(heads, (td.get_text(" ", strip=True) for td in tr.find_all(["td", "th"]))))
            for tr in tab.tbody.find_all("tr")]


def reader_text(page: BeautifulSoup) -> str:
    text = " ".join(page.find("main").get_text(" ").split()) if page.find("main") else page.get_text(" ")
    return text[: text.rfind("Herkomst van dit rapport")]


def _caption_wave(page: BeautifulSoup) -> str:
    cap = next(p for p in page.select("p.ev-caption") if p.get_text(strip=True).startswith("Kloof en relatieve kans"))
    return re.search(r"\(([^)]*)\)$", cap.get_text(strip=True)).group(1)


@pytest.mark.parametrize("which", ["example", "own"])
def test_summary_gap_of_every_ground_is_the_tables_gap(which, request):
    page = request.getfixturevalue(which)
    summary = summary_gaps(page)
    latest = _caption_wave(page)
    rows = table(page, "Kloof en relatieve kans per discriminatiegrond")
    assert rows and all("Kloof (pp)" in r for r in rows)
    for r in rows:
        key = (latest if which == "example" else "", r["Grond"])
        assert key in summary, (key, summary)
        assert summary[key] == _num(r["Kloof (pp)"]), (key, summary[key], r["Kloof (pp)"])
    # the regression model gives the same gap, with the same sign (one application per side)
    for r in table(page, "Kloof volgens het regressiemodel"):
        key = (r["Meting"] if which == "example" else "", r["Grond"])
        assert summary[key] == _num(r["Kloof (pp)"]), key
    if which == "example":  # the first wave's gaps, in the wave comparison, too
        for r in table(page, "Verandering tussen"):
            first = next(k for k in r if k.startswith("Kloof ") and k != "Kloof nu (pp)")
            assert summary[(first[len("Kloof "):-len(" (pp)")], r["Grond"])] == _num(r[first])
            assert summary[(latest, r["Grond"])] == _num(r["Kloof nu (pp)"])
    # a disadvantaged group has a positive gap: fewer positive reactions than its reference
    for r in rows:
        group, ref = (float(r[k].rstrip("%").replace(",", ".")) for k in ("Aandeel groep", "Aandeel referentie"))
        assert (_num(r["Kloof (pp)"]) > 0) == (ref - group > 0.05)


@pytest.mark.parametrize("which", ["example", "own"])
def test_sign_convention_stated_once_and_no_other_sign(which, request):
    page = request.getfixturevalue(which)
    text = reader_text(page)
    assert text.count(SIGN_CONVENTION) == 1
    assert text.index(SIGN_CONVENTION) < text.index("een kloof van")  # where the first gap appears
    heads = {th.get_text(" ", strip=True) for th in page.find_all("th")}
    assert not any(h.startswith("Verschil") for h in heads)


def test_one_wave_study_has_no_wave_comparison_section(own, example):
    assert "Vergelijking tussen metingen" not in own.get_text(" ")
    assert "Vergelijking tussen metingen" in example.get_text(" ")
    assert [a.get_text(strip=True) for a in example.select("nav a")].count("Vergelijking tussen metingen") >= 1


@pytest.mark.parametrize("which", ["example", "own"])
def test_sample_size_section_plans_every_ground(which, request):
    page = request.getfixturevalue(which)
    grounds = {r["Grond"] for r in table(page, "Kloof en relatieve kans per discriminatiegrond")}
    plan = table(page, "Benodigde vacatures per discriminatiegrond")
    assert {r["Grond"] for r in plan} == grounds
    assert not any(r["Nodige vacatures"] == "niet haalbaar" for r in plan)
    text = reader_text(page)
    sentence = re.search(r"toont een volgende meting met 80% kans een kloof aan van minstens (.*?); een kleinere", text)
    assert sentence and all(f"bij {g}" in sentence.group(1) for g in grounds)
