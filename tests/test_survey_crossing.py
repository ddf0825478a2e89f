"""Two breakdowns of a survey that cross (neither nests in the other) must not give back what
neither shows (audit finding: survey, two breakdowns that cross give back one person's answers).

Scenario (the audit's): the own staff survey (tests/data/own_survey: Onthaal 40, Productie 67,
Verkoop 43) plus a department Directie of 3, and a column ``locatie``: Directie and Onthaal in
Hoofdzetel, Verkoop and Productie in Fabriek, except respondent R009 (Productie) in Hoofdzetel.
Broken down by department and by location, each decided on its own, the report withheld Directie and
Onthaal and showed both locations; then Fabriek - (Productie + Verkoop) = -R009 for every count, and
all six of R009's answers were given back. The report now decides the two together
(:func:`evaluatie.analyses.survey.statistics.decide_withheld`), and the crossing attack
(:func:`evaluatie.publish.audit.crossing`) over every published table pins neither R009's cell nor a
withheld group.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from bs4 import BeautifulSoup
from openpyxl import load_workbook

from evaluatie.analyses import survey as lk
from evaluatie.analyses.survey import statistics
from evaluatie.publish import audit
from evaluatie.publish.audit import crossing
from evaluatie.run.cli import main

REPO = Path(__file__).resolve().parents[1]
OWN = REPO / "tests" / "data" / "own_survey"
T = 5
SMALL = [("D001", "Directie", "Goed", "Goed", "Eerder goed", "Helemaal eens", "Eens", "ja"),
         ("D002", "Directie", "Eerder goed", "Goed", "Goed", "Eerder eens", "Helemaal eens", "ja"),
         ("D003", "Directie", "Slecht", "Eerder slecht", "Goed", "Neutraal", "Oneens", "nee")]
CELL = ("Productie", "Hoofdzetel")  # R009 alone
BREAKDOWNS = {"afdeling": "Afdeling", "locatie": "Locatie"}


def _params(tmp: Path) -> dict:
    raw = pd.read_csv(OWN / "personeelsbevraging.csv", sep=";", dtype=str, keep_default_na=False)
    data = pd.concat([raw, pd.DataFrame(SMALL, columns=raw.columns)], ignore_index=True)
    head = data["afdeling"].isin(["Directie", "Onthaal"]) | (data["respondent"] == "R009")
    data["locatie"] = np.where(head, "Hoofdzetel", "Fabriek")
    path = tmp / "bevraging.csv"
    data.to_csv(path, sep=";", index=False)
    params = yaml.safe_load((OWN / "studie.yaml").read_text(encoding="utf-8"))
    params.update(data=str(path), breakdowns=dict(BREAKDOWNS))
    return params


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("crossing")
    params = _params(tmp)
    path = tmp / "studie.yaml"
    path.write_text(yaml.safe_dump(params, allow_unicode=True), encoding="utf-8")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("EVALUATIE_ROOT", str(REPO))
        rc = main(["run", "survey_evaluatie", "--params", str(path), "--out", str(tmp / "out"), "--quiet"])
    assert rc == 0
    return tmp / "out" / "studie", params


def _study(params: dict):
    return lk.load_study(params["data"], params["items"], scales=params["scales"], values=params["values"],
                         yes_no=params["yes_no"], columns=list(params["breakdowns"]))


def _indicators(params: dict) -> dict[str, str]:
    """label -> column, as the notebook builds the breakdown's indicators (level 'ja')."""
    return ({v["label"]: f"{k}_top2" for k, v in params["items"].items()}
            | {lab: k for k, lab in params["yes_no"].items()})


def _attacks(data: pd.DataFrame, tables: dict[str, pd.DataFrame], whole: pd.DataFrame, params: dict):
    """Per indicator and count ('n_level': the answers 'ja', capped by who answered in each crossing
    cell; 'n': the answers, capped by the respondents in each cell) the crossing attack on the
    published numbers: the shown groups of each breakdown (``tables[by]``, indexed by group and
    indicator, withheld rows NaN), the whole-sample row (``whole``). The attacker knows the
    respondents and who answered per crossing cell (the worst case). Yields ``(label, count, attacks,
    truth)``: ``attacks`` the attack on both breakdowns and on each alone (``"both"``, ``"afdeling"``,
    ``"locatie"``), ``truth`` the true value of each crossing cell."""
    u, v = BREAKDOWNS
    for label, col in _indicators(params).items():
        answered = data[col].notna()
        yes = (data[col].astype(object) == "ja") & answered
        for count, value, cap in (("n_level", yes, answered), ("n", answered, pd.Series(True, index=data.index))):
            caps = {c: float(x) for c, x in cap.groupby([data[u], data[v]]).sum().items() if x > 0}
            truth = value.groupby([data[u], data[v]]).sum()
            shown = {by: tables[by].xs(label, level="indicator")[count].dropna().to_dict() for by in BREAKDOWNS}
            total = float(whole.loc[label, count])
            attacks = {"both": crossing(caps, shown[u], shown[v], total),
                       u: crossing(caps, shown[u], {}, total), v: crossing(caps, {}, shown[v], total)}
            yield label, count, attacks, truth


