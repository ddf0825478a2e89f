"""A full disk (or a quota, a folder that cannot be written) while a report is recorded: that
report fails with a Dutch message, the other reports of the batch go on, nothing half-written is
left looking like a result, and a failed index is said, not a traceback.

The disk is simulated: :meth:`pathlib.Path.write_text` writes half of the text and then raises
``OSError(ENOSPC)``, as a write that runs out of space does, for the files the test names."""

from __future__ import annotations

import errno
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from evaluatie.run.cli import main


def _write_params(proj: Path, name: str, body: str = "notebook: demo\n") -> None:
    (proj / "params" / f"{name}.yaml").write_text(body, encoding="utf-8")


def _full_disk(monkeypatch, hits, times: int | None = None) -> list[Path]:
    """``Path.write_text`` runs out of space for every path ``hits(path)`` names (only for the first
    ``times`` of them when given, as when the space a failed report frees is then enough): half of
    the text is written, then ``OSError(ENOSPC)``. Returns the paths it refused."""
    write = Path.write_text
    refused: list[Path] = []

    def write_text(self, data, *args, **kwargs):
        if hits(self) and (times is None or len(refused) < times):
            refused.append(self)
            write(self, data[: len(data) // 2], *args, **kwargs)
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(self))
        return write(self, data, *args, **kwargs)

    monkeypatch.setattr(Path, "write_text", write_text)
    return refused


def _run_json_of(*names: str):
    """The writes of ``run.json`` (or of a temporary file for it) in the temporary folders of the
    reports ``names``."""
    return lambda p: "run.json" in p.name and any(p.parent.name.startswith(f".{n}.tmp-") for n in names)


def _published(out: Path) -> list[Path]:
    return [p for p in out.rglob("*") if p.is_file()]


def _no_leftovers_and_no_traceback(out: Path, capsys) -> str:
    """What the command printed; asserts no traceback was printed or published, no temporary
    folder, part file or lock is left and every run.json is whole JSON."""
    printed = capsys.readouterr()
    assert "Traceback" not in printed.err and "Traceback" not in printed.out
    for f in _published(out):
        text = f.read_text(encoding="utf-8", errors="replace")
        assert "Traceback" not in text and "No space left" not in text and "Errno" not in text, f
        if f.name == "run.json":
            json.loads(text)  # never half a record
    assert not [p.name for p in out.rglob(".*")], "a temporary folder, part file or lock was left"
    return printed.out + printed.err


def test_a_report_whose_run_json_cannot_be_written_fails_alone_and_replaces_nothing(demo_project, monkeypatch,
                                                                                      capsys):
    """Before: the OSError of ``run.json`` escaped the runner's thread. The report's last good
    version, moved aside into the temporary folder, was removed with it; the reports after it got
    "de runner stopte onverwacht" and the terminal a traceback. Now the report fails alone, with a
    Dutch message naming its folder and the reason, and its folder stays as it was."""
    out = demo_project / "out"
    for name in ("b", "c"):
        _write_params(demo_project, name)
    _write_params(demo_project, "x", "notebook: demo\nparameters:\n  fail: true\n")
    assert main(["run", "b", "--out", str(out), "--quiet"]) == 0
    before = {p.relative_to(out / "b"): p.read_bytes() for p in _published(out / "b")}
    capsys.readouterr()

    refused = _full_disk(monkeypatch, _run_json_of("b", "x"))  # the disk stays full for b and x
    assert main(["run", "b", "x", "c", "--out", str(out), "--quiet", "--jobs", "1"]) == 1
    assert {p.parent.name.split(".tmp-")[0] for p in refused} == {".b", ".x"}
    printed = _no_leftovers_and_no_traceback(out, capsys)
    assert "1 geslaagd, 2 mislukt" in printed
    for name in ("b", "x"):
        line = next(line for line in printed.splitlines() if line.startswith(f"MISLUKT {name} "))
        assert f"run.json kon niet geschreven worden in out/{name}: de schijf is vol" in line
        assert f"out/{name} is niet gewijzigd" in line
    assert "bewust mislukte cel" in printed  # x's own failure is said as well: it is recorded nowhere
    assert {p.relative_to(out / "b"): p.read_bytes() for p in _published(out / "b")} == before
    assert not (out / "x").exists()
    assert json.loads((out / "c" / "run.json").read_text(encoding="utf-8"))["status"] == "ok"
    assert (out / "c" / "report.html").is_file()


def test_a_report_whose_run_json_fits_once_its_results_are_gone_is_recorded_as_failed(demo_project, monkeypatch,
                                                                                        capsys):
    """The disk is full when the record of a report that succeeded is written. A report without its
    record is no result: its page, tables, figures and notebook go, the last good report is kept
    as ``vorige/``, and the failed record, written in the space they freed, says why."""
    out = demo_project / "out"
    for name in ("a", "b"):
        _write_params(demo_project, name)
    assert main(["run", "b", "--out", str(out), "--quiet"]) == 0
    capsys.readouterr()

    _full_disk(monkeypatch, _run_json_of("b"), times=1)
    assert main(["run", "a", "b", "--out", str(out), "--quiet", "--jobs", "2"]) == 1
    printed = _no_leftovers_and_no_traceback(out, capsys)
    assert "1 geslaagd, 1 mislukt" in printed
    assert (out / "a" / "report.html").is_file()
    d = out / "b"
    rec = json.loads((d / "run.json").read_text(encoding="utf-8"))
    assert rec["status"] == "failed" and rec["error"]["kind"] == "runner"
    assert rec["error"]["evalue"] == ("run.json kon niet geschreven worden in out/b: de schijf is vol; het rapport "
                                      "is daarom niet bewaard")
    assert sorted(p.name for p in d.iterdir()) == ["run.json", "vorige"]  # no page, table, figure or notebook
    assert rec["last_good"]["report"] == "vorige/report.html"
    assert "Vorige versie" in (d / "vorige" / "report.html").read_text(encoding="utf-8")
    row = next(r for r in (out / "index.html").read_text(encoding="utf-8").split("<tr>") if 'class="run">b ' in r)
    assert "mislukt" in row and "de schijf is vol" in row and "vorige versie" in row
    assert 'href="b/report.html"' not in row


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_an_index_that_cannot_be_written_is_said_after_every_report_ran(demo_project, monkeypatch, capsys, jobs):
    """Before: the OSError of ``index.html`` escaped the command as a traceback, after the reports.
    Now the command says in Dutch that the index was not written and exits with 1; every report is
    made and recorded."""
    out = demo_project / "out"
    for name in ("a", "b"):
        _write_params(demo_project, name)
    refused = _full_disk(monkeypatch, lambda p: "index.html" in p.name)
    assert main(["run", "a", "b", "--out", str(out), "--quiet", "--jobs", jobs]) == 1
    assert refused
    printed = _no_leftovers_and_no_traceback(out, capsys)
    assert "2 geslaagd, 0 mislukt" in printed
    assert "evaluatie: het overzicht out/index.html kon niet geschreven worden: de schijf is vol" in printed
    assert not (out / "index.html").exists()
    for name in ("a", "b"):
        assert json.loads((out / name / "run.json").read_text(encoding="utf-8"))["status"] == "ok"
        assert (out / name / "report.html").is_file()


def test_a_report_whose_page_does_not_fit_fails_with_the_reason_and_no_table(demo_project, monkeypatch, capsys):
    """The disk is full when the runner writes a report's page. Before: the report failed with the
    system's English message (the path of the temporary folder in it) in the terminal and "de
    volledige melding staat in de terminal" in its run.json. Now both say which folder and why, in
    Dutch, and nothing of it but its record and notebook is left."""
    out = demo_project / "out"
    for name in ("a", "b"):
        _write_params(demo_project, name)
    _full_disk(monkeypatch, lambda p: p.name == "report.html" and p.parent.name.startswith(".b.tmp-"))
    assert main(["run", "a", "b", "--out", str(out), "--quiet", "--jobs", "1"]) == 1
    printed = _no_leftovers_and_no_traceback(out, capsys)
    assert "MISLUKT b (demo.ipynb, buiten een cel): OSError: het rapport kon niet geschreven worden in out/b: " \
           "de schijf is vol" in printed
    rec = json.loads((out / "b" / "run.json").read_text(encoding="utf-8"))
    assert rec["status"] == "failed"
    assert rec["error"]["evalue"] == "het rapport kon niet geschreven worden in out/b: de schijf is vol"
    names = {p.name for p in (out / "b").iterdir()}
    assert {"notebook.ipynb", "run.json"} <= names <= {"notebook.ipynb", "run.json", "kernel.log"}
    assert (out / "a" / "report.html").is_file()


def test_a_run_folder_that_cannot_be_put_in_place_leaves_the_last_good_report(demo_project, monkeypatch, capsys):
    """The last step, the run folder taking the place of the report's folder, fails (a rename the
    file system refuses). Before: the report's folder, moved aside first, stayed aside under a
    temporary name the next command removes, and the batch stopped with a traceback. Now it is
    moved back: the last good report is where it was, and the report fails with the reason."""
    out = demo_project / "out"
    for name in ("a", "b"):
        _write_params(demo_project, name)
    assert main(["run", "b", "--out", str(out), "--quiet"]) == 0
    before = {p.relative_to(out / "b"): p.read_bytes() for p in _published(out / "b")}
    capsys.readouterr()
    rename = Path.rename

    def refusing(self, target):
        if self.name.startswith(".b.tmp-") and Path(target).name == "b":
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(self), None, str(target))
        return rename(self, target)

    monkeypatch.setattr(Path, "rename", refusing)
    assert main(["run", "b", "a", "--out", str(out), "--quiet", "--jobs", "1"]) == 1
    printed = _no_leftovers_and_no_traceback(out, capsys)
    assert ("MISLUKT b (demo.ipynb, buiten een cel): OSError: de nieuwe map kon niet op de plaats van out/b gezet "
            "worden: de schijf is vol; het rapport is niet bewaard en out/b is niet gewijzigd") in printed
    assert {p.relative_to(out / "b"): p.read_bytes() for p in _published(out / "b")} == before
    assert (out / "a" / "report.html").is_file()


