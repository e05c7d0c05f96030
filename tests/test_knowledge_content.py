"""Knowledge checks and self-assessment scales (prompts/knowledge/): complete, bilingual, answerable, sourced.

Offline and fast: the corpus documents are read with the project's loader and chunker (no embeddings)
so a cited article or section is looked up exactly as the assistant sees it.
"""
from __future__ import annotations

import functools
import re
import string
import unicodedata
from pathlib import Path

import pytest
import yaml

from assistant.chunking import Chunker
from assistant.loaders import load_file

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"
KNOWLEDGE = ROOT / "prompts" / "knowledge"
MODULES = range(1, 7)
KINDS = {"single", "multi", "truefalse", "short"}
LEVELS = {"co-ban", "trung-binh", "nang-cao"}
LAW_WORDS = ("Luật", "Nghị định", "Thông tư", "Quyết định", "Chỉ thị", "Bộ luật")
MIN_QUESTIONS = 8


def _load(name: str):
    path = KNOWLEDGE / name
    assert path.is_file(), f"missing {path.relative_to(ROOT)}"
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def _module(m: int) -> dict:
    return _load(f"module{m}.yaml")


def _bilingual(value) -> bool:
    return isinstance(value, dict) and all(isinstance(value.get(k), str) and value[k].strip() for k in ("vi", "en"))


def _has_vietnamese_letters(text: str) -> bool:
    return any(ord(ch) > 127 for ch in text)


def fold(text: str) -> str:
    """The comparison the app is meant to use: case- and accent-insensitive, punctuation trimmed, spaces collapsed."""
    text = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).lower()
    text = " ".join(text.split())
    return text.strip(string.punctuation + " “”‘’«»…–—")


@functools.lru_cache(maxsize=None)
def _chunks(doc: str):
    loaded = load_file(CORPUS / doc, root=CORPUS)
    chunker = Chunker(lambda texts: [len(t.split()) for t in texts], max_tokens=100_000)
    return chunker.chunk(loaded)


def _article_text(doc: str, article: str) -> str:
    return "\n".join(c.text for c in _chunks(doc) if c.metadata.get("kind") == "article" and c.metadata.get("article") == article)


def _section_text(doc: str, section: str) -> str:
    return "\n".join(c.text for c in _chunks(doc) if section in c.metadata.get("breadcrumb", "").split(" › "))


def _cited_text(source: dict) -> str:
    if "article" in source:
        return _article_text(source["doc"], str(source["article"]))
    return _section_text(source["doc"], source["section"])


def _questions():
    for m in MODULES:
        for q in _module(m)["questions"]:
            yield m, q


@pytest.mark.parametrize("module", MODULES)
def test_module_file_shape(module):
    data = _module(module)
    assert isinstance(data, dict), f"module{module}.yaml must be a mapping"
    assert data["module"] == module
    assert _bilingual(data["title"])
    assert 0 < float(data["pass_share"]) <= 1
    questions = data["questions"]
    assert isinstance(questions, list) and len(questions) >= MIN_QUESTIONS, f"module {module}: at least {MIN_QUESTIONS} questions"
    kinds = [q["kind"] for q in questions]
    assert "short" in kinds and "multi" in kinds, f"module {module} needs at least one short-answer and one multi question"
    singles = {q["answer"] for q in questions if q["kind"] == "single"}
    assert len(singles) >= 2, f"module {module}: the correct choice of single questions is always '{singles}'"


def test_question_ids_are_unique_and_numbered():
    seen = set()
    for m, q in _questions():
        qid = q.get("id", "")
        assert re.fullmatch(rf"k{m}-\d{{2}}", qid), f"module {m}: bad id {qid!r}"
        assert qid not in seen, f"duplicate id {qid}"
        seen.add(qid)


