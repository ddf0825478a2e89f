"""What a correspondence test publishes about each ground: the small-cell decision for grounds.

The protected party is the employer (one vacancy, one employer); the fictitious candidates are not
persons. A ground with fewer than ``threshold`` vacancies in a wave is *withheld* in that wave: none
of its outcomes is published — positive reactions, rates, pair counts, differences, relative
callback, p-values, intervals, regression terms, invitations, the comparison with another wave, the
planning of the next wave, its benchmark row — and in the design and rates tables its vacancies and
applications are withheld too. Its rows keep their labels with every number blank, which the report
shows as "x" (niet getoond).

:func:`protect` takes that decision once per study. Every statistic is then computed on
:attr:`Protection.study`, the applications of the reported grounds only, so nothing of a withheld
ground can reach a table, a figure, an alt text or a sentence, and no sum over grounds (the design
sentence's totals) includes one. :meth:`Protection.table` adds the withheld rows to a table computed
that way and marks them (:func:`evaluatie.publish.disclosure.mark`). The ledger still accounts for
every row read, those of a withheld ground under one line that says why they were left out: the size
of a tested ground is the study's design, not an outcome.

A compared *group* within a reported ground is decided the same way: a group tested in fewer than
``threshold`` vacancies of a wave (a third profile sent to a handful of vacancies) is withheld in
every table, and its applications are left out of :attr:`Protection.study`, together with the
reference's applications in the vacancies that then have no compared group left. Withholding the
group's rows alone would not do: the reference group's rate pools all the ground's vacancies, and the
other groups' pair counts give the reference's reactions in theirs, so the difference is the
reference's reactions in the small group's vacancies. The ground is then decided on the vacancies
that remain. :attr:`Protection.study` carries its own copy of the ledgers with one line for the rows
left out this way (grounds and groups together, per file), so the ledger's 'analysed' rows are the
rows every statistic is computed on.

Subgroups within a reported ground (:func:`~evaluatie.analyses.correspondence.statistics.heterogeneity`)
are decided by :func:`withheld_subgroups`, every subgroup variable of a (wave, ground) together: per
variable :func:`withheld_levels` (the small levels, the smallest shown level with them
(:func:`evaluatie.publish.disclosure.protect_groups`), and more while the differencing attack
(:class:`evaluatie.publish.audit.Attack`) can still narrow a withheld level down), then for every two
variables the attack on their crossing (:func:`evaluatie.publish.audit.crossing`: a shown level of
one minus shown levels of the other), withholding one more level while it narrows a withheld level or
a small crossing cell down.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Mapping, Sequence

import numpy as np
import pandas as pd

from evaluatie.analyses.correspondence.applications import Study
from evaluatie.core.errors import DataError, Problem
from evaluatie.publish.audit import Attack, crossing_pinned
from evaluatie.publish.disclosure import mark, protect_groups

__all__ = ["Protection", "protect", "ROW_KINDS", "withheld_levels", "withheld_subgroups", "LEVEL_COUNTS",
           "LEFT_OUT", "POOLED", "CovariateTerms", "covariate_terms"]

#: What one row of a table is about, for :meth:`Protection.table`: a wave and ground (``ground``),
#: a group within it (``group``, with ``is_reference``), a comparison of a group with its reference
#: (``comparison``), a group's regression term (``term``), or a comparison between the first wave
#: and a later one (``waves``: withheld when the ground is withheld in either).
ROW_KINDS = ("ground", "group", "comparison", "term", "waves")


#: The ledger's line for the rows of withheld grounds and groups (:func:`protect`).
LEFT_OUT = "te weinig vacatures om resultaten te tonen (bescherming van de werkgevers)"


@dataclass(frozen=True)
class Protection:
    """The decision of :func:`protect`: ``study`` holds the applications of the reported grounds and
    groups (with ledgers that say what was left out), ``withheld`` the (wave, ground) pairs withheld,
    ``withheld_groups`` the (wave, ground, group) comparisons withheld within a reported ground,
    ``full`` the study as read."""

    full: Study
    study: Study
    withheld: tuple[tuple[str, str], ...]
    threshold: int
    withheld_groups: tuple[tuple[str, str, str], ...] = ()

    def _placeholders(self, kind: str) -> list[dict]:
        d = self.full.data
        groups = list(d["group"].cat.categories)
        out: list[dict] = []
        if kind == "waves":
            base = self.full.waves[0]
            for w in self.full.waves[1:]:
                for g, k, ref in self.full.comparisons:
                    if not (self._hidden(base, g, k) or self._hidden(w, g, k)):
                        continue
                    both = all(((d["wave"] == x) & (d["ground"] == g) & (d["group"] == k)).any() for x in (base, w))
                    if both:
                        out.append({"ground": g, "group": k, "reference": ref, "base": base, "wave": w})
            return out
        for w, g, k in self.withheld_groups:
            ref = self.full.reference_groups[g]
            if kind == "group":
                out.append({"wave": w, "ground": g, "group": k, "is_reference": False})
            elif kind == "comparison":
                out.append({"wave": w, "ground": g, "group": k, "reference": ref})
            elif kind == "term":
                out.append({"wave": w, "ground": g, "term": k, "kind": "group"})
        for w, g in self.withheld:
            ref = self.full.reference_groups[g]
            present = set(d.loc[((d["wave"] == w) & (d["ground"] == g)).to_numpy(), "group"].astype(str))
            ks = [k for k in groups if k in present]
            if kind == "ground":
                out.append({"wave": w, "ground": g})
            elif kind == "group":
                out += [{"wave": w, "ground": g, "group": k, "is_reference": k == ref} for k in ks]
            elif kind == "comparison":
                out += [{"wave": w, "ground": g, "group": k, "reference": ref} for k in ks if k != ref]
            else:
                out += [{"wave": w, "ground": g, "term": k, "kind": "group"} for k in ks if k != ref]
        return out

    def _hidden(self, wave: str, ground: str, group: str | None = None) -> bool:
        """Whether the (wave, ground) is withheld, or the group's comparison within it."""
        return (wave, ground) in set(self.withheld) or (group is not None and
                                                        (wave, ground, group) in set(self.withheld_groups))

    def _is_withheld(self, df: pd.DataFrame, kind: str) -> np.ndarray:
        key = {"group": "group", "comparison": "group", "waves": "group", "term": "term"}.get(kind)
        groups = df[key].astype(str) if key in df.columns else pd.Series([None] * len(df), index=df.index)
        if key == "term" and "kind" in df.columns:  # a covariate's term is no group's, whatever its name
            groups = groups.where((df["kind"] == "group").to_numpy(), None)
        hide = np.array([self._hidden(w, g, k) for w, g, k in
                         zip(df["wave"].astype(str), df["ground"].astype(str), groups)], dtype=bool)
        if kind == "waves":
            hide |= np.array([self._hidden(b, g, k) for b, g, k in
                              zip(df["base"].astype(str), df["ground"].astype(str), groups)], dtype=bool)
        return hide

    def table(self, df: pd.DataFrame, kind: str, columns: Sequence[str] | None = None) -> pd.DataFrame:
        """``df`` as published: computed on :attr:`study` (or, for the design table, on the full
        study), with a row for every withheld (wave, ground) and withheld group it lacks — labels
        only, in the study's order of waves, grounds and groups — and the numbers of every withheld
        row marked as withheld (``columns``: only those columns; default every numeric column).
        ``kind`` is one of :data:`ROW_KINDS`. Without withheld grounds or groups ``df`` comes back
        unchanged, marked as decided."""
        if kind not in ROW_KINDS:
            raise ValueError(f"kind must be one of {ROW_KINDS}, not {kind!r}")
        if not self.withheld and not self.withheld_groups:
            return mark(df, np.zeros(len(df), dtype=bool), self.threshold)
        keys = [c for c in ("wave", "ground", "group", "term") if c in df.columns]
        have = set(map(tuple, df[keys].astype(str).to_numpy().tolist()))
        extra = pd.DataFrame([p for p in self._placeholders(kind)
                              if tuple(str(p[k]) for k in keys) not in have])
        if len(extra):
            df = df.copy()
            for c in df.columns:
                if pd.api.types.is_integer_dtype(df[c].dtype) and not pd.api.types.is_bool_dtype(df[c].dtype):
                    df[c] = df[c].astype("Int64")
            extra = extra[[c for c in extra.columns if c in df.columns]]
            df = pd.concat([df, extra], ignore_index=True)
            data = self.full.data
            order = [df["wave"].astype(str).map({w: i for i, w in enumerate(self.full.waves)}).to_numpy(),
                     df["ground"].astype(str).map({g: i for i, g in enumerate(data["ground"].cat.categories)})
                     .to_numpy()]
            groups = {k: i for i, k in enumerate(data["group"].cat.categories)}
            if "group" in df.columns:
                order.append(df["group"].astype(str).map(groups).to_numpy())
            elif "term" in df.columns:  # a group's term in the order of the groups, covariates after them
                term = df["term"].astype(str).map(groups).fillna(len(groups))
                if "kind" in df.columns:
                    term = term.where((df["kind"] == "group").to_numpy(), len(groups))
                order.append(term.to_numpy())
            df = df.iloc[np.lexsort(order[::-1])].reset_index(drop=True)
        hide = self._is_withheld(df, kind)
        if columns is None:
            return mark(df, hide, self.threshold)
        cells = pd.DataFrame(False, index=df.index, columns=df.columns)
        cells.loc[hide, list(columns)] = True
        return mark(df, cells, self.threshold)

    def reported(self, df: pd.DataFrame) -> pd.DataFrame:
        """``df`` as published when it is computed from reported rows only and has no row per
        withheld ground (the planning of the next wave): decided, with nothing withheld."""
        return mark(df, np.zeros(len(df), dtype=bool), self.threshold)


