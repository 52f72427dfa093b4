"""Build the shipped catalogues in src/indicators_lab/data/frameworks/ from ../shared/sources/,
then the vectors of their texts in src/indicators_lab/data/embeddings/ (with the real model).

Run from the project root:  python scripts/build_frameworks.py [--sources ../shared/sources]

Nothing is invented: every text comes from a source file; what a source lacks is recorded
as a gap (shown in the app) instead of being filled in. See src/indicators_lab/data/frameworks/SOURCES.md.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import re
import unicodedata
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "src" / "indicators_lab" / "data" / "frameworks"
VECTORS_OUT = ROOT / "src" / "indicators_lab" / "data" / "embeddings"


def _norm_space(text: str) -> str:
    return " ".join(text.split())


def _same_wording(a: str, b: str) -> bool:
    """True when two titles differ only in dash style, spacing or case."""

    def fold(s: str) -> str:
        s = unicodedata.normalize("NFKC", s)
        s = re.sub(r"[\u2010-\u2015\u2212]", "-", s)
        return re.sub(r"\s+", "", s).lower()

    return fold(a) == fold(b)


def _version(payload: dict) -> str:
    blob = json.dumps(payload, sort_keys=True, ensure_ascii=False).encode()
    return hashlib.sha256(blob).hexdigest()[:16]


def _write(name: str, framework: dict, body: dict, out: Path) -> dict:
    framework = dict(framework, version=_version(body))
    doc = {"framework": framework, **body}
    path = out / f"{name}.json"
    path.write_text(json.dumps(doc, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return doc


# --------------------------------------------------------------------------- GCM

OBJ_RE = re.compile(r"^## Objective (\d+): (.+)$")
COMMIT_RE = re.compile(r"^Commitment(?: \(para\. (\d+)\))?: (.+)$")
ACTION_RE = re.compile(r"^- ([a-z])\. (.+)$")
STATUS_RE = re.compile(r"\s*_\[(.+?)\]_\s*$")
GAP_RE = re.compile(r"\[\.\.\.GAP: ([^\]]+)\.\.\.\]")


def build_gcm(src: Path, out: Path = OUT) -> dict:
    objectives: list[dict] = []
    current: dict | None = None
    for raw in (src / "gcm_objectives_actions.md").read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if m := OBJ_RE.match(line):
            current = {
                "number": int(m.group(1)),
                "title": m.group(2).strip(),
                "commitment": None,
                "commitment_paragraph": None,
                "commitment_source": "",
                "text_note": "",
                "actions": [],
            }
            objectives.append(current)
        elif current is None:
            continue
        elif line.startswith("> NOTE:"):
            current["text_note"] = line[len("> NOTE:") :].strip()
        elif m := COMMIT_RE.match(line):
            current["commitment"] = m.group(2).strip()
            current["commitment_paragraph"] = int(m.group(1)) if m.group(1) else None
        elif line.startswith("_Commitment source:"):
            current["commitment_source"] = line.strip("_")[len("Commitment source:") :].strip()
        elif m := ACTION_RE.match(line):
            text = m.group(2)
            status = ""
            if sm := STATUS_RE.search(text):
                status = sm.group(1).strip()
                text = text[: sm.start()]
            incomplete = bool(GAP_RE.search(text)) or status.upper().startswith("PARTIAL")
            current["actions"].append(
                {
                    "letter": m.group(1),
                    "text": text.strip(),
                    "status": status,
                    "text_incomplete": incomplete,
                }
            )
    for obj in objectives:
        gaps = []
        if not obj["commitment"]:
            gaps.append("The commitment paragraph is not in the shipped sources.")
        partial = [a["letter"] for a in obj["actions"] if a["text_incomplete"]]
        if partial:
            gaps.append(
                "Action text incomplete for " + ", ".join(f"({p})" for p in partial) + "."
            )
        if obj["number"] == 20:
            gaps.append("Any actions after (i) were not retrieved.")
        obj["text_incomplete"] = bool(gaps)
        obj["gaps"] = " ".join(gaps)

    principles_doc = json.loads((src / "gcm_guiding_principles.json").read_text(encoding="utf-8"))
    principles = [
        {"code": p["code"], "name": p["name"], "text": p["text"], "status": p.get("status", "")}
        for p in principles_doc["principles"]
    ]
    assert len(objectives) == 23, len(objectives)
    assert [o["number"] for o in objectives] == list(range(1, 24))
    assert len(principles) == 10, len(principles)
    framework = {
        "key": "gcm",
        "name": "Global Compact for Safe, Orderly and Regular Migration (A/RES/73/195): objectives, actions and guiding principles",
        "description": "The 23 GCM objectives with their commitment paragraphs (where retrieved) and lettered actions, and the 10 guiding principles.",
        "is_partial": True,
        "source": "franckalbinet/iomeval @ 764bc4c (gcms_long.md) for objectives 1-19 and 21-23; UN web pages and A/RES/73/195 excerpts for objective 20, commitments and principles.",
        "licence": "GCM text: UN General Assembly resolution A/RES/73/195. Extraction: Apache-2.0 (iomeval).",
        "gaps": "Commitment paragraphs missing for objectives 6, 8 and 18; objective 20 actions (d) and (i) incomplete and any actions after (i) not retrieved; some titles are in Title Case as in the source.",
    }
    return _write("gcm", framework, {"objectives": objectives, "principles": principles}, out)


# --------------------------------------------------------------------------- SDG

REPEAT_RE = re.compile(r"((?:\d+\.[0-9a-z]+\.\d+/)+\d+\.[0-9a-z]+\.\d+)[^.]*?are repeats")


def _split_agencies(text: str) -> list[str]:
    return [a.strip() for a in re.split(r"[,;\n]", text) if a.strip()]


def build_sdg(src: Path, out: Path = OUT) -> dict:
    goals = yaml.safe_load((src / "opensdg_en_global_goals.yml").read_text(encoding="utf-8"))
    targets = yaml.safe_load((src / "opensdg_en_global_targets.yml").read_text(encoding="utf-8"))
    indicators = yaml.safe_load(
        (src / "opensdg_en_global_indicators.yml").read_text(encoding="utf-8")
    )
    translated = {
        lang: {part: yaml.safe_load((src / f"opensdg_{lang}_global_{part}.yml").read_text(encoding="utf-8"))
               for part in ("goals", "targets", "indicators")}
        for lang in TRANSLATED_LANGUAGES
    }
    with (src / "sdg_indicators_tier_classification_2022-11-30.csv").open(
        encoding="utf-8", newline=""
    ) as fh:
        rows = list(csv.DictReader(fh))

    # Repeated indicators: the tier list's notes say "a/b/c are repeats"; the first code
    # in SDG order is kept, the others become aliases with their own targets.
    alias_of: dict[str, str] = {}
    for r in rows:
        if r["is_duplicate"].strip() != "1":
            continue
        m = REPEAT_RE.search(r["notes"].replace("\n", " "))
        if not m:
            raise ValueError(f"repeat without a group in notes: {r['indicator_num']}")
        group = m.group(1).split("/")
        for code in group[1:]:
            alias_of.setdefault(code, group[0])

    def key(code: str, suffix: str = "title") -> str:
        return code.replace(".", "-") + f"-{suffix}"

    items: dict[str, dict] = {}
    order = 0
    for r in rows:
        code = r["indicator_num"].strip()
        target = r["target_num"].strip()
        goal = r["goal_num"].strip()
        csv_title = _norm_space(r["indicator"].strip().split(" ", 1)[1])
        target_title = _norm_space(
            targets.get(key(target), r["target"].strip().split(" ", 1)[1])
        )
        canonical = alias_of.get(code, code)
        if canonical != code:
            item = items[canonical]
            item["attributes"]["also_codes"].append(code)
            item["attributes"]["targets"].append(target)
            item["attributes"]["target_titles"][target] = target_title
            if not _same_wording(csv_title, item["title"]):
                item["attributes"].setdefault("alias_titles", {})[code] = csv_title
            continue
        new_title = indicators.get(key(code))
        title = _norm_space(new_title) if new_title else csv_title
        former = None if new_title is None or _same_wording(title, csv_title) else csv_title
        order += 1
        items[code] = {
            "code": code,
            "title": title,
            "former_title": former,
            "description": "",
            "parent_code": target,
            "level": "indicator",
            "position": order,
            "attributes": {
                "goal": goal,
                "goal_title": _norm_space(goals.get(f"{goal}-title", r["goal_text"])),
                "target": target,
                "target_title": target_title,
                "targets": [target],
                "target_titles": {target: target_title},
                "also_codes": [],
                "tier": r["updated_tier"].strip() or r["initial_tier"].strip(),
                "initial_tier": r["initial_tier"].strip(),
                "custodian": ", ".join(_split_agencies(r["cust_agency"])),
                "custodians": _split_agencies(r["cust_agency"]),
                "partner": ", ".join(_split_agencies(r["partner_agency"])),
                "notes": _norm_space(r["notes"]),
                "gender_specific_unw": r["unw_gender_specific"].strip() == "Yes",
                "gender_specific_iaeg": r["iaeg_gender_specific"].strip() == "Yes",
                "title_source": "open-sdg 2025" if new_title else "IAEG-SDGs tier list 2022-11-30",
                "translations": _sdg_translations(translated, code if new_title else None, target, goal, key),
            },
        }
    assert len(items) == 231, len(items)
    _attach_metadata_coverage(src, items)
    framework = {
        "key": "sdg",
        "name": "SDG global indicator framework",
        "description": "The global SDG indicators (231 unique; repeated indicators are kept once with all their codes and targets), with goal, target, tier, custodian and partner agencies.",
        "is_partial": False,
        "source": "Indicator list, tiers and agencies: IAEG-SDGs tier classification of 30 Nov 2022 (cleaned by lnoe10/sdg_tier_classifications @ 45d3388). Goal, target and current indicator titles: open-sdg/sdg-translations @ 0cda585 (2025-08-19), in English, French and Spanish (community translations, not checked against the official UN texts).",
        "licence": "Titles: MIT (open-sdg/sdg-translations). Tier list: UN IAEG-SDGs data; the cleaned copy has no licence file.",
        "gaps": "The tier classification dates from 2022-11-30: later revisions (tiers, custodians, indicators added in 2025) are not included. Where the titles differ, the newer open-sdg title is shown and the 2022 one kept as former title. Data availability and disaggregation text (metadata_coverage) is the COVERAGE field of the UN SDG global metadata as stored in worldbank/sdg-metadata, not always its newest version; 10 codes have none (see sdg_metadata_coverage_missing.txt in the sources).",
        "meta": {"metadata_coverage_source": COVERAGE_SOURCE},
    }
    return _write("sdg", framework, {"items": list(items.values())}, out)


TRANSLATED_LANGUAGES = ("fr", "es")


def _sdg_translations(translated: dict, code: str | None, target: str, goal: str, key) -> dict:
    """French and Spanish titles from open-sdg (same keys as the English files). The indicator's
    title only where its English title is open-sdg's too (else the two would not say the same)."""
    out = {}
    for lang, parts in translated.items():
        texts = {
            "title": parts["indicators"].get(key(code)) if code else None,
            "target_title": parts["targets"].get(key(target)),
            "goal_title": parts["goals"].get(f"{goal}-title"),
        }
        # NFC: some source titles spell accents as combining marks ("e" + U+0301).
        texts = {k: unicodedata.normalize("NFC", _norm_space(v)) for k, v in texts.items()
                 if isinstance(v, str) and v.strip()}
        if texts:
            out[lang] = texts
    return out


