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
every row read: the size of a tested ground is the study's design, not an outcome.

Subgroups within a reported ground (:func:`~evaluatie.analyses.correspondence.statistics.heterogeneity`)
are decided by :func:`withheld_levels`: the small levels, the smallest shown level with them
(:func:`evaluatie.publish.disclosure.protect_groups`), and more while the differencing attack
(:class:`evaluatie.publish.audit.Attack`) can still narrow a withheld level down.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np
import pandas as pd

from evaluatie.analyses.correspondence.applications import Study
from evaluatie.core.errors import DataError, Problem
from evaluatie.publish.audit import Attack
from evaluatie.publish.disclosure import mark, protect_groups

__all__ = ["Protection", "protect", "ROW_KINDS", "withheld_levels", "LEVEL_COUNTS"]

#: What one row of a table is about, for :meth:`Protection.table`: a wave and ground (``ground``),
#: a group within it (``group``, with ``is_reference``), a comparison of a group with its reference
#: (``comparison``), a group's regression term (``term``), or a comparison between the first wave
#: and a later one (``waves``: withheld when the ground is withheld in either).
ROW_KINDS = ("ground", "group", "comparison", "term", "waves")


@dataclass(frozen=True)
class Protection:
    """The decision of :func:`protect`: ``study`` holds the applications of the reported grounds,
    ``withheld`` the (wave, ground) pairs withheld, ``full`` the study as read."""

    full: Study
    study: Study
    withheld: tuple[tuple[str, str], ...]
    threshold: int

    def _placeholders(self, kind: str) -> list[dict]:
        d = self.full.data
        groups = list(d["group"].cat.categories)
        out: list[dict] = []
        if kind == "waves":
            base = self.full.waves[0]
            withheld = set(self.withheld)
            for w in self.full.waves[1:]:
                for g, k, ref in self.full.comparisons:
                    if (base, g) not in withheld and (w, g) not in withheld:
                        continue
                    both = all(((d["wave"] == x) & (d["ground"] == g) & (d["group"] == k)).any() for x in (base, w))
                    if both:
                        out.append({"ground": g, "group": k, "reference": ref, "base": base, "wave": w})
            return out
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
                out += [{"wave": w, "ground": g, "term": k} for k in ks if k != ref]
        return out

    def _is_withheld(self, df: pd.DataFrame, kind: str) -> np.ndarray:
        withheld = set(self.withheld)
        rows = zip(df["wave"].astype(str), df["ground"].astype(str))
        hide = np.array([(w, g) in withheld for w, g in rows], dtype=bool)
        if kind == "waves":
            hide |= np.array([(b, g) in withheld for b, g in zip(df["base"].astype(str), df["ground"].astype(str))],
                             dtype=bool)
        return hide

    def table(self, df: pd.DataFrame, kind: str, columns: Sequence[str] | None = None) -> pd.DataFrame:
        """``df`` as published: computed on :attr:`study` (or, for the design table, on the full
        study), with a row for every withheld (wave, ground) it lacks — labels only, in the study's
        order of waves, grounds and groups — and the numbers of every withheld row marked as
        withheld (``columns``: only those columns; default every numeric column). ``kind`` is one of
        :data:`ROW_KINDS`. Without withheld grounds ``df`` comes back unchanged, marked as decided."""
        if kind not in ROW_KINDS:
            raise ValueError(f"kind must be one of {ROW_KINDS}, not {kind!r}")
        if not self.withheld:
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
            if "group" in df.columns:
                order.append(df["group"].astype(str).map({k: i for i, k in enumerate(data["group"].cat.categories)})
                             .to_numpy())
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


def protect(study: Study, threshold: int) -> Protection:
    """Withhold every ground with fewer than ``threshold`` vacancies in a wave (see the module notes).
    A :class:`DataError` when a wave has no ground left to report: such a report would show nothing."""
    vac = study.vacancies_per_ground()
    withheld = tuple((str(w), str(g)) for (w, g), n in vac.items() if n < threshold)
    empty = [w for w in study.waves if not any(str(x) == w and n >= threshold for (x, _), n in vac.items())]
    if empty:
        raise DataError([Problem(study.files, None, None, None,
                                 f"minstens {threshold} vacatures voor minstens één grond{study.in_wave(w)}; kleinere "
                                 "gronden worden niet gerapporteerd (bescherming van de werkgevers)")
                         for w in empty])
    if not withheld:
        return Protection(study, study, (), int(threshold))
    d = study.data
    keep = ~pd.Series(list(zip(d["wave"].astype(str), d["ground"].astype(str))), index=d.index).isin(withheld)
    reported = Study(d[keep.to_numpy()], study.reference_groups, study.ledgers, study.waves)
    return Protection(study, reported, withheld, int(threshold))


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


def withheld_levels(cells: pd.DataFrame, threshold: int) -> frozenset:
    """Which levels of one breakdown (one wave, ground and subgroup variable) to withhold, every
    comparison of the ground together.

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
    hidden = set(protect_groups(sizes.to_dict(), threshold, hidden=small))
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
