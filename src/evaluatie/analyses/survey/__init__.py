"""Dutch Likert scales: label normalisation, don't-know handling, top-2-box, diverging charts.

Scales (5 points, negative to positive)::

    tevredenheid  zeer ontevreden | ontevreden | neutraal | tevreden | zeer tevreden
    akkoord       helemaal niet akkoord | niet akkoord | neutraal | akkoord | helemaal akkoord
    verloop       zeer moeizaam | moeizaam | neutraal | vlot | zeer vlot

Labels are normalised before they are matched (case, spaces, punctuation, common variants such as
"noch tevreden, noch ontevreden", "eens"/"oneens", numeric codes 1-5). "Weet niet", "n.v.t.",
"geen mening" and their variants are *outside the base*: not a scale point, not missing either;
their share among all who answered the question is reported separately. A value that is none of
these stops the analysis with a :class:`~evaluatie.intake.schema.DataError` naming file, row, column,
value and the expected labels.

Estimates are design-based (:mod:`evaluatie.stats.survey`): each level's share and the top-2-box share
(the two positive points) with the interval method of ``SurveyDesign.proportion``. Bases below the
disclosure threshold are suppressed (estimates blanked, ``suppressed`` flag, no bar drawn).
Reference tests: ``tests/test_likert.py``.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path
from typing import Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

from evaluatie.stats.survey import SurveyDesign, _row_blocks
from evaluatie.core.errors import DataError, Problem

__all__ = ["SCALES", "DONT_KNOW", "normalise_label", "normalise", "prepare", "read_responses", "load_survey",
           "distribution", "top2", "diverging_chart", "proportion_bars", "code_themes", "DK_SUFFIX"]

SCALES: dict[str, list[str]] = {
    "tevredenheid": ["zeer ontevreden", "ontevreden", "neutraal", "tevreden", "zeer tevreden"],
    "akkoord": ["helemaal niet akkoord", "niet akkoord", "neutraal", "akkoord", "helemaal akkoord"],
    "verloop": ["zeer moeizaam", "moeizaam", "neutraal", "vlot", "zeer vlot"],
}
DONT_KNOW = "weet niet / n.v.t."
DK_SUFFIX = "_dk"

_SYNONYMS: dict[str, dict[str, str]] = {
    "tevredenheid": {
        "heel ontevreden": "zeer ontevreden", "helemaal ontevreden": "zeer ontevreden",
        "eerder ontevreden": "ontevreden", "niet tevreden": "ontevreden",
        "noch tevreden noch ontevreden": "neutraal", "neutraal": "neutraal", "niet tevreden niet ontevreden": "neutraal",
        "eerder tevreden": "tevreden", "heel tevreden": "zeer tevreden", "helemaal tevreden": "zeer tevreden",
    },
    "akkoord": {
        "helemaal oneens": "helemaal niet akkoord", "volledig oneens": "helemaal niet akkoord",
        "helemaal niet mee eens": "helemaal niet akkoord", "totaal niet akkoord": "helemaal niet akkoord",
        "oneens": "niet akkoord", "niet eens": "niet akkoord", "eerder niet akkoord": "niet akkoord",
        "niet mee eens": "niet akkoord",
        "noch akkoord noch niet akkoord": "neutraal", "noch eens noch oneens": "neutraal",
        "eens": "akkoord", "mee eens": "akkoord", "eerder akkoord": "akkoord",
        "helemaal eens": "helemaal akkoord", "volledig eens": "helemaal akkoord", "volledig akkoord": "helemaal akkoord",
        "helemaal mee eens": "helemaal akkoord",
    },
    "verloop": {
        "heel moeizaam": "zeer moeizaam", "zeer moeilijk": "zeer moeizaam", "moeilijk": "moeizaam",
        "eerder moeizaam": "moeizaam", "noch vlot noch moeizaam": "neutraal", "eerder vlot": "vlot",
        "heel vlot": "zeer vlot",
    },
}
_DK_TOKENS = {"weet niet", "weet ik niet", "wn", "nvt", "n v t", "niet van toepassing", "geen mening",
              "weet niet nvt", "weet niet n v t", "geen antwoord mogelijk", "dont know", "na"}
_DK_CODES = {8, 9, 88, 99}


def normalise_label(text) -> str:
    """Lower case, accents removed, punctuation to spaces, spaces collapsed
    (``" Zeer  Tevreden!"`` -> ``"zeer tevreden"``, ``"n.v.t."`` -> ``"n v t"``)."""
    s = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode("ascii").lower()
    s = re.sub(r"[^a-z0-9]+", " ", s)
    return re.sub(r"\s+", " ", s).strip()


def _lookup(scale: str) -> dict[str, str]:
    points = SCALES[scale]
    table = {normalise_label(p): p for p in points}
    table.update({normalise_label(k): v for k, v in _SYNONYMS.get(scale, {}).items()})
    return table


def normalise(values: pd.Series, scale: str, *, file: str | None = None,
              column: str | None = None) -> tuple[pd.Series, pd.Series]:
    """Map raw answers to the scale. Returns ``(answers, dont_know)``: an ordered categorical
    with the 5 scale points (NaN for don't know and for no answer) and a boolean-with-NA series
    (True: weet niet / n.v.t.; False: a scale point; NA: no answer). Numeric codes 1-5 are scale
    points (1 = most negative); 8, 9, 88, 99 are don't know. Unknown labels raise DataError."""
    if scale not in SCALES:
        raise ValueError(f"unknown scale {scale!r}; choose from {sorted(SCALES)}")
    column = column or values.name
    points = SCALES[scale]
    table = _lookup(scale)

    def classify(raw):
        """-> (scale point or None, dk True/False/None, ok)"""
        if raw is None or (not isinstance(raw, str) and pd.isna(raw)):
            return None, None, True
        if isinstance(raw, (int, float, np.integer, np.floating)) and float(raw).is_integer():
            code = int(raw)
            if 1 <= code <= 5:
                return points[code - 1], False, True
            if code in _DK_CODES:
                return None, True, True
        key = normalise_label(raw)
        if key == "":
            return None, None, True
        if key.isdigit() and 1 <= int(key) <= 5:
            return points[int(key) - 1], False, True
        if key in table:
            return table[key], False, True
        if key in _DK_TOKENS or key.startswith("weet niet") or key.startswith("n v t"):
            return None, True, True
        return None, None, False

    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    mapped = [classify(u) for u in uniques]
    bad = [i for i, m in enumerate(mapped) if not m[2]]
    if bad:
        bad_mask = np.isin(codes, bad)
        raise DataError([Problem(file, _row(idx), column, raw,
                                 f"een antwoord op de schaal ({' / '.join(points)}) of 'weet niet / n.v.t.'")
                         for idx, raw in values[bad_mask].items()])
    point_of = np.array([points.index(m[0]) if m[0] is not None else -1 for m in mapped] + [-1])
    dk_of = np.array([{True: 1, False: 0, None: -1}[m[1]] for m in mapped] + [-1])
    pc = point_of[codes]  # codes == -1 (missing) picks the appended -1
    dc = dk_of[codes]
    dk = pd.Series(pd.array(np.where(dc < 0, None, dc == 1).tolist(), dtype="boolean"), index=values.index)
    cat = pd.Series(pd.Categorical.from_codes(pc, categories=points, ordered=True),
                    index=values.index, name=values.name)
    return cat, dk



def prepare(df: pd.DataFrame, items: Mapping[str, str], *, file: str | None = None) -> pd.DataFrame:
    """Normalise every Likert item (``{column: scale}``) in one pass; all problems reported
    together. Adds ``<item>_dk`` columns (don't know / not applicable) next to each item."""
    out = df.copy()
    problems: list[Problem] = []
    for col, scale in items.items():
        if col not in df.columns:
            problems.append(Problem(file, None, col, None, f"een kolom '{col}'"))
            continue
        try:
            cat, dk = normalise(df[col], scale, file=file, column=col)
        except DataError as e:
            problems.extend(e.problems)
            continue
        out[col] = cat
        out[col + DK_SUFFIX] = dk
    if problems:
        raise DataError(problems)
    return out


def read_responses(path: str | Path) -> pd.DataFrame:
    """Read a respondent file: SPSS ``.sav`` (value labels applied, as research bureaus deliver),
    CSV (comma or semicolon), XLSX or Parquet. The index is the row as the user sees it (CSV/XLSX:
    header = row 1, first respondent = row 2; SPSS: case number). Uses
    :func:`evaluatie.intake.read.read_table` when available."""
    path = Path(path)
    try:
        from evaluatie.intake.read import read_table  # shared reader (when present)
    except ImportError:  # pragma: no cover - depends on the tree state
        read_table = None
    if read_table is not None:
        return read_table(path)
    suffix = path.suffix.lower()
    if suffix == ".sav":
        import pyreadstat

        df, meta = pyreadstat.read_sav(str(path), apply_value_formats=True)
        df.index = pd.RangeIndex(1, len(df) + 1)
    elif suffix in (".xlsx", ".xls"):
        df = pd.read_excel(path)
        df.index = pd.RangeIndex(2, len(df) + 2)
    elif suffix == ".parquet":
        df = pd.read_parquet(path)
        df.index = pd.RangeIndex(1, len(df) + 1)
    else:
        df = pd.read_csv(path, sep=None, engine="python")
        df.index = pd.RangeIndex(2, len(df) + 2)
    df.attrs["source"] = {"file": path.name}
    return df


# --------------------------------------------------------------------------- estimates

def _suppress(res: pd.DataFrame, threshold: int, cols=("estimate", "se", "ci_low", "ci_high")) -> pd.DataFrame:
    small = res["n"] < threshold
    res = res.copy()
    res["suppressed"] = small
    for c in cols:
        if c in res.columns:
            res.loc[small, c] = np.nan
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
    if "dk_share" in out.columns:
        small = out["answered"] < threshold
        out.loc[small, "dk_share"] = np.nan
    return out


def _aslist(v):
    return [v] if isinstance(v, str) else list(v)


# --------------------------------------------------------------------------- chart

def _diverging_colours(k: int) -> list[tuple[float, float, float]]:
    """``k`` colours from orange (negative) to purple (positive): seaborn's
    ``color_palette("PuOr", k)`` reversed, computed with matplotlib alone (``k`` evenly spaced
    samples of the colormap without its two ends), so drawing a chart does not import seaborn."""
    import matplotlib as mpl
    from matplotlib.colors import to_rgb

    samples = mpl.colormaps["PuOr"](np.linspace(0, 1, int(k) + 2)[1:-1])[:, :3]
    return [to_rgb(tuple(c)) for c in samples][::-1]


def diverging_chart(dist: pd.DataFrame, *, row: str = "variable", labels: Mapping[str, str] | None = None,
                    threshold: int = 5, title: str | None = None, ax=None):
    """Diverging stacked bar chart of a :func:`distribution` frame: the negative points to the
    left of 0, neutral split over both sides, the positive points to the right; ``n`` written at
    the end of every bar; rows whose base is below ``threshold`` are drawn empty with a note.
    ``row`` is the column that identifies a bar (the item, or a domain column)."""
    import matplotlib.pyplot as plt

    labels = dict(labels or {})
    rows = list(dict.fromkeys(dist[row]))
    levels_of = {r: list(dist.loc[dist[row] == r, "level"]) for r in rows}
    k = len(levels_of[rows[0]])
    if any(len(v) != k for v in levels_of.values()):
        raise ValueError("all bars of one diverging chart need scales with the same number of points")
    # legend: the labels at each scale position (joined when items use different scales)
    points = [" / ".join(dict.fromkeys(levels_of[r][j] for r in rows)) for j in range(k)]
    colours = _diverging_colours(k)
    if k % 2 == 1:
        colours[k // 2] = (0.75, 0.75, 0.75)
    own_figure = ax is None
    if own_figure:
        fig, ax = plt.subplots(figsize=(10, 0.6 * len(rows) + 2.2))
    else:
        fig = ax.figure
    ypos = np.arange(len(rows))[::-1]
    # one bar per scale point for all drawn rows at once (k calls, not k per row); rows do not
    # overlap and each row's segments keep their order, so the picture is the same
    drawn_y, shares, lefts, notes = [], [], [], []
    for y, r in zip(ypos, rows):
        sub = dist[dist[row] == r].set_index("level").reindex(levels_of[r])
        n = int(sub["n"].iloc[0])
        if bool(sub.get("suppressed", pd.Series([n < threshold])).iloc[0]) or n < threshold:
            notes.append((0, y, f"te weinig antwoorden (n < {threshold})", dict(ha="center", va="center", fontsize=9)))
            continue
        share = sub["estimate"].fillna(0).to_numpy() * 100
        neg = share[: k // 2]
        mid = share[k // 2] if k % 2 else 0.0
        left = -(neg.sum() + mid / 2)
        starts = []
        for j in range(k):
            starts.append(left)
            left += share[j]
        drawn_y.append(y)
        shares.append(share)
        lefts.append(starts)
        notes.append((left + 1.5, y, f"n = {n}", dict(va="center", fontsize=9)))
    if drawn_y:
        shares, lefts = np.asarray(shares), np.asarray(lefts)
        labelled = drawn_y[0] == ypos[0]  # the legend takes its entries from the top bar only
        for j in range(k):
            ax.barh(drawn_y, shares[:, j], left=lefts[:, j], color=colours[j], edgecolor="white", height=0.7,
                    label=points[j] if labelled else None)
    for x, y, s, kw in notes:
        ax.text(x, y, s, **kw)
    ax.axvline(0, color="black", lw=0.8)
    ax.set_yticks(ypos)
    import textwrap

    ax.set_yticklabels([textwrap.fill(labels.get(r, str(r)), 34) for r in rows])
    ax.set_xlim(-100, 115)
    ax.set_xticks([-100, -50, 0, 50, 100])
    ax.set_xticklabels(["100%", "50%", "0%", "50%", "100%"])
    ax.set_xlabel("Aandeel van de antwoorden (zonder 'weet niet / n.v.t.')")
    ax.grid(axis="y", visible=False)
    ncol = k if max(len(p) for p in points) < 24 else 2
    if title:
        ax.set_title(title)
    if own_figure:  # one legend under the whole figure, with room made for it
        from evaluatie.publish.report import legend_below

        legend_below(fig, *ax.get_legend_handles_labels(), ncol=ncol, fontsize=9)
    else:
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.22 - 0.04 * (4 - min(len(rows), 4))), ncol=ncol,
                  frameon=False, fontsize=9)
        fig.tight_layout()
    return fig


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


def _row(idx):
    return int(idx) if isinstance(idx, (int, np.integer)) else None


def load_survey(path: str | Path, items: Mapping[str, str], *, complete_column: str | None = None,
                complete_only: bool = False, required: Sequence[str] = ()):
    """Read and prepare a respondent file: Likert items normalised (``items``: ``{column: scale}``),
    ``<item>_dk`` and ``<item>_top2`` ("ja"/"nee", empty without a substantive answer) added.
    Returns ``(data, ledger)``: rows without a value in a ``required`` column (the weighting
    variables) and, with ``complete_only``, incomplete questionnaires are excluded with a reason."""
    from evaluatie.intake.schema import Ledger

    raw = read_responses(path)
    file = (raw.attrs.get("source") or {}).get("file", Path(path).name)
    led = Ledger(file, read=len(raw))
    missing_cols = [c for c in list(required) + ([complete_column] if complete_column else []) if c not in raw.columns]
    if missing_cols:
        raise DataError([Problem(file, None, c, None, f"een kolom '{c}'") for c in missing_cols])
    df = prepare(raw, items, file=file)
    if complete_only and complete_column:
        done = df[complete_column].map(lambda v: normalise_label(v) in ("ja", "1", "true", "yes") if pd.notna(v) else False)
        led.exclude("vragenlijst niet volledig ingevuld", int((~done).sum()))
        df = df[done.to_numpy()]
    if required:
        miss = df[list(required)].isna().any(axis=1)
        led.exclude("geen waarde voor een wegingsvariabele (" + ", ".join(required) + ")", int(miss.sum()))
        df = df[~miss.to_numpy()]
    for col in items:
        cats = df[col].cat.categories
        top = df[col].isin(cats[-2:])
        df[col + "_top2"] = pd.Categorical(np.where(df[col].isna(), None, np.where(top, "ja", "nee")),
                                           categories=["ja", "nee"])
    df.attrs["source"] = raw.attrs.get("source", {"file": file})
    return df, led


def proportion_bars(res: pd.DataFrame, *, label: str = "variable", labels: Mapping[str, str] | None = None,
                    threshold: int = 5, xlabel: str = "Aandeel", title: str | None = None, ax=None):
    """Horizontal bars of proportions with their interval as whiskers and ``n`` next to every
    bar; rows with a base below ``threshold`` are left empty with a note."""
    import matplotlib.pyplot as plt

    from evaluatie.publish.report import PALETTE, axis_format

    labels = dict(labels or {})
    if ax is None:
        fig, ax = plt.subplots(figsize=(8, 0.5 * len(res) + 1.4))
    else:
        fig = ax.figure
    y = np.arange(len(res))[::-1]
    n = res["n"].to_numpy(dtype=float)
    sup = res["suppressed"].to_numpy(dtype=bool) if "suppressed" in res else np.zeros(len(res), bool)
    drawn = ~((n < threshold) | sup)
    est = res["estimate"].to_numpy(dtype=float)
    lo, hi = res["ci_low"].to_numpy(dtype=float), res["ci_high"].to_numpy(dtype=float)
    # all bars in one call and all whiskers in one call (rows do not overlap: same picture as
    # drawing them row by row)
    if drawn.any():
        ax.barh(y[drawn], est[drawn], color=PALETTE[0], height=0.6)
        ax.errorbar(est[drawn], y[drawn], xerr=[est[drawn] - lo[drawn], hi[drawn] - est[drawn]],
                    color="black", capsize=3, lw=1, ls="none")
    for i in range(len(res)):
        if not drawn[i]:
            ax.text(0.01, y[i], f"te weinig antwoorden (n < {threshold})", va="center", fontsize=9)
        else:
            ax.text(min(hi[i] + 0.02, 1.02), y[i], f"n = {int(n[i])}", va="center", fontsize=9)
    ax.set_yticks(y)
    ax.set_yticklabels([labels.get(v, str(v)) for v in res[label]])
    ax.set_xlim(0, 1.15)
    ax.set_xticks([0, 0.25, 0.5, 0.75, 1.0])
    axis_format(ax, "x", "prop", 0)
    ax.set_xlabel(xlabel)
    ax.grid(axis="y", visible=False)
    if title:
        ax.set_title(title)
    fig.tight_layout()
    return fig
