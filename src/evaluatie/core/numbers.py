"""The one number parser: numbers as people write them, in Dutch (``1.440``, ``33,6 %``,
``€ 1.500,50``) or English (``1,440.5``) style.

:func:`parse_number` reads one value; :func:`parse_numbers` reads a whole column and decides its
decimal style from the column itself, reporting cells that are no number and cells written in the
other style. Every reader in the package uses these two. Part of :mod:`evaluatie.core`, which
imports nothing else from the package.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from evaluatie.core.errors import Problem

__all__ = ["parse_number", "parse_numbers", "ParsedNumbers"]


_WS = "\u00a0\u202f\u2009 \t"
# a decimal separator may open or close a number (",5", "5,"), as the float parser allows
_NL = re.compile(r"\d{1,3}(?:\.\d{3})+(?:,\d*)?|\d+(?:,\d*)?|,\d+")
_EN = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d*)?|\d+(?:\.\d*)?|\.\d+")
# the same, as RE2 patterns for pyarrow (sign already normalised to '-' and '+', € and % removed)
_RE_NL = r"^[-+]?(?:\d{1,3}(?:\.\d{3})+(?:,\d*)?|\d+(?:,\d*)?|,\d+)$"
_RE_EN = r"^[-+]?(?:\d{1,3}(?:,\d{3})+(?:\.\d*)?|\d+(?:\.\d*)?|\.\d+)$"
_RE_INT = r"^[-+]?\d+$"
_SP = r"[ \t\x{00a0}\x{202f}\x{2009}]*"
# "€ 1.500,50", "-€ 5", "€ -5", "1.500,50 €", "33,6 %", "33,6%" -> sign + body
_RE_DECOR = rf"^([-+]?){_SP}(?:€{_SP})?([-+]?){_SP}([0-9.,]+){_SP}(?:%|€)?$"
_PY_DECOR = re.compile(r"^([-+]?)[ \t\u00a0\u202f\u2009]*(?:€[ \t\u00a0\u202f\u2009]*)?([-+]?)"
                       r"[ \t\u00a0\u202f\u2009]*([0-9.,]+)[ \t\u00a0\u202f\u2009]*(?:%|€)?$")


def parse_number(text: str, style: str = "nl") -> float:
    """One number as written by a person: ``1.440``, ``33,6``, ``33,6 %``, ``€ 1.500,50``,
    ``-2,5`` (also with a Unicode minus). Returns NaN when ``text`` is not a number.

    ``style`` settles values that read differently in both conventions (``1.440``, ``1,500``):
    ``"nl"`` (decimal comma, the default) or ``"en"`` (decimal point). For whole columns use
    :func:`parse_numbers`, which decides the style from the column itself.
    """
    m = _PY_DECOR.match(text.strip(_WS).replace("\u2212", "-"))
    if not m or (m.group(1) and m.group(2)):
        return math.nan
    sign = -1.0 if "-" in (m.group(1) + m.group(2)) else 1.0
    s = m.group(3)
    nl, en = _NL.fullmatch(s), _EN.fullmatch(s)
    if nl and (style == "nl" or not en):
        return sign * float(s.replace(".", "").replace(",", "."))
    if en:
        return sign * float(s.replace(",", ""))
    return math.nan


@dataclass
class ParsedNumbers:
    """Result of :func:`parse_numbers` on one column.

    ``values``: float64 (NaN where empty or not a number); ``not_number``: non-empty cells that
    are no number at all; ``conflict``: cells written in the other decimal style than the
    column's; ``style``: ``"nl"`` or ``"en"``; ``integer``: every number is written without
    decimals or separators; ``identifier``: whole numbers with a leading zero or > 15 digits;
    ``percent``: some cell carried ``%``.
    """

    values: pd.Series
    not_number: pd.Series
    conflict: pd.Series
    style: str
    integer: bool
    identifier: bool
    percent: bool
    decided: bool  # style was fixed by the column itself, not by the default

    @property
    def ok(self) -> bool:
        return not self.not_number.any() and not self.conflict.any()


def _arrow_strings(values: pd.Series):
    import pyarrow as pa

    if isinstance(values, pd.Series):
        v = values
        if v.dtype == object:
            v = v.map(lambda x: x if isinstance(x, str) else (None if _isna(x) else str(x)))
        return pa.array(v.astype("str").to_numpy(dtype=object, na_value=None), type=pa.string(),
                        from_pandas=True)
    return values


def _isna(x: Any) -> bool:
    try:
        return bool(pd.isna(x))
    except (TypeError, ValueError):
        return False


def _np(mask) -> np.ndarray:
    """A pyarrow boolean array as a numpy bool array (missing -> False)."""
    return mask.fill_null(False).to_numpy(zero_copy_only=False).astype(bool)


def _numbers_arrow(arr, default_style: str = "nl", hint: str | None = None):
    """Core of :func:`parse_numbers` on a pyarrow string array. Returns numpy arrays."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks() if arr.num_chunks != 1 else arr.chunk(0)
    n = len(arr)
    if arr.type != pa.string():
        arr = arr.cast(pa.string())
    s = pc.utf8_trim_whitespace(arr)
    s = pc.if_else(pc.equal(s, ""), pa.scalar(None, pa.string()), s)
    present = pc.is_valid(s)
    if pc.any(pc.match_substring(s, "\u2212")).as_py():
        s = pc.replace_substring(s, "\u2212", "-")
    percent = bool(pc.any(pc.match_substring(s, "%")).as_py())
    decorated = percent or bool(pc.any(pc.match_substring(s, "€")).as_py()) or bool(
        pc.any(pc.match_substring_regex(s, r"[ \t\x{00a0}\x{202f}\x{2009}]")).as_py())
    bad_decor = None
    if decorated:
        m = pc.match_substring_regex(s, _RE_DECOR)
        bad_decor = pc.and_kleene(present, pc.invert(m))
        s = pc.replace_substring_regex(s, _RE_DECOR, r"\1\2\3")
        # a sign before and after the euro sign ("-€ -5") is not a number
        s = pc.if_else(pc.match_substring_regex(s, r"^[-+][-+]"), pa.scalar("x"), s)
    has_dot = bool(pc.any(pc.match_substring(s, ".")).as_py())
    has_comma = bool(pc.any(pc.match_substring(s, ",")).as_py())
    pres = _np(present)
    decor_bad = _np(bad_decor) if bad_decor is not None else np.zeros(n, bool)
    if not has_dot and not has_comma:
        not_number = (pres & ~_np(pc.match_substring_regex(s, _RE_INT))) | decor_bad
        conflict = np.zeros(n, bool)
        integer = True
        style = hint or default_style
        decided = False
    else:
        integer = False
        first = hint or ("nl" if has_comma and not has_dot else "en" if has_dot and not has_comma
                         else default_style)
        other = "en" if first == "nl" else "nl"
        pat = {"nl": _RE_NL, "en": _RE_EN}
        m1n = _np(pc.match_substring_regex(s, pat[first])) & pres
        rest = pres & ~m1n
        m2n = (_np(pc.match_substring_regex(s, pat[other])) & rest) if rest.any() else np.zeros(n, bool)
        not_number = (pres & ~m1n & ~m2n) | decor_bad
        decided = True
        conflict = np.zeros(n, bool)
        style = first
        if hint is None:
            # cells matching `first` that do not also read as `other` fix the style
            idx1 = np.flatnonzero(m1n)
            sub = pc.filter(s, pa.array(m1n))
            only1 = np.zeros(n, bool)
            only1[idx1] = ~_np(pc.match_substring_regex(sub, pat[other]))
            if m2n.any() and only1.any():
                # both styles in one column: the minority is the conflict
                if m2n.sum() <= only1.sum():
                    style, conflict = first, m2n
                else:
                    style, conflict = other, only1
            elif m2n.any():
                style = other  # every `first` cell also reads as `other`
            elif not only1.any():
                decided, style = False, default_style  # all ambiguous: the file decides
    conflict = np.asarray(conflict, bool)
    usable = pc.if_else(pa.array(~not_number & ~conflict & pres), s, pa.scalar(None, pa.string()))
    if integer:
        try:
            ints = pc.cast(usable, pa.int64())
        except pa.ArrowInvalid:  # overflow: more than 18 digits
            ints = None
        body = usable
        if pc.any(pc.starts_with(usable, "-")).as_py() or pc.any(pc.starts_with(usable, "+")).as_py():
            body = pc.replace_substring_regex(usable, r"^[-+]", "")
        lengths = pc.binary_length(body)
        identifier = bool(_np(pc.and_kleene(pc.starts_with(body, "0"), pc.greater(lengths, 1))).any()) \
            or bool(_np(pc.greater(lengths, 15)).any())
        if ints is None:
            values = pc.cast(usable, pa.float64()).to_numpy(zero_copy_only=False)
        else:
            values = ints.to_numpy(zero_copy_only=False)
    else:
        identifier = False
        if style == "nl":
            t = pc.replace_substring(usable, ".", "") if has_dot else usable
            t = pc.replace_substring(t, ",", ".") if has_comma else t
        else:
            t = pc.replace_substring(usable, ",", "") if has_comma else usable
        values = pc.cast(t, pa.float64()).to_numpy(zero_copy_only=False)
    return values, not_number, conflict, style, integer, identifier, percent, decided


