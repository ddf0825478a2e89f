"""One organisation's own personnel snapshots, laid out unlike the example, give a streefcijfers
report on the first run through the CLI, about that organisation only.

The study (tests/data/own_targets/, written by make_study.py there) is ONE agency with snapshots
on 31/12/2021, 2022 and 2023 in a CSV with Dutch column names and Dutch labels (opleiding
"hoger", kader "N-1", nationaliteit "Marokko"), no entity column and no targets file; its flat
params file gives the file, the column mapping, the value mapping and the organisation. Also: the
same study on one reference date, an unmapped label, and the example numbers that moving logic out
of the notebook must not change."""

from __future__ import annotations

import functools
import importlib.util
import json
import re
from pathlib import Path

import pandas as pd
import pytest
import yaml
from bs4 import BeautifulSoup

from evaluatie.analyses import targets as T
from evaluatie.analyses.targets import personnel as P
from evaluatie.core.errors import DataError
from evaluatie.intake.read import read_table
from evaluatie.run.cli import main
from evaluatie.run.params import ParamError, load_run
from report_checks import published_texts

REPO = Path(__file__).resolve().parents[1]
OWN = REPO / "tests" / "data" / "own_targets"
EXAMPLE_PARAMS = [REPO / "params" / "streefcijfers.yaml", REPO / "params" / "test" / "streefcijfers.yaml"]
ORGANISATION = "Agentschap Zilverlinde"


def _own_params() -> dict:
    return yaml.safe_load((OWN / "studie.yaml").read_text(encoding="utf-8"))


@functools.cache
def example_only_strings() -> frozenset[str]:
    """Strings of the example reports only: the example organisation, its file names, its title,
    subtitle and texts about the published series, the example's entity and policy-domain names,
    the yearly-target groups, Tabel 1 of its plan, and 'synthetisch'."""
    out = {"Vlaamse overheid", "streefcijfers_vlaamse_overheid", "personnel.parquet", "synthetisch",
           "data/example", "data/raw", "Tabel 1", "stagiairs", "jobstudenten"}
    for p in EXAMPLE_PARAMS:
        par = yaml.safe_load(p.read_text(encoding="utf-8"))["parameters"]
        for key in ("data", "data_history", "targets", "yearly_figures", "template", "microdata"):
            if par.get(key):
                out.add(Path(par[key]).name)
        out.update(v for k, v in par.items() if k in ("title", "subtitle") and v)
        out.update(par.get("notes", {}).values())
    names = pd.read_parquet(REPO / "data" / "example" / "personnel.parquet", columns=["entity", "policy_domain"])
    out.update(set(names["entity"]) | set(names["policy_domain"]))
    return frozenset(out)


def _occurs(s: str, text: str) -> bool:
    """Case-insensitive; a name such as 'Entiteit 01' not as part of a longer number."""
    return re.search(re.escape(s) + r"(?!\d)", text, flags=re.IGNORECASE) is not None


def _text(d: Path) -> str:
    return " ".join(BeautifulSoup((d / "report.html").read_text(encoding="utf-8"), "html.parser").get_text(" ").split())


def _run(params_file: Path, out: Path, *extra: str) -> int:
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("EVALUATIE_ROOT", str(REPO))
        return main(["run", "streefcijfers", "--params", str(params_file), "--out", str(out), "--quiet", *extra])


@pytest.fixture(scope="module")
def own_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("own")
    rc = _run(OWN / "studie.yaml", out)
    assert rc == 0, (out / "studie" / "run.json").read_text(encoding="utf-8") if (out / "studie" / "run.json").exists() else rc
    return out / "studie"


@pytest.fixture(scope="module")
def one_date_run(tmp_path_factory):
    """The same agency with only its snapshot of 31/12/2023."""
    tmp = tmp_path_factory.mktemp("one_date")
    df = read_table(OWN / "personeel.csv")
    df[df["peildatum"].astype(str).str.contains("2023")].to_csv(tmp / "personeel_2023.csv", sep=";", index=False)
    params = _own_params() | {"microdata": str(tmp / "personeel_2023.csv")}
    (tmp / "een_peildatum.yaml").write_text(yaml.safe_dump(params, allow_unicode=True), encoding="utf-8")
    rc = _run(tmp / "een_peildatum.yaml", tmp / "out")
    d = tmp / "out" / "een_peildatum"
    assert rc == 0, (d / "run.json").read_text(encoding="utf-8") if (d / "run.json").exists() else rc
    return d


