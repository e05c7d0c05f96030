"""Reading and writing learning progress: exercises, knowledge-check attempts and answers,
self-assessments (classes and accounts: :mod:`assistant.progress.classes`).

Every write is one transaction; an answer is one row, written with INSERT … ON CONFLICT DO NOTHING on its
primary key (attempt, question), so a retry after a crash finds the stored answer instead of adding a
second one, and an attempt's counters change in the same transaction as the answer they count.
"""
from __future__ import annotations

import json
import time
import uuid
from typing import Any, Iterable

import sqlalchemy as sa

from assistant.progress import schema as S
from assistant.progress.classes import ROLES, ClassesAndAccounts
from assistant.progress.db import engine_for, insert_ignore, upsert, writing

__all__ = ["ProgressStore", "NotYours", "ROLES"]
MAX_SESSION_S = 2 * 3600  # one start–done stretch counts at most this long (a tab left open overnight)


class NotYours(PermissionError):
    """An attempt that belongs to another learner (or does not exist)."""


def _j(obj: Any) -> str:
    return json.dumps(obj, ensure_ascii=False, sort_keys=True)


class ProgressStore(ClassesAndAccounts):
    def __init__(self, target):
        """``target``: settings, a database URL, an SQLite file path or an engine."""
        self.engine = engine_for(target)

    # ------------------------------------------------------------ terms of use
    def accept_terms(self, learner: str, version: str) -> None:
        with writing(self.engine) as c:
            c.execute(insert_ignore(self.engine, S.terms, ["learner", "version"]).values(
                learner=learner, version=version, accepted=time.time()))

    def terms_accepted(self, learner: str, version: str) -> bool:
        if not learner:
            return False
        t = S.terms
        with self.engine.connect() as c:
            return c.execute(sa.select(t.c.accepted).where(t.c.learner == learner, t.c.version == version)).first() is not None

    # ------------------------------------------------------------ exercises
    def exercise_start(self, learner: str, exercise_id: str, module: int) -> None:
        now = time.time()
        t = S.exercise_progress
        with writing(self.engine) as c:
            c.execute(insert_ignore(self.engine, t, ["learner", "exercise_id"]).values(
                learner=learner, exercise_id=exercise_id, module=int(module), started=now, updated=now))
            c.execute(t.update().where(t.c.learner == learner, t.c.exercise_id == exercise_id)
                      .values(last_started=now, updated=now, started=sa.func.coalesce(t.c.started, now)))

    def exercise_rubric(self, learner: str, exercise_id: str, module: int, ticked: Iterable[int]) -> None:
        now = time.time()
        ticks = _j(sorted({int(i) for i in ticked}))
        with writing(self.engine) as c:
            c.execute(upsert(self.engine, S.exercise_progress, dict(
                learner=learner, exercise_id=exercise_id, module=int(module), rubric=ticks, updated=now),
                ["learner", "exercise_id"], ["rubric", "updated"]))

    def exercise_done(self, learner: str, exercise_id: str, module: int, ticked: Iterable[int] | None = None) -> dict:
        """Mark done (the first finish time is kept); the open start–done stretch is added to the time spent."""
        now = time.time()
        t = S.exercise_progress
        with writing(self.engine) as c:
            c.execute(insert_ignore(self.engine, t, ["learner", "exercise_id"]).values(
                learner=learner, exercise_id=exercise_id, module=int(module), updated=now))
            row = c.execute(sa.select(t).where(t.c.learner == learner, t.c.exercise_id == exercise_id)).one()
            extra = min(MAX_SESSION_S, max(0.0, now - row.last_started)) if row.last_started else 0.0
            values = dict(finished=row.finished or now, seconds=(row.seconds or 0) + extra, last_started=None, updated=now)
            if ticked is not None:
                values["rubric"] = _j(sorted({int(i) for i in ticked}))
            c.execute(t.update().where(t.c.learner == learner, t.c.exercise_id == exercise_id).values(**values))
        return self.exercises(learner)[exercise_id]

    def exercises(self, learner: str) -> dict[str, dict]:
        """exercise id -> {module, started, finished, seconds, rubric (list of ticked numbers), done}."""
        t = S.exercise_progress
        with self.engine.connect() as c:
            rows = c.execute(sa.select(t).where(t.c.learner == learner)).mappings().all()
        return {r["exercise_id"]: self._ex_row(r) for r in rows}

    @staticmethod
    def _ex_row(r) -> dict:
        d = dict(r)
        d["rubric"] = json.loads(d.get("rubric") or "[]")
        d["done"] = d.get("finished") is not None
        return d

    # ------------------------------------------------------------ knowledge checks
    def kc_begin(self, learner: str, module: int, n_total: int, attempt_id: str | None = None) -> str:
        """A new attempt (or the one named ``attempt_id`` if it is this learner's); returns its id."""
        attempt_id = attempt_id or uuid.uuid4().hex
        with writing(self.engine) as c:
            c.execute(insert_ignore(self.engine, S.kc_attempts, ["id"]).values(
                id=attempt_id, learner=learner, module=int(module), started=time.time(), n_total=int(n_total)))
            row = c.execute(sa.select(S.kc_attempts.c.learner, S.kc_attempts.c.module)
                            .where(S.kc_attempts.c.id == attempt_id)).first()
            if row is None or row.learner != learner or int(row.module) != int(module):
                raise NotYours(attempt_id)
        return attempt_id

    def kc_owner(self, attempt_id: str) -> tuple[str, int] | None:
        """(learner, module) of an attempt, or None if there is no such attempt."""
        a = S.kc_attempts
        with self.engine.connect() as c:
            row = c.execute(sa.select(a.c.learner, a.c.module).where(a.c.id == attempt_id)).first()
        return (row.learner, int(row.module)) if row else None

    def kc_open(self, learner: str, module: int) -> dict | None:
        """This learner's latest unfinished attempt at a module, with its answers, or None."""
        a = S.kc_attempts
        with self.engine.connect() as c:
            row = c.execute(sa.select(a).where(a.c.learner == learner, a.c.module == int(module), a.c.finished.is_(None))
                            .order_by(a.c.started.desc()).limit(1)).mappings().first()
        if row is None:
            return None
        return dict(row, answers=self.kc_answers(row["id"], learner))

    def kc_answer(self, attempt_id: str, learner: str, question_id: str, answer: Any, correct: bool) -> dict:
        """Store one answer of an open attempt, once. Returns {"answer", "correct", "new"}: the stored answer
        (the first one given, if this question was answered before in this attempt)."""
        a, k = S.kc_attempts, S.kc_answers
        with writing(self.engine) as c:
            att = c.execute(sa.select(a).where(a.c.id == attempt_id).with_for_update()).mappings().first()
            if att is None or att["learner"] != learner:
                raise NotYours(attempt_id)
            new = False
            if att["finished"] is None:
                res = c.execute(insert_ignore(self.engine, k, ["attempt_id", "question_id"]).values(
                    attempt_id=attempt_id, question_id=question_id, answer=_j(answer), correct=int(bool(correct)),
                    ts=time.time()).returning(k.c.question_id))  # a row back = this call stored it
                new = res.first() is not None
                if new:
                    c.execute(a.update().where(a.c.id == attempt_id).values(
                        n_answered=a.c.n_answered + 1, n_correct=a.c.n_correct + int(bool(correct))))
            row = c.execute(sa.select(k).where(k.c.attempt_id == attempt_id, k.c.question_id == question_id)).mappings().first()
        if row is None:  # the attempt was finished before this question was answered
            return {"answer": None, "correct": False, "new": False}
        return {"answer": json.loads(row["answer"]), "correct": bool(row["correct"]), "new": new}

    def kc_finish(self, attempt_id: str, learner: str) -> dict:
        """Close the attempt (unanswered questions count as wrong); idempotent. Returns the attempt."""
        a = S.kc_attempts
        with writing(self.engine) as c:
            att = c.execute(sa.select(a).where(a.c.id == attempt_id).with_for_update()).mappings().first()
            if att is None or att["learner"] != learner:
                raise NotYours(attempt_id)
            if att["finished"] is None:
                score = att["n_correct"] / att["n_total"] if att["n_total"] else 0.0
                c.execute(a.update().where(a.c.id == attempt_id).values(finished=time.time(), score=score))
            att = c.execute(sa.select(a).where(a.c.id == attempt_id)).mappings().first()
        return dict(att)

    def kc_answers(self, attempt_id: str, learner: str) -> dict[str, dict]:
        """question id -> {"answer", "correct"} of one of this learner's attempts."""
        a, k = S.kc_attempts, S.kc_answers
        with self.engine.connect() as c:
            rows = c.execute(sa.select(k).join(a, a.c.id == k.c.attempt_id)
                             .where(k.c.attempt_id == attempt_id, a.c.learner == learner)).mappings().all()
        return {r["question_id"]: {"answer": json.loads(r["answer"]), "correct": bool(r["correct"])} for r in rows}

    def kc_attempts(self, learner: str) -> list[dict]:
        a = S.kc_attempts
        with self.engine.connect() as c:
            rows = c.execute(sa.select(a).where(a.c.learner == learner).order_by(a.c.started)).mappings().all()
        return [dict(r) for r in rows]

    def kc_scores(self, learners: Iterable[str]) -> dict[str, dict[int, dict]]:
        """learner -> module -> {first, best, last, attempts} over finished attempts."""
        a = S.kc_attempts
        learners = list(learners)
        out: dict[str, dict[int, dict]] = {x: {} for x in learners}
        if not learners:
            return out
        with self.engine.connect() as c:
            rows = c.execute(sa.select(a).where(a.c.learner.in_(learners), a.c.finished.is_not(None))
                             .order_by(a.c.finished)).mappings().all()
        for r in rows:
            m = out[r["learner"]].setdefault(int(r["module"]), {"first": r["score"], "best": r["score"], "attempts": 0})
            m["best"] = max(m["best"], r["score"])
            m["last"] = r["score"]
            m["attempts"] += 1
        return out

    # ------------------------------------------------------------ self-assessment
    def self_assess(self, learner: str, module: int, phase: str, level: int, can_do: dict | None = None) -> None:
        if phase not in ("start", "end"):
            raise ValueError(f"phase must be start or end, not {phase!r}")
        level = int(level)
        if not 1 <= level <= 5:
            raise ValueError(f"level must be 1–5, not {level}")
        ticks = {str(k): int(v) for k, v in (can_do or {}).items() if v is not None and 1 <= int(v) <= 5}
        with writing(self.engine) as c:
            c.execute(upsert(self.engine, S.self_assessments, dict(
                learner=learner, module=int(module), phase=phase, level=level, can_do=_j(ticks), ts=time.time()),
                ["learner", "module", "phase"], ["level", "can_do", "ts"]))

    def self_assessments(self, learners: Iterable[str]) -> dict[str, dict[tuple[int, str], dict]]:
        """learner -> (module, phase) -> {level, can_do, ts}."""
        s = S.self_assessments
        learners = list(learners)
        out: dict[str, dict] = {x: {} for x in learners}
        if not learners:
            return out
        with self.engine.connect() as c:
            rows = c.execute(sa.select(s).where(s.c.learner.in_(learners))).mappings().all()
        for r in rows:
            out[r["learner"]][(int(r["module"]), r["phase"])] = {
                "level": int(r["level"]), "can_do": json.loads(r["can_do"] or "{}"), "ts": r["ts"]}
        return out

    def exercises_of(self, learners: Iterable[str]) -> dict[str, dict[str, dict]]:
        t = S.exercise_progress
        learners = list(learners)
        out: dict[str, dict] = {x: {} for x in learners}
        if not learners:
            return out
        with self.engine.connect() as c:
            rows = c.execute(sa.select(t).where(t.c.learner.in_(learners))).mappings().all()
        for r in rows:
            out[r["learner"]][r["exercise_id"]] = self._ex_row(r)
        return out

    # ------------------------------------------------------------ one learner, everything (the "my results" view)
    def learner_summary(self, learner: str) -> dict:
        return {"learner": learner, "exercises": self.exercises(learner),
                "knowledge": self.kc_scores([learner])[learner],
                "self_assessment": {f"{m}:{p}": v for (m, p), v in self.self_assessments([learner])[learner].items()}}
