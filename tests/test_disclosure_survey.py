"""Issue 15, one disclosure path: a survey with a department of 3 respondents, run through the CLI
unweighted and weighted to a frame, publishes nothing of that department in any output, and the
differencing attack over all published tables of the run (publish.audit.Attack) recovers none of
its cells. Without the secondary group the same attack does recover them, so the test can fail.

Scenario: the own staff survey (tests/data/own_survey: Onthaal 40, Productie 67, Verkoop 43
respondents) plus a department ``Directie`` of 3 respondents, built in tmp_path. The report
withholds Directie (primary: 3 < 5) and Onthaal (secondary: the smallest other department, since
the whole-sample tables are the published total) in every indicator of the breakdown, in the
weighting table and in the weights sentence.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from bs4 import BeautifulSoup
from openpyxl import load_workbook

from evaluatie.analyses import survey as lk
from evaluatie.core import fmt
from evaluatie.publish.audit import Attack
from evaluatie.run.cli import main
from report_checks import report_page, workbook_text

REPO = Path(__file__).resolve().parents[1]
OWN = REPO / "tests" / "data" / "own_survey"
T = 5
BY = "afdeling"
PRIMARY, SECONDARY = "Directie", "Onthaal"
SMALL = [("D001", "Directie", "Goed", "Goed", "Eerder goed", "Helemaal eens", "Eens", "ja"),
         ("D002", "Directie", "Eerder goed", "Goed", "Goed", "Eerder eens", "Helemaal eens", "ja"),
         ("D003", "Directie", "Slecht", "Eerder slecht", "Goed", "Neutraal", "Oneens", "nee")]
FRAME = {"Directie": 5, "Onthaal": 80, "Productie": 200, "Verkoop": 120}


def _params(tmp: Path, weighted: bool) -> dict:
    raw = pd.read_csv(OWN / "personeelsbevraging.csv", sep=";", dtype=str, keep_default_na=False)
    data = tmp / "bevraging.csv"
    pd.concat([raw, pd.DataFrame(SMALL, columns=raw.columns)]).to_csv(data, sep=";", index=False)
    params = yaml.safe_load((OWN / "studie.yaml").read_text(encoding="utf-8"))
    params["data"] = str(data)
    if weighted:
        frame = tmp / "personeel.csv"
        frame.write_text("afdeling;medewerkers\n" + "".join(f"{k};{v}\n" for k, v in FRAME.items()), encoding="utf-8")
        params.update(frame=str(frame), frame_count="medewerkers", margins=[BY],
                      texts={"frame_units": "medewerkers", "frame_units_short": "medewerkers"})
    return params


def _run(tmp: Path, weighted: bool | None, params: dict | None = None) -> tuple[Path, dict]:
    params = params or _params(tmp, weighted)
    path = tmp / "studie.yaml"
    path.write_text(yaml.safe_dump(params, allow_unicode=True), encoding="utf-8")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("EVALUATIE_ROOT", str(REPO))
        rc = main(["run", "survey_evaluatie", "--params", str(path), "--out", str(tmp / "out"), "--quiet"])
    d = tmp / "out" / "studie"
    assert rc == 0, (d / "run.json").read_text(encoding="utf-8") if (d / "run.json").exists() else rc
    return d, params


@pytest.fixture(scope="module", params=[False, True], ids=["unweighted", "weighted"])
def run(request, tmp_path_factory):
    return _run(tmp_path_factory.mktemp("weighted" if request.param else "unweighted"), request.param)


def _indicators(params: dict) -> dict[str, tuple[str, str]]:
    """The breakdown's indicators as the notebook builds them: label -> (column, level)."""
    return ({v["label"]: (f"{k}_top2", "ja") for k, v in params["items"].items()}
            | {lab: (k, "ja") for k, lab in params["yes_no"].items()})


def _study(params: dict):
    keys = ("scales", "values", "yes_no", "frame", "frame_count", "margins", "strata", "complete_column",
            "complete_only", "size_column", "sme_levels")
    return lk.load_study(params["data"], params["items"], columns=list(params["breakdowns"]),
                         **{k: params[k] for k in keys if k in params})


def _truth(params: dict, withheld=frozenset(), by: str = BY) -> pd.DataFrame:
    """The breakdown by ``by`` as it would be published if only ``withheld`` were withheld (the true
    values of every other group), indexed by (group, indicator)."""
    st = _study(params)
    est, _ = lk.breakdown(st.design, by, _indicators(params), threshold=T, withheld=withheld)
    return est.set_index([by, "indicator"])


def _table(d: Path, name: str) -> pd.DataFrame:
    return pd.read_csv(d / "tables" / f"{name}.csv")


def _outputs(d: Path) -> dict[str, str]:
    """Every published text: CSVs, every cell of every sheet of tables.xlsx, report.html (its text and
    its alt texts) and the notebook's outputs."""
    out = {p.name: p.read_text(encoding="utf-8") for p in sorted((d / "tables").glob("*.csv"))}
    out["tables.xlsx"] = workbook_text(d / "tables.xlsx")
    page = report_page(d)
    out["report.html"] = page.get_text(" ")
    out["alt"] = "\n".join(img.get("alt", "") for img in page.find_all("img"))
    nb = json.loads((d / "notebook.ipynb").read_text(encoding="utf-8"))
    out["notebook.ipynb"] = "\n".join(
        "".join(o.get("text", "")) + "".join("".join(v) if isinstance(v, list) else str(v)
                                             for v in o.get("data", {}).values())
        for c in nb["cells"] for o in c.get("outputs", []))
    return out


