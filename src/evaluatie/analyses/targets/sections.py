"""What the sections of the streefcijfers report show (personnel part; published series): each table as the keyword
arguments of :func:`evaluatie.publish.report.table` (``rp.table(**spec)``: ``data``, ``name``,
``caption`` and the :func:`~evaluatie.analyses.targets.tables.layout`), built from a
:class:`~evaluatie.analyses.targets.study.Study`. The notebook decides the order and the words
around them; these functions hold the choices of rows, columns and captions.

``syn`` / ``syn_in`` are the synthetic-data suffixes of headings and captions
(:func:`~evaluatie.analyses.targets.narrative.synthetic_suffixes`).
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any, Callable

import pandas as pd

from evaluatie.analyses.targets.assessment import evaluate_targets, status_counts
from evaluatie.analyses.targets.backtest import backtest_summary
from evaluatie.analyses.targets.disclosure import entities, from_shown, no_personnel_data, with_withheld_shares
from evaluatie.analyses.targets.figures import plot_backtest, wide_and_narrow
from evaluatie.analyses.targets.gender import domain_gender_balance, entity_gender_balance
from evaluatie.analyses.targets.growth_paths import growth_path_summary, growth_path_view, template_example
from evaluatie.analyses.targets.narrative import (
    backtest_alt, ranking_intro_text, report_text, status_css, status_nl, trend_view, yearly_status_nl)
from evaluatie.analyses.targets.prepare import read_template
from evaluatie.analyses.targets.ranking import blank_older_figures, entity_ranking, ranking_basis, selection_view
from evaluatie.analyses.targets.study import Study, growth_path_check
from evaluatie.analyses.targets.tables import layout
from evaluatie.core import fmt

__all__ = ["level_tables", "selection_section", "ranking_section", "growth_path_table", "gender_tables", "assessment_tables",
           "yearly_table", "backtest_parts", "template_table"]

#: The groups the entity ranking adds persons short over.
RANKING_GROUPS = ("foreign_origin", "disability_chronic_illness")


def _spec(data: pd.DataFrame, name: str | None, caption: str, **kw: Any) -> dict[str, Any]:
    return dict(data=data, name=name, caption=caption, **kw)


def level_tables(st: Study, levels: pd.DataFrame, changes: pd.DataFrame | None, threshold: int, syn_in: str
                 ) -> list[dict[str, Any]]:
    """The shares per group and reference date (``levels``:
    :func:`~evaluatie.analyses.targets.narrative.levels_table`) and, from two reference dates on, their
    change and trend (``changes``: :meth:`Study.changes`)."""
    out = [_spec(levels, "levels", f"Aandeel per kansengroep en peildatum ({st.who}{syn_in})",
                 **layout("levels", label=st.label, columns=list(levels.columns), threshold=threshold))]
    if changes is not None:
        out.append(_spec(changes, "changes", f"Verandering en trend per kansengroep ({st.who}{syn_in})",
                         **layout("changes", label=st.label)))
    return out


def selection_section(st: Study, series: pd.DataFrame, targets: pd.DataFrame, as_of: int | None, threshold: int,
                      syn: str) -> SimpleNamespace:
    """The targets judged on ``series`` (:meth:`Study.series`: the focus entity's or the whole organisation's):
    ``heading``, and either ``table`` (a spec) or ``notice`` (no target can be judged: no figure
    that may be shown up to a target date)."""
    heading = (f"Streefcijfers voor {fmt.literal(st.who)}" if st.focus else
               "Streefcijfers voor de hele organisatie, uit personeelsgegevens") + syn
    ev = evaluate_targets(series, targets, st.breaks, as_of, data_end=st.years[-1])
    if ev.empty:
        return SimpleNamespace(heading=heading, table=None,
                               notice=report_text("no_assessment", who=st.who, threshold=threshold))
    ev = from_shown(selection_view(ev, st.years[-1] if st.focus else None), threshold)
    years = ", ".join(str(int(y)) for y in sorted(set(ev["target_year"])))
    return SimpleNamespace(heading=heading, notice=None, table=_spec(
        ev, "assessment_microdata",
        f"Stand per streefcijfer voor {st.who}{syn}: personeelsgegevens, streefcijfers tegen eind {years}",
        highlight={"status_nl": status_css(ev["status_nl"])},
        **layout("assessment_microdata", short=st.short, threshold=threshold, entity=bool(st.focus))))


def ranking_section(st: Study, targets: pd.DataFrame, as_of: int | None, threshold: int, syn: str) -> SimpleNamespace:
    """The ranking of the entities of an overview: ``intro`` text, ``tables`` (entities per status,
    the ranking by persons short) and ``export`` (every entity's assessment, with the ranking's
    rule for older figures)."""
    ev_ent, last_t, ry = ranking_basis(st.by_entity, targets, st.breaks, as_of)  # reference year ry: see its docstring
    groups = [g for g in RANKING_GROUPS if g in set(last_t["group"])]
    wide = entity_ranking(st.by_entity, last_t, groups, ry, threshold)
    ty = int(last_t["target_year"].max())
    # every group with a target of that date, also one no entity can be judged on (e.g. the top level)
    dated = targets[(targets["target_year"] == ty) & targets["target_pct"].notna()]["group"]
    count_groups = list(dict.fromkeys([g for g in st.groups if g in set(dated)] + sorted(set(dated) - set(st.groups))))
    return SimpleNamespace(
        intro=ranking_intro_text(ry, threshold),
        export=from_shown(blank_older_figures(ev_ent.drop(columns=["status_nl"]), st.years[-1]), threshold),
        tables=[
            _spec(entities(status_counts(last_t, st.entities, count_groups)), "entity_status_counts",
                  f"Aantal entiteiten per status{syn}, streefcijfers tegen eind {ty}",
                  **layout("entity_status_counts", label=st.label, threshold=threshold, n=len(st.entities), year=ty)),
            _spec(wide, "entity_ranking",
                  f"Entiteiten{syn} gerangschikt naar het totale tekort in personen, van groot naar klein "
                  f"(streefcijfers tegen eind {int(last_t['target_year'].max())}; cijfers van {ry})",
                  highlight={f"{g}__status_nl": status_css(wide[f"{g}__status_nl"]) for g in groups},
                  **layout("entity_ranking", short=st.short, groups=groups, year=ry))])


def growth_path_table(st: Study, growth_paths: str | None, threshold: int, syn_in: str) -> dict[str, Any] | None:
    """The growth-path check (:func:`~evaluatie.analyses.targets.study.growth_path_check`): per
    rule and year over the entities of an overview, or every year of the focus entity; None when
    there is no rule to check."""
    gp = growth_path_check(st, growth_paths)
    if gp is None:
        return None
    if st.focus is None:
        title = "Groeipad per jaar" if growth_paths else "Groeipad 'minstens het niveau van vorig jaar' per jaar"
        return _spec(entities(growth_path_summary(gp)), "growth_path", f"{title} (entiteiten{syn_in})",
                     **layout("growth_path", short=st.short, threshold=threshold))
    return _spec(from_shown(growth_path_view(gp), threshold), "growth_path", f"Groeipad 'minstens het niveau van vorig jaar' ({st.focus}{syn_in})",
                 **layout("growth_path", short=st.short, threshold=threshold, entity=True))


def gender_tables(st: Study, gender_threshold: float, syn: str, syn_in: str) -> list[dict[str, Any]]:
    """The gender balance on the last reference date: the focus entity's figures, or for an
    overview the women's share per policy domain (when the file has domains) and the number of
    entities per verdict; verdicts and headings with the report's ``gender_threshold``."""
    year = st.years[-1]
    gb = entity_gender_balance(st.by_entity, year, gender_threshold, st.focus)
    if st.focus is not None:
        view = gb[["group", "denominator", "share_pct", "verdict"]]
        return [_spec(with_withheld_shares(view, view["share_pct"].isna(), st.threshold), "gender_balance",
                      f"Genderevenwicht op 31 december {year} ({st.focus}{syn_in})",
                      **layout("gender_balance", entity=True, gender_threshold=gender_threshold))]
    out = []
    if st.by_domain is not None:
        dom = domain_gender_balance(st.by_domain, year, gender_threshold)
        view = dom[["policy_domain", "verdict", "denominator", "share_pct"]]
        out.append(_spec(with_withheld_shares(view, view["share_pct"].isna(), st.threshold), "gender_balance_domains",
                         f"Aandeel vrouwen per beleidsdomein op 31 december {year}{syn}",
                         **layout("gender_balance_domains", gender_threshold=gender_threshold)))
    gsum = gb.groupby(["group", "verdict"]).size().rename("entities").reset_index()
    out.append(_spec(entities(gsum), "gender_balance", f"Genderevenwicht op 31 december {year} (entiteiten{syn_in})",
                     **layout("gender_balance", gender_threshold=gender_threshold)))
    return out


