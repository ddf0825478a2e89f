"""Dutch wording of the action-plan follow-up: labels of the codes the tables carry (assessment,
check, result, measure, commitment status; the status labels are
:data:`evaluatie.analyses.actionplan.inputs.STATUS_CLASSES`, which also reads them), amounts and
file rows as the findings write them, month labels, and ``[sic]`` marks for spellings quoted from
the source; and everything the report says about the results, moved out of the notebook
``actieplan_opvolging``: the summary (:func:`summary_lines`), the sentences, notes and notices of
each part, the alt texts of the figures, the fixed section texts (:data:`SECTION_TEXT`) and the
Dutch headers and formats of every table (:func:`table_layout`).

Names from the data or the parameters (priorities, actions, groups, budget lines, amount columns,
the title, subtitle and organisation) and the findings' explanations, which quote them, enter
Markdown through :func:`evaluatie.core.fmt.literal`. Alt texts and table cells are plain text and
take them as they are; ``notes`` and ``section_text`` are the report author's own Markdown.
"""

from __future__ import annotations

import math
import re
from typing import Any, Iterable, Mapping, Sequence

import pandas as pd

from evaluatie.analyses.actionplan.inputs import STATUS_CLASSES
from evaluatie.analyses.actionplan.planning import TIMELINE_MIN_ACTIONS
from evaluatie.core import fmt
from evaluatie.publish.glossary import with_definitions

__all__ = ["SECTION_TEXT", "ASSESSMENT_NL", "CHECK_NL", "RESULT_NL", "MEASURE_NL", "COMMITMENT_STATUS_NL",
           "amount_text", "source_decimals", "rows_text", "month_label", "mark_sic", "PARTS_NL", "cap", "eur_signed", "number",
           "number_signed", "number_or_blank", "finding_text", "SOURCE_NL", "reader_files", "priority_labels", "summary_lines",
           "budget_line_texts", "execution_judgements", "execution_note", "budget_figure_alt", "status_note",
           "status_figure_alt", "plan_groups_alt", "timeline_alt", "dated_text", "timeline_known_note", "timing_note", "GLOSSARY_EXTRA", "glossary_terms", "budget_totals_note", "status_budget_note", "table_layout", "BUDGET_COLUMNS",
           "introduction", "no_persons_notice", "budget_totals_text", "budget_finding_notices",
           "plan_finding_notices", "plan_findings_intro", "plan_checks_rest", "not_spent_text",
           "additional_text", "empty_months_notice", "to_fill_text", "execution_table", "DEFAULT_LINE_LABELS",
           "DEFAULT_TITLE", "budget_figure_caption", "budget_year_text", "subtitle_text", "synthetic_notice", "skipped_text", "plan_size_text"]

