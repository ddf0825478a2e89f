"""Dutch wording of the target-figure report: status labels and their colours, group labels, and
Tabel 1 of the 2016-2020 plan with its shares as published.

Names from the data or the parameters (an entity or organisation, a group named by a targets file, a
title) enter Markdown sentences and headings through :func:`evaluatie.core.fmt.literal`; alt texts
and table captions are plain text and take them as they are."""

from __future__ import annotations

from typing import Any, Callable, Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

from evaluatie.analyses.targets.disclosure import no_personnel_data
from evaluatie.core import fmt
from evaluatie.publish.disclosure import mark
from evaluatie.publish.glossary import target_group_label

__all__ = ["STATUS_NL", "STATUS_CLASS", "GROUP_LABELS_NL", "status_nl", "status_css", "tabel1", "ci_text", "verdict",
           "later_figures_text", "yearly_summary_text", "backtest_text", "gender_verdict_nl",
           "RULE_NL", "growth_result_nl", "SHORT_LABELS_NL", "breaks_table", "link_factor_text", "trend_view",
           "yearly_status_nl", "group_labels", "ranking_intro_text", "backtest_alt", "figure_text", "report_text", "verdict_list", "skipped_text", "TABEL1_GROUPS",
           "DEFAULT_TITLE", "report_title", "subtitle_text", "not_applicable", "microdata_heading", "microdata_intro",
           "levels_table", "change_table", "micro_summary", "tabel1_view", "latest_target_year", "gender_pct",
           "PLAN_GENDER_THRESHOLD",
           "TABEL1_CAPTION", "synthetic_suffixes", "published_summary", "YEARLY_HEADING", "trend_note", "one_name",
           "method_text", "INTERVAL_ASSUMPTION", "GLOSSARY_TERMS", "GLOSSARY_EXTRA", "glossary_terms", "template_result"]


STATUS_NL = {
    "reached": "behaald",
    "on_track": "op schema",
    "behind": "achter op schema",
    "insufficient_data": "onvoldoende gegevens",
}
# CSS classes of evaluatie.publish.report.table: colour only doubles the text label.
STATUS_CLASS = {"reached": "ev-good", "on_track": "ev-good", "behind": "ev-bad",
                "insufficient_data": "ev-warn"}



def status_nl(frame: pd.DataFrame) -> list[str]:
    """The Dutch status of each row of :func:`evaluate_targets` / :func:`assess_entities`.

    A running target reads as :data:`STATUS_NL`. Once its date has passed (``date_passed``):
    ``behaald``; ``niet gehaald`` only when there is a figure for the target year itself; without
    one ``geen cijfer <jaar>`` — a verdict from an earlier year's figure is not a verdict."""
    out = []
    for st, passed, outcome, ty in zip(frame["status"], frame.get("date_passed", [False] * len(frame)),
                                       frame.get("outcome", [None] * len(frame)), frame["target_year"]):
        if st == "reached":
            out.append("behaald")
        elif passed and outcome == "no_figure_at_target_date":
            out.append(f"geen cijfer {int(ty)}")
        elif passed:
            out.append("niet gehaald")
        else:
            out.append(STATUS_NL[st])
    return out


def status_css(labels: Iterable[str]) -> dict[str, str]:
    """CSS class (``report.table`` ``highlight``) for every Dutch status label in ``labels``."""
    fixed = {"behaald": "ev-good", "op schema": "ev-good", "achter op schema": "ev-bad",
             "niet gehaald": "ev-bad", "onvoldoende gegevens": "ev-warn"}
    return {v: fixed.get(v, "ev-warn") for v in set(labels)}

# The Flemish target groups carry the one name of evaluatie.publish.glossary.target_group_name in
# every report (personen van buitenlandse herkomst, personen met een handicap, kortgeschoolden); the
# series under the definition before 2016 is the same target group, measured another way.
GROUP_LABELS_NL = {
    "women_total": "Vrouwen (alle personeelsleden)",
    "women_top": "Vrouwen in het topkader",
    "women_middle": "Vrouwen in het middenkader",
    "women_lower": "Vrouwen in het lager kader",
    "migration_background": "Personen van buitenlandse herkomst (oude definitie)",
    "foreign_origin": "Personen van buitenlandse herkomst",
    "disability_chronic_illness": "Personen met een handicap",
    "low_educated": "Kortgeschoolden",
    "experienced_45plus": "Ervaren medewerkers (45+)",
    "experienced_55plus": "Ervaren medewerkers (55+)",
    "interns_foreign_origin": "Stagiairs van buitenlandse herkomst",
    "student_workers_foreign_origin": "Jobstudenten van buitenlandse herkomst",
    "interns_disability_chronic_illness": "Stagiairs met een handicap",
    "student_workers_disability_chronic_illness": "Jobstudenten met een handicap",
}

# Older wordings of the target groups inside a longer label of a source (Tabel 1, the template of the
# business plan), replaced by the one name; compared case-insensitively.
_OLD_WORDINGS = (("met een handicap of chronische ziekte", "met een handicap"),
                 ("met een arbeidshandicap", "met een handicap"),
                 ("met een migratieachtergrond", "van buitenlandse herkomst"),
                 ("kortgeschoolde medewerkers", "kortgeschoolden"),
                 ("laaggeschoolde medewerkers", "kortgeschoolden"))


def one_name(label: Any, *, phrases: bool = False) -> Any:
    """The one name of a Flemish target group for ``label`` as a report shows it
    (:func:`evaluatie.publish.glossary.target_group_name`, with the first letter in the label's case):
    ``"Laaggeschoold"`` -> ``"Kortgeschoolden"``. ``phrases``: also replace an older wording inside a
    longer label of a source (``"Medewerkers met een migratieachtergrond"`` -> ``"Medewerkers van
    buitenlandse herkomst"``). Any other label (a user's own group) is returned as it is."""
    if not isinstance(label, str) or not label:
        return label
    name = target_group_label(label)
    if name != label or not phrases:
        return name
    for old, new in _OLD_WORDINGS:
        i = name.casefold().find(old)
        if i >= 0:
            name = name[:i] + new + name[i + len(old):]
    return name[:1].upper() + name[1:] if name != label and label[:1].isupper() else name



def tabel1(data: pd.DataFrame, targets: pd.DataFrame, years: Sequence[int] = range(2009, 2015),
           groups: Sequence[str] | None = None, labels: Mapping[str, str] | None = None) -> pd.DataFrame:
    """Tabel 1 of the 2016-2020 strategic plan: one row per group, one column per year with the
    share as published (Dutch format, ``49,6%``), and the 2015 target (``-`` where there is none).
    """
    groups = list(groups) if groups is not None else list(dict.fromkeys(data["group"]))
    labels = dict(labels or {})
    t15 = targets[targets["target_year"] == 2015].set_index("group")
    rows = []
    for g in groups:
        d = data[data["group"] == g].set_index("year")
        row = {"group": labels.get(g, g)}
        for y in years:
            row[str(y)] = fmt.pct(float(d.at[y, "share_pct"]), 1) if y in d.index else "-"
        tv = t15["target_pct"].get(g) if g in t15.index else None
        row["target_2015"] = "-" if tv is None or pd.isna(tv) else fmt.pct(tv, 1)
        rows.append(row)
    return pd.DataFrame(rows)


