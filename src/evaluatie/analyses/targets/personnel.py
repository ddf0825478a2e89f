"""Target groups (kansengroepen) from personnel microdata: classification and aggregation.

Most users do not have percentages but row-level snapshots from the personnel system: one row per
employee per reference date (peildatum, usually 31 December). This module turns such snapshots
into the shares the Flemish government publishes, using the **official definitions in force on
each reference date**, and aggregates them per date × (policy domain ×) entity × group with
headcounts, so :mod:`evaluatie.analyses.targets` can fit binomial trends and count persons short.

Sources of the definitions: *Strategisch Gelijkekansen- en Diversiteitsplan Vlaamse overheid
2016-2020* (seed ``002``), section 3 "Definities en streefcijfers 2016-2020", Tabel 1 and its
footnote 18, and ``data/seeds/streefcijfers_targets.csv`` (``definition_note``). The switch date
for every new definition is 1 January 2016 (:data:`SWITCH_DATE`).

Standard microdata schema
-------------------------
One row = one employee on one reference date. English column names; a user's file maps onto them
with ``columns={"standard_name": "name_in_your_file"}``.

===========================  ========  ===========================================================
column                       needed    values
===========================  ========  ===========================================================
``employee_id``              yes       any id (int or text), unique per ``date``
``date``                     yes       reference date (peildatum), a date
``entity``                   yes [2]_  entity (entiteit), text
``sex``                      yes       ``F`` / ``M`` / ``X`` (also ``V``, ``vrouw``, ``man``...)
``birth_date``               yes       a date
``policy_domain``            no        policy domain (beleidsdomein), text
``nationality``              no [1]_   current nationality, ISO 3166-1 alpha-2 (``BE``, ``MA``...)
``first_nationality``        no [1]_   first nationality (before any change), idem
``father_first_nationality`` no [1]_   father's first nationality, idem
``mother_first_nationality`` no [1]_   mother's first nationality, idem
``grandparents_non_eu``      no        number of grandparents (0-4) with a non-EU nationality
``disability_category``      no        registration category 1-8 as from 2016 (or the old 1-6 with
                                       ``disability_coding="2004"``); empty/0 = none
``level``                    no        niveau ``A`` / ``B`` / ``C`` / ``D``
``education_level``          no        ``primary`` / ``lower_secondary`` / ``secondary`` /
                                       ``higher`` (see :func:`low_educated`)
``management``               no        ``top`` / ``middle`` / ``lower`` / ``none`` (also Dutch
                                       ``topkader`` / ``middenkader`` / ``lager kader`` / ``geen``)
``grade``                    no        grade (rang), only used to derive ``management`` when that
                                       column is absent, via ``management_map``
===========================  ========  ===========================================================

.. [1] Nationality codes: ISO 3166-1 alpha-2, case-insensitive, plus the former-state codes
   ``YU``, ``SU``, ``CS``, ``DD``, ``ZR``, ``AN``, ``TP``, ``BU`` (for parents' first nationality),
   ``XX`` = stateless (non-Belgian, non-EU) and, for **unknown**: empty, ``ZZ``, ``onbekend``,
   ``unknown``. ``BEL``/``België``/``Belg``/``Belgisch``/``Belgian``/``Belgium`` are read as
   ``BE``. Any other value stops the analysis with a :class:`~evaluatie.intake.schema.DataError`.

.. [2] A file of one organisation may lack it: :func:`prepare` with ``entity_name`` puts every row
   in that entity.

Labels of the user's own (``hoger``, ``N-1``, ``Marokko``) are mapped to these codes per column
with ``values={"education_level": {"hoger": "higher"}, ...}`` (:func:`prepare`, :func:`check_values`).

A group is produced only when its columns are present (``skipped`` in the result's
``attrs["skipped_groups"]`` says which groups were not computed and why).

Groups and definitions (``group`` / ``definition`` keys, as in the published series)
------------------------------------------------------------------------------------
=============================  ==============  =====================================================
group                          definition      rule (denominator = all rows unless stated)
=============================  ==============  =====================================================
``women_total``                ``""``          ``sex == F``
``women_top``                  ``""``          ``sex == F`` among ``management == top``
``women_middle``               ``""``          ``sex == F`` among ``management == middle``
``women_lower``                ``""``          ``sex == F`` among ``management == lower``
``migration_background``       ``old_non_eu``  before 2016, see :func:`migration_background`
``foreign_origin``             ``new_2016``    from 2016, see :func:`foreign_origin`
``disability_chronic_illness`` ``old_2004``    before 2016: categories 1-5, see :func:`disability`
``disability_chronic_illness`` ``new_2016``    from 2016: categories 1-8
``experienced_45plus``         ``old_2004``    before 2016: age >= 45 on the reference date
``experienced_55plus``         ``new_2016``    from 2016: age >= 55 on the reference date
``low_educated``               ``old_2004``    before 2016 (kortgeschoold), see :func:`low_educated`
``low_educated``               ``new_2016``    from 2016 (laaggeschoold), same operational rule
``unqualified_young``          ``new_2016``    from 2016: low-educated and age <= 24
=============================  ==============  =====================================================

With ``definitions="official"`` (default) every date gets the definitions in force on it, so a
series never mixes definitions silently and the ``definition`` column marks the break. With
``"both"`` every date gets both the old and the new definition (the overlap measurement that
gives a link factor, e.g. 2016: 8,9% new vs 5,4% old); ``"old"`` / ``"new"`` force one.

Typical use::

    from evaluatie.analyses.targets import personnel
    shares, ledger = personnel.aggregate(df, by=("date", "entity", "group"), threshold=5,
                                         columns={"employee_id": "persnr", "date": "peildatum"})
    shares, ledger = personnel.aggregate_file("data/example/personnel.parquet", by=("date", "group"))

Performance: every rule is evaluated on the few distinct values of a categorical column and
broadcast through its integer codes; :func:`aggregate` then builds per row two small composite
codes — (sex, management) and (low-educated, age band, disability category, origin) — and counts
rows per (cell, code) with one ``numpy.bincount`` each; the definition in force is chosen per cell
(its date), not per row. On 5 million rows, reading the needed columns + classifying +
aggregating took 0.9-1.6× one ``pandas.read_parquet`` of the file on the shared 2-core machine
(``benchmarks/personnel_aggregate.py``). :func:`classify` gives the same counts row by row
(tested) and is meant for checks, not for large files.

Result for the notebooks: ``shares, ledger = aggregate(...)``; show ``ledger`` with
``report.ledger`` and ``shares`` with ``report.table`` (suppressed cells are in
``shares.attrs["suppressed"]``); :func:`to_series` cuts one group's yearly series out for
``evaluatie.analyses.targets.assess``; :data:`GROUP_LABELS_NL` and :data:`DEFINITION_LABELS_NL` give the
Dutch labels; ``shares.attrs["skipped_groups"]`` says (in Dutch) which groups the data could not
provide.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from babel import Locale
from scipy.optimize import Bounds, LinearConstraint, linprog, milp
from scipy.sparse import block_diag, csr_matrix, hstack

from evaluatie.core.errors import DataError, Problem, private
from evaluatie.core.paths import display_path, resolve
from evaluatie.intake.read import read_table
from evaluatie.intake.schema import Column, Ledger, Schema
from evaluatie.publish.disclosure import mark

__all__ = [
    "SWITCH_DATE", "STANDARD_COLUMNS", "REQUIRED_COLUMNS", "GROUPS", "GROUP_LABELS_NL",
    "DEFINITION_LABELS_NL", "DEFAULT_MANAGEMENT_MAP", "EU_ACCESSION",
    "definition_in_force", "age_at", "is_eu_member", "nationality_status",
    "foreign_origin", "migration_background", "disability", "experienced", "low_educated",
    "unqualified_young", "management_from_grade",
    "prepare", "classify", "aggregate", "aggregate_levels", "protect_levels", "DOMAIN_GROUPS", "WOMEN_LEVELS",
    "AGE_EDUCATION", "aggregate_file", "to_series", "needed_columns", "schema",
    "SCHEMA", "Prepared", "VALUE_CODES", "check_values",
]

#: Date from which the 2016-2020 definitions apply (section 3 of the 2016-2020 plan).
SWITCH_DATE = pd.Timestamp("2016-01-01")
#: The groups a report publishes per policy domain (on the last reference date): the women's share.
DOMAIN_GROUPS = ("women_total",)

REQUIRED_COLUMNS = ("employee_id", "date", "entity", "sex", "birth_date")
NATIONALITY_COLUMNS = (
    "nationality", "first_nationality", "father_first_nationality", "mother_first_nationality",
)
STANDARD_COLUMNS = REQUIRED_COLUMNS + (
    "policy_domain",
) + NATIONALITY_COLUMNS + (
    "grandparents_non_eu", "disability_category", "level", "education_level", "management", "grade",
)

#: (group, definition, Dutch label, definition valid from, valid until (exclusive)).
GROUPS = pd.DataFrame(
    [
        ("women_total", "", "Vrouwen in algemeen", None, None),
        ("women_top", "", "Vrouwen in topkader", None, None),
        ("women_middle", "", "Vrouwen in middenkader", None, None),
        ("women_lower", "", "Vrouwen in lager kader", None, None),
        ("migration_background", "old_non_eu", "Personen met een migratieachtergrond", None, "2016-01-01"),
        ("foreign_origin", "new_2016", "Personen van buitenlandse herkomst", "2016-01-01", None),
        ("disability_chronic_illness", "old_2004", "Personen met een handicap of chronische ziekte", None, "2016-01-01"),
        ("disability_chronic_illness", "new_2016", "Personen met een handicap of chronische ziekte", "2016-01-01", None),
        ("experienced_45plus", "old_2004", "Ervaren medewerkers (45+)", None, "2016-01-01"),
        ("experienced_55plus", "new_2016", "Ervaren medewerkers (55+)", "2016-01-01", None),
        ("low_educated", "old_2004", "Kortgeschoolde medewerkers", None, "2016-01-01"),
        ("low_educated", "new_2016", "Laaggeschoolde medewerkers", "2016-01-01", None),
        ("unqualified_young", "new_2016", "Ongekwalificeerd uitgestroomde jongeren (t.e.m. 24 jaar)", "2016-01-01", None),
    ],
    columns=["group", "definition", "label_nl", "valid_from", "valid_until"],
)

#: Dutch label per group key (the label of the definition in force from 2016 where it differs).
GROUP_LABELS_NL = {g: lab for g, lab in zip(GROUPS["group"], GROUPS["label_nl"])}
DEFINITION_LABELS_NL = {
    "": "ongewijzigd",
    "old_non_eu": "migratieachtergrond (niet-EU, besluit 2004)",
    "old_2004": "definitie tot 2016 (besluit 2004)",
    "new_2016": "definitie vanaf 1/1/2016",
}

#: Default grade (rang) -> management mapping, used only when the data has ``grade`` but no
#: ``management`` column. The official reporting definition of the Flemish government
#: (overheid.vlaanderen.be, "Definitie kaderfuncties"): kaderfuncties are staff of rank A2 or
#: higher; **top** = additionally appointed by the Flemish Government as head of an entity or for
#: an N-project; **middle** = the ranks of afdelingshoofd (or hoofdadviseur without mandate),
#: senior adviser or N-1 project leader; **lower** = every other rank A2 or higher. A rank alone
#: cannot show the appointment decree, so this mapping (top = A4/A4+, middle = A3, lower = A2) is
#: **an approximation**: give a ``management`` column from your appointment data, or pass your
#: own ``management_map``.
DEFAULT_MANAGEMENT_MAP = {"A4+": "top", "A4": "top", "A3": "middle", "A2": "lower"}

#: EU accession (and exit) dates, for the pre-2016 non-EU criterion evaluated on the reference
#: date. Former states: ``DD`` (GDR, part of Germany since 1990) counts as EU; ``CS``
#: (Czechoslovakia) as EU from 1/5/2004 (both successors joined then); ``YU``, ``SU`` and the
#: other former codes as non-EU (most successor states are outside the EU).
EU_ACCESSION: dict[str, tuple[str, str | None]] = {
    **{c: ("1958-01-01", None) for c in ("BE", "DE", "FR", "IT", "LU", "NL", "DD")},
    **{c: ("1973-01-01", None) for c in ("DK", "IE")},
    "GB": ("1973-01-01", "2020-02-01"),  # member until 31 January 2020
    "GR": ("1981-01-01", None),
    **{c: ("1986-01-01", None) for c in ("ES", "PT")},
    **{c: ("1995-01-01", None) for c in ("AT", "FI", "SE")},
    **{c: ("2004-05-01", None) for c in ("CY", "CZ", "EE", "HU", "LV", "LT", "MT", "PL", "SK", "SI", "CS")},
    **{c: ("2007-01-01", None) for c in ("BG", "RO")},
    "HR": ("2013-07-01", None),
}
EU15 = ("BE", "DE", "FR", "IT", "LU", "NL", "DD", "DK", "IE", "GB", "GR", "ES", "PT", "AT", "FI", "SE")

_UNKNOWN_TOKENS = {"", "ZZ", "ONBEKEND", "UNKNOWN", "NAN", "NONE"}
_BELGIAN_ALIASES = {"BE", "BEL", "BELGIË", "BELGIE", "BELG", "BELGISCH", "BELGIAN", "BELGIUM"}
_FORMER_CODES = {"YU", "SU", "CS", "DD", "ZR", "AN", "TP", "BU"}
_PSEUDO = {"EU", "EZ", "UN", "QO", "XA", "XB", "ZZ", "AC", "CP", "DG", "EA", "IC", "TA", "CQ"}
_SEX = {"F": "F", "V": "F", "W": "F", "VROUW": "F", "FEMALE": "F", "VROUWELIJK": "F",
        "M": "M", "MAN": "M", "MALE": "M", "MANNELIJK": "M", "X": "X"}
_MANAGEMENT = {"TOP": "top", "TOPKADER": "top", "MIDDLE": "middle", "MIDDENKADER": "middle",
               "LOWER": "lower", "LAGER KADER": "lower", "LAGERKADER": "lower",
               "NONE": "none", "GEEN": "none", "": "none"}
_LEVELS = {"A", "B", "C", "D"}
_EDUCATION = {"primary", "lower_secondary", "secondary", "higher"}
_LOW_EDUCATION = {"primary", "lower_secondary"}


def _iso_codes() -> frozenset[str]:
    codes = {k for k in Locale("en").territories if len(k) == 2 and k.isalpha()}
    return frozenset((codes - _PSEUDO) | _FORMER_CODES | {"XX"})


_ISO = _iso_codes()


# --------------------------------------------------------------------------- small helpers

def _as_dates(values) -> np.ndarray:
    """Any date-like input (scalar, list, Series, Index) as a numpy datetime64[ns] array."""
    if isinstance(values, (str, pd.Timestamp, np.datetime64)) or np.isscalar(values):
        values = [values]
    return pd.to_datetime(pd.Series(values), errors="raise").to_numpy(dtype="datetime64[ns]")


def _broadcast_dates(date, n: int) -> np.ndarray:
    d = _as_dates(date)
    if d.size == 1 and n != 1:
        d = np.repeat(d, n)
    return d


def _categorical(values) -> pd.Categorical:
    if isinstance(values, pd.Series) and isinstance(values.dtype, pd.CategoricalDtype):
        return values.array
    if isinstance(values, pd.Categorical):
        return values
    if not isinstance(values, pd.Series):
        values = pd.Series(np.asarray(values, dtype=object))
    return values.astype("category").array


def _norm_token(v) -> str:
    if v is None or (isinstance(v, float) and np.isnan(v)) or v is pd.NA:
        return ""
    return str(v).strip().upper()


def definition_in_force(date) -> np.ndarray:
    """``"old"`` before :data:`SWITCH_DATE` (1/1/2016), ``"new"`` from it, per date."""
    d = _as_dates(date)
    return np.where(d < SWITCH_DATE.to_datetime64(), "old", "new")


def age_at(birth_date, date) -> np.ndarray:
    """Age in completed years on the reference date (float array, NaN where a date is missing).

    A person reaches an age **on** their birthday: born 31/12/1961 is 55 on 31/12/2016. Someone
    born on 29 February reaches it on 1 March in non-leap years. Formula: ``year(d) - year(b)``
    minus 1 when ``(month, day)`` of ``d`` comes before that of ``b``.
    """
    b = _as_dates(birth_date)
    d = _broadcast_dates(date, b.size)
    bi = pd.DatetimeIndex(b)
    di = pd.DatetimeIndex(d)
    age = di.year.to_numpy(dtype=float) - bi.year.to_numpy(dtype=float)
    md_d = (di.month * 100 + di.day).to_numpy(dtype=float)
    md_b = (bi.month * 100 + bi.day).to_numpy(dtype=float)
    with np.errstate(invalid="ignore"):
        age = age - (md_d < md_b)
    return age


def _age_reached(birth: np.ndarray, date_codes: np.ndarray, date_values: np.ndarray, years: int) -> np.ndarray:
    """Vectorised ``age_at(birth, date) >= years`` for many rows sharing few dates: a person has
    reached ``years`` iff born on or before the reference date minus ``years`` calendar years
    (``DateOffset`` maps 29/2 to 28/2, matching :func:`age_at`)."""
    cut = np.array([(pd.Timestamp(d) - pd.DateOffset(years=years)).to_datetime64() for d in date_values],
                   dtype="datetime64[ns]").astype(birth.dtype)
    return birth <= cut[date_codes]


def nationality_status(values) -> np.ndarray:
    """Per value: ``1`` non-Belgian, ``0`` Belgian, ``-1`` unknown (empty, ``ZZ``, ``onbekend``).

    Values are ISO 3166-1 alpha-2 codes (case-insensitive; Belgian aliases such as ``BEL`` and
    ``België`` are read as ``BE``); ``XX`` (stateless) is non-Belgian. Raises ``ValueError`` on a
    value that is no known code (:func:`prepare` turns that into a Dutch ``DataError``).
    """
    cat = _categorical(values)
    status = np.array([_status_of(c) for c in cat.categories], dtype=np.int8)
    bad = [c for c, s in zip(cat.categories, status) if s == -2]
    if bad:
        raise ValueError(f"unknown nationality codes: {bad[:10]}")
    return np.append(status, np.int8(-1))[cat.codes]  # code -1 (missing) -> last entry = unknown


def _normalise_nationality(token: str) -> str | None:
    t = _norm_token(token)
    if t in _UNKNOWN_TOKENS:
        return ""
    if t in _BELGIAN_ALIASES:
        return "BE"
    if t in _ISO:
        return t
    return None


def _status_of(value) -> int:
    t = _normalise_nationality(value)
    if t is None:
        return -2
    if t == "":
        return -1
    return 0 if t == "BE" else 1


def is_eu_member(code: str, date, eu: str = "members") -> bool:
    """Whether nationality ``code`` is of an EU member state on ``date``.

    ``eu="members"`` (default): membership on the reference date (:data:`EU_ACCESSION`), as the
    2004 decree says "een land buiten de Europese Unie". ``eu="eu15"``: the EU-15, which the
    2014-2019 government agreement names as the operational basis of the old definition
    ("i.p.v. de nationaliteit van de EU-15").
    """
    t = _normalise_nationality(code)
    if not t:
        return False
    if eu == "eu15":
        return t in EU15
    if eu != "members":
        raise ValueError("eu must be 'members' or 'eu15'")
    span = EU_ACCESSION.get(t)
    if span is None:
        return False
    d = pd.Timestamp(date)
    return pd.Timestamp(span[0]) <= d and (span[1] is None or d < pd.Timestamp(span[1]))


# --------------------------------------------------------------------------- classification rules

def foreign_origin(nationality, first_nationality, father_first_nationality,
                   mother_first_nationality) -> np.ndarray:
    """Foreign origin (buitenlandse herkomst), definition from 1/1/2016.

    Rule (VR 8/5/2015, quoted in section 3 of the 2016-2020 plan): the person is of foreign
    origin when **any** of the 4 criteria — current nationality, first nationality, father's
    first nationality, mother's first nationality — is a non-Belgian nationality.

    An **unknown** value (empty, ``ZZ``, ``onbekend``) is no evidence either way: it does not make
    a person of foreign origin, and the person stays in the denominator (the share is of all
    personnel, as in the official automatic count). So a Belgian-born person with a Belgian
    first nationality and an unknown father counts as not of foreign origin, and the share is a
    lower bound when parents' nationalities are missing.
    """
    out = None
    for col in (nationality, first_nationality, father_first_nationality, mother_first_nationality):
        s = nationality_status(col) == 1
        out = s if out is None else (out | s)
    return out


def _non_eu_table(cat: pd.Categorical, date_values: np.ndarray, eu: str) -> np.ndarray:
    """(n_categories + 1) × n_dates boolean table: value is a non-EU, known nationality on date.
    The last row is for missing values (never non-EU)."""
    cats = list(cat.categories)
    tab = np.zeros((len(cats) + 1, len(date_values)), dtype=bool)
    for i, c in enumerate(cats):
        t = _normalise_nationality(c)
        if t is None:
            raise ValueError(f"unknown nationality code: {c!r}")
        if t == "":
            continue
        for j, d in enumerate(date_values):
            tab[i, j] = not is_eu_member(t, d, eu)
    return tab


def migration_background(nationality, first_nationality, father_first_nationality,
                         mother_first_nationality, date, grandparents_non_eu=None,
                         eu: str = "members") -> np.ndarray:
    """Migration background (migratieachtergrond), the definition before 1/1/2016.

    Decree of the Flemish Government of 24/12/2004: "persoon met een nationaliteit van een land
    buiten de Europese Unie of persoon van wie minstens één ouder of twee grootouders een
    nationaliteit hebben van een land buiten de Europese Unie". Operationalised on the standard
    columns as: **any** of

    * the current nationality or the first nationality of the person is non-EU, or
    * the father's or the mother's first nationality is non-EU, or
    * ``grandparents_non_eu >= 2`` — only when that column is given; without it this criterion is
      not applied (the personnel system and the national-register count rarely hold grandparents,
      so the share is then a lower bound).

    "Non-EU" is judged **on the reference date** (``eu="members"``: e.g. Croatian is non-EU before
    1/7/2013, British is non-EU from 1/2/2020) or against the EU-15 (``eu="eu15"``), see
    :func:`is_eu_member`. Belgian is EU; unknown values are never non-EU (as in
    :func:`foreign_origin`); ``XX`` (stateless) is non-EU. The person's first nationality is
    included because "een nationaliteit van een land buiten de EU" covers a nationality held at
    birth — an interpretation, stated here so it can be challenged.
    """
    cols = [nationality, first_nationality, father_first_nationality, mother_first_nationality]
    n = len(_categorical(nationality))
    dates = _broadcast_dates(date, n)
    dcodes, dvals = pd.factorize(pd.Series(dates))
    dvals = np.asarray(dvals, dtype="datetime64[ns]")
    out = np.zeros(n, dtype=bool)
    for col in cols:
        cat = _categorical(col)
        tab = _non_eu_table(cat, dvals, eu)
        codes = np.where(cat.codes < 0, len(cat.categories), cat.codes)
        out |= tab[codes, dcodes]
    if grandparents_non_eu is not None:
        g = pd.to_numeric(pd.Series(grandparents_non_eu), errors="coerce").to_numpy(dtype=float)
        out |= np.nan_to_num(g, nan=0.0) >= 2
    return out


def disability(category, date=None, definition: str | None = None) -> np.ndarray:
    """Disability or chronic illness from the registration category (1-8; empty or 0 = none).

    Categories are coded as in the definition **from 1/1/2016** (8 categories, 2016-2020 plan
    section 3): 1 VAPH registration; 2 highest diploma in special secondary education (BuSO);
    3 recognised by VDAB as a person with an occupational disability; 4 entitled to an
    income-replacement or integration allowance (law of 27/2/1987); 5 certificate of at least 66%
    incapacity for work (federal directorate, court decision, Fonds voor Arbeidsongevallen,
    Administratieve Gezondheidsdienst or Fonds voor Beroepsziekten); 6 receives an invalidity
    benefit; 7 certificate of the occupational physician, re-integrating with an integration
    protocol; 8 six months of continuous illness, re-integrating with an integration protocol.

    * ``new_2016`` (from 1/1/2016): categories 1-8.
    * ``old_2004`` (before 2016, decree of 24/12/2004, 6 categories): old 1-4 are new 1-4 and old
      5 (federal 66% certificate) and old 6 (court decision or fund certificate, 66%) are both in
      new 5; new 6, 7, 8 did not exist. So the old definition counts **categories 1-5**.

    ``definition=None`` takes the definition in force on ``date``.
    """
    c = pd.to_numeric(pd.Series(category), errors="coerce").to_numpy(dtype=float)
    if definition is None:
        if date is None:
            raise ValueError("give date or definition")
        old = definition_in_force(_broadcast_dates(date, c.size)) == "old"
    elif definition in ("old", "old_2004"):
        old = np.ones(c.size, dtype=bool)
    elif definition in ("new", "new_2016"):
        old = np.zeros(c.size, dtype=bool)
    else:
        raise ValueError("definition must be None, 'old_2004' or 'new_2016'")
    upper = np.where(old, 5, 8)
    with np.errstate(invalid="ignore"):
        return (c >= 1) & (c <= upper)


def experienced(birth_date, date, definition: str | None = None) -> np.ndarray:
    """Experienced worker (ervaren werknemer): "boven de leeftijd van 45 jaar" before 2016, 55
    from 1/1/2016 (2016-2020 plan, "Doelgroep van ervaren medewerkers").

    Read as the published labels "45+" / "55+": **age >= 45** (old) or **>= 55** (new) in
    completed years on the reference date (:func:`age_at`; a birthday on the reference date
    counts). Missing birth date -> False (:func:`prepare` excludes such rows beforehand).
    """
    age = age_at(birth_date, date)
    if definition is None:
        old = definition_in_force(_broadcast_dates(date, age.size)) == "old"
    else:
        old = np.full(age.size, definition in ("old", "old_2004"))
        if definition not in ("old", "old_2004", "new", "new_2016"):
            raise ValueError("definition must be None, 'old_2004' or 'new_2016'")
    with np.errstate(invalid="ignore"):
        return age >= np.where(old, 45, 55)


def low_educated(level=None, education_level=None, method: str = "level_d") -> np.ndarray:
    """Low-educated (kortgeschoold before 2016, laaggeschoold from 2016).

    Both definitions mean: no diploma of (higher) secondary education nor the certificate of the
    2nd year of the 3rd grade of secondary education, or an equivalent one. Footnote 18 of the
    2016-2020 plan: lacking accurate data on education, the Flemish government counts **everyone
    on level D** as low-educated — that is ``method="level_d"`` (default; comparable with the
    published series).

    ``method="education"`` uses ``education_level`` where known — ``primary`` (none or primary
    only) and ``lower_secondary`` (secondary without that diploma/certificate) are low-educated,
    ``secondary`` and ``higher`` are not — and falls back to level D where it is missing.
    """
    n = len(level) if level is not None else len(education_level)
    lev = None if level is None else (pd.Series(np.asarray(level, dtype=object)).astype("str").str.upper() == "D").to_numpy()
    if method == "level_d":
        if lev is None:
            raise ValueError("method 'level_d' needs the level column")
        return lev
    if method != "education":
        raise ValueError("method must be 'level_d' or 'education'")
    if education_level is None:
        raise ValueError("method 'education' needs the education_level column")
    edu = pd.Series(np.asarray(education_level, dtype=object))
    known = edu.notna().to_numpy()
    low = edu.isin(_LOW_EDUCATION).to_numpy()
    fallback = lev if lev is not None else np.zeros(n, dtype=bool)
    return np.where(known, low, fallback)


def unqualified_young(low: np.ndarray, birth_date, date) -> np.ndarray:
    """Unqualified young leaver (ongekwalificeerd uitgestroomde jongere, from 1/1/2016):
    low-educated (``low``, from :func:`low_educated`) and **at most 24** ("tot en met 24 jaar")
    on the reference date."""
    age = age_at(birth_date, date)
    with np.errstate(invalid="ignore"):
        return np.asarray(low, dtype=bool) & (age <= 24)


def management_from_grade(grade, mapping: Mapping[str, str] | None = None) -> np.ndarray:
    """``top`` / ``middle`` / ``lower`` / ``none`` from the grade (rang) via ``mapping``
    (default :data:`DEFAULT_MANAGEMENT_MAP`, an assumption to check against your grades)."""
    m = {str(k).strip().upper(): v for k, v in (mapping or DEFAULT_MANAGEMENT_MAP).items()}
    g = pd.Series(np.asarray(grade, dtype=object)).map(lambda v: m.get(_norm_token(v), "none"))
    return g.to_numpy(dtype=object)


# --------------------------------------------------------------------------- schema and preparation

def _make_schema():
    nat = sorted(_ISO) + ["BEL", "ZZ"]
    return Schema(
        columns=[
            Column("employee_id", kind="str", nullable=True, description="personeelsnummer"),
            Column("date", kind="date", nullable=True, description="peildatum"),
            Column("entity", kind="str", required=False, nullable=True, description="entiteit"),
            Column("sex", kind="category", allowed=["F", "M", "X"], nullable=True,
                   labels={k.lower(): v for k, v in _SEX.items()}, description="geslacht"),
            Column("birth_date", kind="date", nullable=True, description="geboortedatum"),
            Column("policy_domain", kind="str", required=False, nullable=True, description="beleidsdomein"),
            *[Column(c, kind="category", allowed=nat, required=False, nullable=True,
                     labels={a.lower(): "BE" for a in _BELGIAN_ALIASES}, description="nationaliteit (ISO 3166-1)")
              for c in NATIONALITY_COLUMNS],
            Column("grandparents_non_eu", kind="int", min=0, max=4, required=False, nullable=True),
            Column("disability_category", kind="int", min=0, max=8, required=False, nullable=True,
                   description="registratiecategorie handicap of chronische ziekte (1-8; 0/leeg = geen)"),
            Column("level", kind="category", allowed=sorted(_LEVELS), required=False, nullable=True),
            Column("education_level", kind="category", allowed=sorted(_EDUCATION), required=False, nullable=True),
            Column("management", kind="category", allowed=["top", "middle", "lower", "none"], required=False,
                   nullable=True, labels={k.lower(): v for k, v in _MANAGEMENT.items() if k}),
            Column("grade", kind="str", required=False, nullable=True, description="rang"),
        ],
    )


#: The standard microdata schema, declared with :class:`evaluatie.intake.schema.Schema`. :func:`prepare`
#: uses it to resolve the user's column names (``columns`` mapping, then the same name, then a
#: case-insensitive match) and applies the same value rules **vectorised on categorical codes**
#: (``Schema.validate`` types cell by cell, too slow for millions of rows; it remains usable on a
#: small file). Two deliberate differences from a plain ``Schema.validate``: an employee twice on
#: one date and a missing required value are *excluded into the ledger*, not errors.
SCHEMA = _make_schema()


def schema():
    """The standard microdata schema (:data:`SCHEMA`)."""
    return SCHEMA


#: The categorical standard columns a ``values`` mapping may recode, with their standard codes
#: (what a label in the user's file is mapped to). Nationality columns take ISO 3166-1 alpha-2
#: codes (and ``XX``, stateless; ``ZZ``, unknown); ``disability_category`` the numbers 0-8.
VALUE_CODES: dict[str, tuple] = {
    "sex": ("F", "M", "X"),
    **{c: ("BE", "NL", "MA", "TR", "...", "XX", "ZZ") for c in NATIONALITY_COLUMNS},
    "level": tuple(sorted(_LEVELS)),
    "education_level": ("primary", "lower_secondary", "secondary", "higher"),
    "management": ("top", "middle", "lower", "none"),
    "disability_category": tuple(range(9)),
}


def _code_ok(column: str, code: Any) -> bool:
    if column in NATIONALITY_COLUMNS:
        return isinstance(code, str) and _normalise_nationality(_norm_token(code)) is not None
    if column == "disability_category":
        return isinstance(code, int) and not isinstance(code, bool) and 0 <= code <= 8
    return code in VALUE_CODES[column]


def check_values(values: Mapping[str, Any] | None) -> list[str]:
    """What is wrong with a ``values`` mapping (``{standard column: {label in the file: standard
    code}}``), in Dutch: a key that is no categorical standard column, a column not given as a
    mapping, a code that is not a standard code of its column. Empty when it can be used. Cheap:
    it looks at the parameter only, not at the file."""
    out = []
    for col, labels in (values or {}).items():
        if col not in VALUE_CODES:
            out.append(f"'values' heeft geen waardekoppeling voor {col!r}: kan alleen voor "
                       + ", ".join(VALUE_CODES))
        elif not isinstance(labels, Mapping):
            out.append(f"'values' → {col}: verwacht een koppeling {{waarde in het bestand: code}}")
        else:
            bad = sorted({str(v) for v in labels.values() if not _code_ok(col, v)})
            if bad:
                out.append(f"'values' → {col}: {', '.join(bad)} is geen standaardcode (verwacht: "
                           + ", ".join(str(c) for c in VALUE_CODES[col]) + ")")
    return out


MAX_PROBLEMS_PER_COLUMN = 20


def _bad_rows(problems: list[Problem], file, index: pd.Index, mask: np.ndarray, values, column: str,
              expected: str) -> None:
    """Add a Problem per offending row (at most MAX_PROBLEMS_PER_COLUMN, then one summary)."""
    idx = np.flatnonzero(mask)
    if idx.size == 0:
        return
    shown = idx[:MAX_PROBLEMS_PER_COLUMN]
    vals = values.iloc[shown] if isinstance(values, pd.Series) else np.asarray(values)[shown]
    for i, v in zip(shown, list(vals)):
        row = index[i]
        v = v.item() if isinstance(v, np.generic) else v
        problems.append(Problem(file, int(row) if isinstance(row, (int, np.integer)) else None,
                                column, v, expected))
    if idx.size > MAX_PROBLEMS_PER_COLUMN:
        problems.append(Problem(file, None, column, f"{idx.size - MAX_PROBLEMS_PER_COLUMN} rijen meer",
                                f"{expected} (zelfde fout in nog meer rijen)"))


def _codes_dtype(n: int):
    return np.int8 if n < 127 else (np.int16 if n < 32_000 else np.int32)


def _unknown_labels(problems: list[Problem], file, index: pd.Index, mask: np.ndarray, values, column: str,
                    expected: str, standard: str, n_labels: int) -> None:
    """ONE problem for every unknown label of a category column, however many rows hold them: the
    first row, the number of distinct labels and of rows, the expected codes and the way out (the
    ``values`` parameter). Like the other analyses (``evaluatie.intake.schema``), no label is quoted."""
    rows = np.flatnonzero(mask)
    what = "1 onbekende waarde" if n_labels == 1 else f"{n_labels} verschillende onbekende waarden"
    where = "1 rij" if rows.size == 1 else f"{rows.size} rijen, de eerste hier"
    first = index[rows[0]]
    v = values.iloc[rows[0]] if isinstance(values, pd.Series) else np.asarray(values)[rows[0]]
    problems.append(Problem(file, int(first) if isinstance(first, (int, np.integer)) else None, column,
                            v.item() if isinstance(v, np.generic) else v,
                            f"{expected} ({what} in {where}; geef hun betekenis op met de parameter 'values': "
                            f"{{{standard}: {{waarde in het bestand: code}}}})"))


def _with_values(fn, labels: Mapping[Any, Any] | None):
    """``fn`` applied after the user's value mapping ``labels`` (label in the file -> standard
    code, compared without case and surrounding spaces), so a mapped label and a standard code
    are read the same way."""
    if not labels:
        return fn
    lab = {_norm_token(k): v for k, v in labels.items()}
    return lambda c: fn(lab.get(_norm_token(c), c))


def _map_categories(col: pd.Series, fn, problems, file, index, column, expected, standard: str = "",
                    labels: Mapping[Any, Any] | None = None) -> pd.Categorical:
    """Normalise a column through its categories: ``fn(category) -> new value``, ``""`` for
    missing, ``None`` for invalid (reported once for the column, see :func:`_unknown_labels`).
    ``labels`` (the ``values`` mapping of the column ``standard``) is applied first. Work is per
    distinct value; rows are touched only by one ``take`` of the codes, and not at all when
    nothing changes."""
    fn = _with_values(fn, labels)
    cat = _categorical(col)
    cats = list(cat.categories)
    mapped = [fn(c) for c in cats]
    codes = cat.codes
    if any(m is None for m in mapped):
        bad_cat = np.array([m is None for m in mapped] + [False], dtype=bool)
        _unknown_labels(problems, file, index, bad_cat[codes], col, column, expected, standard,
                        sum(m is None for m in mapped))  # code -1 -> last
    if mapped == cats and "" not in mapped:
        return cat
    uniq = sorted({m for m in mapped if m})
    lookup = {v: i for i, v in enumerate(uniq)}
    remap = np.array([lookup.get(m, -1) if m else -1 for m in mapped] + [-1], dtype=_codes_dtype(len(uniq)))
    return pd.Categorical.from_codes(remap[codes], categories=pd.Index(uniq, dtype=object), validate=False)


def _to_dates(col: pd.Series, problems, file, index, column) -> np.ndarray:
    """Dates as a numpy datetime64 array in the column's own unit (no copy for datetime columns)."""
    if pd.api.types.is_datetime64_any_dtype(col.dtype):
        if getattr(col.dtype, "tz", None) is not None:
            col = col.dt.tz_localize(None)
        return col.to_numpy()
    text = col.astype("str").str.strip()
    iso = pd.to_datetime(text, errors="coerce", format="ISO8601")
    dmy = pd.to_datetime(text.str.replace(r"[-.]", "/", regex=True), errors="coerce", format="%d/%m/%Y")
    parsed = iso.where(iso.notna(), dmy)
    empty = col.isna().to_numpy() | (text == "").to_numpy() | text.str.lower().isin(["nan", "nat", "none"]).to_numpy()
    bad = parsed.isna().to_numpy() & ~empty
    _bad_rows(problems, file, index, bad, col, column, "een datum (bv. 31/12/2020 of 2020-12-31)")
    return parsed.to_numpy(dtype="datetime64[ns]")


