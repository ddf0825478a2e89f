"""Benchmark: read_table on a 1,000,000-row semicolon CSV with decimal commas vs pandas.read_csv.

pandas gets the right arguments by hand (sep=";", decimal=",", thousands=".", encoding); read_table
has to find them itself and checks every cell (no silent guess between 1,5 and 1.5). Both run in
the same process, best of 3; the ratio read_table / pandas is the number that matters (target
<= 1.5). Run: ``.venv/bin/python benchmarks/read_csv.py [--rows N]``.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from evaluatie.io import read_table


def write_csv(path: Path, rows: int, seed: int = 1, encoding: str = "utf-8") -> None:
    """A realistic HR export: ids, text, ja/nee, decimal-comma numbers, thousands separators."""
    rng = np.random.default_rng(seed)
    score = rng.uniform(0, 100, rows).round(1)
    amount = rng.normal(2500, 900, rows).round(2)
    amount_txt = pd.Series(amount).map(lambda v: f"{v:,.2f}").str.replace(",", "X").str.replace(
        ".", ",").str.replace("X", ".")
    df = pd.DataFrame({
        "id": np.arange(1, rows + 1),
        "vacancy": pd.Series(np.arange(rows) // 2).map("V{:06d}".format),
        "group": np.where(np.arange(rows) % 2 == 0, "autochtoon", "allochtoon"),
        "outcome": np.where(rng.random(rows) < 0.3, "ja", "nee"),
        "score": pd.Series(score).map("{:.1f}".format).str.replace(".", ","),
        "wage": amount_txt,
        "city": rng.choice(["Gent", "Brussel", "Liège", "Antwerpen", "Leuven"], rows),
    })
    df.to_csv(path, sep=";", index=False, encoding=encoding)


def best_of(fn, k: int = 3) -> tuple[float, object]:
    best, out = float("inf"), None
    for _ in range(k):
        t0 = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t0)
    return best, out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--encoding", default="utf-8")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "big.csv"
        write_csv(path, args.rows, encoding=args.encoding)
        size = path.stat().st_size / 1e6
        t_pd, ref = best_of(lambda: pd.read_csv(path, sep=";", decimal=",", thousands=".",
                                                encoding=args.encoding))
        t_rt, got = best_of(lambda: read_table(path))
        assert np.allclose(got["score"].to_numpy(), ref["score"].to_numpy())
        assert np.allclose(got["wage"].to_numpy(), ref["wage"].to_numpy())
        assert list(got.columns) == list(ref.columns)
    print(f"{args.rows:,} rows, {size:.1f} MB, encoding {args.encoding}")
    print(f"pandas.read_csv (arguments by hand): {t_pd:.3f} s")
    print(f"evaluatie.io.read_table (sniffed):   {t_rt:.3f} s")
    print(f"ratio read_table / pandas: {t_rt / t_pd:.2f} (target <= 1.5)")


if __name__ == "__main__":
    main()
