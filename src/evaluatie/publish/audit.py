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

:func:`crossing` is the attack on two breakdowns of the same units that cross;
:func:`crossing_pinned` is the check the survey and the correspondence test both run with it: which
small crossing cells and withheld groups the pair pins while neither breakdown alone does.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Hashable, Mapping

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp

__all__ = ["Attack", "Interval", "crossing", "crossing_pinned"]


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


def crossing_pinned(cap: Mapping[tuple[Hashable, Hashable], float], rows: Mapping[Hashable, float],
                    columns: Mapping[Hashable, float], total: float, need: Mapping[Hashable, float], *,
                    alone: str = "tables", truth: Mapping[tuple[Hashable, Hashable], float] | None = None,
                    first: bool = False) -> dict[Hashable, Interval]:
    """Which of the names of ``need`` the attack on two crossing breakdowns (:func:`crossing`) pins
    more closely than the rule allows, where neither breakdown alone does already.

    ``cap``, ``rows``, ``columns``, ``total``: as for :func:`crossing`. ``need``: per name to protect
    (a crossing cell ``(a, b)`` of ``cap``, ``("row", a)`` / ``("column", b)`` for a withheld group
    with cells in ``cap``; one without units has nothing to keep), in the order to check them, the
    width its interval must keep at least (the protection width: 1 for 'not one value',
    ``threshold - 1`` for 'at least ``threshold`` values').

    What one breakdown alone says cannot be taken back by withholding more of the other (a group
    with no, or only, positive answers pins each of its cells), so a name is pinned only when its
    interval in the crossing is narrower than ``min(need, width)``, with ``width`` the width of the
    interval the published numbers leave without the crossing, measured as ``alone`` says:

    * ``"tables"``: each breakdown by itself — its shown groups and the whole sample, so also the sum
      of its withheld groups — and the narrower of the two. A cell of a shown group is bounded by that
      group's count, a cell of a withheld group by the withheld groups' sum; a withheld group by the
      withheld groups' sum of its own breakdown (the survey's rule:
      :func:`~evaluatie.analyses.survey.statistics.decide_withheld`);
    * ``"sums"``: the published sums that hold the name, each by itself, together: the whole
      sample's and, for a cell, its row's and its column's where they are shown; a withheld group by
      the whole sample's only (the correspondence test's rule:
      :func:`~evaluatie.analyses.correspondence.protection.withheld_subgroups`).

    ``truth``: the true count of every cell, when the caller has it. A solution other than the truth
    that keeps every published number (a 4-cycle of moves, or moves between withheld groups: see
    :func:`_moves`) is a lower bound on the interval's width; where it already reaches the rule, the
    name is not attacked (no MILP is solved for it). The answer is the same with or without it
    (``ValueError`` when ``truth`` does not give the published numbers). ``first``: stop at the first
    pinned name. Returns ``{name: its interval in the crossing}`` for the pinned names, in the order
    of ``need``.

    >>> cap = {("D", "H"): 3, ("P", "H"): 1, ("P", "F"): 60, ("V", "F"): 40}
    >>> crossing_pinned(cap, {"P": 35, "V": 28}, {"F": 63}, 65, {("P", "H"): 1})  # F - (P + V) = -(P, H)
    {('P', 'H'): Interval(low=0.0, high=0.0)}
    >>> crossing_pinned(cap, {"P": 61, "V": 3}, {"F": 63}, 64, {("P", "H"): 1})   # P's 61 of 61 pin it alone
    {}
    """
    if alone not in ("tables", "sums"):
        raise ValueError(f"alone must be 'tables' or 'sums', not {alone!r}")
    cells = [c for c, top in cap.items() if top > 0]
    own = ({}, {})  # per row / column: the sum of its cells' caps
    for c, top in cap.items():
        for pos in (0, 1):
            own[pos][c[pos]] = own[pos].get(c[pos], 0.0) + float(top)
    hidden = tuple({c[pos] for c in cap} - set(shown) for pos, shown in ((0, rows), (1, columns)))
    for name in need:
        kind = ("row", "column").index(name[0]) if name[0] in ("row", "column") and name not in cap else None
        if (name not in cap) if kind is None else (name[1] not in hidden[kind]):
            raise ValueError(f"{name!r} is neither a crossing cell nor a withheld group of one")
    x = None
    if truth is not None:
        x = {c: float(truth[c]) for c in cells}
        sums = [sum(x.values()) - float(total)]
        for pos, shown in ((0, rows), (1, columns)):
            sums += [sum(v for c, v in x.items() if c[pos] == g) - float(n) for g, n in shown.items()]
        if any(abs(d) > 1e-6 for d in sums) or any(not 0 <= x[c] <= cap[c] for c in cells):
            raise ValueError("truth does not give the published numbers")
    width = _alone_sums(cap, own, rows, columns, total, need) if alone == "sums" else \
        _alone_tables(cap, own, rows, columns, total)
    attack, out = None, {}
    for name, n in need.items():
        n = min(float(n), width.get(name, np.inf))
        if not n > 0:
            continue  # nothing to keep: the published numbers alone already pin it
        if x is not None and _moves(x, cap, hidden[0], hidden[1], name) + 1e-9 >= n:
            continue  # another solution already shows the interval is wide enough
        if attack is None:
            attack = crossing(cap, rows, columns, total)
        iv = attack.bounds([name])[name]
        if iv.width + 1e-9 < n:
            out[name] = iv
            if first:
                break
    return out


