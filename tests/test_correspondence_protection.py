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
