"""Series, breaks and segments: the data model of the target-figure trends.

A *series* is one target group's share of personnel per reference date (31 December of each
year): a DataFrame with columns ``year`` and ``share_pct`` (percent units), optionally
``numerator`` and ``denominator`` (headcounts) and ``definition`` (which definition or counting
method produced the figure). Years may have gaps.

Breaks
    A definition or counting change starts a new *segment*: the 2014 automatic counting of
    migration background, the 2016 definitions (foreign origin, disability widened to chronic
    illness, 55+) and the 2016 entity mergers. A break year ``B`` means "the figure of year B is the
    first one under the new regime". Segments are also split where the ``definition`` column names
    two definitions for the same break interval (the 2016 overlap year measured both ways). A
    missing ``definition`` inherits the nearest definition stated in its break interval (the next
    one in time, else the previous one). Trends are only
    ever fitted within one segment — never across a break — and :func:`link_factor` reports an
    overlap year as a ratio and a difference; nothing is spliced.

The public functions take and return DataFrames; underneath, a table is split into per-series
numpy arrays once (:func:`_split`, giving :class:`_Arr` objects) and segments are found without
pandas. The ``_``-names are shared with the other modules of this subpackage only.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

__all__ = ["Break", "as_breaks", "breaks_for", "segment_ids", "segments", "last_segment", "link_factor",
           "link_factors", "group_series"]


@dataclass(frozen=True)
class Break:
    """A definition or counting change: ``year`` is the first year under the new regime.

    ``groups`` limits the break to some target groups (``None``: all groups)."""

    year: int
    label: str = ""
    groups: tuple[str, ...] | None = None

    def applies_to(self, group: str | None) -> bool:
        return self.groups is None or group is None or group in self.groups


def as_breaks(breaks: Iterable[Any] = ()) -> list[Break]:
    """Breaks from ints, :class:`Break` objects or params dicts
    ``{"year": 2016, "label": "...", "groups": [...] | "all"}``."""
    out = []
    for b in breaks or ():
        if isinstance(b, Break):
            out.append(b)
        elif isinstance(b, Mapping):
            groups = b.get("groups")
            if groups in (None, "all", "alle"):
                groups = None
            elif isinstance(groups, str):
                groups = (groups,)
            else:
                groups = tuple(groups)
            out.append(Break(int(b["year"]), str(b.get("label", "")), groups))
        else:
            out.append(Break(int(b)))
    return sorted(out, key=lambda b: b.year)


def breaks_for(breaks: Iterable[Any], group: str | None) -> list[int]:
    """Sorted break years that apply to ``group``."""
    return sorted({b.year for b in as_breaks(breaks) if b.applies_to(group)})


def _prepare(series: pd.DataFrame) -> pd.DataFrame:
    if "year" not in series or "share_pct" not in series:
        raise ValueError("a series needs the columns 'year' and 'share_pct'")
    s = series.copy()
    s["year"] = s["year"].astype(int)
    s["share_pct"] = s["share_pct"].astype(float)
    for c in ("numerator", "denominator"):
        s[c] = s[c].astype(float) if c in s else np.nan
    if "definition" not in s:
        s["definition"] = pd.Series([None] * len(s), index=s.index, dtype=object)
    s["definition"] = s["definition"].astype(object).where(s["definition"].notna(), None)
    return s.sort_values("year", kind="stable")


class _Arr:
    """A series as plain arrays, rows in the order of :func:`_prepare` (year, stable): the fast
    path behind the public functions, which take and give DataFrames. ``defs`` holds the
    definitions (``None`` where missing); ``group`` is the series' single group, if any."""

    __slots__ = ("year", "share", "num", "den", "defs", "group")

    def __init__(self, year, share, num, den, defs, group=None):
        self.year, self.share, self.num, self.den, self.defs, self.group = year, share, num, den, defs, group

    def __len__(self) -> int:
        return len(self.year)

    def take(self, idx) -> "_Arr":
        idx = np.asarray(idx, dtype=np.intp)
        return _Arr(self.year[idx], self.share[idx], self.num[idx], self.den[idx],
                    [self.defs[i] for i in idx.tolist()], self.group)

    def head(self, n: int) -> "_Arr":
        return _Arr(self.year[:n], self.share[:n], self.num[:n], self.den[:n], self.defs[:n], self.group)

    def has_counts(self) -> bool:
        """Numerator and denominator for every point, denominators > 0: the GLM applies."""
        return bool(not np.isnan(self.num).any() and not np.isnan(self.den).any() and (self.den > 0).all())