# --------------------------------------------------------------------------- the published series

def assessment_tables(ev: pd.DataFrame, short: Callable[[str], str]) -> list[dict[str, Any]]:
    """Every target of the published series (``ev``: :func:`evaluate_targets`) with its Dutch
    status, and its trend and projection as text."""
    tab = ev.sort_values(["target_year", "group"]).reset_index(drop=True)
    tab["status_nl"] = status_nl(tab)  # 'niet gehaald' only with a figure for the target year; else 'geen cijfer <jaar>'
    return [_spec(no_personnel_data(tab), "assessment", "Stand per streefcijfer",
                  highlight={"status_nl": status_css(tab["status_nl"])}, **layout("assessment", short=short)),
            _spec(no_personnel_data(trend_view(tab)), None, "Trend en projectie naar de einddatum (zelfde streefcijfers)",
                  **layout("trend_view", short=short))]


def yearly_table(yearly: pd.DataFrame, label: Callable[[str], str]) -> dict[str, Any]:
    """The yearly targets (:func:`evaluate_yearly_targets`) with their Dutch status."""
    yt = yearly.assign(status_nl=yearly_status_nl(yearly))
    return _spec(no_personnel_data(yt), "yearly_targets", "Jaarlijkse streefcijfers en het laatste bekende cijfer",
                 highlight={"status_nl": status_css(yt["status_nl"])}, **layout("yearly_targets", label=label))


