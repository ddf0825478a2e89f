"""Reading and validating the respondent file: Dutch Likert labels normalised, don't-know apart.

Built-in scales (5 points, negative to positive); a study may bring its own (``scales``: any
number of points from two, lowest to highest)::

    tevredenheid  zeer ontevreden | ontevreden | neutraal | tevreden | zeer tevreden
    akkoord       helemaal niet akkoord | niet akkoord | neutraal | akkoord | helemaal akkoord
    verloop       zeer moeizaam | moeizaam | neutraal | vlot | zeer vlot

Labels are normalised before they are matched (case, spaces, punctuation, common variants such as
"noch tevreden, noch ontevreden", "eens"/"oneens", numeric codes 1..k); a study's ``values`` map
its own labels onto the scale's. Yes/no items become ``ja``/``nee``/``weet niet``. "Weet niet", "n.v.t.",
"geen mening" and their variants are *outside the base*: not a scale point, not missing either;
their share among all who answered the question is reported separately. One rule everywhere: a
don't-know answer is out of the base of every share (Likert items, yes/no items, the further answer
columns a study names, e.g. the variables of its claims, and so in claims and breakdowns), and
``<column>_dk`` says who gave it (True), who gave a substantive answer (False) and who did not answer
(NA). Which labels are don't-know is configurable per column with ``values`` (a label -> 'weet
niet'). A value that is none of
these stops the analysis with one :class:`~evaluatie.core.errors.DataError` naming file, first row
and column, how many labels are unknown, and the expected labels. The file is read by :func:`evaluatie.intake.read.read_table`; what
is left out of the analysis is counted in a :class:`~evaluatie.intake.schema.Ledger`.
Reference tests: ``tests/test_likert.py``, ``tests/test_survey_simulate.py``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Mapping, Sequence

import numpy as np
import pandas as pd

from evaluatie.core.errors import DataError, Problem
from evaluatie.intake.guess import fold
from evaluatie.intake.read import read_table
from evaluatie.intake.schema import Ledger

__all__ = ["SCALES", "DONT_KNOW", "DK_SUFFIX", "normalise_label", "scale_points", "normalise", "yes_no_answers",
           "split_dont_know", "dont_know_column", "prepare", "load_survey", "incomplete_answers", "sme_flag"]

SCALES: dict[str, list[str]] = {
    "tevredenheid": ["zeer ontevreden", "ontevreden", "neutraal", "tevreden", "zeer tevreden"],
    "akkoord": ["helemaal niet akkoord", "niet akkoord", "neutraal", "akkoord", "helemaal akkoord"],
    "verloop": ["zeer moeizaam", "moeizaam", "neutraal", "vlot", "zeer vlot"],
}
DONT_KNOW = "weet niet / n.v.t."
DK_SUFFIX = "_dk"

_SYNONYMS: dict[str, dict[str, str]] = {
    "tevredenheid": {
        "heel ontevreden": "zeer ontevreden", "helemaal ontevreden": "zeer ontevreden",
        "eerder ontevreden": "ontevreden", "niet tevreden": "ontevreden",
        "noch tevreden noch ontevreden": "neutraal", "neutraal": "neutraal", "niet tevreden niet ontevreden": "neutraal",
        "eerder tevreden": "tevreden", "heel tevreden": "zeer tevreden", "helemaal tevreden": "zeer tevreden",
    },
    "akkoord": {
        "helemaal oneens": "helemaal niet akkoord", "volledig oneens": "helemaal niet akkoord",
        "helemaal niet mee eens": "helemaal niet akkoord", "totaal niet akkoord": "helemaal niet akkoord",
        "oneens": "niet akkoord", "niet eens": "niet akkoord", "eerder niet akkoord": "niet akkoord",
        "niet mee eens": "niet akkoord",
        "noch akkoord noch niet akkoord": "neutraal", "noch eens noch oneens": "neutraal",
        "eens": "akkoord", "mee eens": "akkoord", "eerder akkoord": "akkoord",
        "helemaal eens": "helemaal akkoord", "volledig eens": "helemaal akkoord", "volledig akkoord": "helemaal akkoord",
        "helemaal mee eens": "helemaal akkoord",
    },
    "verloop": {
        "heel moeizaam": "zeer moeizaam", "zeer moeilijk": "zeer moeizaam", "moeilijk": "moeizaam",
        "eerder moeizaam": "moeizaam", "noch vlot noch moeizaam": "neutraal", "eerder vlot": "vlot",
        "heel vlot": "zeer vlot",
    },
}
_DK_TOKENS = {"weet niet", "weet ik niet", "wn", "nvt", "n v t", "niet van toepassing", "geen mening",
              "weet niet nvt", "weet niet n v t", "geen antwoord mogelijk", "dont know", "na"}
_DK_CODES = {8, 9, 88, 99}


def _dont_know(key: str, *, codes: bool = True) -> bool:
    """Whether a folded label (:func:`normalise_label`) is a don't-know answer: a token of
    :data:`_DK_TOKENS` or a variant starting with "weet niet"; in the data (``codes``) also an
    SPSS-style missing code (8, 9, 88, 99) and a variant starting with "n v t". A target in the
    ``values`` parameter is a label, never a code (``codes=False``)."""
    if key in _DK_TOKENS or key.startswith("weet niet"):
        return True
    return codes and ((key.isdigit() and int(key) in _DK_CODES) or key.startswith("n v t"))


def normalise_label(text) -> str:
    """Lower case, accents removed, punctuation to spaces, spaces collapsed
    (``" Zeer  Tevreden!"`` -> ``"zeer tevreden"``, ``"n.v.t."`` -> ``"n v t"``): :func:`evaluatie.intake.guess.fold`,
    the comparison ``evaluatie new`` uses to recognise the same labels."""
    return fold(text)


def scale_points(scale: str, scales: Mapping[str, Sequence[str]] | None = None) -> list[str]:
    """The points of ``scale``, lowest to highest: a study's own scale of ``scales`` (``{name:
    [label, ...]}``, at least two points) or a built-in one of :data:`SCALES`."""
    own = dict(scales or {})
    if scale in own:
        points = [str(p) for p in own[scale]]
        if len(points) < 2 or len(set(map(normalise_label, points))) != len(points):
            raise DataError(f"parameter scales, schaal '{scale}': verwacht minstens twee verschillende antwoorden, "
                            "van laag naar hoog")
        return points
    if scale not in SCALES:
        raise DataError(f"parameter items: onbekende schaal '{scale}'; verwacht een van "
                        + ", ".join(sorted({*SCALES, *own})) + " (of een eigen schaal onder scales)")
    return list(SCALES[scale])


def _lookup(points: Sequence[str], scale: str, values: Mapping | None, column) -> dict[str, object]:
    """Normalised label -> scale point (or ``DONT_KNOW``): the scale's own labels, the built-in
    variants of a built-in scale and the study's ``values`` for this column (which win)."""
    table: dict[str, object] = {normalise_label(p): p for p in points}
    if list(points) == SCALES.get(scale):
        table.update({normalise_label(k): v for k, v in _SYNONYMS.get(scale, {}).items()})
    for raw, target in (values or {}).items():
        t = normalise_label(target)
        hit = next((p for p in points if normalise_label(p) == t), None)
        if hit is None and _dont_know(t, codes=False):
            hit = DONT_KNOW
        if hit is None:
            raise DataError(f"parameter values, kolom '{column}': een antwoord wordt vertaald naar een label dat niet "
                            f"op de schaal staat; verwacht een van: {' / '.join(points)} of 'weet niet'")
        table[normalise_label(raw)] = hit
    return table


