"""The ``evaluatie`` command.

::

    evaluatie list
    evaluatie run NAME [NAME ...] | --all [-p key=value ...]
                  [--out DIR] [--jobs N] [--timeout SECONDS] [--by DIMENSION] [--pdf]
    evaluatie run [ANALYSIS] --params FILE [-p key=value ...] [...]
    evaluatie new ANALYSIS --data FILE [--data FILE2 ...] [-o PARAMS.yaml] [--force]

A NAME is a report (a params file ``params/NAME.yaml``) or an analysis (a notebook
``notebooks/NAME.ipynb``), which stands for its example reports: every params file naming that
notebook. A name that is both runs the report of that name only. ``--all`` runs every report in
``params/``. ``--params FILE`` runs a user's own study; FILE may be flat (only the parameters,
papermill's convention) when the analysis is named on the command line or in the file.

Parameters are checked before any kernel starts: a wrong name, key, type or missing file stops
everything with exit code 2 and writes nothing; an unknown name gets a "bedoelde u …?"
suggestion. A report that fails does not stop the others; the exit code is then 1 (2 when the
failure is a data error in an input file). A failed rerun keeps the last good report (see
:mod:`evaluatie.run.runner`). A report whose own files do not fit (a full disk, a quota) fails
alone; an index that cannot be written is said after every report ran, with exit code 1.

``new`` proposes a commented params file for a user's own data (:mod:`evaluatie.run.new`).
"""

from __future__ import annotations

import argparse
import hashlib
import importlib
import os
import re
import sys
import tempfile
from dataclasses import replace
from pathlib import Path

from evaluatie.core.paths import display_path, notebooks_dir, root
from evaluatie.run.params import (ParamError, RunSpec, analyses, load_run, notebook_meta, parse_override,
                                  read_yaml, suggest)

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
EXIT_INTERRUPTED = 130  # the shell's code for a command stopped by Ctrl-C (128 + SIGINT)


def _params_files() -> list[Path]:
    return sorted((root() / "params").glob("*.yaml"))


def _reports() -> dict[str, tuple[Path, str | None, str]]:
    """The example reports in ``params/``: name -> (params file, its analysis or None, description)."""
    out = {}
    for pf in _params_files():
        try:
            doc = read_yaml(pf) or {}
        except ParamError:  # named again, with the reason, when the report is run
            doc = {}
        doc = doc if isinstance(doc, dict) else {}
        nb = doc.get("notebook")
        out[pf.stem] = (pf, nb if isinstance(nb, str) else None, str(doc.get("description") or ""))
    return out


def cmd_list(_args) -> int:
    reports = _reports()
    names = analyses()
    width = max([len(n) for n in names] + [len(n) for n in reports] + [10])
    pad = " " * (width + 4)
    print("Analyses. 'evaluatie run ANALYSE' maakt de voorbeeldrapporten van die analyse;\n"
          "'evaluatie run ANALYSE --params BESTAND' maakt een rapport over uw eigen gegevens.\n")
    for nb in names:
        desc = notebook_meta(notebooks_dir() / f"{nb}.ipynb").get("description_nl", "")
        examples = [r for r, (_, a, _) in reports.items() if a == nb]
        print(f"  {nb:<{width}}  {desc}")
        print(f"{pad}voorbeeldrapporten: {', '.join(examples) or '(geen)'}")
    print("\nVoorbeeldrapporten (params/RAPPORT.yaml). 'evaluatie run RAPPORT' maakt dat ene rapport;\n"
          "heet het zoals zijn analyse, dan maakt 'evaluatie run NAAM' alleen dit rapport.\n")
    for r, (_, a, desc) in reports.items():
        print(f"  {r:<{width}}  analyse {a or '(niet genoemd)'}" + (f"\n{pad}{desc}" if desc else ""))
    return EXIT_OK


SLUG_MAX = 60
"""The longest slug of a value kept as it is; a longer one is cut to this length and gets a short
hash of the whole value (a label of 5,000 characters made a folder name the file system refused)."""

MAX_RUN_NAME_BYTES = 230
"""The longest name of a report (its folder) in bytes: the runner's temporary sibling folder
(``.<run>.tmp-<pid>-<8 hex>``, 22 bytes more with a pid of 7 digits) must stay within the 255
bytes a file name may have."""


