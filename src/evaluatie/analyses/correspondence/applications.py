"""Reading and checking the application log: :func:`prepare` maps a study's own column names onto
the standard names, checks the design and keeps a ledger; :func:`load` reads the nulmeting and a
vervolgmeting; :func:`relabel` shows file values under the reader's (Dutch) labels.

Standard column names: ``vacancy``, ``ground``, ``group``, ``outcome`` (required, ``ground`` may be
given as a constant instead), optional ``application`` (an id that makes an application unique
within its vacancy), ``wave``, ``outcome2`` (a second outcome such as an interview invitation),
and any covariates (``occupation``, ``province``, ``company_size``, ``date``, ...).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping, Sequence

import numpy as np
import pandas as pd

from evaluatie.core.errors import DataError, Problem, private
from evaluatie.core.numbers import parse_numbers
from evaluatie.core.paths import resolve
from evaluatie.intake.read import read_table
from evaluatie.intake.schema import BOOL_TOKENS, Column, Ledger, Schema

__all__ = ["STANDARD_COLUMNS", "DEFAULT_WAVE", "Study", "read_applications", "prepare", "combine", "load", "relabel"]

#: The wave of a file without a wave column when the params name none (it reads in a sentence:
#: 'Vertrekpunt is deze meting').
DEFAULT_WAVE = "deze meting"

STANDARD_COLUMNS = ("vacancy", "ground", "group", "outcome", "application", "wave", "outcome2",
                    "occupation", "province", "company_size", "date")


@dataclass
class Study:
    """A checked correspondence test: the applications in standard columns plus the design.

    ``data`` has one row per analysed application with ``wave``, ``vacancy``, ``cluster`` (an
    integer id per wave × vacancy), ``ground``, ``group`` (both categorical, reference group
    first), ``outcome`` (0/1) and the optional columns. ``ledgers`` accounts for every row read.
    """

    data: pd.DataFrame
    reference_groups: dict[str, str]
    ledgers: list[Ledger] = field(default_factory=list)
    waves: list[str] = field(default_factory=list)

    @property
    def files(self) -> str:
        """The input files as an error message names them: each once, in reading order."""
        return ", ".join(dict.fromkeys(str(led.source) for led in self.ledgers))

    def in_wave(self, wave: str) -> str:
        """" in meting '<wave>'" for a message about one wave of a study with more than one."""
        return f" in meting '{wave}'" if len(self.waves) > 1 else ""

    def vacancies_per_ground(self) -> pd.Series:
        """The number of vacancies per (wave, ground) with analysed applications."""
        return self.data.groupby(["wave", "ground"], observed=True)["cluster"].nunique()

    @property
    def grounds(self) -> list[str]:
        """The grounds with at least one analysed application, in category order."""
        g = self.data["ground"]
        present = np.bincount(g.cat.codes.to_numpy(), minlength=len(g.cat.categories)) > 0
        return [str(c) for c, p in zip(g.cat.categories, present) if p]

    @property
    def comparisons(self) -> list[tuple[str, str, str]]:
        """(ground, group, reference) for every non-reference group, in a fixed order."""
        d = self.data
        grounds, groups = list(d["ground"].cat.categories), list(d["group"].cat.categories)
        combo = d["ground"].cat.codes.to_numpy().astype(np.int64) * len(groups) + d["group"].cat.codes.to_numpy()
        present = np.bincount(combo, minlength=len(grounds) * len(groups)).reshape(len(grounds), len(groups)) > 0
        out = []
        for gi, g in enumerate(grounds):
            ref = self.reference_groups[g]
            for ki, k in enumerate(groups):
                if k != ref and present[gi, ki]:
                    out.append((g, k, ref))
        return out


def _row(i) -> int | None:
    try:
        return int(i)
    except (TypeError, ValueError):
        return None


def read_applications(path: str | Path, **kwargs) -> Study:
    """Read one application log and check it with :func:`prepare` (same keyword arguments)."""
    df = read_table(resolve(path))
    kwargs.setdefault("file", df.attrs["source"]["file"])
    return prepare(df, **kwargs)


GROUND_PARAM = "(parameter ground)"
VALUE_COLUMNS = ("outcome", "outcome2", "group", "ground", "wave")
"""Standard columns whose labels the ``values`` parameter can map (see :func:`prepare`)."""


def check_values(values: Mapping[str, Any] | None) -> list[str]:
    """What is wrong with a ``values`` parameter, in Dutch (empty when it can be used): per standard
    column of :data:`VALUE_COLUMNS` a mapping {label in the file: standard label}, and for the
    yes/no columns a standard value that is yes or no. Looks at the parameter only, not the file;
    the runner calls it before any kernel starts."""
    out = []
    for col, labels in (values or {}).items():
        if col not in VALUE_COLUMNS:
            out.append(f"per standaardkolom ({', '.join(VALUE_COLUMNS)}) een koppeling; niet bruikbaar: {col}")
        elif not isinstance(labels, Mapping):
            out.append(f"voor {col} een koppeling {{waarde in het bestand: standaardwaarde}}")
        elif col in ("outcome", "outcome2"):
            bad = sorted({str(v) for v in labels.values() if BOOL_TOKENS.get(str(v).strip().casefold()) is None
                          and v not in (0, 1, True, False)})
            if bad:
                out.append(f"voor {col} als standaardwaarde ja of nee (of 1/0); niet bruikbaar: {', '.join(bad)}")
    return out


def _text_in_numbers(df: pd.DataFrame, columns: Sequence[str], file: str | None) -> list[Problem]:
    """Cells of ``columns`` (those mapped under the parameter 'columns' beside the standard ones, and
    the covariates) that are no number where most of their column is: such a cell would turn a numeric covariate into categories
    (one per value) and make the regression model singular. A column counts as numeric when at
    least 90% of its non-empty cells are numbers (:func:`~evaluatie.core.numbers.parse_numbers`)."""
    out = []
    for c in columns:
        s = df[c]
        if pd.api.types.is_numeric_dtype(s) or pd.api.types.is_bool_dtype(s):
            continue
        parsed = parse_numbers(s.astype(object).where(s.notna(), None))
        filled = int((~parsed.missing).sum())
        bad = parsed.not_number.to_numpy()
        if filled and 0 < bad.sum() <= 0.1 * filled:
            out += [Problem(file, _row(i), str(c), v, "een getal, zoals in de andere rijen van deze kolom")
                    for i, v in zip(s.index[bad], s[bad])]
    return out


def _check_covariates(df: pd.DataFrame, covariates: Sequence[str], columns: Mapping[str, str],
                      file: str | None) -> tuple[list[Problem], list[str]]:
    """The covariates named in the parameter ``covariates`` (a standard name mapped under ``columns``
    or a column of the file): every one is a column of the file, filled in for every application (a
    model cannot use an application without it). Returns the problems and the file's columns of the
    covariates found (for :func:`_text_in_numbers`)."""
    problems, found = [], []
    for c in dict.fromkeys(map(str, covariates)):
        col = columns.get(c, c)
        if col not in df.columns:
            problems.append(Problem(file, None, col, None,
                                    f"een kolom '{col}' (genoemd in 'covariates'); gevonden kolommen: "
                                    f"{private(', '.join(map(str, df.columns)))}"))
            continue
        found.append(col)
        s = df[col]
        blank = s.astype(object).map(lambda v: isinstance(v, str) and not v.strip())
        empty = s.isna().to_numpy() | blank.to_numpy(dtype=bool)
        problems += [Problem(file, _row(i), col, None,
                             "een waarde: een kenmerk uit 'covariates' is voor elke sollicitatie ingevuld")
                     for i in s.index[empty]]
    return problems, found


def _check_groups(reference_groups: Mapping[str, str], groups: Mapping[str, Sequence[str]] | None):
    """Cross-row rule: every ground has a reference group that occurs in the data, and with
    ``groups`` declared every label is the reference or a declared group."""

    def check(df: pd.DataFrame) -> list[Problem]:
        problems = []
        g_codes, g_uni = pd.factorize(df["ground"])  # grounds in order of appearance
        k_codes, k_uni = pd.factorize(df["group"])
        for gi, g in enumerate(g_uni):
            mask = g_codes == gi
            rows = df.index[mask]
            if g not in reference_groups:
                problems.append(Problem(None, _row(rows[0]), "ground", g,
                                        f"een grond met een referentiegroep in 'reference_groups' "
                                        f"({len(rows)} rijen met grond {private(repr(str(g)))}; ingesteld: "
                                        f"{', '.join(reference_groups) or 'geen'})"))
                continue
            ref = reference_groups[g]
            labels = set(k_uni[np.unique(k_codes[mask])])
            if ref not in labels:
                problems.append(Problem(None, None, "group", ref,
                                        f"sollicitaties van de referentiegroep '{ref}' voor grond '{g}'; "
                                        f"gevonden groepen: {private(', '.join(sorted(labels)))}"))
            if groups is not None and g in groups:
                allowed = {ref, *map(str, groups[g])}
                sub = df["group"][mask]
                bad = ~sub.isin(allowed)
                problems += [Problem(None, _row(i), "group", v,
                                     f"de referentiegroep '{ref}' of een opgegeven groep "
                                     f"({', '.join(map(str, groups[g]))}) voor grond '{g}'")
                             for i, v in zip(sub.index[bad.to_numpy()], sub[bad])]
        return problems

    return check


def prepare(
    df: pd.DataFrame,
    *,
    file: str = "invoer",
    columns: Mapping[str, str] | None = None,
    reference_groups: Mapping[str, str],
    ground: str | None = None,
    groups: Mapping[str, Sequence[str]] | None = None,
    allow_unpaired: bool = False,
    wave: str | None = None,
    values: Mapping[str, Mapping[Any, Any]] | None = None,
    covariates: Sequence[str] = (),
    _raw: bool = False,
) -> Study:
    """Check an application log and bring it into standard form.

    ``columns`` maps standard names to the file's columns (unmapped standard names are looked up
    under their own name). ``reference_groups`` gives the reference group of every ground;
    ``ground`` names the ground when the file has no ground column; ``groups`` optionally declares
    the non-reference groups per ground (then any other label is an error); ``wave`` labels the
    file's wave when it has no wave column. ``values`` maps the file's labels to the standard ones,
    per standard column (:data:`VALUE_COLUMNS`): ``{"outcome": {"uitgenodigd": 1, "geen reactie": 0},
    "group": {"BE": "Belgische naam"}}``; matched case- and whitespace-insensitively before
    checking, so ``reference_groups`` and ``groups`` use the mapped labels. ``covariates`` names the
    regression model's covariates (standard names or the file's columns): each must be a column of
    the file, filled in on every row, and a column whose cells are numbers (:func:`_text_in_numbers`)
    must hold nothing else — one text cell would otherwise become a term of its own, with that cell as
    its name. The columns mapped under ``columns`` beside the standard ones are checked the same way
    for text among numbers.

    Every problem is collected and raised together as a :class:`DataError`: missing columns,
    outcomes that are not yes/no, empty vacancy/ground/group, a ground without a reference group,
    a group label that is neither the reference nor declared, the same application twice (same
    ``application`` id in a vacancy, or without an application id a completely identical row), and
    vacancies where only one side of a comparison was sent. With ``allow_unpaired`` the latter are
    left out with a line in the ledger. Several applications per side and vacancy are valid.
    """
    columns = {str(k): str(v) for k, v in (columns or {}).items()}
    reference_groups = {str(k): str(v) for k, v in (reference_groups or {}).items()}
    if not reference_groups:
        raise DataError([Problem(file, None, None, None,
                                 "per discriminatiegrond een referentiegroep (parameter 'reference_groups')")])
    core = ("vacancy", "ground", "group", "outcome", "application", "wave", "outcome2")
    values = dict(values or {})
    wrong = check_values(values)
    if wrong:
        raise DataError([Problem(file, None, None, None, "in de parameter 'values' " + "; ".join(wrong))])
    lab = lambda name: dict(values[name]) if name in values else None  # noqa: E731
    std_map = {k: v for k, v in columns.items() if k in core}
    renames = {v: k for k, v in columns.items() if k not in core}  # covariates: file name -> our name
    for user in renames:
        if user not in df.columns:
            raise DataError([Problem(file, None, user, None,
                                     f"een kolom '{user}' (ingesteld onder 'columns'); gevonden kolommen: "
                                     f"{private(', '.join(map(str, df.columns)))}")])
    raw = df
    if ground is not None:
        raw = df.assign(**{GROUND_PARAM: ground})
        std_map["ground"] = GROUND_PARAM
    have = lambda name: std_map.get(name, name) in raw.columns  # noqa: E731
    key = (["wave"] if have("wave") else []) + ["vacancy", "application"]
    schema = Schema(
        columns=[Column("vacancy", "str"), Column("ground", "str", labels=lab("ground")),
                 Column("group", "str", labels=lab("group")), Column("outcome", "bool", labels=lab("outcome")),
                 Column("application", "str", required=False),
                 Column("wave", "str", required=False, labels=lab("wave")),
                 Column("outcome2", "bool", required=False, labels=lab("outcome2"))],
        unique=[tuple(key)] if have("application") else [],
        checks=[_check_groups(reference_groups, groups)],
    )
    mapped_user = {std_map.get(c, c) for c in core}
    keep = [c for c in raw.columns if c not in mapped_user]
    problems: list[Problem] = []
    if not have("application"):  # without an application id: a completely identical row is a duplicate
        dup = df.duplicated(keep="first")
        problems += [Problem(file, _row(i), None, None,
                             "geen identieke rij: dezelfde sollicitatie staat er twee keer in "
                             "(geef een kolom 'application' op als twee sollicitaties echt identiek zijn)")
                     for i in df.index[dup.to_numpy()]]
    cov_problems, cov_columns = _check_covariates(raw, covariates, columns, file)
    problems += cov_problems
    problems += _text_in_numbers(raw, list(dict.fromkeys([*renames, *cov_columns])), file)
    try:
        clean = schema.validate(raw, file=file, columns=std_map, keep=keep)
    except DataError as e:
        raise DataError(problems + e.problems) from None
    if problems:
        raise DataError(problems)
    found = clean.attrs.get("columns", {})
    out = clean.drop(columns=[c for c in ("application", "wave", "outcome2") if c not in found])
    out = out.rename(columns=renames)
    if "wave" not in out.columns:
        out["wave"] = wave if wave is not None else DEFAULT_WAVE
    out["outcome"] = out["outcome"].astype(np.int8)
    if "outcome2" in out.columns:
        out["outcome2"] = out["outcome2"].astype(np.int8)
    colname = {"vacancy": found.get("vacancy", "vacancy")}

    # one-sided vacancies: per wave x vacancy x ground the reference and >= 1 other group
    ledger = Ledger(file, read=len(out))
    is_ref = out["group"].to_numpy() == out["ground"].map(reference_groups).to_numpy()
    codes = _combined_codes(out["wave"], out["vacancy"], out["ground"])
    n_ref = np.bincount(codes, weights=is_ref)
    n_oth = np.bincount(codes, weights=~is_ref)
    one_sided = ((n_ref == 0) | (n_oth == 0))[codes]
    if one_sided.any():
        if not allow_unpaired:
            sub = out[one_sided]
            first = sub.groupby(codes[one_sided], sort=False).head(1)
            problems = [
                Problem(file, _row(i), colname["vacancy"], r["vacancy"],
                        f"sollicitaties van beide kanten van de vergelijking voor grond '{r['ground']}' "
                        f"(alleen {private(repr(str(r['group'])))} verstuurd; zet 'allow_unpaired: true' om zulke "
                        "vacatures buiten de gepaarde analyse te laten)")
                for i, r in first.iterrows()
            ]
            raise DataError(problems)
        ledger.exclude("vacature waar maar één kant van de vergelijking verstuurd is (ongepaard)",
                       int(one_sided.sum()))
        out = out[~one_sided]
    if _raw:  # checked rows before the study is assembled (load() assembles several files at once)
        present = set(pd.unique(out["ground"].astype(str)))
        return _Raw(out, ledger, {g: r for g, r in reference_groups.items() if g in present})
    return _finish(out, reference_groups, [ledger], groups)


@dataclass
class _Raw:
    """One checked file before assembly: its rows, ledger and the reference groups it uses (what
    its own :class:`Study` would have)."""

    out: pd.DataFrame
    ledger: Ledger
    refs: dict


def _combine_raw(raws: Sequence[_Raw], waves: Sequence[str] | None = None) -> Study:
    """``combine([prepare(f1), prepare(f2), ...])`` without assembling each file's study first:
    the same reference groups (in the same order), wave order, rows and clusters (tested equal)."""
    refs: dict[str, str] = {}
    for r in raws:
        refs.update(r.refs)
    order = list(waves) if waves else list(dict.fromkeys(
        w for r in raws for w in pd.unique(r.out["wave"].astype(str))))
    return _finish(pd.concat([r.out for r in raws], ignore_index=True), refs, [r.ledger for r in raws],
                   waves=order)


def _combined_codes(*cols: pd.Series) -> np.ndarray:
    """Integer codes of the combinations of several columns (as strings), numbered in order of
    first appearance — the codes ``pd.factorize`` gives the joined strings, without building them."""
    key = np.zeros(len(cols[0]), dtype=np.int64)
    for c in cols:
        codes, uniq = pd.factorize(c.astype(str))
        key = key * max(len(uniq), 1) + codes
        key = pd.factorize(key)[0].astype(np.int64)  # keep the key small
    return pd.factorize(key)[0]


def _finish(out: pd.DataFrame, reference_groups, ledgers, groups=None, waves=None) -> Study:
    out = out.copy()
    # no attrs on the analysis frame (the reader's file metadata is in the ledgers): pandas deep-
    # copies attrs into every column and subset taken from a frame, which doubles their cost
    out.attrs = {}
    wave_s = out["wave"].astype(str)
    waves = list(waves) if waves is not None else [str(w) for w in pd.unique(wave_s)]
    out["wave"] = pd.Categorical(wave_s, categories=waves)
    ground_s, group_s = out["ground"].astype(str), out["group"].astype(str)
    g_codes, g_uni = pd.factorize(ground_s)
    k_codes, k_uni = pd.factorize(group_s)
    grounds = [g for g in reference_groups if g in set(g_uni)]
    out["ground"] = pd.Categorical(ground_s, categories=grounds)
    nk = max(len(k_uni), 1)
    present_by: dict[str, set] = {}
    for c in np.unique(g_codes.astype(np.int64) * nk + k_codes):
        present_by.setdefault(g_uni[c // nk], set()).add(k_uni[c % nk])
    labels = []
    for g in grounds:
        ref = reference_groups[g]
        present = present_by.get(g, set())
        order = [ref] + ([str(x) for x in groups[g]] if groups and g in groups else sorted(present - {ref}))
        labels += [x for x in order if x in present and x not in labels]
    out["group"] = pd.Categorical(group_s, categories=labels)
    out["cluster"] = _combined_codes(wave_s, out["vacancy"])
    out["outcome"] = out["outcome"].astype(np.int8)
    return Study(out, {g: reference_groups[g] for g in grounds}, list(ledgers), waves)


def combine(studies: Sequence[Study], waves: Sequence[str] | None = None) -> Study:
    """Several waves (each its own file and ledger) as one study; vacancies of different waves are
    different clusters even when their ids coincide."""
    refs: dict[str, str] = {}
    for s in studies:
        refs.update(s.reference_groups)
    frames = [s.data.assign(wave=s.data["wave"].astype(str), ground=s.data["ground"].astype(str),
                            group=s.data["group"].astype(str)) for s in studies]
    order = list(waves) if waves else list(dict.fromkeys(w for s in studies for w in s.waves))
    return _finish(pd.concat(frames, ignore_index=True), refs, [l for s in studies for l in s.ledgers],
                   waves=order)


def load(data: str, *, data_followup: str | None = None, waves: Sequence[str] | None = None,
         columns: Mapping[str, str] | None = None, reference_groups: Mapping[str, str],
         groups: Mapping[str, Sequence[str]] | None = None, ground: str | None = None,
         allow_unpaired: bool = False, values: Mapping[str, Mapping[Any, Any]] | None = None,
         covariates: Sequence[str] = ()) -> Study:
    """Read the nulmeting (``data``) and optionally a vervolgmeting (``data_followup``), each with its
    own ledger; ``waves`` names them in order. A file with its own ``wave`` column needs no
    ``data_followup``. ``covariates``: the model's covariates, checked in every file (see
    :func:`prepare`)."""
    waves = list(waves or [])
    kw = dict(columns=columns, reference_groups=reference_groups, groups=groups, ground=ground,
              allow_unpaired=allow_unpaired, values=values, covariates=list(covariates or []))
    if data_followup:  # two files: check each, assemble the study once
        first = read_applications(data, wave=waves[0] if waves else None, _raw=True, **kw)
        second = read_applications(data_followup, wave=waves[1] if len(waves) > 1 else "vervolgmeting",
                                   _raw=True, **kw)
        return _combine_raw([first, second], waves=waves or None)
    first = read_applications(data, wave=waves[0] if waves else None, **kw)
    if waves and len(first.waves) > 1:  # the file has its own wave column: put it in the given order
        if set(first.waves) != set(waves):
            raise DataError([Problem(first.ledgers[0].source, None, "wave", ", ".join(first.waves),
                                     f"dezelfde metingen als in de parameter 'waves' ({', '.join(waves)})")])
        return combine([first], waves=waves)
    return first


def relabel(study: Study, values: Mapping[str, str] | None = None,
            columns: Sequence[str] | None = None) -> Study:
    """The study with file values shown under reader-facing (Dutch) labels: ``values`` maps a value
    as it is in the file (a group such as ``black``, a subgroup level such as ``manufacturing``) to
    its label. Groups (and the reference groups) and the values of ``columns`` (heterogeneity
    variables and categorical covariates) are mapped; unmapped values stay as they are. Only labels
    change: every statistic is the same (tested)."""
    values = {str(k): str(v) for k, v in (values or {}).items()}
    if not values:
        return study
    d = study.data.copy()
    cats = [str(c) for c in d["group"].cat.categories]
    new = [values.get(c, c) for c in cats]
    if len(set(new)) != len(new):
        raise ValueError("two groups get the same label")
    d["group"] = d["group"].cat.rename_categories(new)
    for c in columns or []:
        if c not in d.columns or c in ("group", "ground", "wave", "cluster", "outcome", "outcome2"):
            continue
        col = d[c]
        if pd.api.types.is_numeric_dtype(col) and not pd.api.types.is_bool_dtype(col):
            continue
        if isinstance(col.dtype, pd.CategoricalDtype):
            old = [str(x) for x in col.cat.categories]
            lab = [values.get(x, x) for x in old]
            if len(set(lab)) == len(lab):
                d[c] = col.cat.rename_categories(lab)
                continue
            col = col.astype(str)
        d[c] = col.map(lambda x: values.get(str(x), x) if pd.notna(x) else x)
    refs = {g: values.get(str(r), r) for g, r in study.reference_groups.items()}
    return Study(data=d, reference_groups=refs, ledgers=study.ledgers, waves=study.waves)