def _small_int(col: pd.Series, lo: int, hi: int, problems, file, index, column, expected) -> np.ndarray:
    """Whole numbers lo..hi (missing -> 0 when lo == 0 makes sense to the caller: returned as
    float NaN otherwise). Integer columns are checked without conversion."""
    if isinstance(col.dtype, pd.CategoricalDtype):
        cats = pd.to_numeric(pd.Series(col.cat.categories), errors="coerce").to_numpy(dtype=float)
        vals = np.append(cats, np.nan)[col.cat.codes.to_numpy()]
    elif pd.api.types.is_integer_dtype(col.dtype) and not col.hasnans:
        vals = col.to_numpy()
        bad = (vals < lo) | (vals > hi)
        _bad_rows(problems, file, index, bad, col, column, expected)
        return vals
    else:
        vals = pd.to_numeric(col, errors="coerce").to_numpy(dtype=float)
    raw_present = col.notna().to_numpy()
    if not pd.api.types.is_numeric_dtype(col.dtype):
        raw_present = raw_present & (col.astype("str").str.strip() != "").to_numpy()
    with np.errstate(invalid="ignore"):
        bad = (np.isnan(vals) & raw_present) | (~np.isnan(vals) & ((vals < lo) | (vals > hi) | (vals != np.round(vals))))
    _bad_rows(problems, file, index, bad, col, column, expected)
    return vals


