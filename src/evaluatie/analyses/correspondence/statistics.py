"""The statistics of a correspondence test: rates, paired comparisons, subgroups, waves.

Vacancies are the clusters: every interval and standard error of a comparison allows for the
correlation of applications sent to the same vacancy (and vacancies of different waves are
different clusters). References (each has a test in ``tests/test_correspondence*.py``):

* :func:`design_table` — vacancies and applications per wave and ground (counts only).
* :func:`callback_rates` — positive-reaction rate per ground and group with Wilson and
  Clopper-Pearson intervals from the interval registry (:mod:`evaluatie.stats.intervals`).
* :func:`compare_groups` — difference in percentage points (and the gap, :func:`with_gap`) and relative callback (group rate /
  reference rate) with delta-method intervals by cluster linearisation (the ratio-estimator
  linearisation of R ``survey``'s ``svyratio`` with vacancies as PSUs, variance factor G/(G-1)) and
  a seeded cluster (vacancy) bootstrap; paired counts per vacancy, net discrimination and the exact
  McNemar test (reference: statsmodels ``mcnemar(exact=True)``); coverage of the relative-callback
  interval checked by simulation.
* :func:`heterogeneity` — gaps per subgroup with Holm and Benjamini-Hochberg adjusted p-values
  (:func:`evaluatie.stats.multitest.adjust_pvalues`, statsmodels ``multipletests``), small
  subgroups withheld together with the smallest shown level of the same breakdown, and more where
  two breakdowns cross.
* :func:`wave_comparison` — nulmeting vs vervolgmeting: difference-in-differences on application
  level with vacancy fixed effects, clustered by vacancy (:func:`~evaluatie.analyses.correspondence.
  models.lpm_fe`).
* :func:`discrimination_table` — the exported table: all of the above per comparison plus the
  fixed-effects LPM; :func:`core_statistics` — what ``benchmarks/correspondence_scale.py`` times.
* :func:`benchmark_table` — this study beside the meta-analysis (Lippens e.a., 2023).

Speed: every faster algorithm here has an old-vs-new equality test in
``tests/test_correspondence_fast.py`` (bootstrap bit-identical for the same seed).
"""

from __future__ import annotations

import math
from itertools import combinations
from typing import Any, Mapping, Sequence

import numpy as np
import pandas as pd
from scipy import stats

from evaluatie.analyses.correspondence.clusters import _level_pairs, _Pairs, _pairs_t, _tables, _Tables
from evaluatie.analyses.correspondence.models import _lpm_sums, lpm_fe
from evaluatie.analyses.correspondence.narrative import wave_sentence
from evaluatie.analyses.correspondence.protection import withheld_subgroups
from evaluatie.analyses.correspondence.applications import Study
from evaluatie.core.errors import DataError, Problem
from evaluatie.publish.disclosure import mark
from evaluatie.publish.thresholds import DEFAULT_THRESHOLD
from evaluatie.stats.intervals import binomial_interval
from evaluatie.stats.multitest import adjust_pvalues

__all__ = [
    "design_table",
    "RATE_COLUMNS", "DISCRIMINATION_COLUMNS", "callback_rates", "compare_groups", "paired_counts",
    "mcnemar_exact", "heterogeneity", "wave_comparison", "discrimination_table", "core_statistics",
    "benchmark_table", "with_gap",
]

RATE_COLUMNS = ["ground", "group", "applications", "callbacks", "rate", "ci_low", "ci_high"]
DISCRIMINATION_COLUMNS = [
    "ground", "group", "reference", "rate", "rate_reference", "difference_pp", "difference_ci_low",
    "difference_ci_high", "gap_pp", "gap_ci_low", "gap_ci_high", "relative_callback", "relative_callback_ci_low", "relative_callback_ci_high",
    "vacancies", "neither", "only_reference", "only_group", "both", "net_discrimination",
    "mcnemar_p", "lpm_coef", "lpm_se", "lpm_p",
]



