"""Faster survey and Likert code gives the same result as the code it replaced.

The old (slow) implementations are kept here verbatim as references. Charts are compared pixel
for pixel in the PNG written the way :func:`evaluatie.publish.report.figure` writes it; estimates are
compared exactly (``check_exact``), on the example survey weighted as in the report.
"""

from __future__ import annotations

import io
import textwrap
import warnings
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
import yaml  # noqa: E402

from evaluatie.analyses import survey as lk  # noqa: E402
from evaluatie.analyses.survey.weighted import round_tests  # noqa: E402
from evaluatie.publish import report as rp  # noqa: E402
from evaluatie.stats import survey as sv  # noqa: E402
from evaluatie.intake.read import read_table  # noqa: E402

REPO = Path(__file__).resolve().parents[1]


def _defaults() -> dict:
    """The parameters of the example survey report (``params/survey_evaluatie.yaml``)."""
    return yaml.safe_load((REPO / "params" / "survey_evaluatie.yaml").read_text(encoding="utf-8"))["parameters"]


def _design(p: dict, extra=None) -> sv.SurveyDesign:
    """The example survey weighted as in the report; ``extra(df)`` may add columns first."""
    df, _ = lk.load_survey(REPO / p["data"], {k: v["scale"] for k, v in p["items"].items()},
                           complete_column=p["complete_column"], complete_only=True,
                           required=list(p["margins"]) + [p["size_column"]])
    frame = read_table(REPO / p["frame"])
    pop = sv.frame_margins(frame, p["margins"], p["frame_count"])
    df["sme"] = np.where(df[p["size_column"]].astype(str).isin(p["sme_levels"]), "kmo", "geen kmo")
    df["frame_n"] = df[p["strata"]].astype(str).map(pop[p["strata"]])
    if extra is not None:
        df = extra(df)
    return sv.SurveyDesign(df, strata=p["strata"], fpc="frame_n").rake(pop)


@pytest.fixture(scope="module")
def example():
    p = _defaults()
    rp.use_style()
    return _design(p), p


def _png(fig) -> np.ndarray:
    from PIL import Image

    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=150, bbox_inches="tight", metadata={"Software": None})
    plt.close(fig)
    buf.seek(0)
    return np.asarray(Image.open(buf))


def _same_png(old_fig, new_fig):
    a, b = _png(old_fig), _png(new_fig)
    assert a.shape == b.shape
    assert np.array_equal(a, b)


# --------------------------------------------------------------------------- old charts