def _disability_labels(col: pd.Series, labels: Mapping[Any, Any] | None, problems, file, index, column,
                       expected) -> pd.Series:
    """A disability column holding words: ``labels`` (its ``values`` mapping) applied, and words that
    are no number after it reported once for the column (:func:`_unknown_labels`) and left empty,
    so that :func:`_small_int` checks only the numbers. A numeric column passes untouched."""
    if pd.api.types.is_numeric_dtype(col.dtype) and not labels:
        return col
    cat = _categorical(col)
    mapped = [_with_values(lambda c: c, labels)(c) for c in cat.categories]
    num = pd.to_numeric(pd.Series(mapped, dtype=object), errors="coerce").to_numpy(dtype=float)
    words = [isinstance(m, str) and bool(m.strip()) and np.isnan(v) for m, v in zip(mapped, num)]
    if any(words):
        _unknown_labels(problems, file, index, np.array(words + [False])[cat.codes], col, column, expected,
                        "disability_category", sum(words))
    kept = [np.nan if w else m for m, w in zip(mapped, words)] + [np.nan]
    return pd.Series(np.asarray(kept, dtype=object)[cat.codes], index=col.index)


@dataclass
class Prepared:
    """Validated, typed microdata ready for :func:`classify` / :func:`aggregate`.

    ``cols``: standard name -> Categorical (text columns, normalised) or numpy array (dates in
    their own unit, ``disability_category``, ``grandparents_non_eu``, ``employee_id``), rows kept
    only. ``date_codes`` index ``date_values`` (sorted distinct reference dates)."""

    cols: dict
    n: int
    date_codes: np.ndarray
    date_values: np.ndarray
    ledger: Ledger
    present: frozenset[str]  # optional standard columns present
    synthetic: bool = False  # the input said so (``df.attrs["synthetic"]``, kept in Parquet files)

    @property
    def frame(self) -> pd.DataFrame:
        """The kept rows as a DataFrame with standard column names (built on demand)."""
        return pd.DataFrame({k: v for k, v in self.cols.items()}, copy=False)


