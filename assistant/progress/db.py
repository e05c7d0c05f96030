"""The one database of the app: logs, feedback, accounts, classes and learning progress.

SQLite under ``ASSISTANT_DATA_DIR`` (``app.sqlite``) by default; ``ASSISTANT_DATABASE_URL`` points it at
PostgreSQL (``postgresql://user:password@host:5432/name``), so several app instances behind one address
share everything. SQLAlchemy Core does the dialect work (quoting, upserts, connection pools); psycopg 3
is the PostgreSQL driver.

Every write is one short transaction: a crash (even ``kill -9``) loses nothing committed before it.
SQLite runs in WAL mode with a 30 s busy timeout, so the threads of one app and the CLI can write at once.
"""
from __future__ import annotations

import contextlib
import sqlite3
import threading
import time
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

DB_FILE = "app.sqlite"


def url_for(settings) -> str:
    """The SQLAlchemy URL of the app's database for these settings."""
    url = (getattr(settings, "database_url", "") or "").strip()
    if url:
        return normalise_url(url)
    path = Path(settings.data_dir) / DB_FILE
    return sqlite_url(path)


def sqlite_url(path: str | Path) -> str:
    return "sqlite:///" + str(Path(path).resolve())


def normalise_url(url: str) -> str:
    """``postgresql://`` and ``postgres://`` mean psycopg 3 (SQLAlchemy's own default is psycopg2)."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"


def _sqlite_pragmas(dbapi_con, _record) -> None:
    cur = dbapi_con.cursor()
    # switching a new database to WAL takes a lock SQLite does not wait for (the busy timeout does not apply):
    # several instances starting at once on an empty file got "database is locked"; retry for up to 30 s
    deadline = time.monotonic() + 30
    while True:
        try:
            cur.execute("PRAGMA journal_mode=WAL")
            break
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.02)
    cur.execute("PRAGMA synchronous=NORMAL")  # with WAL: a committed transaction survives a process crash
    cur.execute("PRAGMA foreign_keys=ON")
    cur.close()


def make_engine(url: str) -> Engine:
    """A new engine for ``url`` (SQLite file folders are created)."""
    url = normalise_url(url)
    if url.startswith("sqlite"):
        db = sa.engine.make_url(url).database
        if db and db != ":memory:":
            Path(db).parent.mkdir(parents=True, exist_ok=True)
        engine = sa.create_engine(url, connect_args={"timeout": 30, "check_same_thread": False},
                                  pool_size=8, max_overflow=16, pool_pre_ping=False)
        sa.event.listen(engine, "connect", _sqlite_pragmas)
        # pysqlite's own transaction handling defers BEGIN; a write transaction takes the write lock at its
        # start instead (BEGIN IMMEDIATE), so two writers wait for each other (busy timeout) rather than one
        # failing half-way; reads stay plain (WAL readers never wait).
        sa.event.listen(engine, "connect", lambda con, _r: setattr(con, "isolation_level", None))
        sa.event.listen(engine, "begin", lambda conn: conn.exec_driver_sql(
            "BEGIN IMMEDIATE" if conn.get_execution_options().get("writing") else "BEGIN"))
        return engine
    return sa.create_engine(url, pool_size=10, max_overflow=20, pool_pre_ping=True, pool_recycle=1800)


_ENGINES: dict[str, Engine] = {}
_LOCK = threading.Lock()


def engine_for(target: Any) -> Engine:
    """The process's one migrated engine for ``target``: settings, a URL, an SQLite file path, or an engine."""
    from assistant.progress.schema import migrate

    if isinstance(target, Engine):
        url = str(target.url)
    elif isinstance(target, (str, Path)) and "://" in str(target):
        url = normalise_url(str(target))
    elif isinstance(target, (str, Path)):
        url = sqlite_url(target)
    else:
        url = url_for(target)
    with _LOCK:
        engine = _ENGINES.get(url)
        if engine is None:
            engine = target if isinstance(target, Engine) else make_engine(url)
            migrate(engine)
            _ENGINES[url] = engine
        return engine


def forget_engines() -> None:
    """Close every pooled connection (tests, and a process about to fork)."""
    with _LOCK:
        for e in _ENGINES.values():
            e.dispose()
        _ENGINES.clear()


@contextlib.contextmanager
def writing(engine: Engine):
    """``with writing(engine) as conn:`` one write transaction, committed at the end (rolled back on error).

    On SQLite the threads of this process take turns on a lock first: they queue and wake at once, instead
    of sleeping in SQLite's busy handler (whose back-off adds up to 100 ms per wait under a class's load);
    another process (the CLI, a second instance) still waits through the busy timeout."""
    writer = engine.__dict__.get("_assistant_writer")
    if writer is None:
        writer = engine.__dict__["_assistant_writer"] = engine.execution_options(writing=True)
        engine.__dict__["_assistant_lock"] = threading.Lock() if is_sqlite(engine) else contextlib.nullcontext()
    with engine.__dict__["_assistant_lock"], writer.begin() as conn:
        yield conn


def insert_ignore(engine: Engine, table: sa.Table, keys: list[str]):
    """An INSERT that does nothing when a row with the same ``keys`` exists (SQLite and PostgreSQL)."""
    if is_sqlite(engine):
        from sqlalchemy.dialects.sqlite import insert
    else:
        from sqlalchemy.dialects.postgresql import insert
    return insert(table).on_conflict_do_nothing(index_elements=keys)


def upsert(engine: Engine, table: sa.Table, values: dict, keys: list[str], update: list[str]):
    """An INSERT of ``values`` that updates the columns ``update`` when a row with the same ``keys`` exists."""
    if is_sqlite(engine):
        from sqlalchemy.dialects.sqlite import insert
    else:
        from sqlalchemy.dialects.postgresql import insert
    stmt = insert(table).values(**values)
    return stmt.on_conflict_do_update(index_elements=keys, set_={c: stmt.excluded[c] for c in update})
