"""A first params file for a user's own data: what ``evaluatie new`` proposes, per analysis.

:func:`propose` reads nothing itself: it gets the tables (read by
:func:`evaluatie.intake.read.read_table`) and returns a :class:`Proposal`, the keys of the params
file in order, each with its Dutch meaning, the evidence for every guess and a ``TODO`` for
every thing it could not decide. :mod:`evaluatie.run.new` writes it as commented YAML.

The columns are matched to each analysis's standard names from their names (Dutch and English
synonyms, :func:`evaluatie.intake.guess.name_score`) and their content
(:func:`evaluatie.intake.guess.profile`: keys, yes/no, dates, answer labels, a few-level
category, amounts). Value mappings are proposed only for labels the analysis does not already
read; the label lists they need are written into the user's own params file, never into a
message.

Per analysis (the parameter contracts of issue 14):

* ``correspondentietest``: ``data`` (and ``data_followup``), ``columns``, ``ground`` when the
  file has no ground column, ``reference_groups`` (from labels such as "Belgische naam", "man",
  "zonder", "controle"), ``values.outcome`` when the outcome is not plain yes/no.
* ``survey_evaluatie``: ``data``, ``items`` (built-in scales of
  :data:`evaluatie.analyses.survey.responses.SCALES` recognised by its own
  :func:`~evaluatie.analyses.survey.responses.normalise`; other answer sets become ``scales``),
  ``values``, ``yes_no``, ``breakdowns`` and ``open_question`` (suggestions), ``title``; and a
  two-stage design (organisations, then employees within them: ``cluster``, ``fpc``, ``strata``,
  ``texts``) when the file has an organisation column, a respondent code and the population sizes
  of both stages (:func:`evaluatie.intake.guess.stage_sizes`).
* ``streefcijfers``: ``microdata``, ``microdata_columns`` and ``values`` for the standard columns
  of :mod:`evaluatie.analyses.targets.personnel` (its :data:`~evaluatie.analyses.targets.personnel.SCHEMA`
  says which labels it reads already), ``title``, ``organisation`` (a file without an entity
  column is about that organisation as a whole).
* ``actieplan_opvolging``: one table per file or sheet, recognised from the column names of the
  action-plan schemas: its path key, ``sheets``, ``columns``, ``values`` (status words to the
  codes of :data:`~evaluatie.analyses.actionplan.inputs.STATUS_CLASSES`), ``title``; the
  notebook derives the parts of the report from the tables given.
"""

from __future__ import annotations

import difflib
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping, Sequence

import pandas as pd
from babel import Locale

from evaluatie.analyses.actionplan.inputs import PART_INPUTS, STATUS_CLASSES, schemas, status_class
from evaluatie.analyses.survey.responses import SCALES, normalise, normalise_label
from evaluatie.analyses.targets.personnel import NATIONALITY_COLUMNS
from evaluatie.analyses.targets.personnel import SCHEMA as PERSONNEL_SCHEMA
from evaluatie.core.errors import DataError
from evaluatie.intake.guess import (MAX_LEVELS, ColumnProfile, assign, constant_within, name_score, norm_name,
                                   profiles, stage_sizes)
from evaluatie.intake.schema import BOOL_TOKENS, Column

__all__ = ["Entry", "Proposal", "Table", "propose", "PROPOSERS", "MAX_FILES", "reference_group"]


@dataclass
class Table:
    """One input table: its frame, the path as the params file names it, the sheet (XLSX)."""

    df: pd.DataFrame
    path: str
    sheet: str | None = None

    def __post_init__(self):
        if not all(isinstance(c, str) for c in self.df.columns):  # a params file names columns as text
            self.df = self.df.rename(columns=str)

    @property
    def shown(self) -> str:
        return self.path + (f" (werkblad {self.sheet})" if self.sheet else "")


@dataclass
class Entry:
    """One top-level key of the params file. ``help`` says what it means (empty: the notebook's
    own help text is used); ``commented`` writes the key as a comment (a suggestion, or a place
    to fill in); ``notes`` are comments on sub-keys."""

    key: str
    value: Any
    help: str
    todo: list[str] = field(default_factory=list)
    notes: dict[str, str] = field(default_factory=dict)
    commented: bool = False


@dataclass
class Proposal:
    """What ``evaluatie new`` proposes: the entries, and each guess as (file, column, standard
    name or role, evidence) for the summary it prints."""

    analysis: str
    entries: list[Entry] = field(default_factory=list)
    guesses: list[tuple[str, str, str, str]] = field(default_factory=list)

    @property
    def todos(self) -> list[str]:
        return [t for e in self.entries for t in e.todo]

    def params(self) -> dict[str, Any]:
        """The parameters the written file holds (commented entries left out)."""
        return {e.key: e.value for e in self.entries if not e.commented}


def _quote_list(labels: Sequence[Any], limit: int = 12) -> str:
    shown = [f"'{l}'" for l in labels[:limit]]
    more = f" en nog {len(labels) - limit}" if len(labels) > limit else ""
    return ", ".join(shown) + more


def _todo_title(p: Proposal) -> None:
    p.entries.append(Entry("title", "", "titel van het rapport", commented=True,
                           todo=["geef de titel van het rapport (en haal het #-teken weg)"]))


# --------------------------------------------------------------------------- columns


