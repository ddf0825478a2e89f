"""Published conclusions checked against the survey, with their Dutch verdicts, and the Dutch
sentences of the report that depend on the results.

:func:`claims_check` estimates each claim's share with its design-based interval and judges the
claim from that interval (supported / not supported / undecided); :data:`VERDICTS_NL` gives the
verdicts' wording for the reader, :data:`VERDICT_CLASSES` their table colours. The ``*_nl``
functions write the report's sentences (summary of the verdicts, the tested rule of each claim,
the effect of an alternative coding, the response and the multiple-testing paragraphs, weighted or
unweighted). A study's own words (units, headings, its design paragraph) are :data:`TEXTS`, which
its ``texts`` parameter overrides (:func:`study_texts`); a section that does not apply to a study
is replaced by the one sentence of :func:`skipped`. Reference tests: ``tests/test_likert.py``,
``tests/test_survey_reporting.py`` (closed forms), ``tests/test_survey_narrative.py`` (wording rules
on small inputs) and ``tests/test_survey_speed.py`` (the batched estimates against one estimate per claim).

Values from the data or the parameters that enter a Markdown sentence (the study, the organisation, a
claim's wording) go through :func:`evaluatie.core.fmt.literal`; so do the ``texts`` that are labels
(:data:`LABEL_KEYS`: units, headings, captions) wherever they enter Markdown, while the other
``texts`` are the study's own prose, in Markdown. Alt texts and table captions are plain text and
take labels as they are.
"""

from __future__ import annotations

from typing import Any, Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

from evaluatie.analyses.survey.responses import dont_know_column
from evaluatie.analyses.survey.weighted import ICC, Variance, round_weighted, table_variance
from evaluatie.core import fmt
from evaluatie.core.errors import DataError, Problem, private
from evaluatie.publish.disclosure import mark, suppressed_mask
from evaluatie.publish.glossary import with_definitions
from evaluatie.stats.survey import SurveyDesign

__all__ = ["VERDICTS_NL", "VERDICT_CLASSES", "claims_check", "claims_summary_nl", "claim_rules_nl",
           "alternative_codings", "coding_flips_nl", "response_nl", "breakdown_intro_nl", "likert_alt_nl",
           "bars_alt_nl", "TEXTS", "DONT_KNOW_RULE", "top2_intro_nl", "CLAIMS_NOT_EVIDENCE", "PLAN_TEXT", "study_texts", "skipped", "subtitle", "top2_caption", "weights_nl", "weighting_note",
           "method_nl", "gvf_nl", "r_differences_nl", "sample_design_nl", "open_answers_nl", "conf_pct",
           "GLOSSARY_EXTRA", "glossary_terms"]

VERDICTS_NL = {"supported": "ondersteund", "not_supported": "niet ondersteund",
               "undecided": "onbeslist (interval overlapt de grens)", "no_data": "geen gegevens"}
VERDICT_CLASSES = {VERDICTS_NL["supported"]: "ev-good", VERDICTS_NL["not_supported"]: "ev-bad",
                   VERDICTS_NL["undecided"]: "ev-warn"}
OPS_NL = {">=": "≥", ">": ">", "<=": "≤", "<": "<", "~": "≈"}
_OPS = (">=", ">", "<=", "<", "~")


#: The confidence level as the reader reads it: ``0.95`` -> ``95%``, ``0.975`` -> ``97,5%``.
conf_pct = fmt.conf_level


def _verdict(op: str, v: float, tol: float, lo: float, hi: float) -> str:
    """The verdict of one claim from its interval ``[lo, hi]`` (see :func:`claims_check`)."""
    if op in (">=", ">"):
        above = lo >= v if op == ">=" else lo > v
        below = hi < v if op == ">=" else hi <= v
        return "supported" if above else "not_supported" if below else "undecided"
    if op in ("<=", "<"):
        below = hi <= v if op == "<=" else hi < v
        above = lo > v if op == "<=" else lo >= v
        return "supported" if below else "not_supported" if above else "undecided"
    inside = lo >= v - tol and hi <= v + tol
    outside = hi < v - tol or lo > v + tol
    return "supported" if inside else "not_supported" if outside else "undecided"


def _judge(res: pd.DataFrame, op: str, v: float, tol: float, threshold: int, withheld: bool = False) -> tuple:
    """``(estimate, ci_low, ci_high, n, verdict)`` of a one-row estimator result; ``no_data`` when
    the base is below ``threshold`` or the claim's domain is a ``withheld`` group (the caller
    withholds the row's numbers)."""
    n = int(res["n"].iloc[0]) if not res.empty else 0
    if res.empty or n < threshold or withheld:
        return np.nan, np.nan, np.nan, n, "no_data"
    r = res.iloc[0]
    est, lo, hi = float(r["estimate"]), float(r["ci_low"]), float(r["ci_high"])
    return est, lo, hi, n, _verdict(op, v, tol, lo, hi)


#: the numbers of a claim's row that rest on its base: withheld when the claim has no data
_CLAIM_NUMBERS = ("estimate", "ci_low", "ci_high", "n", "dk_n", "alt_estimate", "alt_ci_low", "alt_ci_high")