def parse_numbers(values: pd.Series, default_style: str = "nl") -> ParsedNumbers:
    """Read a column of numbers written by people (see the module notes), vectorised.

    The decimal style is decided by the column itself; ``default_style`` is used only when every
    cell reads both ways (``1.440``).
    """
    arr = _arrow_strings(values)
    vals, not_number, conflict, style, integer, identifier, percent, decided = _numbers_arrow(
        arr, default_style)
    idx = values.index
    out = pd.Series(np.asarray(vals, dtype="float64"), index=idx)
    return ParsedNumbers(out, pd.Series(not_number, index=idx), pd.Series(conflict, index=idx),
                         style, integer, identifier, percent, decided)


def _style_words(style: str) -> str:
    return ("decimaalkomma zoals de rest van de kolom (33,6 of 1.440,5)" if style == "nl"
            else "decimaalpunt zoals de rest van de kolom (33.6 of 1,440.5)")


def _conflict_problems(file, rows, column, raw, conflict, style) -> list[Problem]:
    exp = ("een getal met " + _style_words(style)
           + "; deze kolom mengt beide schrijfwijzen, zodat niet zeker is wat bedoeld is")
    return [Problem(file, int(rows[i]), str(column), raw[i], exp) for i in np.flatnonzero(conflict)]