def _columns(data: pd.DataFrame):
    """The columns of a series table converted as :func:`_prepare` converts them (unsorted)."""
    if "year" not in data or "share_pct" not in data:
        raise ValueError("a series needs the columns 'year' and 'share_pct'")
    n = len(data)
    year = data["year"].astype(int).to_numpy()
    share = data["share_pct"].astype(float).to_numpy()
    num = data["numerator"].astype(float).to_numpy() if "numerator" in data else np.full(n, np.nan)
    den = data["denominator"].astype(float).to_numpy() if "denominator" in data else np.full(n, np.nan)
    if "definition" in data:
        d = data["definition"]
        defs = d.astype(object).where(d.notna(), None).tolist()
    else:
        defs = [None] * n
    return year, share, num, den, defs


def _arrays(series: pd.DataFrame) -> _Arr:
    """One series as arrays, sorted by year (stable), as :func:`_prepare` sorts it."""
    year, share, num, den, defs = _columns(series)
    group = None
    if "group" in series and series["group"].nunique() == 1:
        group = series["group"].iloc[0]
    order = np.argsort(year, kind="stable")
    return _Arr(year, share, num, den, defs, group).take(order)


def _split(data: pd.DataFrame, keys: Sequence[str]) -> dict[Any, _Arr]:
    """Every series of a long table at once: ``{key value(s): _Arr}``, each sorted by year
    (stable within a year, in table order) — what :func:`group_series` + :func:`_prepare` give
    per key, without a pandas selection per series. Rows with a missing key are left out."""
    keys = list(keys)
    gi = keys.index("group") if "group" in keys else None
    year, share, num, den, defs = _columns(data)
    codes, uniques = [], []
    ok = np.ones(len(data), dtype=bool)
    for k in keys:
        c, u = pd.factorize(data[k], sort=False)
        codes.append(c)
        uniques.append(u)
        ok &= c >= 0
    order = np.lexsort([year] + codes[::-1])  # stable: by keys, then year, then table order
    order = order[ok[order]]
    out: dict[Any, _Arr] = {}
    if not len(order):
        return out
    kc = np.stack([c[order] for c in codes], axis=1)
    starts = np.flatnonzero(np.r_[True, (kc[1:] != kc[:-1]).any(axis=1)])
    ends = np.r_[starts[1:], len(order)]
    year, share, num, den = year[order], share[order], num[order], den[order]
    defs = [defs[i] for i in order.tolist()]
    for a, b in zip(starts.tolist(), ends.tolist()):
        key = tuple(u[c] for u, c in zip(uniques, kc[a].tolist()))
        key = key[0] if len(keys) == 1 else key
        grp = None if gi is None else (key if len(keys) == 1 else key[gi])
        out[key] = _Arr(year[a:b], share[a:b], num[a:b], den[a:b], defs[a:b], grp)
    return out


def _segment_ids_arr(a: _Arr, breaks: Iterable[Any] = ()) -> list[int]:
    """Segment number of each row of ``a`` (see :func:`segment_ids`)."""
    years = a.year.tolist()
    n = len(years)
    byears = breaks_for(breaks, a.group)
    interval = np.searchsorted(np.array(byears, dtype=int), a.year, side="right").tolist()
    defs = a.defs
    out_defs = list(defs)
    if any(d is None for d in defs):
        for i in range(n):
            if defs[i] is not None:
                continue
            iv, y = interval[i], years[i]
            lab = [j for j in range(n) if interval[j] == iv and defs[j] is not None]
            first: dict[Any, int] = {}
            for j in lab:
                first[defs[j]] = min(first.get(defs[j], years[j]), years[j])
            later = [j for j in lab if years[j] >= y]
            earlier = [j for j in lab if years[j] < y]
            if later:
                y0 = min(years[j] for j in later)
                d = min((defs[j] for j in later if years[j] == y0), key=lambda c: first[c])
            elif earlier:
                y0 = max(years[j] for j in earlier)
                d = max((defs[j] for j in earlier if years[j] == y0), key=lambda c: first[c])
            else:
                d = ""
            out_defs[i] = d
    seen: dict[tuple, int] = {}
    dup: set[int] = set()
    for i in range(n):
        k = (years[i], out_defs[i])
        if k in seen:
            dup.update((years[i],))
        seen[k] = i
    if dup:
        raise ValueError(f"series has more than one figure for the same year and definition: {sorted(dup)}")
    start: dict[tuple, int] = {}
    for i in range(n):  # rows are in year order: the first row of a key has its earliest year
        start.setdefault((interval[i], out_defs[i]), years[i])
    order = {k: i for i, k in enumerate(sorted(start, key=lambda k: (k[0], start[k])))}
    return [order[(iv, d)] for iv, d in zip(interval, out_defs)]


