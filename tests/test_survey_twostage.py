"""A two-stage survey through the notebook and `evaluatie new` (issue 18, item 1): organisations
drawn per sector, then employees within each drawn organisation (tests/data/own_survey_twostage/,
written by its make_study.py). `new` proposes the design, `run` reports on it, and the report's
numbers are those of :class:`evaluatie.stats.survey.SurveyDesign` with the same design; designs the
package does not estimate stop with a Dutch message (exit 2, no traceback)."""

from __future__ import annotations

import csv
import html
import importlib.util
import json
import math
import re
from pathlib import Path

import pandas as pd
import pytest
import yaml

from evaluatie.analyses import survey as lk
from evaluatie.core.errors import DataError
from evaluatie.intake.guess import stage_sizes
from evaluatie.run.cli import main
from evaluatie.run.params import ParamError, load_run
from evaluatie.run.propose import Table, propose
from evaluatie.stats import survey as sv
from evaluatie.stats.intervals import design_interval

REPO = Path(__file__).resolve().parents[1]
OWN = REPO / "tests" / "data" / "own_survey_twostage"
DATA = OWN / "werknemersbevraging.csv"
DESIGN = dict(strata="sector", cluster=["organisatie_id", "werknemer_id"], fpc=["aantal_organisaties", "aantal_werknemers"])


@pytest.fixture
def at_repo(monkeypatch):
    monkeypatch.setenv("EVALUATIE_ROOT", str(REPO))


def _text(page: Path) -> str:
    t = page.read_text(encoding="utf-8")
    t = re.sub(r"<(style|script).*?</\1>", " ", t, flags=re.S)
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", t)))


def test_committed_file_is_what_the_seeded_generator_writes():
    spec = importlib.util.spec_from_file_location("make_study", OWN / "make_study.py")
    gen = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(gen)
    with open(DATA, encoding="utf-8", newline="") as f:
        got = [tuple(r) for r in csv.reader(f, delimiter=";")]
    assert got[0] == gen.COLUMNS and got[1:] == gen.rows()


def test_new_proposes_the_two_stage_design():
    df = pd.read_csv(DATA, sep=";", dtype=str, keep_default_na=False)
    p = propose("survey_evaluatie", [Table(df, "werknemersbevraging.csv")])
    doc = p.params()
    assert doc["cluster"] == ["organisatie_id", "werknemer_id"]
    assert doc["fpc"] == ["aantal_organisaties", "aantal_werknemers"] and doc["strata"] == "sector"
    assert doc["texts"]["cluster_units"] == "organisaties"
    assert not {"organisatie_id", "aantal_werknemers"} & set(doc["items"])  # design columns are not questions


def test_no_design_is_proposed_without_population_sizes_for_both_stages():
    df = pd.read_csv(DATA, sep=";", dtype=str, keep_default_na=False)
    p = propose("survey_evaluatie", [Table(df.drop(columns="aantal_werknemers"), "x.csv")])
    assert "cluster" not in {e.key for e in p.entries}
    # a size below an organisation's number of rows is no population size
    small = df.assign(aantal_werknemers="3")
    assert "aantal_werknemers" not in stage_sizes(small, "organisatie_id")[1]


