"""The synthetic personnel snapshots: reproducible, in the standard schema, calibrated.

Reference values: the published shares in ``data/raw``'s streefcijfers series as copied into
``evaluatie.simulate.personnel.CALIBRATION`` (values and years documented there); the committed
example file must be exactly what the generator produces.
"""

from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from evaluatie.analyses.targets import personnel as P
from evaluatie.core.paths import resolve
from evaluatie.simulate.personnel import (
    CALIBRATION,
    DISABILITY_COUNT,
    HEADCOUNT,
    PUBLISHED,
    _allocate,
    _pick,
    simulate_personnel,
)


@pytest.fixture(scope="module")
def full():
    return simulate_personnel(seed=20240101)


@pytest.fixture(scope="module")
def shares(full):
    tab, led = P.aggregate(full, by=("date", "group"), threshold=0, definitions="both")
    return tab, led


def _share(tab, group, year, definition=None):
    sel = (tab.group == group) & (tab.year == year)
    if definition is not None:
        sel &= tab.definition == definition
    return tab[sel].iloc[0]


def test_same_seed_same_data_other_seed_other_data():
    a = simulate_personnel(seed=7, scale=0.05)
    b = simulate_personnel(seed=7, scale=0.05)
    c = simulate_personnel(seed=8, scale=0.05)
    assert list(a.columns) == list(b.columns) and all(a[k].equals(b[k]) for k in a.columns)
    assert not a.equals(c)


class _FixedUniforms:
    """Stands in for a numpy Generator in ``_pick``, which draws only ``random(n)``."""

    def __init__(self, u):
        self.u = np.asarray(u, dtype=float)

    def random(self, n):
        assert n == self.u.size
        return self.u.copy()


def test_pick_orders_by_key_then_index():
    """Efraimidis-Spirakis keys log(u)/w, largest first; equal keys in index order. The order is
    what later draws are assigned along (countries, disability categories), so it must not depend
    on the numpy implementation (``np.argpartition`` leaves it open)."""
    u = [0.5, 0.9, 0.5, 0.2, 0.5, 0.9, 0.5]
    w = np.ones(7)
    assert _pick(_FixedUniforms(u), 4, w).tolist() == [1, 5, 0, 2]
    assert _pick(_FixedUniforms(u), 7, w).tolist() == [1, 5, 0, 2, 4, 6, 3]
    assert _pick(_FixedUniforms(u), 0, w).tolist() == []
    # against a pure-Python reference on random keys and weights
    rng = np.random.default_rng(1)
    u, w = rng.random(500), rng.random(500) * 3
    keys = np.log(u) / w
    ref = sorted(range(500), key=lambda i: (-keys[i], i))[:120]
    assert _pick(_FixedUniforms(u), 120, w).tolist() == ref


def test_allocate_gives_equal_remainders_to_the_lower_index():
    """Largest remainder: 500 seats over 1,000 equal weights go to the first 500 (numpy 1.26's
    default argsort gave them to others)."""
    alloc = _allocate(500, np.ones(1000))
    assert alloc.tolist() == [1] * 500 + [0] * 500
    assert _allocate(10, np.array([1.0, 2.0, 2.0]), minimum=1).tolist() == [2, 4, 4]
    assert _allocate(7, np.array([1.0, 1.0, 1.0])).tolist() == [3, 2, 2]


def test_shape_schema_and_structure(full, shares):
    _, led = shares
    assert led.read == len(full) and led.analysed == len(full)   # nothing excluded
    assert set(P.STANDARD_COLUMNS) - set(full.columns) == {"grandparents_non_eu", "grade"}
    assert full["entity"].nunique() == 75 and full["policy_domain"].nunique() == 11
    assert sorted(full["date"].dt.year.unique()) == list(range(2016, 2024))
    assert (full["date"].dt.month == 12).all() and (full["date"].dt.day == 31).all()
    per_year = full.groupby(full["date"].dt.year).size()
    assert per_year.to_dict() == HEADCOUNT
    assert not full.duplicated(["employee_id", "date"]).any()
    assert full.attrs["synthetic"] is True


def test_turnover_between_snapshots(full):
    ids = {y: set(g) for y, g in full.groupby(full["date"].dt.year)["employee_id"]}
    stay = len(ids[2016] & ids[2017]) / len(ids[2016])
    assert 0.85 < stay < 0.97                      # a realistic yearly outflow of 3-15%
    assert len(set(full["employee_id"])) > 50_000  # new hires over the years


@pytest.mark.parametrize("group", ["foreign_origin", "disability_chronic_illness", "women_total"])
def test_calibrated_whole_organisation_groups_match_to_rounding(shares, group):
    tab, _ = shares
    definition = {"foreign_origin": "new_2016", "disability_chronic_illness": "new_2016", "women_total": ""}[group]
    for year, target in CALIBRATION[group].items():
        r = _share(tab, group, year, definition)
        # the generator fixes the count to round(target × headcount): 1 person of tolerance
        assert abs(r.share_pct - target) <= 100 / r.denominator + 1e-9, (group, year, r.share_pct, target)


def test_published_disability_headcounts_exact(shares):
    tab, _ = shares
    for year, n in DISABILITY_COUNT.items():
        assert _share(tab, "disability_chronic_illness", year, "new_2016").numerator == n


