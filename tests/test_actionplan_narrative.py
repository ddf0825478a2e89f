"""Wording, figures and small tables of the action-plan follow-up that moved out of the notebook
(evaluatie.analyses.actionplan.narrative, .figures, .execution.plan_groups, .inputs.check_parts),
each on a small hand-made input whose expected text is worked out by hand."""

from __future__ import annotations

import math

import matplotlib
import matplotlib.pyplot as plt
import pandas as pd
import pytest

from evaluatie.analyses import actionplan as ap

matplotlib.use("Agg")

NBSP = "\xa0"


def execution_table(spent_additional: float = 0.0) -> pd.DataFrame:
    """One budget line with two priorities and its total row, as budget_execution returns it."""
    return pd.DataFrame({
        "line": ["regular"] * 3,
        "priority_no": [1, 2, math.nan],
        "priority": ["Werk", "Onderwijs", "Totaal"],
        "actions": [3, 2, 5],
        "planned_eur": [1000.0, 500.0, 1500.0],
        "spent_planned_eur": [1200.0, 300.0, 1500.0],
        "spent_additional_eur": [spent_additional, 0.0, spent_additional],
        "spent_eur": [1200.0 + spent_additional, 300.0, 1500.0 + spent_additional],
        "spent_share_pct": [120.0, 60.0, 100.0 + spent_additional / 15],
        "execution_pct": [120.0, 60.0, 100.0],
        "additional_actions": [1 if spent_additional else 0, 0, 1 if spent_additional else 0],
        "assessment": ["overspent", "underspent", "on_plan"],
    })


def status_table() -> pd.DataFrame:
    return pd.DataFrame({
        "priority_no": [1, 2, math.nan], "priority": ["Werk", "Onderwijs", "Totaal"],
        "done": [2, 1, 3], "done_ongoing": [0, 1, 1], "ongoing": [1, 0, 1], "postponed": [0, 0, 0],
        "not_done": [0, 1, 1], "n_actions": [3, 3, 6], "done_pct": [200 / 3, 200 / 3, 200 / 3],
        "additional": [1, 2, 3]})


def test_formatters():
    assert ap.eur_signed(-120) == f"−€{NBSP}120"
    assert ap.eur_signed(1200) == f"+€{NBSP}1.200"
    assert ap.eur_signed(0) == f"€{NBSP}0"
    assert ap.eur_signed(math.nan) == "–"
    assert ap.number(3.0) == "3" and ap.number(2.5) == "2,5" and ap.number(math.nan) == "–"
    assert ap.number_signed(-2.5) == "−2,5"
    assert ap.number_or_blank(math.nan) == "" and ap.number_or_blank(4) == "4"
    assert ap.cap("voorzien op begroting TOM") == "Voorzien op begroting TOM"


def test_finding_text_adds_the_rows_only_when_there_are_some():
    assert ap.finding_text({"explanation": "Som 10 tegenover 12.", "rows": "b.csv rij 3"}) == \
        "Som 10 tegenover 12. Rijen: b.csv rij 3."
    assert ap.finding_text({"explanation": "Klopt", "rows": ""}) == "Klopt."


def test_priority_labels_leave_the_total_unnumbered():
    assert ap.priority_labels(execution_table()) == ["1. Werk", "2. Onderwijs", "Totaal"]


def test_summary_lines_budget_and_status():
    lines = ap.summary_lines(budget_lines={"regular": "Begroting 2018 (gewoon)"}, as_of="18/10/2018",
                             execution=execution_table(300.0), dist=status_table(),
                             not_spent=pd.DataFrame({"planned_eur": [100.0, 50.0]}))
    assert lines[0] == (f"**Begroting 2018**: Op 18/10/2018 was €{NBSP}1.800 van €{NBSP}1.500 uitgegeven (120,0%). "
                        f"Daarvan ging €{NBSP}300 naar 1 bijkomende acties buiten het plan; de geplande acties "
                        "gebruikten 100,0% van hun budget.")
    assert lines[1] == ("4 van de 6 acties (66,7%) zijn uitgevoerd (ook 'uitgevoerd en lopend'); 1 niet uitgevoerd, "
                        "0 uitgesteld en 1 lopend.")
    assert lines[2] == ("2 keer bleef het voorziene budget van een actie op een begrotingslijn volledig onaangeroerd "
                        f"(samen €{NBSP}150).")
    assert len(lines) == 3


