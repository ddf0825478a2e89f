"""Correspondence-test (praktijktest) analysis: the nulmeting and every vervolgmeting.

Input: one row per application (fictitious CV + letter sent to a real vacancy) with the vacancy,
the ground tested (ethnicity, age, gender, ...), the signalled group and whether the employer
reacted positively. :func:`prepare` maps a study's own column names onto the standard names,
checks the design and keeps a ledger; the functions below compute the statistics of a
publishable analysis. Vacancies are the clusters: every interval and standard error allows for the
correlation of applications sent to the same vacancy (and vacancies of different waves are
different clusters).

Standard column names: ``vacancy``, ``ground``, ``group``, ``outcome`` (required, ``ground`` may be
given as a constant instead), optional ``application`` (an id that makes an application unique
within its vacancy), ``wave``, ``outcome2`` (a second outcome such as an interview invitation),
and any covariates (``occupation``, ``province``, ``company_size``, ``date``, ...).

Statistics and their references (each has a test in ``tests/test_correspondence*.py``):

* :func:`wilson_interval`, :func:`exact_interval` — Wilson score and Clopper-Pearson intervals;
  reference: statsmodels ``proportion_confint(method="wilson" / "beta")``.
* :func:`callback_rates` — positive-reaction rate per ground and group.
* :func:`compare_groups` — difference in percentage points and relative callback (group rate /
  reference rate) with delta-method intervals by cluster linearisation (the ratio-estimator
  linearisation of R ``survey``'s ``svyratio`` with vacancies as PSUs, variance factor G/(G-1)) and
  a seeded cluster (vacancy) bootstrap; paired counts per vacancy, net discrimination and the exact
  McNemar test (reference: statsmodels ``mcnemar(exact=True)``); coverage of the relative-callback
  interval checked by simulation.
* :func:`lpm_fe` — linear probability model with vacancy fixed effects (within transformation)
  and vacancy-clustered standard errors; reference: statsmodels OLS with vacancy dummies and
  ``cov_type="cluster"``. :func:`conditional_logit` — the logit check (Newton on all vacancies as
  arrays with the exact Hessian; reference: statsmodels ``ConditionalLogit``, also the fallback;
  for 1:1 pairs its odds ratio is the closed form c/b).

Speed: every faster algorithm here has an old-vs-new equality test in
``tests/test_correspondence_fast.py`` (bootstrap bit-identical for the same seed).
* :func:`heterogeneity` — gaps per subgroup with Holm and Benjamini-Hochberg adjusted p-values
  (reference: statsmodels ``multipletests``), small subgroups suppressed.
* :func:`wave_comparison` — nulmeting vs vervolgmeting: difference-in-differences on application
  level with vacancy fixed effects, clustered by vacancy.
* :func:`mcnemar_power`, :func:`mcnemar_sample_size`, :func:`wave_change_power`,
  :func:`wave_change_sample_size` — power for paired designs (Connor 1987), checked by simulation.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping, Sequence

import numpy as np
import pandas as pd
from scipy import stats

from evaluatie.core.errors import DataError, Problem
from evaluatie.intake.schema import Ledger

__all__ = [
    "STANDARD_COLUMNS", "Study", "read_applications", "prepare", "combine",
    "wilson_interval", "exact_interval", "callback_rates", "compare_groups", "paired_counts",
    "mcnemar_exact", "lpm_fe", "conditional_logit", "holm", "benjamini_hochberg", "heterogeneity",
    "wave_comparison", "mcnemar_power", "mcnemar_sample_size", "wave_change_power",
    "wave_change_sample_size", "power_table", "discrimination_table", "summary_sentences",
    "RATE_COLUMNS", "DISCRIMINATION_COLUMNS", "load", "plot_rates", "plot_forest", "power_curves",
    "plot_power", "benchmark_table", "core_statistics", "relabel", "second_outcome_sentences",
    "heterogeneity_summary",
]

STANDARD_COLUMNS = ("vacancy", "ground", "group", "outcome", "application", "wave", "outcome2",
                    "occupation", "province", "company_size", "date")
REQUIRED = ("vacancy", "ground", "group", "outcome")
RATE_COLUMNS = ["ground", "group", "applications", "callbacks", "rate", "ci_low", "ci_high"]
DISCRIMINATION_COLUMNS = [
    "ground", "group", "reference", "rate", "rate_reference", "difference_pp", "difference_ci_low",
    "difference_ci_high", "relative_callback", "relative_callback_ci_low", "relative_callback_ci_high",
    "vacancies", "neither", "only_reference", "only_group", "both", "net_discrimination",
    "mcnemar_p", "lpm_coef", "lpm_se", "lpm_p",
]



# =========================================================================== input

@dataclass
class Study:
    """A checked correspondence test: the applications in standard columns plus the design.

    ``data`` has one row per analysed application with ``wave``, ``vacancy``, ``cluster`` (an
    integer id per wave × vacancy), ``ground``, ``group`` (both categorical, reference group
    first), ``outcome`` (0/1) and the optional columns. ``ledgers`` accounts for every row read.
    """

    data: pd.DataFrame
    reference_groups: dict[str, str]
    ledgers: list[Ledger] = field(default_factory=list)
    waves: list[str] = field(default_factory=list)

    @property
    def comparisons(self) -> list[tuple[str, str, str]]:
        """(ground, group, reference) for every non-reference group, in a fixed order."""
        d = self.data
        grounds, groups = list(d["ground"].cat.categories), list(d["group"].cat.categories)
        combo = d["ground"].cat.codes.to_numpy().astype(np.int64) * len(groups) + d["group"].cat.codes.to_numpy()
        present = np.bincount(combo, minlength=len(grounds) * len(groups)).reshape(len(grounds), len(groups)) > 0
        out = []
        for gi, g in enumerate(grounds):
            ref = self.reference_groups[g]
            for ki, k in enumerate(groups):
                if k != ref and present[gi, ki]:
                    out.append((g, k, ref))
        return out


def _row(i) -> int | None:
    try:
        return int(i)
    except (TypeError, ValueError):
        return None


def _read_table(path: Path) -> pd.DataFrame:
    """The input table with the index = row number as seen in the file (header = row 1)."""
    try:  # the shared reader (CSV dialects, XLSX, SAV, DTA, Parquet) once it exists
        from evaluatie.intake.read import read_table  # type: ignore
    except ImportError:
        read_table = None
    if read_table is not None:
        return read_table(path)
    df = pd.read_csv(path, sep=None, engine="python", dtype=str, keep_default_na=False,
                     encoding_errors="strict")
    df.index = pd.RangeIndex(2, len(df) + 2)
    df.attrs["source"] = {"file": Path(path).name}
    return df


def read_applications(path: str | Path, **kwargs) -> Study:
    """Read one application log and check it with :func:`prepare` (same keyword arguments)."""
    from evaluatie.core.paths import resolve

    p = resolve(path)
    df = _read_table(p)
    src = df.attrs.get("source", {})
    kwargs.setdefault("file", src.get("file", p.name) if isinstance(src, dict) else p.name)
    return prepare(df, **kwargs)


GROUND_PARAM = "(parameter ground)"


def _check_groups(reference_groups: Mapping[str, str], groups: Mapping[str, Sequence[str]] | None):
    """Cross-row rule: every ground has a reference group that occurs in the data, and with
    ``groups`` declared every label is the reference or a declared group."""

    def check(df: pd.DataFrame) -> list[Problem]:
        problems = []
        g_codes, g_uni = pd.factorize(df["ground"])  # grounds in order of appearance
        k_codes, k_uni = pd.factorize(df["group"])
        for gi, g in enumerate(g_uni):
            mask = g_codes == gi
            rows = df.index[mask]
            if g not in reference_groups:
                problems.append(Problem(None, _row(rows[0]), "ground", g,
                                        f"een grond met een referentiegroep in 'reference_groups' "
                                        f"({len(rows)} rijen met grond '{g}'; ingesteld: "
                                        f"{', '.join(reference_groups) or 'geen'})"))
                continue
            ref = reference_groups[g]
            labels = set(k_uni[np.unique(k_codes[mask])])
            if ref not in labels:
                problems.append(Problem(None, None, "group", ref,
                                        f"sollicitaties van de referentiegroep '{ref}' voor grond '{g}'; "
                                        f"gevonden groepen: {', '.join(sorted(labels))}"))
            if groups is not None and g in groups:
                allowed = {ref, *map(str, groups[g])}
                sub = df["group"][mask]
                bad = ~sub.isin(allowed)
                problems += [Problem(None, _row(i), "group", v,
                                     f"de referentiegroep '{ref}' of een opgegeven groep "
                                     f"({', '.join(map(str, groups[g]))}) voor grond '{g}'")
                             for i, v in zip(sub.index[bad.to_numpy()], sub[bad])]
        return problems

    return check


def prepare(
    df: pd.DataFrame,
    *,
    file: str = "invoer",
    columns: Mapping[str, str] | None = None,
    reference_groups: Mapping[str, str],
    ground: str | None = None,
    groups: Mapping[str, Sequence[str]] | None = None,
    allow_unpaired: bool = False,
    wave: str | None = None,
    _raw: bool = False,
) -> Study:
    """Check an application log and bring it into standard form.

    ``columns`` maps standard names to the file's columns (unmapped standard names are looked up
    under their own name). ``reference_groups`` gives the reference group of every ground;
    ``ground`` names the ground when the file has no ground column; ``groups`` optionally declares
    the non-reference groups per ground (then any other label is an error); ``wave`` labels the
    file's wave when it has no wave column.

    Every problem is collected and raised together as a :class:`DataError`: missing columns,
    outcomes that are not yes/no, empty vacancy/ground/group, a ground without a reference group,
    a group label that is neither the reference nor declared, the same application twice (same
    ``application`` id in a vacancy, or without an application id a completely identical row), and
    vacancies where only one side of a comparison was sent. With ``allow_unpaired`` the latter are
    left out with a line in the ledger. Several applications per side and vacancy are valid.
    """
    from evaluatie.intake.schema import Column, Schema

    columns = {str(k): str(v) for k, v in (columns or {}).items()}
    reference_groups = {str(k): str(v) for k, v in (reference_groups or {}).items()}
    if not reference_groups:
        raise DataError([Problem(file, None, None, None,
                                 "per discriminatiegrond een referentiegroep (parameter 'reference_groups')")])
    core = ("vacancy", "ground", "group", "outcome", "application", "wave", "outcome2")
    std_map = {k: v for k, v in columns.items() if k in core}
    renames = {v: k for k, v in columns.items() if k not in core}  # covariates: file name -> our name
    for user in renames:
        if user not in df.columns:
            raise DataError([Problem(file, None, user, None,
                                     f"een kolom '{user}' (ingesteld onder 'columns'); gevonden kolommen: "
                                     f"{', '.join(map(str, df.columns))}")])
    raw = df
    if ground is not None:
        raw = df.assign(**{GROUND_PARAM: ground})
        std_map["ground"] = GROUND_PARAM
    have = lambda name: std_map.get(name, name) in raw.columns  # noqa: E731
    key = (["wave"] if have("wave") else []) + ["vacancy", "application"]
    schema = Schema(
        columns=[Column("vacancy", "str"), Column("ground", "str"), Column("group", "str"),
                 Column("outcome", "bool"), Column("application", "str", required=False),
                 Column("wave", "str", required=False), Column("outcome2", "bool", required=False)],
        unique=[tuple(key)] if have("application") else [],
        checks=[_check_groups(reference_groups, groups)],
    )
    mapped_user = {std_map.get(c, c) for c in core}
    keep = [c for c in raw.columns if c not in mapped_user]
    problems: list[Problem] = []
    if not have("application"):  # without an application id: a completely identical row is a duplicate
        dup = df.duplicated(keep="first")
        problems += [Problem(file, _row(i), None, None,
                             "geen identieke rij: dezelfde sollicitatie staat er twee keer in "
                             "(geef een kolom 'application' op als twee sollicitaties echt identiek zijn)")
                     for i in df.index[dup.to_numpy()]]
    try:
        clean = schema.validate(raw, file=file, columns=std_map, keep=keep)
    except DataError as e:
        raise DataError(problems + e.problems) from None
    if problems:
        raise DataError(problems)
    found = clean.attrs.get("columns", {})
    out = clean.drop(columns=[c for c in ("application", "wave", "outcome2") if c not in found])
    out = out.rename(columns=renames)
    if "wave" not in out.columns:
        out["wave"] = wave if wave is not None else "meting"
    out["outcome"] = out["outcome"].astype(np.int8)
    if "outcome2" in out.columns:
        out["outcome2"] = out["outcome2"].astype(np.int8)
    colname = {"vacancy": found.get("vacancy", "vacancy")}

    # one-sided vacancies: per wave x vacancy x ground the reference and >= 1 other group
    ledger = Ledger(file, read=len(out))
    is_ref = out["group"].to_numpy() == out["ground"].map(reference_groups).to_numpy()
    codes = _combined_codes(out["wave"], out["vacancy"], out["ground"])
    n_ref = np.bincount(codes, weights=is_ref)
    n_oth = np.bincount(codes, weights=~is_ref)
    one_sided = ((n_ref == 0) | (n_oth == 0))[codes]
    if one_sided.any():
        if not allow_unpaired:
            sub = out[one_sided]
            first = sub.groupby(codes[one_sided], sort=False).head(1)
            problems = [
                Problem(file, _row(i), colname["vacancy"], r["vacancy"],
                        f"sollicitaties van beide kanten van de vergelijking voor grond '{r['ground']}' "
                        f"(alleen '{r['group']}' verstuurd; zet 'allow_unpaired: true' om zulke "
                        "vacatures buiten de gepaarde analyse te laten)")
                for i, r in first.iterrows()
            ]
            raise DataError(problems)
        ledger.exclude("vacature waar maar één kant van de vergelijking verstuurd is (ongepaard)",
                       int(one_sided.sum()))
        out = out[~one_sided]
    if _raw:  # checked rows before the study is assembled (load() assembles several files at once)
        present = set(pd.unique(out["ground"].astype(str)))
        return _Raw(out, ledger, {g: r for g, r in reference_groups.items() if g in present})
    return _finish(out, reference_groups, [ledger], groups)


@dataclass
class _Raw:
    """One checked file before assembly: its rows, ledger and the reference groups it uses (what
    its own :class:`Study` would have)."""

    out: pd.DataFrame
    ledger: Ledger
    refs: dict


def _combine_raw(raws: Sequence[_Raw], waves: Sequence[str] | None = None) -> Study:
    """``combine([prepare(f1), prepare(f2), ...])`` without assembling each file's study first:
    the same reference groups (in the same order), wave order, rows and clusters (tested equal)."""
    refs: dict[str, str] = {}
    for r in raws:
        refs.update(r.refs)
    order = list(waves) if waves else list(dict.fromkeys(
        w for r in raws for w in pd.unique(r.out["wave"].astype(str))))
    return _finish(pd.concat([r.out for r in raws], ignore_index=True), refs, [r.ledger for r in raws],
                   waves=order)


def _combined_codes(*cols: pd.Series) -> np.ndarray:
    """Integer codes of the combinations of several columns (as strings), numbered in order of
    first appearance — the codes ``pd.factorize`` gives the joined strings, without building them."""
    key = np.zeros(len(cols[0]), dtype=np.int64)
    for c in cols:
        codes, uniq = pd.factorize(c.astype(str))
        key = key * max(len(uniq), 1) + codes
        key = pd.factorize(key)[0].astype(np.int64)  # keep the key small
    return pd.factorize(key)[0]


def _finish(out: pd.DataFrame, reference_groups, ledgers, groups=None, waves=None) -> Study:
    out = out.copy()
    # no attrs on the analysis frame (the reader's file metadata is in the ledgers): pandas deep-
    # copies attrs into every column and subset taken from a frame, which doubles their cost
    out.attrs = {}
    wave_s = out["wave"].astype(str)
    waves = list(waves) if waves is not None else [str(w) for w in pd.unique(wave_s)]
    out["wave"] = pd.Categorical(wave_s, categories=waves)
    ground_s, group_s = out["ground"].astype(str), out["group"].astype(str)
    g_codes, g_uni = pd.factorize(ground_s)
    k_codes, k_uni = pd.factorize(group_s)
    grounds = [g for g in reference_groups if g in set(g_uni)]
    out["ground"] = pd.Categorical(ground_s, categories=grounds)
    nk = max(len(k_uni), 1)
    present_by: dict[str, set] = {}
    for c in np.unique(g_codes.astype(np.int64) * nk + k_codes):
        present_by.setdefault(g_uni[c // nk], set()).add(k_uni[c % nk])
    labels = []
    for g in grounds:
        ref = reference_groups[g]
        present = present_by.get(g, set())
        order = [ref] + ([str(x) for x in groups[g]] if groups and g in groups else sorted(present - {ref}))
        labels += [x for x in order if x in present and x not in labels]
    out["group"] = pd.Categorical(group_s, categories=labels)
    out["cluster"] = _combined_codes(wave_s, out["vacancy"])
    out["outcome"] = out["outcome"].astype(np.int8)
    return Study(out, {g: reference_groups[g] for g in grounds}, list(ledgers), waves)


def combine(studies: Sequence[Study], waves: Sequence[str] | None = None) -> Study:
    """Several waves (each its own file and ledger) as one study; vacancies of different waves are
    different clusters even when their ids coincide."""
    refs: dict[str, str] = {}
    for s in studies:
        refs.update(s.reference_groups)
    frames = [s.data.assign(wave=s.data["wave"].astype(str), ground=s.data["ground"].astype(str),
                            group=s.data["group"].astype(str)) for s in studies]
    order = list(waves) if waves else list(dict.fromkeys(w for s in studies for w in s.waves))
    return _finish(pd.concat(frames, ignore_index=True), refs, [l for s in studies for l in s.ledgers],
                   waves=order)


# =========================================================================== proportions

def wilson_interval(count, nobs, conf: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval (Wilson 1927): centre (x + z²/2)/(n + z²), half-width
    z/(n + z²)·sqrt(x(n−x)/n + z²/4). Reference: statsmodels ``proportion_confint(method="wilson")``."""
    x = np.asarray(count, dtype=float)
    n = np.asarray(nobs, dtype=float)
    z = stats.norm.ppf(0.5 + conf / 2)
    with np.errstate(invalid="ignore", divide="ignore"):
        centre = (x + z * z / 2) / (n + z * z)
        half = z / (n + z * z) * np.sqrt(x * (n - x) / n + z * z / 4)
    return centre - half, centre + half