def test_example_only_strings_cover_the_examples():
    s = example_only_strings()
    for word in ("streefcijfers_vlaamse_overheid_2014_2023.csv", "streefcijfers_targets.csv", "personnel.parquet",
                 "Streefcijfers kansengroepen bij de Vlaamse overheid", "Entiteit 01", "Entiteit 75",
                 "Beleidsdomein 01", "streefcijfers_monitoring_voorbeeld_entiteit.csv"):
        assert word in s, word
    assert any(t.startswith("**Kanttekeningen bij de gegevens.**") for t in s)


def test_occurs_is_case_insensitive_and_keeps_numbers_whole():
    assert _occurs("synthetisch", "Synthetische gegevens") and _occurs("Entiteit 01", "entiteit 01.")
    assert not _occurs("Entiteit 01", "Entiteit 010")


def test_own_study_outputs_contain_nothing_of_the_example(own_run):
    found = {(name, s[:60]) for name, text in published_texts(own_run).items() for s in example_only_strings() if _occurs(s, text)}
    assert found == set()


def test_one_date_outputs_contain_nothing_of_the_example(one_date_run):
    found = {(name, s[:60]) for name, text in published_texts(one_date_run).items()
             for s in example_only_strings() if _occurs(s, text)}
    assert found == set()


def test_own_report_is_about_the_organisation_and_says_why_sections_are_left_out(own_run):
    text = _text(own_run)
    assert f"Streefcijfers en kansengroepen — {ORGANISATION}" in text
    assert f"Kansengroepen bij {ORGANISATION}, uit personeelsgegevens" in text
    for sentence in (T.not_applicable("published", who=ORGANISATION), T.not_applicable("targets"),
                     T.not_applicable("one_entity", who=ORGANISATION)):
        assert " ".join(sentence.replace("*", "").split()) in text, sentence
    tables = {p.stem for p in (own_run / "tables").glob("*.csv")}
    assert {"levels", "changes", "growth_path", "gender_balance", "ledger"} <= tables
    assert not tables & {"assessment", "assessment_microdata", "entity_ranking", "tabel1", "backtest", "breaks"}
    assert (own_run / "figures").exists() and any("trends_microdata" in p.name for p in (own_run / "figures").iterdir())


def test_own_report_reads_only_its_file(own_run):
    rec = json.loads((own_run / "run.json").read_text(encoding="utf-8"))
    assert "tests/data/own_targets/personeel.csv" in json.dumps(rec["inputs"])
    assert len(rec["inputs"]) == 1


def test_own_shares_are_those_of_the_file(own_run):
    """The shares follow from the raw file by hand: women = 'V', foreign origin = any of the four
    nationalities not Belgian, low-educated = 'lager' or 'lager secundair' (no level column)."""
    raw = read_table(OWN / "personeel.csv")
    raw["year"] = raw["peildatum"].astype(str).str[-4:].astype(int)
    nat = ["nationaliteit", "eerste_nationaliteit", "nationaliteit_vader", "nationaliteit_moeder"]
    expect = pd.DataFrame({
        "women_total": raw.groupby("year")["geslacht"].apply(lambda s: 100 * (s == "V").mean()),
        "foreign_origin": raw.assign(f=(raw[nat] != "België").any(axis=1)).groupby("year")["f"].mean() * 100,
        "low_educated": raw.assign(f=raw["opleiding"].isin(["lager", "lager secundair"])).groupby("year")["f"].mean() * 100,
    })
    levels = pd.read_csv(own_run / "tables" / "levels.csv").set_index("group")
    for g in expect.columns:
        for y in (2021, 2022, 2023):
            assert levels.at[g, str(y)] == pytest.approx(expect.at[y, g]), (g, y)
    assert levels.at["women_total", "denominator"] == int((raw["year"] == 2023).sum())


