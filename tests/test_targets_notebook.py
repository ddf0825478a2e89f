"""The streefcijfers report from a user's own aggregate file in another layout (semicolons,
decimal commas, Dutch column names, one file instead of two) mapped through the parameters gives
the same assessment table as the published data in data/raw."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pandas as pd
import pytest

from evaluatie.analyses import targets as T
from evaluatie.run.params import load_run
from evaluatie.run.runner import execute
from evaluatie.core.errors import DataError

REPO = Path(__file__).resolve().parents[1]
RAW = REPO / "data" / "raw"
BREAKS = [{"year": 2014, "label": "automatische telling", "groups": ["migration_background"]},
          {"year": 2016, "label": "nieuwe definities en fusies", "groups": "all"}]


def _published():
    frames = [T.read_series(RAW / f, {"group": "group_key"}) for f in
              ("streefcijfers_vlaamse_overheid_2009_2014.csv", "streefcijfers_vlaamse_overheid_2014_2023.csv")]
    return T.combine_sources(frames)[0]


def _user_file(path: Path) -> None:
    d = _published()
    nl = lambda v: "" if pd.isna(v) else (f"{v:g}".replace(".", ","))  # noqa: E731
    lines = ["Peiljaar;Doelgroep;Aandeel %;Aantal in groep;Totaal;Definitie"]
    for _, r in d.sample(frac=1, random_state=3).iterrows():  # any row order
        lines.append(";".join([str(r["year"]), r["group"], nl(r["share_pct"]), nl(r["numerator"]),
                               nl(r["denominator"]), r["definition"] or ""]))
    path.write_text("\n".join(lines) + "\n", encoding="cp1252")


MAPPING = {"year": "Peiljaar", "group": "Doelgroep", "share_pct": "Aandeel %", "numerator": "Aantal in groep",
           "denominator": "Totaal", "definition": "Definitie"}


def test_user_layout_reads_to_the_same_series(tmp_path):
    f = tmp_path / "mijn_cijfers.csv"
    _user_file(f)
    user, led = T.read_series(f, MAPPING)
    ref = _published()
    tgt = T.read_targets(RAW / "streefcijfers_targets.csv")
    a = T.evaluate_targets(user, tgt, BREAKS).sort_values(["target_year", "group"]).reset_index(drop=True)
    b = T.evaluate_targets(ref, tgt, BREAKS).sort_values(["target_year", "group"]).reset_index(drop=True)
    pd.testing.assert_frame_equal(a, b)
    assert led.read == led.analysed == len(ref)


def test_duplicate_rows_in_a_user_file_are_a_data_error(tmp_path):
    f = tmp_path / "dubbel.csv"
    f.write_text("jaar;groep;aandeel\n2016;x;12,5\n2017;x;13\n2017;x;13,1\n", encoding="utf-8")
    with pytest.raises(DataError) as e:
        T.read_series(f, {"year": "jaar", "group": "groep", "share_pct": "aandeel"})
    assert "rij 4" in str(e.value) and "één cijfer per groep" in str(e.value)


@pytest.mark.slow
def test_report_from_user_layout_gives_the_same_assessment(tmp_path, monkeypatch):
    monkeypatch.setenv("EVALUATIE_ROOT", str(REPO))
    f = tmp_path / "mijn_cijfers.csv"
    _user_file(f)
    run = load_run(REPO / "params" / "test" / "streefcijfers.yaml",
                   overrides={"data": str(f), "data_history": None, "columns": MAPPING})
    result = execute(run, tmp_path / "out")
    assert result.ok, result.describe_error()
    got = pd.read_csv(tmp_path / "out" / run.name / "tables" / "assessment.csv")
    tgt = T.read_targets(RAW / "streefcijfers_targets.csv")
    ref = T.evaluate_targets(_published(), tgt, BREAKS).sort_values(["target_year", "group"]).reset_index(drop=True)
    ref = pd.read_csv(io.StringIO(ref.to_csv(index=False)))  # same CSV round trip
    pd.testing.assert_frame_equal(got[ref.columns], ref)


@pytest.mark.slow
def test_entity_report_without_any_assessable_target(tmp_path, monkeypatch):
    """Entiteit 18 of the example personnel data has no publishable figure up to 2020 for any
    group with a target: the entity report says so instead of failing."""
    monkeypatch.setenv("EVALUATIE_ROOT", str(REPO))
    run = load_run(REPO / "params" / "streefcijfers.yaml", overrides={"entity": "Entiteit 18"})
    result = execute(run, tmp_path / "out")
    assert result.ok, result.describe_error()
    html = (tmp_path / "out" / run.name / "report.html").read_text(encoding="utf-8")
    assert "kan geen enkel streefcijfer beoordeeld worden" in html
    assert not (tmp_path / "out" / run.name / "tables" / "assessment_microdata.csv").exists()


@pytest.mark.slow
def test_report_shows_the_review_fixes(tmp_path, monkeypatch):
    """Verdicts only from a figure of the target year, one phrasing per summary bullet, the
    microdata part labelled synthetic in every heading, and an entity ranking that shows only
    figures of the evaluation year (with a Jaar column), never an older figure next to a hidden one."""
    monkeypatch.setenv("EVALUATIE_ROOT", str(REPO))
    run = load_run(REPO / "params" / "test" / "streefcijfers.yaml")
    result = execute(run, tmp_path / "out")
    assert result.ok, result.describe_error()
    out = tmp_path / "out" / run.name
    html = (out / "report.html").read_text(encoding="utf-8")
    text = re.sub(r"<[^>]+>", "", html)
    assert "Vrouwen in het middenkader: 39,4% eind 2020; streefcijfer 40,0% niet gehaald (0,6 procentpunt te weinig)." in text
    assert "geen cijfer 2015" in text
    heads = [re.sub(r"<[^>]+>", "", h) for h in re.findall(r"<h[23][^>]*>(.*?)</h[23]>", html, flags=re.S)]
    first = next(i for i, h in enumerate(heads) if h.startswith("Entiteiten en beleidsdomeinen"))
    heads = heads[first:next(i for i, h in enumerate(heads) if h.startswith(("Begrippen", "Werkwijze")))]
    assert len(heads) >= 4 and all("(synthetische gegevens)" in h for h in heads)
    ass = pd.read_csv(out / "tables" / "assessment.csv")
    d15 = ass[(ass["group"] == "disability_chronic_illness") & (ass["target_year"] == 2015)].iloc[0]
    assert d15["status_nl"] == "geen cijfer 2015" and pd.isna(d15["required_pp_per_year"])
    # the yearly targets for interns and student workers, with the only (2014, old-definition) figures
    yt = pd.read_csv(out / "tables" / "yearly_targets.csv").set_index("group")
    assert yt.loc["student_workers_foreign_origin", ["target_pct", "last_year", "last_share_pct"]].tolist() == [20, 2014, 8.6]
    assert set(yt["status"]) == {"insufficient_data"}
    assert "Voor stagiairs en jobstudenten gelden jaarlijkse streefcijfers (20% en 6%)" in text
    assert yt.loc["student_workers_foreign_origin", "gap_pp"] == pytest.approx(11.4)
    row = re.search(r"<tr><td>Jobstudenten van buitenlandse herkomst</td>(.*?)</tr>", html).group(1)
    assert [re.sub(r"<[^>]+>", "", c) for c in re.findall(r"<td[^>]*>.*?</td>", row)] == [
        "20%", "2014", "8,6%", "migratieachtergrond (definitie vóór 2016)", "+11,4 pp", "onvoldoende gegevens"]
    rank = pd.read_csv(out / "tables" / "entity_ranking.csv")
    assert rank["year"].nunique() == 1
    for g in ("foreign_origin", "disability_chronic_illness"):
        no_fig = rank[f"{g}__status_nl"].str.startswith("geen cijfer")
        assert rank.loc[no_fig, f"{g}__last_share_pct"].isna().all()
        assert rank.loc[no_fig, f"{g}__persons_short"].isna().all()
    assert rank["total_short"].is_monotonic_decreasing
    ent = pd.read_csv(out / "tables" / "entity_assessment.csv")
    older = ent["last_year"] < ent["evaluated_at"].clip(upper=int(rank["year"].iloc[0]))
    assert ent.loc[older, ["last_share_pct", "persons_short"]].isna().all().all()
