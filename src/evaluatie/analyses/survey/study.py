"""A study as the params describe it: the respondent file read and checked, the design weighted
to a population frame when one is given and unweighted otherwise, and the questionnaire's items
grouped for the report.

:func:`load_study` does what the notebook's first cells did: read the respondents
(:func:`~evaluatie.analyses.survey.responses.load_survey`, with the study's ``scales``, ``values``
and yes/no items), check that the columns the params name exist, add the SME flag when a size
column is given, and build the design. A sample design given in the data (``cluster``: one column
per stage, e.g. ``[organisation, employee]`` for organisations and then employees within them;
``fpc``: one population-size column per stage; ``strata``; ``weights``) is passed to
:class:`evaluatie.stats.survey.SurveyDesign` (two-stage variance, weights derived from the fpcs
when none are given); a design it does not support stops with a Dutch
:class:`~evaluatie.core.errors.DataError` saying what to do. With a ``frame`` the design (without
``fpc``: the frame's ``strata`` with its population counts as finite-population correction) is
raked to the frame's ``margins`` (:meth:`evaluatie.stats.survey.SurveyDesign.rake`); without a
frame and without a sample design every respondent weighs the same, with no strata and no
finite-population correction. :func:`item_groups` splits the items into the
report's charts (per section, and per number of scale points: one diverging chart needs one scale
length). Tests: ``tests/test_survey_own_data.py`` (a study without a frame, with a frame, a minimal
one), ``tests/test_survey_twostage.py`` (organisations, then employees) and
``tests/test_survey_narrative.py``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Mapping, Sequence

import pandas as pd

from evaluatie.analyses.survey.responses import incomplete_answers, load_survey, scale_points, sme_flag
from evaluatie.core.errors import DataError, Problem
from evaluatie.intake.read import read_table
from evaluatie.intake.schema import Ledger
from evaluatie.stats import survey as sv

__all__ = ["Study", "load_study", "answer_columns", "check_stage_columns", "item_groups"]


@dataclass
class Study:
    """What the report needs of a study: ``data`` (respondents analysed, items normalised),
    ``ledger`` (rows read and left out), ``base`` (the design before calibration), ``design``
    (the design the estimates use), ``weighted`` (a frame was given), ``pop`` (the frame's
    margins), ``n_pop`` (units in the frame), ``frame`` and ``frame_ledger`` (the frame table and
    its rows; None without a frame), ``incomplete`` (incomplete questionnaires left out: their
    number and the fewest and most of them that answered a question; None when none are left out
    by completeness), ``stages`` (sampling stages given in ``cluster``; 0: every respondent drawn
    directly) and ``sampled`` (a sample design from the data: weights or population sizes per stage)."""

    data: pd.DataFrame
    ledger: Ledger
    base: sv.SurveyDesign
    design: sv.SurveyDesign
    weighted: bool
    pop: dict | None = None
    n_pop: float | None = None
    frame: pd.DataFrame | None = None
    frame_ledger: Ledger | None = None
    incomplete: tuple[int, int, int] | None = None
    stages: int = 0
    sampled: bool = False
    spec: dict | None = None

    def design_facts(self) -> dict:
        """What :func:`~evaluatie.analyses.survey.narrative.sample_design_nl` says of the sample
        design: ``stages``, whether it has population sizes (``fpc``), weights from the file
        (``weights``) and ``strata``, the first-stage units (``n_units``) and respondents (``n``)."""
        spec = self.spec or {}
        return dict(stages=self.stages, fpc=bool(spec.get("fpc")), weights=bool(spec.get("weights")),
                    strata=bool(spec.get("strata")), n_units=self.base.n_psu, n=self.base.n)

    @property
    def design_weighted(self) -> bool:
        """Whether the estimates are weighted: to a frame, or by the sample design's weights."""
        return self.weighted or self.sampled