ASSESSMENT_NL = {
    "no_budget": "geen budget, geen uitgave",
    "unplanned_spending": "uitgave zonder voorzien budget",
    "unspent": "voorzien, niets uitgegeven",
    "overspent": "overbesteding",
    "underspent": "onderbesteding",
    "on_plan": "volgens plan",
    # a year that is not closed: spending can still follow, so less than planned is no underspending
    "not_yet_spent": "voorzien, nog niets uitgegeven",
    "not_fully_spent": "nog niet volledig besteed",
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

#: Dutch names of the measures (the amount columns can be renamed with the ``column_labels`` parameter)
MEASURE_NL = {
    "days": "werkdagen",
    "budget_eur": "budget (euro)",
    "planned_eur": "voorzien op begroting",
    "spent_eur": "uitgave op begroting",
    "planned_tom_eur": "voorzien op de tweede begrotingslijn",
    "spent_tom_eur": "uitgave op de tweede begrotingslijn",
}

#: the name of each budget line when the parameters give none
DEFAULT_LINE_LABELS = {"regular": "Begroting", "tom": "Tweede begrotingslijn"}

COMMITMENT_STATUS_NL = {"to_fill": "nog in te vullen", "reached": "bereikt", "not_reached": "nog niet bereikt"}

_MONTHS_NL = ["jan", "feb", "mrt", "apr", "mei", "jun", "jul", "aug", "sep", "okt", "nov", "dec"]


def source_decimals(x: float, most: int = 2) -> int:
    """The decimals a number has in the source, at most ``most``: ``104.0`` -> 0, ``13.5`` -> 1,
    ``2.25`` -> 2. Days and amounts are shown as the source gives them: no ``104,0 werkdagen``."""
    for d in range(most):
        if round(float(x), d) == round(float(x), most):
            return d
    return most


def amount_text(x: float) -> str:
    """An amount or number of days as a finding writes it: ``12000`` -> ``12.000``, ``2.5`` ->
    ``2,5`` (the source's decimals, at most two: :func:`source_decimals`), an empty cell -> ``leeg``."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "leeg"
    return fmt.num(x, source_decimals(x))


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


#: the parts a report can hold, in report order (key -> Dutch name in the introduction)
PARTS_NL = {"budget": "uitvoering van de begroting", "status": "stand van de acties",
            "workload": "inzet (werkdagen) en budget van het actieplan", "planning": "planning per maand",
            "commitments": "indicatoren en verbintenissen", "subsidies": "subsidieberekening"}


def cap(s: str) -> str:
    """First letter only upper case: ``voorzien op begroting ESF`` -> ``Voorzien op begroting ESF``
    (``str.capitalize`` would lower ``ESF``)."""
    return s[:1].upper() + s[1:]


def eur_signed(v: float) -> str:
    """An amount difference with its sign: ``+`` or ``−`` before ``fmt.eur`` of the absolute value;
    zero without sign; empty -> ``fmt.MISSING``."""
    if pd.isna(v):
        return fmt.MISSING
    return ("+" if v > 0 else "−" if v < 0 else "") + fmt.eur(abs(v))


def number(v: float) -> str:
    """A number of days or euros as the tables show it: the source's decimals (none when whole,
    at most two: :func:`source_decimals`); empty -> ``fmt.MISSING``."""
    return fmt.MISSING if pd.isna(v) else fmt.num(v, source_decimals(v))


def number_signed(v: float) -> str:
    """:func:`number` with its sign (``fmt.signed``)."""
    return fmt.MISSING if pd.isna(v) else fmt.signed(v, source_decimals(v))


def number_or_blank(v: float) -> str:
    """A number, or an empty cell when there is none (priority numbers of the additional actions)."""
    return "" if pd.isna(v) else fmt.num(v)


#: what each input table is called in the reader's text (its file name is in the provenance section
#: and in the exported findings; a name such as ``budget_2018.csv`` is no word for a reader)
SOURCE_NL = {"budget": "begrotingsbestand", "planning": "planningsbestand",
             "planning_totals": "bestand met de groeps- en totaalrijen van de planning",
             "actions": "bestand met de sectietotalen en actietabellen", "timing": "bestand met de tijdsaanduidingen uit de tekst",
             "commitments": "bestand met de verbintenissen", "realised": "opvolgingsbestand",
             "subsidies": "bestand met de subsidieregels"}


def reader_files(text: str, sources: Mapping[str, str] | None) -> str:
    """``text`` with each input file's name (``sources``: file as the findings name it -> what the
    reader calls it, :data:`SOURCE_NL`) replaced: ``budget_2018.csv rijen 13, 34`` ->
    ``begrotingsbestand, rijen 13, 34``. Longer names first, so a name inside another is not cut."""
    for file in sorted(sources or {}, key=len, reverse=True):
        text = text.replace(f"{file} rij", f"{sources[file]}, rij").replace(file, sources[file])
    return text


def finding_text(f: Mapping[str, Any], sources: Mapping[str, str] | None = None) -> str:
    """The explanation of a finding as one sentence, with the rows that explain it:
    ``Som 10 tegenover 12. Rijen: budget.csv rij 3.``; with ``sources`` the files are named as the
    reader knows them (:func:`reader_files`): ``Rijen: begrotingsbestand, rij 3.``"""
    text = f"{f['explanation'].rstrip('.')}." + (f" Rijen: {f['rows']}." if f["rows"] else "")
    return reader_files(text, sources)


def priority_labels(df: pd.DataFrame) -> list[str]:
    """``1. Prioriteit`` per row (no number for a total row)."""
    return [("" if pd.isna(n) else f"{int(n)}. ") + p for n, p in zip(df["priority_no"], df["priority"])]


def summary_lines(*, budget_lines: Mapping[str, str], as_of: str | None = None,
                  execution: pd.DataFrame | None = None, rec: pd.DataFrame | None = None,
                  dist: pd.DataFrame | None = None, not_spent: pd.DataFrame | None = None,
                  plan: pd.DataFrame | None = None, recon: pd.DataFrame | None = None,
                  compare: pd.DataFrame | None = None, tl: pd.DataFrame | None = None,
                  prog: pd.DataFrame | None = None, closed: bool = True) -> list[str]:
    """The sentences of "In het kort", one per result, for the parts whose results are given
    (``execution``: budget, ``closed`` whether its year is closed; ``dist`` and ``not_spent``: status; ``recon``, ``compare`` and ``plan``:
    workload, ``plan`` alone when the plan has no totals to check; ``tl``: planning; ``prog``:
    commitments). Only counts and sums of the given tables."""
    summary: list[str] = []
    if execution is not None:
        when = f"Op {as_of} was" if as_of else "Volgens de bron was"
        for line, label in budget_lines.items():
            part = execution[execution["line"] == line]
            if part.empty:
                continue
            t = part[part["priority"] == "Totaal"].iloc[0]
            s = (f"**{fmt.literal(label.split(' (')[0])}**: {when.lower() if summary else when} {fmt.eur(t['spent_eur'])} van "
                 f"{fmt.eur(t['planned_eur'])} uitgegeven ({fmt.pct(t['spent_share_pct'], 1)}).")
            if t["spent_additional_eur"] > 0:
                s += (f" Daarvan ging {fmt.eur(t['spent_additional_eur'])} naar {int(t['additional_actions'])} "
                      f"bijkomende acties buiten het plan; de geplande acties gebruikten "
                      f"{fmt.pct(t['execution_pct'], 1)} van hun budget.")
            summary.append(s)
        if not closed and summary:
            summary[-1] += (" Het begrotingsjaar was " + ("toen" if as_of else "bij deze stand")
                            + " nog niet afgesloten: er kunnen nog uitgaven volgen.")
        if rec is not None:
            bad = rec[(rec["check"] == "stated_total") & (rec["result"] != "ok")]
            summary.append("De totalen kloppen met de totaalrij van de bron." if bad.empty else
                           f"**{len(bad)} kolomtotalen wijken af van de totaalrij van de bron** (zie de bevindingen).")
    if dist is not None:
        tot = dist[dist["priority"] == "Totaal"].iloc[0]
        n_done = int(tot["done"] + tot["done_ongoing"])
        summary.append(f"{n_done} van de {int(tot['n_actions'])} acties ({fmt.pct(tot['done_pct'], 1)}) zijn "
                       f"uitgevoerd (ook 'uitgevoerd en lopend'); {int(tot['not_done'])} niet uitgevoerd, "
                       f"{int(tot['postponed'])} uitgesteld en {int(tot['ongoing'])} lopend.")
        if not_spent is not None and not not_spent.empty:
            summary.append(f"{len(not_spent)} keer bleef het voorziene budget van een actie op een begrotingslijn "
                           f"volledig onaangeroerd (samen {fmt.eur(not_spent['planned_eur'].sum())}).")
    if plan is not None and recon is None:
        summary.append(plan_size_text(plan))
    if recon is not None:
        n_ok = int((recon["result"] == "ok").sum())
        n_bad = int((recon["result"] == "mismatch").sum())
        n_expl = int((recon["result"] == "explained").sum())
        summary.append(f"Het actieplan telt {fmt.num(plan['days'].sum(), 0)} werkdagen en "
                       f"{fmt.eur(plan['budget_eur'].sum())}. {n_ok} van de {len(recon)} vergelijkingen met de "
                       f"eigen groeps-, totaal- en sectietotalen kloppen; {n_expl} verschillen zijn verklaard"
                       + (f", **{n_bad} niet**." if n_bad else " en geen enkel verschil is onverklaard."))
        for _, c in compare[compare["result"] == "explained"].iterrows():
            val = fmt.eur if c["measure"] == "budget_eur" else (lambda v: f"{number(v)} werkdagen")
            summary.append(f"Eén actie staat op twee plaatsen anders: "
                           f"'{fmt.literal(c['scope'].split(' (')[0].split('. ', 1)[-1])}' heeft {val(c['planning'])} in de "
                           f"planning en {val(c['section_text'])} in de sectietekst, die het verschil "
                           f"({val(c['difference'])}) apart vermeldt (zie de bevindingen).")
    if tl is not None:
        summary.append(dated_text(tl, summary=True))
    if prog is not None:
        n_fill = int((prog["status"] == "to_fill").sum())
        summary.append(f"{len(prog)} becijferde verbintenissen"
                       + (f"; voor {n_fill} is de gerealiseerde waarde nog in te vullen." if n_fill else "."))
    return summary


def budget_line_texts(execution: pd.DataFrame, budget_lines: Mapping[str, str]) -> list[str]:
    """One bullet per budget line: what the planned actions spent of what was planned, how many
    priorities over- and underspent (on planned actions only) and what went to additional actions."""
    out = []
    for line, label in budget_lines.items():
        part = execution[execution["line"] == line]
        if part.empty:
            continue
        t = part[part["priority"] == "Totaal"].iloc[0]
        p = part[part["priority"] != "Totaal"]
        over = p[p["assessment"] == "overspent"]
        under = p[p["assessment"].isin(["underspent", "unspent", "not_fully_spent", "not_yet_spent"])]
        extra = p[p["spent_additional_eur"] > 0]
        more = (f"{len(over)} topprioriteit{'en gaven' if len(over) != 1 else ' gaf'}" if len(over) else
                "Geen enkele topprioriteit gaf")
        s = (f"- **{fmt.literal(label)}**: de geplande acties gaven {fmt.eur(t['spent_planned_eur'])} uit van "
             f"{fmt.eur(t['planned_eur'])} voorzien ({fmt.pct(t['execution_pct'], 1)}). {more} "
             "aan geplande acties meer uit dan voorzien"
             + (f" ({', '.join(str(int(n)) for n in over['priority_no'])})" if len(over) else "")
             + f", {len(under)} minder.")
        if len(extra):
            s += (f" Daarnaast ging {fmt.eur(t['spent_additional_eur'])} naar bijkomende acties buiten het plan, bij "
                  f"topprioriteit{'en' if len(extra) != 1 else ''} "
                  + ", ".join(str(int(n)) for n in extra["priority_no"]) + ".")
        out.append(s)
    return out


def execution_judgements(part: pd.DataFrame) -> list[str]:
    """``87%: onderbesteding`` per row of a budget line (only the assessment when there is no rate)."""
    return [ASSESSMENT_NL.get(a, a) if pd.isna(x) else f"{fmt.pct(x, 1)}: {ASSESSMENT_NL.get(a, a)}"
            for x, a in zip(part["execution_pct"], part["assessment"])]


def execution_note(has_extra: bool) -> str:
    """The note under the execution table of one budget line."""
    return ("Uitvoeringsgraad en beoordeling gaan alleen over de geplande acties: uitgegeven aan geplande "
            "acties / voorzien (geen percentage als er niets voorzien was). 'Acties in prioriteit' telt alle "
            "acties van de topprioriteit, ook die zonder bedrag op deze lijn"
            + ("; 'Uitgegeven (bijkomend)': acties buiten het plan. Gepland + bijkomend = wat de totaalrij "
               "van de bron optelt." if has_extra else ".")
            + " Het verschil met het voorziene bedrag en de totale uitgave per topprioriteit staan in de export "
              "van deze tabel, naast dit rapport.")


def budget_figure_alt(execution: pd.DataFrame, budget_lines: Mapping[str, str]) -> str:
    """Alt text of the budget figure: per line planned, spent on planned and on additional actions,
    and the number of overspent priority-line combinations."""
    lines = [l for l in budget_lines if l in set(execution["line"])]
    per = execution.dropna(subset=["priority_no"])
    tot = execution[execution["priority"] == "Totaal"].set_index("line")
    over = per[per["assessment"] == "overspent"]
    desc = "; ".join(f"{budget_lines[l].split(' (')[0]}: {fmt.eur(tot.loc[l, 'spent_planned_eur'])} uitgegeven aan "
                     f"geplande acties van {fmt.eur(tot.loc[l, 'planned_eur'])} voorzien "
                     f"({fmt.pct(tot.loc[l, 'execution_pct'], 1)})"
                     + (f", plus {fmt.eur(tot.loc[l, 'spent_additional_eur'])} aan bijkomende acties"
                        if tot.loc[l, 'spent_additional_eur'] > 0 else "") for l in lines)
    return (f"Staafdiagram van het voorziene en uitgegeven budget per topprioriteit, per begrotingslijn. {desc}. "
            f"Bij {len(over)} combinaties van prioriteit en begrotingslijn gaven de geplande acties meer uit dan "
            "voorzien.")


def status_note(dist: pd.DataFrame) -> str:
    """The note under the status table: what % uitgevoerd means, and where the additional actions are counted."""
    extra = ""
    if "additional" in dist and dist["additional"].iloc[-1]:
        extra = (f"De {int(dist['additional'].iloc[-1])} bijkomende acties buiten het plan zijn meegeteld (bij "
                 "topprioriteit " + ", ".join(str(int(n)) + ("" if a == 1 else f" ({int(a)})")
                                             for n, a in zip(dist["priority_no"], dist["additional"])
                                             if not pd.isna(n) and a)
                 + "); de export heeft ze in een eigen kolom.")
    return "% uitgevoerd = uitgevoerd (incl. 'uitgevoerd en lopend') / acties. " + extra


def status_figure_alt(dist: pd.DataFrame, classes: Mapping[str, str]) -> str:
    """Alt text of the status figure: the total count per evaluation class."""
    tot = dist[dist["priority"] == "Totaal"].iloc[0]
    counts = ", ".join(f"{int(tot[k])} {v.lower()}" for k, v in classes.items())
    return (f"Gestapeld staafdiagram van de evaluatie van de acties per topprioriteit. In totaal "
            f"{int(tot['n_actions'])} acties: {counts}.")


def plan_groups_alt(groups: pd.DataFrame) -> str:
    """Alt text of the figure of days and budget per group of actions."""
    big_d = groups.loc[groups["days"].idxmax()]
    big_b = groups.loc[groups["budget_eur"].fillna(0).idxmax()]
    return (f"Twee staafdiagrammen: werkdagen en budget per groep van acties. Samen {number(groups['days'].sum())} "
            f"werkdagen en {fmt.eur(groups['budget_eur'].sum())}. De meeste werkdagen: {big_d['group']} "
            f"({number(big_d['days'])}); het grootste budget: {big_b['group']} ({fmt.eur(big_b['budget_eur'])}).")


def timeline_alt(tl: pd.DataFrame, months: Sequence[str], n_actions: int | None = None) -> str:
    """Alt text of the planning timeline: how many cells are known and from where; ``n_actions``:
    the actions of the plan when the timeline shows only those with a known month."""
    n_known = int((tl["known_from"] != "unknown").sum())
    n_plan = int((tl["known_from"] == "planning").sum())
    shown = tl["order"].nunique() if "order" in tl else tl["action"].nunique()
    which = (f"de {shown} van de {n_actions} acties waarvoor de bron een maand noemt,"
             if n_actions is not None and n_actions != shown else f"{shown} acties")
    return (f"Tijdlijn van {which} over {len(months)} maanden "
            f"({month_label(months[0])} tot {month_label(months[-1])}). Van de {len(tl)} cellen zijn er "
            f"{n_known} bekend ({n_plan} uit de planningstabel, {n_known - n_plan} uit de tekst); de andere "
            f"zijn onbekend en gearceerd. De acties staan per groep ({', '.join(dict.fromkeys(tl['group']))}); "
            "de nummering van de acties begint in elke groep opnieuw.")


def _n_dated(tl: pd.DataFrame) -> tuple[int, int]:
    key = "order" if "order" in tl else "action"
    return int(tl.loc[tl["known_from"] != "unknown", key].nunique()), int(tl[key].nunique())


def dated_text(tl: pd.DataFrame, minimum: int = TIMELINE_MIN_ACTIONS, summary: bool = False) -> str:
    """How many actions have a month in the source, and so whether the report draws a timeline
    (at least ``minimum`` such actions: :data:`~evaluatie.analyses.actionplan.planning.TIMELINE_MIN_ACTIONS`)
    of those actions only, or says it in this sentence instead. ``summary``: the short form for
    "In het kort"."""
    n, total = _n_dated(tl)
    if summary:
        if n == total:
            return f"Voor alle {total} acties noemt de bron de maanden waarin ze lopen."
        return (f"Voor {n} van de {total} acties noemt de bron een maand; voor de andere is niet bekend in welke "
                "maanden ze lopen." if n else
                f"Voor geen enkele van de {total} acties noemt de bron een maand.")
    head = (f"Voor {n} van de {total} acties noemt de bron minstens één maand (in de planningstabel of in de tekst "
            "van het plan)" if n else f"Voor geen enkele van de {total} acties noemt de bron een maand")
    if n >= minimum:
        return head + (". De tijdlijn toont alleen die acties." if n < total else ".")
    if n == 0:
        return head + ": er is geen tijdlijn per maand te tekenen."
    return (head + ": een tijdlijn per maand zou bijna alleen onbekende maanden tonen. De bekende maanden staan "
            "in de tabel hieronder.")


def timeline_known_note(tl: pd.DataFrame) -> str:
    """The note under the table of known months: which rows it lists, out of how many."""
    n, total = _n_dated(tl)
    k = int((tl["known_from"] != "unknown").sum())
    return (f"Alleen de maanden die de bron noemt: {k} {'maand' if k == 1 else 'maanden'} bij {n} van de {total} "
            "acties. De andere acties hebben geen maand in de bron.")


def timing_note(timing: pd.DataFrame, n_actions: int) -> str:
    """The note under the table of the text's timing: only the actions the text times."""
    n = timing["action"].nunique()
    return (f"Alleen de acties waarvoor de tekst van het plan zegt wanneer ze lopen: {n} van de {n_actions} acties, "
            "met elke tijdsaanduiding op een eigen rij.")


