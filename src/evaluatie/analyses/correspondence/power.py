"""Planning the next measurement: power and sample size for paired designs.

* :func:`mcnemar_exact_power`, :func:`mcnemar_exact_sample_size` — the exact (conditional binomial)
  McNemar test the report uses (:func:`~evaluatie.analyses.correspondence.statistics.mcnemar_exact`),
  by enumeration of the number of discordant vacancies; checked by simulation of that test.
* :func:`mcnemar_power`, :func:`mcnemar_sample_size` — the asymptotic McNemar test with n vacancies
  (pairs), Connor (1987, Biometrics 43:207-211), checked by simulation; shown beside the exact
  figure (it plans about 4 % too few vacancies for the exact test).
* :func:`wave_change_power`, :func:`wave_change_sample_size` — a change of the gap between the
  nulmeting and a follow-up (independent vacancies), checked by simulation.
* :func:`detectable_gap` — the smallest gap the exact McNemar test shows with a given number of
  vacancies (what a board can expect to detect with the vacancies it has).
* :func:`plan_table`, :func:`plan_curves` — the report's planner: per comparison the vacancies one
  new measurement needs to show the current gap, half of it and a sector target with the exact
  McNemar test, and the power with the budget; every comparison is planned, also one without a gap.
* :func:`detectable_change` — the smallest reduction of the gap between this and the next
  measurement that the report's test of the change detects.
* :func:`power_table`, :func:`power_curves` — planned reductions of the gap between two
  measurements per comparison (rows of :func:`~evaluatie.analyses.correspondence.statistics.
  compare_groups`), never planning a reduction larger than the current gap.
"""

from __future__ import annotations

import functools
import math
from typing import Sequence

import numpy as np
import pandas as pd
from scipy import stats

__all__ = ["mcnemar_power", "mcnemar_sample_size", "mcnemar_exact_power", "mcnemar_exact_sample_size",
           "wave_change_power", "wave_change_sample_size", "power_table", "power_curves", "detectable_gap",
           "detectable_change", "plan_table", "plan_curves", "PLAN_LIMIT", "exact_power_curve"]


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


def exact_power_curve(ns, p_only_reference: float, p_only_group: float, alpha: float = 0.05) -> np.ndarray:
    """:func:`mcnemar_exact_power` for many numbers of vacancies at once (equal to it to rounding,
    tested). The rejection probability given k discordant vacancies does not depend on n, so it is
    computed once for every k; per n only the binomial weights of the k within 12 standard
    deviations of nψ are summed (the rest weigh less than 1e-30)."""
    ns = np.asarray(ns, dtype=np.int64)
    psi = p_only_reference + p_only_group
    if psi <= 0 or not len(ns):
        return np.zeros(len(ns))
    reject = _exact_rejection(np.arange(int(ns.max()) + 1), p_only_reference / psi, alpha)
    out = np.empty(len(ns))
    for i, n in enumerate(ns):
        m, sd = n * psi, math.sqrt(n * psi * (1 - psi))
        k = np.arange(max(0, int(m - 12 * sd) - 2), min(int(n), int(m + 12 * sd) + 2) + 1)
        out[i] = float(np.sum(stats.binom.pmf(k, int(n), psi) * reject[k]))
    return out


def mcnemar_exact_sample_size(p_only_reference: float, p_only_group: float, power: float = 0.8,
                              alpha: float = 0.05) -> int:
    """The smallest number of vacancies with which the exact McNemar test reaches ``power``
    (:func:`mcnemar_exact_power`; its power rises in small steps and saw-teeth, so every n is
    tried upward from 90 % of the asymptotic figure of :func:`mcnemar_sample_size`, in blocks of
    :func:`exact_power_curve`)."""
    if p_only_reference == p_only_group:
        return math.inf  # type: ignore[return-value]
    n = max(1, int(0.9 * mcnemar_sample_size(p_only_reference, p_only_group, power, alpha)))
    block = max(64, n // 20)
    while True:
        ns = np.arange(n, n + block)
        hit = np.flatnonzero(exact_power_curve(ns, p_only_reference, p_only_group, alpha) >= power)
        if len(hit):
            return int(ns[hit[0]])
        n += block


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
        # one new measurement showing the current gap: the same for every planned reduction
        single = {"vacancies_needed_single_wave": mcnemar_exact_sample_size(p10, p01, power, alpha)
                  if p10 != p01 else math.inf,
                  "vacancies_needed_single_wave_asymptotic": mcnemar_sample_size(p10, p01, power, alpha)
                  if p10 != p01 else math.inf}
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
                         "power_at_n_followup": pw, **single})
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


