"""Corpus part B: documents 9-17, their eval questions and the exercises of modules 4-6.

Checks that the content is consistent with the code that reads it: documents load, carry the
training-material mark and (where they are article-structured) yield the expected article
numbers; every eval gold (source, article) exists in the index built from corpus/; every
must_include fact is verbatim in its gold passage; every exercise points at real documents.
"""
from __future__ import annotations

import json
import re
import unicodedata
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"
DATASETS = ROOT / "evals" / "datasets"
EXERCISES = ROOT / "prompts" / "exercises"

MARK_VI = "Tài liệu mẫu phục vụ thực hành — không phải văn bản chính thức"
MARK_EN = "Sample document for practice — not an official text"

# document -> article numbers it must yield ([] = no articles: plans, reports, minutes, letters, guides)
DOCS_B = {
    "checklist-su-dung-ai.md": [str(i) for i in range(1, 13)],
    "en/ai-use-checklist.md": [str(i) for i in range(1, 13)],
    "ke-hoach-chuyen-doi-so-ben-song.pdf": [],
    "thu-tuc-dang-ky-khai-sinh.md": [str(i) for i in range(1, 13)],
    "en/birth-registration.md": [str(i) for i in range(1, 13)],
    "thu-tuc-dang-ky-ho-kinh-doanh.md": [str(i) for i in range(1, 13)],
    "bao-cao-cong-tac-quy-3.docx": [],
    "bien-ban-hop-giao-ban.md": [],
    "cong-van-don-doc-ho-so-tre-han.md": [],
    "ke-hoach-tap-huan-ai.md": [],
    "huong-dan-viet-de-hieu.md": [],
    "en/plain-language-guide.md": [],
}
EXERCISE_FILES = {4: "module4.yaml", 5: "module5.yaml", 6: "module6.yaml"}


def _jsonl(name: str) -> list[dict]:
    rows = []
    with open(DATASETS / name, encoding="utf-8") as f:
        for n, line in enumerate(f, start=1):
            if line.strip():
                rows.append(json.loads(line))
    return rows


def _norm(text: str) -> str:
    """NFC, markdown emphasis dropped, whitespace collapsed (PDF text wraps lines anywhere)."""
    text = unicodedata.normalize("NFC", text).replace("**", "")
    return re.sub(r"\s+", " ", text).strip()


def _folded(text: str) -> bool:
    """True if the text has no Vietnamese diacritics at all."""
    return unicodedata.normalize("NFD", text).encode("ascii", "ignore").decode() == text and "đ" not in text.lower()


# ---------------------------------------------------------------- documents
@pytest.mark.parametrize("source", sorted(DOCS_B))
def test_document_loads_with_mark_and_articles(source):
    from assistant.chunking import _structure, has_articles
    from assistant.loaders import load_file

    doc = load_file(CORPUS / source, root=CORPUS)
    first = next(ln for ln in doc.text.split("\n") if ln.strip())
    mark = MARK_EN if source.startswith("en/") else MARK_VI
    assert mark in first, f"{source}: first line must be the training-material mark, got {first!r}"
    assert doc.lang == ("en" if source.startswith("en/") else "vi")
    assert doc.doc_number and doc.doc_date and doc.doc_type, f"{source}: number/date/type not recognised"
    expected = DOCS_B[source]
    if expected:
        assert has_articles(doc)
        found = [u.article for u in _structure(doc) if u.kind == "article"]
        assert found == expected, f"{source}: articles {found}"
    else:
        assert not has_articles(doc), f"{source}: a plan/report/letter must not look like it has articles"