# --------------------------------------------------------------------------- what is published

def test_withheld_groups_publish_no_count_base_or_share_anywhere(run):
    d, params = run
    bd = _table(d, f"breakdown_{BY}")
    hidden = bd[bd[BY].isin([PRIMARY, SECONDARY])]
    assert len(hidden) == 2 * len(_indicators(params)) and hidden["suppressed"].all()
    assert hidden[["estimate", "ci_low", "ci_high", "df", "n", "n_level"]].isna().all(axis=None)
    # the other departments are shown; weighted, some of their shares are withheld one by one: with the
    # departments' weights (frame over respondents) the shares of the shown ones, next to the whole
    # sample's, would give Directie's answers back (weighted.withheld_shares; the attack below)
    others = bd[~bd[BY].isin([PRIMARY, SECONDARY])]
    cells = {(g, col) for g, col, hide in zip(others[BY], others["variable"], others["suppressed"]) if hide}
    st = _study(params)
    decided = lk.withheld_shares(st.design, T, breakdowns=[BY], indicators=[c for c, _ in _indicators(params).values()],
                                 withheld={BY: {PRIMARY, SECONDARY}}).of(BY)
    assert cells == {(g, col) for col, groups in decided.items() for g in groups}
    assert bool(cells) == ("frame" in params) and len(cells) < len(others)
    # the Rao-Scott test stays, with the withheld groups pooled, wherever a department is shown
    tested = ~bd.groupby("variable")["suppressed"].all()
    assert (hidden["p_value"].notna() == hidden["variable"].map(tested)).all() and tested.any()
    # workbook: the same rows, no number of their own
    book = load_workbook(d / "tables.xlsx", read_only=True)
    rows = list(book[f"breakdown_{BY}"].iter_rows(values_only=True))
    head = list(rows[0])
    cols = [head.index(c) for c in ("estimate", "ci_low", "ci_high", "df", "n", "n_level")]
    own = [r for r in rows[1:] if r[head.index(BY)] in (PRIMARY, SECONDARY)]
    assert len(own) == len(hidden) and all(r[i] is None for r in own for i in cols)
    # HTML: the two departments' columns say "x" (niet getoond), nothing else
    page = BeautifulSoup((d / "report.html").read_text(encoding="utf-8"), "html.parser")
    table = next(t for t in page.find_all("table") if t.find("thead") and PRIMARY in t.find("thead").get_text())
    head = [th.get_text(" ", strip=True) for th in table.find("thead").find_all("th")]
    for g in (PRIMARY, SECONDARY):
        j = head.index(g)
        cells = [tr.find_all(["td", "th"])[j].get_text(" ", strip=True) for tr in table.find("tbody").find_all("tr")]
        assert cells and set(cells) == {"x"}, (g, cells)
    # the values they would have shown appear in no output (text, workbook, alt texts, notebook)
    truth = _truth(params)
    shown_as = {f"{fmt.prop(r['estimate'], 1)}\u00a0({fmt.num(r['n'])})"
                for (g, _), r in truth.iterrows() if g in (PRIMARY, SECONDARY)}
    outputs = _outputs(d)
    assert not {(name, s) for name, text in outputs.items() for s in shown_as if s in text}
    # no alt text names a withheld department next to a number, and no figure draws a department
    assert not re.search(rf"({PRIMARY}|{SECONDARY})[^.;]*\d", outputs["alt"])
    assert {p.name for p in (d / "figures").iterdir()} == {f"likert_vragen_{i}{v}.png" for i in (4, 5)
                                                           for v in ("", "_smal")}  # with the phone variants


def test_weighting_table_and_weights_sentence_withhold_the_same_departments(tmp_path_factory):
    d, _ = _run(tmp_path_factory.mktemp("weighting"), True)
    wt = _table(d, "weighting").set_index("level")
    for g in (PRIMARY, SECONDARY):
        assert wt.loc[g, ["respondents", "sample_share", "design_weighted_share"]].isna().all(), g
    assert wt.loc[["Productie", "Verkoop"], "respondents"].tolist() == [67, 43]
    assert wt["population"].to_dict() == {k: float(v) for k, v in FRAME.items()}  # the frame is public
    text = _outputs(d)["report.html"]
    # the weight of a department is its frame count over its respondents: 5 / 3 would give the 3 back
    assert "De gewichten liggen tussen" not in text and "1,67" not in text
    assert re.sub(r"\s+", " ", lk.weights_nl(pd.Series([1.0]), small_groups=True)) in re.sub(r"\s+", " ", text)


# --------------------------------------------------------------------------- the attack