def test_summary_lines_only_for_given_parts():
    assert ap.summary_lines(budget_lines={}) == []
    prog = pd.DataFrame({"status": ["to_fill", "reached"]})
    assert ap.summary_lines(budget_lines={}, prog=prog) == [
        "2 becijferde verbintenissen; voor 1 is de gerealiseerde waarde nog in te vullen."]


def test_budget_line_texts_count_over_and_underspending():
    (text,) = ap.budget_line_texts(execution_table(), {"regular": "Begroting", "tom": "TOM"})
    assert text == (f"- **Begroting**: de geplande acties gaven €{NBSP}1.500 uit van €{NBSP}1.500 voorzien (100,0%). "
                    "1 topprioriteit gaf aan geplande acties meer uit dan voorzien (1), 1 minder.")
    under = execution_table().assign(assessment=["underspent", "underspent", "on_plan"])
    (text,) = ap.budget_line_texts(under, {"regular": "Begroting"})
    assert text.endswith("Geen enkele topprioriteit gaf aan geplande acties meer uit dan voorzien, 2 minder.")


def test_execution_judgements_and_note():
    assert ap.execution_judgements(execution_table()) == ["120,0%: overbesteding", "60,0%: onderbesteding",
                                                          "100,0%: volgens plan"]
    d = pd.DataFrame({"execution_pct": [math.nan], "assessment": ["no_budget"]})
    assert ap.execution_judgements(d) == ["geen budget, geen uitgave"]
    assert "'Uitgegeven (bijkomend)'" in ap.execution_note(True)
    assert ap.execution_note(False).endswith("op deze lijn. Het verschil met het voorziene bedrag en de totale "
                                             "uitgave per topprioriteit staan in de export van deze tabel, naast dit "
                                             "rapport.")
    assert "_" not in ap.execution_note(True)  # no export name (budget_execution_tom) in the reader's text


def test_status_note_names_the_priorities_with_additional_actions():
    assert ap.status_note(status_table()).endswith(
        "De 3 bijkomende acties buiten het plan zijn meegeteld (bij topprioriteit 1, 2 (2)); de export heeft ze in "
        "een eigen kolom.")
    assert ap.status_note(status_table().drop(columns="additional")) == \
        "% uitgevoerd = uitgevoerd (incl. 'uitgevoerd en lopend') / acties. "


def test_alt_texts():
    assert ap.status_figure_alt(status_table(), ap.STATUS_CLASSES).endswith(
        "In totaal 6 acties: 3 uitgevoerd, 1 uitgevoerd en lopend, 1 lopend, 0 uitgesteld, 1 niet uitgevoerd.")
    alt = ap.budget_figure_alt(execution_table(300.0), {"regular": "Begroting (gewoon)"})
    assert (f"Begroting: €{NBSP}1.500 uitgegeven aan geplande acties van €{NBSP}1.500 voorzien (100,0%), plus "
            f"€{NBSP}300 aan bijkomende acties.") in alt
    assert alt.endswith("Bij 1 combinaties van prioriteit en begrotingslijn gaven de geplande acties meer uit dan "
                        "voorzien.")
    groups = pd.DataFrame({"group": ["A", "B"], "actions": [1, 2], "days": [3.0, 5.0], "budget_eur": [900.0, 100.0]})
    assert ap.plan_groups_alt(groups).endswith(f"De meeste werkdagen: B (5); het grootste budget: A (€{NBSP}900).")
    tl = pd.DataFrame({"action": ["a", "a", "b", "b"], "group": ["G", "G", "H", "H"],
                       "known_from": ["planning", "unknown", "text", "unknown"]})
    assert ap.timeline_alt(tl, ["2024-01", "2024-02"]).startswith(
        "Tijdlijn van 2 acties over 2 maanden (jan '24 tot feb '24). Van de 4 cellen zijn er 2 bekend (1 uit de "
        "planningstabel, 1 uit de tekst)")