COVERAGE_SOURCE = (
    "UN SDG global metadata, field COVERAGE (Data availability, Disaggregation), via "
    "github worldbank/sdg-metadata api/<indicator>/COVERAGE/<lang>.json, read file by file; "
    "the commit of each text is in its record. Repository MIT (Center for Open Data Enterprise); "
    "text: the official UN SDG metadata (custodian agencies, UN Statistics Division)."
)


def _attach_metadata_coverage(src: Path, items: dict[str, dict]) -> None:
    """Each indicator gets its metadata's COVERAGE records verbatim (one per part for split
    indicators, and those of its repeat codes), with the repository and commit they came from."""
    records = json.loads((src / "sdg_metadata_coverage.json").read_text(encoding="utf-8"))
    owner: dict[str, str] = {}
    for code, item in items.items():
        for c in [code, *item["attributes"]["also_codes"]]:
            owner[c] = code
    attached = 0
    for rec in records:
        code = owner[rec["code"]]  # every record's code is in the catalogue (KeyError otherwise)
        rec = dict(rec, source=f"worldbank/sdg-metadata @ {rec['commit']}: {rec['source_path']}")
        items[code]["attributes"].setdefault("metadata_coverage", []).append(rec)
        attached += 1
    assert attached == len(records) == 248, attached