def _left_out_ledgers(study: Study, out: np.ndarray) -> list:
    """Copies of the study's ledgers with one line (:data:`LEFT_OUT`) for the rows ``out``: per file
    when each wave has its own file (the ledgers follow the waves), else in the one ledger."""
    ledgers = [dataclasses.replace(led, exclusions=dict(led.exclusions)) for led in study.ledgers]
    if not out.any() or not ledgers:
        return ledgers
    if len(ledgers) == 1:
        ledgers[0].exclude(LEFT_OUT, int(out.sum()))
    elif len(ledgers) == len(study.waves):
        wave = study.data["wave"].cat.codes.to_numpy()
        cats = list(map(str, study.data["wave"].cat.categories))
        for led, w in zip(ledgers, study.waves):
            led.exclude(LEFT_OUT, int((out & (wave == cats.index(w))).sum()))
    else:  # pragma: no cover - load() gives one file, or one file per wave
        raise ValueError("cannot tell which file the rows left out come from")
    return ledgers


def protect(study: Study, threshold: int) -> Protection:
    """Withhold every group tested in fewer than ``threshold`` vacancies of a wave, then every ground
    with fewer than ``threshold`` vacancies left in a wave (see the module notes). A
    :class:`DataError` when a wave has no ground left to report: such a report would show nothing."""
    d = study.data
    waves, grounds, groups = (list(map(str, d[c].cat.categories)) for c in ("wave", "ground", "group"))
    wc, gc, kc = (d[c].cat.codes.to_numpy().astype(np.int64) for c in ("wave", "ground", "group"))
    refs = np.array([groups.index(study.reference_groups[g]) for g in grounds], dtype=np.int64)
    is_ref = kc == refs[gc]
    per_group = d[~is_ref].groupby(["wave", "ground", "group"], observed=True)["cluster"].nunique()
    small = {(str(w), str(g), str(k)) for (w, g, k), n in per_group.items() if n < threshold}
    code = (wc * len(grounds) + gc) * len(groups) + kc
    drop = np.isin(code, [(waves.index(w) * len(grounds) + grounds.index(g)) * len(groups) + groups.index(k)
                          for w, g, k in small])
    # the reference's applications in vacancies where no compared group is left
    key = d["cluster"].to_numpy().astype(np.int64) * len(grounds) + gc
    drop |= ~np.isin(key, key[~is_ref & ~drop])
    left = d[~drop].groupby(["wave", "ground"], observed=True)["cluster"].nunique()
    tested = d.groupby(["wave", "ground"], observed=True).size().index
    vac = {(str(w), str(g)): int(left.get((w, g), 0)) for w, g in tested}  # in the study's order
    withheld = tuple(p for p, n in vac.items() if n < threshold)
    empty = [w for w in study.waves if not any(x == w and n >= threshold for (x, _), n in vac.items())]
    if empty:
        raise DataError([Problem(study.files, None, None, None,
                                 f"minstens {threshold} vacatures voor minstens één grond{study.in_wave(w)}; kleinere "
                                 "gronden worden niet gerapporteerd (bescherming van de werkgevers)")
                         for w in empty])
    withheld_groups = tuple(sorted(((w, g, k) for w, g, k in small if (w, g) not in set(withheld)),
                                   key=lambda t: (waves.index(t[0]), grounds.index(t[1]), groups.index(t[2]))))
    if not withheld and not withheld_groups:
        return Protection(study, study, (), int(threshold))
    drop |= np.isin(wc * len(grounds) + gc, [waves.index(w) * len(grounds) + grounds.index(g) for w, g in withheld])
    reported = Study(d[~drop], study.reference_groups, _left_out_ledgers(study, drop), study.waves)
    return Protection(study, reported, withheld, int(threshold), withheld_groups)


