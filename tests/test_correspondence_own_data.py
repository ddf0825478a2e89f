"""A user's own correspondence test, laid out unlike the examples, runs through the CLI on the
first try and its outputs carry nothing of the example studies.

The study (tests/data/own_correspondence/, written by make_study.py there) is one wave in an
Excel file with Dutch column names, a ja/nee outcome and its own labels ("Turkse naam",
"Belgische naam"); its params file is flat and gives only the data, the columns and the
reference groups."""

from __future__ import annotations

import functools
import importlib.util
import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from openpyxl import load_workbook

from evaluatie.analyses import correspondence as cs
from evaluatie.core.errors import DataError
from evaluatie.run.cli import main
from evaluatie.run.params import ParamError, load_run
from report_checks import published_texts

REPO = Path(__file__).resolve().parents[1]
OWN = REPO / "tests" / "data" / "own_correspondence"
EXAMPLE_PARAMS = [REPO / "params" / "correspondentietest.yaml",
                  REPO / "params" / "correspondentietest_bertrand2004.yaml"]


@functools.cache
def example_only_strings() -> frozenset[str]:
    """Strings that belong to the example studies only: their file names, wave names, grounds,
    group labels, subtitles, design notes and benchmark sub-groups (in English and in Dutch), plus
    the words the user saw leak ('synthetisch', the sector, the example folder) — less the grounds
    and groups the own study shares with them (geslacht: man, vrouw)."""
    out = {"synthetisch", "metaal", "mtech", "data/example", "data/raw", "Maghreb", "Noord-Afrikaans",
           "lippens", "Knack"}
    for p in EXAMPLE_PARAMS:
        par = yaml.safe_load(p.read_text(encoding="utf-8"))["parameters"]
        for key in ("data", "data_followup", "benchmarks"):
            if par.get(key):
                out.add(Path(par[key]).name)
        out.update(par.get("waves", []))
        for key in ("study", "design_note", "synthetic_note"):
            if par.get(key):
                out.add(par[key])
        for ground, ref in par["reference_groups"].items():
            out.update({ground, ref, *par.get("groups", {}).get(ground, [])})
        for b in par.get("benchmark_grounds", {}).values():
            if isinstance(b, dict) and b.get("scope"):
                out.update({b["scope"], cs.BENCHMARK_SCOPES_NL[b["scope"]]})
    own = yaml.safe_load((OWN / "studie.yaml").read_text(encoding="utf-8"))
    return frozenset(out - set(own["reference_groups"]) - set(own["reference_groups"].values()) - {"vrouw"})


def test_example_only_strings_cover_the_examples():
    s = example_only_strings()
    for word in ("correspondentietest_nulmeting.csv", "correspondentietest_vervolgmeting.csv",
                 "resume_bertrand_mullainathan_2004.csv", "nulmeting 2022", "Marokkaans klinkende naam",
                 "Maghrebi-Arab or Middle-Eastern background", "Maghrebijns-Arabische of Midden-Oosterse achtergrond",
                 "etniciteit", "leeftijd", "black", "white"):
        assert word in s, word


@pytest.fixture(scope="module")
def own_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("own")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("EVALUATIE_ROOT", str(REPO))
        rc = main(["run", "correspondentietest", "--params", str(OWN / "studie.yaml"), "--out", str(out)])
    assert rc == 0, (out / "studie" / "run.json").read_text(encoding="utf-8") if (out / "studie" / "run.json").exists() else rc
    return out / "studie"


def _occurs(s: str, text: str) -> bool:
    """Case-insensitive, as a whole word: a label like 'white' is not the CSS keyword in
    'white-space' nor part of a longer word."""
    return re.search(r"(?<![\w-])" + re.escape(s) + r"(?![\w-])", text, flags=re.IGNORECASE) is not None


def test_occurs_matches_whole_words_only():
    assert _occurs("white", "group: White.") and not _occurs("white", "white-space: nowrap")
    assert _occurs("data/example", "'data/example/x.csv'") and not _occurs("man", "manager")


def test_own_study_outputs_contain_nothing_of_the_examples(own_run):
    found = {(name, s) for name, text in published_texts(own_run).items() for s in example_only_strings() if _occurs(s, text)}
    assert found == set()


def test_own_study_report_names_its_groups_and_only_its_grounds(own_run):
    html = (own_run / "report.html").read_text(encoding="utf-8")
    for word in ("Turkse naam", "Belgische naam", "herkomst", "geslacht", "vrouw", cs.skipped("benchmarks")):
        assert word in html, word
    assert "Vergelijking tussen metingen" not in html  # one wave: no section to say so
    assert "Praktijktest op herkomst en geslacht<" in html or "Praktijktest op herkomst en geslacht" in html
    assert "benchmarks.csv" not in {p.name for p in (own_run / "tables").iterdir()}
    assert "wave_comparison.csv" not in {p.name for p in (own_run / "tables").iterdir()}


def test_own_study_runs_first_time_and_reads_only_its_file(own_run):
    rec = json.loads((own_run / "run.json").read_text(encoding="utf-8"))
    inputs = json.dumps(rec["inputs"])
    assert "studie.xlsx" in inputs
    assert "data/example" not in inputs and "lippens" not in inputs
    design = pd.read_csv(own_run / "tables" / "design.csv")
    assert set(design["ground"]) == {"herkomst", "geslacht"}
    assert set(design["wave"]) == {cs.DEFAULT_WAVE}


