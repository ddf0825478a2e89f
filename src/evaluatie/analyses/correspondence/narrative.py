"""The Dutch wording of a correspondence test's results: sentences for the report's reader.

* :func:`summary_sentences` — per comparison 'x% minder positieve reacties', significant or not.
* :func:`second_outcome_sentences` — the significant results of a second outcome.
* :func:`heterogeneity_intro` — what the subgroup section compares and what it leaves out.
* :func:`heterogeneity_summary` — the verdict on the subgroup table (Holm-adjusted).
* :func:`wave_sentence` — the change of a gap between two waves ('bleef nagenoeg nul').
* :func:`summary_text` — the 'In het kort' block: per wave, the change since the first, a second outcome.
* :func:`subtitle`, :func:`design_sentence`, :func:`synthetic_notice` — what the report says about
  the study, from the params or else from the data (grounds and waves actually present).
* :func:`benchmark_intro` — the meta-analysis comparison, naming only the grounds the params map.
* :func:`rates_alt`, :func:`forest_alt` — the alt texts of the rates and forest figures.
* :func:`plan_intro`, :func:`plan_budget_sentence`, :func:`plan_none_sentence`, :func:`change_sentence`,
  :func:`power_note`, :func:`power_alt` — the sample-size section; :func:`power_explanation` — the
  optional table of planned reductions between two measurements.
* :func:`skipped` — the one sentence that replaces a section that does not apply to a study.
* :func:`withheld_sentence` — which grounds and groups were tested but are too small to report;
  :func:`reported_scope` — what the design paragraph's totals count; :func:`covariate_note` — the
  covariates whose small levels have no term of their own.
* :func:`sentence_start` — a label at the start of a sentence, its case kept.

Numbers in nl-BE format through :mod:`evaluatie.core.fmt`, with a real minus sign. Labels from the
data and texts from the parameters (grounds, groups, waves, subgroups, title, organisation, study,
design note) enter Markdown through :func:`evaluatie.core.fmt.literal`; the alt texts are plain text
and take them as they are.
"""

from __future__ import annotations

from typing import Any, Mapping, Sequence

import numpy as np
import pandas as pd

from evaluatie.analyses.correspondence.applications import DEFAULT_WAVE
from evaluatie.analyses.correspondence.power import PLAN_LIMIT
from evaluatie.core import fmt
from evaluatie.core.fmt import literal as L

__all__ = ["summary_sentences", "second_outcome_sentences", "heterogeneity_summary", "heterogeneity_intro", "wave_sentence",
           "summary_text", "withheld_sentence", "reported_scope", "covariate_note", "sentence_start", "rates_alt", "forest_alt", "plan_intro", "plan_budget_sentence",
           "plan_none_sentence", "change_sentence", "PLAN_NAMES", "power_explanation", "power_note", "power_alt", "needed_text", "DEFAULT_TITLE", "subtitle", "design_sentence", "synthetic_notice", "benchmark_intro", "skipped",
           "BENCHMARK_SCOPES_NL", "GLOSSARY", "METHOD_TEXT", "logit_check", "reader_ledgers"]

DEFAULT_TITLE = "Praktijktest: discriminatie bij de eerste selectie"

#: Dutch names of the meta-analysis' (Lippens, Vermeiren & Baert 2023) grounds and sub-groups, as
#: coded in the benchmarks file (``ground``, ``scope`` columns).
BENCHMARK_GROUNDS_NL = {
    "ethnicity": "kandidaten van een etnische minderheid",
    "age": "oudere kandidaten",
    "disability": "kandidaten met een handicap",
    "physical attractiveness": "minder aantrekkelijk geachte kandidaten",
    "sexual orientation": "kandidaten die open zijn over een holebi-geaardheid",
}
BENCHMARK_SCOPES_NL = {
    "all": "alle studies",
    "Maghrebi-Arab or Middle-Eastern background": "Maghrebijns-Arabische of Midden-Oosterse achtergrond",
    "Europe": "Europese studies",
}