def load_study(data: str | Path, items: Mapping[str, Mapping], *, scales: Mapping | None = None,
               values: Mapping | None = None, yes_no: Mapping[str, str] | None = None,
               frame: str | Path | None = None, frame_count: str | None = None, margins: Sequence[str] = (),
               strata: str | Sequence[str] | None = None, complete_column: str | None = None,
               complete_only: bool = True, size_column: str | None = None, sme_levels: Sequence = (),
               columns: Sequence[str] = (), answers: Sequence[str] = (), weights: str | None = None,
               cluster: str | Sequence[str] | None = None, fpc: str | Sequence[str] | None = None,
               nest: bool = False) -> Study:
    """Read, check and weight a study (see the module docstring). ``items``: ``{column: {scale,
    label, section}}``; ``columns``: further columns the report uses (breakdowns other than
    ``sme``, the open question, the blocks of the career and diversity plans) — a missing one stops
    the run with one :class:`~evaluatie.core.errors.DataError` naming them all. ``answers``: the
    further columns whose shares the report shows (:func:`answer_columns`); their don't-know answers
    leave the base as the items' do, and ``values`` may name more of them. ``weights``, ``strata``,
    ``cluster``, ``fpc`` and ``nest``: the sample design (see the module docstring)."""
    _check_params(items, values, yes_no, answers)
    clusters, fpcs, stratas = _check_design(cluster, fpc, strata)
    item_scales = {k: v["scale"] for k, v in items.items()}
    for scale in dict.fromkeys(item_scales.values()):
        scale_points(scale, scales)  # an unknown scale stops before the file is read
    weighted = frame is not None
    required = [*margins, *([size_column] if size_column else [])] if weighted else []
    options = dict(scales=scales, values=values, yes_no=list(yes_no or {}), answers=list(answers))
    df, ledger = load_survey(data, item_scales, complete_column=complete_column, complete_only=complete_only,
                             required=required, **options)
    missing = [c for c in dict.fromkeys(columns) if c not in df.columns and c != "sme"]
    if missing:
        file = (df.attrs.get("source") or {}).get("file", Path(data).name)
        raise DataError([Problem(file, None, c, None, f"een kolom '{c}' (genoemd in de parameters)") for c in missing])
    if size_column:
        df["sme"] = sme_flag(df[size_column], sme_levels)
    incomplete = None
    if complete_column and complete_only:
        incomplete = incomplete_answers(data, item_scales, df, list(items) + list(yes_no or {}),
                                        complete_column=complete_column, required=required, **options)
    sampled = bool(weights or fpcs)
    spec = dict(weights=weights, strata=stratas or None, cluster=clusters or None, fpc=fpcs or None, nest=nest)
    if not weighted:
        base = _design(df, **spec) if (sampled or clusters or stratas) else sv.SurveyDesign(df)
        return Study(df, ledger, base, base, False, incomplete=incomplete, stages=len(clusters), sampled=sampled,
                     spec=spec)
    frame_df = read_table(frame)
    frame_ledger = Ledger((frame_df.attrs.get("source") or {}).get("file", "kader"), read=len(frame_df))
    pop = sv.frame_margins(frame_df, margins, frame_count)
    if stratas and not fpcs and not clusters:  # the frame's count per stratum as finite-population correction
        first = stratas[0]
        df["frame_n"] = df[first].astype(str).map(pop[first] if first in pop else
                                                  frame_df.groupby(first)[frame_count].sum())
        spec["fpc"] = "frame_n"
    base = _design(df, **spec)
    return Study(df, ledger, base, base.rake(pop), True, pop, float(frame_df[frame_count].sum()), frame_df,
                 frame_ledger, incomplete, stages=len(clusters), sampled=sampled, spec=spec)


def _stage_list(value, name: str) -> list[str]:
    """A design parameter as a list of columns: None -> [], a text -> [text], a list of texts as it is;
    anything else a :class:`DataError` in Dutch."""
    if value is None or value == []:
        return []
    if isinstance(value, str) and value.strip():
        return [value]
    if isinstance(value, (list, tuple)) and all(isinstance(v, str) and v.strip() for v in value):
        return list(value)
    raise DataError(f"parameter {name}: verwacht een kolomnaam of een lijst van kolomnamen, één per trap "
                    "van de steekproef (bv. [organisatie, werknemer])")


def check_stage_columns(value) -> list[str]:
    """The params checker's test of ``cluster``, ``fpc`` and ``strata`` (the notebook's metadata
    names it): a column name or a non-empty list of column names; Dutch problems, none when fine."""
    try:
        _stage_list(value, "")
    except DataError:
        return ["verwacht een kolomnaam of een lijst van kolomnamen, één per trap van de steekproef "
                "(bv. [organisatie, werknemer])"]
    return []