def needed_columns(columns: Mapping[str, str] | None = None, available: Iterable[str] | None = None,
                   *, low_educated_method: str = "level_d") -> list[str]:
    """The columns of the user's file that :func:`prepare` reads (standard names mapped through
    ``columns``, matched case-insensitively against ``available`` when given) — read only these.
    ``education_level`` is needed only with ``low_educated_method="education"``; ``grade`` only
    when there is no ``management`` column."""
    mapping = dict(columns or {})
    std = [c for c in STANDARD_COLUMNS if not (c == "education_level" and low_educated_method == "level_d")]
    names = [mapping.get(c, c) for c in std]
    if available is None:
        return names
    avail = list(available)
    norm = {" ".join(str(a).split()).casefold(): a for a in avail}
    out = []
    for nme in names:
        if nme in avail:
            out.append(nme)
        elif " ".join(str(nme).split()).casefold() in norm:
            out.append(norm[" ".join(str(nme).split()).casefold()])
    management = names[std.index("management")]
    if management in out or " ".join(str(management).split()).casefold() in norm:
        grade = names[std.index("grade")]
        out = [c for c in out if c != norm.get(" ".join(str(grade).split()).casefold(), grade)]
    return out


def prepare(df: pd.DataFrame, columns: Mapping[str, str] | None = None, *, file: str | None = None,
            management_map: Mapping[str, str] | None = None, disability_coding: str = "2016",
            values: Mapping[str, Mapping[Any, Any]] | None = None, entity_name: str | None = None) -> Prepared:
    """Validate and type personnel microdata; exclude unusable rows into a :class:`Ledger`.

    ``values`` maps, per categorical standard column (:data:`VALUE_CODES`), the labels of the
    user's file to the standard codes (``{"education_level": {"hoger": "higher"}}``), compared
    without case and surrounding spaces, before the checks; a bad mapping (:func:`check_values`)
    is a :class:`DataError`. A file of one organisation may lack the ``entity`` column: with
    ``entity_name`` every row belongs to that entity (without it the column is required).

    ``disability_coding``: ``"2016"`` (default) when ``disability_category`` uses the 8
    categories valid from 1/1/2016 (see :func:`disability`); ``"2004"`` when it uses the 6
    categories of the 2004 decree (older extracts): old 1-4 are kept, old 5 and 6 (66%
    certificates) both become new 5, and 7 or 8 are invalid.

    ``columns`` maps standard names to the user's names (``{"employee_id": "persnr"}``); names
    are resolved by :data:`SCHEMA` (mapping, same name, case-insensitive match). The row numbers
    in error messages are ``df``'s index (``evaluatie.intake.read.read_table`` sets it to the row as seen
    in the user's file).

    **Stops** with a Dutch :class:`DataError` (all problems at once; one problem per column for
    unknown labels, at most 20 rows per column otherwise) on
    a missing required column or an invalid value: unknown nationality code, sex not F/M/X,
    disability category outside 0-8, level outside A-D, unknown education or management value,
    grandparents outside 0-4, a date that cannot be read, a birth date that gives an age below 14
    or above 80 on the reference date.

    **Excludes** (ledger reasons, in this order, each row counted once): missing employee id,
    missing reference date, missing entity, missing birth date, missing sex, and every further row
    of an employee already seen on the same date (the first row in file order is kept).
    """
    file = file or (df.attrs.get("source") or {}).get("file") or "personeelsgegevens"
    try:
        mapping, problems = SCHEMA.resolve_columns(df, file, columns)
    except ValueError as exc:  # a mapping key that is no standard column
        raise DataError(Problem(file, None, None, sorted(set(columns or {}) - set(STANDARD_COLUMNS)),
                                "standaardkolomnamen: " + ", ".join(STANDARD_COLUMNS))) from exc
    if "entity" not in mapping and (entity_name is None or "entity" in (columns or {})):
        want = (columns or {}).get("entity", "entity")
        via = "" if want == "entity" else " (voor 'entity')"
        problems.append(Problem(file, None, str(want), None,
                                f"een kolom '{want}'{via}; die ontbreekt. Gevonden kolommen: "
                                + private(", ".join(str(c) for c in df.columns) or "geen")))
    if wrong := check_values(values):
        problems.append(Problem(file, None, None, None, "een bruikbare parameter 'values': " + "; ".join(wrong)))
    if problems:
        raise DataError(problems)
    values = dict(values or {})
    src = {std: df[user] for std, user in mapping.items()}
    index = df.index
    n = len(df)
    out: dict[str, object] = {}

    # ---- required columns
    emp = src["employee_id"]
    dates = _to_dates(src["date"], problems, file, index, mapping["date"])
    birth = _to_dates(src["birth_date"], problems, file, index, mapping["birth_date"])
    out["entity"] = (_map_categories(src["entity"], lambda c: str(c).strip(), problems, file, index,
                                     mapping["entity"], "een entiteit") if "entity" in src
                     else pd.Categorical.from_codes(np.zeros(n, dtype=np.int8), categories=[entity_name]))
    out["sex"] = _map_categories(src["sex"], lambda c: _SEX.get(_norm_token(c), None if _norm_token(c) else ""),
                                 problems, file, index, mapping["sex"], "F, M of X (ook V/vrouw, man)",
                                 "sex", values.get("sex"))
    if "policy_domain" in src:
        out["policy_domain"] = _map_categories(src["policy_domain"], lambda c: str(c).strip(), problems, file,
                                               index, mapping["policy_domain"], "een beleidsdomein")

    # ---- optional columns
    for c in NATIONALITY_COLUMNS:
        if c in src:
            out[c] = _map_categories(src[c], _normalise_nationality, problems, file, index, mapping[c],
                                     "een ISO-landcode met 2 letters (bv. BE, NL, MA), XX (staatloos) "
                                     "of leeg/ZZ/onbekend", c, values.get(c))
    if "grandparents_non_eu" in src:
        out["grandparents_non_eu"] = _small_int(src["grandparents_non_eu"], 0, 4, problems, file, index,
                                                mapping["grandparents_non_eu"], "een geheel getal van 0 tot 4")
    if "disability_category" in src:
        if disability_coding not in ("2016", "2004"):
            raise ValueError("disability_coding must be '2016' or '2004'")
        hi = 8 if disability_coding == "2016" else 6
        expected = f"een registratiecategorie 1-{hi}, of leeg/0 (geen)"
        dis_src = _disability_labels(src["disability_category"], values.get("disability_category"), problems, file,
                                     index, mapping["disability_category"], expected)
        dis = _small_int(dis_src, 0, hi, problems, file, index, mapping["disability_category"], expected)
        if disability_coding == "2004":  # old 6 (court decision / fund certificate, 66%) is new 5
            dis = np.where(dis == 6, 5, dis).astype(dis.dtype, copy=False)
        out["disability_category"] = dis
    if "level" in src:
        out["level"] = _map_categories(src["level"], lambda c: (_norm_token(c) if _norm_token(c) in _LEVELS
                                                                 else ("" if not _norm_token(c) else None)),
                                       problems, file, index, mapping["level"], "niveau A, B, C of D",
                                       "level", values.get("level"))
    if "education_level" in src:
        out["education_level"] = _map_categories(
            src["education_level"],
            lambda c: (str(c).strip().lower() if str(c).strip().lower() in _EDUCATION
                       else ("" if not _norm_token(c) else None)),
            problems, file, index, mapping["education_level"], "primary, lower_secondary, secondary of higher",
            "education_level", values.get("education_level"))
    if "management" in src:
        out["management"] = _map_categories(src["management"], lambda c: _MANAGEMENT.get(_norm_token(c)),
                                            problems, file, index, mapping["management"],
                                            "top, middle, lower of none (of topkader, middenkader, lager kader, geen)",
                                            "management", values.get("management"))
    elif "grade" in src:
        out["management"] = pd.Categorical(management_from_grade(src["grade"], management_map),
                                           categories=["lower", "middle", "none", "top"])

    # ---- reference dates (few distinct values) and implausible ages (a data error)
    dcodes, dvals = pd.factorize(dates, sort=True)  # NaT -> -1
    dvals = np.asarray(dvals).astype(dates.dtype)
    # cheap whole-column checks first (one reduction each); row masks only where something is wrong
    n_ok = bool(n)
    birth_has_nat = n_ok and bool(np.isnat(birth.min()))        # min over datetimes with NaT is NaT
    date_has_nat = n_ok and int(dcodes.min()) < 0
    birth_ok = ~np.isnat(birth) if birth_has_nat else None
    if n_ok and dvals.size and not (birth_has_nat and not birth_ok.any()):
        # cheap bound first: all births within the bounds of every date -> no row-wise check
        lo_cut = (pd.Timestamp(dvals.max()) - pd.DateOffset(years=81)).to_datetime64()
        hi_cut = (pd.Timestamp(dvals.min()) - pd.DateOffset(years=14)).to_datetime64()
        bvalid = birth[birth_ok] if birth_has_nat else birth
        check_rows = not (bvalid.min() > lo_cut and bvalid.max() <= hi_cut)
    else:
        check_rows = False
    if check_rows:
        young = ~_age_reached(birth, dcodes, dvals, 14)
        old = _age_reached(birth, dcodes, dvals, 81)
        bad = (young | old) & (dcodes >= 0)
        if birth_has_nat:
            bad &= birth_ok
        _bad_rows(problems, file, index, bad, src["birth_date"], mapping["birth_date"],
                  "een geboortedatum die op de peildatum een leeftijd van 14 tot 80 jaar geeft")
    if problems:
        raise DataError(problems)

    # ---- exclusions
    ledger = Ledger(file, read=n)
    keep = np.ones(n, dtype=bool)
    if pd.api.types.is_integer_dtype(emp.dtype) and not emp.hasnans:
        emp_na = None
    else:
        emp_na = emp.isna().to_numpy()
        if not pd.api.types.is_numeric_dtype(emp.dtype):
            emp_na = emp_na | (emp.astype("str").str.strip() == "").to_numpy()

    def codes_missing(name):
        if name not in out or not n_ok:
            return None
        codes = out[name].codes
        return codes < 0 if int(codes.min()) < 0 else None

    for reason, miss in (
        ("personeelsnummer ontbreekt", emp_na),
        ("peildatum ontbreekt", dcodes < 0 if date_has_nat else None),
        ("entiteit ontbreekt", codes_missing("entity")),
        ("geboortedatum ontbreekt", ~birth_ok if birth_has_nat else None),
        ("geslacht ontbreekt", codes_missing("sex")),
        ("beleidsdomein ontbreekt", codes_missing("policy_domain")),
    ):
        if miss is not None and miss.any():
            ledger.exclude(reason, int((keep & miss).sum()))
            keep &= ~miss

    # duplicates: the same employee twice on one date (first row in file order kept). Key =
    # date code × employee code, dense: sortedness is checked in one pass (the usual export
    # order), otherwise marking every key in a boolean array over the key range shows whether any
    # key repeats (fewer marks than rows; a third of the time of counting them); only then one
    # bincount finds the repeated keys, and only their rows go through a hash table.
    all_kept = bool(keep.all())
    n_dates = max(len(dvals), 1)
    ecodes = span = None
    if pd.api.types.is_integer_dtype(emp.dtype) and not emp.hasnans and n:
        e = emp.to_numpy()
        lo, hi = int(e.min()), int(e.max())
        if (hi - lo + 1) * n_dates <= max(4 * n, 1 << 22):
            ecodes, span = (e - lo if lo else e).astype(np.int64, copy=False), hi - lo + 1
    if ecodes is None:
        ecodes, uniq = pd.factorize(emp)
        span = max(len(uniq), 1)
    key = dcodes.astype(np.int64, copy=False) * span + ecodes
    kk = key if all_kept else key[keep]
    if kk.size > 1 and not bool((kk[1:] > kk[:-1]).all()):
        seen = np.zeros(n_dates * span, dtype=bool)
        seen[kk] = True
        repeated = int(np.count_nonzero(seen)) < kk.size
        del seen
        if repeated:
            counts = np.bincount(kk, minlength=n_dates * span)
            rows_k = np.flatnonzero(counts[kk] > 1)
            dup_sub = pd.Series(kk[rows_k]).duplicated(keep="first").to_numpy()
            kept_rows = np.arange(n) if all_kept else np.flatnonzero(keep)
            dup = np.zeros(n, dtype=bool)
            dup[kept_rows[rows_k[dup_sub]]] = True
            ledger.exclude("dubbel: zelfde personeelslid op dezelfde peildatum", int(dup.sum()))
            keep &= ~dup
            all_kept = False

    cols: dict[str, object] = {"employee_id": emp.to_numpy(), "date": dates, "birth_date": birth, **out}
    if not all_kept:
        cols = {k: (v[keep] if isinstance(v, pd.Categorical) else np.asarray(v)[keep]) for k, v in cols.items()}
        dcodes = dcodes[keep]
    present = frozenset(c for c in out if c not in REQUIRED_COLUMNS)
    return Prepared(cols, int(keep.sum()), dcodes.astype(np.intp, copy=False), dvals, ledger, present,
                    synthetic=bool(df.attrs.get("synthetic", False)))


