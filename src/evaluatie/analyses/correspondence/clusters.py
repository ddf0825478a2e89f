"""Per-vacancy sums: the sufficient statistics every paired estimate is computed from.

A vacancy (within a wave) is a cluster. :func:`_tables` passes over the rows once and counts, per
ground × group and cluster, the applications and positive reactions; :func:`_pairs_t` takes from
those counts the vacancies where both sides of one comparison were sent (:class:`_Pairs`).
:func:`_level_pairs` does the same per level of a subgroup variable. Package-internal: the public
statistics in :mod:`~evaluatie.analyses.correspondence.statistics` and
:mod:`~evaluatie.analyses.correspondence.models` are built on these.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from evaluatie.analyses.correspondence.applications import Study


@dataclass
class _Pairs:
    """Vacancy-level sums for one comparison: only vacancies with both sides."""

    n_r: np.ndarray
    y_r: np.ndarray
    n_k: np.ndarray
    y_k: np.ndarray


@dataclass
class _Tables:
    """Cluster-level sufficient statistics of a study: per slot (ground × group) and cluster
    (wave × vacancy) the number of applications ``N`` and of positive reactions ``Y`` (arrays of
    shape slots × clusters). Every paired statistic and the fixed-effects LPM without covariates
    are functions of these tables, so the row-level data are passed over only twice."""

    N: np.ndarray  # (S, G)
    Y: np.ndarray  # (S, G)
    wave_of: np.ndarray | None  # (G,) wave code per cluster (None with one wave)
    slot: dict  # (ground, group) -> row of N and Y
    waves: list
    grounds: list
    groups: list
    rates_n: np.ndarray  # (waves, grounds, groups) applications
    rates_y: np.ndarray  # (waves, grounds, groups) positive reactions
    memo: dict = field(default_factory=dict, repr=False)


def _tables(study: Study, outcome: str = "outcome") -> _Tables:
    d = study.data
    cl = d["cluster"].to_numpy()
    gc = d["ground"].cat.codes.to_numpy().astype(np.int64)
    kc = d["group"].cat.codes.to_numpy()
    y = d[outcome].to_numpy()
    grounds = list(d["ground"].cat.categories)
    groups = list(d["group"].cat.categories)
    waves = list(d["wave"].cat.categories)
    ng, nk, nw = len(grounds), len(groups), len(waves)
    combo = gc * nk + kc
    present = np.bincount(combo, minlength=ng * nk) > 0
    G = int(cl.max()) + 1 if len(cl) else 0
    if (present.reshape(ng, nk).sum(0) <= 1).all():
        # every group label belongs to one ground (the usual case): the group code is the slot
        S = nk
        slot = {(grounds[c // nk], groups[c % nk]): int(c % nk) for c in np.flatnonzero(present)}
        key = kc.astype(np.int64) * G + cl
    else:
        slotmap = np.cumsum(present) - 1
        S = int(present.sum())
        slot = {(grounds[c // nk], groups[c % nk]): int(slotmap[c]) for c in np.flatnonzero(present)}
        key = slotmap[combo] * G + cl
    N = np.bincount(key, minlength=G * S).reshape(S, G)
    # outcomes are 0/1 (prepare() guarantees it): count the positive rows only
    Y = np.bincount(key[y != 0], minlength=G * S).reshape(S, G)
    if nw == 1:
        wave_of = None
        per_slot_n, per_slot_y = N.sum(1)[None, :], Y.sum(1)[None, :]
    else:
        wave_of = np.zeros(G, dtype=np.int64)
        wave_of[cl] = d["wave"].cat.codes.to_numpy()
        per_slot_n = np.stack([N[:, wave_of == w].sum(1) for w in range(nw)])
        per_slot_y = np.stack([Y[:, wave_of == w].sum(1) for w in range(nw)])
    rn = np.zeros((nw, ng * nk), dtype=np.int64)
    ry = np.zeros((nw, ng * nk))
    for (g, k), j in slot.items():
        c = grounds.index(g) * nk + groups.index(k)
        rn[:, c] = per_slot_n[:, j]
        ry[:, c] = per_slot_y[:, j]
    return _Tables(N, Y, wave_of, slot, waves, grounds, groups, rn.reshape(nw, ng, nk), ry.reshape(nw, ng, nk))


def _wave_cols(T: _Tables, wave: str) -> np.ndarray | slice:
    if T.wave_of is None:
        return slice(None)
    return T.wave_of == T.waves.index(wave)


def _pairs_t(T: _Tables, wave: str, ground: str, group: str, ref: str) -> _Pairs:
    key = (wave, ground, group, ref)
    if key not in T.memo:
        T.memo[key] = _pairs_t_compute(T, wave, ground, group, ref)
    return T.memo[key]


def _pairs_t_compute(T: _Tables, wave: str, ground: str, group: str, ref: str) -> _Pairs:
    cols = _wave_cols(T, wave)
    jr, jk = T.slot.get((ground, ref)), T.slot.get((ground, group))
    if jr is None or jk is None:
        e = np.zeros(0)
        return _Pairs(e, e, e, e)
    n_r, n_k = T.N[jr, cols], T.N[jk, cols]
    keep = np.flatnonzero((n_r > 0) & (n_k > 0))
    return _Pairs(n_r[keep].astype(float), T.Y[jr, cols][keep].astype(float), n_k[keep].astype(float),
                  T.Y[jk, cols][keep].astype(float))


def _level_pairs(d: pd.DataFrame, lcode: np.ndarray, n_levels: int, comparisons, outcome: str = "outcome"):
    """For each comparison a function level -> :class:`_Pairs` of that level's rows (the level's
    vacancies with both sides, as :func:`_pairs_t` gives them for a whole wave), from one bincount
    over level × vacancy."""
    cl = d["cluster"].to_numpy().astype(np.int64)
    gc = d["ground"].cat.codes.to_numpy()
    kc = d["group"].cat.codes.to_numpy()
    y = d[outcome].to_numpy()
    G = int(cl.max()) + 1 if len(cl) else 0
    key = lcode * G + cl
    size = n_levels * G
    gcat, kcat = d["ground"].cat.categories, d["group"].cat.categories
    out = []
    for g, k, ref in comparisons:
        in_g = gc == gcat.get_loc(g)
        mr = in_g & (kc == kcat.get_loc(ref))
        mk = in_g & (kc == kcat.get_loc(k))
        n_r = np.bincount(key[mr], minlength=size).reshape(n_levels, G)
        n_k = np.bincount(key[mk], minlength=size).reshape(n_levels, G)
        y_r = np.bincount(key[mr], weights=y[mr], minlength=size).reshape(n_levels, G)
        y_k = np.bincount(key[mk], weights=y[mk], minlength=size).reshape(n_levels, G)

        def per_level(li, n_r=n_r, n_k=n_k, y_r=y_r, y_k=y_k):
            keep = (n_r[li] > 0) & (n_k[li] > 0)
            return _Pairs(n_r[li][keep].astype(float), y_r[li][keep], n_k[li][keep].astype(float), y_k[li][keep])

        out.append(per_level)
    return out