# --------------------------------------------------------------------------- 10.7.2


def build_10_7_2(src: Path, out: Path = OUT) -> dict:
    doc = json.loads((src / "sdg_10_7_2_methodology.json").read_text(encoding="utf-8"))
    items = []
    pos = 0
    for d in doc["domains"]:
        pos += 1
        items.append(
            {
                "code": d["code"],
                "title": d["name"],
                "description": d["proxy_measure"],
                "parent_code": None,
                "level": "domain",
                "position": pos,
                "former_title": None,
                "attributes": {
                    "domain": d["code"],
                    "question": d["question"],
                    "proxy_measure": d["proxy_measure"],
                    "sdmx_code": d.get("sdmx_code", ""),
                },
            }
        )
        for s in d["subcategories"]:
            pos += 1
            items.append(
                {
                    "code": s["code"],
                    "title": s["text"],
                    "description": d["question"],
                    "parent_code": d["code"],
                    "level": "sub-category",
                    "position": pos,
                    "former_title": None,
                    "attributes": {"domain": d["code"], "domain_name": d["name"]},
                }
            )
    subs = [i for i in items if i["level"] == "sub-category"]
    assert len(subs) == 30 and len(items) == 36, (len(subs), len(items))
    framework = {
        "key": "10.7.2",
        "name": "SDG indicator 10.7.2: migration policies (6 domains, 30 sub-categories)",
        "description": doc.get("indicator_title", ""),
        "is_partial": False,
        "source": "UN SDG global metadata for 10.7.2 (last updated 2021-03-01) via worldbank/sdg-metadata @ 081362c / 510701a.",
        "licence": "Repository MIT (Center for Open Data Enterprise); content: official UN SDG metadata (custodians IOM and UN DESA).",
        "gaps": "Data and questionnaire wording after 2021-03-01 are not included. Sub-category codes 1a-6e are built from the domain number and letter.",
        "meta": {
            "scoring": doc["scoring"],
            "custodian_agencies": doc.get("custodian_agencies"),
            "metadata_last_updated": doc.get("metadata_last_updated"),
        },
    }
    return _write("10.7.2", framework, {"items": items}, out)


