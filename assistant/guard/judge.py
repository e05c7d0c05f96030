"""The optional LLM judge for prompt injection: asked only when a model is configured.

It goes through the one model client (``assistant.llm``), so the text it sends is redacted
like every other call. Any failure means "no opinion": the rules and similarity still stand.
"""
from __future__ import annotations

import functools

import yaml


@functools.lru_cache(maxsize=1)
def _prompt() -> dict:
    from assistant.resources import prompts_dir

    return yaml.safe_load((prompts_dir() / "guard" / "judge.yaml").read_text(encoding="utf-8"))


def judge(text: str, settings) -> float | None:
    """0.9 (attack), 0.0 (safe), or None when no model is configured or the call fails."""
    from assistant.engines import model_client

    client = model_client(settings)
    if client is None:
        return None
    try:
        p = _prompt()
        reply = client.complete(p["system"], p["user"].format(text=text[:4000]), max_tokens=5, temperature=0.0,
                                timeout=min(float(settings.llm_timeout), 20.0), retries=0)
    except Exception:  # noqa: BLE001 - the judge is optional
        return None
    word = reply.strip().upper()
    if word.startswith(("ATTACK", "YES")):
        return 0.9
    if word.startswith(("SAFE", "NO")):
        return 0.0
    return None