def wave_sentence(r: Mapping[str, Any], alpha: float = 0.05, near_zero_pp: float = 1.0) -> str:
    """One Dutch sentence for one comparison of two waves (a row of
    :func:`~evaluatie.analyses.correspondence.statistics.wave_comparison`: the gaps, their change
    with its interval and p-value); a gap under ``near_zero_pp`` in both waves with a
    non-significant change 'bleef nagenoeg nul' (not 'gestegen van −0,8 naar −0,4')."""
    g0, g1 = r["gap_base_pp"], r["gap_pp"]
    sig = r["change_p"] < alpha
    if abs(g0) < near_zero_pp and abs(g1) < near_zero_pp and not sig:
        what = (f"bleef de kloof in positieve reacties nagenoeg nul ({_gap(g0)} in {L(r['base'])}, "
                f"{_gap(g1)} in {L(r['wave'])})")
    else:
        verb = "gedaald" if g1 < g0 else ("gestegen" if g1 > g0 else "gelijk gebleven")
        what = (f"is de kloof in positieve reacties {verb} van {_gap(g0)} ({L(r['base'])}) naar "
                f"{_gap(g1)} ({L(r['wave'])})")
    return (f"Bij {L(r['ground'])} ({L(r['group'])} tegenover {L(r['reference'])}) {what}; die verandering van {fmt.pp(r['change_pp'])} (95%-betrouwbaarheidsinterval "
            f"{fmt.pp(r['change_ci_low'])} tot {fmt.pp(r['change_ci_high'])}) is "
            f"{'' if sig else 'niet '}statistisch significant ({fmt.pval(r['change_p']).replace('< ', 'p < ') if r['change_p'] < 0.001 else 'p = ' + fmt.pval(r['change_p'])}).")


def _gap(x: float) -> str:
    """A gap in prose, with its sign (the reports' convention: reference − group, positive = the
    group is disadvantaged): ``+6,7 procentpunt``."""
    return fmt.signed(x, 1) + " procentpunt"


def summary_sentences(disc: pd.DataFrame, alpha: float = 0.05) -> list[str]:
    """Plain-Dutch lines for a board member: per comparison 'x% minder positieve reacties', both
    rates and the gap (reference − group, :func:`~evaluatie.analyses.correspondence.statistics.
    with_gap`) as the report's tables show it, and whether it is significant."""
    out = []
    for _, r in disc.iterrows():
        rc = r["relative_callback"]
        sig = bool(r["difference_ci_high"] < 0 or r["difference_ci_low"] > 0)
        if r["rate"] < r["rate_reference"]:
            what = f"kreeg **{fmt.pct(100 * (1 - rc), 1)} minder positieve reacties**"
        elif r["rate"] > r["rate_reference"]:
            what = (f"kreeg **{fmt.pct(100 * (rc - 1), 1)} meer positieve reacties**" if pd.notna(rc)
                    else "kreeg **meer positieve reacties**")
        else:
            what = "kreeg evenveel positieve reacties"
        gap = -r["difference_pp"] if "gap_pp" not in r else r["gap_pp"]
        out.append(
            f"**{L(sentence_start(r['ground']))}**: een kandidaat uit de groep '{L(r['group'])}' {what} dan een "
            f"vergelijkbare kandidaat uit de groep '{L(r['reference'])}' ({fmt.prop(r['rate'])} tegenover "
            f"{fmt.prop(r['rate_reference'])}: een kloof van {_gap(gap)}). "
            + ("Die kloof is statistisch significant: toeval is een onwaarschijnlijke verklaring."
               if sig else "Die kloof is niet statistisch significant: ze kan ook toeval zijn.")
        )
    return out


def summary_text(disc: pd.DataFrame, waves: list[str], wcmp: pd.DataFrame | None = None,
                 second: pd.DataFrame | None = None) -> str:
    """The 'In het kort' block (markdown): per wave a bold wave name (left out for the one unnamed
    wave) and its :func:`summary_sentences`; then the sentences of ``wcmp`` (a
    :func:`~evaluatie.analyses.correspondence.statistics.wave_comparison` with ``sentence``) and of
    a second outcome ``second`` (:func:`second_outcome_sentences`), each only when given."""
    parts = []
    for w in waves:
        lines = "\n".join(f"- {l}" for l in summary_sentences(disc[disc["wave"] == w]))
        parts.append(lines if waves == [DEFAULT_WAVE] else f"**{L(w)}**\n\n{lines}")
    if wcmp is not None:
        parts.append(f"**Verandering sinds {L(waves[0])}**\n\n" + "\n".join(f"- {s}" for s in wcmp["sentence"]))
    if second is not None:
        lines = second_outcome_sentences(second)
        parts.append("**Tweede uitkomst: uitnodiging voor een gesprek**\n\n" + (
            "\n".join(f"- {l}" for l in lines) if lines
            else "- Bij de uitnodigingen voor een gesprek is geen enkel verschil statistisch significant."))
    return "\n\n".join(parts)