def _pinned(attacks: dict, names: list) -> list:
    """The names the two breakdowns together pin (interval narrower than one respondent) while
    neither alone does: a share of 0 or 100 % of a shown group is published by rule, the whole
    sample always (docs/disclosure_plan.md, rule decisions 2 and 7)."""
    both = attacks["both"].bounds(names)
    alone = [a.bounds(names) for key, a in attacks.items() if key != "both"]
    return [n for n in names if both[n].width < 1 and all(b[n].width >= 1 for b in alone)]


def _whole(d: Path) -> pd.DataFrame:
    t2 = pd.read_csv(d / "tables" / "likert_top2.csv").set_index("label")
    yn = pd.read_csv(d / "tables" / "yes_no.csv").set_index("label")
    return pd.concat([t2[["n", "n_level"]], yn[["n", "n_level"]]])


def _published(d: Path) -> dict[str, pd.DataFrame]:
    return {by: pd.read_csv(d / "tables" / f"breakdown_{by}.csv").set_index([by, "indicator"]) for by in BREAKDOWNS}


def test_the_crossing_attack_over_every_published_table_pins_nothing(run):
    d, params = run
    tables = _published(d)
    hidden = {by: set(t.index[t["suppressed"]].get_level_values(0)) for by, t in tables.items()}
    # Directie and Onthaal as before; Hoofdzetel (44 respondents, smaller than Productie's 67) holds
    # R009's cell, and with it withheld Fabriek too (the whole sample is published)
    assert hidden == {"afdeling": {"Directie", "Onthaal"}, "locatie": {"Fabriek", "Hoofdzetel"}}
    data = _study(params).data
    checked = 0
    for label, count, attacks, truth in _attacks(data, tables, _whole(d), params):
        names = [CELL] + [("row", g) for g in hidden["afdeling"]] + [("column", g) for g in hidden["locatie"]]
        iv = attacks["both"].bounds([CELL])[CELL]
        assert iv.low <= truth[CELL] <= iv.high, (label, count, iv)  # the relations are written right
        assert _pinned(attacks, names) == [], (label, count)
        if count == "n_level":
            assert iv.width >= 1, (label, iv)  # 'ja' or not: R009's answer is not given back
        checked += 1
    assert checked == 2 * len(_indicators(params))
    # the workbook and the page show the same: no number of either location
    book = load_workbook(d / "tables.xlsx", read_only=True)
    rows = list(book["breakdown_locatie"].iter_rows(values_only=True))
    head = list(rows[0])
    assert all(r[head.index(c)] is None for r in rows[1:] for c in ("estimate", "ci_low", "ci_high", "n", "n_level"))
    page = BeautifulSoup((d / "report.html").read_text(encoding="utf-8"), "html.parser")
    table = next(t for t in page.find_all("table")
                 if t.find("thead") and "Hoofdzetel" in t.find("thead").get_text())
    heads = [th.get_text(" ", strip=True) for th in table.find("thead").find_all("th")]
    for g in ("Fabriek", "Hoofdzetel"):
        j = heads.index(g)
        assert {tr.find_all(["td", "th"])[j].get_text(" ", strip=True) for tr in table.find("tbody").find_all("tr")} == {"x"}


def test_each_variable_decided_alone_gives_r009_back(run):
    """What the report published before: each breakdown decided on its own (Directie and Onthaal
    withheld, both locations shown). The same attack pins R009's cell in every count: the test
    above fails on that decision."""
    d, params = run
    st = _study(params)
    ind = list(_indicators(params).values())
    alone = {by: lk.withheld_groups(st.data, by, ind, T, list(BREAKDOWNS)) for by in BREAKDOWNS}
    assert alone == {"afdeling": {"Directie", "Onthaal"}, "locatie": frozenset()}
    indicators = {label: (col, "ja") for label, col in _indicators(params).items()}
    tables = {by: lk.breakdown(st.design, by, indicators, threshold=T, withheld=alone[by])[0]
              .set_index([by, "indicator"]) for by in BREAKDOWNS}
    recovered = {}
    for label, count, attacks, truth in _attacks(st.data, tables, _whole(d), params):
        iv = attacks["both"].bounds([CELL])[CELL]
        assert iv.low == iv.high == truth[CELL]
        if count == "n_level":
            assert _pinned(attacks, [CELL]) == [CELL], label  # neither breakdown alone says it
            recovered[label] = iv.low
    assert len(recovered) == 6 and sorted(recovered.values()) == [0, 0, 1, 1, 1, 1]  # all six of R009's answers


