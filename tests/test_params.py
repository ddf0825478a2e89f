"""Declared ranges of numeric parameters and the small-cell threshold, checked before any kernel
starts (issue 15, item 3)."""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pytest
import yaml

from evaluatie.run.cli import main
from evaluatie.run.params import ParamError, load_run, notebook_params

REPO = Path(__file__).resolve().parents[1]


def _notebook(tmp_path: Path, source: str) -> Path:
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell(source)
    cell.metadata["tags"] = ["parameters"]
    nb.cells.append(cell)
    (tmp_path / "notebooks").mkdir(exist_ok=True)
    path = tmp_path / "notebooks" / "n.ipynb"
    nbformat.write(nb, path)
    return path


def test_a_range_is_read_from_the_start_of_the_comment_and_left_out_of_the_help(tmp_path):
    specs = notebook_params(_notebook(tmp_path, (
        "bootstrap: int = 999  # [20, 100000] herhalingen\n"
        "share: float = 0.5  # [0.0, 1.0] aandeel\n"
        "seed: int = 1  # [0, ] startwaarde\n"
        "cut: list = [2, 4]  # [0.1, 100] dalingen\n"
        "data: str | None = None  # path: [1, 2] bestand\n"
        "note: str = 'x'  # [geen bereik] tekst\n")))
    assert (specs["bootstrap"].low, specs["bootstrap"].high, specs["bootstrap"].help) == (20, 100000, "herhalingen")
    assert (specs["share"].low, specs["share"].high) == (0.0, 1.0)
    assert (specs["seed"].low, specs["seed"].high) == (0, None)
    assert (specs["cut"].low, specs["cut"].high) == (0.1, 100)
    assert specs["data"].is_path and specs["data"].low == 1
    assert specs["note"].low is None and specs["note"].help == "[geen bereik] tekst"


@pytest.mark.parametrize("override, needle", [
    ({"bootstrap": -5}, "parameter 'bootstrap': verwacht een getal van 20 tot en met 100000, gekregen -5"),
    ({"bootstrap": 10 ** 9}, "parameter 'bootstrap': verwacht een getal van 20 tot en met 100000"),
    ({"planned_reductions": [2, -1]}, "parameter 'planned_reductions': verwacht elk getal van 0.1 tot en met 100, gekregen -1"),
    ({"seed": -1}, "parameter 'seed': verwacht een getal van 0 tot en met 4294967295"),
    ({"threshold": 0}, "parameter 'threshold': de drempel voor kleine cellen is minstens 3"),
    ({"threshold": 4}, "zet daarvoor ook 'allow_small_cells: true'"),
    ({"threshold": 4, "allow_small_cells": "ja"}, "parameter 'allow_small_cells': verwacht bool"),
])
def test_out_of_range_values_stop_before_a_kernel_naming_the_key(override, needle):
    with pytest.raises(ParamError) as e:
        load_run(REPO / "params" / "correspondentietest.yaml", overrides=override)
    assert needle in str(e.value)


def test_a_threshold_of_three_or_four_runs_with_allow_small_cells():
    run = load_run(REPO / "params" / "correspondentietest.yaml", overrides={"threshold": 3, "allow_small_cells": True})
    assert run.parameters["threshold"] == 3 and run.parameters["allow_small_cells"] is True


def test_the_report_says_so_when_a_lower_threshold_was_used(demo_project):
    (demo_project / "params" / "laag.yaml").write_text("notebook: demo\nthreshold: 3\nallow_small_cells: true\n",
                                                        encoding="utf-8")
    out = demo_project / "out"
    assert main(["run", "laag", "--out", str(out), "--quiet"]) == 0
    html = (out / "laag" / "report.html").read_text(encoding="utf-8")
    assert "Lagere drempel voor kleine cellen" in html and "vanaf 3 personen" in html
    assert json.loads((out / "laag" / "run.json").read_text())["parameters"]["allow_small_cells"] is True
    assert main(["run", "demo", "--out", str(out), "--quiet"]) == 0
    assert "Lagere drempel" not in (out / "demo" / "report.html").read_text(encoding="utf-8")


@pytest.mark.parametrize("notebook, values, needle", [
    ("correspondentietest", {"outcome": {"positief": "misschien"}}, "voor outcome als standaardwaarde ja of nee"),
    ("correspondentietest", {"uitkomst": {"x": 1}}, "niet bruikbaar: uitkomst"),
    ("streefcijfers", {"sex": {"V": "Q"}}, "Q is geen standaardcode"),
    ("streefcijfers", {"geslacht": {"V": "F"}}, "geen waardekoppeling voor 'geslacht'"),
])
def test_a_values_mapping_that_cannot_be_used_stops_before_a_kernel(notebook, values, needle):
    with pytest.raises(ParamError) as e:
        load_run(REPO / "params" / f"{notebook}.yaml", overrides={"values": values})
    assert "parameter 'values'" in str(e.value) and needle in str(e.value)


