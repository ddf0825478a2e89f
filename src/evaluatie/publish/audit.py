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

__all__ = ["Attack", "Interval", "crossing"]


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
            out[n] = Interval(float(ends[0]) + 0.0, float(ends[1]) + 0.0)  # no -0.0
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


def crossing(cap: Mapping[tuple[Hashable, Hashable], float], rows: Mapping[Hashable, float],
             columns: Mapping[Hashable, float], total: float) -> Attack:
    """The attack on two breakdowns of the same units that cross (departments and locations, sectors
    and provinces): neither nests in the other, so a published group of one minus published groups
    of the other can leave a handful of units that neither breakdown shows.

    The attacker is assumed to know how many units lie in each crossing cell (who works where: the
    worst case) and wants one count per unit (answers 'ja', positive reactions). ``cap``: per cell
    ``(a, b)`` the most that count can be (the cell's units, or its answers); cells without units are
    left out. ``rows`` / ``columns``: the published count of each shown group of the first / second
    breakdown; ``total``: the published count of all units. Unknowns: each cell ``(a, b)``, and
    ``("row", a)`` / ``("column", b)`` for each withheld group (its sum). Call :meth:`Attack.bounds`
    on the names that matter (the small cells and the withheld groups); what counts as too narrow is
    the caller's rule.

    >>> a = crossing({("D", "H"): 3, ("P", "H"): 1, ("P", "F"): 60, ("V", "F"): 40},
    ...              rows={"P": 35, "V": 28}, columns={"F": 63}, total=65)
    >>> a.bounds([("P", "H")])[("P", "H")]   # F - (P + V) = -(P, H): one person's answer
    Interval(low=0.0, high=0.0)
    """
    a = Attack()
    cells = [c for c, top in cap.items() if top > 0]
    for c in cells:
        a.unknown(c, 0.0, float(cap[c]))
    row_keys = list(dict.fromkeys(r for r, _ in cells))
    col_keys = list(dict.fromkeys(k for _, k in cells))
    for kind, keys, pos, shown in (("row", row_keys, 0, rows), ("column", col_keys, 1, columns)):
        for key in keys:
            terms = {c: 1.0 for c in cells if c[pos] == key}
            if key in shown:
                a.equal(terms, float(shown[key]))
            else:
                a.unknown((kind, key), 0.0, float(sum(cap[c] for c in terms)))
                a.equal({**terms, (kind, key): -1.0}, 0.0)
        extra = [k for k in shown if k not in keys]  # a shown group without units in any cell
        for k in extra:
            if float(shown[k]) != 0:
                raise ValueError(f"published {kind} {k!r} has no units")
    a.equal({c: 1.0 for c in cells}, float(total))
    return a
