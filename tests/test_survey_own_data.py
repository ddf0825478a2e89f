"""A user's own survey, laid out unlike the example evaluation, runs through the CLI on the first
try and its outputs carry nothing of the example (the evaluation of the loopbaan- en
diversiteitsplannen).

The study (tests/data/own_survey/, written by make_study.py there) is a staff survey in a
semicolon CSV with Dutch column names: its own 4-point scale, the built-in agreement scale in the
file's own labels (mapped with ``values``), "weet niet" answers, one yes/no question and one
breakdown; no frame, no claims, no blocks about plans. Its params file is flat. Also run: a
minimal study (only ``data`` and ``items``) and the same study weighted to a frame."""

from __future__ import annotations

import functools
import csv
import importlib.util
import re
from pathlib import Path

import pandas as pd
import pytest
import yaml
from bs4 import BeautifulSoup

from evaluatie.analyses import survey as lk
from evaluatie.core.errors import DataError
from evaluatie.run.cli import main
from report_checks import published_texts

REPO = Path(__file__).resolve().parents[1]
OWN = REPO / "tests" / "data" / "own_survey"
EXAMPLE_PARAMS = [REPO / "params" / "survey_evaluatie.yaml", REPO / "params" / "test" / "survey_evaluatie.yaml"]


@functools.cache
def example_only_strings() -> frozenset[str]:
    """Strings that belong to the example evaluation only: its file names, title, subtitle, item,
    section, yes/no, action, target-group, margin and breakdown labels, its column names, the
    texts of its claims and its own words (``texts``), plus the words the issue saw leak."""
    out = {"loopbaan", "diversiteitsplan", "projectontwikkelaar", "Groeiplan", "Clusterplan", "synthetisch",
           "survey_respondents", "survey_frame", "data/example", "Idea Consult", "afgeronde plannen", "organisaties"}
    for p in EXAMPLE_PARAMS:
        par = yaml.safe_load(p.read_text(encoding="utf-8"))["parameters"]
        out.update(Path(par[k]).name for k in ("data", "frame"))
        out.update({par["title"], par["study"], par["frame_count"], par["strata"], par["complete_column"],
                    par["size_column"], par["open_question"]})
        for key in ("items", "yes_no", "actions"):
            out.update(par[key])
        out.update(v["label"] for v in par["items"].values())
        for key in ("sections", "yes_no", "actions", "target_groups", "margin_labels", "themes"):
            out.update(par[key].values() if key != "themes" else par[key])
        out.update(par["margins"])
        out.update(b for b in par["breakdowns"].values() if b)
        out.update(c["text_nl"] for c in par["claims"])
        out.update(c["variable"] for c in par["claims"])
        out.update(v for v in par["texts"].values() if v.strip())
    return frozenset(out)


def test_example_only_strings_cover_the_example():
    s = example_only_strings()
    for word in ("survey_respondents.sav", "survey_frame.csv", "Evaluatie van de loopbaan- en diversiteitsplannen",
                 "Tevredenheid over de ondersteuning door de projectontwikkelaar", "Kmo of niet", "Soort plan",
                 "q_recommend", "Personen met een handicap", "Tevredenheid, uitvoering en impact",
                 "Suggesties per thema", "administratie"):
        assert word in s, word


def _run(params: dict | Path, out: Path) -> Path:
    """Run the survey report on ``params`` (a file, or a mapping written to one) with the CLI."""
    if isinstance(params, dict):
        path = out.parent / f"{out.name}.yaml"
        path.write_text(yaml.safe_dump(params, allow_unicode=True), encoding="utf-8")
        params = path
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("EVALUATIE_ROOT", str(REPO))
        rc = main(["run", "survey_evaluatie", "--params", str(params), "--out", str(out), "--quiet"])
    d = out / Path(params).stem
    assert rc == 0, (d / "run.json").read_text(encoding="utf-8") if (d / "run.json").exists() else rc
    return d


