"""The answer pipeline on a small fixture corpus (tests/fixtures/answers/corpus), offline and with a scripted fake LLM."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.messages import AIMessage

HERE = Path(__file__).resolve().parent
FIX = HERE / "fixtures" / "answers"


@pytest.fixture(scope="module")
def fx(tmp_path_factory, embedder):
    """(settings, retriever) over the fixture corpus, indexed once for this module."""
    from assistant.config import load_settings
    from assistant.indexer import run_index
    from assistant.retrieval import Retriever

    base = tmp_path_factory.mktemp("answers_fx")
    s = load_settings(env={}, env_file=None, store_dir=str(base / "store"), data_dir=str(base / "data"),
                      corpus_dir=str(FIX / "corpus"))
    report = run_index(s, embedder=embedder)
    assert report.failed == 0 and report.indexed == 3
    return s, Retriever(s, embedder=embedder)


def pipe(fx, llm=None, **kw):
    from assistant.pipeline import Pipeline

    s, r = fx
    return Pipeline(s.with_(**kw) if kw else s, retriever=r, llm=llm)


class RecordingChat(GenericFakeChatModel):
    """A scripted fake chat model (streams word by word) that records what it was sent."""

    calls: list = []

    def _generate(self, messages, stop=None, run_manager=None, **kwargs):
        self.calls.append([(m.type, m.content) for m in messages])
        return super()._generate(messages, stop=stop, run_manager=run_manager, **kwargs)


def scripted(*replies):
    return RecordingChat(messages=iter([AIMessage(content=r) for r in replies]), calls=[])


def load_questions():
    return [json.loads(x) for x in (FIX / "questions.jsonl").read_text(encoding="utf-8").splitlines() if x.strip()]


# ---------------------------------------------------------------- offline
def test_offline_answer_quotes_with_citations_and_says_it_quotes(fx):
    from assistant.messages import t
    from assistant.pipeline import Request

    res = pipe(fx).run(Request("Lệ phí cấp giấy phép tổ chức lễ hội truyền thống là bao nhiêu?"))
    assert not res.abstained and res.backend == "offline" and res.lang == "vi"
    assert t("answers.offline_intro", "vi") in res.answer  # says plainly that it quotes
    assert "miễn lệ phí" in res.answer and "[1]" in res.answer
    c = res.citations[0]
    assert c["source"] == "giay-phep-le-hoi.pdf" and c["article"] == "5" and c["page"] == 2
    assert c["chunk_id"] and c["title"]
    assert res.unsupported == [] and res.groundedness == 1.0


def test_offline_stream_events_in_order(fx):
    from assistant.pipeline import Request

    events = list(pipe(fx).stream(Request("Trụ sở tiếp công dân mở cửa vào những ngày nào?")))
    types = [e.type for e in events]
    assert types[-1] == "done" and types[0] == "status"
    assert types.index("sources") < types.index("token") < types.index("done")
    assert {e.data["stage"] for e in events if e.type == "status"} == {"retrieve", "generate", "check"}
    assert sum(1 for e in events if e.type == "token") >= 3
    res = events[-1].data
    assert "".join(e.data for e in events if e.type == "token").strip() == res.answer.strip()
    assert set(res.as_json()) >= {"answer", "citations", "abstained", "unsupported", "backend", "ms"}


def test_abstention_threshold_on_fixture_questions(fx):
    """≥10 out-of-corpus questions all abstain; at most 1 false abstention on in-corpus ones."""
    from assistant.pipeline import Request

    p = pipe(fx)
    rows = load_questions()
    outs = [r for r in rows if not r["in_corpus"]]
    ins = [r for r in rows if r["in_corpus"]]
    assert len(outs) >= 10
    missed_out = [r["id"] for r in outs if not p.run(Request(r["question"])).abstained]
    false_abstain = [r["id"] for r in ins if p.run(Request(r["question"])).abstained]
    assert missed_out == []
    assert len(false_abstain) <= 1, false_abstain


def test_abstention_says_so_in_the_question_language_and_lists_nearest(fx):
    from assistant.messages import t
    from assistant.pipeline import Request

    res = pipe(fx).run(Request("What is the capital of France?"))
    assert res.abstained and res.citations == [] and res.lang == "en"
    assert t("answers.abstain", "en") in res.answer and t("answers.abstain_nearest", "en") in res.answer
    vi = pipe(fx).run(Request("Thủ tục đăng ký kết hôn với người nước ngoài gồm những bước nào?"))
    assert vi.abstained and t("answers.abstain", "vi") in vi.answer


def test_offline_followup_carries_terms(fx):
    from assistant.pipeline import Request

    res = pipe(fx).run(Request("Còn Chủ tịch thì sao?", history=[("Trụ sở tiếp công dân mở cửa khi nào?", "…")]))
    assert "tiếp" in res.query and not res.abstained
    assert "ngày 15" in res.answer
    # without history nothing is carried
    assert pipe(fx).run(Request("Còn Chủ tịch thì sao?")).query == "Còn Chủ tịch thì sao?"


def test_offline_summarize_a_document_cites_each_point(fx):
    from assistant.pipeline import Request

    res = pipe(fx).run(Request("", task="summarize", sources=["quy-dinh-cay-xanh.md"], options={"length": "medium"}))
    points = [ln for ln in res.answer.splitlines() if ln.startswith("- ")]
    assert len(points) == 5  # one key sentence per article
    assert all("[" in p for p in points)
    assert {c["article"] for c in res.citations} == {"1", "2", "3", "4", "5"}
    assert res.unsupported == []
    short = pipe(fx).run(Request("", task="summarize", sources=["quy-dinh-cay-xanh.md"], options={"length": "short"}))
    assert len([ln for ln in short.answer.splitlines() if ln.startswith("- ")]) == 3


def test_offline_extract_table_and_plain_language(fx):
    from assistant.messages import t
    from assistant.pipeline import Request

    ex = pipe(fx).run(Request("Thời hạn cấp giấy phép chặt hạ cây xanh", task="extract"))
    assert t("answers.extract_header", "vi") in ex.answer
    assert "07 ngày làm việc" in ex.answer and "Phòng Quản lý đô thị" in ex.answer
    assert ex.citations and ex.unsupported == []
    pl = pipe(fx).run(Request("Giấy phép chặt hạ cây xanh", task="plain_language"))
    assert t("answers.offline_plain_language", "vi") in pl.answer and pl.citations
    pasted = pipe(fx).run(Request("", task="plain_language",
                                  options={"text": "Điều 1. Người nộp đơn phải bổ sung hồ sơ trong 05 ngày."}))
    assert "05 ngày" in pasted.answer and pasted.citations[0]["source"] == ""


# ---------------------------------------------------------------- with a (fake) LLM
def test_llm_tokens_stream_and_invented_marker_is_removed(fx):
    from assistant.pipeline import Request

    llm = scripted("Trụ sở tiếp công dân mở cửa vào sáng thứ Ba và sáng thứ Năm hằng tuần [1]. "
                   "Công dân được tặng quà lưu niệm khi đến trụ sở [9].")
    events = list(pipe(fx, llm=llm, backend="openai").stream(Request("Trụ sở tiếp công dân mở cửa vào những ngày nào?")))
    tokens = [e.data for e in events if e.type == "token"]
    assert len(tokens) > 5  # streamed piece by piece
    res = events[-1].data
    assert res.backend == "openai" and res.error is None
    assert "[9]" in "".join(tokens) and "[9]" not in res.answer
    assert any(u["n"] == 9 and u["reason"] == "no_such_source" for u in res.unsupported)
    assert [c["n"] for c in res.citations] == [1] and res.citations[0]["article"] == "2"
    # the prompt carried the rules, the passages and the question
    (system, user) = [c for _, c in llm.calls[0]]
    assert "[1]" in user and "Trụ sở tiếp công dân mở cửa" in user and "ngoặc vuông" in system


def test_with_a_model_a_request_to_reword_the_users_text_goes_to_the_model(fx):
    from assistant.pipeline import Request

    llm = scripted("Kính gửi Ủy ban nhân dân phường, tôi đề nghị được cấp lại giấy xác nhận cho gia đình [1].")
    res = pipe(fx, llm=llm, backend="openai").run(Request(
        "Sửa câu chữ giúp tôi đơn này: Tôi là [HỌ TÊN], tôi muốn xin phường cấp lại cái giấy xác nhận cho nhà tôi."))
    assert not res.abstained and res.task == "plain_language" and len(llm.calls) == 1
    system, user = [c for _, c in llm.calls[0]]
    assert "xin phường cấp lại cái giấy xác nhận" in user  # the user's text is what the model works on
    assert "đề nghị được cấp lại giấy xác nhận" in res.answer


def test_system_prompt_survives_a_small_context_window(fx):
    from assistant.pipeline import Request

    big = scripted("x [1].")
    pipe(fx, llm=big, backend="openai", top_k=8).run(Request("Trụ sở tiếp công dân mở cửa vào những ngày nào?"))
    full_system, full_user = [c for _, c in big.calls[0]]
    small = scripted("x [1].")
    res = pipe(fx, llm=small, backend="openai", top_k=8, llm_context_tokens=1100, llm_max_tokens=200).run(
        Request("Trụ sở tiếp công dân mo cua vao nhung ngay nao?"))
    system, user = [c for _, c in small.calls[0]]
    assert system == full_system
    assert "Trụ sở tiếp công dân mo cua vao nhung ngay nao?" in user
    assert res.dropped > 0 and 1 <= len(res.hits) < 8 and len(user) < len(full_user)
    from assistant.answer.tokens import estimate_messages

    assert estimate_messages([("system", system), ("user", user)]) <= 1100 - 200


def test_llm_followup_rewrite_is_used_for_retrieval(fx):
    from assistant.pipeline import Request

    llm = scripted("Chủ tịch Ủy ban nhân dân thành phố tiếp công dân định kỳ vào ngày nào?",
                   "Ngày 15 hằng tháng [1].")
    res = pipe(fx, llm=llm, backend="openai").run(
        Request("Còn Chủ tịch thì sao?", history=[("Trụ sở tiếp công dân mở cửa khi nào?", "Sáng thứ Ba [1].")]))
    assert res.query == "Chủ tịch Ủy ban nhân dân thành phố tiếp công dân định kỳ vào ngày nào?"
    rewrite_user = llm.calls[0][1][1]
    assert "Trụ sở tiếp công dân mở cửa khi nào?" in rewrite_user and "Còn Chủ tịch thì sao?" in rewrite_user
    assert res.citations and res.citations[0]["article"] == "2"


def test_llm_server_down_gives_a_clear_message_and_the_offline_answer(fx):
    import httpx
    import openai
    from langchain_core.language_models.chat_models import BaseChatModel

    from assistant.messages import t
    from assistant.pipeline import Request

    class Down(BaseChatModel):
        @property
        def _llm_type(self):
            return "down"

        def _generate(self, messages, stop=None, run_manager=None, **kw):
            raise openai.APIConnectionError(request=httpx.Request("POST", "http://127.0.0.1:9/v1/chat/completions"))

    p = pipe(fx, llm=Down(), backend="openai", llm_base_url="http://127.0.0.1:9/v1", llm_model="m")
    res = p.run(Request("Trụ sở tiếp công dân mở cửa vào những ngày nào?"))
    assert res.error["code"] == "unreachable"
    assert t("answers.llm_unreachable", "vi", url="http://127.0.0.1:9/v1") in res.answer
    assert "thứ Ba" in res.answer and res.citations and res.backend == "offline"


def test_input_guard_block_stops_before_retrieval(fx, monkeypatch):
    import assistant.guard as guard
    from assistant.pipeline import Request

    def block(text, settings=None, lang="vi", **kw):
        return guard.GuardResult(decision="block", text=text, explanation={"vi": "có số CCCD", "en": "contains an ID number"})

    monkeypatch.setattr(guard, "check_input", block)
    events = list(pipe(fx).stream(Request("Số CCCD 001099012345 của tôi mở cửa khi nào?")))
    res = events[-1].data
    assert res.blocked and "có số CCCD" in res.answer and res.hits == []
    assert any(e.type == "guard" for e in events) and not any(e.type == "sources" for e in events)


def test_personal_data_never_reaches_the_llm_and_is_restored(fx):
    """The input guard redacts the phone number (warn); the user's value comes back in the answer."""
    from assistant.pipeline import Request

    llm = scripted("Trụ sở tiếp công dân mở cửa vào sáng thứ Ba [1]. Cán bộ sẽ gọi lại số [PHONE_1].")
    res = pipe(fx, llm=llm, backend="openai", redact_outbound=True).run(
        Request("Trụ sở tiếp công dân mở cửa vào những ngày nào? Gọi tôi 0912345678"))
    sent = " ".join(c for _, c in llm.calls[0])
    assert "0912345678" not in sent and "[PHONE_1]" in sent
    assert "0912345678" in res.answer and "[PHONE_1]" not in res.answer
    assert any(g["stage"] == "input" for g in res.guard)


