"""How each table of the streefcijfers report goes through :mod:`evaluatie.publish.disclosure`.

The decision itself is taken once, on the personnel cube
(:func:`~evaluatie.analyses.targets.personnel.protect_levels`); the tables are views of it:

- the personnel cells themselves (shares per date, the gender balance of an entity or a policy
  domain) keep the decision's withheld cells (:func:`with_withheld_shares`, shown as "x", niet getoond);
- tables computed from the series with the withheld cells left out (changes, assessments,
  growth paths, persons short) have no cell of their own to withhold (:func:`from_shown`);
- numbers of entities (public bodies) per status, verdict or growth-path result are not counts of
  persons (:func:`entities`), and the already published percentages of the Flemish government,
  the report's parameters and the template example hold no personnel data (:func:`no_personnel_data`).
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from evaluatie.publish.disclosure import mark, no_counts

__all__ = ["no_personnel_data", "entities", "from_shown", "with_withheld_shares"]


def no_personnel_data(df: pd.DataFrame) -> pd.DataFrame:
    """``df`` declared free of counts of persons: it rests only on the already published figures of
    the Flemish government (percentages of the yearly diversity report), on the report's parameters
    or on the business-plan template (:func:`evaluatie.publish.disclosure.no_counts`)."""
    return no_counts(df, "already published figures, parameters or template examples: no personnel data")


def entities(df: pd.DataFrame) -> pd.DataFrame:
    """``df`` declared free of counts of persons: it counts entities (numbers of public bodies per
    status, per verdict, per growth-path result), which are published bodies, not persons."""
    return no_counts(df, "numbers of public bodies (entities), not of persons")


def from_shown(df: pd.DataFrame, threshold: int) -> pd.DataFrame:
    """``df`` computed only from the personnel cells the disclosure decision shows (series with the
    withheld cells left out, :func:`~evaluatie.analyses.targets.assessment.with_counts`): published
    through :func:`evaluatie.publish.disclosure.mark` with no cell of its own to withhold."""
    return mark(df, pd.Series(False, index=df.index), threshold)


def with_withheld_shares(df: pd.DataFrame, withheld: Any, threshold: int,
                         columns: tuple[str, ...] = ("share_pct",)) -> pd.DataFrame:
    """``df`` (rows cut from the personnel cells) with ``columns`` of the rows in ``withheld`` (a
    boolean per row: the decision withheld the cell) withheld through
    :func:`evaluatie.publish.disclosure.mark`, so the report shows them as "x" (niet getoond)."""
    hidden = pd.DataFrame(False, index=df.index, columns=df.columns)
    hidden.loc[pd.Series(withheld, index=df.index).astype(bool).to_numpy(), list(columns)] = True
    return mark(df, hidden, threshold)