def _match(tables_profiles: Mapping[str, ColumnProfile], names: Mapping[str, Sequence[str]],
           content: Callable[[str, ColumnProfile], tuple[float, str] | None], needs_name: Sequence[str] = ()):
    """Standard name -> column, by name (synonyms) plus content; a tie becomes a TODO. A standard
    name in ``needs_name`` (an optional column whose content alone says too little, such as a
    second outcome among many yes/no columns) is only matched by a name."""
    scores: dict[str, dict[str, tuple[float, str]]] = {}
    for std, synonyms in names.items():
        for col, prof in tables_profiles.items():
            by_name = name_score(col, [std, *synonyms])
            by_content = content(std, prof)
            if by_name is None and (by_content is None or std in needs_name):
                continue
            score = (by_name[0] if by_name else 0.0) + (by_content[0] if by_content else 0.0)
            evidence = "; ".join(e for e in (by_name and by_name[1], by_content and by_content[1]) if e)
            scores.setdefault(std, {})[col] = (score, evidence)
    return assign(scores)


def _columns_entry(p: Proposal, key: str, help: str, table: Table, found, *, skip_same: bool = False) -> Entry:
    """The column mapping found (with ``skip_same``, without columns that have their standard name
    already), its evidence as notes and in ``p.guesses``, a TODO per tie."""
    value, notes = {}, {}
    for std, (col, ev) in found.chosen.items():
        p.guesses.append((table.shown, col, std, ev))
        if skip_same and col == std:
            continue
        value[std] = col
        notes[std] = ev
    todo = [f"kolom voor '{std}': {_quote_list(cols)} komen even goed in aanmerking; kies er één"
            for std, cols in found.ties.items()]
    return Entry(key, value, help, todo=todo, notes=notes)


# --------------------------------------------------------------------------- correspondence test

CORRESPONDENCE_NAMES: dict[str, list[str]] = {
    "vacancy": ["vacature", "vacatureid", "vacaturenummer", "vacature nr", "job", "jobid", "advertentie",
                "job ad", "werkgever", "employer"],
    "ground": ["grond", "discriminatiegrond", "dimensie", "dimension", "criterium"],
    "group": ["groep", "profiel", "profile", "conditie", "condition", "behandeling", "treatment",
              "kandidaat", "candidate"],
    "outcome": ["reactie", "positieve reactie", "uitkomst", "callback", "call back", "respons", "response",
                "antwoord", "resultaat", "result", "uitgenodigd"],
    "application": ["sollicitatie", "sollicitatieid", "application id", "cv", "cv id"],
    "wave": ["meting", "ronde", "round", "golf", "editie"],
    "outcome2": ["uitnodiging", "uitnodiging gesprek", "sollicitatiegesprek", "interview", "gesprek"],
    "occupation": ["beroep", "functie", "job title"],
    "province": ["provincie", "regio"],
    "company_size": ["bedrijfsgrootte", "grootte", "omvang", "size"],
    "date": ["datum", "verzonden", "verzenddatum"],
}
#: standard columns that only describe an application (for the analysis per subgroup)
_DESCRIPTIVE = ("occupation", "province", "company_size")
#: labels of a reference group (compared after :func:`norm_name`; a label starting with one)
REFERENCE_HINTS = ("belg", "autochto", "vlaams", "zonder", "referentie", "controle", "control", "native",
                   "majority", "meerderheid", "white", "wit", "jong")
REFERENCE_EXACT = ("man", "mannen", "male", "men", "geen", "none", "nee")
_POSITIVE = ("positief", "positive", "uitgenodigd", "uitnodiging", "wel", "ja", "yes", "callback", "interview",
             "gesprek", "contact", "reactie", "antwoord", "response")
_NEGATIVE = ("negatief", "negative", "geen", "niet", "afwijzing", "afgewezen", "nee", "neen", "no", "none",
             "rejected", "rejection")


def reference_group(labels: Sequence[str]) -> str | None:
    """The one label that looks like a reference group ("Belgische naam", "man", "zonder
    handicap", "controle"), or None when none or several do."""
    hits = [l for l in labels if norm_name(l) in REFERENCE_EXACT
            or any(norm_name(l).startswith(h) for h in REFERENCE_HINTS)]
    return hits[0] if len(hits) == 1 else None


def _outcome_value(label: str) -> int | None:
    """1 for a label that reads as a positive reaction, 0 for a negative one, else None."""
    words = re.findall(r"[a-z]+", normalise_label(label))
    if any(w in _NEGATIVE for w in words):
        return 0
    if any(w in _POSITIVE for w in words):
        return 1
    return None


def _nested(df: pd.DataFrame, outer: str, inner: str) -> bool:
    """Every label of ``inner`` occurs with one label of ``outer`` only."""
    pairs = df[[outer, inner]].dropna().drop_duplicates()
    return len(pairs) > 0 and not pairs[inner].duplicated().any()


