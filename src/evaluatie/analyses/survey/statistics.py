"""Estimates of the evaluation survey: Likert distributions and top-2-box, the weighting table,
breakdowns by domain with Rao-Scott tests (p-values also Holm-adjusted over all tests, and the
breakdown's shown and exported tables), open-answer themes, and which groups every table withholds.

Estimates are design-based (:class:`evaluatie.stats.survey.SurveyDesign`): each level's share and
the top-2-box share (the two positive points) with the interval method of
``SurveyDesign.proportion`` (the design methods of :mod:`evaluatie.stats.intervals`).

Disclosure (through :mod:`evaluatie.publish.disclosure`; the unit is the respondent): an estimate
whose unweighted base ``n`` is below the threshold is withheld with everything that rests on that
base (estimate, standard error, interval, ``df``, ``n``, ``n_level``, the don't-know counts and
share; ``suppressed`` flag, no bar drawn). A share of a level is not withheld for a small
``n_level`` when its base is large enough: answers are protected by the size of the group. The
groups of the split variables are decided once, for all of them together (:func:`decide_withheld`):
a group with fewer respondents than the threshold, or with an indicator on fewer, is withheld in
every table that shows that variable (breakdowns, the weighting table, claims on that domain), and
with it the smallest other group, because the whole-sample figures are published and one withheld
group would be their difference with the shown ones (more groups where a coarser published variable
or the weighting would still pin it down: see :func:`withheld_groups`, or where two variables that
cross would give back a small crossing cell or a withheld group: see :func:`decide_withheld`).
In a design whose weights vary every estimate is published at the report's precision, its interval
around the rounded share, and a breakdown cell whose rounded share would still give back a weight
class is withheld as well (:mod:`evaluatie.analyses.survey.weighted`). Where a variance cell of the
design (stratum, sampled unit, weight) holds fewer answers than the threshold in some group, every
standard error, interval and test comes from the published share, its base and one design effect of
the report (``variance``, :func:`~evaluatie.analyses.survey.weighted.report_variance`). Reference tests: ``tests/test_likert.py``, ``tests/test_survey_reporting.py`` and, for the
batched estimator calls against one call per item, ``tests/test_survey_speed.py``.
"""

from __future__ import annotations

import math
import re
from typing import Any, Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

from evaluatie.analyses.survey.responses import dont_know_column, normalise_label
from evaluatie.analyses.survey.weighted import (Variance, gvf_test, round_chart, round_tests, round_weighted,
                                               table_variance)
from evaluatie.core import fmt
from evaluatie.core.numbers import parse_number
from evaluatie.publish.audit import crossing_pinned
from evaluatie.publish.disclosure import mark, protect_groups, suppress, suppressed_mask
from evaluatie.stats.multitest import adjust_pvalues
from evaluatie.stats.survey import SurveyDesign

__all__ = ["distribution", "top2", "yes_shares", "natural_key", "weighting_table", "withheld_groups", "decide_withheld",
           "breakdown",
           "breakdowns", "breakdown_tables", "code_themes"]


# --------------------------------------------------------------------------- Likert estimates

#: what a published row of an estimate holds that rests on its base: withheld with the estimate
_FROM_BASE = ("estimate", "se", "ci_low", "ci_high", "df", "n", "n_level", "deff", "dk_share", "answered", "dk_n")


def _withhold(res: pd.DataFrame, rows, threshold: int, columns: Sequence[str] = _FROM_BASE) -> pd.DataFrame:
    """``res`` with the estimate rows ``rows`` (boolean) withheld through
    :func:`evaluatie.publish.disclosure.mark`: the cells of ``columns`` (by default everything that
    rests on the row's base, :data:`_FROM_BASE`) become missing, labels stay, and ``suppressed``
    says which rows were withheld. Counts stay whole numbers (nullable ``Int64``)."""
    rows = np.asarray(rows, dtype=bool)
    res = res.copy()
    res["suppressed"] = rows
    hidden = pd.DataFrame(False, index=res.index, columns=res.columns)
    for c in columns:
        if c in hidden.columns:
            hidden[c] = rows
    return mark(res, hidden, threshold)


def _small_base(res: pd.DataFrame, threshold: int) -> np.ndarray:
    """Rows whose unweighted base ``n`` is below ``threshold``."""
    return (res["n"] < threshold).to_numpy(dtype=bool)


def distribution(design: SurveyDesign, items: Sequence[str], *, by: str | Sequence[str] | None = None,
                 ci: str = "logit", conf: float = 0.95, threshold: int = 5,
                 variance: Variance | None = None) -> pd.DataFrame:
    """Share of each scale point per item (and domain), don't-know answers outside the base.
    Rows whose base (``n``) is below ``threshold`` are withheld; ``variance``: the report's
    (:func:`~evaluatie.analyses.survey.weighted.report_variance`; default: decided for this table
    alone). The report only draws these shares (the Likert charts): when the weights vary they are
    published to whole percent and without their interval
    (:func:`~evaluatie.analyses.survey.weighted.round_chart`)."""
    est = design.by(by) if by else design
    variance = table_variance(design, variance, threshold, by, items)
    res = round_weighted(est.proportion(list(items), ci=ci, conf=conf), design, ci=ci, conf=conf, variance=variance)
    res = round_chart(res, design)
    return _withhold(res, _small_base(res, threshold), threshold)


