"""Estimates of the evaluation survey: Likert distributions and top-2-box, the weighting table,
breakdowns by domain with Rao-Scott tests (p-values also Holm-adjusted over all tests, and the
breakdown's shown and exported tables), open-answer themes, and the table flags for small cells.

Estimates are design-based (:class:`evaluatie.stats.survey.SurveyDesign`): each level's share and
the top-2-box share (the two positive points) with the interval method of
``SurveyDesign.proportion`` (the design methods of :mod:`evaluatie.stats.intervals`). Bases below
the disclosure threshold are suppressed (estimates blanked, ``suppressed`` flag, no bar drawn).
Reference tests: ``tests/test_likert.py``, ``tests/test_survey_reporting.py`` and, for the
batched estimator calls against one call per item, ``tests/test_survey_speed.py``.
"""

from __future__ import annotations

import math
import re
from typing import Any, Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

from evaluatie.analyses.survey.responses import DK_SUFFIX, normalise_label
from evaluatie.core import fmt
from evaluatie.core.numbers import parse_number
from evaluatie.publish.disclosure import suppress
from evaluatie.stats.multitest import adjust_pvalues
from evaluatie.stats.survey import SurveyDesign

__all__ = ["distribution", "top2", "yes_shares", "natural_key", "weighting_table", "breakdown", "breakdowns",
           "breakdown_tables", "code_themes", "suppression_mask"]


# --------------------------------------------------------------------------- Likert estimates

#: what a published row of an estimate holds that comes from its base: blanked with the estimate
_FROM_BASE = ("estimate", "se", "ci_low", "ci_high", "df", "n", "n_level", "deff")


def _suppress(res: pd.DataFrame, threshold: int) -> pd.DataFrame:
    """Mark rows whose base (unweighted ``n``) is below ``threshold`` as ``suppressed`` and blank
    everything in them that comes from that base: the estimate, its interval and standard error,
    and the counts themselves (``n``, ``n_level``, ``df`` = n - 1), so no CSV, workbook or
    notebook output carries the count of a cell the report shows as "< threshold". Counts stay
    whole numbers (pandas' nullable ``Int64``)."""
    small = (res["n"] < threshold).to_numpy()
    res = res.copy()
    res["suppressed"] = small
    if small.any():
        for c in _FROM_BASE:
            if c in res.columns:
                if pd.api.types.is_integer_dtype(res[c].dtype):
                    res[c] = res[c].astype("Int64")
                res.loc[small, c] = pd.NA if str(res[c].dtype) == "Int64" else np.nan
    return res


def distribution(design: SurveyDesign, items: Sequence[str], *, by: str | Sequence[str] | None = None,
                 ci: str = "logit", conf: float = 0.95, threshold: int = 5) -> pd.DataFrame:
    """Share of each scale point per item (and domain), don't-know answers outside the base.
    Bases (``n``) below ``threshold`` are suppressed."""
    est = design.by(by) if by else design
    res = est.proportion(list(items), ci=ci, conf=conf)
    return _suppress(res, threshold)


