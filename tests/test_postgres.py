"""Two app instances (two ``app.py`` processes) on one real PostgreSQL started by the test: they start at
the same moment on an empty database (one migrates, both run), share accounts made after they started,
and what a trainee writes through one instance is read through the other — progress, knowledge checks,
self-assessment, the class report, and the usage log.

The browser suite (tests/test_class_view.py) runs against PostgreSQL as well; this module covers the
server-to-server sharing through the named API, without a browser."""
from __future__ import annotations

import io
import threading
import time

import pytest
import sqlalchemy as sa

from app_process import AppProcess, HttpClient, app_env
from pg_server import fresh_database, pg_fixture

pytestmark = [pytest.mark.integration, pytest.mark.slow]

pg_url = pg_fixture()
TRAINER = ("gv.thu", "giangvien9")
TRAINEE = ("hv.nam", "hocvien9")


def login(url: str, auth, within: float = 20.0) -> HttpClient:
    """Log in, retrying for a few seconds: an instance re-reads the shared accounts every few seconds."""
    deadline = time.time() + within
    while True:
        try:
            return HttpClient(url, timeout=120, auth=auth)
        except Exception:  # noqa: BLE001 - "Incorrect credentials" until the instance has seen the account
            if time.time() > deadline:
                raise
            time.sleep(0.5)


def answers(check, right: bool = True) -> dict:
    out = {}
    for q in check.questions:
        ans = q.data["answer"]
        out[q.id] = ans["vi"][0] if q.kind == "short" else ans
        if not right:
            out[q.id] = "không biết" if q.kind == "short" else out[q.id]
    return out


def test_two_instances_share_one_postgresql(pg_url, tmp_path, embedder, monkeypatch):
    from assistant.cli import main
    from assistant.config import load_settings
    from assistant.indexer import run_index
    from assistant.progress import schema
    from assistant.progress.knowledge import load_checks
    from assistant.ui import testing
    from assistant.ui.logs import LogStore

    url = fresh_database(pg_url, "two_instances")
    settings = load_settings(env={}, env_file=None, database_url=url, store_dir=str(tmp_path / "store"),
                             data_dir=str(tmp_path / "data"), corpus_dir=str(testing.make_corpus(tmp_path / "corpus")))
    assert run_index(settings, embedder=embedder).chunks > 0
    apps = [AppProcess(app_env(settings, ASSISTANT_DATA_DIR=str(tmp_path / f"data_{n}")), testing.free_port(),
                       tmp_path / f"app_{n}.log") for n in "ab"]
    errors: list[Exception] = []

    def start(app):
        try:
            app.start()
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)

    starters = [threading.Thread(target=start, args=(a,)) for a in apps]  # both migrate the empty database at once
    [t.start() for t in starters]
    [t.join() for t in starters]
    try:
        assert not errors, errors
        a, b = apps
        engine = sa.create_engine(url.replace("postgresql://", "postgresql+psycopg://"))
        with engine.connect() as c:
            assert [r[0] for r in c.execute(sa.text("SELECT version FROM schema_version ORDER BY 1"))] == \
                [v for v, _, _ in schema.MIGRATIONS]
        engine.dispose()

        # accounts made after both started (CLI, shared database) work on both instances
        for (name, password), role in ((TRAINER, "trainer"), (TRAINEE, "trainee")):
            monkeypatch.setattr("sys.stdin", io.StringIO(password + "\n"))
            assert main(["users", "--database-url", url, "add", name, "--role", role, "--password-stdin"]) == 0
        assert main(["users", "--database-url", url, "class", "add", "K-PG", TRAINER[0], "--role", "trainer"]) == 0
        assert main(["users", "--database-url", url, "class", "add", "K-PG", TRAINEE[0]]) == 0
        nam_a, nam_b = login(a.url, TRAINEE), login(b.url, TRAINEE)
        thu_a, thu_b = login(a.url, TRAINER), login(b.url, TRAINER)

        # written through A ...
        check = load_checks()[2]
        res = nam_a.predict(2, answers(check), "", "vi", api_name="/knowledge_submit")
        assert res["score"] == 1.0 and res["first"] == 1.0
        nam_a.predict(2, "start", 1, None, "vi", api_name="/self_assessment")
        nam_a.predict("m2-01", "done", [0, 1], api_name="/exercise_progress")
        # ... read through B
        mine = nam_b.predict("", "vi", api_name="/progress")
        m2 = mine["modules"]["2"]
        assert (m2["kc_first"], m2["kc_best"], m2["sa_before"], m2["exercises_done"]) == (1.0, 1.0, 1, 1)
        assert not m2["basic"]  # one exercise of the two the rule asks for
        # written through B (a retake and the second exercise) ... read through A, by the trainer
        res = nam_b.predict(2, answers(check, right=False), "", "vi", api_name="/knowledge_submit")
        assert res["score"] < 1.0 and res["first"] == 1.0 and res["best"] == 1.0
        nam_b.predict("m2-02", "done", None, api_name="/exercise_progress")
        rep = thu_a.predict("K-PG", "vi", api_name="/class_report")
        assert rep["trainees"][0]["learner"] == TRAINEE[0]
        assert rep["summary"]["2"]["basic"] == 1 and rep["summary"]["2"]["share"] == 1.0 and rep["summary"]["2"]["meets_target"]
        assert rep["trainees"][0]["modules"]["2"]["kc_attempts"] == 2
        assert thu_b.predict("K-PG", "vi", api_name="/class_report")["summary"] == rep["summary"]

        # the usage log is shared too: a question asked through B is in the one log
        nam_b.predict("vi", api_name="/accept_terms")
        nam_b.predict("Thời hạn đăng ký khai sinh là bao nhiêu ngày?", "vi", None, False, "qa", None, None, "corpus",
                      None, api_name="/ask")
        events = LogStore(url).recent(10)
        assert any(e["user"] == TRAINEE[0] and "khai sinh" in e["question"] for e in events)
    finally:
        for app in apps:
            app.stop()
