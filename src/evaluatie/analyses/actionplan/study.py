"""One follow-up report's data and results, from the notebook's parameters (:func:`load`).

Which parts a report holds (:func:`choose_parts`): the ``parts`` the parameters name, or, when
they name none, every part whose input is given — then each part left out gets a reason, which
the report states in one sentence (:func:`evaluatie.analyses.actionplan.narrative.skipped_text`).
:func:`load` reads every input the parts need (sheet, column and value mapping per table, a
ledger per file; the problems of all tables in one error) and computes every result before the
report starts, because the summary at its
top needs them. The budget lines are those whose columns hold an amount (:func:`lines_in`), so a
budget with one line is a report with one line.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping, Sequence

import pandas as pd

from evaluatie.analyses.actionplan.execution import (
    budget_execution, budget_without_execution, commitment_progress, status_distribution)
from evaluatie.analyses.actionplan.inputs import BUDGET_LINES, PART_INPUTS, check_parts, check_subsidy_rules, read
from evaluatie.analyses.actionplan.narrative import DEFAULT_LINE_LABELS, MEASURE_NL, SECTION_TEXT, SOURCE_NL
from evaluatie.analyses.actionplan.persons import decide_commitments, person_commitments, withheld_commitments
from evaluatie.analyses.actionplan.planning import month_range, timeline
from evaluatie.analyses.actionplan.reconcile import action_comparison, reconcile_plan, reconcile_totals
from evaluatie.core.errors import DataError
from evaluatie.intake.schema import Ledger
from evaluatie.publish.disclosure import DEFAULT_THRESHOLD

__all__ = ["TABLES", "Study", "load", "choose_parts", "lines_in", "plan_months", "year_is_closed", "as_of_date"]

#: why a part is left out when the parameters do not name the parts (part -> reason, in Dutch)
_NO_INPUT = {
    "budget": "er is geen begroting met voorziene en uitgegeven bedragen per actie",
    "status": "er is geen begroting met de evaluatie van elke actie",
    "workload": "er is geen planning met werkdagen per actie",
    "planning": "er is geen planning",
    "commitments": "er zijn geen becijferde verbintenissen",
    "subsidies": "er zijn geen subsidieregels opgegeven",
}
_NO_MONTHS = "de planning noemt geen maanden (eerste en laatste maand of maandkolommen)"


def plan_months(months: Sequence[str] | None, month_columns: Mapping[str, str] | None) -> list[str] | None:
    """The months of the planning (``YYYY-MM``): from ``months`` (first and last), else from the
    first to the last of ``month_columns``; None when neither is given. A month that is not
    ``YYYY-MM`` is a :class:`DataError` naming the parameter."""
    name, given = ("months", list(months)) if months else ("month_columns", sorted(month_columns or {}))
    if not given:
        return None
    try:
        out = month_range(str(given[0]), str(given[-1]))
    except ValueError:
        out = []
    if not out:
        raise DataError(f"in de parameter '{name}' maanden als JJJJ-MM (bv. 2024-01, maand 1 tot 12), "
                        "de eerste niet na de laatste")
    return out


def as_of_date(as_of: Any) -> pd.Timestamp | None:
    """The date of ``as_of`` (``18/10/2018``, ``18-10-2018`` or ``2018-10-18``); None when it is
    not a date (the parameter is free text, as in the source)."""
    text = str(as_of).strip()
    for form in ("%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%Y-%m-%d"):
        try:
            return pd.Timestamp(pd.to_datetime(text, format=form))
        except (ValueError, TypeError):
            continue
    return None


def year_is_closed(year_closed: bool | None, budget_year: int | None, as_of: Any) -> bool:
    """Whether the budget year is closed, so that its spending is final and spending less than
    planned is underspending (onderbesteding), not "nog niet volledig besteed":

    * ``year_closed`` given (true/false): that;
    * else ``budget_year`` and ``as_of`` given: closed when ``as_of`` is on or after 31 December of
      ``budget_year`` (an ``as_of`` that is not a date is a :class:`DataError` naming both);
    * else ``as_of`` alone: not closed — a status on a date ("stand van zaken") is an interim one;
    * else: closed — a budget with spent amounts and no date is taken as the final account.

    The date of the run plays no part: the same inputs give the same report."""
    if year_closed is not None:
        return bool(year_closed)
    if as_of in (None, ""):
        return True
    if budget_year is None:
        return False
    day = as_of_date(as_of)
    if day is None:
        raise DataError(f"parameter 'as_of' is geen datum als DD/MM/JJJJ: daarmee is niet te zeggen of "
                        f"begrotingsjaar {budget_year} afgesloten is; geef een datum of zeg het met 'year_closed'")
    return day >= pd.Timestamp(int(budget_year), 12, 31)


def choose_parts(parts: Sequence[str] | None, given: Mapping[str, Any],
                 has_months: bool) -> tuple[list[str], dict[str, str]]:
    """The parts of the report and, when ``parts`` is empty (derived from the inputs), the reason
    each other part is left out. ``given``: input parameter -> path or None. Named parts are checked
    by :func:`evaluatie.analyses.actionplan.inputs.check_parts` (unknown part, missing input)."""
    if parts:
        check_parts(parts, given)
        return list(parts), {}
    chosen, skipped = [], {}
    for part, inputs in PART_INPUTS.items():
        if not all(given.get(k) for k in inputs):
            skipped[part] = _NO_INPUT[part]
        elif part == "planning" and not has_months:
            skipped[part] = _NO_MONTHS
        else:
            chosen.append(part)
    if not chosen:
        raise ValueError("geen enkel invoerbestand opgegeven: geef minstens een begroting (budget) of een "
                         "planning (planning)")
    return chosen, skipped


def lines_in(budget: pd.DataFrame, labels: Mapping[str, str] | None) -> dict[str, str]:
    """The budget lines whose planned or spent column holds an amount, with their Dutch label
    (``labels``, else :data:`~evaluatie.analyses.actionplan.narrative.DEFAULT_LINE_LABELS`)."""
    labels = {**DEFAULT_LINE_LABELS, **dict(labels or {})}
    return {line: labels[line] for line, cols in BUDGET_LINES.items()
            if any(c in budget and budget[c].notna().any() for c in cols)}


@dataclass
class Study:
    """Everything the report shows: the parts, the inputs read and the results (None: the part is
    not in this report), the budget lines and the wording (section texts, amount-column labels);
    ``closed``: whether the budget year is closed (:func:`year_is_closed`); ``sources``: each input
    file's name as the findings give it -> what the reader's text calls it
    (:data:`~evaluatie.analyses.actionplan.narrative.SOURCE_NL`). ``prog`` is the commitments table
    as published (decided by :func:`~evaluatie.analyses.actionplan.persons.decide_commitments`);
    ``counts_persons``: whether a commitment counts persons or employers, ``withheld``: how many
    realised values the small-cell rule withholds."""

    parts: list[str]
    skipped: dict[str, str]
    text: dict[str, str]
    measures: dict[str, str]
    ledgers: list[Ledger] = field(default_factory=list)
    lines: dict[str, str] = field(default_factory=dict)
    closed: bool = True
    sources: dict[str, str] = field(default_factory=dict)
    months: list[str] | None = None
    budget: pd.DataFrame | None = None
    execution: pd.DataFrame | None = None
    rec: pd.DataFrame | None = None
    dist: pd.DataFrame | None = None
    not_spent: pd.DataFrame | None = None
    plan: pd.DataFrame | None = None
    recon: pd.DataFrame | None = None
    compare: pd.DataFrame | None = None
    timing: pd.DataFrame | None = None
    tl: pd.DataFrame | None = None
    prog: pd.DataFrame | None = None
    counts_persons: bool = False
    withheld: int = 0
    rules: pd.DataFrame | None = None

    def checked(self) -> bool:
        """Whether any sum is checked against totals the source states (budget total row, planning
        group and total rows); without any part that sums, True (nothing claims otherwise)."""
        sums = {"budget", "workload"} & set(self.parts)
        return not sums or self.rec is not None or self.recon is not None

    def results(self) -> dict[str, pd.DataFrame | None]:
        """The results the summary reads (and whether the budget year is closed), as keyword arguments of
        :func:`evaluatie.analyses.actionplan.narrative.summary_lines`. The plan's size belongs to
        the workload part: a report with only the planning by month does not sum workdays."""
        return dict(execution=self.execution, rec=self.rec, dist=self.dist, not_spent=self.not_spent,
                    plan=self.plan if "workload" in self.parts else None, recon=self.recon, compare=self.compare,
                    tl=self.tl, prog=self.prog, closed=self.closed)

    def line_columns(self) -> dict[str, tuple[str, str]]:
        """The amount columns of the report's budget lines (line -> planned, spent)."""
        return {k: BUDGET_LINES[k] for k in self.lines}


