"""Helpers for the app's integration tests and the load benchmark: a small fixture corpus,
a class of accounts, and the app served on a free 127.0.0.1 port in this process."""
from __future__ import annotations

import shutil
import socket
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent.parent
FIXTURE_PDF = ROOT / "tests" / "fixtures" / "files" / "quyet-dinh.pdf"

DOCS = {
    "ho-tich.md": """# Quy định mẫu về đăng ký khai sinh

Tài liệu mẫu phục vụ thực hành.

Điều 1. Thời hạn đăng ký khai sinh
Trong thời hạn 60 ngày kể từ ngày sinh con, cha hoặc mẹ có trách nhiệm đăng ký khai sinh cho con tại Ủy ban nhân dân cấp xã.

Điều 2. Hồ sơ đăng ký khai sinh
Người đi đăng ký nộp tờ khai theo mẫu và giấy chứng sinh do cơ sở y tế cấp.

Điều 3. Lệ phí
Đăng ký khai sinh đúng hạn được miễn lệ phí.
""",
    "an-toan-du-lieu.md": """# Hướng dẫn mẫu về bảo vệ dữ liệu cá nhân

Điều 1. Nguyên tắc
Cán bộ không đưa số căn cước công dân, số điện thoại của người dân lên công cụ AI bên ngoài cơ quan.

Điều 2. Che thông tin
Trước khi hỏi AI, thay thông tin cá nhân bằng ký hiệu như [HỌ TÊN], [SỐ CCCD].
""",
}

EXERCISES = [{
    "id": "t-01", "module": 1, "level": "co-ban", "task": "ask",
    "title": {"vi": "Hỏi về thời hạn khai sinh", "en": "Ask about the birth registration deadline"},
    "instructions": {"vi": "Hỏi trợ lý thời hạn đăng ký khai sinh và mở nguồn để kiểm tra.",
                     "en": "Ask the assistant for the birth registration deadline and open the source to check it."},
    "prompts": [{"vi": "Thời hạn đăng ký khai sinh là bao nhiêu ngày?",
                 "en": "How many days do parents have to register a birth?"}],
    "documents": ["ho-tich.md"],
    "rubric": [{"vi": "Câu trả lời nêu 60 ngày.", "en": "The answer says 60 days."},
               {"vi": "Có trích dẫn Điều 1.", "en": "It cites Article 1."}],
    "mistakes": [{"vi": "Không mở nguồn.", "en": "Not opening the source."}],
}]


def make_corpus(folder: str | Path) -> Path:
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in DOCS.items():
        (folder / name).write_text(text, encoding="utf-8")
    if FIXTURE_PDF.is_file():
        shutil.copyfile(FIXTURE_PDF, folder / "quyet-dinh.pdf")
    return folder


def make_exercises(folder: str | Path) -> Path:
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "module1.yaml").write_text(yaml.safe_dump(EXERCISES, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return folder


def make_users(path: str | Path, users: dict[str, tuple[str, str]]) -> Path:
    """users: name -> (role, password)."""
    from assistant.ui.auth import User, hash_password, write_users

    write_users(path, {n: User(n, role, hash_password(pw, n=2 ** 12)) for n, (role, pw) in users.items()})
    return Path(path)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve(settings, exercises_dir: str | None = None, timeout: float = 120):
    """Launch the app in this process (threads); returns (demo, url). Stop it with ``demo.close()``."""
    from assistant.ui.shell import prepare

    demo, kw = prepare(settings, exercises_dir)
    kw.update(prevent_thread_lock=True, quiet=True)
    demo.launch(**kw)
    url = f"http://{settings.host}:{settings.port}"
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            with socket.create_connection((settings.host, settings.port), timeout=1):
                return demo, url
        except OSError:
            time.sleep(0.2)
    demo.close()
    raise RuntimeError(f"the app did not start on {url}")