def test_llm_answer_that_says_the_documents_do_not_contain_it_is_an_abstention(fx):
    from assistant.pipeline import Request

    llm = scripted("Tài liệu được cung cấp không có thông tin này.")
    res = pipe(fx, llm=llm, backend="openai").run(Request("Trụ sở tiếp công dân mở cửa vào những ngày nào?"))
    assert res.abstained and res.citations == []


def test_get_pipeline_is_cached(fx):
    from assistant.pipeline import get_pipeline

    s, _ = fx
    assert get_pipeline(s) is get_pipeline(s)
    assert get_pipeline(s) is not get_pipeline(s.with_(top_k=3))


# ---------------------------------------------------------------- CLI
def test_cli_ask_json_answers_with_citations_and_abstains(fx, capsys):
    from assistant.cli import main

    s, _ = fx
    assert main(["--env-file", "/nonexistent", "ask", "Cơ quan nào cấp giấy phép chặt hạ cây xanh trên đường phố?",
                 "--store", s.store_dir, "--json"]) == 0
    out = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert set(out) >= {"answer", "citations", "abstained", "unsupported", "backend", "ms"}
    assert out["abstained"] is False and out["backend"] == "offline"
    c = out["citations"][0]
    assert set(c) == {"n", "source", "title", "article", "page", "chunk_id"}
    assert c["source"] == "quy-dinh-cay-xanh.md" and c["article"] == "3"

    assert main(["--env-file", "/nonexistent", "ask", "Mức lương cơ sở năm 2025 là bao nhiêu?",
                 "--store", s.store_dir, "--json"]) == 0
    out = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert out["abstained"] is True and out["citations"] == []