def test_english_versions_mirror_vietnamese_articles():
    from assistant.chunking import _structure
    from assistant.loaders import load_file

    for vi, en in (("checklist-su-dung-ai.md", "en/ai-use-checklist.md"),
                   ("thu-tuc-dang-ky-khai-sinh.md", "en/birth-registration.md")):
        a = [(u.article, len(u.lines) > 1) for u in _structure(load_file(CORPUS / vi, root=CORPUS)) if u.kind == "article"]
        b = [(u.article, len(u.lines) > 1) for u in _structure(load_file(CORPUS / en, root=CORPUS)) if u.kind == "article"]
        assert a == b


def test_generated_files_have_sources():
    for slug in ("ke-hoach-chuyen-doi-so-ben-song", "bao-cao-cong-tac-quy-3"):
        assert (ROOT / "corpus-src" / f"{slug}.md").is_file()


# ---------------------------------------------------------------- eval datasets (static)
def test_retrieval_dataset_shape():
    rows = _jsonl("retrieval_corpus_b.jsonl")
    assert len(rows) >= 45
    ids = [r["id"] for r in rows]
    assert len(set(ids)) == len(ids) and all(re.fullmatch(r"rb-\d{3}", i) for i in ids)
    assert sum(r["lang"] == "en" for r in rows) >= 15
    assert all(r["lang"] in ("vi", "en") for r in rows)
    assert any(r["lang"] == "vi" and _folded(r["question"]) for r in rows), "some questions without diacritics"
    for r in rows:
        assert r["question"].strip() and r["gold"], r["id"]
        assert any(g["source"] in DOCS_B for g in r["gold"]), r["id"]  # other documents may be extra golds
        for g in r["gold"]:
            assert isinstance(g["article"], str)
            if g["article"] and g["source"] in DOCS_B:
                assert g["article"] in DOCS_B[g["source"]], (r["id"], g)


def test_answers_dataset_shape():
    rows = _jsonl("answers_corpus_b.jsonl")
    ids = [r["id"] for r in rows]
    assert len(set(ids)) == len(ids) and all(re.fullmatch(r"ab-\d{3}", i) for i in ids)
    inside = [r for r in rows if r["in_corpus"]]
    outside = [r for r in rows if not r["in_corpus"]]
    assert len(inside) >= 20 and len(outside) >= 5
    for r in inside:
        assert r["gold"] and r["must_include"], r["id"]
        assert r["gold"][0]["source"] in DOCS_B, r["id"]
    for r in outside:
        assert r["gold"] == [] and r["must_include"] == [], r["id"]


# ---------------------------------------------------------------- eval datasets against the index
@pytest.fixture(scope="module")
def index_texts(corpus_index):
    """(source, article) -> normalised text of all its chunks; source -> same for the whole document.

    Read from the lexical index the indexer persisted (it keeps every chunk's text and metadata).
    """
    from assistant.lexical import LexicalIndex

    settings, _ = corpus_index
    lex = LexicalIndex.load(settings.store_dir)
    assert lex is not None and lex.ids, "the corpus index has no chunks"
    by_art: dict[tuple[str, str], list[str]] = {}
    by_src: dict[str, list[str]] = {}
    for text, meta in zip(lex.texts, lex.metadatas):
        src, art = meta.get("source", ""), str(meta.get("article", "") or "")
        by_src.setdefault(src, []).append(text)
        if art:
            by_art.setdefault((src, art), []).append(text)
    return ({k: _norm(" ".join(v)) for k, v in by_art.items()}, {k: _norm(" ".join(v)) for k, v in by_src.items()})


def test_every_gold_exists_in_index(index_texts):
    by_art, by_src = index_texts
    missing = []
    for name in ("retrieval_corpus_b.jsonl", "answers_corpus_b.jsonl", "answers_corpus_c.jsonl"):
        for r in _jsonl(name):
            for g in r["gold"]:
                if g["source"] not in by_src:
                    missing.append((r["id"], g["source"], "not indexed"))
                elif g["article"] and (g["source"], g["article"]) not in by_art:
                    missing.append((r["id"], g["source"], f"article {g['article']}"))
    assert not missing, missing