def _interval(top: float, count: float, others: float) -> tuple[float, float]:
    """The values a part of at most ``top`` can take when it and parts of at most ``others`` together
    add up to ``count``."""
    return max(0.0, count - others), min(float(top), count)


def _alone_tables(cap: Mapping, own: tuple, rows: Mapping, columns: Mapping, total: float) -> dict:
    """The ``"tables"`` widths of :func:`crossing_pinned`, for every cell and withheld group."""
    width: dict = {}
    for pos, shown, kind in ((0, rows, "row"), (1, columns, "column")):
        pool = [g for g in own[pos] if g not in shown]
        left = total - sum(shown.values())
        pool_cap = sum(own[pos][g] for g in pool)
        for c, top in cap.items():
            g = c[pos]
            low, high = _interval(top, shown[g], own[pos][g] - top) if g in shown else \
                _interval(top, left, pool_cap - top)
            width[c] = min(width.get(c, np.inf), high - low)
        for g in pool:
            low, high = _interval(own[pos][g], left, pool_cap - own[pos][g])
            width[(kind, g)] = high - low
    return width


def _alone_sums(cap: Mapping, own: tuple, rows: Mapping, columns: Mapping, total: float, names) -> dict:
    """The ``"sums"`` widths of :func:`crossing_pinned`, for ``names``."""
    everything = sum(float(t) for t in cap.values())
    width = {}
    for name in names:
        if name[0] in ("row", "column") and name not in cap:
            pos = ("row", "column").index(name[0])
            top, holders = own[pos][name[1]], []
        else:
            top = float(cap[name])
            holders = [(shown[name[pos]], own[pos][name[pos]]) for pos, shown in ((0, rows), (1, columns))
                       if name[pos] in shown]
        low, high = 0.0, top
        for count, size in [(float(total), everything), *holders]:
            lo, hi = _interval(top, float(count), size - top)
            low, high = max(low, lo), min(high, hi)
        width[name] = max(high - low, 0.0)
    return width


def _moves(x: Mapping, cap: Mapping, hidden_rows: set, hidden_columns: set, name) -> float:
    """A lower bound on the width of ``name``'s interval in :func:`crossing`,
    from the true counts ``x`` per cell (of at most ``cap``): every move below keeps each shown row
    and column, the total and the cells' ranges, so the truth moved by it is another solution the
    attacker cannot rule out. For a cell (a, b): a 4-cycle (+ at (a, b) and (a', b'), − at (a, b')
    and (a', b)), or − at one other cell of its row or column when both lie in withheld groups of
    the other variable, or − at a cell (a', b') when a, a' and b, b' are all withheld. For a withheld
    row (column): + at one of its cells, − at a cell of another withheld row (column) in the same
    column (row). Returns the largest move up plus the largest move down (each from one move):
    when that reaches what the rule asks, the attack need not be run (it can only find the interval
    wider)."""
    up = down = 0.0

    def move(plus, minus):  # + δ on the cells ``plus``, − δ on ``minus``
        nonlocal up, down
        if all(c in x for c in (*plus, *minus)):
            up = max(up, min([cap[c] - x[c] for c in plus] + [x[c] for c in minus]))
            down = max(down, min([x[c] for c in plus] + [cap[c] - x[c] for c in minus]))

    if name[0] in ("row", "column") and name not in x:
        kind, level = name
        pos = 0 if kind == "row" else 1
        others = hidden_rows if pos == 0 else hidden_columns
        for c in [c for c in x if c[pos] == level]:
            for o in others - {level}:
                move([c], [(o, c[1]) if pos == 0 else (c[0], o)])
        return up + down
    a, b = name
    rows = {c[0] for c in x} - {a}
    columns = {c[1] for c in x} - {b}
    for a2 in rows:
        for b2 in columns:
            move([(a, b), (a2, b2)], [(a, b2), (a2, b)])
            if a in hidden_rows and a2 in hidden_rows and b in hidden_columns and b2 in hidden_columns:
                move([(a, b)], [(a2, b2)])
    if a in hidden_rows:
        for a2 in rows & hidden_rows:
            move([(a, b)], [(a2, b)])
    if b in hidden_columns:
        for b2 in columns & hidden_columns:
            move([(a, b)], [(a, b2)])
    return up + down
