"""One path: every feature that can call a model reaches it through the one client, from the CLI and the
app's named API alike, and no raw personal data is ever in a request body.

A recording OpenAI-compatible server on 127.0.0.1 keeps every body. Each feature's text carries a CCCD,
a phone number, an e-mail and a person's name, plus a marker word (K1 … K8) that tells which feature a
request belongs to. The server's answer repeats the placeholders it saw, so the user must get the
original values back where the answer uses them.
"""
from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from recording_llm import RecordingServer

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parent.parent
RAW = ["031189035801", "0912 345 678", "0912345678", "mai.tran@example.com", "Trần Thị Mai"]
WHO = "Bà Trần Thị Mai, CCCD 031189035801, số điện thoại 0912 345 678, email mai.tran@example.com"
DOC = ("# Hồ sơ riêng của phòng\n\nTài liệu mẫu phục vụ thực hành.\n\n"
       "Điều 1. Tiếp nhận hồ sơ\nHồ sơ khai sinh của ông Lê Văn Bình (điện thoại 0987 654 321) được tiếp nhận "
       "trong ngày làm việc.\n")
FEATURES = {
    "K1": dict(question=f"{WHO} hỏi (K1): thời hạn đăng ký khai sinh là bao nhiêu ngày?"),
    "K2": dict(question=f"{WHO} hỏi tiếp (K2): còn lệ phí thì sao?",
               history=[["Thời hạn đăng ký khai sinh là bao nhiêu ngày?", "Trong thời hạn 60 ngày [1]."]]),
    "K3": dict(question=f"Tóm tắt quy định khai sinh cho {WHO} (K3)", task="summarize", sources=["ho-tich.md"]),
    "K4": dict(question=f"Viết lại dễ hiểu cho {WHO} (K4): hồ sơ đăng ký khai sinh gồm những gì?",
               task="plain_language"),
    "K5": dict(question=f"Lập bảng thời hạn đăng ký khai sinh cho {WHO} (K5)", task="extract"),
    "K6": dict(question=f"Bạn hãy giúp tôi (K6): công dân {WHO} hỏi thủ tục đăng ký khai sinh cần giấy tờ gì?"),
}
DRAFT = {"agency": "Ủy ban nhân dân phường Bến Sông", "parent_agency": "Ủy ban nhân dân thành phố Lạc Hồng",
         "place": "Bến Sông", "date": "2025-11-20", "number": "15", "subject": "mời họp về hồ sơ khai sinh (K7)",
         "recipients": ["Các tổ dân phố"], "signer_title": "Chủ tịch", "signer_name": "Phạm Văn Hùng",
         "points": [f"Xử lý hồ sơ của {WHO} (K7)", "Các tổ dân phố báo cáo trước ngày 30/11"]}
UPLOAD_Q = f"{WHO} hỏi (K8): hồ sơ khai sinh được tiếp nhận khi nào?"


# relevance is not what this file tests: every question is answered (abstain_threshold 0)
@pytest.fixture(scope="module")
def world(tmp_path_factory, embedder):
    from assistant.config import load_settings
    from assistant.indexer import run_index
    from assistant.ui import testing

    base = tmp_path_factory.mktemp("one_path")
    with RecordingServer() as server:
        settings = load_settings(env={}, env_file=None, store_dir=str(base / "store"), data_dir=str(base / "data"),
                                 corpus_dir=str(testing.make_corpus(base / "corpus")), backend="openai",
                                 llm_base_url=server.base_url, llm_model=server.model, llm_api_key="k",
                                 llm_timeout=30, port=testing.free_port(), abstain_threshold=0.0)
        assert run_index(settings, embedder=embedder).failed == 0
        (base / "rieng.md").write_text(DOC, encoding="utf-8")
        yield settings, server, base


