"""Generators of the synthetic example data sets.

Every generator is seeded (same seed, same data), documented (what it is calibrated to) and its
output is labelled synthetic wherever it is shown. One module per analysis:
``personnel`` (target figures), ``correspondence`` (correspondence test), ``survey``
(evaluation survey). ``python -m evaluatie.simulate`` regenerates every file in ``data/example/``.

Same seed, same data on every numpy version: no result depends on how numpy orders ties
(selections use stable sorts with the index as tie-break, not ``np.argpartition``).
"""
