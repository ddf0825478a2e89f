"""Dutch (nl-BE) number formatting for everything a report reader sees.

``33,6%``, ``1.440``, ``€ 1.500``, ``p < 0,001``. Machine-readable exports never go through here:
they keep dot decimals and proportions 0-1 (or percent units where the column says ``_pct``).
Formatting follows the CLDR rules for ``nl_BE`` through Babel.
"""

from __future__ import annotations

import math
from numbers import Number

from babel.numbers import format_decimal

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


def _pattern(decimals: int) -> str:
    return "#,##0" + ("." + "0" * decimals if decimals > 0 else "")


def num(x, decimals: int = 0) -> str:
    """``1440`` → ``1.440``; ``2.5, 1`` → ``2,5``."""
    if _missing(x):
        return MISSING
    return format_decimal(round(float(x), decimals), format=_pattern(decimals), locale=LOCALE)


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
    from datetime import datetime

    from babel.dates import format_datetime

    try:
        dt = datetime.fromisoformat(iso)
    except (TypeError, ValueError):
        return str(iso)
    return format_datetime(dt, "d MMMM y, HH.mm 'u'", tzinfo=dt.tzinfo, locale=LOCALE)
