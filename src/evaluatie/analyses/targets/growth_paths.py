"""Entity growth paths (business-plan interim targets): the template's wording as rules, and the
check of each entity's yearly shares against them: the template's own example, the default rule
(at least last year's level) and the count of entities per result."""

from __future__ import annotations

import math
import re
from typing import Any, Iterable, Sequence

import pandas as pd

from evaluatie.core.numbers import parse_number

__all__ = ["parse_interim_target", "check_growth_path", "template_example", "default_rules", "growth_path_summary", "growth_path_view"]


def parse_interim_target(text: Any) -> tuple[str, float | None]:
    """The interim-target wording of the entity template as a rule:

    - "Hoger of gelijk aan niveau jx-1" (at least last year's level) → ``("at_least_previous", None)``
    - "Minstens 33%" → ``("minimum", 33.0)``
    - "2,30%" or a number → ``("explicit", 2.3)`` (reach at least this share)
    """
    if text is None or (isinstance(text, float) and math.isnan(text)):
        raise ValueError("empty interim target")
    if isinstance(text, (int, float)):
        return "explicit", float(text)
    t = str(text).strip().lower()
    if re.search(r"(hoger|groter)\s+(dan\s+)?of\s+gelijk|niveau\s+jx\s*-\s*1|vorig\s+jaar", t):
        return "at_least_previous", None
    m = re.search(r"\d[\d.,]*", t)
    value = parse_number(m.group(0).rstrip(".,")) if m else math.nan
    if not math.isnan(value) and re.search(r"minst|minimum|min\.", t):
        return "minimum", value
    if not math.isnan(value):
        return "explicit", value
    raise ValueError(f"interim target not understood: {text!r}")


def check_growth_path(shares: pd.DataFrame, rules: pd.DataFrame) -> pd.DataFrame:
    """Growth-path check per entity, group and year.

    ``shares``: ``entity, group, year, share_pct``. ``rules``: ``entity, group, year, rule``
    where ``rule`` is the template wording (see :func:`parse_interim_target`); ``year`` is the
    business-plan year jx. A rule "at least last year's level" compares the share of jx with
    that of jx-1 (unknown → ``met`` is missing). Returns the rules with ``rule_type``,
    ``threshold_pct``, ``share_pct`` and ``met`` (True/False/NA).
    """
    s = shares.set_index(["entity", "group", "year"])["share_pct"]
    if s.index.is_unique and not all(pd.api.types.is_numeric_dtype(t) for t in rules.dtypes):
        # fast path, same values: a dict instead of MultiIndex look-ups, records instead of
        # iterrows (identical rows when a column is text, so iterrows does not upcast)
        look = dict(zip(s.index, s.to_numpy()))
        records = rules.to_dict("records")
    else:
        look, records = s, [r.to_dict() for _, r in rules.iterrows()]
    parsed: dict[Any, tuple[str, float | None]] = {}
    out = []
    for r in records:
        rule = r["rule"]
        try:
            kind, val = parsed[rule]
        except KeyError:
            kind, val = parsed[rule] = parse_interim_target(rule)
        except TypeError:  # unhashable
            kind, val = parse_interim_target(rule)
        key = (r["entity"], r["group"], int(r["year"]))
        share = look.get(key)
        thr = val
        if kind == "at_least_previous":
            thr = look.get((r["entity"], r["group"], int(r["year"]) - 1))
        met = pd.NA if share is None or thr is None or pd.isna(share) or pd.isna(thr) else bool(
            round(float(share), 9) >= round(float(thr), 9))
        out.append({**r, "rule_type": kind, "threshold_pct": thr, "share_pct": share, "met": met})
    return pd.DataFrame(out)


def template_example(tpl: pd.DataFrame) -> pd.DataFrame:
    """The example table of the business-plan template (``group, share_jx_minus_2_pct,
    share_jx_minus_1_pct, interim_target_jx``) checked as a growth path: the rule of year jx is
    applied to the step from jx-2 to jx-1 (entity ``voorbeeld``, years 1 and 2). Rows of
    :func:`check_growth_path` plus ``share_jx_minus_2_pct``."""
    demo_shares = pd.concat([
        pd.DataFrame({"entity": "voorbeeld", "group": tpl["group"], "year": 1, "share_pct": tpl["share_jx_minus_2_pct"]}),
        pd.DataFrame({"entity": "voorbeeld", "group": tpl["group"], "year": 2, "share_pct": tpl["share_jx_minus_1_pct"]}),
    ])
    demo = check_growth_path(demo_shares, pd.DataFrame({"entity": "voorbeeld", "group": tpl["group"], "year": 2,
                                                        "rule": tpl["interim_target_jx"]}))
    return demo.merge(tpl[["group", "share_jx_minus_2_pct"]], on="group")


def default_rules(entities: Iterable[str], groups: Sequence[str], years: Sequence[int]) -> pd.DataFrame:
    """Growth-path rules when an entity gave none: *Hoger of gelijk aan niveau jx-1* for every
    entity (sorted), group and year after the first."""
    return pd.DataFrame([{"entity": e, "group": g, "year": y, "rule": "Hoger of gelijk aan niveau jx-1"}
                         for e in sorted(set(entities)) for g in groups for y in years[1:]])


def growth_path_summary(gp: pd.DataFrame) -> pd.DataFrame:
    """Count of entities per ``group, year, rule_type`` whose rule was ``met``, ``not_met`` or
    ``unknown`` (a small cell), from the rows of :func:`check_growth_path` with ``result``
    (:func:`narrative.growth_result_nl`)."""
    gp_sum = (gp.pivot_table(index=["group", "year", "rule_type"], columns="result", values="entity", aggfunc="count",
                             fill_value=0)
              .reset_index())
    gp_sum.columns.name = None
    for c in ["gehaald", "niet gehaald", "onbekend"]:
        if c not in gp_sum:
            gp_sum[c] = 0
    return gp_sum.rename(columns={"gehaald": "met", "niet gehaald": "not_met", "onbekend": "unknown"})


def growth_path_view(gp: pd.DataFrame) -> pd.DataFrame:
    """The columns of :func:`check_growth_path` (with its Dutch ``result``) that the one-entity report
    shows, as a copy without the frame's ``attrs``."""
    view = gp[["group", "year", "rule", "threshold_pct", "share_pct", "result"]].copy()
    view.attrs = {}
    return view
