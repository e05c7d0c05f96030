"""Corpus part A: documents 1-8, their eval questions and the exercises of modules 1-3.

Checks that the content agrees with the code that reads it: every document loads, starts with
the training-material mark and yields exactly the article numbers it was written with (PDF
pages kept); generated PDF/DOCX files match their sources in corpus-src/; every eval gold
(source, article) exists in the index built from corpus/; every must_include fact is verbatim
in its gold article; every exercise points at real documents and uses a known task.
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
SRC = ROOT / "corpus-src"
DATASETS = ROOT / "evals" / "datasets"
EXERCISES = ROOT / "prompts" / "exercises"

MARK_VI = "Tài liệu mẫu phục vụ thực hành — không phải văn bản chính thức"
MARK_EN = "Sample document for practice — not an official text"


def _n(k: int) -> list[str]:
    return [str(i) for i in range(1, k + 1)]


# document -> the article numbers it must yield, in order
DOCS_A = {
    "the-thuc-van-ban.pdf": _n(16),
    "van-thu-luu-tru.docx": _n(16),
    "mot-cua-lien-thong.pdf": _n(15),
    "bao-ve-du-lieu-ca-nhan.md": _n(13),
    "bao-ve-bi-mat-nha-nuoc.md": _n(14),
    "an-toan-thong-tin.md": _n(14),
    "tiep-can-thong-tin.md": _n(12),
    "quy-che-su-dung-ai.docx": _n(13),
    "en/ai-use-regulation.md": _n(13),
}
GENERATED = {"the-thuc-van-ban.pdf", "van-thu-luu-tru.docx", "mot-cua-lien-thong.pdf", "quy-che-su-dung-ai.docx"}
EXERCISE_FILES = {1: "module1.yaml", 2: "module2.yaml", 3: "module3.yaml"}
# words of the out-of-corpus questions that no shipped document may contain
ABSENT_TOPICS = ["thuế sử dụng đất", "bóng đá", "lương cơ sở", "trước bạ", "speed limit", "motorway"]


def _jsonl(name: str) -> list[dict]:
    with open(DATASETS / name, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def _norm(text: str) -> str:
    """NFC, Markdown emphasis dropped, whitespace collapsed (PDF text wraps lines anywhere)."""
    text = unicodedata.normalize("NFC", text).replace("**", "")
    return re.sub(r"\s+", " ", text).strip()


def _folded(text: str) -> bool:
    return unicodedata.normalize("NFD", text).encode("ascii", "ignore").decode() == text and "đ" not in text.lower()


# ---------------------------------------------------------------- documents (no model needed)
@pytest.mark.parametrize("source", sorted(DOCS_A))
def test_document_loads_with_mark_and_articles(source):
    from assistant.chunking import _structure, has_articles
    from assistant.loaders import load_file

    doc = load_file(CORPUS / source, root=CORPUS)
    first = next(ln for ln in doc.text.split("\n") if ln.strip())
    mark = MARK_EN if source.startswith("en/") else MARK_VI
    assert mark in first, f"{source}: first line must be the training-material mark, got {first!r}"
    assert doc.lang == ("en" if source.startswith("en/") else "vi")
    assert doc.doc_number and doc.doc_date and doc.doc_type, f"{source}: number/date/type not recognised"
    assert has_articles(doc)
    units = [u for u in _structure(doc) if u.kind == "article"]
    assert [u.article for u in units] == DOCS_A[source], source
    assert all(u.article_title for u in units), f"{source}: an article lost its title"
    if source.endswith(".pdf"):
        assert len(doc.pages) >= 4, f"{source}: a real multi-page layout is expected"
        pages = [u.lines[0].page for u in units]
        assert pages == sorted(pages) and pages[0] == 1 and pages[-1] >= len(doc.pages) - 1, (source, pages)


def test_english_version_mirrors_vietnamese_articles():
    from assistant.chunking import _structure
    from assistant.loaders import load_file

    vi = [u.article for u in _structure(load_file(CORPUS / "quy-che-su-dung-ai.docx", root=CORPUS)) if u.kind == "article"]
    en = [u.article for u in _structure(load_file(CORPUS / "en/ai-use-regulation.md", root=CORPUS)) if u.kind == "article"]
    assert vi == en


def test_state_secret_markings_only_inside_sentences():
    """The guard refuses marked documents: the secret-protection rules must never carry a stand-alone stamp line."""
    text = (CORPUS / "bao-ve-bi-mat-nha-nuoc.md").read_text(encoding="utf-8")
    for line in text.split("\n"):
        bare = re.sub(r"[*_#«»\"'()\[\]\s.:-]", "", line).upper()
        assert bare not in {"MẬT", "TỐIMẬT", "TUYỆTMẬT"}, f"stand-alone marking line: {line!r}"


def _build_module():
    """scripts/build_corpus.py imported as a module (it is a script, not part of the package)."""
    import importlib.util
    import sys

    if "build_corpus" not in sys.modules:
        spec = importlib.util.spec_from_file_location("build_corpus", ROOT / "scripts" / "build_corpus.py")
        module = importlib.util.module_from_spec(spec)
        sys.modules["build_corpus"] = module  # dataclasses look their module up while the class is made
        spec.loader.exec_module(module)
    return sys.modules["build_corpus"]


def test_generated_files_match_their_sources(tmp_path):
    """corpus/*.pdf|docx are exactly what scripts/build_corpus.py makes from corpus-src/ (rebuild and commit if not)."""
    build = _build_module()
    for name in sorted(GENERATED):
        src = build.parse_source(SRC / (Path(name).stem + ".md"))
        assert f"{src.slug}.{Path(name).suffix[1:]}" == name and Path(name).suffix[1:] in src.outputs
        (out,) = [p for p in build.build(src, tmp_path, check=False) if p.name == name]
        if name.endswith(".docx"):
            assert out.read_bytes() == (CORPUS / name).read_bytes(), f"{name} is stale: run scripts/build_corpus.py"
        else:  # bytes depend on the fpdf2 version and font files: compare the extracted text page by page
            from pypdf import PdfReader

            new = [p.extract_text() for p in PdfReader(str(out)).pages]
            old = [p.extract_text() for p in PdfReader(str(CORPUS / name)).pages]
            assert new == old, f"{name} is stale: run scripts/build_corpus.py"


def test_build_script_reports_a_missing_font(monkeypatch, tmp_path):
    build = _build_module()
    monkeypatch.setattr(build, "FONT_DIRS", [tmp_path])
    with pytest.raises(build.BuildError, match="font"):
        build.find_fonts()


# ---------------------------------------------------------------- eval datasets (static)
def test_retrieval_dataset_shape():
    rows = _jsonl("retrieval_corpus_a.jsonl")
    assert len(rows) >= 45
    ids = [r["id"] for r in rows]
    assert len(set(ids)) == len(ids) and all(re.fullmatch(r"ra-\d{3}", i) for i in ids)
    assert all(r["lang"] in ("vi", "en") for r in rows)
    assert sum(r["lang"] == "en" for r in rows) >= 10
    assert sum(r["lang"] == "vi" and _folded(r["question"]) for r in rows) >= 3, "some questions without diacritics"
    covered = set()
    for r in rows:
        assert r["question"].strip() and r["gold"], r["id"]
        for g in r["gold"]:
            assert g["source"] in DOCS_A and g["article"] in DOCS_A[g["source"]], (r["id"], g)
            covered.add(g["source"])
    assert covered == set(DOCS_A), f"documents without questions: {set(DOCS_A) - covered}"


def test_answers_dataset_shape():
    rows = _jsonl("answers_corpus_a.jsonl")
    ids = [r["id"] for r in rows]
    assert len(set(ids)) == len(ids) and all(re.fullmatch(r"aa-\d{3}", i) for i in ids)
    inside = [r for r in rows if r["in_corpus"] is True]
    outside = [r for r in rows if r["in_corpus"] is False]
    assert len(inside) >= 20 and len(outside) >= 5 and len(inside) + len(outside) == len(rows)
    for r in inside:
        assert r["gold"] and r["must_include"], r["id"]
        # gold may also name another document that states the same fact; part A's own articles are checked exactly
        assert any(g["source"] in DOCS_A for g in r["gold"]), r["id"]
        assert all(g["article"] in DOCS_A[g["source"]] for g in r["gold"] if g["source"] in DOCS_A), r["id"]
    for r in outside:
        assert r["gold"] == [] and r["must_include"] == [], r["id"]


# ---------------------------------------------------------------- eval datasets against the index
@pytest.fixture(scope="module")
def index_texts(corpus_index):
    """(source, article) -> normalised text of its chunks, and source -> text, from the index of corpus/."""
    from assistant.lexical import LexicalIndex

    settings, report = corpus_index
    lex = LexicalIndex.load(settings.store_dir)
    assert lex is not None, report
    by_art: dict[tuple[str, str], list[str]] = {}
    by_src: dict[str, list[str]] = {}
    pages: dict[str, set] = {}
    for text, meta in zip(lex.texts, lex.metadatas):
        src, art = meta.get("source", ""), str(meta.get("article", "") or "")
        by_src.setdefault(src, []).append(text)
        pages.setdefault(src, set()).add(int(meta.get("page") or 0))
        if art:
            by_art.setdefault((src, art), []).append(text)
    return ({k: _norm(" ".join(v)) for k, v in by_art.items()}, {k: _norm(" ".join(v)) for k, v in by_src.items()}, pages)


def test_every_document_is_indexed_with_articles_and_pages(index_texts):
    by_art, by_src, pages = index_texts
    for source, articles in DOCS_A.items():
        assert source in by_src, f"{source} not indexed"
        assert {a for (s, a) in by_art if s == source} == set(articles), source
        if source.endswith(".pdf"):
            assert 0 not in pages[source] and len(pages[source]) >= 4, (source, pages[source])


def test_every_gold_exists_in_index(index_texts):
    by_art, by_src, _ = index_texts
    missing = [(r["id"], g) for name in ("retrieval_corpus_a.jsonl", "answers_corpus_a.jsonl")
               for r in _jsonl(name) for g in r["gold"]
               if ((g["source"], g["article"]) not in by_art if g["article"] else g["source"] not in by_src)]
    assert not missing, missing


def test_must_include_is_verbatim_in_gold(index_texts):
    by_art, _, _ = index_texts
    bad = []
    for r in _jsonl("answers_corpus_a.jsonl"):
        gold_text = " ".join(by_art.get((g["source"], g["article"]), "") for g in r["gold"])
        bad += [(r["id"], fact) for fact in r["must_include"] if _norm(fact) not in gold_text]
    assert not bad, bad


def test_out_of_corpus_questions_are_really_absent(index_texts):
    _, by_src, _ = index_texts
    rows = [r for r in _jsonl("answers_corpus_a.jsonl") if not r["in_corpus"]]
    for topic in ABSENT_TOPICS:
        assert any(topic in r["question"].lower() for r in rows), f"topic {topic!r} is not asked"
        for src, text in by_src.items():
            assert topic not in text.lower(), (src, topic)


# ---------------------------------------------------------------- exercises
def _exercises(module: int) -> list[dict]:
    data = yaml.safe_load((EXERCISES / EXERCISE_FILES[module]).read_text(encoding="utf-8"))
    assert isinstance(data, list)
    return data


def test_exercises_cover_the_required_cases():
    m1, m2, m3 = _exercises(1), _exercises(2), _exercises(3)
    weak_strong = [e for e in m2 if len(e["prompts"]) >= 2 and "yếu" in e["title"]["vi"]]
    assert weak_strong and len(weak_strong[0]["prompts"][0]["vi"]) < len(weak_strong[0]["prompts"][1]["vi"]) / 3
    assert any(e["task"] == "extract" and "Thời hạn" in e["prompts"][0]["vi"] and "chịu trách nhiệm" in e["prompts"][0]["vi"]
               for e in m3), "deadlines and responsible units into a table"
    assert any("đối chiếu" in e["instructions"]["vi"] or "Kiểm tra câu trả lời" in e["title"]["vi"] for e in m2 + m3)
    assert any(e["task"] == "guard" for e in m1 + m2 + m3)


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
