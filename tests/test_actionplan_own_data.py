"""A sector fund's own action plan, laid out unlike the examples, runs through the CLI on the
first try and its outputs carry nothing of the example plans.

The study (tests/data/own_actionplan/, written by make_study.py there) is one year of a
fictitious fund's plan in one Excel workbook: a ``begroting`` sheet (planned and spent euros per
action, one budget line, the status in the fund's own words) and a ``planning`` sheet (workdays
and budget per action), Dutch column names, no total rows and no months. Its params file is flat:
the file, the sheets, the columns and the status words. A budget-only and a planning-only variant
leave the other sheet out."""

from __future__ import annotations

import functools
import importlib.util
import json
import re
from pathlib import Path

import pandas as pd
import pytest
import yaml
from openpyxl import load_workbook

from evaluatie.analyses import actionplan as ap
from evaluatie.core.errors import DataError
from evaluatie.run.cli import main
from report_checks import published_texts

REPO = Path(__file__).resolve().parents[1]
OWN = REPO / "tests" / "data" / "own_actionplan"
EXAMPLE_PARAMS = sorted((REPO / "params").glob("actieplan_*.yaml")) + sorted(
    (REPO / "params" / "test").glob("actieplan_*.yaml"))
PATH_KEYS = ("budget", "planning", "planning_totals", "actions", "timing", "commitments", "realised", "subsidies")


