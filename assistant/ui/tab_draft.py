"""Tab "Soạn thảo / Draft": official documents in the national format (assistant.drafting), and a
"Kiểm tra thể thức / Check format" panel for a trainee's own DOCX.

The form shows only the fields the chosen type and signing authority use (``visible_fields``); every
label and hint comes from the wording catalogues, and one press of **Soạn** lists every missing or
malformed field by its label. Messages already on screen are kept in both languages (``view`` state),
so switching the language rewords them too.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import html
import tempfile
from pathlib import Path

import gradio as gr

from assistant.drafting.fields import (
    AUTHORITY,
    ORDER,
    REQUIRED,
    DraftInputError,
    date_line,
    parse_authority,
    parse_date,
    signature_lines,
)
from assistant.drafting.templates import doc_types
from assistant.messages import t
from assistant.ui.context import Ctx
from assistant.ui.draft_check import CHECK_CSS, check_file
from assistant.ui.i18n import LANGS, tr

DRAFT_DIR = Path(tempfile.gettempdir()) / "assistant-drafts"
# The form, group by group, row by row (the order of Điều 8: body, number, place and date, content, signer, recipients)
GROUPS = [
    ("agency", [["parent_agency"], ["agency"], ["number", "code"]]),
    ("when", [["place", "date"]]),
    ("content", [["subject"], ["addressees"], ["legal_bases"], ["proposer"], ["issuer"], ["points"], ["executors"],
                 ["invitees"], ["attendees"]]),
    ("signer", [["signer_authority"], ["signer_body"], ["signer_head"], ["signer_title", "signer_name"],
                ["secretary_name"]]),
    ("send", [["recipients"], ["unit"]]),
]
FIELDS = [name for _, rows in GROUPS for row in rows for name in row]
assert sorted(FIELDS) == sorted(ORDER), "the form and drafting.fields.ORDER must list the same fields"
LINES = {"points": 4, "recipients": 3, "addressees": 2, "legal_bases": 3}
TYPE_FIELDS = {"addressees", "legal_bases", "proposer", "issuer", "executors", "invitees", "attendees", "secretary_name"}
MARKED = set(REQUIRED) | {"signer_body", "signer_head"}  # shown only when required
AUTH_IDS = ["none", "TM", "KT", "TM_KT", "Q", "TL", "TUQ"]



# ----------------------------------------------------------------- what the form shows
def visible_fields(doc_type: str, form: str) -> dict[str, bool]:
    """Which fields the form shows for ``doc_type`` signed in ``form`` (an AUTH_IDS id)."""
    dtp = doc_types().get(doc_type)
    form = "" if form in (None, "none") else form
    _, need_body, need_head = AUTHORITY.get(form, ((), False, False))
    out = {}
    for name in FIELDS:
        if name in TYPE_FIELDS:
            out[name] = dtp is not None and name in dtp.form_fields
        elif name == "signer_body":
            out[name] = need_body
        elif name == "signer_head":
            out[name] = need_head
        elif name == "signer_title":
            out[name] = form != "Q"  # "Q. GIÁM ĐỐC": the acting head signs under the head's title
        else:
            out[name] = True
    return out


def field_label(name: str, lang: str) -> str:
    return t(f"drafting.field.{name}", lang) + (tr("draft.required_mark", lang) if name in MARKED else "")


def field_props(name: str, lang: str) -> dict:
    props = {"label": field_label(name, lang), "info": tr(f"draft.hint.{name}", lang)}
    if name == "signer_authority":
        props["choices"] = [(tr(f"draft.auth.{a}", lang), a) for a in AUTH_IDS]
    if name == "date":
        props["placeholder"] = tr("draft.placeholder.date", lang)
    return props


def collect(doc_type: str, values: dict) -> dict:
    """The fields to draft from: the visible ones that are filled in (a hidden field's old text is not sent)."""
    shown = visible_fields(doc_type, values.get("signer_authority") or "none")
    fields = {}
    for name, v in values.items():
        if not shown.get(name):
            continue
        if name == "signer_authority":
            fields[name] = "" if v in (None, "none") else v
        elif (v or "").strip():
            fields[name] = v
    return fields


# ----------------------------------------------------------------- messages (both languages, for the switch)
def both(fn, *args) -> dict:
    return {lg: fn(*args, lg) for lg in LANGS}


def errors_md(exc: DraftInputError, lang: str) -> str:
    lines = "\n".join(f"- {m}" for m in exc.messages(lang))
    return f"⚠️ {tr('draft.errors_head', lang, n=len(exc.errors))}\n\n{lines}"


def done_md(draft, lang: str) -> str:
    notes = draft.notes_in(lang) if draft is not None else []
    return "\n".join([tr("draft.done", lang), ""] + [f"- {n}" for n in notes])


def date_preview(place: str, date: str, lang: str) -> str:
    if not (date or "").strip():
        return ""
    try:
        d = parse_date(date)
    except DraftInputError as exc:
        return "⚠️ " + exc.message(lang)
    return tr("draft.preview.date", lang, line=date_line((place or "").strip() or "…", d))


def sign_preview(form: str, body: str, head: str, title: str, name: str, lang: str) -> str:
    try:
        form, body, head = parse_authority("" if form in (None, "none") else form, body or "", head or "")
    except DraftInputError as exc:
        return "⚠️ " + exc.message(lang)
    lines = signature_lines(form, " ".join((body or "…").split()), " ".join((head or "…").split()),
                            " ".join((title or "…").split()))
    parts = [f"**{x}**" for x in lines] + [f"*{tr('draft.preview.sign_room', lang)}*"]
    if (name or "").strip():
        parts.append(f"**{' '.join(name.split())}**")
    return tr("draft.preview.sign", lang, lines=" / ".join(parts))


# ----------------------------------------------------------------- the tab
def build(ctx: Ctx) -> None:
    from assistant.drafting import list_types

    reg = ctx.reg
    lang_in = ctx.c["lang"]
    view = gr.State({})  # messages on screen, in both languages: {"status": {...}, "check": {...}}
    reg.add(gr.Markdown(elem_id="draft-intro"), value="draft.intro")
    boxes: dict[str, gr.components.Component] = {}
    with gr.Row(equal_height=False):
        with gr.Column(scale=2, min_width=300, elem_id="draft-form"):
            dtype = reg.add(gr.Dropdown(value="cong-van", choices=[(x["name"], x["id"]) for x in list_types("vi")],
                                        elem_id="draft-type"), lambda lang: {
                "label": tr("draft.type", lang), "info": tr("draft.type_hint", lang),
                "choices": [(x["name"], x["id"]) for x in list_types(lang)]})
            shown = visible_fields("cong-van", "none")
            previews = {}
            for group, rows in GROUPS:
                reg.add(gr.Markdown(elem_classes=["draft-group"]), value=f"draft.group.{group}")
                for row in rows:
                    # a row only where two fields sit side by side: an empty row of hidden fields would leave a gap
                    with gr.Row(equal_height=False) if len(row) > 1 else contextlib.nullcontext():
                        for name in row:
                            if name == "signer_authority":
                                comp = gr.Dropdown(value="none", elem_id=f"draft-{name}", visible=shown[name],
                                                   choices=[(tr(f"draft.auth.{a}", "vi"), a) for a in AUTH_IDS])
                            else:
                                comp = gr.Textbox(lines=LINES.get(name, 1), max_lines=12 if name in LINES else 1,
                                                  elem_id=f"draft-{name}", visible=shown[name], min_width=200)
                            boxes[name] = reg.add(comp, lambda lang, name=name: field_props(name, lang))
                    if "date" in row:
                        previews["date"] = gr.Markdown(elem_id="draft-date-preview")
                if group == "signer":
                    previews["sign"] = gr.Markdown(elem_id="draft-sign-preview")
            with gr.Row():
                run = reg.add(gr.Button(variant="primary", elem_id="draft-run"), value="draft.run")
                example = reg.add(gr.Button(variant="secondary", elem_id="draft-example"), value="draft.example")
            status = gr.Markdown(elem_id="draft-status")
        with gr.Column(scale=3, min_width=300):
            # both shown once there is a draft: an empty box (or file drop zone) says nothing
            out = reg.add(gr.Markdown(elem_id="draft-output", container=True, min_height=160, visible=False),
                          label="draft.output")
            file = reg.add(gr.File(interactive=False, elem_id="draft-file", height=80, visible=False),
                           label="draft.file")
            # beside the form on a wide screen, so a trainee sees it without scrolling past the whole form
            with gr.Column(elem_id="draft-check", variant="panel"):
                reg.add(gr.Markdown(elem_id="draft-check-title"), value="draft.check.title")
                reg.add(gr.Markdown(elem_id="draft-check-intro"), value="draft.check.intro")
                with gr.Row():
                    upload = reg.add(gr.UploadButton(elem_id="draft-check-upload", type="filepath",
                                                     file_count="single", variant="primary", size="md", min_width=200),
                                     label="draft.check.upload")
                    own = reg.add(gr.Button(elem_id="draft-check-own", size="md", min_width=160),
                                  value="draft.check.own")
                check_out = gr.HTML(elem_id="draft-check-result", css_template=CHECK_CSS)

    names = list(boxes)
    comps = [boxes[n] for n in names]

    def values_of(vals) -> dict:
        return dict(zip(names, vals))

    # --- visibility by type and signing authority
    def on_shape(dt_, form):
        shown_ = visible_fields(dt_, form)
        return [gr.update(visible=shown_[n]) for n in names]

    dtype.change(on_shape, [dtype, boxes["signer_authority"]], comps, api_visibility="private", queue=False)
    boxes["signer_authority"].change(on_shape, [dtype, boxes["signer_authority"]], comps, api_visibility="private",
                                     queue=False)

    # --- live previews of the date line and the signature block
    def on_preview(lang, place, date, form, body, head, title, name):
        lang = ctx.lang(lang)
        return date_preview(place, date, lang), sign_preview(form, body, head, title, name, lang)

    pv_in = [lang_in, boxes["place"], boxes["date"], boxes["signer_authority"], boxes["signer_body"],
             boxes["signer_head"], boxes["signer_title"], boxes["signer_name"]]
    pv_out = [previews["date"], previews["sign"]]
    for name in ("place", "date", "signer_body", "signer_head", "signer_title", "signer_name"):
        boxes[name].blur(on_preview, pv_in, pv_out, api_visibility="private", queue=False, show_progress="hidden")
    boxes["date"].submit(on_preview, pv_in, pv_out, api_visibility="private", queue=False, show_progress="hidden")
    boxes["signer_authority"].change(on_preview, pv_in, pv_out, api_visibility="private", queue=False,
                                     show_progress="hidden")

    # --- draft
    def go(request: gr.Request, dt_, lang, state, *vals):
        lang = ctx.lang(lang)
        fields = collect(dt_, values_of(vals))
        res = ctx.services.draft(dt_, fields, lang, who=ctx.who(request))
        state = dict(state or {})
        if not res["ok"]:
            exc = res.get("error_obj")
            msgs = both(errors_md, exc) if exc is not None else {lg: "⚠️ " + res["error"] for lg in LANGS}
            state["status"] = msgs
            return msgs[lang], gr.update(), gr.update(), state
        DRAFT_DIR.mkdir(parents=True, exist_ok=True)
        path = Path(tempfile.mkdtemp(dir=DRAFT_DIR)) / f"{dt_}.docx"
        path.write_bytes(res["docx"])
        msgs = both(done_md, res.get("draft"))
        state["status"] = msgs
        return msgs[lang], gr.update(value=res["markdown"], visible=True), gr.update(value=str(path), visible=True), state

    run.click(go, [dtype, lang_in, view, *comps], [status, out, file, view], api_visibility="private")

    # --- fill in an example (training material)
    def fill_example(dt_):
        sample = example_fields(dt_)
        return [gr.update(value=sample.get(n, "none" if n == "signer_authority" else "")) for n in names]

    example.click(fill_example, [dtype], comps, api_visibility="private", queue=False).then(
        on_preview, pv_in, pv_out, api_visibility="private", queue=False, show_progress="hidden")

    # --- check format
    def on_upload(path, lang, state):
        lang = ctx.lang(lang)
        msgs = check_file(path)
        state = dict(state or {}, check=msgs)
        return msgs[lang], state

    def on_own(path, lang, state):
        lang = ctx.lang(lang)
        if not path:
            msgs = {lg: f"<p>{html.escape(tr('draft.check.no_draft', lg)).replace('**', '')}</p>" for lg in LANGS}
        else:
            msgs = check_file(path)
        state = dict(state or {}, check=msgs)
        return msgs[lang], state

    upload.upload(on_upload, [upload, lang_in, view], [check_out, view], api_visibility="private")
    own.click(on_own, [file, lang_in, view], [check_out, view], api_visibility="private")

    # --- the language switch rewords what is on screen
    def reword(lang, state, place, date, form, body, head, title, name):
        lang = ctx.lang(lang)
        state = state or {}
        st, ck = state.get("status"), state.get("check")
        return (st[lang] if st else gr.update(), ck[lang] if ck else gr.update(),
                *on_preview(lang, place, date, form, body, head, title, name))

    ctx.c.setdefault("on_lang", []).append((reword, [lang_in, view, *pv_in[1:]],
                                            [status, check_out, *pv_out]))


def example_fields(doc_type: str) -> dict:
    """The form's sample for ``doc_type`` (prompts/drafting/example.yaml), dated today as people type it."""
    import yaml

    from assistant.drafting.templates import DRAFTING_DIR

    data = yaml.safe_load((DRAFTING_DIR / "example.yaml").read_text(encoding="utf-8")) or {}
    out = dict(data.get("common") or {})
    out.update((data.get("by_type") or {}).get(doc_type) or {})
    out["date"] = dt.date.today().strftime("%d/%m/%Y")
    out["signer_authority"] = out.get("signer_authority") or "none"
    return {k: (v if isinstance(v, str) else "" if v is None else str(v)).rstrip("\n") for k, v in out.items()}