def ci_text(est: Any, lo: Any, hi: Any, kind: str = "pp") -> str:
    """``estimate (low tot high)`` in Dutch: a trend in procentpunt (``kind="pp"``, 2 decimals,
    signed bounds) or a share (``kind="pct"``, 1 decimal); :data:`fmt.MISSING` without estimate."""
    if est is None or pd.isna(est):
        return fmt.MISSING
    f = (lambda v: fmt.pp(v, 2)) if kind == "pp" else (lambda v: fmt.pct(v, 1))
    g = (lambda v: fmt.signed(v, 2)) if kind == "pp" else (lambda v: fmt.num(v, 1))
    return f"{f(est)} ({g(lo)} tot {g(hi)})"


def verdict(r: Mapping[str, Any], name: str) -> str:
    """One Dutch line per target (a row of :func:`evaluate_targets`), always in the same form:
    figure; target; verdict (detail). ``name``: the group's Dutch label. After the target date
    without a figure for that year, the verdict rests on the trend's chance (``p_reach``):
    below 1% *vrijwel zeker niet gehaald*, below 50% *waarschijnlijk niet gehaald*."""
    tp, ty = fmt.pct(r["target_pct"], 1), int(r["target_year"])
    ly = int(r["last_year"])
    last = f"{fmt.pct(r['last_share_pct'], 1)} eind {ly}"
    gap = fmt.num(abs(r["gap_pp"]), 1)
    outcome = r.get("outcome")
    if r["status"] == "reached":
        when = "" if ly == ty else f" (eind {ty})"
        return f"**{name}**: {last}; streefcijfer {tp}{when} **behaald** ({gap} procentpunt erboven)."
    if outcome == "not_reached":
        return f"**{name}**: {last}; streefcijfer {tp} **niet gehaald** ({gap} procentpunt te weinig)."
    if outcome == "no_figure_at_target_date":
        p = r["p_reach"]
        known = p is not None and not pd.isna(p)
        word = ("vrijwel zeker niet gehaald" if known and p < 0.01 else
                "waarschijnlijk niet gehaald" if known and p < 0.5 else "niet te beoordelen")
        chance = ("" if not known else
                  f"; kans volgens de trend {'minder dan 1%' if p < 0.01 else fmt.prop(p, 1)}")
        return (f"**{name}**: {last} (geen cijfer voor {ty}); streefcijfer {tp} (eind {ty}) op basis van {ly} "
                f"**{word}** ({gap} procentpunt te weinig eind {ly}{chance}).")
    if r["status"] == "insufficient_data":
        return (f"**{name}**: {last}; streefcijfer {tp} tegen eind {ty}: **onvoldoende gegevens** (minder dan drie "
                "cijfers sinds de laatste breuk, dus geen trend).")
    word = "op schema" if r["status"] == "on_track" else "achter op schema"
    return (f"**{name}**: {last}; streefcijfer {tp} tegen eind {ty}: **{word}** (nodig "
            f"{fmt.pp(r['required_pp_per_year'])} per jaar, trend {fmt.pp(r['trend_pp_per_year'])} per jaar; "
            f"kans op het streefcijfer {fmt.prop(r['p_reach'], 1)}).")


def later_figures_text(targets: pd.DataFrame, position: pd.DataFrame, label: Callable[[str], str]) -> str | None:
    """The figures published after the year a target was evaluated at (``targets``: rows of
    :func:`evaluate_targets`; ``position``: :func:`current_position`), each said to lie above or
    below its target, as a Markdown list with one group per item, named by ``label`` as it is
    written (a label keeps its case); None when there is no later figure."""
    pos_all = position.set_index("group")
    later = []
    for _, r in targets.iterrows():
        g = r["group"]
        if g in pos_all.index and int(pos_all.at[g, "last_year"]) > int(r["evaluated_at"]):
            v, y = float(pos_all.at[g, "last_share_pct"]), int(pos_all.at[g, "last_year"])
            rel = "boven" if v >= r["target_pct"] else "onder"
            later.append(f"- {fmt.literal(label(g))}: {fmt.pct(v, 1)} in {y} ({rel} {fmt.pct(r['target_pct'], 0)})")
    return "De laatst gepubliceerde cijfers:\n\n" + "\n".join(later) if later else None


def yearly_summary_text(yearly: pd.DataFrame) -> str:
    """Summary line on the yearly targets (trainees, student jobs; rows of
    :func:`evaluate_yearly_targets`): figures under an older definition are shown, never judged."""
    known = yearly.dropna(subset=["last_share_pct"])
    return ("Voor stagiairs en jobstudenten gelden **jaarlijkse** streefcijfers ("
            + " en ".join(fmt.pct(v, 0) for v in sorted(set(yearly["target_pct"]), reverse=True)) + "). "
            + ("Er is geen cijfer voor." if known.empty else
               f"De bronnen geven alleen cijfers van {int(known['last_year'].max())}, onder de definities van vóór 2016 "
               f"({fmt.pct(known['last_share_pct'].min(), 1)} tot {fmt.pct(known['last_share_pct'].max(), 1)}): "
               "ver onder het streefcijfer, maar zonder oordeel (zie *Stagiairs en jobstudenten*).")
            if not yearly["target_definition"].any() else
            "Zie *Stagiairs en jobstudenten*.")


def backtest_text(bt: pd.DataFrame, bt_all: pd.DataFrame) -> str:
    """Summary of the backtest (``bt``: :func:`backtest_groups`; ``bt_all``: its
    :func:`backtest_summary` over everything): mean absolute error of the trend method and of the
    rule of thumb, and the coverage of the 95% prediction intervals."""
    n_proj = int(bt_all["n_projections"].iloc[0])
    return (
        f"Hoe betrouwbaar zijn projecties? Op de eigen reeksen getoetst ({fmt.num(n_proj)} projecties van 1 tot "
        f"{int(bt['horizon'].max())} jaar vooruit, telkens alleen binnen één meetreeks) zat de trendmethode van dit "
        f"rapport gemiddeld **{fmt.num(bt_all['mae_trend_pp'].iloc[0], 1)} procentpunt** naast het later gemeten cijfer; "
        f"de vuistregel *als dit tempo aanhoudt* (de laatste jaarlijkse stijging doortrekken) zat er "
        f"**{fmt.num(bt_all['mae_naive_pp'].iloc[0], 1)} procentpunt** naast. "
        f"De 95%-voorspellingsintervallen bevatten {fmt.prop(bt_all['pi_coverage'].iloc[0], 1)} van de latere cijfers: "
        "met zo weinig jaren per reeks, en omdat ze de schommelingen van jaar tot jaar als onafhankelijk behandelen "
        "(zie *Werkwijze*), zijn ze eerder te smal dan te breed. Elke breuk begint de telling opnieuw.")


