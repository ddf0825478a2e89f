"""Reading input tables as users bring them: CSV, Excel, SPSS, Stata, Parquet.

One entry point, :func:`read_table`. What it promises:

* **Row numbers.** ``df.index`` (named ``row``) is the row number as the user sees it: for CSV
  and Excel the header is the first row that is not blank, normally row 1, so the first data
  row is row 2 (blank lines and empty sheet rows keep their number, so row 7 in a message is
  row 7 in Excel); for SPSS, Stata and Parquet it is the case number, starting at 1.
* **Source.** ``df.attrs["source"] = {"file": <path relative to the project root, or only the
  file name>}`` — never an absolute local path. Reading does not hash the file: the report's
  provenance hashes its inputs (:func:`evaluatie.publish.provenance.input_hashes`).
  CSV adds ``df.attrs["csv"] = {"encoding", "separator", "decimal"}``; Excel adds
  ``df.attrs["sheet"]``.
* **Refusal.** A file that cannot be read as a table (empty, header only, truncated, not the
  format its extension says, ragged rows, mixed decimal styles in one column) raises
  :class:`~evaluatie.core.errors.DataError` naming file, row and column, in Dutch.

CSV
    The separator is sniffed among ``;``, ``,`` and tab on the first rows (the one that splits
    the header and those rows into the same number of fields). The encoding is UTF-8 (with or
    without BOM) when the whole file decodes strictly as UTF-8, else Windows-1252 (so ``é``,
    ``ë``, ``€`` survive); a file that mixes both, or holds a byte Windows-1252 leaves undefined,
    is refused with the row of the first such byte rather than turned into mojibake.
    Every cell is read as text by pyarrow's CSV reader; a file it cannot split cleanly (a ragged
    row, an odd number of quotes, a line of only spaces) is read again by Python's csv module,
    which names the rows that are wrong (a ragged row, a quote left open). A row with no
    visible character (a blank line, only spaces, only separators) holds no data: it is skipped
    and keeps its number. Empty cells are missing; nothing else is (``NA`` stays the text
    ``NA``); whitespace is kept (the analysis schema trims it).

Numbers written by people
    A column becomes numeric only when **every** non-empty cell is a number as
    :mod:`evaluatie.core.numbers` reads them (``1440``, ``1.440``, ``33,6``, ``1.500,50``,
    ``33,6 %``, ``€ 1.500,50``, ``−2,5``). Each column decides its decimal style; a column holding
    both styles is a :class:`DataError` naming every row written the minority's way. A column of
    only ambiguous values (``1.440``, ``2,500``) follows the file: the style of the columns that
    decided one, if they agree, else Dutch for a ``;``- or tab-separated file and English for a
    comma-separated one. Columns with any non-number (``n.v.t.``) stay text; the schema then
    names the offending cells. Whole numbers come as int64 (float64 when some cell is empty).
    Percentages are no amounts: a column whose every number carries ``%`` is read in percent
    units and listed in ``df.attrs["percent_columns"]`` (as for Excel); a column where only
    some do (``120%`` among euros) stays text, so the schema judges each cell.

Identifiers stay text
    A column of whole numbers where some value has a leading zero (``0123``) or more than 15
    digits is kept as text, so identifiers and postcodes are never altered (``0123`` ≠ ``123``).

Excel
    Via openpyxl, cached values (not formulas). ``sheet`` is a name or a 0-based position
    (default: the first visible sheet; a hidden sheet is only read when named). The first
    non-empty row is the header. Merged cells are refused (a merged header is not a header), and
    so is a text cell longer than Excel's limit of 32.767 characters (no spreadsheet wrote it). Numbers stored as text go through the same number parser
    (Dutch when ambiguous); a numeric column whose cells are all formatted as percentages is
    multiplied by 100 (what the user sees, ``33,6%``, is what they get: 33.6) and listed in
    ``df.attrs["percent_columns"]``.

SPSS and Stata: value labels
    Via pyreadstat. Labelled columns hold their **labels** (``"zeer tevreden"``), codes without a
    label keep the code. The codes stay available: ``df.attrs["value_labels"] = {column: {code:
    label}}`` and :func:`value_codes` turns a labelled column back into its codes. (A mapping
    rather than a second frame, because pandas deep-copies ``attrs`` on every operation.)
    When one label is used for two codes of a column, the label gets its code appended
    (``"onbekend (9)"``) so the codes remain recoverable. Variable labels are kept in
    ``df.attrs["variable_labels"]``. SPSS user-missing values are missing.

Speed
    A column is parsed whole only when its first 1000 cells are all numbers or empty; the
    columns that are, two at a time on threads. ``benchmarks/read_csv.py`` compares
    :func:`read_table` on 10⁶ rows with ``pandas.read_csv`` given the right arguments by hand
    (issue 13 asks for at most three times its time).
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from evaluatie.core.errors import DataError, Problem, private
from evaluatie.core.numbers import parse_numbers
from evaluatie.core.paths import display_path

__all__ = ["read_table", "value_codes", "FORMATS"]

#: extension -> format
FORMATS = {
    ".csv": "csv", ".txt": "csv", ".tsv": "csv",
    ".xlsx": "xlsx", ".xlsm": "xlsx",
    ".sav": "sav", ".zsav": "sav",
    ".dta": "dta",
    ".parquet": "parquet", ".pq": "parquet",
}
_FORMAT_NAMES = {
    "csv": "een CSV-tekstbestand", "xlsx": "een Excel-bestand (.xlsx)", "xls": "een oud Excel-bestand (.xls)",
    "sav": "een SPSS-bestand (.sav)", "dta": "een Stata-bestand (.dta)", "parquet": "een Parquet-bestand",
    "zip": "een zip-archief", "binary": "een binair bestand (geen tekst)",
}
_SEPARATORS = (";", ",", "\t")
_SEP_NAMES = {";": "puntkomma", ",": "komma", "\t": "tab"}
_HEADER_ONLY = "minstens één rij met gegevens onder de kopregel; het bestand heeft alleen een kopregel"
_UNNAMED = "een naam in de kopregel voor elke kolom met gegevens"

# --------------------------------------------------------------------------- format sniffing

def _content_kind(head: bytes) -> str:
    if head.startswith(b"PK\x03\x04"):
        return "zip"
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "xls"
    if head.startswith((b"$FL2", b"$FL3")):
        return "sav"
    if head.startswith(b"<stata_dta>") or (len(head) > 1 and head[0] in (0x71, 0x72, 0x73) and head[1] in (1, 2)):
        return "dta"
    if head.startswith(b"PAR1"):
        return "parquet"
    if b"\x00" in head[:8192]:
        return "binary"
    return "csv"


def _zip_kind(path: Path) -> str:
    try:
        with zipfile.ZipFile(path) as z:
            names = z.namelist()
    except (zipfile.BadZipFile, OSError):
        return "zip"
    return "xlsx" if any(n.startswith("xl/") for n in names) else "zip"


# --------------------------------------------------------------------------- entry point

EXCEL_CELL_LIMIT = 32_767  # characters in one cell (Excel's specifications and limits)

def read_table(path: str | Path, sheet: str | int | None = None, text: Iterable[str] = ()) -> pd.DataFrame:
    """Read one input table (CSV, XLSX, SAV, DTA, Parquet) — see the module notes.

    ``sheet`` (a worksheet name or 0-based position) applies to Excel files only and is ignored
    for other formats. ``text``: columns (by their name in the file) that are identifiers or labels
    and stay text as written, even when every cell looks like a number (section ``4.10`` stays
    ``4.10``, not 4.1); a number cell of an Excel sheet stays a number. Raises :class:`DataError`
    (Dutch, naming file, row and column) for anything that is not a readable table; a missing file
    is a DataError too.
    """
    path = Path(path)
    shown = display_path(path)
    if not path.is_file():
        raise DataError(Problem(shown, None, None, None,
                                "een bestand op deze plaats; het bestaat niet (controleer het pad in de parameters)"))
    ext = path.suffix.lower()
    fmt = FORMATS.get(ext)
    if fmt is None:
        raise DataError(Problem(shown, None, None, ext or "(geen extensie)",
                                "een van de ondersteunde bestandstypes: " + ", ".join(sorted(FORMATS))))
    with open(path, "rb") as f:
        head = f.read(8192)
    if not head.strip(b" \t\r\n\xef\xbb\xbf"):
        raise DataError(Problem(shown, None, None, None, "een tabel; het bestand is leeg"))
    kind = _content_kind(head)
    if kind == "zip":
        kind = _zip_kind(path)
    if kind != fmt:
        what = _FORMAT_NAMES.get(kind, kind)
        hint = ""
        if kind in ("xlsx", "sav", "dta", "parquet"):
            hint = f"; het is {what}: geef het de juiste extensie of exporteer het opnieuw"
        elif kind == "xls":
            hint = "; het is een oud Excel-bestand (.xls): open het in Excel en bewaar het als .xlsx"
        else:
            hint = f"; het is {what}"
        raise DataError(Problem(shown, None, None, None,
                                f"{_FORMAT_NAMES[fmt]}, zoals de extensie {ext} zegt{hint}"))
    if fmt == "csv":
        df = _read_csv(path, shown, frozenset(text))
    elif fmt == "xlsx":
        df = _read_xlsx(path, shown, sheet, frozenset(text))
    elif fmt in ("sav", "dta"):
        df = _read_stat(path, shown, fmt)
    else:
        df = _read_parquet(path, shown)
    df.attrs["source"] = {"file": shown}
    return df


def _row_index(rows: range | np.ndarray) -> pd.Index:
    """The user's row numbers as the index (a RangeIndex when they follow each other)."""
    if isinstance(rows, range):
        return pd.RangeIndex(rows.start, rows.stop, name="row")
    rows = np.asarray(rows, dtype="int64")
    if len(rows) and rows[-1] - rows[0] == len(rows) - 1:
        return pd.RangeIndex(rows[0], rows[-1] + 1, name="row")
    return pd.Index(rows, name="row", copy=False)


