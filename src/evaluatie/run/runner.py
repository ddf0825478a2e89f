"""Run notebooks with papermill and publish them as HTML with nbconvert.

Each run goes to ``<out>/<run>/``:

- ``report.html`` — the published report (no code, Dutch, offline, with table of contents);
- ``notebook.ipynb`` — the executed notebook;
- ``tables/<name>.csv`` and ``tables.xlsx`` — every table the report shows, machine-readable;
- ``figures/<name>.png``;
- ``report.pdf`` — with ``--pdf``: the same report on A4 pages (WeasyPrint, the print stylesheet);
- ``run.json`` — parameters, SHA-256 of inputs, versions, git commit, start/end, status and, for a
  report that was made, whether it showed the synthetic-data notice (``synthetic``).

A run is built in a temporary sibling folder and swapped in at the end, so a folder never mixes
a fresh ``run.json`` with a stale ``report.html``: a failed run's folder has no ``report.html``,
no ``tables/``, ``figures/`` or ``tables.xlsx`` (what a run wrote before it failed is not a
result), only ``run.json``, the kernel's log and the notebook up to the failing cell with no
output but the error (:func:`evaluatie.run.notebook.publish_notebook`). The published error of an
exception that is not the package's own (a pandas or numpy message may quote a cell) is only its
name and cell (:func:`evaluatie.publish.provenance.publishable_error`); the terminal shows all.

``run.json`` is strict JSON: a number that is not finite is written as ``null``.

A failed rerun never destroys the last good report. It moves, whole (report, tables, figures,
its own ``run.json``), into the failed attempt's folder as ``<run>/vorige/``; a further failed
attempt carries it along, a successful one replaces it. So:

- ``<run>/report.html`` exists only when the newest attempt succeeded: a link to it never shows
  an older report as if it were the newest;
- ``<run>/run.json`` is the failed attempt's record, with ``last_good`` pointing at
  ``vorige/report.html`` and its date; ``vorige/run.json`` is the old report's own record, with
  ``superseded_by: ../run.json``;
- ``vorige/report.html`` opens with a notice that a newer attempt failed, for whoever opens the
  file without the index;
- ``index.html`` shows the run as "mislukt" with its error, and links the last good report as
  "vorige versie" with its date.

A full disk (a quota, a folder turned read-only) stops no batch. ``run.json`` and every file the
runner rewrites are written whole or not at all (a part file that replaces it). A report whose own
files do not fit fails alone, with a Dutch message naming its folder and the reason: its folder
then holds the failed ``run.json`` (written once its page, tables, figures and notebook are
removed) beside ``vorige/``, as any failed attempt's; when not even that fits, or the run folder
cannot be put in place, the folder stays as it was and only the terminal says so. An index that
cannot be written is said after every report ran (:class:`IndexNotWritten`); the old index stays
whole.

Every report gets a fresh kernel, started the normal way (:mod:`evaluatie.run.kernel`). As soon
as a report's cells have run, the runner asks its kernel to exit and starts the next report's
kernel; the new kernel boots while the finished report is rendered (:mod:`evaluatie.run.notebook`).

``jobs`` threads share the reports out, each taking the next report from a common queue when its
previous report's cells are done. Threads, not processes: the reports' work
runs in their kernels, which are processes of their own, and a thread only drives its kernel and
renders. Worker processes would each import papermill and nbconvert again: ``run --all --jobs 2``
took 1.5-2.8 s more CPU time with them (``benchmarks/suite.py``).
"""

from __future__ import annotations

import errno
import html as h
import json
import math
import os
import queue
import re
import shutil
import signal
import sys
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from jupyter_core.utils import run_sync
from tqdm.auto import tqdm

from evaluatie.core import fmt
from evaluatie.core.errors import terminal_text
from evaluatie.core.paths import display_path, root
from evaluatie.publish import provenance as prov
from evaluatie.run.kernel import ReportKernelManager, request_stop, start_kernel, stop_kernel
from evaluatie.run.locks import Busy, PidLock, run_folder, sweep
from evaluatie.run.params import RunSpec

__all__ = ["IndexNotWritten", "Interrupted", "RunResult", "execute", "run_all", "write_index"]


@dataclass
class RunResult:
    name: str
    notebook: str
    status: str  # "ok", "failed" or "interrupted" (stopped by Ctrl-C or SIGTERM)
    seconds: float
    error: dict | None = None
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.status == "ok"

    def describe_error(self) -> str:
        e = self.error or {}
        where = f"cel {e['cell']}" if e.get("cell") else "buiten een cel"
        return f"{self.name} ({self.notebook}.ipynb, {where}): {e.get('ename', 'fout')}: {terminal_text(str(e.get('evalue', '')))}"