def _old_diverging_chart(dist, *, row="variable", labels=None, threshold=5, title=None, ax=None):
    """One barh call per bar segment (k per row), as it was."""
    import seaborn as sns

    labels = dict(labels or {})
    rows = list(dict.fromkeys(dist[row]))
    levels_of = {r: list(dist.loc[dist[row] == r, "level"]) for r in rows}
    k = len(levels_of[rows[0]])
    points = [" / ".join(dict.fromkeys(levels_of[r][j] for r in rows)) for j in range(k)]
    colours = sns.color_palette("PuOr", k)[::-1] if k != 5 else list(sns.color_palette("PuOr", 5))[::-1]
    colours = list(colours)
    if k % 2 == 1:
        colours[k // 2] = (0.75, 0.75, 0.75)
    fig, ax = plt.subplots(figsize=(10, 0.6 * len(rows) + 2.2))
    ypos = np.arange(len(rows))[::-1]
    for y, r in zip(ypos, rows):
        sub = dist[dist[row] == r].set_index("level").reindex(levels_of[r])
        n = int(sub["n"].iloc[0])
        if bool(sub.get("suppressed", pd.Series([n < threshold])).iloc[0]) or n < threshold:
            ax.text(0, y, f"te weinig antwoorden (n < {threshold})", ha="center", va="center", fontsize=9)
            continue
        share = sub["estimate"].fillna(0).to_numpy() * 100
        neg = share[: k // 2]
        mid = share[k // 2] if k % 2 else 0.0
        left = -(neg.sum() + mid / 2)
        for j in range(k):
            ax.barh(y, share[j], left=left, color=colours[j], edgecolor="white", height=0.7,
                    label=points[j] if y == ypos[0] else None)
            left += share[j]
        ax.text(left + 1.5, y, f"n = {n}", va="center", fontsize=9)
    ax.axvline(0, color="black", lw=0.8)
    ax.set_yticks(ypos)
    ax.set_yticklabels([textwrap.fill(labels.get(r, str(r)), 34) for r in rows])
    ax.set_xlim(-100, 115)
    ax.set_xticks([-100, -50, 0, 50, 100])
    ax.set_xticklabels(["100%", "50%", "0%", "50%", "100%"])
    ax.set_xlabel("Aandeel van de antwoorden (zonder 'weet niet / n.v.t.')")
    ax.grid(axis="y", visible=False)
    ncol = k if max(len(p) for p in points) < 24 else 2
    if title:
        ax.set_title(title)
    # the legend as the chart now places it (under the figure); this test compares the bars
    rp.legend_below(fig, *ax.get_legend_handles_labels(), ncol=ncol, fontsize=9)
    return fig


def _old_proportion_bars(res, *, label="variable", labels=None, threshold=5, xlabel="Aandeel", title=None):
    """One barh and one errorbar call per row (iterrows), as it was."""
    from evaluatie.publish.report import PALETTE, axis_format

    labels = dict(labels or {})
    fig, ax = plt.subplots(figsize=(8, 0.5 * len(res) + 1.4))
    y = np.arange(len(res))[::-1]
    for yi, (_, r) in zip(y, res.iterrows()):
        if r["n"] < threshold or bool(r.get("suppressed", False)):
            ax.text(0.01, yi, f"te weinig antwoorden (n < {threshold})", va="center", fontsize=9)
            continue
        ax.barh(yi, r["estimate"], color=PALETTE[0], height=0.6)
        ax.errorbar(r["estimate"], yi, xerr=[[r["estimate"] - r["ci_low"]], [r["ci_high"] - r["estimate"]]],
                    color="black", capsize=3, lw=1)
        ax.text(min(r["ci_high"] + 0.02, 1.02), yi, f"n = {int(r['n'])}", va="center", fontsize=9)
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


# --------------------------------------------------------------------------- charts: same pixels

def test_diverging_chart_same_pixels_per_section(example):
    design, p = example
    items, labels = p["items"], {k: v["label"] for k, v in p["items"].items()}
    dist = lk.distribution(design, list(items))
    for key, title in p["sections"].items():
        sub = dist[dist["variable"].isin([k for k in items if items[k]["section"] == key])]
        _same_png(_old_diverging_chart(sub, labels=labels, title=title), lk.diverging_chart(sub, labels=labels, title=title))


def test_diverging_chart_same_pixels_with_suppressed_rows(example):
    design, p = example
    items, labels = list(p["items"]), {k: v["label"] for k, v in p["items"].items()}
    dist = lk.distribution(design, items)
    for small in ([items[0], items[2]], [items[3]]):  # the top bar (no legend entries) / a middle bar
        old = dist.copy()  # the old chart read a small base and the flag
        old.loc[old["variable"].isin(small), "n"] = 3
        old.loc[old["variable"].isin(small), "suppressed"] = True
        new = old.copy()  # the new one reads the published table: withheld rows have no base, no shares
        new.loc[new["variable"].isin(small), ["n", "estimate"]] = np.nan
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # old and new alike: no labelled bar for the legend
            _same_png(_old_diverging_chart(old, labels=labels), lk.diverging_chart(new, labels=labels))


def test_proportion_bars_same_pixels(example):
    design, p = example
    res = pd.concat([design.proportion(v, "ja") for v in p["actions"]], ignore_index=True)
    kw = dict(label="variable", labels=p["actions"], xlabel="Aandeel")
    _same_png(_old_proportion_bars(res, **kw), lk.proportion_bars(res, **kw))
    small = res.copy()  # a withheld row as the published table has it: no base, no share
    small.loc[1, ["n", "estimate", "ci_low", "ci_high"]] = np.nan
    small["suppressed"] = small["n"].isna()
    old, new = _old_proportion_bars(small, **kw), lk.proportion_bars(small, **kw)
    for f in (old, new):  # as the report draws it: a reference line at 50%
        f.axes[0].axvline(0.5, color="grey", ls="--", lw=1)
    _same_png(old, new)


# --------------------------------------------------------------------------- estimates: identical

def test_domain_estimates_same_with_a_fresh_design(example):
    """A design that has already estimated for other domains (and for these) gives the same
    numbers as a design built afresh that estimates for these domains first."""
    design, p = example
    indicators = {v: (f"{v}_top2", "ja") for v in p["items"]}
    for by in (["region"], ["plan_type", "region"], *p["breakdowns"]):
        design.by(by).proportion(list(p["items"]))
    fresh = _design(p)
    for by in p["breakdowns"]:
        a = lk.breakdown(design, by, indicators)
        b = lk.breakdown(fresh, by, indicators)
        for x, y in zip(a, b):
            pd.testing.assert_frame_equal(x, y, check_exact=True)
    many = ["plan_type", "region"]
    pd.testing.assert_frame_equal(design.by(many).proportion(list(p["items"])),
                                  fresh.by(many).proportion(list(p["items"])), check_exact=True)


def test_one_frame_for_many_variables_equals_concat_of_single_variable_frames(example):
    """The estimators now build one frame from all variables' columns instead of a frame per
    variable and a concat (the old code): same values, same dtypes, also when the levels of
    the variables have different types (text and whole numbers: an object column)."""
    _, p = example
    items = list(p["items"])
    d = _design(p, lambda df: df.assign(code_level=np.where(df[items[0]].isna(), np.nan,
                                                            df[items[0]].cat.codes + 1).astype(float),
                                        score=df[items[0]].cat.codes.astype(float).where(df[items[0]].notna())))
    cases = [
        lambda e, v: e.proportion(v),
        lambda e, v: e.proportion(v, ci="beta"),
        lambda e, v: e.by("plan_type").proportion(v),
        lambda e, v: e.by(["sme", "region"]).proportion(v, ci="wilson"),
    ]
    for variables in (items, [items[0], "code_level", items[1]], [f"{v}_top2" for v in items]):
        for f in cases:
            many = f(d, variables)
            single = pd.concat([f(d, v) for v in variables], ignore_index=True)
            pd.testing.assert_frame_equal(many, single, check_exact=True)
    for f in (lambda e, v: e.mean(v), lambda e, v: e.total(v), lambda e, v: e.by("plan_type").mean(v)):
        many = f(d, ["score", "code_level"])
        single = pd.concat([f(d, v) for v in ["score", "code_level"]], ignore_index=True)
        pd.testing.assert_frame_equal(many, single, check_exact=True)
    assert d.proportion([items[0], "code_level"])["level"].dtype == object
    assert d.proportion(items)["level"].dtype == d.proportion(items[0])["level"].dtype


# --------------------------------------------------------------------------- batched estimator calls

def _old_suppress(res, threshold, cols=("estimate", "se", "ci_low", "ci_high")):
    small = res["n"] < threshold
    res = res.copy()
    res["suppressed"] = small
    for c in cols:
        if c in res.columns:
            res.loc[small, c] = np.nan
    return res


def _old_top2(design, items, *, by=None, ci="logit", conf=0.95, threshold=5):
    """Two estimator calls per item, as it was."""
    est = design.by(by) if by else design
    frames = []
    for item in items:
        cats = design.data[item].cat.categories
        res = est.proportion(item, list(cats[-2:]), ci=ci, conf=conf)
        res["level"] = "top2"
        dkcol = item + lk.DK_SUFFIX
        if dkcol in design.data.columns:
            dk = est.proportion(dkcol, True, ci=ci, conf=conf)
            keys = [by] if isinstance(by, str) else list(by) if by else []
            dk = dk[keys + ["estimate", "n", "n_level"]].rename(
                columns={"estimate": "dk_share", "n": "answered", "n_level": "dk_n"})
            dk["dk_share"] = dk["dk_n"] / dk["answered"]  # unweighted since issue 15 (a weighted share gave answers back)
            res = res.merge(dk, on=keys, how="left") if keys else res.assign(
                **{c: dk[c].iloc[0] for c in ("dk_share", "answered", "dk_n")})
        frames.append(res)
    out = pd.concat(frames, ignore_index=True)
    out = _old_suppress(out, threshold)
    if "dk_share" in out.columns:
        small = out["answered"] < threshold
        out.loc[small, "dk_share"] = np.nan
    return out


def _old_breakdown(design, by, indicators, *, ci="logit", conf=0.95, threshold=5):
    """One estimator call per indicator, as it was."""
    est, tests = [], []
    dd = design.by(by)
    for name, (var, level) in indicators.items():
        r = dd.proportion(var, level, ci=ci, conf=conf)
        r.insert(1, "indicator", name)
        est.append(r)
        t = design.chisq(by, var)
        t.insert(0, "indicator", name)
        tests.append(t)
    e = pd.concat(est, ignore_index=True)
    small = e["n"] < threshold
    e["suppressed"] = small
    e.loc[small, ["estimate", "se", "ci_low", "ci_high"]] = np.nan
    return e, pd.concat(tests, ignore_index=True)


def test_top2_batched_equals_per_item(example):
    design, p = example
    items = list(p["items"])
    # the example is weighted: what top2 publishes is the old result at the report's precision (the
    # interval around the rounded share), with exact variances and with the report's generalised one
    for variance in (lk.EXACT, lk.Variance(deff=0.8)):
        for kw in ({}, {"by": "plan_type"}, {"by": ["sme"], "ci": "beta", "threshold": 60}):
            published = lk.round_weighted(_old_top2(design, items, **kw), design, ci=kw.get("ci", "logit"),
                                          variance=variance)
            pd.testing.assert_frame_equal(lk.top2(design, items, **kw, variance=variance), published, check_exact=True,
                                          check_like=True)
        published = lk.round_weighted(_old_top2(design, items[::-1] + items[:1]), design, ci="logit", variance=variance)
        pd.testing.assert_frame_equal(lk.top2(design, items[::-1] + items[:1], variance=variance), published,
                                      check_exact=True, check_like=True)


def test_breakdown_batched_equals_per_indicator(example):
    design, p = example
    same = {v: (f"{v}_top2", "ja") for v in p["items"]}
    same.update({lab: (v, "ja") for v, lab in p["yes_no"].items()})
    mixed = {**same, "ontevreden": (list(p["items"])[0], ["ontevreden", "zeer ontevreden"])}
    for ind in (same, mixed):
        for by in p["breakdowns"]:
            old_est, old_tests = _old_breakdown(design, by, ind, ci="wilson")
            old = (lk.round_weighted(old_est, design, ci="wilson"), round_tests(old_tests, design))  # as published
            for a, b in zip(lk.breakdown(design, by, ind, ci="wilson", variance=lk.EXACT), old):
                pd.testing.assert_frame_equal(a, b, check_exact=True)


def _plain(df):
    """``df`` without its attrs (pandas' concat compares the disclosure masks they hold)."""
    df = df.copy()
    df.attrs = {}
    return df


def test_claims_batched_equal_claim_by_claim(example):
    design, p = example
    claims = p["claims"] + [
        {"id": "list", "variable": "q_recommend", "levels": ["ja"], "op": ">", "value": 0.5},
        {"id": "domain", "variable": "q_recommend", "levels": "ja", "op": ">", "value": 0.5,
         "domain": {"plan_type": "diversiteitsplan"}},
    ]
    new = lk.claims_check(design, claims, ci="beta")
    old = pd.concat([_plain(lk.claims_check(design, [c], ci="beta")) for c in claims], ignore_index=True)  # one at a time
    pd.testing.assert_frame_equal(new, old, check_exact=True)
    with pytest.raises(KeyError):  # an unknown variable: the claim-by-claim error
        lk.claims_check(design, claims + [{"id": "x", "variable": "nope", "levels": "ja", "op": ">", "value": 0}])


def test_diverging_chart_colours_equal_seaborn_palette():
    """The bars of a k-point scale have seaborn's ``color_palette("PuOr", k)`` reversed (as the
    chart drew them with seaborn), the middle point of an odd scale grey."""
    import seaborn as sns

    for k in range(2, 12):
        dist = pd.DataFrame({"variable": "q", "level": [f"punt {j}" for j in range(k)], "estimate": 1 / k, "n": 10})
        fig = lk.diverging_chart(dist)
        drawn = [tuple(patch.get_facecolor()[:3]) for patch in fig.axes[0].patches]
        plt.close(fig)
        expected = list(sns.color_palette("PuOr", k))[::-1]
        if k % 2:
            expected[k // 2] = (0.75, 0.75, 0.75)
        assert drawn == expected, k
