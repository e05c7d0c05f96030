"""Measure the cross-language cosine gap of the embedding model on XQuAD dev (assistant.fusion.CROSS_LANGUAGE_GAP).

    .venv/bin/python scripts/measure_cross_language_gap.py [--model NAME]

XQuAD has the same paragraphs in English and Vietnamese. For every English DEV question (the split of
``assistant.evals.retrieval.xquad_questions``), the cosine of the question with its paragraph in English minus its
cosine with the same paragraph in Vietnamese: how much a multilingual model prefers a passage in the question's
own language to its translation. The median is what fusion adds to a Vietnamese passage's cosine for an English
question. The other direction (Vietnamese questions) is printed too. Only dev questions are read; the shipped
retrieval questions are not used here (their dev split picks the weight, docs/retrieval.md).
"""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")


def gaps(embedder, q_lang: str) -> list[float]:
    import numpy as np

    from assistant.evals import retrieval as R

    other = "vi" if q_lang == "en" else "en"
    own_paras, questions = R.xquad_questions(q_lang)
    other_paras, _ = R.xquad_questions(other)
    dev = [q for q in questions if q["split"] == "dev"]
    names = sorted({q["gold"][0]["source"] for q in dev})
    own_txt, other_txt = dict(own_paras), dict(other_paras)
    own = dict(zip(names, embedder.encode_passage([own_txt[n] for n in names])))
    oth = dict(zip(names, embedder.encode_passage([other_txt[n] for n in names])))
    qv = embedder.encode_query([q["question"] for q in dev])
    return [float(np.dot(v, own[q["gold"][0]["source"]]) - np.dot(v, oth[q["gold"][0]["source"]]))
            for q, v in zip(dev, qv)]


def main() -> int:
    import numpy as np

    from assistant.embeddings import get_embedder
    from assistant.evals.retrieval import xquad_present

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", default="", help="embedding model (default: the app's default)")
    args = ap.parse_args()
    if not xquad_present():
        print("XQuAD not found (../shared/data/xquad): nothing to measure", file=sys.stderr)
        return 1
    emb = get_embedder(args.model)
    for lang in ("en", "vi"):
        g = gaps(emb, lang)
        q25, q50, q75 = np.percentile(g, [25, 50, 75])
        print(f"{emb.name}: {lang} questions (dev, {len(g)}): own-language minus translation cosine "
              f"median {q50:.3f} (quartiles {q25:.3f} / {q75:.3f})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