def withheld_sentence(withheld: Sequence[tuple[str, str]], waves: list[str], threshold: int,
                      groups: Sequence[tuple[str, str, str]] = ()) -> str:
    """The Dutch sentences on what :func:`~evaluatie.analyses.correspondence.protection.protect`
    withheld: one on the grounds (``(wave, ground)`` pairs), one on the groups within a reported
    ground (``(wave, ground, group)``; the wave is named when the study has more than one), or
    ``""`` when nothing is withheld."""
    out = []
    if withheld:
        items = [L(g) + (f" ({L(w)})" if len(waves) > 1 else "") for w, g in withheld]
        one = len(items) == 1
        out.append(f"{'De discriminatiegrond' if one else 'De discriminatiegronden'} {_and(items)} "
                   f"{'werd' if one else 'werden'} ook getest, maar {'telde' if one else 'telden elk'} minder dan "
                   f"{threshold} vacatures: te weinig om er resultaten over te tonen zonder werkgevers herkenbaar te "
                   "maken (in de tabellen staat daar 'x': niet getoond).")
    if groups:
        items = [f"'{L(k)}' ({L(g)}" + (f", {L(w)})" if len(waves) > 1 else ")") for w, g, k in groups]
        one = len(items) == 1
        out.append(f"{'De groep' if one else 'De groepen'} {_and(items)} {'werd' if one else 'werden'} ook getest, "
                   f"maar in minder dan {threshold} vacatures: te weinig om er resultaten over te tonen zonder "
                   f"werkgevers herkenbaar te maken, dus staat daar in de tabellen 'x' (niet getoond) en "
                   f"{'telt die vergelijking' if one else 'tellen die vergelijkingen'} ook niet mee in de andere "
                   f"cijfers van {'die discriminatiegrond' if len({g for _, g, _ in groups}) == 1 else 'hun discriminatiegrond'}.")
    return " ".join(out)


def reported_scope(withheld: Sequence[tuple[str, str]], groups: Sequence[tuple[str, str, str]] = ()) -> str:
    """How the design paragraph's totals end: they count the reported grounds (and groups) only."""
    if groups:
        return ", in de gronden en groepen waarover dit rapport resultaten toont."
    return ", in de gronden waarover dit rapport resultaten toont." if withheld else "."


_COVARIATE_CHANGES = {
    "pooled": "kleinere waarden samen als 'overige'",
    "reference": "kleinere waarden meegeteld met de referentiewaarde, zonder eigen term",
    "dropped": "niet in het model opgenomen",
}


def covariate_note(reg: pd.DataFrame, names: Mapping[str, str] | None, threshold: int) -> str:
    """The regression section's sentence on the covariates whose levels were too small for a term of
    their own (``attrs["covariate_changes"]`` of ``reg``, a table of
    :func:`~evaluatie.analyses.correspondence.models.regression_table`), ``""`` when there are none.
    It names covariates (by their names in ``names``), never a level: the levels come from the data."""
    changes = reg.attrs.get("covariate_changes", [])
    if not changes:
        return ""
    names = dict(names or {})
    by: dict[str, list[str]] = {}
    for ch in changes:
        item = L(names.get(str(ch["covariate"]), str(ch["covariate"])))
        if item not in by.setdefault(str(ch["change"]), []):
            by[str(ch["change"])].append(item)
    what = "; ".join(f"{_and(items)} ({_COVARIATE_CHANGES[kind]})" for kind, items in by.items())
    return (f"Een kenmerk (of een waarde ervan) krijgt alleen een eigen term in het regressiemodel als het in minstens "
            f"{threshold} vacatures verschilt tussen de sollicitaties op dezelfde vacature en daar niet op 1 tot "
            f"{threshold - 1} positieve reacties berust: een term die op minder berust, zou tonen hoe die werkgevers "
            f"reageerden (bescherming van de werkgevers). Om die reden aangepast: {what}.")


def sentence_start(label: object) -> str:
    """A label at the start of a sentence or a figure title: its first character in upper case, the
    rest as it is (``str.capitalize`` would turn 'LGBTQ+' into 'Lgbtq+')."""
    text = str(label)
    return text[:1].upper() + text[1:]


def second_outcome_sentences(cmp: pd.DataFrame, what: str = "uitnodigingen voor een gesprek",
                             alpha: float = 0.05) -> list[str]:
    """Plain-Dutch lines for the significant results of a second outcome (rows of
    :func:`compare_groups` with ``outcome="outcome2"``): significant = the 95% interval of the
    difference excludes 0; the p-value shown is the exact McNemar one."""
    out = []
    for _, r in cmp.iterrows():
        if not (r["difference_ci_high"] < 0 or r["difference_ci_low"] > 0):
            continue
        p = r["mcnemar_p"]
        ptxt = "p < 0,001" if p < 0.001 else "p = " + fmt.pval(p)
        more = "minder" if r["difference_pp"] < 0 else "meer"
        out.append(f"In {L(r['wave'])} kreeg een kandidaat uit de groep '{L(r['group'])}' ({L(r['ground'])}) significant "
                   f"{more} {what} dan een kandidaat uit de groep '{L(r['reference'])}': een kloof van "
                   f"{_gap(-r['difference_pp'])} ({fmt.prop(r['rate'])} tegenover {fmt.prop(r['rate_reference'])}; {ptxt}).")
    return out


