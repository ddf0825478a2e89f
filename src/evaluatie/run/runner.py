"""Run notebooks with papermill and publish them as HTML with nbconvert.

Each run goes to ``<out>/<run>/``:

- ``report.html`` — the published report (no code, Dutch, offline, with table of contents);
- ``notebook.ipynb`` — the executed notebook;
- ``tables/<name>.csv`` and ``tables.xlsx`` — every table the report shows, machine-readable;
- ``figures/<name>.png``;
- ``run.json`` — parameters, SHA-256 of inputs, versions, git commit, start/end, status.

A run is built in a temporary sibling folder and swapped in at the end, so a folder never mixes
a fresh ``run.json`` with a stale ``report.html``: a failed run's folder has no ``report.html``.

Parallel runs (``jobs > 1``) use worker processes whose kernels talk over IPC sockets in private
temporary folders, not TCP ports, so two kernels starting at once cannot race for the same port
(papermill issues #511 and #239).

Kernels are forked from a process that has already imported the notebooks' libraries
(:mod:`evaluatie.run.kernels`; one per runner process), unless ``preload=False``
(``evaluatie run --no-preload``) or the platform cannot.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import sys
import tempfile
import time
import traceback
import uuid
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from multiprocessing import get_context
from pathlib import Path

from jupyter_client.manager import AsyncKernelManager
from traitlets import default

from evaluatie.run import kernels
from evaluatie.publish import provenance as prov
from evaluatie.run.params import RunSpec
from evaluatie.core.paths import display_path, root

__all__ = ["RunResult", "execute", "run_all", "write_index", "export_html", "KERNEL_NAME", "ENGINE_NAME",
           "register_engine", "skip_slow_format_checkers"]

KERNEL_NAME = "python3"  # the interpreter running evaluatie (jupyter_client maps it to sys.executable)
TEMPLATE_DIR = Path(__file__).resolve().parents[1] / "publish" / "templates"


class IPCKernelManager(AsyncKernelManager):
    """A kernel manager whose kernel listens on IPC sockets in a private temporary folder."""

    @default("transport")
    def _transport_default(self) -> str:
        return "ipc"

    @default("ip")
    def _ip_default(self) -> str:
        # short path: a Unix socket path is limited to ~107 characters
        return os.path.join(tempfile.mkdtemp(prefix="ev-ipc-"), "k")

    @default("shutdown_wait_time")
    def _shutdown_wait_time_default(self) -> float:
        # jupyter_client waits half of this for a kernel to exit after the shutdown request, then
        # terminates it (and kills it after the other half). A report's kernel has nothing left to
        # do by then; a normally started ipykernel sometimes hangs there (the race handled for
        # forked kernels in evaluatie.run.kernels), which cost 2.5 s with the default of 5 s. A
        # healthy one takes 0.4-0.6 s to exit (its interpreter's teardown), a forked one 0.1 s.
        return 2.0

    async def _async_launch_kernel(self, kernel_cmd, **kw):
        """The kernel's own stderr (log lines such as 'KeyboardInterrupt caught in kernel' at
        shutdown) goes to ``kernel.log`` in the run folder instead of the user's terminal; the
        runner keeps it only when the run failed. When :mod:`evaluatie.run.kernels` has a zygote for
        this launch, the kernel is forked from it; jupyter_client's provisioner then follows that
        process (poll, signals to its process group, kill) as it would one it started itself."""
        run_dir = os.environ.get("EVALUATIE_RUN_DIR")
        log_path = os.path.join(run_dir, "kernel.log") if run_dir and "stderr" not in kw else None
        env, cwd = dict(kw.get("env") or os.environ), str(kw.get("cwd") or os.getcwd())
        # a caller that wants the kernel's own streams somewhere gets a normal launch
        zygote = None if {"stdin", "stdout", "stderr"} & kw.keys() else kernels.zygote_for(kernel_cmd, env, cwd)
        proc = None
        if zygote is not None:
            try:
                proc = zygote.spawn(kernel_cmd, env, cwd, log_path)
            except OSError:
                proc = None  # the zygote is gone or refuses: start this kernel the normal way
        if proc is not None:
            prov = self.provisioner
            prov.process, prov.pid, prov.pgid = proc, proc.pid, proc.pid
            prov.cwd = kw.get("cwd")
            self._reconcile_connection_info(prov.connection_info)
            return None
        if log_path is None:
            return await super()._async_launch_kernel(kernel_cmd, **kw)
        with open(log_path, "ab") as log:  # the child keeps its own copy
            kw["stderr"] = log
            return await super()._async_launch_kernel(kernel_cmd, **kw)

    _launch_kernel = _async_launch_kernel


ENGINE_NAME = "evaluatie"
_ENGINE_REGISTERED = False


def register_engine() -> str:
    """Register papermill's nbclient engine under :data:`ENGINE_NAME`, saving the executed
    notebook once at the end instead of at the start and end of every cell.

    papermill's own manager writes (and validates) the whole notebook twice per cell: a hundred
    trivial cells took 3.4 s with those writes and 1.3 s without, and a notebook that carries
    figures costs more per write.
    A run folder is only published when the run ends, so those intermediate copies serve nobody.
    What they were good for is kept: the save in papermill's ``finally`` still writes the
    notebook up to the failing cell after an error, a timeout (``CellTimeoutError``) or a dead
    kernel, with the start time of the cell that was running; and papermill's autosave still
    writes during a cell that runs longer than 30 s."""
    from papermill.engines import NBClientEngine, NotebookExecutionManager, papermill_engines

    global _ENGINE_REGISTERED
    if _ENGINE_REGISTERED:
        return ENGINE_NAME

    class EndSaveManager(NotebookExecutionManager):
        _hold = False

        def save(self, **kwargs):
            if not self._hold:
                super().save(**kwargs)

        def _held(self, method, *args, **kwargs):
            self._hold = True
            try:
                return method(*args, **kwargs)
            finally:
                self._hold = False

        def notebook_start(self, **kwargs):
            return self._held(super().notebook_start, **kwargs)

        def cell_start(self, cell, cell_index=None, **kwargs):
            return self._held(super().cell_start, cell, cell_index, **kwargs)

        def cell_complete(self, cell, cell_index=None, **kwargs):
            return self._held(super().cell_complete, cell, cell_index, **kwargs)

    class EndSaveEngine(NBClientEngine):
        @classmethod
        def execute_notebook(cls, nb, kernel_name, output_path=None, progress_bar=True, log_output=False,
                             autosave_cell_every=30, **kwargs):
            nb_man = EndSaveManager(nb, output_path=output_path, progress_bar=progress_bar,
                                    log_output=log_output, autosave_cell_every=autosave_cell_every)
            nb_man.notebook_start()
            try:
                cls.execute_managed_notebook(nb_man, kernel_name, log_output=log_output, **kwargs)
            finally:
                nb_man.cleanup_pbar()
                nb_man.notebook_complete()
            return nb_man.nb

    papermill_engines.register(ENGINE_NAME, EndSaveEngine)
    _ENGINE_REGISTERED = True
    return ENGINE_NAME


@dataclass
class RunResult:
    name: str
    notebook: str
    status: str  # "ok" or "failed"
    seconds: float
    error: dict | None = None
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.status == "ok"

    def describe_error(self) -> str:
        e = self.error or {}
        where = f"cel {e['cell']}" if e.get("cell") else "buiten een cel"
        return f"{self.name} ({self.notebook}.ipynb, {where}): {e.get('ename', 'fout')}: {e.get('evalue', '')}"


def _scrub(text: str) -> str:
    """Remove local absolute paths (project root, home folder, temp folders) from output text."""
    for base in (str(root()), str(Path(__file__).resolve().parents[3]), sys.prefix, sys.base_prefix):
        text = text.replace(base + os.sep, "").replace(base, ".")
    home = os.path.expanduser("~")
    if home and home != "/":
        text = text.replace(home, "~")
    text = re.sub(r"/tmp/[\w.\-/]+", "<tmp>", text)
    return text


def _error_from_exception(exc: BaseException, nb_path: Path) -> dict:
    """Which cell failed and how. Cell numbers count the cells of the notebook in ``notebooks/``
    (from 1), not papermill's executed copy with its extra injected-parameters cell."""
    from papermill.exceptions import PapermillExecutionError

    cells = []
    if nb_path.exists():
        try:
            cells = json.loads(nb_path.read_text(encoding="utf-8"))["cells"]
        except (OSError, ValueError, KeyError):
            cells = []
    injected = [i for i, c in enumerate(cells) if "injected-parameters" in c.get("metadata", {}).get("tags", [])]

    def source_number(i: int | None) -> int | None:
        if i is None:
            return None
        return i + (0 if injected and i > injected[0] else 1)

    if isinstance(exc, PapermillExecutionError):
        return {"cell": source_number(exc.cell_index), "ename": exc.ename, "evalue": _scrub(str(exc.evalue)),
                "kind": "execution"}
    started = [i for i, c in enumerate(cells) if c.get("metadata", {}).get("papermill", {}).get("start_time")]
    name = type(exc).__name__
    msg = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    if name == "CellTimeoutError":
        msg = "de cel liep langer dan de ingestelde tijdslimiet (--timeout)"
    return {"cell": source_number(started[-1]) if started else None, "ename": name, "evalue": _scrub(msg),
            "kind": "timeout" if "Timeout" in name else "error"}


