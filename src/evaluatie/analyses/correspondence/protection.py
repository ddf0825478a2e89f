"""What a correspondence test publishes about each ground: the small-cell decision for grounds.

The protected party is the employer (one vacancy, one employer); the fictitious candidates are not
persons. A ground with fewer than ``threshold`` vacancies in a wave is *withheld* in that wave: none
of its outcomes is published — positive reactions, rates, pair counts, differences, relative
callback, p-values, intervals, regression terms, invitations, the comparison with another wave, the
planning of the next wave, its benchmark row — and in the design and rates tables its vacancies and
applications are withheld too. Its rows keep their labels with every number blank, which the report
shows as "< threshold".

:func:`protect` takes that decision once per study. Every statistic is then computed on
:attr:`Protection.study`, the applications of the reported grounds only, so nothing of a withheld
ground can reach a table, a figure, an alt text or a sentence, and no sum over grounds (the design
sentence's totals) includes one. :meth:`Protection.table` adds the withheld rows to a table computed
that way and marks them (:func:`evaluatie.publish.disclosure.mark`). The ledger still accounts for
every row read: the size of a tested ground is the study's design, not an outcome. Subgroups within
a reported ground are decided by :func:`~evaluatie.analyses.correspondence.statistics.heterogeneity`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np
import pandas as pd

from evaluatie.analyses.correspondence.applications import Study
from evaluatie.core.errors import DataError, Problem
from evaluatie.publish.disclosure import mark

__all__ = ["Protection", "protect", "ROW_KINDS"]

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
    d = study.data
    vac = d.groupby(["wave", "ground"], observed=True)["cluster"].nunique()
    withheld = tuple((str(w), str(g)) for (w, g), n in vac.items() if n < threshold)
    empty = [w for w in study.waves if not any(str(x) == w and n >= threshold for (x, _), n in vac.items())]
    if empty:
        files = ", ".join(dict.fromkeys(str(led.source) for led in study.ledgers))
        raise DataError([Problem(files, None, None, None,
                                 f"minstens {threshold} vacatures voor minstens één grond"
                                 + (f" in meting '{w}'" if len(study.waves) > 1 else "")
                                 + "; kleinere gronden worden niet gerapporteerd (bescherming van de werkgevers)")
                         for w in empty])
    if not withheld:
        return Protection(study, study, (), int(threshold))
    keep = ~pd.Series(list(zip(d["wave"].astype(str), d["ground"].astype(str))), index=d.index).isin(withheld)
    reported = Study(d[keep.to_numpy()], study.reference_groups, study.ledgers, study.waves)
    return Protection(study, reported, withheld, int(threshold))