def test_plan_groups_sums_per_group_in_file_order():
    plan = pd.DataFrame({"group": ["B", "A", "B"], "action": ["x", "y", "z"], "days": [1.0, 2.0, 3.5],
                         "budget_eur": [10.0, 20.0, 30.0]})
    g = ap.plan_groups(plan)
    assert g["group"].tolist() == ["B", "A"]
    assert g["actions"].tolist() == [2, 1] and g["days"].tolist() == [4.5, 2.0]
    assert g["budget_eur"].tolist() == [40.0, 20.0]


def test_figures_have_one_bar_per_priority_and_class():
    fig = ap.budget_figure(execution_table(300.0), {"regular": "Begroting (gewoon)", "tom": "TOM"})
    (ax,) = fig.axes
    assert ax.get_title() == "Begroting"
    assert len(ax.patches) == 2 + 2 + 1  # planned, spent on planned, one additional extension
    plt.close(fig)
    fig = ap.status_figure(status_table(), ap.STATUS_CLASSES)
    assert len(fig.axes[0].patches) == 2 * len(ap.STATUS_CLASSES)
    plt.close(fig)
    groups = pd.DataFrame({"group": ["A", "B"], "days": [3.0, 5.0], "budget_eur": [900.0, math.nan]})
    fig = ap.plan_groups_figure(groups)
    assert [len(a.patches) for a in fig.axes] == [2, 2]
    plt.close(fig)


def test_check_parts_names_unknown_parts_and_missing_files():
    with pytest.raises(ValueError, match="onbekend onderdeel in 'parts': begroting"):
        ap.check_parts(["begroting"], {})
    with pytest.raises(ValueError, match="workload vraagt het invoerbestand 'planning'"):
        ap.check_parts(["workload"], {"planning": None, "planning_totals": "t.csv"})
    ap.check_parts(["workload"], {"planning": "p.csv", "planning_totals": None})  # totals are optional
    ap.check_parts(["budget", "status"], {"budget": "b.csv"})


LAYOUTS = ["budget_totals", "budget_execution", "status_by_priority", "status_budget", "budget_not_spent",
           "additional_actions", "plan_total_differences", "plan_action_differences", "plan_groups", "timing_text",
           "timeline_known", "commitments", "subsidy_rules", "subsidy_examples"]


@pytest.mark.parametrize("key", LAYOUTS)
def test_table_layout_labels_every_shown_column(key):
    layout = ap.table_layout(key)
    assert set(layout) <= {"columns", "labels", "formats", "note"}
    for c in layout.get("columns", []):
        assert c in layout["labels"], c


def test_table_layout_formats_use_the_parameters():
    f = ap.table_layout("budget_not_spent", budget_lines={"tom": "Begroting TOM"})["formats"]
    assert f["line"]("tom") == "Begroting TOM" and f["line"]("other") == "other"
    assert f["priority_no"](math.nan) == ""
    f = ap.table_layout("timing_text", sic=["ondernem"])["formats"]
    assert f["timing_text"]("ondernem voor iedereen") == "ondernem [sic] voor iedereen"
    assert f["month"]("2024-10") == "okt '24" and f["month"]("") == "geen maand"
    f = ap.table_layout("commitments")["formats"]
    assert f["realised_value"](math.nan) == "nog in te vullen" and f["progress_pct"](50.0) == "50,0%"
    f = ap.table_layout("budget_totals")["formats"]
    assert f["measure"]("planned_tom_eur") == "Voorzien op de tweede begrotingslijn"
    own = {**ap.MEASURE_NL, "planned_tom_eur": "voorzien op begroting ESF", "spent_tom_eur": "uitgave op begroting ESF"}
    assert ap.table_layout("budget_totals", measures=own)["formats"]["measure"]("planned_tom_eur") == \
        "Voorzien op begroting ESF"
    labels = ap.table_layout("additional_actions", measures=own)["labels"]
    assert [labels[c] for c in ap.BUDGET_COLUMNS] == ["Voorzien op begroting", "Uitgave op begroting",
                                                      "Voorzien op begroting ESF", "Uitgave op begroting ESF"]


