"""The app as a separate process (``python app.py``), for tests that need a second instance or a real
``kill -9``; and the plain HTTP API client of the load benchmark (login form, then /gradio_api/call)."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench_load import HttpClient  # noqa: E402  (one client for the benchmark and the tests)

__all__ = ["AppProcess", "HttpClient", "app_env"]


def app_env(settings, **extra: str) -> dict:
    """The environment of an app process with these settings (nothing from the developer's own)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("ASSISTANT_")}
    env.update(HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1", ANONYMIZED_TELEMETRY="False", GRADIO_ANALYTICS_ENABLED="False")
    for name in ("store_dir", "corpus_dir", "data_dir", "database_url", "users_file", "backend", "host",
                 "basic_min_score", "basic_min_exercises", "target_share", "concurrency"):
        value = getattr(settings, name)
        if value not in ("", None):
            env["ASSISTANT_" + name.upper()] = str(value)
    env.update(extra)
    return env


class AppProcess:
    """``python app.py`` on a port; ``start()`` waits until it accepts connections."""

    def __init__(self, env: dict, port: int, log: Path):
        self.env = dict(env, ASSISTANT_PORT=str(port))
        self.port, self.log = port, Path(log)
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 300) -> "AppProcess":
        out = open(self.log, "a")
        self.proc = subprocess.Popen([sys.executable, "app.py"], cwd=ROOT, env=self.env, stdout=out,
                                     stderr=subprocess.STDOUT)
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"the app stopped (code {self.proc.returncode}): {self.tail()}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    return self
            except OSError:
                time.sleep(0.3)
        self.stop()
        raise RuntimeError(f"the app did not start within {timeout} s: {self.tail()}")

    def kill9(self) -> None:
        """SIGKILL: no clean-up, no flush, as in a power cut of the process."""
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=30)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=20)

    def tail(self) -> str:
        return self.log.read_text(errors="replace")[-3000:] if self.log.exists() else ""
