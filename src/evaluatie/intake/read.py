"""Reading input tables as users bring them: CSV, Excel, SPSS, Stata, Parquet.

One entry point, :func:`read_table`. What it promises:

* **Row numbers.** ``df.index`` (named ``row``) is the row number as the user sees it: for CSV
  and Excel the header is row 1, so the first data row is row 2 (blank lines and empty sheet rows
  keep their number, so row 7 in a message is row 7 in Excel); for SPSS, Stata and Parquet it is
  the case number, starting at 1.
* **Provenance.** ``df.attrs["source"] = {"file": <path relative to the project root, or only the
  file name>, "sha256": <hex digest of the file's bytes>}`` — never an absolute local path.
  CSV adds ``df.attrs["csv"] = {"encoding", "separator", "decimal"}``; Excel adds
  ``df.attrs["sheet"]``.
* **Refusal.** A file that cannot be read as a table (empty, header only, truncated, not the
  format its extension says, ragged rows, mixed decimal styles in one column) raises
  :class:`~evaluatie.intake.schema.DataError` naming file, row and column, in Dutch.

CSV specifics
    The separator is sniffed among ``;``, ``,`` and tab (the one that splits the header and the
    first rows into the same number of fields). The encoding is UTF-8 (with or without BOM) when
    the whole file decodes strictly as UTF-8, else Windows-1252 (so ``é``, ``ë``, ``€`` survive);
    a file that mixes both is refused rather than turned into mojibake.
    Empty cells are missing; nothing else is (``NA`` stays the text ``NA``); whitespace is kept
    (the analysis schema trims it).

Numbers written by people
    A text column becomes numeric only when **every** non-empty cell is a number:
    ``1440``, ``1.440``, ``33,6``, ``1.500,50``, ``33,6%``/``33,6 %`` (read as 33.6, percent
    units), ``€ 1.500,50``, ``-2,5``/``−2,5``. The decimal style is decided per column: values
    that can only be Dutch (``33,6``, ``1.440,5``) or only English (``33.6``, ``1,440.5``)
    fix it; a column holding both is a :class:`DataError` naming every row written the other
    way. A column of only ambiguous values (``1.440``, ``2,500``) follows the file: Dutch if
    another column of the file is unambiguously Dutch or the separator is ``;`` or tab, English
    for a comma-separated file. Columns with any non-number (``n.v.t.``) stay text; the schema
    then names the offending cells. (One leniency: in a column of numbers, a cell in exponent
    notation such as ``1e5`` is read as a number, as pyarrow's float parser does.)

Speed
    Big CSVs are memory-mapped, hashed on a second thread, and parsed by pyarrow. The first rows
    (about 16 KiB) are used to plan each column (text, whole numbers, decimals, thousands
    separators); every cell is then still checked, by strict one-pass conversions that step
    aside to the careful converter the moment a cell does not fit the plan. Plain decimal
    columns are parsed by pyarrow itself with the file's decimal separator (a cell in the other
    style fails that read, and the file is read again as text, so the careful converter names
    it); numbers with thousands separators are checked and converted on the cells' bytes
    (separator positions and counts, numpy) before pyarrow's exact float cast. Text is not
    validated by the parser: the columns that stay text are checked for UTF-8 afterwards
    (anything else means Windows-1252 and the file is decoded first, as before). Blank lines,
    ragged rows and bad encodings go to a careful path (Python's csv module) that names their
    rows. See ``benchmarks/read_csv.py``.

Identifiers stay text
    A column of whole numbers where some value has a leading zero (``0123``) or more than 15
    digits is kept as text, so identifiers and postcodes are never altered (``0123`` ≠ ``123``).

Excel
    Via openpyxl, cached values (not formulas). ``sheet`` is a name or a 0-based position
    (default: the first sheet). The first non-empty row is the header. Merged cells are refused
    (a merged header is not a header). Numbers stored as text go through the same rules as CSV;
    a numeric column whose cells are all formatted as percentages is multiplied by 100 (what the
    user sees, ``33,6%``, is what they get: 33.6) and listed in ``df.attrs["percent_columns"]``.

SPSS and Stata: value labels
    Via pyreadstat. Labelled columns hold their **labels** (``"zeer tevreden"``), codes without a
    label keep the code. The codes stay available: ``df.attrs["value_labels"] = {column: {code:
    label}}`` and :func:`value_codes` turns a labelled column back into its codes. (A mapping
    rather than a second frame, because pandas deep-copies ``attrs`` on every operation.)
    When one label is used for two codes of a column, the label gets its code appended
    (``"onbekend (9)"``) so the codes remain recoverable. Variable labels are kept in
    ``df.attrs["variable_labels"]``. SPSS user-missing values are missing.
"""

from __future__ import annotations