# --------------------------------------------------------------------------- indicators

def _cat_lookup(cat: pd.Categorical, values) -> np.ndarray:
    """Boolean per row: the row's category is in ``values`` (missing -> False).

    Evaluated on the categories, then applied to the int8 codes with at most two comparisons
    (``codes == i`` or ``(codes != i) & (codes >= 0)``), which is several times cheaper than a
    gather; a table lookup over the codes is the general fallback."""
    hit = [c in values for c in cat.categories]
    codes = cat.codes
    yes = [i for i, h in enumerate(hit) if h]
    no = [i for i, h in enumerate(hit) if not h]
    if not yes:
        return np.zeros(codes.size, dtype=bool)
    if len(yes) <= 2:
        out = codes == yes[0]
        for i in yes[1:]:
            out |= codes == i
        return out
    if len(no) <= 1:
        out = codes >= 0
        for i in no:
            out &= codes != i
        return out
    return np.array(hit + [False], dtype=bool)[codes]  # code -1 picks the appended False


def _nat_non_belgian(cat: pd.Categorical) -> np.ndarray:
    """Known and not Belgian ("" is never a category: unknown values are missing codes)."""
    return _cat_lookup(cat, {c for c in cat.categories if c != "BE"})


def _nat_non_eu(cat: pd.Categorical, dcodes: np.ndarray, dvals: np.ndarray, eu: str) -> np.ndarray:
    tab = _non_eu_table(cat, dvals, eu)  # last row: missing
    if tab.shape[1] == 1:
        return tab[:, 0][cat.codes]
    flat = tab.ravel()
    codes = cat.codes.astype(np.intp) % tab.shape[0]  # -1 -> last row
    return flat[codes * tab.shape[1] + dcodes]


@dataclass
class _Spec:
    group: str
    definition: str
    indicator: np.ndarray           # bool per row
    rows: np.ndarray | None         # bool per row: rows the definition applies to (None = all)
    denominator: np.ndarray | None  # bool per row: denominator population (None = all)


def _low_indicator(p: "Prepared", f, method: str, skipped: dict) -> np.ndarray | None:
    """Low-educated per row: level D (``method="level_d"``, official practice) or the education
    level with level D as fallback (``"education"``). None, with the reason in ``skipped``, when
    the column it needs is missing."""
    low = None
    if method == "level_d" and "level" in p.present:
        low = _cat_lookup(f["level"], {"D"})
    elif method == "education" and "education_level" in p.present:
        edu = f["education_level"]
        fallback = _cat_lookup(f["level"], {"D"}) if "level" in p.present else np.zeros(p.n, bool)
        low = np.where(edu.codes >= 0, _cat_lookup(edu, _LOW_EDUCATION), fallback)
    if low is None:
        skipped["low_educated"] = ("kolom level ontbreekt" if method == "level_d"
                                   else "kolom education_level ontbreekt")
        skipped["unqualified_young"] = skipped["low_educated"]
    return low


def _non_eu_background(p: "Prepared", nat_present, eu: str) -> np.ndarray:
    """Migration background under the 2004 definition, per row: any of the present nationality
    columns non-EU on the reference date, or at least two non-EU grandparents."""
    f = p.cols
    ind = np.zeros(p.n, dtype=bool)
    for c in nat_present:
        ind |= _nat_non_eu(f[c], p.date_codes, p.date_values, eu)
    if "grandparents_non_eu" in p.present:
        with np.errstate(invalid="ignore"):
            ind |= f["grandparents_non_eu"] >= 2
    return ind


def _check_options(definitions: str, low_educated_method: str) -> None:
    if definitions not in ("official", "both", "old", "new"):
        raise ValueError("definitions must be 'official', 'both', 'old' or 'new'")
    if low_educated_method not in ("level_d", "education"):
        raise ValueError("low_educated_method must be 'level_d' or 'education'")


def _indicators(p: Prepared, definitions: str, low_educated_method: str, eu: str):
    """Build a :class:`_Spec` per (group, definition); also return the skipped groups."""
    _check_options(definitions, low_educated_method)
    f = p.cols
    dc, dv = p.date_codes, p.date_values
    old_date = dv < SWITCH_DATE.to_datetime64()
    if definitions == "official":
        want_old, want_new = bool(old_date.any()), bool((~old_date).any())
        mixed = want_old and want_new
        rows_old = old_date[dc] if mixed else None
        rows_new = ~rows_old if mixed else None
    else:
        rows_old = rows_new = None
        want_old, want_new = definitions in ("both", "old"), definitions in ("both", "new")
    skipped: dict[str, str] = {}
    specs: list[_Spec] = []

    women = _cat_lookup(f["sex"], {"F"})
    specs.append(_Spec("women_total", "", women, None, None))
    if "management" in p.present:
        for lev in ("top", "middle", "lower"):
            specs.append(_Spec(f"women_{lev}", "", women, None, _cat_lookup(f["management"], {lev})))
    else:
        for lev in ("top", "middle", "lower"):
            skipped[f"women_{lev}"] = "kolom management (of grade) ontbreekt"

    nat_present = [c for c in NATIONALITY_COLUMNS if c in p.present]
    if want_new:
        if len(nat_present) == 4:
            ind = _nat_non_belgian(f[NATIONALITY_COLUMNS[0]])
            for c in NATIONALITY_COLUMNS[1:]:
                ind |= _nat_non_belgian(f[c])
            specs.append(_Spec("foreign_origin", "new_2016", ind, rows_new, None))
        else:
            skipped["foreign_origin"] = "de 4 nationaliteitskolommen zijn nodig: " + ", ".join(NATIONALITY_COLUMNS)
    if want_old:
        need = {"nationality", "father_first_nationality", "mother_first_nationality"}
        if need <= set(nat_present):
            ind = _non_eu_background(p, nat_present, eu)
            specs.append(_Spec("migration_background", "old_non_eu", ind, rows_old, None))
        else:
            skipped["migration_background"] = "kolommen nodig: " + ", ".join(sorted(need))

    if "disability_category" in p.present:
        cat = f["disability_category"]
        with np.errstate(invalid="ignore"):
            if want_old:
                specs.append(_Spec("disability_chronic_illness", "old_2004", (cat >= 1) & (cat <= 5), rows_old, None))
            if want_new:
                specs.append(_Spec("disability_chronic_illness", "new_2016", (cat >= 1) & (cat <= 8), rows_new, None))
    else:
        skipped["disability_chronic_illness"] = "kolom disability_category ontbreekt"

    birth = f["birth_date"]
    if want_old:
        specs.append(_Spec("experienced_45plus", "old_2004", _age_reached(birth, dc, dv, 45), rows_old, None))
    if want_new:
        specs.append(_Spec("experienced_55plus", "new_2016", _age_reached(birth, dc, dv, 55), rows_new, None))

    low = _low_indicator(p, f, low_educated_method, skipped)
    if low is not None:
        if want_old:
            specs.append(_Spec("low_educated", "old_2004", low, rows_old, None))
        if want_new:
            specs.append(_Spec("low_educated", "new_2016", low, rows_new, None))
            young = ~_age_reached(birth, dc, dv, 25)
            specs.append(_Spec("unqualified_young", "new_2016", low & young, rows_new, None))
    return specs, skipped


def _group_counts(p: Prepared, cell: np.ndarray, ncell: int, definitions: str, low_educated_method: str,
                  eu: str) -> tuple[list, dict]:
    """Numerators and denominators per cell for every (group, definition), from two bincounts.

    Instead of one boolean indicator per group, each row gets a small composite code — (sex,
    management) in one table, (low-educated, age band, disability category, origin) in another —
    and ``numpy.bincount`` counts rows per (cell, code). Every group's numerator and denominator is
    then a sum over a few code combinations of these small tables, and the definition in force is
    chosen per *cell* (its date), not per row. Gives the same numbers as the row-level
    :func:`classify` (tested), with a fraction of the passes over the rows.
    Returns ``(parts, skipped)``, parts = [(group, definition, cell index, numerator, denominator)].
    """
    _check_options(definitions, low_educated_method)
    f = p.cols
    dc, dv = p.date_codes, p.date_values
    ndates = len(dv)
    per_date = ncell // max(ndates, 1)
    old_date = dv < SWITCH_DATE.to_datetime64()
    cell_old = np.repeat(old_date, per_date)                  # per cell: date before 2016
    if definitions == "official":
        use_old, use_new = cell_old, ~cell_old
    else:
        all_c, none_c = np.ones(ncell, bool), np.zeros(ncell, bool)
        use_old = all_c if definitions in ("both", "old") else none_c
        use_new = all_c if definitions in ("both", "new") else none_c
    want_old, want_new = bool(use_old.any()), bool(use_new.any())
    parts: list = []
    skipped: dict[str, str] = {}

    def emit(group, definition, num, den, use=None):
        ok = den > 0 if use is None else (den > 0) & use
        nz = np.flatnonzero(ok)
        parts.append((group, definition, nz, np.asarray(num)[nz].astype(np.int64), np.asarray(den)[nz].astype(np.int64)))

    # ---- table 1: sex × management
    sex = f["sex"]
    ns = len(sex.categories)
    i_f = sex.categories.get_loc("F") if "F" in sex.categories else None
    if "management" in p.present:
        m = f["management"]
        nm = len(m.categories) + 1                             # slot 0 = missing
        small = sex.codes.astype(np.int16) * nm + (m.codes + 1)   # per-row code in 2 bytes
        t1 = np.bincount(cell * (ns * nm) + small, minlength=ncell * ns * nm)
        t1 = t1.reshape(ncell, ns, nm)
    else:
        m, nm = None, 1
        t1 = np.bincount(cell * ns + sex.codes, minlength=ncell * ns).reshape(ncell, ns, 1)
    zeros = np.zeros(ncell, dtype=np.int64)
    by_sex = t1.sum(axis=2)
    den_all = by_sex.sum(axis=1)
    emit("women_total", "", by_sex[:, i_f] if i_f is not None else zeros, den_all)
    for lev in ("top", "middle", "lower"):
        if m is None:
            skipped[f"women_{lev}"] = "kolom management (of grade) ontbreekt"
            continue
        if lev not in m.categories:
            continue
        slot = 1 + m.categories.get_loc(lev)
        emit(f"women_{lev}", "", t1[:, i_f, slot] if i_f is not None else zeros, t1[:, :, slot].sum(axis=1))

    # ---- table 2: low-educated × age band × disability category × origin
    factors: list[tuple[str, np.ndarray, int]] = []
    low = _low_indicator(p, f, low_educated_method, skipped)
    if low is not None:
        factors.append(("low", low.view(np.int8), 2))
    thresholds = sorted({*([25] if (want_new and low is not None) else []),
                         *([45] if want_old else []), *([55] if want_new else [])})
    if thresholds:
        birth = f["birth_date"]
        band = np.zeros(p.n, dtype=np.int8)
        for t in thresholds:                                   # band = number of thresholds reached
            band += _age_reached(birth, dc, dv, t)
        factors.append(("band", band, len(thresholds) + 1))
    if "disability_category" in p.present:
        dis = f["disability_category"]
        if dis.dtype.kind == "f":
            dis = np.nan_to_num(dis, nan=0.0).astype(np.int8)
        # 0 = none, 1 = categories 1-5 (both definitions), 2 = categories 6-8 (only from 2016)
        dis3 = (dis >= 1).view(np.int8) + (dis >= 6).view(np.int8)
        factors.append(("dis", dis3, 3))
    else:
        skipped["disability_chronic_illness"] = "kolom disability_category ontbreekt"
    nat_present = [c for c in NATIONALITY_COLUMNS if c in p.present]
    origin = None
    if want_new and len(nat_present) < 4:
        skipped["foreign_origin"] = "de 4 nationaliteitskolommen zijn nodig: " + ", ".join(NATIONALITY_COLUMNS)
    need_old = {"nationality", "father_first_nationality", "mother_first_nationality"}
    old_ok = want_old and need_old <= set(nat_present)
    if want_old and not old_ok:
        skipped["migration_background"] = "kolommen nodig: " + ", ".join(sorted(need_old))
    new_ok = want_new and len(nat_present) == 4
    if new_ok or old_ok:
        # origin code: bit 0 = foreign origin (new), bit 1 = non-EU migration background (old)
        origin = np.zeros(p.n, dtype=np.int8)
        if new_ok:
            fo = _nat_non_belgian(f[NATIONALITY_COLUMNS[0]])
            for c in NATIONALITY_COLUMNS[1:]:
                fo |= _nat_non_belgian(f[c])
            origin += fo.view(np.int8)
        if old_ok:
            ne = _non_eu_background(p, nat_present, eu)
            origin += ne.view(np.int8) * np.int8(2 if new_ok else 1)
        factors.append(("origin", origin, 4 if (new_ok and old_ok) else 2))
    if not factors:
        return parts, skipped
    small = np.zeros(p.n, dtype=np.int16)  # per-row code over all factors (< 2 × 4 × 3 × 4 = 96)
    for _, codes, k in factors:
        small *= k
        small += codes
    key = cell * int(np.prod([k for _, _, k in factors])) + small
    shape = [ncell] + [k for _, _, k in factors]
    t2 = np.bincount(key, minlength=int(np.prod(shape))).reshape(shape)
    axis = {name: i + 1 for i, (name, _, _) in enumerate(factors)}

    def marginal(*names):
        """Counts per cell over the named factors (others summed out), axes in the given order."""
        other = tuple(a for nme, a in axis.items() if nme not in names)
        t = t2.sum(axis=other) if other else t2
        kept = [nme for nme in axis if nme in names]
        return np.moveaxis(t, [1 + kept.index(nme) for nme in names], list(range(1, 1 + len(names))))

    if "origin" in axis:
        o = marginal("origin")
        if new_ok and old_ok:
            emit("foreign_origin", "new_2016", o[:, 1] + o[:, 3], den_all, use_new)
            emit("migration_background", "old_non_eu", o[:, 2] + o[:, 3], den_all, use_old)
        elif new_ok:
            emit("foreign_origin", "new_2016", o[:, 1], den_all, use_new)
        else:
            emit("migration_background", "old_non_eu", o[:, 1], den_all, use_old)
    if "dis" in axis:
        d = marginal("dis")
        if want_old:
            emit("disability_chronic_illness", "old_2004", d[:, 1], den_all, use_old)
        if want_new:
            emit("disability_chronic_illness", "new_2016", d[:, 1] + d[:, 2], den_all, use_new)
    if "band" in axis:
        b = marginal("band")
        if want_old:
            emit("experienced_45plus", "old_2004", b[:, 1 + thresholds.index(45):].sum(axis=1), den_all, use_old)
        if want_new:
            emit("experienced_55plus", "new_2016", b[:, 1 + thresholds.index(55):].sum(axis=1), den_all, use_new)
    if "low" in axis:
        lw = marginal("low")
        if want_old:
            emit("low_educated", "old_2004", lw[:, 1], den_all, use_old)
        if want_new:
            emit("low_educated", "new_2016", lw[:, 1], den_all, use_new)
            lb = marginal("low", "band")
            emit("unqualified_young", "new_2016", lb[:, 1, 0], den_all, use_new)  # band 0: below 25
    # same order as the row-level specs (stable output order before sorting)
    return parts, skipped