def _whole(d: Path) -> pd.DataFrame:
    """The whole-sample row of every breakdown indicator: ``likert_top2`` and ``yes_no``, by label."""
    t2 = _table(d, "likert_top2").set_index("label")
    yn = _table(d, "yes_no").set_index("label")
    return pd.concat([t2[["estimate", "n", "n_level"]], yn[["estimate", "n", "n_level"]]])


def _count_attack(d: Path, published: pd.DataFrame, weighted: bool) -> Attack:
    """Integer unknowns per withheld row (group and indicator): its base ``n`` and its count ``k`` of
    positive answers; per group withheld whole its number of respondents. Relations from the run's
    published tables: the whole-sample base and count (``n_level``, and unweighted the
    full-precision share times the base) minus the shown rows' bases and counts; each count within
    its base and each base within its group; the respondents of the groups withheld whole are the
    analysed respondents (ledger) minus the shown groups, who number at least their largest base. A
    row withheld in a shown group (a weighted share that would give a weight class back) has a base
    of at most the group's respondents (the weighting table's, or the analysed)."""
    a = Attack()
    whole = _whole(d)
    hidden_rows = published["suppressed"].astype(bool)
    whole_groups = published["suppressed"].groupby(level=0).all()
    hidden = sorted(whole_groups.index[whole_groups])
    shown = published[~published.index.get_level_values(0).isin(hidden)]
    ledger = _table(d, "ledger")
    analysed = ledger.loc[ledger["step"] == "analysed", "rows"].iloc[0]
    sizes = {}
    if (d / "tables" / "weighting.csv").exists():
        wt = _table(d, "weighting")
        sizes = wt[wt["margin"] == BY].set_index("level")["respondents"].dropna().to_dict()
    for g in hidden:
        a.unknown(("size", g))
    for ind, w in whole.iterrows():
        rows = published.xs(ind, level="indicator")
        withheld = list(rows.index[hidden_rows.xs(ind, level="indicator")])
        rest = rows[~rows.index.isin(withheld)]
        for g in withheld:
            a.unknown(("n", g, ind), 0, sizes.get(g, analysed))
            a.unknown(("k", g, ind))
            a.between({("k", g, ind): 1, ("n", g, ind): -1}, -np.inf, 0)
            if g in hidden:
                a.between({("n", g, ind): 1, ("size", g): -1}, -np.inf, 0)
        a.equal({("n", g, ind): 1 for g in withheld}, w["n"] - rest["n"].sum())
        a.equal({("k", g, ind): 1 for g in withheld}, w["n_level"] - rest["n_level"].sum())
        if not weighted:
            a.equal({("k", g, ind): 1 for g in withheld}, round(w["estimate"] * w["n"]) - rest["n_level"].sum())
    largest = shown.groupby(level=0)["n"].max()
    a.between({("size", g): 1 for g in hidden}, 0, analysed - largest.sum())
    return a


def _share_attack(d: Path, published: pd.DataFrame, approximate: float = 1.0, margin: str = BY) -> Attack:
    """Weighted shares in percent (continuous unknowns) per withheld row (group and indicator);
    relation per indicator: the whole-sample share = sum over the groups of ``margin`` of calibrated
    share x group share. That is exact for a breakdown by a raking margin when every respondent
    answered (the calibrated shares are those of all respondents); with answers missing it holds
    within ``approximate`` percentage points (the example survey: within 0.54, docs/disclosure_plan.md
    finding 3). The calibrated shares are the frame's population shares (exact); the published shares
    are rounded to 0.1 percentage point (a weighted design): each adds half of that, times its
    calibrated share, to the relation's tolerance."""
    a = Attack()
    wt = _table(d, "weighting")
    # raked to the margin, a group's calibrated share is its population share, which the frame gives exactly
    cal = wt[wt["margin"] == margin].set_index("level")["population_share"]
    whole = _whole(d)
    ledger = _table(d, "ledger")
    analysed = ledger.loc[ledger["step"] == "analysed", "rows"].iloc[0]
    half = 0.5 * 10.0 ** -lk.DIGITS * 100  # percentage points
    for ind, w in whole.iterrows():
        rows = published.xs(ind, level="indicator")
        hidden = list(rows.index[rows["suppressed"].astype(bool)])
        rest = rows[~rows.index.isin(hidden)]
        for g in hidden:
            a.unknown(("p", g, ind), 0, 100, integer=False)
        known = float((cal[rest.index] * rest["estimate"] * 100).sum())
        rounding = half * (1 + float(cal[rest.index].sum()))  # the whole sample's and each shown share's
        a.equal({("p", g, ind): float(cal[g]) for g in hidden}, w["estimate"] * 100 - known,
                (1e-6 if w["n"] == analysed else approximate) + rounding)
    return a


def _published_breakdown(d: Path, by: str = BY) -> pd.DataFrame:
    return _table(d, f"breakdown_{by}").set_index([by, "indicator"])


def _check(a: Attack, base: dict, primary: str) -> list:
    """R4: a primary cell is not recovered (its interval holds every value its base allows), a
    secondary cell is not pinned. Returns the offending cells."""
    bad = [name for name in a.recovered(base=base, threshold=T) if name[1] == primary]
    bad += [name for name, iv in a.bounds().items() if name[1] != primary and iv.width <= 1e-9]
    return bad