def _shown_parameters(run: RunSpec) -> dict:
    """Parameters as published: input paths relative to the project root, or just the file name."""
    return {k: (display_path(v) if isinstance(v, str) and v and k in run.specs and run.specs[k].is_path else v)
            for k, v in run.parameters.items()}


def _input_dirs(run: RunSpec) -> list[str]:
    """Folders of absolute input paths outside the project, to be scrubbed from outputs."""
    dirs = set()
    for k, v in run.parameters.items():
        if isinstance(v, str) and v and k in run.specs and run.specs[k].is_path and Path(v).is_absolute():
            dirs.add(str(Path(v).parent))
    return sorted(dirs, key=len, reverse=True)


def _stderr_and_scrub_notebook(nb_path: Path, run: RunSpec) -> list[str]:
    """Clean the executed notebook of local paths, give papermill's parameters cell a fixed id;
    return what the kernel wrote to stderr."""
    import nbformat

    nb = nbformat.read(nb_path, as_version=4)
    meta = nb.metadata.get("papermill", {})
    meta["input_path"] = display_path(run.notebook)
    meta["output_path"] = "notebook.ipynb"
    warnings = []
    for cell in nb.cells:
        if "injected-parameters" in cell.get("metadata", {}).get("tags", []):
            cell["id"] = "injected-parameters"  # papermill draws a random one; the report's HTML shows it
        for out in cell.get("outputs", []):
            if out.get("output_type") == "stream" and out.get("name") == "stderr":
                warnings.append(_scrub(out.get("text", "")).strip())
    text = nbformat.writes(nb)
    for d in _input_dirs(run):
        text = text.replace(d + os.sep, "").replace(d, ".")
    nb_path.write_text(_scrub(text), encoding="utf-8")
    return [w for w in warnings if w]