@pytest.mark.parametrize("module", MODULES)
def test_questions_are_complete_and_answerable(module):
    for q in _module(module)["questions"]:
        where = q.get("id", f"module{module}")
        kind = q.get("kind")
        assert kind in KINDS, (where, kind)
        assert q.get("level") in LEVELS, (where, q.get("level"))
        assert _bilingual(q.get("question")), (where, "question")
        assert _bilingual(q.get("explanation")), (where, "explanation")
        assert _has_vietnamese_letters(q["question"]["vi"]), (where, "vi question has no Vietnamese letters")
        assert _has_vietnamese_letters(q["explanation"]["vi"]), (where, "vi explanation has no Vietnamese letters")
        answer = q.get("answer")
        if kind in ("single", "multi"):
            choices = q.get("choices")
            assert isinstance(choices, list) and 3 <= len(choices) <= 5, (where, "3–5 choices")
            ids = [c.get("id") for c in choices]
            assert all(isinstance(i, str) and i for i in ids) and len(set(ids)) == len(ids), (where, ids)
            assert all(_bilingual(c) for c in choices), (where, "choice text")
            texts = [fold(c["vi"]) for c in choices]
            assert len(set(texts)) == len(texts), (where, "two choices say the same thing")
            if kind == "single":
                assert isinstance(answer, str) and answer in ids, (where, answer)
            else:
                assert isinstance(answer, list) and answer, (where, answer)
                assert len(set(answer)) == len(answer) and set(answer) <= set(ids), (where, answer)
                assert 2 <= len(answer) < len(ids), (where, "multi needs several correct choices, not all")
        elif kind == "truefalse":
            assert "choices" not in q, (where, "truefalse takes no choices")
            assert isinstance(answer, bool), (where, f"answer must be true/false, got {answer!r}")
        else:
            assert "choices" not in q, (where, "short answer takes no choices")
            assert isinstance(answer, dict), (where, answer)
            for lang in ("vi", "en"):
                accepted = answer.get(lang)
                assert isinstance(accepted, list) and accepted, (where, lang)
                assert all(isinstance(a, (str, int)) and fold(str(a)) for a in accepted), (where, lang, accepted)


def test_sources_exist_and_say_what_is_cited():
    for m, q in _questions():
        where = q["id"]
        src = q.get("source")
        assert isinstance(src, dict), (where, "source")
        assert ("doc" in src) != ("law" in src), (where, "source names either a corpus doc or a law")
        if "law" in src:
            law = src["law"]
            assert isinstance(law, str) and any(w in law for w in LAW_WORDS), (where, law)
            assert re.fullmatch(r"\d+[a-z]?", str(src.get("article", ""))), (where, "law source needs an article")
            continue
        doc = src["doc"]
        assert (CORPUS / doc).is_file(), (where, f"corpus/{doc} not found")
        assert ("article" in src) != ("section" in src), (where, "corpus source names an article or a section")
        text = _cited_text(src)
        assert text, (where, f"{doc} has no {'Điều ' + str(src['article']) if 'article' in src else src['section']!r}")
        if "clause" in src:
            assert "article" in src, (where, "a clause belongs to an article")
            assert re.search(rf"(?m)^{re.escape(str(src['clause']))}\.\s", text), (where, f"Điều {src['article']} of {doc} has no clause {src['clause']}")
        if q["kind"] == "short":
            # the fact itself is in the cited text, in at least one accepted Vietnamese wording
            folded = fold(text)
            assert any(fold(str(a)) in folded for a in q["answer"]["vi"]), (where, f"no accepted answer appears in the cited part of {doc}")


def test_fold_matches_the_documented_comparison():
    assert fold("  03 Ngày Làm Việc. ") == fold("03 ngay lam viec")
    assert fold("Đủ 7 tuổi!") == "du 7 tuoi"
    assert fold("72 giờ") != fold("72 ngày")


# ---- self-assessment ------------------------------------------------------------------------------

def _check_scale(scale, where: str):
    assert isinstance(scale, dict), where
    assert _bilingual(scale.get("prompt")), (where, "prompt")
    levels = scale.get("levels")
    assert isinstance(levels, list) and len(levels) == 5, (where, "5 levels")
    assert [lv.get("value") for lv in levels] == [1, 2, 3, 4, 5], (where, "levels ordered 1..5")
    assert all(_bilingual(lv) for lv in levels), (where, "level text")
    texts = [fold(lv["vi"]) for lv in levels]
    assert len(set(texts)) == 5, (where, "levels must differ")


def test_self_assessment_scales():
    data = _load("self_assessment.yaml")
    _check_scale(data.get("course"), "course")
    modules = data.get("modules")
    assert isinstance(modules, dict) and set(modules) == set(MODULES), "one scale for each module 1–6"
    seen = set()
    for m in MODULES:
        scale = modules[m]
        _check_scale(scale, f"module {m}")
        can_do = scale.get("can_do")
        assert isinstance(can_do, list) and 2 <= len(can_do) <= 3, (m, "2–3 can-do statements")
        for item in can_do:
            assert re.fullmatch(rf"sa{m}-\d+", item.get("id", "")), (m, item.get("id"))
            assert item["id"] not in seen, item["id"]
            seen.add(item["id"])
            assert _bilingual(item), item["id"]