@pytest.fixture(scope="module")
def own_run(tmp_path_factory):
    return _run(OWN / "studie.yaml", tmp_path_factory.mktemp("own"))


def _occurs(s: str, text: str) -> bool:
    """Case-insensitive, as a whole word ('plan_type' is not found in 'plan_types')."""
    return re.search(r"(?<![\w-])" + re.escape(s) + r"(?![\w-])", text, flags=re.IGNORECASE) is not None


def test_own_study_outputs_contain_nothing_of_the_example(own_run):
    # ARIA roles are the page's own vocabulary ('region' is also one of the example's margins)
    outputs = {name: re.sub(r'role=\\?"[a-z]+\\?"', "", text) for name, text in published_texts(own_run).items()}
    found = {(name, s) for name, text in outputs.items() for s in example_only_strings() if _occurs(s, text)}
    assert found == set()
    # stems of the example's words, anywhere (also inside a longer word)
    for stem in ("loopbaan", "diversiteitsplan", "synthetisch", "survey_respondents", "projectontwikkelaar"):
        assert not any(stem.lower() in text.lower() for text in outputs.values()), stem


def test_own_study_report_is_unweighted_and_says_what_it_leaves_out(own_run):
    html = BeautifulSoup((own_run / "report.html").read_text(encoding="utf-8"), "html.parser").get_text(" ")
    html = re.sub(r"\s+", " ", html)
    assert "Personeelsbevraging 2025" in html and "Sfeer in het team" in html
    for section in ("frame", "claims", "plan_blocks", "open"):
        assert re.sub(r"\*\*", "", lk.skipped(section)) in html, section
    assert lk.skipped("yes_no") not in html and lk.skipped("breakdowns") not in html
    assert "gewogen aandeel" not in html and "rekening houdt met de weging" not in html
    tables = {p.name for p in (own_run / "tables").iterdir()}
    assert tables == {"likert_top2.csv", "yes_no.csv", "breakdown_afdeling.csv", "ledger.csv"}
    assert {p.name for p in (own_run / "figures").iterdir()} == {"likert_vragen_4.png", "likert_vragen_5.png",
                                                                  "likert_vragen_4_smal.png", "likert_vragen_5_smal.png"}


def _raw() -> pd.DataFrame:
    return pd.read_csv(OWN / "personeelsbevraging.csv", sep=";", dtype=str, keep_default_na=False)


def test_own_study_shares_are_the_counts_of_the_raw_file(own_run):
    """Unweighted top-2 and 'ja' shares against a count on the raw file: the two highest points of
    each scale (the file's 'Eerder eens' counted through ``values``), 'weet niet' and blanks outside
    the base."""
    raw = _raw()
    top = {"sfeer_team": {"Eerder goed", "Goed"}, "bijleren": {"Eerder goed", "Goed"},
           "waardering": {"Eerder eens", "Helemaal eens"}, "gelijke_kansen": {"Eens", "Helemaal eens"}}
    t2 = pd.read_csv(own_run / "tables" / "likert_top2.csv").set_index("variable")
    for col, levels in top.items():
        base = raw[~raw[col].isin(["", "Weet niet"])]
        assert t2.loc[col, "n"] == len(base)
        assert t2.loc[col, "estimate"] == pytest.approx(base[col].isin(levels).mean(), abs=1e-12)
        assert t2.loc[col, "dk_share"] == pytest.approx((raw[col] == "Weet niet").sum() / (raw[col] != "").sum())
    yn = pd.read_csv(own_run / "tables" / "yes_no.csv").set_index("variable")
    assert yn.loc["thuiswerk", "estimate"] == pytest.approx((raw["thuiswerk"] == "ja").mean(), abs=1e-12)
    bd = pd.read_csv(own_run / "tables" / "breakdown_afdeling.csv")
    cell = bd[(bd["afdeling"] == "Verkoop") & (bd["indicator"] == "Sfeer in het team")].iloc[0]
    sub = raw[(raw["afdeling"] == "Verkoop") & ~raw["sfeer_team"].isin(["", "Weet niet"])]
    assert cell["estimate"] == pytest.approx(sub["sfeer_team"].isin(top["sfeer_team"]).mean(), abs=1e-12)


