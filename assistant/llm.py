"""The one model client: every call to a chat model goes through :class:`ModelClient`.

It is the only place that builds a chat model (a test fails if another module imports
``langchain_openai``). On the way out it replaces personal data by typed placeholders with the
guard's :class:`~assistant.guard.redaction.Redactor` (unless ``ASSISTANT_REDACT_OUTBOUND=false``);
on the way in it puts the user's values back, also in a stream. Which engine a setting selects
(offline = no client, openai, the scripted fake) is decided in ``assistant.engines``.

Any OpenAI-compatible chat server works through langchain-openai.

vLLM, llama.cpp server, LM Studio, Ollama (``/v1``) and cloud APIs all speak
the same protocol; only settings change (ASSISTANT_LLM_BASE_URL, _MODEL,
_API_KEY, _CONTEXT_TOKENS, _MAX_TOKENS, _TIMEOUT, _RETRIES).

- The context window is sent on every call as extra body parameters that
  servers understand (``num_ctx`` for Ollama-style servers; others ignore
  it) and enforced client-side by the token budget (assistant.answer.prompting).
- ``max_tokens`` is sent under that name (not ``max_completion_tokens``,
  which llama.cpp and older servers ignore), except for OpenAI reasoning models.
- Before the first call the server's model list is checked once, so a wrong
  model name gets a clear message even from servers that would silently
  serve another model (llama.cpp does). Failures become ``LLMError`` with a
  message in Vietnamese or English from prompts/messages_answers.yaml.
"""
from __future__ import annotations

import re
import threading
from typing import Iterator

from assistant.messages import t

_CHECKED: set[tuple] = set()
_LOCK = threading.Lock()


class LLMError(Exception):
    """A failed call to the LLM server, with a message for the user."""

    def __init__(self, code: str, **kw):
        super().__init__(f"{code}: {kw}")
        self.code = code  # not_configured | unreachable | timeout | bad_url | model_not_found | auth | context | error
        self.kw = kw

    def message(self, lang: str = "vi") -> str:
        return t(f"answers.llm_{self.code}", lang, **self.kw)

    def as_json(self, lang: str = "vi") -> dict:
        return {"code": self.code, "message": self.message(lang)}


def _reasoning_model(name: str) -> bool:
    return bool(re.match(r"^(o\d|gpt-5)", name or ""))


def _chat_class():
    from langchain_openai import ChatOpenAI

    class CompatChatOpenAI(ChatOpenAI):
        """ChatOpenAI that sends ``max_tokens`` the way most compatible servers read it."""

        def _get_request_payload(self, input_, *, stop=None, **kwargs):
            payload = super()._get_request_payload(input_, stop=stop, **kwargs)
            if "max_completion_tokens" in payload and not _reasoning_model(self.model_name):
                payload["max_tokens"] = payload.pop("max_completion_tokens")
            return payload

    return CompatChatOpenAI


def context_body(settings) -> dict:
    """Extra body parameters carrying the context window on every call."""
    n = int(settings.llm_context_tokens)
    return {"num_ctx": n, "options": {"num_ctx": n}}


def build_chat(settings, max_tokens: int | None = None, temperature: float | None = None,
               timeout: float | None = None, retries: int | None = None):
    """A langchain chat model for an OpenAI-compatible server (timeouts, retries, context window)."""
    if not settings.llm_base_url or not settings.llm_model:
        raise LLMError("not_configured")
    cls = _chat_class()
    return cls(
        model=settings.llm_model,
        base_url=settings.llm_base_url.rstrip("/"),
        api_key=settings.llm_api_key or "not-needed",
        timeout=settings.llm_timeout if timeout is None else timeout,
        max_retries=max(0, int(settings.llm_retries if retries is None else retries)),
        max_tokens=max_tokens or settings.llm_max_tokens,
        temperature=settings.llm_temperature if temperature is None else temperature,
        extra_body=context_body(settings),
    )


def text_of(content) -> str:
    """The text of a message's content (a string, or a list of parts)."""
    if isinstance(content, str):
        return content
    return "".join(p.get("text", "") if isinstance(p, dict) else str(p) for p in content or [])


