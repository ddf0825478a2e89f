"""How the report shows its tables: per table the columns the reader sees, their Dutch headings,
number formats, fixed highlights and the note under the table, as keyword arguments for
:func:`evaluatie.publish.report.table` (``rp.table(df, name, caption, **T.layout(name, ...))``).
The exported CSVs keep every column with its English name; this module changes only what a reader sees.

Group names are shown with the report's own labels, so layouts that show a group column take
``label`` (full Dutch name) and/or ``short`` (short Dutch name) as callables; a few notes name the
small-cell ``threshold``; the entity ranking needs its ``groups`` and reference year ``year``.
"""

from __future__ import annotations

from typing import Any, Callable

from evaluatie.analyses.targets.narrative import RULE_NL, gender_pct, one_name

__all__ = ["layout"]

def _withheld_nl(threshold: int | None) -> str:
    """Why a personnel figure is not shown: the small-cell rule or the secondary rule."""
    return (f"steunt op minder dan {threshold} personen (in of buiten de groep), of zou samen met andere "
            "gepubliceerde cijfers zo'n cijfer verraden")


def _gender_levels_nl(gender_threshold: float | None) -> dict[str, str]:
    """The Dutch names of the gender-balance levels, each with its rule: all staff with the report's
    ``gender_threshold`` (required: the verdicts follow it), middle management with the plan's 66%."""
    if gender_threshold is None:
        raise TypeError("the gender-balance tables need the report's gender_threshold")
    return {"women_total": f"alle personeelsleden (< {gender_pct(gender_threshold)} van één geslacht)",
            "women_middle": "middenkader (> 66% van één geslacht)"}


#: The gap to a target, in the report's one sign convention (kloof = referentie − groep).
_GAP_NOTE = "Kloof: streefcijfer min laatste aandeel, in procentpunt; positief = onder het streefcijfer, negatief = erboven."


def _one_name_phrases(v: Any) -> Any:
    return one_name(v, phrases=True)


def _rule_nl(v: Any) -> Any:
    return RULE_NL.get(v, v)


def _dash(v: Any) -> Any:
    return "–" if v == "-" else v