#: the amount columns of a budget, in the order the tables show them
BUDGET_COLUMNS = ("planned_eur", "spent_eur", "planned_tom_eur", "spent_tom_eur")


def _lookup(table: Mapping[str, str]):
    return lambda v: table.get(v, v)


def table_layout(key: str, *, budget_lines: Mapping[str, str] | None = None,
                 sic: Iterable[str] | None = None, measures: Mapping[str, str] | None = None,
                 withheld: int = 0) -> dict[str, Any]:
    """What a reader sees of a report table (``key``: the exported name, or the part for tables
    that are only shown): the columns, their Dutch headers, their formats and a fixed note, as
    keyword arguments for :func:`evaluatie.publish.report.table`. ``budget_lines`` names the
    budget lines, ``sic`` the spellings quoted from the source (:func:`mark_sic`), ``measures``
    the amount columns (default :data:`MEASURE_NL`), ``withheld`` how many realised values of
    the commitments are not shown (the note then says they are empty in the export too)."""
    line = _lookup(budget_lines or {})
    measures = measures or MEASURE_NL
    measure, result, check = _lookup(measures), _lookup(RESULT_NL), _lookup(CHECK_NL)
    layouts: dict[str, dict[str, Any]] = {
        "budget_totals": dict(
            columns=["measure", "stated", "computed", "difference", "result"],
            labels={"measure": "Kolom", "stated": "Totaalrij in de bron", "computed": "Som van de rijen",
                    "difference": "Verschil", "result": "Uitkomst"},
            formats={"measure": lambda v: cap(measure(v)), "stated": fmt.eur, "computed": fmt.eur,
                     "difference": eur_signed, "result": result}),
        "budget_execution": dict(
            labels={"label": "Topprioriteit", "actions": "Acties in prioriteit", "planned_eur": "Voorzien",
                    "spent_planned_eur": "Uitgegeven (gepland)",
                    "judgement": "Uitvoeringsgraad en beoordeling (geplande acties)",
                    "spent_additional_eur": "Uitgegeven (bijkomend)"},
            formats={"actions": "int", "planned_eur": fmt.eur, "spent_planned_eur": fmt.eur,
                     "spent_additional_eur": fmt.eur}),
        "status_by_priority": dict(
            columns=["label", *STATUS_CLASSES, "n_actions", "done_pct"],
            labels={"label": "Topprioriteit", **STATUS_CLASSES, "n_actions": "Acties", "done_pct": "% uitgevoerd"},
            formats={"done_pct": "pct1", **{k: "int" for k in STATUS_CLASSES}}),
        "status_budget": dict(
            labels={"line": "Begrotingslijn", "status_class": "Evaluatie", "actions": "Acties",
                    "planned_eur": "Voorzien", "spent_eur": "Uitgegeven"},
            formats={"line": line, "status_class": _lookup(STATUS_CLASSES), "actions": "int",
                     "planned_eur": fmt.eur, "spent_eur": fmt.eur}),
        "budget_not_spent": dict(
            columns=["row", "priority_no", "action", "line", "status", "planned_eur"],
            labels={"row": "Rij in het bestand", "priority_no": "Prioriteit", "action": "Actie",
                    "line": "Begrotingslijn", "status": "Evaluatie", "planned_eur": "Voorzien"},
            formats={"row": "int", "priority_no": number_or_blank, "line": line, "planned_eur": fmt.eur}),
        "additional_actions": dict(
            labels={"row": "Rij in het bestand", "priority_no": "Prioriteit", "action": "Actie",
                    "status": "Evaluatie", **{c: cap(measures[c]) for c in BUDGET_COLUMNS}},
            formats={"row": "int", "priority_no": number_or_blank, **{c: fmt.eur for c in BUDGET_COLUMNS}}),
        "plan_total_differences": dict(
            columns=["check", "scope", "measure", "stated", "computed", "difference", "result"],
            labels={"check": "Vergelijking", "scope": "Waarover", "measure": "Grootheid",
                    "stated": "Vermeld in de bron", "computed": "Som van de rijen",
                    "difference": "Verschil (som − vermeld)", "result": "Uitkomst"},
            formats={"check": check, "measure": measure, "result": result,
                     "stated": number, "computed": number, "difference": number_signed}),
        "plan_action_differences": dict(
            columns=["scope", "measure", "planning", "section_text", "difference", "result"],
            labels={"scope": "Actie (planning; sectietabel)", "measure": "Grootheid", "planning": "Planning",
                    "section_text": "Sectietekst", "difference": "Verschil (planning − sectietekst)",
                    "result": "Uitkomst"},
            formats={"measure": measure, "result": result, "planning": number, "section_text": number,
                     "difference": number_signed}),
        "plan_groups": dict(
            labels={"group": "Groep", "actions": "Acties", "days": "Werkdagen", "budget_eur": "Budget"},
            formats={"actions": "int", "days": number, "budget_eur": fmt.eur}),
        "timing_text": dict(
            columns=["action", "section", "timing_text", "month"],
            labels={"action": "Actie", "section": "Sectie", "timing_text": "Tekst", "month": "Maand genoemd"},
            formats={"month": lambda v: month_label(v) if isinstance(v, str) and v else "geen maand",
                     "timing_text": lambda v: mark_sic(v, sic)}),
        "timeline_known": dict(
            columns=["action", "month", "known_from", "text"],
            labels={"action": "Actie", "month": "Maand", "known_from": "Bron", "text": "Tekst"},
            formats={"month": month_label,
                     "known_from": _lookup({"planning": "planningstabel", "text": "tekst van het plan"}),
                     "text": lambda v: mark_sic(v, sic)}),
        "commitments": dict(
            columns=["section", "indicator", "target_value", "unit", "period", "realised_value", "progress_pct",
                     "status"],
            labels={"section": "Sectie", "indicator": "Indicator", "target_value": "Streefwaarde", "unit": "Eenheid",
                    "period": "Periode", "realised_value": "Gerealiseerd", "progress_pct": "Voortgang",
                    "status": "Stand"},
            formats={"target_value": "int",
                     "realised_value": lambda v: "nog in te vullen" if pd.isna(v) else fmt.num(v),
                     "progress_pct": lambda v: "nog in te vullen" if pd.isna(v) else fmt.pct(v, 1),
                     "status": _lookup(COMMITMENT_STATUS_NL)},
            note="Voortgang = gerealiseerd / streefwaarde. De export van deze tabel, naast dit rapport, kan als "
                 "opvolgingsbestand dienen: vul er per sectie de gerealiseerde waarde in."
                 + (" Een gerealiseerde waarde die hier niet getoond wordt, staat ook in de export niet: vul die "
                    "daar opnieuw in." if withheld else "")),
        "subsidy_rules": dict(
            labels={"plan_type": "Soort plan", "max_subsidy_eur": "Maximum X", "for_costs_eur": "Voor kosten Y",
                    "rate_pct": "X / Y", "per_organisation": "Per organisatie",
                    "min_organisations": "Min. organisaties", "duration_text": "Duur"},
            formats={"max_subsidy_eur": fmt.eur, "for_costs_eur": fmt.eur, "rate_pct": "pct1",
                     "min_organisations": lambda v: fmt.MISSING if pd.isna(v) else fmt.num(v)}),
        "subsidy_examples": dict(
            columns=["plan_type", "organisations", "costs_eur", "subsidy_eur", "subsidy_total_eur", "capped",
                     "error"],
            labels={"plan_type": "Soort plan", "organisations": "Organisaties",
                    "costs_eur": "Kosten (per organisatie)", "subsidy_eur": "Subsidie (per organisatie)",
                    "subsidy_total_eur": "Subsidie samen", "capped": "Maximum bereikt",
                    "error": "Niet mogelijk omdat"},
            formats={"organisations": "int", "costs_eur": fmt.eur, "subsidy_eur": fmt.eur,
                     "subsidy_total_eur": fmt.eur, "error": lambda v: v if isinstance(v, str) and v else ""}),
    }
    return layouts[key]