def test_breakdowns_refuse_a_decision_that_leaves_a_variable_out(run):
    """A decision over all variables that misses one would let that variable be decided on its own,
    which is how R009 was given back (the test above): ``breakdowns`` refuses it and names the
    variable; with every variable named it runs."""
    d, params = run
    st = _study(params)
    indicators = {label: (col, "ja") for label, col in _indicators(params).items()}
    with pytest.raises(ValueError, match="locatie"):
        lk.breakdowns(st.design, list(BREAKDOWNS), indicators, threshold=T, withheld={"afdeling": {"Directie"}})
    results, _ = lk.breakdowns(st.design, list(BREAKDOWNS), indicators, threshold=T,
                               withheld={"afdeling": {"Directie", "Onthaal"}, "locatie": ()})
    assert set(results) == set(BREAKDOWNS)


def test_a_claim_on_a_location_crosses_the_department_breakdown(tmp_path):
    """A claim on the domain Fabriek publishes Fabriek's base (and, unweighted, its count 'ja'):
    with the departments shown, Fabriek - Productie - Verkoop is R009 again. The location is decided
    with the departments, so the claim has no data."""
    params = _params(tmp_path)
    st = _study(params)
    ind = list(_indicators(params).values())
    claims = [{"id": "thuis", "variable": "thuiswerk", "levels": "ja", "op": ">", "value": 0.5,
               "domain": {"locatie": "Fabriek"}}]
    split = list(BREAKDOWNS)
    for weights in (None, st.design.weights):
        withheld = statistics.decide_withheld(st.data, split, T, indicators={"afdeling": ind}, claims=claims,
                                              weights=weights)
        assert withheld == {"afdeling": {"Directie", "Onthaal"}, "locatie": {"Fabriek", "Hoofdzetel"}}
        assert lk.claims_check(st.design, claims, withheld=withheld)["verdict"].tolist() == ["no_data"]
    # without the claim no count of a location is published: nothing crosses
    assert statistics.decide_withheld(st.data, split, T, indicators={"afdeling": ind})["locatie"] == frozenset()


def _grid(cells: dict[tuple[str, str], int], seed: int = 3) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    rows = [(a, b) for (a, b), n in cells.items() for _ in range(n)]
    data = pd.DataFrame(rows, columns=["g", "loc"])
    data["q"] = rng.choice(["ja", "nee"], size=len(data))
    return data


def test_a_crossing_without_small_cells_withholds_nothing_more(monkeypatch):
    # nothing withheld and no crossing cell below the threshold: the pair is not attacked at all
    big = _grid({("A", "H"): 12, ("A", "F"): 9, ("B", "H"): 7, ("B", "F"): 20, ("C", "F"): 30})

    def no_milp(*args, **kwargs):
        raise AssertionError("no MILP expected")

    with monkeypatch.context() as mp:
        mp.setattr(audit, "milp", no_milp)
        assert statistics.decide_withheld(big, ["g", "loc"], T, indicators={"g": ["q"], "loc": ["q"]}) == \
            {"g": frozenset(), "loc": frozenset()}
    # a small department (3, all at H) withheld with the smallest other: the crossing cells of the
    # shown departments are large, the attack pins nothing, so nothing more is withheld
    small = _grid({("S", "H"): 3, ("A", "H"): 10, ("A", "F"): 10, ("B", "H"): 15, ("B", "F"): 15,
                   ("C", "H"): 20, ("C", "F"): 20})
    alone = {by: statistics.withheld_groups(small, by, ["q"], T, ["g", "loc"]) for by in ("g", "loc")}
    assert alone == {"g": {"S", "A"}, "loc": frozenset()}
    assert statistics.decide_withheld(small, ["g", "loc"], T, indicators={"g": ["q"], "loc": ["q"]}) == alone


