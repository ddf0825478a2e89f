"""Writes studie.xlsx: a small, seeded, one-wave correspondence test of a fictitious sector fund,
laid out unlike the examples (Dutch column names, ja/nee outcome, its own group labels).

Run from the repository root: ``.venv/bin/python tests/data/own_correspondence/make_study.py``.
Two grounds: herkomst ("Turkse naam" vs "Belgische naam") and geslacht ("vrouw" vs "man"); one
application per side per vacancy; a ``sector`` column for the analysis per subgroup."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from openpyxl import Workbook

SEED = 14
HERE = Path(__file__).resolve().parent


def rows(seed: int = SEED) -> list[tuple]:
    rng = np.random.default_rng(seed)
    out = []
    plan = [("herkomst", "Belgische naam", "Turkse naam", 0.42, 0.30, 90),
            ("geslacht", "man", "vrouw", 0.40, 0.37, 60)]
    v = 0
    for grond, ref, other, p_ref, p_other, n in plan:
        for _ in range(n):
            v += 1
            sector = ["bouw", "logistiek", "zorg"][int(rng.integers(3))]
            base = rng.random()  # a vacancy's own leaning: both applications react to it
            for groep, p in ((ref, p_ref), (other, p_other)):
                yes = bool(0.5 * base + 0.5 * rng.random() < p)
                out.append((f"V{v:03d}", grond, groep, "ja" if yes else "nee", sector))
    return out


def main() -> None:
    wb = Workbook()
    ws = wb.active
    ws.title = "sollicitaties"
    ws.append(("vacature", "grond", "groep", "reactie", "sector"))
    for r in rows():
        ws.append(r)
    wb.save(HERE / "studie.xlsx")


if __name__ == "__main__":
    main()
