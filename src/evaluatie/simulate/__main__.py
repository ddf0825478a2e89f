"""Regenerate every synthetic example file in ``data/example/``: ``python -m evaluatie.simulate``.

Each generator is seeded with the seed its module documents; the tests check that the committed
files are what the generators produce.
"""

from __future__ import annotations

from evaluatie.core.paths import display_path
from evaluatie.simulate import correspondence, personnel, survey


def main() -> None:
    print(display_path(personnel.write_example()))
    for p in correspondence.write_example():
        print(display_path(p))
    for p in survey.write().values():
        print(display_path(p))


if __name__ == "__main__":  # pragma: no cover
    main()
