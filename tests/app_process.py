"""The app as a separate process (``python app.py``), for tests that need a second instance or a real
``kill -9``; and the plain HTTP API client of the load benchmark (login form, then /gradio_api/call)."""
from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench_load import AppProcess, HttpClient, app_env  # noqa: E402  (one client and one app process for the benchmarks and the tests)

__all__ = ["AppProcess", "HttpClient", "app_env"]
