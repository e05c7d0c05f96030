"""Token counting without a model-specific tokenizer.

The LLM behind ``ASSISTANT_BACKEND=openai`` can be anything (Gemma, Qwen,
Llama, GPT...), each with its own tokenizer, and tokenizer files would have
to be downloaded. So the budget uses a deliberately *conservative* estimate
that over-counts for the tokenizers we measured (docs/answers.md):

- every non-ASCII character (Vietnamese letters with diacritics) counts 1,
- every run of ASCII letters/digits counts ceil(len / 3),
- every other non-space character (punctuation) counts 1,
- plus 4 tokens of overhead per chat message.

On Vietnamese regulation text this is about 1.5-2.5x the count of a modern
tokenizer (Gemma 3: 28 real tokens for a sentence estimated at 60), which
wastes some context but never overflows it.
"""
from __future__ import annotations

import re

_ASCII_RUN = re.compile(r"[A-Za-z0-9]+")
MESSAGE_OVERHEAD = 4


def estimate_tokens(text: str) -> int:
    if not text:
        return 0
    n = 0
    for m in _ASCII_RUN.finditer(text):
        n += -(-len(m.group(0)) // 3)
    rest = _ASCII_RUN.sub("", text)
    n += sum(1 for ch in rest if not ch.isspace())
    return n


def estimate_messages(messages: list[tuple[str, str]]) -> int:
    return sum(estimate_tokens(content) + MESSAGE_OVERHEAD for _, content in messages)