import csv
import hashlib
import io as _io
import re
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from evaluatie.core.paths import display_path
from evaluatie.core.errors import DataError, Problem
from evaluatie.core.numbers import _EN, _NL, _PY_DECOR, _WS, _conflict_problems, _isna, _np, _numbers_arrow, parse_numbers

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

def read_table(path: str | Path, sheet: str | int | None = None) -> pd.DataFrame:
    """Read one input table (CSV, XLSX, SAV, DTA, Parquet) — see the module notes.

    ``sheet`` (a worksheet name or 0-based position) applies to Excel files only and is ignored
    for other formats. Raises :class:`DataError` (Dutch, naming file, row and column) for
    anything that is not a readable table; a missing file is a DataError too.
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
        df = _read_csv(path, shown)
    elif fmt == "xlsx":
        df = _read_xlsx(path, shown, sheet)
    elif fmt in ("sav", "dta"):
        df = _read_stat(path, shown, fmt)
    else:
        df = _read_parquet(path, shown)
    if "source" not in df.attrs:
        from evaluatie.publish.provenance import sha256

        df.attrs["source"] = {"file": shown, "sha256": sha256(path)}
    return df


def _finish_index(df: pd.DataFrame, rows) -> pd.DataFrame:
    if isinstance(rows, range):  # consecutive row numbers: no array needed
        df.index = pd.RangeIndex(rows.start, rows.stop, name="row")
    else:
        df.index = pd.Index(np.asarray(rows, dtype="int64"), name="row")
    return df


# --------------------------------------------------------------------------- CSV

_THREADS = True  # pyarrow's reader and the per-column conversions may use more than one core


class _Fallback(Exception):
    """The fast path cannot settle this file; use the careful one."""


def _utf8_ok(chunk) -> bool:
    """pyarrow reads with ``check_utf8=False`` (validating every text cell of a big file costs
    as much as parsing its numbers); the columns that stay text are checked here instead:
    a pure-ASCII chunk by one byte maximum, any other by pyarrow's full validation."""
    import pyarrow as pa

    _, _, raw = _string_bytes(chunk)
    if raw.size and raw.max() >= 128:
        try:
            chunk.validate(full=True)
        except pa.ArrowInvalid:
            return False
    return True


def _row_of_offset(data, offset: int) -> int:
    return int(np.count_nonzero(np.frombuffer(data, np.uint8, count=offset) == 10)) + 1