def top2(design: SurveyDesign, items: Sequence[str], *, by: str | Sequence[str] | None = None,
         ci: str = "logit", conf: float = 0.95, threshold: int = 5, variance: Variance | None = None) -> pd.DataFrame:
    """Top-2-box per item: the share in the two positive scale points among substantive answers,
    with its design-based interval; plus ``dk_share``, the unweighted share of 'weet niet / n.v.t.' among all
    who answered (``dk_n`` of ``answered``). Rows whose base is below ``threshold`` are withheld, their
    don't-know counts and share with them; weights that vary: published at the report's precision
    (:func:`~evaluatie.analyses.survey.weighted.round_weighted`); ``variance``: as in
    :func:`distribution`."""
    est = design.by(by) if by else design
    items = list(items)
    # one estimate call per set of top-2 levels (items on the same scale) and one for all the
    # don't-know columns, instead of two calls per item: the same numbers, row for row
    top_of = {item: list(design.data[item].cat.categories[-2:]) for item in items}
    per_item: dict = {}
    for levels in {tuple(v): v for v in top_of.values()}.values():
        group = [i for i in items if top_of[i] == levels]
        r = est.proportion(group, levels, ci=ci, conf=conf)
        for item, part in zip(group, _row_blocks(len(r), len(group))):
            per_item[item] = r.iloc[part].reset_index(drop=True)
    frames = [per_item[item].assign(level="top2") for item in items]
    variance = table_variance(design, variance, threshold, by, items)
    out = round_weighted(_with_dont_know(est, pd.concat(frames, ignore_index=True), by, ci, conf), design, ci=ci,
                         conf=conf, variance=variance)
    return _withhold(out, _small_base(out, threshold), threshold)  # 'answered' >= n: the don't-know counts go with it


def _with_dont_know(est, res: pd.DataFrame, by, ci: str, conf: float) -> pd.DataFrame:
    """``res`` (estimator rows with a ``variable`` column, and the domain columns of ``by``) with
    ``dk_share``, ``answered`` and ``dk_n``: the share and number of 'weet niet / n.v.t.' among all
    who answered the variable, unweighted (``dk_n / answered``: item nonresponse as counted; a
    weighted share, at 0.001 with its count, gave back who said 'weet niet' in a weight class of one,
    to an attacker who knows who answered but not how; the share decision attacks top-2 shares only)
    (from its ``<variable>_dk`` column,
    :func:`~evaluatie.analyses.survey.responses.dont_know_column`; missing without one). One
    estimator call for all the don't-know columns."""
    data = est.design.data if hasattr(est, "design") else est.data
    dkcol = {v: dont_know_column(data, v) for v in dict.fromkeys(res["variable"])}
    dkcols = list(dict.fromkeys(c for c in dkcol.values() if c))
    keys = list(_aslist(by)) if by else []
    parts = []
    if dkcols:
        r = est.proportion(dkcols, True, ci=ci, conf=conf)
        r = r[keys + ["variable", "n", "n_level"]].rename(
            columns={"variable": "dk_column", "n": "answered", "n_level": "dk_n"})
        with np.errstate(divide="ignore", invalid="ignore"):  # unweighted: what the two counts say
            r.insert(len(keys) + 1, "dk_share", (r["dk_n"] / r["answered"]).where(r["answered"] > 0).astype(float))
        parts = [r]
    out = res.assign(dk_column=res["variable"].map(dkcol))
    if parts:
        out = out.merge(parts[0], on=[*keys, "dk_column"], how="left")
    else:
        out = out.assign(dk_share=np.nan, answered=np.nan, dk_n=np.nan)
    return out.drop(columns="dk_column")


def yes_shares(design: SurveyDesign, columns: Mapping[str, str], name: str, *, ci: str = "logit",
               conf: float = 0.95, threshold: int = 5, variance: Variance | None = None) -> pd.DataFrame:
    """The share 'ja' of each yes/no column of ``columns`` (column -> Dutch label): the rows of
    ``SurveyDesign.proportion`` with the label in column ``name``; rows whose base is below
    ``threshold`` are withheld (``suppressed``). ``dk_n`` (of ``answered``) and ``dk_share``: who
    answered 'weet niet / n.v.t.', outside the base as everywhere (withheld with the row). Weights that
    vary: published at the report's precision (:func:`~evaluatie.analyses.survey.weighted.round_weighted`);
    ``variance``: as in :func:`distribution`."""
    res = _with_dont_know(design, design.proportion(list(columns), "ja", ci=ci, conf=conf), None, ci, conf)
    res[name] = res["variable"].map(columns)
    res = round_weighted(res, design, ci=ci, conf=conf, variance=table_variance(design, variance, threshold, None, columns))
    return _withhold(res, _small_base(res, threshold), threshold)


def _aslist(v):
    return [v] if isinstance(v, str) else list(v)


def _row_blocks(n_rows: int, k: int) -> list[slice]:
    """``k`` equal consecutive row blocks of a frame of ``n_rows`` rows (one per variable of an
    estimator call with several variables), as slices."""
    size = n_rows // k if k else 0
    return [slice(i * size, (i + 1) * size) for i in range(k)]


# --------------------------------------------------------------------------- weighting

def natural_key(level) -> tuple:
    """Sort key for category labels that puts numeric classes in their natural order: labels
    starting with a number (``"1-9"``, ``"50-249"``, ``"250+"``) by that number, before the
    others, which sort alphabetically (case-insensitive)."""
    m = re.match(r"\s*[<>]?\s*(\d[\d.,]*)", str(level))
    value = parse_number(m.group(1).rstrip(".,")) if m else math.nan
    if not math.isnan(value):
        return (0, value, str(level))
    return (1, 0.0, str(level).casefold())


