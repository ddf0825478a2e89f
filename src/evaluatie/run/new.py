"""``evaluatie new ANALYSIS --data FILE [--data FILE2 ...] [-o PARAMS.yaml] [--force]``.

Reads the file(s) with :func:`evaluatie.intake.read.read_table` (every sheet of a workbook for
the action plan), lets :func:`evaluatie.run.propose.propose` guess the params, writes them as
commented YAML (:func:`render`: the meaning of each key in Dutch, the evidence of each guessed
column, a ``# TODO:`` line for each thing left to decide), checks the file with
:func:`evaluatie.run.params.load_run` and prints, in Dutch, what it guessed and the next command.

The default output is ``<stem of the first data file>.yaml`` next to it; an existing file is
only replaced with ``--force``. Data paths are written as the params checker reads them:
relative to the project root when the file lies inside it, else absolute.

Exit codes: 0 the file is written and passes the checker; 1 written, but the checker refuses it
(its message is printed; the file stays, to be completed); 2 nothing written: an unknown
analysis (with a "bedoelde u …?" suggestion), more data files than the analysis reads
(:data:`~evaluatie.run.propose.MAX_FILES`), an unreadable data file (the reader's
:class:`~evaluatie.core.errors.DataError`, which never quotes a cell) or an existing output
without ``--force``, or an output that cannot be written.

Everything taken from the data and written or printed (column names, labels) is escaped:
YAML scalars are quoted whenever plain text could be misread (:func:`scalar`), comments and
terminal lines lose line breaks and control characters (:func:`evaluatie.intake.guess.one_line`).
"""

from __future__ import annotations

import re
import sys
import unicodedata
from pathlib import Path
from typing import Any

import yaml
from openpyxl import load_workbook

from evaluatie.core.errors import DataError
from evaluatie.core.paths import notebooks_dir, root
from evaluatie.intake.guess import one_line
from evaluatie.intake.read import FORMATS, read_table
from evaluatie.run.params import ParamError, load_run, notebook_params, suggest
from evaluatie.run.propose import MAX_FILES, PROPOSERS, Proposal, Table, propose

__all__ = ["scalar", "render", "data_path", "read_tables", "cmd_new"]

EXIT_OK, EXIT_INVALID, EXIT_USAGE = 0, 1, 2
_PLAIN = re.compile(r"[^\W\d_][\w .'/()+-]*", re.UNICODE)


def _escape(c: str) -> str:
    if c in '"\\':
        return "\\" + c
    cat = unicodedata.category(c)
    if cat[0] == "C" or cat in ("Zl", "Zp"):
        return f"\\u{ord(c):04x}" if ord(c) <= 0xFFFF else f"\\U{ord(c):08x}"
    return c