def with_gap(df: pd.DataFrame) -> pd.DataFrame:
    """``df`` with the gap in the reports' one sign convention beside ``difference_*``:
    ``gap_pp`` = 100·(rate_reference − rate), the reference's rate minus the group's, in percentage
    points (positive = the group gets fewer positive reactions), with its interval ``gap_ci_low`` /
    ``gap_ci_high`` (the difference's interval turned around). The report shows the gap; the
    ``difference_*`` columns (group − reference) stay in the exported tables for tools that read them."""
    if "difference_pp" not in df.columns:
        return df
    return df.assign(gap_pp=-df["difference_pp"], gap_ci_low=-df["difference_ci_high"],
                     gap_ci_high=-df["difference_ci_low"])


# =========================================================================== rates

def design_table(study: Study) -> pd.DataFrame:
    """Per wave and ground: distinct vacancies, applications and applications per vacancy."""
    by = (study.data.groupby(["wave", "ground"], observed=True)
          .agg(vacancies=("cluster", "nunique"), applications=("outcome", "size")).reset_index())
    by["per_vacancy"] = by["applications"] / by["vacancies"]
    return by


def callback_rates(study: Study, conf: float = 0.95, outcome: str = "outcome", tables=None) -> pd.DataFrame:
    """Positive-reaction rate per wave, ground and group (all analysed applications) with the Wilson
    interval (``ci_low``, ``ci_high``) and the exact Clopper-Pearson interval (``exact_low``,
    ``exact_high``), both from the interval registry (:func:`evaluatie.stats.intervals.binomial_interval`,
    ``"wilson"`` and ``"exact"``; reference: statsmodels ``proportion_confint``). The intervals treat applications as independent; the comparisons between groups
    (:func:`compare_groups`) allow for clustering within vacancies."""
    T = tables if tables is not None else _tables(study, outcome)
    rows = []
    for wi, w in enumerate(T.waves):
        for gi, g in enumerate(T.grounds):
            for ki, k in enumerate(T.groups):
                n = int(T.rates_n[wi, gi, ki])
                if n:
                    rows.append((w, g, k, n, int(T.rates_y[wi, gi, ki]), study.reference_groups[g] == k))
    n = np.array([r[3] for r in rows], dtype=float)
    x = np.array([r[4] for r in rows], dtype=float)
    lo, hi = binomial_interval(x, n, "wilson", conf)
    elo, ehi = binomial_interval(x, n, "exact", conf)
    return pd.DataFrame({
        "wave": [r[0] for r in rows], "ground": [r[1] for r in rows], "group": [r[2] for r in rows],
        "applications": n.astype(int), "callbacks": x.astype(int),
        "rate": x / n, "ci_low": lo, "ci_high": hi, "exact_low": elo, "exact_high": ehi,
        "is_reference": [r[5] for r in rows],
    })


# =========================================================================== paired comparisons

def _delta(p: _Pairs, conf: float):
    """Point estimates and delta-method (cluster linearisation) SEs of the difference and log ratio.

    With ratio estimators p = Σy/Σn the influence of vacancy i is z_i = (y_i − p·n_i)/Σn. The
    difference p_k − p_r has influence z_ki − z_ri, the log relative callback z_ki/p_k − z_ri/p_r;
    Var = G/(G−1)·Σ(influence²) (linearisation with vacancies as PSUs, as R ``survey``)."""
    G = len(p.n_r)
    Nr, Nk = p.n_r.sum(), p.n_k.sum()
    pr, pk = p.y_r.sum() / Nr, p.y_k.sum() / Nk
    zr = (p.y_r - pr * p.n_r) / Nr
    zk = (p.y_k - pk * p.n_k) / Nk
    f = G / (G - 1) if G > 1 else np.nan
    se_d = math.sqrt(f * np.sum((zk - zr) ** 2))
    with np.errstate(divide="ignore", invalid="ignore"):
        u = zk / pk - zr / pr
        se_log = math.sqrt(f * np.sum(u ** 2)) if pk > 0 and pr > 0 else np.nan
    return pr, pk, se_d, se_log


def mcnemar_exact(only_reference: int, only_group: int) -> float:
    """Exact McNemar test: two-sided binomial test of b = only_reference among b + c discordant
    vacancies with p = ½: min(1, 2·P(Bin(b+c, ½) ≤ min(b, c))). Reference: statsmodels
    ``mcnemar(table, exact=True)``."""
    b, c = int(only_reference), int(only_group)
    if b + c == 0:
        return 1.0
    return float(min(1.0, 2 * stats.binom.cdf(min(b, c), b + c, 0.5)))


