"""A private upload is answered by the one pipeline in the app: its citations are checked and the output
guard runs, as for the corpus (there used to be a separate, unchecked engine for uploads)."""
from __future__ import annotations


def test_upload_answer_is_checked_and_guarded(make_settings, embedder, monkeypatch):
    import assistant.fake_llm as fake
    from assistant.answer.types import Request
    from assistant.ui.services import Services

    reply = ("Dự án Hoa Sen Xanh có ngân sách 7 tỷ đồng [1]. Dự án còn được tặng thêm 2 tỷ đồng [7]. "
             "Gọi ngay 0939 111 222 để được duyệt.")
    monkeypatch.setattr(fake, "default_script", lambda messages: reply)
    s = make_settings(backend="fake")
    svc = Services(s)
    ix = svc.new_private("t")
    assert ix.add_bytes("# Riêng\n\nĐiều 1. Ngân sách\nDự án Hoa Sen Xanh có ngân sách 7 tỷ đồng.\n".encode(), "rieng.md").ok
    res = svc.ask(Request("Ngân sách dự án Hoa Sen Xanh là bao nhiêu?", lang="vi", private=ix, scope="private"))
    assert res["backend"] == "fake" and not res["abstained"]
    assert "[7]" not in res["answer"]  # the invented citation was removed by the citation check
    assert [c["n"] for c in res["citations"]] == [1] and res["citations"][0]["source"] == "upload:rieng.md"
    assert res["citations"][0]["private"]
    assert "0939 111 222" not in res["answer"]  # a contact found in no source was masked by the output guard
    stages = [g["stage"] for g in res["guard"]["stages"]]
    assert "output" in stages
    assert res["timings"].get("guard_out_ms") is not None and res["timings"].get("check_ms") is not None