def test_counts_of_the_withheld_departments_cannot_be_recovered(run):
    d, params = run
    published = _published_breakdown(d)
    whole_groups = published["suppressed"].groupby(level=0).all()
    assert sorted(whole_groups.index[whole_groups]) == [PRIMARY, SECONDARY]
    a = _count_attack(d, published, "frame" in params)
    bounds = a.bounds()
    truth = _truth(params)
    for name, iv in bounds.items():  # the truth lies in every interval (the relations are written right)
        if name[0] != "size":
            kind, g, ind = name
            true = truth.loc[(g, ind), "n" if kind == "n" else "n_level"]
            assert iv.low <= true <= iv.high, (name, iv, true)
    base = {name: len(SMALL) for name in a.names if name[1] == PRIMARY}
    assert _check(a, base, PRIMARY) == []
    assert min(iv.width for name, iv in bounds.items() if name[1] == PRIMARY) >= len(SMALL)


def test_without_the_secondary_department_the_attack_recovers_the_small_one(run):
    d, params = run
    once = _truth(params, withheld=frozenset({PRIMARY}))  # what primary suppression alone would publish
    a = _count_attack(d, once, "frame" in params)
    recovered = a.recovered(base={name: len(SMALL) for name in a.names}, threshold=T)
    cells = [name for name in a.names if name[0] != "size"]
    assert len(cells) == 2 * len(_indicators(params)) and set(cells) <= set(recovered)  # every base and count
    truth = _truth(params)
    for kind, g, ind in cells:
        iv = recovered[(kind, g, ind)]
        assert iv.low == iv.high == truth.loc[(g, ind), "n" if kind == "n" else "n_level"]


def test_weighted_shares_of_the_withheld_departments_cannot_be_recovered(tmp_path_factory):
    d, params = _run(tmp_path_factory.mktemp("shares"), True)
    published = _published_breakdown(d)
    a = _share_attack(d, published)
    assert a.recovered(base={name: len(SMALL) for name in a.names if name[1] == PRIMARY}) == {}
    assert _check(a, {name: len(SMALL) for name in a.names if name[1] == PRIMARY}, PRIMARY) == []
    truth = _truth(params)
    for (_, g, ind), iv in a.bounds().items():
        assert iv.low - 1e-6 <= truth.loc[(g, ind), "estimate"] * 100 <= iv.high + 1e-6
    # the same relations with Onthaal's shares published (no secondary suppression) pin Directie's share
    # of the question everybody answered: 2 of 3 work from home (within 16 percentage points: the shares
    # are published to 0.1 point, Directie weighs 1.2 % of the frame; one respondent is 33 points)
    once = _share_attack(d, _truth(params, withheld=frozenset({PRIMARY})))
    pinned = once.recovered(base={name: len(SMALL) for name in once.names})
    iv = pinned[("p", PRIMARY, params["yes_no"]["thuiswerk"])]
    assert iv.width < 100 / 3 and iv.low <= 200 / 3 <= iv.high


def test_example_design_with_a_plan_type_of_three_organisations(tmp_path):
    """docs/disclosure_plan.md finding 3: in the example design (strata = plan type, raked to plan type,
    size class and region) the overall share, the plan types' shares and their calibrated shares gave
    back a withheld plan type's share. Here 3 Groeiplan organisations are left; they weigh 13.6% of
    the frame and all three would recommend the measure. With Groeiplan withheld alone the relation
    pins its share; with the smallest other plan type withheld too (S2) it still leaves less than one
    organisation's width for the questions nearly everyone answers positively, so the report withholds
    plan types until it does not: here all four, in the breakdown and the weighting table."""
    raw = pd.read_csv(REPO / "data" / "example" / "survey_respondents.csv", dtype=str, keep_default_na=False)
    groei = raw.index[(raw["plan_type"] == "Groeiplan") & (raw["complete"] == "ja")]
    keep = raw[(raw["plan_type"] != "Groeiplan") | raw.index.isin(groei[:3])]
    data = tmp_path / "respons.csv"
    keep.to_csv(data, index=False)
    params = yaml.safe_load((REPO / "params" / "survey_evaluatie.yaml").read_text(encoding="utf-8"))["parameters"]
    params.update(data=str(data), frame=str(REPO / params["frame"]))
    d, _ = _run(tmp_path, None, params)
    bd = _table(d, "breakdown_plan_type")
    plan_types = sorted(bd["plan_type"].unique())
    assert bd["suppressed"].all() and len(plan_types) == 4
    assert bd[["estimate", "ci_low", "ci_high", "df", "n", "n_level"]].isna().all(axis=None)
    assert bd["p_value"].isna().all()  # every plan type withheld: one pooled group, no test
    wt = _table(d, "weighting")
    plan = wt[wt["margin"] == "plan_type"].set_index("level")
    assert plan[["respondents", "sample_share", "design_weighted_share"]].isna().all(axis=None)
    assert wt.loc[wt["margin"] != "plan_type", "respondents"].notna().all()  # other margins have no small level
    sme = _table(d, "breakdown_sme")
    assert not sme.groupby("sme")["suppressed"].all().any()  # no SME group withheld whole (a few weighted shares are)
    assert "De gewichten liggen tussen" not in _outputs(d)["report.html"]
    base = {("p", "Groeiplan", ind): 3 for ind in _indicators(params)}
    base[("p", "Groeiplan", params["items"]["q_fin_added_value"]["label"])] = 2  # one answered 'weet niet'
    a = _share_attack(d, _published_breakdown(d, "plan_type"), margin="plan_type")
    recommend = params["yes_no"]["q_recommend"]
    # every plan type withheld: the one relation left is the whole-sample share itself. 96.6 % of all
    # would recommend ("weet niet" out of the base), which alone puts Groeiplan's share at 68 % or more:
    # the headline is always published (docs/disclosure_plan.md, rule decision 7). Nothing else is pinned.
    assert _whole(d).loc[recommend, "estimate"] > 0.96
    assert {k for k in a.recovered(base=base) if k[1] == "Groeiplan"} == {("p", "Groeiplan", recommend)}
    assert min(iv.width for k, iv in a.bounds().items() if k[1] != "Groeiplan") > 0
    # S2 alone: Groeiplan and Clusterplan withheld, the other two published
    s2 = _share_attack(d, _truth(params, frozenset({"Groeiplan", "Clusterplan"}), "plan_type"), margin="plan_type")
    assert ("p", "Groeiplan", recommend) in s2.recovered(base=base)
    # primary only: the shares of the questions every organisation answered are pinned
    once = _share_attack(d, _truth(params, frozenset({"Groeiplan"}), "plan_type"), margin="plan_type")
    pinned = once.recovered(base=base)
    assert {("p", "Groeiplan", lab) for lab in params["yes_no"].values()} <= set(pinned)