def findings_table() -> pd.DataFrame:
    return pd.DataFrame({"check": ["group_vs_actions", "stated_total"], "scope": ["Opleiden", "Totaal"],
                         "measure": ["days", ""], "result": ["mismatch", "explained"],
                         "explanation": ["Som 10 tegenover 12", "Verklaard."], "rows": ["p.csv rij 4", ""]})


def test_introduction_and_threshold_notice():
    assert "Het bevat: uitvoering van de begroting, subsidieberekening." in ap.introduction(["subsidies", "budget"])
    assert "(5) is hier niet van toepassing." in ap.no_persons_notice(5)


def test_budget_totals_text_only_when_every_sum_holds():
    checks = pd.DataFrame({"result": ["ok", "ok"], "stated": [236000, 215800]})
    assert ap.budget_totals_text(checks) == ("**De som van alle acties is gelijk aan de totaalrij van de bron** voor "
                                             "alle 2 kolommen (236.000 / 215.800 euro).")
    assert ap.budget_totals_text(checks.assign(result=["ok", "mismatch"])) is None


def test_finding_notices():
    f = pd.DataFrame({"measure": ["planned_tom_eur"], "result": ["mismatch"], "explanation": ["Som 1 tegenover 2"],
                      "rows": [""]})
    assert ap.budget_finding_notices(f) == [("**Voorzien op de tweede begrotingslijn**: Som 1 tegenover 2.",
                                             "warning")]
    assert ap.budget_finding_notices(f, {"planned_tom_eur": "voorzien op begroting ESF"}) == [
        ("**Voorzien op begroting ESF**: Som 1 tegenover 2.", "warning")]
    assert ap.plan_finding_notices(findings_table()) == [
        ("**Verschil — groepsrij tegenover de som van haar acties, Opleiden (werkdagen)**: Som 10 tegenover 12. "
         "Rijen: p.csv rij 4.", "warning"),
        ("**Verschil, verklaard — kolomsom tegenover de totaalrij van de bron, Totaal**: Verklaard.", "info")]


def test_plan_check_texts():
    recon = pd.DataFrame({"result": ["ok", "ok", "ok", "mismatch", "explained"]})
    compare = pd.DataFrame({"result": ["ok", "explained"]})
    assert ap.plan_findings_intro(recon, findings_table()).startswith(
        "3 van de 5 vergelijkingen kloppen. **1 verschillen zijn niet verklaard.** ")
    assert "**Er zijn geen onverklaarde verschillen.**" in ap.plan_findings_intro(recon, findings_table().iloc[1:])
    assert ap.plan_checks_rest(recon, compare).startswith(
        "De andere 3 vergelijkingen kloppen: 2 groeps-, totaal- en sectietotalen en 1 waarden van een actie")


def test_status_part_texts():
    nb = pd.DataFrame({"status_class": ["done", "not_done"], "planned_eur": [100.0, 50.0]})
    assert ap.not_spent_text(nb).startswith(f"2 keer had een actie budget op een begrotingslijn zonder dat er op die "
                                            f"lijn iets is uitgegeven (samen €{NBSP}150). Bij 1 daarvan")
    assert ap.not_spent_text(nb.iloc[:0]).startswith("Geen enkele actie")
    assert ap.not_spent_text(nb.iloc[1:]) == (f"1 keer had een actie budget op een begrotingslijn zonder dat er op "
                                              f"die lijn iets is uitgegeven (samen €{NBSP}50). Geen enkele daarvan "
                                              "staat als uitgevoerd.")
    add = pd.DataFrame({"spent_eur": [10.0, 20.0]})
    assert ap.additional_text(add) == (f"2 acties staan als bijkomend aangeduid: ze waren niet gepland en kostten "
                                       f"samen €{NBSP}30. Lege cellen zijn leeg in de bron.")
    assert ap.additional_text(add, "onder 'BIJKOMEND'").startswith("2 acties staan onder 'BIJKOMEND': ze waren")
    assert ap.additional_text(add.iloc[:0]) == "De bron vermeldt geen bijkomende acties."