def backtest_parts(bt: pd.DataFrame, short: Callable[[str], str]) -> SimpleNamespace:
    """The backtest of the projections (``bt``: :func:`backtest_groups`) as a ``figure`` (the
    arguments of ``rp.figure``: mean absolute error per horizon, with its phone variant) and a
    ``table`` (per group)."""
    by_h = backtest_summary(bt, "horizon")
    return SimpleNamespace(
        figure=dict(**wide_and_narrow(plot_backtest, by_h), name="backtest", alt=backtest_alt(by_h),
                    caption="Gemiddelde absolute fout van projecties, over alle kansengroepen en meetreeksen samen; "
                            "n = aantal projecties."),
        table=_spec(no_personnel_data(backtest_summary(bt, "group")), "backtest_summary",
                    "Trackrecord per kansengroep: projectie tegenover later gemeten cijfer",
                    **layout("backtest_summary", short=short)))


def template_table(path: str) -> dict[str, Any]:
    """The growth-path example of the business-plan template ``path``
    (:func:`~evaluatie.analyses.targets.growth_paths.template_example`)."""
    example = template_example(read_template(path))
    return _spec(no_personnel_data(example), "growth_path_example",
                 "Voorbeeld uit het sjabloon van het ondernemingsplan (geen personeelsgegevens): tussentijds "
                 "streefcijfer van jaar jx-1 getoetst", **layout("growth_path_example"))
