"""Load test: a class of simulated trainees asking questions at once against the running app.

    .venv/bin/python benchmarks/bench_load.py                 # starts app.py on a free port (offline backend)
    .venv/bin/python benchmarks/bench_load.py --url http://127.0.0.1:7860   # an app already running
    .venv/bin/python benchmarks/bench_load.py --users 40 --questions 5 --json
    .venv/bin/python benchmarks/bench_load.py --scenario class --fixture   # 40 trainees log in, each takes the
                          # module 1 knowledge check (12 answers, each graded and saved) and asks 2 questions
    .venv/bin/python benchmarks/bench_load.py --scenario class --fixture --database-url postgresql://…

When it starts the app itself it uses the index in ASSISTANT_STORE_DIR (default .assistant/store, made by
``make index``); with ``--fixture`` it indexes a small built-in corpus into a temporary folder instead.
Every trainee is a separate gradio_client session calling the named endpoint /ask. Prints the number of
errors, latency percentiles (p50/p95/max) and the app process's peak resident memory (VmHWM).
Aims: 0 errors, p95 <= 2 s, RSS <= 1.5 GB.
"""
from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

QUESTIONS = [
    "Thời hạn kiểm tra hồ sơ trực tuyến là bao lâu?",
    "Thủ tục đăng ký khai sinh cần những giấy tờ gì?",
    "Lệ phí đăng ký hộ kinh doanh là bao nhiêu?",
    "Cán bộ có được đưa số căn cước công dân lên công cụ AI không?",
    "Văn bản hành chính phải trình bày phông chữ gì?",
    "Hồ sơ lưu trữ điện tử được giữ bao lâu?",
    "Quy định về bảo vệ bí mật nhà nước khi dùng AI là gì?",
    "What must an official check before using an AI answer?",
    "Bộ phận một cửa tiếp nhận hồ sơ như thế nào?",
    "Kế hoạch chuyển đổi số đặt mục tiêu gì cho năm 2025?",
    "Người dân có quyền tiếp cận thông tin nào?",
    "Cách viết văn bản dễ hiểu cho người dân?",
]


def ask_args(question: str) -> tuple:
    """Every input of /ask in order (the raw HTTP API fills in no defaults): question, lang, sources,
    internals, task, history, options, scope, files."""
    return (question, "vi", None, False, "qa", None, None, "corpus", None)


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


def rss_kb(pid: int, field: str = "VmRSS") -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def percentile(values: list[float], p: float) -> float:
    if not values:
        return 0.0
    s = sorted(values)
    k = max(0, min(len(s) - 1, int(round(p / 100 * len(s) + 0.5)) - 1))
    return s[k]


def trainee_accounts(n: int) -> list[tuple[str, str]]:
    return [(f"hv{i:02d}", f"matkhau-{i:02d}") for i in range(n)]


def make_class(env: dict, tmp: Path, n: int) -> None:
    """The class of the "class" scenario: n trainee accounts and one trainer, in class BENCH (via the CLI)."""
    roster = tmp / "roster.csv"
    rows = [f"BENCH,{u},trainee,{p}" for u, p in trainee_accounts(n)] + ["BENCH,gv,trainer,giangvien"]
    roster.write_text("class,name,role,password\n" + "\n".join(rows) + "\n", encoding="utf-8")
    subprocess.run([sys.executable, "-m", "assistant", "users", "import", str(roster)], cwd=ROOT, env=env, check=True,
                   stdout=subprocess.DEVNULL)


