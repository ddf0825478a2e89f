"""Parameters: declared once, in each notebook's ``parameters`` cell, checked before any kernel starts.

A notebook's cell tagged ``parameters`` is the single declaration of what it accepts::

    data: str = "data/raw/streefcijfers.csv"  # path: gepubliceerde reeksen
    threshold: int = 5  # drempel voor kleine cellen
    columns: dict | None = None  # kolomnamen in het eigen bestand

The annotation gives the type; a comment starting with ``path:`` marks a file that must exist
(relative to the project root); a number's comment starts with its range, ``[low, high]`` (either
end may be left open: ``[0, ]``), which also bounds every number in a list; a text's comment may
start with its choices, ``{a, b, c}``, which also bind every text in a list; the rest of the
comment is the help text::

    bootstrap: int = 999  # [20, 100000] herhalingen van de cluster-bootstrap
    ci: str = "logit"  # {logit, beta, wilson, wald} intervalmethode

A params file (``params/<run>.yaml``, or a user's own file) names the notebook and overrides
values, wrapped::

    notebook: streefcijfers
    description: Streefcijfers bij de Vlaamse overheid
    parameters:
      threshold: 10

or flat, papermill's own convention (every key a parameter; ``notebook`` and ``description``
optional)::

    notebook: streefcijfers
    threshold: 10

A file is wrapped when it has a ``parameters`` key. The notebook may also be named by the caller
(``evaluatie run streefcijfers --params FILE``); a file without one is refused with a message
saying how to name it.

:func:`load_run` merges notebook defaults, the params file and ``-p key=value`` overrides and
raises :class:`ParamError` listing *every* problem (unknown key, wrong type, missing file, a
number outside its range, a small-cell ``threshold`` below the minimum) together with the valid
keys; an unknown name gets a "bedoelde u …?" suggestion.

Numbers must be finite everywhere (no ``.nan`` or ``.inf``, at any depth), a number is never a
``true``/``false``, and a list with a declared range (or choices) holds only numbers (or texts).
Numbers inside a list of mappings or a mapping get their range from the notebook's metadata::

    "evaluatie": {"ranges": {"claims": {"value": [0, 1], "tolerance": [0, 1]},
                             "budget_totals": {"*": [0, null]}}}

each named key (``*``: every key) of every mapping in the parameter must then be a number in that
range, or be left out (empty).

A params file is YAML of at most :data:`MAX_PARAMS_BYTES` bytes and :data:`MAX_YAML_NODES` values,
counted with every alias (``*naam``) written out: a few hundred bytes of nested aliases expand to
billions of values (a "billion laughs" file), which hung the command before any check. Aliases
themselves are fine (``yaml.safe_dump`` writes them for a mapping used twice).

A notebook's metadata may name checks of single parameters that need the analysis's own
knowledge (``"evaluatie": {"checks": {"values": "evaluatie.analyses.targets.personnel:check_values"}}``):
each is a function of the parameter's value returning a list of Dutch problems, called before any
kernel starts when the value is not empty. Only functions inside the package are called.

Small cells: ``threshold`` below :data:`~evaluatie.publish.disclosure.MIN_THRESHOLD` (3) is always
refused; below the default of 5 it needs ``allow_small_cells: true`` in the same params file, a
parameter every analysis accepts (:data:`COMMON`), and the report's provenance section then says
that a lower threshold was used.
"""

from __future__ import annotations

import ast
import difflib
import importlib
import json
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

import yaml

from evaluatie.core.paths import display_path, notebooks_dir, resolve
from evaluatie.publish.thresholds import DEFAULT_THRESHOLD, MIN_THRESHOLD

__all__ = ["ParamSpec", "ParamError", "RunSpec", "notebook_params", "load_run", "parse_override",
           "input_paths", "notebook_meta", "analyses", "suggest", "read_yaml", "WRAPPER_KEYS", "COMMON",
           "ALLOW_SMALL_CELLS", "MAX_PARAMS_BYTES", "MAX_YAML_NODES"]

