"""The Dutch wording of a correspondence test's results: sentences for the report's reader.

* :func:`summary_sentences` — per comparison 'x% minder positieve reacties', significant or not.
* :func:`second_outcome_sentences` — the significant results of a second outcome.
* :func:`heterogeneity_summary` — the verdict on the subgroup table (Holm-adjusted).
* :func:`wave_sentence` — the change of a gap between two waves ('bleef nagenoeg nul').

Numbers in nl-BE format through :mod:`evaluatie.core.fmt`, with a real minus sign.
"""

from __future__ import annotations

from typing import Any, Mapping

import pandas as pd

from evaluatie.core import fmt

__all__ = ["summary_sentences", "second_outcome_sentences", "heterogeneity_summary", "wave_sentence"]


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
        what = (f"bleef de kloof in positieve reacties nagenoeg nul ({_nl(g0)} procentpunt in {r['base']}, "
                f"{_nl(g1)} procentpunt in {r['wave']})")
    else:
        verb = "gedaald" if g1 < g0 else ("gestegen" if g1 > g0 else "gelijk gebleven")
        what = (f"is de kloof in positieve reacties {verb} van {_nl(g0)} procentpunt ({r['base']}) naar "
                f"{_nl(g1)} procentpunt ({r['wave']})")
    return (f"Bij {r['ground']} ({r['group']} tegenover {r['reference']}) {what}; die verandering van {fmt.pp(r['change_pp'])} (95%-betrouwbaarheidsinterval "
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
            f"**{str(r['ground']).capitalize()}**: een kandidaat met profiel '{r['group']}' {what} dan een "
            f"vergelijkbare kandidaat met profiel '{r['reference']}' ({fmt.prop(r['rate'])} tegenover "
            f"{fmt.prop(r['rate_reference'])}). "
            + ("Dat verschil is statistisch significant: toeval is een onwaarschijnlijke verklaring."
               if sig else "Dat verschil is niet statistisch significant: het kan ook toeval zijn.")
        )
    return out


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
        out.append(f"In {r['wave']} kreeg een kandidaat met profiel '{r['group']}' ({r['ground']}) significant "
                   f"{more} {what} dan een kandidaat met profiel '{r['reference']}': {fmt.pp(r['difference_pp'])} "
                   f"({fmt.prop(r['rate'])} tegenover {fmt.prop(r['rate_reference'])}; {ptxt}).")
    return out


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
    items = [f"{names.get(str(r['variable']), r['variable'])} = {r['level']} ({r['group']}: "
             f"{fmt.pp(r['difference_pp'])})" for _, r in sig.iterrows()]
    return (f"Van de {fmt.num(n)} getoonde vergelijkingen per subgroep {'is' if len(sig) == 1 else 'zijn'} er "
            f"na correctie voor meervoudig toetsen (Holm) {fmt.num(len(sig))} significant: " + "; ".join(items) + ".")