def test_a_last_good_report_that_cannot_be_put_back_is_said_truthfully(demo_project, monkeypatch, capsys):
    """A failed attempt moves the last good report aside; when neither the attempt nor the last good
    report can then be moved into place (every rename onto the report's folder refused), the folder is
    gone and the last good report waits in the run folder. The message says so (before: "out/b is niet
    gewijzigd", which was not true), and the next command in the folder puts it back before its sweep
    (before: the sweep removed it with the folder)."""
    out = demo_project / "out"
    _write_params(demo_project, "b")
    assert main(["run", "b", "--out", str(out), "--quiet"]) == 0
    _write_params(demo_project, "b", "notebook: demo\nparameters:\n  fail: true\n")
    capsys.readouterr()
    rename = Path.rename

    def refuse(self, target):
        if Path(target) == out / "b":
            raise OSError(errno.EROFS, os.strerror(errno.EROFS), str(target))
        return rename(self, target)

    monkeypatch.setattr(Path, "rename", refuse)
    assert main(["run", "b", "--out", str(out), "--quiet"]) == 1
    monkeypatch.setattr(Path, "rename", rename)
    printed = capsys.readouterr()
    line = next(line for line in (printed.out + printed.err).splitlines() if line.startswith("MISLUKT b "))
    assert "niet gewijzigd" not in line
    assert "de vorige versie kon niet teruggezet worden: ze staat in out/.b.tmp-" in line
    assert "de volgende opdracht in deze map zet ze terug als out/b" in line
    assert not (out / "b").exists()
    kept = next(out.glob(".b.tmp-*/vorige"))
    assert json.loads((kept / "run.json").read_text(encoding="utf-8"))["status"] == "ok"
    good = {p.relative_to(kept): p.read_bytes() for p in _published(kept)}
    # the command that left it has ended (here: the folder renamed to a process that no longer runs):
    # the next command puts the last good report back before it sweeps (before: swept away with the folder)
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    kept.parent.rename(out / f".b.tmp-{dead.pid}-0123abcd")
    assert main(["run", "b", "--out", str(out), "--quiet"]) == 1  # still failing: the good one becomes vorige/
    assert json.loads((out / "b" / "run.json").read_text(encoding="utf-8"))["status"] == "failed"
    back = out / "b" / "vorige"
    assert {p.relative_to(back): p.read_bytes() for p in _published(back)
            if p.name not in ("run.json", "report.html")} == {k: v for k, v in good.items()
                                                              if k.name not in ("run.json", "report.html")}
    assert json.loads((back / "run.json").read_text(encoding="utf-8"))["status"] == "ok"
    assert not list(out.glob(".b.*"))
