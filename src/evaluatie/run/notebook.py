"""One report's notebook: executed by papermill in a given kernel, published as the run folder's
``notebook.ipynb``, ``report.html`` (nbconvert, template ``publish/templates/evaluatie``),
``tables.xlsx`` and, with ``evaluatie run --pdf``, ``report.pdf`` (WeasyPrint, from the same HTML and
its print stylesheet).
"""

from __future__ import annotations

import csv
import functools
import html
import logging
import math
import os
import re
import threading
import traceback
from pathlib import Path

import nbformat
import nh3
import papermill as pm
from nbconvert import HTMLExporter
from nbconvert.preprocessors import Preprocessor
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from papermill.exceptions import PapermillExecutionError

from evaluatie.core import fmt
from evaluatie.core.paths import display_path
from evaluatie.core.errors import public_text
from evaluatie.publish.provenance import IN_TERMINAL, message_is_safe, scrub_paths
from evaluatie.run.kernel import KERNEL_NAME, ReportKernelManager
from evaluatie.run.params import RunSpec

__all__ = ["execute_notebook", "publish_notebook", "shows_synthetic_notice", "render_html", "export_html", "write_xlsx", "write_pdf", "failure"]

TEMPLATE_DIR = Path(__file__).resolve().parents[1] / "publish" / "templates"


def failure(exc: BaseException, kind: str, **extra) -> dict:
    """A run's ``error`` record for an exception outside the notebook's cells."""
    msg = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return {"cell": None, "ename": type(exc).__name__, "evalue": scrub_paths(msg), "kind": kind, **extra}


def _failed_outputs(nb: nbformat.NotebookNode) -> None:
    """A failed or interrupted run's notebook as it is published: every output removed (what the
    cells showed before the failure is no result, and was never checked as a whole report), but
    the failing cell's error. Its message and traceback stay only for an exception whose message
    may be published (:func:`~evaluatie.publish.provenance.message_is_safe`, without private
    parts); any other error keeps its name and :data:`~evaluatie.publish.provenance.IN_TERMINAL`."""
    for cell in nb.cells:
        if "outputs" not in cell:
            continue
        kept = []
        for out in cell.outputs:
            if out.get("output_type") != "error":
                continue
            ename, evalue = out.get("ename", ""), out.get("evalue", "")
            if message_is_safe(evalue, ename):
                out["evalue"] = public_text(evalue)
                out["traceback"] = [public_text(line) for line in out.get("traceback", [])]
            else:
                out["evalue"] = IN_TERMINAL
                out["traceback"] = [f"{ename}: {IN_TERMINAL}"]
            kept.append(out)
        cell["outputs"] = kept


class _Tracker:
    """nbclient hooks that keep the notebook being executed and the index of the cell that runs,
    so a run that stops (error, timeout, dead kernel) still has its notebook up to that cell."""

    def __init__(self) -> None:
        self.nb = None
        self.injected: int | None = None
        self.cell: int | None = None

    def notebook_start(self, notebook, **_) -> None:
        self.nb = notebook
        tagged = [i for i, c in enumerate(notebook.cells) if "injected-parameters" in c.metadata.get("tags", [])]
        self.injected = tagged[0] if tagged else None

    def cell_start(self, cell, cell_index, **_) -> None:
        self.cell = cell_index

    def source_cell(self) -> int | None:
        """The running cell's number in the notebook in ``notebooks/`` (from 1), not in papermill's
        copy with its injected-parameters cell (an error there is one in the parameters cell)."""
        i = self.cell
        if i is None:
            return None
        return i + 1 if self.injected is None or i < self.injected else i


def execute_notebook(run: RunSpec, km: ReportKernelManager, timeout: float | None,
                     progress: bool) -> tuple[nbformat.NotebookNode | None, dict | None]:
    """Execute the run's notebook with its parameters in the kernel of ``km``; return the
    executed notebook and, if a cell failed, timed out or the kernel died, the error (then the
    notebook goes up to that cell, or is None if no cell ran)."""
    # papermill warns about parameters its own regex cannot parse (``str | None``); ours are
    # checked before the run by evaluatie.run.params, so its warnings would only be noise
    logging.getLogger("papermill").setLevel(logging.ERROR)
    tracker = _Tracker()
    try:
        nb = pm.execute_notebook(
            str(run.notebook), None, parameters=run.parameters, kernel_name=KERNEL_NAME,
            progress_bar=progress, log_output=False, execution_timeout=timeout, km=km,
            on_notebook_start=tracker.notebook_start, on_cell_start=tracker.cell_start,
        )
        return nb, None
    except PapermillExecutionError as exc:
        return tracker.nb, {"cell": tracker.source_cell(), "ename": exc.ename, "evalue": scrub_paths(str(exc.evalue)),
                            "kind": "execution"}
    except Exception as exc:  # noqa: BLE001 - any failure fails this report only
        error = failure(exc, "timeout" if "Timeout" in type(exc).__name__ else "error", cell=tracker.source_cell())
        if error["ename"] == "CellTimeoutError":
            error["evalue"] = "de cel liep langer dan de ingestelde tijdslimiet (--timeout)"
        return tracker.nb, error


