"""Scorecards of a candidate set: pure functions over DataFrames (no database, no Streamlit).

Inputs
- ``links``: accepted links, columns ``item_key, objective, grade`` and optionally ``action``.
- ``items``: the chosen items, columns ``item_key, code, title, framework`` and optionally
  ``tier, custodian, gender_specific``.
- ``n_actions``: {objective number: number of lettered actions}.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from indicators_lab.core.i18n import N_

OBJECTIVES = tuple(range(1, 24))
DEFAULT_GRADE_WEIGHTS = {"direct": 1.0, "partial": 0.5, "proxy": 0.25}

MIGRANT_RE = re.compile(r"\bmigra|\bimmigra|\bemigra|refugee|remittance|displaced|diaspora|"
                        r"trafficking|smuggl|asylum|nationality|migratory", re.I)
GENDER_RE = re.compile(r"\bby sex\b|\bsex\b|\bwomen\b|\bgirls?\b|\bgender|\bfemale|\bmaternal", re.I)
CHILD_RE = re.compile(r"\bchild|\bby age\b|\baged?\b|\bunder[- ]?5\b|\byouth|\badolescen|\bgirls?\b|"
                      r"\bboys?\b|\bminors?\b|\bbirths?\b|\bschool", re.I)


def link_weights(links: pd.DataFrame, grade_weights: dict[str, float]) -> pd.DataFrame:
    out = links.copy()
    out["weight"] = out["grade"].map(grade_weights).fillna(0.0).astype(float)
    return out


def coverage(
    links: pd.DataFrame,
    chosen: list,
    n_actions: dict[int, int],
    grade_weights: dict[str, float] = DEFAULT_GRADE_WEIGHTS,
) -> pd.DataFrame:
    """Per objective: chosen items linked, weighted coverage (sum of grade weights, capped at 1),
    best grade, and the share of the objective's actions that the links touch."""
    lw = link_weights(links[links["item_key"].isin(chosen)], grade_weights)
    rows = []
    for o in OBJECTIVES:
        mine = lw[lw["objective"] == o]
        actions = set(mine["action"].dropna()) - {""} if "action" in mine else set()
        n_act = n_actions.get(o, 0)
        best = ""
        for g in grade_weights:
            if (mine["grade"] == g).any():
                best = g
                break
        rows.append({
            "objective": o,
            "items": int(mine["item_key"].nunique()),
            "weight": float(mine["weight"].sum()),
            "coverage": float(min(1.0, mine["weight"].sum())),
            "best_grade": best,
            "actions_touched": len(actions),
            "actions": n_act,
            "action_share": len(actions) / n_act if n_act else 0.0,
        })
    return pd.DataFrame(rows)


def heatmap(links: pd.DataFrame, items: pd.DataFrame,
            grade_weights: dict[str, float] = DEFAULT_GRADE_WEIGHTS) -> pd.DataFrame:
    """Objectives (rows 1-23) × chosen items (columns, by code): the grade weight of each link,
    NaN where there is none."""
    lw = link_weights(links[links["item_key"].isin(items["item_key"])], grade_weights)
    codes = dict(zip(items["item_key"], items["code"]))
    lw = lw.assign(code=lw["item_key"].map(codes))
    grid = lw.pivot_table(index="objective", columns="code", values="weight", aggfunc="max")
    return grid.reindex(index=list(OBJECTIVES), columns=list(items["code"]))


def overlap_pairs(
    items: pd.DataFrame,
    links: pd.DataFrame,
    similarity: np.ndarray,
    *,
    text_threshold: float = 0.75,
    same_objectives_threshold: float = 0.6,
) -> pd.DataFrame:
    """Pairs of chosen items that measure nearly the same thing: very similar text, or the same
    objectives and fairly similar text. ``similarity`` is items × items (cosine)."""
    keys = list(items["item_key"])
    codes = list(items["code"])
    objs = {k: set(links.loc[links["item_key"] == k, "objective"]) for k in keys}
    rows = []
    for a in range(len(keys)):
        for b in range(a + 1, len(keys)):
            sim = float(similarity[a, b])
            shared = objs[keys[a]] & objs[keys[b]]
            union = objs[keys[a]] | objs[keys[b]]
            same_objs = bool(union) and shared == union
            if sim >= text_threshold or (same_objs and sim >= same_objectives_threshold):
                reason = f"wording {sim:.0%} similar"
                if shared:
                    reason += "; both cover objective" + ("s " if len(shared) > 1 else " ") + \
                        ", ".join(str(o) for o in sorted(shared))
                rows.append({"item_a": codes[a], "item_b": codes[b], "similarity": round(sim, 3),
                             "shared_objectives": ", ".join(str(o) for o in sorted(shared)),
                             "reason": reason})
    return pd.DataFrame(rows, columns=["item_a", "item_b", "similarity", "shared_objectives", "reason"])