def claims_check(design: SurveyDesign, claims: Sequence[Mapping[str, Any]], *, ci: str = "logit",
                 conf: float = 0.95, threshold: int = 5, withheld: Mapping[str, Any] | None = None,
                 withheld_claims: Iterable = (), variance: Variance | None = None) -> pd.DataFrame:
    """Check published headline claims against the data, with uncertainty.

    Each claim is a mapping ``{id, text_nl, variable, levels, op, value}`` (optional
    ``tolerance`` for ``op: "~"``, default 0.05, and ``domain: {column: value}`` to restrict the
    claim to a domain). The estimate is the design-based share of ``levels`` (a level or a list of
    levels) of ``variable`` among respondents with a substantive answer, with its ``ci`` interval:
    'weet niet / n.v.t.' is out of the base, as everywhere in the report (the data's ``<variable>_dk``
    column, :func:`~evaluatie.analyses.survey.responses.dont_know_column`), and ``dk_n`` says how
    many gave it (in the claim's domain; missing when the variable has no don't-know column).

    Verdicts: for ``>=``/``>`` the claim is *supported* when the whole interval lies above the
    value (``ci_low >= value``, resp. ``>``), *not supported* when the whole interval lies below,
    and *undecided* when the interval straddles the value; ``<=``/``<`` mirrored. ``~`` ("about
    9 in 10"): supported when the interval lies within ``value +/- tolerance``, not supported when
    it lies entirely outside that band, undecided otherwise. A base below ``threshold``, or a
    ``domain`` whose group the report withholds (``withheld``: ``{column: groups}``, from
    :func:`~evaluatie.analyses.survey.statistics.decide_withheld`), or a claim whose id is in
    ``withheld_claims`` (its weighted domain share would give a weight class back:
    :func:`~evaluatie.analyses.survey.weighted.withheld_shares`), gives ``no_data``; the row's
    estimates, intervals and base are then withheld (:func:`evaluatie.publish.disclosure.mark`). In
    a design whose weights vary the estimates and intervals are published at the report's precision
    (:func:`~evaluatie.analyses.survey.weighted.round_weighted`: the interval around the rounded
    estimate); the verdicts are judged on the unrounded interval. With a generalised ``variance``
    (the report's, :func:`~evaluatie.analyses.survey.weighted.report_variance`; default: decided for
    the claims alone) the interval, and the verdict on it, come from the published share, its base
    and the report's design effect: an exact interval behind the verdict would be one more equation
    in the answers.

    Coding: the result says which levels were counted (``levels``) and which answered levels of
    the variable were not (``other_levels``, e.g. ``deels+nee`` for "target reached" coded as
    ``ja`` only), plus the claim's own ``coding_nl`` text if it has one. A claim with
    ``alt_levels`` is also judged under that alternative coding (e.g. ``[ja, deels]``: "partly
    reached" counts as reached): columns ``alt_levels``, ``alt_estimate``, ``alt_ci_low``,
    ``alt_ci_high``, ``alt_verdict``, ``alt_verdict_nl`` (always present; empty strings and NaN for
    claims without one). No claims give an empty frame with these columns.
    """
    rows, hidden = [], []
    withheld = withheld or {}
    withheld_claims = {str(x) for x in withheld_claims}
    batched = _claims_batch(design, claims, ci, conf)
    variance = table_variance(design, variance, threshold,
                              list(dict.fromkeys(col for c in claims for col in dict(c.get("domain") or {}))),
                              list(dict.fromkeys(c["variable"] for c in claims if "variable" in c)))
    for i, c in enumerate(claims):
        missing = [k for k in ("id", "variable", "levels", "op", "value") if k not in c]
        if missing:
            raise ValueError(f"claim {c.get('id', '?')}: missing keys {missing}")
        op, v = c["op"], float(c["value"])
        if op not in _OPS:
            raise ValueError(f"claim {c['id']}: op must be one of {_OPS}")
        tol = float(c.get("tolerance", 0.05))
        answered = design.levels(c["variable"])
        levels = _match_levels(design, c["id"], c["variable"], c["levels"], answered)

        def estimate(lv, use_batch):
            if c.get("domain"):
                (dcol, dval), = dict(c["domain"]).items()
                res = design.by(dcol).proportion(c["variable"], lv, ci=ci, conf=conf)
                return res[res[dcol].astype(str) == str(dval)]
            if use_batch and i in batched:
                return batched[i]
            return design.proportion(c["variable"], lv, ci=ci, conf=conf)

        in_withheld = any(str(g) in {str(x) for x in withheld.get(col, ())}
                          for col, g in dict(c.get("domain") or {}).items()) or str(c["id"]) in withheld_claims
        def judged(res):
            """The verdict on the unrounded interval (generalised variance: on the published one);
            the numbers as published (weighted: rounded, the interval around the rounded share)."""
            pub = round_weighted(res, design, ci=ci, conf=conf, variance=variance) if len(res) else res
            est, lo, hi, n, verdict = _judge(pub if variance.generalised else res, op, v, tol, threshold, in_withheld)
            if verdict != "no_data":
                est, lo, hi = (float(pub[c].iloc[0]) for c in ("estimate", "ci_low", "ci_high"))
            return est, lo, hi, n, verdict

        est, lo, hi, n, verdict = judged(estimate(levels, True))
        dk_n = _dont_know_count(design.data, c["variable"], c.get("domain"))
        row = {"id": c["id"], "text_nl": c.get("text_nl", ""), "variable": c["variable"],
               "levels": "+".join(_level_text(x) for x in levels),
               "other_levels": "+".join(_level_text(x) for x in answered if x not in levels),
               "coding_nl": c.get("coding_nl", ""), "op": op, "value": v,
               "tolerance": tol if op == "~" else np.nan,
               "estimate": est, "ci_low": lo, "ci_high": hi, "n": n, "dk_n": dk_n, "method": ci,
               "verdict": verdict, "verdict_nl": VERDICTS_NL[verdict]}
        row.update({"alt_levels": "", "alt_estimate": np.nan, "alt_ci_low": np.nan, "alt_ci_high": np.nan,
                    "alt_verdict": "", "alt_verdict_nl": ""})
        if c.get("alt_levels") is not None:
            alt = _match_levels(design, c["id"], c["variable"], c["alt_levels"], answered)
            a_est, a_lo, a_hi, _, a_verdict = judged(estimate(alt, False))
            row.update({"alt_levels": "+".join(_level_text(x) for x in alt), "alt_estimate": a_est,
                        "alt_ci_low": a_lo, "alt_ci_high": a_hi, "alt_verdict": a_verdict,
                        "alt_verdict_nl": VERDICTS_NL[a_verdict]})
        rows.append(row)
        hidden.append(verdict == "no_data")
    out = pd.DataFrame(rows, columns=_CLAIM_COLUMNS)
    out["dk_n"] = out["dk_n"].astype("Int64")
    cells = pd.DataFrame(False, index=out.index, columns=out.columns)
    for c in _CLAIM_NUMBERS:
        cells[c] = np.asarray(hidden, dtype=bool)
    return mark(out, cells, threshold)