def introduction(parts: Iterable[str], checked: bool = True) -> str:
    """The paragraph under the summary: what the report does and which parts it holds;
    ``checked``: whether the source states totals to check the sums against."""
    shown = [PARTS_NL[p] for p in PARTS_NL if p in parts]
    return ("Dit rapport volgt een actieplan op met de gegevens uit de bron, zonder iets bij te schatten. "
            "Het bevat: " + ", ".join(shown) + ". "
            + ("Elke optelling wordt nagerekend tegen de totalen die de bron zelf vermeldt; elk verschil staat in "
               "het rapport als bevinding, met de rijen die het verklaren." if checked else
               "De bron vermeldt geen totalen om de optellingen tegen na te rekenen."))


def budget_figure_caption(execution: pd.DataFrame) -> str:
    """The caption of the budget figure; the hatched extension only when additional actions cost something."""
    return ("Voorzien en uitgegeven budget per topprioriteit (in duizend euro)"
            + ("; de gearceerde verlenging is wat bijkomende acties buiten het plan kostten."
               if (execution["spent_additional_eur"] > 0).any() else "."))


def budget_totals_note(checks: pd.DataFrame, line_columns: Mapping[str, Sequence[str]],
                       measures: Mapping[str, str] | None = None) -> str | None:
    """The note under the table of column sums when it lists fewer columns than the budget has:
    only the columns for which the source states a total (None when it states one for each)."""
    measures = measures or MEASURE_NL
    missing = [c for cols in line_columns.values() for c in cols if c not in set(checks["measure"])]
    if not missing:
        return None
    return (f"Alleen de {len(checks)} kolommen waarvoor een totaalrij uit de bron is opgegeven; voor "
            + ", ".join(measures.get(c, c) for c in missing) + " is er geen, die kolommen zijn niet nagerekend.")


