"""Document types: one YAML file each in ``prompts/drafting/`` (Decree 30/2020/NĐ-CP, Appendix I and III)."""
from __future__ import annotations

import functools
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from assistant.messages import PROMPTS_DIR

DRAFTING_DIR = PROMPTS_DIR / "drafting"
_NOT_TYPES = {"llm.yaml", "example.yaml"}  # the drafting prompt; the Draft form's sample


@dataclass(frozen=True)
class DocType:
    id: str
    order: int
    name: dict
    abbr: str
    title: str
    summary_prefix: str
    components: tuple
    salutation: bool
    place_date: bool
    legal_basis: bool
    layout: str
    recipients_first: str
    body: dict = field(hash=False, compare=False)
    llm_task: str = ""
    salutation_single: bool = False
    second_signer: str = ""
    show_summary: bool = True
    form_fields: tuple = ()  # the optional fields this type uses beyond the common ones (the Draft form shows them)

    def display_name(self, lang: str = "vi") -> str:
        return self.name.get(lang) or self.name.get("vi", self.id)

    @property
    def is_letter(self) -> bool:
        """Công văn: no type name; the summary goes under the number as "V/v …"."""
        return not self.title


def _load(path: Path) -> DocType:
    d = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return DocType(
        id=d["id"], order=int(d.get("order", 99)), name=dict(d["name"]), abbr=d.get("abbr") or "",
        title=d.get("title") or "", summary_prefix=d.get("summary_prefix") or "",
        components=tuple(d.get("components") or ()), salutation=bool(d.get("salutation")),
        place_date=bool(d.get("place_date", True)), legal_basis=bool(d.get("legal_basis")),
        layout=d.get("layout") or "letter", recipients_first=d.get("recipients_first") or "",
        body=dict(d.get("body") or {}), llm_task=d.get("llm_task") or "",
        salutation_single=bool(d.get("salutation_single")), second_signer=d.get("second_signer") or "",
        show_summary=bool(d.get("show_summary", True)), form_fields=tuple(d.get("fields") or ()),
    )


@functools.lru_cache(maxsize=1)
def doc_types() -> dict[str, DocType]:
    types = [_load(p) for p in sorted(DRAFTING_DIR.glob("*.yaml")) if p.name not in _NOT_TYPES]
    return {t.id: t for t in sorted(types, key=lambda t: (t.order, t.id))}


@functools.lru_cache(maxsize=1)
def llm_prompt() -> dict:
    return yaml.safe_load((DRAFTING_DIR / "llm.yaml").read_text(encoding="utf-8"))


def list_types(lang: str = "vi") -> list[dict]:
    """Every document type: ``{"id", "name", "name_vi", "name_en", "abbr", "title", "fields"}``, in the usual order."""
    return [
        {"id": t.id, "name": t.display_name(lang), "name_vi": t.display_name("vi"), "name_en": t.display_name("en"),
         "abbr": t.abbr, "title": t.title, "fields": list(t.form_fields)}
        for t in doc_types().values()
    ]