def _dont_know_count(data: pd.DataFrame, variable: str, domain: Mapping | None) -> float:
    """How many answered 'weet niet / n.v.t.' to ``variable`` (in the claim's ``domain``); NaN when
    the variable has no don't-know column."""
    col = dont_know_column(data, variable)
    if col is None:
        return np.nan
    dk = data[col].fillna(False).to_numpy(dtype=bool)
    for dcol, dval in dict(domain or {}).items():
        dk &= (data[dcol].astype(str) == str(dval)).to_numpy()
    return float(dk.sum())


def _number(x) -> float | None:
    if isinstance(x, bool):
        return None
    if isinstance(x, (int, float, np.integer, np.floating)):
        return float(x)
    try:
        return float(str(x).strip().replace(",", "."))
    except ValueError:
        return None


def _same_level(found, wanted) -> bool:
    """A claim's level against a level in the data: numbers as numbers (``1`` is ``1.0`` and "1"),
    text case-insensitively with surrounding whitespace trimmed ("ja" is " Ja ")."""
    if isinstance(wanted, str) and isinstance(found, str):
        return found.strip().casefold() == wanted.strip().casefold()
    a, b = _number(found), _number(wanted)
    return a is not None and b is not None and a == b


def _level_text(x) -> str:
    """A level as the data has it, for the reader: 1.0 read from a numeric column is "1"."""
    if isinstance(x, (float, np.floating)) and float(x).is_integer():
        return str(int(x))
    return str(x)


def _match_levels(design: SurveyDesign, claim: Any, variable: str, levels: Any, answered: Sequence) -> list:
    """The levels of a claim (one level or a list) as the data has them (:func:`_same_level`). A
    level that matches no answer is a :class:`DataError` naming the claim and the column; the levels
    found go to the terminal only (they are the data's content)."""
    wanted = list(levels) if isinstance(levels, (list, tuple, set)) else [levels]
    out, unknown = [], []
    for x in wanted:
        hits = [a for a in answered if _same_level(a, x)]
        out += [h for h in hits if h not in out]
        if not hits:
            unknown.append(x)
    if unknown:
        shown = ", ".join(repr(x) for x in unknown)
        raise DataError(Problem(design.file, None, variable, None,
                                f"een antwoord {shown} voor conclusie '{claim}' (parameter claims, levels); "
                                f"dat komt in de kolom niet voor. Gevonden: "
                                f"{private(', '.join(_level_text(a) for a in answered))}"))
    return out


_CLAIM_COLUMNS = ["id", "text_nl", "variable", "levels", "other_levels", "coding_nl", "op", "value", "tolerance",
                  "estimate", "ci_low", "ci_high", "n", "dk_n", "method", "verdict", "verdict_nl", "alt_levels", "alt_estimate",
                  "alt_ci_low", "alt_ci_high", "alt_verdict", "alt_verdict_nl"]


def _claims_batch(design: SurveyDesign, claims, ci: str, conf: float) -> dict:
    """The estimates of the claims without a domain, one estimator call per set of levels
    (instead of one per claim): ``{claim index: one-row frame}``, the same numbers as the call
    per claim. Empty when anything is off (a missing key, an unknown variable...): the claims
    are then estimated one by one, which raises the error of the first claim at fault."""
    groups: dict[tuple, list[int]] = {}
    try:
        for i, c in enumerate(claims):
            if c.get("domain") or "variable" not in c or "levels" not in c:
                continue
            sel = tuple(_match_levels(design, c.get("id"), c["variable"], c["levels"], design.levels(c["variable"])))
            groups.setdefault(sel, []).append(i)
        out = {}
        for sel, idx in groups.items():
            if len(idx) < 2:
                continue
            res = design.proportion([claims[i]["variable"] for i in idx], list(sel), ci=ci, conf=conf)
            if len(res) != len(idx):
                return {}
            for k, i in enumerate(idx):
                out[i] = res.iloc[[k]].reset_index(drop=True)
        return out
    except Exception:  # noqa: BLE001 - fall back to the claim-by-claim path and its own error
        return {}


# --------------------------------------------------------------------------- report sentences

def claims_summary_nl(cc: pd.DataFrame, *, conf: float, n_pop: float | None, n_analysed: int,
                      texts: Mapping[str, str] | None = None, sampled: bool = False) -> str:
    """The opening sentence: how many claims of :func:`claims_check` are supported, not supported
    or undecided, and what the estimates rest on: the frame's ``n_pop`` units (weighted), or with
    ``n_pop`` None the weights of the sample design (``sampled``) or the respondents alone
    (unweighted); the units are named by ``texts`` (:func:`study_texts`)."""
    t = _in_prose(study_texts(texts))
    counts = cc["verdict"].value_counts()
    basis = (f"Alle schattingen zijn gewogen naar het populatiekader van {fmt.num(n_pop)} {t['frame_units']}; "
             f"ze steunen op {fmt.num(n_analysed)} {t['respondents']}." if n_pop is not None else
             f"De schattingen zijn gewogen met de gewichten van het steekproefontwerp; ze steunen op "
             f"{fmt.num(n_analysed)} {t['respondents']}." if sampled else
             f"De schattingen zijn ongewogen; ze steunen op {fmt.num(n_analysed)} {t['respondents']}.")
    return (f"Van de {len(cc)} gepubliceerde conclusies die hier getoetst worden, zijn er "
            f"**{counts.get('supported', 0)} ondersteund** door de gegevens, {counts.get('not_supported', 0)} niet ondersteund "
            f"en {counts.get('undecided', 0)} onbeslist (het {conf_pct(conf)}-betrouwbaarheidsinterval overlapt de grens). "
            + basis)


