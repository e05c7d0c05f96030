"""Learning records without a server: migrations, grading, the store (exercises, knowledge checks,
self-assessment, classes, accounts), the class report's rule, exports and the roster import.

The store tests run on SQLite and on a real PostgreSQL started for the session (skipped when the
binaries are missing)."""
from __future__ import annotations

import io
import json
import sqlite3
import threading

import pytest

from assistant.progress.schema import MIGRATIONS
from pg_server import fresh_database, pg_fixture

pg_url = pg_fixture()


@pytest.fixture(params=["sqlite", "postgres"])
def db_url(request, tmp_path):
    if request.param == "sqlite":
        return "sqlite:///" + str(tmp_path / "app.sqlite")
    base = request.getfixturevalue("pg_url")
    return fresh_database(base, "t_" + request.node.name.split("[")[0][-40:].lower().replace("-", "_"))


@pytest.fixture
def store(db_url):
    from assistant.progress import ProgressStore

    return ProgressStore(db_url)


@pytest.fixture(scope="module")
def checks():
    from assistant.progress.knowledge import load_checks

    return load_checks()


def right_answer(q, lang="vi"):
    ans = q.data["answer"]
    return ans[lang][0] if q.kind == "short" else ans


# ---------------------------------------------------------------- schema and migrations
def test_fresh_database_is_migrated_once(db_url):
    import sqlalchemy as sa

    from assistant.progress import schema
    from assistant.progress.db import engine_for, make_engine

    engine = engine_for(db_url)
    names = set(sa.inspect(engine).get_table_names())
    assert {"events", "feedback", "accounts", "classes", "class_members", "exercise_progress", "kc_attempts",
            "kc_answers", "self_assessments", "schema_version"} <= names
    other = make_engine(db_url)  # a second app instance starting on the same database
    assert schema.migrate(other) == schema.VERSION
    with other.connect() as c:
        assert [r[0] for r in c.execute(sa.text("SELECT version FROM schema_version ORDER BY version"))] == \
            [v for v, _, _ in schema.MIGRATIONS]
    other.dispose()


def test_concurrent_starts_migrate_once(db_url):
    """Four instances starting at the same moment on an empty database: one migrates, none fails."""
    import sqlalchemy as sa

    from assistant.progress import schema
    from assistant.progress.db import make_engine

    engines = [make_engine(db_url) for _ in range(4)]
    errors, barrier = [], threading.Barrier(len(engines))

    def start(e):
        barrier.wait()
        try:
            schema.migrate(e)
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=start, args=(e,)) for e in engines]
    [t.start() for t in threads]
    [t.join() for t in threads]
    assert not errors, errors
    with engines[0].connect() as c:
        assert c.execute(sa.text("SELECT COUNT(*) FROM schema_version")).scalar() == len(schema.MIGRATIONS)
    [e.dispose() for e in engines]


def test_an_old_log_database_is_upgraded_in_place(tmp_path):
    """A database written before progress moved to the server (log tables only) keeps its rows."""
    from assistant.ui.logs import LogStore

    path = tmp_path / "app.sqlite"
    con = sqlite3.connect(path)
    con.executescript("""
      CREATE TABLE events (id INTEGER PRIMARY KEY AUTOINCREMENT, ts REAL NOT NULL, session TEXT, user TEXT, role TEXT,
        kind TEXT NOT NULL, lang TEXT, question TEXT, answer TEXT, sources TEXT, hits TEXT, prompt TEXT, guard TEXT,
        decision TEXT, backend TEXT, ms REAL, timings TEXT, abstained INTEGER DEFAULT 0);
      CREATE TABLE feedback (id INTEGER PRIMARY KEY AUTOINCREMENT, ts REAL NOT NULL, event_id INTEGER, session TEXT,
        user TEXT, rating INTEGER NOT NULL, reason TEXT, comment TEXT);
      INSERT INTO events (ts, kind, question) VALUES (1.0, 'ask', 'câu hỏi cũ');
      INSERT INTO feedback (ts, event_id, rating, reason) VALUES (2.0, 1, -1, 'wrong');""")
    con.commit()
    con.close()
    logs = LogStore(path)
    assert [e["question"] for e in logs.recent(5)] == ["câu hỏi cũ"]
    logs.log_feedback(1, +1, user="minh")
    rows = logs.feedback()
    assert [r["reason"] for r in rows] == ["wrong", ""] and rows[1]["learner"] == "minh"
    assert {r[0] for r in sqlite3.connect(path).execute("SELECT version FROM schema_version")} == {
        m[0] for m in MIGRATIONS}