#: The counts of one subgroup and comparison that :func:`withheld_levels` protects: positive
#: reactions per side and the four pair counts (vacancies where only the reference, only the group,
#: both or neither reacted).
LEVEL_COUNTS = ("callbacks_reference", "callbacks", "only_reference", "only_group", "both", "neither")


def _level_attack(cells: pd.DataFrame, hidden: set) -> Attack:
    """The differencing attack on one breakdown with the levels ``hidden`` withheld. The attacker
    knows every level's vacancies and applications (the design) and, for each comparison, the
    ground's totals (published in the report's other tables) and every shown level's counts (its
    pair counts follow from the published difference and interval). Unknowns: the
    :data:`LEVEL_COUNTS` of every withheld level and comparison; relations: the totals minus the
    shown levels, the pair counts adding up to the vacancies, and a side's positive reactions
    between the vacancies where it reacted and that number times its most applications per vacancy."""
    a = Attack()
    for j, part in cells.groupby("comparison", sort=False):
        gone = part[part["level"].isin(hidden)]
        for _, r in gone.iterrows():
            key = (r["level"], j)
            for c, top in zip(LEVEL_COUNTS, ("applications_reference", "applications", "vacancies", "vacancies",
                                             "vacancies", "vacancies")):
                a.unknown((*key, c), 0, float(r[top]))
            a.equal({(*key, c): 1 for c in LEVEL_COUNTS[2:]}, float(r["vacancies"]))
            for c, only, most in (("callbacks_reference", "only_reference", "most_reference"),
                                  ("callbacks", "only_group", "most")):
                a.between({(*key, c): 1, (*key, only): -1, (*key, "both"): -1}, 0, np.inf)
                a.between({(*key, c): 1, (*key, only): -float(r[most]), (*key, "both"): -float(r[most])},
                          -np.inf, 0)
        if len(gone):
            shown = part[~part["level"].isin(hidden)]
            for c in LEVEL_COUNTS:
                a.equal({(lv, j, c): 1 for lv in gone["level"]}, float(part[c].sum() - shown[c].sum()))
    return a


