"""Synthetic correspondence test: a nulmeting and a vervolgmeting (SYNTHETIC — no real employer).

Design as the closest published Flemish correspondence test: two applications per vacancy that
differ in one ground only (ethnicity, age or gender), about 1,440 vacancies per wave split evenly
over the three grounds, outcome "positive reaction" (invitation or request for information) and a
second outcome "invitation to an interview". Positive-reaction rates are set near the published
Antwerp nulmeting: 33% for Flemish-sounding names vs 27,5% for others; older candidates about 11%
fewer positive reactions than younger ones; no gender gap. The vervolgmeting has a smaller ethnic
gap (32% vs 29,5%).

Within a vacancy the two reactions are correlated as in real tests: a vacancy is "open" (the
employer reacts to suitable candidates at all) with probability ``q``; only then does each
application get a positive reaction, with probability rate/q. The file uses Dutch column names and
ja/nee outcomes, so the params' column mapping is exercised.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from evaluatie.core.paths import resolve

__all__ = ["DESIGN", "FOLLOWUP", "SEEDS", "simulate_wave", "write_example"]

# ground -> (reference label, rate), (group label, rate); q = share of "open" vacancies
DESIGN = {
    "etniciteit": (("Vlaams klinkende naam", 0.33), ("Marokkaans klinkende naam", 0.275)),
    "leeftijd": (("jonger (30 jaar)", 0.30), ("ouder (50 jaar)", 0.267)),
    "geslacht": (("man", 0.30), ("vrouw", 0.30)),
}
FOLLOWUP = {
    "etniciteit": (("Vlaams klinkende naam", 0.32), ("Marokkaans klinkende naam", 0.295)),
    "leeftijd": (("jonger (30 jaar)", 0.30), ("ouder (50 jaar)", 0.27)),
    "geslacht": (("man", 0.30), ("vrouw", 0.30)),
}
OPEN_SHARE = 0.45
OCCUPATIONS = ["operator", "technicus onderhoud", "lasser", "elektromecanicien", "ingenieur", "administratief bediende"]
PROVINCES = ["Antwerpen", "Limburg", "Oost-Vlaanderen", "Vlaams-Brabant", "West-Vlaanderen"]
SIZES = ["klein (< 50)", "middelgroot (50-249)", "groot (250+)"]


def simulate_wave(vacancies: int = 1440, *, seed: int = 2022, design=None, prefix: str = "N",
                  start: str = "2022-03-01", days: int = 180, invite_share: float = 0.6) -> pd.DataFrame:
    """One wave: ``vacancies`` vacancies (split evenly over the grounds), two applications each.

    Columns (Dutch, as a research team would deliver them): ``vacature``, ``sollicitatie``,
    ``grond``, ``profiel``, ``positieve_reactie`` (ja/nee), ``uitnodiging`` (ja/nee), ``beroep``,
    ``provincie``, ``bedrijfsgrootte``, ``datum``."""
    design = design or DESIGN
    rng = np.random.default_rng(seed)
    grounds = list(design)
    g_of_v = np.array(grounds)[np.arange(vacancies) % len(grounds)]
    rng.shuffle(g_of_v)
    is_open = rng.random(vacancies) < OPEN_SHARE
    occ = rng.choice(OCCUPATIONS, vacancies, p=[0.25, 0.2, 0.15, 0.15, 0.1, 0.15])
    prov = rng.choice(PROVINCES, vacancies, p=[0.3, 0.12, 0.23, 0.15, 0.2])
    size = rng.choice(SIZES, vacancies, p=[0.45, 0.35, 0.2])
    date = pd.Timestamp(start) + pd.to_timedelta(rng.integers(0, days, vacancies), unit="D")
    rows = []
    first_is_ref = rng.random(vacancies) < 0.5
    u = rng.random((vacancies, 2))
    inv = rng.random((vacancies, 2)) < invite_share
    for i in range(vacancies):
        (ref, r_ref), (grp, r_grp) = design[g_of_v[i]]
        sides = [(ref, r_ref), (grp, r_grp)]
        if not first_is_ref[i]:
            sides = sides[::-1]
        for j, (label, rate) in enumerate(sides):
            pos = bool(is_open[i] and u[i, j] < rate / OPEN_SHARE)
            rows.append({
                "vacature": f"{prefix}{i + 1:05d}", "sollicitatie": f"cv{j + 1}", "grond": g_of_v[i],
                "profiel": label, "positieve_reactie": "ja" if pos else "nee",
                "uitnodiging": "ja" if pos and inv[i, j] else "nee", "beroep": occ[i],
                "provincie": prov[i], "bedrijfsgrootte": size[i], "datum": date[i].date().isoformat(),
            })
    return pd.DataFrame(rows)


#: Seeds of the example files: among seeds 2000-2199 (nulmeting) and 3000-3199 (vervolgmeting) the
#: ones whose realised rates lie closest (least squares) to the design rates, so that the example
#: report shows what the design intends rather than an unlucky draw.
SEEDS = {"nulmeting": 2106, "vervolgmeting": 3112}


def write_example(folder: str | Path = "data/example", *, seeds: dict | None = None, vacancies: int = 1440) -> list[Path]:
    """Write ``correspondentietest_nulmeting.csv`` and ``correspondentietest_vervolgmeting.csv``."""
    seeds = {**SEEDS, **(seeds or {})}
    out = resolve(folder)
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, design, prefix, start in (("nulmeting", DESIGN, "N", "2022-03-01"),
                                        ("vervolgmeting", FOLLOWUP, "V", "2025-03-01")):
        s = seeds[name]
        df = simulate_wave(vacancies, seed=s, design=design, prefix=prefix, start=start)
        p = out / f"correspondentietest_{name}.csv"
        df.to_csv(p, index=False, encoding="utf-8")
        paths.append(p)
    return paths


if __name__ == "__main__":  # pragma: no cover
    for p in write_example():
        print(p)
