"""The runner and the `evaluatie` command: outputs, parameter checks, failures, timeouts, parallel runs."""

from __future__ import annotations

import csv
import json
import os
import pty
import re
import select
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import nbformat
import openpyxl
import pandas as pd
import pytest
from bs4 import BeautifulSoup

from evaluatie.run.cli import main
from evaluatie.run.notebook import add_toc, render_html, write_xlsx
from evaluatie.run.runner import write_index
from report_checks import check_report_html

REPO = Path(__file__).resolve().parents[1]


def _write_params(proj: Path, name: str, body: str) -> None:
    (proj / "params" / f"{name}.yaml").write_text(body, encoding="utf-8")


def test_run_writes_every_output(demo_project, capsys):
    out = demo_project / "out"
    assert main(["run", "demo", "--out", str(out), "--quiet"]) == 0
    d = out / "demo"
    for f in ("report.html", "notebook.ipynb", "run.json", "tables.xlsx", "tables/summary.csv",
              "tables/ledger.csv", "figures/gemiddelden.png"):
        assert (d / f).is_file(), f
    rec = json.loads((d / "run.json").read_text())
    assert rec["status"] == "ok" and rec["error"] is None
    assert rec["parameters"]["threshold"] == 5
    assert set(rec["inputs"]) == {"data/demo.csv"} and len(rec["inputs"]["data/demo.csv"]) == 64
    assert {"python", "pandas", "papermill", "nbconvert"} <= set(rec["versions"])
    assert rec["started"] <= rec["finished"]
    assert rec["title"] == "Demorapport"
    # tables.xlsx holds every table the report shows, machine-readable
    wb = openpyxl.load_workbook(d / "tables.xlsx")
    assert set(wb.sheetnames) == {"summary", "ledger"}
    csv = (d / "tables" / "summary.csv").read_text(encoding="utf-8")
    assert csv.splitlines()[0] == "group,n,mean,share"
    assert "0.5" in csv  # dot decimals in the export, whatever the report shows
    ledger = (d / "tables" / "ledger.csv").read_text(encoding="utf-8").splitlines()
    assert ledger[1:] == ["demo.csv,read,,21", "demo.csv,excluded,ontbrekende waarde,1", "demo.csv,analysed,,20"]
    assert check_report_html(d / "report.html", (str(demo_project),)) == []
    html = (d / "report.html").read_text(encoding="utf-8")
    assert "50,0%" in html and "Gemiddelde per groep" in html  # Dutch formatting in the report
    index = (out / "index.html").read_text(encoding="utf-8")
    assert 'href="demo/report.html"' in index and "geslaagd" in index
    nb = (d / "notebook.ipynb").read_text(encoding="utf-8")
    assert str(demo_project) not in nb and "/tmp/" not in nb


def test_same_inputs_give_the_same_page(demo_project):
    """Two runs of a report on the same inputs give the same HTML but for the time it was made:
    no random ids (tables, papermill's parameters cell), so reports can be compared with diff."""
    pages = []
    for out in ("out1", "out2"):
        assert main(["run", "demo", "--out", str(demo_project / out), "--quiet"]) == 0
        pages.append((demo_project / out / "demo" / "report.html").read_text(encoding="utf-8"))
    # the time it was made: once in the provenance, and the date in the printed pages' running title
    made = re.compile(r"Gemaakt op [^<]*? u\b|(?<= · )\d{1,2} \w+ \d{4}(?=</div>)")
    assert all(len(made.findall(p)) == 2 for p in pages)
    assert made.sub("", pages[0]) == made.sub("", pages[1])
    assert 'id="tab-summary"' in pages[0] and 'aria-labelledby="tab-summary"' in pages[0]
    assert 'id="cell-id=injected-parameters"' in pages[0]


@pytest.mark.parametrize(
    "args, needle",
    [
        (["-p", "treshold=3"], "onbekende parameter 'treshold'"),
        (["-p", "threshold=drie"], "parameter 'threshold': verwacht int"),
        (["-p", "threshold=true"], "parameter 'threshold': verwacht int"),
        (["-p", "data=data/bestaat_niet.csv"], "invoerbestand data/bestaat_niet.csv bestaat niet"),
        (["-p", "threshold"], "sleutel=waarde"),
    ],
)
def test_wrong_parameters_stop_before_any_kernel(demo_project, capsys, args, needle):
    out = demo_project / "out"
    assert main(["run", "demo", "--out", str(out), "--quiet", *args]) == 2
    err = capsys.readouterr().err
    assert needle in err
    if "sleutel=waarde" not in needle:
        assert "Geldige parameters: data (str), threshold (int)" in err
    assert not out.exists()  # nothing written