def _decode(data: bytes, shown: str) -> tuple[str, str]:
    """(text, encoding): strict UTF-8 (BOM removed), else Windows-1252; never mojibake."""
    try:
        return str(data, "utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        pass
    _check_cp1252(data, shown)
    return str(data, "cp1252"), "cp1252"


_CP1252_UNDEFINED = np.array([0x81, 0x8D, 0x8F, 0x90, 0x9D], np.uint8)
# bytes the UTF-8 form of each Windows-1252 byte adds (é: 1, €: 2)
_CP1252_EXTRA = np.array([0] * 128 + [
    0 if b in _CP1252_UNDEFINED else len(bytes([b]).decode("cp1252").encode("utf-8")) - 1
    for b in range(128, 256)], np.int64)


def _check_cp1252(data, shown: str) -> None:
    """A file that is not valid UTF-8 must be Windows-1252 throughout: no UTF-8 sequence
    anywhere (a lead byte followed by a continuation byte: the file mixes both encodings, and
    reading it either way makes mojibake) and none of the five bytes Windows-1252 leaves
    undefined. Raises a DataError naming the row; reads the bytes once, with numpy."""
    b = np.frombuffer(data, np.uint8)
    hi = np.flatnonzero(b >= 0x80)
    v = b[hi]
    nxt = b[np.minimum(hi + 1, len(b) - 1)]
    pair = (v >= 0xC2) & (v <= 0xF4) & (hi + 1 < len(b)) & (nxt >= 0x80) & (nxt <= 0xBF)
    if pair.any():
        try:
            str(data, "utf-8-sig")
            bad = int(hi[np.argmax(pair)])
        except UnicodeDecodeError as e:
            bad = e.start
        raise DataError(Problem(
            shown, _row_of_offset(data, bad), None, None,
            "één tekencodering voor het hele bestand; het is deels UTF-8 en deels iets anders. "
            "Bewaar het opnieuw als CSV UTF-8"))
    undefined = np.isin(v, _CP1252_UNDEFINED)
    if undefined.any():
        raise DataError(Problem(
            shown, _row_of_offset(data, int(hi[np.argmax(undefined)])), None, None,
            "tekst in UTF-8 of Windows-1252; dit bestand bevat tekens die in geen van beide bestaan. "
            "Bewaar het opnieuw als CSV UTF-8"))


def _cp1252_to_utf8(col):
    """A text column read from Windows-1252 bytes, as UTF-8 (offsets moved by the bytes each
    accented character adds). Only the column's own bytes are decoded, not the whole file."""
    import pyarrow as pa

    out = []
    for chunk in (col.chunks if isinstance(col, pa.ChunkedArray) else [col]):
        arr, off, raw = _string_bytes(chunk)
        hi = np.flatnonzero(raw >= 0x80)
        if not hi.size:
            out.append(arr)
            continue
        extra = np.zeros(hi.size + 1, np.int64)
        np.cumsum(_CP1252_EXTRA[raw[hi]], out=extra[1:])
        new_off = off + extra[np.searchsorted(hi, off)]
        out.append(_with_bytes(arr, new_off, raw.tobytes().decode("cp1252").encode("utf-8")))
    return pa.chunked_array(out, col.type) if isinstance(col, pa.ChunkedArray) else out[0]


def _sniff(sample: str, shown: str) -> tuple[str, list[list[str]]]:
    """Choose the separator from the first rows; return it with the sample's parsed records."""
    lines = sample
    best = None
    for sep in _SEPARATORS:
        try:
            recs = [r for r in csv.reader(_io.StringIO(lines), delimiter=sep) if r]
        except csv.Error:
            continue
        if not recs:
            continue
        width = len(recs[0])
        body = recs[1:] or recs[:1]
        consistent = sum(len(r) == width for r in body) / len(body)
        score = (width > 1, consistent == 1.0, consistent, width)
        if best is None or score > best[0]:
            best = (score, sep, recs)
    if best is None:
        raise DataError(Problem(shown, 1, None, None, "een kopregel met kolomnamen"))
    return best[1], best[2]


def _header(names: list[str], shown: str) -> list[str]:
    out = [n.strip().lstrip("\ufeff").strip() for n in names]
    seen: dict[str, int] = {}
    problems = []
    for i, n in enumerate(out):
        if n and n in seen:
            problems.append(Problem(shown, 1, n, n, f"unieke kolomnamen; kolom {i + 1} heet hetzelfde als kolom {seen[n] + 1}"))
        seen.setdefault(n, i)
    if problems:
        raise DataError(problems)
    return out


def _sample_style(rec_cols: list[list[str]]) -> str | None:
    """The decimal style the sample's cells reveal: 'nl', 'en', or None."""
    nl = en = 0
    for col in rec_cols:
        for v in col:
            if "," not in v and "." not in v:
                continue  # neither style
            m = _PY_DECOR.match(v.strip(_WS).replace("\u2212", "-"))
            if not m:
                continue
            s = m.group(3)
            a, b = bool(_NL.fullmatch(s)), bool(_EN.fullmatch(s))
            nl += a and not b
            en += b and not a
    if nl and not en:
        return "nl"
    if en and not nl:
        return "en"
    return None


def _read_csv(path: Path, shown: str) -> pd.DataFrame:
    import pyarrow as pa

    import mmap

    with open(path, "rb") as f:
        # memory-mapped: hashed, sniffed and parsed without copying the file into Python first
        data = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
    pool = ThreadPoolExecutor(max_workers=1)
    digest = pool.submit(lambda d=data: hashlib.sha256(d).hexdigest())  # the file's own bytes
    try:
        encoding = "utf-8"
        head = _sample_of(data)
        try:
            sample = head.decode("utf-8-sig")
        except UnicodeDecodeError:
            _check_cp1252(data, shown)  # Windows-1252 throughout, or a DataError
            encoding = "cp1252"
            sample = head.decode("cp1252")
        sep, recs = _sniff(sample, shown)
        if len(head) < len(data) - 3 and len(recs) > 2:
            recs = recs[:-1]  # the last sample record may be cut inside a quoted field
        names = _header(recs[0], shown)
        if len(recs) < 2 and len(bytes(data).strip(b" \t\r\n\xef\xbb\xbf").splitlines()) < 2:
            raise DataError(Problem(shown, None, None, None, _HEADER_ONLY))
        df = style = None
        attempts = [True, False]  # typed (pyarrow parses plain decimals itself), then all text
        while attempts:
            try:
                df, style, encoding = _csv_fast(data, sep, names, recs, shown, attempts[0], encoding)
                break
            except (_Fallback, pa.ArrowInvalid) as e:
                if isinstance(e, pa.ArrowInvalid) and re.search(r"Expected \d+ columns", str(e)):
                    break  # ragged rows: only the careful path can name them
                attempts.pop(0)
        if df is None:
            df, style, encoding = _csv_careful(data, sep, names, shown)
        df.attrs["source"] = {"file": shown, "sha256": digest.result()}
        df.attrs["csv"] = {"encoding": encoding, "separator": sep, "decimal": "," if style == "nl" else "."}
        return df
    finally:
        pool.shutdown(wait=True)


_HEADER_ONLY = "minstens één rij met gegevens onder de kopregel; het bestand heeft alleen een kopregel"


def _sample_of(data: bytes, size: int = 16384) -> bytes:
    """The first rows (about ``size`` bytes, whole lines) for sniffing and planning."""
    while len(data) > size:
        cut = data.rfind(b"\n", 0, size)
        if cut > 0 and data[:cut].count(b"\n") >= 20:
            return data[: cut + 1]
        size *= 4  # long lines: take more
    return bytes(data)


def _sample_columns(recs: list[list[str]], width: int) -> list[list[str]]:
    cols: list[list[str]] = [[] for _ in range(width)]
    for r in recs[1:]:
        if len(r) != width:
            continue
        for j, v in enumerate(r):
            if v.strip():
                cols[j].append(v)
    return cols




def _csv_fast(data: bytes, sep: str, names: list[str], recs, shown, typed: bool = True,
              encoding: str = "utf-8"):
    """pyarrow, multithreaded. With ``typed``, columns whose first cells are plain decimals are
    parsed by pyarrow itself (strict: any other cell fails the read and we come back untyped);
    the other columns come as text and are converted per column. Blank lines and ragged rows
    fail the read too: the careful path then gives their row numbers. pyarrow splits the raw
    bytes (separators, quotes and digits are ASCII in both encodings); text columns are checked
    for UTF-8, or converted from Windows-1252, afterwards. Returns (frame, style, encoding)."""
    import pyarrow as pa
    import pyarrow.csv as pacsv

    width = len(names)
    cols = _sample_columns(recs, width)
    default = _sample_style(cols) or ("en" if sep == "," else "nl")
    plans = {j: _plan(cols[j], default) for j in range(width)}
    # text as large_string: what pandas' str dtype holds, so no conversion later
    types = {f"c{j}": (pa.float64() if typed and plans[j] == "dec" else
                       pa.string() if plans[j] in ("int", "dec", "thou") else pa.large_string())
             for j in range(width)}
    end = len(data)  # without trailing newlines and lines of only blanks (a last cell keeps its spaces)
    while end:
        while end and data[end - 1] in b"\r\n":
            end -= 1
        start = data.rfind(b"\n", 0, end) + 1
        if end > start and not data[start:end].strip(b" \t"):
            end = start
            continue
        break
    read = pacsv.ReadOptions(column_names=list(types), skip_rows=1, block_size=1 << 22, use_threads=_THREADS)
    quotes = data.find(b'"') >= 0
    if quotes and np.count_nonzero(np.frombuffer(data, dtype=np.uint8) == 34) % 2:
        raise _Fallback  # an odd number of quotes: maybe a field left open at the end
    # no quote in the whole file: the tokenizer need not look for them
    parse = pacsv.ParseOptions(delimiter=sep, quote_char='"' if quotes else False, double_quote=True,
                               newlines_in_values=quotes, ignore_empty_lines=False)
    conv = pacsv.ConvertOptions(column_types=types, strings_can_be_null=True, null_values=[""],
                                quoted_strings_can_be_null=True, check_utf8=False,
                                decimal_point="," if default == "nl" else ".")
    table = pacsv.read_csv(pa.py_buffer(data)[:end], read_options=read, parse_options=parse,
                           convert_options=conv)
    rows = range(2, table.num_rows + 2)
    if table.num_rows and all(c.null_count for c in table.columns):
        # blank lines (and rows of only separators) hold no data but keep their row number
        import pyarrow.compute as pc

        empty = np.logical_and.reduce([_np(pc.is_null(c)) for c in table.columns])
        if empty.any():
            table = table.filter(pa.array(~empty))
            rows = np.arange(2, len(empty) + 2)[~empty]
    n = table.num_rows
    if n == 0:
        raise DataError(Problem(shown, None, None, None, _HEADER_ONLY))
    arrays = []
    for j, col in enumerate(table.columns):
        if pa.types.is_floating(col.type):
            v = col.to_numpy()
            if np.isinf(v).any() or int(np.isnan(v).sum()) != col.null_count:
                raise _Fallback  # 'inf'/'nan' written as text are not numbers to us
            arrays.append(v)
            plans[j] = "number"
        else:
            arrays.append(col)
    raw = {"encoding": encoding, "data": data}
    df, style = _columns_to_frame(arrays, names, rows, shown, default, plans, sep, raw=raw)
    return df, style, raw["encoding"]


_PLAIN_INT = re.compile(r"[-+]?\d+")
_PLAIN_NUM = re.compile(r"[-+]?[\d.,]+")


def _plan(sample: list[str], style: str) -> str | None:
    """How to read a column, judged from its first cells: 'text' (some cell is no number, so
    the column is text whatever follows), 'int', 'dec' (decimals, no thousands separators),
    'thou' (thousands separators), or None (decorated numbers: the careful converter)."""
    if not sample:
        return None
    if not all(_PLAIN_NUM.fullmatch(v) for v in sample):
        for v in sample:
            m = _PY_DECOR.match(v.strip(_WS).replace("\u2212", "-"))
            if not m or not _PLAIN_NUM.fullmatch(m.group(3)):
                return "text"
        return None
    if all(_PLAIN_INT.fullmatch(v) for v in sample):
        return "int"
    thou = "." if style == "nl" else ","
    return "thou" if any(thou in v for v in sample) else "dec"


def _npi(values, fill: int) -> np.ndarray:
    if values.null_count:
        values = values.fill_null(fill)
    return values.to_numpy(zero_copy_only=False)


def _string_bytes(arr):
    """A pyarrow string array (as the CSV reader makes it: not sliced, 32-bit offsets) as
    (the array, its offsets from its first cell as numpy int32, or int64 for large_string, its
    bytes as a zero-copy uint8 numpy view)."""
    import pyarrow as pa

    if arr.type not in (pa.string(), pa.large_string()):
        arr = arr.cast(pa.string())
    if arr.offset:
        arr = pa.concat_arrays([arr])  # a fresh copy that starts at its first cell
    n = len(arr)
    _, offsets, data = arr.buffers()
    off = np.frombuffer(offsets, dtype=np.int64 if arr.type == pa.large_string() else np.int32, count=n + 1)
    if data is None or off[-1] == off[0]:
        raw = np.zeros(0, np.uint8)
    else:
        raw = np.frombuffer(data, dtype=np.uint8)[off[0]:off[-1]]
    return arr, off - off[0], raw


_COMMA_TO_POINT = bytes.maketrans(b",", b".")


def _with_bytes(arr, off, raw):
    """A string array like ``arr`` (same validity) with new offsets and bytes."""
    import pyarrow as pa

    if arr.type == pa.large_string():
        return pa.LargeStringArray.from_buffers(len(arr), pa.py_buffer(np.asarray(off, np.int64)),
                                                pa.py_buffer(raw), arr.buffers()[0], arr.null_count)
    return pa.StringArray.from_buffers(len(arr), pa.py_buffer(np.asarray(off, np.int32)), pa.py_buffer(raw),
                                       arr.buffers()[0], arr.null_count)


def _decimal_bytes(arr, plan: str, style: str):
    """Byte-level form of the strict conversion for ``dec`` and ``thou`` columns: the cells'
    bytes with thousands separators removed and a decimal comma turned into a point, ready for
    pyarrow's (exact) float cast; None when some cell is not written as the plan says.

    Thousands separators must stand between digit groups of three, before any decimal
    separator. Per cell, the first one (at ``f``) must follow 1 to 3 characters (after an
    optional sign), and the distance to the decimal separator (or the end) must be a multiple
    of four: ``(c - f) / 4`` separators, each at ``f + 4k``. Those positions are checked, and the
    cells' counts must add up to the separators present in the column, so there is none
    anywhere else. Every other character is judged by the float cast (digits, one point, a
    leading sign; ``1e5`` is the documented leniency, but not after a thousands separator:
    ``1.5e3`` is refused rather than read as 15e3). ``,`` and ``.`` are ASCII, so editing the
    UTF-8 bytes is safe."""
    import pyarrow.compute as pc

    arr, off, raw = _string_bytes(arr)
    thou, dec = (b".", b",") if style == "nl" else (b",", b".")
    text = raw.tobytes()
    total = text.count(thou)
    if plan == "dec" or not total:
        if total:
            return None  # a thousands separator in a decimals column: the careful path decides
        if dec == b",":
            return _with_bytes(arr, off, text.translate(_COMMA_TO_POINT))
        return arr
    fd = _npi(pc.find_substring(arr, thou.decode()), -1)
    has = fd >= 0
    length = np.diff(off)
    c = _npi(pc.find_substring(arr, dec.decode()), -1)
    c = np.where(c < 0, length, c)
    if b"-" in text or b"+" in text:
        first = raw[np.minimum(off[:-1], max(len(raw) - 1, 0))]
        sign = ((length > 0) & ((first == 45) | (first == 43))).view(np.uint8)
    else:
        sign = 0
    span = c - fd
    lead = fd - sign
    if not (~has | ((lead >= 1) & (lead <= 3) & (span >= 4) & ((span & 3) == 0))).all():
        return None
    nd = np.where(has, span >> 2, 0)
    if int(nd.sum()) != total:
        return None  # a separator after the decimal one, or two in a row
    for k in range(1, int(nd.max())):  # 1.234.567: the second and later separators in place
        more = nd > k
        if not (raw[off[:-1][more] + fd[more] + 4 * k] == ord(thou)).all():
            return None
    if b"e" in text or b"E" in text:  # '1.5e3' must not become 15e3
        if (has & _np(pc.match_substring(arr, "e", ignore_case=True))).any():
            return None
    text = text.translate(_COMMA_TO_POINT if dec == b"," else None, thou)  # one pass
    removed = np.zeros(len(off), np.int32)
    np.cumsum(nd, out=removed[1:])
    return _with_bytes(arr, off - removed, text)


def _fast_numbers(arr, plan: str, style: str):
    """Strict one-pass conversion for a column whose first cells were clean numbers.

    Returns a numpy array, the string "text" (identifiers with leading zeros), or None when
    some cell does not fit the plan (the careful converter then decides, with row numbers).
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    try:
        if plan == "int":
            v = pc.cast(arr, pa.int64())
            # identifiers: a leading zero ("0123", also "-0123") or more than 15 digits
            arr, off, raw = _string_bytes(arr)
            length = np.diff(off)
            starts = off[:-1][length > 0]
            first = raw[starts]
            signed = ((first == 45) | (first == 43)).view(np.uint8)
            body = length[length > 0] - signed
            if (body > 15).any():
                return "text"
            long = body > 1
            if long.any() and (raw[starts[long] + signed[long]] == 48).any():
                return "text"
            return v.to_numpy(zero_copy_only=False)
        t = _decimal_bytes(arr, plan, style)
        if t is None:
            return None
        v = pc.cast(t, pa.float64()).to_numpy(zero_copy_only=False)
    except pa.ArrowInvalid:
        return None
    if np.isinf(v).any() or int(np.isnan(v).sum()) != arr.null_count:
        return None  # 'inf', 'nan' written as text: not numbers to us
    return v


def _csv_careful(data: bytes, sep: str, names: list[str], shown: str):
    """The careful path: Python's csv module, so ragged rows and blank lines get their row number."""
    import pyarrow as pa

    text, encoding = _decode(data, shown)
    width = len(names)
    reader = csv.reader(_io.StringIO(text, newline=""), delimiter=sep, strict=True)
    out: list[list[str | None]] = [[] for _ in range(width)]
    rows: list[int] = []
    problems: list[Problem] = []
    record = 0
    try:
        for rec in reader:
            record += 1
            if record == 1:
                continue
            if not rec or (len(rec) == 1 and not rec[0].strip()):
                continue  # a blank line: keeps its number, holds no data
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
    if not rows:
        raise DataError(Problem(shown, None, None, None,
                                _HEADER_ONLY))
    cols = [pa.array(c, type=pa.string()) for c in out]
    sample_cols = [[v for v in c[:2000] if v is not None] for c in out]
    default = _sample_style(sample_cols) or ("en" if sep == "," else "nl")
    return (*_columns_to_frame(cols, names, np.asarray(rows), shown, default, {}, sep), encoding)


def _fast_columns(todo: dict, style: str, check: dict | None = None) -> tuple[dict, bool]:
    """:func:`_fast_numbers` for several columns, chunk by chunk on two threads (pyarrow's
    kernels release the GIL). A column is a number column only if every chunk is. The UTF-8
    checks of the text columns in ``check`` run in the same pool; the second result says
    whether they all passed."""
    import pyarrow as pa

    jobs = []
    for j, (arr, plan) in list(todo.items()) + [(j, (arr, "utf8")) for j, arr in (check or {}).items()]:
        chunks = arr.chunks if isinstance(arr, pa.ChunkedArray) else [arr]
        jobs += [(j, k, c, plan) for k, c in enumerate(chunks)]

    def run(job):
        return _utf8_ok(job[2]) if job[3] == "utf8" else _fast_numbers(job[2], job[3], style)

    if _THREADS and len(jobs) > 1:
        with ThreadPoolExecutor(max_workers=2) as ex:
            results = list(ex.map(run, jobs))
    else:
        results = [run(job) for job in jobs]
    utf8 = all(r for (_, _, _, plan), r in zip(jobs, results) if plan == "utf8")
    results = [r for job, r in zip(jobs, results) if job[3] != "utf8"]
    jobs = [job for job in jobs if job[3] != "utf8"]
    out: dict[int, Any] = {}
    for j in todo:
        parts = [r for (jj, _, _, _), r in zip(jobs, results) if jj == j]
        if not parts or any(r is None for r in parts):
            out[j] = None
        elif any(isinstance(r, str) for r in parts):
            out[j] = "text"
        else:
            kinds = {np.asarray(r).dtype.kind for r in parts}  # int chunks with gaps come as float
            out[j] = np.concatenate([np.asarray(r, dtype="float64" if "f" in kinds else None) for r in parts])
    return out, utf8


def _columns_to_frame(arrays, names, rows, shown, default_style, plans, sep, raw=None):
    """Turn text columns into numbers where every cell is one; drop unnamed empty columns.

    ``raw`` (``{"encoding", "data"}``) says the text columns hold the file's undecoded bytes:
    every column not converted to numbers by the strict converters (numbers are ASCII) is then
    checked for UTF-8 first; if one is not UTF-8, the whole file must be Windows-1252
    (:func:`_check_cp1252`, else a DataError) and ``raw["encoding"]`` becomes ``"cp1252"``.
    Windows-1252 text columns are converted to UTF-8 (no second read of the file)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    data: dict[str, Any] = {}
    problems: list[Problem] = []
    styles: dict[str, str] = {}
    pending = []
    # the strict per-column conversions are independent (and release the GIL): run them together
    todo = {j: (arr, plans[j]) for j, arr in enumerate(arrays)
            if plans.get(j) in ("int", "dec", "thou") and names[j]}
    texts = [j for j, arr in enumerate(arrays) if isinstance(arr, (pa.Array, pa.ChunkedArray))]
    check = {j: arrays[j] for j in texts if j not in todo} if raw and raw["encoding"] == "utf-8" else {}
    fast_done, utf8 = _fast_columns(todo, default_style, check)
    if raw is not None:
        texts = [j for j in texts if not isinstance(fast_done.get(j), np.ndarray)]  # still text
        if raw["encoding"] == "utf-8" and not (utf8 and all(
                _utf8_ok(c) for j in texts if j not in check
                for c in (arrays[j].chunks if isinstance(arrays[j], pa.ChunkedArray) else [arrays[j]]))):
            _check_cp1252(raw["data"], shown)  # a late Windows-1252 character, or a DataError
            raw["encoding"] = "cp1252"
        if raw["encoding"] == "cp1252":
            arrays = list(arrays)
            for j in texts:
                arrays[j] = _cp1252_to_utf8(arrays[j])
    for j, (name, arr) in enumerate(zip(names, arrays)):
        if plans.get(j) == "number":
            data[name] = arr
            styles[name] = default_style
            continue
        plan = plans.get(j)
        if arr.null_count == len(arr) or (plan is None and not _np(
                pc.greater(pc.utf8_length(pc.utf8_trim_whitespace(arr)), 0)).any()):
            if not name:
                continue  # trailing separator: an unnamed, empty column
            data[name] = pd.Series(arr.to_pandas(), dtype="str")
            continue
        if not name:
            problems.append(Problem(shown, 1, f"kolom {j + 1}", None,
                                    "een naam in de kopregel voor elke kolom met gegevens"))
            continue
        if plan == "text":
            data[name] = arr
            continue
        if plan is not None:
            fast = fast_done[j] if j in fast_done else _fast_numbers(arr, plan, default_style)
            if isinstance(fast, str):
                data[name] = arr
                continue
            if fast is not None:
                data[name] = fast
                styles[name] = default_style
                continue
        pending.append((name, arr))
    # numbers: columns that fix their own style first, then the ambiguous ones follow the file
    decided_styles = []
    results = {}
    for name, arr in pending:
        res = _numbers_arrow(arr, default_style)
        results[name] = res
        if res[7]:
            decided_styles.append(res[3])
    file_style = default_style
    if decided_styles and all(s == decided_styles[0] for s in decided_styles):
        file_style = decided_styles[0]
    for name, arr in pending:
        vals, not_number, conflict, style, integer, identifier, percent, decided = results[name]
        if not decided and style != file_style and not not_number.any():
            vals, not_number, conflict, style, integer, identifier, percent, decided = _numbers_arrow(
                arr, file_style, hint=file_style)
        if not_number.any():
            data[name] = arr  # text
            continue
        if conflict.any():
            raw = arr.to_numpy(zero_copy_only=False)
            problems += _conflict_problems(shown, rows, name, raw, conflict, style)
            continue
        if integer and identifier:
            data[name] = arr
            continue
        styles[name] = style
        data[name] = vals
    if problems:
        problems.sort(key=lambda p: (p.row or 0))
        raise DataError(problems)
    frame = {}
    for name in [n for n in names if n in data]:
        v = data[name]
        if isinstance(v, (pa.Array, pa.ChunkedArray)):
            frame[name] = pd.Series(v.to_pandas(), dtype="str")
        elif isinstance(v, pd.Series):
            frame[name] = v.array
        else:
            v = np.asarray(v)
            frame[name] = v if v.flags.writeable else v.copy()  # never a view of pyarrow memory
    df = pd.DataFrame(frame, copy=False)  # the arrays are ours: no copy, no consolidation
    return _finish_index(df, rows), file_style


# --------------------------------------------------------------------------- Excel

def _header_text(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, float) and v.is_integer():
        v = int(v)  # a year typed as a column name: 2020, not 2020.0
    return str(v).strip()


def _read_xlsx(path: Path, shown: str, sheet) -> pd.DataFrame:
    import openpyxl

    try:
        wb = openpyxl.load_workbook(path, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError) as e:
        raise DataError(Problem(shown, None, None, None,
                                f"een leesbaar Excel-bestand; het is beschadigd of onvolledig ({type(e).__name__})")) from None
    names = sheets = wb.sheetnames
    if sheet is None:
        ws = wb.worksheets[0]
    elif isinstance(sheet, int) and not isinstance(sheet, bool):
        if not 0 <= sheet < len(names):
            raise DataError(Problem(shown, None, None, sheet,
                                    f"een bladnummer van 0 tot {len(names) - 1}; bladen: {', '.join(names)}"))
        ws = wb.worksheets[sheet]
    else:
        match = [n for n in names if n == sheet] or [n for n in names if n.strip().casefold() == str(sheet).strip().casefold()]
        if not match:
            raise DataError(Problem(shown, None, None, sheet,
                                    f"de naam van een werkblad; dit bestand heeft: {', '.join(names)}"))
        ws = wb[match[0]]
    cells = [list(r) for r in ws.iter_rows()]
    rows_all = [(r[0].row if r else None, r) for r in cells]
    nonempty = [(i, r) for i, r in rows_all if r and any(c.value is not None and str(c.value).strip() != "" for c in r)]
    if not nonempty:
        raise DataError(Problem(shown, None, None, None, f"een tabel; werkblad '{ws.title}' is leeg"))
    header_row, header_cells = nonempty[0]
    merged = sorted(ws.merged_cells.ranges, key=lambda r: (r.min_row, r.min_col))
    if merged:
        problems = []
        for rng in merged:
            where = "de kopregel" if rng.min_row <= header_row <= rng.max_row else f"rij {rng.min_row}"
            problems.append(Problem(shown, rng.min_row, str(rng.coord), None,
                                    f"gewone cellen; {where} heeft samengevoegde cellen ({rng.coord}) in werkblad "
                                    f"'{ws.title}'. Hef de samenvoeging op en geef elke kolom een eigen naam"
                                    if where == "de kopregel" else
                                    f"gewone cellen; samengevoegde cellen ({rng.coord}) in werkblad '{ws.title}'. "
                                    "Hef de samenvoeging op en vul elke cel in"))
        raise DataError(problems)
    width = max(len(r) for _, r in nonempty)
    raw_names = [_header_text(c.value) for c in header_cells] + [""] * (width - len(header_cells))
    body = [(i, r) for i, r in nonempty[1:]]
    if not body:
        others = "" if len(sheets) == 1 else f" (kies met de parameter sheet een ander werkblad: {', '.join(sheets)})"
        raise DataError(Problem(shown, None, None, None,
                                f"minstens één rij met gegevens onder de kopregel; werkblad '{ws.title}' heeft "
                                f"alleen een kopregel{others}"))
    names = _header(raw_names, shown)
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
                                    "een naam in de kopregel voor elke kolom met gegevens"))
            continue
        if all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in present):
            arr = np.array([np.nan if v is None else v for v in vals], dtype="float64")
            pct = all("%" in (c.number_format or "") for c, v in zip(col, vals) if v is not None)
            if pct:
                arr = np.round(arr * 100, 10)  # 0.336 is shown as 33,6%: read 33.6, not 33.60000000000001
                percent_cols.append(name)
            if not pct and all(isinstance(v, int) for v in present) and len(present) == len(vals):
                arr = arr.astype("int64")
            data[name] = arr
        elif all(hasattr(v, "year") for v in present):
            data[name] = pd.to_datetime(pd.Series(vals, dtype=object)).to_numpy()
        elif all(isinstance(v, str) for v in present):
            s = pd.Series(vals, dtype="str")
            res = parse_numbers(s)
            if res.not_number.any() or (res.integer and res.identifier):
                data[name] = s.array
            elif res.conflict.any():
                problems += _conflict_problems(shown, rows, name, np.asarray(vals, dtype=object),
                                               res.conflict.to_numpy(), res.style)
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


# --------------------------------------------------------------------------- SPSS, Stata, Parquet

def _read_stat(path: Path, shown: str, fmt: str) -> pd.DataFrame:
    import pyreadstat

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
        mapped = codes.map(lambda c: labels.get(_plain_code(c), c) if not _isna(c) else None)
        df[col] = mapped.astype("str") if mapped.map(lambda v: isinstance(v, str) or v is None).all() else mapped.astype(object)
        value_labels[col] = labels
    df = _finish_index(df.reset_index(drop=True), np.arange(1, len(df) + 1))
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
    import pyarrow as pa
    import pyarrow.parquet as pq

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
    return _finish_index(df, np.arange(1, len(df) + 1))
