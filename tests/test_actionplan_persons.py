"""Issue 15 item 2 (auditor finding): a commitment's realised value that counts persons or
employers follows the small-cell rule (analyses/actionplan/persons.py).

The case: "aanwerving van personen met een arbeidshandicap", unit "personen", realised 2 — two
recent hires of one organisation have a disability. Before, the commitments table was declared
free of counts (``no_counts``) and published the 2, its progress (2 / 30 = 6,7%) and its status as
given. Now the 2 is withheld with its progress and status in the HTML, the CSV, tables.xlsx and
the notebook's outputs; a person count of 0 and of 7 and a count of 2 sessions are shown, and the
report's notice and provenance say that the rule applies.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from bs4 import BeautifulSoup
from openpyxl import load_workbook

from evaluatie.analyses import actionplan as ap
from evaluatie.publish.disclosure import decision, suppressed_mask

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).parent))
from report_checks import check_report_html, published_texts, report_page  # noqa: E402

COMMITMENTS = """section,indicator,target_value,unit,period
4.1,aanwerving van personen met een arbeidshandicap,30,personen,2025
4.2,opleiding van langdurig werkzoekenden,12,werkzoekenden,2025
4.3,begeleiding van jongeren naar een stageplaats,35,Jongeren,2025
4.4,infosessies over redelijke aanpassingen,8,sessies,2025
"""
REALISED = """section,realised_value
4.1,2
4.2,0
4.3,7
4.4,2
"""


def _progress(realised: list[float], targets: list[float], units: list[str],
              indicators: list[str] | None = None) -> pd.DataFrame:
    n = len(realised)
    commitments = pd.DataFrame({"section": [f"{i + 1}" for i in range(n)],
                                "indicator": indicators or [f"indicator {i + 1}" for i in range(n)],
                                "target_value": targets, "unit": units, "period": ["2025"] * n})
    done = pd.DataFrame({"section": commitments["section"], "realised_value": realised})
    return ap.commitment_progress(commitments, done)


# --------------------------------------------------------------------------- which units count persons

@pytest.mark.parametrize("unit", ["personen", "Personen", "werknemers (deelnemers)", "WERKGEVERS", "bedrijven",
                                  "werkzoekenden", "kandidaten", "cursisten", "stagiairs", "organisaties",
                                  "zorgwerknemers", "contactpersonen", "collega’s", "aanwervingen"])
def test_units_that_name_persons_or_employers(unit):
    assert ap.counts_persons(unit)


@pytest.mark.parametrize("unit", ["sessies", "opleidingen", "euro", "%", "werkdagen", "uren", "hamburgers",
                                  "acties", "brochures"])
def test_units_that_do_not(unit):
    assert not ap.counts_persons(unit, "sessies voor werkgevers en werknemers")


def test_a_generic_unit_is_read_with_the_indicator():
    assert ap.counts_persons("aantal", "aanwerving van personen met een arbeidshandicap")
    assert ap.counts_persons("Aantal", "bereikte werkgevers")
    assert not ap.counts_persons("aantal", "georganiseerde infosessies")
    assert not ap.counts_persons("%", "aandeel werknemers met een opleidingsplan")  # a share, not a count


def test_a_study_adds_its_own_words():
    assert not ap.counts_persons("ervaringsdeskundigen")
    assert ap.counts_persons("ervaringsdeskundigen", extra=["Ervaringsdeskundigen"])
    assert ap.counts_persons("ervaringsdeskundige", extra=["ervaringsdeskundige"])
    for bad in ("ervarings deskundigen", "", "10 personen", 3):
        with pytest.raises(ValueError, match="person_units"):
            ap.person_words([bad])
    with pytest.raises(ValueError, match="person_units"):
        ap.person_words("ervaringsdeskundigen")  # a text, not a list


# --------------------------------------------------------------------------- the decision

def test_a_small_person_count_is_withheld_with_its_progress_and_status():
    prog = _progress([2, 0, 7, 2, np.nan], [30, 12, 35, 8, 10],
                     ["personen", "werkzoekenden", "Jongeren", "sessies", "personen"])
    d = ap.decide_commitments(prog, 5)
    assert decision(d) == "protected" and ap.withheld_commitments(d) == 1
    mask = suppressed_mask(d)
    assert mask.index[mask.any(axis=1)].tolist() == [0]
    assert sorted(mask.columns[mask.loc[0]]) == ["progress_pct", "realised_value", "status"]
    assert d.loc[0, ["realised_value", "progress_pct", "status"]].isna().all()
    assert d.loc[0, "target_value"] == 30 and d.loc[0, "unit"] == "personen"  # a target is a plan, not a count
    # zero shown, 7 shown, 2 sessions shown, to fill stays to fill
    assert d["realised_value"].tolist()[1:4] == [0, 7, 2] and d.loc[4, "status"] == "to_fill"
    assert d["status"].tolist()[1:4] == ["not_reached"] * 3
    csv = d.to_csv(index=False)
    assert "6.66" not in csv and csv.splitlines()[1] == "1,indicator 1,30,personen,2025,,,"


def test_the_threshold_decides():
    prog = _progress([2, 3, 4.5], [30, 30, 30], ["personen"] * 3)
    assert suppressed_mask(ap.decide_commitments(prog, 3))["realised_value"].tolist() == [True, False, False]
    assert suppressed_mask(ap.decide_commitments(prog, 5))["realised_value"].tolist() == [True, True, True]
    with pytest.raises(ValueError):
        ap.decide_commitments(prog, 0)


def test_without_a_person_unit_the_table_is_declared_free_of_counts():
    prog = _progress([2, 1], [8, 4], ["sessies", "brochures"])
    d = ap.decide_commitments(prog, 5)
    assert decision(d).startswith("no counts") and suppressed_mask(d) is None
    assert ap.withheld_commitments(d) == 0 and d["realised_value"].tolist() == [2, 1]
    # the study's own word makes it a person count
    d = ap.decide_commitments(_progress([2], [8], ["ervaringsdeskundigen"]), 5, ["ervaringsdeskundigen"])
    assert decision(d) == "protected" and ap.withheld_commitments(d) == 1


def test_a_decided_table_changed_afterwards_is_refused():
    d = ap.decide_commitments(_progress([2], [30], ["personen"]), 5)
    with pytest.raises(ValueError, match="changed after the decision"):
        ap.table(d.assign(share=d["target_value"] / 2), None, "verbintenissen")


def test_the_notice_says_the_rule_applies_when_a_commitment_counts_persons():
    assert "niet over personen" in ap.no_persons_notice(5)
    text = ap.no_persons_notice(5, True)
    assert "niet over personen" not in text and "onder 5" in text and "'x'" in text
    assert text.count(". ") == 0 and text.endswith(".")  # one sentence
    assert "ook in de export niet" in ap.table_layout("commitments", withheld=1)["note"]
    assert "ook in de export niet" not in ap.table_layout("commitments")["note"]


def test_load_decides_once_with_the_parameters(tmp_path):
    (tmp_path / "c.csv").write_text(COMMITMENTS, encoding="utf-8")
    (tmp_path / "r.csv").write_text(REALISED.replace("4.3,7", "4.3,4"), encoding="utf-8")
    p = dict(parts=["commitments"], commitments=str(tmp_path / "c.csv"), realised=str(tmp_path / "r.csv"))
    st = ap.load({**p, "threshold": 5})
    assert st.counts_persons and st.withheld == 2 and decision(st.prog) == "protected"
    st = ap.load({**p, "threshold": 3})
    assert st.withheld == 1 and st.prog.loc[2, "realised_value"] == 4
    (tmp_path / "c.csv").write_text(COMMITMENTS.replace(",personen,", ",ervaringsdeskundigen,")
                                    .replace(",werkzoekenden,", ",trajecten,").replace(",Jongeren,", ",stages,"),
                                    encoding="utf-8")
    st = ap.load(p)
    assert not st.counts_persons and st.withheld == 0 and decision(st.prog).startswith("no counts")
    st = ap.load({**p, "person_units": ["ervaringsdeskundigen"]})
    assert st.counts_persons and st.withheld == 1


# --------------------------------------------------------------------------- a whole report

def _table_rows(page: BeautifulSoup, caption: str) -> dict[str, list[str]]:
    cap = page.find(lambda t: t.name == "p" and "ev-caption" in (t.get("class") or []) and t.get_text() == caption)
    table = cap.find_next("table")
    head = [th.get_text(" ", strip=True) for th in table.find("thead").find_all("th")]
    rows = {}
    for tr in table.find("tbody").find_all("tr"):
        cells = [td.get_text(" ", strip=True) for td in tr.find_all(["td", "th"])]
        rows[cells[0]] = dict(zip(head, cells))
    return rows


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    from evaluatie.run.params import load_run
    from evaluatie.run.runner import execute
    d = tmp_path_factory.mktemp("ap_persons")
    (d / "verbintenissen.csv").write_text(COMMITMENTS, encoding="utf-8")
    (d / "opvolging.csv").write_text(REALISED, encoding="utf-8")
    params = d / "persons.yaml"
    params.write_text(yaml.safe_dump({"notebook": "actieplan_opvolging", "parameters": {
        "title": "Opvolging van een actieplan", "parts": ["commitments"],
        "commitments": str(d / "verbintenissen.csv"), "realised": str(d / "opvolging.csv")}}), encoding="utf-8")
    res = execute(load_run(params), d / "out")
    assert res.ok, res.describe_error()
    run = d / "out" / "persons"
    assert check_report_html(run / "report.html", (str(REPO),)) == []
    return run


def test_the_report_withholds_the_small_person_count_everywhere(report):
    texts = published_texts(report)
    # 2 of 30 hires: 6,7% (6.666… in a CSV) is nowhere; the other progress values are there
    for name, text in texts.items():
        if name.endswith(".ipynb"):  # its cells only: papermill's timings (a duration of 6.63 s) are no data
            nb = json.loads(text)
            text = json.dumps([{k: c.get(k) for k in ("source", "outputs")} for c in nb["cells"]], ensure_ascii=False)
        assert not re.search(r"(?<![\d.])6[,.]66|(?<![\d.])6,7\s?%|0[,.]0666", text), name
    html = texts["report.html"]
    assert "20,0%" in html and "0,0%" in html and "25,0%" in html
    rows = _table_rows(report_page(report), "Becijferde verbintenissen en hun realisatie")
    assert [rows["4.1"][c] for c in ("Gerealiseerd", "Voortgang", "Stand")] == ["x", "x", "x"]
    assert rows["4.1"]["Streefwaarde"] == "30"
    assert [rows[s]["Gerealiseerd"] for s in ("4.2", "4.3", "4.4")] == ["0", "7", "2"]
    assert all(rows[s]["Stand"] not in ("x", "") for s in ("4.2", "4.3", "4.4"))
    # CSV and tables.xlsx: the row is there, its realised value, progress and status are empty
    com = pd.read_csv(report / "tables" / "commitments.csv", dtype={"section": str}).set_index("section")
    assert com.loc["4.1", ["realised_value", "progress_pct", "status"]].isna().all()
    assert com.loc[["4.2", "4.3", "4.4"], "realised_value"].tolist() == [0, 7, 2]
    sheet = next(ws for ws in load_workbook(report / "tables.xlsx", read_only=True).worksheets
                 if ws.title.startswith("commitments"))
    rows_x = list(sheet.iter_rows(values_only=True))
    head = list(rows_x[0])
    body = {str(r[0]): list(r) + [None] * (len(head) - len(r)) for r in rows_x[1:]}  # read-only drops empty ends
    for col in ("realised_value", "progress_pct", "status"):
        assert body["4.1"][head.index(col)] in (None, "")
    assert body["4.4"][head.index("realised_value")] == 2
    # the notebook's outputs show the same table: x for 4.1, nothing derived from the 2
    nb = json.loads((report / "notebook.ipynb").read_text(encoding="utf-8"))
    outputs = " ".join(json.dumps(c.get("outputs", [])) for c in nb["cells"])
    assert "verbintenissen die personen of werkgevers tellen" in outputs and "niet getoond" in outputs


def test_the_report_says_the_rule_applies(report):
    text = " ".join(report_page(report).get_text(" ").split())
    assert "Gerealiseerde waarden van verbintenissen die personen of werkgevers tellen, volgen de regel" in text
    assert "niet over personen" not in text
    assert "Bescherming van kleine aantallen" in text and "regel voor kleine aantallen is daarom niet" not in text
    assert "ook in de export niet" in text
