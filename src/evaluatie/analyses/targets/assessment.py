"""Where a target group stands against its target: gap, required pace, trend, projection,
persons short, status; for one series (:func:`assess`), every target of a table
(:func:`evaluate_targets`) and every entity (:func:`assess_entities`).

Assessment (:func:`assess`) returns the keys listed in :data:`ASSESS_KEYS`; the status is

* ``reached`` — the last observed share is at or above the target;
* ``insufficient_data`` — otherwise, when fewer than 3 points lie in the last segment;
* ``on_track`` — the model's projection at the target date is at or above the target
  (equivalently ``p_reach >= 0.5``);
* ``behind`` — otherwise (including a target date that has passed without reaching the target).

The trends come from :mod:`evaluatie.analyses.targets.trends`, fitted on the last segment only
(:mod:`evaluatie.analyses.targets.segments`).
"""

from __future__ import annotations

import math
from typing import Any, Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

from evaluatie.analyses.targets.segments import _Arr, _arrays, _last_segment_arr, _split, as_breaks, breaks_for
from evaluatie.analyses.targets.trends import LEVEL, MIN_POINTS, TrendFit, _fit_many
from evaluatie.core.errors import DataError

__all__ = ["ASSESS_KEYS", "NOT_JUDGED", "OUTCOMES", "assess", "evaluate_targets", "current_position", "assess_entities",
           "evaluate_yearly_targets", "gender_balance", "with_counts", "evaluate_selection", "select_series",
           "status_counts", "targets_in_data", "last_passed_targets"]


ASSESS_KEYS = (
    "last_year", "last_share_pct", "gap_pp", "required_pp_per_year", "trend_pp_per_year",
    "trend_ci_low", "trend_ci_high", "projected_pct", "projection_pi_low", "projection_pi_high",
    "p_reach", "persons_short", "status",
)

# Outcome of a target whose date has passed (column ``outcome`` of :func:`evaluate_targets`).
OUTCOMES = ("reached", "not_reached", "no_figure_at_target_date")


def _assess_arr(seg: _Arr, target_pct: float, target_year: int, fit: TrendFit | None,
                now: int | None = None) -> dict[str, Any]:
    """:func:`assess` on the last segment (arrays) and its fit (``None`` under 3 points)."""
    last_year, last_share = int(seg.year[-1]), float(seg.share[-1])
    gap = float(target_pct) - last_share
    years_left = int(target_year) - last_year
    passed = now is not None and int(now) >= int(target_year)
    required = max(gap, 0.0) / years_left if years_left > 0 and not passed else None
    k, n = seg.num[-1], seg.den[-1]
    persons = None
    if not (np.isnan(k) or np.isnan(n)):
        need = target_pct / 100.0 * float(n) - float(k)
        persons = max(0, int(math.ceil(round(need, 9))))
    out: dict[str, Any] = dict.fromkeys(ASSESS_KEYS)
    out.update(last_year=last_year, last_share_pct=last_share, gap_pp=gap,
               required_pp_per_year=required, persons_short=persons)
    if fit is not None:
        est, _, lo, hi = fit.slope()
        plo, phi_ = fit.prediction_interval(target_year)
        out.update(trend_pp_per_year=est, trend_ci_low=lo, trend_ci_high=hi,
                   projected_pct=float(fit.predict(target_year)), projection_pi_low=float(plo),
                   projection_pi_high=float(phi_), p_reach=fit.p_at_least(target_year, target_pct))
    if last_share >= target_pct:
        status = "reached"
    elif len(seg) < MIN_POINTS:
        status = "insufficient_data"
    elif years_left > 0 and out["projected_pct"] >= target_pct:
        status = "on_track"
    else:
        status = "behind"
    out["status"] = status
    return out