def test_planning_and_commitment_texts():
    tl = pd.DataFrame({"known_from": ["unknown", "text"]})
    assert ap.empty_months_notice(tl, ["2024-01", "2025-06"]) == (
        "De maandkolommen van de planning (jan '24 tot jun '25) zijn leeg. Dit rapport vult geen maanden in. Het "
        "toont alleen wat de tekst van het plan zelf zegt over wanneer een actie loopt.")
    assert ap.empty_months_notice(tl, ["2024-01", "2025-06"], "in de bron", timing=False) == (
        "De maandkolommen van de planning (jan '24 tot jun '25) zijn leeg in de bron. Dit rapport vult geen "
        "maanden in.")
    assert ap.empty_months_notice(pd.DataFrame({"known_from": ["planning"]}), ["2024-01"]) is None
    prog = pd.DataFrame({"status": ["to_fill", "reached", "to_fill"]})
    assert ap.to_fill_text(prog) == "Voor 2 van de 3 verbintenissen is de gerealiseerde waarde nog in te vullen."
    assert ap.to_fill_text(prog.iloc[1:2]) is None


def test_execution_table_shows_additional_spending_only_when_there_is_some():
    shown, layout = ap.execution_table(execution_table())
    assert shown["label"].tolist() == ["1. Werk", "2. Onderwijs", "Totaal"]
    assert shown["judgement"].iloc[0] == "120,0%: overbesteding"
    assert layout["columns"] == ["label", "actions", "planned_eur", "spent_planned_eur", "judgement"]
    assert layout["note"] == ap.execution_note(False)
    _, layout = ap.execution_table(execution_table(300.0))
    assert layout["columns"][-1] == "spent_additional_eur" and "'Uitgegeven (bijkomend)'" in layout["note"]
    assert set(layout["labels"]) >= set(layout["columns"])


def test_section_texts_are_dutch_sentences():
    fragments = {"additional_where", "empty_months_reason"}  # parts of a sentence, not sentences
    assert fragments <= set(ap.SECTION_TEXT)
    for key, text in ap.SECTION_TEXT.items():
        if key in fragments:
            continue
        assert text[:1].isupper() or text[:1] == "'", key
        assert text.endswith("."), key
    assert "min(X, kosten × X / Y)" in ap.SECTION_TEXT["subsidy_reading"]


def test_subtitle_synthetic_and_skipped_parts():
    assert ap.subtitle_text("Eigen ondertitel", "Fonds", ["budget"]) == "Eigen ondertitel"
    assert ap.subtitle_text(None, "Sectorfonds Hout", ["status", "budget"]) == (
        "Sectorfonds Hout: uitvoering van de begroting, stand van de acties")
    assert ap.subtitle_text(None, None, ["workload"]) == "Inzet (werkdagen) en budget van het actieplan"
    assert "synthetische" in ap.synthetic_notice()
    assert ap.skipped_text({}) is None
    assert ap.skipped_text({"planning": "er is geen planning"}) == (
        "Niet in dit rapport: planning per maand, want er is geen planning.")
    assert ap.skipped_text({"planning": "a", "commitments": "b", "subsidies": "c"}) == (
        "Niet in dit rapport: planning per maand, want a; indicatoren en verbintenissen, want b; en "
        "subsidieberekening, want c.")


def test_summary_of_a_plan_without_totals_gives_its_size():
    plan = pd.DataFrame({"days": [10.0, 2.0], "budget_eur": [1000.0, 500.0]})
    assert ap.plan_size_text(plan) == f"Het actieplan telt 2 acties met samen 12 werkdagen en €{NBSP}1.500."
    assert ap.summary_lines(budget_lines={}, plan=plan) == [ap.plan_size_text(plan)]


def test_introduction_says_when_no_total_is_checked_and_caption_names_the_hatching_only_when_drawn():
    assert ap.introduction(["budget"], checked=False).endswith(
        "De bron vermeldt geen totalen om de optellingen tegen na te rekenen.")
    assert "Elke optelling wordt nagerekend" in ap.introduction(["budget"])
    assert ap.budget_figure_caption(execution_table()) == (
        "Voorzien en uitgegeven budget per topprioriteit (in duizend euro).")
    assert ap.budget_figure_caption(execution_table(300.0)).endswith(
        "; de gearceerde verlenging is wat bijkomende acties buiten het plan kostten.")