def _input_dirs(run: RunSpec) -> list[str]:
    """Folders of absolute input paths outside the project, to be scrubbed from outputs."""
    dirs = set()
    for k, v in run.parameters.items():
        if isinstance(v, str) and v and k in run.specs and run.specs[k].is_path and Path(v).is_absolute():
            dirs.add(str(Path(v).parent))
    return sorted(dirs, key=len, reverse=True)


_H1 = re.compile(r"<h1\b[^>]*>(.*?)</h1>", re.S)


def _title(nb: nbformat.NotebookNode, default: str) -> str:
    """The report title: the first level-1 heading the notebook produced (a markdown cell's
    ``# ...``, or the ``<h1>`` that publish.report renders, escaped, for ``rp.start``)."""
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            m = re.search(r"^# (.+)$", cell.source or "", re.M)
            if m:
                return m.group(1).strip()
            continue
        for o in cell.get("outputs", []):
            m = _H1.search(o.get("data", {}).get("text/html", "") or "")
            if m:
                return html.unescape(_TAGS.sub("", m.group(1))).strip()
    return default


#: the start of the synthetic-data notice (:func:`evaluatie.publish.report.notice` with
#: ``kind="synthetic"``): an output of its own, so a label in a table or sentence never starts one
_SYNTHETIC_NOTICE = re.compile(r'\s*<aside class="ev-notice ev-notice-synthetic"')


def shows_synthetic_notice(nb: nbformat.NotebookNode | None) -> bool:
    """Whether the executed notebook showed the synthetic-data notice: an HTML output of a code
    cell that is the notice itself, not a page that merely holds its class name somewhere (a
    label in a table cell may)."""
    for cell in (nb.cells if nb is not None else []):
        for out in cell.get("outputs", []) if cell.get("cell_type") == "code" else []:
            markup = out.get("data", {}).get("text/html")
            if markup is not None and _SYNTHETIC_NOTICE.match("".join(markup) if isinstance(markup, list) else markup):
                return True
    return False


def publish_notebook(nb: nbformat.NotebookNode | None, run: RunSpec, run_dir: Path,
                     error: dict | None) -> tuple[str | None, list[str], dict | None]:
    """Write the executed notebook to ``run_dir/notebook.ipynb`` as it is published (no local
    paths; papermill's parameters cell with a fixed id; for a run with an ``error``, no output but
    the error, see :func:`_failed_outputs`) and, if the run has no ``error``, ``report.html`` and
    ``tables.xlsx``. Return the report's title, what the kernel wrote to stderr, and the run's
    error (an export failure if there was none before)."""
    title, warnings = None, []
    if nb is None:
        return title, warnings, error
    try:
        meta = nb.metadata.get("papermill", {})
        meta["input_path"] = display_path(run.notebook)
        meta["output_path"] = "notebook.ipynb"
        for cell in nb.cells:
            if "injected-parameters" in cell.get("metadata", {}).get("tags", []):
                cell["id"] = "injected-parameters"  # papermill draws a random one; the report's HTML shows it
            for out in cell.get("outputs", []):
                if out.get("output_type") == "stream" and out.get("name") == "stderr":
                    warnings.append(scrub_paths(out.get("text", "")).strip())
        warnings = [w for w in warnings if w]
        text = nbformat.writes(nb)
        for d in _input_dirs(run):
            text = text.replace(d + os.sep, "").replace(d, ".")
        text = scrub_paths(text)
        published = nbformat.reads(text, as_version=4)
        title = _title(published, run.name)
        if error is not None:
            _failed_outputs(published)
            text = nbformat.writes(published)
        (run_dir / "notebook.ipynb").write_text(text, encoding="utf-8")
        if error is None:
            (run_dir / "report.html").write_text(render_html(published, title), encoding="utf-8")
            write_xlsx(run_dir)
            if run.pdf:
                write_pdf(run_dir)
    except Exception as exc:  # noqa: BLE001 - this report fails, the others go on
        (run_dir / "report.html").unlink(missing_ok=True)
        (run_dir / "report.pdf").unlink(missing_ok=True)
        error = failure(exc, "export", traceback=scrub_paths(traceback.format_exc()))
        if isinstance(exc, OSError) and exc.errno is not None:
            error["errno"] = exc.errno  # the runner tells a full disk in Dutch (runner._disk_reason)
        written = run_dir / "notebook.ipynb"
        try:  # a run that failed while it was published keeps no outputs either
            if written.exists():
                failed = nbformat.read(written, as_version=4)
                _failed_outputs(failed)
                nbformat.write(failed, written)
        except Exception:  # noqa: BLE001 - then no notebook at all
            written.unlink(missing_ok=True)
    return title, warnings, error