def test_cli_batch_and_stream(fx, capsys, tmp_path):
    from assistant.cli import main

    s, _ = fx
    batch = tmp_path / "q.jsonl"
    batch.write_text(json.dumps({"id": "a", "question": "Kinh phí duy trì cây xanh công cộng lấy từ đâu?"}) + "\n"
                     + json.dumps({"id": "b", "question": "What is the capital of France?"}) + "\n", encoding="utf-8")
    assert main(["--env-file", "/nonexistent", "ask", "--batch", str(batch), "--store", s.store_dir]) == 0
    rows = [json.loads(x) for x in capsys.readouterr().out.strip().splitlines()]
    assert [r["id"] for r in rows] == ["a", "b"]
    assert rows[0]["citations"][0]["article"] == "5" and rows[1]["abstained"] is True
    assert main(["--env-file", "/nonexistent", "ask", "Kinh phí duy trì cây xanh công cộng lấy từ đâu?",
                 "--store", s.store_dir, "--stream"]) == 0
    text = capsys.readouterr().out
    assert "ngân sách" in text and "quy-dinh-cay-xanh.md" in text


def test_eval_answers_with_a_judge(fx):
    """run_answers with a (scripted) LLM: metrics, and the judge's faithfulness/relevance parsed."""
    from assistant.evals.answers import run_answers

    s, r = fx
    rows = [x for x in load_questions() if x["id"] in ("in01", "in05", "out02")]
    llm = scripted("Trụ sở tiếp công dân mở cửa vào sáng thứ Ba và sáng thứ Năm hằng tuần [1].",
                   '{"faithfulness": 5, "relevance": 4}',
                   "Phòng Quản lý đô thị cấp giấy phép chặt hạ cây xanh trên đường phố [1].",
                   "Điểm: faithfulness 3")  # unparsable verdict: skipped and counted
    res = run_answers(s.with_(backend="openai"), retriever=r, index=False, rows=rows, judge=True, llm=llm)
    m = res["metrics"]
    assert res["backend"] == "openai" and res["out_of_corpus"] == 1
    assert m["abstention_accuracy"] == 1.0 and m["citation_precision"] == 1.0 and m["citation_recall"] == 1.0
    assert m["judge_faithfulness"] == 5.0 and m["judge_relevance"] == 4.0 and m["judge_unparsed"] == 1
    judge_prompt = llm.calls[1][1][1]
    assert "Trụ sở tiếp công dân mở cửa vào sáng thứ Ba" in judge_prompt