_EXPORTER = None
# the opening tag of a cell's input or an output (the lab template's divs, whatever their other
# classes), which nbconvert makes focusable
_FOCUSABLE_DIV = re.compile(
    r'(<div\b[^>]*\bclass="[^"]*\b(?:jp-OutputArea-output|jp-Cell-inputWrapper)\b[^"]*"[^>]*)>')


def _exporter():
    """One HTML exporter per process, reused for every report: building one compiles the whole
    template tree with Jinja, a tenth of a second each time."""
    global _EXPORTER
    if _EXPORTER is None:
        from nbconvert import HTMLExporter
        from nbconvert.exporters.templateexporter import TemplateExporter
        from nbconvert.filters.highlight import Highlight2HTML
        from nbconvert.filters.widgetsdatatypefilter import WidgetsDataTypeFilter
        from nbconvert.preprocessors import Preprocessor

        class ReportExporter(HTMLExporter):
            """nbconvert's HTML exporter without its closing BeautifulSoup pass. That pass parses
            the whole page again (the six reports of ``run --all`` exported in 1.25 s with it,
            0.31 s without) to do two things: give images without alt text a generic English one
            (every image in a report has a Dutch alt text from our template; a test checks it)
            and make every cell input and output focusable with ``tabindex="0"``, done here on
            the rendered page directly. Apart from BeautifulSoup's reserialisation, the page is
            the same (a test compares)."""

            def from_notebook_node(self, nb, resources=None, **kw):
                langinfo = nb.metadata.get("language_info", {})
                lexer = langinfo.get("pygments_lexer", langinfo.get("name", None))
                self.register_filter("highlight_code", self.filters.get(
                    "highlight_code", Highlight2HTML(pygments_lexer=lexer, parent=self)))
                resources = self._init_resources(resources)
                self.register_filter("filter_data_type", WidgetsDataTypeFilter(
                    notebook_metadata=self._nb_metadata, parent=self, resources=resources))
                html, resources = TemplateExporter.from_notebook_node(self, nb, resources, **kw)
                return _FOCUSABLE_DIV.sub(r'\1 tabindex="0">', html), resources

        class DropStderr(Preprocessor):
            def preprocess_cell(self, cell, resources, index):
                if "outputs" in cell:
                    cell.outputs = [o for o in cell.outputs
                                    if not (o.get("output_type") == "stream" and o.get("name") == "stderr")]
                return cell, resources

        exporter = ReportExporter(
            template_name="evaluatie",
            extra_template_basedirs=[str(TEMPLATE_DIR)],
            exclude_input=True,
            exclude_input_prompt=True,
            exclude_output_prompt=True,
            language_code="nl",
            # validate the notebook once after all preprocessors, not after each of the 13
            optimistic_validation=True,
        )
        exporter.register_preprocessor(DropStderr, enabled=True)
        _EXPORTER = exporter
    return _EXPORTER