def _short_hash(value) -> str:
    return hashlib.sha256(str(value).encode()).hexdigest()[:6]


def _slug(text) -> str:
    """A folder name for a value: lower-case letters, digits and hyphens, at most :data:`SLUG_MAX`
    characters of them plus ``-`` and a short hash of the value when it is longer."""
    slug = re.sub(r"[^a-z0-9]+", "-", str(text).lower()).strip("-") or "x"
    if len(slug) > SLUG_MAX:
        slug = f"{slug[:SLUG_MAX].rstrip('-')}-{_short_hash(text)}"
    return slug


def _expand_by(run: RunSpec, dim: str) -> list[RunSpec]:
    """``--by DIM``: the run itself (the overview) plus one run per value of DIM, as declared in
    the notebook's metadata: ``"evaluatie": {"by": {DIM: {"parameter": P, "values": "mod:fn"}}}``
    where ``fn(parameters)`` lists the values."""
    by = notebook_meta(run.notebook).get("by", {})
    if dim not in by:
        known = ", ".join(by) or "geen"
        raise ParamError(f"--by {dim}: {run.notebook.stem} kent geen opsplitsing {dim!r}{suggest(dim, by)} "
                         f"(wel: {known})")
    decl = by[dim]
    mod, _, fn = str(decl["values"]).partition(":")
    if not mod.startswith("evaluatie.") or not fn:
        raise ParamError(f"{display_path(run.notebook)}: --by {dim}: {decl['values']!r} is not a function of the package")
    values = getattr(importlib.import_module(mod), fn)(dict(run.parameters))
    out = [run]
    for v, slug in zip(values, distinct_slugs(values)):
        p = dict(run.parameters)
        p[decl["parameter"]] = v
        out.append(RunSpec(f"{run.name}-{slug}", run.notebook, run.params_file, p, run.specs, pdf=run.pdf))
    return out


def distinct_slugs(values: list) -> list[str]:
    """A folder name per value: its slug (:func:`_slug`, a long value cut and hashed), and where two
    values share one (``A&B`` and ``A-B`` both give ``a-b``) the slug plus a short hash of the
    value, so no report replaces another. The same values give the same names in every run."""
    slugs = [_slug(v) for v in values]
    shared = {s for s in slugs if slugs.count(s) > 1}
    return [f"{s}-{_short_hash(v)}" if s in shared else s for s, v in zip(slugs, values)]


def _resolve_names(names: list[str]) -> list[tuple[Path, None]]:
    """Reports and analyses named on the command line -> params files, each once, in order."""
    reports = _reports()
    known = analyses()
    files: list[Path] = []
    problems = []
    for n in names:
        if n in reports:
            files.append(reports[n][0])
        elif n in known:
            examples = [pf for pf, a, _ in reports.values() if a == n]
            if not examples:
                problems.append(f"analyse {n!r} heeft geen voorbeeldrapport in params/; "
                                f"maak uw eigen rapport met: evaluatie run {n} --params BESTAND")
            files.extend(examples)
        else:
            problems.append(f"onbekende analyse of rapport {n!r}{suggest(n, [*known, *reports])} "
                            f"(analyses: {', '.join(known)}; rapporten: {', '.join(reports)}; zie 'evaluatie list')")
    if problems:
        raise ParamError("\n".join(problems))
    return [(pf, None) for pf in dict.fromkeys(files)]


