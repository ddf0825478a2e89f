"""Small cells of a correspondence test: nothing withheld is published, and nothing withheld can be
recovered from what is published (issue 15, item 2; the lead's rules R1-R6 and C1-C4).

The protected party is the employer: a vacancy. Scenarios with groups of 1 to 4 vacancies, each run
through the CLI:

* ``own`` — the own study of tests/data/own_correspondence as it is: the subgroup table withholds
  *geslacht × logistiek* (3 positive reactions for 'vrouw'), which the ground totals in the other
  tables gave back by subtraction before the secondary rule (docs/disclosure_plan.md, finding 1);
* ``small`` — the same study plus a third ground *leeftijd* with 3 vacancies (2 and 1 positive
  reactions) and a sector *horeca* with 2 vacancies;
* ``audit`` (the audit's findings, two waves): subgroups by sector and by province where a sector
  lies in one province, a group tested in 2 vacancies of a reported ground, and a group tested in
  one wave only.

For ``own`` and ``small``: every output (tables/*.csv, every sheet of tables.xlsx, the text, tables and alt texts of
report.html and of the notebook's outputs) is read, and no number of a withheld ground or subgroup
appears; then :class:`evaluatie.publish.audit.Attack` is built from the published tables — the
ground totals (paired counts, positive reactions per side) minus the shown subgroups, whose pair
counts an attacker can derive from the published difference and its interval (1:1 design) — over
the withheld positive reactions per side and pair counts of every withheld subgroup and ground, and
the lead's criterion R4 is asserted with the attacker knowing every ground's and subgroup's vacancies
(they are the study's design, C1). The attack on the same study with the primary rule only (today's
behaviour before the secondary rule) recovers cells: the test can fail.
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

from evaluatie.analyses import correspondence as cs
from evaluatie.analyses.correspondence.protection import withheld_levels
from evaluatie.core.errors import DataError
from evaluatie.publish.audit import Attack, Interval, crossing
from evaluatie.publish.disclosure import protect_groups
from evaluatie.run.cli import main

REPO = Path(__file__).resolve().parents[1]
OWN = REPO / "tests" / "data" / "own_correspondence"
T = 5  # the threshold of both scenarios (the default)
Z = 1.959963984540054  # the normal quantile of the published 95% intervals
SIDES = ("ref", "grp", "b", "c", "both", "neither")  # per vacancy: callbacks per side, pair counts


def _own_rows() -> pd.DataFrame:
    return pd.read_excel(OWN / "studie.xlsx", dtype=str)


def _small_rows() -> pd.DataFrame:
    extra = [("W0", "leeftijd", "jonger", "ja", "bouw"), ("W0", "leeftijd", "ouder", "ja", "bouw"),
             ("W1", "leeftijd", "jonger", "ja", "bouw"), ("W1", "leeftijd", "ouder", "nee", "bouw"),
             ("W2", "leeftijd", "jonger", "nee", "bouw"), ("W2", "leeftijd", "ouder", "nee", "bouw"),
             ("H1", "herkomst", "Belgische naam", "ja", "horeca"), ("H1", "herkomst", "Turkse naam", "nee", "horeca"),
             ("H2", "herkomst", "Belgische naam", "ja", "horeca"), ("H2", "herkomst", "Turkse naam", "ja", "horeca")]
    return pd.concat([_own_rows(), pd.DataFrame(extra, columns=["vacature", "grond", "groep", "reactie", "sector"])],
                     ignore_index=True)


REFERENCE = {"herkomst": "Belgische naam", "geslacht": "man", "leeftijd": "jonger"}
SCENARIOS = {"own": _own_rows, "small": _small_rows}


def _truth(rows: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    """Per ``by`` (ground, and the subgroup variable's level): vacancies, positive reactions per side
    and the four pair counts, from the input (one application per side per vacancy)."""
    d = rows.assign(y=(rows["reactie"] == "ja").astype(int),
                    side=np.where(rows["groep"] == rows["grond"].map(REFERENCE), "ref", "grp"))
    v = d.pivot_table(index=["vacature", *by], columns="side", values="y", aggfunc="sum").reset_index()
    v = v.assign(b=(v["ref"] > 0) & (v["grp"] == 0), c=(v["ref"] == 0) & (v["grp"] > 0),
                 both=(v["ref"] > 0) & (v["grp"] > 0), neither=(v["ref"] == 0) & (v["grp"] == 0))
    return v.groupby(by).agg(vacancies=("vacature", "nunique"), **{s: (s, "sum") for s in SIDES}).astype(int)


@pytest.fixture(scope="module", params=list(SCENARIOS))
def scenario(request, tmp_path_factory):
    """(name, input rows, run folder)."""
    name = request.param
    rows = SCENARIOS[name]()
    d = tmp_path_factory.mktemp(name)
    rows.to_csv(d / "studie.csv", index=False)
    par = {"data": str(d / "studie.csv"),
           "columns": {"vacancy": "vacature", "ground": "grond", "group": "groep", "outcome": "reactie",
                       "sector": "sector"},
           "reference_groups": {g: REFERENCE[g] for g in rows["grond"].unique()},
           "heterogeneity": ["sector"], "bootstrap": 49}
    (d / "studie.yaml").write_text(yaml.safe_dump(par, allow_unicode=True), encoding="utf-8")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("EVALUATIE_ROOT", str(REPO))
        assert main(["run", "correspondentietest", "--params", str(d / "studie.yaml"), "--out", str(d / "out"),
                     "--quiet"]) == 0
    return name, rows, d / "out" / "studie"


def _primary(t: pd.Series) -> bool:
    """The primary rule (C1, C3): fewer than T vacancies, or 1..T-1 positive reactions on a side."""
    return t["vacancies"] < T or any(0 < t[s] < T for s in ("ref", "grp"))


# --------------------------------------------------------------------------- what is published

def _withheld_grounds(rows: pd.DataFrame) -> set[str]:
    vac = _truth(rows, ["grond"])["vacancies"]
    return set(vac[vac < T].index)


def _html_blocks(html: str) -> tuple[list[list[str]], list[str]]:
    """The rows of every table (cell texts) and every sentence outside the tables, alt texts included."""
    page = BeautifulSoup(html, "html.parser")
    for tag in page(["style", "script"]):
        tag.decompose()
    rows = [[td.get_text(" ", strip=True) for td in tr(["td", "th"])] for tr in page("tr")]
    for table in page("table"):
        table.decompose()
    blocks = [b.get_text(" ", strip=True) for b in page(["p", "li", "h1", "h2", "h3", "h4", "figcaption", "pre"])]
    blocks += [img.get("alt", "") for img in page("img")]
    return rows, [s for b in blocks for s in re.split(r"(?<=[.!?])\s+", b) if s]


def _notebook_html(path: Path) -> str:
    nb = json.loads(path.read_text(encoding="utf-8"))
    parts = []
    for cell in nb["cells"]:
        for out in cell.get("outputs", []):
            data = out.get("data", {})
            parts.append("".join(data.get("text/html", [])) or "<p>" + "".join(data.get("text/plain", [])) + "</p>")
            if "text" in out:
                parts.append("<pre>" + "".join(out["text"]) + "</pre>")
    return "\n".join(parts)


def _numbers(s: str) -> list[str]:
    return re.findall(r"\d+(?:[.,]\d+)?", s)


def test_nothing_withheld_is_published(scenario):
    """A withheld ground has no number anywhere except its 'x' (C1); a withheld subgroup neither."""
    name, rows, run = scenario
    grounds = _withheld_grounds(rows)
    het = pd.read_csv(run / "tables" / "heterogeneity.csv")
    hidden_levels = het[het["vacancies"].isna()]
    assert len(hidden_levels) == {"own": 5, "small": 6}[name]
    # CSVs: every row of a withheld ground, and every withheld subgroup row, has no number
    for f in sorted((run / "tables").glob("*.csv")):
        df = pd.read_csv(f)
        if "ground" not in df.columns:
            continue
        numeric = df.select_dtypes("number").columns
        assert df.loc[df["ground"].isin(grounds), numeric].isna().all().all(), f.name
        assert not (set(grounds) - set(df["ground"])) or f.stem in ("heterogeneity", "power"), f.name
    # tables.xlsx: no numeric cell in a row of a withheld ground or subgroup
    hidden_keys = {(r["level"], r["ground"], r["group"]) for _, r in hidden_levels.iterrows()}
    book = load_workbook(run / "tables.xlsx", read_only=True)
    for ws in book.worksheets:
        for row in ws.iter_rows(values_only=True):
            labels = {v for v in row if isinstance(v, str)}
            if labels & grounds or any(set(k) <= labels for k in hidden_keys):
                assert not [v for v in row if isinstance(v, (int, float))], (ws.title, row)
    # report.html and the notebook's outputs: table rows show 'x', sentences and alt texts no number
    for html in ((run / "report.html").read_text(encoding="utf-8"), _notebook_html(run / "notebook.ipynb")):
        table_rows, sentences = _html_blocks(html)
        for cells in table_rows:
            if set(cells) & grounds or any(set(k) <= set(cells) for k in hidden_keys):
                assert all(c == "x" or not _numbers(c) for c in cells), cells
        for s in sentences:
            if any(re.search(rf"\b{g}\b", s, flags=re.IGNORECASE) for g in grounds):
                assert set(_numbers(s)) <= {str(T)}, s
    if grounds:
        assert any("werd ook getest, maar telde minder dan 5 vacatures" in s
                   for s in _html_blocks((run / "report.html").read_text(encoding="utf-8"))[1])


# --------------------------------------------------------------------------- the attack

def _shown_pairs(r: pd.Series) -> dict[str, int]:
    """A shown subgroup's pair counts from its published row (1:1 design): the interval of the
    difference gives its delta-method SE, and SE² = (b + c − G·D²) / (G(G − 1)) with D the
    difference; b − c and both follow from the positive reactions per side."""
    g = int(r["vacancies"])
    se = (r["difference_ci_high"] - r["difference_ci_low"]) / (200 * Z)
    d = r["difference_pp"] / 100
    disc = se ** 2 * g * (g - 1) + g * d ** 2
    assert abs(disc - round(disc)) < 1e-6  # a published interval at full precision is a count
    disc, ref, grp = int(round(disc)), int(r["callbacks_reference"]), int(r["callbacks"])
    b = (disc + ref - grp) // 2
    c = disc - b
    both = ref - b
    return {"ref": ref, "grp": grp, "b": b, "c": c, "both": both, "neither": g - b - c - both}


def _attack(published_het: pd.DataFrame, totals: pd.DataFrame, vacancies: dict,
            withheld_grounds: set[str]) -> Attack:
    """Unknowns: per withheld subgroup and withheld ground the positive reactions per side and the
    pair counts (0..its vacancies, tied by the 1:1 design). Relations: per ground and subgroup
    variable, the ground's published totals minus the shown subgroups."""
    a = Attack()

    def cell(key):
        n = int(vacancies[key])
        for s in SIDES:
            a.unknown((*key, s), 0, n)
        a.equal({(*key, "ref"): 1, (*key, "b"): -1, (*key, "both"): -1}, 0)
        a.equal({(*key, "grp"): 1, (*key, "c"): -1, (*key, "both"): -1}, 0)
        a.equal({(*key, s): 1 for s in ("b", "c", "both", "neither")}, n)

    for g in withheld_grounds:
        cell((g, "*"))
    for g, part in published_het.groupby("ground"):
        hidden = part[part["ref"].isna()]
        for _, r in hidden.iterrows():
            cell((g, r["level"]))
        for s in SIDES:
            rest = int(totals.loc[g, s]) - int(part[s].dropna().sum())
            a.equal({(g, lv, s): 1 for lv in hidden["level"]}, rest)
    return a


def _check_r4(a: Attack, primary: set, secondary: set, vacancies: dict, totals: pd.DataFrame) -> tuple[dict, dict]:
    """R4: the positive reactions per side of a primary-withheld cell keep an interval of at least T
    values, or every value from 0 to its base: its vacancies, or the ground's published total of the
    same count when that is smaller (the ground's own row already says that a subgroup holds at most
    that many; C1 publishes a ground of T or more vacancies whole). Every other withheld count (a
    secondary cell's, and the pair counts, which no table publishes per subgroup) is not pinned
    exactly, unless that total is 0. Returns (recovered, pinned)."""
    bounds = a.bounds()
    base = {k: int(min(vacancies[k[:2]], totals.loc[k[0], k[2]] if k[0] in totals.index else np.inf))
            for k in bounds}
    recovered = {k: iv for k, iv in a.recovered(base=base, threshold=T).items()
                 if k[:2] in primary and k[2] in ("ref", "grp")}
    pinned = {k: iv for k, iv in bounds.items()
              if k[:2] in primary | secondary and iv.width == 0 and base[k] > 0}
    return recovered, pinned


def _published_het(run: Path) -> pd.DataFrame:
    het = pd.read_csv(run / "tables" / "heterogeneity.csv")
    shown = het["vacancies"].notna()
    pairs = pd.DataFrame([_shown_pairs(r) if s else {} for (_, r), s in zip(het.iterrows(), shown)],
                         columns=list(SIDES))
    return pd.concat([het[["ground", "level"]], pairs], axis=1)


def _published_totals(run: Path) -> pd.DataFrame:
    pc = pd.read_csv(run / "tables" / "paired_counts.csv").dropna(subset=["vacancies"]).set_index("ground")
    cr = pd.read_csv(run / "tables" / "callback_rates.csv").dropna(subset=["callbacks"])
    cr = cr.assign(side=np.where(cr["group"] == cr["ground"].map(REFERENCE), "ref", "grp"))
    cb = cr.pivot_table(index="ground", columns="side", values="callbacks", aggfunc="sum")
    return pd.DataFrame({"ref": cb["ref"], "grp": cb["grp"], "b": pc["only_reference"], "c": pc["only_group"],
                         "both": pc["both"], "neither": pc["neither"]}).astype(int)


def test_the_attack_recovers_nothing(scenario):
    name, rows, run = scenario
    truth = _truth(rows, ["grond", "sector"])
    totals = _published_totals(run)
    ground_truth = _truth(rows, ["grond"])
    # the published totals and the pair counts derived from the shown subgroups are the true ones
    assert (totals == ground_truth.loc[totals.index, list(SIDES)]).all().all()
    het = _published_het(run)
    for _, r in het.dropna().iterrows():
        assert [int(r[s]) for s in SIDES] == truth.loc[(r["ground"], r["level"]), list(SIDES)].tolist()
    grounds = _withheld_grounds(rows)
    vacancies = {**truth["vacancies"].to_dict(), **{(g, "*"): int(ground_truth.loc[g, "vacancies"]) for g in grounds}}
    a = _attack(het, totals, vacancies, grounds)
    hidden = {(r["ground"], r["level"]) for _, r in het[het["ref"].isna()].iterrows()} | {(g, "*") for g in grounds}
    primary = {k for k in hidden if k[1] == "*" or _primary(truth.loc[k])}
    secondary = hidden - primary
    assert secondary, "the secondary rule withheld no subgroup"
    recovered, pinned = _check_r4(a, primary, secondary, vacancies, totals)
    assert recovered == {} and pinned == {}
    # the attack itself is sound: the true values satisfy every bound
    for k, iv in a.bounds().items():
        true = (ground_truth.loc[k[0], k[2]] if k[1] == "*" else truth.loc[k[:2], k[2]])
        assert iv.low <= true <= iv.high


def test_without_the_secondary_rule_the_attack_recovers_cells(scenario):
    """Today's behaviour before the secondary rule: only the primary subgroups withheld. The same
    attack then pins withheld cells exactly (own study: geslacht × logistiek, 15 vacancies)."""
    name, rows, run = scenario
    truth = _truth(rows, ["grond", "sector"])
    grounds = _withheld_grounds(rows)
    t = truth.reset_index().rename(columns={"grond": "ground", "sector": "level"})
    t = t[~t["ground"].isin(grounds)]
    primary_only = t.apply(_primary, axis=1)
    het = t[["ground", "level", *SIDES]].astype({s: "float" for s in SIDES})
    het.loc[primary_only.to_numpy(), list(SIDES)] = np.nan
    totals = _truth(rows, ["grond"]).rename_axis("ground")
    vacancies = truth["vacancies"].to_dict()
    a = _attack(het, totals, vacancies, set())
    hidden = {(r["ground"], r["level"]) for _, r in het[het["ref"].isna()].iterrows()}
    recovered, _ = _check_r4(a, hidden, set(), vacancies, totals)
    assert ("geslacht", "logistiek") in {k[:2] for k in recovered}
    exact = {k: iv.low for k, iv in a.bounds().items() if iv.width == 0 and k[2] in ("ref", "grp")}
    assert exact[("geslacht", "logistiek", "grp")] == truth.loc[("geslacht", "logistiek"), "grp"] == 3


# --------------------------------------------------------------------------- the decision per ground

def _two_waves(tmp_path: Path, keep_geslacht: int) -> cs.Study:
    """The own study as nulmeting 'A', and again as vervolgmeting 'B' with only the first
    ``keep_geslacht`` vacancies of geslacht."""
    rows = _own_rows()
    first = tmp_path / "a.csv"
    rows.to_csv(first, index=False)
    ges = rows["vacature"][rows["grond"] == "geslacht"].drop_duplicates()
    later = rows[(rows["grond"] != "geslacht") | rows["vacature"].isin(ges.head(keep_geslacht))]
    later.to_csv(tmp_path / "b.csv", index=False)
    return cs.load(str(first), data_followup=str(tmp_path / "b.csv"), waves=["A", "B"],
                   columns={"vacancy": "vacature", "ground": "grond", "group": "groep", "outcome": "reactie"},
                   reference_groups={"herkomst": "Belgische naam", "geslacht": "man"})


@pytest.mark.parametrize("keep", [1, 4])
def test_a_small_ground_is_withheld_in_its_wave_only(tmp_path, keep):
    """A ground of 1 or 4 vacancies in the later wave is withheld there only; with 1 vacancy the
    full study cannot even be analysed (no clustered interval), the reported grounds can."""
    st = _two_waves(tmp_path, keep_geslacht=keep)
    pr = cs.protect(st, T)
    assert pr.withheld == (("B", "geslacht"),)
    in_b = (pr.study.data["wave"] == "B") & (pr.study.data["ground"] == "geslacht")
    assert not in_b.any() and len(pr.study.data) == len(st.data) - 2 * keep
    assert len(cs.discrimination_table(pr.study)) == 3
    if keep == 1:
        with pytest.raises(DataError, match="minstens twee vacatures"):
            cs.discrimination_table(st)
    rates = pr.table(cs.callback_rates(pr.study), "group")
    assert list(zip(rates["wave"], rates["ground"], rates["group"])) == [
        ("A", "herkomst", "Belgische naam"), ("A", "herkomst", "Turkse naam"), ("A", "geslacht", "man"),
        ("A", "geslacht", "vrouw"), ("B", "herkomst", "Belgische naam"), ("B", "herkomst", "Turkse naam"),
        ("B", "geslacht", "man"), ("B", "geslacht", "vrouw")]
    hidden = rates.attrs["suppressed"]
    assert hidden["callbacks"].tolist() == [False] * 6 + [True] * 2 and not hidden["group"].any()
    assert rates.iloc[6:][["applications", "callbacks", "rate"]].isna().all().all()
    assert rates["applications"].iloc[:6].tolist() == [90, 90, 60, 60, 90, 90]  # integers stay integers
    wcmp = pr.table(cs.wave_comparison(pr.study), "waves")
    assert wcmp[["ground", "group"]].values.tolist() == [["herkomst", "Turkse naam"], ["geslacht", "vrouw"]]
    assert wcmp.attrs["suppressed"]["change_pp"].tolist() == [False, True] and pd.isna(wcmp["change_pp"].iloc[1])
    design = pr.table(cs.design_table(st), "ground")
    assert design["vacancies"].tolist()[:3] == [90, 60, 90] and pd.isna(design["vacancies"].iloc[3])
    assert "geslacht (B) werd ook getest" in cs.withheld_sentence(pr.withheld, st.waves, T)


def test_nothing_to_report_is_an_input_error(tmp_path):
    st = _two_waves(tmp_path, keep_geslacht=60)
    assert cs.protect(st, 60).withheld == ()
    with pytest.raises(DataError, match="minstens 91 vacatures voor minstens één grond in meting 'A'"):
        cs.protect(st, 91)


def test_a_second_level_is_not_always_enough(tmp_path):
    """Sector A (3 vacancies, 2 positive reactions for the reference) is small; protect_groups adds
    B (6 vacancies, 6 and 5 positive reactions), the smallest other sector. But the ground's total
    minus sector C gives A + B = 8 reference reactions, and B holds at most 6: A had 2 or 3. The
    decision is checked with the attack and C is withheld as well; then nothing is recovered."""
    rows = []
    for sector, n, ref_yes, grp_yes in (("A", 3, 2, 0), ("B", 6, 6, 5), ("C", 40, 15, 10)):
        for i in range(n):
            rows += [(f"{sector}{i}", "herkomst", "Belgische naam", "ja" if i < ref_yes else "nee", sector),
                     (f"{sector}{i}", "herkomst", "Turkse naam", "ja" if i < grp_yes else "nee", sector)]
    df = pd.DataFrame(rows, columns=["vacature", "grond", "groep", "reactie", "sector"])
    df.to_csv(tmp_path / "s.csv", index=False)
    st = cs.load(str(tmp_path / "s.csv"), reference_groups={"herkomst": "Belgische naam"},
                 columns={"vacancy": "vacature", "ground": "grond", "group": "groep", "outcome": "reactie",
                          "sector": "sector"})
    truth = _truth(df, ["grond", "sector"])
    totals = _truth(df, ["grond"]).rename_axis("ground")
    vacancies = truth["vacancies"].to_dict()

    def attack(hidden):
        het = truth.reset_index().rename(columns={"grond": "ground", "sector": "level"})
        het = het[["ground", "level", *SIDES]].astype({s: float for s in SIDES})
        het.loc[het["level"].isin(hidden).to_numpy(), list(SIDES)] = np.nan
        return _check_r4(_attack(het, totals, vacancies, set()), {("herkomst", "A")},
                         {("herkomst", lv) for lv in hidden if lv != "A"}, vacancies, totals)

    two = sorted(protect_groups({"A": 3, "B": 6, "C": 40}, T))
    recovered, _ = attack(two)
    assert two == ["A", "B"] and recovered[("herkomst", "A", "ref")] == Interval(2.0, 3.0)
    h = cs.heterogeneity(st, ["sector"], threshold=T)
    assert h["suppressed"].all() and h["vacancies"].isna().all()
    assert attack(["A", "B", "C"]) == ({}, {})


# --------------------------------------------------------------------------- two variables, a small group

def _pairs(n: int, ref_yes: int, grp_yes: int) -> list[tuple[int, int]]:
    """n vacancies of one reference and one group application: the first ``ref_yes`` reference and
    the first ``grp_yes`` group applications got a positive reaction."""
    return [(int(i < ref_yes), int(i < grp_yes)) for i in range(n)]


#: (wave, ground, group, sector, province, vacancies, reference's and group's positive reactions)
AUDIT = [("A", "herkomst", "Turkse naam", "bouw", "Antwerpen", 40, 20, 14),
         ("A", "geslacht", "vrouw", "zorg", "Gent", 26, 14, 14),
         ("A", "geslacht", "non-binair", "zorg", "Gent", 2, 1, 2),   # tested in 2 vacancies: withheld
         # sector nests in province: bouw is all of Antwerpen, logistiek (1 positive reaction for the
         # group: small) and zorg make up Gent, so Gent - zorg = logistiek unless more is withheld
         ("B", "herkomst", "Turkse naam", "bouw", "Antwerpen", 12, 6, 6),
         ("B", "herkomst", "Turkse naam", "logistiek", "Gent", 11, 8, 1),
         ("B", "herkomst", "Turkse naam", "zorg", "Gent", 12, 7, 6),
         ("B", "geslacht", "vrouw", "zorg", "Gent", 30, 17, 11),
         ("B", "geslacht", "derde", "zorg", "Gent", 6, 3, 2)]        # only in B (a singular model before)


def _audit_rows() -> pd.DataFrame:
    rows, v = [], 0
    for wave, ground, group, sector, province, n, ref_yes, grp_yes in AUDIT:
        for r, k in _pairs(n, ref_yes, grp_yes):
            v += 1
            for side, (label, y) in enumerate(((REFERENCE[ground], r), (group, k))):
                rows.append((wave, f"V{v:03d}", ground, label, "ja" if y else "nee", side + 1, sector, province))
    return pd.DataFrame(rows, columns=["meting", "vacature", "grond", "groep", "reactie", "sollicitatie", "sector",
                                       "provincie"])


@pytest.fixture(scope="module")
def audit_run(tmp_path_factory):
    d = tmp_path_factory.mktemp("audit")
    _audit_rows().to_csv(d / "studie.csv", index=False)
    par = {"data": str(d / "studie.csv"), "waves": ["A", "B"],
           "columns": {"wave": "meting", "vacancy": "vacature", "ground": "grond", "group": "groep",
                       "outcome": "reactie", "application": "sollicitatie", "sector": "sector",
                       "province": "provincie"},
           "reference_groups": {"herkomst": "Belgische naam", "geslacht": "man"},
           "heterogeneity": ["sector", "province"], "bootstrap": 49}
    (d / "studie.yaml").write_text(yaml.safe_dump(par, allow_unicode=True), encoding="utf-8")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("EVALUATIE_ROOT", str(REPO))
        code = main(["run", "correspondentietest", "--params", str(d / "studie.yaml"), "--out", str(d / "out"),
                     "--quiet"])
    return code, d / "out" / "studie"


def _crossing_r4(shown: dict, small: set, hidden: set) -> dict:
    """The attack on sector × province of herkomst in wave B, per side, from what is ``shown``:
    {level: (reference's, group's positive reactions)} for the shown levels of both variables. The
    attacker knows each crossing cell's applications (the design). Returns the counts that break
    R4: a small cell's or small withheld level's positive reactions held to fewer than
    min(T - 1, base) values (base: its applications, or the ground's total when smaller), any other
    withheld level's pinned to one value."""
    cells = {(s, p): (n, r, k) for w, g, _, s, p, n, r, k in AUDIT if (w, g) == ("B", "herkomst")}
    total = [sum(c[1] for c in cells.values()), sum(c[2] for c in cells.values())]
    bad = {}
    for side in (0, 1):
        cap = {c: float(n) for c, (n, _, _) in cells.items()}
        rows = {s: float(v[side]) for s, v in shown.items() if s in {c[0] for c in cells}}
        cols = {p: float(v[side]) for p, v in shown.items() if p in {c[1] for c in cells}}
        a = crossing(cap, rows, cols, float(total[side]))
        names = [c for c in cells if c in small] + [n for n in (("row", lv) for lv in hidden) if n in a] \
            + [n for n in (("column", lv) for lv in hidden) if n in a]
        for name, iv in a.bounds(names).items():
            truth = (cells[name][1 + side] if name in cells
                     else sum(v[1 + side] for c, v in cells.items() if name[1] in c))
            assert iv.low <= truth <= iv.high  # the attack is sound
            n = cells[name][0] if name in cells else sum(v[0] for c, v in cells.items() if name[1] in c)
            base = min(n, total[side])
            strict = name in small or name[1] in small
            if iv.width < (min(T - 1, base) if strict else min(1, base)):
                bad[(name, side)] = iv
    return bad


def test_two_subgroup_variables_that_cross_give_nothing_back(audit_run):
    """Audit finding: heterogeneity by sector and province. Each decided alone, the sector rows
    withheld bouw and logistiek while the province rows showed Antwerpen (= bouw) and Gent
    (= logistiek + zorg): Gent - zorg gave logistiek back exactly (11 vacancies, 8 and 1 positive
    reactions). Decided together, the attack on the crossing pins nothing."""
    code, run = audit_run
    assert code == 0
    het = pd.read_csv(run / "tables" / "heterogeneity.csv")
    het = het[het["ground"] == "herkomst"]
    shown = {r["level"]: (int(r["callbacks_reference"]), int(r["callbacks"]))
             for _, r in het.iterrows() if pd.notna(r["vacancies"])}
    hidden = set(het.loc[het["vacancies"].isna(), "level"])
    small = {("logistiek", "Gent"), "logistiek"}
    assert {"bouw", "logistiek"} <= hidden
    assert _crossing_r4(shown, small, hidden) == {}
    # before: each variable decided alone (withheld_levels), both provinces shown
    cells = [(s, p, n, r, k) for w, g, _, s, p, n, r, k in AUDIT if (w, g) == ("B", "herkomst")]
    before, alone = {}, set()
    for pos in (0, 1):
        levels = {}
        for c in cells:
            levels[c[pos]] = [a + b for a, b in zip(levels.get(c[pos], (0, 0, 0)), c[2:])]
        frame = pd.DataFrame([{"level": lv, "comparison": 0, "vacancies": n, "applications_reference": n,
                               "applications": n, "most_reference": 1, "most": 1, "callbacks_reference": r,
                               "callbacks": k, "both": min(r, k), "only_reference": r - min(r, k),
                               "only_group": k - min(r, k), "neither": n - max(r, k),  # as _pairs lays them out
                               "small": n < T or any(0 < x < T for x in (r, k))} for lv, (n, r, k) in levels.items()])
        alone |= set(withheld_levels(frame, T))
        before.update({lv: (r, k) for lv, (n, r, k) in levels.items()})
    assert alone == {"bouw", "logistiek"}
    leaks = _crossing_r4({lv: v for lv, v in before.items() if lv not in alone}, small, alone)
    assert leaks[(("logistiek", "Gent"), 1)] == Interval(1.0, 1.0)
    assert leaks[(("row", "logistiek"), 0)] == Interval(8.0, 8.0)


def test_a_small_group_in_a_reported_ground_is_left_out_everywhere(audit_run):
    """Audit finding: 'non-binair' was tested in 2 of geslacht's 28 vacancies of wave A. Its rows are
    withheld, and no published number of geslacht includes those 2 vacancies: the reference's
    positive reactions are those in vrouw's 26 vacancies (before, 15 of 28 minus vrouw's pair counts
    gave the reference's reactions in the 2 vacancies)."""
    code, run = audit_run
    assert code == 0
    t = run / "tables"
    small = "non-binair"
    for f in sorted(t.glob("*.csv")):
        df = pd.read_csv(f)
        for col in ("group", "term"):
            if col in df.columns:
                numeric = df.select_dtypes("number").columns
                assert df.loc[df[col] == small, numeric].isna().all().all(), f.name
    rates = pd.read_csv(t / "callback_rates_by_wave.csv").set_index(["wave", "ground", "group"])
    assert rates.loc[("A", "geslacht", small)].drop("is_reference", errors="ignore").isna().all()
    pc = pd.read_csv(t / "paired_counts.csv").set_index(["wave", "ground", "group"])
    vrouw = pc.loc[("A", "geslacht", "vrouw")]
    man = rates.loc[("A", "geslacht", "man")]
    assert int(man["applications"]) == int(vrouw["vacancies"]) == 26
    assert int(man["callbacks"]) == int(vrouw["only_reference"] + vrouw["both"]) == 14
    reg = pd.read_csv(t / "regression.csv").set_index(["wave", "ground", "term"])
    assert int(reg.loc[("A", "geslacht", "vrouw"), "vacancies"]) == 26
    assert reg.loc[("A", "geslacht", small), "kind"] == "group"
    ledger = pd.read_csv(t / "ledger.csv")
    assert ledger.loc[ledger["step"] == "excluded", "rows"].tolist() == [4]
    table_rows, sentences = _html_blocks((run / "report.html").read_text(encoding="utf-8"))
    assert any(s.startswith("De groep 'non-binair' (geslacht, A) werd ook getest, maar in minder dan 5 vacatures")
               for s in sentences)
    assert any(s.startswith("In totaal") and s.endswith("in de gronden en groepen waarover dit rapport resultaten "
                                                         "toont.") for s in sentences)
    for cells in table_rows:
        if small in cells:
            assert all(c == "x" or not _numbers(c) for c in cells), cells


def test_a_group_tested_in_one_wave_only_is_compared_where_it_was_tested(audit_run):
    """'derde' (geslacht) was tested in wave B only, next to vrouw in both: the fixed-effects model of
    wave A had an all-zero column for it (LinAlgError: Singular matrix) and the change between the
    waves one equal to its own dummy. Now it is compared in B, vrouw in both and between them."""
    code, run = audit_run
    assert code == 0
    reg = pd.read_csv(run / "tables" / "regression.csv")
    terms = set(zip(reg["wave"], reg["ground"], reg["term"]))
    assert ("B", "geslacht", "derde") in terms and ("A", "geslacht", "derde") not in terms
    disc = pd.read_csv(run / "tables" / "discrimination.csv").set_index(["ground", "group"])
    assert disc.loc[("geslacht", "derde"), "lpm_coef"] == pytest.approx(-1 / 6)
    wcmp = pd.read_csv(run / "tables" / "wave_comparison.csv")
    assert set(zip(wcmp["ground"], wcmp["group"])) == {("herkomst", "Turkse naam"), ("geslacht", "vrouw")}
    assert wcmp["change_pp"].notna().all()


# --------------------------------------------------------------------------- covariates (audit case c5)

MARKER = "ZZMc5Q"


def _covariate_run(tmp_path: Path, column: list[str]) -> tuple[int, Path]:
    """The own study with a covariate 'kenmerk' (``column``, one value per row), run through the CLI."""
    rows = _own_rows().assign(kenmerk=column)
    rows.to_csv(tmp_path / "studie.csv", index=False)
    par = {"data": str(tmp_path / "studie.csv"),
           "columns": {"vacancy": "vacature", "ground": "grond", "group": "groep", "outcome": "reactie",
                       "sector": "sector"},
           "reference_groups": {"herkomst": "Belgische naam", "geslacht": "man"},
           "covariates": ["kenmerk"], "heterogeneity": ["sector"], "bootstrap": 20}
    (tmp_path / "studie.yaml").write_text(yaml.safe_dump(par, allow_unicode=True), encoding="utf-8")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("EVALUATIE_ROOT", str(REPO))
        code = main(["run", "correspondentietest", "--params", str(tmp_path / "studie.yaml"), "--out",
                     str(tmp_path / "out"), "--quiet"])
    return code, tmp_path / "out"


def _published_text(out: Path) -> str:
    """Every file the run left, as text (a workbook: every cell)."""
    parts = []
    for f in sorted(p for p in out.rglob("*") if p.is_file()):
        if f.suffix == ".xlsx":
            book = load_workbook(f, read_only=True)
            parts += [str(v) for ws in book.worksheets for row in ws.iter_rows(values_only=True) for v in row]
        elif f.suffix != ".png":
            parts.append(f.read_text(encoding="utf-8", errors="replace"))
    return "\n".join(parts)


def test_text_in_a_numeric_covariate_stops_the_run_without_the_cell(tmp_path):
    """The auditor's case c5: one free text among the ages 30. Before, the run published the term
    "leeftijd: x'ZZMc5Q\"" (−82 pp: that one application) in the HTML, the CSV and the workbook."""
    ages = ["30"] * len(_own_rows())
    ages[9] = f"x'{MARKER}\""
    code, out = _covariate_run(tmp_path, ages)
    assert code == 2
    record = json.loads(next(out.glob("*/run.json")).read_text(encoding="utf-8"))
    assert record["status"] != "ok"
    message = record["error"]["evalue"]
    assert "bestand studie.csv, rij 11, kolom 'kenmerk': gevonden tekst, verwacht een getal" in message
    assert MARKER not in _published_text(out)


def test_a_small_level_of_a_covariate_has_no_term_and_no_name(tmp_path):
    """A covariate of templates A/B with one free text and a level 'C' in 3 vacancies: neither gets a
    term, a name or a number in any output; the report says why (names the covariate, not a level)."""
    rng = np.random.default_rng(5)
    column = list(rng.choice(["A", "B"], len(_own_rows())))
    column[9] = f"vrij {MARKER}"
    for i in (11, 13, 15):
        column[i] = "C"
    code, out = _covariate_run(tmp_path, column)
    assert code == 0
    text = _published_text(out)
    assert MARKER not in text
    reg = pd.read_csv(out / "studie" / "tables" / "regression.csv")
    assert set(reg.loc[reg["kind"] == "covariate", "term"]) == {"kenmerk: B"}
    _, sentences = _html_blocks((out / "studie" / "report.html").read_text(encoding="utf-8"))
    assert any(s.startswith("Om die reden aangepast: kenmerk (kleinere waarden meegeteld met de referentiewaarde")
               for s in sentences)
