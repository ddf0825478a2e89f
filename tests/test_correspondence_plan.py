"""The report's sample-size planner (issue 17 item 5): every comparison is planned (the current gap,
half of it, a sector target; a ground without a gap says so), with the exact McNemar test the report
uses, and the smallest gap the budget can show."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from evaluatie.analyses import correspondence as cs
from evaluatie.analyses.correspondence import power as pw


@pytest.mark.parametrize("p10,p01", [(0.10, 0.05), (0.121, 0.065), (0.25, 0.10), (56 / 480, 45 / 480)])
def test_power_curve_equals_the_power_at_each_n(p10, p01):
    ns = np.array([1, 5, 17, 60, 333, 1001, 4000])
    curve = cs.exact_power_curve(ns, p10, p01)
    assert np.allclose(curve, [cs.mcnemar_exact_power(int(n), p10, p01) for n in ns], rtol=0, atol=1e-12)


@pytest.mark.parametrize("p10,p01", [(0.10, 0.05), (0.30, 0.24), (56 / 480, 45 / 480)])
def test_exact_sample_size_by_blocks_equals_the_scan_one_n_at_a_time(p10, p01):
    n = max(1, int(0.9 * cs.mcnemar_sample_size(p10, p01)))
    while cs.mcnemar_exact_power(n, p10, p01) < 0.8:
        n += 1
    assert cs.mcnemar_exact_sample_size(p10, p01) == n


def test_detectable_gap_is_the_smallest_gap_reaching_the_power():
    psi = 101 / 480  # the example's latest wave: 56 + 45 discordant vacancies of 480
    d = cs.detectable_gap(480, psi)
    assert d == pytest.approx(0.0601, abs=5e-4)
    assert cs.mcnemar_exact_power(480, (psi + d) / 2, (psi - d) / 2) >= 0.8
    assert cs.mcnemar_exact_power(480, (psi + d - 1e-3) / 2, (psi - d + 1e-3) / 2) < 0.8
    assert math.isnan(cs.detectable_gap(10, 0.05))  # too few vacancies: no gap can be shown
    assert math.isnan(cs.detectable_gap(480, 0.0))


def test_detectable_change_is_the_smallest_reduction_reaching_the_power():
    d = cs.detectable_change(56 / 480, 45 / 480, 480, 480)
    power = cs.wave_change_power(480, -100 * d, p_only_reference=56 / 480, p_only_group=45 / 480, n_base=480)
    below = cs.wave_change_power(480, -100 * (d - 1e-3), p_only_reference=56 / 480, p_only_group=45 / 480,
                                 n_base=480)
    assert power >= 0.8 > below
    assert d > 56 / 480 - 45 / 480  # more than the whole current gap: why 'niet haalbaar' was all the old table said


def _cmp():
    return pd.DataFrame([
        {"ground": "herkomst", "group": "Turkse naam", "vacancies": 90, "only_reference": 20, "only_group": 3},
        {"ground": "geslacht", "group": "vrouw", "vacancies": 60, "only_reference": 7, "only_group": 8},
    ])


def test_plan_table_plans_the_current_gap_half_of_it_and_the_target():
    plan = cs.plan_table(_cmp(), target_gap_pp=5)
    her = plan[plan["ground"] == "herkomst"].set_index("plan")
    assert list(her.index) == ["current", "half", "target"]
    p10, p01 = 20 / 90, 3 / 90
    assert her.loc["current", "gap_plan_pp"] == pytest.approx(100 * (p10 - p01))
    assert her.loc["current", "vacancies_needed"] == cs.mcnemar_exact_sample_size(p10, p01)
    assert her.loc["current", "vacancies_needed_asymptotic"] == cs.mcnemar_sample_size(p10, p01)
    assert her.loc["half", "gap_plan_pp"] == pytest.approx(her.loc["current", "gap_plan_pp"] / 2)
    assert her.loc["half", "vacancies_needed"] > her.loc["current", "vacancies_needed"]
    # the same discordant share, the planned gap: p10 − p01 = gap, p10 + p01 = ψ
    psi = p10 + p01
    a, b = (psi + 0.05) / 2, (psi - 0.05) / 2
    assert her.loc["target", "vacancies_needed"] == cs.mcnemar_exact_sample_size(a, b)
    assert her.loc["target", "power_at_budget"] == pytest.approx(cs.mcnemar_exact_power(90, a, b), abs=1e-12)
    assert (her["budget"] == 90).all() and her["detectable_gap_pp"].nunique() == 1
    # the ground without a gap is planned for the target only
    ges = plan[plan["ground"] == "geslacht"]
    assert list(ges["plan"]) == ["target"] and ges["gap_base_pp"].iloc[0] < 0


def test_plan_table_keeps_a_ground_without_gap_or_target_and_uses_the_budget():
    plan = cs.plan_table(_cmp(), budget=500)
    ges = plan[plan["ground"] == "geslacht"]
    assert list(ges["plan"]) == ["none"] and ges["vacancies_needed"].isna().all()
    assert (plan["budget"] == 500).all()
    her = plan[plan["ground"] == "herkomst"].set_index("plan")
    assert her.loc["current", "power_at_budget"] == pytest.approx(cs.mcnemar_exact_power(500, 20 / 90, 3 / 90))
    assert her.loc["current", "detectable_gap_pp"] == pytest.approx(100 * cs.detectable_gap(500, 23 / 90))


def test_plans_beyond_the_limit_are_not_searched_but_said():
    cmp = pd.DataFrame([{"ground": "g", "group": "k", "vacancies": 1000, "only_reference": 101, "only_group": 100}])
    plan = cs.plan_table(cmp)
    assert np.isinf(plan["vacancies_needed"]).all()
    assert (plan["vacancies_needed_asymptotic"] > pw.PLAN_LIMIT).all()
    assert cs.needed_text(plan["vacancies_needed"].iloc[0]) == "meer dan 50.000"


def test_plan_curves_reach_the_power_where_the_table_says():
    plan = cs.plan_table(_cmp(), target_gap_pp=5)
    curves = cs.plan_curves(plan)
    assert set(curves["plan"]) == {"current", "half", "target"}
    for (g, kind), sub in curves.groupby(["ground", "plan"]):
        need = plan[(plan["ground"] == g) & (plan["plan"] == kind)]["vacancies_needed"].iloc[0]
        assert sub["vacancies"].max() >= need
        assert not (sub.loc[sub["vacancies"] < need, "power"] >= 0.8).any()  # need is the smallest