def test_committed_file_is_what_the_seeded_generator_writes():
    spec = importlib.util.spec_from_file_location("make_study", OWN / "make_study.py")
    gen = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(gen)
    sheet = load_workbook(OWN / "studie.xlsx", read_only=True)["sollicitaties"]
    got = list(sheet.iter_rows(values_only=True))
    assert got[0] == ("vacature", "grond", "groep", "reactie", "sector")
    assert got[1:] == gen.rows()


def test_without_a_data_file_the_run_stops_before_any_kernel_with_the_parameter_named(tmp_path):
    p = tmp_path / "zonder_data.yaml"
    p.write_text("columns: {vacancy: vacature}\n", encoding="utf-8")
    with pytest.raises(ParamError) as e:
        load_run(p, notebook="correspondentietest")
    assert "parameter 'data'" in str(e.value) and "parameter 'reference_groups'" in str(e.value)


def test_a_group_of_three_with_markup_in_its_label_runs_and_stays_text(tmp_path):
    """Hostile own data: a group of 3 applications (whose term the conditional logit cannot
    estimate: it made the model singular), markup in the labels and the title, and a formula as a
    sector. The report comes out, the term without information has no odds ratio, no label is
    markup, and the formula is a string cell in tables.xlsx."""
    df = pd.read_excel(OWN / "studie.xlsx")
    df["groep"] = df["groep"].replace({"Turkse naam": "<script>alert(1)</script> Turkse naam"})
    df.loc[df.index[df["groep"] == "vrouw"][:3], "groep"] = "<img src=x onerror=alert(2)>"
    df["sector"] = df["sector"].replace({"bouw": '=HYPERLINK("https://evil.example";"bouw")'})
    data = tmp_path / "studie.csv"
    df.to_csv(data, index=False, sep=";")
    params = yaml.safe_load((OWN / "studie.yaml").read_text(encoding="utf-8"))
    params.update(data=str(data), title="Praktijktest <script>alert(3)</script>")
    pf = tmp_path / "vijandig.yaml"
    pf.write_text(yaml.safe_dump(params, allow_unicode=True), encoding="utf-8")
    out = tmp_path / "out"
    assert main(["run", "correspondentietest", "--params", str(pf), "--out", str(out), "--quiet"]) == 0
    html = (out / "vijandig" / "report.html").read_text(encoding="utf-8")
    assert "<script>alert" not in html and "<img src=x" not in html
    book = load_workbook(out / "vijandig" / "tables.xlsx")
    cells = [c for ws in book.worksheets for row in ws.iter_rows() for c in row]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    assert any(c.value == '=HYPERLINK("https://evil.example";"bouw")' and c.data_type == "s" for c in cells)
    reg = pd.read_csv(out / "vijandig" / "tables" / "regression.csv").set_index("term")
    assert pd.isna(reg.loc["<img src=x onerror=alert(2)>", "odds_ratio"])
    assert reg.loc["vrouw", "odds_ratio"] > 0


def test_values_map_the_files_own_labels_and_give_the_same_numbers(own_run, tmp_path):
    """The same study with the outcome in words ('uitgenodigd', 'geen reactie', 'afgewezen') and
    the groups as codes, mapped back with the ``values`` parameter: the same rates, to the digit."""
    df = pd.read_excel(OWN / "studie.xlsx")
    rng = np.random.default_rng(3)
    no = np.where(rng.random(len(df)) < 0.5, "Geen reactie", "afgewezen ")
    df["reactie"] = np.where(df["reactie"] == "ja", "Uitgenodigd", no)
    df["groep"] = df["groep"].map({"Turkse naam": "TR", "Belgische naam": "BE", "man": "M", "vrouw": "V"})
    data = tmp_path / "codes.csv"
    df.to_csv(data, index=False)
    params = yaml.safe_load((OWN / "studie.yaml").read_text(encoding="utf-8"))
    params.update(data=str(data), values={
        "outcome": {"uitgenodigd": 1, "geen reactie": 0, "afgewezen": 0},
        "group": {"TR": "Turkse naam", "BE": "Belgische naam", "M": "man", "V": "vrouw"}})
    pf = tmp_path / "codes.yaml"
    pf.write_text(yaml.safe_dump(params, allow_unicode=True, sort_keys=False), encoding="utf-8")
    out = tmp_path / "out"
    assert main(["run", "correspondentietest", "--params", str(pf), "--out", str(out), "--quiet"]) == 0
    for table in ("callback_rates", "design"):
        got = pd.read_csv(out / "codes" / "tables" / f"{table}.csv")
        pd.testing.assert_frame_equal(got, pd.read_csv(own_run / "tables" / f"{table}.csv"))


def test_an_unmapped_outcome_label_is_one_problem_naming_column_count_and_the_values_parameter(tmp_path):
    df = pd.read_excel(OWN / "studie.xlsx")
    df["reactie"] = df["reactie"].map({"ja": "uitgenodigd", "nee": "geen reactie"})
    data = tmp_path / "woorden.csv"
    df.to_csv(data, index=False)
    with pytest.raises(DataError) as e:
        cs.load(str(data), columns={"vacancy": "vacature", "ground": "grond", "group": "groep", "outcome": "reactie"},
                reference_groups={"herkomst": "Belgische naam", "geslacht": "man"})
    (p,) = e.value.problems
    assert p.column == "reactie" and p.row == 2
    msg = str(e.value)
    assert "2 verschillende onbekende waarden in 300 rijen" in msg and "'values'" in msg
    assert "uitgenodigd" not in msg and "geen reactie" not in msg