def top2(design: SurveyDesign, items: Sequence[str], *, by: str | Sequence[str] | None = None,
         ci: str = "logit", conf: float = 0.95, threshold: int = 5) -> pd.DataFrame:
    """Top-2-box per item: the share in the two positive scale points among substantive answers,
    with its design-based interval; plus ``dk_share``, the share of 'weet niet / n.v.t.' among all
    who answered (``dk_n`` of ``answered``). Bases below ``threshold`` are suppressed."""
    est = design.by(by) if by else design
    items = list(items)
    # one estimate call per set of top-2 levels (items on the same scale) and one for all the
    # don't-know columns, instead of two calls per item: the same numbers, row for row
    top_of = {item: list(design.data[item].cat.categories[-2:]) for item in items}
    per_item: dict = {}
    for levels in {tuple(v): v for v in top_of.values()}.values():
        group = [i for i in items if top_of[i] == levels]
        r = est.proportion(group, levels, ci=ci, conf=conf)
        for item, part in zip(group, _row_blocks(len(r), len(group))):
            per_item[item] = r.iloc[part].reset_index(drop=True)
    dkcols = list(dict.fromkeys(i + DK_SUFFIX for i in items if i + DK_SUFFIX in design.data.columns))
    dk_all = {}
    if dkcols:
        r = est.proportion(dkcols, True, ci=ci, conf=conf)
        for col, part in zip(dkcols, _row_blocks(len(r), len(dkcols))):
            dk_all[col] = r.iloc[part].reset_index(drop=True)
    frames = []
    for item in items:
        res = per_item[item].copy()
        res["level"] = "top2"
        dkcol = item + DK_SUFFIX
        if dkcol in design.data.columns:
            dk = dk_all[dkcol]
            keys = list(_aslist(by)) if by else []
            dk = dk[keys + ["estimate", "n", "n_level"]].rename(
                columns={"estimate": "dk_share", "n": "answered", "n_level": "dk_n"})
            res = res.merge(dk, on=keys, how="left") if keys else res.assign(
                **{c: dk[c].iloc[0] for c in ("dk_share", "answered", "dk_n")})
        frames.append(res)
    out = pd.concat(frames, ignore_index=True)
    out = _suppress(out, threshold)
    if "dk_share" in out.columns:  # the don't-know share rests on 'answered': blanked with its counts
        small = (out["answered"] < threshold).to_numpy() | out["suppressed"].to_numpy()
        if small.any():
            out[["answered", "dk_n"]] = out[["answered", "dk_n"]].astype("Int64")
            out.loc[small, ["answered", "dk_n"]] = pd.NA
            out.loc[small, "dk_share"] = np.nan
    return out


def yes_shares(design: SurveyDesign, columns: Mapping[str, str], name: str, *, ci: str = "logit",
               conf: float = 0.95, threshold: int = 5) -> pd.DataFrame:
    """The share 'ja' of each yes/no column of ``columns`` (column -> Dutch label): the rows of
    ``SurveyDesign.proportion`` with the label in column ``name`` and ``suppressed`` (base below
    ``threshold``; the estimates themselves are not blanked here)."""
    res = design.proportion(list(columns), "ja", ci=ci, conf=conf)
    res[name] = res["variable"].map(columns)
    res["suppressed"] = res["n"] < threshold
    return res


def _aslist(v):
    return [v] if isinstance(v, str) else list(v)


def _row_blocks(n_rows: int, k: int) -> list[slice]:
    """``k`` equal consecutive row blocks of a frame of ``n_rows`` rows (one per variable of an
    estimator call with several variables), as slices."""
    size = n_rows // k if k else 0
    return [slice(i * size, (i + 1) * size) for i in range(k)]


# --------------------------------------------------------------------------- weighting

def natural_key(level) -> tuple:
    """Sort key for category labels that puts numeric classes in their natural order: labels
    starting with a number (``"1-9"``, ``"50-249"``, ``"250+"``) by that number, before the
    others, which sort alphabetically (case-insensitive)."""
    m = re.match(r"\s*[<>]?\s*(\d[\d.,]*)", str(level))
    value = parse_number(m.group(1).rstrip(".,")) if m else math.nan
    if not math.isnan(value):
        return (0, value, str(level))
    return (1, 0.0, str(level).casefold())