def _correspondence(tables: Sequence[Table]) -> Proposal:
    p = Proposal("correspondentietest")
    first = tables[0]
    df, prof = first.df, profiles(first.df)
    cats = [c for c, pr in prof.items() if pr.kind == "category"]
    nest = {(a, b) for a in cats for b in cats  # (ground, group): each group of at most 8 within one ground
            if a != b and prof[a].distinct < prof[b].distinct <= 8 and _nested(df, a, b)}

    def content(std: str, pr: ColumnProfile):
        if std == "vacancy" and pr.kind == "key" and not pr.unique:
            return 0.5, pr.evidence
        if std == "application" and pr.kind == "key" and pr.unique:
            return 0.2, pr.evidence
        if std in ("outcome", "outcome2") and pr.kind == "bool":
            return 0.5, pr.evidence
        if std == "outcome" and pr.kind == "category" and pr.distinct == 2:
            return 0.2, "twee labels"
        if std == "ground" and any(a == pr.name for a, _ in nest):
            return 0.4, "elke groep hoort bij één waarde van deze kolom"
        if std == "group" and pr.kind == "category" and 2 <= pr.distinct <= 8:
            nested = any(b == pr.name for _, b in nest)
            looks = reference_group(pr.labels) is not None
            return (0.3 + 0.1 * nested + 0.1 * looks,
                    f"{pr.distinct} groepen" + (", elk bij één grond" if nested else "")
                    + ("; één ervan lijkt op een referentiegroep" if looks else ""))
        return None

    found = _match(prof, CORRESPONDENCE_NAMES, content,
                   needs_name=("application", "wave", "outcome2", "date", *_DESCRIPTIVE))
    if "outcome2" in found.chosen and "outcome" not in found.chosen:  # one outcome: it is the outcome
        found.chosen["outcome"] = found.chosen.pop("outcome2")
    p.entries.append(Entry("data", first.path, "sollicitaties van de (eerste) meting, één rij per sollicitatie"))
    if len(tables) > 1:
        p.entries.append(Entry("data_followup", tables[1].path, "sollicitaties van de vervolgmeting"))
        p.entries.append(Entry("waves", ["nulmeting", "vervolgmeting"], "namen van de metingen, in de volgorde "
                               "van de bestanden", todo=["geef de metingen hun eigen naam (bv. met het jaar)"]))
    cols = _columns_entry(p, "columns", "kolommen: standaardnaam -> kolom in uw bestand", first, found)
    for std in ("vacancy", "group", "outcome"):
        if std not in found.chosen and std not in found.ties:
            cols.todo.append(f"geen kolom gevonden voor '{std}'; vul de naam van uw kolom in")
    p.entries.append(cols)
    chosen = {std: col for std, (col, _) in found.chosen.items()}
    groups_by_ground: dict[str, list[str]] = {}
    group_col = chosen.get("group")
    if group_col is not None:
        if "ground" in chosen:
            for g, sub in df.groupby(chosen["ground"], sort=False):
                groups_by_ground[str(g)] = [str(v) for v in pd.unique(sub[group_col].dropna())]
        else:
            labels = [str(v) for v in pd.unique(df[group_col].dropna())]
            guess = _ground_name(labels)
            p.entries.append(Entry("ground", guess, "naam van de discriminatiegrond (het bestand heeft geen kolom "
                                   "ervoor)", commented=guess is None,
                                   todo=[] if guess else [("geef de naam van de grond die u test (bv. herkomst, "
                                                           "geslacht, leeftijd) en haal het #-teken weg")]))
            groups_by_ground[guess or "GROND"] = labels
    p.entries.append(_reference_entry(groups_by_ground))
    if "outcome" in chosen:
        values = _outcome_values(df[chosen["outcome"]])
        if values is not None:
            p.entries.append(values)
    extra = [std for std in _DESCRIPTIVE if std in chosen]
    extra += [c for c in cats if c not in chosen.values() and 2 <= prof[c].distinct <= 8]
    if extra:
        p.entries.append(Entry("heterogeneity", extra, "kenmerken voor de analyse per subgroep (voorstel: "
                               "haal het #-teken weg om ze te gebruiken)", commented=True))
    return p


def _ground_name(labels: Sequence[str]) -> str | None:
    keys = {norm_name(l) for l in labels}
    if keys <= {"man", "vrouw", "mannen", "vrouwen", "male", "female", "men", "women"}:
        return "geslacht"
    if any("naam" in k or "herkomst" in k or "belg" in k for k in keys):
        return "herkomst"
    if keys & {"white", "black", "wit", "zwart"}:
        return "etniciteit"
    return None


def _reference_entry(groups_by_ground: Mapping[str, list[str]]) -> Entry:
    value, todo = {}, []
    for ground, labels in groups_by_ground.items():
        ref = reference_group(labels)
        if ref is not None and ground != "GROND":
            value[ground] = ref
        else:
            todo.append(f"kies de referentiegroep voor '{ground}' uit {_quote_list(labels)} "
                        f"en voeg ze toe als   {ground}: GROEP")
    help = "per discriminatiegrond de referentiegroep (de groep waarmee de andere vergeleken worden)"
    return Entry("reference_groups", value or None, help, todo=todo, commented=not value)


def _outcome_values(col: pd.Series) -> Entry | None:
    labels = [str(v).strip() for v in pd.unique(col.dropna())]
    if all(l.casefold() in BOOL_TOKENS for l in labels) or pd.api.types.is_numeric_dtype(col.dtype):
        return None
    mapping = {l: _outcome_value(l) for l in labels}
    open_ = [l for l, v in mapping.items() if v is None]
    todo = ["controleer welke uitkomsten een positieve reactie (1) zijn"]
    if open_:
        todo.append(f"geef 1 of 0 voor {_quote_list(open_)}")
    return Entry("values", {"outcome": {l: v for l, v in mapping.items() if v is not None}},
                 "waarden: label in uw bestand -> 1 (positieve reactie) of 0", todo=todo)


# --------------------------------------------------------------------------- survey

_DK_WORDS = ("weet niet", "weet ik niet", "nvt", "n v t", "niet van toepassing", "geen mening", "geen idee",
             "dont know", "don t know", "geen antwoord")
#: words of an answer that say how far up a scale it lies (after :func:`normalise_label`)
_POLARITY = {"nooit": -2, "zelden": -1, "soms": 0, "regelmatig": 1, "vaak": 1, "meestal": 1, "altijd": 2,
             "slecht": -1, "matig": 0, "voldoende": 0.5, "goed": 1, "uitstekend": 2, "weinig": -1, "veel": 1,
             "laag": -1, "hoog": 1, "oneens": -1, "eens": 1, "moeilijk": -1, "makkelijk": 1, "gemakkelijk": 1,
             "ontevreden": -1, "tevreden": 1, "onvoldoende": -1, "negatief": -1, "positief": 1}
_STRONG = {"zeer", "heel", "helemaal", "erg", "volledig", "totaal", "absoluut"}
_HEDGE = {"eerder", "wat", "vrij", "redelijk", "enigszins", "eerste", "beetje"}
_NEGATION = {"niet", "geen", "nauwelijks"}