def _finish_index(df: pd.DataFrame, rows) -> pd.DataFrame:
    df.index = _row_index(rows)
    return df


# --------------------------------------------------------------------------- CSV: encoding

def _row_of_offset(data: bytes, offset: int) -> int:
    return data.count(b"\n", 0, offset) + 1


_CP1252_UNDEFINED = np.array([0x81, 0x8D, 0x8F, 0x90, 0x9D], np.uint8)


def _check_cp1252(data: bytes, shown: str) -> None:
    """A file that is not valid UTF-8 must be Windows-1252 throughout: no UTF-8 sequence
    anywhere (a lead byte followed by as many continuation bytes as it announces: the file
    mixes both encodings, and reading it either way makes mojibake) and none of the five bytes
    Windows-1252 leaves undefined. Raises a DataError naming the row; works on the bytes with
    numpy. (``ç`` before a non-breaking space, E7 A0, is no UTF-8 sequence: E7 announces two.)"""
    b = np.frombuffer(data, np.uint8)
    hi = np.flatnonzero(b >= 0x80)
    v = b[hi]

    def continued(k: int) -> np.ndarray:  # the k-th byte after each high byte is 10xxxxxx
        at = np.minimum(hi + k, len(b) - 1)
        return (hi + k < len(b)) & ((b[at] & 0xC0) == 0x80)

    announced = np.select([(v >= 0xC2) & (v <= 0xDF), (v >= 0xE0) & (v <= 0xEF), (v >= 0xF0) & (v <= 0xF4)],
                          [1, 2, 3], 0)
    sequence = ((announced > 0) & continued(1) & ((announced < 2) | continued(2))
                & ((announced < 3) | continued(3)))
    if sequence.any():  # named at the first byte that is not UTF-8
        raise DataError(Problem(
            shown, _row_of_offset(data, _utf8_error(data)), None, None,
            "één tekencodering voor het hele bestand; het is deels UTF-8 en deels iets anders. "
            "Bewaar het opnieuw als CSV UTF-8"))
    undefined = np.isin(v, _CP1252_UNDEFINED)
    if undefined.any():
        raise DataError(Problem(
            shown, _row_of_offset(data, int(hi[np.argmax(undefined)])), None, None,
            "tekst in UTF-8 of Windows-1252; dit bestand bevat tekens die in geen van beide bestaan. "
            "Bewaar het opnieuw als CSV UTF-8"))