def test_a_check_outside_the_package_is_refused(tmp_path):
    path = _notebook(tmp_path, "values: dict = {}  # koppeling\n")
    nb = nbformat.read(path, as_version=4)
    nb.metadata["evaluatie"] = {"checks": {"values": "os:system"}}
    nbformat.write(nb, path)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("EVALUATIE_ROOT", str(tmp_path))
        with pytest.raises(ParamError, match="is not a function of the package"):
            load_run(notebook="n", overrides={"values": {"a": "b"}})


@pytest.mark.parametrize("notebook", sorted(p.stem for p in (REPO / "notebooks").glob("*.ipynb")))
def test_every_numeric_parameter_declares_its_range(notebook):
    """Issue 15: every number a params file can set is bounded before a kernel starts."""
    specs = notebook_params(REPO / "notebooks" / f"{notebook}.ipynb")
    numeric = [s for s in specs.values() if {"int", "float"} & set(s.base_types)]
    numeric += [s for s in specs.values() if s.base_types == ("list",) and isinstance(s.default, list)
                and s.default and all(isinstance(x, (int, float)) for x in s.default)]
    assert numeric and [s.name for s in numeric if s.low is None and s.high is None] == []


def test_choices_are_read_and_a_text_outside_them_stops_before_a_kernel(tmp_path):
    specs = notebook_params(_notebook(tmp_path, 'ci: str = "logit"  # {logit, beta, wilson} methode\n'
                                                'parts: list = []  # {a, b} onderdelen\n'))
    assert specs["ci"].choices == ("logit", "beta", "wilson") and specs["ci"].help == "methode"
    assert specs["parts"].choices == ("a", "b")
    with pytest.raises(ParamError, match=r"parameter 'interval': verwacht een van delta, bootstrap, gekregen 'bayes'"):
        load_run(REPO / "params" / "correspondentietest.yaml", overrides={"interval": "bayes"})
    with pytest.raises(ParamError, match=r"parameter 'parts': verwacht elk een van .*gekregen 'toekomst'"):
        load_run(REPO / "params" / "actieplan_budget2018.yaml", overrides={"parts": ["budget", "toekomst"]})


# --- issue 15, audit of the parameters: numbers that are no numbers, nested numbers, YAML bombs

@pytest.mark.parametrize("params, override, needle", [
    ("survey_evaluatie", {"conf": float("nan")}, "parameter 'conf': bevat een getal dat niet eindig is"),
    ("streefcijfers", {"gender_threshold": float("nan")}, "parameter 'gender_threshold': bevat een getal dat niet eindig"),
    ("correspondentietest", {"target_gap_pp": float("inf")}, "parameter 'target_gap_pp': bevat een getal dat niet eindig"),
    ("correspondentietest", {"planned_reductions": [2, float("nan")]},
     "parameter 'planned_reductions' (element 2): bevat een getal dat niet eindig"),
    ("actieplan_budget2018", {"budget_totals": {"planned_eur": float("nan")}},
     "parameter 'budget_totals' (sleutel 'planned_eur'): bevat een getal dat niet eindig"),
    ("actieplan_budget2018", {"subsidy_examples": [{"plan_type": "Instapplan", "costs_eur": float("-inf")}]},
     "parameter 'subsidy_examples' (element 1, sleutel 'costs_eur'): bevat een getal dat niet eindig"),
    ("correspondentietest", {"planned_reductions": [True]},
     "parameter 'planned_reductions': verwacht elk getal van 0.1 tot en met 100, gekregen ja/nee (true)"),
    ("correspondentietest", {"planned_reductions": [[0]]},
     "parameter 'planned_reductions': verwacht elk getal van 0.1 tot en met 100, gekregen een lijst"),
    ("correspondentietest", {"planned_reductions": ["2"]},
     "parameter 'planned_reductions': verwacht elk getal van 0.1 tot en met 100, gekregen tekst '2'"),
    ("actieplan_budget2018", {"parts": [1]}, "parameter 'parts': verwacht elk een van budget, status"),
    ("actieplan_budget2018", {"parts": [["budget"]]}, "gekregen een lijst"),
])
def test_numbers_that_are_no_plain_numbers_stop_before_a_kernel(params, override, needle):
    """The audit: `conf: .nan` made a "geslaagd" report with "–" intervals, `[true]` was published
    as 1,0 pp, `[[0]]` crashed in the kernel, `parts: [1]` passed; NaN made run.json invalid JSON."""
    with pytest.raises(ParamError) as e:
        load_run(REPO / "params" / f"{params}.yaml", overrides=override)
    assert needle in str(e.value)


