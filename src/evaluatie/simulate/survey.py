"""Synthetic example data for the evaluation survey of the career and diversity plans
(loopbaan- en diversiteitsplannen). **Synthetic**: no real organisation is described.

Modelled on the evaluation by Idea Consult (online survey of all organisations that completed a
plan in 2010-2013: 536 responded, 500 completely) and its published conclusions: 9 in 10 (very)
satisfied with the support of the project developers; over 9 in 10 would recommend the measure;
execution smooth to very smooth for 7 in 10; actions adjustable during the plan; financial support
an important added value; lasting impact on personnel policy; target figures reached except for
people with a work disability; many organisations need aftercare. The plan types are those of
``data/raw``'s subsidy table (Instapplan, Diversiteitsplan, Clusterplan, Groeiplan).

:func:`generate` returns ``(respondents, frame)``: a population frame of completed plans (count
per plan type x size class x region, the weighting margins) and 536 respondents drawn from it
with response propensities that depend on size and region (so weighting matters), 36 of whom
stopped after the execution section. :func:`write` stores them as CSV (labels as text) and as an
SPSS ``.sav`` file with value labels and question texts, as research bureaus deliver.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pyreadstat

from evaluatie.core.paths import resolve

__all__ = ["generate", "write", "PLAN_TYPES", "SIZE_CLASSES", "REGIONS", "QUESTIONS", "TARGET_GROUPS"]

PLAN_TYPES = ["Instapplan", "Diversiteitsplan", "Clusterplan", "Groeiplan"]
SIZE_CLASSES = ["1-9", "10-49", "50-249", "250+"]
REGIONS = ["Antwerpen", "Limburg", "Oost-Vlaanderen", "Vlaams-Brabant", "West-Vlaanderen", "Brussel"]
TARGET_GROUPS = {"allochtonen": "personen van buitenlandse herkomst",
                 "arbeidshandicap": "personen met een arbeidshandicap",
                 "ouderen": "ervaren werknemers (50+)",
                 "kortgeschoolden": "kortgeschoolden"}
SATISFACTION = ["zeer ontevreden", "ontevreden", "neutraal", "tevreden", "zeer tevreden"]
AGREEMENT = ["helemaal niet akkoord", "niet akkoord", "neutraal", "akkoord", "helemaal akkoord"]
EXECUTION = ["zeer moeizaam", "moeizaam", "neutraal", "vlot", "zeer vlot"]
YES_NO = ["ja", "nee"]
REACHED = ["ja", "deels", "nee"]
RECOMMEND = ["ja", "nee", "weet niet"]

QUESTIONS = {
    "org_id": "Organisatie (synthetische code)",
    "plan_type": "Soort plan",
    "size_class": "Aantal werknemers",
    "region": "Regio (provincie)",
    "year_completed": "Jaar waarin het plan werd afgerond",
    "complete": "Vragenlijst volledig ingevuld",
    "q_support_satisfaction": "Hoe tevreden bent u over de ondersteuning door de projectontwikkelaar?",
    "q_support_flexible": "De acties konden tijdens de looptijd flexibel worden aangepast.",
    "q_fin_added_value": "De financiële ondersteuning was een belangrijke meerwaarde.",
    "q_fin_without": "Had u het plan ook zonder subsidie uitgevoerd?",
    "q_execution": "Hoe verliep de uitvoering van het plan?",
    **{f"act_{d}": f"Het plan bevatte acties rond {d}" for d in ("instroom", "doorstroom", "opleiding", "retentie")},
    **{f"target_set_{g}": f"Streefcijfer vastgelegd voor {t}" for g, t in TARGET_GROUPS.items()},
    **{f"target_reached_{g}": f"Streefcijfer behaald voor {t}" for g, t in TARGET_GROUPS.items()},
    "q_impact_policy": "Het plan had een blijvende impact op ons personeelsbeleid.",
    "q_results_lasting": "De resultaten rond instroom, doorstroom, opleiding en retentie zijn duurzaam.",
    "q_aftercare_need": "Heeft uw organisatie nood aan bijkomende nazorg?",
    "q_recommend": "Zou u de maatregel aanraden aan andere organisaties?",
    "q_open_suggestions": "Welke suggesties heeft u voor de toekomst van de maatregel? (open vraag)",
}

_OPEN = {
    "nazorg": ["Meer nazorg na afloop van het plan.", "Een opvolging een jaar later zou helpen.",
               "Graag nazorg om de acties te verankeren."],
    "administratie": ["Minder administratie bij de aanvraag.", "De rapportering was zwaar voor een kleine KMO.",
                      "Het papierwerk mag eenvoudiger."],
    "financiering": ["Een hogere subsidie voor kleine organisaties.", "De financiële steun behouden aub."],
    "begeleiding": ["Meer begeleiding door de projectontwikkelaar in de uitvoering.",
                    "Coaching op de werkvloer zou een meerwaarde zijn."],
    "bekendheid": ["Meer bekendheid geven aan de plannen bij werkgevers.", "Betere communicatie over het aanbod."],
}


def _frame(rng: np.random.Generator) -> pd.DataFrame:
    p_type = np.array([0.30, 0.36, 0.19, 0.15])
    # larger organisations more often have a full diversity plan, small ones an instapplan
    p_size = np.array([[0.42, 0.38, 0.15, 0.05],
                       [0.20, 0.37, 0.28, 0.15],
                       [0.30, 0.40, 0.22, 0.08],
                       [0.12, 0.33, 0.35, 0.20]])
    p_region = np.array([0.25, 0.12, 0.21, 0.15, 0.19, 0.08])
    total = 1748
    probs = (p_type[:, None, None] * p_size[:, :, None] * p_region[None, None, :]).ravel()
    counts = rng.multinomial(total, probs)
    idx = pd.MultiIndex.from_product([PLAN_TYPES, SIZE_CLASSES, REGIONS], names=["plan_type", "size_class", "region"])
    return pd.DataFrame({"completed_plans": counts}, index=idx).reset_index()


def _cat(rng, probs: np.ndarray, labels: list[str]) -> np.ndarray:
    """One draw per row of ``probs`` (rows sum to 1)."""
    u = rng.random(len(probs))
    k = (probs.cumsum(axis=1) < u[:, None]).sum(axis=1)
    return np.asarray(labels, dtype=object)[np.minimum(k, len(labels) - 1)]


def _likert(rng, top2: np.ndarray, dk: float, labels: list[str]) -> np.ndarray:
    """5-point answers with a given top-2 share per row; 'weet niet' with probability ``dk``."""
    top2 = np.clip(top2, 0.02, 0.99)
    rest = 1 - top2
    probs = np.column_stack([0.15 * rest, 0.30 * rest, 0.55 * rest, 0.55 * top2, 0.45 * top2])
    out = _cat(rng, probs, labels)
    out[rng.random(len(out)) < dk] = "weet niet"
    return out


def generate(seed: int = 2014, n_respondents: int = 536, n_complete: int = 500) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return ``(respondents, frame)``; same seed, same data."""
    rng = np.random.default_rng(seed)
    frame = _frame(rng)
    pop = frame.loc[frame.index.repeat(frame["completed_plans"]), ["plan_type", "size_class", "region"]]
    pop = pop.reset_index(drop=True)
    size_i = pop["size_class"].map({s: i for i, s in enumerate(SIZE_CLASSES)}).to_numpy()
    reg_i = pop["region"].map({r: i for i, r in enumerate(REGIONS)}).to_numpy()
    # response propensity: larger organisations and some regions respond more (non-response bias)
    lin = -1.1 + 0.35 * size_i + np.array([0.1, 0.3, 0.0, -0.1, 0.2, -0.5])[reg_i]
    prop = 1 / (1 + np.exp(-lin))
    chosen = rng.choice(len(pop), size=n_respondents, replace=False, p=prop / prop.sum())
    df = pop.iloc[np.sort(chosen)].reset_index(drop=True)
    n = len(df)
    size_i = size_i[np.sort(chosen)]
    ptype = df["plan_type"].to_numpy()
    sme = size_i < 3
    df.insert(0, "org_id", [f"ORG{i:04d}" for i in rng.permutation(n) + 1])
    df["year_completed"] = rng.choice([2010, 2011, 2012, 2013], size=n, p=[0.2, 0.25, 0.27, 0.28])
    instap = ptype == "Instapplan"
    groei = ptype == "Groeiplan"
    # satisfaction and execution are somewhat better in larger organisations and growth plans
    u = rng.normal(size=n)
    shift = 0.03 * (size_i - 1.2) + 0.03 * groei - 0.02 * instap
    df["q_support_satisfaction"] = _likert(rng, 0.905 + shift + 0.02 * u, 0.03, SATISFACTION)
    df["q_support_flexible"] = _likert(rng, 0.86 + shift, 0.04, AGREEMENT)
    df["q_fin_added_value"] = _likert(rng, 0.88 - 0.06 * (size_i == 3), 0.03, AGREEMENT)
    df["q_fin_without"] = _cat(rng, np.column_stack([0.25 + 0.08 * size_i, 0.75 - 0.08 * size_i]), YES_NO)
    df["q_execution"] = _likert(rng, 0.70 + 1.2 * shift + 0.03 * u, 0.02, EXECUTION)
    # actions per domain: each organisation chooses its own mix (maatwerk)
    for d, base, slope in (("instroom", 0.68, 0.02), ("doorstroom", 0.45, 0.07),
                           ("opleiding", 0.78, 0.03), ("retentie", 0.50, 0.04)):
        p = np.clip(base + slope * (size_i - 1.5) - 0.10 * instap, 0.05, 0.95)
        df[f"act_{d}"] = np.where(rng.random(n) < p, "ja", "nee")
    for g, p_set, p_ok in (("allochtonen", 0.58, 0.66), ("arbeidshandicap", 0.34, 0.31),
                           ("ouderen", 0.50, 0.63), ("kortgeschoolden", 0.45, 0.60)):
        is_set = rng.random(n) < np.clip(p_set + 0.05 * (size_i - 1.5), 0.05, 0.95)
        df[f"target_set_{g}"] = np.where(is_set, "ja", "nee")
        probs = np.tile([p_ok, (1 - p_ok) * 0.55, (1 - p_ok) * 0.45], (n, 1))
        reached = _cat(rng, probs, REACHED)
        df[f"target_reached_{g}"] = np.where(is_set, reached, None)
    df["q_impact_policy"] = _likert(rng, 0.76 + shift, 0.05, AGREEMENT)
    df["q_results_lasting"] = _likert(rng, 0.72 + shift, 0.08, AGREEMENT)
    df["q_aftercare_need"] = np.where(rng.random(n) < np.where(sme, 0.66, 0.52), "ja", "nee")
    df["q_recommend"] = _cat(rng, np.tile([0.965, 0.02, 0.015], (n, 1)), RECOMMEND)
    texts = []
    themes = list(_OPEN)
    for i in range(n):
        if rng.random() < 0.42:
            texts.append(None)
            continue
        k = 1 + (rng.random() < 0.25)
        pick = rng.choice(len(themes), size=k, replace=False,
                          p=np.array([0.34, 0.22, 0.18, 0.16, 0.10]))
        texts.append(" ".join(_OPEN[themes[j]][rng.integers(len(_OPEN[themes[j]]))] for j in pick))
    df["q_open_suggestions"] = texts
    # 36 organisations stopped after the execution section
    incomplete = rng.choice(n, size=n - n_complete, replace=False)
    later = [c for c in df.columns if c.startswith(("act_", "target_", "q_impact", "q_results", "q_after",
                                                      "q_recommend", "q_open"))]
    df.loc[incomplete, later] = None
    df["complete"] = "ja"
    df.loc[incomplete, "complete"] = "nee"
    df = df[[c for c in QUESTIONS if c in df.columns]]
    return df, frame