def heterogeneity_intro(variables: list[str], threshold: int) -> str:
    """The subgroup section's opening: the question per readable variable name, the Holm and
    Benjamini-Hochberg corrections and the small-cell rule at ``threshold`` (with its secondary level,
    and with more than one variable the levels withheld where two variables cross)."""
    return (f"Verschilt de kloof per {_or([L(v) for v in variables])}? "
            f"Per subgroep de kloof in procentpunt. Omdat we veel subgroepen tegelijk toetsen, tonen we ook "
            f"p-waarden gecorrigeerd voor meervoudig toetsen: volgens Holm (streng) en Benjamini-Hochberg (minder streng). "
            f"Subgroepen met minder dan {threshold} vacatures, of met minder dan {threshold} (maar meer dan nul) "
            f"positieve reacties aan één kant, worden niet getoond, en dan ook de kleinste andere subgroep(en) van "
            f"hetzelfde kenmerk: anders zou een verborgen subgroep uit de totalen per discriminatiegrond af te leiden zijn."
            + (" Om dezelfde reden worden ook subgroepen van een ander kenmerk niet getoond wanneer een verborgen "
               "subgroep anders af te leiden zou zijn uit de subgroepen van de twee kenmerken samen (bijvoorbeeld "
               "een sector die helemaal in één provincie ligt)." if len(variables) > 1 else ""))


def heterogeneity_summary(het: pd.DataFrame, names: Mapping[str, str] | None = None, alpha: float = 0.05) -> str:
    """One Dutch sentence on the subgroup table of :func:`heterogeneity`: how many comparisons were
    tested and which are significant after Holm's correction (or that none is)."""
    names = dict(names or {})
    shown = het[~het["suppressed"].astype(bool)] if "suppressed" in het.columns else het
    n = int(shown["p_holm"].notna().sum())
    sig = shown[shown["p_holm"] < alpha]
    if n == 0:
        return "Geen enkele subgroep is groot genoeg om te tonen."
    if not len(sig):
        return ((f"Van de {fmt.num(n)} getoonde vergelijkingen per subgroep is er" if n > 1
                 else "De enige getoonde vergelijking per subgroep is")
                + f" na correctie voor meervoudig toetsen (Holm) **{'geen enkele' if n > 1 else 'niet'}** significant: "
                f"in geen enkele subgroep wijkt de kloof duidelijk van nul af. De verschillen tussen subgroepen "
                f"passen bij toeval.")
    gap = het["gap_pp"] if "gap_pp" in het.columns else -het["difference_pp"]
    items = [f"{L(names.get(str(r['variable']), r['variable']))} = {L(r['level'])} ({L(r['group'])}: kloof "
             f"{fmt.pp(gap[i])})" for i, r in sig.iterrows()]
    return (f"Van de {fmt.num(n)} getoonde vergelijkingen per subgroep {'is' if len(sig) == 1 else 'zijn'} er "
            f"na correctie voor meervoudig toetsen (Holm) {fmt.num(len(sig))} significant: " + "; ".join(items) + ".")


def _join(items: list[str], word: str) -> str:
    """``a, b en c`` (``word`` "en" or "of")."""
    items = [str(i) for i in items]
    return ", ".join(items[:-1]) + f" {word} " + items[-1] if len(items) > 1 else "".join(items)


def _and(items: list[str]) -> str:
    return _join(items, "en")


def _or(items: list[str]) -> str:
    return _join(items, "of")


def subtitle(study: str | None, organisation: str | None, grounds: list[str], waves: list[str]) -> str:
    """The report's subtitle: the params' ``study`` as given; else built from the data only
    ('Praktijktest van <organisation> op <grounds>: <waves>', the waves left out when the one wave
    has no name), so nothing of another study (sector, 'synthetisch') can appear."""
    if study:
        return L(study)
    who = f" van {L(organisation)}" if organisation else ""
    named = [L(w) for w in waves if w != DEFAULT_WAVE]
    return f"Praktijktest{who} op {_and([L(g) for g in grounds])}" + (f": {_and(named)}" if named else "")


def design_sentence(design_note: str | None, grounds: list[str]) -> str:
    """The design paragraph's opening: the params' ``design_note`` as given; else one sentence
    naming the grounds actually in the data (never a ground that was not tested)."""
    if design_note:
        return L(design_note)
    if len(grounds) == 1:
        return (f"Per vacature werden fictieve sollicitaties verstuurd die alleen verschillen in één "
                f"kenmerk: {L(grounds[0])}.")
    return (f"Per vacature werden fictieve sollicitaties verstuurd die alleen verschillen in één kenmerk; "
            f"getest werden de gronden {_and([L(g) for g in grounds])}.")


