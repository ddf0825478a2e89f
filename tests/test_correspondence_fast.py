"""Faster algorithms in evaluatie.analyses.correspondence against the ones they replaced (old vs new equal).

Each replaced computation is kept as the reference (statsmodels, or the previous row-level code
written out here) and the fast one must give the same numbers on designs that exercise it:
1:1 pairs, several applications per side, covariates, several waves, subgroups."""

from __future__ import annotations

import functools

import numpy as np
import pandas as pd
import pytest

from evaluatie.analyses import correspondence as cs

from test_correspondence_stats import _study  # noqa: E402  (tests/ is on sys.path under pytest)


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

@pytest.mark.parametrize("per_side,seed,chunk", [((1, 1), 1, 2_000_000), (((1, 4), (1, 4)), 2, 2_000_000),
                                                 (((1, 3), (2, 5)), 3, 1000)])
def test_bootstrap_by_counts_is_identical_to_row_sums(per_side, seed, chunk):
    """Same seed, same draws, bit-identical intervals and SE (also when drawn in several blocks)."""
    s = _study(n_vac=90, per_side=per_side, seed=seed)
    p = cs._pairs_t(cs._tables(s), s.waves[0], "etniciteit", "b", "a")
    new = cs._bootstrap(p, 999, np.random.default_rng(11), 0.95, chunk=chunk)
    old = cs._bootstrap_rows(p, 999, np.random.default_rng(11), 0.95, chunk=chunk)
    assert tuple(map(float, new)) == tuple(map(float, old))


def test_default_report_bootstrap_numbers_unchanged():
    """The default (synthetic) data with 999 replicates and the default seed: the bootstrap
    columns equal those of the row-sum bootstrap exactly, comparison by comparison, with one
    generator shared in the report's order."""
    import yaml

    from evaluatie.core.paths import root

    spec = yaml.safe_load((root() / "params" / "correspondentietest.yaml").read_text(encoding="utf-8"))["parameters"]
    st = cs.load(spec["data"], data_followup=spec["data_followup"], waves=spec["waves"], columns=spec["columns"],
                 reference_groups=spec["reference_groups"], groups=spec["groups"])
    got = cs.compare_groups(st, bootstrap=999, seed=spec["seed"])
    rng = np.random.default_rng(spec["seed"])
    T = cs._tables(st)
    for _, r in got.iterrows():
        p = cs._pairs_t(T, r["wave"], r["ground"], r["group"], r["reference"])
        dl, dh, dse, rl, rh = cs._bootstrap_rows(p, 999, rng, 0.95)
        assert (r["difference_boot_low"], r["difference_boot_high"], r["difference_boot_se_pp"]) == (100 * dl, 100 * dh, 100 * dse)
        assert (r["relative_callback_boot_low"], r["relative_callback_boot_high"]) == (rl, rh)


# --------------------------------------------------------------------------- input: _finish

def _finish_old(out, reference_groups, ledgers, groups=None, waves=None):
    """The previous string-joining implementation of ``cs._finish`` (reference)."""
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


@functools.lru_cache(maxsize=1)
def _default_study():
    """The default (synthetic) two-wave study; cached, and never modified by the tests."""
    import yaml

    from evaluatie.core.paths import root

    spec = yaml.safe_load((root() / "params" / "correspondentietest.yaml").read_text(encoding="utf-8"))["parameters"]
    return cs.load(spec["data"], data_followup=spec["data_followup"], waves=spec["waves"], columns=spec["columns"],
                   reference_groups=spec["reference_groups"], groups=spec["groups"])


@pytest.mark.parametrize("which", ["default", "several", "three_grounds_shuffled"])
def test_finish_by_codes_equals_string_join(which):
    if which == "default":
        st, groups = _default_study(), None
    elif which == "several":
        st, groups = _study(n_vac=50, per_side=((1, 3), (2, 5)), seed=3), None
    else:
        st = _default_study()
        groups = {"leeftijd": ["ouder (50 jaar)"]}
    raw = st.data.drop(columns="cluster").astype({"wave": str, "ground": str, "group": str})
    if which == "three_grounds_shuffled":
        raw = raw.sample(frac=1.0, random_state=1)
        raw["vacancy"] = raw["vacancy"].str[-3:]  # ids that repeat across waves
    for waves in (None, list(reversed(st.waves))):
        new = cs._finish(raw, st.reference_groups, [], groups, waves)
        old = _finish_old(raw, st.reference_groups, [], groups, waves)
        pd.testing.assert_frame_equal(new.data, old.data)
        assert new.reference_groups == old.reference_groups and new.waves == old.waves


# --------------------------------------------------------------------------- models: rows and design

def _design_matrix_old(d, ground, ref, covariates, interact=None):
    """The previous string-comparing design matrix (reference)."""
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
    for c in covariates or []:
        s = d[c]
        lv = sorted(pd.unique(s.astype(str)))
        for l in lv[1:]:
            cols.append((s.astype(str).to_numpy() == l).astype(float))
            names.append(f"{c}[{l}]")
    return np.column_stack(cols), names


def test_model_rows_and_design_equal_the_string_version():
    st = _default_study()
    for g in st.reference_groups:
        ref = st.reference_groups[g]
        for wave, interact in ((st.waves[0], None), (None, st.waves[1])):
            old_d = st.data[st.data["ground"] == g]
            if wave is not None:
                old_d = old_d[old_d["wave"] == wave]
            new_d = cs._rows(st.data, g, wave, ["outcome", "province"])
            pd.testing.assert_frame_equal(new_d, old_d[new_d.columns])
            Xn, nn = cs._design_matrix(new_d, g, ref, ["province"], interact)
            Xo, no = _design_matrix_old(old_d, g, ref, ["province"], interact)
            assert nn == no and np.array_equal(Xn, Xo)


# --------------------------------------------------------------------------- heterogeneity

@pytest.mark.parametrize("which", ["default", "several"])
def test_subgroup_sums_equal_the_rows_of_each_level(which):
    """The level × vacancy bincount gives, level by level, exactly the _Pairs of that level's rows."""
    if which == "default":
        st, var = _default_study(), "province"
    else:
        st, var = _study(n_vac=60, per_side=((1, 3), (2, 5)), seed=3), "size"
    for w in st.waves:
        dw = st.data[st.data["wave"] == w]
        vals = dw[var].astype(str)
        levels = sorted(pd.unique(vals))
        lcode = pd.Categorical(vals, categories=levels).codes.astype(np.int64)
        fast = cs._level_pairs(dw, lcode, len(levels), st.comparisons)
        for li, lv in enumerate(levels):
            d = dw[vals.to_numpy() == lv]
            for (g, k, ref), per_level in zip(st.comparisons, fast):
                a, b = per_level(li), cs._pairs(d, g, k, ref)
                for f in ("n_r", "y_r", "n_k", "y_k"):
                    assert np.array_equal(getattr(a, f), getattr(b, f))


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
    import yaml

    from evaluatie.core.paths import root, resolve

    spec = yaml.safe_load((root() / "params" / "correspondentietest.yaml").read_text(encoding="utf-8"))["parameters"]
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
