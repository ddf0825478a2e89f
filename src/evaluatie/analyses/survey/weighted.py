"""Weighted shares as the survey report publishes them: at the precision the report shows, and not
where one would give back the answers of a few respondents who share a weight.

Why (issue 15, item 2; docs/disclosure_plan.md, rule decision 4 as revised for weighted designs):
with weights that vary within a shown group (raking to several margins gives one weight per cell
of the margins, e.g. plan type x size class x region), a group's weighted share is
``sum_c w_c x_c / W``: a sum over its weight classes ``c`` of the class's weight times its
(unknown) number of answers ``x_c``, over the group's weighted total ``W``. The attacker of the
tests knows the weights (the frame's margins are published and the respondents per cell are
assumed known: the worst case) and the counts the report publishes; at full precision the share
is a subset sum that gives back the answers of every small class (the example survey: all 13 of
the 13 classes with 1 to 4 answers in the group "geen kmo"). So:

* :func:`round_weighted` — in a design whose weights vary, every published number computed with
  the weights is rounded to the precision the report shows: shares, standard errors and interval
  bounds to :data:`DIGITS` decimals of a proportion (0.1 percentage point); a share's interval is
  computed around its rounded value (with the unrounded standard error), so the two published
  bounds, which an attacker can invert, say nothing more of the share than its rounded value does.
  :func:`round_tests` gives a breakdown's tests as the report shows them (F to 2 decimals, its
  degrees of freedom to 1 and 0, p-values to 3 significant digits). An unweighted design (every
  weight equal) publishes a share ``k / n`` whose count is published anyway: nothing is rounded or
  recomputed, its tables stay as they were.
* :func:`withheld_shares` — rounding leaves the attacker a band ``(share +- half the last digit)
  x W`` for the weighted sum, and a band narrower than one respondent's weight still pins a class
  when the group has only a few classes (the audit's staff survey: one respondent of Productie
  weighs 10 and 66 weigh 2.9, every rounded share of Productie gives her answer back) or only a
  few answers on one side (1 of 74 Groeiplan organisations would not recommend the measure: the
  band says which weights that one can have). The decision attacks, per published share (a
  breakdown's indicator; a claim's coding), the integer system of every published relation of
  that share — the whole sample and each shown group: its band, and its count ``n_level`` where
  the table publishes it — over the units ``(groups of every breakdown, weight class)``. A unit
  with 1 to ``threshold - 1`` answers that the system pins (one value left) while the published
  counts alone do not, and the whole-sample figure alone does not (rule decision 7: the headline
  is always published), withholds one more cell: first each cell whose own share pins one of its
  units, then, while the whole system still pins one, the smallest shown cell whose withholding
  frees it (among the cells that hold it and the shown groups of a breakdown whose group of it is
  withheld), else the smallest of those. A withheld cell's row is withheld whole (estimate,
  interval, counts), and the breakdown's test pools it with the withheld groups
  (:func:`evaluatie.analyses.survey.statistics.breakdown`).

* :func:`report_variance` — the standard errors, interval bounds and the breakdowns' tests are
  not in that attack: exact, they are functions of the design's variance, an exact function of the
  answers per weight class (or stratum, or sampled unit), and an attack on the published files that
  used them pinned what this decision protects (the audit's staff survey: R009 in 6 of 6 indicators,
  the withheld 3-person Directie in 5 of 6). So a report whose design has more than one variance
  cell and a unit of 1 to ``threshold - 1`` answers computes every one of them from the published
  share, its base and design df and one design effect ``D`` of the design alone (a generalised
  variance function: :func:`round_weighted` with the report's :class:`Variance`, :func:`gvf_test`):
  functions of what the attack already has (docs/disclosure_plan.md, rule decision 9;
  ``tests/test_disclosure_variance.py``).

The pins are found with :func:`scipy.optimize.milp` (HiGHS):
first solves that push every small unit away from its true count at once (a unit that moves is not
pinned; every solution found is kept and reused for fewer relations), then, for the units left, one
feasibility solve per direction. The tests attack the published files with
:class:`evaluatie.publish.audit.Attack` (``tests/test_disclosure_survey.py``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Hashable, Mapping, Sequence

import numpy as np
import pandas as pd
from scipy.optimize import Bounds, LinearConstraint, milp

from evaluatie.stats.intervals import design_interval, gvf_se
from evaluatie.stats.survey import SurveyDesign, gvf_chisq

__all__ = ["DIGITS", "CHART_DIGITS", "SHARE_COLUMNS", "TEST_DIGITS", "ICC", "EXACT", "Variance", "report_variance",
           "table_variance", "weights_vary", "round_weighted", "round_chart", "round_tests", "gvf_test", "Shares", "withheld_shares"]

#: decimals of a published weighted proportion (what the report shows: one decimal of a percentage)
DIGITS = 3
_HALF = 0.5 * 10.0 ** -DIGITS

#: the columns of an estimate table computed with the weights, rounded to :data:`DIGITS`
SHARE_COLUMNS = ("estimate", "se", "ci_low", "ci_high", "deff", "dk_share", "ja", "deels", "nee", "ja_or_deels",
                 "ja_or_deels_ci_low", "ja_or_deels_ci_high", "alt_estimate", "alt_ci_low", "alt_ci_high",
                 "design_weighted_share", "calibrated_share")

#: decimals of a weighted share that the report only draws (the Likert charts' scale points): whole percent
CHART_DIGITS = 2

#: decimals of a breakdown's test as the report shows it (F; numerator and denominator df)
TEST_DIGITS = {"F": 2, "ndf": 1, "ddf": 0}
_P_DIGITS = 3  # significant digits of a p-value

#: branch-and-bound nodes per solve of the decision's attack, and for the whole decision (counted
#: in nodes, a solve at least one: deterministic, unlike a time limit). A unit for which no other
#: value is found within a solve's nodes counts as pinned; once the decision's nodes are used up,
#: every cell of the shares not yet decided is withheld. A hard system withholds more, it never
#: publishes more. The example survey uses under 1 % of the budget.
_NODES = 1000
_BUDGET = 40_000


class _Exhausted(Exception):
    """The decision's attack used up its nodes."""