def test_committed_file_is_what_the_seeded_generator_writes():
    spec = importlib.util.spec_from_file_location("make_study", OWN / "make_study.py")
    gen = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(gen)
    with open(OWN / "personeelsbevraging.csv", encoding="utf-8", newline="") as f:
        got = [tuple(r) for r in csv.reader(f, delimiter=";")]
    assert got[0] == gen.COLUMNS
    assert got[1:] == gen.rows()


def test_without_values_the_unknown_labels_stop_in_one_problem_per_column():
    params = yaml.safe_load((OWN / "studie.yaml").read_text(encoding="utf-8"))
    with pytest.raises(DataError) as e:
        lk.load_study(OWN / "personeelsbevraging.csv", params["items"], scales=params["scales"])
    assert [(Path(p.file).name, p.column) for p in e.value.problems] == [("personeelsbevraging.csv", "waardering")]
    msg = str(e.value)
    assert "2 onbekende label(s)" in msg and "helemaal niet akkoord / niet akkoord / neutraal" in msg
    assert "values" in msg and "Eerder eens" not in msg and "Eerder oneens" not in msg


def test_minimal_study_only_data_and_items(tmp_path):
    d = _run({"data": "tests/data/own_survey/personeelsbevraging.csv",
              "items": {"gelijke_kansen": {"scale": "akkoord", "label": "Iedereen krijgt hier dezelfde kansen"}}},
             tmp_path / "minimaal")
    text = re.sub(r"\s+", " ", BeautifulSoup((d / "report.html").read_text(encoding="utf-8"), "html.parser").get_text(" "))
    assert "Resultaten van de bevraging" in text
    for section in ("frame", "claims", "yes_no", "plan_blocks", "breakdowns", "open"):
        assert re.sub(r"\*\*", "", lk.skipped(section)) in text, section
    assert {p.name for p in (d / "tables").iterdir()} == {"likert_top2.csv", "ledger.csv"}
    assert not any(_occurs(s, text) for s in example_only_strings())


def test_study_with_a_frame_is_weighted_to_it(tmp_path):
    frame = tmp_path / "personeel.csv"
    frame.write_text("afdeling;medewerkers\nOnthaal;80\nProductie;200\nVerkoop;120\n", encoding="utf-8")
    params = yaml.safe_load((OWN / "studie.yaml").read_text(encoding="utf-8"))
    params.update(frame=str(frame), frame_count="medewerkers", margins=["afdeling"],
                  texts={"frame_units": "medewerkers", "frame_units_short": "medewerkers"})
    d = _run(params, tmp_path / "gewogen")
    wt = pd.read_csv(d / "tables" / "weighting.csv").set_index("level")
    assert wt["population"].to_dict() == {"Onthaal": 80, "Productie": 200, "Verkoop": 120}
    assert wt["calibrated_share"].tolist() == [round(x, 3) for x in wt["population_share"]]  # weighted: to 0.1 point
    text = re.sub(r"\s+", " ", BeautifulSoup((d / "report.html").read_text(encoding="utf-8"), "html.parser").get_text(" "))
    assert "het kader telt 400 medewerkers" in text and lk.skipped("frame").replace("**", "") not in text
    # weighted to the departments: the share is the mean of the department shares, weighted by headcount
    bd = pd.read_csv(d / "tables" / "breakdown_afdeling.csv")
    per = bd[bd["indicator"] == "Werkt minstens één dag per week thuis"].set_index("afdeling")["estimate"]
    yn = pd.read_csv(d / "tables" / "yes_no.csv").set_index("variable")
    # each share published to 0.1 point: the identity holds within the roundings (0.05 + 0.05 points)
    assert yn.loc["thuiswerk", "estimate"] == pytest.approx((per * wt["population"]).sum() / 400, abs=1e-3)


