"""Usage log in SQLite (``ASSISTANT_DATA_DIR/app.sqlite``): questions, tasks, sources,
guard decisions, latency and feedback — with personal data redacted before it is written.

Everything stored goes through :func:`redact` (the guard's Redactor), so the log
never holds a phone number or an ID card number a trainee typed.
"""
from __future__ import annotations

import csv
import functools
import io
import json
import sqlite3
import threading
import time
import zipfile
from pathlib import Path
from typing import Any

SCHEMA = """
CREATE TABLE IF NOT EXISTS events (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  ts REAL NOT NULL,
  session TEXT, user TEXT, role TEXT,
  kind TEXT NOT NULL,          -- ask | summarize | extract | search | guard | draft
  lang TEXT, question TEXT, answer TEXT,
  sources TEXT,                -- JSON list of cited sources
  hits TEXT,                   -- JSON list of retrieved chunks with scores
  prompt TEXT,                 -- the final prompt (redacted)
  guard TEXT,                  -- JSON {decision, findings:[types]}
  decision TEXT,
  backend TEXT, ms REAL, timings TEXT, abstained INTEGER DEFAULT 0
);
CREATE TABLE IF NOT EXISTS feedback (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  ts REAL NOT NULL, event_id INTEGER, session TEXT, user TEXT,
  rating INTEGER NOT NULL,     -- +1 like, -1 dislike
  reason TEXT, comment TEXT
);
CREATE INDEX IF NOT EXISTS events_ts ON events(ts);
"""


def redact(text: str | None) -> str:
    """``text`` with personal data replaced by placeholders (the guard's Redactor)."""
    if not text:
        return text or ""
    return _redact(text)


@functools.lru_cache(maxsize=1024)
def _redact(text: str) -> str:  # answers and prompts repeat across a class: redact each text once
    try:
        from assistant.guard import Redactor

        out, _ = Redactor().redact(text)
        return out
    except Exception:  # noqa: BLE001 - never lose a log line to a redactor failure
        return text


def _dumps(obj: Any) -> str:
    return json.dumps(obj, ensure_ascii=False, default=str)


class LogStore:
    def __init__(self, path: str | Path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        with self._connect() as con:
            con.executescript(SCHEMA)

    def _connect(self) -> sqlite3.Connection:
        con = sqlite3.connect(self.path, timeout=30)
        con.execute("PRAGMA journal_mode=WAL")
        con.execute("PRAGMA synchronous=NORMAL")  # safe with WAL; one fsync per checkpoint, not per answer
        con.row_factory = sqlite3.Row
        return con

    # ------------------------------------------------------------ writing
    def log_event(self, kind: str, *, session: str = "", user: str = "", role: str = "", lang: str = "vi",
                  question: str = "", answer: str = "", sources: list | None = None, hits: list | None = None,
                  prompt: str = "", guard: dict | None = None, backend: str = "", ms: float = 0.0,
                  timings: dict | None = None, abstained: bool = False) -> int:
        guard = guard or {}
        row = (time.time(), session, user, role, kind, lang, redact(question), redact(answer),
               _dumps(sources or []), _dumps(hits or []), redact(prompt),
               _dumps(guard), guard.get("decision", "allow"), backend, float(ms), _dumps(timings or {}),
               int(bool(abstained)))
        with self._lock, self._connect() as con:
            cur = con.execute(
                "INSERT INTO events (ts, session, user, role, kind, lang, question, answer, sources, hits, prompt,"
                " guard, decision, backend, ms, timings, abstained) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", row)
            return int(cur.lastrowid)

    def log_feedback(self, event_id: int | None, rating: int, reason: str = "", comment: str = "",
                     session: str = "", user: str = "") -> int:
        with self._lock, self._connect() as con:
            cur = con.execute(
                "INSERT INTO feedback (ts, event_id, session, user, rating, reason, comment) VALUES (?,?,?,?,?,?,?)",
                (time.time(), event_id, session, user, int(rating), reason, redact(comment)))
            return int(cur.lastrowid)

    # ------------------------------------------------------------ reading
    def recent(self, limit: int = 20, kinds: tuple[str, ...] = ("ask", "summarize", "extract")) -> list[dict]:
        q = f"SELECT * FROM events WHERE kind IN ({','.join('?' * len(kinds))}) ORDER BY id DESC LIMIT ?"
        with self._connect() as con:
            rows = con.execute(q, (*kinds, limit)).fetchall()
        return [self._row(r) for r in rows]

    def event(self, event_id: int) -> dict | None:
        with self._connect() as con:
            r = con.execute("SELECT * FROM events WHERE id = ?", (event_id,)).fetchone()
        return self._row(r) if r else None

    @staticmethod
    def _row(r: sqlite3.Row) -> dict:
        d = dict(r)
        for k in ("sources", "hits", "guard", "timings"):
            try:
                d[k] = json.loads(d[k] or "null")
            except ValueError:
                pass
        return d

    def usage(self) -> list[dict]:
        with self._connect() as con:
            rows = con.execute("SELECT kind, COUNT(*) AS n, AVG(ms) AS ms FROM events GROUP BY kind ORDER BY kind").fetchall()
        return [dict(r) for r in rows]

    def feedback_counts(self) -> list[dict]:
        with self._connect() as con:
            rows = con.execute(
                "SELECT CASE WHEN rating > 0 THEN 'like' ELSE 'dislike' END AS rating, COALESCE(reason, '') AS reason,"
                " COUNT(*) AS n FROM feedback GROUP BY 1, 2 ORDER BY 1, 2").fetchall()
        return [dict(r) for r in rows]

    def feedback(self) -> list[dict]:
        with self._connect() as con:
            return [dict(r) for r in con.execute("SELECT * FROM feedback ORDER BY id").fetchall()]

    # ------------------------------------------------------------ export
    def to_csv(self, table: str) -> str:
        if table not in ("events", "feedback"):
            raise ValueError(table)
        with self._connect() as con:
            cur = con.execute(f"SELECT * FROM {table} ORDER BY id")
            cols = [c[0] for c in cur.description]
            buf = io.StringIO()
            w = csv.writer(buf)
            w.writerow(cols)
            w.writerows(cur.fetchall())
        return buf.getvalue()

    def export_zip(self, dest: str | Path) -> Path:
        """Both tables as CSV (UTF-8 with BOM, so Excel shows Vietnamese correctly) in one zip."""
        dest = Path(dest)
        dest.parent.mkdir(parents=True, exist_ok=True)
        with zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED) as z:
            for table in ("events", "feedback"):
                z.writestr(f"{table}.csv", "\ufeff" + self.to_csv(table))
        return dest


_STORES: dict[str, LogStore] = {}
_SLOCK = threading.Lock()


def get_logstore(settings) -> LogStore:
    path = str(Path(settings.data_dir) / "app.sqlite")
    with _SLOCK:
        if path not in _STORES:
            _STORES[path] = LogStore(path)
        return _STORES[path]