def weights_vary(design: SurveyDesign | pd.Series) -> bool:
    """Whether the weights of ``design`` (or a Series of weights) differ between respondents: only
    then is a share more than its count over its base."""
    w = design if isinstance(design, pd.Series) else design.weights
    w = pd.to_numeric(w, errors="coerce").dropna().to_numpy(dtype=float)
    return len(w) > 0 and not np.allclose(w, w[0], rtol=1e-12, atol=0.0)


def _round(values: pd.Series, digits: int) -> pd.Series:
    """Each float rounded half to even on its decimal value (Python's ``round``); missing stays."""
    if not pd.api.types.is_float_dtype(values.dtype):
        return values
    return values.map(lambda x: x if pd.isna(x) else round(float(x), digits) + 0.0).astype(values.dtype)


#: the intraclass correlation the generalised design effect assumes in a clustered design
ICC = 0.05


@dataclass(frozen=True)
class Variance:
    """How a report computes its standard errors, intervals and tests (rule decision 9).

    ``deff`` None: exact, design-based (Taylor linearisation, R ``survey``). A number: the report's
    one generalised design effect (:func:`report_variance`), and every standard error, interval and
    test is a function of a published share, its base and design df and ``deff``
    (:func:`round_weighted`, :func:`gvf_test`). ``small`` counts the variance units with 1 to
    ``threshold - 1`` answers that made the report switch."""

    deff: float | None = None
    small: int = 0

    @property
    def generalised(self) -> bool:
        return self.deff is not None


#: exact design-based variances
EXACT = Variance()


def _ceil_tenth(x: float) -> float:
    return math.ceil(round(x * 10.0, 9)) / 10.0


