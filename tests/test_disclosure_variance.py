"""The variance channel of the survey report: what the standard errors, interval bounds and the
breakdown's test give back of small weight classes and strata, and that the generalised variance
closes it.

The disclosure decision of a weighted survey (``analyses/survey/weighted.py``, ``withheld_shares``;
``decide_withheld`` in ``statistics.py``) protects against the linear attack: rounded weighted
shares and the published counts, over the units (weight class x the groups of every breakdown).
An auditor showed (2026-12-05) that the exact, design-based standard errors, interval bounds and
test statistics gave answers back all the same:

* F1 — the breakdown test. The Rao-Scott F (2 decimals) and p (3 significant digits) of an
  indicator with withheld groups, recomputed for every split of the answers the counts and rounded
  shares allow, left one split: in the audit's staff survey (``_audit_params`` of
  ``tests/test_disclosure_survey.py``: weights per department x location) the 3 Directie answers in
  5 of 6 indicators, R009 (Productie's one respondent at the head office, weight 10) in 5 of 6.
* F2 — the whole sample's standard error (0.001) and interval bounds (``likert_top2.csv``,
  ``yes_no.csv``) pinned R009 in 6 of 6 indicators (and Directie in 2).
* F3 — an unweighted design with ``strata: locatie`` published everything at full precision and
  Productie's interval bounds gave R009's answer back in 6 of 6 indicators (she is Productie's only
  respondent in stratum Hoofdzetel).

The fix (rule decision 9 of docs/disclosure_plan.md; ``lk.report_variance``): a report whose design
has more than one variance cell and a unit of 1..t-1 answers computes every se, interval and test from
the published share, base and df and one design effect of the design alone (its tables' ``deff``
column). Every variance-derived number is then a function of what the linear attack already has.

Attacker (docs/disclosure_plan.md, rule decision 9 and the tests of test_disclosure_survey.py): knows
the published files, who answered, each respondent's weight class (weight, breakdown groups) and
stratum — the worst case. Respondents of one unit (same groups, stratum and weight) are exchangeable
in every estimator here, so a unit's answers are one integer. The attack, as the auditor's: enumerate
every vector of unit counts that the published counts and shares allow (the linear attack: every
relation's ``n_level`` and its share's band, the rounding interval when the share is rounded), then
keep those whose answers, run through the package's own estimators (``yes_shares``, ``breakdown``,
with the variance the report says it used), give the published numbers of one channel back. A unit
with 1 to t-1 answers left with one value is pinned.

What the tests say:

* the reconstruction is exact (the true answers give every published number back) and the linear
  attack alone pins neither R009 nor Directie's class;
* no channel (F1-F3), added to the linear attack, pins a small unit;
* the control: with exact variances the same attack pins R009 (``test_exact_variances_would_pin``),
  so the attack can fail.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from evaluatie.analyses import survey as lk
from evaluatie.stats.survey import SurveyDesign
from test_disclosure_survey import T, _audit_params, _indicators, _run  # tests/ is on sys.path under pytest

R009 = ("Productie", "Hoofdzetel")  # the lone Productie respondent at the head office (weight 10)
DIRECTIE = ("Directie", "Hoofdzetel")  # 3 respondents (weight 5/3)
WHOLE, TEST, BOUNDS = "whole", "test", "bounds"  # the variance channels


@dataclass
class Scenario:
    out: Path
    params: dict
    design: SurveyDesign  # as the report builds it (weights, strata)
    units_by: list  # the columns that, with the weight, make a unit
    cache: dict = field(default_factory=dict)


def _study(params: dict):
    design = [c for c in (params.get("weights"), params.get("strata")) if c]
    return lk.load_study(params["data"], params["items"], scales=params.get("scales"), values=params.get("values"),
                         yes_no=params.get("yes_no"), columns=[*params["breakdowns"], *design],
                         weights=params.get("weights"), strata=params.get("strata"))


def _scenario(tmp: Path, params: dict) -> Scenario:
    out, _ = _run(tmp, None, params)
    units_by = list(dict.fromkeys([*params["breakdowns"], *([params["strata"]] if params.get("strata") else [])]))
    return Scenario(out, params, _study(params).design, units_by)


@pytest.fixture(scope="module")
def weighted(tmp_path_factory):
    """The audit's staff survey, weighted per department x location (R009 weighs 10)."""
    tmp = tmp_path_factory.mktemp("variance_weighted")
    return _scenario(tmp, _audit_params(tmp))


