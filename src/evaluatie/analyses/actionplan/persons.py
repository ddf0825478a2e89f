"""Which commitments count persons or employers, and the one disclosure decision of the
commitments table (:func:`decide_commitments`).

An action plan's tables hold euros, working days and actions, but a commitment's realised value
can count persons: "aanwerving van personen met een arbeidshandicap", unit "personen", realised
2, says that two recent hires of one organisation have a disability, and colleagues know who was
hired. So the frequency rule of :mod:`evaluatie.publish.disclosure` applies to the realised value
of every commitment that counts persons or employers:

* **which commitments** — those whose ``unit`` names persons or employers (:func:`counts_persons`):
  a word of :data:`PERSON_WORDS` or of the study's own ``person_units``, matched case-insensitively
  as a whole word ("werknemers (deelnemers)") or, for words of at least
  :data:`COMPOUND_MIN` letters, as the end of a compound word ("zorgwerknemers",
  "contactpersonen"). A unit that only says it is a number (:data:`GENERIC_UNITS`: "aantal",
  "stuks", empty, ...) does not say what it counts: then the indicator's words decide. A unit
  such as "%", "euro" or "sessies" does not count persons, whatever the indicator says.
* **which values** — a realised value above 0 and below the threshold is withheld, together with
  everything derived from it: the progress (realised / target) and the status ("stand": with
  zeros shown, "niet bereikt" next to a small target would pin the value). Zeros are shown (rule
  decision 3 of ``docs/disclosure_plan.md``), and so are the target, the unit and the period: the
  target is a plan, not a count of anyone.

The decision is taken once (:func:`decide_commitments`, called by
:func:`evaluatie.analyses.actionplan.study.load`); the table, its CSV export, ``tables.xlsx`` and
every sentence read the decided frame. A plan none of whose commitments count persons keeps the
declaration of the analysis's other tables (:data:`evaluatie.analyses.actionplan.show.NO_PERSONS`).
"""

from __future__ import annotations

import re
from typing import Iterable

import numpy as np
import pandas as pd

from evaluatie.analyses.actionplan.show import NO_PERSONS
from evaluatie.publish.disclosure import DEFAULT_THRESHOLD, mark, no_counts, suppressed_mask

__all__ = ["PERSON_WORDS", "GENERIC_UNITS", "COMPOUND_MIN", "WITHHELD_COLUMNS", "person_words", "counts_persons",
           "person_commitments", "decide_commitments", "withheld_commitments"]

#: Dutch words (lower case, singular and plural) that name persons or employers in a commitment's
#: unit. A study adds its own with the parameter ``person_units``.
PERSON_WORDS = frozenset("""
    persoon personen mens mensen man mannen vrouw vrouwen kind kinderen jongere jongeren oudere ouderen ouders
    werknemer werknemers medewerker medewerkers personeelslid personeelsleden collega collega's
    deelnemer deelnemers deelname deelnames cursist cursisten leerling leerlingen student studenten
    stagiair stagiairs stagiaire stagiaires werkzoekende werkzoekenden kandidaat kandidaten sollicitant sollicitanten
    aanwerving aanwervingen arbeider arbeiders bediende bedienden loontrekkende loontrekkenden
    uitzendkracht uitzendkrachten leidinggevende leidinggevenden ambtenaar ambtenaren
    nieuwkomer nieuwkomers vluchteling vluchtelingen inwoner inwoners klant klanten gezin gezinnen
    vte vtes fte ftes
    werkgever werkgevers bedrijf bedrijven onderneming ondernemingen ondernemer ondernemers
    zelfstandige zelfstandigen organisatie organisaties vestiging vestigingen vacature vacatures
""".split())

#: Units that only say that the value is a number; the indicator then says what is counted.
GENERIC_UNITS = frozenset({"", "aantal", "aantallen", "stuks", "stuk", "keer", "#", "n", "nr", "nummer", "getal"})

#: A word of at least this many letters also matches as the end of a compound word
#: ("zorgwerknemers"); shorter words ("man", "vrouw", "kind") only as a whole word.
COMPOUND_MIN = 7

