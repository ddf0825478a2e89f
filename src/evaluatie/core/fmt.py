"""Dutch (nl-BE) number formatting for everything a report reader sees.

``33,6%``, ``1.440``, ``€ 1.500``, ``p < 0,001``. Machine-readable exports never go through here:
they keep dot decimals and proportions 0-1 (or percent units where the column says ``_pct``).
Numbers follow the CLDR rules for ``nl_BE`` (tested equal to Babel's); dates are formatted by Babel.
"""

from __future__ import annotations

import math
from datetime import datetime
from decimal import Decimal
from numbers import Number

from babel.dates import format_datetime

LOCALE = "nl_BE"
MISSING = "–"

__all__ = ["num", "pct", "prop", "pp", "pval", "eur", "signed", "datetime_nl", "LOCALE", "MISSING"]


def _missing(x) -> bool:
    if x is None or type(x).__name__ in ("NAType", "NaTType"):  # pandas' missing markers
        return True
    try:
        return bool(isinstance(x, Number) and math.isnan(x))
    except TypeError:
        return False


_TO_NL = str.maketrans({",": ".", ".": ","})


def num(x, decimals: int = 0) -> str:
    """``1440`` → ``1.440``; ``2.5, 1`` → ``2,5``.

    Babel's ``format_decimal`` with the nl-BE pattern gives the same string (a test checks this on
    random values), except that a value that rounds to zero never carries a minus sign (Babel
    writes ``-0,0``). Written with Python's own formatting and the separators swapped: Babel parses
    its pattern and locale on every call, which made number formatting one of the larger costs of
    a report (thousands of table cells and tick labels)."""
    if _missing(x):
        return MISSING
    v = round(float(x), decimals)
    if v == 0:
        v = 0.0
    if abs(v) < 1e9:
        text = f"{v:,.{decimals}f}"
    elif math.isfinite(v):  # where a double's spacing nears the last decimal: its shortest form, as Babel
        text = f"{Decimal(repr(v)):,.{decimals}f}"
    else:
        return "∞" if v > 0 else "-∞"
    return text.translate(_TO_NL)


def signed(x, decimals: int = 1) -> str:
    """A change with its sign: ``+1,2`` / ``-0,4`` (a real minus sign)."""
    if _missing(x):
        return MISSING
    s = num(abs(x), decimals)
    if round(float(x), decimals) > 0:
        return "+" + s
    if round(float(x), decimals) < 0:
        return "\u2212" + s
    return s


def pct(x, decimals: int = 1) -> str:
    """A value already in percent units: ``33.6`` → ``33,6%``."""
    if _missing(x):
        return MISSING
    return num(x, decimals) + "%"


def prop(x, decimals: int = 1) -> str:
    """A proportion 0-1 shown as a percentage: ``0.336`` → ``33,6%``."""
    if _missing(x):
        return MISSING
    return pct(float(x) * 100.0, decimals)


def pp(x, decimals: int = 1) -> str:
    """Percentage points with sign: ``-0.6`` → ``−0,6 pp``."""
    if _missing(x):
        return MISSING
    return signed(x, decimals) + " pp"


def pval(p) -> str:
    """p-values as a reader expects them: ``< 0,001``, ``0,023``, ``0,41``."""
    if _missing(p):
        return MISSING
    p = float(p)
    if p < 0.001:
        return "< 0,001"
    if p < 0.01:
        return num(p, 3)
    return num(p, 2 if p >= 0.1 else 3)


def eur(x, decimals: int = 0) -> str:
    """``1500`` → ``€ 1.500``."""
    if _missing(x):
        return MISSING
    return "€\u00a0" + num(x, decimals)


def datetime_nl(iso: str) -> str:
    """An ISO 8601 time stamp as a Dutch reader writes it: ``22 november 2026, 23.58 u``."""
    try:
        dt = datetime.fromisoformat(iso)
    except (TypeError, ValueError):
        return str(iso)
    return format_datetime(dt, "d MMMM y, HH.mm 'u'", tzinfo=dt.tzinfo, locale=LOCALE)