def gender_verdict_nl(share_pct: pd.Series, under: pd.Series) -> np.ndarray:
    """Dutch verdict of the gender-balance rule per row: ``under`` is the result of
    :func:`gender_balance` (``"women"``, ``"men"``, None) or ``"exempt"``; a missing share (small
    cell) that is not exempt reads *niet getoond (kleine aantallen)*."""
    return np.select(
        [share_pct.isna() & (under != "exempt"), under == "exempt", under == "women", under == "men"],
        ["niet getoond (kleine aantallen)", "uitgezonderd (één functie)", "vrouwen ondervertegenwoordigd",
         "mannen ondervertegenwoordigd"], default="evenwichtig")


# Dutch names of the rule types of :func:`growth_paths.parse_interim_target`.
RULE_NL = {"at_least_previous": "minstens niveau vorig jaar", "minimum": "minimumpercentage",
           "explicit": "vast percentage"}


def growth_result_nl(met: pd.Series) -> pd.Series:
    """Dutch result of a growth-path check per row (``met`` of :func:`check_growth_path`):
    ``gehaald``, ``niet gehaald``, or ``onbekend`` where it could not be checked (small cell)."""
    return met.map(lambda v: "onbekend" if pd.isna(v) else ("gehaald" if v else "niet gehaald"))


# Short Dutch group labels for table cells.
SHORT_LABELS_NL = {
    "women_total": "Vrouwen (totaal)", "women_top": "Vrouwen topkader", "women_middle": "Vrouwen middenkader",
    "women_lower": "Vrouwen lager kader", "migration_background": "Buitenlandse herkomst (oud)",
    "foreign_origin": "Buitenlandse herkomst", "disability_chronic_illness": "Handicap",
    "low_educated": "Kortgeschoolden", "experienced_45plus": "Ervaren (45+)", "experienced_55plus": "Ervaren (55+)"}


def breaks_table(breaks: Iterable[Any], label: Callable[[str], str]) -> pd.DataFrame:
    """The breaks (:func:`segments.as_breaks`) as a table ``year, label, groups``; ``groups`` in
    Dutch (``alle groepen`` for a break of every group)."""
    return no_personnel_data(pd.DataFrame([{"year": b.year, "label": b.label,
                                    "groups": "alle groepen" if b.groups is None else ", ".join(label(g) for g in b.groups)}
                                   for b in breaks]))


def link_factor_text(r: Mapping[str, Any]) -> str:
    """The overlap year of origin (a row of :func:`segments.link_factors`) in words: both shares,
    the ratio and the difference, and why the series are not spliced with it."""
    return (
        f"In het overlapjaar {int(r['year'])} werd de herkomst op beide manieren gemeten: "
        f"{fmt.pct(r['share_pct_new'], 1)} volgens de nieuwe definitie (buitenlandse herkomst) tegenover "
        f"{fmt.pct(r['share_pct_old'], 1)} volgens de oude (migratieachtergrond). De nieuwe definitie telt dus "
        f"{fmt.num(r['ratio'], 2)} keer zoveel personen, {fmt.num(r['difference_pp'], 1)} procentpunt meer. "
        "Die koppelingsfactor staat hier ter informatie: het rapport plakt de reeksen er **niet** mee aan elkaar, "
        "want het verschil tussen beide definities hoeft niet elk jaar even groot te zijn.")


def trend_view(tab: pd.DataFrame) -> pd.DataFrame:
    """Per target (rows of :func:`evaluate_targets`): trend with its 95% confidence interval and
    projection with its 95% prediction interval as Dutch text (:func:`ci_text`), next to
    ``group, target_year, n_points, p_reach``."""
    return pd.DataFrame({
        "group": tab["group"], "target_year": tab["target_year"], "n_points": tab["n_points"],
        "trend": [ci_text(*v) for v in zip(tab["trend_pp_per_year"], tab["trend_ci_low"], tab["trend_ci_high"])],
        "projection": [ci_text(*v, kind="pct") for v in zip(tab["projected_pct"], tab["projection_pi_low"],
                                                             tab["projection_pi_high"])],
        "p_reach": tab["p_reach"]})


def yearly_status_nl(yearly: pd.DataFrame) -> list[str]:
    """Dutch status of each yearly target (rows of :func:`evaluate_yearly_targets`)."""
    yearly_nl = {"reached": "behaald in {y}", "not_reached": "niet gehaald in {y}",
                 "insufficient_data": "onvoldoende gegevens"}
    return [yearly_nl[s].format(y=y) for s, y in zip(yearly["status"], yearly["last_year"])]


def group_labels(targets: pd.DataFrame) -> dict[str, str]:
    """Dutch label per group: :data:`GROUP_LABELS_NL`, completed with the ``group_nl`` of the
    targets file for groups it does not know."""
    labels = dict(GROUP_LABELS_NL)
    for g, lab in zip(targets["group"], targets["group_nl"]):
        labels.setdefault(g, one_name(lab))
    return labels


def ranking_intro_text(year: int, threshold: int) -> str:
    """Introduction of the entity ranking: only figures of ``year`` itself are shown; a withheld cell
    (fewer than ``threshold`` persons, or one that would give such a cell away) is never replaced by
    an older figure."""
    return (
        f"Per entiteit en streefcijfer: het cijfer van {year}, het tekort in personen en de status. De entiteiten staan "
        f"gerangschikt naar het totale tekort in personen (buitenlandse herkomst en handicap samen), van het grootste "
        f"naar het kleinste. Alleen cijfers van {year} zelf worden getoond: waar het cijfer van {year} op minder dan "
        f"{threshold} personen steunt, of samen met de andere gepubliceerde cijfers zo'n cijfer zou verraden, staat "
        f"'x' (niet getoond) en wordt geen ouder cijfer getoond (een oud cijfer naast een "
        "verborgen nieuw cijfer zou verraden hoeveel personen het zijn). Het streefcijfer geldt voor de Vlaamse "
        "overheid als geheel; per entiteit is het een referentiepunt, geen verplichting (entiteiten leggen hun eigen "
        "groeipad vast).")


def backtest_alt(by_horizon: pd.DataFrame) -> str:
    """Alt text of :func:`figures.plot_backtest`: what the bars show and whether the trend method
    is closer to the outcome at every horizon or at most."""
    by_h = by_horizon
    return ("Staafdiagram van de gemiddelde absolute afwijking, in procentpunt, tussen projectie en later gemeten "
            "cijfer, per aantal jaren vooruit (1 tot " + str(int(by_h['horizon'].max())) + "), voor de vuistregel "
            "'als dit tempo aanhoudt' en voor de trendmethode van dit rapport. "
            + ("De trendmethode zit bij elke horizon dichter bij de uitkomst."
               if (by_h["mae_trend_pp"] <= by_h["mae_naive_pp"]).all() else
               "De trendmethode zit bij de meeste horizonnen dichter bij de uitkomst."))