#: The columns of the commitments table withheld with a small realised value.
WITHHELD_COLUMNS = ("realised_value", "progress_pct", "status")

_WORD = re.compile(r"[^\W\d_]+(?:'s)?")  # letters, with a possessive-style plural (collega's)
_ONE_WORD = re.compile(r"^[^\W\d_]+(?:'s)?$")


def _words(text: object) -> list[str]:
    if text is None or (not isinstance(text, str) and pd.isna(text)):
        return []
    return _WORD.findall(str(text).casefold())


def person_words(extra: Iterable[str] | None = None) -> frozenset[str]:
    """:data:`PERSON_WORDS` with the study's own words (the parameter ``person_units``): each one
    word of letters, matched case-insensitively. Anything else is a ValueError naming the
    parameter."""
    if extra is None:
        return PERSON_WORDS
    if isinstance(extra, str) or not isinstance(extra, Iterable):
        raise ValueError("parameter 'person_units': een lijst van woorden, bv. [ervaringsdeskundigen]")
    own = set()
    for i, w in enumerate(extra, start=1):
        if not isinstance(w, str) or not _ONE_WORD.match(w.strip()):
            raise ValueError(f"parameter 'person_units', woord {i}: één woord van letters, zonder spaties of cijfers")
        own.add(w.strip().casefold())
    return PERSON_WORDS | own


def _names_persons(text: object, words: frozenset[str]) -> bool:
    for token in _words(text):
        if token in words:
            return True
        if any(len(w) >= COMPOUND_MIN and token.endswith(w) for w in words):
            return True
    return False


def _counts(unit: object, indicator: object, words: frozenset[str]) -> bool:
    if _names_persons(unit, words):
        return True
    generic = str(unit).strip().casefold().rstrip(".:") in GENERIC_UNITS if isinstance(unit, str) else True
    return generic and _names_persons(indicator, words)


def counts_persons(unit: object, indicator: object = None, *, extra: Iterable[str] | None = None) -> bool:
    """Whether a commitment with this ``unit`` counts persons or employers (see the module notes);
    a generic unit (:data:`GENERIC_UNITS`, or none) is read together with the ``indicator``."""
    return _counts(unit, indicator, person_words(extra))


def person_commitments(prog: pd.DataFrame, extra: Iterable[str] | None = None) -> pd.Series:
    """Per commitment (row of :func:`~evaluatie.analyses.actionplan.execution.commitment_progress`),
    whether it counts persons or employers."""
    words = person_words(extra)
    return pd.Series([_counts(u, i, words) for u, i in zip(prog["unit"], prog["indicator"])],
                     index=prog.index, dtype=bool)


def decide_commitments(prog: pd.DataFrame, threshold: int = DEFAULT_THRESHOLD,
                       extra: Iterable[str] | None = None) -> pd.DataFrame:
    """The commitments table as it is published: when a commitment counts persons or employers,
    :func:`evaluatie.publish.disclosure.mark` withholds each such realised value above 0 and below
    ``threshold`` with its progress and status (even when none is small, the table is then
    decided by the rule, and the report says the rule applies); otherwise the table is declared
    free of counts of persons (:func:`evaluatie.publish.disclosure.no_counts`)."""
    if threshold < 1:
        raise ValueError("threshold must be at least 1")
    persons = person_commitments(prog, extra)
    if not persons.any():
        return no_counts(prog, NO_PERSONS)
    v = pd.to_numeric(prog["realised_value"], errors="coerce")
    small = (persons & (v > 0) & (v < threshold)).to_numpy()
    hidden = pd.DataFrame(np.zeros(prog.shape, dtype=bool), index=prog.index, columns=prog.columns)
    for c in WITHHELD_COLUMNS:
        hidden[c] = small
    return mark(prog, hidden, threshold)


def withheld_commitments(prog: pd.DataFrame) -> int:
    """How many commitments of a decided table have their realised value withheld."""
    hidden = suppressed_mask(prog)
    if hidden is None or "realised_value" not in hidden:
        return 0
    return int(hidden["realised_value"].to_numpy().sum())