def _utf8_error(data: bytes) -> int | None:
    """Offset of the first byte that is not UTF-8, or None."""
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as e:
        return e.start
    return None


def _as_utf8(data: bytes, shown: str) -> bytes:
    """A Windows-1252 file as UTF-8 bytes (after :func:`_check_cp1252`)."""
    _check_cp1252(data, shown)
    return data.decode("cp1252").encode("utf-8")


# --------------------------------------------------------------------------- CSV: dialect

def _sample_of(data: bytes, size: int = 16384) -> bytes:
    """The first rows (about ``size`` bytes, whole lines) for sniffing."""
    while len(data) > size:
        cut = data.rfind(b"\n", 0, size)
        if cut > 0 and data.count(b"\n", 0, cut) >= 20:
            return data[: cut + 1]
        size *= 4  # long lines: take more
    return data


def _sniff(sample: str, whole: bool, shown: str) -> tuple[str, list[str], int]:
    """Choose the separator from the first rows: the one that splits the header and the rows
    after it into the same number of fields. Returns it, the header's fields and the header's
    row number (the first row that is not blank). Unless the sample is the ``whole`` file, its
    last record may be cut inside a quoted field and does not count."""
    best = None
    too_long = None  # (row, limit) of a cell longer than the csv module reads
    for sep in _SEPARATORS:
        try:
            reader = csv.reader(io.StringIO(sample, newline=""), delimiter=sep)
            recs = [(i, r) for i, r in enumerate(reader, 1) if any(v.strip() for v in r)]
        except csv.Error as e:
            if "field larger than field limit" in str(e):
                too_long = (reader.line_num, csv.field_size_limit())
            continue
        if not whole and len(recs) > 2:
            recs = recs[:-1]
        if not recs:
            continue
        width = len(recs[0][1])
        body = [r for _, r in recs[1:]] or [recs[0][1]]
        consistent = sum(len(r) == width for r in body) / len(body)
        score = (width > 1, consistent == 1.0, consistent, width)
        if best is None or score > best[0]:
            best = (score, sep, recs[0])
    if best is None and too_long:
        row, limit = too_long
        raise DataError(Problem(shown, row, None, None,
                                f"cellen van hoogstens {limit:,} tekens".replace(",", ".")
                                + f"; rij {row} heeft een langere cel (een aanhalingsteken dat nooit "
                                "gesloten wordt, of geen tabel?)"))
    if best is None:
        raise DataError(Problem(shown, 1, None, None, "een kopregel met kolomnamen"))
    _, sep, (row, header) = best
    return sep, header, row


