"""Tab "Hỏi đáp / Ask": streaming chat over the corpus or chosen documents, with cited sources."""
from __future__ import annotations

import html
import re
import tempfile
from pathlib import Path

import gradio as gr

from assistant.messages import t
from assistant.ui.context import Ctx
from assistant.ui.i18n import tr
from assistant.answer.types import Request
from assistant.ui.uploads import add_upload, sweep
from assistant.ui.learner import browser_state
from assistant.ui.learner import learner as learner_of
from assistant.ui.viewer import link as viewer_link
from assistant.ui.viewer import viewable

EXPORT_DIR = Path(tempfile.gettempdir()) / "assistant-exports"
CITE = re.compile(r"\[(\d{1,3})\]")
REASONS = ("wrong", "source", "unclear", "other")


# ---------------------------------------------------------------- rendering
def sources_html(citations: list[dict], lang: str) -> str:
    if not citations:
        return f'<div class="src-empty">{html.escape(tr("ask.sources_empty", lang))}</div>'
    cards = []
    for c in citations:
        title = c.get("title") or c.get("source", "")
        meta = []
        if c.get("private"):
            meta.append(tr("ask.private_doc", lang))
        if c.get("article"):
            meta.append(f'{tr("ask.article", lang)} {html.escape(str(c["article"]))}')
        if c.get("page"):
            meta.append(f'{tr("ask.page", lang)} {c["page"]}')
        src = c.get("source", "")
        if src and not src.startswith("upload:"):
            meta.append(html.escape(src))
        passage = " ".join(re.sub(r"(?m)^\s*#{1,6}\s*", "", c.get("passage") or "").split())
        if len(passage) > 700:
            passage = passage[:700] + "…"
        link = ""
        if viewable(src):  # Markdown, DOCX, TXT, HTML: readable in the app, at the cited article
            link = viewer_link(src, c.get("article") or "", lang, tr("ask.open_doc", lang))
        elif c.get("url"):
            label = tr("ask.open_page", lang, page=c["page"]) if c.get("page") else tr("ask.open_doc", lang)
            link = (f'<a class="src-link" href="{html.escape(c["url"])}" target="_blank" rel="noopener">'
                    f'{html.escape(label)} ↗</a>')
        cards.append(
            f'<div class="src-card" id="src-{c.get("n")}">'
            f'<div class="src-head"><span class="src-n">[{c.get("n")}]</span> {html.escape(title)}</div>'
            f'<div class="src-meta">{" · ".join(meta)}</div>'
            f'<blockquote class="src-passage">{html.escape(passage)}</blockquote>{link}</div>')
    return '<div class="src-list">' + "".join(cards) + "</div>"


def sources_panel(ctx: Ctx, elem_id: str):
    """A sources panel: cards with the cited passages, and the in-app viewer behind "open the document"."""
    from assistant.ui import viewer

    return gr.HTML(elem_id=elem_id, js_on_load=viewer.JS, server_functions=[viewer.make_view_document(ctx.settings)])


def format_answer(result: dict, lang: str) -> str:
    """The answer with unsupported sentences marked and [n] linking to the cited page."""
    text = result.get("answer", "") or ""
    for u in result.get("unsupported") or []:
        s = (u.get("sentence") or "").strip()
        if s and s in text:
            text = text.replace(s, f"<mark class='unsupported' title='{html.escape(tr('ask.sources', lang))}'>{s}</mark> ⚠️", 1)
    urls = {int(c["n"]): c.get("url") for c in result.get("citations") or [] if c.get("n") is not None}

    def link(m):
        n = int(m.group(1))
        return f"[[{n}]]({urls[n]})" if urls.get(n) else m.group(0)

    text = CITE.sub(link, text)
    if result.get("unsupported"):
        text += "\n\n" + t("ui.unsupported_note", lang)
    notices = guard_notices(result)
    if notices:
        text = "\n".join(f"> ⚠️ {n}" for n in notices) + "\n\n" + text
    return text


