"""Validation of input tables and the row ledger.

Every problem found in an input file becomes a :class:`Problem` naming the file, the row as the
user sees it in their own file (header = row 1, so the first data row is row 2), the column, the
offending value and what was expected. All problems found in one pass are raised together as one
:class:`DataError`, so a user fixes their file once, not once per problem.

The :class:`Ledger` accounts for every row read: each row is either analysed or excluded with a
reason, and ``read == excluded + analysed`` is checked, never assumed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable

import pandas as pd

__all__ = ["Problem", "DataError", "Ledger"]


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
        if self.value is None or (isinstance(self.value, float) and pd.isna(self.value)):
            got = "leeg"
        else:
            got = repr(self.value)
        return f"{loc}: gevonden {got}, verwacht {self.expected}"


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


@dataclass
class Ledger:
    """Accounts for every input row: read = excluded (per reason) + analysed.

    >>> led = Ledger("sollicitaties.csv", read=10)
    >>> led.exclude("dubbele sollicitatie", 2)
    >>> led.analysed
    8
    """

    source: str
    read: int
    exclusions: dict[str, int] = field(default_factory=dict)

    def exclude(self, reason: str, n: int) -> None:
        if n < 0:
            raise ValueError("an exclusion count cannot be negative")
        if n == 0:
            return
        self.exclusions[reason] = self.exclusions.get(reason, 0) + int(n)
        if self.excluded > self.read:
            raise ValueError(
                f"ledger of {self.source}: {self.excluded} rows excluded but only {self.read} read"
            )

    @property
    def excluded(self) -> int:
        return sum(self.exclusions.values())

    @property
    def analysed(self) -> int:
        return self.read - self.excluded

    def to_frame(self) -> pd.DataFrame:
        """The ledger as a table: one line for rows read, one per exclusion reason, one for rows analysed."""
        rows = [{"source": self.source, "step": "read", "reason": "", "rows": self.read}]
        rows += [
            {"source": self.source, "step": "excluded", "reason": reason, "rows": n}
            for reason, n in self.exclusions.items()
        ]
        rows.append({"source": self.source, "step": "analysed", "reason": "", "rows": self.analysed})
        return pd.DataFrame(rows, columns=["source", "step", "reason", "rows"])