def status_budget_note(sb: pd.DataFrame) -> str | None:
    """The note under the budget per evaluation when an evaluation has no action: it has no row
    (None when every evaluation has one)."""
    missing = [label for key, label in STATUS_CLASSES.items() if key not in set(sb["status_class"])]
    if not missing:
        return None
    return ("Alleen de evaluaties die bij minstens één actie voorkomen; geen enkele actie staat als "
            + " of ".join("'" + m.lower() + "'" for m in missing) + ".")


#: terms only this report uses, for the section "Begrippen" (the others are
#: :data:`evaluatie.publish.glossary.TERMS`)
GLOSSARY_EXTRA = {
    "topprioriteit": "Een hoofdstuk van het actieplan of de begroting dat acties rond één thema bundelt.",
    "begrotingslijn": ("Een aparte pot geld in de begroting, met eigen voorziene en uitgegeven bedragen; een "
                       "actie kan op meer dan één lijn budget hebben."),
    "overbesteding": "Aan de geplande acties is meer uitgegeven dan ervoor voorzien was.",
    "bijkomende actie": ("Een actie die niet in het plan stond maar toch werd uitgevoerd; wat ze kostte, staat "
                         "apart en telt niet als overbesteding van het plan."),
    "verbintenis": ("Een engagement uit het actieplan met een streefwaarde, zoals een aantal deelnemers tegen "
                    "het einde van de looptijd."),
}