def weighting_table(before: SurveyDesign, after: SurveyDesign, margins: Mapping[str, pd.Series], *,
                    threshold: int = 5, withheld: Mapping[str, Iterable] | None = None) -> pd.DataFrame:
    """Per margin and level: population count and share, respondents and their unweighted share,
    share with the design weights before calibration and after (which equals the population share
    for every raked margin). Levels in natural order (``1-9, 10-49, 50-249, 250+``: by their
    leading number, then alphabetically), not string order.

    The levels of a margin are decided as one breakdown
    (:func:`evaluatie.publish.disclosure.protect_groups` on the respondents per level, with the
    report's total response published): a level with 1 to ``threshold - 1`` respondents is not
    published (respondents, sample share and design-weighted share), nor is the next smallest
    level, which would give it back by subtraction. ``withheld`` (``{margin: levels}``, from
    :func:`decide_withheld`) adds the levels a breakdown by the same variable withholds, so both
    tables withhold the same groups. The frame's counts and the calibrated shares (the
    population's) stay; the weighted shares (design-weighted, calibrated) to 0.1 percentage point
    when the weights vary (:func:`~evaluatie.analyses.survey.weighted.round_weighted`)."""
    withheld = withheld or {}
    parts, hidden = [], []
    for var, pop in margins.items():
        rows = []
        pop = pop.iloc[sorted(range(len(pop)), key=lambda i: natural_key(pop.index[i]))]
        x = before.data[var].astype(str)
        n = x.value_counts()
        wb = before.weights.groupby(x).sum()
        wa = after.weights.groupby(x).sum()
        decided = protect_groups({str(lvl): n.get(str(lvl), 0) for lvl in pop.index}, threshold, total=True,
                                 hidden={str(g) for g in withheld.get(var, ())})
        for lvl, N in pop.items():
            lvl = str(lvl)
            rows.append({"margin": var, "level": lvl, "population": float(N), "population_share": N / pop.sum(),
                         "respondents": int(n.get(lvl, 0)), "sample_share": n.get(lvl, 0) / n.sum(),
                         "design_weighted_share": wb.get(lvl, 0.0) / wb.sum(),
                         "calibrated_share": wa.get(lvl, 0.0) / wa.sum()})
            hidden.append(lvl in decided)
        parts.append(pd.DataFrame(rows))
    table = round_weighted(pd.concat(parts, ignore_index=True), after)
    cells = pd.DataFrame(False, index=table.index, columns=table.columns)
    for c in ("respondents", "sample_share", "design_weighted_share"):
        cells[c] = np.asarray(hidden, dtype=bool)
    return mark(table, cells, threshold)


def withheld_groups(data: pd.DataFrame, by: str, columns: Sequence[str] = (), threshold: int = 5,
                    published: Sequence[str] = (), weights: pd.Series | None = None, level: str = "ja") -> frozenset:
    """The groups of ``by`` that every table showing ``by`` withholds, decided with
    :func:`evaluatie.publish.disclosure.protect_groups` for this variable alone: a group with 1 to
    ``threshold - 1`` respondents, or in which one of ``columns`` (the indicators the breakdown shows)
    has 1 to ``threshold - 1`` answers, and then the smallest other non-empty group, so no withheld
    group is the difference between the whole sample (always published) and the groups shown. A
    report decides all its split variables together with :func:`decide_withheld`, which starts from
    this decision and adds the groups that two variables that cross would give back.

    ``published``: the other variables the report shows groups of. When the groups of ``by`` nest
    in those of such a variable (size classes in SME or not), each of its groups is a published
    total too, so the rule is applied within each of them as well, until no line of groups with a
    published total holds exactly one withheld group.

    ``weights`` (the calibrated weights of a weighted design, on ``data``'s index; None: every
    respondent weighs 1): the whole-sample share of an indicator is the groups' shares weighted by
    the groups' (weighted) sizes. With two groups withheld a reader still gets their (weighted) sum,
    and a small group's share (``level`` among the answers of a column) can be pinned to a few values
    by it — unweighted, 3 'ja' of 3 and 6 of 6 pool to 100 %, which gives both back. So the next
    smallest group is withheld as well until, for every column, the interval that sum leaves for each
    small group's share is at least one respondent wide (100 / its answers, in percent), or every
    group is withheld."""
    primary, close = _one_variable(data, by, columns, threshold, published, weights, level)
    return close(primary)


