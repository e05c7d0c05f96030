"""Usage log in the app's database (SQLite ``ASSISTANT_DATA_DIR/app.sqlite``, or the shared
PostgreSQL of ``ASSISTANT_DATABASE_URL``, so every app instance writes and reads one log): questions,
tasks, sources, guard decisions, latency and feedback — with personal data redacted before it is written.

Everything stored goes through :func:`redact` (the guard's Redactor), so the log
never holds a phone number or an ID card number a trainee typed. The tables are defined and migrated
in :mod:`assistant.progress.schema`; each write is one short transaction.
"""
from __future__ import annotations

import csv
import functools
import io
import json
import threading
import time
import zipfile
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from assistant.progress import schema as S
from assistant.progress.db import engine_for, url_for, writing

TABLES = {"events": S.events, "feedback": S.feedback}


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


def iso_time(ts: float) -> str:
    import datetime as dt

    return dt.datetime.fromtimestamp(float(ts)).astimezone().isoformat(timespec="seconds")


def _dumps(obj: Any) -> str:
    return json.dumps(obj, ensure_ascii=False, default=str)


class LogStore:
    def __init__(self, target: str | Path):
        """``target``: an SQLite file path (as before), a database URL, or settings."""
        self.engine = engine_for(target)
        self.path = Path(self.engine.url.database) if self.engine.dialect.name == "sqlite" else None

    # ------------------------------------------------------------ writing
    def log_event(self, kind: str, *, session: str = "", user: str = "", role: str = "", lang: str = "vi",
                  question: str = "", answer: str = "", sources: list | None = None, hits: list | None = None,
                  prompt: str = "", guard: dict | None = None, backend: str = "", ms: float = 0.0,
                  timings: dict | None = None, abstained: bool = False) -> int:
        guard = guard or {}
        row = dict(ts=time.time(), session=session, user=user, role=role, kind=kind, lang=lang,
                   question=redact(question), answer=redact(answer), sources=_dumps(sources or []),
                   hits=_dumps(hits or []), prompt=redact(prompt), guard=_dumps(guard),
                   decision=guard.get("decision", "allow"), backend=backend, ms=float(ms),
                   timings=_dumps(timings or {}), abstained=int(bool(abstained)))
        with writing(self.engine) as con:
            return int(con.execute(S.events.insert().values(**row)).inserted_primary_key[0])

    def log_feedback(self, event_id: int | None, rating: int, reason: str = "", comment: str = "",
                     session: str = "", user: str = "", learner: str = "") -> int:
        with writing(self.engine) as con:
            res = con.execute(S.feedback.insert().values(
                ts=time.time(), event_id=event_id, session=session, user=user, rating=int(rating), reason=reason,
                comment=redact(comment), learner=learner or user or (f"session:{session}" if session else "")))
            return int(res.inserted_primary_key[0])

    # ------------------------------------------------------------ reading
    def recent(self, limit: int = 20, kinds: tuple[str, ...] = ("ask", "summarize", "extract")) -> list[dict]:
        e = S.events
        with self.engine.connect() as con:
            rows = con.execute(sa.select(e).where(e.c.kind.in_(kinds)).order_by(e.c.id.desc()).limit(limit)).mappings().all()
        return [self._row(r) for r in rows]

    def event(self, event_id: int) -> dict | None:
        with self.engine.connect() as con:
            r = con.execute(sa.select(S.events).where(S.events.c.id == int(event_id))).mappings().first()
        return self._row(r) if r else None

    @staticmethod
    def _row(r) -> dict:
        d = dict(r)
        for k in ("sources", "hits", "guard", "timings"):
            try:
                d[k] = json.loads(d[k] or "null")
            except (ValueError, TypeError):
                pass
        return d

    def usage(self) -> list[dict]:
        e = S.events
        q = sa.select(e.c.kind, sa.func.count().label("n"), sa.func.avg(e.c.ms).label("ms")).group_by(e.c.kind).order_by(e.c.kind)
        with self.engine.connect() as con:
            return [dict(r) for r in con.execute(q).mappings()]

    def feedback_counts(self) -> list[dict]:
        f = S.feedback
        rating = sa.case((f.c.rating > 0, "like"), else_="dislike").label("rating")
        reason = sa.func.coalesce(f.c.reason, "").label("reason")
        q = sa.select(rating, reason, sa.func.count().label("n")).group_by(rating, reason).order_by(rating, reason)
        with self.engine.connect() as con:
            return [dict(r) for r in con.execute(q).mappings()]

    def feedback(self) -> list[dict]:
        with self.engine.connect() as con:
            return [dict(r) for r in con.execute(sa.select(S.feedback).order_by(S.feedback.c.id)).mappings()]

    # ------------------------------------------------------------ export
    def to_csv(self, table: str) -> str:
        """One table as CSV; times as ISO 8601 in the machine's local time zone (2025-11-20T09:30:05+07:00)."""
        if table not in TABLES:
            raise ValueError(table)
        tab = TABLES[table]
        with self.engine.connect() as con:
            res = con.execute(sa.select(tab).order_by(tab.c.id))
            keys = list(res.keys())
            buf = io.StringIO()
            w = csv.writer(buf)
            w.writerow(keys)
            ts = keys.index("ts") if "ts" in keys else -1
            for row in res.fetchall():
                row = list(row)
                if ts >= 0 and row[ts] is not None:
                    row[ts] = iso_time(row[ts])
                w.writerow(row)
        return buf.getvalue()

    def export_zip(self, dest: str | Path) -> Path:
        """Both tables as CSV (UTF-8 with BOM, so Excel shows Vietnamese correctly) in one zip."""
        dest = Path(dest)
        dest.parent.mkdir(parents=True, exist_ok=True)
        with zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED) as z:
            for table in TABLES:
                z.writestr(f"{table}.csv", "\ufeff" + self.to_csv(table))
        return dest


_STORES: dict[str, LogStore] = {}
_SLOCK = threading.Lock()


def get_logstore(settings) -> LogStore:
    url = url_for(settings)
    with _SLOCK:
        if url not in _STORES:
            _STORES[url] = LogStore(url)
        return _STORES[url]
