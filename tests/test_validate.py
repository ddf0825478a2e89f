"""The declarative schema: typing, every problem in one DataError, user's row numbers and names."""

import numpy as np
import pandas as pd
import pytest

from evaluatie.core.errors import DataError, public_text, terminal_text, Problem
from evaluatie.intake.schema import BOOL_TOKENS, Column, Ledger, Schema, each_has


def frame(rows, columns):
    """A table as read_table gives it: index = user row numbers (header = 1)."""
    df = pd.DataFrame(rows, columns=columns)
    df.index = pd.RangeIndex(2, 2 + len(df), name="row")
    return df


SCHEMA = Schema(
    columns=[
        Column("vacancy", kind="str"),
        Column("outcome", kind="bool"),
        Column("year", kind="int", min=2000, max=2100),
        Column("share_pct", kind="float", min=0, max=100, required=False),
        Column("group", kind="category", allowed=["a", "b"]),
    ],
    unique=[("vacancy", "group")],
)


def good():
    return frame(
        [["V1", "ja", 2020, "33,6", "A"], ["V1", "Neen", "2021", 12.5, " b "],
         ["V2", " TRUE", 2022.0, None, "a"], [17, 0, 2020, "1.440", "b"]],
        ["job_ad_id", "outcome", "year", "share_pct", "group"],
    )


def test_valid_table_is_typed_and_renamed():
    df = good()
    df.loc[5, "share_pct"] = "40"
    df = df.astype({"share_pct": object})
    sch = Schema(columns=[c if c.name != "share_pct" else Column("share_pct", kind="float", min=0,
                                                                     max=2000, nullable=True)
                          for c in SCHEMA.columns], unique=SCHEMA.unique)
    clean = sch.validate(df, file="x.csv", columns={"vacancy": "job_ad_id"})
    assert list(clean.columns) == ["vacancy", "outcome", "year", "share_pct", "group"]
    assert list(clean.index) == [2, 3, 4, 5]
    assert list(clean["vacancy"]) == ["V1", "V1", "V2", "17"]
    assert clean["outcome"].dtype == bool and list(clean["outcome"]) == [True, False, True, False]
    assert clean["year"].dtype == np.int64 and list(clean["year"]) == [2020, 2021, 2022, 2020]
    assert clean["share_pct"].tolist()[:2] == [33.6, 12.5] and np.isnan(clean["share_pct"][4])
    assert list(clean["group"]) == ["a", "b", "a", "b"]
    assert list(clean["group"].cat.categories) == ["a", "b"]
    assert clean.attrs["columns"]["vacancy"] == "job_ad_id"
    assert df["job_ad_id"].tolist()[0] == "V1"  # input untouched


def test_every_problem_listed_with_user_row_and_column():
    df = frame(
        [["V1", "misschien", 1999, "A"], ["V1", "ja", 2020, "c"], ["", "nee", 2020.5, "a"]],
        ["Vacature nr.", "outcome", "year", "group"],
    )
    with pytest.raises(DataError) as exc:
        SCHEMA.validate(df, file="sollicitaties.csv", columns={"vacancy": "Vacature nr."})
    got = {(p.row, p.column) for p in exc.value.problems}
    assert got == {(2, "outcome"), (2, "year"), (3, "group"), (4, "Vacature nr."), (4, "year")}
    assert all(p.file == "sollicitaties.csv" for p in exc.value.problems)
    msg = str(exc.value)
    assert "5 problemen" in msg
    assert "rij 2, kolom 'outcome': gevonden tekst, verwacht ja of nee" in msg
    assert "misschien" not in msg  # messages are published: they never quote a cell
    assert "tussen 2000 en 2100" in msg
    assert "rij 3, kolom 'group': gevonden tekst, verwacht een van: a, b" in msg
    assert "rij 4, kolom 'Vacature nr.': gevonden leeg" in msg
    assert "geheel getal" in msg


def test_missing_required_column_names_it_and_lists_found_columns():
    df = frame([["V1", "ja"]], ["vacature", "uitkomst"])
    with pytest.raises(DataError) as exc:
        SCHEMA.validate(df, file="s.csv", columns={"outcome": "uitkomst"})
    probs = exc.value.problems
    missing = [p for p in probs if p.row is None]
    assert {p.column for p in missing} == {"vacancy", "year", "group"}
    for p in missing:  # the found names for the terminal only: a file without header has data there
        assert "Gevonden kolommen: vacature, uitkomst" in terminal_text(p.expected)
        assert "vacature" not in public_text(str(p)) and "niet gepubliceerd" in public_text(str(p))
    # the optional column is not reported
    assert all(p.column != "share_pct" for p in probs)


def test_column_names_match_case_and_whitespace_insensitively():
    df = frame([["V1", "ja", 2020, "a"]], [" Vacancy", "OUTCOME", "Year ", "group"])
    clean = SCHEMA.validate(df)
    assert list(clean.columns) == ["vacancy", "outcome", "year", "share_pct", "group"]
    assert clean["share_pct"].isna().all()