def claim_rules_nl(cc: pd.DataFrame) -> pd.DataFrame:
    """``cc`` with two columns for the reader: ``claim_rule`` (the tested bound, e.g. ``> 50%`` or
    ``≈ 90% (± 5 procentpunt)``) and ``coding`` (the claim's ``coding_nl``, or else the counted
    and not-counted levels)."""
    out = cc.copy()
    out["claim_rule"] = [f"{OPS_NL[o]} {fmt.prop(v, 0)}" + (f" (± {fmt.num(t * 100, 0)} procentpunt)" if o == "~" else "")
                         for o, v, t in zip(cc["op"], cc["value"], cc["tolerance"])]
    out["coding"] = [c if c else f"'{lv}' (niet: {ot.replace('+', ', ')})"
                     for c, lv, ot in zip(cc["coding_nl"], cc["levels"], cc["other_levels"])]
    return out


def alternative_codings(cc: pd.DataFrame) -> pd.DataFrame:
    """The claims of :func:`claims_check` that were also judged under ``alt_levels`` (empty frame
    when there are none), with the cells :func:`claims_check` withheld still withheld."""
    keep = (cc["alt_levels"] != "").to_numpy()
    cells = suppressed_mask(cc)
    return mark(cc[keep].reset_index(drop=True), cells[keep].reset_index(drop=True),
                cc.attrs["suppression_threshold"])


def coding_flips_nl(alt: pd.DataFrame) -> str:
    """The paragraph on target claims coded 'ja' only: which verdicts change when 'deels' counts
    as reached (the rows of :func:`alternative_codings` whose ``alt_verdict`` differs)."""
    flips = alt[alt["alt_verdict"] != alt["verdict"]]
    return ("**Streefcijfers: 'deels' telt als niet behaald.** Op de vraag of het streefcijfer behaald werd, kon een organisatie "
            "'ja', 'deels' of 'nee' antwoorden (zie de verdeling bij *Streefcijfers per kansengroep*). De conclusies hierboven tellen "
            "enkel 'ja' als behaald. Tellen we 'deels' mee als behaald, dan "
            + ("verandert het oordeel over " + "; ".join(f"«{fmt.literal(t)}»: {fmt.prop(a, 1)} behaalde het streefcijfer minstens deels, "
                                                         f"dus {v} in plaats van {o}"
                                                         for t, a, v, o in zip(flips["text_nl"], flips["alt_estimate"],
                                                                               flips["alt_verdict_nl"], flips["verdict_nl"])) + "."
               if len(flips) else "blijft elk oordeel hetzelfde."))


def response_nl(read: int, analysed: int, n_pop: float | None, incomplete: tuple[int, int, int] | None,
                texts: Mapping[str, str] | None = None) -> str:
    """The response paragraph: questionnaires read and analysed, against the units in the frame
    when there is one (``n_pop``) and, when incomplete questionnaires were left out (``incomplete``:
    their number and the fewest and most of them that answered a question), what that means. Units
    and study-specific remarks come from ``texts`` (:func:`study_texts`)."""
    t = _in_prose(study_texts(texts))
    who = t["respondents"]
    resp = f"Respons: {fmt.num(read)} {who} vulden de vragenlijst in, waarvan {fmt.num(analysed)} in de analyse."
    if n_pop is not None:
        resp += f" Ter vergelijking: het kader telt {fmt.num(n_pop)} {t['frame_units']}{t['response_remark']}."
    if incomplete:
        n_inc, lo_inc, hi_inc = incomplete
        resp += (f" **Onvolledige vragenlijsten:** {fmt.num(n_inc)} {who} vulden de vragenlijst niet volledig in. Ze "
                 f"beantwoordden wel een deel van de vragen (per vraag tussen {fmt.num(lo_inc)} en {fmt.num(hi_inc)} van hen), "
                 "maar blijven in alle onderdelen buiten de analyse, ook in de onderdelen die ze wel invulden. "
                 + t["incomplete_remark"] + "Als onvolledige respons samenhangt met de "
                 f"antwoorden (bv. minder tevreden {who} haken vaker af), kan dat de schattingen vertekenen"
                 + ("; de weging corrigeert daar niet voor" if n_pop is not None else "")
                 + ". Wie hun antwoorden per vraag wil meetellen, kan dat in de parameters van het rapport vragen.")
    return resp


#: why a cell of a group that is shown can be withheld in a weighted design (withheld_shares)
WITHHELD_SHARE_NL = ("Soms staat er een x (niet getoond) bij een groep die verder wel getoond wordt: dat gewogen aandeel "
                     "zou, samen met de andere cijfers van dit rapport, de antwoorden van enkele respondenten met "
                     "hetzelfde gewicht prijsgeven. De toets van die vraag telt zulke groepen samen als één groep.")


def breakdown_intro_nl(n_tests: int, weighted: bool = True, cells: bool = False, deff: float | None = None) -> str:
    """The paragraph before the breakdown tables: the Rao-Scott test (which takes the weighting
    into account when the design is ``weighted``; with ``deff``, a generalised variance, its first-order
    form with the report's one design effect) and the Holm correction over all ``n_tests`` tests;
    with ``cells`` (a share of a shown group is withheld:
    :func:`~evaluatie.analyses.survey.weighted.withheld_shares`) why (:data:`WITHHELD_SHARE_NL`)."""
    test = ("Verschillen tussen groepen worden getoetst met de Rao-Scott-gecorrigeerde chikwadraattoets (F-versie)"
            + (", die rekening houdt met de weging" if weighted else ""))
    if deff is not None:
        test = ("Verschillen tussen groepen worden getoetst met de chikwadraattoets van Pearson op de getoonde aandelen "
                f"en aantallen, gecorrigeerd met het designeffect van het rapport (D = {fmt.num(deff, 1)}; Rao-Scott, "
                "eerste orde: zie de Verantwoording)")
    return (test + "; *df* zijn de vrijheidsgraden van teller en noemer van die F-verdeling. "
            f"Samen zijn het **{n_tests} toetsen**: bij zoveel toetsen verwacht je ook zonder echte verschillen af en toe een "
            "kleine p-waarde. Daarom staat naast de gewone p-waarde ook de p-waarde met **Holm-correctie** over alle "
            f"{n_tests} toetsen samen; die houdt de kans op minstens één vals-positief resultaat onder het gekozen niveau. "
            f"Elke cel toont het {'gewogen ' if weighted else ''}aandeel positief en, tussen haakjes, het aantal "
            "respondenten waarop het steunt." + (" " + WITHHELD_SHARE_NL if cells else ""))