def withheld_levels(cells: pd.DataFrame, threshold: int, force: Sequence = ()) -> frozenset:
    """Which levels of one breakdown (one wave, ground and subgroup variable) to withhold, every
    comparison of the ground together (``force``: levels withheld for another reason, as the small
    ones, but held to the rule for other withheld levels; :func:`withheld_subgroups` passes the
    levels the crossing with another variable needs).

    ``cells`` has one row per level and comparison: ``level``, ``comparison``, ``vacancies``,
    ``applications_reference``, ``applications``, ``most_reference``/``most`` (most applications of a
    side in one vacancy), the :data:`LEVEL_COUNTS` and ``small`` (the primary rule: fewer than
    ``threshold`` vacancies, or 1 to ``threshold`` − 1 positive reactions on a side).
    :func:`evaluatie.publish.disclosure.protect_groups` takes the decision (the small levels, and the
    smallest shown level with them, since the ground's totals are published). The decision is then
    checked with the differencing attack (:func:`_level_attack`, :class:`evaluatie.publish.audit.Attack`):
    while the positive reactions of a small level are pinned to fewer than ``threshold`` values (or,
    in a level of fewer vacancies, to fewer than all of them; never more than the ground's own total
    allows), or any other count of a withheld level is pinned exactly (unless the ground's total is
    0), the smallest shown level is withheld as well. (The pair counts of a subgroup are published
    nowhere, so for them only an exact recovery counts: holding them to the positive reactions' rule
    would withhold nearly every breakdown of three levels.)
    Two withheld levels usually suffice; a shown level that is nearly all positive reactions next to
    the small one does not (its sum with the small level's would bound the small one)."""
    sizes = cells.groupby("level", sort=False)["vacancies"].min()
    small = set(cells.loc[cells["small"], "level"])
    hidden = set(protect_groups(sizes.to_dict(), threshold, hidden=small | set(force)))
    totals = cells.groupby("comparison", sort=False)[list(LEVEL_COUNTS)].sum()
    rows = cells.set_index(["level", "comparison"])
    while hidden and len(hidden) < len(sizes):
        bounds = _level_attack(cells, hidden).bounds()
        leak = False
        for (lv, j, c), iv in bounds.items():
            top = {"callbacks": "applications", "callbacks_reference": "applications_reference"}.get(c, "vacancies")
            base = min(float(rows.loc[(lv, j), top]), float(totals.loc[j, c]))
            strict = lv in small and c in ("callbacks_reference", "callbacks")
            leak = iv.width + 1e-9 < (min(threshold - 1, base) if strict else min(1, base))
            if leak:
                break
        if not leak:
            break
        shown = sorted((v, str(g), g) for g, v in sizes.items() if g not in hidden)
        hidden.add(shown[0][2])
    return frozenset(hidden)