def _check_design(cluster, fpc, strata) -> tuple[list[str], list[str], list[str]]:
    """The sample design's columns as lists, with the designs :class:`~evaluatie.stats.survey.SurveyDesign`
    does not estimate refused up front in Dutch, each saying what to do."""
    clusters, fpcs, stratas = (_stage_list(cluster, "cluster"), _stage_list(fpc, "fpc"),
                               _stage_list(strata, "strata"))
    stages = max(len(clusters), 1)
    problems = []
    if fpcs and len(fpcs) != stages:
        problems.append(f"parameter fpc: {len(fpcs)} kolom(men) voor {stages} trap(pen) in cluster. Geef één kolom "
                        "per trap, in dezelfde volgorde (het aantal eenheden in de populatie van die trap, bv. "
                        "[aantal organisaties, aantal werknemers]), of laat fpc weg: dan geldt de eerste trap als "
                        "getrokken met teruglegging")
    if len(stratas) > stages:
        problems.append(f"parameter strata: {len(stratas)} kolommen voor {stages} trap(pen) in cluster. Geef "
                        "hoogstens één kolom per trap, in de volgorde van de trappen")
    if problems:
        raise DataError([Problem(None, None, None, None, p) for p in problems])
    return clusters, fpcs, stratas


def _design(df: pd.DataFrame, **spec) -> sv.SurveyDesign:
    """:class:`~evaluatie.stats.survey.SurveyDesign` of ``spec``; a design it refuses
    (:class:`~evaluatie.stats.survey.UnsupportedDesign`) becomes a Dutch :class:`DataError`."""
    try:
        return sv.SurveyDesign(df, **spec)
    except sv.UnsupportedDesign as e:
        raise DataError("dit steekproefontwerp wordt niet ondersteund. Beschrijf het met één kolom per trap in "
                        "cluster en in fpc (populatiegrootte), eventueel strata en weights; wat niet kan: "
                        f"{e}") from None


def answer_columns(claims: Sequence[Mapping] = (), actions: Mapping | None = None,
                   target_groups: Mapping | None = None) -> list[str]:
    """The answer columns beyond the items and yes/no questions whose shares a report shows: the
    variables of the ``claims``, the ``actions`` columns and, per target group, ``target_set_<g>``
    and ``target_reached_<g>``; :func:`load_study` takes their don't-know answers out of the base."""
    cols = [c["variable"] for c in claims if isinstance(c, Mapping) and isinstance(c.get("variable"), str)]
    cols += list(actions or {}) + [f"target_{m}_{g}" for g in (target_groups or {}) for m in ("set", "reached")]
    return list(dict.fromkeys(cols))


def _check_params(items: Mapping, values: Mapping | None, yes_no: Mapping | None, answers: Sequence[str] = ()) -> None:
    """Every item a mapping with a ``scale`` and a ``label``; ``values`` only for items, yes/no
    questions and the further ``answers`` columns (a mapping for another column would silently do
    nothing). All problems in one :class:`~evaluatie.core.errors.DataError`."""
    problems = [f"parameter items, vraag '{k}': verwacht {{scale: schaal, label: vraag}} (section is optioneel)"
                for k, v in items.items() if not isinstance(v, Mapping) or not {"scale", "label"} <= set(v)]
    known = [*items, *(yes_no or {}), *answers]
    problems += [f"parameter values, kolom '{c}': geen vraag uit items, yes_no, claims, actions of target_groups; "
                 "verwacht een van: " + ", ".join(dict.fromkeys(known)) for c in (values or {}) if c not in known]
    problems += [f"parameter values, kolom '{c}': verwacht {{antwoord in het bestand: antwoord op de schaal}}"
                 for c, m in (values or {}).items() if not isinstance(m, Mapping)]
    if problems:
        raise DataError([Problem(None, None, None, None, p) for p in problems])


def item_groups(items: Mapping[str, Mapping], sections: Mapping[str, str], data: pd.DataFrame) -> list[tuple]:
    """The report's Likert charts: ``[(key, title, [item, ...]), ...]``, one per section of
    ``sections`` (in its order, then sections only the items name; without sections all items form
    one group, key ``vragen``, no title) and within a section one per number of scale points (the
    key then gets ``_<points>``)."""
    keys = list(dict.fromkeys([*sections, *(v.get("section") for v in items.values() if v.get("section"))])) \
        if sections else [None]
    out = []
    for key in keys:
        sec = [k for k, v in items.items() if (v.get("section") if sections else None) == key]
        sizes = list(dict.fromkeys(len(data[k].cat.categories) for k in sec))
        for size in sizes:
            part = [k for k in sec if len(data[k].cat.categories) == size]
            name = key or "vragen"
            out.append((name if len(sizes) == 1 else f"{name}_{size}", sections.get(key, key) if key else None, part))
    return out
