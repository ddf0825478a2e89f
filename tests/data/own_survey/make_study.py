"""Writes personeelsbevraging.csv: a small, seeded staff survey of a fictitious organisation, laid
out unlike the example evaluation (Dutch column names, semicolon-separated CSV, no frame, no claims,
no blocks about plans).

Run from the repository root: ``.venv/bin/python tests/data/own_survey/make_study.py``.
150 respondents in three departments (``afdeling``); three questions on the organisation's own
4-point scale (Slecht / Eerder slecht / Eerder goed / Goed), two statements on the built-in
agreement scale: ``waardering`` in the file's own labels ("Eerder eens", "Eerder oneens" need a
``values`` mapping; "Helemaal eens" and "Neutraal" do not), ``gelijke_kansen`` in labels the
normaliser knows ("Eens", "Noch eens, noch oneens"); "Weet niet" answers and a few blanks; one
yes/no question (``thuiswerk``)."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np

SEED = 1414
N = 150
HERE = Path(__file__).resolve().parent
COLUMNS = ("respondent", "afdeling", "sfeer_team", "steun_leidinggevende", "bijleren", "waardering",
           "gelijke_kansen", "thuiswerk")
FOUR = ("Slecht", "Eerder slecht", "Eerder goed", "Goed")
AGREE = ("Helemaal oneens", "Eerder oneens", "Neutraal", "Eerder eens", "Helemaal eens")
AGREE_KNOWN = ("Helemaal oneens", "Oneens", "Noch eens, noch oneens", "Eens", "Helemaal eens")


def _answer(rng, labels, p):
    """One answer: 'Weet niet' with probability 0.06, blank with 0.03, else a label drawn with ``p``."""
    u = rng.random()
    if u < 0.06:
        return "Weet niet"
    if u < 0.09:
        return ""
    return labels[int(rng.choice(len(labels), p=p))]


def rows(seed: int = SEED) -> list[tuple]:
    rng = np.random.default_rng(seed)
    out = []
    for i in range(N):
        afdeling = ("Onthaal", "Productie", "Verkoop")[int(rng.choice(3, p=[0.25, 0.45, 0.30]))]
        tilt = {"Onthaal": 0.0, "Productie": -0.08, "Verkoop": 0.06}[afdeling]
        four = np.array([0.10, 0.20, 0.45, 0.25]) + np.array([-tilt, -tilt, tilt, tilt]) / 2
        agree = np.array([0.08, 0.14, 0.20, 0.38, 0.20]) + np.array([-tilt, -tilt, 0, tilt, tilt]) / 2
        out.append((f"R{i + 1:03d}", afdeling, _answer(rng, FOUR, four), _answer(rng, FOUR, four),
                    _answer(rng, FOUR, four), _answer(rng, AGREE, agree), _answer(rng, AGREE_KNOWN, agree),
                    "ja" if rng.random() < 0.55 + tilt else "nee"))
    return out


def main() -> None:
    with open(HERE / "personeelsbevraging.csv", "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, delimiter=";")
        w.writerow(COLUMNS)
        w.writerows(rows())


if __name__ == "__main__":
    main()