def weighting_table(before: SurveyDesign, after: SurveyDesign, margins: Mapping[str, pd.Series], *,
                    threshold: int = 5) -> pd.DataFrame:
    """Per margin and level: population count and share, respondents and their unweighted share,
    share with the design weights before calibration and after (which equals the population share
    for every raked margin). Levels in natural order (``1-9, 10-49, 50-249, 250+``: by their
    leading number, then alphabetically), not string order.

    A level with 1 to ``threshold - 1`` respondents is not published (respondents, sample share
    and design-weighted share; :func:`evaluatie.publish.disclosure.suppress`), and because the
    report states the total response, each margin is a line with a known total: one more level is
    hidden where one would be recoverable by subtraction. The frame's counts and the calibrated
    shares (the population's) stay."""
    parts = []
    for var, pop in margins.items():
        rows = []
        pop = pop.iloc[sorted(range(len(pop)), key=lambda i: natural_key(pop.index[i]))]
        x = before.data[var].astype(str)
        n = x.value_counts()
        wb = before.weights.groupby(x).sum()
        wa = after.weights.groupby(x).sum()
        for lvl, N in pop.items():
            lvl = str(lvl)
            rows.append({"margin": var, "level": lvl, "population": float(N), "population_share": N / pop.sum(),
                         "respondents": int(n.get(lvl, 0)), "sample_share": n.get(lvl, 0) / n.sum(),
                         "design_weighted_share": wb.get(lvl, 0.0) / wb.sum(),
                         "calibrated_share": wa.get(lvl, 0.0) / wa.sum()})
        rows.append({"margin": var, "level": None, "respondents": int(n.sum())})  # the stated total
        part = suppress(pd.DataFrame(rows), "respondents", threshold, total_row=len(rows) - 1,
                        derived={"sample_share": "respondents", "design_weighted_share": "respondents"})
        mask = part.attrs["suppressed"].iloc[:-1]
        part = part.iloc[:-1].copy()
        part.attrs = {}  # concat below: pandas compares attrs holding frames element-wise
        parts.append((part, mask))
    table = pd.concat([p for p, _ in parts], ignore_index=True)
    table.attrs["suppressed"] = pd.concat([m for _, m in parts], ignore_index=True)
    table.attrs["suppression_threshold"] = int(threshold)
    return table


# --------------------------------------------------------------------------- breakdowns

def breakdown(design: SurveyDesign, by: str, indicators: Mapping[str, tuple[str, Any]], *,
              ci: str = "logit", conf: float = 0.95, threshold: int = 5) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Indicators per domain of ``by`` with intervals, and a Rao-Scott test per indicator.

    ``indicators``: ``{name: (variable, level)}``. Returns ``(estimates, tests)``: estimates with
    columns ``by, indicator, estimate, se, ci_low, ci_high, n, suppressed`` (bases below
    ``threshold`` blanked, their counts too) and tests with ``indicator, F, ndf, ddf, p_value`` (R ``svychisq``)."""
    est, tests = [], []
    dd = design.by(by)
    levels = [lvl for _, lvl in indicators.values()]
    parts = None
    if levels and all(isinstance(lvl, str) and lvl == levels[0] for lvl in levels):
        # the same level for every indicator: one estimator call for all of them (the same
        # numbers as one call per indicator), split into the indicator's rows
        batch = dd.proportion([var for var, _ in indicators.values()], levels[0], ci=ci, conf=conf)
        parts = _row_blocks(len(batch), len(levels))
    for i, (name, (var, level)) in enumerate(indicators.items()):
        if parts is not None:
            r = batch.iloc[parts[i]].reset_index(drop=True)
        else:
            r = dd.proportion(var, level, ci=ci, conf=conf)
        r.insert(1, "indicator", name)
        est.append(r)
        t = design.chisq(by, var)
        t.insert(0, "indicator", name)
        tests.append(t)
    return _suppress(pd.concat(est, ignore_index=True), threshold), pd.concat(tests, ignore_index=True)


def breakdowns(design: SurveyDesign, bys: Iterable[str], indicators: Mapping[str, tuple[str, Any]], *,
               ci: str = "logit", conf: float = 0.95, threshold: int = 5) -> tuple[dict, pd.DataFrame]:
    """:func:`breakdown` for each variable of ``bys``, and all their tests in one frame (column
    ``by``) with ``p_holm``: the p-values adjusted with Holm's method over all tests together
    (:func:`evaluatie.stats.multitest.adjust_pvalues`). Returns ``({by: (estimates, tests)}, tests)``."""
    results = {by: breakdown(design, by, indicators, ci=ci, conf=conf, threshold=threshold) for by in bys}
    all_tests = pd.concat([t.assign(by=by) for by, (_, t) in results.items()], ignore_index=True)
    all_tests["p_holm"] = adjust_pvalues(all_tests["p_value"])
    return results, all_tests


def breakdown_tables(est: pd.DataFrame, tests: pd.DataFrame, by: str, indicators: Sequence[str], *,
                     threshold: int = 5) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The two tables of one breakdown by ``by`` (``est`` from :func:`breakdown`, ``tests`` its rows
    of the :func:`breakdowns` tests, indexed by indicator).

    Returns ``(shown, export)``. ``shown``: one row per indicator, one text column per group of
    ``by`` ("share (n)", nl-BE), then ``F``, ``df`` (text: numerator; denominator), ``p_value``
    and ``p_holm``, with ``attrs["suppressed"]`` marking the cells with a base below
    ``threshold``. ``export``: machine-readable, one row per indicator and group with interval
    and base, and the test of the indicator."""
    groups = est[by].drop_duplicates().tolist()
    shown = pd.DataFrame({"indicator": list(indicators)})
    mask = pd.DataFrame(False, index=shown.index, columns=["indicator", *map(str, groups), "F", "df", "p_value", "p_holm"])
    for g in groups:
        sub = est[est[by] == g].set_index("indicator").reindex(list(indicators))
        shown[str(g)] = [f"{fmt.prop(e, 1)}\u00a0({fmt.num(n)})" for e, n in zip(sub["estimate"], sub["n"])]
        mask[str(g)] = sub["suppressed"].fillna(True).astype(bool).to_numpy()
    t = tests.reindex(list(indicators))
    shown["F"] = t["F"].to_numpy()
    shown["df"] = [f"{fmt.num(a, 1)};\u00a0{fmt.num(b, 0)}" for a, b in zip(t["ndf"], t["ddf"])]
    shown["p_value"] = t["p_value"].to_numpy()
    shown["p_holm"] = t["p_holm"].to_numpy()
    shown.attrs["suppressed"], shown.attrs["suppression_threshold"] = mask, threshold
    export = est.drop(columns=["se"], errors="ignore").merge(
        tests[["F", "ndf", "ddf", "p_value", "p_holm"]].reset_index(), on="indicator", how="left")
    return shown, export