def classify(df: pd.DataFrame | Prepared, columns: Mapping[str, str] | None = None, *,
             definitions: str = "official", low_educated_method: str = "level_d", eu: str = "members",
             file: str | None = None) -> pd.DataFrame:
    """Row-level classification: one boolean column per group (``<group>`` under
    ``definitions="official"``, where each row gets the definition in force on its date, and
    ``<group>__<definition>`` otherwise), plus ``management``, ``date`` and ``employee_id``.

    A value is ``<NA>`` where the group's definition does not apply on that row's date (e.g.
    ``foreign_origin`` on 31/12/2015 under ``"official"``) and, for ``women_top`` etc., where the
    row is not in that management level. Rows excluded by :func:`prepare` are dropped. **Row-level
    output: for checks and tests only, never for a report.**
    """
    p = df if isinstance(df, Prepared) else prepare(df, columns, file=file)
    specs, _ = _indicators(p, definitions, low_educated_method, eu)
    out = pd.DataFrame({"employee_id": p.cols["employee_id"], "date": p.cols["date"]})
    for s in specs:
        name = s.group if definitions == "official" else f"{s.group}__{s.definition}" if s.definition else s.group
        applies = np.ones(len(out), dtype=bool)
        if s.rows is not None:
            applies &= s.rows
        if s.denominator is not None:
            applies &= s.denominator
        col = pd.array(s.indicator, dtype="boolean")
        col[~applies] = pd.NA
        if name in out:  # official: old rows and new rows of the same group fill one column
            out[name] = out[name].where(out[name].notna(), col)
        else:
            out[name] = col
    if "management" in p.present:
        out["management"] = np.asarray(p.cols["management"], dtype=object)
    return out


# --------------------------------------------------------------------------- aggregation

def _small(table: pd.DataFrame, threshold: int) -> np.ndarray:
    """The primary rule, per row of an aggregate table: the persons **in** the group (numerator) or
    the persons **not** in it (denominator - numerator) number 1 to ``threshold - 1`` ("all but 2
    are women" identifies people as well). Zero counts are shown; the denominator (headcount of the
    population of a public body) is published."""
    num = pd.to_numeric(table["numerator"], errors="coerce").to_numpy(dtype="float64")
    others = pd.to_numeric(table["denominator"], errors="coerce").to_numpy(dtype="float64") - num
    return ((num >= 1) & (num < threshold)) | ((others >= 1) & (others < threshold))


def _withhold(table: pd.DataFrame, rows: np.ndarray, threshold: int) -> pd.DataFrame:
    """``table`` published through :func:`evaluatie.publish.disclosure.mark` with the numerator and
    the share of ``rows`` (a boolean array) withheld; denominators stay."""
    hidden = pd.DataFrame(False, index=table.index, columns=table.columns)
    hidden.loc[np.asarray(rows, dtype=bool), ["numerator", "share_pct"]] = True
    return mark(table, hidden, threshold)


def _line_safe(pos: np.ndarray, sign: np.ndarray, num: np.ndarray, den: np.ndarray, hidden: np.ndarray,
               need: np.ndarray) -> bool:
    """Whether the withheld cells of one line (``Σ parts = total``: ``sign`` +1 for a part, -1 for the
    total) keep their protection against this line alone: with every other withheld cell of the
    line anywhere between 0 and its (published) headcount, each withheld numerator can still take at
    least ``need`` values (per cell: ``threshold``, or every value from 0 to its headcount when that
    is smaller; 0 for a never-published cell that holds no small count). One withheld cell in a line
    fails (the line gives it exactly), and so do two that together hold too few persons on either
    side (1 and 2 women next to a published total: each lies in 0..3)."""
    h = hidden[pos]
    if not h.any():
        return True
    p, s = pos[h], sign[h]
    x, d = num[p], den[p]
    rhs = float((s * x).sum())
    plus, minus = np.where(s > 0, d, 0.0), np.where(s < 0, d, 0.0)
    hi_rest, lo_rest = plus.sum() - plus, -(minus.sum() - minus)   # range of the other withheld terms
    a, b = rhs - hi_rest, rhs - lo_rest                            # range of s_i * x_i
    low = np.maximum(np.where(s > 0, a, -b), 0.0)
    high = np.minimum(np.where(s > 0, b, -a), d)
    return bool((high - low + 1 >= need[p]).all())


def _lines_safe(flat: tuple, num: np.ndarray, den: np.ndarray, hidden: np.ndarray, need: np.ndarray) -> np.ndarray:
    """:func:`_line_safe` of every line at once: ``flat`` is ``(positions, signs, line of each
    position, number of lines)``, the lines one after the other. Counts are whole numbers, so the
    sums are exact in any order."""
    pos, sign, line, n = flat
    h = hidden[pos]
    p, s, ln = pos[h], sign[h], line[h]
    x, d = num[p], den[p]
    plus, minus = np.where(s > 0, d, 0.0), np.where(s < 0, d, 0.0)
    rhs = np.bincount(ln, weights=s * x, minlength=n)[ln]
    hi_rest = np.bincount(ln, weights=plus, minlength=n)[ln] - plus
    lo_rest = -(np.bincount(ln, weights=minus, minlength=n)[ln] - minus)
    a, b = rhs - hi_rest, rhs - lo_rest
    low = np.maximum(np.where(s > 0, a, -b), 0.0)
    high = np.minimum(np.where(s > 0, b, -a), d)
    return np.bincount(ln, weights=high - low + 1 < need[p], minlength=n) == 0


def _line_sets(block: list, hidden: np.ndarray) -> list:
    """The lines of one block (``(positions, signs)`` each) cut into the sets of lines that share
    withheld cells (a shown cell is a constant and links nothing), as ``(withheld cells, positions,
    signs)`` per line; only the sets of two lines or more (a set of one line is decided exactly by
    :func:`_line_safe`)."""
    lines = [(pos[hidden[pos]], pos, sign) for pos, sign in block]
    lines = [ln for ln in lines if ln[0].size]
    parent: dict[int, int] = {}

    def root(c: int) -> int:
        while parent.setdefault(c, c) != c:
            parent[c] = parent[parent[c]]
            c = parent[c]
        return c

    for cells, _, _ in lines:
        for c in cells[1:]:
            parent[root(int(c))] = root(int(cells[0]))
    sets: dict[int, list] = {}
    for ln in lines:
        sets.setdefault(root(int(ln[0][0])), []).append(ln)
    return [part for part in sets.values() if len(part) > 1]


class _LineSet:
    """One set of lines that share withheld cells, as the system the differencing attack solves:
    ``a @ x = rhs`` over the withheld cells ``unknown`` (every shown count on the right-hand side),
    ``0 <= x <= ub`` (their headcounts), integer. ``lo``/``hi``: the smallest and largest value of
    each cell over the solutions found so far (the true counts are one); a cell is decided safe
    when they span ``want`` values."""

    def __init__(self, part: list, num: np.ndarray, den: np.ndarray, hidden: np.ndarray, need: np.ndarray):
        self.unknown = np.array(sorted({int(c) for cells, _, _ in part for c in cells}))
        col = {c: i for i, c in enumerate(self.unknown)}
        rows, cols, vals = [], [], []
        self.rhs = np.empty(len(part))
        for r, (_, pos, sign) in enumerate(part):
            h = hidden[pos]
            rows += [r] * int(h.sum())
            cols += [col[int(c)] for c in pos[h]]
            vals += sign[h].tolist()
            self.rhs[r] = -float((sign[~h] * num[pos[~h]]).sum())
        self.n = self.unknown.size
        self.a = csr_matrix((vals, (rows, cols)), shape=(len(part), self.n))  # duplicates are summed
        self.ub = den[self.unknown].astype("float64")
        self.want = need[self.unknown].astype("float64")
        self.lo = num[self.unknown].astype("float64")
        self.hi = self.lo.copy()

    def undecided(self) -> np.ndarray:
        """The cells that must take ``want`` values and have not yet been seen to."""
        return (self.want > 1) & (self.hi - self.lo + 1 < self.want - 1e-9)

    def take(self, x: np.ndarray) -> bool:
        """Add ``x`` to the solutions found when it is one: integer, within the bounds, every line
        exact (checked here, whatever the solver says); False otherwise."""
        xr = np.round(x)
        if (np.abs(x - xr).max(initial=0.0) > 1e-6 or (xr < 0).any() or (xr > self.ub).any()
                or np.abs(self.a @ xr - self.rhs).max(initial=0.0) > 1e-6):
            return False
        np.minimum(self.lo, xr, out=self.lo)
        np.maximum(self.hi, xr, out=self.hi)
        return True

    def toward(self, cells: np.ndarray, up: np.ndarray) -> tuple:
        """The problem 'every cell of ``cells`` as far up (``up``) or down as it still needs to go, all
        at once': maximise ``Σ min(±x_i, target_i)`` (a variable ``z_i <= ±x_i``, ``z_i <= target_i``
        per cell) with the target ``lo + want - 1`` up, ``hi - want + 1`` down, within the bounds."""
        k, s = cells.size, np.where(up, 1.0, -1.0)
        target = np.where(up, np.minimum(self.ub[cells], self.lo[cells] + self.want[cells] - 1),
                          -np.maximum(0.0, self.hi[cells] - self.want[cells] + 1))
        a_eq = hstack([self.a, csr_matrix((self.a.shape[0], k))], format="csr")
        a_ub = csr_matrix((np.concatenate([-s, np.ones(k)]), (np.tile(np.arange(k), 2),
                                                             np.concatenate([cells, self.n + np.arange(k)]))),
                          shape=(k, self.n + k))
        return (a_eq, self.rhs, a_ub, np.concatenate([np.zeros(self.n), np.full(k, -np.inf)]),
                np.concatenate([self.ub, target]), np.concatenate([np.zeros(self.n), -np.ones(k)]))

    def extreme(self, cell: int, sign: float) -> tuple:
        """The problem 'the smallest (``sign`` 1) or largest (-1) value of ``cell``'."""
        c = np.zeros(self.n)
        c[cell] = sign
        return self.a, self.rhs, csr_matrix((0, self.n)), np.zeros(self.n), self.ub, c

    def exact(self, cell: int, sign: float) -> None:
        """:meth:`extreme` by integer programming (when the linear programme's optimum is not whole)."""
        a, rhs, _, lb, ub, c = self.extreme(cell, sign)
        res = milp(c, constraints=[LinearConstraint(a, rhs, rhs)], integrality=np.ones(self.n), bounds=Bounds(lb, ub))
        if not res.success or not self.take(res.x):
            raise RuntimeError(f"the decision's own attack found no solution ({res.message})")


def _solve_all(problems: list) -> list:
    """Independent linear programmes (``(a_eq, b_eq, a_ub, lb, ub, c)`` each, ``a_ub @ x <= 0``),
    solved as one (block-diagonal: the optimum of the sum is each one's optimum) by the dual simplex
    of HiGHS, which ends on a vertex; in chunks of at most :data:`_STACK` variables. Returns each
    one's solution."""
    out, start = [], 0
    while start < len(problems):
        stop, size = start, 0
        while stop < len(problems) and (stop == start or size + problems[stop][5].size <= _STACK):
            size += problems[stop][5].size
            stop += 1
        chunk = problems[start:stop]
        a_ub = block_diag([p[2] for p in chunk], format="csr")
        res = linprog(np.concatenate([p[5] for p in chunk]),
                      A_ub=a_ub if a_ub.shape[0] else None, b_ub=np.zeros(a_ub.shape[0]) if a_ub.shape[0] else None,
                      A_eq=block_diag([p[0] for p in chunk], format="csr"), b_eq=np.concatenate([p[1] for p in chunk]),
                      bounds=np.column_stack([np.concatenate([p[3] for p in chunk]), np.concatenate([p[4] for p in chunk])]),
                      method="highs-ds")
        if res.status != 0:
            raise RuntimeError(f"the decision's own attack found no solution ({res.message})")
        at = 0
        for p in chunk:
            out.append(res.x[at:at + p[5].size])
            at += p[5].size
        start = stop
    return out


