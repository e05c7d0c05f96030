"""Task templates (prompts/tasks/*.yaml) and prompt assembly within the token budget.

A template declares its variables; rendering fails on a missing or an
undeclared one, so a typo in a prompt file is caught by the test suite and
never sent to a model. Passages are numbered [1]..[n] in rank order; a
passage flagged "indirect_injection" at index time is quoted as data.
The budget keeps the system prompt, the rules and the question whole and
drops retrieved passages whole, lowest-ranked first.
"""
from __future__ import annotations

import functools
import string
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from assistant.answer.tokens import estimate_messages
from assistant.messages import PROMPTS_DIR, t

TASKS_DIR = PROMPTS_DIR / "tasks"
TASKS = ("qa", "summarize", "plain_language", "extract")


class TemplateError(ValueError):
    pass


class ContextTooSmall(Exception):
    def __init__(self, context: int, answer: int, needed: int):
        super().__init__(f"context window {context} (answer {answer}) < {needed}")
        self.context, self.answer, self.needed = context, answer, needed

    def message(self, lang: str = "vi") -> str:
        return t("answers.context_too_small", lang, context=self.context, answer=self.answer, needed=self.needed)


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


@dataclass
class Template:
    name: str
    variables: list[str]
    system: dict
    user: dict
    rules: dict = field(default_factory=dict)
    extra: dict = field(default_factory=dict)

    def used(self) -> set[str]:
        used: set[str] = set()
        for block in (self.system, self.user, self.rules):
            for text in block.values():
                used |= placeholders(text)
        return used

    def check(self) -> None:
        declared, used = set(self.variables), self.used()
        if self.rules:
            used.add("rules")
        if used - declared:
            raise TemplateError(f"prompts/tasks/{self.name}.yaml uses undeclared variables {sorted(used - declared)}")
        if declared - used:
            raise TemplateError(f"prompts/tasks/{self.name}.yaml declares unused variables {sorted(declared - used)}")
        for block in ("system", "user"):
            if set(getattr(self, block)) < {"vi", "en"}:
                raise TemplateError(f"prompts/tasks/{self.name}.yaml: '{block}' needs both vi and en")

    def render(self, lang: str, **values) -> tuple[str, str]:
        """(system, user) in ``lang``; every declared variable must be given, no other."""
        given = set(values)
        declared = set(self.variables)
        if self.rules:
            given.add("rules")
        if declared - given:
            raise TemplateError(f"{self.name}: missing variables {sorted(declared - given)}")
        if given - declared:
            raise TemplateError(f"{self.name}: undeclared variables {sorted(given - declared)}")
        lang = lang if lang in self.system else "vi"
        vals = dict(values)
        if self.rules:
            vals["rules"] = self.rules.get(lang, self.rules["vi"]).format(**values).strip()
        return self.system[lang].format(**vals).strip(), self.user[lang].format(**vals).strip()


@functools.lru_cache(maxsize=None)
def load_template(name: str) -> Template:
    path = TASKS_DIR / f"{name}.yaml"
    if not path.is_file():
        raise TemplateError(f"no task template prompts/tasks/{name}.yaml")
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    known = {"name", "variables", "system", "user", "rules"}
    tpl = Template(name=data.get("name", name), variables=list(data.get("variables") or []),
                   system=data.get("system") or {}, user=data.get("user") or {}, rules=data.get("rules") or {},
                   extra={k: v for k, v in data.items() if k not in known})
    tpl.check()
    return tpl


def template_names() -> list[str]:
    return sorted(p.stem for p in Path(TASKS_DIR).glob("*.yaml"))


# ---------------------------------------------------------------- passages
def quote_as_data(text: str, lang: str = "vi") -> str:
    """Quote untrusted text as data (assistant.guard.quote_as_data when the guard package provides it)."""
    try:
        from assistant.guard import quote_as_data as guard_quote  # type: ignore[attr-defined]
    except ImportError:
        guard_quote = None
    if guard_quote is not None:
        return guard_quote(text, lang)
    return "<<<DỮ LIỆU / DATA>>>\n" + text.replace("<<<", "‹‹‹").replace(">>>", "›››") + "\n<<<HẾT DỮ LIỆU / END DATA>>>"


def cite_label(meta: dict, lang: str = "vi") -> str:
    label = meta.get("breadcrumb") or meta.get("title") or meta.get("source", "")
    page = meta.get("page")
    if page:
        label += f" ({t('answers.page', lang, page=page)})"
    return label


def passage_block(n: int, hit, lang: str = "vi") -> str:
    body = hit.passage.strip()
    if "indirect_injection" in (hit.metadata.get("guard_flags") or ""):
        body = quote_as_data(body, lang)
    return f"[{n}] {cite_label(hit.metadata, lang)}\n{body}"


@dataclass
class Assembled:
    messages: list[tuple[str, str]]  # [("system", ...), ("user", ...)]
    hits: list  # passages kept, in prompt order ([1]..[n])
    dropped: list
    tokens: int
    budget: int

    @property
    def prompt(self) -> str:
        return "\n\n".join(f"[{role}]\n{content}" for role, content in self.messages)


def assemble(task: str, lang: str, hits: list, context_tokens: int, max_tokens: int, **values) -> Assembled:
    """Render ``task`` with as many passages as fit ``context_tokens - max_tokens``.

    Passages are dropped whole, lowest-ranked first; the system prompt, rules
    and question are never cut (ContextTooSmall if even they do not fit).
    """
    tpl = load_template(task)
    budget = max(0, int(context_tokens) - int(max_tokens))
    kept = list(hits)
    while True:
        blocks = "\n\n".join(passage_block(i, h, lang) for i, h in enumerate(kept, start=1))
        vals = dict(values)
        if "passages" in tpl.variables:
            vals["passages"] = blocks or "—"
        system, user = tpl.render(lang, **vals)
        messages = [("system", system), ("user", user)]
        n = estimate_messages(messages)
        if n <= budget:
            return Assembled(messages, kept, list(hits[len(kept):]), n, budget)
        if not kept:
            raise ContextTooSmall(context_tokens, max_tokens, n + max_tokens)
        kept = kept[:-1]
