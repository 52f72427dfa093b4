"""Themes: a round's comments on one indicator or objective, grouped by meaning.

Comments are embedded (cached), near-identical ones (a campaign) are folded together first,
then grouped by agglomerative clustering on cosine distance. Each theme has its size (comments
and distinct voices), its constituencies and a representative comment (nearest the centre).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from sqlmodel import Session, select

from indicators_lab.core.access import Actor, require
from indicators_lab.consultation.rounds import CONSTITUENCIES
from indicators_lab.mapping.embeddings import Encoder, embed_texts
from indicators_lab.core.errors import UserError
from indicators_lab.core.models import Comment

NEAR_IDENTICAL = 0.95
THEME_DISTANCE = 0.6  # cosine distance under which comments join a theme
MIN_COMMENTS = 6  # below this, grouping says more about chance than about the comments
MIN_THEME = 2  # a "theme" of one comment is not a theme: it stays with the ungrouped ones


class TooFewToGroup(UserError):
    """Too few comments for themes to mean anything."""


@dataclass(frozen=True)
class Theme:
    size: int            # comments, campaign copies included
    voices: int          # distinct texts (a campaign counts once)
    constituencies: dict[str, int]
    representative: str
    comment_ids: tuple[int, ...]
    campaign_copies: int  # comments that repeat another one almost word for word


def group_texts(vectors: np.ndarray, *, near: float = NEAR_IDENTICAL, distance: float = THEME_DISTANCE
                ) -> tuple[np.ndarray, np.ndarray]:
    """(campaign label, theme label) for each row of unit vectors."""
    from sklearn.cluster import AgglomerativeClustering

    n = len(vectors)
    if n == 0:
        return np.zeros(0, int), np.zeros(0, int)
    if n == 1:
        return np.zeros(1, int), np.zeros(1, int)
    dup = AgglomerativeClustering(n_clusters=None, metric="cosine", linkage="complete",
                                  distance_threshold=1 - near).fit_predict(vectors)
    reps = np.array([np.flatnonzero(dup == d)[0] for d in range(dup.max() + 1)])
    if len(reps) == 1:
        return dup, np.zeros(n, int)
    theme_of_rep = AgglomerativeClustering(n_clusters=None, metric="cosine", linkage="average",
                                           distance_threshold=distance).fit_predict(vectors[reps])
    return dup, theme_of_rep[dup]


def themes(encoder: Encoder, *, session: Session, actor: Actor, round_id: int, item_id: int | None = None,
           objective: int | None = None) -> list[Theme]:
    """Themes (of at least MIN_THEME comments) among the visible comments of a round on an indicator
    or an objective (or all); TooFewToGroup below MIN_COMMENTS comments."""
    require(actor, "themes.run")  # before any encoding
    q = select(Comment).where(Comment.round_id == round_id, Comment.hidden == False)  # noqa: E712
    if item_id is not None:
        q = q.where(Comment.item_id == item_id)
    if objective is not None:
        q = q.where(Comment.objective == objective)
    comments = session.exec(q.order_by(Comment.id)).all()
    if not comments:
        return []
    if len(comments) < MIN_COMMENTS:
        raise TooFewToGroup(f"Too few comments to group: {len(comments)} here, themes start at {MIN_COMMENTS}. "
                            "Read them one by one in the matrix above.")
    vectors = embed_texts(encoder, [c.text for c in comments], session=session)
    dup, theme = group_texts(vectors)
    out = []
    for t in range(theme.max() + 1):
        idx = np.flatnonzero(theme == t)
        if len(idx) < MIN_THEME:
            continue
        centre = vectors[idx].mean(axis=0)
        rep = idx[int(np.argmax(vectors[idx] @ centre))]
        consts: dict[str, int] = {}
        for i in idx:
            label = CONSTITUENCIES.get(comments[i].constituency, comments[i].constituency or "not given")
            consts[label] = consts.get(label, 0) + 1
        voices = len(set(dup[idx]))
        out.append(Theme(len(idx), voices, consts, comments[rep].text, tuple(comments[i].id for i in idx),
                         len(idx) - voices))
    return sorted(out, key=lambda th: (-th.voices, -th.size))