def _segments_arr(a: _Arr, breaks: Iterable[Any] = ()) -> list[_Arr]:
    ids = np.array(_segment_ids_arr(a, breaks), dtype=int)
    return [a.take(np.flatnonzero(ids == i)) for i in range(int(ids.max()) + 1)] if len(ids) else []


def _last_segment_arr(a: _Arr, breaks: Iterable[Any] = ()) -> _Arr:
    segs = _segments_arr(a, breaks)
    last_year = max(int(sg.year.max()) for sg in segs)
    ends = [sg for sg in segs if int(sg.year.max()) == last_year]
    if len(ends) > 1:
        raise ValueError(f"the last year {last_year} is measured under more than one definition; "
                         "assess each definition as its own series")
    return ends[0]


def segment_ids(series: pd.DataFrame, breaks: Iterable[Any] = ()) -> pd.Series:
    """Segment number (0, 1, ...) of each row, in time order. See the module docstring."""
    s = _prepare(series)
    ids = _segment_ids_arr(_arrays(s), breaks)
    return pd.Series(ids, index=s.index, name="segment")


def segments(series: pd.DataFrame, breaks: Iterable[Any] = ()) -> list[pd.DataFrame]:
    """The series cut into segments (time order); each one a copy sorted by year."""
    s = _prepare(series)
    ids = np.array(_segment_ids_arr(_arrays(s), breaks), dtype=int)
    return [s.loc[ids == i].reset_index(drop=True) for i in sorted(set(ids.tolist()))]


def last_segment(series: pd.DataFrame, breaks: Iterable[Any] = ()) -> pd.DataFrame:
    """The segment holding the latest year. When the latest year was measured under two
    definitions (an overlap year at the very end), the segment whose definition continues is
    unknowable, so this raises."""
    s = _prepare(series)
    ids = np.array(_segment_ids_arr(_arrays(s), breaks), dtype=int)
    years = s["year"].to_numpy()
    last_year = int(years.max())
    ends = sorted(set(ids[years == last_year].tolist()))
    if len(ends) > 1:
        raise ValueError(f"the last year {last_year} is measured under more than one definition; "
                         "assess each definition as its own series")
    return s.loc[ids == ends[0]].reset_index(drop=True)


def link_factor(old: pd.DataFrame, new: pd.DataFrame) -> pd.DataFrame:
    """Overlap years measured under an old and a new definition: both shares, their ratio
    (new/old) and difference (new - old, pp). Shown as such; never used to splice series."""
    o = _prepare(old)[["year", "share_pct", "definition"]]
    n = _prepare(new)[["year", "share_pct", "definition"]]
    m = o.merge(n, on="year", suffixes=("_old", "_new"))
    m["ratio"] = m["share_pct_new"] / m["share_pct_old"]
    m["difference_pp"] = m["share_pct_new"] - m["share_pct_old"]
    return m[["year", "definition_old", "share_pct_old", "definition_new", "share_pct_new",
              "ratio", "difference_pp"]].reset_index(drop=True)


def group_series(data: pd.DataFrame, group: str, *, up_to: int | None = None) -> pd.DataFrame:
    """One group's rows of a combined table (``group`` column), optionally up to a year."""
    s = data[data["group"] == group]
    if up_to is not None:
        s = s[s["year"] <= up_to]
    return s.sort_values("year").reset_index(drop=True)


def link_factors(data: pd.DataFrame, links: Mapping[str, str], groups: Iterable[str]) -> pd.DataFrame:
    """:func:`link_factor` of every ``links`` pair (new series -> old series) whose two groups
    are both in ``groups``, stacked, with columns ``new`` and ``old`` naming them; an empty frame
    when no pair is in the data (the notebook's version raised there: concat of nothing)."""
    groups = list(groups)
    parts = [link_factor(group_series(data, old), group_series(data, new)).assign(new=new, old=old)
             for new, old in links.items() if new in groups and old in groups]
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()