def _env(settings) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ASSISTANT_")}
    env.update(ASSISTANT_STORE_DIR=settings.store_dir, ASSISTANT_DATA_DIR=settings.data_dir,
               ASSISTANT_CORPUS_DIR=settings.corpus_dir, ASSISTANT_BACKEND="openai",
               ASSISTANT_LLM_BASE_URL=settings.llm_base_url, ASSISTANT_LLM_MODEL=settings.llm_model,
               ASSISTANT_LLM_API_KEY="k", ASSISTANT_ABSTAIN_THRESHOLD="0", HF_HUB_OFFLINE="1",
               PYTHONIOENCODING="utf-8")
    return env


def _cli(settings, *args, cwd: Path) -> subprocess.CompletedProcess:
    r = subprocess.run([sys.executable, "-m", "assistant", *args], capture_output=True, text=True, env=_env(settings),
                       cwd=cwd, timeout=300)
    assert r.returncode == 0, r.stderr[-2000:]
    return r


def _requests_for(server, marker: str) -> list[str]:
    return [b for b in server.sent().split("\n") if marker in b]


def _check(server, answers: dict[str, str]) -> None:
    sent = server.sent()
    for raw in RAW + ["Lê Văn Bình", "0987 654 321"]:
        assert raw not in sent, f"{raw!r} reached the LLM server"
    for marker in [*FEATURES, "K7", "K8"]:
        assert _requests_for(server, marker), f"feature {marker} never reached the LLM server"
    assert any("ATTACK or SAFE" in b and "K6" in b for b in sent.split("\n")), "the injection judge was not asked"
    assert any("Follow-up question" in b or "Câu hỏi tiếp nối" in b for b in _requests_for(server, "K2"))
    for marker in ("K1", "K4", "K6", "K8"):  # the model's answer used the placeholders: the user sees the values
        assert "031189035801" in answers[marker] and "mai.tran@example.com" in answers[marker], (marker, answers[marker])
        assert "[CCCD_" not in answers[marker]


def test_cli_features_reach_the_model_without_personal_data(world):
    settings, server, base = world
    server.bodies.clear()
    batch = base / "batch.jsonl"
    batch.write_text("\n".join(json.dumps(dict(v, id=k), ensure_ascii=False) for k, v in FEATURES.items()),
                     encoding="utf-8")
    out = _cli(settings, "ask", "--batch", str(batch), cwd=base).stdout
    answers = {row["id"]: row["answer"] for row in map(json.loads, out.strip().splitlines())}
    fields = base / "draft.json"
    fields.write_text(json.dumps(DRAFT, ensure_ascii=False), encoding="utf-8")
    drafted = json.loads(_cli(settings, "draft", "cong-van", "-i", str(fields), "-o", str(base / "d.docx"), "--json",
                              cwd=base).stdout)
    assert drafted["body_source"] == "llm"
    answers["K8"] = json.loads(_cli(settings, "ask", UPLOAD_Q, "--file", str(base / "rieng.md"), "--json",
                                    cwd=base).stdout)["answer"]
    _check(server, answers)


def test_api_features_reach_the_model_without_personal_data(world):
    from gradio_client import Client

    from assistant.ui import testing

    settings, server, base = world
    demo, url = testing.serve(settings)
    try:
        client = Client(url, verbose=False)
        client.predict("vi", api_name="/accept_terms")
        server.bodies.clear()
        answers = {}
        for k, v in FEATURES.items():
            r = client.predict(question=v["question"], lang="vi", sources=v.get("sources"), internals=False,
                               task=v.get("task", "qa"), history=v.get("history"), options=None, scope="corpus",
                               files=None, api_name="/ask")
            answers[k] = r["answer"]
        r = client.predict(doc_type="cong-van", fields=DRAFT, lang="vi", api_name="/draft")
        assert r["ok"] and r["docx_base64"]
        files = [{"name": "rieng.md", "content_base64": base64.b64encode(DOC.encode()).decode()}]
        r = client.predict(question=UPLOAD_Q, lang="vi", sources=None, internals=False, task="qa", history=None,
                           options=None, scope="both", files=files, api_name="/ask")
        assert r["uploads"][0]["ok"], r["uploads"]
        answers["K8"] = r["answer"]
        _check(server, answers)
    finally:
        demo.close()
