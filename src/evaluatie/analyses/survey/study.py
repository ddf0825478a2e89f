"""A study as the params describe it: the respondent file read and checked, the design weighted
to a population frame when one is given and unweighted otherwise, and the questionnaire's items
grouped for the report.

:func:`load_study` does what the notebook's first cells did: read the respondents
(:func:`~evaluatie.analyses.survey.responses.load_survey`, with the study's ``scales``, ``values``
and yes/no items), check that the columns the params name exist, add the SME flag when a size
column is given, and build the design. With a ``frame`` the design has the frame's ``strata``
(population counts as finite-population correction) and is raked to its ``margins``
(:meth:`evaluatie.stats.survey.SurveyDesign.rake`); without one every respondent weighs the same,
with no strata and no finite-population correction. :func:`item_groups` splits the items into the
report's charts (per section, and per number of scale points: one diverging chart needs one scale
length). Tests: ``tests/test_survey_own_data.py`` (a study without a frame, with a frame, a minimal
one) and ``tests/test_survey_narrative.py``.
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

__all__ = ["Study", "load_study", "answer_columns", "item_groups"]


@dataclass
class Study:
    """What the report needs of a study: ``data`` (respondents analysed, items normalised),
    ``ledger`` (rows read and left out), ``base`` (the design before calibration), ``design``
    (the design the estimates use), ``weighted`` (a frame was given), ``pop`` (the frame's
    margins), ``n_pop`` (units in the frame), ``frame`` and ``frame_ledger`` (the frame table and
    its rows; None without a frame), ``incomplete`` (incomplete questionnaires left out: their
    number and the fewest and most of them that answered a question; None when none are left out
    by completeness)."""

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


def load_study(data: str | Path, items: Mapping[str, Mapping], *, scales: Mapping | None = None,
               values: Mapping | None = None, yes_no: Mapping[str, str] | None = None,
               frame: str | Path | None = None, frame_count: str | None = None, margins: Sequence[str] = (),
               strata: str | None = None, complete_column: str | None = None, complete_only: bool = True,
               size_column: str | None = None, sme_levels: Sequence = (), columns: Sequence[str] = (),
               answers: Sequence[str] = ()) -> Study:
    """Read, check and weight a study (see the module docstring). ``items``: ``{column: {scale,
    label, section}}``; ``columns``: further columns the report uses (breakdowns other than
    ``sme``, the open question, the blocks of the career and diversity plans) — a missing one stops
    the run with one :class:`~evaluatie.core.errors.DataError` naming them all. ``answers``: the
    further columns whose shares the report shows (:func:`answer_columns`); their don't-know answers
    leave the base as the items' do, and ``values`` may name more of them."""
    _check_params(items, values, yes_no, answers)
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
    if not weighted:
        base = sv.SurveyDesign(df)
        return Study(df, ledger, base, base, False, incomplete=incomplete)
    frame_df = read_table(frame)
    frame_ledger = Ledger((frame_df.attrs.get("source") or {}).get("file", "kader"), read=len(frame_df))
    pop = sv.frame_margins(frame_df, margins, frame_count)
    if strata:
        df["frame_n"] = df[strata].astype(str).map(pop[strata] if strata in pop else
                                                   frame_df.groupby(strata)[frame_count].sum())
    base = sv.SurveyDesign(df, strata=strata, fpc="frame_n" if strata else None)
    return Study(df, ledger, base, base.rake(pop), True, pop, float(frame_df[frame_count].sum()), frame_df,
                 frame_ledger, incomplete)


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