def figure_text(name: str, *, cut: int | None = None, who: str | None = None, threshold: int | None = None,
                synthetic: bool = False, years: Sequence[int] = (), target_year: int | None = None) -> dict[str, str]:
    """Alt text and caption of the report figure ``name`` (keyword arguments for
    :func:`evaluatie.publish.report.figure`). The alt text of ``trends`` and ``projection_before_deadline``
    describes the published example series; ``cut`` is the last year shown in the latter;
    ``trends_microdata`` names ``who`` (entity or organisation), the first and last of its
    ``years``, the latest ``target_year`` drawn (None: no targets), the small-cell ``threshold``
    and whether the personnel data are ``synthetic``."""
    syn = " (synthetische gegevens)" if synthetic else ""
    if name == "trends":
        return dict(
            alt=("Vier lijngrafieken, 2009 tot 2023, van het aandeel vrouwen in top- en middenkader, personen van "
                 "buitenlandse herkomst en personen met een handicap, met elk streefcijfer als "
                 "horizontale lijn over zijn eigen periode (tot eind 2015: 33,3% vrouwen in top- en middenkader, 4% "
                 "buitenlandse herkomst volgens de oude definitie, 3% handicap; van 2016 tot eind 2020: 40%, 40%, 10% buitenlandse herkomst en 3%) "
                 "en verticale stippellijnen bij de breuken van 2014 en 2016. "
                 "Buitenlandse herkomst haalt 10% in 2018 en stijgt door; vrouwen in het middenkader komen in 2020 net "
                 "onder 40% uit; vrouwen in het topkader (rond 27%) en personen met een handicap (2,6% in 2023) "
                 "blijven onder het streefcijfer."),
            caption="Gemeten aandelen (punten) per meetreeks; lijnen worden over een breuk niet doorgetrokken. "
                    "Oranje: trendlijn binnen de laatste meetreeks. Streepstippellijn: elk streefcijfer over de periode "
                    "waarvoor het gold; ster: de einddatum.")
    if name == "projection_before_deadline":
        return dict(
            alt=(f"Dezelfde vier grafieken, maar alleen met de cijfers die vóór de einddatum bekend waren (tot {cut}), "
                 "met de trendlijn, de projectie naar de einddatum als stippellijn en een gekleurde waaier voor het "
                 "95%-voorspellingsinterval. Voor buitenlandse herkomst ligt de waaier volledig boven 10%; voor "
                 "vrouwen in het middenkader omvat de waaier het streefcijfer van 40%, maar de projectie ligt eronder; "
                 "voor vrouwen in het topkader en voor personen met een handicap ligt het streefcijfer aan of boven de "
                 "rand van de waaier."),
            caption="Zo zag het er uit met de cijfers tot het jaar vóór de einddatum: projectie (stippellijn) en "
                    "95%-voorspellingsinterval (waaier). Bij vrouwen in het topkader ontbreekt 2018; drie cijfers "
                    "sinds de breuk geven een zeer brede waaier.")
    if name == "trends_microdata":
        return dict(
            alt=(f"Lijngrafieken per kansengroep voor {who}, {years[0]} tot {years[-1]}, berekend uit personeelsgegevens, met "
                 + ("trendlijn en streefcijfer tegen eind " + str(target_year) if target_year else "trendlijn")
                 + ". Cijfers op minder dan " + str(threshold) +
                 " personen, en cijfers waaruit die af te leiden zijn, zijn weggelaten." + (" Synthetische gegevens: geen echte personen of entiteiten."
                                                  if synthetic else "")),
            caption="Aandelen uit personeelsgegevens per 31 december, met trendlijn"
                    + (" en streefcijfer" if target_year else "") + syn + ".")
    raise KeyError(f"no text for figure {name!r}")


#: The gender-balance rule of the strategic plan (OD 1.8): fewer than this share of one sex is
#: under-representation (the default of the report's ``gender_threshold``).
PLAN_GENDER_THRESHOLD = 33.0


def gender_pct(threshold: float) -> str:
    """A gender-balance threshold as the report names it: ``33%``, ``33,5%``, ``33,33%``."""
    x = float(threshold)
    return fmt.pct(x, 0 if x == round(x) else 1 if x * 10 == round(x * 10) else 2)


