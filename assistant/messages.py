"""User-facing wording, loaded from ``prompts/messages*.yaml`` (vi and en).

Code refers to messages by key; the words live in data files so trainers and
translators can change them without touching Python.
"""
from __future__ import annotations

import functools

import yaml

from assistant.resources import prompts_dir

PROMPTS_DIR = prompts_dir()


@functools.lru_cache(maxsize=1)
def _catalogue() -> dict[str, dict[str, str]]:
    merged: dict[str, dict[str, str]] = {}
    for path in sorted(PROMPTS_DIR.glob("messages*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for key, val in data.items():
            if key in merged:
                raise ValueError(f"message key {key!r} defined twice ({path.name})")
            merged[key] = val
    return merged


def t(key: str, lang: str = "vi", **kw) -> str:
    """The message ``key`` in ``lang`` (falls back to Vietnamese), formatted with ``kw``."""
    entry = _catalogue().get(key)
    if entry is None:
        raise KeyError(f"no message {key!r} in prompts/messages*.yaml")
    text = entry.get(lang) or entry.get("vi") or next(iter(entry.values()))
    return text.format(**kw) if kw else text


def keys() -> list[str]:
    return sorted(_catalogue())
