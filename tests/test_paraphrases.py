"""Everyday words find the documents' words, a stand-in counts once, and a procedure the corpus never names is
refused (prompts/paraphrases.yaml, assistant/answer/question.py)."""
from __future__ import annotations

import importlib.util
import io
import json
from contextlib import redirect_stdout
from pathlib import Path

import pytest

from assistant.answer.question import missing_procedure
from assistant.answer.text import coverage, term_weight
from assistant.glossary import alternatives

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def pipe(corpus_index, retriever):
    from assistant.pipeline import Pipeline

    settings, _ = corpus_index
    return Pipeline(settings, retriever=retriever)


def ask(pipe, question):
    from assistant.pipeline import Request

    return pipe.run(Request(question))


def test_everyday_phrases_stand_for_the_documents_words():
    alts = alternatives("Nộp hồ sơ qua mạng mất bao nhiêu tiền?")
    assert {"trực", "tuyến", "trực_tuyến"} in alts["qua_mang"]
    assert any("lệ" in x and "phí" in x for x in alts["tien"])
    # typed without diacritics, the same phrase is known
    assert {"trực", "tuyến", "trực_tuyến"} in alternatives("nop ho so qua mang")["qua_mang"]
    assert alternatives("Hồ sơ gồm những gì?") == {}


def test_a_stand_in_phrase_counts_once_however_many_words_it_replaces():
    terms = ["thuế", "phần", "trăm", "phần_trăm"]
    alts = alternatives("bao nhiêu phần trăm")
    got = coverage(terms, "Tỷ lệ hồ sơ đúng hạn", None, exact=True, alts=alts)
    total = sum(term_weight(t, None, True) for t in terms)
    one = max(term_weight(a, None, True) for a in ("tỷ", "lệ", "tỷ_lệ"))
    assert got == pytest.approx(one / total)  # "tỷ lệ" once, not three times for phần, trăm, phần_trăm
    assert coverage(terms, "Tỷ lệ hồ sơ đúng hạn", None, exact=True) == 0.0


class _Hit:
    def __init__(self, text):
        self.text = text


def test_a_procedure_is_missing_when_no_passage_names_it():
    birth = [_Hit("Điều 3. Đăng ký khai sinh. Người đi đăng ký khai sinh nộp tờ khai và giấy chứng sinh.")]
    assert missing_procedure("Thủ tục đăng ký khai tử cần giấy tờ gì?", birth)
    assert not missing_procedure("Thủ tục đăng ký khai sinh cần giấy tờ gì?", birth)
    assert not missing_procedure("dang ky khai sinh can giay to gi", birth)
    assert not missing_procedure("Hồ sơ gồm những giấy tờ gì?", birth)  # names no procedure


def test_a_question_in_everyday_words_is_answered_from_the_rule(pipe):
    res = ask(pipe, "Có được gửi mật khẩu cho đồng nghiệp qua mail không?")
    assert not res.abstained, res.answer
    assert "thư điện tử" in res.answer and "mật khẩu" in res.answer
    assert res.citations and res.citations[0]["source"] == "an-toan-thong-tin.md"


def test_a_procedure_the_corpus_never_names_is_refused(pipe):
    res = ask(pipe, "Thủ tục đăng ký khai tử cần giấy tờ gì?")
    assert res.abstained, res.answer


def _calibrate_module():
    spec = importlib.util.spec_from_file_location("calibrate_relevance", ROOT / "scripts" / "calibrate_relevance.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_calibration_names_dev_questions_only(monkeypatch, tmp_path):
    mod = _calibrate_module()
    qs = [{"id": f"{s}-{i}", "split": s, "inside": i >= 3, "coverage": 0.2 + 0.1 * i, "dense": 0.0,
           "reads": False, "query": "q", "hits": []} for s in ("dev", "test") for i in range(6)]
    qs[-1]["inside"] = True  # a test question placed so that the fitted threshold gets it wrong
    qs[-1]["coverage"] = 0.0
    qs[0]["coverage"] = 0.9  # a dev out-of-corpus question scored high: answered, and named
    monkeypatch.setattr(mod, "load_rows", lambda: [])
    monkeypatch.setattr(mod, "measure", lambda rows, model, store: (qs, "fake"))
    out = io.StringIO()
    dump = tmp_path / "dump.json"
    with redirect_stdout(out):
        assert mod.main(["--store", str(tmp_path), "--dump", str(dump)]) == 0
    printed = out.getvalue()
    res = json.loads(printed)
    assert res["dev"]["false_abstentions"] == "0/3" and res["test"]["false_abstentions"] == "1/3"
    assert res["dev"]["answered_out_of_corpus"] == ["dev-0"] and "test-" not in printed
    assert {q["split"] for q in json.loads(dump.read_text(encoding="utf-8"))} == {"dev"}


@pytest.mark.parametrize("question,lang,want", [
    ("Sửa câu chữ giúp tôi đơn này: Tôi là [HỌ TÊN], ở [ĐỊA CHỈ], đề nghị phường cấp lại giấy xác nhận cho gia đình.", "vi",
     "không tự viết hay sửa câu chữ"),
    ("Please polish this application: I am [FULL NAME], living at [ADDRESS], and I request a replacement certificate.", "en",
     "does not write or reword text"),
])
def test_offline_a_request_to_reword_the_users_text_says_it_cannot(pipe, question, lang, want):
    from assistant.pipeline import Request

    res = pipe.run(Request(question, lang=lang))
    assert want in res.answer and res.abstained
    assert "không chứa thông tin" not in res.answer and "do not contain the information" not in res.answer


def test_a_question_about_rewording_is_still_a_question():
    from assistant.answer.question import writing_text

    assert writing_text("Sửa câu chữ giúp tôi đơn này: Tôi là [HỌ TÊN], đề nghị phường cấp lại giấy xác nhận.")
    assert not writing_text("Có được dùng AI để sửa câu chữ đơn của người dân không?")
    assert not writing_text("Khi chỉnh sửa văn bản đã ban hành thì phải làm gì?")
