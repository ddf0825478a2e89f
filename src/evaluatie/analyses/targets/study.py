"""One streefcijfers report's inputs, read and checked once: the organisation's personnel file
(required), its targets (optional) and the published government-wide series (an optional part).

:func:`load` takes the notebook's parameters and returns a :class:`Study`; the notebook then only
decides what to show. Without a targets file there are shares and trends but no verdicts; without
published series the report is about the personnel file alone; a file with one entity (or a
report for one ``entity``) is about that entity, with no comparison of entities.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any, Mapping

import pandas as pd

from evaluatie.analyses.targets.assessment import (
    current_position, evaluate_targets, evaluate_yearly_targets, select_series, with_counts)
from evaluatie.analyses.targets.backtest import backtest_groups, backtest_summary, deadline_review
from evaluatie.analyses.targets.growth_paths import check_growth_path
from evaluatie.analyses.targets.narrative import SHORT_LABELS_NL, change_table, group_labels, growth_result_nl, one_name
from evaluatie.analyses.targets.personnel import GROUP_LABELS_NL as DEFINITION_GROUP_LABELS
from evaluatie.analyses.targets.personnel import aggregate_levels, prepare_file
from evaluatie.analyses.targets.prepare import (
    DEFAULT_ENTITY, growth_rules, read_published, read_targets, read_yearly_or_empty)
from evaluatie.analyses.targets.segments import Break, as_breaks, link_factors
from evaluatie.analyses.targets.disclosure import from_shown, no_personnel_data
from evaluatie.intake.schema import Ledger
from evaluatie.publish.disclosure import DEFAULT_THRESHOLD

__all__ = ["Study", "load", "published_results", "growth_path_check", "TARGET_COLUMNS"]
#: The columns of :func:`~evaluatie.analyses.targets.prepare.read_targets` (an empty frame of
#: them stands for "no targets").
TARGET_COLUMNS = ["group", "group_nl", "target_pct", "target_year"]


@dataclass
class Study:
    """What a streefcijfers report is about. ``published`` is None without published series;
    ``targets`` has no rows without a targets file; ``focus`` is the one entity the personnel part
    is about (the ``entity`` parameter, or the only entity in the file), None for an overview of
    several entities; ``threshold`` is the small-cell threshold the personnel cells were decided with."""

    by_entity: pd.DataFrame
    org: pd.DataFrame
    by_domain: pd.DataFrame | None
    micro_ledger: Ledger
    targets: pd.DataFrame
    breaks: list[Break]
    labels: dict[str, str]
    focus: str | None
    synthetic: bool
    published: pd.DataFrame | None = None
    ledgers: list[Ledger] = field(default_factory=list)
    threshold: int = DEFAULT_THRESHOLD

    def label(self, group: str) -> str:
        """Dutch name of a group (the targets file completes the known ones)."""
        return self.labels.get(group, group)

    def short(self, group: str) -> str:
        """Short Dutch name of a group, for table cells."""
        return SHORT_LABELS_NL.get(group, self.label(group))

    @property
    def has_targets(self) -> bool:
        return len(self.targets) > 0

    @property
    def years(self) -> list[int]:
        """The reference years of the personnel file, in order."""
        return sorted(int(y) for y in set(self.org["year"]))

    @property
    def entities(self) -> list[str]:
        return sorted(str(e) for e in set(self.by_entity["entity"]))

    @property
    def groups(self) -> list[str]:
        """The groups of the published series in their order, or else those of the personnel file in
        the order of the definitions (women, origin, disability, age, education)."""
        if self.published is not None:
            return list(dict.fromkeys(self.published["group"]))
        present = set(self.org["group"])
        return [g for g in dict.fromkeys(DEFINITION_GROUP_LABELS) if g in present]

    @property
    def who(self) -> str:
        """Whom the personnel part is about, as it reads in a heading."""
        return self.focus or "de hele organisatie"

    def cells(self) -> pd.DataFrame:
        """The personnel aggregates of the focus entity, or of the whole organisation, small cells
        included (suppressed: no numerator, no share)."""
        return self.org if self.focus is None else self.by_entity[self.by_entity["entity"] == self.focus]

    def series(self) -> pd.DataFrame:
        """The personnel series the report's own figures rest on: the focus entity's, or the whole
        organisation's (:func:`~evaluatie.analyses.targets.assessment.with_counts`: small cells
        left out). A focus entity that is not in the file is a :class:`~evaluatie.core.errors.DataError`."""
        return select_series(self.by_entity, self.org, self.focus)

    def changes(self, series: pd.DataFrame) -> pd.DataFrame | None:
        """Per group of ``series`` (:meth:`series`) its last figure, the change since the first figure
        of its last segment and the trend where there are three figures or more
        (:func:`~evaluatie.analyses.targets.narrative.change_table`); None with one reference date."""
        if len(self.years) < 2:
            return None
        groups = [g for g in self.groups if g in set(series["group"])]
        return from_shown(change_table(current_position(series, groups, self.breaks), series), self.threshold)


def load(p: Mapping[str, Any]) -> Study:
    """Read every input a report's parameters ``p`` name (the notebook's ``params``): the personnel
    file ``microdata`` with its ``microdata_columns`` and ``values`` mappings, aggregated per entity,
    for the organisation and per policy domain (shown in an overview only), with one small-cell
    decision over all of them at ``threshold``
    (:func:`~evaluatie.analyses.targets.personnel.protect_levels`); ``targets`` when given; the published series ``data`` (+ ``data_history``) when
    given. A file without an entity column belongs to ``organisation`` (else :data:`DEFAULT_ENTITY`).
    The data are synthetic when ``synthetic`` says so, or when the personnel file says so itself
    (``attrs["synthetic"]`` in a Parquet file written by :mod:`evaluatie.simulate`), so simulated
    data are never presented as real. Problems in a file are a :class:`~evaluatie.core.errors.DataError`."""
    published, ledgers = (read_published(p["data"], p.get("data_history"), p.get("columns"))
                          if p.get("data") else (None, []))
    targets = read_targets(p["targets"]) if p.get("targets") else pd.DataFrame(columns=TARGET_COLUMNS)
    prep = prepare_file(p["microdata"], columns=p.get("microdata_columns"), values=p.get("values"),
                                  entity_name=p.get("organisation") or DEFAULT_ENTITY,
                                  low_educated_method="education")  # read education too: used without level
    by_entity, org, by_domain, ledger = aggregate_levels(prep, p["threshold"], domains=p.get("entity") is None)
    entities = set(by_entity["entity"])
    focus = p.get("entity") or (str(next(iter(entities))) if len(entities) == 1 else None)
    labels = group_labels(targets)
    for g, lab in DEFINITION_GROUP_LABELS.items():
        labels.setdefault(g, one_name(lab, phrases=True))
    return Study(by_entity, org, by_domain, ledger, targets, as_breaks(p.get("breaks") or []), labels, focus,
                 bool(p.get("synthetic")) or prep.synthetic, published, ledgers, int(p["threshold"]))


def published_results(st: Study, p: Mapping[str, Any]) -> SimpleNamespace:
    """Everything the report computes on the published series (``st.published`` must be given):
    the assessment of every target (``ev``, at ``as_of``), the review of passed deadlines
    (``review``), the backtest of the projections (``bt``, ``bt_all``), the yearly targets
    (``yearly``, from ``yearly_figures``), the current position per group (``pos``) and the link
    factors of ``links`` (``lf``). The tables are declared free of counts of persons
    (:func:`~evaluatie.analyses.targets.disclosure.no_personnel_data`): they rest on the already published
    percentages alone."""
    pub, tgt, brk = st.published, st.targets, st.breaks
    bt = no_personnel_data(backtest_groups(pub, st.groups, brk))
    return SimpleNamespace(
        ev=no_personnel_data(evaluate_targets(pub, tgt, brk, p.get("as_of"))), review=no_personnel_data(deadline_review(pub, tgt, brk)),
        bt=bt, bt_all=backtest_summary(bt),
        yearly=no_personnel_data(evaluate_yearly_targets(read_yearly_or_empty(p.get("yearly_figures")), tgt)),
        pos=no_personnel_data(current_position(pub, st.groups, brk)),
        lf=no_personnel_data(link_factors(pub, p.get("links") or {}, st.groups)))


def growth_path_check(st: Study, path: str | None) -> pd.DataFrame | None:
    """Every entity's (or the focus entity's) yearly shares checked against its growth-path rules:
    those of the file ``path``, else 'at least last year's level'
    (:func:`~evaluatie.analyses.targets.prepare.growth_rules`), with the Dutch ``result``; None when
    there is no rule to check (no file, and no group with a default growth path in the data)."""
    rules = growth_rules(path, st.by_entity, st.focus)
    if rules.empty:
        return None
    ent = with_counts(st.by_entity if st.focus is None else st.cells())
    gp = check_growth_path(ent[["entity", "group", "year", "share_pct"]], rules)
    gp["result"] = growth_result_nl(gp["met"])
    return gp
