"""Data readiness of a set: pure functions over DataFrames (no database, no Streamlit)."""

from __future__ import annotations

import pandas as pd

READY_COLUMNS = ["objective", "indicators", "data_for_half", "migratory_split", "not_ready"]


def readiness_by_objective(links: pd.DataFrame, ready: pd.DataFrame, *, min_share: float = 0.5) -> pd.DataFrame:
    """Per objective: how many of its linked indicators have data for at least ``min_share`` of
    the Member States, and how many can be split by migratory status.

    ``links``: item_key, objective (accepted links of the set's items); ``ready``: item_id,
    data_share, migratory_split (``catalogue.data.readiness_frame``)."""
    info = ready.set_index("item_id")
    rows = []
    for objective, group in links.groupby("objective"):
        keys = list(dict.fromkeys(int(k) for k in group["item_key"]))
        share = [float(info["data_share"].get(k, 0.0)) for k in keys]
        split = [bool(info["migratory_split"].get(k, False)) for k in keys]
        rows.append({
            "objective": int(objective), "indicators": len(keys),
            "data_for_half": sum(s >= min_share for s in share),
            "migratory_split": sum(split),
            "not_ready": len(keys) - sum(s >= min_share for s in share),
        })
    return pd.DataFrame(rows, columns=READY_COLUMNS)


def readiness_of_points(chosen_lists: list[list], ready: pd.DataFrame, *, min_share: float = 0.5) -> pd.DataFrame:
    """For each list of chosen item ids (a point of the optimiser's curve): how many have data for
    at least ``min_share`` of the Member States, and how many can be split by migratory status.

    ``ready``: item_id, data_share, migratory_split (``catalogue.data.readiness_frame``); an item
    missing from it counts as having neither."""
    share = {int(k): float(v) for k, v in zip(ready["item_id"], ready["data_share"])}
    split = {int(k): bool(v) for k, v in zip(ready["item_id"], ready["migratory_split"])}
    return pd.DataFrame(
        [{"data_ready": sum(share.get(int(k), 0.0) >= min_share for k in chosen),
          "migratory_split": sum(split.get(int(k), False) for k in chosen)} for chosen in chosen_lists],
        columns=["data_ready", "migratory_split"],
    )