def _blocks_weak(blocks: list, num: np.ndarray, den: np.ndarray, hidden: np.ndarray, need: np.ndarray) -> list:
    """Per block (a list of lines ``(positions, signs)``), the first withheld cell (by position) that
    the block's lines, taken together, leave fewer than ``need`` possible values, or None: the
    interval bounds the differencing attack (:class:`evaluatie.publish.audit.Attack`) finds, with
    every shown count on the right-hand side. Each block is cut into the sets of lines that share
    withheld cells (:func:`_line_sets`); the sets of all blocks are solved together:

    1. every solution found is a set of counts the published numbers allow (the true counts are
       one; each solution is checked exactly, :meth:`_LineSet.take`), so a cell whose values over
       the solutions found span ``need`` is safe. Each round sends a random half of the open cells
       up and the other half down, just as far as they still need to go (:meth:`_LineSet.toward`),
       then the other way round; rounds go on while they decide cells;
    2. every cell still open gets its own minimum and maximum, which decide it exactly (a linear
       programme whose optimum is a whole solution: then it is the integer optimum too; otherwise
       by integer programming).

    A cell is never called safe on the solver's word: only solutions checked by
    :meth:`_LineSet.take` widen its range (a solver's inexact answer could only withhold more). All
    problems of a step go to HiGHS as one (:func:`_solve_all`): a few calls instead of one or two
    per cell (on the example file: 8 calls instead of 385)."""
    sets = [[_LineSet(part, num, den, hidden, need) for part in _line_sets(block, hidden)] for block in blocks]
    every = [s for block in sets for s in block]
    rng = np.random.default_rng(0)
    while True:
        work = [(s, np.flatnonzero(s.undecided())) for s in every]
        work = [(s, cells, rng.random(cells.size) < 0.5) for s, cells in work if cells.size]
        if not work:
            break
        before = sum(cells.size for _, cells, _ in work)
        for flip in (False, True):
            todo = [(s, cells[s.undecided()[cells]], (up ^ flip)[s.undecided()[cells]]) for s, cells, up in work]
            todo = [(s, cells, up) for s, cells, up in todo if cells.size]
            for (s, _, _), x in zip(todo, _solve_all([s.toward(cells, up) for s, cells, up in todo])):
                s.take(x[:s.n])
        if sum(int(s.undecided().sum()) for s in every) == before:
            break
    asked = [(s, int(i), sign) for s in every for i in np.flatnonzero(s.undecided()) for sign in (1.0, -1.0)]
    for (s, i, sign), x in zip(asked, _solve_all([s.extreme(i, sign) for s, i, sign in asked])):
        if not s.take(x):
            s.exact(i, sign)
    weak = []
    for block in sets:
        cells = [int(s.unknown[s.undecided()].min()) for s in block if s.undecided().any()]
        weak.append(min(cells) if cells else None)
    return weak


#: Variables per call of the solver (:func:`_solve_all`): the problems of a step are solved together
#: up to this size.
_STACK = 100_000

#: Groups that add up within one unit (entity, organisation) and date: the women in top, middle and
#: lower management and the women among the non-managers (a cell no report publishes) make all women.
WOMEN_LEVELS = ("women_top", "women_middle", "women_lower")
#: Groups bound within one unit and date: unqualified young people are low-educated and under 25, so
#: never 55 or older (the definitions from 2016).
AGE_EDUCATION = ("low_educated", "unqualified_young", "experienced_55plus")


@dataclass
class _Derived:
    """Cells of the decision that no report publishes, at positions ``start``.. after the cube's own:
    ``num`` (the true count), ``den`` (the most it can be: its headcount, or the unit's when its own
    is not known), ``hidden`` (False only for a unit's headcount, a published constant), ``small``
    (protected as a withheld cell is: it holds 1 to ``threshold - 1`` persons, or, with a known
    headcount, all but that many)."""

    start: int
    threshold: int
    num: list = field(default_factory=list)
    den: list = field(default_factory=list)
    hidden: list = field(default_factory=list)
    small: list = field(default_factory=list)

    def add(self, num: float, den: float, *, hidden: bool = True, exact: bool = False) -> int:
        """Add a cell (``exact``: ``den`` is its own headcount); returns its position."""
        self.num.append(num)
        self.den.append(den)
        self.hidden.append(hidden)
        others = den - num if exact else 0
        self.small.append(hidden and (1 <= num < self.threshold or 1 <= others < self.threshold))
        return self.start + len(self.num) - 1


def _unit_lines(t: pd.DataFrame, at: int, derived: _Derived) -> list:
    """The lines within every unit (entity or organisation) and date of ``t`` (one level of the
    cube, whose rows sit at positions ``at``..), with the cells they need that no report publishes
    (added to ``derived``):

    - ``women_top + women_middle + women_lower + women among the non-managers = women_total``, where
      the unit has a management level; the non-managers' headcount is the unit's minus its managers'
      (published), and a count of 1 to ``threshold - 1`` women among them, or all but that many,
      is protected like a withheld cell (the published cells would give it);
    - ``unqualified_young + low-educated aged 25 or more = low_educated``;
    - ``unqualified_young + experienced_55plus + everyone else = the unit's headcount`` (a published
      constant: a cell that is never withheld);

    the cells of the last two bounded by the unit's headcount (their own is not published) and,
    where they hold 1 to ``threshold - 1`` persons, protected too. Returns the lines as ``(block,
    positions, signs)``, the total last; ``block`` is ``(date, "women")`` or ``(date,
    "age_education")``."""
    unit = [c for c in ("date", "policy_domain", "entity") if c in t.columns]
    pos = pd.Series(np.arange(at, at + len(t)), index=t.index)
    wanted = [(g, "") for g in ("women_total",) + WOMEN_LEVELS] + [(g, "new_2016") for g in AGE_EDUCATION]
    rows = {}
    for g, definition in wanted:
        sel = (t["group"] == g) & (t["definition"] == definition)
        first = pos[sel].groupby([t.loc[sel, c] for c in unit], sort=True, observed=True).first()
        keys = first.index if isinstance(first.index, pd.MultiIndex) else [(k,) for k in first.index]
        rows[g] = dict(zip(keys, first.to_numpy()))
    num = pd.to_numeric(t["numerator"]).to_numpy(dtype="float64")
    den = pd.to_numeric(t["denominator"]).to_numpy(dtype="float64")
    lines = []
    for k, total in rows["women_total"].items():
        parts = [rows[g][k] for g in WOMEN_LEVELS if k in rows[g]]
        if not parts:
            continue
        at_parts = np.array(parts) - at
        none = derived.add(num[total - at] - num[at_parts].sum(), den[total - at] - den[at_parts].sum(), exact=True)
        lines.append(((k[0], "women"), np.array(parts + [none, total]), np.append(np.ones(len(parts) + 1), -1.0)))
    for k, young in rows["unqualified_young"].items():
        staff = den[young - at]
        if k in rows["low_educated"]:
            low = rows["low_educated"][k]
            older = derived.add(num[low - at] - num[young - at], staff)
            lines.append(((k[0], "age_education"), np.array([young, older, low]), np.array([1.0, 1.0, -1.0])))
        if k in rows["experienced_55plus"]:
            old = rows["experienced_55plus"][k]
            rest = derived.add(staff - num[young - at] - num[old - at], staff)
            everyone = derived.add(staff, staff, hidden=False)
            lines.append(((k[0], "age_education"), np.array([young, old, rest, everyone]),
                          np.array([1.0, 1.0, 1.0, -1.0])))
    return lines


def protect_levels(by_entity: pd.DataFrame, org: pd.DataFrame, by_domain: pd.DataFrame | None,
                   threshold: int) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame | None]:
    """One disclosure decision for the personnel cube of a report (and of every report of a
    ``--by entity`` batch: each kernel computes the same cube from the same file, so each takes the
    same decision and publishes its slice of it). Takes the unsuppressed aggregates (``threshold=0``)
    per date × entity × group, for the organisation and (``by_domain``, optional) per policy domain.

    Primary rule (:func:`_small`) on every cell of the three levels. Secondary rule over the
    *lines* of the cube: per date, group and definition, the entity cells add up to the
    organisation's cell, the entity cells of a policy domain to the domain's cell, and the domain
    cells to the organisation's cell (a withheld total is a cell of its own line too); and per
    entity (and for the organisation) and date, the lines within the unit (:func:`_unit_lines`):
    the women of each management level and the women among the non-managers make all women; the
    unqualified young are low-educated, and never 55 or older. The cells those lines add (the
    women among the non-managers, the low-educated aged 25 or more, everyone neither unqualified
    young nor 55 or older) are never published, but bounded by their headcount they narrow the
    others, and where the published cells would give a count of 1 to ``threshold - 1`` of them
    (or all but that many, where their headcount is known) they are protected as a withheld cell
    is. A line whose withheld cells are not protected by it (:func:`_line_safe`: one withheld
    cell, or withheld cells too small together) gets one more: its smallest shown part with persons
    both in and out of the group (both at least ``threshold``, so it protects on both sides), else
    the smallest other shown part, else its total. Lines that share withheld cells (the groups of
    one date with lines within a unit; a group's lines with a policy-domain margin) are also checked
    together (:func:`_blocks_weak`, the interval bounds of the differencing attack); a cell they pin
    too closely gets one more cell withheld in the first line through it that still shows one, or
    else one line further. Repeated until nothing changes (a block is checked again only when its
    withheld cells changed: its answer depends on nothing else). Shares are withheld with their
    numerators; headcounts are published.

    Returns the three tables through :func:`evaluatie.publish.disclosure.mark`
    (``attrs["suppressed"]``: numerator and share of the withheld cells).
    """
    levels = [by_entity, org] + ([by_domain] if by_domain is not None else [])
    offsets = np.cumsum([0] + [len(t) for t in levels])
    num = np.concatenate([pd.to_numeric(t["numerator"]).to_numpy(dtype="float64") for t in levels])
    den = np.concatenate([pd.to_numeric(t["denominator"]).to_numpy(dtype="float64") for t in levels])
    hidden = np.concatenate([_small(t, threshold) for t in levels])
    need = np.minimum(threshold, den + 1)
    key = ["date", "group", "definition"]

    def positions(t: pd.DataFrame, level: int, by: list[str]) -> dict:
        pos = pd.Series(np.arange(offsets[level], offsets[level + 1]), index=t.index)
        return {k: v.to_numpy() for k, v in pos.groupby([t[c] for c in by], sort=True, observed=True)}

    org_at = {k: v[0] for k, v in positions(org, 1, key).items()}
    lines = [(k, parts, org_at[k]) for k, parts in positions(by_entity, 0, key).items()]
    if by_domain is not None:
        dom_at = {k: v[0] for k, v in positions(by_domain, 2, key + ["policy_domain"]).items()}
        lines += [(k[:3], parts, dom_at[k]) for k, parts in positions(by_entity, 0, key + ["policy_domain"]).items()
                  if k in dom_at]
        lines += [(k, parts, org_at[k]) for k, parts in positions(by_domain, 2, key).items()]
    lines = [(k, np.append(parts, total), np.append(np.ones(len(parts)), -1.0)) for k, parts, total in lines]
    # the lines within each unit and date, with the cells they need that no report publishes
    derived = _Derived(offsets[-1], threshold)
    for level in (0, 1):
        lines += _unit_lines(levels[level], offsets[level], derived)
    num, den = np.append(num, derived.num), np.append(den, derived.den)
    hidden = np.append(hidden, np.array(derived.hidden, dtype=bool))
    need = np.append(need, np.where(derived.small, np.minimum(threshold, np.array(derived.den) + 1), 0))
    fixed = np.arange(len(num)) >= offsets[-1]  # never withheld by the decision: not in any report
    blocks: dict = {}
    together = {**{g: "women" for g in ("women_total",) + WOMEN_LEVELS}, **{g: "age_education" for g in AGE_EDUCATION}}
    for k, pos, sign in lines:  # the groups of one date that add up within a unit: one block
        blocks.setdefault((k[0], together[k[1]]) if k[1] in together else k, []).append((pos, sign))

    others = den - num

    def hide_one_more(pos: np.ndarray) -> bool:
        """Withhold the line's best shown cell (see the docstring); False when every cell is withheld."""
        shown = pos[~hidden[pos] & ~fixed[pos]]
        if not shown.size:
            return False
        is_total = shown == pos[-1]
        both = (num[shown] > 0) & (others[shown] > 0)
        order = np.lexsort((shown, np.minimum(num[shown], others[shown]), ~both, is_total))
        hidden[shown[order[0]]] = True
        return True

    def widen(block: list, weak: int) -> bool:
        """Withhold one more cell for the ``weak`` cell: in the first line (in block order) through it
        that still shows a cell, else in the first such line one withheld cell further (a line through
        a withheld cell of a line through it), and so on; False when the block shows nothing more."""
        near, used, reached = {weak}, set(), {weak}
        while near:
            through = [i for i, (pos, _) in enumerate(block) if i not in used and near.intersection(pos.tolist())]
            if any(hide_one_more(block[i][0]) for i in through):
                return True
            used.update(through)
            near = {int(c) for i in through for c in block[i][0] if hidden[c]} - reached
            reached |= near
        return False

    flat = (np.concatenate([pos for _, pos, _ in lines]), np.concatenate([sign for _, _, sign in lines]),
            np.repeat(np.arange(len(lines)), [len(pos) for _, pos, _ in lines]), len(lines))
    shared = [block for block in blocks.values() if len(block) > 1]  # lines that share cells
    cells = [np.unique(np.concatenate([pos for pos, _ in block])) for block in shared]
    known: dict = {}  # block -> (its withheld cells, its weak cell): a block's answer depends on them alone
    changed = True
    while changed:
        changed = False
        safe, before = _lines_safe(flat, num, den, hidden, need), hidden.copy()
        for i, (_, pos, sign) in enumerate(lines):  # in order: a cell withheld for one line counts in the next
            if changed and (hidden[pos] != before[pos]).any():
                safe[i] = _line_safe(pos, sign, num, den, hidden, need)
            if not safe[i]:
                changed |= hide_one_more(pos)
        if changed:
            continue
        todo = [i for i, c in enumerate(cells) if i not in known or not np.array_equal(known[i][0], hidden[c])]
        for i, weak in zip(todo, _blocks_weak([shared[i] for i in todo], num, den, hidden, need)):
            known[i] = (hidden[cells[i]].copy(), weak)
        for i, block in enumerate(shared):  # the first block (in order) whose lines together pin a cell
            if known[i][1] is not None:
                changed = widen(block, known[i][1])
                if changed:
                    break
    hidden = hidden[:offsets[-1]]
    out = [_withhold(t, hidden[offsets[i]:offsets[i + 1]], threshold) for i, t in enumerate(levels)]
    return out[0], out[1], (out[2] if by_domain is not None else None)


