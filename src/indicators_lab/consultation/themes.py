"""Themes: a round's comments on one indicator or objective, grouped by meaning.

Comments are grouped within each language (their detected language: consultation.languages), so a
French comment never joins an English theme by accident and no language's comments are folded
into another's; the shipped embedding model (all-MiniLM-L6-v2) was trained on English, so themes
in other languages are rougher. Comments are embedded (cached), near-identical ones (a campaign)
are folded together first, then grouped by agglomerative clustering on cosine distance. Each theme has its size (comments
and distinct voices), its constituencies and a representative comment (nearest the centre).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from sqlmodel import Session, select

from indicators_lab.core.access import Actor, require
from indicators_lab.consultation.languages import COMMENT_LANGUAGES, UNDETERMINED
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
    language: str = "und"  # the language of its comments (consultation.languages)


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
           objective: int | None = None, language: str | None = None) -> list[Theme]:
    """Themes (of at least MIN_THEME comments) among the visible comments of a round on an indicator
    or an objective (or all), grouped within each language (or only ``language``); a language with
    fewer than MIN_COMMENTS comments has none. TooFewToGroup when no language has enough."""
    require(actor, "themes.run")  # before any encoding
    q = select(Comment).where(Comment.round_id == round_id, Comment.hidden == False)  # noqa: E712
    if item_id is not None:
        q = q.where(Comment.item_id == item_id)
    if objective is not None:
        q = q.where(Comment.objective == objective)
    comments = session.exec(q.order_by(Comment.id)).all()
    by_language: dict[str, list[Comment]] = {}
    for c in comments:
        by_language.setdefault(c.language or UNDETERMINED, []).append(c)
    if language:
        by_language = {language: by_language.get(language, [])}
    if not any(by_language.values()):
        return []
    groupable = {lang: cs for lang, cs in by_language.items() if len(cs) >= MIN_COMMENTS}
    if not groupable:
        if len(by_language) == 1:
            n = len(next(iter(by_language.values())))
            raise TooFewToGroup(f"Too few comments to group: {n} here, themes start at {MIN_COMMENTS}. "
                                "Read them one by one in the matrix above.")
        most = max(len(cs) for cs in by_language.values())
        raise TooFewToGroup(f"Too few comments to group: at most {most} in one language here, themes start at "
                            f"{MIN_COMMENTS} in a language. Read them one by one in the matrix above.")
    order = {c: i for i, c in enumerate(COMMENT_LANGUAGES)}
    out: list[Theme] = []
    for lang in sorted(groupable, key=lambda code: order.get(code, len(order))):
        out.extend(sorted(_themes_of(encoder, session, groupable[lang], lang), key=lambda th: (-th.voices, -th.size)))
    return out


def _themes_of(encoder: Encoder, session: Session, comments: list[Comment], language: str) -> list[Theme]:
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
                         len(idx) - voices, language))
    return out