def _header(names: list[str], row: int, shown: str) -> list[str]:
    """The column names, trimmed; duplicates are refused (at the header's ``row``)."""
    out = [n.strip().lstrip("\ufeff").strip() for n in names]
    seen: dict[str, int] = {}
    problems = []
    for i, n in enumerate(out):
        if n and n in seen:
            problems.append(Problem(shown, row, n, n, f"unieke kolomnamen; kolom {i + 1} heet hetzelfde als "
                                                      f"kolom {seen[n] + 1}"))
        seen.setdefault(n, i)
    if problems:
        raise DataError(problems)
    return out


# --------------------------------------------------------------------------- CSV: reading

def _read_csv(path: Path, shown: str, text: frozenset = frozenset()) -> pd.DataFrame:
    data = path.read_bytes()
    head = _sample_of(data)
    try:
        sample, encoding, utf8 = head.decode("utf-8-sig"), "utf-8", data
    except UnicodeDecodeError:
        encoding, utf8 = "cp1252", _as_utf8(data, shown)
        sample = head.decode("cp1252")
    sep, header, header_row = _sniff(sample, len(head) == len(data), shown)
    names = _header(header, header_row, shown)
    cells = _arrow_cells(utf8, sep, len(names))
    if cells is None and encoding == "utf-8" and _utf8_error(data) is not None:
        encoding, utf8 = "cp1252", _as_utf8(data, shown)  # a Windows-1252 byte after the sample
        cells = _arrow_cells(utf8, sep, len(names))
    if cells is None:
        cells = _csv_module_cells(utf8.decode("utf-8-sig"), sep, len(names), shown)
    rows, columns = cells
    if not len(rows):
        raise DataError(Problem(shown, None, None, None, _HEADER_ONLY))
    df, style = _typed_frame(columns, names, header_row, rows, "en" if sep == "," else "nl", shown, text)
    df.attrs["csv"] = {"encoding": encoding, "separator": sep, "decimal": "," if style == "nl" else "."}
    return df