def _collect_runs(args) -> list[RunSpec]:
    overrides = {}
    problems = []
    for text in args.p or []:
        try:
            k, v = parse_override(text)
            overrides[k] = v
        except ParamError as e:
            problems.append(str(e))
    if problems:
        raise ParamError("\n".join(problems))
    targets: list[tuple[Path, str | None]] = []  # (params file, analysis named on the command line)
    if args.all:
        if args.names:
            raise ParamError("geef namen of --all, niet beide")
        targets = [(pf, None) for pf in _params_files()]
        if not targets:
            raise ParamError(f"geen parameterbestanden in {display_path(root() / 'params')}")
    elif args.params:
        if len(args.names) > 1:
            raise ParamError("--params geldt voor één analyse; geef hoogstens één naam")
        if args.names and args.names[0] not in analyses():
            n = args.names[0]
            raise ParamError(f"onbekende analyse {n!r}{suggest(n, analyses())}; met --params hoort er de naam van "
                             f"een analyse bij (analyses: {', '.join(analyses())})")
        targets = [(Path(args.params).resolve(), args.names[0] if args.names else None)]
    elif args.names:
        targets = _resolve_names(args.names)
    else:
        raise ParamError("geef een of meer namen (zie 'evaluatie list') of --all")
    runs, errors = [], []
    for pf, nb in targets:
        try:
            runs.append(load_run(pf, notebook=nb, overrides=overrides))
        except ParamError as e:
            errors.append(str(e))
    if errors:
        raise ParamError("\n\n".join(errors))
    if args.pdf:
        runs = [replace(r, pdf=True) for r in runs]
    if args.by:
        expanded = []
        for r in runs:
            expanded.extend(_expand_by(r, args.by))
        runs = expanded
    names = [r.name for r in runs]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise ParamError(f"dezelfde rapportnaam twee keer: {', '.join(dupes)}")
    long = [r for r in runs if len(r.name.encode()) > MAX_RUN_NAME_BYTES]
    if long:
        raise ParamError("\n".join(
            f"rapportnaam {r.name[:40]!r}… is te lang voor een mapnaam ({len(r.name.encode())} bytes, hoogstens "
            f"{MAX_RUN_NAME_BYTES}): geef het parameterbestand een kortere naam" for r in long))
    return runs


def _unusable_out(out: Path) -> str | None:
    """Why the reports cannot be written to ``out`` (Dutch), or None: checked before any kernel
    starts, so a wrong ``--out`` costs no run and prints no traceback."""
    if out.exists() and not out.is_dir():
        return "dit is een bestand, geen map; geef een map voor de rapporten"
    try:
        out.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=out):
            pass
    except OSError as e:
        return f"in deze map kan niet geschreven worden ({e.strerror or type(e).__name__})"
    return None


def _say(text: str, stream=None) -> None:
    """Print ``text`` (to stdout, or ``stream``). When the terminal is gone (SIGHUP: the window was
    closed, the SSH connection dropped) writing fails: the reports are recorded all the same, so
    from then on the command's output is dropped instead of ending it in an error."""
    stream = stream or sys.stdout
    try:
        print(text, file=stream, flush=True)
    except OSError:
        sys.stdout = sys.stderr = open(os.devnull, "w", encoding="utf-8")  # noqa: SIM115 - until exit


