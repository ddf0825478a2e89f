"""The covariates of the correspondence test's regression model (issue 15; the auditor's case c5).

Before: a covariate named in the parameter ``covariates`` (not mapped under ``columns``) was never
checked, so one free text in a column of ages became a level of its own, and the model published a
term named after that cell with the effect of that one application (−82 pp, in the HTML, the CSV and
the workbook). Now:

* a covariate is a column of the file, filled in on every row, and a column of numbers holds only
  numbers — else a :class:`DataError` naming the file, row and column, never the cell;
* a covariate's term is identified by the vacancies where it differs between the applications (the
  vacancy's fixed effect absorbs the rest): a level found in fewer than ``threshold`` such vacancies
  (or with 1 to ``threshold`` − 1 positive reactions on a side there), the module's rule for a
  subgroup, gets no term and no name of its own (pooled as 'overige', or counted with the reference
  level); a numeric covariate whose term is that small is left out of the model.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from evaluatie.analyses import correspondence as cs
from evaluatie.analyses.correspondence.protection import POOLED, covariate_terms
from evaluatie.core.errors import DataError

REPO = Path(__file__).resolve().parents[1]
OWN = REPO / "tests" / "data" / "own_correspondence" / "studie.xlsx"
COLUMNS = {"vacancy": "vacature", "ground": "grond", "group": "groep", "outcome": "reactie", "sector": "sector"}
REFERENCE = {"herkomst": "Belgische naam", "geslacht": "man"}
SECRET = "x'ZZMc5Q\" belde over zijn burn-out"
T = 5


def _own(tmp_path: Path, change, name: str = "studie.csv") -> str:
    df = pd.read_excel(OWN, dtype=str)
    change(df)
    df.to_csv(tmp_path / name, sep=";", index=False)
    return str(tmp_path / name)


def _ages(df: pd.DataFrame) -> None:
    df["leeftijd"] = "30"


# --------------------------------------------------------------------------- reading

def test_text_in_a_numeric_covariate_is_an_input_error_without_the_cell(tmp_path):
    """The auditor's case c5: 'leeftijd' is 30 in every row but one, named in 'covariates' only."""
    def c5(df):
        df["leeftijd"] = "30"
        df.loc[9, "leeftijd"] = SECRET

    path = _own(tmp_path, c5)
    with pytest.raises(DataError) as e:
        cs.load(path, columns=COLUMNS, reference_groups=REFERENCE, covariates=["leeftijd"])
    (p,) = e.value.problems
    assert (Path(p.file).name, p.row, p.column) == ("studie.csv", 11, "leeftijd")  # header = row 1
    assert "een getal" in p.expected
    assert "ZZM" not in str(e.value) and "burn-out" not in str(e.value)
    # the same column without the text cell is a numeric covariate
    st = cs.load(_own(tmp_path, _ages, "ok.csv"), columns=COLUMNS, reference_groups=REFERENCE, covariates=["leeftijd"])
    assert pd.api.types.is_numeric_dtype(st.data["leeftijd"])


def test_an_empty_covariate_and_a_covariate_not_in_the_file_are_input_errors(tmp_path):
    def empty(df):
        df["leeftijd"] = "30"
        df.loc[4, "leeftijd"] = ""

    path = _own(tmp_path, empty)
    with pytest.raises(DataError) as e:
        cs.load(path, columns=COLUMNS, reference_groups=REFERENCE, covariates=["leeftijd", "opleiding"])
    where = [(p.row, p.column) for p in e.value.problems]
    assert where == [(6, "leeftijd"), (None, "opleiding")], where
    assert "covariates" in str(e.value)
    # a covariate under its standard name is looked up through 'columns'
    st = cs.load(_own(tmp_path, _ages, "ok.csv"),
                 columns={**COLUMNS, "age": "leeftijd"}, reference_groups=REFERENCE, covariates=["age"])
    assert "age" in st.data.columns


# --------------------------------------------------------------------------- the terms of a model

