"""The one number parser: numbers as people write them, in Dutch (``1.440``, ``33,6 %``,
``€ 1.500,50``) or English (``1,440.5``) style.

:func:`parse_number` reads one value; :func:`parse_numbers` reads a column and decides its
decimal style from the column itself. Every reader in the package uses these two. Part of
:mod:`evaluatie.core`, which imports nothing else from the package.

What is a number
    A cell, after removing spaces, tabs and (narrow) non-breaking spaces around it, is an
    optional sign (``-``, ``+`` or the Unicode minus ``−``), an optional euro sign before or
    after the sign (``€ 1.500,50``, ``-€ 5``, ``€ -5``), the digits, and optionally ``%`` or
    ``€`` after them (``33,6 %``, ``1.500,50 €``; a percentage is read in percent units:
    ``33,6%`` is 33.6). Spaces may stand between these parts, not inside the digits (``1 440``
    is no number). The digits are written in one of two styles:

    * Dutch: thousands separated by points in groups of three, decimal comma
      (``1.440``, ``33,6``, ``1.234.567,89``, ``,5``);
    * English: thousands separated by commas in groups of three, decimal point
      (``1,440``, ``33.6``, ``1,234,567.89``, ``.5``).

    Nothing else is a number: no exponents (``1e5``), ``inf``, ``nan`` or letters.

Which style
    A value written in only one style is read in that style. A value that reads both ways
    (``1.440``, ``1,500``) is read in the ``style`` asked for: :func:`parse_number` defaults to
    Dutch, so ``parse_number("1.440")`` is 1440 and ``parse_number("1.440", style="en")`` is 1.44.
    :func:`parse_numbers` decides the style of the whole column: the style of the values that
    read only one way; when both kinds occur, the majority's (``default_style`` on a tie), and
    the cells written the other way are *conflicts* (never guessed); when every value reads both
    ways, ``default_style`` (the caller knows the file: its separator, its other columns).
    Whole numbers (no separator at all) read the same in both.

Agreement
    For every cell, ``parse_numbers(column).values`` equals ``parse_number(cell,
    style=result.style)``, except where the cell is a conflict (NaN). Both judge a cell with the
    same patterns (the column parser once per distinct *shape*, see :func:`parse_numbers`), and
    both convert correctly rounded: Python's ``float()`` for one value, pyarrow's float cast for
    a column.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from numbers import Real
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from evaluatie.core.errors import Problem

__all__ = ["parse_number", "parse_numbers", "ParsedNumbers", "STYLES"]

STYLES = ("nl", "en")

#: characters trimmed around a cell and allowed between sign, euro sign, digits and % / €
SPACES = " \t\u00a0\u202f\u2009"
_SP = f"[{SPACES}]*"
_DIGITS = {
    "nl": r"[0-9]{1,3}(?:\.[0-9]{3})+(?:,[0-9]*)?|[0-9]+(?:,[0-9]*)?|,[0-9]+",
    "en": r"[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]*)?|[0-9]+(?:\.[0-9]*)?|\.[0-9]+",
}
# one sign at most: before the euro sign ("-€ 5") or after it ("€ -5")
_LEAD = rf"(?:[-+]?{_SP}(?:€{_SP})?|€{_SP}[-+]{_SP})"
_CELL = {s: rf"{_LEAD}(?:{d}){_SP}[%€]?" for s, d in _DIGITS.items()}
_MATCH = {s: re.compile(p).fullmatch for s, p in _CELL.items()}
_NOT_KEPT = re.compile("[^-+0-9.,]")  # what goes before the conversion: spaces, €, %


def _check_style(style: str) -> None:
    if style not in STYLES:
        raise ValueError(f"style must be one of {STYLES}, not {style!r}")


def parse_number(value: Any, style: str = "nl") -> float:
    """One number as written by a person (see the module notes): ``1.440``, ``33,6``,
    ``33,6 %``, ``€ 1.500,50``, ``−2,5``. Returns NaN when ``value`` is not a number, is empty or
    is missing (None, NaN); an int or float is returned as a float.

    ``style`` (``"nl"``, the default, or ``"en"``) decides only values that read both ways:
    ``parse_number("1.440")`` is 1440.0, ``parse_number("1.440", "en")`` is 1.44, and
    ``parse_number("1,5", "en")`` is 1.5 (it can only be Dutch). For a column, use
    :func:`parse_numbers`, which decides the style from the column and refuses mixed styles.
    """
    _check_style(style)
    if isinstance(value, str):
        s = value.strip(SPACES).replace("\u2212", "-")
        nl, en = _MATCH["nl"](s), _MATCH["en"](s)
        if not (nl or en):
            return math.nan
        use = style if (nl and en) else ("nl" if nl else "en")
        return float(_plain(_NOT_KEPT.sub("", s), use))
    if isinstance(value, Real) and not isinstance(value, (bool, np.bool_)):
        return float(value)  # NaN stays NaN
    if value is None or value is pd.NA:
        return math.nan
    raise TypeError(f"parse_number reads text or a number, not {type(value).__name__}")


def _plain(s: str, style: str) -> str:
    """Sign and digits of a checked cell as Python's float() reads them (decimal point)."""
    return s.replace(".", "").replace(",", ".") if style == "nl" else s.replace(",", "")


