"""Validation of input tables and the row ledger.

Every problem found in an input file becomes a :class:`~evaluatie.core.errors.Problem` naming the file, the row as the
user sees it in their own file (header = row 1, so the first data row is row 2), the column, the
offending value and what was expected. All problems found in one pass are raised together as one
:class:`~evaluatie.core.errors.DataError`, so a user fixes their file once, not once per problem.

The :class:`Ledger` accounts for every row read: each row is either analysed or excluded with a
reason, and ``read == excluded + analysed`` is checked, never assumed.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, Callable, Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

from evaluatie.core.errors import DataError, Problem, private
from evaluatie.core.numbers import parse_numbers

__all__ = ["Ledger", "Schema", "Column", "each_has", "BOOL_TOKENS"]


@dataclass
class Ledger:
    """Accounts for every input row: read = excluded (per reason) + analysed.

    >>> led = Ledger("sollicitaties.csv", read=10)
    >>> led.exclude("dubbele sollicitatie", 2)
    >>> led.analysed
    8
    """

    source: str
    read: int
    exclusions: dict[str, int] = field(default_factory=dict)

    def exclude(self, reason: str, n: int) -> None:
        if n < 0:
            raise ValueError("an exclusion count cannot be negative")
        if n == 0:
            return
        self.exclusions[reason] = self.exclusions.get(reason, 0) + int(n)
        if self.excluded > self.read:
            raise ValueError(
                f"ledger of {self.source}: {self.excluded} rows excluded but only {self.read} read"
            )

    @property
    def excluded(self) -> int:
        return sum(self.exclusions.values())

    @property
    def analysed(self) -> int:
        return self.read - self.excluded

    def drop(self, df: pd.DataFrame, mask, reason: str) -> pd.DataFrame:
        """Exclude the rows of ``df`` where ``mask`` is true, record them under ``reason``, and
        return the rest — so no row leaves an analysis without a line in the ledger.

        >>> led = Ledger("s.csv", read=len(df))
        >>> df = led.drop(df, df["outcome"].isna(), "uitkomst ontbreekt")
        """
        m = pd.Series(mask, index=df.index) if not isinstance(mask, pd.Series) else mask
        m = m.fillna(False).astype(bool)
        self.exclude(reason, int(m.sum()))
        return df.loc[~m.to_numpy()]

    def check(self, analysed: int | pd.DataFrame) -> None:
        """Raise ``AssertionError`` unless the ledger accounts for exactly ``analysed`` rows
        (a number or the frame that is analysed): read = excluded + analysed."""
        n = len(analysed) if isinstance(analysed, pd.DataFrame) else int(analysed)
        if n != self.analysed:
            raise AssertionError(
                f"ledger of {self.source} does not add up: read {self.read}, excluded {self.excluded}, "
                f"so {self.analysed} to analyse, but {n} analysed")

    def to_frame(self) -> pd.DataFrame:
        """The ledger as a table: one line for rows read, one per exclusion reason, one for rows analysed."""
        rows = [{"source": self.source, "step": "read", "reason": "", "rows": self.read}]
        rows += [
            {"source": self.source, "step": "excluded", "reason": reason, "rows": n}
            for reason, n in self.exclusions.items()
        ]
        rows.append({"source": self.source, "step": "analysed", "reason": "", "rows": self.analysed})
        return pd.DataFrame(rows, columns=["source", "step", "reason", "rows"])


# --------------------------------------------------------------------------- declarative schemas

MISSING_EXPECTED = "een waarde (de cel is leeg)"

#: tokens accepted by ``kind="bool"`` (compared after stripping whitespace and lower-casing)
BOOL_TOKENS: dict[str, bool] = {
    "ja": True, "yes": True, "1": True, "true": True, "waar": True,
    "nee": False, "neen": False, "no": False, "0": False, "false": False, "onwaar": False,
}
_BOOL_EXPECTED = "ja of nee (ook goed: neen, yes/no, 1/0, true/false, waar/onwaar)"

_DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%Y-%m-%d %H:%M:%S")
_DATE_EXPECTED = "een datum (zoals 31/12/2020 of 2020-12-31)"

_KINDS = ("str", "int", "float", "bool", "category", "date")


def _fmt_bound(v: Any) -> str:
    if isinstance(v, (pd.Timestamp,)) or hasattr(v, "strftime"):
        return pd.Timestamp(v).strftime("%d/%m/%Y")
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    if isinstance(v, (int, float)):
        return str(v).replace(".", ",")  # 2000, 0,5 (no thousands dot: years must read as years)
    return str(v)


def _fmt_list(values: Iterable[Any]) -> str:
    vals = [str(v) for v in values]
    if len(vals) > 12:
        vals = vals[:12] + ["..."]
    return ", ".join(vals)


def _range_words(lo: Any, hi: Any) -> str:
    if lo is not None and hi is not None:
        return f" tussen {_fmt_bound(lo)} en {_fmt_bound(hi)}"
    if lo is not None:
        return f" van minstens {_fmt_bound(lo)}"
    if hi is not None:
        return f" van hoogstens {_fmt_bound(hi)}"
    return ""


def _is_missing_scalar(v: Any) -> bool:
    if v is None:
        return True
    try:
        if pd.isna(v):
            return True
    except (TypeError, ValueError):
        return False
    return isinstance(v, str) and not v.strip()


@dataclass(frozen=True)
class Column:
    """One column of a :class:`Schema`, under its standard (English) name.

    ``kind``: ``"str"`` (text, whitespace trimmed), ``"int"`` (whole number), ``"float"``,
    ``"bool"`` (ja/nee/neen, yes/no, 1/0, true/false, waar/onwaar; nothing else unless ``labels``
    adds it), ``"category"`` (one of ``allowed``, matched case-insensitively and returned in the
    spelling of ``allowed``), ``"date"`` (``2020-12-31``, ``31/12/2020``, ``31-12-2020``,
    ``31.12.2020`` or a date cell from Excel/SPSS/Stata; day first, as in Belgium).

    ``labels`` maps a user's value to the canonical one before typing (case- and
    whitespace-insensitive), e.g. ``{"zeer tevreden": 5, "tevreden": 4}`` or
    ``{"uitgenodigd": True}``; values not in ``labels`` are typed as they are.
    ``min``/``max`` bound numbers and dates (inclusive), ``allowed`` restricts the values
    (category, str, int), ``nullable`` permits empty cells, ``required=False`` lets the column
    be absent (it then comes back entirely empty). ``ordered`` makes a category ordered in the
    order of ``allowed``. ``unit="eur"`` marks an amount of money (a ``float``): a percentage
    (``120%``) in it is invalid, not read as euros.
    """

    name: str
    kind: str = "str"
    required: bool = True
    min: Any = None
    max: Any = None
    allowed: Sequence[Any] | None = None
    labels: Mapping[Any, Any] | None = None
    nullable: bool = False
    ordered: bool = False
    description: str | None = None
    unit: str | None = None

    def __post_init__(self):
        if self.unit not in (None, "eur") or (self.unit and self.kind != "float"):
            raise ValueError(f"column {self.name!r}: unit must be None or 'eur' (for a float column)")
        if self.kind not in _KINDS:
            raise ValueError(f"column {self.name!r}: kind must be one of {_KINDS}, not {self.kind!r}")
        if self.kind == "category" and self.allowed is None and not self.labels:
            raise ValueError(f"column {self.name!r}: a category needs `allowed` or `labels`")

    # ----------------------------------------------------------------- typing one column
    def categories(self) -> list[Any]:
        if self.allowed is not None:
            return list(self.allowed)
        seen: list[Any] = []
        for v in (self.labels or {}).values():
            if v not in seen:
                seen.append(v)
        return seen

    def expected(self) -> str:
        """What this column should hold, in plain Dutch."""
        if self.kind == "bool":
            base = _BOOL_EXPECTED
        elif self.kind == "category" or self.allowed is not None:
            base = "een van: " + _fmt_list(self.categories())
        elif self.kind == "int":
            base = "een geheel getal"
        elif self.kind == "float":
            base = "een bedrag in euro (geen percentage)" if self.unit == "eur" else "een getal"
        elif self.kind == "date":
            base = _DATE_EXPECTED
        else:
            base = "tekst"
        if self.labels and self.kind != "category":
            base += " of een van: " + _fmt_list(self.labels.keys())
        return base + self._range_text()

    def _range_text(self) -> str:
        if self.kind == "date":
            lo = None if self.min is None else pd.Timestamp(self.min)
            hi = None if self.max is None else pd.Timestamp(self.max)
        else:
            lo, hi = self.min, self.max
        return _range_words(lo, hi)

    def coerce(self, raw: pd.Series) -> tuple[pd.Series, pd.Series, pd.Series]:
        """Type ``raw``: returns (typed values, missing mask, invalid mask), all on raw's index.

        Invalid cells are missing in the typed values; the caller turns the masks into problems.
        """
        idx = raw.index
        missing = raw.isna().to_numpy(dtype=bool)
        if _is_text(raw):
            # a text column: vectorised trimming, empty cells are missing
            values = raw.astype("str").str.strip()
            missing = missing | (values == "").fillna(False).to_numpy(dtype=bool)
        elif raw.dtype == object:
            values = raw.map(lambda v: v.strip() if isinstance(v, str) else v, na_action="ignore")
            missing = missing | values.map(lambda v: isinstance(v, str) and v == "",
                                           na_action="ignore").astype(object).fillna(False).to_numpy(dtype=bool)
        else:
            values = raw
        missing = pd.Series(missing, index=idx)
        if missing.any() and (values.dtype == object or _is_text(values)):
            values = values.where(~missing)  # "" and "  " are missing, like NaN
        # labels: user value -> canonical value, case-insensitive for text
        if self.labels:
            lab = {(k.strip().casefold() if isinstance(k, str) else k): v for k, v in self.labels.items()}
            if _is_text(values):
                keys = _map_unique(values, str.casefold)
                hit = keys.isin([k for k in lab if isinstance(k, str)]).astype(bool)
            else:
                keys = values.map(lambda v: v.casefold() if isinstance(v, str) else v, na_action="ignore")
                hit = keys.map(lambda k: k in lab if _hashable(k) else False, na_action="ignore")
                hit = hit.astype(object).fillna(False).astype(bool)
            hit = hit & ~missing
            if hit.any():
                values = values.astype(object)
                values[hit] = keys[hit].map(lab)
        typed, invalid = _TYPERS[self.kind](self, values, missing)
        if self.unit == "eur" and (values.dtype == object or _is_text(values)):
            pct = values.map(lambda v: isinstance(v, str) and "%" in v, na_action="ignore")
            invalid = invalid | pct.astype(object).fillna(False).astype(bool)
        invalid = invalid & ~missing
        # allowed values (non-category kinds) and ranges
        if self.allowed is not None and self.kind not in ("category", "bool"):
            ok = typed.isin(list(self.allowed)) | typed.isna()
            invalid = invalid | (~ok & ~missing)
        if self.min is not None or self.max is not None:
            num = typed
            lo = pd.Timestamp(self.min) if self.kind == "date" and self.min is not None else self.min
            hi = pd.Timestamp(self.max) if self.kind == "date" and self.max is not None else self.max
            out = pd.Series(False, index=idx)
            if lo is not None:
                out |= (num < lo).fillna(False).astype(bool)
            if hi is not None:
                out |= (num > hi).fillna(False).astype(bool)
            invalid = invalid | out
        typed = typed.where(~invalid) if invalid.any() else typed
        return typed, missing.astype(bool), invalid.astype(bool)


def _map_unique(values: pd.Series, fn: Callable[[Any], Any]) -> pd.Series:
    """``values.map(fn)`` computed once per distinct value (fast for columns of few labels)."""
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    mapped = np.array([fn(u) for u in uniques] + [None], dtype=object)
    return pd.Series(mapped[codes], index=values.index)


def _is_text(s: pd.Series) -> bool:
    """A pandas text column (the ``str`` dtype), where vectorised string methods apply."""
    return s.dtype != object and pd.api.types.is_string_dtype(s.dtype)


def _hashable(v: Any) -> bool:
    try:
        hash(v)
        return True
    except TypeError:
        return False


def _type_str(col: Column, values: pd.Series, missing: pd.Series):
    def to_text(v):
        if isinstance(v, str):
            return v
        if isinstance(v, bool):
            return str(v)
        if isinstance(v, float) and v.is_integer():
            return str(int(v))  # identifiers read as numbers: 123.0 -> "123"
        return str(v)

    if _is_text(values):
        return values, pd.Series(False, index=values.index)
    out = values.map(to_text, na_action="ignore").astype("str")
    return out, pd.Series(False, index=values.index)


def _type_float(col: Column, values: pd.Series, missing: pd.Series):
    if pd.api.types.is_bool_dtype(values.dtype):
        return values.astype("float64"), pd.Series(False, index=values.index)
    if pd.api.types.is_numeric_dtype(values.dtype):
        out = values.astype("float64")
        return out, pd.Series(False, index=values.index)
    if _is_text(values):
        out = parse_numbers(values).values  # NaN where no number, or in the column's other style
        return out, out.isna() & ~missing

    is_text = values.map(lambda v: isinstance(v, str), na_action="ignore").astype(object).fillna(False).astype(bool)
    is_num = values.map(lambda v: isinstance(v, (int, float, np.integer, np.floating))
                        and not isinstance(v, (bool, np.bool_)), na_action="ignore").astype(object).fillna(False).astype(bool)
    out = pd.Series(np.nan, index=values.index, dtype="float64")
    if is_num.any():
        out[is_num] = values[is_num].astype("float64")
    if is_text.any():
        # the column decides its decimal style; cells in the other style are invalid, not guessed
        out[is_text] = parse_numbers(values[is_text].astype("str")).values
    bad = out.isna() & ~missing
    return out, bad


def _type_int(col: Column, values: pd.Series, missing: pd.Series):
    f, bad = _type_float(col, values, missing)
    frac = (f % 1 != 0) & f.notna()
    bad = bad | frac
    f = f.where(~frac)
    if f.isna().any():
        return f.round().astype("Int64"), bad
    return f.astype("int64"), bad


def _type_bool(col: Column, values: pd.Series, missing: pd.Series):
    def conv(v):
        if isinstance(v, (bool, np.bool_)):
            return bool(v)
        if isinstance(v, (int, float, np.integer, np.floating)):
            return {1: True, 0: False}.get(v) if float(v) in (0.0, 1.0) else None
        if isinstance(v, str):
            return BOOL_TOKENS.get(v.strip().casefold())
        return None

    if _is_text(values):
        mapped = _map_unique(values, lambda v: BOOL_TOKENS.get(v.casefold()))
    else:
        mapped = values.map(conv, na_action="ignore")
    bad = mapped.isna() & ~missing
    if mapped.isna().any():
        return mapped.astype("boolean"), bad
    return mapped.astype(bool), bad


def _type_category(col: Column, values: pd.Series, missing: pd.Series):
    cats = col.categories()
    lookup = {}
    for c in cats:
        lookup[c] = c
        if isinstance(c, str):
            lookup.setdefault(c.strip().casefold(), c)

    def conv(v):
        if isinstance(v, str):
            return lookup.get(v, lookup.get(v.strip().casefold()))
        if _hashable(v):
            if v in lookup:
                return lookup[v]
            if isinstance(v, float) and v.is_integer() and int(v) in lookup:
                return lookup[int(v)]
            if isinstance(v, (int, float, np.integer, np.floating)) and str(v) in lookup:
                return lookup[str(v)]
        return None

    if _is_text(values) and all(isinstance(c, str) for c in cats):
        folded = {}
        for c in cats:
            folded.setdefault(c.strip().casefold(), c)
        mapped = _map_unique(values, lambda v: folded.get(v.casefold()))
    else:
        mapped = values.map(conv, na_action="ignore")
    bad = mapped.isna() & ~missing
    return pd.Series(pd.Categorical(mapped, categories=cats, ordered=col.ordered), index=values.index), bad


def _type_date(col: Column, values: pd.Series, missing: pd.Series):
    if pd.api.types.is_datetime64_any_dtype(values.dtype):
        return values, pd.Series(False, index=values.index)

    def conv(v):
        if isinstance(v, pd.Timestamp):
            return v
        if hasattr(v, "year") and hasattr(v, "month"):
            return pd.Timestamp(v)
        if isinstance(v, str):
            s = v.strip()
            for f in _DATE_FORMATS:
                try:
                    return pd.Timestamp(datetime.strptime(s, f))
                except ValueError:
                    continue
        return pd.NaT

    if _is_text(values):
        out = pd.Series(pd.NaT, index=values.index, dtype="datetime64[ns]")
        for f in _DATE_FORMATS:
            todo = out.isna() & values.notna()
            if not todo.any():
                break
            out[todo] = pd.to_datetime(values[todo], format=f, errors="coerce")
        return out, out.isna() & ~missing
    out = pd.to_datetime(values.map(conv, na_action="ignore"))
    return out, out.isna() & ~missing


_TYPERS = {
    "str": _type_str, "int": _type_int, "float": _type_float,
    "bool": _type_bool, "category": _type_category, "date": _type_date,
}


Check = Callable[[pd.DataFrame], "list[Problem]"]


@dataclass
class Schema:
    """What an analysis needs from its input table, declared once.

    >>> schema = Schema(columns=[Column("vacancy"), Column("outcome", kind="bool")],
    ...                 unique=[("vacancy",)])
    >>> clean = schema.validate(df, file="sollicitaties.csv", columns={"vacancy": "Vacature nr."})

    :meth:`validate` returns a new DataFrame with the standard column names (in schema order;
    the user's other columns are dropped so identifiers and free text go no further), typed
    values and the same index (the user's row numbers). It raises one :class:`DataError` with
    every problem found. ``checks`` are cross-row rules ``fn(clean) -> list[Problem]``; they
    run on the typed frame once every cell is valid (they need typed values), may use standard
    column names and ``file=None`` in their problems: :meth:`validate` fills in the file and
    translates the column to the user's name.
    """

    columns: list[Column]
    unique: list[Sequence[str] | str] = field(default_factory=list)
    checks: list[Check] = field(default_factory=list)

    def __post_init__(self):
        names = [c.name for c in self.columns]
        if len(set(names)) != len(names):
            raise ValueError("schema column names must be unique")
        for key in self.unique:
            for k in ([key] if isinstance(key, str) else key):
                if k not in names:
                    raise ValueError(f"unique key {k!r} is not a schema column")

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(name)

    def resolve_columns(
        self, df: pd.DataFrame, file: str | None = None, columns: Mapping[str, str] | None = None
    ) -> tuple[dict[str, Any], list[Problem]]:
        """Map each standard name to the user's column in ``df`` (mapping first, then the same
        name, then a unique case/whitespace-insensitive match)."""
        columns = dict(columns or {})
        unknown = set(columns) - {c.name for c in self.columns}
        if unknown:
            raise ValueError(f"column mapping names unknown standard columns: {sorted(unknown)}")
        present = list(df.columns)
        norm: dict[str, list[Any]] = {}
        for c in present:
            norm.setdefault(_norm_name(c), []).append(c)
        found = _fmt_list(present) if present else "geen"
        out: dict[str, Any] = {}
        problems: list[Problem] = []
        for col in self.columns:
            want = columns.get(col.name, col.name)
            if want in present:
                out[col.name] = want
                continue
            cand = norm.get(_norm_name(want), [])
            if len(cand) == 1:
                out[col.name] = cand[0]
                continue
            if col.required:
                via = "" if want == col.name else f" (voor '{col.name}')"
                problems.append(Problem(
                    file=file, row=None, column=str(want), value=None,
                    expected=f"een kolom '{want}'{via}; die ontbreekt. Gevonden kolommen: {private(found)}",
                ))
        return out, problems

    def validate(
        self, df: pd.DataFrame, file: str | None = None, columns: Mapping[str, str] | None = None,
        *, keep: Sequence[str] = (),
    ) -> pd.DataFrame:
        """Check and type ``df``; return it with standard column names, or raise :class:`DataError`.

        ``file`` names the file in messages (default ``df.attrs["source"]["file"]``);
        ``columns`` maps standard names to the user's names; ``keep`` lists extra user columns
        to carry along unchanged (under their own names).
        """
        if file is None:
            file = (df.attrs.get("source") or {}).get("file")
        mapping, problems = self.resolve_columns(df, file, columns)
        out = pd.DataFrame(index=df.index)
        bad_cells = pd.Series(False, index=df.index)
        for col in self.columns:
            if col.name not in mapping:
                typed, _, _ = col.coerce(pd.Series([None] * len(df), index=df.index, dtype=object))
                out[col.name] = typed
                continue
            user = mapping[col.name]
            raw = df[user]
            typed, missing, invalid = col.coerce(raw)
            if col.unit == "eur" and user in df.attrs.get("percent_columns", ()):
                invalid = ~missing  # Excel shows these cells as percentages: no amounts

            out[col.name] = typed
            if invalid.any() and col.kind in ("bool", "category"):
                problems.append(_unknown_labels(file, str(user), col, raw, invalid))
            elif invalid.any():
                exp = col.expected()
                for r in invalid.index[invalid.to_numpy()]:
                    problems.append(Problem(file, _row(r), str(user), _plain(raw.loc[r]), exp))
            if missing.any() and not col.nullable:
                for r in missing.index[missing.to_numpy()]:
                    problems.append(Problem(file, _row(r), str(user), None, MISSING_EXPECTED))
                bad_cells |= missing
            bad_cells |= invalid
        for k in keep:
            if k not in df.columns:
                problems.append(Problem(file, None, str(k), None,
                                        f"een kolom '{k}'; die ontbreekt. Gevonden kolommen: "
                                        f"{private(_fmt_list(df.columns))}"))
            else:
                out[k] = df[k]
        for key in self.unique:
            key = [key] if isinstance(key, str) else list(key)
            if not all(k in mapping for k in key):
                continue
            sub = out[key]
            ok = ~bad_cells & sub.notna().all(axis=1)
            sub = sub[ok]
            dup = sub.duplicated(keep=False)
            if dup.any():
                first: dict[tuple, Any] = {}
                user_cols = ", ".join(str(mapping[k]) for k in key)
                for r, vals in zip(sub.index[dup.to_numpy()], sub[dup].itertuples(index=False, name=None)):
                    vals = tuple(_plain(v) for v in vals)
                    if vals not in first:
                        first[vals] = r
                        continue
                    names = " + ".join(f"'{mapping[k]}'" for k in key)
                    problems.append(Problem(
                        file, _row(r), user_cols, vals[0] if len(vals) == 1 else vals,
                        f"een unieke combinatie van {names}; dezelfde staat al in rij {_row(first[vals])}",
                    ))
        if not problems:
            for check in self.checks:
                for p in check(out) or []:
                    problems.append(_translate(p, file, mapping))
        if problems:
            # file-level problems first, then in the order of the user's rows (stable within a row)
            problems.sort(key=lambda p: -1 if p.row is None else p.row)
            raise DataError(problems)
        out.attrs = {k: v for k, v in df.attrs.items()}
        out.attrs["columns"] = {k: str(v) for k, v in mapping.items()}
        return out


def _norm_name(name: Any) -> str:
    return " ".join(str(name).split()).casefold()


def _unknown_labels(file: str | None, user: str, col: Column, raw: pd.Series, invalid: pd.Series) -> Problem:
    """One problem for every unknown label of a yes/no or category column, however many rows hold
    them: the first row, the number of distinct labels and of rows, what is expected, and how to
    give the labels a meaning (the ``values`` parameter). The message quotes no label; the
    problem's ``value`` is the first one, found at the row it names."""
    rows = invalid.index[invalid.to_numpy()]
    labels = tuple(dict.fromkeys(_plain(v) for v in raw.loc[rows]))
    k, m = len(labels), len(rows)
    what = "1 onbekende waarde" if k == 1 else f"{k} verschillende onbekende waarden"
    where = "1 rij" if m == 1 else f"{m} rijen, de eerste hier"
    return Problem(file, _row(rows[0]), user, labels[0],
                   f"{col.expected()} ({what} in {where}; geef hun betekenis op met de parameter "
                   f"'values': {{{col.name}: {{waarde in het bestand: code}}}}, of laat "
                   f"'evaluatie new' de waarden tonen en een koppeling voorstellen)")


def _row(r: Any) -> int | None:
    if isinstance(r, (int, np.integer)) and not isinstance(r, bool):
        return int(r)
    return None


def _plain(v: Any) -> Any:
    if isinstance(v, np.generic):
        return v.item()
    return v


def _translate(p: Problem, file: str | None, mapping: Mapping[str, Any]) -> Problem:
    col = p.column
    if col is not None and "," not in col and col in mapping:
        col = str(mapping[col])
    elif col is not None:
        parts = [str(mapping.get(c.strip(), c.strip())) for c in col.split(",")]
        col = ", ".join(parts)
    return replace(p, file=p.file or file, column=col)


# --------------------------------------------------------------------------- ready-made cross-row rules

def each_has(key: str, column: str, values: Sequence[Any], *, exactly_once: bool = True) -> Check:
    """Cross-row rule: every ``key`` (e.g. a vacancy) has a row for each of ``values`` of ``column``
    (e.g. both groups of a pair), and — with ``exactly_once`` — no other rows.

    One problem per broken key, at its first row.
    """
    want = list(values)

    def check(df: pd.DataFrame) -> list[Problem]:
        sub = df[[key, column]]
        rows = pd.Series(sub.index, index=sub.index)
        # rows per (key, value), vectorised; keys are then checked as a whole
        counts = sub.groupby([key, column], observed=True, sort=False, dropna=False).size().unstack(
            fill_value=0)
        wanted = counts.reindex(columns=want, fill_value=0)
        other = counts.drop(columns=[c for c in counts.columns if c in want])
        bad = (wanted == 0).any(axis=1) | (other.sum(axis=1) > 0)
        if exactly_once:
            bad |= (wanted > 1).any(axis=1)
        if not bad.any():
            return []
        bad_keys = list(bad.index[bad.to_numpy()])
        in_bad = sub[key].isin(bad_keys).to_numpy()
        exp = (f"voor elke {key} precies één rij per {column}: {_fmt_list(want)}"
               if exactly_once else f"voor elke {key} minstens één rij per {column}: {_fmt_list(want)}")
        problems = []
        for k, grp in sub[in_bad].groupby(key, sort=False, observed=True):
            got = ", ".join(map(str, grp[column]))
            problems.append(Problem(None, _row(rows[grp.index[0]]), f"{key}, {column}", f"{k} heeft {got}", exp))
        problems.sort(key=lambda p: -1 if p.row is None else p.row)
        return problems

    check.__name__ = f"each_has({key}, {column})"
    return check