def test_new_then_run_reports_the_numbers_of_the_two_stage_design(tmp_path, at_repo):
    params = tmp_path / "twee.yaml"
    assert main(["new", "survey_evaluatie", "--data", str(DATA), "-o", str(params)]) == 0
    doc = yaml.safe_load(params.read_text(encoding="utf-8"))
    assert {k: doc[k] for k in DESIGN} == DESIGN
    out = tmp_path / "out"
    rc = main(["run", "survey_evaluatie", "--params", str(params), "--out", str(out), "--quiet"])
    assert rc == 0, json.loads((out / "twee" / "run.json").read_text(encoding="utf-8")).get("error")
    # the same numbers straight from SurveyDesign on the prepared answers
    st = lk.load_study(DATA, doc["items"], yes_no=doc["yes_no"])
    d = sv.SurveyDesign(st.data, **DESIGN)
    want = d.proportion("tevredenheid_werk_top2", "ja").iloc[0]
    t2 = pd.read_csv(out / "twee" / "tables" / "likert_top2.csv").set_index("variable").loc["tevredenheid_werk"]
    # the weights vary (N/n of both stages): published to the report's precision, the interval around
    # the rounded share
    lo, hi = design_interval(round(float(want["estimate"]), 3), want["se"], want["df"], want["n"], "logit", 0.95)
    assert t2[["estimate", "se", "ci_low", "ci_high"]].astype(float).tolist() == [
        round(float(want["estimate"]), 3), round(float(want["se"]), 3), round(float(lo), 3), round(float(hi), 3)]
    # weighted by both stages' N/n: not the unweighted share; the second stage adds variance
    assert want["estimate"] != pytest.approx(st.data["tevredenheid_werk_top2"].eq("ja").sum()
                                             / st.data["tevredenheid_werk_top2"].notna().sum(), abs=1e-4)
    one = sv.SurveyDesign(st.data, **DESIGN, multistage=False).proportion("tevredenheid_werk_top2", "ja").iloc[0]
    assert want["se"] != pytest.approx(one["se"], abs=1e-6)
    yes = d.proportion("opleiding_gevolgd", "ja").iloc[0]
    page = _text(out / "twee" / "report.html")
    assert f"{want['estimate'] * 100:.1f}%".replace(".", ",") in page
    assert f"{yes['estimate'] * 100:.1f}%".replace(".", ",") in page
    reader = page[page.index("Opzet en weging ¶"):page.rindex("Herkomst van dit rapport")]
    assert "steekproef in twee trappen" in reader and "uit 18 organisaties" in reader
    assert "aantal_werknemers" not in reader and "cluster" not in reader


def test_the_study_by_hand_runs_with_its_breakdown(tmp_path, at_repo):
    out = tmp_path / "out"
    assert main(["run", "survey_evaluatie", "--params", str(OWN / "studie.yaml"), "--out", str(out), "--quiet"]) == 0
    bd = pd.read_csv(out / "studie" / "tables" / "breakdown_arbeidsstatuut.csv")
    st = lk.load_study(DATA, {"tevredenheid_werk": {"scale": "tevredenheid", "label": "T"}})
    d = sv.SurveyDesign(st.data, **DESIGN)
    want = d.by("arbeidsstatuut").proportion("tevredenheid_werk_top2", "ja").set_index("arbeidsstatuut")
    got = bd[bd["indicator"] == "Tevredenheid over het werk"].set_index("arbeidsstatuut")
    assert got.loc["Bediende", "estimate"] == round(float(want.loc["Bediende", "estimate"]), 3)  # weighted: 0.1 point


@pytest.mark.parametrize("change, words", [
    ({"fpc": ["aantal_organisaties"]}, "parameter fpc: 1 kolom(men) voor 2 trap(pen)"),
    ({"strata": ["sector", "arbeidsstatuut", "sector"]}, "parameter strata: 3 kolommen voor 2 trap(pen)"),
])
def test_an_unsupported_design_stops_in_dutch_with_exit_2(tmp_path, at_repo, capsys, change, words):
    doc = yaml.safe_load((OWN / "studie.yaml").read_text(encoding="utf-8")) | change
    params = tmp_path / "fout.yaml"
    params.write_text(yaml.safe_dump({"notebook": "survey_evaluatie", **doc}, allow_unicode=True), encoding="utf-8")
    rc = main(["run", "survey_evaluatie", "--params", str(params), "--out", str(tmp_path / "out")])
    printed = capsys.readouterr()
    assert rc == 2
    assert words in printed.out + printed.err and "Traceback" not in printed.out + printed.err


def test_unsupported_design_from_the_estimator_becomes_a_dutch_data_error(monkeypatch):
    def refuse(*args, **kwargs):
        raise sv.UnsupportedDesign("replicate weights are not supported")
    monkeypatch.setattr(sv, "SurveyDesign", refuse)
    with pytest.raises(DataError, match="dit steekproefontwerp wordt niet ondersteund"):
        lk.load_study(DATA, {"tevredenheid_werk": {"scale": "tevredenheid", "label": "T"}}, **DESIGN)