@dataclass
class ParsedNumbers:
    """Result of :func:`parse_numbers` on one column (all Series on the column's index).

    ``values``: float64, NaN where the cell is empty, no number, or a conflict;
    ``missing``: the cell is empty (None, NaN, or only spaces);
    ``not_number``: a non-empty cell that is no number at all (``n.v.t.``);
    ``conflict``: a number written in the other style than the column's (``1.5`` among ``2,5``);
    ``style``: the column's style, ``"nl"`` or ``"en"``; ``decided``: the column fixed it itself
    (some value reads only one way), else it is the ``default_style``;
    ``integer``: every number is written without separators (``1440``, ``-3``);
    ``identifier``: ``integer`` and some value has a leading zero (``0123``) or more than 15
    digits: a code, not a quantity; ``text``: the column as given (for messages);
    ``percent``: the cell is a number written with ``%`` (``33,6 %``).
    """

    values: pd.Series
    missing: pd.Series
    not_number: pd.Series
    conflict: pd.Series
    style: str
    decided: bool
    integer: bool
    identifier: bool
    text: pd.Series
    percent: pd.Series

    @property
    def ok(self) -> bool:
        """Every non-empty cell is a number in the column's style."""
        return not self.not_number.any() and not self.conflict.any()

    def conflict_problems(self, file: str | None, column: str) -> list[Problem]:
        """One :class:`Problem` per conflict, at its row: the column's index must hold the
        user's row numbers (as the readers give them: header = row 1)."""
        if self.style == "nl":
            words = "decimaalkomma zoals de rest van de kolom (33,6 of 1.440,5)"
        else:
            words = "decimaalpunt zoals de rest van de kolom (33.6 of 1,440.5)"
        expected = (f"een getal met {words}; deze kolom mengt beide schrijfwijzen, zodat niet "
                    "zeker is wat bedoeld is")
        hits = self.conflict.to_numpy()
        return [Problem(file, int(row), str(column), cell, expected)
                for row, cell in zip(self.text.index[hits], self.text[hits])]


def _utf8(values: pd.Series) -> tuple[np.ndarray, bytes]:
    """The column's cells as UTF-8: (offsets, n + 1 from 0; the bytes). A missing cell is
    empty. pandas' ``str`` dtype is pyarrow-backed: its chunks are joined, not converted."""
    if not pd.api.types.is_string_dtype(values.dtype) or values.dtype == object:
        values = values.astype("str")  # None and NaN stay missing; anything else becomes str()
    arr = pa.array(values.array)
    if isinstance(arr, pa.ChunkedArray):
        arr = pa.concat_arrays(arr.chunks) if arr.num_chunks else pa.array([], pa.large_string())
    arr = arr.cast(pa.large_string()).fill_null("")
    _, offsets, data = arr.buffers()
    off = np.frombuffer(offsets, np.int64)[arr.offset: arr.offset + len(arr) + 1]
    raw = b"" if data is None else data.slice(int(off[0]), int(off[-1] - off[0])).to_pybytes()
    return off - off[0], raw


def _strings(off: np.ndarray, raw: bytes, valid: np.ndarray | None = None) -> pa.Array:
    """A pyarrow string array on these offsets and bytes (no copy); null where not ``valid``."""
    n = len(off) - 1
    bitmap = None if valid is None else pa.array(valid).buffers()[1]
    return pa.LargeStringArray.from_buffers(n, pa.py_buffer(off), pa.py_buffer(raw), bitmap,
                                            0 if valid is None else int(n - valid.sum()))


# a cell's shape: every ASCII digit becomes "9" (the patterns only ask "is this a digit"; UTF-8
# never uses the bytes of ASCII digits inside a multi-byte character)
_SHAPE = bytes.maketrans(b"0123456789", b"9" * 10)