def test_one_reference_date_gives_levels_and_says_why_there_is_no_trend(one_date_run):
    text = _text(one_date_run)
    for sentence in (T.not_applicable("one_date", years=[2023]), T.not_applicable("growth_path")):
        assert " ".join(sentence.split()) in text, sentence
    tables = {p.stem for p in (one_date_run / "tables").glob("*.csv")}
    assert "levels" in tables and "changes" not in tables and "growth_path" not in tables
    levels = pd.read_csv(one_date_run / "tables" / "levels.csv")
    assert [c for c in levels.columns if c.isdigit()] == ["2023"]
    assert not any("trends_microdata" in p.name for p in (one_date_run / "figures").glob("*"))


def test_with_a_targets_file_the_organisation_is_judged_on_it(tmp_path):
    """Targets of the organisation's own (dated after its data) are judged on its series; a group
    whose every figure rests on too few persons (disability) gets no verdict."""
    (tmp_path / "doelen.csv").write_text("group_key,group_nl,target_pct,target_date\n"
                                         "foreign_origin,Buitenlandse herkomst,15,2025\n"
                                         "women_middle,Vrouwen in het middenkader,50,2025\n"
                                         "disability_chronic_illness,Handicap,3,2025\n", encoding="utf-8")
    params = _own_params() | {"targets": str(tmp_path / "doelen.csv")}
    (tmp_path / "met_doelen.yaml").write_text(yaml.safe_dump(params, allow_unicode=True), encoding="utf-8")
    assert _run(tmp_path / "met_doelen.yaml", tmp_path / "out") == 0
    d = tmp_path / "out" / "met_doelen"
    ev = pd.read_csv(d / "tables" / "assessment_microdata.csv").set_index("group")
    assert set(ev.index) == {"foreign_origin", "women_middle"}
    assert ev.at["women_middle", "status"] == "reached" and ev.at["foreign_origin", "status"] == "behind"
    assert (ev["target_year"] == 2025).all()
    assert f"Streefcijfers voor {ORGANISATION}" in _text(d) and T.not_applicable("targets") not in _text(d)


def test_without_a_personnel_file_the_run_stops_before_any_kernel(tmp_path):
    """The notebook invents no data: 'microdata' is required, and a study needs nothing else."""
    p = tmp_path / "leeg.yaml"
    p.write_text("organisation: Agentschap Zilverlinde\n", encoding="utf-8")
    with pytest.raises(ParamError) as e:
        load_run(p, notebook="streefcijfers")
    assert "parameter 'microdata' ontbreekt" in str(e.value)
    run = load_run(OWN / "studie.yaml", notebook="streefcijfers")
    assert [Path(x).name for x in run.inputs()] == ["personeel.csv"]


def test_the_smallest_params_file_of_the_readme_runs(tmp_path):
    """Only the file, five columns and the education labels: the groups the file cannot give are
    named in a warning, and the growth path (no origin or disability column) says why it is left out."""
    (tmp_path / "klein.yaml").write_text(
        "microdata: tests/data/own_targets/personeel.csv\n"
        "organisation: Agentschap Zilverlinde\n"
        "microdata_columns: {employee_id: personeelsnummer, date: peildatum, sex: geslacht, birth_date: geboortedatum,"
        " education_level: opleiding}\n"
        "values: {education_level: {hoger: higher, secundair: secondary, lager secundair: lower_secondary,"
        " lager: primary}}\n", encoding="utf-8")
    assert _run(tmp_path / "klein.yaml", tmp_path / "out") == 0
    text = _text(tmp_path / "out" / "klein")
    assert " ".join(T.not_applicable("growth_path_groups").split()) in text
    assert "Niet berekend (kolommen ontbreken)" in text
    levels = pd.read_csv(tmp_path / "out" / "klein" / "tables" / "levels.csv")
    assert set(levels["group"]) == {"women_total", "experienced_55plus", "low_educated", "unqualified_young"}


def test_committed_file_is_what_the_seeded_generator_writes():
    spec = importlib.util.spec_from_file_location("make_study", OWN / "make_study.py")
    gen = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(gen)
    lines = (OWN / "personeel.csv").read_text(encoding="utf-8").splitlines()
    assert lines[0].split(";") == list(gen.COLUMNS)
    assert [tuple(line.split(";")) for line in lines[1:]] == gen.rows()