def report_variance(design: SurveyDesign, threshold: int = 5, *, breakdowns: Sequence[str] = (),
                    columns: Sequence[str] = (), icc: float = ICC) -> Variance:
    """Whether the report's variances can be published exactly, and the generalised design effect
    when not.

    A design's variance is a function of the answers summed per variance cell
    (:meth:`~evaluatie.stats.survey.SurveyDesign.variance_cells`: stratum, sampled unit,
    calibration cell, weight), and a published standard error, interval bound or test of a domain
    is one more equation in those sums: with few answers in a cell it gives them back (the audit's
    staff survey: the whole sample's se and bounds pin R009, the one Productie respondent at the
    head office; the breakdown test pins the withheld 3-person Directie). So when the design has more
    than one variance cell and some unit (variance cell x the groups of every breakdown of
    ``breakdowns``) holds 1 to ``threshold - 1`` answers to a published column of ``columns`` (all
    respondents without ``columns``), the whole report switches to a generalised variance function:
    one design effect ``D`` of the design alone, ``ceil`` to 0.1 of
    :meth:`~evaluatie.stats.survey.SurveyDesign.generalised_deff` (Kish's weighting effect, the
    first stage's fpc, ``1 + (b - 1) icc`` in a clustered design). Every se, interval and test is
    then a function of what the report publishes anyway (share, base, df) and of ``D``
    (docs/disclosure_plan.md, rule decision 9). Otherwise: :data:`EXACT`."""
    cells = design.variance_cells()
    if len(np.unique(cells)) < 2:
        return EXACT
    data = design.data
    # one code per unit (variance cell x the groups of every breakdown; a missing group is a group)
    unit = cells
    for b in breakdowns:
        codes = pd.factorize(data[b], use_na_sentinel=False)[0].astype(np.int64)
        unit = pd.factorize(unit * (int(codes.max()) + 1) + codes)[0].astype(np.int64)
    n_units = int(unit.max()) + 1
    answered = [data[c].notna().to_numpy() for c in columns] or [np.ones(len(data), dtype=bool)]
    small = 0
    for ok in answered:
        sizes = np.bincount(unit[ok], minlength=n_units)
        small += int(((sizes > 0) & (sizes < threshold)).sum())
    if not small:
        return EXACT
    return Variance(deff=_ceil_tenth(design.generalised_deff(icc)), small=small)


def table_variance(design: SurveyDesign, variance: Variance | None, threshold: int, by=None,
                   columns: Sequence[str] = ()) -> Variance:
    """``variance`` when given (the report's, decided once over all its tables), else
    :func:`report_variance` decided for one table alone: its split variable(s) ``by`` and its
    ``columns``. The default of every estimate function of the survey report."""
    if variance is not None:
        return variance
    by = [] if not by else [by] if isinstance(by, str) else list(by)
    return report_variance(design, threshold, breakdowns=by, columns=list(columns))


def round_weighted(frame: pd.DataFrame, design: SurveyDesign | pd.Series, columns: Sequence[str] = SHARE_COLUMNS,
                   *, ci: str | None = None, conf: float = 0.95, prefix: str = "",
                   variance: Variance = EXACT) -> pd.DataFrame:
    """``frame`` as published: when the weights of ``design`` vary (:func:`weights_vary`), its
    columns among ``columns`` rounded to :data:`DIGITS` decimals; with a generalised ``variance``
    (:func:`report_variance`), its standard errors and intervals from the published share. Otherwise
    ``frame`` itself, unchanged.

    With ``ci`` (the interval method and level ``conf`` of the estimates) and the estimator's
    columns ``<prefix>estimate``, ``<prefix>ci_low``, ``<prefix>ci_high`` with ``se``, ``df``, ``n``,
    the interval is computed around the published (rounded) estimate: with the unrounded standard
    error when the variance is exact, so the two published bounds, which an attacker can invert,
    say nothing more of the share than its rounded value does; with a generalised variance ``se``
    is ``sqrt(D p (1 - p) / n)`` of that published share (:func:`evaluatie.stats.intervals.gvf_se`)
    and a column ``deff`` says ``D``."""
    vary = weights_vary(design)
    if not vary and not variance.generalised:
        return frame
    out = frame.copy()
    est, lo, hi = f"{prefix}estimate", f"{prefix}ci_low", f"{prefix}ci_high"
    if ci is not None and {est, lo, hi, "se", "df", "n"} <= set(out.columns) and len(out):
        r = _round(out[est].astype(float), DIGITS) if vary else out[est].astype(float)
        se = out["se"].to_numpy(float)
        if variance.generalised:
            se = gvf_se(r.to_numpy(float), out["n"].to_numpy(float), variance.deff)
            if not prefix:
                out["se"] = np.where(out["se"].notna().to_numpy(), se, np.nan)
                out["deff"] = np.where(r.notna().to_numpy(), variance.deff, np.nan)
        low, high = design_interval(r.to_numpy(float), se, out["df"].to_numpy(float),
                                    out["n"].to_numpy(float), ci, conf)
        keep = r.notna().to_numpy() & out[lo].notna().to_numpy()
        out[lo] = np.where(keep, low, np.nan)
        out[hi] = np.where(keep, high, np.nan)
        out[est] = r
    if vary:
        for c in columns:
            if c in out.columns:
                out[c] = _round(out[c], DIGITS)
    return out


