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
* :func:`power_lines`, :func:`power_explanation`, :func:`power_note`, :func:`power_caption` — the sample-size section.
* :func:`skipped` — the one sentence that replaces a section that does not apply to a study.
* :func:`withheld_sentence` — which grounds were tested but are too small to report.

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
from evaluatie.core import fmt
from evaluatie.core.fmt import literal as L

__all__ = ["summary_sentences", "second_outcome_sentences", "heterogeneity_summary", "heterogeneity_intro", "wave_sentence",
           "summary_text", "withheld_sentence", "rates_alt", "forest_alt", "power_lines", "power_explanation", "power_caption", "power_note", "DEFAULT_TITLE", "subtitle", "design_sentence", "synthetic_notice", "benchmark_intro", "skipped",
           "BENCHMARK_SCOPES_NL"]

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


def _nl(x: float, d: int = 1) -> str:
    return fmt.num(x, d).replace("-", "\u2212")


def wave_sentence(r: Mapping[str, Any], alpha: float = 0.05, near_zero_pp: float = 1.0) -> str:
    """One Dutch sentence for one comparison of two waves (a row of
    :func:`~evaluatie.analyses.correspondence.statistics.wave_comparison`: the gaps, their change
    with its interval and p-value); a gap under ``near_zero_pp`` in both waves with a
    non-significant change 'bleef nagenoeg nul' (not 'gestegen van −0,8 naar −0,4')."""
    g0, g1 = r["gap_base_pp"], r["gap_pp"]
    sig = r["change_p"] < alpha
    if abs(g0) < near_zero_pp and abs(g1) < near_zero_pp and not sig:
        what = (f"bleef de kloof in positieve reacties nagenoeg nul ({_nl(g0)} procentpunt in {L(r['base'])}, "
                f"{_nl(g1)} procentpunt in {L(r['wave'])})")
    else:
        verb = "gedaald" if g1 < g0 else ("gestegen" if g1 > g0 else "gelijk gebleven")
        what = (f"is de kloof in positieve reacties {verb} van {_nl(g0)} procentpunt ({L(r['base'])}) naar "
                f"{_nl(g1)} procentpunt ({L(r['wave'])})")
    return (f"Bij {L(r['ground'])} ({L(r['group'])} tegenover {L(r['reference'])}) {what}; die verandering van {fmt.pp(r['change_pp'])} (95%-betrouwbaarheidsinterval "
            f"{fmt.pp(r['change_ci_low'])} tot {fmt.pp(r['change_ci_high'])}) is "
            f"{'' if sig else 'niet '}statistisch significant ({fmt.pval(r['change_p']).replace('< ', 'p < ') if r['change_p'] < 0.001 else 'p = ' + fmt.pval(r['change_p'])}).")