def _one_variable(data: pd.DataFrame, by: str, columns: Sequence[str], threshold: int, published: Sequence[str],
                  weights: pd.Series | None, level: str):
    """The rule of :func:`withheld_groups` for ``by``: ``(primary, close)``, the groups withheld for
    their own size or an indicator's base, and a function that takes a set of withheld groups and
    returns it with every group the lines of published totals and the weighted sum add."""
    sizes = data[by].value_counts()
    primary = set(sizes.index[(sizes > 0) & (sizes < threshold)])
    if len(columns):
        bases = data.groupby(by, observed=True)[list(columns)].count()
        primary |= set(bases.index[((bases > 0) & (bases < threshold)).any(axis=1).to_numpy()])
    lines = []  # the finest lines first, so the second group is chosen inside them where it can be
    for other in dict.fromkeys(published):
        if other == by or other not in data.columns or not _nests(data, by, other):
            continue
        first = data.groupby(by, observed=True)[other].first().dropna()
        lines += [list(members.index) for _, members in first.groupby(first, observed=True)]
    lines.append(list(sizes.index))

    def close(start: Iterable) -> frozenset:
        hidden = set(primary) | set(start)
        while True:
            changed = True
            while changed:
                changed = False
                for line in lines:
                    decided = protect_groups(sizes[line].to_dict(), threshold, total=True,
                                             hidden=hidden.intersection(line))
                    if not decided <= hidden:
                        hidden |= decided
                        changed = True
            shown = sorted((n, str(g), g) for g, n in sizes.items() if g not in hidden and n > 0)
            if not primary or not shown or not _weighted_sum_pins(data, by, columns, hidden, primary, weights, level):
                return frozenset(hidden)
            hidden.add(shown[0][2])

    return frozenset(primary), close


def _nests(data: pd.DataFrame, by: str, other: str) -> bool:
    """Whether every group of ``by`` lies within one group of ``other``."""
    return not (data.groupby(by, observed=True)[other].nunique(dropna=False) > 1).any()


def _weighted_sum_pins(data: pd.DataFrame, by: str, columns: Sequence[str], hidden: set, primary: set,
                       weights: pd.Series | None, level: str) -> bool:
    """Whether the weighted sum of the ``hidden`` groups' shares of one of ``columns`` leaves one of
    the ``primary`` groups an interval narrower than one respondent: with ``a_h`` a group's share of
    the weighted answers and ``p_h`` its share of ``level`` in percent, ``X = sum a_h p_h`` over the
    hidden groups is known (whole sample minus the shown groups), so ``p_G`` lies in
    ``[max(0, (X - 100 sum_{h != G} a_h) / a_G), min(100, X / a_G)]``."""
    group = data[by]
    if weights is None:  # unweighted: every respondent counts once
        weights = pd.Series(1.0, index=data.index)
    for col in columns:
        answered = data[col].notna()
        yes = (data[col].astype(object) == level) & answered
        wa = weights.where(answered, 0.0).groupby(group, observed=True).sum()
        wy = weights.where(yes, 0.0).groupby(group, observed=True).sum()
        n = answered.groupby(group, observed=True).sum()
        a = wa / wa.sum()
        pct = (wy / wa.where(wa > 0) * 100).fillna(0.0)
        h = [g for g in hidden if g in a.index]
        x = float((a[h] * pct[h]).sum())
        for g in primary:
            if g not in a.index or n[g] == 0 or a[g] <= 0:
                continue
            rest = float(a[[o for o in h if o != g]].sum()) * 100
            low, high = max(0.0, (x - rest) / a[g]), min(100.0, x / a[g])
            if high - low < 100 / n[g] - 1e-9:
                return True
    return False


# --------------------------------------------------------------------------- variables that cross

class _NoGroup:
    """The 'group' of respondents without a value of a split variable: in no table, never shown."""

    def __repr__(self) -> str:
        return "<geen waarde>"


_NO_GROUP = _NoGroup()


def decide_withheld(data: pd.DataFrame, variables: Sequence[str], threshold: int = 5, *,
                    indicators: Mapping[str, Sequence[str]] | None = None, margins: Sequence[str] = (),
                    claims: Sequence[Mapping] = (), weights: pd.Series | None = None, level: str = "ja") -> dict[str, frozenset]:
    """The groups withheld in every table of a report, decided for all its split variables together:
    ``{variable: groups}`` for each of ``variables`` (breakdowns, weighting margins, claim domains).

    ``indicators``: per breakdown variable, the indicator columns its tables show (share ``level``
    with its count ``n_level`` and base ``n`` per group; the whole-sample row of each is published
    too). ``margins``: the variables whose respondents per group the weighting table publishes.
    ``claims``: the report's claims; one on a domain publishes its base and don't-know count for that
    group (and, with ``weights`` None, its share of the base, so its count). ``weights``: as in
    :func:`withheld_groups`.

    Each variable first gets its own decision (:func:`withheld_groups`, with the other variables as
    ``published``). Then each pair of variables is attacked as two breakdowns of the same respondents
    (:func:`evaluatie.publish.audit.crossing`): a published group of one minus shown groups of the
    other can leave a crossing cell that neither shows (a department's one respondent at the other
    location) or a withheld group. Per count that both variables publish by group — per indicator
    the answers ``level`` and the answers, and the respondents — two attackers: one who knows how
    many respondents lie in each crossing cell and who answered what (cap per cell: the answers,
    resp. the respondents; the worst case, as :func:`~evaluatie.publish.audit.crossing` assumes), and
    one who knows only which cells hold respondents (the count of respondents per cell is then
    itself what is protected).

    Rule: a crossing cell with 1 to ``threshold - 1`` answers (for the counts of answers) or
    respondents (for the others), and every withheld group, keeps an interval at least one
    respondent wide — unless the published groups of one variable alone already pin it (a group's
    share of 0 or 100 % is published by rule decision 2, the whole sample by rule decision 7 of
    docs/disclosure_plan.md; :func:`evaluatie.publish.audit.crossing_pinned` with ``alone="tables"``
    checks it). While one is pinned, one more shown group is withheld — for a cell the
    smaller of its two groups that are shown; for a withheld group the smallest shown group of its
    variable, or, when the other variable nests in it, the smallest shown group of the other within
    it — the variable's own rule is applied again, and the attack is repeated. Pairs where one
    variable nests in the other are attacked on their withheld groups only (their cells are the
    finer variable's groups); a pair with no withheld group and no small cell is not attacked (no
    MILP is solved for it), nor is a name that another solution than the truth already shows to be
    wide enough (the shortcut of :func:`~evaluatie.publish.audit.crossing_pinned`).

    Weighted designs: the counts ``n`` and ``n_level`` are published next to the weighted shares, so
    this count attack applies as it is; the weighted shares of the shown cells are decided after it,
    by :func:`~evaluatie.analyses.survey.weighted.withheld_shares`."""
    variables = [v for v in dict.fromkeys(variables) if v in data.columns]
    indicators = dict(indicators or {})
    rules = {v: _one_variable(data, v, list(indicators.get(v, ())), threshold, variables, weights, level)
             for v in variables}
    hidden = {v: close(primary) for v, (primary, close) in rules.items()}
    groups = {v: data[v].astype(object).where(data[v].notna(), _NO_GROUP) for v in variables}
    sizes = {v: groups[v].value_counts() for v in variables}
    counts = _published_counts(data, variables, indicators, margins, claims, threshold, weights, level)
    pairs = []
    for i, u in enumerate(variables):
        for v in variables[i + 1:]:
            finer = v if _nests(data, v, u) else u if _nests(data, u, v) else None
            pairs.append((u, v, finer))
    seen: dict = {}
    while True:
        found = None
        for u, v, finer in pairs:
            for count in counts:
                if u in count.by and v in count.by:
                    found = _pinned_in_pair(groups, u, v, finer, count, hidden, threshold, seen)
                    if found:
                        break
            if found:
                break
        if not found:
            return hidden
        var, group = _one_more(found, u, v, finer, groups, sizes, hidden)
        if group is None:  # nothing left to withhold; cannot happen while a table shows a group
            return hidden
        hidden[var] = rules[var][1](hidden[var] | {group})


