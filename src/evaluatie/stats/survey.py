"""Design-based estimation for survey data, modelled on R ``survey`` (T. Lumley).

One design object, many estimators; every estimator returns a :class:`pandas.DataFrame` with at
least ``estimate``, ``se``, ``ci_low`` and ``ci_high`` (one row per variable or level)::

    d = SurveyDesign(df, weights="pw", strata="stype", fpc="fpc")
    d.mean("api00")                      # R: svymean(~api00, dstrat)
    d.proportion("sch.wide", ci="beta")  # R: svyciprop(~I(sch.wide=="Yes"), dstrat, method="beta")
    d.by("stype").proportion("awards")   # R: svyby(~awards, ~stype, dstrat, svymean)
    d.chisq("sch.wide", "stype")         # R: svychisq(~sch.wide+stype, dstrat)
    r = d.rake({"stype": {...}, "sch.wide": {...}})   # R: rake(dstrat, list(~stype, ~sch.wide), ...)

Supported designs: stratified multistage sampling (clusters, then units within each sampled
cluster, ...) or element sampling, each stage with or without replacement, as R
``svydesign(id=~c1+c2, strata=~s1+s2, fpc=~f1+f2, weights=~w, nest=...)``::

    d = SurveyDesign(df, strata=["sector", "statute"], cluster=["organisation", "employee"],
                     fpc=["n_organisations", "n_employees"])
    # organisations by sector, then employees by statute within each organisation

``fpc`` is, as in R, one column per stage: the population size of the stage's stratum (number
of population PSUs in the first-stage stratum; number of units of stage ``k`` in the sampled unit
of stage ``k - 1``, or in its stratum of that unit when stage ``k`` has a strata column), or, when
every value is <= 1, the sampling fraction. Without ``fpc`` the first stage is treated as
sampled with replacement and the variance is the ultimate-cluster one.
Without ``weights`` they are derived from the fpc: the product over the stages of ``N/n``.
Not supported, each refused with :class:`UnsupportedDesign` saying what to do instead: PPS
without replacement, replicate weights, more strata columns than stages, an fpc that is not one
column per stage, calibration to the total of a continuous variable.

Variance (R ``svyrecvar``/``multistage``/``onestrat``): Taylor linearisation. Each estimator's
influence values ``z_i`` (e.g. ``w_i (y_i - ybar) / sum(w)`` for a mean) are, after removing
calibration residuals, summed per PSU; per stratum ``h`` the PSU totals are centred on their
stratum mean and

    var_1 = sum_h (1 - n_h/N_h) n_h/(n_h - 1) sum_c (z_hc - zbar_h)^2.

With an fpc for every stage of a multistage design (and ``multistage=True``, R's default), each
later stage adds the same between-unit term within every sampled unit of the stage above (per
stratum of that stage within the unit, when it has strata), scaled by the sampling fractions of
the stages above it (R ``multistage``'s recursion; Särndal, Swensson & Wretman 1992, *Model
Assisted Survey Sampling*, §4.3 for two stages):

    var = var_1 + sum_{PSU i} (n_h/N_h) [ (1 - m_i/M_i) m_i/(m_i - 1) sum_j (z_ij - zbar_i)^2
                                          + sum_{j} (m_i/M_i) [stage 3 within j] + ... ]

(``m_i`` of ``M_i`` units sampled in PSU ``i``). A unit of a later stage with one sampled unit
below it adds 0 when that unit is the whole population below it (``m = M``), else it fails
(``lonely_psu="fail"``) or adds 0 (``"certainty"``), as R does. ``multistage=False`` keeps only
``var_1`` (the ultimate-cluster variance, R ``options(survey.ultimate.cluster=TRUE)``). The
design degrees of freedom are those of the first stage (R ``degf``). Deliberate differences
from R's design checks (the numbers are R's): an fpc that varies within a stratum or within a
unit of the stage above is refused (R warns and uses each cluster's own value); a first-stage
stratum with one PSU fails with ``lonely_psu="fail"`` even when its fpc says it is the whole
population (R then adds 0 without failing); an fpc column of 1 everywhere is a census (R refuses
it as neither population sizes nor fractions).

Calibration (``poststratify``, ``rake``) returns a new design whose variances are computed from
the residuals of the calibration, exactly as R does (``svyrecvar``): for post-stratification
``z_i - w_i * sum_g(z old_w / w) / sum_g(old_w)`` within post-stratum ``g``; for raking ten sweeps
over the margins of ``z_i - w_i^(m) * mean_g(z / w^(m))`` with the weights ``w^(m)`` after each
margin's step in the last raking iteration. These projections are linear in ``z``; they are
computed here by accumulating the per-group constants (a few small matrices) instead of
sweeping the full data ten times, which gives the same numbers.

Domains (``by``) are estimated as R ``svyby`` does for design objects: the data outside the
domain get zero influence, the design (strata, PSUs, ``n_h``) stays the full design; the
design degrees of freedom of a domain are its PSUs minus its strata (R ``degf`` of the subset).

Intervals: ``mean`` and ``total`` are ``estimate +/- t(df) * se``. Proportion intervals come
from the interval registry, :func:`evaluatie.stats.intervals.design_interval` (its design
methods, ``methods("design")``): ``"wald"`` is ``estimate +/- t(df) * se``; ``"logit"`` is the
Wald interval on the log-odds scale (R ``svyciprop(method="logit")``: intercept-only
quasi-binomial ``svyglm``, whose standard error is ``se / (p (1 - p))``) with a t quantile on
the design df; ``"wilson"`` is the Wilson score interval with the effective sample size
``p (1 - p) / var`` and a t quantile (R ``method="wilson"``); ``"beta"`` is Korn & Graubard (1998):
Clopper-Pearson with the effective sample size, itself scaled by ``(t(n-1)/t(df))^2`` (R
``method="beta"``), with ``n`` the unweighted base of the estimate.

Deliberate differences from R ``svyciprop`` (the report's method section states them too):

* **Wald clipped.** Every proportion interval is clipped to [0, 1]; R does not clip the Wald
  (``method="mean"``) interval, which can run below 0 or above 1. The other methods stay inside
  [0, 1] by construction, so only ``"wald"`` can differ.
* **Estimates of exactly 0 or 1.** The variance is 0 and R gives no interval (NaN or a
  zero-width one); here every method falls back to Clopper-Pearson on the unweighted base ``n``.
* **Korn-Graubard's n in domains of a calibrated design.** ``n`` in ``t(n-1)`` is the estimate's
  unweighted base: the respondents with an answer (in the domain). R uses ``nrow()`` of the design
  it is given. Handed the subset of respondents with an answer (as the design df here assumes,
  above) that is the same n — except in a domain of a calibrated (post-stratified or raked)
  design: R's subset of a calibrated design keeps the rows outside the domain, with weight 0, so
  its ``nrow()`` is the full sample's. One interval limit then differs by up to 11% (relative);
  the estimate, its standard error and the design df (R ``degf`` counts only rows with a weight)
  are the same. The base is the deliberate choice: a domain's interval rests on the answers in it,
  whether or not the design is calibrated.

Raking iterates to a tight tolerance by default (R's default is ``epsilon=1``
weighted unit, ``maxit=10``; R's own check ``tests/rakecheck.R`` uses 1e-10 as here).

Speed: for element designs (no clusters) proportions are computed without forming the influence
matrix: every stratum sum of the calibration residuals and of their squares is a combination of
weighted cross-tabulations (``np.bincount``) of domain x level x stratum x calibration group, so
the cost is a few passes over the data per variable, whatever the number of domains.

References: Lumley T. (2004) Analysis of complex survey samples, J Stat Softw 9(8); Lumley (2010)
Complex Surveys, Wiley; Rao & Scott (1984) Ann Stat 12:46-60; Korn & Graubard (1998) Survey
Methodology 24:193-201; Särndal, Swensson & Wretman (1992) Model Assisted Survey Sampling,
Springer, §4.3. Reference tests: ``tests/test_survey.py`` (R survey's documented output
for the ``api`` data), ``tests/test_survey_multistage.py`` (multistage designs and refusals,
against stored R output), ``tests/test_survey_r.py`` (live R, where installed),
``tests/test_survey_closed.py`` (closed forms) and ``tests/test_survey_coverage.py`` (coverage
simulation).

What one analysis builds on these estimates (the weighting table, breakdown tables, checks of
published claims, Likert summaries) lives with that analysis, e.g. :mod:`evaluatie.analyses.survey`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping, Sequence

import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy import stats

from evaluatie.core.errors import DataError, Problem, private
from evaluatie.core.numbers import parse_numbers
from evaluatie.stats.intervals import design_interval, methods, t_quantile

__all__ = ["DomainDesign", "SurveyDesign", "UnsupportedDesign", "frame_margins", "gvf_chisq"]

_CHUNK = 4_000_000  # influence-matrix elements per block (memory bound)


# --------------------------------------------------------------------------- intervals

def _check_ci(ci: str) -> None:
    """Refuse an unknown interval method before any estimate is computed."""
    if ci not in methods("design"):
        raise ValueError(f"ci must be one of {methods('design')}, not {ci!r}")


# --------------------------------------------------------------------------- calibration steps

@dataclass
class _Margin:
    """One linear projection of the calibration residuals: ``x -= B (A x)`` with
    ``A[g, i] = a_i 1[g_i = g]`` and ``B[i, g] = b_i 1[g_i = g]``."""

    codes: np.ndarray  # int group code per row
    ngroups: int
    a: np.ndarray
    b: np.ndarray


@dataclass
class _CalStep:
    kind: str  # "post" or "rake"
    margins: list[_Margin]
    sweeps: int = 1


def _codes(values: pd.Series, file: str | None, column: str) -> tuple[np.ndarray, list]:
    if values.isna().any():
        rows = values.index[values.isna()][:20]
        raise DataError([Problem(file, int(r) if isinstance(r, (int, np.integer)) else None, column, None,
                                 "een waarde (kalibratie- of designvariabele mag niet leeg zijn)")
                         for r in rows])
    cat = values.astype("category")
    return cat.cat.codes.to_numpy().astype(np.int64), list(cat.cat.categories)


def _population_series(var: str, counts) -> pd.Series:
    """Population counts as a Series indexed by level: dict, Series, or DataFrame with ``var``
    and a count column (``Freq`` as in R, or ``count``/``n``/the only other column)."""
    if isinstance(counts, pd.DataFrame):
        other = [c for c in counts.columns if c != var]
        col = next((c for c in ("Freq", "count", "n", "N") if c in other), other[0] if len(other) == 1 else None)
        if var not in counts.columns or col is None:
            raise ValueError(f"population table for {var!r} needs columns {var!r} and Freq")
        s = pd.Series(counts[col].to_numpy(dtype=float), index=counts[var].to_numpy())
    elif isinstance(counts, pd.Series):
        s = counts.astype(float)
    elif isinstance(counts, Mapping):
        s = pd.Series({k: float(v) for k, v in counts.items()})
    elif isinstance(counts, (int, float, np.number)):
        raise UnsupportedDesign(
            f"calibration of {var!r} to one population total (a continuous auxiliary variable; R calibrate(), "
            "GREG) is not supported: poststratify and rake take population counts per level of a categorical "
            f"variable. Group {var!r} into classes whose population counts are known and rake on those")
    else:
        raise TypeError("population counts must be a dict, Series or DataFrame")
    s.index = [str(i) for i in s.index]
    return s


# --------------------------------------------------------------------------- the design

class UnsupportedDesign(ValueError):
    """A design this module does not estimate (replicate weights, PPS without replacement,
    calibration to the total of a continuous variable, an fpc that does not match the stages):
    the message says what is not supported and what to do instead."""


@dataclass
class _Stage:
    """Stage ``k >= 2`` of a multistage design: the sampled units of this stage (``unit``, a code
    per row) in their strata (``group``, a code per unit of this stage: the unit of the stage
    above, crossed with this stage's stratum when it has one), and per stratum the variance
    scale ``pi f n/(n-1)`` of :meth:`SurveyDesign._variance` (``n`` sampled units in it, ``f``
    this stage's finite-population factor, ``pi`` the sampling fractions of the stages above)."""

    unit: np.ndarray
    group: np.ndarray
    n: np.ndarray
    scale: np.ndarray


class SurveyDesign:
    """A survey design: data with weights, strata, (multistage) clusters and a finite-population
    correction per stage, as ``svydesign(id=~c1+c2, strata=~strata, weights=~weights,
    fpc=~f1+f2, nest=...)`` in R.

    Parameters
    ----------
    data : DataFrame, one row per respondent.
    weights : column with sampling weights (inverse inclusion probabilities). Default: from
        ``fpc``, the product over the stages of population units / sampled units (R's
        ``weights(fpc)``), else 1 for everyone (R warns "assuming equal probability").
    strata : column with the first-stage stratum, or a list of columns, the strata of the first
        stages in order (optional). A later stage is sampled within each unit of the stage above,
        in that unit's strata when the stage has a strata column (R ``strata=~s1+s2``).
    cluster : column with the primary sampling unit, or a list of columns, one per stage
        (``[organisation, employee]``; optional; default each row is a PSU). A unit of a stage is
        always taken within its unit of the stage above, as R does. One column means a one-stage
        cluster sample, in which every unit of a sampled cluster is observed: when units were
        sampled within the clusters, give both stages (with only the first, the weights derived
        from ``fpc`` miss the second stage's ``N/n``).
    fpc : column (or list of columns, one per stage of ``cluster``) with the population size of
        the stage's stratum: the number of first-stage units in the stratum, the number of units
        of stage ``k`` in the sampled unit of stage ``k - 1`` (in its stratum there); or, when
        every value of every column is <= 1, the sampling fraction. Without it: with-replacement
        (ultimate-cluster) variance of the first stage.
    nest : ``False`` (R's default) refuses cluster ids that occur in more than one stratum;
        ``True`` takes them as different clusters in each stratum (R ``nest=TRUE``).
    multistage : ``True`` (R's default): with an ``fpc`` for every stage the variance has a term
        per stage (R ``svyrecvar``'s multistage recursion); ``False`` gives the ultimate-cluster
        variance from the first stage only (R ``options(survey.ultimate.cluster=TRUE)``).
    lonely_psu : ``"fail"`` (R's default) or ``"certainty"`` (a stratum with one PSU adds 0; at a
        stage below the first, a unit with one sampled unit below it adds 0, as in R).
    pps, repweights : not supported (PPS without replacement, R ``svydesign(pps=...)``; replicate
        weights, R ``svrepdesign``); giving either raises :class:`UnsupportedDesign` saying what to
        do instead.
    file : name of the input file, for error messages.
    """

    def __init__(self, data: pd.DataFrame, weights: str | None = None, strata: str | Sequence[str] | None = None,
                 cluster: str | Sequence[str] | None = None, fpc: str | Sequence[str] | None = None, *,
                 nest: bool = False, multistage: bool = True, lonely_psu: str = "fail",
                 pps: Any = None, repweights: Any = None, file: str | None = None):
        if lonely_psu not in ("fail", "certainty"):
            raise ValueError("lonely_psu must be 'fail' or 'certainty'")
        _refuse_unsupported(pps, repweights)
        clusters, fpcs = _stage_columns(cluster, "cluster"), _stage_columns(fpc, "fpc")
        stratas = _stage_columns(strata, "strata")
        if len(stratas) > max(len(clusters), 1):
            raise UnsupportedDesign(
                f"strata has {len(stratas)} columns for {max(len(clusters), 1)} sampling stage(s) in cluster: give "
                "at most one strata column per stage, in the order of the stages")
        strata = stratas[0] if stratas else None
        if fpcs and len(fpcs) != max(len(clusters), 1):
            raise UnsupportedDesign(
                f"fpc has {len(fpcs)} column(s) for {max(len(clusters), 1)} sampling stage(s) in cluster: give one "
                "fpc column per stage (the population size or sampling fraction of that stage), or no fpc at "
                "all for a first stage sampled with replacement (ultimate-cluster variance)")
        self.data = data
        self.file = file or (data.attrs.get("source", {}) or {}).get("file")
        self.spec = {"weights": weights, "strata": strata, "cluster": cluster, "fpc": fpc}
        self.lonely_psu = lonely_psu
        n = len(data)
        if n == 0:
            raise DataError("het bestand bevat geen rijen", file=self.file)
        for role, cols in (("weights", [weights]), ("strata", stratas), ("cluster", clusters), ("fpc", fpcs)):
            for col in cols:
                if col is not None and col not in data.columns:
                    raise DataError([Problem(self.file, None, col, None, f"een kolom '{col}' ({role})")])

        self._strata_codes, self.strata_levels = (
            _codes(data[strata], self.file, strata) if strata else (np.zeros(n, np.int64), ["(alle)"]))
        if clusters:
            ccodes, _ = _codes(data[clusters[0]], self.file, clusters[0])
            if strata and not nest:
                self._check_nested(ccodes, clusters[0])
            # PSUs are nested in strata (R's nest=TRUE; with nest=False checked above to be the same)
            key = self._strata_codes * (ccodes.max() + 1) + ccodes
            self._psu = pd.factorize(key)[0].astype(np.int64)
        else:
            self._psu = np.arange(n, dtype=np.int64)
        self.n_psu = int(self._psu.max()) + 1
        self.n_strata = len(self.strata_levels)
        psu_stratum = np.zeros(self.n_psu, np.int64)
        psu_stratum[self._psu] = self._strata_codes
        self._psu_stratum = psu_stratum
        self._n_h = np.bincount(psu_stratum, minlength=self.n_strata).astype(float)

        # finite population correction per stratum (first stage) and per unit above (later stages)
        fpc_values = [self._fpc_values(c) for c in fpcs]
        fraction = all(bool(np.all(v <= 1)) for v in fpc_values)
        if not fraction and any(bool(np.any(v < 1)) for v in fpc_values):
            raise DataError(f"fpc-kolommen {', '.join(fpcs)}: in elke kolom populatiegroottes (getallen >= 1) of "
                            "in elke kolom steekproeffracties (getallen <= 1), niet beide", file=self.file)
        self._f_h = np.ones(self.n_strata)
        popsize_h = None
        if fpcs:
            popsize_h = self._popsize(fpc_values[0], fpcs[0], self._strata_codes, self._n_h, fraction, 1)
            self._f_h = (popsize_h - self._n_h) / popsize_h
        self._popsize_h = popsize_h

        if weights:
            w = pd.to_numeric(data[weights], errors="coerce")
            bad = w.isna() | (w < 0)
            if bad.any():
                raise DataError([Problem(self.file, _row(r), weights, data[weights].loc[r],
                                         "een gewicht >= 0") for r in w.index[bad][:20]])
            self._w = w.to_numpy(dtype=float)
        elif popsize_h is not None:
            self._w = (popsize_h / self._n_h)[self._strata_codes]
        else:
            self._w = np.ones(n)
        self._stages = self._later_stages(clusters, stratas, fpcs, fpc_values, fraction, multistage,
                                          derive_weights=not weights)
        self._cal: list[_CalStep] = []
        self._ops_cache = None
        self._fast_cache = None
        self._cat_cache: dict[str, tuple[np.ndarray, list]] = {}
        self._check_lonely()

    def _check_nested(self, ccodes: np.ndarray, column: str) -> None:
        """R's check (``nest=FALSE``): a cluster id may occur in one stratum only."""
        per = pd.Series(self._strata_codes).groupby(ccodes).nunique()
        if (per > 1).any():
            ids = self.data[column].to_numpy()[np.isin(ccodes, per.index[per > 1])]
            shown = ", ".join(map(str, pd.unique(ids)[:10]))
            raise DataError(f"clusters uit kolom '{column}' ({private(shown)}) komen in meer dan één stratum voor: "
                            "zijn het andere clusters in elk stratum (genummerd binnen het stratum), geef dan "
                            "nest=True (R: nest=TRUE); anders liggen de clusters niet genest in de strata en "
                            "past dit design niet", file=self.file)

    def _fpc_values(self, column: str) -> np.ndarray:
        v = pd.to_numeric(self.data[column], errors="coerce")
        bad = v.isna() | (v <= 0)
        if bad.any():
            raise DataError([Problem(self.file, _row(r), column, self.data[column].loc[r],
                                     "een positief getal (populatiegrootte of steekproeffractie)")
                             for r in v.index[bad][:20]])
        return v.to_numpy()

    def _popsize(self, values: np.ndarray, column: str, groups: np.ndarray, n_g: np.ndarray, fraction: bool,
                 stage: int, where: str = "binnen elk stratum") -> np.ndarray:
        """Population size per group (a stratum of the stage; later stages: within a unit of the
        stage above): the fpc's value, or ``n_g / fraction``; it must be the same within a group
        (``where`` says so in the message) and >= ``n_g``."""
        per = pd.Series(values).groupby(groups).agg(["min", "max"])
        if (per["max"] - per["min"] > 1e-9 * per["max"]).any():
            raise DataError(f"kolom '{column}' moet {where} dezelfde waarde hebben", file=self.file)
        vals = per["min"].reindex(range(len(n_g))).to_numpy(dtype=float)
        popsize = n_g / vals if fraction else vals
        if np.any(popsize < n_g - 1e-9):
            raise DataError(f"kolom '{column}': populatiegrootte kleiner dan het aantal getrokken eenheden"
                            + ("" if stage == 1 else f" (trap {stage})"), file=self.file)
        return popsize

    def _later_stages(self, clusters: list[str], stratas: list[str], fpcs: list[str], fpc_values: list[np.ndarray],
                      fraction: bool, multistage: bool, derive_weights: bool) -> list[_Stage]:
        """Stages 2, 3, ... of ``cluster``: their fpc checks, their factor of the weights derived
        from the fpc (when no weights are given) and, when their variance is used (an fpc for
        every stage and ``multistage``), their :class:`_Stage` terms. The variance of stage ``k``
        in a stratum within a unit of stage ``k - 1`` is scaled by the product of the sampling
        fractions ``n/N`` of that unit and of its units above (R ``svyrecvar``/``multistage``)."""
        stages: list[_Stage] = []
        parent_unit = self._psu
        with np.errstate(divide="ignore", invalid="ignore"):
            pi_parent = (self._n_h / self._popsize_h)[self._psu_stratum] if fpcs else None
        for k in range(1, len(clusters)):
            ccodes, _ = _codes(self.data[clusters[k]], self.file, clusters[k])
            if k < len(stratas):
                scodes, _ = _codes(self.data[stratas[k]], self.file, stratas[k])
                row_group = pd.factorize(parent_unit * (scodes.max() + 1) + scodes)[0].astype(np.int64)
                where, lonely_where = f"binnen elk stratum van trap {k + 1}", f" in een stratum van '{stratas[k]}'"
            else:
                row_group = parent_unit
                where, lonely_where = f"binnen elke eenheid van trap {k}", ""
            unit = pd.factorize(row_group * (ccodes.max() + 1) + ccodes)[0].astype(np.int64)
            group = np.zeros(int(unit.max()) + 1, np.int64)
            group[unit] = row_group
            group_parent = np.zeros(int(row_group.max()) + 1, np.int64)
            group_parent[row_group] = parent_unit
            n_g = np.bincount(group, minlength=len(group_parent)).astype(float)
            if not fpcs:
                parent_unit = unit
                continue
            popsize = self._popsize(fpc_values[k], fpcs[k], row_group, n_g, fraction, k + 1, where)
            if derive_weights:
                self._w = self._w * (popsize / n_g)[row_group]
            f = (popsize - n_g) / popsize
            lonely = (n_g == 1) & (f >= 1e-7)
            if multistage and lonely.any() and self.lonely_psu == "fail":
                rows = np.flatnonzero(np.isin(row_group, np.flatnonzero(lonely)))
                shown = ", ".join(map(str, pd.unique(self.data[clusters[k - 1]].to_numpy()[rows])[:10]))
                raise DataError(f"op trap {k + 1} is in eenheid {private(shown)} van '{clusters[k - 1]}'{lonely_where} "
                                "maar één eenheid getrokken terwijl de populatie er meer heeft: variantie niet te "
                                "schatten (kies lonely_psu='certainty' of voeg eenheden of strata samen)",
                                file=self.file)
            pi_group = pi_parent[group_parent]
            with np.errstate(divide="ignore", invalid="ignore"):
                scale = np.where((n_g > 1) & (f >= 1e-7), pi_group * f * n_g / (n_g - 1), 0.0)
            stages.append(_Stage(unit, group, n_g, scale))
            pi_parent = (pi_group * n_g / popsize)[group]
            parent_unit = unit
        return stages if (fpcs and multistage) else []

    # ------------------------------------------------------------------ basic properties
    @property
    def n(self) -> int:
        return len(self.data)

    @property
    def weights(self) -> pd.Series:
        """Final (calibrated) weights, indexed like the data."""
        return pd.Series(self._w, index=self.data.index, name="weight")

    @property
    def df(self) -> int:
        """Design degrees of freedom: PSUs minus strata (R ``degf``)."""
        return self._domain_df(self._w != 0)

    def _domain_df(self, mask: np.ndarray) -> int:
        psus = np.unique(self._psu[mask])
        return int(len(psus) - len(np.unique(self._psu_stratum[psus])))

    def _check_lonely(self):
        lonely = np.flatnonzero(self._n_h == 1)
        if len(lonely) and self.lonely_psu == "fail":
            if len(self._n_h) == 1:  # no strata: one respondent (or cluster) in all
                raise DataError("minstens twee respondenten (primaire eenheden): met maar één primaire eenheid "
                                "is de variantie niet te schatten", file=self.file)
            names = ", ".join(str(self.strata_levels[h]) for h in lonely[:10])
            raise DataError(f"stratum {private(names)} heeft maar één primaire eenheid (PSU): variantie niet "
                            "te schatten (kies lonely_psu='certainty' of voeg strata samen)", file=self.file)

    def _copy(self) -> "SurveyDesign":
        new = object.__new__(SurveyDesign)
        new.__dict__.update(self.__dict__)
        new._cal = list(self._cal)
        new._ops_cache = None
        new._fast_cache = None
        return new

    # ------------------------------------------------------------------ variance engine
    def _ops(self):
        """Precomputed calibration-residual operator (A, B, K, sweep order) and PSU/stratum maps."""
        if self._ops_cache is not None:
            return self._ops_cache
        n = self.n
        margins: list[_Margin] = []
        order: list[int] = []
        for step in self._cal:
            start = len(margins)
            margins.extend(step.margins)
            idx = list(range(start, len(margins)))
            order.extend(idx * step.sweeps)
        A = B = K = None
        offsets = []
        if margins:
            rows, av, bv = [], [], []
            off = 0
            for m in margins:
                offsets.append((off, off + m.ngroups))
                rows.append(m.codes + off)
                av.append(m.a)
                bv.append(m.b)
                off += m.ngroups
            gi = np.concatenate(rows)
            ri = np.tile(np.arange(n), len(margins))
            A = sp.csr_matrix((np.concatenate(av), (gi, ri)), shape=(off, n))
            B = sp.csr_matrix((np.concatenate(bv), (ri, gi)), shape=(n, off))
            K = (A @ B).toarray()
        S = None
        if self.n_psu != n or np.any(self._psu != np.arange(n)):
            S = sp.csr_matrix((np.ones(n), (self._psu, np.arange(n))), shape=(self.n_psu, n))
        H = sp.csr_matrix((np.ones(self.n_psu), (self._psu_stratum, np.arange(self.n_psu))),
                          shape=(self.n_strata, self.n_psu))
        self._ops_cache = (A, B, K, offsets, order, S, H)
        return self._ops_cache

    def _stage_ops(self) -> list[tuple]:
        """Per later stage: unit sums ``S_k``, per-stratum sums ``P_k``, the stratum of each unit,
        and ``n`` and the scale per stratum."""
        if "_stage_ops_cache" not in self.__dict__:
            ops = []
            for st in self._stages:
                nu, ng = len(st.group), len(st.n)
                Sk = sp.csr_matrix((np.ones(self.n), (st.unit, np.arange(self.n))), shape=(nu, self.n))
                Pk = sp.csr_matrix((np.ones(nu), (st.group, np.arange(nu))), shape=(ng, nu))
                ops.append((Sk, Pk, st.group, st.n, st.scale))
            self.__dict__["_stage_ops_cache"] = ops
        return self.__dict__["_stage_ops_cache"]

    def _residuals(self, Z: np.ndarray) -> np.ndarray:
        A, B, K, offsets, order, _, _ = self._ops()
        if A is None:
            return Z
        a = A @ Z
        C = np.zeros_like(a)
        for j in order:
            lo, hi = offsets[j]
            C[lo:hi] += a[lo:hi] - K[lo:hi] @ C
        return Z - B @ C

    def _variance(self, Z: np.ndarray, full: bool = False) -> np.ndarray:
        """Linearisation variance of the totals of the influence columns ``Z`` (n x m):
        the diagonal, or the full covariance matrix when ``full``."""
        _, _, _, _, _, S, H = self._ops()
        resid = self._residuals(Z)
        R = resid if S is None else S @ resid
        n_h = self._n_h
        with np.errstate(divide="ignore", invalid="ignore"):
            scale = np.where(n_h > 1, self._f_h * n_h / (n_h - 1), 0.0)
        if full:
            means = (H @ R) / n_h[:, None]
            Rc = (R - means[self._psu_stratum]) * np.sqrt(scale)[self._psu_stratum][:, None]
            V = Rc.T @ Rc
            for Sk, Pk, group, n_g, scale_g in self._stage_ops():
                Rk = Sk @ resid
                Rc = (Rk - ((Pk @ Rk) / n_g[:, None])[group]) * np.sqrt(scale_g)[group][:, None]
                V = V + Rc.T @ Rc
            return V
        s1 = H @ R
        s2 = H @ (R * R)
        per = s2 - s1 * s1 / n_h[:, None]
        v = scale @ per
        for Sk, Pk, _, n_g, scale_g in self._stage_ops():
            Rk = Sk @ resid
            s1 = Pk @ Rk
            v = v + scale_g @ (Pk @ (Rk * Rk) - s1 * s1 / n_g[:, None])
        return np.maximum(v, 0.0)

    # ------------------------------------------------------------------ variable helpers
    def _numeric(self, var: str) -> np.ndarray:
        if var not in self.data.columns:
            raise KeyError(f"variable {var!r} not in the data")
        s = self.data[var]
        if s.dtype == bool:
            return s.to_numpy(dtype=float)
        v = pd.to_numeric(s, errors="coerce")
        bad = v.isna() & s.notna()
        if bad.any():
            raise DataError([Problem(self.file, _row(r), var, s.loc[r], "een getal") for r in s.index[bad][:20]])
        return v.to_numpy(dtype=float)

    def _categorical(self, var: str) -> tuple[np.ndarray, list]:
        if var in self._cat_cache:
            return self._cat_cache[var]
        if var not in self.data.columns:
            raise KeyError(f"variable {var!r} not in the data")
        s = self.data[var]
        if isinstance(s.dtype, pd.CategoricalDtype):
            cats = list(s.cat.categories)
            codes = s.cat.codes.to_numpy().astype(np.int64)
        else:
            codes, uniq = pd.factorize(s, sort=True)
            cats = list(uniq)
            codes = codes.astype(np.int64)
        self._cat_cache[var] = (codes, cats)
        return codes, cats  # -1 = missing

    # ------------------------------------------------------------------ domain machinery
    def _domains(self, by: Sequence[str] | None):
        """Domain code per row (-1 = not in any domain) and a frame of domain labels."""
        if not by:
            return np.zeros(self.n, np.int64), None
        # the data never change under a design (calibration only changes the weights): domain
        # codes and labels are computed once per ``by`` and shared by every estimate, like the
        # category codes of ``_categorical``
        cache = self.__dict__.setdefault("_dom_cache", {})
        key = tuple(by)
        if key not in cache:
            cache[key] = self._domains_uncached(by)
        return cache[key]

    def _domains_uncached(self, by: Sequence[str]):
        frame = self.data[list(by)]
        missing = frame.isna().any(axis=1).to_numpy()
        codes_list, labels_list = [], []
        for c in by:
            codes, cats = self._categorical(c)
            codes_list.append(codes)
            labels_list.append(cats)
        key = np.zeros(self.n, np.int64)
        for codes, cats in zip(codes_list, labels_list):
            key = key * (len(cats) + 1) + np.where(codes < 0, 0, codes)
        key = np.where(missing, -1, key)
        present = np.unique(key[key >= 0])
        dom = np.searchsorted(present, key)
        dom = np.where(key < 0, -1, dom)
        rows = []
        for k in present:
            vals = []
            rest = int(k)
            for codes, cats in reversed(list(zip(codes_list, labels_list))):
                vals.append(cats[rest % (len(cats) + 1)])
                rest //= len(cats) + 1
            rows.append(list(reversed(vals)))
        labels = pd.DataFrame(rows, columns=list(by))
        return dom.astype(np.int64), labels

    def _estimate(self, kind: str, variables: Sequence[str], by: Sequence[str] | None,
                  ci: str, level: float, select=None, df: float | None = None) -> pd.DataFrame:
        dom, labels = self._domains(by)
        ndom = 1 if labels is None else len(labels)
        w = self._w
        out = []
        ctx: dict = {}  # item-independent sums, reused while every row is in the base
        for var in variables:
            if kind == "proportion":
                codes, cats = self._categorical(var)
                if select is not None:
                    sel = list(select) if isinstance(select, (list, tuple, set)) else [select]
                    unknown = [s for s in sel if s not in cats]
                    if unknown and isinstance(self.data[var].dtype, pd.CategoricalDtype):
                        raise ValueError(f"level(s) {unknown} not among the categories of {var!r}")
                    hit = np.isin(np.asarray(cats, dtype=object), np.asarray(sel, dtype=object))
                    # a column without any value has no categories: every row is outside the base
                    hit_row = hit[np.maximum(codes, 0)] if len(hit) else np.zeros(len(codes), dtype=bool)
                    ind = np.where(codes < 0, -1, np.where(hit_row, 0, 1))
                    codes, cats = ind, ["+".join(map(str, sel))]
                    K_use = 1
                else:
                    K_use = len(cats)
                ok = codes >= 0
            else:
                y = self._numeric(var)
                ok = ~np.isnan(y)
                K_use, cats = 1, [None]
            base = ok & (dom >= 0) & (w > 0)
            dcode = np.where(base, dom, 0)
            wb = np.where(base, w, 0.0)
            N_d = np.bincount(dcode, weights=wb, minlength=ndom)
            n_d = np.bincount(dcode, weights=base.astype(float), minlength=ndom)
            if kind == "proportion":
                cell = np.where(base & (codes < K_use), dcode * K_use + np.clip(codes, 0, K_use - 1), -1)
                T = np.bincount(np.where(cell >= 0, cell, 0), weights=np.where(cell >= 0, wb, 0.0),
                                minlength=ndom * K_use).reshape(ndom, K_use)
                cnt = np.bincount(np.where(cell >= 0, cell, 0), weights=(cell >= 0).astype(float),
                                  minlength=ndom * K_use).reshape(ndom, K_use)
                with np.errstate(invalid="ignore", divide="ignore"):
                    est = T / N_d[:, None]
            else:
                yb = np.where(base, y, 0.0)
                T = np.bincount(dcode, weights=wb * yb, minlength=ndom)[:, None]
                cnt = n_d[:, None]
                with np.errstate(invalid="ignore", divide="ignore"):
                    est = T if kind == "total" else T / N_d[:, None]
            m = ndom * K_use
            if kind == "proportion" and self._element_psus():
                var_out = self._fast_proportion_variance(codes, K_use, dom, ndom, base, est, N_d, ctx).ravel()
            else:
                var_out = np.empty(m)
                cols_per_block = max(1, _CHUNK // max(self.n, 1))
                idx = np.flatnonzero(base)
                di = dom[idx]
                with np.errstate(invalid="ignore", divide="ignore"):
                    scale_i = np.where(N_d[di] > 0, w[idx] / N_d[di], 0.0)
                # influence columns, ordered (domain, level); built in blocks to bound memory
                for start in range(0, m, cols_per_block):
                    stop = min(m, start + cols_per_block)
                    Z = np.zeros((self.n, stop - start))
                    for k in range(K_use):
                        col = di * K_use + k - start
                        ok_c = (col >= 0) & (col < stop - start)
                        if kind == "proportion":
                            val = scale_i * ((codes[idx] == k) - est[di, k])
                        elif kind == "mean":
                            val = scale_i * (y[idx] - est[di, 0])
                        else:
                            val = w[idx] * y[idx]
                        Z[idx[ok_c], col[ok_c]] = val[ok_c]
                    var_out[start:stop] = self._variance(Z)
            se = np.sqrt(var_out).reshape(ndom, K_use)
            if df is not None:
                dfs = np.full(ndom, float(df))
            else:
                # R: degf of the subset design (PSUs with an answer minus their strata)
                if base.all():
                    if "df_full" not in ctx:
                        ctx["df_full"] = self._domains_df(base, dom, ndom)
                    dfs = ctx["df_full"]
                else:
                    dfs = self._domains_df(base, dom, ndom)
            block = {}
            if labels is not None:
                for c in labels.columns:
                    block[c] = np.repeat(labels[c].to_numpy(dtype=object), K_use)
            block["variable"] = np.full(ndom * K_use, var, dtype=object)
            if kind == "proportion":
                block["level"] = np.tile(np.asarray(cats, dtype=object), ndom)
            block.update(estimate=est.ravel().astype(float), se=se.ravel(), df=np.repeat(dfs, K_use),
                         n=np.repeat(n_d.astype(np.int64), K_use))
            if kind == "proportion":
                block["n_level"] = cnt.ravel().astype(np.int64)
            out.append(block)
        if not out or sum(len(b["variable"]) for b in out) == 0:
            return pd.concat([pd.DataFrame(b) for b in out], ignore_index=True) if out else pd.DataFrame()
        # one frame from the concatenated columns (not a frame per variable and a concat): the
        # same values and dtypes (object columns are inferred once, over all variables)
        cols = {c: np.concatenate([b[c] for b in out]) for c in out[0]}
        if kind == "proportion":
            lo, hi = design_interval(cols["estimate"], cols["se"], cols["df"], cols["n"], ci, level)
        else:
            t = t_quantile(level, cols["df"])
            lo, hi = cols["estimate"] - t * cols["se"], cols["estimate"] + t * cols["se"]
        lead = list(by or []) + ["variable"] + (["level"] if kind == "proportion" else [])
        res = pd.DataFrame({**{c: cols[c] for c in lead}, "estimate": cols["estimate"], "se": cols["se"],
                            "ci_low": lo, "ci_high": hi, "df": cols["df"], "n": cols["n"],
                            **({"n_level": cols["n_level"]} if kind == "proportion" else {})})
        if kind == "proportion":
            res["method"] = ci
        return res

    def _element_psus(self) -> bool:
        """True when every row is its own PSU (no cluster variable) and no later stage adds variance."""
        return self._ops()[5] is None and not self._stages

    def _domains_df(self, base: np.ndarray, dom: np.ndarray, ndom: int) -> np.ndarray:
        """Design df per domain: PSUs with a member in the base minus the strata they are in."""
        H = self.n_strata
        d = dom[base]
        strata_present = np.bincount(d * H + self._strata_codes[base], minlength=ndom * H).reshape(ndom, H) > 0
        if self._element_psus():
            n_psu = np.bincount(d, minlength=ndom)
        else:
            pairs = np.unique(d.astype(np.int64) * self.n_psu + self._psu[base])
            n_psu = np.bincount(pairs // self.n_psu, minlength=ndom)
        return (n_psu - strata_present.sum(axis=1)).astype(float)

    def _fast_proportion_variance(self, codes, K, dom, ndom, base, est, N_d, ctx=None) -> np.ndarray:
        """Variance of domain proportions for element designs without forming the influence matrix.

        Same quantity as :meth:`_variance` on the columns ``z = w (1[y=k] - p_dk) / N_d`` in domain
        ``d``: with the calibration residual ``r = z - B c`` (``c`` from the small linear
        recursion on ``A z``), every stratum sum ``sum r`` and ``sum r^2`` is a combination of
        weighted cross-tabulations of (domain, level, stratum, calibration group), computed with
        ``np.bincount``. Checked against the matrix route in ``tests/test_survey_closed.py``."""
        A, B, Kmat, offsets, order, _, _ = self._ops()
        H = self.n_strata
        full = bool(base.all())
        take = (lambda x: x) if full else (lambda x, i=np.flatnonzero(base): x[i])
        dd, kk, hh = take(dom), take(codes), take(self._strata_codes)
        ww = take(self._w)
        m = ndom * K
        p = np.nan_to_num(est)  # (ndom, K)
        with np.errstate(divide="ignore", invalid="ignore"):
            invN = np.where(N_d > 0, 1.0 / N_d, 0.0)
        inlev = kk < K  # with a selection of levels, code K marks "not selected"
        dk = dd * K + np.minimum(kk, K - 1)
        cell = dk * H + hh
        cache = ctx if (ctx is not None and full) else {}
        if "dh" not in cache:
            cache["dh"] = dd * H + hh
            cache["W"] = np.bincount(cache["dh"], ww, minlength=ndom * H).reshape(ndom, 1, H)
            cache["W2"] = np.bincount(cache["dh"], ww * ww, minlength=ndom * H).reshape(ndom, 1, H)
            cache["ww2"] = ww * ww
        dh, W, W2 = cache["dh"], cache["W"], cache["W2"]
        all_in = bool(inlev.all())
        wl = ww if all_in else np.where(inlev, ww, 0.0)
        T = np.bincount(cell, wl, minlength=m * H).reshape(ndom, K, H)
        T2 = np.bincount(cell, cache["ww2"] if all_in else wl * ww, minlength=m * H).reshape(ndom, K, H)
        pp = p[:, :, None]
        s_h = ((T - pp * W) * invN[:, None, None]).reshape(m, H).T  # (H, m)
        q_h = (((1 - 2 * pp) * T2 + pp * pp * W2) * (invN ** 2)[:, None, None]).reshape(m, H).T
        n_h = self._n_h
        with np.errstate(divide="ignore", invalid="ignore"):
            scale = np.where(n_h > 1, self._f_h * n_h / (n_h - 1), 0.0)
        if A is None:
            per = q_h - s_h * s_h / n_h[:, None]
            return np.maximum(scale @ per, 0.0).reshape(ndom, K)
        fast = self._fast_ops()
        Gtot = Kmat.shape[0]
        a = np.zeros((Gtot, m))
        b = np.zeros((H, Gtot, m))
        for j, (lo, hi) in enumerate(offsets):
            G = hi - lo
            g = take(fast["codes"][j])
            wa = take(fast["wa"][j])
            wb = take(fast["wb"][j])
            Aw = np.bincount(dk * G + g, wa if all_in else np.where(inlev, wa, 0.0), minlength=m * G).reshape(ndom, K, G)
            if ("Aw_tot", j) not in cache:
                cache[("Aw_tot", j)] = np.bincount(dd * G + g, wa, minlength=ndom * G).reshape(ndom, 1, G)
                cache[("Bw_tot", j)] = np.bincount(dh * G + g, wb, minlength=ndom * H * G).reshape(ndom, 1, H, G)
            Aw_tot, Bw_tot = cache[("Aw_tot", j)], cache[("Bw_tot", j)]
            aj = (Aw - p[:, :, None] * Aw_tot) * invN[:, None, None]
            a[lo:hi] = aj.reshape(m, G).T
            Bw = np.bincount(cell * G + g, wb if all_in else np.where(inlev, wb, 0.0), minlength=m * H * G).reshape(ndom, K, H, G)
            bj = (Bw - p[:, :, None, None] * Bw_tot) * invN[:, None, None, None]
            b[:, lo:hi, :] = bj.reshape(m, H, G).transpose(1, 2, 0)
        C = np.zeros_like(a)
        for j in order:
            lo, hi = offsets[j]
            C[lo:hi] += a[lo:hi] - Kmat[lo:hi] @ C
        cross = np.einsum("hgm,gm->hm", b, C)
        quad = np.einsum("hfm,fm->hm", np.einsum("hgf,gm->hfm", fast["Q"], C), C)
        rsum = s_h - fast["U"] @ C
        rsq = q_h - 2 * cross + quad
        per = rsq - rsum * rsum / n_h[:, None]
        return np.maximum(scale @ per, 0.0).reshape(ndom, K)

    def _fast_ops(self):
        """Per-margin row values and the stratum matrices ``U_h = 1_h' B``, ``Q_h = B_h' B_h``."""
        if getattr(self, "_fast_cache", None) is not None and self._fast_cache[0] is self._ops_cache:
            return self._fast_cache[1]
        A, B, Kmat, offsets, order, _, _ = self._ops()
        margins = [m for step in self._cal for m in step.margins]
        H, Gtot = self.n_strata, Kmat.shape[0]
        Hm = sp.csr_matrix((np.ones(self.n), (self._strata_codes, np.arange(self.n))), shape=(H, self.n))
        U = (Hm @ B).toarray()
        Q = np.zeros((H, Gtot, Gtot))
        for h in range(H):
            rows = np.flatnonzero(self._strata_codes == h)
            Bh = B[rows]
            Q[h] = (Bh.T @ Bh).toarray()
        fast = {"codes": [m.codes for m in margins], "wa": [self._w * m.a for m in margins],
                "wb": [self._w * m.b for m in margins], "U": U, "Q": Q}
        self._fast_cache = (self._ops_cache, fast)
        return fast

    # ------------------------------------------------------------------ estimators
    def mean(self, var: str | Sequence[str], *, level: float = 0.95, df: float | None = None) -> pd.DataFrame:
        """Weighted mean (R ``svymean``), missing values left out of the base (R ``na.rm=TRUE``,
        as a domain). Interval: ``estimate +/- t(df) se`` with df the design df of the respondents
        with a value (R ``degf`` of that subset; ``df=np.inf`` gives R's ``confint`` default, a
        normal quantile)."""
        return self._estimate("mean", _aslist(var), None, "wald", level, df=df)

    def total(self, var: str | Sequence[str], *, level: float = 0.95, df: float | None = None) -> pd.DataFrame:
        """Estimated population total (R ``svytotal``), missing values counted as 0 (R ``na.rm``)."""
        return self._estimate("total", _aslist(var), None, "wald", level, df=df)

    def proportion(self, var: str | Sequence[str], level=None, *, ci: str = "logit",
                   conf: float = 0.95, df: float | None = None) -> pd.DataFrame:
        """Proportion of each level of ``var`` (or of ``level``; a list of levels gives the
        proportion of their union, e.g. a top-2-box) among respondents with a value (missing
        values are outside the base). ``ci`` as R ``svyciprop``: ``logit`` (default), ``beta``
        (Korn-Graubard), ``wilson``, ``wald``; the intervals differ from R's on three documented
        points (module docstring: Wald clipped to [0, 1], Clopper-Pearson for an estimate of 0 or 1,
        Korn-Graubard with the domain's ``n`` in a domain of a calibrated design)."""
        _check_ci(ci)
        return self._estimate("proportion", _aslist(var), None, ci, conf, select=level, df=df)

    def levels(self, var: str) -> list:
        """The levels of ``var`` as the proportion estimators count them: the categories of a
        categorical column (also those nobody chose), else its distinct values, sorted."""
        return list(self._categorical(var)[1])

    def by(self, by: str | Sequence[str]) -> "DomainDesign":
        """Domain estimation (R ``svyby``): the same estimators per domain of ``by``."""
        by = _aslist(by)
        for c in by:
            if c not in self.data.columns:
                raise KeyError(f"variable {c!r} not in the data")
        return DomainDesign(self, by)

    # ------------------------------------------------------------------ generalised variance
    def variance_cells(self) -> np.ndarray:
        """A code per row: rows with the same code are exchangeable in every variance this design
        computes (the same first-stage stratum, the same sampled unit at every stage that is not the
        row itself, the same stratum within it, the same cell of every calibration margin and the
        same weight). A design's standard errors are functions of the answers summed per cell, so a
        cell with few answers is what they can give back; an unweighted, unstratified, unclustered
        design has one cell (its variance is a function of the share and the base)."""
        n = self.n
        parts = [self._strata_codes]
        if len(np.unique(self._psu)) < n:
            parts.append(self._psu)
        for stage in self._stages:
            parts.append(stage.unit if len(np.unique(stage.unit)) < n else stage.group[stage.unit])
        for step in self._cal:
            parts.extend(m.codes for m in step.margins)
        parts.append(pd.factorize(np.round(self._w, 9))[0])
        return pd.MultiIndex.from_arrays(parts).factorize()[0].astype(np.int64)

    def generalised_deff(self, icc: float = 0.05) -> float:
        """A design effect of the design alone, never of the answers: Kish's ``1 + CV²`` of the
        weights (``n Σw² / (Σw)²`` over the rows with a weight above 0), times the finite-population
        factor ``1 - f`` of a one-stage design with an fpc (``f`` the sampled share of its units; in a
        multistage design the later stages add variance that the first stage's fpc does not remove,
        and ``f`` is 0), times ``1 + (b - 1) icc`` in a clustered design (``b`` respondents per first-stage
        unit, ``icc`` an assumed intraclass correlation). Kish (1965) and the generalised variance
        functions of Wolter (2007, ch. 7); used by the survey report where exact variances would
        give answers back (:mod:`evaluatie.analyses.survey.weighted`)."""
        if not 0.0 <= icc <= 1.0:
            raise ValueError(f"icc must lie in [0, 1], not {icc}")
        w = self._w[self._w > 0]
        kish = len(w) * float(np.sum(w ** 2)) / float(np.sum(w)) ** 2
        f = 0.0
        if self._popsize_h is not None and not self._stages:  # later stages add variance the fpc does not remove
            f = float(self._n_h.sum() / np.sum(self._popsize_h))
        used = np.unique(self._psu[self._w > 0])
        clustered = len(used) < len(w)
        b = len(w) / len(used) if clustered else 1.0
        return kish * (1.0 - f) * (1.0 + (b - 1.0) * icc)

    # ------------------------------------------------------------------ tests
    def table(self, row: str, col: str) -> pd.DataFrame:
        """Weighted cross-table (R ``svytable``)."""
        sub = self.data[[row, col]].assign(_w=self._w)
        return sub.dropna().pivot_table(index=row, columns=col, values="_w", aggfunc="sum",
                                        fill_value=0.0, observed=True)

    def update(self, **columns) -> "SurveyDesign":
        """A copy of the design with added variables (R ``update.survey.design``): each keyword is a
        new column's name, its value a Series on the data's index (or an array of its length). The
        design itself (weights, strata, clusters, fpc, calibration) is unchanged; replacing an
        existing column is refused, since estimates already made with it would no longer match."""
        clash = [c for c in columns if c in self.data.columns]
        if clash:
            raise ValueError(f"update adds variables; {clash!r} already exist")
        new = self._copy()
        new.data = self.data.assign(**columns)
        new._cat_cache = dict(self._cat_cache)
        return new

    def chisq(self, row: str, col: str) -> pd.DataFrame:
        """Rao-Scott second-order corrected Pearson test of independence, F version (R
        ``svychisq(~row+col, design)``, its default ``statistic="F"``).

        ``X2`` is Pearson's statistic on the weighted table scaled to the number of respondents
        with both variables; ``Delta = (C' D^-1 C / N)^-1 C' D^-1 V D^-1 C`` with ``C`` the
        interaction contrasts, ``D`` the estimated cell proportions and ``V`` their design
        covariance. ``F = X2 / tr(Delta)`` on ``d0 = tr(Delta)^2 / tr(Delta^2)`` and ``d0 * df``
        degrees of freedom (Rao & Scott 1984). Returns one row: ``F, ndf, ddf, p_value, chisq, n``.
        """
        rc, rcats = self._categorical(row)
        cc, ccats = self._categorical(col)
        ok = (rc >= 0) & (cc >= 0) & (self._w > 0)
        nr, nc = len(rcats), len(ccats)
        cell = np.where(ok, rc + nr * cc, -1)
        w = np.where(ok, self._w, 0.0)
        Nw = w.sum()
        p = np.bincount(np.where(ok, cell, 0), weights=w, minlength=nr * nc) / Nw
        keep_r = p.reshape(nc, nr).sum(axis=0) > 0
        keep_c = p.reshape(nc, nr).sum(axis=1) > 0
        if keep_r.sum() < 2 or keep_c.sum() < 2:
            return pd.DataFrame([{"row": row, "col": col, "F": np.nan, "ndf": np.nan, "ddf": np.nan,
                                  "p_value": np.nan, "chisq": np.nan, "n": int(ok.sum())}])
        # drop empty margins (R's unique() of the observed values does the same)
        rmap = np.cumsum(keep_r) - 1
        cmap = np.cumsum(keep_c) - 1
        nr, nc = int(keep_r.sum()), int(keep_c.sum())
        cell = np.where(ok, rmap[np.maximum(rc, 0)] + nr * cmap[np.maximum(cc, 0)], -1)
        p = np.bincount(np.where(ok, cell, 0), weights=w, minlength=nr * nc) / Nw
        Z = np.zeros((self.n, nr * nc))
        Z[ok, :] = -p[None, :]
        Z[np.flatnonzero(ok), cell[ok]] += 1.0
        Z *= (w / Nw)[:, None]
        V = self._variance(Z, full=True)
        N = float(ok.sum())
        grid_r = np.tile(np.arange(nr), nc)
        grid_c = np.repeat(np.arange(nc), nr)
        X1 = np.column_stack([np.ones(nr * nc)] + [(grid_r == i).astype(float) for i in range(1, nr)]
                             + [(grid_c == j).astype(float) for j in range(1, nc)])
        X12 = np.column_stack([((grid_r == i) & (grid_c == j)).astype(float)
                               for j in range(1, nc) for i in range(1, nr)])
        coef, *_ = np.linalg.lstsq(X1, X12, rcond=None)
        Cm = X12 - X1 @ coef
        with np.errstate(divide="ignore"):
            idm = np.where(p == 0, 0.0, 1.0 / p)
        denom = Cm.T @ (idm[:, None] / N * Cm)
        numr = Cm.T @ (idm[:, None] * V * idm[None, :]) @ Cm
        Delta = np.linalg.solve(denom, numr)
        tr = np.trace(Delta)
        d0 = tr ** 2 / np.trace(Delta @ Delta)
        obs = N * p.reshape(nc, nr)
        exp = N * np.outer(p.reshape(nc, nr).sum(axis=1), p.reshape(nc, nr).sum(axis=0))
        X2 = float(np.sum((obs - exp) ** 2 / exp))
        nu = self._domain_df(ok)
        F = X2 / tr
        pval = float(stats.f.sf(F, d0, d0 * nu))
        return pd.DataFrame([{"row": row, "col": col, "F": F, "ndf": d0, "ddf": d0 * nu,
                              "p_value": pval, "chisq": X2, "n": int(N)}])

    # ------------------------------------------------------------------ calibration
    def _sample_table(self, codes: np.ndarray, ng: int) -> np.ndarray:
        return np.bincount(codes, weights=self._w, minlength=ng)

    def _post_margin(self, var: str, counts) -> tuple[_Margin, np.ndarray]:
        pop = _population_series(var, counts)
        codes, cats = _codes(self.data[var], self.file, var)
        labels = [str(c) for c in cats]
        unknown = sorted(set(labels) - set(pop.index))
        if unknown:
            raise DataError([Problem(self.file, None, var, u, f"een categorie uit de populatietabel ({private(', '.join(pop.index))})")
                             for u in unknown])
        popv = pop.reindex(labels).to_numpy(dtype=float)
        absent = [lvl for lvl in pop.index if lvl not in labels and pop[lvl] > 0]
        if absent:
            raise DataError(f"populatiecategorie(ën) {private(', '.join(absent))} van '{var}' komen niet voor in "
                            "de steekproef: voeg categorieën samen", file=self.file)
        return _Margin(codes, len(labels), np.zeros(0), np.zeros(0)), popv

    def poststratify(self, var: str, population_counts) -> "SurveyDesign":
        """Post-stratify on ``var`` to known population counts (R ``postStratify``).

        New weights ``w_i N_g / sum_g w``; variances from the residuals
        ``z_i - w_i * sum_g(z old_w/w) / sum_g old_w`` (R ``svyrecvar``), not from fixed weights.
        ``population_counts``: dict ``{level: count}``, Series, or DataFrame with ``var`` and ``Freq``.
        """
        m, popv = self._post_margin(var, population_counts)
        new = self._copy()
        oldw = self._w
        tab = self._sample_table(m.codes, m.ngroups)
        with np.errstate(divide="ignore", invalid="ignore"):
            g = np.where(tab > 0, popv / tab, 0.0)
        neww = oldw * g[m.codes]
        psw = np.where((neww == 0) & (oldw == 0), 1.0, neww)
        denom = np.bincount(m.codes, weights=oldw, minlength=m.ngroups)
        with np.errstate(divide="ignore", invalid="ignore"):
            a = np.where(psw > 0, oldw / psw, 0.0) / np.where(denom > 0, denom, 1.0)[m.codes]
        new._w = neww
        new._cal.append(_CalStep("post", [_Margin(m.codes, m.ngroups, a, psw)], 1))
        return new

    def rake(self, margins: Mapping[str, Any], *, epsilon: float = 1e-10, maxit: int = 100,
             sweeps: int = 10) -> "SurveyDesign":
        """Rake (iterative proportional fitting) to population margins (R ``rake``).

        ``margins``: ``{var: population_counts, ...}``. Iterates post-stratification on each
        margin until the weighted margins change by less than ``epsilon`` times the total weight.
        Variances from the raking residuals as R ``svyrecvar`` (``sweeps`` = 10 passes over the
        margins of ``z - w^(m) mean_g(z / w^(m))``).
        """
        if not margins:
            raise ValueError("rake needs at least one margin")
        prepared = [self._post_margin(var, counts) for var, counts in margins.items()]
        w = self._w.copy()
        tol = epsilon * max(w.sum(), 1.0)
        old = [np.bincount(m.codes, weights=w, minlength=m.ngroups) for m, _ in prepared]
        converged = False
        psws: list[np.ndarray] = []
        for _ in range(maxit):
            psws = []
            for m, popv in prepared:
                tab = np.bincount(m.codes, weights=w, minlength=m.ngroups)
                with np.errstate(divide="ignore", invalid="ignore"):
                    g = np.where(tab > 0, popv / tab, 0.0)
                w = w * g[m.codes]
                psws.append(w.copy())
            newt = [np.bincount(m.codes, weights=w, minlength=m.ngroups) for m, _ in prepared]
            delta = max(np.max(np.abs(a - b)) for a, b in zip(newt, old))
            old = newt
            if delta < tol:
                converged = True
                break
        if not converged:
            raise DataError(f"weging (raking) convergeert niet na {maxit} iteraties: controleer of de "
                            "populatiemarges samen kloppen (zelfde totaal) en of er lege cellen zijn",
                            file=self.file)
        new = self._copy()
        new._w = w
        margs = []
        for (m, _), psw in zip(prepared, psws):
            counts = np.bincount(m.codes, minlength=m.ngroups).astype(float)
            psw_safe = np.where(psw == 0, 1.0, psw)
            margs.append(_Margin(m.codes, m.ngroups, 1.0 / (counts[m.codes] * psw_safe), psw))
        new._cal.append(_CalStep("rake", margs, sweeps))
        return new


class DomainDesign:
    """Domain estimates (R ``svyby``): each estimator's frame has the domain as leading column(s)."""

    def __init__(self, design: SurveyDesign, by: list[str]):
        self.design = design
        self.by_vars = by

    def mean(self, var, *, level: float = 0.95, df: float | None = None) -> pd.DataFrame:
        return self.design._estimate("mean", _aslist(var), self.by_vars, "wald", level, df=df)

    def total(self, var, *, level: float = 0.95, df: float | None = None) -> pd.DataFrame:
        return self.design._estimate("total", _aslist(var), self.by_vars, "wald", level, df=df)

    def proportion(self, var, level=None, *, ci: str = "logit", conf: float = 0.95,
                   df: float | None = None) -> pd.DataFrame:
        """:meth:`SurveyDesign.proportion` per domain. The ``beta`` (Korn-Graubard) interval uses
        the domain's unweighted base as ``n``; in a calibrated design R uses the full sample's
        (a documented difference, see the module docstring)."""
        _check_ci(ci)
        return self.design._estimate("proportion", _aslist(var), self.by_vars, ci, conf, select=level, df=df)


def _stage_columns(value, role: str) -> list[str]:
    """``cluster``/``fpc`` as a list of column names, one per stage (``[]`` when not given)."""
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    cols = list(value)
    if not cols or not all(isinstance(c, str) for c in cols):
        raise UnsupportedDesign(f"{role} must be a column name or a list of column names, one per sampling stage")
    return cols


def _refuse_unsupported(pps, repweights) -> None:
    """One clear message for each design input this module does not estimate."""
    if pps is not None and pps is not False:
        raise UnsupportedDesign(
            "PPS sampling without replacement (R svydesign(pps=...): Brewer, Overton, Horvitz-Thompson with "
            "joint inclusion probabilities) is not supported. Give the inclusion weights as weights= and leave "
            "fpc out: the first stage is then treated as sampled with replacement, which overstates the "
            "variance slightly when the sampling fractions are small")
    if repweights is not None:
        raise UnsupportedDesign(
            "replicate weights (R svrepdesign: JK1, JKn, BRR, Fay, bootstrap) are not supported: variances come "
            "from Taylor linearisation of the design. Give the design itself instead: weights=, strata=, "
            "cluster= (one column per stage) and fpc= (one per stage); a file that only has replicate weights "
            "cannot be analysed here")


def _aslist(v) -> list:
    if isinstance(v, str):
        return [v]
    return list(v)


def _row(r):
    return int(r) if isinstance(r, (int, np.integer)) else None


# --------------------------------------------------------------------------- calibration inputs

def gvf_chisq(shares, bases, deff: float, df: float) -> pd.DataFrame:
    """The test of equal shares over ``G`` groups from the groups' shares and unweighted bases
    alone, with one generalised design effect ``deff``: Pearson's ``X² = Σ n_g (p_g - p̄)² /
    (p̄ (1 - p̄))`` (``p̄ = Σ n_g p_g / Σ n_g``), ``F = X² / ((G - 1) deff)`` on ``G - 1`` and
    ``(G - 1) df`` degrees of freedom: R ``svychisq``'s F when its design effect matrix is
    ``deff · I`` (Rao & Scott 1984, first-order). Groups without a base are left out; with fewer
    than two left, or ``p̄`` 0 or 1, there is no test (missing). One row like
    :meth:`SurveyDesign.chisq`: ``F, ndf, ddf, p_value, chisq, n``."""
    p = np.asarray(shares, dtype=float)
    n = np.asarray(bases, dtype=float)
    ok = (n > 0) & np.isfinite(p) & np.isfinite(n)
    p, n = p[ok], n[ok]
    G, N = len(p), float(n.sum())
    none = {"F": np.nan, "ndf": np.nan, "ddf": np.nan, "p_value": np.nan, "chisq": np.nan, "n": int(N)}
    if G < 2 or not deff > 0:
        return pd.DataFrame([none])
    pbar = float(np.sum(n * p) / N)
    if not 0.0 < pbar < 1.0:
        return pd.DataFrame([none])
    x2 = float(np.sum(n * (p - pbar) ** 2) / (pbar * (1.0 - pbar)))
    F = x2 / ((G - 1) * deff)
    ndf, ddf = float(G - 1), float((G - 1) * df)
    return pd.DataFrame([{"F": F, "ndf": ndf, "ddf": ddf, "p_value": float(stats.f.sf(F, ndf, ddf)), "chisq": x2,
                          "n": int(N)}])


def frame_margins(frame: pd.DataFrame, margins: Sequence[str], count: str) -> dict[str, pd.Series]:
    """Population margins from a frame table (one row per cell, ``count`` = units in the cell):
    ``{margin: Series(level -> population count)}``, the input of :meth:`SurveyDesign.rake`.
    Every count must be a whole number of 0 or more and every row must have a level of every
    margin; otherwise a :class:`DataError` names each row (nothing is dropped)."""
    missing = [c for c in list(margins) + [count] if c not in frame.columns]
    if missing:
        raise DataError([Problem(None, None, c, None, f"een kolom '{c}' in het populatiekader") for c in missing])
    n = _frame_counts(frame[count])
    file = (frame.attrs.get("source") or {}).get("file")  # as read_table names it
    problems = [Problem(file, _row_number(r), m, None, "een niveau; elke rij van het populatiekader hoort bij "
                        "een niveau van elke weegvariabele")
                for m in margins for r in frame.index[frame[m].isna().to_numpy()]]
    bad = n.isna() | (n < 0) | (n != n.round())
    problems += [Problem(file, _row_number(r), count, v, "een aantal: een geheel getal van 0 of meer "
                         "(het aantal eenheden in deze cel van het kader)")
                 for r, v in zip(frame.index[bad.to_numpy()], frame[count][bad.to_numpy()])]
    if problems:
        raise DataError(sorted(problems, key=lambda p: p.row or 0))
    frame = frame.assign(**{count: n})
    return {m: frame.groupby(m, observed=True)[count].sum().astype(float) for m in margins}


def _frame_counts(values: pd.Series) -> pd.Series:
    """The frame's counts as floats (NaN where empty or no number): numbers as they are, text
    through the one number parser; a percentage (``50%``) or an amount (``€ 50``) is no count."""
    if pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
        return values.astype(float)
    text = values.astype("str")
    return parse_numbers(text).values.mask(text.str.contains("[%€]", regex=True).fillna(False).astype(bool))


def _row_number(label) -> int | None:
    """The user's row number when the frame was read by read_table (its index), else None."""
    return int(label) if isinstance(label, (int, np.integer)) else None
