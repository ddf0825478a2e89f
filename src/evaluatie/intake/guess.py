"""What a user's columns probably hold, guessed from their names and their content.

Used by ``evaluatie new`` (:mod:`evaluatie.run.new`) to propose a params file; knows nothing of
the analyses: their standard names, synonyms and value codes are passed in.

* :func:`norm_name` compares names with accents, case, spaces and punctuation ignored
  (``"Vacature nr."`` and ``"vacature_nr"`` are the same name).
* :func:`name_score` scores a column name against the synonyms of a standard name, word by
  word (the more of the name a synonym covers, the better).
* :func:`profile` describes each column's content: a key (unique, or repeating: one value on
  several rows), yes/no (``ja``/``nee``, ``0``/``1``, the tokens of :data:`BOOL_TOKENS`), dates,
  numbers, a category of a few labels, or free text; with the evidence in Dutch.
* :func:`assign` turns scores into a one-to-one mapping, standard name -> column, and reports a
  tie (two columns equally likely) instead of choosing.
* :func:`stage_sizes` finds, for a column of sampled units (organisations), the columns that can
  hold population sizes of a two-stage sample: the number of units in the population (one value
  per stratum) and the size of each unit (at least its rows).

Evidence texts name columns and counts, never a cell's content.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping

import pandas as pd

from evaluatie.intake.schema import BOOL_TOKENS, Column

__all__ = ["MAX_LEVELS", "KEY_REPEATS", "ColumnProfile", "norm_name", "name_score", "profile", "profiles", "assign",
           "Assignment", "one_line", "constant_within", "stage_sizes"]

#: a column with at most this many distinct values is a category (its labels are listed)
MAX_LEVELS = 12
#: a column of more labels whose values come back on fewer rows than this on average is a key
#: (a vacancy, an employee); on more rows, a category with many labels (an entity, a nationality)
KEY_REPEATS = 10
_DATE = Column("date", kind="date")


def fold(text: Any) -> str:
    """Lower case, accents removed, punctuation to spaces, spaces collapsed
    (``" Zeer  Tevreden!"`` -> ``"zeer tevreden"``, ``"n.v.t."`` -> ``"n v t"``): how labels and
    column names are compared, here and in the survey's answer scales."""
    s = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode("ascii").lower()
    return re.sub(r"[^a-z0-9]+", " ", s).strip()


def norm_name(name: Any) -> str:
    """A name with accents, case, spaces and punctuation removed: ``"Vacature nr."`` -> ``"vacaturenr"``."""
    return fold(name).replace(" ", "")


def one_line(text: Any) -> str:
    """``text`` on one line without control or format characters (for a YAML comment or a
    terminal): line breaks, tabs and escape sequences become a space."""
    s = "".join(" " if unicodedata.category(c)[0] == "C" or unicodedata.category(c) in ("Zl", "Zp") else c
                for c in str(text))
    return re.sub(r"\s+", " ", s).strip()


def _tokens(name: Any) -> list[str]:
    return fold(name).split()


def name_score(column: Any, synonyms: Iterable[str]) -> tuple[float, str] | None:
    """How well a column name fits a standard name given by its ``synonyms`` (Dutch and English),
    with the evidence (``"naam lijkt op 'vacature'"``); None when nothing fits.

    1.0 for the same name (:func:`norm_name`); when every word of a synonym is a word of the
    name, 0.5 plus 0.4 times the share of the name's words (numbers aside) it covers, so
    "Voorzien op begroting 2018" fits "voorzien op begroting" (0.9) better than "Voorzien op
    begroting TOM 2018" does (0.8); 0.6 when a synonym of at least 4 letters is part of one word
    ("handicap" in "handicapcategorie") or the name is nearly the same (a typo)."""
    k = norm_name(column)
    if not k:
        return None
    words = _tokens(column)
    counted = [w for w in words if not w.isdigit()] or words
    best: tuple[float, str] | None = None
    for s in synonyms:
        n, syn = norm_name(s), _tokens(s)
        if not n:
            continue
        if k == n:
            score = 1.0
        elif set(syn) <= set(words):
            score = 0.5 + 0.4 * min(1.0, len(syn) / len(counted))
        elif (len(n) >= 4 and n in k) or (len(k) >= 4 and difflib.SequenceMatcher(None, k, n).ratio() >= 0.85):
            score = 0.6
        else:
            continue
        if best is None or score > best[0]:
            best = (score, f"naam lijkt op '{s}'")
    return best


