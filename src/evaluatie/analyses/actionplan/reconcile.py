"""Reconciliations: sums compared with the totals the source states, and one action compared
with the same action stated elsewhere in the plan.

1. The budget (:func:`reconcile_totals`): each column sum against the total row *as stated in the
   source* (the stated totals are parameters, never computed from the rows); a mismatch becomes a
   finding that names the rows that could explain it (:func:`explain_difference`).
2. The action plan (:func:`reconcile_plan`): actions against the plan's own group and total rows,
   against the section totals of the text, and each planning action against the same action in
   the section tables. :func:`findings` keeps what did not close; :func:`action_comparison` shows
   the action-by-action comparisons with their two sides named.

Plain arithmetic; the reference tests are the sums checked by hand in ``data/README.md`` (the
transcription's own check) and copies of the data with one number changed. Every comparison is
kept, not only the mismatches: a finding is never hidden, and a clean check is shown as clean.
The explanations are Dutch sentences (amounts and rows worded by
:mod:`evaluatie.analyses.actionplan.narrative`).
"""

from __future__ import annotations

import math
import re
from typing import Any, Mapping, Sequence

import numpy as np
import pandas as pd

from evaluatie.analyses.actionplan.narrative import amount_text, rows_text
from evaluatie.core.errors import DataError, Problem
from evaluatie.core.numbers import parse_number

__all__ = ["FINDING_COLUMNS", "explain_difference", "reconcile_totals", "reconcile_plan", "findings",
           "action_comparison"]

FINDING_COLUMNS = ["check", "scope", "measure", "stated", "computed", "difference", "result", "rows",
                   "explanation"]

# --------------------------------------------------------------------------- budget against its total row


def _digits(x: float) -> str:
    x = round(float(x), 2)
    return str(int(x)) if x.is_integer() else f"{x:.2f}".rstrip("0")


def _one_edit(a: str, b: str) -> bool:
    """True when b is a one-keystroke typo of a: one digit replaced, added or dropped, or two
    neighbouring digits swapped."""
    if a == b:
        return False
    la, lb = len(a), len(b)
    if la == lb:
        diff = [i for i in range(la) if a[i] != b[i]]
        if len(diff) == 1:
            return True
        return len(diff) == 2 and diff[1] == diff[0] + 1 and a[diff[0]] == b[diff[1]] and a[diff[1]] == b[diff[0]]
    if abs(la - lb) == 1:
        s, t = (a, b) if la < lb else (b, a)
        return any(t[:i] + t[i + 1:] == s for i in range(len(t)))
    return False


def explain_difference(values: pd.Series, difference: float, *, file: str,
                       groups: Mapping[str, Sequence[int]] | None = None, max_rows: int = 8) -> tuple[list[int], str]:
    """Which rows could explain ``difference = sum(values) − stated``; returns (rows, Dutch text).

    Tried in this order, all reported: (1) a named group of rows (e.g. the additional actions)
    whose sum is exactly the difference; (2) a single row whose amount is exactly the difference
    (counted although it should not be, or counted twice); (3) an empty cell that, filled with the
    difference, closes the gap; (4) rows where amount − difference is a one-keystroke typo of the
    amount (one digit changed, added or dropped, two digits swapped) — candidates, not proof.
    When nothing fits, the text says so.
    """
    vals = values.astype("float64")
    tol = 0.005
    parts: list[str] = []
    named: list[int] = []
    for label, rows in (groups or {}).items():
        rows = [r for r in rows if r in vals.index]
        if rows and abs(vals.loc[rows].fillna(0).sum() - difference) < tol:
            named += rows
            parts.append(f"het verschil is precies de som van {label} ({rows_text(file, rows)}: "
                         + " + ".join(amount_text(vals.loc[r]) for r in rows) + ")")
    exact = [int(r) for r, v in vals.items() if difference > 0 and not math.isnan(v) and abs(v - difference) < tol]
    if exact:
        named += exact
        parts.append(f"het bedrag van {rows_text(file, exact[:max_rows])} is precies het verschil "
                     "(in de som opgenomen terwijl het er niet bij hoort, of dubbel geteld?)")
    empty = [int(r) for r, v in vals.items() if math.isnan(v)] if difference < 0 else []
    if empty:
        named += empty[:max_rows]
        parts.append(f"{rows_text(file, empty[:max_rows])} {'is' if len(empty) == 1 else 'zijn'} leeg; "
                     f"met {amount_text(-difference)} in één ervan zou het totaal kloppen"
                     + (f" (en nog {len(empty) - max_rows} lege cellen)" if len(empty) > max_rows else ""))
    typo = []
    for r, v in vals.items():
        if math.isnan(v):
            continue
        corrected = v - difference
        if corrected < 0 or abs(corrected - v) < tol:
            continue
        if _one_edit(_digits(v), _digits(corrected)):
            typo.append((int(r), v, corrected))
    typo = [t for t in typo if t[0] not in named]
    if typo:
        shown = typo[:max_rows]
        named += [t[0] for t in shown]
        parts.append("mogelijk een tikfout in " + "; ".join(
            f"rij {r} ({amount_text(v)}; met {amount_text(c)} zou het totaal kloppen)" for r, v, c in shown)
            + (f" en nog {len(typo) - max_rows} rijen" if len(typo) > max_rows else ""))
    if not parts:
        return [], ("geen enkele rij of vaste groep rijen verklaart het verschil op zich; "
                    "controleer de rijen van deze kolom tegen de bron")
    return sorted(dict.fromkeys(named)), "; ".join(parts)