class ModelClient:
    """Chat completions with personal data redacted out and restored in, at this one point.

    ``chat``: a langchain chat model to use as is (the scripted fake, a test's recorder); without
    it, models for the OpenAI-compatible server in ``settings`` are built on first use (one per
    distinct max_tokens/temperature/timeout) and the server is checked once per process.
    """

    def __init__(self, settings, chat=None, engine: str = "openai"):
        self.settings = settings
        self.engine = engine
        self._given = chat
        self._models: dict = {}
        self._lock = threading.Lock()

    @property
    def name(self) -> str:
        return self.settings.llm_model or self.engine

    @property
    def chat(self):
        """The langchain model used for ordinary calls (tests read what a fake recorded)."""
        return self._model()

    def _model(self, max_tokens=None, temperature=None, timeout=None, retries=None, fresh: bool = False):
        if self._given is not None:
            return self._given
        key = (max_tokens, temperature, timeout, retries)
        with self._lock:
            m = self._models.get(key)
            if m is None or fresh:
                m = self._models[key] = build_chat(self.settings, max_tokens, temperature, timeout, retries)
            return m

    def _outbound(self, system: str, user: str, redactor):
        from langchain_core.messages import HumanMessage, SystemMessage

        mapping: dict = {}
        if self.settings.redact_outbound:
            from assistant.guard.redaction import Redactor

            red = redactor if redactor is not None else Redactor()
            system, _ = red.redact(system)
            user, _ = red.redact(user)
            mapping = red.mapping
        return [SystemMessage(system), HumanMessage(user)], mapping

    def _ready(self) -> None:
        if self._given is None:
            check_server(self.settings)

    def complete(self, system: str, user: str, *, max_tokens: int | None = None, temperature: float | None = None,
                 timeout: float | None = None, retries: int | None = None, redactor=None) -> str:
        """One non-streaming call; the reply with the user's values restored. Raises LLMError."""
        from assistant.guard.redaction import restore

        msgs, mapping = self._outbound(system, user, redactor)
        self._ready()
        try:
            reply = self._model(max_tokens, temperature, timeout, retries).invoke(msgs)
        except Exception as exc:  # noqa: BLE001 - every failure becomes a clear message
            raise classify(exc, self.settings) from exc
        return restore(text_of(reply.content), mapping) if mapping else text_of(reply.content)

    def stream(self, system: str, user: str, *, redactor=None) -> Iterator[str]:
        """The reply piece by piece, placeholders restored (a placeholder split across pieces too)."""
        from assistant.guard.redaction import StreamRestorer

        msgs, mapping = self._outbound(system, user, redactor)
        self._ready()
        restorer = StreamRestorer(mapping)
        got = False
        try:
            for chunk in self._model().stream(msgs):
                piece = text_of(chunk.content)
                if not piece:
                    continue
                got = True
                out = restorer.feed(piece)
                if out:
                    yield out
        except ValueError as exc:  # langchain: "No generation chunks were returned"
            if got or "chunks" not in str(exc):
                raise classify(exc, self.settings) from exc
        except Exception as exc:  # noqa: BLE001
            raise classify(exc, self.settings) from exc
        if not got:
            # some servers (llama-cpp-python) end a stream silently on errors such as context overflow;
            # one non-streaming call on a new connection returns either the answer or the server's real error
            try:
                piece = text_of(self._model(fresh=True).invoke(msgs).content)
            except Exception as exc:  # noqa: BLE001
                raise classify(exc, self.settings) from exc
            out = restorer.feed(piece)
            if out:
                yield out
        tail = restorer.flush()
        if tail:
            yield tail


def check_server(settings, force: bool = False) -> None:
    """Once per process per server: is it reachable, and does it serve ``llm_model``? Raises LLMError."""
    key = (settings.llm_base_url, settings.llm_model, settings.llm_api_key)
    if not settings.llm_base_url or not settings.llm_model:
        raise LLMError("not_configured")
    with _LOCK:
        if key in _CHECKED and not force:
            return
    import httpx

    url = settings.llm_base_url.rstrip("/")
    headers = {"Authorization": f"Bearer {settings.llm_api_key}"} if settings.llm_api_key else {}
    try:
        r = httpx.get(url + "/models", headers=headers, timeout=min(float(settings.llm_timeout), 10.0))
    except httpx.TimeoutException as exc:
        raise LLMError("timeout", url=url, seconds=f"{min(float(settings.llm_timeout), 10.0):g}") from exc
    except (httpx.HTTPError, OSError) as exc:
        raise LLMError("unreachable", url=url) from exc
    if r.status_code in (401, 403):
        raise LLMError("auth", url=url, status=r.status_code)
    if r.status_code == 200:
        try:
            ids = [m.get("id", "") for m in (r.json().get("data") or [])]
        except (ValueError, AttributeError):
            ids = []
        model = settings.llm_model
        if ids and not any(model == i or i.startswith(model + ":") or i.endswith("/" + model) for i in ids):
            raise LLMError("model_not_found", url=url, model=model, available=", ".join(ids[:10]))
    # 404 on /models: some servers have no model list; the chat call will tell
    with _LOCK:
        _CHECKED.add(key)


def forget_checks() -> None:
    with _LOCK:
        _CHECKED.clear()


def classify(exc: BaseException, settings) -> LLMError:
    """Turn an exception from the openai client (or httpx) into an LLMError with a clear message."""
    if isinstance(exc, LLMError):
        return exc
    url = (settings.llm_base_url or "").rstrip("/")
    try:
        import openai
    except ImportError:  # pragma: no cover - langchain-openai depends on it
        openai = None
    detail = _detail(exc)
    if openai is not None:
        if isinstance(exc, openai.APITimeoutError):
            return LLMError("timeout", url=url, seconds=f"{float(settings.llm_timeout):g}")
        if isinstance(exc, openai.APIConnectionError):
            return LLMError("unreachable", url=url)
        if isinstance(exc, (openai.AuthenticationError, openai.PermissionDeniedError)):
            return LLMError("auth", url=url, status=getattr(exc, "status_code", ""))
        if isinstance(exc, openai.NotFoundError):
            if "model" in detail.lower():
                return LLMError("model_not_found", url=url, model=settings.llm_model, available="?")
            return LLMError("bad_url", url=url)
        if isinstance(exc, openai.BadRequestError) and re.search(r"context|too long|maximum.*tokens", detail, re.I):
            return LLMError("context", url=url, context=settings.llm_context_tokens, detail=detail[:300])
        if isinstance(exc, openai.APIStatusError):
            return LLMError("error", url=url, detail=f"{exc.status_code} {detail[:300]}")
    import httpx

    if isinstance(exc, httpx.TimeoutException):
        return LLMError("timeout", url=url, seconds=f"{float(settings.llm_timeout):g}")
    if isinstance(exc, (httpx.ConnectError, ConnectionError)):
        return LLMError("unreachable", url=url)
    return LLMError("error", url=url, detail=detail[:300] or type(exc).__name__)


def _detail(exc: BaseException) -> str:
    body = getattr(exc, "body", None)
    if isinstance(body, dict):
        err = body.get("error", body)
        if isinstance(err, dict):
            return str(err.get("message") or err)
        return str(err)
    return str(exc)
