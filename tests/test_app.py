"""The app's building blocks without a server: wording, accounts, logs, export, private uploads, rendering."""
from __future__ import annotations

import io
import sqlite3
import time

import pytest
import yaml


# ---------------------------------------------------------------- wording
def test_every_label_has_vietnamese_and_english():
    from assistant.ui.i18n import catalogue

    cat = catalogue()
    assert len(cat) > 80
    for key, entry in cat.items():
        assert entry.get("vi") and entry.get("en"), key
        assert entry["vi"] != entry["en"] or key in {"shell.title", "draft.required_mark", "draft.placeholder.date"}, key


def test_runtime_messages_in_both_languages():
    from assistant.messages import _catalogue

    ui = {k: v for k, v in _catalogue().items() if k.startswith("ui.")}
    assert len(ui) > 30
    for key, entry in ui.items():
        assert entry.get("vi") and entry.get("en"), key


def test_registry_switches_every_label():
    import gradio as gr

    from assistant.ui.i18n import Registry

    reg = Registry()
    with gr.Blocks():
        b = reg.add(gr.Button(), value="ask.send")
        tb = reg.add(gr.Textbox(), lambda lang: {"label": "L-" + lang})
    assert b.value == "Gửi" and tb.label == "L-vi"  # Vietnamese before any event
    en = reg.props("en")
    assert en == [{"value": "Send"}, {"label": "L-en"}]


def test_the_app_builds_with_all_tabs(make_settings):
    from assistant.ui.shell import build_app

    demo = build_app(make_settings())
    cfg = demo.get_config_file()
    labels = {c["props"].get("label") for c in cfg["components"] if c.get("type") == "tabitem"}
    assert {"Hỏi đáp", "Tóm tắt", "Bài tập", "An toàn", "Giảng viên", "Hướng dẫn"} <= labels
    names = {d.get("api_name") for d in cfg["dependencies"]}
    assert {"ask", "search", "guard", "summarize", "reindex"} <= names


# ---------------------------------------------------------------- accounts
def test_password_hashes_and_roles(tmp_path):
    from assistant.ui.auth import Accounts, User, hash_password, read_users, verify_password, write_users

    h = hash_password("mật-khẩu-1", n=2 ** 10)
    assert h.startswith("scrypt$") and "mật" not in h
    assert verify_password("mật-khẩu-1", h) and not verify_password("mật-khẩu-2", h)
    path = tmp_path / "users.txt"
    write_users(path, {"lan": User("lan", "trainer", h), "minh": User("minh", "trainee", hash_password("x" * 6, n=2 ** 10))})
    assert set(read_users(path)) == {"lan", "minh"}
    acc = Accounts(str(path))
    assert acc.enabled and acc.check("lan", "mật-khẩu-1") and not acc.check("lan", "sai") and not acc.check("ai", "x")
    assert acc.role("lan") == "trainer" and acc.role("minh") == "trainee" and acc.role("stranger") == "trainee"
    assert Accounts("").role(None) == "trainer"  # no accounts: the local user runs the class


def test_users_command(tmp_path, monkeypatch, capsys):
    from assistant.cli import main
    from assistant.ui.auth import read_users, verify_password

    path = str(tmp_path / "u.txt")
    monkeypatch.setattr("sys.stdin", io.StringIO("bí-mật-123\n"))
    assert main(["users", "--file", path, "add", "lan", "--role", "trainer", "--password-stdin"]) == 0
    u = read_users(path)["lan"]
    assert u.role == "trainer" and verify_password("bí-mật-123", u.hash)
    monkeypatch.setattr("sys.stdin", io.StringIO("123\n"))
    assert main(["users", "--file", path, "add", "minh", "--password-stdin"]) == 2  # too short
    assert main(["users", "--file", path, "list"]) == 0
    assert "lan\ttrainer" in capsys.readouterr().out
    assert main(["users", "--file", path, "remove", "lan"]) == 0 and read_users(path) == {}


def test_bad_users_file_is_reported(tmp_path):
    from assistant.ui.auth import UsersFileError, read_users

    p = tmp_path / "u.txt"
    p.write_text("lan:admin:xyz\n", encoding="utf-8")
    with pytest.raises(UsersFileError, match="trainee or trainer"):
        read_users(p)


# ---------------------------------------------------------------- logs
def test_logs_redact_personal_data_and_export_csv(tmp_path):
    from assistant.ui.logs import LogStore

    logs = LogStore(tmp_path / "app.sqlite")
    eid = logs.log_event("ask", question="CCCD 001203004567 của tôi, gọi 0912 345 678", answer="ok", ms=12.5,
                         guard={"decision": "warn", "findings": ["pii.cccd"]}, hits=[{"score": 0.5}])
    logs.log_feedback(eid, -1, reason="wrong", comment="gọi tôi 0912345678")
    raw = sqlite3.connect(tmp_path / "app.sqlite").execute("SELECT question FROM events").fetchone()[0]
    assert "001203004567" not in raw and "[CCCD_1]" in raw
    csv_text = logs.to_csv("events") + logs.to_csv("feedback")
    assert "0912" not in csv_text and "warn" in csv_text
    assert logs.recent(5)[0]["guard"]["decision"] == "warn"
    assert logs.usage()[0]["kind"] == "ask" and logs.feedback_counts()[0]["rating"] == "dislike"


# ---------------------------------------------------------------- export
TURNS = [{"question": "Thời hạn?", "answer": "Trong 60 ngày [1].",
          "citations": [{"n": 1, "source": "ho-tich.md", "title": "Quy định mẫu", "article": "1", "page": None,
                         "passage": "Trong thời hạn 60 ngày kể từ ngày sinh con."}]}]