@dataclass
class _Run:
    """A report in progress: its temporary folder, record and kernel."""

    spec: RunSpec
    out: Path
    tmp: Path
    record: dict
    t0: float
    km: ReportKernelManager | None = None
    error: dict | None = None
    nb: object = None  # the executed notebook (an nbformat NotebookNode)
    lock: PidLock | None = None  # held while this command makes the report (locks.PidLock)


def _shown_parameters(run: RunSpec) -> dict:
    """Parameters as published: input paths relative to the project root, or just the file name."""
    return {k: (display_path(v) if isinstance(v, str) and v and k in run.specs and run.specs[k].is_path else v)
            for k, v in run.parameters.items()}


def _swap_in(tmp: Path, final: Path) -> None:
    """Put the run folder ``tmp`` in the place of ``final``. When that fails (:class:`OSError`),
    ``final`` is as it was."""
    if final.exists():
        trash = final.with_name(f".{final.name}.old-{os.getpid()}-{uuid.uuid4().hex[:8]}")
        final.rename(trash)
        try:
            tmp.rename(final)
        except BaseException:
            trash.rename(final)
            raise
        shutil.rmtree(trash, ignore_errors=True)
    else:
        tmp.rename(final)


def _write_whole(path: Path, text: str) -> None:
    """Write ``path`` whole or not at all: through a part file beside it that replaces it
    (:func:`os.replace`), so a full disk leaves the old file, or none, never half a file."""
    part = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}.part")
    try:
        part.write_text(text, encoding="utf-8")
        os.replace(part, path)
    finally:
        part.unlink(missing_ok=True)


PREVIOUS = "vorige"  # a failed attempt's sub-folder holding the last good report

_MAIN = re.compile(r"<main\b[^>]*>")