def _arrow_cells(data: bytes, sep: str, width: int) -> tuple[range | np.ndarray, list[pd.Series]] | None:
    """Every cell as text, by pyarrow's CSV reader (multithreaded); None when the file is not
    cleanly split into ``width`` fields per row (a ragged row, a line of only spaces, text that
    is not UTF-8) or has an odd number of quotes (a quote left open, or one inside a field,
    which pyarrow would read past). Returns (row numbers, columns) without blank rows."""
    quotes = b'"' in data
    if quotes and data.count(b'"') % 2:
        return None
    names = [f"c{j}" for j in range(width)]
    try:
        table = pacsv.read_csv(
            pa.py_buffer(data),
            # the header is read as a row and dropped below: skip_rows would skip a line, not a
            # record (a quoted name may hold a line break), and blank lines may come before it
            read_options=pacsv.ReadOptions(column_names=names),
            # without quotes in the file the tokenizer need not look for them
            parse_options=pacsv.ParseOptions(delimiter=sep, quote_char='"' if quotes else False,
                                              newlines_in_values=quotes, ignore_empty_lines=False),
            convert_options=pacsv.ConvertOptions(column_types=dict.fromkeys(names, pa.large_string()),
                                                 strings_can_be_null=True, null_values=[""]))
    except pa.ArrowInvalid:
        return None
    blank = np.ones(table.num_rows, bool)
    for col in table.columns:  # usually settled by the first column
        blank &= pc.or_kleene(col.is_null(), pc.utf8_is_space(col)).to_numpy(zero_copy_only=False)
        if not blank.any():
            break
    start = int(np.argmax(~blank)) + 1  # after the header: the first row that is not blank
    rows = range(start + 1, table.num_rows + 1)
    table, blank = table.slice(start), blank[start:]
    if blank.any():
        table, rows = table.filter(pa.array(~blank)), np.asarray(rows)[~blank]
    return rows, [col.to_pandas() for col in table.columns]


def _csv_module_cells(text: str, sep: str, width: int, shown: str) -> tuple[np.ndarray, list[pd.Series]]:
    """Every cell as text, by Python's csv module, record by record: what pyarrow could not
    split is either read here or refused with the row of each ragged row or open quote."""
    out: list[list[str | None]] = [[] for _ in range(width)]
    rows: list[int] = []
    problems: list[Problem] = []
    record = 0
    header = False
    try:
        for rec in csv.reader(io.StringIO(text, newline=""), delimiter=sep, strict=True):
            record += 1
            if all(not v.strip() for v in rec):
                continue  # a blank row keeps its number and holds no data
            if not header:
                header = True  # the first row that is not blank
                continue
            if len(rec) != width and any("\n" in v for v in rec):
                problems.append(Problem(
                    shown, record, None, None,
                    "een gesloten aanhalingsteken; in deze rij begint een veld met \" dat pas veel "
                    "later of nooit gesloten wordt (onvolledig of beschadigd bestand?)"))
                break
            if len(rec) != width:
                problems.append(Problem(
                    shown, record, None, sep.join(rec) if len(rec) < 6 else None,
                    f"{width} velden gescheiden door {_SEP_NAMES[sep]} zoals in de kopregel; "
                    f"deze rij heeft er {len(rec)}"))
                continue
            rows.append(record)
            for j, v in enumerate(rec):
                out[j].append(v if v != "" else None)
    except csv.Error as e:
        why = ("het bestand eindigt midden in een veld tussen aanhalingstekens (onvolledig bestand?)"
               if "end of data" in str(e) else f"{e} (een aanhalingsteken op een onverwachte plaats?)")
        problems.append(Problem(shown, record + 1, None, None, f"een leesbare CSV-rij; {why}"))
    if problems:
        raise DataError(problems)
    return np.asarray(rows, dtype="int64"), [pd.Series(c, dtype="str") for c in out]