# --------------------------------------------------------------------------- the report's planner

#: Above this many vacancies a plan is not worked out exactly: the table says "more than" (the
#: asymptotic figure, which the exact one exceeds by about 4 %, is already larger).
PLAN_LIMIT = 50_000


def _cells(gap: float, psi: float) -> tuple[float, float]:
    """Discordant proportions (p₁₀, p₀₁) for a per-vacancy gap ``gap`` (proportion) when a share
    ``psi`` of the vacancies is discordant (at least the gap itself: a gap of δ needs δ discordant)."""
    psi = max(psi, gap)
    return (psi + gap) / 2, (psi - gap) / 2


def detectable_gap(n: int, psi: float, power: float = 0.8, alpha: float = 0.05, tol: float = 1e-5) -> float:
    """The smallest per-vacancy gap δ (a proportion) that the exact McNemar test shows with
    probability ``power`` in ``n`` vacancies when a share ``psi`` of them is discordant (only one
    side got a positive reaction): bisection on δ ∈ (0, ψ] of :func:`mcnemar_exact_power`, whose power
    grows with δ at fixed ψ and n. ``nan`` when even δ = ψ (every discordant vacancy favours the
    reference) does not reach the power, or when ψ = 0."""
    n = int(n)
    if psi <= 0 or n < 1 or mcnemar_exact_power(n, *_cells(psi, psi), alpha) < power:
        return math.nan
    lo, hi = 0.0, float(psi)
    while hi - lo > tol:
        mid = (lo + hi) / 2
        if mcnemar_exact_power(n, *_cells(mid, psi), alpha) >= power:
            hi = mid
        else:
            lo = mid
    return hi


def detectable_change(p_only_reference: float, p_only_group: float, n_base: float, n_followup: float,
                      power: float = 0.8, alpha: float = 0.05, tol: float = 1e-5) -> float:
    """The smallest reduction of the per-vacancy gap (a proportion) between the base wave (``n_base``
    vacancies, discordant proportions p₁₀, p₀₁) and a follow-up of ``n_followup`` vacancies that the
    report's test of the change (:func:`wave_change_power`) detects with probability ``power``:
    bisection on the reduction; ``nan`` when no reduction the discordant share allows reaches it."""
    def pw(red):
        try:
            return float(wave_change_power(n_followup, -red * 100, p_only_reference=p_only_reference,
                                           p_only_group=p_only_group, n_base=n_base, alpha=alpha))
        except ValueError:
            return math.nan
    d0 = p_only_reference - p_only_group
    psi = p_only_reference + p_only_group
    hi = d0 + psi  # the follow-up's gap cannot fall below −ψ
    if not hi > 0 or not pw(hi) >= power:
        return math.nan
    lo = 0.0
    while hi - lo > tol:
        mid = (lo + hi) / 2
        if pw(mid) >= power:
            hi = mid
        else:
            lo = mid
    return hi


@functools.lru_cache(maxsize=512)
def _plan_n(p10: float, p01: float, power: float, alpha: float) -> tuple[float, float]:
    """(exact, asymptotic) vacancies for one plan; ``inf`` beyond :data:`PLAN_LIMIT` or without a gap."""
    if p10 <= p01:
        return math.inf, math.inf
    asym = mcnemar_sample_size(p10, p01, power, alpha)
    if asym > PLAN_LIMIT:
        return math.inf, float(asym)
    return float(mcnemar_exact_sample_size(p10, p01, power, alpha)), float(asym)