def test_the_params_checker_takes_one_column_per_stage(tmp_path, at_repo):
    doc = yaml.safe_load((OWN / "studie.yaml").read_text(encoding="utf-8"))
    params = tmp_path / "p.yaml"
    params.write_text(yaml.safe_dump({"notebook": "survey_evaluatie", **doc}, allow_unicode=True), encoding="utf-8")
    run = load_run(params)
    assert run.parameters["cluster"] == ["organisatie_id", "werknemer_id"]
    params.write_text(yaml.safe_dump({"notebook": "survey_evaluatie", **doc, "cluster": [1, 2]}), encoding="utf-8")
    with pytest.raises(ParamError, match="'cluster': verwacht een kolomnaam of een lijst van kolomnamen"):
        load_run(params)


#: R 4.2.2 with survey 4.1.1, tests/data/own_survey_twostage/r_reference.R: svymean and
#: svyciprop(method = "logit") on the subset that gave an answer, in the design
#: svydesign(id = ~organisatie_id + werknemer_id, strata = ~sector, fpc = ~aantal_organisaties + aantal_werknemers).
R_TWO_STAGE = {
    ("likert_top2", "tevredenheid_werk"): (0.674117408755, 0.049785892797, 0.560656141038, 0.770282822042),
    ("yes_no", "opleiding_gevolgd"): (0.505475727886, 0.052642794517, 0.394849647572, 0.615568228625),
}


def _design_effect_by_hand(rows: pd.DataFrame) -> float:
    """The report's design effect of the two-stage study, from the file alone: Kish's 1 + CV² of the
    weights (organisations per sector / sampled, times employees per organisation / sampled), times
    1 + (b - 1) 0.05 for b respondents per organisation (no first-stage 1 - f: the second stage adds
    variance it does not remove); up to 0.1."""
    orgs = rows.groupby("sector")["organisatie_id"].nunique()
    pop = rows.groupby("sector")["aantal_organisaties"].first()
    emp = rows.groupby("organisatie_id")["werknemer_id"].transform("size")
    w = (rows["sector"].map(pop / orgs) * rows["aantal_werknemers"] / emp).to_numpy(float)
    kish = len(w) * (w ** 2).sum() / w.sum() ** 2
    b = len(rows) / rows["organisatie_id"].nunique()
    return math.ceil(round(kish * (1 + (b - 1) * 0.05) * 10, 9)) / 10


def test_the_report_of_the_two_stage_study_publishes_r_survey_shares_with_one_design_effect(tmp_path, at_repo):
    """The own two-stage study has organisations with fewer than 5 respondents, so its exact standard
    errors would give their answers back: the report publishes R survey's shares (multistage estimates
    computed independently, not by the package's own SurveyDesign) to 0.1 percentage point and every
    standard error and logit interval from the published share, its base and one design effect
    computed by hand from the file (Kish, first-stage fpc, clusters). The estimator itself still gives
    R's numbers, standard errors included, to 1e-9."""
    out = tmp_path / "out"
    assert main(["run", "survey_evaluatie", "--params", str(OWN / "studie.yaml"), "--out", str(out), "--quiet"]) == 0
    doc = yaml.safe_load((OWN / "studie.yaml").read_text(encoding="utf-8"))
    st = lk.load_study(DATA, doc["items"], yes_no=doc.get("yes_no"))
    d = sv.SurveyDesign(st.data, **DESIGN)
    deff = _design_effect_by_hand(pd.read_csv(DATA, sep=";"))
    assert deff == 2.1  # the research's number for this study (docs/disclosure_plan.md, rule decision 9)
    for (table, variable), want in R_TWO_STAGE.items():
        row = pd.read_csv(out / "studie" / "tables" / f"{table}.csv").set_index("variable").loc[variable]
        est = round(want[0], 3)
        se = math.sqrt(deff * est * (1 - est) / row["n"])
        lo, hi = design_interval(est, se, row["df"], row["n"], "logit", 0.95)
        assert row[["estimate", "se", "ci_low", "ci_high", "deff"]].astype(float).tolist() == [
            est, round(se, 3), round(float(lo), 3), round(float(hi), 3), deff]
        column = f"{variable}_top2" if table == "likert_top2" else variable
        full = d.proportion(column, "ja").iloc[0]
        assert full[["estimate", "se", "ci_low", "ci_high"]].astype(float).tolist() == pytest.approx(want, abs=1e-9)
    page = html.unescape((out / "studie" / "report.html").read_text(encoding="utf-8"))
    assert "D = 2,1" in page and "wijken daardoor iets af van R" in page