#: The sides of a comparison whose positive reactions the crossing of two variables can narrow down.
SIDES = (("callbacks_reference", "applications_reference"), ("callbacks", "applications"))


def _crossing_leak(cells: pd.DataFrame, cross: pd.DataFrame, hidden: Mapping[str, frozenset],
                   threshold: int) -> list:
    """The first crossing of two variables that narrows a small crossing cell or a withheld level down
    (see :func:`withheld_subgroups`), as the shown levels that could close it: a list of (size,
    variable, level), empty when nothing leaks (or nothing more can be withheld)."""
    small_levels = {(v, lv) for v, lv in cells.loc[cells["small"], ["variable", "level"]].itertuples(index=False)}
    sizes = cells.groupby(["variable", "level"], sort=False)["vacancies"].min().to_dict()
    levels: dict = {}  # (variable, comparison) -> {level: row}
    for r in cells.to_dict("records"):
        levels.setdefault((r["variable"], r["comparison"]), {})[r["level"]] = r
    for (u, v, j), part in cross.groupby(["variable_a", "variable_b", "comparison"], sort=False):
        part = part.to_dict("records")
        rows_u, rows_v = levels[(u, j)], levels[(v, j)]
        for count, apps in SIDES:
            total = float(sum(r[count] for r in rows_u.values()))
            shown_u = {lv: float(r[count]) for lv, r in rows_u.items() if lv not in hidden[u]}
            shown_v = {lv: float(r[count]) for lv, r in rows_v.items() if lv not in hidden[v]}
            cap = {(r["level_a"], r["level_b"]): float(r[apps]) for r in part}
            truth = {(r["level_a"], r["level_b"]): float(r[count]) for r in part}
            need, holders = {}, {}
            for r in part:
                if r["small"]:
                    cell = (r["level_a"], r["level_b"])
                    need[cell] = threshold - 1
                    holders[cell] = [(var, lv) for var, lv, shown in ((u, cell[0], shown_u), (v, cell[1], shown_v))
                                     if lv in shown]
            for kind, var, rows, other, pos in (("row", u, rows_u, v, 0), ("column", v, rows_v, u, 1)):
                shown_other = shown_v if pos == 0 else shown_u
                for lv in rows:
                    if lv in hidden[var] and any(c[pos] == lv for c in cap):
                        need[(kind, lv)] = threshold - 1 if (var, lv) in small_levels else 1
                        holders[(kind, lv)] = [(other, c[1 - pos]) for c in cap
                                               if c[pos] == lv and c[1 - pos] in shown_other]
            for name in crossing_pinned(cap, shown_u, shown_v, total, need, alone="sums", truth=truth):
                fix = holders[name] or [(var, lv) for var, rows in ((u, rows_u), (v, rows_v))
                                        for lv in rows if lv not in hidden[var]]
                if fix:
                    return sorted({(float(sizes[(var, lv)]), str(var), str(lv), var, lv) for var, lv in fix})
    return []


