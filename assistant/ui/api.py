"""Named API endpoints over the same functions as the UI: /ask, /search, /guard, /summarize, /draft, /reindex.

Usable with ``gradio_client`` (``Client(url, auth=(user, password))`` when accounts are on). Trainer-only
options (``internals=True`` on /ask, /reindex) are refused for trainees.
"""
from __future__ import annotations

import base64
import binascii

import gradio as gr

from assistant.answer.types import Request
from assistant.messages import t
from assistant.ui.context import Ctx
from assistant.ui.i18n import tr
from assistant.ui.uploads import release


def add_encoded(index, f: dict, settings, lang: str) -> dict:
    """One API upload ({"name", "content_base64"}) into a private index: {"name", "ok", "message"}."""
    name = str((f or {}).get("name") or "upload.txt")
    try:
        data = base64.b64decode((f or {}).get("content_base64") or "", validate=True)
    except (binascii.Error, ValueError):
        return {"name": name, "ok": False, "message": t("ui.upload_failed", lang, name=name, reason="base64")}
    if len(data) > settings.max_upload_mb * 1024 * 1024:
        return {"name": name, "ok": False, "message": t("ui.upload_too_large", lang, name=name,
                                                         size_mb=f"{len(data) / 1024 / 1024:.1f}",
                                                         max_mb=f"{settings.max_upload_mb:g}")}
    got = index.add_bytes(data, name, lang)
    if not got.ok:
        return {"name": name, "ok": False, "message": t("ui.upload_failed", lang, name=name, reason=got.error.message(lang))}
    return {"name": name, "ok": True, "message": t("ui.upload_ok", lang, name=name, chunks=got.chunks,
                                                      ttl=settings.upload_ttl_min)}


def register(ctx: Ctx) -> None:
    svc = ctx.services

    def api_who(request) -> dict:
        """Who calls: the account (or "local" without login); answers need that learner to have accepted the terms."""
        from assistant.ui.learner import learner

        return dict(ctx.who(request), learner=learner(ctx, request, api=True))

    def accept_terms(lang: str = "vi", request: gr.Request = None) -> dict:
        """Accept the terms of use for this account (or, without login, for this machine's API use): the
        notice every trainee reads in the app before the first question. Returns the text accepted."""
        from assistant.ui.services import TERMS_VERSION
        from assistant.ui.shell import terms_text

        who = api_who(request)
        svc.accept_terms(who["learner"])
        return {"accepted": True, "version": TERMS_VERSION, "terms": terms_text(ctx.settings, ctx.lang(lang))}

    gr.api(accept_terms, api_name="accept_terms")

    def _trainer_or_refuse(request, lang):
        if not ctx.is_trainer(request):
            raise gr.Error(tr("tr.refused", ctx.lang(lang)))

    def ask(question: str, lang: str = "vi", sources: list[str] | None = None, internals: bool = False,
            task: str = "qa", history: list | None = None, options: dict | None = None, scope: str = "corpus",
            files: list[dict] | None = None, request: gr.Request = None) -> dict:
        """Answer a question with [n] citations: the same pipeline as the Ask tab and `assistant ask`.

        task: qa | summarize | plain_language | extract; history: [[question, answer], ...]; options:
        {"length", "text" (pasted text), "k"}; files: private documents for this call only,
        [{"name": "x.docx", "content_base64": "..."}] (searched with the corpus unless scope is "private").
        internals=True (trainers) adds hits, prompt, guard, timings."""
        lang = ctx.lang(lang)
        if internals:
            _trainer_or_refuse(request, lang)
        req = Request.from_dict({"question": question or "", "lang": lang, "sources": sources, "task": task,
                                 "history": history, "options": options, "scope": scope})
        uploads = []
        if files:
            req.private = svc.new_private(getattr(request, "session_hash", "") or "api")
            req.scope = scope if scope in ("both", "private") else "both"
            for f in files:
                uploads.append(add_encoded(req.private, f, ctx.settings, lang))
        try:
            res = svc.ask(req, who=api_who(request))
        finally:
            release(req.private)
        keep = ["answer", "citations", "abstained", "unsupported", "backend", "ms", "event_id", "lang", "sent_question"]
        if internals:
            keep += ["hits", "prompt", "guard", "timings", "query"]
        out = {k: res.get(k) for k in keep if k in res}
        out["notices"] = [x.get("explanation", "") for x in (res.get("guard") or {}).get("stages", []) if x.get("explanation")]
        if res.get("terms_required"):
            from assistant.ui.shell import terms_text

            out["terms_required"], out["terms"] = True, terms_text(ctx.settings, lang)
        if uploads:
            out["uploads"] = uploads
        return out

    def search(query: str, k: int = 5, sources: list[str] | None = None, request: gr.Request = None) -> list[dict]:
        """Hybrid search over the corpus: the k best passages with their scores."""
        return [h.as_json() for h in svc.search(query or "", int(k or 5), sources or None)]

    def guard(text: str, lang: str = "vi", request: gr.Request = None) -> dict:
        """Check a text with the guardrails: decision, findings, redacted text, explanation."""
        return svc.guard_json(text or "", ctx.lang(lang))

    def summarize(source: str, length: str = "short", lang: str = "vi", table: bool = False,
                  request: gr.Request = None) -> dict:
        """Summarise one corpus document (source = its path in the corpus), or extract it to a table."""
        res = svc.summarize(source or "", length, ctx.lang(lang), table=bool(table), who=api_who(request))
        return {k: res.get(k) for k in ("answer", "citations", "abstained", "backend", "ms") if k in res}

    def reindex(lang: str = "vi", request: gr.Request = None) -> dict:
        """Re-index the corpus folder (trainers only)."""
        _trainer_or_refuse(request, lang)
        return svc.reindex(lang=ctx.lang(lang))

    gr.api(ask, api_name="ask")
    gr.api(search, api_name="search")
    gr.api(guard, api_name="guard")
    gr.api(summarize, api_name="summarize")
    gr.api(reindex, api_name="reindex", concurrency_limit=1, concurrency_id="reindex")
    from assistant.ui import api_learn

    api_learn.register(ctx)  # /progress, /knowledge_*, /self_assessment, /exercise_progress, /classes, /class_report

    try:
        import assistant.drafting  # noqa: F401
    except ImportError:
        return

    def draft(doc_type: str, fields: dict, lang: str = "vi", request: gr.Request = None) -> dict:
        """Draft an official document (doc_type from the Draft tab, e.g. cong-van): markdown and DOCX (base64)."""
        res = svc.draft(doc_type, fields or {}, ctx.lang(lang), who=ctx.who(request))
        return {"ok": res["ok"], "error": res["error"], "errors": res.get("errors", []), "markdown": res["markdown"],
                "docx_base64": base64.b64encode(res["docx"]).decode() if res["docx"] else "", "notes": res.get("notes", [])}

    gr.api(draft, api_name="draft")