class _Count:
    """A count the report publishes per group of the variables ``by`` (``by[v]``: the groups it is
    published for, None for every shown group): ``value`` per respondent; ``cap`` per respondent, what
    the attacker knows a cell can hold at most (None: only which cells hold respondents); ``unit``
    per respondent, what makes a crossing cell small."""

    def __init__(self, key, value, cap, unit, by):
        self.key, self.value, self.cap, self.unit, self.by = key, value, cap, unit, by


def _published_counts(data: pd.DataFrame, variables: Sequence[str], indicators: Mapping[str, Sequence[str]],
                      margins: Sequence[str], claims: Sequence[Mapping], threshold: int, weights: pd.Series | None,
                      level: str) -> list:
    """The counts of :func:`decide_withheld`, each in its two attacker models."""
    ones = np.ones(len(data))
    found: dict = {}  # (kind, ...) -> (value, cap, {variable: the groups it is published for, None: all shown})

    def add(key, value, cap, var, group=None):
        value = np.asarray(value, dtype=float)
        entry = found.setdefault(key, (value, cap, {}))
        if group is None:
            entry[2][var] = None
        elif entry[2].get(var, set()) is not None:
            entry[2].setdefault(var, set()).add(group)

    def answered(col, var, group=None):
        done = data[col].notna().to_numpy()
        if done.all():  # everybody answered: the same count as the respondents
            add(("units",), ones, ones, var, group)
        else:
            add(("answered", col), done, ones, var, group)
        return done

    for var in variables:
        for col in indicators.get(var, ()):
            done = answered(col, var)
            add(("level", col, (level,)), (data[col].astype(object) == level).to_numpy() & done, done, var)
    for var in margins:  # the weighting table: respondents per level
        if var in variables:
            add(("units",), ones, ones, var)
    for c in claims:
        domain = dict(c.get("domain") or {})
        if len(domain) != 1 or c.get("variable") not in data.columns:
            continue
        (var, group), = domain.items()
        if var not in variables:
            continue
        inside = (data[var].astype(str) == str(group)).to_numpy()
        col = c["variable"]
        if (data[col].notna().to_numpy() & inside).sum() < threshold:
            continue  # no data: the claim's row is withheld
        hit = [g for g in data[var].dropna().unique() if str(g) == str(group)]
        done = answered(col, var, hit[0] if hit else group)
        if weights is None:  # unweighted, the published share times the base is the count
            from evaluatie.analyses.survey.narrative import _same_level
            for levels in (c.get("levels"), c.get("alt_levels")):
                if levels is None:
                    continue
                wanted = list(levels) if isinstance(levels, (list, tuple, set)) else [levels]
                match = data[col].map(lambda x, ws=tuple(wanted): pd.notna(x) and any(_same_level(x, w) for w in ws))
                key = ("level", col, tuple(sorted(map(str, wanted))))
                add(key, match.to_numpy(dtype=bool) & done, done, var, hit[0] if hit else group)
        dk = dont_know_column(data, col)
        if dk:
            add(("dk", dk), data[dk].fillna(False).to_numpy(dtype=bool), ones, var, hit[0] if hit else group)
    out = []
    for key, (value, cap, by) in found.items():
        if len(by) < 2:
            continue  # published by one variable only: nothing crosses
        cap = np.asarray(cap, dtype=float)
        if not np.array_equal(cap, value):  # the cap is the count itself: the attacker already knows it
            out.append(_Count(key, value, cap, cap, by))
        out.append(_Count(key + ("who",), value, None, cap, by))
    return out