def export_html(nb_path: Path, html_path: Path, title: str) -> None:
    """Render an executed notebook as the published report: no code, no prompts, no stderr,
    no external resources, ``lang="nl"``, a table of contents."""
    import nbformat

    nb = nbformat.read(nb_path, as_version=4)
    nb.metadata["title"] = title
    body, _ = _exporter().from_notebook_node(nb, resources={"metadata": {"name": title}})
    # the inlined lab CSS carries URLs in comments: drop comments inside <style> so nothing points off the page
    body = _STYLE.sub(lambda m: _CSS_COMMENT.sub("", m.group(0)), body)
    html_path.write_text(_add_toc(body), encoding="utf-8")


_CSS_COMMENT = re.compile(r"/\*.*?\*/", re.S)
_STYLE = re.compile(r"<style[^>]*>.*?</style>", re.S)


_HEADING = re.compile(r"<h([23])([^>]*)>(.*?)</h\1>", re.S)
_TAGS = re.compile(r"<[^>]+>")
# the pilcrow link nbconvert puts after each heading ("&#182;" or "¶")
_ANCHOR_LINK = re.compile(r'<a\b[^>]*\bclass="anchor-link"[^>]*>.*?</a>', re.S)


def _add_toc(body: str) -> str:
    """Insert a table of contents (h2 and h3) after the first h1, giving headings ids if needed."""
    entries = []
    used: set[str] = set()

    def repl(m: re.Match) -> str:
        level, attrs, inner = m.group(1), m.group(2), m.group(3)
        label = _TAGS.sub("", _ANCHOR_LINK.sub("", inner)).strip()
        idm = re.search(r'id="([^"]+)"', attrs)
        if idm:
            hid = idm.group(1)
        else:
            base = re.sub(r"[^a-z0-9]+", "-", label.lower()).strip("-") or "sectie"
            hid, i = base, 2
            while hid in used:
                hid, i = f"{base}-{i}", i + 1
            attrs += f' id="{hid}"'
        used.add(hid)
        entries.append((int(level), hid, label))
        return f"<h{level}{attrs}>{inner}</h{level}>"

    body = _HEADING.sub(repl, body)
    if not entries:
        return body
    parts, open_sub = [], False
    for lvl, hid, label in entries:
        link = f'<a href="#{hid}">{label}</a>'
        if lvl == 3 and parts:
            if not open_sub:
                parts[-1] = parts[-1].removesuffix("</li>") + "<ul>"
                open_sub = True
            parts.append(f"<li>{link}</li>")
            continue
        if open_sub:
            parts.append("</ul></li>")
            open_sub = False
        parts.append(f"<li>{link}</li>")
    if open_sub:
        parts.append("</ul></li>")
    items = "".join(parts)
    toc = f'<nav class="ev-toc" aria-label="Inhoud"><h2 class="ev-toc-title">Inhoud</h2><ol>{items}</ol></nav>'
    m = re.search(r"</h1>", body)
    if m:
        # place after the block that holds the first h1 (the title and its subtitle)
        end = body.find("</div>", m.end())
        end = body.find("</div>", end + 1) if end != -1 else -1
        pos = end + len("</div>") if end != -1 else m.end()
        return body[:pos] + toc + body[pos:]
    return body.replace("<main>", "<main>" + toc, 1)


