"""Multiple-testing corrections: the one implementation, statsmodels ``multipletests``.

``method`` is any of statsmodels' names: ``"holm"`` (Holm 1979, family-wise error rate under any
dependence), ``"fdr_bh"`` (Benjamini & Hochberg 1995, false discovery rate), ``"bonferroni"``, ...
"""

from __future__ import annotations

import numpy as np
from statsmodels.stats.multitest import multipletests

__all__ = ["adjust_pvalues"]


def adjust_pvalues(p, method: str = "holm") -> np.ndarray:
    """Multiple-testing adjusted p-values (default Holm's step-down, which controls the
    family-wise error rate under any dependence between the tests), via statsmodels
    ``multipletests``; missing p-values stay missing and do not count in the family.
    Reference: Holm (1979); closed form checked in the tests (``p_(i)`` times ``m - i + 1``,
    running maximum, capped at 1)."""
    p = np.asarray(p, dtype=float)
    out = np.full(p.shape, np.nan)
    ok = ~np.isnan(p)
    if ok.any():
        out[ok] = multipletests(p[ok], method=method)[1]
    return out
