"""Classification of kansengroepen from personnel microdata, against hand-made rows.

Every expected value below is worked out by hand from the official definitions (2016-2020 plan,
section 3; decree of 24/12/2004 for the pre-2016 ones) as documented in
``evaluatie.analyses.targets.personnel``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from evaluatie.analyses import targets as T
from evaluatie.analyses.targets import personnel as P
from evaluatie.core.errors import DataError
from evaluatie.publish.disclosure import decision
from evaluatie.simulate.personnel import simulate_personnel

NAT = ("nationality", "first_nationality", "father_first_nationality", "mother_first_nationality")


# --------------------------------------------------------------------------- age and experienced workers

def test_age_birthday_on_reference_date_counts():
    age = P.age_at(["1961-12-31", "1962-01-01", "1961-12-30"], "2016-12-31")
    assert age.tolist() == [55, 54, 55]


def test_age_leap_day_birth_reached_on_1_march():
    age = P.age_at(["1960-02-29"] * 3, ["2015-02-28", "2015-03-01", "2016-02-29"])
    assert age.tolist() == [54, 55, 56]


def test_age_missing_is_nan():
    assert np.isnan(P.age_at([None], "2016-12-31")[0])


def test_experienced_threshold_45_before_2016_and_55_from_2016():
    # the 2016 switch: same person (50 years old) is experienced on 31/12/2015, not on 1/1/2016
    assert P.experienced(["1965-06-01"], "2015-12-31").tolist() == [True]
    assert P.experienced(["1965-06-01"], "2016-01-01").tolist() == [False]
    # 45th birthday on the reference date (old definition)
    assert P.experienced(["1970-12-31", "1971-01-01"], "2015-12-31").tolist() == [True, False]
    # 55th birthday on the reference date (new definition)
    assert P.experienced(["1961-12-31", "1962-01-01"], "2016-12-31").tolist() == [True, False]
    # forcing a definition
    assert P.experienced(["1965-06-01"], "2020-12-31", definition="old_2004").tolist() == [True]
    assert P.experienced(["1965-06-01"], "2020-12-31", definition="new_2016").tolist() == [True]
    assert P.experienced(["1966-06-01"], "2020-12-31", definition="new_2016").tolist() == [False]


def test_definition_in_force_switches_on_1_january_2016():
    assert P.definition_in_force(["2015-12-31", "2016-01-01"]).tolist() == ["old", "new"]


# --------------------------------------------------------------------------- foreign origin (from 2016)

@pytest.mark.parametrize("row, expected", [
    (("BE", "BE", "BE", "BE"), False),              # Belgian on all four criteria
    (("BE", "BE", "MA", "BE"), True),               # Belgian-born Belgian, father's first nationality Moroccan
    (("BE", "BE", "BE", "NL"), True),               # mother Dutch: EU counts too since 2016
    (("BE", "TR", "TR", "TR"), True),               # naturalised Belgian
    (("FR", "FR", "BE", "BE"), True),               # current nationality non-Belgian
    (("BE", "BE", None, "BE"), False),              # unknown father: no evidence, not foreign origin
    (("BE", "BE", "onbekend", "ZZ"), False),        # unknown tokens
    ((None, None, None, None), False),              # nothing known
    (("BE", "BE", None, "CD"), True),               # unknown father, Congolese mother
    (("bel", "België", "be", "Belg"), False),       # Belgian aliases, any case
    (("XX", "XX", "BE", "BE"), True),               # stateless is non-Belgian
])
def test_foreign_origin_four_criteria(row, expected):
    out = P.foreign_origin(*[[v] for v in row])
    assert out.tolist() == [expected]


def test_nationality_status_and_invalid_code():
    assert P.nationality_status(["BE", "ma", None, "ZZ", "XX", "YU"]).tolist() == [0, 1, -1, -1, 1, 1]
    with pytest.raises(ValueError):
        P.nationality_status(["Belgique123"])


# --------------------------------------------------------------------------- migration background (before 2016)

def _mb(row, date, **kw):
    return P.migration_background(*[[v] for v in row], date, **kw).tolist()[0]


@pytest.mark.parametrize("row, date, expected", [
    (("BE", "BE", "BE", "BE"), "2014-12-31", False),
    (("NL", "NL", "NL", "NL"), "2014-12-31", False),   # EU national: no migration background (old def)
    (("BE", "BE", "MA", "BE"), "2014-12-31", True),    # one non-EU parent
    (("BE", "BE", "BE", "TR"), "2014-12-31", True),
    (("BE", "MA", "BE", "BE"), "2014-12-31", True),    # first nationality non-EU
    (("US", "US", "US", "US"), "2014-12-31", True),    # non-EU national
    (("HR", "HR", "HR", "HR"), "2012-12-31", True),    # Croatia joined the EU on 1/7/2013
    (("HR", "HR", "HR", "HR"), "2013-12-31", False),
    (("BE", "BE", None, None), "2014-12-31", False),   # unknown parents: no evidence
    (("XX", "XX", "BE", "BE"), "2014-12-31", True),    # stateless: non-EU
])
def test_migration_background_non_eu_rule(row, date, expected):
    assert _mb(row, date) is expected


def test_migration_background_eu_on_reference_date_vs_eu15():
    pl = ("PL", "PL", "PL", "PL")
    assert _mb(pl, "2012-12-31") is False                 # Poland in the EU since 2004
    assert _mb(pl, "2012-12-31", eu="eu15") is True       # but not EU-15
    gb = ("GB", "GB", "GB", "GB")
    assert _mb(gb, "2019-12-31") is False
    assert _mb(gb, "2020-12-31") is True                  # left the EU on 1/2/2020
    assert P.is_eu_member("GB", "2020-01-31") and not P.is_eu_member("GB", "2020-02-01")


def test_migration_background_grandparents_only_when_given():
    be = [["BE"]] * 4
    assert P.migration_background(*be, "2014-12-31", grandparents_non_eu=[2]).tolist() == [True]
    assert P.migration_background(*be, "2014-12-31", grandparents_non_eu=[1]).tolist() == [False]
    assert P.migration_background(*be, "2014-12-31").tolist() == [False]


# --------------------------------------------------------------------------- disability

def test_disability_categories_by_definition():
    cats = [None, 0, 1, 2, 3, 4, 5, 6, 7, 8]
    old = [False, False, True, True, True, True, True, False, False, False]
    new = [False, False, True, True, True, True, True, True, True, True]
    assert P.disability(cats, "2015-12-31").tolist() == old          # before 2016: 6 old = new 1-5
    assert P.disability(cats, "2016-01-01").tolist() == new          # from 2016: 8 categories
    assert P.disability(cats, definition="old_2004").tolist() == old
    assert P.disability(cats, definition="new_2016").tolist() == new


# --------------------------------------------------------------------------- low-educated, management

def test_low_educated_level_d_and_education_with_fallback():
    level = ["D", "C", "D", "A", "C"]
    edu = ["secondary", "lower_secondary", None, "higher", None]
    assert P.low_educated(level).tolist() == [True, False, True, False, False]
    assert P.low_educated(level, edu, method="education").tolist() == [False, True, True, False, False]


def test_unqualified_young_up_to_and_including_24():
    low = np.array([True, True, False])
    out = P.unqualified_young(low, ["1992-12-31", "1991-12-31", "1995-01-01"], "2016-12-31")
    assert out.tolist() == [True, False, False]  # 24, 25 (birthday on the date), not low-educated


def test_management_from_grade_default_and_custom():
    assert P.management_from_grade(["A4", "a3", "A2", "A1", None]).tolist() == ["top", "middle", "lower", "none", "none"]
    assert P.management_from_grade(["X9"], {"X9": "top"}).tolist() == ["top"]


# --------------------------------------------------------------------------- prepare: errors and ledger

def _rows() -> pd.DataFrame:
    """Eight hand-made rows on two reference dates (2015-12-31 and 2016-12-31)."""
    df = pd.DataFrame({
        "employee_id": [1, 2, 3, 4, 1, 2, 3, 5],
        "date": ["2015-12-31"] * 4 + ["2016-12-31"] * 4,
        "entity": ["E1", "E1", "E2", "E2", "E1", "E1", "E2", "E2"],
        "policy_domain": ["D1"] * 8,
        "sex": ["F", "M", "F", "M", "F", "M", "F", "F"],
        "birth_date": ["1970-12-31", "1961-12-31", "1990-06-01", "1980-01-01",
                       "1970-12-31", "1961-12-31", "1990-06-01", "1992-12-31"],
        "nationality": ["BE", "BE", "NL", "BE", "BE", "BE", "NL", "BE"],
        "first_nationality": ["BE", "BE", "NL", "MA", "BE", "BE", "NL", "BE"],
        "father_first_nationality": ["BE", "TR", "NL", "MA", "BE", "TR", "NL", "BE"],
        "mother_first_nationality": ["BE", "BE", "NL", "MA", "BE", "BE", "NL", None],
        "disability_category": [0, 6, 2, 0, 0, 6, 2, 0],
        "level": ["A", "D", "C", "D", "A", "D", "C", "D"],
        "management": ["top", "none", "none", "none", "top", "none", "none", "none"],
    }, index=range(2, 10))
    return df


def test_aggregate_official_definitions_by_date_hand_computed():
    tab, led = P.aggregate(_rows(), by=("date", "group"), threshold=0)
    got = {(r.year, r.group, r.definition): (r.numerator, r.denominator) for r in tab.itertuples()}
    # 2015 (old definitions): 4 employees
    assert got[(2015, "migration_background", "old_non_eu")] == (2, 4)   # TR father (2), MA (4); NL not
    assert got[(2015, "disability_chronic_illness", "old_2004")] == (1, 4)  # cat 2 only; cat 6 is new
    assert got[(2015, "experienced_45plus", "old_2004")] == (2, 4)        # 45 on the day (1), 54 (2)
    assert got[(2015, "low_educated", "old_2004")] == (2, 4)
    assert got[(2015, "women_total", "")] == (2, 4)
    assert got[(2015, "women_top", "")] == (1, 1)
    assert (2015, "foreign_origin", "new_2016") not in got
    # 2016 (new definitions): 4 employees
    assert got[(2016, "foreign_origin", "new_2016")] == (2, 4)            # TR father (2), NL (3); 5: unknown mother
    assert got[(2016, "disability_chronic_illness", "new_2016")] == (2, 4)  # cat 6 counts now
    assert got[(2016, "experienced_55plus", "new_2016")] == (1, 4)        # 55 on 31/12/2016 (2)
    assert got[(2016, "unqualified_young", "new_2016")] == (1, 4)         # 5: level D, 24 years
    assert got[(2016, "women_total", "")] == (3, 4)
    assert (2016, "migration_background", "old_non_eu") not in got
    assert (2016, "experienced_45plus", "old_2004") not in got
    assert led.read == 8 and led.analysed == 8
    row = tab[(tab.year == 2016) & (tab.group == "foreign_origin")].iloc[0]
    assert row.share_pct == pytest.approx(50.0)


def test_aggregate_both_definitions_gives_overlap():
    tab, _ = P.aggregate(_rows(), by=("date", "group"), threshold=0, definitions="both")
    got = {(r.year, r.group, r.definition): r.numerator for r in tab.itertuples()}
    assert got[(2016, "migration_background", "old_non_eu")] == 1   # only the TR father
    assert got[(2016, "foreign_origin", "new_2016")] == 2
    assert got[(2015, "foreign_origin", "new_2016")] == 3            # TR father, NL, MA
    assert got[(2016, "disability_chronic_illness", "old_2004")] == 1


def test_aggregate_by_entity_includes_policy_domain_and_matches_classify():
    df = _rows()
    tab, _ = P.aggregate(df, by=("date", "entity", "group"), threshold=0)
    assert list(tab.columns[:4]) == ["date", "year", "policy_domain", "entity"]
    cls = P.classify(df)
    sub = cls[cls["date"] == pd.Timestamp("2016-12-31")]
    n_e2 = int(sub.loc[sub.index.isin([6, 7]), "foreign_origin"].sum())  # E2 rows on 2016: ids 3, 5
    r = tab[(tab.year == 2016) & (tab.entity == "E2") & (tab.group == "foreign_origin")].iloc[0]
    assert (r.numerator, r.denominator) == (n_e2, 2) == (1, 2)


def test_classify_marks_inapplicable_definitions_missing():
    cls = P.classify(_rows())
    assert cls["foreign_origin"].isna().sum() == 4          # the 2015 rows
    assert cls["migration_background"].isna().sum() == 4    # the 2016 rows
    assert cls["women_top"].notna().sum() == 2              # top management rows only


def test_ledger_excludes_missing_values_and_duplicates():
    df = _rows()
    extra = pd.DataFrame({
        "employee_id": [2, 6, 7, None, 8],
        "date": ["2016-12-31", "2016-12-31", "2016-12-31", "2016-12-31", ""],
        "entity": ["E1", "E1", "E1", "E1", "E1"],
        "policy_domain": ["D1"] * 5,
        "sex": ["M", None, "F", "F", "F"],
        "birth_date": ["1961-12-31", "1980-01-01", None, "1980-01-01", "1980-01-01"],
        "nationality": ["BE"] * 5, "first_nationality": ["BE"] * 5,
        "father_first_nationality": ["BE"] * 5, "mother_first_nationality": ["BE"] * 5,
        "disability_category": [0] * 5, "level": ["A"] * 5, "management": ["none"] * 5,
    }, index=range(10, 15))
    both = pd.concat([df, extra])
    tab, led = P.aggregate(both, by=("date", "group"), threshold=0)
    assert led.read == 13
    assert led.exclusions == {
        "personeelsnummer ontbreekt": 1,
        "peildatum ontbreekt": 1,
        "geboortedatum ontbreekt": 1,
        "geslacht ontbreekt": 1,
        "dubbel: zelfde personeelslid op dezelfde peildatum": 1,
    }
    assert led.analysed == 8
    assert tab[(tab.year == 2016) & (tab.group == "women_total")].denominator.item() == 4


def test_duplicate_keeps_first_row_in_file_order():
    df = _rows().iloc[[4, 5, 6, 7]].copy()
    dup = df.iloc[[0]].copy()
    dup["sex"] = "M"
    both = pd.concat([dup, df])  # the duplicate (a man) comes first: it is kept
    tab, led = P.aggregate(both, by=("date", "group"), threshold=0)
    assert led.exclusions == {"dubbel: zelfde personeelslid op dezelfde peildatum": 1}
    assert tab[tab.group == "women_total"].numerator.item() == 2


def test_invalid_values_raise_dutch_dataerror_with_row_and_column():
    df = _rows()
    df.loc[3, "sex"] = "Q"
    df.loc[5, "nationality"] = "Belgique"
    df.loc[6, "disability_category"] = 9
    df.loc[7, "birth_date"] = "2010-01-01"  # 5 years old on the reference date
    with pytest.raises(DataError) as exc:
        P.aggregate(df, file="personeel.csv")
    probs = {(p.row, p.column) for p in exc.value.problems}
    assert probs == {(3, "sex"), (5, "nationality"), (6, "disability_category"), (7, "birth_date")}
    msg = str(exc.value)
    assert "personeel.csv" in msg and "rij 5" in msg and "kolom 'nationality'" in msg and "verwacht" in msg


def test_missing_required_column_and_mapping():
    df = _rows().rename(columns={"employee_id": "Personeelsnummer", "birth_date": "geboortedatum"})
    with pytest.raises(DataError) as exc:
        P.aggregate(df)
    assert {p.column for p in exc.value.problems} == {"employee_id", "birth_date"}
    tab, led = P.aggregate(df, columns={"employee_id": "personeelsnummer",  # case-insensitive match
                                        "birth_date": "geboortedatum"}, threshold=0)
    assert led.analysed == 8


def test_other_layout_dutch_values_and_grade():
    df = pd.DataFrame({
        "persnr": ["a1", "a2", "a3"],
        "peildatum": ["31/12/2020", "31-12-2020", "2020-12-31"],
        "entiteit": [" E1", "E1 ", "E1"],
        "geslacht": ["V", "man", "vrouw"],
        "geboren": ["01/01/1960", "15/06/1990", "31/12/1965"],
        "rang": ["A4", "A3", "B1"],
        "handicap": ["", "7", None],
    }, index=range(2, 5))
    tab, led = P.aggregate(df, by=("date", "entity", "group"), threshold=0, columns={
        "employee_id": "persnr", "date": "peildatum", "entity": "entiteit", "sex": "geslacht",
        "birth_date": "geboren", "grade": "rang", "disability_category": "handicap"})
    got = {r.group: (r.numerator, r.denominator) for r in tab.itertuples()}
    assert got["women_total"] == (2, 3)
    assert got["women_top"] == (1, 1) and got["women_middle"] == (0, 1)
    assert got["disability_chronic_illness"] == (1, 3)
    assert got["experienced_55plus"] == (2, 3)   # 60 and 55 (birthday on the date)
    assert set(tab.entity) == {"E1"}
    assert "foreign_origin" in tab.attrs["skipped_groups"]


def test_suppression_of_small_cells():
    tab, _ = P.aggregate(_rows(), by=("date", "group"), threshold=5)
    assert tab.attrs["suppression_threshold"] == 5
    sup = tab.attrs["suppressed"]
    assert sup["share_pct"].all()          # every cell here has fewer than 5 persons in or out
    assert tab["numerator"].isna().all() and tab["denominator"].notna().all()
    tab0, _ = P.aggregate(_rows(), by=("date", "group"), threshold=0)
    assert tab0["numerator"].notna().all() and decision(tab0) is None  # no decision: nothing to publish


def test_aggregate_file_parquet_and_csv(tmp_path):
    df = _rows()
    pq = tmp_path / "p.parquet"
    df.assign(date=pd.to_datetime(df["date"]), birth_date=pd.to_datetime(df["birth_date"]),
              extra_col="not needed").to_parquet(pq)
    t1, l1 = P.aggregate_file(pq, by=("date", "group"), threshold=0)
    t0, _ = P.aggregate(df, by=("date", "group"), threshold=0)
    pd.testing.assert_frame_equal(t1.reset_index(drop=True), t0.reset_index(drop=True), check_dtype=False)
    assert l1.read == 8
    csv = tmp_path / "p.csv"
    df.to_csv(csv, sep=";", index=False)
    t2, l2 = P.aggregate_file(csv, by=("date", "group"), threshold=0)
    pd.testing.assert_frame_equal(t2[["group", "numerator", "denominator"]], t0[["group", "numerator", "denominator"]],
                                  check_dtype=False)
    assert l2.source == "p.csv" or l2.source.endswith("p.csv")


def test_schema_declares_standard_columns():
    names = [c.name for c in P.SCHEMA.columns]
    assert names == list(P.STANDARD_COLUMNS)
    # entity is required unless prepare() is given the entity_name of a one-organisation file
    assert {c.name for c in P.SCHEMA.columns if c.required} == set(P.REQUIRED_COLUMNS) - {"entity"}


@pytest.mark.parametrize("definitions, method", [("official", "level_d"), ("both", "education"),
                                                 ("old", "level_d"), ("new", "education")])
def test_aggregate_equals_row_level_classification(definitions, method):
    """The fast aggregation (bincounts over code combinations) gives exactly the counts of the
    row-level classification grouped with pandas, on synthetic data spanning the 2016 switch."""
    sim = simulate_personnel(seed=3, scale=0.02)
    old = sim[sim["date"] == sim["date"].min()].copy()
    old["date"] = pd.Timestamp("2015-12-31")                       # a pre-2016 snapshot
    df = pd.concat([old, sim], ignore_index=True)
    rng = np.random.default_rng(0)
    df["grandparents_non_eu"] = rng.choice([0, 1, 2], size=len(df), p=[0.9, 0.05, 0.05])
    df["education_level"] = df["education_level"].astype(object).where(rng.random(len(df)) > 0.1, None)
    df["nationality"] = df["nationality"].astype(object).where(rng.random(len(df)) > 0.02, None)
    df["nationality"] = df["nationality"].where(rng.random(len(df)) > 0.01, "HR")  # EU from 7/2013
    tab, _ = P.aggregate(df, by=("date", "entity", "group"), threshold=0, definitions=definitions,
                         low_educated_method=method)
    cls = P.classify(df, definitions=definitions, low_educated_method=method)
    cls["entity"] = df["entity"].astype(str).to_numpy()
    groups = [c for c in cls.columns if c not in ("employee_id", "date", "management", "entity")]
    expect = []
    for g in groups:
        col = cls[g]
        sub = cls[col.notna()]
        agg = sub.groupby(["date", "entity"])[g].agg(["sum", "size"]).reset_index()
        group, _, definition = g.partition("__")
        expect.append(agg.assign(group=group, definition=definition))
    exp = pd.concat(expect).rename(columns={"sum": "numerator", "size": "denominator"})
    if definitions == "official":  # one column per group; the definition follows the date
        defs = tab[["group", "date", "definition"]].drop_duplicates()
        exp = exp.drop(columns="definition").merge(defs, on=["group", "date"])
    key = ["date", "entity", "group", "definition"]
    got = tab[key + ["numerator", "denominator"]].assign(entity=tab["entity"].astype(str))
    m = got.merge(exp[key + ["numerator", "denominator"]], on=key, how="outer", suffixes=("", "_rows"),
                  indicator=True)
    assert (m["_merge"] == "both").all(), m[m["_merge"] != "both"].head()
    assert (m["numerator"].astype(int) == m["numerator_rows"].astype(int)).all()
    assert (m["denominator"].astype(int) == m["denominator_rows"].astype(int)).all()


def test_suppression_complement_rule_and_zeros_via_disclosure():
    n = 12
    df = pd.DataFrame({
        "employee_id": range(n), "date": ["2020-12-31"] * n,
        "entity": ["E1"] * 7 + ["E2"] * 5,
        "sex": ["F"] * 6 + ["M"] + ["M"] * 5,          # E1: 6 of 7 women (1 man); E2: 0 of 5
        "birth_date": ["1980-01-01"] * n,
    })
    tab, _ = P.aggregate(df, by=("date", "entity", "group"), threshold=5)
    w = tab[tab.group == "women_total"].set_index("entity")
    assert pd.isna(w.loc["E1", "numerator"]) and pd.isna(w.loc["E1", "share_pct"])  # 1 not-woman
    assert w.loc["E1", "denominator"] == 7                                            # headcount shown
    assert w.loc["E2", "numerator"] == 0 and w.loc["E2", "share_pct"] == 0            # zero shown
    mask = tab.attrs["suppressed"]
    assert list(mask.columns) == list(tab.columns) and mask["numerator"].sum() == mask["share_pct"].sum()


def test_to_series_for_assess():
    tab, _ = P.aggregate(_rows(), by=("date", "group"), threshold=0)
    s = P.to_series(tab, "disability_chronic_illness")
    assert list(s.columns) == ["year", "share_pct", "numerator", "denominator", "definition"]
    assert s["year"].tolist() == [2015, 2016] and s["definition"].tolist() == ["old_2004", "new_2016"]
    both, _ = P.aggregate(_rows(), by=("date", "group"), threshold=0, definitions="both")
    with pytest.raises(ValueError):
        P.to_series(both, "disability_chronic_illness")
    ent, _ = P.aggregate(_rows(), by=("date", "entity", "group"), threshold=0)
    assert P.to_series(ent, "women_total", entity="E2")["denominator"].tolist() == [2, 2]


def test_aggregate_file_missing_file_is_a_dutch_dataerror(tmp_path):
    with pytest.raises(DataError) as exc:
        P.aggregate_file(tmp_path / "bestaat_niet.parquet")
    assert "bestaat niet" in str(exc.value)


def test_needed_columns_reads_only_what_the_options_use():
    avail = list(P.STANDARD_COLUMNS) + ["salary"]
    cols = P.needed_columns(None, avail)
    assert "salary" not in cols and "education_level" not in cols and "grade" not in cols
    assert "education_level" in P.needed_columns(None, avail, low_educated_method="education")
    assert P.needed_columns({"grade": "Rang"}, ["persnr", "rang"]) == ["rang"]  # case-insensitive


def test_disability_coded_in_the_2004_categories():
    df = _rows().iloc[:4].copy()                        # 2015 rows, categories 0, 6, 2, 0
    new_coding, _ = P.aggregate(df, by=("date", "group"), threshold=0)
    old_coding, _ = P.aggregate(df, by=("date", "group"), threshold=0, disability_coding="2004")
    pick = lambda t: t[t.group == "disability_chronic_illness"].numerator.item()  # noqa: E731
    assert pick(new_coding) == 1      # new-coded 6 (invalidity benefit) is not in the old definition
    assert pick(old_coding) == 2      # old-coded 6 (66% certificate) is new 5: counted
    df.loc[2, "disability_category"] = 7
    with pytest.raises(DataError):
        P.aggregate(df, disability_coding="2004")


@pytest.mark.parametrize("dups", [0, 1, 37])
def test_duplicates_in_shuffled_rows_match_pandas(dups):
    """Rows in random order (not the usual export order): the duplicate check finds exactly the
    rows pandas' ``duplicated`` finds, with and without repeats, and keeps the first in file order."""
    rng = np.random.default_rng(dups)
    base = _rows()
    n = 4000
    df = base.iloc[rng.integers(0, len(base), n)].copy()
    df["employee_id"] = rng.permutation(10 * n)[:n] + 100
    if dups:
        src = rng.choice(n, dups, replace=False)
        extra = df.iloc[src].copy()
        df = pd.concat([df, extra])
    df = df.iloc[rng.permutation(len(df))]
    df.index = range(2, 2 + len(df))
    expected = int(df.duplicated(["employee_id", "date"], keep="first").sum())
    tab, led = P.aggregate(df, by=("date", "group"), threshold=0)
    assert expected == dups
    assert led.exclusions.get("dubbel: zelfde personeelslid op dezelfde peildatum", 0) == expected
    assert led.analysed == n


