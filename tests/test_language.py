"""One language for results (issue 17 item 4), checked on every example report and on the own-data
studies of tests/data/own_*: the reader's text (everything before the provenance section "Herkomst
van dit rapport", where parameters and files are listed on purpose, figures' alt texts included) holds

- no parameter name of the run, no key of a parameter's mapping (item keys, column mappings), no
  column name of an input file, no snake_case identifier, no ``true``/``false``/``null`` or JSON;
- one sign convention: a report that shows a gap states :data:`SIGN_CONVENTION` exactly once, and no
  column is a "Verschil" in procentpunt (the other sign);
- percentages with one decimal at most, and days as whole numbers.

Words that are a parameter or column name and also plain Dutch (``budget``, ``planning``, a user's
column ``sector``) are allowed when they are in :data:`DUTCH_WORDS`."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from evaluatie.publish.glossary import SIGN_CONVENTION, TERMS, target_group_name
from report_checks import report_page

ROOT = Path(__file__).resolve().parents[1]
OWN = {
    "own_correspondence": "correspondentietest",
    "own_survey": "survey_evaluatie",
    "own_survey_twostage": "survey_evaluatie",
    "own_targets": "streefcijfers",
    "own_actionplan": "actieplan_opvolging",
}
#: Parameter or column names that are also ordinary Dutch words a sentence may use.
DUTCH_WORDS = {"budget", "planning", "sector", "geslacht", "leeftijd", "afdeling", "jaar", "functie",
               "vacature", "regio", "status", "thema", "actie", "prioriteit", "bedrag", "titel", "domein",
               "uitnodiging", "impact", "uitvoering", "stand", "werkdagen", "groep", "herkomst", "geen", "kader",
               "lager", "peildatum", "sic", "timing", "etniciteit", "beroep", "provincie", "bedrijfsgrootte",
               "reactie", "manager"}
#: Percentages a source publishes with two decimals (Bertrand & Mullainathan 2004: 9,65% and 6,45%).
SOURCE_DECIMALS = {"correspondentietest_bertrand2004": {"9,65%", "6,45%"}}


@pytest.fixture(scope="module")
def reports(tmp_path_factory) -> list[Path]:
    out = tmp_path_factory.mktemp("lang")
    cli = [sys.executable, "-m", "evaluatie.run.cli", "run"]
    runs = [[*cli, "--all", "--out", str(out / "examples"), "--quiet", "--jobs", "2"]]
    runs += [[*cli, analysis, "--params", str(ROOT / "tests" / "data" / d / "studie.yaml"), "--out", str(out / d),
              "--quiet"] for d, analysis in OWN.items()]
    for cmd in runs:
        proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=1200)
        assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return sorted(p.parent for p in out.glob("*/*/report.html"))


def reader_text(d: Path) -> str:
    """The report's text as a reader sees it, from the title (not the table of contents, which
    names the provenance section too) up to the provenance section's heading."""
    page = report_page(d)
    for nav in page.select("nav.ev-toc"):
        nav.decompose()
    for img in page.select("img[alt]"):  # alt texts are read too (once per figure: the phone variant repeats it)
        img.replace_with(" " + img["alt"] + " " if "ev-narrow" not in (img.get("class") or []) else " ")
    text = page.get_text(" ")
    assert text.count("Herkomst van dit rapport") == 1
    return " ".join(text.split("Herkomst van dit rapport")[0].split())


def _names(parameters: dict, inputs: list[Path]) -> set[str]:
    """Parameter names, the roles of the ``columns`` mapping (``outcome``, ``vacancy``, ...) and the
    input files' column names. Other mappings are keyed by the user's own labels (grounds, groups,
    sections), which a report names on purpose; identifier-like keys among them are caught as
    snake_case."""
    names = set(parameters) | set(parameters.get("columns") or {})
    for f in inputs:
        if f.suffix.lower() in (".csv", ".tsv", ".txt"):
            names |= set(map(str, pd.read_csv(f, sep=None, engine="python", nrows=0).columns))
        elif f.suffix.lower() in (".xlsx", ".xls"):
            for frame in pd.read_excel(f, sheet_name=None, nrows=0).values():
                names |= set(map(str, frame.columns))
    # a key without letters (a section number such as 4.1) is a number a sentence may quote
    return {n for n in names if len(n) > 2 and re.search(r"[^\W\d_]", n) and n.casefold() not in DUTCH_WORDS}