WRAPPER_KEYS = ("notebook", "parameters", "description")
#: The parameter every notebook declares for the small-cell threshold of its published tables;
#: a value below :data:`evaluatie.publish.disclosure.MIN_THRESHOLD` is refused.
DISCLOSURE_PARAMETER = "threshold"
ALLOW_SMALL_CELLS = "allow_small_cells"


def suggest(word: str, choices) -> str:
    """``"; bedoelde u 'x'?"`` for the choices close to ``word`` (:func:`difflib.get_close_matches`),
    or ``""`` when none is close."""
    close = difflib.get_close_matches(str(word), sorted(set(choices)), n=3, cutoff=0.6)
    if not close:
        return ""
    quoted = [repr(c) for c in close]
    return "; bedoelde u " + (" of ".join([", ".join(quoted[:-1]), quoted[-1]]) if len(quoted) > 1 else quoted[0]) + "?"


class ParamError(Exception):
    """Parameters that cannot be used; the message names every problem and the valid keys."""


@dataclass(frozen=True)
class ParamSpec:
    name: str
    annotation: str
    default: Any
    help: str
    is_path: bool
    low: float | None = None  # the declared range of a number (or of every number in a list)
    high: float | None = None
    choices: tuple[str, ...] | None = None  # the declared choices of a text (or of every text in a list)

    @property
    def optional(self) -> bool:
        return "None" in self.annotation or self.annotation.startswith("Optional")

    @property
    def base_types(self) -> tuple[str, ...]:
        a = self.annotation.replace("Optional[", "").replace("]", "")
        parts = [p.strip().split("[")[0] for p in a.replace("|", ",").split(",")]
        return tuple(p for p in parts if p and p != "None")


#: Parameters every analysis accepts without declaring them.
COMMON = {ALLOW_SMALL_CELLS: ParamSpec(
    ALLOW_SMALL_CELLS, "bool", False,
    f"een drempel voor kleine cellen onder {DEFAULT_THRESHOLD} toestaan (minstens {MIN_THRESHOLD}); "
    "het rapport vermeldt dat in zijn herkomst", False)}

_CHOICES = re.compile(r"^\{([^{}]+)\}\s*")
_RANGE = re.compile(r"^\[\s*(-?\d+(?:\.\d+)?)?\s*,\s*(-?\d+(?:\.\d+)?)?\s*\]\s*")


def _number(text: str | None) -> float | int | None:
    if text is None:
        return None
    return float(text) if "." in text else int(text)