def _finite(value):
    """``value`` with every float that is not finite (NaN, infinity) replaced by None."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_finite(v) for v in value]
    return value


def _json_text(record: dict) -> str:
    """A record as strict JSON (no bare NaN, which JSON readers other than Python's refuse)."""
    return json.dumps(_finite(record), indent=2, ensure_ascii=False, allow_nan=False)


def _read_record(path: Path) -> dict:
    try:
        rec = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return rec if isinstance(rec, dict) else {}


def _is_good(folder: Path, rec: dict | None = None) -> bool:
    """Whether ``folder`` holds a good report: its record (read if not given) says ok and the page is there."""
    rec = _read_record(folder / "run.json") if rec is None else rec
    return rec.get("status") == "ok" and (folder / "report.html").is_file()


def _superseded_notice(rec: dict) -> str:
    made = fmt.datetime_nl(rec.get("finished") or "") or "een eerdere datum"
    return ('<aside class="ev-notice ev-notice-warning ev-notice-superseded" role="note">'
            "<strong>Vorige versie: een nieuwere poging om dit rapport te maken is mislukt.</strong>"
            f"<p>Dit is het laatste geslaagde rapport, gemaakt op {h.escape(made)}. Het is niet het nieuwe rapport. "
            'Waarom de nieuwere poging mislukte, staat in <a href="../run.json">run.json</a> van die poging '
            'en in het <a href="../../index.html">overzicht van de rapporten</a>.</p></aside>')


def _move_last_good(tmp: Path, final: Path) -> Path | None:
    """Before a failed attempt in ``tmp`` replaces ``final``: move the last good report into
    ``tmp/vorige`` (the whole previous folder if it succeeded, else the previous failed attempt's
    ``vorige``). Return where it came from (to put it back if the attempt cannot be recorded), or
    None when there is no good report."""
    if _is_good(final):
        final.rename(tmp / PREVIOUS)
        return final
    if _is_good(final / PREVIOUS):
        (final / PREVIOUS).rename(tmp / PREVIOUS)
        return final / PREVIOUS
    return None


def _last_good(kept: Path) -> dict:
    """What a failed attempt's ``run.json`` records about the last good report kept in ``kept``."""
    rec = _read_record(kept / "run.json")
    return {"report": f"{PREVIOUS}/report.html", "run_json": f"{PREVIOUS}/run.json",
            "title": rec.get("title"), "finished": rec.get("finished")}


def _mark_superseded(kept: Path) -> None:
    """The last good report, just moved into a failed attempt's ``vorige/``: its ``run.json`` gets
    ``superseded_by`` and its page the notice that a newer attempt failed. Each file is replaced
    whole; one that cannot be written (a full disk) stays as it was: the failed attempt's
    ``run.json`` and the index still say which report is the newer attempt."""
    rec = _read_record(kept / "run.json")
    page = kept / "report.html"
    try:
        _write_whole(kept / "run.json", _json_text({**rec, "superseded_by": "../run.json"}))
        _write_whole(page, _MAIN.sub(lambda m: m.group(0) + _superseded_notice(rec), page.read_text(encoding="utf-8"),
                                     count=1))
    except OSError:
        pass


def _rescue(folder: Path) -> bool:
    """Before :func:`~evaluatie.run.locks.sweep` removes a dead command's run folder: put back the
    last good report it still holds, so that a command killed (or refused every rename) between moving
    it aside and putting the new folder in place loses nothing. A folder moved aside (``.<name>.old-…``)
    goes back as ``<name>`` when there is none; a run folder's ``vorige/`` goes back as ``<name>`` when
    there is none, or as ``<name>/vorige`` when ``<name>`` is a failed attempt without a good one. True
    when the folder may be removed (nothing left to put back, or it is superseded); False keeps it
    (a rename failed: the report stays where the message of the failed command said it is)."""
    name, kind, _ = run_folder(folder)
    final = folder.parent / name
    try:
        if kind == "old":
            if not final.exists() and _is_good(folder):
                folder.rename(final)
            return True
        kept = folder / PREVIOUS
        if not _is_good(kept):
            return True
        if not final.exists():
            kept.rename(final)
        elif not _is_good(final) and not _is_good(final / PREVIOUS):
            if (final / PREVIOUS).exists():
                shutil.rmtree(final / PREVIOUS)
            kept.rename(final / PREVIOUS)
        return True
    except OSError:
        return False


def _put_back(tmp: Path, origin: Path | None) -> bool:
    """Undo :func:`_move_last_good`: the last good report back where it came from. False when it
    could not be moved (it is then still in ``tmp/vorige``)."""
    if origin is None or not (tmp / PREVIOUS).is_dir():
        return True
    try:
        (tmp / PREVIOUS).rename(origin)
    except OSError:
        return False
    return True


def _busy(spec: RunSpec, e: Busy) -> RunResult:
    """The result of a report that another running command is making right now: nothing written."""
    who = f" (proces {e.owner})" if e.owner else ""
    return RunResult(spec.name, spec.notebook.stem, "failed", 0.0, {
        "cell": None, "ename": "RunBusy", "kind": "busy",
        "evalue": f"rapport {spec.name} wordt op dit moment al gemaakt door een andere opdracht{who}; "
                  "er is niets overschreven. Probeer opnieuw als die klaar is, of kies een andere naam of --out"})


#: Dutch reasons for the errors of the file system a run can meet while its folder is made; the
#: exception's own text names the path, which holds the report's name and so a user's label
_OS_REASONS = {
    errno.ENAMETOOLONG: "de naam is te lang voor het bestandssysteem",
    getattr(errno, "EDQUOT", errno.ENOSPC): "de schijfruimte van deze gebruiker is op",  # not on every platform
    errno.ENOSPC: "de schijf is vol",
    errno.EACCES: "geen toegang",
    errno.EPERM: "geen toegang",
    errno.EROFS: "het bestandssysteem is alleen-lezen",
    errno.ENOENT: "een bestand of map bestaat niet (meer)",
    errno.EIO: "een lees- of schrijffout van de schijf",
}


def _os_error(exc: OSError, what: str, then: str = "") -> dict:
    """A run's error record for an error of the file system: ``what`` failed, and the reason in
    Dutch (:data:`_OS_REASONS`), without the path or the system's own message, then ``then``."""
    reason = _OS_REASONS.get(exc.errno) or f"systeemfout {errno.errorcode.get(exc.errno, exc.errno)}"
    return {"cell": None, "ename": type(exc).__name__, "kind": "runner", "evalue": f"{what}: {reason}{then}"}


def _disk_reason(published: tuple, before: dict | None, final: Path) -> tuple:
    """:func:`evaluatie.run.notebook.publish_notebook`'s result, with an error of the file system
    while the report was written (its page, notebook or ``tables.xlsx``: a full disk) told as
    :func:`_os_error` tells it: which folder and why, in Dutch, published, instead of the
    system's English message with the path, which was shown only in the terminal."""
    title, warnings, error = published
    if error is None or error is before or error.get("kind") != "export" or error.get("errno") is None:
        return published
    told = _os_error(OSError(error["errno"], ""), f"het rapport kon niet geschreven worden in {_shown_folder(final)}")
    return title, warnings, {**told, "ename": error["ename"]}


def _shown_folder(folder: Path) -> str:
    """A report's folder as a message names it: relative to the project root, or the output
    folder's name and its own (never the absolute path)."""
    try:
        return folder.resolve().relative_to(root()).as_posix()
    except ValueError:
        return f"{folder.parent.name}/{folder.name}"


def _not_begun(spec: RunSpec, exc: OSError) -> RunResult:
    """The result of a report whose folder could not be made (its lock file or temporary folder):
    nothing written, the other reports go on."""
    return RunResult(spec.name, spec.notebook.stem, "failed", 0.0, _os_error(
        exc, "de map voor dit rapport kon niet gemaakt worden in de uitvoermap; er is niets overschreven"))


def _begin(spec: RunSpec, out: Path) -> _Run:
    """Take the report's lock (:class:`Busy` if another command holds it), create the run's
    temporary folder and provenance record and start its kernel.

    An :class:`OSError` while the lock file or the temporary folder is made is raised (the report
    gets no folder, :func:`_not_begun`); one after it (an input file that cannot be read, a folder
    that cannot be written) fails only this report, recorded in its ``run.json``."""
    out.mkdir(parents=True, exist_ok=True)
    lock = PidLock(out / f".{spec.name}.lock")
    lock.acquire()
    tmp = out / f".{spec.name}.tmp-{os.getpid()}-{uuid.uuid4().hex[:8]}"
    try:
        tmp.mkdir()
    except BaseException:
        lock.release()
        raise
    r = _Run(spec, out, tmp, {}, time.perf_counter(), lock=lock)
    r.record = {
        "run": spec.name,
        "notebook": display_path(spec.notebook),
        "params_file": display_path(spec.params_file) if spec.params_file else None,
        "parameters": _shown_parameters(spec),
        "inputs": {},
        "versions": prov.versions(),
        "git_commit": prov.git_commit(),
        "started": prov.now_iso(),
    }
    try:
        r.record["inputs"] = prov.input_hashes(spec.inputs())
    except OSError as exc:
        r.error = _os_error(exc, "een invoerbestand kon niet gelezen worden")
        return r
    try:
        (tmp / "provenance.json").write_text(_json_text(r.record), encoding="utf-8")
    except OSError as exc:
        r.error = _os_error(exc, "de map van dit rapport kon niet beschreven worden")
        return r
    try:
        r.km = start_kernel(tmp, root())
    except Exception as exc:  # noqa: BLE001 - this report fails, the others go on
        r.error = {"cell": None, "ename": type(exc).__name__, "evalue": prov.scrub_paths(str(exc).strip()[:300]),
                   "kind": "kernel"}
    return r


def _drop_results(tmp: Path, notebook: bool = False) -> None:
    """Remove what is no result in a run folder that failed: tables, figures, ``tables.xlsx``,
    ``report.pdf`` and, with ``notebook``, the page and the executed notebook too (a run that ran
    to the end but could not be recorded: its notebook shows every output)."""
    for part in ("tables", "figures"):
        shutil.rmtree(tmp / part, ignore_errors=True)
    for name in ("tables.xlsx", "report.pdf", *(("report.html", "notebook.ipynb") if notebook else ())):
        (tmp / name).unlink(missing_ok=True)


def _finish(r: _Run, title: str | None, warnings: list[str], stopping: threading.Event | None = None) -> RunResult:
    """Write ``run.json``, keep the kernel's log only if the run failed, keep the last good report
    if it failed (``vorige/``), swap the run folder in. A run that ended with an error while the
    command was being stopped (``stopping``) is recorded as interrupted.

    The report's own files may not fit (a full disk, a quota, a folder turned read-only). A run
    whose ``run.json`` cannot be written is no result: when it succeeded, it fails, its page,
    tables, figures and notebook are removed and the failed ``run.json`` is written in the space
    they freed. When no ``run.json`` can be written at all, or the folder cannot be put in place,
    the report's folder stays as it was (its last good report too) and only the terminal says why.
    Either way this report fails with a Dutch message naming its folder and the reason, and the
    other reports go on."""
    tmp, record, final = r.tmp, r.record, r.out / r.spec.name
    shown = _shown_folder(final)
    status = "ok" if r.error is None else "failed"
    if r.error is not None and stopping is not None and stopping.is_set():
        status = "interrupted"
        r.error = {**r.error, "kind": "interrupted"}
    if title:
        record["title"] = title
    record.update(finished=prov.now_iso(), seconds=round(time.perf_counter() - r.t0, 2), status=status,
                  error=prov.publishable_error(r.error),
                  warnings=[prov.publishable_warning(w) for w in warnings])
    origin = None  # where the last good report came from while it is in tmp/vorige
    own = r.error  # the run's own failure, said in the terminal when nothing can record it
    what = f"run.json kon niet geschreven worden in {shown}"
    try:
        if status != "ok":
            # tables and figures of a run that did not finish are not results: only run.json, the
            # kernel's log and the notebook up to the failing cell (without outputs but the error)
            # stay, next to the last good report (vorige/)
            _drop_results(tmp)
            what = f"de vorige versie in {shown} kon niet opzij gezet worden"
            origin = _move_last_good(tmp, final)
            record["last_good"] = _last_good(tmp / PREVIOUS) if origin else None
            what = f"run.json kon niet geschreven worden in {shown}"
        (tmp / "provenance.json").unlink(missing_ok=True)
        klog = tmp / "kernel.log"
        if klog.exists():
            if status == "ok":
                klog.unlink()
            else:
                try:
                    _write_whole(klog, prov.scrub_paths(klog.read_text(encoding="utf-8", errors="replace")))
                except OSError:  # a log that still names local paths is not published
                    klog.unlink(missing_ok=True)
        try:
            _write_whole(tmp / "run.json", _json_text(record))
        except OSError as exc:
            if status != "ok":
                raise
            # a report without its record is no result: it fails, and its failed record, much
            # smaller than what it leaves out, is written in the space they took
            status = "failed"
            r.error = _os_error(exc, what, "; het rapport is daarom niet bewaard")
            _drop_results(tmp, notebook=True)
            origin = _move_last_good(tmp, final)
            record.update(status=status, error=prov.publishable_error(r.error),
                          last_good=_last_good(tmp / PREVIOUS) if origin else None)
            _write_whole(tmp / "run.json", _json_text(record))
        what = f"de nieuwe map kon niet op de plaats van {shown} gezet worden"
        _swap_in(tmp, final)
    except OSError as exc:
        r.error = _unrecorded(r, exc, what, shown, own, origin)
        status = "failed" if status == "ok" else status
    except BaseException:
        _put_back(tmp, origin)  # the runner's own error: _work removes the run folder
        raise
    else:
        if origin == final:  # after the swap: a report put back when it fails has no notice
            _mark_superseded(final / PREVIOUS)
    r.lock.release()
    return RunResult(r.spec.name, r.spec.notebook.stem, status, record["seconds"], r.error, warnings)


def _unrecorded(r: _Run, exc: OSError, what: str, shown: str, own: dict | None, origin: Path | None) -> dict:
    """A run that could not be recorded or put in place: its folder is left as it was (the last
    good report put back), the run folder removed; the error says so, and the run's own failure
    (recorded nowhere else) is said with it."""
    kept = _put_back(r.tmp, origin)
    if kept:
        then = f"; het rapport is niet bewaard en {shown} is niet gewijzigd"
        shutil.rmtree(r.tmp, ignore_errors=True)
    else:  # the last good report could not be moved back: it stays in the run folder, which stays
        # (the next command in this folder puts it back before its sweep: _rescue)
        then = (f"; het rapport is niet bewaard en de vorige versie kon niet teruggezet worden: ze staat in "
                f"{_shown_folder(r.tmp)}/{PREVIOUS}; de volgende opdracht in deze map zet ze terug"
                + (f" als {shown}" if origin == r.out / r.spec.name else ""))
    if own is not None:
        where = f"cel {own['cell']}" if own.get("cell") else "buiten een cel"
        then += f" (het rapport was al mislukt, {where}: {own.get('ename', 'fout')}: {own.get('evalue', '')})"
    return _os_error(exc, what, then)


Task = tuple[int, RunSpec]


def _work(take: Callable[[], Task | None], done: Callable[[int, RunResult], None], out: Path,
          timeout: float | None, progress: bool, live: set[ReportKernelManager] | None = None,
          stopping: threading.Event | None = None) -> None:
    """Run the reports ``take`` hands out until it returns None. The next report's kernel starts
    as soon as the previous report's cells have run, before that report is rendered. ``live``
    holds the kernels that run meanwhile."""
    started: list[_Run] = []
    live = set() if live is None else live

    def begin() -> tuple[int, _Run] | None:
        while True:
            task = take()
            if task is None:
                return None
            try:
                started.append(_begin(task[1], out))
                break
            except Busy as e:
                done(task[0], _busy(task[1], e))
            except OSError as e:  # no folder for this report: it fails, the others go on
                done(task[0], _not_begun(task[1], e))
        if started[-1].km is not None:
            live.add(started[-1].km)
        return task[0], started[-1]

    try:
        current = begin()
        # Imported here, not at the top: papermill, nbformat and nbconvert take 1.4-1.8 s to
        # import, which `evaluatie --help` and `evaluatie list` then do not pay (0.2 s instead
        # of 1.8 s), and which overlaps with the first kernel's start when a core is free (one
        # short report, busy 2-core machine: 4.13 s instead of 4.26 s, medians of 6).
        from evaluatie.run import notebook as nbrun

        while current is not None:
            key, r = current
            if r.error is None:
                r.nb, r.error = nbrun.execute_notebook(r.spec, r.km, timeout, progress)
                request_stop(r.km)
            following = begin()
            title, warnings, r.error = _disk_reason(nbrun.publish_notebook(r.nb, r.spec, r.tmp, r.error),
                                                    r.error, r.out / r.spec.name)
            if r.error is None:  # the index reads it (a report on simulated data says so there)
                r.record["synthetic"] = nbrun.shows_synthetic_notice(r.nb)
            if r.km is not None:
                stop_kernel(r.km)  # it has had the rendering's time to exit
                live.discard(r.km)
            done(key, _finish(r, title, warnings, stopping))
            started.remove(r)
            current = following
    finally:
        for r in started:  # interrupted (Ctrl-C, a crash in the runner): no kernel is left behind
            if r.km is not None:
                stop_kernel(r.km, now=True)
                live.discard(r.km)
            shutil.rmtree(r.tmp, ignore_errors=True)
            r.lock.release()


def execute(run: RunSpec, out: Path, *, timeout: float | None = None, progress: bool = False) -> RunResult:
    """Execute one run into ``out/<run.name>/`` and return its result (never raises for a
    notebook failure: the failure is recorded in the result and in ``run.json``)."""
    results: list[RunResult] = []
    tasks = iter([(0, run)])
    _work(lambda: next(tasks, None), lambda _, res: results.append(res), Path(out).resolve(), timeout, progress)
    return results[0]


class Interrupted(KeyboardInterrupt):
    """The command was stopped (Ctrl-C, SIGTERM, SIGHUP) after the running reports were recorded as
    interrupted and ``index.html`` was written; ``results`` holds every run's result, those never
    started included (status ``interrupted``, kind ``not_started``), ``index_problem`` why the
    index could not be written (Dutch) or None."""

    def __init__(self, results: list[RunResult], index_problem: str | None = None):
        super().__init__()
        self.results, self.index_problem = results, index_problem


class IndexNotWritten(Exception):
    """Every report ran and is recorded (``results``), but ``index.html`` could not be written:
    ``problem`` says why, in Dutch (a full disk, another command holding the index for 60 s). The
    index as it was before stays, whole, or there is none."""

    def __init__(self, results: list[RunResult], problem: str):
        super().__init__(problem)
        self.results, self.problem = results, problem


def _index_problem(out: Path) -> str | None:
    """Write ``out/index.html``; return why it could not be written (Dutch), or None."""
    what = f"het overzicht {_shown_folder(out / 'index.html')} kon niet geschreven worden"
    try:
        write_index(out)
    except OSError as exc:
        return _os_error(exc, what, "; het overzicht is niet bijgewerkt")["evalue"]
    except Busy as exc:
        who = f" (proces {exc.owner})" if exc.owner else ""
        return f"{what}: een andere opdracht op deze uitvoermap{who} schreef het al meer dan 60 s"
    return None


def _raise_interrupt(signum, frame) -> None:
    raise KeyboardInterrupt


#: Signals that stop the command as Ctrl-C does: SIGTERM (``kill``) and SIGHUP (the terminal was
#: closed, or the SSH connection dropped).
STOP_SIGNALS = tuple(getattr(signal, name) for name in ("SIGTERM", "SIGHUP") if hasattr(signal, name))


def run_all(runs: list[RunSpec], out: Path, *, jobs: int = 1, timeout: float | None = None,
            progress: bool = True) -> list[RunResult]:
    """Execute ``runs``, ``jobs`` at a time, then write ``out/index.html``. Results come back in
    the order of ``runs``. SIGTERM and SIGHUP (:data:`STOP_SIGNALS`) stop the command as Ctrl-C
    does: the running reports are interrupted and recorded as such, their kernels stopped and
    their temporary folders removed, no further one starts, the index is written, and
    :class:`Interrupted` is raised. An index that cannot be written (a full disk) raises
    :class:`IndexNotWritten`, after every report."""
    out = Path(out).resolve()
    sweep(out, rescue=_rescue)  # what a killed earlier command left behind, its last good report put back
    single = len(runs) == 1
    bar = tqdm(total=len(runs), desc="rapporten", unit="rapport", disable=not progress or single, file=sys.stderr)
    results: dict[int, RunResult] = {}

    def done(key: int, result: RunResult) -> None:
        results[key] = result
        bar.update(1)

    main_thread = threading.current_thread() is threading.main_thread()
    previous = {sig: signal.signal(sig, _raise_interrupt) for sig in STOP_SIGNALS} if main_thread else {}
    interrupted = False
    try:
        _share(runs, out, max(1, min(jobs, len(runs))), timeout, progress and single, done)
    except KeyboardInterrupt:
        interrupted = True
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        try:
            bar.close()
        except OSError:  # stderr was a terminal that is gone (SIGHUP)
            pass
    for key, run in enumerate(runs):
        if key in results:
            continue
        if interrupted:
            results[key] = RunResult(run.name, run.notebook.stem, "interrupted", 0.0,
                                     {"cell": None, "ename": "NotStarted", "kind": "not_started",
                                      "evalue": "niet gestart: de opdracht werd onderbroken"})
        else:  # its thread ended with an error in the runner (printed on stderr)
            results[key] = RunResult(run.name, run.notebook.stem, "failed", 0.0,
                                     {"cell": None, "ename": "RunnerError", "kind": "runner",
                                      "evalue": "de runner stopte onverwacht voor dit rapport af was"})
    problem = _index_problem(out)
    ordered = [results[key] for key in range(len(runs))]
    if interrupted:
        raise Interrupted(ordered, problem)
    if problem:
        raise IndexNotWritten(ordered, problem)
    return ordered


def _share(runs: list[RunSpec], out: Path, jobs: int, timeout: float | None, progress: bool,
           done: Callable[[int, RunResult], None]) -> None:
    """Run ``runs`` in ``jobs`` threads, each taking the next report from one queue, while this
    thread waits. Ctrl-C interrupts every running report's kernel (and kills those still running
    5 s later), so those reports fail with their notebook up to the interrupted cell, and starts
    no further report."""
    tasks: queue.SimpleQueue[Task] = queue.SimpleQueue()
    for task in enumerate(runs):
        tasks.put(task)
    lock = threading.Lock()
    live: set[ReportKernelManager] = set()
    stopping = threading.Event()

    def take() -> Task | None:
        try:
            return tasks.get_nowait()
        except queue.Empty:
            return None

    def report(key: int, result: RunResult) -> None:
        with lock:
            done(key, result)

    ended: queue.SimpleQueue[str] = queue.SimpleQueue()

    def worker() -> None:
        try:
            _work(take, report, out, timeout, progress, live, stopping)
        finally:
            ended.put(threading.current_thread().name)

    running = jobs

    def wait(limit: float | None = None) -> None:
        # not Thread.join: on Python 3.11 a join interrupted by Ctrl-C can mark a running thread
        # as ended (CPython gh-90882); this wait is interrupted between its short timeouts
        nonlocal running
        deadline = None if limit is None else time.monotonic() + limit
        while running and (deadline is None or time.monotonic() < deadline):
            try:
                ended.get(timeout=0.2)
                running -= 1
            except queue.Empty:
                continue

    for i in range(jobs):
        threading.Thread(target=worker, name=f"evaluatie-run-{i}", daemon=True).start()
    try:
        wait()
    except KeyboardInterrupt:
        stopping.set()
        while take() is not None:
            pass
        for km in list(live):
            run_sync(km.interrupt_kernel)()
        wait(limit=5)
        for km in list(live):  # interrupted between two cells, a kernel runs the next one
            run_sync(km.signal_kernel)(signal.SIGKILL)
        wait(limit=30)
        raise


def write_index(out: Path) -> Path:
    """``out/index.html``: every run folder with its status, date and links. Writers on one
    ``--out`` take turns (``.index.lock``, waiting up to 60 s), and each lists the folders as they
    are when its turn comes, so the last page written lists every run. Hidden folders (a name
    starting with ".") are never listed: they are another command's run in the making
    (``.<run>.tmp-…``) or a folder on its way out (``.<run>.old-…``)."""
    with PidLock(Path(out) / ".index.lock", wait=60.0):
        return _write_index(Path(out))


def _synthetic(rec: dict) -> bool:
    """Whether a run's record says its report showed the synthetic-data notice (``synthetic``, set
    by the runner from the executed notebook); a record written before the runner recorded it
    goes by the report's ``synthetic`` parameter."""
    if "synthetic" in rec:
        return rec["synthetic"] is True
    params = rec.get("parameters")
    return isinstance(params, dict) and params.get("synthetic") is True


def _write_index(out: Path) -> Path:
    rows = []
    for rj in sorted(Path(out).glob("*/run.json")):
        if rj.parent.name.startswith("."):  # pathlib's "*" matches hidden folders too
            continue
        rec = _read_record(rj)
        if not rec:
            continue
        d = rj.parent
        ok = _is_good(d, rec)
        title = rec.get("title") or rec.get("run", d.name)
        link = f'<a href="{h.escape(d.name)}/report.html">{h.escape(title)}</a>' if ok else h.escape(title)
        analysis = Path(rec.get("notebook", "")).stem
        about = h.escape(d.name) + (f" · analyse {h.escape(analysis)}" if analysis and analysis != d.name else "")
        link += f'<br><small class="run">{about}</small>'
        if ok and _synthetic(rec):
            link += ' <small class="syn">synthetische voorbeeldgegevens</small>'
        if rec.get("parameters", {}).get("entity"):
            link += f' <small class="run">entiteit: {h.escape(str(rec["parameters"]["entity"]))}</small>'
        word = "geslaagd" if ok else "onderbroken" if rec.get("status") == "interrupted" else "mislukt"
        status = f'<span class="{"ev-good" if ok else "ev-bad"}">{word}</span>'
        if not ok and rec.get("error"):
            e = rec["error"]
            where = f" (cel {e['cell']})" if isinstance(e.get("cell"), int) else ""
            message = f"{e.get('ename', '')}{where}: {e.get('evalue', '')}"[:300]
            status += f'<br><small class="err">{h.escape(message)}</small>'
        last = rec.get("last_good") or {}
        if not ok and last.get("report") and (d / last["report"]).is_file():
            made = fmt.datetime_nl(last.get("finished") or "")
            status += (f'<br><small class="prev">Laatste geslaagde rapport: <a href="{h.escape(d.name)}/'
                       f'{h.escape(last["report"])}">vorige versie van {h.escape(made)}</a> (ouder dan deze '
                       'mislukte poging)</small>')
        files = "<br>".join(
            f'<a href="{h.escape(d.name)}/{name}">{label}</a>'
            for name, label in (("report.pdf", "rapport (pdf)"), ("tables.xlsx", "tabellen (xlsx)"), ("notebook.ipynb", "notebook"),
                                ("run.json", "run.json"), (f"{PREVIOUS}/tables.xlsx", "vorige versie: tabellen (xlsx)"),
                                (f"{PREVIOUS}/run.json", "vorige versie: run.json"))
            if (d / name).exists()
        )
        date = fmt.datetime_nl(rec.get("finished") or rec.get("started") or "")
        rows.append(f'<tr><td>{link}</td><td>{status}</td><td class="date">{h.escape(date)}</td><td class="files">{files}</td></tr>')
    page = f"""<!DOCTYPE html>
<html lang="nl"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Rapporten — evaluatie</title>
<style>
body{{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;max-width:70rem;margin:2rem auto;padding:0 1rem;color:#1a1a1a;line-height:1.5}}
table{{border-collapse:collapse;width:100%}}th,td{{text-align:left;padding:.4rem .6rem;border-bottom:1px solid #ddd;vertical-align:top}}
.ev-good{{color:#005a8c;font-weight:600}}.ev-bad{{color:#a33a00;font-weight:600}}
.wrap{{overflow-x:auto}}small.run{{color:#555}}small.syn{{background:#fff6e0;border-left:3px solid #E69F00;padding:0 .3rem}}
small.err{{color:#1a1a1a;overflow-wrap:anywhere}}small.prev{{display:block;margin-top:.2rem}}td.date,td.files{{white-space:nowrap}}
@media (max-width:40rem){{thead{{display:none}}tr{{display:block;border-bottom:1px solid #ddd;padding:.5rem 0}}
td{{display:block;border:0;padding:.1rem 0}}td.files br{{display:none}}td.files a{{margin-right:1rem}}}}
</style></head><body><main>
<h1>Rapporten</h1>
<p>Alle rapporten in deze map, gemaakt met <code>evaluatie run</code>. Elke rij toont de nieuwste poging. Is die mislukt, dan staat de fout erbij en is er geen nieuw rapport; een eerder geslaagd rapport blijft leesbaar als <em>vorige versie</em>, met de datum waarop het gemaakt is.</p>
<div class="wrap"><table><thead><tr><th scope="col">Rapport</th><th scope="col">Status</th><th scope="col">Gemaakt op</th><th scope="col">Bestanden</th></tr></thead>
<tbody>{''.join(rows)}</tbody></table></div>
</main></body></html>
"""
    path = out / "index.html"
    # a temporary file of this writer's own, replacing the page whole: a reader never sees half a page
    tmp = path.with_name(f".index.html.{uuid.uuid4().hex}.tmp")
    try:
        tmp.write_text(page, encoding="utf-8")
        tmp.replace(path)
    finally:
        tmp.unlink(missing_ok=True)
    return path
