"""Knowledge checks and self-assessment scales from ``prompts/knowledge/`` (vi and en), and grading.

A check is one module's list of questions (``module1.yaml`` …): kinds ``single`` (one choice id),
``multi`` (a set of choice ids, all and only the right ones), ``truefalse`` and ``short`` (typed text,
compared with :func:`fold`: case- and accent-insensitive, punctuation trimmed, spaces collapsed, against
the accepted answers in either language). Every question carries its explanation and its source.
"""
from __future__ import annotations

import functools
import re
import string
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from assistant.messages import t
from assistant.resources import prompts_dir

KINDS = ("single", "multi", "truefalse", "short")
PHASES = ("start", "end")
LEVELS = (1, 2, 3, 4, 5)


def knowledge_dir() -> Path:
    return prompts_dir() / "knowledge"


def _lang(value, lang: str) -> str:
    if isinstance(value, dict):
        return str(value.get(lang) or value.get("vi") or "")
    return "" if value is None else str(value)


def fold(text: str) -> str:
    """Case- and accent-insensitive form of a short answer, punctuation trimmed, spaces collapsed."""
    text = unicodedata.normalize("NFD", str(text).replace("đ", "d").replace("Đ", "D"))
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).lower()
    text = " ".join(text.split())
    return text.strip(string.punctuation + " “”‘’«»…–—")


@dataclass(frozen=True)
class Question:
    id: str
    module: int
    kind: str
    data: dict

    def text(self, lang: str) -> str:
        return _lang(self.data.get("question"), lang)

    def choices(self, lang: str) -> list[tuple[str, str]]:
        """(label, value) pairs for the answer widget."""
        if self.kind == "truefalse":
            return [(t("progress.true", lang), "true"), (t("progress.false", lang), "false")]
        return [(_lang(c, lang), str(c["id"])) for c in self.data.get("choices") or []]

    def explanation(self, lang: str) -> str:
        return _lang(self.data.get("explanation"), lang)

    def source(self, lang: str) -> str:
        return source_text(self.data.get("source") or {}, lang)

    def correct_text(self, lang: str) -> str:
        """The right answer, said in ``lang``."""
        ans = self.data.get("answer")
        if self.kind == "truefalse":
            return t("progress.true" if ans else "progress.false", lang)
        if self.kind == "short":
            accepted = (ans or {}).get(lang) or (ans or {}).get("vi") or []
            return str(accepted[0]) if accepted else ""
        labels = dict((v, k) for k, v in self.choices(lang))
        ids = ans if isinstance(ans, list) else [ans]
        return "; ".join(labels.get(str(i), str(i)) for i in ids)

    def normalise(self, given: Any) -> Any:
        """The answer as stored: a choice id, a sorted list of ids, a bool, or the text typed."""
        if self.kind == "single":
            return None if given in (None, "") else str(given)
        if self.kind == "multi":
            if given in (None, ""):
                return []
            items = given if isinstance(given, (list, tuple, set)) else [given]
            return sorted({str(x) for x in items if str(x)})
        if self.kind == "truefalse":
            if isinstance(given, bool):
                return given
            low = fold(str(given)) if given is not None else ""
            if low in ("true", "dung", "1", "yes", "co"):
                return True
            if low in ("false", "sai", "0", "no", "khong"):
                return False
            return None
        return "" if given is None else " ".join(str(given).split())[:500]

    def grade(self, given: Any) -> bool:
        """Whether ``given`` (as from the UI or the API) is the right answer."""
        value = self.normalise(given)
        ans = self.data.get("answer")
        if self.kind == "single":
            return value is not None and value == str(ans)
        if self.kind == "multi":
            return bool(value) and value == sorted(str(x) for x in ans)
        if self.kind == "truefalse":
            return value is not None and value is bool(ans)
        accepted = {fold(str(a)) for lang in ("vi", "en") for a in (ans or {}).get(lang) or []}
        return bool(fold(value)) and fold(value) in accepted


def source_text(src: dict, lang: str) -> str:
    """``quy-che-su-dung-ai.docx, Điều 7, khoản 1`` / ``Nghị định 13/2023/NĐ-CP …, Article 23``."""
    parts = [str(src.get("doc") or src.get("law") or "")]
    if src.get("article"):
        parts.append(t("progress.article", lang, n=src["article"]))
    if src.get("clause"):
        parts.append(t("progress.clause", lang, n=src["clause"]))
    if src.get("section"):
        parts.append(str(src["section"]))
    return ", ".join(p for p in parts if p)


@dataclass(frozen=True)
class Check:
    module: int
    data: dict
    questions: tuple[Question, ...]

    def title(self, lang: str) -> str:
        return _lang(self.data.get("title"), lang)

    def question(self, qid: str) -> Question | None:
        return next((q for q in self.questions if q.id == qid), None)


def _natural(p: Path):
    return [int(x) if x.isdigit() else x for x in re.split(r"(\d+)", p.name)]


@functools.lru_cache(maxsize=4)
def load_checks(folder: str | None = None) -> dict[int, Check]:
    """Module number -> its check. A broken file is skipped (the app reports a missing check, not a crash)."""
    folder_p = Path(folder) if folder else knowledge_dir()
    out: dict[int, Check] = {}
    for path in sorted(folder_p.glob("module*.yaml"), key=_natural):
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
            module = int(data["module"])
            qs = tuple(Question(str(q["id"]), module, str(q["kind"]), q) for q in data.get("questions") or []
                       if isinstance(q, dict) and q.get("kind") in KINDS and q.get("id"))
        except (yaml.YAMLError, KeyError, TypeError, ValueError):
            continue
        if qs:
            out[module] = Check(module, data, qs)
    return out


@functools.lru_cache(maxsize=4)
def load_scales(folder: str | None = None) -> dict:
    """``{"course": scale, "modules": {1: scale, …}}`` from ``self_assessment.yaml`` (empty if missing)."""
    path = (Path(folder) if folder else knowledge_dir()) / "self_assessment.yaml"
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError):
        return {"course": None, "modules": {}}
    return {"course": data.get("course"), "modules": {int(k): v for k, v in (data.get("modules") or {}).items()}}


def scale_for(module: int, folder: str | None = None) -> dict | None:
    """The self-assessment scale of a module (0 = the course)."""
    scales = load_scales(folder)
    return scales["course"] if int(module) == 0 else scales["modules"].get(int(module))


def scale_levels(scale: dict | None, lang: str) -> list[tuple[str, int]]:
    return [(f"{lv['value']}. {_lang(lv, lang)}", int(lv["value"])) for lv in (scale or {}).get("levels") or []]


def scale_prompt(scale: dict | None, lang: str) -> str:
    return _lang((scale or {}).get("prompt"), lang)


def can_do(scale: dict | None, lang: str) -> list[tuple[str, str]]:
    """(statement id, text) of a scale's can-do statements."""
    return [(str(c["id"]), _lang(c, lang)) for c in (scale or {}).get("can_do") or []]