def likert_alt_nl(title: str | None, section_items: Sequence[str], labels: Mapping[str, str], t2: pd.DataFrame) -> str:
    """The alt text of a section's diverging Likert chart: the share positive (top-2, from
    :func:`~evaluatie.analyses.survey.statistics.top2`) of each item not suppressed. The section's
    title leads, as written (a label keeps its case)."""
    t = t2.set_index("variable")
    parts = "; ".join(f"{labels[v]}: {fmt.prop(t.loc[v, 'estimate'], 1)} positief"
                      for v in section_items if not t.loc[v, "suppressed"])
    return f"{title or 'De vragen'}: gestapeld staafdiagram (negatief links, positief rechts). {parts}."


def bars_alt_nl(intro: str, names: Sequence[str], estimates: Sequence[float], end: str = ".") -> str:
    """The alt text of a bar chart of shares: ``intro``, then "name share" per bar, then ``end``.
    ``estimates`` come from the published (protected) table: a withheld one reads "niet getoond"."""
    return intro + "; ".join(f"{d} {'niet getoond' if pd.isna(e) else fmt.prop(e, 1)}"
                             for d, e in zip(names, estimates)) + end


# --------------------------------------------------------------------------- the study's own words

#: The words of a report that depend on the study, with the neutral defaults; a study's ``texts``
#: parameter overrides them (:func:`study_texts`). ``design`` (the design paragraph) and
#: ``claims_reading`` (how the published wording was read as bounds) have no neutral text beyond
#: the one given here.
TEXTS: dict[str, str] = {
    "respondents": "respondenten",
    "frame_units": "eenheden",
    "frame_units_short": "eenheden",
    "response_remark": "",
    "incomplete_remark": "",
    "design": "",
    "results_heading": "Resultaten per vraag",
    "claims_reading": ("De getoetste grenzen zijn **onze lezing** van de gepubliceerde formulering. Een andere lezing "
                       "kan tot een ander oordeel leiden. De kolom *Telt als 'ja'* zegt welke antwoorden meetellen."),
    "breakdowns_heading": "Verschillen tussen groepen",
    "open_heading": "Open vraag",
    "open_answered": "gaven een antwoord op de open vraag",
    "open_caption": "Antwoorden per thema",
    "synthetic_note": ("Dit rapport gebruikt **synthetische** gegevens: ze zijn gesimuleerd en beschrijven geen echte "
                       "respondenten."),
    "cluster_units": "eenheden van de eerste trap",
    "cluster_unit": "eenheid van de eerste trap",
}

_SKIPPED = {
    "frame": ("Er is geen populatiekader opgegeven: de schattingen zijn **ongewogen** (elk antwoord telt even zwaar, "
              "zonder correctie voor een eindige populatie) en beschrijven wie antwoordde, niet noodzakelijk de "
              "hele populatie."),
    "frame_sampled": ("Er is geen populatiekader opgegeven: de gewichten komen uit het steekproefontwerp hierboven, "
                      "zonder bijkomende weging naar een kader."),
    "claims": "Er zijn geen gepubliceerde conclusies opgegeven om aan deze gegevens te toetsen; dat onderdeel valt weg.",
    "yes_no": "De vragenlijst heeft geen ja/nee-vragen; dat onderdeel valt weg.",
    "plan_blocks": ("Onderdelen over acties per domein en streefcijfers per kansengroep horen niet bij deze bevraging; "
                    "ze vallen weg."),
    "breakdowns": "Er zijn geen uitsplitsingen naar groepen gevraagd; daarom zijn er geen toetsen op verschillen tussen groepen.",
    "open": "De vragenlijst heeft geen open vraag met thema's om de antwoorden in te delen; dat onderdeel valt weg.",
}

#: The one rule for don't-know answers, stated once: where the report first shows shares (the claims,
#: or else the results per question).
DONT_KNOW_RULE = ("**Weet niet en niet van toepassing.** Wie op een vraag 'weet niet', 'niet van toepassing', 'geen "
                  "mening' of een gelijkaardig antwoord gaf, telt voor die vraag niet mee in de basis: elk aandeel in "
                  "dit rapport (per vraag, bij de ja/nee-vragen, in de getoetste conclusies en in de uitsplitsingen) is "
                  "een aandeel van wie een inhoudelijk antwoord gaf. Hoeveel respondenten zo antwoordden, staat in de "
                  "kolom *Weet niet (n)* van de tabellen die per vraag het aandeel geven (niet in de uitsplitsingen).")


def top2_intro_nl(rule: bool) -> str:
    """The sentence before the top-2 table, with the don't-know rule (:data:`DONT_KNOW_RULE`) when it
    was not stated earlier in the report (``rule``)."""
    return ("Per vraag het aandeel in de twee positieve antwoordcategorieën (*top-2*), met betrouwbaarheidsinterval."
            + (" " + DONT_KNOW_RULE if rule else ""))


