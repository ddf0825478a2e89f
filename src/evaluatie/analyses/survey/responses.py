"""Reading and validating the respondent file: Dutch Likert labels normalised, don't-know apart.

Scales (5 points, negative to positive)::

    tevredenheid  zeer ontevreden | ontevreden | neutraal | tevreden | zeer tevreden
    akkoord       helemaal niet akkoord | niet akkoord | neutraal | akkoord | helemaal akkoord
    verloop       zeer moeizaam | moeizaam | neutraal | vlot | zeer vlot

Labels are normalised before they are matched (case, spaces, punctuation, common variants such as
"noch tevreden, noch ontevreden", "eens"/"oneens", numeric codes 1-5). "Weet niet", "n.v.t.",
"geen mening" and their variants are *outside the base*: not a scale point, not missing either;
their share among all who answered the question is reported separately. A value that is none of
these stops the analysis with a :class:`~evaluatie.core.errors.DataError` naming file, row, column,
value and the expected labels. The file is read by :func:`evaluatie.intake.read.read_table`; what
is left out of the analysis is counted in a :class:`~evaluatie.intake.schema.Ledger`.
Reference tests: ``tests/test_likert.py``, ``tests/test_survey_simulate.py``.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path
from typing import Mapping, Sequence

import numpy as np
import pandas as pd

from evaluatie.core.errors import DataError, Problem
from evaluatie.intake.read import read_table
from evaluatie.intake.schema import Ledger

__all__ = ["SCALES", "DONT_KNOW", "DK_SUFFIX", "normalise_label", "normalise", "prepare", "load_survey",
           "incomplete_answers", "sme_flag"]

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


def normalise_label(text) -> str:
    """Lower case, accents removed, punctuation to spaces, spaces collapsed
    (``" Zeer  Tevreden!"`` -> ``"zeer tevreden"``, ``"n.v.t."`` -> ``"n v t"``)."""
    s = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode("ascii").lower()
    s = re.sub(r"[^a-z0-9]+", " ", s)
    return re.sub(r"\s+", " ", s).strip()


def _lookup(scale: str) -> dict[str, str]:
    points = SCALES[scale]
    table = {normalise_label(p): p for p in points}
    table.update({normalise_label(k): v for k, v in _SYNONYMS.get(scale, {}).items()})
    return table


def normalise(values: pd.Series, scale: str, *, file: str | None = None,
              column: str | None = None) -> tuple[pd.Series, pd.Series]:
    """Map raw answers to the scale. Returns ``(answers, dont_know)``: an ordered categorical
    with the 5 scale points (NaN for don't know and for no answer) and a boolean-with-NA series
    (True: weet niet / n.v.t.; False: a scale point; NA: no answer). Numeric codes 1-5 are scale
    points (1 = most negative); 8, 9, 88, 99 are don't know. Unknown labels raise DataError."""
    if scale not in SCALES:
        raise ValueError(f"unknown scale {scale!r}; choose from {sorted(SCALES)}")
    column = column or values.name
    points = SCALES[scale]
    table = _lookup(scale)

    def classify(raw):
        """-> (scale point or None, dk True/False/None, ok)"""
        if raw is None or (not isinstance(raw, str) and pd.isna(raw)):
            return None, None, True
        if isinstance(raw, (int, float, np.integer, np.floating)) and float(raw).is_integer():
            code = int(raw)
            if 1 <= code <= 5:
                return points[code - 1], False, True
            if code in _DK_CODES:
                return None, True, True
        key = normalise_label(raw)
        if key == "":
            return None, None, True
        if key.isdigit() and 1 <= int(key) <= 5:
            return points[int(key) - 1], False, True
        if key in table:
            return table[key], False, True
        if key in _DK_TOKENS or key.startswith("weet niet") or key.startswith("n v t"):
            return None, True, True
        return None, None, False

    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    mapped = [classify(u) for u in uniques]
    bad = [i for i, m in enumerate(mapped) if not m[2]]
    if bad:
        bad_mask = np.isin(codes, bad)
        raise DataError([Problem(file, _row(idx), column, raw,
                                 f"een antwoord op de schaal ({' / '.join(points)}) of 'weet niet / n.v.t.'")
                         for idx, raw in values[bad_mask].items()])
    point_of = np.array([points.index(m[0]) if m[0] is not None else -1 for m in mapped] + [-1])
    dk_of = np.array([{True: 1, False: 0, None: -1}[m[1]] for m in mapped] + [-1])
    pc = point_of[codes]  # codes == -1 (missing) picks the appended -1
    dc = dk_of[codes]
    dk = pd.Series(pd.array(np.where(dc < 0, None, dc == 1).tolist(), dtype="boolean"), index=values.index)
    cat = pd.Series(pd.Categorical.from_codes(pc, categories=points, ordered=True),
                    index=values.index, name=values.name)
    return cat, dk



def prepare(df: pd.DataFrame, items: Mapping[str, str], *, file: str | None = None) -> pd.DataFrame:
    """Normalise every Likert item (``{column: scale}``) in one pass; all problems reported
    together. Adds ``<item>_dk`` columns (don't know / not applicable) next to each item."""
    out = df.copy()
    problems: list[Problem] = []
    for col, scale in items.items():
        if col not in df.columns:
            problems.append(Problem(file, None, col, None, f"een kolom '{col}'"))
            continue
        try:
            cat, dk = normalise(df[col], scale, file=file, column=col)
        except DataError as e:
            problems.extend(e.problems)
            continue
        out[col] = cat
        out[col + DK_SUFFIX] = dk
    if problems:
        raise DataError(problems)
    return out


def load_survey(path: str | Path, items: Mapping[str, str], *, complete_column: str | None = None,
                complete_only: bool = False, required: Sequence[str] = ()):
    """Read and prepare a respondent file: Likert items normalised (``items``: ``{column: scale}``),
    ``<item>_dk`` and ``<item>_top2`` ("ja"/"nee", empty without a substantive answer) added.
    Returns ``(data, ledger)``: rows without a value in a ``required`` column (the weighting
    variables) and, with ``complete_only``, incomplete questionnaires are excluded with a reason.

    The file is read by :func:`evaluatie.intake.read.read_table`: SPSS ``.sav`` (value labels
    applied, as research bureaus deliver), CSV, XLSX or Parquet; the index is the row as the user
    sees it (CSV/XLSX: header = row 1, first respondent = row 2; SPSS: case number)."""
    raw = read_table(path)
    file = (raw.attrs.get("source") or {}).get("file", Path(path).name)
    led = Ledger(file, read=len(raw))
    missing_cols = [c for c in list(required) + ([complete_column] if complete_column else []) if c not in raw.columns]
    if missing_cols:
        raise DataError([Problem(file, None, c, None, f"een kolom '{c}'") for c in missing_cols])
    df = prepare(raw, items, file=file)
    if complete_only and complete_column:
        done = df[complete_column].map(lambda v: normalise_label(v) in ("ja", "1", "true", "yes") if pd.notna(v) else False)
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


def incomplete_answers(path: str | Path, items: Mapping[str, str], analysed: pd.DataFrame, columns: Sequence[str], *,
                       complete_column: str, required: Sequence[str] = ()) -> tuple[int, int, int]:
    """The questionnaires of ``path`` left out of ``analysed`` because they were not complete: their
    number and the fewest and most of them that answered a question of ``columns``. The file is
    read again with :func:`load_survey` (``complete_only=False``, the same ``required`` columns)."""
    df_all, _ = load_survey(path, items, complete_column=complete_column, complete_only=False, required=required)
    inc = df_all[~df_all.index.isin(analysed.index)]
    answered = inc[list(columns)].notna().sum()
    return len(inc), int(answered.min()), int(answered.max())


def sme_flag(size: pd.Series, sme_levels: Sequence) -> np.ndarray:
    """``kmo`` for the size classes in ``sme_levels`` (compared as text), ``geen kmo`` otherwise."""
    return np.where(size.astype(str).isin([str(s) for s in sme_levels]), "kmo", "geen kmo")


def _row(idx):
    return int(idx) if isinstance(idx, (int, np.integer)) else None