def withheld_subgroups(cells: pd.DataFrame, crossings: pd.DataFrame, threshold: int) -> dict:
    """Which levels of every subgroup variable of one wave and ground to withhold, the variables
    together: per variable :func:`withheld_levels`, then the crossing of every two variables checked
    with :func:`evaluatie.publish.audit.crossing_pinned` (the attack of
    :func:`evaluatie.publish.audit.crossing`), per comparison and side.

    ``cells``: as :func:`withheld_levels` takes it, with a column ``variable``. ``crossings``: one row
    per two variables (``variable_a`` before ``variable_b``), crossing cell (``level_a``,
    ``level_b``: the vacancies in both levels) and comparison, with ``vacancies``, the applications
    and positive reactions per side (``applications_reference``, ``applications``,
    ``callbacks_reference``, ``callbacks``) and ``small`` (the primary rule, as for a level). Two
    variables that nest (a province in a region) are a crossing too: each level of the finer one lies
    in one cell, and the cells' relations are the nesting lines (a region minus its shown provinces).

    The attacker knows each cell's vacancies and applications (the design) and sees, per comparison
    and side, the ground's positive reactions and those of every shown level of the two variables.
    The rule: the positive reactions of a small crossing cell, or of a small withheld level, keep at
    least min(``threshold`` − 1, base) values; those of any other withheld level are not pinned to one
    value (base: the values the published sums holding it leave by themselves, together —
    ``alone="sums"`` of :func:`~evaluatie.publish.audit.crossing_pinned` — so that a ground or level
    with no, or only, positive reactions withholds nothing more). A cell that is
    not small may be narrowed down: it could have been published. While the rule is broken, one more
    shown level is withheld: the smaller of the two that hold the cell (for a withheld level, the
    smallest shown level of the other variable that crosses it; when none holds it, the smallest shown
    level of the two variables), and the per-variable decision is taken again with it. Returns
    variable -> the levels withheld."""
    variables = list(dict.fromkeys(cells["variable"]))
    force: dict = {v: set() for v in variables}
    while True:
        hidden = {v: withheld_levels(cells[cells["variable"] == v].drop(columns="variable"), threshold, force[v])
                  for v in variables}
        if len(variables) < 2 or not len(crossings):
            return hidden
        leak = _crossing_leak(cells, crossings, hidden, threshold)
        if not leak:
            return hidden
        *_, var, lv = leak[0]
        force[var].add(lv)


# =========================================================================== covariates of a model

#: The term of a covariate's levels that are too small for a term of their own, taken together.
POOLED = "overige"


@dataclass(frozen=True)
class CovariateTerms:
    """The covariates of one regression model as :func:`covariate_terms` decided them: ``data`` the
    model's rows with every categorical covariate's small levels replaced (by :data:`POOLED`, or by
    its reference level), ``covariates`` those the model keeps, ``levels`` per categorical covariate
    kept its levels with the reference first, and ``changed`` per covariate what was done:
    ``"pooled"`` (small levels under :data:`POOLED`, a term of its own), ``"reference"`` (small levels
    counted with the reference level: no term) or ``"dropped"`` (no term the rule allows: left out of
    the model)."""

    data: pd.DataFrame
    covariates: tuple[str, ...]
    levels: dict
    changed: dict


