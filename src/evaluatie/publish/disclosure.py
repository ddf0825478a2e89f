"""The one disclosure module: every table a report publishes goes through it.

:func:`evaluatie.publish.report.table` and :func:`~evaluatie.publish.report.export` refuse a frame
that did not (:func:`decision`), so no number reaches the HTML, ``tables/*.csv`` or ``tables.xlsx``
undecided. A table is decided in one of three ways:

* :func:`suppress` — the rules below applied to a table's own count columns and totals;
* :func:`mark` — cells or whole rows withheld by a decision an analysis took once for all its tables
  (with :func:`protect_groups`, or its own decision over a cube of counts, checked with
  :class:`evaluatie.publish.audit.Attack`);
* :func:`no_counts` — a table declared to hold no count of persons or employers in a cell defined by
  their characteristics (budgets, rules, published series), with its reason.

Rule (primary suppression, the *frequency rule*): a count whose unweighted value is below the
threshold (default 5; zero counts are shown unless ``zeros=True``) is not published, and neither
is any number derived from it (a percentage, a rate, a weighted estimate: the caller names what
depends on what with ``derived``).

Rule (secondary suppression): when a table publishes totals, one hidden cell could be recovered
by subtraction. Every *line* — the cells of a row that add up to a published row total, or the
cells of a column that add up to a published total row — that holds a suppressed cell must hold
at least two. For a 1-D table with a total row this hides the next-smallest cell; for a 2-D
crosstab it is the classic at-least-two-per-row-and-column rule, applied until nothing changes.
The extra cell chosen is the smallest non-zero visible cell of the line (an interior cell before
the total itself). This is the usual heuristic of statistical offices (e.g. Hundepool et al.,
*Statistical Disclosure Control*, Wiley 2012, §5.2-5.4). Relations across tables (a breakdown and
the whole sample, entities and their organisation) are the analyses' decisions; the tests check
every run and batch with the linear-programming attack of :mod:`evaluatie.publish.audit`.

:func:`suppress` and :func:`mark` return a copy in which every withheld numeric cell is NaN — so
an exported CSV never carries it — with ``attrs["suppressed"]`` (a boolean frame, same index and
columns) and ``attrs["suppression_threshold"]``; :func:`evaluatie.publish.report.table` shows such a
cell as "x" (niet getoond), the same mark for a small cell and for one withheld to protect it.
Apply it last, right before publishing: sort and filter first (:func:`suppressed_mask` lines the
mask up by row label if a frame was filtered afterwards anyway). A number column added after the
decision makes the frame undecided again; label columns may be added. Figures: :func:`for_figure`
leaves out the rows with a withheld value and :func:`figure_note` says so in Dutch.
"""

from __future__ import annotations

from typing import Any, Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

from evaluatie.publish.thresholds import DEFAULT_THRESHOLD, MIN_THRESHOLD

__all__ = ["suppress", "mark", "protect_groups", "no_counts", "decision", "suppressed_mask", "for_figure",
           "figure_note", "check_protected", "DEFAULT_THRESHOLD", "MIN_THRESHOLD"]


def _as_list(x: str | Iterable[str] | None) -> list[str]:
    if x is None:
        return []
    if isinstance(x, str):
        return [x]
    return list(x)


def _total_rows(df: pd.DataFrame, total_row: Any) -> np.ndarray:
    """Boolean positions of the total row(s): an index label, a list of labels, or a boolean mask."""
    n = len(df)
    if total_row is None:
        return np.zeros(n, bool)
    if callable(total_row):
        return np.asarray(total_row(df), bool)
    if isinstance(total_row, (pd.Series, np.ndarray)) and np.asarray(total_row).dtype == bool:
        return np.asarray(total_row, bool)
    labels = total_row if isinstance(total_row, (list, tuple, set)) else [total_row]
    out = df.index.isin(list(labels))
    if not out.any():
        raise ValueError(f"total_row {total_row!r} is not in the index")
    return np.asarray(out, bool)