def _is_dont_know(label: str) -> bool:
    key = normalise_label(label)
    return key in ("wn", "na") or any(key.startswith(w) for w in _DK_WORDS)


def _fits(labels: Sequence[str], scale: str) -> bool:
    try:
        normalise(pd.Series(list(labels), dtype=object), scale)
    except DataError:
        return False
    return True


def _point(label: str, scale: str) -> str | None:
    """The point of a built-in scale that ``label`` means (None: not on it, or don't know)."""
    try:
        answer, _ = normalise(pd.Series([label], dtype=object), scale)
    except DataError:
        return None
    return None if pd.isna(answer.iloc[0]) else str(answer.iloc[0])


def _builtin_scale(labels: Sequence[str]) -> tuple[list[str], dict[str, str], list[str]]:
    """(built-in scales all labels fit, values proposed for a scale most labels fit, labels left).
    A label the scale does not know is proposed as the point it names without a hedge ("eerder
    eens" -> "eens" -> akkoord) or, failing that, the point it is spelt most like."""
    whole = [s for s in SCALES if _fits(labels, s)]
    if whole:
        return whole, {}, []
    for scale, points in SCALES.items():
        ok = [l for l in labels if _fits([l], scale)]
        rest = [l for l in labels if l not in ok]
        if len(ok) >= len(rest) and len(ok) >= 2:
            guessed = {}
            for l in rest:
                bare = " ".join(w for w in normalise_label(l).split() if w not in _HEDGE)
                guessed[l] = (_point(bare, scale) if bare else None) or (
                    difflib.get_close_matches(normalise_label(l), points, n=1, cutoff=0.6) or [None])[0]
            return [scale], {l: v for l, v in guessed.items() if v}, [l for l, v in guessed.items() if not v]
    return [], {}, []


def _rank(label: str) -> float:
    """How far up a scale an answer lies, from its words: 'slecht' -1, 'eerder slecht' -0,5,
    'zeer goed' 2, 'niet tevreden' -1 (a proposal, to check)."""
    words = normalise_label(label).split()
    score = float(sum(_POLARITY.get(w, 0) for w in words))
    if any(w in _NEGATION for w in words):
        score = -abs(score) if score else -1.0
    if any(w in _STRONG for w in words):
        score *= 2
    if any(w in _HEDGE for w in words):
        score *= 0.5
    return score


def _order(labels: Sequence[str]) -> list[str]:
    """Labels from low to high by :func:`_rank` (ties keep their order)."""
    return sorted(labels, key=_rank)


#: names of the columns of a two-stage design (organisations, then employees), Dutch and English
_STAGE_NAMES = {
    "unit": ("organisatie", "organisation", "organization", "bedrijf", "onderneming", "werkgever", "employer",
             "company", "vestiging", "organisatienummer", "ondernemingsnummer", "kbo", "org"),
    "respondent": ("werknemer", "medewerker", "personeelslid", "respondent", "employee", "personeelsnummer",
                   "id"),
    "first": ("aantal organisaties", "organisaties", "n organisaties", "aantal bedrijven", "bedrijven",
              "aantal ondernemingen", "populatie", "organisations", "companies", "n org"),
    "second": ("aantal werknemers", "werknemers", "aantal medewerkers", "medewerkers", "personeelsleden",
               "personeel", "grootte", "n werknemers", "employees", "size"),
    "strata": ("sector", "stratum", "strata", "laag", "paritair comite", "regio"),
}


def _best(columns: Sequence[str], role: str, minimum: float = 0.0) -> str | None:
    """The column of ``columns`` whose name fits ``role`` of :data:`_STAGE_NAMES` best (the first
    on a tie, and when no name fits at all with ``minimum`` 0); None when none reaches ``minimum``."""
    scored = [((name_score(c, _STAGE_NAMES[role]) or (0.0, ""))[0], -i, c) for i, c in enumerate(columns)]
    scored = [t for t in scored if t[0] >= minimum]
    return max(scored)[2] if scored else None


def _two_stage(df: pd.DataFrame, prof: Mapping[str, ColumnProfile]) -> dict | None:
    """A two-stage design found in a respondent file: ``{unit, respondent, first, second, strata,
    todo}`` (the organisation column, the respondent code — None when the file has none —, the
    population sizes of both stages, the strata of the first stage or None), or None when the file
    has no organisation column with population sizes for both stages."""
    n = len(df)
    units = [c for c, pr in prof.items() if pr.kind in ("category", "key") and 1 < pr.distinct < pr.n == n
             and (name_score(c, _STAGE_NAMES["unit"]) or (0.0, ""))[0] >= 0.6]
    for unit in sorted(units, key=lambda c: -(name_score(c, _STAGE_NAMES["unit"]) or (0.0, ""))[0]):
        first, second = stage_sizes(df, unit)
        first_col = _best(first, "first")
        second_col = _best([c for c in second if c != first_col], "second")
        if first_col is None or second_col is None:
            continue
        ids = [c for c, pr in prof.items() if pr.n == n and pr.distinct == n and c != unit]
        respondent = _best(ids, "respondent")
        todo, strata = [], None
        if prof[first_col].distinct > 1:
            options = [c for c, pr in prof.items() if pr.kind == "category" and not pr.numeric
                       and 2 <= pr.distinct <= MAX_LEVELS and pr.n == n and c != unit
                       and constant_within(df, unit, c) and constant_within(df, c, first_col)]
            strata = _best(options, "strata")
            if strata is None:
                todo.append(f"'{first_col}' verschilt tussen {_STAGE_NAMES['first'][1]}: geef in 'strata' de kolom "
                            "van de groepen (sectoren) waarbinnen getrokken werd")
        if respondent is None:
            todo.append("geen kolom met een eigen code per respondent gevonden: voeg er een toe en zet ze als "
                        "tweede kolom in 'cluster'")
        return dict(unit=unit, respondent=respondent, first=first_col, second=second_col, strata=strata, todo=todo)
    return None