def synthetic_notice(note: str | None) -> str:
    """The text of the 'synthetic data' notice (shown only when the params say ``synthetic: true``):
    the params' ``synthetic_note`` if given, else a sentence that claims nothing about how the data
    were made."""
    return note or ("Dit rapport gebruikt **synthetische** gegevens: de cijfers beschrijven geen echte "
                    "werkgever of vacature.")


def benchmark_intro(bt: pd.DataFrame) -> str:
    """The 'Internationale context' paragraph for the rows of
    :func:`~evaluatie.analyses.correspondence.statistics.benchmark_table` that have a benchmark:
    per meta-analysis ground (and sub-group) its rounded 'x% minder positieve reacties', only for
    the grounds the params map (Lippens, Vermeiren & Baert 2023, as reported in Knack, 3 January
    2023)."""
    rows = bt[bt["benchmark_ground"].astype(str) != ""].drop_duplicates(["benchmark_ground", "benchmark_scope"])
    parts = []
    for _, r in rows.iterrows():
        who = BENCHMARK_GROUNDS_NL.get(r["benchmark_ground"]) or L(r["benchmark_ground"])
        fewer_all = 100 * (1 - r["benchmark_all_relative_callback"])  # the file's 'x% fewer' = 1 - ratio
        fig = f"{who} kregen gemiddeld ongeveer {fmt.num(fewer_all, 0)}% minder positieve reacties"
        if r["benchmark_scope"] != "all" and pd.notna(r["benchmark_fewer_pct"]):
            scope = BENCHMARK_SCOPES_NL.get(r["benchmark_scope"]) or L(r["benchmark_scope"])
            fig += f" ({scope}: ongeveer {fmt.num(r['benchmark_fewer_pct'], 0)}%)"
        parts.append(fig)
    return ("Ter vergelijking: de meta-analyse van Lippens, Vermeiren & Baert (2023, *European Economic Review*) "
            "over (bijna) alle praktijktests tussen 2005 en 2020. We gebruiken de **afgeronde** cijfers zoals "
            "gerapporteerd in de berichtgeving over het artikel (Knack, 3 januari 2023): "
            + "; ".join(parts) + ". De tabel vergelijkt met het cijfer voor de best vergelijkbare groep en toont "
            "ook het gemiddelde over alle studies. De exacte gepoolde verhoudingen en hun intervallen uit het "
            "artikel zelf hebben we niet kunnen inzien; ze zijn hier dus niet gebruikt.")


def reader_ledgers(ledgers: Sequence[Any], waves: list[str]) -> list[Any]:
    """The row ledgers with each file named as the reader knows it ('sollicitaties van nulmeting
    2022'; with one file, 'sollicitaties'): the file paths themselves are listed, with their
    fingerprints, in the provenance section."""
    import dataclasses

    if len(ledgers) == 1:
        return [dataclasses.replace(ledgers[0], source="sollicitaties")]
    named = len(ledgers) == len(waves)
    return [dataclasses.replace(led, source=f"sollicitaties van {waves[i]}" if named else f"sollicitaties, bestand {i + 1}")
            for i, led in enumerate(ledgers)]


#: Terms only this report uses, for the glossary ("Begrippen", :func:`evaluatie.publish.report.glossary`).
GLOSSARY = {
    "McNemar-toets": ("De toets die per vacature telt hoe vaak alleen de referentiekandidaat en hoe vaak alleen de "
                      "andere kandidaat een positieve reactie kreeg, en nagaat of dat verschil toeval kan zijn. "
                      "Dit rapport gebruikt de exacte versie, zonder benadering."),
    "kloof per vacature": ("Het aandeel vacatures waar alleen de referentiekandidaat een positieve reactie kreeg, "
                           "min het aandeel waar alleen de andere kandidaat er een kreeg. Daarop rekent de "
                           "steekproefplanning."),
    "meervoudig toetsen": ("Wie veel vergelijkingen tegelijk toetst, vindt door toeval alleen al enkele "
                           "'significante' verschillen. De correcties van Holm (streng) en Benjamini-Hochberg "
                           "(minder streng) maken de p-waarden daarom groter."),
}

