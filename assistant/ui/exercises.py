"""The exercise catalogue: ``prompts/exercises/module*.yaml`` (lists of exercises, vi and en)."""
from __future__ import annotations

import re
from pathlib import Path

import yaml

from assistant.resources import prompts_dir

EXERCISES_DIR = prompts_dir() / "exercises"


def _lang(value, lang: str) -> str:
    if isinstance(value, dict):
        return str(value.get(lang) or value.get("vi") or next(iter(value.values()), ""))
    return "" if value is None else str(value)


def load_exercises(folder: str | Path | None = None) -> list[dict]:
    folder = Path(folder or EXERCISES_DIR)
    out: list[dict] = []
    if not folder.is_dir():
        return out
    files = sorted(folder.glob("module*.yaml"), key=lambda p: [int(x) if x.isdigit() else x for x in re.split(r"(\d+)", p.name)])
    for path in files:
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8")) or []
        except yaml.YAMLError:
            continue
        if isinstance(data, dict):
            data = data.get("exercises") or []
        for ex in data:
            if isinstance(ex, dict) and ex.get("id"):
                ex = dict(ex)
                m = re.search(r"(\d+)", path.stem)
                ex.setdefault("module", int(m.group(1)) if m else 0)
                out.append(ex)
    return out


def modules(exercises: list[dict]) -> list[int]:
    return sorted({int(e.get("module") or 0) for e in exercises})


def in_module(exercises: list[dict], module) -> list[dict]:
    try:
        module = int(module)
    except (TypeError, ValueError):
        return []
    return [e for e in exercises if int(e.get("module") or 0) == module]


def by_id(exercises: list[dict], ex_id: str) -> dict | None:
    return next((e for e in exercises if e.get("id") == ex_id), None)


def text(ex: dict, key: str, lang: str) -> str:
    return _lang(ex.get(key), lang)


def items(ex: dict, key: str, lang: str) -> list[str]:
    return [_lang(x, lang) for x in (ex.get(key) or [])]