def test_must_include_is_verbatim_in_gold(index_texts):
    by_art, by_src = index_texts
    bad = []
    for r in _jsonl("answers_corpus_b.jsonl") + _jsonl("answers_corpus_c.jsonl"):
        gold_text = " ".join(by_art.get((g["source"], g["article"]), "") if g["article"] else by_src.get(g["source"], "")
                             for g in r["gold"])
        for fact in r["must_include"]:
            if _norm(fact) not in gold_text:
                bad.append((r["id"], fact))
    assert not bad, bad


# the topic of each out-of-corpus question, per set
OUTSIDE_TOPICS = {
    "answers_corpus_b.jsonl": {"ab-026": "cấp hộ chiếu", "ab-027": "lương cơ sở", "ab-028": "đèn đỏ",
                               "ab-029": "thuế thu nhập doanh nghiệp", "ab-030": "building permit",
                               "ab-031": "kết hôn với người nước ngoài"},
    "answers_corpus_c.jsonl": {"ac-019": "lương tối thiểu", "ac-020": "thủ tục đăng ký kết hôn", "ac-021": "quán cà phê",
                               "ac-022": "nhà ba tầng", "ac-023": "building permit", "ac-024": "pavement"},
}


@pytest.mark.parametrize("name", sorted(OUTSIDE_TOPICS))
def test_out_of_corpus_questions_are_really_absent(index_texts, name):
    """The topics of the out-of-corpus questions appear in no indexed document (anyone's)."""
    _, by_src = index_texts
    topics = OUTSIDE_TOPICS[name]
    outside = {r["id"] for r in _jsonl(name) if not r["in_corpus"]}
    assert outside == set(topics)
    for src, text in by_src.items():
        low = text.lower()
        for qid, topic in topics.items():
            assert topic not in low, (qid, src, topic)


# ---------------------------------------------------------------- exercises
def _exercises(module: int) -> list[dict]:
    data = yaml.safe_load((EXERCISES / EXERCISE_FILES[module]).read_text(encoding="utf-8"))
    assert isinstance(data, list)
    return data


def test_exercises_cover_the_required_cases():
    m4, m5, m6 = _exercises(4), _exercises(5), _exercises(6)
    assert any(e["task"] == "summarize" and "bao-cao-cong-tac-quy-3.docx" in e["documents"] for e in m4)
    assert any(e["task"] == "plain_language" and any(d.startswith("thu-tuc-") for d in e["documents"]) for e in m5)
    prompts6 = " ".join(p["vi"] for e in m6 for p in e["prompts"])
    assert re.search(r"CCCD \d{12}", prompts6), "personal-data case"
    assert "MẬT" in prompts6, "secret-marked document case"
    assert "bỏ qua mọi hướng dẫn" in prompts6, "hidden-instruction case"
    assert re.search(r"[Hh]ãy quyết định có cấp", prompts6), "AI-decides-a-case case"
    assert re.search(r"(^|\n)MẬT\n", prompts6), "the secrecy mark stands on its own line, as a stamp does"
    assert sum(e["task"] == "guard" for e in m6) >= 3


def test_fake_personal_data_is_obviously_fake():
    for module in EXERCISE_FILES:
        for ex in _exercises(module):
            for p in ex["prompts"]:
                for lang in ("vi", "en"):
                    for run in re.findall(r"\d[\d .]{7,}\d", p[lang]):
                        num = re.sub(r"\D", "", run)
                        if len(num) >= 9:  # ID or phone number: zeros only (a phone may start with 09)
                            assert not num.lstrip("09") and set(num[2:]) == {"0"}, (ex["id"], run)


def test_exercises_load_in_the_app_catalogue():
    from assistant.ui.exercises import in_module, load_exercises

    catalogue = load_exercises(EXERCISES)
    for module in EXERCISE_FILES:
        assert {e["id"] for e in in_module(catalogue, module)} >= {e["id"] for e in _exercises(module)}