def followups(result: dict, lang: str = "vi") -> list[str]:
    """The follow-up questions the pipeline suggested (built from the passages, each one answerable)."""
    if result.get("abstained") or result.get("blocked"):
        return []
    return [str(q) for q in result.get("followups") or []][:3]


def guard_notices(result: dict) -> list[str]:
    """What the guard warned about (personal data replaced, a flagged passage…), to show above the answer.
    A blocked request already says why in its answer."""
    g = result.get("guard") or {}
    stages = g.get("stages", []) if isinstance(g, dict) else list(g)
    if result.get("blocked") or any(x.get("decision") == "block" for x in stages):
        return []
    return list(dict.fromkeys(x["explanation"] for x in stages if x.get("decision") == "warn" and x.get("explanation")
                              and x.get("part") != "question"))  # the question's own notice is in its bubble


def shown_question(q: str) -> str:
    """The question as the trainee's bubble shows it: personal data already replaced by the guard's labels."""
    try:
        from assistant.guard import Redactor

        return Redactor().redact(q)[0]
    except Exception:  # noqa: BLE001 - display only; the pipeline still redacts
        return q


def answer_state(state: str, turn: int, event_id=None) -> str:
    """A machine-readable marker of the pipeline's state (hidden): "working" while an answer streams,
    "done" (with the turn number) once it is final. Tests and assistive tools wait for it, not for text."""
    return (f'<span class="answer-state" data-state="{state}" data-turn="{int(turn)}" '
            f'data-event="{html.escape(str(event_id or ""))}"></span>')


