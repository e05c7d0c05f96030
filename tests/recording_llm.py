"""A recording OpenAI-compatible server on 127.0.0.1 for tests: it keeps every request body it is sent.

It speaks just enough of the protocol: ``GET /v1/models`` and ``POST /v1/chat/completions``, streaming
(server-sent events) or not. ``reply(request) -> str`` decides the answer; the default one behaves
like a model that refers to the person's data: the security judge gets "SAFE", a follow-up rewrite
gets the follow-up back, anything else a sentence citing [1] followed by every placeholder it saw
(so a test can check that the user gets the original values back).
"""
from __future__ import annotations

import json
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PLACEHOLDER = re.compile(r"\[[A-Z][A-Z_]*_\d+\]")


def default_reply(req: dict) -> str:
    msgs = req.get("messages") or []
    system = " ".join(str(m.get("content", "")) for m in msgs if m.get("role") == "system")
    user = " ".join(str(m.get("content", "")) for m in msgs if m.get("role") == "user")
    if "ATTACK or SAFE" in system:
        return "SAFE"
    m = re.search(r"(?:Câu hỏi tiếp nối|Follow-up question)\s*:\s*(.+)", user)
    if m:
        return m.group(1).strip()
    found = list(dict.fromkeys(PLACEHOLDER.findall(user)))
    return "Theo tài liệu, hồ sơ được tiếp nhận [1]. Thông tin đã ghi nhận: " + ", ".join(found) + "."


class RecordingServer:
    def __init__(self, reply=default_reply, model: str = "rec-model"):
        self.bodies: list[str] = []
        self.reply = reply
        self.model = model
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802
                data = json.dumps({"object": "list", "data": [{"id": outer.model, "object": "model"}]}).encode()
                self._send(200, data, "application/json")

            def do_POST(self):  # noqa: N802
                n = int(self.headers.get("Content-Length", 0))
                body = self.rfile.read(n).decode("utf-8")
                outer.bodies.append(body)
                req = json.loads(body)
                text = outer.reply(req)
                if req.get("stream"):
                    self.send_response(200)
                    self.send_header("Content-Type", "text/event-stream")
                    self.end_headers()
                    for piece in re.findall(r"\S+\s*|\s+", text):
                        chunk = {"id": "x", "object": "chat.completion.chunk", "created": 0, "model": outer.model,
                                 "choices": [{"index": 0, "delta": {"content": piece}, "finish_reason": None}]}
                        self.wfile.write(b"data: " + json.dumps(chunk).encode() + b"\n\n")
                    end = {"id": "x", "object": "chat.completion.chunk", "created": 0, "model": outer.model,
                           "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]}
                    self.wfile.write(b"data: " + json.dumps(end).encode() + b"\n\ndata: [DONE]\n\n")
                    return
                out = {"id": "x", "object": "chat.completion", "created": 0, "model": outer.model,
                       "choices": [{"index": 0, "finish_reason": "stop", "message": {"role": "assistant", "content": text}}],
                       "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2}}
                self._send(200, json.dumps(out).encode(), "application/json")

            def _send(self, status, data, ctype):
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *a):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/v1"

    def __enter__(self) -> "RecordingServer":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)

    def sent(self, since: int = 0) -> str:
        """Every request body received since the ``since``-th one, as one text (JSON escapes decoded)."""
        out = []
        for b in self.bodies[since:]:
            try:
                out.append(json.dumps(json.loads(b), ensure_ascii=False))
            except ValueError:
                out.append(b)
        return "\n".join(out)