def _write_xlsx(run_dir: Path) -> None:
    """``tables.xlsx``: every ``tables/*.csv`` as a sheet, in the order the report made them.
    Written with openpyxl's streaming writer (several times faster than through pandas); numbers
    stay numbers, empty cells stay empty."""
    import csv

    from openpyxl import Workbook

    csvs = sorted((run_dir / "tables").glob("*.csv"), key=lambda p: (p.stat().st_mtime_ns, p.name))
    if not csvs:
        return
    wb = Workbook(write_only=True)
    used: set[str] = set()
    for p in csvs:
        sheet, i = p.stem[:31], 2
        while sheet in used:
            sheet, i = f"{p.stem[:28]}_{i}", i + 1
        used.add(sheet)
        ws = wb.create_sheet(sheet)
        with open(p, newline="", encoding="utf-8") as f:
            for n, row in enumerate(csv.reader(f)):
                ws.append(row if n == 0 else [_cell(v) for v in row])
    wb.save(run_dir / "tables.xlsx")


def _cell(v: str):
    """A CSV field as an Excel cell value: numbers as numbers, the rest as text, empty as empty."""
    if v == "":
        return None
    try:
        i = int(v)
        return i if str(i) == v else v  # keep identifiers such as 0123 as text
    except ValueError:
        pass
    try:
        return float(v) if v.lower() not in ("nan", "inf", "-inf", "infinity") else v
    except ValueError:
        return v


def _title(run: RunSpec, nb_path: Path) -> str:
    """The report title: the first level-1 heading the notebook produced."""
    import nbformat

    nb = nbformat.read(nb_path, as_version=4)
    for cell in nb.cells:
        texts = [cell.source] if cell.cell_type == "markdown" else [
            o.get("data", {}).get("text/markdown", "") for o in cell.get("outputs", [])]
        for t in texts:
            m = re.search(r"^# (.+)$", t or "", re.M)
            if m:
                return m.group(1).strip()
    return run.name


def _swap_in(tmp: Path, final: Path) -> None:
    if final.exists():
        trash = final.with_name(f".{final.name}.old-{uuid.uuid4().hex[:8]}")
        final.rename(trash)
        tmp.rename(final)
        shutil.rmtree(trash, ignore_errors=True)
    else:
        tmp.rename(final)


def skip_slow_format_checkers() -> None:
    """Make ``import papermill`` (and nbformat, nbconvert) about 1.4 s faster in this process.

    jsonschema, which nbformat imports, builds some 35 Lark parsers for the ``iri`` string format
    when it is imported, because the optional ``rfc3987_syntax`` is installed (python-jsonschema
    #1428). No notebook schema uses that format. Marking the module as absent makes jsonschema
    skip that checker, as it does when the package is not installed. Only the ``evaluatie``
    command and its worker processes call this, before anything imports jsonschema; it does
    nothing once jsonschema is loaded, and never touches a notebook's kernel."""
    if "jsonschema" not in sys.modules:
        sys.modules.setdefault("rfc3987_syntax", None)


def _quiet_papermill() -> None:
    """papermill warns about parameters its own regex cannot parse (``str | None``); ours are
    checked before the run by :mod:`evaluatie.run.params`, so its warnings would only be noise."""
    import logging

    logging.getLogger("papermill").setLevel(logging.ERROR)


