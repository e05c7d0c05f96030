"""Named API endpoints over the same functions as the UI: /ask, /search, /guard, /summarize, /draft, /reindex.

Usable with ``gradio_client`` (``Client(url, auth=(user, password))`` when accounts are on). Trainer-only
options (``internals=True`` on /ask, /reindex) are refused for trainees.
"""
from __future__ import annotations

import base64

import gradio as gr

from assistant.ui.context import Ctx
from assistant.ui.i18n import tr


def register(ctx: Ctx) -> None:
    svc = ctx.services

    def _trainer_or_refuse(request, lang):
        if not ctx.is_trainer(request):
            raise gr.Error(tr("tr.refused", ctx.lang(lang)))

    def ask(question: str, lang: str = "vi", sources: list[str] | None = None, internals: bool = False,
            request: gr.Request = None) -> dict:
        """Answer a question over the corpus with [n] citations. internals=True (trainers) adds hits, prompt, guard, timings."""
        lang = ctx.lang(lang)
        if internals:
            _trainer_or_refuse(request, lang)
        res = svc.ask(question or "", lang=lang, sources=sources or None, who=ctx.who(request))
        keep = ["answer", "citations", "abstained", "unsupported", "backend", "ms", "event_id"]
        if internals:
            keep += ["hits", "prompt", "guard", "timings", "query"]
        return {k: res.get(k) for k in keep if k in res}

    def search(query: str, k: int = 5, sources: list[str] | None = None, request: gr.Request = None) -> list[dict]:
        """Hybrid search over the corpus: the k best passages with their scores."""
        return [h.as_json() for h in svc.search(query or "", int(k or 5), sources or None)]

    def guard(text: str, lang: str = "vi", request: gr.Request = None) -> dict:
        """Check a text with the guardrails: decision, findings, redacted text, explanation."""
        return svc.guard_json(text or "", ctx.lang(lang))

    def summarize(source: str, length: str = "short", lang: str = "vi", table: bool = False,
                  request: gr.Request = None) -> dict:
        """Summarise one corpus document (source = its path in the corpus), or extract it to a table."""
        res = svc.summarize(source or "", length, ctx.lang(lang), table=bool(table), who=ctx.who(request))
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

    try:
        import assistant.drafting  # noqa: F401
    except ImportError:
        return

    def draft(doc_type: str, fields: dict, lang: str = "vi", request: gr.Request = None) -> dict:
        """Draft an official document (doc_type from the Draft tab, e.g. cong-van): markdown and DOCX (base64)."""
        res = svc.draft(doc_type, fields or {}, ctx.lang(lang), who=ctx.who(request))
        return {"ok": res["ok"], "error": res["error"], "markdown": res["markdown"],
                "docx_base64": base64.b64encode(res["docx"]).decode() if res["docx"] else "", "notes": res.get("notes", [])}

    gr.api(draft, api_name="draft")