def _kept(style: str) -> tuple[bytes, bytes]:
    """(table, bytes to delete) for bytes.translate: what float() reads of a number. Digits and
    signs stay, the decimal separator becomes ".", the last byte of the Unicode minus (E2 88 92;
    no other character a number may hold contains 0x92) becomes "-"; everything else goes
    (spaces, €, %, the thousands separator, the minus sign's first two bytes)."""
    decimal = b"," if style == "nl" else b"."
    stay = b"0123456789+-" + decimal + b"\x92"
    return (bytes.maketrans(decimal + b"\x92", b".-"),
            bytes(b for b in range(256) if b not in stay))


_KEPT = {s: _kept(s) for s in STYLES}
# facts about a shape, as bits
_BLANK, _NL, _EN, _SEP, _PCT = 1, 2, 4, 8, 16


def _facts(shape: str) -> int:
    """What :func:`parse_number`'s patterns say about a cell of this shape, as bits."""
    s = shape.strip(SPACES).replace("\u2212", "-")
    return ((not s) * _BLANK | bool(_MATCH["nl"](s)) * _NL | bool(_MATCH["en"](s)) * _EN
            | ("." in s or "," in s) * _SEP | ("%" in s) * _PCT)


def _lowest(digits: int) -> float:
    """The smallest whole number written with ``digits`` digits and no leading zero; infinite
    beyond 15 digits (every such cell counts as an identifier)."""
    return math.inf if digits > 15 else 10.0 ** (digits - 1) if digits > 1 else 0.0


def parse_numbers(values: pd.Series, default_style: str = "nl") -> ParsedNumbers:
    """Read a column of numbers written by people (see the module notes); vectorised.

    ``values`` holds text (pandas ``str`` or object dtype; None and NaN are empty cells). The
    column decides its style; ``default_style`` settles a tie and a column whose every value
    reads both ways. Returns a :class:`ParsedNumbers`; nothing is raised for bad cells.

    How: whether a cell is a number, and in which style, depends only on its *shape* (the cell
    with every digit written as 9: ``1.440,5`` -> ``9.999,9``), and a column has few shapes. The
    patterns of :func:`parse_number` judge each distinct shape once. The cells' bytes are then
    reduced to sign, digits and a decimal point and converted by pyarrow's float cast (correctly
    rounded, like Python's float()).
    """
    _check_style(default_style)
    off, raw = _utf8(values)
    shapes = pc.dictionary_encode(_strings(off, raw.translate(_SHAPE)))
    codes = shapes.indices.to_numpy()
    shapes = shapes.dictionary.to_pylist()
    facts = np.array([_facts(s) for s in shapes], np.uint8)
    flags = facts[codes]
    missing, fits_nl, fits_en = (flags & _BLANK) > 0, (flags & _NL) > 0, (flags & _EN) > 0
    only_nl, only_en = fits_nl & ~fits_en, fits_en & ~fits_nl
    counts = {"nl": int(only_nl.sum()), "en": int(only_en.sum())}
    style = default_style if counts["nl"] == counts["en"] else max(STYLES, key=counts.get)
    usable = fits_nl if style == "nl" else fits_en
    # the usable cells reduced to sign, digits and "." for the float cast (the others are null);
    # each shape says how many of its bytes stay. Cells written that way already (1440, -2.5 in
    # English) are cast as they are.
    fits = _NL if style == "nl" else _EN
    if not any(f & fits for f in facts):  # no cell is a number (a text column): nothing to cast
        numbers = np.full(len(codes), np.nan)
    else:
        table, delete = _KEPT[style]
        kept = [s.encode().translate(table, delete) for s in shapes]
        if any(k != s.encode() for s, k, f in zip(shapes, kept, facts) if f & fits):
            raw = raw.translate(table, delete)
            off = np.zeros(len(off), np.int64)
            np.cumsum(np.array([len(k) for k in kept], np.int64)[codes], out=off[1:])
        numbers = pc.cast(_strings(off, raw, usable), pa.float64()).to_numpy(zero_copy_only=False)
    integer = not (usable & ((flags & _SEP) > 0)).any()
    identifier = False
    if integer:
        # a whole number of d digits is at least 10**(d - 1) unless it starts with 0 ("0123");
        # more than 15 digits is an identifier whatever its value
        lowest = np.array([_lowest(s.count("9")) for s in shapes], np.float64)[codes]
        identifier = bool((usable & (np.abs(numbers) < lowest)).any())

    def series(a: np.ndarray) -> pd.Series:
        return pd.Series(a, index=values.index, copy=False)

    percent = usable & ((flags & _PCT) > 0)
    return ParsedNumbers(series(numbers), series(missing), series(~missing & ~fits_nl & ~fits_en),
                         series(only_en if style == "nl" else only_nl), style,
                         counts["nl"] + counts["en"] > 0, integer, identifier, values, series(percent))