def start_app(args) -> tuple[subprocess.Popen, str, Path]:
    from assistant.ui.testing import free_port, make_corpus

    tmp = Path(tempfile.mkdtemp(prefix="bench-load-"))
    env = dict(os.environ, HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1", ANONYMIZED_TELEMETRY="False",
               ASSISTANT_BACKEND="offline", ASSISTANT_HOST="127.0.0.1", ASSISTANT_DATA_DIR=str(tmp / "data"),
               ASSISTANT_USERS_FILE="")
    if args.scenario == "class":  # accounts on: progress is per trainee
        env["ASSISTANT_USERS_FILE"] = "" if args.database_url else str(tmp / "users.txt")
        if args.database_url:
            env["ASSISTANT_DATABASE_URL"] = args.database_url
        make_class(env, tmp, args.users)
    if args.fixture:
        env["ASSISTANT_CORPUS_DIR"] = str(make_corpus(tmp / "corpus"))
        env["ASSISTANT_STORE_DIR"] = str(tmp / "store")
        subprocess.run([sys.executable, "-m", "assistant", "index"], cwd=ROOT, env=env, check=True,
                       stdout=subprocess.DEVNULL)
    port = free_port()
    env["ASSISTANT_PORT"] = str(port)
    if args.concurrency:
        env["ASSISTANT_CONCURRENCY"] = str(args.concurrency)
    log = open(tmp / "app.log", "w")
    proc = subprocess.Popen([sys.executable, "app.py"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    import socket

    deadline = time.time() + 300
    while time.time() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"the app stopped; see {tmp / 'app.log'}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return proc, url, tmp
        except OSError:
            time.sleep(0.5)
    proc.kill()
    raise SystemExit("the app did not start within 300 s")


class HttpClient:
    """The documented HTTP API (POST /gradio_api/call/ask, then read the event stream): what a browser-less
    script does, and much lighter on the benchmark's own CPU than 40 gradio_client sessions."""

    def __init__(self, url: str, timeout: float = 300, auth: tuple[str, str] | None = None):
        import http.cookiejar
        import urllib.parse
        import urllib.request

        self.url, self.timeout, self.req = url, timeout, urllib.request
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
        if auth:  # the app's login form (accounts on): the session cookie is kept for every call
            form = urllib.parse.urlencode({"username": auth[0], "password": auth[1]}).encode()
            with self.opener.open(self.req.Request(url + "/login", data=form), timeout=timeout) as r:
                r.read()
        with self.opener.open(url + "/gradio_api/info", timeout=timeout) as r:  # the API is there
            r.read()

    def predict(self, *data, api_name: str):
        name = api_name.strip("/")
        body = json.dumps({"data": list(data)}).encode("utf-8")
        rq = self.req.Request(f"{self.url}/gradio_api/call/{name}", data=body,
                              headers={"Content-Type": "application/json"})
        with self.opener.open(rq, timeout=self.timeout) as r:
            event_id = json.loads(r.read())["event_id"]
        event = None
        with self.opener.open(f"{self.url}/gradio_api/call/{name}/{event_id}", timeout=self.timeout) as r:
            for raw in r:
                line = raw.decode("utf-8").rstrip("\n")
                if line.startswith("event:"):
                    event = line.split(":", 1)[1].strip()
                elif line.startswith("data:") and event in ("complete", "error"):
                    payload = line.split(":", 1)[1].strip()
                    if event == "error":
                        raise RuntimeError(payload)
                    return json.loads(payload)[0]
        raise RuntimeError("no result")


def trainee(i: int, url: str, n: int, lat: list, errors: list, lock: threading.Lock, barrier: threading.Barrier,
            unique: bool = False, mode: str = "http"):
    try:
        if mode == "gradio_client":
            from gradio_client import Client

            client = Client(url, verbose=False)
        else:
            client = HttpClient(url)
        client.predict("vi", api_name="/accept_terms")  # the server refuses questions before the terms are accepted
    except Exception as exc:  # noqa: BLE001
        with lock:
            errors.append(f"trainee {i}: connect: {exc}")
        barrier.abort()
        return
    try:
        barrier.wait(timeout=300)
    except threading.BrokenBarrierError:
        pass
    for q in range(n):
        question = QUESTIONS[(i * n + q) % len(QUESTIONS)]
        if unique:  # no two trainees send the same words: nothing is answered from the cache
            question = f"{question} (học viên {i}, câu {q + 1})"
        t0 = time.perf_counter()
        try:
            res = client.predict(*ask_args(question), api_name="/ask")
            ok = isinstance(res, dict) and "answer" in res and res["answer"]
        except Exception as exc:  # noqa: BLE001
            ok, res = False, exc
        dt = time.perf_counter() - t0
        with lock:
            if ok:
                lat.append(dt)
            else:
                errors.append(f"trainee {i} q{q}: {str(res)[:200]}")


def answer(q, right: bool):
    """An answer to knowledge-check question ``q``, right or wrong, as a trainee would send it."""
    ans = q.data["answer"]
    if q.kind == "short":
        return ans["vi"][0] if right else "không biết"
    if q.kind == "truefalse":
        return ans if right else not ans
    if q.kind == "multi":
        return ans if right else ans[:1]
    return ans if right else next(v for _, v in q.choices("vi") if v != ans)


def class_trainee(i: int, url: str, auth, lat: dict, errors: list, lock: threading.Lock,
                  barrier: threading.Barrier, module: int = 1, asks: int = 2):
    """One trainee of the class scenario: log in, open a knowledge check, answer every question (each graded
    and saved at once), then ask ``asks`` questions. Every action's latency is kept under its name."""
    from assistant.progress.knowledge import load_checks

    check = load_checks()[module]

    def timed(action, fn):
        t0 = time.perf_counter()
        out = fn()
        with lock:
            lat.setdefault(action, []).append(time.perf_counter() - t0)
        return out

    try:
        barrier.wait(timeout=600)
    except threading.BrokenBarrierError:
        pass
    try:
        client = timed("login", lambda: HttpClient(url, auth=auth))
        client.predict("vi", api_name="/accept_terms")
        got = timed("knowledge_check", lambda: client.predict(module, "vi", api_name="/knowledge_check"))
        assert len(got["questions"]) == len(check.questions)
        attempt = ""
        for n, q in enumerate(check.questions):
            value = answer(q, right=(n + i) % 4 != 0)  # a mistake now and then
            res = timed("knowledge_answer", lambda: client.predict(module, q.id, value, attempt, "vi",
                                                                   api_name="/knowledge_answer"))
            attempt = res["attempt_id"]
        if not res.get("finished"):
            raise RuntimeError("the check did not finish with its last answer")
        for k in range(asks):
            question = QUESTIONS[(i * asks + k) % len(QUESTIONS)] + f" (học viên {i}, câu {k + 1})"
            res = timed("ask", lambda: client.predict(*ask_args(question), api_name="/ask"))
            if not (isinstance(res, dict) and res.get("answer")):
                raise RuntimeError(f"empty answer: {str(res)[:200]}")
    except Exception as exc:  # noqa: BLE001
        with lock:
            errors.append(f"trainee {i}: {str(exc)[:200]}")


def run_class(args, url: str) -> tuple[dict, list, float]:
    lat: dict[str, list[float]] = {}
    errors: list[str] = []
    lock = threading.Lock()
    barrier = threading.Barrier(args.users)
    accounts = trainee_accounts(args.users)
    threads = [threading.Thread(target=class_trainee, args=(i, url, accounts[i], lat, errors, lock, barrier, 1,
                                                           args.asks)) for i in range(args.users)]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return lat, errors, time.perf_counter() - t0


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--url", help="an app already running (default: start app.py on a free port)")
    ap.add_argument("--pid", type=int, help="process id of that app, to measure its memory")
    ap.add_argument("--users", type=int, default=40)
    ap.add_argument("--questions", type=int, default=5)
    ap.add_argument("--concurrency", type=int, help="ASSISTANT_CONCURRENCY for the started app")
    ap.add_argument("--fixture", action="store_true", help="index a small built-in corpus instead of using the store")
    ap.add_argument("--unique", action="store_true",
                    help="every question different (default: trainees share the 12 questions, as a class doing "
                         "the same exercise does, so repeated questions come from the answer cache)")
    ap.add_argument("--client", choices=["http", "gradio_client"], default="http",
                    help="how each trainee calls /ask (default: plain HTTP)")
    ap.add_argument("--scenario", choices=["ask", "class"], default="ask",
                    help="ask: every trainee asks --questions questions (no login); class: accounts on, every trainee "
                         "takes a knowledge check (12 answers) and asks 2 questions; latency per action")
    ap.add_argument("--asks", type=int, default=2, help="class scenario: questions each trainee asks (default 2)")
    ap.add_argument("--database-url", default="", help="class scenario: a PostgreSQL URL for the started app")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    if args.scenario == "class" and args.url:
        ap.error("--scenario class starts its own app (it makes the class's accounts)")

    proc = None
    if args.url:
        url, pid = args.url.rstrip("/"), args.pid
    else:
        proc, url, _tmp = start_app(args)
        pid = proc.pid
    peak = [0]
    stop = threading.Event()

    def watch():
        while not stop.is_set() and pid:
            peak[0] = max(peak[0], rss_kb(pid))
            time.sleep(0.2)

    threading.Thread(target=watch, daemon=True).start()
    if args.scenario == "class":
        try:
            warm = HttpClient(url, auth=trainee_accounts(1)[0])
            warm.predict("vi", api_name="/accept_terms")
            warm.predict(*ask_args("khởi động"), api_name="/ask")
            lat, errors, wall = run_class(args, url)
            hwm = rss_kb(pid, "VmHWM") if pid else 0
        finally:
            stop.set()
            if proc is not None:
                proc.terminate()
                try:
                    proc.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    proc.kill()
        n_actions = sum(len(v) for v in lat.values())
        out = {"scenario": "class", "trainees": args.users, "database": "postgresql" if args.database_url else "sqlite",
               "actions": n_actions, "errors": len(errors), "wall_s": round(wall, 1),
               "per_action": {k: {"n": len(v), "p50_s": round(statistics.median(v), 3), "p95_s": round(percentile(v, 95), 3),
                                  "max_s": round(max(v), 3)} for k, v in sorted(lat.items())},
               "peak_rss_mb": round(max(hwm, peak[0]) / 1024, 1) if pid else None}
        if args.json:
            print(json.dumps(out))
        else:
            print(f"{args.users} trainees at once, each: log in, knowledge check (12 answers), 2 questions — "
                  f"{n_actions} actions in {out['wall_s']} s ({out['database']})")
            print(f"errors: {out['errors']}")
            for k, v in out["per_action"].items():
                print(f"  {k:<17} n={v['n']:<4} p50 {v['p50_s']} s  p95 {v['p95_s']} s  max {v['max_s']} s")
            print(f"peak RSS of the app: {out['peak_rss_mb']} MB  (aim: <= 1536 MB)")
            for e in errors[:10]:
                print("  " + e)
        return 0 if not errors else 1
    try:
        warm = HttpClient(url)
        warm.predict("vi", api_name="/accept_terms")
        warm.predict(*ask_args("khởi động"), api_name="/ask")  # warm-up
        lat: list[float] = []
        errors: list[str] = []
        lock = threading.Lock()
        barrier = threading.Barrier(args.users)
        threads = [threading.Thread(target=trainee, args=(i, url, args.questions, lat, errors, lock, barrier, args.unique,
                                                        args.client))
                   for i in range(args.users)]
        t0 = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        wall = time.perf_counter() - t0
        hwm = rss_kb(pid, "VmHWM") if pid else 0
    finally:
        stop.set()
        if proc is not None:
            proc.terminate()
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
    out = {
        "unique_questions": bool(args.unique), "client": args.client, "trainees": args.users, "questions_each": args.questions, "requests": args.users * args.questions,
        "ok": len(lat), "errors": len(errors),
        "p50_s": round(statistics.median(lat), 3) if lat else None,
        "p95_s": round(percentile(lat, 95), 3), "max_s": round(max(lat), 3) if lat else None,
        "wall_s": round(wall, 1), "throughput_rps": round(len(lat) / wall, 2) if wall else None,
        "peak_rss_mb": round(max(hwm, peak[0]) / 1024, 1) if pid else None,
    }
    if args.json:
        print(json.dumps(out))
    else:
        print(f"{out['trainees']} trainees x {out['questions_each']} questions = {out['requests']} requests "
              f"in {out['wall_s']} s ({out['throughput_rps']} answers/s)")
        print(f"errors: {out['errors']}")
        print(f"latency: p50 {out['p50_s']} s, p95 {out['p95_s']} s, max {out['max_s']} s  (aim: p95 <= 2 s)")
        print(f"peak RSS of the app: {out['peak_rss_mb']} MB  (aim: <= 1536 MB)")
        for e in errors[:10]:
            print("  " + e)
    return 0 if not errors else 1


if __name__ == "__main__":
    sys.exit(main())