# --------------------------------------------------------------------------- weight classes

# Issue 15 item 2 (weighted shares): with weights that vary inside a shown group, a group's weighted
# share is sum_c w_c x_c / W over its weight classes c. The attacker knows the weights (recomputed
# from the published frame and the respondents per cell: the worst case), who answered in each
# class and every published count; the unknowns are the answers 'ja' per unit (weight class x the
# groups of every breakdown: the crossing cells the weights make). Each published share gives a band
# for the weighted sum: its rounding interval (+- half the last digit) times the group's weighted
# total; its interval bounds add nothing (computed around the rounded share: checked below). A unit
# with 1 to t-1 answers must keep at least two values, unless the published counts alone pin it (a
# share of 0 or 100 %), or the whole-sample figure alone does (rule decision 7).

def _band(row, total: float, exact: bool = False) -> tuple[float, float]:
    """The weighted sum 'ja' a published share allows (``exact``: a share published at full
    precision, as the report did before)."""
    r = float(row["estimate"])
    if exact:
        return r * total - 1e-7, r * total + 1e-7
    h = 0.5 * 10.0 ** -lk.DIGITS
    return max(r - h, 0.0) * total - 1e-9 * total, min(r + h, 1.0) * total + 1e-9 * total


def _class_attack(data: pd.DataFrame, weights: pd.Series, column: str, relations: list, *, exact: bool = False,
                  used: int | None = None):
    """``(attack, counts only, caps, truth)``: integer unknowns per unit (weight class and membership of
    every relation's group), the answers 'ja' of ``column`` in it. ``relations``: ``(group mask,
    published row)``; each (the first ``used`` only, when given) adds its band and its count ``n_level``."""
    answered = data[column].notna()
    yes = (data[column].astype(object) == "ja") & answered
    key = pd.DataFrame({f"g{j}": np.asarray(m, dtype=bool) for j, (m, _) in enumerate(relations)}, index=data.index)
    key["w"] = weights.round(9)
    units = pd.Series(list(key[answered].itertuples(index=False, name=None)), index=key.index[answered])
    caps = units.value_counts()
    truth = units[yes[answered]].value_counts().reindex(caps.index, fill_value=0)
    full, counts = Attack(), Attack()
    for u, n in caps.items():
        full.unknown(u, 0, int(n))
        counts.unknown(u, 0, int(n))
    for j, (m, row) in enumerate(relations[:used]):
        inside = [u for u in caps.index if u[j]]
        total = float(weights[np.asarray(m, dtype=bool) & answered.to_numpy()].sum())
        full.between({u: u[-1] for u in inside}, *_band(row, total, exact))
        for a in (full, counts):
            a.equal({u: 1 for u in inside}, float(row["n_level"]))
    return full, counts, caps, truth


def _pinned_classes(data, weights, column, relations, *, exact: bool = False) -> list:
    """The small units (1 to t-1 answers) the relations pin to one value, beyond the counts alone and
    the whole sample alone (the first relation, when not ``exact``), as ``(weight, answers, 'ja')``.
    Checks that the truth lies in every interval (the relations are written right)."""
    full, counts, caps, truth = _class_attack(data, weights, column, relations, exact=exact)
    small = [u for u, n in caps.items() if n < T]
    bounds = full.bounds(small)
    for u in small:
        assert bounds[u].low <= truth[u] <= bounds[u].high, (u, bounds[u], truth[u])
    pins = [u for u in small if bounds[u].width < 1]
    if pins:
        alone = counts.bounds(pins)
        pins = [u for u in pins if alone[u].width >= 1]
    if pins and not exact:
        headline = _class_attack(data, weights, column, relations, used=1)[0].bounds(pins)
        pins = [u for u in pins if headline[u].width >= 1]
    return [(round(u[-1], 3), int(caps[u]), int(truth[u])) for u in pins]


