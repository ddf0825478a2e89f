"""The `evaluatie` command as a user meets it: every listed name runs, flat params files, typo
suggestions, and a failed rerun that keeps the last good report (issue 14, items 6 and 7)."""

from __future__ import annotations

import json
import re
import shutil
import threading
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from evaluatie.run.cli import distinct_slugs, main
from evaluatie.run.runner import write_index


def _write(path: Path, body: str) -> Path:
    path.write_text(body, encoding="utf-8")
    return path


@pytest.fixture
def cli_project(demo_project):
    """The demo project plus a second analysis ``demo_b`` with two example reports (one wrapped,
    one flat) and a third analysis ``demo_c`` without any."""
    nb = demo_project / "notebooks"
    shutil.copy(nb / "demo.ipynb", nb / "demo_b.ipynb")
    shutil.copy(nb / "demo.ipynb", nb / "demo_c.ipynb")
    _write(demo_project / "params" / "b_een.yaml", "notebook: demo_b\ndescription: Eerste voorbeeld\nparameters:\n  threshold: 7\n")
    _write(demo_project / "params" / "b_twee.yaml", "notebook: demo_b\nthreshold: 6\nlabel: plat\n")
    return demo_project


def _listed_names(out: str) -> list[str]:
    return re.findall(r"^  (\S+)", out, re.MULTILINE)


def test_list_shows_analyses_and_reports_in_dutch(cli_project, capsys):
    assert main(["list"]) == 0
    out = capsys.readouterr().out
    analyses, reports = out.split("Voorbeeldrapporten (params/RAPPORT.yaml)")
    assert "evaluatie run ANALYSE --params BESTAND" in analyses
    assert _listed_names(analyses) == ["demo", "demo_b", "demo_c"]
    assert "Demorapport voor de tests" in analyses
    assert "voorbeeldrapporten: b_een, b_twee" in analyses and "voorbeeldrapporten: (geen)" in analyses
    assert _listed_names(reports) == ["b_een", "b_twee", "demo"]
    assert re.search(r"b_een\s+analyse demo_b\n\s+Eerste voorbeeld", reports)


def test_every_listed_name_runs(cli_project, capsys):
    """`evaluatie list` -> `evaluatie run NAME` for every name it shows that has a report to make:
    the analysis demo_b stands for its two example reports, each made once."""
    main(["list"])
    names = [n for n in _listed_names(capsys.readouterr().out) if n != "demo_c"]
    out = cli_project / "out"
    assert main(["run", *names, "--out", str(out), "--quiet", "--jobs", "2"]) == 0
    assert "3 geslaagd, 0 mislukt" in capsys.readouterr().out
    assert sorted(p.parent.name for p in out.glob("*/report.html")) == ["b_een", "b_twee", "demo"]
    flat = json.loads((out / "b_twee" / "run.json").read_text(encoding="utf-8"))
    assert flat["parameters"]["threshold"] == 6 and flat["parameters"]["label"] == "plat"
    assert flat["notebook"] == "notebooks/demo_b.ipynb" and flat["params_file"] == "params/b_twee.yaml"


def test_analysis_without_examples_says_how_to_run_it(cli_project, capsys):
    assert main(["run", "demo_c", "--out", str(cli_project / "out")]) == 2
    assert "evaluatie run demo_c --params BESTAND" in capsys.readouterr().err
    assert not (cli_project / "out").exists()


def test_flat_params_file_of_a_users_study(cli_project, tmp_path_factory, capsys):
    """Papermill's own convention, just the parameters, with the analysis on the command line; the
    run is named after the file."""
    mine = _write(tmp_path_factory.mktemp("eigen") / "mijn_studie.yaml", "threshold: 8\nlabel: eigen studie\n")
    out = cli_project / "out"
    assert main(["run", "demo_c", "--params", str(mine), "--out", str(out), "--quiet"]) == 0
    rec = json.loads((out / "mijn_studie" / "run.json").read_text(encoding="utf-8"))
    assert rec["status"] == "ok" and rec["notebook"] == "notebooks/demo_c.ipynb"
    assert rec["parameters"]["threshold"] == 8 and rec["parameters"]["label"] == "eigen studie"
    assert (out / "mijn_studie" / "report.html").is_file()