def scalar(value: Any) -> str:
    """One YAML scalar on one line: plain when it reads back as the same text, else double-quoted
    with every control, format and line-break character escaped."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    text = str(value)
    if _PLAIN.fullmatch(text) and text == text.strip() and yaml.safe_load(text) == text:
        return text
    return '"' + "".join(_escape(c) for c in text) + '"'


def _flow(value: Any) -> str:
    if isinstance(value, dict):
        return "{" + ", ".join(f"{scalar(k)}: {_flow(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_flow(v) for v in value) + "]"
    return scalar(value)


def _block(key: str, value: Any, notes: dict[str, str]) -> list[str]:
    """``key: value`` in block style one level deep, each sub-key with its note as a comment."""
    if isinstance(value, dict) and value:
        lines = [f"{scalar(key)}:"]
        for k, v in value.items():
            note = f"  # {one_line(notes[k])}" if notes.get(k) else ""
            lines.append(f"  {scalar(k)}: {_flow(v)}{note}")
        return lines
    return [f"{scalar(key)}: {_flow(value)}"]


def render(proposal: Proposal, sources: list[str], helps: dict[str, str] | None = None) -> str:
    """The params file as commented YAML: a header, then per key its meaning (the entry's own, else
    ``helps[key]``: the notebook's help text), its TODOs and the key itself (commented out when it
    is a suggestion or still to be filled in)."""
    lines = [(f"# Parameters voor 'evaluatie run {proposal.analysis} --params BESTAND', voorgesteld door "
              f"'evaluatie new' op basis van {', '.join(one_line(s) for s in sources)}."),
             "# Controleer elke regel. Wat nog te beslissen is, staat op een regel met TODO.",
             f"notebook: {proposal.analysis}"]
    for e in proposal.entries:
        lines.append("")
        lines.append(f"# {one_line(e.help or (helps or {}).get(e.key, e.key))}")
        lines += [f"# TODO: {one_line(t)}" for t in e.todo]
        body = _block(e.key, e.value if e.value is not None else "", e.notes)
        lines += [f"# {l}" for l in body] if e.commented else body
    return "\n".join(lines) + "\n"


def data_path(path: Path) -> str:
    """A data file as the params file names it: relative to the project root when inside it."""
    p = path.resolve()
    try:
        return p.relative_to(root()).as_posix()
    except ValueError:
        return p.as_posix()


def read_tables(paths: list[Path], *, every_sheet: bool) -> list[Table]:
    """The tables of the data files; with ``every_sheet`` one per sheet of a workbook."""
    out = []
    for p in paths:
        shown = data_path(p)
        first = read_table(p)  # a file that is no table stops here, with the reader's DataError
        if every_sheet and FORMATS.get(p.suffix.lower()) == "xlsx":
            wb = load_workbook(p, read_only=True)
            names = wb.sheetnames
            wb.close()
            # the reader's first sheet is the first *visible* one (attrs["sheet"]), not always names[0]
            out += [Table(first if s == first.attrs.get("sheet") else read_table(p, sheet=s), shown, s) for s in names]
        else:
            out.append(Table(first, shown))
    return out


def _lines(message: object) -> str:
    """A multi-line message with each line passed through :func:`one_line` (indentation kept)."""
    return "\n".join(line[:len(line) - len(line.lstrip())] + one_line(line) for line in str(message).splitlines())


def _summary(proposal: Proposal, shown_target: str) -> list[str]:
    lines = [f"Voorstel voor {proposal.analysis} geschreven naar {one_line(shown_target)}.", "",
             "Herkende kolommen:"]
    for source, col, std, ev in proposal.guesses:
        lines.append(f"  {one_line(source)}: '{one_line(col)}' -> {one_line(std)}  ({one_line(ev)})")
    if not proposal.guesses:
        lines.append("  (geen)")
    todos = proposal.todos
    if todos:
        lines += ["", f"Nog te doen ({len(todos)}; zoek 'TODO' in het bestand):"]
        lines += [f"  - {one_line(t)}" for t in todos]
    return lines


def cmd_new(args) -> int:
    """The ``new`` subcommand (arguments from :func:`evaluatie.run.cli.build_parser`)."""
    analysis = args.analysis
    if analysis not in PROPOSERS:
        print(f"evaluatie: 'new' kent geen analyse {analysis!r}{suggest(analysis, PROPOSERS)} "
              f"(wel: {', '.join(PROPOSERS)})", file=sys.stderr)
        return EXIT_USAGE
    paths = [Path(d) for d in args.data]
    most = MAX_FILES[analysis]
    if most is not None and len(paths) > most:
        allowed = "één gegevensbestand" if most == 1 else f"hoogstens {most} gegevensbestanden (meting en vervolgmeting)"
        print(f"evaluatie: {analysis} leest {allowed}; gekregen: {len(paths)}", file=sys.stderr)
        return EXIT_USAGE
    missing = [d for d, p in zip(args.data, paths) if not p.is_file()]
    if missing:
        print(f"evaluatie: gegevensbestand bestaat niet: {', '.join(one_line(m) for m in missing)}", file=sys.stderr)
        return EXIT_USAGE
    target = Path(args.output) if args.output else paths[0].with_suffix(".yaml")
    if target.exists() and not args.force:
        print(f"evaluatie: {one_line(target)} bestaat al; kies een andere naam met -o of vervang het met --force",
              file=sys.stderr)
        return EXIT_USAGE
    try:
        tables = read_tables(paths, every_sheet=analysis == "actieplan_opvolging")
    except DataError as e:
        print(f"evaluatie: {_lines(e)}", file=sys.stderr)
        return EXIT_USAGE
    proposal = propose(analysis, tables)
    helps = {k: spec.help for k, spec in notebook_params(notebooks_dir() / f"{analysis}.ipynb").items()}
    try:
        target.write_text(render(proposal, [t.shown for t in tables], helps), encoding="utf-8")
    except OSError as e:
        print(f"evaluatie: {one_line(target)} kan niet geschreven worden ({e.strerror or type(e).__name__})",
              file=sys.stderr)
        return EXIT_USAGE
    print("\n".join(_summary(proposal, str(args.output or target))))
    command = f"evaluatie run {analysis} --params {one_line(args.output or target)}"
    try:
        load_run(target, notebook=analysis)
    except ParamError as e:
        print(f"\nDe controle van de parameters vindt nog problemen:\n{_lines(e)}\n\nVul het bestand aan en maak "
              f"dan het rapport met:\n  {command}")
        return EXIT_INVALID
    but = " (op de TODO's na)" if proposal.todos else ""
    print(f"\nDe parameters zijn in orde{but}. Maak het rapport met:\n  {command}")
    return EXIT_OK