# --------------------------------------------------------------------------- open questions

def code_themes(texts: pd.Series, themes: Mapping[str, Iterable[str]], *, other: str = "overige",
                threshold: int = 5) -> pd.DataFrame:
    """Count open answers per theme by keyword (a theme matches when any of its keywords occurs in
    the normalised text; an answer can have several themes; answers with none go to ``other``).
    Empty answers are not counted. Returns ``theme, n, share`` (share of non-empty answers) with
    counts below ``threshold`` suppressed (``suppressed`` flag, ``n``/``share`` blanked)."""
    answered = texts.dropna().astype(str)
    answered = answered[answered.str.strip() != ""]
    norm = answered.map(normalise_label)
    hits = pd.DataFrame({t: norm.map(lambda s, kws=[normalise_label(k) for k in kws]: any(
        re.search(rf"\b{re.escape(k)}", s) for k in kws)) for t, kws in themes.items()}, index=norm.index)
    hits[other] = ~hits.any(axis=1) if len(hits.columns) else True
    n_answers = len(norm)
    rows = [{"theme": t, "n": int(hits[t].sum()), "share": hits[t].sum() / n_answers if n_answers else np.nan}
            for t in hits.columns]
    out = pd.DataFrame(rows).sort_values("n", ascending=False, kind="stable").reset_index(drop=True)
    out["answers"] = n_answers
    small = (out["n"] > 0) & (out["n"] < threshold)
    out["suppressed"] = small
    out["n"] = out["n"].astype(float)
    out.loc[small, ["n", "share"]] = np.nan
    return out


# --------------------------------------------------------------------------- disclosure

def suppression_mask(df: pd.DataFrame, columns: Sequence[str], flag: str = "suppressed",
                     threshold: int = 5) -> pd.DataFrame:
    """Return ``df`` with ``attrs["suppressed"]`` (boolean frame) marking ``columns`` in the rows
    where ``flag`` is true, as :func:`evaluatie.publish.report.table` expects."""
    out = df.copy()
    mask = pd.DataFrame(False, index=out.index, columns=out.columns)
    if flag in out.columns:
        rows = out[flag].fillna(False).astype(bool)
        for c in columns:
            if c in mask.columns:
                mask.loc[rows, c] = True
    out.attrs["suppressed"] = mask
    out.attrs["suppression_threshold"] = threshold
    return out
