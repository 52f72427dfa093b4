"""The texts the app encodes for the shipped catalogues, and the build of their vectors.

scripts/build_frameworks.py calls ``build_shipped_vectors`` after writing the catalogues, so the
package ships a vector for every text that mapping, evaluation and candidate sets encode for a
shipped item or objective; ``embed_texts`` reads them before the database cache or the model.
"""

from __future__ import annotations

import json
from pathlib import Path

from indicators_lab.catalogue.frameworks import GCM_KEY, ActionView, ObjectiveView, item_text
from indicators_lab.mapping.embeddings import Encoder, text_hash, write_vectors
from indicators_lab.mapping.suggestions import ObjectiveTexts


def objectives_from_doc(doc: dict) -> list[ObjectiveView]:
    """The GCM objectives of a shipped gcm.json, as ``list_objectives`` returns them."""
    return [
        ObjectiveView(
            o["number"], o["title"], o["commitment"], o["commitment_paragraph"],
            o["commitment_source"], o.get("text_note", ""), bool(o["text_incomplete"]),
            tuple(ActionView(a["letter"], a["text"], a.get("status", ""),
                             bool(a.get("text_incomplete"))) for a in o["actions"]),
        )
        for o in sorted(doc["objectives"], key=lambda o: o["number"])
    ]


def objective_texts(obj: ObjectiveTexts) -> list[str]:
    """Every objective text that suggestions encode: titles, commitment sentences, actions."""
    return [*obj.titles, *(s for _, s in obj.commitment), *(t for _, _, t in obj.actions)]


def item_texts(rows: list[dict]) -> list[str]:
    """Every text an item is encoded by: with its context (mapping, sets) and bare (evaluation)."""
    return [t for row in rows for t in (item_text(row), item_text(row, context=False))]


def shipped_texts(frameworks_dir: Path) -> list[str]:
    """The distinct texts of the catalogues in ``frameworks_dir``, in a fixed order."""
    texts: list[str] = []
    for path in sorted(frameworks_dir.glob("*.json")):
        doc = json.loads(path.read_text(encoding="utf-8"))
        if doc["framework"]["key"] == GCM_KEY:
            texts += objective_texts(ObjectiveTexts.from_objectives(objectives_from_doc(doc)))
        else:
            texts += item_texts(doc["items"])
    return sorted(set(texts), key=text_hash)


def build_shipped_vectors(frameworks_dir: Path, out: Path, encoder: Encoder) -> int:
    """Encode every shipped text with ``encoder`` and write ``out``; return the text count."""
    texts = shipped_texts(frameworks_dir)
    vectors = encoder.encode(texts)
    write_vectors(out, encoder.name, [text_hash(t) for t in texts], vectors)
    return len(texts)