CLAIMS_NOT_EVIDENCE = ("**Deze oordelen zijn geen bewijs.** De voorbeeldgegevens zijn synthetisch en zo gegenereerd dat ze de "
                       "gepubliceerde conclusies volgen. Dat de conclusies hier ondersteund worden, volgt dus uit die constructie: "
                       "de tabel toont hoe de toetsing werkt, niet of de conclusies kloppen. Dat kunnen pas de echte antwoorden zeggen.")

#: The fixed words of the two blocks of an evaluation of career and diversity plans (shown only when
#: the params give ``actions`` or ``target_groups``): introductions, axis labels, alt-text openings.
PLAN_TEXT = {
    "actions_intro": ("Elke organisatie kiest zelf de acties in haar plan (maatwerk). Aandeel organisaties met minstens "
                      "één actie per domein:"),
    "actions_xlabel": "Aandeel organisaties met acties in het domein",
    "actions_alt": "Staafdiagram van het aandeel organisaties met acties per domein: ",
    "targets_intro": ("Op de vraag of het streefcijfer behaald werd, kon een organisatie **'ja', 'deels' of 'nee'** "
                      "antwoorden. In dit rapport betekent *behaald*: 'ja'; 'deels' telt als niet behaald. Omdat die keuze "
                      "het oordeel kan bepalen, staat de volledige verdeling hieronder, met het aandeel dat het streefcijfer "
                      "minstens deels behaalde."),
    "targets_xlabel": "Aandeel dat het streefcijfer volledig behaalde ('ja')",
    "targets_alt": ("Staafdiagram van het aandeel organisaties dat het streefcijfer volledig behaalde ('ja'), per "
                    "kansengroep: "),
}

_TOP2_WORDS = {"tevredenheid": "(zeer) tevreden", "akkoord": "(helemaal) akkoord", "verloop": "(zeer) vlot"}


def study_texts(texts: Mapping[str, str] | None = None) -> dict[str, str]:
    """:data:`TEXTS` with a study's own ``texts`` over them; an unknown key is refused with the
    valid ones in a :class:`~evaluatie.core.errors.DataError` (a typo would otherwise fall back to the
    neutral text unnoticed)."""
    unknown = sorted(set(texts or {}) - set(TEXTS))
    if unknown:
        raise DataError(f"parameter texts: onbekende sleutel(s) {', '.join(unknown)}; geldig: {', '.join(TEXTS)}")
    return {**TEXTS, **(texts or {})}


#: the keys of :data:`TEXTS` that are labels (a unit, a heading, a caption), not prose: they read as
#: themselves wherever they enter Markdown (headings, sentences; :func:`evaluatie.core.fmt.literal`),
#: as the study's own prose keys do not (``design``, ``claims_reading``, the remarks, the note)
LABEL_KEYS = ("respondents", "frame_units", "frame_units_short", "results_heading", "breakdowns_heading",
              "open_heading", "open_answered", "open_caption", "cluster_units", "cluster_unit")


def _in_prose(t: Mapping[str, str]) -> dict[str, str]:
    """The study's words ``t`` for a Markdown sentence: its labels (:data:`LABEL_KEYS`) escaped."""
    return {k: fmt.literal(v) if k in LABEL_KEYS else v for k, v in t.items()}


def skipped(section: str) -> str:
    """The one sentence that stands for a section that does not apply to a study: ``frame``
    (unweighted), ``frame_sampled`` (no frame, the sample design's weights), ``claims``, ``yes_no``, ``plan_blocks`` (actions and targets of the career and
    diversity plans), ``breakdowns``, ``open``."""
    return _SKIPPED[section]


def subtitle(study: str | None, organisation: str | None) -> str | None:
    """The report's subtitle: the params' ``study``, with the ``organisation`` after it when both
    are given; the organisation alone ('Bevraging bij <organisation>'); None without either."""
    if study and organisation:
        return f"{fmt.literal(study)} — {fmt.literal(organisation)}"
    if organisation:
        return f"Bevraging bij {fmt.literal(organisation)}"
    return fmt.literal(study) if study else None


def top2_caption(items: Mapping[str, Mapping], scales: Mapping[str, Sequence[str]] | None = None) -> str:
    """The caption of the top-2 table, naming the positive answers of each scale the items use,
    in their order: '(zeer) tevreden' for a built-in scale, the two highest labels of a study's
    own scale ('eerder goed' of 'goed')."""
    own = dict(scales or {})
    words = [f"'{own[s][-2]}' of '{own[s][-1]}'" if s in own else _TOP2_WORDS[s]
             for s in dict.fromkeys(v["scale"] for v in items.values())]
    return "Aandeel " + " / ".join(words) + " per vraag"


def weights_nl(weights: pd.Series, small_groups: bool = False) -> str:
    """The sentence on the spread of the calibrated weights: smallest, largest and their ratio. With
    ``small_groups`` (a level of a weighting margin is withheld) the spread is not stated: a weight
    is about the frame's count of a level over its respondents, and the frame's count is published,
    so the smallest or largest weight could give a withheld level's number of respondents back."""
    if small_groups:
        return ("De spreiding van de gewichten staat hier niet: in de weging zitten groepen met weinig "
                "respondenten, en het grootste of kleinste gewicht zou hun aantal verraden.")
    return (f"De gewichten liggen tussen {fmt.num(weights.min(), 2)} en {fmt.num(weights.max(), 2)} "
            f"(verhouding grootste/kleinste {fmt.num(weights.max() / weights.min(), 1)}).")


def weighting_note(texts: Mapping[str, str] | None = None) -> str:
    """The note under the weighting table (shares per margin, the frame's units from ``texts``)."""
    units = study_texts(texts)["frame_units_short"]
    return (f"Kader, Respons, Ontwerpgewicht en Na weging zijn aandelen van het totaal per kenmerk: in het kader ({units}), "
            "in de respons (ongewogen), met de ontwerpgewichten vóór de raking en na de raking (gelijk aan het kader).")


_WORDS = {2: "twee", 3: "drie", 4: "vier"}


