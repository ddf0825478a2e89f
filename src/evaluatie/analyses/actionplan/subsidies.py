"""The subsidy calculator: ``min(X, costs × X / Y)`` per plan type, with X and Y from the rules
file (:func:`evaluatie.analyses.actionplan.inputs.read_subsidy_rules`), never from code — our
reading of the source's "max. € X (voor € Y kosten)".
"""

from __future__ import annotations

import math
from numbers import Number
from pathlib import Path
from typing import Any, Iterable, Mapping

import numpy as np
import pandas as pd

from evaluatie.analyses.actionplan.inputs import read_subsidy_rules
from evaluatie.core.numbers import parse_number

__all__ = ["subsidy_rule", "subsidy", "subsidy_rules_table", "subsidy_table"]


def subsidy_rule(plan_type: str, rules: pd.DataFrame, memo: dict | None = None) -> pd.Series:
    """The rules row of ``plan_type`` (case-insensitive, surrounding spaces ignored); ValueError
    for a name that is empty or not in ``rules``. ``memo`` (a dict kept by the caller for one
    ``rules`` table) remembers the rows already looked up."""
    if not isinstance(plan_type, str) or not plan_type.strip():
        raise ValueError(f"plan_type moet de naam van een plansoort zijn, gekregen {plan_type!r}")
    if memo is not None and plan_type in memo:
        return memo[plan_type]
    key = plan_type.strip().lower()
    match = rules[rules["plan_type"].astype(str).str.strip().str.lower() == key]
    if match.empty:
        known = ", ".join(map(str, rules["plan_type"]))
        raise ValueError(f"onbekende plansoort {plan_type!r}; gekend: {known}")
    row = match.iloc[0]
    if memo is not None:
        memo[plan_type] = row
    return row


def subsidy(plan_type: str, costs_eur: float, organisations: int = 1, *,
            rules: pd.DataFrame | str | Path | None = None, _memo: dict | None = None) -> float:
    """The subsidy due for a plan, in euro: ``min(X, costs_eur × X / Y)``.

    X ("max. € X") and Y ("voor € Y kosten") come from the rules file
    (``data/raw/plan_types_subsidies.csv`` by default), never from code. The source states only the
    maximum and the cost base; reading it as a proportional subsidy capped at X is **our reading**
    of the rule (it gives X exactly at costs Y). Plan type names as in the file, case-insensitive.

    For a plan granted per organisation (Clusterplan) ``costs_eur`` is one organisation's costs and
    the result is that organisation's subsidy; ``organisations`` must reach the plan's minimum
    (3 for a Clusterplan). Any other plan is for one organisation (``organisations`` must be 1).

    Worked examples (tests): Diversiteitsplan €15.000 -> €10.000, €9.000 -> €6.000, €30.000 ->
    €10.000; Clusterplan of 4 with €4.500 each -> €3.000 each, €30.000 each -> €3.000 each.

    Raises ValueError for an unknown plan type, costs that are not a finite number of 0 or more,
    an organisation count that is not a whole number or below the plan's minimum.
    """
    if rules is None or isinstance(rules, (str, Path)):
        rules = read_subsidy_rules(rules)
    r = subsidy_rule(plan_type, rules, _memo)
    if isinstance(costs_eur, bool) or not isinstance(costs_eur, Number):
        raise ValueError(f"costs_eur (de kosten) moet een bedrag in euro zijn, gekregen {costs_eur!r}")
    costs = float(costs_eur)
    if not math.isfinite(costs):
        raise ValueError(f"costs_eur (de kosten) moet een eindig bedrag zijn, gekregen {costs_eur!r}")
    if costs < 0:
        raise ValueError(f"costs_eur (de kosten) kan niet negatief zijn, gekregen {costs_eur!r}")
    if isinstance(organisations, bool) or not isinstance(organisations, Number) or organisations != int(organisations):
        raise ValueError(f"organisations (aantal organisaties) moet een geheel getal zijn, gekregen {organisations!r}")
    organisations = int(organisations)
    name = r["plan_type"]
    if bool(r["per_organisation"]):
        minimum = int(r["min_organisations"])
        if organisations < minimum:
            raise ValueError(f"dit plan vraagt minstens {minimum} organisaties; "
                             f"er {'is er' if organisations == 1 else 'zijn er'} {organisations} opgegeven")
    elif organisations != 1:
        raise ValueError(f"een {name} is voor één organisatie (organisations=1), gekregen {organisations}; "
                         "alleen een plan per organisatie (zoals een clusterplan) telt meer organisaties")
    x, y = float(r["max_subsidy_eur"]), float(r["for_costs_eur"])
    return round(min(x, costs * x / y), 2)


def subsidy_rules_table(rules: pd.DataFrame) -> pd.DataFrame:
    """The rules as the report shows them: X, Y, the rate X/Y and the costs at which X is reached."""
    out = pd.DataFrame({
        "plan_type": rules["plan_type"].astype(str).to_numpy(),
        "max_subsidy_eur": rules["max_subsidy_eur"].to_numpy(),
        "for_costs_eur": rules["for_costs_eur"].to_numpy(),
        "rate_pct": (100 * rules["max_subsidy_eur"] / rules["for_costs_eur"]).to_numpy(),
        "per_organisation": rules["per_organisation"].to_numpy(),
        "min_organisations": (rules["min_organisations"] if "min_organisations" in rules
                              else pd.Series(np.nan, index=rules.index)).to_numpy(),
        "duration_text": (rules["duration_text"] if "duration_text" in rules
                          else pd.Series("", index=rules.index)).astype(str).to_numpy(),
    })
    return out


def subsidy_table(examples: Iterable[Mapping[str, Any]], rules: pd.DataFrame) -> pd.DataFrame:
    """The subsidy for each example ``{plan_type, costs_eur, organisations}``; an impossible
    example is kept with its reason (``error``) instead of a number."""
    rows = []
    memo: dict = {}  # each plan type's rules row is looked up once, not twice per example
    for ex in examples:
        pt, costs, n = ex.get("plan_type"), ex.get("costs_eur"), ex.get("organisations", 1)
        try:
            s = subsidy(pt, costs, n, rules=rules, _memo=memo)
            r = subsidy_rule(pt, rules, memo)
            per_org = bool(r["per_organisation"])
            rows.append(dict(plan_type=r["plan_type"], organisations=int(n), costs_eur=float(costs),
                             subsidy_eur=s, subsidy_total_eur=s * int(n) if per_org else s,
                             capped=bool(s >= float(r["max_subsidy_eur"])),
                             error=""))
        except ValueError as e:
            rows.append(dict(plan_type=pt, organisations=n, costs_eur=costs, subsidy_eur=np.nan,
                             subsidy_total_eur=np.nan, capped=False, error=str(e)))
    out = pd.DataFrame(rows, columns=["plan_type", "organisations", "costs_eur", "subsidy_eur",
                                      "subsidy_total_eur", "capped", "error"])
    out["costs_eur"] = _as_shown(out["costs_eur"])
    out["organisations"] = _as_shown(out["organisations"])
    return out


def _as_shown(values: pd.Series) -> pd.Series:
    """The costs or organisations of the examples as the table shows them: a numeric column as
    it is; in a column with text, numbers as given, text read by the one number parser
    (:func:`evaluatie.core.numbers.parse_number`: ``"15.000"`` -> 15000) and anything else empty."""
    if pd.api.types.is_numeric_dtype(values.dtype):
        return values
    return pd.Series([parse_number(v) if isinstance(v, str)
                      else float(v) if isinstance(v, Number) and not isinstance(v, bool) else math.nan
                      for v in values], index=values.index, dtype="float64")