def _typed_frame(columns: list[pd.Series], names: list[str], header_row: int, rows: range | np.ndarray,
                 default_style: str, shown: str, text: frozenset = frozenset()) -> tuple[pd.DataFrame, str]:
    """The text columns as a frame: a column whose every cell is a number becomes numeric (see
    the module notes); an empty column stays text, or is dropped when it has no name (a
    trailing separator). Returns the frame and the file's decimal style."""
    index = _row_index(rows)
    data: dict[str, Any] = {}
    maybe: list[str] = []
    problems: list[Problem] = []
    for j, (name, col) in enumerate(zip(names, columns)):
        col = col.set_axis(index)
        empty = col.isna().all()
        if not name and not empty:
            problems.append(Problem(shown, header_row, f"kolom {j + 1}", None, _UNNAMED))
        if not name:
            continue
        data[name] = col
        # one cell that is no number makes a text column: the first rows usually show it
        if not empty and name not in text and not parse_numbers(col.iloc[:1000], default_style).not_number.any():
            maybe.append(name)
    # the other columns are parsed whole, two at a time (numpy's and pyarrow's kernels release the GIL)
    with ThreadPoolExecutor(max_workers=2) as pool:
        results = pool.map(lambda n: parse_numbers(data[n], default_style), maybe)
        parsed = {n: res for n, res in zip(maybe, results) if not res.not_number.any()}
    percent = []
    for name, res in list(parsed.items()):  # "120%" among amounts: kept as text, for the schema to judge each cell
        pct = res.percent.to_numpy()
        if not pct.any():
            continue
        if pct[~res.missing.to_numpy()].all():
            percent.append(name)
        else:
            del parsed[name]
    decided = {res.style for res in parsed.values() if res.decided}
    style = decided.pop() if len(decided) == 1 else default_style
    for name, res in parsed.items():
        if not res.decided and not res.integer and res.style != style:
            res = parse_numbers(data[name], style)  # ambiguous values follow the file
        if res.conflict.any():
            problems += res.conflict_problems(shown, name)
        elif res.integer and res.identifier:
            continue  # codes such as 0123 stay text
        elif res.integer and not res.missing.any():
            data[name] = res.values.astype("int64")
        else:
            data[name] = res.values
    if problems:
        problems.sort(key=lambda p: p.row or 0)
        raise DataError(problems)
    out = pd.DataFrame(data, index=index, copy=False)  # the columns are new: no copy
    if percent:
        out.attrs["percent_columns"] = percent
    return out, style


# --------------------------------------------------------------------------- Excel

def _header_text(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, float) and v.is_integer():
        v = int(v)  # a year typed as a column name: 2020, not 2020.0
    return str(v).strip()