@dataclass(frozen=True)
class ColumnProfile:
    """The content of one column.

    ``kind``: ``"empty"``, ``"bool"``, ``"date"``, ``"number"``, ``"key"`` (unique values, or
    more than :data:`MAX_LEVELS` values each on a few rows: fewer than :data:`KEY_REPEATS`),
    ``"category"`` (at most :data:`MAX_LEVELS` labels, or many rows per label) or ``"text"``
    (free text: more labels than that, most of several words). ``labels``: the distinct values as text, most
    frequent first, when there are at most :data:`MAX_LEVELS`. ``codes``: SPSS/Stata value
    labels (code -> label) when the file has them; ``variable_label`` likewise."""

    name: str
    kind: str
    n: int
    distinct: int
    labels: tuple[str, ...] = ()
    numeric: bool = False
    codes: Mapping[Any, str] | None = None
    variable_label: str | None = None
    evidence: str = ""

    @property
    def unique(self) -> bool:
        return self.n > 0 and self.distinct == self.n


def _label(v: Any) -> str:
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v).strip()


def profile(series: pd.Series, *, codes: Mapping[Any, str] | None = None,
            variable_label: str | None = None) -> ColumnProfile:
    """The :class:`ColumnProfile` of one column as :func:`evaluatie.intake.read.read_table` gives it."""
    name = str(series.name)
    s = series.dropna()
    if s.dtype == object or pd.api.types.is_string_dtype(s.dtype):
        s = s[s.astype(str).str.strip() != ""]
    n = len(s)
    if n == 0:
        return ColumnProfile(name, "empty", 0, 0, evidence="leeg")
    raw = s.value_counts(sort=False)  # labelled per distinct value, not per row
    counts = raw.groupby(raw.index.map(_label), sort=False).sum().sort_values(ascending=False, kind="stable")
    distinct = len(counts)
    labels = tuple(counts.index) if distinct <= MAX_LEVELS else ()
    numeric = pd.api.types.is_numeric_dtype(s.dtype) and not pd.api.types.is_bool_dtype(s.dtype)
    common = dict(name=name, n=n, distinct=distinct, labels=labels, numeric=numeric, codes=codes,
                  variable_label=variable_label)
    if pd.api.types.is_bool_dtype(s.dtype) or _yes_no(counts.index):
        zero_one = set(counts.index) <= {"0", "1"}
        return ColumnProfile(kind="bool", evidence="0/1-waarden" if zero_one else "ja/nee-waarden", **common)
    if pd.api.types.is_datetime64_any_dtype(s.dtype):
        return ColumnProfile(kind="date", evidence=f"datums ({distinct} verschillende)", **common)
    if not numeric:
        _, missing, invalid = _DATE.coerce(pd.Series(counts.index, dtype=object))
        if not invalid.any() and not missing.all():
            return ColumnProfile(kind="date", evidence=f"datums ({distinct} verschillende)", **common)
    whole = numeric and bool((s.astype(float) % 1 == 0).all())
    if not numeric and _wordy(counts.index):
        return ColumnProfile(kind="text", evidence=f"vrije tekst ({distinct} verschillende waarden)", **common)
    if not numeric or whole:
        if distinct == n and (distinct > MAX_LEVELS or (numeric and n >= 5)):
            return ColumnProfile(kind="key", evidence="unieke waarden (een sleutel)", **common)
        if distinct > MAX_LEVELS and n / distinct < KEY_REPEATS:
            return ColumnProfile(kind="key", evidence=f"herhaalde sleutels (elke waarde gemiddeld "
                                 f"{n / distinct:.1f} keer)".replace(".", ","), **common)
        if distinct <= MAX_LEVELS or n / distinct >= KEY_REPEATS:
            return ColumnProfile(kind="category", evidence=f"{distinct} verschillende waarden", **common)
    return ColumnProfile(kind="number", evidence="getallen", **common)  # numbers with decimals


