"""Faster algorithms in evaluatie.analyses.correspondence against the ones they replaced (old vs new equal).

Each replaced computation is kept as the reference (statsmodels, or the previous row-level code
written out here) and the public function that uses the fast one must give the same numbers on
designs that exercise it: 1:1 pairs, several applications per side, covariates, several waves,
subgroups, many and large vacancies."""

from __future__ import annotations

import functools

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
import yaml

from evaluatie.analyses import correspondence as cs
from evaluatie.core.paths import resolve, root

from test_correspondence_stats import _study  # noqa: E402  (tests/ is on sys.path under pytest)


def _default_spec():
    return yaml.safe_load((root() / "params" / "correspondentietest.yaml").read_text(encoding="utf-8"))["parameters"]


@functools.lru_cache(maxsize=1)
def _default_study():
    """The default (synthetic) two-wave study; cached, and never modified by the tests."""
    spec = _default_spec()
    return cs.load(spec["data"], data_followup=spec["data_followup"], waves=spec["waves"], columns=spec["columns"],
                   reference_groups=spec["reference_groups"], groups=spec["groups"])


# --------------------------------------------------------------------------- conditional logit

@pytest.mark.parametrize("kw", [dict(n_vac=300, seed=4), dict(n_vac=60, per_side=((1, 4), (1, 4)), seed=2, covariate=True),
                                dict(n_vac=80, per_side=(2, 2), seed=3, covariate=True),
                                dict(n_vac=50, per_side=((1, 3), (2, 5)), seed=5)])
def test_conditional_logit_newton_equals_statsmodels(kw):
    """Array Newton with the exact Hessian vs statsmodels ConditionalLogit (the old code path):
    coefficients to 1e-9; SEs to 1e-6 (statsmodels differentiates its score numerically)."""
    s = _study(**kw)
    covs = ["quality"] if kw.get("covariate") else None
    old = cs.conditional_logit(s, "etniciteit", covariates=covs, method="statsmodels")
    new = cs.conditional_logit(s, "etniciteit", covariates=covs)
    assert list(new["term"]) == list(old["term"])
    assert np.allclose(new["log_or"], old["log_or"], rtol=1e-9, atol=1e-12)
    assert np.allclose(new["se"], old["se"], rtol=1e-6)
    assert np.allclose(new["p"], old["p"], rtol=1e-5, atol=1e-12)


def test_conditional_logit_exact_closed_form_for_pairs():
    s = _study(n_vac=300, seed=4)
    pc = cs.paired_counts(s).iloc[0]
    cl = cs.conditional_logit(s, "etniciteit").iloc[0]
    b, c = pc["only_reference"], pc["only_group"]
    assert cl["odds_ratio"] == pytest.approx(c / b, rel=1e-12)
    assert cl["se"] == pytest.approx(np.sqrt(1 / b + 1 / c), rel=1e-10)


def test_conditional_logit_separation_falls_back_to_statsmodels():
    """No vacancy where only the group was called back: the MLE does not exist; the result is
    then exactly what statsmodels gives (the old behaviour)."""
    rows = []
    for v in range(30):
        rows += [{"vacancy": v, "group": "a", "outcome": int(v % 3 == 0)}, {"vacancy": v, "group": "b", "outcome": 0}]
    s = cs.prepare(pd.DataFrame(rows), reference_groups={"e": "a"}, ground="e")
    new = cs.conditional_logit(s, "e")
    old = cs.conditional_logit(s, "e", method="statsmodels")
    pd.testing.assert_frame_equal(new, old)


# --------------------------------------------------------------------------- bootstrap

def _pairs_of_rows(d, wave, ground, group, ref):
    """Per vacancy with both sides, in cluster order: positive reactions and applications of the
    reference and of the group (y_r, n_r, y_k, n_k), summed from the rows."""
    sub = d[((d["wave"] == wave) & (d["ground"] == ground) & d["group"].isin([ref, group])).to_numpy()]
    agg = sub.groupby(["cluster", "group"], observed=True)["outcome"].agg(["sum", "size"]).unstack("group")
    agg = agg.dropna(subset=[("size", ref), ("size", group)])
    return tuple(agg[(c, g)].to_numpy(dtype=float) for c, g in (("sum", ref), ("size", ref), ("sum", group),
                                                                 ("size", group)))