@pytest.fixture(scope="module")
def stratified(tmp_path_factory):
    """The same data unweighted, stratified by location, broken down by department."""
    tmp = tmp_path_factory.mktemp("variance_stratified")
    params = _audit_params(tmp)
    params.pop("weights")
    params.update(strata="locatie", breakdowns={"afdeling": "Afdeling"})
    return _scenario(tmp, params)


def _table(sc: Scenario, name: str) -> pd.DataFrame:
    return pd.read_csv(sc.out / "tables" / f"{name}.csv")


def _columns(sc: Scenario) -> list[str]:
    return [col for col, _ in _indicators(sc.params).values()]


def _whole_row(sc: Scenario, col: str) -> pd.Series:
    label = {c: lab for lab, (c, _) in _indicators(sc.params).items()}[col]
    whole = pd.concat([_table(sc, "likert_top2"), _table(sc, "yes_no")]).set_index("label")
    return whole.loc[label]


def _breakdown_rows(sc: Scenario, by: str, col: str) -> pd.DataFrame:
    bd = _table(sc, f"breakdown_{by}")
    return bd[bd["variable"] == col]


def _band(estimate: float, total: float) -> tuple[float, float]:
    """The weighted sum 'ja' a published share allows: its rounding interval when it is published at
    the report's precision (DIGITS decimals), else the share itself."""
    h = 0.5 * 10.0 ** -lk.DIGITS if round(estimate, lk.DIGITS) == estimate else 0.0
    return max(estimate - h, 0.0) * total - 1e-9 * total, min(estimate + h, 1.0) * total + 1e-9 * total


def _attack(sc: Scenario, col: str) -> dict:
    """The linear attack on one indicator and, per candidate, which variance channels it reproduces.

    Returns ``units`` (group values..., weight), ``caps`` (answers per unit), ``truth`` ('ja' per
    unit), ``linear`` (candidates x units: every vector the counts and shares allow) and ``match``
    (channel -> boolean per candidate)."""
    if col in sc.cache:
        return sc.cache[col]
    design, data = sc.design, sc.design.data
    weights = design.weights.to_numpy(dtype=float)
    answered = data[col].notna().to_numpy()
    yes = (data[col].astype(object) == "ja").to_numpy() & answered
    key = list(zip(*(data[c].astype(str) for c in sc.units_by), np.round(weights, 9)))
    units = sorted({k for k, a in zip(key, answered) if a})
    members = {u: np.flatnonzero([k == u and a for k, a in zip(key, answered)]) for u in units}
    caps = np.array([len(members[u]) for u in units])
    truth = np.array([int(yes[members[u]].sum()) for u in units])
    w = np.array([u[-1] for u in units])

    # the published relations: the whole sample and every shown cell of every breakdown
    relations = [(np.ones(len(units), dtype=bool), _whole_row(sc, col))]
    for by in sc.params["breakdowns"]:
        rows = _breakdown_rows(sc, by, col)
        j = sc.units_by.index(by)
        for _, row in rows[~rows["suppressed"].astype(bool)].iterrows():
            relations.append((np.array([u[j] == str(row[by]) for u in units]), row))
    grid = np.indices(tuple(caps + 1), dtype=np.int16).reshape(len(units), -1)
    keep = np.ones(grid.shape[1], dtype=bool)
    for inside, row in relations:
        keep &= inside.astype(np.int64) @ grid == int(row["n_level"])
        lo, hi = _band(float(row["estimate"]), float((w * caps)[inside].sum()))
        s = (w * inside) @ grid
        keep &= (s >= lo) & (s <= hi)
    linear = grid[:, keep].T.astype(int)

    match = {WHOLE: [], TEST: [], BOUNDS: []}
    whole = _whole_row(sc, col)
    variance = _published_variance(sc)
    published = {by: _breakdown_rows(sc, by, col) for by in sc.params["breakdowns"]}
    for x in linear:
        new = np.full(len(data), np.nan, dtype=object)
        new[answered] = "nee"
        for u, k in zip(units, x):
            new[members[u][:k]] = "ja"
        des = design.update(_att=pd.Series(new, index=data.index))
        r = lk.yes_shares(des, {"_att": "x"}, "label", variance=variance).iloc[0]
        match[WHOLE].append(_same(r, whole, ["estimate", "se", "ci_low", "ci_high"]))
        ok_test = ok_bounds = True
        for by, rows in published.items():
            pooled = set(rows.loc[rows["suppressed"].astype(bool), by])
            # one indicator: its withheld cells are the groups the test pools
            est, tests = lk.breakdown(des, by, {"x": ("_att", "ja")}, threshold=T, withheld=pooled,
                                      variance=variance)
            ok_test &= _same(tests.iloc[0], rows.iloc[0], ["F", "ndf", "ddf", "p_value"])
            est = est.set_index(by)
            for _, row in rows[~rows["suppressed"].astype(bool)].iterrows():
                ok_bounds &= _same(est.loc[row[by]], row, ["estimate", "ci_low", "ci_high"])
        match[TEST].append(ok_test)
        match[BOUNDS].append(ok_bounds)
    sc.cache[col] = dict(units=units, caps=caps, truth=truth, linear=linear,
                         match={k: np.array(v, dtype=bool) for k, v in match.items()})
    return sc.cache[col]