def test_flat_params_file_without_an_analysis(cli_project, capsys):
    mine = _write(cli_project / "studie.yaml", "threshold: 3\n")
    assert main(["run", "--params", str(mine), "--out", str(cli_project / "out")]) == 2
    err = capsys.readouterr().err
    assert "studie.yaml: er staat niet in voor welke analyse dit bestand is" in err
    assert "evaluatie run ANALYSE --params studie.yaml" in err and "notebook: ANALYSE" in err
    assert "Analyses: demo, demo_b, demo_c" in err
    assert not (cli_project / "out").exists()


def test_analysis_on_the_command_line_must_agree_with_the_file(cli_project, capsys):
    mine = _write(cli_project / "studie.yaml", "notebook: demo_b\nthreshold: 3\n")
    assert main(["run", "demo_c", "--params", str(mine), "--out", str(cli_project / "out")]) == 2
    assert "studie.yaml hoort bij analyse 'demo_b'" in capsys.readouterr().err
    assert not (cli_project / "out").exists()


@pytest.mark.parametrize(
    "args, files, needle",
    [
        (["dmeo"], {}, "onbekende analyse of rapport 'dmeo'; bedoelde u 'demo'"),
        (["b_eeen"], {}, "onbekende analyse of rapport 'b_eeen'; bedoelde u 'b_een' of 'b_twee'?"),
        (["demo", "-p", "treshold=3"], {}, "-p: onbekende parameter 'treshold'; bedoelde u 'threshold'?"),
        (["dmeo_b", "--params", "s.yaml"], {"s.yaml": "threshold: 3\n"},
         "onbekende analyse 'dmeo_b'; bedoelde u 'demo_b'"),
        (["--params", "s.yaml"], {"s.yaml": "notebook: demo_d\n"}, "onbekende analyse 'demo_d'; bedoelde u "),
        (["demo", "--params", "s.yaml"], {"s.yaml": "thresold: 3\n"},
         "s.yaml: onbekende parameter 'thresold'; bedoelde u 'threshold'?"),
        (["demo", "--params", "s.yaml"], {"s.yaml": "paramters:\n  threshold: 3\n"},
         "onbekende parameter 'paramters'; bedoelde u 'parameters'?"),
        (["--params", "s.yaml"], {"s.yaml": "notebok: demo\nparameters:\n  threshold: 3\n"},
         "onbekende sleutel 'notebok' op het hoogste niveau; bedoelde u 'notebook'?"),
        (["demo", "--by", "entiteit"], {}, "kent geen opsplitsing 'entiteit'"),
    ],
)
def test_typos_get_a_suggestion_and_stop_everything(cli_project, capsys, args, files, needle):
    for name, body in files.items():
        _write(cli_project / name, body)
    out = cli_project / "out"
    assert main(["run", *args, "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert needle in err
    assert not out.exists()


@pytest.mark.parametrize("notebook", ["../elders/demo", "/tmp/elders/demo", "notebooks/demo", "demo.ipynb"])
def test_a_params_file_cannot_run_a_notebook_outside_the_analyses(cli_project, capsys, notebook):
    """Issue 15: ``notebook: ../../elders/evil`` ran a notebook from anywhere on disk. Only the
    name of an analysis in notebooks/ is accepted, never a path, and nothing runs."""
    elders = cli_project.parent / "elders"
    elders.mkdir(exist_ok=True)
    shutil.copy(cli_project / "notebooks" / "demo.ipynb", elders / "demo.ipynb")
    _write(cli_project / "s.yaml", f"notebook: {notebook}\n")
    out = cli_project / "out"
    assert main(["run", "--params", str(cli_project / "s.yaml"), "--out", str(out)]) == 2
    assert "analyse" in capsys.readouterr().err
    assert not out.exists()


@pytest.mark.parametrize("value", [0, 1, 2, -5])
def test_a_params_file_cannot_switch_small_cell_suppression_off(cli_project, capsys, value):
    """Issue 15: ``threshold: 0`` published that one employee of an entity has a disability."""
    out = cli_project / "out"
    assert main(["run", "demo", "-p", f"threshold={value}", "--out", str(out)]) == 2
    assert "de drempel voor kleine cellen is minstens 3" in capsys.readouterr().err
    assert not out.exists()


@pytest.mark.parametrize("body, needle", [
    ("notebook: demo\nlabel: !!binary aGFsbG8=\n", "bevat binaire gegevens"),
    ("notebook: demo\nlabel: 2020-01-01\n", "bevat een datum"),
    ("notebook: demo\nlabel: !!set {a: null}\n", "bevat een verzameling"),
])
def test_yaml_values_that_are_no_plain_data_are_named_not_crashed_on(cli_project, capsys, body, needle):
    """Issue 16: a YAML !!binary or date value ended in a raw traceback."""
    _write(cli_project / "s.yaml", body)
    out = cli_project / "out"
    assert main(["run", "--params", str(cli_project / "s.yaml"), "--out", str(out)]) == 2
    assert needle in capsys.readouterr().err
    assert not out.exists()


def test_an_out_that_is_a_file_is_refused_before_anything_runs(cli_project, capsys):
    """Issue 16: a file-valued --out ended in a raw traceback."""
    target = _write(cli_project / "rapporten", "geen map\n")
    assert main(["run", "demo", "--out", str(target)]) == 1
    err = capsys.readouterr().err
    assert "dit is een bestand, geen map" in err and len(err.strip().splitlines()) == 1
    assert target.read_text() == "geen map\n"


def test_an_out_that_cannot_be_written_is_one_dutch_line_and_exit_1(cli_project, capsys):
    blocker = _write(cli_project / "bestand", "x\n")  # a folder cannot be made inside a file (not even by root)
    assert main(["run", "demo", "--out", str(blocker / "rapporten")]) == 1
    err = capsys.readouterr().err
    assert "kan niet geschreven worden" in err and len(err.strip().splitlines()) == 1


def test_no_suggestion_for_a_name_close_to_nothing(cli_project, capsys):
    assert main(["run", "xyzzy", "--out", str(cli_project / "out")]) == 2
    err = capsys.readouterr().err
    assert "onbekende analyse of rapport 'xyzzy' (analyses: demo, demo_b, demo_c; rapporten: b_een, b_twee, demo" in err
    assert "bedoelde u" not in err


def _row(index: str, run: str) -> BeautifulSoup:
    soup = BeautifulSoup(index, features="html.parser")
    rows = [tr for tr in soup.select("tbody tr") if tr.find("small", class_="run").get_text().split(" ")[0] == run]
    assert len(rows) == 1
    return rows[0]


def test_a_failed_rerun_keeps_the_last_good_report_as_previous_version(demo_project, capsys):
    """Good run, failed rerun, failed again, good again. After a failure the last good report is
    readable in <run>/vorige/, marked there and in the index as older than the failed attempt; no
    report.html sits next to the failed attempt's run.json; a success replaces it all."""
    out = demo_project / "out"
    d = out / "demo"
    assert main(["run", "demo", "--out", str(out), "--quiet"]) == 0
    good = json.loads((d / "run.json").read_text(encoding="utf-8"))
    good_page = (d / "report.html").read_text(encoding="utf-8")

    for attempt in (1, 2):
        assert main(["run", "demo", "-p", "fail=true", "--out", str(out), "--quiet"]) == 1
        assert not (d / "report.html").exists()  # nothing at the old address looks like the newest report
        rec = json.loads((d / "run.json").read_text(encoding="utf-8"))
        assert rec["status"] == "failed" and rec["error"]["ename"] == "ValueError"
        assert rec["last_good"] == {"report": "vorige/report.html", "run_json": "vorige/run.json",
                                    "title": "Demorapport", "finished": good["finished"]}
        old = json.loads((d / "vorige" / "run.json").read_text(encoding="utf-8"))
        assert old == {**good, "superseded_by": "../run.json"}  # the old report's own record, marked
        page = (d / "vorige" / "report.html").read_text(encoding="utf-8")
        soup = BeautifulSoup(page, features="html.parser")
        notices = soup.select("main > aside.ev-notice-superseded")
        assert len(notices) == 1, attempt  # marked once, however many attempts fail
        assert "een nieuwere poging om dit rapport te maken is mislukt" in notices[0].get_text()
        made = re.search(r"gemaakt op ([^.]+\.\d\d u)", notices[0].get_text()).group(1)
        assert {a["href"] for a in notices[0].find_all("a")} == {"../run.json", "../../index.html"}
        assert page.replace(str(notices[0]), "") == good_page  # otherwise the report as it was
        assert (d / "vorige" / "tables.xlsx").is_file() and (d / "vorige" / "figures" / "gemiddelden.png").is_file()

        row = _row((out / "index.html").read_text(encoding="utf-8"), "demo")
        text = row.get_text(" ")
        assert [s.get_text() for s in row.find_all("span")] == ["mislukt"]
        assert "ValueError (cel 5): de volledige melding staat in de terminal" in text
        hrefs = {a["href"]: a.get_text() for a in row.find_all("a")}
        assert "demo/report.html" not in hrefs
        assert hrefs["demo/vorige/report.html"] == f"vorige versie van {made}"
        assert "Laatste geslaagde rapport" in text and "ouder dan deze mislukte poging" in text
        assert {"demo/run.json", "demo/vorige/run.json", "demo/vorige/tables.xlsx"} <= set(hrefs)
    assert not list(out.glob(".*"))

    assert main(["run", "demo", "--out", str(out), "--quiet"]) == 0
    assert (d / "report.html").is_file() and not (d / "vorige").exists()
    assert "last_good" not in json.loads((d / "run.json").read_text(encoding="utf-8"))
    row = _row((out / "index.html").read_text(encoding="utf-8"), "demo")
    assert [s.get_text() for s in row.find_all("span")] == ["geslaagd"] and "vorige versie" not in row.get_text()



def test_entity_values_that_share_a_folder_name_get_distinct_ones():
    """Issue 16: 'Agentschap A&B' and 'Agentschap A-B' got the same folder and one report replaced
    the other."""
    values = ["Agentschap A&B", "Agentschap A-B", "Departement Cultuur", "Ωmega", "Δelta"]
    names = distinct_slugs(values)
    assert len(set(names)) == len(values)
    assert names[2] == "departement-cultuur"  # a name nobody shares stays readable
    assert names[0].startswith("agentschap-a-b-") and names[1].startswith("agentschap-a-b-")
    assert distinct_slugs(values) == names  # the same in every run


def test_a_long_value_gets_a_short_folder_name():
    """Issue 15: an entity label of 5,000 characters gave a folder name of 5,000 characters
    ('File name too long'). A slug is cut at 60 characters and gets a hash of the whole value, so
    two long values that start alike still get folders of their own."""
    long = "Agentschap " + "voor gelijke kansen " * 250
    values = [long, long + "bis", "Ωmega " * 100, "Departement Cultuur"]
    names = distinct_slugs(values)
    assert all(len(n) <= 67 for n in names), [len(n) for n in names]
    assert len(set(names)) == len(values)
    assert names[0].startswith("agentschap-voor-gelijke-kansen-") and names[3] == "departement-cultuur"
    assert distinct_slugs(values) == names  # the same in every run


def _by_values(monkeypatch, values: list[str]) -> None:
    """The demo notebook splits ``--by label`` into ``values`` (a function of the package, as the
    notebooks' ``by`` declarations name one)."""
    import nbformat

    import evaluatie.run.cli as cli

    monkeypatch.setattr(cli, "_test_by_values", lambda _params: list(values), raising=False)
    path = Path("notebooks/demo.ipynb")
    nb = nbformat.read(path, as_version=4)
    nb.metadata["evaluatie"]["by"] = {"label": {"parameter": "label", "values": "evaluatie.run.cli:_test_by_values"}}
    nbformat.write(nb, path)


def test_a_by_batch_with_a_label_of_5000_characters_makes_every_report(demo_project, monkeypatch, capsys):
    """Issue 15 (hostile labels): a value of 5,000 characters broke a --by batch: 'File name too
    long' from the report's lock file killed the runner's thread, so that report and the next one
    had no folder, no run.json and no row in the index, and the terminal showed a traceback."""
    long = "Entiteit " + "met een zeer lange naam " * 210
    _by_values(monkeypatch, [long, "Kort"])
    out = demo_project / "out"
    assert main(["run", "demo", "--by", "label", "--out", str(out), "--quiet"]) == 0
    printed = capsys.readouterr()
    assert "Traceback" not in printed.out + printed.err and "3 geslaagd, 0 mislukt" in printed.out
    folders = sorted(d.name for d in out.iterdir() if d.is_dir())
    assert len(folders) == 3 and all(len(n.encode()) <= 100 for n in folders), [n[:80] for n in folders]
    labels = {json.loads((out / n / "run.json").read_text(encoding="utf-8"))["parameters"]["label"] for n in folders}
    assert labels == {None, long, "Kort"}  # the folder is short, the record keeps the whole value
    rows = BeautifulSoup((out / "index.html").read_text(encoding="utf-8"), "html.parser").find("tbody").find_all("tr")
    assert len(rows) == 3


def test_a_report_name_too_long_for_a_folder_is_refused_before_any_kernel(cli_project, capsys):
    """A params file's name (up to 255 bytes) plus the runner's temporary suffix would pass the
    file system's limit: refused with exit 2 before anything runs, not a traceback later."""
    name = "studie_" + "x" * 230  # 242 bytes as a params file, 259 as the runner's temporary folder
    _write(cli_project / "params" / f"{name}.yaml", "notebook: demo\nparameters:\n  threshold: 6\n")
    out = cli_project / "out"
    assert main(["run", name, "--out", str(out), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "is te lang voor een mapnaam (237 bytes, hoogstens 230)" in err and "kortere naam" in err
    assert "Traceback" not in err and not out.exists()


def test_index_written_by_many_runs_at_once_stays_whole(tmp_path):
    """Issue 16: two runs finishing at once on one --out crashed on a shared index.html.tmp
    (6 of 240 writes in a stress test)."""
    for name in ("a", "b"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "run.json").write_text(json.dumps({"run": name, "status": "failed"}), encoding="utf-8")
    errors = []

    def writer():
        try:
            for _ in range(60):
                write_index(tmp_path)
        except Exception as e:  # noqa: BLE001 - any failure of a writer fails the test
            errors.append(e)

    threads = [threading.Thread(target=writer) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a", "b", "index.html"]
    assert (tmp_path / "index.html").read_text(encoding="utf-8").rstrip().endswith("</html>")


def test_a_missing_required_parameter_is_named_with_its_help(cli_project, capsys):
    """A flat params file that leaves out a parameter without default says which one and what it
    is for, before any kernel starts."""
    _write(cli_project / "s.yaml", "data: null\n")
    out = cli_project / "out"
    assert main(["run", "demo", "--params", str(cli_project / "s.yaml"), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "parameter 'data' ontbreekt (verwacht str): invoerbestand" in err
    assert not out.exists()