def execute(run: RunSpec, out: Path, *, timeout: float | None = None, progress: bool = False,
            preload: bool = True) -> RunResult:
    """Execute one run into ``out/<run.name>/`` and return its result (never raises for a
    notebook failure: the failure is recorded in the result and in ``run.json``).

    With ``preload`` (the default) the kernel is forked from a process that has already imported
    the notebook's libraries (:mod:`evaluatie.run.kernels`), unless :func:`run_all` set that up for
    all its runs already; the report is the same, it starts about 2 s sooner."""
    import papermill as pm

    if preload and not kernels.is_configured():
        kernels.configure(kernels.preload_statements([run.notebook]))
    elif not preload:
        kernels.configure([])

    _quiet_papermill()
    out = Path(out).resolve()
    out.mkdir(parents=True, exist_ok=True)
    tmp = out / f".{run.name}.tmp-{os.getpid()}-{uuid.uuid4().hex[:8]}"
    tmp.mkdir()
    t0 = time.perf_counter()
    started = prov.now_iso()
    record = {
        "run": run.name,
        "notebook": display_path(run.notebook),
        "params_file": display_path(run.params_file) if run.params_file else None,
        "parameters": _shown_parameters(run),
        "inputs": prov.input_hashes(run.inputs()),
        "versions": prov.versions(),
        "git_commit": prov.git_commit(),
        "started": started,
    }
    (tmp / "provenance.json").write_text(json.dumps(record, indent=2, ensure_ascii=False), encoding="utf-8")
    nb_out = tmp / "notebook.ipynb"
    kernel_vars = _kernel_vars(tmp)
    env_before = {k: os.environ.get(k) for k in kernel_vars}
    os.environ.update(kernel_vars)
    error = None
    warnings: list[str] = []
    try:
        pm.execute_notebook(
            str(run.notebook), str(nb_out), parameters=run.parameters, kernel_name=KERNEL_NAME,
            cwd=str(root()), progress_bar=progress, log_output=False,
            execution_timeout=timeout, kernel_manager_class=IPCKernelManager, engine_name=register_engine(),
        )
    except Exception as exc:  # noqa: BLE001 - any failure fails this report only
        error = _error_from_exception(exc, nb_out)
    finally:
        for k, v in env_before.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    try:
        if nb_out.exists():
            warnings = _stderr_and_scrub_notebook(nb_out, run)
        if nb_out.exists():
            record["title"] = _title(run, nb_out)
        if error is None:
            export_html(nb_out, tmp / "report.html", record["title"])
            _write_xlsx(tmp)
    except Exception as exc:  # noqa: BLE001
        error = {"cell": None, "ename": type(exc).__name__, "evalue": _scrub(str(exc)), "kind": "export",
                 "traceback": _scrub(traceback.format_exc())}
        (tmp / "report.html").unlink(missing_ok=True)
    status = "ok" if error is None else "failed"
    record.update(finished=prov.now_iso(), seconds=round(time.perf_counter() - t0, 2), status=status,
                  error=error, warnings=warnings)
    (tmp / "run.json").write_text(json.dumps(record, indent=2, ensure_ascii=False), encoding="utf-8")
    (tmp / "provenance.json").unlink(missing_ok=True)
    klog = tmp / "kernel.log"
    if klog.exists():
        if status == "ok":
            klog.unlink()
        else:
            klog.write_text(_scrub(klog.read_text(encoding="utf-8", errors="replace")), encoding="utf-8")
    _swap_in(tmp, out / run.name)
    return RunResult(run.name, run.notebook.stem, status, record["seconds"], error, warnings)


def _kernel_vars(run_dir: Path | str) -> dict[str, str]:
    """What the runner adds to the environment its kernels inherit."""
    return {"EVALUATIE_RUN_DIR": str(run_dir), "EVALUATIE_ROOT": str(root()),
            "MPLBACKEND": "module://matplotlib_inline.backend_inline"}


def _kernel_env() -> dict[str, str]:
    """The environment jupyter_client will give this process's kernels (its own, plus the
    runner's variables, without ``PYTHONEXECUTABLE``), the run folder aside."""
    env = {**os.environ, **_kernel_vars("")}
    env.pop("PYTHONEXECUTABLE", None)
    return env


def _worker(run: RunSpec, out: str, timeout: float | None, preload: list[str]) -> RunResult:
    skip_slow_format_checkers()
    # this worker's zygote forks once it has this run's imports (the worker's first run starts
    # it; later runs find it serving the same statements and use it as it is)
    _prepare_zygote(run, preload)
    try:
        return execute(run, Path(out), timeout=timeout, preload=bool(preload))
    except Exception as exc:  # noqa: BLE001 - report, never crash the pool
        return RunResult(run.name, run.notebook.stem, "failed", 0.0,
                         {"cell": None, "ename": type(exc).__name__, "evalue": _scrub(str(exc)), "kind": "runner"})


def _prepare_zygote(first: RunSpec | None, statements: list[str]) -> None:
    """Configure this process's kernels to fork from a zygote running ``statements``, those of
    ``first``'s notebook first, and start it now: its imports overlap with the runner's own."""
    own = [s for s in kernels.preload_statements([first.notebook]) if s in statements] if first else []
    kernels.configure(own + [s for s in statements if s not in own], len(own))
    kernels.prestart(_kernel_env(), str(root()))