def _published_variance(sc: Scenario) -> lk.Variance:
    """How the report says it computed its variances: the design effect in its tables' ``deff``
    column (generalised variance), else exact."""
    tables = pd.concat([_table(sc, "likert_top2"), _table(sc, "yes_no")])
    if "deff" not in tables.columns:
        return lk.EXACT
    (deff,) = set(tables["deff"].dropna())
    return lk.Variance(deff=float(deff))


def _same(mine: pd.Series, published: pd.Series, columns) -> bool:
    """Whether the recomputed numbers are the published ones (a number the file leaves out
    constrains nothing)."""
    for c in columns:
        p = float(published.get(c, np.nan))
        if np.isnan(p):
            continue
        if not np.isclose(float(mine[c]), p, rtol=0.0, atol=1e-9):
            return False
    return True


def _pinned(sc: Scenario, channel: str | None) -> list:
    """``"indicator: unit (answers) = value"`` of every unit with 1 to t-1 answers that the linear
    attack plus ``channel`` (None: the linear attack alone) leaves with one value."""
    out = []
    for col in _columns(sc):
        a = _attack(sc, col)
        cand = a["linear"] if channel is None else a["linear"][a["match"][channel]]
        for i, u in enumerate(a["units"]):
            if 0 < a["caps"][i] < T and len(set(cand[:, i])) == 1:
                out.append(f"{col}: {'/'.join(u[:-1])} ({a['caps'][i]}) = {cand[0, i]}")
    return out


def _small_units(sc: Scenario) -> set:
    """The units (without their weight) with 1 to t-1 answers in some indicator."""
    out = set()
    for col in _columns(sc):
        a = _attack(sc, col)
        out |= {u[:-1] for u, n in zip(a["units"], a["caps"]) if 0 < n < T}
    return out


# --------------------------------------------------------------------------- holds today

@pytest.mark.parametrize("name", ["weighted", "stratified"])
def test_the_attack_reproduces_the_published_numbers_from_the_true_answers(name, request):
    """The reconstruction is exact: the true answers lie in the linear attack's candidates and give
    every published whole-sample number, breakdown test and shown interval back. So when a channel
    below leaves one value, that value is the true one (the leak is real, not an artefact)."""
    sc = request.getfixturevalue(name)
    for col in _columns(sc):
        a = _attack(sc, col)
        hit = (a["linear"] == a["truth"]).all(axis=1)
        assert hit.sum() == 1, col
        for channel, ok in a["match"].items():
            assert ok[hit][0], (col, channel)


@pytest.mark.parametrize("name", ["weighted", "stratified"])
def test_the_linear_attack_alone_pins_no_small_unit(name, request):
    """Bands and counts alone (what the decision attacks) leave R009 and Directie's class at least
    two values in every indicator: what pins them below is the variance channel."""
    sc = request.getfixturevalue(name)
    assert {R009, DIRECTIE} <= _small_units(sc)
    pinned = _pinned(sc, None)
    assert pinned == [], "\n".join(pinned)


