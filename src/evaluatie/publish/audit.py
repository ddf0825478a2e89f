"""The differencing attack: how much the published numbers of a run (or of a batch of runs) reveal
about the cells that were withheld.

An attacker who has every published table knows linear relations between the withheld cells: a
published total minus the published parts is the sum of the withheld parts; a published share of
a published base is a count; a breakdown adds up to the whole-sample figure. :class:`Attack`
collects those relations over integer unknowns (the withheld counts) and bounds each unknown with
mixed-integer linear programming (``scipy.optimize.milp``, HiGHS): the smallest and the largest value
it can take given everything that was published. A cell is *recovered* when that interval is
narrower than what the table itself already said about it (see :meth:`Attack.recovered`).

This is the audit statistical offices run on published tables (Hundepool et al., *Statistical
Disclosure Control*, Wiley 2012, §4.3 "the attacker's problem": interval bounds from the linear
system of the published margins); the tests run it on every analysis and on a ``--by entity``
batch with groups of 1 to 4 units.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Hashable, Mapping

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp

__all__ = ["Attack", "Interval"]


@dataclass(frozen=True)
class Interval:
    """The values an unknown can take: ``low``..``high`` (integers when the unknown is integer)."""

    low: float
    high: float

    @property
    def width(self) -> float:
        return self.high - self.low


@dataclass
class Attack:
    """A linear system over named non-negative unknowns, built from published numbers.

    >>> a = Attack()
    >>> a.unknown("A"); a.unknown("B")
    >>> a.equal({"A": 1, "B": 1}, 7)          # total 10 minus the shown part 3
    >>> a.bounds()["A"]
    Interval(low=0.0, high=7.0)
    """

    names: list[Hashable] = field(default_factory=list)
    _low: dict = field(default_factory=dict)
    _high: dict = field(default_factory=dict)
    _integer: dict = field(default_factory=dict)
    _rows: list = field(default_factory=list)  # (coefficients, low, high)

    def unknown(self, name: Hashable, low: float = 0.0, high: float = np.inf, *, integer: bool = True) -> None:
        """Declare an unknown (a withheld count; ``integer=False`` for a withheld weighted share)."""
        if name in self._low:
            self._low[name] = max(self._low[name], low)
            self._high[name] = min(self._high[name], high)
            return
        self.names.append(name)
        self._low[name], self._high[name], self._integer[name] = low, high, integer

    def __contains__(self, name: Hashable) -> bool:
        return name in self._low

    def equal(self, terms: Mapping[Hashable, float], value: float, tolerance: float = 0.0) -> None:
        """``Σ coef·unknown = value`` (± ``tolerance``, for relations published with rounding)."""
        self.between(terms, value - tolerance, value + tolerance)

    def between(self, terms: Mapping[Hashable, float], low: float, high: float) -> None:
        """``low ≤ Σ coef·unknown ≤ high``."""
        unknown = [k for k in terms if k not in self._low]
        if unknown:
            raise KeyError(f"undeclared unknowns {unknown!r}")
        if terms:
            self._rows.append((dict(terms), float(low), float(high)))

    def bounds(self, names=None) -> dict[Hashable, Interval]:
        """For each unknown (or each of ``names``): the minimum and maximum over all solutions of the
        system, integers where the unknown is integer. Raises ``ValueError`` when the system has no
        solution (the relations were written down wrongly: the true values always satisfy them)."""
        names = list(self.names if names is None else names)
        if not self.names:
            return {}
        idx = {n: i for i, n in enumerate(self.names)}
        k = len(self.names)
        lo = np.array([self._low[n] for n in self.names], float)
        hi = np.array([self._high[n] for n in self.names], float)
        integrality = np.array([1 if self._integer[n] else 0 for n in self.names])
        constraints = []
        if self._rows:
            a = np.zeros((len(self._rows), k))
            rlo = np.empty(len(self._rows))
            rhi = np.empty(len(self._rows))
            for r, (terms, low, high) in enumerate(self._rows):
                for n, coef in terms.items():
                    a[r, idx[n]] += coef
                rlo[r], rhi[r] = low, high
            constraints = [LinearConstraint(a, rlo, rhi)]
        out = {}
        for n in names:
            c = np.zeros(k)
            ends = []
            for sign in (1.0, -1.0):
                c[idx[n]] = sign
                res = milp(c, constraints=constraints, integrality=integrality, bounds=Bounds(lo, hi))
                if res.success:
                    ends.append(sign * res.fun)
                    continue
                if res.status == 1:  # a time or iteration limit: no bound is known, so nothing is proven
                    raise RuntimeError(f"the attack on {n!r} stopped before it finished ({res.message})")
                # HiGHS may answer "infeasible or unbounded": a feasibility check tells which
                feasible = milp(np.zeros(k), constraints=constraints, integrality=integrality,
                                bounds=Bounds(lo, hi)).success
                if not feasible:
                    raise ValueError(f"the published relations have no solution ({res.message})")
                ends.append(-sign * np.inf)  # unbounded: minimising gives -inf, maximising +inf
            out[n] = Interval(float(ends[0]), float(ends[1]))
        return out

    def recovered(self, base: Mapping[Hashable, float] | None = None, threshold: int = 5) -> dict[Hashable, Interval]:
        """The unknowns the published numbers pin down more closely than the rule allows: an unknown is
        safe when its interval holds at least ``threshold`` values, or, for a count within a group of
        ``base[name]`` units (fewer than ``threshold``), every value from 0 to that base — the most a
        group that small can hide. Non-integer unknowns (weighted shares, in percent) are safe when the
        interval is at least ``100 / base`` wide (one respondent's worth), and, without a base (a share
        withheld to protect another), when they are not pinned to one value."""
        base = dict(base or {})
        bad = {}
        for n, iv in self.bounds().items():
            b = base.get(n)
            if self._integer[n]:
                need = threshold - 1 if b is None else min(threshold - 1, b)
            elif b:
                need = 100.0 / b
            else:  # a share without a group size given (a cell withheld to protect another): not exact
                need = 1e-6
            if iv.width + 1e-9 < need:
                bad[n] = iv
        return bad