def normalise(values: pd.Series, scale: str, *, file: str | None = None, column: str | None = None,
              scales: Mapping[str, Sequence[str]] | None = None,
              labels: Mapping | None = None) -> tuple[pd.Series, pd.Series]:
    """Map raw answers to the scale (:func:`scale_points`: built-in or one of ``scales``).
    Returns ``(answers, dont_know)``: an ordered categorical with the scale's points (NaN for
    don't know and for no answer) and a boolean-with-NA series (True: weet niet / n.v.t.; False:
    a scale point; NA: no answer).

    A label is matched after :func:`normalise_label`: first ``labels`` (the study's ``values`` of
    this column: label in the file -> label of the scale or 'weet niet'), then the scale's labels
    (and, on a built-in scale, their common variants), then numeric codes 1..k (1 = lowest), then
    don't know (its words, or the codes 8, 9, 88, 99 outside 1..k). Labels that are none of these
    stop with one :class:`~evaluatie.core.errors.DataError` problem per column: its first row, how
    many distinct labels and rows are unknown, and the expected labels (the labels themselves are
    not quoted: a cell may hold anything)."""
    column = column or values.name
    points = scale_points(scale, scales)
    k = len(points)
    table = _lookup(points, scale, labels, column)

    def classify(raw):
        """-> (scale point or None, dk True/False/None, ok)"""
        if raw is None or (not isinstance(raw, str) and pd.isna(raw)):
            return None, None, True
        numeric = isinstance(raw, (int, float, np.integer, np.floating)) and float(raw).is_integer()
        key = str(int(raw)) if numeric else normalise_label(raw)
        if key == "":
            return None, None, True
        if key in table:
            hit = table[key]
            return (None, True, True) if hit == DONT_KNOW else (hit, False, True)
        if key.isdigit() and 1 <= int(key) <= k:
            return points[int(key) - 1], False, True
        if _dont_know(key):
            return None, True, True
        return None, None, False

    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    mapped = [classify(u) for u in uniques]
    bad = [i for i, m in enumerate(mapped) if not m[2]]
    if bad:
        bad_mask = np.isin(codes, bad)
        rows = [r for r in map(_row, values.index[bad_mask]) if r is not None]
        first = values[bad_mask].iloc[0]
        where = f" (rij {', '.join(map(str, rows[:5]))}{', ...' if len(rows) > 5 else ''})" if rows else ""
        raise DataError(Problem(file, rows[0] if rows else None, column, first,
                                f"een antwoord op de schaal ({' / '.join(points)}) of 'weet niet / n.v.t.'; "
                                f"{len(bad)} onbekende label(s) in {int(bad_mask.sum())} rij(en){where}: "
                                "vertaal ze met de parameter values"))
    point_of = np.array([points.index(m[0]) if m[0] is not None else -1 for m in mapped] + [-1])
    dk_of = np.array([{True: 1, False: 0, None: -1}[m[1]] for m in mapped] + [-1])
    pc = point_of[codes]  # codes == -1 (missing) picks the appended -1
    dc = dk_of[codes]
    dk = pd.Series(pd.array(np.where(dc < 0, None, dc == 1).tolist(), dtype="boolean"), index=values.index)
    cat = pd.Series(pd.Categorical.from_codes(pc, categories=points, ordered=True),
                    index=values.index, name=values.name)
    return cat, dk