def test_logs_share_the_database_and_stay_redacted(db_url):
    from assistant.ui.logs import LogStore

    logs = LogStore(db_url)
    eid = logs.log_event("ask", user="minh", question="Số CCCD 001203004567, gọi 0912 345 678", answer="ok", ms=5,
                         guard={"decision": "warn"})
    logs.log_feedback(eid, -1, reason="source", comment="gọi tôi 0912345678", user="minh")
    again = LogStore(db_url)  # another instance's view of the same database
    ev = again.event(eid)
    assert "001203004567" not in ev["question"] and "[CCCD_1]" in ev["question"] and ev["guard"]["decision"] == "warn"
    assert "0912" not in again.to_csv("feedback") and again.feedback_counts() == [{"rating": "dislike", "reason": "source", "n": 1}]


# ---------------------------------------------------------------- grading
def test_every_question_accepts_its_answer_and_refuses_another(checks):
    assert sorted(checks) == [1, 2, 3, 4, 5, 6] and all(len(c.questions) >= 8 for c in checks.values())
    for check in checks.values():
        for q in check.questions:
            assert q.grade(right_answer(q)), q.id
            assert q.grade(right_answer(q, "en")), q.id
            if q.kind == "single":
                other = next(v for _, v in q.choices("vi") if v != q.data["answer"])
                assert not q.grade(other), q.id
            elif q.kind == "multi":
                assert not q.grade(q.data["answer"][:-1]), q.id  # all and only the right ones
                assert not q.grade([v for _, v in q.choices("vi")]), q.id
            elif q.kind == "truefalse":
                assert not q.grade(not q.data["answer"]), q.id
            else:
                assert not q.grade("không biết"), q.id
            assert q.explanation("vi") and q.explanation("en") and q.source("vi") and q.correct_text("en")


def test_short_answers_ignore_case_accents_and_punctuation(checks):
    q = next(q for c in checks.values() for q in c.questions if q.kind == "short" and "15 ngày làm việc" in q.data["answer"]["vi"])
    assert q.grade("15 ngay lam viec.") and q.grade("  15   NGÀY làm việc ") and q.grade("15 working days")
    assert not q.grade("15 tháng") and not q.grade("")
    tf = next(q for c in checks.values() for q in c.questions if q.kind == "truefalse")
    assert tf.normalise("Đúng") is True and tf.normalise("sai") is False and tf.normalise("?") is None


# ---------------------------------------------------------------- knowledge-check attempts
def test_an_answer_is_stored_once_and_attempts_keep_first_and_best(store, checks):
    from assistant.progress import NotYours

    c = checks[1]
    a1 = store.kc_begin("minh", 1, len(c.questions))
    for i, q in enumerate(c.questions):
        ok = i % 2 == 0  # half right
        got = store.kc_answer(a1, "minh", q.id, "x" if not ok else q.normalise(right_answer(q)), ok)
        assert got["new"]
    again = store.kc_answer(a1, "minh", c.questions[0].id, "changed", False)  # a retry: the first answer stands
    assert again == {"answer": again["answer"], "correct": True, "new": False}
    with pytest.raises(NotYours):
        store.kc_answer(a1, "hoa", c.questions[1].id, "x", True)
    with pytest.raises(NotYours):
        store.kc_begin("hoa", 1, 12, attempt_id=a1)
    with pytest.raises(NotYours):
        store.kc_begin("minh", 2, 12, attempt_id=a1)  # an attempt belongs to one module
    assert store.kc_open("minh", 1)["id"] == a1
    first = store.kc_finish(a1, "minh")
    assert first["n_answered"] == len(c.questions) and first["score"] == pytest.approx(first["n_correct"] / len(c.questions))
    assert store.kc_finish(a1, "minh")["finished"] == first["finished"]  # idempotent
    assert store.kc_answer(a1, "minh", "k1-99", "x", True)["new"] is False  # a finished attempt takes nothing
    assert store.kc_open("minh", 1) is None
    a2 = store.kc_begin("minh", 1, len(c.questions))  # retake: all right
    for q in c.questions:
        store.kc_answer(a2, "minh", q.id, q.normalise(right_answer(q)), True)
    store.kc_finish(a2, "minh")
    a3 = store.kc_begin("minh", 1, len(c.questions))  # a worse third attempt does not lower the best
    store.kc_answer(a3, "minh", c.questions[0].id, "x", False)
    store.kc_finish(a3, "minh")
    s = store.kc_scores(["minh", "hoa"])
    assert s["hoa"] == {}
    assert s["minh"][1] == {"first": first["score"], "best": 1.0, "last": 0.0, "attempts": 3}
    assert store.kc_answers(a1, "hoa") == {}  # nobody reads another learner's answers


