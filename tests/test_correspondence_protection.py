"""What a correspondence test withholds within a reported ground: small compared groups
(:func:`evaluatie.analyses.correspondence.protect`), subgroup variables decided together where they
cross (:func:`evaluatie.analyses.correspondence.protection.withheld_subgroups`), and the models when a
group is tested in one wave only. The end-to-end audit of a whole run is in
``tests/test_disclosure_correspondence.py``."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from evaluatie.analyses import correspondence as cs
from evaluatie.analyses.correspondence import protection
from evaluatie.analyses.correspondence.clusters import _tables
from evaluatie.analyses.correspondence.models import _lpm_sums
from evaluatie.publish import audit
from evaluatie.publish.audit import crossing

T = 5


def _rows(spec, seed=0):
    """spec: (wave, ground, reference, group, vacancies, p_reference, p_group, extra columns)."""
    rng = np.random.default_rng(seed)
    rows, v = [], 0
    for wave, ground, ref, group, n, pr, pk, extra in spec:
        for _ in range(n):
            v += 1
            for label, p in ((ref, pr), (group, pk)):
                rows.append({"wave": wave, "vacancy": f"v{v}", "ground": ground, "group": label,
                             "outcome": int(rng.random() < p), **extra})
    return pd.DataFrame(rows)


def _load(df, tmp_path, name="s.csv", **kw):
    df.to_csv(tmp_path / name, index=False)
    cols = {c: c for c in df.columns}
    return cs.load(str(tmp_path / name), columns=cols, **kw)


# --------------------------------------------------------------------------- small groups

def test_a_group_in_fewer_than_threshold_vacancies_is_left_out_with_its_vacancies(tmp_path):
    df = _rows([("A", "geslacht", "man", "vrouw", 26, .5, .5, {}), ("A", "geslacht", "man", "x", 2, 1, 1, {}),
                ("A", "leeftijd", "jong", "oud", 5, .5, .5, {}), ("A", "leeftijd", "jong", "x2", 1, .5, .5, {}),
                ("B", "geslacht", "man", "vrouw", 30, .5, .4, {})])
    st = _load(df, tmp_path, waves=["A", "B"], reference_groups={"geslacht": "man", "leeftijd": "jong"})
    pr = cs.protect(st, T)
    # leeftijd keeps 5 vacancies once x2 is out: reported; x and x2 withheld, in the study's order
    assert pr.withheld == () and pr.withheld_groups == (("A", "geslacht", "x"), ("A", "leeftijd", "x2"))
    d = pr.study.data
    assert not d["group"].isin(["x", "x2"]).any()
    assert d.groupby(["wave", "ground"], observed=True)["cluster"].nunique().to_dict() == {
        ("A", "geslacht"): 26, ("A", "leeftijd"): 5, ("B", "geslacht"): 30}
    # the reference's applications in x's vacancies went too: the reference pools only vrouw's vacancies
    rates = pr.table(cs.callback_rates(pr.study), "group").set_index(["wave", "ground", "group"])
    pc = cs.paired_counts(pr.study).set_index(["wave", "ground", "group"]).loc[("A", "geslacht", "vrouw")]
    assert rates.loc[("A", "geslacht", "man"), "callbacks"] == pc["only_reference"] + pc["both"]
    assert rates.loc[("A", "geslacht", "x"), ["applications", "callbacks", "rate"]].isna().all()
    assert rates.attrs["suppressed"].loc[rates.index.get_loc(("A", "geslacht", "x")), "callbacks"]
    disc = pr.table(cs.discrimination_table(pr.study), "comparison")
    assert disc[disc["group"] == "x"]["difference_pp"].isna().all() and len(disc[disc["group"] == "x"]) == 1
    reg = pr.table(cs.regression_table(pr.study), "term")
    assert list(reg[(reg["wave"] == "A") & (reg["ground"] == "geslacht")]["term"]) == ["vrouw", "x"]
    # the ledger says what was left out: x (2 vacancies x 2) and x2 (1 x 2), the reference included
    led = pr.study.ledgers[0]
    assert led.exclusions[protection.LEFT_OUT] == 6 and led.analysed == len(d)
    assert st.ledgers[0].exclusions == {}  # the study as read keeps its own
    s = cs.withheld_sentence(pr.withheld, st.waves, T, pr.withheld_groups)
    assert s.startswith("De groepen 'x' (geslacht, A) en 'x2' (leeftijd, A) werden ook getest, maar in minder dan 5")
    assert s.endswith("tellen die vergelijkingen ook niet mee in de andere cijfers van hun discriminatiegrond.")
    assert cs.reported_scope(pr.withheld, pr.withheld_groups).startswith(", in de gronden en groepen")


def test_a_ground_left_with_too_few_vacancies_is_withheld_and_the_ledger_follows_the_files(tmp_path):
    """A ground of 6 vacancies of which 2 tested a small group keeps 4: the ground is withheld (its
    own sentence, not the group's). With one file per wave each file's ledger counts its own rows."""
    a = _rows([("A", "geslacht", "man", "vrouw", 30, .5, .5, {}), ("A", "leeftijd", "jong", "oud", 4, .5, .5, {}),
               ("A", "leeftijd", "jong", "x", 2, .5, .5, {})]).drop(columns="wave")
    b = _rows([("B", "geslacht", "man", "vrouw", 20, .5, .5, {}), ("B", "geslacht", "man", "y", 3, .5, .5, {})],
              seed=1).drop(columns="wave")
    a.to_csv(tmp_path / "a.csv", index=False)
    b.to_csv(tmp_path / "b.csv", index=False)
    st = cs.load(str(tmp_path / "a.csv"), data_followup=str(tmp_path / "b.csv"), waves=["A", "B"],
                 reference_groups={"geslacht": "man", "leeftijd": "jong"})
    pr = cs.protect(st, T)
    assert pr.withheld == (("A", "leeftijd"),) and pr.withheld_groups == (("B", "geslacht", "y"),)
    assert [led.exclusions.get(protection.LEFT_OUT, 0) for led in pr.study.ledgers] == [12, 6]
    design = pr.table(cs.design_table(st), "ground")
    assert design["vacancies"].isna().tolist() == [False, True, False]


# --------------------------------------------------------------------------- a group in one wave only

def test_the_models_compare_a_group_only_in_the_waves_it_was_tested(tmp_path):
    """Ground geslacht compares vrouw in both waves and x in wave A only: the fixed-effects model of
    wave B had an all-zero column for x (LinAlgError: Singular matrix), and the difference in
    differences an interaction equal to x's dummy. The model from the cluster tables still equals
    the row-level one, and the change for vrouw is what the two waves' gaps say."""
    df = _rows([("A", "geslacht", "man", "vrouw", 40, .5, .4, {}), ("A", "geslacht", "man", "x", 12, .6, .3, {}),
                ("B", "geslacht", "man", "vrouw", 40, .5, .3, {})], seed=3)
    st = _load(df, tmp_path, waves=["A", "B"], reference_groups={"geslacht": "man"})
    T_ = _tables(st)
    for w in ("A", "B"):
        fast = _lpm_sums(T_, w, "geslacht", "man").set_index("term")
        slow = cs.lpm_fe(st, "geslacht", wave=w).set_index("term")
        assert list(fast.index) == list(slow.index) == (["group[vrouw]", "group[x]"] if w == "A" else ["group[vrouw]"])
        assert np.allclose(fast[["coef", "se"]], slow[["coef", "se"]], rtol=1e-10, atol=1e-12)
    disc = cs.discrimination_table(st)
    assert disc["lpm_coef"].notna().all() and len(disc) == 3
    w = cs.wave_comparison(st)
    assert list(w["group"]) == ["vrouw"]
    gap = cs.compare_groups(st).set_index(["wave", "group"])["difference_pp"]
    assert w["change_pp"].iloc[0] == pytest.approx(-(gap[("B", "vrouw")] - gap[("A", "vrouw")]))


# --------------------------------------------------------------------------- variables that cross

def _crossed(tmp_path, spec):
    """One ground; spec: (sector, province, vacancies, p_reference, p_group)."""
    df = _rows([("A", "herkomst", "BE", "TR", n, pr, pk, {"sector": s, "province": p}) for s, p, n, pr, pk in spec],
               seed=5)
    return _load(df.drop(columns="wave"), tmp_path, reference_groups={"herkomst": "BE"})


def test_a_small_crossing_cell_of_two_shown_levels_is_protected(tmp_path):
    """Limburg is all sector X; X has 2 more vacancies in Antwerpen. Every level is large, so each
    variable alone withholds nothing, yet X minus Limburg is the cell (X, Antwerpen) of 2 vacancies.
    Deciding the variables together withholds X (the smaller of the two that hold the cell) and with
    it Y (else X would be the ground minus Y); the attack then leaves the cell every value."""
    st = _crossed(tmp_path, [("X", "Limburg", 20, .5, .5), ("X", "Antwerpen", 2, 1, 1), ("Y", "Antwerpen", 40, .5, .4)])
    h = cs.heterogeneity(st, ["sector", "province"], threshold=T)
    alone = cs.heterogeneity(st, ["sector"], threshold=T)
    assert not alone["suppressed"].any()  # one variable: nothing to withhold
    hidden = set(zip(h.loc[h["suppressed"], "variable"], h.loc[h["suppressed"], "level"]))
    assert hidden == {("sector", "X"), ("sector", "Y")}
    # the attack on what is published: X's positive reactions in Antwerpen are not pinned
    d = st.data
    for side, label in ((0, "BE"), (1, "TR")):
        sub = d[d["group"] == label]
        cap = sub.groupby(["sector", "province"]).size().astype(float).to_dict()
        shown = h[~h["suppressed"]].set_index("level")["callbacks_reference" if side == 0 else "callbacks"]
        a = crossing(cap, {}, {p: float(shown[p]) for p in ("Limburg", "Antwerpen")}, float(sub["outcome"].sum()))
        iv = a.bounds([("X", "Antwerpen")])[("X", "Antwerpen")]
        assert iv.width == 2
        # before: both sectors shown, and the cell is pinned
        before = crossing(cap, {s: float(sub.loc[sub["sector"] == s, "outcome"].sum()) for s in ("X", "Y")},
                          {p: float(shown[p]) for p in ("Limburg", "Antwerpen")}, float(sub["outcome"].sum()))
        assert before.bounds([("X", "Antwerpen")])[("X", "Antwerpen")].width == 0


def test_variables_that_nest_are_checked_by_their_nesting_lines(tmp_path):
    """The audit's layout: bouw is all of Antwerpen, logistiek (1 positive reaction for the group)
    and zorg all of Gent. Sector alone withholds bouw and logistiek; Antwerpen would give bouw back and
    Gent minus zorg logistiek, so both provinces are withheld too."""
    spec = [("bouw", "Antwerpen", 12, .5, .5), ("logistiek", "Gent", 11, .7, 0), ("zorg", "Gent", 12, .6, .5)]
    st = _crossed(tmp_path, spec)
    d = st.data
    assert d[(d["sector"] == "logistiek") & (d["group"] == "TR")]["outcome"].sum() == 0
    st.data.loc[st.data.index[(d["sector"] == "logistiek") & (d["group"] == "TR")][0], "outcome"] = 1
    h = cs.heterogeneity(st, ["sector", "province"], threshold=T)
    assert dict(zip(h["level"], h["suppressed"])) == {"bouw": True, "logistiek": True, "zorg": False,
                                                      "Antwerpen": True, "Gent": True}


def _random_cells(rng, n_a, n_b):
    rows = []
    for a in range(n_a):
        for b in range(n_b):
            if rng.random() < 0.3:
                continue
            n = int(rng.integers(1, 15))
            r, k = int(rng.binomial(n, rng.uniform(.1, .9))), int(rng.binomial(n, rng.uniform(.1, .9)))
            rows.append({"level_a": f"a{a}", "level_b": f"b{b}", "vacancies": n, "callbacks_reference": r,
                         "callbacks": k})
    return rows


@pytest.mark.parametrize("seed", [5, 7, 9, 14])  # grounds where the crossing withholds more
def test_the_shortcut_never_changes_the_decision(seed, monkeypatch):
    """The shortcut of :func:`evaluatie.publish.audit.crossing_pinned` (a solution other than the truth,
    found by moving reactions around a cycle; tests/test_audit.py checks its bound against the attack's
    width) skips only attacks that cannot change the decision: on a random ground with two crossing
    variables the decision with the attack run for every name (no truth given) is the same."""
    rng = np.random.default_rng(seed)
    cells = _random_cells(rng, 4, 3)
    # the decision on a random ground with two crossing variables, with and without the shortcut
    spec = [(c["level_a"], c["level_b"], c["vacancies"], c["callbacks_reference"] / c["vacancies"],
             c["callbacks"] / c["vacancies"]) for c in cells]
    df = pd.DataFrame([{"vacancy": f"v{i}-{j}", "ground": "g", "group": lab, "outcome": int(j < (r if lab == "R" else k)),
                        "sector": s, "province": p}
                       for i, (s, p, n, pr, pk) in enumerate(spec) for j in range(n)
                       for lab, r, k in (("R", round(pr * n), round(pk * n)), ("K", round(pr * n), round(pk * n)))])
    st = cs.prepare(df, reference_groups={"g": "R"})
    fast = cs.heterogeneity(st, ["sector", "province"], threshold=T)["suppressed"].tolist()
    monkeypatch.setattr(protection, "crossing_pinned", lambda *a, truth=None, **k: audit.crossing_pinned(*a, **k))
    assert cs.heterogeneity(st, ["sector", "province"], threshold=T)["suppressed"].tolist() == fast