def yes_no_answers(values: pd.Series, *, file: str | None = None, column: str | None = None,
                   labels: Mapping | None = None) -> pd.Series:
    """A yes/no item as text: ``ja`` (ja, yes, 1, true, waar), ``nee`` (nee, neen, no, 0, false,
    onwaar), ``weet niet`` (don't-know words and codes 8, 9, 88, 99), empty when unanswered; the
    study's ``labels`` (its ``values`` of this column: label in the file -> ja / nee / weet niet)
    first. :func:`prepare` then takes 'weet niet' out of the base (the column keeps 'ja' and 'nee',
    ``<column>_dk`` says who answered 'weet niet'), as for the Likert items. Other labels stop with one :class:`~evaluatie.core.errors.DataError` problem, as :func:`normalise`."""
    column = column or values.name
    table = {**{w: "ja" for w in ("ja", "yes", "1", "true", "waar")},
             **{w: "nee" for w in ("nee", "neen", "no", "0", "false", "onwaar")}}
    for raw, target in (labels or {}).items():
        t = normalise_label(target)
        if t in ("ja", "nee"):
            table[normalise_label(raw)] = t
        elif _dont_know(t, codes=False):
            table[normalise_label(raw)] = "weet niet"
        else:
            raise DataError(f"parameter values, kolom '{column}': verwacht 'ja', 'nee' of 'weet niet' als vertaling")

    def classify(raw):
        if raw is None or (not isinstance(raw, str) and pd.isna(raw)):
            return None
        if isinstance(raw, (bool, np.bool_)):
            return "ja" if raw else "nee"
        numeric = isinstance(raw, (int, float, np.integer, np.floating)) and float(raw).is_integer()
        key = str(int(raw)) if numeric else normalise_label(raw)
        if key == "":
            return None
        if key in table:
            return table[key]
        if _dont_know(key):
            return "weet niet"
        return False

    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    mapped = [classify(u) for u in uniques]
    bad = [i for i, m in enumerate(mapped) if m is False]
    if bad:
        bad_mask = np.isin(codes, bad)
        rows = [r for r in map(_row, values.index[bad_mask]) if r is not None]
        raise DataError(Problem(file, rows[0] if rows else None, column, values[bad_mask].iloc[0],
                                f"ja, nee of 'weet niet'; {len(bad)} onbekende label(s) in {int(bad_mask.sum())} "
                                "rij(en): vertaal ze met de parameter values"))
    out = np.array([m for m in mapped] + [None], dtype=object)[codes]
    return pd.Series(out, index=values.index, name=values.name)