def test_aggregate_levels_entity_organisation_and_domains_as_aggregate():
    prep = P.prepare(_rows())
    by_entity, org, by_domain, _ = P.aggregate_levels(prep, 0)
    pd.testing.assert_frame_equal(by_entity, P.aggregate(prep, by=("date", "entity", "group"), threshold=0)[0])
    pd.testing.assert_frame_equal(org, P.aggregate(prep, by=("date", "group"), threshold=0)[0])
    dom = P.aggregate(prep, by=("date", "policy_domain", "group"), threshold=0)[0]
    published = dom[(dom["date"] == dom["date"].max()) & (dom["group"] == "women_total")].reset_index(drop=True)
    pd.testing.assert_frame_equal(by_domain, published)  # the one domain figure a report publishes
    assert P.aggregate_levels(prep, 0, domains=False)[2] is None
    assert P.aggregate_levels(P.prepare(_rows().drop(columns=["policy_domain"])), 0)[2] is None


def test_ranking_basis_is_assess_entities_with_status_latest_target_and_reference_year():
    from_rows, _ = P.aggregate(_rows(), by=("date", "entity", "group"), threshold=0)
    tgt = pd.DataFrame({"group": ["women_top", "women_top"], "target_pct": [30.0, 40.0],
                        "target_year": [2015, 2020], "target_date": ["2015-12-31", "2020-12-31"]})
    ev_ent, last_t, ry = T.ranking_basis(from_rows, tgt, [], None)
    expected = T.assess_entities(from_rows, tgt, [], None)
    pd.testing.assert_frame_equal(ev_ent.drop(columns=["status_nl"]), expected)
    assert list(ev_ent["status_nl"]) == list(T.status_nl(expected))
    assert set(last_t["target_year"]) == {ev_ent["target_year"].max()}
    assert ry == min(int(last_t["evaluated_at"].max()), 2016)