@pytest.mark.parametrize("override, needle", [
    ("subsidy_examples=[{plan_type: Instapplan, costs_eur: -1}]",
     "parameter 'subsidy_examples' (element 1, sleutel 'costs_eur'): verwacht een getal van minstens 0, gekregen -1"),
    ("subsidy_examples=[{plan_type: Instapplan, costs_eur: 3000}, {plan_type: Clusterplan, costs_eur: 10, "
     "organisations: 0}]", "(element 2, sleutel 'organisations'): verwacht een getal van minstens 1, gekregen 0"),
    ("subsidy_examples=[{plan_type: Clusterplan, costs_eur: 10, organisations: -1}]", "gekregen -1"),
    ("subsidy_examples=[{plan_type: Clusterplan, costs_eur: veel}]", "sleutel 'costs_eur'): verwacht een getal van "
                                                                     "minstens 0, gekregen tekst"),
    ("budget_totals={planned_eur: 236000, spent_eur: -7.5}",
     "parameter 'budget_totals' (sleutel 'spent_eur'): verwacht een getal van minstens 0, gekregen -7.5"),
    ("budget_totals={planned_eur: veel}", "parameter 'budget_totals' (sleutel 'planned_eur'): verwacht een getal"),
])
def test_the_action_plan_refuses_impossible_examples_and_totals_before_a_kernel(tmp_path, monkeypatch, capsys,
                                                                                override, needle):
    """The action plan's notebook declares the ranges of the numbers inside its mappings: a
    negative cost or total and fewer than one organisation stop the command with exit 2 before
    any kernel starts, nothing written (before, the report was made: a negative example's row
    said why it was impossible, a negative total was compared with the budget's sum)."""
    monkeypatch.setenv("EVALUATIE_ROOT", str(REPO))
    out = tmp_path / "out"
    assert main(["run", "actieplan_budget2018", "-p", override, "--out", str(out), "--quiet"]) == 2
    assert needle in capsys.readouterr().err
    assert not out.exists()


@pytest.mark.parametrize("value, needle", [
    ({"value": 90}, "parameter 'claims' (element 1, sleutel 'value'): verwacht een getal van 0 tot en met 1, gekregen 90"),
    ({"value": -0.1}, "sleutel 'value'): verwacht een getal van 0 tot en met 1, gekregen -0.1"),
    ({"tolerance": 5}, "parameter 'claims' (element 1, sleutel 'tolerance'): verwacht een getal van 0 tot en met 1"),
    ({"value": "negen op tien"}, "sleutel 'value'): verwacht een getal van 0 tot en met 1, gekregen tekst"),
])
def test_the_survey_refuses_a_claim_that_is_no_share_before_a_kernel(value, needle):
    """A claim's value and tolerance are shares (0.9 for "9 op 10"): the survey notebook declares
    their range, so "value: 90" stops before any kernel (before, it reached the kernel and the claim
    was judged against 90 as a share)."""
    doc = yaml.safe_load((REPO / "params" / "survey_evaluatie.yaml").read_text(encoding="utf-8"))
    claims = doc["parameters"]["claims"] if "parameters" in doc else doc["claims"]
    with pytest.raises(ParamError) as e:
        load_run(REPO / "params" / "survey_evaluatie.yaml", overrides={"claims": [claims[0] | value, *claims[1:]]})
    assert needle in str(e.value)


def _ranged_notebook(tmp_path: Path, ranges) -> None:
    path = _notebook(tmp_path, "claims: list = []  # conclusies\n"
                               "totals: dict | None = None  # totalen\n"
                               "threshold: int = 5  # [3, 1000] drempel\n")
    nb = nbformat.read(path, as_version=4)
    nb.metadata["evaluatie"] = {"ranges": ranges}
    nbformat.write(nb, path)


RANGES = {"claims": {"value": [0, 1], "tolerance": [0, 1]}, "totals": {"*": [0, None]}}


@pytest.mark.parametrize("override, needle", [
    ({"claims": [{"value": 0.9}, {"value": 7.5}]}, "parameter 'claims' (element 2, sleutel 'value'): verwacht een getal "
                                                   "van 0 tot en met 1, gekregen 7.5"),
    ({"claims": [{"value": 0.9, "tolerance": -1}]}, "(element 1, sleutel 'tolerance'): verwacht een getal van 0 tot en met 1"),
    ({"claims": [{"value": True}]}, "gekregen ja/nee (true)"),
    ({"claims": [{"value": "0.9"}]}, "gekregen tekst '0.9'"),
    ({"totals": {"a": 1, "b": -5}}, "parameter 'totals' (sleutel 'b'): verwacht een getal van minstens 0, gekregen -5"),
])
def test_numbers_inside_mappings_get_the_range_the_notebook_declares(tmp_path, monkeypatch, override, needle):
    _ranged_notebook(tmp_path, RANGES)
    monkeypatch.setenv("EVALUATIE_ROOT", str(tmp_path))
    with pytest.raises(ParamError) as e:
        load_run(notebook="n", overrides=override)
    assert needle in str(e.value)