def split_dont_know(values: pd.Series, labels: Mapping | None = None) -> tuple[pd.Series, pd.Series]:
    """A further answer column (not a Likert or yes/no item: e.g. 'ja' / 'deels' / 'nee', or the
    variable of a claim) with its don't-know answers taken out of the base. Returns ``(answers,
    dont_know)``: the column with don't-know answers empty, and a boolean-with-NA series as
    :func:`normalise` gives. A text is don't-know when ``labels`` (the study's ``values`` of this
    column) maps it to 'weet niet', or when it is one of the don't-know words ('weet niet', 'n.v.t.',
    'geen mening', ...); numbers are never don't-know here (a 9 may be a real answer: map it with
    ``values``). ``labels`` may also rename a label (``{'Deels behaald': 'deels'}``)."""
    table = {normalise_label(raw): target for raw, target in (labels or {}).items()}

    def classify(raw):
        """-> (answer, dk: True, False, "renamed" (not don't-know, a new label) or None (no answer))"""
        if raw is None or (not isinstance(raw, str) and pd.isna(raw)):
            return None, None
        numeric = isinstance(raw, (int, float, np.integer, np.floating)) and float(raw).is_integer()
        key = str(int(raw)) if numeric else normalise_label(raw)
        if key == "":
            return None, None
        if key in table:
            target = table[key]
            return (None, True) if _dont_know(normalise_label(target), codes=False) else (target, "renamed")
        if isinstance(raw, str) and _dont_know(key, codes=False):
            return None, True
        return raw, False

    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    mapped = [classify(u) for u in uniques]
    dk_of = np.array([{True: 1, None: -1}.get(m[1], 0) for m in mapped] + [-1])[codes]
    if not any(m[1] == "renamed" for m in mapped):
        out = values.where(dk_of == 0)  # nothing renamed: the column keeps its type
    else:
        out = pd.Series(np.array([m[0] for m in mapped] + [None], dtype=object)[codes], index=values.index,
                        name=values.name)
    dk = pd.Series(pd.array(np.where(dk_of < 0, None, dk_of == 1).tolist(), dtype="boolean"), index=values.index)
    return out, dk


def dont_know_column(data: pd.DataFrame, variable: str) -> str | None:
    """The column that says who answered 'weet niet' to ``variable``: ``<variable>_dk``, or for a
    top-2 indicator ``<item>_top2`` its item's ``<item>_dk``; None when there is none."""
    for col in (variable + DK_SUFFIX, variable.removesuffix("_top2") + DK_SUFFIX):
        if col in data.columns:
            return col
    return None