def suppress(
    df: pd.DataFrame,
    count_cols: str | Sequence[str],
    threshold: int = DEFAULT_THRESHOLD,
    *,
    derived: Mapping[str, str | Sequence[str]] | None = None,
    total_row: Any = None,
    total_col: str | None = None,
    zeros: bool = False,
    secondary: bool = True,
) -> pd.DataFrame:
    """Suppress small counts and everything derived from them; see the module notes.

    Parameters
    ----------
    df
        The table as it will be published (English column names, raw numbers).
    count_cols
        Columns of unweighted counts; each cell is checked against ``threshold``.
    threshold
        Counts ``0 < n < threshold`` are suppressed (``0 <= n`` with ``zeros=True``).
    derived
        ``{column: source column(s)}``: a cell of ``column`` is suppressed when any of its
        sources is suppressed in the same row — e.g. ``{"callback_rate": ["callbacks", "n"],
        "weighted_pct": "n_unweighted"}``. Sources may themselves be derived.
    total_row
        The row(s) holding column totals: an index label, a list of labels, a boolean mask or
        a function ``df -> mask``. Each count column then forms a line for secondary suppression.
    total_col
        The count column holding row totals (a 2-D crosstab's margin). Each row's other count
        columns plus this one then form a line.
    secondary
        Apply secondary suppression (on by default; switch off only for tables without totals
        that also cannot be combined with published totals).

    Returns a copy with suppressed cells NaN (integer columns become nullable ``Int64``),
    ``attrs["suppressed"]`` and ``attrs["suppression_threshold"]``.
    """
    counts = _as_list(count_cols)
    derived = {k: _as_list(v) for k, v in (derived or {}).items()}
    for c in counts + list(derived) + [x for v in derived.values() for x in v] + _as_list(total_col):
        if c not in df.columns:
            raise KeyError(f"column {c!r} not in table (columns: {list(df.columns)})")
    if total_col is not None and total_col not in counts:
        counts.append(total_col)
    if threshold < 1:
        raise ValueError("threshold must be at least 1")

    n = len(df)
    pos = {c: j for j, c in enumerate(df.columns)}
    m = np.zeros((n, len(df.columns)), bool)
    vals = {c: pd.to_numeric(df[c], errors="coerce").to_numpy(dtype="float64") for c in counts}

    # primary: the frequency rule
    for c in counts:
        v = vals[c]
        small = (v < threshold) & ~np.isnan(v)
        if not zeros:
            small &= v != 0
        m[:, pos[c]] |= small

    # lines for secondary suppression: lists of (row position, column) with the total cell last
    lines: list[list[tuple[int, str]]] = []
    if secondary:
        totals = _total_rows(df, total_row)
        interior = np.flatnonzero(~totals)
        inner_cols = [c for c in counts if c != total_col]
        if totals.any():
            for c in counts:
                for t in np.flatnonzero(totals):
                    lines.append([(int(i), c) for i in interior] + [(int(t), c)])
        if total_col is not None:
            for i in range(n):
                lines.append([(i, c) for c in inner_cols] + [(i, total_col)])
        changed = True
        while changed:
            changed = False
            for line in lines:
                hidden = [cell for cell in line if m[cell[0], pos[cell[1]]]]
                if len(hidden) != 1:
                    continue
                cand = [cell for cell in line if not m[cell[0], pos[cell[1]]]]
                if not cand:
                    continue
                total_cell = line[-1]

                def key(cell):
                    v = vals[cell[1]][cell[0]]
                    v = np.inf if np.isnan(v) else v
                    return (cell == total_cell, v == 0, v)

                pick = min(cand, key=key)
                m[pick[0], pos[pick[1]]] = True
                changed = True

    # derived columns follow their sources (repeat for chains)
    for _ in range(len(derived) + 1):
        for col, sources in derived.items():
            for s in sources:
                m[:, pos[col]] |= m[:, pos[s]]

    return mark(df, pd.DataFrame(m, index=df.index, columns=df.columns), threshold)