def identifiers_in(text: str, names: set[str]) -> list[str]:
    """Names and identifiers in ``text``; file names (the row ledger names its input files) are not
    identifiers."""
    text = re.sub(r"\S+\.(?:csv|tsv|txt|xlsx|xls|sav|dta|parquet|json)\b", " ", text, flags=re.IGNORECASE)
    found = [n for n in names if re.search(rf"(?<![\w-]){re.escape(n)}(?![\w-])", text)]
    found += re.findall(r"\b[A-Za-z]+_[A-Za-z0-9_]+\b", text)
    found += re.findall(r"\b(?:true|false|null|None|NaN)\b|\{\s*\"", text)
    return sorted(set(found))


def _inputs(d: Path) -> list[Path]:
    run = json.loads((d / "run.json").read_text(encoding="utf-8"))
    return [ROOT / f for f in run.get("inputs", {}) if (ROOT / f).is_file()]


def test_the_checks_find_what_they_should():
    text = "De kloof (in de CSV: outcome no_figure_at_target_date; complete_only: false) is {\"a\": 1}."
    assert identifiers_in(text, {"outcome", "complete_only"}) == [
        "complete_only", "false", "no_figure_at_target_date", "outcome", '{"']
    assert identifiers_in("Het budget en de planning van de acties.", set()) == []
    assert identifiers_in("Bron: data/raw/streefcijfers_vlaamse_overheid.csv, 75 rijen.", set()) == []


def test_reader_text_has_no_parameter_or_column_names(reports):
    problems = {}
    for d in reports:
        run = json.loads((d / "run.json").read_text(encoding="utf-8"))
        found = identifiers_in(reader_text(d), _names(run.get("parameters", {}), _inputs(d)))
        if found:
            problems[f"{d.parent.name}/{d.name}"] = found
    assert problems == {}


def test_one_sign_convention_stated_once_where_gaps_are_shown(reports):
    problems = {}
    for d in reports:
        text = reader_text(d)
        gaps = re.search(r"\bkloof\b|\bkloven\b", text, re.IGNORECASE)
        stated = text.count(SIGN_CONVENTION)
        if (gaps and stated != 1) or (not gaps and stated):
            problems[d.name] = f"kloof shown: {bool(gaps)}, convention stated {stated}×"
        page = report_page(d)
        other = [th.get_text(" ", strip=True) for th in page.select("th")
                 if re.match(r"Verschil\b.*\b(pp|procentpunt)", th.get_text(" ", strip=True), re.IGNORECASE)]
        if other:
            problems[d.name + " columns"] = other
    assert problems == {}


def test_percentages_one_decimal_days_whole(reports):
    problems = {}
    for d in reports:
        text = reader_text(d)
        allowed = SOURCE_DECIMALS.get(d.name, set())
        pct = {m for m in re.findall(r"\d+,\d{2,}\s?%", text) if m.replace(" ", "") not in allowed}
        days = set(re.findall(r"\b\d+,\d+ (?:werk)?dagen\b", text))
        if pct or days:
            problems[f"{d.parent.name}/{d.name}"] = sorted(pct | days)[:8]
    assert problems == {}


def test_glossary_defines_every_term_it_lists_and_groups_have_one_name():
    assert all(t == t.casefold() and len(TERMS[t]) > 30 for t in TERMS)
    assert {target_group_name(x) for x in ("Laaggeschoolden", "kortgeschoolde", "KORTGESCHOOLD")} == {"kortgeschoolden"}
    assert target_group_name("Allochtonen") == "personen van buitenlandse herkomst"
    assert target_group_name("personen met een arbeidshandicap") == "personen met een handicap"
    assert target_group_name("Onze eigen groep") == "Onze eigen groep"


def test_one_name_per_target_group_across_reports(reports):
    """A report names a Flemish target group by its one name: no other variant in the reader's text."""
    variants = {"laaggeschoold", "laaggeschoolde", "laaggeschoolden", "allochtonen", "allochtone",
                "arbeidshandicap"}
    problems = {}
    for d in reports:
        words = set(re.findall(r"[a-zà-ÿ]+", reader_text(d).casefold()))
        if words & variants:
            problems[f"{d.parent.name}/{d.name}"] = sorted(words & variants)
    assert problems == {}