def test_values_map_the_labels_of_every_categorical_column():
    """``values`` maps a file's own labels to the standard codes (case and surrounding spaces
    ignored), for category columns and for the disability category alike."""
    df = pd.DataFrame({
        "employee_id": [1, 2, 3, 4], "date": ["31/12/2020"] * 4, "entity": ["E"] * 4,
        "sex": ["vrouw", "man", "Vrouw ", "man"], "birth_date": ["01/01/1970"] * 4,
        "level": ["niveau a", "niveau D", "niveau d", "niveau B"],
        "management": ["N", "N-1", "geen", "geen"],
        "disability_category": ["geen", "motorisch", "geen", ""],
    })
    values = {"level": {"niveau A": "A", "niveau B": "B", "niveau D": "D"},
              "management": {"N": "top", "n-1": "middle"}, "disability_category": {"geen": 0, "motorisch": 1}}
    prep = P.prepare(df, values=values)
    assert list(prep.cols["level"]) == ["A", "D", "D", "B"]
    assert list(prep.cols["management"]) == ["top", "middle", "none", "none"]
    tab, _ = P.aggregate(prep, by=("date", "group"), threshold=0)
    pick = dict(zip(tab["group"], tab["numerator"]))
    assert pick["disability_chronic_illness"] == 1 and pick["low_educated"] == 2 and pick["women_top"] == 1
    with pytest.raises(DataError) as e:  # one problem per column, however many rows and labels
        P.prepare(df, values={"level": {"niveau A": "A"}, "management": values["management"]})
    assert sorted(p.column for p in e.value.problems) == ["disability_category", "level"]
    msg = str(e.value)
    assert "2 verschillende onbekende waarden in 3 rijen" in msg and "1-8, of leeg/0 (geen) (2 verschillende" in msg
    assert "motorisch" not in msg and "niveau" not in msg.replace("niveau A, B, C of D", "")