def _survey(tables: Sequence[Table]) -> Proposal:
    p = Proposal("survey_evaluatie")
    t = tables[0]
    prof = profiles(t.df)
    p.entries.append(Entry("data", t.path, "antwoorden, één rij per respondent"))
    items, values, yes_no, breakdowns, scales = {}, {}, {}, {}, {}
    notes, todo, scale_of_set, open_questions = {}, [], {}, []
    design = _two_stage(t.df, prof)
    in_design = {design[k] for k in ("unit", "respondent", "first", "second")} if design else set()
    shared = Counter(frozenset(l for l in pr.labels if not _is_dont_know(l)) for pr in prof.values()
                     if pr.kind == "category" and not pr.numeric)
    for col, pr in prof.items():
        label = pr.variable_label or col
        if col in in_design:
            p.guesses.append((t.shown, col, "steekproefontwerp", pr.evidence))
            continue
        if pr.kind == "bool":
            yes_no[col] = label
            p.guesses.append((t.shown, col, "ja/nee-vraag", pr.evidence))
            continue
        if pr.kind == "category" and pr.numeric and 3 <= pr.distinct <= 7 and all(
                l.isdigit() and int(l) <= 10 for l in pr.labels):
            todo.append(f"kolom '{col}' heeft {pr.distinct} getallen als antwoord: is het een vraag, geef dan "
                        "zijn schaal in 'items' (code 1 = laagste antwoord)")
            p.guesses.append((t.shown, col, "vraag met codes?", pr.evidence))
            continue
        if pr.kind == "text":
            open_questions.append(col)
            p.guesses.append((t.shown, col, "open vraag?", pr.evidence))
            continue
        if pr.kind != "category" or pr.numeric:
            p.guesses.append((t.shown, col, "niet gebruikt", pr.evidence))
            continue
        answers = [l for l in pr.labels if not _is_dont_know(l)]
        dk = len(answers) < len(pr.labels)
        if answers and all(l.casefold() in BOOL_TOKENS for l in answers):
            yes_no[col] = label
            p.guesses.append((t.shown, col, "ja/nee-vraag", "ja/nee-waarden en 'weet niet'"))
            continue
        builtin, proposed, left = _builtin_scale(answers)
        if len(builtin) == 1:
            scale = builtin[0]
            ev = f"{len(answers)} antwoordlabels van een {scale}-schaal" + (" (en 'weet niet')" if dk else "")
            items[col] = {"scale": scale, "label": label}
            notes[col] = ev
            if proposed:
                values[col] = proposed
            if proposed or left:
                todo.append(f"controleer de waarden van '{col}' (labels die de {scale}-schaal niet kent)"
                            + (f"; geef een schaalpunt voor {_quote_list(left)}" if left else ""))
            p.guesses.append((t.shown, col, f"item ({scale})", ev))
        elif len(builtin) > 1:
            items[col] = {"scale": builtin[0], "label": label}
            notes[col] = f"past op de schalen {', '.join(builtin)}"
            todo.append(f"kies de schaal van '{col}': {', '.join(builtin)}")
            p.guesses.append((t.shown, col, "item (schaal?)", notes[col]))
        elif 3 <= len(answers) <= 7 and (_ordinal(answers) or shared[frozenset(answers)] > 1):
            key = frozenset(answers)
            if key not in scale_of_set:
                name = f"schaal_{len(scale_of_set) + 1}"
                scale_of_set[key] = name
                if pr.codes:
                    order = [l for _, l in sorted(pr.codes.items(), key=lambda kv: _code_key(kv[0]))
                             if l in answers]
                    order += [l for l in answers if l not in order]
                else:
                    order = _order(answers)
                    todo.append(f"controleer de volgorde van {name} (van laag naar hoog)")
                scales[name] = order
            name = scale_of_set[key]
            ev = f"{len(answers)} antwoordlabels" + (", volgorde uit de SPSS-codes" if pr.codes else "")
            items[col] = {"scale": name, "label": label}
            notes[col] = ev
            p.guesses.append((t.shown, col, f"item ({name})", ev))
        elif 2 <= pr.distinct <= 8:
            breakdowns[col] = label
            p.guesses.append((t.shown, col, "uitsplitsing?", pr.evidence))
    if not items:
        todo.append("geen Likert-vragen herkend; vul 'items' zelf in: kolom: {scale: SCHAAL, label: TEKST}")
    p.entries.append(Entry("items", items, "vragen: kolom -> schaal en label", todo=todo, notes=notes))
    if scales:
        p.entries.append(Entry("scales", scales, "eigen antwoordschalen: naam -> labels van laag naar hoog"))
    if values:
        p.entries.append(Entry("values", values, "waarden: kolom -> {label in uw bestand: schaalpunt}"))
    if yes_no:
        p.entries.append(Entry("yes_no", yes_no, "ja/nee-vragen: kolom -> label (aandeel 'ja')"))
    if breakdowns:
        p.entries.append(Entry("breakdowns", breakdowns, "uitsplitsingen: kolom -> label (voorstel: haal het "
                               "#-teken weg om ze te gebruiken)", commented=True))
    if open_questions:
        p.entries.append(Entry("open_question", open_questions[0], "kolom met de open vraag (voorstel: haal het "
                               "#-teken weg om ze te gebruiken)", commented=True))
    if design:
        _design_entries(p, design)
    _todo_title(p)
    return p