def test_the_example_without_claims_and_actions_runs(tmp_path):
    """The issue's failing cases: ``claims: []`` (KeyError 'verdict') and ``actions: {}`` (KeyError
    'variable') on the example evaluation; the report leaves those parts out and keeps the rest."""
    params = yaml.safe_load(EXAMPLE_PARAMS[1].read_text(encoding="utf-8"))["parameters"]
    params.update(claims=[], actions={})
    d = _run(params, tmp_path / "zonder_conclusies")
    tables = {p.name for p in (d / "tables").iterdir()}
    assert {"claims_check.csv", "claims_coding.csv", "actions.csv"}.isdisjoint(tables)
    assert {"targets.csv", "weighting.csv", "likert_top2.csv"} <= tables
    text = re.sub(r"\s+", " ", BeautifulSoup((d / "report.html").read_text(encoding="utf-8"), "html.parser").get_text(" "))
    assert lk.skipped("claims") in text and lk.skipped("plan_blocks") not in text


def test_the_studys_labels_read_as_themselves_in_headings_and_sentences(tmp_path):
    """An auditor put a link and emphasis in headings (and so in the table of contents) and in the
    sentences through ``texts``: the label keys (units, headings) read as themselves, as literal
    text; the study's prose keys stay Markdown."""
    params = yaml.safe_load((OWN / "studie.yaml").read_text(encoding="utf-8"))
    link = "[meer](https://elders.example/x)"
    params["texts"] = {"respondents": f"*werknemers* {link}", "results_heading": f"**Uitslag** {link}",
                       "breakdowns_heading": "_Groepen_ <b>x</b>"}
    d = _run(params, tmp_path / "labels")
    page = BeautifulSoup((d / "report.html").read_text(encoding="utf-8"), "html.parser")
    assert not page.find_all("a", href=re.compile("^https?://elders")) and not page.find_all("b")
    headings = [h.get_text(" ", strip=True) for h in page.find_all(re.compile("^h[1-6]$"))]
    assert any(h.startswith(f"**Uitslag** {link}") for h in headings), headings
    assert any(h.startswith("_Groepen_ <b>x</b>") for h in headings), headings
    assert not any(h.find(["strong", "em"]) for h in page.find_all(re.compile("^h[1-6]$")))
    text = re.sub(r"\s+", " ", page.get_text(" "))
    assert f"150 *werknemers* {link} vulden de vragenlijst in" in text


def test_a_complete_column_with_another_value_is_a_data_error(tmp_path):
    """``complete_column`` says ja or nee (or 1/0, yes/no, true/false; empty: not complete). A text
    that is neither was read as 'not complete' without a word; now it stops the run with the file,
    the first row and the column, and how many rows, never the value."""
    items = {"tevreden": "tevredenheid"}
    path = tmp_path / "antwoorden.csv"
    rows = [("ja", "tevreden"), ("nee", "ontevreden"), ("1", "tevreden"), ("", "neutraal"),
            ("Ingevuld door Jan Peeters", "tevreden"), ("0", "tevreden"), ("deels", "tevreden")]
    path.write_text("volledig;tevreden\n" + "".join(f"{a};{b}\n" for a, b in rows), encoding="utf-8")
    with pytest.raises(DataError) as e:
        lk.load_survey(path, items, complete_column="volledig", complete_only=True)
    (p,) = e.value.problems
    assert (p.file, p.row, p.column) == ("antwoorden.csv", 6, "volledig")
    assert "2 rij(en)" in str(e.value) and "Jan" not in str(e.value) and "deels" not in str(e.value)
    path.write_text("volledig;tevreden\n" + "".join(f"{a};{b}\n" for a, b in rows[:4] + rows[5:6]), encoding="utf-8")
    df, ledger = lk.load_survey(path, items, complete_column="volledig", complete_only=True)
    assert len(df) == 2 and ledger.analysed == 2  # ja and 1; nee, 0 and the empty cell are not complete