@pytest.mark.parametrize("token", list(BOOL_TOKENS) + ["  JA ", "Neen", "WAAR", 1, 0, 1.0, True])
def test_bool_accepts_the_documented_tokens(token):
    sch = Schema(columns=[Column("x", kind="bool")])
    clean = sch.validate(frame([[token]], ["x"]))
    assert clean["x"].dtype == bool


@pytest.mark.parametrize("token", ["j", "n", "y", "2", 2, "oui", "-1", "ja nee", 0.5])
def test_bool_rejects_everything_else(token):
    sch = Schema(columns=[Column("x", kind="bool")])
    with pytest.raises(DataError) as exc:
        sch.validate(frame([[token]], ["x"]), file="f.csv")
    (p,) = exc.value.problems
    assert (p.row, p.column, p.value) == (2, "x", token)


def test_labels_map_case_insensitively_before_typing():
    likert = {"zeer ontevreden": 1, "ontevreden": 2, "neutraal": 3, "tevreden": 4, "zeer tevreden": 5}
    sch = Schema(columns=[
        Column("sat", kind="int", labels=likert, min=1, max=5),
        Column("plan", kind="category", labels={"instap": "instapplan", "instapplan": "instapplan",
                                                 "diversiteit": "diversiteitsplan"}),
        Column("called", kind="bool", labels={"uitgenodigd": True, "afgewezen": False}),
    ])
    df = frame([["Zeer Tevreden ", "INSTAP", "uitgenodigd"], ["neutraal", "diversiteit", "nee"],
                [4, "Instapplan", "Afgewezen"]], ["sat", "plan", "called"])
    clean = sch.validate(df)
    assert clean["sat"].tolist() == [5, 3, 4]
    assert clean["plan"].tolist() == ["instapplan", "diversiteitsplan", "instapplan"]
    assert clean["called"].tolist() == [True, False, False]
    bad = frame([["heel blij", "groei", "x"]], ["sat", "plan", "called"])
    with pytest.raises(DataError) as exc:
        sch.validate(bad, file="f.csv")
    assert {p.column for p in exc.value.problems} == {"sat", "plan", "called"}
    assert "zeer tevreden" in str(exc.value)


def test_unknown_labels_of_a_column_are_one_problem_with_counts_and_no_content():
    sch = Schema(columns=[Column("called", kind="bool"), Column("plan", kind="category", allowed=["a", "b"])])
    df = frame([["ja", "a"], ["uitgenodigd", "c"], ["afgewezen", "b"], ["Uitgenodigd", "c"], ["nee", "d"]],
               ["called", "plan"])
    with pytest.raises(DataError) as exc:
        sch.validate(df, file="f.csv")
    probs = exc.value.problems
    assert [(p.row, p.column, p.value) for p in probs] == [(3, "called", "uitgenodigd"), (3, "plan", "c")]
    msg = str(exc.value)
    assert "3 verschillende onbekende waarden in 3 rijen" in msg  # uitgenodigd, afgewezen, Uitgenodigd
    assert "2 verschillende onbekende waarden in 3 rijen" in msg and "{plan: {waarde in het bestand: code}}" in msg
    assert not any(w in msg for w in ("uitgenodigd", "afgewezen", "'c'", "'d'"))


def test_nullable_and_dates():
    sch = Schema(columns=[
        Column("d", kind="date", min="2016-01-01"),
        Column("n", kind="int", nullable=True),
    ])
    clean = sch.validate(frame([["31/12/2020", None], ["2021-01-05", 3], [pd.Timestamp("2017-03-01"), ""]],
                               ["d", "n"]))
    assert clean["d"].tolist() == [pd.Timestamp("2020-12-31"), pd.Timestamp("2021-01-05"),
                                   pd.Timestamp("2017-03-01")]
    assert str(clean["n"].dtype) == "Int64" and clean["n"].isna().sum() == 2
    with pytest.raises(DataError) as exc:
        sch.validate(frame([["31/12/2015", 1], ["32/01/2020", 1]], ["d", "n"]), file="f")
    assert [(p.row, p.column) for p in exc.value.problems] == [(2, "d"), (3, "d")]
    assert "van minstens 01/01/2016" in str(exc.value)


def test_duplicate_keys_name_the_later_row_and_the_first():
    df = frame([["V1", "ja", 2020, "a"], ["V1", "ja", 2020, "b"], ["V1", "nee", 2020, "A"]],
               ["vac", "outcome", "year", "group"])
    with pytest.raises(DataError) as exc:
        SCHEMA.validate(df, file="f.csv", columns={"vacancy": "vac"})
    (p,) = exc.value.problems
    assert (p.row, p.column, p.value) == (4, "vac, group", ("V1", "a"))
    assert "rij 2" in p.expected