def assess(series: pd.DataFrame, target_pct: float, target_year: int, breaks: Iterable[Any] = (),
           level: float = LEVEL, now: int | None = None) -> dict[str, Any]:
    """Where a target group stands relative to a target of at least ``target_pct`` % on
    31 December of ``target_year``.

    - ``gap_pp`` = target − last observed share (positive: still to go);
    - ``required_pp_per_year`` = max(gap, 0) / (target_year − last_year): the straight-line pace
      needed from the last observation to the target date (``None`` once the date has passed:
      ``now`` — the year of the assessment — at or after ``target_year``);
    - ``trend_*``, ``projected_pct``, ``projection_pi_*``, ``p_reach``: from :func:`fit_trend` on
      the last segment only (``None`` with fewer than 3 points there);
    - ``persons_short`` = ceil(target × last denominator − last numerator), at least 0: the whole
      persons the group needs, at the last year's headcount, to be at the target today
      (``None`` without headcounts);
    - ``status``: see the module docstring.
    ``breaks`` are years (or :class:`Break`/dicts) where a new segment starts.
    """
    seg = _last_segment_arr(_arrays(series), breaks)
    fit = _fit_many([seg], level)[0] if len(seg) >= MIN_POINTS else None
    return _assess_arr(seg, target_pct, target_year, fit, now)



def _target_list(targets: pd.DataFrame, as_of: int | None) -> list[tuple[Any, float, int, int]]:
    """(group, target_pct, target_year, horizon) of every target with a date and a figure."""
    out = []
    for _, t in targets.iterrows():
        if pd.isna(t["target_year"]) or pd.isna(t["target_pct"]):
            continue
        ty = int(t["target_year"])
        horizon = ty if as_of is None else min(int(as_of), ty)
        out.append((t["group"], float(t["target_pct"]), ty, horizon))
    return out


def _evaluate_many(tables: Sequence[Mapping[Any, _Arr]], targets: pd.DataFrame, breaks: Iterable[Any] = (),
                   as_of: int | None = None, data_end: int | None = None) -> list[list[dict[str, Any]]]:
    """:func:`evaluate_targets` rows for several tables (each ``{group: _Arr}`` from
    :func:`_split`), with every trend fitted in one :func:`_fit_many` call. ``data_end``: the
    last year of the data as a whole (the "now" when ``as_of`` is not given)."""
    now = as_of if as_of is not None else data_end
    tl = _target_list(targets, as_of)
    brks = as_breaks(breaks)
    bfor = {g: breaks_for(brks, g) for g in {t[0] for t in tl}}
    items = []  # (table index, target, last segment)
    for ti, table in enumerate(tables):
        for t in tl:
            a = table.get(t[0])
            if a is None:
                continue
            cut = int(np.searchsorted(a.year, t[3], side="right"))
            if cut == 0:
                continue
            items.append((ti, t, _last_segment_arr(a.head(cut), bfor[t[0]])))
    need = [i for i, it in enumerate(items) if len(it[2]) >= MIN_POINTS]
    fits: list[TrendFit | None] = [None] * len(items)
    for i, f in zip(need, _fit_many([items[i][2] for i in need])):
        fits[i] = f
    rows: list[list[dict[str, Any]]] = [[] for _ in tables]
    for (ti, (g, tp, ty, horizon), seg), fit in zip(items, fits):
        out = _assess_arr(seg, tp, ty, fit, now)
        method = ("glm_logit" if seg.has_counts() else "wls") if len(seg) >= MIN_POINTS else None
        passed = now is not None and int(now) >= ty
        outcome = None
        if passed:
            outcome = ("reached" if out["status"] == "reached" else
                       "not_reached" if out["last_year"] == ty else "no_figure_at_target_date")
        rows[ti].append(dict(group=g, target_pct=tp, target_year=ty, evaluated_at=horizon,
                             n_points=len(seg), method=method, **out, date_passed=passed, outcome=outcome))
    return rows


