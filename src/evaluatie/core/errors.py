"""Errors about input: :class:`Problem` (one thing wrong, located in the user's file) and
:class:`DataError` (all problems found in one pass, raised together).

A message names the file, row and column and what was expected, and says what *kind* of value
was found (empty, text, a number, a date) but never the value itself: messages end up in
published files (``run.json``, ``reports/index.html``), and a cell may hold anything, from a
person's name to a free-text answer about their health. The value stays on the
:class:`Problem` (``value``) for code and tests, and the user finds it at the row and column.

What helps the person at the terminal but may not be published, such as the column names found in
a file (a file without a header row has its first data row there), is wrapped with
:func:`private`: the runner prints it, and :func:`public_text` leaves it out of ``run.json``, the
index and the published notebook.

Part of :mod:`evaluatie.core`, which imports nothing else from the package.
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass
from typing import Any, Iterable

__all__ = ["Problem", "DataError", "private", "public_text", "terminal_text"]

_OPEN, _CLOSE = "\u27e6", "\u27e7"  # ⟦ ⟧: around text for the terminal only
WITHHELD = "(niet gepubliceerd; staat in de terminal)"


def private(text: object) -> str:
    """``text`` marked as for the terminal only (see the module docstring)."""
    return f"{_OPEN}{str(text).replace(_OPEN, '').replace(_CLOSE, '')}{_CLOSE}"


def public_text(message: str) -> str:
    """``message`` as it may be published: every :func:`private` part replaced by a note."""
    out, rest = [], message
    while _OPEN in rest:
        head, _, tail = rest.partition(_OPEN)
        out.append(head + WITHHELD)
        rest = tail.partition(_CLOSE)[2] if _CLOSE in tail else ""
    return "".join(out) + rest


def terminal_text(message: str) -> str:
    """``message`` for the person running the command: the :func:`private` marks removed."""
    return message.replace(_OPEN, "").replace(_CLOSE, "")


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input file, in words an analyst can act on."""

    file: str | None
    row: int | None  # row number as seen in the user's file (header = 1), None for file-level problems
    column: str | None
    value: Any
    expected: str

    def __str__(self) -> str:
        where = []
        if self.file:
            where.append(f"bestand {self.file}")
        if self.row is not None:
            where.append(f"rij {self.row}")
        if self.column:
            where.append(f"kolom '{self.column}'")
        loc = ", ".join(where) if where else "invoer"
        missing = self.value is None or (isinstance(self.value, float) and math.isnan(self.value))
        if missing and (self.row is None or self.column is None):
            # a problem with the whole file, a column or a row: no cell to quote
            return f"{loc}: verwacht {self.expected}"
        return f"{loc}: gevonden {'leeg' if missing else _kind(self.value)}, verwacht {self.expected}"


def _kind(value: Any) -> str:
    """What kind of value a cell held, in Dutch, without its content."""
    if isinstance(value, bool):
        return "ja/nee"
    if isinstance(value, numbers.Number):  # numpy's scalars too
        return "een getal"
    if hasattr(value, "year") and hasattr(value, "month"):
        return "een datum"
    if isinstance(value, str):
        return "tekst" if value.strip() else "alleen spaties"
    return "een waarde van een ander soort"


class DataError(Exception):
    """Input that cannot be analysed. Carries every problem found, not just the first."""

    def __init__(self, problems: Iterable[Problem] | Problem | str, *, file: str | None = None):
        if isinstance(problems, str):
            problems = [Problem(file=file, row=None, column=None, value=None, expected=problems)]
        elif isinstance(problems, Problem):
            problems = [problems]
        self.problems: list[Problem] = list(problems)
        super().__init__(self._message())

    def _message(self) -> str:
        n = len(self.problems)
        head = "1 probleem in de invoer" if n == 1 else f"{n} problemen in de invoer"
        shown = self.problems[:50]
        lines = [f"{head}:"] + [f"  - {p}" for p in shown]
        if n > len(shown):
            lines.append(f"  ... en nog {n - len(shown)} problemen")
        return "\n".join(lines)
