"""Writes studie.xlsx: a small, seeded action plan of a fictitious sector fund for one year, laid
out unlike the examples (Dutch column names, the status of each action in the fund's own words,
one budget line, no total rows, no month columns).

Run from the repository root: ``.venv/bin/python tests/data/own_actionplan/make_study.py``.
Two sheets: ``begroting`` (per action: number and name of the priority, the action, planned and
spent euros, and its status: afgerond, deels afgerond, lopend, uitgesteld, niet gestart) and
``planning`` (per action: theme, action, workdays and budget)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from openpyxl import Workbook

SEED = 2032
HERE = Path(__file__).resolve().parent
BUDGET_HEADER = ("Nr.", "Prioriteit", "Actie", "Voorzien (€)", "Uitgegeven (€)", "Stand")
PLANNING_HEADER = ("Thema", "Actie", "Werkdagen", "Budget (€)")
PRIORITIES = {
    1: ("Werving zonder drempels", ["Vacatureteksten herschrijven", "Opleiding selectiegesprek",
                                    "Samenwerking met VDAB-consulenten", "Jobbeurs voor nieuwkomers",
                                    "Stageplaatsen voor zij-instromers", "Anonieme cv-screening uittesten"]),
    2: ("Onthaal en taal", ["Peterschap op de werkvloer", "Taalcoaching Nederlands", "Pictogrammen in de werkplaats",
                            "Onthaalbrochure in eenvoudige taal", "Workshop taalbewust leidinggeven"]),
    3: ("Loopbaan en opleiding", ["Competentiescan voor arbeiders", "Opleidingsbudget voor 50-plussers",
                                  "Mentorprogramma voor vrouwen in de productie", "Webinar leeftijdsbewust personeelsbeleid"]),
    4: ("Sensibilisering", ["Campagne op sociale media", "Nieuwsbrief diversiteit", "Dag van de inclusie in de sector",
                            "Vormingsmoment voor syndicale afgevaardigden", "Enquête bij de werkgevers"]),
}
STATUS_WORDS = ["afgerond", "deels afgerond", "lopend", "uitgesteld", "niet gestart"]


def budget_rows(seed: int = SEED) -> list[tuple]:
    rng = np.random.default_rng(seed)
    out = []
    for no, (name, actions) in PRIORITIES.items():
        for action in actions:
            planned = int(rng.integers(2, 31)) * 500
            status = STATUS_WORDS[int(rng.choice(5, p=[0.4, 0.2, 0.2, 0.1, 0.1]))]
            share = {"afgerond": rng.uniform(0.8, 1.2), "deels afgerond": rng.uniform(0.4, 0.9),
                     "lopend": rng.uniform(0.1, 0.6), "uitgesteld": 0.0, "niet gestart": 0.0}[status]
            out.append((no, name, action, planned, int(round(planned * share / 50)) * 50, status))
    return out


def planning_rows(seed: int = SEED) -> list[tuple]:
    rng = np.random.default_rng(seed + 1)
    out = []
    for _, (name, actions) in PRIORITIES.items():
        for action in actions:
            out.append((name, action, int(rng.integers(1, 16)), int(rng.integers(2, 31)) * 500))
    return out


def main() -> None:
    wb = Workbook()
    ws = wb.active
    ws.title = "begroting"
    ws.append(BUDGET_HEADER)
    for r in budget_rows():
        ws.append(r)
    ws = wb.create_sheet("planning")
    ws.append(PLANNING_HEADER)
    for r in planning_rows():
        ws.append(r)
    wb.save(HERE / "studie.xlsx")


if __name__ == "__main__":
    main()
