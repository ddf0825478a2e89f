"""The synthetic evaluation-survey data: seeded, shaped as documented, consistent with the
published conclusions, and the SPSS route gives the same answers as the CSV route."""

from pathlib import Path

import pandas as pd
import pyreadstat

from evaluatie.analyses import survey as lk
from evaluatie.simulate import survey as sim

ROOT = Path(__file__).resolve().parents[1]
ITEMS = {"q_support_satisfaction": "tevredenheid", "q_support_flexible": "akkoord", "q_fin_added_value": "akkoord",
         "q_execution": "verloop", "q_impact_policy": "akkoord", "q_results_lasting": "akkoord"}


def test_seeded_and_shaped():
    a, fa = sim.generate(7)
    b, fb = sim.generate(7)
    pd.testing.assert_frame_equal(a, b)
    pd.testing.assert_frame_equal(fa, fb)
    assert len(a) == 536 and (a["complete"] == "ja").sum() == 500
    assert a["org_id"].is_unique
    assert set(a["plan_type"]) == set(sim.PLAN_TYPES)
    # every respondent's cell exists in the frame
    cells = set(map(tuple, fa.loc[fa["completed_plans"] > 0, ["plan_type", "size_class", "region"]].to_numpy()))
    assert set(map(tuple, a[["plan_type", "size_class", "region"]].to_numpy())) <= cells
    # incomplete questionnaires have no answers after the execution section
    inc = a[a["complete"] == "nee"]
    assert inc["q_recommend"].isna().all() and inc["q_execution"].notna().any()
    # a target can only be reached when it was set
    for g in sim.TARGET_GROUPS:
        assert a.loc[a[f"target_set_{g}"] == "nee", f"target_reached_{g}"].isna().all()


def test_consistent_with_published_conclusions():
    df, _ = sim.generate()
    df = df[df["complete"] == "ja"]
    sat = df["q_support_satisfaction"][df["q_support_satisfaction"] != "weet niet"]
    assert 0.85 <= sat.isin(["tevreden", "zeer tevreden"]).mean() <= 0.95
    assert (df["q_recommend"] == "ja").mean() > 0.9
    ex = df["q_execution"][df["q_execution"] != "weet niet"]
    assert 0.65 <= ex.isin(["vlot", "zeer vlot"]).mean() <= 0.75
    reached = {g: (df[f"target_reached_{g}"].dropna() == "ja").mean() for g in sim.TARGET_GROUPS}
    assert reached["arbeidshandicap"] < 0.5 < min(v for g, v in reached.items() if g != "arbeidshandicap")
    assert (df["q_aftercare_need"] == "ja").mean() > 0.5


def test_example_files_are_the_generator_output_and_sav_equals_csv(tmp_path):
    """``python -m evaluatie.simulate.survey`` regenerates the committed files: the CSV files byte
    for byte; the .sav in data, question texts and value labels (its header holds the time it was
    written, so its bytes differ on every write)."""
    paths = sim.write(tmp_path)
    for key in ("csv", "frame"):
        committed = ROOT / "data/example" / paths[key].name
        assert committed.read_bytes() == paths[key].read_bytes(), f"{committed.name}: regenerate"
    committed, meta = pyreadstat.read_sav(ROOT / "data/example/survey_respondents.sav")
    fresh, fresh_meta = pyreadstat.read_sav(paths["sav"])
    pd.testing.assert_frame_equal(committed, fresh)
    assert meta.column_names_to_labels == fresh_meta.column_names_to_labels
    assert meta.variable_value_labels == fresh_meta.variable_value_labels
    # the SPSS route and the CSV route give the same answers
    a, _ = lk.load_survey(ROOT / "data/example/survey_respondents.sav", ITEMS)
    b, _ = lk.load_survey(ROOT / "data/example/survey_respondents.csv", ITEMS)
    for col in ITEMS:
        assert a[col].astype(str).tolist() == b[col].astype(str).tolist()
        assert a[col + "_dk"].fillna(False).tolist() == b[col + "_dk"].fillna(False).tolist()
    assert a["plan_type"].astype(str).tolist() == b["plan_type"].astype(str).tolist()


def test_load_survey_ledger():
    _, led = lk.load_survey(ROOT / "data/example/survey_respondents.csv", ITEMS, complete_column="complete",
                            complete_only=True, required=["plan_type", "size_class", "region"])
    assert led.read == 536 and led.analysed == 500
    assert led.exclusions == {"vragenlijst niet volledig ingevuld": 36}
