"""A throw-away PostgreSQL server for tests: Debian's ``postgresql`` binaries (``initdb`` + ``pg_ctl``) into a
temporary folder, listening on 127.0.0.1 on a free port, stopped and removed afterwards.

PostgreSQL refuses to run as root; the tests do run as root, so the server runs as the ``postgres``
system user (``runuser -u postgres --``) with its data folder owned by that user. As a normal user the
server simply runs as that user.
"""
from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

PASSWORD = "sandbox-test"
DBNAME = "assistant"


def bin_dir() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: [int(x) for x in p.split("/")[4].split(".") if x.isdigit()])
    return Path(found[-1]).parent if found else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PgServer:
    def __init__(self):
        self.bin = bin_dir()
        if self.bin is None:
            raise RuntimeError("PostgreSQL is not installed (apt-get install -y postgresql)")
        self.root = os.geteuid() == 0
        self.user = "postgres" if self.root else os.environ.get("USER", "postgres")
        self.tmp = Path(tempfile.mkdtemp(prefix="pg-test-"))
        self.data = self.tmp / "data"
        self.port = _free_port()
        self.url = f"postgresql://{self.user}:{PASSWORD}@127.0.0.1:{self.port}/{DBNAME}"

    def _run(self, *cmd: str, check: bool = True, **kw) -> subprocess.CompletedProcess:
        full = (["runuser", "-u", "postgres", "--"] if self.root else []) + list(cmd)
        return subprocess.run(full, check=check, capture_output=True, text=True, timeout=120, **kw)

    def start(self) -> "PgServer":
        os.chmod(self.tmp, 0o755)
        if self.root:
            shutil.chown(self.tmp, "postgres", "postgres")
        pwfile = self.tmp / "pw"
        pwfile.write_text(PASSWORD + "\n")
        if self.root:
            shutil.chown(pwfile, "postgres", "postgres")
        self._run(str(self.bin / "initdb"), "-D", str(self.data), "-U", self.user, "--auth=scram-sha-256",
                  f"--pwfile={pwfile}", "-E", "UTF8", "--locale=C.UTF-8")
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-l", str(self.tmp / "log.txt"), "-w", "-t", "60",
                  "-o", f"-c listen_addresses=127.0.0.1 -c port={self.port} -c unix_socket_directories={self.tmp} "
                        "-c max_connections=200 -c fsync=on", "start")
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    break
            except OSError:
                time.sleep(0.2)
        self._run(str(self.bin / "createdb"), "-h", "127.0.0.1", "-p", str(self.port), "-U", self.user, DBNAME,
                  env=dict(os.environ, PGPASSWORD=PASSWORD))
        return self

    def stop(self) -> None:
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop", check=False)
        shutil.rmtree(self.tmp, ignore_errors=True)

    def log(self) -> str:
        p = self.tmp / "log.txt"
        return p.read_text(errors="replace")[-3000:] if p.exists() else ""


def available() -> bool:
    return bin_dir() is not None and (os.geteuid() != 0 or shutil.which("runuser") is not None)


def pg_fixture():
    """A session-scoped pytest fixture: the URL of a fresh server (import it into a test module)."""
    import pytest

    @pytest.fixture(scope="session")
    def pg_url():
        if not available():
            pytest.skip("PostgreSQL binaries are missing (apt-get install -y postgresql)")
        server = PgServer().start()
        try:
            yield server.url
        finally:
            server.stop()

    return pg_url


def fresh_database(url: str, name: str) -> str:
    """A new empty database on the server of ``url``; returns its URL (each test gets its own)."""
    import sqlalchemy as sa

    from assistant.progress.db import normalise_url

    engine = sa.create_engine(normalise_url(url), isolation_level="AUTOCOMMIT")
    with engine.connect() as c:
        c.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}"')
        c.exec_driver_sql(f'CREATE DATABASE "{name}"')
    engine.dispose()
    return url.rsplit("/", 1)[0] + "/" + name
