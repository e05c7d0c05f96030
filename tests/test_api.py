"""The named API endpoints with gradio_client, against the app served on a free port (login on)."""
from __future__ import annotations

import base64

import pytest

pytestmark = pytest.mark.integration

TRAINER = ("lan", "giangvien1")
TRAINEE = ("minh", "hocvien1")
TRAINEE2 = ("hoa", "hocvien2")


@pytest.fixture(scope="module")
def app_url(tmp_path_factory, embedder):
    from assistant.config import load_settings
    from assistant.indexer import run_index
    from assistant.ui import testing

    base = tmp_path_factory.mktemp("api_app")
    users = testing.make_users(base / "users.txt", {TRAINER[0]: ("trainer", TRAINER[1]),
                                                   TRAINEE[0]: ("trainee", TRAINEE[1]),
                                                   TRAINEE2[0]: ("trainee", TRAINEE2[1])})
    settings = load_settings(env={}, env_file=None, store_dir=str(base / "store"), data_dir=str(base / "data"),
                             corpus_dir=str(testing.make_corpus(base / "corpus")), users_file=str(users),
                             port=testing.free_port())
    report = run_index(settings, embedder=embedder)
    assert report.failed == 0 and report.chunks > 0
    demo, url = testing.serve(settings, str(testing.make_exercises(base / "ex")))
    yield url, settings
    demo.close()


@pytest.fixture(scope="module")
def trainee(app_url):
    from gradio_client import Client

    c = Client(app_url[0], auth=TRAINEE, verbose=False)
    assert c.predict("vi", api_name="/accept_terms")["accepted"]
    return c


@pytest.fixture(scope="module")
def trainer(app_url):
    from gradio_client import Client

    c = Client(app_url[0], auth=TRAINER, verbose=False)
    c.predict("en", api_name="/accept_terms")
    return c


def test_no_answer_before_the_terms_are_accepted(app_url):
    """The terms are checked on the server: an account that never accepted them gets the notice, not an answer."""
    from gradio_client import Client

    c = Client(app_url[0], auth=TRAINEE2, verbose=False)
    r = c.predict(question="Thời hạn đăng ký khai sinh là bao nhiêu ngày?", lang="vi", api_name="/ask")
    assert r["terms_required"] and "điều khoản" in r["answer"] and "Không dán" in r["terms"]
    assert not r["citations"] and "60" not in r["answer"]
    acc = c.predict("vi", api_name="/accept_terms")
    assert acc["accepted"] and "Không dán" in acc["terms"]
    r = c.predict(question="Thời hạn đăng ký khai sinh là bao nhiêu ngày?", lang="vi", api_name="/ask")
    assert not r.get("terms_required") and "60" in r["answer"] and r["citations"]


def test_login_required(app_url):
    from gradio_client import Client

    with pytest.raises(Exception):
        Client(app_url[0], verbose=False).predict("x", 3, None, api_name="/search")
    with pytest.raises(Exception):
        Client(app_url[0], auth=("minh", "wrong-password"), verbose=False)


def test_endpoints_listed(trainee):
    names = set(trainee.view_api(print_info=False, return_format="dict")["named_endpoints"])
    assert {"/ask", "/search", "/guard", "/summarize", "/draft", "/reindex"} <= names


def test_ask_cites_the_corpus(trainee):
    r = trainee.predict("Thời hạn đăng ký khai sinh là bao nhiêu ngày?", "vi", None, False, api_name="/ask")
    assert not r["abstained"]
    assert "60" in r["answer"]
    assert r["citations"] and r["citations"][0]["source"] == "ho-tich.md"
    assert "prompt" not in r  # internals are for trainers


def test_ask_internals_for_trainers_only(trainee, trainer):
    with pytest.raises(Exception, match="giảng viên|trainers"):
        trainee.predict("Lệ phí khai sinh?", "vi", None, True, api_name="/ask")
    r = trainer.predict("Lệ phí khai sinh?", "vi", None, True, api_name="/ask")
    assert r["hits"] and "score" in r["hits"][0]


def test_search(trainee):
    hits = trainee.predict("giấy chứng sinh", 3, None, api_name="/search")
    assert hits and hits[0]["source"] == "ho-tich.md" and hits[0]["article"] == "2"
    only_pdf = trainee.predict("hồ sơ", 3, ["quyet-dinh.pdf"], api_name="/search")
    assert only_pdf and {h["source"] for h in only_pdf} == {"quyet-dinh.pdf"}


def test_guard_redacts(trainee):
    r = trainee.predict("Số CCCD 001203004567, điện thoại 0912 345 678", "vi", api_name="/guard")
    assert r["decision"] in ("warn", "block")
    assert "001203004567" not in r["redacted"] and "0912 345 678" not in r["redacted"]
    assert {f["type"] for f in r["findings"]} >= {"pii.cccd", "pii.phone"}
    assert r["explanation"]


def test_summarize(trainee):
    r = trainee.predict("ho-tich.md", "short", "vi", False, api_name="/summarize")
    assert r["answer"] and r["citations"]
    assert all(c["source"] == "ho-tich.md" for c in r["citations"])


def test_draft(trainee):
    fields = {"agency": "Ủy ban nhân dân phường Bến Sông", "place": "Bến Sông", "date": "2025-03-10",
              "subject": "đôn đốc nộp báo cáo quý I", "points": ["Các bộ phận nộp báo cáo trước ngày 20/3/2025."],
              "recipients": ["Các bộ phận chuyên môn"], "signer_title": "Chủ tịch", "signer_name": "Nguyễn Văn A"}
    r = trainee.predict("cong-van", fields, "vi", api_name="/draft")
    assert r["ok"], r["error"]
    assert base64.b64decode(r["docx_base64"])[:2] == b"PK"
    bad = trainee.predict("cong-van", {"agency": "x"}, "vi", api_name="/draft")
    assert not bad["ok"] and bad["error"]


def test_reindex_trainer_only(trainee, trainer):
    with pytest.raises(Exception, match="giảng viên|trainers"):
        trainee.predict("vi", api_name="/reindex")
    r = trainer.predict("vi", api_name="/reindex")
    assert r["failed"] == 0 and r["chunks"] > 0


def test_logs_are_redacted(app_url, trainee):
    from assistant.ui.logs import get_logstore

    trainee.predict("Tôi là Lan, số điện thoại 0912 345 678, hỏi lệ phí khai sinh", "vi", None, False, api_name="/ask")
    store = get_logstore(app_url[1])
    csv_text = store.to_csv("events")
    assert "lệ phí khai sinh" in csv_text
    assert "0912 345 678" not in csv_text
