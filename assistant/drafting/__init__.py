"""Drafting official documents in the national format (Decree 30/2020/NĐ-CP) and checking their format.

Library API (used by the CLI and the app's "Soạn thảo" tab):

- ``list_types(lang) -> list[dict]``                 document types (id, name, name_vi, name_en, abbr, title)
- ``make_draft(doc_type, fields, settings) -> Draft`` ``.markdown``, ``.to_docx_bytes()``, ``.save(path)``,
  ``.body_source`` ("llm" | "offline"), ``.citations``, ``.notes``; raises ``DraftInputError`` (``.field``,
  ``.message(lang)``) on a missing or malformed field
- ``check_docx(path_or_bytes) -> list[RuleResult]``  each with ``.rule``, ``.ok``, ``.status``, ``.ref``,
  ``.message(lang)``, ``.as_json(lang)``
- ``render_markdown(draft) -> str``
"""
from assistant.drafting.checker import RULES, RuleResult, check_docx, summary
from assistant.drafting.compose import Block, Draft, make_draft
from assistant.drafting.fields import DraftInputError
from assistant.drafting.markdown import render_markdown
from assistant.drafting.templates import list_types

__all__ = ["Block", "Draft", "DraftInputError", "RULES", "RuleResult", "check_docx", "list_types", "make_draft",
           "render_markdown", "summary"]