def aggregate(df: pd.DataFrame | Prepared, by: Sequence[str] = ("date", "entity", "group"),
              columns: Mapping[str, str] | None = None, *, threshold: int = 5,
              definitions: str = "official", low_educated_method: str = "level_d",
              eu: str = "members", file: str | None = None,
              management_map: Mapping[str, str] | None = None,
              disability_coding: str = "2016") -> tuple[pd.DataFrame, Ledger]:
    """Shares and headcounts per date × (policy domain ×) entity × group, small cells suppressed.

    Parameters
    ----------
    df : microdata in the standard schema (or mapped with ``columns``), or a :class:`Prepared`.
    by : key columns, a subset of ``("date", "policy_domain", "entity", "group")``; ``date`` and
        ``group`` are always included. ``("date", "group")`` gives the whole organisation,
        ``("date", "policy_domain", "group")`` per policy domain, ``("date", "entity", "group")``
        per entity — then ``policy_domain`` (when present) is added as a key too, so an entity that
        moved domain gets one line per domain.
    threshold : disclosure threshold (persons): the primary rule of :func:`_small` on this one table
        (a report publishes several levels together: :func:`aggregate_levels` takes the decision for
        all of them). ``0`` takes no decision: every count stays, and the report refuses to publish the
        table (for internal use such as tests and the decision over several levels).
    definitions : ``"official"`` (per date the definitions in force), ``"both"``, ``"old"``,
        ``"new"`` — see the module docstring.
    low_educated_method : ``"level_d"`` (official practice) or ``"education"``, see :func:`low_educated`.
    eu : ``"members"`` or ``"eu15"`` for the pre-2016 migration-background rule.
    management_map, disability_coding : see :func:`prepare` (ignored when ``df`` is prepared).

    Returns
    -------
    (table, ledger). ``table`` has one row per cell with a non-zero denominator and the columns
    ``date`` (datetime), ``year`` (int), [``policy_domain``], [``entity``], ``group``,
    ``definition`` (``""``, ``old_non_eu``, ``old_2004``, ``new_2016``), ``numerator`` (persons
    in the group; missing when suppressed), ``denominator`` (persons in the population: all
    employees, or those in top/middle/lower management for ``women_top/middle/lower``),
    ``share_pct`` (100 × numerator / denominator; missing when suppressed). Sorted by the keys.
    ``table.attrs``: ``suppressed``, ``suppression_threshold`` and ``disclosure`` (see
    :func:`evaluatie.publish.disclosure.mark`; not with ``threshold=0``),
    ``skipped_groups`` ({group: Dutch reason} for groups whose columns are missing),
    ``synthetic`` (True when the input carried ``attrs["synthetic"]``, as the example file does:
    the report must then say the data are synthetic).
    ``ledger``: rows read, excluded per reason (:func:`prepare`), analysed.

    Suppression: numerator and share are hidden when the persons in the group or the persons
    not in it number 1 to ``threshold - 1``; zeros and denominators are shown.

    :func:`to_series` cuts one group's yearly series (for one entity) out of the table for
    ``evaluatie.analyses.targets.assess``. To aggregate at several levels (organisation, policy domain,
    entity) validate once: ``p = prepare(df, columns)``, then ``aggregate(p, by=...)`` per level
    (the ledger is ``p.ledger`` each time — show it once).
    """
    p = df if isinstance(df, Prepared) else prepare(df, columns, file=file, management_map=management_map,
                                                    disability_coding=disability_coding)
    by = list(by)
    bad = [b for b in by if b not in ("date", "policy_domain", "entity", "group")]
    if bad:
        raise ValueError(f"by may contain date, policy_domain, entity, group; got {bad}")
    keys = ["date"]
    if "policy_domain" in by or ("entity" in by and "policy_domain" in p.present):
        if "policy_domain" not in p.present:
            raise DataError(Problem(p.ledger.source, None, "policy_domain", None,
                                    "een kolom policy_domain (beleidsdomein) om per beleidsdomein te tellen"))
        keys.append("policy_domain")
    if "entity" in by:
        keys.append("entity")

    # cell index = date code × (index of the key combination present in the data): an entity
    # sits in one policy domain, so the dense domain × entity space is mostly empty — compacting
    # it keeps the count tables small enough for the CPU cache
    f = p.cols
    ndates = len(p.date_values)
    cats = [f[k] for k in keys[1:]]
    sizes_k = [len(c.categories) for c in cats]
    if cats:
        comb = cats[0].codes.astype(np.int32)
        for c, n_c in zip(cats[1:], sizes_k[1:]):
            comb = comb * n_c + c.codes
        full = int(np.prod(sizes_k))
        if len(cats) > 1:
            combo_ids = np.flatnonzero(np.bincount(comb, minlength=full))
            lookup = np.full(full, -1, dtype=np.int32)
            lookup[combo_ids] = np.arange(combo_ids.size, dtype=np.int32)
            comb = lookup[comb]
        else:
            combo_ids = np.arange(full)
        ncomb = combo_ids.size
        cell = p.date_codes * ncomb + comb
    else:
        combo_ids, ncomb = np.zeros(1, dtype=np.int64), 1
        cell = p.date_codes
    ncell = ndates * ncomb
    parts, skipped = _group_counts(p, cell, ncell, definitions, low_educated_method, eu)

    idx = np.concatenate([q[2] for q in parts]) if parts else np.array([], dtype=np.int64)
    table = {}
    table["date"] = pd.DatetimeIndex(p.date_values[idx // ncomb])
    table["year"] = table["date"].year.astype(np.int64)
    rem = combo_ids[idx % ncomb]
    decoded = []
    for size in reversed(sizes_k):
        decoded.append(rem % size)
        rem = rem // size
    decoded.reverse()
    for k, c, codes in zip(keys[1:], cats, decoded):
        table[k] = pd.Categorical.from_codes(codes, categories=c.categories)
    table["group"] = np.concatenate([np.repeat(q[0], q[2].size) for q in parts]).astype(object) if parts else []
    table["definition"] = np.concatenate([np.repeat(q[1], q[2].size) for q in parts]).astype(object) if parts else []
    table["numerator"] = np.concatenate([q[3] for q in parts]) if parts else []
    table["denominator"] = np.concatenate([q[4] for q in parts]) if parts else []
    out = pd.DataFrame(table)
    out["group"] = out["group"].astype("str")
    out["definition"] = out["definition"].astype("str")
    for k in keys[1:]:
        out[k] = out[k].astype("str")
    out["share_pct"] = 100.0 * out["numerator"] / out["denominator"]
    out = out.sort_values(keys + ["group", "definition"], kind="stable").reset_index(drop=True)
    if threshold and threshold > 0:
        out = _withhold(out, _small(out, threshold), threshold)
    out.attrs["skipped_groups"] = skipped
    out.attrs["synthetic"] = p.synthetic
    return out, p.ledger


def read_file(path, columns: Mapping[str, str] | None = None, *,
              low_educated_method: str = "level_d") -> tuple[pd.DataFrame, str]:
    """Read a personnel file; return the frame and its display name. Parquet is read with only the
    needed columns (the fast path, see the benchmark); other formats go through
    ``evaluatie.intake.read.read_table`` (CSV, XLSX, SAV, DTA), which keeps the user's row numbers for error
    messages and reports a missing file as a Dutch ``DataError``. ``path`` is relative to the
    project root."""
    path = resolve(path) if not Path(path).is_absolute() else Path(path)
    name = display_path(path)
    if path.suffix.lower() in (".parquet", ".pq") and path.is_file():
        try:
            avail = pq.ParquetFile(path).schema_arrow.names
            df = pd.read_parquet(path, columns=needed_columns(columns, avail, low_educated_method=low_educated_method))
        except (pa.ArrowException, OSError) as exc:
            raise DataError(Problem(name, None, None, None,
                                    f"een leesbaar Parquet-bestand; het is beschadigd of onvolledig ({exc})")) from None
        df.index = pd.RangeIndex(1, len(df) + 1)  # row numbers as evaluatie.intake.read numbers Parquet rows
    else:
        df = read_table(path)
    return df, name


def prepare_file(path, columns: Mapping[str, str] | None = None, **kwargs) -> Prepared:
    """Read and :func:`prepare` a personnel file once, so several :func:`aggregate` calls (per
    entity, per policy domain, whole organisation) share the reading and the checks."""
    df, name = read_file(path, columns, low_educated_method=kwargs.pop("low_educated_method", "level_d"))
    return prepare(df, columns, file=name, **kwargs)


def aggregate_file(path, by: Sequence[str] = ("date", "entity", "group"),
                   columns: Mapping[str, str] | None = None, **kwargs) -> tuple[pd.DataFrame, Ledger]:
    """:func:`aggregate` on a file (see :func:`read_file`). ``kwargs`` go to :func:`aggregate`."""
    df, name = read_file(path, columns, low_educated_method=kwargs.get("low_educated_method", "level_d"))
    return aggregate(df, by, columns, file=name, **kwargs)


def to_series(table: pd.DataFrame, group: str, *, entity: str | None = None,
              policy_domain: str | None = None) -> pd.DataFrame:
    """One group's yearly series from an :func:`aggregate` table, in the shape
    ``evaluatie.analyses.targets.assess`` takes: columns ``year``, ``share_pct``, ``numerator``,
    ``denominator``, ``definition``, sorted by year (one row per date; give ``entity`` or
    ``policy_domain`` when the table has those keys). Definitions are kept per year — a series
    from ``definitions="official"`` changes definition at 2016 for origin, disability, age and
    education, which is the break; a table made with ``definitions="both"`` has two rows per year
    for those groups, so pick one with ``table[table.definition == ...]`` first.
    Suppressed numerators stay missing (``<NA>``); the share is then missing too.
    """
    sel = table["group"] == group
    for col, val in (("entity", entity), ("policy_domain", policy_domain)):
        if val is not None:
            if col not in table:
                raise ValueError(f"the table has no {col} column (aggregate with by=(..., {col!r}, ...))")
            sel &= table[col] == val
    out = table.loc[sel, ["year", "share_pct", "numerator", "denominator", "definition"]]
    if out["year"].duplicated().any():
        raise ValueError(f"more than one row per year for {group!r}: filter by entity/policy_domain/definition")
    return out.sort_values("year").reset_index(drop=True)


def aggregate_levels(prep: Prepared, threshold: int = 5, *, domains: bool = True
                     ) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame | None, Ledger]:
    """:func:`aggregate` of one prepared file at the levels of the report: per entity, for the whole
    organisation and (when the file has ``policy_domain``) the women's share per policy domain on
    the last reference date (:data:`DOMAIN_GROUPS`: the one domain figure a report publishes), with
    one small-cell decision over all of them (:func:`protect_levels`; ``threshold=0`` leaves every
    cell shown, for tests). Low-educated is counted as the Flemish government does, by level D, when
    the file has a ``level`` column, and otherwise from ``education_level``
    (``low_educated_method="education"``). The domain cells take part in the decision whether or
    not this report shows them (``domains=False``: a report about one entity), so every report of a
    batch withholds the same cells. Returns ``(by_entity, org, by_domain or None, ledger of the
    entity level)``."""
    method = "level_d" if "level" in prep.present else "education"
    by_entity, ledger = aggregate(prep, by=("date", "entity", "group"), threshold=0, low_educated_method=method)
    org, _ = aggregate(prep, by=("date", "group"), threshold=0, low_educated_method=method)
    by_domain = None
    if "policy_domain" in by_entity.columns:
        dom, _ = aggregate(prep, by=("date", "policy_domain", "group"), threshold=0, low_educated_method=method)
        by_domain = dom[(dom["date"] == dom["date"].max()) & dom["group"].isin(DOMAIN_GROUPS)].reset_index(drop=True)
    if threshold and threshold > 0:
        by_entity, org, by_domain = protect_levels(by_entity, org, by_domain, threshold)
    return by_entity, org, by_domain if domains else None, ledger