def _sides_small(x: np.ndarray, y: np.ndarray, cluster: np.ndarray, threshold: int) -> bool:
    """The module's primary rule for one regressor ``x`` of a fixed-effects model, applied to what
    identifies its term: the vacancies where ``x`` differs between applications. Small when those are
    fewer than ``threshold``, or when the applications there with ``x`` ≠ 0 or with ``x`` = 0 (for a
    level: the level's applications and the others, the two sides of a subgroup's comparison) have 1
    to ``threshold`` − 1 positive reactions. A numeric covariate (other values than 0 and 1) has no
    sides: then the positive reactions in those vacancies together."""
    codes = pd.factorize(cluster)[0]
    lo = np.full(codes.max() + 1, np.inf)
    hi = np.full(codes.max() + 1, -np.inf)
    np.minimum.at(lo, codes, x)
    np.maximum.at(hi, codes, x)
    varies = hi > lo
    if varies.sum() < threshold:
        return True
    rows = varies[codes]
    binary = np.isin(x, (0.0, 1.0)).all()
    sides = ([rows & (x != 0), rows & (x == 0)] if binary else [rows])
    return any(0 < int(y[side].sum()) < threshold for side in sides)


def covariate_terms(d: pd.DataFrame, covariates: Sequence[str], threshold: int,
                    outcome: str = "outcome") -> CovariateTerms:
    """Which terms the covariates of one regression model (one wave and ground: its rows ``d``, with
    ``cluster`` = vacancy and ``outcome``) may have. A covariate's term is estimated from the vacancies
    where it differs between the applications (the vacancy's fixed effect absorbs the rest), so a term
    identified by a few vacancies says how those employers reacted — and a level's name comes from a
    cell of the file. The module's primary rule for a subgroup decides (:func:`_sides_small`: fewer
    than ``threshold`` such vacancies, or 1 to ``threshold`` − 1 positive reactions on a side):

    * a categorical covariate's small levels are taken together as :data:`POOLED`; when that is still
      small (or only one level is small), they are counted with the reference level instead, so no
      term and no name of theirs is published. The reference is the first level that is not small (in
      sorted order, as the model numbers the levels), never a small one: every term compares with it.
      A covariate left with one level has no term (``"dropped"``);
    * a numeric covariate whose term is small is left out of the model (``"dropped"``).

    Levels are read as text (``str``), as the model reads them. A covariate that does not vary
    within any vacancy is left as it is: the model drops it anyway (absorbed by the fixed effects)."""
    d = d.copy()
    cluster = d["cluster"].to_numpy()
    y = d[outcome].to_numpy(dtype=float)
    keep, levels, changed = [], {}, {}
    for c in covariates:
        if c not in d.columns:
            continue
        s = d[c]
        numeric = pd.api.types.is_numeric_dtype(s) and not pd.api.types.is_bool_dtype(s)
        if pd.Series(s.to_numpy()).groupby(cluster).nunique(dropna=False).max() <= 1:
            keep.append(c)  # constant within every vacancy: the model drops it itself
            continue
        if numeric:
            if _sides_small(s.to_numpy(dtype=float), y, cluster, threshold):
                changed[c] = "dropped"
            else:
                keep.append(c)
            continue
        text = s.astype(str).to_numpy()
        lv = sorted(pd.unique(text))
        small = {l for l in lv if _sides_small((text == l).astype(float), y, cluster, threshold)}
        big = [l for l in lv if l not in small]
        if not small:
            keep.append(c)
            levels[c] = lv
            continue
        if not big:
            changed[c] = "dropped"
            continue
        ref = big[0]
        pooled = np.isin(text, list(small))
        into = POOLED
        if POOLED in lv or len(small) < 2 or _sides_small(pooled.astype(float), y, cluster, threshold):
            into = ref  # (a level of the data named like the pooled term keeps its own meaning)
        text = np.where(pooled, into, text)
        d[c] = text
        order = [ref, *big[1:]] + ([POOLED] if into == POOLED else [])
        if len(order) < 2:
            changed[c] = "dropped"
            continue
        keep.append(c)
        levels[c] = order
        changed[c] = "pooled" if into == POOLED else "reference"
    return CovariateTerms(d, tuple(keep), levels, changed)