def evaluate_targets(data: pd.DataFrame, targets: pd.DataFrame, breaks: Iterable[Any] = (),
                     as_of: int | None = None, data_end: int | None = None) -> pd.DataFrame:
    """:func:`assess` for every target (row of :func:`read_targets`) with data and a date.

    Each target is judged on the figures up to ``min(as_of, target_year)``: a target whose date
    has passed is judged at its date (reached or not), a running one on the latest figures.
    Returns one row per target: ``group, target_pct, target_year, evaluated_at`` and
    :data:`ASSESS_KEYS` (plus ``n_points``, ``method``), ``date_passed`` (``as_of`` — or, without
    it, ``data_end``, default the last year in ``data`` — is at or after the target year; then
    ``required_pp_per_year`` is empty) and ``outcome`` (for a passed date: ``reached``,
    ``not_reached`` — measured in the target year — or ``no_figure_at_target_date``: the last
    figure is from an earlier year, so "not reached" is not measured; else empty)."""
    if data_end is None and len(data):
        data_end = int(pd.to_numeric(data["year"]).max())
    return pd.DataFrame(_evaluate_many([_split(data, ["group"])], targets, breaks, as_of, data_end)[0])



def current_position(data: pd.DataFrame, groups: Iterable[str], breaks: Iterable[Any] = ()) -> pd.DataFrame:
    """Per group: latest figure, the segment it belongs to and its trend (pp/year, 95% CI)."""
    table = _split(data, ["group"])
    brks = as_breaks(breaks)
    segs = [(g, _last_segment_arr(table[g], breaks_for(brks, g))) for g in groups if g in table]
    fitted = [sg for _, sg in segs if len(sg) >= MIN_POINTS]
    fits = iter(_fit_many(fitted))
    rows = []
    for g, seg in segs:
        r = dict(group=g, last_year=int(seg.year[-1]), last_share_pct=float(seg.share[-1]),
                 segment_start=int(seg.year[0]), n_points=len(seg),
                 trend_pp_per_year=None, trend_ci_low=None, trend_ci_high=None)
        if len(seg) >= MIN_POINTS:
            est, _, lo, hi = next(fits).slope()
            r.update(trend_pp_per_year=est, trend_ci_low=lo, trend_ci_high=hi)
        rows.append(r)
    return pd.DataFrame(rows)



def assess_entities(table: pd.DataFrame, targets: pd.DataFrame, breaks: Iterable[Any] = (),
                    as_of: int | None = None, by: str = "entity") -> pd.DataFrame:
    """:func:`evaluate_targets` per entity (or policy domain) on an aggregated microdata table
    (``evaluatie.analyses.targets.personnel.aggregate``: ``year, <by>, group, definition, numerator,
    denominator, share_pct``). Suppressed cells (missing numerator) are left out of the series:
    an entity is judged on its last figure that may be published, and "now" (``date_passed``) is
    the last year of the whole table, suppressed cells included.

    All entities are done together: the table is split into series once and every trend is
    fitted in one vectorised call (:func:`_fit_many`); the result is the one
    :func:`evaluate_targets` gives entity by entity."""
    cols = [by, "group", "year", "share_pct", "numerator", "denominator", "definition"]
    ok = pd.DataFrame({c: table[c] for c in cols if c in table})  # no attrs to copy along
    data_end = int(pd.to_numeric(ok["year"]).max()) if len(ok) else None  # suppressed years count
    ok = ok[ok["numerator"].notna()]
    ok["numerator"] = ok["numerator"].astype(float)
    ok["definition"] = ok["definition"].astype(object).where(ok["definition"].astype(str) != "", None)
    series = _split(ok, [by, "group"])
    keys = sorted({k[0] for k in series})
    tables: dict[Any, dict[Any, _Arr]] = {key: {} for key in keys}
    for (key, g), a in series.items():
        tables[key][g] = a
    rows = _evaluate_many([tables[key] for key in keys], targets, breaks, as_of, data_end)
    if not any(rows):
        return pd.DataFrame()
    return _stack_frames([(r, {by: key}) for key, r in zip(keys, rows) if r], first=by)