def glossary_terms(parts: Iterable[str]) -> tuple[list[str], dict[str, str]]:
    """The terms of the section "Begrippen" for a report with these parts, and the definitions of
    those that :data:`evaluatie.publish.glossary.TERMS` does not hold (:data:`GLOSSARY_EXTRA`): the
    arguments of :func:`evaluatie.publish.report.glossary`."""
    parts = set(parts)
    terms: list[str] = []
    if "budget" in parts:
        terms += ["topprioriteit", "begrotingslijn", "uitvoeringsgraad", "onderbesteding", "overbesteding",
                  "bijkomende actie"]
    elif "status" in parts:
        terms += ["topprioriteit", "bijkomende actie"]
    if "workload" in parts:
        terms.append("werkdagen")
    if "commitments" in parts:
        terms.append("verbintenis")
    return with_definitions(terms, GLOSSARY_EXTRA)


def no_persons_notice(threshold: int, counts_persons: bool = False) -> str:
    """Why the small-cell threshold does not apply to an action plan; when a commitment counts
    persons or employers (``counts_persons``), that its realised values follow the rule
    (:mod:`evaluatie.analyses.actionplan.persons`)."""
    if counts_persons:
        return (f"Gerealiseerde waarden van verbintenissen die personen of werkgevers tellen, volgen de regel voor "
                f"kleine aantallen: een waarde boven 0 en onder {threshold} staat er als 'x', net als de voortgang "
                "en de stand die ervan afhangen.")
    return ("De tabellen gaan over acties, budgetten en werkdagen, niet over personen. Er zijn dus geen kleine "
            f"cellen over personen te beschermen; de drempel voor kleine cellen ({threshold}) is hier niet van "
            "toepassing.")