def _paired_counts(p: _Pairs) -> dict:
    r = p.y_r > 0  # a side "reacted" when any of its applications got a positive reaction
    k = p.y_k > 0
    out = {"vacancies": int(len(r)), "neither": int(np.sum(~r & ~k)), "only_reference": int(np.sum(r & ~k)),
           "only_group": int(np.sum(~r & k)), "both": int(np.sum(r & k))}
    informative = out["vacancies"] - out["neither"]
    out["net_discrimination"] = ((out["only_reference"] - out["only_group"]) / informative
                                 if informative else np.nan)
    out["mcnemar_p"] = mcnemar_exact(out["only_reference"], out["only_group"])
    return out


def paired_counts(study: Study, outcome: str = "outcome") -> pd.DataFrame:
    """Per comparison: vacancies where neither / only the reference / only the group / both got a
    positive reaction, net discrimination = (only_reference − only_group) / vacancies with at least
    one positive reaction, and the exact McNemar p-value."""
    T = _tables(study, outcome)
    rows = []
    for w in study.waves:
        for g, k, ref in study.comparisons:
            p = _pairs_t(T, w, g, k, ref)
            if len(p.n_r):
                rows.append({"wave": w, "ground": g, "group": k, "reference": ref, **_paired_counts(p)})
    return pd.DataFrame(rows)