def sample_design_nl(stages: int, *, fpc: bool, weights: bool, strata: bool, n_units: int, n: int,
                     texts: Mapping[str, str] | None = None) -> str:
    """The paragraph on a sample design given in the data (``stages`` sampling stages in the
    cluster columns, 0: respondents drawn directly; population sizes per stage ``fpc``; weights from
    the file ``weights``; ``strata``): how the sample was drawn, how an answer is weighted and what
    the intervals take into account. ``n_units`` first-stage units and ``n`` respondents analysed;
    units named by ``texts`` (``cluster_units``, ``cluster_unit``, ``respondents``)."""
    t = _in_prose(study_texts(texts))
    units, unit, resp = t["cluster_units"], t["cluster_unit"], t["respondents"]
    within = " binnen elk stratum" if strata else ""
    if stages >= 2:
        how = (f"De bevraging is een steekproef in {_WORDS.get(stages, stages)} trappen: eerst werden {units} getrokken{within}, daarna "
               f"{resp} binnen elke getrokken {unit}. In de analyse zitten {fmt.num(n)} {resp} uit "
               f"{fmt.num(n_units)} {units}.")
    elif stages == 1:
        how = (f"De bevraging trok {units}{within} en bevroeg binnen elke getrokken {unit} alle {resp}. In de analyse "
               f"zitten {fmt.num(n)} {resp} uit {fmt.num(n_units)} {units}.")
    else:
        how = f"De {resp} werden rechtstreeks getrokken{within}. In de analyse zitten {fmt.num(n)} {resp}."
    if weights:
        weigh = "Elk antwoord weegt met het steekproefgewicht dat het bestand meegeeft."
    elif fpc:
        weigh = ("Elk antwoord weegt zoveel als het aantal eenheden dat het in de populatie vertegenwoordigt: op elke "
                 "trap het aantal in de populatie gedeeld door het aantal getrokken.")
    else:
        weigh = "Elk antwoord weegt even zwaar."
    if stages >= 2 and fpc:
        sure = (f"De betrouwbaarheidsintervallen houden rekening met elke trap: {resp} van dezelfde {unit} lijken vaak "
                "op elkaar, zodat de schattingen onzekerder zijn dan bij een even grote enkelvoudige steekproef.")
    elif stages >= 1:
        sure = (f"De betrouwbaarheidsintervallen houden rekening met de trekking per {unit}"
                + ("" if fpc else ": zonder populatiegrootte geldt de eerste trap als getrokken met teruglegging, wat "
                   "de onzekerheid licht overschat als een groot deel van de populatie getrokken werd") + ".")
    else:
        sure = "De betrouwbaarheidsintervallen houden rekening met de trekking" + (" en de eindige populatie." if fpc else ".")
    return f"**Steekproefontwerp.** {how} {weigh} {sure}"


#: why the tables of a design whose weights vary give weighted numbers rounded (round_weighted)
ROUNDED_NL = ("In de tabellen bij dit rapport (tables.xlsx) staan de gewogen aandelen, standaardfouten en "
              "intervalgrenzen afgerond op 0,1 procentpunt, zoals in het rapport, en de toetsen zoals het rapport ze "
              "toont; elk interval ligt rond het afgeronde aandeel. Met meer cijfers na de komma zou een gewogen "
              "aandeel, bij gekende gewichten, de antwoorden van afzonderlijke respondenten kunnen prijsgeven.")


def gvf_nl(deff: float, icc: float = ICC) -> str:
    """The method section's paragraph for a report with a generalised variance (``deff``: the
    report's design effect, :func:`~evaluatie.analyses.survey.weighted.report_variance`, with the
    intraclass correlation ``icc`` assumed in a clustered design)."""
    return ("**Standaardfouten, intervallen en toetsen uit één designeffect.** Sommige groepen hebben in een "
            "gewichtsklasse, stratum of steekproefeenheid minder dan het drempelaantal antwoorden. Een exacte "
            "standaardfout, intervalgrens of toets is een rekensom over die kleine cellen en kan, bij gekende "
            "gewichten, hun antwoorden prijsgeven. Daarom berekent dit rapport ze allemaal uit het gepubliceerde "
            f"aandeel p, het aantal antwoorden n en één designeffect van het hele rapport, D = {fmt.num(deff, 1)}: "
            "standaardfout √(D·p·(1−p)/n), het interval met de gekozen methode rond het gepubliceerde aandeel, en "
            "bij een uitsplitsing de toets F = X²/((G−1)·D) op G−1 en (G−1)·df vrijheidsgraden (X² van Pearson op "
            "de gepubliceerde aandelen en aantallen, de niet-getoonde groepen samen als de hele steekproef min de "
            "getoonde). D hangt alleen af van het ontwerp, niet van de antwoorden: de spreiding van de gewichten "
            f"(Kish: 1 + CV²), de eindige-populatiecorrectie en, bij clusters, 1 + (b−1)·{fmt.num(icc, 2)} voor b respondenten "
            "per eenheid; naar boven afgerond op 0,1. De schattingen zelf blijven ontwerpgebaseerd; de intervallen "
            "en toetsen wijken daardoor iets af van R `survey` (`svyciprop`, `svychisq`). In de simulaties van het "
            "project (4.000 herhalingen per ontwerp) halen deze intervallen hun betrouwbaarheidsniveau, of liggen ze "
            "iets ruimer; bij een sterkere clustering dan aangenomen zijn ze te smal.")