def report_text(name: str, *, who: str | None = None, threshold: int | None = None,
                gender_threshold: float | None = None) -> str:
    """A fixed paragraph of the report: ``synthetic_notice`` (the personnel part rests on synthetic
    data, next to real published series) or ``synthetic_notice_micro`` (a report on synthetic
    personnel data only), ``deadline_review_intro``, ``template_intro``, ``template_terms`` and
    (the template example of a growth path; its result: :func:`template_result`), ``no_assessment`` (no target can
    be judged for ``who`` with the small-cell ``threshold``), ``status_rules`` (what each status
    means), ``gender_rule`` (the gender-balance rule with the report's ``gender_threshold``, and the
    plan's own where they differ), ``sources``,
    ``breaks`` and ``backtest_caveat`` (the general words on published series, breaks and the
    backtest when the parameters give no ``notes`` of their own)."""
    if name == "synthetic_notice_micro":
        return ("Dit rapport steunt op **synthetische personeelsgegevens**: een nagebootst personeelsbestand, om de "
                "werkwijze te tonen. De cijfers beschrijven geen echte personen of organisaties.")
    if name == "template_intro":
        return ('In hun ondernemingsplan leggen entiteiten per jaar een tussentijds streefcijfer vast. Het\nsjabloon '
                'geeft drie soorten: *hoger of gelijk aan het niveau van vorig jaar*, een vast\npercentage, en '
                '*minstens x%*. Het voorbeeld uit het sjabloon:')
    if name == "gender_rule":
        if gender_threshold is None:
            raise TypeError("report_text('gender_rule') needs the report's gender_threshold")
        middle = ('een entiteit waar **meer dan 66% van de middenkaderfuncties** door één geslacht wordt ingenomen,\n'
                  'heeft geen evenredige vertegenwoordiging (behalve entiteiten met maar één middenkaderfunctie).')
        if float(gender_threshold) == PLAN_GENDER_THRESHOLD:
            return ('Het strategisch plan noemt een entiteit of beleidsdomein met **minder dan 33% personeelsleden\nvan '
                    'hetzelfde geslacht** ondervertegenwoordigd, en vraagt genderpariteit in het middenkader:\n' + middle)
        return (f'Dit rapport noemt een entiteit of beleidsdomein met **minder dan {gender_pct(gender_threshold)} '
                'personeelsleden\nvan hetzelfde geslacht** ondervertegenwoordigd (het strategisch plan legt die grens '
                'op 33%). Het plan\nvraagt ook genderpariteit in het middenkader: ' + middle)
    if name == "status_rules":
        return ("Elk streefcijfer wordt beoordeeld op de cijfers tot de einddatum (31 december van het jaar van het\n"
                "streefcijfer) — of tot het peiljaar, als de einddatum nog niet voorbij is. De status is:\n\n"
                "- **behaald** — het laatste cijfer ligt op of boven het streefcijfer;\n"
                "- **op schema** — nog niet behaald, maar de trendlijn komt op de einddatum op of boven het streefcijfer;\n"
                "- **achter op schema** — de trendlijn blijft eronder, of de einddatum is voorbij zonder dat het\n"
                "  streefcijfer gehaald is;\n"
                "- **onvoldoende gegevens** — minder dan drie cijfers sinds de laatste breuk: geen trend te schatten.\n\n"
                "*Tekort in personen* is het aantal personen dat op het laatste meetmoment bij de groep had moeten\n"
                "horen om het streefcijfer te halen, bij hetzelfde totale personeelsbestand. Het kan alleen berekend\n"
                "worden als de bron aantallen gaf; anders staat er een streepje.")
    if name == "sources":
        return "Teller en noemer (aantallen personen) zijn alleen bekend waar een bron ze gaf."
    if name == "breaks":
        return ("Een cijfer is maar vergelijkbaar met een vorig cijfer als het op dezelfde manier gemeten is. De tabel "
                "hieronder geeft elk jaar waarin de meting veranderde.")
    if name == "breaks_rule":
        return ("In dit rapport begint bij elke breuk een nieuwe meetreeks. Een trend wordt alleen binnen één\n"
                "meetreeks geschat, lijnen in de figuren worden over een breuk nooit doorgetrokken, en de breuken\n"
                "staan als verticale stippellijnen in elke figuur.")
    if name == "backtest_method":
        return ("Om te weten hoeveel vertrouwen een projectie verdient, is de methode van dit rapport op de eigen\n"
                "reeksen getoetst: voor elk jaar *J* met minstens drie cijfers in dezelfde meetreeks is een\n"
                "trendlijn geschat op de cijfers tot en met *J*, en doorgetrokken naar elk later jaar van die\n"
                "meetreeks waarvoor een cijfer bestaat. Het verschil met het later gemeten cijfer is de fout. Voor\n"
                "de vuistregel gebeurt hetzelfde.")
    if name == "backtest_caveat":
        return ("Lees de toets met de nodige voorzichtigheid: per kansengroep zijn er maar een handvol\n"
                "projecties, ze overlappen (dezelfde jaren komen in meerdere projecties terug) en reeksen tussen "
                "twee breuken tellen vaak maar enkele jaren. Het voorspellingsinterval houdt rekening met\n"
                "de schommelingen van jaar tot jaar binnen de reeks; het kan geen rekening houden met een\n"
                "trendbreuk die nog moet komen.")
    if name == "synthetic_notice":
        return ("De delen tot en met de toets van de projecties steunen op **echte, gepubliceerde cijfers** over het hele "
                "personeel van de Vlaamse overheid. Het deel over entiteiten en beleidsdomeinen steunt op "
                "**synthetische personeelsgegevens**: een nagebootst personeelsbestand dat op de gepubliceerde "
                "totalen is afgestemd, om de werkwijze te tonen. Die cijfers beschrijven geen echte personen "
                "of entiteiten.")
    if name == "deadline_review_intro":
        return ("Wat had men een of twee jaar vóór de einddatum kunnen weten? De tabel zet, per streefcijfer, de projectie van "
                "de trendmethode (met 95%-voorspellingsinterval en de kans om het streefcijfer te halen) naast de vuistregel "
                "*als dit tempo aanhoudt* en naast wat er werkelijk gemeten werd. Alleen vertrekjaren binnen dezelfde "
                "meetreeks als de einddatum tellen mee.")
    if name == "template_terms":
        return ("*jx* is het jaar waarvoor het tussentijdse streefcijfer geldt, *jx-1* het jaar ervoor en *jx-2* het jaar "
                "daarvoor; *niveau jx-1* is dus het aandeel op 31 december van het vorige jaar. *N-functies* zijn de "
                "leidinggevende functies bovenaan een entiteit (N: de leidend ambtenaar; het sjabloon gebruikt de term zonder "
                "hem verder af te bakenen); *evenredige vertegenwoordiging* betekent hier minstens 33% van elk geslacht.")
    if name == "no_assessment":
        return (f"Voor {fmt.literal(who)} kan geen enkel streefcijfer beoordeeld worden: voor geen enkele kansengroep met "
                "een streefcijfer is er tot de einddatum een cijfer dat getoond mag worden (cellen op minder dan "
                f"{threshold} personen, en cellen waaruit die af te leiden zijn, worden niet getoond).")
    raise KeyError(f"no report text {name!r}")


def verdict_list(rows: pd.DataFrame, label: Callable[[str], str]) -> str:
    """A Markdown bullet list with the :func:`verdict` of every row, the group named by ``label``."""
    return "\n".join(f"- {verdict(r, fmt.literal(label(r['group'])))}" for _, r in rows.iterrows())


def skipped_text(skipped: Mapping[str, str], label: Callable[[str], str]) -> str:
    """The warning for target groups not computed from a personnel file (group -> why)."""
    return "Niet berekend (kolommen ontbreken): " + "; ".join(f"{fmt.literal(label(g))}: {why}" for g, why in skipped.items())


#: The rows of Tabel 1 of the 2016-2020 plan, in its order.
TABEL1_GROUPS = ("women_total", "women_top", "women_middle", "women_lower", "migration_background",
                 "disability_chronic_illness", "low_educated", "experienced_45plus")


# --------------------------------------------------------------------------- a study of its own

#: Title of a report whose parameters give none.
DEFAULT_TITLE = "Streefcijfers en kansengroepen"


def report_title(title: str | None, organisation: str | None, entity: str | None = None) -> str:
    """The report's title (Markdown): ``title``, else :data:`DEFAULT_TITLE` with the ``organisation``
    after a dash; a report for one ``entity`` of an overview adds the entity after a dash."""
    out = fmt.literal(title) if title else DEFAULT_TITLE + (f" — {fmt.literal(organisation)}" if organisation else "")
    return out + (f" — {fmt.literal(entity)}" if entity else "")


def _years_text(years: Sequence[int]) -> str:
    return (f"op de peildatum van {years[0]}" if len(years) == 1 else
            f"op {len(years)} peildatums van {years[0]} tot {years[-1]}")


def subtitle_text(who: str, years: Sequence[int]) -> str:
    """The subtitle a report gets when its parameters give none: about whom, and over which
    reference years (``years`` in order)."""
    return f"Het aandeel van de kansengroepen in het personeel van {fmt.literal(who)}, {_years_text(years)}."


