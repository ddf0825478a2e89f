"""Writes personeel.csv: seeded personnel snapshots of ONE fictitious agency, laid out unlike the
example (Dutch column names, semicolons, dates as 31/12/2021, Dutch value labels, no entity or
policy-domain column), for the own-data tests of the streefcijfers report.

Run from the repository root: ``.venv/bin/python tests/data/own_targets/make_study.py``.
About 300 employees on each of three reference dates (31/12/2021, 2022, 2023), with turnover:
each year about a tenth leave and are replaced. Columns: personeelsnummer, peildatum, geslacht
(V/M), geboortedatum, opleiding (hoger, secundair, lager secundair, lager), nationaliteit and the
first nationality of the employee, the father and the mother (Dutch country names), kader (N, N-1,
N-2, geen) and handicapcategorie (1-8, empty = none)."""

from __future__ import annotations

import csv
from datetime import date, timedelta
from pathlib import Path

import numpy as np

SEED = 14
HERE = Path(__file__).resolve().parent
COLUMNS = ("personeelsnummer", "peildatum", "geslacht", "geboortedatum", "opleiding", "nationaliteit",
           "eerste_nationaliteit", "nationaliteit_vader", "nationaliteit_moeder", "kader", "handicapcategorie")
DATES = (date(2021, 12, 31), date(2022, 12, 31), date(2023, 12, 31))
COUNTRIES = ("België", "Nederland", "Marokko", "Turkije", "Polen", "Congo")
EDUCATION = ("hoger", "secundair", "lager secundair", "lager")


def _person(rng: np.random.Generator, number: int, hired: date) -> dict:
    foreign = rng.random() < 0.12  # one of four nationalities not Belgian
    origin = COUNTRIES[1 + int(rng.integers(len(COUNTRIES) - 1))] if foreign else "België"
    naturalised = foreign and rng.random() < 0.6
    age = int(rng.integers(21, 63))
    return {
        "personeelsnummer": f"P{number:05d}",
        "geslacht": "V" if rng.random() < 0.56 else "M",
        "geboortedatum": hired - timedelta(days=365 * age + int(rng.integers(365))),
        "opleiding": EDUCATION[int(rng.choice(4, p=[0.55, 0.30, 0.10, 0.05]))],
        "nationaliteit": "België" if naturalised or not foreign else origin,
        "eerste_nationaliteit": origin if foreign and rng.random() < 0.5 else "België",
        "nationaliteit_vader": origin,
        "nationaliteit_moeder": origin if rng.random() < 0.7 else "België",
        "kader": str(rng.choice(["N", "N-1", "N-2", "geen"], p=[0.02, 0.06, 0.12, 0.80])),
        "handicapcategorie": str(int(rng.integers(1, 9))) if rng.random() < 0.03 else "",
    }


def rows(seed: int = SEED) -> list[tuple]:
    """One tuple per employee per reference date, in the order of COLUMNS (all text)."""
    rng = np.random.default_rng(seed)
    staff = [_person(rng, i + 1, DATES[0]) for i in range(300)]
    number = len(staff)
    out = []
    for d in DATES:
        if d != DATES[0]:  # turnover: about a tenth leave, slightly more newcomers
            staff = [p for p in staff if rng.random() >= 0.10]
            for _ in range(int(rng.integers(28, 40))):
                number += 1
                staff.append(_person(rng, number, d))
        for p in staff:
            r = dict(p, peildatum=d.strftime("%d/%m/%Y"), geboortedatum=p["geboortedatum"].strftime("%d/%m/%Y"))
            out.append(tuple(r[c] for c in COLUMNS))
    return out


def main() -> None:
    with open(HERE / "personeel.csv", "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, delimiter=";")
        w.writerow(COLUMNS)
        w.writerows(rows())


if __name__ == "__main__":
    main()
