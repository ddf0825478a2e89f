"""Report blocks of the action-plan follow-up that the notebook shows as a whole: a run of notices
(:func:`notices`) and the findings of the plan checked against itself (:func:`plan_findings`), and
the analysis's one disclosure decision (:func:`table`, :func:`export`).
The wording is :mod:`evaluatie.analyses.actionplan.narrative`'s; this module only puts it on the
page with :mod:`evaluatie.publish.report`.

Disclosure: an action plan's tables hold euros of the organisation's own budget, working days,
months and numbers of actions of one plan, its commitments' targets, and the subsidy rules — no
count of persons or employers in a cell defined by their characteristics, and nothing derived from
one. :func:`table` and :func:`export` declare that once, with
:func:`evaluatie.publish.disclosure.no_counts`, for every table this analysis publishes, except a
table already decided by the rule: the commitments, whose realised values can count persons
(:func:`evaluatie.analyses.actionplan.persons.decide_commitments`, taken once when the study is
loaded), pass as decided."""

from __future__ import annotations

from typing import Iterable, Mapping

import pandas as pd

from evaluatie.analyses.actionplan.narrative import (
    plan_checks_rest, plan_finding_notices, plan_findings_intro, table_layout)
from evaluatie.analyses.actionplan.reconcile import findings
from evaluatie.publish import report as rp
from evaluatie.publish.disclosure import decision, no_counts, suppressed_mask

__all__ = ["notices", "plan_findings", "table", "export", "NO_PERSONS"]

NO_PERSONS = ("an action plan: euros of the organisation's own budget, working days, months and numbers of "
              "actions, targets of commitments, results that count no persons or employers, subsidy rules; no "
              "count of persons or employers by a characteristic")


def _decided(data: pd.DataFrame) -> pd.DataFrame:
    """``data`` declared free of counts of persons (:data:`NO_PERSONS`), or as it is when the
    small-cell rule decided it (:func:`evaluatie.publish.disclosure.mark`). A frame that carries
    withheld cells but lost its decision (a number column added since) is refused: declaring it
    free of counts would publish what the rule withheld."""
    if decision(data) == "protected":
        return data
    if suppressed_mask(data) is not None:
        raise ValueError("a table decided by the small-cell rule changed after the decision; decide it again")
    return no_counts(data, NO_PERSONS)


def table(data: pd.DataFrame, name: str | None, caption: str, **layout) -> None:
    """:func:`evaluatie.publish.report.table` for a table of this analysis (declared free of counts
    of persons: :data:`NO_PERSONS`, unless the small-cell rule decided it)."""
    rp.table(_decided(data), name, caption, **layout)


def export(data: pd.DataFrame, name: str) -> None:
    """:func:`evaluatie.publish.report.export` for a table of this analysis (see :func:`table`)."""
    rp.export(_decided(data), name)


def notices(items: Iterable[str | tuple[str, str]]) -> None:
    """Show each item as a notice: ``(text, kind)``, or a text alone as an ``info`` notice (the
    ``notes`` of the parameters)."""
    for item in items:
        text, kind = (item, "info") if isinstance(item, str) else item
        rp.notice(text, kind=kind)


def plan_findings(recon: pd.DataFrame, compare: pd.DataFrame, sources: Mapping[str, str] | None = None) -> None:
    """The findings of the plan against its own group, total and section rows: how many
    comparisons hold, a notice per finding, the totals and the actions that differ (tables), the
    comparisons that hold; the full tables go to the export (``plan_reconciliation``,
    ``plan_action_comparison``, ``plan_findings``); ``sources`` names the input files as the reader
    knows them (:func:`evaluatie.analyses.actionplan.narrative.reader_files`)."""
    found = findings(recon)
    rp.heading("Bevindingen", 3)
    rp.text(plan_findings_intro(recon, found))
    notices(plan_finding_notices(found, sources))
    for frame, name in ((recon, "plan_reconciliation"), (compare, "plan_action_comparison"), (found, "plan_findings")):
        export(frame, name)
    tot_diff, act_diff = found[found["check"] != "action_vs_section_table"], compare[compare["result"] != "ok"]
    if not tot_diff.empty:  # 'vermeld' = the group, total or section row of the source
        table(tot_diff, None, "Totalen die niet zomaar kloppen: wat de bron vermeldt tegenover de som",
                 **table_layout("plan_total_differences"))
    if not act_diff.empty:
        table(act_diff, None, "Acties die in de planning en in de sectietekst anders staan",
                 **table_layout("plan_action_differences"))
    rp.text(plan_checks_rest(recon, compare))