def not_applicable(name: str, *, who: str = "", years: Sequence[int] = ()) -> str:
    """The one sentence that stands where a section does not apply, saying why: ``published``
    (no government-wide series), ``targets`` (no targets: no verdicts), ``one_date`` (one
    reference date: levels, no trend), ``two_dates`` (a change, no trend line yet),
    ``one_entity`` (no ranking or comparison of entities), ``growth_path`` (one reference date:
    nothing to compare a year with), ``growth_path_groups`` (no group with a growth path)."""
    if name == "published":
        return (f"Dit rapport gaat alleen over de personeelsgegevens van {fmt.literal(who)}: er zijn geen gepubliceerde reeksen "
                "opgegeven om ze mee te vergelijken.")
    if name == "targets":
        return ("Er zijn geen streefcijfers opgegeven: het rapport toont aandelen en hun verloop, zonder oordeel of "
                "een streefcijfer gehaald wordt.")
    if name == "one_date":
        return (f"Het personeelsbestand heeft één peildatum ({years[0]}): het rapport toont de aandelen op die "
                "datum; een trend vraagt cijfers op minstens twee peildatums.")
    if name == "two_dates":
        return ("Met twee peildatums is er een verandering, maar nog geen trendlijn: die vraagt minstens drie cijfers "
                "in dezelfde meetreeks.")
    if name == "one_entity":
        return (f"Het personeelsbestand bevat één entiteit ({fmt.literal(who)}): er is geen rangschikking of vergelijking van "
                "entiteiten.")
    if name == "growth_path":
        return ("Een groeipad vergelijkt elk jaar met het jaar ervoor; met één peildatum kan dat nog niet.")
    if name == "growth_path_groups":
        return ("Er is geen groeipad te toetsen: het personeelsbestand geeft geen cijfers over buitenlandse herkomst "
                "of over personen met een handicap, en er zijn geen groeipaden opgegeven.")
    raise KeyError(f"no sentence for section {name!r}")


def trend_note(years: Sequence[int]) -> str | None:
    """Why the personnel figures have no trend yet: one reference date (levels only) or two (a
    change, no trend line); None from three reference dates on."""
    if len(years) == 1:
        return not_applicable("one_date", years=years)
    return not_applicable("two_dates") if len(years) == 2 else None


def microdata_heading(who: str | None, synthetic: bool) -> str:
    """Heading of the personnel part: the entities and policy domains of an overview
    (``who`` None), or the one organisation or entity ``who``."""
    syn = " (synthetische gegevens)" if synthetic else ""
    return ("Entiteiten en beleidsdomeinen, uit personeelsgegevens" if who is None
            else f"Kansengroepen bij {fmt.literal(who)}, uit personeelsgegevens") + syn


def microdata_intro(overview: bool, threshold: int) -> str:
    """How the groups come from a personnel file: for an ``overview`` of several entities (the
    Flemish government's case: most entities have no percentages, only a file), else for the one
    organisation of the file; cells below the small-cell ``threshold`` are neither shown nor used, nor
    (overview) the cells that would give one away next to a published total."""
    if overview:
        return ('De meeste entiteiten hebben geen percentages maar een personeelsbestand: één rij per personeelslid\n'
                'per peildatum. Daaruit worden de kansengroepen afgeleid met de officiële definitie die op elke\n'
                'peildatum gold (buitenlandse herkomst vanaf 2016, handicap of chronische ziekte in 8 categorieën,\n'
                '55-plussers, kortgeschoolden op niveau D, top-, midden- en lager kader). Per entiteit en jaar zijn\n'
                'teller en noemer bekend, dus de trend is een binomiaal (logit) model en het tekort in personen\n'
                'kan berekend worden. Cellen die op minder personen steunen dan de drempel voor kleine cellen\n'
                f'(hier {threshold} personen) worden niet getoond en niet gebruikt, en evenmin een cel die\n'
                'samen met het totaal van de organisatie of van een beleidsdomein zo\'n kleine cel zou verraden.')
    return ("Het personeelsbestand telt één rij per personeelslid per peildatum. Daaruit worden de kansengroepen "
            "afgeleid met de officiële definitie die op elke peildatum gold (buitenlandse herkomst, handicap of "
            "chronische ziekte in 8 categorieën, 55-plussers, kortgeschoolden, top-, midden- en lager kader). Per "
            "peildatum zijn teller en noemer bekend; vanaf drie peildatums is de trend een binomiaal (logit) model. "
            f"Cellen die op minder dan {threshold} personen steunen, worden niet getoond en niet gebruikt.")


def levels_table(cells: pd.DataFrame, groups: Sequence[str], threshold: int) -> pd.DataFrame:
    """Share per group (rows, in the order of ``groups``) and reference year (columns, the year as
    text) from personnel aggregates (:func:`~evaluatie.analyses.targets.personnel.aggregate_levels`
    rows of one entity or the organisation), plus the number of persons the last share rests on
    (``denominator``). A cell the disclosure decision withheld (a row without a share: rows exist
    only with persons in the population) is withheld in the table too (shown as "x", niet getoond);
    a group whose every cell is withheld keeps its row; a year without the group's population stays
    empty."""
    s = pd.DataFrame({c: cells[c] for c in ("group", "year", "share_pct", "denominator")})  # no attrs along
    s = s[s["group"].isin(list(groups))].astype({"share_pct": float})
    wide = s.groupby(["group", "year"])["share_pct"].first().unstack("year")
    present = s.assign(one=True).groupby(["group", "year"])["one"].first().unstack("year")
    wide = wide.reindex([g for g in groups if g in set(s["group"])])
    present = present.reindex(index=wide.index, columns=wide.columns).notna()
    hidden = (present & wide.isna()).to_numpy()
    wide.columns = [str(int(y)) for y in wide.columns]
    last = s.sort_values("year").groupby("group")["denominator"].last()
    out = wide.assign(denominator=last.reindex(wide.index).to_numpy()).rename_axis("group").reset_index()
    mask = pd.DataFrame(False, index=out.index, columns=out.columns)
    mask[list(wide.columns)] = hidden
    return mark(out, mask, threshold)


def change_table(position: pd.DataFrame, series: pd.DataFrame) -> pd.DataFrame:
    """:func:`~evaluatie.analyses.targets.assessment.current_position` with the first figure of each
    group's last segment (``first_share_pct``) and the change since then in procentpunt
    (``change_pp``), for files with two or more reference dates."""
    s = series.set_index(["group", "year"])["share_pct"]
    first = [float(s.get((g, y), np.nan)) for g, y in zip(position["group"], position["segment_start"])]
    out = position.assign(first_share_pct=first)
    change = (out["last_share_pct"] - out["first_share_pct"]).where(out["n_points"] > 1)  # one figure: no change
    return out.assign(change_pp=change)


def micro_summary(changes: pd.DataFrame | None, levels: pd.DataFrame, label: Callable[[str], str]) -> str:
    """Summary bullets of the personnel part without verdicts: per group its last share and, with
    two or more reference dates (``changes``: :func:`change_table`), the change since the first
    figure of its series and the trend where there is one; a group with one figure that may be
    shown (the others rest on too few persons) gets its level only."""
    if changes is None:
        year = [c for c in levels.columns if c not in ("group", "denominator")][-1]
        return "\n".join(f"- **{fmt.literal(label(g))}**: {fmt.pct(v, 1)} in {year}." for g, v in zip(levels["group"], levels[year])
                         if not pd.isna(v))
    lines = []
    for _, r in changes.iterrows():
        line = f"- **{fmt.literal(label(r['group']))}**: {fmt.pct(r['last_share_pct'], 1)} in {int(r['last_year'])}"
        if pd.isna(r["change_pp"]):  # one figure that may be shown: no change to tell
            lines.append(line + " (het enige cijfer dat getoond mag worden).")
            continue
        line += f", {fmt.signed(r['change_pp'], 1)} procentpunt sinds {int(r['segment_start'])}"
        if r["trend_pp_per_year"] is not None and not pd.isna(r["trend_pp_per_year"]):
            line += f" (trend {ci_text(r['trend_pp_per_year'], r['trend_ci_low'], r['trend_ci_high'])} per jaar)"
        lines.append(line + ".")
    return "\n".join(lines)