def reconcile_totals(budget: pd.DataFrame, stated: Mapping[str, float], *, file: str | None = None,
                     tolerance: float = 0.005) -> pd.DataFrame:
    """Each column sum against the total row stated in the source (``stated``: column -> amount).

    One row per column (result ``ok`` or ``mismatch``, with the rows that explain a difference),
    plus one ``note`` row saying whether the additional (bijkomend) actions are part of the total.
    """
    file = file or budget.attrs.get("source", {}).get("file") or "begroting"
    add_rows = [int(r) for r in budget.index[budget["additional"]]] if "additional" in budget else []
    out = []
    wrong = [col for col, value in stated.items() if not math.isfinite(parse_number(value))]
    if wrong:
        raise DataError(f"in de parameter 'budget_totals' per kolom een bedrag (een getal); geen bedrag bij: "
                        f"{', '.join(map(str, wrong))}")
    stated = {col: parse_number(value) for col, value in stated.items()}
    for col, value in stated.items():
        if col not in budget.columns:
            raise DataError(Problem(file, None, col, None, "de kolom waarvoor een totaal opgegeven is"))
        computed = float(budget[col].fillna(0).sum())
        diff = computed - float(value)
        if abs(diff) < tolerance:
            out.append(dict(check="stated_total", scope="Totaal", measure=col, stated=float(value),
                            computed=computed, difference=0.0, result="ok", rows="",
                            explanation="de som van alle rijen is gelijk aan de totaalrij van de bron"))
            continue
        groups = {"de bijkomende acties": add_rows} if add_rows else {}
        rows, why = explain_difference(budget[col], diff, file=file, groups=groups)
        out.append(dict(check="stated_total", scope="Totaal", measure=col, stated=float(value),
                        computed=computed, difference=diff, result="mismatch",
                        rows=rows_text(file, rows),
                        explanation=f"de som van de rijen is {amount_text(computed)}, de bron vermeldt "
                                    f"{amount_text(value)} (verschil {amount_text(diff)}): {why}"))
    if add_rows:
        for col, value in stated.items():
            if col not in ("spent_eur", "planned_eur") or col not in budget.columns:
                continue
            amount = float(budget.loc[add_rows, col].fillna(0).sum())
            if amount == 0:
                continue
            total = float(budget[col].fillna(0).sum())
            n = len(add_rows)
            if abs(total - float(value)) < tolerance:
                why = (f"de {n} bijkomende acties (samen {amount_text(amount)}) zitten in het totaal van de bron; "
                       f"zonder hen zou het {amount_text(total - amount)} zijn")
            elif abs(total - amount - float(value)) < tolerance:
                why = (f"het totaal van de bron ({amount_text(value)}) is de som zonder de {n} bijkomende acties "
                       f"(samen {amount_text(amount)}): zij zitten niet in het totaal van de bron")
            else:
                why = (f"het totaal van de bron ({amount_text(value)}) klopt noch met ({amount_text(total)}) noch "
                       f"zonder ({amount_text(total - amount)}) de {n} bijkomende acties")
            out.append(dict(check="additional_in_total", scope="Bijkomend", measure=col, stated=float(value),
                            computed=total - amount, difference=amount, result="note",
                            rows=rows_text(file, add_rows), explanation=why))
    return pd.DataFrame(out, columns=FINDING_COLUMNS)


# --------------------------------------------------------------------------- action plan against itself