def _is_number(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _describe(v: Any) -> str:
    """What a parameter value is, in Dutch, for a message to the person at the terminal."""
    if v is None:
        return "leeg"
    if isinstance(v, bool):
        return f"ja/nee ({str(v).lower()})"
    if isinstance(v, str):
        return f"tekst {v!r}"
    if isinstance(v, list):
        return "een lijst"
    if isinstance(v, dict):
        return "een mapping"
    return repr(v)


def _range_text(low, high) -> str:
    if low is not None and high is not None:
        return f"van {low} tot en met {high}"
    if low is not None:
        return f"van minstens {low}"
    return f"van hoogstens {high}"


def _bad_number(v: Any, low, high) -> bool:
    """Whether ``v`` is no number, or one outside ``[low, high]``."""
    return not _is_number(v) or (low is not None and v < low) or (high is not None and v > high)


def _out_of_range(spec: ParamSpec, value: Any) -> str | None:
    """A Dutch problem when a number lies outside the declared range, or a list with a declared
    range holds something else than numbers in it (text, ja/nee, a list)."""
    if spec.low is None and spec.high is None:
        return None
    values = value if isinstance(value, list) else [value]
    if not isinstance(value, list) and not _is_number(value):
        return None  # a text or an empty value where the annotation allows one: not a number to bound
    bad = [v for v in values if _bad_number(v, spec.low, spec.high)]
    if not bad:
        return None
    what = "elk getal" if isinstance(value, list) else "een getal"
    got = repr(bad[0]) if _is_number(bad[0]) else _describe(bad[0])
    return f"parameter {spec.name!r}: verwacht {what} {_range_text(spec.low, spec.high)}, gekregen {got}"


def _nested_ranges(nb_path: Path, specs: Mapping[str, ParamSpec]) -> dict[str, dict[str, tuple]]:
    """The ranges of numbers inside a parameter's mappings, from the notebook's metadata
    (``evaluatie.ranges``; see the module docstring): ``{parameter: {key: (low, high)}}``."""
    declared = notebook_meta(nb_path).get("ranges", {})
    expected = (f"{display_path(nb_path)}: metadata evaluatie.ranges: expected {{parameter: {{key: [low, high]}}}} "
                "for declared parameters, got ")
    if not isinstance(declared, dict):
        raise ParamError(expected + repr(declared))
    out: dict[str, dict[str, tuple]] = {}
    for name, keys in declared.items():
        ok = name in specs and isinstance(keys, dict) and all(
            isinstance(r, list) and len(r) == 2 and all(b is None or _is_number(b) for b in r) for r in keys.values())
        if not ok:
            raise ParamError(expected + f"{name!r}: {keys!r}")
        out[name] = {k: tuple(r) for k, r in keys.items()}
    return out


def _nested_out_of_range(name: str, value: Any, ranges: Mapping[str, tuple]) -> str | None:
    """A Dutch problem when a number inside the mappings of ``value`` (a mapping, or a list of
    them) is no number or lies outside its declared range; an absent or empty key is fine."""
    items = value if isinstance(value, list) else [value]
    for i, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            continue
        for key, v in item.items():
            rng = ranges.get(key, ranges.get("*"))
            if rng is None or v is None or not _bad_number(v, *rng):
                continue
            where = f"element {i}, sleutel {key!r}" if isinstance(value, list) else f"sleutel {key!r}"
            got = repr(v) if _is_number(v) else _describe(v)
            return f"parameter {name!r} ({where}): verwacht een getal {_range_text(*rng)}, gekregen {got}"
    return None


def _non_finite(value: Any, path: tuple[str, ...] = ()) -> tuple[str, ...] | None:
    """Where in ``value`` (at any depth) a number is not finite (``.nan``, ``.inf``), as the steps
    to it in Dutch (``()`` for the value itself), or None when every number is finite."""
    if isinstance(value, float) and not math.isfinite(value):
        return path
    if isinstance(value, list):
        return next((w for i, v in enumerate(value, start=1)
                     if (w := _non_finite(v, (*path, f"element {i}"))) is not None), None)
    if isinstance(value, dict):
        return next((w for k, v in value.items() if (w := _non_finite(v, (*path, f"sleutel {k!r}"))) is not None),
                    None)
    return None


def _analysis_checks(nb_path: Path, values: Mapping[str, Any]) -> list[str]:
    """Problems found by the checks the notebook's metadata names (``evaluatie.checks``)."""
    out = []
    for key, target in notebook_meta(nb_path).get("checks", {}).items():
        module, _, name = str(target).partition(":")
        if not module.startswith("evaluatie.") or not name:
            raise ParamError(f"{display_path(nb_path)}: check {target!r} for {key!r} is not a function of the package")
        if values.get(key):
            check = getattr(importlib.import_module(module), name)
            out += [f"parameter {key!r}: {m}" for m in check(values[key])]
    return out


def _not_a_choice(spec: ParamSpec, value: Any) -> str | None:
    """A Dutch problem when a text (or a text in a list) is not one of the declared choices."""
    if not spec.choices:
        return None
    values = value if isinstance(value, list) else [value]
    if not isinstance(value, list) and not isinstance(value, str):
        return None  # an empty value where the annotation allows one
    bad = [v for v in values if not isinstance(v, str) or v not in spec.choices]
    if not bad:
        return None
    got = repr(bad[0]) + suggest(bad[0], spec.choices) if isinstance(bad[0], str) else _describe(bad[0])
    return (f"parameter {spec.name!r}: verwacht {'elk ' if isinstance(value, list) else ''}een van "
            f"{', '.join(spec.choices)}, gekregen {got}")


def _read_nb(path: Path) -> dict:
    return json.loads(Path(path).read_text(encoding="utf-8"))


def notebook_meta(path: Path) -> dict:
    """The ``evaluatie`` block of a notebook's metadata (Dutch description etc.)."""
    return _read_nb(path).get("metadata", {}).get("evaluatie", {})


def notebook_params(path: Path) -> dict[str, ParamSpec]:
    """The parameters a notebook declares in its cell tagged ``parameters``."""
    nb = _read_nb(path)
    cells = [c for c in nb["cells"] if "parameters" in c.get("metadata", {}).get("tags", [])]
    if len(cells) != 1:
        raise ParamError(f"{display_path(path)}: expected exactly one cell tagged 'parameters', found {len(cells)}")
    src = "".join(cells[0]["source"]) if isinstance(cells[0]["source"], list) else cells[0]["source"]
    lines = src.splitlines()
    specs: dict[str, ParamSpec] = {}
    for node in ast.parse(src).body:
        if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            name, annotation = node.target.id, ast.unparse(node.annotation)
        elif isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            name, annotation = node.targets[0].id, ""
        else:
            continue
        default = ast.literal_eval(node.value) if node.value is not None else None
        comment = ""
        last = lines[node.end_lineno - 1]
        if "#" in last:
            comment = last.split("#", 1)[1].strip()
        is_path = comment.startswith("path:")
        if is_path:
            comment = comment[len("path:"):].strip()
        low = high = choices = None
        m = _RANGE.match(comment)
        if m:
            low, high = _number(m.group(1)), _number(m.group(2))
            comment = comment[m.end():]
        m = _CHOICES.match(comment)
        if m:
            choices = tuple(c.strip() for c in m.group(1).split(",") if c.strip())
            comment = comment[m.end():]
        if not annotation:
            annotation = type(default).__name__ if default is not None else "Any"
        specs[name] = ParamSpec(name, annotation, default, comment, is_path, low, high, choices)
    return specs


_TYPES = {
    "str": (str,), "int": (int,), "float": (int, float), "bool": (bool,),
    "dict": (dict,), "list": (list,), "Any": (object,),
}


_PLAIN_NAMES = {"bytes": "binaire gegevens (!!binary)", "date": "een datum", "datetime": "een datum en tijd",
                "time": "een tijdstip", "set": "een verzameling (!!set)"}


def _not_plain(value: Any) -> str | None:
    """What in ``value`` (at any depth) is not plain JSON data (text, number, bool, None, list,
    mapping with text keys), in Dutch; None when all is plain. YAML can give dates, bytes and
    sets, which run.json and the notebook cannot carry."""
    if value is None or isinstance(value, (str, bool, int, float)):
        return None
    if isinstance(value, list):
        return next((w for w in map(_not_plain, value) if w), None)
    if isinstance(value, dict):
        if not all(isinstance(k, str) for k in value):
            return "een sleutel die geen tekst is"
        return next((w for w in map(_not_plain, value.values()) if w), None)
    name = type(value).__name__
    return _PLAIN_NAMES.get(name, f"een waarde van het type {name}")


def _type_ok(spec: ParamSpec, value: Any) -> bool:
    if value is None:
        return spec.optional
    for t in spec.base_types:
        allowed = _TYPES.get(t, (object,))
        if isinstance(value, bool) and t in ("int", "float"):
            continue  # YAML `yes` is not a number
        if isinstance(value, allowed):
            return True
    return False


def parse_override(text: str) -> tuple[str, Any]:
    """``key=value`` from the command line; the value is read as YAML (``5``, ``true``, ``[a, b]``)."""
    if "=" not in text:
        raise ParamError(f"-p {text!r}: schrijf een parameter als sleutel=waarde")
    key, raw = text.split("=", 1)
    value = _load_yaml(raw, f"-p {key.strip()}", brief=True) if raw.strip() else ""
    return key.strip(), value


@dataclass
class RunSpec:
    """One report to produce: a notebook with checked parameters."""

    name: str
    notebook: Path
    params_file: Path | None
    parameters: dict[str, Any]
    specs: dict[str, ParamSpec] = field(repr=False)
    pdf: bool = False  # also write report.pdf (evaluatie run --pdf)

    def inputs(self) -> list[Path]:
        return input_paths(self.parameters, self.specs)


def input_paths(parameters: Mapping[str, Any], specs: Mapping[str, ParamSpec] | None = None) -> list[Path]:
    """Input files named by the parameters: those declared ``path:``; without specs, every string
    value that names an existing file."""
    out = []
    for k, v in parameters.items():
        if not isinstance(v, str) or not v:
            continue
        if specs is not None and not (k in specs and specs[k].is_path):
            continue
        p = resolve(v)
        if p.is_file():
            out.append(p)
    return out


def _notebooks_dir() -> Path:
    return notebooks_dir()


def analyses() -> list[str]:
    """The analyses: the notebooks in ``notebooks/``, by name."""
    return sorted(p.stem for p in _notebooks_dir().glob("*.ipynb"))


MAX_PARAMS_BYTES = 1_000_000
"""The largest params file read: the biggest example is under 10 kB."""
MAX_YAML_NODES = 20_000
"""The most values (scalars, lists and mappings) a params file may hold: the examples hold a few
hundred. A list of 500,000 numbers (1 MB) took PyYAML 37 s to read; it stops at 20,000 after 0.5 s."""


class _Refused(Exception):
    def __init__(self, why: str, mark=None):
        super().__init__(why)
        self.why, self.mark = why, mark


_TOO_MANY = f"meer dan {MAX_YAML_NODES} waarden (verwijzingen *naam meegeteld); zoveel heeft geen analyse nodig"


class _BoundedLoader(yaml.SafeLoader):
    """PyYAML's safe loader that stops at :data:`MAX_YAML_NODES` values, written out or reached
    through aliases (``*naam``), and refuses an alias inside the value it names."""

    def __init__(self, stream):
        super().__init__(stream)
        self._nodes = 0

    def compose_node(self, parent, index):
        if not self.check_event(yaml.AliasEvent):
            self._nodes += 1
            if self._nodes > MAX_YAML_NODES:  # stop reading at once: PyYAML is slow on long files
                raise _Refused(_TOO_MANY, self.peek_event().start_mark)
        return super().compose_node(parent, index)

    def get_single_node(self):
        node = super().get_single_node()
        if node is not None and _expanded_size(node, {}, set()) > MAX_YAML_NODES:
            raise _Refused(_TOO_MANY)
        return node


def _expanded_size(node, sizes: dict, open_: set) -> int:
    """How many values ``node`` holds with every alias written out (each shared node counted
    once per place it is used; :class:`_Refused` for a node that contains itself)."""
    key = id(node)
    if key in sizes:
        return sizes[key]
    if key in open_:
        raise _Refused("een YAML-verwijzing (*naam) binnen de waarde waarnaar ze verwijst", node.start_mark)
    open_.add(key)
    if isinstance(node, yaml.SequenceNode):
        size = 1 + sum(_expanded_size(n, sizes, open_) for n in node.value)
    elif isinstance(node, yaml.MappingNode):
        size = 1 + sum(_expanded_size(k, sizes, open_) + _expanded_size(v, sizes, open_) for k, v in node.value)
    else:
        size = 1
    open_.discard(key)
    sizes[key] = min(size, MAX_YAML_NODES + 1)  # a bomb's sizes would grow as 9^depth
    return sizes[key]


def _load_yaml(text: str, where: str, brief: bool = False) -> Any:
    """``text`` read as YAML with :class:`_BoundedLoader`; :class:`ParamError` naming ``where``
    when it cannot be read or is refused (``brief``: for a ``-p`` value, PyYAML's reason only)."""
    loader = _BoundedLoader(text)
    try:
        return loader.get_single_data()
    except _Refused as e:
        line = f" (regel {e.mark.line + 1})" if e.mark is not None else ""
        raise ParamError(f"{where}: bevat {e.why}{line}") from None
    except yaml.YAMLError as e:
        if brief:
            raise ParamError(f"{where}: de waarde is geen geldige YAML ({getattr(e, 'problem', None) or e})") from None
        raise ParamError(f"{where}: geen geldige YAML: {e}") from None
    except RecursionError:
        raise ParamError(f"{where}: te diep geneste lijsten of mappings") from None
    finally:
        loader.dispose()


def read_yaml(path: Path, where: str | None = None) -> Any:
    """A params file's YAML (see the module docstring for what is refused), with
    :class:`ParamError` naming the file (``where``, else its display path)."""
    where = where or display_path(path)
    try:
        size = Path(path).stat().st_size
    except OSError:
        raise ParamError(f"parameterbestand {where} bestaat niet") from None
    if size > MAX_PARAMS_BYTES:
        raise ParamError(f"{where}: het bestand is {size:,} bytes groot; een parameterbestand is hoogstens "
                         f"{MAX_PARAMS_BYTES:,} bytes".replace(",", "."))
    try:
        text = Path(path).read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise ParamError(f"{where}: geen tekst in UTF-8") from None
    return _load_yaml(text, where)


def _read_doc(params_file: Path, where: str) -> dict:
    if not Path(params_file).is_file():
        raise ParamError(f"parameterbestand {where} bestaat niet")
    doc = read_yaml(params_file, where) or {}
    if not isinstance(doc, dict):
        raise ParamError(f"{where}: verwacht een YAML-mapping van parameters (sleutel: waarde)")
    return doc


def load_run(params_file: Path | None = None, *, notebook: str | None = None,
             overrides: Mapping[str, Any] | None = None, name: str | None = None) -> RunSpec:
    """Build and check one run. ``notebook`` names the analysis when the caller knows it (it must
    agree with the file's ``notebook`` key if both are given). The run's name is ``name``, else the
    params file's stem, else the notebook's name. All problems are collected and raised as one
    :class:`ParamError`."""
    problems: list[str] = []
    doc: dict = {}
    given: Any = {}
    where = display_path(params_file) if params_file else None
    if params_file is not None:
        doc = _read_doc(params_file, where)
        if "parameters" in doc:  # wrapped
            extra = sorted(set(doc) - set(WRAPPER_KEYS))
            for k in extra:
                problems.append(f"{where}: onbekende sleutel {k!r} op het hoogste niveau{suggest(k, WRAPPER_KEYS)} "
                                f"(geldig: {', '.join(WRAPPER_KEYS)}; of zet alle parameters rechtstreeks "
                                "in het bestand, zonder 'parameters:')")
            given = doc["parameters"] or {}
        else:  # flat: papermill's convention, every key but notebook and description is a parameter
            given = {k: v for k, v in doc.items() if k not in WRAPPER_KEYS}
    in_file = doc.get("notebook")
    if in_file is not None and not isinstance(in_file, str):
        raise ParamError(f"{where}: 'notebook' moet de naam van een analyse zijn, niet {in_file!r}")
    if notebook and in_file and notebook != in_file:
        raise ParamError(f"{where} hoort bij analyse {in_file!r} (notebook: {in_file}), "
                         f"niet bij {notebook!r} zoals op de opdrachtregel")
    nb_name = notebook or in_file
    known = analyses()
    if not nb_name:  # with the file's other problems: a misspelt 'notebook' key is one
        missing = (f"{where or 'parameters'}: er staat niet in voor welke analyse dit bestand is. "
                   f"Noem de analyse op de opdrachtregel (evaluatie run ANALYSE --params {where or 'BESTAND'}) "
                   f"of bovenaan in het bestand (notebook: ANALYSE). Analyses: {', '.join(known)}")
        raise ParamError("\n".join([*problems, missing]))
    nb_path = _notebooks_dir() / f"{nb_name}.ipynb"
    if nb_name not in known:
        raise ParamError(f"{where or 'parameters'}: onbekende analyse {nb_name!r}{suggest(nb_name, known)} "
                         f"(analyses: {', '.join(known)})")
    specs = {**notebook_params(nb_path), **COMMON}
    nested = _nested_ranges(nb_path, specs)
    if not isinstance(given, dict):
        problems.append(f"{where}: 'parameters' moet een mapping zijn")
        given = {}
    # in a flat file a misspelt 'parameters:' wrapper is a key like any other
    candidates = list(specs) + ([] if "parameters" in doc else ["parameters"])
    values = {k: s.default for k, s in specs.items()}
    for source, mapping in ((where, given), ("-p", overrides or {})):
        for k, v in mapping.items():
            if k not in specs:
                problems.append(f"{source}: onbekende parameter {k!r}{suggest(k, candidates)}")
                continue
            values[k] = v
    for k, s in specs.items():
        v = values[k]
        odd = _not_plain(v)
        if odd:
            problems.append(f"parameter {k!r}: bevat {odd}; een parameter bestaat uit tekst, getallen, "
                            "ja/nee, lijsten en mappings (zet bv. een datum tussen aanhalingstekens)")
        elif (steps := _non_finite(v)) is not None:
            problems.append(f"parameter {k!r}" + (f" ({', '.join(steps)})" if steps else "")
                            + ": bevat een getal dat niet eindig is (.nan of .inf); geef een gewoon getal")
        elif v is None and not s.optional:
            problems.append(f"parameter {k!r} ontbreekt (verwacht {s.annotation})"
                            + (f": {s.help}" if s.help else ""))
        elif not _type_ok(s, v):
            problems.append(f"parameter {k!r}: verwacht {s.annotation}, gekregen {type(v).__name__} {v!r}")
        elif s.is_path and v is not None:
            if not resolve(v).is_file():
                problems.append(f"parameter {k!r}: invoerbestand {v} bestaat niet")
        elif k == DISCLOSURE_PARAMETER and isinstance(v, int) and v < MIN_THRESHOLD:
            problems.append(f"parameter {k!r}: de drempel voor kleine cellen is minstens {MIN_THRESHOLD} "
                            f"(gekregen {v}); een rapport publiceert geen aantallen van minder dan "
                            f"{MIN_THRESHOLD} personen of organisaties")
        elif k == DISCLOSURE_PARAMETER and isinstance(v, int) and v < DEFAULT_THRESHOLD \
                and values.get(ALLOW_SMALL_CELLS) is not True:
            problems.append(f"parameter {k!r}: een drempel onder {DEFAULT_THRESHOLD} (gekregen {v}) publiceert "
                            f"cellen vanaf {v} personen of organisaties; zet daarvoor "
                            f"ook '{ALLOW_SMALL_CELLS}: true' in het parameterbestand (het rapport vermeldt het)")
        elif (rng := _out_of_range(s, v)) is not None:
            problems.append(rng)
        elif (choice := _not_a_choice(s, v)) is not None:
            problems.append(choice)
        elif k in nested and (inner := _nested_out_of_range(k, v, nested[k])) is not None:
            problems.append(inner)
    if not problems:
        problems += _analysis_checks(nb_path, values)
    if problems:
        valid = ", ".join(f"{k} ({s.annotation})" for k, s in specs.items())
        raise ParamError("\n".join([f"Parameters voor {nb_name} kloppen niet:"]
                                   + [f"  - {p}" for p in problems]
                                   + [f"Geldige parameters: {valid}"]))
    run_name = name or (Path(params_file).stem if params_file else nb_name)
    return RunSpec(run_name, nb_path, Path(params_file) if params_file else None, values, specs)
