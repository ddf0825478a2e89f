"""Synthetic personnel snapshots of a Flemish-government-like workforce (SYNTHETIC — describes no
real person or entity).

:func:`simulate_personnel` generates yearly 31 December snapshots 2016-2023 of about 38,000-39,000
employees in 75 entities in 11 policy domains, in the standard schema of
:mod:`evaluatie.analyses.targets.personnel` (one row per employee per reference date), with turnover (retirement,
quits, hires), ageing, new disability registrations and rotation in management posts. Entity
names (``Entiteit 01``...) and policy domains (``Beleidsdomein 01``...) are synthetic.

Calibration (whole organisation, from ``data/raw/streefcijfers_vlaamse_overheid_2014_2023.csv``,
published figures, and Tabel 1 of the 2016-2020 plan): the generator does not draw these shares
at random but fixes, every year, the **number** of persons in the group to
``round(share × headcount)`` (sampling *which* persons with entity-specific weights), so the
aggregated microdata reproduce the targets up to that rounding, or — for management, where posts
are few and holders stay — as closely as rotation allows (see :data:`CALIBRATION`):

* ``foreign_origin`` (new 2016 definition): 8.9, 9.6, 10.2, 10.7, 11.5 (2016-2020), 13.9 (2023);
  2021 and 2022 linearly interpolated (12.3, 13.1).
* ``migration_background`` (old non-EU definition, computed with ``definitions="both"``): 5.4 in
  2016 (the published overlap year); afterwards foreign-origin hires are non-EU with the same
  ratio 5.4 / 8.9.
* ``disability_chronic_illness`` (new 2016): 1.3, 1.4, 1.8, 2.0, 2.3, 2.4, 2.5, 2.6; headcounts
  are set so the published numerators hold exactly: 678 (2018, headcount 37,667), 897 (2020,
  39,000), 930 (2021, 38,750), 973 (2022, 38,920).
* ``women_top``: 22.7, 23.4, (25.4), 27.3, 29.7, (28.7), (27.8), 26.8 on 77 top posts (the 2017
  published denominator); ``women_middle``: 34.9, 35.4, 37.7, 37.7, 39.4, (40.8), (42.1), 43.5 on
  260 middle posts in 2016-2017 and 228 from 2018 (published denominators); values in brackets
  interpolated.
* ``women_lower``: 47.7 in 2019 (published); 2016-2018 interpolated from 37.1 (2014, Tabel 1);
  47.7 held for 2020-2023 (assumption — no published value). About 4.5% of staff are lower
  management.
* ``women_total``: no published value after 2014 (49.6); assumed 49.6 + 0.1 per year after 2014.
* Age: the 2016 stock has the 2014 age distribution of the plan ("47,7% ouder dan 45, 19,7%
  ouder dan 55, 2,1% jonger dan 25"); later years follow from ageing, retirement (everyone
  at 65, 10% a year from 60) and hires, so ``experienced_55plus`` is *not* calibrated after 2016.
* Level D (``low_educated``, official practice): 18.4% in 2016 (Tabel 1, 2014); hires are level D
  at 13%, so the share slowly falls (assumption). Levels A/B/C: 35/22/24.6% in 2016
  (assumption). Education follows level (see :data:`EDUCATION_BY_LEVEL`).

Between-entity variation: lognormal entity sizes (30 to several thousand employees), and per
entity normal random effects on the logit scale for foreign origin (SD 0.7), women (0.5), level D
(1.0) and disability (0.5). Nothing here is an estimate of any real entity.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from evaluatie.analyses.targets.personnel import age_at
from evaluatie.core.paths import resolve

__all__ = ["simulate_personnel", "CALIBRATION", "HEADCOUNT", "write_example"]

YEARS = tuple(range(2016, 2024))

#: Published (or, in brackets in the module docstring, interpolated/assumed) shares in %, per year.
CALIBRATION: dict[str, dict[int, float]] = {
    "foreign_origin": dict(zip(YEARS, [8.9, 9.6, 10.2, 10.7, 11.5, 12.3, 13.1, 13.9])),
    "migration_background_2016": {2016: 5.4},
    "disability_chronic_illness": dict(zip(YEARS, [1.3, 1.4, 1.8, 2.0, 2.3, 2.4, 2.5, 2.6])),
    "women_top": dict(zip(YEARS, [22.7, 23.4, 25.35, 27.3, 29.7, 28.73, 27.77, 26.8])),
    "women_middle": dict(zip(YEARS, [34.9, 35.4, 37.7, 37.7, 39.4, 40.77, 42.13, 43.5])),
    "women_lower": dict(zip(YEARS, [41.34, 43.46, 45.58, 47.7, 47.7, 47.7, 47.7, 47.7])),
    "women_total": {y: 49.6 + 0.1 * (y - 2014) for y in YEARS},
    "experienced_45plus_2016": {2016: 47.7},
    "experienced_55plus_2016": {2016: 19.7},
    "under_25_2016": {2016: 2.1},
    "level_d_2016": {2016: 18.4},
}
#: Which CALIBRATION values are published (True) rather than interpolated or assumed (False).
PUBLISHED = {
    "foreign_origin": {2016, 2017, 2018, 2019, 2020, 2023},
    "migration_background_2016": {2016},
    "disability_chronic_illness": set(YEARS),
    "women_top": {2016, 2017, 2019, 2020, 2023},
    "women_middle": {2016, 2017, 2018, 2019, 2020, 2023},
    "women_lower": {2019},
    "women_total": set(),
}
#: Headcount per 31 December (2018, 2020-2022 = published disability numerator / share).
HEADCOUNT = dict(zip(YEARS, [38_200, 37_900, 37_667, 38_300, 39_000, 38_750, 38_920, 39_200]))
#: Published disability numerators, reproduced exactly.
DISABILITY_COUNT = {2018: 678, 2020: 897, 2021: 930, 2022: 973}
TOP_POSTS = dict.fromkeys(YEARS, 77)
MIDDLE_POSTS = {**dict.fromkeys(YEARS, 228), 2016: 260, 2017: 260}
LOWER_SHARE = 0.045

EDUCATION_BY_LEVEL = {  # P(education | level), assumption
    "A": {"higher": 0.95, "secondary": 0.05},
    "B": {"higher": 0.40, "secondary": 0.60},
    "C": {"higher": 0.10, "secondary": 0.75, "lower_secondary": 0.15},
    "D": {"secondary": 0.30, "lower_secondary": 0.50, "primary": 0.20},
}
LEVEL_2016 = {"A": 0.35, "B": 0.22, "C": 0.246, "D": 0.184}
LEVEL_HIRES = {"A": 0.40, "B": 0.22, "C": 0.25, "D": 0.13}
DISABILITY_CATEGORY_P = np.array([0.22, 0.05, 0.25, 0.10, 0.12, 0.10, 0.10, 0.06])  # cats 1..8
EU_COUNTRIES = (["NL", "FR", "IT", "ES", "PL", "RO", "DE", "PT", "BG", "GR"],
                [0.30, 0.15, 0.14, 0.08, 0.10, 0.08, 0.05, 0.04, 0.03, 0.03])
NON_EU_COUNTRIES = (["MA", "TR", "CD", "DZ", "RU", "SY", "AF", "CN", "IN", "BR", "US", "RW", "CM", "IR", "AL", "XK"],
                    [0.30, 0.18, 0.09, 0.05, 0.04, 0.04, 0.03, 0.03, 0.03, 0.03, 0.03, 0.03, 0.03, 0.03, 0.03, 0.03])

N_ENTITIES = 75
N_DOMAINS = 11


def _expit(x):
    return 1.0 / (1.0 + np.exp(-x))


def _pick(rng, k: int, weights: np.ndarray) -> np.ndarray:
    """Exactly ``k`` distinct indices, chosen with probability increasing in ``weights``
    (Efraimidis & Spirakis 2006, weighted random sampling without replacement: the ``k`` largest
    keys ``log(u) / w``, ``u`` uniform).

    The indices come in decreasing order of key, ties in increasing index (a stable sort), so the
    result, and whatever is assigned along it, is the same on every numpy: ``np.argpartition``
    leaves the order within the selection to the implementation."""
    n = weights.size
    k = int(max(0, min(k, n)))
    if k == 0:
        return np.array([], dtype=np.int64)
    keys = np.log(rng.random(n)) / np.maximum(weights, 1e-12)
    return np.argsort(-keys, kind="stable")[:k]


class _Workforce:
    """Persons ever employed (static attributes) and their current state (internal)."""

    def __init__(self, rng, ent):
        self.rng = rng
        self.ent = ent  # entity table
        self.cols = {k: [] for k in ("employee_id", "entity", "sex", "birth_date", "level", "education_level",
                                     "foreign", "non_eu", "nationality", "first_nationality",
                                     "father_first_nationality", "mother_first_nationality")}
        self.data: dict[str, np.ndarray] = {}
        self.next_id = 100_001

    def add(self, entity, birth, level, female, ref_date):
        n = entity.size
        rng = self.rng
        edu = np.empty(n, dtype=object)
        for lev, dist in EDUCATION_BY_LEVEL.items():
            m = level == lev
            edu[m] = rng.choice(list(dist), size=int(m.sum()), p=list(dist.values()))
        new = {
            "employee_id": np.arange(self.next_id, self.next_id + n, dtype=np.int64),
            "entity": entity.astype(np.int64),
            "sex": np.where(female, "F", "M").astype(object),
            "birth_date": birth,
            "level": level.astype(object),
            "education_level": edu,
            "foreign": np.zeros(n, dtype=bool),
            "non_eu": np.zeros(n, dtype=bool),
            "nationality": np.full(n, "BE", dtype=object),
            "first_nationality": np.full(n, "BE", dtype=object),
            "father_first_nationality": np.full(n, "BE", dtype=object),
            "mother_first_nationality": np.full(n, "BE", dtype=object),
            "employed": np.ones(n, dtype=bool),
            "management": np.full(n, "none", dtype=object),
            "disability_category": np.zeros(n, dtype=np.int8),
        }
        # unknown parents' nationality for a few persons of Belgian origin (no effect on groups)
        for c in ("father_first_nationality", "mother_first_nationality"):
            new[c][rng.random(n) < 0.02] = ""
        self.next_id += n
        start = len(self.data.get("employee_id", []))
        if not self.data:
            self.data = new
        else:
            self.data = {k: np.concatenate([self.data[k], v]) for k, v in new.items()}
        return np.arange(start, start + n)

    def make_foreign(self, idx, non_eu):
        rng = self.rng
        d = self.data
        n = idx.size
        d["foreign"][idx] = True
        d["non_eu"][idx] = non_eu
        eu_c = rng.choice(EU_COUNTRIES[0], size=n, p=EU_COUNTRIES[1])
        ne_c = rng.choice(NON_EU_COUNTRIES[0], size=n, p=NON_EU_COUNTRIES[1])
        country = np.where(non_eu, ne_c, eu_c).astype(object)
        profile = rng.choice(3, size=n, p=[0.45, 0.30, 0.25])  # 2nd generation / naturalised / national
        nat = np.where(profile == 2, country, "BE").astype(object)
        first = np.where(profile >= 1, country, "BE").astype(object)
        father = country.copy()
        mother = country.copy()
        # second generation: one Belgian parent in 40% of cases; naturalised: Belgian mother in 10%
        one_be = (profile == 0) & (rng.random(n) < 0.4)
        which = rng.random(n) < 0.5
        father[one_be & which] = "BE"
        mother[one_be & ~which] = "BE"
        mother[(profile == 1) & (rng.random(n) < 0.1)] = "BE"
        d["nationality"][idx] = nat
        d["first_nationality"][idx] = first
        d["father_first_nationality"][idx] = father
        d["mother_first_nationality"][idx] = mother


def _entities(rng, headcount: int) -> pd.DataFrame:
    domain = np.concatenate([np.repeat(np.arange(N_DOMAINS), 3),
                             rng.integers(0, N_DOMAINS, N_ENTITIES - 3 * N_DOMAINS)])
    rng.shuffle(domain)
    size = np.exp(rng.normal(0.0, 1.1, N_ENTITIES))
    size = np.maximum(30, np.round(size / size.sum() * headcount)).astype(int)
    return pd.DataFrame({
        "entity": [f"Entiteit {i + 1:02d}" for i in range(N_ENTITIES)],
        "policy_domain": [f"Beleidsdomein {d + 1:02d}" for d in domain],
        "size": size,
        "re_foreign": rng.normal(0, 0.7, N_ENTITIES),
        "re_women": rng.normal(0, 0.5, N_ENTITIES),
        "re_level_d": rng.normal(0, 1.0, N_ENTITIES),
        "re_disability": rng.normal(0, 0.5, N_ENTITIES),
    })


def _allocate(total: int, weights: np.ndarray, minimum: int = 0) -> np.ndarray:
    """Integer allocation of ``total`` proportional to ``weights`` (largest remainder, Hamilton's
    method), at least ``minimum`` each while the total allows. Equal remainders go to the lower
    index (a stable sort), whatever the numpy version."""
    base = np.full(weights.size, minimum if total >= minimum * weights.size else 0)
    rest = total - base.sum()
    share = weights / weights.sum() * rest
    alloc = np.floor(share).astype(int)
    left = rest - alloc.sum()
    alloc[np.argsort(-(share - alloc), kind="stable")[:left]] += 1
    return base + alloc


def _birth_dates(rng, ref: pd.Timestamp, ages: np.ndarray) -> np.ndarray:
    """Birth dates giving completed age ``ages`` on ``ref`` (uniform within the year of age)."""
    days = np.floor((ages + rng.random(ages.size)) * 365.25).astype("timedelta64[D]")
    b = ref.to_datetime64().astype("datetime64[D]") - days
    return b


def simulate_personnel(seed: int = 20240101, scale: float = 1.0) -> pd.DataFrame:
    """Yearly 31 December snapshots 2016-2023 (one row per employee per date), SYNTHETIC.

    ``scale`` multiplies all headcounts and management posts (e.g. ``0.1`` for fast tests; the
    calibration then holds up to rounding of smaller counts). Same ``seed`` and ``scale``, same
    data. Returns the standard columns of :mod:`evaluatie.analyses.targets.personnel` (with ``management`` given,
    ``disability_category`` 0 = none) sorted by date and employee_id; ``df.attrs["synthetic"]``
    is True.
    """
    rng = np.random.default_rng(seed)
    head = {y: int(round(v * scale)) for y, v in HEADCOUNT.items()}
    ent = _entities(rng, head[2016])
    wf = _Workforce(rng, ent)
    ne = N_ENTITIES
    cal = CALIBRATION
    frames = []
    top_alloc = mid_alloc = None

    for year in YEARS:
        ref = pd.Timestamp(year=year, month=12, day=31)
        n_target = head[year]
        if year == 2016:
            # ---- initial stock
            sizes = _allocate(n_target, ent["size"].to_numpy(float))
            entity = np.repeat(np.arange(ne), sizes)
            n = entity.size
            shares = [cal["under_25_2016"][2016], 50.2, 28.0, cal["experienced_55plus_2016"][2016]]
            bands = [(20, 25), (25, 45), (45, 55), (55, 65)]
            counts = _allocate(n, np.array(shares))
            ages = np.concatenate([rng.integers(lo, hi, c) for (lo, hi), c in zip(bands, counts)])
            rng.shuffle(ages)
            level = np.empty(n, dtype=object)
            d_idx = _pick(rng, round(LEVEL_2016["D"] * n), _expit(-1.5 + ent["re_level_d"].to_numpy()[entity]))
            level[d_idx] = "D"
            rest = np.flatnonzero(level == None)  # noqa: E711 - object array
            p_abc = np.array([LEVEL_2016[k] for k in "ABC"])
            level[rest] = rng.choice(list("ABC"), size=rest.size, p=p_abc / p_abc.sum())
            w_f = _expit(ent["re_women"].to_numpy()[entity])
            female = np.zeros(n, dtype=bool)
            female[_pick(rng, round(cal["women_total"][year] / 100 * n), w_f)] = True
            idx = wf.add(entity, _birth_dates(rng, ref, ages), level, female, ref)
            w_for = _expit(ent["re_foreign"].to_numpy()[entity]) * np.where(np.isin(level, ["C", "D"]), 1.6, 1.0)
            w_for *= np.where(ages < 45, 1.4, 1.0)
            f_idx = idx[_pick(rng, round(cal["foreign_origin"][year] / 100 * n), w_for)]
            n_non_eu = round(cal["migration_background_2016"][2016] / 100 * n)
            non_eu = np.zeros(f_idx.size, dtype=bool)
            non_eu[rng.permutation(f_idx.size)[:n_non_eu]] = True
            wf.make_foreign(f_idx, non_eu)
        else:
            # ---- exits between 31/12/(year-1) and 31/12/year
            d = wf.data
            emp = np.flatnonzero(d["employed"])
            age_next = age_at(d["birth_date"][emp], ref)
            # age on the new reference date: 65 or older -> retired during the year; 60-64: 10%
            # leave (early retirement); under 35: 5% quit; others 3%
            p_exit = np.where(age_next >= 65, 1.0,
                              np.where(age_next >= 60, 0.10, np.where(age_next < 35, 0.05, 0.03)))
            leave = emp[rng.random(emp.size) < p_exit]
            d["employed"][leave] = False
            d["management"][leave] = "none"
            # ---- hires to reach the headcount; entities grow back towards their target size
            cur = np.bincount(d["entity"][d["employed"]], minlength=ne)
            target_sizes = _allocate(n_target, ent["size"].to_numpy(float))
            n_hire = max(0, n_target - int(cur.sum()))
            deficit = np.maximum(target_sizes - cur, 0) + 0.5
            entity = rng.choice(ne, size=n_hire, p=deficit / deficit.sum())
            ages = np.clip(21 + rng.gamma(2.0, 5.0, n_hire), 21, 60).astype(int)
            p_lev = _expit(-1.9 + ent["re_level_d"].to_numpy()[entity])
            p_lev = p_lev / p_lev.mean() * LEVEL_HIRES["D"]
            is_d = rng.random(n_hire) < np.clip(p_lev, 0, 0.9)
            p_abc = np.array([LEVEL_HIRES[k] for k in "ABC"])
            level = np.where(is_d, "D", rng.choice(list("ABC"), size=n_hire, p=p_abc / p_abc.sum())).astype(object)
            retained_w = int((d["employed"] & (d["sex"] == "F")).sum())
            need_w = round(cal["women_total"][year] / 100 * n_target) - retained_w
            female = np.zeros(n_hire, dtype=bool)
            female[_pick(rng, need_w, _expit(ent["re_women"].to_numpy()[entity]))] = True
            idx = wf.add(entity, _birth_dates(rng, ref, ages), level, female, ref)
            d = wf.data
            retained_f = int((d["employed"] & d["foreign"]).sum()) - int(d["foreign"][idx].sum())
            need_f = round(cal["foreign_origin"][year] / 100 * n_target) - retained_f
            w_for = _expit(ent["re_foreign"].to_numpy()[entity]) * np.where(np.isin(level, ["C", "D"]), 1.6, 1.0)
            f_idx = idx[_pick(rng, need_f, w_for)]
            ratio = cal["migration_background_2016"][2016] / cal["foreign_origin"][2016]
            wf.make_foreign(f_idx, rng.random(f_idx.size) < ratio)

        d = wf.data
        emp = np.flatnonzero(d["employed"])
        # ---- disability registrations (kept once registered; new ones among staff and hires)
        n_dis = DISABILITY_COUNT.get(year, round(cal["disability_chronic_illness"][year] / 100 * n_target))
        n_dis = int(round(n_dis * scale)) if year in DISABILITY_COUNT else n_dis
        reg = emp[d["disability_category"][emp] > 0]
        need = n_dis - reg.size
        if need < 0:
            d["disability_category"][reg[_pick(rng, -need, np.ones(reg.size))]] = 0
        elif need > 0:
            cand = emp[d["disability_category"][emp] == 0]
            age_c = age_at(d["birth_date"][cand], ref)
            w = _expit(ent["re_disability"].to_numpy()[d["entity"][cand]]) * (1 + age_c / 40)
            chosen = cand[_pick(rng, need, w)]
            d["disability_category"][chosen] = rng.choice(np.arange(1, 9), size=chosen.size, p=DISABILITY_CATEGORY_P)

        # ---- management posts
        sizes_now = np.bincount(d["entity"][emp], minlength=ne).astype(float)
        top_alloc = _allocate(max(1, round(TOP_POSTS[year] * scale)), sizes_now, minimum=1)
        mid_alloc = _allocate(max(1, round(MIDDLE_POSTS[year] * scale)), sizes_now, minimum=1)
        low_alloc = _allocate(max(1, round(LOWER_SHARE * emp.size)), sizes_now)
        for lev, alloc, eligible in (("top", top_alloc, ("A",)), ("middle", mid_alloc, ("A",)),
                                     ("lower", low_alloc, ("A", "B", "C"))):
            _fill_posts(rng, wf, lev, alloc, eligible, cal[f"women_{lev}"][year], ent)

        d = wf.data
        emp = np.flatnonzero(d["employed"])
        snap = pd.DataFrame({
            "employee_id": d["employee_id"][emp],
            "date": np.full(emp.size, ref.to_datetime64().astype("datetime64[ms]")),
            "entity": ent["entity"].to_numpy()[d["entity"][emp]],
            "policy_domain": ent["policy_domain"].to_numpy()[d["entity"][emp]],
            "sex": d["sex"][emp],
            "birth_date": d["birth_date"][emp].astype("datetime64[ms]"),
            "nationality": d["nationality"][emp],
            "first_nationality": d["first_nationality"][emp],
            "father_first_nationality": d["father_first_nationality"][emp],
            "mother_first_nationality": d["mother_first_nationality"][emp],
            "disability_category": d["disability_category"][emp],
            "level": d["level"][emp],
            "education_level": d["education_level"][emp],
            "management": d["management"][emp],
        })
        frames.append(snap)

    out = pd.concat(frames, ignore_index=True)
    out = out.sort_values(["date", "employee_id"], kind="stable").reset_index(drop=True)
    for c in ("entity", "policy_domain", "sex", "nationality", "first_nationality", "father_first_nationality",
              "mother_first_nationality", "level", "education_level", "management"):
        out[c] = out[c].replace("", None).astype("category")
    out["disability_category"] = out["disability_category"].astype(np.int8)
    out.attrs["synthetic"] = True
    return out


def _fill_posts(rng, wf: _Workforce, lev: str, alloc: np.ndarray, eligible, women_pct: float, ent) -> None:
    """Keep holders (8% rotate out), demote where an entity has too many posts, then fill
    vacancies so that the number of women equals round(women_pct% × posts) where candidates allow."""
    d = wf.data
    emp_mask = d["employed"]
    holders = np.flatnonzero(emp_mask & (d["management"] == lev))
    rot = holders[rng.random(holders.size) < 0.08]
    d["management"][rot] = "none"
    holders = np.flatnonzero(emp_mask & (d["management"] == lev))
    # too many holders in an entity (posts cut): demote random extras
    for e in np.flatnonzero(np.bincount(d["entity"][holders], minlength=alloc.size) > alloc):
        h = holders[d["entity"][holders] == e]
        d["management"][rng.permutation(h)[: h.size - alloc[e]]] = "none"
    holders = np.flatnonzero(emp_mask & (d["management"] == lev))
    total = int(alloc.sum())
    w_target = round(women_pct / 100 * total)
    female_h = holders[d["sex"][holders] == "F"]
    male_h = holders[d["sex"][holders] == "M"]
    vac = alloc - np.bincount(d["entity"][holders], minlength=alloc.size)
    n_vac = int(vac.sum())
    need = w_target - female_h.size
    if need < 0:  # too many women stay: some rotate out (replaced by men)
        out = rng.permutation(female_h)[: -need]
        d["management"][out] = "none"
        np.add.at(vac, d["entity"][out], 1)
        n_vac += out.size
        need = 0
    elif need > n_vac:  # too few vacancies for the women needed: some men rotate out
        out = rng.permutation(male_h)[: need - n_vac]
        d["management"][out] = "none"
        np.add.at(vac, d["entity"][out], 1)
        n_vac += out.size
    slots = np.repeat(np.arange(alloc.size), vac)
    w_ent = _expit(ent["re_women"].to_numpy()[slots])
    female_slot = np.zeros(slots.size, dtype=bool)
    female_slot[_pick(rng, min(need, slots.size), w_ent)] = True
    cand = emp_mask & (d["management"] == "none") & np.isin(d["level"], eligible)
    pool: dict[tuple[int, bool], list] = {}
    cidx = np.flatnonzero(cand)
    order = rng.permutation(cidx.size)
    for i in cidx[order]:
        pool.setdefault((int(d["entity"][i]), d["sex"][i] == "F"), []).append(i)
    for e, fem in zip(slots, female_slot):
        lst = pool.get((int(e), bool(fem))) or pool.get((int(e), not bool(fem)))
        if not lst:
            continue  # no eligible candidate in this entity: the post stays vacant
        d["management"][lst.pop()] = lev


def write_example(path: str | Path = "data/example/personnel.parquet", seed: int = 20240101) -> Path:
    """Write the committed example file (``data/example/personnel.parquet``; relative paths are
    relative to the project root) and return its path. Regenerate with
    ``python -m evaluatie.simulate.personnel``."""
    df = simulate_personnel(seed=seed)
    p = resolve(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    df.to_parquet(p, index=False, compression="zstd")
    return p


if __name__ == "__main__":  # pragma: no cover
    print(write_example())