def _study(n=40, seed=3, template=None) -> cs.Study:
    """``n`` vacancies, each one application of 'a' (reference) and one of 'b'; a covariate 'tpl'
    (A or B at random per application, or ``template(vacancy, side, rng)``) and 'age' (30)."""
    rng = np.random.default_rng(seed)
    rows = []
    for v in range(n):
        for side, lab in enumerate(("a", "b")):
            rows.append({"vacancy": f"v{v:02d}", "group": lab, "outcome": int(rng.random() < (0.5, 0.3)[side]),
                         "tpl": template(v, side, rng) if template else rng.choice(["A", "B"]), "age": 30.0})
    df = pd.DataFrame(rows)
    df.index = pd.RangeIndex(2, len(df) + 2)
    return cs.prepare(df, reference_groups={"e": "a"}, ground="e")


def _set(st: cs.Study, where, **values) -> cs.Study:
    d = st.data.copy()
    for c, v in values.items():
        if not pd.api.types.is_numeric_dtype(d[c]):
            d[c] = d[c].astype(object)
        d.loc[where(d), c] = v
    return cs.Study(d, st.reference_groups, st.ledgers, st.waves)


def _terms(reg: pd.DataFrame) -> list[str]:
    return reg["term"].tolist()


def test_a_level_of_one_application_has_no_term_and_no_name():
    st = _set(_study(), lambda d: d.index == d.index[9], tpl=SECRET)
    old = cs.regression_table(st, ["tpl"], threshold=None)  # the estimator alone: the leak the rule closes
    assert f"tpl: {SECRET}" in _terms(old)
    reg = cs.regression_table(st, ["tpl"])  # the report's default threshold (5)
    assert _terms(reg) == ["b", "tpl: B"]
    assert reg.attrs["covariate_changes"] == [{"wave": st.waves[0], "ground": "e", "covariate": "tpl",
                                               "change": "reference"}]
    # the application counts with the reference level: the published group gap is that model's
    as_ref = _set(st, lambda d: d["tpl"] == SECRET, tpl="A")
    same = cs.lpm_fe(as_ref, "e", covariates=["tpl"]).set_index("term")
    assert reg.set_index("term").loc["b", "coef"] == pytest.approx(same.loc["group[b]", "coef"], abs=1e-12)
    assert reg.set_index("term").loc["b", "coef"] != pytest.approx(old.set_index("term").loc["b", "coef"], abs=1e-6)
    # the exported discrimination table's model coefficient follows the same decision
    disc = cs.discrimination_table(st, covariates=["tpl"])
    assert disc["lpm_coef"].iloc[0] == pytest.approx(same.loc["group[b]", "coef"], abs=1e-12)


def test_small_levels_together_as_overige_when_that_is_big_enough():
    # C in vacancies 0-2, D in 3-5: each in 3 vacancies, together in 6; there the level's application
    # got a positive reaction and the other none (6 and 0 on the two sides: not small)
    def tpl(v, side, rng):
        return ("C" if v < 3 else "D") if v < 6 and side == 1 else "A" if v < 6 else rng.choice(["A", "B"])

    st = _study(template=tpl)
    st = _set(st, lambda d: d["vacancy"].isin([f"v{v:02d}" for v in range(6)]).to_numpy(), outcome=0)
    st = _set(st, lambda d: d["tpl"].isin(["C", "D"]).to_numpy(), outcome=1)
    reg = cs.regression_table(st, ["tpl"], {"tpl": "sjabloon"})
    assert _terms(reg) == ["b", "sjabloon: B", f"sjabloon: {POOLED}"]
    assert [c["change"] for c in reg.attrs["covariate_changes"]] == ["pooled"]
    # with one of them left, the level alone is small: counted with the reference
    st3 = _set(st, lambda d: (d["tpl"] == "D").to_numpy(), tpl="A")
    assert _terms(cs.regression_table(st3, ["tpl"])) == ["b", "tpl: B"]