def budget_totals_text(checks: pd.DataFrame) -> str | None:
    """The sentence for column sums that all equal the source's total row; None when one does not."""
    if not (checks["result"] == "ok").all():
        return None
    return ("**De som van alle acties is gelijk aan de totaalrij van de bron** voor alle "
            f"{len(checks)} kolommen (" + " / ".join(fmt.num(v) for v in checks["stated"]) + " euro).")


def budget_finding_notices(found: pd.DataFrame, measures: Mapping[str, str] | None = None,
                           sources: Mapping[str, str] | None = None) -> list[tuple[str, str]]:
    """One notice per finding on the budget's total row: (text, kind), a mismatch as a warning;
    ``measures`` names the amount columns (default :data:`MEASURE_NL`), ``sources`` the files
    (:func:`reader_files`)."""
    measures = measures or MEASURE_NL
    return [(f"**{fmt.literal(cap(measures.get(f['measure'], f['measure'])))}**: "
             + fmt.literal(finding_text(f, sources)),
             "warning" if f["result"] == "mismatch" else "info") for _, f in found.iterrows()]


def plan_finding_notices(found: pd.DataFrame, sources: Mapping[str, str] | None = None) -> list[tuple[str, str]]:
    """One notice per finding on the plan: (text, kind); the head names result, check, scope and
    measure, a mismatch is a warning; ``sources`` names the files (:func:`reader_files`)."""
    out = []
    for _, f in found.iterrows():
        head = (f"**{RESULT_NL.get(f['result'], f['result']).capitalize()} — "
                f"{CHECK_NL.get(f['check'], f['check']).lower()}, {fmt.literal(f['scope'])}")
        head += f" ({MEASURE_NL.get(f['measure'], f['measure'])})**" if f["measure"] else "**"
        out.append((f"{head}: " + fmt.literal(finding_text(f, sources)), {"mismatch": "warning"}.get(f["result"], "info")))
    return out


def plan_findings_intro(recon: pd.DataFrame, found: pd.DataFrame) -> str:
    """How many comparisons of the plan hold and whether any difference is unexplained."""
    n_bad = int((found["result"] == "mismatch").sum())
    n_ok = int((recon["result"] == "ok").sum())
    return (f"{n_ok} van de {len(recon)} vergelijkingen kloppen. "
            + ("**Er zijn geen onverklaarde verschillen.** " if n_bad == 0 else
               f"**{n_bad} verschillen zijn niet verklaard.** ")
            + "Hieronder elke vergelijking die niet zomaar klopt, met de rijen in de invoerbestanden.")


def plan_checks_rest(recon: pd.DataFrame, compare: pd.DataFrame) -> str:
    """The comparisons that hold, split into totals and actions, and where the full tables are."""
    n_ok = int((recon["result"] == "ok").sum())
    n_act_ok = int((compare["result"] == "ok").sum())
    return (f"De andere {n_ok} vergelijkingen kloppen: {n_ok - n_act_ok} groeps-, totaal- en sectietotalen en "
            f"{n_act_ok} waarden van een actie die in de planning en in de sectietekst gelijk zijn. Alle {len(recon)} "
            "vergelijkingen, en per actie de waarde in de planning en in de sectietekst, staan in de export naast "
            "dit rapport.")


def not_spent_text(not_spent: pd.DataFrame) -> str:
    """Planned budget without spending on its line, and how often such an action is still marked done."""
    if not_spent.empty:
        return "Geen enkele actie had budget voorzien zonder uitgave op dezelfde begrotingslijn."
    disagree = not_spent[not_spent["status_class"].isin(["done", "done_ongoing"])]
    head = (f"{len(not_spent)} keer had een actie budget op een begrotingslijn zonder dat er op die lijn iets is "
            f"uitgegeven (samen {fmt.eur(not_spent['planned_eur'].sum())}). ")
    if disagree.empty:
        return head + "Geen enkele daarvan staat als uitgevoerd."
    return (head + f"Bij {len(disagree)} daarvan staat de actie toch als uitgevoerd: de uitgave kan elders geboekt "
            "zijn of de actie kostte niets; dat zegt de bron niet.")


def additional_text(add: pd.DataFrame, where: str = "als bijkomend aangeduid") -> str:
    """The additional (unplanned) actions: how many, where the source marks them (``where``, the
    section text ``additional_where``) and what they cost."""
    if add.empty:
        return "De bron vermeldt geen bijkomende acties."
    return (f"{len(add)} acties staan {where}: ze waren niet gepland en kostten samen "
            f"{fmt.eur(add['spent_eur'].sum())}. Lege cellen zijn leeg in de bron.")


def empty_months_notice(tl: pd.DataFrame, months: Sequence[str], reason: str = "",
                        timing: bool = True) -> str | None:
    """The warning when no month of the planning table is filled in (None when some are):
    ``reason`` says why they are empty (the section text ``empty_months_reason``), ``timing``
    whether the text of the plan states any timing."""
    if int((tl["known_from"] == "planning").sum()):
        return None
    return (f"De maandkolommen van de planning ({month_label(months[0])} tot {month_label(months[-1])}) zijn "
            "leeg" + (f" {reason}" if reason else "") + ". Dit rapport vult geen maanden in."
            + (" Het toont alleen wat de tekst van het plan zelf zegt over wanneer een actie loopt." if timing else ""))


def to_fill_text(prog: pd.DataFrame) -> str | None:
    """How many commitments still lack a realised value (None when none do)."""
    n_fill = int((prog["status"] == "to_fill").sum())
    if not n_fill:
        return None
    return f"Voor {n_fill} van de {len(prog)} verbintenissen is de gerealiseerde waarde nog in te vullen."


