"""Writes werknemersbevraging.csv: a small, seeded two-stage sector survey of fictitious
organisations — first organisations drawn within each sector, then employees drawn within each
drawn organisation (the design of issue 18, item 1).

Run from the repository root: ``.venv/bin/python tests/data/own_survey_twostage/make_study.py``.
Three sectors (``sector``: the first stage's strata) with 48, 36 and 30 organisations in the
population (``aantal_organisaties``); 7, 6 and 5 of them drawn. Each drawn organisation has 15 to
240 employees (``aantal_werknemers``), of whom 8 to 15 are drawn (all of them when it has fewer).
One row per responding employee: ``organisatie_id`` and ``werknemer_id`` (codes), ``arbeidsstatuut``
(Arbeider / Bediende), two items on the built-in satisfaction and agreement scales in the
file's own spelling, with "Weet niet" and a few blanks, and one yes/no question with "Weet niet".
Answers lean per organisation (employees of one organisation answer alike), which is what a
two-stage design takes into account."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np

SEED = 1818
HERE = Path(__file__).resolve().parent
SECTORS = (("Zorg", 48, 7), ("Bouw", 36, 6), ("Handel", 30, 5))
COLUMNS = ("organisatie_id", "werknemer_id", "sector", "aantal_organisaties", "aantal_werknemers", "arbeidsstatuut",
           "tevredenheid_werk", "werkdruk_haalbaar", "opleiding_gevolgd")
SATISFACTION = ("Zeer ontevreden", "Ontevreden", "Neutraal", "Tevreden", "Zeer tevreden")
AGREEMENT = ("Helemaal oneens", "Oneens", "Neutraal", "Eens", "Helemaal eens")


def _likert(rng, labels, lean: float) -> str:
    """One answer: 'Weet niet' with probability 0.05, blank with 0.02, else a point of a
    5-point scale around 3.5 + ``lean``."""
    u = rng.random()
    if u < 0.05:
        return "Weet niet"
    if u < 0.07:
        return ""
    return labels[int(np.clip(np.rint(rng.normal(3.5 + lean, 1.0)), 1, 5)) - 1]


def rows(seed: int = SEED) -> list[tuple]:
    rng = np.random.default_rng(seed)
    out, org_no, emp_no = [], 0, 0
    for sector, n_orgs, drawn in SECTORS:
        for _ in range(drawn):
            org_no += 1
            size = int(rng.integers(15, 241))
            lean = rng.normal(0.0, 0.5)  # the organisation's own climate
            training = float(np.clip(0.45 + rng.normal(0.0, 0.15), 0.05, 0.95))
            for _ in range(min(size, int(rng.integers(8, 16)))):
                emp_no += 1
                u = rng.random()
                trained = "Weet niet" if u < 0.04 else ("ja" if rng.random() < training else "nee")
                out.append((f"ORG-{org_no:03d}", f"W{emp_no:04d}", sector, str(n_orgs), str(size),
                            "Arbeider" if rng.random() < 0.5 else "Bediende",
                            _likert(rng, SATISFACTION, lean), _likert(rng, AGREEMENT, lean - 0.4), trained))
    return out


def main() -> None:
    with open(HERE / "werknemersbevraging.csv", "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, delimiter=";")
        w.writerow(COLUMNS)
        w.writerows(rows())


if __name__ == "__main__":
    main()