# --------------------------------------------------------------------------- the findings (fixed)

@pytest.mark.parametrize("name, channel", [
    # F1: the breakdown test (F, p) of an indicator with withheld groups gave the withheld groups' answers back
    # (Directie 5 of 6, R009 5 of 6)
    pytest.param("weighted", TEST, id="F1-breakdown-test"),
    # F2: the whole sample's se and interval bounds (likert_top2.csv, yes_no.csv) gave R009's answer back (6 of 6)
    pytest.param("weighted", WHOLE, id="F2-whole-sample-se-and-bounds"),
    # F3: unweighted with strata everything was published at full precision; Productie's interval bounds gave
    # R009's answer back (6 of 6)
    pytest.param("stratified", BOUNDS, id="F3-stratified-group-bounds"),
])
def test_the_variance_channel_pins_no_small_unit(name, channel, request):
    """Each channel, added to the linear attack, pins no small unit: the report's variances are a
    generalised variance function of its published shares and bases (``lk.report_variance``). Fails on
    the code before it (the counts above; with ``lk.EXACT`` forced it fails again:
    ``test_exact_variances_would_pin``)."""
    pinned = _pinned(request.getfixturevalue(name), channel)
    assert pinned == [], "\n".join(pinned)


def test_the_reports_switch_to_one_design_effect(weighted, stratified):
    """Both audit reports hold units of 1..t-1 answers in a design with more than one variance cell, so
    their tables say the design effect they used; it is the design's, rounded up to 0.1."""
    for sc in (weighted, stratified):
        variance = _published_variance(sc)
        assert variance.generalised
        assert variance.deff == lk.report_variance(sc.design, T, breakdowns=list(sc.params["breakdowns"])).deff
        assert variance.deff * 10 == round(variance.deff * 10)


def test_exact_variances_would_pin(weighted):
    """The control of the fix: the same attack against exact variances (what the report published before
    the generalised variance) pins R009 through the whole sample's se and bounds in the first indicator."""
    col = _columns(weighted)[0]
    a = _attack(weighted, col)
    design, data = weighted.design, weighted.design.data
    answered = data[col].notna().to_numpy()
    weights = design.weights.to_numpy(dtype=float)
    key = list(zip(*(data[c].astype(str) for c in weighted.units_by), np.round(weights, 9)))
    members = {u: np.flatnonzero([k == u and ok for k, ok in zip(key, answered)]) for u in a["units"]}

    def published(x):
        new = np.full(len(data), np.nan, dtype=object)
        new[answered] = "nee"
        for u, k in zip(a["units"], x):
            new[members[u][:k]] = "ja"
        return lk.yes_shares(design.update(_att=pd.Series(new, index=data.index)), {"_att": "x"}, "label",
                             variance=lk.EXACT).iloc[0]

    truth = published(a["truth"])
    same = np.array([_same(published(x), truth, ["estimate", "se", "ci_low", "ci_high"]) for x in a["linear"]])
    j = next(i for i, u in enumerate(a["units"]) if u[:-1] == R009)
    assert len(a["linear"]) > 1 and len(set(a["linear"][:, j])) > 1  # the linear attack alone leaves R009 open
    assert len(set(a["linear"][same][:, j])) == 1


# --------------------------------------------------------------------------- the Likert charts' scale points

