"""Dutch (nl-BE) number formatting for everything a report reader sees.

``33,6%``, ``1.440``, ``€ 1.500``, ``p < 0,001``. Machine-readable exports never go through here:
they keep dot decimals and proportions 0-1 (or percent units where the column says ``_pct``).
Numbers follow the CLDR rules for ``nl_BE`` (tested equal to Babel's); dates are formatted by Babel.

**One escaping rule for prose.** Every value that comes from data or parameters (a group, ground,
item or entity label, a priority or action name, a title, organisation, study or design note) goes
through :func:`literal` before it is put into Markdown prose: sentences, headings, captions, notices,
the report's title. It then reads as itself, never as markup: ``**vet**`` stays two asterisks,
``[x](y)`` is no link, ``<script>`` is text. Our own Markdown around it (``**bold**``, lists) keeps
working. Alt texts and figure labels are plain text, not Markdown: they take a value as it is (the
template escapes the alt attribute for HTML; report figures switch matplotlib's mathtext off, so a
``$`` is a dollar sign). Table cells are HTML-escaped by the report helpers and need nothing either.
"""

from __future__ import annotations

import math
import re
import unicodedata
from datetime import datetime
from decimal import Decimal
from numbers import Number

from babel.dates import format_datetime

LOCALE = "nl_BE"
MISSING = "–"

__all__ = ["literal", "num", "pct", "prop", "pp", "pval", "eur", "signed", "datetime_nl", "LOCALE", "MISSING"]


def _missing(x) -> bool:
    if x is None or type(x).__name__ in ("NAType", "NaTType"):  # pandas' missing markers
        return True
    try:
        return bool(isinstance(x, Number) and math.isnan(x))
    except TypeError:
        return False


# Characters with a meaning in Markdown (CommonMark, GFM tables and strikethrough) anywhere in a line:
# a backslash before any ASCII punctuation makes it the character itself. "&" starts an entity, "<"
# HTML or an autolink, "[" "]" links and images, "`" code, "*" "_" emphasis, "|" a table, "~"
# strikethrough, "$" maths in renderers that know it. A run of "_" between two letters or digits
# ("women_total", "plan_2018.csv") can neither open nor close emphasis and is left as it is.
_MD_INLINE = re.compile(r"[\\`*\[\]<>|~&$]|_+")
_ALNUM = re.compile(r"[^\W_]")
# ... and at the start of a line only: a heading, a list item, a setext underline, a numbered item
_MD_LINE_START = re.compile(r"^(\d*)([#+=.)-])")
_BREAKS = re.compile(r"\s*[\r\n\v\f\u2028\u2029\x85]+\s*")


def _escape_inline(m: re.Match) -> str:
    s, text = m.group(0), m.string
    if s[0] == "_" and 0 < m.start() and m.end() < len(text) and _ALNUM.match(text[m.start() - 1]) \
            and _ALNUM.match(text[m.end()]):
        return s
    return "".join("\\" + c for c in s)


def _escape_start(m: re.Match) -> str:
    digits, mark = m.group(1), m.group(2)
    if digits and mark not in ".)":  # "12-3" or "1+1" at the start is no list item
        return m.group(0)
    if not digits and mark in ".)":  # a "." or ")" at the start means nothing
        return m.group(0)
    return digits + "\\" + mark


def literal(value) -> str:
    """A value from data or parameters, safe to put into Markdown prose: it reads as itself.

    Markdown's special characters get a backslash (``a|b`` → ``a\\|b``, ``**x**`` → ``\\*\\*x\\*\\*``,
    ``<img>`` → ``\\<img\\>``; an ``_`` inside a word, as in ``women_total``, cannot make emphasis and
    stays as it is); a ``#``, ``-``, ``+``, ``=`` or ``1.`` at its start is escaped too, so a
    label at the start of a line never makes a heading or a list. Line breaks (and the white space
    around them) become one space, tabs a space; the ends are trimmed. Letters are left as they are,
    right-to-left text and its direction marks included, but a value holding right-to-left letters
    or direction controls (such as U+202E) is wrapped in a first-strong isolate (U+2068 … U+2069,
    Unicode's bidirectional algorithm, UAX #9): its direction then cannot turn the rest of the
    sentence around (isolate marks inside the value are dropped, so none can end it early). Missing
    values give :data:`MISSING`."""
    if _missing(value):
        return MISSING
    text = _BREAKS.sub(" ", str(value)).replace("\t", " ").strip()
    text = _MD_LINE_START.sub(_escape_start, _MD_INLINE.sub(_escape_inline, text), count=1)
    if any(unicodedata.bidirectional(ch) in _BIDI for ch in text):
        text = "\u2068" + text.replace("\u2068", "").replace("\u2069", "") + "\u2069"
    return text


# right-to-left letters and the explicit direction controls (embeddings, overrides, isolates)
_BIDI = {"R", "AL", "RLE", "RLO", "LRE", "LRO", "PDF", "RLI", "LRI", "FSI", "PDI"}


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


def conf_level(conf: float) -> str:
    """A confidence level as the reader reads it: ``0.95`` → ``95%``, ``0.975`` → ``97,5%``."""
    level = round(conf * 100, 6)
    return pct(level, 0 if level.is_integer() else 1)


def eur(x, decimals: int = 0) -> str:
    """``1500`` → ``€ 1.500``."""
    if _missing(x):
        return MISSING
    return "€\u00a0" + num(x, decimals)


def _stamp_nl(iso: str, pattern: str) -> str:
    try:
        dt = datetime.fromisoformat(iso)
    except (TypeError, ValueError):
        return str(iso)
    return format_datetime(dt, pattern, tzinfo=dt.tzinfo, locale=LOCALE)


def date_nl(iso: str) -> str:
    """The date of an ISO 8601 time stamp as a Dutch reader writes it: ``22 november 2026``."""
    return _stamp_nl(iso, "d MMMM y")


def datetime_nl(iso: str) -> str:
    """An ISO 8601 time stamp as a Dutch reader writes it: ``22 november 2026, 23.58 u``."""
    return _stamp_nl(iso, "d MMMM y, HH.mm 'u'")
