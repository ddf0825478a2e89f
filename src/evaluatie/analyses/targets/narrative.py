"""Dutch wording of the target-figure report: status labels and their colours, group labels, and
Tabel 1 of the 2016-2020 plan with its shares as published."""

from __future__ import annotations

from typing import Iterable, Mapping, Sequence

import pandas as pd

from evaluatie.core import fmt

__all__ = ["STATUS_NL", "STATUS_CLASS", "GROUP_LABELS_NL", "status_nl", "status_css", "tabel1"]


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

GROUP_LABELS_NL = {
    "women_total": "Vrouwen (alle personeelsleden)",
    "women_top": "Vrouwen in het topkader",
    "women_middle": "Vrouwen in het middenkader",
    "women_lower": "Vrouwen in het lager kader",
    "migration_background": "Personen met een migratieachtergrond (oude definitie)",
    "foreign_origin": "Personen van buitenlandse herkomst",
    "disability_chronic_illness": "Personen met een handicap of chronische ziekte",
    "low_educated": "Kortgeschoolde medewerkers",
    "experienced_45plus": "Ervaren medewerkers (45+)",
    "experienced_55plus": "Ervaren medewerkers (55+)",
}



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