def test_an_unmapped_label_stops_with_one_problem_per_column_and_no_cell_content():
    par = _own_params()
    df = read_table(OWN / "personeel.csv")
    values = {k: v for k, v in par["values"].items() if k not in ("education_level", "mother_first_nationality")}
    with pytest.raises(DataError) as e:
        P.prepare(df, par["microdata_columns"], file="personeel.csv", values=values, entity_name=ORGANISATION)
    cols = [p.column for p in e.value.problems]
    assert sorted(cols) == ["nationaliteit_moeder", "opleiding"]
    msg = str(e.value)
    assert "4 verschillende onbekende waarden" in msg and "primary, lower_secondary, secondary of higher" in msg
    assert "parameter 'values'" in msg and "{education_level: {waarde in het bestand: code}}" in msg
    for label in ("hoger", "secundair", "Marokko", "Nederland", "Turkije"):
        assert label not in msg


def test_a_bad_values_mapping_is_named_before_the_file_is_read():
    assert T.check_values({"education_level": {"hoger": "higher"}, "sex": {"vrouw": "F"}}) == []
    wrong = T.check_values({"opleiding": {"hoger": "higher"}, "education_level": {"hoger": "hoog"},
                            "nationality": {"Marokko": "MAR"}, "disability_category": {"geen": 0, "zwaar": 9}})
    assert len(wrong) == 4
    assert "kan alleen voor sex" in wrong[0]
    assert "hoog is geen standaardcode" in wrong[1] and "MAR is geen standaardcode" in wrong[2]
    assert "9 is geen standaardcode" in wrong[3]


def test_a_file_without_entity_column_needs_one_or_says_which_column_is_missing():
    df = read_table(OWN / "personeel.csv")
    par = _own_params()
    with pytest.raises(DataError) as e:
        P.prepare(df, par["microdata_columns"], values=par["values"])
    assert "kolom 'entity'" in str(e.value)
    with pytest.raises(DataError) as e:
        P.prepare(df, {**par["microdata_columns"], "entity": "dienst"}, values=par["values"], entity_name="X")
    assert "kolom 'dienst'" in str(e.value)


def test_entity_values_of_a_file_without_entity_column_and_of_the_example():
    assert T.entity_values(_own_params()) == [ORGANISATION]
    assert T.entity_values({"microdata": str(OWN / "personeel.csv")}) == [T.DEFAULT_ENTITY]
    ex = yaml.safe_load(EXAMPLE_PARAMS[0].read_text(encoding="utf-8"))["parameters"]
    got = T.entity_values(ex)
    assert len(got) == 75 and got[0] == "Entiteit 01"


def test_by_entity_on_the_own_study_runs_the_overview_and_the_one_entity(tmp_path):
    assert _run(OWN / "studie.yaml", tmp_path, "--by", "entity") == 0
    runs = sorted(p.name for p in tmp_path.iterdir() if p.is_dir())
    assert runs == ["studie", "studie-agentschap-zilverlinde"]
    a = pd.read_csv(tmp_path / "studie" / "tables" / "levels.csv")
    b = pd.read_csv(tmp_path / "studie-agentschap-zilverlinde" / "tables" / "levels.csv")
    pd.testing.assert_frame_equal(a, b)


# --------------------------------------------------------------------------- example numbers, pinned

@pytest.fixture(scope="module")
def example_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("example")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("EVALUATIE_ROOT", str(REPO))
        assert main(["run", "--params", str(EXAMPLE_PARAMS[0]), "--out", str(out), "--quiet"]) == 0
    return out / "streefcijfers" / "tables"


def test_example_assessment_numbers_are_unchanged(example_run):
    """From the example report's tables of 4 December 2026 (before the notebook was made neutral)."""
    a = pd.read_csv(example_run / "assessment.csv").set_index(["group", "target_year"])
    pinned = {("women_top", 2015): (25.6, "behind"), ("women_middle", 2015): (33.7, "reached"),
              ("migration_background", 2015): (4.4, "reached"), ("disability_chronic_illness", 2015): (1.3, "behind"),
              ("women_top", 2020): (29.7, "behind"), ("women_middle", 2020): (39.4, "behind"),
              ("foreign_origin", 2020): (11.5, "reached"), ("disability_chronic_illness", 2020): (2.3, "behind")}
    for key, (share, status) in pinned.items():
        assert a.at[key, "last_share_pct"] == pytest.approx(share) and a.at[key, "status"] == status, key
    assert a.at[("women_middle", 2020), "trend_pp_per_year"] == pytest.approx(1.13)