# ---------------------------------------------------------------- exercises and self-assessment
def test_exercise_progress(store, monkeypatch):
    import assistant.progress.store as mod

    clock = [1000.0]
    monkeypatch.setattr(mod.time, "time", lambda: clock[0])
    store.exercise_start("minh", "m1-01", 1)
    clock[0] += 300
    store.exercise_rubric("minh", "m1-01", 1, [2, 0])
    clock[0] += 120
    row = store.exercise_done("minh", "m1-01", 1)
    assert row["done"] and row["started"] == 1000.0 and row["finished"] == 1420.0
    assert row["seconds"] == pytest.approx(420) and row["rubric"] == [0, 2]
    clock[0] += 10_000
    assert store.exercise_done("minh", "m1-01", 1)["seconds"] == pytest.approx(420)  # no open start: nothing added
    store.exercise_start("minh", "m1-01", 1)
    clock[0] += 100_000  # a tab left open overnight counts at most two hours
    assert store.exercise_done("minh", "m1-01", 1)["seconds"] == pytest.approx(420 + 7200)
    assert store.exercises("hoa") == {}


def test_self_assessment(store):
    store.self_assess("minh", 0, "start", 2)
    store.self_assess("minh", 0, "start", 3, {"sa1-1": 2})  # changed: one row, the latest
    store.self_assess("minh", 1, "end", 5, {"sa1-1": 4, "sa1-2": None})
    got = store.self_assessments(["minh", "hoa"])
    assert got["hoa"] == {}
    assert got["minh"][(0, "start")]["level"] == 3 and got["minh"][(0, "start")]["can_do"] == {"sa1-1": 2}
    assert got["minh"][(1, "end")]["can_do"] == {"sa1-1": 4}
    for bad in (dict(phase="middle", level=3), dict(phase="start", level=6)):
        with pytest.raises(ValueError):
            store.self_assess("minh", 1, bad["phase"], bad["level"])


# ---------------------------------------------------------------- classes and the report's rule
def fill_class(store, checks, scores: dict[str, float], done: dict[str, int]):
    store.class_add("K01", "lan", "trainer")
    for who, share in scores.items():
        store.class_add("K01", who)
        c = checks[1]
        a = store.kc_begin(who, 1, len(c.questions))
        right = round(share * len(c.questions))
        for i, q in enumerate(c.questions):
            store.kc_answer(a, who, q.id, "x", i < right)
        store.kc_finish(a, who)
        for i in range(done.get(who, 0)):
            store.exercise_done(who, f"m1-0{i + 1}", 1)


def test_class_report_counts_basic_understanding_by_the_rule(store, checks):
    from assistant.progress.report import Rule, as_json, class_report, report_text

    catalogue = [{"id": f"m1-0{i}", "module": 1} for i in range(1, 6)] + [{"id": "m2-01", "module": 2}]
    # 12 questions: 9/12 = 75 % (>= 70 %), 8/12 = 67 % (< 70 %)
    fill_class(store, checks, {"an": 0.75, "binh": 0.75, "chi": 8 / 12, "dung": 1.0, "em": 1.0},
               {"an": 2, "binh": 1, "chi": 3, "dung": 5, "em": 2})
    store.class_add("K02", "other")
    rep = class_report(store, "K01", catalogue, Rule(0.7, 2, 0.8), checks)
    basic = {r["learner"]: r["modules"][1]["basic"] for r in rep["trainees"]}
    assert basic == {"an": True, "binh": False, "chi": False, "dung": True, "em": True}
    assert rep["trainers"] == ["lan"] and [r["learner"] for r in rep["trainees"]] == ["an", "binh", "chi", "dung", "em"]
    s1 = rep["summary"][1]
    assert (s1["trainees"], s1["basic"], s1["share"], s1["meets_target"]) == (5, 3, 0.6, False)
    assert rep["summary"][2]["basic"] == 0  # nobody took the module 2 check
    assert rep["course"]["basic"] == 0
    looser = class_report(store, "K01", catalogue, Rule(0.6, 1, 0.8), checks)
    assert looser["summary"][1]["basic"] == 5 and looser["summary"][1]["meets_target"]
    # a module with fewer exercises than the rule asks for needs all of them
    small = class_report(store, "K01", [{"id": "m1-01", "module": 1}], Rule(0.7, 2, 0.8), checks)
    assert small["summary"][1]["basic"] == 4
    json.dumps(as_json(rep))
    text = report_text(rep, "en")
    assert "3 of 5 trainees" in text and "60 %" in text and "below the target" in text
    assert "3/5 học viên" in report_text(rep, "vi")