@pytest.mark.parametrize("group, posts_tol", [("women_top", 2), ("women_middle", 2), ("women_lower", 3)])
def test_calibrated_management_shares_within_a_few_persons(shares, group, posts_tol):
    tab, _ = shares
    for year, target in CALIBRATION[group].items():
        r = _share(tab, group, year)
        assert abs(r.share_pct - target) <= posts_tol * 100 / r.denominator, (group, year, r.share_pct, target)
    # published denominators and numerators (2017: 18/77 top, 92/260 middle; 2018: 86/228 middle)
    assert (_share(tab, "women_top", 2017).numerator, _share(tab, "women_top", 2017).denominator) == (18, 77)
    if group == "women_middle":
        assert (_share(tab, group, 2017).numerator, _share(tab, group, 2017).denominator) == (92, 260)
        assert (_share(tab, group, 2018).numerator, _share(tab, group, 2018).denominator) == (86, 228)


def test_overlap_year_2016_old_definition(shares):
    tab, _ = shares
    r = _share(tab, "migration_background", 2016, "old_non_eu")
    assert r.share_pct == pytest.approx(5.4, abs=0.05)   # published 2016: 5,4% (old) vs 8,9% (new)


def test_2016_age_and_level_structure(shares):
    tab, _ = shares
    assert _share(tab, "experienced_45plus", 2016).share_pct == pytest.approx(47.7, abs=0.2)
    assert _share(tab, "experienced_55plus", 2016).share_pct == pytest.approx(19.7, abs=0.2)
    assert _share(tab, "low_educated", 2016, "new_2016").share_pct == pytest.approx(18.4, abs=0.1)


def test_between_entity_variation(full):
    tab, _ = P.aggregate(full, by=("date", "entity", "group"), threshold=0)
    fo = tab[(tab.group == "foreign_origin") & (tab.year == 2020) & (tab.denominator >= 200)]
    assert fo.share_pct.std() > 2.0                     # entities differ clearly
    assert fo.share_pct.min() < 8 and fo.share_pct.max() > 14
    sizes = tab[(tab.group == "women_total") & (tab.year == 2020)].denominator
    assert sizes.min() < 100 and sizes.max() > 2000


def test_published_values_are_marked():
    assert PUBLISHED["foreign_origin"] == {2016, 2017, 2018, 2019, 2020, 2023}
    assert CALIBRATION["foreign_origin"][2023] == 13.9


def test_committed_example_file_is_the_generator_output(full):
    path = resolve("data/example/personnel.parquet")
    ex = pd.read_parquet(path)
    assert list(ex.columns) == list(full.columns)
    differ = [c for c in full.columns if not (ex[c].dtype == full[c].dtype and ex[c].equals(full[c]))]
    assert not differ, f"regenerate with `python -m evaluatie.simulate.personnel`; differ: {differ}"
    assert path.stat().st_size < 5_000_000


def test_one_command_regenerates_every_example_file(tmp_path):
    """``python -m evaluatie.simulate`` (data/README.md's regeneration command) writes exactly the
    files of ``data/example/``, with the committed content, under the project root it is given."""
    env = {**os.environ, "EVALUATIE_ROOT": str(tmp_path)}
    out = subprocess.run([sys.executable, "-m", "evaluatie.simulate"], env=env, capture_output=True, text=True,
                         check=True).stdout.split()
    committed = resolve("data/example")
    assert sorted(out) == sorted(f"data/example/{p.name}" for p in committed.iterdir())
    for name in out:
        new, old = tmp_path / name, committed / name.removeprefix("data/example/")
        if new.suffix == ".csv":
            assert new.read_bytes() == old.read_bytes(), name
    assert pd.read_parquet(tmp_path / "data/example/personnel.parquet").equals(pd.read_parquet(committed / "personnel.parquet"))


def test_published_calibration_values_equal_the_raw_published_series():
    raw = pd.read_csv(resolve("data/raw/streefcijfers_vlaamse_overheid_2014_2023.csv"))
    for group, years in PUBLISHED.items():
        key = "migration_background" if group == "migration_background_2016" else group
        for year in years:
            sel = (raw.group_key == key) & (raw.year == year)
            if key == "migration_background":
                sel &= raw.definition == "old_non_eu"
            assert sel.sum() == 1, (group, year)
            assert CALIBRATION[group][year] == pytest.approx(raw.loc[sel, "share_pct"].item()), (group, year)
    for year, n in DISABILITY_COUNT.items():
        sel = (raw.group_key == "disability_chronic_illness") & (raw.year == year)
        assert raw.loc[sel, "numerator"].item() == n
    sel = (raw.group_key == "women_middle") & (raw.year.isin([2017, 2018]))
    assert raw.loc[sel, "denominator"].tolist() == [260, 228]


def test_synthetic_label_travels_to_the_aggregate():
    tab, _ = P.aggregate_file("data/example/personnel.parquet", by=("date", "group"))
    assert tab.attrs["synthetic"] is True
    plain = pd.read_parquet(resolve("data/example/personnel.parquet"))
    plain.attrs = {}
    assert P.aggregate(plain, by=("date", "group"))[0].attrs["synthetic"] is False