def mark(df: pd.DataFrame, hidden: pd.DataFrame | pd.Series | np.ndarray, threshold: int = DEFAULT_THRESHOLD,
         ) -> pd.DataFrame:
    """Publish ``df`` with the cells in ``hidden`` withheld: the blanking step of :func:`suppress`, for a
    decision an analysis took with :func:`protect_groups` (or its own documented rule) on a table
    whose shape :func:`suppress` does not cover.

    ``hidden`` is a boolean frame shaped like ``df`` (cells), or a boolean row mask (a Series on
    ``df``'s index or an array; every numeric column of those rows is withheld; labels stay).
    Returns a copy with the hidden cells NaN (integer columns become ``Int64``), and
    ``attrs["suppressed"]``, ``attrs["suppression_threshold"]`` and ``attrs["disclosure"]``, which
    :func:`evaluatie.publish.report.table` shows as "x" (niet getoond) and :func:`decision` reads.
    """
    if isinstance(hidden, pd.DataFrame):
        m = hidden.reindex(index=df.index, columns=df.columns, fill_value=False).to_numpy(dtype=bool)
    else:
        rows = np.asarray(hidden.reindex(df.index, fill_value=False) if isinstance(hidden, pd.Series) else hidden,
                          dtype=bool)
        if rows.shape != (len(df),):
            raise ValueError(f"row mask of length {rows.shape} for a table of {len(df)} rows")
        numeric = np.array([pd.api.types.is_numeric_dtype(df[c].dtype) and not pd.api.types.is_bool_dtype(df[c].dtype)
                            for c in df.columns], dtype=bool)
        m = rows[:, None] & numeric[None, :]
    out = df.copy()
    for j, c in enumerate(df.columns):
        hide = m[:, j]
        if not hide.any():
            continue
        col = out[c]
        if pd.api.types.is_integer_dtype(col.dtype) and not pd.api.types.is_bool_dtype(col.dtype):
            col = col.astype("Int64")
        elif pd.api.types.is_bool_dtype(col.dtype) or not pd.api.types.is_numeric_dtype(col.dtype):
            col = col.astype(object)
        out[c] = col.mask(pd.Series(hide, index=out.index))
    out.attrs = {k: v for k, v in df.attrs.items() if k != "disclosure"}
    out.attrs["suppressed"] = pd.DataFrame(m, index=df.index, columns=df.columns)
    out.attrs["suppression_threshold"] = int(threshold)
    out.attrs["disclosure"] = "protected"
    out.attrs["disclosure_columns"] = tuple(map(str, df.columns))
    return out


def protect_groups(sizes: Mapping[Any, float], threshold: int = DEFAULT_THRESHOLD, *, total: bool = True,
                   hidden: Iterable[Any] = ()) -> frozenset:
    """Which groups of a breakdown to withhold, decided once for every table that shows the breakdown.

    ``sizes`` maps each group to its unweighted number of units (respondents, vacancies, persons).
    Primary rule: a group with ``0 < size < threshold`` is withheld (``hidden`` adds groups an
    analysis withholds for another reason, e.g. a small count inside the group). Secondary rule:
    when a ``total`` over the groups is published, a single withheld group could be recovered by
    subtraction (total minus the shown groups), so the smallest shown non-empty group is withheld
    with it — the whole group, in every table, so a reader sees a group either shown or withheld.
    Two withheld groups only give their sum, which no row of the table tells apart. Deterministic:
    the same sizes give the same decision in every report of a batch.
    """
    if threshold < 1:
        raise ValueError("threshold must be at least 1")
    sizes = {g: float(v) for g, v in sizes.items()}
    out = {g for g, v in sizes.items() if 0 < v < threshold} | {g for g in hidden if g in sizes}
    if total and len(out) == 1:
        shown = sorted((v, str(g), g) for g, v in sizes.items() if g not in out and v > 0)
        if shown:
            out.add(shown[0][2])
    return frozenset(out)


def no_counts(df: pd.DataFrame, reason: str) -> pd.DataFrame:
    """Declare that ``df`` publishes no count of persons or employers in a cell defined by their
    characteristics (a department, sector, entity or target group), and nothing derived from one:
    euros of an organisation's own budget, numbers of actions, a plan's targets for all its
    participants, rules, already published series, numbers of public bodies. ``reason`` says why in a
    few words (kept in ``attrs["disclosure"]``, read by :func:`decision`)."""
    if not reason or not reason.strip():
        raise ValueError("no_counts needs a reason")
    out = df.copy()
    out.attrs["disclosure"] = f"no counts: {reason.strip()}"
    out.attrs["disclosure_columns"] = tuple(map(str, df.columns))
    return out


