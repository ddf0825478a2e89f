"""Planning the next measurement: power and sample size for paired designs.

* :func:`mcnemar_exact_power`, :func:`mcnemar_exact_sample_size` — the exact (conditional binomial)
  McNemar test the report uses (:func:`~evaluatie.analyses.correspondence.statistics.mcnemar_exact`),
  by enumeration of the number of discordant vacancies; checked by simulation of that test.
* :func:`mcnemar_power`, :func:`mcnemar_sample_size` — the asymptotic McNemar test with n vacancies
  (pairs), Connor (1987, Biometrics 43:207-211), checked by simulation; shown beside the exact
  figure (it plans about 4 % too few vacancies for the exact test).
* :func:`wave_change_power`, :func:`wave_change_sample_size` — a change of the gap between the
  nulmeting and a follow-up (independent vacancies), checked by simulation.
* :func:`power_table`, :func:`power_curves` — the planner's table and curves per comparison
  (rows of :func:`~evaluatie.analyses.correspondence.statistics.compare_groups`), never planning a
  reduction larger than the current gap.
"""

from __future__ import annotations

import functools
import math
from typing import Sequence

import numpy as np
import pandas as pd
from scipy import stats

__all__ = ["mcnemar_power", "mcnemar_sample_size", "mcnemar_exact_power", "mcnemar_exact_sample_size",
           "wave_change_power", "wave_change_sample_size", "power_table", "power_curves"]


def mcnemar_power(n: float | np.ndarray, p_only_reference: float, p_only_group: float, alpha: float = 0.05):
    """Power of the McNemar test with ``n`` vacancies (pairs), Connor (1987, Biometrics 43:207-211):
    δ = p₁₀ − p₀₁, ψ = p₁₀ + p₀₁ (discordant-pair proportion),
    power = Φ((|δ|·√n − z_{1−α/2}·√ψ) / √(ψ − δ²)). Checked against simulation in the tests."""
    d = p_only_reference - p_only_group
    psi = p_only_reference + p_only_group
    za = stats.norm.ppf(1 - alpha / 2)
    n = np.asarray(n, dtype=float)
    return stats.norm.cdf((abs(d) * np.sqrt(n) - za * math.sqrt(psi)) / math.sqrt(psi - d * d))


def mcnemar_sample_size(p_only_reference: float, p_only_group: float, power: float = 0.8,
                        alpha: float = 0.05) -> int:
    """Vacancies (pairs) needed for the McNemar test (Connor 1987):
    n = (z_{1−α/2}·√ψ + z_{power}·√(ψ − δ²))² / δ², rounded up."""
    d = p_only_reference - p_only_group
    psi = p_only_reference + p_only_group
    if d == 0:
        return math.inf  # type: ignore[return-value]
    za, zb = stats.norm.ppf(1 - alpha / 2), stats.norm.ppf(power)
    return int(math.ceil((za * math.sqrt(psi) + zb * math.sqrt(psi - d * d)) ** 2 / (d * d)))


def _exact_rejection(k: np.ndarray, theta: float, alpha: float) -> np.ndarray:
    """P(the exact McNemar test rejects | k discordant vacancies), with θ = p₁₀ / ψ the chance that
    a discordant vacancy favoured the reference side. The test rejects when
    2·P(Bin(k, ½) ≤ min(b, k − b)) ≤ α, i.e. when min(b, k − b) ≤ c_k, the largest c with
    2·F(c; k, ½) ≤ α (none for small k)."""
    c = stats.binom.ppf(alpha / 2, k, 0.5)  # the smallest c with F(c) >= alpha / 2
    c = np.where(2 * stats.binom.cdf(c, k, 0.5) <= alpha * (1 + 1e-12), c, c - 1)
    lower = np.where(c >= 0, stats.binom.cdf(c, k, theta), 0.0)
    upper = np.where(c >= 0, stats.binom.sf(k - c - 1, k, theta), 0.0)  # b >= k - c
    return lower + upper


def mcnemar_exact_power(n: int, p_only_reference: float, p_only_group: float, alpha: float = 0.05) -> float:
    """Power of the exact McNemar test with ``n`` vacancies: the number of discordant vacancies is
    Bin(n, ψ) with ψ = p₁₀ + p₀₁, and given k of them the test is a binomial test of θ = p₁₀/ψ
    against ½, so power = Σ_k P(Bin(n, ψ) = k) · P(reject | k) (:func:`_exact_rejection`; the
    conditional-test power of e.g. Duffy 1984, Biometrics 40:1005-1015)."""
    psi = p_only_reference + p_only_group
    if psi <= 0:
        return 0.0
    k = np.arange(int(n) + 1)
    return float(np.sum(stats.binom.pmf(k, int(n), psi) * _exact_rejection(k, p_only_reference / psi, alpha)))