def test_a_level_of_the_data_named_overige_is_not_mixed_with_the_small_ones():
    # as above, but level B of the data is called 'overige': the small levels C and D go to the
    # reference, so the published 'overige' term is that level's alone
    def tpl(v, side, rng):
        return ("C" if v < 3 else "D") if v < 6 and side == 1 else "A" if v < 6 else rng.choice(["A", POOLED])

    st = _study(template=tpl)
    st = _set(st, lambda d: d["vacancy"].isin([f"v{v:02d}" for v in range(6)]).to_numpy(), outcome=0)
    st = _set(st, lambda d: d["tpl"].isin(["C", "D"]).to_numpy(), outcome=1)
    reg = cs.regression_table(st, ["tpl"])
    assert _terms(reg) == ["b", f"tpl: {POOLED}"]
    assert [c["change"] for c in reg.attrs["covariate_changes"]] == ["reference"]


def test_positive_reactions_on_a_side_follow_the_rule_for_a_subgroup():
    # level C in 10 vacancies (enough), but its applications there have 2 positive reactions
    def tpl(v, side, rng):
        return "C" if v < 10 and side == 1 else rng.choice(["A", "B"])

    st = _study(template=tpl)
    st = _set(st, lambda d: (d["tpl"] == "C").to_numpy(), outcome=0)
    st = _set(st, lambda d: (d["tpl"] == "C").to_numpy() & np.isin(d["vacancy"], ["v00", "v01"]), outcome=1)
    assert "tpl: C" not in _terms(cs.regression_table(st, ["tpl"]))
    st = _set(st, lambda d: (d["tpl"] == "C").to_numpy() & np.isin(d["vacancy"], ["v02", "v03", "v04"]), outcome=1)
    assert "tpl: C" in _terms(cs.regression_table(st, ["tpl"]))  # 5 positive reactions: shown


def test_the_reference_level_is_never_a_small_one():
    # '0 vrij' sorts before 'A': as the reference, every other term would compare with its one application
    st = _set(_study(), lambda d: d.index == d.index[3], tpl="0 vrij")
    assert _terms(cs.regression_table(st, ["tpl"], threshold=None))[1:] == ["tpl: A", "tpl: B"]
    decided = covariate_terms(st.data, ["tpl"], T)
    assert decided.levels["tpl"] == ["A", "B"] and decided.changed == {"tpl": "reference"}
    assert _terms(cs.regression_table(st, ["tpl"])) == ["b", "tpl: B"]


def test_a_numeric_covariate_that_varies_in_few_vacancies_is_left_out():
    st = _set(_study(), lambda d: np.isin(d.index, d.index[[1, 5, 9]]), age=31.0)  # 3 vacancies
    assert "age" in _terms(cs.regression_table(st, ["age"], threshold=None))
    reg = cs.regression_table(st, ["age"])
    assert _terms(reg) == ["b"]
    assert reg.attrs["covariate_changes"][0]["change"] == "dropped"
    note = cs.covariate_note(reg, {"age": "leeftijd"}, T)
    assert "leeftijd (niet in het model opgenomen)" in note and "minstens 5 vacatures" in note
    # varying in every vacancy, with positive reactions on both sides: a term
    wide = _set(st, lambda d: np.arange(len(d)) % 3 == 0, age=50.0)
    assert "age" in _terms(cs.regression_table(wide, ["age"]))
    assert cs.regression_table(wide, ["age"]).attrs["covariate_changes"] == []


def test_a_covariate_constant_within_vacancies_is_left_to_the_model():
    st = _study(template=lambda v, side, rng: "klein" if v % 7 else "groot")  # groot: 6 vacancies, never varies
    decided = covariate_terms(st.data, ["tpl"], T)
    assert decided.covariates == ("tpl",) and decided.changed == {}
    assert _terms(cs.regression_table(st, ["tpl"])) == ["b"]  # absorbed by the fixed effects, as before


def test_the_note_names_covariates_never_a_level():
    st = _set(_study(), lambda d: d.index == d.index[9], tpl=SECRET)
    reg = cs.regression_table(st, ["tpl", "age"])
    note = cs.covariate_note(reg, {"tpl": "cv-sjabloon"}, T)
    assert "cv-sjabloon (kleinere waarden meegeteld met de referentiewaarde" in note
    assert "ZZM" not in note and not re.search(r"\bage\b", note)
    assert cs.covariate_note(cs.regression_table(_study(), ["tpl"]), {}, T) == ""