def test_exports_are_translated(store, checks, tmp_path):
    from openpyxl import load_workbook

    from assistant.progress.export import to_csv, write_xlsx
    from assistant.progress.page import report_html
    from assistant.progress.report import Rule, class_report

    fill_class(store, checks, {"an": 1.0}, {"an": 2})
    store.self_assess("an", 1, "start", 2)
    store.self_assess("an", 1, "end", 4)
    rep = class_report(store, "K01", [{"id": "m1-01", "module": 1}, {"id": "m1-02", "module": 1}], Rule(), checks)
    csv_vi = to_csv(rep, "vi")
    assert csv_vi.startswith("\ufeffLớp,Học viên,Học phần,Bài tập đã xong") and ",an,Học phần 1: " in csv_vi
    assert to_csv(rep, "en").startswith("\ufeffClass,Trainee,Module,Exercises done")
    path = write_xlsx(rep, tmp_path / "k.xlsx", "en")
    wb = load_workbook(path)
    assert wb.sheetnames == ["Trainees by module", "Summary"]
    first = [c.value for c in wb["Trainees by module"][2]]
    assert first[:5] == ["K01", "an", "Module 1: Overview of AI and automation in public administration", 2, 2]
    assert first[6] == 100 and first[8:] == [2, 4, "yes"]
    for lang, words in (("vi", ["Báo cáo lớp K01", "Tỷ lệ đạt", "@media print", "<svg"]),
                        ("en", ["Class report: K01", "Share", "@page", "Best knowledge-check score"])):
        page = report_html(rep, lang)
        assert all(w in page for w in words), lang
        assert "progress." not in page  # no message key leaks into the page


# ---------------------------------------------------------------- classes, accounts and the roster
def test_classes_and_accounts(store):
    store.class_add("K01", "minh")
    store.class_add("K01", "lan", "trainer")
    store.class_add("K02", "lan", "trainee")
    assert store.classes() == ["K01", "K02"] and store.classes_of("lan", role="trainer") == ["K01"]
    assert store.members("K01") == [("lan", "trainer"), ("minh", "trainee")]
    assert store.class_remove("K01", "minh") and not store.class_remove("K01", "minh")
    assert store.class_delete("K02") and not store.class_exists("K02")
    store.account_put("minh", "trainee", "h1")
    store.account_put("minh", "trainer", "h2")
    assert store.accounts() == {"minh": ("trainer", "h2")}
    assert store.account_delete("minh") and store.accounts() == {}


