"""Who the learner is, and who may read whose results — one place for the UI tabs and the named API.

- With accounts (a users file or the shared database): the learner is the logged-in account.
- Without accounts (one laptop, no login): the learner is this browser, ``browser:<id>``; the id is kept
  in the browser (``gr.BrowserState``) and made on the first visit. API calls without login are ``local``.

Reading rules: a trainee reads only their own results; a trainer reads their own and those of the
trainees of the classes they are a trainer of; without accounts the single local user reads everything.
"""
from __future__ import annotations

import os
import secrets
import threading
import time
import uuid
from pathlib import Path

from assistant.progress import get_store
from assistant.ui import exercises as exlib

_SESSION_IDS: dict[str, str] = {}
_LOCK = threading.Lock()


def browser_secret(settings) -> str:
    """The key the browser's stored id is sealed with, kept in ASSISTANT_DATA_DIR: the same after a restart
    (Gradio's default is a new random key per start, which would make every browser a stranger)."""
    path = Path(settings.data_dir) / "browser-secret"
    try:
        return path.read_text(encoding="ascii").strip()
    except OSError:
        path.parent.mkdir(parents=True, exist_ok=True)
        secret = secrets.token_urlsafe(32)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another process made it a moment ago
            time.sleep(0.1)
            return path.read_text(encoding="ascii").strip()
        with os.fdopen(fd, "w", encoding="ascii") as f:
            f.write(secret)
        return secret


def browser_state(ctx):
    """The one ``gr.BrowserState`` holding this browser's id (the shell makes it at the top of the page,
    outside the tabs, so it is mounted whichever tab is open)."""
    import gradio as gr

    if "browser_id" not in ctx.c:
        ctx.c["browser_id"] = gr.BrowserState("", storage_key="assistant_browser_id",
                                              secret=browser_secret(ctx.settings))
    return ctx.c["browser_id"]


def store(ctx):
    return get_store(ctx.settings)


def catalogue(ctx) -> list[dict]:
    if "catalogue" not in ctx.c:
        ctx.c["catalogue"] = exlib.load_exercises(ctx.exercises_dir)
    return ctx.c["catalogue"]


def username(request) -> str:
    return (getattr(request, "username", None) or "") if request is not None else ""


def browser_id(request, bid: str | None) -> str:
    """This browser's id: the stored one, else one made for this page session (and stored by the caller)."""
    if bid:
        return str(bid)[:64]
    sid = getattr(request, "session_hash", None) or "anonymous"
    with _LOCK:
        if sid not in _SESSION_IDS:
            if len(_SESSION_IDS) > 10000:
                _SESSION_IDS.clear()
            _SESSION_IDS[sid] = uuid.uuid4().hex
        return _SESSION_IDS[sid]


def learner(ctx, request, bid: str | None = None, api: bool = False) -> str:
    """The learner key for this request ('' when accounts are on but nobody is logged in)."""
    if ctx.accounts.enabled:
        return username(request)
    if api:
        return "local"
    return "browser:" + browser_id(request, bid)


def trainer_classes(ctx, request) -> list[str]:
    """The classes this user may see as a trainer."""
    if not ctx.accounts.enabled:
        return store(ctx).classes()
    if ctx.accounts.role_of(request) != "trainer":
        return []
    return store(ctx).classes_of(username(request), role="trainer")


def can_read(ctx, request, who: str) -> bool:
    """May this request read the results of learner ``who``?"""
    if not ctx.accounts.enabled:
        return True
    me = username(request)
    if not me:
        return False
    if who == me:
        return True
    if ctx.accounts.role_of(request) != "trainer":
        return False
    s = store(ctx)
    return any(who in {m for m, _ in s.members(c, "trainee")} for c in s.classes_of(me, role="trainer"))