def plan_table(cmp: pd.DataFrame, *, target_gap_pp: float | None = None, budget: int | None = None,
               power: float = 0.8, alpha: float = 0.05) -> pd.DataFrame:
    """The report's planner for one new measurement, per comparison of the base wave (rows of
    :func:`~evaluatie.analyses.correspondence.statistics.compare_groups`: ``vacancies``,
    ``only_reference``, ``only_group``).

    Every comparison gets rows (``plan``): ``current`` — the current per-vacancy gap, and ``half`` —
    half of it, when the group is at a disadvantage (gap > 0); ``target`` — the gap ``target_gap_pp``
    (a sector's target, in pp) when given; ``none`` — no gap measured and no target: nothing to plan,
    the row says so. Each plan keeps the share ψ of discordant vacancies of the base wave (at least
    the planned gap) and gives the vacancies the exact McNemar test needs for ``power``
    (``vacancies_needed``, :func:`mcnemar_exact_sample_size`; ``inf`` beyond :data:`PLAN_LIMIT`), the
    asymptotic figure beside it (Connor 1987) and the power with ``budget`` vacancies (default: as
    many as the base wave had for that comparison). ``detectable_gap_pp``: the smallest gap the
    budget shows with ``power`` (:func:`detectable_gap`), and ``detectable_change_pp`` the smallest
    reduction of a current gap the budget shows as a change between the two measurements
    (:func:`detectable_change`), the same on every row of a comparison.

    ``gap_base_pp`` is the gap **per vacancy** (share of vacancies where only the reference side
    reacted minus the share where only the group's side did): with one application per side it
    equals the gap per application, with more it is larger."""
    rows = []
    for _, r in cmp.iterrows():
        vac = int(r["vacancies"])
        p10, p01 = r["only_reference"] / vac, r["only_group"] / vac
        gap, psi = p10 - p01, p10 + p01
        n = int(budget) if budget else vac
        plans = [("current", gap), ("half", gap / 2)] if gap > 0 else []
        if target_gap_pp:
            plans.append(("target", float(target_gap_pp) / 100))
        if not plans:
            plans = [("none", math.nan)]
        mde = detectable_gap(n, psi, power, alpha)
        change = detectable_change(p10, p01, vac, n, power, alpha) if gap > 0 else math.nan
        for kind, g in plans:
            row = {"ground": r["ground"], "group": r["group"], "plan": kind, "gap_base_pp": 100 * gap,
                   "discordant": psi, "gap_plan_pp": 100 * g, "vacancies_base": vac, "budget": n,
                   "detectable_gap_pp": 100 * mde, "detectable_change_pp": 100 * change}
            if kind == "none":
                row.update(vacancies_needed=math.nan, vacancies_needed_asymptotic=math.nan, power_at_budget=math.nan)
            else:
                a, b = _cells(g, psi)
                exact, asym = _plan_n(a, b, power, alpha)
                row.update(vacancies_needed=exact, vacancies_needed_asymptotic=asym,
                           power_at_budget=mcnemar_exact_power(n, a, b, alpha))
            rows.append(row)
    return pd.DataFrame(rows)


def plan_curves(plan: pd.DataFrame, *, alpha: float = 0.05, points: int = 60) -> pd.DataFrame:
    """Power of the exact McNemar test against the vacancies of one new measurement, for every plan
    of :func:`plan_table` that has a gap (a long table for plotting: ``ground``, ``group``, ``plan``,
    ``gap_plan_pp``, ``vacancies``, ``power``). Per comparison the vacancies run from 10 up to 1,2 times
    the largest finite need of its plans (at least 1,2 times the budget), evenly on a log scale."""
    out = []
    for (g, k), sub in plan[plan["plan"] != "none"].groupby(["ground", "group"], sort=False):
        need = sub["vacancies_needed"].to_numpy(dtype=float)
        top = max([1.2 * x for x in need if np.isfinite(x)] + [1.2 * float(sub["budget"].iloc[0])])
        n = np.unique(np.geomspace(10, top, points).astype(int))
        psi = float(sub["discordant"].iloc[0])
        for _, r in sub.iterrows():
            a, b = _cells(r["gap_plan_pp"] / 100, psi)
            pw = exact_power_curve(n, a, b, alpha)
            out.append(pd.DataFrame({"ground": g, "group": k, "plan": r["plan"], "gap_plan_pp": r["gap_plan_pp"],
                                     "vacancies": n, "power": pw}))
    return pd.concat(out, ignore_index=True) if out else pd.DataFrame(
        columns=["ground", "group", "plan", "gap_plan_pp", "vacancies", "power"])