def exact_interval(count, nobs, conf: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """Clopper-Pearson interval from beta quantiles: Beta(α/2; x, n−x+1), Beta(1−α/2; x+1, n−x);
    0 when x = 0, 1 when x = n. Reference: statsmodels ``proportion_confint(method="beta")``."""
    x = np.asarray(count, dtype=float)
    n = np.asarray(nobs, dtype=float)
    a = 1 - conf
    with np.errstate(invalid="ignore", divide="ignore"):
        lo = np.where(x > 0, stats.beta.ppf(a / 2, np.maximum(x, 1e-300), n - x + 1), 0.0)
        hi = np.where(x < n, stats.beta.isf(a / 2, x + 1, np.maximum(n - x, 1e-300)), 1.0)
    return lo, hi


def callback_rates(study: Study, conf: float = 0.95, outcome: str = "outcome", tables=None) -> pd.DataFrame:
    """Positive-reaction rate per wave, ground and group (all analysed applications) with the Wilson
    interval (``ci_low``, ``ci_high``) and the exact Clopper-Pearson interval (``exact_low``,
    ``exact_high``). The intervals treat applications as independent; the comparisons between groups
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
    lo, hi = wilson_interval(x, n, conf)
    elo, ehi = exact_interval(x, n, conf)
    return pd.DataFrame({
        "wave": [r[0] for r in rows], "ground": [r[1] for r in rows], "group": [r[2] for r in rows],
        "applications": n.astype(int), "callbacks": x.astype(int),
        "rate": x / n, "ci_low": lo, "ci_high": hi, "exact_low": elo, "exact_high": ehi,
        "is_reference": [r[5] for r in rows],
    })


# =========================================================================== paired comparisons

@dataclass
class _Pairs:
    """Vacancy-level sums for one comparison: only vacancies with both sides."""

    n_r: np.ndarray
    y_r: np.ndarray
    n_k: np.ndarray
    y_k: np.ndarray


def _pairs(d: pd.DataFrame, ground: str, group: str, ref: str, outcome: str = "outcome") -> _Pairs:
    """Row-level version of :func:`_pairs_t` for any subset of the rows (subgroups)."""
    cl = d["cluster"].to_numpy()
    gc = d["ground"].cat.codes.to_numpy()
    kc = d["group"].cat.codes.to_numpy()
    y = d[outcome].to_numpy()
    gi = d["ground"].cat.categories.get_loc(ground)
    ki = d["group"].cat.categories.get_loc(group)
    ri = d["group"].cat.categories.get_loc(ref)
    G = int(cl.max()) + 1 if len(cl) else 0
    in_g = gc == gi
    mr = in_g & (kc == ri)
    mk = in_g & (kc == ki)
    n_r = np.bincount(cl[mr], minlength=G)
    n_k = np.bincount(cl[mk], minlength=G)
    y_r = np.bincount(cl[mr], weights=y[mr], minlength=G)
    y_k = np.bincount(cl[mk], weights=y[mk], minlength=G)
    keep = (n_r > 0) & (n_k > 0)
    return _Pairs(n_r[keep].astype(float), y_r[keep], n_k[keep].astype(float), y_k[keep])


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
    integers either way, so the replicates are identical to summing the drawn rows (tested against
    that, :func:`_bootstrap_rows`)."""
    G = len(p.n_r)
    a = (1 - conf) / 2
    cols = np.column_stack((p.y_r, p.n_r, p.y_k, p.n_k))
    top = float(np.abs(cols).max(initial=0))
    if not (bool(np.all(cols == np.round(cols))) and top * G < 2 ** 52):
        return _bootstrap_rows(p, reps, rng, conf, chunk)  # non-integer counts: not after prepare()
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


def _bootstrap_rows(p: _Pairs, reps: int, rng: np.random.Generator, conf: float, chunk: int = 2_000_000):
    """The cluster bootstrap by gathering the drawn vacancies' rows and summing them (the
    reference for :func:`_bootstrap`; same draws, same results)."""
    G = len(p.n_r)
    a = (1 - conf) / 2
    diffs, ratios = [], []
    block = max(1, min(reps, chunk // max(G, 1)))
    done = 0
    cols = (p.y_r, p.n_r, p.y_k, p.n_k)
    while done < reps:
        b = min(block, reps - done)
        idx = rng.integers(0, G, size=(b, G))
        yr, nr, yk, nk = (c[idx].sum(axis=1) for c in cols)
        _boot_append(diffs, ratios, yr, nr, yk, nk)
        done += b
    return _boot_summary(diffs, ratios, a)


@dataclass
class _Tables:
    """Cluster-level sufficient statistics of a study: per slot (ground × group) and cluster
    (wave × vacancy) the number of applications ``N`` and of positive reactions ``Y`` (arrays of
    shape slots × clusters). Every paired statistic and the fixed-effects LPM without covariates
    are functions of these tables, so the row-level data are passed over only twice."""

    N: np.ndarray  # (S, G)
    Y: np.ndarray  # (S, G)
    wave_of: np.ndarray | None  # (G,) wave code per cluster (None with one wave)
    slot: dict  # (ground, group) -> row of N and Y
    waves: list
    grounds: list
    groups: list
    rates_n: np.ndarray  # (waves, grounds, groups) applications
    rates_y: np.ndarray  # (waves, grounds, groups) positive reactions
    memo: dict = field(default_factory=dict, repr=False)


def _tables(study: Study, outcome: str = "outcome") -> _Tables:
    d = study.data
    cl = d["cluster"].to_numpy()
    gc = d["ground"].cat.codes.to_numpy().astype(np.int64)
    kc = d["group"].cat.codes.to_numpy()
    y = d[outcome].to_numpy()
    grounds = list(d["ground"].cat.categories)
    groups = list(d["group"].cat.categories)
    waves = list(d["wave"].cat.categories)
    ng, nk, nw = len(grounds), len(groups), len(waves)
    combo = gc * nk + kc
    present = np.bincount(combo, minlength=ng * nk) > 0
    G = int(cl.max()) + 1 if len(cl) else 0
    if (present.reshape(ng, nk).sum(0) <= 1).all():
        # every group label belongs to one ground (the usual case): the group code is the slot
        S = nk
        slot = {(grounds[c // nk], groups[c % nk]): int(c % nk) for c in np.flatnonzero(present)}
        key = kc.astype(np.int64) * G + cl
    else:
        slotmap = np.cumsum(present) - 1
        S = int(present.sum())
        slot = {(grounds[c // nk], groups[c % nk]): int(slotmap[c]) for c in np.flatnonzero(present)}
        key = slotmap[combo] * G + cl
    N = np.bincount(key, minlength=G * S).reshape(S, G)
    # outcomes are 0/1 (prepare() guarantees it): count the positive rows only
    Y = np.bincount(key[y != 0], minlength=G * S).reshape(S, G)
    if nw == 1:
        wave_of = None
        per_slot_n, per_slot_y = N.sum(1)[None, :], Y.sum(1)[None, :]
    else:
        wave_of = np.zeros(G, dtype=np.int64)
        wave_of[cl] = d["wave"].cat.codes.to_numpy()
        per_slot_n = np.stack([N[:, wave_of == w].sum(1) for w in range(nw)])
        per_slot_y = np.stack([Y[:, wave_of == w].sum(1) for w in range(nw)])
    rn = np.zeros((nw, ng * nk), dtype=np.int64)
    ry = np.zeros((nw, ng * nk))
    for (g, k), j in slot.items():
        c = grounds.index(g) * nk + groups.index(k)
        rn[:, c] = per_slot_n[:, j]
        ry[:, c] = per_slot_y[:, j]
    return _Tables(N, Y, wave_of, slot, waves, grounds, groups, rn.reshape(nw, ng, nk), ry.reshape(nw, ng, nk))


def _wave_cols(T: _Tables, wave: str) -> np.ndarray | slice:
    if T.wave_of is None:
        return slice(None)
    return T.wave_of == T.waves.index(wave)


def _pairs_t(T: _Tables, wave: str, ground: str, group: str, ref: str) -> _Pairs:
    key = (wave, ground, group, ref)
    if key not in T.memo:
        T.memo[key] = _pairs_t_compute(T, wave, ground, group, ref)
    return T.memo[key]


def _pairs_t_compute(T: _Tables, wave: str, ground: str, group: str, ref: str) -> _Pairs:
    cols = _wave_cols(T, wave)
    jr, jk = T.slot.get((ground, ref)), T.slot.get((ground, group))
    if jr is None or jk is None:
        e = np.zeros(0)
        return _Pairs(e, e, e, e)
    n_r, n_k = T.N[jr, cols], T.N[jk, cols]
    keep = np.flatnonzero((n_r > 0) & (n_k > 0))
    return _Pairs(n_r[keep].astype(float), T.Y[jr, cols][keep].astype(float), n_k[keep].astype(float),
                  T.Y[jk, cols][keep].astype(float))


def _gram(A: np.ndarray, B: np.ndarray) -> np.ndarray:
    """A @ B.T for a few long rows, as elementwise products and sums: no BLAS call, whose threads
    make such thin products many times slower on a busy machine."""
    return np.array([[float((a * b).sum()) for b in B] for a in A])


def _lpm_sums(T: _Tables, wave: str, ground: str, ref: str, conf: float = 0.95) -> pd.DataFrame:
    """The fixed-effects LPM of :func:`lpm_fe` (group dummies, no covariates) from the cluster
    tables alone. With n_cj applications and y_cj positive reactions of group j in cluster c,
    n_c and ȳ_c the cluster's total and mean: X̃'X̃ = Σ_c [diag(n_cj) − n_cj n_cl / n_c],
    X̃'ỹ = Σ_c (y_cj − n_cj ȳ_c), and the cluster score S_cj = y_cj − n_cj ȳ_c − n_cj β_j +
    n_cj Σ_l n_cl β_l / n_c. Same CR1 correction as :func:`lpm_fe` (fixest convention); equal to it
    to rounding (tested)."""
    cols = _wave_cols(T, wave)
    others = [k for (g, k) in T.slot if g == ground and k != ref]
    rows = [T.slot[(ground, ref)]] + [T.slot[(ground, k)] for k in others]
    if len(others) == 1:
        # one compared group: clusters with only one side add nothing but their count (G) and
        # applications (N), so the paired clusters of compare_groups suffice
        p = _pairs_t(T, wave, ground, others[0], ref)
        wi, gi = T.waves.index(wave), T.grounds.index(ground)
        N = float(T.rates_n[wi, gi].sum())
        G = int(np.count_nonzero(T.N[rows[0], cols] + T.N[rows[1], cols]))
        nc = p.n_r + p.n_k
        nx, yx = p.n_k[None, :], p.y_k[None, :]
        ybar = (p.y_r + p.y_k) / nc
    else:
        n = T.N[rows][:, cols]
        ncall = n.sum(0)
        use = np.flatnonzero(ncall)
        n = n[:, use].astype(float)
        yy = T.Y[rows][:, cols][:, use].astype(float)
        nc = ncall[use].astype(float)
        ybar = yy.sum(0) / nc
        nx, yx = n[1:], yy[1:]  # (K, clusters)
        G, N = len(nc), float(nc.sum())
    resid0 = yx - nx * ybar
    XtX = np.diag(nx.sum(1)) - _gram(nx / nc, nx)
    Xty = resid0.sum(1)
    beta = np.linalg.solve(XtX, Xty)
    fitted = sum(b * row for b, row in zip(beta, nx))
    Sc = resid0 - nx * beta[:, None] + nx * (fitted / nc)
    inv = np.linalg.inv(XtX)
    K = len(beta)
    V = G / (G - 1) * (N - 1) / (N - K) * inv @ _gram(Sc, Sc) @ inv
    se = np.sqrt(np.diag(V))
    t = beta / se
    q = stats.t.ppf(0.5 + conf / 2, G - 1)
    res = pd.DataFrame({"term": [f"group[{k}]" for k in others], "coef": beta, "se": se, "t": t,
                        "p": 2 * stats.t.sf(np.abs(t), G - 1), "ci_low": beta - q * se, "ci_high": beta + q * se})
    res.attrs.update({"nobs": int(N), "clusters": G, "k": K, "ssc": "fixest"})
    return res


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
    return pd.DataFrame(rows)


# =========================================================================== regression

def _demean(v: np.ndarray, cl: np.ndarray, G: int, counts: np.ndarray) -> np.ndarray:
    if v.ndim == 1:
        return v - (np.bincount(cl, weights=v, minlength=G) / counts)[cl]
    return np.column_stack([_demean(v[:, j], cl, G, counts) for j in range(v.shape[1])])


def _rows(data: pd.DataFrame, ground: str, wave: str | None, extra: Sequence[str]) -> pd.DataFrame:
    """The rows of one ground (and wave), with only the columns a model needs (taking every column
    of the study, covariates included, is most of the cost of a small model)."""
    cols = list(dict.fromkeys(c for c in ("ground", "group", "wave", "cluster", *extra) if c in data.columns))
    mask = (data["ground"] == ground).to_numpy()
    if wave is not None:
        mask = mask & (data["wave"] == wave).to_numpy()
    return data[cols][mask]


def _design_matrix(d: pd.DataFrame, ground: str, ref: str, covariates: Sequence[str] | None,
                   interact: str | None = None):
    """Group dummies (non-reference groups of ``ground``), covariates (numeric as they are,
    others as dummies against their first level) and optional interactions with a wave dummy."""
    cats = d["group"].cat.categories
    gcodes = d["group"].cat.codes.to_numpy()
    n_in = np.bincount(gcodes[gcodes >= 0], minlength=len(cats))
    groups = [(i, k) for i, k in enumerate(cats) if k != ref and n_in[i] > 0]
    cols, names = [], []
    for i, k in groups:
        cols.append((gcodes == i).astype(float))
        names.append(f"group[{k}]")
    if interact is not None:
        wcats = list(d["wave"].cat.categories.astype(str))
        wv = (d["wave"].cat.codes.to_numpy() == wcats.index(str(interact))) if str(interact) in wcats \
            else np.zeros(len(d), dtype=bool)
        for i, k in groups:
            cols.append(((gcodes == i) & wv).astype(float))
            names.append(f"group[{k}]:wave[{interact}]")
    for c in covariates or []:
        s = d[c]
        if pd.api.types.is_numeric_dtype(s) and not pd.api.types.is_bool_dtype(s):
            cols.append(s.to_numpy(dtype=float))
            names.append(c)
        else:
            lv = sorted(pd.unique(s.astype(str)))
            for l in lv[1:]:
                cols.append((s.astype(str).to_numpy() == l).astype(float))
                names.append(f"{c}[{l}]")
    return np.column_stack(cols) if cols else np.empty((len(d), 0)), names


def _within_ols(X: np.ndarray, y: np.ndarray, cl: np.ndarray, *, ssc: str = "fixest"):
    """OLS after the within transformation, with CR1 cluster-robust covariance.

    V = G/(G−1)·(N−1)/(N−K)·(X̃'X̃)⁻¹(Σ_g S_g S_g')(X̃'X̃)⁻¹ with S_g = Σ_{i∈g} x̃_i e_i. ``ssc="fixest"``
    counts in K only the non-absorbed regressors (the fixed effects are nested in the clusters, as
    fixest's default ``fixef.K = "nested"``); ``ssc="dummies"`` adds the G absorbed effects to K (what
    statsmodels' default CR1 gives for OLS with vacancy dummies)."""
    uniq, cl = np.unique(cl, return_inverse=True)
    G = len(uniq)
    counts = np.bincount(cl, minlength=G).astype(float)
    Xt = _demean(X, cl, G, counts)
    yt = _demean(y.astype(float), cl, G, counts)
    beta, *_ = np.linalg.lstsq(Xt, yt, rcond=None)
    e = yt - Xt @ beta
    XtX_inv = np.linalg.inv(Xt.T @ Xt)
    S = np.column_stack([np.bincount(cl, weights=Xt[:, j] * e, minlength=G) for j in range(Xt.shape[1])])
    meat = S.T @ S
    N, K = len(y), Xt.shape[1]
    K_ssc = K if ssc == "fixest" else K + G
    f = G / (G - 1) * (N - 1) / (N - K_ssc)
    V = f * XtX_inv @ meat @ XtX_inv
    return beta, V, N, G, K_ssc


def lpm_fe(study: Study, ground: str, *, covariates: Sequence[str] | None = None, wave: str | None = None,
           ssc: str = "fixest", conf: float = 0.95, outcome: str = "outcome", interact_wave: str | None = None,
           data: pd.DataFrame | None = None) -> pd.DataFrame:
    """Linear probability model outcome ~ group dummies (+ covariates) + vacancy fixed effects, for
    one ground (one wave, or all waves with ``interact_wave`` for the difference-in-differences),
    estimated by the within transformation, SEs clustered by vacancy (see :func:`_within_ols` for the
    small-sample correction). t-tests use G − 1 degrees of freedom (Stata / fixest convention).
    Covariates that are constant within vacancies are absorbed by the fixed effects and dropped.
    Reference: statsmodels OLS with vacancy dummies and ``cov_type="cluster"`` (test to 1e-8)."""
    d = _rows(study.data if data is None else data, ground, wave, [outcome, *(covariates or [])])
    ref = study.reference_groups[ground]
    covs = [c for c in (covariates or []) if c in d.columns
            and (d.groupby("cluster")[c].nunique(dropna=False) > 1).any()]
    X, names = _design_matrix(d, ground, ref, covs, interact_wave)
    beta, V, N, G, K = _within_ols(X, d[outcome].to_numpy(), d["cluster"].to_numpy(), ssc=ssc)
    se = np.sqrt(np.diag(V))
    t = beta / se
    p = 2 * stats.t.sf(np.abs(t), G - 1)
    q = stats.t.ppf(0.5 + conf / 2, G - 1)
    res = pd.DataFrame({"term": names, "coef": beta, "se": se, "t": t, "p": p,
                        "ci_low": beta - q * se, "ci_high": beta + q * se})
    res.attrs.update({"nobs": N, "clusters": G, "k": K, "ssc": ssc,
                      "dropped_covariates": [c for c in (covariates or []) if c not in covs]})
    return res


def _clogit_newton(y: np.ndarray, X: np.ndarray, cl: np.ndarray, *, tol: float = 1e-12, maxiter: int = 100,
                   max_subsets: int = 20_000):
    """Conditional-logit MLE by Newton's method with the exact score and Hessian, all clusters at once.

    A cluster c with n_c applications of which k_c positive contributes
    x_obs'β − log Σ_s exp(z_s'β), s over the C(n_c, k_c) subsets of size k_c and z_s the sum of their
    rows of X (the conditional likelihood of Chamberlain 1980). Clusters are grouped by (n_c, k_c) and
    every subset sum is enumerated as an array, so one Newton step is a few array operations.
    Score: Σ_c (x_obs − E_w z), Hessian: −Σ_c Cov_w(z) with w_s ∝ exp(z_s'β). Starts at 0 and stops
    when every step is below ``tol`` (as statsmodels' ``fit(method="newton", tol=1e-12)``).
    Returns (β, SE from the inverse of the exact Hessian) or None when it does not apply (a cluster
    with more than ``max_subsets`` subsets) or does not converge (e.g. separation); the caller then
    falls back to statsmodels. Reference: statsmodels ``ConditionalLogit`` (tests: equal to its
    numerically differentiated Hessian's precision)."""
    from itertools import combinations

    X = np.asarray(X, dtype=float)
    p = X.shape[1]
    if p == 0 or len(y) == 0:
        return None
    order = np.argsort(cl, kind="stable")
    cls, start, n_c = np.unique(cl[order], return_index=True, return_counts=True)
    ys, Xs = np.asarray(y, dtype=np.int64)[order], X[order]
    k_c = np.add.reduceat(ys, start)
    blocks = []
    for n, k in sorted(set(zip(n_c.tolist(), k_c.tolist()))):
        if math.comb(n, k) > max_subsets:
            return None
        sel = np.flatnonzero((n_c == n) & (k_c == k))
        rows = start[sel][:, None] + np.arange(n)  # (m, n) rows of these clusters
        Xc, yc = Xs[rows], ys[rows]
        combos = np.array(list(combinations(range(n), k)), dtype=np.intp)  # (S, k)
        Z = Xc[:, combos, :].sum(axis=2)  # (m, S, p) subset sums
        xo = (yc[:, :, None] * Xc).sum(axis=1)  # (m, p) observed sums
        blocks.append((Z, xo.sum(axis=0)))

    def score_hess(beta):
        g, H = np.zeros(p), np.zeros((p, p))
        for Z, xo in blocks:
            eta = Z @ beta
            eta -= eta.max(axis=1, keepdims=True)
            w = np.exp(eta)
            w /= w.sum(axis=1, keepdims=True)
            Ez = np.einsum("ms,msp->mp", w, Z)
            g += xo - Ez.sum(axis=0)
            H += np.einsum("ms,msp,msq->pq", w, Z, Z) - Ez.T @ Ez
        return g, H

    beta = np.zeros(p)
    with np.errstate(all="ignore"):
        for _ in range(maxiter):
            g, H = score_hess(beta)
            try:
                step = np.linalg.solve(H, g)
            except np.linalg.LinAlgError:
                return None
            if not np.all(np.isfinite(step)):
                return None
            beta = beta + step
            if np.all(np.abs(step) < tol):
                break
        else:
            return None
        _, H = score_hess(beta)
        try:
            cov = np.linalg.inv(H)
        except np.linalg.LinAlgError:
            return None
    se = np.sqrt(np.diag(cov))
    if not (np.all(np.isfinite(beta)) and np.all(np.isfinite(se))) or np.max(np.abs(beta)) > 20:
        return None  # separation or near it: leave the judgement to the reference implementation
    return beta, se


def conditional_logit(study: Study, ground: str, *, covariates: Sequence[str] | None = None,
                      wave: str | None = None, conf: float = 0.95, method: str = "newton") -> pd.DataFrame:
    """Conditional (fixed-effects) logit by vacancy — the check on the linear probability model.

    Odds ratios with Wald intervals; only vacancies where the outcome varies contribute. The MLE is
    :func:`_clogit_newton` (exact Hessian, all vacancies as arrays); ``method="statsmodels"``, or a
    case it does not take (separation, very large vacancies), uses statsmodels ``ConditionalLogit``,
    the reference it is tested against (coefficients to 1e-9; statsmodels' SEs come from a
    numerically differentiated score, so they agree to about 1e-6). For 1:1 pairs without
    covariates the MLE is the closed form OR = only_group / only_reference with
    SE(log OR) = sqrt(1/b + 1/c)."""
    d = _rows(study.data, ground, wave, ["outcome", *(covariates or [])])
    ref = study.reference_groups[ground]
    covs = [c for c in (covariates or []) if c in d.columns
            and (d.groupby("cluster")[c].nunique(dropna=False) > 1).any()]
    X, names = _design_matrix(d, ground, ref, covs)
    y = d["outcome"].to_numpy()
    cl = d["cluster"].to_numpy()
    codes, _ = pd.factorize(cl)
    pos = np.bincount(codes, weights=y)
    varies = ((pos > 0) & (pos < np.bincount(codes)))[codes]
    if not varies.any():
        return pd.DataFrame(columns=["term", "odds_ratio", "ci_low", "ci_high", "p"])
    fit = _clogit_newton(y[varies], X[varies], cl[varies]) if method == "newton" else None
    if fit is None:
        import warnings

        from statsmodels.discrete.conditional_models import ConditionalLogit

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            res = ConditionalLogit(y[varies], X[varies], groups=cl[varies]).fit(method="newton", tol=1e-12,
                                                                                maxiter=100, disp=0)
        fit = np.asarray(res.params), np.asarray(res.bse)
    b, se = fit
    z = stats.norm.ppf(0.5 + conf / 2)
    with np.errstate(over="ignore"):  # separation: an infinite upper bound is the honest answer
        return pd.DataFrame({"term": names, "odds_ratio": np.exp(b), "ci_low": np.exp(b - z * se),
                             "ci_high": np.exp(b + z * se), "p": 2 * stats.norm.sf(np.abs(b / se)),
                             "log_or": b, "se": se})


# =========================================================================== multiple testing

def holm(p: Sequence[float]) -> np.ndarray:
    """Holm (1979) step-down adjusted p-values: max over j ≤ i of (m − j + 1)·p_(j), capped at 1.
    Reference: statsmodels ``multipletests(method="holm")``."""
    p = np.asarray(p, dtype=float)
    m = len(p)
    if m == 0:
        return p
    o = np.argsort(p, kind="mergesort")
    adj = np.minimum(1, np.maximum.accumulate((m - np.arange(m)) * p[o]))
    out = np.empty(m)
    out[o] = adj
    return out


def benjamini_hochberg(p: Sequence[float]) -> np.ndarray:
    """Benjamini-Hochberg (1995) adjusted p-values (q-values): min over j ≥ i of m·p_(j)/j, capped
    at 1. Reference: statsmodels ``multipletests(method="fdr_bh")``."""
    p = np.asarray(p, dtype=float)
    m = len(p)
    if m == 0:
        return p
    o = np.argsort(p, kind="mergesort")
    adj = np.minimum(1, np.minimum.accumulate((m * p[o] / np.arange(1, m + 1))[::-1])[::-1])
    out = np.empty(m)
    out[o] = adj
    return out


def _level_pairs(d: pd.DataFrame, lcode: np.ndarray, n_levels: int, comparisons, outcome: str = "outcome"):
    """For each comparison a function level -> :class:`_Pairs` of that level's rows: what
    :func:`_pairs` gives on the rows of one level, from one bincount over level × vacancy."""
    cl = d["cluster"].to_numpy().astype(np.int64)
    gc = d["ground"].cat.codes.to_numpy()
    kc = d["group"].cat.codes.to_numpy()
    y = d[outcome].to_numpy()
    G = int(cl.max()) + 1 if len(cl) else 0
    key = lcode * G + cl
    size = n_levels * G
    gcat, kcat = d["ground"].cat.categories, d["group"].cat.categories
    out = []
    for g, k, ref in comparisons:
        in_g = gc == gcat.get_loc(g)
        mr = in_g & (kc == kcat.get_loc(ref))
        mk = in_g & (kc == kcat.get_loc(k))
        n_r = np.bincount(key[mr], minlength=size).reshape(n_levels, G)
        n_k = np.bincount(key[mk], minlength=size).reshape(n_levels, G)
        y_r = np.bincount(key[mr], weights=y[mr], minlength=size).reshape(n_levels, G)
        y_k = np.bincount(key[mk], weights=y[mk], minlength=size).reshape(n_levels, G)

        def per_level(li, n_r=n_r, n_k=n_k, y_r=y_r, y_k=y_k):
            keep = (n_r[li] > 0) & (n_k[li] > 0)
            return _Pairs(n_r[li][keep].astype(float), y_r[li][keep], n_k[li][keep].astype(float), y_k[li][keep])

        out.append(per_level)
    return out


def heterogeneity(study: Study, by: Sequence[str], *, threshold: int = 5, conf: float = 0.95,
                  wave: str | None = None) -> pd.DataFrame:
    """The gap per subgroup (level of each ``by`` variable: occupation, province, company size, ...).

    Per subgroup the same delta-method difference and relative callback as :func:`compare_groups`,
    a z-test p-value, and Holm- and Benjamini-Hochberg-adjusted p-values over all shown subgroups
    (the family is the whole table). A subgroup is suppressed (estimates blanked, marked in
    ``attrs["suppressed"]``) when it has fewer than ``threshold`` vacancies or a non-zero count of
    positive reactions on either side below ``threshold``.
    """
    waves = [wave] if wave else study.waves[:1]
    rows = []
    z = stats.norm.ppf(0.5 + conf / 2)
    comparisons = study.comparisons
    for var in by:
        if var not in study.data.columns:
            raise DataError([Problem(None, None, var, None, "een kolom voor de heterogeniteitsanalyse")])
        for w in waves:
            # per level × vacancy sums for every comparison at once (one bincount per side), then
            # the same per-subgroup statistics as on the level's rows alone (tested equal)
            in_w = (study.data["wave"] == w).to_numpy()
            vals = study.data[var][in_w].astype(str)
            levels = sorted(pd.unique(vals))
            lcode = pd.Categorical(vals, categories=levels).codes.astype(np.int64)
            sums = _level_pairs(study.data[["cluster", "ground", "group", "outcome"]][in_w], lcode, len(levels),
                                comparisons)
            for li, lv in enumerate(levels):
                for (g, k, ref), per_level in zip(comparisons, sums):
                    p = per_level(li)
                    if len(p.n_r) == 0:
                        continue
                    G = len(p.n_r)
                    yr, yk = int(p.y_r.sum()), int(p.y_k.sum())
                    small = G < threshold or any(0 < c < threshold for c in (yr, yk))
                    row = {"wave": w, "variable": var, "level": lv, "ground": g, "group": k, "reference": ref,
                           "vacancies": G, "callbacks_reference": yr, "callbacks": yk, "suppressed": small}
                    if not small and G > 1:
                        pr, pk, se_d, se_log = _delta(p, conf)
                        diff = pk - pr
                        row.update({"rate_reference": pr, "rate": pk, "difference_pp": 100 * diff,
                                    "difference_ci_low": 100 * (diff - z * se_d),
                                    "difference_ci_high": 100 * (diff + z * se_d),
                                    "relative_callback": pk / pr if pr > 0 else np.nan,
                                    "p": float(2 * stats.norm.sf(abs(diff) / se_d)) if se_d > 0 else 1.0})
                    rows.append(row)
    cols = ["wave", "variable", "level", "ground", "group", "reference", "vacancies", "callbacks_reference",
            "callbacks", "rate_reference", "rate", "difference_pp", "difference_ci_low", "difference_ci_high",
            "relative_callback", "p", "p_holm", "p_bh", "suppressed"]
    from evaluatie.publish.disclosure import suppress

    res = pd.DataFrame(rows).reindex(columns=cols)
    res["suppressed"] = res["suppressed"].astype(bool)
    shown = ~res["suppressed"] & res["p"].notna()
    res.loc[shown, "p_holm"] = holm(res.loc[shown, "p"].to_numpy())
    res.loc[shown, "p_bh"] = benjamini_hochberg(res.loc[shown, "p"].to_numpy())
    counts = ["vacancies", "callbacks_reference", "callbacks"]
    for c in counts:
        res[c] = res[c].astype("Int64")
    estimates = ["rate_reference", "rate", "difference_pp", "difference_ci_low", "difference_ci_high",
                 "relative_callback", "p", "p_holm", "p_bh"]
    # a small count hides the whole subgroup row: every count and estimate depends on all counts
    out = suppress(res, counts, threshold, derived={c: counts for c in counts + estimates}, secondary=False)
    out["suppressed"] = out.attrs["suppressed"]["vacancies"].to_numpy() | res["suppressed"].to_numpy()
    out.attrs["suppressed"]["suppressed"] = False
    return out


# =========================================================================== waves

def _nl(x: float, d: int = 1) -> str:
    from evaluatie.core import fmt

    return fmt.num(x, d).replace("-", "\u2212")


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
            row["sentence"] = _wave_sentence(row)
            rows.append(row)
    return pd.DataFrame(rows)


def _wave_sentence(r: Mapping[str, Any], alpha: float = 0.05, near_zero_pp: float = 1.0) -> str:
    """One Dutch sentence per comparison; a gap under ``near_zero_pp`` in both waves with a
    non-significant change 'bleef nagenoeg nul' (not 'gestegen van −0,8 naar −0,4')."""
    from evaluatie.core import fmt

    g0, g1 = r["gap_base_pp"], r["gap_pp"]
    sig = r["change_p"] < alpha
    if abs(g0) < near_zero_pp and abs(g1) < near_zero_pp and not sig:
        what = (f"bleef de kloof in positieve reacties nagenoeg nul ({_nl(g0)} procentpunt in {r['base']}, "
                f"{_nl(g1)} procentpunt in {r['wave']})")
    else:
        verb = "gedaald" if g1 < g0 else ("gestegen" if g1 > g0 else "gelijk gebleven")
        what = (f"is de kloof in positieve reacties {verb} van {_nl(g0)} procentpunt ({r['base']}) naar "
                f"{_nl(g1)} procentpunt ({r['wave']})")
    return (f"Bij {r['ground']} ({r['group']} tegenover {r['reference']}) {what}; die verandering van {fmt.pp(r['change_pp'])} (95%-betrouwbaarheidsinterval "
            f"{fmt.pp(r['change_ci_low'])} tot {fmt.pp(r['change_ci_high'])}) is "
            f"{'' if sig else 'niet '}statistisch significant ({fmt.pval(r['change_p']).replace('< ', 'p < ') if r['change_p'] < 0.001 else 'p = ' + fmt.pval(r['change_p'])}).")


# =========================================================================== power

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
    new measurement needed to show the current gap itself (McNemar, Connor 1987)."""
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
                         "vacancies_needed_single_wave": mcnemar_sample_size(p10, p01, power, alpha)
                         if p10 != p01 else math.inf})
    return pd.DataFrame(rows)


# =========================================================================== the full table

def discrimination_table(study: Study, *, conf: float = 0.95, bootstrap: int = 0, seed: int | None = 20240501,
                         covariates: Sequence[str] | None = None, interval: str = "delta") -> pd.DataFrame:
    """One row per wave, ground and non-reference group: rates, difference and relative callback
    with intervals (``interval`` = ``"delta"`` or ``"bootstrap"`` for the exported interval columns),
    paired counts, net discrimination, exact McNemar p and the fixed-effects LPM coefficient (with
    ``covariates``), its clustered SE and p-value. :data:`DISCRIMINATION_COLUMNS` are the exported
    columns; more are kept for the report."""
    if interval not in ("delta", "bootstrap"):
        raise ValueError(f"interval must be 'delta' or 'bootstrap', not {interval!r}")
    T = _tables(study)
    cmp = compare_groups(study, conf=conf, bootstrap=bootstrap, seed=seed, tables=T)
    if interval == "bootstrap":
        if not bootstrap:
            raise ValueError("interval='bootstrap' needs bootstrap > 0")
        cmp = cmp.assign(difference_ci_low=cmp["difference_boot_low"],
                         difference_ci_high=cmp["difference_boot_high"],
                         relative_callback_ci_low=cmp["relative_callback_boot_low"],
                         relative_callback_ci_high=cmp["relative_callback_boot_high"])
    coefs = []
    for w in study.waves:
        for g in T.grounds:
            if not T.rates_n[T.waves.index(w), T.grounds.index(g)].any():
                continue
            ref = study.reference_groups[g]
            fit = (_lpm_sums(T, w, g, ref, conf) if not covariates
                   else lpm_fe(study, g, wave=w, covariates=covariates, conf=conf))
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


def summary_sentences(disc: pd.DataFrame, alpha: float = 0.05) -> list[str]:
    """Plain-Dutch lines for a board member: per comparison, 'x% minder positieve reacties'."""
    from evaluatie.core import fmt

    out = []
    for _, r in disc.iterrows():
        rc = r["relative_callback"]
        sig = bool(r["difference_ci_high"] < 0 or r["difference_ci_low"] > 0)
        if rc < 1:
            what = f"kreeg **{_nl(100 * (1 - rc), 0)}% minder positieve reacties**"
        elif rc > 1:
            what = f"kreeg **{_nl(100 * (rc - 1), 0)}% meer positieve reacties**"
        else:
            what = "kreeg evenveel positieve reacties"
        out.append(
            f"**{str(r['ground']).capitalize()}**: een kandidaat met profiel '{r['group']}' {what} dan een "
            f"vergelijkbare kandidaat met profiel '{r['reference']}' ({fmt.prop(r['rate'])} tegenover "
            f"{fmt.prop(r['rate_reference'])}). "
            + ("Dat verschil is statistisch significant: toeval is een onwaarschijnlijke verklaring."
               if sig else "Dat verschil is niet statistisch significant: het kan ook toeval zijn.")
        )
    return out


def second_outcome_sentences(cmp: pd.DataFrame, what: str = "uitnodigingen voor een gesprek",
                             alpha: float = 0.05) -> list[str]:
    """Plain-Dutch lines for the significant results of a second outcome (rows of
    :func:`compare_groups` with ``outcome="outcome2"``): significant = the 95% interval of the
    difference excludes 0; the p-value shown is the exact McNemar one."""
    from evaluatie.core import fmt

    out = []
    for _, r in cmp.iterrows():
        if not (r["difference_ci_high"] < 0 or r["difference_ci_low"] > 0):
            continue
        p = r["mcnemar_p"]
        ptxt = "p < 0,001" if p < 0.001 else "p = " + fmt.pval(p)
        more = "minder" if r["difference_pp"] < 0 else "meer"
        out.append(f"In {r['wave']} kreeg een kandidaat met profiel '{r['group']}' ({r['ground']}) significant "
                   f"{more} {what} dan een kandidaat met profiel '{r['reference']}': {fmt.pp(r['difference_pp'])} "
                   f"({fmt.prop(r['rate'])} tegenover {fmt.prop(r['rate_reference'])}; {ptxt}).")
    return out


def heterogeneity_summary(het: pd.DataFrame, names: Mapping[str, str] | None = None, alpha: float = 0.05) -> str:
    """One Dutch sentence on the subgroup table of :func:`heterogeneity`: how many comparisons were
    tested and which are significant after Holm's correction (or that none is)."""
    from evaluatie.core import fmt

    names = dict(names or {})
    shown = het[~het["suppressed"].astype(bool)] if "suppressed" in het.columns else het
    n = int(shown["p_holm"].notna().sum())
    sig = shown[shown["p_holm"] < alpha]
    if n == 0:
        return "Geen enkele subgroep is groot genoeg om te tonen."
    if not len(sig):
        return (f"Van de {fmt.num(n)} getoonde vergelijkingen per subgroep is er na correctie voor meervoudig "
                f"toetsen (Holm) **geen enkele** significant: in geen enkele subgroep wijkt de kloof duidelijk "
                f"van nul af. De verschillen tussen subgroepen passen bij toeval.")
    items = [f"{names.get(str(r['variable']), r['variable'])} = {r['level']} ({r['group']}: "
             f"{fmt.pp(r['difference_pp'])})" for _, r in sig.iterrows()]
    return (f"Van de {fmt.num(n)} getoonde vergelijkingen per subgroep {'is' if len(sig) == 1 else 'zijn'} er "
            f"na correctie voor meervoudig toetsen (Holm) {fmt.num(len(sig))} significant: " + "; ".join(items) + ".")


def relabel(study: Study, values: Mapping[str, str] | None = None,
            columns: Sequence[str] | None = None) -> Study:
    """The study with file values shown under reader-facing (Dutch) labels: ``values`` maps a value
    as it is in the file (a group such as ``black``, a subgroup level such as ``manufacturing``) to
    its label. Groups (and the reference groups) and the values of ``columns`` (heterogeneity
    variables and categorical covariates) are mapped; unmapped values stay as they are. Only labels
    change: every statistic is the same (tested)."""
    values = {str(k): str(v) for k, v in (values or {}).items()}
    if not values:
        return study
    d = study.data.copy()
    cats = [str(c) for c in d["group"].cat.categories]
    new = [values.get(c, c) for c in cats]
    if len(set(new)) != len(new):
        raise ValueError("two groups get the same label")
    d["group"] = d["group"].cat.rename_categories(new)
    for c in columns or []:
        if c not in d.columns or c in ("group", "ground", "wave", "cluster", "outcome", "outcome2"):
            continue
        col = d[c]
        if pd.api.types.is_numeric_dtype(col) and not pd.api.types.is_bool_dtype(col):
            continue
        if isinstance(col.dtype, pd.CategoricalDtype):
            old = [str(x) for x in col.cat.categories]
            lab = [values.get(x, x) for x in old]
            if len(set(lab)) == len(lab):
                d[c] = col.cat.rename_categories(lab)
                continue
            col = col.astype(str)
        d[c] = col.map(lambda x: values.get(str(x), x) if pd.notna(x) else x)
    refs = {g: values.get(str(r), r) for g, r in study.reference_groups.items()}
    return Study(data=d, reference_groups=refs, ledgers=study.ledgers, waves=study.waves)


# =========================================================================== loading and figures

def load(data: str, *, data_followup: str | None = None, waves: Sequence[str] | None = None,
         columns: Mapping[str, str] | None = None, reference_groups: Mapping[str, str],
         groups: Mapping[str, Sequence[str]] | None = None, ground: str | None = None,
         allow_unpaired: bool = False) -> Study:
    """Read the nulmeting (``data``) and optionally a vervolgmeting (``data_followup``), each with its
    own ledger; ``waves`` names them in order. A file with its own ``wave`` column needs no
    ``data_followup``."""
    waves = list(waves or [])
    kw = dict(columns=columns, reference_groups=reference_groups, groups=groups, ground=ground,
              allow_unpaired=allow_unpaired)
    if data_followup:  # two files: check each, assemble the study once
        first = read_applications(data, wave=waves[0] if waves else None, _raw=True, **kw)
        second = read_applications(data_followup, wave=waves[1] if len(waves) > 1 else "vervolgmeting",
                                   _raw=True, **kw)
        return _combine_raw([first, second], waves=waves or None)
    first = read_applications(data, wave=waves[0] if waves else None, **kw)
    if waves and len(first.waves) > 1:  # the file has its own wave column: put it in the given order
        if set(first.waves) != set(waves):
            raise DataError([Problem(first.ledgers[0].source, None, "wave", ", ".join(first.waves),
                                     f"dezelfde metingen als in de parameter 'waves' ({', '.join(waves)})")])
        return combine([first], waves=waves)
    return first


def plot_rates(rates: pd.DataFrame, *, palette: Sequence[str] | None = None):
    """Positive-reaction rate per group with its Wilson interval, one panel per ground, one colour
    per wave."""
    import matplotlib.pyplot as plt

    from evaluatie.publish import report as rp

    palette = list(palette or rp.PALETTE)
    grounds = list(dict.fromkeys(rates["ground"]))
    waves = list(dict.fromkeys(rates["wave"]))
    fig, axes = plt.subplots(len(grounds), 1, figsize=(8, 1.2 + 1.1 * len(rates) / max(len(grounds), 1)),
                             sharex=True, squeeze=False)
    for ax, g in zip(axes[:, 0], grounds):
        sub = rates[rates["ground"] == g]
        labels = list(dict.fromkeys(sub["group"]))
        for j, w in enumerate(waves):
            s = sub[sub["wave"] == w].set_index("group").reindex(labels)
            y = np.arange(len(labels)) + (j - (len(waves) - 1) / 2) * 0.25
            ax.errorbar(s["rate"], y, xerr=[s["rate"] - s["ci_low"], s["ci_high"] - s["rate"]], fmt="o",
                        color=palette[j % len(palette)], capsize=3, label=w if len(waves) > 1 else None)
        ax.set_yticks(np.arange(len(labels)), labels)
        ax.invert_yaxis()
        ax.set_title(str(g).capitalize(), loc="left", fontsize=11)
    from matplotlib.ticker import MaxNLocator

    axes[-1, 0].set_xlabel("Aandeel sollicitaties met een positieve reactie\n(95%-betrouwbaarheidsinterval)")
    axes[-1, 0].xaxis.set_major_locator(MaxNLocator(nbins=6, steps=[1, 2, 5, 10]))
    rp.axis_format(axes[-1, 0], "x", "prop", 0)
    if len(waves) > 1:
        h, l = axes[0, 0].get_legend_handles_labels()
        rp.legend_below(fig, h, l, ncol=len(waves))
    else:
        fig.tight_layout()
    return fig


def plot_forest(disc: pd.DataFrame, *, benchmarks: pd.DataFrame | None = None):
    """Relative callback (group rate / reference rate) with its 95% interval per comparison and wave;
    1 = equal treatment. Optional benchmarks (column ``relative_callback`` per ``ground``) as grey
    diamonds."""
    import matplotlib.pyplot as plt

    from evaluatie.publish import report as rp

    waves = list(dict.fromkeys(disc["wave"]))
    comps = list(dict.fromkeys(zip(disc["ground"], disc["group"])))
    fig, ax = plt.subplots(figsize=(8, 1.0 + 0.7 * len(comps) * max(1, len(waves) / 1.5)))
    for j, w in enumerate(waves):
        s = disc[disc["wave"] == w].set_index(["ground", "group"]).reindex(comps)
        y = np.arange(len(comps)) + (j - (len(waves) - 1) / 2) * 0.25
        ax.errorbar(s["relative_callback"], y,
                    xerr=[s["relative_callback"] - s["relative_callback_ci_low"],
                          s["relative_callback_ci_high"] - s["relative_callback"]],
                    fmt="s", color=rp.PALETTE[j % len(rp.PALETTE)], capsize=3,
                    label=w if len(waves) > 1 else "deze studie")
    if benchmarks is not None and len(benchmarks):
        labelled = False
        for i, (g, _k) in enumerate(comps):
            b = benchmarks[benchmarks["ground"] == g]
            if len(b) and pd.notna(b["relative_callback"].iloc[0]):
                ax.plot(b["relative_callback"].iloc[0], i, marker="D", color="#777777", linestyle="none",
                        label=None if labelled else "meta-analyse (Lippens e.a., 2023)")
                labelled = True
    ax.axvline(1, color="black", linewidth=1)
    ax.set_yticks(np.arange(len(comps)), [f"{str(g).capitalize()}: {k}" for g, k in comps])
    ax.invert_yaxis()
    ax.set_xlabel("Relatieve kans op een positieve reactie\n(1 = gelijke behandeling)")
    rp.axis_format(ax, "x", "num", 1)
    handles, labels = ax.get_legend_handles_labels()
    uniq = dict(zip(labels, handles))
    rp.legend_below(fig, list(uniq.values()), list(uniq.keys()), ncol=3, fontsize=9)
    return fig


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


def plot_power(curves: pd.DataFrame, *, target: float = 0.8):
    """Power curves, one panel per comparison, one line per planned reduction of the gap."""
    import matplotlib.pyplot as plt

    from evaluatie.publish import report as rp

    comps = list(dict.fromkeys(zip(curves["ground"], curves["group"])))
    fig, axes = plt.subplots(1, len(comps), figsize=(4 * len(comps), 3.6), sharey=True, squeeze=False)
    for ax, (g, k) in zip(axes[0], comps):
        sub = curves[(curves["ground"] == g) & (curves["group"] == k)]
        for j, (red, s) in enumerate(sub.groupby("reduction_pp", sort=True)):
            whole = bool(s["capped"].iloc[0]) if "capped" in s.columns else False
            ax.plot(s["vacancies"], s["power"], color=rp.PALETTE[j % len(rp.PALETTE)],
                    label=(f"kloof helemaal weg ({rp.fmt.num(red, 1)} pp kleiner)" if whole
                           else f"kloof {rp.fmt.num(red, 0)} pp kleiner"))
        ax.axhline(target, color="black", linestyle="--", linewidth=1)
        ax.set_title(f"{str(g).capitalize()}: {k}", loc="left", fontsize=10)
        ax.set_xlabel("Vacatures in de volgende meting")
        rp.axis_format(ax, "y", "prop", 0)
        rp.axis_format(ax, "x", "num", 0)
    axes[0, 0].set_ylabel("Kans om de daling\naan te tonen")
    for ax in axes[0]:  # each panel its own legend (the 'whole gap' differs), under the axis
        ax.legend(frameon=False, fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.22), ncol=1)
    fig.tight_layout()
    return fig


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