# ---------------------------------------------------------------- building
def build(ctx: Ctx) -> None:
    s, reg = ctx.settings, ctx.reg
    lang_in = ctx.c["lang"]
    private = ctx.c["private"]
    conv = gr.State([])
    pending = gr.State(None)  # event id waiting for a dislike reason
    exercise_run = gr.State(None)  # {"id", "prompt", "text"} set by the Exercises tab's Start button
    with gr.Row(equal_height=False):
        with gr.Column(scale=3, min_width=320):
            chatbot = reg.add(gr.Chatbot(elem_id="chat", height=460, buttons=["copy", "copy_all"],
                                         feedback_options=("Like", "Dislike"), group_consecutive_messages=False),
                              lambda lang: {"label": tr("ask.chatbot", lang), "placeholder": tr("ask.placeholder_chat", lang)})
            question = reg.add(gr.Textbox(elem_id="question", lines=1, max_lines=6, submit_btn=False, autofocus=False),
                               lambda lang: {"label": tr("ask.question", lang), "placeholder": tr("ask.question_placeholder", lang)})
            with gr.Row():
                send = reg.add(gr.Button(variant="primary", elem_id="send", scale=2), value="ask.send")
                clear = reg.add(gr.Button(elem_id="clear", scale=1), value="ask.clear")
            fu_label = reg.add(gr.Markdown(visible=False, elem_id="followups-label"),
                               lambda lang: {"value": f"**{tr('ask.followups', lang)}**"})
            with gr.Row(elem_id="followups"):
                fu_buttons = [gr.Button(visible=False, size="sm", elem_classes=["followup"]) for _ in range(3)]
            with gr.Group(visible=False, elem_id="dislike") as dislike_box:
                reason = reg.add(gr.Radio(elem_id="dislike-reason"), lambda lang: {
                    "label": tr("ask.feedback_reason", lang),
                    "choices": [(tr(f"ask.reason_{r}", lang), r) for r in REASONS]})
                comment = reg.add(gr.Textbox(lines=1), label="ask.feedback_comment")
                fb_send = reg.add(gr.Button(size="sm"), value="ask.feedback_send")
            fb_status = gr.Markdown(elem_id="feedback-status")
            state = gr.HTML(answer_state("idle", 0), elem_id="ask-state", elem_classes=["machine-state"])
        with gr.Column(scale=2, min_width=280):
            reg.add(gr.Markdown(), lambda lang: {"value": f"### {tr('ask.sources', lang)}"})
            sources = reg.add(sources_panel(ctx, "sources"), lambda lang: {"value": sources_html([], lang)})
            with reg.add(gr.Accordion(open=False, elem_id="ask-options"), label="ask.options"):
                scope = reg.add(gr.Radio(value="corpus", elem_id="scope"), lambda lang: {
                    "label": tr("ask.scope", lang),
                    "choices": [(tr("ask.scope_corpus", lang), "corpus"), (tr("ask.scope_both", lang), "both"),
                                (tr("ask.scope_private", lang), "private")]})
                docs = reg.add(gr.Dropdown(multiselect=True, choices=ctx.services.documents(), elem_id="documents"),
                               label="ask.documents")
                # a button whose words we set (Gradio's drop zone says "Drop File Here" in English only)
                with gr.Group(elem_id="upload"):
                    upload = reg.add(gr.UploadButton(file_count="multiple", elem_id="upload-button", size="md"),
                                     label="ask.upload")
                upload_status = reg.add(gr.Markdown(elem_id="upload-status"),
                                        lambda lang: {"value": t("ui.upload_none", lang)})
            with reg.add(gr.Accordion(open=False, elem_id="export"), label="ask.export"):
                with gr.Row():
                    exp_md = reg.add(gr.Button(size="sm", elem_id="export-md"), value="ask.export_md")
                    exp_docx = reg.add(gr.Button(size="sm", elem_id="export-docx"), value="ask.export_docx")
                # shown once there is a file: an empty file box only says "Empty value"
                exp_file = reg.add(gr.File(interactive=False, elem_id="export-file", height=80, visible=False),
                                   label="ask.export_file")
    ctx.c.update(question=question, chatbot=chatbot, conv=conv, docs=docs, send=send, exercise_run=exercise_run)
    # the document list follows re-indexing: refreshed on every page load
    ctx.c.setdefault("on_lang", []).append(
        (lambda lang: (gr.update(choices=ctx.services.documents()),), [lang_in], [docs]))

    # ------------------------------------------------------------ handlers
    def exercise_of(pending, q):
        """The exercise the question comes from, when it is still the prompt Start put in the box."""
        from assistant import exercises as exlib

        if not pending or " ".join(str(pending.get("text") or "").split()) != " ".join(q.split()):
            return None, 0
        ex = exlib.by_id(exlib.load_exercises(ctx.exercises_dir), str(pending.get("id") or ""))
        return ex, int(pending.get("prompt") or 0)

    def run_draft(ex, q, chat, turns, lang, request):
        """A draft exercise: the Draft tab's drafting function with the exercise's fields, shown in the chat."""
        from assistant import exercises as exlib

        dt, fields = exlib.draft_fields(ex, lang)
        res = ctx.services.draft(dt, fields, lang, who=ctx.who(request))
        text = res["markdown"] if res["ok"] else "⚠️ " + res["error"]
        notes = "\n".join(f"- {n}" for n in res.get("notes") or [])
        chat[-1] = {"role": "assistant", "content": text + (f"\n\n{notes}" if notes else "")}
        turns = list(turns) + [{"question": q, "answer": text, "citations": [], "event_id": None}]
        return chat, turns

    def respond(q, chat, turns, lang, priv, scope_v, doc_list, ex_run=None, bid=None, request: gr.Request = None):
        lang = ctx.lang(lang)
        q = (q or "").strip()
        hidden = [gr.update(visible=False)] * 3
        keep = gr.update()
        if not q:
            yield chat, turns, gr.update(), gr.update(), gr.update(), *hidden, gr.update(visible=False), gr.update(), keep
            return
        if priv is not None and priv.expired(s.upload_ttl_min):
            priv.clear()
        # the trainee's own message as it goes to the assistant: personal data replaced at once (the pipeline's
        # input guard then gives the exact text it used, with the explanation above the answer)
        chat = list(chat or []) + [{"role": "user", "content": shown_question(q)},
                                   {"role": "assistant", "content": t("ui.searching", lang)}]
        working = answer_state("working", len(turns or []))
        yield chat, turns, "", gr.update(), gr.update(visible=False), *hidden, gr.update(visible=False), working, keep
        history = [(x["question"], x["answer"]) for x in turns][-4:]
        answer, cits = "", []
        try:
            ex, ex_prompt = exercise_of(ex_run, q)
            if ex is not None and ex.get("task") == "draft":
                chat, turns = run_draft(ex, q, chat, turns, lang, request)
                yield (chat, turns, "", sources_html([], lang), gr.update(value=""), *hidden, gr.update(visible=False),
                       answer_state("done", len(turns)), keep)
                return
            if ex is not None:  # the exercise's own task, documents and options
                from assistant import exercises as exlib

                req = exlib.exercise_request(ex, lang, ex_prompt)
                req.question, req.history, req.private, req.scope = q, history, priv, scope_v or "corpus"
            else:
                req = Request(q, lang=lang, history=history, sources=doc_list or None, private=priv,
                              scope=scope_v or "corpus")
            who = dict(ctx.who(request), learner=learner_of(ctx, request, bid))
            for typ, data in ctx.services.ask_stream(req, who=who):
                if typ == "guard" and isinstance(data, dict) and data.get("part") == "question" and data.get("redacted"):
                    note = f"\n\n> ⚠️ {data['explanation']}" if data.get("decision") == "warn" and data.get("explanation") else ""
                    chat[-2] = {"role": "user", "content": data["redacted"] + note}
                elif typ == "status":
                    msg = data.get("message", "") if isinstance(data, dict) else str(data)
                    chat[-1] = {"role": "assistant", "content": f"_{msg}_" if msg else "…"}
                elif typ == "token":
                    answer += str(data)
                    chat[-1] = {"role": "assistant", "content": answer}
                elif typ == "sources":
                    cits = data if isinstance(data, list) else []
                    for c in cits:
                        c.setdefault("url", ctx.services.source_url(c.get("source", ""), c.get("page")))
                    yield chat, turns, "", sources_html(cits, lang), gr.update(), *hidden, gr.update(), gr.update(), keep
                    continue
                elif typ == "done":
                    result = data
                    if result.get("terms_required"):  # nothing was sent: show the notice to accept first
                        chat[-1] = {"role": "assistant", "content": result.get("answer", "")}
                        yield (chat, turns, q, gr.update(), gr.update(), *hidden, gr.update(visible=False),
                               answer_state("done", len(chat) // 2), gr.update(visible=True))
                        return
                    chat[-1] = {"role": "assistant", "content": format_answer(result, lang)}
                    turns = list(turns) + [{"question": q, "answer": result.get("answer", ""),
                                            "citations": result.get("citations", []),
                                            "event_id": result.get("event_id")}]
                    fus = followups(result, lang)
                    fu = [gr.update(visible=True, value=x) for x in fus] + [gr.update(visible=False)] * (3 - len(fus))
                    yield (chat, turns, "", sources_html(result.get("citations", []), lang), gr.update(value=""),
                           *fu, gr.update(visible=bool(fus)), answer_state("done", len(turns), result.get("event_id")), keep)
                    return
                else:
                    continue
                yield chat, turns, "", gr.update(), gr.update(), *hidden, gr.update(), gr.update(), keep
        except Exception as exc:  # noqa: BLE001 - tell the trainee, never a stack trace
            chat[-1] = {"role": "assistant", "content": t("ui.error", lang, detail=type(exc).__name__)}
            yield (chat, turns, "", gr.update(), gr.update(), *hidden, gr.update(visible=False),
                   answer_state("error", len(turns or [])), keep)

    outs = [chatbot, conv, question, sources, fb_status, *fu_buttons, fu_label, state, ctx.c["terms_box"]]
    ins = [question, chatbot, conv, lang_in, private, scope, docs, exercise_run, browser_state(ctx)]
    ctx.c["ask_respond"] = (respond, ins, outs)  # the Exercises tab's Start runs the exercise through it
    send.click(respond, ins, outs, api_visibility="private")
    question.submit(respond, ins, outs, api_visibility="private")
    for b in fu_buttons:
        b.click(lambda v: v, b, question, api_visibility="private").then(respond, ins, outs, api_visibility="private")

    def new_conversation(lang):
        lang = ctx.lang(lang)
        return ([], [], sources_html([], lang), "", *[gr.update(visible=False)] * 3, gr.update(visible=False),
                gr.update(visible=False), answer_state("idle", 0))

    clear.click(new_conversation, [lang_in], [chatbot, conv, sources, fb_status, *fu_buttons, fu_label, dislike_box, state],
                api_visibility="private")

    # feedback: like logs at once; dislike asks for a reason
    def on_like(turns, lang, data: gr.LikeData, request: gr.Request):
        lang = ctx.lang(lang)
        idx = data.index[0] if isinstance(data.index, (list, tuple)) else data.index
        turn = turns[int(idx) // 2] if turns and 0 <= int(idx) // 2 < len(turns) else None
        if turn is None:
            return gr.update(visible=False), None, t("ui.feedback_nothing", lang)
        liked = data.liked is True or data.liked == "Like"
        if liked:
            who = ctx.who(request)
            ctx.services.logs.log_feedback(turn.get("event_id"), +1, session=who["session"], user=who["user"])
            return gr.update(visible=False), None, t("ui.feedback_thanks", lang)
        return gr.update(visible=True), turn.get("event_id"), ""

    chatbot.like(on_like, [conv, lang_in], [dislike_box, pending, fb_status], api_visibility="private")

    def send_dislike(event_id, reason_v, comment_v, lang, request: gr.Request):
        who = ctx.who(request)
        ctx.services.logs.log_feedback(event_id, -1, reason=reason_v or "", comment=comment_v or "",
                                       session=who["session"], user=who["user"])
        return gr.update(visible=False), None, None, "", t("ui.feedback_thanks", ctx.lang(lang))

    fb_send.click(send_dislike, [pending, reason, comment, lang_in], [dislike_box, pending, reason, comment, fb_status],
                  api_visibility="private")

    # private uploads: this session only
    def on_upload(files, priv, lang, request: gr.Request):
        lang = ctx.lang(lang)
        sweep(s.upload_ttl_min)
        if not files:
            return priv, gr.update(), gr.update(), gr.update()
        if priv is None or priv.expired(s.upload_ttl_min):
            priv = ctx.services.new_private(getattr(request, "session_hash", "") or "")
        lines = []
        for f in files:
            path = f if isinstance(f, str) else getattr(f, "name", str(f))
            res = add_upload(priv, path, s, lang)
            lines.append(res.message)
        scope_update = gr.update(value="both") if not priv.empty else gr.update()
        return priv, "\n\n".join(lines), None, scope_update

    upload.upload(on_upload, [upload, private, lang_in], [private, upload_status, upload, scope], api_visibility="private")

    # export
    def export(fmt):
        def _fn(turns, lang):
            from assistant.ui.export import write_export

            lang = ctx.lang(lang)
            if not turns:
                gr.Info(t("ui.export_empty", lang))
                return gr.update(value=None, visible=False)
            return gr.update(value=str(write_export(turns, lang, fmt, EXPORT_DIR)), visible=True)
        return _fn

    exp_md.click(export("md"), [conv, lang_in], exp_file, api_visibility="private")
    exp_docx.click(export("docx"), [conv, lang_in], exp_file, api_visibility="private")
