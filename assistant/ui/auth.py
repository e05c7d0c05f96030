"""Class accounts: off by default; ``ASSISTANT_USERS_FILE`` turns login on.

The users file is plain text, one user per line (``#`` starts a comment)::

    # name:role:hash
    lan:trainer:scrypt$16384$8$1$<salt base64>$<hash base64>
    minh:trainee:scrypt$16384$8$1$...

``role`` is ``trainer`` or ``trainee``. Hashes are scrypt (Python standard
library); write them with ``python -m assistant users add NAME --role trainer``.
Without a users file nobody logs in and the single local user is a trainer
(a laptop on one's own desk); set the file before serving a class.

With ``ASSISTANT_DATABASE_URL`` (several app instances behind one address) the accounts live in the
shared database instead (table ``accounts``, same hashes), login is always required, and
``python -m assistant users add …`` writes there; every instance sees a new account within seconds.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import os
import threading
from dataclasses import dataclass
from pathlib import Path

ROLES = ("trainee", "trainer")
N, R, P = 2 ** 14, 8, 1


def hash_password(password: str, salt: bytes | None = None, n: int = N, r: int = R, p: int = P) -> str:
    salt = salt or os.urandom(16)
    dk = hashlib.scrypt(password.encode("utf-8"), salt=salt, n=n, r=r, p=p, dklen=32)
    return f"scrypt${n}${r}${p}${base64.b64encode(salt).decode()}${base64.b64encode(dk).decode()}"


def verify_password(password: str, stored: str) -> bool:
    try:
        algo, n, r, p, salt, dk = stored.split("$")
        if algo != "scrypt":
            return False
        got = hashlib.scrypt(password.encode("utf-8"), salt=base64.b64decode(salt), n=int(n), r=int(r), p=int(p),
                             dklen=len(base64.b64decode(dk)))
        return hmac.compare_digest(got, base64.b64decode(dk))
    except (ValueError, TypeError):
        return False


@dataclass(frozen=True)
class User:
    name: str
    role: str
    hash: str


class UsersFileError(ValueError):
    pass


def read_users(path: str | Path) -> dict[str, User]:
    users: dict[str, User] = {}
    p = Path(path)
    if not p.is_file():
        return users
    for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        parts = line.split(":", 2)
        if len(parts) != 3 or parts[1] not in ROLES or not parts[0]:
            raise UsersFileError(f"{path}:{n}: expected 'name:role:hash' with role trainee or trainer")
        users[parts[0]] = User(parts[0], parts[1], parts[2])
    return users


def write_users(path: str | Path, users: dict[str, User]) -> None:
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    lines = ["# Class accounts: name:role:hash (role trainee|trainer). Edit with: python -m assistant users"]
    lines += [f"{u.name}:{u.role}:{u.hash}" for u in sorted(users.values(), key=lambda u: u.name)]
    tmp = p.with_suffix(p.suffix + ".tmp")
    tmp.write_text("\n".join(lines) + "\n", encoding="utf-8")
    os.chmod(tmp, 0o600)
    tmp.replace(p)


class Accounts:
    """Login check and roles, re-reading the users file when it changes (or the shared database's
    ``accounts`` table every few seconds)."""

    DB_TTL = 3.0  # seconds a database read of the accounts is reused

    def __init__(self, path: str, store=None):
        self.path = path
        self.store = store  # a ProgressStore on the shared database, or None for the users file
        self._lock = threading.Lock()
        self._mtime = None
        self._users: dict[str, User] = {}

    @classmethod
    def for_settings(cls, settings) -> "Accounts":
        """The users file, or the shared database's accounts when ``database_url`` is set."""
        if getattr(settings, "database_url", ""):
            from assistant.progress import get_store

            return cls(settings.users_file, store=get_store(settings))
        return cls(settings.users_file)

    @property
    def enabled(self) -> bool:
        return bool(self.path) or self.store is not None

    def users(self) -> dict[str, User]:
        if self.store is not None:
            return self._db_users()
        if not self.path:
            return {}
        with self._lock:
            try:
                m = Path(self.path).stat().st_mtime
            except OSError:
                m = None
            if m != self._mtime:
                self._users, self._mtime = read_users(self.path), m
            return self._users

    def _db_users(self) -> dict[str, User]:
        import time

        with self._lock:
            now = time.monotonic()
            if self._mtime is None or now - self._mtime > self.DB_TTL:
                self._users = {n: User(n, role, h) for n, (role, h) in self.store.accounts().items()}
                self._mtime = now
            return self._users

    def put(self, user: User) -> None:
        """Add or change an account (the shared database, or the users file)."""
        if self.store is not None:
            self.store.account_put(user.name, user.role, user.hash)
        else:
            users = read_users(self.path)
            users[user.name] = user
            write_users(self.path, users)
        self._mtime = None

    def remove(self, name: str) -> bool:
        if self.store is not None:
            ok = self.store.account_delete(name)
        else:
            users = read_users(self.path)
            ok = users.pop(name, None) is not None
            if ok:
                write_users(self.path, users)
        self._mtime = None
        return ok

    async def check_async(self, name: str, password: str) -> bool:
        """``check`` in a worker thread: the web server's login route awaits it, so a class logging in at
        once (scrypt is slow on purpose) does not stall every other request on the event loop."""
        import asyncio

        return await asyncio.to_thread(self.check, name, password)

    def check(self, name: str, password: str) -> bool:
        u = self.users().get(name or "")
        return bool(u and verify_password(password or "", u.hash))

    def role(self, name: str | None) -> str:
        """Role of a logged-in user; without accounts the local user is a trainer."""
        if not self.enabled:
            return "trainer"
        u = self.users().get(name or "")
        return u.role if u else "trainee"

    def role_of(self, request) -> str:
        return self.role(getattr(request, "username", None) if request is not None else None)