def _stack_frames(parts: Sequence[tuple[list[dict[str, Any]], dict[str, Any]]], first: str) -> pd.DataFrame:
    """``pd.concat([pd.DataFrame(rows).assign(**extra) for rows, extra in parts],
    ignore_index=True)`` with column ``first`` moved to the front — the same frame, dtypes
    included, built with one DataFrame per distinct value-type pattern instead of one per part.

    A part's column dtypes follow from the Python types present in each column (int, float,
    str, None, ...), and concat's dtypes from the set of the parts' dtypes; parts with the same
    type pattern are therefore built together and the rows put back in order afterwards."""
    cols = list(dict.fromkeys(c for rows, _ in parts for r in rows for c in r))
    groups: dict[tuple, list[int]] = {}
    for i, (rows, _) in enumerate(parts):
        sig = tuple((c, frozenset(type(r.get(c, _MISSING)) for r in rows)) for c in cols)
        groups.setdefault(sig, []).append(i)
    frames, order = [], []
    starts = np.cumsum([0] + [len(rows) for rows, _ in parts])
    for idx in groups.values():
        rows = [r for i in idx for r in parts[i][0]]
        f = pd.DataFrame(rows)
        for c in parts[idx[0]][1]:
            f[c] = [parts[i][1][c] for i in idx for _ in parts[i][0]]
        frames.append(f)
        order.extend(int(starts[i]) + j for i in idx for j in range(len(parts[i][0])))
    out = frames[0] if len(frames) == 1 else pd.concat(frames, ignore_index=True)
    out = out.take(np.argsort(np.asarray(order), kind="stable")).reset_index(drop=True)
    return out[[first] + [c for c in out.columns if c != first]]


_MISSING = object()


def evaluate_yearly_targets(figures: pd.DataFrame, targets: pd.DataFrame) -> pd.DataFrame:
    """Every yearly target (a target without an end date) with its latest figure.

    ``status``: ``reached`` / ``not_reached`` in ``last_year`` when that figure was measured under
    the target's own definition; otherwise ``insufficient_data`` — a figure under an older
    definition is shown as context (with ``gap_pp``), never judged. A yearly target without any
    figure gets ``insufficient_data`` and empty figure columns."""
    yearly = targets[targets["target_year"].isna() & targets["target_pct"].notna()]
    rows = []
    for g, tp in zip(yearly["group"], yearly["target_pct"]):
        f = figures[figures["group"] == g].sort_values("year")
        if f.empty:
            rows.append(dict(group=g, target_pct=tp, last_year=None, last_share_pct=None, definition=None,
                             target_definition=False, gap_pp=None, status="insufficient_data"))
            continue
        last = f.iloc[-1]
        share = float(last["share_pct"])
        same = bool(last["target_definition"])
        status = ("reached" if share >= tp else "not_reached") if same else "insufficient_data"
        rows.append(dict(group=g, target_pct=float(tp), last_year=int(last["year"]), last_share_pct=share,
                         definition=last["definition"], target_definition=same, gap_pp=float(tp) - share,
                         status=status))
    return pd.DataFrame(rows, columns=["group", "target_pct", "last_year", "last_share_pct", "definition",
                                       "target_definition", "gap_pp", "status"])



def gender_balance(women_pct: Any, threshold_pct: float = 33.0) -> Any:
    """Gender-balance rule of the strategic plan (OD 1.8): fewer than ``threshold_pct`` % of one
    sex is under-representation. Returns ``"women"``, ``"men"`` (the under-represented sex) or
    ``None`` (balanced); vectorised over a Series."""
    def one(w):
        if w is None or pd.isna(w):
            return None
        if w < threshold_pct:
            return "women"
        if 100 - w < threshold_pct:
            return "men"
        return None
    if isinstance(women_pct, pd.Series):
        return women_pct.map(one)
    return one(women_pct)