def mcnemar_exact_sample_size(p_only_reference: float, p_only_group: float, power: float = 0.8,
                              alpha: float = 0.05) -> int:
    """The smallest number of vacancies with which the exact McNemar test reaches ``power``
    (:func:`mcnemar_exact_power`; its power rises in small steps and saw-teeth, so every n is
    tried upward from 90 % of the asymptotic figure of :func:`mcnemar_sample_size`)."""
    if p_only_reference == p_only_group:
        return math.inf  # type: ignore[return-value]
    start = max(1, int(0.9 * mcnemar_sample_size(p_only_reference, p_only_group, power, alpha)))
    n = start
    while mcnemar_exact_power(n, p_only_reference, p_only_group, alpha) < power:
        n += 1
    return n


def _pair_var(p_only_reference: float, p_only_group: float) -> float:
    """Variance of one vacancy's paired difference d = y_group − y_ref ∈ {−1, 0, 1}: ψ − δ²."""
    d = p_only_reference - p_only_group
    return (p_only_reference + p_only_group) - d * d


def _followup_cells(p_only_reference: float, p_only_group: float, change_pp: float):
    """Discordant proportions in the follow-up when the gap changes by ``change_pp`` (negative =
    smaller gap) while the discordant-pair proportion ψ stays as in the nulmeting."""
    psi = p_only_reference + p_only_group
    d1 = (p_only_reference - p_only_group) + change_pp / 100
    if abs(d1) > psi:
        raise ValueError("the planned gap is larger than the discordant-pair proportion allows")
    return (psi + d1) / 2, (psi - d1) / 2


def wave_change_power(n_followup, change_pp: float, *, p_only_reference: float, p_only_group: float,
                      n_base: float, alpha: float = 0.05):
    """Power to detect a change of ``change_pp`` in the gap between the nulmeting (``n_base``
    vacancies with discordant proportions p₁₀, p₀₁) and a follow-up with ``n_followup`` vacancies.

    The gap in each wave is the mean paired difference, variance v/n with v = ψ − δ²; the waves are
    independent, so the z-test of the change has SE = √(v₀/n₀ + v₁/n₁) and
    power = Φ(|Δ|/SE − z_{1−α/2}) (+ the negligible other tail). v₁ assumes the same ψ with the
    changed gap. Checked against simulation in the tests."""
    v0 = _pair_var(p_only_reference, p_only_group)
    v1 = _pair_var(*_followup_cells(p_only_reference, p_only_group, change_pp))
    se = np.sqrt(v0 / n_base + v1 / np.asarray(n_followup, dtype=float))
    za = stats.norm.ppf(1 - alpha / 2)
    delta = abs(change_pp) / 100
    return stats.norm.cdf(delta / se - za) + stats.norm.cdf(-delta / se - za)


def wave_change_sample_size(change_pp: float, *, p_only_reference: float, p_only_group: float,
                            n_base: float, power: float = 0.8, alpha: float = 0.05) -> float:
    """Follow-up vacancies needed to detect a change of ``change_pp`` in the gap (see
    :func:`wave_change_power`): n₁ = v₁ / (Δ²/(z_{1−α/2} + z_{power})² − v₀/n₀), rounded up; ``inf``
    when even an infinite follow-up cannot reach the power (the nulmeting alone is too imprecise)."""
    v0 = _pair_var(p_only_reference, p_only_group)
    v1 = _pair_var(*_followup_cells(p_only_reference, p_only_group, change_pp))
    za, zb = stats.norm.ppf(1 - alpha / 2), stats.norm.ppf(power)
    room = (change_pp / 100) ** 2 / (za + zb) ** 2 - v0 / n_base
    if room <= 0:
        return math.inf
    return float(math.ceil(v1 / room))


def _capped_reductions(gap_pp: float, reductions_pp: Sequence[float]) -> list[tuple[float, bool]]:
    """The planned reductions of a gap of ``gap_pp`` (> 0) that make sense: a reduction larger than
    the gap itself would mean reversed discrimination, so every planned reduction of at least the
    gap becomes one row 'the whole gap' (``(gap_pp, True)``); smaller ones stay ``(r, False)``."""
    out = sorted({abs(float(r)) for r in reductions_pp if abs(float(r)) < gap_pp})
    rows = [(r, False) for r in out]
    if any(abs(float(r)) >= gap_pp for r in reductions_pp):
        rows.append((float(gap_pp), True))
    return rows


@functools.lru_cache(maxsize=256)
def _exact_n(p10: float, p01: float, power: float, alpha: float) -> float:
    """:func:`mcnemar_exact_sample_size`, once per comparison (every planned reduction shares it)."""
    return mcnemar_exact_sample_size(p10, p01, power, alpha) if p10 != p01 else math.inf


