"""Building a draft: the components of Decree 30/2020/NĐ-CP from the user's fields, and the body.

The body is written by the model when the settings choose one (``assistant.engines``); on any
error, or offline, it is assembled from the type's template and the user's key
points. Types that call for a legal basis get "Căn cứ …" lines: the user's own, or
documents retrieved from the indexed corpus (cited in ``Draft.citations``).
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path

from assistant.drafting.fields import (
    DraftInputError,
    clean_fields,
    date_line,
    date_words,
    day_str,
    month_str,
    number_code,
    number_line,
    signature_lines,
)
from assistant.drafting.fields import Wording as W
from assistant.drafting.templates import DocType, doc_types, llm_prompt

# Documents that can stand as a legal basis ("Căn cứ …"); reports, minutes, letters cannot.
BASIS_TYPES = {"hiến pháp", "bộ luật", "luật", "pháp lệnh", "nghị quyết", "nghị định", "thông tư", "thông tư liên tịch",
               "quyết định", "chỉ thị", "quy chế", "quy định", "kế hoạch", "hướng dẫn", "chương trình", "đề án"}
BASIS_POOL = 10  # passages searched; the best 3 documents of a basis type are kept
ADMIN_UNITS = ("thành phố", "thị trấn", "thị xã", "phường", "xã", "huyện", "quận", "tỉnh")


@dataclass
class Block:
    """One paragraph of the body. kind: para | heading | center_bold | basis | article | line."""
    kind: str
    text: str
    label: str = ""  # "Điều 1." for articles (printed bold)


@dataclass
class Draft:
    doc_type: DocType
    fields: dict
    parent_agency: str
    agency: str
    number_line: str
    place_date: str
    type_title: str
    summary: str  # summary line as printed ("V/v …" for a công văn)
    addressees: list[str]
    body: list[Block]
    signer_authority: str  # the authority lines above the title, one a line ("TM. ỦY BAN NHÂN DÂN"), or ""
    signer_title: str
    signer_name: str
    recipients: list[str]  # printed lines, "- Như trên;" ... "- Lưu: VT."
    second_signer: tuple[str, str] | None = None  # (title, name) on the left, for minutes
    body_source: str = "offline"
    citations: list[dict] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    lang: str = "vi"
    signer_lines: list[str] = field(default_factory=list)  # authority lines and title, as printed
    note_wordings: list = field(default_factory=list)  # the notes, to word them in another language

    def notes_in(self, lang: str) -> list[str]:
        return [n.render(lang) for n in self.note_wordings] if self.note_wordings else list(self.notes)

    def __post_init__(self):
        if not self.signer_lines:
            self.signer_lines = [x for x in self.signer_authority.split("\n") if x] + [self.signer_title]

    @property
    def markdown(self) -> str:
        from assistant.drafting.markdown import render_markdown

        return render_markdown(self)

    def to_docx_bytes(self) -> bytes:
        from assistant.drafting.docx_writer import draft_to_docx_bytes

        return draft_to_docx_bytes(self)

    def save(self, path: str | Path) -> Path:
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(self.to_docx_bytes())
        return path

    def as_json(self) -> dict:
        return {"type": self.doc_type.id, "body_source": self.body_source, "citations": self.citations,
                "notes": self.notes, "number_line": self.number_line, "place_date": self.place_date,
                "summary": self.summary, "markdown": self.markdown}


# ----------------------------------------------------------------- helpers
def upper(s: str) -> str:
    return s.upper()


def agency_in_text(agency: str) -> str:
    """"ỦY BAN NHÂN DÂN XÃ AN BÌNH" -> "Ủy ban nhân dân xã An Bình" (as typed if already mixed case)."""
    if agency != agency.upper():
        return agency
    low = agency.lower()
    for unit in ADMIN_UNITS:
        m = re.search(rf"\b{unit}\s+", low)
        if m:
            head, tail = low[:m.end()], low[m.end():]
            low = head + " ".join(w[:1].upper() + w[1:] for w in tail.split())
            break
    return low[:1].upper() + low[1:]


def lower_first(s: str) -> str:
    if len(s) > 1 and s[0].isupper() and not s[1].isupper():
        return s[0].lower() + s[1:]
    return s


def upper_first(s: str) -> str:
    return s[:1].upper() + s[1:]


def end_with(s: str, mark: str) -> str:
    s = s.rstrip().rstrip(".;,:")
    return s + mark


def _subject(doc_type: DocType, subject: str) -> str:
    s = re.sub(r"^(V/v|Về việc|về việc)[:\s]+", "", subject).strip()
    return s


def _recipient_lines(doc_type: DocType, f: dict, addressees_from_recipients: bool) -> list[str]:
    items: list[str] = []
    if doc_type.recipients_first:
        items.append(doc_type.recipients_first)
    if not addressees_from_recipients:
        items += f["recipients"]
    elif doc_type.salutation_single:
        items += f["recipients"][1:]
    if not any(x.lower().startswith("lưu") for x in items):
        items.append("Lưu: VT" + (f", {f['unit']}" if f["unit"] else ""))
    lines = [f"- {x};" for x in items]
    lines[-1] = lines[-1][:-1] + "."
    return lines


def basis_line(hit) -> str:
    meta = hit.metadata or {}
    title = (meta.get("title") or "").strip() or Path(hit.source).stem
    dtp, num, date = meta.get("doc_type") or "", meta.get("doc_number") or "", meta.get("doc_date") or ""
    if dtp and title.lower().startswith(dtp.lower()):
        rest = title[len(dtp):].strip()
        head = dtp + (f" số {num}" if num and num not in rest else "")
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", date):
            d = dt.date.fromisoformat(date)
            head += f" ngày {day_str(d.day)} tháng {month_str(d.month)} năm {d.year}"
        title = f"{head} {rest}".strip()
    return f"Căn cứ {title}"


def retrieve_bases(settings, subject: str, lang: str, retriever=None) -> tuple[list[str], list[dict], list[str]]:
    """("Căn cứ …" lines, citations, notes as Wording) from the indexed corpus; a clear note when there is no index."""
    notes: list[W] = []
    if retriever is None:
        from assistant.lexical import DIRNAME

        if not settings.chroma_host and not (Path(settings.store_dir) / DIRNAME / "fingerprint.json").is_file():
            return [], [], [W("drafting.note.no_index", store=settings.store_dir)]
        try:
            from assistant.retrieval import get_retriever

            retriever = get_retriever(settings)
        except Exception as exc:  # noqa: BLE001 - any store problem: draft without retrieved bases
            return [], [], [W("drafting.note.retrieval_failed", detail=exc)]
    try:
        hits = retriever.search(subject, k=BASIS_POOL)
    except Exception as exc:  # noqa: BLE001
        return [], [], [W("drafting.note.retrieval_failed", detail=exc)]
    hits = [h for h in hits if str((h.metadata or {}).get("doc_type") or "").lower() in BASIS_TYPES]
    if not hits:
        return [], [], [W("drafting.note.no_basis_found")]
    lines, cites, seen = [], [], set()
    for h in hits:
        line = basis_line(h)
        if line in seen:
            continue
        if len(lines) == 3:
            break
        seen.add(line)
        lines.append(line)
        cites.append({"source": h.source, "title": h.title, "article": h.article, "chunk_id": h.chunk_id,
                      "score": round(float(h.score), 4), "text": h.passage[:400]})
    notes.append(W("drafting.note.bases_retrieved", n=len(lines)))
    return lines, cites, notes


# ----------------------------------------------------------------- offline body
def _fmt(template: str, ctx: dict) -> str:
    return template.format(**ctx).strip() if template else ""


def offline_body(doc_type: DocType, f: dict, ctx: dict, bases: list[str]) -> list[Block]:
    b = doc_type.body
    blocks: list[Block] = []
    points = f["points"]
    if doc_type.layout == "decision":
        blocks.append(Block("center_bold", ctx["issuer"]))
        blocks += _basis_blocks(bases, f)
        blocks.append(Block("center_bold", b.get("decides", "QUYẾT ĐỊNH:")))
        first = end_with(upper_first(points[0]), ".")
        blocks.append(Block("article", first, "Điều 1."))
        for i, p in enumerate(points[1:], start=1):
            blocks.append(Block("para", f"{i}. {end_with(upper_first(p), '.')}"))
        blocks.append(Block("article", _fmt(b["article2"], ctx).split(".", 1)[1].strip(), "Điều 2."))
        blocks.append(Block("article", _fmt(b["article3"], ctx).split(".", 1)[1].strip(), "Điều 3."))
        return blocks
    if doc_type.legal_basis:
        blocks += _basis_blocks(bases, f)
    if b.get("opening"):
        blocks.append(Block("para", _fmt(b["opening"], ctx)))
    if doc_type.layout == "minutes":
        blocks.append(Block("para", _fmt(b.get("attendance", ""), ctx)))
        blocks.append(Block("heading", b.get("content_heading", "Nội dung:")))

    def point_blocks():
        tpl = b.get("point", "{index}. {point}")
        mark = "." if "{index}" in tpl else ";"  # numbered points are sentences; listed items end with ";"
        return [Block("para", end_with(_fmt(tpl, dict(ctx, index=i, point=upper_first(p))), mark))
                for i, p in enumerate(points, start=1)]

    sections = b.get("sections")
    if sections:
        for s in sections:
            blocks.append(Block("heading", s["heading"]))
            if s.get("points"):
                blocks += point_blocks()
            if s.get("text"):
                blocks.append(Block("para", _fmt(s["text"], ctx)))
    else:
        blocks += point_blocks()
    if b.get("after_points"):
        blocks.append(Block("para", _fmt(b["after_points"], ctx)))
    if b.get("closing"):
        blocks.append(Block("para", _fmt(b["closing"], ctx)))
    return blocks


def _basis_blocks(bases: list[str], f: dict) -> list[Block]:
    lines = list(bases) or ["Căn cứ ……………………………………"]
    out = [Block("basis", end_with(x if x.lower().startswith("căn cứ") else "Căn cứ " + x, ";")) for x in lines]
    if f["proposer"]:
        p = f["proposer"]
        out.append(Block("basis", end_with(p if p.lower().startswith("theo đề nghị") else "Theo đề nghị của " + p, ";")))
    out[-1].text = end_with(out[-1].text, ".")
    return out


# ----------------------------------------------------------------- LLM body
def parse_llm_body(text: str) -> list[Block]:
    blocks: list[Block] = []
    for raw in text.splitlines():
        line = re.sub(r"\*\*|__|^#+\s*|^>\s*", "", raw.strip()).strip()
        if not line or line in {"./.", "."}:
            continue
        m = re.match(r"^(Điều\s+\d+\.)\s*(.*)$", line)
        if m:
            blocks.append(Block("article", m[2], m[1]))
        elif re.match(r"^[IVX]+\.\s+\S", line) and line.upper() == line:
            blocks.append(Block("heading", line))
        else:
            blocks.append(Block("para", line))
    return blocks


def llm_body(doc_type: DocType, f: dict, ctx: dict, bases: list[str], client) -> list[Block]:
    """The body written by the model (through the one model client: personal data never leaves redacted-out)."""
    p = llm_prompt()
    user = p["user"].format(type_name=doc_type.display_name("vi"), agency=f["agency"], subject=ctx["subject"],
                            recipients="; ".join(f["recipients"]) or "-",
                            points="\n".join(f"- {x}" for x in f["points"]), task=doc_type.llm_task)
    blocks = parse_llm_body(client.complete(p["system"], user))
    if not blocks:
        raise ValueError("empty answer")
    if doc_type.layout == "decision":
        if not any(b.kind == "article" for b in blocks):
            raise ValueError("no 'Điều' in the answer")
        head = [Block("center_bold", ctx["issuer"])] + _basis_blocks(bases, f) + [Block("center_bold", "QUYẾT ĐỊNH:")]
        return head + [b for b in blocks if b.text.strip().upper() != "QUYẾT ĐỊNH:"]
    if doc_type.legal_basis:
        blocks = _basis_blocks(bases, f) + [b for b in blocks if not b.text.lower().startswith("căn cứ")]
    return blocks


# ----------------------------------------------------------------- entry point
def make_draft(doc_type: str, fields: dict, settings=None, *, retriever=None, lang: str | None = None,
               llm=None) -> Draft:
    """A draft of ``doc_type`` (see ``list_types``) from ``fields``; :class:`DraftInputError` on bad input."""
    from assistant.config import load_settings

    settings = settings or load_settings(env={}, env_file=None)
    lang = lang or settings.lang
    types = doc_types()
    if doc_type not in types:
        raise DraftInputError("unknown_type", "type", value=doc_type, types=", ".join(types))
    dtp = types[doc_type]
    f = clean_fields(fields, dtp)
    notes: list[W] = []  # worded in any language when shown (Draft.notes_in)
    if f["extra_keys"]:
        notes.append(W("drafting.note.unknown_fields", names=", ".join(f["extra_keys"])))
    date = f["date_obj"]
    subject = _subject(dtp, f["subject"])
    agency = upper(f["agency"])
    code = number_code(dtp, f["code"], agency)
    agency_title = agency_in_text(f["agency"])
    addressees = f["addressees"]
    from_recipients = False
    if dtp.salutation and not addressees:
        addressees = f["recipients"][:1] if dtp.salutation_single else list(f["recipients"])
        from_recipients = bool(addressees)
        if not addressees:  # clean_fields already says so; kept for callers that skip it
            raise DraftInputError("missing_recipients", "recipients", addressees=W.label("addressees"),
                                  recipients=W.label("recipients"))
    head = f["signer_head"] or f["signer_title"]  # a deputy (KT.) issues in the head's name
    issuer = f["issuer"] or (f"CHỦ TỊCH {agency}" if agency.startswith(("ỦY BAN NHÂN DÂN", "UỶ BAN NHÂN DÂN"))
                             else f"{upper(head)} {agency}")
    ctx = {
        "agency": agency, "agency_title": agency_title, "agency_lower": agency_title,
        "subject": subject, "subject_lower": lower_first(subject).rstrip("."),
        "addressee": addressees[0] if addressees else "", "date_words": date_words(date),
        "issuer": upper(issuer),
        "executors": f["executors"] or dtp.body.get("default_executors", ""),
        "invitees": end_with(f["invitees"] or dtp.body.get("default_invitees", ""), "."),
        "attendees": f["attendees"] or dtp.body.get("default_attendees", ""),
    }
    bases, citations = list(f["legal_bases"]), []
    if dtp.legal_basis and not bases:
        bases, citations, more = retrieve_bases(settings, subject, lang, retriever)
        notes += more
        if not bases:
            notes.append(W("drafting.note.basis_placeholder"))
    body, source = None, "offline"
    from assistant.engines import as_client

    client = as_client(settings, llm)
    if client is not None:
        from assistant.llm import LLMError

        try:
            body, source = llm_body(dtp, f, ctx, bases, client), "llm"
        except LLMError as exc:  # the server failed: offline body, with its clear message
            notes.append(W("drafting.note.llm_failed", detail=exc))
        except ValueError:  # the model's body is unusable (empty, a decision without articles)
            notes.append(W("drafting.note.llm_failed", detail=W("drafting.note.llm_unusable")))
    if body is None:
        body = offline_body(dtp, f, ctx, bases)
    last = next((b for b in reversed(body) if b.kind in ("para", "article")), None)
    if last is not None and not last.text.endswith("./."):
        last.text = end_with(last.text, "./.")
    summary_text = upper_first(subject)
    summary = (dtp.summary_prefix + lower_first(subject)) if dtp.is_letter else (dtp.summary_prefix + (lower_first(subject) if dtp.summary_prefix else summary_text))
    second = (dtp.second_signer, f["secretary_name"]) if dtp.second_signer else None
    sign = signature_lines(f["authority_form"], f["signer_body"], f["signer_head"], f["signer_title"])
    return Draft(
        doc_type=dtp, fields=f, parent_agency=upper(f["parent_agency"]), agency=agency,
        number_line=number_line(f["number"], code),
        place_date=date_line(f["place"], date) if dtp.place_date else "",
        type_title=dtp.title, summary=summary, addressees=addressees if dtp.salutation else [],
        body=body, signer_authority="\n".join(sign[:-1]), signer_title=sign[-1],
        signer_name=f["signer_name"], signer_lines=sign, recipients=_recipient_lines(dtp, f, from_recipients),
        second_signer=second, body_source=source, citations=citations, notes=[n.render(lang) for n in notes], lang=lang, note_wordings=notes,
    )
