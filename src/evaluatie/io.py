"""Reading input tables (placeholder: number parsing first; read_table follows)."""

from __future__ import annotations

import math
import re

__all__ = ["parse_number"]

_WS = "\u00a0\u202f\u2009 \t"
_NL = re.compile(r"\d{1,3}(?:\.\d{3})+(?:,\d+)?|\d+(?:,\d+)?")
_EN = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?")


def parse_number(text: str, style: str = "nl") -> float:
    """One number as written by a person: ``1.440``, ``33,6``, ``33,6 %``, ``€ 1.500,50``,
    ``-2,5`` (also with a Unicode minus). Returns NaN when ``text`` is not a number.

    ``style`` settles values that read differently in both conventions (``1.440``, ``1,5``...):
    ``"nl"`` (decimal comma, the default) or ``"en"`` (decimal point).
    """
    s = text.strip(_WS)
    if s.startswith("€"):
        s = s[1:].lstrip(_WS)
    if s.endswith("€"):
        s = s[:-1].rstrip(_WS)
    if s.endswith("%"):
        s = s[:-1].rstrip(_WS)
    sign = 1.0
    if s[:1] in ("-", "+", "\u2212"):
        sign = -1.0 if s[0] != "+" else 1.0
        s = s[1:]
        if s.startswith("€"):
            s = s[1:].lstrip(_WS)
    nl, en = _NL.fullmatch(s), _EN.fullmatch(s)
    if nl and (style == "nl" or not en):
        return sign * float(s.replace(".", "").replace(",", "."))
    if en:
        return sign * float(s.replace(",", ""))
    return math.nan