def tabel1_view(published: pd.DataFrame, targets: pd.DataFrame, groups: Iterable[str],
                label: Callable[[str], str]) -> pd.DataFrame:
    """:func:`tabel1` of the :data:`TABEL1_GROUPS` in ``groups``, each group named as in the
    source file (its ``group_nl``) or else by ``label``; a target group the source names in an older
    wording (*kortgeschoolde medewerkers*) carries the report's one name (``label``)."""
    groups = set(groups)
    t1_groups = [g for g in TABEL1_GROUPS if g in groups]
    t1 = tabel1(published, targets, groups=t1_groups)
    src_label = (published.dropna(subset=["group_nl"]).groupby("group")["group_nl"].first()
                 if "group_nl" in published else {})

    def name(g: str) -> str:
        src = src_label.get(g)
        if src is None:
            return label(g)
        return label(g) if one_name(src, phrases=True) != src else src
    return no_personnel_data(t1.assign(group=[name(g) for g in t1_groups]))


def latest_target_year(targets: pd.DataFrame, groups: Iterable[str]) -> int | None:
    """The last target date (year) of ``groups`` in ``targets``: the one a figure of those groups
    draws last; None when they have no dated target."""
    years = targets.loc[targets["group"].isin(list(groups)) & targets["target_pct"].notna(), "target_year"].dropna()
    return int(years.max()) if len(years) else None


#: Heading of the yearly targets (trainees and student workers in the example).
YEARLY_HEADING = "Stagiairs en jobstudenten: jaarlijkse streefcijfers"

#: Caption of Tabel 1 of the 2016-2020 plan (shown when the parameters give its text).
TABEL1_CAPTION = ("Tabel 1 — aandeel kansengroepen in het personeel van de Vlaamse overheid, 2009-2014, en "
                  "streefcijfers 2015")


def synthetic_suffixes(synthetic: bool) -> tuple[str, str]:
    """What every heading, caption and alt text of the personnel part adds when its data are
    synthetic: after a title, and inside parentheses (both empty for real data)."""
    return (" (synthetische gegevens)", ", synthetische gegevens") if synthetic else ("", "")


def published_summary(ev: pd.DataFrame, pos: pd.DataFrame, yearly: pd.DataFrame, bt: pd.DataFrame,
                      bt_all: pd.DataFrame, label: Callable[[str], str]) -> list[str]:
    """The summary paragraphs on the published series: the verdict on every target of the latest
    target date (``ev``: :func:`evaluate_targets`; none without targets), the figures published
    after it (``pos``: :func:`current_position`), the yearly targets and the backtest."""
    out = []
    if len(ev):
        latest = ev[ev["target_year"] == ev["target_year"].max()]
        out.append(f"Streefcijfers tegen 31 december {int(latest['target_year'].max())}:\n\n" + verdict_list(latest, label))
        if later := later_figures_text(latest, pos, label):
            out.append(later)
    if len(yearly):
        out.append(yearly_summary_text(yearly))
    return out + [backtest_text(bt, bt_all)]


#: The paragraphs of the section *Werkwijze* (Markdown): series and breaks, the trend without and with
#: counts, projection and chance, the checks and the rule of thumb.
_METHOD_SERIES = (
    "**Meetreeksen en breuken.** Een meetreeks is een reeks jaarcijfers die met dezelfde definitie,\n"
    "telmethode en afbakening gemeten zijn. De breukjaren worden bij het rapport opgegeven; waar een\n"
    "bron voor hetzelfde jaar twee definities geeft, worden dat twee reeksen. Een\n"
    "trend wordt alleen binnen de laatste meetreeks geschat en pas vanaf drie cijfers.")

_METHOD_SHARES = (
    "**Trend zonder aantallen.** Als een bron alleen percentages geeft, is de trend een rechte lijn door\n"
    "de aandelen, geschat met gewogen kleinste kwadraten (gewicht: het personeelsaantal als dat bekend\n"
    "is, anders gelijke gewichten). De helling is de verandering in procentpunt per jaar; het\n"
    "95%-betrouwbaarheidsinterval en het voorspellingsinterval volgen uit de t-verdeling met (aantal\n"
    "cijfers − 2) vrijheidsgraden, omdat de spreiding rond de lijn uit de cijfers zelf geschat wordt.")

_METHOD_COUNTS = (
    "**Trend met aantallen.** Met teller en noemer (personeelsgegevens) is de trend een binomiaal\n"
    "logitmodel: de kans om tot de groep te horen verandert jaarlijks met een vaste factor op de\n"
    "logitschaal, zodat het aandeel nooit onder 0% of boven 100% geprojecteerd wordt. Omdat\n"
    "personeelsbestanden van jaar tot jaar meer schommelen dan louter toeval bij het tellen\n"
    "(aanwervingsrondes, herstructureringen), wordt die extra spreiding (overdispersie) uit de cijfers\n"
    "geschat. De helling in procentpunt per jaar geldt in het laatste jaar (deltamethode).")

_METHOD_PROJECTION = (
    "**Projectie, kans en tekort.** De projectie is de trendlijn op 31 december van het jaar van het\n"
    "streefcijfer; het 95%-voorspellingsinterval geeft aan waar het dan gemeten cijfer met 95% kans\n"
    "valt als de trend van de laatste meetreeks aanhoudt. *Kans op streefcijfer* is de kans, onder\n"
    "hetzelfde model, dat het cijfer op de einddatum minstens het streefcijfer is; *op schema*\n"
    "betekent dat die kans minstens 50% is. *Nodig per jaar* is de kloof gedeeld door\n"
    "het aantal jaren tot de einddatum. *Tekort in personen* is het kleinste gehele aantal personen dat\n"
    "bij hetzelfde totaal het streefcijfer had gehaald, min het aantal dat er was.")

_METHOD_CHECK = (
    "**Controle.** De berekeningen zijn getoetst tegen met de hand uitgerekende waarden en tegen\n"
    "statsmodels; dat de voorspellingsintervallen in 95% van de gevallen raak zijn, is met 2.000+\n"
    "gesimuleerde reeksen met onafhankelijke afwijkingen van jaar tot jaar nagegaan.")

_METHOD_RULE = (
    "De vuistregel *als dit tempo aanhoudt* trekt de laatste jaarlijkse\n"
    "verandering in een rechte lijn door.")

#: What the intervals assume (Markdown): independent yearly deviations from the trend line.
INTERVAL_ASSUMPTION = ("**Aanname achter de intervallen.** De 95%-intervallen van trend en projectie gaan ervan uit "
                       "dat de afwijkingen van de trendlijn van jaar tot jaar onafhankelijk zijn.")