def test_export_markdown_and_docx(tmp_path):
    import docx

    from assistant.ui.export import to_markdown, write_export

    md = to_markdown(TURNS, "vi")
    assert "Thời hạn?" in md and "[1] Quy định mẫu, Điều 1 — ho-tich.md" in md and "60 ngày kể từ" in md
    assert "Article 1" in to_markdown(TURNS, "en")
    p = write_export(TURNS, "vi", "docx", tmp_path)
    text = "\n".join(par.text for par in docx.Document(str(p)).paragraphs)
    assert "Trong 60 ngày [1]." in text and "ho-tich.md" in text


# ---------------------------------------------------------------- rendering
def test_sources_panel_escapes_and_links_the_page():
    from assistant.ui.tab_ask import sources_html

    out = sources_html([{"n": 1, "source": "a.pdf", "title": "<b>x</b>", "article": "3", "page": 2,
                         "passage": "<script>alert(1)</script>", "url": "/gradio_api/file=/c/a.pdf#page=2"}], "vi")
    assert "<script>" not in out and "&lt;b&gt;x&lt;/b&gt;" in out
    assert 'href="/gradio_api/file=/c/a.pdf#page=2"' in out and "trang 2" in out


def test_answer_marks_unsupported_and_links_citations():
    from assistant.ui.tab_ask import followups, format_answer

    res = {"answer": "Hạn là 60 ngày [1]. Phí là 5 triệu.", "unsupported": [{"sentence": "Phí là 5 triệu."}],
           "citations": [{"n": 1, "url": "/f#page=1", "title": "Quy định", "article": "1"}]}
    out = format_answer(res, "vi")
    assert "[[1]](/f#page=1)" in out and "<mark class='unsupported'" in out and "⚠️" in out
    fus = ["Quy định mẫu quy định thế nào về lệ phí?"]  # suggested by the pipeline (answer/followup.py)
    assert followups(dict(res, followups=fus), "vi") == fus and followups(res, "vi") == []
    assert followups(dict(res, followups=fus, abstained=True), "vi") == []


def test_highlighted_findings():
    from assistant.guard import Finding
    from assistant.ui.tab_safety import highlighted

    text = "CCCD 001203004567 ok"
    assert highlighted(text, [Finding("pii.cccd", 5, 17)]) == [("CCCD ", None), ("001203004567", "số căn cước"), (" ok", None)]
    assert highlighted(text, [Finding("pii.cccd", 5, 17)], "en")[1] == ("001203004567", "citizen ID number")


def test_exercise_catalogue(tmp_path):
    from assistant.ui import exercises, testing

    cat = exercises.load_exercises(testing.make_exercises(tmp_path))
    assert exercises.modules(cat) == [1]
    ex = exercises.by_id(cat, "t-01")
    assert exercises.text(ex, "title", "en").startswith("Ask about")
    assert len(exercises.items(ex, "rubric", "vi")) == 2
    (tmp_path / "module2.yaml").write_text("not: [valid", encoding="utf-8")
    assert len(exercises.load_exercises(tmp_path)) == 1  # a broken file does not break the tab


# ---------------------------------------------------------------- private uploads
def test_private_upload_checks_indexes_and_forgets(tmp_path, make_settings, embedder):
    from assistant.ui.uploads import add_upload, live_count, new_index, release, sweep

    s = make_settings(max_upload_mb=0.001)
    big = tmp_path / "lon.md"
    big.write_text("x " * 2000, encoding="utf-8")
    ix = new_index(s, embedder, session="a")
    r = add_upload(ix, str(big), s, "vi")
    assert not r.ok and "quá lớn" in r.message and not big.exists()
    exe = tmp_path / "a.exe"
    exe.write_bytes(b"MZ")
    r = add_upload(ix, str(exe), s, "en")
    assert not r.ok and ".exe" in r.message and "not supported" in r.message
    s = make_settings()
    ix.settings = s
    doc = tmp_path / "rieng.md"
    doc.write_text("# Riêng\n\nĐiều 1. Ngân sách\nDự án Hoa Sen Xanh có ngân sách 7 tỷ đồng.\n", encoding="utf-8")
    r = add_upload(ix, str(doc), s, "vi")
    assert r.ok and r.chunks >= 1 and not doc.exists()  # the upload never stays on disk
    hits = ix.search("ngân sách Hoa Sen Xanh", 3)
    assert hits and hits[0].source == "upload:rieng.md" and hits[0].metadata["private"]
    other = new_index(s, embedder, session="b")
    assert other.search("ngân sách Hoa Sen Xanh", 3) == []
    assert live_count() >= 1
    ix.created = time.time() - 3600
    assert sweep(30) >= 1 and ix.empty
    release(other)


def test_offline_answer_over_private_file_only(tmp_path, make_settings, embedder):
    from assistant.answer.types import Request
    from assistant.ui.services import Services

    s = make_settings()
    svc = Services(s)
    ix = svc.new_private("t")
    ix.add_bytes("# Riêng\n\nĐiều 1. Ngân sách\nDự án Hoa Sen Xanh có ngân sách 7 tỷ đồng.\n".encode(), "rieng.md")
    res = svc.ask(Request("Ngân sách dự án Hoa Sen Xanh?", lang="vi", private=ix, scope="private"))
    assert "7 tỷ" in res["answer"] and res["citations"][0]["private"] and res["event_id"]
    res = svc.ask(Request("Ngân sách dự án Hoa Sen Xanh?", lang="en", private=None, scope="private"))
    assert res["abstained"] and "uploaded" in res["answer"]