class DropStderr(Preprocessor):
    """Leave what the kernel wrote to stderr out of the report (``run.json`` lists it)."""

    def preprocess_cell(self, cell, resources, index):
        if "outputs" in cell:
            cell.outputs = [o for o in cell.outputs
                            if not (o.get("output_type") == "stream" and o.get("name") == "stderr")]
        return cell, resources


class SanitizeOutputs(Preprocessor):
    """The second line of defence against markup from data (the first: every label is escaped
    where prose is made, :mod:`evaluatie.publish.report`). Every HTML output of a code cell is
    cleaned with an allow-list (nh3, the Python binding of the ammonia sanitiser) of the tags and
    attributes the report helpers write: no script, style, iframe, image, form or event-handler
    attribute, links only to http(s) and mailto. Outputs of any other type than HTML, plain text
    and PNG/JPEG images (JavaScript, SVG, widgets, Markdown rendered without escaping) are dropped.
    nbconvert's own ``sanitize_html`` cannot be used: its fixed allow-list removes the tables'
    ``thead``/``th``, headings, ``aside`` and the ARIA attributes."""

    tags = {"h1", "h2", "h3", "h4", "h5", "h6", "p", "aside", "strong", "em", "code", "pre", "ul", "ol", "li",
            "div", "span", "table", "thead", "tbody", "tfoot", "tr", "th", "td", "caption", "a", "br", "hr",
            "small", "sup", "sub", "blockquote", "del", "abbr", "nav", "figure", "figcaption", "dl", "dt", "dd"}
    attributes = {"*": {"class", "id", "role", "lang", "dir", "title", "aria-labelledby", "aria-label",
                        "aria-describedby"},
                  "th": {"scope", "colspan", "rowspan"}, "td": {"colspan", "rowspan"}, "a": {"href"},
                  "div": {"tabindex"}}  # a table that scrolls on a phone is reachable by keyboard
    kept = {"text/html", "text/plain", "image/png", "image/jpeg"}

    def clean(self, markup: str) -> str:
        return nh3.clean(markup, tags=self.tags, attributes=self.attributes,
                         url_schemes={"http", "https", "mailto"}, link_rel="noopener noreferrer")

    def preprocess_cell(self, cell, resources, index):
        for out in cell.get("outputs", []):
            data = out.get("data")
            if not data:
                continue
            for mime in [m for m in data if m not in self.kept]:
                del data[mime]
            if "text/html" in data:
                markup = data["text/html"]
                data["text/html"] = self.clean("".join(markup) if isinstance(markup, list) else markup)
        return cell, resources


@functools.cache
def _exporter() -> HTMLExporter:
    """nbconvert's HTML exporter with the report template, one per process: building one compiles
    the template tree with Jinja, a tenth of a second or more each time."""
    exporter = HTMLExporter(
        template_name="evaluatie",
        extra_template_basedirs=[str(TEMPLATE_DIR)],
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        language_code="nl",
        # validate the notebook once after all preprocessors, not after each of them
        optimistic_validation=True,
    )
    exporter.register_preprocessor(DropStderr, enabled=True)
    exporter.register_preprocessor(SanitizeOutputs, enabled=True)
    return exporter


# an exporter registers per-notebook filters on itself while it converts: one conversion at a time
# (the runner's threads would wait for the interpreter lock during a conversion anyway)
_EXPORTING = threading.Lock()


def render_html(nb: nbformat.NotebookNode, title: str) -> str:
    """An executed notebook as the published report: no code, no prompts, no stderr, no external
    resources, ``lang="nl"``, every cell's output focusable (nbconvert adds ``tabindex``), a table
    of contents."""
    nb.metadata["title"] = title
    with _EXPORTING:
        body, _ = _exporter().from_notebook_node(nb, resources={"metadata": {"name": title}})
    # the inlined lab CSS carries URLs in comments: drop comments inside <style> so nothing points off the page
    body = _STYLE.sub(lambda m: _CSS_COMMENT.sub("", m.group(0)), body)
    return add_running_title(add_toc(body), title, nb.metadata.get("papermill", {}).get("start_time"))