def _yes_no(labels: pd.Index) -> bool:
    """At most two labels (case aside), each a yes/no token of :data:`BOOL_TOKENS`."""
    folded = {str(l).casefold() for l in labels}
    return len(folded) <= 2 and folded <= set(BOOL_TOKENS)


def _wordy(labels: pd.Index) -> bool:
    """More than :data:`MAX_LEVELS` labels, most of them several words: free text, not a key."""
    if len(labels) <= MAX_LEVELS:
        return False
    sample = [str(l) for l in labels[:200]]
    return sum(len(l.split()) >= 3 for l in sample) > len(sample) / 2


def profiles(df: pd.DataFrame) -> dict[str, ColumnProfile]:
    """:func:`profile` of every column, with the SPSS/Stata labels the reader kept in ``df.attrs``."""
    codes = df.attrs.get("value_labels") or {}
    var = df.attrs.get("variable_labels") or {}
    return {str(c): profile(df[c].rename(str(c)), codes=codes.get(c), variable_label=var.get(c)) for c in df.columns}


@dataclass
class Assignment:
    """Standard name -> (column, evidence), the ties left undecided (standard name -> columns)."""

    chosen: dict[str, tuple[str, str]] = field(default_factory=dict)
    ties: dict[str, list[str]] = field(default_factory=dict)


def assign(scores: Mapping[str, Mapping[str, tuple[float, str]]], *, minimum: float = 0.3) -> Assignment:
    """One column per standard name and one standard name per column, best score first.
    ``scores``: standard name -> column -> (score, evidence). A standard name whose best free
    columns tie goes to ``ties`` (nothing is chosen for it); scores below ``minimum`` are ignored."""
    out = Assignment()
    pairs = sorted(((sc, std, col, ev) for std, cols in scores.items() for col, (sc, ev) in cols.items()
                    if sc >= minimum), key=lambda t: -t[0])
    used: set[str] = set()
    for sc, std, col, ev in pairs:
        if std in out.chosen or std in out.ties or col in used:
            continue
        rivals = [c for s2, std2, c, _ in pairs if std2 == std and s2 == sc and c not in used]
        if len(rivals) > 1:
            out.ties[std] = rivals
            continue
        out.chosen[std] = (col, ev)
        used.add(col)
    return out


def constant_within(df: pd.DataFrame, group: str, column: str) -> bool:
    """Whether ``column`` has one value (missing counts as a value) within every group of ``group``."""
    return bool((df.groupby(group, dropna=False, sort=False)[column].nunique(dropna=False) <= 1).all())


def _whole_numbers(values: pd.Series) -> pd.Series | None:
    """``values`` as numbers when every value is a whole number >= 1; None otherwise."""
    v = pd.to_numeric(values, errors="coerce")
    if v.isna().any() or not bool(((v % 1 == 0) & (v >= 1)).all()):
        return None
    return v


def stage_sizes(df: pd.DataFrame, unit: str) -> tuple[list[str], list[str]]:
    """Columns of ``df`` that can be the population sizes of a two-stage sample whose first stage
    draws the units of ``unit`` (e.g. organisations) and whose second stage draws rows within them.

    Returns ``(first, second)``. ``first``: whole numbers, constant within each unit, and for each
    of its values no more units with that value than the value (the number of units in the
    population of a stratum), fewest distinct values first. ``second``: whole numbers, constant
    within each unit and at least that unit's number of rows (the unit's size), most distinct
    values first. A column can be in both lists."""
    rows = df.groupby(unit, sort=False).size()
    first, second = [], []
    for col in df.columns:
        if col == unit:
            continue
        v = _whole_numbers(df[col])
        if v is None:
            continue
        per_unit = v.groupby(df[unit], sort=False)
        if not bool((per_unit.nunique() <= 1).all()):
            continue
        size = per_unit.first()
        if bool((size >= rows.reindex(size.index)).all()):
            second.append((-size.nunique(), col))
        units = size.groupby(size).size()
        if bool((units <= units.index.to_numpy()).all()):
            first.append((size.nunique(), col))
    return [c for _, c in sorted(first, key=lambda t: t[0])], [c for _, c in sorted(second, key=lambda t: t[0])]