#: The method section.
METHOD_TEXT = (
    "Positieve reactie: een uitnodiging of een vraag om meer informatie. Intervallen voor aandelen: Wilson (en "
    "exact volgens Clopper-Pearson). Kloof en relatieve kans: delta-methode met vacatures als clusters, en ter "
    "controle een cluster-bootstrap (vacatures trekken met teruglegging, vaste startwaarde). Een kant van een "
    "vacature 'reageerde' als minstens één van haar sollicitaties een positieve reactie kreeg, zodat ook opzetten "
    "met meer dan twee sollicitaties per vacature werken. Elke berekening is getest tegen een onafhankelijke "
    "referentie.\n\n"
    "Regressiemodel: een lineair kansmodel met een vast effect per vacature en standaardfouten geclusterd per "
    "vacature, met de kleine-steekproefcorrectie G/(G−1)·(N−1)/(N−K) van de standaardinstelling van het R-pakket "
    "fixest (G vacatures, N sollicitaties): K telt de verklarende variabelen plus één, want de vaste effecten "
    "liggen binnen de clusters en tellen niet mee, op het intercept na; de t-toets heeft G−1 vrijheidsgraden. "
    "Steekproefgrootte: het onderscheidingsvermogen van de exacte McNemar-toets, berekend over alle mogelijke "
    "aantallen vacatures met één positieve reactie; de benadering van Connor (1987) plant voor deze toets ongeveer "
    "4% te weinig vacatures en staat ernaast. De kleinste aantoonbare daling tussen twee metingen volgt de normale "
    "benadering van de toets die dit rapport voor de verandering gebruikt."
)


def logit_check(reg: pd.DataFrame) -> str:
    """The method section's sentence on the check model: the conditional logit's odds ratio, what
    it means in one plain sentence, and in how many comparisons (group terms of
    :func:`~evaluatie.analyses.correspondence.models.regression_table` with both numbers) it points
    the same way as the gap."""
    g = reg[(reg["kind"] == "group")].dropna(subset=["odds_ratio", "gap_pp"])
    same = int(((g["odds_ratio"] < 1) == (g["gap_pp"] > 0)).sum())
    return ("Ter controle schatten we ook een conditioneel logitmodel per vacature. Dat geeft geen kloof maar een "
            "**kansverhouding** (odds ratio): een getal onder 1 betekent, net als een positieve kloof, dat de groep "
            "minder kans op een positieve reactie had; ze ligt verder van 1 dan de relatieve kans. "
            + (f"In {fmt.num(same)} van de {fmt.num(len(g))} vergelijkingen wijst ze dezelfde richting uit als de "
               "kloof. " if len(g) else "")
            + "De kansverhoudingen en hun p-waarden staan in het tabellenbestand bij dit rapport, niet in de tekst.")


_SKIPPED = {
    "waves": "Er is maar één meting: een vergelijking tussen metingen volgt zodra een vervolgmeting beschikbaar is.",
    "heterogeneity": "Er zijn geen kenmerken opgegeven (of aanwezig in de gegevens) om de kloof per subgroep te "
                     "bekijken.",
    "benchmarks": "Er is geen vergelijking met de internationale meta-analyse gevraagd voor de geteste gronden.",
}


def skipped(section: str) -> str:
    """The one sentence that stands for a section that does not apply: ``waves`` (one wave),
    ``heterogeneity`` (no subgroup variables), ``benchmarks`` (no ground mapped to the meta-analysis)."""
    return _SKIPPED[section]


def _too_big(ptab: pd.DataFrame, planned_reductions: Sequence[float]) -> list[float]:
    lead = ptab.drop_duplicates(["ground", "group"])
    return sorted({abs(float(x)) for x in planned_reductions if any(abs(float(x)) >= g for g in lead["gap_base_pp"])})


PLAN_NAMES = {"current": "de huidige kloof", "half": "de helft van de huidige kloof",
              "target": "het streefcijfer van de sector", "none": "geen kloof gemeten"}


def plan_intro(latest: str, target_gap_pp: float | None, power: float = 0.8, alpha: float = 0.05) -> str:
    """The sample-size section's opening: which gaps are planned for (the current one, half of it,
    the sector's target when the params give one) and how (the exact McNemar test)."""
    target = (f" en met het streefcijfer van de sector: een kloof van {fmt.num(target_gap_pp, 1)} procentpunt"
              if target_gap_pp else "")
    return (f"Hoeveel vacatures heeft een volgende meting nodig om een kloof aan te tonen? Per discriminatiegrond rekenen we "
            f"met de kloof die {L(latest)} vond, met de helft daarvan{target}. De berekening vraagt "
            f"{fmt.pct(100 * power, 0)} kans om de kloof aan te tonen als ze echt bestaat (het "
            f"onderscheidingsvermogen), bij een significantieniveau van {fmt.pct(100 * alpha, 0)}, met de "
            f"exacte McNemar-toets die dit rapport gebruikt. Ze gaat uit van hetzelfde aandeel vacatures waar "
            f"maar één van beide kandidaten een positieve reactie kreeg als in {L(latest)}.")