def redundancy(pairs: pd.DataFrame, n_items: int) -> float:
    """Share of the chosen items that overlap with at least one other chosen item."""
    if n_items == 0 or pairs.empty:
        return 0.0
    return len(set(pairs["item_a"]) | set(pairs["item_b"])) / n_items


def readiness(items: pd.DataFrame) -> dict[str, object]:
    """Tier mix, custodian agencies, and how many indicators already name migrants."""
    tiers = items.get("tier", pd.Series([""] * len(items))).fillna("").replace("", "no tier")
    custodians: dict[str, int] = {}
    for value in items.get("custodian", pd.Series([], dtype=str)).fillna(""):
        for agency in [a.strip() for a in str(value).split(",") if a.strip()]:
            custodians[agency] = custodians.get(agency, 0) + 1
    names_migrants = items["title"].fillna("").map(lambda t: bool(MIGRANT_RE.search(t)))
    return {
        "tiers": tiers.value_counts().to_dict(),
        "custodians": dict(sorted(custodians.items(), key=lambda kv: (-kv[1], kv[0]))),
        "names_migrants": int(names_migrants.sum()),
        "names_migrants_codes": list(items.loc[names_migrants, "code"]),
    }


def principles(items: pd.DataFrame) -> dict[str, list[str]]:
    """Indicators that are gender-responsive (disaggregated by sex, about women and girls, or
    flagged gender-specific) and child-sensitive (by age, about children), from their titles."""
    title = items["title"].fillna("")
    flagged = items.get("gender_specific", pd.Series([False] * len(items), index=items.index)).fillna(False)
    gender = title.map(lambda t: bool(GENDER_RE.search(t))) | flagged.astype(bool)
    child = title.map(lambda t: bool(CHILD_RE.search(t)))
    return {
        "gender_responsive": list(items.loc[gender, "code"]),
        "child_sensitive": list(items.loc[child, "code"]),
    }


@dataclass
class Scorecard:
    coverage: pd.DataFrame
    heatmap: pd.DataFrame
    overlaps: pd.DataFrame
    readiness: dict
    principles: dict
    summary: dict[str, float] = field(default_factory=dict)


SUMMARY_LABELS = {
    "items": N_("indicators in the set"),
    "objectives_covered": N_("objectives covered (of 23)"),
    "mean_coverage": N_("mean weighted coverage"),
    "mean_action_share": N_("mean share of actions touched"),
    "overlapping_pairs": N_("overlapping pairs"),
    "redundancy": N_("redundancy (share of items overlapping)"),
    "tier_1_share": N_("share Tier I"),
    "names_migrants_share": N_("share naming migrants"),
    "gender_responsive_share": N_("share gender-responsive"),
    "child_sensitive_share": N_("share child-sensitive"),
}


def scorecard(
    items: pd.DataFrame,
    links: pd.DataFrame,
    similarity: np.ndarray,
    n_actions: dict[int, int],
    grade_weights: dict[str, float] = DEFAULT_GRADE_WEIGHTS,
) -> Scorecard:
    """Every score of a set in one object; ``summary`` holds the headline numbers."""
    chosen = list(items["item_key"])
    cov = coverage(links, chosen, n_actions, grade_weights)
    pairs = overlap_pairs(items, links[links["item_key"].isin(chosen)], similarity)
    ready = readiness(items)
    princ = principles(items)
    n = len(items)
    tier1 = sum(v for k, v in ready["tiers"].items() if str(k).strip() == "Tier I")
    summary = {
        "items": n,
        "objectives_covered": int((cov["coverage"] > 0).sum()),
        "mean_coverage": round(float(cov["coverage"].mean()), 4),
        "mean_action_share": round(float(cov["action_share"].mean()), 4),
        "overlapping_pairs": len(pairs),
        "redundancy": round(redundancy(pairs, n), 4),
        "tier_1_share": round(tier1 / n, 4) if n else 0.0,
        "names_migrants_share": round(ready["names_migrants"] / n, 4) if n else 0.0,
        "gender_responsive_share": round(len(princ["gender_responsive"]) / n, 4) if n else 0.0,
        "child_sensitive_share": round(len(princ["child_sensitive"]) / n, 4) if n else 0.0,
    }
    return Scorecard(cov, heatmap(links, items, grade_weights), pairs, ready, princ, summary)


def compare(before: dict[str, float], after: dict[str, float]) -> pd.DataFrame:
    """What-if: every headline score before and after a change, with the difference."""
    rows = [
        {"score": SUMMARY_LABELS.get(k, k), "before": before[k], "after": after[k],
         "change": round(after[k] - before[k], 4)}
        for k in before
    ]
    return pd.DataFrame(rows)
