"""UI wording: labels from ``prompts/ui/*.yaml``, run-time messages from ``prompts/messages_ui.yaml``.

The language switch is server-side: every labelled component is registered with
a function giving its properties in a language, and switching returns one
``gr.update`` per component. (``gr.I18n`` picks the language from the browser's
locale, so it cannot make Vietnamese the default on an English browser, nor
switch the server's own messages; one registry does both.)
"""
from __future__ import annotations

import functools
from typing import Any, Callable

import yaml

from assistant.messages import t as msg  # noqa: F401 - re-exported for the tabs
from assistant.resources import prompts_dir

UI_DIR = prompts_dir() / "ui"
LANGS = ("vi", "en")


@functools.lru_cache(maxsize=1)
def catalogue() -> dict[str, dict[str, str]]:
    merged: dict[str, dict[str, str]] = {}
    for path in sorted(UI_DIR.glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for key, val in data.items():
            if key in merged:
                raise ValueError(f"UI label {key!r} defined twice ({path.name})")
            merged[key] = val
    return merged


def tr(key: str, lang: str = "vi", **kw: Any) -> str:
    """The label ``key`` in ``lang`` (falls back to Vietnamese)."""
    entry = catalogue().get(key)
    if entry is None:
        raise KeyError(f"no UI label {key!r} in prompts/ui/*.yaml")
    text = entry.get(lang) or entry.get("vi") or ""
    return text.format(**kw) if kw else text


def norm_lang(lang: str | None) -> str:
    return lang if lang in LANGS else "vi"


class Registry:
    """Components whose properties depend on the language."""

    def __init__(self) -> None:
        self.items: list[tuple[Any, Callable[[str], dict]]] = []

    def add(self, component, fn: Callable[[str], dict] | None = None, **keys: str):
        """Register ``component``: either ``fn(lang) -> props`` or ``prop=label_key`` pairs."""
        if fn is None:
            def fn(lang, _keys=keys):
                return {prop: tr(key, lang) for prop, key in _keys.items()}
        self.items.append((component, fn))
        self.initial(component, fn("vi"))
        return component

    @staticmethod
    def initial(component, props: dict) -> None:
        """Vietnamese properties at build time, so the page reads right before the first load event."""
        for prop, val in props.items():
            if prop == "choices":
                val = [tuple(c) if isinstance(c, (list, tuple)) else (str(c), c) for c in val]
            elif prop == "value" and hasattr(component, "postprocess"):
                try:
                    val = component.postprocess(val)
                except Exception:  # noqa: BLE001 - leave the constructor's value
                    continue
            try:
                setattr(component, prop, val)
            except AttributeError:
                pass

    @property
    def components(self) -> list:
        return [c for c, _ in self.items]

    def updates(self, lang: str) -> list:
        import gradio as gr

        return [gr.update(**fn(lang)) for _, fn in self.items]

    def props(self, lang: str) -> list[dict]:
        return [fn(lang) for _, fn in self.items]