def method_nl(weighted: bool, stages: int = 0, sampled: bool = False, ci: str | None = None,
              rounded: bool = False, deff: float | None = None, icc: float = ICC) -> str:
    """The method paragraph of the Verantwoording: design-based and raked to the frame, weighted by
    the sample design (``sampled``; ``stages`` sampling stages), or unweighted; the standard errors,
    intervals and the multiple-testing correction; with ``rounded`` (the weights vary:
    :func:`~evaluatie.analyses.survey.weighted.round_weighted`) that the tables give the weighted
    numbers at the report's precision (:data:`ROUNDED_NL`); with ``deff`` (a generalised variance)
    how its standard errors, intervals and tests are computed (:func:`gvf_nl`); and where the numbers
    deliberately differ from R ``survey`` (:func:`r_differences_nl`; ``ci``: the interval method in use)."""
    if weighted:
        how = ("ontwerpgebaseerd (Horvitz-Thompson, gewogen naar het populatiekader met raking)",
               "standaardfouten\nmet Taylor-linearisatie op de residuen van de weging")
    elif sampled:
        how = ("ontwerpgebaseerd (Horvitz-Thompson, gewogen met de gewichten van het steekproefontwerp)",
               "standaardfouten\nmet Taylor-linearisatie")
    else:
        how = ("ongewogen (elk antwoord telt even zwaar; geen populatiekader)", "standaardfouten\nmet Taylor-linearisatie")
    if deff is not None:
        how = how[0]
    else:
        how = "; ".join(how) + (" over alle trappen van de steekproef" if stages >= 2 else "")
    same = ("Schattingen en\nstandaardfouten komen overeen met R `survey` (de tests van het project vergelijken ze). "
            if deff is None else
            "Schattingen komen\novereen met R `survey` (de tests van het project vergelijken ze); standaardfouten, "
            "intervallen en toetsen\nvolgen uit één designeffect (hieronder). ")
    return (f"Schattingen: {how}, zoals R `survey` (Lumley); intervallen voor aandelen\n"
            "met de gekozen methode en een t-verdeling op de vrijheidsgraden van het ontwerp. " + same +
            "Meervoudig toetsen: Holm-correctie (statsmodels `multipletests`)."
            + (" " + ROUNDED_NL if rounded else "") + ("\n\n" + gvf_nl(deff, icc) if deff is not None else "")
            + "\n\n" + r_differences_nl(ci))


def r_differences_nl(ci: str | None = None) -> str:
    """Where the intervals deliberately differ from R ``survey``'s ``svyciprop``, for the method
    section: the Wald interval clipped to [0, 1] (R does not clip), an estimate of exactly 0 or 1
    (R gives no interval; here Clopper-Pearson on the unweighted base) and the Korn-Graubard
    interval in a domain of a calibrated design (the domain's n where R uses the full sample's n).
    All three are always listed; the one of the interval method ``ci`` this report uses is marked."""
    used = " Dit rapport gebruikt die methode."
    items = [
        "**Wald-interval:** afgekapt op 0% en 100%; R laat het buiten die grenzen lopen." + (used if ci == "wald" else ""),
        "**Schatting van precies 0% of 100%:** de standaardfout is dan 0 en R geeft geen interval; hier krijgt ze het "
        "exacte interval van Clopper-Pearson op het ongewogen aantal antwoorden.",
        "**Korn-Graubard-interval (beta) in een groep van een gewogen (gekalibreerd) ontwerp:** de correctie voor de "
        "vrijheidsgraden gebruikt het aantal antwoorden in die groep, waar R het aantal van de hele steekproef "
        "gebruikt; een intervalgrens kan daardoor tot 11% verschillen van die van R (de schatting zelf niet)."
        + (used if ci == "beta" else ""),
    ]
    return ("**Bewuste verschillen met R `survey`.** Op drie punten wijken de intervallen voor aandelen bewust af:\n\n"
            + "\n".join(f"- {i}" for i in items))


#: Terms only the survey report uses, for its glossary (:func:`glossary_terms`), in plain Dutch.
GLOSSARY_EXTRA = {
    "top-2": ("Het aandeel dat een van de twee positieve antwoorden van een schaal gaf, bijvoorbeeld 'tevreden' "
              "of 'zeer tevreden'."),
    "populatiekader": ("De lijst van alle eenheden die bevraagd konden worden, met hun kenmerken; de weging brengt "
                       "de respons naar de verdeling in dat kader."),
    "steekproef in trappen": ("Eerst worden eenheden getrokken (bijvoorbeeld organisaties), daarna binnen elke "
                              "getrokken eenheid de mensen die bevraagd worden. Mensen uit dezelfde eenheid lijken "
                              "vaak op elkaar; de onzekerheid van de schattingen houdt daar rekening mee."),
    "Holm-correctie": ("Een aanpassing van de p-waarden als er veel toetsen tegelijk gebeuren, zodat de kans op "
                       "minstens één toevallig 'significant' verschil klein blijft."),
}


def glossary_terms(*, weighted: bool, design_weighted: bool, stages: int, breakdowns: bool,
                   target_groups: bool) -> tuple[list[str], dict[str, str]]:
    """The terms of the report's glossary (``rp.glossary(*glossary_terms(...))``): the shared terms of
    :data:`evaluatie.publish.glossary.TERMS` a reader of this report meets, and the survey's own
    (:data:`GLOSSARY_EXTRA`) for those it uses. Flags: weighted to a frame, weighted at all (frame
    or sample design), sampling ``stages``, breakdowns shown, targets per target group shown."""
    terms = ["betrouwbaarheidsinterval", "top-2", "weet niet"]
    if design_weighted:
        terms.append("gewogen schatting")
    if weighted:
        terms += ["weging", "populatiekader"]
    if stages >= 2:
        terms.append("steekproef in trappen")
    if breakdowns:
        terms += ["p-waarde", "significant", "Holm-correctie"]
    if target_groups:
        terms += ["kansengroep", "streefcijfer"]
    return with_definitions(terms, GLOSSARY_EXTRA)


def open_answers_nl(n_answers: int, texts: Mapping[str, str] | None = None) -> str:
    """The sentence before the themes of the open question: how many answered, how themes are given."""
    t = _in_prose(study_texts(texts))
    return (f"{fmt.num(n_answers)} {t['respondents']} {t['open_answered']}. Een antwoord kan meerdere thema's raken; "
            "de thema's zijn toegekend op basis van trefwoorden (zie de parameters). Aantallen zijn niet gewogen.")