def _pinned_in_pair(groups: Mapping[str, pd.Series], u: str, v: str, finer: str | None, count: _Count,
                    hidden: Mapping[str, frozenset], threshold: int, seen: dict):
    """The first name (a crossing cell ``(a, b)``, ``("row", a)`` or ``("column", b)``) that the attack
    on ``count`` over the pair ``u`` x ``v`` pins and no table alone does, or None
    (:func:`evaluatie.publish.audit.crossing_pinned`)."""
    cell_of = pd.MultiIndex.from_arrays([groups[u], groups[v]])
    units = pd.Series(1, index=cell_of).groupby(level=[0, 1], sort=False).sum()
    value = pd.Series(count.value, index=cell_of).groupby(level=[0, 1], sort=False).sum()
    unit = pd.Series(count.unit, index=cell_of).groupby(level=[0, 1], sort=False).sum()
    total = float(count.value.sum())
    if count.cap is None:
        cap = {c: total for c in units.index}  # the attacker knows which cells hold respondents
    else:
        cap = pd.Series(count.cap, index=cell_of).groupby(level=[0, 1], sort=False).sum().to_dict()
    cap = {c: float(x) for c, x in cap.items() if x > 0}

    def published(var, pos):
        allowed = count.by[var]
        out = {}
        for (cell, x) in value.items():
            g = cell[pos]
            if g is _NO_GROUP or g in hidden[var] or (allowed is not None and g not in allowed):
                continue
            out[g] = out.get(g, 0.0) + float(x)
        return out

    rows, columns = published(u, 0), published(v, 1)
    names = [("row", a) for a in dict.fromkeys(a for a, _ in cap) if a in hidden[u]]
    names += [("column", b) for b in dict.fromkeys(b for _, b in cap) if b in hidden[v]]
    if finer is None:
        names += [c for c in cap if 0 < unit.get(c, 0) < threshold and c[0] is not _NO_GROUP
                  and c[1] is not _NO_GROUP]
    if not names:
        return None
    key = (count.key, u, v, tuple(sorted(cap.items(), key=repr)), tuple(sorted(rows.items(), key=repr)),
           tuple(sorted(columns.items(), key=repr)), total, tuple(names))
    if key not in seen:  # pinned by the pair, not by one table alone (a share of 0 or 100 %, the whole sample)
        truth = {c: float(x) for c, x in value.items()}
        pinned = crossing_pinned(cap, rows, columns, total, dict.fromkeys(names, 1.0), truth=truth, first=True)
        seen[key] = next(iter(pinned), None)
    return seen[key]


def _one_more(name, u: str, v: str, finer: str | None, groups: Mapping[str, pd.Series],
              sizes: Mapping[str, pd.Series], hidden: Mapping[str, frozenset]):
    """``(variable, group)``: the shown group to withhold next for the pinned ``name`` of the pair
    ``u`` x ``v``; group None when no group is shown any more."""

    def smallest(var, among=None):
        shown = [(int(n), str(g), g) for g, n in sizes[var].items()
                 if g is not _NO_GROUP and g not in hidden[var] and n > 0 and (among is None or g in among)]
        return (var, min(shown)[2], min(shown)[0]) if shown else None

    if name[0] in ("row", "column"):
        var, other = (u, v) if name[0] == "row" else (v, u)
        if finer == other:  # the withheld group is a sum of the finer variable's groups: one of those
            inside = set(groups[other][groups[var].to_numpy() == name[1]])
            pick = smallest(other, inside)
            if pick:
                return pick[:2]
        pick = smallest(var) or smallest(other)
        return pick[:2] if pick else (u, None)
    a, b = name
    options = [p for p in (smallest(u, {a}), smallest(v, {b})) if p]
    if not options:
        options = [p for p in (smallest(u), smallest(v)) if p]
    if not options:
        return u, None
    var, group, _ = min(options, key=lambda p: (p[2], str(p[1])))
    return var, group


# --------------------------------------------------------------------------- breakdowns

POOLED = "niet getoond (samen)"  # the withheld groups of a breakdown, as one group in its test


