"""`evaluatie new ANALYSIS --data FILE`: the guessers on small frames, the commented YAML it
writes, its exit codes, and end to end: `new` then `run` on an own-data study (issue 14, item 5)."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
import yaml
from openpyxl import Workbook

from evaluatie.intake.guess import assign, name_score, norm_name, one_line, profile
from evaluatie.run.cli import main
from evaluatie.run.new import read_tables, render, scalar
from evaluatie.run.propose import Entry, Proposal, Table, propose, reference_group

REPO = Path(__file__).resolve().parents[1]
OWN_CORRESPONDENCE = REPO / "tests" / "data" / "own_correspondence" / "studie.xlsx"


@pytest.fixture
def at_repo(monkeypatch):
    monkeypatch.setenv("EVALUATIE_ROOT", str(REPO))


def _proposal(analysis: str, df: pd.DataFrame, path: str = "x.csv") -> Proposal:
    return propose(analysis, [Table(df, path)])


def _entry(p: Proposal, key: str) -> Entry:
    return next(e for e in p.entries if e.key == key)


# --------------------------------------------------------------------------- guessing columns


def test_names_compare_without_accents_case_spaces_or_punctuation():
    assert norm_name(" Vacature Nr. ") == norm_name("vacature_nr") == "vacaturenr"
    assert norm_name("Geboorte-datum") == norm_name("GEBOORTEDATUM")
    assert norm_name("Financiële steun") == "financielesteun"
    assert name_score("Vacature Nr.", ["vacature nr"]) == (1.0, "naam lijkt op 'vacature nr'")
    assert name_score("id_vacature", ["vacature"])[0] == 0.7
    assert name_score("geslact", ["geslacht"])[0] == 0.6  # a typo
    assert name_score("sector", ["vacature", "groep"]) is None
    # word by word: the synonym that covers more of the name fits better
    assert name_score("Voorzien op begroting 2018", ["voorzien op begroting"])[0] == pytest.approx(0.9)
    assert name_score("Voorzien op begroting TOM 2018", ["voorzien op begroting"])[0] == pytest.approx(0.8)
    assert name_score("Voorzien op begroting TOM 2018", ["voorzien op begroting tom"])[0] == pytest.approx(0.9)
    assert name_score("handicapcategorie", ["handicap"])[0] == 0.6


def test_profile_reads_the_kind_of_content():
    kinds = {
        "ja/nee": (pd.Series(["ja", "Nee", "ja", "JA"]), "bool", "ja/nee-waarden"),
        "0/1": (pd.Series([0, 1, 1, 0]), "bool", "0/1-waarden"),
        "datums": (pd.Series(["31/12/2021", "31/12/2022", None]), "date", "datums (2 verschillende)"),
        "sleutel": (pd.Series([f"R{i}" for i in range(40)]), "key", "unieke waarden (een sleutel)"),
        "herhaald": (pd.Series([f"V{i // 2}" for i in range(40)]), "key", "herhaalde sleutels"),
        "categorie": (pd.Series(["bouw", "zorg", "bouw", "logistiek"]), "category", "3 verschillende waarden"),
        "bedrag": (pd.Series([1.5, 2.25, 3.0, 10.75]), "number", "getallen"),
        "tekst": (pd.Series([f"antwoord nummer {i} met uitleg" for i in range(30)]), "text", "vrije tekst"),
    }
    for name, (s, kind, evidence) in kinds.items():
        pr = profile(s.rename(name))
        assert (pr.kind, pr.evidence.startswith(evidence)) == (kind, True), name
    assert profile(pd.Series([None, " "], name="leeg")).kind == "empty"
    assert profile(pd.Series(["b", "a", "b"], name="x")).labels == ("b", "a")  # most frequent first


def test_evidence_names_counts_never_a_cell():
    secret = [f"Jan Janssens {i}" for i in range(20)] * 2
    pr = profile(pd.Series(secret, name="naam"))
    assert "Janssens" not in pr.evidence


def test_assign_is_one_to_one_and_leaves_a_tie_undecided():
    scores = {"vacancy": {"vac": (1.0, "a"), "nr": (0.5, "b")},
              "application": {"vac": (0.9, "c"), "nr": (0.5, "d")},
              "group": {"g1": (0.7, "e"), "g2": (0.7, "f")}}
    out = assign(scores)
    assert out.chosen == {"vacancy": ("vac", "a"), "application": ("nr", "d")}
    assert out.ties == {"group": ["g1", "g2"]}


def test_one_line_removes_line_breaks_and_control_characters():
    assert one_line("a\nb\r\tc\x1b[31m\u2028d") == "a b c [31m d"


# --------------------------------------------------------------------------- correspondence test


def test_reference_group_from_labels_that_look_like_one():
    assert reference_group(["Turkse naam", "Belgische naam"]) == "Belgische naam"
    assert reference_group(["vrouw", "man"]) == "man"
    assert reference_group(["met handicap", "zonder handicap"]) == "zonder handicap"
    assert reference_group(["groep A", "groep B"]) is None
    assert reference_group(["Belgische naam", "man"]) is None  # two candidates: no choice


def _applications(groups=("Belgische naam", "Marokkaanse naam"), outcome=("ja", "nee")) -> pd.DataFrame:
    rows = []
    for v in range(30):
        for k, g in enumerate(groups):
            rows.append({"Vacature ID": f"V{v:02d}", "Kandidaat profiel": g, "Antwoord werkgever": outcome[(v + k) % 2],
                         "Sector": ["bouw", "zorg"][v % 2]})
    return pd.DataFrame(rows)


def test_correspondence_columns_from_names_and_content_without_a_ground_column():
    p = _proposal("correspondentietest", _applications())
    assert p.params()["columns"] == {"vacancy": "Vacature ID", "group": "Kandidaat profiel",
                                     "outcome": "Antwoord werkgever"}
    assert p.params()["ground"] == "herkomst"
    assert p.params()["reference_groups"] == {"herkomst": "Belgische naam"}
    assert "values" not in p.params()  # ja/nee is read as it is
    assert _entry(p, "heterogeneity").commented and _entry(p, "heterogeneity").value == ["Sector"]
    evidence = {std: ev for _, _, std, ev in p.guesses}
    assert "herhaalde sleutels" in evidence["vacancy"] and "ja/nee-waarden" in evidence["outcome"]


def test_correspondence_outcome_labels_get_a_value_mapping_and_undecided_labels_a_todo():
    df = _applications(outcome=("uitgenodigd", "geen reactie"))
    df.loc[0, "Antwoord werkgever"] = "telefoon"
    p = _proposal("correspondentietest", df)
    values = _entry(p, "values")
    assert values.value == {"outcome": {"uitgenodigd": 1, "geen reactie": 0}}
    assert any("'telefoon'" in t for t in values.todo)


def test_correspondence_reference_group_todo_lists_the_groups_when_none_looks_like_one():
    p = _proposal("correspondentietest", _applications(groups=("profiel A", "profiel B")))
    ref = _entry(p, "reference_groups")
    assert ref.commented and "reference_groups" not in p.params()
    assert ground_todo(p) and "'profiel A', 'profiel B'" in " ".join(ref.todo)


def ground_todo(p: Proposal) -> bool:
    return _entry(p, "ground").commented and bool(_entry(p, "ground").todo)


def test_correspondence_two_label_columns_tie_into_a_todo():
    df = _applications()
    df["Profiel"] = df["Kandidaat profiel"]
    df = df.drop(columns=["Kandidaat profiel"])
    df["Conditie"] = df["Profiel"]
    p = _proposal("correspondentietest", df)
    assert "group" not in p.params()["columns"]
    assert any("'Profiel', 'Conditie'" in t or "'Conditie', 'Profiel'" in t for t in _entry(p, "columns").todo)


# --------------------------------------------------------------------------- survey


def _answers(n: int = 40) -> pd.DataFrame:
    akkoord = ["helemaal niet akkoord", "niet akkoord", "neutraal", "akkoord", "helemaal akkoord", "weet niet"]
    freq = ["nooit", "soms", "vaak", "altijd"]
    return pd.DataFrame({
        "resp": range(1, n + 1),
        "v1": [akkoord[i % 6] for i in range(n)],
        "v2": [akkoord[i % 5].replace("akkoord", "akord") if i % 5 == 4 else akkoord[i % 5] for i in range(n)],
        "v3": [freq[i % 4] for i in range(n)],
        "v4": [freq[(i + 1) % 4] for i in range(n)],
        "aanraden": [["ja", "nee", "weet niet"][i % 3] for i in range(n)],
        "regio": [["Antwerpen", "Limburg", "Gent"][i % 3] for i in range(n)],
    })


def test_survey_recognises_builtin_scales_own_scales_yes_no_and_breakdowns():
    p = _proposal("survey_evaluatie", _answers())
    items = p.params()["items"]
    assert items["v1"] == {"scale": "akkoord", "label": "v1"}
    assert _entry(p, "items").notes["v1"] == "5 antwoordlabels van een akkoord-schaal (en 'weet niet')"
    assert items["v2"]["scale"] == "akkoord"  # four labels fit, the misspelt one is mapped
    assert p.params()["values"] == {"v2": {"helemaal akord": "helemaal akkoord"}}
    assert items["v3"] == {"scale": "schaal_1", "label": "v3"} and items["v4"]["scale"] == "schaal_1"
    assert p.params()["scales"] == {"schaal_1": ["nooit", "soms", "vaak", "altijd"]}
    assert any("volgorde van schaal_1" in t for t in p.todos)  # no SPSS codes: check the order
    assert p.params()["yes_no"] == {"aanraden": "aanraden"}
    assert _entry(p, "breakdowns").commented and _entry(p, "breakdowns").value == {"regio": "regio"}
    assert "resp" not in items and _entry(p, "title").todo
    assert any(c == "resp" and role == "niet gebruikt" for _, c, role, _ in p.guesses)


def test_survey_answers_ranked_by_their_words_and_hedged_labels_mapped_to_the_point_they_name():
    labels = ["Goed", "Eerder slecht", "Zeer goed", "Slecht", "Eerder goed", "Zeer slecht"]
    p = _proposal("survey_evaluatie", pd.DataFrame({"a": labels * 3, "b": labels[::-1] * 3}))
    assert p.params()["scales"] == {"schaal_1": ["Zeer slecht", "Slecht", "Eerder slecht", "Eerder goed", "Goed",
                                                 "Zeer goed"]}
    freq = ["altijd", "soms", "nooit", "vaak", "zelden"]
    p = _proposal("survey_evaluatie", pd.DataFrame({"c": freq * 3, "d": freq[::-1] * 3}))
    assert p.params()["scales"]["schaal_1"] == ["nooit", "zelden", "soms", "vaak", "altijd"]
    eens = ["Helemaal oneens", "Oneens", "Eerder oneens", "Eerder eens", "Eens", "Helemaal eens"]
    p = _proposal("survey_evaluatie", pd.DataFrame({"e": eens * 3}))
    assert p.params()["items"]["e"]["scale"] == "akkoord"
    assert p.params()["values"] == {"e": {"Eerder oneens": "niet akkoord", "Eerder eens": "akkoord"}}


def test_survey_orders_an_own_scale_by_its_spss_codes_and_labels_items_by_the_variable_label():
    df = pd.DataFrame({"k1": ["matig", "goed", "slecht", "goed"], "k2": ["goed", "slecht", "matig", "matig"]})
    df.attrs["value_labels"] = {c: {1: "slecht", 2: "matig", 3: "goed"} for c in ("k1", "k2")}
    df.attrs["variable_labels"] = {"k1": "Kwaliteit van de begeleiding"}
    p = _proposal("survey_evaluatie", df)
    assert p.params()["scales"] == {"schaal_1": ["slecht", "matig", "goed"]}
    assert p.params()["items"]["k1"]["label"] == "Kwaliteit van de begeleiding"
    assert not any("volgorde" in t for t in p.todos)


# --------------------------------------------------------------------------- streefcijfers


def _personnel() -> pd.DataFrame:
    rows = []
    for year in (2022, 2023):
        for i in range(30):
            rows.append({"Stamnummer": f"P{i:03d}", "Peildatum": f"31/12/{year}", "Geslacht": "VM"[i % 2],
                         "Geboortedatum": f"{1 + i % 28:02d}/0{1 + i % 9}/{1960 + i}",
                         "Opleidingsniveau": ["hoger", "secundair", "lager secundair", "basisonderwijs"][i % 4],
                         "Nationaliteit": ["België", "Marokko", "Nederland"][i % 3], "Niveau": "ABCD"[i % 4]})
    return pd.DataFrame(rows)


def test_targets_maps_columns_and_dutch_labels_to_the_standard_codes():
    p = _proposal("streefcijfers", _personnel())
    assert p.params()["microdata_columns"] == {
        "employee_id": "Stamnummer", "date": "Peildatum", "sex": "Geslacht", "birth_date": "Geboortedatum",
        "education_level": "Opleidingsniveau", "nationality": "Nationaliteit", "level": "Niveau"}
    assert p.params()["values"] == {
        "education_level": {"hoger": "higher", "secundair": "secondary", "lager secundair": "lower_secondary",
                            "basisonderwijs": "primary"},
        "nationality": {"Marokko": "MA", "Nederland": "NL"}}  # België and V/M are read as they are
    organisation = _entry(p, "organisation")  # no entity column: the file is about the organisation
    assert organisation.commented and "geen kolom met de entiteit" in organisation.todo[0]


def test_targets_labels_without_a_known_code_become_a_todo():
    df = _personnel()
    df["Opleidingsniveau"] = df["Opleidingsniveau"].replace({"basisonderwijs": "andere"})
    p = _proposal("streefcijfers", df)
    assert "andere" not in p.params()["values"]["education_level"]
    assert any("'andere'" in t and "primary" in t for t in p.todos)


# --------------------------------------------------------------------------- action plan


def test_actionplan_recognises_each_sheet_of_a_workbook(tmp_path, at_repo, capsys):
    wb = Workbook()
    ws = wb.active
    ws.title = "Planning"
    ws.append(("Groep", "Actie", "Werkdagen", "Budget"))
    ws.append(("Opleiden", "Workshop", 3, 1200))
    ws.append(("Opleiden", "Coaching", 2, 800))
    ws2 = wb.create_sheet("Engagementen")
    ws2.append(("Sectie", "Indicator", "Streefwaarde", "Eenheid", "Periode"))
    ws2.append(("4.1", "Deelnemers", 40, "personen", "2024-2025"))
    wb.save(tmp_path / "plan.xlsx")
    assert main(["new", "actieplan_opvolging", "--data", str(tmp_path / "plan.xlsx")]) == 0
    doc = yaml.safe_load((tmp_path / "plan.yaml").read_text(encoding="utf-8"))
    assert doc["planning"] == doc["commitments"] == (tmp_path / "plan.xlsx").as_posix()
    assert doc["sheets"] == {"planning": "Planning", "commitments": "Engagementen"}
    assert doc["columns"]["planning"] == {"group": "Groep", "action": "Actie", "days": "Werkdagen",
                                          "budget_eur": "Budget"}
    assert doc["columns"]["commitments"]["target_value"] == "Streefwaarde"
    assert "parts" not in doc  # the notebook derives them from the tables given
    assert "'Werkdagen' -> days" in capsys.readouterr().out


def test_actionplan_status_words_map_to_status_codes():
    df = pd.DataFrame({"Nr.": [1, 2, 3, 4], "Prioriteit": ["a", "a", "b", "b"], "Actie": ["w", "x", "y", "z"],
                       "Stand": ["afgerond", "Lopend", "geschrapt", "wacht op akkoord"],
                       "Voorzien": [10, 20, 30, 40], "Uitgegeven": [5, 20, 0, 0]})
    p = _proposal("actieplan_opvolging", df)
    assert p.params()["columns"] == {"budget": {"priority_no": "Nr.", "priority": "Prioriteit", "action": "Actie",
                                                "status": "Stand", "planned_eur": "Voorzien",
                                                "spent_eur": "Uitgegeven"}}
    assert p.params()["values"] == {"budget": {"status": {"afgerond": "done", "geschrapt": "not_done"}}}
    assert any("'wacht op akkoord'" in t and "not_done (Niet uitgevoerd)" in t for t in p.todos)


def test_actionplan_category_labels_the_schema_does_not_read_become_a_todo():
    df = pd.DataFrame({"Soort rij": ["groep", "subtotaal", "totaal"], "Groep": ["a", "b", None],
                       "Werkdagen": [1.0, 2.0, 3.0], "Budget": [10.0, 20.0, 30.0]})
    p = _proposal("actieplan_opvolging", df)
    assert p.params()["columns"] == {"planning_totals": {"row_type": "Soort rij", "group": "Groep", "days": "Werkdagen",
                                                         "budget_eur": "Budget"}}
    values = _entry(p, "values")
    assert values.commented and values.todo == [
        "'row_type' in x.csv (kolom 'Soort rij'): geef voor 'subtotaal' een van: group, total"]


# --------------------------------------------------------------------------- the YAML written


HOSTILE = ["a: b # c", "regel\nnieuwe regel", "yes", "-", '"aanhalingsteken"', "lijn\u2028scheiding",
           "tab\tteken", "null", "1,5", "€ 100", "#hekje", "Financiële", "  spaties  ", "[x]", "{y}", "\x07bel"]


@pytest.mark.parametrize("text", HOSTILE)
def test_a_scalar_reads_back_as_the_same_text_on_one_line(text):
    s = scalar(text)
    assert "\n" not in s and "\u2028" not in s
    assert yaml.safe_load(f"k: {s}  # opmerking") == {"k": text}


def test_the_written_file_is_valid_commented_yaml_with_hostile_names_and_labels():
    entries = [Entry("columns", {"vacancy": HOSTILE[0], "group": HOSTILE[1]}, "kolommen",
                     notes={"vacancy": "naam lijkt op 'x'\n# geen commentaar meer", "group": HOSTILE[5]}),
               Entry("values", {"outcome": {t: i % 2 for i, t in enumerate(HOSTILE)}}, "waarden",
                     todo=["kies\nnotebook: iets anders"]),
               Entry("title", "", "titel", commented=True, todo=["geef de titel"])]
    p = Proposal("correspondentietest", entries)
    text = render(p, ["bestand\nmet: regel"])
    assert yaml.safe_load(text) == {"notebook": "correspondentietest", **p.params()}
    comments = [l for l in text.splitlines() if l.lstrip().startswith("#")]
    assert "# TODO: kies notebook: iets anders" in comments and "# TODO: geef de titel" in comments
    assert "# title: \"\"" in comments and "# kolommen" in comments
    assert "  vacancy: \"a: b # c\"  # naam lijkt op 'x' # geen commentaar meer" in text.splitlines()


# --------------------------------------------------------------------------- the command


def test_default_output_next_to_the_data_and_force(tmp_path, at_repo, capsys):
    data = tmp_path / "meting.xlsx"
    data.write_bytes(OWN_CORRESPONDENCE.read_bytes())
    assert main(["new", "correspondentietest", "--data", str(data)]) == 0
    out = capsys.readouterr().out
    target = tmp_path / "meting.yaml"
    assert target.is_file() and f"evaluatie run correspondentietest --params {target}" in out
    assert "'vacature' -> vacancy  (naam lijkt op 'vacature'; herhaalde sleutels" in out
    target.write_text("# mijn eigen bestand\n", encoding="utf-8")
    assert main(["new", "correspondentietest", "--data", str(data)]) == 2
    assert "bestaat al" in capsys.readouterr().err and target.read_text(encoding="utf-8") == "# mijn eigen bestand\n"
    assert main(["new", "correspondentietest", "--data", str(data), "--force"]) == 0
    assert yaml.safe_load(target.read_text(encoding="utf-8"))["columns"]["vacancy"] == "vacature"


def test_unknown_analysis_gets_a_suggestion_and_writes_nothing(tmp_path, at_repo, capsys):
    data = tmp_path / "meting.xlsx"
    data.write_bytes(OWN_CORRESPONDENCE.read_bytes())
    assert main(["new", "correspondentietets", "--data", str(data)]) == 2
    assert "bedoelde u 'correspondentietest'?" in capsys.readouterr().err
    assert not (tmp_path / "meting.yaml").exists()


def test_unreadable_or_missing_input_exits_2_without_quoting_a_cell(tmp_path, at_repo, capsys):
    bad = tmp_path / "kapot.csv"
    bad.write_text("vacature;groep;reactie\nV1;GEHEIM-LABEL;ja;extra\nV2;b\n", encoding="utf-8")
    assert main(["new", "correspondentietest", "--data", str(bad)]) == 2
    err = capsys.readouterr().err
    assert "kapot.csv" in err and "GEHEIM" not in err and not (tmp_path / "kapot.yaml").exists()
    assert main(["new", "correspondentietest", "--data", str(tmp_path / "weg.csv")]) == 2
    assert "bestaat niet" in capsys.readouterr().err


def test_a_file_the_checker_refuses_exits_1_and_stays(tmp_path, at_repo, capsys):
    df = _applications(groups=("profiel A", "profiel B"))
    df.to_csv(tmp_path / "ab.csv", index=False, sep=";")
    assert main(["new", "correspondentietest", "--data", str(tmp_path / "ab.csv")]) == 1
    out = capsys.readouterr().out
    assert "parameter 'reference_groups' ontbreekt" in out and "TODO" in out
    assert (tmp_path / "ab.yaml").is_file()


def test_end_to_end_own_correspondence_study_new_then_run(tmp_path, at_repo, capsys):
    """The own study of tests/data/own_correspondence: `new` proposes every column and both
    reference groups; `run` makes the report on the first try, with nothing filled in."""
    params = tmp_path / "mijn_meting.yaml"
    assert main(["new", "correspondentietest", "--data", str(OWN_CORRESPONDENCE), "-o", str(params)]) == 0
    doc = yaml.safe_load(params.read_text(encoding="utf-8"))
    assert doc["reference_groups"] == {"herkomst": "Belgische naam", "geslacht": "man"}
    out = tmp_path / "out"
    rc = main(["run", "correspondentietest", "--params", str(params), "-p", "bootstrap=49", "--out", str(out),
               "--quiet"])
    run = json.loads((out / "mijn_meting" / "run.json").read_text(encoding="utf-8"))
    assert rc == 0, run.get("error")
    assert (out / "mijn_meting" / "report.html").is_file()


def test_actionplan_workbook_gets_the_mapping_written_by_hand_for_the_tests(tmp_path, at_repo, capsys):
    """data/raw/actieplannen.xlsx (Dutch headers, one table per sheet) against the column mapping
    and sheets of params/test/actieplan_*_xlsx.yaml, written by hand."""
    by_hand = {"columns": {}, "sheets": {}}
    for f in ("actieplan_budget2018_xlsx.yaml", "actieplan_mtech2024_xlsx.yaml"):
        par = yaml.safe_load((REPO / "params" / "test" / f).read_text(encoding="utf-8"))["parameters"]
        for key in by_hand:
            by_hand[key].update(par[key])
    target = tmp_path / "plan.yaml"
    assert main(["new", "actieplan_opvolging", "--data", str(REPO / "data" / "raw" / "actieplannen.xlsx"),
                 "-o", str(target)]) == 0
    doc = yaml.safe_load(target.read_text(encoding="utf-8"))
    assert {t: doc["columns"][t] for t in by_hand["columns"]} == by_hand["columns"]
    assert {t: doc["sheets"][t] for t in by_hand["sheets"]} == by_hand["sheets"]
    assert all(doc[t] == "data/raw/actieplannen.xlsx" for t in by_hand["sheets"])
    assert [t for t in capsys.readouterr().out.splitlines() if t.startswith("  - ")] == [
        "  - geef de titel van het rapport (en haal het #-teken weg)"]


def test_two_files_are_two_waves_with_a_todo_for_their_names():
    first, second = _applications(), _applications()
    p = propose("correspondentietest", [Table(first, "nul.csv"), Table(second, "vervolg.csv")])
    assert p.params()["data"] == "nul.csv" and p.params()["data_followup"] == "vervolg.csv"
    assert _entry(p, "waves").todo and p.params()["waves"] == ["nulmeting", "vervolgmeting"]


def test_end_to_end_spss_survey_new_then_run(tmp_path, at_repo, capsys):
    """An SPSS file with value and variable labels (tests/data/survey.sav): `new` finds the
    satisfaction item (with 'weet niet' apart), the yes/no question and two breakdowns, labelled
    by their SPSS variable labels; `run` makes the report with nothing filled in."""
    params = tmp_path / "bevraging.yaml"
    assert main(["new", "survey_evaluatie", "--data", str(REPO / "tests" / "data" / "survey.sav"),
                 "-o", str(params)]) == 0
    doc = yaml.safe_load(params.read_text(encoding="utf-8"))
    assert doc["items"] == {"satisfaction": {"scale": "tevredenheid", "label": "Tevredenheid over de ondersteuning"}}
    assert doc["yes_no"] == {"recommend": "Zou de maatregel aanraden"}
    assert "#   plan_type: Soort plan" in params.read_text(encoding="utf-8")
    out = tmp_path / "out"
    rc = main(["run", "survey_evaluatie", "--params", str(params), "--out", str(out), "--quiet"])
    assert rc == 0, json.loads((out / "bevraging" / "run.json").read_text(encoding="utf-8")).get("error")


def test_more_files_than_the_analysis_reads_exit_2(tmp_path, at_repo, capsys):
    data = str(OWN_CORRESPONDENCE)
    assert main(["new", "correspondentietest", "--data", data, "--data", data, "--data", data,
                 "-o", str(tmp_path / "x.yaml")]) == 2
    assert "hoogstens 2 gegevensbestanden" in capsys.readouterr().err and not (tmp_path / "x.yaml").exists()


def test_survey_numeric_answer_codes_ask_for_their_scale_and_free_text_is_an_open_question():
    df = pd.DataFrame({"v9": [1, 2, 3, 4, 5, 3, 2] * 3, "jaar": [2010, 2011, 2012, 2013, 2010, 2011, 2012] * 3,
                       "opmerking": [f"een langere opmerking nummer {i}" for i in range(21)]})
    p = _proposal("survey_evaluatie", df)
    assert p.params()["items"] == {} and any("'v9' heeft 5 getallen" in t for t in p.todos)
    assert not any("'jaar'" in t for t in p.todos)  # years are no answer codes
    assert _entry(p, "open_question").commented and _entry(p, "open_question").value == "opmerking"


def test_an_output_folder_that_does_not_exist_exits_2(tmp_path, at_repo, capsys):
    assert main(["new", "correspondentietest", "--data", str(OWN_CORRESPONDENCE),
                 "-o", str(tmp_path / "geen_map" / "x.yaml")]) == 2
    assert "kan niet geschreven worden" in capsys.readouterr().err


def test_hostile_column_names_stay_text_in_the_file_and_on_the_terminal(tmp_path, at_repo, capsys):
    df = _applications().rename(columns={"Vacature ID": "Vacature\x1b[2J ID", "Sector": "Sector\nnotebook: x # y"})
    df.to_csv(tmp_path / "vijandig.csv", index=False, sep=";")
    main(["new", "correspondentietest", "--data", str(tmp_path / "vijandig.csv")])
    out = capsys.readouterr().out
    assert "\x1b" not in out and "'Vacature [2J ID' -> vacancy" in out
    doc = yaml.safe_load((tmp_path / "vijandig.yaml").read_text(encoding="utf-8"))
    assert doc["notebook"] == "correspondentietest" and doc["columns"]["vacancy"] == "Vacature\x1b[2J ID"


# --------------------------------------------------------------------------- the own-data studies, new -> run


def _new_then_run(analysis: str, data: list[Path], tmp_path: Path, name: str) -> dict:
    """`evaluatie new` on the data, then `evaluatie run` on exactly the file it wrote; returns
    the parameters it wrote (the run must succeed on the first try)."""
    params = tmp_path / f"{name}.yaml"
    args = ["new", analysis, *[a for d in data for a in ("--data", str(d))], "-o", str(params)]
    assert main(args) == 0
    out = tmp_path / "out"
    rc = main(["run", analysis, "--params", str(params), "--out", str(out), "--quiet"])
    assert rc == 0, json.loads((out / name / "run.json").read_text(encoding="utf-8")).get("error")
    assert (out / name / "report.html").is_file()
    return yaml.safe_load(params.read_text(encoding="utf-8"))


def _by_hand(study: str) -> dict:
    return yaml.safe_load((REPO / "tests" / "data" / study / "studie.yaml").read_text(encoding="utf-8"))


def test_end_to_end_own_survey_study(tmp_path, at_repo, capsys):
    """tests/data/own_survey (CSV, an own four-point scale, 'Eerder eens'/'Eerder oneens' on an
    agreement scale): `new` proposes the scales, items and values its authors wrote by hand, and
    the report comes out with nothing filled in."""
    doc = _new_then_run("survey_evaluatie", [REPO / "tests" / "data" / "own_survey" / "personeelsbevraging.csv"],
                        tmp_path, "bevraging")
    hand = _by_hand("own_survey")
    lower = lambda scales: [[label.lower() for label in points] for points in scales.values()]
    assert lower(doc["scales"]) == lower(hand["scales"])  # in the file's own spelling
    assert {c: i["scale"] for c, i in doc["items"].items()} == {
        c: ("schaal_1" if i["scale"] == "oordeel" else i["scale"]) for c, i in hand["items"].items()}
    assert doc["values"] == hand["values"] and set(doc["yes_no"]) == set(hand["yes_no"])


def test_end_to_end_own_actionplan_study(tmp_path, at_repo, capsys):
    """tests/data/own_actionplan (one workbook, a budget and a planning sheet, Dutch headers and
    status words): `new` proposes the sheets, columns and status codes written by hand, and the
    report comes out with nothing filled in."""
    doc = _new_then_run("actieplan_opvolging", [REPO / "tests" / "data" / "own_actionplan" / "studie.xlsx"],
                        tmp_path, "plan")
    hand = _by_hand("own_actionplan")
    assert (doc["budget"], doc["planning"], doc["sheets"]) == (hand["budget"], hand["planning"], hand["sheets"])
    assert doc["columns"] == hand["columns"]
    by_hand_status = hand["values"]["budget"]["status"]
    assert doc["values"]["budget"]["status"] == {k: v for k, v in by_hand_status.items()
                                                  if k not in ("lopend", "uitgesteld")}  # read as they are


def test_end_to_end_own_targets_study(tmp_path, at_repo, capsys):
    """tests/data/own_targets (CSV, Dutch names and labels, country names, N/N-1/N-2, no entity
    column): `new` proposes the column mapping written by hand and its value mappings (less the
    labels the analysis reads as they are: België, geen), and the report comes out with nothing
    filled in."""
    doc = _new_then_run("streefcijfers", [REPO / "tests" / "data" / "own_targets" / "personeel.csv"], tmp_path,
                        "personeel")
    hand = _by_hand("own_targets")
    assert doc["microdata_columns"] == hand["microdata_columns"]
    read_as_is = {"België", "geen"}
    assert doc["values"] == {col: {k: v for k, v in labels.items() if k not in read_as_is}
                             for col, labels in hand["values"].items()}


def test_end_to_end_own_correspondence_study_with_its_outcome_in_words(tmp_path, at_repo, capsys):
    """The own correspondence study with the outcome written out ('Uitgenodigd', 'Geen reactie',
    'afgewezen '): `new` proposes the value mapping and the report comes out on the first try."""
    df = pd.read_excel(OWN_CORRESPONDENCE)
    no = pd.Series(["Geen reactie", "afgewezen "] * (len(df) // 2 + 1))[: len(df)].to_numpy()
    df["reactie"] = df["reactie"].where(df["reactie"] != "ja", "Uitgenodigd").where(df["reactie"] == "ja", no)
    data = tmp_path / "woorden.csv"
    df.to_csv(data, index=False, sep=";")
    doc = _new_then_run("correspondentietest", [data], tmp_path, "woorden")
    assert doc["values"] == {"outcome": {"Uitgenodigd": 1, "Geen reactie": 0, "afgewezen": 0}}


def test_end_to_end_bertrand_mullainathan_from_the_raw_file(tmp_path, at_repo, capsys):
    """The published data of Bertrand & Mullainathan (2004), as downloaded (English column names,
    0/1 outcome, race and gender as columns, 36 first names): `new` proposes the mapping of
    params/correspondentietest_bertrand2004.yaml (vacancy, group race, outcome; ground named
    from the labels white/black; white as reference), with nothing to fill in; the report
    reproduces the published 9,65% and 6,45%."""
    params = tmp_path / "bertrand.yaml"
    assert main(["new", "correspondentietest", "--data", str(REPO / "data" / "raw" / "resume_bertrand_mullainathan_2004.csv"),
                 "-o", str(params)]) == 0
    assert "Nog te doen" not in capsys.readouterr().out
    doc = yaml.safe_load(params.read_text(encoding="utf-8"))
    example = yaml.safe_load((REPO / "params" / "correspondentietest_bertrand2004.yaml").read_text(encoding="utf-8"))
    assert doc["columns"] == example["parameters"]["columns"]
    assert doc["reference_groups"] == {doc["ground"]: "white"}
    out = tmp_path / "out"
    assert main(["run", "correspondentietest", "--params", str(params), "-p", "bootstrap=49", "--out", str(out),
                 "--quiet"]) == 0
    rates = pd.read_csv(out / "bertrand" / "tables" / "callback_rates.csv").set_index("group")["rate"]
    assert (round(rates["white"] * 100, 2), round(rates["black"] * 100, 2)) == (9.65, 6.45)


def test_two_wave_example_gets_the_mapping_of_its_params_file(tmp_path, at_repo, capsys):
    """The synthetic two-wave example (two CSV files): `new` proposes exactly the columns and
    reference groups of params/correspondentietest.yaml, and the two waves run."""
    example = yaml.safe_load((REPO / "params" / "correspondentietest.yaml").read_text(encoding="utf-8"))["parameters"]
    params = tmp_path / "twee.yaml"
    assert main(["new", "correspondentietest", "--data", str(REPO / example["data"]),
                 "--data", str(REPO / example["data_followup"]), "-o", str(params)]) == 0
    doc = yaml.safe_load(params.read_text(encoding="utf-8"))
    assert doc["columns"] == example["columns"] and doc["reference_groups"] == example["reference_groups"]
    assert "# heterogeneity: [occupation, province, company_size]" in params.read_text(encoding="utf-8")
    out = tmp_path / "out"
    assert main(["run", "correspondentietest", "--params", str(params), "-p", "bootstrap=49", "--out", str(out),
                 "--quiet"]) == 0
    assert set(pd.read_csv(out / "twee" / "tables" / "design.csv")["wave"]) == {"nulmeting", "vervolgmeting"}


ODD_FRAMES = {
    "one column": pd.DataFrame({"x": [1, 2, 3]}),
    "an empty column": pd.DataFrame({"a": [None, None], "b": ["ja", "nee"]}),
    "one row": pd.DataFrame({"vacature": ["V1"], "groep": ["man"], "reactie": ["ja"]}),
    "numbers as names": pd.DataFrame({1: ["a", "b"], 2: [3, 4]}),
    "mixed cells": pd.DataFrame({"m": ["a", 1, 2.5, None, pd.Timestamp("2020-01-01")]}),
}


@pytest.mark.parametrize("analysis", ["correspondentietest", "survey_evaluatie", "streefcijfers", "actieplan_opvolging"])
@pytest.mark.parametrize("name", list(ODD_FRAMES))
def test_odd_tables_still_give_a_valid_file(analysis, name):
    p = _proposal(analysis, ODD_FRAMES[name])
    assert yaml.safe_load(render(p, ["x.csv"])) == {"notebook": analysis, **p.params()}


def test_every_sheet_is_read_under_its_own_name_also_when_the_first_is_hidden(tmp_path):
    wb = Workbook()
    hidden = wb.active
    hidden.title, hidden.sheet_state = "verborgen", "hidden"
    hidden.append(["a"])
    hidden.append([1])
    shown = wb.create_sheet("begroting")
    shown.append(["b"])
    shown.append([2])
    path = tmp_path / "plan.xlsx"
    wb.save(path)
    tables = {t.sheet: list(t.df.columns) for t in read_tables([path], every_sheet=True)}
    assert tables == {"verborgen": ["a"], "begroting": ["b"]}
