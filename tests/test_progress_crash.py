"""``kill -9`` of the app while trainees are submitting knowledge-check answers, then a restart: every
answer the app confirmed is there, none is stored twice, each attempt's counters match its rows, and the
trainees can finish by sending their answers again (the ones already stored are not added a second time).

On SQLite and on a real PostgreSQL started by the test."""
from __future__ import annotations

import threading
import time

import pytest
import sqlalchemy as sa

from app_process import AppProcess, HttpClient, app_env
from pg_server import fresh_database, pg_fixture

pytestmark = [pytest.mark.integration, pytest.mark.slow]

pg_url = pg_fixture()
TRAINEES = [(f"hv.{i}", f"matkhau{i}{i}") for i in range(3)]
KILL_AFTER = 25  # answers stored before the kill


def answers_for(check, learner_no: int) -> list[tuple[str, object, bool]]:
    """(question id, answer, right?) for every question: each trainee gets a different pattern of mistakes."""
    out = []
    for i, q in enumerate(check.questions):
        right = (i + learner_no) % 3 != 0
        ans = q.data["answer"]
        if q.kind == "short":
            value = ans["vi"][0] if right else "không nhớ"
        elif q.kind == "truefalse":
            value = ans if right else (not ans)
        elif q.kind == "multi":
            value = ans if right else ans[:1]
        else:
            value = ans if right else next(v for _, v in q.choices("vi") if v != ans)
        out.append((q.id, value, right))
    return out


@pytest.fixture(params=["sqlite", "postgres"])
def setup(request, tmp_path):
    from assistant.cli import main
    from assistant.config import load_settings

    roster = tmp_path / "roster.csv"
    roster.write_text("class,name,role,password\n" + "".join(f"K,{n},trainee,{p}\n" for n, p in TRAINEES),
                      encoding="utf-8")
    if request.param == "sqlite":
        kw = dict(users_file=str(tmp_path / "users.txt"), data_dir=str(tmp_path / "data"))
        who = ["--file", kw["users_file"], "--data-dir", kw["data_dir"]]
    else:
        kw = dict(database_url=fresh_database(request.getfixturevalue("pg_url"), "crash"), data_dir=str(tmp_path / "data"))
        who = ["--database-url", kw["database_url"]]
    assert main(["users", *who, "import", str(roster)]) == 0
    settings = load_settings(env={}, env_file=None, store_dir=str(tmp_path / "store"),
                             corpus_dir=str(tmp_path / "corpus"), **kw)
    return settings, tmp_path


def db_state(settings):
    """(rows of kc_answers, attempts) read straight from the database."""
    from assistant.progress import schema as S
    from assistant.progress.db import make_engine, url_for

    engine = make_engine(url_for(settings))
    with engine.connect() as c:
        rows = [tuple(r) for r in c.execute(sa.select(S.kc_answers.c.attempt_id, S.kc_answers.c.question_id,
                                                      S.kc_answers.c.correct))]
        attempts = {r.id: dict(r._mapping) for r in c.execute(sa.select(S.kc_attempts))}
    engine.dispose()
    return rows, attempts


def check_consistent(rows, attempts):
    keys = [(a, q) for a, q, _ in rows]
    assert len(keys) == len(set(keys)), "an answer is stored twice"
    for att_id, att in attempts.items():
        mine = [c for a, _, c in rows if a == att_id]
        assert att["n_answered"] == len(mine) and att["n_correct"] == sum(mine), (att, len(mine), sum(mine))


def test_kill_during_submission_loses_nothing_and_doubles_nothing(setup):
    from assistant.progress.knowledge import load_checks
    from assistant.ui.testing import free_port

    settings, tmp = setup
    checks = load_checks()
    port = free_port()
    app = AppProcess(app_env(settings), port, tmp / "app.log").start()
    acked: list[tuple[str, str, str, bool]] = []  # (learner, attempt, question, right) the app confirmed
    attempt_of: dict[tuple[str, int], str] = {}
    broken: list[str] = []
    lock = threading.Lock()
    clients = [HttpClient(app.url, timeout=60, auth=t) for t in TRAINEES]

    def trainee(no: int):
        name = TRAINEES[no][0]
        try:
            for module in sorted(checks):
                for qid, value, right in answers_for(checks[module], no):
                    res = clients[no].predict(module, qid, value, attempt_of.get((name, module), ""), "vi",
                                              api_name="/knowledge_answer")
                    assert res["correct"] is right
                    with lock:
                        attempt_of[(name, module)] = res["attempt_id"]
                        acked.append((name, res["attempt_id"], qid, right))
        except Exception as exc:  # noqa: BLE001 - the kill cuts the connection mid-request
            broken.append(f"{name}: {exc.__class__.__name__}")

    threads = [threading.Thread(target=trainee, args=(i,)) for i in range(len(TRAINEES))]
    [t.start() for t in threads]
    deadline = time.time() + 240
    while time.time() < deadline and len(db_state(settings)[0]) < KILL_AFTER:
        time.sleep(0.02)
    app.kill9()
    [t.join(timeout=120) for t in threads]
    assert len(broken) >= 1, "the kill happened with no submission in flight"

    # straight after the kill: every confirmed answer is stored, with its grade; nothing twice
    rows, attempts = db_state(settings)
    stored = {(a, q): bool(c) for a, q, c in rows}
    assert len(acked) >= KILL_AFTER - len(TRAINEES)
    for _name, att, qid, right in acked:
        assert stored.get((att, qid)) is right, (att, qid)
    check_consistent(rows, attempts)
    assert any(a["finished"] is None and a["n_answered"] for a in attempts.values())  # a check was cut off midway

    # restart; each trainee sends the whole check again (a client retrying after the lost connection)
    app = AppProcess(app_env(settings), port, tmp / "app.log").start()
    try:
        for no, (name, password) in enumerate(TRAINEES):
            client = HttpClient(app.url, timeout=60, auth=(name, password))
            touched = sorted({a["module"] for a in attempts.values() if a["learner"] == name} | {1})
            for module in touched:
                answers = {qid: value for qid, value, _ in answers_for(checks[module], no)}
                res = client.predict(module, answers, attempt_of.get((name, module), ""), "vi",
                                     api_name="/knowledge_submit")
                expect = sum(1 for _, _, right in answers_for(checks[module], no) if right)
                assert res["n_total"] == len(answers) and res["n_correct"] == expect, (name, module, res)
                if (name, module) in attempt_of:
                    assert res["attempt_id"] == attempt_of[(name, module)]  # the same attempt, continued
    finally:
        app.stop()
    rows, attempts = db_state(settings)
    check_consistent(rows, attempts)
    stored = {(a, q): bool(c) for a, q, c in rows}
    for _name, att, qid, right in acked:
        assert stored[(att, qid)] is right
    for att in attempts.values():
        assert att["finished"] is not None and att["n_answered"] == att["n_total"], att