def _level_pins(sc: Scenario, shares: pd.DataFrame, half: float) -> list:
    """The small units whose top-2 count the linear attack (every shown top-2 relation: count and band)
    plus the whole sample's share of every scale point (``shares``, the rows of ``lk.distribution``,
    each within ``half`` of its value) leaves one value. Unknowns: the answers of each unit at each
    scale point (an integer program, scipy's HiGHS), so the scale points and the top-2 share are tied
    together as the attacker ties them."""
    from scipy.optimize import Bounds, LinearConstraint, milp

    design, data = sc.design, sc.design.data
    weights = design.weights.to_numpy(dtype=float)
    out = []
    for item in sc.params["items"]:
        levels = list(data[item].cat.categories)
        k, top = len(levels), [len(levels) - 2, len(levels) - 1]
        ok = data[item].notna().to_numpy()
        key = pd.MultiIndex.from_arrays([*(data[c].astype(str) for c in sc.units_by), np.round(weights, 9)])
        codes, units = pd.factorize(key[ok])
        caps = np.bincount(codes)
        truth = np.zeros((len(units), k), dtype=int)
        np.add.at(truth, (codes, data[item][ok].cat.codes.to_numpy()), 1)
        w = np.array([u[-1] for u in units])
        n_var = len(units) * k

        def row(inside, at):
            a = np.zeros((len(units), k))
            a[np.ix_(np.flatnonzero(inside), at)] = 1.0
            return a.ravel()

        a, lo, hi = [], [], []
        for i in range(len(units)):  # every answer of a unit at one scale point
            a.append(row(np.arange(len(units)) == i, range(k)))
            lo.append(caps[i])
            hi.append(caps[i])
        relations = [(np.ones(len(units), dtype=bool), _whole_row(sc, f"{item}_top2"))]
        for by in sc.params["breakdowns"]:
            rows = _breakdown_rows(sc, by, f"{item}_top2")
            j = sc.units_by.index(by)
            relations += [(np.array([u[j] == str(r[by]) for u in units]), r)
                          for _, r in rows[~rows["suppressed"].astype(bool)].iterrows()]
        for inside, r in relations:
            a.append(row(inside, top))
            lo.append(float(r["n_level"]))
            hi.append(float(r["n_level"]))
            band = _band(float(r["estimate"]), float(w[inside] @ caps[inside]))
            a.append(row(inside, top) * np.repeat(w, k))
            lo.append(band[0])
            hi.append(band[1])
        total = float(w @ caps)
        mine = shares[shares["variable"] == item].set_index("level")
        for j, level in enumerate(levels):
            s = float(mine.loc[level, "estimate"])
            a.append(row(np.ones(len(units), dtype=bool), [j]) * np.repeat(w, k))
            lo.append((s - half) * total - 1e-7)
            hi.append((s + half) * total + 1e-7)
        cons = LinearConstraint(np.array(a), lo, hi)
        bounds = Bounds(0, np.repeat(caps, k).astype(float))
        for i in np.flatnonzero((caps > 0) & (caps < T)):
            c = row(np.arange(len(units)) == i, top)
            low = milp(c, constraints=cons, integrality=np.ones(n_var), bounds=bounds)
            high = milp(-c, constraints=cons, integrality=np.ones(n_var), bounds=bounds)
            assert low.status == 0 and high.status == 0, (item, units[i])  # the truth is a solution
            if round(low.fun) == round(-high.fun):
                out.append(f"{item}: {'/'.join(units[i][:-1])} ({caps[i]}) = {truth[i, top].sum()}")
    return out


def test_the_likert_charts_scale_points_pin_no_small_unit(weighted):
    """The Likert charts draw every scale point's whole-sample share, and an attacker who re-draws a
    chart reads them back to the precision it was drawn at (found by an attack on 2026-12-05: the
    package's own chart re-drawn gives the published PNG pixel for pixel). The report draws them to
    whole percent in a design whose weights vary (``lk.round_chart``): with the shown top-2 cells they
    pin no small unit. At 0.001, as they were drawn before, R009 and the 3-person Directie are pinned."""
    items = list(weighted.params["items"])
    drawn = lk.distribution(weighted.design, items, threshold=T)
    assert (drawn["estimate"].dropna().round(lk.CHART_DIGITS) == drawn["estimate"].dropna()).all()
    assert drawn["ci_low"].isna().all()
    pinned = _level_pins(weighted, drawn, 0.5 * 10.0 ** -lk.CHART_DIGITS)
    assert pinned == [], "\n".join(pinned)
    before = lk.round_weighted(weighted.design.proportion(items), weighted.design)  # 0.001, the old chart
    pinned = _level_pins(weighted, before, 0.5 * 10.0 ** -lk.DIGITS)
    assert any("Productie/Hoofdzetel" in p for p in pinned) and any("Directie/Hoofdzetel" in p for p in pinned)