def _read_xlsx(path: Path, shown: str, sheet, text: frozenset = frozenset()) -> pd.DataFrame:
    # openpyxl, pyreadstat and pyarrow.parquet are imported when a file needs them: together they
    # take about 0.2 s to import (measured with -X importtime), which a CSV-only analysis need not pay
    import openpyxl

    try:
        wb = openpyxl.load_workbook(path, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError) as e:
        raise DataError(Problem(shown, None, None, None,
                                f"een leesbaar Excel-bestand; het is beschadigd of onvolledig ({type(e).__name__})")) from None
    names = sheets = wb.sheetnames
    if sheet is None:  # the first sheet the user sees
        ws = next((w for w in wb.worksheets if w.sheet_state == "visible"), wb.worksheets[0])
    elif isinstance(sheet, int) and not isinstance(sheet, bool):
        if not 0 <= sheet < len(names):
            raise DataError(Problem(shown, None, None, sheet,
                                    f"een bladnummer van 0 tot {len(names) - 1}; bladen: {private(', '.join(names))}"))
        ws = wb.worksheets[sheet]
    else:
        match = [n for n in names if n == sheet] or [n for n in names if n.strip().casefold() == str(sheet).strip().casefold()]
        if not match:
            raise DataError(Problem(shown, None, None, sheet,
                                    f"de naam van een werkblad; dit bestand heeft: {private(', '.join(names))}"))
        ws = wb[match[0]]
    cells = [list(r) for r in ws.iter_rows()]
    rows_all = [(r[0].row if r else None, r) for r in cells]
    nonempty = [(i, r) for i, r in rows_all if r and any(c.value is not None and str(c.value).strip() != "" for c in r)]
    if not nonempty:
        raise DataError(Problem(shown, None, None, None, f"een tabel; werkblad {private(repr(ws.title))} is leeg"))
    header_row, header_cells = nonempty[0]
    merged = sorted(ws.merged_cells.ranges, key=lambda r: (r.min_row, r.min_col))
    if merged:
        problems = []
        for rng in merged:
            where = "de kopregel" if rng.min_row <= header_row <= rng.max_row else f"rij {rng.min_row}"
            problems.append(Problem(shown, rng.min_row, str(rng.coord), None,
                                    f"gewone cellen; {where} heeft samengevoegde cellen ({rng.coord}) in werkblad "
                                    f"{private(repr(ws.title))}. Hef de samenvoeging op en geef elke kolom een eigen naam"
                                    if where == "de kopregel" else
                                    f"gewone cellen; samengevoegde cellen ({rng.coord}) in werkblad {private(repr(ws.title))}. "
                                    "Hef de samenvoeging op en vul elke cel in"))
        raise DataError(problems)
    width = max(len(r) for _, r in nonempty)
    raw_names = [_header_text(c.value) for c in header_cells] + [""] * (width - len(header_cells))
    body = [(i, r) for i, r in nonempty[1:]]
    if not body:
        others = "" if len(sheets) == 1 else f" (kies met de parameter sheet een ander werkblad: {private(', '.join(sheets))})"
        raise DataError(Problem(shown, None, None, None,
                                f"minstens één rij met gegevens onder de kopregel; werkblad {private(repr(ws.title))} heeft "
                                f"alleen een kopregel{others}"))
    names = _header(raw_names, header_row, shown)
    _refuse_uncalculated_formulas(path, ws.title, body, names, shown)
    too_long = [Problem(shown, i, names[j] if j < len(names) and names[j] else f"kolom {j + 1}", c.value,
                        f"een cel van hoogstens {EXCEL_CELL_LIMIT:,} tekens (de grens van Excel); deze cel is "
                        "langer".replace(",", "."))
                for i, r in body for j, c in enumerate(r)
                if isinstance(c.value, str) and len(c.value) > EXCEL_CELL_LIMIT]
    if too_long:
        raise DataError(too_long)
    problems = []
    data: dict[str, Any] = {}
    percent_cols = []
    rows = np.asarray([i for i, _ in body])
    for j, name in enumerate(names):
        col = [(r[j] if j < len(r) else None) for _, r in body]
        vals = [c.value if c is not None else None for c in col]
        vals = [None if isinstance(v, str) and v == "" else v for v in vals]
        present = [v for v in vals if v is not None]
        if not present:
            if name:
                data[name] = pd.Series([None] * len(vals), dtype="str").array
            continue
        if not name:
            problems.append(Problem(shown, header_row, f"kolom {j + 1}", None,
                                    _UNNAMED))
            continue
        if all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in present):
            arr = np.array([np.nan if v is None else v for v in vals], dtype="float64")
            fmt_pct = [("%" in (c.number_format or "")) for c, v in zip(col, vals) if v is not None]
            pct = all(fmt_pct)
            if any(fmt_pct) and not pct:  # 1,2 shown as 120% among amounts: which is meant?
                odd = [(i, v) for (i, _), c, v in zip(body, col, vals) if v is not None and "%" in (c.number_format or "")]
                problems += [Problem(shown, i, name, v, "een getal in dezelfde opmaak als de rest van de kolom; "
                                     "deze cel is als percentage opgemaakt, de andere niet")
                             for i, v in odd]
                continue
            if pct:
                arr = np.round(arr * 100, 10)  # 0.336 is shown as 33,6%: read 33.6, not 33.60000000000001
                percent_cols.append(name)
            if not pct and all(isinstance(v, int) for v in present) and len(present) == len(vals):
                arr = arr.astype("int64")
            data[name] = arr
        elif all(hasattr(v, "year") for v in present):
            data[name] = pd.to_datetime(pd.Series(vals, dtype=object)).to_numpy()
        elif all(isinstance(v, str) for v in present):
            s = pd.Series(vals, index=rows, dtype="str")
            res = parse_numbers(s)
            if name in text or res.not_number.any() or (res.integer and res.identifier):
                data[name] = s.array
            elif res.conflict.any():
                problems += res.conflict_problems(shown, name)
            else:
                data[name] = res.values.to_numpy()
        else:
            data[name] = np.asarray(vals, dtype=object)
    if problems:
        raise DataError(problems)
    df = pd.DataFrame(data)
    df = _finish_index(df, rows)
    df.attrs["sheet"] = ws.title
    if percent_cols:
        df.attrs["percent_columns"] = percent_cols
    return df


def _refuse_uncalculated_formulas(path: Path, sheet: str, body, names: list[str], shown: str) -> None:
    """An empty cell of the table that holds a formula has no stored result: the file was written
    by a program that does not calculate (a script, some exports) and never saved by a
    spreadsheet. openpyxl (``data_only=True``) gives such a cell as empty, which would silently
    drop a value, so it is refused with its row and column. Only files with empty cells are read a
    second time, for their formulas."""
    import openpyxl  # see _read_xlsx

    empty = {(i, j) for i, r in body for j in range(len(names))
             if names[j] and (j >= len(r) or r[j].value is None)}
    if not empty:
        return
    rows = sorted({i for i, _ in empty})
    wb = openpyxl.load_workbook(path, data_only=False, read_only=True)
    try:
        problems = [
            Problem(shown, cell.row, names[cell.column - 1], None,
                    "een waarde; de cel bevat een formule zonder opgeslagen uitkomst (het bestand is "
                    "nooit in een rekenblad berekend en bewaard). Open het in Excel of LibreOffice "
                    "en sla het opnieuw op")
            for row in wb[sheet].iter_rows(min_row=rows[0], max_row=rows[-1])
            for cell in row
            if getattr(cell, "column", None) and (cell.row, cell.column - 1) in empty
            and cell.data_type == "f"
        ]
    finally:
        wb.close()
    if problems:
        raise DataError(problems)


