"""Answer engines, chosen by ``ASSISTANT_BACKEND`` in this one place (as private-gpt does with profiles).

- ``offline``: no model; the offline engine quotes and extracts (``assistant.answer.offline``).
- ``openai``: any OpenAI-compatible server (vLLM, Ollama, llama.cpp, LM Studio, a cloud API).
- ``fake``: a scripted chat model for tests and demonstrations without a server (``assistant.fake_llm``).

``model_client(settings)`` is the only question the rest of the code asks: ``None`` means "no model,
use the offline engine"; otherwise a :class:`~assistant.llm.ModelClient`, the one way to a model.
A plug-in registers another engine with ``@register("name")``.
"""
from __future__ import annotations

import threading
from typing import Callable

from assistant.llm import ModelClient

ENGINES: dict[str, Callable] = {}
_CLIENTS: dict = {}
_LOCK = threading.Lock()


def register(name: str):
    def deco(factory: Callable):
        ENGINES[name] = factory
        return factory
    return deco


@register("offline")
def _offline(settings):
    return None


@register("openai")
def _openai(settings):
    return ModelClient(settings, engine="openai")


@register("fake")
def _fake(settings):
    from assistant.fake_llm import ScriptedChat

    return ModelClient(settings, chat=ScriptedChat(), engine="fake")


def names() -> list[str]:
    return sorted(ENGINES)


def model_client(settings) -> ModelClient | None:
    """The model client for these settings (one per settings per process), or None for the offline engine."""
    backend = getattr(settings, "backend", "offline") or "offline"
    if backend not in ENGINES:
        raise ValueError(f"unknown backend {backend!r}; allowed: {', '.join(names())}")
    with _LOCK:
        if settings not in _CLIENTS:
            if len(_CLIENTS) >= 16:
                _CLIENTS.pop(next(iter(_CLIENTS)))
            _CLIENTS[settings] = ENGINES[backend](settings)
        return _CLIENTS[settings]


def as_client(settings, llm=None) -> ModelClient | None:
    """``llm`` given by a caller (a ModelClient or a langchain chat model) wins; else the engine's client."""
    if llm is None:
        return model_client(settings)
    if isinstance(llm, ModelClient):
        return llm
    return ModelClient(settings, chat=llm, engine=settings.backend if settings.backend != "offline" else "fake")


def forget() -> None:
    with _LOCK:
        _CLIENTS.clear()
