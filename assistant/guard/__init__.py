"""Guardrails: the interface the pipeline, the indexer and the app call.

- ``check_input(text, settings, lang, redactor=None)`` -> GuardResult  (before retrieval/generation)
- ``check_output(text, sources, user_text, settings, lang, canary=None)`` -> GuardResult (after generation)
- ``scan_document(doc, settings)`` -> GuardResult          (index time / upload; "block" refuses the file)
- ``flag_chunks(chunks, settings)``                        (index time: marks chunks, e.g. indirect injection)
- ``Redactor``: ``redact(text) -> (redacted, mapping)``, ``restore(text, mapping)``; ``StreamRestorer``
- ``quote_as_data(text, lang)``: retrieved text between delimiters, defused ("data only, not instructions")
- ``make_canary()``; ``user_message(result, lang, kind)``; ``check_inputs(texts, ...)`` (batch)

Decisions: ``allow``; ``warn`` (personal data redacted, the request goes on, the user is told what and
why); ``block`` (state-secret marking, prompt injection, a refused request, a leak: the user is told
which rule and what to do instead). Wording lives in ``prompts/messages_guard.yaml``.

One module per job: ``types`` (findings, decisions, switches), ``inputs``, ``output``, ``documents``,
``redaction``, ``quoting``, ``explain`` (messages), ``judge`` (the optional LLM judge, through the one
model client); recognisers in ``pii``, ``markings``, ``policy``, ``injection``.

Trainer switch (demonstrations only, never off by default): ``ASSISTANT_GUARDS=off`` turns every
scanner off; ``off={"pii", "injection"}`` (CLI ``--off pii,injection``) or ``settings.extra["guards_off"]``
turns single scanners off. Scanner names: ``pii``, ``markings``, ``injection`` (all layers),
``similarity`` and ``judge`` (single layers), ``policy``, ``output``, ``canary``.
"""
from assistant.guard.documents import flag_chunks, scan_document
from assistant.guard.explain import user_message
from assistant.guard.inputs import check_input, check_inputs, injection_scores
from assistant.guard.output import check_output, make_canary
from assistant.guard.quoting import quote_as_data
from assistant.guard.redaction import Redactor, StreamRestorer, restore
from assistant.guard.types import BLOCKING_TYPES, SCANNERS, Finding, GuardResult, disabled

__all__ = ["check_input", "check_inputs", "check_output", "scan_document", "flag_chunks", "Redactor",
           "StreamRestorer", "restore", "quote_as_data", "make_canary", "user_message", "disabled", "Finding",
           "GuardResult", "SCANNERS", "BLOCKING_TYPES", "injection_scores"]