def power_table(cmp: pd.DataFrame, changes_pp: Sequence[float], *, power: float = 0.8, alpha: float = 0.05,
                n_followup: int | None = None, only_disadvantaged: bool = True,
                cap_at_gap: bool = True) -> pd.DataFrame:
    """For each comparison of the base wave (rows of :func:`compare_groups`) and each planned
    reduction of the gap: follow-up vacancies needed, and the power with ``n_followup`` vacancies
    (default: as many as in the base wave). With ``only_disadvantaged`` only comparisons where the
    group gets fewer positive reactions (a gap to reduce) are planned. With ``cap_at_gap`` a planned
    reduction is never larger than the current gap (that would be reversed discrimination): all
    planned reductions of at least the gap become one row for the whole gap (``capped`` = True).

    ``gap_base_pp`` is the gap **per vacancy** (share of vacancies where only the reference side
    reacted minus share where only the group's side reacted; a side reacted when at least one of
    its applications got a positive reaction): with one application per side it equals the gap
    per application, with more it is larger. ``vacancies_needed_single_wave`` is the size of one
    new measurement needed to show the current gap itself with the exact McNemar test the report
    uses (:func:`mcnemar_exact_sample_size`); ``vacancies_needed_single_wave_asymptotic`` the
    asymptotic figure (Connor 1987) beside it. The wave-change columns plan for the normal test of
    the change that the report itself uses (a difference of two per-vacancy gaps)."""
    rows = []
    for _, r in cmp.iterrows():
        p10 = r["only_reference"] / r["vacancies"]
        p01 = r["only_group"] / r["vacancies"]
        gap = 100 * (p10 - p01)
        if only_disadvantaged and gap <= 0:
            continue
        plan = (_capped_reductions(gap, changes_pp) if cap_at_gap and gap > 0
                else [(abs(float(ch)), False) for ch in changes_pp])
        for ch, capped in plan:
            change = -abs(ch) if gap >= 0 else abs(ch)  # a reduction of the gap
            nf = n_followup or int(r["vacancies"])
            try:
                need = wave_change_sample_size(change, p_only_reference=p10, p_only_group=p01,
                                               n_base=r["vacancies"], power=power, alpha=alpha)
                pw = float(wave_change_power(nf, change, p_only_reference=p10, p_only_group=p01,
                                             n_base=r["vacancies"], alpha=alpha))
            except ValueError:
                need, pw = math.nan, math.nan
            rows.append({"ground": r["ground"], "group": r["group"], "gap_base_pp": gap,
                         "reduction_pp": abs(ch), "capped": capped, "vacancies_needed": need, "n_followup": nf,
                         "power_at_n_followup": pw,
                         "vacancies_needed_single_wave": _exact_n(p10, p01, power, alpha),
                         "vacancies_needed_single_wave_asymptotic": mcnemar_sample_size(p10, p01, power, alpha)
                         if p10 != p01 else math.inf})
    return pd.DataFrame(rows)


def power_curves(cmp: pd.DataFrame, reductions_pp: Sequence[float], n_max: int = 5000, alpha: float = 0.05,
                 cap_at_gap: bool = True):
    """Power to detect each reduction of the gap as a function of the follow-up's vacancies, per
    comparison of the base wave (rows of :func:`compare_groups`): a long table for plotting. Each
    curve is one vectorised :func:`wave_change_power` over all follow-up sizes; the table is built
    from whole columns (tested equal to the row-by-row construction). With ``cap_at_gap`` (for a
    group at a disadvantage) planned reductions of at least the current gap become one curve for the
    whole gap, as in :func:`power_table`; column ``capped`` marks it."""
    n = np.unique(np.linspace(20, n_max, 120).astype(int))
    cols: dict[str, list] = {"ground": [], "group": [], "reduction_pp": [], "vacancies": [], "power": []}
    capped_col: list[bool] = []
    for g, k, only_ref, only_grp, vac in zip(cmp["ground"], cmp["group"], cmp["only_reference"],
                                              cmp["only_group"], cmp["vacancies"]):
        p10, p01 = only_ref / vac, only_grp / vac
        sign = -1 if p10 >= p01 else 1
        gap = 100 * (p10 - p01)
        plan = (_capped_reductions(gap, reductions_pp) if cap_at_gap and gap > 0
                else [(red, False) for red in reductions_pp])
        for red, capped in plan:
            try:
                pw = wave_change_power(n, sign * abs(red), p_only_reference=p10, p_only_group=p01,
                                       n_base=vac, alpha=alpha)
            except ValueError:
                continue
            cols["ground"] += [g] * len(n)
            cols["group"] += [k] * len(n)
            cols["reduction_pp"] += [red] * len(n)
            cols["vacancies"].append(n)
            cols["power"].append(np.asarray(pw, dtype=float))
            capped_col += [capped] * len(n)
    if not cols["vacancies"]:
        return pd.DataFrame([])
    cols["vacancies"] = np.concatenate(cols["vacancies"]).astype(np.int64)
    cols["power"] = np.concatenate(cols["power"])
    out = pd.DataFrame(cols)
    if cap_at_gap:
        out["capped"] = np.asarray(capped_col, dtype=bool)
    return out