def method_text(bt_all: pd.DataFrame | None = None, *, published: bool | None = None, targets: bool = True) -> str:
    """The section *Werkwijze* (Markdown, with its heading): series and breaks, the trend models used
    (without counts only for ``published`` series; default: a backtest is given), projection, chance
    and shortfall (with ``targets`` or published series), the assumption behind the intervals
    (:data:`INTERVAL_ASSUMPTION`: independent yearly deviations) and the checks.

    Yearly shares of a workforce hang together (who is employed this year mostly is next year), so
    the intervals are too narrow when the deviations are autocorrelated. With the backtest of the
    published series (``bt_all``: :func:`~evaluatie.analyses.targets.backtest.backtest_summary` over
    all projections) the section states the share of later figures its prediction intervals covered
    beside the nominal 95%; without it, that the report could not check it."""
    published = bt_all is not None if published is None else published
    assumption = (INTERVAL_ASSUMPTION + " Jaarcijfers van een personeelsbestand hangen echter samen: wie dit jaar in "
                  "dienst is, is dat volgend jaar meestal nog, zodat een jaar boven de trendlijn vaak gevolgd wordt door "
                  "nog een jaar erboven. Met zulke samenhang zijn de intervallen te smal: een 95%-voorspellingsinterval "
                  "bevat dan minder dan 95% van de latere cijfers, en minder naarmate verder vooruit geprojecteerd wordt. "
                  "Dit rapport verbreedt de intervallen daarvoor niet; lees ze als een ondergrens van de onzekerheid.")
    if bt_all is not None and len(bt_all) and int(bt_all["n_projections"].iloc[0]) > 0:
        n = int(bt_all["n_projections"].iloc[0])
        assumption += (f" In de toets op de eigen reeksen (hierboven, {fmt.num(n)} projecties) bevatten de "
                       f"95%-voorspellingsintervallen {fmt.prop(bt_all['pi_coverage'].iloc[0], 1)} van de later gemeten "
                       "cijfers, tegenover de nominale 95%.")
    else:
        assumption += (" Hoeveel latere cijfers de intervallen in de praktijk bevatten, kan dit rapport niet toetsen: "
                       "daarvoor is een langere gepubliceerde reeks nodig.")
    parts = [_METHOD_SERIES] + ([_METHOD_SHARES] if published else []) + [_METHOD_COUNTS]
    parts += [_METHOD_PROJECTION] if published or targets else []
    parts += [assumption, _METHOD_CHECK + (" " + _METHOD_RULE if published else "")]
    return "## Werkwijze\n\n" + "\n\n".join(parts)


#: The terms of :data:`evaluatie.publish.glossary.TERMS` a reader of this report meets, in the order
#: of the section "Begrippen".
GLOSSARY_TERMS = ("kansengroep", "streefcijfer", "kloof", "procentpunt", "meetreeks", "breuk in de meetreeks",
                  "projectie", "voorspellingsinterval", "betrouwbaarheidsinterval")

#: Terms only this report uses, with their definitions (the ``extra`` of the glossary).
GLOSSARY_EXTRA = {
    "trend": ("De lijn die het best door de cijfers van één meetreeks loopt. Haar helling zegt met hoeveel "
              "procentpunt het aandeel per jaar verandert."),
    "tekort in personen": ("Hoeveel personen van de kansengroep er meer hadden moeten zijn om het streefcijfer te "
                           "halen, bij hetzelfde totale aantal personeelsleden."),
    "vuistregel 'als dit tempo aanhoudt'": ("De verandering van het laatste jaar doortrekken tot de einddatum; "
                                            "vroegere rapporten deden dat."),
    "groeipad": ("De tussentijdse streefcijfers die een entiteit in haar ondernemingsplan per jaar vastlegt, op "
                 "weg naar het streefcijfer."),
}


def glossary_terms(published: bool, targets: bool, overview: bool, breaks: bool = True
                   ) -> tuple[list[str], dict[str, str]]:
    """The arguments of :func:`evaluatie.publish.report.glossary` for a report with or without the
    ``published`` series (projections, their test and the rule of thumb), ``targets`` (gaps, persons
    short), an ``overview`` of several entities (their growth paths) and ``breaks`` in the series."""
    terms = [t for t in GLOSSARY_TERMS
             if (targets or t not in ("streefcijfer", "kloof")) and (published or t not in ("projectie", "voorspellingsinterval"))
             and (breaks or t != "breuk in de meetreeks")]
    extra = {"trend": GLOSSARY_EXTRA["trend"]}
    if targets:
        extra["tekort in personen"] = GLOSSARY_EXTRA["tekort in personen"]
    if published:
        extra["vuistregel 'als dit tempo aanhoudt'"] = GLOSSARY_EXTRA["vuistregel 'als dit tempo aanhoudt'"]
    if overview:
        extra["groeipad"] = GLOSSARY_EXTRA["groeipad"]
    if not published:  # a report on an organisation's own file names no government's targets
        extra["kansengroep"] = _OWN_TARGET_GROUP
    return terms + [t for t in extra if t not in terms], extra


#: "kansengroep" in a report on an organisation's own personnel file (the shared definition names the
#: Flemish government's targets, which such a report does not use).
_OWN_TARGET_GROUP = ("Een groep die op de arbeidsmarkt minder kansen krijgt, zoals personen van buitenlandse herkomst, "
                     "personen met een handicap, kortgeschoolden en vrouwen in leidinggevende functies.")


def template_result(example: pd.DataFrame) -> str:
    """What the template's example shows (``example``:
    :func:`~evaluatie.analyses.targets.growth_paths.template_example`), one clause per row: the change
    of a rule *at least last year's level* in procentpunt (two decimals, as the template gives its
    shares: a fall of 0,03 procentpunt misses the rule though both shares round to the same tenth),
    or the share against a minimum. Groups by their one name (:func:`one_name`)."""
    parts = []
    for _, r in example.iterrows():
        group = fmt.literal(one_name(str(r["group"]), phrases=True))
        met = "gehaald" if r["met"] else "niet gehaald"
        if r["rule_type"] == "at_least_previous":
            change = float(r["share_pct"]) - float(r["share_jx_minus_2_pct"])
            verb = "steeg" if change > 0 else "daalde" if change < 0 else "bleef gelijk"
            size = "" if change == 0 else f" met {fmt.num(abs(change), 2)} procentpunt"
            parts.append(f"*{group}*: het aandeel {verb}{size} (regel *minstens het niveau van vorig jaar* {met})")
        elif r["rule_type"] == "minimum":
            side = "boven" if r["met"] else "onder"
            parts.append(f"*{group}*: {fmt.pct(r['share_pct'], 1)}, {side} het minimum van "
                         f"{fmt.pct(r['threshold_pct'], 0 if float(r['threshold_pct']).is_integer() else 1)} (regel {met})")
        else:
            parts.append(f"*{group}*: {fmt.pct(r['share_pct'], 1)} tegenover een vast streefcijfer van "
                         f"{fmt.pct(r['threshold_pct'], 1)} (regel {met})")
    return "In het voorbeeld:\n\n" + "\n".join(f"- {p}." for p in parts)