def _bootstrap(p: _Pairs, reps: int, rng: np.random.Generator, conf: float, chunk: int = 2_000_000):
    """Cluster bootstrap: resample vacancies with replacement; percentile intervals.

    Each replicate draws G vacancies with replacement (``rng.integers(0, G, (b, G))`` in blocks of
    at most ``chunk`` draws, so the stream of draws is fixed by the seed). A vacancy is fully
    described by its four counts (y_r, n_r, y_k, n_k), and there are only a few distinct
    combinations, so a replicate's sums are (times each combination was drawn) @ (the
    combinations): one gather of small codes and one bincount per block instead of four gathers of
    float columns; when every replicate sum fits in 16 bits (G · largest count < 65,536) the four
    counts are packed into one unsigned 64-bit integer and summed at once. The sums are exact
    integers either way (the counts come from :func:`~evaluatie.analyses.correspondence.clusters.
    _tables`, whole numbers), so the replicates are identical to summing the drawn rows (tested
    against a row-summing bootstrap with the same draws)."""
    G = len(p.n_r)
    a = (1 - conf) / 2
    cols = np.column_stack((p.y_r, p.n_r, p.y_k, p.n_k))
    top = float(np.abs(cols).max(initial=0))
    packed = None
    if top * G < 2 ** 16:  # every replicate sum fits in 16 bits: four counts in one uint64
        c = cols.astype(np.uint64)
        packed = c[:, 0] | (c[:, 1] << np.uint64(16)) | (c[:, 2] << np.uint64(32)) | (c[:, 3] << np.uint64(48))
    else:
        types, code = np.unique(cols, axis=0, return_inverse=True)
        code = code.reshape(-1).astype(np.intp)
        U = len(types)
        tint = types.astype(np.int64)
    diffs, ratios = [], []
    block = max(1, min(reps, chunk // max(G, 1)))
    done = 0
    mask = np.uint64(0xFFFF)
    while done < reps:
        b = min(block, reps - done)
        idx = rng.integers(0, G, size=(b, G))
        if packed is not None:
            tot = packed[idx].sum(axis=1)
            yr, nr, yk, nk = (((tot >> np.uint64(s)) & mask).astype(float) for s in (0, 16, 32, 48))
        else:
            cells = code[idx]
            cells += (np.arange(b, dtype=np.intp) * U)[:, None]
            counts = np.bincount(cells.ravel(), minlength=b * U).reshape(b, U)
            yr, nr, yk, nk = (counts @ tint).astype(float).T  # integer matmul: exact, no BLAS threads
        _boot_append(diffs, ratios, yr, nr, yk, nk)
        done += b
    return _boot_summary(diffs, ratios, a)


def _boot_append(diffs, ratios, yr, nr, yk, nk):
    """Difference and ratio of the two rates for one block of replicates."""
    with np.errstate(divide="ignore", invalid="ignore"):
        pr = yr / nr
        pk = yk / nk
        diffs.append(pk - pr)
        ratios.append(pk / pr)


def _boot_summary(diffs, ratios, a):
    d = np.concatenate(diffs)
    r = np.concatenate(ratios)
    r = r[np.isfinite(r)]
    return (np.quantile(d, a), np.quantile(d, 1 - a), float(np.std(d, ddof=1)),
            *(np.quantile(r, [a, 1 - a]) if len(r) else (np.nan, np.nan)))


def compare_groups(study: Study, *, conf: float = 0.95, bootstrap: int = 0, seed: int | None = 20240501,
                   outcome: str = "outcome", tables: _Tables | None = None) -> pd.DataFrame:
    """Per wave and comparison (ground, group vs its reference), among vacancies with both sides:

    ``rate``, ``rate_reference``; ``difference_pp`` = 100·(rate − rate_reference) with a delta-method
    interval (``difference_ci_low/high``, cluster linearisation, normal quantile) and p-value
    (``difference_p``); ``relative_callback`` = rate / rate_reference with a delta-method interval on
    the log scale (``relative_callback_ci_low/high``); with ``bootstrap`` > 0 also cluster-bootstrap
    percentile intervals (``*_boot_low/high``, resampling vacancies, ``seed``); the paired counts,
    net discrimination and exact McNemar p-value (:func:`paired_counts`).
    """
    T = tables if tables is not None else _tables(study, outcome)
    z = stats.norm.ppf(0.5 + conf / 2)
    rng = np.random.default_rng(seed)
    rows = []
    comparisons = [(g, k, study.reference_groups[g]) for g in T.grounds for k in T.groups
                   if (g, k) in T.slot and k != study.reference_groups[g]]
    for w in study.waves:
        for g, k, ref in comparisons:
            p = _pairs_t(T, w, g, k, ref)
            if len(p.n_r) == 0:
                continue
            pr, pk, se_d, se_log = _delta(p, conf)
            diff = pk - pr
            rc = pk / pr if pr > 0 else np.nan
            row = {
                "wave": w, "ground": g, "group": k, "reference": ref,
                "applications": int(p.n_k.sum()), "applications_reference": int(p.n_r.sum()),
                "callbacks": int(p.y_k.sum()), "callbacks_reference": int(p.y_r.sum()),
                "rate": pk, "rate_reference": pr,
                "difference_pp": 100 * diff, "difference_se_pp": 100 * se_d,
                "difference_ci_low": 100 * (diff - z * se_d), "difference_ci_high": 100 * (diff + z * se_d),
                "difference_p": float(2 * stats.norm.sf(abs(diff) / se_d)) if se_d > 0 else np.nan,
                "relative_callback": rc, "log_relative_callback_se": se_log,
                "relative_callback_ci_low": rc * math.exp(-z * se_log) if rc > 0 else np.nan,
                "relative_callback_ci_high": rc * math.exp(z * se_log) if rc > 0 else np.nan,
            }
            if bootstrap:
                dl, dh, dse, rl, rh = _bootstrap(p, bootstrap, rng, conf)
                row.update({"difference_boot_low": 100 * dl, "difference_boot_high": 100 * dh,
                            "difference_boot_se_pp": 100 * dse,
                            "relative_callback_boot_low": rl, "relative_callback_boot_high": rh})
            row.update(_paired_counts(p))
            rows.append(row)
    return with_gap(pd.DataFrame(rows))


# =========================================================================== subgroups

_CELL_COUNTS = ("vacancies", "applications_reference", "applications", "callbacks_reference", "callbacks")


def _crossing_cells(slim: pd.DataFrame, codes: Mapping[str, np.ndarray], names: Mapping[str, list],
                    comparisons, threshold: int, wave: str) -> list[dict]:
    """For every two subgroup variables of one wave that describe the vacancy (one value per vacancy
    and ground; a variable that varies within a vacancy does not split the vacancies, so its levels
    do not add up to the ground and no crossing of it is checked): per crossing cell (a level of
    each, the vacancies in both) and comparison the vacancies, applications and positive reactions
    per side, and ``small`` by the primary rule of a level."""
    key = slim["cluster"].to_numpy().astype(np.int64) * max(len(slim["ground"].cat.categories), 1) \
        + slim["ground"].cat.codes.to_numpy()
    per_vacancy = [v for v in codes if (pd.Series(codes[v]).groupby(key).nunique() <= 1).all()]
    out = []
    for a, b in combinations(per_vacancy, 2):
        nb = len(names[b])
        sums = _level_pairs(slim, codes[a] * nb + codes[b], len(names[a]) * nb, comparisons)
        for c in range(len(names[a]) * nb):
            for j, ((g, k, ref), per_cell) in enumerate(zip(comparisons, sums)):
                p = per_cell(c)
                if len(p.n_r) == 0:
                    continue
                G, yr, yk = len(p.n_r), int(p.y_r.sum()), int(p.y_k.sum())
                out.append({"wave": wave, "ground": g, "variable_a": a, "level_a": names[a][c // nb], "variable_b": b,
                            "level_b": names[b][c % nb], "comparison": j, "vacancies": G,
                            "applications_reference": int(p.n_r.sum()), "applications": int(p.n_k.sum()),
                            "callbacks_reference": yr, "callbacks": yk,
                            "small": G < threshold or any(0 < x < threshold for x in (yr, yk))})
    return out


def heterogeneity(study: Study, by: Sequence[str], *, threshold: int = 5, conf: float = 0.95,
                  wave: str | None = None) -> pd.DataFrame:
    """The gap per subgroup (level of each ``by`` variable: occupation, province, company size, ...).

    Per subgroup the same delta-method difference and relative callback as :func:`compare_groups`,
    a z-test p-value, and Holm- and Benjamini-Hochberg-adjusted p-values over all shown subgroups
    (the family is the whole table; :func:`evaluatie.stats.multitest.adjust_pvalues`, statsmodels
    ``multipletests`` methods ``"holm"`` and ``"fdr_bh"``).

    Which subgroups are withheld is decided per wave and ground, every variable and comparison
    together, by :func:`~evaluatie.analyses.correspondence.protection.withheld_subgroups` (whole
    levels): a level with fewer than ``threshold`` vacancies, or with a non-zero count of positive
    reactions on either side below ``threshold``, is withheld (primary); because the ground's
    vacancies, positive reactions per side and pair counts are published in the report's other
    tables, a single withheld level could be recovered by subtraction, so the smallest shown level of
    that variable is withheld with it (secondary, checked with the differencing attack and extended
    while a withheld level can still be narrowed down); and because a shown level of one variable
    minus shown levels of another can leave a withheld level or a small crossing cell (a sector that
    lies in one province), more levels are withheld until the attack on every two variables
    (:func:`evaluatie.publish.audit.crossing`) narrows none down. A withheld row keeps its labels and
    has every number blank, marked in ``attrs["suppressed"]``
    (:func:`evaluatie.publish.disclosure.mark`); ``suppressed`` says which rows are withheld.
    """
    waves = [wave] if wave else study.waves[:1]
    rows, design = [], []  # design: per row, what withheld_subgroups needs to check the decision
    cross = []  # per two variables, crossing cell and comparison: the same counts
    z = stats.norm.ppf(0.5 + conf / 2)
    comparisons = study.comparisons
    for var in by:
        if var not in study.data.columns:
            raise DataError([Problem(None, None, var, None, "een kolom voor de heterogeniteitsanalyse")])
    for w in waves:
        in_w = (study.data["wave"] == w).to_numpy()
        slim = study.data[["cluster", "ground", "group", "outcome"]][in_w]
        codes, names = {}, {}
        for var in by:
            vals = study.data[var][in_w].astype(str)
            names[var] = sorted(pd.unique(vals))
            codes[var] = pd.Categorical(vals, categories=names[var]).codes.astype(np.int64)
        for var in by:
            # per level × vacancy sums for every comparison at once (one bincount per side), then
            # the same per-subgroup statistics as on the level's rows alone (tested equal)
            levels = names[var]
            sums = _level_pairs(slim, codes[var], len(levels), comparisons)
            for li, lv in enumerate(levels):
                for j, ((g, k, ref), per_level) in enumerate(zip(comparisons, sums)):
                    p = per_level(li)
                    if len(p.n_r) == 0:
                        continue
                    G = len(p.n_r)
                    yr, yk = int(p.y_r.sum()), int(p.y_k.sum())
                    small = G < threshold or any(0 < c < threshold for c in (yr, yk))
                    row = {"wave": w, "variable": var, "level": lv, "ground": g, "group": k, "reference": ref,
                           "vacancies": G, "callbacks_reference": yr, "callbacks": yk, "suppressed": small}
                    pairs = _paired_counts(p)
                    design.append({"variable": var, "level": lv, "comparison": j, "vacancies": G, "small": small,
                                   "applications_reference": int(p.n_r.sum()), "applications": int(p.n_k.sum()),
                                   "most_reference": int(p.n_r.max()), "most": int(p.n_k.max()),
                                   "callbacks_reference": yr, "callbacks": yk,
                                   **{c: pairs[c] for c in ("only_reference", "only_group", "both", "neither")}})
                    if not small and G > 1:
                        pr, pk, se_d, se_log = _delta(p, conf)
                        diff = pk - pr
                        row.update({"rate_reference": pr, "rate": pk, "difference_pp": 100 * diff,
                                    "difference_ci_low": 100 * (diff - z * se_d),
                                    "difference_ci_high": 100 * (diff + z * se_d),
                                    "relative_callback": pk / pr if pr > 0 else np.nan,
                                    "p": float(2 * stats.norm.sf(abs(diff) / se_d)) if se_d > 0 else 1.0})
                    rows.append(row)
        cross += _crossing_cells(slim, codes, names, comparisons, threshold, w)
    cols = ["wave", "variable", "level", "ground", "group", "reference", "vacancies", "callbacks_reference",
            "callbacks", "rate_reference", "rate", "difference_pp", "difference_ci_low", "difference_ci_high",
            "gap_pp", "gap_ci_low", "gap_ci_high", "relative_callback", "p", "p_holm", "p_bh", "suppressed"]
    res = with_gap(pd.DataFrame(rows).reindex(columns=cols))
    res["suppressed"] = res["suppressed"].astype(bool)
    cells = pd.DataFrame(design, index=res.index)
    crossings = pd.DataFrame(cross, columns=["wave", "ground", "variable_a", "level_a", "variable_b", "level_b",
                                             "comparison", *_CELL_COUNTS, "small"])
    withheld = np.zeros(len(res), dtype=bool)
    for (w, g), part in res.groupby(["wave", "ground"], sort=False):
        mine = crossings[(crossings["wave"] == w) & (crossings["ground"] == g)]
        hide = withheld_subgroups(cells.loc[part.index], mine, threshold)  # one decision per wave and ground
        for var, levels in hide.items():
            withheld[part.index[(part["variable"] == var) & part["level"].isin(levels)]] = True
    res["suppressed"] = withheld
    shown = ~withheld & res["p"].notna().to_numpy()
    res.loc[shown, "p_holm"] = adjust_pvalues(res.loc[shown, "p"].to_numpy(), "holm")
    res.loc[shown, "p_bh"] = adjust_pvalues(res.loc[shown, "p"].to_numpy(), "fdr_bh")
    for c in ["vacancies", "callbacks_reference", "callbacks"]:
        res[c] = res[c].astype("Int64")
    return mark(res, withheld, threshold)


# =========================================================================== waves

def wave_comparison(study: Study, *, base: str | None = None, conf: float = 0.95) -> pd.DataFrame:
    """Every later wave against the base wave (default: the first, the nulmeting), per comparison.

    ``gap_base_pp`` / ``gap_pp``: the gap (reference rate − group rate, in pp; positive = the group
    gets fewer positive reactions) in each wave, from the fixed-effects LPM. ``change_pp``: the
    change in the gap, from the difference-in-differences regression on application level
    outcome ~ group + group×later-wave + vacancy fixed effects (which absorb the wave), SEs clustered
    by vacancy (:func:`lpm_fe`). ``relative_change``: ratio of the relative callbacks (later / base)
    with a delta-method interval on the log scale (independent vacancies in the two waves:
    Var = Var₁ + Var₂). ``sentence``: the result in plain Dutch.
    """
    base = base or study.waves[0]
    later = [w for w in study.waves if w != base]
    cmp = compare_groups(study, conf=conf).set_index(["wave", "ground", "group"])
    slim = study.data[["ground", "group", "wave", "cluster", "outcome"]]
    rows = []
    for w in later:
        for g, k, ref in study.comparisons:
            if (base, g, k) not in cmp.index or (w, g, k) not in cmp.index:
                continue
            d = slim[((slim["wave"] == base) | (slim["wave"] == w)).to_numpy()]
            fit = lpm_fe(study, g, interact_wave=w, data=d, conf=conf).set_index("term")
            c0 = fit.loc[f"group[{k}]"]
            c1 = fit.loc[f"group[{k}]:wave[{w}]"]
            f0 = lpm_fe(study, g, wave=base).set_index("term").loc[f"group[{k}]"]
            f1 = lpm_fe(study, g, wave=w).set_index("term").loc[f"group[{k}]"]
            a, b = cmp.loc[(base, g, k)], cmp.loc[(w, g, k)]
            zq = stats.norm.ppf(0.5 + conf / 2)
            ok = a["relative_callback"] > 0 and b["relative_callback"] > 0  # else no log-scale interval
            lr = math.log(b["relative_callback"]) - math.log(a["relative_callback"]) if ok else np.nan
            se_lr = math.hypot(a["log_relative_callback_se"], b["log_relative_callback_se"]) if ok else np.nan
            gap0, gap1 = -100 * f0["coef"], -100 * f1["coef"]
            change = -100 * c1["coef"]  # change in the gap (later − base); negative = the gap shrank
            row = {
                "ground": g, "group": k, "reference": ref, "base": base, "wave": w,
                "gap_base_pp": gap0, "gap_pp": gap1, "change_pp": change, "change_se_pp": 100 * c1["se"],
                "change_ci_low": -100 * c1["ci_high"], "change_ci_high": -100 * c1["ci_low"], "change_p": c1["p"],
                "relative_callback_base": a["relative_callback"], "relative_callback": b["relative_callback"],
                "relative_change": math.exp(lr), "relative_change_ci_low": math.exp(lr - zq * se_lr),
                "relative_change_ci_high": math.exp(lr + zq * se_lr),
                "relative_change_p": float(2 * stats.norm.sf(abs(lr) / se_lr)) if ok else np.nan,
                "vacancies_base": int(a["vacancies"]), "vacancies": int(b["vacancies"]),
                "did_base_coef_pp": 100 * c0["coef"],
            }
            row["sentence"] = wave_sentence(row)
            rows.append(row)
    return pd.DataFrame(rows)


# =========================================================================== the full table

def _need_two_vacancies(study: Study) -> None:
    """A :class:`DataError` when a ground has one vacancy in a wave: the intervals are clustered
    by vacancy, and one cluster leaves no variation to estimate them from (G/(G-1) with G = 1)."""
    lonely = [(w, g) for (w, g), n in study.vacancies_per_ground().items() if n < 2]
    if lonely:
        raise DataError([Problem(study.files, None, None, None,
                                 f"minstens twee vacatures voor grond '{g}'{study.in_wave(w)}; met één vacature zijn "
                                 "de intervallen (geclusterd per vacature) niet te schatten")
                         for w, g in lonely])


def discrimination_table(study: Study, *, conf: float = 0.95, bootstrap: int = 0, seed: int | None = 20240501,
                         covariates: Sequence[str] | None = None, interval: str = "delta",
                         threshold: int | None = DEFAULT_THRESHOLD) -> pd.DataFrame:
    """One row per wave, ground and non-reference group: rates, difference and relative callback
    with intervals (``interval`` = ``"delta"`` or ``"bootstrap"`` for the exported interval columns),
    paired counts, net discrimination, exact McNemar p and the fixed-effects LPM coefficient (with
    ``covariates``, decided with ``threshold`` as in
    :func:`~evaluatie.analyses.correspondence.models.regression_table`), its clustered SE and p-value.
    :data:`DISCRIMINATION_COLUMNS` are the exported columns; more are kept for the report."""
    if interval not in ("delta", "bootstrap"):
        raise ValueError(f"interval must be 'delta' or 'bootstrap', not {interval!r}")
    _need_two_vacancies(study)
    T = _tables(study)
    cmp = compare_groups(study, conf=conf, bootstrap=bootstrap, seed=seed, tables=T)
    if interval == "bootstrap":
        if not bootstrap:
            raise ValueError("interval='bootstrap' needs bootstrap > 0")
        cmp = cmp.assign(difference_ci_low=cmp["difference_boot_low"],
                         difference_ci_high=cmp["difference_boot_high"],
                         relative_callback_ci_low=cmp["relative_callback_boot_low"],
                         relative_callback_ci_high=cmp["relative_callback_boot_high"])
        cmp = with_gap(cmp)
    coefs = []
    for w in study.waves:
        for g in T.grounds:
            if not T.rates_n[T.waves.index(w), T.grounds.index(g)].any():
                continue
            ref = study.reference_groups[g]
            fit = (_lpm_sums(T, w, g, ref, conf) if not covariates
                   else lpm_fe(study, g, wave=w, covariates=covariates, conf=conf, threshold=threshold))
            for _, r in fit.iterrows():
                if r["term"].startswith("group[") and ":" not in r["term"]:
                    coefs.append({"wave": w, "ground": g, "group": r["term"][6:-1], "lpm_coef": r["coef"],
                                  "lpm_se": r["se"], "lpm_p": r["p"]})
    out = cmp.merge(pd.DataFrame(coefs), on=["wave", "ground", "group"], how="left")
    return out


def core_statistics(study: Study, conf: float = 0.95) -> dict[str, pd.DataFrame]:
    """Everything the benchmark times, from one pass over the rows: rates with Wilson and exact
    intervals, the comparisons (delta-method intervals, paired counts, McNemar) and the
    fixed-effects LPM with clustered SEs per wave and ground."""
    T = _tables(study)
    rates = callback_rates(study, conf, tables=T)
    cmp = compare_groups(study, conf=conf, tables=T)
    lpm = [(_lpm_sums(T, w, g, study.reference_groups[g], conf).assign(wave=w, ground=g))
           for w in study.waves for g in T.grounds if T.rates_n[T.waves.index(w), T.grounds.index(g)].any()]
    return {"rates": rates, "comparisons": cmp, "lpm": pd.concat(lpm, ignore_index=True)}


# =========================================================================== meta-analysis

def _benchmark_key(spec) -> tuple[str | None, str]:
    """``"ethnicity"`` → (ethnicity, all); ``{"ground": "age", "scope": "Europe"}`` or
    ``["age", "Europe"]`` → (age, Europe)."""
    if spec is None or spec == "":
        return None, "all"
    if isinstance(spec, Mapping):
        return spec.get("ground"), spec.get("scope", "all") or "all"
    if isinstance(spec, (list, tuple)):
        return spec[0], (spec[1] if len(spec) > 1 else "all")
    return str(spec), "all"


def benchmark_table(disc: pd.DataFrame, benchmarks: pd.DataFrame, ground_map: Mapping[str, Any]) -> pd.DataFrame:
    """This study's relative callback per ground beside the meta-analysis figure for the matching
    ground (``ground_map``: our ground -> the meta-analysis' ground, as a string for its overall
    figure or as ``{"ground": ..., "scope": ...}`` for a matching sub-figure, e.g. Maghrebi-Arab
    background or European studies). ``benchmark_relative_callback`` is the matching figure (the
    scope asked for, else the overall one), ``benchmark_all_relative_callback`` always the overall
    one, so a report can show both."""
    rows = []
    for _, r in disc.iterrows():
        meta, scope = _benchmark_key(ground_map.get(str(r["ground"])))
        in_ground = benchmarks["ground"] == meta
        b_all = benchmarks[in_ground & (benchmarks["scope"] == "all")] if meta else benchmarks.iloc[:0]
        b = benchmarks[in_ground & (benchmarks["scope"] == scope)] if meta else benchmarks.iloc[:0]
        if not len(b):
            b, scope = b_all, "all"
        rows.append({"wave": r["wave"], "ground": r["ground"], "group": r["group"],
                     "relative_callback": r["relative_callback"],
                     "relative_callback_ci_low": r["relative_callback_ci_low"],
                     "relative_callback_ci_high": r["relative_callback_ci_high"],
                     "benchmark_ground": meta or "",
                     "benchmark_scope": scope if meta else "",
                     "benchmark_relative_callback": float(b["relative_callback"].iloc[0]) if len(b) else np.nan,
                     "benchmark_fewer_pct": float(b["fewer_positive_responses_pct"].iloc[0]) if len(b) else np.nan,
                     "benchmark_all_relative_callback":
                         float(b_all["relative_callback"].iloc[0]) if len(b_all) else np.nan})
    return pd.DataFrame(rows)