def _note_amounts(note: Any) -> list[float]:
    """Euro amounts written in a free-text note (``€10.000,00 digitaliseren`` -> [10000.0])."""
    if not isinstance(note, str):
        return []
    out = []
    for m in re.finditer(r"€\s*([\d.]+(?:,\d+)?)", note):
        x = parse_number(m.group(1))
        if not math.isnan(x):
            out.append(x)
    return out


def _compare(check, scope, measure, stated, computed, rows, explanation_ok, explanation_bad, *,
             values=None, file="", tol=0.005, extra_rows=None):
    diff = computed - stated
    if abs(diff) < tol:
        return dict(check=check, scope=scope, measure=measure, stated=stated, computed=computed, difference=0.0,
                    result="ok", rows=rows, explanation=explanation_ok)
    why = ""
    if values is not None:
        _, why = explain_difference(values, diff, file=file)
        why = ": " + why
    return dict(check=check, scope=scope, measure=measure, stated=stated, computed=computed, difference=diff,
                result="mismatch", rows=rows,
                explanation=f"{explanation_bad} {amount_text(computed)} tegenover {amount_text(stated)} "
                            f"(verschil {amount_text(diff)}){why}")


def reconcile_plan(planning: pd.DataFrame, totals: pd.DataFrame, actions: pd.DataFrame | None = None, *,
                   section_groups: Mapping[str, Sequence[str]] | None = None,
                   subsection_groups: Mapping[str, str] | None = None,
                   measures: Sequence[str] = ("days", "budget_eur")) -> pd.DataFrame:
    """Reconcile an action plan with itself, one row per comparison (result ok / explained /
    mismatch / note), for workdays and budget:

    * each group row of the planning against the sum of its actions (empty cells count as 0 and are
      named), the total row against the group rows and against all actions;
    * each section total of the text (``actions`` rows with ``row_type == section_total``) against
      the planning groups it covers (``section_groups``: section -> group names) and against the
      sum of the section's own action tables (amounts written in the budget note, such as
      "€10.000,00 digitaliseren", are shown as the explanation when they close the gap);
    * each planning action against the same action in the section tables (``subsection_groups``:
      table section -> planning group; actions are paired in order), so that one action stated
      differently in two places is a finding of its own.
    """
    pf = planning.attrs.get("source", {}).get("file", "planning")
    tf = totals.attrs.get("source", {}).get("file", "totalen")
    out = []
    groups = list(dict.fromkeys(planning["group"]))
    grow = totals[totals["row_type"].str.lower() == "group"]
    trow = totals[totals["row_type"].str.lower() == "total"]
    for m in measures:
        for g in groups:
            sub = planning[planning["group"] == g]
            stated = grow[grow["group"] == g]
            if stated.empty:
                out.append(dict(check="group_vs_actions", scope=g, measure=m, stated=np.nan,
                                computed=float(sub[m].fillna(0).sum()), difference=np.nan, result="mismatch",
                                rows=rows_text(pf, sub.index),
                                explanation=f"de groep '{g}' heeft geen groepsrij in {tf}"))
                continue
            empty = [int(r) for r in sub.index[sub[m].isna()]]
            note = (f"; lege cel als 0 geteld: {rows_text(pf, empty)}" if empty else "")
            out.append(_compare(
                "group_vs_actions", g, m, float(stated[m].iloc[0]), float(sub[m].fillna(0).sum()),
                f"{rows_text(tf, stated.index)}; {rows_text(pf, sub.index)}",
                "de groepsrij is gelijk aan de som van haar acties" + note,
                f"de acties van deze groep ({rows_text(pf, sub.index)}) tellen op tot",
                values=sub[m], file=pf))
        for g in set(grow["group"]) - set(groups):
            r = grow[grow["group"] == g]
            out.append(dict(check="group_vs_actions", scope=g, measure=m, stated=float(r[m].iloc[0]),
                            computed=np.nan, difference=np.nan, result="mismatch", rows=rows_text(tf, r.index),
                            explanation=f"groepsrij '{g}' zonder acties in {pf}"))
        if not trow.empty:
            stated = float(trow[m].iloc[0])
            out.append(_compare("total_vs_groups", "Totaal", m, stated, float(grow[m].fillna(0).sum()),
                                rows_text(tf, list(grow.index) + list(trow.index)),
                                "de totaalrij is gelijk aan de som van de groepsrijen",
                                "de groepsrijen tellen op tot", values=grow[m], file=tf))
            out.append(_compare("total_vs_actions", "Totaal", m, stated, float(planning[m].fillna(0).sum()),
                                rows_text(tf, trow.index), "de totaalrij is gelijk aan de som van alle acties",
                                "alle acties samen tellen op tot", values=planning[m], file=pf))
    if actions is not None:
        out += _reconcile_sections(planning, grow, actions, section_groups or {}, subsection_groups or {},
                                   measures, pf, tf)
    return pd.DataFrame(out, columns=FINDING_COLUMNS)


