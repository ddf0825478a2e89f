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
    assert not bd.loc[~bd[BY].isin([PRIMARY, SECONDARY]), "suppressed"].any()
    assert hidden["p_value"].notna().all()  # the Rao-Scott test stays, with the withheld groups pooled
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


def _count_attack(d: Path, published: pd.DataFrame, hidden: list[str], weighted: bool) -> Attack:
    """Integer unknowns per hidden group and indicator: its base ``n`` and its count ``k`` of positive
    answers; per group its number of respondents. Relations from the run's published tables: the
    whole-sample base and count (``n_level``, and unweighted the full-precision share times the base)
    minus the shown groups' bases and counts; each count within its base and each base within its group; the
    hidden groups' respondents are the analysed respondents (ledger) minus the shown groups, who
    number at least their largest base."""
    a = Attack()
    whole = _whole(d)
    shown = published[~published.index.get_level_values(0).isin(hidden)]
    for g in hidden:
        a.unknown(("size", g))
    for ind, w in whole.iterrows():
        rest = shown.xs(ind, level="indicator")
        for g in hidden:
            a.unknown(("n", g, ind))
            a.unknown(("k", g, ind))
            a.between({("k", g, ind): 1, ("n", g, ind): -1}, -np.inf, 0)
            a.between({("n", g, ind): 1, ("size", g): -1}, -np.inf, 0)
        a.equal({("n", g, ind): 1 for g in hidden}, w["n"] - rest["n"].sum())
        a.equal({("k", g, ind): 1 for g in hidden}, w["n_level"] - rest["n_level"].sum())
        if not weighted:
            a.equal({("k", g, ind): 1 for g in hidden}, round(w["estimate"] * w["n"]) - rest["n_level"].sum())
    ledger = _table(d, "ledger")
    analysed = ledger.loc[ledger["step"] == "analysed", "rows"].iloc[0]
    largest = shown.groupby(level=0)["n"].max()
    a.between({("size", g): 1 for g in hidden}, 0, analysed - largest.sum())
    return a


def _share_attack(d: Path, published: pd.DataFrame, hidden: list[str], approximate: float = 1.0,
                  margin: str = BY) -> Attack:
    """Weighted shares in percent (continuous unknowns) per hidden group and indicator; relation per
    indicator: the whole-sample share = sum over the groups of ``margin`` of calibrated share x group
    share. That is exact for a breakdown by a raking margin when every respondent answered (the
    calibrated shares are those of all respondents); with answers missing it holds within
    ``approximate`` percentage points (the example survey: within 0.54, docs/disclosure_plan.md
    finding 3)."""
    a = Attack()
    wt = _table(d, "weighting")
    cal = wt[wt["margin"] == margin].set_index("level")["calibrated_share"]
    whole = _whole(d)
    ledger = _table(d, "ledger")
    analysed = ledger.loc[ledger["step"] == "analysed", "rows"].iloc[0]
    for ind, w in whole.iterrows():
        rest = published.xs(ind, level="indicator")
        rest = rest[~rest.index.isin(hidden)]
        for g in hidden:
            a.unknown(("p", g, ind), 0, 100, integer=False)
        known = float((cal[rest.index] * rest["estimate"] * 100).sum())
        a.equal({("p", g, ind): float(cal[g]) for g in hidden}, w["estimate"] * 100 - known,
                1e-6 if w["n"] == analysed else approximate)
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
    hidden = sorted(published.index[published["suppressed"]].get_level_values(0).unique())
    assert hidden == [PRIMARY, SECONDARY]
    a = _count_attack(d, published, hidden, "frame" in params)
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
    a = _count_attack(d, once, [PRIMARY], "frame" in params)
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
    a = _share_attack(d, published, [PRIMARY, SECONDARY])
    assert a.recovered(base={name: len(SMALL) for name in a.names if name[1] == PRIMARY}) == {}
    assert _check(a, {name: len(SMALL) for name in a.names if name[1] == PRIMARY}, PRIMARY) == []
    truth = _truth(params)
    for (_, g, ind), iv in a.bounds().items():
        assert iv.low - 1e-6 <= truth.loc[(g, ind), "estimate"] * 100 <= iv.high + 1e-6
    # the same relations with Onthaal's shares published (no secondary suppression) pin Directie's share
    # of the question everybody answered: 2 of 3 work from home
    once = _share_attack(d, _truth(params, withheld=frozenset({PRIMARY})), [PRIMARY])
    pinned = once.recovered(base={name: len(SMALL) for name in once.names})
    iv = pinned[("p", PRIMARY, params["yes_no"]["thuiswerk"])]
    assert iv.width < 1e-3 and iv.low - 1e-4 <= 200 / 3 <= iv.high + 1e-4


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
    assert not _table(d, "breakdown_sme")["suppressed"].any()
    assert "De gewichten liggen tussen" not in _outputs(d)["report.html"]
    base = {("p", "Groeiplan", ind): 3 for ind in _indicators(params)}
    base[("p", "Groeiplan", params["items"]["q_fin_added_value"]["label"])] = 2  # one answered 'weet niet'
    a = _share_attack(d, _published_breakdown(d, "plan_type"), plan_types, margin="plan_type")
    recommend = params["yes_no"]["q_recommend"]
    # every plan type withheld: the one relation left is the whole-sample share itself. 96.6 % of all
    # would recommend ("weet niet" out of the base), which alone puts Groeiplan's share at 68 % or more:
    # the headline is always published (docs/disclosure_plan.md, rule decision 7). Nothing else is pinned.
    assert _whole(d).loc[recommend, "estimate"] > 0.96
    assert {k for k in a.recovered(base=base) if k[1] == "Groeiplan"} == {("p", "Groeiplan", recommend)}
    assert min(iv.width for k, iv in a.bounds().items() if k[1] != "Groeiplan") > 0
    truth = _truth(params, frozenset({"Groeiplan"}), "plan_type")
    # S2 alone: Groeiplan and Clusterplan withheld, the other two published
    s2 = _share_attack(d, truth, ["Groeiplan", "Clusterplan"], margin="plan_type")
    assert ("p", "Groeiplan", recommend) in s2.recovered(base=base)
    # primary only: the shares of the questions every organisation answered are pinned
    once = _share_attack(d, truth, ["Groeiplan"], margin="plan_type")
    pinned = once.recovered(base=base)
    assert {("p", "Groeiplan", lab) for lab in params["yes_no"].values()} <= set(pinned)


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