def cmd_run(args) -> int:
    try:
        runs = _collect_runs(args)
    except ParamError as e:
        print(f"evaluatie: {e}", file=sys.stderr)
        return EXIT_USAGE
    out = Path(args.out) if args.out else root() / "reports"
    problem = _unusable_out(out)
    if problem:
        print(f"evaluatie: --out {display_path(out)}: {problem}", file=sys.stderr)
        return EXIT_FAILED  # not the input's fault (exit 2 is for input): the place to write is unusable
    # Imported here, not at the top: the runner brings jupyter_client, psutil and tqdm, which
    # `evaluatie --help`, `list` and a refused params file need not pay for.
    from evaluatie.publish.provenance import message_is_safe
    from evaluatie.run.runner import IndexNotWritten, Interrupted, run_all

    interrupted, index_problem = False, None
    try:
        results = run_all(runs, out, jobs=max(1, args.jobs), timeout=args.timeout, progress=not args.quiet)
    except Interrupted as stop:
        results, interrupted, index_problem = stop.results, True, stop.index_problem
    except IndexNotWritten as e:
        results, index_problem = e.results, e.problem
    failed = [r for r in results if not r.ok]
    for r in results:
        if r.ok:
            _say(f"ok      {r.name}  ({r.seconds:.1f} s)")
        elif r.status == "interrupted":
            _say(f"ONDERBROKEN {r.name}" + ("" if (r.error or {}).get("kind") == "not_started"
                                            else f" ({r.describe_error()})"))
        else:
            _say(f"MISLUKT {r.describe_error()}")
    stopped = [r for r in failed if r.status == "interrupted"]
    not_started = sum((r.error or {}).get("kind") == "not_started" for r in stopped)
    counts = f"{len(results) - len(failed)} geslaagd, {len(failed) - len(stopped)} mislukt"
    if stopped:
        counts += f", {len(stopped) - not_started} onderbroken, {not_started} niet gestart"
    _say(f"{counts}; index: {display_path(out / 'index.html')}" + (" (niet bijgewerkt)" if index_problem else ""))
    if index_problem:
        _say(f"evaluatie: {index_problem}", sys.stderr)
    if interrupted:
        _say("evaluatie: onderbroken; de lopende rapporten zijn gestopt en als onderbroken genoteerd, "
             "er is geen nieuw rapport meer begonnen", sys.stderr)
        return EXIT_INTERRUPTED
    if index_problem:  # not the input's fault: the place to write is full or taken
        return EXIT_FAILED
    if not failed:
        return EXIT_OK
    if all((r.error or {}).get("ename") == "DataError"
           and message_is_safe(str(r.error.get("evalue", "")), "DataError") for r in failed):
        return EXIT_USAGE
    return EXIT_FAILED


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="evaluatie", description="Werkbank voor de evaluatie van gelijkekansen- en diversiteitsbeleid.")
    sub = p.add_subparsers(dest="command", required=True)
    sub.add_parser("list", help="toon alle analyses en voorbeeldrapporten").set_defaults(func=cmd_list)
    r = sub.add_parser("run", help="maak rapporten")
    r.add_argument("names", nargs="*", metavar="NAAM",
                   help="rapport (params/NAAM.yaml) of analyse (al haar voorbeeldrapporten; met --params: uw studie)")
    r.add_argument("--all", action="store_true", help="alle rapporten in params/")
    r.add_argument("--params", metavar="BESTAND",
                   help="eigen parameterbestand (YAML); alleen parameters mag, als de analyse genoemd is")
    r.add_argument("-p", action="append", metavar="KEY=VALUE", help="parameter overschrijven (herhaalbaar)")
    r.add_argument("--out", metavar="DIR", help="uitvoermap (standaard reports/)")
    r.add_argument("--jobs", type=int, default=1, metavar="N", help="aantal rapporten tegelijk")
    r.add_argument("--timeout", type=float, default=None, metavar="SECONDS", help="maximale duur per cel")
    r.add_argument("--by", metavar="DIMENSION", help="ook één rapport per waarde, bv. --by entity")
    r.add_argument("--quiet", action="store_true", help="geen voortgangsbalk")
    r.add_argument("--pdf", action="store_true", help="ook report.pdf schrijven (A4, om af te drukken)")
    r.set_defaults(func=cmd_run)
    n = sub.add_parser("new", help="stel een parameterbestand voor uw eigen gegevens voor",
                       description="Leest uw gegevens, herkent de kolommen en schrijft een parameterbestand met "
                                   "uitleg en een TODO voor elke keuze die u nog moet maken. Voorbeeld: "
                                   "evaluatie new correspondentietest --data mijn_praktijktest.xlsx")
    n.add_argument("analysis", metavar="ANALYSE", help="de analyse (zie 'evaluatie list')")
    n.add_argument("--data", action="append", required=True, metavar="BESTAND",
                   help="gegevensbestand (CSV, XLSX, SAV, DTA, Parquet); herhaalbaar")
    n.add_argument("-o", dest="output", metavar="PARAMS.yaml",
                   help="het parameterbestand (standaard: naast het eerste gegevensbestand, met .yaml)")
    n.add_argument("--force", action="store_true", help="een bestaand parameterbestand vervangen")
    n.set_defaults(func=cmd_new)
    return p


def cmd_new(args) -> int:
    # Imported here, not at the top: `new` reads the analyses' standard columns and scales, and
    # importing those packages (matplotlib, statsmodels) made every command start in 1.6-1.9 s
    # instead of 0.06 s, `list` and `run` included (measured with `python -c "import
    # evaluatie.run.cli"`, 3 runs each).
    from evaluatie.run.new import cmd_new as new

    return new(args)


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except KeyboardInterrupt:  # before or after the reports (run_all handles it during them)
        _say("evaluatie: onderbroken", sys.stderr)
        return EXIT_INTERRUPTED


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