def _design_entries(p: Proposal, d: Mapping) -> None:
    """The entries of a two-stage design found by :func:`_two_stage`: ``strata`` (when the first
    stage's population size differs between groups), ``cluster``, ``fpc`` and the ``texts`` that
    name the units in the report."""
    stages = [d["unit"], d["respondent"]] if d["respondent"] else [d["unit"]]
    if d["strata"]:
        p.entries.append(Entry("strata", d["strata"], "strata van de eerste trap (de organisaties werden per groep "
                               "getrokken)"))
    p.entries.append(Entry("cluster", stages, "steekproef in twee trappen: eerst organisaties, dan werknemers "
                           "binnen elke getrokken organisatie", todo=list(d["todo"])))
    p.entries.append(Entry("fpc", [d["first"], d["second"]], "populatiegrootte per trap: aantal organisaties "
                           "(per stratum) en aantal werknemers van elke organisatie"))
    p.entries.append(Entry("texts", {"cluster_units": "organisaties", "cluster_unit": "organisatie",
                                     "respondents": "werknemers"}, "hoe het rapport de eenheden noemt"))


def _code_key(code: Any) -> tuple[int, Any]:
    try:
        return 0, float(code)
    except (TypeError, ValueError):
        return 1, str(code)


def _ordinal(labels: Sequence[str]) -> bool:
    """Answers that lie at different heights of a scale (some below, some above the middle)."""
    ranks = [_rank(l) for l in labels]
    return min(ranks) < 0 < max(ranks)


# --------------------------------------------------------------------------- streefcijfers

TARGETS_NAMES: dict[str, list[str]] = {
    "employee_id": ["personeelsnummer", "personeelsnr", "stamnummer", "werknemer", "medewerker", "persoon",
                    "personeelslid", "employee", "employee id", "person id", "id"],
    "date": ["peildatum", "referentiedatum", "datum", "snapshot", "reference date", "peil"],
    "entity": ["entiteit", "organisatie", "dienst", "agentschap", "departement", "organisation", "organization"],
    "sex": ["geslacht", "gender", "mv"],
    "birth_date": ["geboortedatum", "geboorte", "date of birth", "dob", "birthdate"],
    "policy_domain": ["beleidsdomein", "domein", "policy domain"],
    "nationality": ["nationaliteit", "huidige nationaliteit"],
    "first_nationality": ["eerste nationaliteit", "nationaliteit bij geboorte", "geboortenationaliteit"],
    "father_first_nationality": ["nationaliteit vader", "eerste nationaliteit vader"],
    "mother_first_nationality": ["nationaliteit moeder", "eerste nationaliteit moeder"],
    "grandparents_non_eu": ["grootouders buiten eu", "grootouders niet eu"],
    "disability_category": ["handicap", "arbeidshandicap", "categorie handicap", "disability"],
    "level": ["niveau", "niveau abcd"],
    "education_level": ["opleidingsniveau", "opleiding", "diploma", "education"],
    "management": ["kader", "managementniveau", "leidinggevend"],
    "grade": ["rang", "graad"],
}
#: Dutch labels of the standard codes of personnel columns (compared after :func:`normalise_label`)
TARGETS_VALUES: dict[str, dict[str, str]] = {
    "education_level": {
        "hoger": "higher", "hoger onderwijs": "higher", "bachelor": "higher", "master": "higher",
        "universitair": "higher", "universiteit": "higher", "hogeschool": "higher", "doctoraat": "higher",
        "secundair": "secondary", "hoger secundair": "secondary", "middelbaar": "secondary",
        "secundair onderwijs": "secondary", "aso": "secondary", "tso": "secondary", "bso": "secondary",
        "kso": "secondary",
        "lager secundair": "lower_secondary", "laag secundair": "lower_secondary",
        "geen diploma secundair": "lower_secondary",
        "lager": "primary", "lager onderwijs": "primary", "basis": "primary", "basisonderwijs": "primary",
        "geen diploma": "primary", "geen": "primary",
    },
    "level": {f"niveau {c.lower()}": c for c in "ABCD"},
    "sex": {"vrouwen": "F", "mannen": "M", "v": "F", "m": "M"},
    "management": {"topmanagement": "top", "middenmanagement": "middle", "lager management": "lower",
                   "geen leidinggevende": "none", "nee": "none", "uitvoerend": "none",
                   "n": "top", "n 1": "middle", "n 2": "lower"},
}
#: a country name as people write it in Belgium that names two states ("Congo": Kinshasa, not
#: Brazzaville); proposed, with the evidence to check
_COUNTRY_USAGE = {"congo": "CD"}


def _country_codes() -> dict[str, str]:
    """Country names in Dutch, English and French (CLDR via babel) -> ISO 3166-1 alpha-2 code;
    a name shared by two codes is left out."""
    seen: dict[str, set[str]] = {}
    for loc in ("nl", "en", "fr"):
        for code, name in Locale(loc).territories.items():
            if len(code) == 2 and code.isalpha():
                seen.setdefault(normalise_label(name), set()).add(code)
    return {**{k: next(iter(v)) for k, v in seen.items() if len(v) == 1}, **_COUNTRY_USAGE}


def _value_table(std: str) -> dict[str, str]:
    return _COUNTRIES if std in NATIONALITY_COLUMNS else TARGETS_VALUES.get(std, {})


_COUNTRIES = _country_codes()


def _accepted(column: Column, labels: Sequence[str]) -> list[bool]:
    """Which labels a schema column reads as they are (its own labels and allowed values)."""
    _, _, invalid = column.coerce(pd.Series(list(labels), dtype=object))
    return [not b for b in invalid]