def summary_sentences(disc: pd.DataFrame, alpha: float = 0.05) -> list[str]:
    """Plain-Dutch lines for a board member: per comparison, 'x% minder positieve reacties'."""
    out = []
    for _, r in disc.iterrows():
        rc = r["relative_callback"]
        sig = bool(r["difference_ci_high"] < 0 or r["difference_ci_low"] > 0)
        if rc < 1:
            what = f"kreeg **{_nl(100 * (1 - rc), 0)}% minder positieve reacties**"
        elif rc > 1:
            what = f"kreeg **{_nl(100 * (rc - 1), 0)}% meer positieve reacties**"
        else:
            what = "kreeg evenveel positieve reacties"
        out.append(
            f"**{L(str(r['ground']).capitalize())}**: een kandidaat met profiel '{L(r['group'])}' {what} dan een "
            f"vergelijkbare kandidaat met profiel '{L(r['reference'])}' ({fmt.prop(r['rate'])} tegenover "
            f"{fmt.prop(r['rate_reference'])}). "
            + ("Dat verschil is statistisch significant: toeval is een onwaarschijnlijke verklaring."
               if sig else "Dat verschil is niet statistisch significant: het kan ook toeval zijn.")
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


def withheld_sentence(withheld: Sequence[tuple[str, str]], waves: list[str], threshold: int) -> str:
    """The one Dutch sentence on the grounds withheld by
    :func:`~evaluatie.analyses.correspondence.protection.protect` (``(wave, ground)`` pairs; the wave
    is named when the study has more than one), or ``""`` when none is."""
    if not withheld:
        return ""
    items = [L(g) + (f" ({L(w)})" if len(waves) > 1 else "") for w, g in withheld]
    one = len(items) == 1
    return (f"{'De grond' if one else 'De gronden'} {_and(items)} {'werd' if one else 'werden'} ook getest, maar "
            f"{'telde' if one else 'telden elk'} minder dan {threshold} vacatures: te weinig om er resultaten over te "
            f"tonen zonder werkgevers herkenbaar te maken (in de tabellen staat daar 'x': niet getoond).")


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
        out.append(f"In {L(r['wave'])} kreeg een kandidaat met profiel '{L(r['group'])}' ({L(r['ground'])}) significant "
                   f"{more} {what} dan een kandidaat met profiel '{L(r['reference'])}': {fmt.pp(r['difference_pp'])} "
                   f"({fmt.prop(r['rate'])} tegenover {fmt.prop(r['rate_reference'])}; {ptxt}).")
    return out


def heterogeneity_intro(variables: list[str], threshold: int) -> str:
    """The subgroup section's opening: the question per readable variable name, the Holm and
    Benjamini-Hochberg corrections and the small-cell rule at ``threshold`` (with its secondary level)."""
    return (f"Verschilt de kloof per {_or([L(v) for v in variables])}? "
            f"Per subgroep het verschil in procentpunt. Omdat we veel subgroepen tegelijk toetsen, tonen we ook "
            f"p-waarden gecorrigeerd voor meervoudig toetsen: volgens Holm (streng) en Benjamini-Hochberg (minder streng). "
            f"Subgroepen met minder dan {threshold} vacatures, of met minder dan {threshold} (maar meer dan nul) "
            f"positieve reacties aan één kant, worden niet getoond, en dan ook de kleinste andere subgroep(en) van "
            f"hetzelfde kenmerk: anders zou een verborgen subgroep uit de totalen per grond af te leiden zijn.")


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
        return (f"Van de {fmt.num(n)} getoonde vergelijkingen per subgroep is er na correctie voor meervoudig "
                f"toetsen (Holm) **geen enkele** significant: in geen enkele subgroep wijkt de kloof duidelijk "
                f"van nul af. De verschillen tussen subgroepen passen bij toeval.")
    items = [f"{L(names.get(str(r['variable']), r['variable']))} = {L(r['level'])} ({L(r['group'])}: "
             f"{fmt.pp(r['difference_pp'])})" for _, r in sig.iterrows()]
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


def power_lines(ptab: pd.DataFrame) -> str:
    """One bullet per compared group of a :func:`~evaluatie.analyses.correspondence.power.power_table`:
    the vacancies one new measurement needs to show today's gap with the exact McNemar test the report
    uses, and the asymptotic figure (Connor 1987) beside it."""
    lead = ptab.drop_duplicates(["ground", "group"])
    return "\n".join(
        f"- **{L(str(r['ground']).capitalize())}** ({L(r['group'])}): nodig om de huidige kloof aan te tonen: "
        f"**{fmt.num(r['vacancies_needed_single_wave'])} vacatures** in één nieuwe meting"
        + (f" (met de benadering van Connor: {fmt.num(r['vacancies_needed_single_wave_asymptotic'])})"
           if "vacancies_needed_single_wave_asymptotic" in r and np.isfinite(r["vacancies_needed_single_wave_asymptotic"])
           else "")
        + f"; de huidige meting telde {fmt.num(r['n_followup'])} vacatures." for _, r in lead.iterrows())


def power_explanation(ptab: pd.DataFrame, planned_reductions: Sequence[float]) -> str:
    """Why showing a reduction is harder than showing the gap, what 'kloof helemaal weg' and 'niet
    haalbaar' mean, and which planned reductions exceed every gap (they cannot happen)."""
    tb = [fmt.num(x, 0) for x in _too_big(ptab, planned_reductions)]
    return ("Een daling van de kloof aantonen is moeilijker: dan telt ook de onzekerheid van de huidige meting mee. "
            "Een geplande daling kan nooit groter zijn dan de kloof zelf (dan zou de andere groep bevoordeeld "
            "worden); grotere geplande dalingen zijn daarom vervangen door 'kloof helemaal weg'. "
            "'Niet haalbaar' betekent dat zelfs een oneindig grote vervolgmeting niet volstaat, omdat de huidige "
            "meting zelf te onnauwkeurig is."
            + (f" Niet zinvol bij de huidige kloof: een daling van {_or(tb)} pp." if tb else ""))


def power_note(multi: bool) -> str:
    """The note under the power table; ``multi``: some vacancy got more than one application per group."""
    return ("Kloof per vacature = aandeel vacatures waar alleen de referentiekandidaat een positieve reactie "
            "kreeg min het aandeel waar alleen de andere kandidaat er een kreeg (positief = de groep is "
            "benadeeld)." + (" Omdat hier per vacature meer dan één sollicitatie per groep werd verstuurd "
            "(een kant telt als 'reageerde' bij minstens één positieve reactie), is die kloof groter dan het "
            "verschil per sollicitatie in de rest van dit rapport." if multi else ""))


def power_caption(ptab: pd.DataFrame, planned_reductions: Sequence[float]) -> str:
    """The end of the power figure's alt text: reductions left out (larger than the gap) and
    reductions not attainable even with an infinite measurement."""
    if not len(ptab):
        return ""
    tb = [fmt.num(x, 0) for x in _too_big(ptab, planned_reductions)]
    out = (f" Geplande dalingen groter dan de huidige kloof ({_or(tb)} pp) zijn niet getekend: die zijn onmogelijk."
           if tb else "")
    bad = ptab[~np.isfinite(ptab["vacancies_needed"].astype(float))]
    if len(bad):
        out += (" Niet haalbaar, ook met een oneindig grote meting: "
                + "; ".join(f"{r['ground']} ({r['group']}): daling van {fmt.num(r['reduction_pp'], 1)} pp"
                            for _, r in bad.iterrows()) + ".")
    return out


def rates_alt(disc_latest: pd.DataFrame, waves: list[str], wcmp: pd.DataFrame | None = None) -> str:
    """Alt text of the rates figure: what it shows and, per comparison, the latest wave's difference
    (with the first wave's gap when there is a wave comparison)."""
    latest, first = waves[-1], waves[0]
    gaps = []
    for _, r in disc_latest.iterrows():
        g = f"'{r['group']}' tegenover '{r['reference']}' ({r['ground']}): {fmt.pp(r['difference_pp'])}"
        if wcmp is not None:
            m = wcmp[(wcmp["ground"] == r["ground"]) & (wcmp["group"] == r["group"])]
            if len(m):
                g += f" (in {first}: {fmt.pp(-m['gap_base_pp'].iloc[0])})"
        gaps.append(g)
    return (f"Puntgrafiek van het aandeel positieve reacties per groep en discriminatiegrond"
            f"{' per meting' if len(waves) > 1 else ''}, met betrouwbaarheidsintervallen. Verschil in {latest}: "
            + "; ".join(gaps) + ".")


def forest_alt(disc_latest: pd.DataFrame, latest: str) -> str:
    """Alt text of the forest plot: what it shows and the lowest relative callback of the latest wave
    (none when no relative callback can be computed, e.g. nobody got a positive reaction)."""
    head = ("Bosgrafiek van de relatieve kans op een positieve reactie per grond, met 95%-intervallen en "
            "een verticale lijn bij 1 (gelijke behandeling).")
    known = disc_latest.dropna(subset=["relative_callback"])
    if known.empty:
        return head + f" In {latest} kon geen relatieve kans berekend worden: geen enkele referentiegroep kreeg een positieve reactie."
    worst = known.loc[known["relative_callback"].idxmin()]
    return (f"{head} De laagste relatieve kans in {latest}: "
            f"{fmt.num(worst['relative_callback'], 2)} voor '{worst['group']}' ({worst['ground']}).")