def _reconcile_sections(planning, grow, actions, section_groups, subsection_groups, measures, pf, tf):
    af = actions.attrs.get("source", {}).get("file", "acties")
    out = []
    sec = actions[actions["row_type"].str.lower() == "section_total"]
    act = actions[actions["row_type"].str.lower() == "action"]
    for _, s in sec.iterrows():
        key = str(s["section"])
        srow = rows_text(af, [s.name])
        names = list(section_groups.get(key, []))
        tables = act[act["section"].astype(str).str.startswith(key + ".")]
        if not names and tables.empty:
            out.append(dict(check="section_not_planned", scope=key, measure="", stated=np.nan, computed=np.nan,
                            difference=np.nan, result="note", rows=srow,
                            explanation=f"sectie {key} ({amount_text(s['days'])} werkdagen, "
                                        f"{amount_text(s['budget_eur'])} euro) heeft geen groep in de planning "
                                        "en geen actietabel; niets om mee te vergelijken"))
            continue
        for m in measures:
            stated = float(s[m])
            if names:
                g = grow[grow["group"].isin(names)]
                missing = [n for n in names if n not in set(grow["group"])]
                label = " + ".join(f"'{n}'" for n in names)
                if missing:
                    out.append(dict(check="section_vs_groups", scope=key, measure=m, stated=stated, computed=np.nan,
                                    difference=np.nan, result="mismatch", rows=srow,
                                    explanation=f"groep(en) {', '.join(missing)} niet gevonden in {tf}"))
                else:
                    out.append(_compare("section_vs_groups", key, m, stated, float(g[m].fillna(0).sum()),
                                        f"{srow}; {rows_text(tf, g.index)}",
                                        f"het sectietotaal is gelijk aan de groepsrij(en) {label} van de planning",
                                        f"de groepsrij(en) {label} tellen op tot", values=g[m], file=tf))
                    p = planning[planning["group"].isin(names)]
                    out.append(_compare("section_vs_actions", key, m, stated, float(p[m].fillna(0).sum()),
                                        f"{srow}; {rows_text(pf, p.index)}",
                                        f"het sectietotaal is gelijk aan de som van de acties van {label}",
                                        f"de acties van {label} in de planning tellen op tot", values=p[m], file=pf))
            if not tables.empty:
                computed = float(tables[m].fillna(0).sum())
                rows = f"{srow}; {rows_text(af, tables.index)}"
                res = _compare("section_vs_table", key, m, stated, computed, rows,
                               f"het sectietotaal is gelijk aan de som van de actietabellen {key}.x",
                               f"de actietabellen {key}.x tellen op tot", values=tables[m], file=af)
                if res["result"] == "mismatch" and m == "budget_eur":
                    extra = {int(r): _note_amounts(n) for r, n in tables.get("note", pd.Series(dtype=object)).items()}
                    extra = {r: a for r, a in extra.items() if a}
                    amount = sum(sum(a) for a in extra.values())
                    if extra and abs(computed + amount - stated) < 0.005:
                        res["result"] = "explained"
                        res["explanation"] = (
                            f"de actietabellen {key}.x tellen op tot {amount_text(computed)} tegenover "
                            f"{amount_text(stated)}; het verschil ({amount_text(stated - computed)}) is het bedrag "
                            "dat in de toelichting van de budgetcel staat ("
                            + "; ".join(f"rij {r}: '{tables.loc[r, 'note']}'" for r in extra)
                            + "). Met dat bedrag erbij klopt het sectietotaal.")
                out.append(res)
    for sub_key, group in subsection_groups.items():
        t = act[act["section"].astype(str) == str(sub_key)]
        p = planning[planning["group"] == group]
        if len(t) != len(p):
            out.append(dict(check="action_vs_section_table", scope=f"{sub_key} / {group}", measure="",
                            stated=float(len(t)), computed=float(len(p)), difference=float(len(p) - len(t)),
                            result="mismatch", rows=f"{rows_text(af, t.index)}; {rows_text(pf, p.index)}",
                            explanation=f"tabel {sub_key} heeft {len(t)} acties, planningsgroep '{group}' "
                                        f"{len(p)}; de acties kunnen niet één op één vergeleken worden"))
            continue
        for (tr, ta), (pr, pa) in zip(t.iterrows(), p.iterrows()):
            for m in measures:
                a_val, p_val = ta[m], pa[m]
                rows = f"{rows_text(pf, [pr])}; {rows_text(af, [tr])}"
                scope = f"{pa['action']} ({sub_key}: {ta['action_title']})"
                notes = _note_amounts(ta.get("note")) if m == "budget_eur" else []
                if pd.isna(p_val) and not pd.isna(a_val):
                    out.append(dict(check="action_vs_section_table", scope=scope, measure=m, stated=float(a_val),
                                    computed=np.nan, difference=np.nan, result="note", rows=rows,
                                    explanation=f"leeg in de planning, {amount_text(a_val)} in tabel {sub_key}"
                                                " (als 0 geteld)" if a_val == 0 else
                                                f"leeg in de planning, {amount_text(a_val)} in tabel {sub_key}"))
                    continue
                p_num = 0.0 if pd.isna(p_val) else float(p_val)
                a_num = 0.0 if pd.isna(a_val) else float(a_val)
                if abs(p_num - a_num) < 0.005:
                    out.append(dict(check="action_vs_section_table", scope=scope, measure=m, stated=a_num,
                                    computed=p_num, difference=0.0, result="ok", rows=rows,
                                    explanation="zelfde waarde in de planning en in de sectietabel"))
                elif notes and abs(a_num + sum(notes) - p_num) < 0.005:
                    out.append(dict(check="action_vs_section_table", scope=scope, measure=m, stated=a_num,
                                    computed=p_num, difference=p_num - a_num, result="explained", rows=rows,
                                    explanation=(
                                        f"dezelfde actie staat op twee plaatsen anders: {amount_text(p_num)} in de "
                                        f"planning, {amount_text(a_num)} + " + " + ".join(amount_text(x) for x in notes)
                                        + f" in tabel {sub_key} ('{ta['raw_werkdruk_budget'] if 'raw_werkdruk_budget' in ta else ta['note']}'). "
                                        "Samen is het hetzelfde bedrag; de planning toont één bedrag, de "
                                        "sectietabel splitst het op")))
                else:
                    out.append(dict(check="action_vs_section_table", scope=scope, measure=m, stated=a_num,
                                    computed=p_num, difference=p_num - a_num, result="mismatch", rows=rows,
                                    explanation=f"de planning ({rows_text(pf, [pr])}) vermeldt {amount_text(p_num)}, "
                                                f"tabel {sub_key} ({rows_text(af, [tr])}) {amount_text(a_num)}"))
    return out