def prepare(df: pd.DataFrame, items: Mapping[str, str], *, file: str | None = None,
            scales: Mapping[str, Sequence[str]] | None = None, values: Mapping[str, Mapping] | None = None,
            yes_no: Sequence[str] = (), answers: Sequence[str] = ()) -> pd.DataFrame:
    """Normalise every Likert item (``items``: ``{column: scale}``, see :func:`normalise`) and
    every yes/no column of ``yes_no`` (:func:`yes_no_answers`) in one pass, with the study's own
    ``scales`` and ``values`` (``{column: {label in file: label}}``); all problems reported
    together. Further ``answers`` columns (the plan blocks, the variables of claims; those that are
    not items or yes/no questions and that the file has) lose their don't-know answers
    (:func:`split_dont_know`). Every such column gets a ``<column>_dk`` column next to it (don't
    know / not applicable): one rule, a don't-know answer is out of the base everywhere."""
    out = df.copy()
    problems: list[Problem] = []
    values = dict(values or {})
    for col in [*items, *yes_no]:
        if col not in df.columns:
            problems.append(Problem(file, None, col, None, f"een kolom '{col}'"))
            continue
        try:
            if col in items:
                cat, dk = normalise(df[col], items[col], file=file, column=col, scales=scales, labels=values.get(col))
                out[col], out[col + DK_SUFFIX] = cat, dk
            else:
                yn = yes_no_answers(df[col], file=file, column=col, labels=values.get(col))
                dk = pd.Series(pd.array(np.where(yn.isna(), None, yn == "weet niet").tolist(), dtype="boolean"),
                               index=yn.index)
                out[col], out[col + DK_SUFFIX] = yn.where(~dk.fillna(False).to_numpy(bool)), dk
        except DataError as e:
            problems.extend(e.problems)
    for col in dict.fromkeys(answers):
        if col in df.columns and col not in items and col not in yes_no:
            out[col], out[col + DK_SUFFIX] = split_dont_know(df[col], values.get(col))
    if problems:
        raise DataError(problems)
    return out


def load_survey(path: str | Path, items: Mapping[str, str], *, complete_column: str | None = None,
                complete_only: bool = False, required: Sequence[str] = (),
                scales: Mapping[str, Sequence[str]] | None = None, values: Mapping[str, Mapping] | None = None,
                yes_no: Sequence[str] = (), answers: Sequence[str] = ()):
    """Read and prepare a respondent file: Likert items normalised (``items``: ``{column: scale}``),
    ``<item>_dk`` and ``<item>_top2`` ("ja"/"nee", empty without a substantive answer) added.
    ``scales``, ``values``, ``yes_no`` and ``answers`` as in :func:`prepare`.
    Returns ``(data, ledger)``: rows without a value in a ``required`` column (the weighting
    variables) and, with ``complete_only``, incomplete questionnaires are excluded with a reason.
    ``complete_column`` says ja/nee (1/0, yes/no, true/false; empty: not complete); any other value
    is a :class:`~evaluatie.core.errors.DataError` naming the file, row and column.

    The file is read by :func:`evaluatie.intake.read.read_table`: SPSS ``.sav`` (value labels
    applied, as research bureaus deliver), CSV, XLSX or Parquet; the index is the row as the user
    sees it (CSV/XLSX: header = row 1, first respondent = row 2; SPSS: case number)."""
    raw = read_table(path)
    file = (raw.attrs.get("source") or {}).get("file", Path(path).name)
    _refuse_repeated_respondents(raw, file)
    led = Ledger(file, read=len(raw))
    missing_cols = [c for c in list(required) + ([complete_column] if complete_column else []) if c not in raw.columns]
    if missing_cols:
        raise DataError([Problem(file, None, c, None, f"een kolom '{c}'") for c in missing_cols])
    df = prepare(raw, items, file=file, scales=scales, values=values, yes_no=yes_no, answers=answers)
    if complete_column:
        done = _completed(df[complete_column], file, complete_column)
    if complete_only and complete_column:
        led.exclude("vragenlijst niet volledig ingevuld", int((~done).sum()))
        df = df[done.to_numpy()]
    if required:
        miss = df[list(required)].isna().any(axis=1)
        led.exclude("geen waarde voor een wegingsvariabele (" + ", ".join(required) + ")", int(miss.sum()))
        df = df[~miss.to_numpy()]
    for col in items:
        cats = df[col].cat.categories
        top = df[col].isin(cats[-2:])
        df[col + "_top2"] = pd.Categorical(np.where(df[col].isna(), None, np.where(top, "ja", "nee")),
                                           categories=["ja", "nee"])
    df.attrs["source"] = raw.attrs.get("source", {"file": file})
    return df, led


