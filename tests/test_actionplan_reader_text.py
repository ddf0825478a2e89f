"""Issue 17 items 4 and 6 for the action-plan report: a timeline only for actions whose source has
a month (a sentence instead when almost none has one), a note under each table that lists fewer
rows than its heading promises, no identifiers (file, export, parameter or column names) in the
reader's text, and numbers as the source gives them (one decimal for percentages)."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from evaluatie.analyses import actionplan as ap

SNAKE = re.compile(r"\b[A-Za-z]+_[A-Za-z0-9_]+\b")


def _plan(n: int = 5) -> pd.DataFrame:
    """``n`` actions in two groups; action '1. a' exists in both groups (numbering restarts)."""
    names = ["1. a", "2. b", "1. a", "2. c", "3. d", "4. e", "5. f"][:n]
    return pd.DataFrame({"group": ["G"] * 2 + ["H"] * (n - 2), "action": names,
                         "days": [1.0] * n, "budget_eur": [0.0] * n})


def _timing(*actions_months) -> pd.DataFrame:
    return pd.DataFrame({"action": [a for a, _ in actions_months], "timing_text": [f"tekst {m}" for _, m in actions_months],
                         "month": [m for _, m in actions_months]})


MONTHS = ["2024-01", "2024-02", "2024-03"]


def test_with_almost_no_months_there_is_no_timeline_but_a_sentence():
    tl = ap.timeline(_plan(), MONTHS, timing=_timing(("2. b", "2024-02"), ("2. c", ""), ("3. d", "2024-03")))
    assert ap.timeline_shown(tl) is None  # 2 of 5 actions have a month: fewer than TIMELINE_MIN_ACTIONS
    text = ap.dated_text(tl)
    assert text.startswith("Voor 2 van de 5 acties noemt de bron minstens één maand")
    assert text.endswith("De bekende maanden staan in de tabel hieronder.")
    assert ap.dated_text(tl, summary=True) == ("Voor 2 van de 5 acties noemt de bron een maand; voor de andere is "
                                               "niet bekend in welke maanden ze lopen.")
    assert ap.summary_lines(budget_lines={}, tl=tl) == [ap.dated_text(tl, summary=True)]
    assert ap.timeline_known_note(tl) == ("Alleen de maanden die de bron noemt: 2 maanden bij 2 van de 5 acties. "
                                          "De andere acties hebben geen maand in de bron.")
    none = ap.timeline(_plan(), MONTHS)
    assert ap.dated_text(none).endswith("er is geen tijdlijn per maand te tekenen.") and ap.timeline_shown(none) is None


def test_the_timeline_shows_only_the_actions_with_a_month():
    plan = _plan(7).assign(mrt=[None, "x", "x", None, "x", None, None])  # rows 1, 2, 4 (the second '1. a')
    tl = ap.timeline(plan, MONTHS, month_columns={"2024-03": "mrt"}, timing=_timing(("5. f", "2024-01")))
    shown = ap.timeline_shown(tl)
    assert sorted(shown["order"].unique()) == [1, 2, 4, 6]
    assert shown[["group", "action"]].drop_duplicates().values.tolist() == [
        ["G", "2. b"], ["H", "1. a"], ["H", "3. d"], ["H", "5. f"]]  # the '1. a' of group G has no month
    assert shown.attrs["timing_text"] == {"5. f": ["tekst 2024-01"]}
    assert ap.dated_text(tl).endswith("De tijdlijn toont alleen die acties.")
    assert ap.timeline_alt(shown, MONTHS, tl["order"].nunique()).startswith(
        "Tijdlijn van de 4 van de 7 acties waarvoor de bron een maand noemt, over 3 maanden (jan '24 tot mrt '24). "
        "Van de 12 cellen zijn er 4 bekend (3 uit de planningstabel, 1 uit de tekst)")
    fig = ap.timeline_figure(shown, groups=True)
    labels = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert labels == ["G", "2. b", "H", "1. a", "3. d", "5. f"]
    assert ap.dated_text(ap.timeline(plan.assign(mrt="x"), MONTHS, month_columns={"2024-03": "mrt"}),
                         summary=True) == "Voor alle 7 acties noemt de bron de maanden waarin ze lopen."


def test_tables_with_fewer_rows_than_their_heading_say_which():
    checks = pd.DataFrame({"measure": ["planned_eur", "spent_eur"]})
    lines = {"regular": ("planned_eur", "spent_eur"), "tom": ("planned_tom_eur", "spent_tom_eur")}
    assert ap.budget_totals_note(checks, lines) == (
        "Alleen de 2 kolommen waarvoor een totaalrij uit de bron is opgegeven; voor voorzien op de tweede "
        "begrotingslijn, uitgave op de tweede begrotingslijn is er geen, die kolommen zijn niet nagerekend.")
    assert ap.budget_totals_note(checks, {"regular": lines["regular"]}) is None
    budget = pd.DataFrame({"priority_no": [1, 1], "priority": ["A", "A"], "action": ["a", "b"],
                           "planned_eur": [1.0, 2.0], "spent_eur": [1.0, 0.0], "status": ["Uitgevoerd", "Uitgesteld naar 2026"]})
    sb = ap.status_budget(budget, lines={"regular": lines["regular"]})
    assert ap.status_budget_note(sb) == ("Alleen de evaluaties die bij minstens één actie voorkomen; geen enkele "
                                         "actie staat als 'uitgevoerd en lopend' of 'lopend' of 'niet uitgevoerd'.")
    assert ap.status_budget_note(pd.DataFrame({"status_class": list(ap.STATUS_CLASSES)})) is None
    assert ap.timing_note(_timing(("1. a", ""), ("1. a", "2024-01"), ("3. d", "")), 7) == (
        "Alleen de acties waarvoor de tekst van het plan zegt wanneer ze lopen: 2 van de 7 acties, met elke "
        "tijdsaanduiding op een eigen rij.")


def test_files_are_named_as_the_reader_knows_them():
    f = {"explanation": "de 3 bijkomende acties zitten in het totaal", "rows": "data/raw/budget_2018.csv rijen 13, 34",
         "measure": "spent_eur", "result": "explained"}
    sources = {"data/raw/budget_2018.csv": ap.SOURCE_NL["budget"]}
    assert ap.finding_text(f, sources) == ("de 3 bijkomende acties zitten in het totaal. Rijen: begrotingsbestand, "
                                           "rijen 13, 34.")
    (text, kind), = ap.budget_finding_notices(pd.DataFrame([f]), sources=sources)
    assert "budget_2018" not in text and kind == "info"
    # a workbook's sheets are two sources; the longer name is replaced first
    two = {"w.xlsx (werkblad a)": "planningsbestand", "w.xlsx (werkblad a b)": "begrotingsbestand"}
    assert ap.reader_files("w.xlsx (werkblad a b) rij 3; w.xlsx (werkblad a) rij 4", two) == \
        "begrotingsbestand, rij 3; planningsbestand, rij 4"


def test_no_identifiers_in_the_fixed_texts():
    texts = list(ap.SECTION_TEXT.values()) + [ap.execution_note(True), ap.execution_note(False)]
    texts += [ap.table_layout(k)["note"] for k in ("commitments",)]
    recon = pd.DataFrame({"result": ["ok", "ok", "explained"]})
    texts.append(ap.plan_checks_rest(recon, pd.DataFrame({"result": ["ok"]})))
    for t in texts:
        assert not SNAKE.search(t) and "`" not in t and "parameter" not in t, t
    assert "realised_value" not in " ".join(texts) and "plan_reconciliation" not in " ".join(texts)


@pytest.mark.parametrize("value, text", [(104.0, "104"), (13.5, "13,5"), (2.25, "2,25"), (2.5, "2,5"),
                                         (12000.0, "12.000")])
def test_days_and_amounts_keep_the_source_decimals(value, text):
    assert ap.number(value) == text
    assert ap.narrative.amount_text(value) == text


def test_plan_groups_alt_has_whole_days():
    groups = pd.DataFrame({"group": ["A", "B"], "actions": [1, 2], "days": [35.0, 69.0], "budget_eur": [1.0, 2.0]})
    assert "Samen 104 werkdagen" in ap.plan_groups_alt(groups)
    assert "13,5" in ap.plan_groups_alt(groups.assign(days=[13.5, 1.0]))


def test_glossary_terms_follow_the_parts():
    from evaluatie.publish.glossary import TERMS

    terms, extra = ap.glossary_terms(["budget", "status", "subsidies"])
    assert terms == ["topprioriteit", "begrotingslijn", "uitvoeringsgraad", "onderbesteding", "overbesteding",
                     "bijkomende actie"]
    assert set(extra) == {"topprioriteit", "begrotingslijn", "overbesteding", "bijkomende actie"}
    assert not set(extra) & set(TERMS)  # the shared definitions are not redefined here
    terms, extra = ap.glossary_terms(["workload", "planning", "commitments"])
    assert terms == ["werkdagen", "verbintenis"] and set(extra) == {"verbintenis"}
    for parts in (["budget"], ["status"], ["workload", "commitments"], ["subsidies"]):
        terms, extra = ap.glossary_terms(parts)
        assert all(t in TERMS or t in extra for t in terms)
