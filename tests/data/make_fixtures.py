"""Write the input fixtures of the io/validation tests, with the libraries that real users' tools
produce them with (pyreadstat for SPSS/Stata, openpyxl for Excel, pandas/pyarrow for Parquet).

Run from the project root: ``.venv/bin/python tests/data/make_fixtures.py``. Writes
``tests/data/*.{sav,dta,xlsx,parquet,csv}`` (well-formed files, one per format) and the bad-input
corpus ``tests/data/bad/`` (broken or unusual files; what each must give is listed in
``tests/test_bad_inputs.py``). Everything is synthetic; no real person or organisation.
Byte-level CSVs are written as bytes so the encoding and separators are exactly what we say.
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
BAD = HERE / "bad"

# a small correspondence-test application log: two applications (control/test) per vacancy
HEADER = ["vacancy", "ground", "group", "outcome", "year", "wage"]
ROWS = [
    ["V001", "origin", "control", "ja", "2021", "2.150,50"],
    ["V001", "origin", "test", "nee", "2021", "2.150,50"],
    ["V002", "age", "control", "ja", "2021", "1.980"],
    ["V002", "age", "test", "ja", "2022", "1.980"],
    ["V003", "gender", "control", "neen", "2022", "33,6"],
    ["V003", "gender", "test", "nee", "2022", "33,6"],
]


def csv_bytes(header, rows, sep=";", encoding="utf-8", eol="\n", bom=False) -> bytes:
    text = eol.join(sep.join(r) for r in [header, *rows]) + eol
    data = text.encode(encoding)
    return (b"\xef\xbb\xbf" + data) if bom else data


def swap(rows, i, j, value):
    out = [list(r) for r in rows]
    out[i][j] = value
    return out


# --------------------------------------------------------------------------- good fixtures

def write_good() -> None:
    HERE.mkdir(exist_ok=True)
    # CSV: semicolon, decimal comma, Windows-1252 with é/ë/€
    rows = [
        ["1", "Zoë Peeters", "Liège", "33,6", "€ 1.500,50", "1.440", "0123"],
        ["2", "Renée Dubois", "Gent", "12,5", "€ 2.000", "12", "0456"],
        ["3", "Jan Janssens", "Brussel", "100", "€ 980,25", "2.300", "0789"],
    ]
    header = ["id", "name", "city", "share_pct", "wage", "applications", "postcode"]
    (HERE / "applications_cp1252.csv").write_bytes(csv_bytes(header, rows, encoding="cp1252", eol="\r\n"))
    (HERE / "applications_utf8_bom.csv").write_bytes(csv_bytes(header, rows, bom=True))

    survey = pd.DataFrame({
        "resp_id": np.arange(1, 9, dtype=float),
        "plan_type": [1, 2, 3, 4, 1, 2, 2, 1],
        "satisfaction": [5, 4, 4, 2, 9, 5, 3, 1],
        "recommend": [1, 1, 0, 1, 1, 0, 1, 1],
        "weight": [1.5, 1.5, 2.0, 2.0, 1.0, 1.0, 0.5, 0.5],
        "region": ["Vlaanderen", "Brussel", "Vlaanderen", "Vlaanderen", "Brussel", "Vlaanderen", "Vlaanderen", "Brussel"],
        "completed": [dt.date(2014, 3, d) for d in range(1, 9)],
    })
    labels = {
        "plan_type": {1: "instapplan", 2: "diversiteitsplan", 3: "clusterplan", 4: "groeiplan"},
        "satisfaction": {1: "zeer ontevreden", 2: "ontevreden", 3: "neutraal", 4: "tevreden",
                         5: "zeer tevreden", 9: "weet niet"},
        "recommend": {0: "nee", 1: "ja"},
    }
    col_labels = {"resp_id": "Respondent", "plan_type": "Soort plan",
                  "satisfaction": "Tevredenheid over de ondersteuning",
                  "recommend": "Zou de maatregel aanraden", "weight": "Gewicht",
                  "region": "Regio", "completed": "Datum ingevuld"}
    import pyreadstat

    pyreadstat.write_sav(survey, HERE / "survey.sav", column_labels=col_labels,
                         variable_value_labels=labels, variable_format={"completed": "EDATE10"})
    pyreadstat.write_dta(survey, HERE / "survey.dta", column_labels=col_labels,
                         variable_value_labels=labels)

    # XLSX: a notes sheet first, the data on "Sollicitaties"; an empty row; a percent format;
    # numbers typed as text with a decimal comma; a date
    import openpyxl

    wb = openpyxl.Workbook()
    notes = wb.active
    notes.title = "Toelichting"
    notes["A1"] = "Synthetische gegevens voor de tests van evaluatie.intake.read"
    ws = wb.create_sheet("Sollicitaties")
    ws.append(["vacancy", "group", "outcome", "share", "wage_text", "sent"])
    ws.append(["V001", "control", "ja", 0.336, "1.500,50", dt.datetime(2021, 5, 3)])
    ws.append(["V001", "test", "nee", 0.125, "980,25", dt.datetime(2021, 5, 4)])
    ws.append([None] * 6)  # row 4: empty, keeps its number
    ws.append(["V002", "control", "ja", 1.0, "2.000", dt.datetime(2021, 6, 1)])
    for row in ws.iter_rows(min_row=2, min_col=4, max_col=4):
        for c in row:
            if c.value is not None:
                c.number_format = "0.0%"
    _save_xlsx(wb, HERE / "applications.xlsx")

    pd.DataFrame({
        "vacancy": ["V001", "V001", "V002"],
        "group": ["control", "test", "control"],
        "outcome": [True, False, True],
        "wage": [2150.5, 2150.5, 1980.0],
    }).to_parquet(HERE / "applications.parquet", index=False)


def _save_xlsx(wb, path: Path) -> None:
    fixed = dt.datetime(2024, 1, 1)
    wb.properties.created = fixed
    wb.properties.modified = fixed
    wb.properties.creator = "evaluatie tests"
    wb.save(path)


# --------------------------------------------------------------------------- the bad-input corpus

def write_bad() -> None:
    if BAD.exists():
        shutil.rmtree(BAD)
    BAD.mkdir(parents=True)
    w = lambda name, data: (BAD / name).write_bytes(data)  # noqa: E731

    # unusual but valid
    w("ok_cp1252.csv", csv_bytes(HEADER, swap(swap(ROWS, 0, 0, "Liège-€1"), 1, 0, "Liège-€1"),
                                 encoding="cp1252", eol="\r\n"))
    w("ok_utf8_bom.csv", csv_bytes(HEADER, ROWS, bom=True))
    w("ok_tab.tsv", csv_bytes(HEADER, ROWS, sep="\t"))
    w("ok_comma_decimal_point.csv",
      csv_bytes(HEADER, [r[:5] + [r[5].replace(".", "").replace(",", ".")] for r in ROWS], sep=","))
    w("ok_trailing_separator.csv", b"".join(line + b";\n" for line in csv_bytes(HEADER, ROWS).splitlines()))
    w("ok_quoted_multiline.csv", csv_bytes(HEADER + ["note"], [r + ['"regel een\nregel twee; met ""quote"""'] for r in ROWS]))
    w("ok_leading_zero_ids.csv", csv_bytes(HEADER, [["0" + r[0][1:]] + r[1:] for r in ROWS]))
    w("ok_dutch_column_names.csv",
      csv_bytes(["Vacature nr.", "grond", "groep", "uitkomst", "jaar", "loon"], ROWS))
    w("ok_percent_euro.csv", csv_bytes(HEADER, [r[:5] + [v] for r, v in zip(
        ROWS, ["33,6%", "33,6 %", "€ 1.500,50", "-€ 2,5", "1.440", "100 %"])]))
    w("ok_crlf_trailing_blank_lines.csv", csv_bytes(HEADER, ROWS, eol="\r\n") + b"\r\n\r\n")

    # broken: the reader refuses
    w("empty.csv", b"")
    w("whitespace_only.csv", b" \n\n \r\n")
    w("header_only.csv", csv_bytes(HEADER, []))
    w("mixed_decimals.csv", csv_bytes(HEADER, swap(swap(ROWS, 2, 5, "1.5"), 4, 5, "2,5")))
    w("ragged_row.csv", csv_bytes(HEADER, swap(ROWS, 3, 5, "1.980;extra")))
    w("unclosed_quote.csv", csv_bytes(HEADER, swap(ROWS, 4, 1, '"gender')))
    w("mixed_encoding.csv", csv_bytes(HEADER, swap(ROWS, 0, 1, "origine é")) + "V004;age;control;ja;2022;1,5\n".encode("utf-8")
      + "V004;âge;test;ja;2022;1,5\n".encode("cp1252"))
    w("binary.csv", b"\x00\x01\x02\x03garbage\x00" * 20)
    w("duplicate_header.csv", csv_bytes(["vacancy", "group", "group", "outcome"], [r[:4] for r in ROWS]))
    w("unnamed_column_with_data.csv", csv_bytes(HEADER + [""], [r + ["x"] for r in ROWS]))
    # broken: the schema refuses
    w("wrong_separator.csv", csv_bytes(HEADER, ROWS, sep="|"))
    w("missing_column.csv", csv_bytes([h for h in HEADER if h != "outcome"], [r[:3] + r[4:] for r in ROWS]))
    w("unknown_label.csv", csv_bytes(HEADER, swap(ROWS, 2, 3, "misschien")))
    w("unknown_group.csv", csv_bytes(HEADER, swap(ROWS, 1, 2, "X")))
    w("missing_outcome.csv", csv_bytes(HEADER, swap(ROWS, 5, 3, "")))
    w("duplicate_key.csv", csv_bytes(HEADER, ROWS + [["V002", "age", "test", "nee", "2022", "1.980"]]))
    w("broken_pair.csv", csv_bytes(HEADER, ROWS + [["V004", "origin", "test", "ja", "2022", "1,5"]]))
    w("out_of_range.csv", csv_bytes(HEADER, swap(ROWS, 3, 4, "1899")))
    w("not_a_number.csv", csv_bytes(HEADER, swap(ROWS, 1, 4, "twintig")))
    w("blank_line_then_bad_label.csv",
      csv_bytes(HEADER, ROWS[:2]) + b"\n" + csv_bytes(HEADER, swap(ROWS[2:], 0, 3, "soms")).split(b"\n", 1)[1])

    # other formats
    import openpyxl
    import pyreadstat

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Sollicitaties"
    ws.append(["vacature", None, "uitkomst", "jaar"])
    ws.append(["vacancy", "group", "outcome", "year"])
    ws.merge_cells("A1:B1")
    for r in ROWS:
        ws.append([r[0], r[2], r[3], int(r[4])])
    _save_xlsx(wb, BAD / "merged_header.xlsx")

    wb = openpyxl.Workbook()
    wb.active.append(HEADER)
    _save_xlsx(wb, BAD / "header_only.xlsx")

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(HEADER)
    for r in ROWS:
        ws.append(r[:4] + [int(r[4]), r[5]])
    ws["D5"] = "misschien"  # unknown label in Excel row 5
    _save_xlsx(wb, BAD / "unknown_label.xlsx")
    shutil.copy(BAD / "unknown_label.xlsx", BAD / "really_xlsx.csv")

    w("really_csv.xlsx", csv_bytes(HEADER, ROWS))
    w("legacy.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504)

    codes = pd.DataFrame({
        "vacancy": [r[0] for r in ROWS], "ground": [r[1] for r in ROWS], "group": [r[2] for r in ROWS],
        "outcome": [1, 0, 9, 1, 0, 0], "year": [int(r[4]) for r in ROWS],
    })
    pyreadstat.write_sav(codes, BAD / "unlabelled_code.sav",
                         variable_value_labels={"outcome": {0: "nee", 1: "ja"}})
    data = (BAD / "unlabelled_code.sav").read_bytes()
    w("truncated.sav", data[: len(data) // 2])
    pyreadstat.write_dta(codes, BAD / "ok_labelled.dta",
                         variable_value_labels={"outcome": {0: "nee", 1: "ja", 9: "ja"}})
    codes.assign(outcome=["ja", "nee", "ja", "ja", "nee", "nee"]).to_parquet(BAD / "ok.parquet", index=False)
    pq = (BAD / "ok.parquet").read_bytes()
    w("truncated.parquet", pq[: len(pq) - 40])
    (BAD / "ok.parquet").unlink()


if __name__ == "__main__":
    write_good()
    write_bad()
    print(f"{len(list(HERE.glob('*.*')))} fixtures, {len(list(BAD.iterdir()))} files in bad/")