def test_roster_import(tmp_path, capsys):
    from assistant.cli import main
    from assistant.progress import ProgressStore
    from assistant.ui.auth import read_users, verify_password

    users, data = tmp_path / "users.txt", tmp_path / "data"
    roster = tmp_path / "lop.csv"
    roster.write_text("\ufeffLớp;Tài khoản;Vai trò;Mật khẩu\nK01;lan;giảng viên;giangvien1\nK01;minh;học viên;\n"
                      "K01;hoa;;hocvien2\nK02;minh;trainee;\n", encoding="utf-8")
    out = tmp_path / "passwords.csv"
    args = ["users", "--file", str(users), "--data-dir", str(data)]
    assert main(args + ["import", str(roster), "--passwords-out", str(out)]) == 0
    accounts = read_users(users)
    assert {n: u.role for n, u in accounts.items()} == {"lan": "trainer", "minh": "trainee", "hoa": "trainee"}
    assert verify_password("giangvien1", accounts["lan"].hash)
    made = dict(line.split(",") for line in out.read_text().splitlines()[1:])
    assert list(made) == ["minh"] and verify_password(made["minh"], accounts["minh"].hash)
    assert oct(out.stat().st_mode)[-3:] == "600"
    store = ProgressStore(data / "app.sqlite")
    assert store.members("K01") == [("hoa", "trainee"), ("lan", "trainer"), ("minh", "trainee")]
    assert store.classes_of("minh") == ["K01", "K02"]
    # run again: nothing duplicated, passwords kept
    assert main(args + ["import", str(roster)]) == 0
    assert read_users(users)["minh"].hash == accounts["minh"].hash and len(store.members("K01")) == 3
    # a bad row changes nothing and names the line
    bad = tmp_path / "bad.csv"
    bad.write_text("class,name,role\nK03,an,trainee\nK03,bad name,trainee\nK03,chi,admin\n", encoding="utf-8")
    capsys.readouterr()
    assert main(args + ["import", str(bad)]) == 2
    err = capsys.readouterr().err
    assert f"{bad}:3:" in err and f"{bad}:4:" in err and "admin" in err and "nothing changed" in err
    assert not store.class_exists("K03") and "an" not in read_users(users)
    assert main(args + ["class", "list"]) == 0
    assert "K01\t2 trainees\tlan" in capsys.readouterr().out


def test_accounts_in_the_shared_database(db_url, tmp_path, monkeypatch):
    from assistant.cli import main
    from assistant.config import load_settings
    from assistant.ui.auth import Accounts

    monkeypatch.setattr("sys.stdin", io.StringIO("giangvien1\n"))
    assert main(["users", "--database-url", db_url, "add", "lan", "--role", "trainer", "--password-stdin"]) == 0
    s = load_settings(env={}, env_file=None, database_url=db_url, data_dir=str(tmp_path))
    acc = Accounts.for_settings(s)
    assert acc.enabled and acc.store is not None  # login is on with a shared database
    assert acc.check("lan", "giangvien1") and not acc.check("lan", "sai") and acc.role("lan") == "trainer"
    assert main(["users", "--database-url", db_url, "remove", "lan"]) == 0
    acc._mtime = None  # skip the few seconds' cache
    assert not acc.check("lan", "giangvien1")


# ---------------------------------------------------------------- who may read whose results
def test_reading_rules(tmp_path):
    from types import SimpleNamespace

    from assistant.config import load_settings
    from assistant.progress import get_store
    from assistant.ui import learner as L
    from assistant.ui import testing
    from assistant.ui.auth import Accounts

    users = testing.make_users(tmp_path / "u.txt", {"lan": ("trainer", "x" * 6), "tu": ("trainer", "x" * 6),
                                                     "minh": ("trainee", "x" * 6), "hoa": ("trainee", "x" * 6)})
    s = load_settings(env={}, env_file=None, data_dir=str(tmp_path / "data"), users_file=str(users))
    ctx = SimpleNamespace(settings=s, accounts=Accounts(str(users)), c={})
    store = get_store(s)
    store.class_add("K01", "lan", "trainer")
    store.class_add("K01", "minh")
    store.class_add("K02", "tu", "trainer")
    store.class_add("K02", "hoa")
    as_ = {n: SimpleNamespace(username=n, session_hash="s-" + n) for n in ("lan", "tu", "minh", "hoa")}
    assert L.can_read(ctx, as_["minh"], "minh") and not L.can_read(ctx, as_["hoa"], "minh")
    assert L.can_read(ctx, as_["lan"], "minh") and not L.can_read(ctx, as_["lan"], "hoa")
    assert not L.can_read(ctx, as_["tu"], "minh") and not L.can_read(ctx, None, "minh")
    assert L.trainer_classes(ctx, as_["lan"]) == ["K01"] and L.trainer_classes(ctx, as_["minh"]) == []
    assert L.learner(ctx, as_["hoa"], "some-browser") == "hoa"  # with accounts, the browser id is ignored
    local = SimpleNamespace(settings=s, accounts=Accounts(""), c={})
    req = SimpleNamespace(username=None, session_hash="abc")
    one = L.learner(local, req, "")
    assert one.startswith("browser:") and L.learner(local, req, "") == one  # one id per page session
    assert L.learner(local, req, "b1") == "browser:b1" and L.learner(local, req, api=True) == "local"
    assert L.trainer_classes(local, req) == ["K01", "K02"]  # the laptop's own user runs every class