def breakdown(design: SurveyDesign, by: str, indicators: Mapping[str, tuple[str, Any]], *,
              ci: str = "logit", conf: float = 0.95, threshold: int = 5,
              withheld: Iterable | None = None, cells: Mapping[str, Iterable] | None = None,
              variance: Variance | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Indicators per domain of ``by`` with intervals, and a Rao-Scott test per indicator.

    ``indicators``: ``{name: (variable, level)}``. Returns ``(estimates, tests)``: estimates with
    columns ``by, indicator, estimate, se, ci_low, ci_high, n, suppressed`` and tests with
    ``indicator, F, ndf, ddf, p_value`` (R ``svychisq``). The groups ``withheld`` (default:
    :func:`withheld_groups` for these indicators) are withheld in every indicator: estimate, interval
    and counts missing, ``suppressed`` true; ``cells`` (``{variable: groups}``, from
    :func:`~evaluatie.analyses.survey.weighted.withheld_shares`) withholds the groups of one
    indicator only, the same way. The test treats an indicator's withheld groups as one pooled
    group — what a reader can already work out as the whole sample minus the groups shown — since a
    test over the separate groups would let a reader try every split of the pooled counts and find
    the one that gives the published F (a withheld group's counts given back). With fewer than two
    groups left (shown groups plus the pooled one) there is no test: F and p are missing. In a
    design whose weights vary the estimates and the test are published at the precision the report
    shows (:func:`~evaluatie.analyses.survey.weighted.round_weighted`, ``round_tests``). With a
    generalised ``variance`` (the report's, :func:`~evaluatie.analyses.survey.weighted.report_variance`;
    default: decided for this breakdown alone) the intervals are computed from the published shares
    and the test from the published shares and bases
    (:func:`~evaluatie.analyses.survey.weighted.gvf_test`), the pooled group as the whole sample
    minus the shown groups."""
    est, tests = _breakdown(design, by, indicators, ci=ci, conf=conf, threshold=threshold, withheld=withheld,
                            cells=cells, variance=variance)
    return est, round_tests(tests, design)


def _breakdown(design: SurveyDesign, by: str, indicators: Mapping[str, tuple[str, Any]], *, ci: str, conf: float,
               threshold: int, withheld: Iterable | None, cells: Mapping[str, Iterable] | None,
               variance: Variance | None = None):
    """:func:`breakdown` with its tests at full precision (:func:`breakdowns` adjusts the p-values first)."""
    variance = table_variance(design, variance, threshold, by, [var for var, _ in indicators.values()])
    if withheld is None:
        withheld = withheld_groups(design.data, by, [var for var, _ in indicators.values()], threshold)
    withheld = set(withheld)
    cells = {var: set(groups) for var, groups in dict(cells or {}).items()}
    tested_by: dict = {}

    def tested(pool: frozenset):
        """The design with the groups of ``pool`` as one group, and that group's column."""
        if pool not in tested_by:
            if not pool:
                tested_by[pool] = (design, by)
            else:
                groups = design.data[by].astype(object)
                shown = [g for g in pd.unique(groups.dropna()) if g not in pool]
                test_by = f"{by} (getest, niet-getoonde groepen samen)"
                tested_by[pool] = (design.update(**{test_by: pd.Categorical(
                    groups.where(~groups.isin(list(pool)), POOLED), categories=[*shown, POOLED])}), test_by)
        return tested_by[pool]

    dd = design.by(by)
    levels = [lvl for _, lvl in indicators.values()]
    parts = None
    if levels and all(isinstance(lvl, str) and lvl == levels[0] for lvl in levels):
        # the same level for every indicator: one estimator call for all of them (the same
        # numbers as one call per indicator), split into the indicator's rows
        batch = dd.proportion([var for var, _ in indicators.values()], levels[0], ci=ci, conf=conf)
        parts = _row_blocks(len(batch), len(levels))
    rows, pools = [], []
    for i, (name, (var, level)) in enumerate(indicators.items()):
        r = batch.iloc[parts[i]].reset_index(drop=True) if parts is not None else dd.proportion(var, level, ci=ci,
                                                                                                 conf=conf)
        r.insert(1, "indicator", name)
        rows.append(r)
        pools.append(frozenset(withheld | cells.get(var, set())))
    hidden = np.concatenate([r[by].isin(list(pool)).to_numpy() for r, pool in zip(rows, pools)])
    est = round_weighted(pd.concat(rows, ignore_index=True), design, ci=ci, conf=conf, variance=variance)
    if variance.generalised:  # the tests from published numbers: the shown groups and the whole sample
        variables = [var for var, _ in indicators.values()]
        wholes = (design.proportion(variables, levels[0], ci=ci, conf=conf) if parts is not None else
                  pd.concat([design.proportion(var, level, ci=ci, conf=conf) for var, level in indicators.values()]))
        wholes = round_weighted(wholes.reset_index(drop=True), design, ci=ci, conf=conf, variance=variance)
    tests = []
    for i, (name, (var, _)) in enumerate(indicators.items()):
        if variance.generalised:
            t = gvf_test(est[(est["indicator"] == name).to_numpy() & ~hidden], wholes.iloc[i], variance)
        else:
            t_design, test_by = tested(pools[i])
            if t_design.data[test_by].nunique() >= 2:
                t = t_design.chisq(test_by, var)
            else:
                t = pd.DataFrame([dict.fromkeys(["F", "ndf", "ddf", "p_value", "chisq", "n"], np.nan)])
        t.insert(0, "indicator", name)
        tests.append(t)
    return _withhold(est, hidden, threshold), pd.concat(tests, ignore_index=True)


def breakdowns(design: SurveyDesign, bys: Iterable[str], indicators: Mapping[str, tuple[str, Any]], *,
               ci: str = "logit", conf: float = 0.95, threshold: int = 5,
               withheld: Mapping[str, Iterable] | None = None,
               cells: Mapping[str, Mapping[str, Iterable]] | None = None,
               variance: Variance | None = None) -> tuple[dict, pd.DataFrame]:
    """:func:`breakdown` for each variable of ``bys`` (with its groups ``withheld[by]`` and its
    cells ``cells[by]`` when given), and all their tests in one frame (column ``by``) with
    ``p_holm``: the p-values adjusted with Holm's method over all tests together
    (:func:`evaluatie.stats.multitest.adjust_pvalues`), then published at the report's precision
    in a design whose weights vary. Returns ``({by: (estimates, tests)}, tests)``.

    ``withheld`` is the decision over all split variables together (:func:`decide_withheld`): given,
    it must name every variable of ``bys`` (an empty list for one that withholds nothing), since a
    variable left out would be decided on its own, and two crossing breakdowns decided one by one
    can give a withheld group back (``ValueError`` names the missing variables). ``variance``: the
    report's (default: decided over ``bys`` and the indicators together)."""
    bys = list(bys)
    variance = table_variance(design, variance, threshold, bys, [var for var, _ in indicators.values()])
    if withheld is not None and (missing := [by for by in bys if by not in withheld]):
        raise ValueError(f"withheld has no decision for {missing}: pass decide_withheld(...) over all of {bys}")
    withheld, cells = withheld or {}, cells or {}
    results = {by: _breakdown(design, by, indicators, ci=ci, conf=conf, threshold=threshold,
                              withheld=withheld.get(by), cells=cells.get(by), variance=variance) for by in bys}
    all_tests = pd.concat([t.assign(by=by) for by, (_, t) in results.items()], ignore_index=True)
    all_tests["p_holm"] = adjust_pvalues(all_tests["p_value"])
    all_tests = round_tests(all_tests, design)
    results = {by: (est, all_tests[all_tests["by"] == by].drop(columns=["by", "p_holm"]).reset_index(drop=True))
               for by, (est, _) in results.items()}
    return results, all_tests


def breakdown_tables(est: pd.DataFrame, tests: pd.DataFrame, by: str, indicators: Sequence[str], *,
                     threshold: int = 5) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The two tables of one breakdown by ``by`` (``est`` from :func:`breakdown`, ``tests`` its rows
    of the :func:`breakdowns` tests, indexed by indicator).

    Returns ``(shown, export)``, both through :func:`evaluatie.publish.disclosure.mark`.
    ``shown``: one row per indicator, one text column per group of ``by`` ("share (n)", nl-BE),
    then ``F``, ``df`` (text: numerator; denominator), ``p_value`` and ``p_holm``; the column of a
    withheld group is withheld whole (the report shows "x", niet getoond). ``export``:
    machine-readable, one row per indicator and group with interval and base, and the test of the
    indicator; a withheld group's rows keep their labels and the test, nothing of their own."""
    groups = est[by].drop_duplicates().tolist()
    shown = pd.DataFrame({"indicator": list(indicators)})
    mask = pd.DataFrame(False, index=shown.index, columns=["indicator", *map(str, groups), "F", "df", "p_value", "p_holm"])
    for g in groups:
        sub = est[est[by] == g].set_index("indicator").reindex(list(indicators))
        hide = sub["suppressed"].fillna(True).astype(bool).to_numpy()
        shown[str(g)] = [None if h else f"{fmt.prop(e, 1)}\u00a0({fmt.num(n)})"
                         for h, e, n in zip(hide, sub["estimate"], sub["n"])]
        mask[str(g)] = hide
    t = tests.reindex(list(indicators))
    shown["F"] = t["F"].to_numpy()
    shown["df"] = [f"{fmt.num(a, 1)};\u00a0{fmt.num(b, 0)}" for a, b in zip(t["ndf"], t["ddf"])]
    shown["p_value"] = t["p_value"].to_numpy()
    shown["p_holm"] = t["p_holm"].to_numpy()
    plain = est.drop(columns=["se"], errors="ignore")
    plain.attrs = {}  # the merge below builds a new table; it is withheld again row by row
    export = plain.merge(tests[["F", "ndf", "ddf", "p_value", "p_holm"]].reset_index(), on="indicator", how="left")
    return mark(shown, mask, threshold), _withhold(export, export["suppressed"].to_numpy(dtype=bool), threshold)


# --------------------------------------------------------------------------- open questions

def code_themes(texts: pd.Series, themes: Mapping[str, Iterable[str]], *, other: str = "overige",
                threshold: int = 5) -> pd.DataFrame:
    """Count open answers per theme by keyword (a theme matches when any of its keywords occurs in
    the normalised text; an answer can have several themes; answers with none go to ``other``).
    Empty answers are not counted. Returns ``theme, n, share, answers, suppressed`` (share of
    non-empty answers), through :func:`evaluatie.publish.disclosure.suppress`: a theme with 1 to
    ``threshold - 1`` answers is withheld (``n`` and ``share``), and with it the next smallest theme
    when one withheld theme could be the number of answers minus the themes shown (with one theme
    and ``other`` the two add up to the answers)."""
    answered = texts.dropna().astype(str)
    answered = answered[answered.str.strip() != ""]
    norm = answered.map(normalise_label)
    hits = pd.DataFrame({t: norm.map(lambda s, kws=[normalise_label(k) for k in kws]: any(
        re.search(rf"\b{re.escape(k)}", s) for k in kws)) for t, kws in themes.items()}, index=norm.index)
    hits[other] = ~hits.any(axis=1) if len(hits.columns) else True
    n_answers = len(norm)
    rows = [{"theme": t, "n": int(hits[t].sum()), "share": hits[t].sum() / n_answers if n_answers else np.nan}
            for t in hits.columns]
    out = pd.DataFrame(rows).sort_values("n", ascending=False, kind="stable").reset_index(drop=True)
    out["answers"] = n_answers
    out["n"] = out["n"].astype(float)
    # the published number of answers as the line's total: the themes overlap, so this asks more than needed
    line = pd.concat([out, pd.DataFrame([{"theme": None, "n": float(n_answers)}])], ignore_index=True)
    hidden = suppressed_mask(suppress(line, "n", threshold, total_row=len(out), derived={"share": "n"})).iloc[:-1]
    out["suppressed"] = hidden["n"].to_numpy()
    return mark(out, hidden, threshold)
