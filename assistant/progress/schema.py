"""The tables of the app's database and the migrations that build them, run on start.

``schema_version`` holds one row per migration applied. ``migrate(engine)`` applies the missing ones in
order, in one transaction (all or none), under a lock (PostgreSQL advisory lock; SQLite's write lock), so two
app instances starting together never apply one twice. A database written by an older version (the log
tables only) is brought up to date in place; nothing is dropped.

Tables
- ``events``, ``feedback``: the usage log and answers' feedback (``assistant/ui/logs.py``), redacted.
- ``accounts``: class accounts when ``ASSISTANT_DATABASE_URL`` is set (else the users file).
- ``classes``, ``class_members``: groups of accounts; a member is a ``trainee`` or a ``trainer`` of the class.
- ``exercise_progress``: one row per learner and exercise: started, finished, rubric items ticked, seconds.
- ``kc_attempts``, ``kc_answers``: knowledge-check attempts and one row per answer (primary key attempt +
  question: an answer is stored once, a retry after a crash finds it instead of adding a second).
- ``self_assessments``: one row per learner, module (0 = the course) and phase (``start``/``end``).
- ``terms``: one row per learner and version of the terms of use they accepted.

A learner is an account name, or ``browser:<id>`` in the single-user mode without login.
"""
from __future__ import annotations

import time

import sqlalchemy as sa
from sqlalchemy.engine import Engine

metadata = sa.MetaData()
NAME = sa.String(200)