def with_counts(tab: pd.DataFrame) -> pd.DataFrame:
    """The rows of a :func:`personnel.aggregate` table that have a numerator (small cells are
    left out), with numerator and share as floats, an empty ``definition`` as None and no
    ``attrs``: the input :func:`evaluate_targets` takes."""
    t = tab[tab["numerator"].notna()].copy()
    t["numerator"] = t["numerator"].astype(float)
    t["share_pct"] = t["share_pct"].astype(float)
    t["definition"] = t["definition"].astype(object).where(t["definition"].astype(str) != "", None)
    t.attrs = {}
    return t


def select_series(by_entity: pd.DataFrame, org: pd.DataFrame, entity: str | None) -> pd.DataFrame:
    """The personnel series of one ``entity`` (from ``by_entity``) or, with ``entity=None``, of the
    whole organisation (``org``), small cells left out (:func:`with_counts`). An entity without
    any row with a numerator is a :class:`DataError`."""
    if not entity:
        return with_counts(org)
    out = with_counts(by_entity[by_entity["entity"] == entity])
    if out.empty:
        raise DataError(f"entiteit {entity!r} komt niet voor in het personeelsbestand (of alleen met kleine cellen)")
    return out


def evaluate_selection(by_entity: pd.DataFrame, org: pd.DataFrame, entity: str | None, targets: pd.DataFrame,
                       breaks: Iterable[Any] = (), as_of: int | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """:func:`evaluate_targets` on personnel aggregates for one ``entity`` (from ``by_entity``) or,
    with ``entity=None``, for the whole organisation (``org``), up to the last year of the data.
    Returns the assessment and the series it used (:func:`select_series`)."""
    series = select_series(by_entity, org, entity)
    end = int((by_entity if entity else org)["year"].max())
    return evaluate_targets(series, targets, breaks, as_of, data_end=end), series


#: Column of :func:`status_counts` for the entities that could not be judged at all.
NOT_JUDGED = "niet beoordeeld"


def status_counts(ev_ent: pd.DataFrame, entities: Iterable[Any] | None = None,
                  groups: Sequence[str] | None = None) -> pd.DataFrame:
    """Number of entities per group (rows) and Dutch status (columns, ``status_nl``) from the
    rows of :func:`assess_entities` (one target date).

    With ``entities`` (every entity of the file) each row adds up to their number: the column
    :data:`NOT_JUDGED` counts the entities without a row for that group (no figure that may be
    shown up to the target date: a small or withheld cell in every year, or nobody in that level).
    ``groups`` gives the rows and their order, so a group no entity could be judged on keeps its row."""
    counts = (ev_ent.pivot_table(index="group", columns="status_nl", values="entity", aggfunc="count", fill_value=0)
              if len(ev_ent) else pd.DataFrame(index=pd.Index([], name="group")))
    if groups is not None:
        counts = counts.reindex(list(groups), fill_value=0)
    if entities is not None:
        n = len(set(entities))
        counts[NOT_JUDGED] = n - counts.sum(axis=1)
    counts = counts.astype(int).rename_axis("group").reset_index()
    counts.columns.name = None
    return counts


def targets_in_data(targets: pd.DataFrame, data: pd.DataFrame) -> pd.DataFrame:
    """The dated targets of the groups in ``data`` whose target year is not before its first year."""
    out = targets[targets["group"].isin(set(data["group"])) & targets["target_year"].notna()]
    return out[out["target_year"] >= int(data["year"].min())]


def last_passed_targets(ev: pd.DataFrame) -> pd.DataFrame:
    """The rows of :func:`evaluate_targets` for the latest target date that has passed (evaluated at or
    after the target year); no rows when none has passed."""
    passed_years = sorted(set(ev.loc[ev["evaluated_at"] >= ev["target_year"], "target_year"]))
    return ev[ev["target_year"] == passed_years[-1]] if passed_years else ev.iloc[0:0]