def _relations(d: Path, data: pd.DataFrame, label: str, column: str, breakdowns) -> list:
    """The published relations of one indicator: the whole sample (likert_top2 or yes_no) and every
    shown group of every breakdown table of the run."""
    whole = pd.concat([_table(d, "likert_top2"), _table(d, "yes_no")]).set_index("label").loc[label]
    out = [(np.ones(len(data), dtype=bool), whole)]
    for by in breakdowns:
        bd = _table(d, f"breakdown_{by}")
        for _, row in bd[(bd["variable"] == column) & ~bd["suppressed"].astype(bool)].iterrows():
            out.append(((data[by].astype(str) == str(row[by])).to_numpy(), row))
    return out


def _example_params() -> dict:
    p = yaml.safe_load((REPO / "params" / "survey_evaluatie.yaml").read_text(encoding="utf-8"))["parameters"]
    p["data"], p["frame"] = str(REPO / p["data"]), str(REPO / p["frame"])
    return p


def _example_study(p: dict):
    keys = ("scales", "values", "yes_no", "frame", "frame_count", "margins", "strata", "complete_column",
            "complete_only", "size_column", "sme_levels")
    return lk.load_study(p["data"], p["items"], columns=list(p["breakdowns"]),
                         answers=lk.answer_columns(p["claims"], p["actions"], p["target_groups"]),
                         **{k: p[k] for k in keys if k in p})


@pytest.fixture(scope="module")
def example_run(tmp_path_factory):
    p = _example_params()
    d, _ = _run(tmp_path_factory.mktemp("example"), None, p)
    return d, p, _example_study(p)


def test_example_shares_at_full_precision_or_only_rounded_give_weight_classes_back(example_run):
    """The example design (raked to plan type x size class x region: 88 weights, one per cell). The
    group 'geen kmo' (71 organisations, 19 weight classes, 13 of them with 1 to 4 answers): its share
    satisfied at full precision, as the report published it, with its count, pins all 13 (the
    previous audit's finding). Rounded to 0.1 point it still pins 13 classes of Groeiplan for
    'would recommend' (73 of 74 'ja': the one 'nee' weighs what the band says), so the report
    withholds that share; the test below checks what it publishes."""
    _, p, st = example_run
    data, w = st.data, st.design.weights
    col = "q_support_satisfaction_top2"
    geen = (data["sme"] == "geen kmo").to_numpy()
    exact = st.design.by("sme").proportion(col, "ja").set_index("sme").loc["geen kmo"]  # unrounded
    pinned = _pinned_classes(data, w, col, [(geen, exact)], exact=True)
    assert len(pinned) == 13 and all(a < T for _, a, _ in pinned)
    rounded = lk.breakdown(st.design, "plan_type", {"x": ("q_recommend", "ja")}, threshold=T,
                           withheld=frozenset())[0].set_index("plan_type").loc["Groeiplan"]
    assert rounded["estimate"] == 0.987 and rounded["n_level"] == 73 and rounded["n"] == 74
    groei = (data["plan_type"] == "Groeiplan").to_numpy()
    whole = _table(example_run[0], "yes_no").set_index("variable").loc["q_recommend"]
    pinned = _pinned_classes(data, w, "q_recommend", [(np.ones(len(data), dtype=bool), whole), (groei, rounded)])
    assert len(pinned) >= 13 and all(t == a for _, a, t in pinned)  # each pinned at 'ja' for all its answers


@pytest.mark.parametrize("column", ["q_recommend", "q_support_satisfaction_top2"])
def test_example_published_shares_give_no_weight_class_back(example_run, column):
    """What the example report publishes for the two indicators whose shares were withheld in a
    group: every relation of the run's files (whole sample, every shown plan type and SME group,
    their counts), attacked over the 88 weight classes crossed with the groups, pins no unit of 1 to
    4 answers. The cells withheld: 'geen kmo' for satisfied (kmo is shown); both SME groups and
    Groeiplan with Clusterplan for 'would recommend'."""
    d, p, st = example_run
    withheld = {}
    for by in p["breakdowns"]:
        t = _table(d, f"breakdown_{by}")
        withheld[by] = set(t.loc[(t["variable"] == column) & t["suppressed"].astype(bool), by])
    assert withheld == {"q_recommend": {"plan_type": {"Clusterplan", "Groeiplan"}, "sme": {"geen kmo", "kmo"}},
                        "q_support_satisfaction_top2": {"plan_type": set(), "sme": {"geen kmo"}}}[column]
    label = {f"{k}_top2": v["label"] for k, v in p["items"].items()} | {k: v for k, v in p["yes_no"].items()}
    relations = _relations(d, st.data, label[column], column, p["breakdowns"])
    assert _pinned_classes(st.data, st.design.weights, column, relations) == []