def decision(df: pd.DataFrame) -> str | None:
    """How ``df`` went through this module: ``"protected"`` (:func:`suppress`/:func:`mark`),
    ``"no counts: <reason>"`` (:func:`no_counts`), or None when it did not — also None when a number
    column was added after the decision (pandas carries ``attrs`` along through ``assign``, column
    assignment and the like, but the decision covered only the columns it saw; label columns may be
    added)."""
    d = df.attrs.get("disclosure")
    if d is None:
        return None
    seen = set(df.attrs.get("disclosure_columns", ()))
    for c in df.columns:
        x = df[c]
        if str(c) not in seen and pd.api.types.is_numeric_dtype(x.dtype) and not pd.api.types.is_bool_dtype(x.dtype):
            return None
    return d


def suppressed_mask(df: pd.DataFrame) -> pd.DataFrame | None:
    """``df.attrs["suppressed"]`` lined up with ``df``'s rows and columns (by label, so a frame
    filtered or reordered after :func:`suppress` keeps the right cells hidden), or None."""
    mask = df.attrs.get("suppressed")
    if mask is None:
        return None
    if mask.index.equals(df.index):
        aligned = mask
    elif mask.index.is_unique and df.index.isin(mask.index).all():
        aligned = mask.loc[df.index]
    else:
        raise ValueError("the suppression mask no longer matches the table's rows; "
                         "filter or sort before suppress(), not after")
    cols = [c for c in df.columns if c in aligned.columns]
    return aligned[cols].reindex(columns=df.columns, fill_value=False).astype(bool)


def for_figure(df: pd.DataFrame, columns: str | Sequence[str] | None = None) -> pd.DataFrame:
    """The rows a figure may show: those without a suppressed value in ``columns`` (default: any
    column). ``attrs["left_out"]`` counts the rows left out, for :func:`figure_note`."""
    mask = suppressed_mask(df)
    if mask is None:
        out = df.copy()
        out.attrs["left_out"] = 0
        return out
    cols = _as_list(columns) or list(mask.columns)
    hide = mask[cols].to_numpy().any(axis=1)
    out = df.loc[~hide].copy()
    out.attrs = {k: v for k, v in df.attrs.items() if k != "suppressed"}
    out.attrs["left_out"] = int(hide.sum())
    return out


def figure_note(df: pd.DataFrame, what: str = "groep") -> str | None:
    """Dutch caption text for what :func:`for_figure` left out, or None when nothing was."""
    k = int(df.attrs.get("left_out", 0))
    if not k:
        return None
    t = int(df.attrs.get("suppression_threshold", DEFAULT_THRESHOLD))
    plural = {"groep": "groepen", "rij": "rijen", "categorie": "categorieën"}.get(what, what + "en")
    noun = what if k == 1 else plural
    verb = "is" if k == 1 else "zijn"
    return (f"{k} {noun} {verb} niet getoond: minder dan {t} waarnemingen, of af te leiden uit "
            f"andere cijfers (bescherming tegen herkenning).")


def check_protected(
    df: pd.DataFrame, count_cols: str | Sequence[str], threshold: int | None = None, *,
    total_row: Any = None, total_col: str | None = None, zeros: bool = False,
) -> list[str]:
    """What is wrong with a published table's protection (empty list: nothing). For tests:
    no visible count below the threshold, and no line with exactly one hidden cell."""
    mask = suppressed_mask(df)
    threshold = threshold or int(df.attrs.get("suppression_threshold", DEFAULT_THRESHOLD))
    counts = _as_list(count_cols) + ([total_col] if total_col and total_col not in _as_list(count_cols) else [])
    if mask is None:
        mask = pd.DataFrame(False, index=df.index, columns=df.columns)
    issues = []
    for c in counts:
        v = pd.to_numeric(df[c], errors="coerce")
        small = (v < threshold) & v.notna() & ~mask[c]
        if not zeros:
            small &= v != 0
        for r in df.index[small.to_numpy()]:
            issues.append(f"{c} in row {r!r} shows {v[r]!r} < {threshold}")
    totals = _total_rows(df, total_row)
    if totals.any():
        for c in counts:
            if int(mask[c].to_numpy().sum()) == 1:
                issues.append(f"column {c} has exactly one hidden cell next to a published total")
    if total_col is not None:
        inner = [c for c in counts if c != total_col]
        per_row = mask[inner + [total_col]].to_numpy().sum(axis=1)
        for r, k in zip(df.index, per_row):
            if k == 1:
                issues.append(f"row {r!r} has exactly one hidden cell next to its total")
    return issues
