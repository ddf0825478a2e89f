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