def layout(name: str, *, label: Callable[[str], str] | None = None, short: Callable[[str], str] | None = None,
           threshold: int | None = None, entity: bool = False, groups: list[str] | None = None,
           year: int | None = None, columns: list[str] | None = None, n: int | None = None,
           gender_threshold: float | None = None) -> dict[str, Any]:
    """Keyword arguments (``columns``, ``labels``, ``formats``, ``highlight``, ``note``) for the report
    table ``name``. ``entity`` selects the one-entity variant of ``assessment_microdata``,
    ``growth_path`` and ``gender_balance``; ``tabel1`` needs the table's ``columns``;
    ``entity_status_counts`` the number ``n`` of entities and the target ``year``;
    ``gender_balance`` and ``gender_balance_domains`` the report's ``gender_threshold``, which their
    headings name."""
    if name == "tabel1":
        return dict(labels={"group": "Kansengroep", "target_2015": "Streefcijfer 2015"},
                    formats={c: _dash for c in (columns or []) if c != "group"},
                    note="Bron: Strategisch Gelijkekansen- en Diversiteitsplan Vlaamse overheid 2016-2020, Tabel 1. "
                         "–: geen streefcijfer voor 2015.")
    if name == "breaks":
        return dict(labels={"year": "Eerste jaar nieuwe meting", "label": "Wat veranderde", "groups": "Geldt voor"},
                    formats={"year": "text"})
    if name == "link_factor":
        return dict(labels={"year": "Jaar", "old": "Oude reeks", "share_pct_old": "Aandeel (oud)", "new": "Nieuwe reeks",
                            "share_pct_new": "Aandeel (nieuw)", "ratio": "Koppelingsfactor (nieuw/oud)",
                            "difference_pp": "Verschil (nieuw − oud)"},
                    formats={"year": "text", "old": label, "new": label, "share_pct_old": "pct1", "share_pct_new": "pct1",
                             "ratio": "num2", "difference_pp": "pp1"})
    if name == "current_position":
        return dict(
            columns=["group", "last_year", "last_share_pct", "segment_start", "n_points", "trend_pp_per_year",
                     "trend_ci_low", "trend_ci_high"],
            labels={"group": "Kansengroep", "last_year": "Laatste jaar", "last_share_pct": "Aandeel",
                    "segment_start": "Meetreeks sinds", "n_points": "Cijfers in meetreeks",
                    "trend_pp_per_year": "Trend per jaar", "trend_ci_low": "95%-BI van", "trend_ci_high": "tot"},
            formats={"group": label, "last_year": "text", "segment_start": "text", "n_points": "int",
                     "last_share_pct": "pct1", "trend_pp_per_year": "pp2", "trend_ci_low": "pp2", "trend_ci_high": "pp2"},
            note="Trend: helling van de trendlijn in procentpunt per jaar, alleen binnen de laatste meetreeks "
                 "(minstens 3 cijfers), met 95%-betrouwbaarheidsinterval (BI).")
    if name == "assessment":
        return dict(
            columns=["group", "status_nl", "target_pct", "target_year", "last_year", "last_share_pct", "gap_pp",
                     "required_pp_per_year", "persons_short"],
            labels={"group": "Kansengroep", "target_pct": "Streefcijfer", "target_year": "Tegen eind",
                    "last_year": "Laatste cijfer", "last_share_pct": "Aandeel", "gap_pp": "Kloof (pp)",
                    "required_pp_per_year": "Nodig per jaar", "persons_short": "Tekort in personen",
                    "status_nl": "Status"},
            formats={"group": short, "target_pct": "pct1", "target_year": "text", "last_year": "text",
                     "last_share_pct": "pct1", "gap_pp": "pp1", "required_pp_per_year": "pp2",
                     "persons_short": "int"},
            note=_GAP_NOTE + " Nodig per jaar: de kloof gespreid over de jaren tot de einddatum; leeg als de einddatum "
                 "voorbij is. Niet gehaald: de einddatum is voorbij en het cijfer van dat jaar ligt onder het streefcijfer. "
                 "Geen cijfer <jaar>: de einddatum is voorbij, maar er is geen cijfer voor dat jaar, dus geen oordeel "
                 "'niet gehaald'.")
    if name == "trend_view":
        return dict(
            labels={"group": "Kansengroep", "target_year": "Tegen eind", "n_points": "Cijfers in meetreeks",
                    "trend": "Trend per jaar (95%-BI)", "projection": "Trendwaarde op einddatum (95%-VI)",
                    "p_reach": "Kans op streefcijfer"},
            formats={"group": short, "target_year": "text", "n_points": "int", "p_reach": "prop1"},
            note="BI: betrouwbaarheidsinterval. VI: voorspellingsinterval voor het cijfer dat op de einddatum gemeten wordt. "
                 "Kans op streefcijfer: volgens het trendmodel, gegeven de cijfers tot het laatste jaar. Bij een voorbije "
                 "einddatum is de trendwaarde de waarde van de trendlijn in dat jaar, naast het gemeten cijfer.")
    if name == "yearly_targets":
        return dict(
            columns=["group", "target_pct", "last_year", "last_share_pct", "definition", "gap_pp", "status_nl"],
            labels={"group": "Groep", "target_pct": "Streefcijfer (elk jaar)", "last_year": "Laatste cijfer",
                    "last_share_pct": "Aandeel", "definition": "Gemeten als", "gap_pp": "Kloof (pp)",
                    "status_nl": "Status"},
            formats={"group": label, "target_pct": "pct0", "last_year": "text", "last_share_pct": "pct1",
                     "gap_pp": "pp1", "definition": "text"},
            note=_GAP_NOTE + " Stagiairs en jobstudenten zitten niet in de personeelsgegevens van 31 december; de streefcijfers tellen "
                 "alle tewerkstellingen tijdens het jaar. Een cijfer onder een oudere definitie dan die van het "
                 "streefcijfer wordt getoond, niet beoordeeld: het verschil is dan alleen een orde van grootte.")
    if name == "deadline_review":
        return dict(
            columns=["group", "target_pct", "target_year", "origin_year", "naive_pct", "trend_pct", "pi_low",
                     "pi_high", "p_reach", "actual_pct", "reached"],
            labels={"group": "Kansengroep", "target_pct": "Streefcijfer", "target_year": "Eind",
                    "origin_year": "Cijfers tot", "naive_pct": "Vuistregel",
                    "trend_pct": "Trend", "pi_low": "95%-VI van", "pi_high": "tot",
                    "p_reach": "Kans", "actual_pct": "Gemeten", "reached": "Behaald"},
            formats={"group": short, "target_pct": "pct1", "target_year": "text", "origin_year": "text",
                     "naive_pct": "pct1", "trend_pct": "pct1", "pi_low": "pct1", "pi_high": "pct1",
                     "p_reach": "prop1", "actual_pct": "pct1"},
            note="Vuistregel: 'als dit tempo aanhoudt'. Trend: trendmethode van dit rapport, met 95%-voorspellingsinterval "
                 "(VI) en de kans om het streefcijfer te halen.",
            highlight={"reached": {True: "ev-good", False: "ev-bad"}})
    if name == "backtest_summary":
        return dict(
            columns=["group", "n_projections", "mae_naive_pp", "mae_trend_pp", "bias_trend_pp", "pi_coverage"],
            labels={"group": "Kansengroep", "n_projections": "Projecties", "mae_naive_pp": "Fout vuistregel",
                    "mae_trend_pp": "Fout trendmethode", "bias_trend_pp": "Gemiddelde afwijking trend",
                    "pi_coverage": "Binnen 95%-VI"},
            formats={"group": short, "n_projections": "int", "mae_naive_pp": "num1", "mae_trend_pp": "num1",
                     "bias_trend_pp": "pp1", "pi_coverage": "prop1"},
            note="Vuistregel: 'als dit tempo aanhoudt'. Fout: gemiddelde absolute afwijking in procentpunt. Gemiddelde afwijking: positief = de projectie lag te hoog. "
                 "Binnen 95%-VI: aandeel latere cijfers binnen het voorspellingsinterval (nominaal 95%).")
    if name == "assessment_microdata":
        return dict(
            columns=["group", "status_nl", "target_pct", "last_year", "last_share_pct", "gap_pp", "trend",
                     "persons_short"],
            labels={"group": "Kansengroep", "target_pct": "Streefcijfer",
                    "last_year": "Laatste cijfer", "last_share_pct": "Aandeel", "gap_pp": "Kloof (pp)",
                    "trend": "Trend/jaar (95%-BI)", "persons_short": "Tekort (personen)", "status_nl": "Status"},
            formats={"group": short, "target_pct": "pct1", "last_year": "text",
                     "last_share_pct": "pct1", "gap_pp": "pp1", "persons_short": "int"},
            note=_GAP_NOTE + " Trend: binomiaal logitmodel op teller en noemer (met overdispersie), helling in procentpunt "
                 "per jaar in het laatste jaar." + (f" Geen cijfer <jaar>: het cijfer van dat jaar {_withheld_nl(threshold)}; "
                                          "een ouder cijfer wordt dan niet getoond." if entity else ""))
    if name == "entity_status_counts":
        return dict(labels={"group": "Kansengroep"}, formats={"group": label},
                    note=f"Elke rij telt alle {n} entiteiten van het personeelsbestand. Niet beoordeeld: de entiteit heeft "
                         f"voor die kansengroep tot eind {year} geen enkel cijfer dat getoond mag worden; zo'n cijfer "
                         + _withheld_nl(threshold) + ", of er werkt niemand op dat niveau. Geen cijfer "
                         f"{year}: er zijn oudere cijfers, maar het cijfer van {year} zelf mag niet getoond worden.")
    if name == "entity_ranking":
        rank_groups = list(groups or [])
        return dict(
            columns=["entity", "year"] + [f"{g}__{c}" for g in rank_groups
                                         for c in ("status_nl", "last_share_pct", "persons_short")] + ["total_short"],
            labels={"entity": "Entiteit", "year": "Jaar", "total_short": "Tekort samen",
                    **{f"{g}__status_nl": f"{short(g)}: status" for g in rank_groups},
                    **{f"{g}__last_share_pct": "aandeel" for g in rank_groups},
                    **{f"{g}__persons_short": "tekort" for g in rank_groups}},
            formats={"year": "text", "total_short": "int", **{f"{g}__last_share_pct": "pct1" for g in rank_groups},
                     **{f"{g}__persons_short": "int" for g in rank_groups}},
            note=f"Jaar: het jaar van elk getoond cijfer. Tekort: personen te weinig om het streefcijfer te halen bij het "
                 f"personeelsaantal van {year}. Tekort samen: som van de getoonde tekorten (een verborgen tekort telt "
                 "niet mee). Geen cijfer: voor dat jaar geen cijfer dat getoond mag worden; een streepje: geen "
                 "personeel in die groep of geen teller bekend. Alle kerngetallen per entiteit, ook voor vrouwen in "
                 "top- en middenkader, staan in de tabellen bij dit rapport (map tables en tables.xlsx: de beoordeling "
                 "per entiteit, met dezelfde regel).")
    if name == "growth_path_example":
        return dict(
            columns=["group", "share_jx_minus_2_pct", "share_pct", "rule", "rule_type", "threshold_pct", "met"],
            labels={"group": "Kansengroep", "share_jx_minus_2_pct": "Aandeel jx-2", "share_pct": "Aandeel jx-1",
                    "rule": "Tussentijds streefcijfer", "rule_type": "Soort regel", "threshold_pct": "Drempel",
                    "met": "Gehaald"},
            formats={"group": _one_name_phrases, "share_jx_minus_2_pct": "pct1", "share_pct": "pct1",
                     "rule_type": _rule_nl, "threshold_pct": "pct1"},
            highlight={"met": {True: "ev-good", False: "ev-bad"}},
            note="Aandelen afgerond op één decimaal; de regel is getoetst op de aandelen zoals het sjabloon ze geeft (met "
                 "twee decimalen), zodat naast twee gelijk afgeronde aandelen 'nee' kan staan. Voor de illustratie is de "
                 "regel van jaar jx toegepast op de overgang van jx-2 naar jx-1.")
    if name == "growth_path" and not entity:
        return dict(
            columns=["group", "year", "rule_type", "met", "not_met", "unknown"],
            labels={"group": "Kansengroep", "year": "Jaar", "rule_type": "Soort regel", "met": "Gehaald",
                    "not_met": "Niet gehaald", "unknown": "Onbekend (kleine cel)"},
            formats={"group": short, "year": "text", "rule_type": _rule_nl, "met": "int",
                     "not_met": "int", "unknown": "int"},
            note="Aantal entiteiten dat het tussentijdse streefcijfer van dat jaar haalde (zonder eigen groeipaden: "
                 "een aandeel op 31 december minstens even hoog als een jaar eerder). Onbekend: het cijfer van een van beide jaren "
                 + _withheld_nl(threshold) + ".")
    if name == "growth_path":
        return dict(
            labels={"group": "Kansengroep", "year": "Jaar", "rule": "Tussentijds streefcijfer", "threshold_pct": "Drempel",
                    "share_pct": "Aandeel dit jaar", "result": "Regel"},
            formats={"group": short, "year": "text", "threshold_pct": "pct1", "share_pct": "pct1"},
            highlight={"result": {"gehaald": "ev-good", "niet gehaald": "ev-bad", "onbekend": "ev-warn"}},
            note="Aandelen afgerond op één decimaal; de regel is getoetst op de onafgeronde aandelen, zodat naast twee "
                 "gelijk afgeronde aandelen 'niet gehaald' kan staan. Onbekend: het cijfer van een van beide jaren "
                 + _withheld_nl(threshold) + ".")
    if name == "gender_balance" and entity:
        return dict(labels={"group": "Niveau", "denominator": "Personen", "share_pct": "Aandeel vrouwen", "verdict": "Oordeel"},
                    formats={"group": _gender_levels_nl(gender_threshold).get, "denominator": "int", "share_pct": "pct1"})
    if name == "gender_balance":
        return dict(labels={"group": "Niveau", "verdict": "Oordeel", "entities": "Entiteiten"},
                    formats={"group": _gender_levels_nl(gender_threshold).get, "entities": "int"})
    if name == "gender_balance_domains":
        _gender_levels_nl(gender_threshold)  # required here too
        return dict(
            labels={"policy_domain": "Beleidsdomein", "denominator": "Personeelsleden", "share_pct": "Aandeel vrouwen",
                    "verdict": f"Oordeel (regel {gender_pct(gender_threshold)})"},
            formats={"denominator": "int", "share_pct": "pct1"},
            highlight={"verdict": {"evenwichtig": "ev-good", "vrouwen ondervertegenwoordigd": "ev-bad",
                                   "mannen ondervertegenwoordigd": "ev-bad"}})
    if name == "levels":
        years = [c for c in (columns or []) if c not in ("group", "denominator")]
        return dict(labels={"group": "Kansengroep", "denominator": f"Personen {years[-1] if years else ''}".strip()},
                    formats={"group": label, "denominator": "int", **{y: "pct1" for y in years}},
                    note="Aandeel van de kansengroep in het personeel (of, bij vrouwen per kader, in dat kader) per "
                         "peildatum. Leeg: geen personeel in die groep op die peildatum.")
    if name == "changes":
        return dict(
            columns=["group", "segment_start", "first_share_pct", "last_year", "last_share_pct", "change_pp",
                     "trend_pp_per_year", "trend_ci_low", "trend_ci_high"],
            labels={"group": "Kansengroep", "segment_start": "Van", "first_share_pct": "Aandeel toen",
                    "last_year": "Tot", "last_share_pct": "Aandeel nu", "change_pp": "Verandering",
                    "trend_pp_per_year": "Trend per jaar", "trend_ci_low": "95%-BI van", "trend_ci_high": "tot"},
            formats={"group": label, "segment_start": "text", "last_year": "text", "first_share_pct": "pct1",
                     "last_share_pct": "pct1", "change_pp": "pp1", "trend_pp_per_year": "pp2", "trend_ci_low": "pp2",
                     "trend_ci_high": "pp2"},
            note="Verandering: verschil in procentpunt tussen het eerste en het laatste cijfer van dezelfde meetreeks. "
                 "Trend: helling van de trendlijn (binomiaal model) in procentpunt per jaar, pas vanaf drie cijfers.")
    raise KeyError(f"no layout for table {name!r}")