def _targets(tables: Sequence[Table]) -> Proposal:
    p = Proposal("streefcijfers")
    t = tables[0]
    prof = profiles(t.df)
    cats = {c.name: c for c in PERSONNEL_SCHEMA.columns if c.kind == "category"}

    def content(std: str, pr: ColumnProfile):
        if std == "employee_id" and pr.kind == "key":
            return 0.4, pr.evidence
        if std == "date" and pr.kind == "date" and pr.distinct <= 50:
            return 0.4, f"datums, {pr.distinct} peildata"
        if std == "birth_date" and pr.kind == "date" and pr.distinct > 50:
            return 0.4, f"datums, {pr.distinct} verschillende"
        if std in cats and pr.labels and std in ("sex", "level", "management", "education_level"):
            ok = _accepted(cats[std], pr.labels)
            known = sum(ok) + sum(normalise_label(l) in _value_table(std) for l in pr.labels)
            if known == len(pr.labels):
                return 0.5, f"{len(pr.labels)} labels van '{std}'"
        return None

    found = _match(prof, TARGETS_NAMES, content)
    p.entries.append(Entry("microdata", t.path, "personeelsbestand: één rij per personeelslid per peildatum"))
    cols = _columns_entry(p, "microdata_columns", "kolommen: standaardnaam -> kolom in uw bestand", t, found,
                          skip_same=True)
    for std in ("employee_id", "date", "sex", "birth_date"):
        if std not in found.chosen and std not in found.ties:
            cols.todo.append(f"geen kolom gevonden voor '{std}'; vul de naam van uw kolom in")
    p.entries.append(cols)
    values, todo = {}, []
    for std, (col, _) in found.chosen.items():
        if std not in cats:
            continue
        labels = [str(v).strip() for v in pd.unique(t.df[col].dropna())][:50]
        unread = [l for l, ok in zip(labels, _accepted(cats[std], labels)) if not ok]
        if not unread:
            continue
        table = _value_table(std)
        mapped = {l: table[normalise_label(l)] for l in unread if normalise_label(l) in table}
        if mapped:
            values[std] = mapped
        left = [l for l in unread if l not in mapped]
        codes = ("een ISO-landcode van twee letters (BE, NL, MA, TR, ...)" if std in NATIONALITY_COLUMNS
                 else ", ".join(map(str, cats[std].categories())))
        if left:
            todo.append(f"'{std}' (kolom '{col}'): geef de code voor {_quote_list(left)}; codes: {codes}")
    if values:
        todo.insert(0, "controleer de voorgestelde codes (vooral landen met meer dan één staat, zoals Congo, "
                       "en de kaderniveaus N, N-1, N-2)")
    if values or todo:
        p.entries.append(Entry("values", values, "waarden: standaardkolom -> {label in uw bestand: code}", todo=todo))
    _todo_title(p)
    whole = ("; het bestand heeft geen kolom met de entiteit, dus gaat het hele bestand over deze organisatie"
             if "entity" not in found.chosen else "")
    p.entries.append(Entry("organisation", "", "", commented=True,
                           todo=[f"geef de naam van uw organisatie of entiteit{whole}"]))
    return p


# --------------------------------------------------------------------------- action plan

ACTIONPLAN_NAMES: dict[str, list[str]] = {
    "priority_no": ["prioriteit nr", "nr prioriteit", "prioriteitnummer", "nummer", "nr"],
    "priority": ["prioriteit"], "subtheme": ["subthema", "thema"], "action": ["actie", "maatregel"],
    "additional": ["bijkomend", "extra"], "status": ["evaluatie", "stand", "stand van zaken"],
    "planned_eur": ["voorzien", "begroot", "gepland", "voorzien op begroting"],
    "spent_eur": ["uitgegeven", "uitgave", "besteed", "uitgave op begroting"],
    "planned_tom_eur": ["voorzien tom", "begroot tom", "voorzien op begroting tom"],
    "spent_tom_eur": ["uitgegeven tom", "uitgave tom", "besteed tom", "uitgave op begroting tom"],
    "group": ["groep", "cluster", "thema"], "days": ["dagen", "werkdagen", "werkdruk", "tijd"],
    "budget_eur": ["budget", "bedrag"], "row_type": ["soort rij", "rijtype", "type"],
    "section": ["sectie", "hoofdstuk", "paragraaf"],
    "action_title": ["actie", "titel", "actietitel", "titel actie"], "actor": ["actor", "lead", "uitvoerder"],
    "note": ["toelichting", "opmerking", "noot"], "indicator": ["indicator"],
    "target_value": ["streefwaarde", "doel"], "unit": ["eenheid"], "period": ["periode"],
    "source_text": ["inspanningsverbintenis", "brontekst", "bron"],
    "raw_werkdruk_budget": ["werkdruk budget", "werkdruk budget bron"],
    "realised_value": ["gerealiseerd", "realisatie", "resultaat"], "measured_on": ["gemeten op", "datum"],
    "timing_text": ["timing", "timing tekst"], "month": ["maand"],
    "plan_type": ["soort plan", "plantype", "type plan"], "modalities": ["modaliteiten"],
    "max_subsidy_eur": ["max subsidie", "maximale subsidie", "subsidie"],
    "for_costs_eur": ["voor kosten", "kosten"], "per_organisation": ["per organisatie"],
    "min_organisations": ["min aantal organisaties", "minimum organisaties"],
    "duration_min_months": ["duur min", "minimale duur"], "duration_max_months": ["duur max", "maximale duur"],
    "duration_text": ["duur"],
}


#: status words people use (after :func:`normalise_label`) -> code of :data:`STATUS_CLASSES`
STATUS_WORDS = {
    "afgerond": "done", "voltooid": "done", "klaar": "done", "gerealiseerd": "done", "gedaan": "done",
    "deels afgerond": "done_ongoing", "gedeeltelijk afgerond": "done_ongoing", "deels uitgevoerd": "done_ongoing",
    "gedeeltelijk uitgevoerd": "done_ongoing", "afgerond en lopend": "done_ongoing",
    "bezig": "ongoing", "in uitvoering": "ongoing", "gestart": "ongoing", "loopt": "ongoing", "lopende": "ongoing",
    "later": "postponed", "verschoven": "postponed", "uitgesteld": "postponed",
    "niet gestart": "not_done", "niet begonnen": "not_done", "geschrapt": "not_done", "stopgezet": "not_done",
    "geannuleerd": "not_done", "niet gerealiseerd": "not_done",
}


