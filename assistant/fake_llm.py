"""A scripted chat model (``ASSISTANT_BACKEND=fake``): deterministic replies, every call recorded.

The default script answers like a careful model would, from the prompt alone: the security judge
gets ``SAFE``, a follow-up rewrite gets the question back, everything else gets the first sentence
of passage [1] with its citation. Tests pass their own ``script(messages) -> str`` or a list of
replies. It streams word by word, like a server.
"""
from __future__ import annotations

import re
from typing import Any, Callable, Iterator

from langchain_core.language_models.chat_models import BaseChatModel
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from pydantic import Field

_PASSAGE = re.compile(r"\[1\][^\n]*\n(?:<<<[^\n]*\n)?(.+?)(?:\n\s*\n|\n\[2\]|\n>>>|$)", re.S)


def default_script(messages: list[BaseMessage]) -> str:
    system = str(messages[0].content) if messages else ""
    user = str(messages[-1].content) if messages else ""
    if "ATTACK or SAFE" in system or "ATTACK or SAFE" in user:
        return "SAFE"
    m = re.search(r"(?:Câu hỏi tiếp theo|Follow-up question)\s*:\s*(.+)", user)
    if m and ("standalone" in system.lower() or "độc lập" in system.lower()):
        return m.group(1).strip()
    m = _PASSAGE.search(user)
    if m:
        body = " ".join(m.group(1).split())
        first = re.split(r"(?<=[.!?;])\s+", body, maxsplit=1)[0]
        return f"{first[:400]} [1]"
    return "Tài liệu không có thông tin này."


class ScriptedChat(BaseChatModel):
    script: Any = None  # callable(messages) -> str, or a list of replies used in turn
    calls: list = Field(default_factory=list)  # [[(role, text), ...], ...] for every call

    @property
    def _llm_type(self) -> str:
        return "scripted-fake"

    def _reply(self, messages: list[BaseMessage]) -> str:
        self.calls.append([(m.type, str(m.content)) for m in messages])
        s = self.script
        if s is None:
            return default_script(messages)
        if callable(s):
            return str(s(messages))
        if isinstance(s, list):
            return str(s.pop(0)) if s else ""
        return str(s)

    def _generate(self, messages, stop=None, run_manager=None, **kwargs) -> ChatResult:
        return ChatResult(generations=[ChatGeneration(message=AIMessage(content=self._reply(messages)))])

    def _stream(self, messages, stop=None, run_manager=None, **kwargs) -> Iterator[ChatGenerationChunk]:
        for piece in re.findall(r"\S+\s*|\s+", self._reply(messages)):
            yield ChatGenerationChunk(message=AIMessageChunk(content=piece))


def scripted(script: Callable | list | str | None = None) -> ScriptedChat:
    return ScriptedChat(script=script)