_COMPLETE = {"ja": True, "1": True, "true": True, "yes": True, "nee": False, "0": False, "false": False, "no": False}


def _completed(values: pd.Series, file: str, column: str) -> pd.Series:
    """Whether each questionnaire is complete, from the ``complete_column``: ja/nee, yes/no, 1/0 or
    true/false (a number or a text; an empty cell is not complete). Any other value is a
    :class:`DataError` naming the file, the first such row and the column, and how many rows hold
    one (never the value: the column may hold anything)."""
    def read(v):
        if v is None or (not isinstance(v, str) and pd.isna(v)):
            return False
        if isinstance(v, (bool, np.bool_)):
            return bool(v)
        if isinstance(v, (int, float, np.integer, np.floating)) and float(v).is_integer():
            v = str(int(v))
        return _COMPLETE.get(normalise_label(v))

    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    mapped = [read(u) for u in uniques]
    bad = np.isin(codes, [i for i, m in enumerate(mapped) if m is None])
    if bad.any():
        rows = [r for r in map(_row, values.index[bad]) if r is not None]
        raise DataError(Problem(file, rows[0] if rows else None, column, values[bad].iloc[0],
                                f"ja of nee (volledig ingevuld of niet), ook 1/0 of yes/no; {int(bad.sum())} "
                                "rij(en) met een andere waarde"))
    return pd.Series(np.array([bool(m) for m in mapped] + [False])[codes], index=values.index)


def _refuse_repeated_respondents(raw: pd.DataFrame, file: str) -> None:
    """A :class:`DataError` when a respondent is in the file twice: a row equal in every column to
    an earlier one, in a file with an identifier (a column whose values are all filled in and
    unique apart from such repeated rows). Without an identifier two equal rows can be two people
    who answered alike, and both count."""
    dup = raw.duplicated(keep="first").to_numpy()
    if not dup.any():
        return
    rest = raw[~dup]
    ids = [c for c in raw.columns if rest[c].notna().all() and rest[c].is_unique]
    if not ids:
        return
    group = raw.groupby(list(raw.columns), dropna=False, sort=False).ngroup().to_numpy()
    first = pd.Series(raw.index).groupby(group).first()  # group -> its first row
    raise DataError([Problem(file, _row(r), None, None,
                             f"één rij per respondent; deze rij is in elke kolom gelijk aan rij {_row(first[g])}, "
                             f"ook in '{ids[0]}' (dezelfde respondent twee keer?)")
                     for r, g in zip(raw.index[dup], group[dup])])


def incomplete_answers(path: str | Path, items: Mapping[str, str], analysed: pd.DataFrame, columns: Sequence[str], *,
                       complete_column: str, required: Sequence[str] = (), **options) -> tuple[int, int, int]:
    """The questionnaires of ``path`` left out of ``analysed`` because they were not complete: their
    number and the fewest and most of them that answered a question of ``columns``. The file is
    read again with :func:`load_survey` (``complete_only=False``, the same ``required`` columns and
    ``options``: ``scales``, ``values``, ``yes_no``, ``answers``)."""
    df_all, _ = load_survey(path, items, complete_column=complete_column, complete_only=False, required=required,
                            **options)
    inc = df_all[~df_all.index.isin(analysed.index)]
    answered = inc[list(columns)].notna().sum()
    return len(inc), int(answered.min()), int(answered.max())


def sme_flag(size: pd.Series, sme_levels: Sequence) -> np.ndarray:
    """``kmo`` for the size classes in ``sme_levels`` (compared as text), ``geen kmo`` otherwise."""
    return np.where(size.astype(str).isin([str(s) for s in sme_levels]), "kmo", "geen kmo")


def _row(idx):
    return int(idx) if isinstance(idx, (int, np.integer)) else None