def run_all(runs: list[RunSpec], out: Path, *, jobs: int = 1, timeout: float | None = None,
            progress: bool = True, preload: bool = True) -> list[RunResult]:
    """Execute ``runs`` (in parallel processes when ``jobs > 1``), then write ``out/index.html``.

    With ``preload``, each process forks its kernels from one zygote that imports the libraries
    of all the runs' notebooks (:mod:`evaluatie.run.kernels`); it forks the first kernel as soon as it
    has the first run's libraries."""
    from tqdm.auto import tqdm

    out = Path(out).resolve()
    results: list[RunResult] = []
    statements = kernels.preload_statements(sorted({r.notebook for r in runs})) if preload else []
    if jobs <= 1 or len(runs) <= 1:
        _prepare_zygote(runs[0] if runs else None, statements)  # before papermill is imported below
        single = len(runs) == 1
        bar = tqdm(total=len(runs), desc="rapporten", unit="rapport", disable=not progress or single,
                   file=sys.stderr)
        for run in runs:
            results.append(execute(run, out, timeout=timeout, progress=progress and single, preload=preload))
            bar.update(1)
        bar.close()
    else:
        ctx = get_context("spawn")
        with ProcessPoolExecutor(max_workers=jobs, mp_context=ctx) as pool:
            futures = [pool.submit(_worker, run, str(out), timeout, statements) for run in runs]
            bar = tqdm(total=len(runs), desc="rapporten", unit="rapport", disable=not progress, file=sys.stderr)
            for fut in as_completed(futures):
                results.append(fut.result())
                bar.update(1)
            bar.close()
        order = {r.name: i for i, r in enumerate(runs)}
        results.sort(key=lambda r: order.get(r.name, 0))
    write_index(out)
    return results


def write_index(out: Path) -> Path:
    """``out/index.html``: every run folder with its status, date and links."""
    import html as h

    from evaluatie.core import fmt

    rows = []
    for rj in sorted(Path(out).glob("*/run.json")):
        try:
            rec = json.loads(rj.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        d = rj.parent
        ok = rec.get("status") == "ok" and (d / "report.html").exists()
        title = rec.get("title") or rec.get("run", d.name)
        link = f'<a href="{h.escape(d.name)}/report.html">{h.escape(title)}</a>' if ok else h.escape(title)
        analysis = Path(rec.get("notebook", "")).stem
        about = h.escape(d.name) + (f" · analyse {h.escape(analysis)}" if analysis and analysis != d.name else "")
        link += f'<br><small class="run">{about}</small>'
        if ok and 'class="ev-notice ev-notice-synthetic"' in (d / "report.html").read_text(encoding="utf-8"):
            link += ' <small class="syn">synthetische voorbeeldgegevens</small>'
        if rec.get("parameters", {}).get("entity"):
            link += f' <small class="run">entiteit: {h.escape(str(rec["parameters"]["entity"]))}</small>'
        status = f'<span class="{"ev-good" if ok else "ev-bad"}">{"geslaagd" if ok else "mislukt"}</span>'
        if not ok and rec.get("error"):
            e = rec["error"]
            message = f"{e.get('ename', '')}: {e.get('evalue', '')}"[:300]
            status += f'<br><small class="err">{h.escape(message)}</small>'
        files = "<br>".join(
            f'<a href="{h.escape(d.name)}/{name}">{label}</a>'
            for name, label in (("tables.xlsx", "tabellen (xlsx)"), ("notebook.ipynb", "notebook"),
                                ("run.json", "run.json"))
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
small.err{{color:#1a1a1a;overflow-wrap:anywhere}}td.date,td.files{{white-space:nowrap}}
@media (max-width:40rem){{thead{{display:none}}tr{{display:block;border-bottom:1px solid #ddd;padding:.5rem 0}}
td{{display:block;border:0;padding:.1rem 0}}td.files br{{display:none}}td.files a{{margin-right:1rem}}}}
</style></head><body><main>
<h1>Rapporten</h1>
<p>Alle rapporten in deze map, gemaakt met <code>evaluatie run</code>. Een mislukt rapport heeft geen HTML-versie; de fout staat erbij.</p>
<div class="wrap"><table><thead><tr><th scope="col">Rapport</th><th scope="col">Status</th><th scope="col">Gemaakt op</th><th scope="col">Bestanden</th></tr></thead>
<tbody>{''.join(rows)}</tbody></table></div>
</main></body></html>
"""
    path = Path(out) / "index.html"
    tmp = path.with_suffix(".html.tmp")
    tmp.write_text(page, encoding="utf-8")
    tmp.replace(path)
    return path