def plan_budget_sentence(plan: pd.DataFrame, latest: str, budget: int | None, power: float = 0.8) -> str:
    """What a board can expect to detect with the vacancies it has: per comparison of a
    :func:`~evaluatie.analyses.correspondence.power.plan_table` the smallest gap the budget shows
    with ``power`` (``budget``: the params' number of vacancies per ground; else as many as each
    ground had in ``latest``)."""
    lead = plan.drop_duplicates(["ground", "group"])
    many = lead["ground"].duplicated(keep=False)
    same = budget or lead["budget"].nunique() == 1
    parts = []
    for (_, r), several in zip(lead.iterrows(), many):
        who = L(r["ground"]) + (f" ({L(r['group'])})" if several else "")
        size = "" if same else f" ({fmt.num(r['budget'])} vacatures)"
        parts.append(f"{fmt.num(r['detectable_gap_pp'], 1)} procentpunt bij {who}{size}"
                     if np.isfinite(r["detectable_gap_pp"]) else f"geen enkele kloof bij {who}{size}")
    how = (f"Met {fmt.num(budget)} vacatures per discriminatiegrond" if budget
           else f"Met evenveel vacatures als in {L(latest)}"
           + (f" ({fmt.num(lead['budget'].iloc[0])} per discriminatiegrond)" if same else ""))
    return (f"{how} toont een volgende meting met {fmt.pct(100 * power, 0)} kans een kloof aan van minstens "
            f"{_and(parts)}; een kleinere kloof kan onopgemerkt blijven.")


def plan_none_sentence(plan: pd.DataFrame, latest: str) -> str:
    """The grounds where ``latest`` measured no gap (the group got as many or more positive
    reactions): what is planned for them (the sector's target, or nothing), or ``""``."""
    lead = plan.drop_duplicates(["ground", "group"])
    none = lead[~(lead["gap_base_pp"] > 0)]
    if not len(none):
        return ""
    who = _and([f"{L(r['ground'])} ({L(r['group'])})" for _, r in none.iterrows()])
    target = plan[(plan["plan"] == "target")]
    one = len(none) == 1
    return (f"Bij {who} mat {L(latest)} geen kloof per vacature: de groep kreeg op evenveel of meer vacatures "
            "als enige een positieve reactie. "
            + ("Daar rekenen we alleen met het streefcijfer van de sector." if len(target)
               else f"Daar is geen kloof om voor te plannen; de zin hierboven zegt welke kloof een volgende meting "
                    f"bij {'die discriminatiegrond' if one else 'die discriminatiegronden'} wel zou aantonen."))


def change_sentence(plan: pd.DataFrame, budget: int | None = None, power: float = 0.8) -> str:
    """The smallest reduction of the gap between this and the next measurement (same number of
    vacancies, or the budget) that the report's test of the change detects, per comparison with a
    gap, and what it means when that is more than the whole current gap; ``""`` when no comparison
    has a gap."""
    lead = plan.drop_duplicates(["ground", "group"])
    lead = lead[lead["gap_base_pp"] > 0]
    if not len(lead):
        return ""
    parts = [(f"{fmt.num(r['detectable_change_pp'], 1)} procentpunt" if np.isfinite(r["detectable_change_pp"])
              else "geen enkele daling") + f" bij {L(r['ground'])} (nu {fmt.num(r['gap_base_pp'], 1)} procentpunt per "
             "vacature)"
             for _, r in lead.iterrows()]
    beyond = ~(lead["detectable_change_pp"] <= lead["gap_base_pp"])
    return ("Aantonen dat de kloof sinds deze meting **gedaald** is, is moeilijker, omdat dan ook de onzekerheid van "
            "deze meting meetelt. "
            + (f"Een volgende meting met {fmt.num(budget)} vacatures per discriminatiegrond" if budget
               else "Een volgende meting van dezelfde omvang")
            + f" toont met {fmt.pct(100 * power, 0)} kans pas een daling aan van " + _and(parts) + "."
            + (f" Waar dat meer is dan de huidige kloof, is zelfs het verdwijnen van de kloof niet met "
               f"{fmt.pct(100 * power, 0)} kans als "
               "daling aan te tonen; de tabel toont wel hoeveel vacatures nodig zijn om een kloof aan te tonen."
               if beyond.any() else ""))