#: the input tables, in reading (and ledger) order: the keys of ``sheets``, ``columns`` and ``values``
TABLES = ("budget", "planning", "planning_totals", "actions", "timing", "commitments", "realised", "subsidies")


def _tables_needed(parts: Sequence[str], p: Mapping[str, Any]) -> list[str]:
    """The input tables the parts read, in reading (and ledger) order."""
    need = {t for part in parts for t in PART_INPUTS[part]}  # what each part cannot do without
    optional = {"planning_totals": "workload" in parts and p.get("planning_totals"),
                "actions": "workload" in parts and p.get("planning_totals") and p.get("actions"),
                "timing": "planning" in parts and p.get("timing"),
                "realised": "commitments" in parts and p.get("realised")}
    return [t for t in TABLES if t in need or optional.get(t)]


def load(p: Mapping[str, Any]) -> Study:
    """Read and compute one report from the notebook's parameters ``p`` (the names of the
    ``parameters`` cell of ``actieplan_opvolging``). Every table is read and checked before any
    result is computed; the problems of all tables are raised together as one
    :class:`~evaluatie.core.errors.DataError`, so a user fixes every file in one go. The
    commitments are decided here, once, with ``threshold`` and ``person_units``."""
    given = {k: p.get(k) for inputs in PART_INPUTS.values() for k in inputs}
    months = plan_months(p.get("months"), p.get("month_columns"))
    parts, skipped = choose_parts(p.get("parts"), given, months is not None)
    if "planning" in parts and months is None:
        raise ValueError(f"onderdeel planning: {_NO_MONTHS}")
    st = Study(parts=parts, skipped=skipped, text={**SECTION_TEXT, **dict(p.get("section_text") or {})},
               measures={**MEASURE_NL, **dict(p.get("column_labels") or {})}, months=months)
    sheets, columns, values = (dict(p.get(k) or {}) for k in ("sheets", "columns", "values"))
    for key, given_tables in (("sheets", sheets), ("columns", columns), ("values", values)):
        unknown = [str(t) for t in given_tables if t not in TABLES]
        if unknown:
            raise ValueError(f"parameter '{key}': onbekende tabel {', '.join(unknown)}; de tabellen heten "
                             f"{', '.join(TABLES)}")
    keep = {"planning": list((p.get("month_columns") or {}).values())}
    tables, problems = {}, []
    for table in _tables_needed(parts, p):
        try:
            tables[table], led = read(p[table], table, sheet=sheets.get(table), columns=columns.get(table),
                                      values=values.get(table), keep=keep.get(table, ()))
            st.ledgers.append(led)
        except DataError as e:
            problems += e.problems
    if problems:
        raise DataError(problems)
    st.sources = {str(df.attrs.get("source", {}).get("file")): SOURCE_NL[t] for t, df in tables.items()
                  if df.attrs.get("source", {}).get("file")}
    st.budget, st.plan, st.timing = tables.get("budget"), tables.get("planning"), tables.get("timing")
    if "planning_totals" in tables:
        st.recon = reconcile_plan(st.plan, tables["planning_totals"], tables.get("actions"),
                                  section_groups=p.get("section_groups") or {},
                                  subsection_groups=p.get("subsection_groups") or {})
        st.compare = action_comparison(st.recon)
    if "planning" in parts:
        st.tl = timeline(st.plan, months, month_columns=p.get("month_columns"), timing=st.timing)
    if "commitments" in parts:
        prog = commitment_progress(tables["commitments"], tables.get("realised"))
        threshold = p.get("threshold")
        threshold = DEFAULT_THRESHOLD if threshold is None else int(threshold)
        st.counts_persons = bool(person_commitments(prog, p.get("person_units")).any())
        st.prog = decide_commitments(prog, threshold, p.get("person_units"))
        st.withheld = withheld_commitments(st.prog)
    if "subsidies" in parts:
        st.rules = check_subsidy_rules(tables["subsidies"])
    if st.budget is not None:
        st.lines = lines_in(st.budget, p.get("budget_lines"))
    if "budget" in parts:
        st.closed = year_is_closed(p.get("year_closed"), p.get("budget_year"), p.get("as_of"))
        st.execution = budget_execution(st.budget, lines=st.line_columns(), closed=st.closed)
        st.rec = reconcile_totals(st.budget, p["budget_totals"]) if p.get("budget_totals") else None
    if "status" in parts:
        st.dist = status_distribution(st.budget)
        st.not_spent = budget_without_execution(st.budget, lines=st.line_columns())
    return st