def test_numbers_inside_mappings_within_their_range_or_left_out_pass(tmp_path, monkeypatch):
    _ranged_notebook(tmp_path, RANGES)
    monkeypatch.setenv("EVALUATIE_ROOT", str(tmp_path))
    run = load_run(notebook="n", overrides={"claims": [{"id": "a", "value": 0.9, "tolerance": None}, {"value": 1}],
                                            "totals": {"a": 0, "b": 2.5}})
    assert run.parameters["totals"] == {"a": 0, "b": 2.5}


@pytest.mark.parametrize("ranges", [{"claims": [0, 1]}, {"onbekend": {"value": [0, 1]}},
                                    {"claims": {"value": [0, "1"]}}, ["claims"]])
def test_a_malformed_ranges_declaration_is_an_error_of_the_notebook(tmp_path, monkeypatch, ranges):
    _ranged_notebook(tmp_path, ranges)
    monkeypatch.setenv("EVALUATIE_ROOT", str(tmp_path))
    with pytest.raises(ParamError, match="metadata evaluatie.ranges"):
        load_run(notebook="n")


BOMB = """\
notebook: demo
a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
label: *i
"""


@pytest.mark.parametrize("body, needle", [
    (BOMB, "params/demo.yaml: bevat meer dan 20000 waarden (verwijzingen *naam meegeteld)"),
    ("notebook: demo\nlabel: &x [1, *x]\n", "demo.yaml: bevat een YAML-verwijzing (*naam) binnen de waarde "
                                             "waarnaar ze verwijst (regel 2)"),
    ("notebook: demo\nlabel: [" + ",".join(["0"] * 30_000) + "]\n", "bevat meer dan 20000 waarden"),
    ("notebook: demo\nlabel: " + "[" * 2000 + "]" * 2000 + "\n", "te diep geneste lijsten of mappings"),
    ("notebook: demo\nlabel: '" + "x" * 1_100_000 + "'\n", "een parameterbestand is hoogstens 1.000.000 bytes"),
])
def test_a_params_file_that_would_hang_or_flood_the_command_is_refused_naming_the_file(demo_project, capsys,
                                                                                         body, needle):
    """The audit: a 479-byte alias bomb in `notes` hung the command before any kernel (9^9 values
    when read); a 50 MB title was accepted. Every case here is refused in well under a second, as
    is `evaluatie list`, which reads every params file."""
    (demo_project / "params" / "demo.yaml").write_text(body, encoding="utf-8")
    out = demo_project / "out"
    assert main(["run", "demo", "--out", str(out)]) == 2
    assert needle in capsys.readouterr().err
    assert not out.exists()
    assert main(["list"]) == 0 and "  demo  " in capsys.readouterr().out


def test_an_alias_bomb_on_the_command_line_is_refused_too(demo_project, capsys):
    bomb = "[" + ", ".join(line.split(": ", 1)[1] for line in BOMB.splitlines()[1:-1]) + ", *i]"
    assert main(["run", "demo", "-p", f"label={bomb}", "--out", str(demo_project / "out")]) == 2
    assert "evaluatie: -p label: bevat meer dan 20000 waarden" in capsys.readouterr().err


def test_aliases_that_expand_to_a_few_values_are_plain_yaml(tmp_path):
    """``yaml.safe_dump`` writes an anchor and aliases for a mapping used twice (as for the same
    value mapping of three nationality columns); such a file is read as before."""
    from evaluatie.run.params import read_yaml

    codes = {"België": "BE", "Marokko": "MA"}
    doc = {"notebook": "streefcijfers", "parameters": {"values": {"nationality": codes, "first_nationality": codes}}}
    pf = tmp_path / "p.yaml"
    pf.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    assert "*id001" in pf.read_text(encoding="utf-8") and read_yaml(pf) == doc


def test_the_examples_are_well_within_the_limits():
    from evaluatie.run.params import MAX_PARAMS_BYTES, read_yaml

    for pf in (REPO / "params").rglob("*.yaml"):
        assert pf.stat().st_size < MAX_PARAMS_BYTES / 50
        assert isinstance(read_yaml(pf), dict)
