"""Write data/raw/actieplannen.xlsx: the transcribed action-plan tables as one Excel workbook.

One sheet per table, with Dutch column headers as a sector fund or the diversity service would
have them in their own spreadsheet (the headers of the source documents where they exist). The
numbers are exactly those of the CSV files in data/raw/ (no value changed); only the headers, the
yes/no wording of ``additional``/``per_organisation`` and the row-type words are in Dutch. The
report reads it through the same readers with a column mapping in the params
(params/test/actieplan_*_xlsx.yaml); tests/test_actionplan.py checks that it gives the same
results as the CSV files.

Run from the project root:  .venv/bin/python data/make_actieplan_xlsx.py
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pandas as pd

RAW = Path(__file__).resolve().parent / "raw"
OUT = RAW / "actieplannen.xlsx"

#: sheet -> (source CSV, {canonical column: Dutch header}); the params use the same mapping
SHEETS: dict[str, tuple[str, dict[str, str]]] = {
    "Budget 2018": ("budget_diversiteitsbeleid_2018.csv", {
        "priority_no": "Nr. prioriteit", "priority": "Topprioriteit", "subtheme": "Subthema",
        "action": "Actie", "additional": "Bijkomend", "status": "Evaluatie van de acties",
        "planned_eur": "Voorzien op begroting 2018", "spent_eur": "Uitgave op begroting 2018",
        "planned_tom_eur": "Voorzien op begroting TOM 2018", "spent_tom_eur": "Uitgave op begroting TOM 2018"}),
    "Planning": ("actieplan_mtech_planning_2024_2025.csv", {
        "group": "Groep", "action": "Actie", "days": "Tijd (dagen)", "budget_eur": "Budget (€)"}),
    "Planning totalen": ("actieplan_mtech_planning_totals.csv", {
        "row_type": "Soort rij", "group": "Groep", "days": "Tijd (dagen)", "budget_eur": "Budget (€)"}),
    "Acties": ("actieplan_mtech_acties.csv", {
        "section": "Sectie", "action_title": "Actie", "actor": "Actor / Lead", "days": "Werkdruk (dagen)",
        "budget_eur": "Budget (€)", "note": "Toelichting", "row_type": "Soort rij",
        "raw_werkdruk_budget": "Werkdruk / Budget (bron)"}),
    "Verbintenissen": ("actieplan_mtech_engagements.csv", {
        "section": "Sectie", "indicator": "Indicator", "target_value": "Streefwaarde", "unit": "Eenheid",
        "period": "Periode", "source_text": "Inspanningsverbintenis (bron)"}),
    "Timing": ("actieplan_mtech_timing_tekst.csv", {
        "action": "Actie", "section": "Sectie", "timing_text": "Timing (tekst)", "month": "Maand"}),
    "Subsidies": ("plan_types_subsidies.csv", {
        "plan_type": "Soort plan", "modalities": "Modaliteiten", "max_subsidy_eur": "Max. subsidie (€)",
        "for_costs_eur": "Voor kosten (€)", "per_organisation": "Per organisatie",
        "min_organisations": "Min. aantal organisaties", "duration_min_months": "Duur min. (maanden)",
        "duration_max_months": "Duur max. (maanden)", "duration_text": "Duur"}),
}

_YES_NO = {True: "ja", False: "nee"}
_ROW_TYPE = {"group": "groep", "total": "totaal", "section_total": "sectietotaal", "action": "actie"}


def build(out: Path = OUT) -> Path:
    with pd.ExcelWriter(out, engine="openpyxl") as xw:
        for sheet, (csv, mapping) in SHEETS.items():
            df = pd.read_csv(RAW / csv, dtype={"section": str, "month": str})
            for col in ("additional", "per_organisation"):
                if col in df:
                    df[col] = df[col].map(_YES_NO)
            if "row_type" in df:
                df["row_type"] = df["row_type"].map(_ROW_TYPE)
            df = df.rename(columns=mapping)[list(mapping.values())]
            df.to_excel(xw, sheet_name=sheet, index=False)
        fixed = datetime(2026, 1, 1)  # same bytes on every run: no creation timestamp
        xw.book.properties.created = fixed
        xw.book.properties.modified = fixed
        xw.book.properties.creator = "evaluatie"
    _fix_zip_times(out)
    return out


def _fix_zip_times(path: Path) -> None:
    """Rewrite the workbook's zip entries with a fixed timestamp, so regenerating it gives the
    same bytes (and the same SHA-256 in the reports' provenance)."""
    import io
    import re
    import zipfile

    with zipfile.ZipFile(path) as z:
        entries = [(i.filename, z.read(i.filename)) for i in z.infolist()]
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in entries:
            if name == "docProps/core.xml":  # openpyxl stamps the save time into "modified"
                data = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*(<)", rb"\g<1>2026-01-01T00:00:00Z\g<2>", data)
            z.writestr(zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0)), data,
                       compress_type=zipfile.ZIP_DEFLATED)
    path.write_bytes(buf.getvalue())


if __name__ == "__main__":
    print(build().relative_to(RAW.parent.parent))
