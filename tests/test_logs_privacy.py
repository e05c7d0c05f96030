"""The trainer's CSV keeps the upload notice's promise: a private file's text never reaches the log, names
are redacted like numbers, and times are ISO 8601 local times."""
from __future__ import annotations

import csv
import io
import re


def test_trainer_csv_has_no_upload_text_and_no_name(make_settings):
    from assistant.answer.types import Request
    from assistant.ui.services import Services

    svc = Services(make_settings())
    secret = "Dự án Hoa Sen Xanh có ngân sách 7 tỷ đồng, do kỹ sư Phan Thị Ngọc phụ trách."
    ix = svc.new_private("s1")
    assert ix.add_bytes(f"# Kế hoạch riêng của phòng\n\nĐiều 1. Ngân sách\n{secret}\n".encode(), "ke-hoach-rieng.md").ok
    res = svc.ask(Request("Ngân sách dự án Hoa Sen Xanh là bao nhiêu?", lang="vi", private=ix, scope="private"))
    assert "7 tỷ" in res["answer"]  # the trainee sees the answer …
    svc.ask(Request("Bà Trần Thị Mai, số điện thoại 0912 345 678, hỏi lệ phí đăng ký khai sinh.", lang="vi"))
    events = svc.logs.to_csv("events")
    for raw in ("Hoa Sen Xanh có ngân sách", "7 tỷ", "Phan Thị Ngọc", "Kế hoạch riêng", "Trần Thị Mai", "0912 345 678"):
        assert raw not in events, f"{raw!r} is in the trainer's CSV"
    assert "ke-hoach-rieng.md" in events  # … the log keeps only the file's name (and a fingerprint)
    assert "[NAME_1]" in events and "lệ phí đăng ký khai sinh" in events  # the question is logged, redacted
    rows = list(csv.DictReader(io.StringIO(events)))
    assert rows and all(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d", r["ts"]) for r in rows)