schema_version = sa.Table(
    "schema_version", metadata,
    sa.Column("version", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("applied", sa.Float, nullable=False),
    sa.Column("note", sa.Text),
)

events = sa.Table(
    "events", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("ts", sa.Float, nullable=False),
    sa.Column("session", sa.Text), sa.Column("user", sa.Text), sa.Column("role", sa.Text),
    sa.Column("kind", sa.Text, nullable=False),  # ask | summarize | extract | search | guard | draft
    sa.Column("lang", sa.Text), sa.Column("question", sa.Text), sa.Column("answer", sa.Text),
    sa.Column("sources", sa.Text),  # JSON list of cited sources
    sa.Column("hits", sa.Text),  # JSON list of retrieved chunks with scores
    sa.Column("prompt", sa.Text),  # the final prompt (redacted)
    sa.Column("guard", sa.Text),  # JSON {decision, findings:[types]}
    sa.Column("decision", sa.Text),
    sa.Column("backend", sa.Text), sa.Column("ms", sa.Float), sa.Column("timings", sa.Text),
    sa.Column("abstained", sa.Integer, server_default="0"),
    sa.Index("events_ts", "ts"),
    sqlite_autoincrement=True,
)

feedback = sa.Table(
    "feedback", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("ts", sa.Float, nullable=False), sa.Column("event_id", sa.Integer),
    sa.Column("session", sa.Text), sa.Column("user", sa.Text),
    sa.Column("rating", sa.Integer, nullable=False),  # +1 like, -1 dislike
    sa.Column("reason", sa.Text), sa.Column("comment", sa.Text),
    sa.Column("learner", NAME),  # added by migration 2
    sqlite_autoincrement=True,
)

accounts = sa.Table(
    "accounts", metadata,
    sa.Column("name", NAME, primary_key=True),
    sa.Column("role", sa.String(20), nullable=False),
    sa.Column("hash", sa.Text, nullable=False),
    sa.Column("created", sa.Float, nullable=False), sa.Column("updated", sa.Float, nullable=False),
)

classes = sa.Table(
    "classes", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("name", NAME, nullable=False, unique=True),
    sa.Column("created", sa.Float, nullable=False),
)

class_members = sa.Table(
    "class_members", metadata,
    sa.Column("class_id", sa.Integer, sa.ForeignKey("classes.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("member", NAME, primary_key=True),
    sa.Column("role", sa.String(20), nullable=False),  # trainee | trainer
    sa.Index("class_members_member", "member"),
)

exercise_progress = sa.Table(
    "exercise_progress", metadata,
    sa.Column("learner", NAME, primary_key=True),
    sa.Column("exercise_id", sa.String(100), primary_key=True),
    sa.Column("module", sa.Integer, nullable=False),
    sa.Column("started", sa.Float),  # first start
    sa.Column("last_started", sa.Float),  # open start, counted into seconds when the exercise is marked done
    sa.Column("finished", sa.Float),  # first time marked done
    sa.Column("seconds", sa.Float, nullable=False, server_default="0"),
    sa.Column("rubric", sa.Text, nullable=False, server_default="[]"),  # JSON list of ticked item numbers
    sa.Column("updated", sa.Float, nullable=False),
)

kc_attempts = sa.Table(
    "kc_attempts", metadata,
    sa.Column("id", sa.String(40), primary_key=True),
    sa.Column("learner", NAME, nullable=False),
    sa.Column("module", sa.Integer, nullable=False),
    sa.Column("started", sa.Float, nullable=False),
    sa.Column("finished", sa.Float),
    sa.Column("n_total", sa.Integer, nullable=False),
    sa.Column("n_answered", sa.Integer, nullable=False, server_default="0"),
    sa.Column("n_correct", sa.Integer, nullable=False, server_default="0"),
    sa.Column("score", sa.Float),  # n_correct / n_total when finished
    sa.Index("kc_attempts_learner", "learner", "module"),
)

kc_answers = sa.Table(
    "kc_answers", metadata,
    sa.Column("attempt_id", sa.String(40), sa.ForeignKey("kc_attempts.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("question_id", sa.String(40), primary_key=True),
    sa.Column("answer", sa.Text, nullable=False),  # JSON: the choice id(s), true/false, or the text typed
    sa.Column("correct", sa.Integer, nullable=False),
    sa.Column("ts", sa.Float, nullable=False),
)

self_assessments = sa.Table(
    "self_assessments", metadata,
    sa.Column("learner", NAME, primary_key=True),
    sa.Column("module", sa.Integer, primary_key=True, autoincrement=False),  # 0 = the whole course
    sa.Column("phase", sa.String(10), primary_key=True),  # start | end
    sa.Column("level", sa.Integer, nullable=False),  # 1..5
    sa.Column("can_do", sa.Text, nullable=False, server_default="{}"),  # JSON {statement id: 1..5}
    sa.Column("ts", sa.Float, nullable=False),
)


terms = sa.Table(
    "terms", metadata,
    sa.Column("learner", NAME, primary_key=True),
    sa.Column("version", sa.String(40), primary_key=True),
    sa.Column("accepted", sa.Float, nullable=False),
)


# ------------------------------------------------------------------ migrations
def _m1_logs(conn) -> None:
    """The log tables as earlier versions made them (kept as they are if present)."""
    events.create(conn, checkfirst=True)
    feedback.create(conn, checkfirst=True)


def _m2_learning(conn) -> None:
    """Accounts, classes, progress, knowledge checks and self-assessment; feedback gets its learner."""
    for table in (accounts, classes, class_members, exercise_progress, kc_attempts, kc_answers, self_assessments):
        table.create(conn, checkfirst=True)
    cols = {c["name"] for c in sa.inspect(conn).get_columns("feedback")}
    if "learner" not in cols:
        conn.execute(sa.text("ALTER TABLE feedback ADD COLUMN learner VARCHAR(200)"))


def _m3_terms(conn) -> None:
    """Which learner accepted which version of the terms of use (checked before any question is answered)."""
    terms.create(conn, checkfirst=True)


MIGRATIONS = [
    (1, "usage log and feedback", _m1_logs),
    (2, "accounts, classes, exercise progress, knowledge checks, self-assessment", _m2_learning),
    (3, "terms of use accepted", _m3_terms),
]
VERSION = MIGRATIONS[-1][0]


def current_version(conn) -> int:
    if not sa.inspect(conn).has_table("schema_version"):
        return 0
    return int(conn.execute(sa.select(sa.func.max(schema_version.c.version))).scalar() or 0)


def migrate(engine: Engine) -> int:
    """Apply the missing migrations; returns the schema version now in the database."""
    from assistant.progress.db import is_sqlite, writing

    with writing(engine) as conn:
        if not is_sqlite(engine):
            conn.execute(sa.text("SELECT pg_advisory_xact_lock(7317001)"))  # one instance migrates at a time
        schema_version.create(conn, checkfirst=True)
        have = current_version(conn)
        for version, note, step in MIGRATIONS:
            if version <= have:
                continue
            step(conn)
            conn.execute(schema_version.insert().values(version=version, applied=time.time(), note=note))
        return current_version(conn)
