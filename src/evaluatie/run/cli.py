"""The ``evaluatie`` command.

::

    evaluatie list
    evaluatie run NAME [NAME ...] | --all [--params FILE] [-p key=value ...]
                  [--out DIR] [--jobs N] [--timeout SECONDS] [--by DIMENSION]

A NAME is a params file in ``params/`` (``params/NAME.yaml``); ``--all`` runs every one of them.
Parameters are checked before any kernel starts: a wrong key, type or missing file stops
everything with exit code 2 and writes nothing. A report that fails does not stop the others;
the exit code is then 1 (2 when the failure is a data error in an input file).
"""

from __future__ import annotations

import argparse
import importlib
import re
import sys
from pathlib import Path

import yaml

from evaluatie.core.paths import display_path, root
from evaluatie.run.params import ParamError, RunSpec, load_run, notebook_meta, parse_override
from evaluatie.run.runner import run_all

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


def _params_files() -> list[Path]:
    return sorted((root() / "params").glob("*.yaml"))


def cmd_list(_args) -> int:
    nbs = sorted((root() / "notebooks").glob("*.ipynb"))
    runs: dict[str, list[str]] = {}
    for pf in _params_files():
        try:
            doc = yaml.safe_load(pf.read_text(encoding="utf-8")) or {}
        except yaml.YAMLError:
            doc = {}
        runs.setdefault(doc.get("notebook", "?"), []).append(display_path(pf))
    width = max((len(nb.stem) for nb in nbs), default=10)
    for nb in nbs:
        desc = notebook_meta(nb).get("description_nl", "")
        files = ", ".join(runs.get(nb.stem, [])) or "(geen parameterbestand)"
        print(f"{nb.stem:<{width}}  {desc}\n{'':<{width}}  parameters: {files}")
    return EXIT_OK


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", str(text).lower()).strip("-") or "x"


def _expand_by(run: RunSpec, dim: str) -> list[RunSpec]:
    """``--by DIM``: the run itself (the overview) plus one run per value of DIM, as declared in
    the notebook's metadata: ``"evaluatie": {"by": {DIM: {"parameter": P, "values": "mod:fn"}}}``
    where ``fn(parameters)`` lists the values."""
    by = notebook_meta(run.notebook).get("by", {})
    if dim not in by:
        known = ", ".join(by) or "geen"
        raise ParamError(f"--by {dim}: {run.notebook.stem} kent geen opsplitsing {dim!r} (wel: {known})")
    decl = by[dim]
    mod, fn = decl["values"].split(":")
    values = getattr(importlib.import_module(mod), fn)(dict(run.parameters))
    out = [run]
    for v in values:
        p = dict(run.parameters)
        p[decl["parameter"]] = v
        out.append(RunSpec(f"{run.name}-{_slug(v)}", run.notebook, run.params_file, p, run.specs))
    return out


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
    targets: list[tuple[Path | None, str | None]] = []  # (params file, notebook)
    if args.all:
        if args.names:
            raise ParamError("geef namen of --all, niet beide")
        targets = [(pf, None) for pf in _params_files()]
        if not targets:
            raise ParamError(f"geen parameterbestanden in {display_path(root() / 'params')}")
    elif args.params and len(args.names) <= 1:
        targets = [(Path(args.params).resolve(), args.names[0] if args.names else None)]
    elif args.params:
        raise ParamError("--params geldt voor één analyse; geef hoogstens één naam")
    elif args.names:
        available = {pf.stem: pf for pf in _params_files()}
        for n in args.names:
            if n not in available:
                raise ParamError(f"onbekend rapport {n!r}; beschikbaar: {', '.join(sorted(available))}")
            targets.append((available[n], None))
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
    if args.by:
        expanded = []
        for r in runs:
            expanded.extend(_expand_by(r, args.by))
        runs = expanded
    names = [r.name for r in runs]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise ParamError(f"dezelfde rapportnaam twee keer: {', '.join(dupes)}")
    return runs


def cmd_run(args) -> int:
    try:
        runs = _collect_runs(args)
    except ParamError as e:
        print(f"evaluatie: {e}", file=sys.stderr)
        return EXIT_USAGE
    out = Path(args.out) if args.out else root() / "reports"
    results = run_all(runs, out, jobs=max(1, args.jobs), timeout=args.timeout, progress=not args.quiet)
    failed = [r for r in results if not r.ok]
    for r in results:
        if r.ok:
            print(f"ok      {r.name}  ({r.seconds:.1f} s)")
        else:
            print(f"MISLUKT {r.describe_error()}")
    print(f"{len(results) - len(failed)} geslaagd, {len(failed)} mislukt; index: {display_path(out / 'index.html')}")
    if not failed:
        return EXIT_OK
    if all((r.error or {}).get("ename") == "DataError" for r in failed):
        return EXIT_USAGE
    return EXIT_FAILED


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="evaluatie", description="Werkbank voor de evaluatie van gelijkekansen- en diversiteitsbeleid.")
    sub = p.add_subparsers(dest="command", required=True)
    sub.add_parser("list", help="toon alle analyses en hun parameterbestanden").set_defaults(func=cmd_list)
    r = sub.add_parser("run", help="maak rapporten")
    r.add_argument("names", nargs="*", metavar="NAME", help="rapport(en): params/NAME.yaml")
    r.add_argument("--all", action="store_true", help="alle rapporten in params/")
    r.add_argument("--params", metavar="FILE", help="eigen parameterbestand (YAML)")
    r.add_argument("-p", action="append", metavar="KEY=VALUE", help="parameter overschrijven (herhaalbaar)")
    r.add_argument("--out", metavar="DIR", help="uitvoermap (standaard reports/)")
    r.add_argument("--jobs", type=int, default=1, metavar="N", help="aantal rapporten tegelijk")
    r.add_argument("--timeout", type=float, default=None, metavar="SECONDS", help="maximale duur per cel")
    r.add_argument("--by", metavar="DIMENSION", help="ook één rapport per waarde, bv. --by entity")
    r.add_argument("--quiet", action="store_true", help="geen voortgangsbalk")
    r.set_defaults(func=cmd_run)
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