def round_chart(frame: pd.DataFrame, design: SurveyDesign | pd.Series) -> pd.DataFrame:
    """The shares of a chart as the report publishes them when the weights of ``design`` vary: each
    ``estimate`` to :data:`CHART_DIGITS` decimals (whole percent), and nothing else of it (``se``,
    the interval and ``deff`` missing); otherwise ``frame`` itself. The Likert charts draw every scale
    point's whole-sample share; an attacker who re-draws them recovers the shares to the precision they
    are drawn at, and at 0.001, with the breakdowns' top-2 cells, they gave back the answers of R009 and
    of the 3-person Directie in the audit's staff survey, which the decision of :func:`withheld_shares`
    (top-2 shares only) does not attack. At whole percent the same attack pins nothing
    (``tests/test_disclosure_variance.py``)."""
    if not weights_vary(design):
        return frame
    out = frame.copy()
    out["estimate"] = _round(out["estimate"].astype(float), CHART_DIGITS)
    for c in ("se", "ci_low", "ci_high", "deff"):
        if c in out.columns:
            out[c] = np.nan
    return out


def gvf_test(shown: pd.DataFrame, whole: pd.Series, variance: Variance) -> pd.DataFrame:
    """A breakdown's test of one indicator with a generalised ``variance``, from published numbers
    only: the shown groups' published shares and bases (``shown``: ``estimate``, ``n``), and the
    withheld groups as one group whose base and share are what the whole sample (``whole``:
    published ``estimate``, ``n``, ``df``) leaves (``n - Σ n_g``, ``(n p - Σ n_g p_g) / n_pool``,
    within [0, 1]): :func:`evaluatie.stats.survey.gvf_chisq` with the report's ``D`` and the whole
    sample's design df."""
    p = shown["estimate"].astype(float).to_numpy()
    n = shown["n"].astype(float).to_numpy()
    n_pool = float(whole["n"]) - float(np.nansum(n))
    if n_pool > 0:
        p_pool = (float(whole["n"]) * float(whole["estimate"]) - float(np.nansum(n * p))) / n_pool
        p = np.append(p, min(max(p_pool, 0.0), 1.0))
        n = np.append(n, n_pool)
    return gvf_chisq(p, n, variance.deff, float(whole["df"]))


def _significant(x: float, digits: int) -> float:
    if pd.isna(x) or x == 0 or not np.isfinite(x):
        return x
    return round(float(x), digits - 1 - int(np.floor(np.log10(abs(x))))) + 0.0


def round_tests(tests: pd.DataFrame, design: SurveyDesign | pd.Series) -> pd.DataFrame:
    """A breakdown's tests (``F``, ``ndf``, ``ddf``, ``p_value``, ``p_holm``, ``chisq``) at the
    precision the report shows them when the weights of ``design`` vary: F (and the chi-square) to
    2 decimals, ``ndf`` to 1, ``ddf`` to 0, p-values to 3 significant digits; otherwise unchanged."""
    if not weights_vary(design):
        return tests
    out = tests.copy()
    for c, d in {**TEST_DIGITS, "chisq": 2}.items():
        if c in out.columns:
            out[c] = _round(out[c], d)
    for c in ("p_value", "p_holm"):
        if c in out.columns and pd.api.types.is_float_dtype(out[c].dtype):
            out[c] = out[c].map(lambda x: _significant(x, _P_DIGITS)).astype(out[c].dtype)
    return out


# --------------------------------------------------------------------------- the integer system