def _value_labels(col: str) -> list[str] | None:
    if col in ("q_support_satisfaction",):
        return SATISFACTION
    if col in ("q_support_flexible", "q_fin_added_value", "q_impact_policy", "q_results_lasting"):
        return AGREEMENT
    if col == "q_execution":
        return EXECUTION
    if col.startswith("target_reached_"):
        return REACHED
    if col == "q_recommend":
        return RECOMMEND
    if col == "plan_type":
        return PLAN_TYPES
    if col == "size_class":
        return SIZE_CLASSES
    if col == "region":
        return REGIONS
    if col.startswith(("act_", "target_set_")) or col in ("q_fin_without", "q_aftercare_need", "complete"):
        return YES_NO
    return None


def to_spss_codes(df: pd.DataFrame) -> tuple[pd.DataFrame, dict]:
    """Numeric codes with SPSS value labels (Likert 1-5, 8 = weet niet; categories 1..k)."""
    out = df.copy()
    labels: dict[str, dict[float, str]] = {}
    for col in df.columns:
        lab = _value_labels(col)
        if lab is None:
            continue
        mapping = {v: float(i + 1) for i, v in enumerate(lab)}
        if len(lab) == 5 and col.startswith("q_"):
            mapping["weet niet"] = 8.0
        out[col] = df[col].map(mapping).astype(float)
        labels[col] = {code: text for text, code in mapping.items()}
    return out, labels


def write(folder: str | Path = "data/example", seed: int = 2014) -> dict[str, Path]:
    """Write ``survey_respondents.csv``, ``survey_respondents.sav`` and ``survey_frame.csv`` into
    ``folder`` (relative to the project root). Regenerate the example files with
    ``python -m evaluatie.simulate.survey``."""
    folder = resolve(folder)
    folder.mkdir(parents=True, exist_ok=True)
    df, frame = generate(seed)
    paths = {"csv": folder / "survey_respondents.csv", "sav": folder / "survey_respondents.sav",
             "frame": folder / "survey_frame.csv"}
    df.to_csv(paths["csv"], index=False, encoding="utf-8")
    frame.to_csv(paths["frame"], index=False, encoding="utf-8")
    coded, labels = to_spss_codes(df)
    coded["q_open_suggestions"] = coded["q_open_suggestions"].fillna("")
    pyreadstat.write_sav(coded, str(paths["sav"]), column_labels=[QUESTIONS[c] for c in coded.columns],
                         variable_value_labels=labels)
    return paths


if __name__ == "__main__":  # pragma: no cover
    for p in write().values():
        print(p)