def test_example_personnel_numbers_are_unchanged(example_run):
    counts = pd.read_csv(example_run / "entity_status_counts.csv").set_index("group")
    assert counts.columns.tolist() == ["behaald", "geen cijfer 2020", "niet gehaald", "niet beoordeeld"]
    assert counts.loc["disability_chronic_illness"].tolist() == [15, 6, 41, 13]
    assert counts.loc["foreign_origin"].tolist() == [53, 1, 19, 2]
    # every group with a 2020 target has its row, each adding up to the 75 entities of the file
    assert counts.loc["women_top"].tolist() == [0, 0, 0, 75] and (counts.sum(axis=1) == 75).all()
    micro = pd.read_csv(example_run / "assessment_microdata.csv").set_index("group")
    assert micro.at["women_top", "last_share_pct"] == pytest.approx(29.87012987012987)
    assert micro.at["foreign_origin", "trend_pp_per_year"] == pytest.approx(0.7012951786150193)
    gender = pd.read_csv(example_run / "gender_balance.csv").set_index(["group", "verdict"])["entities"]
    assert gender[("women_total", "evenwichtig")] == 67 and gender[("women_middle", "niet getoond (kleine aantallen)")] == 55
    growth = pd.read_csv(example_run / "growth_path.csv").set_index(["group", "year"])
    assert growth.loc[("disability_chronic_illness", 2019), ["met", "not_met", "unknown"]].tolist() == [35, 12, 28]


def _section(page: BeautifulSoup, heading: str) -> str:
    """The text of the h2 section ``heading`` of a report page, up to the next h2."""
    h = next(h for h in page.find_all("h2") if h.get_text(" ", strip=True).startswith(heading))
    parts = []
    for el in h.find_all_next():
        if el.name == "h2":
            break
        if el.name in ("p", "li", "dt", "dd"):
            parts.append(el.get_text(" ", strip=True))
    return " ".join(" ".join(parts).split())


def test_example_method_section_states_the_assumption_with_the_backtest_coverage(example_run):
    """The method section says the intervals assume independent yearly deviations, with the coverage the
    backtest computed (the share of covered projections in tables/backtest.csv) beside the nominal 95%."""
    from evaluatie.core import fmt
    from report_checks import report_page
    page = report_page(example_run.parent)
    method = _section(page, "Werkwijze")
    assert " ".join(T.INTERVAL_ASSUMPTION.replace("**", "").split()) in method
    bt = pd.read_csv(example_run / "backtest.csv")
    coverage = fmt.prop(bt["covered"].mean(), 1)
    assert f"(hierboven, {len(bt)} projecties) bevatten de 95%-voorspellingsintervallen {coverage} van de later gemeten cijfers, " \
           "tegenover de nominale 95%." in method
    summary = pd.read_csv(example_run / "backtest_summary.csv")  # per group; the method text gives all together
    assert bt["covered"].mean() == pytest.approx((summary["pi_coverage"] * summary["n_projections"]).sum() / len(bt))


def test_example_reader_text_one_convention_one_name_no_identifiers(example_run):
    from report_checks import report_page
    from evaluatie.publish.glossary import SIGN_CONVENTION
    page = report_page(example_run.parent)
    text = " ".join(page.get_text(" ").split())
    reader = text[:text.rfind("Herkomst van dit rapport")]
    assert reader.count(SIGN_CONVENTION) == 1
    assert "Nog te gaan" not in reader and "Kloof (pp)" in reader
    for old in ("aaggeschoold", "Kortgeschoold ", "Kortgeschoolde medewerkers", "Handicap/chronische ziekte",
                "no_figure_at_target_date", "in de CSV", "parameter", "entity_assessment", "71,00%"):
        assert old not in reader, old
    glossary = _section(page, "Begrippen")
    assert "Streefcijfer" in glossary and "Meetreeks" in glossary and "Kloof" in glossary
    # the status counts say why a group lists fewer entities than the file has
    assert "Elke rij telt alle 75 entiteiten van het personeelsbestand. Niet beoordeeld:" in reader