#: the fixed text of each section (and its notices), as the report shows it; the ``section_text``
#: parameter replaces any of them with a study's own wording (``additional_where`` and
#: ``empty_months_reason`` are parts of a sentence: :func:`additional_text`, :func:`empty_months_notice`)
SECTION_TEXT = {
    "budget": (
        "Per topprioriteit en per begrotingslijn: wat voorzien was en wat uitgegeven is. **De "
        "uitvoeringsgraad en de beoordeling gaan alleen over de geplande acties**: "
        "wat bijkomende acties buiten het plan kostten, staat in een eigen kolom en telt niet als "
        "overbesteding van het plan."),
    "status": (
        "De evaluatie die de bron bij elke actie geeft, geteld per topprioriteit. 'Uitgesteld' omvat ook "
        "een uitstel naar een later jaar. Bijkomende acties (buiten het plan) tellen mee."),
    "workload": (
        "Werkdagen en budget per actie, per groep van acties en in totaal, nagerekend tegen de groeps- en "
        "totaalrijen van de planning zelf, tegen de totalen die de tekst per sectie vermeldt en tegen "
        "dezelfde actie in de actietabellen van de tekst."),
    "timing": (
        "Een tijdsaanduiding in de tekst die geen maand noemt (zoals 'voorjaar'), wordt geen maand: dit "
        "rapport vult geen maanden in."),
    "commitments": (
        "De verbintenissen met een streefwaarde, met plaats voor wat gerealiseerd is. Gerealiseerde waarden "
        "komen uit een opvolgingsbestand met per sectie de gerealiseerde waarde; zonder waarde staat er "
        "**nog in te vullen**: er wordt niets geschat."),
    "subsidies": (
        "Dit onderdeel volgt het plan zelf niet op: het is een rekenhulp die toont hoeveel subsidie een "
        "organisatie volgens de opgegeven subsidieregels krijgt voor een plan met bepaalde kosten."),
    "subsidy_reading": (
        "De bron geeft per soort plan alleen 'max. € X (voor € Y kosten)'. **Wij lezen dat als: subsidie = "
        "min(X, kosten × X / Y)**, dus in verhouding tot de kosten en nooit meer dan X; voor een clusterplan "
        "per organisatie, met de kosten van één organisatie. Dat is onze lezing van de regel, geen tekst van "
        "de bron. X en Y komen uit het gegevensbestand, niet uit de code."),
    "no_budget_totals": (
        "Er is geen totaalrij uit de bron opgegeven; de kolomsommen zijn dus niet nagerekend tegen de bron."),
    "no_plan_totals": (
        "Werkdagen en budget per actie, opgeteld per groep van acties en in totaal. Er zijn geen groeps- of "
        "totaalrijen van de planning opgegeven: de sommen zijn dus niet nagerekend tegen de bron."),
    "additional_where": "als bijkomend aangeduid",
    "empty_months_reason": "",
}


def budget_year_text(closed: bool, as_of: str | None = None) -> str:
    """Whether the budget year was closed, and so what spending less than planned is called:
    onderbesteding only in a closed year; before that "nog niet volledig besteed", because spending
    can still follow (:func:`evaluatie.analyses.actionplan.study.year_is_closed`)."""
    if closed:
        return ("Het begrotingsjaar is afgesloten: de uitgaven zijn definitief. Wie minder uitgaf dan voorzien, "
                "heeft een **onderbesteding**; wie meer uitgaf, een overbesteding.")
    when = f"Op {fmt.literal(as_of)} was" if as_of else "Bij deze stand was"
    return (f"{when} het begrotingsjaar nog niet afgesloten: er kunnen nog uitgaven volgen. Wie minder uitgaf dan "
            "voorzien, heeft zijn budget daarom **nog niet volledig besteed**; van onderbesteding is pas sprake na "
            "het afsluiten van het jaar. Wie al meer uitgaf dan voorzien, heeft een overbesteding.")


def execution_table(part: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, Any]]:
    """The execution of one budget line as the report shows it: the rows with a priority label and
    a judgement, and the table's columns, headers, formats and note (the column of additional
    spending only when there was some)."""
    has_extra = bool((part["spent_additional_eur"] > 0).any())
    shown = part.assign(label=priority_labels(part), judgement=execution_judgements(part))
    columns = ["label", "actions", "planned_eur", "spent_planned_eur", "judgement"] + (
        ["spent_additional_eur"] if has_extra else [])
    return shown, dict(columns=columns, note=execution_note(has_extra), **table_layout("budget_execution"))


DEFAULT_TITLE = "Opvolging van het actieplan"


def subtitle_text(subtitle: str | None, organisation: str | None, parts: Iterable[str]) -> str:
    """The subtitle (Markdown): the parameter's own, else the organisation (if given) and the parts
    of the report: ``Sectorfonds X: uitvoering van de begroting, stand van de acties``."""
    if subtitle:
        return fmt.literal(subtitle)
    shown = ", ".join(PARTS_NL[p] for p in PARTS_NL if p in parts)
    return f"{fmt.literal(organisation)}: {shown}" if organisation else cap(shown)


def synthetic_notice() -> str:
    """The notice of a report on simulated data (shown only when the params say ``synthetic: true``)."""
    return "Dit rapport gebruikt **synthetische** gegevens: de cijfers beschrijven geen echt actieplan."


def skipped_text(skipped: Mapping[str, str]) -> str | None:
    """One sentence naming the parts left out and why (``skipped``: part -> reason); None when
    none is left out. ``{"planning": "er is geen planning"}`` -> ``Niet in dit rapport: planning per
    maand, want er is geen planning.``"""
    if not skipped:
        return None
    items = [f"{PARTS_NL[p]}, want {why}" for p, why in skipped.items()]
    body = items[0] if len(items) == 1 else "; ".join(items[:-1]) + "; en " + items[-1]
    return f"Niet in dit rapport: {body}."


def plan_size_text(plan: pd.DataFrame) -> str:
    """The plan's size when it has no group or total rows to check it against."""
    return (f"Het actieplan telt {len(plan)} acties met samen {fmt.num(plan['days'].sum(), 0)} werkdagen en "
            f"{fmt.eur(plan['budget_eur'].sum())}.")