@dataclass
class _System:
    """Units (answers per weight class and crossing of the published domains) and the relations a
    published share adds: rows of coefficients with their low and high values."""

    caps: np.ndarray  # answers per unit
    truth: np.ndarray  # answers of the level per unit
    weights: np.ndarray  # the unit's weight
    members: dict = field(default_factory=dict)  # relation id -> boolean array over units
    bands: dict = field(default_factory=dict)  # relation id -> (low, high) of the weighted sum
    counts: dict = field(default_factory=dict)  # relation id -> the published count (None: not published)

    witnesses: list = field(default_factory=list)  # (relation ids, bands, solution): feasible under those
    budget: dict = field(default_factory=lambda: {"nodes": _BUDGET})  # shared by the decision's systems

    def _milp(self, *args, **kwargs):
        left = self.budget["nodes"]
        if left <= 0:
            raise _Exhausted
        res = milp(*args, **kwargs, options={"node_limit": int(min(_NODES, left))})
        self.budget["nodes"] = left - max(int(getattr(res, "mip_node_count", 0) or 0), 1)
        return res

    def pinned(self, ids, candidates, bands: bool = True) -> list[int]:
        """The units of ``candidates`` that the relations ``ids`` (with their bands, or their counts
        only) leave one value, their truth. A solution found under some relations is a solution
        under fewer of them too: every one found is kept and tried first."""
        ids = list(ids)
        active = np.zeros(len(self.caps), dtype=bool)
        for r in ids:
            if bands or self.counts[r] is not None:
                active |= self.members[r]
        remaining = {i for i in candidates if self.caps[i] > 0 and active[i]}  # outside every relation: free
        for seen, with_bands, x in self.witnesses:
            if seen >= set(ids) and (with_bands or not bands):
                remaining -= {i for i in remaining if x[i] != self.truth[i]}
        if not remaining:
            return []
        var = np.flatnonzero(active)
        pos = {u: j for j, u in enumerate(var)}
        a, lo, hi = [], [], []
        for r in ids:
            m = self.members[r][var].astype(float)
            if bands:
                a.append(m * self.weights[var])
                lo.append(self.bands[r][0])
                hi.append(self.bands[r][1])
            if self.counts[r] is not None:
                a.append(m)
                lo.append(self.counts[r])
                hi.append(self.counts[r])
        cons = [LinearConstraint(np.vstack(a), np.asarray(lo), np.asarray(hi))]
        caps = self.caps[var]
        integrality = np.ones(len(var))

        def keep(x):
            full = self.truth.copy()
            full[var] = np.round(x)
            self.witnesses.append((frozenset(ids), bands, full))
            return {i for i in remaining if full[i] != self.truth[i]}

        while remaining:  # push every remaining unit away from its truth at once
            c = np.zeros(len(var))
            for i in remaining:
                c[pos[i]] = 1.0 if self.truth[i] == self.caps[i] else -1.0
            res = self._milp(c, constraints=cons, integrality=integrality, bounds=Bounds(np.zeros(len(var)), caps))
            if res.x is None:
                break  # no solution found: the units left are checked one by one
            moved = keep(res.x)  # optimal or not, a solution of the system
            if not moved:
                break
            remaining -= moved
        out = []
        for i in sorted(remaining):
            if i not in remaining:
                continue
            for low, high in ((0.0, self.truth[i] - 1), (self.truth[i] + 1, self.caps[i])):
                if low > high:
                    continue
                lb, ub = np.zeros(len(var)), caps.astype(float).copy()
                lb[pos[i]], ub[pos[i]] = low, high
                res = self._milp(np.zeros(len(var)), constraints=cons, integrality=integrality, bounds=Bounds(lb, ub))
                if res.x is not None:
                    remaining -= keep(res.x)
                    break
            else:  # no other value found (proven, or not found within the node limit: counted as pinned)
                out.append(i)
        return out