# --------------------------------------------------------------------------- MGI


def build_mgi(src: Path, out: Path = OUT) -> dict:
    doc = json.loads((src / "iom_mgi_dimensions.json").read_text(encoding="utf-8"))
    items = []
    pos = 0
    for d in doc["dimensions"]:
        pos += 1
        description = d.get("description") or ""
        items.append(
            {
                "code": d["code"],
                "title": d["name"],
                "description": description,
                "parent_code": None,
                "level": "dimension",
                "position": pos,
                "former_title": None,
                "attributes": {
                    "dimension": d["code"],
                    "source_status": d.get("status", ""),
                    "policy_areas_retrieved": d.get("policy_areas") is not None,
                },
            }
        )
        for n, area in enumerate(d.get("policy_areas") or [], start=1):
            pos += 1
            items.append(
                {
                    "code": f"{d['code']}.PA{n}",
                    "title": area,
                    "description": "",
                    "parent_code": d["code"],
                    "level": "policy area",
                    "position": pos,
                    "former_title": None,
                    "attributes": {"dimension": d["code"], "dimension_name": d["name"]},
                }
            )
    framework = {
        "key": "mgi",
        "name": "IOM Migration Governance Indicators (MGI)",
        "description": doc["about"]["text"],
        "is_partial": True,
        "source": "; ".join(s["url"] for s in doc["sources"]),
        "licence": doc["licence"],
        "gaps": "Only the six dimensions and the public policy areas of dimensions 1-3 are shipped; policy areas of dimensions 4-6 and the full list of about 90 MGI questions are not. Import IOM's question list (XLSX) into this framework key to complete it. Policy-area codes (e.g. 1.PA1) are made here, not IOM's.",
        "meta": {"facts": doc["facts"]},
    }
    return _write("mgi", framework, {"items": items}, out)


BUILDERS = (build_gcm, build_sdg, build_10_7_2, build_mgi)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sources", type=Path, default=ROOT.parent / "shared" / "sources")
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--vectors-out", type=Path, default=VECTORS_OUT)
    parser.add_argument("--skip-vectors", action="store_true",
                        help="only the catalogues (the vectors need the model: ~30 s)")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    for build in BUILDERS:
        doc = build(args.sources, args.out)
        n = len(doc.get("items", doc.get("objectives", [])))
        print(f"{doc['framework']['key']}: {n} entries, version {doc['framework']['version']}")
    if not args.skip_vectors:
        build_vectors(args.out, args.vectors_out)


def build_vectors(frameworks_dir: Path, out_dir: Path) -> Path:
    """Pre-compute the embedding of every text the app encodes for the shipped catalogues."""
    from indicators_lab.mapping.embeddings import MiniLMEncoder
    from indicators_lab.mapping.shipped_vectors import build_shipped_vectors

    encoder = MiniLMEncoder()
    path = out_dir / f"{encoder.name}.npz"
    n = build_shipped_vectors(frameworks_dir, path, encoder)
    print(f"vectors: {n} texts, {path.stat().st_size // 1024} KiB, {path.name}")
    return path


if __name__ == "__main__":
    main()
