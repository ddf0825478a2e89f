"""Hostile text from other people's files or parameters reaches the page only as text: prose
(titles, subtitles, sentences, notices, captions) is rendered escaped, links cannot run script,
and Markdown images cannot make the page load anything (issue 15)."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from evaluatie.analyses import actionplan as ap
from evaluatie.analyses import correspondence as cs
from evaluatie.analyses import survey as lk
from evaluatie.analyses import targets as T
from evaluatie.publish.report import render_markdown
from evaluatie.run.cli import main

REPO = Path(__file__).resolve().parents[1]
SCRIPT = "<script>alert(1)</script>"
IMG = "<img src=x onerror=alert(2)>"
REMOTE = "![logo](https://evil.example/pixel.png)"
JS_LINK = "[klik hier](javascript:alert(3))"


@pytest.mark.parametrize("text", [SCRIPT, IMG, f"Groep {IMG} heeft 3,5%", REMOTE, JS_LINK,
                                  "<a href='javascript:alert(4)'>x</a>", "<iframe src=//evil.example>"])
def test_rendered_prose_has_no_markup_from_its_text(text):
    page = BeautifulSoup(render_markdown(text), "html.parser")
    assert not page.find_all(["script", "img", "iframe"])
    for a in page.find_all("a"):
        assert not a["href"].lower().startswith(("javascript:", "data:", "vbscript:"))
    assert "evil.example" not in str(page.find_all(src=True))


def test_author_markdown_still_renders():
    html = render_markdown("**vet** en *schuin*, [bron](https://www.vlaanderen.be)\n\n- een\n- twee")
    page = BeautifulSoup(html, "html.parser")
    assert page.find("strong").text == "vet" and page.find("em").text == "schuin"
    # a link in the author's Markdown shows its address as text and cannot be followed (issue 15)
    assert page.find("a") is None and "bron (https://www.vlaanderen.be)" in page.get_text()
    assert len(page.find_all("li")) == 2


def test_hostile_title_and_subtitle_reach_the_report_as_text(tmp_path):
    title = f"Begroting {SCRIPT}"
    subtitle = f"{IMG} {REMOTE} {JS_LINK}"
    out = tmp_path / "out"
    rc = main(["run", "--params", str(REPO / "params" / "test" / "actieplan_budget2018.yaml"),
               "-p", f"title={title}", "-p", f"subtitle={subtitle}", "--out", str(out), "--quiet"])
    assert rc == 0
    html = (out / "actieplan_budget2018" / "report.html").read_text(encoding="utf-8")
    page = BeautifulSoup(html, "html.parser")
    # the only scripts are the template's own (none carry the label); no image but the figures
    assert not any("alert(" in (s.string or "") for s in page.find_all("script"))
    assert all(img["src"].startswith("data:image/png;base64,") for img in page.find_all("img"))
    assert not re.search(r'href="\s*javascript:', html, re.I)
    assert "evil.example/pixel.png\"" not in html
    # and the reader sees the text as it was given
    assert page.find("h1").get_text().strip() == title
    assert page.title.get_text() == title
    index = (out / "index.html").read_text(encoding="utf-8")
    assert SCRIPT not in index and "&lt;script&gt;" in index


def test_a_data_error_publishes_where_and_what_was_expected_never_the_cell(tmp_path):
    """Issue 15: a free-text answer typed into a coded column ("... belde ons over zijn
    burn-out") ended up in the published index and run.json through the error message."""
    secret = "Jan belde ons over zijn burn-out"
    rows = (REPO / "data" / "raw" / "budget_diversiteitsbeleid_2018.csv").read_text(encoding="utf-8").splitlines()
    header = rows[0].split(",")
    recs = list(csv.reader(io.StringIO("\n".join(rows))))
    recs[3][header.index("status")] = secret
    budget = tmp_path / "budget.csv"
    with budget.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows(recs)
    out = tmp_path / "out"
    rc = main(["run", "--params", str(REPO / "params" / "test" / "actieplan_budget2018.yaml"),
               "-p", f"budget={budget}", "--out", str(out), "--quiet"])
    assert rc == 2
    published = [p for p in out.rglob("*") if p.is_file() and p.suffix in (".json", ".html", ".ipynb", ".csv")]
    assert published
    for p in published:
        text = p.read_text(encoding="utf-8")
        assert "burn-out" not in text, p.name
    record = (out / "actieplan_budget2018" / "run.json").read_text(encoding="utf-8")
    assert "rij 4" in record and "status" in record


HOSTILE = "**vet** [klik](javascript:alert(5)) <b>x</b> a|b `c`"


@pytest.mark.parametrize("make", [
    lambda s: cs.subtitle(None, s, [s, "geslacht"], ["meting"]),
    lambda s: cs.subtitle(s, None, [], []),
    lambda s: cs.design_sentence(None, [s]),
    lambda s: cs.design_sentence(s, []),
    lambda s: cs.heterogeneity_intro([s, "sector"], 5),
    lambda s: lk.subtitle(s, s),
    lambda s: T.report_title(None, s, s),
    lambda s: T.report_title(s, None),
    lambda s: T.subtitle_text(s, [2021, 2023]),
    lambda s: T.microdata_heading(s, False),
    lambda s: T.not_applicable("one_entity", who=s),
    lambda s: ap.subtitle_text(None, s, ["budget"]),
    lambda s: ap.subtitle_text(s, None, []),
], ids=["cs.subtitle", "cs.subtitle-study", "cs.design", "cs.design-note", "cs.heterogeneity", "lk.subtitle",
        "T.title-org-entity", "T.title", "T.subtitle", "T.microdata_heading", "T.one_entity", "ap.subtitle",
        "ap.subtitle-own"])
def test_wording_functions_put_names_into_markdown_as_text(make):
    """Each wording function that names a study, organisation, entity, ground or variable gives
    Markdown in which the name reads as itself (fmt.literal), never as bold, a link or HTML."""
    page = BeautifulSoup(render_markdown(make(HOSTILE)), "html.parser")
    assert not page.find_all(["strong", "a", "b", "code", "table"])
    assert HOSTILE in " ".join(page.get_text().split())