def test_published_intervals_are_those_of_the_rounded_shares(example_run):
    """An interval's two bounds would give its share back (logit: the midpoint of their logits),
    finer than the share's own rounding. The report computes each interval around the rounded share,
    so the bounds add nothing to what the share says; and since the example has weight classes of 1
    to 4 answers, from its base and the report's one design effect (``deff``, the same in every row,
    rule decision 9), never from the answers' variance."""
    import math

    from evaluatie.stats.intervals import design_interval

    d, p, st = example_run
    full = st.design.by("plan_type").proportion("q_execution_top2", "ja", ci=p["ci"]).set_index("plan_type")
    bd = _table(d, "breakdown_plan_type")
    bd = bd[bd["variable"] == "q_execution_top2"].set_index("plan_type")
    whole = _table(d, "likert_top2").set_index("variable")
    (deff,) = set(whole["deff"])
    assert deff == 0.8  # the research's number for the example (docs/disclosure_plan.md)
    for g, row in bd.iterrows():
        r = round(float(full.loc[g, "estimate"]), 3)
        se = math.sqrt(deff * r * (1 - r) / full.loc[g, "n"])
        lo, hi = design_interval(r, se, full.loc[g, "df"], full.loc[g, "n"], p["ci"], p["conf"])
        assert (row["estimate"], row["ci_low"], row["ci_high"]) == (r, round(float(lo), 3), round(float(hi), 3))
    assert whole["estimate"].map(lambda x: round(x, 3) == x).all() and whole["se"].map(lambda x: round(x, 3) == x).all()


def test_a_decision_that_runs_out_of_nodes_withholds_every_cell(example_run, monkeypatch):
    """The attack of the decision has a fixed number of branch-and-bound nodes (deterministic, unlike
    a time limit): a share it cannot finish has every cell withheld, never one too few."""
    from evaluatie.analyses.survey import weighted

    _, p, st = example_run
    decide = dict(breakdowns=list(p["breakdowns"]), indicators=["q_execution_top2"], withheld={})
    assert lk.withheld_shares(st.design, T, **decide).cells == {}  # proven safe: nothing withheld
    monkeypatch.setattr(weighted, "_BUDGET", 0)
    shares = lk.withheld_shares(st.design, T, **decide)
    assert shares.of("plan_type") == {"q_execution_top2": set(st.data["plan_type"].unique())}
    assert shares.of("sme") == {"q_execution_top2": {"kmo", "geen kmo"}}


# the audit's staff survey (tests/test_survey_crossing.py) weighted per crossing cell of department and
# location: a frame count over the respondents of the cell. R009, Productie's one respondent at the
# head office, weighs 10; Productie's 66 at the factory weigh 2.9.
CELL_FRAME = {("Directie", "Hoofdzetel"): 5, ("Onthaal", "Hoofdzetel"): 80, ("Productie", "Fabriek"): 190,
              ("Productie", "Hoofdzetel"): 10, ("Verkoop", "Fabriek"): 120}


def _audit_params(tmp: Path) -> dict:
    raw = pd.read_csv(OWN / "personeelsbevraging.csv", sep=";", dtype=str, keep_default_na=False)
    data = pd.concat([raw, pd.DataFrame(SMALL, columns=raw.columns)], ignore_index=True)
    head = data["afdeling"].isin(["Directie", "Onthaal"]) | (data["respondent"] == "R009")
    data["locatie"] = np.where(head, "Hoofdzetel", "Fabriek")
    n = data.groupby(["afdeling", "locatie"])["respondent"].transform("size")
    data["gewicht"] = [CELL_FRAME[(a, b)] / k for a, b, k in zip(data["afdeling"], data["locatie"], n)]
    path = tmp / "bevraging.csv"
    data.to_csv(path, sep=";", index=False)
    params = yaml.safe_load((OWN / "studie.yaml").read_text(encoding="utf-8"))
    params.update(data=str(path), breakdowns={"afdeling": "Afdeling", "locatie": "Locatie"}, weights="gewicht")
    return params