def test_cross_row_check_problems_are_translated_to_user_names():
    sch = Schema(columns=[Column("vacancy"), Column("group", kind="category", allowed=["a", "b"])],
                 checks=[each_has("vacancy", "group", ["a", "b"])])
    df = frame([["V1", "a"], ["V1", "b"], ["V2", "a"], ["V3", "b"], ["V3", "b"]], ["vac", "grp"])
    with pytest.raises(DataError) as exc:
        sch.validate(df, file="f.csv", columns={"vacancy": "vac", "group": "grp"})
    probs = exc.value.problems
    assert [(p.row, p.column, p.file) for p in probs] == [(4, "vac, grp", "f.csv"), (5, "vac, grp", "f.csv")]
    assert "precies één rij per group: a, b" in probs[0].expected


def test_keep_and_extra_columns_dropped():
    df = frame([["V1", "ja", 2020, "a", "vrije tekst"]], ["vacancy", "outcome", "year", "group", "notes"])
    assert "notes" not in SCHEMA.validate(df).columns
    assert SCHEMA.validate(df, keep=["notes"])["notes"].tolist() == ["vrije tekst"]


def test_file_taken_from_source_attrs():
    df = frame([["V1", "?", 2020, "a"]], ["vacancy", "outcome", "year", "group"])
    df.attrs["source"] = {"file": "data/raw/s.csv", "sha256": "0" * 64}
    with pytest.raises(DataError) as exc:
        SCHEMA.validate(df)
    assert exc.value.problems[0].file == "data/raw/s.csv"


def test_schema_definition_errors_are_programming_errors():
    with pytest.raises(ValueError):
        Column("x", kind="number")
    with pytest.raises(ValueError):
        Schema(columns=[Column("x")], unique=[("y",)])
    with pytest.raises(ValueError):
        SCHEMA.validate(frame([["a"]], ["x"]), columns={"nonexistent": "x"})


def test_shared_interfaces_unchanged():
    p = Problem("f.csv", 3, "c", "x", "iets")
    assert str(p) == "bestand f.csv, rij 3, kolom 'c': gevonden tekst, verwacht iets" and p.value == "x"
    e = DataError("kapot", file="f.csv")
    assert e.problems[0].file == "f.csv"
    led = Ledger("f.csv", read=10)
    led.exclude("dubbel", 2)
    assert led.analysed == 8 and led.to_frame()["rows"].tolist() == [10, 2, 8]


def test_ledger_drop_and_check():
    df = frame([["V1", None], ["V2", "ja"], ["V3", "nee"], ["V3", "nee"]], ["vacancy", "outcome"])
    led = Ledger("s.csv", read=len(df))
    df = led.drop(df, df["outcome"].isna(), "uitkomst ontbreekt")
    df = led.drop(df, df.duplicated(), "dubbele rij")
    assert list(df.index) == [3, 4]
    assert led.exclusions == {"uitkomst ontbreekt": 1, "dubbele rij": 1}
    led.check(df)
    with pytest.raises(AssertionError, match="does not add up"):
        led.check(3)
    assert led.to_frame()["rows"].tolist() == [4, 1, 1, 2]


def test_numbers_in_text_cells_are_read_by_the_one_parser():
    """int and float columns read text cells with evaluatie.core.numbers: 1.440 is 1440, a
    column decides its style and a cell written the other way is invalid, never guessed."""
    sch = Schema(columns=[Column("n", kind="int"), Column("x", kind="float", nullable=True)])
    clean = sch.validate(frame([["1.440", "2,5"], ["12", "€ 1.500,50"], [" 3 ", None]], ["n", "x"]))
    assert clean["n"].tolist() == [1440, 12, 3] and clean["x"].tolist()[:2] == [2.5, 1500.5]
    with pytest.raises(DataError) as exc:
        sch.validate(frame([["1", "2,5"], ["2", "3,5"], ["3", "1.5"], ["4,5", "1"]], ["n", "x"]), file="f.csv")
    assert [(p.row, p.column, p.value) for p in exc.value.problems] == [(4, "x", "1.5"), (5, "n", "4,5")]


def test_a_percentage_in_a_euro_column_is_no_amount():
    """'120%' in a money column is an input error, not €120 (issue 16); a whole column that Excel
    shows as percentages is refused too; plain amounts with or without € pass."""
    schema = Schema(columns=[Column("spent", kind="float", nullable=True, unit="eur")])
    df = pd.DataFrame({"uitgegeven": ["€ 1.050", "120%", "6800", None]}, index=[2, 3, 4, 5])
    with pytest.raises(DataError) as exc:
        schema.validate(df, file="b.csv", columns={"spent": "uitgegeven"})
    [p] = exc.value.problems
    assert (p.row, p.column) == (3, "uitgegeven") and "geen percentage" in p.expected
    ok = schema.validate(df.drop(index=3), columns={"spent": "uitgegeven"})
    assert ok["spent"].tolist()[:2] == [1050.0, 6800.0]
    pct = pd.DataFrame({"uitgegeven": [12.0, 30.0]}, index=[2, 3])
    pct.attrs["percent_columns"] = ["uitgegeven"]
    with pytest.raises(DataError) as exc:
        schema.validate(pct, columns={"spent": "uitgegeven"})
    assert [p.row for p in exc.value.problems] == [2, 3]
    with pytest.raises(ValueError):
        Column("n", kind="int", unit="eur")