def test_unknown_key_in_params_file_and_unknown_report(demo_project, capsys):
    _write_params(demo_project, "kapot", "notebook: demo\nparameters:\n  drempel: 3\n  threshold: 'vijf'\n")
    out = demo_project / "out"
    assert main(["run", "kapot", "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "params/kapot.yaml: onbekende parameter 'drempel'" in err
    assert "parameter 'threshold': verwacht int, gekregen str 'vijf'" in err  # every problem, not the first
    assert main(["run", "bestaatniet", "--out", str(out)]) == 2
    assert "onbekende analyse of rapport 'bestaatniet' (analyses: demo; rapporten: demo, kapot" in capsys.readouterr().err
    assert not out.exists()


def test_failing_notebook_fails_only_its_own_report(demo_project, capsys):
    out = demo_project / "out"
    _write_params(demo_project, "demo_fout", "notebook: demo\nparameters:\n  fail: true\n")
    assert main(["run", "demo", "demo_fout", "--out", str(out), "--quiet"]) == 1
    printed = capsys.readouterr().out
    assert "MISLUKT demo_fout (demo.ipynb, cel 5): ValueError: bewust mislukte cel" in printed
    assert "1 geslaagd, 1 mislukt" in printed
    assert (out / "demo" / "report.html").exists()
    failed = out / "demo_fout"
    assert not (failed / "report.html").exists()
    rec = json.loads((failed / "run.json").read_text())
    assert rec["status"] == "failed"
    assert rec["error"]["cell"] == 5 and rec["error"]["ename"] == "ValueError"
    assert rec["last_good"] is None and not (failed / "vorige").exists()  # it never succeeded
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "mislukt" in index and 'href="demo_fout/report.html"' not in index
    row = next(r for r in index.split("<tr>") if "demo_fout" in r)
    # not our own exception: its name and cell are published, its message only in the terminal
    assert "mislukt" in row and "ValueError (cel 5): de volledige melding staat in de terminal" in row
    assert "bewust mislukte cel" not in row and 'href="demo_fout/run.json"' in row
    assert "vorige versie" not in row


def test_data_error_exits_2_with_the_message(demo_project, capsys):
    _write_params(demo_project, "demo_data", "notebook: demo\nparameters:\n  data_error: true\n")
    assert main(["run", "demo_data", "--out", str(demo_project / "out"), "--quiet"]) == 2
    printed = capsys.readouterr().out
    assert "DataError" in printed and "rij 3" in printed and "kolom 'value'" in printed


def test_cell_timeout_is_a_failure_of_that_report(demo_project, capsys):
    _write_params(demo_project, "traag", "notebook: demo\nparameters:\n  sleep: 300\n")
    out = demo_project / "out"
    assert main(["run", "traag", "--out", str(out), "--timeout", "12", "--quiet"]) == 1
    printed = capsys.readouterr().out
    assert "MISLUKT traag (demo.ipynb, cel 5): CellTimeoutError" in printed
    rec = json.loads((out / "traag" / "run.json").read_text())
    assert rec["status"] == "failed" and rec["error"]["kind"] == "timeout" and rec["error"]["cell"] == 5
    assert not (out / "traag" / "report.html").exists()
    nb = json.loads((out / "traag" / "notebook.ipynb").read_text(encoding="utf-8"))
    started = [c for c in nb["cells"] if c["metadata"].get("papermill", {}).get("start_time")]
    assert "time.sleep(sleep)" in "".join(started[-1]["source"])  # the cell that ran out of time is the last


def test_failed_run_keeps_the_notebook_up_to_the_failing_cell_with_no_output_but_the_error(demo_project):
    """Issue 15: a failed run's notebook.ipynb kept every output up to the failing cell (tables,
    figures), linked from the index next to "mislukt". It keeps which cells ran and the error,
    nothing they showed."""
    _write_params(demo_project, "demo_fout", "notebook: demo\nparameters:\n  fail: true\n")
    out = demo_project / "out"
    assert main(["run", "demo_fout", "--out", str(out), "--quiet"]) == 1
    nb = json.loads((out / "demo_fout" / "notebook.ipynb").read_text())
    failed = [c for c in nb["cells"] if c["metadata"].get("papermill", {}).get("exception")]
    assert [o["output_type"] for o in failed[0]["outputs"]] == ["error"]
    assert failed[0]["outputs"][0]["ename"] == "ValueError"
    assert failed[0]["outputs"][0]["evalue"] == "de volledige melding staat in de terminal"
    assert failed[0]["outputs"][0]["traceback"] == ["ValueError: de volledige melding staat in de terminal"]
    before = nb["cells"][:nb["cells"].index(failed[0])]
    ran = [c for c in before if c["cell_type"] == "code" and c["execution_count"]]
    assert len(ran) >= 3 and not any(c.get("outputs") for c in before)  # they ran, and showed nothing here
    after = nb["cells"][nb["cells"].index(failed[0]) + 1:]
    assert after and not any(c.get("outputs") for c in after)  # nothing ran after the failure
    assert all("Demorapport" not in json.dumps(c.get("outputs", [])) for c in nb["cells"])
    assert json.loads((out / "demo_fout" / "run.json").read_text())["title"] == "Demorapport"  # the index's label


def test_a_run_failing_after_its_tables_publishes_no_table_or_figure(demo_project):
    """Issue 15: well-formed tables and figures next to a failed run.json could be taken for
    results. A failed run keeps only run.json and the notebook up to the failing cell (its log)."""
    _write_params(demo_project, "demo_laat", "notebook: demo\nparameters:\n  fail_late: true\n")
    out = demo_project / "out"
    assert main(["run", "demo_laat", "--out", str(out), "--quiet"]) == 1
    d = out / "demo_laat"
    assert json.loads((d / "run.json").read_text())["error"]["evalue"] == "de volledige melding staat in de terminal"
    nb = json.loads((d / "notebook.ipynb").read_text(encoding="utf-8"))
    assert "summary.csv" not in {p.name for p in d.rglob("*")}
    shown = json.dumps([c.get("outputs", []) for c in nb["cells"]])
    assert "Gemiddelde per groep" not in shown and "image/png" not in shown and "text/html" not in shown
    names = {p.name for p in d.iterdir()}
    assert {"notebook.ipynb", "run.json"} <= names <= {"notebook.ipynb", "run.json", "kernel.log"}
    index = (out / "index.html").read_text(encoding="utf-8")
    row = next(r for r in index.split("<tr>") if "demo_laat" in r)
    assert "tables.xlsx" not in row and "report.html" not in row


@pytest.mark.parametrize("secret", ["Jan belde ons over zijn burn-out", "x'ZZMt1Q\"", "O'Brien \"Jan\" burn-out"])
def test_an_unexpected_error_quoting_a_cell_publishes_only_its_name_and_cell(demo_project, capsys, secret):
    """Issue 15: an exception from a library may quote a cell ('could not convert string to float:
    ...'). A quote scrubber was defeated by a value holding both kinds of quote (its repr then
    mixes them). run.json, index.html and the published notebook show the exception's name, its
    cell and that the message is in the terminal; the terminal shows it whole."""
    rows = ["group,value"] + [f"{secret if i == 0 else 'a'},{i}" for i in range(6)]
    (demo_project / "data" / "demo.csv").write_text(
        "\n".join([rows[0], '"' + secret.replace('"', '""') + '",0', *rows[2:]]) + "\n", encoding="utf-8")
    _write_params(demo_project, "demo_citaat", "notebook: demo\nparameters:\n  fail_quoting: true\n")
    out = demo_project / "out"
    assert main(["run", "demo_citaat", "--out", str(out)]) == 1
    marker = "burn-out" if "burn-out" in secret else "ZZMt1Q"
    assert marker in capsys.readouterr().out
    rec = json.loads((out / "demo_citaat" / "run.json").read_text(encoding="utf-8"))
    assert rec["error"]["ename"] == "ValueError" and rec["error"]["cell"] == 5
    assert rec["error"]["evalue"] == "de volledige melding staat in de terminal"
    row = next(r for r in (out / "index.html").read_text(encoding="utf-8").split("<tr>") if "demo_citaat" in r)
    assert "ValueError (cel 5): de volledige melding staat in de terminal" in row
    for f in [out / "index.html", *(out / "demo_citaat").rglob("*")]:
        if f.is_file():
            assert marker not in f.read_text(encoding="utf-8", errors="replace"), f.name


@pytest.mark.slow
def test_twenty_parallel_runs_without_port_race(demo_project, capsys):
    """papermill #511/#239: parallel kernels racing for TCP ports. Our kernels use IPC sockets."""
    names = [f"r{i:02d}" for i in range(20)]
    for n in names:
        _write_params(demo_project, n, "notebook: demo\n")
    out = demo_project / "out"
    assert main(["run", *names, "--out", str(out), "--jobs", "2", "--quiet"]) == 0
    for n in names:
        assert json.loads((out / n / "run.json").read_text())["status"] == "ok"
        assert (out / n / "report.html").exists()
    assert "20 geslaagd, 0 mislukt" in capsys.readouterr().out


def test_list_shows_descriptions(demo_project, capsys):
    assert main(["list"]) == 0
    out = capsys.readouterr().out
    assert re.search(r"^  demo +Demorapport voor de tests$", out, re.M)
    assert "voorbeeldrapporten: demo" in out


def test_absolute_input_paths_are_not_published(demo_project, tmp_path_factory):
    """A user's own file outside the project: its folder never appears in any output."""
    elsewhere = tmp_path_factory.mktemp("gebruiker_jansen")
    src = (demo_project / "data" / "demo.csv").read_text(encoding="utf-8")
    (elsewhere / "meting.csv").write_text(src, encoding="utf-8")
    out = demo_project / "out"
    assert main(["run", "demo", "--out", str(out), "--quiet", "-p", f"data={elsewhere / 'meting.csv'}"]) == 0
    d = out / "demo"
    rec = json.loads((d / "run.json").read_text())
    assert rec["parameters"]["data"] == "meting.csv" and "meting.csv" in rec["inputs"]
    for f in ("report.html", "notebook.ipynb", "run.json"):
        assert "gebruiker_jansen" not in (d / f).read_text(encoding="utf-8"), f


def test_table_of_contents_nests_subsections():
    body = "<main><div><div><h1>T</h1></div></div><h2>A</h2><h3>a1</h3><h3>a2</h3><h2>B</h2></main>"
    toc = add_toc(body).split('<ol>')[1].split('</ol>')[0]
    assert toc == ('<li><a href="#a">A</a><ul><li><a href="#a1">a1</a></li><li><a href="#a2">a2</a></li></ul></li>'
                   '<li><a href="#b">B</a></li>')
    # nbconvert's pilcrow links after each heading, as an entity or a character, stay out of the entries
    body = ('<main><div><div><h1>T</h1></div></div><h2 id="A-b">A &amp; b<a class="anchor-link" href="#A-b">&#182;</a>'
            '</h2><h3 id="c">c<a class="anchor-link" href="#c">¶</a></h3></main>')
    toc = add_toc(body).split('<ol>')[1].split('</ol>')[0]
    assert toc == '<li><a href="#A-b">A &amp; b</a><ul><li><a href="#c">c</a></li></ul></li>'


def test_tables_xlsx_keeps_numbers_text_and_empty_cells(tmp_path):
    (tmp_path / "tables").mkdir()
    (tmp_path / "tables" / "t.csv").write_text("id,n,share,label\n0123,5,0.25,a\n17,,1e-05,\n", encoding="utf-8")
    write_xlsx(tmp_path)
    ws = openpyxl.load_workbook(tmp_path / "tables.xlsx")["t"]
    assert [[c.value for c in r] for r in ws.iter_rows()] == [  # an id column with 0123 is text throughout
        ["id", "n", "share", "label"], ["0123", 5, 0.25, "a"], ["17", None, 1e-05, None]]


def test_tables_xlsx_keeps_text_that_only_reads_as_a_number(tmp_path):
    """Issue 15 (hostile labels): a column whose every value read as a float became numbers, so
    the company sizes '1.10', '2E3' and '0.50' became 1.1, 2000 and 0.5 (and '1.10' the same as
    '1.1'). A float is a number only as pandas writes one (its repr); the numbers pandas writes
    stay numbers."""
    frame = pd.DataFrame({"size": ["1.10", "1.1", "2E3", "0.50"], "score": [0.1, 1 / 3, 2000.0, 1e-05],
                          "n": [1, 2, 3, 4], "odd": [".5", "5.", "+1.5", "1e5"]})
    (tmp_path / "tables").mkdir()
    frame.to_csv(tmp_path / "tables" / "t.csv", index=False)
    write_xlsx(tmp_path)
    ws = openpyxl.load_workbook(tmp_path / "tables.xlsx")["t"]
    rows = [[c.value for c in r] for r in ws.iter_rows()][1:]
    assert [r[0] for r in rows] == ["1.10", "1.1", "2E3", "0.50"]  # text, as written
    assert [r[1] for r in rows] == [0.1, 1 / 3, 2000.0, 1e-05]  # numbers, exactly
    assert [r[2] for r in rows] == [1, 2, 3, 4]
    assert [r[3] for r in rows] == [".5", "5.", "+1.5", "1e5"]


def test_index_marks_only_synthetic_reports(tmp_path):
    """The index goes by the record (``synthetic``, set by the runner from the notebook), not by
    the page's text: a label in a table cell may hold the notice's class name. A record from
    before the runner recorded it goes by the report's ``synthetic`` parameter."""
    label = '<td>Chicago class="ev-notice ev-notice-synthetic"</td>'
    for name, record in (("a_echt", {"synthetic": False}), ("b_nagebootst", {"synthetic": True}),
                         ("c_ouder_echt", {}), ("d_ouder_nagebootst", {"parameters": {"synthetic": True}})):
        d = tmp_path / name
        d.mkdir()
        (d / "report.html").write_text(f"<style>.ev-notice-synthetic{{}}</style>{label}", encoding="utf-8")
        (d / "run.json").write_text(json.dumps({"run": name, "status": "ok", "title": name.title(),
                                                "notebook": "notebooks/x.ipynb", "parameters": {}, **record}),
                                    encoding="utf-8")
    html = write_index(tmp_path).read_text(encoding="utf-8")
    rows = html.split("<tbody>")[1].split("</tr>")[:4]
    assert ["synthetische voorbeeldgegevens" in r for r in rows] == [False, True, False, True]


def _notebook_with(*htmls: str) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("x")
    cell.outputs = [nbformat.v4.new_output("display_data", data={"text/html": h, "text/plain": ""}) for h in htmls]
    nb.cells = [nbformat.v4.new_markdown_cell('<aside class="ev-notice ev-notice-synthetic">'), cell]
    return nb


def test_a_notebook_shows_the_synthetic_notice_only_as_an_output_of_its_own():
    from evaluatie.run.notebook import shows_synthetic_notice

    captured = []
    with pytest.MonkeyPatch.context() as mp:  # the notice exactly as the report helper writes it
        mp.setattr(rp_module(), "_display", lambda obj=None, **_: captured.append(obj.data))
        rp_module().notice("Gesimuleerde gegevens.", kind="synthetic")
    table = '<table><tr><td>Chicago class="ev-notice ev-notice-synthetic"</td></tr></table>'
    assert shows_synthetic_notice(_notebook_with(table, captured[0]))
    assert shows_synthetic_notice(_notebook_with(table, [captured[0][:20], captured[0][20:]]))  # as lines
    assert not shows_synthetic_notice(_notebook_with(table, "<p>Een label: " + captured[0] + "</p>"))
    assert not shows_synthetic_notice(_notebook_with(table)) and not shows_synthetic_notice(None)


def rp_module():
    from evaluatie.publish import report

    return report


def test_the_index_calls_a_report_synthetic_only_when_it_showed_the_notice(demo_project):
    """Issue 15 (hostile labels): the index searched each report's HTML for the notice's class
    name, so a report on real data whose table showed a label holding it was called synthetic."""
    label = '"Chicago class=""ev-notice ev-notice-synthetic"""'  # CSV: the quotes doubled
    rows = ["group,value"] + [f"{label if i % 2 else 'b'},{i}" for i in range(20)]
    (demo_project / "data" / "demo.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    nb = nbformat.read(demo_project / "notebooks" / "demo.ipynb", as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell('rp.notice("Gesimuleerde gegevens.", kind="synthetic")'))
    nbformat.write(nb, demo_project / "notebooks" / "demo_syn.ipynb")
    _write_params(demo_project, "nagebootst", "notebook: demo_syn\nparameters:\n  threshold: 5\n")
    out = demo_project / "out"
    assert main(["run", "demo", "nagebootst", "--out", str(out), "--quiet"]) == 0
    assert 'class="ev-notice ev-notice-synthetic"' in (out / "demo" / "report.html").read_text(encoding="utf-8")
    assert [json.loads((out / n / "run.json").read_text(encoding="utf-8"))["synthetic"]
            for n in ("demo", "nagebootst")] == [False, True]
    index = BeautifulSoup((out / "index.html").read_text(encoding="utf-8"), "html.parser")
    marked = {r.find("small", class_="run").get_text(" ").split(" ")[0]: bool(r.select("small.syn"))
              for r in index.find("tbody").find_all("tr")}
    assert marked == {"demo": False, "nagebootst": True}


def test_an_error_of_the_file_system_fails_only_its_own_report(demo_project, monkeypatch, capsys):
    """Issue 15: an OSError while a report began (its lock file or folder, 'File name too long')
    escaped the runner's thread: that report and the next had no result but 'de runner stopte
    onverwacht', and the terminal showed a traceback. Now the report fails alone: with no folder
    it cannot have (its name too long), with a run.json when its folder exists (an input file
    that cannot be read); the message is Dutch and names no path."""
    import errno
    from dataclasses import replace

    from evaluatie.publish import provenance
    from evaluatie.run.params import load_run
    from evaluatie.run.runner import run_all

    (demo_project / "data" / "onleesbaar.csv").write_text((demo_project / "data" / "demo.csv").read_text())
    hashes = provenance.input_hashes

    def unreadable(paths):
        paths = list(paths)
        for p in paths:
            if Path(p).name == "onleesbaar.csv":
                raise PermissionError(errno.EACCES, "Permission denied", str(p))
        return hashes(paths)

    monkeypatch.setattr(provenance, "input_hashes", unreadable)
    demo = load_run(demo_project / "params" / "demo.yaml")
    runs = [replace(demo, name="a"), replace(demo, name="lang-" + "x" * 300),
            replace(demo, name="onleesbaar", parameters={**demo.parameters, "data": "data/onleesbaar.csv"}),
            replace(demo, name="b")]
    out = demo_project / "out"
    results = run_all(runs, out, jobs=1, progress=False)
    assert [r.status for r in results] == ["ok", "failed", "failed", "ok"]
    assert results[1].error["evalue"] == ("de map voor dit rapport kon niet gemaakt worden in de uitvoermap; er is "
                                          "niets overschreven: de naam is te lang voor het bestandssysteem")
    rec = json.loads((out / "onleesbaar" / "run.json").read_text(encoding="utf-8"))
    assert rec["status"] == "failed" and rec["error"]["ename"] == "PermissionError"
    assert rec["error"]["evalue"] == "een invoerbestand kon niet gelezen worden: geen toegang"
    assert not (out / "onleesbaar" / "report.html").exists()
    assert "Traceback" not in capsys.readouterr().err
    assert sorted(d.name for d in out.iterdir()) == ["a", "b", "index.html", "onleesbaar"]  # no lock, no tmp left
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "Permission denied" not in index and "geen toegang" in index


def test_index_dates_are_dutch(tmp_path):
    (tmp_path / "r").mkdir()
    (tmp_path / "r" / "run.json").write_text(json.dumps({"run": "r", "status": "ok", "finished": "2026-11-22T23:58:00+01:00"}))
    html = write_index(tmp_path).read_text(encoding="utf-8")
    assert "22 november 2026, 23.58 u" in html


def test_figure_alt_text_with_quotes_stays_one_attribute():
    alt = 'Staafdiagram: "vlot" en \'zeer vlot\' samen 69% <70%> & meer'
    png = ("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==")
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("x")
    cell.outputs = [nbformat.v4.new_output("display_data", data={"image/png": png, "text/plain": alt},
                                           metadata={"image/png": {"alt": alt}})]
    nb.cells = [cell]
    page = render_html(nb, "t")
    imgs = BeautifulSoup(page, features="html.parser").find_all("img")
    assert len(imgs) == 1 and imgs[0]["alt"] == alt and set(imgs[0].attrs) == {"src", "alt"}


PROBE = '''\
import os
import pandas as pd
from evaluatie.publish import report as rp
from evaluatie.publish.disclosure import no_counts
rp.start("Probe")
if tag == "die":
    os._exit(3)  # a kernel that dies (a crash, out of memory)
if tag == "stubborn":  # a report that ignores Ctrl-C
    import signal, time
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    open(os.path.join(os.environ["EVALUATIE_RUN_DIR"], "ignoring"), "w").close()
    time.sleep(300)
seen = getattr(rp, "_probe_mark", None)
rp._probe_mark = tag  # state a previous report could have left behind in a module
rp.export(no_counts(pd.DataFrame({"key": ["seen", "pid", "cwd"], "value": [str(seen), str(os.getpid()), os.getcwd()]}),
                    "a probe of the kernel's state"), "probe")
'''


@pytest.fixture
def probe_project(demo_project):
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.metadata["evaluatie"] = {"description_nl": "Probe voor de kernels"}
    cell = nbformat.v4.new_code_cell('tag: str = "x"  # label')
    cell.metadata["tags"] = ["parameters"]
    nb.cells = [cell, nbformat.v4.new_code_cell(PROBE)]
    nbformat.write(nb, demo_project / "notebooks" / "probe.ipynb")
    for tag in ("a", "b", "c", "die", "stubborn"):
        _write_params(demo_project, f"probe_{tag}", f"notebook: probe\nparameters:\n  tag: {tag}\n")
    return demo_project


def _probe(out: Path, run: str) -> dict[str, str]:
    with open(out / run / "tables" / "probe.csv", encoding="utf-8") as f:
        return {r["key"]: r["value"] for r in csv.DictReader(f)}


@pytest.mark.parametrize("jobs", [1, 2])
def test_every_report_gets_a_fresh_kernel_and_none_is_left_running(probe_project, jobs):
    out = probe_project / "out"
    names = ["probe_a", "probe_b", "probe_c"]
    assert main(["run", *names, "--out", str(out), "--quiet", "--jobs", str(jobs)]) == 0
    probes = [_probe(out, n) for n in names]
    assert [p["seen"] for p in probes] == ["None"] * 3  # no report sees what another one set
    assert len({p["pid"] for p in probes}) == 3  # a process of its own per report
    assert {p["cwd"] for p in probes} == {str(probe_project)}  # in the project root
    for p in probes:  # every kernel has ended (and was reaped) when the command returns
        with pytest.raises(ProcessLookupError):
            os.kill(int(p["pid"]), 0)
    assert not list(out.glob(".*"))  # no temporary run folders left


def test_a_kernel_that_dies_fails_only_its_own_report(probe_project, capsys):
    out = probe_project / "out"
    assert main(["run", "probe_die", "probe_a", "--out", str(out), "--quiet"]) == 1
    rec = json.loads((out / "probe_die" / "run.json").read_text(encoding="utf-8"))
    assert rec["status"] == "failed" and "DeadKernel" in rec["error"]["ename"]
    assert not (out / "probe_die" / "report.html").exists()
    assert json.loads((out / "probe_a" / "run.json").read_text(encoding="utf-8"))["status"] == "ok"
    assert "MISLUKT probe_die" in capsys.readouterr().out


def test_cpython_gh_90882_an_interrupted_join_marks_a_running_thread_ended():
    """``run_all`` waits for its threads through a queue, not ``Thread.join``: on this Python a
    join interrupted by Ctrl-C marks the thread as ended while it still runs (CPython issue
    gh-90882), so the runner would exit under a report that is still being written. When this
    test fails, the bug is fixed and the runner may join its threads again."""
    release = threading.Event()
    t = threading.Thread(target=release.wait, daemon=True)
    t.start()

    def interrupt(signum, frame):
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGALRM, interrupt)
    signal.setitimer(signal.ITIMER_REAL, 0.2)
    try:
        with pytest.raises(KeyboardInterrupt):
            t.join()
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    try:
        assert not release.is_set() and not t.is_alive()  # still waiting, yet reported as ended
    finally:
        release.set()


def _run_and_interrupt(out: Path, names: list[str], jobs: int, ready: list[str],
                       sig: int = signal.SIGINT) -> tuple[int, str, list[str], int]:
    """Run ``evaluatie run NAMES --jobs JOBS`` in a process of its own, press Ctrl-C (or send
    ``sig``) once every glob in ``ready`` (under ``out``) matches; return its exit code, stderr and
    its kernels' pids and its own pid."""
    code = ("import signal, sys\nsignal.signal(signal.SIGINT, signal.default_int_handler)\n"
            "from evaluatie.run.cli import main\n"
            f"sys.exit(main(['run', *{names!r}, '--jobs', '{jobs}', '--quiet', '--out', {str(out)!r}]))\n")
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        for _ in range(600):
            kernels = subprocess.run(["ps", "--ppid", str(proc.pid), "-o", "pid="], capture_output=True,
                                     text=True).stdout.split()
            if all(list(out.glob(g)) for g in ready):
                break
            time.sleep(0.1)
        assert all(list(out.glob(g)) for g in ready), "the reports did not start"
        time.sleep(0.5)  # from the cell that wrote the marker into the next one
        proc.send_signal(sig)
        _, err = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
    return proc.returncode, err, kernels, proc.pid


def _left_nothing(out: Path, kernels: list[str], command: int) -> None:
    assert not list(out.glob(".*"))  # no temporary run folders or lock files
    ipc = [d for d in Path(tempfile.gettempdir()).glob("ev-ipc-*")  # no kernel socket folder of the command
           if (d / "owner").is_file() and (d / "owner").read_text() == str(command)]
    assert ipc == []
    for pid in kernels:
        with pytest.raises(ProcessLookupError):
            os.kill(int(pid), 0)


def test_ctrl_c_stops_the_running_reports_and_leaves_nothing_behind(probe_project):
    """Ctrl-C during ``run --jobs 2``: a report in a cell fails with KeyboardInterrupt, one whose
    kernel ignores it is killed, no further report starts, the command ends, and no kernel or
    temporary folder is left."""
    for name in ("slow_a", "slow_c"):
        _write_params(probe_project, name, "notebook: demo\nparameters:\n  sleep: 300\n")
    out = probe_project / "out"
    code, err, kernels, command = _run_and_interrupt(out, ["slow_a", "probe_stubborn", "slow_c"], 2,
                                            [".slow_a*/tables/ledger.csv", ".probe_stubborn*/ignoring"])
    assert code == 130 and "Traceback" not in err and "onderbroken" in err and len(kernels) == 2
    records = {name: json.loads((out / name / "run.json").read_text(encoding="utf-8"))
               for name in ("slow_a", "probe_stubborn")}
    assert {r["status"] for r in records.values()} == {"interrupted"}
    errors = {name: r["error"] for name, r in records.items()}
    assert errors["slow_a"]["ename"] == "KeyboardInterrupt" and errors["slow_a"]["cell"] == 5
    assert errors["probe_stubborn"]["ename"] == "DeadKernelError"
    assert not (out / "slow_c").exists()  # never started
    index = (out / "index.html").read_text(encoding="utf-8")
    for name in ("slow_a", "probe_stubborn"):
        assert "onderbroken" in next(r for r in index.split("<tr>") if name in r)
    _left_nothing(out, kernels, command)


def test_ctrl_c_with_one_job(demo_project):
    for name in ("slow_a", "slow_b"):
        _write_params(demo_project, name, "notebook: demo\nparameters:\n  sleep: 300\n")
    out = demo_project / "out"
    code, err, kernels, command = _run_and_interrupt(out, ["slow_a", "slow_b"], 1, [".slow_a*/tables/ledger.csv"])
    assert code == 130 and "Traceback" not in err and len(kernels) == 1
    rec = json.loads((out / "slow_a" / "run.json").read_text(encoding="utf-8"))
    assert rec["error"]["ename"] == "KeyboardInterrupt" and rec["error"]["cell"] == 5
    nb = json.loads((out / "slow_a" / "notebook.ipynb").read_text(encoding="utf-8"))
    # the notebook up to the interrupted cell: which cells ran, and no output but the interruption
    assert [o["output_type"] for c in nb["cells"] for o in c.get("outputs", [])] == ["error"]
    assert sum(bool(c.get("execution_count")) for c in nb["cells"]) >= 3
    assert not (out / "slow_b").exists()
    _left_nothing(out, kernels, command)


def test_sigterm_stops_the_batch_like_ctrl_c(demo_project):
    for name in ("slow_a", "slow_b"):
        _write_params(demo_project, name, "notebook: demo\nparameters:\n  sleep: 300\n")
    out = demo_project / "out"
    code, err, kernels, command = _run_and_interrupt(out, ["slow_a", "slow_b"], 2,
                                            [".slow_a*/tables/ledger.csv", ".slow_b*/tables/ledger.csv"],
                                            sig=signal.SIGTERM)
    assert code == 130 and "Traceback" not in err and len(kernels) == 2
    for name in ("slow_a", "slow_b"):
        assert json.loads((out / name / "run.json").read_text(encoding="utf-8"))["status"] == "interrupted"
    assert "onderbroken" in (out / "index.html").read_text(encoding="utf-8")
    _left_nothing(out, kernels, command)


def test_closing_the_terminal_stops_the_command_like_ctrl_c(demo_project):
    """The audit: SIGHUP (the terminal window closed, an SSH connection dropped) ended the command
    at once (exit 129) with no run.json, and left ``.name.tmp-*/tables/*.csv`` and figures in the
    output folder. The command runs here on a pseudo-terminal of its own, whose other end is
    closed while a report runs: the report is recorded as interrupted, its kernel stopped, nothing
    temporary left, and the output it can no longer write does not turn that into a crash."""
    for name in ("slow_a", "slow_b"):
        _write_params(demo_project, name, "notebook: demo\nparameters:\n  sleep: 300\n")
    out = demo_project / "out"
    code = ("import sys\nfrom evaluatie.run.cli import main\n"
            f"sys.exit(main(['run', 'slow_a', 'slow_b', '--out', {str(out)!r}]))\n")
    pid, fd = pty.fork()
    if pid == 0:  # pragma: no cover - the child: a session of its own with the pty as its terminal
        os.execv(sys.executable, [sys.executable, "-c", code])
    try:
        for _ in range(600):
            if list(out.glob(".slow_a*/tables/ledger.csv")):
                break
            if select.select([fd], [], [], 0)[0]:  # keep the terminal's buffer from filling up
                os.read(fd, 65536)
            time.sleep(0.1)
        assert list(out.glob(".slow_a*/tables/ledger.csv")), "the report did not start"
        kernels = subprocess.run(["ps", "--ppid", str(pid), "-o", "pid="], capture_output=True, text=True).stdout.split()
        time.sleep(0.5)
    finally:
        os.close(fd)  # the terminal is gone: the kernel sends SIGHUP to its session leader
    for _ in range(1200):
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            break
        time.sleep(0.1)
    else:
        os.kill(pid, signal.SIGKILL)
        pytest.fail("the command did not end after its terminal was closed")
    assert os.waitstatus_to_exitcode(status) == 130 and len(kernels) == 1
    rec = json.loads((out / "slow_a" / "run.json").read_text(encoding="utf-8"))
    assert rec["status"] == "interrupted" and rec["error"]["ename"] == "KeyboardInterrupt"
    assert not (out / "slow_b").exists()  # never started
    assert "onderbroken" in (out / "index.html").read_text(encoding="utf-8")
    _left_nothing(out, kernels, pid)


def test_run_json_is_strict_json_whatever_the_record_holds():
    """The audit: `conf: .nan` reached run.json as a bare NaN, which is no JSON (a strict reader,
    e.g. a browser's JSON.parse, refuses the file). Parameters are refused now; the writer itself
    also never writes NaN or Infinity."""
    from evaluatie.run.runner import _json_text

    def strict(text):
        return json.loads(text, parse_constant=lambda c: pytest.fail(f"{c} in run.json"))

    rec = {"parameters": {"conf": float("nan"), "cut": [1.5, float("inf")]}, "seconds": 1.25, "ok": True}
    assert strict(_json_text(rec)) == {"parameters": {"conf": None, "cut": [1.5, None]}, "seconds": 1.25, "ok": True}