def test_a_withheld_coarse_group_is_not_given_back_by_the_finer_groups():
    """Units nest in sectors (X: unit x1 of 3; Y: y1, y2 of 6; Z: z1 of 5, z2 of 95). Decided alone,
    the sectors withhold X and Y (the smallest other), the units x1, z1 (the smallest other) and z2
    (Z's line): then Y = y1 + y2 is published by the units, and X = (all - y1 - y2) - Z gives X's 3
    respondents back. Decided together, neither is pinned."""
    cells = {("X", "x1"): 3, ("Y", "y1"): 6, ("Y", "y2"): 6, ("Z", "z1"): 5, ("Z", "z2"): 95}
    data = _grid(cells).rename(columns={"g": "sector", "loc": "unit"})
    both = ["sector", "unit"]
    alone = {by: statistics.withheld_groups(data, by, ["q"], T, both) for by in both}
    assert alone == {"sector": {"X", "Y"}, "unit": {"x1", "z1", "z2"}}
    together = statistics.decide_withheld(data, both, T, indicators={by: ["q"] for by in both})

    def bounds(decision):  # respondents per group, published for the shown ones; the attacker knows the cells
        n = data.groupby(both).size()
        shown = [{g: float(x) for g, x in data[by].value_counts().items() if g not in decision[by]} for by in both]
        a = crossing({c: float(len(data)) for c in n.index}, *shown, float(len(data)))
        return {g: a.bounds([("row", g)])[("row", g)] for g in ("X", "Y")}

    before = bounds(alone)
    assert (before["X"].low, before["X"].high, before["Y"].low, before["Y"].high) == (3, 3, 12, 12)
    assert {"X", "Y"} <= together["sector"]
    assert all(iv.width >= 1 for iv in bounds(together).values())


def test_example_breakdowns_cross_with_small_cells_and_nothing_more_is_withheld():
    """params/survey_evaluatie.yaml: plan type and SME cross (4 Instapplan organisations are not
    SMEs), size class nests in SME; weighting margins plan type, size class and region. The attack
    runs on the small crossing cells and pins none: the decision is each variable's own (nothing
    withheld), so the example's tables are unchanged."""
    p = yaml.safe_load((REPO / "params" / "survey_evaluatie.yaml").read_text(encoding="utf-8"))["parameters"]
    keys = ("scales", "values", "yes_no", "frame", "frame_count", "margins", "strata", "complete_column",
            "complete_only", "size_column", "sme_levels")
    p["data"], p["frame"] = str(REPO / p["data"]), str(REPO / p["frame"])
    st = lk.load_study(p["data"], p["items"], columns=list(p["breakdowns"]),
                       answers=lk.answer_columns(p["claims"], p["actions"], p["target_groups"]),
                       **{k: p[k] for k in keys if k in p})
    grouped = list(dict.fromkeys([*p["breakdowns"], *p["margins"]]))
    ind = [f"{v}_top2" for v in p["items"]] + list(p["yes_no"])
    assert pd.crosstab(st.data["plan_type"], st.data["sme"]).loc["Instapplan", "geen kmo"] == 4
    assert statistics._nests(st.data, "size_class", "sme")
    assert not statistics._nests(st.data, "plan_type", "sme") and not statistics._nests(st.data, "sme", "plan_type")
    calls = []
    real = statistics.crossing_pinned

    def counted(*args, **kwargs):
        calls.append(args)
        return real(*args, **kwargs)

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(statistics, "crossing_pinned", counted)
        together = statistics.decide_withheld(st.data, grouped, T, indicators={v: ind for v in p["breakdowns"]},
                                              margins=p["margins"], claims=p["claims"], weights=st.design.weights)
    assert calls  # the small cells were attacked
    assert together == {v: frozenset() for v in grouped}


@pytest.mark.parametrize("seed", [6, 7, 9, 12])  # grids where the crossing withholds more than each variable alone
def test_the_shortcut_never_changes_the_decision(seed, monkeypatch):
    """The shortcut of :func:`evaluatie.publish.audit.crossing_pinned` (another solution than the true
    counts already shows an interval wide enough: no MILP) gives the decision the attack on every
    name gives (no truth given), on random crossings with small cells and a nested variable."""
    rng = np.random.default_rng(seed)
    cells = {(f"g{a}", f"l{b}"): int(rng.choice([1, 2, 3, 4, 6, 9, 15, 30]))
             for a in range(4) for b in range(3) if rng.random() > 0.3}
    data = _grid(cells, seed)
    data["r"] = np.where(rng.random(len(data)) < 0.5, "ja", "nee")
    data.loc[rng.random(len(data)) < 0.1, "r"] = None
    data["sec"] = data["g"].map({"g0": "S0", "g1": "S1", "g2": "S0", "g3": "S1"})
    split = ["g", "loc", "sec"]
    indicators = {"g": ["q", "r"], "loc": ["q", "r"]}
    fast = statistics.decide_withheld(data, split, T, indicators=indicators, margins=["loc"])
    alone = {by: statistics.withheld_groups(data, by, indicators.get(by, []), T, split) for by in split}
    assert fast != alone  # the crossing is what decides here
    monkeypatch.setattr(statistics, "crossing_pinned", lambda *a, truth=None, **k: audit.crossing_pinned(*a, **k))
    assert statistics.decide_withheld(data, split, T, indicators=indicators, margins=["loc"]) == fast