def _actionplan_content(schema) -> Callable[[str, ColumnProfile], tuple[float, str] | None]:
    """Content evidence for a table's columns: numbers for its amounts and counts."""
    numeric = {c.name for c in schema.columns if c.kind in ("int", "float")}

    def content(std: str, pr: ColumnProfile):
        return (0.1, "getallen") if std in numeric and pr.numeric else None
    return content


def _which_table(df: pd.DataFrame) -> tuple[list[str], Any]:
    """The action-plan tables whose required columns this frame has best (ties all listed), with
    the column assignment of the best one."""
    prof = profiles(df)
    best, best_score, best_found = [], 0.0, None
    for table, schema in schemas().items():
        names = {c.name: ACTIONPLAN_NAMES.get(c.name, []) for c in schema.columns}
        found = _match(prof, names, _actionplan_content(schema))
        required = [c.name for c in schema.columns if c.required]
        score = sum(c in found.chosen for c in required) / len(required)
        if score > best_score:
            best, best_score, best_found = [table], score, found
        elif score == best_score and score > 0:
            best.append(table)
    return (best if best_score >= 0.5 else []), best_found


def _status_values(labels: Sequence[str]) -> tuple[dict[str, str], list[str]]:
    """Status words a budget does not use as they are -> proposed codes, and the words left."""
    code_of = {label.lower(): code for code, label in STATUS_CLASSES.items()}
    guessed = {l: STATUS_WORDS.get(normalise_label(l)) or code_of.get(
        (difflib.get_close_matches(l.lower(), list(code_of), n=1, cutoff=0.6) or [""])[0]) for l in labels}
    return {l: v for l, v in guessed.items() if v}, [l for l, v in guessed.items() if not v]


def _table_values(t: Table, table: str, found) -> tuple[dict, list[str]]:
    """Value mappings of one table: status words (budget) and the labels of its yes/no and
    category columns that the schema does not read as they are (a TODO each)."""
    values, todo = {}, []
    for c in schemas()[table].columns:
        if c.name not in found.chosen or not (c.name == "status" or c.kind in ("bool", "category")):
            continue
        col = found.chosen[c.name][0]
        labels = [str(v).strip() for v in pd.unique(t.df[col].dropna())][:50]
        if c.name == "status":
            mapped, left = _status_values([l for l in labels if status_class(l) is None])
            codes = ", ".join(f"{code} ({label})" for code, label in STATUS_CLASSES.items())
        else:
            mapped, left = {}, [l for l, ok in zip(labels, _accepted(c, labels)) if not ok]
            codes = "ja, nee" if c.kind == "bool" else ", ".join(map(str, c.categories()))
        if mapped:
            values[c.name] = mapped
        if left:
            todo.append(f"'{c.name}' in {t.shown} (kolom '{col}'): geef voor {_quote_list(left)} een van: {codes}")
    return values, todo


def _actionplan(tables: Sequence[Table]) -> Proposal:
    p = Proposal("actieplan_opvolging")
    paths, sheets, columns, values, col_todo, val_todo = {}, {}, {}, {}, [], []
    for t in tables:
        kinds, found = _which_table(t.df)
        if len(kinds) != 1 or kinds[0] in paths:
            why = ("lijkt op " + " en ".join(kinds)) if kinds else "lijkt op geen enkele tabel"
            col_todo.append(f"{t.shown} {why}; zet het zelf onder de juiste sleutel ({', '.join(schemas())})")
            continue
        table = kinds[0]
        paths[table] = t
        if t.sheet:
            sheets[table] = t.sheet
        entry = _columns_entry(p, "columns", "", t, found, skip_same=True)
        col_todo += entry.todo
        if entry.value:
            columns[table] = entry.value
        mapped, todo = _table_values(t, table, found)
        if mapped:
            values[table] = mapped
        val_todo += todo
    for table, t in paths.items():
        p.entries.append(Entry(table, t.path, ""))  # the notebook's help says what the table holds
    if paths and not any(all(n in paths for n in needs) for needs in PART_INPUTS.values()):
        needed = "; ".join(f"{part}: {', '.join(needs)}" for part, needs in PART_INPUTS.items())
        col_todo.append(f"geen onderdeel van het rapport heeft al zijn tabellen ({needed})")
    if sheets:
        p.entries.append(Entry("sheets", sheets, "werkblad per tabel"))
    if columns or col_todo:
        p.entries.append(Entry("columns", columns, "kolommen per tabel: standaardnaam -> kolom in uw bestand",
                               todo=col_todo))
    if values or val_todo:
        p.entries.append(Entry("values", values or None, "waarden per tabel: kolom -> {label in uw bestand: code}",
                               todo=val_todo, commented=not values))
    _todo_title(p)
    return p


#: how many data files each analysis reads (None: any number, one table per file or sheet)
MAX_FILES: dict[str, int | None] = {"correspondentietest": 2, "survey_evaluatie": 1, "streefcijfers": 1,
                                    "actieplan_opvolging": None}

PROPOSERS: dict[str, Callable[[Sequence[Table]], Proposal]] = {
    "correspondentietest": _correspondence,
    "survey_evaluatie": _survey,
    "streefcijfers": _targets,
    "actieplan_opvolging": _actionplan,
}


def propose(analysis: str, tables: Sequence[Table]) -> Proposal:
    """The params file ``evaluatie new`` proposes for ``analysis`` (a key of :data:`PROPOSERS`)."""
    return PROPOSERS[analysis](tables)