def add_running_title(body: str, title: str, started: str | None) -> str:
    """Put the running title of printed pages (the report's title and the date it was made) before
    the first h1: hidden on screen, the top of every page in print (``report.css``)."""
    text = html.escape(title) + (f" · {html.escape(fmt.date_nl(started))}" if started else "")
    i = body.find("<h1")
    if i < 0:
        return body
    return body[:i] + f'<div class="ev-running" aria-hidden="true">{text}</div>\n' + body[i:]


def write_pdf(run_dir: Path) -> None:
    """``report.pdf`` from ``report.html`` with WeasyPrint (the print stylesheet of ``report.css``:
    A4, tables wrapped to the page width, page numbers, running title). The HTML has no external
    resources (figures are inlined), so nothing is fetched."""
    # imported here, not at the top: WeasyPrint takes 1.0 s to import (3 runs), which a run without
    # --pdf need not pay
    from weasyprint import HTML

    HTML(filename=str(run_dir / "report.html")).write_pdf(run_dir / "report.pdf")


def export_html(nb_path: Path, html_path: Path, title: str) -> None:
    """Render the executed notebook at ``nb_path`` as the published report (:func:`render_html`)."""
    html_path.write_text(render_html(nbformat.read(nb_path, as_version=4), title), encoding="utf-8")


_CSS_COMMENT = re.compile(r"/\*.*?\*/", re.S)
_STYLE = re.compile(r"<style[^>]*>.*?</style>", re.S)
_HEADING = re.compile(r"<h([23])([^>]*)>(.*?)</h\1>", re.S)
_TAGS = re.compile(r"<[^>]+>")
# the pilcrow link nbconvert puts after each heading ("&#182;" or "¶")
_ANCHOR_LINK = re.compile(r'<a\b[^>]*\bclass="anchor-link"[^>]*>.*?</a>', re.S)


def add_toc(body: str) -> str:
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


def write_xlsx(run_dir: Path) -> None:
    """``tables.xlsx``: every ``tables/*.csv`` as a sheet, in the order the report made them.

    Written with openpyxl's streaming writer (several times faster than through pandas). A column
    is numeric in the workbook only when every value in it is a number Excel holds exactly
    (:func:`_numeric_column`); otherwise the whole column is text, so identifiers such as
    ``0123`` or a 20-digit number kept as text stay text. Every text cell is written as a
    string cell, also when it starts with ``=``, ``+``, ``-`` or ``@``: no cell becomes a formula
    (OWASP's "CSV injection"). Empty cells stay empty."""
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
            rows = list(csv.reader(f))
        if not rows:
            continue
        width = max(len(r) for r in rows)
        numeric = [_numeric_column([r[j] for r in rows[1:] if j < len(r)]) for j in range(width)]
        ws.append([_text_cell(ws, v) for v in rows[0]])
        for row in rows[1:]:
            ws.append([None if v == "" else _number(v) if numeric[j] else _text_cell(ws, v)
                       for j, v in enumerate(row)])
    wb.save(run_dir / "tables.xlsx")


_EXACT_DIGITS = 15  # Excel keeps 15 significant digits of a number; longer integers lose digits


def _number(v: str) -> int | float:
    try:
        return int(v)
    except ValueError:
        return float(v)


def _numeric_column(values: list[str]) -> bool:
    """Whether a CSV column can be numbers in Excel: every non-empty value an int in canonical
    form (no leading zero, no plus sign) of at most 15 digits, or a finite float written as
    pandas writes one (Python's ``repr``: ``0.25``, ``2000.0``, ``1e-05``). Text that only reads
    as a number (``1.10``, ``2E3``, ``0.50``, ``.5``: identifiers, company sizes) is no number
    pandas wrote: as a number it would lose how it was written (``1.10`` and ``1.1`` the same)."""
    seen = False
    for v in values:
        if v == "":
            continue
        seen = True
        try:
            i = int(v)
        except ValueError:
            try:
                x = float(v)
            except ValueError:
                return False
            if not math.isfinite(x) or repr(x) != v:
                return False
            continue
        if str(i) != v or len(v.lstrip("-")) > _EXACT_DIGITS:
            return False
    return seen


def _text_cell(ws, v: str):
    """A text value as a string cell: openpyxl would store a value starting with '=' as a formula."""
    if v == "":
        return None
    cell = WriteOnlyCell(ws, value=v)
    cell.data_type = "s"
    return cell