def power_explanation(ptab: pd.DataFrame, planned_reductions: Sequence[float]) -> str:
    """Why showing a reduction is harder than showing the gap, what 'kloof helemaal weg' and 'niet
    haalbaar' mean, and which planned reductions exceed every gap (they cannot happen)."""
    tb = [fmt.num(x, 0) for x in _too_big(ptab, planned_reductions)]
    return ("Een geplande daling kan nooit groter zijn dan de kloof zelf (dan zou de andere groep bevoordeeld "
            "worden); grotere geplande dalingen zijn daarom vervangen door 'kloof helemaal weg'. "
            "'Niet haalbaar' betekent dat zelfs een oneindig grote vervolgmeting niet volstaat, omdat de huidige "
            "meting zelf te onnauwkeurig is."
            + (f" Niet zinvol bij de huidige kloof: een daling van {_or(tb)} pp." if tb else ""))


def power_note(multi: bool) -> str:
    """The note under the power table; ``multi``: some vacancy got more than one application per group."""
    return ("Kloof per vacature: het aandeel vacatures waar alleen de referentiekandidaat een positieve reactie "
            "kreeg min het aandeel waar alleen de andere kandidaat er een kreeg." + (" Omdat hier per vacature meer dan één sollicitatie per groep werd verstuurd "
            "(een kant telt als 'reageerde' bij minstens één positieve reactie), is die kloof groter dan de "
            "kloof per sollicitatie in de rest van dit rapport." if multi else ""))


def needed_text(n: float) -> str:
    """Vacancies a plan needs as the report shows them: an integer, 'meer dan 50.000' beyond the
    planner's limit, '–' when nothing is planned."""
    if pd.isna(n):
        return fmt.MISSING
    return fmt.num(n) if np.isfinite(n) else f"meer dan {fmt.num(PLAN_LIMIT)}"


def power_alt(plan: pd.DataFrame, power: float = 0.8) -> str:
    """Alt text of the power figure: what it shows and, per comparison, the vacancies each plan needs."""
    short = {"current": "de huidige kloof", "half": "de helft", "target": "het streefcijfer"}
    parts = []
    for (g, k), sub in plan[plan["plan"] != "none"].groupby(["ground", "group"], sort=False):
        need = ", ".join(f"{needed_text(r['vacancies_needed'])} voor {short[r['plan']]} ({fmt.pp(r['gap_plan_pp'])})"
                         for _, r in sub.iterrows())
        parts.append(f"{sentence_start(g)} ({k}): {fmt.pct(100 * power, 0)} bij {need}")
    return ("Lijngrafieken, één per discriminatiegrond, van de kans om een kloof aan te tonen tegen het aantal vacatures in één "
            f"nieuwe meting, met een stippellijn bij {fmt.pct(100 * power, 0)} en een verticale lijn bij het aantal "
            "vacatures waarmee gerekend wordt. " + "; ".join(parts) + ".")


def rates_alt(disc_latest: pd.DataFrame, waves: list[str], wcmp: pd.DataFrame | None = None) -> str:
    """Alt text of the rates figure: what it shows and, per comparison, the latest wave's gap
    (reference − group, as everywhere in the report; with the first wave's gap when there is a wave
    comparison)."""
    latest, first = waves[-1], waves[0]
    gaps = []
    for _, r in disc_latest.iterrows():
        gap = r["gap_pp"] if "gap_pp" in r else -r["difference_pp"]
        g = f"'{r['group']}' tegenover '{r['reference']}' ({r['ground']}): {fmt.pp(gap)}"
        if wcmp is not None:
            m = wcmp[(wcmp["ground"] == r["ground"]) & (wcmp["group"] == r["group"])]
            if len(m):
                g += f" (in {first}: {fmt.pp(m['gap_base_pp'].iloc[0])})"
        gaps.append(g)
    return (f"Puntgrafiek van het aandeel positieve reacties per groep en discriminatiegrond"
            f"{' per meting' if len(waves) > 1 else ''}, met betrouwbaarheidsintervallen. Kloof (referentie min "
            f"groep) in {latest}: " + "; ".join(gaps) + ".")


def forest_alt(disc_latest: pd.DataFrame, latest: str) -> str:
    """Alt text of the forest plot: what it shows and the lowest relative callback of the latest wave
    (none when no relative callback can be computed, e.g. nobody got a positive reaction)."""
    head = ("Bosgrafiek van de relatieve kans op een positieve reactie per discriminatiegrond, met 95%-intervallen en "
            "een verticale lijn bij 1 (gelijke behandeling).")
    known = disc_latest.dropna(subset=["relative_callback"])
    if known.empty:
        return head + f" In {latest} kon geen relatieve kans berekend worden: geen enkele referentiegroep kreeg een positieve reactie."
    worst = known.loc[known["relative_callback"].idxmin()]
    return (f"{head} De laagste relatieve kans in {latest}: "
            f"{fmt.num(worst['relative_callback'], 2)} voor '{worst['group']}' ({worst['ground']}).")