def _texts(value) -> list[str]:
    """Every text inside a parameter value (nested lists and mappings; not the keys of a mapping,
    which are standard names: parts, section-text keys, amount columns, budget lines)."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [t for v in value.values() for t in _texts(v)]
    if isinstance(value, list):
        return [t for v in value for t in _texts(v)]
    return []


@functools.cache
def example_only_strings() -> frozenset[str]:
    """Strings that belong to the example plans only: their file names, titles, subtitles, notes,
    own section texts, budget-line and amount-column names, subsidy plan types, section and group
    names, plus the words a reader would recognise them by."""
    out = {"Diversiteitsbeleid", "Dienst Diversiteitsbeleid", "mtech", "mtech+", "TOM", "budget_diversiteitsbeleid",
           "Instapplan", "Clusterplan", "Groeiplan", "BIJKOMEND", "Voorjaar", "najaar", "SERR", "Waas & Dender",
           "data/raw", "18/10/2018", "2018", "2019", "nulmeting", "tewerkstellingsondersteunende", "actieplannen.xlsx",
           "plan_types_subsidies"}
    for p in EXAMPLE_PARAMS:
        par = yaml.safe_load(p.read_text(encoding="utf-8"))["parameters"]
        out.update(Path(par[k]).name for k in PATH_KEYS if par.get(k))
        for key in ("title", "subtitle", "notes", "section_text", "budget_lines", "column_labels", "section_groups",
                    "subsection_groups"):
            out.update(t for t in _texts(par.get(key)) if len(t) > 3)
        out.update(e["plan_type"] for e in par.get("subsidy_examples", []))
    return frozenset(out - {"budget", "planning", "tom", "regular"})  # standard table and budget-line keys, not wording


def test_example_only_strings_cover_the_examples():
    s = example_only_strings()
    for word in ("budget_diversiteitsbeleid_2018.csv", "actieplan_mtech_planning_2024_2025.csv", "Diversiteitsplan",
                 "Opvolging van de begroting 2018 van de Dienst Diversiteitsbeleid", "Begroting 2018",
                 "Intersectorale acties in addendum", "voorzien op begroting TOM", "onder 'BIJKOMEND'"):
        assert word in s, word


def _run(params: Path, out: Path) -> Path:
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("EVALUATIE_ROOT", str(REPO))
        rc = main(["run", "actieplan_opvolging", "--params", str(params), "--out", str(out), "--quiet"])
    run = out / params.stem
    assert rc == 0, (run / "run.json").read_text(encoding="utf-8") if (run / "run.json").exists() else rc
    return run


@pytest.fixture(scope="module")
def own_run(tmp_path_factory):
    return _run(OWN / "studie.yaml", tmp_path_factory.mktemp("own"))


@pytest.fixture(scope="module")
def budget_only_run(tmp_path_factory):
    d = tmp_path_factory.mktemp("budget_only")
    par = yaml.safe_load((OWN / "studie.yaml").read_text(encoding="utf-8"))
    del par["planning"], par["sheets"]["planning"], par["columns"]["planning"]
    p = d / "alleen_begroting.yaml"
    p.write_text(yaml.safe_dump(par, allow_unicode=True), encoding="utf-8")
    return _run(p, d / "out")


@pytest.fixture(scope="module")
def planning_only_run(tmp_path_factory):
    d = tmp_path_factory.mktemp("planning_only")
    par = yaml.safe_load((OWN / "studie.yaml").read_text(encoding="utf-8"))
    del par["budget"], par["sheets"]["budget"], par["columns"]["budget"], par["values"]
    p = d / "alleen_planning.yaml"
    p.write_text(yaml.safe_dump(par, allow_unicode=True), encoding="utf-8")
    return _run(p, d / "out")


def _occurs(s: str, text: str) -> bool:
    """As a whole word; case-insensitive, except for an acronym in capitals ('TOM' is not the
    budget-line key ``tom`` of the standard columns, which the notebook's parameter help names)."""
    flags = 0 if s.isupper() else re.IGNORECASE
    return re.search(r"(?<![\w-])" + re.escape(s) + r"(?![\w-])", text, flags=flags) is not None


def test_occurs_matches_whole_words_and_acronyms_in_capitals():
    assert _occurs("TOM", "begroting TOM 2018") and not _occurs("TOM", "{regular: ..., tom: ...}")
    assert _occurs("mtech", "van MTECH+") and not _occurs("2018", "20180")


@pytest.mark.parametrize("which", ["own_run", "budget_only_run", "planning_only_run"])
def test_outputs_contain_nothing_of_the_examples(which, request):
    run = request.getfixturevalue(which)
    found = {(name, s) for name, text in published_texts(run).items() for s in example_only_strings() if _occurs(s, text)}
    assert found == set()


def test_own_plan_report_reads_its_own_file_and_words(own_run):
    rec = json.loads((own_run / "run.json").read_text(encoding="utf-8"))
    assert "studie.xlsx" in json.dumps(rec["inputs"]) and "data/raw" not in json.dumps(rec["inputs"])
    html = (own_run / "report.html").read_text(encoding="utf-8")
    for text in ("Opvolging van het actieplan 2025", "Sectorfonds Houtbewerking", ap.synthetic_notice().split("**")[0],
                 "Niet in dit rapport: planning per maand, want de planning noemt geen maanden",
                 "De bron vermeldt geen totalen om de optellingen tegen na te rekenen",
                 "Werkdagen en budget per groep van acties", "Werving zonder drempels"):
        assert text in html, text
    tables = {p.stem for p in (own_run / "tables").glob("*.csv")}
    assert tables == {"budget_execution_regular", "budget_not_spent", "ledger", "plan_groups", "status_budget",
                      "status_by_priority"}
    assert set(pd.read_csv(own_run / "tables" / "status_budget.csv")["line"]) == {"regular"}


def test_own_plan_numbers_are_those_of_the_file(own_run):
    """The status words of the file, mapped by the params, give the counts of the file; the totals
    are the sums of its rows."""
    spec = importlib.util.spec_from_file_location("make_study", OWN / "make_study.py")
    gen = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(gen)
    rows = gen.budget_rows()
    words = yaml.safe_load((OWN / "studie.yaml").read_text(encoding="utf-8"))["values"]["budget"]["status"]
    tot = pd.read_csv(own_run / "tables" / "status_by_priority.csv").iloc[-1]
    for code in ap.STATUS_CLASSES:
        assert tot[code] == sum(words[r[5]] == code for r in rows), code
    ex = pd.read_csv(own_run / "tables" / "budget_execution_regular.csv").iloc[-1]
    assert (ex["planned_eur"], ex["spent_eur"]) == (sum(r[3] for r in rows), sum(r[4] for r in rows))
    groups = pd.read_csv(own_run / "tables" / "plan_groups.csv")
    assert groups["days"].sum() == sum(r[2] for r in gen.planning_rows())


def test_budget_only_plan_leaves_the_planning_out_with_one_sentence(budget_only_run):
    html = (budget_only_run / "report.html").read_text(encoding="utf-8")
    assert ("Niet in dit rapport: inzet (werkdagen) en budget van het actieplan, want er is geen planning met "
            "werkdagen per actie; planning per maand, want er is geen planning;") in html
    assert "Werkdagen en budget per groep van acties" not in html
    assert "plan_groups.csv" not in {p.name for p in (budget_only_run / "tables").iterdir()}


def test_committed_file_is_what_the_seeded_generator_writes():
    spec = importlib.util.spec_from_file_location("make_study", OWN / "make_study.py")
    gen = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(gen)
    wb = load_workbook(OWN / "studie.xlsx", read_only=True)
    got = list(wb["begroting"].iter_rows(values_only=True))
    assert got[0] == gen.BUDGET_HEADER and got[1:] == gen.budget_rows()
    got = list(wb["planning"].iter_rows(values_only=True))
    assert got[0] == gen.PLANNING_HEADER and got[1:] == gen.planning_rows()


def test_an_unmapped_status_word_stops_the_run_naming_the_column_not_the_word(tmp_path):
    par = yaml.safe_load((OWN / "studie.yaml").read_text(encoding="utf-8"))
    del par["values"]["budget"]["status"]["niet gestart"]
    p = tmp_path / "zonder_niet_gestart.yaml"
    p.write_text(yaml.safe_dump(par, allow_unicode=True), encoding="utf-8")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("EVALUATIE_ROOT", str(REPO))
        rc = main(["run", "actieplan_opvolging", "--params", str(p), "--out", str(tmp_path / "out"), "--quiet"])
    assert rc == 2
    record = (tmp_path / "out" / "zonder_niet_gestart" / "run.json").read_text(encoding="utf-8")
    assert "kolom 'Stand'" in record and "1 onbekende evaluatie in" in record and "done_ongoing" in record
    assert "not_done" in record and "niet gestart" not in record


def test_the_problems_of_every_sheet_come_in_one_message():
    """What `evaluatie new` could not decide (the priority number, the planning's theme column, the
    status words) is reported for both sheets at once, before any result is computed."""
    par = yaml.safe_load((OWN / "studie.yaml").read_text(encoding="utf-8"))
    del par["columns"]["budget"]["priority_no"], par["columns"]["planning"]["group"], par["values"]
    par["budget"] = par["planning"] = str(OWN / "studie.xlsx")
    with pytest.raises(DataError) as e:
        ap.load(par)
    where = {(p.file.split("werkblad ")[-1].rstrip(")"), p.column) for p in e.value.problems}
    assert where == {("begroting", "priority_no"), ("begroting", "Stand"), ("planning", "group")}


def test_planning_only_plan_shows_its_workdays_and_says_what_is_left_out(planning_only_run):
    html = (planning_only_run / "report.html").read_text(encoding="utf-8")
    assert "Het actieplan telt 20 acties met samen" in html and "Werkdagen en budget per groep van acties" in html
    assert ("Niet in dit rapport: uitvoering van de begroting, want er is geen begroting met voorziene en "
            "uitgegeven bedragen per actie; stand van de acties, want") in html
    assert {p.stem for p in (planning_only_run / "tables").glob("*.csv")} == {"ledger", "plan_groups"}