def _bootstrap_rows(pairs, reps, rng, conf=0.95, chunk=2_000_000):
    """The previous cluster bootstrap (reference): draw G vacancies with replacement per replicate
    (``rng.integers(0, G, (b, G))`` in blocks of at most ``chunk`` draws), gather the drawn
    vacancies' sums and add them up; percentile intervals and the SE of the difference."""
    y_r, n_r, y_k, n_k = pairs
    G = len(n_r)
    a = (1 - conf) / 2
    diffs, ratios = [], []
    block = max(1, min(reps, chunk // max(G, 1)))
    done = 0
    while done < reps:
        b = min(block, reps - done)
        idx = rng.integers(0, G, size=(b, G))
        yr, nr, yk, nk = (c[idx].sum(axis=1) for c in (y_r, n_r, y_k, n_k))
        with np.errstate(divide="ignore", invalid="ignore"):
            diffs.append(yk / nk - yr / nr)
            ratios.append((yk / nk) / (yr / nr))
        done += b
    d = np.concatenate(diffs)
    r = np.concatenate(ratios)
    r = r[np.isfinite(r)]
    return (np.quantile(d, a), np.quantile(d, 1 - a), float(np.std(d, ddof=1)),
            *(np.quantile(r, [a, 1 - a]) if len(r) else (np.nan, np.nan)))


def _assert_bootstrap_is_the_row_sum_one(study, got, reps, seed):
    """Every comparison's bootstrap columns equal the row-sum bootstrap's exactly, with one
    generator shared in the order of the rows (the order compare_groups draws in)."""
    rng = np.random.default_rng(seed)
    for _, r in got.iterrows():
        pairs = _pairs_of_rows(study.data, r["wave"], r["ground"], r["group"], r["reference"])
        assert len(pairs[0]) == r["vacancies"]
        dl, dh, dse, rl, rh = _bootstrap_rows(pairs, reps, rng)
        assert (r["difference_boot_low"], r["difference_boot_high"], r["difference_boot_se_pp"]) == (100 * dl, 100 * dh, 100 * dse)
        assert (r["relative_callback_boot_low"], r["relative_callback_boot_high"]) == (rl, rh)


def _study_of_counts(vacancies, most, seed):
    """One ground, reference 'a' and group 'b', 1 to ``most`` applications per side and vacancy
    (built as arrays: many vacancies)."""
    rng = np.random.default_rng(seed)
    n = rng.integers(1, most + 1, size=2 * vacancies)
    vac = np.repeat(np.repeat(np.arange(vacancies), 2), n)
    side = np.repeat(np.tile([0, 1], vacancies), n)
    reacts = np.repeat(rng.random(vacancies) < 0.6, 2)[np.repeat(np.arange(2 * vacancies), n)]
    y = (reacts & (rng.random(len(vac)) < np.where(side == 0, 0.5, 0.4))).astype(int)
    df = pd.DataFrame({"vacancy": vac.astype(str), "group": np.array(["a", "b"])[side], "outcome": y,
                       "application": np.arange(len(vac)).astype(str)})
    return cs.prepare(df, reference_groups={"e": "a"}, ground="e")


@pytest.mark.parametrize("design", ["pairs", "several", "many_vacancies", "large_vacancies"])
def test_bootstrap_by_counts_is_identical_to_row_sums(design):
    """Same seed, same draws, bit-identical intervals and SE: with 1:1 pairs and several
    applications per side (counts packed into one integer), with 3,000 vacancies (drawn in two
    blocks) and with up to 25 applications per side (sums beyond 16 bits: counted per distinct
    vacancy instead)."""
    study = {"pairs": lambda: _study(n_vac=90, seed=1),
             "several": lambda: _study(n_vac=90, per_side=((1, 3), (2, 5)), seed=3),
             "many_vacancies": lambda: _study_of_counts(3000, 1, seed=4),
             "large_vacancies": lambda: _study_of_counts(3000, 25, seed=5)}[design]()
    got = cs.compare_groups(study, bootstrap=999, seed=11)
    assert len(got) == 1
    _assert_bootstrap_is_the_row_sum_one(study, got, 999, 11)


def test_default_report_bootstrap_numbers_unchanged():
    """The default (synthetic) data with 999 replicates and the default seed: the bootstrap
    columns equal those of the row-sum bootstrap exactly, comparison by comparison, with one
    generator shared in the report's order."""
    spec = _default_spec()
    st = _default_study()
    got = cs.compare_groups(st, bootstrap=999, seed=spec["seed"])
    assert len(got) == 6
    _assert_bootstrap_is_the_row_sum_one(st, got, 999, spec["seed"])


# --------------------------------------------------------------------------- input: assembling a study

def _finish_old(out, reference_groups, ledgers, groups=None, waves=None):
    """The previous string-joining assembly of a study (reference): categories for wave, ground
    and group, clusters numbered by joining wave and vacancy as strings."""
    out = out.copy()
    waves = list(waves) if waves is not None else list(dict.fromkeys(out["wave"].astype(str)))
    out["wave"] = pd.Categorical(out["wave"].astype(str), categories=waves)
    grounds = [g for g in reference_groups if g in set(out["ground"].astype(str))]
    out["ground"] = pd.Categorical(out["ground"].astype(str), categories=grounds)
    labels = []
    for g in grounds:
        ref = reference_groups[g]
        present = set(out.loc[out["ground"] == g, "group"].astype(str))
        order = [ref] + ([str(x) for x in groups[g]] if groups and g in groups else sorted(present - {ref}))
        labels += [x for x in order if x in present and x not in labels]
    out["group"] = pd.Categorical(out["group"].astype(str), categories=labels)
    out["cluster"] = pd.factorize(out["wave"].astype(str) + "\x1f" + out["vacancy"].astype(str))[0]
    out["outcome"] = out["outcome"].astype(np.int8)
    return cs.Study(out, {g: reference_groups[g] for g in grounds}, list(ledgers), waves)


def _as_rows(data, shuffled=False):
    """A study's rows as they are before assembly (wave, ground, group as text, no clusters);
    ``shuffled``: in random order, and the vacancy ids without their wave letter, so the same
    ids occur in both waves."""
    raw = data.drop(columns="cluster").astype({"wave": str, "ground": str, "group": str})
    if shuffled:
        raw = raw.sample(frac=1.0, random_state=1)
        raw["vacancy"] = raw["vacancy"].str[1:]
    return raw


@pytest.mark.parametrize("which", ["default", "several", "shuffled"])
def test_combine_assembles_like_the_string_join(which):
    """combine() (categories and clusters from integer codes) = the string-joining assembly, in
    both wave orders."""
    st = _study(n_vac=50, per_side=((1, 3), (2, 5)), seed=3) if which == "several" else _default_study()
    raw = _as_rows(st.data, shuffled=which == "shuffled")
    for waves in (st.waves, list(reversed(st.waves))):
        new = cs.combine([cs.Study(raw, st.reference_groups, [], st.waves)], waves=waves)
        old = _finish_old(raw.reset_index(drop=True), st.reference_groups, [], None, waves)
        pd.testing.assert_frame_equal(new.data, old.data)
        assert new.reference_groups == old.reference_groups and new.waves == old.waves


def test_prepare_orders_waves_and_declared_groups_like_the_string_join():
    """prepare() on one file with its own wave column (rows shuffled, the same vacancy ids in both
    waves): waves in order of appearance, declared groups after the reference, clusters per wave
    and vacancy, as the string-joining assembly gives them for the same checked rows."""
    st = _default_study()
    raw = _as_rows(st.data, shuffled=True)
    groups = {"leeftijd": ["ouder (50 jaar)"]}
    new = cs.prepare(raw, reference_groups=st.reference_groups, groups=groups)
    checked = _as_rows(cs.prepare(raw, reference_groups=st.reference_groups).data)
    old = _finish_old(checked, st.reference_groups, [], groups, None)
    pd.testing.assert_frame_equal(new.data, old.data)
    assert new.reference_groups == old.reference_groups and new.waves == old.waves
    assert new.data["cluster"].nunique() == st.data["cluster"].nunique()


# --------------------------------------------------------------------------- models: rows and design

def _design_matrix_old(d, ref, covariates=(), interact=None):
    """The previous string-comparing design matrix (reference): group dummies, group × wave
    dummies, covariate dummies against their first level."""
    groups = [k for k in d["group"].cat.categories if k != ref and (d["group"] == k).any()]
    cols, names = [], []
    gcodes = d["group"].astype(str).to_numpy()
    for k in groups:
        cols.append((gcodes == k).astype(float))
        names.append(f"group[{k}]")
    if interact is not None:
        wv = d["wave"].astype(str).to_numpy() == interact
        for k in groups:
            cols.append(((gcodes == k) & wv).astype(float))
            names.append(f"group[{k}]:wave[{interact}]")
    for c in covariates:
        s = d[c]
        lv = sorted(pd.unique(s.astype(str)))
        for l in lv[1:]:
            cols.append((s.astype(str).to_numpy() == l).astype(float))
            names.append(f"{c}[{l}]")
    return np.column_stack(cols), names


def _assert_lpm_is_ols_with_vacancy_dummies(st, ground, *, wave=None, interact=None, covariates=()):
    """lpm_fe on the rows of one ground (and wave) = statsmodels OLS of the outcome on the old
    design matrix plus vacancy dummies: same terms, coefficients and (fixest-corrected) SEs."""
    ours = cs.lpm_fe(st, ground, wave=wave, interact_wave=interact, covariates=list(covariates) or None)
    d = st.data[st.data["ground"] == ground]
    if wave is not None:
        d = d[d["wave"] == wave]
    X, names = _design_matrix_old(d, st.reference_groups[ground], covariates, interact)
    assert list(ours["term"]) == names
    D = pd.get_dummies(d["cluster"].to_numpy(), dtype=float).to_numpy()
    cl = d["cluster"].to_numpy()
    fit = sm.OLS(d["outcome"].to_numpy(dtype=float), np.column_stack([X, D])).fit(
        cov_type="cluster", cov_kwds={"groups": cl, "use_correction": False})
    N, G, K = len(d), len(np.unique(cl)), X.shape[1]
    corr = np.sqrt(G / (G - 1) * (N - 1) / (N - (K + 1)))  # fixest: nested vacancy effect counts 1
    assert np.allclose(ours["coef"], fit.params[:K], rtol=0, atol=1e-9)
    assert np.allclose(ours["se"], corr * fit.bse[:K], rtol=0, atol=1e-9)


def test_model_rows_and_design_equal_the_string_version():
    """The models take their rows and design by category codes; on every 8th vacancy of the
    default data (three grounds, two waves; fewer vacancy dummies for the reference) per ground and
    wave, and per ground with the wave interaction, they equal OLS on the string-compared design."""
    full = _default_study()
    st = cs.Study(full.data[(full.data["cluster"] % 8 == 0).to_numpy()], full.reference_groups, [], full.waves)
    for g in st.reference_groups:
        _assert_lpm_is_ols_with_vacancy_dummies(st, g, wave=st.waves[0])
        _assert_lpm_is_ols_with_vacancy_dummies(st, g, interact=st.waves[1])
    # a covariate that is constant within vacancies is absorbed by the fixed effects
    fit = cs.lpm_fe(full, "leeftijd", wave=full.waves[1], covariates=["province"])
    assert list(fit["term"]) == ["group[ouder (50 jaar)]"] and fit.attrs["dropped_covariates"] == ["province"]


def test_model_design_with_covariate_and_wave_interaction_equals_the_string_version():
    a = _study(n_vac=40, per_side=((1, 4), (1, 4)), seed=12, covariate=True)
    b = _study(n_vac=40, per_side=((1, 4), (1, 4)), seed=13, covariate=True, p=(0.35, 0.3))
    a.data["wave"], b.data["wave"] = "nul", "vervolg"
    a.waves, b.waves = ["nul"], ["vervolg"]
    st = cs.combine([a, b])
    _assert_lpm_is_ols_with_vacancy_dummies(st, "etniciteit", interact="vervolg", covariates=["quality"])


# --------------------------------------------------------------------------- heterogeneity

@pytest.mark.parametrize("which", ["default", "several"])
def test_subgroup_estimates_equal_the_comparison_on_each_level_alone(which):
    """heterogeneity() (sums per level × vacancy for every comparison in one pass) gives, level by
    level, what compare_groups gives on that level's rows alone."""
    if which == "default":
        st, var = _default_study(), "province"
    else:
        st, var = _study(n_vac=60, per_side=((1, 3), (2, 5)), seed=3), "size"
    same = [("vacancies", "vacancies"), ("callbacks_reference", "callbacks_reference"), ("callbacks", "callbacks")]
    close = [("rate_reference", "rate_reference"), ("rate", "rate"), ("difference_pp", "difference_pp"),
             ("difference_ci_low", "difference_ci_low"), ("difference_ci_high", "difference_ci_high"),
             ("relative_callback", "relative_callback"), ("p", "difference_p")]
    checked = 0
    for w in st.waves:
        het = cs.heterogeneity(st, [var], wave=w, threshold=1)  # threshold 1: nothing suppressed
        assert not het["suppressed"].any()
        in_w = (st.data["wave"] == w).to_numpy()
        for lv, h in het.groupby("level"):
            d = st.data[in_w & (st.data[var].astype(str) == lv).to_numpy()]
            cmp = cs.compare_groups(cs.Study(d, st.reference_groups, [], [w])).set_index(["ground", "group"])
            assert sorted(zip(h["ground"], h["group"])) == sorted(cmp.index)
            for _, r in h.iterrows():
                e = cmp.loc[(r["ground"], r["group"])]
                assert [int(r[a]) for a, _ in same] == [int(e[b]) for _, b in same]
                assert [r[a] for a, _ in close] == pytest.approx([e[b] for _, b in close], rel=1e-12, abs=1e-15)
                checked += 1
    assert checked == {"default": 30, "several": 2}[which]  # 5 provinces x 3 comparisons x 2 waves


# --------------------------------------------------------------------------- power curves

def _power_curves_old(cmp, reductions_pp, n_max=5000, alpha=0.05):
    """The previous row-by-row construction (reference)."""
    n = np.unique(np.linspace(20, n_max, 120).astype(int))
    rows = []
    for _, r in cmp.iterrows():
        p10, p01 = r["only_reference"] / r["vacancies"], r["only_group"] / r["vacancies"]
        sign = -1 if p10 >= p01 else 1
        for red in reductions_pp:
            try:
                pw = cs.wave_change_power(n, sign * abs(red), p_only_reference=p10, p_only_group=p01,
                                          n_base=r["vacancies"], alpha=alpha)
            except ValueError:
                continue
            rows += [{"ground": r["ground"], "group": r["group"], "reduction_pp": red, "vacancies": int(x),
                      "power": float(y)} for x, y in zip(n, pw)]
    return pd.DataFrame(rows)


@pytest.mark.parametrize("reductions", [[2, 4, 6], [1.5, 3], [40]])
def test_power_curves_by_columns_equal_row_by_row(reductions):
    st = _default_study()
    disc = cs.discrimination_table(st)
    for sub in (disc, disc[disc["difference_pp"] < 0], disc.iloc[:0]):
        new = cs.power_curves(sub, reductions, cap_at_gap=False)
        old = _power_curves_old(sub, reductions)
        pd.testing.assert_frame_equal(new, old)


# --------------------------------------------------------------------------- load: two files assembled once

@pytest.mark.parametrize("case", ["default", "no_waves", "ground_only_in_followup"])
def test_two_files_assembled_once_equal_combine_of_studies(tmp_path, case):
    """load() with a follow-up file = combine() of the two files' own studies (the old path):
    same rows, clusters, categories, reference groups (order included), waves and ledgers."""
    spec = _default_spec()
    f1, f2 = spec["data"], spec["data_followup"]
    if case == "ground_only_in_followup":  # the first file lacks 'etniciteit', the first reference ground
        d = pd.read_csv(resolve(f1), dtype=str, keep_default_na=False)
        f1 = tmp_path / "nul.csv"
        d[d["grond"] != "etniciteit"].to_csv(f1, index=False)
        f1 = str(f1)
    waves = None if case == "no_waves" else spec["waves"]
    kw = dict(columns=spec["columns"], reference_groups=spec["reference_groups"], groups=spec["groups"])
    new = cs.load(f1, data_followup=f2, waves=waves, **kw)
    a = cs.read_applications(f1, wave=waves[0] if waves else None, **kw)
    b = cs.read_applications(f2, wave=waves[1] if waves else "vervolgmeting", **kw)
    old = cs.combine([a, b], waves=waves)
    pd.testing.assert_frame_equal(new.data, old.data)
    assert list(new.reference_groups.items()) == list(old.reference_groups.items())
    assert new.waves == old.waves
    assert [l.to_frame().to_dict() for l in new.ledgers] == [l.to_frame().to_dict() for l in old.ledgers]