def findings(*checks: pd.DataFrame) -> pd.DataFrame:
    """Every comparison that is not simply ``ok``: mismatches first, then explained differences,
    then notes. An empty result means every check closed."""
    frames = [c for c in checks if c is not None and not c.empty]
    if not frames:
        return pd.DataFrame(columns=FINDING_COLUMNS)
    df = pd.concat(frames, ignore_index=True)
    df = df[df["result"] != "ok"].copy()
    order = {"mismatch": 0, "explained": 1, "note": 2}
    return df.sort_values("result", key=lambda s: s.map(order), kind="stable").reset_index(drop=True)


def action_comparison(recon: pd.DataFrame) -> pd.DataFrame:
    """The action-by-action comparisons of :func:`reconcile_plan` (``action_vs_section_table``)
    with explicit sides: ``planning`` (the value in the planning table) and ``section_text`` (the
    value in the action table of the section text), ``difference = planning − section_text``.

    In the reconciliation frame these are ``computed`` and ``stated``; a generic "stated / computed"
    header put the section text's €7.000 of "Extra verdieping" under "stated" although the plan's
    planning states €17.000, so the report shows this frame instead.
    """
    sel = recon[(recon["check"] == "action_vs_section_table") & (recon["measure"].astype(str) != "")]
    return pd.DataFrame({
        "scope": sel["scope"].to_numpy(), "measure": sel["measure"].to_numpy(),
        "planning": sel["computed"].to_numpy(float), "section_text": sel["stated"].to_numpy(float),
        "difference": (sel["computed"] - sel["stated"]).to_numpy(float),
        "result": sel["result"].to_numpy(), "rows": sel["rows"].to_numpy(),
        "explanation": sel["explanation"].to_numpy()})