# --------------------------------------------------------------------------- SPSS, Stata, Parquet

def _read_stat(path: Path, shown: str, fmt: str) -> pd.DataFrame:
    import pyreadstat  # see _read_xlsx

    reader = pyreadstat.read_sav if fmt == "sav" else pyreadstat.read_dta
    try:
        df, meta = reader(str(path), dates_as_pandas_datetime=True)
    except Exception as e:  # pyreadstat raises its own ReadstatError / PyreadstatError
        raise DataError(Problem(shown, None, None, None,
                                f"{_FORMAT_NAMES[fmt]} dat gelezen kan worden; het is beschadigd of onvolledig "
                                f"({_lib_message(e, path, shown)})")) from None
    if len(df) == 0:
        raise DataError(Problem(shown, None, None, None, "minstens één geval (rij); het bestand heeft er geen"))
    value_labels: dict[str, dict[Any, str]] = {}
    for col, labels in (meta.variable_value_labels or {}).items():
        if col not in df.columns or not labels:
            continue
        labels = {_plain_code(k): str(v) for k, v in labels.items()}
        counts: dict[str, int] = {}
        for v in labels.values():
            counts[v] = counts.get(v, 0) + 1
        labels = {k: (v if counts[v] == 1 else f"{v} ({k})") for k, v in labels.items()}
        codes = df[col]
        mapped = codes.map(lambda c: labels.get(_plain_code(c), c), na_action="ignore")
        df[col] = mapped.astype("str") if mapped.dropna().map(lambda v: isinstance(v, str)).all() else mapped.astype(object)
        value_labels[col] = labels
    df = _finish_index(df.reset_index(drop=True), range(1, len(df) + 1))
    df.attrs = {}
    if value_labels:
        df.attrs["value_labels"] = value_labels
    var_labels = {k: v for k, v in (meta.column_names_to_labels or {}).items() if v}
    if var_labels:
        df.attrs["variable_labels"] = var_labels
    return df


def _lib_message(e: Exception, path: Path, shown: str, limit: int = 120) -> str:
    """A library's error text without local paths (reports never show them)."""
    msg = str(e).strip() or type(e).__name__
    for p in {str(path.resolve()), str(path.absolute()), str(path)}:
        msg = msg.replace(p, shown)
    msg = re.sub(r"(?:[A-Za-z]:)?[\\/](?:[^\s'\"\\/]+[\\/])+([^\s'\"\\/]+)", r"\1", msg)
    return msg[:limit]


def _plain_code(c: Any) -> Any:
    if isinstance(c, (np.generic,)):
        c = c.item()
    if isinstance(c, float) and c.is_integer():
        return int(c)
    return c


def value_codes(df: pd.DataFrame, column: str) -> pd.Series:
    """The SPSS/Stata codes behind a labelled column of :func:`read_table` (labels -> codes).

    Cells without a label are returned as they are; works on the raw frame read by read_table
    (or anything that kept its ``attrs["value_labels"]``).
    """
    labels = (df.attrs.get("value_labels") or {}).get(column)
    if labels is None:
        raise KeyError(f"column {column!r} has no value labels")
    inverse = {v: k for k, v in labels.items()}
    return df[column].map(lambda v: inverse.get(v, v) if isinstance(v, str) else v).astype(object)


def _read_parquet(path: Path, shown: str) -> pd.DataFrame:
    import pyarrow.parquet as pq  # see _read_xlsx

    try:
        table = pq.read_table(path)
    except (pa.ArrowException, OSError) as e:
        raise DataError(Problem(shown, None, None, None,
                                f"een leesbaar Parquet-bestand; het is beschadigd of onvolledig ({_lib_message(e, path, shown)})")) from None
    if table.num_rows == 0:
        raise DataError(Problem(shown, None, None, None, "minstens één rij; het bestand heeft er geen"))
    df = table.to_pandas()
    df = df.reset_index(drop=True)
    df.attrs = {}
    return _finish_index(df, range(1, len(df) + 1))