def _system(data: pd.DataFrame, weights: pd.Series, column: str, levels: Sequence, relations: list,
            budget: dict) -> _System:
    """The system of one published share (``column`` in ``levels`` among its answers): units are the
    answers per weight class and per crossing of the relations' domains; ``relations``: ``(id,
    domain mask, count published)``, the whole sample first. Each relation's band: its share
    rounded to :data:`DIGITS` decimals, plus or minus half the last digit, times the domain's
    weighted total (what :func:`round_weighted` publishes)."""
    answered = data[column].notna().to_numpy()
    hit = data[column].astype(object).isin(list(levels)).to_numpy() & answered
    w = weights.to_numpy(dtype=float)
    keys = pd.DataFrame({f"r{j}": np.asarray(m, dtype=bool) for j, (_, m, _c) in enumerate(relations)})
    keys["w"] = np.round(w, 9)
    keys, w, hit = keys[answered], w[answered], hit[answered]
    unit = keys.groupby(list(keys.columns), sort=True).ngroup().to_numpy()
    k = int(unit.max()) + 1 if len(unit) else 0
    caps = np.bincount(unit, minlength=k).astype(float)
    truth = np.bincount(unit, weights=hit.astype(float), minlength=k)
    unit_w = np.zeros(k)
    unit_w[unit] = w
    system = _System(caps, truth, unit_w, budget=budget)
    for j, (rid, _, count) in enumerate(relations):
        inside = keys[f"r{j}"].to_numpy()
        system.members[rid] = np.bincount(unit, weights=inside.astype(float), minlength=k) > 0
        total = float(w[inside].sum())
        p = float(w[inside & hit].sum() / total) if total > 0 else 0.0
        r = round(p, DIGITS)
        slack = 1e-9 * max(total, 1.0)
        system.bands[rid] = (min(max(r - _HALF, 0.0), p) * total - slack, max(min(r + _HALF, 1.0), p) * total + slack)
        system.counts[rid] = float((inside & hit).sum()) if count else None
    return system


def _family(rid: Hashable) -> Hashable:
    """The cells that add up to the whole sample with ``rid``: the groups of one breakdown; a claim
    is a family of its own."""
    return rid[:2]


def _decide(system: _System, whole: Hashable, cells: Sequence[Hashable], size: Mapping, threshold: int) -> set:
    """The cells of one published share to withhold (see the module docstring). Every relation
    added can only pin more, so the system of everything published is attacked first; when it pins
    nothing, nothing is withheld (the usual case: one attack)."""
    small = [i for i in range(len(system.caps)) if 0 < system.caps[i] < threshold]
    headline: set = set()

    def pins(shown, among) -> set:
        """The units of ``among`` that the whole sample and the ``shown`` cells pin, beyond what the
        whole sample alone (rule decision 7) or the published counts alone pin."""
        found = set(system.pinned([whole, *shown], [i for i in among if i not in headline]))
        if found:
            new = found - checked
            headline.update(system.pinned([whole], sorted(new)))
            checked.update(new)
            found -= headline
        if found:
            found -= set(system.pinned([whole, *shown], sorted(found), bands=False))
        return found

    checked: set = set()
    if not small or not pins(cells, small):
        return set()
    hidden = set()
    for r in cells:  # a cell whose own share pins one of its units (a count of 0 or all pins them all anyway)
        n = float(system.caps[system.members[r]].sum())
        own = [i for i in small if system.members[r][i] and i not in headline]
        if system.counts[r] in (0.0, n) or not own:
            continue
        if system.pinned([r], own):
            hidden.add(r)
    while True:
        shown = [r for r in cells if r not in hidden]
        found = pins(shown, small)
        if not found or not shown:
            return hidden
        unit = min(found)
        # the cells that can be giving it back: those that hold it, and the shown groups of a breakdown
        # whose own group of it is not shown (the whole sample minus them is that group)
        covered = {_family(r) for r in shown if system.members[r][unit]}
        holding = [r for r in shown if system.members[r][unit] or _family(r) not in covered]
        holding.sort(key=lambda r: (size[r], str(r)))
        pick = next((r for r in holding
                     if unit not in system.pinned([whole, *(x for x in shown if x != r)], [unit])), holding[0])
        hidden.add(pick)


# --------------------------------------------------------------------------- the decision

@dataclass(frozen=True)
class Shares:
    """What :func:`withheld_shares` decided: ``cells[by][column]`` the groups of the breakdown by
    ``by`` whose share of indicator ``column`` is withheld; ``claims`` the ids of the claims whose
    domain share (or its alternative coding) is withheld."""

    cells: Mapping[str, Mapping[str, frozenset]] = field(default_factory=dict)
    claims: frozenset = frozenset()

    def of(self, by: str) -> dict[str, frozenset]:
        """``{column: groups}`` of the breakdown by ``by`` (empty when nothing is withheld)."""
        return {col: frozenset(g) for col, g in self.cells.get(by, {}).items() if g}


