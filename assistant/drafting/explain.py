"""The format checker's findings for people: the requirement, what the document has, the article of
Decree 30/2020/NĐ-CP it comes from (in the reader's language) and how to fix it in Word; and, for a
file that is not a readable DOCX, what it is instead ("a PDF", "an old .doc", "damaged").
"""
from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass

from assistant.drafting.checker import RuleResult, summary
from assistant.messages import t

DECREE = "Nghị định 30/2020/NĐ-CP"
_REF_EN = (("Phụ lục", "Appendix"), ("Mục", "Section"), ("Điều", "Article"))
_MARK = re.compile(r"^[✓✗–]\s*")
ORDER = {"fail": 0, "skip": 1, "pass": 2}


@dataclass
class Finding:
    rule: str
    status: str  # pass | fail | skip
    requirement: str  # what the decree asks
    found: str  # what the document has ("" when it passes)
    ref: str  # "Nghị định 30/2020/NĐ-CP, Phụ lục I, Mục I.3" / "Decree 30/2020/NĐ-CP, Appendix I, Section I.3"
    fix: str  # how to put it right (only for failures)


def ref_text(ref: str, lang: str = "vi") -> str:
    """The rule's source with the decree named, in the reader's language."""
    if not ref:
        return ""
    if lang == "en":
        for vi, en in _REF_EN:
            ref = re.sub(rf"\b{vi}\b", en, ref)
        return f"Decree 30/2020/NĐ-CP, {ref}"
    return f"{DECREE}, {ref}"


def finding(r: RuleResult, lang: str = "vi") -> Finding:
    req = t(f"drafting.rule.{r.rule}", lang)
    msg = _MARK.sub("", r.message(lang))
    found = msg[len(req):].strip() if msg.startswith(req) else ("" if msg == req else msg)
    return Finding(r.rule, r.status, req, found, ref_text(r.ref, lang),
                   t(f"drafting.fix.{r.rule}", lang) if r.status == "fail" else "")


def findings(results: list[RuleResult], lang: str = "vi") -> list[Finding]:
    """Failures first, then rules that could not be checked, then the rules met (each group in rule order)."""
    return [finding(r, lang) for r in sorted(results, key=lambda r: ORDER.get(r.status, 3))]


def unreadable(results: list[RuleResult]) -> bool:
    return any(r.rule == "file.readable" and r.status == "fail" for r in results)


def file_problem(data: bytes | None, name: str, lang: str = "vi") -> str:
    """Why ``data`` (the file ``name``) cannot be checked, in plain words, naming the file."""
    reason = _reason(data or b"")
    return t("drafting.file.cannot_check", lang, name=name, reason=t(f"drafting.file.{reason}", lang))


def _reason(data: bytes) -> str:
    if not data:
        return "empty"
    if data[:5] == b"%PDF-":
        return "pdf"
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":  # OLE2: Word 97-2003 (.doc), old Excel, ...
        return "doc"
    if data[:5] in (b"{\\rtf",):
        return "rtf"
    if data[:2] != b"PK":
        head = data[:512].lstrip().lower()
        if head.startswith((b"<!doctype html", b"<html")):
            return "html"
        return "not_docx"
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            names = set(z.namelist())
            if z.testzip() is not None:
                return "damaged"
    except (zipfile.BadZipFile, OSError, ValueError, RuntimeError):
        return "damaged"
    if "word/document.xml" in names:
        try:
            from docx import Document

            Document(io.BytesIO(data))
        except Exception:  # noqa: BLE001 - its XML is broken
            return "damaged"
        return "unsupported"  # it opens, but its layout is one the checker does not read
    if any(n.startswith("xl/") for n in names):
        return "xlsx"
    if any(n.startswith("ppt/") for n in names):
        return "pptx"
    if "content.xml" in names:
        return "odt"
    return "zip"


def counts_line(results: list[RuleResult], name: str, lang: str = "vi") -> str:
    return t("drafting.file.summary", lang, name=name, **summary(results))
