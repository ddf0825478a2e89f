"""A corpus of hostile labels through every analysis and every output (issue 15, item 1).

Each analysis runs once, on a copy of its own-data study (tests/data/own_*/) whose label columns
(grounds, groups, subgroups, departments, item labels, entities, priorities, themes, actions) and
title/organisation/study parameters carry the labels below. Every output is then read back:
``report.html``, ``notebook.ipynb`` and ``index.html`` hold no markup, script, event handler,
``javascript:`` URL or remote reference that came from a label, and each label reads as itself;
``tables/*.csv`` keep the labels as they are; ``tables.xlsx`` has no formula cell; ``run.json``
is a clean record. The unit tests check :func:`evaluatie.core.fmt.literal` on each label alone."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
import yaml
from bs4 import BeautifulSoup
from openpyxl import Workbook, load_workbook

from evaluatie.core.fmt import literal
from evaluatie.publish.report import render_markdown
from evaluatie.run.cli import main

REPO = Path(__file__).resolve().parents[1]
DATA = REPO / "tests" / "data"

LONG = ("Een zeer lange groepsnaam " * 200)[:5000].strip()
LABELS = {
    "script": "<script>alert(1)</script>",
    "img": "<img src=x onerror=alert(2)>",
    "js_link": "[klik](javascript:alert(3))",
    "emphasis": "**vet** _schuin_",
    "pipes": "a|b|c",
    "image": "![x](https://evil.example/p.png)",
    "link": "[link](https://evil.example)",
    "code": "`code`",
    "heading": "# kop",
    "math": "$x^2$",
    "long": LONG,
    "arabic": "مرحبا",
    "rlo": "Groep \u202eenilno",
    "formula": '=HYPERLINK("http://evil.example")',
    "line_break": "eerste regel\ntweede regel",
}
# what each label must never become on a page: (tag, text of that element)
MARKUP = [("strong", "vet"), ("em", "schuin"), ("code", "code"), ("a", "klik"), ("a", "link"),
          ("h1", "kop"), ("h2", "kop"), ("h3", "kop"), ("h4", "kop")]


def _plain(s: str) -> str:
    """White space as a reader sees it: runs (line breaks included) are one space."""
    return " ".join(s.split())


# --------------------------------------------------------------------------- literal, one label at a time

@pytest.mark.parametrize("key", list(LABELS))
def test_literal_reads_as_itself_in_a_sentence_a_heading_and_a_list(key):
    label = LABELS[key]
    for md, tag in ((f"Groep {literal(label)} heeft 3,5%.", "p"), (literal(label), "p"),
                    (f"## {literal(label)}", "h2"), (f"- {literal(label)}: 12", "li"),
                    (f"**Vet van ons** en {literal(label)}", "p")):
        page = BeautifulSoup(render_markdown(md), "html.parser")
        tags = [t.name for t in page.find_all(True)]
        assert tags[0] == ("ul" if tag == "li" else tag), (key, md, tags)
        assert set(tags) <= {tag, "ul", "strong"}, (key, md, tags)
        assert _plain(label) in _plain(page.get_text()), (key, md)
        assert "\\" not in page.get_text(), (key, md)
    assert "\n" not in literal(label)


def test_literal_keeps_letters_and_direction_marks_and_marks_a_missing_value():
    assert literal("مرحبا") == "\u2068مرحبا\u2069"  # isolated: it cannot turn the sentence around
    assert literal("a\u202eb") == "\u2068a\u202eb\u2069"
    assert literal("Belgische naam") == "Belgische naam"
    assert literal("N-1") == "N-1" and literal("12-3") == "12-3"
    assert literal(None) == "–" and literal(float("nan")) == "–"
    assert literal(2024) == "2024"


def test_plain_urls_stay_text():
    page = BeautifulSoup(render_markdown("Zie " + literal("https://evil.example/p.png") + "."), "html.parser")
    assert not page.find_all(["a", "img"])


# --------------------------------------------------------------------------- the studies, hostile

def _spread(values, keys):
    """Map each of ``values`` to the hostile label of the same place in ``keys``."""
    return dict(zip(values, (LABELS[k] for k in keys)))


def _write_xlsx(path: Path, sheets: dict[str, pd.DataFrame]) -> None:
    """An Excel file as a person would type it: text that starts with '=' is text, not a formula."""
    wb = Workbook()
    wb.remove(wb.active)
    for name, df in sheets.items():
        ws = wb.create_sheet(name)
        ws.append(list(df.columns))
        for row in df.itertuples(index=False):
            ws.append([v.item() if hasattr(v, "item") else v for v in row])
        for row in ws.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and cell.value.startswith("="):
                    cell.data_type = "s"
    wb.save(path)


def _correspondence(tmp: Path) -> tuple[dict, list[str]]:
    df = pd.read_excel(DATA / "own_correspondence" / "studie.xlsx")
    grounds = _spread(["herkomst", "geslacht"], ["heading", "pipes"])
    groups = _spread(["Belgische naam", "Turkse naam", "man", "vrouw"], ["script", "img", "emphasis", "long"])
    sectors = _spread(["zorg", "bouw", "logistiek"], ["math", "arabic", "line_break"])
    df["grond"], df["groep"], df["sector"] = df["grond"].map(grounds), df["groep"].map(groups), df["sector"].map(sectors)
    _write_xlsx(tmp / "studie.xlsx", {"Sheet1": df})
    params = yaml.safe_load((DATA / "own_correspondence" / "studie.yaml").read_text(encoding="utf-8"))
    params |= {"data": str(tmp / "studie.xlsx"),
               "reference_groups": {grounds["herkomst"]: groups["Belgische naam"], grounds["geslacht"]: groups["man"]},
               "title": f"Praktijktest {LABELS['js_link']} {LABELS['code']}",
               "organisation": f"{LABELS['image']} {LABELS['rlo']}",
               "design_note": f"Opzet {LABELS['link']} {LABELS['formula']}"}
    return params, ["heading", "pipes", "script", "img", "emphasis", "long", "math", "arabic", "line_break"]


def _survey(tmp: Path) -> tuple[dict, list[str]]:
    df = pd.read_csv(DATA / "own_survey" / "personeelsbevraging.csv", sep=";", dtype=str)
    departments = _spread(["Productie", "Verkoop", "Onthaal"], ["script", "long", "line_break"])
    df["afdeling"] = df["afdeling"].map(departments)
    df.to_csv(tmp / "bevraging.csv", sep=";", index=False)
    params = yaml.safe_load((DATA / "own_survey" / "studie.yaml").read_text(encoding="utf-8"))
    for item, key in zip(params["items"], ["img", "emphasis", "pipes", "heading", "math"]):
        params["items"][item]["label"] = LABELS[key]
    params |= {"data": str(tmp / "bevraging.csv"), "yes_no": {"thuiswerk": LABELS["code"]},
               "breakdowns": {"afdeling": LABELS["arabic"]},
               "title": f"Bevraging {LABELS['js_link']} {LABELS['formula']}",
               "organisation": f"{LABELS['image']} {LABELS['rlo']}", "study": f"Studie {LABELS['link']}"}
    return params, ["script", "long", "line_break"]


def _targets(tmp: Path) -> tuple[dict, list[str]]:
    df = pd.read_csv(DATA / "own_targets" / "personeel.csv", sep=";", dtype=str, keep_default_na=False)
    entities = [LABELS[k] for k in ("script", "emphasis", "pipes")]
    df["entiteit"] = [entities[int(e[1:]) % 3] for e in df["personeelsnummer"]]
    domains = [LABELS[k] for k in ("image", "line_break")]
    df["beleidsdomein"] = [domains[int(e[1:]) % 3 == 0] for e in df["personeelsnummer"]]
    df.to_csv(tmp / "personeel.csv", sep=";", index=False)
    (tmp / "doelen.csv").write_text("group_key,group_nl,target_pct,target_date\n"  # a ranking of the entities
                                    "foreign_origin,Buitenlandse herkomst,15,2025\n"
                                    "women_middle,Vrouwen in het middenkader,50,2025\n", encoding="utf-8")
    params = yaml.safe_load((DATA / "own_targets" / "studie.yaml").read_text(encoding="utf-8"))
    params["microdata_columns"] |= {"entity": "entiteit", "policy_domain": "beleidsdomein"}
    params |= {"microdata": str(tmp / "personeel.csv"), "targets": str(tmp / "doelen.csv"),
               "title": f"Streefcijfers {LABELS['js_link']} {LABELS['code']} {LABELS['heading']}",
               "organisation": f"{LABELS['img']} {LABELS['math']} {LABELS['long']}",
               "subtitle": f"{LABELS['link']} {LABELS['arabic']} {LABELS['rlo']} {LABELS['formula']}"}
    return params, ["script", "emphasis", "pipes"]


def _actionplan(tmp: Path) -> tuple[dict, list[str]]:
    sheets = pd.read_excel(DATA / "own_actionplan" / "studie.xlsx", sheet_name=None)
    budget, planning = sheets["begroting"], sheets["planning"]
    priorities = _spread(list(dict.fromkeys(budget["Prioriteit"])), ["script", "emphasis", "pipes", "long"])
    themes = _spread(list(dict.fromkeys(planning["Thema"])), ["img", "heading", "math", "line_break"])
    actions = _spread(list(dict.fromkeys(budget["Actie"]))[:4], ["image", "link", "code", "formula"])
    budget["Prioriteit"] = budget["Prioriteit"].map(priorities)
    planning["Thema"] = planning["Thema"].map(themes)
    for part in (budget, planning):
        part["Actie"] = part["Actie"].map(lambda a: actions.get(a, a))
    # nothing spent on these actions: the report lists them (budget but no spending)
    budget.loc[budget["Actie"].isin(actions.values()), "Uitgegeven (€)"] = 0
    _write_xlsx(tmp / "studie.xlsx", {"begroting": budget, "planning": planning})
    params = yaml.safe_load((DATA / "own_actionplan" / "studie.yaml").read_text(encoding="utf-8"))
    params |= {"budget": str(tmp / "studie.xlsx"), "planning": str(tmp / "studie.xlsx"),
               "budget_lines": {"regular": f"{LABELS['heading']} {LABELS['emphasis']} {LABELS['long']}"},
               "title": f"Actieplan {LABELS['js_link']} {LABELS['image']}",
               "organisation": f"{LABELS['arabic']} {LABELS['rlo']} {LABELS['link']} {LABELS['code']} {LABELS['formula']}"}
    return params, ["script", "emphasis", "pipes", "long", "img", "heading", "math", "line_break", "image", "link",
                    "code", "formula"]


STUDIES = {"correspondentietest": _correspondence, "survey_evaluatie": _survey, "streefcijfers": _targets,
           "actieplan_opvolging": _actionplan}


@pytest.fixture(scope="module", params=list(STUDIES))
def hostile_run(request, tmp_path_factory):
    tmp = tmp_path_factory.mktemp(request.param)
    params, in_data = STUDIES[request.param](tmp)
    (tmp / "vijandig.yaml").write_text(yaml.safe_dump(params, allow_unicode=True), encoding="utf-8")
    out = tmp / "out"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("EVALUATIE_ROOT", str(REPO))
        rc = main(["run", request.param, "--params", str(tmp / "vijandig.yaml"), "--out", str(out), "--quiet"])
    run = out / "vijandig"
    assert rc == 0, (run / "run.json").read_text(encoding="utf-8") if (run / "run.json").exists() else rc
    return run, params, in_data


def _no_markup_from_labels(page: BeautifulSoup, where: str, report: bool = True) -> None:
    assert not any("alert(" in (s.string or "") for s in page.find_all("script")), where
    assert not page.find_all(["iframe", "object", "embed"]), where
    for img in page.find_all("img"):
        assert img.get("src", "").startswith("data:image/png;base64,"), (where, str(img)[:200])
    for tag in page.find_all(True):
        for attr, value in tag.attrs.items():
            assert not attr.lower().startswith("on"), (where, tag.name, attr)
            text = " ".join(value) if isinstance(value, list) else str(value)
            if attr in ("href", "src", "action", "formaction"):
                assert not text.strip().lower().startswith(("javascript:", "vbscript:", "data:text")), (where, text)
                assert "evil.example" not in text, (where, tag.name, text)
    for name, text in MARKUP:
        assert not [t for t in page.find_all(name) if t.get_text().strip() == text], (where, name, text)
    for table in page.find_all("table") if report else []:  # Markdown made no table out of 'a|b|c'
        assert "ev-table" in table.get("class", []), (where, str(table)[:200])
    shown = page.get_text()
    for escaped in ("\\*", "\\_", "\\<", "\\|", "\\[", "\\`", "\\#", "\\$"):
        assert escaped not in shown, (where, escaped)


def test_report_shows_every_label_as_text_and_no_markup(hostile_run):
    run, params, _ = hostile_run
    page = BeautifulSoup((run / "report.html").read_text(encoding="utf-8"), "html.parser")
    _no_markup_from_labels(page, "report.html")
    shown = _plain(page.get_text(" "))
    for key in LABELS:
        assert _plain(LABELS[key]) in shown, key
    assert _plain(page.title.get_text()) == _plain(page.find("h1").get_text()) == _plain(params["title"])
    for img in page.find_all("img"):  # alt texts are plain text: never a backslash from escaping
        assert "\\" not in img.get("alt", ""), img.get("alt")[:200]


def test_notebook_outputs_hold_no_markup_from_labels(hostile_run):
    run, _, _ = hostile_run
    nb = json.loads((run / "notebook.ipynb").read_text(encoding="utf-8"))
    html = [o["data"]["text/html"] for c in nb["cells"] for o in c.get("outputs", [])
            if "text/html" in o.get("data", {})]
    assert html
    for i, h in enumerate(html):
        _no_markup_from_labels(BeautifulSoup("".join(h) if isinstance(h, list) else h, "html.parser"), f"output {i}")


def test_index_shows_the_title_as_text(hostile_run):
    run, _, _ = hostile_run
    page = BeautifulSoup((run.parent / "index.html").read_text(encoding="utf-8"), "html.parser")
    _no_markup_from_labels(page, "index.html", report=False)
    title = BeautifulSoup((run / "report.html").read_text(encoding="utf-8"), "html.parser").title.get_text()
    assert _plain(title) in _plain(page.get_text(" "))


def test_tables_keep_the_labels_as_they_are(hostile_run):
    run, _, in_data = hostile_run
    cells = set()
    for f in sorted((run / "tables").glob("*.csv")):
        df = pd.read_csv(f, dtype=str, keep_default_na=False)
        cells.update(df.to_numpy().ravel().tolist())
    for key in in_data:  # as the file had it, line breaks included
        assert LABELS[key] in cells, key
    for v in cells:  # no Markdown escaping leaks into the data
        assert not any(e in v for e in ("\\*", "\\<", "\\|", "\\[")), v[:200]
    wb = load_workbook(run / "tables.xlsx")
    texts = set()
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (ws.title, cell.coordinate)
                texts.add(cell.value)
    for key in in_data:  # '=HYPERLINK(...)' is a text cell that reads as it was typed
        assert LABELS[key] in texts, key
    record = json.loads((run / "run.json").read_text(encoding="utf-8"))
    assert record["status"] == "ok"
    assert "\\<script" not in json.dumps(record, ensure_ascii=False)


def test_links_in_an_authors_markdown_are_text_not_links():
    """``notes``, ``texts`` and ``synthetic_note`` are the author's Markdown; a link in them (inline,
    reference or autolink) shows its address as text and cannot be followed, so a params file cannot
    put a link to another site in a published report (issue 15)."""
    md = ("[klik hier](https://evil.example/phish) <https://evil.example/auto> [ref][1] en "
          "[x](javascript:alert(1))\n\n[1]: https://evil.example/refdef")
    page = BeautifulSoup(render_markdown(md), "html.parser")
    assert page.find_all("a") == []
    text = page.get_text()
    for shown in ("klik hier (https://evil.example/phish)", "https://evil.example/auto",
                  "ref (https://evil.example/refdef)", "x (javascript:alert(1))"):
        assert shown in text, (shown, text)