def test_audit_weighted_scenario_gives_r009_back_only_without_the_decision(tmp_path):
    params = _audit_params(tmp_path)
    d, _ = _run(tmp_path, None, params)
    st = lk.load_study(params["data"], params["items"], scales=params["scales"], values=params["values"],
                       yes_no=params["yes_no"], columns=[*params["breakdowns"], "gewicht"], weights="gewicht")
    data, w = st.data, st.design.weights
    assert sorted(w.round(3).unique()) == [1.667, 2.0, 2.791, 2.879, 10.0]
    by = list(params["breakdowns"])
    bd = {b: _table(d, f"breakdown_{b}") for b in by}
    # the crossing decision as before: Directie, Onthaal and both locations withheld whole; now Productie
    # too, one share at a time (each of its shares gave R009 back), and Verkoop where it would pin Directie
    whole_groups = {}
    for b, t in bd.items():
        withheld_whole = t.groupby(b)["suppressed"].all()
        whole_groups[b] = set(withheld_whole.index[withheld_whole])
    assert whole_groups == {"afdeling": {"Directie", "Onthaal", "Productie"}, "locatie": {"Fabriek", "Hoofdzetel"}}
    verkoop = bd["afdeling"][bd["afdeling"]["afdeling"] == "Verkoop"]
    assert 0 < (~verkoop["suppressed"].astype(bool)).sum() < len(verkoop)
    r009 = data["respondent"] == "R009"
    labels = {lab: col for lab, (col, _) in _indicators(params).items()}
    checked = 0
    for label, col in labels.items():
        # now: Productie's share is withheld in every indicator, and nothing published pins a unit
        assert bd["afdeling"].set_index(["afdeling", "variable"]).loc[("Productie", col), "suppressed"]
        relations = _relations(d, data, label, col, by)
        assert _pinned_classes(data, w, col, relations) == []
        # the headline alone pins nothing either (rule decision 7 is not needed here)
        assert _pinned_classes(data, w, col, relations[:1]) == []
        # before: Productie's share rounded alone (the groups withheld whole as now) gives R009's answer
        before = lk.breakdown(st.design, "afdeling", {label: (col, "ja")}, threshold=T,
                              withheld={"Directie", "Onthaal"})[0].set_index("afdeling").loc["Productie"]
        prod = (data["afdeling"] == "Productie").to_numpy()
        pinned = _pinned_classes(data, w, col, [relations[0], (prod, before)])
        answer = int((data.loc[r009, col].astype(object) == "ja").iloc[0])
        assert (10.0, 1, answer) in pinned, (label, pinned)
        checked += 1
    assert checked == 6


# --------------------------------------------------------------------------- the test statistic

def _split_data(n_a: int, yes_a: int, n_b: int, yes_b: int) -> pd.DataFrame:
    rows = [("A", "ja")] * yes_a + [("A", "nee")] * (n_a - yes_a) + [("B", "ja")] * yes_b + [("B", "nee")] * (n_b - yes_b)
    rows += [("C", "ja")] * 24 + [("C", "nee")] * 16 + [("D", "ja")] * 10 + [("D", "nee")] * 20
    return pd.DataFrame(rows, columns=["g", "q"])


def test_the_breakdown_test_does_not_give_back_a_withheld_split():
    """A Rao-Scott F over the separate groups is a function of each withheld group's counts: trying
    every split of the pooled counts (known as whole sample minus the groups shown) against the
    published F gives the withheld group back (the reviewer's attack). The breakdown tests the
    withheld groups as one pooled group, so its F is the same for every split."""
    from evaluatie.stats.survey import SurveyDesign

    true = _split_data(3, 2, 6, 4)  # A: 3 respondents (2 'ja'), B: 6 (4 'ja')
    withheld = lk.withheld_groups(true, "g", ["q"], T)
    assert withheld == {"A", "B"}
    pooled_n, pooled_yes = 9, 6
    splits = [(na, ya, pooled_n - na, pooled_yes - ya) for na in range(1, pooled_n)
              for ya in range(0, min(na, pooled_yes) + 1) if 0 <= pooled_yes - ya <= pooled_n - na]
    assert len(splits) > 20

    def published_f(data, pool):
        design = SurveyDesign(data)
        if pool:
            _, tests = lk.breakdown(design, "g", {"q": ("q", "ja")}, threshold=T, withheld=withheld)
            return float(tests["F"].iloc[0])
        return float(design.chisq("g", "q")["F"].iloc[0])

    for pool in (False, True):
        f_true = published_f(true, pool)
        matches = [sp for sp in splits if abs(published_f(_split_data(*sp), pool) - f_true) < 1e-9]
        if pool:
            assert len(matches) == len(splits)  # every split fits: nothing learnt
        else:
            assert set(matches) <= {(3, 2, 6, 4), (6, 4, 3, 2)}  # separate groups: the split is given back


def test_unweighted_pooled_share_cannot_pin_a_small_group():
    """Unweighted, the withheld groups' pooled share is the whole sample minus the groups shown: 3 'ja'
    of 3 and 6 of 6 pool to 100 % and give both back, so a further group is withheld."""
    rows = [("A", "ja")] * 3 + [("B", "ja")] * 6 + [("C", "ja")] * 24 + [("C", "nee")] * 16
    rows += [("D", "ja")] * 10 + [("D", "nee")] * 20
    data = pd.DataFrame(rows, columns=["g", "q"])
    withheld = lk.withheld_groups(data, "g", ["q"], T)
    assert {"A", "B"} < withheld
    a = Attack()
    for g in sorted(withheld):
        a.unknown(("yes", g), 0, int((data["g"] == g).sum()))
    shown = data[~data["g"].isin(withheld)]
    a.equal({("yes", g): 1 for g in withheld}, int((data["q"] == "ja").sum() - (shown["q"] == "ja").sum()))
    assert a.recovered(base={("yes", "A"): 3}, threshold=T).keys().isdisjoint({("yes", "A")})
    # with only A and B withheld, the same attack pins A
    b = Attack()
    b.unknown(("yes", "A"), 0, 3)
    b.unknown(("yes", "B"), 0, 6)
    b.equal({("yes", "A"): 1, ("yes", "B"): 1}, 9)
    assert ("yes", "A") in b.recovered(base={("yes", "A"): 3}, threshold=T)