def withheld_shares(design: SurveyDesign, threshold: int = 5, *, breakdowns: Sequence[str] = (),
                    indicators: Sequence[str] = (), withheld: Mapping[str, Any] | None = None,
                    claims: Sequence[Mapping] = (), level: str = "ja") -> Shares:
    """The breakdown cells and claims whose weighted share is withheld because, at the published
    precision, it would still give back the answers of a weight class of 1 to ``threshold - 1``
    answers (see the module docstring). ``breakdowns``: the split variables of the breakdown
    tables, each showing the share ``level`` of every column of ``indicators`` per group, with its
    count (the groups ``withheld[by]`` withheld whole, from
    :func:`~evaluatie.analyses.survey.statistics.decide_withheld`; a group whose base is below the
    threshold is withheld by the base rule); the whole sample's share of each is published too,
    with its count. ``claims``: the report's claims; one on a domain publishes the domain's share of
    its levels (and of its alternative levels), without a count (the whole sample's share and count
    of those levels are assumed published, which asks more than needed). In a design whose weights
    do not vary nothing is withheld."""
    if not weights_vary(design):
        return Shares()
    withheld = {k: {str(g) for g in v} for k, v in dict(withheld or {}).items()}
    data, weights = design.data, design.weights
    everyone = np.ones(len(data), dtype=bool)
    keys: dict[tuple, list] = {}  # (column, levels) -> [(relation id, domain mask, count published)]

    def shown(by, column, levels, group_of):
        """The groups of ``by`` whose share of ``column`` in ``levels`` is published: not withheld
        whole, with a base of at least the threshold."""
        answered = data[column].notna()
        bases = answered.groupby(data[by].astype(object), observed=True).sum()
        return [g for g, n in bases.items() if n >= threshold and str(g) not in withheld.get(by, set())
                and (group_of is None or str(g) == str(group_of))]

    for col in dict.fromkeys(indicators):
        if col not in data.columns:
            continue
        entry = keys.setdefault((col, (level,)), [(None, everyone, True)])
        for by in breakdowns:
            if by in data.columns:
                for g in shown(by, col, (level,), None):
                    entry.append((("cell", by, g), (data[by].astype(object) == g).to_numpy(), True))
    if claims:
        from evaluatie.analyses.survey.narrative import _match_levels
        for c in claims:
            domain = dict(c.get("domain") or {})
            if len(domain) != 1 or c.get("variable") not in data.columns:
                continue
            (dcol, dval), = domain.items()
            if dcol not in data.columns or not shown(dcol, c["variable"], None, dval):
                continue
            answered = design.levels(c["variable"])
            for name in ("levels", "alt_levels"):
                if c.get(name) is None:
                    continue
                levels = tuple(_match_levels(design, c.get("id"), c["variable"], c[name], answered))
                entry = keys.setdefault((c["variable"], levels), [(None, everyone, True)])
                entry.append((("claim", c.get("id")), (data[dcol].astype(str) == str(dval)).to_numpy(), False))
    cells: dict[str, dict[str, set]] = {}
    claim_ids: set = set()
    budget = {"nodes": _BUDGET}
    for (column, levels), entry in keys.items():
        if len(entry) < 2:
            continue
        system = _system(data, weights, column, levels, entry, budget)
        ids = [rid for rid, *_ in entry]
        size = {rid: float(system.caps[system.members[rid]].sum()) for rid in ids}
        try:
            decided = _decide(system, None, ids[1:], size, threshold)
        except _Exhausted:  # not proven safe within the nodes: every cell of this share (and those after it) withheld
            decided = set(ids[1:])
        for rid in decided:
            if rid[0] == "cell":
                cells.setdefault(rid[1], {}).setdefault(column, set()).add(rid[2])
            else:
                claim_ids.add(rid[1])
    return Shares({by: {col: frozenset(g) for col, g in x.items()} for by, x in cells.items()}, frozenset(claim_ids))
