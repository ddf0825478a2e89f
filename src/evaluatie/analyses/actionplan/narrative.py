"""Dutch wording of the action-plan follow-up: labels of the codes the tables carry (assessment,
check, result, measure, commitment status; the status labels are
:data:`evaluatie.analyses.actionplan.inputs.STATUS_CLASSES`, which also reads them), amounts and
file rows as the findings write them, month labels, and ``[sic]`` marks for spellings quoted from
the source.
"""

from __future__ import annotations

import math
import re
from typing import Any, Iterable

from evaluatie.core import fmt

__all__ = ["ASSESSMENT_NL", "CHECK_NL", "RESULT_NL", "MEASURE_NL", "COMMITMENT_STATUS_NL",
           "amount_text", "rows_text", "month_label", "mark_sic"]

ASSESSMENT_NL = {
    "no_budget": "geen budget, geen uitgave",
    "unplanned_spending": "uitgave zonder voorzien budget",
    "unspent": "voorzien, niets uitgegeven",
    "overspent": "overbesteding",
    "underspent": "onderbesteding",
    "on_plan": "volgens plan",
}

CHECK_NL = {
    "stated_total": "Kolomsom tegenover de totaalrij van de bron",
    "additional_in_total": "Bijkomende acties in het totaal",
    "group_vs_actions": "Groepsrij tegenover de som van haar acties",
    "total_vs_groups": "Totaalrij tegenover de som van de groepsrijen",
    "total_vs_actions": "Totaalrij tegenover de som van alle acties",
    "section_vs_groups": "Sectietotaal tegenover de groepsrijen van de planning",
    "section_vs_actions": "Sectietotaal tegenover de acties van de planning",
    "section_vs_table": "Sectietotaal tegenover de actietabellen van de sectie",
    "section_not_planned": "Sectie zonder groep in de planning",
    "action_vs_section_table": "Actie in de planning tegenover dezelfde actie in de sectietabel",
}

RESULT_NL = {
    "ok": "klopt",
    "explained": "verschil, verklaard",
    "mismatch": "verschil",
    "note": "opmerking",
}

MEASURE_NL = {
    "days": "werkdagen",
    "budget_eur": "budget (euro)",
    "planned_eur": "voorzien op begroting",
    "spent_eur": "uitgave op begroting",
    "planned_tom_eur": "voorzien op begroting TOM",
    "spent_tom_eur": "uitgave op begroting TOM",
}

COMMITMENT_STATUS_NL = {"to_fill": "nog in te vullen", "reached": "bereikt", "not_reached": "nog niet bereikt"}

_MONTHS_NL = ["jan", "feb", "mrt", "apr", "mei", "jun", "jul", "aug", "sep", "okt", "nov", "dec"]


def amount_text(x: float) -> str:
    """An amount or number of days as a finding writes it: ``12000`` -> ``12.000``, ``2.5`` ->
    ``2,50`` (two decimals unless whole), an empty cell -> ``leeg``."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "leeg"
    return fmt.num(x, 0 if float(x).is_integer() else 2)


def rows_text(file: str, rows: Iterable[int]) -> str:
    """The rows of a user's file as a finding names them: ``budget.csv rij 3``,
    ``budget.csv rijen 13, 34, 48``; no rows -> empty text."""
    rows = [int(r) for r in rows]
    if not rows:
        return ""
    return f"{file} rij " + ", ".join(str(r) for r in rows) if len(rows) == 1 else \
        f"{file} rijen " + ", ".join(str(r) for r in rows)


def month_label(ym: str) -> str:
    """``2024-10`` -> ``okt '24``."""
    y, m = ym.split("-")
    return f"{_MONTHS_NL[int(m) - 1]} '{y[2:]}"


def mark_sic(text: Any, words: Iterable[str] | None) -> Any:
    """Mark a spelling quoted from the source as such: ``ondernem voor iedereen`` ->
    ``ondernem [sic] voor iedereen`` for ``words=["ondernem"]`` (whole words, case as given), so
    that a reader sees the difference with a label spelled otherwise is the source's own."""
    if not isinstance(text, str) or not words:
        return text
    for w in words:
        text = re.sub(rf"(?<!\w){re.escape(w)}(?!\w)(?! \[sic\])", f"{w} [sic]", text)
    return text
